//! Estimating reference limits from data.
//!
//! Direct methods (CLSI EP28-A3c) for samples of healthy reference individuals:
//! [`direct`] (nonparametric percentiles with rank-based or bootstrap confidence intervals),
//! [`parametric`] (normal, log-normal, Box–Cox), [`robust`] (biweight, Horn & Pesce) and the
//! outlier screens in [`outliers`]. The indirect method of reflimR for routine data that contain
//! pathological values is in [`reflim`]; [`reflim_boot`] bootstraps its
//! confidence intervals for small samples. [`refiner`] is refineR's inverse modelling (a Box–Cox
//! normal fitted to the central part of the histogram), [`refiner_modbc`] its modified Box–Cox
//! model (with a shift), [`refiner_boot`] its bootstrap intervals.
//! [`kosmic`] is Zierk et al.'s kosmic (a Box–Cox normal fitted to a truncated central part, the
//! truncation chosen by the Kolmogorov–Smirnov distance of [`kosmic_cost`]), [`kosmic_boot`] its
//! bootstrap intervals.

pub mod direct;
pub mod group;
pub mod kosmic;
pub mod kosmic_boot;
pub mod kosmic_cost;
pub mod outliers;
pub mod parametric;
pub mod refiner;
pub mod refiner_boot;
pub mod refiner_hist;
pub mod refiner_modbc;
pub mod refiner_peak;
pub mod refiner_zeros;
pub mod reflim;
pub mod reflim_boot;
pub mod robust;

use crate::error::{RefintError, Result};
use serde::Serialize;

pub use crate::options::Method;

/// Reference limits with their 90 % confidence intervals (when the method gives them).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Limits {
    /// The method, with its model or transformation (e.g. "reflimR (log-normal)").
    pub method: String,
    /// Number of values.
    pub n: usize,
    /// The lower (2.5th percentile) and upper (97.5th percentile) reference limits.
    pub lower: f64,
    pub upper: f64,
    /// Confidence interval of the lower and of the upper limit.
    pub ci_lower: Option<(f64, f64)>,
    pub ci_upper: Option<(f64, f64)>,
    /// How the confidence intervals were obtained.
    pub ci_method: Option<String>,
    /// Notes on the estimate: a confidence interval left out because it is not defined, and
    /// why (these are also the outcome's warnings).
    pub remarks: Vec<String>,
}

impl Limits {
    /// Percentile-bootstrap 95 % intervals from the limits `lo`, `hi` of the resamples (of
    /// `nboot`) that had a `method` fit; left out with a remark when fewer than half had one.
    pub(crate) fn set_bootstrap_intervals(
        &mut self,
        method: &str,
        lo: &mut [f64],
        hi: &mut [f64],
        nboot: usize,
        seed: u64,
    ) {
        if lo.len() * 2 < nboot {
            self.remarks.push(format!(
                "bootstrap confidence intervals left out: only {} of {nboot} resamples had a {method} fit",
                lo.len()
            ));
            return;
        }
        self.ci_lower = Some(crate::stats::percentile_interval_95(lo));
        self.ci_upper = Some(crate::stats::percentile_interval_95(hi));
        self.ci_method = Some(format!(
            "percentile bootstrap (95 %), {} of {nboot} resamples with a fit, seed {seed}",
            lo.len()
        ));
    }
}

/// Checks sample values: all finite, at least `min` of them, not all equal, and (when
/// `positive` names the rule that needs it) all above zero. `what` names the data in messages;
/// `method` the method.
pub fn check_values(what: &str, method: &str, x: &[f64], min: usize, positive: Option<&str>) -> Result<()> {
    if let Some(i) = x.iter().position(|v| !v.is_finite()) {
        return Err(RefintError::Invalid {
            what: what.into(),
            msg: format!("value {} (position {}) is not a finite number", x[i], i + 1),
        });
    }
    if x.len() < min {
        return Err(RefintError::TooFew {
            what: what.into(),
            method: method.into(),
            min,
            n: x.len(),
        });
    }
    if let Some(why) = positive {
        if let Some(v) = x.iter().copied().find(|v| *v <= 0.0) {
            return Err(RefintError::NonPositive {
                what: what.into(),
                value: v,
                why: why.into(),
            });
        }
    }
    if let Some(&first) = x.first() {
        if x.iter().all(|v| *v == first) {
            return Err(RefintError::Constant {
                what: what.into(),
                n: x.len(),
                value: first,
            });
        }
    }
    Ok(())
}
