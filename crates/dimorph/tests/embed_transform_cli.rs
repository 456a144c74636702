//! `dimorph embed --transform NEW --into DIR` end to end: an `embed` run with --out saves the
//! model, the transform writes the same outputs (coordinates CSV, SVG with the new points drawn
//! over the grey reference, JSON envelope naming both inputs), and bad input exits 2 with a clear
//! message (columns that do not match the saved basis, a missing value, a missing or corrupt
//! --into folder, options of the embedding itself). The placement's quality is tested in
//! dimorph-embed's tests/transform.rs.

use crate::common::{run, stderr, stdout};
use crate::common::{scratch_dir, scratch_file, scratch_path, ScratchPath};

/// A file holding `contents`, removed with its scratch folder when dropped.
fn tmp(name: &str, contents: &str) -> ScratchPath {
    scratch_file("dimorph_embed_transform_cli", name, contents)
}

/// `n` points in two groups (f1..f3, a group label and an id).
fn groups(name: &str, n: usize, shift: f64) -> ScratchPath {
    let mut s = String::from("id,f1,f2,f3,group\n");
    for i in 0..n {
        let g = i % 2;
        let base = if g == 0 { 0.0 } else { 10.0 };
        let t = i as f64 + shift;
        s += &format!(
            "p{i},{},{},{},g{g}\n",
            base + (t * 0.37).sin(),
            base + (t * 0.91).cos(),
            (t * 0.13).sin()
        );
    }
    tmp(name, &s)
}

/// Embeds the training groups into a fresh model folder (removed with its scratch folder when
/// dropped).
fn model(name: &str) -> ScratchPath {
    let train = groups("train.csv", 80, 0.0);
    let out = scratch_path("dimorph_embed_transform_cli", name);
    let o = run(&[
        "embed",
        "--data",
        train.to_str().unwrap(),
        "--features",
        "f*",
        "--knn",
        "10",
        "--early-iter",
        "50",
        "--iter",
        "100",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
        "--force",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in ["model.json", "model_coords.f64", "model_space.f32", "embedding.csv"] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    out
}

#[test]
fn transform_writes_the_outputs_of_an_embedding() {
    let into = model("model_ok");
    let new = groups("new.csv", 30, 0.5);
    let out = scratch_path("dimorph_embed_transform_cli", "placed");
    let o = run(&[
        "embed",
        "--transform",
        new.to_str().unwrap(),
        "--into",
        into.to_str().unwrap(),
        "--color",
        "group",
        "--id",
        "id",
        "--format",
        "json",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
        "--force",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["input"]["transform"], new.to_str().unwrap());
    assert_eq!(v["input"]["into"], into.to_str().unwrap());
    assert_eq!(v["result"]["placed"]["y"].as_array().unwrap().len(), 30);
    assert_eq!(v["result"]["reference_points"], 80);
    assert_eq!(v["options"]["iter"], 250);
    let csv = std::fs::read_to_string(out.join("embedding.csv")).unwrap();
    assert!(csv.starts_with("row,tsne1,tsne2,id,group"), "{csv}");
    assert_eq!(csv.lines().count(), 31);
    let svg = std::fs::read_to_string(out.join("embedding.svg")).unwrap();
    assert!(svg.contains("reference (80)") && svg.contains("group = g1"), "legend");
    // each new point lands among the training points of its own group (the groups are 17 apart)
    let train: Vec<Vec<String>> = std::fs::read_to_string(into.join("embedding.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    let centre = |g: usize| {
        let pts: Vec<(f64, f64)> = train
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 2 == g)
            .map(|(_, r)| (r[1].parse().unwrap(), r[2].parse().unwrap()))
            .collect();
        let n = pts.len() as f64;
        (
            pts.iter().map(|p| p.0).sum::<f64>() / n,
            pts.iter().map(|p| p.1).sum::<f64>() / n,
        )
    };
    let (c0, c1) = (centre(0), centre(1));
    for l in csv.lines().skip(1) {
        let r: Vec<&str> = l.split(',').collect();
        let (x, y): (f64, f64) = (r[1].parse().unwrap(), r[2].parse().unwrap());
        let (d0, d1) = ((x - c0.0).hypot(y - c0.1), (x - c1.0).hypot(y - c1.1));
        let own = if r[4] == "g0" { d0 < d1 } else { d1 < d0 };
        assert!(own, "{l}: {d0} {d1}");
    }
}

#[test]
fn bad_transform_input_exits_2_with_a_clear_message() {
    let into = model("model_bad");
    let into_s = into.to_str().unwrap();
    let cases: Vec<(ScratchPath, Vec<&str>, &str)> = vec![
        (
            tmp("two.csv", "f1,f2\n1,2\n3,4\n"),
            vec![],
            "1 of the 3 feature columns of the saved embedding are missing: f3",
        ),
        (
            tmp("four.csv", "g1,g2,g3,g4\n1,2,3,4\n"),
            vec!["--features", "g*"],
            "--features matches 4 columns, but the saved embedding was made from 3",
        ),
        (
            tmp("nan.csv", "f1,f2,f3\n1,2,3\n1,,3\n"),
            vec![],
            "line 3, column 'f2': the value is missing",
        ),
    ];
    for (file, extra, msg) in cases {
        let mut args = vec![
            "embed",
            "--transform",
            file.to_str().unwrap(),
            "--into",
            into_s,
            "--quiet",
        ];
        args.extend(extra);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains(msg), "{msg}: {}", stderr(&o));
    }
    let new = groups("new2.csv", 10, 0.5);
    let new_s = new.to_str().unwrap();
    // a folder that does not exist, one without a model, a corrupt model file
    let o = run(&["embed", "--transform", new_s, "--into", "/nonexistent/emb", "--quiet"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--into /nonexistent/emb: no such folder"),
        "{}",
        stderr(&o)
    );
    let empty = scratch_dir("dimorph_embed_transform_cli_empty");
    let o = run(&[
        "embed",
        "--transform",
        new_s,
        "--into",
        empty.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("model.json"), "{}", stderr(&o));
    let coords = into.join("model_coords.f64");
    let mut b = std::fs::read(&coords).unwrap();
    b.truncate(b.len() - 8);
    std::fs::write(&coords, &b).unwrap();
    let o = run(&["embed", "--transform", new_s, "--into", into_s, "--quiet"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("model_coords.f64: the file is corrupt"),
        "{}",
        stderr(&o)
    );
    // options of the embedding itself, and --transform without --into
    let o = run(&["embed", "--transform", new_s, "--into", into_s, "--perplexity", "5"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot be used with"), "{}", stderr(&o));
    let o = run(&["embed", "--transform", new_s]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--into"), "{}", stderr(&o));
}
