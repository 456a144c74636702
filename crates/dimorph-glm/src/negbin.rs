//! The negative binomial with θ estimated by maximum likelihood, as MASS's `glm.nb`: start
//! from the Poisson fit, then alternate the ML estimate of θ given μ (Newton's method on the
//! profile score) and the IRLS fit of β given θ, until the log-likelihood and θ settle.
//!
//! Counts that are not over-dispersed have no finite θ̂: the likelihood rises towards the
//! Poisson model as θ → ∞ (where MASS stops at its iteration limit with a warning and a huge
//! θ). The score in α = 1/θ at α = 0 is ½ Σ w[(y − μ)² − y]; when it is not positive at the
//! Poisson fit, or θ passes [`THETA_MAX`], θ̂ is infinite and the fit falls back to the Poisson
//! model with a warning. Every loop is bounded: at most 100 Newton steps for θ, at most
//! max(--max-iter, 25) alternations, each an IRLS fit of at most --max-iter iterations.

use dimorph_core::dist::digamma;
use serde::Serialize;

use crate::design::ModelFrame;
use crate::error::{GlmError, Result};
use crate::family::{Family, THETA_MAX};
use crate::irls::{self, Bounds, Irls, Problem};
use crate::link::Link;
use crate::options::GlmOptions;

/// θ of a negative binomial estimated by maximum likelihood.
#[derive(Debug, Clone, Serialize)]
pub struct ThetaEstimate {
    pub theta: f64,
    pub se: f64,
    /// Outer iterations (θ, β) alternations.
    pub iterations: usize,
}

/// Result of the alternation.
pub(crate) struct NbFit {
    /// θ̂, or `None` when it is infinite: `irls` is then the Poisson fit.
    pub theta: Option<ThetaEstimate>,
    pub irls: Irls,
    /// Why θ̂ is infinite, for the warning.
    pub warning: Option<String>,
}

/// θ̂ is infinite (the data are not over-dispersed given μ); the text says why.
#[derive(Debug, Clone, PartialEq)]
pub struct InfiniteTheta(pub String);

/// ½ Σ w[(y − μ)² − y]: the score of the log-likelihood in α = 1/θ at α = 0 (the Poisson
/// model). Not positive: the likelihood does not rise as α leaves 0, θ̂ is infinite.
pub fn overdispersion_score(y: &[f64], mu: &[f64], w: &[f64]) -> f64 {
    0.5 * theta_sums(None, y, mu, w).overdispersion
}

/// Trigamma ψ′(x) for x > 0 (recurrence to x ≥ 10, then the asymptotic series).
pub fn trigamma(mut x: f64) -> f64 {
    let mut acc = 0.0;
    while x < 10.0 {
        acc += 1.0 / (x * x);
        x += 1.0;
    }
    let x2 = 1.0 / (x * x);
    acc + 1.0 / x
        + x2 / 2.0
        + (1.0 / x) * x2 * (1.0 / 6.0 - x2 * (1.0 / 30.0 - x2 * (1.0 / 42.0 - x2 * (1.0 / 30.0 - x2 * 5.0 / 66.0))))
}

/// Score and observed information of one observation's log-likelihood in θ for fixed μ (prior
/// weight w; MASS's `theta.ml`): w[ψ(y + θ) − ψ(θ) + log θ + 1 − log(μ + θ) − (y + θ)/(μ + θ)]
/// and w[−ψ′(y + θ) + ψ′(θ) − 1/θ + 2/(μ + θ) − (y + θ)/(μ + θ)²].
pub(crate) fn score_info_row(theta: f64, y: f64, mu: f64, w: f64) -> (f64, f64) {
    let s =
        w * (digamma(theta + y) - digamma(theta) + theta.ln() + 1.0 - (theta + mu).ln() - (y + theta) / (mu + theta));
    let i = w
        * (-trigamma(theta + y) + trigamma(theta) - 1.0 / theta + 2.0 / (mu + theta)
            - (y + theta) / ((mu + theta) * (mu + theta)));
    (s, i)
}

/// The sums over rows at fixed μ that θ's estimate needs: its start (the over-dispersion score,
/// Σw and the moment Σ w(y/μ − 1)²) and, at a θ, the score and information. Sums over parts add
/// ([`ThetaSums::add`]): the distributed fit's θ pass (`distributed_theta.rs`) sums them per
/// part, the fit in memory over all rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct ThetaSums {
    /// Σ w[(y − μ)² − y] over rows of positive weight (twice [`overdispersion_score`]).
    pub overdispersion: f64,
    /// Σ w and Σ w (y/μ − 1)²: the moment estimate Σw / Σ w (y/μ − 1)² starts Newton's method.
    pub sum_w: f64,
    pub moment: f64,
    /// Score and observed information in θ (0 when no θ was given).
    pub score: f64,
    pub info: f64,
    /// The negative binomial's log-likelihood at θ (0 when no θ was given, or not asked for).
    pub loglik: f64,
}

impl ThetaSums {
    /// Adds another part's sums.
    pub fn add(&mut self, q: &ThetaSums) {
        self.overdispersion += q.overdispersion;
        self.sum_w += q.sum_w;
        self.moment += q.moment;
        self.score += q.score;
        self.info += q.info;
        self.loglik += q.loglik;
    }
}

/// The [`ThetaSums`] of rows y, μ, w: the start's sums, and at `theta` the score and
/// information ([`score_info_row`]); the log-likelihood is [`loglik`]'s, asked for separately.
pub fn theta_sums(theta: Option<f64>, y: &[f64], mu: &[f64], w: &[f64]) -> ThetaSums {
    let mut out = ThetaSums {
        overdispersion: (0..y.len())
            .filter(|&k| w[k] > 0.0)
            .map(|k| w[k] * ((y[k] - mu[k]).powi(2) - y[k]))
            .sum::<f64>(),
        sum_w: w.iter().sum(),
        moment: (0..y.len()).map(|k| w[k] * (y[k] / mu[k] - 1.0).powi(2)).sum(),
        ..ThetaSums::default()
    };
    if let Some(t) = theta {
        for k in 0..y.len() {
            if w[k] == 0.0 {
                continue;
            }
            let (s, i) = score_info_row(t, y[k], mu[k], w[k]);
            out.score += s;
            out.info += i;
        }
    }
    out
}

/// Maximum-likelihood θ for fixed μ by Newton's method, from the data's [`ThetaSums`] wherever
/// they are: `start` the start's sums, `at(θ)` the score and information at θ (one pass over
/// the data each). An [`InfiniteTheta`] when the counts are not over-dispersed given μ or θ
/// passes [`THETA_MAX`].
pub(crate) fn theta_newton<E>(
    start: &ThetaSums,
    mut at: impl FnMut(f64) -> std::result::Result<ThetaSums, E>,
) -> std::result::Result<std::result::Result<f64, InfiniteTheta>, E> {
    let u = 0.5 * start.overdispersion;
    if u.is_nan() || u <= 0.0 {
        return Ok(Err(InfiniteTheta(format!(
            "the counts are not over-dispersed given the fitted means (½ Σ w[(y − μ)² − y] = {} ≤ 0)",
            dimorph_report::fmt::sig(u, 6)
        ))));
    }
    let mut t = start.sum_w / start.moment;
    if !(t.is_finite() && t > 0.0) {
        t = 1.0;
    }
    t = t.min(THETA_MAX);
    for _ in 0..100 {
        let q = at(t)?;
        let mut step = q.score / q.info;
        if !step.is_finite() {
            break;
        }
        // keep θ positive
        while t + step <= 0.0 {
            step *= 0.5;
        }
        t += step;
        if t > THETA_MAX {
            return Ok(Err(InfiniteTheta(format!(
                "θ passed {} (the counts are hardly over-dispersed given the fitted means)",
                dimorph_report::fmt::sig(THETA_MAX, 6)
            ))));
        }
        if step.abs() <= 1e-12 * t.max(1.0) {
            break;
        }
    }
    Ok(Ok(t))
}

/// Maximum-likelihood θ for fixed μ, with its standard error 1/√(information); an
/// [`InfiniteTheta`] when the counts are not over-dispersed given μ or θ passes [`THETA_MAX`].
pub fn theta_ml(y: &[f64], mu: &[f64], w: &[f64]) -> std::result::Result<(f64, f64), InfiniteTheta> {
    let start = theta_sums(None, y, mu, w);
    let at = |t| Ok::<_, std::convert::Infallible>(theta_sums(Some(t), y, mu, w));
    match theta_newton(&start, at) {
        Ok(r) => r.map(|t| (t, theta_se(t, y, mu, w))),
        Err(never) => match never {},
    }
}

/// Σ over rows of positive weight of the log-likelihood of `fam` (a negative binomial).
pub(crate) fn loglik(fam: Family, y: &[f64], mu: &[f64], w: &[f64]) -> f64 {
    (0..y.len())
        .filter(|&k| w[k] > 0.0)
        .map(|k| fam.loglik(y[k], mu[k], w[k], 1.0, 1.0))
        .sum()
}

fn fitted(mf: &ModelFrame, beta: &[f64], link: Link) -> Vec<f64> {
    (0..mf.n)
        .map(|i| {
            let e: f64 =
                mf.row(i).iter().zip(beta).map(|(a, b)| a * b).sum::<f64>() + mf.offset.as_ref().map_or(0.0, |o| o[i]);
            link.inverse(e)
        })
        .collect()
}

/// The fit when θ̂ is infinite: the Poisson model, with the warning.
pub(crate) fn poisson_limit(poisson: Irls, why: InfiniteTheta) -> NbFit {
    NbFit {
        theta: None,
        irls: poisson,
        warning: Some(format!(
            "θ of the negative binomial goes to infinity: {}; the negative binomial's limit, the Poisson model, is reported (family poisson)",
            why.0
        )),
    }
}

/// An error unless IRLS converged: the `--start` errors of a fit with no valid β or stopped at
/// a step it could not correct (as in `fit`), else not converged. `start_given`: the starting
/// values were the user's.
pub(crate) fn converged(res: Irls, link: Link, start_given: bool) -> Result<Irls> {
    if res.bounds.no_valid_start {
        let hint = "give starting values with --start (one per coefficient, with η valid on every row)";
        return Err(irls::no_valid_start_error(link, start_given, hint));
    }
    if let Some(stuck) = res.bounds.stuck {
        let hint = "give other starting values with --start (one per coefficient) or try another link";
        return Err(irls::stuck_error(link, stuck, hint));
    }
    if res.converged {
        Ok(res)
    } else {
        Err(GlmError::NotConverged {
            iterations: res.iterations,
            last_change: res.last_change,
        })
    }
}

/// Alternates θ and β to convergence; falls back to the Poisson fit when θ̂ is infinite.
pub(crate) fn fit_theta(
    mf: &ModelFrame,
    w: &[f64],
    link: Link,
    intercept: Option<usize>,
    opts: &GlmOptions,
) -> Result<NbFit> {
    let free: Vec<usize> = (0..mf.p).collect();
    let ctl = opts.control();
    let pb = |family| Problem {
        x: &mf.x,
        n: mf.n,
        p: mf.p,
        y: &mf.y,
        w,
        offset: mf.offset.as_deref(),
        family,
        link,
    };
    let poisson = converged(
        irls::irls(&pb(Family::Poisson), &free, intercept, opts.start.as_deref(), ctl),
        link,
        opts.start.is_some(),
    )?;
    // the steps cut back over all the inner fits, for the warnings
    let mut bounds = poisson.bounds;
    let mut res = poisson.clone();
    let mut mu = fitted(mf, &res.beta, link);
    let mut theta = match theta_ml(&mf.y, &mu, w) {
        Ok((t, _)) => t,
        Err(why) => return Ok(poisson_limit(poisson, why)),
    };
    let mut outer = Outer::new(mf.n, mf.p, loglik(Family::NegBin { theta }, &mf.y, &mu, w), opts);
    loop {
        dimorph_core::interrupt::poll();
        let start = res.beta.clone();
        res = converged(
            irls::irls(&pb(Family::NegBin { theta }), &free, intercept, Some(&start), ctl),
            link,
            false,
        )?;
        bounds = then(bounds, res.bounds);
        mu = fitted(mf, &res.beta, link);
        let t0 = theta;
        theta = match theta_ml(&mf.y, &mu, w) {
            Ok((t, _)) => t,
            Err(why) => return Ok(poisson_limit(poisson, why)),
        };
        if outer.settled(loglik(Family::NegBin { theta }, &mf.y, &mu, w), t0, theta)? {
            break;
        }
    }
    // final β at the final θ
    let start = res.beta.clone();
    res = converged(
        irls::irls(&pb(Family::NegBin { theta }), &free, intercept, Some(&start), ctl),
        link,
        false,
    )?;
    res.bounds = then(bounds, res.bounds);
    let se = theta_se(theta, &mf.y, &fitted(mf, &res.beta, link), w);
    Ok(outer.fit(theta, se, res))
}

/// When the alternation of θ and β stops (MASS's `glm.nb`): once the change of the
/// log-likelihood, scaled by √(2(n − p)), plus θ's relative change is below min(tol, 1e-10); not
/// converged after max(max_iter, 25) rounds. Shared by the fit in memory ([`fit_theta`]) and the
/// distributed one (`distributed_theta.rs`).
pub(crate) struct Outer {
    /// Rounds ended so far.
    pub(crate) rounds: usize,
    loglik: f64,
    scale: f64,
    tol: f64,
    max_rounds: usize,
}

impl Outer {
    /// Before the first round: `loglik` at the starting θ.
    pub(crate) fn new(n: usize, p: usize, loglik: f64, opts: &GlmOptions) -> Outer {
        Outer {
            rounds: 0,
            loglik,
            scale: (2.0 * (n as f64 - p as f64).max(1.0)).sqrt(),
            tol: opts.tol.min(1e-10),
            max_rounds: opts.max_iter.max(25),
        }
    }

    /// A round ended with θ moved from `theta0` to `theta` and the log-likelihood `loglik`:
    /// true when the fit has settled, an error when it has not after the last round.
    pub(crate) fn settled(&mut self, loglik: f64, theta0: f64, theta: f64) -> Result<bool> {
        self.rounds += 1;
        let change = (self.loglik - loglik).abs() / self.scale + (theta0 - theta).abs() / theta.max(1.0);
        self.loglik = loglik;
        if change < self.tol {
            return Ok(true);
        }
        if self.rounds >= self.max_rounds {
            return Err(GlmError::NotConverged {
                iterations: self.rounds,
                last_change: change,
            });
        }
        Ok(false)
    }

    /// The fit once settled: θ̂, its standard error and the final β fit at θ̂.
    pub(crate) fn fit(&self, theta: f64, se: f64, irls: Irls) -> NbFit {
        NbFit {
            theta: Some(ThetaEstimate {
                theta,
                se,
                iterations: self.rounds,
            }),
            irls,
            warning: None,
        }
    }
}

/// The bounds of two fits in turn: the steps cut back in either, the boundary as the later
/// fit's.
pub(crate) fn then(earlier: Bounds, later: Bounds) -> Bounds {
    Bounds {
        truncated: earlier.truncated + later.truncated,
        diverged: earlier.diverged + later.diverged,
        ..later
    }
}

/// The standard error of θ, 1/√(observed information), at fixed μ.
fn theta_se(theta: f64, y: &[f64], mu: &[f64], w: &[f64]) -> f64 {
    1.0 / theta_sums(Some(theta), y, mu, w).info.sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigamma_known_values() {
        // ψ′(1) = π²/6, ψ′(1/2) = π²/2
        let pi2 = std::f64::consts::PI.powi(2);
        assert!((trigamma(1.0) - pi2 / 6.0).abs() < 1e-12);
        assert!((trigamma(0.5) - pi2 / 2.0).abs() < 1e-12);
        assert!((trigamma(10.0) - 0.105_166_335_681_685_2).abs() < 1e-12);
    }
}
