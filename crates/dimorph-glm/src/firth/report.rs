//! The text and tidy tables of a Firth fit: logistf's `summary` (coef, se(coef), limits,
//! Chisq, p, method; the likelihood-ratio test line), PROC LOGISTIC's *Analysis of Penalized
//! Maximum Likelihood Estimates* and *Testing Global Null Hypothesis*, the `coefficients` and
//! `fit` tables.

use dimorph_core::TidyTable;
use dimorph_report::fmt::{fixed, p_sas, sig};
use dimorph_report::{Section, Table};

use super::result::FirthReport;
use crate::report::num::{note_na, sg};

/// The percent of a level as logistf prints it in its column names (`0.95`).
fn level_text(level: f64) -> String {
    let s = fixed(level, 6);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A limit or `NA`.
fn opt(x: Option<f64>) -> String {
    x.map_or("NA".into(), |v| sg(v, 7))
}

/// The report text of `dimorph glm --firth`.
pub fn section(r: &FirthReport) -> Section {
    let mut s = Section::new(format!(
        "glm --firth: {}  (binomial, link = logit; Firth's penalised likelihood)",
        r.formula
    ));
    if let Some(e) = &r.event {
        s.text(e.describe());
    }
    let method = if r.profile {
        "Profile penalized log-likelihood"
    } else {
        "Wald"
    };
    s.text(format!(
        "Model fitted by Penalized ML (Jeffreys prior, logistf / PROC LOGISTIC FIRTH); confidence intervals and p-values by {method}."
    ));
    let lv = level_text(r.level);
    let lower = format!("lower {lv}");
    let upper = format!("upper {lv}");
    let mut t = Table::new("Coefficients", &["", "coef", "se(coef)", &lower, &upper, "Chisq", "p"]);
    for c in &r.coefficients {
        let ci = c.ci();
        let chisq = c.lr_chisq.unwrap_or(c.wald_z * c.wald_z);
        t.row([
            c.name.clone(),
            sg(c.estimate, 7),
            sg(c.se, 7),
            opt(ci[0]),
            opt(ci[1]),
            sg(chisq, 7),
            sg(c.p(), 7),
        ]);
    }
    t.note(format!(
        "Chisq and p: {}; se(coef) from the inverse penalised information.",
        if r.profile {
            "penalised likelihood-ratio test of coef = 0 (the other coefficients refitted)"
        } else {
            "Wald test (profile intervals and penalised likelihood-ratio tests not computed)"
        }
    ));
    note_na(
        &mut t,
        "the profile limit was not found (see the warnings); the Wald interval is in the coefficients table.",
    );
    s.table(t);
    s.text(format!(
        "Likelihood ratio test={} on {} df, p={}, n={}",
        sg(r.lr_test.chisq, 7),
        r.lr_test.df,
        sg(r.lr_test.p_value, 6),
        sig(r.n_obs, 10)
    ));
    s.text(format!(
        "Penalized log-likelihood: {} (intercept only: {}); log-likelihood without the penalty: {}; {} iterations{}.",
        fixed(r.loglik_penalised, 6),
        fixed(r.loglik_penalised_null, 6),
        fixed(r.loglik, 6),
        r.iterations,
        if r.converged { "" } else { " (not converged)" }
    ));
    s.table(sas_estimates(r));
    s.table(sas_global(r));
    for n in &r.notes {
        s.text(n.clone());
    }
    s
}

/// PROC LOGISTIC's estimates table under FIRTH (Wald tests).
fn sas_estimates(r: &FirthReport) -> Table {
    let mut t = Table::new(
        "Analysis of Penalized Maximum Likelihood Estimates",
        &[
            "Parameter",
            "DF",
            "Estimate",
            "Standard Error",
            "Wald Chi-Square",
            "Pr > ChiSq",
        ],
    );
    for c in &r.coefficients {
        t.row([
            if c.name == "(Intercept)" {
                "Intercept".to_string()
            } else {
                c.name.clone()
            },
            "1".to_string(),
            fixed(c.estimate, 4),
            fixed(c.se, 4),
            fixed(c.wald_z * c.wald_z, 4),
            p_sas(c.wald_p),
        ]);
    }
    t
}

/// PROC LOGISTIC's global test, penalised likelihood ratio.
fn sas_global(r: &FirthReport) -> Table {
    let mut t = Table::new(
        "Testing Global Null Hypothesis: BETA=0",
        &["Test", "Chi-Square", "DF", "Pr > ChiSq"],
    );
    t.row([
        "Likelihood Ratio".to_string(),
        fixed(r.lr_test.chisq, 4),
        r.lr_test.df.to_string(),
        p_sas(r.lr_test.p_value),
    ]);
    t.note("-2 log L here is of the penalised likelihood, as PROC LOGISTIC reports under FIRTH.");
    t
}

/// One row per coefficient: the interval and p-value reported (profile penalised likelihood, or
/// Wald), and the Wald figures beside them.
pub fn coefficients_table(r: &FirthReport) -> TidyTable {
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
            "test",
            "wald_z",
            "wald_p",
            "wald_conf_low",
            "wald_conf_high",
        ],
    );
    for c in &r.coefficients {
        let ci = c.ci();
        let (stat, test) = match c.lr_chisq {
            Some(x) => (x, "penalised_lr"),
            None => (c.wald_z * c.wald_z, "wald"),
        };
        t.push(vec![
            c.name.as_str().into(),
            c.estimate.into(),
            c.se.into(),
            stat.into(),
            c.p().into(),
            ci[0].into(),
            ci[1].into(),
            if c.profile_ci.is_some() {
                "profile_penalised"
            } else {
                "wald"
            }
            .into(),
            test.into(),
            c.wald_z.into(),
            c.wald_p.into(),
            c.wald_ci[0].into(),
            c.wald_ci[1].into(),
        ]);
    }
    t
}

/// The one-row summary of the fit.
pub fn fit_table(r: &FirthReport) -> TidyTable {
    let mut t = TidyTable::new(
        "fit",
        &[
            "method",
            "nobs",
            "events",
            "rows_used",
            "loglik_penalised",
            "loglik_penalised_null",
            "loglik",
            "lr_chisq",
            "lr_df",
            "lr_p_value",
            "iterations",
            "converged",
        ],
    );
    t.push(vec![
        "firth".into(),
        r.n_obs.into(),
        r.events.into(),
        r.n_used.into(),
        r.loglik_penalised.into(),
        r.loglik_penalised_null.into(),
        r.loglik.into(),
        r.lr_test.chisq.into(),
        r.lr_test.df.into(),
        r.lr_test.p_value.into(),
        r.iterations.into(),
        r.converged.into(),
    ]);
    t
}

/// The headline figures in two or three lines.
pub fn summary(r: &FirthReport) -> Vec<String> {
    let coefs: Vec<String> = r
        .coefficients
        .iter()
        .take(6)
        .map(|c| format!("{} {}", c.name, sig(c.estimate, 4)))
        .collect();
    vec![
        format!(
            "glm --firth {}: binomial logit, Firth's penalised likelihood; {} of {} rows used",
            r.formula, r.n_used, r.n_read
        ),
        format!(
            "penalised log-likelihood {}; penalised LR test {} on {} df, p = {}",
            fixed(r.loglik_penalised, 4),
            fixed(r.lr_test.chisq, 4),
            r.lr_test.df,
            sig(r.lr_test.p_value, 4)
        ),
        format!("coefficients: {}", coefs.join(", ")),
    ]
}
