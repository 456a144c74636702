//! The analyses behind `dimorph bagnet synth|train|eval|explain|import`, one entry point each
//! (`run_synth`, `run_train`, `run_eval`, `run_explain`, `run_import`): inputs and an options struct
//! in, a [`dimorph_report::Outcome`] out (the typed result, the report sections, tidy tables, files
//! for the output folder, warnings). The engine prints nothing; the only files it writes itself are
//! those too large to hold (synthetic images, training checkpoints, the patch-feature table),
//! atomically.

mod common;
mod comparison;
mod device;
mod evaluation;
mod explanation;
mod importing;
mod table1;
mod training;

pub use self::common::{
    fit_warning, read_dataset, read_dataset_in, record_fit, run_cache, run_sets, sets_for, RunSets, CACHE_FOLDER,
    FIT_FILE,
};
pub use self::comparison::{run_eval_models, ComparisonResult, ModelEval};
pub use self::evaluation::{
    eval, eval_model, eval_section, eval_with, metrics_table, predictions_table, run_eval, set_line, EvalResult,
    Prediction,
};
pub use self::explanation::{
    chance_text, explain, explain_model, explain_section, run_explain, ExplainResult, ExplainSet,
};
pub use self::importing::{import, import_section, run_import, ImportResult};
pub use self::table1::table1_section;
pub use self::training::{history_table, run_train, train, train_section};
pub use crate::options::{
    DeviceKind, EvalOptions, ExplainOptions, ImportOptions, ReadOptions, SynthOptions, TrainRunOptions,
};
pub use crate::synth::{run_synth, SynthResult};
pub use crate::train::TrainResult;
