//! Benchmark (not a test): every year × 2 sexes × (all causes + 7 cause groups) of the bundled
//! US files, all perspectives (life table with Kannisto smoothing, cause attribution,
//! cause-deleted tables, f(y|a), D^s(a)·f(y|a), W^s(a+y|a) and Table 2 means), on 2 threads.
//! Beside it, the same workload in base R (`bench/lifelost_peer.R`, installed by
//! `bench/install_peer.sh`) and the ratio.
//!
//! ```text
//! cargo run --release -p dimorph-lifetable --example lifetable_bench [-- CAUSES.csv]
//! ```
//! Without an argument the cause shares are those of `data/usa_2010_cod.csv`; years without
//! cause-of-death data use the shares of the nearest year that has them (a timing workload, not
//! an analysis). Pass the 2000–2020 file to use each year's own shares where they exist.

use dimorph_lifetable::*;
use std::path::PathBuf;
use std::time::Instant;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn work(data: &MortalityData, causes: &CauseDeaths, years: &[i32]) -> (usize, f64) {
    let opts = LifeLostOptions::default();
    let cause_years: Vec<i32> = causes.tables.keys().map(|(y, _)| *y).collect();
    let mut count = 0;
    let mut check = 0.0;
    for &year in years {
        for sex in [Sex::Female, Sex::Male] {
            let pop = data.get(year, sex).expect("population");
            let t = lifetable(data, year, sex, &opts.lifetable).expect("life table");
            let all = life_lost("All", &pop.deaths, &t, opts.save_point).expect("life lost");
            check += all.summary.mean_years_left;
            count += 1;
            let near = *cause_years
                .iter()
                .min_by_key(|y| (*y - year).abs())
                .expect("cause years");
            let mut p = pop.clone();
            p.year = near;
            let at = causes.attribute(&p).expect("attribution");
            for g in 0..at.groups.len() {
                let td = t.cause_deleted(&at.share[g]).expect("cause-deleted table");
                let r = life_lost(&at.groups[g], &at.deaths[g], &td, opts.save_point).expect("life lost");
                check += r.summary.mean_age_lived;
                count += 1;
            }
        }
    }
    (count, check)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let cause_path = args
        .get(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("data/usa_2010_cod.csv"));
    let t_read = Instant::now();
    let data = read_hmd_dir(&root().join("data/hmd/USA")).expect("HMD files");
    let causes = CauseDeaths::read_csv(&cause_path, None).expect("cause file");
    let read_s = t_read.elapsed().as_secs_f64();
    let years = data.years();
    // warm-up
    let _ = work(&data, &causes, &years[..2]);
    let reps = 5;
    let mut best = f64::INFINITY;
    let mut total = 0;
    for _ in 0..reps {
        let t0 = Instant::now();
        let half = years.len() / 2;
        let (a, b) = std::thread::scope(|s| {
            let h1 = s.spawn(|| work(&data, &causes, &years[..half]));
            let h2 = s.spawn(|| work(&data, &causes, &years[half..]));
            (h1.join().expect("thread"), h2.join().expect("thread"))
        });
        best = best.min(t0.elapsed().as_secs_f64());
        total = a.0 + b.0;
    }
    println!(
        "dimorph: {} years x 2 sexes x 8 (all + 7 cause groups) = {total} life-lost analyses, all perspectives",
        years.len()
    );
    println!(
        "dimorph: reading HMD + cause files {:.3} s; compute (best of {reps}, 2 threads) {:.3} s",
        read_s, best
    );
    // the peer
    let script = root().join("bench/lifelost_peer.R");
    match std::process::Command::new("Rscript")
        .arg(&script)
        .arg(&cause_path)
        .current_dir(root())
        .output()
    {
        Ok(o) if o.status.success() => {
            let out = String::from_utf8_lossy(&o.stdout);
            print!("{out}");
            if let Some(v) = out.lines().find_map(|l| l.strip_prefix("R_SECONDS ")) {
                if let Ok(r) = v.trim().parse::<f64>() {
                    println!("ratio (R / dimorph, compute): {:.1}x", r / best);
                }
            }
        }
        Ok(o) => println!("peer failed: {}", String::from_utf8_lossy(&o.stderr)),
        Err(_) => {
            println!("peer not run: Rscript not found (bash bench/install_peer.sh installs R)")
        }
    }
}
