//! Rao's score test of the model against the null model over parts (PROC LOGISTIC's global
//! "Score", R's `anova(null, fit, test = "Rao")`): UᵀI⁻¹U/φ, with the score
//! U = Xᵀ[w (y − μ₀) μ′(η₀)/V(μ₀)] and the expected information I = Xᵀ[w μ′(η₀)²/V(μ₀)]X of the
//! full model's estimated columns at the null model's fitted means μ₀ (Rao 1948; the
//! single-machine test, `crate::inference`, with the same row terms).
//!
//! Both are sums over rows, so after the fit ([`crate::distributed::fit`], which fitted the null
//! model over the parts: [`DistFit::null_mu`]) one more pass gives each part's U and I
//! ([`score_sums`]); the driver adds them in part order ([`ScoreSums::add`]) and solves
//! ([`score_test`]). The statistic is divided by the full model's dispersion φ (estimated for
//! the quasi families, the Gaussian and the Gamma), as the single-machine test and R's
//! `stat.anova` divide it. Where the single-machine test is NA, this one is NA with the same
//! words: a null model without a valid fit (intercept and offset), or a null η₀ outside the
//! link's valid range on a row (named by its part and its place among the part's rows used —
//! a part keeps no file lines).

use serde::Serialize;

use crate::distributed::{DistFit, NullMu, Part, Passes};
use crate::family::Family;
use crate::inference::{null_eta, null_eta_note, score_na, score_row, score_statistic, ScoreTest, NO_NULL_FIT};
use crate::link::Link;

/// The first row of a part (of positive prior weight) where the null model cannot be scored.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NullRow {
    /// The part (0 until [`ScoreSums::add`] numbers it).
    pub part: usize,
    /// The row among the part's rows used, from 0.
    pub row: usize,
    /// The null mean there is NaN: the null model has no valid fit.
    pub no_fit: bool,
    /// η₀ there (outside the link's valid range unless `no_fit`).
    pub eta0: f64,
}

/// One part's (or the parts') score U (k), expected information I (k × k, row-major) on the
/// estimated columns, at the null model's means; or the first row that has none.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreSums {
    pub u: Vec<f64>,
    pub info: Vec<f64>,
    pub bad: Option<NullRow>,
}

impl ScoreSums {
    /// The sums over no row, for `k` estimated columns.
    pub fn zero(k: usize) -> ScoreSums {
        ScoreSums {
            u: vec![0.0; k],
            info: vec![0.0; k * k],
            bad: None,
        }
    }

    /// Adds part `part`'s sums; after a part with a bad row the sums stop (its row is kept: the
    /// first in the parts' order, as the single-machine test reports the first in the data).
    pub fn add(&mut self, part: usize, q: &ScoreSums) {
        if self.bad.is_some() {
            return;
        }
        if let Some(b) = q.bad {
            self.bad = Some(NullRow { part, ..b });
            return;
        }
        self.u.iter_mut().zip(&q.u).for_each(|(a, b)| *a += b);
        self.info.iter_mut().zip(&q.info).for_each(|(a, b)| *a += b);
    }
}

/// The null model's mean on a row of offset `off`.
fn null_mean(null: NullMu, link: Link, off: f64) -> f64 {
    match null {
        NullMu::Const(m) => m,
        NullMu::Intercept(b0) => link.inverse(b0 + off),
        NullMu::OffsetOnly => link.inverse(off),
    }
}

/// One part's [`ScoreSums`] on the columns `kept` of X, at the null model `null` (`intercept`:
/// whether the model has one, which makes η₀ = g(μ₀) rather than the offset).
pub fn score_sums(part: &Part, null: NullMu, intercept: bool, kept: &[usize], family: Family, link: Link) -> ScoreSums {
    let k = kept.len();
    let mut s = ScoreSums::zero(k);
    let mut xk = vec![0.0; k];
    for i in 0..part.n {
        let w = part.prior[i];
        if w == 0.0 {
            continue;
        }
        let off = part.offset.as_ref().map_or(0.0, |o| o[i]);
        let m = null_mean(null, link, off);
        let eta0 = null_eta(link, intercept, m, off);
        if m.is_nan() || !link.valid_eta(eta0) {
            s.bad = Some(NullRow {
                part: 0,
                row: i,
                no_fit: m.is_nan(),
                eta0,
            });
            return s;
        }
        let (sc, we) = score_row(family, link, part.y[i], m, eta0, w);
        let row = &part.x[i * part.p..(i + 1) * part.p];
        for (x, &j) in xk.iter_mut().zip(kept) {
            *x = row[j];
        }
        for (r, &xr) in xk.iter().enumerate() {
            s.u[r] += sc * xr;
            let a = we * xr;
            for (c, &xc) in xk.iter().enumerate().skip(r) {
                s.info[r * k + c] += a * xc;
            }
        }
    }
    for r in 0..k {
        for c in 0..r {
            s.info[r * k + c] = s.info[c * k + r];
        }
    }
    s
}

/// The parts as the score pass reaches them: Σ [`score_sums`] over the parts, added in order
/// with [`ScoreSums::add`] (each part numbered by its place).
pub trait ScorePasses: Passes {
    fn score(&mut self, null: NullMu, intercept: bool, kept: &[usize]) -> Result<ScoreSums, Self::Error>;
}

/// The score test of `fit` (fitted over `passes`' parts with `link`; `intercept`: whether its
/// model has one) against its null model: one pass over the parts, none when the null model has
/// no valid fit.
pub fn score_test<P: ScorePasses>(
    passes: &mut P,
    fit: &DistFit,
    intercept: bool,
    link: Link,
) -> Result<ScoreTest, P::Error> {
    let df = fit.kept.iter().filter(|&&c| !(intercept && c == 0)).count();
    if matches!(fit.null_mu, NullMu::Intercept(b) if b.is_nan()) {
        return Ok(score_na(df, NO_NULL_FIT.into()));
    }
    let s = passes.score(fit.null_mu, intercept, &fit.kept)?;
    Ok(match s.bad {
        Some(b) if b.no_fit => score_na(df, NO_NULL_FIT.into()),
        Some(b) => {
            let at = format!("partition {}, row {} of its rows used", b.part, b.row + 1);
            score_na(df, null_eta_note(link, b.eta0, &at))
        }
        None => score_statistic(&s.u, &s.info, fit.dispersion, df),
    })
}
