//! The streamed fit (`dimorph glm --stream`) is the same bit for bit however its row groups are
//! decoded: on the fitting thread (`ahead` 0), one or four row groups ahead on a worker thread,
//! and through the Parquet row records that streamed before the column readers (a file with one
//! more column, FLOAT16, which only the row records read). The crab data in row groups of 13
//! rows (14 row groups, a text factor whose levels each row group sees only some of, one null).

use dimorph_glm::distributed::DistFit;
use dimorph_glm::link::Link;
use dimorph_glm::options::RunOptions;
use dimorph_glm::stream::fit_parquet_ahead;
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, FixedLenByteArrayType};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use std::path::Path;
use std::sync::Arc;

/// The crabs sorted by colour as Parquet in row groups of 13 rows; `half` adds a FLOAT16 column.
fn crabs(path: &Path, half: bool) {
    let f = dimorph_data::read_csv(format!("{}/../../data/crabs.csv", env!("CARGO_MANIFEST_DIR"))).expect("crabs");
    let col = |n: &str| f.numeric(n).expect(n).to_vec();
    let (color, width, weight, satell) = (col("color"), col("width"), col("weight"), col("satell"));
    let mut order: Vec<usize> = (0..f.nrows).collect();
    order.sort_by(|&a, &b| color[a].total_cmp(&color[b]));
    let names = ["light", "medium", "dark", "darker"];
    let extra = if half {
        "required fixed_len_byte_array (2) h (FLOAT16);"
    } else {
        ""
    };
    let schema = parse_message_type(&format!(
        "message crabs {{ required double width; required double weight; required double satell;
         required double y; optional binary shade (UTF8); {extra} }}"
    ))
    .expect("schema");
    let file = std::fs::File::create(path).expect("create");
    let props = Arc::new(WriterProperties::builder().build());
    let mut w = SerializedFileWriter::new(file, Arc::new(schema), props).expect("writer");
    for rows in order.chunks(13) {
        let mut rg = w.next_row_group().expect("row group");
        let nums = [
            rows.iter().map(|&i| width[i]).collect::<Vec<_>>(),
            rows.iter().map(|&i| weight[i]).collect(),
            rows.iter().map(|&i| satell[i]).collect(),
            rows.iter().map(|&i| f64::from(u8::from(satell[i] > 0.0))).collect(),
        ];
        for v in &nums {
            let mut c = rg.next_column().expect("column").expect("a column");
            c.typed::<DoubleType>().write_batch(v, None, None).expect("write");
            c.close().expect("close");
        }
        let def: Vec<i16> = rows.iter().map(|&i| i16::from(i != order[4])).collect();
        let vals: Vec<ByteArray> = rows
            .iter()
            .filter(|&&i| i != order[4])
            .map(|&i| ByteArray::from(names[(color[i] as usize).clamp(1, 4) - 1]))
            .collect();
        let mut c = rg.next_column().expect("column").expect("shade");
        c.typed::<ByteArrayType>()
            .write_batch(&vals, Some(&def), None)
            .expect("write");
        c.close().expect("close");
        if half {
            let one = ByteArray::from(0x3C00u16.to_le_bytes().to_vec());
            let v = vec![one.into(); rows.len()];
            let mut c = rg.next_column().expect("column").expect("h");
            c.typed::<FixedLenByteArrayType>()
                .write_batch(&v, None, None)
                .expect("write");
            c.close().expect("close");
        }
        rg.close().expect("close group");
    }
    w.close().expect("close file");
}

/// Every figure of the fit, as bits.
fn bits(d: &DistFit) -> Vec<u64> {
    let mut v: Vec<f64> = d.coef.clone();
    v.extend(&d.se_expected);
    v.extend(&d.se_observed);
    v.extend(&d.cov_expected);
    v.extend([
        d.deviance,
        d.pearson_chi2,
        d.null_deviance,
        d.loglik,
        d.aic,
        d.bic,
        d.dispersion,
        d.n_used,
    ]);
    v.push(d.iterations as f64);
    v.into_iter().map(f64::to_bits).collect()
}

#[test]
fn the_fit_is_the_same_bit_for_bit_however_row_groups_are_decoded() {
    let dir = std::env::temp_dir().join(format!("dimorph-glm-prefetch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let (path, records) = (dir.join("crabs.parquet"), dir.join("crabs_half.parquet"));
    crabs(&path, false);
    crabs(&records, true);
    let o = |family: &str, link: Option<Link>| RunOptions {
        family: Some(family.parse().expect("family")),
        link,
        ..RunOptions::default()
    };
    let models = [
        ("satell ~ width + shade", o("poisson", None)),
        ("y ~ width * shade", o("binomial", None)),
        ("weight ~ width + shade", o("gamma", Some(Link::Log))),
        ("satell ~ width + offset(log(weight))", o("poisson", None)),
    ];
    for (formula, opts) in &models {
        let here = fit_parquet_ahead(&path, formula, opts, 0).expect("decoded on this thread");
        let used = if formula.contains("shade") { 172.0 } else { 173.0 }; // one row has no shade
        assert_eq!((here.n_read, here.n_used), (173.0, used), "{formula}");
        for ahead in [1, 4] {
            let d = fit_parquet_ahead(&path, formula, opts, ahead).expect("decoded ahead");
            assert_eq!(bits(&d), bits(&here), "{formula}, {ahead} ahead");
            assert_eq!(d.coef_names, here.coef_names);
        }
        let r = fit_parquet_ahead(&records, formula, opts, 0).expect("row records");
        assert_eq!(bits(&r), bits(&here), "{formula}: the row records' fit");
    }
    std::fs::remove_dir_all(&dir).ok();
}
