//! The life-table engine's integration tests as one test binary: each file beside this one is a
//! module. One binary links the engine and its dependencies once instead of once per file (this
//! crate's 18 test units took 51 CPU-s of a `cargo test --workspace` build, cargo's `--timings`,
//! session 12).
//! Run one file's tests with `cargo test -p dimorph-lifetable --test suite <module>::`. Cargo.toml turns
//! `autotests` off; `tests/architecture.rs` in the CLI crate checks that every file in `tests/` is
//! a module here.

/// Shared helpers (scratch folders, the bundled HMD files).
mod common;

mod bad_input;
mod closed_form;
mod decompose;
mod decompose_peer;
mod fmm_spline;
mod hmd_lifetable;
mod hmd_total_abridged;
mod lifelost_paper;
mod mutation;
mod open_age;
mod outcome;
mod reliability;
mod uncertainty;
mod years;
