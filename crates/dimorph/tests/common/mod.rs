//! Helpers shared by the CLI tests: run the `dimorph` binary and read what it printed, and scratch
//! paths that are removed when the test is done with them (a run leaves nothing in the temp dir).
#![allow(dead_code)] // each test binary uses its own subset

use std::path::Path;
use std::process::{Command, Output};

pub use dimorph_core::scratch::{ScratchDir, ScratchPath};

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

/// A new, empty scratch folder `<temp>/<prefix>-<pid>-<n>`, removed with its files when dropped.
pub fn scratch_dir(prefix: &str) -> ScratchDir {
    ScratchDir::new(prefix).expect("a scratch folder")
}

/// A path `name` not made yet, in a scratch folder of its own (for an `--out` the CLI makes itself):
/// the folder and whatever was made at the path go when this is dropped.
pub fn scratch_path(prefix: &str, name: &str) -> ScratchPath {
    ScratchPath::new(prefix, name).expect("a scratch folder")
}

/// A file `name` holding `contents`, in a scratch folder of its own, removed when dropped.
pub fn scratch_file(prefix: &str, name: &str, contents: impl AsRef<[u8]>) -> ScratchPath {
    let p = scratch_path(prefix, name);
    std::fs::write(&p, contents).expect("write a scratch file");
    p
}

/// A [`ScratchPath`] that also reads as text, for argument lists (`&["--out", &dir]`).
pub struct ScratchArg {
    path: ScratchPath,
    text: String,
}

impl ScratchArg {
    pub fn new(path: ScratchPath) -> ScratchArg {
        let text = path.display().to_string();
        ScratchArg { path, text }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl std::ops::Deref for ScratchArg {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

impl std::fmt::Display for ScratchArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}
