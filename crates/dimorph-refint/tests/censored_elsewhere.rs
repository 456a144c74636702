//! Issue 15: censored values (`<25` below a detection limit, `>200` above a limit) in `partition`,
//! `age` and `verify` — counted, said, and used where the method can, never dropped silently.
//!
//! Data from a seeded generator (dimorph_core::rng): log-normal values (median 40 for f, 50 for
//! m, ln-SD 0.3), ages uniform on [0, 80); values below 25 are written `<25` (about 6 % of f,
//! 1 % of m) and three rows of m read `>200`.
//!
//! * partition: with refiner (which models censoring) each group and the pooled estimate use
//!   their `<25` values — the limits equal `refint estimate`'s on the same rows, per group and
//!   pooled; with reflim they are set aside and said so; `>200` is set aside with its count;
//! * age: refiner takes each window's `<25` values (the windows' counts add up to all of them),
//!   reflim and the LMS fit set them aside with the count and the reason;
//! * verify: the EP28 check uses `<L` at or below the lower limit and `>U` at or above the upper
//!   limit as values outside (bounds), sets aside the ones it cannot place, and says so; the
//!   routine check with refiner uses `<L` as censored.

use dimorph_core::rng::Rng;
use dimorph_refint::options::VerifyMode;
use dimorph_refint::run::{run_age_coded, AgeOptions};
use dimorph_refint::{
    run_estimate_coded, run_partition_coded, run_verify_coded, EstimateOptions, EstimateRunOptions, Method,
    PartitionOptions, VerifyOptions,
};

const LIMIT: f64 = 25.0;

/// The data as CSV and the number of `<25` cells per sex (f, m).
fn generated() -> (String, [usize; 2]) {
    let mut r = Rng::new(20261126);
    let mut csv = String::from("age,sex,v\n");
    let mut cens = [0usize; 2];
    for (k, (sex, median)) in [("f", 40.0f64), ("m", 50.0)].iter().enumerate() {
        for _ in 0..3000 {
            let age = r.range(0.0, 80.0);
            let v = (median.ln() + 0.3 * r.normal()).exp();
            if v < LIMIT {
                cens[k] += 1;
                csv.push_str(&format!("{age},{sex},<{LIMIT}\n"));
            } else {
                csv.push_str(&format!("{age},{sex},{v}\n"));
            }
        }
    }
    for age in [30.0, 50.0, 70.0] {
        csv.push_str(&format!("{age},m,>200\n"));
    }
    (csv, cens)
}

fn frame(csv: &str, coded: &[&str]) -> dimorph_data::CodedFrame {
    dimorph_data::coded::read_coded_bytes("generated", csv.as_bytes(), Default::default(), &["v", "age"], coded)
        .unwrap()
}

fn with(method: Method) -> EstimateOptions {
    EstimateOptions {
        method,
        ..Default::default()
    }
}

#[test]
fn partition_uses_censored_values_where_the_method_can_and_says_so() {
    let (csv, cens) = generated();
    let cf = frame(&csv, &["sex"]);
    let o = PartitionOptions {
        value: "v".into(),
        by: "sex".into(),
        filters: Vec::new(),
        estimate: with(Method::Refiner),
    };
    let out = run_partition_coded(&cf, &o).unwrap();
    let r = &out.result;
    let total = cens[0] + cens[1];
    assert!(cens[0] > 100 && cens[1] > 10, "{cens:?}");
    let skipped = r.skipped.join("\n");
    assert!(
        skipped.contains(&format!(
            "{total} values of v below a detection limit (<25) used as censored by --method refiner"
        )),
        "{skipped}"
    );
    assert!(
        skipped.contains("3 values of v above a limit (>200) set aside"),
        "{skipped}"
    );
    assert!(out
        .warnings
        .iter()
        .any(|w| w.contains("above a limit (>200) set aside")));
    // each group's limits are refint estimate's on the same rows, censored values included
    let est = |by: Option<&str>| {
        let o = EstimateRunOptions {
            value: "v".into(),
            more_values: Vec::new(),
            by: by.map(Into::into),
            filters: Vec::new(),
            targets: None,
            estimate: with(Method::Refiner),
        };
        let cf = frame(&csv, &by.map_or(vec![], |b| vec![b]));
        run_estimate_coded(&cf, &o).unwrap().result
    };
    let by_sex = est(Some("sex"));
    for (k, g) in r.groups.iter().enumerate() {
        let e = &by_sex.groups[k];
        assert_eq!(g.group, e.group);
        assert!(
            g.limits.method.contains(&format!("{} censored", cens[k])),
            "{}",
            g.limits.method
        );
        assert_eq!((g.limits.lower, g.limits.upper), (e.limits.lower, e.limits.upper));
    }
    let all = est(None);
    assert!(
        r.pooled.limits.method.contains(&format!("{total} censored")),
        "{}",
        r.pooled.limits.method
    );
    assert_eq!(
        (r.pooled.limits.lower, r.pooled.limits.upper),
        (all.groups[0].limits.lower, all.groups[0].limits.upper)
    );
    // reflim cannot use them: set aside, with the count
    let o = PartitionOptions {
        estimate: with(Method::Reflim),
        ..o
    };
    let out = run_partition_coded(&cf, &o).unwrap();
    let skipped = out.result.skipped.join("\n");
    assert!(
        skipped.contains(&format!("{total} values of v below a detection limit (<25) set aside")),
        "{skipped}"
    );
    assert!(out.result.groups.iter().all(|g| !g.limits.method.contains("censored")));
}

fn age_options(method: Method) -> AgeOptions {
    AgeOptions {
        value: "v".into(),
        age: "age".into(),
        by: Some("sex".into()),
        window: 20.0,
        step: 20.0,
        estimate: with(method),
        ..Default::default()
    }
}

#[test]
fn age_windows_use_censored_values_where_the_method_can_and_say_so() {
    let (csv, cens) = generated();
    let cf = frame(&csv, &["sex"]);
    let total = cens[0] + cens[1];
    let out = run_age_coded(&cf, &age_options(Method::Refiner)).unwrap();
    let skipped = out.result.skipped.join("\n");
    assert!(
        skipped.contains(&format!(
            "{total} values of v below a detection limit (<25) used as censored by --method refiner in the windows"
        )),
        "{skipped}"
    );
    assert!(
        skipped.contains("3 values of v above a limit (>200) set aside"),
        "{skipped}"
    );
    // windows as wide as their step: every censored value in exactly one window
    for (k, sex) in ["f", "m"].iter().enumerate() {
        let n: usize = out
            .result
            .windows
            .iter()
            .filter(|w| w.group == *sex)
            .map(|w| w.censored)
            .sum();
        assert_eq!(n, cens[k], "{sex}");
    }
    assert!(out.tables[0].columns.iter().any(|c| c == "censored"));
    // reflim and the LMS fit set them aside, with the count and the reason
    let out = run_age_coded(&cf, &age_options(Method::Reflim)).unwrap();
    let skipped = out.result.skipped.join("\n");
    assert!(
        skipped.contains(&format!(
            "{total} values of v below a detection limit (<25) set aside: --method reflim does not use censored values"
        )),
        "{skipped}"
    );
    assert!(out.result.windows.iter().all(|w| w.censored == 0));
    assert!(!out.tables[0].columns.iter().any(|c| c == "censored"));
    let lms = AgeOptions {
        curves: dimorph_refint::age_curves_run::Curves::Lms,
        window: 0.0,
        step: 0.0,
        ..age_options(Method::Reflim)
    };
    let out = run_age_coded(&cf, &lms).unwrap();
    let w = out.warnings.join("\n");
    assert!(
        w.contains(&format!(
            "skipped {total} values of v below a detection limit (<25) set aside: the LMS (BCCG) fit does not use censored values"
        )),
        "{w}"
    );
    assert!(
        w.contains("skipped 3 values of v above a limit (>200) set aside"),
        "{w}"
    );
}

#[test]
fn ep28_transference_counts_censored_values_beyond_the_limits_as_outside() {
    // 17 values inside 10 – 50, '<5' (below 10: outside), '>60' (above 50: outside), '<12'
    // (could be inside or below: set aside): 19 placed values, 2 outside
    let mut csv = String::from("v\n");
    for i in 0..17 {
        csv.push_str(&format!("{}\n", 12.0 + 2.0 * i as f64));
    }
    csv.push_str("<5\n>60\n<12\n");
    let cf = dimorph_data::coded::read_coded_bytes("ref.csv", csv.as_bytes(), Default::default(), &["v"], &[]).unwrap();
    let o = VerifyOptions {
        value: "v".into(),
        filters: Vec::new(),
        limits: (10.0, 50.0),
        mode: VerifyMode::Transference,
        estimate: EstimateOptions::default(),
    };
    // 19 placed values are too few for EP28's 20
    let e = run_verify_coded(&cf, &o).unwrap_err().to_string();
    assert!(e.contains("needs at least 20") && e.contains("19"), "{e}");
    let csv = format!("{csv}30\n");
    let cf = dimorph_data::coded::read_coded_bytes("ref.csv", csv.as_bytes(), Default::default(), &["v"], &[]).unwrap();
    let out = run_verify_coded(&cf, &o).unwrap();
    let t = out.result.transference.as_ref().unwrap();
    assert_eq!((t.n, t.below, t.above, t.allowed), (20, 1, 1, 2));
    assert!(t.accept);
    assert!(
        t.reason.contains("2 of them censored at a limit beyond the limits"),
        "{}",
        t.reason
    );
    let skipped = out.result.skipped.join("\n");
    assert!(
        skipped.contains(
            "2 values of v below a detection limit (<5, <12) used as bounds by the EP28 check: 1 lie below the lower \
             limit 10"
        ) && skipped.contains("1 set aside: their limit lies within the limits"),
        "{skipped}"
    );
    assert!(
        skipped.contains(
            "1 values of v above a limit (>60) used as bounds by the EP28 check: 1 lie above the upper limit 50"
        ),
        "{skipped}"
    );
    assert_eq!((out.result.counts.censored, out.result.counts.above_limit), (2, 1));
}

#[test]
fn routine_verification_uses_censored_values_where_the_method_can() {
    let (csv, cens) = generated();
    let cf = frame(&csv, &["sex"]);
    let o = VerifyOptions {
        value: "v".into(),
        filters: vec![("sex".into(), "f".into())],
        limits: (24.0, 68.0),
        mode: VerifyMode::Routine,
        estimate: with(Method::Refiner),
    };
    let out = run_verify_coded(&cf, &o).unwrap();
    let e = out.result.estimate.as_ref().unwrap();
    assert!(
        e.limits.method.contains(&format!("{} censored", cens[0])),
        "{}",
        e.limits.method
    );
    let skipped = out.result.skipped.join("\n");
    assert!(
        skipped.contains(&format!(
            "{} values of v below a detection limit (<25) used as censored by --method refiner",
            cens[0]
        )),
        "{skipped}"
    );
    let o = VerifyOptions {
        estimate: with(Method::Reflim),
        ..o
    };
    let out = run_verify_coded(&cf, &o).unwrap();
    assert!(!out.result.estimate.as_ref().unwrap().limits.method.contains("censored"));
    assert!(out.result.skipped.join("\n").contains("set aside"));
}
