//! Whole batches, which on the GPU keep each pass to one batch shape (CubeCL compiles and
//! autotunes kernels per shape at first use):
//!
//! * inference pads a last short batch to the full batch (`train::predict_padded`, what the GPU
//!   backend does): the padding changes no image's logits, with any number of images left over, and
//!   the padded images' logits are not returned — on the CPU, for a BagNet and for a global baseline
//!   (ResNet-50, whose batch norm is in inference mode too);
//! * `--drop-last` (PyTorch's `drop_last`) leaves out each epoch's last, short training batch, and
//!   is refused when the training set is smaller than one batch, leaving no folder or image cache
//!   behind that the run made.

use dimorph_bagnet::model::{Arch, BagNetConfig};
use dimorph_bagnet::options::TrainRunOptions;
use dimorph_bagnet::pipeline;
use dimorph_bagnet::synth::{self, SynthOptions};
use dimorph_bagnet::train::{predict, predict_padded, Phase, TrainOptions, TrainProgress};
use dimorph_bagnet::Cpu;
use dimorph_core::ScratchPath;

#[test]
fn padding_the_last_batch_changes_no_logit() {
    let ds = synth::dataset(&SynthOptions {
        n: 11,
        size: 40,
        effect: 0.3,
        seed: 4,
    });
    let dev = Default::default();
    for (arch, outputs) in [(Arch::BagNet9, 1), (Arch::ResNet50, 3)] {
        let net = BagNetConfig::new(arch, outputs)
            .with_width(0.0625)
            .init_net::<Cpu>(&dev, 5);
        let all: Vec<usize> = (0..11).collect();
        // Batches of 4: 4 + 4 + 3; of 5: 5 + 5 + 1; of 16: one batch of 11.
        for batch in [4, 5, 16] {
            let plain = predict(&net, &ds, &all, batch, &dev).unwrap();
            let padded = predict_padded(&net, &ds, &all, batch, &dev, true).unwrap();
            assert_eq!(plain.len(), 11, "{arch:?} batch {batch}");
            assert_eq!(
                padded.len(),
                11,
                "{arch:?} batch {batch}: the padding's logits are dropped"
            );
            for (i, (a, b)) in plain.iter().zip(&padded).enumerate() {
                assert_eq!(a.len(), outputs);
                for (x, y) in a.iter().zip(b) {
                    assert!(
                        (x - y).abs() <= 1e-5 * x.abs().max(1.0),
                        "{arch:?} batch {batch}, image {i}: {x} unpadded, {y} padded"
                    );
                }
            }
        }
        // One image padded with 15 blank ones gives its logits alone.
        let one = predict_padded(&net, &ds, &[7], 16, &dev, true).unwrap();
        let alone = predict(&net, &ds, &[7], 1, &dev).unwrap();
        assert_eq!(one.len(), 1);
        assert!((one[0][0] - alone[0][0]).abs() <= 1e-5 * alone[0][0].abs().max(1.0));
    }
}

/// The steps of each epoch, as training reports them.
#[derive(Default)]
struct Steps {
    planned: Vec<usize>,
    done: Vec<usize>,
}

impl TrainProgress for Steps {
    fn epoch_started(&mut self, _epoch: usize, _total: usize, _phase: Phase, batches: usize) {
        self.planned.push(batches);
        self.done.push(0);
    }
    fn batch_done(&mut self, batch: usize, _mean_loss: f64) {
        if let Some(d) = self.done.last_mut() {
            *d = batch;
        }
    }
}

/// 19 synthetic images with a split file: 4 validation images (two of each class), 2 test, 13
/// training; returns the images' folder and the split file.
fn thirteen_training_images(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let img = dir.join("img");
    let csv = synth::write_dataset(
        &SynthOptions {
            n: 19,
            size: 40,
            effect: 0.3,
            seed: 8,
        },
        &img,
    )
    .unwrap();
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let label = header.iter().position(|&h| h == "label").unwrap();
    let mut per_class = std::collections::BTreeMap::<String, usize>::new();
    let mut tests = 0;
    let mut out = String::from("path,set\n");
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let seen = per_class.entry(f[label].to_string()).or_default();
        let set = if *seen < 2 {
            *seen += 1;
            "val"
        } else if tests < 2 {
            tests += 1;
            "test"
        } else {
            "train"
        };
        out.push_str(&format!("{},{set}\n", f[0]));
    }
    assert_eq!(per_class.len(), 2, "two classes");
    assert_eq!(out.matches(",train").count(), 13);
    let split = dir.join("split.csv");
    std::fs::write(&split, out).unwrap();
    (img, split)
}

#[test]
fn drop_last_leaves_out_the_short_batch_and_needs_one_whole_batch() {
    let dir = ScratchPath::new("dimorph-bagnet-batch-shapes", "d").unwrap();
    std::fs::create_dir_all(&*dir).unwrap();
    let (img, split) = thirteen_training_images(&dir);
    let labels = img.join("labels.csv");
    let run = |name: &str, batch: usize, drop_last: bool| {
        let opt = TrainRunOptions {
            train: TrainOptions {
                arch: Arch::BagNet9,
                width: 0.0625,
                size: 40,
                batch,
                head_epochs: 0,
                epochs: 2,
                split_file: Some(split.clone()),
                drop_last,
                ..Default::default()
            },
            ..Default::default()
        };
        let mut steps = Steps::default();
        let r = pipeline::run_train(&img, &labels, &dir.join(name), &opt, &mut steps);
        (r, steps)
    };
    // 13 training images in batches of 4: 3 whole batches and one of 1, or the 3 whole ones alone.
    let (r, steps) = run("kept", 4, false);
    r.unwrap();
    assert_eq!((steps.planned, steps.done), (vec![4, 4], vec![4, 4]));
    let (r, steps) = run("dropped", 4, true);
    assert_eq!(r.unwrap().result.history.len(), 2);
    assert_eq!((steps.planned, steps.done), (vec![3, 3], vec![3, 3]));
    // A training set smaller than one batch would train on nothing.
    let (r, steps) = run("too-few", 16, true);
    let Err(e) = r else {
        panic!("--drop-last with 13 images in batches of 16 was not refused")
    };
    let e = e.to_string();
    assert!(
        e.contains("--drop-last") && e.contains("13 image(s)") && e.contains("batch of 16"),
        "{e}"
    );
    assert!(steps.planned.is_empty());
    // The refused run takes away the folder it made, image cache and all...
    assert!(!dir.join("too-few").exists(), "a refused run left its folder behind");
    // ...but not a folder of the user's, from which it takes only the image cache it made.
    std::fs::create_dir_all(dir.join("mine")).unwrap();
    std::fs::write(dir.join("mine").join("notes.txt"), "mine").unwrap();
    let (r, _) = run("mine", 16, true);
    assert!(r.is_err());
    let left: Vec<_> = std::fs::read_dir(dir.join("mine"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from("notes.txt")]);
}
