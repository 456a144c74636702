//! Life tables and life lost by cause of death.
//!
//! Pipeline: read ([`read`]) → life table ([`table`]) → life lost by cause ([`analysis`]) →
//! outcome ([`run`]: tidy tables, SVG figures, report sections).
//!
//! * [`options`]: [`LifeTableOptions`] and [`LifeLostOptions`], plain data with their checks;
//! * [`run`]: the entry points [`run_lifetable`] and [`run_lifelost`], each returning an
//!   [`Outcome`](dimorph_report::Outcome);
//! * [`population`]: deaths and exposures by year, sex and age ([`MortalityData`]);
//! * [`read`]: Human Mortality Database folders, tidy CSV and cause-of-death CSV;
//! * [`table`]: period life tables by the HMD Methods Protocol v6 ([`Lifetable`]), composed of
//!   the [`identities`] (m → q → l → d, L → T → e), with
//!   [`kannisto`] smoothing of old-age rates and [`variation`] measures beside e₀; the
//!   both-sex table from the two sexes' ([`total`]) and the old-age closure of abridged tables
//!   ([`abridged`]);
//! * [`causes`]: deaths by cause group, cause shares and cause-deleted rates ([`spline`] for the
//!   paper's shares);
//! * [`lifelost`]: the four perspectives of Riffe & Solé Auró (2015) — saveable lives by age and
//!   by years left, person-years won by age at saving and by age lived through (eq. 1–11);
//! * [`analysis`]: one year's analysis for both sexes and every cause, Tables 1 and 2;
//! * [`figures`]: back-to-back stacked-band pyramids (Figures 3–6) as SVG;
//! * [`uncertainty`]: intervals from the randomness of death counts (Chiang's variance of e(x),
//!   a Poisson-deaths simulation of any statistic), shown by [`interval_report`];
//! * [`years`]: many years in one call ([`many_years`]: the entry points), one long table
//!   ([`parquet_out`] writes it as Parquet), the trend figures ([`trend`]);
//! * [`tidy`]: the tidy tables (CSV); [`report`]: the text tables; [`demo`]: the
//!   `dimorph demo` section.

pub mod abridged;
pub mod analysis;
pub mod causes;
pub mod decompose;
pub mod demo;
mod error;
pub mod figures;
pub mod identities;
pub mod interval_report;
pub mod kannisto;
pub mod lifelost;
pub mod many_years;
pub mod options;
pub mod paper;
pub mod parquet_out;
pub mod population;
pub mod read;
pub mod report;
pub mod run;
pub mod schedule;
pub mod spline;
pub mod table;
pub mod tidy;
pub mod total;
pub mod trend;
pub mod uncertainty;
pub mod variation;
pub mod years;

pub use analysis::{analyse, Analysis};
pub use causes::{Attribution, CauseDeaths};
pub use error::Error;
pub use lifelost::{life_lost, life_lost_paper, life_lost_with, LifeLost, Summary};
pub use many_years::{run_lifelost_years, run_lifetable_years};
pub use options::{
    AxMethod, CauseShares, Discretisation, LifeLostOptions, LifeTableOptions, LifetableOptions, SavePoint, Smoothing,
};
pub use population::{MortalityData, Population, Sex};
pub use read::{read_data, read_hmd_dir, read_tidy_csv, read_tidy_frame};
pub use run::{run_lifelost, run_lifetable, LifeLostResult, LifeTableResult};
pub use table::{lifetable, Lifetable};
pub use variation::{variation, Variation};
