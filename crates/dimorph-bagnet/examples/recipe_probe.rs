//! The training recipes on the demo's data and model (BagNet-17 at width 0.125, 64 px, 240 synthetic
//! images): the paper's recipe (SGD lr 0.01, constant) against the default recipe (Adam with
//! decoupled weight decay, warm-up and cosine), each for 21 epochs, and the same at the synthetic
//! default effect 0.12. Prints the training and test AUC of each run's best epoch.
//!
//! `cargo run -p dimorph-bagnet --example recipe_probe [effect ...]`; `ONLY=scratch` runs one recipe,
//! `LR=0.003` sets the scratch recipe's learning rate.

use dimorph_bagnet::demo;
use dimorph_bagnet::options::{Recipe, TrainOptions};

fn main() {
    let effects: Vec<f64> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let effects = if effects.is_empty() { vec![0.35, 0.12] } else { effects };
    for effect in effects {
        let only = std::env::var("ONLY").unwrap_or_default();
        let lr: Option<f64> = std::env::var("LR").ok().and_then(|v| v.parse().ok());
        for recipe in [Recipe::Paper, Recipe::Scratch] {
            if !only.is_empty() && only != recipe.name() {
                continue;
            }
            let (mut so, demo_to) = demo::demo_options();
            so.effect = effect;
            let to = TrainOptions {
                arch: demo_to.arch,
                width: demo_to.width,
                size: demo_to.size,
                batch: demo_to.batch,
                head_epochs: if recipe == Recipe::Paper { 1 } else { 0 },
                epochs: if recipe == Recipe::Paper { 20 } else { 21 },
                best_from: None,
                ..TrainOptions::recipe(recipe)
            };
            let to = match lr {
                Some(lr) if recipe == Recipe::Scratch => TrainOptions { lr, ..to },
                _ => to,
            };
            match demo::run_with(so, to) {
                Ok(r) => {
                    let auc = |name: &str| {
                        r.eval
                            .sets
                            .iter()
                            .find(|m| m.set == name)
                            .and_then(|m| m.auc)
                            .map_or("-".into(), |a| format!("{a:.3}"))
                    };
                    println!(
                        "effect {effect} recipe {} (lr {}): best epoch {:?}, training AUC {}, test AUC {}, strongest patch in planted {:?} (chance {:?})",
                        recipe.name(),
                        r.train.lr,
                        r.best_epoch,
                        auc("training"),
                        auc("test"),
                        r.explain.strongest_in_planted,
                        r.explain.planted_chance
                    );
                }
                Err(e) => println!("effect {effect} recipe {}: error {e}", recipe.name()),
            }
        }
    }
}
