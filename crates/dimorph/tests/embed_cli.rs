//! `dimorph embed` end to end: the files in --out (embedding and cluster tables as CSV, the SVG,
//! Parquet on request), the JSON envelope, `--format csv`, hostile labels read back from every
//! CSV, options refused where they do not apply, and exit code 2 with a clear message for bad
//! input. Runs use 50 + 50 iterations on small data: they test the wiring, not the embedding
//! quality (see dimorph-embed's tests).

use crate::common::{run, stderr, stdout};
use crate::common::{scratch_dir, scratch_file, scratch_path, ScratchPath};

/// A file holding `contents`, removed with its scratch folder when dropped.
fn tmp(name: &str, contents: &str) -> ScratchPath {
    scratch_file("dimorph_embed_cli", name, contents)
}

/// 80 patches in two groups with a logit column and a sex column, as a BagNet export would hold.
fn patches() -> ScratchPath {
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

/// A text column of a frame (missing = None).
fn text(f: &dimorph_data::Frame, name: &str) -> Vec<Option<String>> {
    match &f.column(name).unwrap().data {
        dimorph_data::ColumnData::Text { values, .. } => values.clone(),
        dimorph_data::ColumnData::Num(v) => v.iter().map(|x| Some(format!("{x}"))).collect(),
    }
}

/// A fresh output folder, not made yet, removed with its scratch folder when dropped.
fn out_dir(name: &str) -> ScratchPath {
    scratch_path("dimorph_embed_cli", name)
}

#[test]
fn writes_coordinates_plot_and_cluster_summary() {
    let data = patches();
    let out = out_dir("run1");
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
    assert!(text.contains("uniform affinities over 10 nearest neighbours"), "{text}");
    assert!(!text.contains("Uniform {"), "no debug formatting: {text}");
    assert!(
        text.contains("cluster all (centre 0, 0, radius 1000): 80 points"),
        "{text}"
    );
    // 27 of 80 rows are male (i % 3 == 0)
    assert!(text.contains("class male: 27 points (33.8 %)"), "{text}");
    let csv = std::fs::read_to_string(out.join("embedding.csv")).unwrap();
    assert!(csv.starts_with("row,tsne1,tsne2,image,logit,sex\n1,"), "{}", &csv[..80]);
    assert_eq!(csv.lines().count(), 81);
    for f in ["clusters.csv", "cluster_classes.csv", "exemplars.csv"] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let s = std::fs::read_to_string(out.join("embedding.svg")).unwrap();
    assert!(s.starts_with("<svg") && s.matches("<circle").count() >= 80);
    assert!(
        text.contains(&format!("wrote {}", out.join("embedding.csv").display())),
        "{text}"
    );

    // Parquet on request, and the JSON result
    let out2 = out_dir("run2");
    let mut args = vec![
        "embed",
        "--data",
        data.to_str().unwrap(),
        "--features",
        "f1,f2",
        "--knn",
        "5",
        "--parquet",
        "--out",
        out2.to_str().unwrap(),
        "--format",
        "json",
        "--quiet",
    ];
    args.extend(QUICK);
    let o = run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let r = &v["result"];
    assert_eq!(r["embedding"]["n"], 80);
    assert_eq!(r["embedding"]["y"].as_array().unwrap().len(), 80);
    assert_eq!(r["features"]["columns"], serde_json::json!(["f1", "f2"]));
    assert_eq!(r["embedding"]["params"]["affinity"]["kind"], "uniform");
    assert!(r["embedding"]["kl_divergence"].as_f64().unwrap() > 0.0);
    let pq = out2.join("embedding.parquet");
    assert!(std::fs::metadata(&pq).unwrap().len() > 100);
    assert!(v["files"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f.as_str() == Some(pq.to_str().unwrap())));
    let g = dimorph_data::read_parquet(&pq).unwrap();
    assert_eq!(g.numeric("row").unwrap()[79], 80.0);

    // the folder is not overwritten without --force
    let o = run(&args);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("already exists; pass --force"), "{}", stderr(&o));
    args.push("--force");
    let o = run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn json_envelope_has_the_documented_shape() {
    let data = patches();
    let mut args = vec![
        "embed",
        "--data",
        data.to_str().unwrap(),
        "--features",
        "f*",
        "--knn",
        "10",
        "--class",
        "sex",
        "--cluster",
        "a=0,0,1000",
        "--format",
        "json",
        "--quiet",
    ];
    args.extend(QUICK);
    let o = run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let keys = |x: &serde_json::Value| -> Vec<String> {
        let mut k: Vec<String> = x.as_object().expect("an object").keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(
        keys(&v),
        ["command", "files", "input", "options", "result", "version", "warnings"]
    );
    assert_eq!(v["command"], "embed");
    assert_eq!(keys(&v["input"]), ["data"]);
    assert_eq!(v["input"]["data"], data.to_str().unwrap());
    assert_eq!(keys(&v["result"]), ["clusters", "embedding", "features"]);
    assert_eq!(
        keys(&v["result"]["embedding"]),
        [
            "coarse_fft_iterations",
            "duplicate_points",
            "exact_iterations",
            "gradient_method",
            "iterations",
            "kl_divergence",
            "knn_dims",
            "knn_method",
            "knn_recall",
            "knn_recall_features",
            "knn_recall_features_sample",
            "knn_recall_sample",
            "knn_rounds",
            "knn_trees",
            "knn_tries",
            "learning_rate",
            "n",
            "params",
            "timings",
            "y"
        ]
    );
    assert_eq!(keys(&v["result"]["features"]), ["columns", "constant", "scaling"]);
    let c = &v["result"]["clusters"][0];
    assert_eq!(
        keys(c),
        ["class_fractions", "exemplars", "mean_value", "n_points", "region"]
    );
    // the options as used: defaults that apply are filled in, others stay null
    assert_eq!(v["options"]["knn"], 10);
    assert_eq!(v["options"]["exemplars"], 2);
    assert!(v["options"]["perplexity"].is_null());
    assert_eq!(v["options"]["affinity"], "uniform");
    assert!(v["warnings"].is_array() && v["files"].as_array().unwrap().is_empty());
}

#[test]
fn format_csv_prints_the_embedding_table() {
    let data = patches();
    let mut args = vec![
        "embed",
        "--data",
        data.to_str().unwrap(),
        "--features",
        "f*",
        "--knn",
        "10",
        "--id",
        "image",
        "--format",
        "csv",
        "--quiet",
    ];
    args.extend(QUICK);
    let o = run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = stdout(&o);
    let f = dimorph_data::read_csv_bytes("stdout", csv.as_bytes()).unwrap();
    assert_eq!(f.names(), vec!["row", "tsne1", "tsne2", "image"]);
    assert_eq!(f.nrows, 80);
    assert_eq!(f.numeric("row").unwrap()[0], 1.0);
    assert!(f.numeric("tsne1").unwrap().iter().all(|x| x.is_finite()));
}

#[test]
fn hostile_labels_round_trip_through_every_csv() {
    let nasty = "Heart, vessels \"and\"\nmore";
    let quoted = format!("\"{}\"", nasty.replace('"', "\"\""));
    let mut s = String::from("f1,f2,label\n");
    for i in 0..40 {
        let g = i % 2;
        let base = if g == 0 { 0.0 } else { 10.0 };
        let label = if g == 0 { quoted.clone() } else { "plain".to_string() };
        s += &format!(
            "{},{},{label}\n",
            base + (i as f64 * 0.37).sin(),
            base + (i as f64 * 0.91).cos()
        );
    }
    let data = tmp("nasty.csv", &s);
    let out = out_dir("nasty");
    let cluster = format!("{nasty}=0,0,1000");
    let mut args = vec![
        "embed",
        "--data",
        data.to_str().unwrap(),
        "--features",
        "f*",
        "--knn",
        "5",
        "--id",
        "label",
        "--class",
        "label",
        "--cluster",
        &cluster,
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ];
    args.extend(QUICK);
    let o = run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let read = |name: &str| dimorph_data::read_csv(out.join(name)).unwrap();
    let e = read("embedding.csv");
    assert_eq!(e.names(), vec!["row", "tsne1", "tsne2", "label"]);
    assert_eq!(e.nrows, 40);
    let labels = text(&e, "label");
    assert_eq!(labels[0].as_deref(), Some(nasty));
    assert_eq!(labels[1].as_deref(), Some("plain"));
    let c = read("clusters.csv");
    assert_eq!(c.nrows, 1);
    assert_eq!(text(&c, "cluster")[0].as_deref(), Some(nasty));
    let cc = read("cluster_classes.csv");
    assert_eq!(cc.nrows, 2);
    let classes = text(&cc, "class");
    assert!(classes.contains(&Some(nasty.to_string())), "{classes:?}");
    let x = read("exemplars.csv");
    assert_eq!(x.names(), vec!["cluster", "rank", "row", "class", "value", "label"]);
    assert_eq!(x.nrows, 4);
    assert!(text(&x, "cluster").iter().all(|v| v.as_deref() == Some(nasty)));
}

#[test]
fn options_that_do_not_apply_are_refused() {
    let data = patches();
    let d = data.to_str().unwrap();
    for (extra, msg) in [
        (
            vec!["--affinity", "gaussian", "--knn", "10"],
            "--knn applies only to --affinity uniform",
        ),
        (
            vec!["--perplexity", "5"],
            "--perplexity applies only to --affinity gaussian",
        ),
        (
            vec!["--knn-method", "exact", "--pca-dims", "10"],
            "--pca-dims applies only to the approximate neighbour search",
        ),
        (vec!["--exemplars", "3"], "--exemplars applies only to chosen clusters"),
    ] {
        let mut args = vec!["embed", "--data", d, "--features", "f*", "--quiet"];
        args.extend(extra);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(msg), "{}", stderr(&o));
    }
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
    let o = run(&["embed", "--data", d, "--features", "f*", "--threads", "0", "--quiet"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("'--threads <THREADS>': must be a whole number, at least 1"),
        "{}",
        stderr(&o)
    );
    let o = run(&["embed", "--data", "/nonexistent/p.csv", "--features", "f*"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("/nonexistent/p.csv"), "{}", stderr(&o));
}

#[test]
fn help_ends_with_runnable_examples() {
    let o = run(&["embed", "--help"]);
    assert!(o.status.success());
    let help = stdout(&o);
    let ex = help.split("Examples").nth(1).unwrap_or_else(|| panic!("{help}"));
    let lines: Vec<&str> = ex.lines().filter(|l| l.trim().starts_with("dimorph")).collect();
    assert!(lines.len() >= 2, "{help}");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let outs = scratch_dir("dimorph_embed_cli_help_examples");
    for l in lines {
        // drop a shell redirection; --out and --into folders go to a scratch folder (the
        // examples' files would land in the repository), in the order the examples give them
        let l = l.split('>').next().unwrap_or(l);
        let mut words: Vec<String> = l.split_whitespace().skip(1).map(|w| w.replace('\'', "")).collect();
        for flag in ["--out", "--into"] {
            if let Some(i) = words.iter().position(|a| a == flag) {
                words[i + 1] = outs.join(&words[i + 1]).display().to_string();
            }
        }
        if words.iter().any(|w| w == "--out") {
            words.push("--force".into());
        }
        let mut args: Vec<&str> = words.iter().map(String::as_str).collect();
        // quick runs; the placement has no early phase
        args.extend(if words.iter().any(|w| w == "--transform") {
            &QUICK[2..]
        } else {
            &QUICK[..]
        });
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_dimorph"))
            .args(&args)
            .current_dir(&root)
            .output()
            .unwrap();
        assert!(o.status.success(), "{l}: {}", stderr(&o));
    }
}

#[test]
fn out_of_range_and_negative_values_exit_2_naming_the_option_and_its_bounds() {
    let data = patches();
    let d = data.to_str().unwrap();
    for (extra, msg) in [
        (
            vec!["--exaggeration", "inf"],
            "--exaggeration must be at least 1 and at most 1000 (got inf)",
        ),
        (
            vec!["--affinity", "gaussian", "--perplexity", "-5"],
            "--perplexity must be a positive number, at least 1 and at most 1000 (got -5)",
        ),
        (
            vec!["--alpha", "-1"],
            "--alpha must be a positive number, at least 0.01 and at most 1000 (got -1)",
        ),
        (vec!["--alpha", "1e-300"], "(got 1e-300)"),
        (
            vec!["--learning-rate", "-1"],
            "--learning-rate must be positive and at most 1e9 (got -1)",
        ),
        (
            vec!["--knn", "-5"],
            "'--knn <KNN>': must be a whole number, at least 1 and at most 3000",
        ),
        (
            vec!["--iter", "1000000000000"],
            "'--iter <ITER>': must be a whole number, at least 0 and at most 100000",
        ),
        (
            vec!["--early-iter", "-1"],
            "'--early-iter <EARLY_ITER>': must be a whole number, at least 0",
        ),
        (
            vec!["--knn-method", "approx", "--pca-dims", "100000"],
            "'--pca-dims <PCA_DIMS>': must be a whole number, at least 1 and at most 500",
        ),
        (
            vec!["--threads", "-2"],
            "'--threads <THREADS>': must be a whole number, at least 1 and at most 256",
        ),
        (
            vec!["--max-plot-points", "1e12"],
            "'--max-plot-points <MAX_PLOT_POINTS>': must be a whole number",
        ),
        (
            vec!["--seed", "-1"],
            "'--seed <SEED>': must be a whole number, at least 0",
        ),
        (
            vec!["--cluster", "-a=1,2,3", "--exemplars", "-1"],
            "'--exemplars <EXEMPLARS>': must be a whole number, at least 0 and at most 1000",
        ),
        (
            vec!["--cluster", "a=0,0,-3"],
            "--cluster 'a=0,0,-3': expected NAME=X,Y,RADIUS",
        ),
        (
            vec!["--knn", "100"],
            "80 points are too few for 100 nearest neighbours (--knn): need at least 101",
        ),
    ] {
        let mut args = vec!["embed", "--data", d, "--features", "f*", "--quiet"];
        args.extend(extra);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(msg), "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).is_empty(), "{args:?}: {}", stdout(&o));
    }
}

#[test]
fn huge_cells_are_quoted_clipped() {
    let mut s = String::from("f1,f2\n");
    for i in 0..30 {
        let v = if i == 9 {
            "q".repeat(100_000)
        } else {
            (i * 3 % 7).to_string()
        };
        s += &format!("{i},{v}\n");
    }
    let data = tmp("huge_cell.csv", &s);
    let o = run(&["embed", "--data", data.to_str().unwrap(), "--features", "f*", "--quiet"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("column 'f2' must be numeric, but line 11 holds 'qqq") && e.contains("…'"),
        "{e}"
    );
    assert!(e.len() < 400, "{} bytes", e.len());
}

#[test]
fn help_states_the_range_of_every_numeric_option() {
    let o = run(&["embed", "--help"]);
    let help = stdout(&o);
    for range in [
        "1 to 3000",
        "1 to 1000 and below",
        "0.01 to 1000",
        "1 to 500",
        "0 to 100000",
        "Early exaggeration factor, 1 to 1000",
        "positive and at most 1e9",
        "Threads, 1 to 256",
        "0 to 1000",
        "1 to 1000000",
        "0 to 2^64",
    ] {
        assert!(help.contains(range), "'{range}' missing from:\n{help}");
    }
}

#[test]
fn csv_f32_reads_the_same_features_and_refuses_what_single_precision_cannot_hold() {
    let data = patches();
    let args = |extra: &[&'static str]| {
        let mut a = vec![
            "embed",
            "--data",
            data.to_str().unwrap(),
            "--features",
            "f*",
            "--color",
            "logit",
            "--class",
            "sex",
            "--id",
            "image",
            "--format",
            "csv",
            "--quiet",
        ];
        a.extend_from_slice(&QUICK);
        a.extend_from_slice(extra);
        a.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let plain = run(&args(&[]).iter().map(String::as_str).collect::<Vec<_>>());
    let single = run(&args(&["--csv-f32"]).iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(plain.status.code(), Some(0), "{}", stderr(&plain));
    assert_eq!(single.status.code(), Some(0), "{}", stderr(&single));
    // the features are the same f32 values either way, so the embedding is the same digit for digit
    assert_eq!(stdout(&plain), stdout(&single));
    assert!(
        stdout(&single).starts_with("row,tsne1,tsne2,image,logit,sex\n"),
        "{}",
        stdout(&single)
    );

    let mut s = String::from("f1,f2\n");
    for i in 0..30 {
        s += &format!("{i},{}\n", if i == 6 { "1e39" } else { "2" });
    }
    let big = tmp("f32_big.csv", &s);
    let o = run(&[
        "embed",
        "--data",
        big.to_str().unwrap(),
        "--features",
        "f*",
        "--csv-f32",
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("line 8: column 'f2' holds '1e39': beyond single precision's range"),
        "{}",
        stderr(&o)
    );
    let pq = scratch_path("dimorph_embed_cli", "features.parquet");
    let o = run(&[
        "embed",
        "--data",
        pq.to_str().unwrap(),
        "--features",
        "f*",
        "--csv-f32",
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--csv-f32 applies to CSV input"), "{}", stderr(&o));
    let o = run(&[
        "embed",
        "--transform",
        big.to_str().unwrap(),
        "--into",
        "x",
        "--csv-f32",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}
