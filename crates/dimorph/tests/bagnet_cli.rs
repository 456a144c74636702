//! `dimorph bagnet` end to end on tiny synthetic data: synth → train → resume → eval → explain, and
//! exit code 2 with a clear message for bad input.

use std::path::PathBuf;

mod common;
use common::{run, stderr};

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dimorph_bagnet_cli_{}_{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

const TINY: &[&str] = &[
    "--arch",
    "bagnet9",
    "--width",
    "0.0625",
    "--size",
    "40",
    "--batch",
    "8",
    "--optimizer",
    "adam",
    "--lr",
    "0.003",
    "--head-epochs",
    "1",
    "--quiet",
];

#[test]
fn synth_train_resume_eval_explain() {
    let d = tmp("flow");
    let img = d.join("img");
    let s = img.to_str().unwrap();
    let o = run(&["bagnet", "synth", "--out", s, "--n", "24", "--size", "40"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let labels = img.join("labels.csv");
    let l = labels.to_str().unwrap();
    let out = d.join("run");
    let r = out.to_str().unwrap();
    let mut args = vec![
        "bagnet", "train", "--images", s, "--labels", l, "--out", r, "--epochs", "1",
    ];
    args.extend(TINY);
    let o = run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    // Training again into the same folder without --resume is refused.
    let o = run(&args);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--resume"), "{}", stderr(&o));
    let mut args2 = vec![
        "bagnet", "train", "--images", s, "--labels", l, "--out", r, "--epochs", "2", "--resume", "--format", "json",
    ];
    args2.extend(TINY);
    let o = run(&args2);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["history"].as_array().unwrap().len(), 3);
    let best = out.join("best");
    let b = best.to_str().unwrap();
    let o = run(&[
        "bagnet", "eval", "--model", b, "--images", s, "--labels", l, "--format", "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["sets"][2]["set"], "test");
    let maps = d.join("maps");
    let o = run(&[
        "bagnet",
        "explain",
        "--model",
        b,
        "--images",
        s,
        "--labels",
        l,
        "--out",
        maps.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(maps.join("evidence_stats.csv").is_file());
    // A corrupt image: named and stopped, or skipped with a count.
    std::fs::write(img.join("img00002.png"), b"garbage").unwrap();
    let o = run(&["bagnet", "eval", "--model", b, "--images", s, "--labels", l]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("img00002.png"), "{}", stderr(&o));
    let o = run(&[
        "bagnet",
        "eval",
        "--model",
        b,
        "--images",
        s,
        "--labels",
        l,
        "--skip-bad-images",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("1 unreadable images skipped"));
}

#[test]
fn bad_input_exits_2_with_a_message() {
    let d = tmp("bad");
    let img = d.join("img");
    let s = img.to_str().unwrap();
    assert!(run(&["bagnet", "synth", "--out", s, "--n", "4", "--size", "24"])
        .status
        .success());
    let labels = img.join("labels.csv");
    let text = std::fs::read_to_string(&labels)
        .unwrap()
        .replace("img00001.png", "missing.png");
    let bad = d.join("bad.csv");
    std::fs::write(&bad, text).unwrap();
    let out = d.join("run");
    let o = run(&[
        "bagnet",
        "train",
        "--images",
        s,
        "--labels",
        bad.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--size",
        "24",
        "--arch",
        "bagnet9",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("row 3") && stderr(&o).contains("missing.png"),
        "{}",
        stderr(&o)
    );
    // A ground-truth circle that is not a number: file, row and column named.
    let text = std::fs::read_to_string(&labels).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut cells: Vec<&str> = lines[1].split(',').collect();
    cells[5] = "left";
    lines[1] = cells.join(",");
    std::fs::write(&bad, lines.join("\n")).unwrap();
    let o = run(&[
        "bagnet",
        "train",
        "--images",
        s,
        "--labels",
        bad.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--size",
        "24",
        "--arch",
        "bagnet9",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("bad.csv") && e.contains("row 2") && e.contains("planted_x"),
        "{e}"
    );
    // Images smaller than the receptive field of BagNet-33.
    let o = run(&[
        "bagnet",
        "train",
        "--images",
        s,
        "--labels",
        labels.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--size",
        "24",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("smaller than the receptive field"),
        "{}",
        stderr(&o)
    );
    let o = run(&[
        "bagnet",
        "train",
        "--images",
        s,
        "--labels",
        labels.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--arch",
        "bagnet99",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--arch"), "{}", stderr(&o));
    // A model folder that is not one.
    let o = run(&[
        "bagnet",
        "eval",
        "--model",
        d.to_str().unwrap(),
        "--images",
        s,
        "--labels",
        labels.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("meta.json"), "{}", stderr(&o));
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../dimorph-bagnet/tests/fixtures")
        .join(name)
}

#[test]
fn import_and_pretrained_training() {
    let d = tmp("weights");
    let img = d.join("img");
    let s = img.to_str().unwrap();
    let o = run(&["bagnet", "synth", "--out", s, "--n", "16", "--size", "48"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let l = img.join("labels.csv");
    let l = l.to_str().unwrap();
    let w = fixture("bagnet33_w32.pth.tar");
    let w = w.to_str().unwrap();
    // Architecture, width and outputs read from the file: the whole model is the file's.
    let m3 = d.join("m3");
    let o = run(&[
        "bagnet",
        "import",
        "--weights",
        w,
        "--size",
        "48",
        "--out",
        m3.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["arch"], "BagNet33");
    assert_eq!(v["width"], 0.03125);
    assert_eq!(v["classes"].as_array().unwrap().len(), 3);
    assert_eq!(v["load"]["head"]["status"], "loaded");
    assert_eq!(v["load"]["format"], "pytorch_zip");
    assert!(m3.join("meta.json").is_file());
    // Two classes: the backbone from the file, a fresh one-output head; eval accepts the folder.
    let m2 = d.join("m2");
    let o = run(&[
        "bagnet",
        "import",
        "--weights",
        w,
        "--arch",
        "bagnet32",
        "--width",
        "0.03125",
        "--classes",
        "female,male",
        "--size",
        "48",
        "--out",
        m2.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("head re-initialised") && text.contains("loaded 266"),
        "{text}"
    );
    let o = run(&[
        "bagnet",
        "eval",
        "--model",
        m2.to_str().unwrap(),
        "--images",
        s,
        "--labels",
        l,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Importing into a model folder again is refused.
    let o = run(&["bagnet", "import", "--weights", w, "--out", m2.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("holds a model already"), "{}", stderr(&o));
    // Training from the file's backbone.
    let out = d.join("run");
    let o = run(&[
        "bagnet",
        "train",
        "--images",
        s,
        "--labels",
        l,
        "--out",
        out.to_str().unwrap(),
        "--arch",
        "bagnet33",
        "--width",
        "0.03125",
        "--size",
        "48",
        "--batch",
        "8",
        "--head-epochs",
        "1",
        "--epochs",
        "0",
        "--quiet",
        "--pretrained",
        w,
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["pretrained"]["head"]["status"], "reinitialised");
    assert_eq!(v["pretrained"]["head"]["file_outputs"], 3);
    assert_eq!(v["pretrained"]["loaded"], 266);
}

#[test]
fn weight_files_that_do_not_fit_exit_2() {
    let d = tmp("badweights");
    let w = fixture("bagnet33_w32.pth.tar");
    let w = w.to_str().unwrap();
    // Wrong architecture: the first offending tensor with both shapes.
    let o = run(&[
        "bagnet",
        "import",
        "--weights",
        w,
        "--arch",
        "bagnet17",
        "--out",
        d.join("a").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("bagnet33_w32.pth.tar")
            && e.contains("layer4.0.conv2.weight")
            && e.contains("[16, 16, 3, 3]")
            && e.contains("[16, 16, 1, 1]"),
        "{e}"
    );
    // Wrong width.
    let o = run(&[
        "bagnet",
        "import",
        "--weights",
        w,
        "--width",
        "0.0625",
        "--out",
        d.join("b").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("conv1.weight' has shape [2, 3, 1, 1]"),
        "{}",
        stderr(&o)
    );
    // Not a weight file, and a missing one (stops training before any image is read).
    let junk = d.join("junk.pth");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(&junk, b"not a checkpoint at all").unwrap();
    let o = run(&[
        "bagnet",
        "import",
        "--weights",
        junk.to_str().unwrap(),
        "--out",
        d.join("c").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("junk.pth"), "{}", stderr(&o));
    let o = run(&[
        "bagnet",
        "train",
        "--images",
        d.to_str().unwrap(),
        "--labels",
        d.join("none.csv").to_str().unwrap(),
        "--out",
        d.join("run").to_str().unwrap(),
        "--pretrained",
        d.join("nothere.pth").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("nothere.pth") && stderr(&o).contains("cannot open"),
        "{}",
        stderr(&o)
    );
}
