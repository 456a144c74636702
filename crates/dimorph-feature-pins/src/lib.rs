//! No code. Depending on this crate pins the features of dependencies that the lean build
//! (`--no-default-features`, no BagNet) shares with the full one, so that the lean build reuses
//! the full build's compiled dependencies instead of compiling ~40 crates again. Why and how the
//! list is kept complete: this crate's Cargo.toml.
