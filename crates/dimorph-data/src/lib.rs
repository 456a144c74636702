//! Tabular data for every dimorph engine: a [`Frame`] of named, typed columns read from CSV
//! ([`read_csv`]) or Parquet ([`read_parquet`]), with errors that name the file, the line and
//! the column. [`read_table_with`] also reads `;`- and tab-separated files with decimal commas
//! (chosen or detected, [`dialect`]) and Excel `.xlsx` sheets ([`read_xlsx`]); [`read_coded`]
//! reads only the columns an analysis names, grouping columns as dictionary codes ([`coded`]).
//!
//! A column is numeric when every non-missing cell parses as a number; otherwise it is text and
//! remembers its first non-numeric cell so that a caller who needs a number can say exactly where
//! the data went wrong. Missing cells are the empty string, `NA`, `NaN` and `.` (R's and SAS's
//! conventions), `na` and `-` (laboratory exports); in numeric columns they are stored as `NaN`.
//!
//! Plain CSV bodies (no quote characters) are parsed by `csv_fast` straight from the bytes on up
//! to two threads — a 1,000,000 × 21 numeric file costs about 1.1 s of CPU; anything else goes
//! through the `csv` crate, and both give the same frame and the same errors. Parquet files
//! (`parquet_read`) are read column by column; there "line" in an error means the 1-based row.

pub mod coded;
mod csv_fast;
pub mod dialect;
mod parquet_f32;
mod parquet_prefetch;
mod parquet_read;
pub mod parquet_stream;
pub mod quote_guard;
mod xlsx;

pub use coded::{read_coded, CodedColumn, CodedFrame, Codes, NumCells};
pub use dialect::{Dialect, ReadOptions};
pub use parquet_f32::{parquet_float32_columns, read_parquet_columns, read_parquet_f32, F32Matrix};
pub use parquet_read::read_parquet;
pub use quote_guard::QuoteGuard;
pub use xlsx::read_xlsx;

use dimorph_core::text::{clip, clip_to};
use std::path::Path;

/// Errors raised while reading or looking up data. Every variant names the source file.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("{path}: cannot read the file: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: the file is empty (no header row)")]
    Empty { path: String },
    #[error("{path}: line {line}: {msg}")]
    Parse { path: String, line: usize, msg: String },
    #[error(
        "{path}: no column named '{}' (columns are: {})",
        clip(name),
        clip_to(available, 300)
    )]
    UnknownColumn {
        path: String,
        name: String,
        available: String,
    },
    #[error(
        "{path}: column '{}' must be numeric, but line {line} holds '{}'",
        clip(column),
        clip(value)
    )]
    NotNumeric {
        path: String,
        column: String,
        line: usize,
        value: String,
    },
    #[error("{path}: {msg}")]
    Format { path: String, msg: String },
}

/// The values of one column.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    /// Numbers; missing cells are `NaN`.
    Num(Vec<f64>),
    /// Text; missing cells are `None`.
    Text {
        values: Vec<Option<String>>,
        /// First cell that is neither missing nor a number: (file line, cell text).
        first_non_numeric: Option<(usize, String)>,
    },
}

/// A named column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub data: ColumnData,
}

impl Column {
    pub fn len(&self) -> usize {
        match &self.data {
            ColumnData::Num(v) => v.len(),
            ColumnData::Text { values, .. } => values.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Whether row `i` is missing.
    pub fn is_missing(&self, i: usize) -> bool {
        match &self.data {
            ColumnData::Num(v) => v[i].is_nan(),
            ColumnData::Text { values, .. } => values[i].is_none(),
        }
    }
    pub fn is_numeric(&self) -> bool {
        matches!(self.data, ColumnData::Num(_))
    }
}

/// A table of equally long named columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// Where the data came from (a file path, or a description), used in error messages.
    pub source: String,
    pub columns: Vec<Column>,
    pub nrows: usize,
    /// File line of the first data row (2 for a CSV with a header); line of row i is this + i.
    pub first_line: usize,
}

/// Whether a cell counts as missing.
pub fn is_missing_token(s: &str) -> bool {
    matches!(s.trim(), "" | "NA" | "na" | "NaN" | "nan" | "." | "-" | "N/A" | "null")
}

pub(crate) fn parse_num(s: &str) -> Option<f64> {
    let t = s.trim();
    t.parse::<f64>().ok().or(match t {
        "Inf" | "inf" => Some(f64::INFINITY),
        "-Inf" | "-inf" => Some(f64::NEG_INFINITY),
        _ => None,
    })
}

impl Frame {
    /// Builds a frame from in-memory columns (for tests and generated data).
    pub fn from_columns(source: &str, columns: Vec<Column>) -> Result<Frame, DataError> {
        let nrows = columns.first().map(Column::len).unwrap_or(0);
        if let Some(c) = columns.iter().find(|c| c.len() != nrows) {
            return Err(DataError::Format {
                path: source.into(),
                msg: format!("column '{}' has {} rows, expected {}", c.name, c.len(), nrows),
            });
        }
        Ok(Frame {
            source: source.into(),
            columns,
            nrows,
            first_line: 2,
        })
    }

    /// File line (1-based, header = line 1) of data row `i` (0-based).
    pub fn line_of(&self, i: usize) -> usize {
        self.first_line + i
    }

    pub fn names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }

    /// The column called `name`, or an error listing the available columns.
    pub fn column(&self, name: &str) -> Result<&Column, DataError> {
        self.columns
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| DataError::UnknownColumn {
                path: self.source.clone(),
                name: name.into(),
                available: self.names().join(", "),
            })
    }

    /// The numeric values of `name` (missing = NaN), or an error naming the first cell that is
    /// not a number.
    pub fn numeric(&self, name: &str) -> Result<&[f64], DataError> {
        let c = self.column(name)?;
        match &c.data {
            ColumnData::Num(v) => Ok(v),
            ColumnData::Text {
                first_non_numeric,
                values,
            } => {
                let (line, value) = first_non_numeric.clone().unwrap_or_else(|| {
                    let i = values.iter().position(Option::is_some).unwrap_or(0);
                    (self.line_of(i), values.get(i).cloned().flatten().unwrap_or_default())
                });
                Err(DataError::NotNumeric {
                    path: self.source.clone(),
                    column: name.into(),
                    line,
                    value,
                })
            }
        }
    }
}

/// Turns raw cells into a typed column.
pub fn column_from_cells(name: &str, cells: Vec<Option<String>>, first_line: usize) -> Column {
    let mut nums = Vec::with_capacity(cells.len());
    let mut bad = None;
    for (i, c) in cells.iter().enumerate() {
        match c {
            None => nums.push(f64::NAN),
            Some(s) => match parse_num(s) {
                Some(v) => nums.push(v),
                None => {
                    bad = Some((first_line + i, s.clone()));
                    break;
                }
            },
        }
    }
    let data = match bad {
        None => ColumnData::Num(nums),
        Some(b) => ColumnData::Text {
            values: cells,
            first_non_numeric: Some(b),
        },
    };
    Column {
        name: name.into(),
        data,
    }
}

/// Reads a CSV file with a header row. Fields may be quoted; cells are trimmed; a row with the
/// wrong number of fields is an error naming its line.
pub fn read_csv(path: impl AsRef<Path>) -> Result<Frame, DataError> {
    let path = path.as_ref();
    let p = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| DataError::Io {
        path: p.clone(),
        source: e,
    })?;
    read_csv_bytes(&p, &bytes)
}

/// Reads CSV text already in memory; `source` names it in errors.
pub fn read_csv_bytes(source: &str, bytes: &[u8]) -> Result<Frame, DataError> {
    read_csv_impl(source, bytes, true, Dialect::default())
}

/// Reads delimited text in memory in the given dialect; `source` names it in errors.
pub fn read_csv_bytes_with(source: &str, bytes: &[u8], d: Dialect) -> Result<Frame, DataError> {
    read_csv_impl(source, bytes, true, d)
}

/// `fast`: whether plain bodies may take [`csv_fast`] (tests compare both paths).
fn read_csv_impl(source: &str, bytes: &[u8], fast: bool, d: Dialect) -> Result<Frame, DataError> {
    let p = source.to_string();
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(DataError::Empty { path: p });
    }
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .delimiter(d.delimiter)
        .from_reader(QuoteGuard::new(bytes, d.delimiter));
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| DataError::Parse {
            path: p.clone(),
            line: 1,
            msg: e.to_string(),
        })?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    check_header(&p, &header)?;
    // Plain bodies (no quotes) are parsed straight from the bytes; anything else, and every
    // error, goes through the general reader below.
    let body_start = usize::try_from(rdr.position().byte()).unwrap_or(usize::MAX);
    if let Some(columns) = bytes
        .get(body_start..)
        .filter(|_| fast)
        .and_then(|body| csv_fast::parse_body(&header, body, d))
    {
        let mut f = Frame::from_columns(&p, columns)?;
        f.first_line = 2;
        return Ok(f);
    }
    let ncol = header.len();
    let mut cells: Vec<Vec<Option<String>>> = vec![Vec::new(); ncol];
    let mut rec = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|q| q.line() as usize).unwrap_or(0);
                return Err(DataError::Parse {
                    path: p,
                    line,
                    msg: e.to_string(),
                });
            }
        }
        let line = rec.position().map(|q| q.line() as usize).unwrap_or(0);
        if rec.len() == 1 && rec[0].trim().is_empty() {
            continue; // blank line
        }
        if rec.len() != ncol {
            return Err(DataError::Parse {
                path: p,
                line,
                msg: format!("expected {ncol} fields as in the header, found {}", rec.len()),
            });
        }
        for (j, f) in rec.iter().enumerate() {
            let t = f.trim();
            cells[j].push(if is_missing_token(t) {
                None
            } else if d.decimal == b',' {
                Some(dialect::normalise_decimal(t).into_owned())
            } else {
                Some(t.to_string())
            });
        }
    }
    rdr.get_ref().check(&p)?;
    let columns = header
        .iter()
        .zip(cells)
        .map(|(h, c)| column_from_cells(h, c, 2))
        .collect::<Vec<_>>();
    let mut f = Frame::from_columns(&p, columns)?;
    f.first_line = 2;
    Ok(f)
}

/// Reads a CSV or Parquet file, chosen by extension (`.parquet`/`.pq` is Parquet).
pub fn read_table(path: impl AsRef<Path>) -> Result<Frame, DataError> {
    let path = path.as_ref();
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("parquet") | Some("pq") => read_parquet(path),
        _ => read_csv(path),
    }
}

/// Refuses a header row that is empty, has an empty column name or a name twice.
pub(crate) fn check_header(p: &str, header: &[String]) -> Result<(), DataError> {
    if header.iter().all(String::is_empty) {
        return Err(DataError::Empty { path: p.into() });
    }
    for (j, h) in header.iter().enumerate() {
        let msg = if h.is_empty() {
            format!("column {} has an empty name", j + 1)
        } else if header[..j].contains(h) {
            format!("column name '{}' appears twice", clip(h))
        } else {
            continue;
        };
        return Err(DataError::Parse {
            path: p.into(),
            line: 1,
            msg,
        });
    }
    Ok(())
}

/// The extension of `path`, lower case.
pub(crate) fn extension(path: &Path) -> Option<String> {
    path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase)
}

/// How many bytes of a text file [`read_table_with`] looks at to detect its dialect.
pub const SNIFF_BYTES: usize = 64 << 10;

/// The dialect of the text file at `path`: the options' choices, the rest detected from its first
/// [`SNIFF_BYTES`] bytes.
pub fn sniff(path: &Path, o: &ReadOptions) -> Result<Dialect, DataError> {
    use std::io::Read;
    let p = path.display().to_string();
    let io = |e| DataError::Io {
        path: p.clone(),
        source: e,
    };
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    std::fs::File::open(path)
        .map_err(io)?
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(io)?;
    let d = dialect::detect(extension(path).as_deref(), &head, o);
    if d.delimiter == d.decimal {
        return Err(DataError::Format {
            path: p,
            msg: format!(
                "--decimal: the decimal mark '{0}' is also the file's field delimiter ('{0}', detected from the \
                 header); give the delimiter too, e.g. --delimiter ';' --decimal ','",
                d.decimal as char
            ),
        });
    }
    Ok(d)
}

/// Reads a table in the form laboratory exports take: Parquet (`.parquet`, `.pq`), an Excel
/// workbook (`.xlsx`, the sheet `o.sheet` or the first), or delimited text with the delimiter and
/// decimal mark of `o`, each detected when not given ([`dialect`]). Unlike [`read_table`], which
/// reads every text file as plain CSV, this detects `;`, tab and decimal commas.
pub fn read_table_with(path: impl AsRef<Path>, o: &ReadOptions) -> Result<Frame, DataError> {
    let path = path.as_ref();
    o.validate().map_err(|msg| DataError::Format {
        path: path.display().to_string(),
        msg,
    })?;
    read_table_validated(path, o)
}

/// [`read_table_with`] for options already validated ([`ReadOptions::validate`]; the callers that
/// validate them first, as [`coded::read_coded`], read through this so they are checked once).
pub(crate) fn read_table_validated(path: &Path, o: &ReadOptions) -> Result<Frame, DataError> {
    let p = path.display().to_string();
    match extension(path).as_deref() {
        Some("parquet") | Some("pq") => read_parquet(path),
        Some("xlsx") | Some("xlsm") => read_xlsx(path, o),
        _ => {
            let d = sniff(path, o)?;
            let bytes = std::fs::read(path).map_err(|e| DataError::Io {
                path: p.clone(),
                source: e,
            })?;
            read_csv_impl(&p, &bytes, true, d)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_typed_columns_and_missing() {
        let f = read_csv_bytes("t.csv", b"a,b,c\n1,x,\n2.5,y,3\nNA,z,.\n").unwrap();
        assert_eq!(f.nrows, 3);
        let a = f.numeric("a").unwrap();
        assert_eq!(a[0], 1.0);
        assert!(a[2].is_nan());
        assert!(!f.column("b").unwrap().is_numeric());
        assert!(f.column("c").unwrap().is_missing(0));
    }

    #[test]
    fn non_numeric_cell_names_line_and_column() {
        let f = read_csv_bytes("t.csv", b"y,x\n1,2\n0,abc\n").unwrap();
        let e = f.numeric("x").unwrap_err().to_string();
        assert_eq!(e, "t.csv: column 'x' must be numeric, but line 3 holds 'abc'");
    }

    /// The fast path and the general `csv`-crate path give identical frames (NaN-aware) and
    /// identical errors.
    fn same_both_ways(input: &[u8]) {
        for d in [
            Dialect::default(),
            Dialect {
                delimiter: b';',
                decimal: b',',
            },
        ] {
            let input = if d.delimiter == b';' {
                String::from_utf8_lossy(input).replace(',', ";").into_bytes()
            } else {
                input.to_vec()
            };
            same_both_ways_in(&input, d);
        }
    }

    fn same_both_ways_in(input: &[u8], d: Dialect) {
        let fast = read_csv_impl("t.csv", input, true, d);
        let slow = read_csv_impl("t.csv", input, false, d);
        match (fast, slow) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a.nrows, b.nrows);
                assert_eq!(a.names(), b.names());
                assert_eq!(a.first_line, b.first_line);
                for (x, y) in a.columns.iter().zip(&b.columns) {
                    match (&x.data, &y.data) {
                        (ColumnData::Num(u), ColumnData::Num(v)) => {
                            assert_eq!(u.len(), v.len());
                            for (p, q) in u.iter().zip(v) {
                                assert_eq!(p.to_bits(), q.to_bits(), "column {}", x.name);
                            }
                        }
                        (p, q) => assert_eq!(p, q, "column {}", x.name),
                    }
                }
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            (a, b) => panic!("fast {a:?} vs general {b:?}"),
        }
    }

    #[test]
    fn fast_path_matches_general_path() {
        let cases: &[&[u8]] = &[
            b"a,b,c\n1,x,\n2.5,y,3\nNA,z,.\n",
            b"a,b\r\n1,2\r\n\r\n3,4\r\n",
            b"\xef\xbb\xbfa, b \n 1 , -2e-3 \n\n   \n Inf,-Inf\nNaN,nan\nN/A,null\n",
            b"a,b\n1,2\n3\n",
            b"a,b\n1,2\n3,4,5\n",
            b"a,b\n1,\"2,5\"\n3,4\n",
            b"a,b\n1,2\r3,4\n",
            b"a,b\n1,caf\xc3\xa9\n2,3\n",
            b"a,b\n1,\xff\n",
            b"a\n1\n\n2\n",
            b"a,b\n",
            b"a,b\n1,2",
            b"a,b\n,\n",
        ];
        for c in cases {
            same_both_ways(c);
        }
        // large enough for two threads (the threshold is 4 KiB in tests); a text cell only in
        // the second half, and then a long row at the very end
        let mut big = b"y,x1,x2,label\n".to_vec();
        for i in 0..2_000 {
            let label = if i == 1_500 {
                "oops".to_string()
            } else {
                format!("{}", i % 7)
            };
            big.extend(
                format!(
                    "{},{},{:e},{}\n",
                    i % 2,
                    i as f64 * 0.125 - 3.0,
                    1.0 / (i as f64 + 1.0),
                    label
                )
                .bytes(),
            );
        }
        assert!(big.len() > 4 << 10);
        same_both_ways(&big);
        let f = read_csv_bytes("big.csv", &big).unwrap();
        let e = f.numeric("label").unwrap_err().to_string();
        assert!(e.contains("line 1502") && e.contains("'oops'"), "{e}");
        let mut bad = big.clone();
        bad.extend(b"1,2,3\n");
        same_both_ways(&bad);
    }

    #[test]
    fn errors_are_located() {
        assert!(matches!(
            read_csv_bytes("e.csv", b"").unwrap_err(),
            DataError::Empty { .. }
        ));
        let e = read_csv_bytes("r.csv", b"a,b\n1,2\n3\n").unwrap_err().to_string();
        assert!(e.contains("line 3") && e.contains("expected 2 fields"), "{e}");
        let f = read_csv_bytes("r.csv", b"a,b\n1,2\n").unwrap();
        let e = f.column("zz").unwrap_err().to_string();
        assert!(e.contains("no column named 'zz'") && e.contains("a, b"), "{e}");
    }
}
