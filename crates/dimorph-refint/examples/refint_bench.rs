//! Benchmark of the indirect (reflimR) estimation: 1,000,000 simulated routine values in each
//! of two groups (95 % log-normal healthy, 5 % pathological), timed here and, in the same run,
//! by reflimR in R on the same data (written to a CSV file), with the ratio.
//!
//! Run: `cargo run --release -p dimorph-refint --example refint_bench [-- N_PER_GROUP [CSV_PATH]]`.
//! The R side needs Rscript and reflimR: `bench/refint_install_peers.sh` installs them;
//! `R_PEER_LIB` may name the R library that holds reflimR. Without R the R side is skipped.

use dimorph_core::Rng;
use dimorph_refint::estimate::reflim::{reflim, ReflimOptions};
use std::io::Write;
use std::process::Command;
use std::time::Instant;

fn peak_rss_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn simulate(rng: &mut Rng, n: usize, healthy_median: f64, healthy_sdlog: f64) -> Vec<f64> {
    (0..n)
        .map(|_| {
            if rng.uniform() < 0.95 {
                (healthy_median.ln() + healthy_sdlog * rng.normal()).exp()
            } else {
                // pathological: shifted up, wider
                ((2.2 * healthy_median).ln() + 0.45 * rng.normal()).exp()
            }
        })
        .map(|v: f64| (v * 10.0).round() / 10.0) // one decimal, like laboratory values
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let path = args.get(2).cloned().unwrap_or_else(|| {
        std::env::temp_dir()
            .join("dimorph_refint_bench.csv")
            .display()
            .to_string()
    });
    let mut rng = Rng::new(42);
    let groups = [
        ("f", simulate(&mut rng, n, 68.0, 0.12)),
        ("m", simulate(&mut rng, n, 84.0, 0.14)),
    ];
    // write the data for R
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&path).expect("create bench CSV"));
        writeln!(w, "group,value").unwrap();
        for (g, x) in &groups {
            for v in x {
                writeln!(w, "{g},{v}").unwrap();
            }
        }
    }
    let rss_before = peak_rss_kib();
    let t0 = Instant::now();
    let mut ours = Vec::new();
    for (g, x) in &groups {
        let r = reflim(g, x, None, ReflimOptions::default()).expect("reflim");
        ours.push((g.to_string(), r.lower, r.upper, r.n_trunc));
    }
    let secs = t0.elapsed().as_secs_f64();
    let rss_after = peak_rss_kib();
    println!("data: {n} values per group x 2 groups (95 % log-normal healthy, 5 % pathological), file {path}");
    for (g, l, u, nt) in &ours {
        println!("dimorph  group {g}: limits {l:.4} - {u:.4} (n after truncation {nt})");
    }
    println!("dimorph  time: {secs:.3} s for both groups");
    if let (Some(b), Some(a)) = (rss_before, rss_after) {
        println!(
            "dimorph  peak memory: {:.1} MiB process peak ({:.1} MiB before estimation, the simulated data itself {:.1} MiB)",
            a as f64 / 1024.0,
            b as f64 / 1024.0,
            (2 * n * 8) as f64 / 1048576.0
        );
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench/refint_reflimr.R");
    match Command::new("Rscript").arg(script).arg(&path).output() {
        Ok(o) if o.status.success() => {
            let out = String::from_utf8_lossy(&o.stdout);
            print!("{out}");
            let r_secs: Option<f64> = out
                .lines()
                .find_map(|l| l.strip_prefix("reflimR_seconds="))
                .and_then(|s| s.trim().parse().ok());
            if let Some(r) = r_secs {
                println!("ratio: reflimR / dimorph = {:.1}x", r / secs);
            }
        }
        Ok(o) => println!("reflimR side failed: {}", String::from_utf8_lossy(&o.stderr)),
        Err(e) => println!("reflimR side skipped (Rscript not available: {e}); run bench/refint_install_peers.sh"),
    }
}
