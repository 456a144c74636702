//! Errors of the GLM engine. Every message names what was wrong and where (file, line, column,
//! formula position or argument); the binary maps all of them to exit code 2.

use dimorph_data::DataError;

#[derive(Debug, thiserror::Error)]
pub enum GlmError {
    #[error(transparent)]
    Data(#[from] DataError),
    /// A formula that does not parse; `pos` is the 0-based character position of the problem.
    #[error("formula error at character {}: {msg}\n  {formula}\n  {}^", pos + 1, " ".repeat(*pos))]
    Formula { formula: String, pos: usize, msg: String },
    /// Data that do not fit the model (a negative count, y > n, ...), with its location.
    #[error("{0}")]
    Input(String),
    /// An option or argument that is not valid.
    #[error("{0}")]
    Argument(String),
    /// The design matrix has no usable column, or no row is left.
    #[error("{0}")]
    Singular(String),
    /// IRLS did not converge within the allowed iterations.
    #[error("the fit did not converge in {iterations} iterations (last relative deviance change {last_change:.3e}); try --max-iter or another link")]
    NotConverged { iterations: usize, last_change: f64 },
}

pub type Result<T> = std::result::Result<T, GlmError>;
