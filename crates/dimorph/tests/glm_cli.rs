//! `dimorph glm` end to end: the paper's models through the binary, JSON field names, residual
//! and prediction files, and exit code 2 with a located message for every kind of bad input
//! the GLM issue lists.

use std::path::PathBuf;

mod common;
use common::{run, stderr, stdout};

fn data(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(name)
        .display()
        .to_string()
}

fn tmp(name: &str, contents: &str) -> String {
    let dir = std::env::temp_dir().join(format!("dimorph_glm_cli_{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let p = dir.join(name);
    std::fs::write(&p, contents).expect("write");
    p.display().to_string()
}

/// Runs and expects exit code 2 with every `needle` in the message.
#[track_caller]
fn bad(args: &[&str], needles: &[&str]) {
    let o = run(args);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "exit code for {args:?}: {e}");
    for n in needles {
        assert!(e.contains(n), "message for {args:?} lacks '{n}': {e}");
    }
    assert!(!e.contains("panicked"), "{e}");
}

#[test]
fn snoring_identity_text_has_r_and_sas_blocks() {
    let o = run(&[
        "glm",
        "--data",
        &data("snoring.csv"),
        "disease/total ~ snoring",
        "--family",
        "binomial",
        "--link",
        "identity",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = stdout(&o);
    assert!(s.contains("Criteria For Assessing Goodness Of Fit"));
    assert!(s.contains("-417.4960"), "{s}");
    assert!(s.contains("0.0692") && s.contains("0.0346"));
    assert!(s.contains("Residual deviance"));
}

#[test]
fn crabs_quadratic_json_fields() {
    let o = run(&[
        "glm",
        "--data",
        &data("crabs.csv"),
        "satell ~ width + I(width^2)",
        "--family",
        "poisson",
        "--link",
        "log",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["fit"]["coef_names"][2], "I(width^2)");
    let b = v["fit"]["coef"][2].as_f64().expect("coef");
    assert!((b - -0.0220).abs() < 5e-5, "{b}");
    let dev = v["fit"]["deviance"].as_f64().expect("deviance");
    assert!((dev - 558.2359).abs() < 5e-5);
    assert_eq!(v["inference"]["coefficients"][1]["name"], "width");
    assert!(v["inference"]["coefficients"][1]["profile_ci"][0].as_f64().is_some());
    assert_eq!(v["inference"]["type3"][1]["term"], "I(width^2)");
}

#[test]
fn residuals_and_predictions_files() {
    let dir = std::env::temp_dir().join(format!("dimorph_glm_out_{}", std::process::id()));
    let res = dir.join("res.csv").display().to_string();
    let pred = dir.join("pred.csv").display().to_string();
    let newdata = tmp("new.csv", "width\n22\n26.5\n30\n");
    let o = run(&[
        "glm",
        "--data",
        &data("crabs.csv"),
        "satell ~ width",
        "--family",
        "poisson",
        "--residuals",
        &res,
        "--predict",
        &newdata,
        "--predict-out",
        &pred,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r = std::fs::read_to_string(&res).expect("residuals");
    assert_eq!(r.lines().count(), 174);
    assert!(r.starts_with("line,y,fitted,eta,response,pearson,deviance,working,leverage"));
    let p = std::fs::read_to_string(&pred).expect("predictions");
    let rows: Vec<&str> = p.lines().collect();
    assert_eq!(rows.len(), 4);
    // μ(26.5) = exp(−3.3048 + 0.1640·26.5) ≈ 2.80 (log-link fit of the paper)
    let fitted: f64 = rows[2].split(',').nth(5).expect("fitted").parse().expect("number");
    assert!(
        (fitted - (-3.304757 + 0.164045 * 26.5f64).exp()).abs() < 1e-3,
        "{fitted}"
    );
}

#[test]
fn non_numeric_cell_names_line_and_column() {
    let f = tmp(
        "nonnum.csv",
        "y,x\n1,2\n0,abc\n1,3\n0,4\n1,1\n0,5\n1,6\n0,2\n1,3\n0,4\n1,2\n",
    );
    // a covariate with one stray text cell is refused rather than turned into a factor
    bad(
        &["glm", "--data", &f, "y ~ x", "--family", "binomial"],
        &["line 3", "'x'", "abc", "C(x)"],
    );
    // arithmetic on it, and a non-numeric response
    bad(
        &["glm", "--data", &f, "y ~ I(x^2)", "--family", "binomial"],
        &["line 3", "'x'", "abc"],
    );
    let g = tmp("nonnum_y.csv", "y,x\n1,2\nyes,3\n1,3\n");
    bad(
        &["glm", "--data", &g, "y ~ x", "--family", "poisson"],
        &["line 3", "'y'", "yes"],
    );
}

#[test]
fn negative_poisson_count() {
    let f = tmp("neg.csv", "y,x\n1,2\n-1,3\n4,5\n");
    bad(
        &["glm", "--data", &f, "y ~ x", "--family", "poisson"],
        &["line 3", "non-negative", "-1"],
    );
}

#[test]
fn events_above_trials() {
    let f = tmp("yn.csv", "e,n,x\n1,5,1\n7,5,2\n2,5,3\n");
    bad(
        &["glm", "--data", &f, "e/n ~ x", "--family", "binomial"],
        &["line 3", "7 events", "5 trials"],
    );
}

#[test]
fn binary_response_outside_unit_interval() {
    let f = tmp("y2.csv", "y,x\n0,1\n2,2\n1,3\n");
    bad(
        &["glm", "--data", &f, "y ~ x", "--family", "binomial"],
        &["line 3", "[0, 1]"],
    );
}

#[test]
fn empty_file() {
    let f = tmp("empty.csv", "");
    bad(&["glm", "--data", &f, "y ~ x"], &["empty.csv", "empty"]);
}

#[test]
fn unknown_column() {
    bad(
        &[
            "glm",
            "--data",
            &data("crabs.csv"),
            "satell ~ wdth",
            "--family",
            "poisson",
        ],
        &["no column named 'wdth'", "width"],
    );
}

#[test]
fn formula_syntax_error_points_at_the_character() {
    let o = run(&[
        "glm",
        "--data",
        &data("crabs.csv"),
        "satell ~ width +* color",
        "--family",
        "poisson",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("formula error at character"), "{e}");
    assert!(e.contains('^'), "{e}");
}

#[test]
fn singular_design() {
    let f = tmp("sing.csv", "y,x,z\n1,1,2\n2,2,4\n4,3,6\n3,4,8\n");
    // R's singular.ok = FALSE
    bad(
        &["glm", "--data", &f, "y ~ x + z", "--family", "poisson", "--no-singular"],
        &["singular design", "z"],
    );
    // by default the aliased column is reported as NA (R) and the fit goes on
    let o = run(&[
        "glm",
        "--data",
        &f,
        "y ~ x + z",
        "--family",
        "poisson",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert!(v["fit"]["coef"][2].is_null());
    assert_eq!(v["fit"]["aliased"][0], "z");
    // no estimable column at all
    let g = tmp("allna.csv", "y,x\n1,NA\n2,NA\n");
    bad(
        &["glm", "--data", &g, "y ~ x", "--family", "poisson"],
        &["no rows left", "x: 2"],
    );
}

#[test]
fn fit_that_does_not_converge() {
    bad(
        &[
            "glm",
            "--data",
            &data("crabs.csv"),
            "satell ~ width",
            "--family",
            "poisson",
            "--link",
            "identity",
            "--max-iter",
            "2",
        ],
        &["did not converge in 2 iterations"],
    );
}

#[test]
fn bad_arguments() {
    bad(
        &[
            "glm",
            "--data",
            &data("crabs.csv"),
            "satell ~ width",
            "--family",
            "poison",
        ],
        &["--family 'poison'"],
    );
    bad(
        &[
            "glm",
            "--data",
            &data("crabs.csv"),
            "satell ~ width",
            "--family",
            "poisson",
            "--link",
            "lgo",
        ],
        &["--link 'lgo'"],
    );
    bad(
        &["glm", "--data", "/nonexistent/x.csv", "y ~ x"],
        &["/nonexistent/x.csv"],
    );
}

#[test]
fn missing_values_are_dropped_and_counted() {
    let f = tmp("miss.csv", "y,x\n1,2\n0,NA\n1,3\n0,1\n1,4\n0,2\n");
    let o = run(&["glm", "--data", &f, "y ~ x", "--family", "binomial"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("1 of 6 rows were dropped"), "{}", stdout(&o));
}

#[test]
fn separation_is_reported() {
    let f = tmp("sep.csv", "y,x\n0,1\n0,2\n0,3\n1,4\n1,5\n1,6\n");
    let o = run(&["glm", "--data", &f, "y ~ x", "--family", "binomial", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["fit"]["separation"], "complete");
    assert!(stderr(&o).contains("separation"));
}

#[test]
fn quasi_complete_separation_is_reported() {
    // x separates y except at x = 3, where both outcomes occur
    let f = tmp("qsep.csv", "y,x\n0,1\n0,2\n0,3\n1,3\n1,4\n1,5\n");
    let o = run(&["glm", "--data", &f, "y ~ x", "--family", "binomial", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["fit"]["separation"], "quasi-complete");
}
