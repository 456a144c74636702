//! The engine's error type: every variant names the argument, file, line, column or group at
//! fault (in `what`, or as a [`Located`] argument for a refused option). Text and numbers taken
//! from the input are quoted through [`crate::quote`], so that a 1 MB cell does not become a 1 MB
//! message, nor 1e308 a 309-digit number.
//!
//! A statistic that is not defined for a group (zero spread, an overflowing intermediate, …) is
//! an [`RefintError::Undefined`] error naming the group and the reason — never a NaN or an
//! infinity in the outcome.

use dimorph_core::Located;
use dimorph_data::DataError;

pub use crate::quote::{clip, clip_long, num, CLIP_CHARS};

/// Errors of the reference-limit engine. All of them are caused by the input (exit code 2 in
/// the CLI).
#[derive(Debug, thiserror::Error)]
pub enum RefintError {
    /// A value that must be positive (log-normal assumption, reflimR method) is not; `why` names
    /// the rule that needs it.
    #[error("{what}: value {} is not positive; {why} needs values > 0", num(*.value))]
    NonPositive { what: String, value: f64, why: String },
    /// The lower reference limit is not below the upper one.
    #[error("{what}: the lower limit ({}) must be below the upper limit ({})", num(*.rl1), num(*.rl2))]
    LimitOrder { what: String, rl1: f64, rl2: f64 },
    /// Too few values for a method.
    #[error("{what}: the {method} method needs at least {min} values, but there are {n}")]
    TooFew {
        what: String,
        method: String,
        min: usize,
        n: usize,
    },
    /// All values are equal.
    #[error("{what}: all {n} values equal {}; limits cannot be estimated from constant data", num(*.value))]
    Constant { what: String, n: usize, value: f64 },
    /// A value that is not a finite number.
    #[error("{what}: {msg}")]
    Invalid { what: String, msg: String },
    /// A statistic that is not defined for these data, with the reason (e.g. the robust method
    /// when more than half of the values are equal: the median absolute deviation is 0).
    #[error("{what}: {statistic} is not defined: {reason}")]
    Undefined {
        what: String,
        statistic: String,
        reason: String,
    },
    /// A problem with the grouping column.
    #[error("{0}")]
    Group(String),
    /// An option refused: a bad value, or one that does not apply (the message says why).
    #[error("{0}")]
    Option(Box<Located<String>>),
    /// Reading the data failed (cells and names quoted in the message are clipped).
    #[error(transparent)]
    Data(DataError),
}

impl From<DataError> for RefintError {
    /// Keeps the reader's error, with the text it quotes from the input (a cell, a column name,
    /// the list of columns, a parser message) clipped by [`clip`].
    fn from(e: DataError) -> Self {
        RefintError::Data(match e {
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
            DataError::UnknownColumn { path, name, available } => DataError::UnknownColumn {
                path,
                name: clip(&name),
                available: clip_long(&available, 4 * CLIP_CHARS),
            },
            DataError::Parse { path, line, msg } => DataError::Parse {
                path,
                line,
                msg: clip_long(&msg, 4 * CLIP_CHARS),
            },
            DataError::Format { path, msg } => DataError::Format {
                path,
                msg: clip_long(&msg, 4 * CLIP_CHARS),
            },
            e => e,
        })
    }
}

pub type Result<T> = std::result::Result<T, RefintError>;

/// Why limits must be positive in [`check_limits`].
pub const LOGNORMAL_NEEDS_POSITIVE: &str = "the log-normal assumption";

/// Largest magnitude of a reference limit (limits, target limits, Table 1 rows): reference
/// limits of laboratory quantities span about 1e-6 to 1e12 in their usual units, and the
/// permissible uncertainty (eqs. 5–13) stays finite well inside ±1e15.
pub const LIMIT_MAX: f64 = 1e15;

/// Checks a pair of reference limits: finite, within ±[`LIMIT_MAX`], ordered, and (when
/// `positive`) above zero (the log-normal assumption).
pub fn check_limits(what: &str, rl1: f64, rl2: f64, positive: bool) -> Result<()> {
    for (name, v) in [("lower limit", rl1), ("upper limit", rl2)] {
        if !v.is_finite() {
            return Err(RefintError::Invalid {
                what: what.into(),
                msg: format!("the {name} is not a finite number ({v})"),
            });
        }
        if v.abs() > LIMIT_MAX {
            return Err(RefintError::Invalid {
                what: what.into(),
                msg: format!(
                    "the {name} {} is outside -1e15 to 1e15 (the range of reference limits)",
                    num(v)
                ),
            });
        }
    }
    if positive {
        for v in [rl1, rl2] {
            if v <= 0.0 {
                return Err(RefintError::NonPositive {
                    what: what.into(),
                    value: v,
                    why: LOGNORMAL_NEEDS_POSITIVE.into(),
                });
            }
        }
    }
    if rl1 >= rl2 {
        return Err(RefintError::LimitOrder {
            what: what.into(),
            rl1,
            rl2,
        });
    }
    Ok(())
}
