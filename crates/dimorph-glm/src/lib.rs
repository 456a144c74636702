//! # dimorph-glm — generalized linear models
//!
//! Binomial, Poisson and other exponential-family regressions as in Agresti's chapter 4 (the
//! notes in `shared/papers/002_b1b1ec6641121771.txt`), with the output of R's `summary.glm`,
//! SAS PROC GENMOD and PROC LOGISTIC.
//!
//! - [`formula`] parses `y ~ x1 + C(group, ref=a) + I(x^2) + offset(log(t))` (the private
//!   `syntax` module tokenises and parses it, with character positions for errors);
//! - [`expr`] holds the arithmetic inside formulas (`I(...)`, `log(x)`) and R-style labels;
//! - [`factor`] orders and codes factor levels as R does;
//! - [`design`] evaluates it on a [`dimorph_data::Frame`] into a [`design::ModelFrame`] (the
//!   private `matrix` module codes the terms into the columns of X).

pub mod design;
pub mod error;
pub mod expr;
pub mod factor;
pub mod formula;
mod matrix;
mod syntax;

pub use design::{model_frame, ModelFrame};
pub use error::{GlmError, Result};
