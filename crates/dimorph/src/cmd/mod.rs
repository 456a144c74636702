//! One module per subcommand.

#[cfg(feature = "bagnet")]
pub mod bagnet;
pub mod decompose;
pub mod demo;
pub mod embed;
pub mod glm;
pub mod lifetable;
pub mod refint;

use dimorph_core::output::{OutputError, Overwrite};
use dimorph_report::{envelope, Outcome};
use serde::Serialize;
use serde_json::Value;
use std::io::Write as _;
use std::path::PathBuf;

pub use crate::error::{CliError, CliResult};

/// Output format shared by all commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Report text for a person (tables, notes).
    Text,
    /// The JSON envelope {command, version, input, options, result, warnings, files}.
    Json,
    /// The main result as a tidy CSV table (one row per coefficient, age, group, ...).
    Csv,
}

/// Where and how a command writes its files: the same two flags on every command.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct OutArgs {
    /// Folder for the output files (tables as CSV, figures as SVG); created when missing.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replace files that already exist in the output folder (by default they are never overwritten).
    #[arg(long)]
    pub force: bool,
}

impl OutArgs {
    pub fn overwrite(&self) -> Overwrite {
        if self.force {
            Overwrite::Replace
        } else {
            Overwrite::Refuse
        }
    }
}

impl From<OutputError> for CliError {
    fn from(e: OutputError) -> Self {
        if e.is_input() {
            CliError::input(e)
        } else {
            CliError::other(e)
        }
    }
}

/// Renders an engine's outcome the one way every command does: writes its files (tables as
/// `<name>.csv`, figures, ...) into `--out` when given, atomically; prints the report text, the
/// JSON envelope or the main tidy table on standard output; and the warnings on standard error.
pub fn emit<O: Serialize + ?Sized, R: Serialize>(
    command: &str,
    input: Value,
    options: &O,
    outcome: &Outcome<R>,
    format: Format,
    out: &OutArgs,
) -> CliResult {
    if format == Format::Csv && outcome.tables.is_empty() {
        return Err(CliError::input(format!(
            "--format csv: `dimorph {command}` has no table result; use --format text or json"
        )));
    }
    let written = match &out.out {
        Some(dir) => dimorph_core::output::write_all(dir, &outcome.all_files(), out.overwrite())?,
        None => Vec::new(),
    };
    let files: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
    let mut stdout = std::io::stdout().lock();
    let text = match format {
        Format::Text => {
            let mut t = outcome.to_text();
            for f in &files {
                t.push_str(&format!("wrote {f}\n"));
            }
            t
        }
        Format::Json => {
            let v = envelope(
                command,
                env!("CARGO_PKG_VERSION"),
                input,
                options,
                &outcome.result,
                &outcome.warnings,
                &files,
            );
            serde_json::to_string_pretty(&v).map_err(CliError::other)? + "\n"
        }
        Format::Csv => outcome.tables[0].to_csv(),
    };
    stdout.write_all(text.as_bytes()).map_err(CliError::other)?;
    for w in &outcome.warnings {
        eprintln!("warning: {w}");
    }
    Ok(())
}

/// What `dimorph bagnet` and the demo say in a build without the BagNet engine.
pub const NO_BAGNET: &str = "the BagNet engine is not in this build (built with --no-default-features); \
     install the default build for it: cargo install --locked --path crates/dimorph";

/// Arguments of `dimorph bagnet` in a build without the BagNet engine: anything, refused with
/// [`NO_BAGNET`].
#[cfg(not(feature = "bagnet"))]
#[derive(clap::Args)]
pub struct NoBagnetArgs {
    /// Arguments of the BagNet subcommands (not available in this build).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub rest: Vec<String>,
}
