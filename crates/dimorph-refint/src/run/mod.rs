//! One entry point per analysis, each returning a [`dimorph_report::Outcome`]: the typed result
//! (what `--format json` prints under `result`), a short summary, the report sections, the tidy
//! tables (the first is the main one), the SVG figures as files, and the warnings.
//!
//! | analysis | entry point | main table |
//! | --- | --- | --- |
//! | Table 1 of the paper for any analytes | [`run_table`] | `table1`: one row per analyte |
//! | compare sets of limits with equivalence limits | [`run_compare`] | `comparison`: one row per compared set |
//! | estimate limits from data, per group | [`run_estimate`] | `limits`: one row per group × limit |
//! | decide whether to partition by a group | [`run_partition`] | `limits`, then `decisions`, `lahti` |
//! | verify a laboratory's limits with data | [`run_verify_coded`] | `verification` |
//!
//! The entry points print nothing and write nothing; they validate their options first.

mod age;
mod age_partitions;
mod age_read;
mod age_zeros;
mod compare;
mod estimate;
mod partition;
mod table;
mod verify;

pub use age::{run_age, run_age_coded, AgeOptions, AgePartition, AgeResult, AgeWindow};
pub use compare::{run_compare, CompareResult, LimitSet};
pub use estimate::{run_estimate, run_estimate_coded, EstimateResult};
pub use partition::{run_partition, run_partition_coded};
pub use table::{run_table, TableResult};
pub use verify::{run_verify, run_verify_coded, VerifyResult};
