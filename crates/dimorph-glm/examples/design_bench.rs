//! Times the model frame for the GLM benchmark's size: 1,000,000 rows × 20 numeric columns,
//! `y ~ x1 + ... + x20`, and the same with 1% of the cells of x1 missing. Prints the time next to
//! R's `model.matrix` on the same data when `Rscript` is installed
//! (`crates/dimorph-glm/bench/install_r.sh`), and the ratio.
//!
//! Run: `cargo run --release -p dimorph-glm --example design_bench [rows]`

use dimorph_core::Rng;
use dimorph_data::{Column, ColumnData, Frame};
use dimorph_glm::model_frame;
use std::time::Instant;

fn frame(n: usize, missing: bool) -> Frame {
    let mut rng = Rng::new(0x9E37_79B9_7F4A_7C15);
    let mut cols = vec![Column {
        name: "y".into(),
        data: ColumnData::Num((0..n).map(|_| rng.uniform()).collect()),
    }];
    for j in 1..=20 {
        let v = (0..n)
            .map(|i| {
                if missing && j == 1 && i % 100 == 7 {
                    f64::NAN
                } else {
                    rng.uniform()
                }
            })
            .collect();
        cols.push(Column {
            name: format!("x{j}"),
            data: ColumnData::Num(v),
        });
    }
    Frame::from_columns("generated", cols).expect("equal column lengths")
}

fn best_of(reps: usize, f: impl Fn() -> usize) -> (f64, usize) {
    let mut best = f64::INFINITY;
    let mut n = 0;
    for _ in 0..reps {
        let t = Instant::now();
        n = f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    (best, n)
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let formula = format!(
        "y ~ {}",
        (1..=20).map(|j| format!("x{j}")).collect::<Vec<_>>().join(" + ")
    );
    for missing in [false, true] {
        let f = frame(n, missing);
        let (t, rows) = best_of(5, || model_frame(&formula, &f, None).map(|m| m.n).unwrap_or(0));
        println!(
            "dimorph model_frame, {n} rows x 20 columns{}: {:.3} s (best of 5, {rows} rows used)",
            if missing { ", 1% of x1 missing" } else { "" },
            t
        );
        if !missing {
            peer(n, t);
        }
    }
}

/// R's model.frame + model.matrix on data of the same shape, if Rscript is installed.
fn peer(n: usize, ours: f64) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/design_bench.R");
    match std::process::Command::new("Rscript")
        .arg(script)
        .arg(n.to_string())
        .output()
    {
        Ok(o) if o.status.success() => {
            let out = String::from_utf8_lossy(&o.stdout);
            match out.trim().parse::<f64>() {
                Ok(r) => println!(
                    "R model.matrix (same shape): {r:.3} s; ratio R/dimorph = {:.1}",
                    r / ours
                ),
                Err(_) => println!("R peer printed something unexpected: {out}"),
            }
        }
        _ => println!("R peer not run (install it with crates/dimorph-glm/bench/install_r.sh)"),
    }
}
