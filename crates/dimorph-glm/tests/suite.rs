//! The GLM engine's integration tests as one test binary: each file beside this one is a module.
//! One binary links the engine and its dependencies once instead of once per file (88 CPU-s of 37
//! units in a clean `cargo test --workspace`, cargo's `--timings`, session 12). Run one file's tests
//! with `cargo test -p dimorph-glm --test suite <module>::`. Cargo.toml turns `autotests` off;
//! `tests/architecture.rs` in the CLI crate checks that every file in `tests/` is a module here.

mod anova;
mod compare;
mod distributed_sqrt;
mod event;
mod firth;
mod formula_mutation;
mod formula_r;
mod gee;
mod gee_inputs;
mod multinom;
mod nist;
mod nist_filip;
mod null_start;
mod numerics;
mod ordinal;
mod ordinal_bad_input;
mod paper;
mod power_link;
mod qr_rescue;
mod r_reference;
mod robust;
mod robustness;
mod sqrt_link;
mod tables;
mod tweedie;
