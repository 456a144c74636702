//! Tidy tables: one row per observation (a coefficient, an age, a group's limit), one column per
//! variable, typed cells — the shape R's broom and pandas users expect. Written as CSV through the
//! `csv` crate, so a field holding a comma, a quote or a newline is quoted correctly, and as JSON
//! records for the envelope.
//!
//! Numbers are printed in Rust's shortest round-trip form (`0.1`, `104`), in scientific notation
//! below 1e-5 and from 1e15 up (`1.0969645013634229e-9`, `1e308`, never 300 digits), so reading the
//! CSV back gives the same `f64`. A missing or non-finite number is written `NA` in CSV (R's and
//! pandas' default missing marker) and `null` in JSON; infinities are written `Inf` / `-Inf`.

use crate::output::{io, OutputError, Overwrite};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// One cell of a tidy table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Num(f64),
    Int(i64),
    Text(String),
    Bool(bool),
    Missing,
}

impl Cell {
    /// The CSV text of the cell.
    pub fn to_field(&self) -> String {
        match self {
            Cell::Num(x) if x.is_nan() => "NA".into(),
            Cell::Num(x) if *x == f64::INFINITY => "Inf".into(),
            Cell::Num(x) if *x == f64::NEG_INFINITY => "-Inf".into(),
            Cell::Num(x) => crate::text::num(*x),
            Cell::Int(i) => i.to_string(),
            Cell::Text(s) => s.clone(),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
            Cell::Missing => "NA".into(),
        }
    }

    /// The JSON value of the cell (`null` for a missing or non-finite number).
    pub fn to_json(&self) -> Value {
        match self {
            Cell::Num(x) if x.is_finite() => serde_json::Number::from_f64(*x).map_or(Value::Null, Value::Number),
            Cell::Num(_) | Cell::Missing => Value::Null,
            Cell::Int(i) => Value::from(*i),
            Cell::Text(s) => Value::from(s.as_str()),
            Cell::Bool(b) => Value::from(*b),
        }
    }
}

impl From<f64> for Cell {
    fn from(x: f64) -> Self {
        Cell::Num(x)
    }
}
impl From<Option<f64>> for Cell {
    fn from(x: Option<f64>) -> Self {
        x.map_or(Cell::Missing, Cell::Num)
    }
}
impl From<i64> for Cell {
    fn from(x: i64) -> Self {
        Cell::Int(x)
    }
}
impl From<i32> for Cell {
    fn from(x: i32) -> Self {
        Cell::Int(x.into())
    }
}
impl From<usize> for Cell {
    fn from(x: usize) -> Self {
        Cell::Int(i64::try_from(x).unwrap_or(i64::MAX))
    }
}
impl From<bool> for Cell {
    fn from(x: bool) -> Self {
        Cell::Bool(x)
    }
}
impl From<&str> for Cell {
    fn from(x: &str) -> Self {
        Cell::Text(x.into())
    }
}
impl From<String> for Cell {
    fn from(x: String) -> Self {
        Cell::Text(x)
    }
}
impl From<&String> for Cell {
    fn from(x: &String) -> Self {
        Cell::Text(x.clone())
    }
}

/// A named tidy table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TidyTable {
    /// Short name; also the stem of the CSV file it is written to (`coefficients` →
    /// `coefficients.csv`).
    pub name: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl TidyTable {
    pub fn new(name: impl Into<String>, columns: &[&str]) -> Self {
        TidyTable {
            name: name.into(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row. A row shorter than the header is padded with missing cells; a longer one
    /// is a programming error and is cut to the header's width in release builds.
    pub fn push(&mut self, row: Vec<Cell>) -> &mut Self {
        debug_assert!(
            row.len() <= self.columns.len(),
            "table '{}': row of {} cells under {} columns",
            self.name,
            row.len(),
            self.columns.len()
        );
        let mut row = row;
        row.resize(self.columns.len(), Cell::Missing);
        self.rows.push(row);
        self
    }

    /// The table as CSV (header line first, `\n` line ends, RFC 4180 quoting where needed).
    pub fn to_csv(&self) -> String {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        // Writing to a Vec<u8> cannot fail; the results are kept for the type checker only.
        let _ = w.write_record(&self.columns);
        for r in &self.rows {
            let _ = w.write_record(r.iter().map(Cell::to_field));
        }
        let bytes = w.into_inner().unwrap_or_default();
        String::from_utf8(bytes).unwrap_or_default()
    }

    /// The table as a JSON array of records (`[{"term": "x", "estimate": 1.2}, …]`).
    pub fn to_json_records(&self) -> Value {
        Value::Array(
            self.rows
                .iter()
                .map(|r| {
                    let mut m = serde_json::Map::new();
                    for (c, v) in self.columns.iter().zip(r) {
                        m.insert(c.clone(), v.to_json());
                    }
                    Value::Object(m)
                })
                .collect(),
        )
    }

    /// The table as an output file `<name>.csv`.
    pub fn to_file(&self) -> crate::OutputFile {
        crate::OutputFile::new(format!("{}.csv", self.name), self.to_csv().into_bytes())
    }
}

/// A CSV table too large to hold, written row by row through the `csv` crate into a temporary
/// file in the target's folder and renamed over the target by [`CsvStream::finish`]. Dropped
/// unfinished, it removes its temporary file and leaves the target untouched.
pub struct CsvStream {
    path: PathBuf,
    tmp: PathBuf,
    overwrite: Overwrite,
    csv: Option<csv::Writer<std::io::BufWriter<std::fs::File>>>,
}

impl CsvStream {
    /// Starts `path` with the header `columns`.
    pub fn create(path: &Path, columns: &[&str], overwrite: Overwrite) -> Result<CsvStream, OutputError> {
        if overwrite == Overwrite::Refuse && path.exists() {
            return Err(OutputError::Exists(path.to_path_buf()));
        }
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let file = std::fs::File::create(&tmp).map_err(io(&tmp))?;
        let mut csv = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(std::io::BufWriter::new(file));
        let mut s = CsvStream {
            path: path.to_path_buf(),
            tmp,
            overwrite,
            csv: None,
        };
        csv.write_record(columns).map_err(|e| s.csv_error(e))?;
        s.csv = Some(csv);
        Ok(s)
    }

    fn csv_error(&self, e: csv::Error) -> OutputError {
        OutputError::Io {
            path: self.tmp.clone(),
            source: std::io::Error::other(e.to_string()),
        }
    }

    /// Appends one row.
    pub fn write_row(&mut self, row: &[Cell]) -> Result<(), OutputError> {
        let r = match self.csv.as_mut() {
            Some(w) => w.write_record(row.iter().map(Cell::to_field)),
            None => return Ok(()),
        };
        r.map_err(|e| self.csv_error(e))
    }

    /// Flushes, syncs and renames the file over the target; returns the target's path.
    pub fn finish(mut self) -> Result<PathBuf, OutputError> {
        let Some(w) = self.csv.take() else {
            return Ok(self.path.clone());
        };
        let file = w
            .into_inner()
            .map_err(|e| OutputError::Io {
                path: self.tmp.clone(),
                source: std::io::Error::other(e.to_string()),
            })?
            .into_inner()
            .map_err(|e| OutputError::Io {
                path: self.tmp.clone(),
                source: e.into_error(),
            })?;
        file.sync_all().map_err(io(&self.tmp))?;
        drop(file);
        if self.overwrite == Overwrite::Refuse && self.path.exists() {
            return Err(OutputError::Exists(self.path.clone()));
        }
        std::fs::rename(&self.tmp, &self.path).map_err(io(&self.path))?;
        Ok(self.path.clone())
    }
}

impl Drop for CsvStream {
    fn drop(&mut self) {
        if self.csv.is_some() || self.tmp.exists() {
            self.csv = None;
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_round_trips_through_a_csv_parser() {
        let mut t = TidyTable::new("t", &["group", "x", "n"]);
        let nasty = "Heart, vessels \"and\"\nmore";
        t.push(vec![nasty.into(), 0.1.into(), 3usize.into()]);
        t.push(vec!["plain".into(), f64::NAN.into(), Cell::Missing]);
        let csv = t.to_csv();
        let mut r = csv::Reader::from_reader(csv.as_bytes());
        let rows: Vec<csv::StringRecord> = r.records().map(|x| x.expect("valid csv")).collect();
        assert_eq!(rows.len(), 2);
        assert!(rows.iter().all(|x| x.len() == 3));
        assert_eq!(&rows[0][0], nasty);
        assert_eq!(rows[0][1].parse::<f64>().ok(), Some(0.1));
        assert_eq!(&rows[1][1], "NA");
        assert_eq!(Cell::Num(1.0969645013634229e-9).to_field(), "1.0969645013634229e-9");
        assert_eq!(Cell::Num(-1e308).to_field(), "-1e308");
        let dir = std::env::temp_dir().join(format!("dimorph-core-stream-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut st = CsvStream::create(&dir.join("big.csv"), &["a", "b"], Overwrite::Refuse).expect("start");
        st.write_row(&["x, \"y\"".into(), 1.5.into()]).expect("row");
        st.finish().expect("finish");
        assert_eq!(
            std::fs::read_to_string(dir.join("big.csv")).ok().as_deref(),
            Some("a,b\n\"x, \"\"y\"\"\",1.5\n")
        );
        drop(CsvStream::create(&dir.join("gone.csv"), &["a"], Overwrite::Refuse).expect("start"));
        assert!(!dir.join("gone.csv").exists());
        let _ = std::fs::remove_dir_all(&dir);
        let j = t.to_json_records();
        assert_eq!(j[0]["group"], nasty);
        assert!(j[1]["x"].is_null());
    }
}
