//! Loader benchmark (bench/bagnet/loader_bench.sh): generate seeded JPEGs, then time the loader's
//! first pass (decode, fit and cache write on worker threads), a cached pass (cache look-up), and a
//! stream of every image as normalised batches (the tensors training takes), printing `key value`
//! lines.
//!
//! ```text
//! cargo run --release -p dimorph-bagnet --example loader_bench -- generate DIR N SEED [SIDE]
//! cargo run --release -p dimorph-bagnet --example loader_bench -- pass DIR CACHE WORKERS [SIZE] [BATCH]
//! ```
//! `generate` writes `DIR/img/NNNNN.jpg` (SIDE px, default 224; smooth colour fields with noise,
//! JPEG quality 90) and `DIR/labels.csv`; `pass` opens `DIR` with the cache folder `CACHE` (a
//! first pass when it is empty, a cached pass otherwise) and streams every image once.

use std::path::Path;
use std::time::Instant;

use dimorph_bagnet::data::{self, OpenOptions};
use dimorph_bagnet::image::Fit;
use dimorph_core::rng::{Draws, SplitMix64};

fn generate(dir: &Path, n: usize, seed: u64, side: u32) {
    let img_dir = dir.join("img");
    std::fs::create_dir_all(&img_dir).expect("create the image folder");
    let mut csv = String::from("path,subject,label\n");
    for i in 0..n {
        let mut r = SplitMix64::derive(seed, 1, i as u64);
        let (a, b, c) = (r.range(0.0, 255.0), r.range(0.0, 255.0), r.range(0.0, 255.0));
        let (fx, fy) = (r.range(0.01, 0.1), r.range(0.01, 0.1));
        let img = image::RgbImage::from_fn(side, side, |x, y| {
            let w = ((x as f64 * fx).sin() + (y as f64 * fy).cos()) * 60.0;
            let noise = r.range(-20.0, 20.0);
            let px = |base: f64| (base + w + noise).clamp(0.0, 255.0) as u8;
            image::Rgb([px(a), px(b), px(c)])
        });
        let name = format!("{i:05}.jpg");
        let mut f = std::io::BufWriter::new(std::fs::File::create(img_dir.join(&name)).expect("create an image"));
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut f, 90)
            .encode_image(&img)
            .expect("encode JPEG");
        csv.push_str(&format!("{name},s{i},{}\n", if i % 2 == 0 { "a" } else { "b" }));
    }
    std::fs::write(dir.join("labels.csv"), csv).expect("write labels.csv");
}

fn pass(dir: &Path, cache: &Path, workers: usize, size: usize, batch: usize) {
    let rows = data::read_labels(&dir.join("labels.csv"), &dir.join("img")).expect("labels");
    let classes = data::classes(&rows);
    let opt = OpenOptions {
        cache: Some(cache.to_path_buf()),
        workers: Some(workers),
        ..Default::default()
    };
    let t = Instant::now();
    let ds = data::open(rows, &classes, data::preprocess(size, Fit::Crop, false), &opt).expect("open");
    let open_s = t.elapsed().as_secs_f64();
    let idx: Vec<usize> = (0..ds.images.len()).collect();
    let device = Default::default();
    let t = Instant::now();
    let mut n = 0usize;
    let mut check = 0.0f64;
    for b in ds.images.stream_plain(&idx, batch) {
        let b = b.expect("batch");
        let refs: Vec<_> = b.iter().collect();
        let x = data::to_tensor::<dimorph_bagnet::Cpu>(&refs, &device);
        n += b.len();
        check += x.dims()[0] as f64;
    }
    let stream_s = t.elapsed().as_secs_f64();
    let s = ds.images.stats();
    println!("images {n}");
    println!("workers {workers}");
    println!("cache_hits {}", s.cache_hits);
    println!("decoded {}", s.decoded);
    println!("open_s {open_s:.3}");
    println!("open_images_per_s {:.1}", n as f64 / open_s);
    println!("stream_s {stream_s:.3}");
    println!("stream_images_per_s {:.1}", n as f64 / stream_s);
    println!("total_images_per_s {:.1}", n as f64 / (open_s + stream_s));
    println!("peak_in_flight {}", s.peak_in_flight);
    println!("checksum {check}");
}

fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize, d: usize| a.get(i).map_or(d, |s| s.parse().expect("a whole number"));
    match a.first().map(String::as_str) {
        Some("generate") if a.len() >= 4 => generate(Path::new(&a[1]), num(2, 0), num(3, 0) as u64, num(4, 224) as u32),
        Some("pass") if a.len() >= 4 => pass(Path::new(&a[1]), Path::new(&a[2]), num(3, 2), num(4, 224), num(5, 16)),
        _ => {
            eprintln!("usage: loader_bench generate DIR N SEED [SIDE] | pass DIR CACHE WORKERS [SIZE] [BATCH]");
            std::process::exit(2);
        }
    }
}
