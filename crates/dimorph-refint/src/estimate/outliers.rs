//! Outlier screens for direct reference samples (CLSI EP28-A3c):
//! Horn's method — Tukey's fences Q1 − 1.5·IQR, Q3 + 1.5·IQR on the Box–Cox scale (λ from the
//! grid −2…2 in steps of 0.1, as R's `MASS::boxcox`), values on or beyond a fence flagged — and
//! Dixon's Q test for a single extreme value (n = 3…30; ratios r₁₀, r₁₁, r₂₁, r₂₂ by n, two-sided
//! 5 % critical values of Dixon 1951).

use super::check_values;
use super::parametric::{boxcox, boxcox_lambda};
use crate::error::{RefintError, Result};
use crate::stats::{quantile7, sorted};
use serde::Serialize;

/// Result of Horn's method.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Horn {
    pub lambda: f64,
    /// Fences on the original scale; None where a fence lies outside the range of the inverse
    /// Box–Cox transformation (no value can lie beyond it on that side).
    pub fences: (Option<f64>, Option<f64>),
    /// Flagged values, ascending.
    pub outliers: Vec<f64>,
}

/// Horn's method: Tukey fences on the Box–Cox scale.
pub fn horn(what: &str, x: &[f64]) -> Result<Horn> {
    horn_split(what, x).map(|(h, _)| h)
}

/// Horn's method, with the values it keeps (those strictly between the fences, in their order),
/// as referenceIntervals' `horn.outliers` splits them (`$outliers`, `$subset`).
pub fn horn_split(what: &str, x: &[f64]) -> Result<(Horn, Vec<f64>)> {
    check_values(
        what,
        "Horn outlier",
        x,
        4,
        Some("the Box-Cox transformation of the Horn outlier screen (--outliers horn)"),
    )?;
    let lambda = boxcox_lambda(x, false);
    let t = sorted(&x.iter().map(|&v| boxcox(v, lambda)).collect::<Vec<_>>());
    let (q1, q3) = (quantile7(&t, 0.25), quantile7(&t, 0.75));
    let iqr = q3 - q1;
    let (lo, hi) = (q1 - 1.5 * iqr, q3 + 1.5 * iqr);
    let flagged = |v: f64| {
        let y = boxcox(v, lambda);
        y <= lo || y >= hi
    };
    let mut outliers: Vec<f64> = x.iter().copied().filter(|&v| flagged(v)).collect();
    outliers.sort_unstable_by(f64::total_cmp);
    let kept = x.iter().copied().filter(|&v| !flagged(v)).collect();
    let inv = |y: f64| Some(super::parametric::boxcox_inv(y, lambda)).filter(|v| v.is_finite());
    Ok((
        Horn {
            lambda,
            fences: (inv(lo), inv(hi)),
            outliers,
        },
        kept,
    ))
}

/// Two-sided 5 % critical values of Dixon's ratio for n = 3…30 (r₁₀ for n ≤ 7, r₁₁ for 8–10,
/// r₂₁ for 11–13, r₂₂ for 14–30).
const DIXON_CRIT_05: [f64; 28] = [
    0.970, 0.829, 0.710, 0.625, 0.568, 0.615, 0.570, 0.534, 0.625, 0.592, 0.565, 0.590, 0.568, 0.548, 0.531, 0.516,
    0.503, 0.491, 0.480, 0.470, 0.461, 0.452, 0.445, 0.438, 0.432, 0.426, 0.419, 0.414,
];

/// Result of Dixon's test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dixon {
    /// Which ratio ("r10", "r11", "r21", "r22").
    pub ratio: String,
    /// The ratio for the more extreme end.
    pub q: f64,
    /// Which end: "lowest" or "highest".
    pub end: String,
    pub value: f64,
    pub critical: f64,
    pub outlier: bool,
}

/// Dixon's test for the more extreme of the smallest and largest value.
pub fn dixon(what: &str, x: &[f64]) -> Result<Dixon> {
    check_values(what, "Dixon", x, 3, None)?;
    let n = x.len();
    if n > 30 {
        return Err(RefintError::Invalid {
            what: what.into(),
            msg: format!(
                "Dixon's test is tabulated for 3 to 30 values, but there are {n} (--outliers dixon; --outliers \
                 horn screens larger samples)"
            ),
        });
    }
    let v = sorted(x);
    let (ratio_name, gap, span): (&str, usize, usize) = match n {
        3..=7 => ("r10", 1, 0),
        8..=10 => ("r11", 1, 1),
        11..=13 => ("r21", 2, 1),
        _ => ("r22", 2, 2),
    };
    // low end: (x[gap] − x[0]) / (x[n−1−span] − x[0]); high end mirrored. A ratio whose range
    // is 0 (the values it spans are tied) is not defined; the test takes the other end.
    let ratio = |num: f64, den: f64| (den > 0.0).then(|| num / den);
    let q_low = ratio(v[gap] - v[0], v[n - 1 - span] - v[0]);
    let q_high = ratio(v[n - 1] - v[n - 1 - gap], v[n - 1] - v[span]);
    let (q, end, value) = match (q_low, q_high) {
        (Some(l), Some(h)) if l > h => (l, "lowest", v[0]),
        (_, Some(h)) => (h, "highest", v[n - 1]),
        (Some(l), None) => (l, "lowest", v[0]),
        (None, None) => {
            return Err(RefintError::Undefined {
                what: what.into(),
                statistic: format!("Dixon's ratio {ratio_name}"),
                reason: "the values it spans at both ends are tied (its range is 0)".into(),
            })
        }
    };
    let critical = DIXON_CRIT_05[n - 3];
    Ok(Dixon {
        ratio: ratio_name.into(),
        q,
        end: end.into(),
        value,
        critical,
        outlier: q > critical,
    })
}
