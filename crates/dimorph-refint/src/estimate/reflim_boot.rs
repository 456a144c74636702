//! Bootstrap confidence intervals of reflimR's limits for small samples.
//!
//! reflimR's approximate 95 % intervals (Hoffmann et al. 2024; [`super::reflim::conf_int95`])
//! put the inner bound of each limit 7.26·σ/(√n − 5.58) inside it, σ = (ul − ll)/3.92 on the model's
//! scale. The denominator vanishes at n ≈ 31: at n = 40 the inner bound lies 9.8σ inside the limit,
//! far beyond the other limit (a lower limit of 47.6 with the interval 40.5–318.0), and until about
//! n = 100 it is wider than 1.6σ. Below [`BOOT_BELOW`] values the limits' intervals are therefore
//! the 2.5 and 97.5 % percentiles of the reflimR estimate over [`BOOT_B`] resamples (drawn with the
//! fixed seed [`crate::options::DEFAULT_SEED`], the model — normal or log-normal — held at the
//! sample's), and reflimR's approximation stays in the reflimR details, with a remark.

use super::reflim::{reflim, ReflimOptions, ReflimResult};
use super::Limits;
use crate::stats::percentile_interval_95;
use dimorph_core::Rng;

/// Below this many values the reflimR limits' intervals are bootstrapped.
pub const BOOT_BELOW: usize = 100;
/// Bootstrap resamples.
pub const BOOT_B: usize = 1000;

/// Replaces the approximate intervals of `l` (from `r`, estimated on `x`) by bootstrap intervals
/// when `x` has fewer than [`BOOT_BELOW`] values.
pub fn small_sample_intervals(x: &[f64], r: &ReflimResult, opts: ReflimOptions, seed: u64, l: &mut Limits) {
    let n = x.len();
    if n >= BOOT_BELOW {
        return;
    }
    let o = ReflimOptions {
        lognormal: Some(r.lognormal),
        n_min: 0,
        ..opts
    };
    let mut rng = Rng::new(seed);
    let (mut lo, mut hi) = (Vec::with_capacity(BOOT_B), Vec::with_capacity(BOOT_B));
    let mut buf = vec![0.0; n];
    for _ in 0..BOOT_B {
        for b in buf.iter_mut() {
            *b = x[rng.below(n)];
        }
        if let Ok(e) = reflim("bootstrap", &buf, None, o) {
            lo.push(e.lower);
            hi.push(e.upper);
        }
    }
    let approx = format!(
        "reflimR's approximate 95 % intervals (lower {} – {}, upper {} – {}) are not used at n = {n} < {BOOT_BELOW}: \
         their inner bound 7.26σ/(√n − 5.58) is too wide to mean anything",
        crate::quote::num(r.ci[0]),
        crate::quote::num(r.ci[1]),
        crate::quote::num(r.ci[2]),
        crate::quote::num(r.ci[3])
    );
    if lo.len() < BOOT_B / 2 {
        l.ci_lower = None;
        l.ci_upper = None;
        l.ci_method = None;
        l.remarks.push(format!(
            "{approx}; confidence intervals left out: only {} of {BOOT_B} bootstrap resamples had a reflimR \
             estimate (too few values after truncation)",
            lo.len()
        ));
        return;
    }
    l.ci_lower = Some(percentile_interval_95(&mut lo));
    l.ci_upper = Some(percentile_interval_95(&mut hi));
    l.ci_method = Some(format!(
        "percentile bootstrap (95 %), {} of {BOOT_B} resamples with an estimate, seed {seed}",
        lo.len()
    ));
    l.remarks.push(format!("{approx}; bootstrap intervals instead"));
}
