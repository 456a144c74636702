//! The engine's error type: every variant names the file, line, age, year or option at fault.

use dimorph_core::{Located, Location};

/// Errors of the life-table engine. All of them are bad input (the CLI exits with code 2).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Data(#[from] dimorph_data::DataError),
    #[error("{path}: cannot read the file: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// A Human Mortality Database text file whose header is not the HMD layout.
    #[error("{}not an HMD 1x1 file header: {}", .0.at, .0.error)]
    HmdHeader(Located<String>),
    /// A value that cannot be used, located by file and line (and column where there is one).
    #[error("{0}")]
    Row(Located<String>),
    /// An option that cannot be used, named as the CLI spells it.
    #[error("{0}")]
    Option(Located<String>),
    /// The data have no rows for the requested year or sex.
    #[error("{source_name}: no data for {what} (available: {available})")]
    NotFound {
        source_name: String,
        what: String,
        available: String,
    },
    /// The ages of one year and sex do not form a complete sequence.
    #[error("{source_name}: {year} {sex}: {msg}")]
    Ages {
        source_name: String,
        year: i32,
        sex: String,
        msg: String,
    },
    /// Values that make a rate impossible (negative deaths, deaths without exposure, ...).
    #[error("{source_name}: {year} {sex}, age {age}: {msg}")]
    Value {
        source_name: String,
        year: i32,
        sex: String,
        age: String,
        msg: String,
    },
    /// A bad argument or a request the data cannot answer.
    #[error("{0}")]
    Argument(String),
}

impl Error {
    /// A bad value at `line` of the file `path`.
    pub fn row(path: impl Into<String>, line: usize, msg: impl Into<String>) -> Error {
        Error::Row(Location::file(path).line(line).wrap(msg.into()))
    }
    /// A bad value at a located place (file, line, column).
    pub fn at(at: Location, msg: impl Into<String>) -> Error {
        Error::Row(at.wrap(msg.into()))
    }
}

impl From<Located<String>> for Error {
    fn from(e: Located<String>) -> Self {
        Error::Option(e)
    }
}
