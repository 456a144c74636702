//! GEE on bad input and its invariances: a single cluster, a missing id or wave, a repeated wave,
//! AR(1)/unstructured without waves on clusters of unequal size, options that do not apply,
//! non-convergence reported; the fit does not depend on the order of the rows when the waves
//! are given (also for unstructured with gaps, which geepack 1.3.9 cannot fit), independence
//! reproduces the GLM's coefficients, and the defaults (--tol 1e-8, --max-iter 25) converge on
//! the bundled data.

use std::path::PathBuf;

use dimorph_data::{read_csv_bytes, read_table, Frame};
use dimorph_glm::gee::{self, CorStr, GeeOptions};
use dimorph_glm::{Family, RunOptions};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn binomial() -> RunOptions {
    RunOptions {
        family: Some(Family::Binomial),
        ..Default::default()
    }
}

fn gee_opts(id: &str, corstr: CorStr, waves: Option<&str>) -> GeeOptions {
    GeeOptions {
        id: id.into(),
        corstr,
        waves: waves.map(String::from),
    }
}

fn err(frame: &Frame, formula: &str, o: &RunOptions, g: &GeeOptions) -> String {
    match gee::run(frame, formula, o, g) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

fn csv(text: &str) -> Frame {
    read_csv_bytes("t.csv", text.as_bytes()).expect("csv")
}

const SMALL: &str = "id,t,x,y\n1,1,0.1,0\n1,2,0.5,1\n1,3,0.9,1\n2,1,0.2,1\n2,2,0.4,0\n3,1,0.3,0\n3,2,0.8,1\n3,3,0.7,0\n4,1,0.6,1\n4,3,0.1,0\n";

#[test]
fn a_single_cluster_is_refused_naming_the_flag() {
    let f = csv("id,x,y\n7,0.1,0\n7,0.5,1\n7,0.9,1\n7,0.2,0\n");
    let e = err(&f, "y ~ x", &binomial(), &gee_opts("id", CorStr::Exchangeable, None));
    assert!(e.starts_with("--id:") && e.contains("single cluster"), "{e}");
}

#[test]
fn a_missing_id_or_wave_names_the_line() {
    let f = csv("id,t,x,y\n1,1,0.1,0\n1,2,0.5,1\n,1,0.9,1\n2,1,0.2,1\n2,2,0.4,0\n");
    let e = err(&f, "y ~ x", &binomial(), &gee_opts("id", CorStr::Exchangeable, None));
    assert!(
        e.contains("t.csv") && e.contains("4") && e.contains("cluster id is missing"),
        "{e}"
    );
    let f = csv("id,t,x,y\n1,1,0.1,0\n1,,0.5,1\n2,1,0.9,1\n2,2,0.2,1\n");
    let e = err(&f, "y ~ x", &binomial(), &gee_opts("id", CorStr::Ar1, Some("t")));
    assert!(e.contains("3") && e.contains("wave is missing"), "{e}");
    let e = err(&csv(SMALL), "y ~ x", &binomial(), &gee_opts("nope", CorStr::Ar1, None));
    assert!(e.starts_with("--id: no column 'nope'"), "{e}");
}

#[test]
fn waves_must_be_whole_and_distinct_within_a_cluster() {
    let f = csv("id,t,x,y\n1,1,0.1,0\n1,1,0.5,1\n2,1,0.9,1\n2,2,0.2,1\n");
    let e = err(&f, "y ~ x", &binomial(), &gee_opts("id", CorStr::Ar1, Some("t")));
    assert!(e.contains("wave 1 appears twice"), "{e}");
    let f = csv("id,t,x,y\n1,1.5,0.1,0\n1,2,0.5,1\n2,1,0.9,1\n2,2,0.2,1\n");
    let e = err(&f, "y ~ x", &binomial(), &gee_opts("id", CorStr::Ar1, Some("t")));
    assert!(e.contains("whole number"), "{e}");
}

#[test]
fn ar1_and_unstructured_need_waves_when_cluster_sizes_differ() {
    for c in [CorStr::Ar1, CorStr::Unstructured] {
        let e = err(&csv(SMALL), "y ~ x", &binomial(), &gee_opts("id", c, None));
        assert!(
            e.starts_with("--waves:") && e.contains("differ in size (2 to 3 rows"),
            "{e}"
        );
    }
    // exchangeable does not depend on the order, and with waves ar1 runs
    let gaps = read_table(root().join("crates/dimorph-glm/tests/peers/respiratory_gaps.csv")).expect("data");
    let formula = "outcome ~ treat + sex + age + baseline";
    let e = err(&gaps, formula, &binomial(), &gee_opts("id", CorStr::Ar1, None));
    assert!(e.starts_with("--waves:") && e.contains("(3 to 4 rows by id)"), "{e}");
    for (c, w) in [(CorStr::Exchangeable, None), (CorStr::Ar1, Some("visit"))] {
        let r = gee::run(&gaps, formula, &binomial(), &gee_opts("id", c, w));
        assert!(r.is_ok(), "{:?}", r.err());
    }
}

#[test]
fn a_working_correlation_out_of_range_is_an_error() {
    // a tiny data set whose moment estimate of alpha is below -1/(n - 1)
    let e = err(
        &csv(SMALL),
        "y ~ x",
        &binomial(),
        &gee_opts("id", CorStr::Exchangeable, None),
    );
    assert!(
        e.starts_with("--corstr: the exchangeable working correlation with alpha = -0.54"),
        "{e}"
    );
}

#[test]
fn options_that_do_not_apply_are_refused() {
    let f = csv(SMALL);
    let g = gee_opts("id", CorStr::Exchangeable, None);
    for (o, flag) in [
        (
            RunOptions {
                cluster: Some("id".into()),
                ..binomial()
            },
            "--cluster",
        ),
        (
            RunOptions {
                robust: Some(dimorph_glm::options::HcType::Hc0),
                ..binomial()
            },
            "--robust",
        ),
        (
            RunOptions {
                freq: Some("x".into()),
                ..binomial()
            },
            "--freq",
        ),
        (
            RunOptions {
                anova: vec!["y ~ 1".into()],
                ..binomial()
            },
            "--anova",
        ),
        (
            RunOptions {
                dispersion: dimorph_glm::Dispersion::Fixed,
                ..binomial()
            },
            "--dispersion",
        ),
        (
            RunOptions {
                profile: Some(true),
                ..binomial()
            },
            "--profile",
        ),
        (
            RunOptions {
                family: Some(Family::NegBin { theta: 1.0 }),
                ..Default::default()
            },
            "--family",
        ),
    ] {
        let e = err(&f, "y ~ x", &o, &g);
        assert!(e.starts_with(&format!("{flag}: not available with --gee")), "{e}");
    }
    let e = err(&f, "y ~ x", &binomial(), &gee_opts(" ", CorStr::Exchangeable, None));
    assert!(e.starts_with("--id:"), "{e}");
}

#[test]
fn non_convergence_is_reported_not_silent() {
    let f = read_table(root().join("data/ohio.csv")).expect("ohio");
    let o = RunOptions {
        max_iter: 1,
        ..binomial()
    };
    let out = gee::run(&f, "resp ~ age + smoke", &o, &gee_opts("id", CorStr::Ar1, None)).expect("fit");
    assert!(!out.result.converged);
    assert!(
        out.warnings
            .iter()
            .any(|w| w.contains("GEE did not converge in 1 iterations")),
        "{:?}",
        out.warnings
    );
    assert!(out.to_text().contains("NOT CONVERGED"));
}

/// The rows of a CSV file in a scrambled (deterministic) order.
fn shuffled(path: &str) -> Frame {
    let text = std::fs::read_to_string(root().join(path)).expect("read");
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    let n = lines.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| (i * 7919) % n);
    let mut out = String::from(header);
    for i in order {
        out.push('\n');
        out.push_str(lines[i]);
    }
    out.push('\n');
    read_csv_bytes(path, out.as_bytes()).expect("csv")
}

#[test]
fn the_row_order_does_not_matter_when_waves_are_given() {
    let path = "crates/dimorph-glm/tests/peers/respiratory_gaps.csv";
    let sorted = read_table(root().join(path)).expect("data");
    let mixed = shuffled(path);
    let formula = "outcome ~ treat + sex + age + baseline";
    for c in [CorStr::Ar1, CorStr::Unstructured, CorStr::Exchangeable] {
        let g = gee_opts("id", c, Some("visit"));
        let a = gee::run(&sorted, formula, &binomial(), &g).expect("sorted").result;
        let b = gee::run(&mixed, formula, &binomial(), &g).expect("mixed").result;
        assert!(a.converged && b.converged);
        for (x, y) in a.coefficients.iter().zip(&b.coefficients) {
            for (u, v) in [
                (x.estimate, y.estimate),
                (x.se_robust, y.se_robust),
                (x.se_naive, y.se_naive),
            ] {
                assert!(
                    (u - v).abs() <= 1e-9 * u.abs().max(1e-3),
                    "{c:?} {}: {u} vs {v}",
                    x.name
                );
            }
        }
        for ((n, u), (_, v)) in a.alpha.iter().zip(&b.alpha) {
            assert!((u - v).abs() <= 1e-9, "{c:?} {n}: {u} vs {v}");
        }
        if c == CorStr::Unstructured {
            // 4 visits: 6 pairs, each a correlation
            assert_eq!(a.alpha.len(), 6);
            assert!(a.alpha.iter().all(|(_, v)| v.abs() < 1.0), "{:?}", a.alpha);
            assert_eq!(a.alpha[0].0, "alpha.1:2");
        }
    }
}

#[test]
fn independence_gives_the_glm_coefficients_and_defaults_converge() {
    let f = read_table(root().join("data/ohio.csv")).expect("ohio");
    let glm = dimorph_glm::run(&f, "resp ~ age + smoke", None, &binomial())
        .expect("glm")
        .result;
    for c in [
        CorStr::Independence,
        CorStr::Exchangeable,
        CorStr::Ar1,
        CorStr::Unstructured,
    ] {
        let out = gee::run(&f, "resp ~ age + smoke", &binomial(), &gee_opts("id", c, Some("wave"))).expect("gee");
        assert!(out.result.converged, "{c:?}: {:?}", out.warnings);
        if c == CorStr::Independence {
            for (g, e) in out.result.coefficients.iter().zip(&glm.fit.coef) {
                assert!((g.estimate - e).abs() < 1e-7, "{} {} {}", g.name, g.estimate, e);
            }
            assert!(out.result.alpha.is_empty());
        }
        assert_eq!(out.tables[0].name, "coefficients");
    }
}

#[test]
fn clusters_and_wave_sets_too_large_for_the_working_correlation_are_refused() {
    let mut text = String::from("id,t,x,y\n");
    for i in 0..1002 {
        let id = if i < 1001 { 1 } else { 2 };
        text.push_str(&format!("{id},{i},{},{}\n", (i % 7) as f64 / 7.0, i % 2));
    }
    let f = csv(&text);
    let e = err(&f, "y ~ x", &binomial(), &gee_opts("id", CorStr::Exchangeable, None));
    assert!(e.starts_with("--corstr: a cluster of 1001 rows"), "{e}");
    // independence needs no matrix
    assert!(gee::run(&f, "y ~ x", &binomial(), &gee_opts("id", CorStr::Independence, None)).is_ok());
    let mut text = String::from("id,t,x,y\n");
    for i in 0..404 {
        text.push_str(&format!("{},{},{},{}\n", i / 2, i, (i % 7) as f64 / 7.0, (i / 3) % 2));
    }
    let e = err(
        &csv(&text),
        "y ~ x",
        &binomial(),
        &gee_opts("id", CorStr::Unstructured, Some("t")),
    );
    assert!(e.starts_with("--corstr: unstructured with 404 distinct waves"), "{e}");
}
