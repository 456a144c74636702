//! A run's split is kept by image identity: shuffled CSV rows, skipped images and a resumed run
//! keep each image's set; an external set of the run's size is `all` (issue 16, "Correct sets").
use std::collections::BTreeMap;
use std::path::Path;

use dimorph_bagnet::data::OnBadImage;
use dimorph_bagnet::model::Arch;
use dimorph_bagnet::options::{EvalOptions, ReadOptions, TrainRunOptions};
use dimorph_bagnet::pipeline;
use dimorph_bagnet::synth::{self, SynthOptions};
use dimorph_bagnet::train::{self, OptimKind, TrainOptions};
use dimorph_core::ScratchPath;

fn tmp(name: &str) -> ScratchPath {
    ScratchPath::new("dimorph-bagnet-sets", name).unwrap()
}

/// path → set of every image of an evaluation.
fn sets_by_path(
    model: &Path,
    images: &Path,
    labels: &Path,
    skip: bool,
    external: Option<&str>,
) -> BTreeMap<String, String> {
    let opt = EvalOptions {
        read: ReadOptions {
            on_bad_image: if skip { OnBadImage::Skip } else { OnBadImage::Stop },
            ..Default::default()
        },
        external: external.map(str::to_string),
    };
    let o = pipeline::run_eval(model, images, labels, &opt).unwrap();
    let n: usize = o.result.sets.iter().map(|s| s.n).sum();
    assert_eq!(o.result.predictions.len(), n);
    for p in &o.result.predictions {
        assert!(p.probability > 0.0 && p.probability < 1.0 && p.logit.is_finite());
        assert!((p.probability - 1.0 / (1.0 + (-p.logit).exp())).abs() < 1e-12);
    }
    // The predictions are a table of the outcome too (predictions.csv with --out).
    assert!(o.tables.iter().any(|t| t.name == "predictions"));
    o.result.predictions.into_iter().map(|p| (p.path, p.set)).collect()
}

/// The label CSV with its data rows in reverse order.
fn reversed(csv: &Path, to: &Path) {
    let text = std::fs::read_to_string(csv).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    lines.reverse();
    std::fs::write(to, format!("{header}\n{}\n", lines.join("\n"))).unwrap();
}

#[test]
fn the_split_follows_each_image_not_its_row() {
    let dir = tmp("split");
    let img = dir.join("img");
    let synth_opt = SynthOptions {
        n: 24,
        size: 40,
        effect: 0.3,
        seed: 4,
    };
    let csv = synth::write_dataset(&synth_opt, &img).unwrap();
    let opt = TrainRunOptions {
        train: TrainOptions {
            arch: Arch::BagNet9,
            width: 0.0625,
            size: 40,
            batch: 8,
            lr: 0.003,
            head_epochs: 1,
            epochs: 0,
            optimizer: OptimKind::Adam,
            ..Default::default()
        },
        ..Default::default()
    };
    let run = dir.join("run");
    pipeline::run_train(&img, &csv, &run, &opt, &mut train::Silent).unwrap();
    let best = run.join("best");
    let base = sets_by_path(&best, &img, &csv, false, None);
    assert_eq!(base.len(), 24);
    let mut names: Vec<&str> = base.values().map(String::as_str).collect();
    names.sort();
    names.dedup();
    assert_eq!(names, ["test", "training", "validation"]);

    // The same CSV with its rows shuffled: every image keeps its set.
    let shuffled = dir.join("shuffled.csv");
    reversed(&csv, &shuffled);
    assert_eq!(sets_by_path(&best, &img, &shuffled, false, None), base);

    // An unreadable image skipped: the others keep their sets.
    let victim = base.keys().next().unwrap().clone();
    std::fs::write(img.join(&victim), b"not a png").unwrap();
    let skipped = sets_by_path(&best, &img, &shuffled, true, None);
    let mut expect = base.clone();
    expect.remove(&victim);
    assert_eq!(skipped, expect);

    // Resuming with the shuffled CSV (after restoring the image) continues the same split.
    synth::write_dataset(&synth_opt, &img).unwrap();
    let more = TrainRunOptions {
        train: TrainOptions {
            epochs: 1,
            ..opt.train.clone()
        },
        resume: true,
        ..Default::default()
    };
    pipeline::run_train(&img, &shuffled, &run, &more, &mut train::Silent).unwrap();
    assert_eq!(sets_by_path(&run.join("epoch-002"), &img, &csv, false, None), base);

    // Another data set of the same size (other images, other subjects) is one set "all", never
    // training/validation/test by its size; with --external it takes the given name.
    let other = dir.join("other");
    let other_csv = synth::write_dataset(&SynthOptions { seed: 99, ..synth_opt }, &other).unwrap();
    // Other image names than the run's (the synthetic names repeat across seeds).
    let text = std::fs::read_to_string(&other_csv).unwrap().replace("img", "ext");
    for e in std::fs::read_dir(&other).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with("img") {
            std::fs::rename(&p, other.join(name.replace("img", "ext"))).unwrap();
        }
    }
    std::fs::write(&other_csv, text).unwrap();
    let ext = sets_by_path(&best, &other, &other_csv, false, None);
    assert_eq!(ext.len(), 24);
    assert!(ext.values().all(|s| s == "all"), "{ext:?}");
    let named = sets_by_path(&best, &img, &csv, false, Some("clinical"));
    assert!(named.len() == 24 && named.values().all(|s| s == "clinical"));

    // The run's state.json deleted: the epoch folders' copies still give the split (it was one
    // set 'all' without a word); with those gone too, every image is 'all' and a warning says why.
    std::fs::remove_file(run.join("state.json")).unwrap();
    assert_eq!(sets_by_path(&best, &img, &csv, false, None), base);
    for e in std::fs::read_dir(&run).unwrap() {
        let p = e.unwrap().path().join("state.json");
        if p.is_file() {
            std::fs::remove_file(p).unwrap();
        }
    }
    let opt = EvalOptions::default();
    let o = pipeline::run_eval(&best, &img, &csv, &opt).unwrap();
    assert!(o.result.predictions.iter().all(|p| p.set == "all"));
    assert!(
        o.warnings
            .iter()
            .any(|w| w.contains("state.json") && w.contains("one set 'all'")),
        "{:?}",
        o.warnings
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_split_file_fixes_the_sets_and_metrics_csv_follows_the_epochs() {
    let dir = tmp("fixed");
    let img = dir.join("img");
    let csv = synth::write_dataset(
        &SynthOptions {
            n: 16,
            size: 40,
            effect: 0.3,
            seed: 6,
        },
        &img,
    )
    .unwrap();
    // The label CSV with a column "fold": rows 1-2 and 9-10 validation, 3-4 and 11-12 test.
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[0].push_str(",fold");
    let mut want = BTreeMap::new();
    for (k, line) in lines.iter_mut().enumerate().skip(1) {
        let set = match (k - 1) % 8 {
            0 | 1 => "val",
            2 | 3 => "test",
            _ => "train",
        };
        want.insert(
            line.split(',').next().unwrap().to_string(),
            match set {
                "val" => "validation",
                "test" => "test",
                _ => "training",
            }
            .to_string(),
        );
        line.push_str(&format!(",{set}"));
    }
    let labels = dir.join("labels.csv");
    std::fs::write(&labels, lines.join("\n") + "\n").unwrap();
    let opt = TrainRunOptions {
        train: TrainOptions {
            arch: Arch::BagNet9,
            width: 0.0625,
            size: 40,
            batch: 2,
            epochs: 2,
            split_file: Some(labels.clone()),
            split_column: "fold".into(),
            class_weights: true,
            ..Default::default()
        },
        ..Default::default()
    };
    let run = dir.join("run");
    let r = pipeline::run_train(&img, &labels, &run, &opt, &mut train::Silent).unwrap();
    assert_eq!(r.result.history.len(), 2);
    let got = sets_by_path(&run.join("epoch-002"), &img, &labels, false, None);
    // Every image in the set the file gives (whichever classes they hold).
    for (path, set) in &want {
        assert_eq!(got.get(path), Some(set), "{path}");
    }
    // metrics.csv: a header and one row per epoch, with the schedule's learning rate.
    let m = std::fs::read_to_string(run.join("metrics.csv")).unwrap();
    let rows: Vec<&str> = m.lines().collect();
    assert_eq!(rows[0], "epoch,phase,train_loss,val_loss,val_accuracy,val_auc,lr");
    assert_eq!(rows.len(), 3);
    let lr: Vec<f64> = rows[1..]
        .iter()
        .map(|r| r.rsplit(',').next().unwrap().parse().unwrap())
        .collect();
    // One warm-up epoch (ending at lr), then the cosine towards 0 (8 training images in steps of
    // 2: 4 steps an epoch; the last step's rate is 0.5 lr (1 + cos(3π/4))).
    assert!((lr[0] - opt.train.lr).abs() < 1e-12, "{lr:?}");
    let last = 0.5 * opt.train.lr * (1.0 + (0.75 * std::f64::consts::PI).cos());
    assert!((lr[1] - last).abs() < 1e-12, "{lr:?}");
    assert!((train::lr_at(&opt.train, 7, 4) - last).abs() < 1e-15);
    // A split file that leaves an image out is refused, naming it.
    std::fs::write(dir.join("short.csv"), "path,fold\nimg00000.png,train\n").unwrap();
    let bad = TrainRunOptions {
        train: TrainOptions {
            split_file: Some(dir.join("short.csv")),
            ..opt.train.clone()
        },
        ..Default::default()
    };
    let e = pipeline::run_train(&img, &labels, &dir.join("run2"), &bad, &mut train::Silent).unwrap_err();
    assert!(e.to_string().contains("not listed"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}
