//! Issue 6 acceptance on the demo's small CPU model and held-out synthetic images:
//! test-set AUC ≥ 0.9, and ≥ 80 % of the strongest-evidence patches (the n largest |logit| over the
//! n test images) overlap the planted region of their image.

#[test]
fn demo_model_finds_the_planted_evidence() {
    let r = dimorph_bagnet::demo::run().unwrap();
    let test = r.eval.sets.iter().find(|s| s.set == "test").unwrap();
    let auc = test.auc.unwrap();
    eprintln!(
        "test AUC {auc}; top patches in planted regions {:?}; per-image strongest own-class patch {:?}",
        r.explain.top_patches_in_planted, r.explain.strongest_in_planted
    );
    assert!(auc >= 0.9, "test AUC {auc}");
    let hit = r.explain.top_patches_in_planted.unwrap();
    assert!(hit >= 0.8, "strongest-evidence patches in planted regions: {hit}");
    let _ = std::fs::remove_dir_all(&r.dir);
}
