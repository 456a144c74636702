//! The bare fit of `dimorph glm`, timed apart from everything else the command computes: reads a
//! table, builds the model frame and fits (IRLS only, no inference, no report), and prints the
//! seconds of each step as `read_s=… frame_s=… fit_s=…`. Used by `bench/glm_defaults.sh` as the
//! yardstick for the default command's time.
//!
//! Run: `cargo run --release -p dimorph-glm --example glm_fit_time -- DATA.csv 'FORMULA' [FAMILY]`.
//! Not part of `cargo test`.

use dimorph_glm::{fit, model_frame, Family, GlmOptions};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: glm_fit_time DATA FORMULA [FAMILY]");
        std::process::exit(2);
    }
    let family: Family = match args.get(3).map(|s| s.parse()) {
        Some(Ok(f)) => f,
        Some(Err(e)) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
        None => Family::Binomial,
    };
    let t = Instant::now();
    let frame = dimorph_data::read_table(std::path::Path::new(&args[1])).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2)
    });
    let read_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mf = model_frame(&args[2], &frame, None).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2)
    });
    let frame_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let f = fit(&mf, &GlmOptions::new(family, None)).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2)
    });
    let fit_s = t.elapsed().as_secs_f64();
    println!(
        "read_s={read_s:.3} frame_s={frame_s:.3} fit_s={fit_s:.3} deviance={} iterations={}",
        f.deviance, f.iterations
    );
}
