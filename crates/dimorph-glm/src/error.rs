//! Errors of the GLM engine. Every message names what was wrong and where: the file, line and
//! column of the data ([`GlmError::Input`]), the character of the formula
//! ([`GlmError::Formula`]) or the option in its command-line spelling ([`GlmError::Argument`],
//! `--level: must be between 0 and 1, got 2`). The place is a [`Location`] from the kernel, so a
//! front end can read it apart from the message; the binary maps every error to exit code 2.

use dimorph_core::{Located, Location};
use dimorph_data::DataError;

#[derive(Debug, thiserror::Error)]
pub enum GlmError {
    /// A column the formula names that the data lack or that is not numeric (the data crate
    /// cuts what it quotes).
    #[error(transparent)]
    Data(#[from] DataError),
    /// A formula that does not parse; `pos` is the 0-based character position of the problem.
    /// The message shows the formula around that character (a long formula is cut).
    #[error("formula error at character {}: {msg}\n{}", pos + 1, pointer(formula, *pos))]
    Formula { formula: String, pos: usize, msg: String },
    /// Data that do not fit the model (a negative count, y > n, ...), at their file, line and
    /// column.
    #[error("{0}")]
    Input(Box<Located<String>>),
    /// An option or argument that is not valid, located at the option (`--level`).
    #[error("{0}")]
    Argument(Box<Located<String>>),
    /// The design matrix has no usable column, or no row is left.
    #[error("{0}")]
    Singular(String),
    /// IRLS did not converge within the allowed iterations.
    #[error("{}", not_converged(*iterations, *last_change))]
    NotConverged { iterations: usize, last_change: f64 },
}

impl GlmError {
    /// Bad data at a place in the input.
    pub fn input(at: Location, msg: impl Into<String>) -> Self {
        GlmError::Input(Box::new(at.wrap(msg.into())))
    }

    /// A bad value of the option `name` (CLI spelling, `--level`).
    pub fn argument(name: &str, msg: impl Into<String>) -> Self {
        GlmError::Argument(Box::new(Location::argument(name).wrap(msg.into())))
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

/// Why IRLS stopped: out of iterations (a finite last change), or broken down (the deviance
/// or the weights were not finite: the fitted values left the family's or the link's range).
fn not_converged(iterations: usize, last_change: f64) -> String {
    if last_change.is_finite() {
        format!(
            "the fit did not converge in {iterations} iterations (last relative deviance change {last_change:.3e}); try --max-iter or another link"
        )
    } else {
        format!(
            "the fit broke down at iteration {iterations}: the deviance or the working weights were not finite numbers (the fitted means left the range of the family or the link, or a column of X is too large or too small); rescale such columns or try another link"
        )
    }
}

pub use dimorph_core::text::{clip, clip_to, CLIP_CHARS as QUOTE_MAX};

/// Names for a message, joined by commas: the first ten, each cut by [`clip`], and how many
/// there are in all when there are more.
pub fn clip_list<S: AsRef<str>>(items: &[S]) -> String {
    let shown: Vec<String> = items.iter().take(10).map(|l| clip(l.as_ref())).collect();
    if items.len() > 10 {
        format!("{}, … ({} in all)", shown.join(", "), items.len())
    } else {
        shown.join(", ")
    }
}

/// Two lines: the formula around character `pos` (at most [`QUOTE_MAX`] characters each side,
/// "…" where it is cut) and a caret under that character.
fn pointer(formula: &str, pos: usize) -> String {
    let chars: Vec<char> = formula.chars().collect();
    let from = pos.saturating_sub(QUOTE_MAX);
    let to = (pos + QUOTE_MAX).min(chars.len());
    let before = if from > 0 { "…" } else { "" };
    let after = if to < chars.len() { "…" } else { "" };
    let text: String = chars[from.min(chars.len())..to].iter().collect();
    let caret = " ".repeat(pos - from + before.chars().count());
    format!("  {before}{text}{after}\n  {caret}^")
}

/// A name that is not one of an option's choices (a family, a link). The one wording for a bad
/// choice: `'poison' is not a known family; use binomial, poisson, …`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{}' is not a known {what}; use {choices}", clip(value))]
pub struct UnknownChoice {
    /// What was being chosen (`family`, `link`).
    pub what: &'static str,
    /// The value given.
    pub value: String,
    /// The accepted names, as a sentence fragment.
    pub choices: &'static str,
}
