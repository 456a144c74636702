//! `dimorph bagnet` end to end on tiny synthetic data: synth → train → resume → eval → explain, and
//! exit code 2 with a clear message for bad input; the JSON envelope of every subcommand, tidy CSV
//! output and refused options.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::{run, stderr, stdout};
use crate::common::{scratch_path, ScratchPath};
use serde_json::Value;

/// The envelope of a `--format json` run: exactly the documented keys, the command, `input` an
/// object with the given roles, and the result's top-level keys.
fn envelope(o: &Output, command: &str, input: &[&str], result: &[&str]) -> Value {
    assert!(o.status.success(), "{}", stderr(o));
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    let keys = |v: &Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().expect("an object").keys().cloned().collect();
        k.sort();
        k
    };
    let sorted = |k: &[&str]| -> Vec<String> {
        let mut k: Vec<String> = k.iter().map(|s| s.to_string()).collect();
        k.sort();
        k
    };
    assert_eq!(keys(&v), sorted(&dimorph_report::outcome::ENVELOPE_KEYS));
    assert_eq!(v["command"], command);
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(keys(&v["input"]), sorted(input), "input of {command}");
    assert!(v["input"].as_object().unwrap().values().all(Value::is_string));
    assert!(v["options"].is_object());
    assert_eq!(keys(&v["result"]), sorted(result), "result of {command}");
    assert!(v["warnings"].is_array());
    assert!(v["files"].as_array().expect("files").iter().all(Value::is_string));
    v
}

const SYNTH_RESULT: &[&str] = &["images", "out", "per_class", "subjects"];
const TRAIN_RESULT: &[&str] = &[
    "best_epoch",
    "history",
    "out",
    "pretrained",
    "skipped_images",
    "stopped_early",
];
const EVAL_RESULT: &[&str] = &["classes", "sets", "skipped_images"];
const EXPLAIN_RESULT: &[&str] = &[
    "clip",
    "features_csv",
    "figure3",
    "images",
    "n",
    "planted_chance",
    "set",
    "statistics",
    "strongest_in_planted",
    "threshold",
    "top_patches_in_planted",
];
const IMPORT_RESULT: &[&str] = &["arch", "classes", "load", "out", "width"];
const DATA_INPUT: &[&str] = &["images", "labels"];
const MODEL_INPUT: &[&str] = &["images", "labels", "model"];

/// A path not made yet (the CLI makes it), removed with its scratch folder when dropped.
fn tmp(name: &str) -> ScratchPath {
    scratch_path("dimorph_bagnet_cli", name)
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
    let o = run(&[
        "bagnet", "synth", "--out", s, "--n", "24", "--size", "40", "--format", "json",
    ]);
    let v = envelope(&o, "bagnet synth", &[], SYNTH_RESULT);
    assert_eq!(v["result"]["images"], 24);
    assert_eq!(v["files"].as_array().unwrap().len(), 1);
    let labels = img.join("labels.csv");
    let l = labels.to_str().unwrap();
    let out = d.join("run");
    let r = out.to_str().unwrap();
    // `bagnet train` of the synthetic images into `run`, with `extra` and the tiny model
    let train = |extra: &[&'static str]| {
        let mut a = vec!["bagnet", "train", "--images", s, "--labels", l, "--out", r];
        a.extend(extra);
        a.extend(TINY);
        a
    };
    // --best-from 2: the head epoch (1) cannot be the best, so epoch 2 is.
    let args = train(&["--epochs", "1", "--best-from", "2"]);
    // Without --quiet: progress on a standard error that is not a terminal (a pipe here, a log
    // file in a batch job) is one line per epoch, without carriage-return redraws of a bar.
    let loud: Vec<&str> = args.iter().copied().filter(|a| *a != "--quiet").collect();
    let o = run(&loud);
    assert!(o.status.success(), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("epoch 1/2 (head") && e.contains("epoch 2/2 (all layers) loss"),
        "{e}"
    );
    assert!(!e.contains('\r'), "carriage returns in piped progress: {e:?}");
    let meta: Value = serde_json::from_slice(&std::fs::read(out.join("best/meta.json")).unwrap()).unwrap();
    assert_eq!(meta["epoch"], 2, "the best model is epoch 2 under --best-from 2");
    // Training again into the same folder without --resume is refused.
    let o = run(&args);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--resume"), "{}", stderr(&o));
    // Resumed to 4 epochs with early stopping after 1 epoch without a better one.
    let args2 = train(&[
        "--epochs",
        "3",
        "--resume",
        "--format",
        "json",
        "--best-from",
        "2",
        "--patience",
        "1",
    ]);
    let o = run(&args2);
    let v = envelope(&o, "bagnet train", DATA_INPUT, TRAIN_RESULT);
    assert_eq!(v["options"]["resume"], true);
    assert_eq!(v["options"]["arch"], "bagnet9");
    assert_eq!(
        (v["options"]["best_from"].clone(), v["options"]["patience"].clone()),
        (2.into(), 1.into())
    );
    // The best epoch and the stop, recomputed from the reported validation figures by the rule
    // (the highest AUC from epoch 2 on, ties to the lower loss; stop 1 epoch after the best
    // without a better one).
    let history = v["result"]["history"].as_array().unwrap();
    let (mut best, mut stop): (Option<usize>, Option<usize>) = (None, None);
    for (i, h) in history.iter().enumerate() {
        let e = i + 1;
        assert_eq!(h["epoch"], e);
        let (auc, loss) = (h["val_auc"].as_f64().unwrap(), h["val_loss"].as_f64().unwrap());
        let beats = |b: usize| {
            let (ba, bl) = (
                history[b - 1]["val_auc"].as_f64().unwrap(),
                history[b - 1]["val_loss"].as_f64().unwrap(),
            );
            auc > ba || (auc == ba && loss < bl)
        };
        if e >= 2 && best.is_none_or(beats) {
            best = Some(e);
        }
        if e >= 3 && best.is_some_and(|b| e > b) {
            stop = Some(e);
            break;
        }
    }
    assert_eq!(v["result"]["best_epoch"], serde_json::json!(best), "{history:?}");
    assert_eq!(v["result"]["stopped_early"], serde_json::json!(stop), "{history:?}");
    let n = stop.unwrap_or(4);
    assert_eq!(history.len(), n, "resumed after epoch 2, stopped after {stop:?}");
    let meta: Value = serde_json::from_slice(&std::fs::read(out.join("best/meta.json")).unwrap()).unwrap();
    assert_eq!(meta["epoch"], serde_json::json!(best));
    // The history as a tidy table in the run's folder, replaced on resume.
    let hist = std::fs::read_to_string(out.join("history.csv")).unwrap();
    assert_eq!(hist.lines().count(), 1 + n, "{hist}");
    let best = out.join("best");
    let b = best.to_str().unwrap();
    let o = run(&[
        "bagnet", "eval", "--model", b, "--images", s, "--labels", l, "--format", "json",
    ]);
    let v = envelope(&o, "bagnet eval", MODEL_INPUT, EVAL_RESULT);
    assert_eq!(v["result"]["sets"][2]["set"], "test");
    // --format csv: one row per set.
    let o = run(&[
        "bagnet", "eval", "--model", b, "--images", s, "--labels", l, "--format", "csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("set,n,accuracy,auc,auc_lower,auc_upper"));
    let sets: Vec<&str> = lines.map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(sets, ["training", "validation", "test"]);
    // --out: the metrics table and the ROC curves.
    let ev = d.join("eval");
    let o = run(&[
        "bagnet",
        "eval",
        "--model",
        b,
        "--images",
        s,
        "--labels",
        l,
        "--out",
        ev.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(ev.join("metrics.csv").is_file() && ev.join("roc.svg").is_file());
    // Per-image predictions: one row per image with its set, logit and probability.
    let pred = std::fs::read_to_string(ev.join("predictions.csv")).unwrap();
    let mut rows = pred.lines();
    assert_eq!(rows.next(), Some("set,path,subject,label,predicted,logit,probability"));
    assert_eq!(rows.count(), 24, "{pred}");
    // The run's folder holds the per-epoch metrics with the learning rate: one row per epoch run.
    let m = std::fs::read_to_string(out.join("metrics.csv")).unwrap();
    assert!(
        m.starts_with("epoch,phase,train_loss,val_loss,val_accuracy,val_auc,lr\n"),
        "{m}"
    );
    let epochs: Vec<String> = m
        .lines()
        .skip(1)
        .map(|r| r.split(',').next().unwrap().to_string())
        .collect();
    let want: Vec<String> = (1..=n).map(|e| e.to_string()).collect();
    assert_eq!(epochs, want, "{m}");
    // --external NAME: every image in one set of that name, never training/validation/test.
    let o = run(&[
        "bagnet",
        "eval",
        "--model",
        b,
        "--images",
        s,
        "--labels",
        l,
        "--external",
        "clinical",
        "--format",
        "csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let sets: Vec<String> = stdout(&o)
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect();
    assert_eq!(sets, ["clinical"]);
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
        "--features",
        "--format",
        "json",
    ]);
    let v = envelope(&o, "bagnet explain", MODEL_INPUT, EXPLAIN_RESULT);
    assert_eq!(v["result"]["set"], "test");
    assert!(v["result"]["features_csv"].as_str().unwrap().ends_with("features.csv"));
    for f in [
        "evidence_stats.csv",
        "evidence_by_class.csv",
        "features.csv",
        "kde_positive.svg",
    ] {
        assert!(maps.join(f).is_file(), "{f}");
    }
    // The same features as float32 Parquet: the values of features.csv bit for bit.
    let pq_dir = d.join("maps-pq");
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
        pq_dir.to_str().unwrap(),
        "--features",
        "--features-format",
        "parquet",
        "--format",
        "json",
    ]);
    let v = envelope(&o, "bagnet explain", MODEL_INPUT, EXPLAIN_RESULT);
    assert!(v["result"]["features_csv"]
        .as_str()
        .unwrap()
        .ends_with("features.parquet"));
    assert!(!pq_dir.join("features.csv").exists());
    let text = std::fs::read_to_string(maps.join("features.csv")).unwrap();
    let header: Vec<String> = text.lines().next().unwrap().split(',').map(String::from).collect();
    let fcols: Vec<String> = header[5..].to_vec();
    let m = dimorph_data::read_parquet_f32(pq_dir.join("features.parquet"), &fcols).unwrap();
    let mut rows = 0;
    for (i, line) in text.lines().skip(1).enumerate() {
        let fields: Vec<&str> = line.split(',').collect();
        for (f, v) in fields[5..].iter().enumerate() {
            let v: f32 = v.parse().unwrap();
            assert_eq!(m.x[i * fcols.len() + f].to_bits(), v.to_bits(), "row {i}, {}", fcols[f]);
        }
        rows += 1;
    }
    assert_eq!(m.nrows, rows);
    // A second explanation into the same folder is refused without --force, and allowed with it.
    let again = [
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
    ];
    let o = run(&again);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    let mut forced = again.to_vec();
    forced.push("--force");
    assert!(run(&forced).status.success());
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
    // The whole path of the missing file, however long the temporary folder (TMPDIR) is.
    let whole = img.join("missing.png").display().to_string();
    assert!(
        stderr(&o).contains("row 3") && stderr(&o).contains(&format!("'{whole}' does not exist")),
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
    let v = envelope(&o, "bagnet import", &["weights"], IMPORT_RESULT);
    let v = &v["result"];
    assert_eq!(v["arch"], "bagnet33");
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
    // Training from the file's backbone with the paper's recipe (SGD lr 0.01, constant, no
    // weight decay, the fundus mask); the epochs given replace its 10 + 100 and its window.
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
        "--recipe",
        "paper",
        "--format",
        "json",
    ]);
    let v = envelope(&o, "bagnet train", DATA_INPUT, TRAIN_RESULT);
    let opt = &v["options"];
    assert_eq!(opt["optimizer"], "sgd");
    assert_eq!(opt["lr"], 0.01);
    assert_eq!(opt["schedule"], "constant");
    assert_eq!(opt["warmup_epochs"], 0);
    assert_eq!(opt["weight_decay"], 0.0);
    assert_eq!(opt["momentum"], Value::Null);
    assert_eq!(opt["mask"], true);
    assert_eq!(
        (opt["head_epochs"].clone(), opt["epochs"].clone()),
        (1.into(), 0.into())
    );
    assert_eq!(opt["best_from"], Value::Null);
    // The learning rate the epoch ran at, in the run's metrics table, and the mask in the model.
    let m = std::fs::read_to_string(out.join("metrics.csv")).unwrap();
    let row: Vec<&str> = m.lines().nth(1).unwrap().split(',').collect();
    assert_eq!((row[0], row[1]), ("1", "head"), "{m}");
    assert_eq!(row[6].parse::<f64>().unwrap(), 0.01, "{m}");
    assert_eq!(m.lines().count(), 2, "{m}");
    let meta: Value = serde_json::from_slice(&std::fs::read(out.join("best/meta.json")).unwrap()).unwrap();
    assert_eq!((meta["mask"].clone(), meta["epoch"].clone()), (true.into(), 1.into()));
    let v = &v["result"];
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

#[test]
fn options_that_do_not_apply_are_refused_with_exit_2() {
    let d = tmp("refused");
    let img = d.join("img");
    let s = img.to_str().unwrap();
    let o = run(&[
        "bagnet", "synth", "--out", s, "--n", "8", "--size", "40", "--format", "csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // --format csv of synth: the label table.
    let text = stdout(&o);
    assert!(text.starts_with("path,subject,label,eye,visit,planted_x"), "{text}");
    assert_eq!(text.lines().count(), 1 + 8);
    let l = img.join("labels.csv");
    let l = l.to_str().unwrap();
    let out = d.join("run");
    let out = out.to_str().unwrap();
    let train_to = |out: &str, extra: &[&str]| {
        let mut a = vec![
            "bagnet", "train", "--images", s, "--labels", l, "--out", out, "--arch", "bagnet9", "--size", "40",
        ];
        a.extend(extra);
        run(&a)
    };
    let train = |extra: &[&str]| train_to(out, extra);
    // SGD momentum under Adam.
    let o = train(&["--optimizer", "adam", "--momentum", "0.9"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--momentum: applies to --optimizer sgd only"),
        "{}",
        stderr(&o)
    );
    // Pretrained weights for a resumed run.
    let o = train(&["--resume", "--pretrained", "weights.pth"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--pretrained: applies to a new run only"),
        "{}",
        stderr(&o)
    );
    // Out-of-range values, named in CLI spelling.
    let o = train(&["--lr", "0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--lr: must be positive and at most 100, got 0"),
        "{}",
        stderr(&o)
    );
    assert!(!d.join("run").exists(), "nothing is written for refused options");
    // --drop-last with fewer training images than one batch: no step would be left.
    let drop = d.join("run-drop");
    let o = train_to(drop.to_str().unwrap(), &["--batch", "16", "--drop-last"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--drop-last: the training set has") && stderr(&o).contains("fewer than one batch of 16"),
        "{}",
        stderr(&o)
    );
    assert!(!drop.exists(), "the refused run left {} behind", drop.display());
    // Patch features without a folder to stream them into.
    let o = run(&[
        "bagnet",
        "explain",
        "--model",
        out,
        "--images",
        s,
        "--labels",
        l,
        "--features",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--features: needs --out"), "{}", stderr(&o));
    // import has no table: --format csv is refused before the model folder is written.
    let m = d.join("m");
    let o = run(&[
        "bagnet",
        "import",
        "--weights",
        fixture("bagnet33_w32.safetensors").to_str().unwrap(),
        "--out",
        m.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no table result"), "{}", stderr(&o));
    assert!(!m.exists());
    // A bad choice is clap's, with the option named.
    let o = run(&[
        "bagnet", "eval", "--model", out, "--images", s, "--labels", l, "--device", "tpu",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--device"), "{}", stderr(&o));
    // cuda:N needs a number; reduced precision needs the GPU; a build without the `cuda` feature
    // says how to get one (with it, a machine without the driver says what to install). Each is
    // refused by train, eval and explain before anything is written: no run folder, image cache
    // or explanation folder.
    let cache = d.join("cache");
    let cache = cache.to_str().unwrap();
    let maps = d.join("maps");
    let maps = maps.to_str().unwrap();
    for (args, says) in [
        (&["--device", "cuda:x"][..], "expected cpu, cuda or cuda:N"),
        (&["--device", "cuda:-1"][..], "expected cpu, cuda or cuda:N"),
        (&["--device", "cuda:0,x"][..], "expected cpu, cuda or cuda:N"),
        (&["--device", "cuda:1,cuda:1"][..], "GPU cuda:1 is named twice"),
        (&["--device", "cuda:0,64"][..], "numbers below 64 only"),
        (
            &["--precision", "bf16"][..],
            "--precision bf16: only with --device cuda",
        ),
        (
            &["--device", "cuda:1"][..],
            if cfg!(any(feature = "cuda", feature = "cuda-untuned")) {
                "--device cuda"
            } else {
                "--features cuda"
            },
        ),
    ] {
        let eval = [
            "bagnet", "eval", "--model", out, "--images", s, "--labels", l, "--cache", cache,
        ];
        let explain = [
            "bagnet", "explain", "--model", out, "--images", s, "--labels", l, "--cache", cache, "--out", maps,
        ];
        for o in [
            train(args),
            run(&[&eval[..], args].concat()),
            run(&[&explain[..], args].concat()),
        ] {
            assert_eq!(o.status.code(), Some(2), "{args:?}");
            assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
            assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
            for made in [out, cache, maps] {
                assert!(!Path::new(made).exists(), "{args:?} left {made} behind");
            }
        }
    }
    // Several GPUs: training only (data parallel); eval and explain name one.
    let set = ["--device", "cuda:0,1"];
    let o = train(&set);
    assert_eq!(o.status.code(), Some(2));
    let says = if cfg!(any(feature = "cuda", feature = "cuda-untuned")) {
        "--device cuda"
    } else {
        "--features cuda"
    };
    assert!(stderr(&o).contains(says), "{}", stderr(&o));
    for sub in ["eval", "explain"] {
        let mut a = vec![
            "bagnet", sub, "--model", out, "--images", s, "--labels", l, "--cache", cache,
        ];
        if sub == "explain" {
            a.extend(["--out", maps]);
        }
        a.extend(set);
        let o = run(&a);
        assert_eq!(o.status.code(), Some(2));
        assert!(
            stderr(&o).contains("--device cuda:0,1: only `bagnet train` runs on several GPUs"),
            "{}",
            stderr(&o)
        );
        for made in [out, cache, maps] {
            assert!(!Path::new(made).exists(), "{sub} left {made} behind");
        }
    }
}

#[test]
fn every_option_has_help_and_every_subcommand_examples() {
    for sub in ["synth", "train", "eval", "explain", "import"] {
        let o = run(&["bagnet", sub, "--help"]);
        assert!(o.status.success());
        let text = stdout(&o);
        assert!(text.contains("Examples"), "{sub}: no examples");
        assert!(
            text.matches("dimorph bagnet").count() >= 2,
            "{sub}: fewer than 2 examples"
        );
        // Every option line of the long help is followed by its description.
        let options = text.split("Examples").next().unwrap_or_default();
        let lines: Vec<&str> = options.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let t = line.trim_start();
            if t.starts_with("--") && !t.starts_with("--help") && line.starts_with("      --") {
                let next = lines.get(i + 1).map_or("", |n| n.trim());
                assert!(!next.is_empty(), "{sub}: option {t} has no description");
            }
        }
    }
}

#[path = "../../dimorph-bagnet/tests/hostile/files.rs"]
mod hostile;

/// The address space the hostile files run under (`prlimit --as`, where prlimit exists): 1 GiB,
/// far below what a 4 TB tensor, a 3 GiB zip entry or a 13,000² image of floats would take, so
/// that exit code 2 shows each is refused before it is allocated.
const ADDRESS_SPACE: u64 = 1 << 30;

fn run_limited(args: &[&str]) -> Output {
    let bin = env!("CARGO_BIN_EXE_dimorph");
    let prlimit = ["/usr/bin/prlimit", "/bin/prlimit"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let mut c = match prlimit {
        Some(p) => {
            let mut c = std::process::Command::new(p);
            c.arg(format!("--as={ADDRESS_SPACE}")).arg(bin);
            c
        }
        None => std::process::Command::new(bin),
    };
    c.args(args).output().expect("runs")
}

/// `dimorph args` exits 2 with `want` in its message, under the address-space limit.
fn exits_2(args: &[&str], want: &str) {
    let o = run_limited(args);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    assert!(stderr(&o).contains(want), "{args:?}: '{want}' not in {}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
}

#[test]
fn hostile_files_exit_2_under_an_address_space_limit() {
    use hostile::*;
    let d = tmp("hostile");
    std::fs::create_dir_all(&d).unwrap();
    let put = |name: &str, bytes: Vec<u8>| {
        let p = d.join(name);
        std::fs::write(&p, bytes).unwrap();
        p.to_str().unwrap().to_string()
    };
    let import = |w: &str, want: &str| {
        let out = d.join("model");
        exits_2(
            &[
                "bagnet",
                "import",
                "--weights",
                w,
                "--size",
                "48",
                "--out",
                out.to_str().unwrap(),
            ],
            want,
        );
        assert!(!out.join("meta.json").exists());
    };
    import(
        &put("deep.pth", legacy_file(&deep_pickle(1_000_000), &[], &[])),
        "more than 100 deep",
    );
    let huge = [Tensor {
        name: "conv1.weight",
        key: "0",
        storage_numel: 1_000_000_000_000,
        shape: &[1_000_000_000_000],
    }];
    let f = legacy_file(&state_dict_pickle(&huge), &["0"], &[(1_000_000_000_000, vec![0; 16])]);
    import(&put("huge.pth", f), "runs past the end of the file");
    let zip = fixture("bagnet33_w32.pth.tar");
    let f = edited_zip(&zip, |e| {
        let p = e.iter_mut().find(|e| e.name.ends_with("data.pkl")).unwrap();
        (p.method, p.data, p.size) = (8, deflate_zeros(1 << 20), 3 << 30);
    });
    import(&put("pickle_bomb.pth", f), "more than the 67108864");
    let f = edited_zip(&zip, |e| {
        let i = e.iter().position(|e| e.name.contains("/data/") && e.size > 64).unwrap();
        (e[i].method, e[i].data) = (8, deflate_zeros(256 << 20));
    });
    import(&put("storage_bomb.pth", f), "does not inflate to the");
    // An unused entry inflating to 3 GiB is never read: the import succeeds within the limit.
    let f = edited_zip(&zip, |e| {
        e.push(Entry {
            name: "bagnet33_w32.pth/extra/bomb".into(),
            method: 8,
            crc: 0,
            data: deflate_zeros(8 << 20),
            size: 3 << 30,
        })
    });
    let w = put("unused_bomb.pth", f);
    let m = d.join("imported");
    let o = run_limited(&[
        "bagnet",
        "import",
        "--weights",
        &w,
        "--size",
        "48",
        "--out",
        m.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Images: a 13,000² PNG bomb, and label paths out of --images.
    let images = d.join("images");
    std::fs::create_dir_all(&images).unwrap();
    for i in 0..4 {
        std::fs::write(images.join(format!("in{i}.png")), png(40, 40, 60 + 30 * i as u8)).unwrap();
    }
    std::fs::write(images.join("bomb.png"), png_bomb(13_000)).unwrap();
    std::fs::write(d.join("outside.png"), png(40, 40, 100)).unwrap();
    let train = |first: &str, extra: &[&str], want: &str| {
        let csv = d.join("labels.csv");
        let rows = format!("path,subject,label\n{first},s0,a\nin1.png,s1,b\nin2.png,s2,a\nin3.png,s3,b\n");
        std::fs::write(&csv, rows).unwrap();
        let out = d.join("run");
        let mut a = vec![
            "bagnet",
            "train",
            "--images",
            images.to_str().unwrap(),
            "--labels",
            csv.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--arch",
            "bagnet9",
            "--size",
            "40",
        ];
        a.extend(extra);
        exits_2(&a, want);
    };
    train("bomb.png", &[], "larger than 8192 px per side");
    // DICOM: pixel data forged to declare 2 GB in a file of 400 bytes (refused before the parser
    // reserves it), a file cut short, each named; a valid one is read (the run then stops at a bad
    // option).
    std::fs::write(images.join("forged.dcm"), hostile::dicom(40, 90, Some(0x7FFF_FFF0))).unwrap();
    train("forged.dcm", &[], "forged.dcm: cannot read DICOM: element (7FE0,0010)");
    let mut cut = hostile::dicom(40, 90, None);
    cut.truncate(cut.len() - 100);
    std::fs::write(images.join("cut.dcm"), cut).unwrap();
    train("cut.dcm", &[], "cut.dcm: cannot read DICOM");
    std::fs::write(images.join("ok.dcm"), hostile::dicom(40, 90, None)).unwrap();
    train("ok.dcm", &["--width", "-1"], "--width: must be positive");
    train("../outside.png", &[], "lies outside --images");
    train("../missing.png", &[], "lies outside --images");
    let abs = d.join("outside.png");
    train(abs.to_str().unwrap(), &[], "lies outside --images");
    // Allowed explicitly, the image outside is read (the run then stops at a bad option).
    train(
        "../outside.png",
        &["--allow-outside-images", "--width", "-1"],
        "--width: must be positive",
    );
}

#[test]
fn out_of_range_options_exit_2_naming_the_bound() {
    let d = tmp("ranges");
    let img = d.join("img");
    let s = img.to_str().unwrap();
    assert!(run(&["bagnet", "synth", "--out", s, "--n", "8", "--size", "40"])
        .status
        .success());
    let l = img.join("labels.csv");
    let l = l.to_str().unwrap();
    let out = d.join("run");
    let out = out.to_str().unwrap();
    let train = |extra: &[&str], want: &str| {
        let mut a = vec![
            "bagnet", "train", "--images", s, "--labels", l, "--out", out, "--arch", "bagnet9",
        ];
        a.extend(extra);
        exits_2(&a, want);
    };
    train(&["--width", "-1"], "--width: must be positive and at most 2");
    train(&["--width", "1e6"], "--width: must be positive and at most 2");
    train(
        &["--width", "inf"],
        "--width: must be positive and at most 2 (the reference BagNet is 1), got inf",
    );
    train(
        &["--width", "NaN"],
        "--width: must be positive and at most 2 (the reference BagNet is 1), got NaN",
    );
    train(&["--lr", "-0.1"], "--lr: must be positive");
    train(&["--momentum", "-0.5"], "--momentum: must be at least 0 and below 1");
    train(&["--size", "-1"], "must be a whole number, at least 1 and at most 1024");
    train(&["--size", "3000000"], "at most 1024");
    train(&["--batch", "0"], "at least 1 and at most 1024");
    train(&["--epochs", "-3"], "at least 0 and at most 100000");
    train(&["--seed", "-1"], "must be a whole number");
    exits_2(
        &["bagnet", "synth", "--out", s, "--n", "-5"],
        "at least 2 and at most 1000000",
    );
    exits_2(
        &["bagnet", "synth", "--out", s, "--effect", "inf", "--force"],
        "--effect: must be between 0 and 1",
    );
    let w = fixture("bagnet33_w32.safetensors");
    let m = d.join("m");
    let m = m.to_str().unwrap();
    exits_2(
        &[
            "bagnet",
            "import",
            "--weights",
            w.to_str().unwrap(),
            "--out",
            m,
            "--size",
            "3000000",
        ],
        "at most 1024",
    );
    exits_2(
        &[
            "bagnet",
            "import",
            "--weights",
            w.to_str().unwrap(),
            "--out",
            m,
            "--width",
            "-2",
        ],
        "--width: must be positive",
    );
    // A model folder whose meta.json asks for 3,000,000² images (108 TB of floats) is refused.
    let o = run(&[
        "bagnet",
        "import",
        "--weights",
        w.to_str().unwrap(),
        "--classes",
        "female,male",
        "--size",
        "40",
        "--out",
        m,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let meta = std::path::Path::new(m).join("meta.json");
    let text = std::fs::read_to_string(&meta)
        .unwrap()
        .replace("\"size\": 40", "\"size\": 3000000");
    std::fs::write(&meta, text).unwrap();
    exits_2(
        &["bagnet", "eval", "--model", m, "--images", s, "--labels", l],
        "meta.json",
    );
    let explain = |extra: &[&str], want: &str| {
        let mut a = vec!["bagnet", "explain", "--model", m, "--images", s, "--labels", l];
        a.extend(extra);
        exits_2(&a, want);
    };
    explain(
        &["--threshold", "inf"],
        "--threshold: must be between 0 and 1000000, got inf",
    );
    explain(
        &["--threshold", "-1"],
        "--threshold: must be between 0 and 1000000, got -1",
    );
    explain(&["--clip", "0"], "--clip: must be positive");
    explain(&["--max-images", "-1"], "at least 0 and at most 100000");
    // The bounds are in the help.
    let help = stdout(&run(&["bagnet", "train", "--help"]));
    for bound in ["at most 2", "to 1024", "1 to 1024", "0 to 100000", "at most 100"] {
        assert!(help.contains(bound), "'{bound}' not in train --help");
    }
}

/// Overlays of images with the same file name in different folders do not overwrite each other.
#[test]
fn explain_writes_one_overlay_per_image() {
    let d = tmp("overlays");
    let img = d.join("img");
    let s = img.to_str().unwrap();
    assert!(run(&["bagnet", "synth", "--out", s, "--n", "8", "--size", "48"])
        .status
        .success());
    let text = std::fs::read_to_string(img.join("labels.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for (k, line) in lines.iter_mut().enumerate().skip(1) {
        let (name, rest) = line.split_once(',').unwrap();
        let folder = if k % 2 == 0 { "a" } else { "b" };
        let new = format!("{folder}/same{}.png", (k - 1) / 2);
        std::fs::create_dir_all(img.join(folder)).unwrap();
        std::fs::rename(img.join(name), img.join(&new)).unwrap();
        *line = format!("{new},{rest}");
    }
    let labels = d.join("labels.csv");
    std::fs::write(&labels, lines.join("\n")).unwrap();
    let m = d.join("m");
    let w = fixture("bagnet33_w32.safetensors");
    let o = run(&[
        "bagnet",
        "import",
        "--weights",
        w.to_str().unwrap(),
        "--classes",
        "female,male",
        "--size",
        "48",
        "--out",
        m.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let maps = d.join("maps");
    let o = run(&[
        "bagnet",
        "explain",
        "--model",
        m.to_str().unwrap(),
        "--images",
        s,
        "--labels",
        labels.to_str().unwrap(),
        "--out",
        maps.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // The overlays mirror the images' folders: maps/a/same0.png and maps/b/same0.png.
    let mut written: Vec<String> = Vec::new();
    for folder in ["a", "b"] {
        for e in std::fs::read_dir(maps.join("maps").join(folder)).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            written.push(format!("{folder}/{name}"));
        }
    }
    written.sort();
    assert_eq!(written.len(), 8, "{written:?}");
    // A threshold beyond every patch: Cohen's d is undefined, said in words, never NaN.
    let maps2 = d.join("maps2");
    let o = run(&[
        "bagnet",
        "explain",
        "--model",
        m.to_str().unwrap(),
        "--images",
        s,
        "--labels",
        labels.to_str().unwrap(),
        "--out",
        maps2.to_str().unwrap(),
        "--threshold",
        "1000000",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        !stdout(&o).contains("NaN") && !stdout(&o).contains("inf"),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("Cohen's d undefined"), "{}", stdout(&o));
    for f in ["kde_positive.svg", "kde_negative.svg", "evidence_by_class.csv"] {
        let text = std::fs::read_to_string(maps2.join(f)).unwrap();
        assert!(!text.contains("NaN"), "{f}");
    }
    assert!(
        written.contains(&"a/same0.png".to_string()) && written.contains(&"b/same0.png".to_string()),
        "{written:?}"
    );
}
