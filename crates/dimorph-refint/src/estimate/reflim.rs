//! Indirect reference limits from routine data that contain pathological values, by the method
//! of the R package reflimR (Hoffmann et al. 2024, J Clin Med 13:4397; Klawonn et al. 2020,
//! 2022), written here from its published description:
//!
//! 1. **Distribution type** — Bowley's quartile skewness (Q1 − 2·Q2 + Q3)/(Q3 − Q1) of x and of
//!    ln x; the data are taken as log-normal when the skewness of x is not negative and exceeds
//!    that of ln x by at least 0.05.
//! 2. **Iterative truncated box plot** — on the (log) scale, keep values within
//!    median ± f·min(Q2 − Q1, Q3 − Q2); five steps with f = Φ⁻¹(1 − q·i/5)/Φ⁻¹(0.75 − 0.25·αᵢ),
//!    αᵢ = 2q(i − 1)/5, then f = Φ⁻¹(1 − q)/Φ⁻¹(0.75 − q/2) until no value is removed
//!    (q = 2.5 % truncated per side: the kept values are the central 95 % of the healthy part).
//! 3. **Truncated Q–Q plot** — the sample quantiles at k = min(100, n) equally spaced
//!    probabilities 0…1 of the truncated data against Φ⁻¹ of k equally spaced probabilities
//!    q…1 − q; a least-squares line through the central points (positions ⌊0.05k⌋…⌈0.95k⌉)
//!    gives μ (intercept) and σ (slope); the limits are μ ± 1.96σ (exp for log-normal).
//! 4. **Confidence intervals** (approximation of the reflimR paper) — with σ = (ul − ll)/3.92
//!    on the (log) scale and n the total count: outer bound ± σ·5.81/(√n + 0.66), inner
//!    bound ∓ σ·7.26/(√n − 5.58).
//!
//! Quantiles are R's type 7. The data are sorted once; each truncation keeps a contiguous run of
//! the sorted values, so the whole estimate costs one sort.

use super::check_values;
use crate::error::{num, RefintError, Result};
use crate::interpretation::{interpret, tolerance, Interpretation};
use crate::stats::{quantile7, reflim_digits, round_to, sorted};
use dimorph_core::dist::qnorm;
use serde::Serialize;

pub use crate::options::ReflimOptions;

/// Absolute minimum of values, before and after truncation.
pub const MIN_N: usize = 40;

/// Everything the reflimR method reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReflimResult {
    pub n_total: usize,
    pub n_trunc: usize,
    pub lognormal: bool,
    /// Bowley skewness of x and of ln x (that of ln x NaN, `null` in JSON, where its quartiles
    /// are tied in floating point; a remark says so).
    pub bowley_lin: f64,
    pub bowley_log: f64,
    /// μ and σ of the healthy part (on the log scale when log-normal).
    pub mean: f64,
    pub sd: f64,
    /// The limits, unrounded.
    pub lower: f64,
    pub upper: f64,
    /// Decimals reflimR prints (from the median) and the limits rounded to them.
    pub digits: i32,
    pub lower_rounded: f64,
    pub upper_rounded: f64,
    /// 95 % confidence intervals: [lower.low, lower.upp, upper.low, upper.upp].
    pub ci: [f64; 4],
    /// Truncation points of the iterative box plot (range of the kept values).
    pub truncation: (f64, f64),
    /// Estimated percentage of non-pathological values.
    pub perc_norm: f64,
    /// Tolerance intervals limit ± 1.28·ps_A (the equivalence band of each limit), rounded.
    pub tolerance: Option<[f64; 4]>,
    /// Against target limits, when given.
    pub interpretation: Option<Interpretation>,
    /// Warnings (low n, lower limit set to 0, …).
    pub remarks: Vec<String>,
}

/// Bowley (quartile) skewness of sorted data, with values mapped by `f` (R type 7 quantiles).
fn bowley_mapped(v: &[f64], f: impl Fn(f64) -> f64) -> f64 {
    let q = |p: f64| {
        let h = p * (v.len() - 1) as f64;
        let i = h.floor() as usize;
        let a = f(v[i]);
        if i + 1 >= v.len() {
            a
        } else {
            a + (h - h.floor()) * (f(v[i + 1]) - a)
        }
    };
    let (q1, q2, q3) = (q(0.25), q(0.5), q(0.75));
    (q1 - 2.0 * q2 + q3) / (q3 - q1)
}

/// Bowley skewness of (unsorted) data.
pub fn bowley(x: &[f64]) -> f64 {
    bowley_mapped(&sorted(x), |v| v)
}

/// reflimR's choice of the log-normal model: (lognormal, skewness of x, skewness of ln x).
pub fn lognormal_by_bowley(sorted_x: &[f64]) -> (bool, f64, f64) {
    let b1 = bowley_mapped(sorted_x, |v| v);
    let b2 = bowley_mapped(sorted_x, f64::ln);
    let ln = if b1 < 0.0 { false } else { b1 - b2 >= 0.05 };
    (ln, b1, b2)
}

/// The iterative truncated box plot on sorted (transformed) data: the kept range [start, end).
pub fn iboxplot(v: &[f64], perc_trunc: f64) -> (usize, usize) {
    let q = perc_trunc / 100.0;
    let (mut a, mut b) = (0usize, v.len());
    let truncate = |a: &mut usize, b: &mut usize, f: f64| {
        let s = &v[*a..*b];
        let (q1, q2, q3) = (quantile7(s, 0.25), quantile7(s, 0.5), quantile7(s, 0.75));
        let w = (q2 - q1).min(q3 - q2);
        let (lo, hi) = (q2 - f * w, q2 + f * w);
        let na = *a + s.partition_point(|&x| x < lo);
        let nb = *a + s.partition_point(|&x| x <= hi);
        *a = na;
        *b = nb.max(na);
    };
    for i in 1..=5 {
        let target = 1.0 - q * i as f64 / 5.0;
        let alpha = 2.0 * q * (i - 1) as f64 / 5.0;
        let f = qnorm(target) / qnorm(0.75 - 0.25 * alpha);
        truncate(&mut a, &mut b, f);
    }
    let f = qnorm(1.0 - q) / qnorm(0.75 - 0.5 * q);
    loop {
        let before = b - a;
        truncate(&mut a, &mut b, f);
        if b - a >= before || b - a == 0 {
            break;
        }
    }
    (a, b)
}

/// The truncated Q–Q regression on sorted truncated data: (intercept μ, slope σ).
pub fn truncated_qq(t: &[f64], perc_trunc: f64) -> (f64, f64) {
    let n = t.len();
    let k = n.min(100);
    let q = perc_trunc / 100.0;
    let lo = (0.05 * k as f64).floor() as usize;
    let hi = (0.95 * k as f64).ceil() as usize;
    let (mut sx, mut sy, mut sxx, mut sxy, mut m) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for j in lo.max(1)..=hi.min(k) {
        let i = (j - 1) as f64 / (k - 1) as f64; // position in 0..1
        let xq = qnorm(q + (1.0 - 2.0 * q) * i);
        let yq = quantile7(t, i);
        sx += xq;
        sy += yq;
        sxx += xq * xq;
        sxy += xq * yq;
        m += 1.0;
    }
    let slope = (sxy - sx * sy / m) / (sxx - sx * sx / m);
    let intercept = (sy - slope * sx) / m;
    (intercept, slope)
}

/// reflimR's approximate 95 % confidence intervals of both limits (on the log scale when
/// log-normal): [lower.low, lower.upp, upper.low, upper.upp].
pub fn conf_int95(n: usize, lower: f64, upper: f64, lognormal: bool) -> [f64; 4] {
    let (l, u) = if lognormal {
        (lower.ln(), upper.ln())
    } else {
        (lower, upper)
    };
    let sigma = (u - l) / 3.92;
    let sn = (n as f64).sqrt();
    let outer = sigma * 5.81 / (sn + 0.66);
    let inner = sigma * 7.26 / (sn - 5.58);
    let r = [l - outer, l + inner, u - inner, u + outer];
    if lognormal {
        r.map(f64::exp)
    } else {
        r
    }
}

/// Estimates reference limits from routine data by the reflimR method; `targets` adds the
/// interpretation against target limits. `what` names the data in messages.
pub fn reflim(what: &str, x: &[f64], targets: Option<(f64, f64)>, opts: ReflimOptions) -> Result<ReflimResult> {
    check_values(what, "reflimR", x, MIN_N, Some("the reflimR method"))?;
    opts.validate()?;
    let mut remarks = Vec::new();
    let n = x.len();
    if n < opts.n_min {
        remarks.push(format!("n = {n} where a minimum of {} is recommended; estimated with at least {MIN_N} at a potential loss of accuracy", opts.n_min));
    }
    let mut v = x.to_vec();
    v.sort_unstable_by(f64::total_cmp);
    let undefined = |reason: String| RefintError::Undefined {
        what: what.into(),
        statistic: "the reflimR estimate".into(),
        reason,
    };
    let (q1, q3) = (quantile7(&v, 0.25), quantile7(&v, 0.75));
    if q1 == q3 {
        return Err(undefined(format!(
            "the quartiles are equal (Q1 = Q3 = {}): at least half of the values are tied, so the Bowley \
             skewness and the truncated box plot have no spread",
            num(q1)
        )));
    }
    let digits = reflim_digits(quantile7(&v, 0.5));
    let (auto_ln, b1, b2) = lognormal_by_bowley(&v);
    if !b2.is_finite() {
        remarks.push(
            "the Bowley skewness of ln x is not defined (the quartiles of ln x are tied in floating point): \
             the normal model is taken"
                .into(),
        );
    }
    let lognormal = opts.lognormal.unwrap_or(auto_ln);
    if lognormal {
        v.iter_mut().for_each(|e| *e = e.ln());
    }
    let back = |e: f64| if lognormal { e.exp() } else { e };
    let t = truncated(what, &v, opts, &mut remarks)?;
    let n_trunc = t.len();
    if t[0] == t[n_trunc - 1] {
        return Err(undefined(format!(
            "the iterative truncated box plot kept only values equal to {} ({n_trunc} of {n}): the healthy \
             part has no spread",
            num(back(t[0]))
        )));
    }
    let truncation = (back(t[0]), back(t[n_trunc - 1]));
    let (mu, sigma) = truncated_qq(t, opts.perc_trunc);
    if !(mu.is_finite() && sigma.is_finite()) {
        return Err(undefined(format!(
            "the truncated Q-Q line has intercept {} and slope {}: the values overflow",
            num(mu),
            num(sigma)
        )));
    }
    let mut lower = back(mu - 1.96 * sigma);
    let upper = back(mu + 1.96 * sigma);
    if !upper.is_finite() {
        return Err(undefined(format!(
            "the upper limit {} overflows (μ = {}, σ = {})",
            if lognormal { "exp(μ + 1.96σ)" } else { "μ + 1.96σ" },
            num(mu),
            num(sigma)
        )));
    }
    if lower < 0.0 {
        remarks.push(format!("estimated lower limit {} < 0 set to 0", num(lower)));
        lower = 0.0;
    }
    if upper.partial_cmp(&lower) != Some(std::cmp::Ordering::Greater) {
        return Err(RefintError::Invalid {
            what: what.into(),
            msg: "the estimated upper limit is not above the lower limit".into(),
        });
    }
    let ci = conf_int95(n, lower.max(f64::MIN_POSITIVE), upper, lognormal);
    let perc_norm = (round_to(
        n_trunc as f64 * 100.0 / (1.0 - 2.0 * opts.perc_trunc / 100.0) / n as f64,
        1,
    ))
    .min(100.0);
    let (lr, ur) = (round_to(lower, digits), round_to(upper, digits));
    let (tol, interpretation) = judged((lr, ur), digits, targets, &mut remarks);
    Ok(ReflimResult {
        n_total: n,
        n_trunc,
        lognormal,
        bowley_lin: b1,
        bowley_log: b2,
        mean: mu,
        sd: sigma,
        lower,
        upper,
        digits,
        lower_rounded: lr,
        upper_rounded: ur,
        ci,
        truncation,
        perc_norm,
        tolerance: tol,
        interpretation,
        remarks,
    })
}

/// The iterative truncated box plot (step 2) on sorted (log) values: the kept values, at least
/// [`MIN_N`] of them; a remark when fewer than `opts.n_min` remain.
fn truncated<'a>(what: &str, v: &'a [f64], opts: ReflimOptions, remarks: &mut Vec<String>) -> Result<&'a [f64]> {
    let (a, b) = iboxplot(v, opts.perc_trunc);
    let t = &v[a..b];
    let (n, n_trunc) = (v.len(), t.len());
    if n_trunc < MIN_N {
        return Err(RefintError::TooFew {
            what: format!("{what} (after truncation)"),
            method: "reflimR".into(),
            min: MIN_N,
            n: n_trunc,
        });
    }
    if n_trunc < opts.n_min && n >= opts.n_min {
        remarks.push(format!(
            "n = {n_trunc} after truncation where a minimum of {} is recommended",
            opts.n_min
        ));
    }
    Ok(t)
}

/// The tolerance intervals of the printed limits and their interpretation against `targets`
/// (reflimR's); what cannot be computed (a printed lower limit of 0, a CV_E* ≤ 0.25 %) is left
/// out with a remark saying why.
fn judged(
    (lr, ur): (f64, f64),
    digits: i32,
    targets: Option<(f64, f64)>,
    remarks: &mut Vec<String>,
) -> (Option<[f64; 4]>, Option<Interpretation>) {
    if lr <= 0.0 {
        if targets.is_some() {
            remarks.push(format!(
                "not judged against the targets: the printed lower limit is {}, and the tolerance intervals \
                 need positive limits (log-normal assumption)",
                num(lr)
            ));
        }
        return (None, None);
    }
    let tol = match tolerance(lr, ur, true) {
        Ok(t) => Some(t.map(|e| round_to(e, digits))),
        Err(e) => {
            remarks.push(format!("tolerance intervals left out: {e}"));
            None
        }
    };
    let interpretation = targets.and_then(|tg| match interpret((lr, ur), tg, true) {
        Ok(i) => Some(i),
        Err(e) => {
            remarks.push(format!("not judged against the targets: {e}"));
            None
        }
    });
    (tol, interpretation)
}

impl ReflimResult {
    /// The limits in the common form.
    pub fn limits(&self) -> super::Limits {
        super::Limits {
            method: format!("reflimR ({})", if self.lognormal { "log-normal" } else { "normal" }),
            n: self.n_total,
            lower: self.lower,
            upper: self.upper,
            ci_lower: Some((self.ci[0], self.ci[1])),
            ci_upper: Some((self.ci[2], self.ci[3])),
            ci_method: Some("reflimR approximation (95 %)".into()),
            remarks: Vec::new(),
        }
    }
}
