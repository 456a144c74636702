//! Link functions g(μ) = η (the paper's §4.1.1 (c): "g(·) is monotone and smooth").
//!
//! A link is data plus four functions: the link g, its inverse g⁻¹, dμ/dη (for the IRLS
//! weights), and g''(μ) (for the observed information that SAS GENMOD uses). Inverse links are
//! clamped as R's `make.link` does so that fitted probabilities stay strictly inside (0, 1).

use dimorph_core::dist::{dnorm, pnorm, qnorm};
use serde::Serialize;

use crate::error::UnknownChoice;

const EPS: f64 = f64::EPSILON;

/// The links of the GLM engine.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Link {
    Identity,
    Log,
    Logit,
    Probit,
    /// Complementary log-log, g(μ) = log(−log(1 − μ)).
    Cloglog,
    /// Log-log, g(μ) = −log(−log μ).
    Loglog,
    /// g(μ) = 1/μ.
    Inverse,
    /// g(μ) = 1/μ².
    InverseSquare,
    /// g(μ) = √μ.
    Sqrt,
    /// g(μ) = μ^λ (λ = 0 is the log link).
    Power(f64),
}

/// The accepted link names, for messages and help.
pub const LINK_NAMES: &str = "identity, log, logit, probit, cloglog, loglog, inverse, inverse-square, sqrt or power(λ)";

impl std::str::FromStr for Link {
    type Err = UnknownChoice;
    /// [`Link::parse`], with the one wording for an unknown name.
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        Link::parse(s).ok_or_else(|| UnknownChoice {
            what: "link",
            value: s.to_string(),
            choices: LINK_NAMES,
        })
    }
}

impl Link {
    /// Every link without a parameter, in the order of [`LINK_NAMES`] (and `power(λ)` apart).
    pub const ALL: [Link; 9] = [
        Link::Identity,
        Link::Log,
        Link::Logit,
        Link::Probit,
        Link::Cloglog,
        Link::Loglog,
        Link::Inverse,
        Link::InverseSquare,
        Link::Sqrt,
    ];

    /// Parses a link name: identity, log, logit, probit, cloglog, loglog, inverse,
    /// inverse-square (or 1/mu^2), sqrt, power(λ).
    pub fn parse(s: &str) -> Option<Link> {
        let t = s.trim().to_ascii_lowercase();
        Some(match t.as_str() {
            "identity" | "id" => Link::Identity,
            "log" => Link::Log,
            "logit" => Link::Logit,
            "probit" => Link::Probit,
            "cloglog" | "cll" => Link::Cloglog,
            "loglog" => Link::Loglog,
            "inverse" | "reciprocal" => Link::Inverse,
            "inverse-square" | "inverse_square" | "1/mu^2" => Link::InverseSquare,
            "sqrt" => Link::Sqrt,
            _ => {
                let inner = t.strip_prefix("power(")?.strip_suffix(')')?;
                let lambda: f64 = inner.trim().parse().ok()?;
                if !lambda.is_finite() {
                    return None;
                }
                if lambda == 0.0 {
                    Link::Log
                } else if lambda == 1.0 {
                    Link::Identity
                } else {
                    Link::Power(lambda)
                }
            }
        })
    }

    /// The name as R prints it.
    pub fn name(&self) -> String {
        match self {
            Link::Identity => "identity".into(),
            Link::Log => "log".into(),
            Link::Logit => "logit".into(),
            Link::Probit => "probit".into(),
            Link::Cloglog => "cloglog".into(),
            Link::Loglog => "loglog".into(),
            Link::Inverse => "inverse".into(),
            Link::InverseSquare => "1/mu^2".into(),
            Link::Sqrt => "sqrt".into(),
            Link::Power(l) => format!("mu^{l}"),
        }
    }

    /// The name as the CLI spells it (`inverse-square`, `power(0.3)`).
    pub fn cli_name(&self) -> String {
        match self {
            Link::InverseSquare => "inverse-square".into(),
            Link::Power(l) => format!("power({})", dimorph_core::text::num(*l)),
            _ => self.name(),
        }
    }

    /// η = g(μ).
    pub fn link(&self, mu: f64) -> f64 {
        match *self {
            Link::Identity => mu,
            Link::Log => mu.ln(),
            Link::Logit => (mu / (1.0 - mu)).ln(),
            Link::Probit => qnorm(mu),
            Link::Cloglog => (-(-mu).ln_1p()).ln(),
            Link::Loglog => -(-mu.ln()).ln(),
            Link::Inverse => 1.0 / mu,
            Link::InverseSquare => 1.0 / (mu * mu),
            Link::Sqrt => mu.sqrt(),
            Link::Power(l) => mu.powf(l),
        }
    }

    /// μ = g⁻¹(η), clamped like R's `make.link` for the links onto (0, 1) and (0, ∞).
    pub fn inverse(&self, eta: f64) -> f64 {
        match *self {
            Link::Identity => eta,
            Link::Log => eta.exp().max(EPS),
            Link::Logit => {
                let t = if eta < -30.0 {
                    EPS
                } else if eta > 30.0 {
                    1.0 / EPS
                } else {
                    eta.exp()
                };
                t / (1.0 + t)
            }
            Link::Probit => {
                let thresh = -qnorm(EPS);
                pnorm(eta.clamp(-thresh, thresh))
            }
            Link::Cloglog => (-(-(eta.min(700.0).exp())).exp_m1()).clamp(EPS, 1.0 - EPS),
            Link::Loglog => (-(-eta).exp()).exp().clamp(EPS, 1.0 - EPS),
            Link::Inverse => 1.0 / eta,
            Link::InverseSquare => 1.0 / eta.sqrt(),
            Link::Sqrt => eta * eta,
            Link::Power(l) => eta.max(EPS).powf(1.0 / l),
        }
    }

    /// dμ/dη at η.
    pub fn mu_eta(&self, eta: f64) -> f64 {
        match *self {
            Link::Identity => 1.0,
            Link::Log => eta.exp().max(EPS),
            Link::Logit => {
                let opexp = 1.0 + eta.exp();
                if eta.abs() > 30.0 {
                    EPS
                } else {
                    eta.exp() / (opexp * opexp)
                }
            }
            Link::Probit => dnorm(eta).max(EPS),
            Link::Cloglog => {
                let e = eta.min(700.0);
                (e.exp() * (-(e.exp())).exp()).max(EPS)
            }
            Link::Loglog => ((-eta).exp() * (-(-eta).exp()).exp()).max(EPS),
            Link::Inverse => -1.0 / (eta * eta),
            Link::InverseSquare => -1.0 / (2.0 * eta.powf(1.5)),
            Link::Sqrt => 2.0 * eta,
            Link::Power(l) => eta.max(EPS).powf(1.0 / l - 1.0) / l,
        }
    }

    /// g⁻¹(η) and dμ/dη together, sharing the exponential where the link allows (the logit and
    /// log links of the large fits).
    #[inline]
    pub fn inverse_and_mu_eta(&self, eta: f64) -> (f64, f64) {
        match *self {
            Link::Logit if eta.abs() <= 30.0 => {
                let t = eta.exp();
                let mu = t / (1.0 + t);
                (mu, mu / (1.0 + t))
            }
            Link::Log => {
                let m = eta.exp().max(EPS);
                (m, m)
            }
            _ => (self.inverse(eta), self.mu_eta(eta)),
        }
    }

    /// g'(μ) = dη/dμ.
    pub fn deriv(&self, mu: f64) -> f64 {
        match *self {
            Link::Identity => 1.0,
            Link::Log => 1.0 / mu,
            Link::Logit => 1.0 / (mu * (1.0 - mu)),
            Link::Probit => 1.0 / dnorm(qnorm(mu)),
            Link::Cloglog => {
                let l = -(-mu).ln_1p();
                1.0 / ((1.0 - mu) * l)
            }
            Link::Loglog => {
                let m = -mu.ln();
                1.0 / (mu * m)
            }
            Link::Inverse => -1.0 / (mu * mu),
            Link::InverseSquare => -2.0 / (mu * mu * mu),
            Link::Sqrt => 0.5 / mu.sqrt(),
            Link::Power(l) => l * mu.powf(l - 1.0),
        }
    }

    /// g''(μ) = d²η/dμ².
    pub fn deriv2(&self, mu: f64) -> f64 {
        match *self {
            Link::Identity => 0.0,
            Link::Log => -1.0 / (mu * mu),
            Link::Logit => (2.0 * mu - 1.0) / (mu * mu * (1.0 - mu) * (1.0 - mu)),
            Link::Probit => {
                let eta = qnorm(mu);
                let d = dnorm(eta);
                eta / (d * d)
            }
            Link::Cloglog => {
                let l = -(-mu).ln_1p();
                (l - 1.0) / ((1.0 - mu) * (1.0 - mu) * l * l)
            }
            Link::Loglog => {
                let m = -mu.ln();
                -(m - 1.0) / (mu * mu * m * m)
            }
            Link::Inverse => 2.0 / (mu * mu * mu),
            Link::InverseSquare => 6.0 / (mu * mu * mu * mu),
            Link::Sqrt => -0.25 / mu.powf(1.5),
            Link::Power(l) => l * (l - 1.0) * mu.powf(l - 2.0),
        }
    }

    /// Whether η is in the domain of the inverse link (R's `valideta`).
    pub fn valid_eta(&self, eta: f64) -> bool {
        match self {
            Link::Inverse => eta.is_finite() && eta != 0.0,
            Link::InverseSquare => eta.is_finite() && eta > 0.0,
            // μ = η² would fold the likelihood over η < 0 (R's make.link("sqrt") refuses η ≤ 0)
            Link::Sqrt => eta.is_finite() && eta > 0.0,
            // R's power(λ) refuses η ≤ 0 too (the inverse would otherwise clamp η to ε there)
            Link::Power(_) => eta.is_finite() && eta > 0.0,
            _ => eta.is_finite(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Link; 10] = [
        Link::Identity,
        Link::Log,
        Link::Logit,
        Link::Probit,
        Link::Cloglog,
        Link::Loglog,
        Link::Inverse,
        Link::InverseSquare,
        Link::Sqrt,
        Link::Power(0.3),
    ];

    #[test]
    fn inverse_undoes_link_and_derivatives_agree_with_differences() {
        for link in ALL {
            for &mu in &[0.05, 0.3, 0.6, 0.9] {
                let eta = link.link(mu);
                assert!((link.inverse(eta) - mu).abs() < 1e-12, "{link:?} {mu}");
                let h = 1e-6;
                let d = (link.link(mu + h) - link.link(mu - h)) / (2.0 * h);
                assert!((d - link.deriv(mu)).abs() < 1e-6 * d.abs().max(1.0), "{link:?} g' {mu}");
                let d2 = (link.deriv(mu + h) - link.deriv(mu - h)) / (2.0 * h);
                assert!(
                    (d2 - link.deriv2(mu)).abs() < 1e-5 * d2.abs().max(1.0),
                    "{link:?} g'' {mu}"
                );
                assert!(
                    (link.mu_eta(eta) * link.deriv(mu) - 1.0).abs() < 1e-9,
                    "{link:?} mu_eta {mu}"
                );
                let (m2, d2) = link.inverse_and_mu_eta(eta);
                assert!((m2 - link.inverse(eta)).abs() < 1e-15, "{link:?} joint inverse");
                assert!(
                    (d2 - link.mu_eta(eta)).abs() < 1e-15 * d2.abs().max(1.0),
                    "{link:?} joint mu_eta"
                );
            }
        }
    }

    #[test]
    fn parse_names() {
        assert_eq!(Link::parse("CLL"), Some(Link::Cloglog));
        assert_eq!(Link::parse("power(0.5)"), Some(Link::Power(0.5)));
        assert_eq!(Link::parse("power(0)"), Some(Link::Log));
        assert_eq!(Link::parse("bogus"), None);
    }
}
