//! The robust method of CLSI EP28-A3c (Horn & Pesce 2003): the biweight location T_bi
//! (tuning constant 3.7, scale MAD/0.6745, iterated from the median), the biweight scale
//! s_bi(c) = c·MAD·[n·Σ(1 − u²)⁴u² / (Σ(1 − u²)(1 − 5u²) · max(1, −1 + Σ(1 − u²)(1 − 5u²)))]^0.5
//! over |u| < 1 with u = (x − median)/(c·MAD), and the limits
//! T_bi ± t₀.₉₇₅,ₙ₋₁·(s_bi(205.6)² + s_t(3.7)²)^0.5, where s_t is the same sum without the
//! factor n, on u = (x − T_bi)/(3.7·s_bi(3.7)). Confidence intervals by percentile bootstrap.

use super::{check_values, Limits};
use crate::error::{num, RefintError, Result};
use crate::stats::{median, quantile7, sorted};
use dimorph_core::dist::qt;
use dimorph_core::Rng;

/// Fewest values for the robust method.
pub const MIN_N: usize = 20;
/// Bootstrap resamples for the confidence intervals.
pub const BOOT_B: usize = 2000;

fn spread(x: &[f64], centre: f64, c: f64, scale: f64, with_n: bool) -> f64 {
    let (mut num, mut den) = (0.0, 0.0);
    for &v in x {
        let u = (v - centre) / (c * scale);
        if u > -1.0 && u < 1.0 {
            let w = 1.0 - u * u;
            num += w.powi(4) * u * u;
            den += w * (1.0 - 5.0 * u * u);
        }
    }
    let nf = if with_n { x.len() as f64 } else { 1.0 };
    c * scale * (nf * num / (den * (den - 1.0).max(1.0))).sqrt()
}

/// Robust (lower, upper) limits of sorted data, or why they are not defined (a median absolute
/// deviation of 0, a biweight scale without a positive denominator, an overflow).
fn robust_limits(v: &[f64], p: (f64, f64)) -> std::result::Result<(f64, f64), String> {
    let n = v.len();
    let med = median(v);
    let dev = sorted(&v.iter().map(|x| (x - med).abs()).collect::<Vec<_>>());
    let mad = median(&dev) / 0.6745;
    if mad == 0.0 {
        return Err(format!(
            "at least half of the values equal the median {}, so the median absolute deviation (the \
             biweight's scale) is 0",
            num(med)
        ));
    }
    let c = 3.7;
    let mut t = med;
    for _ in 0..1000 {
        let (mut sw, mut swx) = (0.0, 0.0);
        for &x in v {
            let u = (x - t) / (c * mad);
            let w = if u.abs() < 1.0 { (1.0 - u * u).powi(2) } else { 0.0 };
            sw += w;
            swx += w * x;
        }
        let tn = swx / sw;
        if !tn.is_finite() {
            break;
        }
        let done = (tn - t).abs() < 1e-10 * (1.0 + t.abs());
        t = tn;
        if done {
            break;
        }
    }
    let s205 = spread(v, med, 205.6, mad, true);
    let s37 = spread(v, med, 3.7, mad, true);
    let st = spread(v, t, 3.7, s37, false);
    let scale = (s205 * s205 + st * st).sqrt();
    // the lower tail's quantile as −t(1 − p) (symmetric), so that the default equals T_bi ± margin
    let (tl, tu) = (-qt(1.0 - p.0, n as f64 - 1.0), qt(p.1, n as f64 - 1.0));
    let margin = tu * scale;
    let (lower, upper) = (t + tl * scale, t + tu * scale);
    if lower.is_finite() && upper.is_finite() && margin > 0.0 {
        Ok((lower, upper))
    } else if [s205, s37, st].iter().any(|s| s.is_nan()) {
        Err(
            "the biweight scale's denominator Σ(1 - u²)(1 - 5u²) is not positive (too many values far \
             from the median)"
                .into(),
        )
    } else if margin == 0.0 {
        Err(format!(
            "the biweight scale underflows to 0 (T_bi = {}): the values lie too close together for floating point",
            num(t)
        ))
    } else {
        Err(format!(
            "T_bi ± t·s is not a finite range (T_bi = {}, t·s = {}): the values overflow",
            num(t),
            num(margin)
        ))
    }
}

/// Robust limits with bootstrap 90 % confidence intervals (`seed` drives the bootstrap). A
/// resample whose robust limits are not defined is left out of the intervals, with a remark; with
/// none left the intervals are left out.
pub fn robust(what: &str, x: &[f64], seed: u64) -> Result<Limits> {
    robust_at(what, x, seed, crate::options::DEFAULT_PROBABILITIES)
}

/// Robust limits at the percentiles `p` (fractions, lower and upper): T_bi + t_p,ₙ₋₁·s (for a
/// central interval, referenceIntervals' `refLimit(RI = "r", refConf)`), with bootstrap 90 %
/// confidence intervals.
pub fn robust_at(what: &str, x: &[f64], seed: u64, p: (f64, f64)) -> Result<Limits> {
    check_values(what, "robust", x, MIN_N, None)?;
    let v = sorted(x);
    let n = v.len();
    let (lower, upper) = robust_limits(&v, p).map_err(|reason| RefintError::Undefined {
        what: what.into(),
        statistic: "the robust (biweight) estimate".into(),
        reason,
    })?;
    let mut rng = Rng::new(seed);
    let (mut lo, mut hi) = (Vec::with_capacity(BOOT_B), Vec::with_capacity(BOOT_B));
    let mut buf = vec![0.0; n];
    for _ in 0..BOOT_B {
        for b in buf.iter_mut() {
            *b = v[rng.below(n)];
        }
        buf.sort_unstable_by(f64::total_cmp);
        if let Ok((l, u)) = robust_limits(&buf, p) {
            lo.push(l);
            hi.push(u);
        }
    }
    lo.sort_unstable_by(f64::total_cmp);
    hi.sort_unstable_by(f64::total_cmp);
    let mut remarks = Vec::new();
    let dropped = BOOT_B - lo.len();
    if lo.is_empty() {
        remarks.push(format!(
            "confidence intervals left out: none of the {BOOT_B} bootstrap resamples has defined robust \
             limits (at least half of each resample's values are equal)"
        ));
    } else if dropped > 0 {
        remarks.push(format!(
            "{dropped} of {BOOT_B} bootstrap resamples have no defined robust limits (at least half of their \
             values are equal) and are left out of the confidence intervals"
        ));
    }
    let ci = |s: &[f64]| (!s.is_empty()).then(|| (quantile7(s, 0.05), quantile7(s, 0.95)));
    Ok(Limits {
        method: "robust (biweight)".into(),
        n,
        lower,
        upper,
        ci_lower: ci(&lo),
        ci_upper: ci(&hi),
        ci_method: (!lo.is_empty()).then(|| format!("percentile bootstrap, {BOOT_B} resamples, seed {seed}")),
        remarks,
    })
}
