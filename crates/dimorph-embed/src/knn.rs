//! Nearest neighbours in feature space: exact brute force for small inputs, and for large ones an
//! approximate search written here — a forest of random-projection trees (each node split by the
//! hyperplane halfway between two random points of the node) whose leaves give first candidates,
//! refined by neighbour-of-neighbour rounds (NN-descent: a neighbour of a neighbour is likely a
//! neighbour). [`recall`] measures the approximate graph against exact search on a random sample.

use crate::features::Features;
use crate::progress::Progress;
use crate::rng::Rng;
use dimorph_core::threads::{map_ranges, ranges};

/// The k nearest neighbours of every point (itself excluded), nearest first.
#[derive(Clone, Debug)]
pub struct KnnGraph {
    pub n: usize,
    pub k: usize,
    /// `idx[i*k..(i+1)*k]`: neighbours of point i.
    pub idx: Vec<u32>,
    /// Squared Euclidean distances, same layout.
    pub dist2: Vec<f32>,
}

impl KnnGraph {
    pub fn neighbours(&self, i: usize) -> &[u32] {
        &self.idx[i * self.k..(i + 1) * self.k]
    }
    pub fn distances2(&self, i: usize) -> &[f32] {
        &self.dist2[i * self.k..(i + 1) * self.k]
    }
}

/// Squared Euclidean distance, written for auto-vectorisation (8 lanes).
#[inline]
pub fn dist2(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for l in 0..8 {
            let t = x[l] - y[l];
            acc[l] += t * t;
        }
    }
    let mut s: f32 = acc.iter().sum();
    for (x, y) in ra.iter().zip(rb) {
        s += (x - y) * (x - y);
    }
    s
}

/// A bounded sorted list of the k best (smallest distance) distinct candidates.
#[derive(Clone, Debug)]
pub(crate) struct TopK {
    pub idx: Vec<u32>,
    pub d: Vec<f32>,
    k: usize,
}

impl TopK {
    pub fn new(k: usize) -> Self {
        TopK {
            idx: Vec::with_capacity(k + 1),
            d: Vec::with_capacity(k + 1),
            k,
        }
    }
    #[inline]
    pub fn worst(&self) -> f32 {
        if self.idx.len() < self.k {
            f32::INFINITY
        } else {
            self.d[self.k - 1]
        }
    }
    /// Inserts `j` at distance `dj`; returns whether the list changed.
    #[inline]
    pub fn push(&mut self, j: u32, dj: f32) -> bool {
        // an unfull list takes any candidate (even at an infinite distance): every row gets k
        if (self.idx.len() >= self.k && dj >= self.worst()) || dj.is_nan() || self.idx.contains(&j) {
            return false;
        }
        let pos = self.d.partition_point(|&x| x <= dj);
        self.d.insert(pos, dj);
        self.idx.insert(pos, j);
        if self.idx.len() > self.k {
            self.d.pop();
            self.idx.pop();
        }
        true
    }
}

const BLOCK: usize = 4096;

/// Exact k nearest neighbours by brute force (threaded over query points).
pub fn exact(x: &Features, k: usize, threads: usize, progress: Progress) -> KnnGraph {
    let n = x.n;
    let mut idx = Vec::with_capacity(n * k);
    let mut dist = Vec::with_capacity(n * k);
    let mut start = 0;
    while start < n {
        let end = (start + BLOCK * threads.max(1)).min(n);
        let parts = map_ranges(&ranges(end - start, threads), |r| {
            let mut out = Vec::with_capacity(r.len());
            for q in r {
                out.push(exact_one(x, start + q, k));
            }
            out
        });
        for t in parts.into_iter().flatten() {
            idx.extend_from_slice(&t.idx);
            dist.extend_from_slice(&t.d);
        }
        start = end;
        progress("nearest neighbours (exact)", start, n);
    }
    KnnGraph { n, k, idx, dist2: dist }
}

fn exact_one(x: &Features, i: usize, k: usize) -> TopK {
    let mut t = TopK::new(k);
    let xi = x.row(i);
    for j in 0..x.n {
        if j != i {
            let d = dist2(xi, x.row(j));
            t.push(j as u32, d);
        }
    }
    t
}

/// Settings of the approximate search.
#[derive(Clone, Copy, Debug)]
pub struct ApproxSettings {
    pub trees: usize,
    pub leaf_size: usize,
    pub max_rounds: usize,
    /// Stop when fewer than this fraction of the n·k entries changed in a round.
    pub tol: f64,
}

impl ApproxSettings {
    pub fn for_size(_n: usize, k: usize) -> Self {
        ApproxSettings {
            trees: 16,
            leaf_size: (2 * k).max(24),
            max_rounds: 10,
            tol: 0.001,
        }
    }
}

/// Approximate k nearest neighbours: random-projection forest, then neighbour-of-neighbour rounds.
pub fn approximate(x: &Features, k: usize, rng: &mut Rng, threads: usize, progress: Progress) -> KnnGraph {
    approximate_with(x, k, ApproxSettings::for_size(x.n, k), rng, threads, progress)
}

pub fn approximate_with(
    x: &Features,
    k: usize,
    s: ApproxSettings,
    rng: &mut Rng,
    threads: usize,
    progress: Progress,
) -> KnnGraph {
    let n = x.n;
    let total = s.trees + s.max_rounds;
    progress("nearest neighbours (trees)", 0, total);
    // forest: for each tree, the leaf of every point and the leaves' members
    let seeds: Vec<Rng> = (0..s.trees).map(|t| rng.fork(100 + t as u64)).collect();
    let forest: Vec<(Vec<u32>, Vec<u32>, Vec<u32>)> = {
        let per = map_ranges(&ranges(s.trees, threads), |r| {
            r.map(|t| build_tree(x, s.leaf_size, &mut seeds[t].clone()))
                .collect::<Vec<_>>()
        });
        per.into_iter().flatten().collect()
    };
    progress("nearest neighbours (trees)", s.trees, total);
    // leaf candidates, per point (each pair is evaluated from both ends: no locking)
    let lists: Vec<TopK> = map_ranges(&ranges(n, threads), |r| {
        let mut out = Vec::with_capacity(r.len());
        for i in r {
            let mut t = TopK::new(k);
            let xi = x.row(i);
            for (perm, leaf_of, starts) in &forest {
                let l = leaf_of[i] as usize;
                for &j in &perm[starts[l] as usize..starts[l + 1] as usize] {
                    if j as usize != i {
                        let d = dist2(xi, x.row(j as usize));
                        t.push(j, d);
                    }
                }
            }
            out.push(t);
        }
        out
    })
    .into_iter()
    .flatten()
    .collect();
    drop(forest);
    let mut g = to_graph(n, k, &lists, x);
    drop(lists);
    let mut is_new = vec![true; n * k];
    for round in 0..s.max_rounds {
        let (g2, new2, changed) = refine(x, &g, &is_new, threads);
        g = g2;
        is_new = new2;
        progress("nearest neighbours (refine)", s.trees + round + 1, total);
        if (changed as f64) < s.tol * (n * k) as f64 {
            break;
        }
    }
    progress("nearest neighbours (refine)", total, total);
    g
}

/// Fills short lists (points in tiny leaves) with random distinct points so every row has k entries.
fn to_graph(n: usize, k: usize, lists: &[TopK], x: &Features) -> KnnGraph {
    let mut idx = Vec::with_capacity(n * k);
    let mut dist = Vec::with_capacity(n * k);
    for (i, t) in lists.iter().enumerate() {
        let mut t = t.clone();
        let mut j = (i + 1) % n;
        while t.idx.len() < k {
            if j != i {
                t.push(j as u32, dist2(x.row(i), x.row(j)));
            }
            j = (j + 1) % n;
        }
        idx.extend_from_slice(&t.idx);
        dist.extend_from_slice(&t.d);
    }
    KnnGraph { n, k, idx, dist2: dist }
}

/// One random-projection tree: (permutation of points, leaf of each point, leaf start offsets).
fn build_tree(x: &Features, leaf_size: usize, rng: &mut Rng) -> (Vec<u32>, Vec<u32>, Vec<u32>) {
    let n = x.n;
    let mut perm: Vec<u32> = (0..n as u32).collect();
    let mut leaves: Vec<(usize, usize)> = Vec::new();
    let mut stack = vec![(0usize, n)];
    let mut side = Vec::new();
    while let Some((lo, hi)) = stack.pop() {
        if hi - lo <= leaf_size {
            leaves.push((lo, hi));
            continue;
        }
        let seg = &mut perm[lo..hi];
        let m = seg.len();
        let a = seg[rng.below(m)] as usize;
        let mut b = seg[rng.below(m)] as usize;
        for _ in 0..3 {
            if b != a && x.row(a) != x.row(b) {
                break;
            }
            b = seg[rng.below(m)] as usize;
        }
        let (xa, xb) = (x.row(a), x.row(b));
        // side of the perpendicular bisector of a and b: sign of |p-b|² - |p-a|²
        side.clear();
        side.extend(seg.iter().map(|&p| {
            let xp = x.row(p as usize);
            dist2(xp, xb) - dist2(xp, xa)
        }));
        let mut split = partition(seg, &side);
        if split < m / 20 + 1 || split > m - m / 20 - 1 {
            // degenerate split (duplicates, a bad pair): split at a random direction's median
            let order = {
                let mut o: Vec<(f32, u32)> = seg
                    .iter()
                    .map(|&p| (x.row(p as usize)[rng.below(x.d)] + rng.uniform() as f32 * 1e-6, p))
                    .collect();
                o.sort_by(|u, v| u.0.total_cmp(&v.0));
                o
            };
            for (s, (_, p)) in seg.iter_mut().zip(order) {
                *s = p;
            }
            split = m / 2;
        }
        stack.push((lo, lo + split));
        stack.push((lo + split, hi));
    }
    leaves.sort_unstable();
    let mut leaf_of = vec![0u32; n];
    let mut starts = Vec::with_capacity(leaves.len() + 1);
    for (l, &(lo, hi)) in leaves.iter().enumerate() {
        starts.push(lo as u32);
        for &p in &perm[lo..hi] {
            leaf_of[p as usize] = l as u32;
        }
    }
    starts.push(n as u32);
    (perm, leaf_of, starts)
}

/// Moves the points with positive `side` first; returns their count.
fn partition(seg: &mut [u32], side: &[f32]) -> usize {
    let mut pos: Vec<u32> = Vec::with_capacity(seg.len());
    let mut neg: Vec<u32> = Vec::with_capacity(seg.len());
    for (&p, &s) in seg.iter().zip(side) {
        if s > 0.0 {
            pos.push(p)
        } else {
            neg.push(p)
        }
    }
    let c = pos.len();
    seg[..c].copy_from_slice(&pos);
    seg[c..].copy_from_slice(&neg);
    c
}

/// One neighbour-of-neighbour round: candidates for i are the neighbours and reverse neighbours
/// (at most k) of its neighbours and of its reverse neighbours, skipping pairs already compared
/// (both entries old).
fn refine(x: &Features, g: &KnnGraph, is_new: &[bool], threads: usize) -> (KnnGraph, Vec<bool>, usize) {
    let (n, k) = (g.n, g.k);
    // reverse neighbours, at most k per point
    let mut rev_cnt = vec![0u32; n];
    let mut rev = vec![u32::MAX; n * k];
    for i in 0..n {
        for &j in g.neighbours(i) {
            let c = rev_cnt[j as usize] as usize;
            if c < k {
                rev[j as usize * k + c] = i as u32;
                rev_cnt[j as usize] += 1;
            }
        }
    }
    let parts = map_ranges(&ranges(n, threads), |r| {
        let mut stamp = vec![u32::MAX; n];
        let mut idx = Vec::with_capacity(r.len() * k);
        let mut dist = Vec::with_capacity(r.len() * k);
        let mut newf = Vec::with_capacity(r.len() * k);
        let mut changed = 0usize;
        for i in r {
            let mut t = TopK {
                idx: g.neighbours(i).to_vec(),
                d: g.distances2(i).to_vec(),
                k,
            };
            let tag = i as u32;
            stamp[i] = tag;
            for &j in g.neighbours(i) {
                stamp[j as usize] = tag;
            }
            let xi = x.row(i);
            let consider = |c: u32, stamp: &mut Vec<u32>, t: &mut TopK| {
                if stamp[c as usize] != tag {
                    stamp[c as usize] = tag;
                    let d = dist2(xi, x.row(c as usize));
                    t.push(c, d);
                }
            };
            for (a, &j) in g.neighbours(i).iter().enumerate() {
                let j_new = is_new[i * k + a];
                for (b, &l) in g.neighbours(j as usize).iter().enumerate() {
                    if j_new || is_new[j as usize * k + b] {
                        consider(l, &mut stamp, &mut t);
                    }
                }
                if j_new {
                    let j = j as usize;
                    for &l in &rev[j * k..j * k + rev_cnt[j] as usize] {
                        consider(l, &mut stamp, &mut t);
                    }
                }
            }
            for &j in &rev[i * k..i * k + rev_cnt[i] as usize] {
                consider(j, &mut stamp, &mut t);
                for &l in g.neighbours(j as usize) {
                    consider(l, &mut stamp, &mut t);
                }
            }
            let old = g.neighbours(i);
            for &j in &t.idx {
                let fresh = !old.contains(&j);
                changed += fresh as usize;
                newf.push(fresh);
            }
            idx.extend_from_slice(&t.idx);
            dist.extend_from_slice(&t.d);
        }
        (idx, dist, newf, changed)
    });
    let mut idx = Vec::with_capacity(n * k);
    let mut dist = Vec::with_capacity(n * k);
    let mut newf = Vec::with_capacity(n * k);
    let mut changed = 0;
    for (a, b, c, d) in parts {
        idx.extend(a);
        dist.extend(b);
        newf.extend(c);
        changed += d;
    }
    (KnnGraph { n, k, idx, dist2: dist }, newf, changed)
}

/// Recall of `g` against exact search on a random sample of points (at most `sample`, fewer
/// when n·d is large so that the check costs at most ~2·10⁹ distance terms). Returns
/// (recall, sample size). Distance ties count as found.
pub fn recall(x: &Features, g: &KnnGraph, sample: usize, rng: &mut Rng, threads: usize) -> (f64, usize) {
    let cap = (2e9 / (x.n as f64 * x.d as f64)).max(100.0) as usize;
    let m = sample.min(cap).min(x.n).max(1);
    let pts = rng.sample(x.n, m);
    let found: usize = map_ranges(&ranges(m, threads), |r| {
        let mut f = 0;
        for &i in &pts[r] {
            let t = exact_one(x, i, g.k);
            let worst = t.d[g.k - 1];
            let approx = g.neighbours(i);
            f += approx
                .iter()
                .zip(g.distances2(i))
                .filter(|(j, &d)| t.idx.contains(j) || d <= worst)
                .count();
        }
        f
    })
    .into_iter()
    .sum();
    (found as f64 / (m * g.k) as f64, m)
}

/// Recall of `g` (found in another space, e.g. principal components) against exact search in the
/// features `x` themselves, on a random sample (at most `sample` points, fewer so that the check
/// costs at most ~2·10⁹ distance terms). A neighbour of `g` counts as found when it is among the
/// exact k in `x` or no farther (in `x`) than the k-th. Returns (recall, sample size).
pub fn recall_in(x: &Features, g: &KnnGraph, sample: usize, rng: &mut Rng, threads: usize) -> (f64, usize) {
    let cap = (2e9 / (x.n as f64 * x.d as f64)).max(100.0) as usize;
    let m = sample.min(cap).min(x.n).max(1);
    let pts = rng.sample(x.n, m);
    let found: usize = map_ranges(&ranges(m, threads), |r| {
        let mut f = 0;
        for &i in &pts[r] {
            let t = exact_one(x, i, g.k);
            let worst = t.d[g.k - 1];
            f += g
                .neighbours(i)
                .iter()
                .filter(|&&j| t.idx.contains(&j) || dist2(x.row(i), x.row(j as usize)) <= worst)
                .count();
        }
        f
    })
    .into_iter()
    .sum();
    (found as f64 / (m * g.k) as f64, m)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn exact_search_matches_a_hand_example() {
        // points on a line at 0, 1, 3, 7: neighbours of 3 are 1 (d²=4), then 0 (d²=9)
        let x = Features::from_rows(&[vec![0.0], vec![1.0], vec![3.0], vec![7.0]]).unwrap();
        let g = exact(&x, 2, 2, &mut |_, _, _| {});
        assert_eq!(g.neighbours(2), &[1, 0]);
        assert_eq!(g.distances2(2), &[4.0, 9.0]);
        assert_eq!(g.neighbours(3), &[2, 1]);
    }
}
