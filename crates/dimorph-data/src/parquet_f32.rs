//! Numeric columns of a Parquet file read straight into single precision, row-major, without a
//! double-precision copy (the patch features of a BagNet export are `float32`: 1M × 2048 of them
//! take 8 GB as `f32`, 16 GB more as `f64` columns), and a chosen subset of a file's columns as
//! a [`Frame`] (the id and label columns beside such features).

use crate::parquet_read::{classify, open, read_column, read_typed};
use crate::{Column, DataError, Frame};
use parquet::basic::Type as PhysicalType;
use parquet::column::reader::ColumnReader;
use parquet::file::reader::FileReader;
use std::path::Path;
use std::sync::Mutex;

/// Columns of `f32` values, row-major (`x[i * names.len() + j]`); missing values are NaN.
#[derive(Clone, Debug)]
pub struct F32Matrix {
    /// The file, for messages.
    pub source: String,
    pub names: Vec<String>,
    pub nrows: usize,
    pub x: Vec<f32>,
}

/// The names of a Parquet file's leaf columns and whether each is stored as `float32`.
pub fn parquet_float32_columns(path: impl AsRef<Path>) -> Result<Vec<(String, bool)>, DataError> {
    let path = path.as_ref();
    let p = path.display().to_string();
    let reader = open(path, &p)?;
    let schema = reader.metadata().file_metadata().schema_descr();
    Ok((0..schema.num_columns())
        .map(|j| {
            let c = schema.column(j);
            (c.name().to_string(), c.physical_type() == PhysicalType::FLOAT)
        })
        .collect())
}

/// The leaf index of each of `columns`, or an error naming the first missing one.
fn indices(source: &str, reader: &impl FileReader, columns: &[String]) -> Result<Vec<usize>, DataError> {
    let schema = reader.metadata().file_metadata().schema_descr();
    let names: Vec<String> = (0..schema.num_columns())
        .map(|j| schema.column(j).name().to_string())
        .collect();
    columns
        .iter()
        .map(|c| {
            names
                .iter()
                .position(|n| n == c)
                .ok_or_else(|| DataError::UnknownColumn {
                    path: source.into(),
                    name: c.clone(),
                    available: names.join(", "),
                })
        })
        .collect()
}

/// The `float32` columns `columns` of the Parquet file at `path`, row-major as `f32`: each column
/// is decoded on its own (threads take columns in turn) into one column buffer and scattered into
/// the matrix, so the memory is the matrix plus one column per thread.
pub fn read_parquet_f32(path: impl AsRef<Path>, columns: &[String]) -> Result<F32Matrix, DataError> {
    let path = path.as_ref();
    let p = path.display().to_string();
    let reader = open(path, &p)?;
    let idx = indices(&p, &reader, columns)?;
    let meta = reader.metadata();
    let schema = meta.file_metadata().schema_descr();
    for (c, &j) in columns.iter().zip(&idx) {
        if schema.column(j).physical_type() != PhysicalType::FLOAT {
            return Err(DataError::Format {
                path: p.clone(),
                msg: format!("column '{}' is not float32", dimorph_core::text::clip(c)),
            });
        }
    }
    let nrows = usize::try_from(meta.file_metadata().num_rows()).map_err(|_| DataError::Format {
        path: p.clone(),
        msg: "negative row count in the file footer".into(),
    })?;
    let d = columns.len();
    let cells = nrows.checked_mul(d).ok_or_else(|| DataError::Format {
        path: p.clone(),
        msg: "too many cells".into(),
    })?;
    let matrix = Mutex::new(vec![0.0f32; cells]);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(d)
        .max(1);
    let failed: Mutex<Option<DataError>> = Mutex::new(None);
    std::thread::scope(|s| {
        for t in 0..threads {
            let (matrix, failed, idx, p) = (&matrix, &failed, &idx, &p);
            s.spawn(move || {
                let rd = match open(path, p) {
                    Ok(r) => r,
                    Err(e) => {
                        *failed.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
                        return;
                    }
                };
                let max_def = |j: usize| rd.metadata().file_metadata().schema_descr().column(j).max_def_level();
                let mut col: Vec<f32> = Vec::with_capacity(nrows);
                for c in (t..d).step_by(threads) {
                    col.clear();
                    let j = idx[c];
                    let r = (0..rd.num_row_groups()).try_for_each(|rg| {
                        let rgr = rd.get_row_group(rg).map_err(|e| fmt(p, &columns[c], e))?;
                        let rows = usize::try_from(rgr.metadata().num_rows()).unwrap_or(0);
                        match rgr.get_column_reader(j).map_err(|e| fmt(p, &columns[c], e))? {
                            ColumnReader::FloatColumnReader(r) => {
                                read_typed(p, &columns[c], r, max_def(j), rows, &mut col, f32::NAN, |v| v)
                            }
                            _ => Err(fmt(p, &columns[c], "not float32")),
                        }
                    });
                    if let Err(e) = r.and_then(|()| {
                        (col.len() == nrows)
                            .then_some(())
                            .ok_or_else(|| fmt(p, &columns[c], "row count differs from the footer"))
                    }) {
                        *failed.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
                        return;
                    }
                    let mut m = matrix.lock().unwrap_or_else(|e| e.into_inner());
                    for (i, &v) in col.iter().enumerate() {
                        m[i * d + c] = v;
                    }
                }
            });
        }
    });
    if let Some(e) = failed.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(e);
    }
    Ok(F32Matrix {
        source: p,
        names: columns.to_vec(),
        nrows,
        x: matrix.into_inner().unwrap_or_else(|e| e.into_inner()),
    })
}

fn fmt(source: &str, name: &str, e: impl std::fmt::Display) -> DataError {
    DataError::Format {
        path: source.into(),
        msg: format!("column '{name}': cannot decode: {e}"),
    }
}

/// Only the columns `columns` of the Parquet file at `path`, as a [`Frame`] (first line 1, as
/// [`crate::read_parquet`]).
pub fn read_parquet_columns(path: impl AsRef<Path>, columns: &[String]) -> Result<Frame, DataError> {
    let path = path.as_ref();
    let p = path.display().to_string();
    let reader = open(path, &p)?;
    let idx = indices(&p, &reader, columns)?;
    let schema = reader.metadata().file_metadata().schema_descr();
    let nrows = usize::try_from(reader.metadata().file_metadata().num_rows()).unwrap_or(0);
    let mut cols = Vec::with_capacity(columns.len());
    for (name, &j) in columns.iter().zip(&idx) {
        let kind = classify(&p, &schema.column(j))?;
        let data = read_column(&p, &reader, j, name, kind, nrows)?;
        cols.push(Column {
            name: name.clone(),
            data,
        });
    }
    let mut f = Frame::from_columns(&p, cols)?;
    f.nrows = nrows;
    f.first_line = 1;
    Ok(f)
}
