//! New points placed into a fixed embedding, as openTSNE's `TSNEEmbedding.transform` (Poličar,
//! Stražar & Zupan 2019, "Embedding to reference t-SNE space addresses batch effects in
//! single-cell classification", §2): each new point is placed with respect to the reference
//! points only, never the other new points.
//!
//! 1. Affinities: the k nearest reference points of each new point in the saved search space
//!    (exact search), with the embedding's own kind — uniform p_{j|i} = 1/k, or Gaussian
//!    calibrated to its perplexity — normalised per point (Σ_j p_{j|i} = 1, not symmetrised;
//!    openTSNE's `to_new`, "point-wise" normalisation).
//! 2. Start: the affinity-weighted mean of the neighbours' positions (openTSNE's "weighted"
//!    initialisation).
//! 3. Optimisation of the new points alone against the fixed reference map: gradient
//!    e·Σ_j p_{j|i} (1 + d_ij²/α)^(−1)(y_i − y_j) − Σ_j w_ij^{1+1/α}(y_i − y_j) / Σ_j w_ij, the
//!    repulsion normalised per new point over the reference points (openTSNE's
//!    `estimate_negative_gradient_*_with_grid`, `sum_Qi`), computed exactly; each point's gradient
//!    clipped to norm 0.25 (`max_grad_norm`); gains and momentum 0.8 as in training; openTSNE's
//!    transform defaults: no early exaggeration, exaggeration 1.5, learning rate 0.1, 250
//!    iterations.
//!
//! Each new point is optimised on its own, so the result does not depend on the number of
//! threads. The cost is O(new × reference) per iteration (the reference repulsion is summed
//! exactly rather than interpolated on a grid).

use crate::affinity::calibrate;
use crate::features::Features;
use crate::gradient::kernel;
use crate::knn::{dist2, TopK};
use crate::params::AffinityKind;
use crate::progress::Progress;
use dimorph_core::threads::{map_ranges, ranges};
use serde::Serialize;

/// The optimisation of the placement (openTSNE's `transform` defaults).
#[derive(Clone, Debug, Serialize)]
pub struct Placement {
    pub n_iter: usize,
    pub exaggeration: f64,
    pub learning_rate: f64,
    pub momentum: f64,
    /// Largest norm of one point's gradient (larger ones are scaled down).
    pub max_grad_norm: f64,
}

impl Default for Placement {
    fn default() -> Self {
        Placement {
            n_iter: 250,
            exaggeration: 1.5,
            learning_rate: 0.1,
            momentum: 0.8,
            max_grad_norm: 0.25,
        }
    }
}

/// The placed points.
#[derive(Clone, Debug, Serialize)]
pub struct Placed {
    /// Coordinates of the new points, in input order.
    pub y: Vec<[f64; 2]>,
    /// Coordinates before the optimisation (the weighted means of the neighbours).
    #[serde(skip)]
    pub start: Vec<[f64; 2]>,
    /// Neighbours per new point.
    pub k: usize,
    /// Squared distance in the search space from each new point to its nearest reference point.
    #[serde(skip)]
    pub nearest_dist2: Vec<f32>,
}

/// One new point's neighbours and conditional affinities.
fn affinities(space: &Features, q: &[f32], kind: AffinityKind, k: usize) -> (Vec<u32>, Vec<f32>, Vec<f64>) {
    let mut t = TopK::new(k);
    for j in 0..space.n {
        t.push(j as u32, dist2(q, space.row(j)));
    }
    let p = match kind {
        AffinityKind::Uniform { .. } => vec![1.0 / t.idx.len().max(1) as f64; t.idx.len()],
        AffinityKind::Gaussian { perplexity } => calibrate(&t.d, perplexity.ln()),
    };
    (t.idx, t.d, p)
}

/// The fixed map new points are placed into: the reference points in the search space, their
/// coordinates, and the embedding's affinity kind and kernel tail α.
#[derive(Clone, Copy, Debug)]
pub struct Map<'a> {
    pub space: &'a Features,
    pub coords: &'a [[f64; 2]],
    pub kind: AffinityKind,
    pub alpha: f64,
}

/// Places the rows of `new` (in the search space of `map.space`) into the map.
pub fn place(map: Map, new: &Features, s: &Placement, threads: usize, progress: Progress) -> Placed {
    let Map {
        space,
        coords,
        kind,
        alpha,
    } = map;
    let k = kind.neighbours(space.n + 1).min(space.n).max(1);
    let ref_y: Vec<f64> = coords.iter().flatten().copied().collect();
    let total = new.n;
    progress("place new points", 0, total);
    let mut out = Placed {
        y: Vec::with_capacity(new.n),
        start: Vec::with_capacity(new.n),
        k,
        nearest_dist2: Vec::with_capacity(new.n),
    };
    // blocks of rows, so that progress is reported between them
    let block = (threads.max(1) * 64).max(1);
    let mut start = 0;
    while start < new.n {
        let end = (start + block).min(new.n);
        let parts = map_ranges(&ranges(end - start, threads), |r| {
            r.map(|i| {
                let (idx, d, p) = affinities(space, new.row(start + i), kind, k);
                let y0 = weighted_mean(&idx, &p, coords);
                let y = optimise(y0, &idx, &p, &ref_y, alpha, s);
                (y0, y, d.first().copied().unwrap_or(f32::INFINITY))
            })
            .collect::<Vec<_>>()
        });
        for (y0, y, d) in parts.into_iter().flatten() {
            out.start.push(y0);
            out.y.push(y);
            out.nearest_dist2.push(d);
        }
        start = end;
        progress("place new points", start, total);
    }
    out
}

fn weighted_mean(idx: &[u32], p: &[f64], coords: &[[f64; 2]]) -> [f64; 2] {
    let w: f64 = p.iter().sum();
    let (mut a, mut b) = (0.0, 0.0);
    for (&j, &pj) in idx.iter().zip(p) {
        a += pj * coords[j as usize][0];
        b += pj * coords[j as usize][1];
    }
    [a / w, b / w]
}

/// Gradient descent of one new point against the fixed reference layout `ref_y` (2n values).
fn optimise(y0: [f64; 2], idx: &[u32], p: &[f64], ref_y: &[f64], alpha: f64, s: &Placement) -> [f64; 2] {
    let inv_a = 1.0 / alpha;
    let mut y = y0;
    let (mut update, mut gains) = ([0.0f64; 2], [1.0f64; 2]);
    for _ in 0..s.n_iter {
        // attraction to the neighbours
        let mut g = [0.0f64; 2];
        for (&j, &pj) in idx.iter().zip(p) {
            let j = j as usize;
            let (dx, dy) = (y[0] - ref_y[2 * j], y[1] - ref_y[2 * j + 1]);
            let c = pj / (1.0 + (dx * dx + dy * dy) * inv_a);
            g[0] += c * dx;
            g[1] += c * dy;
        }
        g[0] *= s.exaggeration;
        g[1] *= s.exaggeration;
        // repulsion from every reference point, normalised over them
        let (mut z, mut r0, mut r1) = (0.0, 0.0, 0.0);
        for c in ref_y.chunks_exact(2) {
            let (dx, dy) = (y[0] - c[0], y[1] - c[1]);
            let d2 = dx * dx + dy * dy;
            let w = kernel(d2, alpha);
            let w2 = w / (1.0 + d2 * inv_a);
            z += w;
            r0 += w2 * dx;
            r1 += w2 * dy;
        }
        if z > 0.0 {
            g[0] -= r0 / z;
            g[1] -= r1 / z;
        }
        // openTSNE: gradient × max_grad_norm / (‖g‖ + 1e-6) when that factor is below 1
        let f = s.max_grad_norm / ((g[0] * g[0] + g[1] * g[1]).sqrt() + 1e-6);
        if f < 1.0 {
            g[0] *= f;
            g[1] *= f;
        }
        for c in 0..2 {
            gains[c] = if sign(update[c]) != sign(g[c]) {
                gains[c] + 0.2
            } else {
                gains[c] * 0.8 + 0.01
            };
            update[c] = s.momentum * update[c] - s.learning_rate * gains[c] * g[c];
            y[c] += update[c];
        }
    }
    y
}

fn sign(v: f64) -> i8 {
    if v > 0.0 {
        1
    } else if v < 0.0 {
        -1
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A point placed into a map of two far-apart groups joins the group of its neighbours, and a
    /// lone point pulled by one reference point settles near it (attraction against repulsion).
    #[test]
    fn placed_point_joins_its_neighbours() {
        // reference: 10 points near (0,0) in both spaces, 10 near (50,0)
        let mut x = Vec::new();
        let mut coords = Vec::new();
        for i in 0..20 {
            let g = if i < 10 { 0.0 } else { 10.0 };
            let t = (i % 10) as f32 * 0.1;
            x.extend([g + t, t]);
            coords.push([g as f64 * 5.0 + t as f64, t as f64]);
        }
        let space = Features::new(20, 2, x).unwrap();
        let new = Features::new(1, 2, vec![10.35, 0.3]).unwrap();
        let map = Map {
            space: &space,
            coords: &coords,
            kind: AffinityKind::Uniform { k: 5 },
            alpha: 1.0,
        };
        let placed = place(
            map,
            &new,
            &Placement::default(),
            1,
            &mut |_: &str, _: usize, _: usize| {},
        );
        let [a, b] = placed.y[0];
        assert!((a - 50.0).abs() < 3.0 && b.abs() < 3.0, "{a} {b}");
        // its start is the mean of its 5 nearest (t = 0.1..0.5 in group 2)
        assert!((placed.start[0][0] - 50.3).abs() < 1e-6, "{:?}", placed.start[0]);
    }
}
