//! How reliably the demo configuration meets the acceptance bar (held-out AUC ≥ 0.9 and ≥ 80 % of
//! the strongest-evidence patches in the planted regions) across training seeds.
//! Environment overrides: SIZE, ARCH, WIDTH, N, EFFECT, EPOCHS, HEAD, LR, BATCH, SEEDS (comma list).
use std::time::Instant;

use dimorph_bagnet::demo::demo_options;
use dimorph_bagnet::model::Arch;
use dimorph_bagnet::pipeline::{self, ExplainOptions};
use dimorph_bagnet::synth;
use dimorph_bagnet::train::{self, RunState};
use dimorph_bagnet::{Cpu, CpuTrain};

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
    println!("{so:?}\n{to:?}");
    let ds = synth::dataset(&so);
    for seed in seeds {
        to.seed = seed;
        let t0 = Instant::now();
        let dir = std::env::temp_dir().join(format!("accept-probe-{}-{seed}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let run = dir.join("run");
        let tr = train::train::<CpuTrain>(&ds, &to, &run, false, true, &Default::default()).expect("train");
        let device = Default::default();
        let (model, meta) = train::load_model::<Cpu>(&run.join("best"), &device).expect("load");
        let state: RunState = serde_json::from_str(&std::fs::read_to_string(run.join("state.json")).unwrap()).unwrap();
        let sets: Vec<(String, Vec<usize>)> = ["training", "validation", "test"]
            .iter()
            .zip(state.split.iter())
            .map(|(n, v)| (n.to_string(), v.clone()))
            .collect();
        let ev = pipeline::eval_model(&model, &meta, &ds, &sets, &device);
        let ex = ExplainOptions {
            clip: 1.0,
            threshold: 0.5,
            max_images: 0,
            features: false,
        };
        let xr = pipeline::explain_model(&model, &meta, &ds, "test", &sets[2].1, &ex, &dir.join("maps"), &device)
            .expect("explain");
        let aucs: Vec<String> = ev
            .sets
            .iter()
            .map(|m| format!("{} {:.3}/{:.3}", m.set, m.accuracy, m.auc.unwrap_or(f64::NAN)))
            .collect();
        println!(
            "seed {seed}: best epoch {:?}  {}  strongest-in-planted {:.3}  top-patches {:.3}  {:.0} s",
            tr.best_epoch,
            aucs.join("  "),
            xr.strongest_in_planted.unwrap_or(f64::NAN),
            xr.top_patches_in_planted.unwrap_or(f64::NAN),
            t0.elapsed().as_secs_f64()
        );
        let hist: Vec<String> = tr
            .history
            .iter()
            .map(|h| format!("{:.3}/{:.3}", h.train_loss, h.val_auc.unwrap_or(f64::NAN)))
            .collect();
        println!("   history {}", hist.join(" "));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
