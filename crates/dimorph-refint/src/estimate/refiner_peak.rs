//! refineR's choice of the main peak of a smoothed density (refineR 2.0.0, `R/algoInvHist.R`
//! `findMainPeak` and `findPeaksAndValleys`, read to understand them; written here from that
//! understanding, not translated; Ammer et al. 2021, Sci Rep 11:16023).
//!
//! **Peaks and valleys** of a density y on a grid: a peak is a sign change of the differences
//! from + to − followed by five more falls (the highest of the last six points), a valley a change
//! from − to + followed by five more rises (the lowest of the last six); peaks and valleys
//! alternate (a second peak before a valley is not recorded); if no peak is found and the density
//! falls at the end, the highest of the last six points is one; a valley before the first peak is
//! dropped; without valleys the last point is one.
//!
//! **Main peak.** Each peak's area is the sum of the density between its valleys (the first from
//! the start, the last to the end) and, with heights, its height the 95 % quantile of the density
//! there; both are divided by their largest. The heights count with weight
//! w = clamp(5·(h₁/h₂ − 2), 0, 1) (h₁ the largest, h₂ the next), or where w = 0 and the second
//! largest area is ≥ 0.95, w = clamp(20·(A₂ − 0.95), 0, 1); without heights every height is 1
//! (no effect). With a previous peak location m₀ each peak's distance to it, divided by the
//! largest, is subtracted. The main peak maximises area + w·height − distance; the mode is the
//! density-weighted mean of its point and their two neighbours. This is done on the density of
//! 512 bins with `m` shifts over [a, b], then again (256 bins, ⌈m/1.5⌉ shifts) over the part
//! around that mode above 35 % of its height, the distance now to the first mode.
//!
//! Where no peak is found the highest point is taken (refineR stops with an error there).

use crate::stats::quantile7;

/// The main peak of the second (finer) density: its mode, the density's centres and values and
/// the peak's index.
pub struct MainPeak {
    pub mode: f64,
    pub xs: Vec<f64>,
    pub y: Vec<f64>,
    pub k: usize,
}

/// An averaged shifted histogram of sorted `x` on [a, b): `nbin` bins, `m` shifts, Epanechnikov
/// weights; the bin centres and the smoothed counts (unnormalised: only ratios are used).
pub(super) fn ash(x: &[f64], a: f64, b: f64, nbin: usize, m: usize) -> (Vec<f64>, Vec<f64>) {
    let d = (b - a) / nbin as f64;
    let mut nc = vec![0.0; nbin];
    let start = x.partition_point(|v| *v < a);
    for v in &x[start..] {
        if *v >= b {
            break;
        }
        let k = (((v - a) / d) as usize).min(nbin - 1);
        nc[k] += 1.0;
    }
    let w: Vec<f64> = (0..m).map(|i| 1.0 - (i as f64 / m as f64).powi(2)).collect();
    let mut f = vec![0.0; nbin];
    for (k, c) in nc.iter().enumerate().filter(|(_, c)| **c > 0.0) {
        let (lo, hi) = (k.saturating_sub(m - 1), (k + m - 1).min(nbin - 1));
        for (i, fi) in f.iter_mut().enumerate().take(hi + 1).skip(lo) {
            *fi += c * w[i.abs_diff(k)];
        }
    }
    let xs = (0..nbin).map(|k| a + (k as f64 + 0.5) * d).collect();
    (xs, f)
}

/// Indices of the peaks and valleys of `y` (see the module doc).
pub fn peaks_and_valleys(y: &[f64]) -> (Vec<usize>, Vec<usize>) {
    let n = y.len();
    let (mut peaks, mut valleys) = (Vec::new(), Vec::new());
    if n < 3 {
        return (peaks, vec![n.saturating_sub(1)]);
    }
    let d: Vec<f64> = y.windows(2).map(|w| w[1] - w[0]).collect();
    let sign = |v: f64| v >= 0.0;
    let (mut peak_run, mut valley_run) = (0usize, 0usize);
    let mut prev_up = sign(d[0]);
    let (mut last_peak, mut last_valley) = (false, false);
    let argmax = |j: usize| (j - 5..=j).fold(j - 5, |m, i| if y[i] > y[m] { i } else { m });
    let argmin = |j: usize| (j - 5..=j).fold(j - 5, |m, i| if y[i] < y[m] { i } else { m });
    for (j, &dj) in d.iter().enumerate().skip(1) {
        let up = sign(dj);
        if !prev_up && up {
            valley_run = 1;
            prev_up = up;
        } else if up && valley_run > 0 {
            valley_run += 1;
        } else if prev_up && !up {
            peak_run = 1;
            prev_up = up;
        } else if !up && peak_run > 0 {
            peak_run += 1;
        } else {
            prev_up = up;
            peak_run = 0;
            valley_run = 0;
        }
        let at_end = j + 1 == d.len() && peak_run >= 1 && peaks.is_empty();
        if peak_run == 5 || at_end {
            if !last_peak && j >= 5 {
                peaks.push(argmax(j));
                (last_peak, last_valley) = (true, false);
            }
            peak_run = 0;
            valley_run = 0;
            prev_up = up;
        }
        if valley_run == 5 {
            if !last_valley {
                valleys.push(argmin(j));
                (last_peak, last_valley) = (false, true);
            }
            valley_run = 0;
            peak_run = 0;
            prev_up = up;
        }
    }
    if let (Some(v), Some(p)) = (valleys.first(), peaks.first()) {
        if v < p {
            valleys.remove(0);
        }
    }
    if valleys.is_empty() {
        valleys.push(n - 1);
    }
    (peaks, valleys)
}

/// Index of the largest value (the first of equals; NaN never).
fn argmax(v: &[f64]) -> usize {
    (0..v.len()).fold(0, |m, i| if v[i] > v[m] || v[m].is_nan() { i } else { m })
}

/// The largest value other than the one at `skip`.
fn max_but(v: &[f64], skip: usize) -> f64 {
    v.iter()
        .enumerate()
        .filter(|(i, _)| *i != skip)
        .fold(f64::NEG_INFINITY, |m, (_, x)| m.max(*x))
}

/// The main peak's index and mode on the density (`xs`, `y`) (see the module doc); `prev` the
/// location whose distance counts against a peak.
fn choose(xs: &[f64], y: &[f64], with_height: bool, prev: Option<f64>) -> (usize, f64) {
    let n = y.len();
    let (peaks, valleys) = peaks_and_valleys(y);
    let k = if peaks.is_empty() {
        argmax(y)
    } else {
        let np = peaks.len();
        let (mut area, mut height) = (vec![0.0; np], vec![1.0; np]);
        for c in 0..np {
            let lo = if c == 0 { 0 } else { valleys[c - 1] };
            let hi = if c >= valleys.len() { n - 1 } else { valleys[c] };
            let seg = &y[lo.min(hi)..=lo.max(hi)];
            area[c] = seg.iter().sum();
            if with_height {
                let mut s = seg.to_vec();
                s.sort_unstable_by(f64::total_cmp);
                height[c] = quantile7(&s, 0.95);
            }
        }
        for v in [&mut area, &mut height] {
            let m = v.iter().fold(f64::NEG_INFINITY, |a, b| a.max(*b));
            v.iter_mut().for_each(|x| *x /= m);
        }
        if with_height && np > 1 {
            let mh = argmax(&height);
            let mut w = ((height[mh] / max_but(&height, mh) - 2.0) * 5.0).clamp(0.0, 1.0);
            let second = max_but(&area, argmax(&area));
            if second >= 0.95 && w == 0.0 {
                w = ((second - 0.95) * 20.0).clamp(0.0, 1.0);
            }
            height.iter_mut().for_each(|h| *h *= w);
        }
        let mut dist = vec![0.0; np];
        if let Some(m0) = prev.filter(|_| np > 1) {
            dist = peaks.iter().map(|p| (xs[*p] - m0).abs()).collect();
            let m = dist.iter().fold(0.0f64, |a, b| a.max(*b));
            if m > 0.0 {
                dist.iter_mut().for_each(|d| *d /= m);
            }
        }
        let score: Vec<f64> = (0..np).map(|c| area[c] + height[c] - dist[c]).collect();
        peaks[argmax(&score)]
    };
    weighted_mode(xs, y, k)
}

/// Centre `k` (kept at least one from either end) and the density-weighted mean of it and its
/// two neighbours, the mode's refinement on a smoothed density (`xs`, `y`).
pub(super) fn weighted_mode(xs: &[f64], y: &[f64], k: usize) -> (usize, f64) {
    let k = k.clamp(1, y.len() - 2);
    let s: f64 = y[k - 1..=k + 1].iter().sum();
    let mode = if s > 0.0 {
        (k - 1..=k + 1).map(|i| xs[i] * y[i]).sum::<f64>() / s
    } else {
        xs[k]
    };
    (k, mode)
}

/// refineR's main peak of sorted `x` on [a, b) with `m` shifts (see the module doc); `prev` the
/// previous peak's location (refineR's `prevPeak`). None when the region around the first mode
/// is empty.
pub fn main_peak(x: &[f64], a: f64, b: f64, m: usize, with_height: bool, prev: Option<f64>) -> Option<MainPeak> {
    let (xs, y) = ash(x, a, b, 512, m);
    let (k, mode) = choose(&xs, &y, with_height, prev);
    let cut = 0.35 * y[k];
    let pa = (0..xs.len())
        .filter(|i| xs[*i] < mode && y[*i] <= cut)
        .map(|i| xs[i])
        .fold(a, f64::max);
    let pb = (0..xs.len())
        .filter(|i| xs[*i] > mode && y[*i] <= cut)
        .map(|i| xs[i])
        .fold(b, f64::min);
    if pb.is_nan() || pb <= pa {
        return None;
    }
    let (xs, y) = ash(x, pa, pb, 256, (2 * m).div_ceil(3));
    let (k, mode) = choose(&xs, &y, with_height, Some(mode));
    Some(MainPeak { mode, xs, y, k })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two bumps: a narrow high one and a wide one holding more area.
    fn two_bumps(h1: f64, w1: f64, h2: f64, w2: f64) -> Vec<f64> {
        (0..512)
            .map(|i| {
                let t = i as f64;
                h1 * (-0.5 * ((t - 120.0) / w1).powi(2)).exp() + h2 * (-0.5 * ((t - 360.0) / w2).powi(2)).exp()
            })
            .collect()
    }

    #[test]
    fn peaks_and_valleys_of_two_bumps() {
        let y = two_bumps(1.0, 10.0, 0.5, 60.0);
        let (p, v) = peaks_and_valleys(&y);
        assert_eq!(p, vec![120, 360]);
        assert_eq!(v.len(), 1);
        assert!(v[0] > 150 && v[0] < 300, "{v:?}");
    }

    #[test]
    fn the_area_wins_over_the_height_unless_the_height_dominates() {
        let xs: Vec<f64> = (0..512).map(|i| i as f64).collect();
        // the wide bump holds ~3 times the area; heights 1 : 0.5 give w = 0: the wide one wins,
        // where the highest point (the narrow one) would have been taken before
        let y = two_bumps(1.0, 10.0, 0.5, 60.0);
        assert_eq!(choose(&xs, &y, true, None).0, 360);
        assert_eq!(choose(&xs, &y, false, None).0, 360);
        // heights 1 : 0.1 (ratio 10: w = 1) and areas ~1 : 0.6: the high one wins
        let y = two_bumps(1.0, 10.0, 0.1, 60.0);
        assert_eq!(choose(&xs, &y, true, None).0, 120);
    }
}
