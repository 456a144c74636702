//! Times `read_table` on each file given on the command line (CSV or Parquet by extension):
//! `cargo run --release -p dimorph-data --example read_bench -- bench-data/logistic_1m.csv`.
//! Not part of `cargo test`; `bench/glm/run.sh` calls it.

use std::time::Instant;

fn main() {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        eprintln!("usage: read_bench FILE...");
        std::process::exit(2);
    }
    for p in paths {
        let t = Instant::now();
        match dimorph_data::read_table(&p) {
            Ok(f) => {
                let secs = t.elapsed().as_secs_f64();
                let checksum: f64 = f
                    .columns
                    .iter()
                    .filter_map(|c| match &c.data {
                        dimorph_data::ColumnData::Num(v) => Some(v.iter().sum::<f64>()),
                        _ => None,
                    })
                    .sum();
                println!(
                    "read {p}: {} rows x {} columns in {secs:.3} s (checksum {checksum:.6e})",
                    f.nrows,
                    f.columns.len()
                );
            }
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(2);
            }
        }
    }
}
