//! The tidy tables of a run (R broom's shapes, one row per coefficient, per row of data, …),
//! written as `<name>.csv` into the output folder and printed by `--format csv`:
//!
//! - `coefficients` (broom's `tidy`): term, estimate, std_error, statistic, p_value, conf_low,
//!   conf_high, conf_method (`profile` for the profile-likelihood interval, R's `confint`;
//!   `wald` for estimate ± z·se, R's `confint.default`, when profile intervals are off or the
//!   family has no likelihood), std_error_type (`model`, or the robust covariance: `HC0`…`HC3`,
//!   `CR1 by id`);
//! - `fit` (broom's `glance`): one row with the family, link, number of observations, degrees
//!   of freedom, deviances, Pearson χ², dispersion, log-likelihood, AIC, BIC, θ and iterations;
//! - `type3`: the likelihood-ratio and Wald test of each term;
//! - `residuals` (broom's `augment`): every used row's residuals, leverage and Cook's distance;
//! - `predictions`: every new row's linear predictor and mean with standard errors and
//!   confidence intervals.

use dimorph_core::{Cell, TidyTable};

use crate::report::GlmReport;
use crate::residuals::{Prediction, ResidualRow};

/// One row per coefficient; `profile` says whether the profile-likelihood intervals were
/// computed (else the Wald intervals are given).
pub fn coefficients(r: &GlmReport, profile: bool) -> TidyTable {
    let mut t = TidyTable::new(
        "coefficients",
        &[
            "term",
            "estimate",
            "std_error",
            "statistic",
            "p_value",
            "conf_low",
            "conf_high",
            "conf_method",
            "std_error_type",
        ],
    );
    let se_type = r.robust.as_ref().map_or("model".to_string(), |x| match &x.cluster {
        Some(c) => format!("{} by {c}", x.kind),
        None => x.kind.clone(),
    });
    for c in &r.inference.coefficients {
        let (ci, method) = if profile {
            (c.profile_ci, "profile")
        } else {
            (c.wald_ci, "wald")
        };
        t.push(vec![
            c.name.as_str().into(),
            c.estimate.into(),
            c.se.into(),
            c.statistic.into(),
            c.p_value.into(),
            ci[0].into(),
            ci[1].into(),
            method.into(),
            se_type.as_str().into(),
        ]);
    }
    t
}

/// The one-row summary of the fit.
pub fn fit(r: &GlmReport) -> TidyTable {
    let f = &r.fit;
    let mut t = TidyTable::new(
        "fit",
        &[
            "family",
            "link",
            "nobs",
            "df_null",
            "df_residual",
            "null_deviance",
            "deviance",
            "pearson_chi2",
            "dispersion",
            "loglik",
            "aic",
            "bic",
            "theta",
            "iterations",
            "converged",
        ],
    );
    t.push(vec![
        f.family.name().into(),
        f.link.name().into(),
        f.n_obs.into(),
        f.df_null.into(),
        f.df_residual.into(),
        f.null_deviance.into(),
        f.deviance.into(),
        f.pearson_chi2.into(),
        f.dispersion.into(),
        f.loglik.into(),
        f.aic.into(),
        f.bic.into(),
        f.theta.as_ref().map(|t| t.theta).into(),
        f.iterations.into(),
        f.converged.into(),
    ]);
    t
}

/// One row per model term: its likelihood-ratio (and, with an estimated dispersion, F) and
/// Wald tests.
pub fn type3(r: &GlmReport) -> TidyTable {
    let mut t = TidyTable::new(
        "type3",
        &[
            "term",
            "df",
            "lr_chi2",
            "lr_p_value",
            "f_value",
            "f_p_value",
            "wald_chi2",
            "wald_p_value",
        ],
    );
    for x in &r.inference.type3 {
        t.push(vec![
            x.term.as_str().into(),
            x.df.into(),
            x.lr_chi2.into(),
            x.lr_p.into(),
            x.f.into(),
            x.f_p.into(),
            x.wald_chi2.into(),
            x.wald_p.into(),
        ]);
    }
    t
}

/// One row per used row of the data, by its file line.
pub fn residuals(rows: &[ResidualRow]) -> TidyTable {
    let mut t = TidyTable::new("residuals", &with_line(&ResidualRow::COLUMNS));
    for r in rows {
        t.push(line_and(r.line, r.values()));
    }
    t
}

/// One row per row of the new data, by its file line.
pub fn predictions(rows: &[Prediction]) -> TidyTable {
    let mut t = TidyTable::new("predictions", &with_line(&Prediction::COLUMNS));
    for r in rows {
        t.push(line_and(r.line, r.values()));
    }
    t
}

/// `line` and then `columns`: the header of a table by the data's file lines.
pub(crate) fn with_line<'a>(columns: &[&'a str]) -> Vec<&'a str> {
    std::iter::once("line").chain(columns.iter().copied()).collect()
}

/// A row of such a table: its file line, then its figures.
fn line_and<const K: usize>(line: usize, values: [f64; K]) -> Vec<Cell> {
    std::iter::once(line.into()).chain(values.map(Cell::from)).collect()
}
