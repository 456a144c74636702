//! Every CSV the engine writes reads back through a CSV parser with the same rows and fields, also
//! when an image name or a class label holds a comma, a double quote and a newline.

use dimorph_bagnet::checkpoint::ModelMeta;
use dimorph_bagnet::data;
use dimorph_bagnet::evidence::FeatureWriter;
use dimorph_bagnet::model::{Arch, BagNetConfig};
use dimorph_bagnet::on_cpu;
use dimorph_bagnet::options::ExplainOptions;
use dimorph_bagnet::pipeline::ExplainSet;
use dimorph_bagnet::synth::{self, SynthOptions};
use dimorph_core::Overwrite;
use dimorph_core::ScratchPath;

const NASTY_NAME: &str = "eye, left \"A\"\nimg.png";
const NASTY_LABEL: &str = "fe,\"male\"\nX";

fn tmp(name: &str) -> ScratchPath {
    ScratchPath::new("dimorph-bagnet-csv", name).unwrap()
}

fn records(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().expect("a header").iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.expect("valid csv").iter().map(String::from).collect())
        .collect();
    (header, rows)
}

#[test]
fn evidence_stats_and_features_round_trip_hostile_names() {
    let mut ds = synth::dataset(&SynthOptions {
        n: 6,
        size: 40,
        effect: 0.3,
        seed: 2,
    });
    // Both classes (subjects alternate), class 0 with a hostile label, image 0 with a hostile name.
    for (i, t) in ds.targets.iter_mut().enumerate() {
        *t = (i / 2) % 2;
    }
    ds.classes[0] = NASTY_LABEL.to_string();
    for (row, &t) in ds.rows.iter_mut().zip(&ds.targets) {
        row.label = ds.classes[t].clone();
    }
    ds.rows[0].name = NASTY_NAME.to_string();
    let config = BagNetConfig::new(Arch::BagNet9, 1).with_width(0.0625);
    let model = config.init_cpu();
    let meta = ModelMeta {
        config,
        classes: ds.classes.clone(),
        size: 40,
        mask: true,
        epoch: 0,
    };
    let dir = tmp("features");
    let mut fw = FeatureWriter::create(&dir, config.feature_dim(), Overwrite::Refuse).unwrap();
    let idx: Vec<usize> = (0..ds.images.len()).collect();
    let set = ExplainSet {
        ds: &ds,
        name: "all",
        idx: &idx,
    };
    let opt = ExplainOptions {
        threshold: 0.01,
        clip: 1.0,
        ..Default::default()
    };
    let o = on_cpu::explain_model(&model, &meta, &set, &opt, Some(&mut fw)).unwrap();
    let features = fw.finish().unwrap();

    // evidence_stats: one row per image, 9 fields each, names and labels as given.
    let stats = &o.tables[0];
    assert_eq!(stats.name, "evidence_stats");
    let (header, rows) = records(&stats.to_csv());
    assert_eq!(header, stats.columns);
    assert_eq!(rows.len(), ds.images.len());
    assert!(rows.iter().all(|r| r.len() == 9));
    assert_eq!(rows[0][0], NASTY_NAME);
    for (r, &t) in rows.iter().zip(&ds.targets) {
        assert_eq!(r[1], ds.classes[t]);
    }
    assert!(rows.iter().any(|r| r[1] == NASTY_LABEL));
    for (r, cells) in rows.iter().zip(&stats.rows) {
        let fields: Vec<String> = cells.iter().map(|c| c.to_field()).collect();
        assert_eq!(r, &fields);
    }

    // features.csv: one row per patch, 5 + C fields each, the hostile name and label intact.
    let side = Arch::BagNet9.map_size(40).unwrap();
    let text = std::fs::read_to_string(&features).unwrap();
    let (header, rows) = records(&text);
    let c = config.feature_dim();
    assert_eq!(header.len(), 5 + c);
    assert_eq!(&header[..5], ["image", "row", "col", "label", "logit"]);
    assert_eq!(rows.len(), ds.images.len() * side * side);
    assert!(rows.iter().all(|r| r.len() == 5 + c));
    assert!(rows[..side * side].iter().all(|r| r[0] == NASTY_NAME));
    assert_eq!(rows[0][3], ds.rows[0].label);
    assert!(rows.iter().any(|r| r[3] == NASTY_LABEL));
    assert!(rows.iter().all(|r| r[5..].iter().all(|v| v.parse::<f32>().is_ok())));
    // The map values of the table are those of the result.
    let first: Vec<f64> = rows[..side * side].iter().map(|r| r[4].parse().unwrap()).collect();
    assert_eq!(first, o.result.images[0].map);

    // The files of the outcome all have names that stay inside the output folder.
    let written = dimorph_core::output::write_all(&dir, &o.all_files(), Overwrite::Refuse).unwrap();
    assert!(written.iter().all(|p| p.starts_with(&dir)));
    for f in o.all_files() {
        assert!(!f.name.contains([',', '"', '\n']), "file name {}", f.name);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_second_feature_export_is_refused_unless_replacing() {
    let dir = tmp("refuse");
    FeatureWriter::create(&dir, 4, Overwrite::Refuse)
        .unwrap()
        .finish()
        .unwrap();
    assert!(dir.join("features.csv").is_file());
    let e = FeatureWriter::create(&dir, 4, Overwrite::Refuse)
        .err()
        .expect("refused");
    assert!(e.to_string().contains("features.csv"), "{e}");
    assert!(FeatureWriter::create(&dir, 4, Overwrite::Replace).is_ok());
    // A writer dropped part-way leaves no temporary file.
    let leftovers = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with(".tmp"))
        .count();
    assert_eq!(leftovers, 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn synthetic_labels_read_back_with_the_planted_circles() {
    let dir = tmp("labels");
    let opt = SynthOptions {
        n: 4,
        size: 24,
        effect: 0.3,
        seed: 9,
    };
    let csv = synth::write_dataset(&opt, &dir).unwrap();
    let rows = data::read_labels(&csv, &dir).unwrap();
    assert_eq!(rows.len(), 4);
    for (i, r) in rows.iter().enumerate() {
        let g = synth::generate(&opt, i);
        assert_eq!(r.label, g.label);
        assert_eq!(r.eye.as_deref(), Some(g.eye));
        assert_eq!(r.subject, format!("s{:05}", i / 2));
        for (p, q) in r.planted.iter().zip(g.planted) {
            for (a, b) in p.iter().zip([q.x, q.y, q.r]) {
                assert!((a - b).abs() <= 0.005 + 1e-9, "{a} vs {b}");
            }
        }
    }
    // A second run into the same folder is refused without replacing.
    let e = synth::run_synth(&opt, &dir, Overwrite::Refuse).expect_err("refused");
    assert!(e.to_string().contains("already exists"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}
