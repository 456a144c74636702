//! The user-facing steps behind `dimorph bagnet train|eval|explain`: read the data, pick the
//! backend, run the engine, and return a result struct (serde) with a report [`Section`].

use std::path::{Path, PathBuf};

use burn::module::AutodiffModule;
use burn::tensor::backend::{AutodiffBackend, Backend};
use dimorph_report::{Section, Table};
use serde::Serialize;

use crate::data::{self, Dataset, OnBadImage};
use crate::evidence::{self, ImageEvidence, StatComparison};
use crate::metrics::{self, SetMetrics};
use crate::train::{self, ModelMeta, RunState, TrainOptions, TrainResult};
use crate::BagNetError;

/// Which backend runs the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceKind {
    Cpu,
    Cuda,
}

#[cfg(not(feature = "cuda"))]
fn no_cuda() -> BagNetError {
    BagNetError::Arg("--device cuda: this build has no CUDA backend (rebuild with `--features cuda`)".into())
}

/// Read the label CSV and the images at `size`.
pub fn read_dataset(
    images: &Path,
    labels: &Path,
    classes: Option<&[String]>,
    size: usize,
    mask: bool,
    on_bad: OnBadImage,
) -> Result<Dataset, BagNetError> {
    let rows = data::read_labels(labels, images)?;
    let classes = match classes {
        Some(c) => c.to_vec(),
        None => data::classes(&rows),
    };
    data::load(rows, &classes, size, mask, on_bad)
}

/// Train a model (see [`train::train`]) on the chosen device.
pub fn train(
    ds: &Dataset,
    opt: &TrainOptions,
    out: &Path,
    resume: bool,
    quiet: bool,
    device: DeviceKind,
) -> Result<TrainResult, BagNetError> {
    match device {
        DeviceKind::Cpu => train::train::<crate::CpuTrain>(ds, opt, out, resume, quiet, &Default::default()),
        #[cfg(feature = "cuda")]
        DeviceKind::Cuda => train::train::<crate::GpuTrain>(ds, opt, out, resume, quiet, &Default::default()),
        #[cfg(not(feature = "cuda"))]
        DeviceKind::Cuda => Err(no_cuda()),
    }
}

/// The training history as a report section.
pub fn train_section(r: &TrainResult) -> Section {
    let mut s = Section::new("BagNet training");
    let mut t = Table::new(
        "Epochs",
        &["epoch", "phase", "train loss", "val loss", "val accuracy", "val AUC"],
    );
    for h in &r.history {
        t.row([
            h.epoch.to_string(),
            h.phase.clone(),
            format!("{:.4}", h.train_loss),
            format!("{:.4}", h.val_loss),
            format!("{:.3}", h.val_accuracy),
            h.val_auc.map_or("-".into(), |a| format!("{a:.3}")),
        ]);
    }
    if let Some(b) = r.best_epoch {
        t.note(format!(
            "best epoch by validation: {b} (saved in {})",
            r.out.join("best").display()
        ));
    }
    if !r.skipped_images.is_empty() {
        t.note(format!("{} unreadable images skipped", r.skipped_images.len()));
    }
    if let Some(p) = &r.pretrained {
        t.note(format!(
            "initial weights from {} ({} tensors){}",
            p.file,
            p.loaded,
            match p.head {
                crate::weights::HeadStatus::Loaded => String::new(),
                crate::weights::HeadStatus::Reinitialised { file_outputs, .. } =>
                    format!("; the file's {file_outputs}-output head was replaced by a freshly initialised one"),
            }
        ));
    }
    s.table(t);
    s
}

/// Which image indices form train/validation/test: the run's split when `model_dir`'s parent
/// holds the run state for these images, else one set "all".
pub(crate) fn sets_for(model_dir: &Path, ds: &Dataset) -> Vec<(String, Vec<usize>)> {
    let state = model_dir
        .parent()
        .map(|p| p.join("state.json"))
        .filter(|p| p.is_file())
        .and_then(|p| train::read_json::<RunState>(&p).ok());
    if let Some(st) = state {
        if st.split.iter().map(Vec::len).sum::<usize>() == ds.images.len() && ds.skipped.is_empty() {
            return ["training", "validation", "test"]
                .iter()
                .zip(st.split)
                .map(|(n, v)| (n.to_string(), v))
                .collect();
        }
    }
    vec![("all".to_string(), (0..ds.images.len()).collect())]
}

/// Result of `eval`.
#[derive(Debug, Clone, Serialize)]
pub struct EvalResult {
    pub sets: Vec<SetMetrics>,
    pub classes: Vec<String>,
    pub skipped_images: Vec<String>,
    #[serde(skip)]
    pub roc_svg: Option<String>,
}

/// Accuracy and AUC (with 95 % bootstrap CI) per set, Table 1 layout, and the ROC curves.
pub fn eval(
    model_dir: &Path,
    images: &Path,
    labels: &Path,
    on_bad: OnBadImage,
    device: DeviceKind,
) -> Result<EvalResult, BagNetError> {
    match device {
        DeviceKind::Cpu => eval_on::<crate::Cpu>(model_dir, images, labels, on_bad, &Default::default()),
        #[cfg(feature = "cuda")]
        DeviceKind::Cuda => eval_on::<crate::Gpu>(model_dir, images, labels, on_bad, &Default::default()),
        #[cfg(not(feature = "cuda"))]
        DeviceKind::Cuda => Err(no_cuda()),
    }
}

fn eval_on<B: crate::backend::BagnetBackend>(
    model_dir: &Path,
    images: &Path,
    labels: &Path,
    on_bad: OnBadImage,
    device: &B::Device,
) -> Result<EvalResult, BagNetError> {
    let (model, meta) = train::load_model::<B>(model_dir, device)?;
    let ds = read_dataset(images, labels, Some(&meta.classes), meta.size, meta.mask, on_bad)?;
    Ok(eval_model(&model, &meta, &ds, &sets_for(model_dir, &ds), device))
}

/// Evaluate a loaded model on the given sets of `ds`.
pub fn eval_model<B: crate::backend::BagnetBackend>(
    model: &crate::model::BagNet<B>,
    meta: &ModelMeta,
    ds: &Dataset,
    sets: &[(String, Vec<usize>)],
    device: &B::Device,
) -> EvalResult {
    let mut out = Vec::new();
    let mut curves = Vec::new();
    for (name, idx) in sets {
        if idx.is_empty() {
            continue;
        }
        let logits = train::predict(model, ds, idx, 16, device);
        let (pred, score): (Vec<usize>, Vec<f64>) = logits.iter().map(|z| train::decide(z)).unzip();
        let t: Vec<usize> = idx.iter().map(|&i| ds.targets[i]).collect();
        let m = metrics::set_metrics(name, &score, &pred, &t, meta.classes.len(), 7);
        if meta.classes.len() == 2 {
            let pos: Vec<bool> = t.iter().map(|&v| v == 1).collect();
            curves.push((name.clone(), metrics::roc_points(&score, &pos)));
        }
        out.push(m);
    }
    EvalResult {
        sets: out,
        classes: meta.classes.clone(),
        skipped_images: ds.skipped.clone(),
        roc_svg: (!curves.is_empty()).then(|| metrics::roc_svg(&curves)),
    }
}

/// The evaluation as a section (paper Table 1 layout).
pub fn eval_section(r: &EvalResult) -> Section {
    let mut s = Section::new("BagNet evaluation");
    let mut t = Table::new(
        "Accuracy and ROC AUC (95% bootstrap CI, 1000 resamples)",
        &["set", "n", "accuracy %", "AUC", "AUC 95% CI"],
    );
    for m in &r.sets {
        t.row([
            m.set.clone(),
            m.n.to_string(),
            format!("{:.2}", 100.0 * m.accuracy),
            m.auc.map_or("-".into(), |a| format!("{a:.3}")),
            m.auc_ci.map_or("-".into(), |(a, b)| format!("{a:.3}-{b:.3}")),
        ]);
    }
    if r.classes.len() == 2 {
        t.note(format!("positive class (logit > 0): {}", r.classes[1]));
    }
    if !r.skipped_images.is_empty() {
        t.note(format!(
            "{} unreadable images skipped: {}",
            r.skipped_images.len(),
            r.skipped_images.join("; ")
        ));
    }
    s.table(t);
    if let Some(svg) = &r.roc_svg {
        s.figure("ROC curves", svg.clone());
    }
    s
}

/// Options of `explain`.
#[derive(Debug, Clone)]
pub struct ExplainOptions {
    /// Clip for display (paper: ±75).
    pub clip: f64,
    /// Evidence threshold t (paper Fig. 4: 50).
    pub threshold: f64,
    /// How many per-image overlays to write.
    pub max_images: usize,
    /// Write patch features to `features.csv`.
    pub features: bool,
}

impl Default for ExplainOptions {
    fn default() -> Self {
        ExplainOptions {
            clip: 75.0,
            threshold: 50.0,
            max_images: 50,
            features: false,
        }
    }
}

/// Result of `explain`.
#[derive(Debug, Clone, Serialize)]
pub struct ExplainResult {
    pub set: String,
    pub n: usize,
    pub threshold: f64,
    pub clip: f64,
    pub statistics: Vec<StatComparison>,
    /// Fraction of images whose strongest patch for their true class overlaps the planted region
    /// (synthetic data).
    pub strongest_in_planted: Option<f64>,
    /// Of the n patches with the strongest evidence towards their image's true class over all n
    /// images, the fraction whose window overlaps its image's planted regions (synthetic data).
    pub top_patches_in_planted: Option<f64>,
    pub out: PathBuf,
    pub images: Vec<ImageEvidence>,
}

/// Evidence maps, averages, statistics and (optionally) features of the test set (all images when
/// the run's split is unknown), written into `out`.
pub fn explain(
    model_dir: &Path,
    images: &Path,
    labels: &Path,
    on_bad: OnBadImage,
    opt: &ExplainOptions,
    out: &Path,
    device: DeviceKind,
) -> Result<ExplainResult, BagNetError> {
    match device {
        DeviceKind::Cpu => explain_on::<crate::Cpu>(model_dir, images, labels, on_bad, opt, out, &Default::default()),
        #[cfg(feature = "cuda")]
        DeviceKind::Cuda => explain_on::<crate::Gpu>(model_dir, images, labels, on_bad, opt, out, &Default::default()),
        #[cfg(not(feature = "cuda"))]
        DeviceKind::Cuda => Err(no_cuda()),
    }
}

#[allow(clippy::too_many_arguments)]
fn explain_on<B: crate::backend::BagnetBackend>(
    model_dir: &Path,
    images: &Path,
    labels: &Path,
    on_bad: OnBadImage,
    opt: &ExplainOptions,
    out: &Path,
    device: &B::Device,
) -> Result<ExplainResult, BagNetError> {
    let (model, meta) = train::load_model::<B>(model_dir, device)?;
    let ds = read_dataset(images, labels, Some(&meta.classes), meta.size, meta.mask, on_bad)?;
    let sets = sets_for(model_dir, &ds);
    let (name, idx) = sets.last().cloned().unwrap_or_default();
    explain_model(&model, &meta, &ds, &name, &idx, opt, out, device)
}

/// Explain a loaded model on images `idx` of `ds`.
#[allow(clippy::too_many_arguments)]
pub fn explain_model<B: crate::backend::BagnetBackend>(
    model: &crate::model::BagNet<B>,
    meta: &ModelMeta,
    ds: &Dataset,
    set: &str,
    idx: &[usize],
    opt: &ExplainOptions,
    out: &Path,
    device: &B::Device,
) -> Result<ExplainResult, BagNetError> {
    if opt.clip.is_nan() || opt.clip <= 0.0 || opt.threshold.is_nan() || opt.threshold < 0.0 {
        return Err(BagNetError::Arg(
            "--clip must be positive and --threshold non-negative".into(),
        ));
    }
    std::fs::create_dir_all(out).map_err(|e| BagNetError::file(out, e))?;
    let q = meta.config.arch.q();
    let ev = if opt.features {
        let p = out.join("features.csv");
        let f = std::fs::File::create(&p).map_err(|e| BagNetError::file(&p, e))?;
        let mut w = std::io::BufWriter::new(f);
        evidence::compute(model, ds, idx, q, opt.threshold, 16, Some(&mut w), device)?
    } else {
        evidence::compute(model, ds, idx, q, opt.threshold, 16, None, device)?
    };
    evidence::write_outputs(ds, &ev, q, opt.clip, opt.threshold, opt.max_images, out)?;
    let hits: Vec<bool> = ev.iter().filter_map(|e| e.strongest_in_planted).collect();
    let mut strongest: Vec<(f64, bool)> = Vec::new();
    for e in &ev {
        let planted = &ds.rows[e.index].planted;
        if !planted.is_empty() {
            // Evidence towards the image's true class: the logit, negated for the negative class.
            let sign = if meta.classes.len() == 2 && e.target == 0 {
                -1.0
            } else {
                1.0
            };
            for (p, v) in e.map.iter().enumerate() {
                strongest.push((
                    sign * v,
                    evidence::in_planted(planted, ds.scales[e.index], p / e.side, p % e.side, q),
                ));
            }
        }
    }
    strongest.sort_by(|a, b| b.0.total_cmp(&a.0));
    strongest.truncate(hits.len());
    Ok(ExplainResult {
        set: set.to_string(),
        n: ev.len(),
        threshold: opt.threshold,
        clip: opt.clip,
        statistics: if meta.classes.len() == 2 {
            evidence::compare_stats(&ev)
        } else {
            Vec::new()
        },
        strongest_in_planted: (!hits.is_empty())
            .then(|| hits.iter().filter(|&&h| h).count() as f64 / hits.len() as f64),
        top_patches_in_planted: (!strongest.is_empty())
            .then(|| strongest.iter().filter(|h| h.1).count() as f64 / strongest.len() as f64),
        out: out.to_path_buf(),
        images: ev,
    })
}

/// The explanation as a section.
pub fn explain_section(r: &ExplainResult) -> Section {
    let mut s = Section::new("BagNet patch evidence");
    let mut t = Table::new(
        format!(
            "Evidence statistics by class ({} set, {} images, t = {})",
            r.set,
            r.n,
            dimorph_report::fmt::sig(r.threshold, 4)
        ),
        &[
            "statistic",
            "mean (negative class)",
            "mean (positive class)",
            "Cohen's d",
        ],
    );
    for c in &r.statistics {
        t.row([
            c.statistic.clone(),
            format!("{:.4}", c.mean_negative),
            format!("{:.4}", c.mean_positive),
            format!("{:.2}", c.cohens_d),
        ]);
    }
    if let Some(h) = r.top_patches_in_planted {
        t.note(format!(
            "of the {} strongest-evidence patches (towards each image's own class), {:.1}% lie in the planted regions",
            r.n,
            100.0 * h
        ));
    }
    if let Some(h) = r.strongest_in_planted {
        t.note(format!(
            "each image's strongest-evidence patch lies in the planted regions in {:.1}% of images",
            100.0 * h
        ));
    }
    t.note(format!(
        "maps, averages, evidence_stats.csv and density plots in {}",
        r.out.display()
    ));
    s.table(t);
    s
}

/// Keep `AutodiffModule` in scope for callers converting trained models.
pub fn inference_model<B: AutodiffBackend>(m: &crate::model::BagNet<B>) -> crate::model::BagNet<B::InnerBackend> {
    m.valid()
}

/// Options of `import`: which architecture to build (by default the one the file holds), the
/// class names, and the preprocessing saved with the model.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub arch: Option<crate::model::Arch>,
    pub width: Option<f64>,
    /// Class names; by default one per output of the file's head (two for one logistic output).
    pub classes: Option<Vec<String>>,
    /// Model input side in pixels.
    pub size: usize,
    pub mask: bool,
}

/// Result of `import`.
#[derive(Debug, Clone, Serialize)]
pub struct ImportResult {
    pub out: PathBuf,
    pub arch: crate::model::Arch,
    pub width: f64,
    pub classes: Vec<String>,
    pub load: crate::weights::LoadReport,
}

/// Read a PyTorch or safetensors BagNet weight file into a model folder that `eval` and
/// `explain` accept (weights and `meta.json`, as `train` writes them).
pub fn import(weights: &Path, opt: &ImportOptions, out: &Path) -> Result<ImportResult, BagNetError> {
    use crate::model::BagNetConfig;
    use crate::weights::{inspect, load_pretrained, LoadOptions};
    if out.join("meta.json").exists() {
        return Err(BagNetError::file(out, "holds a model already; choose a new --out"));
    }
    let layout = inspect(weights)?;
    let arch = match (opt.arch, layout) {
        (Some(a), _) => a,
        (None, Some(l)) => l.arch,
        (None, None) => {
            return Err(BagNetError::file(
                weights,
                "the architecture cannot be read from the tensor shapes; pass --arch and --width",
            ))
        }
    };
    let width = opt.width.or(layout.map(|l| l.width)).unwrap_or(1.0);
    if width.is_nan() || width <= 0.0 {
        return Err(BagNetError::Arg(format!("--width must be positive (got {width})")));
    }
    arch.map_size(opt.size)?;
    let classes = match &opt.classes {
        Some(c) => c.clone(),
        None => match layout.map(|l| l.outputs) {
            Some(1) => vec!["0".into(), "1".into()],
            Some(k) => (0..k).map(|i| i.to_string()).collect(),
            None => {
                return Err(BagNetError::file(
                    weights,
                    "the number of outputs cannot be read from the file; pass --classes",
                ))
            }
        },
    };
    if classes.len() < 2 {
        return Err(BagNetError::Arg(format!(
            "--classes: need two or more class names (got {classes:?})"
        )));
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(d) = classes.iter().find(|c| !seen.insert(c.as_str())) {
        return Err(BagNetError::Arg(format!("--classes: '{d}' is given twice")));
    }
    let outputs = if classes.len() == 2 { 1 } else { classes.len() };
    let config = BagNetConfig::new(arch, outputs).with_width(width);
    let device = Default::default();
    let mut model = config.init::<crate::Cpu>(&device);
    let load = load_pretrained(&mut model, weights, &LoadOptions::default())?;
    let meta = ModelMeta {
        config,
        classes: classes.clone(),
        size: opt.size,
        mask: opt.mask,
        epoch: 0,
    };
    train::save_model(out, &model, &meta)?;
    Ok(ImportResult {
        out: out.to_path_buf(),
        arch,
        width,
        classes,
        load,
    })
}

/// The import as a report section.
pub fn import_section(r: &ImportResult) -> Section {
    let mut s = Section::new("BagNet weight import");
    s.pre(r.load.summary());
    s.text(format!(
        "model {} at width {} for classes {} written to {}",
        r.arch.name(),
        r.width,
        r.classes.join(", "),
        r.out.display()
    ));
    s
}
