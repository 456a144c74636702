//! Permissible analytical uncertainty derived from a pair of reference limits (Haeckel,
//! Wosniok & Arzideh 2016, appendix, eqs. 5–13) and the permissible differences between two
//! reference limits (eqs. 3–4).
//!
//! Under the log-normal assumption the limits RL₁ < RL₂ of group A give
//! s_E,ln = (ln RL₂ − ln RL₁)/3.92 and Med_ln = (ln RL₁ + ln RL₂)/2 (eq. 5), the linear-scale
//! mean and standard deviation (eq. 6), the empirical biological CV_E* (eqs. 7–8), the
//! permissible analytical CV pCV_A = (CV_E* − 0.25)^0.5 (eq. 9; Table 1 confirms the square
//! root), ps_A at the median (eq. 10) and at any x (eqs. 11–13), and pD_i = z·pu(RL_i) (eqs. 3–4)
//! with z = 1.28 (one-sided 90 %) by default.

use crate::error::{check_limits, num, RefintError, Result};
use serde::Serialize;

pub use crate::options::{Assumption, PermissibleOptions, BIAS_FACTOR, Z_90};

/// 3.92 = 2 × 1.96: the width of the central 95 % of a normal distribution in SDs (eq. 5).
pub const WIDTH_95: f64 = 3.92;

/// Everything the appendix derives from one pair of reference limits, with the permissible
/// differences at both limits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Permissible {
    pub rl1: f64,
    pub rl2: f64,
    pub options: PermissibleOptions,
    /// s_E,ln (eq. 5); under the normal assumption the linear-scale s_E.
    pub s_ln: f64,
    /// Med_ln (eq. 5); under the normal assumption the linear mean.
    pub med_ln: f64,
    /// Linear-scale mean (eq. 6).
    pub mean: f64,
    /// Linear-scale standard deviation s_E,lin (eq. 6, with Mean as the factor: the printed
    /// "Med_ln" there is a misprint, as eq. 7 shows).
    pub s_lin: f64,
    /// CV_E* in % (eq. 8); CV_E under the normal assumption.
    pub cv_e: f64,
    /// pCV_A in % at the median (eq. 9).
    pub pcv_a: f64,
    /// Median on the linear scale, (RL₁·RL₂)^0.5 (mean under the normal assumption).
    pub med: f64,
    /// ps_A at the median (eq. 10).
    pub ps_a_med: f64,
    /// Slope a of ps_A(x) = a·x + b (eq. 11).
    pub slope: f64,
    /// Intercept b = 0.2·ps_A,Med (eq. 11).
    pub intercept: f64,
    /// ps_A at RL₁ and RL₂ (eq. 12).
    pub ps_a_rl1: f64,
    pub ps_a_rl2: f64,
    /// pCV_A at RL₁ and RL₂ in % (eq. 13); NaN (`null` in JSON) at a limit of 0, where a
    /// percentage of the limit is not defined (see [`Permissible::undefined_percentages`]).
    pub pcv_a_rl1: f64,
    pub pcv_a_rl2: f64,
    /// Permissible uncertainty pu (= ps_A, or 1.22·ps_A with bias) at RL₁, RL₂.
    pub pu_rl1: f64,
    pub pu_rl2: f64,
    /// Permissible differences pD₁ = z·pu(RL₁), pD₂ = z·pu(RL₂) (eqs. 3–4).
    pub pd1: f64,
    pub pd2: f64,
    /// pD in % of the limit: pD₁·100/RL₁, pD₂·100/RL₂ (Table 1, columns d and e); NaN (`null`
    /// in JSON) at a limit of 0.
    pub pd1_pct: f64,
    pub pd2_pct: f64,
}

impl Permissible {
    /// Derives the permissible uncertainty from the limits of group A.
    ///
    /// Errors: limits not finite or beyond ±1e15, RL₁ ≥ RL₂, non-positive limits under the
    /// log-normal assumption, CV_E ≤ 0.25 % (eq. 9 has no real root), ps_A(RL₁) ≤ 0 (normal
    /// assumption, RL₁ ≤ −Med/4), or an intermediate that overflows.
    pub fn from_limits(rl1: f64, rl2: f64, options: PermissibleOptions) -> Result<Permissible> {
        Self::named("reference limits", rl1, rl2, options)
    }

    /// As [`Permissible::from_limits`], with `what` naming the limits in error messages.
    pub fn named(what: &str, rl1: f64, rl2: f64, options: PermissibleOptions) -> Result<Permissible> {
        check_limits(what, rl1, rl2, options.assumption == Assumption::LogNormal)?;
        options.validate()?;
        let (s_ln, med_ln, mean, s_lin, cv_e, med) = match options.assumption {
            Assumption::LogNormal => {
                let s_ln = (rl2.ln() - rl1.ln()) / WIDTH_95; // eq. 5
                let med_ln = (rl1.ln() + rl2.ln()) / 2.0; // eq. 5
                let mean = (med_ln + 0.5 * s_ln * s_ln).exp(); // eq. 6
                let s_lin = mean * ((s_ln * s_ln).exp() - 1.0).sqrt(); // eq. 6
                let cv_e = 100.0 * ((s_ln * s_ln).exp() - 1.0).sqrt(); // eq. 8
                (s_ln, med_ln, mean, s_lin, cv_e, med_ln.exp())
            }
            Assumption::Normal => {
                let s = (rl2 - rl1) / WIDTH_95;
                let m = (rl1 + rl2) / 2.0;
                if m <= 0.0 {
                    return Err(RefintError::Invalid {
                        what: what.into(),
                        msg: format!(
                            "the midpoint of the limits ({}) must be positive to express CV_E in %",
                            num(m)
                        ),
                    });
                }
                (s, m, m, s, 100.0 * s / m, m)
            }
        };
        if cv_e <= 0.25 {
            return Err(RefintError::Invalid {
                what: what.into(),
                msg: format!(
                    "CV_E = {cv_e:.4} % is not above 0.25 %, so pCV_A = (CV_E - 0.25)^0.5 (eq. 9) is undefined"
                ),
            });
        }
        let pcv_a = (cv_e - 0.25).sqrt(); // eq. 9
        let ps_a_med = pcv_a * 0.01 * med; // eq. 10
        let slope = (ps_a_med - 0.2 * ps_a_med) / med; // eq. 11
        let intercept = 0.2 * ps_a_med;
        let ps = |x: f64| slope * x + intercept; // eq. 12
        let f = options.pu_factor();
        let (ps1, ps2) = (ps(rl1), ps(rl2));
        if ps1 <= 0.0 {
            // only under the normal assumption: ps_A(x) = ps_A,Med·(0.8·x/Med + 0.2) ≤ 0 for x ≤ −Med/4
            return Err(RefintError::Undefined {
                what: what.into(),
                statistic: "the permissible uncertainty at the lower limit".into(),
                reason: format!(
                    "ps_A(RL1) = a·RL1 + b (eq. 12) is {} <= 0: the linear model gives no uncertainty \
                     at RL1 = {} (at or below -Med/4 = {})",
                    crate::quote::dec(ps1, 4),
                    num(rl1),
                    num(-med / 4.0)
                ),
            });
        }
        let (pu1, pu2) = (f * ps1, f * ps2);
        let (pd1, pd2) = (options.z * pu1, options.z * pu2); // eqs. 3–4
                                                             // in % of a limit (eq. 13, Table 1 d–e): undefined at a limit of 0 (normal assumption)
        let pct = |x: f64, rl: f64| if rl == 0.0 { f64::NAN } else { x * 100.0 / rl };
        let p = Permissible {
            rl1,
            rl2,
            options,
            s_ln,
            med_ln,
            mean,
            s_lin,
            cv_e,
            pcv_a,
            med,
            ps_a_med,
            slope,
            intercept,
            ps_a_rl1: ps1,
            ps_a_rl2: ps2,
            pcv_a_rl1: pct(ps1, rl1), // eq. 13
            pcv_a_rl2: pct(ps2, rl2),
            pu_rl1: pu1,
            pu_rl2: pu2,
            pd1,
            pd2,
            pd1_pct: pct(pd1, rl1),
            pd2_pct: pct(pd2, rl2),
        };
        p.check_finite(what)?;
        Ok(p)
    }

    /// Refuses a derivation with a quantity that is not a finite number (limits so far apart
    /// that exp(s_E,ln²) in eqs. 6–8 overflows): the percentages at a zero limit excepted.
    fn check_finite(&self, what: &str) -> Result<()> {
        let named = [
            ("s_E (eq. 5)", self.s_ln),
            ("the mean (eq. 6)", self.mean),
            ("s_E,lin (eq. 6)", self.s_lin),
            ("CV_E* (eq. 8)", self.cv_e),
            ("ps_A at the median (eq. 10)", self.ps_a_med),
            ("pD1 (eq. 3)", self.pd1),
            ("pD2 (eq. 4)", self.pd2),
        ];
        match named.iter().find(|(_, v)| !v.is_finite()) {
            None => Ok(()),
            Some((name, v)) => Err(RefintError::Undefined {
                what: what.into(),
                statistic: format!("the permissible uncertainty ({name} = {v})"),
                reason: format!(
                    "the limits {} and {} are too far apart for eqs. 5-13 in floating point",
                    num(self.rl1),
                    num(self.rl2)
                ),
            }),
        }
    }

    /// Whether the percentages of a limit are undefined (a limit of 0 under the normal
    /// assumption), with a sentence that says so for the warnings; None when they are defined.
    pub fn undefined_percentages(&self) -> Option<String> {
        (self.rl1 == 0.0 || self.rl2 == 0.0)
            .then(|| "pD and pCV_A in % of a limit are not defined at a limit of 0 (shown as NA)".to_string())
    }

    /// ps_A at any x (eq. 12).
    pub fn ps_a(&self, x: f64) -> f64 {
        self.slope * x + self.intercept
    }

    /// pCV_A at x in % (eq. 13).
    pub fn pcv_a_at(&self, x: f64) -> f64 {
        self.ps_a(x) * 100.0 / x
    }

    /// Permissible uncertainty at x: ps_A(x), times 1.22 with the bias option.
    pub fn pu(&self, x: f64) -> f64 {
        self.options.pu_factor() * self.ps_a(x)
    }

    /// Half-width of the equivalence band at x: z·pu(x) (eqs. 1–2).
    pub fn pd(&self, x: f64) -> f64 {
        self.options.z * self.pu(x)
    }

    /// The permissible difference at limit `i` (1 = lower, 2 = upper).
    pub fn pd_at_limit(&self, i: usize) -> f64 {
        if i == 1 {
            self.pd1
        } else {
            self.pd2
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_limits_are_errors() {
        let o = PermissibleOptions::default();
        assert!(matches!(
            Permissible::from_limits(104.0, 50.0, o),
            Err(RefintError::LimitOrder { .. })
        ));
        assert!(matches!(
            Permissible::from_limits(50.0, 50.0, o),
            Err(RefintError::LimitOrder { .. })
        ));
        assert!(matches!(
            Permissible::from_limits(-1.0, 50.0, o),
            Err(RefintError::NonPositive { .. })
        ));
        assert!(matches!(
            Permissible::from_limits(0.0, 50.0, o),
            Err(RefintError::NonPositive { .. })
        ));
        assert!(matches!(
            Permissible::from_limits(f64::NAN, 50.0, o),
            Err(RefintError::Invalid { .. })
        ));
        // the normal assumption accepts a zero lower limit
        let n = PermissibleOptions {
            assumption: Assumption::Normal,
            ..o
        };
        assert!(Permissible::from_limits(0.0, 50.0, n).is_ok());
        // CV_E below 0.25 %: eq. 9 undefined
        assert!(matches!(
            Permissible::from_limits(100.0, 100.5, o),
            Err(RefintError::Invalid { .. })
        ));
        let bad_z = PermissibleOptions { z: -1.0, ..o };
        assert!(Permissible::from_limits(50.0, 104.0, bad_z).is_err());
    }

    #[test]
    fn slope_and_intercept_give_ps_at_median() {
        let p = Permissible::from_limits(50.0, 104.0, PermissibleOptions::default()).unwrap();
        assert!((p.ps_a(p.med) - p.ps_a_med).abs() < 1e-12);
        assert!((p.pcv_a_at(p.med) - p.pcv_a).abs() < 1e-12);
        let b = Permissible::from_limits(
            50.0,
            104.0,
            PermissibleOptions {
                bias: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert!((b.pd2 / p.pd2 - 1.22).abs() < 1e-12);
    }
}
