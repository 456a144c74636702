//! Reference limits: estimate them, compare them, and decide whether to partition.
//!
//! The comparison follows Haeckel, Wosniok & Arzideh (2016), *Equivalence limits of reference
//! intervals for partitioning of population data* (J Lab Med 40:199–205; `shared/papers/003`):
//!
//! * [`permissible`] — permissible analytical uncertainty from a pair of reference limits
//!   (the paper's eqs. 5–13) and the permissible differences pD₁, pD₂ (eqs. 3–4);
//! * [`equivalence`] — equivalence lines y = x ± z·pu(x) (eqs. 1–2) and the verdict for two
//!   (or several, as in the appendix) sets of limits;
//! * [`harris_boyd`] — the Harris & Boyd / CLSI z test (eq. 14) and the CLSI pD% column;
//! * [`interpretation`] — a laboratory's limits against target limits, as reflimR reports it;
//! * [`table`] — the paper's Table 1 for any list of analytes;
//! * [`verify`] — Lahti's partitioning criteria, the CLSI EP28 transference check and the
//!   verification of a laboratory's limits against its routine data.
//!
//! Limits are estimated from data by [`estimate`]: direct methods after CLSI EP28-A3c
//! (nonparametric, parametric, robust; outlier screens) and the indirect reflimR method for
//! routine data that contain pathological values; [`grouped`] reads a column split by a group
//! column. [`partition`] puts both together for a data set with a group column.
//!
//! The engine contract: [`options`] holds every option struct (defaults, `validate()`), and
//! [`run`] one entry point per analysis — [`run_table`], [`run_compare`], [`run_estimate`],
//! [`run_partition`] — each returning a [`dimorph_report::Outcome`] with the typed result, the
//! report sections ([`report`]), the tidy tables ([`tidy`]) and the SVG figures ([`figures`];
//! each estimated group's reflimR-style plot and Q–Q plot in [`estimate_figures`]).
//! Nothing here prints, exits or writes files. [`demo`] builds the demo's section.
//!
//! No NaN or infinity without a word: options are range-checked in `validate()` (z in (0, 10],
//! limits finite and within ±1e15); a limit, a mean or an SD that is not defined for a group
//! (the robust method's median absolute deviation of 0, reflimR's tied quartiles, an overflow)
//! is a [`RefintError::Undefined`] naming the group and the reason; a confidence interval that
//! is not defined is left out (`null` in JSON, `NA` in text) with a warning saying why, and so is
//! a percentage of a limit of 0. Text and numbers quoted from the input are kept short
//! ([`quote`]).

pub mod age_curves;
pub mod age_curves_basis;
pub mod age_curves_run;
pub mod age_smooth;
pub mod demo;
pub mod equivalence;
pub mod error;
pub mod estimate;
pub mod estimate_figures;
pub mod figures;
pub mod grouped;
pub mod harris_boyd;
pub mod interpretation;
pub mod options;
pub mod partition;
pub mod permissible;
pub mod quote;
pub mod report;
pub mod run;
pub mod stats;
pub mod table;
pub mod tidy;
pub mod verify;

pub use error::RefintError;
pub use options::{
    Assumption, EstimateOptions, EstimateRunOptions, KosmicOptions, Method, OutlierOptions, OutlierScreen,
    PartitionOptions, PermissibleOptions, RefinerModel, RefinerOptions, RefinerZeros, ReflimOptions, Transform,
    VerifyMode, VerifyOptions,
};
pub use permissible::Permissible;
pub use run::{
    run_compare, run_estimate, run_estimate_coded, run_partition, run_partition_coded, run_table, run_verify,
    run_verify_coded, CompareResult, EstimateResult, TableResult, VerifyResult,
};
