//! `refint age --method refiner`: the rounded zeros of an age window are read as `refint estimate`
//! reads them (`--zeros censored`, the default: censored below half the rounding unit; see
//! src/run/age_zeros.rs), so a window's limits equal `refint estimate --method refiner` on the
//! same window's values, and the warning counts the zeros.
//!
//! Data (seeded): ages in [0, 60); values log-normal, median 1.5 and ln-SD 0.8 below age 30 (about
//! 1.2 % of them under 0.25), median 6 and ln-SD 0.3 from 30 on (none under 0.25), rounded to 0.5
//! as a laboratory reporting to 0.5 would, so the young window holds zeros; one stray 0.1 (below
//! half the unit) and two negative values there too.

use crate::common::{coded, refiner, rounded_half};
use dimorph_core::rng::Rng;
use dimorph_refint::run::{run_age_coded, AgeOptions};
use dimorph_refint::{run_estimate_coded, EstimateOptions, EstimateRunOptions, Method, RefinerZeros};

/// (age, printed value) rows.
type Rows = Vec<(f64, String)>;

/// The young window's rows (ages < 30) and the old window's.
fn rows() -> (Rows, Rows) {
    let mut r = Rng::new(20261126);
    let (mut young, mut old) = (Vec::new(), Vec::new());
    young.push((0.0, "1.5".to_string()));
    for _ in 0..2500 {
        let age = r.range(0.0, 30.0);
        let v = rounded_half(&mut r, 1.5, 0.8);
        young.push((age, format!("{v}")));
        let age = r.range(30.0, 60.0);
        let v = rounded_half(&mut r, 6.0, 0.3);
        old.push((age, format!("{v}")));
    }
    young.extend([(3.0, "0.1".into()), (4.0, "-0.5".into()), (5.0, "-1".into())]);
    (young, old)
}

fn csv(rows: &[&[(f64, String)]]) -> String {
    let mut s = String::from("age,v\n");
    for (a, v) in rows.iter().flat_map(|r| r.iter()) {
        s.push_str(&format!("{a},{v}\n"));
    }
    s
}

fn frame(csv: &str) -> dimorph_data::CodedFrame {
    coded(csv, &["v", "age"], &[])
}

fn age(estimate: EstimateOptions) -> AgeOptions {
    AgeOptions {
        value: "v".into(),
        age: "age".into(),
        window: 30.0,
        step: 30.0,
        estimate,
        ..Default::default()
    }
}

fn estimate(csv: &str, estimate: EstimateOptions) -> dimorph_report::Outcome<dimorph_refint::EstimateResult> {
    let o = EstimateRunOptions {
        value: "v".into(),
        estimate,
        ..Default::default()
    };
    run_estimate_coded(&frame(csv), &o).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs()
}

#[test]
fn age_windows_read_rounded_zeros_as_the_estimate_path_does() {
    let (young, old) = rows();
    let zeros = young.iter().filter(|r| r.1 == "0").count();
    assert!(zeros > 10, "{zeros} zeros in the young window");
    assert!(!old.iter().any(|r| r.1 == "0"));
    let all = csv(&[&young, &old]);
    for zero_rule in [None, Some(RefinerZeros::Censored), Some(RefinerZeros::Drop)] {
        let a = run_age_coded(&frame(&all), &age(refiner(zero_rule))).unwrap();
        let w = &a.result.windows;
        assert_eq!(w.len(), 2, "{w:?}");
        for (win, rows) in w.iter().zip([&young, &old]) {
            let e = estimate(&csv(&[rows]), refiner(zero_rule));
            let g = &e.result.groups[0];
            let (lo, up) = (win.lower.unwrap(), win.upper.unwrap());
            assert!(
                close(lo, g.limits.lower) && close(up, g.limits.upper),
                "{zero_rule:?} [{}, {}): age ({lo}, {up}) vs estimate ({}, {})",
                win.from,
                win.to,
                g.limits.lower,
                g.limits.upper
            );
            assert_eq!(win.n, e.result.counts.used, "{zero_rule:?}");
            assert_eq!(win.censored, e.result.counts.zeros_censored, "{zero_rule:?}");
        }
        let s = a.result.skipped.join("\n");
        if zero_rule == Some(RefinerZeros::Drop) {
            assert_eq!(w[0].censored, 0);
            assert!(s.contains(&format!("{} values <= 0 dropped", zeros + 2)), "{s}");
            assert!(!s.contains("left-censored"), "{s}");
        } else {
            // the zeros and the stray 0.1 censored below 0.25 in the young window, counted
            assert_eq!((w[0].censored, w[1].censored), (zeros + 1, 0));
            let said = format!(
                "{zeros} values of v equal to 0 and 1 below half the rounding unit read as left-censored below half \
                 the rounding unit (v rounded to 0.5: censored below 0.25) and used as censored by --method refiner"
            );
            assert!(s.contains(&said), "{s}");
            // the estimate path says the same of the same window
            let e = estimate(&csv(&[&young]), refiner(zero_rule));
            assert!(e.result.skipped.join("\n").contains(&said), "{:?}", e.result.skipped);
            assert!(
                s.contains(
                    "2 values of v < 0 dropped: the Box-Cox transformation of --method refiner needs values > 0"
                ),
                "{s}"
            );
            assert!(a.warnings.iter().any(|w| w.contains(&said)), "{:?}", a.warnings);
        }
    }
}

#[test]
fn other_methods_and_lms_drop_zeros_as_before() {
    let (young, old) = rows();
    let zeros = young.iter().filter(|r| r.1 == "0").count();
    let all = csv(&[&young, &old]);
    let reflim = EstimateOptions {
        method: Method::Reflim,
        ..Default::default()
    };
    let a = run_age_coded(&frame(&all), &age(reflim)).unwrap();
    let s = a.result.skipped.join("\n");
    assert!(s.contains(&format!("{} values <= 0 dropped", zeros + 2)), "{s}");
    assert!(a.result.windows.iter().all(|w| w.censored == 0));
    // --zeros with the LMS curves: refused with the reason
    let lms = AgeOptions {
        curves: dimorph_refint::age_curves_run::Curves::Lms,
        window: 0.0,
        step: 0.0,
        ..age(refiner(Some(RefinerZeros::Drop)))
    };
    let e = run_age_coded(&frame(&all), &lms).unwrap_err().to_string();
    assert!(e.contains("--zeros") && e.contains("--curves lms"), "{e}");
}

#[test]
fn zeros_of_unrounded_windows_are_dropped_and_said() {
    // continuous values (no rounding unit) with five zeros in the young window
    let mut r = Rng::new(7);
    let mut young: Rows = vec![(0.0, "1.5".to_string())];
    let mut old: Rows = Vec::new();
    for _ in 0..2000 {
        young.push((
            r.range(0.0, 30.0),
            format!("{}", (1.5f64.ln() + 0.5 * r.normal()).exp()),
        ));
        old.push((
            r.range(30.0, 60.0),
            format!("{}", (6.0f64.ln() + 0.3 * r.normal()).exp()),
        ));
    }
    young.extend((1..=5).map(|a| (a as f64, "0".to_string())));
    let all = csv(&[&young, &old]);
    let a = run_age_coded(&frame(&all), &age(refiner(None))).unwrap();
    let w = &a.result.windows;
    let e = estimate(&csv(&[&young]), refiner(None));
    let g = &e.result.groups[0];
    assert!(close(w[0].lower.unwrap(), g.limits.lower) && close(w[0].upper.unwrap(), g.limits.upper));
    assert_eq!((w[0].censored, e.result.counts.zeros_censored), (0, 0));
    let s = a.result.skipped.join("\n");
    assert!(
        s.contains(
            "5 values of v equal to 0 dropped: the values of the age windows that hold them are not rounded \
             (no rounding unit found)"
        ),
        "{s}"
    );
    assert!(!s.contains("left-censored"), "{s}");
}

/// The rows of `rows` whose age lies in [from, to).
fn in_range(rows: &[(f64, String)], from: f64, to: f64) -> Rows {
    rows.iter().filter(|r| r.0 >= from && r.0 < to).cloned().collect()
}

#[test]
fn age_partitions_read_rounded_zeros_as_the_estimate_path_does() {
    let (young, old) = rows();
    let zeros = young.iter().filter(|r| r.1 == "0").count();
    let all: Rows = young.iter().chain(&old).cloned().collect();
    // bands of 30 years (one per regime), under each rule, and of 10 years (merged within each
    // regime) under the default
    for (band, rules) in [
        (
            30.0,
            &[None, Some(RefinerZeros::Censored), Some(RefinerZeros::Drop)][..],
        ),
        (10.0, &[None][..]),
    ] {
        for &zero_rule in rules {
            let o = AgeOptions {
                partitions: Some(band),
                ..age(refiner(zero_rule))
            };
            let a = run_age_coded(&frame(&csv(&[&all])), &o).unwrap();
            let parts = &a.result.partitions;
            assert!(parts.len() >= 2 && parts[0].from == 0.0, "{band}: {parts:#?}");
            // every partition's limits and counts are estimate's on the rows of its ages
            for p in parts {
                let e = estimate(&csv(&[&in_range(&all, p.from, p.to)]), refiner(zero_rule));
                let g = &e.result.groups[0];
                assert!(
                    close(p.lower, g.limits.lower) && close(p.upper, g.limits.upper),
                    "{band} {zero_rule:?} [{}, {}): partition ({}, {}) vs estimate ({}, {})",
                    p.from,
                    p.to,
                    p.lower,
                    p.upper,
                    g.limits.lower,
                    g.limits.upper
                );
                assert_eq!(
                    (p.n, p.censored),
                    (e.result.counts.used, e.result.counts.zeros_censored)
                );
            }
            let censored: usize = parts.iter().map(|p| p.censored).sum();
            let s = a.result.skipped.join("\n");
            assert!(!s.contains("left out of the age partitions"), "{s}");
            if zero_rule == Some(RefinerZeros::Drop) {
                assert_eq!(censored, 0);
                assert!(!s.contains("left-censored"), "{s}");
            } else {
                // the zeros and the stray 0.1 censored below 0.25, each once, said as the windows say it
                assert_eq!(censored, zeros + 1, "{band}");
                let said = |place: &str| {
                    format!(
                        "{zeros} values of v equal to 0 and 1 below half the rounding unit read as left-censored \
                         below half the rounding unit (v rounded to 0.5: censored below 0.25) and used as censored \
                         by --method refiner in the age {place}s that hold their ages (--zeros censored; --zeros \
                         drop drops them as reflimR does)"
                    )
                };
                for place in ["window", "partition"] {
                    assert!(a.result.skipped.contains(&said(place)), "{}\nnot in\n{s}", said(place));
                    assert!(
                        a.warnings.contains(&format!("skipped {}", said(place))),
                        "{:?}",
                        a.warnings
                    );
                }
            }
        }
    }
    // the table has a column of the censored values used, where there are any
    let o = AgeOptions {
        partitions: Some(30.0),
        ..age(refiner(None))
    };
    let a = run_age_coded(&frame(&csv(&[&all])), &o).unwrap();
    let t = a.tables.iter().find(|t| t.name == "age_partitions").unwrap();
    assert_eq!(
        t.columns,
        ["group", "from", "to", "n", "censored", "lower", "upper", "reason"]
    );
}

#[test]
fn age_partitions_read_values_below_a_detection_limit_with_the_zeros() {
    // the young rows with 40 values '<0.5' too: a detection limit above half the unit (0.25), so
    // the zeros are censored below 0.5 with them, as refint estimate reads them
    let (mut young, old) = rows();
    let zeros = young.iter().filter(|r| r.1 == "0").count();
    young.extend((0..40).map(|i| (0.5 + 0.7 * i as f64, "<0.5".to_string())));
    let all: Rows = young.iter().chain(&old).cloned().collect();
    let o = AgeOptions {
        partitions: Some(30.0),
        ..age(refiner(None))
    };
    let a = run_age_coded(&frame(&csv(&[&all])), &o).unwrap();
    let p = &a.result.partitions[0];
    let e = estimate(&csv(&[&young]), refiner(None));
    let g = &e.result.groups[0];
    assert_eq!((p.from, p.to), (0.0, 30.0));
    assert!(
        close(p.lower, g.limits.lower) && close(p.upper, g.limits.upper),
        "{p:?} vs {g:?}"
    );
    assert_eq!(p.censored, zeros + 1 + 40);
    let s = a.result.skipped.join("\n");
    assert!(
        s.contains(
            "40 values of v below a detection limit (<0.5) used as censored by --method refiner in the windows and \
             the age partitions that hold their ages"
        ),
        "{s}"
    );
}

#[test]
fn zeros_the_age_partitions_cannot_read_are_dropped_with_the_reason() {
    // M: the rounded rows and three zeros at ages 95-97 (beyond the last band of M's values);
    // F: nothing but 7 zeros; C: 200 continuous values (no rounding unit) aged 0-60 and 5 zeros
    let (young, old) = rows();
    let zeros = young.iter().filter(|r| r.1 == "0").count();
    let mut all: Vec<(&str, f64, String)> = young.iter().chain(&old).map(|(a, v)| ("M", *a, v.clone())).collect();
    all.extend((95..=97).map(|a| ("M", a as f64, "0".to_string())));
    all.extend((1..=7).map(|a| ("F", a as f64, "0".to_string())));
    let mut r = Rng::new(5);
    all.extend((0..200).map(|i| {
        (
            "C",
            (i % 60) as f64,
            format!("{}", (1.5f64.ln() + 0.5 * r.normal()).exp()),
        )
    }));
    all.extend((1..=5).map(|a| ("C", a as f64, "0".to_string())));
    let o = AgeOptions {
        by: Some("sex".into()),
        partitions: Some(30.0),
        ..age(refiner(None))
    };
    let a = run_age_coded(&frame_by(&csv_by(&all)), &o).unwrap();
    let m_censored: usize = a
        .result
        .partitions
        .iter()
        .filter(|p| p.group == "M")
        .map(|p| p.censored)
        .sum();
    assert_eq!(m_censored, zeros + 1);
    let s = a.result.skipped.join("\n");
    for line in [
        format!("{zeros} values of v equal to 0 and 1 below half the rounding unit read as left-censored"),
        "7 values of v equal to 0 dropped: their group has no values > 0 (no age window or partition, no rounding \
         unit to read them by), so a 0 is not read as a rounded small value"
            .to_string(),
        "3 values of v equal to 0 dropped: their ages lie in no age partition (the partitions span the age bands \
         that hold their group's values > 0), so a 0 is not read as a rounded small value"
            .to_string(),
        "5 values of v equal to 0 dropped: the values of the age partitions that hold them are not rounded (no \
         rounding unit found), so a 0 is not read as a rounded small value"
            .to_string(),
    ] {
        assert!(s.contains(&line), "{line}\nnot in\n{s}");
    }
    // a group whose partitions cannot be estimated (K: 60 values, fewer than the refiner's 100):
    // its zeros are dropped with that reason
    let mut small: Vec<(&str, f64, String)> = young.iter().chain(&old).map(|(a, v)| ("M", *a, v.clone())).collect();
    small.extend((0..60).map(|i| ("K", i as f64, format!("{}", 1.0 + (i % 7) as f64 * 0.5))));
    small.extend((1..=4).map(|a| ("K", a as f64, "0".to_string())));
    let a = run_age_coded(&frame_by(&csv_by(&small)), &o).unwrap();
    let s = a.result.skipped.join("\n");
    assert!(s.contains("age partitions for sex = 'K'"), "{s}");
    assert!(
        s.contains(
            "4 values of v equal to 0 dropped: their group's age partitions could not be estimated (the group's \
             reason is given)"
        ),
        "{s}"
    );
}

/// (sex, age, printed value) rows as CSV with a group column.
fn csv_by(rows: &[(&str, f64, String)]) -> String {
    let mut s = String::from("sex,age,v\n");
    for (g, a, v) in rows {
        s.push_str(&format!("{g},{a},{v}\n"));
    }
    s
}

fn frame_by(csv: &str) -> dimorph_data::CodedFrame {
    coded(csv, &["v", "age"], &["sex"])
}

#[test]
fn zeros_of_a_group_without_values_above_zero_are_counted_with_the_reason() {
    // group M: the rounded rows (zeros read as censored); group F: nothing but 7 zeros
    let (young, old) = rows();
    let zeros = young.iter().filter(|r| r.1 == "0").count();
    let mut all: Vec<(&str, f64, String)> = young.iter().chain(&old).map(|(a, v)| ("M", *a, v.clone())).collect();
    all.extend((1..=7).map(|a| ("F", a as f64, "0".to_string())));
    let o = AgeOptions {
        by: Some("sex".into()),
        ..age(refiner(None))
    };
    let a = run_age_coded(&frame_by(&csv_by(&all)), &o).unwrap();
    assert!(a.result.windows.iter().all(|w| w.group == "M"));
    assert_eq!(a.result.windows[0].censored, zeros + 1);
    let s = a.result.skipped.join("\n");
    assert!(
        s.contains(
            "7 values of v equal to 0 dropped: their group has no values > 0 (no age window, no rounding unit to read \
             them by)"
        ),
        "{s}"
    );
    assert!(
        s.contains(&format!("{zeros} values of v equal to 0 and 1 below half")),
        "{s}"
    );
    // a file of zeros only: the error says why there is no window, and counts the zeros
    let zeros_only: Vec<(&str, f64, String)> = (1..=9).map(|a| ("F", a as f64, "0".to_string())).collect();
    for by in [None, Some("sex")] {
        let o = AgeOptions {
            by: by.map(Into::into),
            ..age(refiner(None))
        };
        let e = run_age_coded(&frame_by(&csv_by(&zeros_only)), &o)
            .unwrap_err()
            .to_string();
        let unit = if by.is_some() { "group" } else { "row" };
        assert!(
            e.contains(&format!(
                "no age window could be estimated: no {unit} has values of v > 0 with an age"
            )),
            "{e}"
        );
        assert!(
            e.contains("9 values of v equal to 0 dropped: their group has no values > 0"),
            "{e}"
        );
    }
}

#[test]
fn zeros_of_a_group_without_values_above_zero_are_said_once_with_partitions() {
    // group M: the rounded rows; group F: nothing but 7 zeros. With --partitions the windows and
    // the partitions both leave F out: its 7 rows are one line, with one count, naming both
    let (young, old) = rows();
    let zeros = young.iter().filter(|r| r.1 == "0").count();
    let mut all: Vec<(&str, f64, String)> = young.iter().chain(&old).map(|(a, v)| ("M", *a, v.clone())).collect();
    all.extend((1..=7).map(|a| ("F", a as f64, "0".to_string())));
    for partitions in [None, Some(30.0)] {
        let o = AgeOptions {
            by: Some("sex".into()),
            partitions,
            ..age(refiner(None))
        };
        let a = run_age_coded(&frame_by(&csv_by(&all)), &o).unwrap();
        let place = if partitions.is_some() {
            "age window or partition"
        } else {
            "age window"
        };
        let lines: Vec<&String> = a
            .result
            .skipped
            .iter()
            .filter(|s| s.contains("their group has no values > 0"))
            .collect();
        assert_eq!(
            lines,
            [&format!(
                "7 values of v equal to 0 dropped: their group has no values > 0 (no {place}, no rounding unit to \
                 read them by), so a 0 is not read as a rounded small value"
            )],
            "{partitions:?}: {:?}",
            a.result.skipped
        );
        let warned = a
            .warnings
            .iter()
            .filter(|w| w.contains("their group has no values > 0"))
            .count();
        assert_eq!(warned, 1, "{partitions:?}: {:?}", a.warnings);
        // no other line counts a 0 twice: the M zeros censored (per place), none dropped
        let dropped: Vec<&String> = a
            .result
            .skipped
            .iter()
            .filter(|s| s.contains("equal to 0 dropped"))
            .collect();
        assert_eq!(dropped.len(), 1, "{dropped:?}");
        assert_eq!(a.result.windows.iter().map(|w| w.censored).sum::<usize>(), zeros + 1);
        let censored: usize = a.result.partitions.iter().map(|p| p.censored).sum();
        assert_eq!(censored, if partitions.is_some() { zeros + 1 } else { 0 });
    }
}

#[test]
fn zeros_in_no_age_window_are_dropped_as_such() {
    // the rounded rows 10 years older: the windows start at age 10; three zeros at ages 2 to 4
    let (young, old) = rows();
    let zeros = young.iter().filter(|r| r.1 == "0").count();
    let mut all: Rows = young.iter().chain(&old).map(|(a, v)| (a + 10.0, v.clone())).collect();
    all.extend((2..=4).map(|a| (a as f64, "0".to_string())));
    let a = run_age_coded(&frame(&csv(&[&all])), &age(refiner(None))).unwrap();
    let w = &a.result.windows;
    assert_eq!((w[0].from, w[0].censored, w[1].censored), (10.0, zeros + 1, 0));
    let s = a.result.skipped.join("\n");
    assert!(
        s.contains(
            "3 values of v equal to 0 dropped: their ages lie in no age window (the windows span the ages of their \
             group's values > 0)"
        ),
        "{s}"
    );
    assert!(!s.contains("not rounded"), "{s}");
    assert!(
        s.contains(&format!("{zeros} values of v equal to 0 and 1 below half")),
        "{s}"
    );
}

/// The estimate path's skipped rows and counts for `--method refiner` (`--zeros censored`).
fn estimate_read(csv: &str) -> dimorph_refint::grouped::Grouped {
    let spec = dimorph_refint::grouped::ReadSpec {
        value: "v",
        by: Some("sex"),
        filters: &[],
        positive: Some("--method refiner"),
    };
    let g = dimorph_refint::grouped::read_grouped_coded(&frame_by(csv), &spec).unwrap();
    dimorph_refint::estimate::refiner_zeros::zeros_used(g, &refiner(None))
}

#[test]
fn estimate_says_why_each_groups_zeros_are_dropped() {
    // M: the rounded young rows (zeros censored; two negative values); F: 4 zeros only;
    // K: 30 values of 2 and 3 zeros (too few distinct values); C: continuous values and 5 zeros
    let (young, _) = rows();
    let zeros = young.iter().filter(|r| r.1 == "0").count();
    let mut all: Vec<(&str, f64, String)> = young.iter().map(|(a, v)| ("M", *a, v.clone())).collect();
    all.extend((1..=4).map(|a| ("F", a as f64, "0".to_string())));
    all.extend((1..=30).map(|a| ("K", a as f64, "2".to_string())));
    all.extend((1..=3).map(|a| ("K", a as f64, "0".to_string())));
    let mut r = Rng::new(11);
    let continuous: Vec<(&str, f64, String)> = (0..200)
        .map(|a| ("C", a as f64, format!("{}", (1.5f64.ln() + 0.5 * r.normal()).exp())))
        .collect();
    all.extend(continuous.iter().cloned());
    all.extend((1..=5).map(|a| ("C", a as f64, "0".to_string())));
    let g = estimate_read(&csv_by(&all));
    assert_eq!(
        (g.counts.non_positive, g.counts.zeros_censored),
        (2 + 4 + 3 + 5, zeros + 1)
    );
    let s = g.skipped.join("\n");
    for line in [
        "2 values of v < 0 dropped: the Box-Cox transformation of --method refiner needs values > 0".to_string(),
        "4 values of v equal to 0 dropped: their group has no values > 0 (no rounding unit to read them by), so a 0 \
         is not read as a rounded small value"
            .to_string(),
        "3 values of v equal to 0 dropped: their group has too few distinct values > 0 (fewer than 2 between the \
         2.5 and 97.5 % quantiles) to find a rounding unit"
            .to_string(),
        "5 values of v equal to 0 dropped: the values are not rounded (no rounding unit found)".to_string(),
        format!("{zeros} values of v equal to 0 and 1 below half the rounding unit read as left-censored"),
    ] {
        assert!(s.contains(&line), "{line}\nnot in\n{s}");
    }
    // no zeros read as censored anywhere: the reasons are appended to the line of values <= 0
    let mut none: Vec<(&str, f64, String)> = continuous;
    none.extend((1..=4).map(|a| ("F", a as f64, "0".to_string())));
    none.extend((1..=5).map(|a| ("C", a as f64, "0".to_string())));
    let g = estimate_read(&csv_by(&none));
    assert_eq!((g.counts.non_positive, g.counts.zeros_censored), (9, 0));
    let s = g.skipped.join("\n");
    assert!(
        s.contains(
            "9 values of v <= 0 dropped: --method refiner needs values > 0 (as reflimR drops them); 4 of them are 0 \
             and their group has no values > 0 (no rounding unit to read them by); 5 of them are 0 and the values \
             are not rounded (no rounding unit found), so a 0 is not read as a rounded small value"
        ),
        "{s}"
    );
}

#[test]
fn zeros_of_windows_with_too_few_distinct_values_say_so() {
    // the rounded young rows; from age 30 on 40 values all 6 and two zeros: no rounding unit there
    let (young, _) = rows();
    let zeros = young.iter().filter(|r| r.1 == "0").count();
    let mut all: Rows = young.clone();
    all.extend((0..40).map(|i| (30.0 + 0.5 * i as f64, "6".to_string())));
    all.extend([(40.0, "0".to_string()), (41.0, "0".to_string())]);
    let a = run_age_coded(&frame(&csv(&[&all])), &age(refiner(None))).unwrap();
    let w = &a.result.windows;
    assert_eq!((w[0].censored, w[1].censored), (zeros + 1, 0));
    let s = a.result.skipped.join("\n");
    assert!(
        s.contains(
            "2 values of v equal to 0 dropped: the age windows that hold them have too few distinct values > 0 \
             (fewer than 2 between the 2.5 and 97.5 % quantiles) to find a rounding unit"
        ),
        "{s}"
    );
    assert!(!s.contains("not rounded"), "{s}");
}
