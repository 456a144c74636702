//! The baseline CNNs of the paper's Table 1 against torchvision: `tests/fixtures/make_baseline_fixture.py`
//! built torchvision's own ResNet-50 (`ResNet(Bottleneck, [3, 4, 6, 3])`) and Inception-v3
//! (`Inception3`, `transform_input=True`) with every channel count divided by 16, non-trivial
//! batch-norm statistics and 3 outputs, saved their state dicts (torchvision's format; ResNet also as
//! safetensors) and the logits PyTorch computes in eval mode on fixed inputs. Loading each file
//! through the user-facing loader reproduces the logits to 1e-4 relative (|ours − torch| ≤
//! 1e-4·max(1, |torch|)). Inception-v3's auxiliary classifier (`AuxLogits`, narrowed too) is
//! checked on a 299-px input: its logits in eval mode, and in training mode (batch statistics,
//! dropout off) both heads' logits and the loss of torchvision's recipe, main + 0.4·aux, all to the
//! same 1e-4. The parameter counts of our full-size models equal torchvision's (printed by the same
//! script). Then both train and evaluate through the BagNet's pipeline (Inception-v3 at 299 px with
//! its auxiliary loss), and `explain` refuses them.

use std::path::{Path, PathBuf};

use burn::module::{AutodiffModule, Module};
use burn::nn::DropoutConfig;
use burn::tensor::backend::Backend;
use burn::tensor::ElementConversion;
use burn::tensor::{Tensor, TensorData};
use burn_store::ModuleSnapshot;
use dimorph_bagnet::model::{Arch, BagNetConfig};
use dimorph_bagnet::net::Net;
use dimorph_bagnet::on_cpu;
use dimorph_bagnet::train::objective;
use dimorph_bagnet::train::{self, OptimKind, TrainOptions};
use dimorph_bagnet::weights::{self, HeadStatus, LoadOptions, WeightFormat};
use dimorph_bagnet::{pipeline, synth, Cpu, CpuTrain};
use dimorph_core::ScratchPath;
use serde::Deserialize;

const REL_TOL: f64 = 1e-4;
const WIDTH: f64 = 1.0 / 16.0;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn tmp(name: &str) -> ScratchPath {
    ScratchPath::new("dimorph-bagnet-baselines", name).unwrap()
}

#[derive(Deserialize)]
struct Case {
    width: f64,
    input_shape: [usize; 4],
    logits: Vec<Vec<f64>>,
    /// Less the auxiliary classifier's (Inception-v3: `aux_params`).
    params: usize,
    #[serde(default)]
    aux_params: usize,
}

/// The auxiliary classifier's figures (make_baseline_fixture.py's `aux`).
#[derive(Deserialize)]
struct AuxCase {
    input_shape: [usize; 4],
    eval_logits: Vec<Vec<f64>>,
    eval_aux_logits: Vec<Vec<f64>>,
    targets: Vec<usize>,
    aux_weight: f64,
    train_logits: Vec<Vec<f64>>,
    train_aux_logits: Vec<Vec<f64>>,
    train_main_loss: f64,
    train_loss: f64,
}

#[derive(Deserialize)]
struct Expected {
    outputs: usize,
    resnet50: Case,
    inception_v3: Case,
    inception_v3_aux: AuxCase,
    full_resnet50_params: usize,
    full_inception_v3_params: usize,
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
    BagNetConfig::new(arch, outputs).with_width(width).init_net_cpu(0)
}

/// The fixture's input made from the index alone (make_baseline_fixture.py's `hashed_input`):
/// SplitMix64's finaliser of index + 1, its top 24 bits u, x = 4u − 2 (exact in f32).
fn hashed_input<B: Backend>(shape: [usize; 4]) -> Tensor<B, 4> {
    let v: Vec<f32> = (1..=shape.iter().product::<usize>() as u64)
        .map(|i| {
            let mut z = i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            (4.0 * ((z >> 40) as f64 / (1u64 << 24) as f64) - 2.0) as f32
        })
        .collect();
    Tensor::from_data(TensorData::new(v, shape), &Default::default())
}

/// Largest |ours − torch| / max(1, |torch|).
fn rel_diff_rows(ours: Tensor<impl Backend, 2>, want: &[Vec<f64>]) -> f64 {
    assert_eq!(ours.dims(), [want.len(), want[0].len()]);
    let ours = ours.into_data().convert::<f32>().to_vec::<f32>().unwrap();
    ours.iter()
        .zip(want.iter().flatten())
        .map(|(&a, &b)| (a as f64 - b).abs() / b.abs().max(1.0))
        .fold(0.0, f64::max)
}

/// Largest |ours − torch| / max(1, |torch|) over the logits of the fixture's input.
fn max_rel_diff(model: &Net<Cpu>, case: &Case, input: &str) -> f64 {
    rel_diff_rows(model.forward(read_input(input, case.input_shape)), &case.logits)
}

/// The fixture's weights in a model on the training backend (the Inception-v3 auxiliary check).
fn load_train(arch: Arch, file: &str, outputs: usize) -> (Net<CpuTrain>, weights::LoadReport) {
    let mut model = BagNetConfig::new(arch, outputs).with_width(WIDTH).init_net_cpu_train(0);
    let report = on_cpu::load_pretrained_net_train(&mut model, &fixture(file), &LoadOptions::default()).unwrap();
    (model, report)
}

fn load(arch: Arch, file: &str, outputs: usize) -> (Net<Cpu>, weights::LoadReport) {
    let mut model = net(arch, outputs, WIDTH);
    let report = on_cpu::load_pretrained_net(&mut model, &fixture(file), &LoadOptions::default()).unwrap();
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
    assert_eq!(report.aux_from_file, Some(true));
    // Only the batch-norm step counters are skipped (96 of them).
    assert!(
        report.skipped.iter().all(|t| t.name.ends_with("num_batches_tracked")),
        "{:?}",
        report.skipped
    );
    // 94 BasicConv2d (a convolution and a batch norm of 4 tensors each) and the head, and the
    // auxiliary classifier's 12 tensors (two BasicConv2d of 5, its head's 2).
    assert_eq!(report.loaded, 94 * 5 + 2 + 12);
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
        e.inception_v3.params + e.inception_v3.aux_params
    );
    // Full size with 1000 classes: torchvision's resnet50 (25,557,032) and inception_v3 with its
    // auxiliary classifier (27,161,264; 23,834,568 without, so the auxiliary one has 3,326,696).
    assert_eq!(e.full_resnet50_params, 25_557_032);
    assert_eq!(
        net(Arch::ResNet50, 1000, 1.0).trainable_params(),
        e.full_resnet50_params
    );
    assert_eq!(e.full_inception_v3_params, 27_161_264);
    let inception = net(Arch::InceptionV3, 1000, 1.0);
    assert_eq!(inception.trainable_params(), e.full_inception_v3_params);
    let Net::Inception(v) = &inception else {
        panic!("not an Inception-v3")
    };
    // burn's count includes the running means and variances of its two batch norms (128 and 768
    // channels).
    assert_eq!(
        e.full_inception_v3_params - (v[0].AuxLogits.as_ref().unwrap().num_params() - 2 * (128 + 768)),
        e.full_inception_v3_params_without_aux
    );
}

/// The auxiliary classifier against torchvision's on the 299-px input: eval-mode logits of both
/// heads (ours computes the auxiliary ones in any mode; torchvision's model only in training mode,
/// so the fixture ran its `AuxLogits` on Mixed_6e's eval-mode output), then in training mode (batch
/// statistics; dropout off on both sides, its masks being random) both heads' logits and the loss
/// cross_entropy(main) + 0.4·cross_entropy(aux) through `train::loss::objective`, as training runs
/// it. Below 299 px there are no auxiliary logits.
#[test]
fn inception_v3_auxiliary_classifier_reproduces_torchvision() {
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(check_auxiliary_classifier)
        .unwrap()
        .join()
        .unwrap();
}

fn check_auxiliary_classifier() {
    let e = expected();
    let a = &e.inception_v3_aux;
    // Loaded once (reading the .pth takes most of this test's time); valid() is its inference copy.
    let (mut model, _) = load_train(Arch::InceptionV3, "inception3_w16.pth", e.outputs);
    let (logits, aux) = model.valid().forward_with_aux(hashed_input(a.input_shape));
    let d_main = rel_diff_rows(logits, &a.eval_logits);
    let d_aux = rel_diff_rows(aux.expect("auxiliary logits at 299 px"), &a.eval_aux_logits);
    println!("inception-v3 aux, eval mode: main logits {d_main:.2e}, auxiliary logits {d_aux:.2e} (relative to max(1, |torch|))");
    assert!(d_main <= REL_TOL && d_aux <= REL_TOL, "{d_main} {d_aux}");

    if let Net::Inception(v) = &mut model {
        v[0].dropout = DropoutConfig::new(0.0).init();
    }
    let (logits, aux) = model.forward_with_aux(hashed_input(a.input_shape));
    let aux = aux.expect("auxiliary logits at 299 px");
    let d_main = rel_diff_rows(logits.clone(), &a.train_logits);
    let d_aux = rel_diff_rows(aux.clone(), &a.train_aux_logits);
    let (total, main) = objective(logits, Some(aux), &a.targets, None, a.aux_weight);
    let total = total.into_scalar().elem::<f64>();
    let main = main.into_scalar().elem::<f64>();
    let (d_total, d_loss) = ((total - a.train_loss).abs(), (main - a.train_main_loss).abs());
    println!(
        "inception-v3 aux, training mode: main logits {d_main:.2e}, auxiliary logits {d_aux:.2e}; \
         loss {total:.7} vs torch {:.7} (|diff| {d_total:.1e}), main loss |diff| {d_loss:.1e}",
        a.train_loss
    );
    assert!(d_main <= REL_TOL && d_aux <= REL_TOL, "{d_main} {d_aux}");
    assert!(
        d_total <= REL_TOL * a.train_loss.max(1.0) && d_loss <= REL_TOL * a.train_main_loss.max(1.0),
        "{total} vs {}, {main} vs {}",
        a.train_loss,
        a.train_main_loss
    );
    // One pixel short of 299: Mixed_6e's map is 16×16, too small for the auxiliary classifier.
    let (_, aux) = model.forward_with_aux(hashed_input([1, 3, 298, 299]));
    assert!(aux.is_none());
}

/// `model`'s tensors in torchvision's names and layout (the heads transposed back to `[out, in]`),
/// with or without `AuxLogits.*`, as a safetensors file.
fn write_torchvision_file(model: &Net<Cpu>, path: &Path, with_aux: bool) {
    let Net::Inception(m) = model else {
        panic!("not an Inception-v3")
    };
    let mut data: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
    for s in m[0].collect(None, None, false) {
        let name = weights::reference_name(&s.full_path());
        if name.starts_with("AuxLogits.") && !with_aux {
            continue;
        }
        let t = s.to_data().unwrap().convert::<f32>();
        let mut shape = t.shape.to_vec();
        let mut v = t.to_vec::<f32>().unwrap();
        if name == "fc.weight" || name == "AuxLogits.fc.weight" {
            let (i, o) = (shape[0], shape[1]);
            v = (0..o * i).map(|k| v[(k % i) * o + k / i]).collect();
            shape = vec![o, i];
        }
        data.push((name, shape, v.iter().flat_map(|x| x.to_le_bytes()).collect()));
    }
    let views: Vec<(String, safetensors::tensor::TensorView)> = data
        .iter()
        .map(|(k, shape, b)| {
            let view = safetensors::tensor::TensorView::new(safetensors::Dtype::F32, shape.clone(), b).unwrap();
            (k.clone(), view)
        })
        .collect();
    safetensors::serialize_to_file(views, None, path).unwrap();
}

/// A torchvision state dict without the auxiliary classifier (`aux_logits=False`) loads, keeping
/// ours freshly initialised, and says so; a file with another number of outputs leaves out both
/// heads (the auxiliary one's outputs are the classes too). Files written from a model of another
/// seed.
#[test]
fn inception_v3_without_aux_in_the_file_and_with_another_head() {
    let source = BagNetConfig::new(Arch::InceptionV3, 3)
        .with_width(WIDTH)
        .init_net_cpu(7);
    let dir = tmp("noaux");
    std::fs::create_dir_all(&dir).unwrap();
    let (without, with) = (dir.join("noaux.safetensors"), dir.join("aux.safetensors"));
    write_torchvision_file(&source, &without, false);
    write_torchvision_file(&source, &with, true);
    let aux_fc = |m: &Net<Cpu>| match m {
        Net::Inception(v) => v[0]
            .AuxLogits
            .as_ref()
            .unwrap()
            .fc
            .weight
            .val()
            .into_data()
            .to_vec::<f32>()
            .unwrap(),
        _ => unreachable!(),
    };

    let mut model = net(Arch::InceptionV3, 3, WIDTH);
    let report = on_cpu::load_pretrained_net(&mut model, &without, &LoadOptions::default()).unwrap();
    assert_eq!(report.aux_from_file, Some(false));
    assert_eq!(report.loaded, 94 * 5 + 2);
    assert!(
        report.summary().contains("no auxiliary classifier"),
        "{}",
        report.summary()
    );
    // The main network is the source's; the auxiliary classifier our own initialisation.
    let x = || read_input("inception3_w16_input.bin", [2, 3, 80, 96]);
    let want = source.forward(x()).into_data().to_vec::<f32>().unwrap();
    assert_eq!(model.forward(x()).into_data().to_vec::<f32>().unwrap(), want);
    assert_eq!(aux_fc(&model), aux_fc(&net(Arch::InceptionV3, 3, WIDTH)));

    let mut model = net(Arch::InceptionV3, 3, WIDTH);
    let report = on_cpu::load_pretrained_net(&mut model, &with, &LoadOptions::default()).unwrap();
    assert_eq!((report.aux_from_file, report.loaded), (Some(true), 94 * 5 + 2 + 12));
    assert_eq!(aux_fc(&model), aux_fc(&source));

    // Two outputs instead of three: the backbone and the auxiliary convolutions load, both heads stay.
    let mut two = net(Arch::InceptionV3, 2, WIDTH);
    let report = on_cpu::load_pretrained_net(&mut two, &with, &LoadOptions::default()).unwrap();
    assert!(matches!(report.head, HeadStatus::Reinitialised { .. }));
    let mut heads: Vec<&str> = report.skipped.iter().map(|t| t.name.as_str()).collect();
    heads.sort_unstable();
    assert_eq!(
        heads,
        ["AuxLogits.fc.bias", "AuxLogits.fc.weight", "fc.bias", "fc.weight"]
    );
    assert_eq!(report.loaded, 94 * 5 + 10);
    let _ = std::fs::remove_dir_all(&dir);
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
    let e = on_cpu::load_pretrained_net(
        &mut model,
        &fixture("bagnet33_w32.safetensors"),
        &LoadOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("the file holds bagnet33"), "{e}");
}

/// Inception-v3's auxiliary head `AuxLogits.fc`: its weight, then its bias.
fn aux_head<B: Backend>(m: &dimorph_bagnet::inception::Inception3<B>) -> Vec<f32> {
    let fc = &m.AuxLogits.as_ref().expect("the auxiliary classifier").fc;
    let mut v = fc.weight.val().into_data().convert::<f32>().to_vec::<f32>().unwrap();
    let b = fc.bias.as_ref().expect("a bias").val();
    v.extend(b.into_data().convert::<f32>().to_vec::<f32>().unwrap());
    v
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
    // Inception-v3 at 299 px: its auxiliary loss joins the all-layer epoch.
    for (arch, size) in [(Arch::ResNet50, 48), (Arch::InceptionV3, 299)] {
        let ds = synth::dataset(&synth::SynthOptions {
            n: 24,
            size,
            effect: 0.3,
            seed: 3,
        });
        let run = tmp(arch.name());
        let opt = tiny(arch, size);
        let r = train::train_cpu(&ds, &opt, &run, false, &mut train::Silent, &Default::default()).unwrap();
        assert_eq!(r.history.len(), 2);
        assert!(r
            .history
            .iter()
            .all(|h| h.train_loss.is_finite() && h.val_loss.is_finite()));
        if arch == Arch::InceptionV3 {
            // The auxiliary head (weight and bias) learnt in the head epoch (it trains with the main
            // head there, as in PyTorch's fine-tuning tutorial; tests/head_phase.rs checks that
            // nothing else of the auxiliary classifier moves) and in the all-layer epoch (Adam's
            // first steps move every weight with a gradient by about the learning rate, 3e-3; in the
            // head epoch the untrained backbone's inference-mode features are nearly 0, so the bias
            // moves, the weight barely).
            let aux_fc = |dir: &Path| {
                let (m, _) = on_cpu::load_net(dir).unwrap();
                let Net::Inception(v) = m else {
                    panic!("not an Inception-v3")
                };
                aux_head(&v[0])
            };
            let init = match BagNetConfig::new(arch, 2).with_width(WIDTH).init_net_cpu(opt.seed) {
                Net::Inception(v) => aux_head(&v[0]),
                _ => unreachable!(),
            };
            let moved = |w: &[f32]| w.iter().zip(&init).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
            let (head, all) = (aux_fc(&train::epoch_dir(&run, 1)), aux_fc(&train::epoch_dir(&run, 2)));
            println!("inception-v3 at 299 px: auxiliary head moved by {:.1e} in the head epoch, {:.1e} after the all-layer epoch", moved(&head), moved(&all));
            assert!(moved(&head) > 1e-3 && moved(&all) > 1e-3);
        }
        let (model, meta) = on_cpu::load_net(&run.join("best")).unwrap();
        assert_eq!(meta.config.arch, arch);
        let sets = pipeline::sets_for(&run.join("best"), &ds);
        let ev = on_cpu::eval_model(&model, &meta, &ds, &sets).unwrap();
        assert_eq!(ev.sets.iter().map(|s| s.n).sum::<usize>(), 24);
        assert!(ev.predictions.iter().all(|p| p.logit.is_finite()));
        // explain's evidence maps need a BagNet: a clear error naming the architecture.
        let e = on_cpu::load_model(&run.join("best")).unwrap_err();
        assert!(
            e.is_input() && e.to_string().contains(arch.name()) && e.to_string().contains("BagNet"),
            "{e}"
        );
        let _ = std::fs::remove_dir_all(&run);
    }
}

/// `--aux-weight`: torchvision's 0.4 by default for Inception-v3 from 299 px, none below (with a
/// warning), refused where it cannot apply.
#[test]
fn aux_weight_applies_to_inception_v3_from_299_px() {
    let inc = |size, aux_weight| TrainOptions {
        arch: Arch::InceptionV3,
        size,
        aux_weight,
        ..Default::default()
    };
    assert_eq!(inc(299, None).aux_loss_weight(), 0.4);
    assert_eq!(inc(299, Some(0.0)).aux_loss_weight(), 0.0);
    assert_eq!(inc(320, Some(1.0)).aux_loss_weight(), 1.0);
    assert_eq!(inc(298, None).aux_loss_weight(), 0.0);
    assert_eq!(TrainOptions::default().aux_loss_weight(), 0.0);
    let w = inc(298, None).aux_warning().expect("a warning below 299 px");
    assert!(w.contains("299") && w.contains("main loss alone"), "{w}");
    assert!(inc(299, None).aux_warning().is_none() && inc(298, Some(0.0)).aux_warning().is_none());
    assert!(inc(299, Some(0.4)).validate().is_ok() && inc(100, Some(0.0)).validate().is_ok());
    let bagnet = TrainOptions {
        aux_weight: Some(0.4),
        ..Default::default()
    };
    for (o, want) in [
        (inc(298, Some(0.4)), "--size 299"),
        (inc(299, Some(-1.0)), "between 0 and 10"),
        (inc(299, Some(f64::NAN)), "between 0 and 10"),
        (bagnet, "inception-v3 only"),
    ] {
        let e = o.validate().unwrap_err();
        assert!(e.is_input(), "{e}");
        let e = e.to_string();
        assert!(e.contains("--aux-weight") && e.contains(want), "{e}");
    }
}
