//! The embedding engine's integration tests as one test binary: each file beside this one is a
//! module. One binary links the engine and its dependencies once instead of once per file (this
//! crate's 19 test units took 51 CPU-s of a `cargo test --workspace` build, cargo's `--timings`,
//! session 12).
//! Run one file's tests with `cargo test -p dimorph-embed --test suite <module>::`. Cargo.toml turns
//! `autotests` off; `tests/architecture.rs` in the CLI crate checks that every file in `tests/` is
//! a module here.

mod bad_input;
mod duplicates;
mod extremes;
mod f32_input;
mod knn_recall;
mod late;
mod mutation;
mod opentsne_peer;
mod outcome;
mod pipeline;
mod rsvd;
mod threads;
mod transform;
