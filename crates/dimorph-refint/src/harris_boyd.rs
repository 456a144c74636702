//! The Harris & Boyd (1990) partitioning test that CLSI C28 recommends (Haeckel et al. 2016,
//! appendix, eq. 14): z = |x̄₁ − x̄₂| / (s₁²/n₁ + s₂²/n₂)^0.5 against the critical value
//! z* = 3·((n₁ + n₂)/240)^0.5; and the CLSI column of Table 1, the permissible difference in %
//! of the mean when s₁ = s₂ = s_E: D% = 3·(2·CV_E²/n)^0.5 with n = 120 per group.

use crate::quote::dec;
use serde::Serialize;

/// Summary of one group: mean, standard deviation and size (on the scale where the data are
/// close to normal).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GroupSummary {
    pub mean: f64,
    pub sd: f64,
    pub n: usize,
}

/// Result of the Harris–Boyd test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HarrisBoyd {
    /// z of eq. 14.
    pub z: f64,
    /// z* = 3·((n₁ + n₂)/240)^0.5.
    pub z_crit: f64,
    /// Larger SD over smaller SD; Harris & Boyd also partition when it exceeds 1.5.
    pub sd_ratio: f64,
    /// z ≥ z* or sd_ratio > 1.5.
    pub partition: bool,
    pub reason: String,
}

/// The critical value z* = 3·((n₁ + n₂)/240)^0.5 (3 for n₁ = n₂ = 120).
pub fn z_crit(n1: usize, n2: usize) -> f64 {
    3.0 * ((n1 + n2) as f64 / 240.0).sqrt()
}

/// Harris & Boyd's test for two groups (eq. 14). z and the SD ratio are not finite numbers when
/// an SD is 0; [`crate::partition`] then leaves the test out with a note.
pub fn harris_boyd(g1: GroupSummary, g2: GroupSummary) -> HarrisBoyd {
    let se = (g1.sd * g1.sd / g1.n as f64 + g2.sd * g2.sd / g2.n as f64).sqrt();
    let z = (g1.mean - g2.mean).abs() / se;
    let zc = z_crit(g1.n, g2.n);
    let sd_ratio = g1.sd.max(g2.sd) / g1.sd.min(g2.sd);
    let by_z = z >= zc;
    let by_sd = sd_ratio > 1.5;
    let (zs, zcs, ratio) = (dec(z, 2), dec(zc, 2), dec(sd_ratio, 2));
    let reason = match (by_z, by_sd) {
        (true, _) => format!("z = {zs} >= z* = {zcs}: partition"),
        (false, true) => format!("z = {zs} < z* = {zcs}, but the SD ratio {ratio} exceeds 1.5: partition"),
        (false, false) => format!("z = {zs} < z* = {zcs} and SD ratio {ratio} <= 1.5: no partition"),
    };
    HarrisBoyd {
        z,
        z_crit: zc,
        sd_ratio,
        partition: by_z || by_sd,
        reason,
    }
}

/// CLSI's permissible difference of means in % (Table 1, column f): 3·(2·CV²/n)^0.5, i.e. the
/// difference at which z reaches z* = 3 for two groups of n values with equal CV.
pub fn clsi_pd_pct(cv_pct: f64, n: usize) -> f64 {
    3.0 * (2.0 * cv_pct * cv_pct / n as f64).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn z_star_is_three_at_120_each() {
        assert!((z_crit(120, 120) - 3.0).abs() < 1e-12);
        // the difference at which z = z* for n = 120 and equal s is the CLSI pD%
        let cv = 10.0;
        let d = clsi_pd_pct(cv, 120);
        let hb = harris_boyd(
            GroupSummary {
                mean: 100.0,
                sd: cv,
                n: 120,
            },
            GroupSummary {
                mean: 100.0 + d,
                sd: cv,
                n: 120,
            },
        );
        assert!((hb.z - 3.0).abs() < 1e-9);
        assert!(hb.partition);
    }
}
