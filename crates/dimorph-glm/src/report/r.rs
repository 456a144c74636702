//! R's `summary.glm` printout of a fit: the call, the coefficient table with significance stars
//! (z tests for a fixed dispersion, t tests on the residual df when it is estimated), the
//! dispersion, the null and residual deviances, AIC and the number of Fisher-scoring
//! iterations; for `glm.nb`, θ with its standard error and 2 × log-likelihood.

use std::fmt::Write as _;

use dimorph_report::fmt::{p_r, sig, stars};

use super::num::fx;
use dimorph_report::Table;

use crate::family::Family;
use crate::fit::GlmFit;
use crate::inference::Inference;

/// Decimals that give every value at least `digits` significant digits (R's `format` on a
/// column), capped.
fn common_decimals(vals: &[f64], digits: i32, cap: usize) -> usize {
    vals.iter()
        .filter(|v| v.is_finite() && **v != 0.0)
        .map(|v| (digits - 1 - v.abs().log10().floor() as i32).max(0) as usize)
        .max()
        .unwrap_or(0)
        .min(cap)
}

/// `s`, or `NA` when `x` is NaN (an aliased coefficient).
fn na(x: f64, s: String) -> String {
    if x.is_nan() {
        "NA".into()
    } else {
        s
    }
}

/// The family as R's `print.summary.glm` names it (`Negative Binomial(1.234)` for `glm.nb`).
fn family_label(f: &GlmFit) -> String {
    match (f.family, &f.theta) {
        (Family::NegBin { .. }, Some(t)) => format!("Negative Binomial({})", sig(t.theta, 4)),
        _ => f.family.name(),
    }
}

/// The coefficient table with R's column names and stars.
fn coefficients(inf: &Inference) -> Table {
    let est_se: Vec<f64> = inf.coefficients.iter().flat_map(|c| [c.estimate, c.se]).collect();
    let d = common_decimals(&est_se, 4, 10);
    let tname = if inf.t_tests {
        ("t value", "Pr(>|t|)")
    } else {
        ("z value", "Pr(>|z|)")
    };
    let mut t = Table::new("", &["", "Estimate", "Std. Error", tname.0, tname.1, ""]);
    for c in &inf.coefficients {
        t.row([
            c.name.clone(),
            na(c.estimate, fx(c.estimate, d)),
            na(c.estimate, fx(c.se, d)),
            na(c.estimate, fx(c.statistic, 3)),
            na(c.estimate, p_r(c.p_value)),
            stars(c.p_value).to_string(),
        ]);
    }
    t
}

/// R's `summary.glm` printout; `formula` and `data` name the call.
/// `se_label` names a robust covariance the standard errors come from (z tests then).
pub fn summary(formula: &str, data: &str, f: &GlmFit, inf: &Inference, se_label: Option<&str>) -> String {
    let mut o = String::new();
    let fam = family_label(f);
    let _ = writeln!(
        o,
        "Call:  glm(formula = {}, family = {}(link = \"{}\"), data = {})\n",
        formula,
        fam,
        f.link.name(),
        data
    );
    match se_label {
        Some(l) => {
            let _ = writeln!(o, "Coefficients (standard errors: {l}; z tests):");
        }
        None => {
            let _ = writeln!(o, "Coefficients:");
        }
    }
    o.push_str(&coefficients(inf).to_text());
    let undefined = inf
        .coefficients
        .iter()
        .any(|c| !c.estimate.is_nan() && [c.estimate, c.se, c.statistic].iter().any(|v| !v.is_finite()));
    if undefined {
        let _ = writeln!(o, "(NA: {})", super::genmod::UNDEFINED_SE);
    }
    let _ = writeln!(
        o,
        "---\nSignif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1\n"
    );
    if f.dispersion_estimated() {
        let _ = writeln!(
            o,
            "(Dispersion parameter for {} family taken to be {})\n",
            f.family.name(),
            sig(f.dispersion, 7)
        );
    } else {
        let _ = writeln!(o, "(Dispersion parameter for {} family taken to be 1)\n", fam);
    }
    // NA where the null model has no valid fit (its warning says why), as R prints NA
    let null_dev = if f.null_deviance.is_nan() {
        "NA".to_string()
    } else {
        sig(f.null_deviance, 5)
    };
    let _ = writeln!(o, "    Null deviance: {null_dev}  on {}  degrees of freedom", f.df_null);
    let _ = writeln!(
        o,
        "Residual deviance: {}  on {}  degrees of freedom",
        sig(f.deviance, 5),
        f.df_residual
    );
    if !f.aliased.is_empty() {
        let _ = writeln!(o, "  ({} not defined because of singularities)", f.aliased.len());
    }
    let _ = writeln!(o, "AIC: {}\n", if f.aic.is_nan() { "NA".into() } else { sig(f.aic, 5) });
    let _ = writeln!(o, "Number of Fisher Scoring iterations: {}", f.iterations);
    if let Some(t) = &f.theta {
        let _ = writeln!(
            o,
            "\n              Theta:  {}\n          Std. Err.:  {}\n 2 x log-likelihood:  {}",
            sig(t.theta, 5),
            if t.se.is_finite() {
                sig(t.se, 5)
            } else {
                "NA (the likelihood is flat in θ)".into()
            },
            fx(2.0 * f.loglik, 3)
        );
    }
    o
}
