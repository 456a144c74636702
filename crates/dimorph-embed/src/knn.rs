//! Nearest neighbours in feature space: exact brute force for small inputs, and for large ones an
//! approximate search written here — a forest of random-projection trees (each node split by the
//! hyperplane halfway between two random points of the node) whose leaves give first candidates,
//! refined by neighbour-of-neighbour rounds (NN-descent: a neighbour of a neighbour is likely a
//! neighbour). [`crate::knn_recall`] measures the approximate graph against exact search on a
//! random sample.

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

/// Squared Euclidean distance, written for auto-vectorisation (8 lanes). Where the processor has
/// AVX2 the 8 lanes are one register instead of two SSE registers: the same operations in the
/// same order (no fused multiply-add), so the same value, bit for bit, on every x86-64 machine.
#[inline]
pub fn dist2(a: &[f32], b: &[f32]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    {
        if a.len() >= 16 && std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor supports AVX2, checked just above.
            return unsafe { dist2_avx2(a, b) };
        }
    }
    dist2_body(a, b)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn dist2_avx2(a: &[f32], b: &[f32]) -> f32 {
    dist2_body(a, b)
}

#[inline(always)]
fn dist2_body(a: &[f32], b: &[f32]) -> f32 {
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

/// Dot product, written for auto-vectorisation (8 lanes).
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    let mut s: f32 = acc.iter().sum();
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
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
        dimorph_core::interrupt::poll();
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
    let seeds: Vec<Rng> = (0..s.trees.max(1)).map(|t| rng.fork(100 + t as u64)).collect();
    // the first tree's leaf order renumbers the points, so that points near in space are near in
    // memory: every later step reads the rows of a few nearby regions at a time ([`Local`])
    let first = build_tree(x, s.leaf_size, &mut seeds[0].clone());
    let local = Local::new(x, &first);
    let xl = &local.x;
    let mut forest = vec![local.tree(&first)];
    drop(first);
    progress("nearest neighbours (trees)", 1, total);
    let more = map_ranges(&ranges(s.trees.saturating_sub(1), threads), |r| {
        r.map(|t| build_tree(xl, s.leaf_size, &mut seeds[t + 1].clone()))
            .collect::<Vec<_>>()
    });
    forest.extend(more.into_iter().flatten());
    progress("nearest neighbours (trees)", s.trees, total);
    let lists = leaf_candidates(xl, k, &forest, threads);
    drop(forest);
    let mut g = to_graph(n, k, &lists, xl);
    drop(lists);
    let mut is_new = vec![true; n * k];
    for round in 0..s.max_rounds {
        let (g2, new2, changed) = refine(xl, &g, &is_new, threads);
        g = g2;
        is_new = new2;
        progress("nearest neighbours (refine)", s.trees + round + 1, total);
        if (changed as f64) < s.tol * (n * k) as f64 {
            break;
        }
    }
    progress("nearest neighbours (refine)", total, total);
    local.restore(&g)
}

/// One tree: (permutation of points, leaf of each point, leaf start offsets).
type Tree = (Vec<u32>, Vec<u32>, Vec<u32>);

/// The points renumbered in a tree's leaf order (`order[r]` is the point at rank r), and their
/// rows in that order. Exact: distances are those of the original rows.
struct Local {
    order: Vec<u32>,
    x: Features,
}

impl Local {
    fn new(x: &Features, tree: &Tree) -> Self {
        let order = tree.0.clone();
        let mut xl = Vec::with_capacity(x.x.len());
        for &p in &order {
            xl.extend_from_slice(x.row(p as usize));
        }
        Local {
            order,
            x: Features { n: x.n, d: x.d, x: xl },
        }
    }

    /// The tree the order came from, in rank numbering (its permutation is the identity).
    fn tree(&self, tree: &Tree) -> Tree {
        let leaf_of = self.order.iter().map(|&p| tree.1[p as usize]).collect();
        ((0..self.x.n as u32).collect(), leaf_of, tree.2.clone())
    }

    /// A graph in rank numbering back in the original numbering.
    fn restore(&self, g: &KnnGraph) -> KnnGraph {
        let (n, k) = (g.n, g.k);
        let mut idx = vec![0u32; n * k];
        let mut dist2 = vec![0f32; n * k];
        for (r, &p) in self.order.iter().enumerate() {
            let p = p as usize;
            for (o, (&j, &d)) in idx[p * k..(p + 1) * k]
                .iter_mut()
                .zip(&mut dist2[p * k..(p + 1) * k])
                .zip(g.neighbours(r).iter().zip(g.distances2(r)))
            {
                *o.0 = self.order[j as usize];
                *o.1 = d;
            }
        }
        KnnGraph { n, k, idx, dist2 }
    }
}

/// First candidates: every point's leaf mates in every tree (each pair is evaluated from both
/// ends: no locking; a mate met in several trees is measured once).
fn leaf_candidates(x: &Features, k: usize, forest: &[Tree], threads: usize) -> Vec<TopK> {
    map_ranges(&ranges(x.n, threads), |r| {
        let mut out = Vec::with_capacity(r.len());
        let mut stamp = vec![u32::MAX; x.n];
        for i in r {
            let mut t = TopK::new(k);
            let xi = x.row(i);
            stamp[i] = i as u32;
            for (perm, leaf_of, starts) in forest {
                let l = leaf_of[i] as usize;
                for &j in &perm[starts[l] as usize..starts[l + 1] as usize] {
                    if stamp[j as usize] != i as u32 {
                        stamp[j as usize] = i as u32;
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
    .collect()
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
fn build_tree(x: &Features, leaf_size: usize, rng: &mut Rng) -> Tree {
    let n = x.n;
    let mut perm: Vec<u32> = (0..n as u32).collect();
    let mut leaves: Vec<(usize, usize)> = Vec::new();
    let mut stack = vec![(0usize, n)];
    let mut side = Vec::new();
    let mut normal = Vec::with_capacity(x.d);
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
        // side of the perpendicular bisector of a and b: the sign of |p-b|² - |p-a|², which is
        // 2·(p·(a-b) - (|a|² - |b|²)/2): one dot product per point
        normal.clear();
        normal.extend(xa.iter().zip(xb).map(|(u, v)| u - v));
        let offset = 0.5 * (dot(xa, xa) - dot(xb, xb));
        side.clear();
        side.extend(seg.iter().map(|&p| dot(x.row(p as usize), &normal) - offset));
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

/// Reverse neighbours (at most k per point, in point order) with the new flag of their edge.
struct Reverse {
    cnt: Vec<u32>,
    idx: Vec<u32>,
    new: Vec<bool>,
    k: usize,
}

impl Reverse {
    fn of(g: &KnnGraph, is_new: &[bool]) -> Self {
        let (n, k) = (g.n, g.k);
        let mut r = Reverse {
            cnt: vec![0u32; n],
            idx: vec![u32::MAX; n * k],
            new: vec![false; n * k],
            k,
        };
        for i in 0..n {
            for (a, &j) in g.neighbours(i).iter().enumerate() {
                let j = j as usize;
                let c = r.cnt[j] as usize;
                if c < k {
                    r.idx[j * k + c] = i as u32;
                    r.new[j * k + c] = is_new[i * k + a];
                    r.cnt[j] += 1;
                }
            }
        }
        r
    }

    fn of_point(&self, j: usize) -> impl Iterator<Item = (u32, bool)> + '_ {
        let s = j * self.k..j * self.k + self.cnt[j] as usize;
        self.idx[s.clone()].iter().copied().zip(self.new[s].iter().copied())
    }
}

/// The neighbourhood of `u` (its neighbours and reverse neighbours) with each edge's new flag.
fn around<'a>(
    g: &'a KnnGraph,
    is_new: &'a [bool],
    rev: &'a Reverse,
    u: usize,
) -> impl Iterator<Item = (u32, bool)> + 'a {
    let k = g.k;
    g.neighbours(u)
        .iter()
        .copied()
        .zip(is_new[u * k..(u + 1) * k].iter().copied())
        .chain(rev.of_point(u))
}

/// One neighbour-of-neighbour round (NN-descent's local join, Dong, Moses & Li 2011, pulled by
/// each point): the candidates of i are the members l of the neighbourhoods (neighbours and
/// reverse neighbours) of the members u of its own neighbourhood, compared only when the edge
/// i–u or u–l is new since the last round (pairs of two old edges were compared then), so a
/// round costs less as the graph settles.
fn refine(x: &Features, g: &KnnGraph, is_new: &[bool], threads: usize) -> (KnnGraph, Vec<bool>, usize) {
    let (n, k) = (g.n, g.k);
    let rev = Reverse::of(g, is_new);
    // each point's new members (neighbours and reverse neighbours), in `around`'s order
    let mut fresh = (Vec::with_capacity(n + 1), Vec::new());
    fresh.0.push(0usize);
    for u in 0..n {
        fresh.1.extend(around(g, is_new, &rev, u).filter(|m| m.1).map(|m| m.0));
        fresh.0.push(fresh.1.len());
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
            for (u, f_iu) in around(g, is_new, &rev, i) {
                let u = u as usize;
                if !f_iu {
                    // an old edge: only u's new members (the list of them, not a scan of all)
                    for &l in &fresh.1[fresh.0[u]..fresh.0[u + 1]] {
                        if stamp[l as usize] != tag {
                            stamp[l as usize] = tag;
                            t.push(l, dist2(xi, x.row(l as usize)));
                        }
                    }
                    continue;
                }
                if stamp[u] != tag {
                    // a new reverse neighbour is itself a candidate
                    stamp[u] = tag;
                    t.push(u as u32, dist2(xi, x.row(u)));
                }
                for (l, _) in around(g, is_new, &rev, u) {
                    if stamp[l as usize] != tag {
                        stamp[l as usize] = tag;
                        t.push(l, dist2(xi, x.row(l as usize)));
                    }
                }
            }
            let old = g.neighbours(i);
            for &j in &t.idx {
                let entered = !old.contains(&j);
                changed += entered as usize;
                newf.push(entered);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Patch-like data: clusters, a low-rank variation and 10% exact copies of one row.
    fn patches(n: usize, d: usize, seed: u64) -> Features {
        let mut rng = Rng::new(seed);
        let centres: Vec<Vec<f64>> = (0..12).map(|_| (0..d).map(|_| rng.normal() * 3.0).collect()).collect();
        let basis: Vec<Vec<f64>> = (0..4).map(|_| (0..d).map(|_| rng.normal() * 0.5).collect()).collect();
        let rows: Vec<Vec<f64>> = (0..n)
            .map(|i| {
                if i % 10 == 3 {
                    return vec![0.05; d];
                }
                let z: Vec<f64> = (0..4).map(|_| rng.normal()).collect();
                (0..d)
                    .map(|j| centres[i % 12][j] + (0..4).map(|r| z[r] * basis[r][j]).sum::<f64>() + rng.normal() * 0.3)
                    .collect()
            })
            .collect();
        Features::from_rows(&rows).unwrap()
    }

    #[test]
    fn approximate_search_finds_the_exact_neighbours_of_patch_like_data_deterministically() {
        let x = patches(8000, 24, 5);
        let k = 15;
        let exact = exact(&x, k, 2, &mut |_, _, _| {});
        let a = approximate(&x, k, &mut Rng::new(7), 2, &mut |_, _, _| {});
        // every point: the share of its exact k it found (ties at the k-th distance count)
        let found: usize = (0..x.n)
            .map(|i| {
                let worst = exact.distances2(i)[k - 1];
                a.distances2(i).iter().filter(|&&d| d <= worst).count()
            })
            .sum();
        let recall = found as f64 / (x.n * k) as f64;
        assert!(recall > 0.97, "recall {recall} against brute force");
        for i in 0..x.n {
            let nb = a.neighbours(i);
            assert!(!nb.contains(&(i as u32)));
            assert!(a.distances2(i).windows(2).all(|w| w[0] <= w[1]));
            for (&j, &d) in nb.iter().zip(a.distances2(i)) {
                assert_eq!(dist2(x.row(i), x.row(j as usize)), d);
            }
            let mut s = nb.to_vec();
            s.sort();
            s.dedup();
            assert_eq!(s.len(), k);
        }
        // the copies find each other at distance zero
        assert!((0..x.n).filter(|i| i % 10 == 3).all(|i| a.distances2(i)[k - 1] == 0.0));
        // the same seed and threads give the same graph
        let b = approximate(&x, k, &mut Rng::new(7), 2, &mut |_, _, _| {});
        assert_eq!((&a.idx, &a.dist2), (&b.idx, &b.dist2));
    }

    #[test]
    fn the_vector_distance_equals_the_plain_one_bit_for_bit() {
        let mut rng = Rng::new(11);
        for d in [1, 7, 8, 15, 16, 17, 50, 64, 333, 2048] {
            let a: Vec<f32> = (0..d).map(|_| (rng.normal() * 1e3) as f32).collect();
            let b: Vec<f32> = (0..d).map(|_| rng.normal() as f32).collect();
            assert_eq!(dist2(&a, &b).to_bits(), dist2_body(&a, &b).to_bits(), "d = {d}");
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
