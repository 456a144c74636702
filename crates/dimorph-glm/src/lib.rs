//! # dimorph-glm — generalized linear models
//!
//! Binomial, Poisson and other exponential-family regressions as in Agresti's chapter 4 (the
//! notes in `shared/papers/002_b1b1ec6641121771.txt`), with the output of R's `summary.glm`,
//! SAS PROC GENMOD and PROC LOGISTIC.
//!
//! The entry point is [`run`] (in [`analysis`]): a data frame, a formula, optional new data
//! and [`RunOptions`] give an [`Outcome`](dimorph_report::Outcome) with the [`GlmReport`], the
//! report text, the tidy tables ([`tables`]) and the warnings. The pipeline, module by module:
//!
//! - [`options`]: the plain option structs and their validation;
//! - [`formula`] parses `y ~ x1 + C(group, ref=a) + I(x^2) + offset(log(t))` (the private
//!   `syntax` module tokenises and parses it, with character positions for errors);
//! - [`expr`] holds the arithmetic inside formulas (`I(...)`, `log(x)`) and R-style labels;
//! - [`factor`] orders and codes factor levels as R does;
//! - [`design`] evaluates it on a [`dimorph_data::Frame`] into a [`design::ModelFrame`] (the
//!   private `matrix` module codes the terms into the columns of X);
//! - [`family`] and [`link`] are the random component and the link (§4.1.1);
//! - [`irls`] fits by Fisher scoring, once for all families and links; [`mod@fit`] adds the
//!   goodness-of-fit figures, both covariance conventions and the null model; [`negbin`]
//!   estimates θ of the negative binomial;
//! - [`inference`] gives Wald, profile-likelihood, likelihood-ratio, score and Type 3 tests;
//!   [`binary`] PROC LOGISTIC's association statistics and Hosmer–Lemeshow test; [`residuals`]
//!   residuals, influence and predictions;
//! - [`report`] renders R's summary ([`report::r`]), GENMOD ([`report::genmod`]) and PROC
//!   LOGISTIC ([`report::logistic`]); [`tables`] the tidy tables; [`demo`] the paper's analyses.
//! - responses beyond 0/1 and counts, with their own entry points: [`ordinal::run_ordinal`]
//!   (cumulative link model, MASS::polr / PROC LOGISTIC) and [`multinom::run_multinomial`]
//!   (baseline-category logit, nnet::multinom / LINK=GLOGIT), over [`category`] (levels, coding)
//!   and [`category_report`] (their text).

pub mod analysis;
pub mod anova;
pub mod basis;
mod basis_call;
pub mod binary;
pub mod category;
pub mod category_report;
pub mod compare;
pub mod contrasts;
mod crossprod;
pub mod demo;
pub mod design;
pub mod distributed;
pub mod distributed_columns;
pub mod distributed_predict;
pub mod distributed_profile;
pub mod distributed_score;
pub mod distributed_theta;
pub mod error;
pub mod event;
pub mod expr;
pub mod factor;
pub mod family;
pub mod firth;
pub mod fit;
pub mod formula;
pub mod gee;
pub mod inference;
pub mod irls;
pub mod linalg;
pub mod link;
mod matrix;
pub mod multinom;
pub mod negbin;
pub mod nesting;
pub mod null_refit;
pub mod options;
pub mod ordinal;
#[doc(hidden)]
pub mod parts_local;
pub mod probability_groups;
pub mod qr;
pub mod report;
pub mod residuals;
pub mod robust;
mod rowblock;
mod saturated;
pub mod stream;
mod syntax;
pub mod tables;
mod testutil;
pub mod tweedie;
mod vmath;

pub use analysis::run;
pub use design::{model_frame, ModelFrame};
pub use error::{GlmError, Result};
pub use family::Family;
pub use fit::{fit, GlmFit};
pub use link::Link;
pub use options::{AnalysisOptions, Dispersion, GlmOptions, RunOptions};
pub use report::{analyze, GlmReport};
