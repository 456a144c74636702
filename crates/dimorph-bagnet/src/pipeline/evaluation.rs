//! `eval`: accuracy and ROC AUC with a 95 % bootstrap interval per set of the run's split, in the
//! layout of the paper's Table 1, and the ROC curves.

use std::path::Path;

use dimorph_core::{OutputFile, TidyTable};
use dimorph_report::{Outcome, Section, Table};
use serde::Serialize;

use super::common::{read_dataset, sets_for, skipped_warnings};
use crate::backend::BagnetBackend;
use crate::checkpoint::{load_model, ModelMeta};
use crate::data::{Dataset, OnBadImage};
use crate::metrics::{self, SetMetrics};
use crate::model::BagNet;
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
    /// The ROC curves (two classes), also the file `roc.svg` of the outcome.
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
    let read = ReadOptions {
        on_bad_image: on_bad,
        device,
        ..Default::default()
    };
    eval_with(model_dir, images, labels, &read)
}

/// [`eval`] with every reading option.
pub fn eval_with(
    model_dir: &Path,
    images: &Path,
    labels: &Path,
    read: &ReadOptions,
) -> Result<EvalResult, BagNetError> {
    match read.device {
        DeviceKind::Cpu => eval_on::<crate::Cpu>(model_dir, images, labels, read, &Default::default()),
        #[cfg(feature = "cuda")]
        DeviceKind::Cuda => eval_on::<crate::Gpu>(model_dir, images, labels, read, &Default::default()),
        #[cfg(not(feature = "cuda"))]
        DeviceKind::Cuda => Err(super::common::no_cuda()),
    }
}

/// `bagnet eval`: the model in `model_dir` on the images listed in `labels`.
pub fn run_eval(
    model_dir: &Path,
    images: &Path,
    labels: &Path,
    opt: &EvalOptions,
) -> Result<Outcome<EvalResult>, BagNetError> {
    let r = eval_with(model_dir, images, labels, &opt.read)?;
    let mut o = Outcome::new(r);
    o.summary = o.result.sets.iter().map(set_line).collect();
    o.warnings = skipped_warnings(&o.result.skipped_images);
    o.sections.push(eval_section(&o.result));
    o.tables.push(metrics_table(&o.result));
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
    model_dir: &Path,
    images: &Path,
    labels: &Path,
    read: &ReadOptions,
    device: &B::Device,
) -> Result<EvalResult, BagNetError> {
    let (model, meta) = load_model::<B>(model_dir, device)?;
    let ds = read_dataset(images, labels, Some(&meta.classes), meta.size, meta.mask, read)?;
    Ok(eval_model(&model, &meta, &ds, &sets_for(model_dir, &ds), device))
}

/// Evaluate a loaded model on the given sets of `ds`.
pub fn eval_model<B: BagnetBackend>(
    model: &BagNet<B>,
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
        let logits = predict(model, ds, idx, 16, device);
        let (pred, score): (Vec<usize>, Vec<f64>) = logits.iter().map(|z| decide(z)).unzip();
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
