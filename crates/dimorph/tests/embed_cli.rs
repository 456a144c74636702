//! `dimorph embed` end to end: coordinates (CSV, Parquet), the SVG, cluster summaries, JSON
//! fields, and exit code 2 with a clear message for bad input. Runs use 50 + 50 iterations on
//! small data: they test the wiring, not the embedding quality (see dimorph-embed's tests).

use std::path::PathBuf;

mod common;
use common::{run, stderr};

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("dimorph_embed_cli_{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn tmp(name: &str, contents: &str) -> PathBuf {
    let p = dir().join(name);
    std::fs::write(&p, contents).unwrap();
    p
}

/// 80 patches in two groups with a logit column and a sex column, as a BagNet export would hold.
fn patches() -> PathBuf {
    let mut s = String::from("image,f1,f2,f3,logit,sex\n");
    for i in 0..80 {
        let g = i % 2;
        let base = if g == 0 { 0.0 } else { 10.0 };
        s += &format!(
            "img{},{},{},{},{},{}\n",
            i / 4,
            base + (i as f64 * 0.37).sin(),
            base + (i as f64 * 0.91).cos(),
            (i as f64 * 0.13).sin(),
            if g == 0 { 2.0 } else { -1.5 } + 0.01 * i as f64,
            if i % 3 == 0 { "male" } else { "female" }
        );
    }
    tmp("patches.csv", &s)
}

const QUICK: [&str; 4] = ["--early-iter", "50", "--iter", "50"];

#[test]
fn writes_coordinates_plot_and_cluster_summary() {
    let data = patches();
    let out = dir().join("emb.csv");
    let svg = dir().join("emb.svg");
    let mut args = vec![
        "embed",
        "--data",
        data.to_str().unwrap(),
        "--features",
        "f*",
        "--knn",
        "10",
        "--alpha",
        "0.5",
        "--out",
        out.to_str().unwrap(),
        "--plot",
        svg.to_str().unwrap(),
        "--color",
        "logit",
        "--class",
        "sex",
        "--id",
        "image",
        "--cluster",
        "all=0,0,1000",
        "--quiet",
    ];
    args.extend(QUICK);
    let o = run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("80 points × 3 features"), "{text}");
    assert!(
        text.contains("cluster all (centre 0, 0, radius 1000): 80 points"),
        "{text}"
    );
    // 27 of 80 rows are male (i % 3 == 0)
    assert!(text.contains("class male: 27 points (33.8 %)"), "{text}");
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(csv.starts_with("row,tsne1,tsne2,image,logit,sex\n1,"), "{}", &csv[..80]);
    assert_eq!(csv.lines().count(), 81);
    let s = std::fs::read_to_string(&svg).unwrap();
    assert!(s.starts_with("<svg") && s.matches("<circle").count() >= 80);

    // Parquet output and JSON fields
    let pq = dir().join("emb.parquet");
    let mut args = vec![
        "embed",
        "--data",
        data.to_str().unwrap(),
        "--features",
        "f1,f2",
        "--knn",
        "5",
        "--out",
        pq.to_str().unwrap(),
        "--format",
        "json",
        "--quiet",
    ];
    args.extend(QUICK);
    let o = run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["embedding"]["n"], 80);
    assert_eq!(v["embedding"]["y"].as_array().unwrap().len(), 80);
    assert_eq!(v["features"]["columns"], serde_json::json!(["f1", "f2"]));
    assert_eq!(v["embedding"]["params"]["affinity"]["kind"], "uniform");
    assert!(v["embedding"]["kl_divergence"].as_f64().unwrap() > 0.0);
    assert!(std::fs::metadata(&pq).unwrap().len() > 100);
}

#[test]
fn too_few_points_for_the_neighbours() {
    let data = tmp("few.csv", "f1,f2\n1,2\n2,3\n3,1\n4,4\n");
    let o = run(&["embed", "--data", data.to_str().unwrap(), "--features", "f*", "--quiet"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("4 points are too few for 15 nearest neighbours (--knn): need at least 16"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn nan_and_infinite_features() {
    let mut s = String::from("f1,f2\n");
    for i in 0..30 {
        s += &format!("{i},{}\n", if i == 6 { "NaN".to_string() } else { (i * 2).to_string() });
    }
    let data = tmp("nan.csv", &s);
    let o = run(&["embed", "--data", data.to_str().unwrap(), "--features", "f*", "--quiet"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("line 8, column 'f2': the value is missing"),
        "{}",
        stderr(&o)
    );
    let data = tmp("inf.csv", &s.replace("NaN", "-Inf"));
    let o = run(&["embed", "--data", data.to_str().unwrap(), "--features", "f*", "--quiet"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("line 8, column 'f2': the value is -inf"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn constant_features() {
    let mut s = String::from("f1,f2\n");
    for _ in 0..30 {
        s += "1,5\n";
    }
    let data = tmp("const.csv", &s);
    let o = run(&["embed", "--data", data.to_str().unwrap(), "--features", "f*", "--quiet"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("every selected feature column is constant (f1, f2)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn missing_columns_and_bad_arguments() {
    let data = patches();
    let d = data.to_str().unwrap();
    let o = run(&["embed", "--data", d, "--features", "g*", "--quiet"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--features 'g*' matches no column (columns are: image, f1, f2, f3, logit, sex)"),
        "{}",
        stderr(&o)
    );
    let o = run(&[
        "embed",
        "--data",
        d,
        "--features",
        "f*",
        "--color",
        "evidence",
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no column named 'evidence'"), "{}", stderr(&o));
    let o = run(&[
        "embed",
        "--data",
        d,
        "--features",
        "f*",
        "--cluster",
        "a=1,2",
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--cluster 'a=1,2': expected NAME=X,Y,RADIUS"),
        "{}",
        stderr(&o)
    );
    let o = run(&["embed", "--data", d, "--features", "f*", "--alpha=-1", "--quiet"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--alpha must be a positive number"),
        "{}",
        stderr(&o)
    );
    let o = run(&["embed", "--data", d, "--features", "f*", "--out", "x.txt", "--quiet"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("must end in .csv or .parquet"), "{}", stderr(&o));
    let o = run(&["embed", "--data", "/nonexistent/p.csv", "--features", "f*"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("/nonexistent/p.csv"), "{}", stderr(&o));
}
