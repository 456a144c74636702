//! Recall of an approximate neighbour graph: the share of the exact k nearest neighbours it
//! holds, measured on a random sample of points against exact search ([`crate::knn_exact`]), in
//! the space the graph was searched in ([`recall`]) or in the original features ([`recall_in`],
//! when the search ran on principal components).

use crate::features::Features;
use crate::knn::{dist2, KnnGraph, TopK};
use crate::knn_exact::exact_for;
use crate::rng::Rng;

/// The check of [`recall`] and [`recall_in`] costs m·n·d distance terms for m sampled points;
/// the sample shrinks (to no fewer than 100 points) to keep it under this many terms. The exact
/// search is blocked ([`crate::knn_exact`]), so 2·10¹⁰ terms take seconds, not minutes.
pub const RECALL_TERMS: f64 = 2e10;

/// The sampled points of a recall check: at most `sample`, fewer when n·d is large.
fn recall_points(x: &Features, sample: usize, rng: &mut Rng) -> Vec<usize> {
    let cap = (RECALL_TERMS / (x.n as f64 * x.d as f64)).max(100.0) as usize;
    let m = sample.min(cap).min(x.n).max(1);
    rng.sample(x.n, m)
}

/// Recall of `g` against exact search on a random sample of points (at most `sample`, fewer
/// when n·d is large, [`RECALL_TERMS`]). Returns (recall, sample size). Distance ties count as
/// found. The standard error of the estimate is about √(r(1−r)/(m·k)) when the points' misses
/// are independent, and at most the per-point recalls' standard deviation over √m.
pub fn recall(x: &Features, g: &KnnGraph, sample: usize, rng: &mut Rng, threads: usize) -> (f64, usize) {
    sampled_recall(x, g, sample, rng, threads, |i, t, worst| {
        g.neighbours(i)
            .iter()
            .zip(g.distances2(i))
            .filter(|(j, &d)| t.idx.contains(j) || d <= worst)
            .count()
    })
}

/// Recall of `g` (found in another space, e.g. principal components) against exact search in the
/// features `x` themselves, on a random sample (at most `sample` points, fewer when n·d is large,
/// [`RECALL_TERMS`]). A neighbour of `g` counts as found when it is among the exact k in `x` or
/// no farther (in `x`) than the k-th. Returns (recall, sample size).
pub fn recall_in(x: &Features, g: &KnnGraph, sample: usize, rng: &mut Rng, threads: usize) -> (f64, usize) {
    sampled_recall(x, g, sample, rng, threads, |i, t, worst| {
        g.neighbours(i)
            .iter()
            .filter(|&&j| t.idx.contains(&j) || dist2(x.row(i), x.row(j as usize)) <= worst)
            .count()
    })
}

/// The share of found neighbours over the sampled points: `found(i, exact, worst)` counts point
/// i's neighbours in `g` that are found, given its exact k nearest and the k-th's squared distance.
fn sampled_recall(
    x: &Features,
    g: &KnnGraph,
    sample: usize,
    rng: &mut Rng,
    threads: usize,
    found: impl Fn(usize, &TopK, f32) -> usize,
) -> (f64, usize) {
    let pts = recall_points(x, sample, rng);
    let m = pts.len();
    let exact = exact_for(x, &pts, g.k, threads);
    let n_found: usize = pts.iter().zip(&exact).map(|(&i, t)| found(i, t, t.d[g.k - 1])).sum();
    (n_found as f64 / (m * g.k) as f64, m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knn::approximate;

    #[test]
    fn approximate_search_has_high_recall_on_clustered_data() {
        let mut rng = Rng::new(9);
        let (n, d) = (6000, 20);
        let centres: Vec<Vec<f64>> = (0..10).map(|_| (0..d).map(|_| rng.normal() * 4.0).collect()).collect();
        let rows: Vec<Vec<f64>> = (0..n)
            .map(|i| centres[i % 10].iter().map(|c| c + rng.normal()).collect())
            .collect();
        let x = Features::from_rows(&rows).unwrap();
        let g = approximate(&x, 15, &mut Rng::new(1), 2, &mut |_, _, _| {});
        let (r, m) = recall(&x, &g, 500, &mut Rng::new(2), 2);
        assert_eq!(m, 500);
        assert!(r > 0.98, "recall {r}");
        // rows sorted, no self, no duplicates
        for i in 0..n {
            let nb = g.neighbours(i);
            assert!(!nb.contains(&(i as u32)));
            assert!(g.distances2(i).windows(2).all(|w| w[0] <= w[1]));
            let mut s = nb.to_vec();
            s.sort();
            s.dedup();
            assert_eq!(s.len(), 15);
        }
    }
}
