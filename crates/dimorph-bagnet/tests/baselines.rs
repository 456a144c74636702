//! The baseline CNNs of the paper's Table 1 against torchvision: `tests/fixtures/make_baseline_fixture.py`
//! built torchvision's own ResNet-50 (`ResNet(Bottleneck, [3, 4, 6, 3])`) and Inception-v3
//! (`Inception3`, `transform_input=True`) with every channel count divided by 16, non-trivial
//! batch-norm statistics and 3 outputs, saved their state dicts (torchvision's format; ResNet also as
//! safetensors) and the logits PyTorch computes in eval mode on fixed inputs. Loading each file
//! through the user-facing loader reproduces the logits to 1e-4 relative (|ours − torch| ≤
//! 1e-4·max(1, |torch|)). The parameter counts of our full-size models equal torchvision's
//! (printed by the same script). Then both train and evaluate through the BagNet's pipeline, and
//! `explain` refuses them.

use std::path::{Path, PathBuf};

use burn::tensor::{Tensor, TensorData};
use dimorph_bagnet::model::{Arch, BagNetConfig};
use dimorph_bagnet::net::Net;
use dimorph_bagnet::train::{self, OptimKind, TrainOptions};
use dimorph_bagnet::weights::{self, HeadStatus, LoadOptions, WeightFormat};
use dimorph_bagnet::{pipeline, synth, Cpu, CpuTrain};
use serde::Deserialize;

const REL_TOL: f64 = 1e-4;
const WIDTH: f64 = 1.0 / 16.0;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dimorph-bagnet-baselines-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[derive(Deserialize)]
struct Case {
    width: f64,
    input_shape: [usize; 4],
    logits: Vec<Vec<f64>>,
    params: usize,
}

#[derive(Deserialize)]
struct Expected {
    outputs: usize,
    resnet50: Case,
    inception_v3: Case,
    full_resnet50_params: usize,
    full_inception_v3_params_without_aux: usize,
}

fn expected() -> Expected {
    serde_json::from_str(&std::fs::read_to_string(fixture("baselines_expected.json")).unwrap()).unwrap()
}

fn read_input(name: &str, shape: [usize; 4]) -> Tensor<Cpu, 4> {
    let bytes = std::fs::read(fixture(name)).unwrap();
    let v: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    assert_eq!(v.len(), shape.iter().product::<usize>());
    Tensor::from_data(TensorData::new(v, shape), &Default::default())
}

fn net(arch: Arch, outputs: usize, width: f64) -> Net<Cpu> {
    BagNetConfig::new(arch, outputs)
        .with_width(width)
        .init_net::<Cpu>(&Default::default(), 0)
}

/// Largest |ours − torch| / max(1, |torch|) over the logits of the fixture's input.
fn max_rel_diff(model: &Net<Cpu>, case: &Case, input: &str) -> f64 {
    let logits = model.forward(read_input(input, case.input_shape));
    let [n, k] = logits.dims();
    assert_eq!([n, k], [case.logits.len(), case.logits[0].len()]);
    let ours = logits.into_data().convert::<f32>().to_vec::<f32>().unwrap();
    let want: Vec<f64> = case.logits.iter().flatten().copied().collect();
    ours.iter()
        .zip(&want)
        .map(|(&a, &b)| (a as f64 - b).abs() / b.abs().max(1.0))
        .fold(0.0, f64::max)
}

fn load(arch: Arch, file: &str, outputs: usize) -> (Net<Cpu>, weights::LoadReport) {
    let mut model = net(arch, outputs, WIDTH);
    let report = weights::load_pretrained_net(&mut model, &fixture(file), &LoadOptions::default()).unwrap();
    (model, report)
}

#[test]
fn resnet50_reproduces_torchvision_logits() {
    let e = expected();
    assert_eq!(e.resnet50.width, WIDTH);
    for (file, format) in [
        ("resnet50_w16.pth", WeightFormat::PytorchZip),
        ("resnet50_w16.safetensors", WeightFormat::Safetensors),
    ] {
        let (model, report) = load(Arch::ResNet50, file, e.outputs);
        assert_eq!(report.format, format);
        assert_eq!(report.head, HeadStatus::Loaded);
        // 53 convolutions (the stem, 3 per block of 3 + 4 + 6 + 3, 4 downsamples), 53 batch norms
        // of 4 tensors, the head's weight and bias.
        assert_eq!(report.loaded, 53 + 53 * 4 + 2, "{file}");
        let layout = report.layout.expect("layout read from the file");
        assert_eq!((layout.arch, layout.width, layout.outputs), (Arch::ResNet50, WIDTH, 3));
        let d = max_rel_diff(&model, &e.resnet50, "resnet50_w16_input.bin");
        println!("resnet50 (1/16 width) {file}: max relative logit difference vs torchvision {d:.2e}");
        assert!(d <= REL_TOL, "{file}: {d}");
    }
}

#[test]
fn inception_v3_reproduces_torchvision_logits() {
    let e = expected();
    let (model, report) = load(Arch::InceptionV3, "inception3_w16.pth", e.outputs);
    assert_eq!(report.head, HeadStatus::Loaded);
    // The auxiliary classifier's 12 tensors (two BasicConv2d of 5, the linear layer's 2) are
    // skipped, with the reason (its batch-norm step counters with theirs).
    let aux: Vec<_> = report
        .skipped
        .iter()
        .filter(|t| t.reason.contains("auxiliary"))
        .collect();
    assert_eq!(aux.len(), 12, "{:?}", report.skipped);
    assert!(aux.iter().all(|t| t.name.starts_with("AuxLogits.")));
    // 94 BasicConv2d (a convolution and a batch norm of 4 tensors each) and the head.
    assert_eq!(report.loaded, 94 * 5 + 2);
    assert_eq!(report.layout.map(|l| l.arch), Some(Arch::InceptionV3));
    let d = max_rel_diff(&model, &e.inception_v3, "inception3_w16_input.bin");
    println!("inception-v3 (1/16 width): max relative logit difference vs torchvision {d:.2e}");
    assert!(d <= REL_TOL, "{d}");
}

#[test]
fn parameter_counts_equal_torchvision() {
    let e = expected();
    // The reduced fixtures: torchvision's count of the same models.
    assert_eq!(net(Arch::ResNet50, 3, WIDTH).trainable_params(), e.resnet50.params);
    assert_eq!(
        net(Arch::InceptionV3, 3, WIDTH).trainable_params(),
        e.inception_v3.params
    );
    // Full size with 1000 classes: torchvision's resnet50 (25,557,032) and inception_v3 less its
    // auxiliary classifier (27,161,264 − 3,326,696 = 23,834,568).
    assert_eq!(e.full_resnet50_params, 25_557_032);
    assert_eq!(
        net(Arch::ResNet50, 1000, 1.0).trainable_params(),
        e.full_resnet50_params
    );
    assert_eq!(
        net(Arch::InceptionV3, 1000, 1.0).trainable_params(),
        e.full_inception_v3_params_without_aux
    );
}

#[test]
fn final_map_sizes_and_smallest_inputs() {
    assert_eq!(Arch::ResNet50.map_size(224).unwrap(), 7);
    assert_eq!(Arch::InceptionV3.map_size(299).unwrap(), 8);
    assert_eq!(Arch::InceptionV3.map_size(75).unwrap(), 1);
    let e = Arch::InceptionV3.map_size(74).unwrap_err().to_string();
    assert!(e.contains("--size") && e.contains("75"), "{e}");
    assert!(Arch::ResNet50.map_size(31).is_err());
    assert_eq!(Arch::parse("resnet50").unwrap(), Arch::ResNet50);
    assert_eq!(Arch::parse("inception-v3").unwrap(), Arch::InceptionV3);
    // The forward pass gives the size the formula says.
    let x = Tensor::<Cpu, 4>::zeros([1, 3, 75, 80], &Default::default());
    let f = net(Arch::InceptionV3, 1, WIDTH).features(x);
    assert_eq!(f.dims()[2..], [1, 1]);
}

#[test]
fn a_bagnet_file_into_resnet50_names_the_missing_tensor() {
    let mut model = net(Arch::ResNet50, 3, 1.0 / 32.0);
    let e = weights::load_pretrained_net(
        &mut model,
        &fixture("bagnet33_w32.safetensors"),
        &LoadOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("the file holds bagnet33"), "{e}");
}

fn tiny(arch: Arch, size: usize) -> TrainOptions {
    TrainOptions {
        arch,
        width: WIDTH,
        size,
        batch: 8,
        lr: 0.003,
        head_epochs: 1,
        epochs: 1,
        optimizer: OptimKind::Adam,
        ..Default::default()
    }
}

/// Both baselines train (head phase, then all layers) and evaluate through the BagNet's commands;
/// explain refuses them. Inception-v3's backward pass (burn's autodiff graph of its 94 convolution
/// blocks) is deeper than a test thread's 2 MiB stack holds: it runs on a thread with the 8 MiB of a
/// program's main thread (where the CLI trains).
#[test]
fn baselines_train_and_evaluate_through_the_pipeline() {
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(train_and_evaluate)
        .unwrap()
        .join()
        .unwrap();
}

fn train_and_evaluate() {
    for (arch, size) in [(Arch::ResNet50, 48), (Arch::InceptionV3, 75)] {
        let ds = synth::dataset(&synth::SynthOptions {
            n: 24,
            size,
            effect: 0.3,
            seed: 3,
        });
        let run = tmp(arch.name());
        let opt = tiny(arch, size);
        let r = train::train::<CpuTrain>(&ds, &opt, &run, false, &mut train::Silent, &Default::default()).unwrap();
        assert_eq!(r.history.len(), 2);
        assert!(r
            .history
            .iter()
            .all(|h| h.train_loss.is_finite() && h.val_loss.is_finite()));
        let (model, meta) =
            dimorph_bagnet::checkpoint::load_net::<Cpu>(&run.join("best"), &Default::default()).unwrap();
        assert_eq!(meta.config.arch, arch);
        let sets = pipeline::sets_for(&run.join("best"), &ds);
        let ev = pipeline::eval_model(&model, &meta, &ds, &sets, &Default::default()).unwrap();
        assert_eq!(ev.sets.iter().map(|s| s.n).sum::<usize>(), 24);
        assert!(ev.predictions.iter().all(|p| p.logit.is_finite()));
        // explain's evidence maps need a BagNet: a clear error naming the architecture.
        let e = train::load_model::<Cpu>(&run.join("best"), &Default::default()).unwrap_err();
        assert!(
            e.is_input() && e.to_string().contains(arch.name()) && e.to_string().contains("BagNet"),
            "{e}"
        );
        let _ = std::fs::remove_dir_all(&run);
    }
}
