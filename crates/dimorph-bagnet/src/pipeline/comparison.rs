//! `eval` of several models on the same images, in the layout of the paper's Table 1 (Ilanchezian
//! et al. 2021): one row per model (a BagNet or a baseline CNN: ResNet-50, Inception-v3), and per
//! set of the split (or the external set) its size, accuracy and ROC AUC with the 95 % bootstrap
//! interval ([`super::table1`]).

use std::path::{Path, PathBuf};

use dimorph_core::TidyTable;
use dimorph_report::Outcome;
use serde::Serialize;

use super::device::probe;
use super::evaluation::{eval_probed, set_line, EvalResult};
use super::table1::table1_section;
use crate::checkpoint::read_arch;
use crate::metrics::SetMetrics;
use crate::options::EvalOptions;
use crate::BagNetError;

/// One model's evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct ModelEval {
    /// The model folder.
    pub model: String,
    /// Its architecture (`bagnet33`, `resnet50`, `inception-v3`, …).
    pub arch: String,
    #[serde(flatten)]
    pub result: EvalResult,
}

/// Result of `eval` with several models.
#[derive(Debug, Clone, Serialize)]
pub struct ComparisonResult {
    pub models: Vec<ModelEval>,
}

/// "resnet50 (run/best)": a model's row label.
fn label(m: &ModelEval) -> String {
    format!("{} ({})", m.arch, m.model)
}

/// `bagnet eval` with several model folders: each evaluated on the same images (each with its own
/// run's split), tabulated one row per model.
pub fn run_eval_models(
    model_dirs: &[PathBuf],
    images: &Path,
    labels: &Path,
    opt: &EvalOptions,
) -> Result<Outcome<ComparisonResult>, BagNetError> {
    opt.validate()?;
    // The device first, once for every model: one that cannot run leaves no image cache behind.
    let device = probe(opt.read.device)?;
    if model_dirs.is_empty() {
        return Err(BagNetError::Arg("--model: name at least one model folder".into()));
    }
    let mut models = Vec::new();
    for dir in model_dirs {
        let arch = read_arch(dir)?.name().to_string();
        let result = eval_probed((dir, images, labels), &opt.read, opt.external.as_deref(), &device)?;
        models.push(ModelEval {
            model: dir.display().to_string(),
            arch,
            result,
        });
    }
    let mut o = Outcome::new(ComparisonResult { models });
    for m in &o.result.models {
        let sets: Vec<String> = m.result.sets.iter().map(set_line).collect();
        o.summary.push(format!("{}: {}", label(m), sets.join("; ")));
        o.warnings.extend(
            m.result
                .skipped_images
                .iter()
                .map(|s| format!("{}: unreadable image skipped: {s}", m.model)),
        );
        o.warnings
            .extend(m.result.loader_warnings.iter().map(|w| format!("{}: {w}", m.model)));
    }
    o.warnings.extend(device.notes());
    let rows: Vec<(String, &[SetMetrics])> = o
        .result
        .models
        .iter()
        .map(|m| (label(m), m.result.sets.as_slice()))
        .collect();
    o.sections.push(table1_section(&rows));
    o.tables.push(table1_tidy(&o.result));
    o.tables.push(predictions_tidy(&o.result));
    Ok(o)
}

/// Every model's per-image predictions, with a first column naming the model.
fn predictions_tidy(r: &ComparisonResult) -> TidyTable {
    let mut t = TidyTable::new(
        "predictions",
        &[
            "model",
            "set",
            "path",
            "subject",
            "label",
            "predicted",
            "logit",
            "probability",
        ],
    );
    for m in &r.models {
        for p in &m.result.predictions {
            t.push(vec![
                m.model.as_str().into(),
                p.set.as_str().into(),
                p.path.as_str().into(),
                p.subject.as_str().into(),
                p.label.as_str().into(),
                p.predicted.as_str().into(),
                p.logit.into(),
                p.probability.into(),
            ]);
        }
    }
    t
}

/// Table 1 as a tidy table: one row per model and set.
fn table1_tidy(r: &ComparisonResult) -> TidyTable {
    let mut t = TidyTable::new(
        "metrics",
        &["model", "arch", "set", "n", "accuracy", "auc", "auc_lower", "auc_upper"],
    );
    for m in &r.models {
        for s in &m.result.sets {
            t.push(vec![
                m.model.as_str().into(),
                m.arch.as_str().into(),
                s.set.as_str().into(),
                s.n.into(),
                s.accuracy.into(),
                s.auc.into(),
                s.auc_ci.map(|c| c.0).into(),
                s.auc_ci.map(|c| c.1).into(),
            ]);
        }
    }
    t
}
