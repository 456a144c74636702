//! The engine's error type: every message names the option (in CLI spelling), file, row or column
//! at fault, so that a front end can show it as it is.

/// Errors of the embed engine.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    /// Bad options or data, with a message naming the culprit.
    #[error("{0}")]
    Input(String),
    /// A table could not be read (the message names the file, line and column; quoted cells and
    /// names are clipped, see [`crate::quote::data_error`]).
    #[error(transparent)]
    Data(dimorph_data::DataError),
    /// An output file could not be produced in memory (Parquet encoding).
    #[error("{0}")]
    Output(String),
}

impl From<dimorph_data::DataError> for EmbedError {
    fn from(e: dimorph_data::DataError) -> Self {
        EmbedError::Data(crate::quote::data_error(e))
    }
}

impl EmbedError {
    /// Whether the error is the caller's (bad options or data) rather than the system's.
    pub fn is_input(&self) -> bool {
        !matches!(self, EmbedError::Output(_))
    }
}

pub type Result<T> = std::result::Result<T, EmbedError>;
