//! The reference-limit engine's integration tests as one test binary: each file beside this one is
//! a module. One binary links the engine and its dependencies once instead of once per file (22
//! binaries before, ~64 CPU-s of build plus their links in a clean `cargo test --workspace`). Run
//! one file's tests with `cargo test --workspace --test suite <module>::`, e.g.
//! `cargo test --workspace --test suite ribench::`. Cargo.toml turns `autotests` off;
//! `tests/architecture.rs` in the CLI crate checks that every file in `tests/` is a module here.
//!
//! None of these tests needs a process of its own (no global allocator, no bound on the process's
//! memory, no process-wide state: the files that write scratch files name their directories after
//! the file, the test and the process).

/// Fixture builders shared by `age_zeros` and `verify_zeros`.
mod common;
/// SVG checks shared by `age_partitions`, `age_report` and `estimate_figures`.
mod svg;

mod age_curves;
mod age_partitions;
mod age_report;
mod age_smooth;
mod age_zeros;
mod censored;
mod censored_elsewhere;
mod direct_methods;
mod estimate_figures;
mod extreme_magnitudes;
mod haeckel2016_table1;
mod kosmic;
mod mutation;
mod no_silent_nonsense;
mod outcomes;
mod partition_and_errors;
mod refiner;
mod refiner_modboxcox;
mod reflimr_livertests;
mod ribench;
mod routine_data;
mod undefined;
mod verify_zeros;
