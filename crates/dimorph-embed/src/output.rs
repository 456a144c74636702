//! The coordinates of an embedding as files: the tidy table `embedding` (columns `row`, the
//! 1-based input row, `tsne1`, `tsne2`, then any columns carried over from the input: ids,
//! colour, class), written as CSV by the kernel ([`dimorph_core::TidyTable`], so quoting is
//! always right and numbers round-trip exactly), and the same columns as Parquet bytes.
//!
//! [`write_csv`] and [`write_parquet`] write one file for library callers that want a single file
//! (atomically, through the kernel); the analysis itself returns its files in its outcome.

use dimorph_core::output::{write_atomic, Overwrite};
use dimorph_core::{Cell, TidyTable};
use parquet::basic::Compression;
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use parquet::schema::types::Type;
use std::path::Path;
use std::sync::Arc;

/// A column copied from the input next to the coordinates.
#[derive(Clone, Debug)]
pub enum Extra {
    /// Numbers (NaN = missing).
    Num(String, Vec<f64>),
    /// Text (None = missing).
    Text(String, Vec<Option<String>>),
}

impl Extra {
    pub fn name(&self) -> &str {
        match self {
            Extra::Num(n, _) | Extra::Text(n, _) => n,
        }
    }

    /// The cell of row `i` (missing: NaN or None).
    fn cell(&self, i: usize) -> Cell {
        match self {
            Extra::Num(_, v) => Cell::from(v[i]),
            Extra::Text(_, v) => v[i].as_deref().map_or(Cell::Missing, Cell::from),
        }
    }
}

/// The embedding as the tidy table `embedding`: one row per input row.
pub fn embedding_table(y: &[[f64; 2]], extras: &[Extra]) -> TidyTable {
    let mut columns = vec!["row", "tsne1", "tsne2"];
    columns.extend(extras.iter().map(Extra::name));
    let mut t = TidyTable::new("embedding", &columns);
    t.rows.reserve(y.len());
    for (i, p) in y.iter().enumerate() {
        let mut row = Vec::with_capacity(3 + extras.len());
        row.extend([Cell::from(i + 1), Cell::from(p[0]), Cell::from(p[1])]);
        row.extend(extras.iter().map(|e| e.cell(i)));
        t.push(row);
    }
    t
}

/// Writes the embedding as CSV to `path` (atomically, replacing an existing file).
pub fn write_csv(path: &Path, y: &[[f64; 2]], extras: &[Extra]) -> std::io::Result<()> {
    let csv = embedding_table(y, extras).to_csv();
    write_atomic(path, csv.as_bytes(), Overwrite::Replace).map_err(|e| std::io::Error::other(e.to_string()))
}

/// Writes the embedding as Parquet to `path` (atomically, replacing an existing file).
pub fn write_parquet(path: &Path, y: &[[f64; 2]], extras: &[Extra]) -> Result<(), String> {
    let bytes = parquet_bytes(y, extras).map_err(|e| format!("{}: {e}", path.display()))?;
    write_atomic(path, &bytes, Overwrite::Replace).map_err(|e| e.to_string())
}

/// The Parquet schema: `row` int64, `tsne1`/`tsne2` double, extras as optional double or UTF-8
/// columns under their own names (which may hold characters the schema parser rejects, so the
/// fields are parsed under placeholder names and renamed).
fn schema(extras: &[Extra]) -> parquet::errors::Result<Type> {
    let mut text =
        String::from("message embedding { required int64 row; required double tsne1; required double tsne2; ");
    for (k, e) in extras.iter().enumerate() {
        match e {
            Extra::Num(..) => text.push_str(&format!("optional double c{k}; ")),
            Extra::Text(..) => text.push_str(&format!("optional binary c{k} (UTF8); ")),
        }
    }
    text.push('}');
    let mut ty = parse_message_type(&text)?;
    if let Type::GroupType { fields, .. } = &mut ty {
        for (k, e) in extras.iter().enumerate() {
            let f = &fields[3 + k];
            let renamed = Type::primitive_type_builder(e.name(), f.get_physical_type())
                .with_repetition(parquet::basic::Repetition::OPTIONAL)
                .with_converted_type(f.get_basic_info().converted_type())
                .build()?;
            fields[3 + k] = Arc::new(renamed);
        }
    }
    Ok(ty)
}

/// The embedding as a Parquet file (one row group, Snappy), in memory.
pub fn parquet_bytes(y: &[[f64; 2]], extras: &[Extra]) -> Result<Vec<u8>, String> {
    let err = |e: parquet::errors::ParquetError| format!("Parquet: {e}");
    let ty = schema(extras).map_err(err)?;
    let props = WriterProperties::builder().set_compression(Compression::SNAPPY).build();
    let mut w = SerializedFileWriter::new(Vec::new(), Arc::new(ty), Arc::new(props)).map_err(err)?;
    let mut rg = w.next_row_group().map_err(err)?;
    let rows: Vec<i64> = (1..=y.len() as i64).collect();
    let mut k = 0usize;
    while let Some(mut col) = rg.next_column().map_err(err)? {
        match k {
            0 => {
                col.typed::<Int64Type>().write_batch(&rows, None, None).map_err(err)?;
            }
            1 | 2 => {
                let v: Vec<f64> = y.iter().map(|p| p[k - 1]).collect();
                col.typed::<DoubleType>().write_batch(&v, None, None).map_err(err)?;
            }
            _ => match &extras[k - 3] {
                Extra::Num(_, v) => {
                    let def: Vec<i16> = v.iter().map(|x| i16::from(!x.is_nan())).collect();
                    let vals: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
                    col.typed::<DoubleType>()
                        .write_batch(&vals, Some(&def), None)
                        .map_err(err)?;
                }
                Extra::Text(_, v) => {
                    let def: Vec<i16> = v.iter().map(|x| i16::from(x.is_some())).collect();
                    let vals: Vec<ByteArray> = v.iter().flatten().map(|s| ByteArray::from(s.as_str())).collect();
                    col.typed::<ByteArrayType>()
                        .write_batch(&vals, Some(&def), None)
                        .map_err(err)?;
                }
            },
        }
        col.close().map_err(err)?;
        k += 1;
    }
    rg.close().map_err(err)?;
    w.into_inner().map_err(err)
}
