//! The cumulative link model against R 4.2.2's `MASS::polr` (7.3), computed once by
//! `tests/peers/polr.R` into `tests/peers/polr.csv`: MASS::housing (frequency weights, three text
//! factors) and 250 seeded rows (numeric levels 1..4, two numbers and a factor), each with the
//! logit, probit and cloglog links. polr was converged tightly (optim reltol 1e-15); its standard
//! errors come from optim's finite-difference Hessian. The score test of proportional odds was
//! computed in R from its definition (the general model's score and expected information at the
//! parallel fit, see polr.R).
//!
//! Tolerances (relative to max(1, |value|)): estimates 5e-7 (polr's BFGS stops near, not at,
//! the maximum; measured: 2.5e-8), standard errors 1e-6 (finite-difference Hessian; measured
//! 3.5e-8), log-likelihood, deviance, AIC 1e-9 (measured 3e-15), score statistic and its p-value
//! 1e-7 (measured 6e-9).

use std::collections::HashMap;
use std::path::PathBuf;

use dimorph_glm::link::Link;
use dimorph_glm::ordinal::{run_ordinal, OrdinalOptions};

fn peers() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/peers")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// (model, quantity, term) → value.
fn polr() -> HashMap<(String, String, String), f64> {
    let text = std::fs::read_to_string(peers().join("polr.csv")).expect("polr.csv");
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<String> = l.split(',').map(|s| s.trim_matches('"').to_string()).collect();
            ((f[0].clone(), f[1].clone(), f[2].clone()), f[3].parse().expect("value"))
        })
        .collect()
}

fn close(what: &str, ours: f64, theirs: f64, tol: f64) {
    let err = (ours - theirs).abs() / theirs.abs().max(1.0);
    assert!(
        err <= tol,
        "{what}: ours {ours}, R {theirs}, relative error {err:e} > {tol:e}"
    );
}

fn check(model: &str, data: &str, formula: &str, link: Link, freq: Option<&str>) {
    let r = polr();
    let frame = dimorph_data::read_table(data).expect("data");
    let opts = OrdinalOptions {
        link,
        freq: freq.map(String::from),
        ..Default::default()
    };
    let out = run_ordinal(&frame, formula, &opts).expect("fit");
    let rep = &out.result;
    assert!(rep.converged, "{model}");
    let mut n = 0;
    for c in &rep.coefficients {
        let key = |q: &str| (model.to_string(), q.to_string(), c.term.clone());
        let est = r
            .get(&key("estimate"))
            .unwrap_or_else(|| panic!("{model}: R has no {}", c.term));
        close(&format!("{model} {} estimate", c.term), c.estimate, *est, 5e-7);
        close(&format!("{model} {} se", c.term), c.se, r[&key("se")], 1e-6);
        n += 1;
    }
    let expected = r.keys().filter(|k| k.0 == model && k.1 == "estimate").count();
    assert_eq!(n, expected, "{model}: every R coefficient is compared");
    let one = |q: &str| r[&(model.to_string(), q.to_string(), String::new())];
    close(&format!("{model} loglik"), rep.loglik, one("loglik"), 1e-9);
    close(&format!("{model} deviance"), rep.deviance, one("deviance"), 1e-9);
    close(&format!("{model} aic"), rep.aic, one("aic"), 1e-9);
    close(
        &format!("{model} null deviance"),
        rep.null_deviance,
        one("null_deviance"),
        1e-9,
    );
    let po = rep.parallel_score_test.as_ref().expect("score test");
    close(&format!("{model} PO score"), po.chi_square, one("po_score_chi2"), 1e-7);
    assert_eq!(po.df as f64, one("po_score_df"), "{model}");
    close(&format!("{model} PO p"), po.p_value, one("po_score_p"), 1e-7);
}

#[test]
fn housing_matches_polr_for_each_link() {
    let data = root().join("data/housing.csv");
    for (m, link) in [
        ("logistic", Link::Logit),
        ("probit", Link::Probit),
        ("cloglog", Link::Cloglog),
    ] {
        check(
            &format!("housing_{m}"),
            data.to_str().expect("path"),
            "Sat ~ Infl + Type + Cont",
            link,
            Some("Freq"),
        );
    }
}

#[test]
fn simulated_numeric_levels_match_polr_for_each_link() {
    let data = peers().join("ordinal_sim.csv");
    for (m, link) in [
        ("logistic", Link::Logit),
        ("probit", Link::Probit),
        ("cloglog", Link::Cloglog),
    ] {
        check(
            &format!("sim_{m}"),
            data.to_str().expect("path"),
            "y ~ x1 + x2 + g",
            link,
            None,
        );
    }
}

#[test]
fn text_shows_both_sign_conventions() {
    let frame = dimorph_data::read_table(root().join("data/housing.csv")).expect("data");
    let opts = OrdinalOptions {
        freq: Some("Freq".into()),
        ..Default::default()
    };
    let out = run_ordinal(&frame, "Sat ~ Infl", &opts).expect("fit");
    let text = out.to_text();
    assert!(
        text.contains("zeta_j - eta") && text.contains("alpha_j + x'b"),
        "{text}"
    );
    assert!(
        text.contains("Score Test for the Proportional Odds Assumption"),
        "{text}"
    );
    assert!(text.contains("Low (") && text.contains("Low|Medium"), "{text}");
    // polr's slope and SAS's are opposite
    let slope = out
        .result
        .coefficients
        .iter()
        .find(|c| c.term == "InflLow")
        .expect("InflLow");
    // the last line starting with the term is the PROC LOGISTIC row
    let sas_line = text
        .lines()
        .rfind(|l| l.trim_start().starts_with("InflLow"))
        .expect("SAS row");
    let shown: f64 = sas_line
        .split_whitespace()
        .nth(2)
        .expect("estimate")
        .parse()
        .expect("number");
    assert!(
        (shown + slope.estimate).abs() < 1e-4,
        "{sas_line} vs {}",
        slope.estimate
    );
    // the tidy tables
    assert_eq!(out.tables[0].name, "coefficients");
    assert_eq!(out.tables[1].name, "fit");
}

/// With two levels the cumulative logit model is the logistic regression of P(Y = first level):
/// ζ = the binomial fit's intercept and β = minus its slope (the engine's own binomial GLM, which
/// is checked against R elsewhere; tolerance 1e-6 relative, the IRLS tolerance).
#[test]
fn two_levels_are_the_logistic_regression() {
    let text = std::fs::read_to_string(peers().join("ordinal_sim.csv")).expect("data");
    let mut bin = String::from("low,lev,x1\n");
    for l in text.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        let y: i32 = f[0].parse().expect("y");
        bin.push_str(&format!(
            "{},{},{}\n",
            i32::from(y <= 2),
            if y <= 2 { "lo" } else { "hi" },
            f[1]
        ));
    }
    let frame = dimorph_data::read_csv_bytes("bin.csv", bin.as_bytes()).expect("csv");
    let glm = dimorph_glm::run(
        &frame,
        "low ~ x1",
        None,
        &dimorph_glm::RunOptions {
            family: Some(dimorph_glm::Family::Binomial),
            profile: Some(false),
            tol: 1e-12,
            ..Default::default()
        },
    )
    .expect("glm");
    let b = &glm.result.inference.coefficients;
    let opts = OrdinalOptions {
        levels: Some(vec!["lo".into(), "hi".into()]),
        ..Default::default()
    };
    let out = run_ordinal(&frame, "lev ~ x1", &opts).expect("fit");
    let c = &out.result.coefficients;
    close("zeta = intercept", c[0].estimate, b[0].estimate, 1e-6);
    close("beta = -slope", c[1].estimate, -b[1].estimate, 1e-6);
    close("se slope", c[1].se, b[1].se, 1e-6);
    assert!(out.result.parallel_score_test.is_none());
    assert!(out.result.notes.iter().any(|n| n.contains("at least three")));
}
