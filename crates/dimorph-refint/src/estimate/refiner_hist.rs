//! refineR's histogram, cost and search as a whole, the alternative to [`super::refiner`]'s quantile bins (Ammer,
//! Schützenmeister, Prokosch, Rauh, Rank & Zierk 2021, *refineR: a novel algorithm for reference
//! interval estimation from real-world data*, Sci Rep 11:16023, Methods "Cost function"; the
//! details follow refineR 2.0.0's `R/algoInvHist.R` (`estimateAB`, `generateHistData`,
//! `calculateCostHist`) and `R/utils.R` (`findRoundingBase`), read to understand them; written
//! here from that understanding, not translated).
//!
//! **Rounding unit.** The differences between neighbouring distinct values within the central
//! 95 % are tallied; differences seen in fewer than 1 % of the pairs are dropped, each
//! difference collects the tallies of its integer multiples, and the largest difference still
//! holding 10 % of the tally is the rounding unit u (none for continuous data).
//!
//! **Peak region [a, b].** On a finely smoothed density (an averaged shifted histogram, 512 bins,
//! 24 shifts, Epanechnikov weights) of the data (rounded data first spread evenly over their
//! rounding interval): start from [Q₀.₀₁ − 0.1 r, Q₀.₉₉ + 0.1 r], r = Q₀.₉₉ − Q₀.₀₁; move the upper
//! end by bisection until the share of low density (weights clamp(2 − 5·y/y_max, 0, 1) of the
//! density made monotone away from the mode) is 85–86 % (kept at once when below 86 %), widen it
//! by half the region; then, outward from the half-maximum points, extend each end while the
//! density beyond it sums to less than 1.3 × the area between the half-maximum points, stopping
//! at a second rise (density above its running minimum + half the maximum).
//!
//! **Histogram.** K = min(40, max(9, 11·(n_ab/5000)^{1/5})) wide bins over [a, b], each slid by
//! a fine step, so that the region holds K·V overlapping bins of width V steps (V = round(256/K);
//! for rounded data the step is a multiple of u, the region's ends lie half-way between rounded
//! values and V = round((b − a)/step/K)); one bin (min x, a] below the region and one (b, max x]
//! above it. The model's count of a bin is `c_i = N·(Φ(z_R) − Φ(z_L)) / (Φ(z_max) − Φ(z_min))`
//! (the normal renormalised to the data's range), z = (T_λ(edge) − μ)/σ, N all values.
//!
//! **Cost** of a candidate (λ, μ, σ, P), with a relaxation factor ρ ∈ {1, and
//! PM/(r·PM + √(PM))² for r = 0.005, 0.003, 0.001 where in (0.001, 1)}, M the largest c_i of the
//! region, and e_i = ρ·P·c_i: bin i is judged when c_i ≥ 20 and ρ·o_i lies in the asymmetric
//! band [e_i − z√e_i, e_i + P·z√e_i] (z = z₀.₉₉₅); with S the judged bins,
//!
//! ```text
//!   cost = −( Σ_S [½ ln(e_i/2π) − ½ (ρ o_i − e_i)²/e_i]  +  |S|·ln(r₈₀·r₂₀ᴸ·r₂₀ᴿ) ) / √|S|,
//! ```
//!
//! r₈₀ = min(1, Σ o over judged bins with c ≥ 0.8 M / Σ o over the other bins with c ≥ 0.8 M)²,
//! r₂₀ᴸ = min(1, (Σ o / Σ c over bins left of the mode with c ≤ 0.2 M, and the bin below the
//! region) / P)², r₂₀ᴿ likewise on the right, each at least 0.01². A candidate is costed only
//! when more than K·V/16 bins have c_i ≥ 20, its 0.5 % point T_λ⁻¹(μ − zσ) is positive, more
//! than K·V/32 bins are judged and at least a fifth of the bins with c ≥ 0.95 M (or the only
//! one); P runs upward over [`PeakHist::p_bracket`]'s values and stops after the first P with
//! more than ⌈0.05·(K·V + 2)⌉ bins below their band (at ρ = 1).
//!
//! **Search** ([`fit_sorted_refiner`]): λ over (k/12)^1.817 for k = 0, …, 12 and then 12 values
//! around the best; at each λ, μ and σ over ranges from the widths of the transformed values' main
//! peak ([`search_ranges`]) on a 9 × 13 grid, then 6 rounds of an adapted grid.
//!
//! The main peak, wherever one is needed (the mode of the region search, the transformed values'
//! peak of the search ranges), is refineR's ([`super::refiner_peak`]: areas between valleys
//! and peak heights weighed, not the highest point; session 10).
//!
//! Differences from refineR: the spreading of rounded values is even rather than random ([`spread`]: over each run of equal
//! values, so that it spreads at every n; until session 11 it spread each value over k copies, which is no spread at all
//! where k = 1, n > 50,000), Φ is exact (refineR interpolates a table), and the histogram is made once
//! from x (at a shift s the edges are transformed as T_λ(e − s); refineR rebuilds it from x − s).
//! On refineR's five test cases the rounding unit, the region (to one rounding unit) and the bins
//! are refineR's (tests below; bench/refint_ribench_cost.R prints refineR's).
//!
//! Status (session 10): the default of `--method refiner --model boxcox` ([`COST`], through
//! [`super::refiner_modbc::fit_sorted_model`]; where this search costs no candidate — session 9:
//! one RIbench set, CRP at N = 500,000 rounded to 0.1; none since session 10 — the quantile cost's
//! fit is used). On the three RIbench subsets of tests/ribench.rs, with rounded zeros censored
//! ([`super::refiner_zeros`], the default): first 7.07 %, held-out 11.56 %, third 8.31 % against
//! refineR's 7.02, 13.37 and 9.27 % (session 11, [`spread`] spreading at every n; before it
//! 7.14, 12.48 and 9.76 %: at n > 50,000 rounded data stayed on its grid, and the third subset's
//! CRP 5142 and LACT 2751, N = 500,000 rounded to 0.1, fitted a wrong basin; the quantile cost 9.83, 18.96 and
//! 28.85 %); on refineR's five test cases its limits are within 0.37 % of refineR's (session 9:
//! 8.94, 15.56, 13.43 % and 1.65 %: r₈₀'s empty sum was −0, which floored the regularisation where
//! every central bin was judged; refineR's main peak replaced the highest point). With censored
//! values set aside the limits are refineR's, biased as refineR's are (tests/censored.rs). `--model modboxcox` keeps the quantile cost: with this
//! one the modified Box–Cox fits repeat refineR's own misses on tests/refiner_modboxcox.rs's
//! generated sets. A fit takes about 0.3 s against the quantile cost's 0.07 s, so a bootstrap of
//! `--nboot N` resamples takes about 0.3·N s.

use super::refiner::{phi, shifted_box_cox, Cand, Objective, RefinerFit};
use super::refiner_peak::{ash, weighted_mode};
use crate::grouped::Censored;
use crate::stats::quantile7;

/// Two-sided 99 % band (refineR's α = 0.01).
const Z_BAND: f64 = 2.575_829_303_548_900_4;
/// Smallest model count of a judged bin.
const C_MIN: f64 = 20.0;

/// The rounding unit of sorted values (None for continuous data): see the module doc.
pub fn rounding_unit(x: &[f64]) -> Option<f64> {
    if x.len() < 2 {
        return None;
    }
    let (lo, hi) = (quantile7(x, 0.025), quantile7(x, 0.975));
    let mut tally: Vec<(f64, f64)> = Vec::new();
    let mut prev: Option<f64> = None;
    for &v in x.iter().filter(|v| **v >= lo && **v <= hi) {
        if let Some(p) = prev {
            let d = ((v - p) * 1e10).round() / 1e10;
            if d > 0.0 {
                match tally.iter_mut().find(|(k, _)| *k == d) {
                    Some(t) => t.1 += 1.0,
                    None => tally.push((d, 1.0)),
                }
            }
        }
        if prev != Some(v) {
            prev = Some(v);
        }
        if tally.len() > 5000 {
            return None;
        }
    }
    let total: f64 = tally.iter().map(|t| t.1).sum();
    tally.retain(|t| t.1 >= 0.01 * total);
    tally.sort_by(|a, b| a.0.total_cmp(&b.0));
    for i in 0..tally.len() {
        if tally[i].1 <= 0.0 {
            continue;
        }
        for j in 0..tally.len() {
            let r = tally[j].0 / tally[i].0;
            if j != i && r > 1.5 && ((r * 1e9).round() / 1e9 - r.round()).abs() < 1e-12 {
                tally[i].1 += tally[j].1;
                tally[j].1 = 0.0;
            }
        }
    }
    let total: f64 = tally.iter().map(|t| t.1).sum();
    tally
        .iter()
        .filter(|t| t.1 > 0.0 && t.1 >= 0.1 * total)
        .map(|t| t.0)
        .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.max(d))))
}

/// The mode of sorted `x` on [a, b): refineR's main peak ([`super::refiner_peak::main_peak`], 24
/// shifts, areas and heights; `prev` the previous peak's location); the smoothed density's highest
/// bin (refined by the density-weighted mean of it and its neighbours) where that is not defined.
fn mode(x: &[f64], a: f64, b: f64, prev: Option<f64>) -> f64 {
    if let Some(p) = super::refiner_peak::main_peak(x, a, b, 24, true, prev) {
        return p.mode;
    }
    let (xs, y) = ash(x, a, b, 512, 24);
    peak_of(&xs, &y).1
}

/// Index of the centre nearest `v`.
fn nearest(xs: &[f64], v: f64) -> usize {
    (0..xs.len()).fold(0, |m, i| if (xs[i] - v).abs() < (xs[m] - v).abs() { i } else { m })
}

/// The share of low density in [a, b) around the mode (see the module doc).
fn low_density_share(x: &[f64], a: f64, b: f64, peak: f64) -> f64 {
    let (xs, y) = ash(x, a, b, 512, 24);
    let k = nearest(&xs, peak);
    let mut env = Vec::with_capacity(y.len() + 1);
    let mut run = f64::INFINITY;
    for v in y[..=k].iter().rev() {
        run = run.min(*v);
        env.push(run);
    }
    run = f64::INFINITY;
    for v in &y[k..] {
        run = run.min(*v);
        env.push(run);
    }
    let top = env.iter().fold(0.0f64, |m, v| m.max(*v));
    if top <= 0.0 {
        return 1.0;
    }
    env.iter().map(|v| (2.0 - 5.0 * v / top).clamp(0.0, 1.0)).sum::<f64>() / env.len() as f64
}

/// One side's ends of the regions, walking outward from the half-maximum point over the centres
/// `xs` with densities `y` (both ordered outward): the last centre whose outer area stays below
/// 1.3 × `area50` (histogram region) and 1.1 × `area50` (search region), or the centre of a
/// second rise for both.
fn side_end(xs: &[f64], y: &[f64], area50: f64, ymax: f64, start: f64) -> (f64, f64) {
    let (mut hist, mut search) = (start, start);
    if y.len() <= 1 {
        return (hist, search);
    }
    let (mut ymin, mut cum) = (ymax, 0.0);
    for (xv, yv) in xs.iter().zip(y) {
        if *yv < 0.5 * ymax && *yv < ymin {
            ymin = *yv;
        }
        if *yv > ymin + 0.5 * ymax {
            return (*xv, *xv);
        }
        cum += yv;
        if cum < 1.3 * area50 {
            hist = *xv;
        }
        if cum < 1.1 * area50 {
            search = *xv;
        }
    }
    (hist, search)
}

/// The peak region [a, b] of sorted `x` (see the module doc): the histogram's.
pub fn region(x: &[f64]) -> (f64, f64) {
    regions(x).0
}

/// The search region of sorted `x`: as [`region`], its ends where 1.1 × the central area lies
/// beyond them; μ and σ's ranges are taken from the values within it.
fn region_search(x: &[f64]) -> (f64, f64) {
    regions(x).1
}

/// The histogram's and the search's regions of sorted `x`.
fn regions(x: &[f64]) -> ((f64, f64), (f64, f64)) {
    let qq = [0.0, 0.01, 0.95, 0.99, 0.999].map(|p| quantile7(x, p));
    let r = qq[3] - qq[1];
    let a = (qq[1] - 0.1 * r).max(qq[0]).max(1e-20);
    let hist_max = (qq[3] + 0.1 * r).min(qq[4]);
    let (mut hist, mut b) = ((a, hist_max), hist_max);
    let p0 = qq[1].max(1e-20);
    let det = (p0 - 0.01 * (qq[3] - p0), qq[3]);
    let mut step = 0.5 * (b - a);
    let mut peak = mode(x, det.0, det.1, None);
    for iter in 1..=30 {
        if !(b > a && b > det.0) {
            break;
        }
        let top = b.min(det.1);
        let lo = det.0.max(1e-20);
        if top > lo {
            peak = mode(x, lo - 0.01 * (top - lo), top, None);
        }
        let share = low_density_share(x, a, b, peak);
        if (iter == 1 || share > 0.85) && share < 0.86 {
            hist = (a, (b + 0.5 * (b - a)).min(hist_max));
            break;
        } else if share >= 0.86 {
            b -= step;
        } else {
            b += step;
        }
        step *= 0.5;
    }
    let (a, b) = hist;
    let (xs, y) = ash(x, a, b, 512, 24);
    let k = nearest(&xs, mode(x, a, b, Some(peak)));
    let ymax = y[k];
    let il = (0..k).rev().find(|i| y[*i] < 0.5 * ymax).unwrap_or(1).max(1);
    let ir = (k + 1..y.len())
        .find(|i| y[*i] < 0.5 * ymax)
        .unwrap_or(y.len() - 2)
        .min(y.len() - 2);
    let area50: f64 = y[il..=ir].iter().sum();
    let (lx, ly): (Vec<f64>, Vec<f64>) = (0..il).rev().map(|i| (xs[i], y[i])).unzip();
    let (rx, ry): (Vec<f64>, Vec<f64>) = (ir + 1..y.len()).map(|i| (xs[i], y[i])).unzip();
    let (l, r) = (side_end(&lx, &ly, area50, ymax, a), side_end(&rx, &ry, area50, ymax, b));
    ((l.0, r.0), (l.1, r.1))
}

/// Sorted rounded values spread evenly over their rounding interval, or the values themselves:
/// each value repeated k = max(1, ⌊100,000/n⌋) times (refineR's `defineSearchRegions` repeats
/// them so and jitters them at random), the L·k copies of a value v that occurs L times placed at
/// v + u·((j + ½)/(L·k) − ½), j = 0, …, L·k − 1; sorted. Spreading each run of equal values, not
/// each value, keeps the spread where k = 1 (n > 50,000), where refineR still jitters (session 11:
/// before, such data stayed on its grid, and the search ranges came from a density of spikes).
fn spread(x: &[f64], unit: Option<f64>) -> Vec<f64> {
    let Some(u) = unit else { return x.to_vec() };
    let k = (100_000 / x.len().max(1)).max(1);
    let mut v = Vec::with_capacity(k * x.len());
    let mut i = 0;
    while i < x.len() {
        let w = x[i];
        let run = x[i..].partition_point(|y| *y <= w).max(1);
        let m = (run * k) as f64;
        v.extend((0..run * k).map(|j| w + u * ((j as f64 + 0.5) / m - 0.5)));
        i += run;
    }
    // Values off the grid (a few with more decimals, or float noise such as 0.30000000000000004)
    // make neighbouring runs overlap; the region search reads the result as sorted.
    v.sort_unstable_by(f64::total_cmp);
    v
}

/// refineR's histogram of the peak region (see the module doc).
pub struct PeakHist {
    /// Fine breaks over the region (K·V + V of them).
    fine: Vec<f64>,
    /// Overlap V: a wide bin spans V fine steps.
    overlap: usize,
    /// Counts: the bin below the region, the K·V wide bins, the bin above.
    counts: Vec<f64>,
    /// Lower edge of the bin below the region and upper edge of the bin above.
    low: f64,
    high: f64,
    /// All values.
    n: f64,
    /// Values at or below each fine break (censored ones included).
    cum: Vec<f64>,
}

impl PeakHist {
    /// The histogram of sorted positive `x` (with `censored` values below a limit in the bin
    /// below the region, whose lower end is then raised to the limit).
    pub fn new(x: &[f64], censored: Option<Censored>) -> PeakHist {
        let unit = rounding_unit(x);
        let (mut a, mut b) = region(&spread(x, unit));
        let cens = censored.filter(|c| c.n > 0 && c.limit > 0.0);
        if let Some(c) = cens.filter(|c| c.limit > a) {
            b = c.limit + (b - a);
            a = c.limit;
        }
        let inside = x
            .partition_point(|v| *v <= b)
            .saturating_sub(x.partition_point(|v| *v < a));
        let mut k = (11.0 * (inside as f64 / 5000.0).powf(0.2)).clamp(9.0, 40.0);
        let mut overlap = (256.0 / k).round() as usize;
        if let Some(u) = unit {
            let step = ((b - a) / 256.0 / u).ceil() * u;
            overlap = (((b - a) / step / k).round() as usize).max(1);
            let lo = x.partition_point(|v| *v < a);
            let mut distinct = 0usize;
            for i in lo..x.len() {
                if x[i] > b {
                    break;
                }
                if i == lo || x[i] != x[i - 1] {
                    distinct += 1;
                }
            }
            if (distinct as f64) < k {
                k = (distinct as f64 / overlap as f64).ceil();
            }
            a = (0.5 * u).max((a / u).round() * u - 0.5 * u);
            if let Some(c) = cens {
                a += ((c.limit - a) / u).ceil().max(0.0) * u;
            }
            let total = k.round() as usize * overlap;
            b = a + (total + overlap - 1) as f64 * step;
        }
        let total = (k.round() as usize).max(1) * overlap;
        let fine: Vec<f64> = (0..total + overlap)
            .map(|i| a + (b - a) * i as f64 / (total + overlap - 1) as f64)
            .collect();
        let at = |e: f64| x.partition_point(|v| *v <= e) as f64;
        let fc: Vec<f64> = fine.windows(2).map(|w| at(w[1]) - at(w[0])).collect();
        let mut counts = Vec::with_capacity(total + 2);
        let nc = cens.map_or(0.0, |c| c.n as f64);
        counts.push(at(a) + nc);
        counts.extend((0..total).map(|i| fc[i..i + overlap].iter().sum::<f64>()));
        counts.push(x.len() as f64 - at(b));
        let low = if x.first().is_some_and(|v| *v <= a) || nc > 0.0 {
            x[0].min(a).max(1e-20)
        } else {
            a
        };
        let high = x.last().copied().filter(|v| *v > b).unwrap_or(b);
        let cum = fine.iter().map(|e| at(*e) + nc).collect();
        PeakHist {
            cum,
            fine,
            overlap,
            counts,
            low: if nc > 0.0 { 1e-20 } else { low },
            high,
            n: x.len() as f64 + nc,
        }
    }

    /// The region [a, b] the wide bins cover.
    pub fn region(&self) -> (f64, f64) {
        (self.fine[0], self.fine[self.fine.len() - 1])
    }

    /// Number of bins: the K·V wide ones and the two outside the region.
    pub fn bin_count(&self) -> usize {
        self.counts.len()
    }
}

/// min(1, r)² floored at 0.01², with a ratio that is not a number (0/0, x/0) as 1.
fn ratio_term(r: f64) -> f64 {
    if r.is_nan() {
        1.0
    } else {
        r.clamp(0.01, 1.0).powi(2)
    }
}

impl PeakHist {
    /// The model counts c_i of the bins for (μ, σ) on transformed edges `te`, and the factor
    /// N/(Φ(z_max) − Φ(z_min)) that makes probabilities counts; None when the data's range
    /// carries no model mass.
    fn model_counts(&self, te: &[f64], mu: f64, sigma: f64, out: &mut Vec<f64>) -> Option<f64> {
        let nf = self.fine.len();
        let f: Vec<f64> = te[..nf].iter().map(|t| phi(*t, mu, sigma)).collect();
        let (f_low, f_high) = (phi(te[nf], mu, sigma), phi(te[nf + 1], mu, sigma));
        let mass = f_high - f_low;
        if mass.partial_cmp(&1e-12) != Some(std::cmp::Ordering::Greater) {
            return None;
        }
        let c = self.n / mass;
        out.clear();
        out.push((c * (f[0] - f_low)).max(0.0));
        out.extend((0..nf - self.overlap).map(|i| (c * (f[i + self.overlap] - f[i])).max(0.0)));
        out.push((c * (f_high - f[nf - 1])).max(0.0));
        Some(c)
    }
}

impl PeakHist {
    /// Edge e of the table [low, fine breaks…, high] (bin 0 spans edges 0–1, wide bin i spans
    /// i – i + V, the last bin nf – nf + 1): its index into `te` and the values at or below it.
    fn edge(&self, e: usize) -> (usize, f64) {
        let nf = self.fine.len();
        if e == 0 {
            (nf, 0.0)
        } else if e == nf + 1 {
            (nf + 1, self.n)
        } else {
            (e - 1, self.cum[e - 1])
        }
    }

    /// Bin i's edges in the edge table of [`PeakHist::edge`].
    fn bin_edges(&self, i: usize, k: usize) -> (usize, usize) {
        if i + 1 == k {
            (self.fine.len(), self.fine.len() + 1)
        } else if i == 0 {
            (0, 1)
        } else {
            (i, i + self.overlap)
        }
    }

    /// The P values tried for a candidate, bracketed from the counts around its peak (refineR's
    /// `getSumForPArea`): for the bins with c ≥ 0.95·max and, left and right of the mode, those
    /// with c in [f₁, f₂)·max for (f₁, f₂) = (0.5, 0.9), (0.55, 0.94), (0.6, 0.95), (0.65, 0.96),
    /// (0.7, 0.97), the ratio r_j of the values observed over the model's between their outer
    /// edges; P_max = the smallest r_j after raising, in steps of 0.001 and while all are ≤ 1,
    /// those whose band's lower end r·m − z√(r·m) still lies at or below the observed count
    /// until at most 5 do (within [0.401, 1]); P_min likewise lowering those whose upper end
    /// reaches the count until at most one does, while all are ≥ 0.4 (within [0.4, 0.999]); P
    /// from P_min to P_max by (P_max − P_min)/8 clamped to [0.002, 0.01], and P_max.
    fn p_bracket(&self, te: &[f64], c: &[f64], mu: f64, sigma: f64, scale: f64) -> Vec<f64> {
        let k = c.len();
        let imax = (0..k).fold(0, |m, i| if c[i] > c[m] { i } else { m });
        let peak = c[imax];
        let mut regions: Vec<Option<(usize, usize)>> = Vec::with_capacity(11);
        let span = |sel: &dyn Fn(usize) -> bool, range: std::ops::RangeInclusive<usize>| {
            let mut r: Option<(usize, usize)> = None;
            for i in range.filter(|i| sel(*i)) {
                let (l, h) = self.bin_edges(i, k);
                r = Some(r.map_or((l, h), |(a, b)| (a.min(l), b.max(h))));
            }
            r
        };
        regions.push(span(&|i| c[i] >= 0.95 * peak, 0..=k - 1));
        for (f1, f2) in [(0.5, 0.9), (0.55, 0.94), (0.6, 0.95), (0.65, 0.96), (0.7, 0.97)] {
            let sel = |i: usize| c[i] >= f1 * peak && c[i] < f2 * peak;
            regions.push(span(&sel, 0..=imax));
            regions.push(span(&sel, imax..=k - 1));
        }
        let (obs, pred): (Vec<f64>, Vec<f64>) = regions
            .iter()
            .map(|r| match r {
                None => (1.0, 1.0),
                Some((l, h)) => {
                    let ((tl, cl), (th, ch)) = (self.edge(*l), self.edge(*h));
                    let m = scale * (phi(te[th], mu, sigma) - phi(te[tl], mu, sigma));
                    (ch - cl, if m.abs() < 1e-20 { 1.0 } else { m })
                }
            })
            .unzip();
        let start: Vec<f64> = obs.iter().zip(&pred).map(|(o, m)| o / m).collect();
        let low = |r: f64, m: f64, o: f64| r * m - Z_BAND * (r * m).sqrt() <= o;
        let high = |r: f64, m: f64, o: f64| r * m + Z_BAND * (r * m).sqrt() >= o;
        let mut r = start.clone();
        for _ in 0..2000 {
            let hits: Vec<usize> = (0..r.len()).filter(|j| low(r[*j], pred[*j], obs[*j])).collect();
            if !(r.iter().all(|v| *v <= 1.0) && hits.len() > 5) {
                break;
            }
            hits.iter().for_each(|j| r[*j] += 0.001);
        }
        let pmax = r.iter().fold(f64::INFINITY, |a, b| a.min(*b)).clamp(0.401, 1.0);
        let mut r = start;
        for _ in 0..2000 {
            let hits: Vec<usize> = (0..r.len()).filter(|j| high(r[*j], pred[*j], obs[*j])).collect();
            if !(r.iter().all(|v| *v >= 0.4) && hits.len() > 1) {
                break;
            }
            hits.iter().for_each(|j| r[*j] -= 0.001);
        }
        let pmin = r.iter().fold(f64::INFINITY, |a, b| a.min(*b)).clamp(0.4, 0.999);
        if pmin > pmax {
            return vec![pmax];
        }
        let by = ((pmax - pmin) / 8.0).clamp(0.002, 0.01);
        let mut ps: Vec<f64> = (0..)
            .map(|i| pmin + by * i as f64)
            .take_while(|p| *p <= pmax + 1e-10)
            .collect();
        ps.push(pmax);
        ps
    }
}

impl Objective for PeakHist {
    fn edges(&self, shift: f64, lambda: f64) -> Vec<f64> {
        self.fine
            .iter()
            .chain([&self.low, &self.high])
            .map(|e| shifted_box_cox(*e, shift, lambda))
            .collect()
    }

    fn costs(&self, lambda: f64, te: &[f64], mu: f64, sigma: f64, _ps: &[f64], keep: &mut dyn FnMut(f64, f64, usize)) {
        // P is bracketed per candidate (refineR's way), not taken from the search's list
        if lambda > 1e-12 && lambda * (mu - Z_BAND * sigma) + 1.0 <= 0.0 {
            return;
        }
        let mut c = Vec::with_capacity(self.counts.len());
        let Some(scale) = self.model_counts(te, mu, sigma, &mut c) else {
            return;
        };
        let k = c.len();
        let total = (k - 2) as f64;
        if (c.iter().filter(|v| **v >= C_MIN).count() as f64) <= total / 16.0 {
            return;
        }
        // The model's peak over the central bins, as refineR's comment says ("without first and
        // last bin"). refineR 2.0.0's `calculateCostHist` writes `countsPred[2:length(countsPred)-1]`,
        // which R reads as `(2:n) - 1`, the bins 1 to n − 1: the bin below the region counts and
        // the one above does not. Kept as intended (session 12): taking the peak from bin 0 on as
        // refineR's code does changed none of the four RIbench subsets' scores (first 7.067,
        // held-out 11.563, third 8.313, fourth 8.778 % either way, `cargo test --release -p
        // dimorph-refint --test suite ribench::`), and on the fourth subset the bin below was the
        // highest in 6 of 174,262 costed candidates.
        let (mut imax, mut cmax) = (1, c[1]);
        for (i, v) in c.iter().enumerate().take(k - 1).skip(1) {
            if *v > cmax {
                (imax, cmax) = (i, *v);
            }
        }
        let interior = |i: usize| i > 0 && i + 1 < k;
        let o = &self.counts;
        // folded from +0: an empty sum is +0 (f64's `Sum` gives −0, and x/−0 = −∞ would floor
        // r₈₀ at 0.01² where every central bin is judged, refineR's x/0 = +∞ makes it 1)
        let sum_where = |v: &[f64], f: &dyn Fn(usize) -> bool| (0..k).filter(|i| f(*i)).fold(0.0, |a, i| a + v[i]);
        let tail_l = |i: usize| i == 0 || (c[i] <= 0.2 * cmax && i < imax);
        let tail_r = |i: usize| i == k - 1 || (c[i] <= 0.2 * cmax && i > imax);
        let pre_l = sum_where(o, &tail_l) / sum_where(&c, &tail_l);
        let pre_r = sum_where(o, &tail_r) / sum_where(&c, &tail_r);
        let n95 = (0..k).filter(|i| interior(*i) && c[*i] >= 0.95 * cmax).count();
        let max_below = (0.05 * k as f64).ceil() as usize;
        let mut sel = vec![false; k];
        for p in self.p_bracket(te, &c, mu, sigma, scale) {
            let r20 = ratio_term(pre_l / p).ln() + ratio_term(pre_r / p).ln();
            let m = p * cmax;
            let mut below = 0;
            for rf in [0.005, 0.003, 0.001]
                .map(|r| m / (r * m + m.sqrt()).powi(2))
                .into_iter()
                .filter(|r| *r > 0.001 && *r < 1.0)
                .chain([1.0])
            {
                below = 0;
                let (mut s, mut s95, mut sum) = (0usize, 0usize, 0.0);
                for i in 0..k {
                    let e = c[i] * p * rf;
                    let w = Z_BAND * e.sqrt();
                    let ob = rf * o[i];
                    if ob < e - w {
                        below += 1;
                    }
                    sel[i] = c[i] >= C_MIN && ob >= e - w && ob <= e + p * w;
                    if sel[i] {
                        s += 1;
                        if interior(i) && c[i] >= 0.95 * cmax {
                            s95 += 1;
                        }
                        sum += 0.5 * (e / std::f64::consts::TAU).ln() - 0.5 * (ob - e) * (ob - e) / e;
                    }
                }
                if (s as f64) > total / 32.0 && (s95 as f64 >= 0.2 * n95 as f64 || n95 == 1) {
                    let core = |i: usize| interior(i) && c[i] >= 0.8 * cmax;
                    let r80 = ratio_term(sum_where(o, &|i| core(i) && sel[i]) / sum_where(o, &|i| core(i) && !sel[i]));
                    let sf = s as f64;
                    keep(p, -(sum + sf * (r80.ln() + r20)) / sf.sqrt(), s);
                }
            }
            if below > max_below {
                break;
            }
        }
    }

    fn bins(&self) -> usize {
        self.counts.len()
    }
}

/// The histogram, cost and search a refiner fit uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cost {
    /// [`super::refiner`]'s quantile bins, cost and grid search (sessions 6–8).
    Quantile,
    /// refineR's histogram of the peak region, its cost and search (this module).
    PeakHist,
}

/// The cost `--method refiner --model boxcox` uses (refineR's; `--model modboxcox` keeps the
/// quantile cost: [`super::refiner_modbc::fit_sorted_model`]).
pub const COST: Cost = Cost::PeakHist;

/// Fits T_λ(x − `shift`) ~ N(μ, σ) to sorted positive values under `cost`.
pub fn fit_sorted_shifted_with(x: &[f64], censored: Option<Censored>, shift: f64, cost: Cost) -> Option<RefinerFit> {
    match cost {
        Cost::Quantile => super::refiner::fit_sorted_shifted(x, censored, shift),
        Cost::PeakHist => fit_sorted_refiner(x, censored, shift),
    }
}

/// refineR's coarse λ grid, (k/12)^1.8170595 for k = 0, …, 12 (denser near 0).
fn lambda_grid() -> Vec<f64> {
    (0..=12).map(|k| (k as f64 / 12.0).powf(1.817_059_5)).collect()
}

/// The mode of a smoothed density: its highest centre (at least one from either end) and the
/// density-weighted mean of it and its neighbours (where refineR's main peak is not defined).
fn peak_of(xs: &[f64], y: &[f64]) -> (usize, f64) {
    let k = (0..y.len()).fold(0, |m, i| if y[i] > y[m] { i } else { m });
    weighted_mode(xs, y, k)
}

/// Search ranges of μ and σ at λ from the main peak ([`super::refiner_peak::main_peak`], areas
/// only, as refineR's `defineSearchRegions`) of the transformed values `t` (sorted):
/// the peak's half-widths w_L, w_R at heights h = 0.5, 0.55, …, 0.95 of its top (on a density
/// smoothed again within the part above 35 % of the top) give centres (mode ± widths) and
/// σ_h = min(w_L, w_R)/√(−2 ln h); μ ranges over the centres and the mode widened by half their
/// range each way, σ from min σ_h − 2.5·(range) (at least 0) to max σ_h + (range).
fn search_ranges(t: &[f64], m: usize) -> Option<((f64, f64), (f64, f64))> {
    let (lo, hi) = (*t.first()?, *t.last()?);
    if !lo.is_finite() || !hi.is_finite() || hi <= lo {
        return None;
    }
    let pad = 0.1 * (hi - lo);
    let (a, b) = (lo - pad, hi + pad);
    let super::refiner_peak::MainPeak { mode, xs, y, k } = super::refiner_peak::main_peak(t, a, b, m, false, None)?;
    let (mut mus, mut sds) = (vec![mode], Vec::new());
    for j in 0..10 {
        let h = 0.5 + 0.05 * j as f64;
        let d = h * y[k];
        let left = (0..xs.len())
            .filter(|i| xs[*i] < mode && y[*i] <= d)
            .map(|i| xs[i])
            .fold(f64::NAN, f64::max);
        let right = (0..xs.len())
            .filter(|i| xs[*i] > mode && y[*i] <= d)
            .map(|i| xs[i])
            .fold(f64::NAN, f64::min);
        if left.is_finite() && right.is_finite() {
            mus.push(0.5 * (left + right));
            sds.push((mode - left).min(right - mode) / (-2.0 * h.ln()).sqrt());
        }
    }
    if sds.is_empty() {
        return None;
    }
    let range = |v: &[f64]| {
        v.iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(*x), b.max(*x)))
    };
    let (m0, m1) = range(&mus);
    let (s0, s1) = range(&sds);
    Some((
        (m0 - 0.5 * (m1 - m0), m1 + 0.5 * (m1 - m0)),
        ((s0 - 2.5 * (s1 - s0)).max(0.0), s1 + (s1 - s0)),
    ))
}

/// The next values of one parameter around its best `b` (refineR's adapted grid): the best and
/// the mid-points towards its `w`-th neighbours (w = 2 in the second round, 1 later) among the
/// values tried so far (`tried`, sorted), the grid extended by its end step where the best is
/// within w of an end (σ kept ≥ 0).
fn adapt(b: f64, tried: &[f64], round: usize, nonnegative: bool) -> Vec<f64> {
    let w: usize = if round == 2 { 2 } else { 1 };
    let mut t = tried.to_vec();
    let i = (0..t.len()).fold(0, |m, i| if (t[i] - b).abs() < (t[m] - b).abs() { i } else { m });
    let mut i = i;
    if t.len() >= 2 {
        let d0 = t[1] - t[0];
        let add = w.saturating_sub(i);
        for _ in 0..add {
            let v = t[0] - d0;
            t.insert(0, if nonnegative { v.max(0.0) } else { v });
        }
        i += add;
        let n = t.len();
        let d1 = t[n - 1] - t[n - 2];
        while i + w >= t.len() {
            let v = t[t.len() - 1] + d1;
            t.push(v);
        }
    }
    let l = i.saturating_sub(w);
    let r = (i + w).min(t.len() - 1);
    let mut v = vec![b];
    if l + 1 < t.len() {
        v.push(0.5 * (t[l] + t[l + 1]));
    }
    if r >= 1 {
        v.push(0.5 * (t[r] + t[r - 1]));
    }
    v
}

/// refineR's search at one λ: a 9 × 13 grid over the (μ, σ) ranges, then 6 rounds of the
/// adapted grid around the best at this λ; the bracketed P of each (μ, σ). The overall best is
/// kept in `best`.
fn search_lambda(h: &PeakHist, shift: f64, lambda: f64, ranges: ((f64, f64), (f64, f64)), best: &mut Option<Cand>) {
    dimorph_core::interrupt::poll();
    let te = h.edges(shift, lambda);
    let ((m0, m1), (s0, s1)) = ranges;
    let mut mus: Vec<f64> = (0..9).map(|i| m0 + (m1 - m0) * i as f64 / 8.0).collect();
    let mut sds: Vec<f64> = (0..13).map(|i| s0 + (s1 - s0) * i as f64 / 12.0).collect();
    let (mut tried_mu, mut tried_sd): (Vec<f64>, Vec<f64>) = (Vec::new(), Vec::new());
    let mut here: Option<Cand> = None;
    for round in 1..=7 {
        for (tried, new) in [(&mut tried_mu, &mus), (&mut tried_sd, &sds)] {
            tried.extend(new.iter().copied());
            tried.sort_by(f64::total_cmp);
            tried.dedup();
        }
        if round > 1 {
            let Some(b) = here else { break };
            mus = adapt(b.mu, &tried_mu, round, false);
            sds = adapt(b.sigma, &tried_sd, round, true);
        }
        for &mu in &mus {
            for &sigma in &sds {
                if sigma.is_nan() || sigma <= 0.0 {
                    continue;
                }
                h.costs(lambda, &te, mu, sigma, &[], &mut |p, c, sel| {
                    if here.is_none_or(|b| c < b.cost) {
                        here = Some(Cand {
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
    if let Some(c) = here {
        if best.is_none_or(|b| c.cost < b.cost) {
            *best = here;
        }
    }
}

/// Fits T_λ(x − `shift`) ~ N(μ, σ) to sorted positive values with refineR's histogram, cost and
/// search: λ over [`lambda_grid`], then 12 values between the grid's points around the best
/// (three in each of the four intervals), μ and σ from [`search_ranges`] on the values within
/// the search region (rounded values spread over their rounding interval); P over 0.4, 0.42, …,
/// 1 and finally in steps of 0.001 around the best. None when no candidate is costed.
pub fn fit_sorted_refiner(x: &[f64], censored: Option<Censored>, shift: f64) -> Option<RefinerFit> {
    let unit = rounding_unit(x);
    let sample = spread(x, unit);
    let h = PeakHist::new(x, censored);
    let (a, b) = region_search(&sample);
    let inside: Vec<f64> = sample
        .iter()
        .copied()
        .filter(|v| *v >= a && *v <= b && *v > shift)
        .collect();
    let m = (50.0 - sample.len() as f64 / 10_000.0).ceil().clamp(24.0, 48.0) as usize;
    let mut best: Option<Cand> = None;
    let run = |lambdas: &[f64], best: &mut Option<Cand>| {
        for &l in lambdas {
            let mut t: Vec<f64> = inside
                .iter()
                .map(|v| shifted_box_cox(*v, shift, l))
                .filter(|v| v.is_finite())
                .collect();
            t.sort_by(f64::total_cmp);
            if let Some(r) = search_ranges(&t, m) {
                search_lambda(&h, shift, l, r, best);
            }
        }
    };
    let grid = lambda_grid();
    run(&grid, &mut best);
    let b0 = best?;
    let near = (0..grid.len()).fold(0, |m, i| {
        if (grid[i] - b0.lambda).abs() < (grid[m] - b0.lambda).abs() {
            i
        } else {
            m
        }
    });
    let mi = near.clamp(2, grid.len() - 3);
    let fine: Vec<f64> = (mi - 2..mi + 2)
        .flat_map(|j| (1..4).map(move |q| (j, q)))
        .map(|(j, q)| grid[j] + (grid[j + 1] - grid[j]) * q as f64 / 4.0)
        .collect();
    run(&fine, &mut best);
    Some(best?.fit(h.bins(), shift, censored, true))
}

#[cfg(test)]
mod tests {
    use super::*;
    use dimorph_core::Rng;

    fn testcase(k: usize) -> Vec<f64> {
        let p = format!(
            "{}/tests/peers/refiner_data/testcase{k}.csv",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&p).expect("refineR's test case");
        let mut x: Vec<f64> = text
            .lines()
            .skip(1)
            .filter_map(|l| l.trim().parse().ok())
            .filter(|v| *v > 0.0)
            .collect();
        x.sort_by(f64::total_cmp);
        x
    }

    /// refineR 2.0.0's rounding base, histogram region (`abOr`) and number of bins on its five
    /// test cases (`findRoundingBase`, `defineSearchRegions` after `set.seed(123)`,
    /// `generateHistData`, as bench/refint_ribench_cost.R calls them): the same rounding unit and
    /// bins, the region's ends within one rounding unit (refineR jitters rounded values at random,
    /// we spread them evenly) or 1e-6 relative for continuous data (its 50,000 quantiles).
    #[test]
    fn histogram_is_refiners_on_its_test_cases() {
        let peer: [(Option<f64>, f64, f64, usize); 5] = [
            (None, 0.892949223518372, 37.472_305_297_851_56, 262),
            (Some(1e-4), 12.50485, 592.22675, 257),
            (Some(1e-5), 2.662985, 20.890055, 268),
            (Some(1e-5), 1.085195, 66.705195, 262),
            (Some(1e-6), 0.0528345, 8.5446425, 266),
        ];
        for (k, (unit, a, b, bins)) in peer.into_iter().enumerate() {
            let x = testcase(k + 1);
            let u = rounding_unit(&x);
            match (u, unit) {
                (Some(u), Some(v)) => assert!((u - v).abs() < 1e-12 * v, "test case {}: unit {u} vs {v}", k + 1),
                (None, None) => {}
                _ => panic!("test case {}: unit {u:?} vs refineR's {unit:?}", k + 1),
            }
            let h = PeakHist::new(&x, None);
            let (ra, rb) = h.region();
            let tol = |v: f64| unit.map_or(1e-6 * v, |u| 1.000_001 * u);
            assert!(
                (ra - a).abs() <= tol(a) && (rb - b).abs() <= tol(b),
                "test case {}: region {ra} – {rb} vs refineR's {a} – {b}",
                k + 1
            );
            assert_eq!(h.bin_count(), bins, "test case {}", k + 1);
        }
    }

    /// Rounded values are spread over their rounding interval at every n: evenly within each run
    /// of equal values, also where n > 50,000 and each value has one copy (k = 1; session 11:
    /// they stayed on their grid there), and as before where k > 1.
    #[test]
    fn rounded_values_are_spread_at_every_n() {
        for (n, k) in [(60_000usize, 1usize), (1_000, 100)] {
            let x: Vec<f64> = (0..n).map(|i| if i < n / 4 { 1.0 } else { 1.1 }).collect();
            let v = spread(&x, Some(0.1));
            assert_eq!(v.len(), k * n);
            assert!(v.windows(2).all(|w| w[0] < w[1]), "n = {n}: sorted and all distinct");
            let low = k * n / 4;
            assert!(v[..low].iter().all(|t| (t - 1.0).abs() < 0.05));
            assert!(v[low..].iter().all(|t| (t - 1.1).abs() < 0.05));
            // evenly: the mean of each run is its value, its ends half a step from the interval's
            let step = 0.1 / low as f64;
            assert!((v[0] - (0.95 + 0.5 * step)).abs() < 1e-12 && (v[low - 1] - (1.05 - 0.5 * step)).abs() < 1e-12);
        }
        assert_eq!(spread(&[1.0, 2.5], None), vec![1.0, 2.5]);
        // an off-grid value (1.02 among values on a 0.1 grid) overlaps its neighbours' runs: the
        // result is still sorted, with every copy kept
        let x = [1.0, 1.0, 1.02, 1.1, 1.1];
        let v = spread(&x, Some(0.1));
        assert_eq!(v.len(), 100_000 / x.len() * x.len());
        assert!(v.windows(2).all(|w| w[0] <= w[1]), "off-grid value: sorted");
    }

    #[test]
    fn rounding_unit_of_rounded_and_continuous_values() {
        let mut r = Rng::new(7);
        let mut cont: Vec<f64> = (0..2000).map(|_| 10.0 + r.normal()).collect();
        cont.sort_by(f64::total_cmp);
        assert_eq!(rounding_unit(&cont), None);
        // rounded to 0.1 with gaps of 0.2 and 0.3 now and then: still 0.1
        let mut rounded: Vec<f64> = cont.iter().map(|v| (v * 10.0).round() / 10.0).collect();
        rounded.dedup_by(|a, b| *a == *b && (*a * 10.0).round() as i64 % 7 == 0);
        assert_eq!(rounding_unit(&rounded), Some(0.1));
        // even integers
        let even: Vec<f64> = cont.iter().map(|v| 2.0 * (v * 5.0).round()).collect();
        assert_eq!(rounding_unit(&even), Some(2.0));
    }

    #[test]
    fn a_clean_box_cox_normal_is_recovered() {
        // log-normal (meanlog 3, sdlog 0.3) with 20 % pathological values to the right, rounded to 0.1
        let mut r = Rng::new(11);
        let mut x: Vec<f64> = (0..8000).map(|_| (3.0 + 0.3 * r.normal()).exp()).collect();
        x.extend((0..2000).map(|_| 45.0 + 10.0 * r.normal()).filter(|v| *v > 0.0));
        let mut x: Vec<f64> = x
            .iter()
            .map(|v| (v * 10.0).round() / 10.0)
            .filter(|v| *v > 0.0)
            .collect();
        x.sort_by(f64::total_cmp);
        let f = fit_sorted_refiner(&x, None, 0.0).expect("a fit");
        let (tl, tu) = ((3.0 - 1.959_964 * 0.3f64).exp(), (3.0 + 1.959_964 * 0.3f64).exp());
        assert!(
            (f.lower / tl - 1.0).abs() < 0.05 && (f.upper / tu - 1.0).abs() < 0.05,
            "{f:?} vs {tl} – {tu}"
        );
    }
}
