//! `dimorph glm anova FORMULA FORMULA...` and `--family tweedie(p)` from the command line: the
//! analysis of deviance as text (R 4.2.2's anova() values from
//! crates/dimorph-glm/tests/peers/anova.csv, printed to R's 4 decimals), as CSV (against
//! peers/compare.csv at 1e-8, with the rows dropped for a variable missing in another model
//! named in a warning) and JSON; refusals with exit 2: one formula, models that are not nested,
//! different families, several formulas without `anova`, options of one model's analysis, a
//! Tweedie power without a distribution.

use crate::common;
use crate::common::run_in_root;

const PEERS: &str = "crates/dimorph-glm/tests/peers";

#[test]
fn anova_prints_rs_table() {
    let (rc, out, err) = run_in_root(&[
        "glm",
        "anova",
        "--data",
        "data/crabs.csv",
        "satell ~ width",
        "satell ~ width + weight",
        "satell ~ width + weight + C(color)",
        "--family",
        "poisson",
    ]);
    assert_eq!(rc, 0, "{err}");
    // R: Resid. Dev 567.8786, 559.9006, 551.3803; Deviance 7.9780, 8.5203; Pr(>Chi) 0.00473, 0.0364
    for want in [
        "Resid. Df",
        "567.8786",
        "559.9006",
        "551.3803",
        "7.9780",
        "8.5203",
        "0.00473",
        "0.0364",
    ] {
        assert!(out.contains(want), "{want} in\n{out}");
    }
    assert!(out.contains("Model 3: satell ~ width + weight + C(color)"), "{out}");
}

#[test]
fn anova_csv_matches_r_on_common_rows_with_a_warning() {
    let data = format!("{PEERS}/compare_data.csv");
    let (rc, out, err) = run_in_root(&[
        "glm",
        "anova",
        "--data",
        &data,
        "weight ~ width + C(color)",
        "weight ~ width",
        "weight ~ 1",
        "--family",
        "gamma",
        "--link",
        "log",
        "--tol",
        "1e-13",
        "--format",
        "csv",
    ]);
    assert_eq!(rc, 0, "{err}");
    assert!(err.contains("6 row(s) missing a variable"), "{err}");
    let peer = std::fs::read_to_string(common::root().join(PEERS).join("compare.csv")).expect("peer");
    let want: Vec<Vec<String>> = peer
        .lines()
        .filter(|l| l.starts_with("\"gamma_log_f\""))
        .map(|l| l.split(',').map(|s| s.trim_matches('"').to_string()).collect())
        .collect();
    let got: Vec<Vec<String>> = out
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    assert_eq!(got.len(), 3, "{out}");
    let num = |s: &str| {
        if s == "NA" {
            f64::NAN
        } else {
            s.parse::<f64>().expect("number")
        }
    };
    for (g, w) in got.iter().zip(&want) {
        // ours: model,formula,df_residual,deviance,df,deviance_change,chisq_p,f,f_p
        // R: comparison,model,formula,n,df_residual,deviance,df,deviance_change,f,p(F)
        for (ours, r) in [(2, 4), (3, 5), (4, 6), (5, 7), (7, 8), (8, 9)] {
            let (a, b) = (num(&g[ours]), num(&w[r]));
            assert!(
                (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-8 * b.abs(),
                "column {ours}: {a} vs R {b}"
            );
        }
    }
    let (rc, json, err) = run_in_root(&[
        "glm",
        "anova",
        "--data",
        &data,
        "weight ~ width",
        "weight ~ width + C(color)",
        "--format",
        "json",
    ]);
    assert_eq!(rc, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["result"]["rows_used"], 158);
    assert_eq!(v["result"]["rows_dropped"], 6);
}

#[test]
fn anova_refuses_what_cannot_be_compared() {
    let cases: [(&[&str], &str); 7] = [
        (
            &["glm", "anova", "--data", "data/crabs.csv", "satell ~ width"],
            "needs two or more formulas",
        ),
        (
            &[
                "glm",
                "anova",
                "--data",
                "data/crabs.csv",
                "satell ~ width",
                "satell ~ weight",
                "--family",
                "poisson",
            ],
            "not nested",
        ),
        (
            &[
                "glm",
                "anova",
                "--data",
                "data/crabs.csv",
                "cbind(satell, 20 - satell) ~ width",
                "satell ~ width",
            ],
            "different families",
        ),
        (
            &[
                "glm",
                "--data",
                "data/crabs.csv",
                "satell ~ width",
                "satell ~ width + weight",
            ],
            "dimorph glm anova",
        ),
        (
            &[
                "glm",
                "anova",
                "--data",
                "data/crabs.csv",
                "satell ~ width",
                "satell ~ width + weight",
                "--residuals",
            ],
            "--residuals",
        ),
        (
            &[
                "glm",
                "anova",
                "--data",
                "data/crabs.csv",
                "satell ~ width",
                "satell ~ width + weight",
                "--predict",
                "data/crabs.csv",
            ],
            "--predict",
        ),
        (
            &[
                "glm",
                "--data",
                "data/crabs.csv",
                "weight ~ width",
                "--family",
                "tweedie(0.5)",
            ],
            "0 < p < 1",
        ),
    ];
    for (args, want) in cases {
        let (rc, _, err) = run_in_root(args);
        assert_eq!(rc, 2, "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
    }
}

#[test]
fn tweedie_fit_prints_aic_na_with_the_reason() {
    let data = format!("{PEERS}/tweedie_data.csv");
    let (rc, out, err) = run_in_root(&[
        "glm",
        "--data",
        &data,
        "y ~ x + g",
        "--family",
        "tweedie(1.5)",
        "--tol",
        "1e-13",
    ]);
    assert_eq!(rc, 0, "{err}");
    // statmod::tweedie(1.5, 0): x 0.554010041843244 (se 0.074378915144647), dispersion
    // 0.924839818251246, printed as R does: 0.55401, 0.07438, 0.9248398
    assert!(out.contains("0.55401") && out.contains("0.07438"), "{out}");
    assert!(out.contains("Tweedie family taken to be 0.9248398"), "{out}");
    assert!(out.contains("AIC: NA"), "{out}");
    assert!(err.contains("NA for the Tweedie family"), "{err}");
}
