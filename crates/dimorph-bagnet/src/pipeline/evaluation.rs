//! `eval`: accuracy and ROC AUC with a 95 % bootstrap interval per set of the run's split, in the
//! layout of the paper's Table 1, and the ROC curves.

use std::path::Path;

use dimorph_core::{OutputFile, TidyTable};
use dimorph_report::{Outcome, Section, Table};
use serde::Serialize;

use super::common::{fit_warning, read_dataset_in, run_cache, run_sets, skipped_warnings};
use super::device::{on_device, probe, Probed};
use crate::backend::BagnetBackend;
use crate::checkpoint::{load_net, ModelMeta};
use crate::data::{Dataset, OnBadImage};
use crate::metrics::{self, SetMetrics};
use crate::net::ImageClassifier;
use crate::options::{DeviceKind, EvalOptions, ReadOptions};
use crate::train::{decide, predict};
use crate::BagNetError;

/// Result of `eval`.
#[derive(Debug, Clone, Serialize)]
pub struct EvalResult {
    /// One entry per set (training, validation, test of the run's split; else "all").
    pub sets: Vec<SetMetrics>,
    pub classes: Vec<String>,
    /// Unreadable images left out, with their messages.
    pub skipped_images: Vec<String>,
    /// Each image's prediction (also the table `predictions`).
    #[serde(skip)]
    pub predictions: Vec<Prediction>,
    /// The ROC curves (two classes), also the file `roc.svg` of the outcome.
    #[serde(skip)]
    pub roc_svg: Option<String>,
    /// What the image loader did (cache hits, throughput; in the summary, not the JSON result).
    #[serde(skip)]
    pub loader: crate::loader::LoaderStats,
    /// The loader's warnings (the fundus mask hiding content), and the model's (an Inception-v3
    /// without its auxiliary classifier: [`crate::checkpoint::aux_absent_note`]).
    #[serde(skip)]
    pub loader_warnings: Vec<String>,
}

/// One image's prediction: for two classes the image logit of the positive class and its
/// probability σ(logit); for more classes the predicted class's logit and softmax probability.
#[derive(Debug, Clone, Serialize)]
pub struct Prediction {
    pub set: String,
    /// As written in the label CSV.
    pub path: String,
    pub subject: String,
    pub label: String,
    pub predicted: String,
    pub logit: f64,
    pub probability: f64,
}

impl Prediction {
    fn new(set: &str, ds: &Dataset, i: usize, logits: &[f64]) -> Prediction {
        let (pred, _) = decide(logits);
        let (logit, probability) = if logits.len() == 1 {
            (logits[0], 1.0 / (1.0 + (-logits[0]).exp()))
        } else {
            let m = logits.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let z: f64 = logits.iter().map(|v| (v - m).exp()).sum();
            (logits[pred], (logits[pred] - m).exp() / z)
        };
        let r = &ds.rows[i];
        Prediction {
            set: set.to_string(),
            path: r.name.clone(),
            subject: r.subject.clone(),
            label: r.label.clone(),
            predicted: ds.classes.get(pred).cloned().unwrap_or_default(),
            logit,
            probability,
        }
    }
}

/// Accuracy and AUC (with 95 % bootstrap CI) per set, Table 1 layout, and the ROC curves.
pub fn eval(
    model_dir: &Path,
    images: &Path,
    labels: &Path,
    on_bad: OnBadImage,
    device: DeviceKind,
) -> Result<EvalResult, BagNetError> {
    let read = ReadOptions {
        on_bad_image: on_bad,
        device,
        ..Default::default()
    };
    eval_with(model_dir, images, labels, &read, None)
}

/// [`eval`] with every reading option; with `external`, every image in one set of that name.
pub fn eval_with(
    model_dir: &Path,
    images: &Path,
    labels: &Path,
    read: &ReadOptions,
    external: Option<&str>,
) -> Result<EvalResult, BagNetError> {
    let device = probe(read.device)?;
    let mut r = eval_probed((model_dir, images, labels), read, external, &device)?;
    r.loader_warnings.extend(device.notes());
    Ok(r)
}

/// [`eval_with`] on a probed device.
pub(super) fn eval_probed(
    dirs: (&Path, &Path, &Path),
    read: &ReadOptions,
    external: Option<&str>,
    device: &Probed,
) -> Result<EvalResult, BagNetError> {
    on_device!(device, read.precision, inference, |B, dev| eval_on::<B>(
        dirs, read, external, &dev
    ))
}

/// `bagnet eval`: the model in `model_dir` on the images listed in `labels`.
pub fn run_eval(
    model_dir: &Path,
    images: &Path,
    labels: &Path,
    opt: &EvalOptions,
) -> Result<Outcome<EvalResult>, BagNetError> {
    opt.validate()?;
    let r = eval_with(model_dir, images, labels, &opt.read, opt.external.as_deref())?;
    let mut o = Outcome::new(r);
    o.summary = o.result.sets.iter().map(set_line).collect();
    o.summary.push(o.result.loader.line());
    o.warnings = skipped_warnings(&o.result.skipped_images);
    o.warnings.extend(o.result.loader_warnings.iter().cloned());
    o.sections.push(eval_section(&o.result));
    let arch = crate::checkpoint::read_arch(model_dir)?;
    let row = (
        format!("{} ({})", arch.name(), model_dir.display()),
        o.result.sets.as_slice(),
    );
    o.sections.push(super::table1::table1_section(&[row]));
    o.tables.push(metrics_table(&o.result));
    o.tables.push(predictions_table(&o.result.predictions));
    if let Some(svg) = &o.result.roc_svg {
        o.files.push(OutputFile::text("roc.svg", svg.clone()));
    }
    Ok(o)
}

/// "test: n 36, accuracy 97.22 %, AUC 0.998 (95% CI 0.990-1.000)".
pub fn set_line(m: &SetMetrics) -> String {
    format!(
        "{}: n {}, accuracy {:.2} %, AUC {}{}",
        m.set,
        m.n,
        100.0 * m.accuracy,
        m.auc.map_or("-".into(), |a| format!("{a:.3}")),
        m.auc_ci
            .map_or(String::new(), |(a, b)| format!(" (95% CI {a:.3}-{b:.3})"))
    )
}

fn eval_on<B: BagnetBackend>(
    (model_dir, images, labels): (&Path, &Path, &Path),
    read: &ReadOptions,
    external: Option<&str>,
    device: &B::Device,
) -> Result<EvalResult, BagNetError> {
    let (model, meta) = load_net::<B>(model_dir, device)?;
    let cache = run_cache(model_dir);
    let ds = read_dataset_in(
        images,
        labels,
        Some(&meta.classes),
        (meta.size, meta.mask),
        read,
        cache.as_deref(),
    )?;
    let sets = run_sets(model_dir, &ds, external);
    let mut r = eval_model(&model, &meta, &ds, &sets.sets, device)?;
    r.loader_warnings = ds.images.warnings();
    r.loader_warnings.extend(fit_warning(model_dir.parent(), read.fit));
    r.loader_warnings.extend(sets.warning);
    if model.lacks_aux() {
        r.loader_warnings.push(crate::checkpoint::aux_absent_note(model_dir));
    }
    Ok(r)
}

/// Evaluate a loaded model on the given sets of `ds`.
pub fn eval_model<B: BagnetBackend, M: ImageClassifier<B>>(
    model: &M,
    meta: &ModelMeta,
    ds: &Dataset,
    sets: &[(String, Vec<usize>)],
    device: &B::Device,
) -> Result<EvalResult, BagNetError> {
    let mut out = Vec::new();
    let mut curves = Vec::new();
    let mut predictions = Vec::new();
    for (name, idx) in sets {
        if idx.is_empty() {
            continue;
        }
        let logits = predict(model, ds, idx, 16, device)?;
        predictions.extend(idx.iter().zip(&logits).map(|(&i, z)| Prediction::new(name, ds, i, z)));
        let (pred, score): (Vec<usize>, Vec<f64>) = logits.iter().map(|z| decide(z)).unzip();
        let t: Vec<usize> = idx.iter().map(|&i| ds.targets[i]).collect();
        let m = metrics::set_metrics(name, &score, &pred, &t, meta.classes.len(), 7);
        if meta.classes.len() == 2 {
            let pos: Vec<bool> = t.iter().map(|&v| v == 1).collect();
            curves.push((name.clone(), metrics::roc_points(&score, &pos)));
        }
        out.push(m);
    }
    Ok(EvalResult {
        sets: out,
        classes: meta.classes.clone(),
        skipped_images: ds.skipped.clone(),
        predictions,
        roc_svg: (!curves.is_empty()).then(|| metrics::roc_svg(&curves)),
        loader: ds.images.stats(),
        loader_warnings: Vec::new(),
    })
}

/// One row per set: n, accuracy, AUC and its 95 % bootstrap interval.
pub fn metrics_table(r: &EvalResult) -> TidyTable {
    let mut t = TidyTable::new("metrics", &["set", "n", "accuracy", "auc", "auc_lower", "auc_upper"]);
    for m in &r.sets {
        t.push(vec![
            m.set.as_str().into(),
            m.n.into(),
            m.accuracy.into(),
            m.auc.into(),
            m.auc_ci.map(|c| c.0).into(),
            m.auc_ci.map(|c| c.1).into(),
        ]);
    }
    t
}

/// One row per image: set, path, subject, label, predicted class, logit and probability (see
/// [`Prediction`]).
pub fn predictions_table(p: &[Prediction]) -> TidyTable {
    let mut t = TidyTable::new(
        "predictions",
        &["set", "path", "subject", "label", "predicted", "logit", "probability"],
    );
    for r in p {
        t.push(vec![
            r.set.as_str().into(),
            r.path.as_str().into(),
            r.subject.as_str().into(),
            r.label.as_str().into(),
            r.predicted.as_str().into(),
            r.logit.into(),
            r.probability.into(),
        ]);
    }
    t
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
            "{} unreadable images skipped (listed among the warnings)",
            r.skipped_images.len()
        ));
    }
    s.table(t);
    s
}
