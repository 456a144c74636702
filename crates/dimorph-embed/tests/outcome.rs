//! The analysis entry point `run`: the outcome's tables and files, every CSV it produces read back
//! with the `csv` crate when labels, classes and cluster names hold a comma, a double quote and a
//! newline, the options refused where they do not apply, and `run` giving the same embedding as
//! the pipeline called directly with the same settings. (The embed demo's outcome is checked by
//! `opentsne_peer::digits_against_opentsne`, on the demo run that test compares with openTSNE.)

use dimorph_embed::clusters::Region;
use dimorph_embed::{embed, run, Affinity, EmbedOptions, Params};

const NASTY: &str = "Heart, vessels \"and\"\nmore";

/// 60 points in two groups; `label` is the hostile text in group 0.
fn frame() -> dimorph_data::Frame {
    let mut s = String::from("f1,f2,f3,label,logit\n");
    for i in 0..60 {
        let g = i % 2;
        let base = if g == 0 { 0.0 } else { 10.0 };
        let label = if g == 0 {
            format!("\"{}\"", NASTY.replace('"', "\"\""))
        } else {
            "plain".to_string()
        };
        s += &format!(
            "{},{},{},{label},{}\n",
            base + (i as f64 * 0.37).sin(),
            base + (i as f64 * 0.91).cos(),
            (i as f64 * 0.13).sin(),
            if g == 0 { 2.0 } else { -1.5 } + 0.01 * i as f64
        );
    }
    dimorph_data::read_csv_bytes("nasty.csv", s.as_bytes()).unwrap()
}

/// The data records of a CSV text, read with the `csv` crate.
fn records(csv: &str) -> Vec<csv::StringRecord> {
    csv::Reader::from_reader(csv.as_bytes())
        .records()
        .map(|x| x.unwrap())
        .collect()
}

fn quick() -> EmbedOptions {
    EmbedOptions {
        features: vec!["f*".into()],
        knn: Some(10),
        early_iter: 50,
        iter: 50,
        threads: Some(2),
        ..EmbedOptions::default()
    }
}

#[test]
fn every_csv_round_trips_hostile_names() {
    let f = frame();
    let o = EmbedOptions {
        ids: vec!["label".into()],
        class: Some("label".into()),
        color: Some("label".into()),
        clusters: vec![Region {
            name: NASTY.into(),
            cx: 0.0,
            cy: 0.0,
            r: 1e6,
        }],
        parquet: true,
        ..quick()
    };
    let out = run(&f, &o, &mut |_, _, _| {}).unwrap();
    let names: Vec<&str> = out.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["embedding", "clusters", "cluster_classes", "exemplars"]);
    for t in &out.tables {
        let csv = t.to_csv();
        let mut r = csv::Reader::from_reader(csv.as_bytes());
        let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(header, t.columns, "{}", t.name);
        let rows = records(&csv);
        assert_eq!(rows.len(), t.rows.len(), "{}", t.name);
        for (got, want) in rows.iter().zip(&t.rows) {
            let want: Vec<String> = want.iter().map(|c| c.to_field()).collect();
            assert_eq!(got.iter().collect::<Vec<_>>(), want, "{}", t.name);
        }
    }
    // the hostile text itself comes back in each table that carries it
    let field = |table: usize, row: usize, col: &str| -> String {
        let t = &out.tables[table];
        let c = t.columns.iter().position(|x| x == col).unwrap();
        records(&t.to_csv())[row][c].to_string()
    };
    assert_eq!(field(0, 0, "label"), NASTY);
    assert_eq!(field(0, 1, "label"), "plain");
    assert_eq!(field(1, 0, "cluster"), NASTY);
    assert_eq!(field(2, 0, "class"), NASTY);
    assert_eq!(field(3, 0, "cluster"), NASTY);
    // embedding coordinates round-trip exactly
    let first = &records(&out.tables[0].to_csv())[0];
    assert_eq!(first[1].parse::<f64>().unwrap(), out.result.embedding.y[0][0]);
    // files: the scatter and the Parquet copy
    let files: Vec<&str> = out.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(files, ["embedding.svg", "embedding.parquet"]);
    assert!(out.files[1].bytes.starts_with(b"PAR1"));
    assert!(String::from_utf8_lossy(&out.files[0].bytes).starts_with("<svg"));
    assert!(out.to_text().contains("cluster Heart, vessels"));
}

#[test]
fn run_gives_the_pipelines_embedding() {
    let f = frame();
    let out = run(&f, &quick(), &mut |_, _, _| {}).unwrap();
    let (x, _) = dimorph_embed::input::features_from_frame(&f, &["f*".to_string()]).unwrap();
    let p = Params {
        affinity: dimorph_embed::AffinityKind::Uniform { k: 10 },
        early_iter: 50,
        n_iter: 50,
        threads: 2,
        ..Params::default()
    };
    let e = embed(&x, &p, &mut |_, _, _| {}).unwrap();
    assert_eq!(out.result.embedding.y, e.y);
    assert_eq!(out.tables.len(), 1);
    assert_eq!(out.tables[0].rows.len(), 60);
    assert!(out.summary.len() <= 12 && out.summary.iter().all(|l| l.chars().count() <= 100));
    assert!(
        !out.to_text().contains("{ k:"),
        "no debug formatting: {}",
        out.to_text()
    );
}

#[test]
fn not_applicable_options_are_refused_with_the_reason() {
    let f = frame();
    let o = EmbedOptions {
        affinity: Affinity::Gaussian,
        ..quick()
    };
    let e = run(&f, &o, &mut |_, _, _| {}).unwrap_err().to_string();
    assert!(e.contains("--knn applies only to --affinity uniform"), "{e}");
    let o = EmbedOptions {
        exemplars: Some(3),
        ..quick()
    };
    let e = run(&f, &o, &mut |_, _, _| {}).unwrap_err().to_string();
    assert!(e.contains("--exemplars applies only to chosen clusters"), "{e}");
}
