//! The engine's error type: every variant names the argument, file, line, column or group at
//! fault (in `what`, or as a [`Located`] argument for a refused option).

use dimorph_core::Located;

/// Errors of the reference-limit engine. All of them are caused by the input (exit code 2 in
/// the CLI).
#[derive(Debug, thiserror::Error)]
pub enum RefintError {
    /// A value that must be positive (log-normal assumption, reflimR method) is not; `why` names
    /// the rule that needs it.
    #[error("{what}: value {value} is not positive; {why} needs values > 0")]
    NonPositive { what: String, value: f64, why: String },
    /// The lower reference limit is not below the upper one.
    #[error("{what}: the lower limit ({rl1}) must be below the upper limit ({rl2})")]
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
    #[error("{what}: all {n} values equal {value}; limits cannot be estimated from constant data")]
    Constant { what: String, n: usize, value: f64 },
    /// A value that is not a finite number.
    #[error("{what}: {msg}")]
    Invalid { what: String, msg: String },
    /// A problem with the grouping column.
    #[error("{0}")]
    Group(String),
    /// An option refused: a bad value, or one that does not apply (the message says why).
    #[error("{0}")]
    Option(Located<String>),
    /// Reading the data failed.
    #[error(transparent)]
    Data(#[from] dimorph_data::DataError),
}

pub type Result<T> = std::result::Result<T, RefintError>;

/// Why limits must be positive in [`check_limits`].
pub const LOGNORMAL_NEEDS_POSITIVE: &str = "the log-normal assumption";

/// Checks a pair of reference limits: finite, ordered, and (when `positive`) above zero (the
/// log-normal assumption).
pub fn check_limits(what: &str, rl1: f64, rl2: f64, positive: bool) -> Result<()> {
    for (name, v) in [("lower limit", rl1), ("upper limit", rl2)] {
        if !v.is_finite() {
            return Err(RefintError::Invalid {
                what: what.into(),
                msg: format!("the {name} is not a finite number ({v})"),
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
