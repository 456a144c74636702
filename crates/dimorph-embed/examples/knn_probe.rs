//! Recall and time of the approximate neighbour search on a 20-component Gaussian mixture in 50
//! dimensions (the benchmark's data). Usage: knn_probe [n] [trees] [rounds] [leaf size]
use dimorph_embed::knn::{approximate_with, ApproxSettings};
use dimorph_embed::knn_recall::recall;
use dimorph_embed::rng::Rng;
use dimorph_embed::Features;
fn main() {
    let a: Vec<usize> = std::env::args().skip(1).filter_map(|s| s.parse().ok()).collect();
    let n = a.first().copied().unwrap_or(100_000);
    let mut rng = Rng::new(7);
    let centres: Vec<Vec<f64>> = (0..20).map(|_| (0..50).map(|_| rng.normal() * 4.0).collect()).collect();
    let x: Vec<f32> = (0..n)
        .flat_map(|_| {
            let c = rng.below(20);
            centres[c].iter().map(|m| (m + rng.normal()) as f32).collect::<Vec<_>>()
        })
        .collect();
    let x = Features::new(n, 50, x).unwrap();
    let mut s = ApproxSettings::for_size(n, 15);
    if let Some(&t) = a.get(1) {
        s.trees = t;
    }
    if let Some(&r) = a.get(2) {
        s.max_rounds = r;
    }
    if let Some(&l) = a.get(3) {
        s.leaf_size = l;
    }
    let t = std::time::Instant::now();
    let mut rounds = 0;
    let g = approximate_with(&x, 15, s, &mut Rng::new(1), 2, &mut |p, d, _| {
        if p.contains("refine") {
            rounds = d;
        }
    });
    let el = t.elapsed().as_secs_f64();
    let (r, m) = recall(&x, &g, 1000, &mut Rng::new(2), 2);
    println!(
        "n {n} trees {} leaf {} rounds<= {}: recall {r:.4} on {m}, {el:.1}s (progress {rounds})",
        s.trees, s.leaf_size, s.max_rounds
    );
}
