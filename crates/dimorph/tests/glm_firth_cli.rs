//! `dimorph glm --firth` end to end: logistf's sex2 model through the binary (text, JSON and the
//! tidy CSV, values against logistf 1.26.1's in crates/dimorph-glm/tests/peers/firth.csv), the
//! separation warning of the ordinary fit suggesting --firth, and exit code 2 with the flag named
//! for a non-binomial family, a non-logit link, options that do not apply, and no rows left after
//! removing missing values.

use crate::common;
use crate::common::run_in_root;
use crate::common::scratch_dir;

const SEX2: &str = "crates/dimorph-glm/tests/peers/firth_sex2.csv";
const SEP: &str = "crates/dimorph-glm/tests/peers/firth_separated.csv";
const MODEL: &str = "case ~ age + oc + vic + vicl + vis + dia";

/// logistf's (estimate, se, lower, upper, p) of `term` in the sex2 case.
fn logistf(term: &str) -> [f64; 5] {
    let text = std::fs::read_to_string(common::root().join("crates/dimorph-glm/tests/peers/firth.csv")).expect("peer");
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("\"sex2\",\"{term}\"")))
        .expect("row");
    let f: Vec<f64> = line.split(',').skip(2).map(|s| s.parse().expect("number")).collect();
    [f[0], f[1], f[2], f[3], f[5]]
}

#[test]
fn firth_text_json_and_csv_carry_logistf_values() {
    let (code, out, err) = run_in_root(&["glm", "--data", SEX2, MODEL, "--firth"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Model fitted by Penalized ML"), "{out}");
    assert!(out.contains("Likelihood ratio test=49.09064 on 6 df"), "{out}");

    let (code, out, err) = run_in_root(&["glm", "--data", SEX2, MODEL, "--firth", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let coefs = v["result"]["coefficients"].as_array().expect("coefficients");
    assert_eq!(coefs.len(), 7);
    for c in coefs {
        let name = c["name"].as_str().expect("name");
        let [est, se, lo, hi, p] = logistf(name);
        let got = |k: &str| c[k].as_f64().expect(k);
        assert!((got("estimate") - est).abs() < 1e-7 * (1.0 + est.abs()), "{name}");
        assert!((got("se") - se).abs() < 1e-7 * (1.0 + se), "{name}");
        assert!(
            (c["profile_ci"][0].as_f64().expect("lo") - lo).abs() < 1e-6 * (1.0 + lo.abs()),
            "{name}"
        );
        assert!(
            (c["profile_ci"][1].as_f64().expect("hi") - hi).abs() < 1e-6 * (1.0 + hi.abs()),
            "{name}"
        );
        assert!((got("lr_p") - p).abs() < 1e-6 * p + 1e-10, "{name}");
    }

    let (code, out, err) = run_in_root(&["glm", "--data", SEX2, MODEL, "--firth", "--format", "csv"]);
    assert_eq!(code, 0, "{err}");
    let mut lines = out.lines();
    let head = lines.next().expect("header");
    assert!(
        head.starts_with("term,estimate,std_error,statistic,p_value,conf_low,conf_high,conf_method"),
        "{head}"
    );
    let dia = lines.find(|l| l.starts_with("dia,")).expect("dia row");
    let est: f64 = dia.split(',').nth(1).expect("estimate").parse().expect("number");
    assert!((est - logistf("dia")[0]).abs() < 1e-7, "{dia}");
    assert!(dia.contains("profile_penalised"), "{dia}");
}

#[test]
fn ordinary_fit_of_separated_data_suggests_firth() {
    let (code, _, err) = run_in_root(&[
        "glm",
        "--data",
        SEP,
        "y ~ x + g",
        "--family",
        "binomial",
        "--no-profile",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("separation") && err.contains("--firth"), "{err}");
}

#[test]
fn bad_input_exits_2_naming_the_flag() {
    for (args, want) in [
        (
            vec!["--family", "poisson"],
            "--family: --firth fits the binomial logit model",
        ),
        (
            vec!["--link", "probit"],
            "--link: --firth penalises the logistic model, logit link only",
        ),
        (vec!["--robust", "hc0"], "--robust: not available with --firth"),
        (vec!["--residuals"], "--residuals: not available with --firth"),
        (vec!["--predict", SEX2], "--predict: not available with --firth"),
        (vec!["--family", "ordinal"], "--family: not available with --firth"),
        (vec!["--gee", "--id", "age"], "--gee: not available with --firth"),
    ] {
        let mut a = vec!["glm", "--data", SEX2, MODEL, "--firth"];
        a.extend(args);
        let (code, _, err) = run_in_root(&a);
        assert_eq!(code, 2, "{a:?}: {err}");
        assert!(err.contains(want), "{a:?}: {err}");
    }
    // no rows left after removing missing values
    let dir = scratch_dir("dimorph_glm_firth_cli");
    let f = dir.join("na.csv");
    std::fs::write(&f, "y,x\n1,NA\n0,NA\n").expect("write");
    let (code, _, err) = run_in_root(&["glm", "--data", f.to_str().expect("path"), "y ~ x", "--firth"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no rows left"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}
