//! Parquet read one row group at a time, so that a pass over a file larger than memory holds
//! one row group's rows (the streaming GLM fit, `dimorph glm --stream`).
//!
//! A row group is decoded column by column with the `parquet` crate's typed column readers
//! (the chunk reader of [`crate::read_parquet`], [`crate::parquet_read::read_chunk`]: numbers,
//! booleans as 1/0, integers and DECIMAL as `Num`; strings as `Text`; nulls as NaN / `None`).
//! A file with a column that reader refuses (date/time, FLOAT16, …) is read through the
//! crate's row records instead, as before, which name the column when a model's pass meets it.
//! While the caller uses row group k, the next ones are decoded on a worker thread
//! ([`crate::parquet_prefetch`], at most [`ParquetRowGroups::with_ahead`] row groups ahead), so
//! decoding overlaps the computation; the frames are the same bit for bit whichever thread made
//! them. A row group's [`Frame::first_line`] is its first row's 1-based number in the file, so
//! messages name the file's row.

use crate::parquet_prefetch::Decoder;
pub use crate::parquet_prefetch::DEFAULT_AHEAD;
use crate::parquet_read::{classify, first_non_numeric, read_chunk, Kind};
use crate::{Column, ColumnData, DataError, Frame};
use parquet::basic::Type as PhysicalType;
use parquet::file::reader::{FileReader, RowGroupReader};
use parquet::file::serialized_reader::SerializedFileReader;
use parquet::record::Field;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

/// A Parquet file opened for reading row group by row group.
pub struct ParquetRowGroups {
    path: PathBuf,
    source: String,
    reader: SerializedFileReader<std::fs::File>,
    /// Per column: its name and whether it is text (BYTE_ARRAY).
    columns: Vec<(String, bool)>,
    /// Rows before each row group.
    starts: Vec<usize>,
    /// Per column, how the typed column reader maps it; `None` when one column is of a type only
    /// the row records read.
    kinds: Option<Vec<Kind>>,
    /// Row groups decoded ahead on a worker thread (0: each on the caller's thread when asked).
    ahead: usize,
    /// The worker thread decoding ahead, once a row group was asked for.
    decoder: Mutex<Option<Decoder>>,
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
        let kinds = (0..schema.num_columns())
            .map(|j| classify(&source, &schema.column(j)))
            .collect::<Result<Vec<_>, _>>()
            .ok();
        Ok(ParquetRowGroups {
            path,
            source,
            reader,
            columns,
            starts,
            kinds,
            ahead: DEFAULT_AHEAD,
            decoder: Mutex::new(None),
        })
    }

    /// Decodes up to `ahead` row groups ahead of the one asked for, on a worker thread (the
    /// default is [`DEFAULT_AHEAD`]); 0 decodes each row group on the caller's thread when
    /// [`read`](Self::read) asks for it. Memory holds at most `ahead` + 1 row groups.
    pub fn with_ahead(mut self, ahead: usize) -> Self {
        self.ahead = ahead;
        self
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

    /// Row group `k` as a [`Frame`] (all columns): handed over by the worker thread when it is
    /// the one after the row group asked for before (after the last, the first), else decoded
    /// from `k` on by a new worker thread; decoded here when `ahead` is 0 or no thread starts.
    pub fn read(&self, k: usize) -> Result<Frame, DataError> {
        if self.ahead == 0 || k >= self.len() {
            return self.decode(k);
        }
        let mut slot = self.decoder.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(frame) = slot.as_mut().and_then(|d| d.take(k)) {
            if frame.is_err() {
                *slot = None;
            }
            return frame;
        }
        *slot = None; // stops the decoder that was elsewhere (or had stopped)
        let twin = self.twin()?;
        let Ok(mut decoder) = Decoder::start(move |g| twin.decode(g), self.len(), k, self.ahead) else {
            return self.decode(k);
        };
        match decoder.take(k) {
            Some(Ok(frame)) => {
                *slot = Some(decoder);
                Ok(frame)
            }
            Some(Err(e)) => Err(e),
            None => self.decode(k), // the thread ended without a word: decode here
        }
    }

    /// The same file opened again, for a worker thread: its own file handle (the `parquet`
    /// crate's `File` reader seeks a file offset that clones of a handle share), the same row
    /// groups and columns, decoding on its own thread.
    fn twin(&self) -> Result<ParquetRowGroups, DataError> {
        let twin = ParquetRowGroups::open(&self.path)?.with_ahead(0);
        if twin.columns != self.columns || twin.starts != self.starts {
            return Err(DataError::Format {
                path: self.source.clone(),
                msg: "the file changed while it was being read (other columns or row groups)".into(),
            });
        }
        Ok(twin)
    }

    /// Row group `k` decoded on the calling thread: column by column, or through the row records when
    /// a column is of a type only they read.
    fn decode(&self, k: usize) -> Result<Frame, DataError> {
        if k >= self.len() {
            return Err(DataError::Format {
                path: self.source.clone(),
                msg: format!("row group {k}: the file has {} row groups", self.len()),
            });
        }
        let rg = self.reader.get_row_group(k).map_err(|e| DataError::Format {
            path: self.source.clone(),
            msg: format!("row group {k}: {e}"),
        })?;
        let mut f = match &self.kinds {
            Some(kinds) => self.decode_columns(k, rg.as_ref(), kinds)?,
            None => self.decode_records(k, rg.as_ref())?,
        };
        f.first_line = 1 + self.starts[k];
        Ok(f)
    }

    /// Row group `k` through the typed column readers.
    fn decode_columns(&self, k: usize, rg: &dyn RowGroupReader, kinds: &[Kind]) -> Result<Frame, DataError> {
        let n = usize::try_from(rg.metadata().num_rows()).unwrap_or(0);
        let schema = rg.metadata().schema_descr();
        let mut columns = Vec::with_capacity(kinds.len());
        for (j, ((name, _), &kind)) in self.columns.iter().zip(kinds).enumerate() {
            let cr = rg.get_column_reader(j).map_err(|e| DataError::Format {
                path: self.source.clone(),
                msg: format!("row group {k}: column '{}': {e}", dimorph_core::text::clip(name)),
            })?;
            let (mut nums, mut texts) = (Vec::new(), Vec::new());
            match kind {
                Kind::Text => texts.reserve(n),
                _ => nums.reserve(n),
            }
            let max_def = schema.column(j).max_def_level();
            read_chunk(&self.source, name, cr, kind, max_def, k, n, &mut nums, &mut texts)?;
            let data = match kind {
                Kind::Text => ColumnData::Text {
                    first_non_numeric: first_non_numeric(&texts, 1 + self.starts[k]),
                    values: texts,
                },
                _ => ColumnData::Num(nums),
            };
            columns.push(Column {
                name: name.clone(),
                data,
            });
        }
        Frame::from_columns(&self.source, columns)
    }

    /// Row group `k` through the row records (a column of a type the column readers refuse).
    fn decode_records(&self, k: usize, rg: &dyn RowGroupReader) -> Result<Frame, DataError> {
        let fmt = |msg: String| DataError::Format {
            path: self.source.clone(),
            msg,
        };
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
        Frame::from_columns(&self.source, columns)
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
