//! Experiment harness (ignored): trains a small model on synthetic images and prints metrics.
use dimorph_bagnet::model::Arch;
use dimorph_bagnet::synth::{self, SynthOptions};
use dimorph_bagnet::train::{self, TrainOptions};
use dimorph_bagnet::CpuTrain;

#[test]
#[ignore]
fn quick_train() {
    let size: usize = std::env::var("SZ").ok().and_then(|s| s.parse().ok()).unwrap_or(64);
    let n: usize = std::env::var("N").ok().and_then(|s| s.parse().ok()).unwrap_or(200);
    let ds = synth::dataset(&SynthOptions { n, size, effect: std::env::var("EFF").ok().and_then(|s| s.parse().ok()).unwrap_or(0.2), seed: 3 });
    let opt = TrainOptions {
        arch: Arch::BagNet17,
        width: 0.125,
        size,
        head_epochs: 1,
        epochs: std::env::var("EP").ok().and_then(|s| s.parse().ok()).unwrap_or(6),
        optimizer: if std::env::var("ADAM").is_ok() { train::OptimKind::Adam } else { train::OptimKind::Sgd },
        lr: std::env::var("LR").ok().and_then(|s| s.parse().ok()).unwrap_or(0.01),
        momentum: 0.9,
        ..Default::default()
    };
    let out = std::path::PathBuf::from(format!("/tmp/bagnet/run{}", std::process::id()));
    let t = std::time::Instant::now();
    let r = train::train::<CpuTrain>(&ds, &opt, &out, false, false, &Default::default()).unwrap();
    eprintln!("{:?} best {:?} in {:?}", r.history.last(), r.best_epoch, t.elapsed());
}
