//! A CSV file's feature columns parsed straight into single precision (`dimorph embed --csv-f32`):
//! one pass over the file, each selected cell parsed as the whole-table reader parses it (trimmed,
//! as `f64`) and stored as `f32`, row-major, so the features never exist as `f64` columns (half
//! the memory of [`dimorph_data::read_table`] for the features, a quarter with its text kept out).
//! The other columns the options name (ids, colour, class) are collected as text and read by the
//! ordinary CSV reader, so their types are inferred as usual. A cell that is missing, not a number,
//! infinite or beyond single precision's range (±3.4e38) is refused with its line and column.
//! The result feeds [`crate::input_f32::features_from_f32`], as a Parquet file's float32 columns do.

use crate::error::{EmbedError, Result};
use crate::input::select;
use dimorph_core::text::clip;
use dimorph_data::{is_missing_token, DataError, F32Matrix, Frame};
use std::path::Path;

/// Rows read before the features' buffer is sized from the file's length.
const SAMPLE_ROWS: usize = 1000;

/// The features matched by `patterns` as an [`F32Matrix`] (in file order, as selected), and a
/// [`Frame`] of the columns named in `others` (the same rows).
pub fn read_csv_f32(path: &Path, patterns: &[String], others: &[String]) -> Result<(Frame, F32Matrix)> {
    let source = path.display().to_string();
    let io = |e: std::io::Error| {
        EmbedError::Data(DataError::Io {
            path: source.clone(),
            source: e,
        })
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let file_len = file.metadata().map_err(io)?.len();
    let mut rdr =
        csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(dimorph_data::QuoteGuard::new(
                std::io::BufReader::with_capacity(1 << 20, file),
                b',',
            ));
    let parse_error = |line: usize, msg: String| {
        EmbedError::Data(DataError::Parse {
            path: source.clone(),
            line,
            msg,
        })
    };
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| parse_error(1, e.to_string()))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    if header.iter().all(String::is_empty) {
        return Err(EmbedError::Data(DataError::Empty { path: source }));
    }
    for (j, h) in header.iter().enumerate() {
        if h.is_empty() || header[..j].contains(h) {
            let what = if h.is_empty() {
                format!("column {} has an empty name", j + 1)
            } else {
                format!("column name '{}' appears twice", clip(h))
            };
            return Err(parse_error(1, what));
        }
    }
    let names: Vec<&str> = header.iter().map(String::as_str).collect();
    let chosen = select(&source, &names, patterns)?;
    let mut other_idx = Vec::with_capacity(others.len());
    for o in others {
        match header.iter().position(|h| h == o) {
            Some(j) => other_idx.push(j),
            None => {
                return Err(EmbedError::Data(DataError::UnknownColumn {
                    path: source,
                    name: o.clone(),
                    available: header.join(", "),
                }))
            }
        }
    }
    let d = chosen.len();
    let mut x: Vec<f32> = Vec::new();
    let mut text = csv::Writer::from_writer(Vec::new());
    let write_error = |e: csv::Error| EmbedError::Output(format!("{source}: {e}"));
    if !other_idx.is_empty() {
        text.write_record(other_idx.iter().map(|&j| header[j].as_str()))
            .map_err(write_error)?;
    }
    let mut rec = csv::StringRecord::new();
    let mut n = 0usize;
    let body_start = rdr.position().byte();
    loop {
        let line = n + 2;
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let at = e.position().map(|q| q.line() as usize).unwrap_or(line);
                return Err(parse_error(at, e.to_string()));
            }
        }
        let line = rec.position().map(|q| q.line() as usize).unwrap_or(line);
        if rec.len() != header.len() {
            return Err(parse_error(
                line,
                format!("{} fields, but the header has {}", rec.len(), header.len()),
            ));
        }
        for &j in &chosen {
            x.push(cell_f32(&rec[j], &header[j]).map_err(|msg| parse_error(line, msg))?);
        }
        if !other_idx.is_empty() {
            text.write_record(other_idx.iter().map(|&j| &rec[j]))
                .map_err(write_error)?;
        }
        n += 1;
        if n == SAMPLE_ROWS {
            // size the buffer for the whole file from the bytes per row so far (bounded by the
            // file's length: no allocation from a declared size)
            let per_row = (rdr.position().byte() - body_start).max(1) as f64 / n as f64;
            let rows = (file_len.saturating_sub(body_start) as f64 / per_row * 1.02) as usize;
            x.reserve(rows.saturating_sub(n) * d);
        }
    }
    rdr.get_ref().check(&source)?;
    if n == 0 {
        return Err(EmbedError::Input(format!("{source}: the table has no data rows")));
    }
    x.shrink_to_fit();
    let frame = if other_idx.is_empty() {
        Frame {
            source: source.clone(),
            columns: Vec::new(),
            nrows: n,
            first_line: 2,
        }
    } else {
        let bytes = text
            .into_inner()
            .map_err(|e| EmbedError::Output(format!("{source}: {e}")))?;
        dimorph_data::read_csv_bytes(&source, &bytes)?
    };
    let m = F32Matrix {
        source,
        names: chosen.iter().map(|&j| header[j].clone()).collect(),
        nrows: n,
        x,
    };
    Ok((frame, m))
}

/// One feature cell as `f32`: parsed as `f64` (as the whole-table reader does) and narrowed, or
/// the reason it cannot be.
fn cell_f32(cell: &str, column: &str) -> std::result::Result<f32, String> {
    let t = cell.trim();
    let fail = |why: &str| {
        format!(
            "column '{}' holds '{}': {why}; every feature must be a finite number",
            clip(column),
            clip(t)
        )
    };
    if is_missing_token(t) {
        return Err(fail("a missing value (remove or impute those rows)"));
    }
    let v: f64 = match t.parse() {
        Ok(v) => v,
        Err(_) => return Err(fail("not a number")),
    };
    if !v.is_finite() {
        return Err(fail("not finite"));
    }
    if v.abs() > f32::MAX as f64 {
        return Err(fail(
            "beyond single precision's range (±3.4e38) that --csv-f32 reads into; read it without --csv-f32",
        ));
    }
    Ok(v as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` in the file `name` of a scratch folder of its own, removed when dropped.
    fn write(name: &str, text: &str) -> dimorph_core::scratch::ScratchPath {
        let p = dimorph_core::scratch::ScratchPath::new("dimorph-embed-csvf32", name).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn features_match_the_whole_table_reader_bit_for_bit() {
        let mut text = String::from("id,a,b,c,label\n");
        for i in 0..2500 {
            let v = i as f64;
            text.push_str(&format!(
                "p{i}, {} ,{},{:e},{}\n",
                v * 0.1 - 3.3,
                (v * 0.731).sin() * 1e-3,
                v.powi(3) + 0.123_456_789,
                if i % 2 == 0 { "x" } else { "y" }
            ));
        }
        let p = write("same.csv", &text);
        let (frame, m) = read_csv_f32(&p, &["a,b".into(), "c".into()], &["label".into(), "id".into()]).unwrap();
        let whole = dimorph_data::read_table(&p).unwrap();
        assert_eq!(
            (m.nrows, m.names.clone()),
            (2500, vec!["a".to_string(), "b".into(), "c".into()])
        );
        for (j, name) in m.names.iter().enumerate() {
            let col = whole.numeric(name).unwrap();
            for (i, &v) in col.iter().enumerate() {
                assert_eq!(m.x[i * 3 + j].to_bits(), (v as f32).to_bits(), "row {i} column {name}");
            }
        }
        assert_eq!(frame.nrows, 2500);
        assert_eq!(frame.names(), vec!["label", "id"]);
        assert_eq!(frame.column("label").unwrap(), whole.column("label").unwrap());
        assert_eq!(frame.column("id").unwrap(), whole.column("id").unwrap());
        // no other columns: a frame of the rows alone
        let (frame, _) = read_csv_f32(&p, &["a".into()], &[]).unwrap();
        assert_eq!((frame.nrows, frame.columns.len()), (2500, 0));
    }

    #[test]
    fn bad_cells_are_refused_with_line_and_column() {
        let cases = [
            ("a,b\n1,2\n3,NA\n", "line 3", "missing"),
            ("a,b\n1,2\n3,4\n5,x7\n", "line 4", "not a number"),
            ("a,b\n1,inf\n", "line 2", "not finite"),
            ("a,b\n1,2\n1e39,2\n", "line 3", "single precision"),
            ("a,b\n1,2\n3\n", "line 3", "1 fields, but the header has 2"),
            ("a,a\n1,2\n", "line 1", "appears twice"),
        ];
        for (i, (text, line, what)) in cases.iter().enumerate() {
            let p = write(&format!("bad{i}.csv"), text);
            let e = read_csv_f32(&p, &["a,b".into()], &[])
                .map(|_| ())
                .unwrap_err()
                .to_string();
            assert!(e.contains(line) && e.contains(what), "{text:?}: {e}");
            assert!(e.contains("bad"), "names the file: {e}");
        }
        let p = write("nolabel.csv", "a,b\n1,2\n");
        let e = read_csv_f32(&p, &["a".into()], &["kind".into()])
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(e.contains("kind"), "{e}");
        let p = write("empty.csv", "a,b\n");
        let e = read_csv_f32(&p, &["a".into()], &[])
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(e.contains("no data rows"), "{e}");
    }

    #[test]
    fn largest_single_precision_values_are_read() {
        let p = write("big.csv", "a,b\n3.4e38,-3.4e38\n-1e-40,1\n");
        let (_, m) = read_csv_f32(&p, &["a,b".into()], &[]).unwrap();
        assert_eq!(m.x, vec![3.4e38f32, -3.4e38, -1e-40, 1.0]);
    }
}
