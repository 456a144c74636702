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
//! finding); the refineR-style method's may not exceed refineR's by more than a quarter (observed
//! 12.40 vs 11.53 %;
//! the goal is "at least as low as refineR's", reported by the benchmark). CRP's upper
//! limit (truth 5 mg/L) dominates both means.

use dimorph_core::rng::Rng;
use dimorph_refint::estimate::group::estimate_one;
use dimorph_refint::estimate::refiner::quantile;
use dimorph_refint::estimate::refiner_modbc::fit_model;
use dimorph_refint::{EstimateOptions, Method, RefinerModel, RefinerOptions};
use std::collections::HashMap;

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

fn values(s: &Spec) -> Vec<f64> {
    generate(s).iter().map(|t| t.parse().expect("number")).collect()
}

/// The refiner's 95 % quantile (its fit's, shifted back under the modified Box–Cox model): RIbench
/// scores CRP's upper limit at the 95th percentile (its GT_URL, 5 mg/L, is the P95 of the design,
/// exp(μ + 1.645σ); RIbench's computeRIsAll asks for RIperc = 0.95 for CRP).
fn refiner_p95(what: &str, x: &[f64], model: RefinerModel) -> Option<f64> {
    let f = fit_model(what, x, None, model).ok()?;
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
    for s in specs(sub) {
        // values of 0 (rounded) are dropped, as the CLI does for the log-scale methods
        let x: Vec<f64> = values(&s).into_iter().filter(|v| *v > 0.0).collect();
        let what = format!("RIbench set {}", s.index);
        match estimate_one(&what, "", &x, None, &o) {
            Ok(mut e) => {
                if crp95 && s.analyte == "CRP" {
                    let model = o.refiner.unwrap_or_default().model;
                    e.limits.upper = refiner_p95(&what, &x, model).expect("the refiner's fit");
                }
                if std::env::var_os("RIBENCH_VERBOSE").is_some() {
                    let (tl, tu) = s.truth();
                    eprintln!(
                        "{} {:5} upper {:+7.2} % lower {:+7.2} %  {}",
                        s.index,
                        s.analyte,
                        100.0 * (e.limits.upper - tu) / tu,
                        tl.map_or(f64::NAN, |t| 100.0 * (e.limits.lower - t) / t),
                        e.limits.method
                    );
                }
                all.extend(errors(&s, e.limits.lower, e.limits.upper));
                limits.push((s.index, e.limits.lower, e.limits.upper));
            }
            Err(e) => {
                eprintln!("{} set {}: {e}", method.name(), s.index);
                failed += 1;
            }
        }
    }
    (mean(&all), failed, limits)
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
    for s in specs(FIRST).into_iter().chain(specs(HELDOUT)) {
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
    assert!(
        refiner <= 1.25 * refiner_r,
        "refiner {refiner:.3} % vs refineR {refiner_r:.3} %"
    );
}

/// `--model modboxcox` against refineR's `findRI(model = "modBoxCox")` on the same sets, with
/// the same bound as the Box–Cox model (observed 13.89 vs 11.25 %: CRP's second set, +120 %
/// against refineR's +63 % on its upper limit, and LACT's second set make it worse than our
/// Box–Cox model's 12.40 %; LDH, the shifted analyte, improves from 4.77 to 1.48 % on set 5333).
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
/// this method: first subset 9.83 vs refineR 7.02 %, held-out 18.96 vs 13.37 %; the losses are
/// fits in a wrong basin with a wide model and P near its floor, mostly at N = 1000 with 40–60 %
/// pathological values: FT4 1227, LACT 2331, LDH 5280 of the held-out subset, GGT 3033 of the
/// first). The bound asserted is 1.45 × refineR's on each subset, refineR's figure computed from
/// its limits in the fixture.
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
    for (name, ours, failed, theirs) in seen {
        assert_eq!(failed, 0, "{name}: refiner must estimate every set");
        assert!(
            ours <= 1.45 * theirs,
            "{name}: refiner {ours:.3} % vs refineR {theirs:.3} %"
        );
    }
}

/// Writes the sets for the benchmark when RIBENCH_OUT names a folder (else does nothing but
/// check that the subsets parse): `<index>_<analyte>.csv` (column `value`) and `truth.csv`, of
/// the first subset, or of the held-out one when RIBENCH_SUBSET=heldout.
#[test]
fn write_sets() {
    assert_eq!(specs(FIRST).len(), 20);
    assert_eq!(specs(HELDOUT).len(), 24);
    let Ok(dir) = std::env::var("RIBENCH_OUT") else {
        return;
    };
    let specs = match std::env::var("RIBENCH_SUBSET").as_deref() {
        Ok("heldout") => specs(HELDOUT),
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

/// refineR's histogram, cost and search as a whole (`estimate::refiner_hist`, selected by
/// `refiner_hist::fit_sorted_shifted_with`, not the default `refiner_hist::COST`) against the
/// default quantile cost, Box–Cox model, both subsets scored as RIbench does. Session 9 measured first
/// 8.94 vs 9.83 %, held-out 15.56 vs 18.96 % (refineR 7.02 and 13.37 %): it beats the quantile
/// cost on both but not refineR; it is not the default because it changes what tests/censored.rs
/// and tests/refiner_modboxcox.rs assert of the quantile cost (see the module's doc).
#[test]
fn refiners_histogram_and_cost_beat_the_quantile_cost_on_both_subsets() {
    use dimorph_refint::estimate::refiner_hist::{fit_sorted_shifted_with, Cost};
    for (name, sub) in [("first", FIRST), ("held-out", HELDOUT)] {
        let (mut quantile_cost, mut peak_hist) = (Vec::new(), Vec::new());
        for s in specs(sub) {
            let mut x: Vec<f64> = values(&s).into_iter().filter(|v| *v > 0.0).collect();
            x.sort_by(f64::total_cmp);
            let p = if s.analyte == "CRP" { 0.95 } else { 0.975 };
            for (cost, out) in [(Cost::Quantile, &mut quantile_cost), (Cost::PeakHist, &mut peak_hist)] {
                let f = fit_sorted_shifted_with(&x, None, 0.0, cost).expect("a fit");
                let upper = quantile(p, f.lambda, f.mu, f.sigma);
                if std::env::var_os("RIBENCH_VERBOSE").is_some() {
                    let (tl, tu) = s.truth();
                    eprintln!(
                        "{name} {} {} {cost:?}: {} – {upper} (truth {tl:?} – {tu})",
                        s.index, s.analyte, f.lower
                    );
                }
                out.extend(errors(&s, f.lower, upper));
            }
        }
        let (q, h) = (mean(&quantile_cost), mean(&peak_hist));
        eprintln!("{name} subset, RIbench scoring: quantile cost {q:.3} %, refineR's histogram and cost {h:.3} %");
        assert!(
            h < q,
            "{name}: refineR's histogram and cost {h:.3} % vs the quantile cost {q:.3} %"
        );
    }
}
