//! Intervals of e(x) and of Table 2's means (src/uncertainty.rs).
//!
//! Chiang's standard errors are checked against an independent computation in base R
//! (tests/peers/chiang.R, its output tests/peers/chiang.csv: HMD tables without smoothing and
//! Chiang's formula written from the book); the Poisson simulation against Chiang at many draws,
//! for bracketing the estimate, and for reproducibility by seed and thread count.

use crate::common;

use dimorph_lifetable::uncertainty::{
    chiang_se, ex_intervals, simulate, simulate_data, simulate_tables, IntervalOptions,
};
use dimorph_lifetable::{
    lifetable, read_hmd_dir, run_lifelost, run_lifetable, CauseDeaths, LifeLostOptions, LifeTableOptions,
    MortalityData, Sex, Smoothing,
};
use std::sync::OnceLock;

fn usa() -> &'static MortalityData {
    static D: OnceLock<MortalityData> = OnceLock::new();
    D.get_or_init(|| read_hmd_dir(&common::data_dir().join("hmd/USA")).unwrap())
}

fn no_smooth() -> LifeTableOptions {
    LifeTableOptions {
        smoothing: Smoothing::None,
        ..Default::default()
    }
}

fn iv(draws: usize, seed: u64) -> IntervalOptions {
    IntervalOptions {
        level: 0.95,
        draws,
        seed,
        threads: None,
    }
}

/// R's rows (year, sex, age, ex, se, lower, upper).
fn peer() -> Vec<(i32, Sex, usize, [f64; 4])> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/chiang.csv");
    let mut r = csv::Reader::from_path(path).unwrap();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            let f = |i: usize| rec[i].parse::<f64>().unwrap();
            let sex = Sex::parse(&rec[1]).unwrap();
            (
                rec[0].parse().unwrap(),
                sex,
                rec[2].parse().unwrap(),
                [f(3), f(4), f(5), f(6)],
            )
        })
        .collect()
}

#[test]
fn chiang_matches_the_independent_r_computation() {
    let rows = peer();
    assert_eq!(rows.len(), 4 * 111, "four tables of 111 ages");
    let z = IntervalOptions::default().z();
    for (year, sex, age, [ex, se, lower, upper]) in rows {
        let t = lifetable(usa(), year, sex, &no_smooth()).unwrap();
        let ours = chiang_se(&t, &usa().get(year, sex).unwrap().deaths).unwrap();
        let at = format!("{year} {sex} age {age}");
        // e(x): the same table in both (1e-9 years); se: relative 1e-9 (floating-point order only)
        assert!((t.ex[age] - ex).abs() < 1e-9, "{at}: e {} vs R {ex}", t.ex[age]);
        assert!(
            (ours[age] - se).abs() <= 1e-9 * se.max(1e-12),
            "{at}: se {} vs R {se}",
            ours[age]
        );
        assert!((t.ex[age] - z * ours[age] - lower).abs() < 1e-8, "{at}: lower");
        assert!((t.ex[age] + z * ours[age] - upper).abs() < 1e-8, "{at}: upper");
    }
}

#[test]
fn simulation_agrees_with_chiang_at_many_draws() {
    // 4000 draws: the simulated se has a relative sampling error of about 1/sqrt(2·4000) = 1.1 %;
    // Chiang's is a first-order (delta-method) approximation. Stated tolerance: 8 % on se at ages
    // 0-90, and the limits within a quarter of Chiang's half-width. For 1950 males only to age 80:
    // their open group holds 1.9 deaths, where the delta method fails (e(110) = 25 ± 18) and the
    // draws with no death there are left out, which shrinks the simulated spread at 90 by 11 %.
    let o = no_smooth();
    for (year, sex, last) in [(2010, Sex::Female, 90), (1950, Sex::Male, 80)] {
        let t = lifetable(usa(), year, sex, &o).unwrap();
        let r = ex_intervals(&t, usa(), year, sex, &o, &iv(4000, 11)).unwrap();
        // 1950 males: 1.9 deaths at 110+, so about e^-1.9 = 15 % of the draws have none and no
        // table (left out and counted); 2010 females: none fail
        let expected = (-usa().get(year, sex).unwrap().deaths[110]).exp();
        let share = r.draws.failed as f64 / 4000.0;
        assert!(
            (share - expected).abs() < 0.02,
            "{year} {sex}: {share} of the draws failed, expected {expected}"
        );
        for age in [0, 1, 20, 40, 65, 80, 90].into_iter().filter(|a| *a <= last) {
            let (c, s) = (&r.chiang[age], &r.simulation[age]);
            let (cs, ss) = (c.se.unwrap(), s.se.unwrap());
            eprintln!("{year} {sex} age {age}: sim se / Chiang se = {:.4}", ss / cs);
            assert!(
                (ss / cs - 1.0).abs() < 0.08,
                "{year} {sex} age {age}: sim se {ss} vs Chiang {cs}"
            );
            let half = c.upper.unwrap() - t.ex[age];
            assert!(
                (s.lower.unwrap() - c.lower.unwrap()).abs() < 0.25 * half,
                "{year} {sex} {age}: lower"
            );
            assert!(
                (s.upper.unwrap() - c.upper.unwrap()).abs() < 0.25 * half,
                "{year} {sex} {age}: upper"
            );
        }
    }
}

#[test]
fn simulated_intervals_bracket_the_estimate_and_are_reproducible() {
    let o = LifeTableOptions::default(); // Kannisto smoothing refitted in every draw
    let t = lifetable(usa(), 2010, Sex::Male, &o).unwrap();
    let a = ex_intervals(&t, usa(), 2010, Sex::Male, &o, &iv(400, 5)).unwrap();
    for age in [0, 1, 30, 65, 85, 95, 110] {
        let s = &a.simulation[age];
        assert!(
            s.lower.unwrap() < t.ex[age] && t.ex[age] < s.upper.unwrap(),
            "age {age}: {:?} around {}",
            s,
            t.ex[age]
        );
    }
    // same seed, one thread or many: the same draws; another seed: other draws
    let one = IntervalOptions {
        threads: Some(1),
        ..iv(400, 5)
    };
    let b = ex_intervals(&t, usa(), 2010, Sex::Male, &o, &one).unwrap();
    assert_eq!(a.draws.values, b.draws.values);
    assert_eq!(a.simulation, b.simulation);
    let c = ex_intervals(&t, usa(), 2010, Sex::Male, &o, &iv(400, 6)).unwrap();
    assert_ne!(a.draws.values, c.draws.values);
}

#[test]
fn the_core_draws_any_statistic_and_counts_failures() {
    // total deaths of a vector drawn Poisson: mean and variance of the sum = the sum of the means
    let counts = [5.0, 50.0, 500.0];
    let sim = simulate(&[&counts], &iv(4000, 3), |d| Ok(vec![d[0].iter().sum()])).unwrap();
    let x = sim.column(0);
    let m = x.iter().sum::<f64>() / x.len() as f64;
    let v = x.iter().map(|a| (a - m).powi(2)).sum::<f64>() / (x.len() - 1) as f64;
    assert!((m - 555.0).abs() < 4.0 * (555.0f64 / 4000.0).sqrt(), "mean {m}");
    assert!((v / 555.0 - 1.0).abs() < 0.1, "variance {v}");
    // a statistic failing in some draws: left out and counted, with the reason
    let sim = simulate(&[&[2.0]], &iv(1000, 3), |d| {
        if d[0][0] == 0.0 {
            Err(dimorph_lifetable::Error::Argument("no deaths drawn".into()))
        } else {
            Ok(vec![d[0][0]])
        }
    })
    .unwrap();
    // P(0) = e^-2 = 13.5 %
    assert!(sim.failed > 90 && sim.failed < 180, "{}", sim.failed);
    assert!(sim.warning("x").unwrap().contains("no deaths drawn"));
}

#[test]
fn table_level_and_data_level_simulations_agree() {
    // simulate_tables (populations, Y given) and simulate_data (whole data) draw the same deaths
    // from the same seed when the data hold one population of the year: the e0 draws coincide.
    let pop = usa().get(2010, Sex::Female).unwrap();
    let o = no_smooth();
    let a = simulate_tables(&[pop], &[None], &o, &iv(50, 9), |t| Ok(vec![t[0].e0()])).unwrap();
    let mut one = usa().clone();
    one.pops.retain(|k, _| *k == (2010, Sex::Female));
    let b = simulate_data(&one, None, &[2010], &iv(50, 9), |d, _| {
        Ok(vec![lifetable(d, 2010, Sex::Female, &o)?.e0()])
    })
    .unwrap();
    assert_eq!(a.values, b.values);
}

#[test]
fn lifetable_outcome_carries_the_intervals() {
    let o = LifeTableOptions {
        intervals: Some(iv(100, 1)),
        ..Default::default()
    };
    let out = run_lifetable(usa(), 2010, Sex::Female, &o).unwrap();
    let t = &out.tables[0];
    for c in ["ex_chiang_se", "ex_chiang_lower", "ex_sim_upper"] {
        assert!(t.columns.iter().any(|x| x == c), "{c} in {:?}", t.columns);
    }
    assert!(
        out.summary.iter().any(|l| l.contains("95% CI: Chiang")),
        "{:?}",
        out.summary
    );
    let text = out.to_text();
    assert!(text.contains("Life expectancy with 95% confidence intervals"), "{text}");
    let bad = LifeTableOptions {
        intervals: Some(IntervalOptions {
            level: 95.0,
            ..Default::default()
        }),
        ..Default::default()
    };
    let e = run_lifetable(usa(), 2010, Sex::Female, &bad).unwrap_err().to_string();
    assert!(e.starts_with("--ci:"), "{e}");
}

#[test]
fn table2_means_get_simulated_intervals() {
    let causes = CauseDeaths::read_csv(&common::data_dir().join("usa_2010_cod.csv"), None).unwrap();
    let mut o = LifeLostOptions::default();
    o.lifetable.intervals = Some(iv(60, 2));
    let out = run_lifelost(usa(), Some(&causes), 2010, &[Sex::Female, Sex::Male], None, &o).unwrap();
    let rows = out.result.table2_intervals.as_ref().unwrap();
    // 8 groups (7 causes and All) × 2 sexes × 4 means
    assert_eq!(rows.len(), 8 * 2 * 4);
    for r in rows {
        let i = &r.interval;
        let (lo, hi) = (i.lower.unwrap(), i.upper.unwrap());
        assert!(
            lo <= i.estimate && i.estimate <= hi,
            "{} {} {}: {lo} {} {hi}",
            r.cause,
            r.sex,
            r.measure,
            i.estimate
        );
        assert!(
            hi - lo < 2.0,
            "{} {} {}: {lo}-{hi} is too wide",
            r.cause,
            r.sex,
            r.measure
        );
    }
    assert!(out.tables.iter().any(|t| t.name == "table2_intervals"));
}

#[test]
fn intervals_follow_the_open_age_and_the_both_sex_table() {
    for sex in [Sex::Male, Sex::Total] {
        let o = LifeTableOptions {
            open_age: Some(100.0),
            intervals: Some(iv(30, 1)),
            ..Default::default()
        };
        let out = run_lifetable(usa(), 2010, sex, &o).unwrap();
        let r = &out.result;
        assert_eq!(r.lifetable.len(), 101, "{sex}");
        let i = r.intervals.as_ref().unwrap();
        assert_eq!((i.chiang.len(), i.simulation.len()), (101, 101), "{sex}");
        // the open group 100+ holds the deaths of 100-110+: Chiang's se there is e/sqrt(D)
        let d: f64 = usa().get(2010, sex).unwrap().deaths[100..].iter().sum();
        let e = r.lifetable.ex[100];
        assert!((i.chiang[100].se.unwrap() - e / d.sqrt()).abs() < 1e-12, "{sex}");
    }
}
