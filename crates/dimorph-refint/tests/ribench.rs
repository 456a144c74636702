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
use dimorph_refint::{EstimateOptions, Method, RefinerModel, RefinerOptions};
use std::collections::HashMap;

const SUBSET: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ribench_subset.csv");
const PEERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ribench_peers.csv");

/// One RIbench test set's parameters.
struct Spec {
    index: u64,
    analyte: String,
    f: HashMap<String, f64>,
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

fn specs() -> Vec<Spec> {
    let text = std::fs::read_to_string(SUBSET).expect(SUBSET);
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
    let mut rng = Rng::new(20_221_000 + s.index);
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
fn ours(method: Method) -> (f64, usize, Vec<(u64, f64, f64)>) {
    ours_with(EstimateOptions {
        method,
        ..Default::default()
    })
}

/// As [`ours`], with the estimation options `o`.
fn ours_with(o: EstimateOptions) -> (f64, usize, Vec<(u64, f64, f64)>) {
    let method = o.method;
    let (mut all, mut failed, mut limits) = (Vec::new(), 0, Vec::new());
    for s in specs() {
        // values of 0 (rounded) are dropped, as the CLI does for the log-scale methods
        let x: Vec<f64> = values(&s).into_iter().filter(|v| *v > 0.0).collect();
        match estimate_one(&format!("RIbench set {}", s.index), "", &x, None, &o) {
            Ok(e) => {
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
fn peer(method: &str) -> Option<f64> {
    let text = std::fs::read_to_string(PEERS).ok()?;
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next()?.split(',').collect();
    let col = |n: &str| head.iter().position(|h| h.trim_matches('"') == n);
    let (ci, cm, cl, cu) = (col("index")?, col("method")?, col("lower")?, col("upper")?);
    let specs = specs();
    let mut all = Vec::new();
    for l in lines {
        let c: Vec<&str> = l.split(',').map(|x| x.trim_matches('"')).collect();
        if c[cm] != method {
            continue;
        }
        let s = specs.iter().find(|s| s.index.to_string() == c[ci])?;
        let (lo, up) = (c[cl].parse::<f64>().ok()?, c[cu].parse::<f64>().ok()?);
        all.extend(errors(s, lo, up));
    }
    (!all.is_empty()).then(|| mean(&all))
}

#[test]
fn the_generator_follows_the_design() {
    for s in specs() {
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
    let (reflim, rf_failed, _) = ours(Method::Reflim);
    let (refiner, rr_failed, _) = ours(Method::Refiner);
    eprintln!("mean absolute % error: reflim {reflim:.3} ({rf_failed} sets failed), refiner {refiner:.3} ({rr_failed} failed)");
    assert_eq!(rr_failed, 0, "refiner must estimate every set");
    let reflimr =
        peer("reflimR").expect("tests/fixtures/ribench_peers.csv with reflimR rows (bench/refint_ribench.sh)");
    let refiner_r =
        peer("refineR").expect("tests/fixtures/ribench_peers.csv with refineR rows (bench/refint_ribench.sh)");
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
    let (modbc, failed, _) = ours_with(EstimateOptions {
        method: Method::Refiner,
        refiner: Some(RefinerOptions {
            model: RefinerModel::ModBoxCox,
            ..Default::default()
        }),
        ..Default::default()
    });
    let peer_modbc = peer("refineR_modBoxCox")
        .expect("tests/fixtures/ribench_peers.csv with refineR_modBoxCox rows (bench/refint_ribench.sh)");
    eprintln!("mean absolute % error: refiner --model modboxcox {modbc:.3} ({failed} failed), refineR modBoxCox {peer_modbc:.3}");
    assert_eq!(failed, 0, "refiner --model modboxcox must estimate every set");
    assert!(
        modbc <= 1.25 * peer_modbc,
        "modboxcox {modbc:.3} % vs refineR modBoxCox {peer_modbc:.3} %"
    );
}

/// Writes the sets for the benchmark when RIBENCH_OUT names a folder (else does nothing but
/// check that the subset parses): `<index>_<analyte>.csv` (column `value`) and `truth.csv`.
#[test]
fn write_sets() {
    let specs = specs();
    assert_eq!(specs.len(), 20);
    let Ok(dir) = std::env::var("RIBENCH_OUT") else {
        return;
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
