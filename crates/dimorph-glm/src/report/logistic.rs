//! SAS PROC LOGISTIC's blocks for a binary response with a logit, probit, complementary
//! log-log or log-log link: Model Fit Statistics, Testing Global Null Hypothesis: BETA=0
//! (likelihood ratio, score, Wald), the Analysis of Maximum Likelihood Estimates with
//! standardized estimates and odds ratios, the Association of Predicted Probabilities and
//! Observed Responses, and the Hosmer–Lemeshow test.

use dimorph_report::fmt::{count, p_sas};

use super::num::{fx, note_na};
use dimorph_report::Table;

use crate::binary::BinaryExtras;
use crate::fit::GlmFit;
use crate::inference::Inference;
use crate::link::Link;
use crate::report::genmod::sas_param;

/// Whether PROC LOGISTIC fits the link (it fits the binary links only).
pub fn fits_link(link: Link) -> bool {
    matches!(link, Link::Logit | Link::Probit | Link::Cloglog | Link::Loglog)
}

/// Every PROC LOGISTIC block, in SAS's order.
/// `se_label` names a robust covariance the standard errors come from.
pub fn tables(f: &GlmFit, inf: &Inference, b: &BinaryExtras, se_label: Option<&str>) -> Vec<Table> {
    let mut est = estimates(f, inf, b);
    if let Some(l) = se_label {
        est.note(format!("Standard errors and Wald tests: {l}."));
    }
    vec![
        model_fit_statistics(b),
        global_null(inf),
        est,
        association(b),
        hosmer_lemeshow(b),
    ]
}

fn model_fit_statistics(b: &BinaryExtras) -> Table {
    let fs = &b.fit_statistics;
    let mut mf = Table::new(
        "The LOGISTIC Procedure — Model Fit Statistics",
        &["Criterion", "Intercept Only", "Intercept and Covariates"],
    );
    mf.row(["AIC".to_string(), fx(fs.aic_intercept_only, 3), fx(fs.aic, 3)]);
    mf.row(["SC".to_string(), fx(fs.sc_intercept_only, 3), fx(fs.sc, 3)]);
    mf.row([
        "-2 Log L".to_string(),
        fx(fs.minus2_log_l_intercept_only, 3),
        fx(fs.minus2_log_l, 3),
    ]);
    note_na(&mut mf, super::genmod::UNDEFINED_TEST);
    mf
}

fn global_null(inf: &Inference) -> Table {
    let g = &inf.global;
    let mut gt = Table::new(
        "Testing Global Null Hypothesis: BETA=0",
        &["Test", "Chi-Square", "DF", "Pr > ChiSq"],
    );
    gt.row([
        "Likelihood Ratio".to_string(),
        fx(g.lr_chi2, 4),
        g.df.to_string(),
        p_sas(g.lr_p),
    ]);
    gt.row([
        "Score".to_string(),
        fx(inf.score.chi2, 4),
        g.df.to_string(),
        p_sas(inf.score.p_value),
    ]);
    gt.row([
        "Wald".to_string(),
        fx(g.wald_chi2, 4),
        g.df.to_string(),
        p_sas(g.wald_p),
    ]);
    note_na(&mut gt, super::genmod::UNDEFINED_TEST);
    gt
}

fn estimates(f: &GlmFit, inf: &Inference, b: &BinaryExtras) -> Table {
    let mut ml = Table::new(
        "Analysis of Maximum Likelihood Estimates",
        &[
            "Parameter",
            "DF",
            "Estimate",
            "Standard Error",
            "Wald Chi-Square",
            "Pr > ChiSq",
            "Standardized Estimate",
            "Odds Ratio",
        ],
    );
    for (j, c) in inf.coefficients.iter().enumerate() {
        if c.estimate.is_nan() {
            continue;
        }
        let is_int = c.name == "(Intercept)";
        ml.row([
            sas_param(&c.name),
            "1".into(),
            fx(c.estimate, 4),
            fx(c.se_observed, 4),
            fx(c.wald_chi2, 4),
            p_sas(c.wald_p),
            if is_int { ".".into() } else { fx(b.standardized[j], 6) },
            if is_int || f.link != Link::Logit {
                ".".into()
            } else {
                fx(c.estimate.exp(), 3)
            },
        ]);
    }
    note_na(&mut ml, super::genmod::UNDEFINED_SE);
    ml
}

fn association(b: &BinaryExtras) -> Table {
    let a = &b.association;
    let mut at = Table::new(
        "Association of Predicted Probabilities and Observed Responses",
        &["", "", "", ""],
    );
    at.header.clear();
    at.row([
        "Percent Concordant".to_string(),
        fx(a.percent_concordant, 1),
        "Somers' D".into(),
        fx(a.somers_d, 3),
    ]);
    at.row([
        "Percent Discordant".to_string(),
        fx(a.percent_discordant, 1),
        "Gamma".into(),
        fx(a.gamma, 3),
    ]);
    at.row([
        "Percent Tied".to_string(),
        fx(a.percent_tied, 1),
        "Tau-a".into(),
        fx(a.tau_a, 3),
    ]);
    at.row(["Pairs".to_string(), count(a.pairs), "c".into(), fx(a.c, 3)]);
    if a.pairs == 0.0 {
        at.note("NA: not defined without pairs (every observation is an event, or none is).");
    } else if a.concordant + a.discordant == 0.0 {
        at.note(
            "NA: Gamma = (C − D)/(C + D) is not defined when every pair is tied (no concordant or discordant pair).",
        );
    }
    at
}

fn hosmer_lemeshow(b: &BinaryExtras) -> Table {
    let h = &b.hosmer_lemeshow;
    let mut ht = Table::new(
        "Hosmer and Lemeshow Goodness-of-Fit Test",
        &["Chi-Square", "DF", "Pr > ChiSq", "Groups"],
    );
    ht.row([
        fx(h.chi2, 4),
        h.df.to_string(),
        p_sas(h.p_value),
        h.groups.len().to_string(),
    ]);
    note_na(
        &mut ht,
        "not defined (fewer than three groups of predicted probabilities, or a group whose expected events are 0 or all of it).",
    );
    ht
}
