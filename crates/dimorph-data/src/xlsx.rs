//! Excel `.xlsx` worksheets (through the `calamine` crate) as a [`Frame`]: the first row of the
//! used range is the header, each further row a record. Number cells are numbers; text cells
//! follow the CSV rules (missing tokens; a text cell `0,5` is the number 0.5; `<5` stays text);
//! a date becomes its Excel serial number; an error cell (`#N/A`, `#DIV/0!`) counts as missing.
//! Errors name the file and the sheet (`lab.xlsx [sheet 'ALT']`); "line" is the worksheet's row.

use crate::dialect::{normalise_decimal, ReadOptions};
use crate::{column_from_cells, is_missing_token, DataError, Frame};
use calamine::{open_workbook, Data, Reader, Xlsx};
use dimorph_core::text::{clip, clip_to};
use std::path::Path;

/// Reads one worksheet of an `.xlsx` workbook: `o.sheet`, or the first sheet.
pub fn read_xlsx(path: impl AsRef<Path>, o: &ReadOptions) -> Result<Frame, DataError> {
    let path = path.as_ref();
    let p = path.display().to_string();
    let fail = |msg: String| DataError::Format { path: p.clone(), msg };
    check_inflation(path).map_err(&fail)?;
    let mut wb: Xlsx<std::io::BufReader<std::fs::File>> = open_workbook(path).map_err(|e: calamine::XlsxError| {
        fail(format!(
            "cannot read the Excel workbook: {}",
            clip_to(&e.to_string(), 300)
        ))
    })?;
    let names = wb.sheet_names();
    let sheet = match &o.sheet {
        Some(s) if names.contains(s) => s.clone(),
        Some(s) => {
            return Err(fail(format!(
                "--sheet: no sheet named '{}' (sheets are: {})",
                clip(s),
                clip_to(&names.join(", "), 300)
            )))
        }
        None => names
            .first()
            .cloned()
            .ok_or_else(|| fail("the workbook has no sheets".into()))?,
    };
    let source = format!("{p} [sheet '{}']", clip(&sheet));
    let cells = sheet_cells(&mut wb, &sheet).map_err(|e| fail(format!("sheet '{}': {e}", clip(&sheet))))?;
    frame_of_cells(source, cells)
}

/// The sheet's cells that hold something (not `Data::Empty`), as (row, column, value), in row
/// order. Read cell by cell rather than as calamine's dense `Range`, which allocates every
/// position between the first and the last cell: one cell at XFD1048576 asked for 512 GiB.
fn sheet_cells(wb: &mut Xlsx<std::io::BufReader<std::fs::File>>, sheet: &str) -> Result<Vec<(u32, u32, Data)>, String> {
    let mut reader = wb
        .worksheet_cells_reader(sheet)
        .map_err(|e| clip_to(&e.to_string(), 300))?;
    let mut cells = Vec::new();
    while let Some(c) = reader.next_cell().map_err(|e| clip_to(&e.to_string(), 300))? {
        let value: Data = c.get_value().clone().into();
        if !matches!(value, Data::Empty) {
            let (r, col) = c.get_position();
            cells.push((r, col, value));
        }
    }
    cells.sort_by_key(|(r, c, _)| (*r, *c));
    Ok(cells)
}

/// Most cells a sheet's table may span per cell it holds, beyond [`DENSE_FLOOR`]: a table is
/// stored densely, so a sparse sheet (a few cells far apart) is refused instead of filled.
const DENSE_RATIO: usize = 64;
/// A table may always span this many cells.
const DENSE_FLOOR: usize = 10_000_000;

/// The table of sorted `cells`: the first row holding a cell is the header (its columns up to the
/// last named one, from the leftmost column holding a cell), each later row holding a cell a record.
fn frame_of_cells(source: String, cells: Vec<(u32, u32, Data)>) -> Result<Frame, DataError> {
    let Some(&(top, _, _)) = cells.first() else {
        return Err(DataError::Empty { path: source });
    };
    let left = cells.iter().map(|(_, c, _)| *c).min().unwrap_or(0);
    let first_row = top as usize + 1;
    let header_end = cells.partition_point(|(r, _, _)| *r == top);
    let width = cells[..header_end]
        .last()
        .map_or(0, |(_, c, _)| (c - left) as usize + 1);
    let mut header = vec![String::new(); width];
    for (_, c, v) in &cells[..header_end] {
        header[(c - left) as usize] = v.to_string().trim().to_string();
    }
    // trailing empty header cells (formatting beyond the table) are not columns
    let ncol = header.iter().rposition(|h| !h.is_empty()).map_or(0, |i| i + 1);
    if ncol == 0 {
        return Err(DataError::Empty { path: source });
    }
    for (j, h) in header[..ncol].iter().enumerate() {
        let msg = if h.is_empty() {
            format!("column {} has an empty name", j + 1)
        } else if header[..j].contains(h) {
            format!("column name '{}' appears twice", clip(h))
        } else {
            continue;
        };
        return Err(DataError::Parse {
            path: source,
            line: first_row,
            msg,
        });
    }
    let body = &cells[header_end..];
    // rows holding a cell (anywhere: a row of cells beyond the table is a record of missing values,
    // an empty row is skipped as a blank line of a CSV)
    let rows = body.windows(2).filter(|w| w[0].0 != w[1].0).count() + usize::from(!body.is_empty());
    if rows.saturating_mul(ncol) > DENSE_FLOOR.max(DENSE_RATIO.saturating_mul(cells.len())) {
        return Err(DataError::Format {
            path: source,
            msg: format!(
                "the table spans {rows} rows × {ncol} columns but the sheet holds only {} cells; \
                 remove the stray cells far from the table, or save the table alone",
                cells.len()
            ),
        });
    }
    let mut columns: Vec<Vec<Option<String>>> = vec![Vec::with_capacity(rows); ncol];
    let mut k = 0;
    while k < body.len() {
        let r = body[k].0;
        let end = k + body[k..].partition_point(|(rr, _, _)| *rr == r);
        for col in columns.iter_mut() {
            col.push(None);
        }
        for (_, c, v) in &body[k..end] {
            if let Some(slot) = columns.get_mut((c - left) as usize).and_then(|col| col.last_mut()) {
                *slot = cell_text(v);
            }
        }
        k = end;
    }
    let columns = header[..ncol]
        .iter()
        .zip(columns)
        .map(|(h, c)| column_from_cells(h, c, first_row + 1))
        .collect();
    let mut f = Frame::from_columns(&source, columns)?;
    f.first_line = first_row + 1;
    Ok(f)
}

/// Whatever the file's size, the XML parts calamine reads may not inflate beyond this.
const INFLATE_CAP: u64 = 1 << 30;
/// Parts may always inflate to this much, however small the file.
const INFLATE_FLOOR: u64 = 64 << 20;
/// Beyond the floor: at most this many times the file's size (real workbooks compress 5–30x).
const INFLATE_RATIO: u64 = 200;

/// Refuses a decompression bomb before calamine opens the workbook: the XML parts (`*.xml`,
/// `*.rels`, which are all calamine reads; media and other binary parts are never touched)
/// may not declare, nor actually inflate to, more than `min(CAP, max(FLOOR, RATIO × file size))`
/// bytes in all. A part whose data inflates beyond its declared size is refused as soon as it
/// does, so the check itself reads at most the limit.
fn check_inflation(path: &Path) -> Result<(), String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open the workbook: {e}"))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let limit = INFLATE_CAP.min(INFLATE_FLOOR.max(len.saturating_mul(INFLATE_RATIO)));
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| format!("not an Excel workbook (zip): {}", clip_to(&e.to_string(), 300)))?;
    let bomb = |name: &str, what: String| {
        format!(
            "refused as a decompression bomb: part '{}' {what}; the XML parts of a {len}-byte \
             workbook may inflate to at most {limit} bytes",
            clip(name)
        )
    };
    let mut parts = Vec::new();
    let mut declared: u64 = 0;
    for i in 0..zip.len() {
        let e = zip.by_index_raw(i).map_err(|e| format!("zip entry {i}: {e}"))?;
        let name = e.name().map(|n| n.into_owned()).unwrap_or_default();
        let lower = name.to_ascii_lowercase();
        if !(lower.ends_with(".xml") || lower.ends_with(".rels")) {
            continue;
        }
        declared = declared.saturating_add(e.size());
        if declared > limit {
            return Err(bomb(
                &name,
                format!("declares {} bytes ({} in all so far)", e.size(), declared),
            ));
        }
        parts.push((i, name, e.size()));
    }
    // the declared sizes may lie: inflate each part, counting, never past its declaration
    for (i, name, size) in parts {
        let e = zip.by_index(i).map_err(|e| format!("part '{}': {e}", clip(&name)))?;
        let got = std::io::copy(&mut std::io::Read::take(e, size + 1), &mut std::io::sink())
            .map_err(|e| format!("part '{}': {}", clip(&name), clip_to(&e.to_string(), 300)))?;
        if got > size {
            return Err(bomb(&name, format!("inflates beyond the {size} bytes it declares")));
        }
    }
    Ok(())
}

/// One cell as the CSV reader would have seen it (None = missing).
fn cell_text(c: &Data) -> Option<String> {
    let t = match c {
        Data::Empty | Data::Error(_) => return None,
        Data::Float(v) => return Some(format!("{v}")),
        Data::Int(v) => return Some(format!("{v}")),
        Data::DateTime(d) => return Some(format!("{}", d.as_f64())),
        other => other.to_string(),
    };
    let t = t.trim();
    if is_missing_token(t) {
        None
    } else {
        // a text cell '0,5' is a number written with a decimal comma (a European export)
        Some(normalise_decimal(t).into_owned())
    }
}
