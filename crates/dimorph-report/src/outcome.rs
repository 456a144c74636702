//! What every engine's analysis returns, and the one JSON envelope every front end prints.
//!
//! An engine's entry point takes its inputs and a plain options struct and returns an
//! [`Outcome`]: the typed result (serialisable, documented where it is computed), the report
//! [`Section`]s a person reads (text in a terminal, HTML in the report), the tidy tables (CSV for
//! R's broom and pandas users), the files for the output folder (CSV, SVG, …) and the warnings.
//! The engine prints nothing and writes nothing; the CLI, the Python package and Dask decide what
//! to do with an outcome.
//!
//! [`envelope`] wraps a result for `--format json`:
//! `{command, version, input, options, result, warnings, files}` — the same keys for every command,
//! the input always under `input` (an object naming each input by its role), never a bare array.

use crate::Section;
use dimorph_core::{OutputFile, TidyTable};
use serde::Serialize;
use serde_json::{json, Value};

/// The outcome of one analysis.
#[derive(Debug, Clone)]
pub struct Outcome<R> {
    /// The typed result (what `--format json` prints under `result`).
    pub result: R,
    /// A few lines for a terminal: the headline figures (the demo prints these per engine).
    pub summary: Vec<String>,
    /// Report sections for a person: text in the terminal, HTML in the report.
    pub sections: Vec<Section>,
    /// Tidy tables; the first is the analysis' main table (what `--format csv` prints).
    pub tables: Vec<TidyTable>,
    /// Files for the output folder (besides the tables, which are written as `<name>.csv`).
    pub files: Vec<OutputFile>,
    /// Things the user should know: rows skipped and why, approximations, non-convergence.
    pub warnings: Vec<String>,
}

impl<R> Outcome<R> {
    /// An outcome holding only a result.
    pub fn new(result: R) -> Self {
        Outcome {
            result,
            summary: Vec::new(),
            sections: Vec::new(),
            tables: Vec::new(),
            files: Vec::new(),
            warnings: Vec::new(),
        }
    }
    pub fn summary_line(mut self, line: impl Into<String>) -> Self {
        self.summary.push(line.into());
        self
    }
    pub fn section(mut self, s: Section) -> Self {
        self.sections.push(s);
        self
    }
    pub fn table(mut self, t: TidyTable) -> Self {
        self.tables.push(t);
        self
    }
    pub fn file(mut self, f: OutputFile) -> Self {
        self.files.push(f);
        self
    }
    pub fn warn(mut self, w: impl Into<String>) -> Self {
        self.warnings.push(w.into());
        self
    }
    /// Every file for the output folder: the tables as `<name>.csv`, then the other files.
    pub fn all_files(&self) -> Vec<OutputFile> {
        self.tables
            .iter()
            .map(TidyTable::to_file)
            .chain(self.files.iter().cloned())
            .collect()
    }
    /// The sections as plain text.
    pub fn to_text(&self) -> String {
        self.sections
            .iter()
            .map(Section::to_text)
            .collect::<Vec<_>>()
            .join("\n")
    }
    /// The same outcome with another result type.
    pub fn map<S>(self, f: impl FnOnce(R) -> S) -> Outcome<S> {
        Outcome {
            result: f(self.result),
            summary: self.summary,
            sections: self.sections,
            tables: self.tables,
            files: self.files,
            warnings: self.warnings,
        }
    }
}

/// The JSON envelope of a command's output. `input` is an object naming each input by its role
/// (`{"data": "crabs.csv"}`); `options` are the options as used (defaults filled in); `files` are
/// the paths written.
pub fn envelope<O: Serialize + ?Sized, R: Serialize + ?Sized>(
    command: &str,
    version: &str,
    input: Value,
    options: &O,
    result: &R,
    warnings: &[String],
    files: &[String],
) -> Value {
    let to =
        |v: Result<Value, serde_json::Error>| v.unwrap_or_else(|e| json!({ "serialization_error": e.to_string() }));
    json!({
        "command": command,
        "version": version,
        "input": input,
        "options": to(serde_json::to_value(options)),
        "result": to(serde_json::to_value(result)),
        "warnings": warnings,
        "files": files,
    })
}

/// The keys of every envelope, in order (for tests and documentation).
pub const ENVELOPE_KEYS: [&str; 7] = ["command", "version", "input", "options", "result", "warnings", "files"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_has_the_documented_keys() {
        let o = Outcome::new(vec![1, 2]).warn("w");
        let v = envelope(
            "x",
            "0.1.0",
            json!({"data": "a.csv"}),
            &json!({}),
            &o.result,
            &o.warnings,
            &[],
        );
        let keys: Vec<&str> = v
            .as_object()
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let mut want = ENVELOPE_KEYS.to_vec();
        want.sort_unstable();
        let mut got = keys.clone();
        got.sort_unstable();
        assert_eq!(got, want);
        assert!(v["result"].is_array());
        assert_eq!(v["input"]["data"], "a.csv");
    }
}
