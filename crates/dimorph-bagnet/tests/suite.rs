//! The BagNet engine's integration tests as one test binary: each file beside this one is a module.
//! One binary compiles burn's generic model and training code once (at opt-level 3, as the dev
//! profile asks for this crate) instead of once per file, which was ~1,000 CPU-s of a clean
//! `cargo test --workspace` (cargo's `--timings`, session 12). Run one file's tests with
//! `cargo test -p dimorph-bagnet --test suite <module>::`.
//!
//! Not here: `explain_memory.rs` and `loader_memory.rs` install a counting global allocator,
//! `hostile.rs` bounds the peak resident memory of its process, and `aux_calibration.rs` compares
//! two Inception-v3 trainings bit for bit, whose dropout draws from burn-flex's one process-wide
//! generator (reset by every training's `B::seed`), so each needs a binary of its own
//! (declared in Cargo.toml, which turns `autotests` off; `tests/architecture.rs` in the CLI crate
//! checks that every file in `tests/` is a test target or a module of one).

/// Shared by `loader_cache` and `loader_fit` (and `loader_memory`, its own binary).
mod loader;

mod baselines;
mod batch_shapes;
mod checkpoints;
mod csv_roundtrip;
mod data_parallel;
mod dicom;
mod draws;
mod features_parquet;
mod figures;
mod generic_backend;
mod head_phase;
mod inception_old_runs;
mod layers;
mod loader_cache;
mod loader_fit;
mod model;
mod pipeline;
mod pytorch_fixture;
mod sets;
mod tensors;
