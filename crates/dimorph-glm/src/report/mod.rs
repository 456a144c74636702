//! One analysis = one [`GlmReport`]: the fit, its inference and (for binary responses) the
//! PROC LOGISTIC extras, rendered three ways: R's `summary.glm` text ([`r`]), the SAS GENMOD
//! ([`genmod`]) and PROC LOGISTIC ([`logistic`]) blocks, all in one [`Section`], and JSON (the
//! struct itself, via serde).

pub mod deviance;
pub mod genmod;
pub mod logistic;
pub mod num;
pub mod r;

use serde::Serialize;

use dimorph_report::Section;

pub use crate::binary::{BinaryExtras, FitStatistics};
use crate::design::ModelFrame;
use crate::error::Result;
use crate::event::EventLevel;
use crate::fit::{fit, GlmFit};
use crate::inference::{chi2_sf, infer_with, Inference, Settings};
pub use crate::options::AnalysisOptions;
use crate::options::GlmOptions;
use crate::residuals::{Prediction, ResidualRow};
use crate::robust::{RobustInfo, RobustSpec};

/// Everything one `dimorph glm` run reports. Field names are stable (see the README).
#[derive(Debug, Clone, Serialize)]
pub struct GlmReport {
    /// The model formula as given.
    pub formula: String,
    /// Where the data came from (the file path).
    pub data: String,
    pub fit: GlmFit,
    pub inference: Inference,
    /// PROC LOGISTIC's extras, for the binomial family.
    pub binary: Option<BinaryExtras>,
    /// Residuals and influence of every used row, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub residuals: Option<Vec<ResidualRow>>,
    /// Predictions for the rows of new data, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predictions: Option<Vec<Prediction>>,
    /// The levels of a two-level response and which one is modelled (text responses, `--event`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<EventLevel>,
    /// The analysis of deviance table of the model and the `--anova` formulas.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anova: Option<crate::anova::Anova>,
    /// The robust covariance the inference uses (`--robust`, `--cluster`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub robust: Option<RobustInfo>,
    /// What was left out and why (refitting extras above the size limit), with how to ask.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Fits and infers.
pub fn analyze(mf: &ModelFrame, formula: &str, opts: &GlmOptions, aopts: &AnalysisOptions) -> Result<GlmReport> {
    analyze_with(mf, formula, opts, aopts, None, &mut |_: &str, _: usize, _: usize| {})
}

/// [`analyze`] with robust standard errors (`robust`) and a progress observer `(phase, done,
/// total)` (see [`infer_with`]). With `robust`, the inference (standard errors, Wald tests and
/// intervals, z tests) uses the sandwich covariance; the fit's own fields keep the model-based
/// one (residuals, leverages and predictions use it).
pub fn analyze_with(
    mf: &ModelFrame,
    formula: &str,
    opts: &GlmOptions,
    aopts: &AnalysisOptions,
    robust: Option<&RobustSpec>,
    progress: &mut dyn FnMut(&str, usize, usize),
) -> Result<GlmReport> {
    progress("fit", 0, 1);
    let f = fit(mf, opts)?;
    progress("fit", 1, 1);
    let settings = Settings {
        level: aopts.level,
        profile: aopts.profile && f.family.has_likelihood(),
        type3_lr: aopts.type3_lr,
        threads: aopts.threads,
        z_tests: robust.is_some(),
    };
    let (inference, robust_info) = match robust {
        Some(spec) => {
            let (cov, info) = spec.covariance(mf, &f);
            let mut rf = f.clone();
            crate::robust::apply(&mut rf, cov);
            (infer_with(mf, &rf, &settings, progress), Some(info))
        }
        None => (infer_with(mf, &f, &settings, progress), None),
    };
    let binary = crate::binary::extras(mf, &f, aopts.binwidth);
    Ok(GlmReport {
        formula: formula.to_string(),
        data: mf.source.clone(),
        fit: f,
        inference,
        binary,
        residuals: None,
        predictions: None,
        notes: Vec::new(),
        robust: robust_info,
        event: None,
        anova: None,
    })
}

impl GlmReport {
    /// R's `summary.glm` printout.
    pub fn r_summary(&self) -> String {
        r::summary(&self.formula, &self.data, &self.fit, &self.inference, self.se_label())
    }

    /// The robust covariance's label (`robust HC1 (sandwich)`), `None` for the model-based one.
    pub fn se_label(&self) -> Option<&str> {
        self.robust.as_ref().map(|r| r.label.as_str())
    }

    /// The analysis as a report section: R summary, SAS GENMOD blocks, PROC LOGISTIC blocks.
    pub fn section(&self, title: &str) -> Section {
        let f = &self.fit;
        let inf = &self.inference;
        let mut s = Section::new(title);
        if f.n_dropped > 0 {
            s.text(format!(
                "{} of {} rows were dropped because a column used by the model was missing.",
                f.n_dropped, f.n_read
            ));
        }
        for w in &f.warnings {
            if !w.contains("rows dropped") {
                s.text(format!("Warning: {w}"));
            }
        }
        if let Some(e) = &self.event {
            s.text(e.describe());
        }
        for n in &self.notes {
            s.text(format!("Note: {n}"));
        }
        s.pre(self.r_summary());
        for t in genmod::tables(&self.data, f, inf, self.se_label()) {
            s.table(t);
        }
        let logistic = self.binary.as_ref().filter(|_| logistic::fits_link(f.link));
        if let Some(b) = logistic {
            for t in logistic::tables(f, inf, b, self.se_label()) {
                s.table(t);
            }
        }
        if f.family.has_likelihood() && logistic.is_none() {
            s.table(genmod::lr_test(inf));
        }
        s
    }
}

/// p-value of the deviance goodness-of-fit test, P(χ²_df > D) (the paper's "P(χ²₂ > 0.0692) ≈ 0.966").
pub fn deviance_p(fit: &GlmFit) -> f64 {
    chi2_sf(fit.deviance, fit.df_residual)
}
