//! Writing an embedding: CSV or Parquet with columns `row` (1-based input row), `tsne1`, `tsne2`,
//! then any columns carried over from the input (ids, colour, class).

use parquet::basic::Compression;
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use std::io::Write;
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
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Writes CSV (coordinates with 17 significant digits, round-trip exact).
pub fn write_csv(path: &Path, y: &[[f64; 2]], extras: &[Extra]) -> std::io::Result<()> {
    let f = std::fs::File::create(path)?;
    let mut w = std::io::BufWriter::new(f);
    let mut head = vec!["row".to_string(), "tsne1".into(), "tsne2".into()];
    head.extend(extras.iter().map(|e| csv_cell(e.name())));
    writeln!(w, "{}", head.join(","))?;
    for (i, p) in y.iter().enumerate() {
        write!(w, "{},{:e},{:e}", i + 1, p[0], p[1])?;
        for e in extras {
            match e {
                Extra::Num(_, v) if v[i].is_nan() => write!(w, ",")?,
                Extra::Num(_, v) => write!(w, ",{}", v[i])?,
                Extra::Text(_, v) => write!(w, ",{}", v[i].as_deref().map(csv_cell).unwrap_or_default())?,
            }
        }
        writeln!(w)?;
    }
    w.flush()
}

/// Writes Parquet (one row group, Snappy): `row` int64, `tsne1`/`tsne2` double, extras as optional
/// double or UTF-8 columns.
pub fn write_parquet(path: &Path, y: &[[f64; 2]], extras: &[Extra]) -> Result<(), String> {
    let err = |e: parquet::errors::ParquetError| format!("{}: {e}", path.display());
    let mut schema =
        String::from("message embedding { required int64 row; required double tsne1; required double tsne2; ");
    for (k, e) in extras.iter().enumerate() {
        // field names are quoted by position; the real names go in the key-value metadata below
        match e {
            Extra::Num(..) => schema.push_str(&format!("optional double c{k}; ")),
            Extra::Text(..) => schema.push_str(&format!("optional binary c{k} (UTF8); ")),
        }
    }
    schema.push('}');
    let mut ty = parse_message_type(&schema).map_err(err)?;
    // rename c{k} to the real column names (names may hold characters the parser rejects)
    if let parquet::schema::types::Type::GroupType { fields, .. } = &mut ty {
        for (k, e) in extras.iter().enumerate() {
            let f = &fields[3 + k];
            let renamed = parquet::schema::types::Type::primitive_type_builder(e.name(), f.get_physical_type())
                .with_repetition(parquet::basic::Repetition::OPTIONAL)
                .with_converted_type(f.get_basic_info().converted_type())
                .build()
                .map_err(err)?;
            fields[3 + k] = Arc::new(renamed);
        }
    }
    let props = WriterProperties::builder().set_compression(Compression::SNAPPY).build();
    let file = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut w = SerializedFileWriter::new(file, Arc::new(ty), Arc::new(props)).map_err(err)?;
    let mut rg = w.next_row_group().map_err(err)?;
    let n = y.len();
    let rows: Vec<i64> = (1..=n as i64).collect();
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
    w.close().map_err(err)?;
    Ok(())
}
