//! Is the demo's BagNet training the same on every run and for every thread count? Trains the demo's
//! configuration ([`demo_options`]: BagNet-17, width 1/8, 240 synthetic 64-px images, 21 epochs),
//! the training part of `dimorph demo` alone, and prints every epoch's training and validation loss
//! to all digits and a checksum of the best model's weights (the bits of every value). Run it twice
//! and with other thread counts (the CPU backend runs on rayon's global pool), and compare:
//!
//! ```text
//! RAYON_NUM_THREADS=1 cargo run --release -p dimorph-bagnet --example demo_threads
//! RAYON_NUM_THREADS=2 cargo run --release -p dimorph-bagnet --example demo_threads
//! ```
//!
//! Environment: EPOCHS (default the demo's 21), SEED (training seed, default the demo's).
use std::time::Instant;

use burn::module::{Module, ModuleVisitor, Param};
use burn::tensor::backend::Backend;
use burn::tensor::Tensor;
use dimorph_bagnet::demo::demo_options;
use dimorph_bagnet::{synth, train};

/// FNV-1a over the bits of every float parameter and running statistic, in module order.
struct Checksum(u64, usize);

impl<B: Backend> ModuleVisitor<B> for Checksum {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
        let v = param
            .val()
            .into_data()
            .convert::<f32>()
            .to_vec::<f32>()
            .unwrap_or_default();
        for x in v {
            for byte in x.to_bits().to_le_bytes() {
                self.0 = (self.0 ^ byte as u64).wrapping_mul(0x100_0000_01b3);
            }
            self.1 += 1;
        }
    }
}

fn main() {
    let (so, mut to) = demo_options();
    if let Some(e) = std::env::var("EPOCHS").ok().and_then(|v| v.parse().ok()) {
        to.epochs = e;
    }
    if let Some(s) = std::env::var("SEED").ok().and_then(|v| v.parse().ok()) {
        to.seed = s;
    }
    println!(
        "rayon threads {}; {} at width {}, {} images of {} px, {} epochs, seed {}",
        rayon::current_num_threads(),
        to.arch.name(),
        to.width,
        so.n,
        so.size,
        to.epochs,
        to.seed
    );
    let ds = synth::dataset(&so);
    let dir = std::env::temp_dir().join(format!("dimorph-demo-threads-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let t0 = Instant::now();
    let r = train::train_cpu(&ds, &to, &dir, false, &mut train::Silent, &Default::default()).expect("training");
    for h in &r.history {
        println!(
            "epoch {:2}: train loss {:.17e}  val loss {:.17e}  val AUC {:?}",
            h.epoch, h.train_loss, h.val_loss, h.val_auc
        );
    }
    let (model, _) = dimorph_bagnet::on_cpu::load_model(&dir.join("best")).expect("best model");
    let mut sum = Checksum(0xcbf2_9ce4_8422_2325, 0);
    model.visit(&mut sum);
    println!(
        "best epoch {:?}; checksum of {} weight values {:016x}; {:.0} s",
        r.best_epoch,
        sum.1,
        sum.0,
        t0.elapsed().as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
