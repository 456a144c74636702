//! Issue 15, item 2: `--method refiner` (refineR's inverse modelling, Ammer et al. 2021) against
//! refineR 2.0.0 run once by `tests/peers/refiner.R` on its own five test cases (data in
//! `tests/peers/refiner_data/`, outputs in `tests/peers/refiner.out.csv` and
//! `refiner_boot.out.csv`), with the bias against the documented truth beside refineR's and
//! reflimR's (dimorph's reflim, which equals reflimR 1.1.0 to 1e-14).
//!
//! The fit checked is `--method refiner`'s default (`--model boxcox`: refineR's histogram, cost
//! and search, estimate/refiner_hist.rs, the default since session 9; the quantile-bin cost it
//! replaced passed the same bounds). Tolerance: this implementation is written from the paper
//! and refineR's sources read to understand them, not a port, so its limits are not refineR's
//! to the digit. Stated and asserted: every
//! limit within 9 % of refineR's, at least 7 of the 10 within 1 % and 8 within 3 %; the mean
//! absolute bias against the documented truth at most 2.5 % (refineR's own is printed beside it,
//! and at most 1.5 points better), and far below reflim's on these cases.
//!
//! Other percentiles (`--percentiles`): the same fits read at 1/99 and 5/95 % against refineR's
//! `getRI(fit, RIperc = ...)` on its own fits (`tests/peers/refiner_percentiles.R`, run once;
//! `.out.csv`), by the same rule scaled to their 20 limits: every one within 9 %, at least 14
//! within 1 % and 16 within 3 %.

use crate::common::{assert_intervals_of, bootstrapped_at};
use dimorph_data::{read_coded, ReadOptions};
use dimorph_refint::estimate::group::estimate_one;
use dimorph_refint::estimate::refiner::MIN_N;
use dimorph_refint::estimate::refiner_boot::{estimate, resampled_limits, resampled_limits_at};
use dimorph_refint::estimate::refiner_modbc::fit_model;
use dimorph_refint::estimate::reflim::{reflim, ReflimOptions};
use dimorph_refint::stats::{percentile_interval_95, quantile7};
use dimorph_refint::{run_estimate_coded, EstimateOptions, EstimateRunOptions, Method, RefinerModel, RefinerOptions};

fn peer(name: &str) -> String {
    let p = format!("{}/tests/peers/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

fn testcase(k: usize) -> Vec<f64> {
    peer(&format!("refiner_data/testcase{k}.csv"))
        .lines()
        .skip(1)
        .map(|l| l.trim().parse::<f64>().expect("a number"))
        .collect()
}

/// refineR's row for case k: (truth lower, truth upper, lower, upper, lambda, mu, sigma).
fn peer_row(k: usize) -> [f64; 7] {
    let s = peer("refiner.out.csv");
    let row = s.lines().nth(k).expect("five cases");
    let f: Vec<f64> = row.split(',').skip(2).map(|v| v.parse().expect("a number")).collect();
    [f[0], f[1], f[2], f[3], f[4], f[5], f[6]]
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b) / b
}

/// refineR's limit of case k at the percentile `q` (a fraction), and its fit's (λ, μ, σ)
/// (tests/peers/refiner_percentiles.out.csv).
fn peer_at(k: usize, q: f64) -> (f64, [f64; 3]) {
    let s = peer("refiner_percentiles.out.csv");
    let case = format!("\"testcase{k}\",");
    let row: Vec<f64> = s
        .lines()
        .filter_map(|l| l.strip_prefix(&case))
        .map(|l| l.split(',').map(|v| v.parse().expect("a number")).collect::<Vec<f64>>())
        .find(|r| (r[0] - q).abs() < 1e-12)
        .unwrap_or_else(|| panic!("no refineR limit for testcase{k} at {q}"));
    (row[1], [row[2], row[3], row[4]])
}

/// The percentiles besides 2.5/97.5 that refineR's limits were read at (fractions).
const OTHER_PERCENTILES: [(f64, f64); 2] = [(0.01, 0.99), (0.05, 0.95)];

#[test]
fn limits_agree_with_refiner_and_bias_against_truth_is_as_low() {
    let (mut within1, mut within3, mut worst) = (0, 0, 0.0f64);
    let (mut bias_ours, mut bias_peer, mut bias_reflim) = (0.0, 0.0, 0.0);
    // the other percentiles: within 1 %, within 3 %, worst
    let (mut other1, mut other3, mut other_worst) = (0, 0, 0.0f64);
    eprintln!("case  limit  truth  refineR  ours  ours-refineR%  bias ours%  bias refineR%  bias reflim%");
    for k in 1..=5 {
        let x: Vec<f64> = testcase(k).into_iter().filter(|v| *v > 0.0).collect();
        let p = peer_row(k);
        let f = fit_model("testcase", &x, None, RefinerModel::BoxCox).unwrap();
        assert!(
            f.peak_histogram,
            "testcase{k}: the default fit is refineR's histogram cost's"
        );
        let r = reflim("testcase", &x, None, ReflimOptions::default()).unwrap();
        eprintln!(
            "testcase{k}: lambda {:.3} (refineR {:.3}), mu {:.4} ({:.4}), sigma {:.4} ({:.4}), P {:.3}",
            f.lambda, p[4], f.mu, p[5], f.sigma, p[6], f.p
        );
        // the fit read at 2.5/97.5 % is its limits, and refineR's percentile run is refiner.R's fit
        assert_eq!(f.limits_at((0.025, 0.975)), (f.lower, f.upper), "testcase{k}");
        for (q, want) in [(0.025, p[2]), (0.975, p[3])] {
            let (theirs, model) = peer_at(k, q);
            assert!(rel(theirs, want).abs() <= 1e-12, "testcase{k} {q}: {theirs} vs {want}");
            assert!(model
                .iter()
                .zip(&p[4..])
                .all(|(a, b)| (a - b).abs() <= 1e-12 * b.abs().max(1.0)));
        }
        for (lo, hi) in OTHER_PERCENTILES {
            let (a, b) = f.limits_at((lo, hi));
            for (q, ours) in [(lo, a), (hi, b)] {
                let theirs = peer_at(k, q).0;
                let d = rel(ours, theirs).abs();
                other_worst = other_worst.max(d);
                other1 += usize::from(d <= 0.01);
                other3 += usize::from(d <= 0.03);
                eprintln!(
                    "{k}  {:>4} %  refineR {theirs:.4}  ours {ours:.4}  {:+.2} %",
                    100.0 * q,
                    100.0 * rel(ours, theirs)
                );
            }
        }
        for (i, (ours, truth, theirs, rl)) in [(f.lower, p[0], p[2], r.lower), (f.upper, p[1], p[3], r.upper)]
            .into_iter()
            .enumerate()
        {
            let d = rel(ours, theirs).abs();
            worst = worst.max(d);
            within1 += usize::from(d <= 0.01);
            within3 += usize::from(d <= 0.03);
            bias_ours += rel(ours, truth).abs() / 10.0;
            bias_peer += rel(theirs, truth).abs() / 10.0;
            bias_reflim += rel(rl, truth).abs() / 10.0;
            eprintln!(
                "{k}  {}  {truth}  {theirs:.4}  {ours:.4}  {:+.2}  {:+.2}  {:+.2}  {:+.2}",
                ["lower", "upper"][i],
                100.0 * rel(ours, theirs),
                100.0 * rel(ours, truth),
                100.0 * rel(theirs, truth),
                100.0 * rel(rl, truth)
            );
        }
    }
    eprintln!(
        "mean |bias| against truth: ours {:.2} %, refineR {:.2} %, reflim {:.2} %; worst difference to refineR {:.2} %",
        100.0 * bias_ours,
        100.0 * bias_peer,
        100.0 * bias_reflim,
        100.0 * worst
    );
    eprintln!(
        "1/99 and 5/95 %: {other1} of 20 limits within 1 % of refineR's, {other3} within 3 %, worst {:.2} %",
        100.0 * other_worst
    );
    assert!(worst <= 0.09, "worst difference to refineR {worst}");
    assert!(
        other_worst <= 0.09,
        "1/99, 5/95 %: worst difference to refineR {other_worst}"
    );
    assert!(
        other1 >= 14 && other3 >= 16,
        "1/99, 5/95 %: within 1 %: {other1}, within 3 %: {other3}"
    );
    assert!(
        within1 >= 7 && within3 >= 8,
        "within 1 %: {within1}, within 3 %: {within3}"
    );
    assert!(bias_ours <= 0.025, "mean |bias| {bias_ours}");
    assert!(
        bias_ours <= bias_peer + 0.015,
        "ours {bias_ours} vs refineR {bias_peer}"
    );
    assert!(
        bias_ours < 0.5 * bias_reflim,
        "ours {bias_ours} vs reflim {bias_reflim}"
    );
}

/// The width of the central percentile interval of `draws` from its `a` to its 1 − `a` quantile
/// (R's type 7, as refineR's getRI and dimorph's intervals take them; `a` = 0.025: the 95 %
/// interval).
fn width(draws: &[f64], a: f64) -> f64 {
    let mut d = draws.to_vec();
    d.sort_unstable_by(f64::total_cmp);
    quantile7(&d, 1.0 - a) - quantile7(&d, a)
}

/// The Monte-Carlo standard error of [`width`] of `draws`: the SD of the width over 2000
/// resamplings (with replacement) of the draws themselves.
fn width_mc_se(draws: &[f64], a: f64, seed: u64) -> f64 {
    let n = draws.len();
    let w: Vec<f64> = (0..2000)
        .map(|k| {
            let mut r = dimorph_core::Rng::derive(seed, 1, k);
            let d: Vec<f64> = (0..n).map(|_| draws[r.below(n)]).collect();
            width(&d, a)
        })
        .collect();
    let m = w.iter().sum::<f64>() / w.len() as f64;
    (w.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (w.len() - 1) as f64).sqrt()
}

#[test]
fn bootstrap_intervals_cover_the_limits_like_refiners() {
    let x = testcase(1);
    let l = estimate(
        "testcase1",
        &x,
        RefinerOptions {
            nboot: 20,
            ..Default::default()
        },
        123,
    )
    .unwrap();
    for (name, point, ci) in [("lower", l.lower, l.ci_lower), ("upper", l.upper, l.ci_upper)] {
        let (a, b) = ci.expect("20 resamples give intervals");
        assert!(a <= point && point <= b, "{name}: {point} not in [{a}, {b}]");
    }
    assert!(l.ci_method.unwrap().contains("20 of 20 resamples with a fit, seed 123"));
    // The width against refineR's. At 20 resamples a 95 % interval rests on the two most extreme
    // draws of each side, so one width says little (README: ten disjoint sets of 20 of ours gave
    // lower-limit widths 0.79-3.75). So both programs' intervals are compared over 100 resamples:
    // refineR's are findRI(NBootstrap = 50) with seeds 1 and 2 (tests/peers/refiner_boot_draws.R,
    // run once; .out.csv), ours resampled_limits(100, seed 123), the engine's own resamples.
    // Tolerance from the Monte-Carlo error alone: the widths differ by at most 3 standard errors
    // of their difference, each width's standard error the spread of the width over resamplings
    // of its own 100 draws.
    let (lo, hi) = resampled_limits(&x, None, RefinerModel::BoxCox, 100, 123);
    assert_eq!(lo.len(), 100, "every resample has a fit");
    // the engine's 20-resample intervals are made of the first 20 of these draws; as these are
    // drawn again here with the same seed, this is also the check that the same seed gives the
    // same intervals (a second 20-resample fit used to repeat it, for the lower limit only)
    for (name, draws, ci) in [("lower", &lo, l.ci_lower), ("upper", &hi, l.ci_upper)] {
        let mut first = draws[..20].to_vec();
        assert_eq!(Some(percentile_interval_95(&mut first)), ci, "{name}");
    }
    let peer_rows: Vec<Vec<f64>> = peer("refiner_boot_draws.out.csv")
        .lines()
        .skip(1)
        .map(|r| r.split(',').map(|v| v.trim_matches('"').parse().unwrap()).collect())
        .collect();
    assert_eq!(peer_rows.len(), 100, "refineR: 100 resamples with a fit");
    let col = |i: usize| peer_rows.iter().map(|r| r[i]).collect::<Vec<f64>>();
    let (plo, phi) = (col(3), col(4));
    // the draws are those refineR's own intervals are made of: each seed's getRI interval is the
    // type-7 2.5/97.5 % quantiles of its 50 draws
    for row in peer("refiner_boot_seeds.out.csv").lines().skip(1) {
        let c: Vec<f64> = row.split(',').map(|v| v.trim_matches('"').parse().unwrap()).collect();
        let d = if c[1] < 0.5 { &plo } else { &phi };
        let mut seed_draws: Vec<f64> = d
            .iter()
            .zip(&peer_rows)
            .filter(|(_, r)| r[0] == c[0])
            .map(|(v, _)| *v)
            .collect();
        let (a, b) = percentile_interval_95(&mut seed_draws);
        assert!(
            (a - c[2]).abs() < 1e-9 && (b - c[3]).abs() < 1e-9,
            "seed {}: ({a}, {b}) vs {c:?}",
            c[0]
        );
    }
    // the 95 % interval, and the 80 % interval (10-90 %), which rests on more draws and so is
    // checked more tightly by the same rule
    for (name, ours, theirs) in [("lower", &lo, &plo), ("upper", &hi, &phi)] {
        for (a, level) in [(0.025, 95), (0.10, 80)] {
            let (w, pw) = (width(ours, a), width(theirs, a));
            let (se, pse) = (width_mc_se(ours, a, 11), width_mc_se(theirs, a, 12));
            let tol = 3.0 * (se * se + pse * pse).sqrt();
            eprintln!(
                "{name}: {level} % interval width over 100 resamples {w:.3} (MC SE {se:.3}); refineR {pw:.3} \
                 (MC SE {pse:.3}); difference {:.3}, allowed {tol:.3}",
                w - pw
            );
            assert!(
                (w - pw).abs() <= tol,
                "{name} {level} %: width {w} vs refineR {pw}, allowed {tol}"
            );
        }
    }
}

/// `--percentiles` through the library's options (what `refint estimate` runs per group): the
/// limits are the fit's quantiles at those percentiles (checked against refineR's above) and the
/// bootstrap intervals the 95 % percentile intervals of the resamples' limits at the same
/// percentiles, the resamples those of the same seed (refineR's getRI reads its bootstrap fits so).
#[test]
fn other_percentiles_reach_the_limits_and_their_intervals() {
    let x = testcase(3)[..300].to_vec();
    let e = estimate_one(
        "testcase3",
        "",
        &x,
        None,
        &bootstrapped_at(Method::Refiner, (5.0, 95.0), 2, 7),
    )
    .unwrap();
    assert_eq!(e.percentiles, (5.0, 95.0));
    let f = fit_model("testcase3", &x, None, RefinerModel::BoxCox).unwrap();
    let l = &e.limits;
    assert_eq!((l.lower, l.upper), f.limits_at((0.05, 0.95)));
    assert!(l.lower > f.lower && l.upper < f.upper, "{l:?} inside {f:?}");
    let draws = resampled_limits_at(&x, None, RefinerModel::BoxCox, 2, 7, (0.05, 0.95));
    assert_intervals_of(l, draws, 2, 7);
}

#[test]
fn bad_input_is_refused_with_the_reason() {
    // too few values: the minimum is named
    let few: Vec<f64> = (1..MIN_N).map(|i| i as f64).collect();
    let e = fit_model("ALT", &few, None, RefinerModel::BoxCox)
        .unwrap_err()
        .to_string();
    assert!(e.contains("needs at least 100 values") || e.contains("100"), "{e}");
    assert!(e.contains(&format!("{}", MIN_N - 1)), "{e}");
    // all values identical
    let e = fit_model("ALT", &[7.0; 500], None, RefinerModel::BoxCox)
        .unwrap_err()
        .to_string();
    assert!(e.contains("500") && e.contains('7'), "{e}");
    // a value <= 0 reaching the fit itself is refused (the reader drops them with a count)
    let mut z: Vec<f64> = testcase(3)[..1000].to_vec();
    z[5] = 0.0;
    let e = fit_model("ALT", &z, None, RefinerModel::BoxCox)
        .unwrap_err()
        .to_string();
    assert!(e.contains("Box-Cox transformation of --method refiner"), "{e}");
    // --nboot with another method, and too many resamples
    for (method, nboot, flag) in [
        (Method::Reflim, 10, "--nboot: applies only to --method refiner"),
        (Method::Refiner, 100_001, "--nboot: at most 100000"),
    ] {
        let o = EstimateOptions {
            method,
            refiner: Some(RefinerOptions {
                nboot,
                ..Default::default()
            }),
            ..Default::default()
        };
        let e = o.validate().unwrap_err().to_string();
        assert!(e.starts_with(flag), "{e}");
    }
}

/// Writes `body` to `name` in a scratch folder of its own, named after the test `test`; the folder
/// goes when the returned path is dropped.
fn write(test: &str, name: &str, body: &str) -> dimorph_core::scratch::ScratchPath {
    let p = dimorph_core::scratch::ScratchPath::new(&format!("dimorph-refiner-test-{test}"), name).unwrap();
    std::fs::write(&p, body).unwrap();
    p
}

/// `--method refiner` with its default options on the ALT column of `path`.
fn refiner_run(
    path: &std::path::Path,
) -> Result<dimorph_report::Outcome<dimorph_refint::EstimateResult>, dimorph_refint::RefintError> {
    refiner_run_zeros(path, dimorph_refint::RefinerZeros::default())
}

#[test]
fn routine_data_zeros_dropped_and_censored_used_with_counts() {
    // testcase 3's first 2000 values, with 7 zeros, 3 negative values and 12 below '<5'
    let mut body = String::from("ALT\n");
    for (i, v) in testcase(3)[..2000].iter().enumerate() {
        let cell = match i {
            0..=6 => "0".to_string(),
            7..=9 => "-1.5".to_string(),
            10..=21 => "<5".to_string(),
            _ => v.to_string(),
        };
        body.push_str(&cell);
        body.push('\n');
    }
    let p = write("routine", "routine.csv", &body);
    let out = refiner_run(&p).unwrap();
    let r = &out.result;
    assert_eq!(r.counts.non_positive, 10);
    assert_eq!(r.counts.censored, 12);
    assert_eq!(r.counts.used, 1978);
    let s = r.skipped.join("; ");
    assert!(
        s.contains("10 values of ALT <= 0 dropped: the Box-Cox transformation of --method refiner"),
        "{s}"
    );
    assert!(
        s.contains("12 values of ALT below a detection limit (<5) used as censored by --method refiner"),
        "{s}"
    );
    let l = &r.groups[0].limits;
    assert!(l.method.starts_with("refineR (Box-Cox lambda "), "{}", l.method);
    assert!(l.method.ends_with(", 12 censored)"), "{}", l.method);
    // testcase 3's truth is [9.04, 13]: 1978 values still find it within 5 %
    assert!(
        (l.lower / 9.04 - 1.0).abs() < 0.05 && (l.upper / 13.0 - 1.0).abs() < 0.05,
        "{l:?}"
    );
    // all censored: nothing to estimate from, and why
    let p = write("routine", "censored.csv", "ALT\n<5\n<5\n< 5\n<0.5\n");
    let e = refiner_run(&p).unwrap_err().to_string();
    assert!(
        e.contains("no values left to estimate from") && e.contains("4 values of ALT below a detection limit"),
        "{e}"
    );
}

fn refiner_run_zeros(
    path: &std::path::Path,
    zeros: dimorph_refint::RefinerZeros,
) -> Result<dimorph_report::Outcome<dimorph_refint::EstimateResult>, dimorph_refint::RefintError> {
    let cf = read_coded(path, &ReadOptions::default(), &["ALT"], &[]).unwrap();
    run_estimate_coded(
        &cf,
        &EstimateRunOptions {
            value: "ALT".into(),
            estimate: EstimateOptions {
                method: Method::Refiner,
                refiner: Some(RefinerOptions {
                    zeros,
                    ..Default::default()
                }),
                ..Default::default()
            },
            ..Default::default()
        },
    )
}

#[test]
fn rounded_zeros_are_censored_below_half_the_unit_or_dropped() {
    use dimorph_refint::RefinerZeros;
    // testcase 5's first 5000 values (truth 0.25 - 4) rounded to 0.5, as a laboratory reporting to
    // 0.5 would: the values below 0.25 print as 0; and 2 negative values. The peer: refineR 2.0.0 on
    // the same 5000 values, zeros kept (it fits values >= 0) and dropped
    // (tests/peers/refiner_zeros.R, .out.csv)
    let mut body = String::from("ALT\n-0.5\n-0.5\n");
    let mut zeros = 0;
    for v in &testcase(5)[..5000] {
        let r = (v * 2.0).round() / 2.0;
        zeros += usize::from(r == 0.0);
        body.push_str(&format!("{r:.1}\n"));
    }
    let peer_fit = |name: &str| -> (f64, f64, usize) {
        let s = peer("refiner_zeros.out.csv");
        let row = s
            .lines()
            .find(|l| l.trim_start_matches('"').starts_with(&format!("{name}\",")))
            .unwrap_or_else(|| panic!("no refineR fit {name}"));
        let c: Vec<&str> = row.split(',').collect();
        (c[7].parse().unwrap(), c[8].parse().unwrap(), c[2].parse().unwrap())
    };
    let (with_zeros, without) = (peer_fit("with_zeros"), peer_fit("zeros_dropped"));
    assert_eq!(with_zeros.2, zeros, "the peer's zeros");
    let p = write("rounded_zeros", "rounded_zeros.csv", &body);
    let out = refiner_run_zeros(&p, RefinerZeros::Censored).unwrap();
    let r = &out.result;
    assert_eq!((r.counts.zeros_censored, r.counts.non_positive), (zeros, 2));
    let s = r.skipped.join("; ");
    assert!(
        s.contains(&format!(
            "{zeros} values of ALT equal to 0 read as left-censored below half the rounding unit (ALT rounded to 0.5: \
             censored below 0.25) and used as censored by --method refiner"
        )) && s.contains("2 values of ALT < 0 dropped"),
        "{s}"
    );
    assert!(
        out.warnings.iter().any(|w| w.contains("read as left-censored")),
        "{:?}",
        out.warnings
    );
    let l = &r.groups[0].limits;
    assert!(l.method.ends_with(&format!(", {zeros} censored)")), "{}", l.method);
    let censored = (l.lower, l.upper);
    // dropped, as reflimR does: the zeros count among the values <= 0
    let out = refiner_run_zeros(&p, RefinerZeros::Drop).unwrap();
    let r = &out.result;
    assert_eq!((r.counts.zeros_censored, r.counts.non_positive), (0, zeros + 2));
    let s = r.skipped.join("; ");
    assert!(s.contains(&format!("{} values of ALT <= 0 dropped", zeros + 2)), "{s}");
    let l = &r.groups[0].limits;
    let dropped = (l.lower, l.upper);
    eprintln!(
        "truth 0.25 - 4; zeros censored {censored:?} (refineR, zeros kept: {:?}), dropped {dropped:?} (refineR: {:?})",
        (with_zeros.0, with_zeros.1),
        (without.0, without.1)
    );
    // censored below half the unit = refineR keeping its zeros, within 1 % (observed 0.06 %)
    assert!(
        rel(censored.0, with_zeros.0).abs() <= 0.01 && rel(censored.1, with_zeros.1).abs() <= 0.01,
        "{censored:?} vs refineR {with_zeros:?}"
    );
    // dropping them biases both programs' limits low (ours -30 % / -21 %, refineR's -34 % / -21 %)
    for (lo, up) in [dropped, (without.0, without.1)] {
        assert!(rel(lo, 0.25) < -0.15 && rel(up, 4.0) < -0.15, "dropped: {lo} - {up}");
    }
}
