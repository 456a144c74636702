//! Partitioning and verification criteria next to Haeckel's equivalence limits:
//!
//! * [`lahti`] — Lahti et al. (Clin Chem 2002;48:338–52, Gaussian; 2004;50:891–900,
//!   non-Gaussian): the proportion of each subgroup outside each limit of the common (pooled)
//!   reference interval. Ideally 2.5 %; a subgroup with more than 4.1 % (or less than 0.9 %)
//!   outside a common limit justifies partitioning, proportions within 1.8–3.2 % justify the
//!   common limit, anything between is marginal (non-statistical considerations decide). The
//!   Gaussian version takes the proportions from each subgroup's normal model on its own scale
//!   (log scale when log-normal): Φ((RL₁ − μ)/σ) and 1 − Φ((RL₂ − μ)/σ); the non-Gaussian version
//!   counts the subgroup's values outside the limit (values equal to a limit count half, one of
//!   Lahti 2004's answers to tied values). Subgroup prevalences (the root and multiplication
//!   methods of Lahti 2004) are not applied.
//! * [`transference`] — CLSI EP28-A3c's check of transferred limits: of 20 reference
//!   individuals at most 2 may fall outside. Binomial reasoning: with limits that are right, each
//!   value falls outside with probability 0.05, and P(X ≤ 2 | n = 20, p = 0.05) = 0.925, so a
//!   correct interval is rejected 7.5 % of the time; for other n the largest count k with
//!   P(X ≤ k) ≥ 0.90 is allowed (2 at n = 20).
//! * [`verify_routine`] — a laboratory's limits checked against limits estimated from its
//!   routine data (the idea of refineR 2.0's `verifyRI`): a limit is verified when it lies inside
//!   the estimate's confidence interval or inside the estimate's equivalence band
//!   limit ± z·pu (Haeckel et al. 2016, eqs. 1–4), and not verified otherwise, with the direction.

use crate::error::{num, RefintError, Result};
use crate::estimate::group::GroupEstimate;
use crate::permissible::{Permissible, PermissibleOptions};
use dimorph_core::dist::{pnorm, pnorm_upper};
use serde::Serialize;

/// Lahti's proportions: partition above this per cent outside a common limit (or below
/// [`LAHTI_PARTITION_LOW`]).
pub const LAHTI_PARTITION_HIGH: f64 = 4.1;
/// Partition below this per cent outside.
pub const LAHTI_PARTITION_LOW: f64 = 0.9;
/// Common limit when every proportion lies within [`LAHTI_COMMON_LOW`, `LAHTI_COMMON_HIGH`].
pub const LAHTI_COMMON_LOW: f64 = 1.8;
pub const LAHTI_COMMON_HIGH: f64 = 3.2;

/// Lahti's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Partition,
    Marginal,
    Common,
}

impl Verdict {
    pub fn text(self) -> &'static str {
        match self {
            Verdict::Partition => "partition",
            Verdict::Marginal => "marginal (decide on non-statistical grounds)",
            Verdict::Common => "common limit",
        }
    }
}

/// One subgroup's proportions outside one common limit, in per cent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outside {
    pub group: String,
    /// Counted among the subgroup's values (non-Gaussian version).
    pub counted_pct: f64,
    /// From the subgroup's normal model (Gaussian version).
    pub gaussian_pct: f64,
}

/// Lahti's criterion at one limit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LahtiDecision {
    pub limit: crate::equivalence::Limit,
    /// The common (pooled) limit.
    pub common: f64,
    pub outside: Vec<Outside>,
    pub gaussian: Verdict,
    pub nongaussian: Verdict,
    /// The numbers and the verdicts in words.
    pub reason: String,
}

fn verdict(pcts: impl Iterator<Item = f64>) -> Verdict {
    let mut v = Verdict::Common;
    for p in pcts {
        if !(LAHTI_PARTITION_LOW..=LAHTI_PARTITION_HIGH).contains(&p) {
            return Verdict::Partition;
        }
        if !(LAHTI_COMMON_LOW..=LAHTI_COMMON_HIGH).contains(&p) {
            v = Verdict::Marginal;
        }
    }
    v
}

/// Lahti's criteria for the groups `values[i]` (estimated as `groups[i]`) against the common
/// limits of `pooled`.
pub fn lahti(values: &[(String, Vec<f64>)], groups: &[GroupEstimate], pooled: &GroupEstimate) -> Vec<LahtiDecision> {
    use crate::equivalence::Limit;
    [Limit::Lower, Limit::Upper]
        .into_iter()
        .map(|limit| {
            let lower = limit == Limit::Lower;
            let c = if lower { pooled.limits.lower } else { pooled.limits.upper };
            let outside: Vec<Outside> = groups
                .iter()
                .filter_map(|g| {
                    let x = &values.iter().find(|(l, _)| *l == g.group)?.1;
                    let (mut k, n) = (0.0, x.len() as f64);
                    for &v in x {
                        if (lower && v < c) || (!lower && v > c) {
                            k += 1.0;
                        } else if v == c {
                            k += 0.5;
                        }
                    }
                    let s = g.summary;
                    let t = if g.log_scale { c.max(f64::MIN_POSITIVE).ln() } else { c };
                    let z = (t - s.mean) / s.sd;
                    // the upper tail as Φ(−z): 1 − Φ(z) loses the digits of a far tail
                    let gp = if lower { pnorm(z) } else { pnorm_upper(z) };
                    Some(Outside {
                        group: g.group.clone(),
                        counted_pct: 100.0 * k / n,
                        gaussian_pct: 100.0 * gp,
                    })
                })
                .collect();
            let gaussian = verdict(outside.iter().map(|o| o.gaussian_pct));
            let nongaussian = verdict(outside.iter().map(|o| o.counted_pct));
            let list = |f: &dyn Fn(&Outside) -> f64| {
                outside
                    .iter()
                    .map(|o| format!("'{}' {:.1} %", crate::error::clip(&o.group), f(o)))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let reason = format!(
                "{} limit {}: outside it counted {} → {}; from the normal models {} → {} (Lahti: partition \
                 outside {LAHTI_PARTITION_LOW}–{LAHTI_PARTITION_HIGH} %, common within {LAHTI_COMMON_LOW}–{LAHTI_COMMON_HIGH} %)",
                limit.name(),
                dimorph_report::fmt::sig(c, 5),
                list(&|o| o.counted_pct),
                nongaussian.text(),
                list(&|o| o.gaussian_pct),
                gaussian.text()
            );
            LahtiDecision {
                limit,
                common: c,
                outside,
                gaussian,
                nongaussian,
                reason,
            }
        })
        .collect()
}

/// Binomial P(X ≤ k) for n trials with probability p.
fn binom_cdf(k: usize, n: usize, p: f64) -> f64 {
    let mut term = (1.0 - p).powi(n as i32); // P(X = 0)
    let mut sum = term;
    for i in 1..=k.min(n) {
        term *= (n - i + 1) as f64 / i as f64 * p / (1.0 - p);
        sum += term;
    }
    sum.min(1.0)
}

/// Fewest reference values for the transference check (CLSI EP28-A3c).
pub const TRANSFERENCE_MIN_N: usize = 20;

/// The CLSI EP28-A3c transference check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transference {
    pub limits: (f64, f64),
    pub n: usize,
    pub below: usize,
    pub above: usize,
    /// Most values allowed outside (2 at n = 20).
    pub allowed: usize,
    /// P(at most `allowed` outside | the limits are right), the binomial probability with p = 0.05.
    pub p_accept_if_right: f64,
    pub accept: bool,
    pub reason: String,
}

/// Checks transferred `limits` with reference values `x` (CLSI EP28-A3c).
pub fn transference(what: &str, limits: (f64, f64), x: &[f64]) -> Result<Transference> {
    transference_with(what, limits, x, (0, 0))
}

/// As [`transference`], with `censored_outside` = (values below a detection limit at or below
/// the lower limit, values above a limit at or above the upper limit): censored values known to
/// lie outside the limits, counted as reference values outside them.
pub fn transference_with(
    what: &str,
    limits: (f64, f64),
    x: &[f64],
    censored_outside: (usize, usize),
) -> Result<Transference> {
    crate::error::check_limits("the limits to verify (--limits)", limits.0, limits.1, false)?;
    let n = x.len() + censored_outside.0 + censored_outside.1;
    if n < TRANSFERENCE_MIN_N {
        return Err(RefintError::TooFew {
            what: what.into(),
            method: "CLSI EP28 transference".into(),
            min: TRANSFERENCE_MIN_N,
            n,
        });
    }
    let below = x.iter().filter(|v| **v < limits.0).count() + censored_outside.0;
    let above = x.iter().filter(|v| **v > limits.1).count() + censored_outside.1;
    let allowed = (0..=n).find(|&k| binom_cdf(k, n, 0.05) >= 0.90).unwrap_or(n);
    let p = binom_cdf(allowed, n, 0.05);
    let out = below + above;
    let accept = out <= allowed;
    let censored = match censored_outside.0 + censored_outside.1 {
        0 => String::new(),
        k => format!(", {k} of them censored at a limit beyond the limits"),
    };
    let reason = format!(
        "{out} of {n} reference values outside {} – {} ({below} below, {above} above{censored}); at most {allowed} allowed \
         (if the limits are right each value falls outside with probability 0.05, and P(X <= {allowed}) = {:.3}): {}",
        num(limits.0),
        num(limits.1),
        p,
        if accept {
            "the limits are accepted".to_string()
        } else if n == TRANSFERENCE_MIN_N && out <= 4 {
            "not accepted; EP28 advises testing 20 more reference individuals before rejecting".to_string()
        } else {
            "the limits are not accepted for this population".to_string()
        }
    );
    Ok(Transference {
        limits,
        n,
        below,
        above,
        allowed,
        p_accept_if_right: p,
        accept,
        reason,
    })
}

/// One limit of a laboratory checked against routine data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LimitCheck {
    pub limit: crate::equivalence::Limit,
    pub given: f64,
    pub estimated: f64,
    pub ci: Option<(f64, f64)>,
    /// The estimate's equivalence band estimate ± z·pu.
    pub band: (f64, f64),
    pub verified: bool,
    pub reason: String,
}

/// A laboratory's limits against limits estimated from its routine data (refineR 2.0's
/// `verifyRI` idea), with the equivalence band of Haeckel et al. (2016).
pub fn verify_routine(
    what: &str,
    given: (f64, f64),
    e: &GroupEstimate,
    po: PermissibleOptions,
) -> Result<Vec<LimitCheck>> {
    use crate::equivalence::Limit;
    crate::error::check_limits("the limits to verify (--limits)", given.0, given.1, false)?;
    let l = &e.limits;
    let p = Permissible::named(&format!("{what}: the estimated limits"), l.lower, l.upper, po)?;
    Ok([Limit::Lower, Limit::Upper]
        .into_iter()
        .map(|limit| {
            let i = limit.index();
            let (g, est, ci) = if limit == Limit::Lower {
                (given.0, l.lower, l.ci_lower)
            } else {
                (given.1, l.upper, l.ci_upper)
            };
            let pd = p.pd_at_limit(i);
            let band = (est - pd, est + pd);
            let in_ci = ci.is_some_and(|(a, b)| a <= g && g <= b);
            let in_band = band.0 <= g && g <= band.1;
            let verified = in_ci || in_band;
            let s = |x: f64| dimorph_report::fmt::sig(x, 5);
            let ci_text = ci.map_or("no confidence interval".to_string(), |(a, b)| {
                format!("CI {} – {}", s(a), s(b))
            });
            let reason = format!(
                "{} limit {}: estimated from the routine data {} ({ci_text}; equivalence band ± z·pu {} – {}): {}",
                limit.name(),
                s(g),
                s(est),
                s(band.0),
                s(band.1),
                if verified {
                    format!(
                        "verified (inside the {})",
                        if in_ci && in_band {
                            "CI and the band"
                        } else if in_ci {
                            "CI"
                        } else {
                            "band"
                        }
                    )
                } else if g < band.0 {
                    "not verified: the given limit is too low".to_string()
                } else {
                    "not verified: the given limit is too high".to_string()
                }
            );
            LimitCheck {
                limit,
                given: g,
                estimated: est,
                ci,
                band,
                verified,
                reason,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_binomial_reasoning_of_ep28() {
        // R 4.2 (the peer): pbinom(2, 20, 0.05) = 0.924516326211504, pbinom(1, 20, 0.05) =
        // 0.73583952494385 (tests/peers/ep28_binomial.R)
        assert!((binom_cdf(2, 20, 0.05) - 0.924516326211504).abs() < 1e-13);
        assert!((binom_cdf(1, 20, 0.05) - 0.73583952494385).abs() < 1e-13);
        let x: Vec<f64> = (0..20).map(|i| 10.0 + f64::from(i)).collect();
        let t = transference("x", (10.5, 28.5), &x).unwrap();
        assert_eq!((t.below, t.above, t.allowed, t.accept), (1, 1, 2, true));
        let t = transference("x", (11.5, 28.5), &x).unwrap();
        assert!(!t.accept && t.reason.contains("20 more"), "{}", t.reason);
        assert!(transference("x", (1.0, 2.0), &x[..19]).is_err());
        // allowed counts as the peer computes them (tests/peers/ep28_binomial.out)
        for (n, k) in [(20, 2), (40, 4), (60, 5)] {
            let x: Vec<f64> = (0..n).map(f64::from).collect();
            assert_eq!(transference("x", (-1.0, 1e3), &x).unwrap().allowed, k, "n = {n}");
        }
    }

    #[test]
    fn lahti_verdicts() {
        assert_eq!(verdict([2.5, 2.0].into_iter()), Verdict::Common);
        assert_eq!(verdict([2.5, 3.5].into_iter()), Verdict::Marginal);
        assert_eq!(verdict([2.5, 4.2].into_iter()), Verdict::Partition);
        assert_eq!(verdict([0.5, 2.5].into_iter()), Verdict::Partition);
    }
}
