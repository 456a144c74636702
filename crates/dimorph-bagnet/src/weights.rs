//! Pretrained weights of the reference PyTorch BagNets: reading `.pth`/`.pth.tar`/`.pt` files
//! (zip, legacy pre-1.6 and tar serialisation) and `.safetensors` files with burn-store, checking
//! them tensor by tensor against our architecture, and copying them into a [`BagNet`].
//!
//! The reference layout (Brendel & Bethge 2019) names the stem `conv1` (1×1), `conv2` (3×3) and
//! `bn1`, the blocks `layer{1..4}.{i}.conv1/bn1/conv2/bn2/conv3/bn3`, the projection of a stage's
//! residual `layer{s}.0.downsample.0` (conv) and `.downsample.1` (batch norm), and the head `fc`.
//! Published checkpoints wrap the state dict as `{"state_dict": {"module." + name: tensor}}`
//! (DataParallel); both wrappers are removed, and batch-norm `num_batches_tracked` counters are
//! ignored. Names are mapped onto ours (`stem1`, `stem2`, `stem_bn`, `downsample.conv`,
//! `downsample.bn`) with burn-store's [`KeyRemapper`]; its [`PyTorchToBurnAdapter`] transposes the
//! head (PyTorch `[out, in]`, burn `[in, out]`) and renames batch-norm `weight`/`bias` to
//! `gamma`/`beta`.
//!
//! Every tensor of the model must be in the file with its shape and finite values, and the file
//! may hold nothing else: the first missing or mis-shaped tensor in the model's order, else the
//! first unexpected one, is an error naming the file, the tensor and both shapes. Only the head may differ in its number of outputs
//! (1000 ImageNet classes against our 1): the backbone is then loaded and our freshly initialised
//! head kept, which is how the paper fine-tunes ImageNet BagNets (§3.2).
//!
//! The baseline CNNs ([`crate::resnet`], [`crate::inception`]) carry torchvision's names, so their
//! files (torchvision's state dicts) load through the same checks with only the downsample renamed
//! ([`load_pretrained_net`]). Inception-v3's auxiliary classifier (`AuxLogits.*`) loads like the
//! rest; a file without it (a state dict of `aux_logits=False`) leaves ours freshly initialised
//! ([`LoadReport::aux_from_file`]), and its head is the head's: left out with the head when the
//! number of outputs differs.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use burn::module::ParamId;
use burn::tensor::backend::Backend;
use burn::tensor::DType;
use burn_store::{KeyRemapper, ModuleSnapshot, PyTorchToBurnAdapter, TensorSnapshot};
use serde::Serialize;

use crate::model::{Arch, BagNet, BagNetConfig};
use crate::net::Net;
use crate::weightfile::{err, WeightFile};
use crate::BagNetError;
use burn::module::Module;
use dimorph_core::text::clip;

pub use crate::weightfile::{SkippedTensor, WeightFormat};

/// Options of [`load_pretrained`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadOptions {
    /// When the file's head has another number of outputs than the model, keep the model's head
    /// (freshly initialised) and load the backbone; when false, that is an error.
    pub reinit_mismatched_head: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            reinit_mismatched_head: true,
        }
    }
}

/// What happened to the head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum HeadStatus {
    /// The file's head was loaded.
    Loaded,
    /// The file's head has `file_outputs` outputs, the model `model_outputs`: the model keeps
    /// its freshly initialised head.
    Reinitialised { file_outputs: usize, model_outputs: usize },
}

/// The architecture a weight file holds, read from its tensor shapes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FileLayout {
    pub arch: Arch,
    /// Width multiplier (1 = the reference BagNet): the one that reproduces every stage's channels.
    pub width: f64,
    /// Number of outputs of the head (1000 for the ImageNet checkpoints).
    pub outputs: usize,
}

impl FileLayout {
    pub fn describe(&self) -> String {
        format!(
            "{} at width {} with {} outputs",
            self.arch.name(),
            self.width,
            self.outputs
        )
    }
}

/// The outcome of [`load_pretrained`].
#[derive(Debug, Clone, Serialize)]
pub struct LoadReport {
    pub file: String,
    pub format: WeightFormat,
    /// Tensors in the file (all of them, wrappers included).
    pub tensors_in_file: usize,
    /// Tensors copied into the model (batch-norm running statistics included).
    pub loaded: usize,
    /// Tensors of the file that were not used, with the reason.
    pub skipped: Vec<SkippedTensor>,
    pub head: HeadStatus,
    /// The architecture the file holds, when it could be read from the shapes.
    pub layout: Option<FileLayout>,
    /// Inception-v3's auxiliary classifier: loaded from the file (true), or not in the file and
    /// kept freshly initialised (false); none for the models without one.
    pub aux_from_file: Option<bool>,
}

impl LoadReport {
    /// One line per fact, for the command line.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{}: {} weights, {} tensors; loaded {} into the model",
            self.file,
            self.format.describe(),
            self.tensors_in_file,
            self.loaded
        );
        if let Some(l) = &self.layout {
            s.push_str(&format!(" (the file holds {})", l.describe()));
        }
        s.push('\n');
        let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
        for t in &self.skipped {
            *reasons.entry(t.reason.as_str()).or_default() += 1;
        }
        for (reason, n) in reasons {
            s.push_str(&format!("skipped {n} tensors: {reason}\n"));
        }
        if self.aux_from_file == Some(false) {
            s.push_str(
                "the file has no auxiliary classifier (AuxLogits): Inception-v3's starts freshly initialised \
                 (it serves the training loss only)\n",
            );
        }
        match &self.head {
            HeadStatus::Loaded => s.push_str("head loaded from the file\n"),
            HeadStatus::Reinitialised {
                file_outputs,
                model_outputs,
            } => s.push_str(&format!(
                "head re-initialised: the file's head has {file_outputs} outputs, the model {model_outputs}; \
                 the backbone is pretrained, the head is trained from scratch\n"
            )),
        }
        s
    }
}

/// Reference (PyTorch) name of one of our parameters: `stem1` → `conv1`, `stem2` → `conv2`,
/// `stem_bn` → `bn1`, `downsample.conv|bn` → `downsample.0|1`, batch-norm `gamma|beta` →
/// `weight|bias`.
pub fn reference_name(burn_path: &str) -> String {
    let mut parts: Vec<&str> = burn_path.split('.').collect();
    if let Some(first) = parts.first_mut() {
        *first = match *first {
            "stem1" => "conv1",
            "stem2" => "conv2",
            "stem_bn" => "bn1",
            other => other,
        };
    }
    for i in 1..parts.len() {
        if parts[i - 1] == "downsample" {
            parts[i] = match parts[i] {
                "conv" => "0",
                "bn" => "1",
                other => other,
            };
        }
    }
    if let Some(last) = parts.last_mut() {
        *last = match *last {
            "gamma" => "weight",
            "beta" => "bias",
            other => other,
        };
    }
    parts.join(".")
}

/// burn-store key remapping from reference names onto our module names (parameter names are
/// left to [`PyTorchToBurnAdapter`]): the BagNet's stem, and the downsample of the BagNet and
/// ResNet-50 (torchvision's names are otherwise ours).
fn remapper(bagnet: bool) -> Result<KeyRemapper, BagNetError> {
    let mut patterns = vec![
        (r"\.downsample\.0\.", ".downsample.conv."),
        (r"\.downsample\.1\.", ".downsample.bn."),
    ];
    if bagnet {
        patterns.extend([
            (r"^conv1\.", "stem1."),
            (r"^conv2\.", "stem2."),
            (r"^bn1\.", "stem_bn."),
        ]);
    }
    KeyRemapper::from_patterns(patterns).map_err(|e| BagNetError::Data(format!("internal key remapping: {e}")))
}

/// Our parameters in the model's order: (our path, reference name, shape in the reference layout).
fn expected<B: Backend, M: Module<B>>(model: &M) -> Vec<(String, String, Vec<usize>)> {
    model
        .collect(None, None, false)
        .into_iter()
        .map(|s| {
            let path = s.full_path();
            let mut shape = s.shape.to_vec();
            if is_head(&path) && path.ends_with(".weight") {
                shape.reverse();
            }
            (path.clone(), reference_name(&path), shape)
        })
        .collect()
}

fn shape_of(s: &TensorSnapshot) -> Vec<usize> {
    s.shape.to_vec()
}

fn fmt_shape(s: &[usize]) -> String {
    format!(
        "[{}]",
        clip(&s.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "))
    )
}

/// The architecture a set of tensors holds, read from the shapes (reference names) of the stem,
/// the stage kernels and the head.
fn layout_of(dims: impl Fn(&str) -> Option<Vec<usize>>) -> Option<FileLayout> {
    if let Some(l) = baseline_layout(&dims) {
        return Some(l);
    }
    let stem = *dims("conv1.weight")?.first()?;
    let mut planes = [0usize; 4];
    let mut k3 = [false; 4];
    for s in 0..4 {
        let w = dims(&format!("layer{}.0.conv2.weight", s + 1))?;
        if w.len() != 4 {
            return None;
        }
        planes[s] = w[0];
        k3[s] = w[2] == 3;
    }
    let arch = [Arch::BagNet9, Arch::BagNet17, Arch::BagNet33]
        .into_iter()
        .find(|a| a.kernel3() == k3)?;
    // The width multiplier that reproduces every stage's channel count (our rounding).
    let candidates = [
        planes[3] as f64 / 512.0,
        planes[2] as f64 / 256.0,
        planes[1] as f64 / 128.0,
        planes[0] as f64 / 64.0,
        stem as f64 / 64.0,
    ];
    let width = candidates.into_iter().find(|&w| {
        let c = BagNetConfig::new(arch, 1).with_width(w);
        c.channels(64) == stem && (0..4).all(|s| c.channels(64 << s) == planes[s])
    })?;
    let outputs = *dims("fc.weight")?.first()?;
    Some(FileLayout { arch, width, outputs })
}

/// ResNet-50 (a 7×7 stem `conv1`) or Inception-v3 (`Conv2d_1a_3x3`) with torchvision's names: the
/// width multiplier that reproduces the stem's channels, and the head's outputs.
fn baseline_layout(dims: &impl Fn(&str) -> Option<Vec<usize>>) -> Option<FileLayout> {
    let (arch, stem, reference) = match dims("Conv2d_1a_3x3.conv.weight") {
        Some(w) => (Arch::InceptionV3, w, 32),
        None => {
            let w = dims("conv1.weight")?;
            if w.len() != 4 || w[2] != 7 {
                return None;
            }
            (Arch::ResNet50, w, 64)
        }
    };
    let out = *stem.first()?;
    let width = out as f64 / reference as f64;
    let outputs = *dims("fc.weight")?.first()?;
    Some(FileLayout { arch, width, outputs })
}

fn layout(tensors: &BTreeMap<String, (String, TensorSnapshot)>) -> Option<FileLayout> {
    layout_of(|name| tensors.get(name).map(|(_, s)| shape_of(s)))
}

/// The architecture held by the weight file at `path`, read from its tensor shapes (None when
/// the shapes are not those of a BagNet).
pub fn inspect(path: &Path) -> Result<Option<FileLayout>, BagNetError> {
    Ok(layout(&crate::weightfile::read(path)?.tensors))
}

/// What the checks of [`load_pretrained`] compare a file against: our tensors (path, reference
/// name, shape in the reference layout), how to name the model and the file's architecture in a
/// message, and whether the file's head is left out.
struct Expectation<'a> {
    path: &'a Path,
    tensors: Vec<(String, String, Vec<usize>)>,
    /// "bagnet33 at width 0.25" (or "the model").
    ours: String,
    /// "; the file holds …" when the file's architecture could be read from its shapes.
    hint: String,
    /// The file's head has another number of outputs and is not loaded.
    reinit: bool,
    /// The model's auxiliary classifier is not in the file and keeps its initialisation.
    own_aux: bool,
}

impl Expectation<'_> {
    /// The model's tensor `reference` keeps its own values: a head not loaded, or an auxiliary
    /// classifier the file lacks.
    fn keeps_own(&self, reference: &str) -> bool {
        (self.reinit && is_head(reference)) || (self.own_aux && is_aux(reference))
    }
}

/// The name of an element type as PyTorch spells it.
fn dtype_name(d: DType) -> &'static str {
    match d {
        DType::F64 => "float64",
        DType::F32 | DType::Flex32 => "float32",
        DType::F16 => "float16",
        DType::BF16 => "bfloat16",
        DType::I64 => "int64",
        DType::I32 => "int32",
        DType::I16 => "int16",
        DType::I8 => "int8",
        DType::U64 => "uint64",
        DType::U32 => "uint32",
        DType::U16 => "uint16",
        DType::U8 => "uint8",
        DType::Bool(_) => "bool",
        DType::QFloat(_) => "quantized",
    }
}

/// The head's tensors, Inception-v3's auxiliary head's included (both have the classes as outputs).
fn is_head(name: &str) -> bool {
    matches!(
        name,
        "fc.weight" | "fc.bias" | "AuxLogits.fc.weight" | "AuxLogits.fc.bias"
    )
}

/// A tensor of Inception-v3's auxiliary classifier.
fn is_aux(name: &str) -> bool {
    name.starts_with("AuxLogits.")
}

/// Load the weights in `path` into `model`; see the module documentation for the checks.
pub fn load_pretrained<B: Backend>(
    model: &mut BagNet<B>,
    path: &Path,
    opts: &LoadOptions,
) -> Result<LoadReport, BagNetError> {
    load_into(model, true, path, opts)
}

/// [`load_pretrained`] for a BagNet or a baseline CNN: torchvision's ResNet-50 and Inception-v3
/// weight files load into ours (Inception-v3's auxiliary classifier `AuxLogits.*` included).
pub fn load_pretrained_net<B: Backend>(
    model: &mut Net<B>,
    path: &Path,
    opts: &LoadOptions,
) -> Result<LoadReport, BagNetError> {
    match model {
        Net::BagNet(m) => load_into(m, true, path, opts),
        Net::ResNet(m) => load_into(m, false, path, opts),
        Net::Inception(v) => match v.as_mut_slice() {
            [m] => load_into(m, false, path, opts),
            _ => Err(BagNetError::Data(
                "internal error: Net::Inception holds one model".into(),
            )),
        },
    }
}

/// Load the weights in `path` into `model`, a BagNet (`bagnet`: its stem's reference names) or a
/// baseline with torchvision's names.
fn load_into<B: Backend, M: Module<B>>(
    model: &mut M,
    bagnet: bool,
    path: &Path,
    opts: &LoadOptions,
) -> Result<LoadReport, BagNetError> {
    let file = crate::weightfile::read(path)?;
    let found_layout = layout(&file.tensors);
    let tensors = expected(model);
    let has_aux = tensors.iter().any(|(_, r, _)| is_aux(r));
    let aux_in_file = file.tensors.keys().any(|k| is_aux(k));
    let ours = {
        let by_name: HashMap<&str, &Vec<usize>> = tensors.iter().map(|(_, r, s)| (r.as_str(), s)).collect();
        match layout_of(|name| by_name.get(name).map(|s| s.to_vec())) {
            Some(l) => format!("{} at width {}", l.arch.name(), l.width),
            None => "the model".to_string(),
        }
    };
    let head = head_status(&tensors, &file, path, opts)?;
    let ex = Expectation {
        path,
        tensors,
        ours,
        hint: found_layout
            .as_ref()
            .map_or(String::new(), |l| format!("; the file holds {}", l.describe())),
        reinit: matches!(head, HeadStatus::Reinitialised { .. }),
        own_aux: has_aux && !aux_in_file,
    };
    check_tensors(&ex, &file)?;
    let mut skipped = file.skipped.clone();
    let snaps = snapshots(&ex, &file, &mut skipped)?;
    let loaded = apply(model, bagnet, &ex, snaps)?;
    Ok(LoadReport {
        file: path.display().to_string(),
        format: file.format,
        tensors_in_file: file.total,
        loaded,
        skipped,
        head,
        layout: found_layout,
        aux_from_file: has_aux.then_some(aux_in_file),
    })
}

/// The head: the same number of inputs always; another number of outputs only when re-initialising.
/// `tensors` are the model's (reference names and layout: the head `fc.weight` is `[outputs, inputs]`).
fn head_status(
    tensors: &[(String, String, Vec<usize>)],
    file: &WeightFile,
    path: &Path,
    opts: &LoadOptions,
) -> Result<HeadStatus, BagNetError> {
    let Some((_, _, fc)) = tensors.iter().find(|(_, r, _)| r == "fc.weight") else {
        return Ok(HeadStatus::Loaded);
    };
    let (model_outputs, feat) = (fc[0], fc[1]);
    if let Some((key, s)) = file.tensors.get("fc.weight") {
        let sh = shape_of(s);
        if sh.len() == 2 && sh[1] == feat && sh[0] != model_outputs {
            if !opts.reinit_mismatched_head {
                return Err(err(
                    path,
                    format!(
                        "the head '{}' has {} outputs, the model {model_outputs}",
                        clip(key),
                        sh[0]
                    ),
                ));
            }
            return Ok(HeadStatus::Reinitialised {
                file_outputs: sh[0],
                model_outputs,
            });
        }
    }
    Ok(HeadStatus::Loaded)
}

/// Every tensor of the model in the file, with its shape and a floating-point type, and nothing
/// else in the file.
fn check_tensors(ex: &Expectation, file: &WeightFile) -> Result<(), BagNetError> {
    let (path, ours, hint) = (ex.path, &ex.ours, &ex.hint);
    for (_, reference, shape) in &ex.tensors {
        if ex.keeps_own(reference) {
            continue;
        }
        let Some((key, s)) = file.tensors.get(reference) else {
            return Err(err(
                path,
                format!(
                    "tensor '{}' (shape {}) of {ours} is missing from the file{hint}",
                    clip(reference),
                    fmt_shape(shape)
                ),
            ));
        };
        let found = shape_of(s);
        if &found != shape {
            return Err(err(
                path,
                format!(
                    "tensor '{}' has shape {} in the file, but {ours} expects {}{hint}",
                    clip(key),
                    fmt_shape(&found),
                    fmt_shape(shape)
                ),
            ));
        }
        if !matches!(s.dtype, DType::F32 | DType::F64 | DType::F16 | DType::BF16) {
            return Err(err(
                path,
                format!(
                    "tensor '{}' is of type {}; expected floating-point weights",
                    clip(key),
                    dtype_name(s.dtype)
                ),
            ));
        }
    }
    let wanted: std::collections::HashSet<&str> = ex.tensors.iter().map(|(_, r, _)| r.as_str()).collect();
    if let Some((key, s)) = file
        .tensors
        .iter()
        .find(|(name, _)| !wanted.contains(name.as_str()))
        .map(|(_, v)| v)
    {
        return Err(err(
            path,
            format!(
                "unexpected tensor '{}' (shape {}) that {ours} does not have{hint}",
                clip(key),
                fmt_shape(&shape_of(s))
            ),
        ));
    }
    Ok(())
}

/// The data of the checked tensors (float32, finite) under the reference names; a head that is
/// not loaded goes to `skipped`.
fn snapshots(
    ex: &Expectation,
    file: &WeightFile,
    skipped: &mut Vec<SkippedTensor>,
) -> Result<Vec<TensorSnapshot>, BagNetError> {
    let path = ex.path;
    let mut snaps = Vec::new();
    for (_, reference, _) in &ex.tensors {
        if ex.own_aux && is_aux(reference) {
            continue;
        }
        let (key, s) = &file.tensors[reference];
        if ex.reinit && is_head(reference) {
            skipped.push(SkippedTensor {
                name: key.clone(),
                reason: "the file's head (another number of outputs); the model keeps its own".into(),
            });
            continue;
        }
        file.check_storage(key, shape_of(s).iter().product())?;
        let data = s
            .to_data()
            .map_err(|e| err(path, format!("cannot read the data of tensor '{}': {e}", clip(key))))?;
        let expected_bytes = data.num_elements() * data.dtype.size();
        if data.bytes.len() != expected_bytes {
            return Err(err(path, format!("tensor '{}' is truncated in the file", clip(key))));
        }
        let data = data.convert_dtype(DType::F32);
        let (bad, all) = match data.as_slice::<f32>() {
            Ok(v) => (v.iter().filter(|x| !x.is_finite()).count(), v.len()),
            Err(_) => {
                return Err(err(
                    path,
                    format!("cannot read the data of tensor '{}' as 32-bit floats", clip(key)),
                ))
            }
        };
        if bad > 0 {
            return Err(err(
                path,
                format!(
                    "tensor '{}' holds non-finite values (NaN or infinite): {bad} of {all}",
                    clip(key)
                ),
            ));
        }
        let parts = reference.split('.').map(str::to_string).collect();
        snaps.push(TensorSnapshot::from_data(data, parts, Vec::new(), ParamId::new()));
    }
    Ok(snaps)
}

/// Map the reference names onto ours and copy the tensors into the model; the number applied.
fn apply<B: Backend, M: Module<B>>(
    model: &mut M,
    bagnet: bool,
    ex: &Expectation,
    snaps: Vec<TensorSnapshot>,
) -> Result<usize, BagNetError> {
    let (snaps, _) = remapper(bagnet)?.remap(snaps);
    let n = snaps.len();
    let result = model.apply(snaps, None, Some(Box::new(PyTorchToBurnAdapter)), false);
    let missing: Vec<&str> = result
        .missing
        .iter()
        .map(|(p, _)| p.as_str())
        .filter(|p| !ex.keeps_own(p))
        .collect();
    if !result.errors.is_empty() || !missing.is_empty() || result.applied.len() != n {
        // The checks above make this unreachable for any file; it would be a mapping bug.
        return Err(err(
            ex.path,
            format!("internal error: the checked weights did not apply cleanly:\n{result}"),
        ));
    }
    Ok(result.applied.len())
}
