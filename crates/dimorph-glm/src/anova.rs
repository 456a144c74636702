//! Comparing nested models fitted to the same rows: R's `anova(m1, m2, …)` for `glm` objects
//! (`anova.glmlist`): each model's residual df and deviance, and for each model after the first
//! the change against the one before, tested by the likelihood ratio (χ² of the deviance change
//! over φ) and, where the dispersion is estimated, by F = (ΔD/Δdf)/φ on (Δdf, df of φ).
//!
//! As R: φ is taken from the model with the fewest residual df (the largest) — 1 for the binomial,
//! Poisson and negative binomial families, else its Pearson χ²/df (or what `--dispersion` says) —
//! and its df are ∞ for a fixed φ, else that model's residual df.

use serde::Serialize;

use dimorph_data::Frame;

use crate::design::{model_frame, ModelFrame};
use crate::error::{GlmError, Result};
use crate::fit::fit;
use crate::inference::chi2_sf;
use crate::options::RunOptions;

/// One line of the analysis of deviance table.
#[derive(Debug, Clone, Serialize)]
pub struct AnovaRow {
    pub formula: String,
    pub df_residual: f64,
    pub deviance: f64,
    /// Change of residual df against the model before (NaN for the first).
    pub df: f64,
    /// Deviance of the model before minus this one's (NaN for the first).
    pub deviance_change: f64,
    /// Likelihood-ratio p-value, P(χ²_|df| > |ΔD|/φ).
    pub chisq_p: f64,
    /// F = (ΔD/Δdf)/φ where the dispersion is estimated, else NaN.
    pub f: f64,
    pub f_p: f64,
}

/// R's analysis of deviance table for nested models.
#[derive(Debug, Clone, Serialize)]
pub struct Anova {
    pub rows: Vec<AnovaRow>,
    /// φ of the largest model.
    pub dispersion: f64,
    /// Its df (∞ for a fixed φ, written as null in JSON).
    pub dispersion_df: f64,
    pub family: String,
    pub link: String,
    /// Rows every model is fitted to.
    pub rows_used: usize,
    /// Rows dropped because another model's variable is missing there.
    pub rows_dropped: usize,
    /// What the user should know (rows dropped); they go to the outcome's warnings.
    #[serde(skip)]
    pub warnings: Vec<String>,
}

/// Fits every formula to `data` with `opts` (the same family for all) and compares them in the
/// order given. Refuses fewer than two formulas, models of different families, responses or
/// offsets, consecutive models whose terms are not nested (neither term set contains the other),
/// and a negative binomial with θ estimated (each model would have its own θ: fix it with
/// --theta). Rows missing a variable of any model are dropped from all (as R's anova needs,
/// `na.omit` on the union of the variables), counted in [`Anova::rows_dropped`] and the warnings.
pub fn compare(data: &Frame, formulas: &[String], opts: &RunOptions) -> Result<Anova> {
    if formulas.len() < 2 {
        return Err(GlmError::argument(
            "anova",
            "needs at least two formulas to compare (nested models, e.g. 'y ~ x' and 'y ~ x + z')",
        ));
    }
    let (frames, rows_dropped) = common_rows(data, formulas, opts)?;
    let family = crate::nesting::check(formulas, &frames, opts)?;
    if matches!(family, crate::family::Family::NegBin { .. }) && opts.theta.is_none() {
        return Err(GlmError::argument(
            "--anova",
            "with the negative binomial, every model would estimate its own θ; fix it with --theta to compare",
        ));
    }
    let mut fits = Vec::with_capacity(formulas.len());
    for (f, mf) in formulas.iter().zip(&frames) {
        let gf = fit(mf, &opts.glm_options(family))?;
        fits.push((f.clone(), gf));
    }
    let mut warnings = Vec::new();
    if rows_dropped > 0 {
        warnings.push(format!(
            "anova: {rows_dropped} row(s) missing a variable of one of the compared models were dropped from all of them, so that every model is fitted to the same {} rows (R's anova needs one data set: na.omit on the variables of all models)",
            frames[0].n
        ));
    }
    let mut a = table_of(&fits)?;
    a.rows_used = frames[0].n;
    a.rows_dropped = rows_dropped;
    a.warnings = warnings;
    Ok(a)
}

/// The model frames of every formula on the rows that all of them can use: where the models
/// use different rows, the rows missing in any are blanked in every column and the frames built
/// again (so that each row keeps its file line). Returns the frames and how many rows that
/// dropped beyond those every model drops.
fn common_rows(data: &Frame, formulas: &[String], opts: &RunOptions) -> Result<(Vec<ModelFrame>, usize)> {
    let frames = formulas
        .iter()
        .map(|f| model_frame(f, data, opts.weights_column()))
        .collect::<Result<Vec<_>>>()?;
    if frames.iter().all(|m| m.lines == frames[0].lines) {
        return Ok((frames, 0));
    }
    let mut common: std::collections::HashSet<usize> = frames[0].lines.iter().copied().collect();
    for m in &frames[1..] {
        let here: std::collections::HashSet<usize> = m.lines.iter().copied().collect();
        common.retain(|l| here.contains(l));
    }
    if common.is_empty() {
        return Err(GlmError::argument(
            "anova",
            "no row has every variable of all the compared models (each row misses one of them)",
        ));
    }
    let largest = frames.iter().map(|m| m.n).max().unwrap_or(0);
    let mut masked = data.clone();
    for i in 0..data.nrows {
        if common.contains(&data.line_of(i)) {
            continue;
        }
        for c in &mut masked.columns {
            match &mut c.data {
                dimorph_data::ColumnData::Num(v) => v[i] = f64::NAN,
                dimorph_data::ColumnData::Text { values, .. } => values[i] = None,
            }
        }
    }
    let frames = formulas
        .iter()
        .map(|f| model_frame(f, &masked, opts.weights_column()))
        .collect::<Result<Vec<_>>>()?;
    Ok((frames, largest - common.len()))
}

/// The analysis of deviance table of fitted models, in order.
fn table_of(fits: &[(String, crate::fit::GlmFit)]) -> Result<Anova> {
    // the largest model: fewest residual df (the first of them, as R's order())
    let big = fits
        .iter()
        .min_by(|a, b| a.1.df_residual.total_cmp(&b.1.df_residual))
        .map(|x| &x.1)
        .ok_or_else(|| GlmError::argument("--anova", "no models"))?;
    let dispersion = big.dispersion;
    let estimated = big.dispersion_estimated();
    let dispersion_df = if estimated { big.df_residual } else { f64::INFINITY };
    let mut rows: Vec<AnovaRow> = Vec::with_capacity(fits.len());
    for (k, (f, gf)) in fits.iter().enumerate() {
        let (df, dd) = if k == 0 {
            (f64::NAN, f64::NAN)
        } else {
            let prev = &fits[k - 1].1;
            (prev.df_residual - gf.df_residual, prev.deviance - gf.deviance)
        };
        let chisq_p = if df.is_finite() && df != 0.0 {
            chi2_sf((dd / dispersion).abs(), df.abs())
        } else {
            f64::NAN
        };
        let (fv, fp) = if estimated && df.is_finite() && df != 0.0 {
            let fv = dd / df / dispersion;
            (fv, dimorph_core::dist::pf_upper(fv, df.abs(), dispersion_df))
        } else {
            (f64::NAN, f64::NAN)
        };
        rows.push(AnovaRow {
            formula: f.clone(),
            df_residual: gf.df_residual,
            deviance: gf.deviance,
            df,
            deviance_change: dd,
            chisq_p,
            f: fv,
            f_p: fp,
        });
    }
    Ok(Anova {
        rows,
        dispersion,
        dispersion_df,
        family: big.family.name(),
        link: big.link.name().to_string(),
        rows_used: 0,
        rows_dropped: 0,
        warnings: Vec::new(),
    })
}

/// The tidy table `anova`: one row per model.
pub fn table(a: &Anova) -> dimorph_core::TidyTable {
    let mut t = dimorph_core::TidyTable::new(
        "anova",
        &[
            "model",
            "formula",
            "df_residual",
            "deviance",
            "df",
            "deviance_change",
            "chisq_p_value",
            "f_value",
            "f_p_value",
        ],
    );
    for (k, r) in a.rows.iter().enumerate() {
        t.push(vec![
            (k + 1).into(),
            r.formula.as_str().into(),
            r.df_residual.into(),
            r.deviance.into(),
            r.df.into(),
            r.deviance_change.into(),
            r.chisq_p.into(),
            r.f.into(),
            r.f_p.into(),
        ]);
    }
    t
}
