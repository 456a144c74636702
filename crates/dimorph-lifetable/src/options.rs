//! The options of the two analyses, as plain data with the CLI's defaults, and their checks.
//!
//! [`LifeTableOptions`] build a period life table (HMD Methods Protocol v6); [`LifeLostOptions`]
//! add the choices of the life-lost analysis of Riffe & Solé Auró (2015). Every choice is an
//! enum; [`LifeTableOptions::validate`] and [`LifeLostOptions::validate`] refuse values that
//! cannot be used, naming the option as the CLI spells it (`--radix: must be positive, got 0`).
//! What to analyse (the year, the sexes, one cause group) is given to the entry points
//! (`run_lifetable`, `run_lifelost`) beside the data.

use dimorph_core::location::{bad_argument, Located};
use serde::Serialize;
use std::ops::RangeInclusive;

/// A refused option: the message, located at the option as the CLI spells it (boxed: a
/// [`Located`] is larger than a `Result` should carry).
pub type OptionError = Box<Located<String>>;

/// The radix l(0) a table may have (`--radix`): 1 (proportions) to 10^9; the HMD uses 100,000.
pub const RADIX: RangeInclusive<f64> = 1.0..=1e9;

/// How deaths are placed inside an age group (see `table`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AxMethod {
    /// HMD: a₀ by Andreev–Kingkade, a = n/2 elsewhere, survivors linear within the group.
    Hmd,
    /// Constant hazard within each group: q = 1 − e^{−nm}, a = 1/m − n·e^{−nm}/(1 − e^{−nm}).
    ConstantHazard,
}

/// Old-age smoothing of the death rates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Smoothing {
    /// Observed rates at every age.
    None,
    /// Kannisto fit at 80+, replacing rates from the HMD age Y on (see `kannisto`).
    Kannisto,
}

/// How eq. 1–6 are discretised on whole age-years (see `lifelost`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Discretisation {
    /// Exact integrals under the table's within-year survival, with a [`SavePoint`] (default).
    #[default]
    Continuous,
    /// The paper authors' computation: constant-hazard l(x), mid-year deaths, end-of-year
    /// survivors, class midpoints (`life_lost_paper`).
    Paper,
}

/// Where, inside its age-year, a death is saved (see `lifelost`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SavePoint {
    /// At the mean age at death a + aₐ (the default).
    #[default]
    MeanAgeAtDeath,
    /// At exact age a: W^s(a) = D(a)·e(a) with the table's e(a).
    ExactAge,
}

/// How each cause's share of deaths by age is formed (see `causes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CauseShares {
    /// Each age's own counts (default).
    #[default]
    Age,
    /// The paper authors' construction: abridged groups, log rates interpolated by a cubic
    /// spline to single ages.
    Paper,
}

/// Life-table options (HMD defaults). `dimorph lifetable`; also the table of `dimorph lifelost`.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct LifeTableOptions {
    /// Radix l(0) (`--radix`), from 1 to 10^9 ([`RADIX`]); 100,000 by default.
    pub radix: f64,
    /// Within-group placement of deaths: HMD a(x) (default) or a constant hazard
    /// (`--constant-hazard`).
    pub ax: AxMethod,
    /// Kannisto smoothing of the rates at 80+ (default) or the observed rates (`--no-smooth`).
    pub smoothing: Smoothing,
    /// Confidence intervals (`--ci`, `--draws`, `--seed`): of e(x) by Chiang's variance and a
    /// Poisson-deaths simulation (`dimorph lifetable`), of Table 2's means by the simulation
    /// (`dimorph lifelost`); none by default.
    pub intervals: Option<IntervalOptions>,
    /// The open age group to close the table with (`--open-age`): the deaths and exposures from
    /// this age on are summed into one open group (for data whose oldest ages have no exposure);
    /// `None` keeps the data's own (110+ in HMD files). A whole number from 1 to 150 that starts
    /// one of the data's age groups.
    pub open_age: Option<f64>,
}

/// The name of [`LifeTableOptions`] before the engine contract; kept for existing callers.
pub type LifetableOptions = LifeTableOptions;

impl Default for LifeTableOptions {
    fn default() -> Self {
        LifeTableOptions {
            radix: 100_000.0,
            ax: AxMethod::Hmd,
            smoothing: Smoothing::Kannisto,
            intervals: None,
            open_age: None,
        }
    }
}

impl LifeTableOptions {
    /// Refuses a radix outside [`RADIX`] (or not a number) and bad interval settings.
    pub fn validate(&self) -> Result<(), OptionError> {
        if let Some(iv) = &self.intervals {
            iv.validate()?;
        }
        if !RADIX.contains(&self.radix) {
            return Err(refuse(
                "--radix",
                format!(
                    "must be a positive number from {} to {} (100000 by default), got {}",
                    RADIX.start(),
                    RADIX.end(),
                    dimorph_core::text::num(self.radix)
                ),
            ));
        }
        if let Some(a) = self.open_age {
            if !(a.fract() == 0.0 && (1.0..=crate::population::MAX_AGE).contains(&a)) {
                return Err(refuse(
                    "--open-age",
                    format!(
                        "must be a whole number of years from 1 to {}, got {}",
                        crate::population::MAX_AGE,
                        dimorph_core::text::num(a)
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// The number of draws a simulation may make (`--draws`).
pub const DRAWS: RangeInclusive<usize> = 10..=100_000;

/// Settings of the intervals (`--ci`, `--draws`, `--seed`; see `uncertainty`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct IntervalOptions {
    /// Confidence level of the intervals (`--ci`), strictly between 0.5 and 1; 0.95 by default.
    pub level: f64,
    /// Number of Poisson draws of the simulation (`--draws`), from 10 to 100,000; 1000 by default.
    pub draws: usize,
    /// Seed of the draws (`--seed`); the same seed gives the same intervals.
    pub seed: u64,
    /// Threads for the draws (`--threads`); all available cores when not given. The draws do not
    /// depend on it.
    pub threads: Option<usize>,
}

impl Default for IntervalOptions {
    fn default() -> Self {
        IntervalOptions {
            level: 0.95,
            draws: 1000,
            seed: 1,
            threads: None,
        }
    }
}

impl IntervalOptions {
    /// Refuses a level outside (0.5, 1) and a number of draws outside [`DRAWS`].
    pub fn validate(&self) -> Result<(), OptionError> {
        if !(self.level > 0.5 && self.level < 1.0) {
            return Err(Box::new(dimorph_core::location::bad_argument(
                "--ci",
                format!(
                    "the confidence level must be above 0.5 and below 1 (e.g. 0.95), got {}",
                    dimorph_core::text::num(self.level)
                ),
            )));
        }
        if !DRAWS.contains(&self.draws) {
            return Err(Box::new(dimorph_core::location::bad_argument(
                "--draws",
                format!(
                    "must be from {} to {} (1000 by default), got {}",
                    DRAWS.start(),
                    DRAWS.end(),
                    self.draws
                ),
            )));
        }
        Ok(())
    }

    /// The normal quantile z of a two-sided interval of this level.
    pub fn z(&self) -> f64 {
        dimorph_core::dist::qnorm(0.5 + self.level / 2.0)
    }
}

/// Options of a life-lost analysis (`dimorph lifelost`; defaults follow the paper and the HMD).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct LifeLostOptions {
    /// The life table the deaths are saved into (`--radix`, `--constant-hazard`, `--no-smooth`).
    pub lifetable: LifeTableOptions,
    /// How eq. 1–6 are discretised (`--discretisation`): exact integrals (default) or the paper
    /// authors' way.
    pub discretisation: Discretisation,
    /// Where deaths are saved inside their age-year (`--save-at`; continuous discretisation
    /// only: the paper's saves them at mid-year).
    pub save_point: SavePoint,
    /// How cause shares by age are formed (`--cause-shares`): each age's own (default) or the
    /// paper's spline. Needs cause-of-death data.
    pub cause_shares: CauseShares,
    /// Save a cause's deaths into its cause-deleted table (eq. 9–11; the paper's choice) rather
    /// than the all-cause table (`--keep-cause` sets false). Needs cause-of-death data.
    pub delete_cause: bool,
    /// Save the deaths of the stationary population of the life table, m(a)·L(a) (scaled to the
    /// observed number of deaths), instead of the observed deaths (`--stationary`; the paper's
    /// footnote 8).
    pub stationary: bool,
    /// Figures in percent of both sexes' total instead of counts (`--percent`).
    pub percent: bool,
}

impl Default for LifeLostOptions {
    fn default() -> Self {
        LifeLostOptions {
            lifetable: LifeTableOptions::default(),
            discretisation: Discretisation::default(),
            save_point: SavePoint::default(),
            cause_shares: CauseShares::default(),
            delete_cause: true,
            stationary: false,
            percent: false,
        }
    }
}

impl LifeLostOptions {
    /// Refuses a bad life-table option and a save point the discretisation does not use.
    pub fn validate(&self) -> Result<(), OptionError> {
        self.lifetable.validate()?;
        if self.discretisation == Discretisation::Paper && self.save_point != SavePoint::default() {
            return Err(save_at_not_applicable());
        }
        Ok(())
    }

    /// Sets where deaths are saved from an option that may not have been given (`--save-at`):
    /// given with the paper's discretisation it is refused, whatever its value, since that
    /// discretisation saves every death at mid-year.
    pub fn with_save_at(mut self, save_at: Option<SavePoint>) -> Result<Self, OptionError> {
        if let Some(s) = save_at {
            if self.discretisation == Discretisation::Paper {
                return Err(save_at_not_applicable());
            }
            self.save_point = s;
        }
        Ok(self)
    }

    /// Refuses the options that need cause-of-death data when there are none.
    pub fn validate_without_causes(&self) -> Result<(), OptionError> {
        let why = "applies to cause-of-death data only; give --causes FILE (or a 'cause' column in --data)";
        if self.cause_shares != CauseShares::default() {
            return Err(refuse("--cause-shares", why));
        }
        if !self.delete_cause {
            return Err(refuse("--keep-cause", why));
        }
        Ok(())
    }
}

/// The option `name` refused with `msg`.
fn refuse(name: &str, msg: impl Into<String>) -> OptionError {
    Box::new(bad_argument(name, msg))
}

fn save_at_not_applicable() -> OptionError {
    refuse(
        "--save-at",
        "applies to --discretisation continuous only (the paper's discretisation saves deaths at mid-year)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_the_option() {
        let o = LifeTableOptions {
            radix: 0.0,
            ..Default::default()
        };
        assert_eq!(
            o.validate().map_err(|e| e.to_string()),
            Err("--radix: must be a positive number from 1 to 1000000000 (100000 by default), got 0".into())
        );
        let paper = LifeLostOptions {
            discretisation: Discretisation::Paper,
            ..Default::default()
        };
        assert!(paper.validate().is_ok());
        let e = paper.with_save_at(Some(SavePoint::MeanAgeAtDeath)).map(|_| ());
        assert!(e.is_err_and(|e| e
            .to_string()
            .starts_with("--save-at: applies to --discretisation continuous")));
        let keep = LifeLostOptions {
            delete_cause: false,
            ..Default::default()
        };
        assert!(keep.validate_without_causes().is_err_and(|e| e
            .to_string()
            .starts_with("--keep-cause: applies to cause-of-death data only")));
        assert!(LifeLostOptions::default().validate().is_ok());
    }
}
