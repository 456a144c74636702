//! The engine's one entry point, [`run`]: a formula fitted to a data frame, with the report a
//! person reads (R's summary, SAS GENMOD and PROC LOGISTIC blocks), the tidy tables
//! ([`crate::tables`]), optional residuals and predictions for new data, and the warnings — all in
//! one [`Outcome`]. Nothing is printed or written here.
//!
//! The pipeline: formula + frame → [`model_frame`] (X, y, weights, offsets; rows with missing
//! values dropped) → [`crate::fit::fit`] (IRLS, §4.1) → [`crate::inference::infer`] (Wald, profile,
//! likelihood-ratio and score tests) → report and tables.

use dimorph_data::Frame;
use dimorph_report::fmt::{fixed, sig};

use crate::report::num::{note_na, sg};
use dimorph_report::{Outcome, Section, Table};

use crate::design::{model_frame, ModelFrame};
use crate::error::Result;
use crate::options::RunOptions;
use crate::report::{analyze_with, GlmReport};
use crate::residuals::{predict, residuals, Prediction};
use crate::robust::{HcType, RobustSpec};
use crate::tables;

/// Fits `formula` to `data` with `opts`; with `new_data`, predicts for its rows too.
///
/// The outcome's result is the [`GlmReport`] (with `residuals` when `opts.residuals`, and
/// `predictions` for `new_data`); its tables are `coefficients` (the main one), `fit`, `type3`,
/// then `residuals` and `predictions` when present; its section is the report text of
/// `dimorph glm`, followed by the predictions; its warnings are the fit's (separation,
/// aliased columns, rows dropped) and rows of `new_data` skipped for missing values.
pub fn run(data: &Frame, formula: &str, new_data: Option<&Frame>, opts: &RunOptions) -> Result<Outcome<GlmReport>> {
    run_with_progress(data, formula, new_data, opts, &mut |_: &str, _: usize, _: usize| {})
}

/// [`run`] with a progress observer, called as `(phase, done, total)` from this thread before
/// and after the fit and around each refit group (profile intervals per coefficient, Type 3
/// refits per term); the front end decides whether and how to show it.
pub fn run_with_progress(
    data: &Frame,
    formula: &str,
    new_data: Option<&Frame>,
    opts: &RunOptions,
    progress: &mut dyn FnMut(&str, usize, usize),
) -> Result<Outcome<GlmReport>> {
    opts.validate()?;
    if opts.firth {
        return Err(crate::error::GlmError::argument(
            "--firth",
            "the penalised fit has its own entry point and report, dimorph_glm::firth::run; analysis::run fits the ordinary model",
        ));
    }
    // a two-level response (text, or numbers with --event) recoded to 1 = event, 0 = other
    let recoded = crate::event::recode(data, formula, opts.event.as_deref())?;
    let (data, event) = match &recoded {
        Some((f, e)) => (f, Some(e.clone())),
        None => (data, None),
    };
    let mf = model_frame(formula, data, opts.weights_column())?;
    let family = opts.family_for(mf.trials.is_some() || event.is_some())?;
    if let Some(e) = &event {
        if !family.is_binomial() {
            return Err(crate::error::GlmError::argument(
                if opts.event.is_some() { "--event" } else { "--family" },
                format!(
                    "the response {} has two levels ('{}', '{}'), a binary response, which needs binomial (or quasibinomial), not {}",
                    e.column,
                    crate::error::clip(&e.event),
                    crate::error::clip(&e.nonevent),
                    family.name()
                ),
            ));
        }
    }
    let (aopts, notes) = opts.analysis_options(mf.n, mf.p);
    let robust = robust_spec(data, &mf, opts)?;
    let mut report = analyze_with(
        &mf,
        formula,
        &opts.glm_options(family),
        &aopts,
        robust.as_ref(),
        progress,
    )?;
    report.event = event;
    if !opts.anova.is_empty() {
        let mut formulas = vec![formula.to_string()];
        formulas.extend(opts.anova.iter().cloned());
        report.anova = Some(crate::anova::compare(data, &formulas, opts)?);
    }
    report.notes = if report.fit.family.has_likelihood() {
        notes
    } else {
        notes.into_iter().filter(|n| !n.starts_with("Profile")).collect()
    };
    let mut warnings = report.fit.warnings.clone();
    if let Some(a) = &report.anova {
        warnings.extend(a.warnings.iter().cloned());
    }
    if report.fit.separation.is_some()
        && report.fit.family == crate::Family::Binomial
        && report.fit.link == crate::Link::Logit
    {
        warnings.push(
            "with separation, Firth's penalised likelihood (--firth, as R's logistf) gives finite estimates, standard errors and profile intervals".into(),
        );
    }
    if report.fit.family.has_likelihood() && report.fit.loglik.is_infinite() {
        // R prints AIC -Inf for this without a word; say what it means
        warnings.push(format!(
            "the log-likelihood is infinite (AIC {}): the model reproduces every response exactly (residual deviance {}: a constant response, or as many coefficients as distinct rows), so AIC, BIC and likelihood-ratio tests carry no information",
            if report.fit.aic < 0.0 { "-Inf" } else { "Inf" },
            dimorph_core::text::num(report.fit.deviance)
        ));
    }
    if opts.residuals {
        report.residuals = Some(residuals(&mf, &report.fit));
    }
    if let Some(nf) = new_data {
        let (p, skipped) = predictions(&mf, &report, nf, opts.level)?;
        warnings.extend(skipped);
        report.predictions = Some(p);
    }
    let title = format!(
        "glm: {}  ({}, link = {})",
        formula,
        report.fit.family.name(),
        report.fit.link.name()
    );
    let profile = report.inference.profile_computed;
    let mut sections = vec![report.section(&title)];
    let mut tidy = vec![
        tables::coefficients(&report, profile),
        tables::fit(&report),
        tables::type3(&report),
    ];
    if let Some(a) = &report.anova {
        sections.push(crate::report::deviance::section(a));
        tidy.push(crate::anova::table(a));
    }
    if let Some(r) = &report.residuals {
        tidy.push(tables::residuals(r));
    }
    if let Some(p) = &report.predictions {
        sections.push(predictions_section(p, opts.level));
        tidy.push(tables::predictions(p));
    }
    Ok(Outcome {
        summary: summary(&report),
        result: report,
        sections,
        tables: tidy,
        files: Vec::new(),
        warnings,
    })
}

/// What `--robust` and `--cluster` ask for on these data (`--cluster` alone: HC1, i.e. CR1).
fn robust_spec(data: &Frame, mf: &ModelFrame, opts: &RunOptions) -> Result<Option<RobustSpec>> {
    let hc = match (opts.robust, &opts.cluster) {
        (None, None) => return Ok(None),
        (Some(h), _) => h,
        (None, Some(_)) => HcType::Hc1,
    };
    let clusters = match &opts.cluster {
        Some(name) => {
            let (idx, g) = crate::robust::cluster_index(data, mf, name)?;
            Some((idx, g, name.clone()))
        }
        None => None,
    };
    Ok(Some(RobustSpec { hc, clusters }))
}

/// Predictions for the rows of `nf`, and a warning for the rows skipped for missing values.
fn predictions(
    mf: &ModelFrame,
    report: &GlmReport,
    nf: &Frame,
    level: f64,
) -> Result<(Vec<Prediction>, Option<String>)> {
    let nd = mf.spec.design_for(nf)?;
    let skipped = (nd.n_dropped > 0).then(|| {
        format!(
            "{}: {} of {} rows skipped for missing predictor values",
            nf.source, nd.n_dropped, nd.n_read
        )
    });
    Ok((
        predict(&report.fit, &nd.x, nd.offset.as_deref(), &nd.lines, level),
        skipped,
    ))
}

/// The predictions as a text table.
fn predictions_section(p: &[Prediction], level: f64) -> Section {
    let pct = fixed(100.0 * level, 4);
    let pct = pct.trim_end_matches('0').trim_end_matches('.');
    let mut s = Section::new(format!("Predictions ({pct}% intervals)"));
    let mut t = Table::new("", &crate::tables::with_line(&Prediction::COLUMNS));
    for r in p {
        let mut row = vec![r.line.to_string()];
        row.extend(r.values().map(|x| sg(x, 6)));
        t.row(row);
    }
    note_na(
        &mut t,
        "beyond the range of double precision (the linear predictor, its standard error or the interval overflows for these predictor values).",
    );
    s.table(t);
    s
}

/// The headline figures in two or three short lines.
fn summary(r: &GlmReport) -> Vec<String> {
    let f = &r.fit;
    let mut out = vec![format!(
        "glm {}: {}, link = {}; {} of {} rows used",
        r.formula,
        f.family.name(),
        f.link.name(),
        f.n_used,
        f.n_read
    )];
    let aic = if f.aic.is_nan() {
        String::new()
    } else {
        format!("; AIC {}", fixed(f.aic, 3))
    };
    out.push(format!(
        "deviance {} on {} df (null {} on {} df){aic}",
        fixed(f.deviance, 4),
        f.df_residual,
        fixed(f.null_deviance, 4),
        f.df_null
    ));
    let coefs: Vec<String> = r
        .inference
        .coefficients
        .iter()
        .take(6)
        .map(|c| format!("{} {}", c.name, sig(c.estimate, 4)))
        .collect();
    let more = r.inference.coefficients.len().saturating_sub(6);
    out.push(format!(
        "coefficients: {}{}",
        coefs.join(", "),
        if more > 0 {
            format!(" (+{more} more)")
        } else {
            String::new()
        }
    ));
    out
}
