//! The head-only phase (paper §3.2) leaves the backbone as it was: its weights and its batch-norm
//! running statistics bit-identical after a head epoch (batch norm in inference mode), while the
//! head does learn (issue 16). For Inception-v3 at 299 px both heads learn, `fc` and its auxiliary
//! classifier's `AuxLogits.fc` (PyTorch's fine-tuning tutorial replaces and trains both on a frozen
//! Inception-v3, loss = main + 0.4·aux), and the rest of the auxiliary classifier (its two
//! convolutions and their batch-norm statistics) stays as it was, like the backbone.

use burn::module::{Module, ModuleVisitor, Param};
use burn::tensor::backend::Backend;
use burn::tensor::Tensor;
use dimorph_bagnet::model::{Arch, BagNetConfig};
use dimorph_bagnet::on_cpu;
use dimorph_bagnet::synth::{self, SynthOptions};
use dimorph_bagnet::train::{self, OptimKind, TrainOptions};

use crate::tensors::named;

/// Every float tensor of a module (weights and batch-norm running statistics) in burn's visit
/// order.
pub(crate) fn floats<B: Backend, M: Module<B>>(m: &M) -> Vec<Vec<f32>> {
    struct Floats(Vec<Vec<f32>>);
    impl<B: Backend> ModuleVisitor<B> for Floats {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
            self.0
                .push(param.val().into_data().convert::<f32>().to_vec::<f32>().unwrap());
        }
    }
    let mut v = Floats(Vec::new());
    m.visit(&mut v);
    v.0
}

#[test]
fn a_head_epoch_leaves_the_backbone_and_its_batch_norm_statistics_unchanged() {
    let dir = dimorph_core::scratch::ScratchPath::new("dimorph-bagnet-head", "run").unwrap();
    let ds = synth::dataset(&SynthOptions {
        n: 24,
        size: 40,
        effect: 0.3,
        seed: 2,
    });
    let opt = TrainOptions {
        arch: Arch::BagNet9,
        width: 0.0625,
        size: 40,
        batch: 8,
        lr: 0.01,
        head_epochs: 1,
        epochs: 0,
        optimizer: OptimKind::Adam,
        seed: 7,
        ..Default::default()
    };
    train::train_cpu(&ds, &opt, &dir, false, &mut train::Silent, &Default::default()).unwrap();
    let (trained, _) = on_cpu::load_model(&train::epoch_dir(&dir, 1)).unwrap();
    let init = BagNetConfig::new(Arch::BagNet9, 1)
        .with_width(0.0625)
        .init_seeded_cpu(7);
    let before = floats(&init);
    let after = floats(&trained);
    assert_eq!(before.len(), after.len());
    // The head (the last two tensors: fc weight and bias) learned ...
    let n = before.len();
    assert!(before[n - 2..] != after[n - 2..], "the head did not change");
    // ... and everything else, weights and running means and variances, is bit for bit as before.
    for (k, (a, b)) in before[..n - 2].iter().zip(&after[..n - 2]).enumerate() {
        let same = a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits());
        assert!(same, "backbone tensor {k} of {} changed in the head epoch", n - 2);
    }
}

/// Inception-v3's backward pass is deeper than a test thread's 2 MiB stack holds (see
/// tests/baselines.rs): the run goes on a thread with 8 MiB.
#[test]
fn an_inception_head_epoch_trains_both_heads_and_leaves_the_rest_unchanged() {
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(inception_head_epoch)
        .unwrap()
        .join()
        .unwrap();
}

fn inception_head_epoch() {
    let dir = dimorph_core::scratch::ScratchPath::new("dimorph-bagnet-head-inception", "run").unwrap();
    let ds = synth::dataset(&SynthOptions {
        n: 24,
        size: 299,
        effect: 0.3,
        seed: 3,
    });
    // 299 px: the auxiliary loss (torchvision's 0.4, the default) is in effect.
    let opt = TrainOptions {
        arch: Arch::InceptionV3,
        width: 1.0 / 16.0,
        size: 299,
        batch: 4,
        lr: 0.01,
        head_epochs: 1,
        epochs: 0,
        optimizer: OptimKind::Adam,
        seed: 7,
        ..Default::default()
    };
    assert_eq!(opt.aux_loss_weight(), 0.4);
    train::train_cpu(&ds, &opt, &dir, false, &mut train::Silent, &Default::default()).unwrap();
    let (trained, _) = on_cpu::load_net(&train::epoch_dir(&dir, 1)).unwrap();
    let init = BagNetConfig::new(Arch::InceptionV3, 1)
        .with_width(1.0 / 16.0)
        .init_net_cpu(7);
    let (before, after) = (named(&init), named(&trained));
    assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>());
    // 94 convolution + batch-norm pairs (weight, gamma, beta, running mean and variance), the
    // head, the auxiliary classifier's two pairs and its head.
    assert_eq!(before.len(), 94 * 5 + 2 + 2 * 5 + 2);
    let heads = ["fc.weight", "fc.bias", "AuxLogits.fc.weight", "AuxLogits.fc.bias"];
    for h in heads {
        assert!(before[h] != after[h], "the head tensor {h} did not change");
    }
    // Everything else: the backbone and the auxiliary classifier's convolutions, weights and
    // running means and variances, bit for bit as before.
    let aux_rest = before
        .keys()
        .filter(|k| k.starts_with("AuxLogits.") && !heads.contains(&k.as_str()))
        .count();
    assert_eq!(
        aux_rest,
        2 * 5,
        "AuxLogits.conv0/conv1: weight, gamma, beta, running mean and variance"
    );
    assert!(before.keys().any(|k| k.ends_with(".running_var")));
    for (k, a) in &before {
        if heads.contains(&k.as_str()) {
            continue;
        }
        let b = &after[k];
        let same = a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits());
        assert!(same, "{k} changed in the head epoch");
    }
}
