//! `dimorph glm`: fit a generalized linear model.

use super::{CliError, CliResult, Format};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Data file (CSV, or Parquet by extension).
    #[arg(long)]
    pub data: PathBuf,
    /// Model formula, e.g. 'disease/total ~ snoring'.
    pub formula: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

pub fn run(a: Args) -> CliResult {
    let frame = dimorph_data::read_table(&a.data).map_err(CliError::input)?;
    let mf = dimorph_glm::model_frame(&a.formula, &frame, None).map_err(CliError::input)?;
    let _ = (mf, a.format);
    Ok(())
}
