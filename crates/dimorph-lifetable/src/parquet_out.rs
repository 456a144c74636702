//! A tidy table as an Apache Parquet file (one row group, every column optional so that a missing
//! value is a null), written with the `parquet` crate's low-level column writers: the long table
//! of many years (`--tidy FILE.parquet`, `--parquet`) for Arrow, pandas, polars and R's `arrow`.
//! Column types follow the cells: whole numbers only → INT64, any other number → DOUBLE (a NaN is
//! written as null, infinities as IEEE values), TRUE/FALSE → BOOLEAN, text → UTF-8 strings.
// KERNEL? a TidyTable writer to Parquet could live beside TidyTable::to_csv in dimorph-core.

use crate::Error;
use dimorph_core::{Cell, TidyTable};
use parquet::basic::{LogicalType, Repetition, Type as Physical};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use std::sync::Arc;

/// The physical type of a column, from its cells.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Int,
    Double,
    Bool,
    Text,
}

fn kind(t: &TidyTable, j: usize) -> Kind {
    let mut k = Kind::Int;
    for row in &t.rows {
        match row.get(j) {
            Some(Cell::Text(_)) => return Kind::Text,
            Some(Cell::Bool(_)) if k == Kind::Int => k = Kind::Bool,
            Some(Cell::Num(_)) if k != Kind::Bool => k = Kind::Double,
            Some(Cell::Num(_) | Cell::Int(_)) if k == Kind::Bool => return Kind::Text,
            _ => {}
        }
    }
    k
}

fn err(t: &TidyTable, e: impl std::fmt::Display) -> Error {
    Error::Argument(format!("cannot write table {} as Parquet: {e}", t.name))
}

/// The Parquet bytes of `t`.
pub fn to_parquet(t: &TidyTable) -> Result<Vec<u8>, Error> {
    let kinds: Vec<Kind> = (0..t.columns.len()).map(|j| kind(t, j)).collect();
    let fields = t
        .columns
        .iter()
        .zip(&kinds)
        .map(|(name, k)| {
            let (phys, logical) = match k {
                Kind::Int => (Physical::INT64, None),
                Kind::Double => (Physical::DOUBLE, None),
                Kind::Bool => (Physical::BOOLEAN, None),
                Kind::Text => (Physical::BYTE_ARRAY, Some(LogicalType::String)),
            };
            Type::primitive_type_builder(name, phys)
                .with_repetition(Repetition::OPTIONAL)
                .with_logical_type(logical)
                .build()
                .map(Arc::new)
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| err(t, e))?;
    let schema = Type::group_type_builder("schema")
        .with_fields(fields)
        .build()
        .map_err(|e| err(t, e))?;
    let mut buf: Vec<u8> = Vec::new();
    let props = Arc::new(WriterProperties::builder().build());
    let mut w = SerializedFileWriter::new(&mut buf, Arc::new(schema), props).map_err(|e| err(t, e))?;
    let mut rg = w.next_row_group().map_err(|e| err(t, e))?;
    let mut j = 0;
    while let Some(mut col) = rg.next_column().map_err(|e| err(t, e))? {
        let cells = t.rows.iter().map(|r| r.get(j).unwrap_or(&Cell::Missing));
        let def: Vec<i16> = cells.clone().map(|c| i16::from(present(c))).collect();
        let written = match kinds[j] {
            Kind::Int => {
                let v: Vec<i64> = cells
                    .filter_map(|c| if let Cell::Int(i) = c { Some(*i) } else { None })
                    .collect();
                col.typed::<Int64Type>().write_batch(&v, Some(&def), None)
            }
            Kind::Double => {
                let v: Vec<f64> = cells.filter(|c| present(c)).map(number).collect();
                col.typed::<DoubleType>().write_batch(&v, Some(&def), None)
            }
            Kind::Bool => {
                let v: Vec<bool> = cells
                    .filter_map(|c| if let Cell::Bool(b) = c { Some(*b) } else { None })
                    .collect();
                col.typed::<BoolType>().write_batch(&v, Some(&def), None)
            }
            Kind::Text => {
                let v: Vec<ByteArray> = cells
                    .filter(|c| present(c))
                    .map(|c| ByteArray::from(c.to_field().into_bytes()))
                    .collect();
                col.typed::<ByteArrayType>().write_batch(&v, Some(&def), None)
            }
        };
        written.map_err(|e| err(t, e))?;
        col.close().map_err(|e| err(t, e))?;
        j += 1;
    }
    rg.close().map_err(|e| err(t, e))?;
    w.close().map_err(|e| err(t, e))?;
    Ok(buf)
}

/// Whether a cell is written (not null): anything but a missing cell or a NaN.
fn present(c: &Cell) -> bool {
    !matches!(c, Cell::Missing) && !matches!(c, Cell::Num(x) if x.is_nan())
}

fn number(c: &Cell) -> f64 {
    match c {
        Cell::Num(x) => *x,
        Cell::Int(i) => *i as f64,
        _ => f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_reads_back_through_the_data_reader() {
        let mut t = TidyTable::new("t", &["year", "sex", "ex", "open"]);
        t.push(vec![1933.into(), "female".into(), 62.8.into(), false.into()]);
        t.push(vec![2019.into(), "male".into(), Cell::Missing, true.into()]);
        t.push(vec![2019.into(), "male".into(), f64::NAN.into(), true.into()]);
        let bytes = to_parquet(&t).unwrap();
        let dir = dimorph_core::scratch::ScratchDir::new("dimorph-lt-parquet").unwrap();
        let p = dir.join("t.parquet");
        std::fs::write(&p, &bytes).unwrap();
        let f = dimorph_data::read_parquet(&p).unwrap();
        assert_eq!(f.nrows, 3);
        assert_eq!(f.numeric("year").unwrap(), &[1933.0, 2019.0, 2019.0]);
        let ex = f.numeric("ex").unwrap();
        assert_eq!(ex[0], 62.8);
        assert!(ex[1].is_nan() && ex[2].is_nan());
    }
}
