//! Batch-norm calibration ("precise" statistics after each all-layer epoch, train/calibrate.rs)
//! treats Inception-v3's auxiliary classifier as it treats the backbone: after the epoch, the running
//! mean and variance of every batch norm, `AuxLogits.conv0.bn` and `AuxLogits.conv1.bn` included,
//! are the batch statistics of the calibration images under the epoch's final weights (issue 16).
//!
//! Two runs differ only in `bn_calibration` (0 and all training images, one batch): their weights are
//! the same bit for bit, and the calibrated run's statistics are those that a training-mode forward
//! pass of the whole model with its auxiliary classifier (`Net::forward_with_aux`, the training
//! step's pass) gives on the same images with momentum 1, the uncalibrated run's weights.

use burn::module::Module;
use dimorph_bagnet::data;
use dimorph_bagnet::model::{Arch, BagNetConfig};
use dimorph_bagnet::momentum::with_cumulative_statistics;
use dimorph_bagnet::on_cpu;
use dimorph_bagnet::synth::{self, SynthOptions};
use dimorph_bagnet::train::{self, OptimKind, RunState, TrainOptions};
use dimorph_bagnet::CpuTrain;

mod tensors;
use dimorph_core::ScratchPath;
use tensors::named;

fn is_stat(path: &str) -> bool {
    path.ends_with(".running_mean") || path.ends_with(".running_var")
}

fn tmp(name: &str) -> ScratchPath {
    ScratchPath::new("dimorph-bagnet-auxcal", name).unwrap()
}

/// Inception-v3's backward pass needs a larger stack than a test thread's 2 MiB (see
/// tests/baselines.rs).
#[test]
fn calibration_recomputes_the_auxiliary_classifiers_batch_norm_statistics() {
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(calibration)
        .unwrap()
        .join()
        .unwrap();
}

fn calibration() {
    let ds = synth::dataset(&SynthOptions {
        n: 24,
        size: 299,
        effect: 0.3,
        seed: 3,
    });
    let opt = |bn_calibration: usize| TrainOptions {
        arch: Arch::InceptionV3,
        width: 1.0 / 16.0,
        size: 299,
        batch: 16,
        lr: 0.003,
        head_epochs: 0,
        epochs: 1,
        optimizer: OptimKind::Adam,
        seed: 9,
        bn_calibration,
        ..Default::default()
    };
    let dev = Default::default();
    let fresh = || {
        BagNetConfig::new(Arch::InceptionV3, 1)
            .with_width(1.0 / 16.0)
            .init_net_cpu_train(0)
    };
    let run = |bn: usize| {
        let dir = tmp(&format!("bn{bn}"));
        train::train_cpu(&ds, &opt(bn), &dir, false, &mut train::Silent, &dev).unwrap();
        dir
    };
    let (plain_dir, calibrated_dir) = (run(0), run(64));
    let (plain, _) = on_cpu::load_net_train(&train::epoch_dir(&plain_dir, 1)).unwrap();
    let (calibrated, _) = on_cpu::load_net_train(&train::epoch_dir(&calibrated_dir, 1)).unwrap();
    let (p, c) = (named(&plain), named(&calibrated));
    assert_eq!(p.keys().collect::<Vec<_>>(), c.keys().collect::<Vec<_>>());
    let aux_stats: Vec<&String> = p.keys().filter(|k| k.starts_with("AuxLogits.") && is_stat(k)).collect();
    assert_eq!(aux_stats.len(), 4, "{aux_stats:?}");
    // The same training: every weight equal bit for bit; calibration changed the statistics, the
    // auxiliary classifier's too.
    for (k, a) in &p {
        if !is_stat(k) {
            assert!(a.iter().zip(&c[k]).all(|(x, y)| x.to_bits() == y.to_bits()), "{k}");
        }
    }
    for k in &aux_stats {
        assert!(p[*k] != c[*k], "{k} was not recalibrated");
    }

    // The calibration images (the first 64 training images, all here, unaugmented, in batches of 16) through the
    // training step's forward pass with momentum 1: the uncalibrated model's statistics become the
    // batch statistics under its weights, which the calibrated run must hold.
    let state = RunState::load(&calibrated_dir).unwrap();
    let idx = &state.split[0][..state.split[0].len().min(64)];
    assert!(!idx.is_empty());
    for (k, batch) in ds.images.stream_plain(idx, 16).enumerate() {
        let batch = batch.unwrap();
        let imgs: Vec<_> = batch.iter().collect();
        let x = data::to_tensor::<CpuTrain>(&imgs, &dev);
        let (_, aux) = with_cumulative_statistics(k, || plain.forward_with_aux(x));
        assert!(aux.is_some(), "the auxiliary classifier runs at 299 px");
    }
    // Running statistics are updated per thread and merged when the record is taken (burn's
    // RunningState): the model's record, as a checkpoint saves it.
    let expected = named(&fresh().load_record(plain.into_record()));
    let mut worst = 0.0f64;
    for (k, e) in expected.iter().filter(|(k, _)| is_stat(k)) {
        for (x, y) in e.iter().zip(&c[k]) {
            let d = (*x as f64 - *y as f64).abs() / (*x as f64).abs().max(1.0);
            worst = worst.max(d);
            assert!(d <= 1e-6, "{k}: calibration {y}, batch statistics {x}");
        }
    }
    println!("calibrated statistics vs batch statistics of the final weights: max rel. difference {worst:.1e}");
    for d in [plain_dir, calibrated_dir] {
        let _ = std::fs::remove_dir_all(d);
    }
}
