//! One module per subcommand.

pub mod bagnet;
pub mod demo;
pub mod embed;
pub mod glm;
pub mod lifetable;
pub mod refint;

use std::fmt::Display;
use std::path::{Path, PathBuf};

/// An error the binary reports: its message and the process exit code
/// (2 for bad input, 1 for anything else).
#[derive(Debug)]
pub struct CliError {
    pub msg: String,
    pub code: u8,
}

impl CliError {
    /// Bad input: exit code 2.
    pub fn input(e: impl Display) -> Self {
        CliError {
            msg: e.to_string(),
            code: 2,
        }
    }
    /// Failure not caused by the input (I/O on output files, ...): exit code 1.
    pub fn other(e: impl Display) -> Self {
        CliError {
            msg: e.to_string(),
            code: 1,
        }
    }
}

pub type CliResult = Result<(), CliError>;

/// Output format shared by all commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// The bundled data folder: `./data` when it exists, else the repository's `data/`.
pub fn default_data_dir() -> PathBuf {
    let here = Path::new("data");
    if here.is_dir() {
        return here.to_path_buf();
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data")
}

/// Writes a file, creating its folder, with the path in any error.
pub fn write_file(path: &Path, contents: &str) -> CliResult {
    if let Some(dir) = path.parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir).map_err(|e| CliError::other(format!("{}: {e}", dir.display())))?;
        }
    }
    std::fs::write(path, contents).map_err(|e| CliError::other(format!("{}: {e}", path.display())))
}
