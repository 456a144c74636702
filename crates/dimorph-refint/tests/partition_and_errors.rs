//! Partitioning livertests by sex, and every kind of bad input at the library level.

// Values are kept exactly as the peer printed them.
#![allow(clippy::excessive_precision)]

use dimorph_refint::equivalence::{compare, compare_several, Limit};
use dimorph_refint::estimate::direct::nonparametric;
use dimorph_refint::estimate::reflim::{reflim, ReflimOptions};
use dimorph_refint::partition::{partition, EstimateOptions};
use dimorph_refint::{PermissibleOptions, RefintError};
use std::path::Path;

fn livertests() -> dimorph_data::Frame {
    dimorph_data::read_csv(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/refint/reflimr_livertests.csv"))
        .unwrap()
}

#[test]
fn crea_by_sex_is_partitioned() {
    let r = partition(&livertests(), "CREA", "Sex", &EstimateOptions::default()).unwrap();
    assert_eq!(r.groups.len(), 2);
    assert_eq!((r.groups[0].group.as_str(), r.groups[1].group.as_str()), ("f", "m"));
    // women's limits define pu at both limits (they are the lower ones); reflimR 1.1.0's
    // permissible_uncertainty(54.5705975262797, 80.1914043175029) gives the band
    // 52.3153076147842–56.8258874377752 and 77.1235215513056–83.2592870837002
    // (tests/reference/peers.R), i.e. pD1 = 2.25529, pD2 = 3.06788.
    let lo = &r.decisions[0];
    let up = &r.decisions[1];
    assert_eq!(lo.reference, "f");
    assert!(
        (lo.pd - (56.8258874377752 - 54.5705975262797)).abs() < 1e-6,
        "pD1 {}",
        lo.pd
    );
    assert!(
        (up.pd - (83.2592870837002 - 80.1914043175029)).abs() < 1e-6,
        "pD2 {}",
        up.pd
    );
    assert!(lo.partition && up.partition && r.partition);
    assert!(lo.reason.contains("partition"));
    let hb = r.harris_boyd.as_ref().unwrap();
    assert!(hb.partition);
    // pooled limits: reflimR 1.1.0 on all 612 CREA values gives 52.9914771636508, 112.732191565659
    assert!((r.pooled.limits.lower - 52.9914771636508).abs() < 1e-9);
    assert!((r.pooled.limits.upper - 112.732191565659).abs() < 1e-9);
}

/// Issue 15, item 4: Lahti's proportions of each sex outside the common CREA limits, counted and
/// from each sex's normal model, equal the peer's (`tests/peers/lahti.R`: reflimR 1.1.0's fits,
/// R's `pnorm`; output `tests/peers/lahti.out.csv`), and so do the verdicts they give.
#[test]
fn lahti_proportions_equal_the_peers() {
    use dimorph_refint::verify::Verdict;
    let r = partition(&livertests(), "CREA", "Sex", &EstimateOptions::default()).unwrap();
    let peer =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/lahti.out.csv")).unwrap();
    let rows: Vec<Vec<&str>> = peer
        .lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 4);
    let num = |s: &str| s.parse::<f64>().unwrap();
    let close = |a: f64, b: f64, tol: f64| (a - b).abs() <= tol * b.abs().max(1e-300);
    for row in &rows {
        let d = &r.lahti[usize::from(row[0] == "upper")];
        assert_eq!(d.limit.name(), row[0]);
        assert!(
            close(d.common, num(row[1]), 1e-12),
            "{} common {} vs {}",
            row[0],
            d.common,
            row[1]
        );
        let o = d.outside.iter().find(|o| o.group == row[2]).unwrap();
        let g = r.groups.iter().find(|g| g.group == row[2]).unwrap();
        assert_eq!(g.log_scale, row[3] == "TRUE", "{}", row[2]);
        assert!(
            close(o.counted_pct, num(row[4]), 1e-12),
            "{row:?}: counted {}",
            o.counted_pct
        );
        // relative, also where the upper limit lies ~6.3 SD above the women's mean (2e-10 %)
        assert!(
            close(o.gaussian_pct, num(row[5]), 1e-9),
            "{row:?}: gaussian {}",
            o.gaussian_pct
        );
    }
    // lower: women 4.62 % counted (> 4.1), men 0.21 % from the model (< 0.9); upper: women 1.26 %
    // counted (between 0.9 and 1.8), men 2.94 %, women ~0 % from the model
    let v: Vec<(Verdict, Verdict)> = r.lahti.iter().map(|d| (d.nongaussian, d.gaussian)).collect();
    assert_eq!(
        v,
        [
            (Verdict::Partition, Verdict::Partition),
            (Verdict::Marginal, Verdict::Partition)
        ]
    );
    assert!(r.lahti[0].reason.contains("'f' 4.6 %"), "{}", r.lahti[0].reason);
}

#[test]
fn several_sets_exclude_one_at_a_time() {
    // three sets: A and B agree, C is far off at the upper limit
    let sets = vec![
        ("A".to_string(), (50.0, 104.0)),
        ("B".to_string(), (50.5, 106.0)),
        ("C".to_string(), (51.0, 125.0)),
    ];
    let o = PermissibleOptions::default();
    let up = compare_several(&sets, 0, Limit::Upper, o).unwrap();
    assert_eq!(up.excluded, vec!["C".to_string()]);
    assert_eq!(up.common, vec!["A".to_string(), "B".to_string()]);
    assert_eq!(up.steps.len(), 2);
    let lo = compare_several(&sets, 0, Limit::Lower, o).unwrap();
    assert!(lo.excluded.is_empty());
}

#[test]
fn bad_limits() {
    let o = PermissibleOptions::default();
    let e = compare((104.0, 50.0), (45.0, 88.0), o).unwrap_err();
    assert!(
        matches!(e, RefintError::LimitOrder { .. }) && e.to_string().contains("--a"),
        "{e}"
    );
    let e = compare((50.0, 104.0), (88.0, 45.0), o).unwrap_err();
    assert!(e.to_string().contains("--b"), "{e}");
    let e = compare((-5.0, 104.0), (45.0, 88.0), o).unwrap_err();
    assert!(
        matches!(e, RefintError::NonPositive { .. }) && e.to_string().contains("log-normal"),
        "{e}"
    );
}

#[test]
fn too_few_values_names_minimum_and_count() {
    let x: Vec<f64> = (1..=30).map(f64::from).collect();
    let e = reflim("CREA", &x, None, ReflimOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("at least 40") && e.contains("there are 30") && e.contains("CREA"),
        "{e}"
    );
    let e = nonparametric("CREA", &x, 1).unwrap_err().to_string();
    assert!(e.contains("at least 39") && e.contains("there are 30"), "{e}");
}

#[test]
fn constant_and_non_positive_data() {
    let e = reflim("x", &[7.0; 100], None, ReflimOptions::default()).unwrap_err();
    assert!(matches!(e, RefintError::Constant { n: 100, .. }), "{e}");
    let mut x: Vec<f64> = (1..=100).map(f64::from).collect();
    x[10] = -3.0;
    let e = reflim("x", &x, None, ReflimOptions::default()).unwrap_err();
    assert!(matches!(e, RefintError::NonPositive { .. }), "{e}");
}

fn frame(csv: &str) -> dimorph_data::Frame {
    dimorph_data::read_csv_bytes("test.csv", csv.as_bytes()).unwrap()
}

#[test]
fn group_column_problems() {
    let mut csv = String::from("v,g\n");
    for i in 0..100 {
        csv.push_str(&format!("{},a\n", 10 + i % 17));
    }
    let f = frame(&csv);
    let e = partition(&f, "v", "g", &EstimateOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("only one level") && e.contains("'g'"), "{e}");
    let e = partition(&f, "v", "Sex", &EstimateOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("no column named 'Sex'"), "{e}");
}

#[test]
fn non_numeric_and_non_positive_cells_name_the_line() {
    let f = frame("v,g\n1,a\n2,b\nabc,a\n");
    let e = partition(&f, "v", "g", &EstimateOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("line 4") && e.contains("abc"), "{e}");
    // issue 15: values <= 0 under a log-scale method are dropped and counted, as reflimR does
    let mut csv = String::from("v,g\n0,b\n-1,a\n");
    for i in 0..300 {
        csv.push_str(&format!(
            "{},{}\n",
            50 + (i * 7) % 41,
            if i % 2 == 0 { "a" } else { "b" }
        ));
    }
    let r = partition(&frame(&csv), "v", "g", &EstimateOptions::default()).unwrap();
    assert_eq!(r.groups[0].limits.n + r.groups[1].limits.n, 300);
    assert!(
        r.skipped
            .iter()
            .any(|s| s.starts_with("2 values of v <= 0 dropped: the reflimR method needs values > 0")),
        "{:?}",
        r.skipped
    );
    // all of a group's values <= 0: the group is gone, and the error says why
    let f = frame("v,g\n1,a\n0,b\n3,a\n");
    let e = partition(&f, "v", "g", &EstimateOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("only one level") && e.contains("1 values of v <= 0 dropped"),
        "{e}"
    );
}

#[test]
fn missing_values_are_counted_not_dropped_silently() {
    let mut csv = String::from("v,g\n");
    for i in 0..300 {
        csv.push_str(&format!(
            "{},{}\n",
            50 + (i * 7) % 41,
            if i % 2 == 0 { "a" } else { "b" }
        ));
    }
    csv.push_str("NA,a\n60,\n");
    let r = partition(&frame(&csv), "v", "g", &EstimateOptions::default()).unwrap();
    assert_eq!(
        r.skipped,
        vec![
            "1 rows with a missing v".to_string(),
            "1 rows with a missing g".to_string()
        ]
    );
}
