//! GEE against R's geepack 1.3.9 (R 4.2.2): `geeglm` with `geese.control(epsilon = 1e-12)` and
//! `geepack::QIC` on public data (geepack's `ohio`, `respiratory`, `dietox`; MASS's `epil`),
//! computed once by `tests/peers/gee.R` into `tests/peers/gee.csv`: binomial (logit and probit)
//! with independence, exchangeable, AR(1) and unstructured working correlations, clusters of
//! unequal size with gaps in the waves, Poisson (with prior weights, with an offset) and gaussian.
//!
//! Tolerance: 1e-8 relative (1e-10 absolute floor) on coefficients, both standard errors, the
//! correlation parameters, the scale and QIC/QICu/quasi-likelihood/CIC/QICC. Both sides solve the
//! same estimating equations to a step below 1e-11; measured agreement is better than 1e-10.

use std::collections::HashMap;
use std::path::PathBuf;

use dimorph_glm::gee::{self, CorStr, GeeOptions};
use dimorph_glm::{Family, Link, RunOptions};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// (model, kind) → values in index order, with the names.
fn peer() -> HashMap<(String, String), Vec<(String, f64)>> {
    let text = std::fs::read_to_string(root().join("crates/dimorph-glm/tests/peers/gee.csv")).expect("gee.csv");
    let mut out: HashMap<(String, String), Vec<(String, f64)>> = HashMap::new();
    for l in text.lines().skip(1) {
        let f: Vec<&str> = l.split(',').map(|s| s.trim_matches('"')).collect();
        out.entry((f[0].to_string(), f[1].to_string()))
            .or_default()
            .push((f[3].to_string(), f[4].parse().expect("value")));
    }
    out
}

struct Model {
    data: &'static str,
    formula: &'static str,
    family: Family,
    link: Option<Link>,
    corstr: CorStr,
    id: &'static str,
    waves: Option<&'static str>,
    weights: Option<&'static str>,
}

fn model(name: &str) -> Model {
    let m = |data, formula, family, corstr, id| Model {
        data,
        formula,
        family,
        link: None,
        corstr,
        id,
        waves: None,
        weights: None,
    };
    let ohio = |c| m("data/ohio.csv", "resp ~ age + smoke", Family::Binomial, c, "id");
    let gaps = |c| {
        m(
            "crates/dimorph-glm/tests/peers/respiratory_gaps.csv",
            "outcome ~ treat + sex + age + baseline",
            Family::Binomial,
            c,
            "id",
        )
    };
    let epil = |c| m("data/epil.csv", "y ~ trt + lbase + lage", Family::Poisson, c, "subject");
    let diet = |c| m("data/dietox.csv", "Weight ~ Time + Cu", Family::Gaussian, c, "Pig");
    match name {
        "ohio_ind" => ohio(CorStr::Independence),
        "ohio_exch" => ohio(CorStr::Exchangeable),
        "ohio_ar1" => ohio(CorStr::Ar1),
        "ohio_unstr" => Model {
            waves: Some("wave"),
            ..ohio(CorStr::Unstructured)
        },
        "gaps_ar1" => Model {
            waves: Some("visit"),
            ..gaps(CorStr::Ar1)
        },
        "gaps_exch_probit" => Model {
            link: Some(Link::Probit),
            ..gaps(CorStr::Exchangeable)
        },
        "epil_exch" => epil(CorStr::Exchangeable),
        "epil_ar1" => Model {
            waves: Some("period"),
            ..epil(CorStr::Ar1)
        },
        "epil_ar1_offset" => Model {
            formula: "y ~ trt + lage + offset(lbase)",
            waves: Some("period"),
            ..epil(CorStr::Ar1)
        },
        "epil_exch_w" => Model {
            weights: Some("w"),
            ..epil(CorStr::Exchangeable)
        },
        "diet_ar1" => Model {
            waves: Some("Time"),
            ..diet(CorStr::Ar1)
        },
        "diet_exch" => diet(CorStr::Exchangeable),
        other => panic!("unknown peer model {other}"),
    }
}

fn fit(m: &Model) -> dimorph_report::Outcome<gee::GeeReport> {
    let frame = dimorph_data::read_table(root().join(m.data)).expect("data");
    let opts = RunOptions {
        family: Some(m.family),
        link: m.link,
        weights: m.weights.map(String::from),
        tol: 1e-11,
        max_iter: 500,
        ..Default::default()
    };
    let g = GeeOptions {
        id: m.id.to_string(),
        corstr: m.corstr,
        waves: m.waves.map(String::from),
    };
    gee::run(&frame, m.formula, &opts, &g).expect("gee fit")
}

fn close(what: &str, ours: f64, theirs: f64) {
    let tol = 1e-8 * theirs.abs().max(1e-2);
    assert!(
        (ours - theirs).abs() <= tol,
        "{what}: ours {ours:.12e}, geepack {theirs:.12e} (diff {:.2e})",
        (ours - theirs).abs()
    );
}

#[test]
fn every_peer_model_matches_geepack() {
    let peer = peer();
    let mut models: Vec<String> = peer.keys().map(|(m, _)| m.clone()).collect();
    models.sort();
    models.dedup();
    assert_eq!(models.len(), 12, "{models:?}");
    let mut checked = 0;
    for name in &models {
        let out = fit(&model(name));
        let r = &out.result;
        assert!(r.converged, "{name} did not converge");
        let get = |kind: &str| peer.get(&(name.clone(), kind.to_string())).cloned().unwrap_or_default();
        for (kind, pick) in [
            ("coef", (|c: &gee::GeeCoef| c.estimate) as fn(&gee::GeeCoef) -> f64),
            ("se_naive", |c| c.se_naive),
            ("se_robust", |c| c.se_robust),
        ] {
            let want = get(kind);
            assert_eq!(want.len(), r.coefficients.len(), "{name} {kind}");
            for ((n, v), c) in want.iter().zip(&r.coefficients) {
                assert_eq!(n, &c.name, "{name}: term names");
                close(&format!("{name} {kind} {n}"), pick(c), *v);
                checked += 1;
            }
        }
        let alpha = get("alpha");
        assert_eq!(alpha.len(), r.alpha.len(), "{name} alpha");
        for ((n, v), (ours_n, ours)) in alpha.iter().zip(&r.alpha) {
            assert_eq!(n, ours_n);
            close(&format!("{name} {n}"), *ours, *v);
            checked += 1;
        }
        close(&format!("{name} scale"), r.scale, get("scale")[0].1);
        assert_eq!(get("clusters")[0].1 as usize, r.clusters, "{name} clusters");
        let q = r.qic.as_ref().expect("qic");
        for (n, v) in get("qic") {
            let ours = match n.as_str() {
                "QIC" => q.qic,
                "QICu" => q.qicu,
                "Quasi Lik" => q.quasi_likelihood,
                "CIC" => q.cic,
                "params" => q.params as f64,
                "QICC" => q.qicc,
                other => panic!("{other}"),
            };
            close(&format!("{name} {n}"), ours, v);
            checked += 1;
        }
    }
    assert!(checked > 200, "{checked}");
}
