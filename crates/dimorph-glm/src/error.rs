//! Errors of the GLM engine. Every message names what was wrong and where: the file, line and
//! column of the data ([`GlmError::Input`]), the character of the formula
//! ([`GlmError::Formula`]) or the option in its command-line spelling ([`GlmError::Argument`],
//! `--level: must be between 0 and 1, got 2`). The place is a [`Location`] from the kernel, so a
//! front end can read it apart from the message; the binary maps every error to exit code 2.

use dimorph_core::{Located, Location};
use dimorph_data::DataError;

#[derive(Debug, thiserror::Error)]
pub enum GlmError {
    #[error(transparent)]
    Data(#[from] DataError),
    /// A formula that does not parse; `pos` is the 0-based character position of the problem.
    #[error("formula error at character {}: {msg}\n  {formula}\n  {}^", pos + 1, " ".repeat(*pos))]
    Formula { formula: String, pos: usize, msg: String },
    /// Data that do not fit the model (a negative count, y > n, ...), at their file, line and
    /// column.
    #[error("{0}")]
    Input(Located<String>),
    /// An option or argument that is not valid, located at the option (`--level`).
    #[error("{0}")]
    Argument(Located<String>),
    /// The design matrix has no usable column, or no row is left.
    #[error("{0}")]
    Singular(String),
    /// IRLS did not converge within the allowed iterations.
    #[error("the fit did not converge in {iterations} iterations (last relative deviance change {last_change:.3e}); try --max-iter or another link")]
    NotConverged { iterations: usize, last_change: f64 },
}

impl GlmError {
    /// Bad data at a place in the input.
    pub fn input(at: Location, msg: impl Into<String>) -> Self {
        GlmError::Input(at.wrap(msg.into()))
    }

    /// A bad value of the option `name` (CLI spelling, `--level`).
    pub fn argument(name: &str, msg: impl Into<String>) -> Self {
        GlmError::Argument(Location::argument(name).wrap(msg.into()))
    }

    /// Where the problem is, when the error knows.
    pub fn location(&self) -> Option<&Location> {
        match self {
            GlmError::Input(l) | GlmError::Argument(l) => Some(&l.at),
            _ => None,
        }
    }
}

pub type Result<T> = std::result::Result<T, GlmError>;

/// A name that is not one of an option's choices (a family, a link). The one wording for a bad
/// choice: `'poison' is not a known family; use binomial, poisson, …`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{value}' is not a known {what}; use {choices}")]
pub struct UnknownChoice {
    /// What was being chosen (`family`, `link`).
    pub what: &'static str,
    /// The value given.
    pub value: String,
    /// The accepted names, as a sentence fragment.
    pub choices: &'static str,
}
