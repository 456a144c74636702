//! `dimorph demo`: every engine's analyses of the bundled data, printed and written as one HTML page.

use super::{default_data_dir, write_file, CliError, CliResult};
use dimorph_report::Report;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Folder holding the bundled data sets.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Where to write the HTML report.
    #[arg(long, default_value = "report/index.html")]
    pub out: PathBuf,
}

pub fn run(a: Args) -> CliResult {
    let data = a.data_dir.unwrap_or_else(default_data_dir);
    if !data.is_dir() {
        return Err(CliError::input(format!(
            "data folder '{}' does not exist",
            data.display()
        )));
    }
    let mut report = Report::new("dimorph demo");
    report.push(dimorph_glm::demo::section(&data).map_err(CliError::input)?);
    report.push(dimorph_refint::demo::section(&data).map_err(CliError::input)?);
    report.push(dimorph_lifetable::demo::section(&data).map_err(CliError::input)?);
    report.push(dimorph_embed::demo::section(&data).map_err(CliError::input)?);
    report.push(dimorph_bagnet::demo::section(&data).map_err(CliError::input)?);
    print!("{}", report.to_text());
    write_file(&a.out, &report.to_html())?;
    println!("wrote {}", a.out.display());
    Ok(())
}
