//! Features read from Parquet `float32` columns straight into single precision
//! (`dimorph_data::read_parquet_f32` → `input_f32::features_from_f32`, no `f64` copy) are the
//! features the whole-table reader gives (`read_parquet` → `features_from_frame`), bit for bit,
//! with the same constant columns left out and the same scaling; the embedding of them is the
//! same; a missing value is refused naming the row and column.

use dimorph_core::ScratchPath;
use dimorph_embed::input::features_from_frame;
use dimorph_embed::input_f32::features_from_f32;
use dimorph_embed::{run, run_features, EmbedOptions};
use parquet::data_type::{ByteArray, ByteArrayType, FloatType};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

use std::sync::Arc;

/// A Parquet file: `id` text, then `f1..fd` float32 (optional), in row groups of `group` rows;
/// `cell(i, j)` gives each value (None = null).
fn write(name: &str, n: usize, d: usize, group: usize, cell: impl Fn(usize, usize) -> Option<f32>) -> ScratchPath {
    let path = ScratchPath::new("dimorph_embed_f32", name).unwrap();
    let fields: String = (1..=d).map(|j| format!("optional float f{j}; ")).collect();
    let schema = Arc::new(parse_message_type(&format!("message m {{ required binary id (UTF8); {fields}}}")).unwrap());
    let file = std::fs::File::create(&path).unwrap();
    let mut w = SerializedFileWriter::new(file, schema, Arc::new(WriterProperties::builder().build())).unwrap();
    for start in (0..n).step_by(group) {
        let rows = start..(start + group).min(n);
        let mut rg = w.next_row_group().unwrap();
        let mut k = 0;
        while let Some(mut col) = rg.next_column().unwrap() {
            if k == 0 {
                let ids: Vec<ByteArray> = rows
                    .clone()
                    .map(|i| ByteArray::from(format!("p{i}").as_str()))
                    .collect();
                col.typed::<ByteArrayType>().write_batch(&ids, None, None).unwrap();
            } else {
                let cells: Vec<Option<f32>> = rows.clone().map(|i| cell(i, k - 1)).collect();
                let def: Vec<i16> = cells.iter().map(|c| i16::from(c.is_some())).collect();
                let vals: Vec<f32> = cells.iter().flatten().copied().collect();
                col.typed::<FloatType>().write_batch(&vals, Some(&def), None).unwrap();
            }
            col.close().unwrap();
            k += 1;
        }
        rg.close().unwrap();
    }
    w.close().unwrap();
    path
}

fn names(d: usize) -> Vec<String> {
    (1..=d).map(|j| format!("f{j}")).collect()
}

/// Two groups of points; column 3 constant.
fn value(i: usize, j: usize) -> Option<f32> {
    if j == 2 {
        return Some(7.25);
    }
    let g = (i % 2) as f32 * 8.0;
    Some(g + ((i * 7 + j * 13) as f32 * 0.37).sin())
}

#[test]
fn single_precision_features_equal_the_whole_table_readers() {
    let p = write("groups.parquet", 300, 6, 128, value);
    let m = dimorph_data::read_parquet_f32(&p, &names(6)).unwrap();
    assert_eq!((m.nrows, m.names.len()), (300, 6));
    let (x, sel) = features_from_f32(m).unwrap();
    let frame = dimorph_data::read_parquet(&p).unwrap();
    let (y, sel2) = features_from_frame(&frame, &["f*".to_string()]).unwrap();
    assert_eq!((x.n, x.d), (y.n, y.d));
    assert_eq!(x.x, y.x);
    assert_eq!(sel.columns, sel2.columns);
    assert_eq!(sel.constant, vec!["f3".to_string()]);
    assert_eq!(sel.scaling.is_some(), sel2.scaling.is_some());

    // the same embedding from either reader, the id column read alone beside the features
    let o = EmbedOptions {
        features: vec!["f*".into()],
        ids: vec!["id".into()],
        early_iter: 50,
        iter: 50,
        threads: Some(1),
        ..EmbedOptions::default()
    };
    let ids = dimorph_data::read_parquet_columns(&p, &["id".to_string()]).unwrap();
    assert_eq!(ids.nrows, 300);
    let quiet = &mut |_: &str, _: usize, _: usize| {};
    let a = run_features(&ids, x, sel, &o, quiet).unwrap();
    let b = run(&frame, &o, quiet).unwrap();
    assert_eq!(a.result.embedding.y, b.result.embedding.y);
    assert_eq!(a.tables[0].to_csv(), b.tables[0].to_csv());
}

#[test]
fn huge_single_precision_values_are_scaled_as_the_whole_table_reader_scales_them() {
    let p = write("huge.parquet", 120, 3, 50, |i, j| value(i, j).map(|v| v * 1e30));
    let (x, sel) = features_from_f32(dimorph_data::read_parquet_f32(&p, &names(3)).unwrap()).unwrap();
    let frame = dimorph_data::read_parquet(&p).unwrap();
    let (y, sel2) = features_from_frame(&frame, &["f*".to_string()]).unwrap();
    let (s, s2) = (sel.scaling.unwrap(), sel2.scaling.unwrap());
    assert_eq!((s.power_of_two, s.centre), (s2.power_of_two, s2.centre));
    assert_eq!(x.x, y.x);
}

#[test]
fn a_missing_value_is_refused_naming_row_and_column() {
    let p = write("null.parquet", 40, 3, 16, |i, j| {
        if i == 17 && j == 1 {
            None
        } else {
            value(i, j)
        }
    });
    let e = features_from_f32(dimorph_data::read_parquet_f32(&p, &names(3)).unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("null.parquet") && e.contains("row 18, column 'f2'") && e.contains("missing"),
        "{e}"
    );
    let e = dimorph_data::read_parquet_f32(&p, &["f9".to_string()])
        .unwrap_err()
        .to_string();
    assert!(e.contains("f9"), "{e}");
    let e = dimorph_data::read_parquet_f32(&p, &["id".to_string()])
        .unwrap_err()
        .to_string();
    assert!(e.contains("not float32"), "{e}");
}
