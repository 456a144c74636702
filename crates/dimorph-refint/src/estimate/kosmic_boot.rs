//! The kosmic limits of a sample with bootstrap confidence intervals (Zierk et al. 2020, Sci Rep
//! 10:1704: the values resampled with replacement — kosmic draws the class counts from the
//! histogram — and the model refitted on each resample; the intervals are the 2.5 and 97.5 %
//! percentiles of the resampled limits). At other percentiles of the limits (`--percentiles`) each
//! resample's limits are its model's quantiles at those percentiles.

use super::kosmic::{fit, fit_grid, limits, Censored, Grid, KosmicFit};
use super::Limits;
use crate::error::Result;
use crate::options::KosmicOptions;
use dimorph_core::Rng;

/// Draws on one resample at most: kosmic redraws a resample whose histogram fails its checks
/// (without a limit); here the resample counts as without a fit after this many draws.
const DRAWS: usize = 10;

/// Fills the 95 % percentile intervals of `l`, the limits at the percentiles `p` (fractions), from
/// the `nboot` resamples of [`resampled_limits_at`]; fewer than half with a fit leaves the
/// intervals out with a remark.
pub fn intervals(grid: &Grid, f: &KosmicFit, nboot: usize, seed: u64, p: (f64, f64), l: &mut Limits) {
    if nboot == 0 {
        return;
    }
    let (mut lo, mut hi) = resampled_limits_at(grid, f, nboot, seed, p);
    l.set_bootstrap_intervals("kosmic", &mut lo, &mut hi, nboot, seed);
}

/// The limits (lower, upper) at the percentiles `p` (fractions; [`KosmicFit::limits_at`]) of the
/// `nboot` resamples of the grid's counts that have a fit, in resample order: resample b drawn
/// from `Rng::derive(seed, 1, b)` and redrawn up to [`DRAWS`] times.
pub fn resampled_limits_at(grid: &Grid, f: &KosmicFit, nboot: usize, seed: u64, p: (f64, f64)) -> (Vec<f64>, Vec<f64>) {
    // the cumulative counts, to draw a class by its share
    let mut cum = Vec::with_capacity(grid.counts.len());
    let mut acc = 0usize;
    for c in &grid.counts {
        acc += *c as usize;
        cum.push(acc);
    }
    let n = acc;
    let (mut lo, mut hi) = (Vec::with_capacity(nboot), Vec::with_capacity(nboot));
    let mut counts = vec![0.0; cum.len()];
    for b in 0..nboot {
        dimorph_core::interrupt::poll();
        let mut rng = Rng::derive(seed, 1, b as u64);
        for _ in 0..DRAWS {
            counts.iter_mut().for_each(|c| *c = 0.0);
            for _ in 0..n {
                let u = rng.below(n);
                counts[cum.partition_point(|c| *c <= u)] += 1.0;
            }
            if let Some(r) = fit_grid(grid, &counts, f.decimals, f.censored) {
                let (lower, upper) = r.limits_at(p);
                lo.push(lower);
                hi.push(upper);
                break;
            }
        }
    }
    (lo, hi)
}

/// The kosmic limits (2.5 and 97.5 %) of one sample (with `censored` values below a detection
/// limit), with bootstrap intervals when `o.nboot > 0` (seed `seed`).
pub fn estimate(what: &str, x: &[f64], censored: Option<Censored>, o: KosmicOptions, seed: u64) -> Result<Limits> {
    estimate_at(what, x, censored, o, seed, crate::options::DEFAULT_PROBABILITIES)
}

/// As [`estimate`], the limits and their intervals at the percentiles `p` (fractions).
pub fn estimate_at(
    what: &str,
    x: &[f64],
    censored: Option<Censored>,
    o: KosmicOptions,
    seed: u64,
    p: (f64, f64),
) -> Result<Limits> {
    let (f, grid) = fit(what, x, o.decimals, censored)?;
    let mut l = limits(&f, x.len(), p);
    intervals(&grid, &f, o.nboot, seed, p, &mut l);
    Ok(l)
}
