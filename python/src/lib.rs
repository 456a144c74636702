//! `dimorph._dimorph`: the native half of the Python package `dimorph`.
//!
//! A thin front end over the engines' entry points, as the CLI is: Python arguments → the
//! engine's option structs → `run_*` → the [`dimorph_report::Outcome`] handed back as plain
//! Python objects (the JSON envelope as text, the tidy tables column by column, the figures as
//! SVG text). The Python modules in `python/dimorph/` turn those into pandas objects and result
//! classes; nothing statistical happens here.
//!
//! - [`frame`]: data in — columns from Python (float64 arrays or lists of text) or a file read
//!   by `dimorph_data`, into a `Frame` ([`arrays`]: float64 arrays, aligned or not);
//!   [`arrow_c`]: the same from an Arrow C stream (`__arrow_c_stream__`), read from Arrow's
//!   buffers;
//! - [`outcome`]: an outcome out, and the error and panic boundary (`InputError`,
//!   `InternalError`);
//! - [`glm`], [`refint`], [`lifetable`], [`embed`]: one function per engine entry point;
//! - [`dask`]: the per-partition functions and the driver of the distributed GLM
//!   (`dimorph.dask.glm`); [`dask_lr`]: its Type 3 and global likelihood-ratio and Wald tests;
//!   [`dask_arrays`]: a partition coded straight from its numeric arrays (no frame);
//!   [`dask_predict`]: a partition's predictions and residuals at the distributed fit;
//!   [`dask_association`]: PROC LOGISTIC's association table from the partitions' bins.

use pyo3::prelude::*;

mod arrays;
mod arrow_c;
mod dask;
mod dask_arrays;
mod dask_association;
mod dask_lr;
mod dask_predict;
mod decompose;
mod embed;
mod frame;
mod glm;
mod lifetable;
mod outcome;
mod refint;
mod refint_age;

/// Native part of the dimorph package (engines in Rust). Use the `dimorph` package, not this module.
#[pymodule]
mod _dimorph {
    #[pymodule_export]
    use crate::outcome::{InputError, InternalError};

    #[pymodule_export]
    use crate::frame::{frame_from_columns, frame_restore, read_table, PyFrame};

    #[pymodule_export]
    use crate::arrow_c::frame_from_arrow_stream;

    #[pymodule_export]
    use crate::glm::{glm, glm_anova, glm_categorical, glm_coef_names, glm_gee, glm_level_order};

    #[pymodule_export]
    use crate::refint::{refint_compare, refint_estimate, refint_partition, refint_table, refint_verify};

    #[pymodule_export]
    use crate::refint_age::refint_age;

    #[pymodule_export]
    use crate::lifetable::{lifelost, lifetable};

    #[pymodule_export]
    use crate::decompose::lifetable_decompose;

    #[pymodule_export]
    use crate::embed::{embed, embed_transform, PyEmbedModel};

    #[pymodule_export]
    use crate::dask::{
        _glm_part_from_state, glm_design_part, glm_events_trials, glm_fit_distributed, glm_merge_levels,
        glm_part_fisher, glm_part_levels, glm_part_newton, glm_part_score, glm_part_stats, glm_part_theta, PyGlmPart,
    };

    #[pymodule_export]
    use crate::dask_lr::{glm_lr_test, glm_part_select, glm_profile_distributed, glm_refit_deviance, glm_wald_test};

    #[pymodule_export]
    use crate::dask_predict::{glm_part_predict, glm_part_residuals};

    #[pymodule_export]
    use crate::dask_association::{
        glm_association_table, glm_check_binwidth, glm_groups_tables, glm_lackfit_auto, glm_part_association,
        glm_part_groups,
    };

    #[pymodule_export]
    use crate::dask_arrays::{glm_design_arrays, glm_model_columns};

    #[pymodule_export]
    use crate::outcome::_panic_for_tests;

    #[pymodule_export]
    const VERSION: &str = env!("CARGO_PKG_VERSION");
}
