//! θ of the negative binomial estimated by maximum likelihood over parts that live apart (the
//! distributed fit, `distributed.rs`): the in-memory alternation of
//! [`negbin::fit_theta`] (MASS's `glm.nb`: the Poisson fit, then in turn θ by Newton's
//! method at fixed μ and β by IRLS at fixed θ, each inner fit starting from the previous β,
//! until the log-likelihood and θ settle), with every sum over rows taken part by part.
//!
//! Newton's method for θ needs at fixed μ only sums over rows ([`ThetaSums`]: the start's
//! moments, the score Σ w[ψ(y + θ) − ψ(θ) + log θ + 1 − log(μ + θ) − (y + θ)/(μ + θ)], the
//! information with trigamma, the log-likelihood): each part computes them with the in-memory
//! fit's own row functions (`distributed::theta_part_sums`: [`negbin::theta_sums`],
//! [`negbin::loglik`]) and the driver adds them ([`ThetaPasses::theta`]) and runs the in-memory
//! fit's Newton iteration ([`negbin::theta_newton`]). The β fits are the distributed IRLS at the
//! current θ ([`ThetaPasses::set_family`]). Only the order of the additions differs from the fit
//! in memory.

use serde::Serialize;

use crate::error::GlmError;
use crate::family::Family;
use crate::irls::{self, Irls, Passes};
use crate::link::Link;
use crate::negbin::{self, InfiniteTheta, NbFit, ThetaSums};
use crate::options::GlmOptions;

/// The parts as θ's estimation reaches them: IRLS's passes ([`irls::Passes`]) at a family the
/// driver changes, and θ's sums.
pub trait ThetaPasses: Passes {
    /// Makes the later passes use `family` (the Poisson start, then the negative binomial at
    /// each θ in turn).
    fn set_family(&mut self, family: Family) -> Result<(), Self::Error>;
    /// Σ over the parts of [`ThetaSums`] at β (`theta`: `None` for the start's sums only).
    fn theta(&mut self, beta: &[f64], theta: Option<f64>) -> Result<ThetaSums, Self::Error>;
}

/// θ̂ at β: Newton's method over the parts' sums (`Ok(Err(_))`: θ̂ is infinite).
fn estimate<P: ThetaPasses>(passes: &mut P, beta: &[f64]) -> Result<Result<f64, InfiniteTheta>, P::Error> {
    let start = passes.theta(beta, None)?;
    negbin::theta_newton(&start, |t| passes.theta(beta, Some(t)))
}

/// What the alternation needs besides the parts: the columns of X, the intercept's column and
/// the link.
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct Model {
    pub p: usize,
    pub intercept: Option<usize>,
    pub link: Link,
    /// The rows used (the outer loop's scale, as in memory).
    pub rows: usize,
}

/// The IRLS fit of β over the parts for `family`, from `start`, converged or an error.
fn inner<P: ThetaPasses>(
    passes: &mut P,
    m: Model,
    family: Family,
    start: Option<&[f64]>,
    start_given: bool,
    opts: &GlmOptions,
) -> Result<Irls, P::Error>
where
    P::Error: From<GlmError>,
{
    passes.set_family(family)?;
    let free: Vec<usize> = (0..m.p).collect();
    let res = irls::irls_with(passes, m.p, &free, m.intercept, (family, m.link), start, opts.control())?;
    Ok(negbin::converged(res, m.link, start_given)?)
}

/// Alternates θ and β over the parts to convergence, as [`negbin::fit_theta`] in memory; falls
/// back to the Poisson fit when θ̂ is infinite. The parts are left at the family of the returned
/// fit.
pub(crate) fn fit_theta<P: ThetaPasses>(passes: &mut P, m: Model, opts: &GlmOptions) -> Result<NbFit, P::Error>
where
    P::Error: From<GlmError>,
{
    let start = opts.start.as_deref();
    let poisson = inner(passes, m, Family::Poisson, start, start.is_some(), opts)?;
    let mut bounds = poisson.bounds;
    let mut res = poisson.clone();
    let mut theta = match estimate(passes, &res.beta)? {
        Ok(t) => t,
        Err(why) => return Ok(negbin::poisson_limit(poisson, why)),
    };
    let mut outer = negbin::Outer::new(m.rows, m.p, passes.theta(&res.beta, Some(theta))?.loglik, opts);
    loop {
        let b = res.beta.clone();
        res = inner(passes, m, Family::NegBin { theta }, Some(&b), false, opts)?;
        bounds = negbin::then(bounds, res.bounds);
        let t0 = theta;
        theta = match estimate(passes, &res.beta)? {
            Ok(t) => t,
            Err(why) => {
                passes.set_family(Family::Poisson)?;
                return Ok(negbin::poisson_limit(poisson, why));
            }
        };
        if outer.settled(passes.theta(&res.beta, Some(theta))?.loglik, t0, theta)? {
            break;
        }
    }
    // final β at the final θ
    let b = res.beta.clone();
    res = inner(passes, m, Family::NegBin { theta }, Some(&b), false, opts)?;
    res.bounds = negbin::then(bounds, res.bounds);
    let se = 1.0 / passes.theta(&res.beta, Some(theta))?.info.sqrt();
    Ok(outer.fit(theta, se, res))
}
