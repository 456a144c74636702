//! Issue 15, item 5: no silent nonsense — reflimR's approximate intervals replaced by bootstrap
//! intervals at small n, and a negative limit of a positive analyte carries a remark.

use dimorph_refint::estimate::group::estimate_one;
use dimorph_refint::{EstimateOptions, EstimateRunOptions, Method, Transform};

fn livertests() -> dimorph_data::Frame {
    dimorph_data::read_csv(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/refint/reflimr_livertests.csv"
    ))
    .unwrap()
}

fn crea(sex: &str) -> Vec<f64> {
    let f = livertests();
    let crea = f.numeric("CREA").unwrap();
    let s = f.column("Sex").unwrap();
    let dimorph_data::ColumnData::Text { values, .. } = &s.data else {
        panic!("Sex is text")
    };
    crea.iter()
        .zip(values)
        .filter(|(v, g)| !v.is_nan() && g.as_deref() == Some(sex))
        .map(|(v, _)| *v)
        .collect()
}

#[test]
fn reflim_intervals_at_small_n_are_bootstrapped() {
    let x: Vec<f64> = crea("m").into_iter().take(55).collect();
    let e = estimate_one("crea55", "m", &x, None, &EstimateOptions::default()).unwrap();
    let r = e.reflim.as_ref().unwrap();
    // reflimR's approximation: the inner bound of the lower limit lies beyond the upper limit
    assert!(r.ci[1] > r.upper, "{:?}", r.ci);
    let l = &e.limits;
    let (lo, hi) = (l.ci_lower.unwrap(), l.ci_upper.unwrap());
    assert!(l
        .ci_method
        .as_deref()
        .unwrap()
        .starts_with("percentile bootstrap (95 %)"));
    // the bootstrap intervals are intervals of each limit: each holds its limit and stays below
    // the other limit's
    assert!(
        lo.0 <= l.lower && l.lower <= lo.1 && lo.1 < hi.0.max(l.upper),
        "{lo:?} {hi:?}"
    );
    assert!(hi.0 <= l.upper && l.upper <= hi.1, "{hi:?}");
    assert!(
        l.remarks.iter().any(|m| m.contains("are not used at n = 55 < 100")),
        "{:?}",
        l.remarks
    );
    // from n = 100 on, reflimR's approximation as before
    let x: Vec<f64> = crea("m").into_iter().take(100).collect();
    let e = estimate_one("crea100", "m", &x, None, &EstimateOptions::default()).unwrap();
    assert_eq!(e.limits.ci_method.as_deref(), Some("reflimR approximation (95 %)"));
}

#[test]
fn a_negative_limit_of_a_positive_analyte_has_a_remark() {
    let o = EstimateRunOptions {
        value: "CREA".into(),
        by: Some("Sex".into()),
        estimate: EstimateOptions {
            method: Method::Parametric,
            transform: Some(Transform::Normal),
            ..Default::default()
        },
        ..Default::default()
    };
    let out = dimorph_refint::run_estimate(&livertests(), &o).unwrap();
    let m = out.result.groups.iter().find(|g| g.group == "m").unwrap();
    // referenceIntervals' value for men (issue 15): -26.68
    assert!((m.limits.lower - -26.68).abs() < 0.01, "{}", m.limits.lower);
    assert!(
        out.warnings
            .iter()
            .any(|w| w.starts_with("m: the lower limit -26.6") && w.contains("negative")),
        "{:?}",
        out.warnings
    );
}
