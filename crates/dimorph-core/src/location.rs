//! Where a problem in the input is: a file, a line, a column, or a command-line argument.
//!
//! [`Located`] wraps any error with a [`Location`] (ripgrep's `Error::WithPath` habit): an engine
//! says *what* went wrong in its own error type and the caller that knows *where* adds the place
//! once. The message reads `file: line 12: column 'age': <what>` or `--level: <what>`.

use std::fmt;

/// A place in the input. Every part is optional; `Display` prints the parts that are set, in the
/// order argument, file, line, column, each followed by `": "`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    /// A command-line argument or option name (`--level`) or a function parameter (`level`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub argument: Option<String>,
    /// A file path or another description of the data source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// 1-based line of a text file (or 1-based row of a Parquet file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based data row (record) of a table, where a record may span several lines (a quoted
    /// field with a newline), so that a line number would mislead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    /// A column name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
}

impl Location {
    /// A location in a file.
    pub fn file(path: impl Into<String>) -> Self {
        Location {
            file: Some(path.into()),
            ..Default::default()
        }
    }
    /// An argument or option (`--level`, or a parameter name for library callers).
    pub fn argument(name: impl Into<String>) -> Self {
        Location {
            argument: Some(name.into()),
            ..Default::default()
        }
    }
    /// The same location at a line.
    pub fn line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }
    /// The same location at a data row (record).
    pub fn row(mut self, row: usize) -> Self {
        self.row = Some(row);
        self
    }
    /// The same location in a column.
    pub fn column(mut self, name: impl Into<String>) -> Self {
        self.column = Some(name.into());
        self
    }
    /// Whether no part is set.
    pub fn is_empty(&self) -> bool {
        self.argument.is_none()
            && self.file.is_none()
            && self.line.is_none()
            && self.row.is_none()
            && self.column.is_none()
    }
    /// Wraps an error with this location.
    pub fn wrap<E>(self, error: E) -> Located<E> {
        Located { at: self, error }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(a) = &self.argument {
            write!(f, "{a}: ")?;
        }
        if let Some(p) = &self.file {
            write!(f, "{p}: ")?;
        }
        if let Some(l) = self.line {
            write!(f, "line {l}: ")?;
        }
        if let Some(r) = self.row {
            write!(f, "row {r}: ")?;
        }
        if let Some(c) = &self.column {
            write!(f, "column '{c}': ")?;
        }
        Ok(())
    }
}

/// An error together with where it happened.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<E> {
    pub at: Location,
    pub error: E,
}

impl<E: fmt::Display> fmt::Display for Located<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.at, self.error)
    }
}

impl<E: std::error::Error + 'static> std::error::Error for Located<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// A bad argument or option value: `Located<String>` at an argument. The usual way for an
/// options struct's `validate()` to refuse a value.
pub fn bad_argument(name: &str, msg: impl Into<String>) -> Located<String> {
    Location::argument(name).wrap(msg.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_names_every_part_in_order() {
        let e = Location::file("data/x.csv").line(12).column("age").wrap("not a number");
        assert_eq!(e.to_string(), "data/x.csv: line 12: column 'age': not a number");
        assert_eq!(
            bad_argument("--level", "must be in (0, 1)").to_string(),
            "--level: must be in (0, 1)"
        );
        assert!(Location::default().is_empty());
        assert_eq!(
            Location::file("l.csv").row(3).wrap("bad").to_string(),
            "l.csv: row 3: bad"
        );
    }
}
