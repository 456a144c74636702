//! Issue 6 acceptance on the demo's small CPU model and held-out synthetic images:
//! test-set AUC ≥ 0.9 and the strongest-evidence patch inside the planted region in ≥ 80 % of images.

#[test]
fn demo_model_finds_the_planted_evidence() {
    let r = dimorph_bagnet::demo::run().unwrap();
    let test = r.eval.sets.iter().find(|s| s.set == "test").unwrap();
    let auc = test.auc.unwrap();
    assert!(auc >= 0.9, "test AUC {auc}");
    let hit = r.explain.strongest_in_planted.unwrap();
    assert!(hit >= 0.8, "strongest-evidence patches in planted regions: {hit}");
    let _ = std::fs::remove_dir_all(&r.dir);
}
