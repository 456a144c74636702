//! Issue 15, item 1: values below a detection limit (`<12.7`) used as censored by `--method
//! refiner` and `--method kosmic` instead of being set aside, on seeded log-normal data with a known
//! truth (meanlog 3, sdlog 0.35, n = 20000; the lowest ~10 % censored at 12.7), written with the
//! peer `tests/peers/censored.R`: the censored likelihood written from its definition (observed
//! densities times the CDF at the limit for each censored value) and maximised with R's optim; its
//! fits (all values, censored, set aside) are in `tests/peers/censored.out.csv`.
//!
//! Tolerance. refiner and kosmic are not maximum-likelihood estimators of all values (they fit a
//! central part). Asserted for both: with the censored values used, the limits are within 2 % of
//! the same method's limits on all (uncensored) values. For refiner also: within 2.5 % of R's
//! censored ML and of the truth (at n = 20000 the sampling SD of a limit is about 1 %). Setting
//! the censored values aside: R's set-aside ML is biased (+28 % on the lower limit), and so is
//! refineR 2.0.0 itself (+3.7 % lower, −5.5 % upper against the truth; its fits on all values and
//! on the observed ones alone in `tests/peers/censored_refiner.out.csv`, written by
//! `tests/peers/censored_refiner.R`): refiner's default Box–Cox fit (refineR's histogram and cost,
//! `refiner_hist`) equals refineR's there within 1 % (asserted, all values too), so using the
//! censored values removes a bias refineR has (asserted: the censored fit's largest bias is below
//! the set-aside one's). Until session 10 the set-aside fit seemed unbiased (−0.68 % / +0.83 %,
//! then asserted within 2.5 % of the truth): an empty sum of f64 is −0, and r₈₀'s x/−0 = −∞ had
//! floored its regularisation wherever every central bin was judged, unlike refineR's x/0 = +∞;
//! with that fixed the limits are refineR's. The quantile cost (`refiner::fit`, used by
//! `--model modboxcox`) is biased by more than +10 % on the lower limit (+33 % here, asserted).
//! kosmic's own truncation (t1 from the 5 % point up) ignores the lowest
//! values anyway: on these data it is +4.5 % / −7.7 % from the truth on all values, and censoring
//! changes it by less than 0.5 % (printed, not asserted against the truth).

use dimorph_data::{read_coded, ReadOptions};
use dimorph_refint::estimate::kosmic;
use dimorph_refint::estimate::refiner;
use dimorph_refint::estimate::refiner_modbc::fit_model;
use dimorph_refint::grouped::Censored;
use dimorph_refint::{run_estimate_coded, EstimateOptions, EstimateRunOptions, Method, RefinerModel};

fn peer_path(name: &str) -> String {
    format!("{}/tests/peers/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn peer(name: &str) -> String {
    let p = peer_path(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// R's fit `name`: (n observed, n censored, limit, lambda, mu, sigma, lower, upper).
fn r_fit(name: &str) -> Vec<f64> {
    let s = peer("censored.out.csv");
    let row = s
        .lines()
        .find(|l| l.trim_start_matches('"').starts_with(&format!("{name}\",")))
        .unwrap_or_else(|| panic!("no fit {name}"));
    row.split(',').skip(1).take(8).map(|v| v.parse().unwrap()).collect()
}

/// refineR 2.0.0's limits on the values of fit `name` (full, set_aside): (lower, upper).
fn refiner_r(name: &str) -> (f64, f64) {
    let s = peer("censored_refiner.out.csv");
    let row = s
        .lines()
        .find(|l| l.trim_start_matches('"').starts_with(&format!("{name}\",")))
        .unwrap_or_else(|| panic!("no refineR fit {name}"));
    let v: Vec<f64> = row.split(',').skip(7).take(2).map(|v| v.parse().unwrap()).collect();
    (v[0], v[1])
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b) / b
}

fn full_values() -> Vec<f64> {
    peer("censored_data/lognormal_full.csv")
        .lines()
        .skip(1)
        .map(|l| l.parse().unwrap())
        .collect()
}

/// The limits of `method` on the censored file through `run_estimate_coded`, with the counts.
fn run(method: Method) -> (f64, f64, usize, usize, Vec<String>, String) {
    let path = std::path::PathBuf::from(peer_path("censored_data/lognormal.csv"));
    let cf = read_coded(&path, &ReadOptions::default(), &["value"], &[]).unwrap();
    let out = run_estimate_coded(
        &cf,
        &EstimateRunOptions {
            value: "value".into(),
            estimate: EstimateOptions {
                method,
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .unwrap();
    let r = out.result;
    let l = &r.groups[0].limits;
    (
        l.lower,
        l.upper,
        r.counts.censored,
        r.counts.used,
        r.skipped.clone(),
        l.method.clone(),
    )
}

#[test]
fn censored_values_enter_the_fit_and_remove_the_set_aside_bias() {
    let truth = r_fit("truth");
    let ml_c = r_fit("censored");
    let ml_full = r_fit("full");
    let ml_aside = r_fit("set_aside");
    let (nc, limit) = (ml_c[1] as usize, ml_c[2]);
    let x = full_values();
    let observed: Vec<f64> = x.iter().copied().filter(|v| *v >= limit).collect();
    assert_eq!(observed.len() + nc, x.len());
    let cens = Some(Censored { n: nc, limit });
    eprintln!(
        "truth {:.3} – {:.3}; R ML all values {:.3} – {:.3}, censored {:.3} – {:.3}, set aside {:.3} – {:.3}",
        truth[6], truth[7], ml_full[6], ml_full[7], ml_c[6], ml_c[7], ml_aside[6], ml_aside[7]
    );
    for method in [Method::Refiner, Method::Kosmic] {
        // the CLI path: '<12.7' cells read, counted and used as censored
        let (lo, hi, counted, used, skipped, name) = run(method);
        assert_eq!((counted, used), (nc, observed.len()));
        let s = skipped.join("; ");
        assert!(
            s.contains(&format!(
                "{nc} values of value below a detection limit (<12.7) used as censored by --method {}",
                method.flag()
            )),
            "{s}"
        );
        assert!(name.contains(&format!("{nc} censored")), "{name}");
        // the same fit without censored values: all values, and the observed ones alone
        let (full, aside) = match method {
            Method::Refiner => {
                let fit = |v: &[f64], c| fit_model("x", v, c, RefinerModel::BoxCox).unwrap();
                let (f, a, c) = (fit(&x, None), fit(&observed, None), fit(&observed, cens));
                assert_eq!((c.lower, c.upper), (lo, hi), "the library call equals the run");
                // the quantile cost (refiner::fit) with the censored values set aside is biased
                let q = refiner::fit("x", &observed).unwrap();
                eprintln!(
                    "  the quantile cost, set aside: {:.3} – {:.3}, bias vs truth {:+.2} {:+.2} %",
                    q.lower,
                    q.upper,
                    100.0 * rel(q.lower, truth[6]),
                    100.0 * rel(q.upper, truth[7])
                );
                assert!(
                    rel(q.lower, truth[6]) > 0.10,
                    "quantile cost set aside: lower {}",
                    q.lower
                );
                ((f.lower, f.upper), (a.lower, a.upper))
            }
            _ => {
                let (f, _) = kosmic::fit("x", &x, None, None).unwrap();
                let (a, _) = kosmic::fit("x", &observed, None, None).unwrap();
                ((f.lower, f.upper), (a.lower, a.upper))
            }
        };
        eprintln!(
            "{}: censored {lo:.3} – {hi:.3}; all values {:.3} – {:.3}; set aside {:.3} – {:.3}",
            method.flag(),
            full.0,
            full.1,
            aside.0,
            aside.1
        );
        eprintln!(
            "  bias vs truth (lower, upper) %: censored {:+.2} {:+.2}; all values {:+.2} {:+.2}; set aside {:+.2} {:+.2}; \
             vs R censored ML {:+.2} {:+.2}",
            100.0 * rel(lo, truth[6]),
            100.0 * rel(hi, truth[7]),
            100.0 * rel(full.0, truth[6]),
            100.0 * rel(full.1, truth[7]),
            100.0 * rel(aside.0, truth[6]),
            100.0 * rel(aside.1, truth[7]),
            100.0 * rel(lo, ml_c[6]),
            100.0 * rel(hi, ml_c[7])
        );
        // censored = as if all values had been observed, for both methods
        assert!(rel(lo, full.0).abs() <= 0.02 && rel(hi, full.1).abs() <= 0.02);
        if method == Method::Refiner {
            assert!(rel(lo, ml_c[6]).abs() <= 0.025 && rel(hi, ml_c[7]).abs() <= 0.025);
            assert!(rel(lo, truth[6]).abs() <= 0.025 && rel(hi, truth[7]).abs() <= 0.025);
            // refineR's cost: all values and the observed ones alone (the censored values set
            // aside) as refineR 2.0.0 fits them, within 1 %; set aside, both are biased, and the
            // censored fit removes the bias
            let (rf_full, rf_aside) = (refiner_r("full"), refiner_r("set_aside"));
            for (ours, theirs, what) in [(full, rf_full, "all values"), (aside, rf_aside, "set aside")] {
                assert!(
                    rel(ours.0, theirs.0).abs() <= 0.01 && rel(ours.1, theirs.1).abs() <= 0.01,
                    "{what}: {ours:?} vs refineR {theirs:?}"
                );
            }
            let worst = |l: (f64, f64)| rel(l.0, truth[6]).abs().max(rel(l.1, truth[7]).abs());
            assert!(
                worst((lo, hi)) < worst(aside),
                "censored {lo} – {hi}, set aside {aside:?}"
            );
        }
    }
    // R's own fits: censored ML is the full ML's, set aside is biased
    assert!(rel(ml_c[6], ml_full[6]).abs() < 0.005 && rel(ml_c[7], ml_full[7]).abs() < 0.005);
    assert!(rel(ml_aside[6], truth[6]) > 0.2);
}
