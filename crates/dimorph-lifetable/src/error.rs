//! The engine's error type: every variant names the file, line, age, year or option at fault,
//! and quotes at most a few dozen characters of a cell ([`quote`]), so that a 1 MB cell never
//! becomes a 1 MB message.

use dimorph_core::text::{clip, clip_to, CLIP_CHARS};
use dimorph_core::{Located, Location};
use dimorph_data::DataError;

/// A cell as a message quotes it: `'text'`, clipped by the kernel ([`dimorph_core::text::clip`]:
/// at most 60 characters, then `…`, control characters escaped).
pub fn quote(s: &str) -> String {
    format!("'{}'", clip(s))
}

/// The message of a data-reader error; a column missing from a CSV file's header names line 1,
/// and free-text messages are clipped.
fn data_message(e: &DataError) -> String {
    match e {
        DataError::UnknownColumn { path, name, available } => format!(
            "{path}: line 1: no column named {} in the header (columns are: {})",
            quote(name),
            clip_to(available, 4 * CLIP_CHARS)
        ),
        DataError::Parse { path, line, msg } => format!("{path}: line {line}: {}", clip_to(msg, 4 * CLIP_CHARS)),
        DataError::Format { path, msg } => format!("{path}: {}", clip_to(msg, 4 * CLIP_CHARS)),
        other => other.to_string(),
    }
}

/// Errors of the life-table engine. All of them are bad input (the CLI exits with code 2).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A CSV or Parquet file that cannot be read (the file, line and column named).
    #[error("{}", data_message(.0))]
    Data(#[from] DataError),
    #[error("{path}: cannot read the file: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// A Human Mortality Database text file whose header is not the HMD layout.
    #[error("{}not an HMD 1x1 file header: {}", .0.at, .0.error)]
    HmdHeader(Box<Located<String>>),
    /// A value that cannot be used, located by file and line (and column where there is one).
    #[error("{0}")]
    Row(Box<Located<String>>),
    /// An option that cannot be used, named as the CLI spells it.
    #[error("{0}")]
    Option(Box<Located<String>>),
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

/// The `source_name` of an [`Error::Value`] raised where the data's source is not known;
/// [`Error::in_source`] replaces it.
pub(crate) const UNNAMED_SOURCE: &str = "life table";

impl Error {
    /// The same error naming `source` (the data's file or folder) where it named none: a
    /// value or argument error raised while building a table from rates.
    pub fn in_source(self, source: &str) -> Error {
        match self {
            Error::Argument(msg) if !msg.starts_with(source) => Error::Argument(format!("{source}: {msg}")),
            Error::Value {
                source_name,
                year,
                sex,
                age,
                msg,
            } if source_name == UNNAMED_SOURCE => Error::Value {
                source_name: source.into(),
                year,
                sex,
                age,
                msg,
            },
            e => e,
        }
    }
    /// A bad value at `line` of the file `path`.
    pub fn row(path: impl Into<String>, line: usize, msg: impl Into<String>) -> Error {
        Error::Row(Box::new(Location::file(path).line(line).wrap(msg.into())))
    }
    /// A bad value at a located place (file, line, column).
    pub fn at(at: Location, msg: impl Into<String>) -> Error {
        Error::Row(Box::new(at.wrap(msg.into())))
    }
}

impl From<Located<String>> for Error {
    fn from(e: Located<String>) -> Self {
        Error::Option(Box::new(e))
    }
}

impl From<Box<Located<String>>> for Error {
    fn from(e: Box<Located<String>>) -> Self {
        Error::Option(e)
    }
}
