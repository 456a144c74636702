//! The engine's error type: every message names the option (in CLI spelling), file, row or column
//! at fault, so that a front end can show it as it is.

use dimorph_core::text::{clip, clip_list, clip_quoted};
use dimorph_data::DataError;

/// Errors of the embed engine.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    /// Bad options or data, with a message naming the culprit.
    #[error("{0}")]
    Input(String),
    /// A table could not be read (the message names the file, line and column; quoted cells and
    /// names are clipped, see [`data_error`]).
    #[error(transparent)]
    Data(dimorph_data::DataError),
    /// An output file could not be produced in memory (Parquet encoding).
    #[error("{0}")]
    Output(String),
}

impl From<dimorph_data::DataError> for EmbedError {
    fn from(e: dimorph_data::DataError) -> Self {
        EmbedError::Data(data_error(e))
    }
}

impl EmbedError {
    /// Whether the error is the caller's (bad options or data) rather than the system's.
    pub fn is_input(&self) -> bool {
        !matches!(self, EmbedError::Output(_))
    }
}

/// Names listed in a message before "and N more".
pub const LIST_NAMES: usize = 20;
/// Characters of a reader's message kept in all (after its quoted parts are clipped).
const MESSAGE_CHARS: usize = 600;

/// A reader's error with every quoted cell, name and list clipped by the kernel's
/// [`dimorph_core::text`] (the file, line and column it names are kept).
pub fn data_error(e: DataError) -> DataError {
    match e {
        DataError::Parse { path, line, msg } => DataError::Parse {
            path,
            line,
            msg: clip_quoted(&msg, MESSAGE_CHARS),
        },
        DataError::Format { path, msg } => DataError::Format {
            path,
            msg: clip_quoted(&msg, MESSAGE_CHARS),
        },
        DataError::UnknownColumn { path, name, available } => DataError::UnknownColumn {
            path,
            name: clip(&name),
            available: clip_list(&available.split(", ").collect::<Vec<_>>(), LIST_NAMES),
        },
        DataError::NotNumeric {
            path,
            column,
            line,
            value,
        } => DataError::NotNumeric {
            path,
            column: clip(&column),
            line,
            value: clip(&value),
        },
        other => other,
    }
}

pub type Result<T> = std::result::Result<T, EmbedError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_errors_keep_their_place_and_lose_the_bulk() {
        let e = data_error(DataError::NotNumeric {
            path: "t.csv".into(),
            column: "f1".into(),
            line: 7,
            value: "z".repeat(1 << 20),
        })
        .to_string();
        assert!(
            e.starts_with("t.csv: column 'f1' must be numeric, but line 7 holds 'zzz"),
            "{e}"
        );
        assert!(e.len() < 200, "{}", e.len());
        let e = data_error(DataError::Parse {
            path: "t.csv".into(),
            line: 3,
            msg: format!("column name '{}' appears twice", "y".repeat(5000)),
        })
        .to_string();
        assert!(e.contains("…' appears twice") && e.len() < 300, "{e}");
    }
}
