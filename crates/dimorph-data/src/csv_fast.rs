//! Fast path for [`crate::read_csv_bytes`]: plain CSV bodies (no quote characters, `\n` or
//! `\r\n` line ends, valid UTF-8) are split and parsed straight from the bytes, on up to two
//! threads (the body is cut at a line boundary), without building a `String` per cell.
//!
//! It gives exactly the frame the general `csv`-crate path gives: the same missing tokens, the same
//! number parser ([`crate::parse_num`]), the same blank-line rule, and columns that turn out not to
//! be numeric are re-collected as text cells and typed by [`crate::column_from_cells`]. Anything
//! unusual (a quote, a lone `\r`, bad UTF-8, a row with the wrong number of fields) makes it return
//! `None`, and the caller re-reads with the general path, which reports the error exactly.

use crate::dialect::{normalise_decimal, Dialect};
use crate::{column_from_cells, is_missing_token, parse_num, Column, ColumnData};

/// Bodies smaller than this are parsed on one thread (small in unit tests, so that they
/// exercise the two-thread split).
const PARALLEL_MIN_BYTES: usize = if cfg!(test) { 4 << 10 } else { 4 << 20 };

/// Whether the body can take the fast path at all.
fn plain(body: &[u8]) -> bool {
    if memchr::memchr(b'"', body).is_some() {
        return false;
    }
    // every '\r' must be the first half of "\r\n"
    memchr::memchr_iter(b'\r', body).all(|i| body.get(i + 1) == Some(&b'\n'))
}

/// The lines of `body` without their terminators (`\n`, or `\r\n`), blank lines left out
/// (a line that trims to nothing is skipped, as the general path does).
fn lines(body: &str) -> impl Iterator<Item = &str> {
    let ends = memchr::memchr_iter(b'\n', body.as_bytes()).chain(std::iter::once(body.len()));
    let mut start = 0;
    ends.filter_map(move |end| {
        let line = body.get(start..end)?;
        start = end + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        (!line.trim().is_empty()).then_some(line)
    })
}

/// The fields of one line, split at `delim`.
fn fields(line: &str, delim: u8) -> impl Iterator<Item = &str> {
    let ends = memchr::memchr_iter(delim, line.as_bytes()).chain(std::iter::once(line.len()));
    let mut start = 0;
    ends.map(move |end| {
        let f = line.get(start..end).unwrap_or("");
        start = end + 1;
        f
    })
}

/// Result of parsing one chunk: numbers per column (stops growing once the column fails),
/// and whether each column met a cell that is not a number.
struct Chunk {
    nums: Vec<Vec<f64>>,
    failed: Vec<bool>,
    rows: usize,
}

fn parse_chunk(body: &[u8], ncol: usize, d: Dialect) -> Option<Chunk> {
    let body = std::str::from_utf8(body).ok()?;
    let est = body.len() / (ncol * 8 + 1) + 1;
    let mut nums: Vec<Vec<f64>> = (0..ncol).map(|_| Vec::with_capacity(est)).collect();
    let mut failed = vec![false; ncol];
    let mut rows = 0;
    for line in lines(body) {
        let mut n = 0;
        for (j, field) in fields(line, d.delimiter).enumerate() {
            if j >= ncol {
                return None;
            }
            n += 1;
            if failed[j] {
                continue;
            }
            // parse first: every missing token either fails to parse or parses as NaN
            let parsed = match parse_num(field) {
                None if d.decimal == b',' => parse_num(&normalise_decimal(field.trim())),
                p => p,
            };
            match parsed {
                Some(v) => nums[j].push(v),
                None if is_missing_token(field) => nums[j].push(f64::NAN),
                None => failed[j] = true,
            }
        }
        if n != ncol {
            return None;
        }
        rows += 1;
    }
    Some(Chunk { nums, failed, rows })
}

/// Collects the cells of the columns in `which` as text (the general path's cell rule).
fn text_cells(body: &[u8], ncol: usize, which: &[usize], d: Dialect) -> Option<Vec<Vec<Option<String>>>> {
    let body = std::str::from_utf8(body).ok()?;
    let mut out: Vec<Vec<Option<String>>> = which.iter().map(|_| Vec::new()).collect();
    let mut row: Vec<&str> = Vec::with_capacity(ncol);
    for line in lines(body) {
        row.clear();
        row.extend(fields(line, d.delimiter));
        if row.len() != ncol {
            return None;
        }
        for (k, &j) in which.iter().enumerate() {
            let t = row[j].trim();
            out[k].push(if is_missing_token(t) {
                None
            } else if d.decimal == b',' {
                Some(normalise_decimal(t).into_owned())
            } else {
                Some(t.to_string())
            });
        }
    }
    Some(out)
}

/// Parses the CSV body (everything after the header line) into typed columns, or `None` when
/// the general path must do it.
pub(crate) fn parse_body(header: &[String], body: &[u8], d: Dialect) -> Option<Vec<Column>> {
    let ncol = header.len();
    if ncol == 0 || !plain(body) {
        return None;
    }
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(2);
    let cut = if threads > 1 && body.len() >= PARALLEL_MIN_BYTES {
        memchr::memchr(b'\n', &body[body.len() / 2..]).map(|i| body.len() / 2 + i + 1)
    } else {
        None
    };
    let chunks: Vec<Chunk> = match cut {
        Some(c) => {
            let (a, b) = body.split_at(c);
            let (ra, rb) = std::thread::scope(|s| {
                let hb = s.spawn(|| parse_chunk(b, ncol, d));
                let ra = parse_chunk(a, ncol, d);
                (ra, hb.join().ok().flatten())
            });
            vec![ra?, rb?]
        }
        None => vec![parse_chunk(body, ncol, d)?],
    };
    let failed: Vec<bool> = (0..ncol).map(|j| chunks.iter().any(|c| c.failed[j])).collect();
    let text_cols: Vec<usize> = (0..ncol).filter(|&j| failed[j]).collect();
    let mut texts = if text_cols.is_empty() {
        Vec::new()
    } else {
        text_cells(body, ncol, &text_cols, d)?
    };
    let nrows: usize = chunks.iter().map(|c| c.rows).sum();
    let mut columns = Vec::with_capacity(ncol);
    let mut chunks = chunks;
    for (j, name) in header.iter().enumerate() {
        if failed[j] {
            let k = text_cols.iter().position(|&c| c == j)?;
            let cells = std::mem::take(&mut texts[k]);
            columns.push(column_from_cells(name, cells, 2));
        } else {
            // the first chunk's vector was reserved from its byte size, which is usually room
            // enough for all rows: append the rest to it instead of copying everything
            let mut v = std::mem::take(&mut chunks[0].nums[j]);
            v.reserve(nrows - v.len());
            for c in chunks.iter_mut().skip(1) {
                v.append(&mut c.nums[j]);
            }
            columns.push(Column {
                name: name.clone(),
                data: ColumnData::Num(v),
            });
        }
    }
    Some(columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_body_default(h: &[String], body: &[u8]) -> Option<Vec<Column>> {
        parse_body(h, body, Dialect::default())
    }

    #[test]
    fn falls_back_on_anything_unusual() {
        let h = vec!["a".to_string(), "b".to_string()];
        assert!(parse_body_default(&h, b"1,\"2\"\n").is_none(), "quotes");
        assert!(parse_body_default(&h, b"1,2\r3,4\n").is_none(), "lone CR");
        assert!(parse_body_default(&h, b"1,2\n3\n").is_none(), "short row");
        assert!(parse_body_default(&h, b"1,2,3\n").is_none(), "long row");
        assert!(parse_body_default(&h, b"1,\xff\n").is_none(), "bad UTF-8");
        let c = parse_body_default(&h, b"1,2\r\n\r\n  \n3, NA \n").expect("plain body");
        assert_eq!(c[0].data, ColumnData::Num(vec![1.0, 3.0]));
        match &c[1].data {
            ColumnData::Num(v) => assert!(v[0] == 2.0 && v[1].is_nan()),
            other => panic!("{other:?}"),
        }
    }
}
