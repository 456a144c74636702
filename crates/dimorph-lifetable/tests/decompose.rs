//! The decomposition of a difference between two life tables (`decompose`): Arriaga's
//! contributions add up to the difference exactly, by age and by age × cause; the line
//! integral's add up within its integration error, which falls as 1/steps²; errors name the
//! option or file at fault.

use crate::common;
use common::*;
use dimorph_lifetable::decompose::{run_decompose, DecomposeOptions, DecomposeResult, Side};
use dimorph_lifetable::*;

fn usa() -> (MortalityData, CauseDeaths) {
    let d = read_hmd_dir(&data_dir().join("hmd/USA")).unwrap();
    let c = CauseDeaths::read_csv(&data_dir().join("usa_2010_cod.csv"), None).unwrap();
    (d, c)
}

fn decompose(first: Side, second: Side, opts: &DecomposeOptions) -> DecomposeResult {
    run_decompose(&first, &second, opts).unwrap().result
}

fn side<'a>(d: &'a MortalityData, c: Option<&'a CauseDeaths>, year: i32, sex: Sex) -> Side<'a> {
    Side {
        data: d,
        causes: c,
        year,
        sex,
    }
}

#[test]
fn usa_2010_gap_adds_up_exactly_by_age_and_cause() {
    let (d, c) = usa();
    let r = decompose(
        side(&d, Some(&c), 2010, Sex::Female),
        side(&d, Some(&c), 2010, Sex::Male),
        &DecomposeOptions::default(),
    );
    // the gap itself against the published HMD tables (e0 to 2 decimals)
    let (pf, pm) = (published("female"), published("male"));
    assert!(
        (r.arriaga.difference - (pf[0][4] - pm[0][4])).abs() < 0.011,
        "{}",
        r.arriaga.difference
    );
    assert_eq!(r.groups.len(), 7);
    let sum: f64 = r.arriaga.by_age.iter().sum();
    assert!((sum - r.arriaga.difference).abs() < 1e-12, "{sum}");
    for (i, total) in r.arriaga.by_age.iter().enumerate() {
        let s: f64 = r.arriaga.by_age_cause.iter().map(|c| c[i]).sum();
        assert!(
            (s - total).abs() < 1e-14 + 1e-12 * total.abs(),
            "age {i}: {s} vs {total}"
        );
    }
    let all: f64 = r.arriaga.by_age_cause.iter().flatten().sum();
    assert!((all - r.arriaga.difference).abs() < 1e-12);
    // the line integral at its default 50 steps: every measure within 1e-4 × max(1, |difference|)
    // of its difference (e0 years, e-dagger years, SD years, Gini points); measured 1e-5 (e0),
    // 8e-6 (e-dagger), 7e-8 (Gini), 1.6e-5 (SD)
    assert_eq!(r.horiuchi.len(), 4);
    for h in &r.horiuchi {
        let bound = 1e-4 * h.difference.abs().max(1.0);
        assert!(h.residual.abs() < bound, "{}: residual {}", h.measure, h.residual);
        let s: f64 = h.by_age_cause.iter().flatten().sum::<f64>() + h.a0.unwrap_or(0.0);
        assert!((s - h.difference - h.residual).abs() < 1e-12);
    }
    // the two methods agree on the age pattern: infants, and the 100+ (small)
    let e = &r.horiuchi[0];
    assert!(
        (e.by_age[0] - r.arriaga.by_age[0]).abs() < 0.01,
        "{} {}",
        e.by_age[0],
        r.arriaga.by_age[0]
    );
    assert!(e.a0.unwrap().abs() < 1e-3);
}

#[test]
fn the_integration_error_falls_as_one_over_steps_squared() {
    let (d, _) = usa();
    let res = |steps| {
        let o = DecomposeOptions {
            steps,
            ..Default::default()
        };
        let r = decompose(side(&d, None, 2010, Sex::Female), side(&d, None, 2010, Sex::Male), &o);
        r.horiuchi.iter().map(|h| h.residual.abs()).collect::<Vec<f64>>()
    };
    let (r5, r10) = (res(5), res(10));
    for k in 0..4 {
        // a ratio of 4 for an O(1/N²) error; at least 3 allowed for the higher-order terms
        assert!(
            r10[k] < r5[k] / 3.0 || r10[k] < 1e-12,
            "measure {k}: {} -> {}",
            r5[k],
            r10[k]
        );
    }
}

#[test]
fn two_years_and_from_an_age() {
    let (d, _) = usa();
    let o = DecomposeOptions {
        from_age: 65.0,
        ..Default::default()
    };
    let r = decompose(side(&d, None, 2010, Sex::Male), side(&d, None, 1950, Sex::Male), &o);
    assert!(r.arriaga.by_age[..65].iter().all(|x| *x == 0.0));
    let sum: f64 = r.arriaga.by_age.iter().sum();
    assert!((sum - (r.first.e - r.second.e)).abs() < 1e-12);
    assert!(r.first.e > r.second.e + 2.0, "e65 rose from 1950 to 2010");
    assert_eq!(r.horiuchi.len(), 1, "only e(x) from an age above 0");
    // 5.1 years' difference: measured residual 5e-5 at 50 steps
    assert!(r.horiuchi[0].residual.abs() < 1e-4 * r.horiuchi[0].difference.abs());
}

#[test]
fn large_changes_stay_within_the_stated_error() {
    // USA males 1933 → 2010 (e0 +17 years): the largest residual relative to its difference is
    // the SD's (4.4e-3 of 8.0 years at 20 steps, 7e-4 at 50)
    let (d, _) = usa();
    let r = decompose(
        side(&d, None, 2010, Sex::Male),
        side(&d, None, 1933, Sex::Male),
        &DecomposeOptions::default(),
    );
    for h in &r.horiuchi {
        assert!(
            h.residual.abs() < 1e-4 * h.difference.abs().max(1.0),
            "{}: {} of {}",
            h.measure,
            h.residual,
            h.difference
        );
    }
}

#[test]
fn the_outcome_has_tables_charts_and_a_titled_figure() {
    let (d, c) = usa();
    let o = run_decompose(
        &side(&d, Some(&c), 2010, Sex::Female),
        &side(&d, Some(&c), 2010, Sex::Male),
        &DecomposeOptions::default(),
    )
    .unwrap();
    let names: Vec<&str> = o.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "decomposition",
            "decomposition_by_age",
            "decomposition_summary",
            "decomposition_rates"
        ]
    );
    // 111 ages × 7 causes × 5 (Arriaga e0, the line integral's 4 measures) + 4 a(0) rows
    assert_eq!(o.tables[0].rows.len(), 111 * 7 * 5 + 4);
    let files: Vec<&str> = o.files.iter().map(|f| f.name.as_str()).collect();
    assert!(files.contains(&"decompose_e_arriaga.svg") && files.contains(&"decompose_gini_horiuchi.svg"));
    let svg = o.files.iter().find(|f| f.name == "decompose_e_arriaga.svg").unwrap();
    let text = String::from_utf8_lossy(&svg.bytes);
    assert!(
        text.contains("The United States of America, 2010: female − male: e0 difference 4.84"),
        "{text:.300}"
    );
    assert!(text.contains("Cardiovascular") && text.contains("100+"));
    let report = o.to_text();
    assert!(
        report.contains("Arriaga: contributions to the difference in e0 (years)"),
        "{report}"
    );
}

#[test]
fn errors_name_the_option() {
    let (d, c) = usa();
    let f = side(&d, Some(&c), 2010, Sex::Female);
    let m = side(&d, Some(&c), 2010, Sex::Male);
    let bad = DecomposeOptions {
        from_age: 2.5,
        ..Default::default()
    };
    let e = run_decompose(&f, &m, &bad).unwrap_err().to_string();
    assert!(e.starts_with("--from-age: 2.5 does not start an age group"), "{e}");
    let e = run_decompose(&f, &side(&d, None, 2010, Sex::Male), &DecomposeOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("cause-of-death data were given for one table only"), "{e}");
    let e = run_decompose(&f, &side(&d, Some(&c), 1950, Sex::Male), &DecomposeOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("cause-of-death deaths for 1950 male"), "{e}");
}

#[test]
fn simulated_intervals_cover_the_estimates_and_repeat_with_the_seed() {
    let (d, c) = usa();
    let iv = dimorph_lifetable::uncertainty::IntervalOptions {
        level: 0.95,
        draws: 100,
        seed: 7,
        threads: None,
    };
    let o = DecomposeOptions {
        lifetable: LifeTableOptions {
            intervals: Some(iv),
            ..Default::default()
        },
        ..Default::default()
    };
    let f = side(&d, Some(&c), 2010, Sex::Female);
    let m = side(&d, Some(&c), 2010, Sex::Male);
    let r = decompose(f, m, &o);
    let ci = r.intervals.as_ref().unwrap();
    assert_eq!((ci.simulation.used, ci.simulation.failed), (100, 0));
    let gap = ci.differences[0];
    let (lo, hi) = (gap.lower.unwrap(), gap.upper.unwrap());
    assert!(lo < r.arriaga.difference && r.arriaga.difference < hi, "{lo} {hi}");
    // 2.4 million deaths: the gap is known to a few hundredths of a year
    assert!(hi - lo > 0.005 && hi - lo < 0.2, "{lo} {hi}");
    for (g, i) in ci.by_cause.iter().enumerate() {
        let total: f64 = r.arriaga.by_age_cause[g].iter().sum();
        assert!(
            i.lower.unwrap() <= total && total <= i.upper.unwrap(),
            "{}",
            r.groups[g]
        );
    }
    assert_eq!(ci.by_age_cause.len(), 7);
    let again = decompose(f, m, &o);
    assert_eq!(again.intervals.unwrap().differences[0].lower, gap.lower);
    // two data sets cannot be drawn together
    let d2 = read_hmd_dir(&data_dir().join("hmd/USA")).unwrap();
    let e = run_decompose(
        &side(&d, None, 2010, Sex::Female),
        &side(&d2, None, 2010, Sex::Male),
        &o,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.starts_with("--ci: intervals of a decomposition need both tables from one data set"),
        "{e}"
    );
}
