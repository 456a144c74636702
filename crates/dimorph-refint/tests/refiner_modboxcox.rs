//! Issue 15: `--method refiner --model modboxcox` (refineR's modified Box–Cox with a shift)
//! against refineR 2.0.0's `findRI(model = "modBoxCox")`, run once by
//! `tests/peers/refiner_modboxcox.R` on refineR's five test cases and three seeded skewed sets
//! (data in `tests/peers/refiner_data/` and `tests/peers/refiner_modboxcox_data/`, outputs in
//! `tests/peers/refiner_modboxcox.out.csv`).
//!
//! Tolerance (see `assert_against_peer`): ours is written from the paper and refineR's source is
//! read, not run: its density-based search regions, overlapping histogram and relaxation factors
//! are not reproduced, so the fitted (λ, μ, σ, s) are not refineR's — λ and s trade against
//! each other along a ridge of nearly equal cost (a shift moves the support, a larger λ does
//! the same in shape), and both grid searches stop on different points of it. The limits, which
//! the ridge leaves nearly unchanged, are compared.

use dimorph_refint::estimate::refiner::{cost_at_shift, fit_sorted_shifted, quantile, RefinerFit};
use dimorph_refint::estimate::refiner_modbc::{fit_model, lower_end, shift_factor, SHIFT_STEPS};
use dimorph_refint::stats::sorted;
use dimorph_refint::RefinerModel;

fn peer_file(name: &str) -> String {
    let p = format!("{}/tests/peers/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

fn data(case: &str) -> Vec<f64> {
    let f = if case.starts_with("gen") {
        format!("refiner_modboxcox_data/{case}.csv")
    } else {
        format!("refiner_data/{case}.csv")
    };
    peer_file(&f)
        .lines()
        .skip(1)
        .map(|l| l.trim().parse::<f64>().expect("a number"))
        .filter(|v| *v > 0.0)
        .collect()
}

/// One row of refineR's output.
#[derive(Debug)]
struct Peer {
    case: String,
    model: String,
    truth: [f64; 2],
    limits: [f64; 2],
    lambda: f64,
    mu: f64,
    sigma: f64,
    shift: f64,
    p: f64,
    cost: f64,
}

fn peers() -> Vec<Peer> {
    let s = peer_file("refiner_modboxcox.out.csv");
    s.lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').map(|x| x.trim_matches('"')).collect();
            let f = |i: usize| c[i].parse::<f64>().expect("a number");
            Peer {
                case: c[0].into(),
                model: c[1].into(),
                truth: [f(3), f(4)],
                limits: [f(5), f(6)],
                lambda: f(7),
                mu: f(8),
                sigma: f(9),
                shift: f(10),
                p: f(11),
                cost: f(12),
            }
        })
        .collect()
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b) / b
}

#[test]
fn the_model_gives_refiners_limits_from_refiners_parameters() {
    // refineR's limits are cdfTruncatedBoxCox of its (λ, μ, σ, s): the module's equations give
    // them from the same parameters to rounding (1e-9 relative; the CSV holds 15 digits)
    for p in peers() {
        for (i, q) in [0.025, 0.975].into_iter().enumerate() {
            let ours = p.shift + quantile(q, p.lambda, p.mu, p.sigma);
            assert!(
                rel(ours, p.limits[i]).abs() < 1e-9,
                "{} {}: {ours} vs refineR {}",
                p.case,
                p.model,
                p.limits[i]
            );
        }
    }
}

#[test]
fn the_shift_search_follows_refiners_schedule() {
    assert_eq!(SHIFT_STEPS, 6);
    let f: Vec<f64> = (2..=6).map(shift_factor).collect();
    for (a, b) in f.iter().zip([1.0, 0.8, 0.6, 0.6, 0.6]) {
        assert!((a - b).abs() < 1e-12, "{f:?}");
    }
    // the lower end is the fit's −5σ point on its shifted scale, None below the transform's range
    let x = sorted(&data("testcase3"));
    let f = fit_sorted_shifted(&x, None, 0.0).unwrap();
    let end = lower_end(&f).unwrap();
    let want = dimorph_refint::estimate::refiner::inv_box_cox(f.mu - 5.0 * f.sigma, f.lambda);
    assert_eq!(end, want);
    let g = RefinerFit {
        lambda: 1.0,
        mu: 1.0,
        sigma: 1.0,
        ..f
    };
    assert_eq!(lower_end(&g), None, "λ(μ − 5σ) + 1 = −3 < 0");
}

#[test]
fn modboxcox_limits_agree_with_refiners() {
    let (mut worst_tc, mut worst_gen) = (0.0f64, 0.0f64);
    let (mut bias_ours, mut bias_peer, mut bias_boxcox) = (0.0, 0.0, 0.0);
    let rows: Vec<Peer> = peers().into_iter().filter(|p| p.model == "modBoxCox").collect();
    assert_eq!(rows.len(), 8, "five test cases and three generated sets");
    for p in &rows {
        let x = data(&p.case);
        let f = fit_model(&p.case, &x, None, RefinerModel::ModBoxCox).unwrap();
        let b = fit_model(&p.case, &x, None, RefinerModel::BoxCox).unwrap();
        assert_eq!(f.model, RefinerModel::ModBoxCox);
        // the unshifted fit under the same (quantile) cost is one of the candidates: the modified
        // model never costs more (the default Box–Cox fit `b` uses refineR's cost, another scale)
        let q = fit_sorted_shifted(&sorted(&x), None, 0.0).unwrap();
        assert!(f.cost <= q.cost, "{}: {} > {}", p.case, f.cost, q.cost);
        // refineR's point under our cost: our search finds one at least as good (the two costs
        // differ in scale and regularisation, so refineR's own cost is not comparable)
        let xs = sorted(&x);
        let theirs = cost_at_shift(&xs, p.shift, p.lambda, p.mu, p.sigma, p.p);
        if let Some((c, _)) = theirs {
            assert!(f.cost <= c + 1e-9, "{}: ours {} vs refineR's point {c}", p.case, f.cost);
        }
        eprintln!(
            "{}: ours shift {:.4} lambda {:.3} mu {:.4} sigma {:.4} P {:.3} cost {:.3} | refineR shift {:.4} lambda \
             {:.3} mu {:.4} sigma {:.4} P {:.3} (cost {:.3}; under ours {})",
            p.case,
            f.shift,
            f.lambda,
            f.mu,
            f.sigma,
            f.p,
            f.cost,
            p.shift,
            p.lambda,
            p.mu,
            p.sigma,
            p.p,
            p.cost,
            theirs.map_or("refused".into(), |(c, _)| format!("{c:.3}"))
        );
        for (i, (ours, theirs)) in [(f.lower, p.limits[0]), (f.upper, p.limits[1])].into_iter().enumerate() {
            let (d, t) = (rel(ours, theirs).abs(), p.truth[i]);
            eprintln!(
                "  {}: truth {t:.4}, refineR {theirs:.4}, ours {ours:.4} ({:+.2} %), bias ours {:+.2} %, refineR \
                 {:+.2} %, ours boxcox {:+.2} %",
                ["lower", "upper"][i],
                100.0 * rel(ours, theirs),
                100.0 * rel(ours, t),
                100.0 * rel(theirs, t),
                100.0 * rel([b.lower, b.upper][i], t)
            );
            if p.case.starts_with("gen") {
                worst_gen = worst_gen.max(rel(ours, t).abs());
            } else {
                worst_tc = worst_tc.max(d);
            }
            bias_ours += rel(ours, t).abs() / 16.0;
            bias_peer += rel(theirs, t).abs() / 16.0;
            bias_boxcox += rel([b.lower, b.upper][i], t).abs() / 16.0;
        }
    }
    eprintln!(
        "mean |bias| against truth: ours modboxcox {:.2} %, refineR modBoxCox {:.2} %, ours boxcox {:.2} %; test \
         cases: worst difference to refineR {:.2} %; generated sets: worst |bias| of ours {:.2} %",
        100.0 * bias_ours,
        100.0 * bias_peer,
        100.0 * bias_boxcox,
        100.0 * worst_tc,
        100.0 * worst_gen
    );
    // refineR's test cases: every limit within 3 % of refineR's (observed at most 2.7 %)
    assert!(worst_tc <= 0.03, "test cases: worst difference to refineR {worst_tc}");
    // the generated sets, where refineR's fits miss the design's truth by up to 27 % (its
    // search regions settle on the pathological values; ours within 0.7 %): ours within 2 % of
    // the truth, and the mean |bias| over all 16 limits not above refineR's
    assert!(worst_gen <= 0.02, "generated sets: worst |bias| {worst_gen}");
    assert!(bias_ours <= bias_peer, "ours {bias_ours} vs refineR {bias_peer}");
}

#[test]
fn a_shifted_distribution_is_found_shifted() {
    // gen1: non-pathological 100 + invBoxCox(N(4.73, 0.39), 0.061) (RIbench's LDH): the shift
    // found is near the design's 100 and moves both limits to the truth (within 1 %). Box–Cox
    // without a shift: the quantile cost's fit is off by more than 5 % (−1.9/−8.0 %); the default
    // (refineR's cost) is off by less (−2.6 % on the upper limit) but still more than the
    // modified model
    let x = data("gen1");
    let f = fit_model("gen1", &x, None, RefinerModel::ModBoxCox).unwrap();
    let b = fit_model("gen1", &x, None, RefinerModel::BoxCox).unwrap();
    let truth = peers().into_iter().find(|p| p.case == "gen1").unwrap().truth;
    assert!((80.0..=110.0).contains(&f.shift), "shift {}", f.shift);
    assert!(
        rel(f.lower, truth[0]).abs() < 0.01 && rel(f.upper, truth[1]).abs() < 0.01,
        "{f:?}"
    );
    let q = fit_sorted_shifted(&sorted(&x), None, 0.0).unwrap();
    eprintln!(
        "gen1 upper vs truth: modified {:+.2} %, Box–Cox (refineR's cost) {:+.2} %, Box–Cox (quantile cost) {:+.2} %",
        100.0 * rel(f.upper, truth[1]),
        100.0 * rel(b.upper, truth[1]),
        100.0 * rel(q.upper, truth[1])
    );
    assert!(
        rel(q.upper, truth[1]).abs() > 0.05,
        "the quantile cost's Box–Cox is off here: {q:?}"
    );
    assert!(
        rel(b.upper, truth[1]).abs() > rel(f.upper, truth[1]).abs(),
        "Box–Cox {b:?} vs the modified model {f:?}"
    );
    assert_eq!(b.shift, 0.0);
    assert_eq!(b.model, RefinerModel::BoxCox);
}
