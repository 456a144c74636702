//! The baseline-category logit against R 4.2.2's `nnet::multinom` (7.3), computed once by
//! `tests/peers/multinom.R` into `tests/peers/multinom.csv` on MASS::housing (frequency weights)
//! and 250 seeded rows, each with two reference levels. multinom was run with reltol 1e-14 and
//! its estimates polished in R by Newton steps on the exact gradient and Hessian (largest
//! gradient component below 1e-10); the standard errors are multinom's (its Hessian at its own,
//! tightly converged estimates).
//!
//! Tolerances (relative to max(1, |value|)): estimates 1e-10 (measured 5e-15), standard errors
//! 1e-7 (measured 6e-9: multinom's Hessian is taken at its own estimates), log-likelihood,
//! deviance and AIC 1e-10 (measured 8e-16).

use std::collections::HashMap;
use std::path::PathBuf;

use dimorph_glm::multinom::{run_multinomial, MultinomOptions};

fn peers() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/peers")
}

/// (model, quantity, level, term) → value.
fn multinom() -> HashMap<(String, String, String, String), f64> {
    let text = std::fs::read_to_string(peers().join("multinom.csv")).expect("multinom.csv");
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<String> = l.split(',').map(|s| s.trim_matches('"').to_string()).collect();
            (
                (f[0].clone(), f[1].clone(), f[2].clone(), f[3].clone()),
                f[4].parse().expect("value"),
            )
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

fn check(model: &str, data: PathBuf, formula: &str, reference: &str, freq: Option<&str>) {
    let r = multinom();
    let frame = dimorph_data::read_table(data).expect("data");
    let opts = MultinomOptions {
        reference: Some(reference.into()),
        freq: freq.map(String::from),
        ..Default::default()
    };
    let out = run_multinomial(&frame, formula, &opts).expect("fit");
    let rep = &out.result;
    assert!(rep.converged, "{model}");
    assert_eq!(rep.reference.as_deref(), Some(reference));
    for c in &rep.coefficients {
        let key = |q: &str| (model.to_string(), q.to_string(), c.kind.clone(), c.term.clone());
        let est = r
            .get(&key("estimate"))
            .unwrap_or_else(|| panic!("{model}: R has no {} {}", c.kind, c.term));
        close(
            &format!("{model} {} {} estimate", c.kind, c.term),
            c.estimate,
            *est,
            1e-10,
        );
        close(&format!("{model} {} {} se", c.kind, c.term), c.se, r[&key("se")], 1e-7);
    }
    let expected = r.keys().filter(|k| k.0 == model && k.1 == "estimate").count();
    assert_eq!(
        rep.coefficients.len(),
        expected,
        "{model}: every R coefficient is compared"
    );
    let one = |q: &str| r[&(model.to_string(), q.to_string(), String::new(), String::new())];
    close(&format!("{model} loglik"), rep.loglik, one("loglik"), 1e-10);
    close(&format!("{model} deviance"), rep.deviance, one("deviance"), 1e-10);
    close(&format!("{model} aic"), rep.aic, one("aic"), 1e-10);
    close(
        &format!("{model} null deviance"),
        rep.null_deviance,
        one("null_deviance"),
        1e-10,
    );
    let lr = rep.lr_test.as_ref().expect("LR test");
    close(
        &format!("{model} LR"),
        lr.chi_square,
        one("null_deviance") - one("deviance"),
        1e-9,
    );
}

#[test]
fn housing_matches_multinom_with_either_reference() {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/housing.csv");
    for r in ["Low", "High"] {
        check(
            &format!("housing_ref_{r}"),
            data.clone(),
            "Sat ~ Infl + Type + Cont",
            r,
            Some("Freq"),
        );
    }
}

#[test]
fn simulated_data_match_multinom_with_either_reference() {
    for r in ["1", "3"] {
        check(
            &format!("sim_ref_{r}"),
            peers().join("ordinal_sim.csv"),
            "y ~ x1 + x2 + g",
            r,
            None,
        );
    }
}

#[test]
fn text_names_the_reference_and_sas_default() {
    let frame = dimorph_data::read_table(peers().join("ordinal_sim.csv")).expect("data");
    let out = run_multinomial(&frame, "y ~ x1", &MultinomOptions::default()).expect("fit");
    let text = out.to_text();
    assert!(
        text.contains("reference level '1'") && text.contains("REF=LAST"),
        "{text}"
    );
    assert!(text.contains("Testing Global Null Hypothesis: BETA=0"), "{text}");
    // levels 2, 3, 4 against 1, one coefficient each for the intercept and x1
    assert_eq!(out.result.coefficients.len(), 6);
}
