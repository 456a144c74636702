//! Readers: an HMD country folder ([`read_hmd_dir`]), a tidy CSV of deaths and exposures
//! ([`read_tidy_csv`]), a cause-of-death CSV (`CauseDeaths::read_csv`), and [`read_data`],
//! which picks the first two by the kind of path.

mod causes;
mod cells;
pub mod hmd;
pub mod tidy;

pub use hmd::{parse_hmd_file, read_hmd_dir};
pub use tidy::{read_tidy_csv, read_tidy_frame};

use crate::causes::CauseDeaths;
use crate::population::MortalityData;
use crate::Error;
use std::path::Path;

/// Reads mortality data from a path: an HMD country folder, or a tidy CSV file (which may carry
/// deaths by cause).
pub fn read_data(path: &Path) -> Result<(MortalityData, Option<CauseDeaths>), Error> {
    if path.is_dir() {
        Ok((read_hmd_dir(path)?, None))
    } else if path.exists() {
        read_tidy_csv(path)
    } else {
        Err(Error::Argument(format!("{}: no such file or folder", path.display())))
    }
}
