//! Life tables and life lost by cause of death.
//!
//! * [`hmd`]: Human Mortality Database text files and tidy CSV into [`MortalityData`];
//! * [`table`]: period life tables by the HMD Methods Protocol v6 ([`Lifetable`]), with
//!   [`kannisto`] smoothing of old-age rates and [`variation`] measures beside e₀;
//! * [`causes`]: deaths by cause group, cause shares and cause-deleted rates;
//! * [`lifelost`]: the four perspectives of Riffe & Solé Auró (2015) — saveable lives by age and
//!   by years left, person-years won by age at saving and by age lived through (eq. 1–11);
//! * [`analysis`]: one year's analysis for both sexes and every cause, Tables 1 and 2;
//! * [`figures`]: back-to-back stacked-band pyramids (Figures 3–6) as SVG;
//! * [`report`], [`demo`]: text tables, CSV and the `dimorph demo` section.

pub mod analysis;
pub mod causes;
pub mod demo;
mod error;
pub mod figures;
pub mod hmd;
pub mod kannisto;
pub mod lifelost;
pub mod paper;
pub mod report;
pub mod table;
pub mod variation;

pub use analysis::{analyse, Analysis, LifeLostOptions};
pub use causes::{Attribution, CauseDeaths, CauseShares};
pub use error::Error;
pub use hmd::{read_hmd_dir, read_tidy_csv, MortalityData, Population, Sex};
pub use lifelost::{life_lost, life_lost_paper, life_lost_with, Discretisation, LifeLost, SavePoint, Summary};
pub use table::{lifetable, AxMethod, Lifetable, LifetableOptions, Smoothing};
pub use variation::{variation, Variation};

/// Reads mortality data from a path: an HMD country folder, or a tidy CSV file (which may carry
/// deaths by cause).
pub fn read_data(path: &std::path::Path) -> Result<(MortalityData, Option<CauseDeaths>), Error> {
    if path.is_dir() {
        Ok((read_hmd_dir(path)?, None))
    } else if path.exists() {
        read_tidy_csv(path)
    } else {
        Err(Error::Argument(format!("{}: no such file or folder", path.display())))
    }
}
