//! The Tweedie family against R 4.2.2's `glm` with `statmod::tweedie(var.power, link.power)`
//! (`tests/peers/tweedie.R` → `tweedie.csv`, `tweedie_anova.csv`, on the seeded compound
//! Poisson–gamma sample `tweedie_data.csv`): coefficients, standard errors with the Pearson
//! dispersion, deviance, null deviance, dispersion and residual df for p = 0, 1, 1.2, 1.5, 1.8,
//! 2.5, 3 with log, identity and canonical power links; the AIC is NA (as R) with the reason in
//! the warnings; an analysis of deviance of nested Tweedie fits (F test). Tolerance: 1e-8
//! relative (R fitted to epsilon 1e-13). Bad input: 0 < p < 1 and p < 0 refused, a negative
//! response refused for 1 ≤ p < 2 and a zero for p ≥ 2.

use std::path::PathBuf;

use dimorph_glm::{Family, Link, RunOptions};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn data() -> dimorph_data::Frame {
    dimorph_data::read_table(root().join("tests/peers/tweedie_data.csv")).expect("tweedie_data.csv")
}

fn csv(name: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(root().join("tests/peers").join(name)).expect("peer csv");
    text.lines()
        .skip(1)
        .map(|l| l.split(',').map(|s| s.trim_matches('"').to_string()).collect())
        .collect()
}

fn num(s: &str) -> f64 {
    if s == "NA" {
        f64::NAN
    } else {
        s.parse().expect("number")
    }
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a.is_nan() && b.is_nan()) || (a - b).abs() <= tol * b.abs().max(1e-12)
}

fn opts(power: f64, link: &str) -> RunOptions {
    RunOptions {
        family: Some(Family::Tweedie { power }),
        link: Some(Link::parse(link).expect("link")),
        profile: Some(false),
        tol: 1e-13,
        max_iter: 100,
        ..Default::default()
    }
}

#[test]
fn tweedie_fits_match_statmod() {
    let d = data();
    let rows = csv("tweedie.csv");
    let mut cases: Vec<String> = rows.iter().map(|r| r[0].clone()).collect();
    cases.dedup();
    assert_eq!(cases.len(), 7);
    let mut checked = 0;
    for case in cases {
        let lines: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == case).collect();
        let (formula, power, link) = (&lines[0][1], num(&lines[0][2]), &lines[0][3]);
        let out = dimorph_glm::run(&d, formula, None, &opts(power, link)).expect("fit");
        let r = &out.result;
        assert!(r.fit.aic.is_nan(), "{case}: AIC {}", r.fit.aic);
        assert!(
            out.warnings.iter().any(|w| w.contains("NA for the Tweedie family")),
            "{case}: {:?}",
            out.warnings
        );
        for l in lines {
            let (term, est, se) = (l[4].as_str(), num(&l[5]), num(&l[6]));
            let ours = match term {
                "deviance" => r.fit.deviance,
                "null_deviance" => r.fit.null_deviance,
                "dispersion" => r.fit.dispersion,
                "df_residual" => r.fit.df_residual,
                "aic" => r.fit.aic,
                _ => {
                    let c = r
                        .inference
                        .coefficients
                        .iter()
                        .find(|c| c.name == term)
                        .unwrap_or_else(|| panic!("{case}: no coefficient {term}"));
                    assert!(close(c.se, se, 1e-8), "{case} {term}: se {} vs R {se}", c.se);
                    c.estimate
                }
            };
            assert!(close(ours, est, 1e-8), "{case} {term}: {ours} vs R {est}");
            checked += 1;
        }
    }
    assert!(checked >= 50, "{checked}");
}

#[test]
fn nested_tweedie_models_compare_by_f_as_r() {
    let d = data();
    let o = RunOptions {
        anova: vec!["y ~ x + g".into()],
        ..opts(1.5, "log")
    };
    let r = dimorph_glm::run(&d, "y ~ x", None, &o).expect("fit").result;
    let a = r.anova.expect("anova");
    let peer = csv("tweedie_anova.csv");
    assert_eq!(a.rows.len(), peer.len());
    for (ours, p) in a.rows.iter().zip(&peer) {
        for (name, x, y) in [
            ("df_residual", ours.df_residual, num(&p[1])),
            ("deviance", ours.deviance, num(&p[2])),
            ("df", ours.df, num(&p[3])),
            ("deviance_change", ours.deviance_change, num(&p[4])),
            ("f", ours.f, num(&p[5])),
            ("f_p", ours.f_p, num(&p[6])),
        ] {
            assert!(close(x, y, 1e-8), "{name}: {x} vs R {y}");
        }
    }
}

#[test]
fn powers_without_a_distribution_and_responses_outside_the_range_are_refused() {
    for bad in [
        "tweedie(0.5)",
        "tweedie(0.999)",
        "tweedie(-1)",
        "tweedie",
        "tweedie(nan)",
    ] {
        let e = bad.parse::<Family>().expect_err(bad).to_string();
        assert!(e.contains("tweedie(p) with p = 0 or p ≥ 1"), "{bad}: {e}");
    }
    assert!("tweedie(0.5)"
        .parse::<Family>()
        .unwrap_err()
        .to_string()
        .contains("no Tweedie distribution has 0 < p < 1"));
    let d = dimorph_data::read_csv_bytes("neg.csv", b"y,x\n1,1\n-2,2\n3,3\n0,4\n").expect("csv");
    let e = dimorph_glm::run(&d, "y ~ x", None, &opts(1.5, "log"))
        .expect_err("negative y")
        .to_string();
    assert!(e.contains("non-negative") && e.contains("line 3"), "{e}");
    let e = dimorph_glm::run(&d, "y ~ x", None, &opts(2.5, "log"))
        .expect_err("y ≤ 0")
        .to_string();
    assert!(e.contains("positive"), "{e}");
    // a link the family does not take
    let e = dimorph_glm::run(&d, "y ~ x", None, &opts(1.5, "logit"))
        .expect_err("logit")
        .to_string();
    assert!(e.contains("logit") && e.contains("tweedie"), "{e}");
}
