//! refiner's modified Box–Cox model: the Box–Cox transformation with a shift, after refineR
//! (Ammer, Schützenmeister, Prokosch, Rauh, Rank & Zierk 2021, *refineR: a novel algorithm for
//! reference interval estimation from real-world data*, Sci Rep 11:16023; the shifted model was
//! added in refineR 1.5.0 as `findRI(model = "modBoxCox")`, and this follows refineR 2.0.0,
//! `R/algoInvHist.R` `findRI` and `R/utils.R` `cdfTruncatedBoxCox`, read to understand it).
//!
//! The model: the non-pathological values x satisfy
//!
//! ```text
//!   T_{λ,s}(x) = ((x − s)^λ − 1)/λ   (log(x − s) at λ = 0)  ~  N(μ, σ),   x > s,  s ≥ 0,
//! ```
//!
//! the normal truncated to x > s (T > −1/λ for λ > 0), so the limits are
//!
//! ```text
//!   x_p = s + T_λ⁻¹(μ + σ·Φ⁻¹(F₀ + p·(1 − F₀))),   F₀ = Φ((−1/λ − μ)/σ)  (0 at λ = 0).
//! ```
//!
//! A shift s > 0 moves the support's start away from 0, so a distribution that sits far from 0
//! but is skewed (a shifted log-normal, LDH-like) is not forced into a large λ, and a
//! distribution near 0 keeps s = 0. For a fixed s the fit is [`super::refiner`]'s: the same
//! quantile-binned histogram of x (bins below s carry no model mass, their values count as
//! pathological), the same cost and grid search over (λ, μ, σ, P), λ ∈ [0, 1.5].
//!
//! The search over s is refineR's (6 steps for `"modBoxCox"`):
//!
//! ```text
//!   s₁ = 0 (the Box–Cox fit);
//!   a_k = max(0, T_{λ_k}⁻¹(μ_k − 5σ_k))    the k-th fit's lower end (−5σ) above its s_k,
//!         or, where that is not defined (no fit, or λ(μ − 5σ) + 1 ≤ 0), ½·Q₀.₀₀₅(x) after the
//!         first fit and 0 after later ones;
//!   s_{k+1} = s_k + max(0.6, 1.4 − 0.2·(k + 1))·a_k       (factors 1, 0.8, 0.6, 0.6, 0.6),
//! ```
//!
//! stopping when a_k = 0; of the fits at s₁ … s₆ the one with the lowest cost is kept (so the
//! modified model's cost is never above the Box–Cox model's on the same data). Differences from
//! refineR besides those of the fit itself: where λ(μ − 5σ) + 1 < 0 refineR's `(…)^(1/λ)` is
//! NaN only for non-integer 1/λ (for λ = 0.5 it squares a negative number); here it is "not
//! defined" for every λ.

use super::refiner::{fit_censored_with, fit_sorted_censored, fit_sorted_shifted, inv_box_cox, RefinerFit};
use super::refiner_hist::{fit_sorted_shifted_with, COST};
use crate::error::Result;
use crate::grouped::Censored;
use crate::options::RefinerModel;
use crate::stats::quantile7;

/// Most shifts tried (refineR's `NIterMBC` for `"modBoxCox"`), the unshifted one included.
pub const SHIFT_STEPS: usize = 6;

/// The factor of the k-th shift's increment (k ≥ 2): max(0.6, 1.4 − 0.2·k).
pub fn shift_factor(k: usize) -> f64 {
    (1.4 - 0.2 * k as f64).max(0.6)
}

/// The fit's lower end on its shifted scale, T_λ⁻¹(μ − 5σ); None where λ(μ − 5σ) + 1 ≤ 0.
pub fn lower_end(f: &RefinerFit) -> Option<f64> {
    let y = f.mu - 5.0 * f.sigma;
    if f.lambda.abs() >= 1e-12 && f.lambda * y + 1.0 <= 0.0 {
        return None;
    }
    Some(inv_box_cox(y, f.lambda)).filter(|v| v.is_finite())
}

/// Fits the modified Box–Cox model to sorted positive values: the shift search of the module
/// doc, each shift fitted by [`fit_sorted_shifted`]; the lowest cost wins. None when no shift
/// gives a fit.
pub fn fit_sorted_modbc(x: &[f64], censored: Option<Censored>) -> Option<RefinerFit> {
    let mut best: Option<RefinerFit> = None;
    let (mut shift, mut add) = (0.0f64, 0.0f64);
    for k in 1..=SHIFT_STEPS {
        if k > 1 {
            if add.is_nan() || add <= 1e-20 {
                break;
            }
            shift += shift_factor(k) * add;
        }
        let f = fit_sorted_shifted(x, censored, shift);
        if let Some(f) = f {
            if best.is_none_or(|b| f.cost < b.cost) {
                best = Some(f);
            }
        }
        let fallback = if k == 1 {
            (0.5 * quantile7(x, 0.005)).max(0.0)
        } else {
            0.0
        };
        add = f.as_ref().and_then(lower_end).map_or(fallback, |v| v.max(0.0));
    }
    best.map(|f| RefinerFit {
        model: RefinerModel::ModBoxCox,
        ..f
    })
}

/// Fits sorted positive values under `model`: the Box–Cox model with [`COST`] (refineR's
/// histogram, cost and search, [`super::refiner_hist`]; where its search costs no candidate —
/// session 9: RIbench set 5142 of tests/ribench.rs's third subset, CRP at N = 500,000 rounded to
/// 0.1; none since session 10 — the quantile cost's fit, [`fit_sorted_censored`]); the modified Box–Cox model with the quantile
/// cost's shift search ([`fit_sorted_modbc`]; refineR's cost there repeats refineR's own misses
/// on tests/refiner_modboxcox.rs's generated sets, so it is not used for that model).
///
/// Values whose median lies outside [1e-3, 1e9] are fitted multiplied by a power of ten that
/// brings the median near 1, and the fit is expressed in the values' own units again
/// ([`RefinerFit::unscaled`]): refineR's search has absolute constants (differences rounded to
/// 1e-10 when it looks for the rounding unit, regions floored at 1e-20) that break down on values
/// such as 1e-25, while the model itself does not depend on the unit.
pub fn fit_sorted_model(x: &[f64], censored: Option<Censored>, model: RefinerModel) -> Option<RefinerFit> {
    let scale = unit_scale(x);
    if scale == 1.0 {
        return fit_sorted_model_as_given(x, censored, model);
    }
    let scaled: Vec<f64> = x.iter().map(|v| v * scale).collect();
    let censored = censored.map(|c| Censored {
        limit: c.limit * scale,
        ..c
    });
    fit_sorted_model_as_given(&scaled, censored, model).map(|f| RefinerFit {
        lower: f.lower / scale,
        upper: f.upper / scale,
        unit: scale,
        ..f
    })
}

/// The power of ten that [`fit_sorted_model`] multiplies sorted `x` by: 1 when the median is within
/// [1e-3, 1e9], else the one that brings it to [1, 10).
pub fn unit_scale(x: &[f64]) -> f64 {
    let Some(m) = x.get(x.len() / 2).copied().filter(|m| *m > 0.0 && m.is_finite()) else {
        return 1.0;
    };
    if (1e-3..=1e9).contains(&m) {
        return 1.0;
    }
    10f64.powi(-(m.log10().floor() as i32))
}

/// [`fit_sorted_model`] on the values as they are.
fn fit_sorted_model_as_given(x: &[f64], censored: Option<Censored>, model: RefinerModel) -> Option<RefinerFit> {
    match model {
        RefinerModel::BoxCox => {
            fit_sorted_shifted_with(x, censored, 0.0, COST).or_else(|| fit_sorted_censored(x, censored))
        }
        RefinerModel::ModBoxCox => fit_sorted_modbc(x, censored),
    }
}

/// Checks the values (as [`super::refiner::fit`]) and fits them under `model`.
pub fn fit_model(what: &str, x: &[f64], censored: Option<Censored>, model: RefinerModel) -> Result<RefinerFit> {
    fit_censored_with(what, x, censored, |x, c| fit_sorted_model(x, c, model))
}
