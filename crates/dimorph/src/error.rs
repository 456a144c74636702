//! The error the binary reports: a message and the process exit code (2 for bad input, 1 for
//! anything else).

use std::fmt::Display;

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
