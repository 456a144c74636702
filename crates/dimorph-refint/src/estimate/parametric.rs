//! Parametric reference limits (CLSI EP28-A3c): mean ± z₀.₉₇₅·SD on the normal scale, on the
//! log scale (log-normal), or after a Box–Cox transformation with the maximum-likelihood λ.
//! The 90 % confidence interval of each limit is limit ± z₀.₉₅·SE with
//! SE = SD·(1/n + z₀.₉₇₅²/(2n))^0.5 (the usual large-sample SE of a normal percentile),
//! transformed back to the original scale.

use super::{check_values, Limits};
use crate::error::{num, RefintError, Result};
use crate::quote::dec;
use crate::stats::{mean, sd};
use dimorph_core::dist::qnorm;

/// Fewest values for the parametric method.
pub const MIN_N: usize = 20;

pub use crate::options::Transform;

/// Box–Cox transform (λ = 0: log).
pub fn boxcox(x: f64, lambda: f64) -> f64 {
    if lambda.abs() < 1e-12 {
        x.ln()
    } else {
        (x.powf(lambda) - 1.0) / lambda
    }
}

/// Inverse Box–Cox transform; NaN where λ·y + 1 ≤ 0 (outside the transform's range).
pub fn boxcox_inv(y: f64, lambda: f64) -> f64 {
    if lambda.abs() < 1e-12 {
        y.exp()
    } else {
        let t = lambda * y + 1.0;
        if t <= 0.0 {
            f64::NAN
        } else {
            t.powf(1.0 / lambda)
        }
    }
}

/// Profile log-likelihood of λ for an intercept-only normal model of the transformed data
/// (up to a constant): −n/2·ln σ̂²(λ) + (λ − 1)·Σ ln x.
pub fn boxcox_loglik(x: &[f64], lambda: f64) -> f64 {
    let n = x.len() as f64;
    let t: Vec<f64> = x.iter().map(|&v| boxcox(v, lambda)).collect();
    let m = mean(&t);
    let s2 = t.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / n;
    let sl: f64 = x.iter().map(|v| v.ln()).sum();
    -n / 2.0 * s2.ln() + (lambda - 1.0) * sl
}

/// Maximum-likelihood λ: the best point of the grid −2, −1.9, …, 2 (the grid of R's
/// `MASS::boxcox`); with `refine`, a golden-section search around it.
pub fn boxcox_lambda(x: &[f64], refine: bool) -> f64 {
    let mut best = (f64::NEG_INFINITY, 0.0);
    for k in -20..=20 {
        let l = k as f64 / 10.0;
        let ll = boxcox_loglik(x, l);
        if ll > best.0 {
            best = (ll, l);
        }
    }
    if !refine {
        return best.1;
    }
    let (mut a, mut b) = (best.1 - 0.1, best.1 + 0.1);
    let g = (5f64.sqrt() - 1.0) / 2.0;
    for _ in 0..60 {
        let c = b - g * (b - a);
        let d = a + g * (b - a);
        if boxcox_loglik(x, c) > boxcox_loglik(x, d) {
            b = d;
        } else {
            a = c;
        }
    }
    (a + b) / 2.0
}

/// Parametric limits with 90 % confidence intervals (`ref_conf` = 0.95 central interval).
pub fn parametric(what: &str, x: &[f64], transform: Transform) -> Result<(Limits, Option<f64>)> {
    parametric_at(what, x, transform, crate::options::DEFAULT_PROBABILITIES)
}

/// Parametric limits at the percentiles `p` (fractions, lower and upper): mean + z_p·SD on the
/// chosen scale, with 90 % confidence intervals limit ± z₀.₉₅·SD·(1/n + z_p²/(2n))^0.5 (for a
/// central interval, referenceIntervals' `refLimit(RI = "p", refConf)`).
pub fn parametric_at(what: &str, x: &[f64], transform: Transform, p: (f64, f64)) -> Result<(Limits, Option<f64>)> {
    let positive = (transform != Transform::Normal).then_some("the log-normal / Box-Cox transformation");
    check_values(what, "parametric", x, MIN_N, positive)?;
    let lambda = match transform {
        Transform::BoxCox => Some(boxcox_lambda(x, true)),
        _ => None,
    };
    let fwd = |v: f64| match transform {
        Transform::Normal => v,
        Transform::LogNormal => v.ln(),
        Transform::BoxCox => boxcox(v, lambda.unwrap_or(1.0)),
    };
    let back = |v: f64| match transform {
        Transform::Normal => v,
        Transform::LogNormal => v.exp(),
        Transform::BoxCox => boxcox_inv(v, lambda.unwrap_or(1.0)),
    };
    let t: Vec<f64> = x.iter().map(|&v| fwd(v)).collect();
    let n = t.len();
    let (m, s) = (mean(&t), sd(&t));
    // the lower tail's quantile as −z(1 − p) (symmetric), so that the default equals mean ± z·SD
    let (zl, zu) = (-qnorm(1.0 - p.0), qnorm(p.1));
    let zc = qnorm(0.95);
    let se = |z: f64| s * (1.0 / n as f64 + z * z / (2.0 * n as f64)).sqrt();
    let (l, u) = (m + zl * s, m + zu * s);
    let (lower, upper) = (back(l), back(u));
    if !(lower.is_finite() && upper.is_finite()) {
        return Err(RefintError::Undefined {
            what: what.into(),
            statistic: "the parametric reference interval".into(),
            reason: match transform {
                Transform::BoxCox if (l + u).is_finite() => "the back-transformed Box-Cox limit lies outside the \
                    transform's range; use the log-normal or nonparametric method"
                    .into(),
                Transform::LogNormal if (l + u).is_finite() => {
                    format!("exp(mean + z·SD) = exp({} … {}) overflows", dec(l, 4), dec(u, 4))
                }
                _ => format!(
                    "mean + z·SD (mean {}, SD {}) is not a finite range: the values overflow",
                    num(m),
                    num(s)
                ),
            },
        });
    }
    let mut remarks = Vec::new();
    let mut ci = |name: &str, at: f64, se: f64| {
        let (a, b) = (back(at - zc * se), back(at + zc * se));
        if a.is_finite() && b.is_finite() {
            Some((a, b))
        } else {
            remarks.push(format!(
                "the confidence interval of the {name} limit is left out: an end of it is not a finite number \
                 ({})",
                match transform {
                    Transform::BoxCox => "outside the range of the inverse Box-Cox transformation",
                    Transform::LogNormal => "exp overflows",
                    Transform::Normal => "the values overflow",
                }
            ));
            None
        }
    };
    let (ci_lower, ci_upper) = (ci("lower", l, se(zl)), ci("upper", u, se(zu)));
    let lim = Limits {
        method: match transform {
            Transform::Normal => "parametric (normal)".into(),
            Transform::LogNormal => "parametric (log-normal)".into(),
            Transform::BoxCox => format!("parametric (Box-Cox, lambda = {:.4})", lambda.unwrap_or(f64::NAN)),
        },
        n,
        lower,
        upper,
        ci_lower,
        ci_upper,
        ci_method: Some(if p == crate::options::DEFAULT_PROBABILITIES {
            "normal theory: limit ± z(0.95)·SD·(1/n + z(0.975)²/(2n))^0.5".into()
        } else {
            "normal theory: limit ± z(0.95)·SD·(1/n + z(p)²/(2n))^0.5".into()
        }),
        remarks,
    };
    Ok((lim, lambda))
}
