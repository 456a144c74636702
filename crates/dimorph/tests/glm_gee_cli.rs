//! `dimorph glm --gee` end to end: the report text, the JSON envelope, the tidy coefficients as
//! --format csv (compared with geepack's values in crates/dimorph-glm/tests/peers/gee.csv, 1e-6
//! relative: the CSV prints 15 significant digits and the CLI runs with the default --tol 1e-8),
//! the tables written to --out, and exit code 2 with a message naming the flag or line for bad
//! input (one cluster, a missing id, ar1 without waves on clusters of unequal size, flags that do
//! not apply).

use crate::common::{root, run_in_root};
use crate::common::{scratch_file, scratch_path, ScratchArg};

/// geepack's value of (model, kind, name).
fn peer(model: &str, kind: &str, name: &str) -> f64 {
    let text = std::fs::read_to_string(root().join("crates/dimorph-glm/tests/peers/gee.csv")).expect("gee.csv");
    for l in text.lines().skip(1) {
        let f: Vec<&str> = l.split(',').map(|s| s.trim_matches('"')).collect();
        if f[0] == model && f[1] == kind && f[3] == name {
            return f[4].parse().expect("value");
        }
    }
    panic!("no peer value {model} {kind} {name}")
}

/// A file holding `contents` (its path as text), removed with its scratch folder when dropped.
fn tmp(name: &str, contents: &str) -> ScratchArg {
    ScratchArg::new(scratch_file("dimorph_gee_cli", name, contents))
}

#[track_caller]
fn bad(args: &[&str], needles: &[&str]) {
    let (code, _, e) = run_in_root(args);
    assert_eq!(code, 2, "exit code for {args:?}: {e}");
    for n in needles {
        assert!(e.contains(n), "message for {args:?} lacks '{n}': {e}");
    }
}

const OHIO: [&str; 8] = [
    "glm",
    "--data",
    "data/ohio.csv",
    "resp ~ age + smoke",
    "--family",
    "binomial",
    "--gee",
    "--id",
];

fn ohio(extra: &[&str]) -> (i32, String, String) {
    let mut args: Vec<&str> = OHIO.to_vec();
    args.push("id");
    args.extend_from_slice(extra);
    run_in_root(&args)
}

#[test]
fn csv_coefficients_match_geepack() {
    let (code, out, err) = ohio(&["--corstr", "exchangeable", "--format", "csv"]);
    assert_eq!(code, 0, "{err}");
    let mut lines = out.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let col = |n: &str| {
        header
            .iter()
            .position(|h| *h == n)
            .unwrap_or_else(|| panic!("{n} in {header:?}"))
    };
    let mut n = 0;
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        let term = f[col("term")].trim_matches('"');
        for (c, kind) in [
            ("estimate", "coef"),
            ("std_error", "se_robust"),
            ("std_error_naive", "se_naive"),
        ] {
            let ours: f64 = f[col(c)].parse().expect("number");
            let theirs = peer("ohio_exch", kind, term);
            assert!(
                (ours - theirs).abs() <= 1e-6 * theirs.abs(),
                "{term} {c}: {ours} vs {theirs}"
            );
        }
        n += 1;
    }
    assert_eq!(n, 3);
}

#[test]
fn text_and_json_report_both_standard_errors_alpha_and_qic() {
    let (code, out, err) = ohio(&["--corstr", "ar1", "--waves", "wave"]);
    assert_eq!(code, 0, "{err}");
    for needle in [
        "working correlation ar1",
        "Naive S.E.",
        "Robust S.E.",
        "alpha",
        "QIC",
        "QICu",
        "537 by id",
        "Converged",
    ] {
        assert!(out.contains(needle), "lacks {needle}: {out}");
    }
    let (code, out, err) = ohio(&["--corstr", "ar1", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let s = v.to_string();
    for key in [
        "\"se_naive\"",
        "\"se_robust\"",
        "\"qicu\"",
        "\"corstr\":\"ar1\"",
        "\"alpha\"",
    ] {
        assert!(s.contains(key), "json lacks {key}");
    }
    let alpha = s
        .split("[\"alpha\",")
        .nth(1)
        .and_then(|t| t.split(']').next())
        .expect("alpha");
    let a: f64 = alpha.parse().expect("alpha value");
    assert!((a - peer("ohio_ar1", "alpha", "alpha")).abs() < 1e-6, "{a}");
}

#[test]
fn out_writes_the_three_tables() {
    let dir = scratch_path("dimorph_gee_out", "out");
    let d = dir.display().to_string();
    let (code, _, err) = ohio(&["--corstr", "unstructured", "--waves", "wave", "--out", &d]);
    assert_eq!(code, 0, "{err}");
    for f in ["coefficients.csv", "gee_fit.csv", "gee_correlation.csv"] {
        assert!(dir.join(f).exists(), "{f}");
    }
    let corr = std::fs::read_to_string(dir.join("gee_correlation.csv")).expect("read");
    assert_eq!(corr.lines().count(), 7, "{corr}");
    let fit = std::fs::read_to_string(dir.join("gee_fit.csv")).expect("read");
    let qic: f64 = fit
        .lines()
        .nth(1)
        .expect("row")
        .split(',')
        .nth(7)
        .expect("qic")
        .parse()
        .expect("num");
    assert!(
        (qic - peer("ohio_unstr", "qic", "QIC")).abs() < 1e-5 * qic.abs(),
        "{qic}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_input_exits_2_with_the_reason() {
    let one = tmp("one.csv", "id,x,y\n1,0.1,0\n1,0.5,1\n1,0.9,1\n1,0.3,0\n");
    bad(
        &[
            "glm", "--data", &one, "y ~ x", "--family", "binomial", "--gee", "--id", "id",
        ],
        &["--id", "single cluster"],
    );
    let miss = tmp("miss.csv", "id,x,y\n1,0.1,0\n1,0.5,1\nNA,0.9,1\n2,0.3,0\n2,0.2,1\n");
    bad(
        &[
            "glm", "--data", &miss, "y ~ x", "--family", "binomial", "--gee", "--id", "id",
        ],
        &["miss.csv", "line 4", "cluster id is missing"],
    );
    bad(
        &[
            "glm",
            "--data",
            "crates/dimorph-glm/tests/peers/respiratory_gaps.csv",
            "outcome ~ treat + age",
            "--family",
            "binomial",
            "--gee",
            "--id",
            "id",
            "--corstr",
            "ar1",
        ],
        &["--waves", "differ in size"],
    );
    let (code, _, e) = ohio(&["--cluster", "id"]);
    assert!(code == 2 && e.contains("--cluster: not available with --gee"), "{e}");
    let (code, _, e) = ohio(&["--robust", "hc1"]);
    assert!(code == 2 && e.contains("--robust: not available with --gee"), "{e}");
    let (code, _, e) = ohio(&["--predict", "data/ohio.csv"]);
    assert!(code == 2 && e.contains("--predict: not available with --gee"), "{e}");
    let (code, _, e) = ohio(&["--corstr", "toeplitz"]);
    assert!(code == 2 && e.contains("toeplitz"), "{e}");
    // --gee without --id, and --id without --gee
    bad(
        &[
            "glm",
            "--data",
            "data/ohio.csv",
            "resp ~ age",
            "--family",
            "binomial",
            "--gee",
        ],
        &["--id"],
    );
    bad(
        &[
            "glm",
            "--data",
            "data/ohio.csv",
            "resp ~ age",
            "--family",
            "binomial",
            "--id",
            "id",
        ],
        &["--gee"],
    );
}

#[test]
fn the_help_examples_run() {
    for args in [
        vec![
            "glm",
            "--data",
            "data/ohio.csv",
            "resp ~ age + smoke",
            "--family",
            "binomial",
            "--gee",
            "--id",
            "id",
            "--corstr",
            "exchangeable",
        ],
        vec![
            "glm",
            "--data",
            "data/respiratory.csv",
            "outcome ~ treat + sex + age + baseline",
            "--family",
            "binomial",
            "--gee",
            "--id",
            "id",
            "--corstr",
            "ar1",
            "--waves",
            "visit",
        ],
        vec![
            "glm",
            "--data",
            "data/epil.csv",
            "y ~ trt + lbase + lage",
            "--family",
            "poisson",
            "--gee",
            "--id",
            "subject",
            "--corstr",
            "exchangeable",
        ],
        vec![
            "glm",
            "--data",
            "data/dietox.csv",
            "Weight ~ Time + Cu",
            "--gee",
            "--id",
            "Pig",
            "--corstr",
            "ar1",
            "--waves",
            "Time",
        ],
    ] {
        let (code, out, err) = run_in_root(&args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(out.contains("Converged"), "{out}");
    }
}
