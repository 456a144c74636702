//! `dimorph glm` with the formula terms of issue 13 (poly, ns, bs, scale, comparisons, contrasts):
//! `--predict` builds the new rows from what the bases learned from the fitting data (R's
//! `predict` through `makepredictcall`), compared with R 4.2.2's link predictions in
//! `crates/dimorph-glm/tests/peers/model_matrix/predict.csv` (written by
//! `crates/dimorph-glm/tests/peers/model_matrix.R`; R's glm converged to 1e-14, ours to the
//! default 1e-8, hence 1e-6 absolute on η); bad terms exit 2 with the place.

use crate::common;

use crate::common::scratch_dir;
use common::{root, run_in_root};

/// R's link predictions for `case` on newdata.csv, in row order.
fn r_eta(case: &str) -> Vec<f64> {
    let text = std::fs::read_to_string(root().join("crates/dimorph-glm/tests/peers/model_matrix/predict.csv"))
        .expect("predict.csv");
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').map(|s| s.trim_matches('"')).collect();
            (f[0] == case).then(|| f[2].parse().expect("eta"))
        })
        .collect()
}

#[test]
fn predictions_on_new_data_reuse_the_fitted_bases() {
    let dir = scratch_dir("dimorph-glm-formula-cli");
    for (case, formula) in [
        ("ns3", "satell ~ ns(width, 3)"),
        ("poly3", "satell ~ poly(width, 3)"),
        ("scale_ns", "satell ~ scale(width) + ns(weight, df = 4)"),
        ("poly_sum", "satell ~ poly(width, 2) * C(color, sum)"),
        ("compare_helmert", "satell ~ I(width > 26) + C(spine, helmert)"),
    ] {
        let out = dir.join(case);
        let (code, _, err) = run_in_root(&[
            "glm",
            "--data",
            "data/crabs.csv",
            formula,
            "--family",
            "poisson",
            "--no-profile",
            "--predict",
            "crates/dimorph-glm/tests/peers/model_matrix/newdata.csv",
            "--out",
            out.to_str().expect("path"),
            "--format",
            "json",
        ]);
        assert_eq!(code, 0, "{case}: {err}");
        let text = std::fs::read_to_string(out.join("predictions.csv")).expect("predictions.csv");
        let ours: Vec<f64> = text
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(1).expect("eta").parse().expect("number"))
            .collect();
        let r = r_eta(case);
        assert_eq!(ours.len(), r.len(), "{case}");
        for (i, (a, b)) in ours.iter().zip(&r).enumerate() {
            assert!((a - b).abs() < 1e-6, "{case} row {}: ours {a}, R {b}", i + 1);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_terms_exit_2_with_their_place() {
    for (formula, want) in [
        (
            "satell ~ poly(color, 4)",
            "'degree' must be less than number of unique points",
        ),
        ("satell ~ ns(color, 5)", "only 4 distinct values"),
        (
            "satell ~ C(color, Foo)",
            "formula error at character 19: unknown contrast 'Foo'",
        ),
        ("satell ~ width > 25", "a comparison must be inside I()"),
    ] {
        let (code, _, err) = run_in_root(&["glm", "--data", "data/crabs.csv", formula, "--family", "poisson"]);
        assert_eq!(code, 2, "{formula}: {err}");
        assert!(err.contains(want), "{formula}: {err}");
    }
}
