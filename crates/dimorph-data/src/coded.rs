//! Reading only the columns an analysis names, with grouping columns dictionary-encoded: a
//! [`CodedFrame`] holds numeric columns as `f64` (plus the few cells that are not numbers, such as
//! `<5`, with their lines) and grouping columns as one `u32` code per row into a list of distinct
//! labels. A grouped file of n rows then costs about 12·n bytes (value + code) instead of the
//! ~120·n bytes of a text column held as one `String` per row in a [`Frame`].
//!
//! Delimited text is streamed record by record (never held whole in memory) in the dialect of
//! [`ReadOptions`] (detected when not given); Parquet and Excel files are read as a [`Frame`] and
//! converted. The cell rules are the CSV reader's: the same missing tokens, number parser and
//! decimal-comma rule, the same header checks and errors naming the file and line.

use crate::dialect::{normalise_decimal, Dialect, ReadOptions};
use crate::{extension, is_missing_token, parse_num, sniff, ColumnData, DataError, Frame};
use dimorph_core::text::clip;
use std::collections::HashMap;
use std::path::Path;

/// Code of a missing label in [`Codes::codes`].
pub const MISSING: u32 = u32::MAX;

/// A numeric column: the numbers (NaN where missing or not a number) and the cells that are
/// neither missing nor a number, as (row index, trimmed text; decimal commas as points).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NumCells {
    pub values: Vec<f64>,
    pub text: Vec<(usize, String)>,
}

/// A dictionary-encoded column: one code per row ([`MISSING`] where missing), indexing `levels`
/// (the distinct labels in order of first appearance).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Codes {
    pub codes: Vec<u32>,
    pub levels: Vec<String>,
}

impl Codes {
    /// The label of row `i` (None where missing).
    pub fn label(&self, i: usize) -> Option<&str> {
        match self.codes[i] {
            MISSING => None,
            c => self.levels.get(c as usize).map(String::as_str),
        }
    }
}

/// A column of a [`CodedFrame`].
#[derive(Debug, Clone, PartialEq)]
pub enum CodedColumn {
    Num(NumCells),
    Codes(Codes),
}

/// The named columns of a table, numeric or dictionary-encoded.
#[derive(Debug, Clone, PartialEq)]
pub struct CodedFrame {
    /// Where the data came from (used in error messages).
    pub source: String,
    pub nrows: usize,
    /// File line of the first data row (see [`Frame::first_line`]).
    pub first_line: usize,
    /// Line of each row when blank lines make it differ from `first_line + i` (None otherwise).
    pub lines: Option<Vec<u32>>,
    /// (name, numeric column) for each name asked for as numeric.
    pub num: Vec<(String, NumCells)>,
    /// (name, codes) for each name asked for as a grouping column.
    pub coded: Vec<(String, Codes)>,
}

impl CodedFrame {
    /// The numeric column `name` (asked for as numeric).
    pub fn numeric(&self, name: &str) -> Option<&NumCells> {
        self.num.iter().find(|c| c.0 == name).map(|c| &c.1)
    }
    /// The grouping column `name` (asked for as coded).
    pub fn codes(&self, name: &str) -> Option<&Codes> {
        self.coded.iter().find(|c| c.0 == name).map(|c| &c.1)
    }
    /// File line (1-based, header = line 1) of data row `i`.
    pub fn line_of(&self, i: usize) -> usize {
        match &self.lines {
            Some(l) => l.get(i).map_or(self.first_line + i, |&x| x as usize),
            None => self.first_line + i,
        }
    }

    /// The named columns of an in-memory frame: `numeric` as numbers (text cells kept aside),
    /// `coded` dictionary-encoded (numbers written in shortest form).
    pub fn from_frame(f: &Frame, numeric: &[&str], coded: &[&str]) -> Result<CodedFrame, DataError> {
        let mut num = Vec::new();
        for name in numeric {
            let c = f.column(name)?;
            let cells = match &c.data {
                ColumnData::Num(v) => NumCells {
                    values: v.clone(),
                    text: Vec::new(),
                },
                ColumnData::Text { values, .. } => {
                    let mut n = NumCells::default();
                    for (i, v) in values.iter().enumerate() {
                        push_num(&mut n, i, v.as_deref(), b'.');
                    }
                    n
                }
            };
            num.push((name.to_string(), cells));
        }
        let mut out = Vec::new();
        for name in coded {
            let c = f.column(name)?;
            let mut d = Dict::default();
            match &c.data {
                ColumnData::Num(v) => v.iter().for_each(|x| {
                    let s = (!x.is_nan()).then(|| dimorph_core::text::num(*x));
                    d.push(s.as_deref())
                }),
                ColumnData::Text { values, .. } => values.iter().for_each(|s| d.push(s.as_deref())),
            }
            out.push((name.to_string(), d.done()));
        }
        Ok(CodedFrame {
            source: f.source.clone(),
            nrows: f.nrows,
            first_line: f.first_line,
            lines: None,
            num,
            coded: out,
        })
    }
}

/// Appends one cell (already trimmed or not) to a numeric column.
fn push_num(n: &mut NumCells, row: usize, cell: Option<&str>, decimal: u8) {
    let t = cell.map(str::trim).unwrap_or("");
    if is_missing_token(t) {
        n.values.push(f64::NAN);
        return;
    }
    let parsed = match parse_num(t) {
        None if decimal == b',' => parse_num(&normalise_decimal(t)),
        p => p,
    };
    match parsed {
        Some(v) => n.values.push(v),
        None => {
            n.values.push(f64::NAN);
            n.text.push((row, normalise_decimal(t).into_owned()));
        }
    }
}

/// A growing dictionary encoding.
#[derive(Default)]
struct Dict {
    index: HashMap<String, u32>,
    c: Codes,
}

impl Dict {
    fn push(&mut self, s: Option<&str>) {
        let code = match s.map(str::trim).filter(|t| !is_missing_token(t)) {
            None => MISSING,
            Some(t) => match self.index.get(t) {
                Some(&k) => k,
                None => {
                    // at most u32::MAX - 1 levels: more rows than that cannot be read anyway
                    let k = u32::try_from(self.c.levels.len()).unwrap_or(MISSING - 1);
                    self.index.insert(t.to_string(), k);
                    self.c.levels.push(t.to_string());
                    k
                }
            },
        };
        self.c.codes.push(code);
    }
    fn done(self) -> Codes {
        self.c
    }
}

/// Reads the columns `numeric` and `coded` of a table file (see the module doc).
pub fn read_coded(
    path: impl AsRef<Path>,
    o: &ReadOptions,
    numeric: &[&str],
    coded: &[&str],
) -> Result<CodedFrame, DataError> {
    let path = path.as_ref();
    let p = path.display().to_string();
    o.validate().map_err(|msg| DataError::Format { path: p.clone(), msg })?;
    match extension(path).as_deref() {
        Some("parquet") | Some("pq") | Some("xlsx") | Some("xlsm") => {
            CodedFrame::from_frame(&crate::read_table_validated(path, o)?, numeric, coded)
        }
        _ => {
            let d = sniff(path, o)?;
            let file = std::fs::File::open(path).map_err(|e| DataError::Io {
                path: p.clone(),
                source: e,
            })?;
            stream_csv(&p, std::io::BufReader::with_capacity(1 << 20, file), d, numeric, coded)
        }
    }
}

/// The columns asked for, streamed from delimited text.
fn stream_csv<R: std::io::Read>(
    p: &str,
    input: R,
    d: Dialect,
    numeric: &[&str],
    coded: &[&str],
) -> Result<CodedFrame, DataError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .delimiter(d.delimiter)
        .from_reader(crate::QuoteGuard::new(input, d.delimiter));
    let parse_err = |line: usize, msg: String| DataError::Parse {
        path: p.to_string(),
        line,
        msg,
    };
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| parse_err(1, e.to_string()))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    crate::check_header(p, &header)?;
    let find = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| DataError::UnknownColumn {
                path: p.to_string(),
                name: name.to_string(),
                available: header.join(", "),
            })
    };
    let num_idx = numeric.iter().map(|n| find(n)).collect::<Result<Vec<_>, _>>()?;
    let code_idx = coded.iter().map(|n| find(n)).collect::<Result<Vec<_>, _>>()?;
    let ncol = header.len();
    let mut nums: Vec<NumCells> = num_idx.iter().map(|_| NumCells::default()).collect();
    let mut dicts: Vec<Dict> = code_idx.iter().map(|_| Dict::default()).collect();
    let mut lines: Vec<u32> = Vec::new();
    let mut irregular = false;
    let mut rec = csv::ByteRecord::new();
    let mut row = 0usize;
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|q| q.line() as usize).unwrap_or(0);
                return Err(parse_err(line, e.to_string()));
            }
        }
        let line = rec.position().map(|q| q.line() as usize).unwrap_or(0);
        if rec.len() == 1 && rec[0].trim_ascii().is_empty() {
            continue; // blank line
        }
        if rec.len() != ncol {
            return Err(parse_err(
                line,
                format!("expected {ncol} fields as in the header, found {}", rec.len()),
            ));
        }
        let field = |j: usize| {
            std::str::from_utf8(&rec[j])
                .map_err(|_| parse_err(line, format!("column '{}' holds invalid UTF-8", clip(&header[j]))))
        };
        for (k, &j) in num_idx.iter().enumerate() {
            push_num(&mut nums[k], row, Some(field(j)?), d.decimal);
        }
        for (k, &j) in code_idx.iter().enumerate() {
            dicts[k].push(Some(field(j)?));
        }
        irregular |= line != row + 2;
        lines.push(u32::try_from(line).unwrap_or(u32::MAX));
        row += 1;
    }
    rdr.get_ref().check(p)?;
    Ok(CodedFrame {
        source: p.to_string(),
        nrows: row,
        first_line: 2,
        lines: irregular.then_some(lines),
        num: numeric.iter().map(|s| s.to_string()).zip(nums).collect(),
        coded: coded
            .iter()
            .map(|s| s.to_string())
            .zip(dicts.into_iter().map(Dict::done))
            .collect(),
    })
}

/// Reads the columns from delimited text in memory (tests, and callers holding the bytes).
pub fn read_coded_bytes(
    source: &str,
    bytes: &[u8],
    d: Dialect,
    numeric: &[&str],
    coded: &[&str],
) -> Result<CodedFrame, DataError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(DataError::Empty { path: source.into() });
    }
    stream_csv(source, bytes, d, numeric, coded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_open_quote_is_refused_instead_of_reading_fewer_rows() {
        let text = b"y,x\n1,2\n2,3\n3,4\n4,\"5\n5,6\n6,7\n";
        let e = read_coded_bytes("u.csv", text, Dialect::default(), &["y"], &["x"])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.starts_with("u.csv: line 5: a quoted field begins here"), "{e}");
    }

    #[test]
    fn streams_values_and_codes() {
        let csv = b"Sex;ALT;Age\nf;0,5;3\nm;<5;4\n\n;na;5\nf;-;6\n";
        let d = Dialect {
            delimiter: b';',
            decimal: b',',
        };
        let c = read_coded_bytes("t.csv", csv, d, &["ALT"], &["Sex", "Age"]).unwrap();
        assert_eq!(c.nrows, 4);
        let alt = c.numeric("ALT").unwrap();
        assert_eq!(alt.values[0], 0.5);
        assert!(alt.values[1..].iter().all(|v| v.is_nan()));
        assert_eq!(alt.text, vec![(1, "<5".to_string())]);
        let sex = c.codes("Sex").unwrap();
        assert_eq!(sex.levels, vec!["f", "m"]);
        assert_eq!(sex.codes, vec![0, 1, MISSING, 0]);
        // the same as through a Frame
        let f = crate::read_csv_bytes_with("t.csv", csv, d).unwrap();
        let g = CodedFrame::from_frame(&f, &["ALT"], &["Sex"]).unwrap();
        assert_eq!(g.numeric("ALT").unwrap().text, alt.text);
        assert_eq!(g.codes("Sex").unwrap(), sex);
    }

    #[test]
    fn errors_name_the_place() {
        let d = Dialect::default();
        let e = read_coded_bytes("t.csv", b"a,b\n1,2\n3\n", d, &["a"], &[]).unwrap_err();
        assert!(e.to_string().contains("line 3"), "{e}");
        let e = read_coded_bytes("t.csv", b"a,b\n1,2\n", d, &["zz"], &[]).unwrap_err();
        assert!(e.to_string().contains("no column named 'zz'"), "{e}");
        let e = read_coded_bytes("t.csv", b"a,a\n1,2\n", d, &["a"], &[]).unwrap_err();
        assert!(e.to_string().contains("appears twice"), "{e}");
        assert!(read_coded_bytes("t.csv", b"", d, &["a"], &[]).is_err());
    }
}
