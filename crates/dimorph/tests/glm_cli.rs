//! `dimorph glm` end to end: the paper's models through the binary, the JSON envelope and its
//! field names, the residual and prediction tables written to --out, --format csv, and exit code
//! 2 with a located message for every kind of bad input the GLM issue lists.

use std::path::PathBuf;

use crate::common::{run, stderr, stdout};
use crate::common::{scratch_file, scratch_path, ScratchArg};

fn data(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(name)
        .display()
        .to_string()
}

/// A fresh, empty output folder for one test.
/// A fresh output folder for one test, not made yet (its path as text), removed with its scratch
/// folder when dropped.
fn out_dir(name: &str) -> ScratchArg {
    ScratchArg::new(scratch_path("dimorph_glm_out", name))
}

/// A file holding `contents` (its path as text), removed with its scratch folder when dropped.
fn tmp(name: &str, contents: &str) -> ScratchArg {
    ScratchArg::new(scratch_file("dimorph_glm_cli", name, contents))
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
    let v = &v["result"];
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
    let dir = out_dir("files");
    let newdata = tmp("new.csv", "width\n22\n26.5\n30\n");
    let o = run(&[
        "glm",
        "--data",
        &data("crabs.csv"),
        "satell ~ width",
        "--family",
        "poisson",
        "--residuals",
        "--predict",
        &newdata,
        "--out",
        &dir,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r = std::fs::read_to_string(format!("{dir}/residuals.csv")).expect("residuals");
    assert_eq!(r.lines().count(), 174);
    assert!(r.starts_with("line,y,fitted,eta,response,pearson,deviance,working,leverage"));
    let p = std::fs::read_to_string(format!("{dir}/predictions.csv")).expect("predictions");
    let rows: Vec<&str> = p.lines().collect();
    assert_eq!(rows.len(), 4);
    // μ(26.5) = exp(−3.3048 + 0.1640·26.5) ≈ 2.80 (log-link fit of the paper)
    let fitted: f64 = rows[2].split(',').nth(5).expect("fitted").parse().expect("number");
    assert!(
        (fitted - (-3.304757 + 0.164045 * 26.5f64).exp()).abs() < 1e-3,
        "{fitted}"
    );
    // every table of the run is in the folder, and the text names what was written
    for t in ["coefficients", "fit", "type3", "residuals", "predictions"] {
        assert!(std::path::Path::new(&format!("{dir}/{t}.csv")).is_file(), "{t}.csv");
        assert!(stdout(&o).contains(&format!("{t}.csv")), "{}", stdout(&o));
    }
    // without --out the predictions are shown with the report
    let o = run(&[
        "glm",
        "--data",
        &data("crabs.csv"),
        "satell ~ width",
        "--family",
        "poisson",
        "--predict",
        &newdata,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("Predictions (95% intervals)"), "{}", stdout(&o));
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
    assert!(v["result"]["fit"]["coef"][2].is_null());
    assert_eq!(v["result"]["fit"]["aliased"][0], "z");
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
        &[
            "invalid value 'poison' for '--family",
            "not a known family",
            "binomial, poisson",
        ],
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
        &["invalid value 'lgo' for '--link", "not a known link", "power(λ)"],
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
    assert_eq!(v["result"]["fit"]["separation"], "complete");
    assert!(stderr(&o).contains("separation"));
}

#[test]
fn quasi_complete_separation_is_reported() {
    // x separates y except at x = 3, where both outcomes occur
    let f = tmp("qsep.csv", "y,x\n0,1\n0,2\n0,3\n1,3\n1,4\n1,5\n");
    let o = run(&["glm", "--data", &f, "y ~ x", "--family", "binomial", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["result"]["fit"]["separation"], "quasi-complete");
}

/// The top-level keys of a JSON object, sorted.
fn keys(v: &serde_json::Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
    k.sort();
    k
}

fn sorted(k: &[&str]) -> Vec<String> {
    let mut k: Vec<String> = k.iter().map(|s| s.to_string()).collect();
    k.sort();
    k
}

#[test]
fn json_is_the_envelope() {
    let o = run(&[
        "glm",
        "--data",
        &data("snoring.csv"),
        "disease/total ~ snoring",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(keys(&v), sorted(&dimorph_report::outcome::ENVELOPE_KEYS));
    assert_eq!(v["command"], "glm");
    assert_eq!(keys(&v["input"]), sorted(&["data"]));
    assert!(v["input"]["data"].as_str().is_some_and(|p| p.ends_with("snoring.csv")));
    assert_eq!(
        keys(&v["result"]),
        sorted(&["formula", "data", "fit", "inference", "binary"])
    );
    assert!(v["result"]["fit"].is_object() && v["result"]["inference"]["coefficients"].is_array());
    // the options as used: the default family (binomial for events/trials) is not given, so null
    assert!(v["options"].is_object());
    assert!(v["options"]["family"].is_null());
    assert_eq!(v["options"]["level"], 0.95);
    assert!(v["warnings"].is_array() && v["files"].as_array().is_some_and(|f| f.is_empty()));

    // with residuals, predictions and an output folder
    let dir = out_dir("envelope");
    let newdata = tmp("env_new.csv", "snoring\n0\n5\n");
    let o = run(&[
        "glm",
        "--data",
        &data("snoring.csv"),
        "disease/total ~ snoring",
        "--residuals",
        "--predict",
        &newdata,
        "--out",
        &dir,
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(keys(&v), sorted(&dimorph_report::outcome::ENVELOPE_KEYS));
    assert_eq!(keys(&v["input"]), sorted(&["data", "predict"]));
    assert_eq!(
        keys(&v["result"]),
        sorted(&[
            "formula",
            "data",
            "fit",
            "inference",
            "binary",
            "residuals",
            "predictions"
        ])
    );
    assert_eq!(v["result"]["residuals"].as_array().map(Vec::len), Some(4));
    assert_eq!(v["result"]["predictions"].as_array().map(Vec::len), Some(2));
    assert_eq!(v["files"].as_array().map(Vec::len), Some(5), "{}", v["files"]);
}

#[test]
fn format_csv_is_the_tidy_coefficients_table() {
    let o = run(&[
        "glm",
        "--data",
        &data("crabs.csv"),
        "satell ~ width + I(width^2)",
        "--family",
        "poisson",
        "--format",
        "csv",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let csv = stdout(&o);
    let t = dimorph_data::read_csv_bytes("stdout", csv.as_bytes()).expect("csv");
    assert_eq!(
        t.names(),
        [
            "term",
            "estimate",
            "std_error",
            "statistic",
            "p_value",
            "conf_low",
            "conf_high",
            "conf_method",
            "std_error_type"
        ]
    );
    assert_eq!(t.nrows, 3);
    let est = t.numeric("estimate").expect("numeric");
    assert!((est[2] - -0.0220).abs() < 5e-5, "{}", est[2]);
    let lo = t.numeric("conf_low").expect("numeric");
    let hi = t.numeric("conf_high").expect("numeric");
    assert!((0..3).all(|i| lo[i] < est[i] && est[i] < hi[i]));
}

/// A factor level with a comma, a double quote and a newline comes back from coefficients.csv
/// and type3.csv, read with a CSV parser, and residuals.csv keeps one row per used row.
#[test]
fn csv_files_round_trip_a_hostile_level() {
    let nasty = "vessels, heart \"and\"\nmore";
    let quoted = format!("\"{}\"", nasty.replace('"', "\"\""));
    let mut body = String::from("y,g,x\n");
    for (i, y) in [2, 3, 1, 5, 4, 6, 7, 3].iter().enumerate() {
        let g = if i % 2 == 1 { quoted.as_str() } else { "plain" };
        body.push_str(&format!("{y},{g},{}\n", 1.0 + 0.5 * i as f64));
    }
    let f = tmp("nasty.csv", &body);
    let dir = out_dir("nasty");
    let o = run(&[
        "glm",
        "--data",
        &f,
        "y ~ g + x",
        "--family",
        "poisson",
        "--residuals",
        "--out",
        &dir,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let coefs = dimorph_data::read_csv(format!("{dir}/coefficients.csv")).expect("coefficients.csv");
    assert_eq!(coefs.nrows, 3);
    let terms = match &coefs.column("term").expect("term").data {
        dimorph_data::ColumnData::Text { values, .. } => values.clone(),
        dimorph_data::ColumnData::Num(_) => panic!("term is text"),
    };
    assert_eq!(
        terms,
        [
            Some("(Intercept)".to_string()),
            Some(format!("g{nasty}")),
            Some("x".to_string())
        ]
    );
    let res = dimorph_data::read_csv(format!("{dir}/residuals.csv")).expect("residuals.csv");
    assert_eq!(res.nrows, 8);
    assert_eq!(res.columns.len(), 12);
    assert!(res.columns.iter().all(|c| c.is_numeric()));
}

#[test]
fn options_that_do_not_apply_are_refused() {
    bad(
        &[
            "glm",
            "--data",
            &data("crabs.csv"),
            "satell ~ width",
            "--family",
            "poisson",
            "--theta",
            "2",
        ],
        &["--theta", "negative binomial", "not to poisson"],
    );
    bad(
        &[
            "glm",
            "--data",
            &data("crabs.csv"),
            "satell ~ width",
            "--binwidth",
            "0.01",
        ],
        &["--binwidth", "binomial only", "gaussian (the default family)"],
    );
    bad(
        &["glm", "--data", &data("crabs.csv"), "satell ~ width", "--level", "2"],
        &["--level: must be between 0 and 1, got 2"],
    );
    bad(
        &[
            "glm",
            "--data",
            &data("crabs.csv"),
            "satell ~ width",
            "--dispersion",
            "bogus",
        ],
        &["invalid value 'bogus' for '--dispersion", "pearson"],
    );
    bad(
        &[
            "glm",
            "--data",
            &data("crabs.csv"),
            "satell ~ width",
            "--family",
            "poisson",
            "--start",
            "1",
        ],
        &["--start: has 1 values but the model has 2 coefficients"],
    );
}

/// Every example of `dimorph glm --help` runs from the repository root (an --out folder is
/// replaced by a fresh temporary one).
#[test]
fn help_examples_run() {
    let o = run(&["glm", "--help"]);
    let help = stdout(&o);
    let examples: Vec<&str> = help
        .lines()
        .skip_while(|l| !l.starts_with("Examples:"))
        .skip(1)
        .filter_map(|l| l.trim().strip_prefix("dimorph "))
        .collect();
    assert!(examples.len() >= 2, "{help}");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    for (k, ex) in examples.iter().enumerate() {
        // split on spaces, keeping single-quoted formulas whole
        let mut args: Vec<String> = Vec::new();
        for (i, part) in ex.split('\'').enumerate() {
            if i % 2 == 1 {
                args.push(part.to_string());
            } else {
                args.extend(part.split_whitespace().map(String::from));
            }
        }
        // the output folder lives until the example has run
        let out = out_dir(&format!("example{k}"));
        if let Some(i) = args.iter().position(|a| a == "--out") {
            args[i + 1] = out.to_string();
        }
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_dimorph"))
            .args(&args)
            .current_dir(&root)
            .output()
            .expect("runs");
        assert_eq!(o.status.code(), Some(0), "{ex}: {}", stderr(&o));
    }
}

// Issue 14: no panic, hang or silent wrong answer from any input.

#[test]
fn links_a_family_does_not_accept_are_refused_naming_both() {
    for family in [
        "poisson",
        "gaussian",
        "gamma",
        "inverse-gaussian",
        "negbin",
        "quasipoisson",
    ] {
        for link in ["probit", "logit", "cloglog", "loglog"] {
            bad(
                &[
                    "glm",
                    "--data",
                    &data("crabs.csv"),
                    "satell ~ width",
                    "--family",
                    family,
                    "--link",
                    link,
                ],
                &[&format!(
                    "--link: the {link} link is not available for the {family} family; use "
                )],
            );
        }
    }
    // the default family is named as such
    bad(
        &["glm", "--data", &data("crabs.csv"), "satell ~ width", "--link", "logit"],
        &[
            "not available for the gaussian family",
            "gaussian is the default family",
        ],
    );
    // the table is in the help
    let o = run(&["glm", "--help"]);
    let h = stdout(&o);
    assert!(
        h.contains("poisson, negbin, quasipoisson: log, identity, sqrt or power(λ)"),
        "{h}"
    );
    assert!(
        h.contains("binomial, quasibinomial: logit, probit, cloglog, loglog, log or identity"),
        "{h}"
    );
}

#[test]
fn negative_option_values_are_read_as_values_and_refused_with_the_range() {
    let crabs = data("crabs.csv");
    let base = ["glm", "--data", crabs.as_str(), "satell ~ width", "--family"];
    for (family, opt, v, msg) in [
        ("poisson", "--level", "-1", "--level: must be between 0 and 1, got -1"),
        (
            "negbin",
            "--theta",
            "-2",
            "--theta: must be positive, between 1e-6 and 1e6, got -2",
        ),
        ("negbin", "--theta", "1e300", "--theta: must be positive"),
        ("poisson", "--tol", "-1e-8", "--tol: must be positive and below 1"),
        ("binomial", "--binwidth", "-0.1", "--binwidth: must be 0 or positive"),
        ("poisson", "--max-iter", "-1", "-1 is not in 1..=10000"),
        ("poisson", "--max-iter", "1000000000", "is not in 1..=10000"),
        ("poisson", "--threads", "-4", "-4 is not in 1..=1024"),
    ] {
        let mut args = base.to_vec();
        args.extend([family, opt, v]);
        bad(&args, &[msg]);
    }
}

#[test]
fn hostile_formulas_are_refused_at_their_position_quickly() {
    let crabs = data("crabs.csv");
    let nested = [
        format!("satell ~ {}width{}", "(".repeat(15_000), ")".repeat(15_000)),
        format!("satell ~ I({}width{})", "exp(".repeat(12_000), ")".repeat(12_001)),
        format!("satell ~ {}width", "-".repeat(20_000)),
    ];
    for f in &nested {
        let o = run(&["glm", "--data", &crabs, f, "--family", "poisson"]);
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{}", &e[..e.len().min(500)]);
        assert!(
            e.contains("formula error at character ") && e.contains("nests more than 100 levels"),
            "{e}"
        );
        assert!(e.len() < 1000, "the message echoes {} bytes", e.len());
    }
    // (a + b)^1e9 used to loop a billion times, ^1e300 forever
    for k in ["1e9", "1e300", "0.5"] {
        bad(
            &[
                "glm",
                "--data",
                &crabs,
                &format!("satell ~ (width + weight)^{k}"),
                "--family",
                "poisson",
            ],
            &["formula error at character 27", "whole number from 1 to 100"],
        );
    }
    // a 20,000-term sum is a list, not a 20,000-deep recursion
    let sum = vec!["width"; 20_000].join("+");
    let o = run(&["glm", "--data", &crabs, &format!("satell~{sum}"), "--family", "poisson"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn negative_binomial_on_under_dispersed_counts_reports_the_poisson_limit() {
    let mut text = std::fs::read_to_string(data("crabs.csv")).expect("crabs");
    for _ in 0..500 {
        text.push_str("4,3,26.0,4,2600\n");
    }
    let f = tmp("under_dispersed.csv", &text);
    let o = run(&[
        "glm",
        "--data",
        &f,
        "satell ~ width",
        "--family",
        "negbin",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let fit = &v["result"]["fit"];
    assert_eq!(fit["family"]["name"], "poisson", "{fit}");
    assert!(fit["deviance"].as_f64().is_some_and(|d| d >= 0.0), "{fit}");
    assert!(fit["loglik"].as_f64().is_some_and(|l| l < 0.0), "{fit}");
    assert!(v["warnings"].as_array().is_some_and(|w| w
        .iter()
        .any(|w| w.as_str().is_some_and(|w| w.contains("goes to infinity")))));
}

#[test]
fn a_huge_cell_is_quoted_cut() {
    let big = "x".repeat(1_000_000);
    let rows: String = (0..10).map(|k| format!("{k},{}.5\n", k + 20)).collect();
    let f = tmp("huge_cell.csv", &format!("satell,width\n1,2\n3,{big}\n{rows}"));
    let o = run(&["glm", "--data", &f, "satell ~ width", "--family", "poisson"]);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(e.len() < 1000, "{} bytes", e.len());
    assert!(e.contains("line 3") && e.contains('…'), "{e}");
}

#[test]
fn a_fractional_count_or_frequency_gets_a_warning() {
    let f = tmp("fractional.csv", "y,x,f\n1,1,1\n2.5,2,1.5\n2,3,1\n5,4,2\n4,5,1\n");
    let o = run(&["glm", "--data", &f, "y ~ x", "--family", "poisson", "--freq", "f"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("values of the count response 'y' are not whole numbers") && e.contains("line 3: 2.5"),
        "{e}"
    );
    assert!(e.contains("--freq: 1 of 5 frequencies are not whole numbers"), "{e}");
}

/// Whether a whitespace-separated token of `s` reads NaN or ±Inf.
fn non_finite_token(s: &str) -> bool {
    s.split_whitespace()
        .any(|t| matches!(t, "NaN" | "Inf" | "-Inf" | "inf" | "-inf"))
}

/// Issue 14: no `NaN`/`Inf` and no 300-digit number in the report — undefined values print `NA`
/// with the reason, huge values in scientific notation, absurd trial counts are refused.
#[test]
fn undefined_and_huge_values_print_na_with_a_reason() {
    // every pair tied: Gamma = (C − D)/(C + D) = 0/0
    let all_tied = tmp("all_tied.csv", "y,x\n1,1\n1,1\n0,1\n0,1\n");
    let o = run(&["glm", "--data", &all_tied, "y ~ 1", "--family", "binomial"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = stdout(&o);
    assert!(s.contains("Gamma     NA"), "{s}");
    assert!(
        s.contains("NA: Gamma = (C − D)/(C + D) is not defined when every pair is tied"),
        "{s}"
    );
    assert!(!non_finite_token(&s), "{s}");
    // a prediction that overflows
    let newd = tmp("huge_width.csv", "width\n1e308\n25\n");
    let o = run(&[
        "glm",
        "--data",
        &data("crabs.csv"),
        "satell ~ width",
        "--family",
        "poisson",
        "--predict",
        &newd,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = stdout(&o);
    assert!(!non_finite_token(&s), "{s}");
    assert!(s.contains("NA: beyond the range of double precision"), "{s}");
    // 1e308 trials: refused with the count in shortest form
    let mut rows = std::fs::read_to_string(data("snoring.csv")).expect("snoring");
    rows = rows.replacen(",638", ",1e308", 1);
    let huge = tmp("huge_trials.csv", &rows);
    bad(
        &["glm", "--data", &huge, "disease/total ~ snoring"],
        &["huge_trials.csv", "line 3", "1e308 trials, more than 2^53"],
    );
}

/// `--no-type3` leaves the Wald Type 3 tests; `--profile` and `--no-profile` exclude each other.
#[test]
fn refitting_extras_on_request() {
    let o = run(&[
        "glm",
        "--data",
        &data("crabs.csv"),
        "satell ~ width + weight",
        "--family",
        "poisson",
        "--no-type3",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = stdout(&o);
    assert!(
        s.contains("Type 3 Analysis (Wald)") && !s.contains("LR Chi-Square"),
        "{s}"
    );
    assert!(s.contains("Profile Lower"), "{s}");
    bad(
        &[
            "glm",
            "--data",
            &data("crabs.csv"),
            "satell ~ width",
            "--profile",
            "--no-profile",
        ],
        &["--profile", "--no-profile"],
    );
}

/// `--robust` and `--cluster`: the label says which standard errors, the CSV names them; one
/// cluster, an unknown type and --freq are refused with the reason (values: tests/robust.rs).
#[test]
fn robust_and_cluster_standard_errors_are_labelled() {
    let o = run(&[
        "glm",
        "--data",
        &data("insurance.csv"),
        "claims ~ C(group) + C(age) + offset(log(holders))",
        "--family",
        "poisson",
        "--cluster",
        "district",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = stdout(&o);
    assert!(
        s.contains("Coefficients (standard errors: cluster-robust by district (G = 4, CR1); z tests):"),
        "{s}"
    );
    assert!(
        s.contains("(cluster-robust by district (G = 4, CR1) standard errors)"),
        "{s}"
    );
    let o = run(&[
        "glm",
        "--data",
        &data("crabs.csv"),
        "weight ~ width",
        "--robust",
        "hc3",
        "--format",
        "csv",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let csv = stdout(&o);
    assert!(
        csv.lines().next().is_some_and(|h| h.ends_with(",std_error_type")),
        "{csv}"
    );
    assert!(csv.lines().nth(1).is_some_and(|l| l.ends_with(",HC3")), "{csv}");
    let one = tmp("one_cluster.csv", "y,x,g\n1,1,a\n3,2,a\n2,3,a\n5,4,a\n");
    bad(
        &["glm", "--data", &one, "y ~ x", "--family", "poisson", "--cluster", "g"],
        &["--cluster", "single cluster", "at least 2"],
    );
    bad(
        &["glm", "--data", &data("crabs.csv"), "satell ~ width", "--robust", "hc7"],
        &["--robust", "hc0, hc1, hc2 or hc3"],
    );
    bad(
        &[
            "glm",
            "--data",
            &data("crabs.csv"),
            "satell ~ width",
            "--freq",
            "color",
            "--robust",
            "hc0",
        ],
        &["--robust", "cannot be combined with --freq"],
    );
}

/// A yes/no response: the output says which level is modelled; `--event` chooses it (values
/// against R: dimorph-glm's tests/event.rs).
#[test]
fn text_binary_response_with_event_level() {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../dimorph-glm/tests/peers/crabs_yes_no.csv")
        .display()
        .to_string();
    let o = run(&["glm", "--data", &d, "sat ~ width"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = stdout(&o);
    assert!(
        s.contains("Response sat: modelled level 'no' (62 rows) against 'yes' (111 rows)"),
        "{s}"
    );
    let o = run(&["glm", "--data", &d, "sat ~ width", "--event", "yes", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["result"]["event"]["event"], "yes");
    assert_eq!(v["options"]["event"], "yes");
    bad(
        &["glm", "--data", &d, "sat ~ width", "--event", "maybe"],
        &["--event", "'maybe' is not a level", "'no', 'yes'"],
    );
}

/// `--anova`: R's analysis of deviance table in the text, `anova.csv` in --out (values against R:
/// dimorph-glm's tests/anova.rs).
#[test]
fn anova_of_nested_models() {
    let out = out_dir("anova");
    let o = run(&[
        "glm",
        "--data",
        &data("crabs.csv"),
        "satell ~ width",
        "--family",
        "poisson",
        "--anova",
        "satell ~ width + weight",
        "--out",
        &out,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = stdout(&o);
    assert!(
        s.contains("Analysis of Deviance Table") && s.contains("Model 2: satell ~ width + weight"),
        "{s}"
    );
    let csv = std::fs::read_to_string(out.path().join("anova.csv")).expect("anova.csv");
    assert!(
        csv.starts_with("model,formula,df_residual,deviance,df,deviance_change,chisq_p_value"),
        "{csv}"
    );
    bad(
        &[
            "glm",
            "--data",
            &data("crabs.csv"),
            "satell ~ width",
            "--family",
            "negbin",
            "--anova",
            "satell ~ 1",
        ],
        &["--anova", "fix it with --theta"],
    );
}

#[test]
fn stream_refuses_csv_and_what_needs_all_rows() {
    bad(
        &[
            "glm",
            "--data",
            &data("crabs.csv"),
            "satell ~ width",
            "--family",
            "poisson",
            "--stream",
        ],
        &["--stream", "not a Parquet file"],
    );
    let pq = scratch_path("dimorph_glm_stream", "stream.parquet");
    let pq = pq.display().to_string();
    bad(
        &["glm", "--data", &pq, "satell ~ width", "--stream", "--type3"],
        &["--type3", "--stream"],
    );
    bad(
        &["glm", "--data", &pq, "satell ~ width", "--stream", "--residuals"],
        &["--residuals", "all rows"],
    );
}

/// `--stream --family negbin`: θ estimated over the row groups of a Parquet file (MASS glm.nb's
/// alternation, θ's sums added row group by row group) equals the in-memory `dimorph glm` of the
/// same file: coefficients, both standard errors, θ, its SE and alternations, deviance, Pearson
/// χ², log-likelihood, AIC and BIC to 1e-10 relative (absolute below 1; the fits add the same
/// terms in another order). The file (tests/fixtures/make_crabs_row_groups.py): the crab data
/// sorted by colour in 7 row groups of 25 rows, the colour a text factor whose levels each row
/// group sees only some of, one row without it (dropped by both fits, and counted).
#[test]
fn stream_negbin_estimates_theta_as_the_in_memory_fit() {
    let pq = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/crabs_row_groups.parquet")
        .display()
        .to_string();
    let fit = |stream: bool| {
        let mut args = vec![
            "glm",
            "--data",
            &pq,
            "satell ~ width + shade",
            "--family",
            "negbin",
            "--format",
            "json",
        ];
        if stream {
            args.push("--stream");
        }
        let o = run(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
        v
    };
    let (s, m) = (fit(true), fit(false));
    let (s, m) = (&s["result"], &m["result"]["fit"]);
    let num = |v: &serde_json::Value, what: &str| v.as_f64().unwrap_or_else(|| panic!("{what}: {v}"));
    let close = |a: &serde_json::Value, b: &serde_json::Value, what: &str| {
        let (a, b) = (num(a, what), num(b, what));
        assert!(
            (a - b).abs() <= 1e-10 * b.abs().max(1.0),
            "{what}: streamed {a} vs in memory {b}"
        );
    };
    assert_eq!(s["coef_names"], m["coef_names"]);
    assert_eq!(m["coef_names"].as_array().map(Vec::len), Some(5), "{m}");
    for key in ["coef", "se_expected", "se_observed"] {
        for (k, b) in m[key].as_array().expect(key).iter().enumerate() {
            close(&s[key][k], b, &format!("{key}[{k}]"));
        }
    }
    let (t, u) = (&s["theta"], &m["theta"]);
    close(&t["theta"], &u["theta"], "theta");
    close(&t["se"], &u["se"], "SE(theta)");
    assert_eq!(t["iterations"], u["iterations"]);
    let theta = num(&t["theta"], "theta");
    assert!(
        theta > 0.5 && theta < 1.5,
        "θ {theta}: the crab counts are over-dispersed"
    );
    for key in [
        "deviance",
        "null_deviance",
        "pearson_chi2",
        "loglik",
        "aic",
        "bic",
        "df_residual",
    ] {
        close(&s[key], &m[key], key);
    }
    // 173 rows read, the one without a shade dropped by both
    assert_eq!(
        (num(&s["n_read"], "n_read"), num(&s["n_used"], "n_used")),
        (173.0, 172.0)
    );
    assert_eq!(num(&m["n_used"], "n_used"), 172.0);
}

/// `--stream --profile`: profile-likelihood intervals by refits over the row groups with each
/// coefficient held fixed (dimorph_glm::distributed_profile) equal the in-memory `dimorph glm`'s
/// profile intervals of the same file to 1e-9 relative, with the colour factor whose levels each
/// row group sees only some of; the text report says which intervals it gives. Without
/// `--profile` the streamed intervals are Wald's.
#[test]
fn stream_profile_intervals_equal_the_in_memory_ones() {
    let pq = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/crabs_row_groups.parquet")
        .display()
        .to_string();
    let fit = |extra: &[&str]| {
        let mut args = vec!["glm", "--data", &pq, "satell ~ width + shade", "--family", "poisson"];
        args.extend(extra);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        o
    };
    let json = |o: &std::process::Output| -> serde_json::Value { serde_json::from_str(&stdout(o)).expect("json") };
    let s = json(&fit(&["--stream", "--profile", "--format", "json"]));
    let m = json(&fit(&["--format", "json"]));
    let (s, m) = (&s["result"]["profile_ci"], &m["result"]["inference"]["coefficients"]);
    let rows = m.as_array().expect("coefficients");
    assert_eq!(rows.len(), 5);
    for (j, row) in rows.iter().enumerate() {
        for k in 0..2 {
            let a = s[j][k]
                .as_f64()
                .unwrap_or_else(|| panic!("streamed profile_ci[{j}]: {s}"));
            let b = row["profile_ci"][k].as_f64().expect("in-memory profile_ci");
            assert!(
                (a - b).abs() <= 1e-9 * b.abs().max(1.0),
                "coefficient {j} limit {k}: streamed {a} vs in memory {b}"
            );
        }
    }
    let text = stdout(&fit(&["--stream", "--profile"]));
    assert!(text.contains("intervals (95 %): profile likelihood"), "{text}");
    let text = stdout(&fit(&["--stream"]));
    assert!(text.contains("intervals (95 %): Wald"), "{text}");
}

/// `--stream` with the binomial family: PROC LOGISTIC's association table and Hosmer–Lemeshow
/// test from the row groups' events and non-events at each distinct predicted probability, added,
/// equal the in-memory ones of the same file (BINWIDTH 0.002, 0.05 and 0: exact probabilities)
/// to 1e-12.
#[test]
fn stream_association_table_equals_the_in_memory_one() {
    let pq = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/crabs_row_groups.parquet")
        .display()
        .to_string();
    let json = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec![
            "glm",
            "--data",
            &pq,
            "I(satell > 0) ~ width + shade",
            "--family",
            "binomial",
            "--format",
            "json",
        ];
        args.extend(extra);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        serde_json::from_str(&stdout(&o)).expect("json")
    };
    let close = |what: &str, x: f64, y: f64| {
        assert!(
            (x - y).abs() <= 1e-12 * y.abs().max(1.0),
            "{what}: streamed {x} vs in memory {y}"
        )
    };
    let mut tied = Vec::new();
    for bw in [None, Some("0.05"), Some("0")] {
        let extra: Vec<&str> = bw.map(|b| vec!["--binwidth", b]).unwrap_or_default();
        let s = json(&[&extra[..], &["--stream"]].concat());
        let m = json(&extra);
        let (a, b) = (&s["result"]["association"], &m["result"]["binary"]["association"]);
        let fields = b.as_object().expect("association");
        assert_eq!(fields.len(), 12);
        assert!(b["pairs"].as_f64().expect("pairs") > 6000.0, "{b}");
        for (key, want) in fields {
            close(
                &format!("{bw:?} {key}"),
                a[key].as_f64().expect(key),
                want.as_f64().expect(key),
            );
        }
        tied.push(b["tied"].as_f64().expect("tied"));
        let (h, k) = (
            &s["result"]["hosmer_lemeshow"],
            &m["result"]["binary"]["hosmer_lemeshow"],
        );
        for key in ["chi2", "p_value", "df"] {
            close(
                &format!("HL {key}"),
                h[key].as_f64().expect(key),
                k[key].as_f64().expect(key),
            );
        }
        let (hg, kg) = (
            h["groups"].as_array().expect("groups"),
            k["groups"].as_array().expect("groups"),
        );
        assert!(kg.len() >= 8, "{k}");
        assert_eq!(hg.len(), kg.len());
        for (g, w) in hg.iter().zip(kg) {
            for (key, want) in w.as_object().expect("group") {
                close(
                    &format!("HL group {key}"),
                    g[key].as_f64().expect(key),
                    want.as_f64().expect(key),
                );
            }
        }
    }
    // The bins tie more pairs than exact probabilities do: the three tables differ.
    assert!(tied[0] > tied[2] && tied[1] > tied[0], "{tied:?}");
}

/// The sqrt link keeps η = Xβ + offset > 0 as R does: starting values with η ≤ 0 on a row are
/// refused (exit 2, R's "cannot find valid starting values"), and a fit whose steps were cut
/// back into the range says so (R's "step size truncated: out of bounds"); the peer values are
/// in crates/dimorph-glm/tests/peers/sqrt_link.csv (tests/sqrt_link.rs).
#[test]
fn sqrt_link_keeps_eta_positive_as_r_does() {
    let peers = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../dimorph-glm/tests/peers");
    let interior = peers.join("sqrt_link_interior.csv").display().to_string();
    let fit = [
        "glm",
        "--data",
        &interior,
        "y ~ x",
        "--family",
        "poisson",
        "--link",
        "sqrt",
        "--no-profile",
    ];
    bad(
        &[&fit[..], &["--start=-1,0"]].concat(),
        &["--start", "η = Xβ + offset > 0", "cannot find valid starting values"],
    );
    // the negative binomial with θ estimated refuses them alike (not "did not converge")
    let nb = [
        "glm",
        "--data",
        &interior,
        "y ~ x",
        "--family",
        "negbin",
        "--link",
        "sqrt",
        "--no-profile",
    ];
    bad(
        &[&nb[..], &["--start=-1,0"]].concat(),
        &["--start", "cannot find valid starting values"],
    );
    let o = run(&[&fit[..], &["--format", "json"]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let w = j["warnings"].to_string();
    assert!(w.contains("step size truncated 1 time"), "{w}");
    // R 4.2.2 from the intercept-only start (sqrt_link.R): deviance 34.1586781757337
    let dev = j["result"]["fit"]["deviance"].as_f64().expect("deviance");
    assert!((dev - 34.1586781757337).abs() < 1e-8 * 34.16, "{dev}");
}
