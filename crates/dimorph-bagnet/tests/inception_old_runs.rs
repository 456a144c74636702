//! Inception-v3 runs saved before the model had its auxiliary classifier (dimorph before commit
//! bb0e707, whose `Inception3` had no field `AuxLogits`, so `model.mpk` holds no such record and
//! `optim.mpk` no state for its parameters) keep working: `eval` loads them without the auxiliary
//! classifier, gives the same predictions as before and says that it is absent; `train --resume`
//! continues them on the main loss alone, with a warning (issue 16).
//!
//! The old run folder is made the way such a run was saved: a run trained now, each model folder's
//! weights then written again through a module with exactly the pre-bb0e707 fields
//! ([`OldInception3`], `git show bb0e707^:crates/dimorph-bagnet/src/inception.rs`) and burn's
//! recorder with the settings of `checkpoint::save_net`, and the optimiser state of the auxiliary
//! classifier's parameters taken out of `optim.mpk`.
#![allow(non_snake_case)]

use std::collections::HashSet;
use std::path::Path;

use burn::module::{Module, ModuleVisitor, Param, ParamId};
use burn::nn::{Dropout, Linear};
use burn::optim::adaptor::OptimizerAdaptor;
use burn::optim::{Adam, Optimizer};
use burn::record::{FullPrecisionSettings, NamedMpkFileRecorder, Recorder};
use burn::tensor::backend::Backend;
use burn::tensor::Tensor;
use dimorph_bagnet::checkpoint;
use dimorph_bagnet::inception::{BasicConv, Inception3, InceptionA, InceptionB, InceptionC, InceptionD, InceptionE};
use dimorph_bagnet::model::Arch;
use dimorph_bagnet::net::Net;
use dimorph_bagnet::on_cpu;
use dimorph_bagnet::options::{EvalOptions, OptimKind, TrainOptions, TrainRunOptions};
use dimorph_bagnet::{pipeline, synth, train, Cpu, CpuTrain};
use dimorph_core::ScratchPath;

/// dimorph's `Inception3` before commit bb0e707: the same fields in the same order, without
/// `AuxLogits`.
#[derive(Module, Debug)]
struct OldInception3<B: Backend> {
    Conv2d_1a_3x3: BasicConv<B>,
    Conv2d_2a_3x3: BasicConv<B>,
    Conv2d_2b_3x3: BasicConv<B>,
    Conv2d_3b_1x1: BasicConv<B>,
    Conv2d_4a_3x3: BasicConv<B>,
    Mixed_5b: InceptionA<B>,
    Mixed_5c: InceptionA<B>,
    Mixed_5d: InceptionA<B>,
    Mixed_6a: InceptionB<B>,
    Mixed_6b: InceptionC<B>,
    Mixed_6c: InceptionC<B>,
    Mixed_6d: InceptionC<B>,
    Mixed_6e: InceptionC<B>,
    Mixed_7a: InceptionD<B>,
    Mixed_7b: InceptionE<B>,
    Mixed_7c: InceptionE<B>,
    dropout: Dropout,
    fc: Linear<B>,
}

impl<B: Backend> OldInception3<B> {
    fn of(m: Inception3<B>) -> Self {
        OldInception3 {
            Conv2d_1a_3x3: m.Conv2d_1a_3x3,
            Conv2d_2a_3x3: m.Conv2d_2a_3x3,
            Conv2d_2b_3x3: m.Conv2d_2b_3x3,
            Conv2d_3b_1x1: m.Conv2d_3b_1x1,
            Conv2d_4a_3x3: m.Conv2d_4a_3x3,
            Mixed_5b: m.Mixed_5b,
            Mixed_5c: m.Mixed_5c,
            Mixed_5d: m.Mixed_5d,
            Mixed_6a: m.Mixed_6a,
            Mixed_6b: m.Mixed_6b,
            Mixed_6c: m.Mixed_6c,
            Mixed_6d: m.Mixed_6d,
            Mixed_6e: m.Mixed_6e,
            Mixed_7a: m.Mixed_7a,
            Mixed_7b: m.Mixed_7b,
            Mixed_7c: m.Mixed_7c,
            dropout: m.dropout,
            fc: m.fc,
        }
    }
}

/// The ids of a module's parameters.
struct Ids(HashSet<ParamId>);

impl<B: Backend> ModuleVisitor<B> for Ids {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
        self.0.insert(param.id);
    }
}

/// The optimiser state of a run trained with plain Adam (no weight decay), as `optim.mpk` holds it.
type AdamRecord = <OptimizerAdaptor<Adam, Net<CpuTrain>, CpuTrain> as Optimizer<Net<CpuTrain>, CpuTrain>>::Record;

fn has_aux_record(dir: &Path) -> bool {
    let bytes = std::fs::read(dir.join("model.mpk")).unwrap();
    bytes.windows(9).any(|w| w == b"AuxLogits")
}

/// Rewrite the model folder `dir` (written by this dimorph) as dimorph before bb0e707 wrote it.
fn make_old(dir: &Path) {
    let dev = Default::default();
    let (net, _) = on_cpu::load_net_train(dir).unwrap();
    let Net::Inception(mut v) = net else {
        panic!("not an Inception-v3")
    };
    let m = v.pop().unwrap();
    let mut aux = Ids(HashSet::new());
    m.AuxLogits
        .as_ref()
        .expect("a new model has its auxiliary classifier")
        .visit(&mut aux);
    // conv0 and conv1 (convolution weight; batch norm's gamma, beta, running mean and variance)
    // and fc (weight and bias).
    assert_eq!(aux.0.len(), 2 * 5 + 2);
    NamedMpkFileRecorder::<FullPrecisionSettings>::new()
        .record(OldInception3::of(m).into_record(), dir.join("model"))
        .unwrap();
    assert!(!has_aux_record(dir));
    if dir.join("optim.mpk").exists() {
        let mut rec: AdamRecord = checkpoint::load_optimizer::<CpuTrain, AdamRecord>(dir, &dev).unwrap();
        let n = rec.len();
        rec.retain(|id, _| !aux.0.contains(id));
        assert!(
            rec.len() < n,
            "the optimiser state had the auxiliary classifier's parameters"
        );
        checkpoint::save_optimizer::<CpuTrain, _>(dir, rec).unwrap();
    }
}

fn tmp(name: &str) -> ScratchPath {
    ScratchPath::new("dimorph-bagnet-oldruns", name).unwrap()
}

/// Inception-v3's backward pass needs a larger stack than a test thread's 2 MiB (see
/// tests/baselines.rs); so does moving its module tree by value in this unoptimised test crate.
#[test]
fn an_inception_run_saved_without_the_auxiliary_classifier_evaluates_and_resumes() {
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(old_run)
        .unwrap()
        .join()
        .unwrap();
}

fn old_run() {
    let dir = tmp("run");
    let images = dir.join("img");
    let so = synth::SynthOptions {
        n: 24,
        size: 299,
        effect: 0.3,
        seed: 3,
    };
    let csv = synth::write_dataset(&so, &images).unwrap();
    // 299 px: the auxiliary loss is in effect (0.4) for a model that has the auxiliary classifier.
    let mut opt = TrainRunOptions {
        train: TrainOptions {
            arch: Arch::InceptionV3,
            width: 1.0 / 16.0,
            size: 299,
            batch: 4,
            lr: 0.003,
            head_epochs: 1,
            epochs: 1,
            optimizer: OptimKind::Adam,
            weight_decay: 0.0,
            seed: 3,
            ..Default::default()
        },
        ..Default::default()
    };
    assert_eq!(opt.train.aux_loss_weight(), 0.4);
    let run = dir.join("run");
    let o = pipeline::run_train(&images, &csv, &run, &opt, &mut train::Silent).unwrap();
    assert_eq!(o.result.history.len(), 2);
    assert!(o.warnings.is_empty(), "{:?}", o.warnings);
    let best = run.join("best");
    let eval = || pipeline::run_eval(&best, &images, &csv, &EvalOptions::default());
    let new = eval().unwrap();
    assert!(new.warnings.is_empty(), "{:?}", new.warnings);

    // The run as dimorph before bb0e707 saved it.
    let folders = [train::epoch_dir(&run, 1), train::epoch_dir(&run, 2), best.clone()];
    for f in &folders {
        assert!(has_aux_record(f));
        make_old(f);
    }

    // Every folder loads, without the auxiliary classifier, with the same number of outputs.
    for f in &folders {
        let (m, meta) = on_cpu::load_net(f).unwrap();
        assert_eq!(meta.config.arch, Arch::InceptionV3);
        assert!(m.lacks_aux(), "{}", f.display());
        assert_eq!(m.outputs(), 1);
    }
    // eval: the predictions of before, bit for bit (the main head alone makes them), and a note that
    // the auxiliary classifier is absent.
    let old = eval().unwrap();
    assert_eq!(old.result.predictions.len(), 24);
    for (a, b) in new.result.predictions.iter().zip(&old.result.predictions) {
        assert_eq!((&a.path, &a.set), (&b.path, &b.set));
        assert_eq!(a.logit.to_bits(), b.logit.to_bits(), "{}", a.path);
    }
    let note = |w: &[String]| w.iter().any(|w| w.contains("no auxiliary classifier (AuxLogits)"));
    assert!(note(&old.warnings), "{:?}", old.warnings);
    assert!(old.result.sets.iter().all(|s| s.n > 0));

    // --resume continues the run (one more all-layer epoch) on the main loss alone, and says so.
    opt.train.epochs = 2;
    opt.resume = true;
    let resumed = pipeline::run_train(&images, &csv, &run, &opt, &mut train::Silent).unwrap();
    assert_eq!(resumed.result.history.len(), 3);
    assert!(resumed.result.history.iter().all(|h| h.train_loss.is_finite()));
    assert!(note(&resumed.warnings), "{:?}", resumed.warnings);
    // Its new checkpoint has no auxiliary classifier either, and loads.
    let third = train::epoch_dir(&run, 3);
    let (m, _) = on_cpu::load_net(&third).unwrap();
    assert!(m.lacks_aux());
    let (before, _) = on_cpu::load_net(&train::epoch_dir(&run, 2)).unwrap();
    let fc = |m: &Net<Cpu>| match m {
        Net::Inception(v) => v[0].fc.weight.val().into_data().to_vec::<f32>().unwrap(),
        _ => unreachable!(),
    };
    assert!(fc(&m) != fc(&before), "the resumed epoch did not train");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A folder of this dimorph keeps its auxiliary classifier when loaded (the record has
/// `AuxLogits`), and the same folder without it loads with the auxiliary classifier's parameters
/// fewer, all others equal.
#[test]
fn a_new_folder_keeps_its_auxiliary_classifier_and_an_old_one_loads_without_it() {
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(new_and_old_folder)
        .unwrap()
        .join()
        .unwrap();
}

fn new_and_old_folder() {
    let dir = tmp("folder");
    let config = dimorph_bagnet::model::BagNetConfig::new(Arch::InceptionV3, 3).with_width(1.0 / 16.0);
    let model = config.init_net_cpu_train(11);
    let meta = checkpoint::ModelMeta {
        config,
        classes: vec!["a".into(), "b".into(), "c".into()],
        size: 299,
        mask: false,
        epoch: 1,
    };
    checkpoint::save_net(&dir, &model, &meta).unwrap();
    let (loaded, _) = on_cpu::load_net(&dir).unwrap();
    assert!(!loaded.lacks_aux());
    assert_eq!(loaded.num_params(), model.num_params());
    make_old(&dir);
    let (old, _) = on_cpu::load_net(&dir).unwrap();
    assert!(old.lacks_aux());
    assert_eq!(old.aux_params(), 0);
    assert_eq!(old.num_params() + loaded.aux_params(), loaded.num_params());
    assert_eq!(old.outputs(), 3);
    // The main head's logits are the new folder's.
    let x = Tensor::<Cpu, 4>::ones([1, 3, 299, 299], &Default::default()).mul_scalar(0.25);
    let (a, b) = (loaded.forward(x.clone()), old.forward(x));
    assert_eq!(
        a.into_data().to_vec::<f32>().unwrap(),
        b.into_data().to_vec::<f32>().unwrap()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
