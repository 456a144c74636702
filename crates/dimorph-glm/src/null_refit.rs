//! The null model y ~ 1 + offset of a fit with an intercept and an offset, refitted for the null
//! deviance as R's `glm` refits it (Agresti §4.5.4 compares a model with the null model by the
//! difference of their deviances; R's `glm` calls `glm.fit` again on the intercept alone).
//!
//! Written once over [`irls::Passes`], so the fit in memory and the fit over parts (distributed,
//! streamed) refit it the same way. On a link whose η is restricted (R's `valideta`: η > 0 for
//! sqrt, 1/μ² and power(λ); η ≠ 0 for the inverse) it takes R's path:
//!
//! 1. IRLS from the family's starting μ (R's `mustart`), as R's `glm(y ~ 1 + offset(o))`. Its
//!    first step can leave the range: R then stops ("no valid set of coefficients has been
//!    found: please supply starting values").
//! 2. Then IRLS from the intercept b₀ that puts every η = b₀ + offset on the side of g(ȳ): b₀ =
//!    g(ȳ) − min(offset) when g(ȳ) > 0 (every η ≥ g(ȳ)), b₀ = g(ȳ) − max(offset) when g(ȳ) < 0
//!    (the inverse link only), as R's `glm(y ~ 1 + offset(o), start = b₀)`. It needs Σw, Σwy
//!    and the offset's range: one statistics pass over parts ([`NullSums`]).
//! 3. Where that start is refused too (μ outside the family's range), dimorph's own rescue of a
//!    first step: IRLS from the family's start with that step halved towards the intercept-only
//!    model ([`irls::irls_with`] with the intercept as anchor).
//!
//! On the other links the refit is step 3's from the start (R's `glm` stops where it differs).
//! Where no valid β is found, the null deviance is NA with [`no_fit_warning`].
//!
//! The refit's own troubles are said as R's `glm` says them ([`warnings`]): its steps cut back
//! into the valid range ("step size truncated: out of bounds"), a last step cut back ("algorithm
//! stopped at boundary value") and no convergence ("fitting to calculate the null deviance did
//! not converge -- increase 'maxit'?").

use crate::family::Family;
use crate::irls::{self, Control, Irls, Passes};
use crate::link::Link;

/// What the fallback start needs from the rows: Σw, Σwy and the offset's smallest and largest
/// value (over every row, as the IRLS passes see them).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NullSums {
    pub sum_w: f64,
    pub sum_wy: f64,
    pub min_offset: f64,
    pub max_offset: f64,
}

impl NullSums {
    /// The sums over rows given as (weight, response, offset).
    pub fn of(rows: impl Iterator<Item = (f64, f64, f64)>) -> NullSums {
        rows.fold(
            NullSums {
                sum_w: 0.0,
                sum_wy: 0.0,
                min_offset: f64::INFINITY,
                max_offset: f64::NEG_INFINITY,
            },
            |s, (w, y, o)| NullSums {
                sum_w: s.sum_w + w,
                sum_wy: s.sum_wy + w * y,
                min_offset: s.min_offset.min(o),
                max_offset: s.max_offset.max(o),
            },
        )
    }
}

/// The intercept b₀ from which every η = b₀ + offset is valid for `link` (module doc, step 2), or
/// `None` (a link with no restricted η, or g(ȳ) not a finite number on the valid side).
pub fn fallback_start(link: Link, s: &NullSums) -> Option<f64> {
    let g = link.link(s.sum_wy / s.sum_w);
    let b0 = match link {
        Link::Sqrt | Link::InverseSquare | Link::Power(_) if g > 0.0 => g - s.min_offset,
        Link::Inverse if g > 0.0 => g - s.min_offset,
        Link::Inverse if g < 0.0 => g - s.max_offset,
        _ => return None,
    };
    (g.is_finite() && b0.is_finite()).then_some(b0)
}

/// Whether a link's η is restricted (R's `valideta` refuses some finite η).
fn restricted(link: Link) -> bool {
    matches!(link, Link::Sqrt | Link::InverseSquare | Link::Power(_) | Link::Inverse)
}

/// The null model refitted over `data` (`p` columns, column 0 the intercept; the others held
/// at 0) by the steps of the module doc; `sums` (asked for only at step 2) gives what
/// [`fallback_start`] needs, `None` to skip that step.
pub fn refit<D: Passes>(
    data: &mut D,
    p: usize,
    model: (Family, Link),
    ctl: Control,
    sums: impl FnOnce(&mut D) -> Result<Option<NullSums>, D::Error>,
) -> Result<Irls, D::Error> {
    let link = model.1;
    if !restricted(link) {
        return irls::irls_with(data, p, &[0], Some(0), model, None, ctl);
    }
    let r = irls::irls_with(data, p, &[0], None, model, None, ctl)?;
    if !r.bounds.no_valid_start {
        return Ok(r);
    }
    if let Some(b0) = sums(data)?.and_then(|s| fallback_start(link, &s)) {
        let mut start = vec![0.0; p];
        start[0] = b0;
        let r = irls::irls_with(data, p, &[0], Some(0), model, Some(&start), ctl)?;
        if !r.bounds.no_valid_start {
            return Ok(r);
        }
    }
    irls::irls_with(data, p, &[0], Some(0), model, None, ctl)
}

/// Whether the refit gave a null model (else its deviance is NA).
pub fn fitted(r: &Irls) -> bool {
    !r.bounds.no_valid_start && r.bounds.stuck.is_none()
}

/// The warning of a null model that [`refit`] could not fit.
pub fn no_fit_warning(link: Link) -> String {
    format!(
        "the null model (intercept and offset) has no valid fit ({}): the null deviance, and the tests and R² against it, are NA",
        irls::valid_range_words(link)
    )
}

/// The warnings of the refit as R's `glm` gives them: [`no_fit_warning`] when it found no null
/// model; else its steps cut back (R: "step size truncated: out of bounds", "glm.fit: algorithm
/// stopped at boundary value", said of the null model) and no convergence (R: "fitting to
/// calculate the null deviance did not converge -- increase 'maxit'?").
pub fn warnings(r: &Irls, link: Link) -> Vec<String> {
    if !fitted(r) {
        return vec![no_fit_warning(link)];
    }
    let mut w: Vec<String> = r
        .bounds
        .warnings(link)
        .into_iter()
        .map(|s| format!("the null model (intercept and offset), refitted for the null deviance: {s}"))
        .collect();
    if !r.converged {
        w.push(format!(
            "fitting to calculate the null deviance did not converge in {} iterations (last relative change in deviance {:.3e}): the null deviance, and the tests against it, are from the last iteration (R: \"fitting to calculate the null deviance did not converge -- increase 'maxit'?\")",
            r.iterations, r.last_change
        ));
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sums(w_y_o: &[(f64, f64, f64)]) -> NullSums {
        NullSums::of(w_y_o.iter().copied())
    }

    /// Every η = b₀ + offset is on g(ȳ)'s side, at least |g(ȳ)| from 0; no start where g(ȳ) is 0
    /// or not finite, or the link's η is not restricted.
    #[test]
    fn fallback_start_puts_every_eta_on_the_valid_side() {
        let s = sums(&[(1.0, 4.0, -2.0), (3.0, 0.0, 0.5), (0.0, 9.0, 1.5)]);
        assert_eq!((s.sum_w, s.sum_wy, s.min_offset, s.max_offset), (4.0, 4.0, -2.0, 1.5));
        // ȳ = 1: √1 − (−2) = 3, so η ≥ 1 on every row
        assert_eq!(fallback_start(Link::Sqrt, &s), Some(3.0));
        assert_eq!(fallback_start(Link::Power(1.0 / 3.0), &s), Some(3.0));
        assert_eq!(fallback_start(Link::InverseSquare, &s), Some(3.0));
        assert_eq!(fallback_start(Link::Inverse, &s), Some(3.0));
        assert_eq!(fallback_start(Link::Log, &s), None);
        // ȳ = −0.5 (a Gaussian response): the inverse link's η ≤ 1/ȳ = −2 on every row
        let neg = sums(&[(1.0, -1.0, -2.0), (1.0, 0.0, 1.5)]);
        assert_eq!(fallback_start(Link::Inverse, &neg), Some(-2.0 - 1.5));
        assert_eq!(fallback_start(Link::Sqrt, &neg), None);
        // ȳ = 0: g(ȳ) = 0 or ∞
        let zero = sums(&[(1.0, 0.0, 0.3), (1.0, 0.0, -0.2)]);
        for link in [
            Link::Sqrt,
            Link::Power(0.5),
            Link::InverseSquare,
            Link::Inverse,
            Link::Power(-1.0),
        ] {
            assert_eq!(fallback_start(link, &zero), None, "{link:?}");
        }
    }
}
