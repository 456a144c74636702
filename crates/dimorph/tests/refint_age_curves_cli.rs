//! `dimorph refint age --curves lms`: the LMS (BCCG) centile curves on the bundled livertests,
//! the tidy table at a grid of ages, the figure and the report, and exit code 2 with the flag
//! named for options that do not apply or are malformed. The numbers themselves are checked
//! against gamlss in crates/dimorph-refint/tests/age_curves.rs.

use crate::common::{envelope_file_names, run_in_root};
use crate::common::{scratch_path, ScratchPath};

const DATA: &str = "data/refint/reflimr_livertests.csv";

/// A path not made yet (the CLI makes it), removed with its scratch folder when dropped.
fn tmp_dir(name: &str) -> ScratchPath {
    scratch_path("dimorph_age_curves", name)
}

#[test]
fn lms_json_has_ordered_centiles_per_sex_and_writes_figure_tables_and_report() {
    let out = tmp_dir("json");
    let (code, so, se) = run_in_root(&[
        "refint",
        "age",
        "--data",
        DATA,
        "--value",
        "ALB",
        "--age",
        "Age",
        "--by",
        "Sex",
        "--curves",
        "lms",
        "--format",
        "json",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{se}");
    let v: serde_json::Value = serde_json::from_str(&so).unwrap();
    let fits = v["result"]["lms_fits"].as_array().unwrap();
    assert_eq!(fits.len(), 2);
    for f in fits {
        assert!(f["deviance"].as_f64().unwrap().is_finite(), "{f}");
        assert_eq!(f["converged"], true, "{f}");
    }
    let curves = v["result"]["lms_curves"].as_array().unwrap();
    assert_eq!(curves.len(), 2 * 51);
    for c in curves {
        let (lo, mid, hi) = (
            c["p2_5"].as_f64().unwrap(),
            c["p50"].as_f64().unwrap(),
            c["p97_5"].as_f64().unwrap(),
        );
        // albumin in g/L (routine data with pathological values): ordered and plausible
        assert!(10.0 < lo && lo < mid && mid < hi && hi < 70.0, "{c}");
    }
    assert!(v["result"]["windows"].as_array().unwrap().is_empty());
    let files = envelope_file_names(&v);
    for f in ["age_curves.csv", "age_curves.svg", "lms_fits.csv"] {
        assert!(files.contains(&f.to_string()), "{files:?}");
    }
    let svg = std::fs::read_to_string(out.join("age_curves.svg")).unwrap();
    assert!(svg.contains("<circle"), "the data are drawn as points");
    assert!(svg.contains("Sex = f") && svg.contains("Sex = m"));
    let csv = std::fs::read_to_string(out.join("age_curves.csv")).unwrap();
    assert!(csv.starts_with("group,age,mu,sigma,nu,p2_5,p50,p97_5"), "{csv}");
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn lms_csv_is_the_curve_table_at_the_asked_grid() {
    let (code, so, se) = run_in_root(&[
        "refint",
        "age",
        "--data",
        DATA,
        "--value",
        "ALB",
        "--age",
        "Age",
        "--by",
        "Sex",
        "--curves",
        "lms",
        "--lms-df",
        "5,2,1",
        "--lms-grid",
        "44",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{se}");
    let lines: Vec<&str> = so.lines().collect();
    assert_eq!(lines[0], "group,age,mu,sigma,nu,p2_5,p50,p97_5");
    assert_eq!(lines.len(), 1 + 2 * 44);
    // the first row of each group is its youngest age, the last its oldest
    assert!(lines[1].starts_with("f,"));
    assert!(lines[45].starts_with("m,"));
}

#[test]
fn lms_penalised_text_report_names_the_penalties() {
    let (code, so, se) = run_in_root(&[
        "refint",
        "age",
        "--data",
        DATA,
        "--value",
        "CHE",
        "--age",
        "Age",
        "--curves",
        "lms",
        "--lms-lambda",
        "50,200,1000",
    ]);
    assert_eq!(code, 0, "{se}");
    assert!(so.contains("P-splines") && so.contains("λ = 50, 200, 1000"), "{so}");
}

#[test]
fn options_that_do_not_apply_or_are_malformed_exit_2_naming_the_flag() {
    let base = ["refint", "age", "--data", DATA, "--value", "ALB", "--age", "Age"];
    let cases: [(&[&str], &str); 9] = [
        (&["--curves", "lms", "--window", "20", "--step", "10"], "--window"),
        (&["--curves", "lms", "--partitions", "20"], "--partitions"),
        (&["--curves", "lms", "--lms-df", "5,3"], "--lms-df"),
        (&["--curves", "lms", "--lms-lambda", "-1,2,3"], "--lms-lambda"),
        (&["--curves", "lms", "--lms-grid", "1"], "--lms-grid"),
        (&["--window", "20", "--step", "10", "--lms-df", "5,3,1"], "--lms-df"),
        (&["--window", "20"], "--step"),
        // the refiner's rule for zeros: not for the LMS fit, nor for another method
        (
            &["--curves", "lms", "--method", "refiner", "--zeros", "drop"],
            "--zeros",
        ),
        (&["--window", "20", "--step", "10", "--zeros", "drop"], "--zeros"),
    ];
    for (extra, flag) in cases {
        let args: Vec<&str> = base.iter().chain(extra.iter()).copied().collect();
        let (code, _, se) = run_in_root(&args);
        assert_eq!(code, 2, "{extra:?}: {se}");
        assert!(se.contains(flag), "{extra:?}: {se}");
    }
}

#[test]
fn age_help_names_the_refiners_zeros_rule() {
    let (code, so, se) = run_in_root(&["refint", "age", "--help"]);
    assert_eq!(code, 0, "{se}");
    assert!(so.contains("--zeros") && so.contains("each age window decides"), "{so}");
}
