//! The row-group reader of the streaming fit (`dimorph_data::parquet_stream`): a file of several
//! row groups (sizes 1 to 40 rows; nulls, integers, booleans, floats, text with numbers and
//! words) written here with the `parquet` crate's writer, read row group by row group
//!
//! - through the typed column readers, on the caller's thread (`with_ahead(0)`): every cell equal
//!   to the values written, and bit for bit equal to the row-record reader that streamed before
//!   (forced by a FLOAT16 column, which only the row records read);
//! - decoded ahead on a worker thread (`with_ahead(1)`, `with_ahead(3)`): the same frames bit for
//!   bit, in passes over the file (as the IRLS passes read it), and when row groups are asked for
//!   out of order;
//! - the whole-file reader (`read_parquet`) gives the same columns when the frames are put together.

use dimorph_core::ScratchPath;
use dimorph_data::parquet_stream::ParquetRowGroups;
use dimorph_data::{read_parquet, ColumnData, Frame};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, FixedLenByteArrayType, FloatType};
use parquet::data_type::{Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use std::path::Path;
use std::sync::Arc;

fn tmp(name: &str) -> ScratchPath {
    ScratchPath::new("dimorph-data-stream", name).expect("temp dir")
}

const GROUPS: [usize; 7] = [40, 1, 17, 33, 8, 25, 3];

fn x(i: usize) -> f64 {
    (i as f64 * 0.731).sin() * 3.0 + 1e-13 * i as f64
}
fn xn(i: usize) -> Option<f64> {
    (i % 7 != 3).then(|| 1.0 / (1.0 + i as f64))
}
fn k(i: usize) -> Option<i32> {
    (!i.is_multiple_of(5)).then_some(i as i32 % 4 - 1)
}
fn s(i: usize) -> Option<String> {
    match i % 6 {
        0 => None,
        1 => Some("12.5".into()),
        _ => Some(format!("level-{}", i % 3)),
    }
}
fn b(i: usize) -> bool {
    i.is_multiple_of(3)
}
fn l(i: usize) -> Option<i64> {
    (i != 50).then_some(9_000_000_000 + i as i64)
}
fn f(i: usize) -> Option<f32> {
    (i % 9 != 4).then_some(i as f32 * 0.37)
}

/// Writes the test file; with `flba`, one more column `h` (FLOAT16: 0, 1, 2 or 3), a type the
/// column readers refuse and the row records read.
fn write(path: &Path, flba: bool) {
    let tag = if flba {
        "REQUIRED FIXED_LEN_BYTE_ARRAY (2) h (FLOAT16);"
    } else {
        ""
    };
    let schema = parse_message_type(&format!(
        "message t {{
            REQUIRED DOUBLE x;
            OPTIONAL DOUBLE xn;
            OPTIONAL INT32 k;
            OPTIONAL BYTE_ARRAY s (UTF8);
            REQUIRED BOOLEAN b;
            OPTIONAL INT64 l;
            OPTIONAL FLOAT f;
            {tag}
        }}"
    ))
    .expect("schema");
    let file = std::fs::File::create(path).expect("create");
    let props = Arc::new(WriterProperties::builder().build());
    let mut w = SerializedFileWriter::new(file, Arc::new(schema), props).expect("writer");
    let mut start = 0;
    for n in GROUPS {
        let rows: Vec<usize> = (start..start + n).collect();
        start += n;
        let mut rg = w.next_row_group().expect("row group");
        let defs = |p: &dyn Fn(usize) -> bool| rows.iter().map(|&i| i16::from(p(i))).collect::<Vec<_>>();
        let mut j = 0;
        while let Some(mut col) = rg.next_column().expect("next column") {
            match j {
                0 => {
                    let v: Vec<f64> = rows.iter().map(|&i| x(i)).collect();
                    col.typed::<DoubleType>().write_batch(&v, None, None).expect("x");
                }
                1 => {
                    let v: Vec<f64> = rows.iter().filter_map(|&i| xn(i)).collect();
                    let d = defs(&|i| xn(i).is_some());
                    col.typed::<DoubleType>().write_batch(&v, Some(&d), None).expect("xn");
                }
                2 => {
                    let v: Vec<i32> = rows.iter().filter_map(|&i| k(i)).collect();
                    let d = defs(&|i| k(i).is_some());
                    col.typed::<Int32Type>().write_batch(&v, Some(&d), None).expect("k");
                }
                3 => {
                    let v: Vec<ByteArray> = rows
                        .iter()
                        .filter_map(|&i| s(i))
                        .map(|t| ByteArray::from(t.as_str()))
                        .collect();
                    let d = defs(&|i| s(i).is_some());
                    col.typed::<ByteArrayType>().write_batch(&v, Some(&d), None).expect("s");
                }
                4 => {
                    let v: Vec<bool> = rows.iter().map(|&i| b(i)).collect();
                    col.typed::<BoolType>().write_batch(&v, None, None).expect("b");
                }
                5 => {
                    let v: Vec<i64> = rows.iter().filter_map(|&i| l(i)).collect();
                    let d = defs(&|i| l(i).is_some());
                    col.typed::<Int64Type>().write_batch(&v, Some(&d), None).expect("l");
                }
                6 => {
                    let v: Vec<f32> = rows.iter().filter_map(|&i| f(i)).collect();
                    let d = defs(&|i| f(i).is_some());
                    col.typed::<FloatType>().write_batch(&v, Some(&d), None).expect("f");
                }
                _ => {
                    // IEEE half precision, little-endian: 0, 1, 2, 3
                    let half = |i: usize| [0x0000u16, 0x3C00, 0x4000, 0x4200][i % 4].to_le_bytes().to_vec();
                    let v: Vec<_> = rows.iter().map(|&i| ByteArray::from(half(i)).into()).collect();
                    col.typed::<FixedLenByteArrayType>()
                        .write_batch(&v, None, None)
                        .expect("h");
                }
            }
            col.close().expect("close column");
            j += 1;
        }
        rg.close().expect("close row group");
    }
    w.close().expect("close file");
}

/// The columns of `f` named in `names`, numbers as their bits (NaN included), text as it is.
fn cells(fr: &Frame, names: &[&str]) -> Vec<(String, Vec<u64>, Vec<Option<String>>)> {
    names
        .iter()
        .map(|&n| {
            let c = fr.columns.iter().find(|c| c.name == n).expect("column");
            match &c.data {
                ColumnData::Num(v) => (n.to_string(), v.iter().map(|x| x.to_bits()).collect(), Vec::new()),
                ColumnData::Text { values, .. } => (n.to_string(), Vec::new(), values.clone()),
            }
        })
        .collect()
}

const NAMES: [&str; 7] = ["x", "xn", "k", "s", "b", "l", "f"];

fn same_frames(a: &Frame, b: &Frame) {
    assert_eq!(a.first_line, b.first_line);
    assert_eq!(cells(a, &NAMES), cells(b, &NAMES));
}

#[test]
fn column_readers_give_the_values_written_and_the_row_records_bits() {
    let (path, rec_path) = (tmp("columns.parquet"), tmp("records.parquet"));
    write(&path, false);
    write(&rec_path, true);
    let cols = ParquetRowGroups::open(&path).expect("open").with_ahead(0);
    let recs = ParquetRowGroups::open(&rec_path).expect("open").with_ahead(0);
    assert_eq!(cols.len(), GROUPS.len());
    let mut start = 0;
    for (g, n) in GROUPS.into_iter().enumerate() {
        let a = cols.read(g).expect("column readers");
        let r = recs.read(g).expect("row records");
        same_frames(&a, &r);
        let h = r.numeric("h").expect("FLOAT16 through the row records");
        assert_eq!(
            h,
            (start..start + n)
                .map(|i| (i % 4) as f64)
                .collect::<Vec<_>>()
                .as_slice()
        );
        assert_eq!(a.first_line, start + 1);
        let num = |name: &str| a.numeric(name).expect("numeric").to_vec();
        let rows = start..start + n;
        let want = |v: Option<f64>| v.unwrap_or(f64::NAN).to_bits();
        let bits = |v: Vec<f64>| v.into_iter().map(f64::to_bits).collect::<Vec<_>>();
        assert_eq!(bits(num("x")), rows.clone().map(|i| x(i).to_bits()).collect::<Vec<_>>());
        assert_eq!(bits(num("xn")), rows.clone().map(|i| want(xn(i))).collect::<Vec<_>>());
        assert_eq!(
            bits(num("k")),
            rows.clone().map(|i| want(k(i).map(f64::from))).collect::<Vec<_>>()
        );
        assert_eq!(
            bits(num("b")),
            rows.clone()
                .map(|i| want(Some(f64::from(u8::from(b(i))))))
                .collect::<Vec<_>>()
        );
        assert_eq!(
            bits(num("l")),
            rows.clone().map(|i| want(l(i).map(|v| v as f64))).collect::<Vec<_>>()
        );
        assert_eq!(
            bits(num("f")),
            rows.clone().map(|i| want(f(i).map(f64::from))).collect::<Vec<_>>()
        );
        let text = cells(&a, &["s"]).remove(0).2;
        assert_eq!(text, rows.clone().map(s).collect::<Vec<_>>());
        // the first word of the text column is named by its row in the file
        if let Some(ColumnData::Text {
            first_non_numeric: Some((row, v)),
            ..
        }) = a.columns.iter().find(|c| c.name == "s").map(|c| &c.data)
        {
            let i = rows
                .clone()
                .find(|&i| s(i).is_some_and(|t| t.starts_with("level")))
                .expect("a word");
            assert_eq!((*row, v.as_str()), (i + 1, s(i).as_deref().unwrap_or_default()));
        } else {
            panic!("row group {g}: the text column names no word");
        }
        start += n;
    }
    assert!(cols.read(GROUPS.len()).is_err() && recs.read(GROUPS.len()).is_err());
}

#[test]
fn decoding_ahead_gives_the_same_frames_in_passes_and_out_of_order() {
    let path = tmp("ahead.parquet");
    write(&path, false);
    let here = ParquetRowGroups::open(&path).expect("open").with_ahead(0);
    let want: Vec<Frame> = (0..GROUPS.len()).map(|g| here.read(g).expect("read")).collect();
    for ahead in [1, 3] {
        let r = ParquetRowGroups::open(&path).expect("open").with_ahead(ahead);
        for _pass in 0..3 {
            for (g, w) in want.iter().enumerate() {
                same_frames(&r.read(g).expect("ahead"), w);
            }
        }
        // the first row group again (as the fit reads it for the column names), then jumps
        for g in [0, 0, 1, 5, 5, 2, 6, 0, 3, 4] {
            same_frames(&r.read(g).expect("out of order"), &want[g]);
        }
        assert!(r.read(GROUPS.len()).is_err(), "past the last row group");
        same_frames(&r.read(1).expect("after an error"), &want[1]);
    }
    // the frames put together are the whole-file reader's columns
    let whole = cells(&read_parquet(&path).expect("whole file"), &NAMES);
    for (j, w) in whole.into_iter().enumerate() {
        let (mut nums, mut texts) = (Vec::new(), Vec::new());
        for fr in &want {
            let (_, n, t) = cells(fr, &[NAMES[j]]).remove(0);
            nums.extend(n);
            texts.extend(t);
        }
        assert_eq!((nums, texts), (w.1, w.2), "column {}", NAMES[j]);
    }
}
