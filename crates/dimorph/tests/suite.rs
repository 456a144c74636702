//! The CLI's integration tests as one test binary: each file beside this one is a module. They run
//! the `dimorph` binary; one test binary instead of one per file saves building and linking ~20
//! binaries against the engines. Run one file's tests with
//! `cargo test --workspace --test suite <module>::`, e.g. `cargo test --workspace --test suite glm_cli::`.
//!
//! Not here (Cargo.toml turns `autotests` off and declares them): `architecture.rs`, which `.ci/run`
//! runs on its own before anything else, and `fuzz_cli.rs`, whose cases run under a wall-clock
//! limit with a pool of jobs sized to the cores. `tests/architecture.rs` checks that every file in
//! `tests/` is a test target or a module of one. Scratch files and output folders go in
//! `dimorph_core::scratch` folders (`common::scratch_dir`, `scratch_path`, `scratch_file`), named
//! after the file (or the test) and the process, and removed when the test is done with them.

/// Run `dimorph` and read what it printed (shared by most modules).
mod common;

mod bagnet_baselines_cli;
mod bagnet_cli;
mod decompose_cli;
mod demo_cli;
mod embed_cli;
mod embed_transform_cli;
mod glm_cli;
mod glm_compare_cli;
mod glm_firth_cli;
mod glm_formula_cli;
mod glm_gee_cli;
mod glm_ordinal_cli;
mod lifetable_cli;
mod lifetable_years_cli;
mod refint_age_curves_cli;
mod refint_age_smooth_cli;
mod refint_cli;
mod refint_figures_cli;
mod refint_refiner_cli;
mod review_findings_cli;
