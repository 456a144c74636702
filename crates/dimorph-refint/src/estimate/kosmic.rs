//! Indirect reference limits by kosmic (Zierk, Arzideh, Kapsner, Prokosch, Metzler & Rauh 2020,
//! *Reference Interval Estimation from Mixed Distributions using Truncation Points and the
//! Kolmogorov-Smirnov Distance (kosmic)*, Sci Rep 10:1704; after Arzideh's truncated-normal idea).
//!
//! Routine data are a mixture of a non-pathological distribution, taken as normal after a Box–Cox
//! transformation, and pathological values in the tails. kosmic fits the model to a truncated
//! central part of the data only:
//!
//! * the values are rounded to `decimals` (the precision they are reported with) and counted on the
//!   grid of classes x₀ = min, x₀ + 10^−d, …, max, giving the empirical CDF Fᵢ;
//! * the lower truncation point t₁ runs over the classes between the 5 % and 30 % points of F, the
//!   upper t₂ between 70 % and 95 % (the paper's defaults);
//! * for a model (λ, μ, σ) the cost is the smallest, over all (t₁, t₂), of the Kolmogorov–Smirnov
//!   distance of the model scaled to the data in [t₁, t₂) with one-sided distances outside, over
//!   √(share of the data inside) ([`super::kosmic_cost`]);
//! * (μ, σ) are found by Nelder–Mead for each λ ∈ {0, 0.1, …, 1}, started from the mode and the
//!   distance from the mode to the 80 % point, then λ is refined in steps of 0.01 around the best;
//!   the search stops when a step improves the best cost by less than `abstol` = 1e−7.
//!
//! The limits are the 2.5 and 97.5 % quantiles of the fitted Box–Cox normal, or its quantiles at
//! other percentiles ([`KosmicFit::limits_at`]; tidykosmic's `quantile(fit, probs)` reads the same
//! fitted model at the probabilities asked for). This follows the
//! paper and the authors' C++ library (read to understand it: its start simplex, in which the
//! second vertex keeps μ at the mode, its Nelder–Mead rules and its λ grid are followed so that the
//! results are comparable); the cost over all truncation pairs is computed with convex hulls
//! instead of kosmic's triple loop (same values to rounding, far fewer operations). Values below a
//! detection limit enter as censored: their mass lies below the limit in F, and t₁ is searched at
//! or above the limit only.

use super::kosmic_cost::{min_cost_on, needed, Candidates, Scratch};
use super::refiner::{box_cox, inv_box_cox};
use super::{check_values, Limits};
use crate::error::{num, RefintError, Result};
pub use crate::grouped::Censored;
use crate::stats::{quantile7, sorted};
use dimorph_core::dist::{pnorm, qnorm};
use dimorph_report::fmt::sig;
use serde::Serialize;

/// Fewest values the method accepts (kosmic itself needs 6 classes; 100 values are the least that
/// make its 5–30 % and 70–95 % search ranges more than a few values wide).
pub const MIN_N: usize = 100;
/// Most classes the grid may have (the range of the values times 10^decimals).
pub const MAX_CLASSES: usize = 200_000;
/// Fewest classes between the 5 % and 95 % points that the default `decimals` aims at.
pub const DEFAULT_CENTRAL_CLASSES: f64 = 200.0;
/// kosmic's search ranges of the truncation points (shares of the data) and the share whose
/// point gives the start value of σ.
const T1_RANGE: (f64, f64) = (0.05, 0.30);
const T2_RANGE: (f64, f64) = (0.70, 0.95);
const SD_SHARE: f64 = 0.80;
/// kosmic's convergence tolerance on the cost.
const ABS_TOL: f64 = 1e-7;
/// Nelder–Mead steps at most for one λ (kosmic has no limit; a search that has not converged
/// after this many steps keeps its best vertex).
const MAX_STEPS: usize = 20_000;

/// The fitted model, the truncation interval and the limits.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct KosmicFit {
    /// Box–Cox exponent, mean and SD on the transformed scale.
    pub lambda: f64,
    pub mu: f64,
    pub sigma: f64,
    /// The cost at the optimum (scaled Kolmogorov–Smirnov distance).
    pub cost: f64,
    /// The truncation interval [t1, t2) on the original scale.
    pub t1: f64,
    pub t2: f64,
    /// Decimals of the class grid, and its number of classes.
    pub decimals: i32,
    pub classes: usize,
    /// Values below a detection limit that entered as censored.
    pub censored: usize,
    /// 2.5 and 97.5 % quantiles of the fitted distribution (other percentiles:
    /// [`KosmicFit::limits_at`]).
    pub lower: f64,
    pub upper: f64,
}

impl KosmicFit {
    /// The limits at the percentiles `p` (fractions, lower and upper): the quantiles of the fitted
    /// Box–Cox normal ([`quantile`]). At (0.025, 0.975) these are [`KosmicFit::lower`] and
    /// [`KosmicFit::upper`].
    pub fn limits_at(&self, p: (f64, f64)) -> (f64, f64) {
        (
            quantile(p.0, self.lambda, self.mu, self.sigma),
            quantile(p.1, self.lambda, self.mu, self.sigma),
        )
    }
}

/// The decimals the values are recorded with (0 to 9; 9 when they have more).
pub fn recorded_decimals(x: &[f64]) -> i32 {
    (0..9)
        .find(|&d| {
            let f = 10f64.powi(d);
            x.iter().all(|v| {
                let r = (v * f).round();
                (v * f - r).abs() <= 1e-6 * r.abs().max(1.0)
            })
        })
        .unwrap_or(9)
}

/// kosmic's `decimals` when not given: the fewest (from 0, at most the data's own) that put at
/// least [`DEFAULT_CENTRAL_CLASSES`] classes between the 5 % and 95 % points of the sorted values
/// — or one fewer, when that many would be more central classes than there are values (the
/// empirical CDF cannot resolve them, and the search's cost grows with the square of the classes:
/// 100 values with four decimals took 1,840 classes and 40 s, with 184 classes 1 s).
pub fn default_decimals(sorted: &[f64]) -> i32 {
    let own = recorded_decimals(sorted);
    let spread = quantile7(sorted, 0.95) - quantile7(sorted, 0.05);
    let central = |d: i32| spread * 10f64.powi(d);
    let d = (0..own).find(|&d| central(d) >= DEFAULT_CENTRAL_CLASSES).unwrap_or(own);
    if d > 0 && central(d) > sorted.len() as f64 {
        d - 1
    } else {
        d
    }
}

/// The class grid: class values, empirical CDF, the index of the detection limit's class.
#[derive(Debug, Clone)]
pub struct Grid {
    pub x: Vec<f64>,
    pub counts: Vec<f64>,
    /// First class at or above the detection limit (0 without censored values).
    pub first_observed: usize,
}

impl Grid {
    /// Rounds sorted values to `d` decimals and counts them on the grid; censored values are one
    /// class below the limit's class (the grid extended down when needed). None when the grid
    /// would have more than [`MAX_CLASSES`] classes.
    pub fn new(sorted: &[f64], d: i32, censored: Option<Censored>) -> Option<Grid> {
        let f = 10f64.powi(d);
        let r: Vec<f64> = sorted.iter().map(|v| (v * f).round()).collect();
        let (mut lo, hi) = (*r.first()?, *r.last()?);
        let cens = censored.filter(|c| c.n > 0).map(|c| ((c.limit * f).round(), c.n));
        if let Some((l, _)) = cens {
            lo = lo.min(l - 1.0);
        }
        let classes = hi - lo + 1.0;
        if !(classes.is_finite() && classes <= MAX_CLASSES as f64) {
            return None;
        }
        let nc = classes as usize;
        let mut counts = vec![0.0; nc];
        for v in &r {
            counts[(v - lo) as usize] += 1.0;
        }
        let mut first_observed = 0;
        if let Some((l, n)) = cens {
            let k = (l - lo) as usize;
            counts[k - 1] += n as f64;
            first_observed = k;
        }
        let x = (0..nc).map(|i| (lo + i as f64) / f).collect();
        Some(Grid {
            x,
            counts,
            first_observed,
        })
    }

    /// The empirical CDF of counts (possibly resampled) on this grid.
    pub fn cdf(counts: &[f64]) -> Vec<f64> {
        let n: f64 = counts.iter().sum();
        let mut acc = 0.0;
        counts
            .iter()
            .map(|c| {
                acc += c;
                acc / n
            })
            .collect()
    }
}

/// The search set-up read off the empirical CDF: candidates of t₁ and t₂, the mode and the class
/// of the 80 % point; None when kosmic's checks fail (fewer than 6 classes, ranges that overlap,
/// the mode at an end of the grid).
#[derive(Debug, Clone, Copy)]
pub struct Setup {
    pub cand: Candidates,
    pub mode: usize,
    pub sd: usize,
}

/// kosmic's set-up of the search on the empirical CDF `f`; t₁ starts at `first_observed` at least.
pub fn setup(f: &[f64], first_observed: usize) -> Option<Setup> {
    let nc = f.len();
    if nc < 6 {
        return None;
    }
    let first = |pred: &dyn Fn(f64) -> bool| (0..nc - 1).find(|&i| pred(f[i + 1]));
    let t1min = first(&|v| v >= T1_RANGE.0)?.max(first_observed);
    let t1max = first(&|v| v > T1_RANGE.1)?;
    let t2min = first(&|v| v >= T2_RANGE.0)?;
    let t2max = first(&|v| v > T2_RANGE.1)?;
    let sd = (0..nc - 1).find(|&i| f[i] >= SD_SHARE)?;
    // the mode: the class with the largest count after the first (as kosmic, which needs one
    // larger than the first class's); with censored values, the largest observed class
    let (mut best, mut mode) = (if first_observed == 0 { f[0] } else { 0.0 }, None);
    for i in first_observed.saturating_sub(1).max(1)..nc - 1 {
        if f[i + 1] - f[i] > best {
            best = f[i + 1] - f[i];
            mode = Some(i + 1);
        }
    }
    let mode = mode?;
    let ok = t1min < t1max && t1max + 1 < t2min && t2min < t2max && mode + 1 < nc;
    ok.then_some(Setup {
        cand: Candidates {
            t1: (t1min, t1max),
            t2: (t2min, t2max),
        },
        mode,
        sd,
    })
}

/// A vertex of the simplex: (μ, σ), its cost and interval.
#[derive(Clone, Copy)]
struct Vertex {
    p: (f64, f64),
    cost: f64,
    t: (usize, usize),
}

/// Evaluates models (μ, σ) on the transformed grid, at the classes `pts` that can decide a cost
/// ([`needed`]).
struct Evaluator<'a> {
    xt: &'a [f64],
    f: &'a [f64],
    pts: &'a [usize],
    cand: Candidates,
    phi: Vec<f64>,
    scratch: Scratch,
}

impl Evaluator<'_> {
    fn at(&mut self, p: (f64, f64)) -> Vertex {
        let (mu, sigma) = p;
        let none = Vertex {
            p,
            cost: f64::INFINITY,
            t: (0, 0),
        };
        if !(sigma > 0.0 && mu.is_finite() && sigma.is_finite()) {
            return none;
        }
        for &i in self.pts {
            let t = self.xt[i];
            // a class at or below 0 (log 0 = -inf; NaN for a negative class) holds no model mass
            self.phi[i] = if t.is_nan() || t == f64::NEG_INFINITY {
                0.0
            } else {
                pnorm((t - mu) / sigma)
            };
        }
        match min_cost_on(self.f, &self.phi, self.pts, self.cand, &mut self.scratch) {
            Some(i) => Vertex {
                p,
                cost: i.cost,
                t: (i.t1, i.t2),
            },
            None => none,
        }
    }
}

fn lin(a: (f64, f64), wa: f64, b: (f64, f64), wb: f64) -> (f64, f64) {
    (a.0 * wa + b.0 * wb, a.1 * wa + b.1 * wb)
}

/// Orders the simplex by cost as kosmic's three-element sorting network does (ties as it).
fn order(s: &mut [Vertex; 3]) {
    if s[0].cost < s[1].cost {
        if s[1].cost > s[2].cost {
            s.swap(1, 2);
            if s[0].cost > s[1].cost {
                s.swap(0, 1);
            }
        }
    } else if s[1].cost < s[2].cost {
        s.swap(0, 1);
        if s[1].cost > s[2].cost {
            s.swap(1, 2);
        }
    } else {
        s.swap(0, 2);
    }
}

/// One Nelder–Mead step (reflection 1, expansion 2, contraction ½, shrink ½); returns the best
/// cost at its start.
fn step(s: &mut [Vertex; 3], e: &mut Evaluator) -> f64 {
    order(s);
    let m = lin(s[0].p, 0.5, s[1].p, 0.5);
    let mut r = e.at(lin(m, 2.0, s[2].p, -1.0));
    if r.cost < s[0].cost {
        let x = e.at(lin(m, 3.0, s[2].p, -2.0));
        s[2] = if x.cost < r.cost { x } else { r };
        return s[0].cost;
    } else if r.cost < s[1].cost {
        s[2] = r;
        return s[0].cost;
    }
    if r.cost > s[2].cost {
        r = s[2];
    }
    let c = e.at(lin(m, 0.5, r.p, 0.5));
    if c.cost < s[2].cost {
        s[2] = c;
        return s[0].cost;
    }
    s[1] = e.at(lin(s[0].p, 0.5, s[1].p, 0.5));
    s[2] = e.at(lin(s[0].p, 0.5, s[2].p, 0.5));
    s[0].cost
}

/// Whether two simplices are the same to the bit (points, costs and intervals).
fn same(a: &[Vertex; 3], b: &[Vertex; 3]) -> bool {
    a.iter().zip(b).all(|(u, v)| {
        u.p.0.to_bits() == v.p.0.to_bits()
            && u.p.1.to_bits() == v.p.1.to_bits()
            && u.cost.to_bits() == v.cost.to_bits()
            && u.t == v.t
    })
}

/// The best (μ, σ) on the transformed grid `xt` by Nelder–Mead from kosmic's start simplex.
fn best_normal(xt: &[f64], f: &[f64], pts: &[usize], su: &Setup) -> Vertex {
    let mut e = Evaluator {
        xt,
        f,
        pts,
        cand: su.cand,
        // read at `pts` only
        phi: vec![f64::NAN; xt.len()],
        scratch: Scratch::default(),
    };
    let (m, width) = (xt[su.mode], xt[su.mode + 1] - xt[su.mode - 1]);
    let spread = xt[su.sd] - m;
    let mut s = [
        e.at((m, spread)),
        e.at((m, width)),
        e.at((1.05 * m, (width + spread) / 2.0)),
    ];
    let mut last = step(&mut s, &mut e);
    for _ in 0..MAX_STEPS {
        dimorph_core::interrupt::poll();
        let before = s;
        let now = step(&mut s, &mut e);
        if now != last {
            if last - now < ABS_TOL {
                break;
            }
            last = now;
        } else if same(&before, &s) {
            // a fixed point (the simplex collapsed onto one point): every further step would
            // leave it as it is, up to MAX_STEPS, so stopping here returns the same vertex
            break;
        }
    }
    s[0]
}

/// Fits the model on a grid's empirical CDF `f` (the original or a resample's): λ over 0, 0.1,
/// …, 1, then ±0.09 around the best in steps of 0.01 (kosmic's grid, accumulated as it does).
/// Returns λ and the best vertex; None when the set-up fails or no model has a finite cost.
fn fit_cdf(x: &[f64], f: &[f64], first_observed: usize) -> Option<(f64, Vertex)> {
    let su = setup(f, first_observed)?;
    let pts = needed(f, su.cand);
    let mut xt = vec![0.0; x.len()];
    let mut at = |lambda: f64| {
        for (t, v) in xt.iter_mut().zip(x) {
            *t = box_cox(*v, lambda);
        }
        best_normal(&xt, f, &pts, &su)
    };
    let mut best: Option<(f64, Vertex)> = None;
    let mut lambda = 0.0;
    while lambda <= 1.0 {
        let v = at(lambda);
        if best.is_none_or(|b| v.cost < b.1.cost) {
            best = Some((lambda, v));
        }
        lambda += 0.1;
    }
    let coarse = best?.0;
    let mut fine = best;
    let mut lambda = (coarse - 0.09).max(0.0);
    while lambda < (coarse + 0.1).min(1.0) {
        if lambda != coarse {
            let v = at(lambda);
            if fine.is_none_or(|b| v.cost < b.1.cost) {
                fine = Some((lambda, v));
            }
        }
        lambda += 0.01;
    }
    fine.filter(|b| b.1.cost.is_finite())
}

/// Quantile `p` of the Box–Cox normal (λ, μ, σ), untruncated as kosmic's (0 where the inverse
/// transformation is not defined).
pub fn quantile(p: f64, lambda: f64, mu: f64, sigma: f64) -> f64 {
    inv_box_cox(mu + sigma * qnorm(p), lambda)
}

/// Fits kosmic to the counts of `grid` (the original or resampled); `decimals` and the censored
/// count are recorded in the fit.
pub fn fit_grid(grid: &Grid, counts: &[f64], decimals: i32, censored: usize) -> Option<KosmicFit> {
    let f = Grid::cdf(counts);
    let (lambda, v) = fit_cdf(&grid.x, &f, grid.first_observed)?;
    let (mu, sigma) = v.p;
    Some(KosmicFit {
        lambda,
        mu,
        sigma,
        cost: v.cost,
        t1: grid.x[v.t.0],
        t2: grid.x[v.t.1],
        decimals,
        classes: grid.x.len(),
        censored,
        lower: quantile(0.025, lambda, mu, sigma),
        upper: quantile(0.975, lambda, mu, sigma),
    })
}

/// Checks the values, builds the grid (at `decimals`, or [`default_decimals`]) and fits.
/// `censored` values below a detection limit enter as censored.
pub fn fit(what: &str, x: &[f64], decimals: Option<i32>, censored: Option<Censored>) -> Result<(KosmicFit, Grid)> {
    check_values(
        what,
        "kosmic",
        x,
        MIN_N,
        Some("the Box-Cox transformation of --method kosmic"),
    )?;
    let s = sorted(x);
    let d = decimals.unwrap_or_else(|| default_decimals(&s));
    let undefined = |reason: String| RefintError::Undefined {
        what: what.into(),
        statistic: "the kosmic reference interval".into(),
        reason,
    };
    let grid = Grid::new(&s, d, censored).ok_or_else(|| {
        undefined(format!(
            "the values span {} to {}: at {d} decimals that is more than {MAX_CLASSES} classes (give fewer \
             --decimals)",
            sig(s[0], 6),
            sig(s[s.len() - 1], 6)
        ))
    })?;
    let cn = censored.map_or(0, |c| c.n);
    let counts = grid.counts.clone();
    let f = fit_grid(&grid, &counts, d, cn).ok_or_else(|| {
        undefined(format!(
            "at {d} decimals the {} classes do not allow kosmic's search (its truncation ranges, the 5–30 % \
             and 70–95 % points, overlap or the mode is at an end: the values are too coarse; give more \
             --decimals) or no model has a finite cost",
            grid.x.len()
        ))
    })?;
    Ok((f, grid))
}

/// The limits of a fit at the percentiles `p` (fractions; [`KosmicFit::limits_at`]), the model
/// and the truncation in the method's name.
pub fn limits(f: &KosmicFit, n: usize, p: (f64, f64)) -> Limits {
    let (lower, upper) = f.limits_at(p);
    let mut remarks = Vec::new();
    if lower <= 0.0 {
        remarks.push(format!(
            "the lower limit is 0: the fitted Box-Cox normal (lambda {}) puts more than {} % below the \
             transformation's boundary",
            sig(f.lambda, 3),
            num(100.0 * p.0)
        ));
    }
    Limits {
        method: format!(
            "kosmic (Box-Cox lambda {}, mu {}, sigma {}, truncation {} to {}, {} decimals{})",
            num((f.lambda * 100.0).round() / 100.0),
            sig(f.mu, 5),
            sig(f.sigma, 5),
            num(f.t1),
            num(f.t2),
            f.decimals,
            if f.censored > 0 {
                format!(", {} censored", f.censored)
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
        remarks,
    }
}
