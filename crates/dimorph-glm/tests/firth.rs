//! Firth's penalised logistic regression (`dimorph_glm::firth::run`) against R's logistf 1.26.1,
//! computed once by `tests/peers/firth.R` into `tests/peers/firth.csv` and `firth_fit.csv`, on
//! logistf's `sex2` data (239 women, urinary tract infection; source: logistf's documentation,
//! Cytel's LogXact example — `tests/peers/firth_sex2.csv`), its aggregated form `sexagg` with
//! counts (`firth_sexagg.csv`, fitted with `--freq COUNT` and with `--weights COUNT`) and a small
//! completely separated set (`firth_separated.csv`), at levels 0.95 and 0.90 and with an offset.
//!
//! The profile limits are compared with the definition (R: the penalised log-likelihood
//! maximised over the other coefficients by `nlm`, the cut found by `uniroot`) and with logistf's
//! where logistf is on the profile: for the upper limit of x in the separated data logistf's
//! Venzon–Moolgavkar iteration stops at a local maximum of the constrained fit (3.0255, where the
//! profile is 0.024 above the cut; the definition and dimorph: 3.04795).
//!
//! Tolerances: estimates and standard errors 1e-7 relative (+1e-9 absolute), profile limits
//! 1e-6 relative (+1e-8 absolute) — logistf ran at 1e-12 but its covariance is taken one step
//! before the last, and its limits by the Venzon–Moolgavkar iteration; penalised
//! log-likelihoods 1e-8 absolute; p-values 1e-6 relative (+1e-10 absolute); χ² 1e-6 absolute
//! (logistf's χ² is recovered as qchisq(1 − p), which loses digits as p → 1).

use std::collections::HashMap;
use std::path::PathBuf;

use dimorph_glm::firth::{self, FirthReport};
use dimorph_glm::{Family, Link, RunOptions};

fn peers() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/peers")
}

/// The rows of a peer CSV as maps column → text.
fn rows(file: &str) -> Vec<HashMap<String, String>> {
    let text = std::fs::read_to_string(peers().join(file)).expect(file);
    let mut lines = text.lines();
    let head: Vec<String> = lines
        .next()
        .expect("header")
        .split(',')
        .map(|s| s.trim_matches('"').to_string())
        .collect();
    lines
        .map(|l| {
            head.iter()
                .cloned()
                .zip(l.split(',').map(|s| s.trim_matches('"').to_string()))
                .collect()
        })
        .collect()
}

fn num(r: &HashMap<String, String>, k: &str) -> f64 {
    r[k].parse().unwrap_or_else(|_| panic!("{k}: {}", r[k]))
}

fn close(what: &str, ours: f64, peer: f64, rel: f64, abs: f64) {
    assert!(
        (ours - peer).abs() <= rel * peer.abs() + abs,
        "{what}: ours {ours:e}, logistf {peer:e}"
    );
}

fn fit(data: &str, formula: &str, opts: RunOptions) -> FirthReport {
    let frame = dimorph_data::read_table(peers().join(data)).expect("data");
    firth::run(&frame, formula, &opts).expect("firth fit").result
}

fn compare(case: &str, r: &FirthReport) {
    let peer: Vec<_> = rows("firth.csv").into_iter().filter(|x| x["case"] == case).collect();
    assert_eq!(peer.len(), r.coefficients.len(), "{case}: number of coefficients");
    for (p, c) in peer.iter().zip(&r.coefficients) {
        let w = |what: &str| format!("{case} {} {what}", c.name);
        assert_eq!(c.name, p["term"], "{case}");
        close(&w("estimate"), c.estimate, num(p, "estimate"), 1e-7, 1e-9);
        close(&w("se"), c.se, num(p, "se"), 1e-7, 1e-9);
        let ci = c.profile_ci.expect("profile interval");
        for (side, ours) in ["lower", "upper"].into_iter().zip(ci) {
            let ours = ours.expect("limit");
            // the profile limit by its definition, computed in R by nlm + uniroot
            close(&w(side), ours, num(p, &format!("{side}_def")), 1e-6, 1e-8);
            // logistf's own limit, where it stopped on the profile (see firth.R: one limit of
            // the separated data is at a local maximum of its constrained fit)
            if num(p, &format!("prof_{side}")).abs() < 1e-8 {
                close(&w(side), ours, num(p, side), 1e-6, 1e-8);
            }
        }
        close(&w("chisq"), c.lr_chisq.expect("chisq"), num(p, "chisq"), 0.0, 1e-6);
        close(&w("p"), c.lr_p.expect("p"), num(p, "p"), 1e-6, 1e-10);
    }
    let f = rows("firth_fit.csv")
        .into_iter()
        .find(|x| x["case"] == case)
        .expect("fit row");
    close(
        &format!("{case} loglik"),
        r.loglik_penalised,
        num(&f, "loglik_full"),
        0.0,
        1e-8,
    );
    close(
        &format!("{case} null loglik"),
        r.loglik_penalised_null,
        num(&f, "loglik_null"),
        0.0,
        1e-8,
    );
    close(&format!("{case} LR"), r.lr_test.chisq, num(&f, "lr"), 0.0, 1e-7);
    assert_eq!(r.lr_test.df as f64, num(&f, "df"), "{case} df");
    close(&format!("{case} LR p"), r.lr_test.p_value, num(&f, "p"), 1e-6, 1e-12);
    close(&format!("{case} n"), r.n_obs, num(&f, "n"), 0.0, 1e-9);
    assert!(r.converged, "{case}: converged");
}

const SEX2: &str = "case ~ age + oc + vic + vicl + vis + dia";

#[test]
fn sex2_matches_logistf() {
    // quasi-complete separation: every woman using a diaphragm (dia = 1) is a case
    let r = fit("firth_sex2.csv", SEX2, RunOptions::default());
    compare("sex2", &r);
    assert!(r.profile);
}

#[test]
fn aggregated_counts_as_freq_and_as_weights_match_logistf() {
    for opts in [
        RunOptions {
            freq: Some("COUNT".into()),
            ..Default::default()
        },
        RunOptions {
            weights: Some("COUNT".into()),
            ..Default::default()
        },
    ] {
        let r = fit("firth_sexagg.csv", SEX2, opts);
        compare("sexagg_count", &r);
        assert_eq!(r.n_used, 36);
    }
}

#[test]
fn completely_separated_data_match_logistf_at_two_levels_and_with_an_offset() {
    let r = fit("firth_separated.csv", "y ~ x + g", RunOptions::default());
    compare("separated", &r);
    let r = fit(
        "firth_separated.csv",
        "y ~ x + g",
        RunOptions {
            level: 0.90,
            ..Default::default()
        },
    );
    compare("separated_90", &r);
    let r = fit("firth_separated.csv", "y ~ g + offset(off)", RunOptions::default());
    compare("separated_offset", &r);
}

#[test]
fn the_ordinary_fit_of_separated_data_suggests_firth() {
    let frame = dimorph_data::read_table(peers().join("firth_separated.csv")).expect("data");
    let opts = RunOptions {
        family: Some(Family::Binomial),
        profile: Some(false),
        ..Default::default()
    };
    let out = dimorph_glm::run(&frame, "y ~ x + g", None, &opts).expect("glm");
    assert!(
        out.warnings.iter().any(|w| w.contains("separation")),
        "{:?}",
        out.warnings
    );
    assert!(out.warnings.iter().any(|w| w.contains("--firth")), "{:?}", out.warnings);
    // the penalised fit of the same data: finite, and no separation warning
    let f = firth::run(&frame, "y ~ x + g", &RunOptions::default()).expect("firth");
    assert!(f.warnings.is_empty(), "{:?}", f.warnings);
    assert!(f
        .result
        .coefficients
        .iter()
        .all(|c| c.estimate.is_finite() && c.se.is_finite()));
}

#[test]
fn without_profile_the_intervals_and_p_values_are_wald() {
    let r = fit(
        "firth_sex2.csv",
        SEX2,
        RunOptions {
            profile: Some(false),
            ..Default::default()
        },
    );
    let z = 1.959963984540054;
    for c in &r.coefficients {
        assert!(c.profile_ci.is_none() && c.lr_p.is_none());
        let ci = c.ci();
        close("wald lower", ci[0].expect("lower"), c.estimate - z * c.se, 1e-12, 1e-12);
        close("wald upper", ci[1].expect("upper"), c.estimate + z * c.se, 1e-12, 1e-12);
        // logistf's pl = FALSE p-value: 1 − pchisq(β²/var, 1)
        let p = dimorph_core::dist::pchisq_upper(c.estimate * c.estimate / (c.se * c.se), 1.0);
        close("wald p", c.p(), p, 1e-10, 1e-15);
    }
    // the estimates do not depend on the intervals
    compare_estimates_only("sex2", &r);
}

fn compare_estimates_only(case: &str, r: &FirthReport) {
    let peer: Vec<_> = rows("firth.csv").into_iter().filter(|x| x["case"] == case).collect();
    for (p, c) in peer.iter().zip(&r.coefficients) {
        close("estimate", c.estimate, num(p, "estimate"), 1e-7, 1e-9);
        close("se", c.se, num(p, "se"), 1e-7, 1e-9);
    }
}

#[test]
fn text_and_tables_carry_the_figures() {
    let frame = dimorph_data::read_table(peers().join("firth_sex2.csv")).expect("data");
    let out = firth::run(&frame, SEX2, &RunOptions::default()).expect("fit");
    let text = out.to_text();
    for s in [
        "Model fitted by Penalized ML",
        "lower 0.95",
        "Likelihood ratio test=49.09064 on 6 df",
        "n=239",
        "Analysis of Penalized Maximum Likelihood Estimates",
        "Testing Global Null Hypothesis: BETA=0",
    ] {
        assert!(text.contains(s), "missing {s:?} in\n{text}");
    }
    let names: Vec<&str> = out.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["coefficients", "fit"]);
    let coef = &out.tables[0];
    assert_eq!(coef.rows.len(), 7);
    assert!(coef.columns.iter().any(|c| c == "conf_method"));
}

fn err(opts: RunOptions, data: &str, formula: &str) -> String {
    let frame = dimorph_data::read_table(peers().join(data)).expect("data");
    match firth::run(&frame, formula, &opts) {
        Ok(_) => panic!("expected an error for {formula}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn other_families_links_and_options_are_refused_naming_the_flag() {
    let e = err(
        RunOptions {
            family: Some(Family::Poisson),
            ..Default::default()
        },
        "firth_sex2.csv",
        SEX2,
    );
    assert!(
        e.starts_with("--family:") && e.contains("binomial logit") && e.contains("poisson"),
        "{e}"
    );
    let e = err(
        RunOptions {
            link: Some(Link::Probit),
            ..Default::default()
        },
        "firth_sex2.csv",
        SEX2,
    );
    assert!(
        e.starts_with("--link:") && e.contains("logit link only") && e.contains("probit"),
        "{e}"
    );
    let e = err(
        RunOptions {
            family: Some(Family::QuasiBinomial),
            ..Default::default()
        },
        "firth_sex2.csv",
        SEX2,
    );
    assert!(e.starts_with("--family:"), "{e}");
    let e = err(
        RunOptions {
            cluster: Some("age".into()),
            ..Default::default()
        },
        "firth_sex2.csv",
        SEX2,
    );
    assert!(e.starts_with("--cluster: not available with --firth"), "{e}");
    let e = err(
        RunOptions {
            start: Some(vec![0.0; 3]),
            ..Default::default()
        },
        "firth_sex2.csv",
        SEX2,
    );
    assert!(e.starts_with("--start: has 3 values but the model has 7"), "{e}");
}

#[test]
fn bad_data_are_refused_with_the_reason() {
    let dir = dimorph_core::ScratchDir::new("dimorph-firth").expect("dir");
    // every row misses a used column: nothing left after removing NAs
    let empty = dir.join("empty.csv");
    std::fs::write(&empty, "y,x\n1,NA\n0,NA\n1,NA\n").expect("write");
    let frame = dimorph_data::read_table(&empty).expect("data");
    let e = firth::run(&frame, "y ~ x", &RunOptions::default())
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("no rows left") && e.contains("x: 3"), "{e}");
    // a response outside [0, 1]
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "y,x\n1,1\n2,2\n0,3\n").expect("write");
    let frame = dimorph_data::read_table(&bad).expect("data");
    let e = firth::run(&frame, "y ~ x", &RunOptions::default())
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("line 3") && e.contains("[0, 1]"), "{e}");
    // dependent columns: named
    let dep = dir.join("dep.csv");
    std::fs::write(&dep, "y,x,z\n1,1,2\n0,2,4\n1,3,6\n0,4,8\n").expect("write");
    let frame = dimorph_data::read_table(&dep).expect("data");
    let e = firth::run(&frame, "y ~ x + z", &RunOptions::default())
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("linearly independent") && e.contains('z'), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}
