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
    let ds = synth::dataset(&SynthOptions {
        n: 24,
        size: 40,
        effect: 0.3,
        seed: 7,
    });
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
