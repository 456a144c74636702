//! Robust and cluster-robust standard errors against R's sandwich 3.0.2 (R 4.2.2):
//! `vcovHC(fit, type = "HC0" … "HC3")` and `vcovCL(fit, cluster = …, type = "HC1" / "HC0")` on
//! bundled data, computed once by `tests/peers/robust.R` into `tests/peers/robust.csv`.
//! Tolerance: 1e-6 relative on the standard errors (the fits agree to ~1e-9; IRLS tolerances
//! differ), 1e-7 relative on the estimates.

use std::path::PathBuf;

use dimorph_glm::robust::HcType;
use dimorph_glm::{Family, Link, RunOptions};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// (model, type, term index from 1, estimate, se) of the peer file.
fn peer_rows() -> Vec<(String, String, usize, f64, f64)> {
    let text = std::fs::read_to_string(root().join("crates/dimorph-glm/tests/peers/robust.csv")).expect("robust.csv");
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').map(|s| s.trim_matches('"')).collect();
            (
                f[0].to_string(),
                f[1].to_string(),
                f[2].parse().expect("term"),
                f[3].parse().expect("estimate"),
                f[4].parse().expect("se"),
            )
        })
        .collect()
}

/// The model of each peer name: data file, formula, family, link, cluster column.
fn model(name: &str) -> (&'static str, &'static str, Family, Option<Link>, Option<&'static str>) {
    match name {
        "crabs_poisson" => ("crabs.csv", "satell ~ width", Family::Poisson, None, Some("color")),
        "crabs_gaussian" => ("crabs.csv", "weight ~ width", Family::Gaussian, None, Some("color")),
        "crabs_gamma_log" => (
            "crabs.csv",
            "weight ~ width",
            Family::Gamma,
            Some(Link::Log),
            Some("spine"),
        ),
        "snoring_logit" => (
            "snoring.csv",
            "cbind(disease, total - disease) ~ snoring",
            Family::Binomial,
            None,
            None,
        ),
        "insurance_poisson" => (
            "insurance.csv",
            "claims ~ C(group) + C(age) + offset(log(holders))",
            Family::Poisson,
            None,
            Some("district"),
        ),
        other => panic!("unknown peer model {other}"),
    }
}

#[test]
fn sandwich_and_cluster_standard_errors_match_r_sandwich() {
    let rows = peer_rows();
    assert_eq!(rows.len(), 86);
    let mut keys: Vec<(String, String)> = rows.iter().map(|r| (r.0.clone(), r.1.clone())).collect();
    keys.dedup();
    let mut checked = 0;
    let mut worst = (0.0f64, 0.0f64);
    for (name, kind) in keys {
        let (file, formula, family, link, cluster) = model(&name);
        let frame = dimorph_data::read_table(root().join("data").join(file)).expect("data");
        let (robust, cluster) = match kind.as_str() {
            "CR1" => (None, cluster),
            "CR0" => (Some(HcType::Hc0), cluster),
            k => (Some(k.parse::<HcType>().expect("type")), None),
        };
        let opts = RunOptions {
            family: Some(family),
            link,
            robust,
            cluster: cluster.map(str::to_string),
            profile: Some(false),
            ..Default::default()
        };
        let out = dimorph_glm::run(&frame, formula, None, &opts).expect("fit");
        let info = out.result.robust.as_ref().expect("robust info");
        assert_eq!(info.kind, kind, "{name}");
        let coefs = &out.result.inference.coefficients;
        for r in rows.iter().filter(|r| r.0 == name && r.1 == kind) {
            let c = &coefs[r.2 - 1];
            let rel = |a: f64, b: f64| (a - b).abs() / b.abs();
            assert!(
                rel(c.estimate, r.3) < 1e-7,
                "{name} {kind} term {}: estimate {} vs R {}",
                r.2,
                c.estimate,
                r.3
            );
            assert!(
                rel(c.se, r.4) < 1e-6,
                "{name} {kind} term {}: se {} vs R {}",
                r.2,
                c.se,
                r.4
            );
            assert!(rel(c.se_observed, r.4) < 1e-6, "{name} {kind}: GENMOD table's se");
            worst = (worst.0.max(rel(c.estimate, r.3)), worst.1.max(rel(c.se, r.4)));
            checked += 1;
        }
    }
    assert_eq!(checked, 86);
    eprintln!(
        "largest relative difference to R: estimate {:e}, se {:e}",
        worst.0, worst.1
    );
}

#[test]
fn a_single_cluster_and_bad_combinations_are_refused() {
    let frame = dimorph_data::read_table(root().join("data/crabs.csv")).expect("crabs");
    let mut one = frame.clone();
    let col = one.columns.iter_mut().find(|c| c.name == "color").expect("color");
    col.data = dimorph_data::ColumnData::Num(vec![1.0; frame.nrows]);
    let opts = RunOptions {
        family: Some(Family::Poisson),
        cluster: Some("color".into()),
        ..Default::default()
    };
    let e = dimorph_glm::run(&one, "satell ~ width", None, &opts)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.starts_with("--cluster: column 'color' has a single cluster"), "{e}");
    let e = dimorph_glm::run(
        &frame,
        "satell ~ width",
        None,
        &RunOptions {
            cluster: Some("nope".into()),
            ..opts.clone()
        },
    )
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(e.contains("--cluster: no column 'nope'"), "{e}");
    let e = RunOptions {
        robust: Some(HcType::Hc3),
        cluster: Some("color".into()),
        ..Default::default()
    }
    .validate()
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(
        e.starts_with("--robust: hc2 and hc3 are not available with --cluster"),
        "{e}"
    );
}
