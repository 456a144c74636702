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

use crate::design::model_frame;
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
}

/// Fits every formula to `data` with `opts` (the same family for all) and compares them in the
/// order given. Refuses fewer than two formulas, models fitted to different rows, a
/// negative binomial with θ estimated (each model would have its own θ: fix it with --theta).
pub fn compare(data: &Frame, formulas: &[String], opts: &RunOptions) -> Result<Anova> {
    if formulas.len() < 2 {
        return Err(GlmError::argument(
            "--anova",
            "needs at least one formula besides the model's",
        ));
    }
    let mut fits = Vec::with_capacity(formulas.len());
    let mut family_seen: Option<crate::family::Family> = None;
    for f in formulas {
        let mf = model_frame(f, data, opts.weights_column())?;
        let family = opts.family_for(mf.trials.is_some())?;
        if matches!(family, crate::family::Family::NegBin { .. }) && opts.theta.is_none() {
            return Err(GlmError::argument(
                "--anova",
                "with the negative binomial, every model would estimate its own θ; fix it with --theta to compare",
            ));
        }
        if let Some(prev) = family_seen {
            if prev != family {
                return Err(GlmError::argument(
                    "--anova",
                    format!(
                        "the models have different families ({} and {}): the responses differ in kind",
                        prev.name(),
                        family.name()
                    ),
                ));
            }
        }
        family_seen = Some(family);
        let gf = fit(&mf, &opts.glm_options(family))?;
        fits.push((f.clone(), mf.lines.clone(), gf));
    }
    if let Some((f, _, _)) = fits.iter().skip(1).find(|(_, lines, _)| *lines != fits[0].1) {
        return Err(GlmError::argument(
            "--anova",
            format!(
                "the models are fitted to different rows ('{}' and '{}': missing values in different columns); compare models on the same rows",
                crate::error::clip(&fits[0].0),
                crate::error::clip(f)
            ),
        ));
    }
    // the largest model: fewest residual df (the first of them, as R's order())
    let big = fits
        .iter()
        .min_by(|a, b| a.2.df_residual.total_cmp(&b.2.df_residual))
        .map(|x| &x.2)
        .ok_or_else(|| GlmError::argument("--anova", "no models"))?;
    let dispersion = big.dispersion;
    let estimated = big.dispersion_estimated();
    let dispersion_df = if estimated { big.df_residual } else { f64::INFINITY };
    let mut rows: Vec<AnovaRow> = Vec::with_capacity(fits.len());
    for (k, (f, _, gf)) in fits.iter().enumerate() {
        let (df, dd) = if k == 0 {
            (f64::NAN, f64::NAN)
        } else {
            let prev = &fits[k - 1].2;
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
