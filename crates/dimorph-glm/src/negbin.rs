//! The negative binomial with θ estimated by maximum likelihood, as MASS's `glm.nb`: start
//! from the Poisson fit, then alternate the ML estimate of θ given μ (Newton's method on the
//! profile score) and the IRLS fit of β given θ, until the log-likelihood and θ settle.

use serde::Serialize;
use statrs::function::gamma::digamma;

use crate::design::ModelFrame;
use crate::error::{GlmError, Result};
use crate::family::Family;
use crate::irls::{self, Irls, Problem};
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
    pub theta: ThetaEstimate,
    pub irls: Irls,
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

/// Score and observed information of the log-likelihood in θ for fixed μ.
fn score_info(theta: f64, y: &[f64], mu: &[f64], w: &[f64]) -> (f64, f64) {
    let (mut s, mut i) = (0.0, 0.0);
    for k in 0..y.len() {
        let (yk, mk, wk) = (y[k], mu[k], w[k]);
        if wk == 0.0 {
            continue;
        }
        s += wk
            * (digamma(theta + yk) - digamma(theta) + theta.ln() + 1.0
                - (theta + mk).ln()
                - (yk + theta) / (mk + theta));
        i += wk
            * (-trigamma(theta + yk) + trigamma(theta) - 1.0 / theta + 2.0 / (mk + theta)
                - (yk + theta) / ((mk + theta) * (mk + theta)));
    }
    (s, i)
}

/// Maximum-likelihood θ for fixed μ, with its standard error 1/√(information).
pub fn theta_ml(y: &[f64], mu: &[f64], w: &[f64]) -> (f64, f64) {
    let sw: f64 = w.iter().sum();
    let denom: f64 = (0..y.len()).map(|k| w[k] * (y[k] / mu[k] - 1.0).powi(2)).sum();
    let mut t = sw / denom;
    if !(t.is_finite() && t > 0.0) {
        t = 1.0;
    }
    for _ in 0..100 {
        let (s, i) = score_info(t, y, mu, w);
        let mut step = s / i;
        if !step.is_finite() {
            break;
        }
        // keep θ positive
        while t + step <= 0.0 {
            step *= 0.5;
        }
        t += step;
        if step.abs() <= 1e-12 * t.max(1.0) {
            break;
        }
    }
    (t, theta_se(t, y, mu, w))
}

fn loglik(fam: Family, y: &[f64], mu: &[f64], w: &[f64]) -> f64 {
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

/// Alternates θ and β to convergence.
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
    let mut res = irls::irls(&pb(Family::Poisson), &free, intercept, opts.start.as_deref(), ctl);
    if !res.converged {
        return Err(GlmError::NotConverged {
            iterations: res.iterations,
            last_change: res.last_change,
        });
    }
    let mut mu = fitted(mf, &res.beta, link);
    let (mut theta, _) = theta_ml(&mf.y, &mu, w);
    let mut ll_old = loglik(Family::NegBin { theta }, &mf.y, &mu, w);
    let d1 = (2.0 * (mf.n as f64 - mf.p as f64).max(1.0)).sqrt();
    let mut outer = 0;
    loop {
        outer += 1;
        let fam = Family::NegBin { theta };
        let start = res.beta.clone();
        res = irls::irls(&pb(fam), &free, intercept, Some(&start), ctl);
        if !res.converged {
            return Err(GlmError::NotConverged {
                iterations: res.iterations,
                last_change: res.last_change,
            });
        }
        mu = fitted(mf, &res.beta, link);
        let t0 = theta;
        (theta, _) = theta_ml(&mf.y, &mu, w);
        let ll = loglik(Family::NegBin { theta }, &mf.y, &mu, w);
        let change = (ll_old - ll).abs() / d1 + (t0 - theta).abs() / theta.max(1.0);
        ll_old = ll;
        if change < opts.tol.min(1e-10) {
            break;
        }
        if outer >= opts.max_iter.max(25) {
            return Err(GlmError::NotConverged {
                iterations: outer,
                last_change: change,
            });
        }
    }
    // final β at the final θ
    let start = res.beta.clone();
    res = irls::irls(&pb(Family::NegBin { theta }), &free, intercept, Some(&start), ctl);
    if !res.converged {
        return Err(GlmError::NotConverged {
            iterations: res.iterations,
            last_change: res.last_change,
        });
    }
    let se = theta_se(theta, &mf.y, &fitted(mf, &res.beta, link), w);
    Ok(NbFit {
        theta: ThetaEstimate {
            theta,
            se,
            iterations: outer,
        },
        irls: res,
    })
}

/// The standard error of θ, 1/√(observed information), at fixed μ.
fn theta_se(theta: f64, y: &[f64], mu: &[f64], w: &[f64]) -> f64 {
    1.0 / score_info(theta, y, mu, w).1.sqrt()
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
