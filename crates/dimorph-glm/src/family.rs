//! Exponential-family distributions of the response (the paper's §4.1.1 (a), "random component").
//!
//! A family is data plus a few functions, as R's `family` objects: the variance function V(μ)
//! and its derivative, the unit deviance (§4.1.5: D = −2[L(μ̂; y) − L(y; y)]), the
//! log-likelihood (in full, as R's `logLik`, and as SAS's kernel without terms free of μ),
//! starting values, and the ranges of y and μ. IRLS (the `irls` module) is written once against
//! these functions.
//!
//! Each family accepts only some links ([`Family::allowed_links`], R's `okLinks` extended to
//! dimorph's links); a fit with another is refused before it starts.
//!
//! Binomial responses are proportions y = events/trials with the number of trials folded into the
//! prior weight, exactly as R's `binomial()` does.

use dimorph_core::dist::lgamma as ln_gamma;
use serde::Serialize;

use crate::error::UnknownChoice;
use crate::link::Link;

/// The response distributions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "name")]
pub enum Family {
    Binomial,
    Poisson,
    Gaussian,
    Gamma,
    InverseGaussian,
    /// Negative binomial with shape θ, V(μ) = μ + μ²/θ (MASS's `negative.binomial(theta)`).
    NegBin {
        theta: f64,
    },
    /// Binomial mean and variance with a free dispersion.
    QuasiBinomial,
    /// Poisson mean and variance with a free dispersion.
    QuasiPoisson,
    /// Tweedie with variance power p, V(μ) = μ^p (statmod's `tweedie(var.power = p)`; the module
    /// `tweedie` has the deviance and the domain of p): p = 0 normal, 1 Poisson, 1 < p < 2
    /// compound Poisson–gamma, 2 gamma, 3 inverse Gaussian. The dispersion is estimated.
    Tweedie {
        power: f64,
    },
}

/// Largest θ taken as finite: beyond it V(μ) = μ + μ²/θ is the Poisson variance to within
/// μ/θ (a millionth for counts below 1), and the θ score is lost in rounding.
pub const THETA_MAX: f64 = 1e6;

/// The accepted family names, for messages and help.
pub const FAMILY_NAMES: &str =
    "binomial, poisson, gaussian, gamma, inverse-gaussian, negbin, quasibinomial, quasipoisson or tweedie(p)";

impl std::str::FromStr for Family {
    type Err = UnknownChoice;
    /// [`Family::parse`], with the one wording for an unknown name.
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        Family::parse(s).ok_or_else(|| UnknownChoice {
            what: "family",
            value: s.to_string(),
            choices: if crate::tweedie::names_tweedie(s) {
                crate::tweedie::POWER_DOMAIN
            } else {
                FAMILY_NAMES
            },
        })
    }
}

impl Family {
    /// Every family (the negative binomial with θ = 1), in the order of [`FAMILY_NAMES`].
    pub const ALL: [Family; 9] = [
        Family::Binomial,
        Family::Poisson,
        Family::Gaussian,
        Family::Gamma,
        Family::InverseGaussian,
        Family::NegBin { theta: 1.0 },
        Family::QuasiBinomial,
        Family::QuasiPoisson,
        Family::Tweedie { power: 1.5 },
    ];

    /// Parses a family name; `negbin` starts with θ = 1 (estimated unless fixed by the caller).
    pub fn parse(s: &str) -> Option<Family> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "binomial" | "bin" | "binary" | "logistic" => Family::Binomial,
            "poisson" | "poi" => Family::Poisson,
            "gaussian" | "normal" => Family::Gaussian,
            "gamma" => Family::Gamma,
            "inverse-gaussian" | "inverse_gaussian" | "inverse.gaussian" | "ig" => Family::InverseGaussian,
            "negbin" | "negative-binomial" | "negative_binomial" | "nb" => Family::NegBin { theta: 1.0 },
            "quasibinomial" | "quasi-binomial" => Family::QuasiBinomial,
            "quasipoisson" | "quasi-poisson" => Family::QuasiPoisson,
            t => return crate::tweedie::parse(t).map(|power| Family::Tweedie { power }),
        })
    }

    /// The name as R prints it.
    pub fn name(&self) -> String {
        match self {
            Family::Binomial => "binomial".into(),
            Family::Poisson => "poisson".into(),
            Family::Gaussian => "gaussian".into(),
            Family::Gamma => "Gamma".into(),
            Family::InverseGaussian => "inverse.gaussian".into(),
            Family::NegBin { theta } => format!("Negative Binomial({})", fmt_theta(*theta)),
            Family::QuasiBinomial => "quasibinomial".into(),
            Family::QuasiPoisson => "quasipoisson".into(),
            Family::Tweedie { .. } => "Tweedie".into(),
        }
    }

    /// The name as SAS GENMOD prints it in "Model Information".
    pub fn sas_name(&self) -> &'static str {
        match self {
            Family::Binomial | Family::QuasiBinomial => "Binomial",
            Family::Poisson | Family::QuasiPoisson => "Poisson",
            Family::Gaussian => "Normal",
            Family::Gamma => "Gamma",
            Family::InverseGaussian => "Inverse Gaussian",
            Family::NegBin { .. } => "Negative Binomial",
            Family::Tweedie { .. } => "Tweedie",
        }
    }

    /// The canonical link, the default: g(μ) = Q(θ) (§4.1.1 (c)). For the negative binomial R's
    /// default, the log link, is used; for the Tweedie family too (glum's and scikit-learn's
    /// default; statmod's is the canonical μ^(1−p)), so these two count as non-canonical.
    pub fn canonical_link(&self) -> Link {
        match self {
            Family::Binomial | Family::QuasiBinomial => Link::Logit,
            Family::Poisson | Family::QuasiPoisson | Family::NegBin { .. } => Link::Log,
            Family::Gaussian => Link::Identity,
            Family::Gamma => Link::Inverse,
            Family::InverseGaussian => Link::InverseSquare,
            Family::Tweedie { .. } => Link::Log,
        }
    }

    /// The links this family accepts (see [`AllowedLinks`]).
    pub fn allowed_links(&self) -> AllowedLinks {
        match self {
            Family::Binomial | Family::QuasiBinomial => AllowedLinks {
                named: &[
                    Link::Logit,
                    Link::Probit,
                    Link::Cloglog,
                    Link::Loglog,
                    Link::Log,
                    Link::Identity,
                ],
                power: PowerLinks::None,
            },
            // R's poisson(), quasipoisson() and MASS's negative.binomial() take any link
            // make.link makes ("inverse") or any link-glm object, so every μ^λ
            Family::Poisson | Family::QuasiPoisson | Family::NegBin { .. } => AllowedLinks {
                named: &[Link::Log, Link::Identity, Link::Sqrt],
                power: PowerLinks::Any,
            },
            Family::Gaussian => AllowedLinks {
                named: &[Link::Identity, Link::Log, Link::Inverse],
                power: PowerLinks::None,
            },
            Family::Gamma => AllowedLinks {
                named: &[
                    Link::Inverse,
                    Link::Identity,
                    Link::Log,
                    Link::Sqrt,
                    Link::InverseSquare,
                ],
                power: PowerLinks::Any,
            },
            Family::InverseGaussian => AllowedLinks {
                named: &[
                    Link::InverseSquare,
                    Link::Inverse,
                    Link::Identity,
                    Link::Log,
                    Link::Sqrt,
                ],
                power: PowerLinks::Any,
            },
            // statmod's link.power: log (the default), identity, inverse and every μ^λ
            Family::Tweedie { .. } => AllowedLinks {
                named: &[
                    Link::Log,
                    Link::Identity,
                    Link::Inverse,
                    Link::InverseSquare,
                    Link::Sqrt,
                ],
                power: PowerLinks::Any,
            },
        }
    }

    /// Refuses a link the family does not accept (as R's family objects refuse a link outside
    /// their `okLinks`): the message names both and the links that are accepted.
    pub fn check_link(&self, link: Link) -> std::result::Result<(), String> {
        let ok = self.allowed_links();
        if ok.allows(link) {
            return Ok(());
        }
        Err(format!(
            "the {} link is not available for the {} family; use {}",
            link.cli_name(),
            self.family_word(),
            ok.describe()
        ))
    }

    /// The family as the CLI spells it (`inverse-gaussian`, `negbin`).
    pub fn family_word(&self) -> &'static str {
        match self {
            Family::Binomial => "binomial",
            Family::Poisson => "poisson",
            Family::Gaussian => "gaussian",
            Family::Gamma => "gamma",
            Family::InverseGaussian => "inverse-gaussian",
            Family::NegBin { .. } => "negbin",
            Family::QuasiBinomial => "quasibinomial",
            Family::QuasiPoisson => "quasipoisson",
            Family::Tweedie { .. } => "tweedie",
        }
    }

    /// Whether the dispersion φ is fixed at 1 (binomial, Poisson, negative binomial).
    pub fn dispersion_fixed(&self) -> bool {
        matches!(self, Family::Binomial | Family::Poisson | Family::NegBin { .. })
    }

    /// Whether the family has a likelihood (quasi families do not: no AIC, no LR tests on it).
    pub fn has_likelihood(&self) -> bool {
        !matches!(
            self,
            Family::QuasiBinomial | Family::QuasiPoisson | Family::Tweedie { .. }
        )
    }

    /// Whether the response is binomial (events/trials or 0/1).
    pub fn is_binomial(&self) -> bool {
        matches!(self, Family::Binomial | Family::QuasiBinomial)
    }

    /// Number of extra parameters R counts in the AIC (the dispersion of Gaussian, Gamma and
    /// inverse Gaussian models).
    pub fn aic_extra(&self) -> usize {
        usize::from(matches!(
            self,
            Family::Gaussian | Family::Gamma | Family::InverseGaussian
        ))
    }

    /// V(μ).
    pub fn variance(&self, mu: f64) -> f64 {
        match *self {
            Family::Binomial | Family::QuasiBinomial => mu * (1.0 - mu),
            Family::Poisson | Family::QuasiPoisson => mu,
            Family::Gaussian => 1.0,
            Family::Gamma => mu * mu,
            Family::InverseGaussian => mu * mu * mu,
            Family::NegBin { theta } => mu + mu * mu / theta,
            Family::Tweedie { power } => crate::tweedie::variance(power, mu),
        }
    }

    /// V'(μ).
    pub fn variance_deriv(&self, mu: f64) -> f64 {
        match *self {
            Family::Binomial | Family::QuasiBinomial => 1.0 - 2.0 * mu,
            Family::Poisson | Family::QuasiPoisson => 1.0,
            Family::Gaussian => 0.0,
            Family::Gamma => 2.0 * mu,
            Family::InverseGaussian => 3.0 * mu * mu,
            Family::NegBin { theta } => 1.0 + 2.0 * mu / theta,
            Family::Tweedie { power } => crate::tweedie::variance_deriv(power, mu),
        }
    }

    /// Unit deviance d(y, μ) for prior weight 1; the deviance is Σ wᵢ d(yᵢ, μᵢ) (§4.1.5).
    pub fn unit_deviance(&self, y: f64, mu: f64) -> f64 {
        let d = match *self {
            Family::Binomial | Family::QuasiBinomial => 2.0 * (ylogy(y, mu) + ylogy(1.0 - y, 1.0 - mu)),
            Family::Poisson | Family::QuasiPoisson => 2.0 * (ylogy(y, mu) - (y - mu)),
            Family::Gaussian => (y - mu) * (y - mu),
            Family::Gamma => -2.0 * ((y / mu).ln() - (y - mu) / mu),
            Family::InverseGaussian => (y - mu) * (y - mu) / (y * mu * mu),
            // (y + θ) log((y + θ)/(μ + θ)) through log1p: exact as θ grows (no 1 − 1 rounding)
            Family::NegBin { theta } => 2.0 * (ylogy(y, mu) - (y + theta) * ((y - mu) / (mu + theta)).ln_1p()),
            Family::Tweedie { power } => crate::tweedie::unit_deviance(power, y, mu),
        };
        // a unit deviance is ≥ 0; a negative value is rounding (y ≈ μ); NaN stays NaN
        if d < 0.0 {
            0.0
        } else {
            d
        }
    }

    /// Whether μ is inside the family's range (R's `validmu`).
    pub fn valid_mu(&self, mu: f64) -> bool {
        match self {
            Family::Binomial | Family::QuasiBinomial => mu.is_finite() && mu > 0.0 && mu < 1.0,
            Family::Gaussian => mu.is_finite(),
            Family::Tweedie { power } if *power == 0.0 => mu.is_finite(),
            _ => mu.is_finite() && mu > 0.0,
        }
    }

    /// Checks one response value; `Err` holds what is wrong, for a message that adds the line.
    pub fn check_y(&self, y: f64) -> std::result::Result<(), String> {
        let ok = match self {
            Family::Binomial | Family::QuasiBinomial => (0.0..=1.0).contains(&y),
            Family::Poisson | Family::QuasiPoisson | Family::NegBin { .. } => y >= 0.0,
            Family::Gaussian => y.is_finite(),
            Family::Gamma | Family::InverseGaussian => y > 0.0,
            Family::Tweedie { power } => return crate::tweedie::check_y(*power, y),
        };
        if ok {
            return Ok(());
        }
        Err(match self {
            Family::Binomial | Family::QuasiBinomial => {
                format!("the binomial response must lie in [0, 1] (a 0/1 outcome or events/trials with events ≤ trials), got {}", dimorph_core::text::num(y))
            }
            Family::Poisson | Family::QuasiPoisson => {
                format!(
                    "a Poisson count must be non-negative, got {}",
                    dimorph_core::text::num(y)
                )
            }
            Family::NegBin { .. } => {
                format!(
                    "a negative binomial count must be non-negative, got {}",
                    dimorph_core::text::num(y)
                )
            }
            Family::Gamma => format!("a Gamma response must be positive, got {}", dimorph_core::text::num(y)),
            Family::InverseGaussian => {
                format!(
                    "an inverse Gaussian response must be positive, got {}",
                    dimorph_core::text::num(y)
                )
            }
            Family::Gaussian | Family::Tweedie { .. } => {
                format!("the response must be finite, got {}", dimorph_core::text::num(y))
            }
        })
    }

    /// Starting mean (R's `initialize` expressions); `w` is the prior weight (with trials folded in
    /// for the binomial).
    pub fn mu_start(&self, y: f64, w: f64) -> f64 {
        match self {
            Family::Binomial | Family::QuasiBinomial => (w * y + 0.5) / (w + 1.0),
            Family::Poisson | Family::QuasiPoisson => y + 0.1,
            Family::NegBin { .. } => {
                if y == 0.0 {
                    1.0 / 6.0
                } else {
                    y
                }
            }
            Family::Gaussian | Family::Gamma | Family::InverseGaussian => y,
            // statmod's initialize: y + 0.1 where y = 0
            Family::Tweedie { .. } => y + if y == 0.0 { 0.1 } else { 0.0 },
        }
    }

    /// The full log-likelihood contribution of one observation (R's `logLik` convention).
    ///
    /// `w` is the prior weight without trials, `n` the number of trials (1 unless binomial
    /// events/trials), `scale` the dispersion used by the continuous families (R uses deviance/Σw
    /// there). Quasi families return NaN.
    pub fn loglik(&self, y: f64, mu: f64, w: f64, n: f64, scale: f64) -> f64 {
        match *self {
            Family::Binomial => {
                let k = (y * n).round();
                w * (lchoose(n.round(), k) + xlogy(k, mu) + xlogy(n - k, 1.0 - mu))
            }
            Family::Poisson => w * (xlogy(y, mu) - mu - ln_factorial(y)),
            Family::Gaussian => {
                // R: −½[log(2π σ²) + (y − μ)²/σ²]·… with σ² = dev/n and prior weights
                let s2 = scale / w;
                -0.5 * ((2.0 * std::f64::consts::PI * s2).ln() + (y - mu) * (y - mu) / s2)
            }
            Family::Gamma => {
                let shape = 1.0 / scale;
                let sc = mu * scale;
                w * (-ln_gamma(shape) - shape * sc.ln() + (shape - 1.0) * y.ln() - y / sc)
            }
            Family::InverseGaussian => {
                let l = 1.0 / scale;
                w * (0.5 * (l / (2.0 * std::f64::consts::PI * y.powi(3))).ln()
                    - l * (y - mu) * (y - mu) / (2.0 * mu * mu * y))
            }
            Family::NegBin { theta } => {
                // θ log θ − (θ + y) log(θ + μ) = −θ log1p(μ/θ) − y log(θ + μ), without cancellation
                w * (ln_gamma(theta + y) - ln_gamma(theta) - ln_factorial(y) + xlogy(y, mu)
                    - theta * (mu / theta).ln_1p()
                    - xlogy(y, theta + mu))
            }
            // no closed-form density: R's glm gives NA (statmod's aic is NA)
            Family::QuasiBinomial | Family::QuasiPoisson | Family::Tweedie { .. } => f64::NAN,
        }
    }

    /// SAS GENMOD's "Log Likelihood": the kernel without terms free of μ (binomial and Poisson
    /// drop the binomial coefficient and log y!; other families, the negative binomial included, are
    /// reported in full).
    pub fn loglik_kernel(&self, y: f64, mu: f64, w: f64, n: f64, scale: f64) -> f64 {
        match *self {
            Family::Binomial | Family::QuasiBinomial => {
                let k = y * n;
                w * (xlogy(k, mu) + xlogy(n - k, 1.0 - mu))
            }
            Family::Poisson | Family::QuasiPoisson => w * (xlogy(y, mu) - mu),
            _ => self.loglik(y, mu, w, n, scale),
        }
    }
}

/// Which power links `power(λ)` a family accepts besides its named links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PowerLinks {
    /// None.
    None,
    /// Any λ ≠ 0 (a positive mean: sqrt, inverse and 1/μ² are R's named cases).
    Any,
}

/// The links one family accepts: R's `okLinks` of its family object (binomial: logit, probit,
/// cloglog, log and, through `make.link`, identity; Poisson and MASS's negative binomial: log,
/// identity, sqrt; gaussian: identity, log, inverse; Gamma: inverse, identity, log;
/// inverse.gaussian: 1/mu^2, inverse, identity, log), extended to dimorph's links: `loglog`
/// for the binomial families (a link onto (0, 1) as cloglog) and every `power(λ)` for the
/// counts, Gamma and inverse Gaussian (of which sqrt, inverse and 1/μ² are cases; R's
/// `poisson(link = "inverse")` and its families given a link-glm object accept them too, though
/// R's own `power(λ)` is the log link for λ ≤ 0). The quasi families accept what their
/// likelihood families accept.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AllowedLinks {
    /// The named links, in R's order.
    pub named: &'static [Link],
    /// Which `power(λ)` links.
    pub power: PowerLinks,
}

impl AllowedLinks {
    /// Whether `link` is one of them.
    pub fn allows(&self, link: Link) -> bool {
        match link {
            Link::Power(l) => match self.power {
                PowerLinks::None => false,
                PowerLinks::Any => l != 0.0 && l.is_finite(),
            },
            _ => self.named.contains(&link),
        }
    }

    /// The links as a sentence fragment: `log, identity, sqrt or power(λ)`.
    pub fn describe(&self) -> String {
        let mut names: Vec<String> = self.named.iter().map(|l| l.cli_name()).collect();
        match self.power {
            PowerLinks::None => {}
            PowerLinks::Any => names.push("power(λ)".into()),
        }
        match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            Some((last, _)) => last.clone(),
            None => String::new(),
        }
    }
}

/// The families grouped by the links they accept, one line each
/// (`binomial, quasibinomial: logit, probit, …`), for help texts.
pub fn link_table() -> Vec<String> {
    let mut groups: Vec<(Vec<&str>, AllowedLinks)> = Vec::new();
    for f in Family::ALL {
        let a = f.allowed_links();
        match groups.iter_mut().find(|(_, g)| *g == a) {
            Some((names, _)) => names.push(f.family_word()),
            None => groups.push((vec![f.family_word()], a)),
        }
    }
    groups
        .into_iter()
        .map(|(names, a)| format!("{}: {}", names.join(", "), a.describe()))
        .collect()
}

fn fmt_theta(t: f64) -> String {
    let s = format!("{t:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// y·log(y/μ), with 0·log 0 = 0.
pub fn ylogy(y: f64, mu: f64) -> f64 {
    if y == 0.0 {
        0.0
    } else {
        y * (y / mu).ln()
    }
}

/// x·log(y), with 0·log(anything) = 0.
pub fn xlogy(x: f64, y: f64) -> f64 {
    if x == 0.0 {
        0.0
    } else {
        x * y.ln()
    }
}

/// log C(n, k).
pub fn lchoose(n: f64, k: f64) -> f64 {
    ln_factorial(n) - ln_factorial(k) - ln_factorial(n - k)
}

/// log x! = log Γ(x + 1), from a table for the whole numbers below 1024 (counts, mostly).
pub fn ln_factorial(x: f64) -> f64 {
    static TABLE: std::sync::OnceLock<Vec<f64>> = std::sync::OnceLock::new();
    if (0.0..1024.0).contains(&x) && x.fract() == 0.0 {
        let t = TABLE.get_or_init(|| {
            let mut t = vec![0.0; 1024];
            for k in 2..1024 {
                t[k] = t[k - 1] + (k as f64).ln();
            }
            t
        });
        t[x as usize]
    } else {
        ln_gamma(x + 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_deviance_is_twice_the_loglik_drop_from_saturated() {
        // D = −2[L(μ) − L(y)] (§4.1.5), checked per observation
        let cases: [(Family, f64, f64, f64); 5] = [
            (Family::Poisson, 3.0, 2.2, 1.0),
            (Family::Binomial, 0.3, 0.45, 10.0),
            (Family::NegBin { theta: 2.5 }, 4.0, 2.0, 1.0),
            (Family::Gamma, 2.0, 3.0, 1.0),
            (Family::InverseGaussian, 2.0, 3.0, 1.0),
        ];
        for (f, y, mu, n) in cases {
            let scale = 1.0;
            let d = 2.0 * (f.loglik(y, y, 1.0, n, scale) - f.loglik(y, mu, 1.0, n, scale));
            let unit = f.unit_deviance(y, mu) * if f.is_binomial() { n } else { 1.0 };
            assert!((d - unit).abs() < 1e-10, "{f:?}: {d} vs {unit}");
        }
    }

    #[test]
    fn factorial_table_matches_the_gamma_function() {
        for x in [0.0, 1.0, 5.0, 170.0, 1023.0, 1024.0, 2.5] {
            assert!(
                (ln_factorial(x) - ln_gamma(x + 1.0)).abs() < 1e-9 * ln_gamma(x + 1.0).abs().max(1.0),
                "{x}"
            );
        }
    }

    #[test]
    fn variance_derivative_matches_differences() {
        for f in [
            Family::Binomial,
            Family::Poisson,
            Family::Gamma,
            Family::InverseGaussian,
            Family::NegBin { theta: 1.7 },
        ] {
            let mu = 0.4;
            let h = 1e-6;
            let d = (f.variance(mu + h) - f.variance(mu - h)) / (2.0 * h);
            assert!((d - f.variance_deriv(mu)).abs() < 1e-8, "{f:?}");
        }
    }

    #[test]
    fn each_family_accepts_its_links_and_names_both_when_refusing() {
        use Link::*;
        let ok = |f: Family, l: Link| f.check_link(l).is_ok();
        for f in [Family::Binomial, Family::QuasiBinomial] {
            for l in [Logit, Probit, Cloglog, Loglog, Log, Identity] {
                assert!(ok(f, l), "{f:?} {l:?}");
            }
            for l in [Inverse, InverseSquare, Sqrt, Power(0.5)] {
                assert!(!ok(f, l), "{f:?} {l:?}");
            }
        }
        for f in [Family::Poisson, Family::QuasiPoisson, Family::NegBin { theta: 2.0 }] {
            for l in [Log, Identity, Sqrt, Power(0.3), Power(2.0), Power(-1.0), Power(-2.5)] {
                assert!(ok(f, l), "{f:?} {l:?}");
            }
            for l in [Logit, Probit, Cloglog, Loglog, Inverse, InverseSquare] {
                assert!(!ok(f, l), "{f:?} {l:?}");
            }
        }
        for l in [Identity, Log, Inverse] {
            assert!(ok(Family::Gaussian, l));
        }
        for l in [Logit, Probit, Cloglog, Loglog, Sqrt, InverseSquare, Power(0.5)] {
            assert!(!ok(Family::Gaussian, l), "{l:?}");
        }
        for f in [Family::Gamma, Family::InverseGaussian] {
            for l in [Inverse, Identity, Log, Sqrt, InverseSquare, Power(-0.5), Power(3.0)] {
                assert!(ok(f, l), "{f:?} {l:?}");
            }
            for l in [Logit, Probit, Cloglog, Loglog] {
                assert!(!ok(f, l), "{f:?} {l:?}");
            }
        }
        let m = Family::Poisson.check_link(Probit).unwrap_err();
        assert_eq!(
            m,
            "the probit link is not available for the poisson family; use log, identity, sqrt or power(λ)"
        );
        // the help text lists every family once, with its links
        let table = link_table();
        for f in Family::ALL {
            let lines: Vec<&String> = table
                .iter()
                .filter(|l| {
                    l.split(": ")
                        .next()
                        .is_some_and(|fams| fams.split(", ").any(|w| w == f.family_word()))
                })
                .collect();
            assert_eq!(lines.len(), 1, "{f:?} in {table:?}");
            assert!(lines[0].ends_with(&f.allowed_links().describe()), "{f:?}");
        }
    }

    #[test]
    fn negative_binomial_deviance_and_loglik_stay_exact_as_theta_grows() {
        // the unit deviance tends to the Poisson one, never below 0; the log-likelihood too
        for (y, mu) in [(4.0, 4.2), (0.0, 3.0), (7.0, 2.5)] {
            let pd = Family::Poisson.unit_deviance(y, mu);
            let pl = Family::Poisson.loglik(y, mu, 1.0, 1.0, 1.0);
            let nd = Family::NegBin { theta: 1e6 }.unit_deviance(y, mu);
            let nl = Family::NegBin { theta: 1e6 }.loglik(y, mu, 1.0, 1.0, 1.0);
            assert!(
                nd >= 0.0 && (nd - pd).abs() < 1e-4 * pd.max(1.0),
                "{y} {mu}: {nd} vs {pd}"
            );
            assert!((nl - pl).abs() < 1e-4 * pl.abs().max(1.0), "{y} {mu}: {nl} vs {pl}");
            assert!(Family::NegBin { theta: 1e16 }.unit_deviance(y, mu) >= 0.0);
        }
    }
}
