//! The refiner limits of a sample with their bootstrap confidence intervals (Ammer et al. 2021,
//! Sci Rep 11:16023: the model refitted on resamples drawn with replacement; the intervals are the
//! 2.5 and 97.5 % percentiles of the resampled limits, refineR's default `CIprop = 0.95`).

use super::refiner::{fit, fit_sorted, limits, RefinerFit};
use super::Limits;
use crate::error::Result;
use crate::options::RefinerOptions;
use crate::stats::percentile_interval_95;
use dimorph_core::Rng;

/// Fills the 95 % percentile intervals of `l` from `nboot` resamples of `x` (seed `seed`, resample
/// b drawn from the stream `Rng::derive(seed, 0, b)`); a resample without a fit is counted in
/// the interval's description, and fewer than half with a fit leaves the intervals out with a remark.
pub fn intervals(x: &[f64], nboot: usize, seed: u64, l: &mut Limits) {
    if nboot == 0 {
        return;
    }
    let n = x.len();
    let (mut lo, mut hi) = (Vec::with_capacity(nboot), Vec::with_capacity(nboot));
    let mut buf = vec![0.0; n];
    for b in 0..nboot {
        let mut rng = Rng::derive(seed, 0, b as u64);
        for v in buf.iter_mut() {
            *v = x[rng.below(n)];
        }
        buf.sort_unstable_by(f64::total_cmp);
        if let Some(RefinerFit { lower, upper, .. }) = fit_sorted(&buf) {
            lo.push(lower);
            hi.push(upper);
        }
    }
    if lo.len() * 2 < nboot {
        l.remarks.push(format!(
            "bootstrap confidence intervals left out: only {} of {nboot} resamples had a refiner fit",
            lo.len()
        ));
        return;
    }
    l.ci_lower = Some(percentile_interval_95(&mut lo));
    l.ci_upper = Some(percentile_interval_95(&mut hi));
    l.ci_method = Some(format!(
        "percentile bootstrap (95 %), {} of {nboot} resamples with a fit, seed {seed}",
        lo.len()
    ));
}

/// The refiner limits of one sample, with bootstrap intervals when `o.nboot > 0` (seed `seed`).
pub fn estimate(what: &str, x: &[f64], o: RefinerOptions, seed: u64) -> Result<Limits> {
    let f = fit(what, x)?;
    let mut l = limits(&f, x.len());
    intervals(x, o.nboot, seed, &mut l);
    Ok(l)
}
