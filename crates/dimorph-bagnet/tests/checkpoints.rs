//! Checkpoints survive interruption (issue 14): a folder is replaced whole or not at all, a run
//! stopped while replacing `best/` keeps the previous best model (put back by `--resume`), and a
//! damaged `state.json` is recovered from the copy in the latest epoch folder; a `model.mpk` cut
//! short is called damaged.

use std::path::PathBuf;

use dimorph_bagnet::checkpoint::{recover_folder, save_folder};
use dimorph_bagnet::model::Arch;
use dimorph_bagnet::on_cpu;
use dimorph_bagnet::synth::{self, SynthOptions};
use dimorph_bagnet::train::{self, OptimKind, TrainOptions};
use dimorph_bagnet::BagNetError;
use dimorph_core::ScratchDir;

fn tmp(name: &str) -> ScratchDir {
    ScratchDir::new(&format!("dimorph-bagnet-ckpt-{name}")).unwrap()
}

fn read(p: PathBuf) -> String {
    std::fs::read_to_string(p).unwrap()
}

fn put(dir: &std::path::Path, text: &str) -> Result<(), BagNetError> {
    std::fs::write(dir.join("a.txt"), text).unwrap();
    Ok(())
}

#[test]
fn a_folder_is_replaced_whole_or_not_at_all() {
    let d = tmp("folders");
    let best = d.join("best");
    save_folder(&best, |p| put(p, "one")).unwrap();
    // A write that fails half way leaves the old folder as it was.
    let e = save_folder(&best, |p| {
        std::fs::write(p.join("a.txt"), "two").unwrap();
        Err(BagNetError::Data("stopped".into()))
    });
    assert!(e.is_err());
    assert_eq!(read(best.join("a.txt")), "one");
    // Stopped between the two renames: the old folder under .best.old, the new in .best.partial.
    std::fs::rename(&best, d.join(".best.old")).unwrap();
    std::fs::create_dir_all(d.join(".best.partial")).unwrap();
    std::fs::write(d.join(".best.partial/a.txt"), "three").unwrap();
    let e = on_cpu::load_model(&best).unwrap_err().to_string();
    assert!(e.contains(".best.old") && e.contains("--resume"), "{e}");
    recover_folder(&best).unwrap();
    assert_eq!(read(best.join("a.txt")), "one");
    assert!(!d.join(".best.old").exists() && !d.join(".best.partial").exists());
    save_folder(&best, |p| put(p, "four")).unwrap();
    assert_eq!(read(best.join("a.txt")), "four");
    assert_eq!(std::fs::read_dir(&d).unwrap().count(), 1, "nothing left beside best/");
}

/// 24 synthetic 40-px images, the data of the runs below.
fn small_data() -> dimorph_bagnet::data::Dataset {
    synth::dataset(&SynthOptions {
        n: 24,
        size: 40,
        effect: 0.3,
        seed: 7,
    })
}

fn tiny(epochs: usize) -> TrainOptions {
    TrainOptions {
        arch: Arch::BagNet9,
        width: 0.0625,
        size: 40,
        batch: 8,
        lr: 0.003,
        head_epochs: 1,
        epochs,
        optimizer: OptimKind::Adam,
        bn_calibration: 0,
        ..Default::default()
    }
}

#[test]
fn a_damaged_state_json_is_recovered_from_the_epoch_folders() {
    let ds = small_data();
    let run = tmp("state");
    let first = train::train_cpu(&ds, &tiny(0), &run, false, &mut train::Silent, &Default::default()).unwrap();
    assert!(
        run.join("epoch-001/state.json").is_file(),
        "each epoch folder holds the run's state"
    );
    // state.json cut in half (a full disk, a crash of the file system).
    let state = std::fs::read(run.join("state.json")).unwrap();
    std::fs::write(run.join("state.json"), &state[..state.len() / 2]).unwrap();
    // A model file cut short is called damaged, not a misfit of the architecture.
    let cut = tmp("cut");
    for f in ["model.mpk", "meta.json"] {
        std::fs::copy(run.join("best").join(f), cut.join(f)).unwrap();
    }
    let mpk = std::fs::read(cut.join("model.mpk")).unwrap();
    for keep in [mpk.len() / 2, 10, 0] {
        std::fs::write(cut.join("model.mpk"), &mpk[..keep]).unwrap();
        let e = on_cpu::load_model(&cut).unwrap_err().to_string();
        assert!(e.contains("model.mpk") && e.contains("damaged"), "{keep} bytes: {e}");
    }
    std::fs::remove_file(cut.join("model.mpk")).unwrap();
    let e = on_cpu::load_model(&cut).unwrap_err().to_string();
    assert!(e.contains("model.mpk: not found"), "{e}");
    // A plain start is refused; --resume continues from the epoch folder's copy.
    let e = train::train_cpu(&ds, &tiny(1), &run, false, &mut train::Silent, &Default::default()).unwrap_err();
    assert!(e.to_string().contains("--resume"), "{e}");
    let r = train::train_cpu(&ds, &tiny(1), &run, true, &mut train::Silent, &Default::default()).unwrap();
    assert_eq!(r.history.len(), 2);
    assert_eq!(r.history[0].val_loss, first.history[0].val_loss);
    assert!(serde_json::from_str::<serde_json::Value>(&read(run.join("state.json"))).is_ok());
    // Nothing to recover from: the message says what to do.
    std::fs::write(run.join("state.json"), "{").unwrap();
    for e in ["epoch-001", "epoch-002"] {
        std::fs::remove_file(run.join(e).join("state.json")).unwrap();
    }
    let e = train::train_cpu(&ds, &tiny(2), &run, true, &mut train::Silent, &Default::default()).unwrap_err();
    assert!(e.to_string().contains("start the run again with a new --out"), "{e}");
}

#[test]
fn an_edited_state_json_is_refused_naming_what_is_wrong_or_recovered_from_a_copy() {
    let ds = small_data();
    let run = tmp("edited");
    train::train_cpu(&ds, &tiny(0), &run, false, &mut train::Silent, &Default::default()).unwrap();
    let good: serde_json::Value = serde_json::from_str(&read(run.join("state.json"))).unwrap();
    let copy = run.join("epoch-001/state.json");
    let saved_copy = read(copy.clone());
    std::fs::remove_file(&copy).unwrap();
    let first_train = good["split_ids"][0][0].clone();
    // Each edit once indexed outside the history (a panic) or put an image in two sets.
    type Edit = fn(&mut serde_json::Value, &serde_json::Value);
    let edits: [(&str, Edit); 5] = [
        ("best epoch 9, but the history holds 1", |s, _| {
            s["best_epoch"] = 9.into()
        }),
        ("best epoch 0", |s, _| s["best_epoch"] = 0.into()),
        ("history entry 1 is epoch 3", |s, _| s["history"][0]["epoch"] = 3.into()),
        ("out of range", |s, _| s["history"][0]["val_auc"] = 7.5.into()),
        ("is in the split twice", |s, id| {
            s["split_ids"][2].as_array_mut().unwrap().push(id.clone())
        }),
    ];
    for (what, edit) in edits {
        let mut s = good.clone();
        edit(&mut s, &first_train);
        std::fs::write(run.join("state.json"), s.to_string()).unwrap();
        let e = train::train_cpu(&ds, &tiny(1), &run, true, &mut train::Silent, &Default::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains(what) && e.contains("state.json"), "{what}: {e}");
    }
    // The legacy split by position with an index beyond the images is another run's.
    let mut s = good.clone();
    s.as_object_mut().unwrap().remove("split_ids");
    let n = ds.rows.len();
    let last = s["split"][2].as_array().unwrap().len() - 1;
    s["split"][2][last] = (n + 5).into();
    std::fs::write(run.join("state.json"), s.to_string()).unwrap();
    let e = train::train_cpu(&ds, &tiny(1), &run, true, &mut train::Silent, &Default::default()).unwrap_err();
    assert!(e.to_string().contains("other images or labels"), "{e}");
    // With the epoch folder's copy back, the edited file gives way to it and the run goes on.
    std::fs::write(&copy, saved_copy).unwrap();
    let mut s = good.clone();
    s["best_epoch"] = 9.into();
    std::fs::write(run.join("state.json"), s.to_string()).unwrap();
    let r = train::train_cpu(&ds, &tiny(1), &run, true, &mut train::Silent, &Default::default()).unwrap();
    assert_eq!(r.history.len(), 2);
    assert!(r.best_epoch.is_some_and(|b| b <= 2));
}

#[test]
fn a_run_resumed_with_another_model_or_image_size_is_refused() {
    let ds = small_data();
    let run = tmp("other-model");
    train::train_cpu(&ds, &tiny(0), &run, false, &mut train::Silent, &Default::default()).unwrap();
    let meta_before = read(run.join("best/meta.json"));
    // Each went on with the checkpoint's BagNet-9 and wrote the options' model into meta.json
    // beside its weights (or read the images at another size than the model was trained at).
    for (other, what) in [
        (
            TrainOptions {
                width: 0.125,
                ..tiny(1)
            },
            "--width 0.125",
        ),
        (
            TrainOptions {
                arch: Arch::BagNet17,
                ..tiny(1)
            },
            "--arch bagnet17",
        ),
        (TrainOptions { size: 48, ..tiny(1) }, "--size 48"),
        (TrainOptions { mask: true, ..tiny(1) }, "--size 40 --mask"),
    ] {
        let e = train::train_cpu(&ds, &other, &run, true, &mut train::Silent, &Default::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("a model of --arch bagnet9 --width 0.0625 --size 40,") && e.contains(what),
            "{what}: {e}"
        );
    }
    assert_eq!(read(run.join("best/meta.json")), meta_before);
    // The run's own options resume it.
    let r = train::train_cpu(&ds, &tiny(1), &run, true, &mut train::Silent, &Default::default()).unwrap();
    assert_eq!(r.history.len(), 2);
}
