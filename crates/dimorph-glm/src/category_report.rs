//! The text of the ordinal ([`crate::ordinal`]) and multinomial ([`crate::multinom`]) fits, as
//! R prints `summary(polr(...))` / `summary(multinom(...))` and as SAS PROC LOGISTIC prints its
//! "Analysis of Maximum Likelihood Estimates", "Model Fit Statistics", "Testing Global Null
//! Hypothesis: BETA=0" and "Score Test for the Proportional Odds Assumption" tables.

use dimorph_report::fmt::{fixed, p_sas, sig};
use dimorph_report::{Section, Table};

use crate::category::{CategoricalReport, ChiSquareTest};

/// A number, or NA.
fn num(x: f64, digits: usize) -> String {
    if x.is_finite() {
        sig(x, digits)
    } else {
        "NA".into()
    }
}

/// A count (or a sum of weights) without trailing zeros.
fn count(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        sig(x, 8)
    }
}

/// The levels and the rows, in a few lines.
fn header(r: &CategoricalReport) -> String {
    let counts: Vec<String> = r
        .levels
        .names
        .iter()
        .zip(&r.levels.counts)
        .map(|(l, c)| format!("{} ({})", dimorph_core::text::clip(l), count(*c)))
        .collect();
    let mut s = format!(
        "Response {}: {} levels, {}: {}\n{} rows used of {}; {} observations.\n",
        r.levels.column,
        r.levels.names.len(),
        r.levels.order,
        counts.join(" < "),
        r.n_used,
        r.n_read,
        count(r.n_obs)
    );
    if !r.converged {
        s.push_str(&format!("The fit did NOT converge in {} iterations.\n", r.iterations));
    }
    for n in &r.notes {
        s.push_str(n);
        s.push('\n');
    }
    s
}

/// SAS's model fit statistics and global LR test.
fn sas_fit_tables(r: &CategoricalReport, s: &mut Section) {
    let k = r.n_parameters as f64;
    let k0 = r
        .coefficients
        .iter()
        .filter(|c| c.kind == "threshold" || c.term == "(Intercept)")
        .count() as f64;
    let k0 = if r.model == "ordinal" {
        k0
    } else {
        (r.levels.names.len() - 1) as f64
    };
    let ln_n = r.n_obs.ln();
    let mut t = Table::new(
        "Model Fit Statistics",
        &["Criterion", "Intercept Only", "Intercept and Covariates"],
    );
    t.row([
        "AIC".to_string(),
        fixed(r.null_deviance + 2.0 * k0, 3),
        fixed(r.deviance + 2.0 * k, 3),
    ]);
    t.row([
        "SC".to_string(),
        fixed(r.null_deviance + ln_n * k0, 3),
        fixed(r.deviance + ln_n * k, 3),
    ]);
    t.row(["-2 Log L".to_string(), fixed(r.null_deviance, 3), fixed(r.deviance, 3)]);
    s.table(t);
    if let Some(lr) = &r.lr_test {
        let mut t = Table::new(
            "Testing Global Null Hypothesis: BETA=0",
            &["Test", "Chi-Square", "DF", "Pr > ChiSq"],
        );
        t.row([
            "Likelihood Ratio".to_string(),
            fixed(lr.chi_square, 4),
            lr.df.to_string(),
            p_sas(lr.p_value),
        ]);
        s.table(t);
    }
}

fn chi_table(title: &str, t: &ChiSquareTest) -> Table {
    let mut tab = Table::new(title, &["Chi-Square", "DF", "Pr > ChiSq"]);
    tab.row([fixed(t.chi_square, 4), t.df.to_string(), p_sas(t.p_value)]);
    tab
}

/// polr's summary and PROC LOGISTIC's tables of a cumulative link fit.
pub fn ordinal_sections(r: &CategoricalReport) -> Vec<Section> {
    let mut a = Section::new(format!("Cumulative {} model: {}", r.link, r.formula));
    a.pre(header(r));
    a.text(format!(
        "R (MASS::polr) convention: {}(P(Y <= j)) = zeta_j - eta, eta = x'beta.",
        r.link
    ));
    let mut coef = Table::new("Coefficients", &["", "Value", "Std. Error", "t value"]);
    let mut ints = Table::new("Intercepts", &["", "Value", "Std. Error", "t value"]);
    for c in &r.coefficients {
        let row = [c.term.clone(), num(c.estimate, 6), num(c.se, 6), num(c.z, 5)];
        if c.kind == "threshold" {
            ints.row(row);
        } else {
            coef.row(row);
        }
    }
    a.table(coef);
    a.table(ints);
    a.pre(format!(
        "Residual Deviance: {}\nAIC: {}\n",
        fixed(r.deviance, 4),
        fixed(r.aic, 4)
    ));
    let mut b = Section::new("PROC LOGISTIC (cumulative model)");
    b.text(format!(
        "SAS convention: {}(P(Y <= j)) = alpha_j + x'b, so alpha = zeta and b = -beta; PROC LOGISTIC models the probabilities of the lower ordered values ({}).",
        r.link,
        r.levels.names.join(" < ")
    ));
    if let Some(t) = &r.parallel_score_test {
        let title = if r.link == "logit" {
            "Score Test for the Proportional Odds Assumption"
        } else {
            "Score Test for the Equal Slopes Assumption"
        };
        b.table(chi_table(title, t));
    }
    sas_fit_tables(r, &mut b);
    let mut t = Table::new(
        "Analysis of Maximum Likelihood Estimates",
        &[
            "Parameter",
            "",
            "DF",
            "Estimate",
            "Standard Error",
            "Wald Chi-Square",
            "Pr > ChiSq",
        ],
    );
    for c in &r.coefficients {
        let (name, level, est) = if c.kind == "threshold" {
            let lower = c.term.split('|').next().unwrap_or("").to_string();
            ("Intercept".to_string(), lower, c.estimate)
        } else {
            (c.term.clone(), String::new(), -c.estimate)
        };
        t.row([
            name,
            level,
            "1".into(),
            num(est, 6),
            num(c.se, 6),
            num(c.z * c.z, 6),
            p_sas(c.p_value),
        ]);
    }
    b.table(t);
    vec![a, b]
}

/// multinom's summary and PROC LOGISTIC's (LINK=GLOGIT) tables of a baseline-category logit fit.
pub fn multinomial_sections(r: &CategoricalReport) -> Vec<Section> {
    let reference = r.reference.clone().unwrap_or_default();
    let mut a = Section::new(format!("Multinomial (baseline-category) logit: {}", r.formula));
    a.pre(header(r));
    a.text(format!(
        "R (nnet::multinom) convention: log(P(Y = j) / P(Y = {reference})) = x'beta_j; reference level '{reference}'."
    ));
    let terms: Vec<String> = {
        let mut t: Vec<String> = Vec::new();
        for c in &r.coefficients {
            if !t.contains(&c.term) {
                t.push(c.term.clone());
            }
        }
        t
    };
    let mut head: Vec<&str> = vec![""];
    head.extend(terms.iter().map(String::as_str));
    let mut est = Table::new("Coefficients", &head);
    let mut ses = Table::new("Std. Errors", &head);
    for lev in r.levels.names.iter().filter(|l| **l != reference) {
        let cs: Vec<_> = r.coefficients.iter().filter(|c| &c.kind == lev).collect();
        let mut e = vec![lev.clone()];
        e.extend(cs.iter().map(|c| num(c.estimate, 6)));
        est.row(e);
        let mut s = vec![lev.clone()];
        s.extend(cs.iter().map(|c| num(c.se, 6)));
        ses.row(s);
    }
    a.table(est);
    a.table(ses);
    a.pre(format!(
        "Residual Deviance: {}\nAIC: {}\n",
        fixed(r.deviance, 4),
        fixed(r.aic, 4)
    ));
    let mut b = Section::new("PROC LOGISTIC (LINK=GLOGIT)");
    b.text(format!(
        "SAS convention: the same logits, log(P(Y = j) / P(Y = '{reference}')); PROC LOGISTIC's default reference is the last level (REF=LAST) — this fit uses '{reference}'."
    ));
    sas_fit_tables(r, &mut b);
    let mut t = Table::new(
        "Analysis of Maximum Likelihood Estimates",
        &[
            "Parameter",
            &r.levels.column,
            "DF",
            "Estimate",
            "Standard Error",
            "Wald Chi-Square",
            "Pr > ChiSq",
        ],
    );
    for c in &r.coefficients {
        let name = if c.term == "(Intercept)" {
            "Intercept".to_string()
        } else {
            c.term.clone()
        };
        t.row([
            name,
            c.kind.clone(),
            "1".into(),
            num(c.estimate, 6),
            num(c.se, 6),
            num(c.z * c.z, 6),
            p_sas(c.p_value),
        ]);
    }
    b.table(t);
    vec![a, b]
}
