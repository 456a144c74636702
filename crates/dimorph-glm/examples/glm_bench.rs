//! GLM benchmark, Rust side: 1,000,000 rows × 20 covariates, `y ~ x1 + ... + x20`, logistic and
//! Poisson (data from `bench/glm/glm_peers.py generate`). Times reading the CSV and the Parquet
//! file, building the model frame, and the fit (median of 3), checks the answer against the exact
//! MLE in `bench_reference.json` when it is there, and prints one `RESULT {json}` line per model
//! for `bench/glm/compare.py`, which sets the times beside statsmodels, glum and scikit-learn.
//!
//! Run: `bench/glm/run.sh`, or `cargo run --release -p dimorph-glm --example glm_bench -- bench-data`.
//! Not part of `cargo test`.

use dimorph_glm::{fit, model_frame, Family, GlmOptions};
use std::path::Path;
use std::time::Instant;

const REPS: usize = 3;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn secs<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let t = Instant::now();
    let r = f();
    (r, t.elapsed().as_secs_f64())
}

/// Largest |a − b| / max(|b|, 1e-300) over the two vectors.
fn max_rel(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs() / y.abs().max(1e-300))
        .fold(0.0, f64::max)
}

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "bench-data".into());
    let dir = Path::new(&dir);
    let reference: Option<serde_json::Value> = std::fs::read_to_string(dir.join("bench_reference.json"))
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok());
    let formula = format!(
        "y ~ {}",
        (1..=20).map(|j| format!("x{j}")).collect::<Vec<_>>().join(" + ")
    );
    let mut failed = false;
    for (model, family) in [("logistic", Family::Binomial), ("poisson", Family::Poisson)] {
        let csv = dir.join(format!("{model}_1m.csv"));
        let pq = dir.join(format!("{model}_1m.parquet"));
        let (frame_csv, read_csv_s) = secs(|| dimorph_data::read_table(&csv));
        let frame_csv = match frame_csv {
            Ok(f) => f,
            Err(e) => {
                eprintln!("{e}\n(generate the data with bench/glm/run.sh or glm_peers.py generate)");
                std::process::exit(2);
            }
        };
        let (frame_pq, read_parquet_s) = secs(|| dimorph_data::read_table(&pq));
        let frame = match frame_pq {
            Ok(f) => {
                // the two files hold the same float64 values (CSV written with repr)
                let same = frame_csv.columns.iter().zip(&f.columns).all(|(a, b)| a.data == b.data);
                if !same {
                    eprintln!("{model}: CSV and Parquet files differ");
                    failed = true;
                }
                drop(frame_csv);
                f
            }
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(2);
            }
        };
        let (mf, model_frame_s) = secs(|| model_frame(&formula, &frame, None));
        let mf = match mf {
            Ok(m) => m,
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(2);
            }
        };
        let opts = GlmOptions::new(family, None);
        let mut times = Vec::new();
        let mut last = None;
        for _ in 0..REPS {
            let (r, s) = secs(|| fit(&mf, &opts));
            times.push(s);
            last = Some(r);
        }
        let g = match last {
            Some(Ok(g)) => g,
            Some(Err(e)) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
            None => unreachable!("REPS > 0"),
        };
        let fit_s = median(times.clone());
        println!(
            "{model}: read CSV {read_csv_s:.3} s, read Parquet {read_parquet_s:.3} s, model frame {model_frame_s:.3} s, \
             fit {fit_s:.3} s (median of {REPS}: {times:.3?}), {} iterations, deviance {:.6}",
            g.iterations, g.deviance
        );
        let mut result = serde_json::json!({
            "model": model,
            "read_csv_s": read_csv_s,
            "read_parquet_s": read_parquet_s,
            "model_frame_s": model_frame_s,
            "fit_s": fit_s,
            "fit_times_s": times,
            "iterations": g.iterations,
            "deviance": g.deviance,
            "coef_head": &g.coef[..3.min(g.coef.len())],
        });
        if let Some(r) = reference.as_ref().and_then(|r| r.get(model)) {
            let get = |k: &str| -> Vec<f64> {
                r[k].as_array()
                    .map(|a| a.iter().filter_map(|v| v.as_f64()).collect())
                    .unwrap_or_default()
            };
            let (c, s) = (max_rel(&g.coef, &get("coef")), max_rel(&g.se_expected, &get("se")));
            let d = (g.deviance - r["deviance"].as_f64().unwrap_or(f64::NAN)).abs();
            println!("{model}: vs exact MLE: max rel diff coef {c:.2e}, se {s:.2e}; |deviance diff| {d:.2e}");
            if !(c < 1e-8 && s < 1e-6) {
                eprintln!("{model}: the fit does not agree with bench_reference.json to 1e-8");
                failed = true;
            }
            result["max_rel_coef_diff_vs_reference"] = c.into();
            result["max_rel_se_diff_vs_reference"] = s.into();
        }
        println!("RESULT {result}");
    }
    if failed {
        std::process::exit(1);
    }
}
