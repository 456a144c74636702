//! The result of a decomposition ([`super::run_decompose`]): the two tables, Arriaga's
//! contributions, the line integral's for each measure and the simulated intervals; and of a
//! many-year run ([`super::years::run_decompose_years`]).

use crate::population::Sex;
use crate::uncertainty::{Interval, Simulation};
use crate::variation::Variation;
use serde::Serialize;

/// What a side was, in the result.
#[derive(Debug, Clone, Serialize)]
pub struct SideInfo {
    /// The file or folder the data came from.
    pub source: String,
    /// The population (e.g. `The United States of America, HMD`).
    pub label: String,
    pub year: i32,
    pub sex: Sex,
    /// e(x₀) of its life table.
    pub e: f64,
    /// Lifespan variation at birth.
    pub variation: Variation,
}

/// Arriaga's decomposition of the difference in e(x₀).
#[derive(Debug, Clone, Serialize)]
pub struct ArriagaResult {
    /// e(x₀) of the first table minus that of the second.
    pub difference: f64,
    /// Contribution of each age group (`age`), years.
    pub by_age: Vec<f64>,
    /// `by_age_cause[c][i]`: cause c's part of age group i's contribution.
    pub by_age_cause: Vec<Vec<f64>>,
    /// Σ contributions − difference (rounding only: the method is exact).
    pub residual: f64,
}

/// The line-integral decomposition of one measure.
#[derive(Debug, Clone, Serialize)]
pub struct HoriuchiResult {
    /// `e` (e(x₀)), `e_dagger`, `gini` or `sd`.
    pub measure: String,
    pub first: f64,
    pub second: f64,
    pub difference: f64,
    /// Contribution of each age group (age 0 includes a(0)'s).
    pub by_age: Vec<f64>,
    /// `by_age_cause[c][i]`: through cause c's rate at age group i.
    pub by_age_cause: Vec<Vec<f64>>,
    /// Through the change of a(0) (HMD tables; see `measures`), `null` otherwise.
    pub a0: Option<f64>,
    /// Σ contributions − difference: the integration error (falls as 1/steps²).
    pub residual: f64,
}

/// The result of [`run_decompose`] (`result` of `dimorph lifetable decompose --format json`).
#[derive(Debug, Clone, Serialize)]
pub struct DecomposeResult {
    /// The first table (the difference is first − second).
    pub first: SideInfo,
    /// The second table (Arriaga's reference; the path of the line integral starts there).
    pub second: SideInfo,
    pub from_age: f64,
    /// Cause groups (`All` without cause-of-death data).
    pub groups: Vec<String>,
    /// Start of each age group; the last is open.
    pub age: Vec<f64>,
    pub arriaga: ArriagaResult,
    /// Intervals of the line integral.
    pub steps: usize,
    pub horiuchi: Vec<HoriuchiResult>,
    /// Simulated intervals (`--ci`), `null` without.
    pub intervals: Option<ContributionIntervals>,
}

/// Simulated intervals of Arriaga's contributions and of the measures' differences (the line
/// integral's contributions have none: each draw would need its own integral).
#[derive(Debug, Clone, Serialize)]
pub struct ContributionIntervals {
    pub level: f64,
    /// The draws made, used and left out.
    pub simulation: Simulation,
    /// `[cause][age group]`.
    pub by_age_cause: Vec<Vec<Interval>>,
    pub by_age: Vec<Interval>,
    /// Each cause's total over ages.
    pub by_cause: Vec<Interval>,
    /// The differences of the measures, in the order of `horiuchi`.
    pub differences: Vec<Interval>,
}

impl DecomposeResult {
    /// `USA 2010 female` — the words that tell the two sides apart, with the population.
    pub fn side_name(&self, first: bool) -> String {
        let s = if first { &self.first } else { &self.second };
        format!("{} {}", s.year, s.sex)
    }
}

/// The decomposition of one year.
#[derive(Debug, Clone, Serialize)]
pub struct YearDecomposition {
    pub year: i32,
    /// Whether the cause file held this year for both tables (else all causes only).
    pub with_causes: bool,
    pub result: DecomposeResult,
}

/// The result of [`super::years::run_decompose_years`].
#[derive(Debug, Clone, Serialize)]
pub struct DecomposeYearsResult {
    /// The first table's population.
    pub label: String,
    /// What is compared each year, e.g. `female − male`.
    pub comparison: String,
    pub years: Vec<i32>,
    pub by_year: Vec<YearDecomposition>,
}
