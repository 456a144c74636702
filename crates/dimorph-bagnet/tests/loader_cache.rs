//! The loader's cache and streams: the second pass reads every image from the cache, a changed file
//! is decoded again, batches are the same for 1 and 4 worker threads (augmentation drawn from
//! seed, epoch and image), cached pixels equal the in-memory reading of before, and TIFF and 16-bit
//! PNG files are read.

use crate::loader;

use std::path::Path;

use dimorph_bagnet::data::{self, Augment};
use dimorph_bagnet::image::{prepare, Fit, RgbImage};
use dimorph_bagnet::loader::Prep;
use dimorph_core::rng::{Draws, SplitMix64};

fn all(ds: &data::Dataset) -> Vec<RgbImage> {
    let idx: Vec<usize> = (0..ds.images.len()).collect();
    ds.images.stream_plain(&idx, 7).flat_map(|b| b.unwrap()).collect()
}

#[test]
fn second_pass_hits_the_cache_and_a_changed_file_is_read_again() {
    let dir = loader::tmp("hits");
    let n = 40;
    let csv = loader::folder(&dir, n, 48);
    let cache = dir.join("cache");
    let open = || {
        data::open(
            loader::rows(&dir, &csv),
            &loader::classes(),
            loader::pre(32),
            &loader::opts(&cache, 3),
        )
        .unwrap()
    };
    let first = open();
    let s = first.images.stats();
    assert_eq!((s.cache_hits, s.decoded), (0, n));
    let a = all(&first);
    let second = open();
    let s = second.images.stats();
    assert_eq!((s.cache_hits, s.decoded), (n, 0));
    assert_eq!(all(&second), a);
    // Another setting (the fit) is another cache entry.
    let padded = data::open(
        loader::rows(&dir, &csv),
        &loader::classes(),
        data::preprocess(32, Fit::Pad, false),
        &loader::opts(&cache, 3),
    )
    .unwrap();
    assert_eq!(padded.images.stats().decoded, n);
    // Image 5 changes (new pixels, a later modification time): only it is decoded again.
    let f = dir.join("img/00005.png");
    loader::pattern(99, 48, 48).save(&f).unwrap();
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(&f)
        .unwrap()
        .set_modified(later)
        .unwrap();
    let third = open();
    let s = third.images.stats();
    assert_eq!((s.cache_hits, s.decoded), (n - 1, 1));
    let c = all(&third);
    for i in 0..n {
        assert_eq!(c[i] == a[i], i != 5, "image {i}");
    }
    // A cache file deleted during a run is written again from its source, same pixels.
    for e in std::fs::read_dir(&cache).unwrap() {
        let sub = e.unwrap().path();
        if sub.is_dir() {
            std::fs::remove_dir_all(&sub).unwrap();
        }
    }
    assert_eq!(all(&third), c);
    assert_eq!(third.images.stats().rewritten, n);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn batches_are_the_same_for_one_and_four_workers() {
    let dir = loader::tmp("workers");
    let n = 37;
    let csv = loader::folder(&dir, n, 40);
    let mut order: Vec<usize> = (0..n).collect();
    SplitMix64::derive(5, 30, 2).shuffle(&mut order);
    let batches: Vec<Vec<usize>> = order.chunks(6).map(<[usize]>::to_vec).collect();
    let prep = Prep::Augment {
        aug: Augment::default(),
        seed: 11,
        epoch: 2,
    };
    let run = |workers: usize| {
        let ds = data::open(
            loader::rows(&dir, &csv),
            &loader::classes(),
            loader::pre(40),
            &loader::opts(&dir.join(format!("cache{workers}")), workers),
        )
        .unwrap();
        assert_eq!(ds.images.workers(), workers);
        let got: Vec<Vec<RgbImage>> = ds.images.stream(batches.clone(), prep).map(|b| b.unwrap()).collect();
        (ds, got)
    };
    let (ds1, one) = run(1);
    let (_, four) = run(4);
    assert_eq!(one.len(), batches.len());
    assert_eq!(one, four);
    // Each image's augmentation is the one drawn from (seed, 1000 + epoch, image), as training drew it.
    for (b, imgs) in batches.iter().zip(&one) {
        for (&i, got) in b.iter().zip(imgs) {
            let want =
                Augment::default().apply(&ds1.images.get(i).unwrap(), &mut SplitMix64::derive(11, 1002, i as u64));
            assert_eq!(*got, want);
        }
    }
    // A stream dropped half-way stops its workers.
    let ds = run(4).0;
    let mut s = ds.images.stream(batches.clone(), prep);
    assert!(s.next().unwrap().is_ok());
    drop(s);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cached_images_equal_the_in_memory_reading() {
    // Square 8-bit images, masked: the cache's samples become the same floats as the images
    // read into memory (data::load), so results stay those of before.
    let dir = loader::tmp("same");
    let csv = loader::folder(&dir, 12, 50);
    let rows = loader::rows(&dir, &csv);
    let mem = data::load(rows.clone(), &loader::classes(), 40, true, data::OnBadImage::Stop).unwrap();
    for fit in [Fit::Crop, Fit::Pad, Fit::Stretch] {
        let cached = data::open(
            rows.clone(),
            &loader::classes(),
            data::preprocess(40, fit, true),
            &loader::opts(&dir.join("cache"), 2),
        )
        .unwrap();
        assert_eq!(cached.scales, mem.scales);
        for i in 0..12 {
            assert_eq!(cached.images.get(i).unwrap(), mem.images[i], "{fit:?} image {i}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn write_rgb16(path: &Path, w: u32, h: u32) -> image::ImageBuffer<image::Rgb<u16>, Vec<u16>> {
    let img = image::ImageBuffer::from_fn(w, h, |x, y| {
        let v = (x * 1000 + y * 37 + 1) as u16;
        image::Rgb([v, v.wrapping_mul(7), 65535 - v])
    });
    img.save(path).unwrap();
    img
}

#[test]
fn tiff_and_16_bit_png_are_read() {
    let dir = loader::tmp("formats");
    // 16-bit PNG: kept as 16-bit samples, read as sample / 65535.
    let p16 = dir.join("deep.png");
    let src = write_rgb16(&p16, 24, 24);
    let p = prepare(&p16, 24, Fit::Crop, false).unwrap();
    assert_eq!(p.depth, 2);
    let img = p.to_rgb();
    for (k, (&got, &want)) in img.data.iter().zip(src.as_raw()).enumerate() {
        assert_eq!(got, want as f32 / 65535.0, "sample {k}");
    }
    // Not collapsed to 8 bits: neighbouring 16-bit values stay apart.
    assert_ne!(img.data[0], img.data[3 * 24]);
    // TIFF, 8-bit RGB.
    let tif = dir.join("x.tif");
    let src8 = loader::pattern(3, 30, 30);
    src8.save(&tif).unwrap();
    let p = prepare(&tif, 30, Fit::Crop, false).unwrap();
    assert_eq!(p.depth, 1);
    assert_eq!(p.bytes, src8.as_raw().clone());
    // TIFF, 16-bit.
    let tif16 = dir.join("deep.tif");
    let src = write_rgb16(&tif16, 20, 20);
    let p = prepare(&tif16, 20, Fit::Crop, false).unwrap();
    assert_eq!(p.depth, 2);
    let want: Vec<f32> = src.as_raw().iter().map(|&v| v as f32 / 65535.0).collect();
    assert_eq!(p.to_rgb().data, want);
    let _ = std::fs::remove_dir_all(&dir);
}
