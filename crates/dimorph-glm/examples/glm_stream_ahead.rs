//! The streamed GLM fit of `bench/glm_stream.sh` with a chosen number of row groups decoded
//! ahead on a worker thread (`dimorph_glm::stream::fit_parquet_ahead`; 0 decodes each row group
//! on the fitting thread), so that one binary times both in the same run. Prints the wall time
//! of the fit, its passes and the coefficients as exact decimal (shortest round trip), one per
//! line, for the script to compare bit for bit.
//!
//! Run: `cargo run --release -p dimorph-glm --example glm_stream_ahead -- FILE.parquet AHEAD FORMULA FAMILY`.
//! Not part of `cargo test`.

use dimorph_glm::options::RunOptions;
use dimorph_glm::stream::fit_parquet_ahead;
use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 5 {
        eprintln!("usage: glm_stream_ahead FILE.parquet AHEAD FORMULA FAMILY");
        std::process::exit(2);
    }
    let Ok(ahead) = args[2].parse::<usize>() else {
        eprintln!("AHEAD: not a whole number: {}", args[2]);
        std::process::exit(2)
    };
    let family = match args[4].parse() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("FAMILY: {e}");
            std::process::exit(2)
        }
    };
    let opts = RunOptions {
        family: Some(family),
        ..RunOptions::default()
    };
    let t = std::time::Instant::now();
    match fit_parquet_ahead(Path::new(&args[1]), &args[3], &opts, ahead) {
        Ok(fit) => {
            println!("seconds {:.3}", t.elapsed().as_secs_f64());
            println!("passes {}", fit.passes);
            for (name, b) in fit.coef_names.iter().zip(&fit.coef) {
                println!("coef {name} {b:?}");
            }
            println!("deviance {:?}", fit.deviance);
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2)
        }
    }
}
