//! The Parquet feature export (`--features-format parquet`) holds bit for bit the values of the
//! CSV export and of the feature maps handed to the writer, read back as the embedding engine
//! reads it (`dimorph_data::read_parquet_f32`, no f64 copy), with the same id columns, and takes
//! far fewer bytes per patch than the text table.

use std::path::PathBuf;

use dimorph_bagnet::checkpoint::ModelMeta;
use dimorph_bagnet::evidence::features_parquet::ParquetFeatures;
use dimorph_bagnet::evidence::{FeatureFormat, FeatureWriter};
use dimorph_bagnet::model::{Arch, BagNetConfig};
use dimorph_bagnet::on_cpu;
use dimorph_bagnet::options::ExplainOptions;
use dimorph_bagnet::pipeline::ExplainSet;
use dimorph_bagnet::synth::{self, SynthOptions};
use dimorph_core::rng::Rng;
use dimorph_core::Overwrite;
use dimorph_core::ScratchPath;
use dimorph_data::{read_parquet_columns, read_parquet_f32, ColumnData};

fn tmp(name: &str) -> ScratchPath {
    ScratchPath::new("dimorph-bagnet-pq", name).unwrap()
}

fn feature_names(c: usize) -> Vec<String> {
    (0..c).map(|f| format!("f{f}")).collect()
}

/// The text cells of column `name`.
fn texts(path: &std::path::Path, name: &str) -> Vec<String> {
    let f = read_parquet_columns(path, &[name.to_string()]).unwrap();
    match &f.column(name).unwrap().data {
        ColumnData::Text { values: v, .. } => v.iter().map(|x| x.clone().expect("no missing ids")).collect(),
        ColumnData::Num(v) => v.iter().map(|x| x.to_string()).collect(),
    }
}

#[test]
fn a_tiny_models_features_match_the_csv_export_bit_for_bit() {
    let mut ds = synth::dataset(&SynthOptions {
        n: 5,
        size: 40,
        effect: 0.3,
        seed: 4,
    });
    ds.rows[1].name = "eye, \"left\"\n2.png".into();
    let config = BagNetConfig::new(Arch::BagNet9, 1).with_width(0.0625);
    let model = config.init_cpu();
    let meta = ModelMeta {
        config,
        classes: ds.classes.clone(),
        size: 40,
        mask: true,
        epoch: 0,
    };
    let idx: Vec<usize> = (0..ds.images.len()).collect();
    let set = ExplainSet {
        ds: &ds,
        name: "all",
        idx: &idx,
    };
    let opt = ExplainOptions {
        threshold: 0.01,
        clip: 1.0,
        features: true,
        ..Default::default()
    };
    let c = config.feature_dim();
    let export = |format| {
        let dir = tmp(&format!("{format:?}"));
        let mut fw = FeatureWriter::create_as(&dir, c, Overwrite::Refuse, format).unwrap();
        let o = on_cpu::explain_model(&model, &meta, &set, &opt, Some(&mut fw)).unwrap();
        (fw.finish().unwrap(), o.result, dir)
    };
    // the scratch folders live to the end of the test
    let (csv_path, r1, _csv_dir) = export(FeatureFormat::Csv);
    let (pq_path, r2, _pq_dir) = export(FeatureFormat::Parquet);
    assert!(pq_path.ends_with("features.parquet"));
    assert_eq!(r1.images.len(), r2.images.len());

    let mut rd = csv::Reader::from_path(&csv_path).unwrap();
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
    let m = read_parquet_f32(&pq_path, &feature_names(c)).unwrap();
    let side = Arch::BagNet9.map_size(40).unwrap();
    assert_eq!(m.nrows, ds.images.len() * side * side);
    assert_eq!(m.nrows, rows.len());
    for (i, r) in rows.iter().enumerate() {
        for f in 0..c {
            let text: f32 = r[5 + f].parse().unwrap();
            assert_eq!(m.x[i * c + f].to_bits(), text.to_bits(), "patch {i}, f{f}");
        }
    }
    assert!(m.x.iter().any(|&v| v != 0.0), "the features are not all zero");
    // The id columns: as in the CSV (image names with a comma, a quote and a newline intact).
    for (j, name) in ["image", "row", "col", "label"].into_iter().enumerate() {
        let got = texts(&pq_path, name);
        let want: Vec<String> = rows.iter().map(|r| r[j].to_string()).collect();
        assert_eq!(got, want, "column {name}");
    }
    let logit = read_parquet_columns(&pq_path, &["logit".to_string()]).unwrap();
    let logit = logit.numeric("logit").unwrap();
    let want: Vec<f64> = r2.images.iter().flat_map(|e| e.map.iter().copied()).collect();
    assert_eq!(logit, &want[..]);

    let per_patch = |p: &PathBuf| std::fs::metadata(p).unwrap().len() as f64 / rows.len() as f64;
    let (b_csv, b_pq) = (per_patch(&csv_path), per_patch(&pq_path));
    // 80 patches only: the footer's per-column metadata dominates here (see the next test).
    eprintln!("width 1/16, {c} features, 80 patches: CSV {b_csv:.0} B/patch, Parquet {b_pq:.0} B/patch");
    for p in [&csv_path, &pq_path] {
        let _ = std::fs::remove_dir_all(p.parent().unwrap());
    }
}

/// Feature maps `[c, h, w]` of `n` images with awkward values: signed zeros, subnormals, the
/// extremes of f32, and normal draws.
fn awkward_images(n: usize, [c, h, w]: [usize; 3]) -> Vec<Vec<f32>> {
    let mut rng = Rng::new(7);
    let special = [
        0.0,
        -0.0,
        f32::MIN_POSITIVE / 3.0,
        f32::MAX,
        f32::MIN,
        1e-45,
        0.1,
        -1.5e30,
    ];
    (0..n)
        .map(|i| {
            (0..c * h * w)
                .map(|k| {
                    if (k + i) % 5 == 0 {
                        special[(k / 5 + i) % special.len()]
                    } else {
                        rng.normal() as f32
                    }
                })
                .collect()
        })
        .collect()
}

#[test]
fn written_values_read_back_bit_for_bit_over_many_row_groups() {
    let (n, c, h, w) = (7, 512, 16, 16);
    let images = awkward_images(n, [c, h, w]);
    let map: Vec<f64> = (0..h * w).map(|p| p as f64 / 3.0 - 1.0).collect();
    let dir = tmp("groups");
    let csv_dir = tmp("groups-csv");
    // A row group every 2 images: 7 images make 4 groups.
    let mut pq = ParquetFeatures::create(&dir, c, Overwrite::Refuse)
        .unwrap()
        .with_row_group_values(2 * h * w * c);
    let mut csv = FeatureWriter::create(&csv_dir, c, Overwrite::Refuse).unwrap();
    for (i, x) in images.iter().enumerate() {
        pq.image(&format!("img{i}.png"), "female", &map, x, [c, h, w]).unwrap();
        csv.image(&format!("img{i}.png"), "female", &map, x, [c, h, w]).unwrap();
    }
    let path = pq.finish().unwrap();
    let csv_path = csv.finish().unwrap();
    let file = std::fs::File::open(&path).unwrap();
    let reader = parquet::file::serialized_reader::SerializedFileReader::new(file).unwrap();
    use parquet::file::reader::FileReader;
    assert_eq!(reader.metadata().num_row_groups(), 4);

    let m = read_parquet_f32(&path, &feature_names(c)).unwrap();
    assert_eq!(m.nrows, n * h * w);
    for (i, x) in images.iter().enumerate() {
        for p in 0..h * w {
            for f in 0..c {
                let got = m.x[(i * h * w + p) * c + f];
                assert_eq!(got.to_bits(), x[f * h * w + p].to_bits(), "image {i}, patch {p}, f{f}");
            }
        }
    }
    let names = texts(&path, "image");
    assert_eq!(names[h * w * 3], "img3.png");
    assert_eq!(texts(&path, "col")[5], (5 % w).to_string());

    let patches = (n * h * w) as f64;
    let b_csv = std::fs::metadata(&csv_path).unwrap().len() as f64 / patches;
    let b_pq = std::fs::metadata(&path).unwrap().len() as f64 / patches;
    eprintln!("{c} features: CSV {b_csv:.0} B/patch, Parquet {b_pq:.0} B/patch");
    // 4 bytes per feature value plus the ids and the footer, against about 12 in the text.
    assert!(
        b_pq < 4.2 * c as f64 && b_pq < b_csv / 2.5,
        "CSV {b_csv}, Parquet {b_pq}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&csv_dir);
}

#[test]
fn an_existing_parquet_export_is_refused_and_a_dropped_writer_leaves_nothing() {
    let dir = tmp("refuse");
    FeatureWriter::create_as(&dir, 3, Overwrite::Refuse, FeatureFormat::Parquet)
        .unwrap()
        .finish()
        .unwrap();
    let e = FeatureWriter::create_as(&dir, 3, Overwrite::Refuse, FeatureFormat::Parquet)
        .err()
        .expect("refused");
    assert!(e.to_string().contains("features.parquet"), "{e}");
    let mut w = FeatureWriter::create_as(&dir, 3, Overwrite::Replace, FeatureFormat::Parquet).unwrap();
    // A wrong feature count is refused with both counts named, and nothing panics.
    let e = w.image("a.png", "x", &[0.0; 4], &[0.0; 8], [2, 2, 2]).unwrap_err();
    assert!(e.to_string().contains("2 features per patch, the table has 3"), "{e}");
    drop(w);
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["features.parquet"]);
    // --features-format without --features does not apply.
    let opt = ExplainOptions {
        features_format: FeatureFormat::Parquet,
        ..Default::default()
    };
    assert!(opt.validate().unwrap_err().to_string().contains("--features-format"));
    let _ = std::fs::remove_dir_all(&dir);
}
