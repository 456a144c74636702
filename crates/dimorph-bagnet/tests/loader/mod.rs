//! What the loader tests share: a scratch folder, small generated images and their label CSV.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use dimorph_bagnet::data::{self, LabelRow, OpenOptions};
use dimorph_bagnet::image::Fit;
use dimorph_bagnet::loader::Preprocess;
use dimorph_core::ScratchDir;

pub fn tmp(name: &str) -> ScratchDir {
    ScratchDir::new(&format!("dimorph-bagnet-loader-{name}")).unwrap()
}

/// A `w`×`h` RGB image whose pixels are a fixed function of (i, x, y).
pub fn pattern(i: usize, w: u32, h: u32) -> image::RgbImage {
    image::RgbImage::from_fn(w, h, |x, y| {
        let v = (i as u32 * 37 + x * 11 + y * 7) % 256;
        image::Rgb([v as u8, ((v * 3 + 50) % 256) as u8, ((x * 255) / w.max(1)) as u8])
    })
}

/// `n` PNG images `img/NNNNN.png` of `side` px in `dir` and a label CSV (two classes, one image
/// per subject); returns the CSV's path.
pub fn folder(dir: &Path, n: usize, side: u32) -> PathBuf {
    let img = dir.join("img");
    std::fs::create_dir_all(&img).unwrap();
    let mut csv = String::from("path,subject,label\n");
    for i in 0..n {
        let name = format!("{i:05}.png");
        pattern(i, side, side).save(img.join(&name)).unwrap();
        csv.push_str(&format!("{name},s{i},{}\n", if i % 2 == 0 { "a" } else { "b" }));
    }
    let p = dir.join("labels.csv");
    std::fs::write(&p, csv).unwrap();
    p
}

pub fn rows(dir: &Path, csv: &Path) -> Vec<LabelRow> {
    data::read_labels(csv, &dir.join("img")).unwrap()
}

pub fn classes() -> Vec<String> {
    vec!["a".into(), "b".into()]
}

pub fn pre(size: usize) -> Preprocess {
    Preprocess {
        size,
        fit: Fit::Crop,
        mask: false,
    }
}

pub fn opts(cache: &Path, workers: usize) -> OpenOptions {
    OpenOptions {
        cache: Some(cache.to_path_buf()),
        workers: Some(workers),
        ..Default::default()
    }
}
