//! Parquet read one row group at a time, so that a pass over a file larger than memory holds
//! one row group's rows (the streaming GLM fit, `dimorph glm --stream`).
//!
//! The values follow [`crate::read_parquet`]'s mapping (numbers, booleans as 1/0 and
//! integers as `Num`; strings as `Text`; nulls as NaN / `None`), read through the `parquet`
//! crate's row records. DECIMAL, date/time and nested columns are refused with a message that
//! names the column (read such a file whole, without streaming). A row group's
//! [`Frame::first_line`] is its first row's 1-based number in the file, so messages name the
//! file's row.

use crate::{Column, ColumnData, DataError, Frame};
use parquet::basic::Type as PhysicalType;
use parquet::file::reader::FileReader;
use parquet::file::serialized_reader::SerializedFileReader;
use parquet::record::Field;
use std::path::{Path, PathBuf};

/// A Parquet file opened for reading row group by row group.
pub struct ParquetRowGroups {
    path: PathBuf,
    source: String,
    reader: SerializedFileReader<std::fs::File>,
    /// Per column: its name and whether it is text (BYTE_ARRAY).
    columns: Vec<(String, bool)>,
    /// Rows before each row group.
    starts: Vec<usize>,
}

impl ParquetRowGroups {
    /// Opens `path` and reads its footer (schema and row-group sizes).
    pub fn open(path: impl AsRef<Path>) -> Result<Self, DataError> {
        let path = path.as_ref().to_path_buf();
        let source = path.display().to_string();
        let file = std::fs::File::open(&path).map_err(|e| DataError::Io {
            path: source.clone(),
            source: e,
        })?;
        let reader = SerializedFileReader::new(file).map_err(|e| DataError::Format {
            path: source.clone(),
            msg: format!("not a readable Parquet file: {e}"),
        })?;
        let meta = reader.metadata();
        let schema = meta.file_metadata().schema_descr();
        if schema.root_schema().get_fields().iter().any(|f| f.is_group()) {
            return Err(DataError::Format {
                path: source,
                msg: "a column is nested (a group); only flat tables can be read".into(),
            });
        }
        let columns: Vec<(String, bool)> = (0..schema.num_columns())
            .map(|j| {
                let c = schema.column(j);
                (c.name().to_string(), c.physical_type() == PhysicalType::BYTE_ARRAY)
            })
            .collect();
        if columns.is_empty() {
            return Err(DataError::Empty { path: source });
        }
        let mut starts = Vec::with_capacity(meta.num_row_groups());
        let mut total = 0usize;
        for g in meta.row_groups() {
            starts.push(total);
            total += usize::try_from(g.num_rows()).unwrap_or(0);
        }
        Ok(ParquetRowGroups {
            path,
            source,
            reader,
            columns,
            starts,
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The column names, in the file's order.
    pub fn names(&self) -> Vec<&str> {
        self.columns.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// Number of row groups.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Whether the file has no row group.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// Row group `k` as a [`Frame`] (all columns).
    pub fn read(&self, k: usize) -> Result<Frame, DataError> {
        let fmt = |msg: String| DataError::Format {
            path: self.source.clone(),
            msg,
        };
        let rg = self
            .reader
            .get_row_group(k)
            .map_err(|e| fmt(format!("row group {k}: {e}")))?;
        let n = usize::try_from(rg.metadata().num_rows()).unwrap_or(0);
        let mut nums: Vec<Vec<f64>> = Vec::new();
        let mut texts: Vec<Vec<Option<String>>> = Vec::new();
        for (_, text) in &self.columns {
            if *text {
                texts.push(Vec::with_capacity(n));
                nums.push(Vec::new());
            } else {
                nums.push(Vec::with_capacity(n));
                texts.push(Vec::new());
            }
        }
        let rows = rg.get_row_iter(None).map_err(|e| fmt(format!("row group {k}: {e}")))?;
        for row in rows {
            let row = row.map_err(|e| fmt(format!("row group {k}: cannot decode: {e}")))?;
            for (j, (_, field)) in row.get_column_iter().enumerate() {
                let Some((name, text)) = self.columns.get(j) else {
                    return Err(fmt(format!("row group {k}: more fields than columns")));
                };
                if *text {
                    texts[j].push(text_value(field).map_err(|t| fmt(unsupported(name, &t)))?);
                } else {
                    nums[j].push(num_value(field).map_err(|t| fmt(unsupported(name, &t)))?);
                }
            }
        }
        let columns = self
            .columns
            .iter()
            .zip(nums.into_iter().zip(texts))
            .map(|((name, text), (num, txt))| Column {
                name: name.clone(),
                data: if *text {
                    ColumnData::Text {
                        values: txt,
                        first_non_numeric: None,
                    }
                } else {
                    ColumnData::Num(num)
                },
            })
            .collect();
        let mut f = Frame::from_columns(&self.source, columns)?;
        f.first_line = 1 + self.starts[k];
        Ok(f)
    }
}

fn unsupported(name: &str, what: &str) -> String {
    format!(
        "column '{}' has type {what}, which the row-group reader cannot stream (numbers, booleans and strings only); read the file whole",
        dimorph_core::text::clip(name)
    )
}

/// A numeric cell (`Err` names the unsupported type).
fn num_value(f: &Field) -> Result<f64, String> {
    Ok(match f {
        Field::Null => f64::NAN,
        Field::Bool(b) => f64::from(u8::from(*b)),
        Field::Byte(v) => f64::from(*v),
        Field::Short(v) => f64::from(*v),
        Field::Int(v) => f64::from(*v),
        Field::Long(v) => *v as f64,
        Field::UByte(v) => f64::from(*v),
        Field::UShort(v) => f64::from(*v),
        Field::UInt(v) => f64::from(*v),
        Field::ULong(v) => *v as f64,
        Field::Float(v) => f64::from(*v),
        Field::Double(v) => *v,
        Field::Float16(v) => f64::from(*v),
        other => return Err(field_kind(other)),
    })
}

/// A text cell (`Err` names the unsupported type).
fn text_value(f: &Field) -> Result<Option<String>, String> {
    match f {
        Field::Null => Ok(None),
        Field::Str(s) => Ok(Some(s.clone())),
        Field::Bytes(b) => match std::str::from_utf8(b.data()) {
            Ok(s) => Ok(Some(s.to_string())),
            Err(_) => Err("BYTE_ARRAY (not UTF-8)".into()),
        },
        other => Err(field_kind(other)),
    }
}

fn field_kind(f: &Field) -> String {
    let s = format!("{f:?}");
    s.split('(').next().unwrap_or("?").to_string()
}
