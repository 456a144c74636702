//! The head-only phase (paper §3.2) leaves the backbone as it was: its weights and its batch-norm
//! running statistics bit-identical after a head epoch (batch norm in inference mode), while the
//! head does learn (issue 16).
use burn::module::{Module, ModuleVisitor, Param};
use burn::tensor::backend::Backend;
use burn::tensor::Tensor;
use dimorph_bagnet::model::{Arch, BagNet, BagNetConfig};
use dimorph_bagnet::synth::{self, SynthOptions};
use dimorph_bagnet::train::{self, OptimKind, TrainOptions};
use dimorph_bagnet::{Cpu, CpuTrain};

/// Every float tensor of a module (weights and batch-norm running statistics) in visit order.
struct Floats(Vec<Vec<f32>>);

impl<B: Backend> ModuleVisitor<B> for Floats {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
        self.0
            .push(param.val().into_data().convert::<f32>().to_vec::<f32>().unwrap());
    }
}

fn floats(m: &BagNet<Cpu>) -> Vec<Vec<f32>> {
    let mut v = Floats(Vec::new());
    m.visit(&mut v);
    v.0
}

#[test]
fn a_head_epoch_leaves_the_backbone_and_its_batch_norm_statistics_unchanged() {
    let dir = std::env::temp_dir().join(format!("dimorph-bagnet-head-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
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
    train::train::<CpuTrain>(&ds, &opt, &dir, false, &mut train::Silent, &Default::default()).unwrap();
    let (trained, _) = train::load_model::<Cpu>(&train::epoch_dir(&dir, 1), &Default::default()).unwrap();
    let init = BagNetConfig::new(Arch::BagNet9, 1)
        .with_width(0.0625)
        .init_seeded::<Cpu>(&Default::default(), 7);
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
    let _ = std::fs::remove_dir_all(&dir);
}
