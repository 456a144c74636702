//! `dimorph glm --family ordinal|multinomial` end to end: the help's examples run from the
//! repository root, the CSV table equals R's polr / multinom values (the committed peer outputs
//! of crates/dimorph-glm/tests/peers, same tolerances as the engine's tests), the JSON envelope
//! and --out files, and exit code 2 with a message naming the flag or the data for bad input.

use crate::common::{root, run_in_root};
use crate::common::{scratch_dir, scratch_path};

/// Every example line of the help that fits a categorical model runs and exits 0.
#[test]
fn help_examples_run() {
    let (code, help, _) = run_in_root(&["glm", "--help"]);
    assert_eq!(code, 0);
    let examples: Vec<&str> = help
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("dimorph glm") && (l.contains("ordinal") || l.contains("multinomial")))
        .collect();
    assert!(examples.len() >= 3, "{help}");
    for ex in examples {
        let args = shell_words(ex.trim_start_matches("dimorph "));
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, out, err) = run_in_root(&refs);
        assert_eq!(code, 0, "{ex}: {err}");
        assert!(!out.is_empty(), "{ex}");
    }
}

/// Splits a command line on blanks, keeping 'quoted' words whole.
fn shell_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in s.chars() {
        match c {
            '\'' => quoted = !quoted,
            ' ' if !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// (term, estimate, se) rows of a peer file for one model (polr.csv: model,quantity,term,value).
fn peer(file: &str, model: &str, level: Option<&str>) -> Vec<(String, f64, f64)> {
    let text = std::fs::read_to_string(root().join("crates/dimorph-glm/tests/peers").join(file)).expect("peer");
    let rows: Vec<Vec<String>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(|s| s.trim_matches('"').to_string()).collect())
        .collect();
    let n = rows.first().map_or(0, Vec::len);
    let find = |q: &str, term: &str| -> f64 {
        rows.iter()
            .find(|r| r[0] == model && r[1] == q && r[n - 2] == term && level.is_none_or(|l| r[2] == l))
            .map(|r| r[n - 1].parse().expect("number"))
            .expect("peer value")
    };
    rows.iter()
        .filter(|r| r[0] == model && r[1] == "estimate" && level.is_none_or(|l| r[2] == l))
        .map(|r| (r[n - 2].clone(), find("estimate", &r[n - 2]), find("se", &r[n - 2])))
        .collect()
}

/// The CSV coefficient table as (term, kind, estimate, se).
fn csv_rows(out: &str) -> Vec<(String, String, f64, f64)> {
    out.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (
                f[0].to_string(),
                f[1].to_string(),
                f[2].parse().expect("estimate"),
                f[3].parse().expect("se"),
            )
        })
        .collect()
}

#[test]
fn ordinal_csv_matches_polr() {
    let (code, out, err) = run_in_root(&[
        "glm",
        "--data",
        "data/housing.csv",
        "Sat ~ Infl + Type + Cont",
        "--family",
        "ordinal",
        "--link",
        "probit",
        "--freq",
        "Freq",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{err}");
    let ours = csv_rows(&out);
    let r = peer("polr.csv", "housing_probit", None);
    assert_eq!(ours.len(), r.len());
    for (term, est, se) in r {
        let o = ours.iter().find(|o| o.0 == term).expect("term");
        assert!(
            (o.2 - est).abs() <= 5e-7 * est.abs().max(1.0),
            "{term}: {} vs {est}",
            o.2
        );
        assert!((o.3 - se).abs() <= 1e-6 * se.abs().max(1.0), "{term}: {} vs {se}", o.3);
    }
}

#[test]
fn multinomial_csv_matches_multinom() {
    let (code, out, err) = run_in_root(&[
        "glm",
        "--data",
        "crates/dimorph-glm/tests/peers/ordinal_sim.csv",
        "y ~ x1 + x2 + g",
        "--family",
        "multinomial",
        "--ref",
        "3",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{err}");
    let ours = csv_rows(&out);
    assert_eq!(ours.len(), 15);
    for level in ["1", "2", "4"] {
        for (term, est, se) in peer("multinom.csv", "sim_ref_3", Some(level)) {
            let o = ours.iter().find(|o| o.0 == term && o.1 == level).expect("term");
            assert!(
                (o.2 - est).abs() <= 1e-10 * est.abs().max(1.0),
                "{level} {term}: {} vs {est}",
                o.2
            );
            assert!(
                (o.3 - se).abs() <= 1e-7 * se.abs().max(1.0),
                "{level} {term}: {} vs {se}",
                o.3
            );
        }
    }
}

#[test]
fn json_and_out_folder() {
    let dir = scratch_path("dimorph_glm_ordinal", "out");
    let d = dir.display().to_string();
    let (code, out, err) = run_in_root(&[
        "glm",
        "--data",
        "data/housing.csv",
        "Sat ~ Infl",
        "--family",
        "ordinal",
        "--freq",
        "Freq",
        "--format",
        "json",
        "--out",
        &d,
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let res = &v["result"];
    assert_eq!(res["model"], "ordinal");
    assert_eq!(res["levels"]["names"], serde_json::json!(["Low", "Medium", "High"]));
    assert_eq!(res["n_obs"], 1681.0);
    assert!(res["parallel_score_test"]["df"] == 2, "{res}");
    assert!(dir.join("coefficients.csv").exists() && dir.join("fit.csv").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_input_exits_2_with_the_reason() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--family", "ordinal", "--robust", "hc0"],
            "--robust: does not apply to --family ordinal",
        ),
        (
            &["--family", "multinomial", "--predict", "data/housing.csv"],
            "--predict: does not apply",
        ),
        (
            &["--family", "multinomial", "--ref", "Top"],
            "--ref: 'Top' is not a level of the response Sat",
        ),
        (
            &["--family", "multinomial", "--link", "probit"],
            "--link: the multinomial model is the baseline-category logit",
        ),
        (
            &["--family", "ordinal", "--link", "log"],
            "--link: the ordinal (cumulative link) model takes",
        ),
        (
            &["--family", "ordinal", "--levels", "Low,Medium,Top,High"],
            "'Top' is never observed",
        ),
        (
            &["--family", "ordinal", "--levels", "Low,High"],
            "'Medium' is not among --levels",
        ),
        (
            &["--family", "poisson", "--levels", "a,b"],
            "--levels: applies to --family ordinal or multinomial",
        ),
        (
            &["--family", "ordinal", "--ref", "Low"],
            "--ref: applies to --family multinomial",
        ),
    ];
    for (extra, needle) in cases {
        let mut args = vec!["glm", "--data", "data/housing.csv", "Sat ~ Infl", "--freq", "Freq"];
        args.extend_from_slice(extra);
        let (code, _, err) = run_in_root(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    // a response with one level
    let dir = scratch_dir("dimorph_glm_ordinal_one");
    let f = dir.join("one.csv");
    std::fs::write(&f, "y,x\na,1\na,2\na,3\n").expect("write");
    let p = f.display().to_string();
    let (code, _, err) = run_in_root(&["glm", "--data", &p, "y ~ x", "--family", "ordinal"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("one.csv") && err.contains("1 level ('a')"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
