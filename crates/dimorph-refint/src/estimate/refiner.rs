//! Indirect reference limits by inverse modelling, after refineR (Ammer, Schützenmeister,
//! Prokosch, Rauh, Rank & Zierk 2021, *refineR: a novel algorithm for reference interval
//! estimation from real-world data*, Sci Rep 11:16023).
//!
//! Routine data are a mixture: a non-pathological distribution, taken as normal after a Box–Cox
//! transformation T_λ(x) = (x^λ − 1)/λ (log x at λ = 0), plus pathological values on either side.
//! The model (λ, μ, σ) and the non-pathological fraction P are fitted to the central part of the
//! histogram only, where the data are consistent with the model:
//!
//! * the values are binned at their empirical quantiles (edges half-way between distinct
//!   values, so rounded data are binned whole); bin i holds `o_i` values and the model predicts
//!   `e_i = N·P·(Φ(z_{i+1}) − Φ(z_i)) / (1 − Φ(z_0))`, z = (T_λ(edge) − μ)/σ, the denominator
//!   truncating the normal to x > 0 as refineR's limits do;
//! * the candidate truncation region is the set S of bins with `e_i ≥` [`E_MIN`] whose count lies
//!   in the band e_i ± z₀.₉₉₅·√e_i (a bin above the band holds pathological values; too many bins
//!   below it — more than 5 % — mean the model claims more values than there are, and the
//!   candidate is refused);
//! * the cost is the paper's negative log-likelihood of the selected bins (the Poisson counts in
//!   their normal approximation, each term multiplied by e_i as refineR does, so that a model
//!   explaining more values scores better) with a regularisation term that penalises a model
//!   whose central bins (e_i ≥ 80 % of the largest) are left out of S:
//!   `cost = −(Σ_S [½·ln(e_i/2π) − ½(o_i − e_i)²/e_i] + |S|·ln r²) / √|S|`, r the share of the
//!   central bins' values that are in S (at least 0.01);
//! * λ runs over 0, 0.1, …, 1.5 with a grid over μ, σ (from the transformed quartiles) and
//!   P ∈ [0.4, 1]; the best candidate is then refined by a shrinking local grid.
//!
//! Values below a detection limit L (`<5`) enter as censored: the first bin is (0, L] and holds
//! them with the observed values ≤ L, its prediction the model's mass below L, so their share
//! enters the likelihood as the CDF at the limit instead of being set aside.
//!
//! The limits are the 2.5 and 97.5 % quantiles of the fitted distribution truncated to x > 0, or
//! those at other percentiles ([`RefinerFit::limits_at`]; refineR's `getRI(fit, RIperc = ...)`, which
//! reads the same fitted model at the percentiles asked for).
//! This is written from the paper; refineR's grid heuristics (its density-based search regions,
//! overlapping histogram and relaxation factors) are not reproduced, so the limits agree with
//! refineR's to within the tolerance stated in the tests, not exactly.
//!
//! Every fit here can be made at a shift s ≥ 0 ([`fit_sorted_shifted`]): the transform is then
//! T_λ(x − s), the edges below s carry no model mass and the limits are s + the quantiles. The
//! search over s (refineR's modified Box–Cox, `model = "modBoxCox"`) is
//! [`super::refiner_modbc`]; at s = 0 the fit is the plain Box–Cox one, bit for bit.

use super::{check_values, Limits};
use crate::error::{RefintError, Result};
use crate::grouped::Censored;
use crate::options::RefinerModel;
use crate::stats::{quantile7, sorted};
use dimorph_core::dist::{pnorm, qnorm};
use dimorph_report::fmt::sig;
use serde::Serialize;

/// Fewest values the method accepts: with [`bins`] at least 8 bins of 12 or more values.
pub const MIN_N: usize = 100;
/// Smallest predicted count of a bin that is judged (below it the normal approximation of the
/// Poisson count is poor).
pub const E_MIN: f64 = 5.0;
/// Two-sided 99 % band of a bin's count around its prediction (refineR's α = 0.01).
const Z_BAND: f64 = 2.575_829_303_548_900_4;
/// Relative extra-Poisson spread of a bin's count (measurement imprecision and the binning of
/// routine data; refineR 1.5 added a factor of this kind): var(o_i) = e_i + (c·e_i)². The value
/// was chosen on refineR's five test cases (0.05 left two fits in a wrong basin; 0.07–0.08 gave
/// the lowest bias, 0.10–0.12 more again), so it is tuned, not derived.
pub const OVERDISPERSION: f64 = 0.08;
/// Smallest non-pathological fraction considered (as refineR).
pub const P_MIN: f64 = 0.4;

/// The fitted model and the limits it gives.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RefinerFit {
    /// Box–Cox exponent.
    pub lambda: f64,
    /// Mean and SD of the non-pathological values on the Box–Cox scale.
    pub mu: f64,
    pub sigma: f64,
    /// Estimated non-pathological fraction.
    pub p: f64,
    /// The cost at the optimum.
    pub cost: f64,
    /// Bins, and bins in the selected (truncation) region.
    pub bins: usize,
    pub selected: usize,
    /// 2.5 and 97.5 % quantiles of the fitted distribution (other percentiles:
    /// [`RefinerFit::limits_at`]).
    pub lower: f64,
    pub upper: f64,
    /// Values below a detection limit that entered as censored.
    pub censored: usize,
    /// Shift s of the modified Box–Cox transformation T_λ(x − s) (0 for the Box–Cox model).
    pub shift: f64,
    /// The model the fit was searched under (its shift searched or fixed at 0).
    pub model: RefinerModel,
    /// The power of ten the values were multiplied by for the fit (1 unless their median lies
    /// outside [1e-3, 1e9]; [`super::refiner_modbc::fit_sorted_model`]): λ, μ, σ and the shift
    /// describe the values times this, the limits are divided by it.
    pub unit: f64,
    /// True when refineR's own histogram and cost ([`super::refiner_hist`]) gave the fit, false
    /// for this module's quantile-bin cost (the modified Box–Cox model, and the Box–Cox model's
    /// fallback where refineR's cost finds no candidate; [`limits`] then says so in a remark).
    pub peak_histogram: bool,
}

impl RefinerFit {
    /// The limits at the percentiles `p` (fractions, lower and upper): the quantiles of the fitted
    /// Box–Cox normal truncated to x − s > 0, shifted back by s (refineR's `getRI(RIperc = p)` on the
    /// same fit). At (0.025, 0.975) these are [`RefinerFit::lower`] and [`RefinerFit::upper`].
    pub fn limits_at(&self, p: (f64, f64)) -> (f64, f64) {
        (
            (self.shift + quantile(p.0, self.lambda, self.mu, self.sigma)) / self.unit,
            (self.shift + quantile(p.1, self.lambda, self.mu, self.sigma)) / self.unit,
        )
    }
}

/// Box–Cox transformation (the log at λ = 0).
pub fn box_cox(x: f64, lambda: f64) -> f64 {
    if lambda.abs() < 1e-12 {
        x.ln()
    } else {
        (x.powf(lambda) - 1.0) / lambda
    }
}

/// Inverse Box–Cox; 0 where λy + 1 ≤ 0 (the boundary of the positive values).
pub fn inv_box_cox(y: f64, lambda: f64) -> f64 {
    if lambda.abs() < 1e-12 {
        return y.exp();
    }
    let b = lambda * y + 1.0;
    if b <= 0.0 {
        0.0
    } else {
        b.powf(1.0 / lambda)
    }
}

/// Quantile `p` of the Box–Cox normal (λ, μ, σ) truncated to x > 0.
pub fn quantile(p: f64, lambda: f64, mu: f64, sigma: f64) -> f64 {
    let f0 = if lambda > 1e-12 {
        pnorm((-1.0 / lambda - mu) / sigma)
    } else {
        0.0
    };
    inv_box_cox(mu + sigma * qnorm(f0 + p * (1.0 - f0)), lambda)
}

/// The histogram: edges (0 first, +∞ last) and counts.
struct Hist {
    edges: Vec<f64>,
    counts: Vec<f64>,
    n: f64,
}

/// Number of quantile bins for n values: about 40 values a bin, 8 to 100 bins.
pub fn bins(n: usize) -> usize {
    (n / 40).clamp(8, 100)
}

/// Bins sorted positive values at their empirical quantiles; `censored` values below a detection
/// limit L make the first bin (0, L].
fn histogram(x: &[f64], censored: Option<Censored>) -> Hist {
    let n = x.len();
    let cens = censored.filter(|c| c.n > 0 && c.limit > 0.0);
    let k = bins(n + cens.map_or(0, |c| c.n));
    let mut edges = vec![0.0];
    if let Some(c) = cens {
        edges.push(c.limit);
    }
    for j in 1..k {
        let v = x[j * n / k];
        let up = x.partition_point(|w| *w <= v);
        if up == n {
            break;
        }
        let e = 0.5 * (v + x[up]);
        if e > *edges.last().unwrap_or(&0.0) {
            edges.push(e);
        }
    }
    edges.push(f64::INFINITY);
    let mut counts = Vec::with_capacity(edges.len() - 1);
    let mut prev = 0;
    for e in &edges[1..] {
        let c = x.partition_point(|w| *w <= *e);
        counts.push((c - prev) as f64);
        prev = c;
    }
    if let Some(c) = cens {
        counts[0] += c.n as f64;
    }
    Hist {
        edges,
        counts,
        n: (n + cens.map_or(0, |c| c.n)) as f64,
    }
}

/// Φ at a transformed edge, with the infinite ends exact.
pub(super) fn phi(t: f64, mu: f64, sigma: f64) -> f64 {
    if t == f64::NEG_INFINITY {
        0.0
    } else if t == f64::INFINITY {
        1.0
    } else {
        pnorm((t - mu) / sigma)
    }
}

/// Model probabilities of the bins (truncated to x > 0) for λ, with the edges' transforms `te`.
fn bin_probs(te: &[f64], mu: f64, sigma: f64, out: &mut Vec<f64>) -> bool {
    out.clear();
    let f0 = phi(te[0], mu, sigma);
    let mass = 1.0 - f0;
    if mass <= 1e-12 {
        return false;
    }
    let mut prev = f0;
    for t in &te[1..] {
        let f = phi(*t, mu, sigma);
        out.push(((f - prev) / mass).max(0.0));
        prev = f;
    }
    true
}

/// The cost of (P, the bins' model probabilities) on the histogram, with the number of selected
/// bins; None when the candidate is refused (too many bins below the band, too few selected).
fn cost(h: &Hist, probs: &[f64], p: f64) -> Option<(f64, usize)> {
    let emax = probs.iter().fold(0.0f64, |a, b| a.max(*b)) * h.n * p;
    let k = h.counts.len();
    let max_below = (0.05 * k as f64).ceil() as usize;
    let (mut sel, mut sum, mut below) = (0usize, 0.0, 0usize);
    let (mut core_all, mut core_sel) = (0.0, 0.0);
    for (o, pr) in h.counts.iter().zip(probs) {
        let e = h.n * p * pr;
        if e < E_MIN {
            continue;
        }
        let v = e + (OVERDISPERSION * e) * (OVERDISPERSION * e);
        let w = Z_BAND * v.sqrt();
        let core = e >= 0.8 * emax;
        if core {
            core_all += o;
        }
        if *o < e - w {
            below += 1;
        } else if *o <= e + w {
            sel += 1;
            sum += 0.5 * (e * e / (std::f64::consts::TAU * v)).ln() - 0.5 * (o - e) * (o - e) / v;
            if core {
                core_sel += o;
            }
        }
    }
    if below > max_below || sel < (k / 10).max(4) {
        return None;
    }
    let r = if core_all > 0.0 {
        (core_sel / core_all).max(0.01)
    } else {
        0.01
    };
    let s = sel as f64;
    Some((-(sum + s * 2.0 * r.ln()) / s.sqrt(), sel))
}

/// A candidate and its cost.
#[derive(Clone, Copy)]
pub(super) struct Cand {
    pub lambda: f64,
    pub mu: f64,
    pub sigma: f64,
    pub p: f64,
    pub cost: f64,
    pub sel: usize,
}

impl Cand {
    /// The Box–Cox fit this candidate gives for T_λ(x − `shift`) ~ N(μ, σ) over `bins` bins, with
    /// `censored` values below a detection limit: its limits the model's 2.5 and 97.5 % quantiles
    /// shifted back; `peak_histogram` as [`RefinerFit::peak_histogram`].
    pub(super) fn fit(self, bins: usize, shift: f64, censored: Option<Censored>, peak_histogram: bool) -> RefinerFit {
        RefinerFit {
            lambda: self.lambda,
            mu: self.mu,
            sigma: self.sigma,
            p: self.p,
            cost: self.cost,
            bins,
            selected: self.sel,
            lower: shift + quantile(0.025, self.lambda, self.mu, self.sigma),
            upper: shift + quantile(0.975, self.lambda, self.mu, self.sigma),
            censored: censored.map_or(0, |c| c.n),
            shift,
            model: RefinerModel::BoxCox,
            unit: 1.0,
            peak_histogram,
        }
    }
}

/// A cost of candidates (λ, μ, σ, P) on one sample, with the histogram it is computed on: this
/// module's quantile bins ([`Hist`]) or refineR's overlapping bins of the peak region
/// ([`super::refiner_hist`], which runs refineR's search over it; this module's grid search
/// below runs over the quantile bins).
pub(super) trait Objective {
    /// The histogram's edges (as the cost needs them) transformed by T_λ(x − `shift`).
    fn edges(&self, shift: f64, lambda: f64) -> Vec<f64>;
    /// Offers `keep` (P, cost, selected bins) for each P of `ps` (ascending) whose candidate
    /// (λ, μ, σ, P) is not refused, the edges `te` transformed at λ.
    fn costs(&self, lambda: f64, te: &[f64], mu: f64, sigma: f64, ps: &[f64], keep: &mut dyn FnMut(f64, f64, usize));
    /// Number of bins (for the fit's report).
    fn bins(&self) -> usize;
}

impl Objective for Hist {
    fn edges(&self, shift: f64, lambda: f64) -> Vec<f64> {
        transformed_edges(self, shift, lambda)
    }

    fn costs(&self, _: f64, te: &[f64], mu: f64, sigma: f64, ps: &[f64], keep: &mut dyn FnMut(f64, f64, usize)) {
        let mut probs = Vec::with_capacity(self.counts.len());
        if !bin_probs(te, mu, sigma, &mut probs) {
            return;
        }
        for &p in ps {
            if let Some((c, sel)) = cost(self, &probs, p) {
                keep(p, c, sel);
            }
        }
    }

    fn bins(&self) -> usize {
        self.counts.len()
    }
}

/// The histogram's edges transformed by T_λ(x − s); the edges at or below the shift s map to
/// the transform of 0 (the truncation point), so the bins below s carry no model mass.
fn transformed_edges(h: &Hist, shift: f64, lambda: f64) -> Vec<f64> {
    h.edges.iter().map(|e| shifted_box_cox(*e, shift, lambda)).collect()
}

/// T_λ(x − s), with x at or below the shift s mapped to the transform of 0 (the truncation point).
pub(super) fn shifted_box_cox(x: f64, shift: f64, lambda: f64) -> f64 {
    box_cox((x - shift).max(0.0), lambda)
}

/// Evaluates a grid of (μ, σ, P) at one λ and shift, keeping the best in `best`.
fn search<O: Objective>(
    h: &O,
    shift: f64,
    lambda: f64,
    mus: &[f64],
    sigmas: &[f64],
    ps: &[f64],
    best: &mut Option<Cand>,
) {
    let te = h.edges(shift, lambda);
    for &mu in mus {
        for &sigma in sigmas {
            if sigma <= 0.0 || sigma.is_nan() {
                continue;
            }
            h.costs(lambda, &te, mu, sigma, ps, &mut |p, c, sel| {
                if best.is_none_or(|b| c < b.cost) {
                    *best = Some(Cand {
                        lambda,
                        mu,
                        sigma,
                        p,
                        cost: c,
                        sel,
                    });
                }
            });
        }
    }
}

/// `m` points from `a` to `b`.
fn grid(a: f64, b: f64, m: usize) -> Vec<f64> {
    (0..m).map(|i| a + (b - a) * i as f64 / (m - 1) as f64).collect()
}

/// Shrinks a grid around the best candidate at a fixed λ (`lambdas` = [λ]) or over λ too, for
/// `iters` halvings of the steps (μ, σ steps in units of the spread `s` of the transformed data);
/// `q` are the quartiles of the shifted values x − `shift`.
fn zoom<O: Objective>(
    h: &O,
    shift: f64,
    q: &[f64; 3],
    best: &mut Option<Cand>,
    s: f64,
    free_lambda: bool,
    iters: usize,
) {
    let (mut dl, mut dm, mut ds, mut dp) = (0.05, 0.12 * s, 0.06 * s, 0.02);
    for _ in 0..iters {
        let Some(b) = *best else { return };
        let ls: Vec<f64> = if free_lambda {
            grid(b.lambda - dl, b.lambda + dl, 5)
                .into_iter()
                .filter(|l| *l >= 0.0)
                .collect()
        } else {
            vec![b.lambda]
        };
        let ps: Vec<f64> = grid(b.p - 2.0 * dp, b.p + 2.0 * dp, 9)
            .into_iter()
            .filter(|p| (P_MIN..=1.0).contains(p))
            .collect();
        let c = q.map(|v| box_cox(v, b.lambda));
        for l in ls {
            // μ and σ move with λ: carry the candidate over by the transformed quartiles
            let t = q.map(|v| box_cox(v, l));
            let f = (t[2] - t[0]) / (c[2] - c[0]);
            let (mu_c, sd_c) = (t[1] + (b.mu - c[1]) * f, b.sigma * f);
            let mus = grid(mu_c - 3.0 * dm * f, mu_c + 3.0 * dm * f, 7);
            let sds = grid(sd_c - 3.0 * ds * f, sd_c + 3.0 * ds * f, 7);
            search(h, shift, l, &mus, &sds, &ps, best);
        }
        dl *= 0.6;
        dm *= 0.6;
        ds *= 0.6;
        dp *= 0.6;
    }
}

/// Fits the model to sorted positive values (at least [`MIN_N`], not all equal); None when no
/// candidate passes the band checks. Each λ of the coarse grid is searched over (μ, σ, P) and
/// refined; the best is then refined over all four.
pub fn fit_sorted(x: &[f64]) -> Option<RefinerFit> {
    fit_sorted_censored(x, None)
}

/// As [`fit_sorted`], with `censored` values below a detection limit (the first bin).
pub fn fit_sorted_censored(x: &[f64], censored: Option<Censored>) -> Option<RefinerFit> {
    fit_sorted_shifted(x, censored, 0.0)
}

/// As [`fit_sorted_censored`], the model T_λ(x − `shift`) ~ N(μ, σ) (the histogram is that of
/// x, its bins below the shift without model mass; the limits are shifted back). None also when
/// the shift is not below the first quartile.
pub fn fit_sorted_shifted(x: &[f64], censored: Option<Censored>, shift: f64) -> Option<RefinerFit> {
    fit_objective(&histogram(x, censored), x, censored, shift)
}

/// The grid search of [`fit_sorted_shifted`] under the cost `h` (its histogram made from `x`).
pub(super) fn fit_objective<O: Objective>(
    h: &O,
    x: &[f64],
    censored: Option<Censored>,
    shift: f64,
) -> Option<RefinerFit> {
    let q = [0.25, 0.5, 0.75].map(|p| quantile7(x, p) - shift);
    if q[0].is_nan() || q[0] <= 0.0 {
        return None;
    }
    let mut best: Option<Cand> = None;
    let ps = grid(P_MIN, 1.0, 31);
    for k in 0..=15 {
        let lambda = 0.1 * k as f64;
        let t = q.map(|v| box_cox(v, lambda));
        let s = (t[2] - t[0]) / 1.349;
        if !(s > 0.0 && s.is_finite()) {
            continue;
        }
        let mut here = None;
        search(
            h,
            shift,
            lambda,
            &grid(t[1] - 2.0 * s, t[1] + 2.0 * s, 17),
            &grid(0.1 * s, 1.5 * s, 15),
            &ps,
            &mut here,
        );
        zoom(h, shift, &q, &mut here, s, false, 8);
        if let Some(c) = here {
            if best.is_none_or(|b| c.cost < b.cost) {
                best = here;
            }
        }
    }
    let b = best?;
    let t = q.map(|v| box_cox(v, b.lambda));
    zoom(h, shift, &q, &mut best, (t[2] - t[0]) / 1.349, true, 10);
    Some(best?.fit(h.bins(), shift, censored, false))
}

/// Checks the values and fits the model: [`MIN_N`] values at least, all > 0 (the caller drops
/// values ≤ 0 with a count), not all equal. This is the quantile cost's Box–Cox fit; `--method
/// refiner`'s default fit is [`super::refiner_modbc::fit_model`] (refineR's cost since session 9).
pub fn fit(what: &str, x: &[f64]) -> Result<RefinerFit> {
    fit_censored(what, x, None)
}

/// As [`fit`], with `censored` values below a detection limit used as censored.
pub fn fit_censored(what: &str, x: &[f64], censored: Option<Censored>) -> Result<RefinerFit> {
    fit_censored_with(what, x, censored, fit_sorted_censored)
}

/// Checks the values as [`fit`] does and fits them (sorted) with `fitter` (the model's search).
pub fn fit_censored_with(
    what: &str,
    x: &[f64],
    censored: Option<Censored>,
    fitter: impl Fn(&[f64], Option<Censored>) -> Option<RefinerFit>,
) -> Result<RefinerFit> {
    check_values(
        what,
        "refiner",
        x,
        MIN_N,
        Some("the Box-Cox transformation of --method refiner"),
    )?;
    fitter(&sorted(x), censored).ok_or_else(|| RefintError::Undefined {
        what: what.into(),
        statistic: "the refiner reference interval".into(),
        reason: "no Box-Cox normal model fits the central part of the distribution (every candidate left \
                 fewer than 4 bins within its 99 % band, or claimed more values than there are)"
            .into(),
    })
}

/// The limits of a fit at the percentiles `p` (fractions; [`RefinerFit::limits_at`]), the model in
/// the method's name.
pub fn limits(f: &RefinerFit, n: usize, p: (f64, f64)) -> Limits {
    let (lower, upper) = f.limits_at(p);
    Limits {
        method: format!(
            "refineR ({}lambda {}, mu {}, sigma {}, non-pathological {}{}{})",
            match f.model {
                RefinerModel::BoxCox => "Box-Cox ".to_string(),
                RefinerModel::ModBoxCox => format!("modified Box-Cox shift {}, ", sig(f.shift, 5)),
            },
            sig(f.lambda, 3),
            sig(f.mu, 5),
            sig(f.sigma, 5),
            sig(f.p, 3),
            if f.censored > 0 {
                format!(", {} censored", f.censored)
            } else {
                String::new()
            },
            if f.unit != 1.0 {
                format!("; fitted to the values × {:e}", f.unit)
            } else {
                String::new()
            }
        ),
        n,
        lower,
        upper,
        ci_lower: None,
        ci_upper: None,
        ci_method: None,
        remarks: if f.model == RefinerModel::BoxCox && !f.peak_histogram {
            vec![
                "refineR's histogram cost found no candidate model; the limits are those of the quantile-bin cost \
                 (dimorph's earlier refiner fit), which fit the data"
                    .into(),
            ]
        } else {
            Vec::new()
        },
    }
}

/// The cost of one candidate (λ, μ, σ, P) on sorted values, with the number of selected bins
/// (None when refused): for comparing candidates, e.g. another program's fit, under this cost.
pub fn cost_at(x: &[f64], lambda: f64, mu: f64, sigma: f64, p: f64) -> Option<(f64, usize)> {
    cost_at_shift(x, 0.0, lambda, mu, sigma, p)
}

/// As [`cost_at`], for the modified Box–Cox model T_λ(x − `shift`).
pub fn cost_at_shift(x: &[f64], shift: f64, lambda: f64, mu: f64, sigma: f64, p: f64) -> Option<(f64, usize)> {
    let h = histogram(x, None);
    let te = transformed_edges(&h, shift, lambda);
    let mut probs = Vec::new();
    if !bin_probs(&te, mu, sigma, &mut probs) {
        return None;
    }
    cost(&h, &probs, p)
}
