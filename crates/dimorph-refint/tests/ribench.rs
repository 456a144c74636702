//! Bias against known truth on a subset of RIbench (Ammer et al., Clin Chem 2022;
//! doi:10.1093/clinchem/hvac142).
//!
//! RIbench is GPL-3, so its simulated sets are not shipped; tests/fixtures/ribench_subset.csv
//! holds the parameters of 20 of its 5,760 test sets (10 analytes × pathological fractions 0.1
//! and 0.3; N = 5000, scenario Sc1, low overlap on both sides) with their true limits GT_LRL and
//! GT_URL, and [`generate`] draws each set with our own seeded generator following RIbench's
//! design: non-pathological values invBoxCox(N(μ, σ), λ) + shift (values < 0 redrawn),
//! N·(1 − fraction − background) of them; a uniform background on [bg_min, bg_max]; left and
//! right pathological normals (values < 0 redrawn; no left one for CRP) sharing the fraction in
//! the ratio left_ratio : right_ratio; all rounded to the set's decimals. The values are not
//! RIbench's own draws (its R seeds are not reproduced), so the truth is the design's.
//!
//! The peers ran on the very same values (bench/refint_ribench.sh writes the sets with this
//! test's `write_sets`, runs reflimR 1.1.0 and refineR 2.0.0 on them and stores their limits in
//! tests/fixtures/ribench_peers.csv). The bounds: dimorph's reflim is reflimR's method and its
//! mean absolute % error may not exceed reflimR's on the same sets by more than 1 % of it (they
//! differ slightly on some sets: 80.63 vs 80.55 % in the run of bench/refint_ribench.sh, an open
//! finding); the refineR-style method's may not exceed refineR's by more than 8 % (observed
//! 12.40 vs 11.53 % with the quantile cost, 7.67 % with refineR's cost, the default since session 9,
//! 11.78 % since session 10, whose CRP fits are right and so score worse at 97.5 % against CRP's
//! P95 truth; the goal is "at least as low as refineR's", reported by the benchmark). CRP's
//! upper limit (truth 5 mg/L) dominates both means.

use dimorph_core::rng::Rng;
use dimorph_refint::estimate::group::{estimate_one, estimate_one_censored};
use dimorph_refint::estimate::kosmic;
use dimorph_refint::estimate::refiner::quantile;
use dimorph_refint::estimate::refiner_modbc::fit_model;
use dimorph_refint::estimate::refiner_zeros::censor_rounded_zeros;
use dimorph_refint::grouped::Censored;
use dimorph_refint::{EstimateOptions, KosmicOptions, Method, RefinerModel, RefinerOptions, RefinerZeros};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

/// One subset of RIbench: its parameters, the peers' limits on it and the seed base of its draws.
#[derive(Clone, Copy)]
struct Subset {
    params: &'static str,
    peers: &'static str,
    seed: u64,
}

/// The subset the method was developed on (20 sets, Sc1, low overlap).
const FIRST: Subset = Subset {
    params: concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ribench_subset.csv"),
    peers: concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ribench_peers.csv"),
    seed: 20_221_000,
};

/// The held-out subset: 24 other sets drawn (Python's random, seed 20261126) from RIbench's
/// parameter table, two per analyte at N = 1000 and 5000 plus four at random, any scenario,
/// overlap and pathological fraction, not looked at while the method was changed.
const HELDOUT: Subset = Subset {
    params: concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ribench_heldout.csv"),
    peers: concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ribench_heldout_peers.csv"),
    seed: 20_261_126_000,
};

/// The third subset, the final check nobody tuned on: 40 sets drawn (Python's random, seed
/// 20261127, tests/fixtures/ribench_third_draw.py) from RIbench's parameter table, none of them in
/// the first two subsets: each analyte once at each of RIbench's N (1000, 5000, 50000, 500000),
/// each pathological fraction (0 to 0.6) five times, Sc1 and Sc2 twenty times each, overlaps at
/// random. Its seed base keeps its draws apart from the held-out subset's seeds.
const THIRD: Subset = Subset {
    params: concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ribench_third.csv"),
    peers: concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ribench_third_peers.csv"),
    seed: 20_261_127_000_000,
};

/// The fourth subset, drawn in session 11 because the third had been looked at twice: 40 sets
/// drawn as the third was (tests/fixtures/ribench_fourth_draw.py, Python's random, seed 20261128),
/// none of them in the three earlier subsets. Its seed base keeps its draws apart from the others.
const FOURTH: Subset = Subset {
    params: concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ribench_fourth.csv"),
    peers: concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ribench_fourth_peers.csv"),
    seed: 20_261_128_000_000,
};

/// One RIbench test set's parameters.
struct Spec {
    index: u64,
    analyte: String,
    f: HashMap<String, f64>,
    seed: u64,
}

impl Spec {
    fn get(&self, k: &str) -> f64 {
        self.f[k]
    }
    /// The true limits (the lower one is not defined for CRP).
    fn truth(&self) -> (Option<f64>, f64) {
        let l = self.get("GT_LRL");
        (l.is_finite().then_some(l), self.get("GT_URL"))
    }
}

fn specs(sub: Subset) -> Vec<Spec> {
    let text = std::fs::read_to_string(sub.params).expect(sub.params);
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().expect("header").split(',').collect();
    lines
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            let f = head
                .iter()
                .zip(&cells)
                .map(|(h, c)| (h.to_string(), c.parse::<f64>().unwrap_or(f64::NAN)))
                .collect();
            Spec {
                index: cells[0].parse().expect("Index"),
                analyte: cells[1].to_string(),
                f,
                seed: sub.seed,
            }
        })
        .collect()
}

fn inv_box_cox(x: f64, lambda: f64) -> f64 {
    if lambda.abs() < 1e-20 {
        x.exp()
    } else {
        (lambda * x + 1.0).powf(1.0 / lambda)
    }
}

/// `count` draws of `draw` that are finite and ≥ 0.
fn nonnegative(rng: &mut Rng, count: usize, draw: impl Fn(&mut Rng) -> f64) -> Vec<f64> {
    let mut v = Vec::with_capacity(count);
    let mut tries = 0usize;
    while v.len() < count && tries < 1000 * count.max(1) {
        let x = draw(rng);
        tries += 1;
        if x.is_finite() && x >= 0.0 {
            v.push(x);
        }
    }
    v
}

/// The set's values as printed (rounded to its decimals) — what the peers read.
fn generate(s: &Spec) -> Vec<String> {
    let mut rng = Rng::new(s.seed + s.index);
    let n = s.get("N");
    let fp = s.get("fractionPathol");
    let bg = s.get("bg_fraction");
    let count = |x: f64| (x + 1e-9).floor() as usize;
    let (lam, mu, sd, shift) = (
        s.get("nonp_lambda"),
        s.get("nonp_mu"),
        s.get("nonp_sigma"),
        s.get("nonp_shift"),
    );
    let mut v = nonnegative(&mut rng, count(n * (1.0 - fp - bg)), |r| {
        inv_box_cox(mu + sd * r.normal(), lam) + shift
    });
    let (b0, b1) = (s.get("bg_min"), s.get("bg_max"));
    v.extend((0..count(n * bg)).map(|_| rng.range(b0, b1)));
    let ratio = s.get("ratio_sum");
    if s.analyte != "CRP" {
        let (m, sd) = (s.get("left_mu"), s.get("left_sigma"));
        let k = count(n * fp * s.get("left_ratio") / ratio);
        v.extend(nonnegative(&mut rng, k, |r| m + sd * r.normal()));
    }
    let (m, sd) = (s.get("right_mu"), s.get("right_sigma"));
    let k = count(n * fp * s.get("right_ratio") / ratio);
    v.extend(nonnegative(&mut rng, k, |r| m + sd * r.normal()));
    rng.shuffle(&mut v);
    let d = s.get("decimals") as usize;
    v.iter().map(|x| format!("{x:.d$}")).collect()
}

/// The set's values as the peers read them ([`generate`], parsed), generated once per test process:
/// each set of the first three subsets is read six or seven times by six tests (the generator's,
/// reflim's, the refiner's defaults, `--zeros drop`, the two costs and kosmic, which reads it twice;
/// the first subset's also by modboxcox's), and the 40 sets of the third hold 5.56 million values,
/// so each set is kept (about 90 MB for all four subsets) instead of drawn again.
fn values(s: &Spec) -> &'static [f64] {
    type Cell = &'static OnceLock<Vec<f64>>;
    static DONE: Mutex<Vec<((u64, u64), Cell)>> = Mutex::new(Vec::new());
    let key = (s.seed, s.index);
    let cell: Cell = {
        let mut done = DONE.lock().unwrap_or_else(PoisonError::into_inner);
        match done.iter().find(|(k, _)| *k == key) {
            Some((_, cell)) => cell,
            None => {
                let cell: Cell = Box::leak(Box::default());
                done.push((key, cell));
                cell
            }
        }
    };
    cell.get_or_init(|| generate(s).iter().map(|t| t.parse().expect("number")).collect())
}

/// The refiner's 95 % quantile (its fit's, shifted back under the modified Box–Cox model): RIbench
/// scores CRP's upper limit at the 95th percentile (its GT_URL, 5 mg/L, is the P95 of the design,
/// exp(μ + 1.645σ); RIbench's computeRIsAll asks for RIperc = 0.95 for CRP).
fn refiner_p95(what: &str, x: &[f64], cens: Option<Censored>, model: RefinerModel) -> Option<f64> {
    let f = fit_model(what, x, cens, model).ok()?;
    Some(f.shift + quantile(0.95, f.lambda, f.mu, f.sigma))
}

/// Absolute % errors of the defined limits against the truth.
fn errors(s: &Spec, lower: f64, upper: f64) -> Vec<f64> {
    let (tl, tu) = s.truth();
    let mut e = vec![100.0 * (upper - tu).abs() / tu];
    if let Some(tl) = tl.filter(|t| *t > 0.0) {
        e.push(100.0 * (lower - tl).abs() / tl);
    }
    e
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// Mean absolute % error of a method over the subset (a set the method cannot estimate counts
/// as missing and is reported).
fn ours(sub: Subset, method: Method) -> (f64, usize, Vec<(u64, f64, f64)>) {
    ours_with(
        sub,
        EstimateOptions {
            method,
            ..Default::default()
        },
        false,
    )
}

/// As [`ours`], with the estimation options `o`; with `crp95` CRP's upper limit is the refiner's
/// 95 % quantile, as RIbench scores it.
fn ours_with(sub: Subset, o: EstimateOptions, crp95: bool) -> (f64, usize, Vec<(u64, f64, f64)>) {
    let method = o.method;
    let (mut all, mut failed, mut limits) = (Vec::new(), 0, Vec::new());
    for (s, e) in specs(sub).iter().zip(estimates(sub, o)) {
        match e {
            Ok(e) => {
                let upper = if crp95 && s.analyte == "CRP" {
                    e.p95.expect("the refiner's fit (CRP's 95 % quantile)")
                } else {
                    e.upper
                };
                if std::env::var_os("RIBENCH_VERBOSE").is_some() {
                    let (tl, tu) = s.truth();
                    eprintln!(
                        "{} {:5} upper {:+7.2} % lower {:+7.2} %  {}",
                        s.index,
                        s.analyte,
                        100.0 * (upper - tu) / tu,
                        tl.map_or(f64::NAN, |t| 100.0 * (e.lower - t) / t),
                        e.method
                    );
                }
                all.extend(errors(s, e.lower, upper));
                limits.push((s.index, e.lower, upper));
            }
            Err(e) => {
                eprintln!("{} set {}: {e}", method.name(), s.index);
                failed += 1;
            }
        }
    }
    (mean(&all), failed, limits)
}

/// One set's estimate: its limits, the method's description and, for the refiner on CRP, the
/// refiner's 95 % quantile (RIbench's upper limit for CRP; `None` where its fit failed).
struct SetEstimate {
    lower: f64,
    upper: f64,
    method: String,
    p95: Option<f64>,
}

/// The estimates of every set of `sub` under the options `o`, computed once per test process for
/// each subset and options: several tests score the same fits (the refiner's defaults on the first
/// three subsets are scored by three tests each, with CRP's upper limit at 97.5 or 95 %). The sets
/// are spread over the machine's threads.
fn estimates(sub: Subset, o: EstimateOptions) -> &'static [Result<SetEstimate, String>] {
    type Cell = &'static OnceLock<Vec<Result<SetEstimate, String>>>;
    static DONE: Mutex<Vec<(&str, EstimateOptions, Cell)>> = Mutex::new(Vec::new());
    // `refiner: None` is the refiner's defaults (the estimate reads it with unwrap_or_default)
    let mut o = o;
    if o.method == Method::Refiner {
        o.refiner = Some(o.refiner.unwrap_or_default());
    }
    let cell: Cell = {
        let mut done = DONE.lock().unwrap_or_else(PoisonError::into_inner);
        match done.iter().find(|(p, k, _)| *p == sub.params && *k == o) {
            Some((_, _, cell)) => cell,
            None => {
                let cell: Cell = Box::leak(Box::default());
                done.push((sub.params, o, cell));
                cell
            }
        }
    };
    cell.get_or_init(|| parallel(&specs(sub), |s| estimate_set(s, &o)))
}

/// One set's estimate under the options `o`, from its values as the CLI reads them ([`prepared`]).
fn estimate_set(s: &Spec, o: &EstimateOptions) -> Result<SetEstimate, String> {
    let (x, cens) = prepared(s, o);
    let what = format!("RIbench set {}", s.index);
    let e = estimate_one_censored(&what, "", &x, cens, None, o).map_err(|e| e.to_string())?;
    // the fallback remark is there exactly where refineR's cost found no candidate
    let fell_back = e.limits.remarks.iter().any(|r| r.contains("found no candidate"));
    if fell_back {
        let mut sx = x.clone();
        sx.sort_by(f64::total_cmp);
        let peak = dimorph_refint::estimate::refiner_hist::fit_sorted_shifted_with(
            &sx,
            cens,
            0.0,
            dimorph_refint::estimate::refiner_hist::Cost::PeakHist,
        );
        assert!(peak.is_none(), "set {}: remark without a fallback", s.index);
        eprintln!("{what}: {}", e.limits.remarks.join("; "));
    }
    let p95 = if o.method == Method::Refiner && s.analyte == "CRP" {
        refiner_p95(&what, &x, cens, o.refiner.unwrap_or_default().model)
    } else {
        None
    };
    Ok(SetEstimate {
        lower: e.limits.lower,
        upper: e.limits.upper,
        method: e.limits.method,
        p95,
    })
}

/// `f` of every set, in the sets' order, spread over the machine's threads (the sets are
/// independent; the 500,000-value ones dominate). A panic in `f` is the caller's.
fn parallel<T: Send>(specs: &[Spec], f: impl Fn(&Spec) -> T + Sync) -> Vec<T> {
    let next = AtomicUsize::new(0);
    let threads = dimorph_core::threads::available();
    let mut done: Vec<(usize, T)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        let Some(s) = specs.get(k) else { break mine };
                        mine.push((k, f(s)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    done.sort_by_key(|(k, _)| *k);
    done.into_iter().map(|(_, t)| t).collect()
}

/// The values a method estimates from, as the CLI reads them: values of 0 (rounded) dropped, as
/// for the log-scale methods, or for the refiner with `--zeros censored` (its default) read as
/// censored below half the rounding unit (`estimate::refiner_zeros::zeros_used`).
fn prepared(s: &Spec, o: &EstimateOptions) -> (Vec<f64>, Option<Censored>) {
    let all = values(s);
    let mut x: Vec<f64> = all.iter().copied().filter(|v| *v > 0.0).collect();
    let zeros = all.len() - x.len();
    let refiner = o.refiner.unwrap_or_default();
    if o.method == Method::Refiner && refiner.zeros == RefinerZeros::Censored {
        if let Some((c, _)) = censor_rounded_zeros(&mut x, zeros, None) {
            return (x, Some(c));
        }
    }
    (x, None)
}

/// The peers' mean absolute % error on the same sets (from the benchmark run).
fn peer(sub: Subset, method: &str) -> Option<f64> {
    peer_scored(sub, method, false)
}

/// As [`peer`]; with `crp95` CRP's upper limit is the peer's 95 % quantile (column upper95).
fn peer_scored(sub: Subset, method: &str, crp95: bool) -> Option<f64> {
    let text = std::fs::read_to_string(sub.peers).ok()?;
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next()?.split(',').collect();
    let col = |n: &str| head.iter().position(|h| h.trim_matches('"') == n);
    let (ci, cm, cl, cu) = (col("index")?, col("method")?, col("lower")?, col("upper")?);
    let specs = specs(sub);
    let mut all = Vec::new();
    for l in lines {
        let c: Vec<&str> = l.split(',').map(|x| x.trim_matches('"')).collect();
        if c[cm] != method {
            continue;
        }
        let s = specs.iter().find(|s| s.index.to_string() == c[ci])?;
        let cu = if crp95 && s.analyte == "CRP" {
            col("upper95")?
        } else {
            cu
        };
        let (lo, up) = (c[cl].parse::<f64>().ok()?, c[cu].parse::<f64>().ok()?);
        all.extend(errors(s, lo, up));
    }
    (!all.is_empty()).then(|| mean(&all))
}

#[test]
fn the_generator_follows_the_design() {
    for s in specs(FIRST).into_iter().chain(specs(HELDOUT)).chain(specs(THIRD)) {
        let x = values(&s);
        let n = s.get("N") as usize;
        assert!(
            x.len() + 3 >= n && x.len() <= n,
            "set {}: {} values for N = {n}",
            s.index,
            x.len()
        );
        assert!(x.iter().all(|v| *v >= 0.0));
        // the truth is the non-pathological 2.5/97.5 % of the design: check its share inside
        let (tl, tu) = s.truth();
        let inside = x.iter().filter(|v| **v >= tl.unwrap_or(0.0) && **v <= tu).count() as f64 / x.len() as f64;
        let fp = s.get("fractionPathol");
        assert!(
            inside > (1.0 - fp) * 0.9,
            "set {}: {inside} inside the true limits",
            s.index
        );
    }
}

#[test]
fn bias_against_truth_is_within_the_peers_bounds() {
    let (reflim, rf_failed, _) = ours(FIRST, Method::Reflim);
    let (refiner, rr_failed, _) = ours(FIRST, Method::Refiner);
    eprintln!("mean absolute % error: reflim {reflim:.3} ({rf_failed} sets failed), refiner {refiner:.3} ({rr_failed} failed)");
    assert_eq!(rr_failed, 0, "refiner must estimate every set");
    let reflimr =
        peer(FIRST, "reflimR").expect("tests/fixtures/ribench_peers.csv with reflimR rows (bench/refint_ribench.sh)");
    let refiner_r =
        peer(FIRST, "refineR").expect("tests/fixtures/ribench_peers.csv with refineR rows (bench/refint_ribench.sh)");
    eprintln!("peers on the same sets: reflimR {reflimr:.3}, refineR {refiner_r:.3}");
    assert!(
        reflim <= 1.01 * reflimr,
        "reflim {reflim:.3} % vs reflimR {reflimr:.3} %"
    );
    // session 10 (rounded zeros censored, refineR's main peak, r80's empty sum): 11.784 vs 11.526 %,
    // ratio 1.022; the bound that ratio plus 5 % (was 1.25). CRP's upper limit scored at 97.5 %
    // against its P95 truth penalises a right CRP fit here (RIbench scores it at 95 %, below)
    assert!(
        refiner <= 1.08 * refiner_r,
        "refiner {refiner:.3} % vs refineR {refiner_r:.3} %"
    );
}

/// `--model modboxcox` against refineR's `findRI(model = "modBoxCox")` on the same sets, with
/// the same bound as the Box–Cox model (observed 13.89 vs 11.25 %: CRP's second set, +120 %
/// against refineR's +63 % on its upper limit, and LACT's second set make it worse than our
/// Box–Cox model's 12.40 % with the quantile cost, 7.67 % with refineR's, the default; LDH, the
/// shifted analyte, improves from 4.77 to 1.48 % on set 5333).
#[test]
fn modboxcox_bias_against_truth_is_within_the_peers_bound() {
    let (modbc, failed, _) = ours_with(
        FIRST,
        EstimateOptions {
            method: Method::Refiner,
            refiner: Some(RefinerOptions {
                model: RefinerModel::ModBoxCox,
                ..Default::default()
            }),
            ..Default::default()
        },
        false,
    );
    let peer_modbc = peer(FIRST, "refineR_modBoxCox")
        .expect("tests/fixtures/ribench_peers.csv with refineR_modBoxCox rows (bench/refint_ribench.sh)");
    eprintln!("mean absolute % error: refiner --model modboxcox {modbc:.3} ({failed} failed), refineR modBoxCox {peer_modbc:.3}");
    assert_eq!(failed, 0, "refiner --model modboxcox must estimate every set");
    assert!(
        modbc <= 1.25 * peer_modbc,
        "modboxcox {modbc:.3} % vs refineR modBoxCox {peer_modbc:.3} %"
    );
}

/// Both subsets as RIbench scores them (CRP's upper limit at the 95th percentile), the default
/// Box–Cox model against refineR 2.0.0's findRI (BoxCox, NBootstrap = 0) on the same values
/// (tests/fixtures/ribench_peers.csv and ribench_heldout_peers.csv, bench/refint_ribench.sh).
/// Issue 15's goal — a mean absolute error at least as low as refineR's — is NOT met (session 8,
/// the quantile cost: first subset 9.83 vs refineR 7.02 %, held-out 18.96 vs 13.37 %; the losses
/// were fits in a wrong basin with a wide model and P near its floor, mostly at N = 1000 with
/// 40–60 % pathological values; session 9, refineR's histogram and cost as the default: first
/// 8.94 %, held-out 15.56 %, ratios 1.273 and 1.164; session 10, rounded zeros read as censored
/// below half the rounding unit, refineR's main-peak choice and r₈₀'s empty sum taken as +0: first
/// 7.137 %, held-out 12.478 % — below refineR's 13.371 % — ratios 1.016 and 0.933; session 11,
/// rounded values spread over their rounding interval at every n, `refiner_hist::spread`: first
/// 7.067 %, held-out 11.563 %, ratios 1.006 and 0.865, bounds kept). The bound
/// asserted is each subset's ratio to refineR's plus a tolerance of 5 % of it (1.07 and 0.98; were
/// 1.34 and 1.22), refineR's figure computed from its limits in the fixture.
#[test]
fn ribench_scored_bias_is_within_the_bound_of_refiners_on_both_subsets() {
    let mut seen = Vec::new();
    for (name, sub) in [("first", FIRST), ("held-out", HELDOUT)] {
        let (ours, failed, _) = ours_with(
            sub,
            EstimateOptions {
                method: Method::Refiner,
                ..Default::default()
            },
            true,
        );
        let theirs = peer_scored(sub, "refineR", true).expect("the peers' file with refineR rows and upper95");
        eprintln!("{name} subset, RIbench scoring: refiner {ours:.3} % ({failed} failed), refineR {theirs:.3} %");
        seen.push((name, ours, failed, theirs));
    }
    for ((name, ours, failed, theirs), bound) in seen.into_iter().zip([1.07, 0.98]) {
        assert_eq!(failed, 0, "{name}: refiner must estimate every set");
        assert!(
            ours <= bound * theirs,
            "{name}: refiner {ours:.3} % vs refineR {theirs:.3} %"
        );
    }
}

/// The third subset as RIbench scores it (CRP's upper limit at the 95th percentile), the default
/// Box–Cox model against refineR 2.0.0's findRI (BoxCox, NBootstrap = 0) on the same values
/// (tests/fixtures/ribench_third_peers.csv, bench/refint_ribench.sh). Nothing was tuned on this
/// subset. The bound is a regression bound set from the method at HEAD: when the subset was drawn
/// (session 9, bc2b78a, the quantile cost) the mean absolute error was 28.849 % against refineR's
/// 9.270 %, a ratio of 3.112; with refineR's histogram and cost the default (c978cad, which saw
/// this subset's scores: its fallback to the quantile cost was added for set 5142) 13.433 %, a
/// ratio of 1.449; session 10 (rounded zeros censored, refineR's main peak, r₈₀'s empty sum as +0,
/// chosen on the first two subsets; this one only reported) 9.757 %, a ratio of 1.053; session 11
/// (rounded values spread at every n: this subset's CRP 5142 and LACT 2751, N = 500,000, showed
/// the cause) 8.313 %, a ratio of 0.897 (bound kept). The test
/// asserts a ratio of at most [`THIRD_BOUND`], the latter plus a tolerance of 5 % (was 1.52);
/// issue 15's goal, a ratio of at most 1, is not met here and not asserted.
const THIRD_BOUND: f64 = 1.11;

#[test]
fn third_subset_ribench_scored_bias_is_within_the_regression_bound() {
    let (ours, failed, _) = ours_with(
        THIRD,
        EstimateOptions {
            method: Method::Refiner,
            ..Default::default()
        },
        true,
    );
    let theirs = peer_scored(THIRD, "refineR", true).expect("ribench_third_peers.csv with refineR rows and upper95");
    eprintln!(
        "third subset, RIbench scoring: refiner {ours:.3} % ({failed} failed), refineR {theirs:.3} %, ratio {:.3}",
        ours / theirs
    );
    assert_eq!(failed, 0, "refiner must estimate every set of the third subset");
    assert!(
        ours <= THIRD_BOUND * theirs,
        "third subset: refiner {ours:.3} % vs refineR {theirs:.3} %: ratio {:.3} > {THIRD_BOUND}",
        ours / theirs
    );
}

/// The fourth subset as RIbench scores it (CRP's upper limit at the 95th percentile), the default
/// Box–Cox model against refineR 2.0.0's findRI (BoxCox, NBootstrap = 0) on the same values
/// (tests/fixtures/ribench_fourth_peers.csv, bench/refint_ribench.sh). Drawn in session 11 because
/// the third subset had been looked at twice: 40 sets stratified as the third's (every analyte at
/// each N, the pathological fractions five times each, Sc1 and Sc2 twenty times each, overlaps at
/// random; tests/fixtures/ribench_fourth_draw.py, Python's random, seed 20261128), none of them in
/// the three earlier subsets. The peers ran on it once, before dimorph was scored on it; dimorph
/// was scored on it once (2026-11-26 23:18-23:22 UTC), with the default before session 11's change
/// (rounded values not spread where n > 50,000: 10.044 % against refineR's 8.937 %, a ratio of
/// 1.124) and after it (8.778 %, a ratio of 0.982); nothing was tuned on it. The bound is the
/// latter ratio plus a tolerance of 5 % of it. dimorph's reflim scored 73.418 % there against
/// reflimR's 73.422 % (the next test). refineR took 1304.77 s for the 40 sets (32.6 s a set),
/// dimorph's refiner 63.98 s end to end (20.4x) in the same run of bench/refint_ribench.R, at load
/// 9-14 on the shared 2-core machine. The test runs in release builds only (`cargo test --release
/// -p dimorph-refint --test suite ribench::`): the fit of its 40 sets, ten of them of 500,000 values, took
/// 78 s of wall time in a release build at load 14, far over the ~30 s a debug-build CI test may add.
const FOURTH_BOUND: f64 = 1.031;

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "release only: cargo test --release -p dimorph-refint --test suite ribench::"
)]
fn fourth_subset_ribench_scored_bias_is_within_the_bound_of_refiners() {
    let (ours, failed, _) = ours_with(
        FOURTH,
        EstimateOptions {
            method: Method::Refiner,
            ..Default::default()
        },
        true,
    );
    let theirs = peer_scored(FOURTH, "refineR", true).expect("ribench_fourth_peers.csv with refineR rows and upper95");
    eprintln!(
        "fourth subset, RIbench scoring: refiner {ours:.3} % ({failed} failed), refineR {theirs:.3} %, ratio {:.3}",
        ours / theirs
    );
    assert_eq!(failed, 0, "refiner must estimate every set of the fourth subset");
    assert!(
        ours <= FOURTH_BOUND * theirs,
        "fourth subset: refiner {ours:.3} % vs refineR {theirs:.3} %: ratio {:.3} > {FOURTH_BOUND}",
        ours / theirs
    );
}

/// dimorph's reflim beside reflimR 1.1.0 on the fourth subset (reflimR's limits in
/// tests/fixtures/ribench_fourth_peers.csv, run once in session 11, same values, values of 0
/// dropped by both), scored as the third subset's test does; bound as there (1 % of reflimR's).
#[test]
fn fourth_subset_reflim_is_within_reflimrs_bound() {
    let (reflim, failed, _) = ours(FOURTH, Method::Reflim);
    let reflimr = peer(FOURTH, "reflimR").expect("ribench_fourth_peers.csv with reflimR rows");
    eprintln!("fourth subset: reflim {reflim:.3} % ({failed} sets failed), reflimR {reflimr:.3} %");
    assert_eq!(failed, 0, "reflim must estimate every set of the fourth subset");
    assert!(
        reflim <= 1.01 * reflimr,
        "reflim {reflim:.3} % vs reflimR {reflimr:.3} %"
    );
}

/// dimorph's reflim beside reflimR 1.1.0 on the third subset (reflimR's limits in
/// tests/fixtures/ribench_third_peers.csv, same values, values of 0 dropped by both), scored as the
/// first subset's test does (CRP's upper limit at 97.5 %: reflimR gives no other percentile).
/// reflim is reflimR's method: its mean absolute error may exceed reflimR's by at most 1 % of it
/// (observed 54.182 vs 54.166 %, bench/refint_ribench.sh's run of session 9).
#[test]
fn third_subset_reflim_is_within_reflimrs_bound() {
    let (reflim, failed, _) = ours(THIRD, Method::Reflim);
    let reflimr = peer(THIRD, "reflimR").expect("ribench_third_peers.csv with reflimR rows");
    eprintln!("third subset: reflim {reflim:.3} % ({failed} sets failed), reflimR {reflimr:.3} %");
    assert_eq!(failed, 0, "reflim must estimate every set of the third subset");
    assert!(
        reflim <= 1.01 * reflimr,
        "reflim {reflim:.3} % vs reflimR {reflimr:.3} %"
    );
}

/// dimorph's reflim beside reflimR 1.1.0 on the held-out subset (reflimR's limits in
/// tests/fixtures/ribench_heldout_peers.csv, run once by bench/refint_ribench.sh in session 10 on the
/// same values, values of 0 dropped by both), scored as the third subset's test does. Bound as
/// there: at most 1 % above reflimR's mean absolute error (observed 92.01 vs 92.09 %: reflimR
/// prints its limits rounded, e.g. 11.9 for Hb, so the two differ in the last digits).
#[test]
fn heldout_subset_reflim_is_within_reflimrs_bound() {
    let (reflim, failed, _) = ours(HELDOUT, Method::Reflim);
    let reflimr = peer(HELDOUT, "reflimR").expect("ribench_heldout_peers.csv with reflimR rows");
    eprintln!("held-out subset: reflim {reflim:.3} % ({failed} sets failed), reflimR {reflimr:.3} %");
    assert_eq!(failed, 0, "reflim must estimate every set of the held-out subset");
    assert!(
        reflim <= 1.01 * reflimr,
        "reflim {reflim:.3} % vs reflimR {reflimr:.3} %"
    );
}

/// dimorph's kosmic on a subset, each set at RIbench's decimals (as R kosmic gets them in
/// bench/refint_ribench.R), values of 0 dropped as the CLI drops them; with `crp95` CRP's upper
/// limit is the fit's 95 % quantile. Returns the limits (index, lower, upper) of each set estimated
/// and the indices of the sets it could not estimate.
fn ours_kosmic(sub: Subset, crp95: bool) -> (Vec<(u64, f64, f64)>, Vec<u64>) {
    let specs = specs(sub);
    let done = parallel(&specs, |s| kosmic_limits(s, crp95));
    let (mut all, mut failed) = (Vec::new(), Vec::new());
    for (s, r) in specs.iter().zip(done) {
        match r {
            Ok((lower, upper)) => {
                if std::env::var_os("RIBENCH_VERBOSE").is_some() {
                    eprintln!("kosmic {} {:5} lower {lower} upper {upper}", s.index, s.analyte);
                }
                all.push((s.index, lower, upper));
            }
            Err(e) => {
                eprintln!("kosmic set {}: {e}", s.index);
                failed.push(s.index);
            }
        }
    }
    (all, failed)
}

/// The limits (lower, upper) of one set, or why the method could not estimate it.
type KosmicResult = Result<(f64, f64), String>;

/// A set's index and its lower and upper limits.
type SetLimits = (u64, f64, f64);

/// dimorph's kosmic limits of one set (see [`ours_kosmic`]).
fn kosmic_limits(s: &Spec, crp95: bool) -> KosmicResult {
    let x: Vec<f64> = values(s).iter().copied().filter(|v| *v > 0.0).collect();
    let what = format!("RIbench set {}", s.index);
    let d = s.get("decimals") as i32;
    let o = EstimateOptions {
        method: Method::Kosmic,
        kosmic: Some(KosmicOptions {
            decimals: Some(d),
            nboot: 0,
        }),
        ..Default::default()
    };
    let e = estimate_one(&what, "", &x, None, &o).map_err(|e| e.to_string())?;
    let upper = if crp95 && s.analyte == "CRP" {
        let (f, _) = kosmic::fit(&what, &x, Some(d), None).map_err(|e| e.to_string())?;
        kosmic::quantile(0.95, f.lambda, f.mu, f.sigma)
    } else {
        e.limits.upper
    };
    Ok((e.limits.lower, upper))
}

/// A peer's limits (index, lower, upper) per set of `sub` and the indices of the sets it could not
/// estimate (a limit NA in the peers' file); with `crp95` CRP's upper limit is the peer's 95 %
/// quantile (column upper95).
fn peer_limits(sub: Subset, method: &str, crp95: bool) -> Option<(Vec<SetLimits>, Vec<u64>)> {
    let text = std::fs::read_to_string(sub.peers).ok()?;
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next()?.split(',').collect();
    let col = |n: &str| head.iter().position(|h| h.trim_matches('"') == n);
    let (ci, cm, cl, cu, c95) = (
        col("index")?,
        col("method")?,
        col("lower")?,
        col("upper")?,
        col("upper95")?,
    );
    let specs = specs(sub);
    let (mut all, mut failed) = (Vec::new(), Vec::new());
    for l in lines {
        let c: Vec<&str> = l.split(',').map(|x| x.trim_matches('"')).collect();
        if c[cm] != method {
            continue;
        }
        let s = specs.iter().find(|s| s.index.to_string() == c[ci])?;
        let cu = if crp95 && s.analyte == "CRP" { c95 } else { cu };
        match (c[cl].parse::<f64>(), c[cu].parse::<f64>()) {
            (Ok(lo), Ok(up)) => all.push((s.index, lo, up)),
            _ => failed.push(s.index),
        }
    }
    (!all.is_empty()).then_some((all, failed))
}

/// Mean absolute % error of the limits of the sets in `keep`.
fn mean_error(sub: Subset, limits: &[(u64, f64, f64)], keep: &[u64]) -> f64 {
    let specs = specs(sub);
    let mut all = Vec::new();
    for (i, lo, up) in limits.iter().filter(|(i, _, _)| keep.contains(i)) {
        let s = specs.iter().find(|s| s.index == *i).expect("a set of the subset");
        all.extend(errors(s, *lo, *up));
    }
    mean(&all)
}

/// dimorph's kosmic beside kosmic by its authors (tidykosmic 0.0.0.9000, R; its limits in the three
/// peers' files, bench/refint_ribench.sh) on all three subsets (the third by a test CI does not run), RIbench scoring (CRP at the 95th
/// percentile), both at RIbench's decimals of each set, scored on the sets both estimate. R kosmic
/// got every value; dimorph drops the values of 0 as its CLI does, so on the sets without a 0 both
/// ran on the same values and their limits must agree within [`KOSMIC_SAME`] (they do to the 15
/// digits the file keeps). R kosmic crashed R on some CRP sets and was stopped after 300 s on
/// TSH sets (2 decimals: 20,000+ pairs of truncation points); dimorph's kosmic refuses every CRP
/// set (once the zeros are dropped the mode is the first class) and two others (LACT 2751: the
/// mode at an end; IgE 4111: both limits 0). Bounds, from session 9's run: on each subset dimorph's
/// mean absolute error at most [`KOSMIC_TOL`] x R kosmic's (observed 1.113, 0.954 and 1.062:
/// differences only on sets with zeros), and no more failed sets than then (2, 3 and 6).
const KOSMIC_TOL: f64 = 1.25;
/// Relative agreement of the limits with R kosmic's where both ran on the same values.
const KOSMIC_SAME: f64 = 1e-9;
/// The subsets, and the most sets dimorph's kosmic may fail to estimate on each.
const KOSMIC_MOST_FAILED: [(&str, Subset, usize); 3] =
    [("first", FIRST, 2), ("held-out", HELDOUT, 3), ("third", THIRD, 6)];

#[test]
fn kosmic_ribench_scored_bias_is_within_the_bound_of_r_kosmics() {
    kosmic_within_the_bound_of_r_kosmics(&KOSMIC_MOST_FAILED[..2]);
}

/// The third subset's part of the test above, which doubles its CPU time (~60 s on 2 cores): not
/// in CI's `cargo test --workspace`; run by `bench/refint_ribench_third.sh`.
#[test]
#[ignore = "the third RIbench subset: bench/refint_ribench_third.sh"]
fn kosmic_ribench_scored_bias_on_the_third_subset_is_within_the_bound_of_r_kosmics() {
    kosmic_within_the_bound_of_r_kosmics(&KOSMIC_MOST_FAILED[2..]);
}

fn kosmic_within_the_bound_of_r_kosmics(subsets: &[(&str, Subset, usize)]) {
    let mut seen = Vec::new();
    for &(name, sub, most_failed) in subsets {
        let (ours_lim, ours_failed) = ours_kosmic(sub, true);
        let (theirs_lim, theirs_failed) =
            peer_limits(sub, "kosmic", true).expect("the peers' file with kosmic rows and upper95");
        let both: Vec<u64> = ours_lim
            .iter()
            .map(|(i, _, _)| *i)
            .filter(|i| theirs_lim.iter().any(|(j, _, _)| j == i))
            .collect();
        let (ours, theirs) = (mean_error(sub, &ours_lim, &both), mean_error(sub, &theirs_lim, &both));
        eprintln!(
            "{name} subset, RIbench scoring, the {} sets both estimate: dimorph kosmic {ours:.3} % (failed on \
             {ours_failed:?}), R kosmic {theirs:.3} % (failed on {theirs_failed:?}), ratio {:.3}",
            both.len(),
            ours / theirs
        );
        // where no value is 0 both ran on the same values: the limits must agree
        let mut same = 0;
        for s in specs(sub).iter().filter(|s| both.contains(&s.index)) {
            if values(s).contains(&0.0) {
                continue;
            }
            let o = ours_lim.iter().find(|l| l.0 == s.index).expect("ours");
            let t = theirs_lim.iter().find(|l| l.0 == s.index).expect("theirs");
            for (a, b) in [(o.1, t.1), (o.2, t.2)] {
                assert!(
                    (a - b).abs() <= KOSMIC_SAME * b.abs().max(1e-300),
                    "{name} set {}: dimorph kosmic {a} vs R kosmic {b}",
                    s.index
                );
            }
            same += 1;
        }
        eprintln!("  equal to R kosmic's within {KOSMIC_SAME:e} on the {same} of them without zeros");
        seen.push((name, ours, theirs, ours_failed, most_failed));
    }
    for (name, ours, theirs, ours_failed, most_failed) in seen {
        assert!(
            ours_failed.len() <= most_failed,
            "{name}: dimorph kosmic failed on {ours_failed:?}"
        );
        assert!(
            ours <= KOSMIC_TOL * theirs,
            "{name}: dimorph kosmic {ours:.3} % vs R kosmic {theirs:.3} %"
        );
    }
}

/// Writes the sets for the benchmark when RIBENCH_OUT names a folder (else does nothing but
/// check that the subsets parse): `<index>_<analyte>.csv` (column `value`) and `truth.csv`, of
/// the first subset, or of the held-out one when RIBENCH_SUBSET=heldout (the third when
/// RIBENCH_SUBSET=third, the fourth when RIBENCH_SUBSET=fourth).
#[test]
fn write_sets() {
    assert_eq!(specs(FIRST).len(), 20);
    assert_eq!(specs(HELDOUT).len(), 24);
    assert_eq!(specs(THIRD).len(), 40);
    assert_eq!(specs(FOURTH).len(), 40);
    let Ok(dir) = std::env::var("RIBENCH_OUT") else {
        return;
    };
    let specs = match std::env::var("RIBENCH_SUBSET").as_deref() {
        Ok("heldout") => specs(HELDOUT),
        Ok("third") => specs(THIRD),
        Ok("fourth") => specs(FOURTH),
        _ => specs(FIRST),
    };
    std::fs::create_dir_all(&dir).expect("RIBENCH_OUT");
    let mut truth = String::from("index,analyte,file,gt_lrl,gt_url,decimals\n");
    for s in &specs {
        let file = format!("{}_{}.csv", s.index, s.analyte);
        let body = std::iter::once("value".to_string())
            .chain(generate(s))
            .collect::<Vec<_>>()
            .join("\n")
            + "\n";
        std::fs::write(format!("{dir}/{file}"), body).expect("write set");
        let (tl, tu) = s.truth();
        truth += &format!(
            "{},{},{file},{},{tu},{}\n",
            s.index,
            s.analyte,
            tl.map_or("NA".into(), |v| v.to_string()),
            s.get("decimals")
        );
    }
    std::fs::write(format!("{dir}/truth.csv"), truth).expect("write truth");
}

/// refineR's histogram, cost and search as a whole (`estimate::refiner_hist`, `Cost::PeakHist`,
/// the Box–Cox default `refiner_hist::COST` since session 9) against the quantile cost of sessions
/// 6–8, Box–Cox model, all three subsets scored as RIbench does, on the sets both fit. Session 9
/// measured first 8.94 vs 9.83 %, held-out 15.56 vs 18.96 %, third (nobody tuned on it) 13.23 vs
/// 28.85 % on its 39 sets both fit (refineR 7.02, 13.37 and 9.27 % on all its 40): it beats the
/// quantile cost on all three but not refineR.
#[test]
fn refiners_histogram_and_cost_beat_the_quantile_cost_on_the_first_two_subsets() {
    histogram_and_cost_beat_the_quantile_cost(&[("first", FIRST), ("held-out", HELDOUT)]);
}

/// The third subset's part of the test above, which doubles its CPU time (the subset holds 5.56
/// million values; ~30 s on 2 cores): not in CI's `cargo test --workspace`, run by
/// `bench/refint_ribench_third.sh` (`cargo test ... -- --ignored`).
#[test]
#[ignore = "the third RIbench subset: bench/refint_ribench_third.sh"]
fn refiners_histogram_and_cost_beat_the_quantile_cost_on_the_third_subset() {
    histogram_and_cost_beat_the_quantile_cost(&[("third", THIRD)]);
}

fn histogram_and_cost_beat_the_quantile_cost(subsets: &[(&str, Subset)]) {
    use dimorph_refint::estimate::refiner_hist::{fit_sorted_shifted_with, Cost};
    for &(name, sub) in subsets {
        let (mut quantile_cost, mut peak_hist, mut no_fit) = (Vec::new(), Vec::new(), Vec::new());
        let specs = specs(sub);
        // each set's (lower, upper) under either cost, the sets spread over the threads
        let fits = parallel(&specs, |s| {
            let mut x: Vec<f64> = values(s).iter().copied().filter(|v| *v > 0.0).collect();
            x.sort_by(f64::total_cmp);
            let p = if s.analyte == "CRP" { 0.95 } else { 0.975 };
            [Cost::Quantile, Cost::PeakHist].map(|cost| {
                let f = fit_sorted_shifted_with(&x, None, 0.0, cost)?;
                Some((f.lower, quantile(p, f.lambda, f.mu, f.sigma)))
            })
        });
        for (s, fits) in specs.iter().zip(fits) {
            let mut both = Vec::new();
            for (cost, fit) in [Cost::Quantile, Cost::PeakHist].into_iter().zip(fits) {
                let Some((lower, upper)) = fit else {
                    eprintln!("{name} {} {} {cost:?}: no fit", s.index, s.analyte);
                    no_fit.push((s.index, cost));
                    continue;
                };
                if std::env::var_os("RIBENCH_VERBOSE").is_some() {
                    let (tl, tu) = s.truth();
                    eprintln!(
                        "{name} {} {} {cost:?}: {lower} – {upper} (truth {tl:?} – {tu})",
                        s.index, s.analyte
                    );
                }
                both.push(errors(s, lower, upper));
            }
            // scored on the sets both costs fit (a set without a fit is reported above)
            if let [q, h] = &both[..] {
                quantile_cost.extend(q);
                peak_hist.extend(h);
            }
        }
        let (q, h) = (mean(&quantile_cost), mean(&peak_hist));
        let r = peer_scored(sub, "refineR", true).expect("the peers' file with refineR rows and upper95");
        eprintln!(
            "{name} subset, RIbench scoring: quantile cost {q:.3} %, refineR's histogram and cost {h:.3} %, \
             refineR {r:.3} %"
        );
        // the quantile cost fits every set; refineR's search costs no candidate on at most one set
        // of a subset (the third's 5142, CRP at N = 500,000 rounded to 0.1, where the default
        // falls back to the quantile cost: refiner_modbc::fit_sorted_model)
        assert!(
            no_fit.iter().all(|(_, c)| *c == Cost::PeakHist) && no_fit.len() <= 1,
            "{name}: no fit for {no_fit:?}"
        );
        assert!(
            h < q,
            "{name}: refineR's histogram and cost {h:.3} % vs the quantile cost {q:.3} %"
        );
    }
}

/// The refiner's `--zeros censored` (the default: a 0 of rounded values read as censored below
/// half the rounding unit, as refineR keeps its zeros) against `--zeros drop` (values ≤ 0 dropped,
/// as reflimR does), Box–Cox model, RIbench scoring, on all three subsets beside refineR. The rule
/// was chosen on the first two subsets, where censored must score better; the third is reported as
/// it falls (every set estimated both ways), by a test CI does not run (below).
#[test]
fn refiner_zeros_censored_against_dropped_on_the_first_two_subsets() {
    let seen = zeros_censored_against_dropped(&[("first", FIRST), ("held-out", HELDOUT)]);
    // session 10: first 7.137 vs 7.669 %, held-out 12.478 vs 17.639 % (the default chosen on
    // these)
    for (name, c, d) in &seen {
        assert!(c < d, "{name}: --zeros censored {c:.3} % vs --zeros drop {d:.3} %");
    }
}

/// The third subset's part (third 9.757 vs 9.723 % in session 10: drop marginally better there;
/// reported, not asserted, beyond every set being estimated): ~50 s on 2 cores, so not in CI's
/// `cargo test --workspace`; run by `bench/refint_ribench_third.sh`.
#[test]
#[ignore = "the third RIbench subset: bench/refint_ribench_third.sh"]
fn refiner_zeros_censored_against_dropped_on_the_third_subset() {
    zeros_censored_against_dropped(&[("third", THIRD)]);
}

/// Each subset's RIbench-scored error under `--zeros censored` and `--zeros drop`; every set must
/// be estimated both ways.
fn zeros_censored_against_dropped(subsets: &[(&'static str, Subset)]) -> Vec<(&'static str, f64, f64)> {
    let mut seen = Vec::new();
    for &(name, sub) in subsets {
        let score = |zeros: RefinerZeros| {
            let o = EstimateOptions {
                method: Method::Refiner,
                refiner: Some(RefinerOptions {
                    zeros,
                    ..Default::default()
                }),
                ..Default::default()
            };
            let (e, failed, _) = ours_with(sub, o, true);
            assert_eq!(
                failed,
                0,
                "{name} --zeros {}: refiner must estimate every set",
                zeros.flag()
            );
            e
        };
        let (c, d) = (score(RefinerZeros::Censored), score(RefinerZeros::Drop));
        let r = peer_scored(sub, "refineR", true).expect("the peers' file with refineR rows and upper95");
        eprintln!("{name} subset, RIbench scoring: --zeros censored {c:.3} %, --zeros drop {d:.3} %, refineR {r:.3} %");
        seen.push((name, c, d));
    }
    seen
}
