//! Data-parallel training (`--device cuda:0,1`, [`train::train_on`]), run here on two copies of
//! the CPU device: the arithmetic is the one the GPUs would do (each batch split into shards, one
//! model copy per device on a thread of its own, each shard's objective weighted by its part of
//! the batch, the gradients moved to the first device and summed, one optimiser step there).
//!
//! * With batch norm in inference mode (head epochs, the backbone frozen) the shards' gradients
//!   add up to the batch's, so two devices train the same model as one, to float rounding; with
//!   class weights and batches that do not split evenly too.
//! * In all-layer epochs each shard's batch norm uses its own statistics (as PyTorch's
//!   DistributedDataParallel without SyncBatchNorm), so the weights differ from one device's; what
//!   must not differ is the epoch's batch-norm calibration: burn keeps running statistics per
//!   thread and averages them, and statistics left by the other devices' threads must not enter the
//!   calibrated ones. The checkpoint's running statistics are checked against a calibration of the
//!   checkpoint's own weights done again here, on one thread.

use std::collections::BTreeMap;

use burn::tensor::backend::Backend;
use burn_store::ModuleSnapshot;
use dimorph_bagnet::data::{self, Dataset};
use dimorph_bagnet::model::Arch;
use dimorph_bagnet::momentum::with_cumulative_statistics;
use dimorph_bagnet::net::Net;
use dimorph_bagnet::on_cpu;
use dimorph_bagnet::synth::{self, SynthOptions};
use dimorph_bagnet::train::{self, OptimKind, RunState, TrainOptions};
use dimorph_core::scratch::ScratchPath;

use crate::head_phase::floats;

fn dataset(seed: u64) -> Dataset {
    synth::dataset(&SynthOptions {
        n: 26,
        size: 40,
        effect: 0.3,
        seed,
    })
}

fn options(head_epochs: usize, epochs: usize, optimizer: OptimKind) -> TrainOptions {
    TrainOptions {
        arch: Arch::BagNet9,
        width: 0.0625,
        size: 40,
        // 26 images, 20 of them training: batches of 7, 7 and 6, split 4 + 3, 4 + 3 and 3 + 3.
        batch: 7,
        lr: 0.05,
        head_epochs,
        epochs,
        optimizer,
        class_weights: true,
        seed: 11,
        ..Default::default()
    }
}

/// The largest |a − b| / max(|a|, |b|, 1e-3) over all tensors.
fn largest_rel(a: &[Vec<f32>], b: &[Vec<f32>]) -> f64 {
    assert_eq!(a.len(), b.len());
    let mut worst = 0f64;
    for (x, y) in a.iter().zip(b) {
        assert_eq!(x.len(), y.len());
        for (&u, &v) in x.iter().zip(y) {
            let d = (u as f64 - v as f64).abs() / (u.abs().max(v.abs()) as f64).max(1e-3);
            worst = worst.max(d);
        }
    }
    worst
}

#[test]
fn two_devices_train_the_head_as_one_does() {
    let ds = dataset(4);
    // SGD: its steps are linear in the gradient, so a wrongly weighted sum of shards would show.
    let opt = options(2, 0, OptimKind::Sgd);
    let one = ScratchPath::new("dimorph-bagnet-dp", "one").unwrap();
    let two = ScratchPath::new("dimorph-bagnet-dp", "two").unwrap();
    let dev = Default::default();
    let r1 = train::train_cpu_on(&ds, &opt, &one, false, &mut train::Silent, &[dev]).unwrap();
    let r2 = train::train_cpu_on(&ds, &opt, &two, false, &mut train::Silent, &[dev, dev]).unwrap();
    let (m1, _) = on_cpu::load_net(&train::epoch_dir(&one, 2)).unwrap();
    let (m2, _) = on_cpu::load_net(&train::epoch_dir(&two, 2)).unwrap();
    let (f1, f2) = (floats(&m1), floats(&m2));
    let n = f1.len();
    // The backbone (all but the head's weight and bias), frozen in both, bit for bit ...
    assert!(f1[..n - 2] == f2[..n - 2], "the frozen backbone differs");
    // ... and the head, which learned, the same to float rounding (two epochs of sums of two
    // shards' gradients instead of one batch's).
    let init = dimorph_bagnet::model::BagNetConfig::new(Arch::BagNet9, 1)
        .with_width(0.0625)
        .init_seeded_cpu(11);
    let f0 = floats(&init);
    assert!(largest_rel(&f0[n - 2..], &f1[n - 2..]) > 1e-2, "the head did not learn");
    let d = largest_rel(&f1[n - 2..], &f2[n - 2..]);
    assert!(d < 1e-4, "one device and two trained different heads: {d:.3e}");
    // The reported losses are the batches' (each shard's weighted by its part).
    for (a, b) in r1.history.iter().zip(&r2.history) {
        assert!(
            (a.train_loss - b.train_loss).abs() < 1e-5 * a.train_loss.abs().max(1.0),
            "{} {}",
            a.train_loss,
            b.train_loss
        );
        assert!((a.val_loss - b.val_loss).abs() < 1e-4 * a.val_loss.abs().max(1.0));
    }
}

/// The running statistics (mean and variance) of every batch norm, by name.
fn running_stats<B: Backend>(m: &Net<B>) -> BTreeMap<String, Vec<f32>> {
    let Net::BagNet(b) = m else { panic!("not a BagNet") };
    b.collect(None, None, false)
        .into_iter()
        .filter(|s| s.full_path().contains("running_"))
        .map(|s| {
            let data = s.to_data().unwrap().convert::<f32>().to_vec::<f32>().unwrap();
            (s.full_path(), data)
        })
        .collect()
}

#[test]
fn two_devices_in_all_layer_epochs_calibrate_batch_norm_from_the_final_weights_alone() {
    let ds = dataset(5);
    let opt = options(0, 1, OptimKind::Adam);
    let run = ScratchPath::new("dimorph-bagnet-dp", "all").unwrap();
    let dev = Default::default();
    let r = train::train_cpu_on(&ds, &opt, &run, false, &mut train::Silent, &[dev, dev]).unwrap();
    assert!(r.history[0].train_loss.is_finite());
    let ckpt = train::epoch_dir(&run, 1);
    let (saved, _) = on_cpu::load_net(&ckpt).unwrap();
    // The checkpoint's weights, calibrated again on this thread as training does: the first
    // `bn_calibration` training images, unaugmented, in batches, cumulative statistics.
    let (model, _) = on_cpu::load_net_train(&ckpt).unwrap();
    let split = RunState::load(&run).unwrap().split;
    let take = split[0].len().min(opt.bn_calibration);
    assert!(take >= 14, "{take}");
    for (k, batch) in ds.images.stream_plain(&split[0][..take], opt.batch).enumerate() {
        let batch = batch.unwrap();
        let imgs: Vec<_> = batch.iter().collect();
        with_cumulative_statistics(k, || {
            model.calibration_pass(data::to_tensor::<dimorph_bagnet::CpuTrain>(&imgs, &dev).detach())
        });
    }
    use burn::module::AutodiffModule;
    let again = running_stats(&model.valid());
    let stored = running_stats(&saved);
    assert_eq!(again.keys().collect::<Vec<_>>(), stored.keys().collect::<Vec<_>>());
    assert!(again.len() >= 2 * 10, "{} running statistics", again.len());
    for (name, a) in &again {
        let d = largest_rel(std::slice::from_ref(a), std::slice::from_ref(&stored[name]));
        assert!(d < 1e-5, "{name}: calibrated statistics differ by {d:.3e}");
    }
}

/// The shards of a batch are the kernel's split of `0..n` (`dimorph_core::threads::ranges`).
#[test]
fn a_batch_splits_into_near_equal_consecutive_shards() {
    use dimorph_core::threads::ranges as shard_ranges;
    assert_eq!(shard_ranges(7, 2), [0..4, 4..7]);
    assert_eq!(shard_ranges(6, 4), [0..2, 2..4, 4..5, 5..6]);
    // Fewer images than devices: one shard per image.
    assert_eq!(shard_ranges(2, 3), [0..1, 1..2]);
    assert_eq!(shard_ranges(5, 1), vec![std::ops::Range { start: 0, end: 5 }]);
}

#[test]
fn several_gpus_are_named_as_a_set() {
    use dimorph_bagnet::options::{DeviceKind, GpuSet};
    let set = |v: &[usize]| DeviceKind::CudaSet {
        gpus: GpuSet::new(v).unwrap(),
    };
    assert_eq!(DeviceKind::parse("cuda:0,1").unwrap(), set(&[0, 1]));
    assert_eq!(DeviceKind::parse("CUDA:3, cuda:1").unwrap(), set(&[1, 3]));
    assert_eq!(DeviceKind::parse("cuda:2").unwrap(), DeviceKind::Cuda { index: 2 });
    assert_eq!(set(&[3, 1]).name(), "cuda:1,3");
    // As JSON: the GPU numbers.
    let j = serde_json::to_string(&set(&[0, 2])).unwrap();
    assert_eq!(j, r#"{"cuda_set":{"gpus":[0,2]}}"#);
    assert_eq!(serde_json::from_str::<DeviceKind>(&j).unwrap(), set(&[0, 2]));
    for (bad, says) in [
        ("cuda:0,0", "named twice"),
        ("cuda:0,", "expected cpu, cuda or cuda:N"),
        ("cuda:0,64", "numbers below 64 only"),
        ("cuda:,1", "expected cpu, cuda or cuda:N"),
    ] {
        let e = DeviceKind::parse(bad).unwrap_err().to_string();
        assert!(e.contains(says), "{bad}: {e}");
    }
    assert!(serde_json::from_str::<DeviceKind>(r#"{"cuda_set":{"gpus":[1]}}"#).is_err());
}
