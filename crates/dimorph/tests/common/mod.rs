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

/// The repository root, where the bundled `data/` lies.
pub fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Run `dimorph` with `args` from the repository root (so `data/…` paths resolve), returning
/// its exit code (-1 when killed), standard output and standard error.
pub fn run_in_root(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_dimorph"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("runs");
    (o.status.code().unwrap_or(-1), stdout(&o), stderr(&o))
}

/// The file names (last path component) listed in a JSON envelope's `files`, sorted.
pub fn envelope_file_names(v: &serde_json::Value) -> Vec<String> {
    let mut files: Vec<String> = v["files"]
        .as_array()
        .expect("the envelope lists its files")
        .iter()
        .map(|f| {
            std::path::Path::new(f.as_str().expect("a file path"))
                .file_name()
                .expect("a file name")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    files.sort();
    files
}
