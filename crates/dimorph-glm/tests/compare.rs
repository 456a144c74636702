//! `dimorph glm anova` (the library entry point `compare::run_compare`) against R 4.2.2's
//! `anova()` of nested glm fits (`tests/peers/compare.R` → `compare.csv`) on the crab data with
//! missing cells injected (`compare_data.csv`): R fits every model to na.omit of the variables of
//! all models; dimorph drops those rows by itself and says how many. Poisson and binomial with the
//! likelihood-ratio test, Gamma (log link, decreasing order, three models) and Gaussian (an
//! interaction) with F on the largest model's dispersion. Tolerance 1e-8 relative (R at epsilon
//! 1e-14). Bad input: one formula, models that are not nested, different responses, different
//! families, options of one model's analysis.

use std::path::PathBuf;

use dimorph_glm::compare::run_compare;
use dimorph_glm::{Family, Link, RunOptions};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn data() -> dimorph_data::Frame {
    dimorph_data::read_table(root().join("tests/peers/compare_data.csv")).expect("compare_data.csv")
}

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

fn opts(family: Family, link: Option<Link>) -> RunOptions {
    RunOptions {
        family: Some(family),
        link,
        tol: 1e-13,
        max_iter: 100,
        ..Default::default()
    }
}

#[test]
fn nested_models_on_common_rows_match_r() {
    let d = data();
    let text = std::fs::read_to_string(root().join("tests/peers/compare.csv")).expect("compare.csv");
    let rows: Vec<Vec<String>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(|s| s.trim_matches('"').to_string()).collect())
        .collect();
    let cases = [
        ("poisson_lrt", opts(Family::Poisson, None), 15usize),
        ("binomial_lrt", opts(Family::Binomial, None), 15),
        ("gamma_log_f", opts(Family::Gamma, Some(Link::Log)), 6),
        ("gaussian_interaction_f", opts(Family::Gaussian, None), 6),
    ];
    let mut checked = 0;
    for (name, o, dropped) in cases {
        let peer: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == name).collect();
        let formulas: Vec<String> = peer.iter().map(|r| r[2].replace("factor(", "C(")).collect();
        let out = run_compare(&d, &formulas, &o).expect(name);
        let a = &out.result;
        assert_eq!(a.rows.len(), peer.len(), "{name}");
        assert_eq!(a.rows_used, num(&peer[0][3]) as usize, "{name}: rows used");
        assert_eq!(a.rows_dropped, dropped, "{name}: rows dropped");
        assert_eq!(
            out.warnings
                .iter()
                .any(|w| w.contains(&format!("{dropped} row(s) missing"))),
            dropped > 0,
            "{name}: {:?}",
            out.warnings
        );
        let estimated = !o.family.is_some_and(|f| f.dispersion_fixed());
        for (ours, r) in a.rows.iter().zip(&peer) {
            let p = if estimated { ours.f_p } else { ours.chisq_p };
            let got = [
                ours.df_residual,
                ours.deviance,
                ours.df,
                ours.deviance_change,
                ours.f,
                p,
            ];
            for (k, (g, w)) in got.iter().zip(&r[4..]).enumerate() {
                let w = num(w);
                assert!(close(*g, w), "{name} model {} column {k}: ours {g} vs R {w}", r[1]);
                checked += 1;
            }
        }
        assert_eq!(out.tables[0].name, "anova");
        assert!(!out.sections.is_empty() && !out.summary.is_empty());
    }
    assert_eq!(checked, 10 * 6);
}

#[test]
fn one_formula_non_nested_models_and_different_families_are_refused() {
    let d = data();
    let f = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<String>>();
    let err = |formulas: &[&str], o: &RunOptions| {
        run_compare(&d, &f(formulas), o)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    let pois = opts(Family::Poisson, None);
    let e = err(&["satell ~ width"], &pois);
    assert!(e.contains("needs at least two formulas"), "{e}");
    let e = err(&["satell ~ width", "satell ~ weight"], &pois);
    assert!(
        e.contains("not nested") && e.contains("width only in model 1") && e.contains("weight only in model 2"),
        "{e}"
    );
    let e = err(
        &["satell ~ width", "satell ~ width + weight", "satell ~ C(color)"],
        &pois,
    );
    assert!(e.contains("cannot compare model 2") && e.contains("not nested"), "{e}");
    let e = err(&["satell ~ width", "y ~ width"], &pois);
    assert!(e.contains("different responses"), "{e}");
    // the default family differs between an events/trials and a plain response
    let e = err(
        &["cbind(satell, 10 - satell) ~ width", "satell ~ width"],
        &RunOptions::default(),
    );
    assert!(e.contains("different families (binomial and gaussian)"), "{e}");
    let e = err(
        &["satell ~ width", "satell ~ width + weight"],
        &RunOptions {
            residuals: true,
            ..pois.clone()
        },
    );
    assert!(e.starts_with("--residuals"), "{e}");
    let e = err(
        &["satell ~ width", "satell ~ width + weight"],
        &RunOptions {
            family: Some(Family::NegBin { theta: 1.0 }),
            ..pois
        },
    );
    assert!(e.contains("fix it with --theta"), "{e}");
}
