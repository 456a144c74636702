//! The options of a decomposition (`dimorph lifetable decompose`), plain data with their checks.

use crate::options::{CauseShares, LifeTableOptions, OptionError};
use dimorph_core::location::bad_argument;
use serde::Serialize;

/// The number of intervals of the line integral a decomposition may use (`--steps`).
pub const STEPS: std::ops::RangeInclusive<usize> = 1..=1000;

/// Options of a decomposition of the difference between two life tables.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct DecomposeOptions {
    /// The two life tables (`--no-smooth`, `--constant-hazard`, `--radix`).
    pub lifetable: LifeTableOptions,
    /// Decompose the difference in e(x) from this age (`--from-age`; 0, e₀, by default). It must
    /// start an age group of both tables. The variation measures (e†, Gini, SD) are at birth
    /// and decomposed only from age 0.
    pub from_age: f64,
    /// Intervals of the line integral of Horiuchi et al. (`--steps`, 1 to 1000; 50 by default):
    /// the residual (contributions' sum minus the difference) falls as 1/steps² (for the USA
    /// 2010 sexes and 1933–2010 changes within 1e-4 of the difference at 50 steps).
    pub steps: usize,
    /// How cause shares by age are formed (`--cause-shares`), with cause-of-death data.
    pub cause_shares: CauseShares,
}

impl Default for DecomposeOptions {
    fn default() -> Self {
        DecomposeOptions {
            lifetable: LifeTableOptions::default(),
            from_age: 0.0,
            steps: 50,
            cause_shares: CauseShares::Age,
        }
    }
}

impl DecomposeOptions {
    /// Refuses a bad table option, a negative or non-finite age and a step count out of range.
    pub fn validate(&self) -> Result<(), OptionError> {
        self.lifetable.validate()?;
        if !(self.from_age.is_finite() && (0.0..=200.0).contains(&self.from_age)) {
            return Err(Box::new(bad_argument(
                "--from-age",
                format!(
                    "must be an age from 0 to 200 that starts an age group, got {}",
                    dimorph_core::text::num(self.from_age)
                ),
            )));
        }
        if !STEPS.contains(&self.steps) {
            return Err(Box::new(bad_argument(
                "--steps",
                format!(
                    "must be from {} to {} (50 by default), got {}",
                    STEPS.start(),
                    STEPS.end(),
                    self.steps
                ),
            )));
        }
        Ok(())
    }

    /// Refuses the options that need cause-of-death data when there are none.
    pub fn validate_without_causes(&self) -> Result<(), OptionError> {
        if self.cause_shares != CauseShares::Age {
            return Err(Box::new(bad_argument(
                "--cause-shares",
                "applies to cause-of-death data only; give --causes FILE",
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_the_option() {
        assert!(DecomposeOptions::default().validate().is_ok());
        let o = DecomposeOptions {
            from_age: -1.0,
            ..Default::default()
        };
        assert!(o
            .validate()
            .is_err_and(|e| e.to_string().starts_with("--from-age: must be")));
        let o = DecomposeOptions {
            steps: 0,
            ..Default::default()
        };
        assert!(o
            .validate()
            .is_err_and(|e| e.to_string().starts_with("--steps: must be from 1")));
        let o = DecomposeOptions {
            cause_shares: CauseShares::Paper,
            ..Default::default()
        };
        assert!(o
            .validate_without_causes()
            .is_err_and(|e| e.to_string().starts_with("--cause-shares")));
    }
}
