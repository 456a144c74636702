//! Times the model frame of the formula bases on 1,000,000 rows (default) of uniform numbers:
//! `y ~ poly(x1, 3) + ns(x2, df = 5) + bs(x3, df = 6) + scale(x4)` (16 columns), best of 3, and
//! R's `model.frame` + `model.matrix` of the same formula on the same-sized data
//! (`crates/dimorph-glm/bench/basis_bench.R`, when `Rscript` is installed), with the ratio.
//!
//! Run: `cargo run --release -p dimorph-glm --example basis_bench [rows]`

use dimorph_core::Rng;
use dimorph_data::{Column, ColumnData, Frame};
use dimorph_glm::model_frame;
use std::time::Instant;

const FORMULA: &str = "y ~ poly(x1, 3) + ns(x2, df = 5) + bs(x3, df = 6) + scale(x4)";

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let mut rng = Rng::new(0x5EED_BA515);
    let cols = ["y", "x1", "x2", "x3", "x4"]
        .iter()
        .map(|name| Column {
            name: name.to_string(),
            data: ColumnData::Num((0..n).map(|_| rng.uniform()).collect()),
        })
        .collect();
    let frame = Frame::from_columns("generated", cols).expect("equal column lengths");
    let mut best = f64::INFINITY;
    let mut p = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let mf = model_frame(FORMULA, &frame, None).expect("model frame");
        best = best.min(t.elapsed().as_secs_f64());
        p = mf.p;
    }
    println!("dimorph: {n} rows, {p} columns of {FORMULA}: {best:.3} s (best of 3)");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/basis_bench.R");
    match std::process::Command::new("Rscript")
        .arg(script)
        .arg(n.to_string())
        .output()
    {
        Ok(o) if o.status.success() => {
            let r: f64 = String::from_utf8_lossy(&o.stdout).trim().parse().unwrap_or(f64::NAN);
            println!(
                "R model.frame + model.matrix: {r:.3} s (best of 3); R / dimorph = {:.1}",
                r / best
            );
        }
        _ => println!("R not available: install it with crates/dimorph-glm/bench/install_r.sh"),
    }
}
