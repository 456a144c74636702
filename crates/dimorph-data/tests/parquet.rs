//! Parquet input: files written here with the `parquet` crate's own writer (several row groups,
//! nulls, every supported type, each compression codec we build), read back with
//! `read_parquet`/`read_table`, plus the error cases.

use dimorph_core::ScratchPath;
use dimorph_data::{read_parquet, read_table, ColumnData, DataError};
use parquet::basic::Compression;
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, FloatType, Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use std::path::Path;
use std::sync::Arc;

fn tmp(name: &str) -> ScratchPath {
    ScratchPath::new("dimorph-data-parquet", name).expect("temp dir")
}

/// Rows per row group of the test file; three row groups of 4, 4 and 2 rows.
const GROUPS: [usize; 3] = [4, 4, 2];

/// Expected cell of row i (0..10) of each column.
fn a(i: usize) -> f64 {
    0.1 * i as f64 - 0.35
}
fn b(i: usize) -> Option<i32> {
    (i % 3 != 1).then_some(i as i32 * 7 - 20)
}
fn s(i: usize) -> Option<String> {
    (i != 2 && i != 9).then(|| format!("level-{}", i % 4))
}
fn f(i: usize) -> bool {
    i.is_multiple_of(2)
}
fn big(i: usize) -> Option<i64> {
    (i != 5).then_some(3_000_000_000_i64 + i as i64)
}
fn fl(i: usize) -> Option<f32> {
    (i != 0).then_some(i as f32 * 0.5)
}
fn u(i: usize) -> i32 {
    // UINT_32 annotation: the top bit is a magnitude bit, not a sign.
    if i == 3 {
        -1
    } else {
        i as i32
    }
}
fn dec(i: usize) -> i64 {
    // DECIMAL(10, 2): 12345 means 123.45
    12_345 + i as i64
}

fn write_file(path: &Path, codec: Compression) {
    let schema = parse_message_type(
        "message t {
            REQUIRED DOUBLE a;
            OPTIONAL INT32 b;
            OPTIONAL BYTE_ARRAY s (UTF8);
            REQUIRED BOOLEAN f;
            OPTIONAL INT64 big;
            OPTIONAL FLOAT fl;
            REQUIRED INT32 u (UINT_32);
            REQUIRED INT64 dec (DECIMAL(10, 2));
        }",
    )
    .expect("schema");
    let props = WriterProperties::builder().set_compression(codec).build();
    let file = std::fs::File::create(path).expect("create");
    let mut w = SerializedFileWriter::new(file, Arc::new(schema), Arc::new(props)).expect("writer");
    let mut start = 0;
    for n in GROUPS {
        let rows: Vec<usize> = (start..start + n).collect();
        start += n;
        let mut rg = w.next_row_group().expect("row group");
        let defs = |present: &dyn Fn(usize) -> bool| rows.iter().map(|&i| i16::from(present(i))).collect::<Vec<_>>();
        let mut j = 0;
        while let Some(mut col) = rg.next_column().expect("next column") {
            match j {
                0 => {
                    let v: Vec<f64> = rows.iter().map(|&i| a(i)).collect();
                    col.typed::<DoubleType>().write_batch(&v, None, None).expect("a");
                }
                1 => {
                    let v: Vec<i32> = rows.iter().filter_map(|&i| b(i)).collect();
                    let d = defs(&|i| b(i).is_some());
                    col.typed::<Int32Type>().write_batch(&v, Some(&d), None).expect("b");
                }
                2 => {
                    let v: Vec<ByteArray> = rows
                        .iter()
                        .filter_map(|&i| s(i))
                        .map(|x| ByteArray::from(x.as_str()))
                        .collect();
                    let d = defs(&|i| s(i).is_some());
                    col.typed::<ByteArrayType>().write_batch(&v, Some(&d), None).expect("s");
                }
                3 => {
                    let v: Vec<bool> = rows.iter().map(|&i| f(i)).collect();
                    col.typed::<BoolType>().write_batch(&v, None, None).expect("f");
                }
                4 => {
                    let v: Vec<i64> = rows.iter().filter_map(|&i| big(i)).collect();
                    let d = defs(&|i| big(i).is_some());
                    col.typed::<Int64Type>().write_batch(&v, Some(&d), None).expect("big");
                }
                5 => {
                    let v: Vec<f32> = rows.iter().filter_map(|&i| fl(i)).collect();
                    let d = defs(&|i| fl(i).is_some());
                    col.typed::<FloatType>().write_batch(&v, Some(&d), None).expect("fl");
                }
                6 => {
                    let v: Vec<i32> = rows.iter().map(|&i| u(i)).collect();
                    col.typed::<Int32Type>().write_batch(&v, None, None).expect("u");
                }
                _ => {
                    let v: Vec<i64> = rows.iter().map(|&i| dec(i)).collect();
                    col.typed::<Int64Type>().write_batch(&v, None, None).expect("dec");
                }
            }
            col.close().expect("close column");
            j += 1;
        }
        rg.close().expect("close row group");
    }
    w.close().expect("close file");
}

fn num<'a>(fr: &'a dimorph_data::Frame, name: &str) -> &'a [f64] {
    fr.numeric(name).expect("numeric column")
}

fn check(path: &Path) {
    let fr = read_parquet(path).expect("read back");
    assert_eq!(fr.nrows, 10);
    assert_eq!(fr.names(), vec!["a", "b", "s", "f", "big", "fl", "u", "dec"]);
    for i in 0..10 {
        assert_eq!(num(&fr, "a")[i].to_bits(), a(i).to_bits(), "a row {i}");
        match b(i) {
            Some(v) => assert_eq!(num(&fr, "b")[i], f64::from(v)),
            None => assert!(num(&fr, "b")[i].is_nan(), "b row {i} is null"),
        }
        assert_eq!(num(&fr, "f")[i], if f(i) { 1.0 } else { 0.0 });
        match big(i) {
            Some(v) => assert_eq!(num(&fr, "big")[i], v as f64),
            None => assert!(num(&fr, "big")[i].is_nan()),
        }
        match fl(i) {
            Some(v) => assert_eq!(num(&fr, "fl")[i], f64::from(v)),
            None => assert!(num(&fr, "fl")[i].is_nan()),
        }
        assert_eq!(num(&fr, "u")[i], f64::from(u(i) as u32));
        assert!((num(&fr, "dec")[i] - dec(i) as f64 / 100.0).abs() < 1e-12);
    }
    assert_eq!(num(&fr, "u")[3], 4_294_967_295.0);
    let sc = fr.column("s").expect("s");
    match &sc.data {
        ColumnData::Text {
            values,
            first_non_numeric,
        } => {
            let want: Vec<Option<String>> = (0..10).map(s).collect();
            assert_eq!(values, &want);
            assert_eq!(first_non_numeric, &Some((1, "level-0".to_string())));
        }
        other => panic!("s should be text, got {other:?}"),
    }
    assert!(sc.is_missing(2) && sc.is_missing(9) && !sc.is_missing(0));
    // A text column asked for as a number names the row (rows count from 1 in Parquet).
    let e = fr.numeric("s").unwrap_err().to_string();
    assert!(
        e.contains("column 's' must be numeric") && e.contains("line 1") && e.contains("level-0"),
        "{e}"
    );
}

#[test]
fn round_trip_every_type_and_nulls_all_codecs() {
    for (name, codec) in [
        ("plain.parquet", Compression::UNCOMPRESSED),
        ("snappy.parquet", Compression::SNAPPY),
        ("lz4.parquet", Compression::LZ4_RAW),
        ("gzip.parquet", Compression::GZIP(Default::default())),
        ("zstd.parquet", Compression::ZSTD(Default::default())),
    ] {
        let p = tmp(name);
        write_file(&p, codec);
        check(&p);
        // read_table dispatches on the extension
        assert_eq!(read_table(&p).expect("read_table").nrows, 10);
        std::fs::remove_file(&p).ok();
    }
}

#[test]
fn corrupt_and_truncated_files_are_clear_errors() {
    let p = tmp("corrupt.parquet");
    std::fs::write(&p, b"this is not a parquet file at all, just text\n").expect("write");
    let e = read_parquet(&p).unwrap_err();
    assert!(matches!(e, DataError::Format { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(
        msg.contains("corrupt.parquet") && msg.contains("not a readable Parquet file"),
        "{msg}"
    );

    // A real file with its middle overwritten: the footer is intact, the pages are garbage.
    let q = tmp("damaged.parquet");
    write_file(&q, Compression::SNAPPY);
    let mut bytes = std::fs::read(&q).expect("read");
    let n = bytes.len();
    // layout: "PAR1" | column chunks | footer | footer length (u32 LE) | "PAR1"
    let footer = u32::from_le_bytes([bytes[n - 8], bytes[n - 7], bytes[n - 6], bytes[n - 5]]) as usize;
    let data_end = n - 8 - footer;
    for x in bytes[4..data_end].iter_mut() {
        *x = 0xA5;
    }
    std::fs::write(&q, &bytes).expect("write");
    let e = read_parquet(&q).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("damaged.parquet") && msg.contains("column '"), "{msg}");

    // Truncated: the footer is gone.
    let t = tmp("truncated.parquet");
    std::fs::write(&t, &bytes[..n / 3]).expect("write");
    let msg = read_parquet(&t).unwrap_err().to_string();
    assert!(
        msg.contains("truncated.parquet") && msg.contains("not a readable Parquet file"),
        "{msg}"
    );

    let msg = read_parquet(tmp("missing.parquet")).unwrap_err().to_string();
    assert!(
        msg.contains("missing.parquet") && msg.contains("cannot read the file"),
        "{msg}"
    );
    for f in [p, q, t] {
        std::fs::remove_file(f).ok();
    }
}

fn write_schema_only(path: &Path, message: &str) {
    let schema = parse_message_type(message).expect("schema");
    let file = std::fs::File::create(path).expect("create");
    let w = SerializedFileWriter::new(file, Arc::new(schema), Arc::new(WriterProperties::builder().build()))
        .expect("writer");
    w.close().expect("close");
}

#[test]
fn nested_and_unsupported_columns_are_named() {
    let cases = [
        (
            "nested.parquet",
            "message t { REQUIRED DOUBLE x; OPTIONAL GROUP g { OPTIONAL INT32 y; } }",
            "column 'g' is nested",
        ),
        (
            "list.parquet",
            "message t { REQUIRED DOUBLE x; REPEATED INT32 r; }",
            "column 'r' is repeated",
        ),
        (
            "int96.parquet",
            "message t { REQUIRED INT96 when; }",
            "column 'when' has type INT96",
        ),
        (
            "date.parquet",
            "message t { REQUIRED INT32 day (DATE); }",
            "column 'day' has type",
        ),
        (
            "fixed.parquet",
            "message t { REQUIRED FIXED_LEN_BYTE_ARRAY(4) raw; }",
            "column 'raw' has type",
        ),
    ];
    for (file, message, want) in cases {
        let p = tmp(file);
        write_schema_only(&p, message);
        let e = read_parquet(&p).unwrap_err();
        assert!(matches!(e, DataError::Format { .. }), "{file}: {e:?}");
        let msg = e.to_string();
        assert!(msg.contains(want) && msg.contains(file), "{file}: {msg}");
        std::fs::remove_file(&p).ok();
    }
}

#[test]
fn empty_table_has_columns_and_no_rows() {
    let p = tmp("empty.parquet");
    write_schema_only(&p, "message t { REQUIRED DOUBLE x; OPTIONAL BYTE_ARRAY name (UTF8); }");
    let fr = read_parquet(&p).expect("empty file reads");
    assert_eq!(fr.nrows, 0);
    assert_eq!(fr.names(), vec!["x", "name"]);
    std::fs::remove_file(&p).ok();
}

/// A file as pandas/pyarrow users write it (dictionary pages, data page v2, snappy, three row
/// groups, int8/uint32/float32/bool/string with nulls), written by
/// `tests/fixtures/make_pyarrow_fixture.py` together with the same table as CSV.
#[test]
fn pyarrow_file_matches_its_csv_twin() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let pq = read_parquet(dir.join("pyarrow_mixed.parquet")).expect("pyarrow file");
    let csv = dimorph_data::read_csv(dir.join("pyarrow_mixed.csv")).expect("csv twin");
    assert_eq!(pq.nrows, 30);
    assert_eq!(pq.names(), csv.names());
    for (a, b) in pq.columns.iter().zip(&csv.columns) {
        match (&a.data, &b.data) {
            (ColumnData::Num(u), ColumnData::Num(v)) => {
                for (i, (x, y)) in u.iter().zip(v).enumerate() {
                    assert!(
                        x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
                        "{} row {i}: {x} vs {y}",
                        a.name
                    );
                }
            }
            (ColumnData::Text { values: u, .. }, ColumnData::Text { values: v, .. }) => assert_eq!(u, v, "{}", a.name),
            (x, y) => panic!("column {}: {x:?} vs {y:?}", a.name),
        }
    }
    // unsigned 32-bit values above i32::MAX, nulls in int8 / float32 / bool / string
    assert_eq!(pq.numeric("count").unwrap()[29], 4_000_000_029.0);
    assert!(pq.numeric("small").unwrap()[0].is_nan() && pq.numeric("small").unwrap()[1] == -2.0);
    assert!(pq.numeric("ratio").unwrap()[7].is_nan() && pq.numeric("ratio").unwrap()[8] == 1.0);
    assert!(pq.numeric("flag").unwrap()[3].is_nan() && pq.numeric("flag").unwrap()[6] == 1.0);
    assert!(pq.column("sex").unwrap().is_missing(4) && pq.column("sex").unwrap().is_missing(15));
}

/// The same pyarrow table compressed with zstd (`tests/fixtures/make_pyarrow_fixture.py`, pyarrow
/// 26.0.1): every column chunk is zstd, and the frame is the snappy file's bit for bit (which
/// matches the CSV twin, above).
#[test]
fn pyarrow_zstd_file_reads_as_its_snappy_twin() {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let path = dir.join("pyarrow_mixed_zstd.parquet");
    let meta = SerializedFileReader::new(std::fs::File::open(&path).expect("zstd file")).expect("footer");
    let md = meta.metadata();
    assert_eq!(md.num_row_groups(), 3);
    for g in md.row_groups() {
        assert!(
            g.columns()
                .iter()
                .all(|c| matches!(c.compression(), Compression::ZSTD(_))),
            "not all zstd"
        );
    }
    let z = read_parquet(&path).expect("zstd file read");
    let s = read_parquet(dir.join("pyarrow_mixed.parquet")).expect("snappy file");
    assert_eq!((z.nrows, z.names()), (s.nrows, s.names()));
    for (a, b) in z.columns.iter().zip(&s.columns) {
        match (&a.data, &b.data) {
            (ColumnData::Num(u), ColumnData::Num(v)) => {
                let same = u.iter().zip(v).all(|(x, y)| x.to_bits() == y.to_bits());
                assert!(same && u.len() == v.len(), "{}", a.name);
            }
            (ColumnData::Text { values: u, .. }, ColumnData::Text { values: v, .. }) => assert_eq!(u, v, "{}", a.name),
            (x, y) => panic!("column {}: {x:?} vs {y:?}", a.name),
        }
    }
    assert_eq!(z.numeric("count").unwrap()[29], 4_000_000_029.0);
    assert!(z.column("sex").unwrap().is_missing(4));
}
