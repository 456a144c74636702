//! Prints kNN preservation, silhouette and 10-NN accuracy of dimorph's embeddings of the digits
//! and the Gaussian mixture for α = 1 and 0.5 (the figures compared with openTSNE's in
//! tests/opentsne_peer.rs). Usage: cargo run --release -p dimorph-embed --example quality [seeds]
use dimorph_embed::demo::{digits, digits_run};
use dimorph_embed::Params;
use std::path::Path;

fn main() {
    let seeds: u64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(1);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let (x, labels) = digits(&root.join("data")).expect("digits");
    let f = dimorph_data::read_csv(root.join("crates/dimorph-embed/tests/reference/gmm.csv")).expect("gmm.csv");
    let (g, _) = dimorph_embed::input::features_from_frame(&f, &["f*".to_string()]).expect("features");
    let glabels: Vec<String> = f
        .numeric("component")
        .expect("component")
        .iter()
        .map(|v| v.to_string())
        .collect();
    for (name, x, l) in [("digits", &x, &labels), ("gmm", &g, &glabels)] {
        for alpha in [1.0, 0.5] {
            for seed in 1..=seeds {
                let t = std::time::Instant::now();
                let (e, q) = digits_run(
                    x,
                    l,
                    alpha,
                    &Params {
                        seed,
                        ..Params::default()
                    },
                )
                .expect("embed");
                println!(
                    "{name} alpha={alpha} seed={seed}: knn_preservation {:.4} silhouette {:.4} knn_accuracy {:.4} KL {:.4} ({} exact iterations, {:.1}s)",
                    q.knn_preservation,
                    q.silhouette.unwrap_or(f64::NAN),
                    q.knn_accuracy.unwrap_or(f64::NAN),
                    e.kl_divergence,
                    e.exact_iterations,
                    t.elapsed().as_secs_f64()
                );
            }
        }
    }
}
