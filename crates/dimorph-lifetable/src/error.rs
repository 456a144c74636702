//! The engine's error type: every variant names the file, line, age, year or argument at fault.

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
    #[error("{path}: line {line}: not an HMD 1x1 file header: {msg}")]
    HmdHeader { path: String, line: usize, msg: String },
    /// A value that cannot be used, located by file and line.
    #[error("{path}: line {line}: {msg}")]
    Row { path: String, line: usize, msg: String },
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
    /// A bad argument or option.
    #[error("{0}")]
    Argument(String),
}
