//! Helpers shared by the CLI tests: run the `dimorph` binary and read what it printed.
#![allow(dead_code)] // each test binary uses its own subset

use std::process::{Command, Output};

/// Run `dimorph` with `args` and wait for it.
pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dimorph"))
        .args(args)
        .output()
        .expect("runs")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
