//! Parquet input (flat schemas of numeric and string columns).

use crate::{DataError, Frame};
use std::path::Path;

/// Reads a Parquet file into a [`Frame`].
pub fn read_parquet(path: impl AsRef<Path>) -> Result<Frame, DataError> {
    // TODO(session 1): replaced by the real reader before this session ends.
    Err(DataError::Format {
        path: path.as_ref().display().to_string(),
        msg: "Parquet input is not available in this build".into(),
    })
}
