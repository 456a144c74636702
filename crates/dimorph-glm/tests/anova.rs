//! `--anova`: the analysis of deviance table of nested models against R 4.2.2's `anova()`
//! (`tests/peers/anova.R` → `anova.csv`; test = "Chisq", and "F" where the dispersion is
//! estimated). Tolerance: 1e-8 relative on deviances, statistics and p-values.

use std::path::PathBuf;

use dimorph_glm::{Family, RunOptions};

fn num(s: &str) -> f64 {
    if s == "NA" {
        f64::NAN
    } else {
        s.parse().expect("number")
    }
}

fn close(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-8 * b.abs().max(1e-300)
}

#[test]
fn analysis_of_deviance_matches_r() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let crabs = dimorph_data::read_table(root.join("../../data/crabs.csv")).expect("crabs");
    let peer = std::fs::read_to_string(root.join("tests/peers/anova.csv")).expect("anova.csv");
    let rows: Vec<Vec<String>> = peer
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(|s| s.trim_matches('"').to_string()).collect())
        .collect();
    let cases: [(&str, Family, &[&str]); 3] = [
        (
            "poisson",
            Family::Poisson,
            &[
                "satell ~ width",
                "satell ~ width + weight",
                "satell ~ width + weight + C(color)",
            ],
        ),
        (
            "gaussian",
            Family::Gaussian,
            &["weight ~ width", "weight ~ width + C(color)"],
        ),
        (
            "quasipoisson_decreasing",
            Family::QuasiPoisson,
            &["satell ~ width + weight + C(color)", "satell ~ width"],
        ),
    ];
    let mut checked = 0;
    for (name, family, formulas) in cases {
        let opts = RunOptions {
            family: Some(family),
            profile: Some(false),
            tol: 1e-12,
            anova: formulas[1..].iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        let out = dimorph_glm::run(&crabs, formulas[0], None, &opts).expect("fit");
        let a = out.result.anova.as_ref().expect("anova");
        let peer: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == name).collect();
        assert_eq!(a.rows.len(), peer.len(), "{name}");
        for (ours, r) in a.rows.iter().zip(peer) {
            let want: Vec<f64> = r[2..].iter().map(|s| num(s)).collect();
            let got = [
                ours.df_residual,
                ours.deviance,
                ours.df,
                ours.deviance_change,
                ours.chisq_p,
                ours.f,
                ours.f_p,
            ];
            for (k, (g, w)) in got.iter().zip(&want).enumerate() {
                assert!(close(*g, *w), "{name} model {} column {k}: ours {g} vs R {w}", r[1]);
                checked += 1;
            }
        }
        assert!(out.tables.iter().any(|t| t.name == "anova"));
    }
    assert_eq!(checked, 7 * 7);
}

#[test]
fn models_on_different_rows_use_the_common_rows_and_estimated_theta_is_refused() {
    let data = dimorph_data::read_csv_bytes("gaps.csv", b"y,x,z\n1,1,2\n2,2,\n4,3,1\n3,4,5\n6,5,2\n").expect("csv");
    let opts = RunOptions {
        family: Some(Family::Poisson),
        anova: vec!["y ~ x + z".into()],
        ..Default::default()
    };
    // the row missing z is dropped from both models (R's anova needs one data set), with a warning
    let out = dimorph_glm::run(&data, "y ~ x", None, &opts).expect("fit");
    let a = out.result.anova.as_ref().expect("anova");
    assert_eq!((a.rows_used, a.rows_dropped), (4, 1));
    assert_eq!(a.rows[0].df_residual, 2.0);
    assert!(
        out.warnings.iter().any(|w| w.contains("1 row(s) missing")),
        "{:?}",
        out.warnings
    );
    let nb = RunOptions {
        family: Some(Family::NegBin { theta: 1.0 }),
        anova: vec!["y ~ 1".into()],
        ..Default::default()
    };
    let e = dimorph_glm::run(&data, "y ~ x", None, &nb)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("fix it with --theta"), "{e}");
}
