//! How reliably the demo configuration meets the acceptance bar (held-out AUC ≥ 0.9 and ≥ 80 % of
//! the strongest-evidence patches in the planted regions) across training seeds.
//! Environment overrides: SIZE, ARCH, WIDTH, N, EFFECT, EPOCHS, HEAD, LR, BATCH, SEEDS (comma list).
use std::time::Instant;

use dimorph_bagnet::demo::{self, demo_options};
use dimorph_bagnet::model::Arch;

fn env<T: std::str::FromStr>(k: &str) -> Option<T> {
    std::env::var(k).ok().and_then(|v| v.parse().ok())
}

fn main() {
    let (mut so, mut to) = demo_options();
    if let Some(s) = env::<usize>("SIZE") {
        so.size = s;
        to.size = s;
    }
    if let Some(a) = std::env::var("ARCH").ok().and_then(|a| Arch::parse(&a).ok()) {
        to.arch = a;
    }
    to.width = env("WIDTH").unwrap_or(to.width);
    so.n = env("N").unwrap_or(so.n);
    so.effect = env("EFFECT").unwrap_or(so.effect);
    to.epochs = env("EPOCHS").unwrap_or(to.epochs);
    to.head_epochs = env("HEAD").unwrap_or(to.head_epochs);
    to.lr = env("LR").unwrap_or(to.lr);
    to.batch = env("BATCH").unwrap_or(to.batch);
    let seeds: Vec<u64> = std::env::var("SEEDS")
        .unwrap_or_else(|_| "1".into())
        .split(',')
        .filter_map(|s| s.parse().ok())
        .collect();
    println!("{}", serde_json::to_string(&(&so, &to)).unwrap_or_default());
    for seed in seeds {
        to.seed = seed;
        let t0 = Instant::now();
        let r = demo::run_with(so.clone(), to.clone()).expect("demo run");
        let aucs: Vec<String> = r
            .eval
            .sets
            .iter()
            .map(|m| format!("{} {:.3}/{:.3}", m.set, m.accuracy, m.auc.unwrap_or(f64::NAN)))
            .collect();
        println!(
            "seed {seed}: best epoch {}  {}  strongest-in-planted {:.3}  top-patches {:.3}  {:.0} s",
            r.best_epoch.unwrap_or(0),
            aucs.join("  "),
            r.explain.strongest_in_planted.unwrap_or(f64::NAN),
            r.explain.top_patches_in_planted.unwrap_or(f64::NAN),
            t0.elapsed().as_secs_f64()
        );
    }
}
