//! The Tweedie family: exponential dispersion models with V(μ) = μ^p (Jørgensen 1987,
//! "Exponential dispersion models", J. R. Statist. Soc. B 49; Dunn & Smyth 2005, Statistics and
//! Computing 15, eq. (2)), as R's `statmod::tweedie(var.power = p, link.power = λ)` in `glm`.
//!
//! A Tweedie model exists for p ≤ 0 and p ≥ 1; none has 0 < p < 1. dimorph fits p = 0 (normal),
//! p = 1 (Poisson), 1 < p < 2 (compound Poisson–gamma: a point mass at zero and a continuous
//! positive part), p = 2 (gamma), p = 3 (inverse Gaussian) and every p ≥ 1; p < 0 (a mean on
//! the positive line and a response on the whole line) is not supported.
//!
//! The unit deviance is d(y, μ) = 2[y (y^{1−p} − μ^{1−p})/(1 − p) − (y^{2−p} − μ^{2−p})/(2 − p)],
//! with the limits at p = 1 (Poisson) and p = 2 (gamma) taken exactly. The density has no closed
//! form (a series), so, as in R's `glm`, there is no log-likelihood and no AIC; the dispersion is
//! Pearson's χ²/df, and tests use it (F) as for the quasi families.

/// The admissible powers, as a sentence fragment for the unknown-family message.
pub const POWER_DOMAIN: &str =
    "tweedie(p) with p = 0 or p ≥ 1 (no Tweedie distribution has 0 < p < 1; p < 0 is not supported), e.g. tweedie(1.5)";

/// Whether a family name asks for the Tweedie family (`tweedie`, `tweedie(…)`), for the message.
pub fn names_tweedie(s: &str) -> bool {
    s.trim().to_ascii_lowercase().starts_with("tweedie")
}

/// Parses `tweedie(p)` (also `tweedie(p=1.5)`, `tweedie(var.power = 1.5)`) into p, None where
/// the name is another or p is outside [`POWER_DOMAIN`].
pub fn parse(lower: &str) -> Option<f64> {
    let inner = lower
        .strip_prefix("tweedie")?
        .trim()
        .strip_prefix('(')?
        .strip_suffix(')')?;
    let value = match inner.split_once('=') {
        Some((name, v)) if matches!(name.trim(), "p" | "var.power" | "power") => v,
        Some(_) => return None,
        None => inner,
    };
    let p: f64 = value.trim().parse().ok()?;
    valid_power(p).then_some(p)
}

/// p = 0 or finite p ≥ 1.
pub fn valid_power(p: f64) -> bool {
    p == 0.0 || (p.is_finite() && p >= 1.0)
}

/// V(μ) = μ^p.
pub fn variance(p: f64, mu: f64) -> f64 {
    if p == 0.0 {
        1.0
    } else {
        mu.powf(p)
    }
}

/// V'(μ) = p μ^{p−1}.
pub fn variance_deriv(p: f64, mu: f64) -> f64 {
    if p == 0.0 {
        0.0
    } else {
        p * mu.powf(p - 1.0)
    }
}

/// The unit deviance d(y, μ) (module doc), exact at p = 0, 1, 2; y^{2−p} = 0 at y = 0.
pub fn unit_deviance(p: f64, y: f64, mu: f64) -> f64 {
    if p == 0.0 {
        return (y - mu) * (y - mu);
    }
    if p == 1.0 {
        let ylogy = if y == 0.0 { 0.0 } else { y * (y / mu).ln() };
        return 2.0 * (ylogy - (y - mu));
    }
    if p == 2.0 {
        return 2.0 * ((mu / y).ln() + (y - mu) / mu);
    }
    let a = if y == 0.0 {
        0.0
    } else {
        y * (y.powf(1.0 - p) - mu.powf(1.0 - p)) / (1.0 - p)
    };
    let b = (if y == 0.0 { 0.0 } else { y.powf(2.0 - p) } - mu.powf(2.0 - p)) / (2.0 - p);
    2.0 * (a - b)
}

/// The response's range: any finite y at p = 0, y ≥ 0 for 1 ≤ p < 2 (zeros are the point mass),
/// y > 0 for p ≥ 2.
pub fn check_y(p: f64, y: f64) -> std::result::Result<(), String> {
    let num = dimorph_core::text::num;
    if p == 0.0 {
        return if y.is_finite() {
            Ok(())
        } else {
            Err(format!("the response must be finite, got {}", num(y)))
        };
    }
    if p < 2.0 {
        if y >= 0.0 && y.is_finite() {
            return Ok(());
        }
        return Err(format!(
            "a Tweedie response with power {} must be non-negative, got {}",
            num(p),
            num(y)
        ));
    }
    if y > 0.0 && y.is_finite() {
        return Ok(());
    }
    Err(format!(
        "a Tweedie response with power {} (≥ 2) must be positive, got {}",
        num(p),
        num(y)
    ))
}

/// The warning that goes with a Tweedie fit: why the AIC is NA.
pub fn aic_note(p: f64) -> String {
    format!(
        "AIC, BIC and the log-likelihood are NA for the Tweedie family (power {}): its density has no closed form, as in R's glm with statmod::tweedie; compare models by deviance (--anova)",
        dimorph_core::text::num(p)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powers_parse_in_their_domain_only() {
        assert_eq!(parse("tweedie(1.5)"), Some(1.5));
        assert_eq!(parse("tweedie(p = 3)"), Some(3.0));
        assert_eq!(parse("tweedie(var.power=0)"), Some(0.0));
        for bad in [
            "tweedie",
            "tweedie(0.5)",
            "tweedie(-1)",
            "tweedie(inf)",
            "tweedie(x=2)",
            "tweedie(1.5",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn deviance_is_continuous_through_the_named_powers() {
        // p = 0, 1, 2, 3 are the normal, Poisson, gamma and inverse Gaussian deviances, and the
        // general formula tends to them
        for (y, mu) in [(2.0f64, 3.0f64), (0.7, 0.2), (5.0, 5.5)] {
            let named = [
                (0.0, (y - mu) * (y - mu)),
                (1.0, 2.0 * (y * (y / mu).ln() - (y - mu))),
                (2.0, -2.0 * ((y / mu).ln() - (y - mu) / mu)),
                (3.0, (y - mu) * (y - mu) / (y * mu * mu)),
            ];
            for (p, d) in named {
                assert!((unit_deviance(p, y, mu) - d).abs() < 1e-12 * d.max(1.0), "p {p}");
                for h in [1e-7, -1e-7] {
                    if p + h >= 1.0 {
                        let near = unit_deviance(p + h, y, mu);
                        assert!((near - d).abs() < 1e-5 * d.max(1.0), "p {p}{h:+}: {near} vs {d}");
                    }
                }
            }
        }
        // y = 0 with 1 < p < 2: 2 μ^{2−p}/(2 − p)
        assert!((unit_deviance(1.5, 0.0, 4.0) - 2.0 * 2.0 / 0.5).abs() < 1e-12);
    }

    #[test]
    fn response_range_follows_the_power() {
        assert!(check_y(1.5, 0.0).is_ok());
        assert!(check_y(1.5, -1.0).unwrap_err().contains("non-negative"));
        assert!(check_y(2.5, 0.0).unwrap_err().contains("positive"));
        assert!(check_y(0.0, -3.0).is_ok());
    }
}
