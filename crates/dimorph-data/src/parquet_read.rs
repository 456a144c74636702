//! Parquet input: flat schemas of numeric, boolean and string columns, read column by column
//! with the `parquet` crate's typed column readers (no per-row records), one thread per column
//! batch.
//!
//! Type mapping (physical type, with its logical annotation):
//!
//! | Parquet | [`ColumnData`] |
//! | --- | --- |
//! | DOUBLE, FLOAT | `Num` |
//! | INT32, INT64 (plain or integer-annotated; unsigned annotations read as unsigned) | `Num` |
//! | INT32/INT64 DECIMAL(p, s) | `Num`, unscaled value × 10^−s |
//! | BOOLEAN | `Num` (1 = true, 0 = false) |
//! | BYTE_ARRAY (UTF8/STRING/ENUM/JSON or unannotated, valid UTF-8) | `Text` |
//!
//! Nulls become `NaN` in numeric columns and `None` in text columns. String values are kept as
//! they are (a Parquet string `"NA"` is text, not a missing value: Parquet has real nulls).
//! Nested or repeated columns, INT96, FIXED_LEN_BYTE_ARRAY and date/time/timestamp columns are a
//! [`DataError::Format`] naming the column. Rows are numbered from 1 in error messages
//! (`Frame::first_line` is 1: "line" means row for a Parquet source).

use crate::{Column, ColumnData, DataError, Frame};
use parquet::basic::{ConvertedType, LogicalType, Repetition, Type as PhysicalType};
use parquet::column::reader::{ColumnReader, ColumnReaderImpl};
use parquet::data_type::DataType;
use parquet::file::reader::{ChunkReader, FileReader};
use parquet::file::serialized_reader::SerializedFileReader;
use parquet::schema::types::ColumnDescriptor;
use std::path::Path;

/// Rows decoded per `read_records` call.
const BATCH: usize = 65_536;

/// Reads a Parquet file into a [`Frame`].
pub fn read_parquet(path: impl AsRef<Path>) -> Result<Frame, DataError> {
    let path = path.as_ref();
    let p = path.display().to_string();
    let reader = open(path, &p)?;
    read_from(&p, &reader, || open(path, &p))
}

/// Opens the file and parses its footer. Each reading thread opens its own handle: the
/// `parquet` crate's `ChunkReader` for `File` seeks on `try_clone`d handles, which share one
/// file offset, so a single handle must not be read from two threads.
pub(crate) fn open(path: &Path, p: &str) -> Result<SerializedFileReader<std::fs::File>, DataError> {
    let file = std::fs::File::open(path).map_err(|e| DataError::Io {
        path: p.into(),
        source: e,
    })?;
    SerializedFileReader::new(file).map_err(|e| DataError::Format {
        path: p.into(),
        msg: format!("not a readable Parquet file: {e}"),
    })
}

/// What a leaf column becomes.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Kind {
    Float,
    Int { unsigned: bool, scale: i32 },
    Bool,
    Text,
}

pub(crate) fn classify(source: &str, d: &ColumnDescriptor) -> Result<Kind, DataError> {
    let name = d.name();
    let unsupported = |what: String| DataError::Format {
        path: source.into(),
        msg: format!("column '{name}' has type {what}, which dimorph cannot read (numbers, booleans and strings only)"),
    };
    let logical = d.logical_type_ref();
    if let Some(l) = logical {
        match l {
            LogicalType::Date | LogicalType::Time(_) | LogicalType::Timestamp(_) => {
                return Err(unsupported(format!("{l:?}")))
            }
            _ => {}
        }
    }
    let int_kind = || {
        let unsigned = matches!(logical, Some(LogicalType::Integer(t)) if !t.is_signed)
            || matches!(
                d.converted_type(),
                ConvertedType::UINT_8 | ConvertedType::UINT_16 | ConvertedType::UINT_32 | ConvertedType::UINT_64
            );
        let scale = match logical {
            Some(LogicalType::Decimal(t)) => t.scale,
            _ if d.converted_type() == ConvertedType::DECIMAL => d.type_scale(),
            _ => 0,
        };
        Kind::Int { unsigned, scale }
    };
    match d.physical_type() {
        PhysicalType::DOUBLE | PhysicalType::FLOAT => Ok(Kind::Float),
        PhysicalType::INT32 | PhysicalType::INT64 => match d.converted_type() {
            ConvertedType::DATE
            | ConvertedType::TIME_MILLIS
            | ConvertedType::TIME_MICROS
            | ConvertedType::TIMESTAMP_MILLIS
            | ConvertedType::TIMESTAMP_MICROS
            | ConvertedType::INTERVAL => Err(unsupported(format!("{}", d.converted_type()))),
            _ => Ok(int_kind()),
        },
        PhysicalType::BOOLEAN => Ok(Kind::Bool),
        PhysicalType::BYTE_ARRAY => match logical {
            None | Some(LogicalType::String) | Some(LogicalType::Enum) | Some(LogicalType::Json) => Ok(Kind::Text),
            Some(l) => Err(unsupported(format!("BYTE_ARRAY ({l:?})"))),
        },
        other => Err(unsupported(format!("{other}"))),
    }
}

fn read_from<R: ChunkReader + 'static>(
    source: &str,
    reader: &SerializedFileReader<R>,
    reopen: impl Fn() -> Result<SerializedFileReader<R>, DataError> + Sync,
) -> Result<Frame, DataError> {
    let meta = reader.metadata();
    let schema = meta.file_metadata().schema_descr();
    let root = schema.root_schema();
    // Flat schema: every top-level field is a primitive, non-repeated column.
    let mut names: Vec<String> = Vec::new();
    for f in root.get_fields() {
        if f.is_group() {
            return Err(DataError::Format {
                path: source.into(),
                msg: format!(
                    "column '{}' is nested (a group); only flat tables can be read",
                    f.name()
                ),
            });
        }
        if f.get_basic_info().has_repetition() && f.get_basic_info().repetition() == Repetition::REPEATED {
            return Err(DataError::Format {
                path: source.into(),
                msg: format!(
                    "column '{}' is repeated (a list); only flat tables can be read",
                    f.name()
                ),
            });
        }
        if names.iter().any(|n| n == f.name()) {
            return Err(DataError::Format {
                path: source.into(),
                msg: format!("column name '{}' appears twice", dimorph_core::text::clip(f.name())),
            });
        }
        names.push(f.name().to_string());
    }
    if names.is_empty() {
        return Err(DataError::Empty { path: source.into() });
    }
    let kinds = (0..schema.num_columns())
        .map(|j| classify(source, &schema.column(j)))
        .collect::<Result<Vec<_>, _>>()?;
    let nrows = usize::try_from(meta.file_metadata().num_rows()).map_err(|_| DataError::Format {
        path: source.into(),
        msg: "negative row count in the file footer".into(),
    })?;

    // Columns are independent: read them on up to `available_parallelism` threads.
    let ncol = kinds.len();
    let nthreads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(ncol)
        .max(1);
    let mut results: Vec<Option<Result<ColumnData, DataError>>> = (0..ncol).map(|_| None).collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..nthreads)
            .map(|t| {
                let kinds = &kinds;
                let names = &names;
                let reopen = &reopen;
                s.spawn(move || {
                    let own;
                    let rd = if t == 0 {
                        reader
                    } else {
                        match reopen() {
                            Ok(r) => {
                                own = r;
                                &own
                            }
                            Err(e) => return vec![(t, Err(e))],
                        }
                    };
                    (t..ncol)
                        .step_by(nthreads)
                        .map(|j| (j, read_column(source, rd, j, &names[j], kinds[j], nrows)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            match h.join() {
                Ok(v) => {
                    for (j, r) in v {
                        results[j] = Some(r);
                    }
                }
                Err(_) => {
                    // A panic inside the parquet crate on malformed input: report, don't crash.
                    for r in results.iter_mut().filter(|r| r.is_none()) {
                        *r = Some(Err(DataError::Format {
                            path: source.into(),
                            msg: "the Parquet decoder failed on malformed data".into(),
                        }));
                    }
                }
            }
        }
    });
    let mut columns = Vec::with_capacity(ncol);
    for (name, r) in names.iter().zip(results) {
        let data = r.unwrap_or_else(|| {
            Err(DataError::Format {
                path: source.into(),
                msg: format!("column '{name}' was not read"),
            })
        })?;
        columns.push(Column {
            name: name.clone(),
            data,
        });
    }
    let mut f = Frame::from_columns(source, columns)?;
    f.first_line = 1;
    Ok(f)
}

fn fmt_err(source: &str, name: &str, e: impl std::fmt::Display) -> DataError {
    DataError::Format {
        path: source.into(),
        msg: format!("column '{name}': cannot decode: {e}"),
    }
}

/// Reads every row group of leaf column `j`.
pub(crate) fn read_column<R: ChunkReader + 'static>(
    source: &str,
    reader: &SerializedFileReader<R>,
    j: usize,
    name: &str,
    kind: Kind,
    nrows: usize,
) -> Result<ColumnData, DataError> {
    let max_def = reader
        .metadata()
        .file_metadata()
        .schema_descr()
        .column(j)
        .max_def_level();
    let mut nums: Vec<f64> = Vec::new();
    let mut texts: Vec<Option<String>> = Vec::new();
    match kind {
        Kind::Text => texts.reserve(nrows),
        _ => nums.reserve(nrows),
    }
    for rg in 0..reader.num_row_groups() {
        let rgr = reader.get_row_group(rg).map_err(|e| fmt_err(source, name, e))?;
        let rg_rows = usize::try_from(rgr.metadata().num_rows()).unwrap_or(0);
        let cr = rgr.get_column_reader(j).map_err(|e| fmt_err(source, name, e))?;
        read_chunk(source, name, cr, kind, max_def, rg, rg_rows, &mut nums, &mut texts)?;
    }
    match kind {
        Kind::Text => Ok(ColumnData::Text {
            first_non_numeric: first_non_numeric(&texts, 1),
            values: texts,
        }),
        _ => Ok(ColumnData::Num(nums)),
    }
}

/// The row number (the first cell is row `first_row`) and the value of the first cell of a text
/// column that is not a number.
pub(crate) fn first_non_numeric(texts: &[Option<String>], first_row: usize) -> Option<(usize, String)> {
    texts.iter().enumerate().find_map(|(i, c)| {
        c.as_ref()
            .filter(|s| crate::parse_num(s).is_none())
            .map(|s| (first_row + i, s.clone()))
    })
}

/// Appends column chunk `cr` (row group `rg`, `rg_rows` rows) of column `name` to `nums`
/// (numeric kinds) or `texts` (text), as [`read_column`] maps each type.
#[allow(clippy::too_many_arguments)]
pub(crate) fn read_chunk(
    source: &str,
    name: &str,
    cr: ColumnReader,
    kind: Kind,
    max_def: i16,
    rg: usize,
    rg_rows: usize,
    nums: &mut Vec<f64>,
    texts: &mut Vec<Option<String>>,
) -> Result<(), DataError> {
    match (kind, cr) {
        (Kind::Float, ColumnReader::DoubleColumnReader(r)) => {
            read_typed(source, name, r, max_def, rg_rows, nums, f64::NAN, |v| v)?
        }
        (Kind::Float, ColumnReader::FloatColumnReader(r)) => {
            read_typed(source, name, r, max_def, rg_rows, nums, f64::NAN, f64::from)?
        }
        (Kind::Int { unsigned, scale }, ColumnReader::Int32ColumnReader(r)) => {
            let k = 10f64.powi(-scale);
            if unsigned {
                read_typed(source, name, r, max_def, rg_rows, nums, f64::NAN, |v| {
                    f64::from(v as u32) * k
                })?
            } else {
                read_typed(source, name, r, max_def, rg_rows, nums, f64::NAN, |v| f64::from(v) * k)?
            }
        }
        (Kind::Int { unsigned, scale }, ColumnReader::Int64ColumnReader(r)) => {
            let k = 10f64.powi(-scale);
            if unsigned {
                read_typed(source, name, r, max_def, rg_rows, nums, f64::NAN, |v| {
                    (v as u64) as f64 * k
                })?
            } else {
                read_typed(source, name, r, max_def, rg_rows, nums, f64::NAN, |v| v as f64 * k)?
            }
        }
        (Kind::Bool, ColumnReader::BoolColumnReader(r)) => {
            read_typed(source, name, r, max_def, rg_rows, nums, f64::NAN, |v| {
                if v {
                    1.0
                } else {
                    0.0
                }
            })?
        }
        (Kind::Text, ColumnReader::ByteArrayColumnReader(r)) => {
            let start = texts.len();
            let mut bad: Option<usize> = None;
            read_typed(
                source,
                name,
                r,
                max_def,
                rg_rows,
                texts,
                None,
                |v| match std::str::from_utf8(v.data()) {
                    Ok(s) => Some(s.to_string()),
                    Err(_) => {
                        bad.get_or_insert(0);
                        None
                    }
                },
            )?;
            if bad.is_some() {
                return Err(DataError::Format {
                    path: source.into(),
                    msg: format!(
                        "column '{name}' holds bytes that are not UTF-8 text (row group {}, from row {})",
                        rg + 1,
                        start + 1
                    ),
                });
            }
        }
        (k, _) => return Err(fmt_err(source, name, format!("unexpected reader for {k:?}"))),
    }
    Ok(())
}

/// Reads one column chunk of `rows` rows, appending `conv(value)` or `null` per row (a row is
/// null when its definition level is below `max_def`).
#[allow(clippy::too_many_arguments)]
pub(crate) fn read_typed<T: DataType, O>(
    source: &str,
    name: &str,
    mut r: ColumnReaderImpl<T>,
    max_def: i16,
    rows: usize,
    out: &mut Vec<O>,
    null: O,
    mut conv: impl FnMut(T::T) -> O,
) -> Result<(), DataError>
where
    O: Clone,
    T::T: Clone,
{
    let mut values: Vec<T::T> = Vec::with_capacity(BATCH.min(rows.max(1)));
    let mut defs: Vec<i16> = Vec::with_capacity(if max_def > 0 { BATCH.min(rows.max(1)) } else { 0 });
    let mut done = 0usize;
    while done < rows {
        values.clear();
        defs.clear();
        let want = BATCH.min(rows - done);
        let (recs, nvals, nlev) = r
            .read_records(
                want,
                if max_def > 0 { Some(&mut defs) } else { None },
                None,
                &mut values,
            )
            .map_err(|e| fmt_err(source, name, e))?;
        if recs == 0 {
            return Err(fmt_err(
                source,
                name,
                format!("the column chunk ends after {done} of {rows} rows"),
            ));
        }
        if max_def > 0 {
            if nlev != recs {
                return Err(fmt_err(source, name, "definition levels do not match the rows"));
            }
            let mut it = values.drain(..nvals);
            for &d in &defs[..nlev] {
                if d == max_def {
                    match it.next() {
                        Some(v) => out.push(conv(v)),
                        None => return Err(fmt_err(source, name, "fewer values than definition levels")),
                    }
                } else {
                    out.push(null.clone());
                }
            }
        } else {
            out.extend(values.drain(..nvals).map(&mut conv));
        }
        done += recs;
    }
    Ok(())
}
