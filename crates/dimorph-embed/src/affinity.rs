//! High-dimensional affinities P as a sparse symmetric matrix (CSR).
//!
//! Conditional affinities p_{j|i} over the k nearest neighbours of i are either uniform
//! (p_{j|i} = 1/k, the paper's §3.4 choice with k = 15) or Gaussian,
//! p_{j|i} ∝ exp(−β_i ‖x_i − x_j‖²) with β_i found by bisection so that the perplexity
//! 2^{H(P_i)} equals the target (van der Maaten & Hinton 2008, eq. 1 and the perplexity
//! definition). Both are symmetrised as p_ij = (p_{j|i} + p_{i|j}) / 2n, so Σ p_ij = 1.

use crate::knn::KnnGraph;
use dimorph_core::threads::{map_ranges, ranges};

/// A sparse square matrix in compressed-row form.
#[derive(Clone, Debug)]
pub struct Csr {
    pub n: usize,
    pub indptr: Vec<usize>,
    pub indices: Vec<u32>,
    pub values: Vec<f64>,
}

impl Csr {
    pub fn row(&self, i: usize) -> (&[u32], &[f64]) {
        let r = self.indptr[i]..self.indptr[i + 1];
        (&self.indices[r.clone()], &self.values[r])
    }
    pub fn nnz(&self) -> usize {
        self.indices.len()
    }
}

/// Uniform affinities: p_{j|i} = 1/k over the k neighbours, symmetrised.
pub fn uniform(g: &KnnGraph) -> Csr {
    let cond = vec![1.0 / g.k as f64; g.n * g.k];
    symmetrize(g, &cond)
}

/// Gaussian affinities calibrated to `perplexity` (natural-log entropy target ln perplexity).
pub fn gaussian(g: &KnnGraph, perplexity: f64, threads: usize) -> Csr {
    let k = g.k;
    let target = perplexity.ln();
    let parts = map_ranges(&ranges(g.n, threads), |r| {
        let mut out = Vec::with_capacity(r.len() * k);
        for i in r {
            out.extend(calibrate(g.distances2(i), target));
        }
        out
    });
    let cond: Vec<f64> = parts.into_iter().flatten().collect();
    symmetrize(g, &cond)
}

/// Conditional probabilities of one row with entropy `target` (nats).
pub fn calibrate(d2: &[f32], target: f64) -> Vec<f64> {
    let dmin = d2.iter().copied().fold(f32::INFINITY, f32::min) as f64;
    let d: Vec<f64> = d2.iter().map(|&v| v as f64 - dmin).collect();
    let (mut lo, mut hi) = (0.0f64, f64::INFINITY);
    let mut beta = 1.0;
    let mut p = vec![0.0; d.len()];
    for _ in 0..200 {
        let mut sum = 0.0;
        let mut sdp = 0.0;
        for (pj, &dj) in p.iter_mut().zip(&d) {
            *pj = (-beta * dj).exp();
            sum += *pj;
            sdp += dj * *pj;
        }
        let h = sum.ln() + beta * sdp / sum;
        if (h - target).abs() < 1e-10 {
            break;
        }
        if h > target {
            lo = beta;
            beta = if hi.is_finite() { 0.5 * (beta + hi) } else { beta * 2.0 };
        } else {
            hi = beta;
            beta = 0.5 * (beta + lo);
        }
    }
    let s: f64 = p.iter().sum();
    p.iter_mut().for_each(|v| *v /= s);
    p
}

/// p_ij = (p_{j|i} + p_{i|j}) / 2n as CSR with sorted column indices.
fn symmetrize(g: &KnnGraph, cond: &[f64]) -> Csr {
    let (n, k) = (g.n, g.k);
    let mut deg = vec![0usize; n + 1];
    for i in 0..n {
        deg[i] += k;
        for &j in g.neighbours(i) {
            deg[j as usize] += 1;
        }
    }
    let mut ptr = vec![0usize; n + 1];
    for i in 0..n {
        ptr[i + 1] = ptr[i] + deg[i];
    }
    let mut fill = ptr.clone();
    let mut ind = vec![0u32; ptr[n]];
    let mut val = vec![0.0f64; ptr[n]];
    let scale = 1.0 / (2.0 * n as f64);
    for i in 0..n {
        for (a, &j) in g.neighbours(i).iter().enumerate() {
            let v = cond[i * k + a] * scale;
            ind[fill[i]] = j;
            val[fill[i]] = v;
            fill[i] += 1;
            let j = j as usize;
            ind[fill[j]] = i as u32;
            val[fill[j]] = v;
            fill[j] += 1;
        }
    }
    // sort each row by column and merge duplicates
    let mut indptr = Vec::with_capacity(n + 1);
    indptr.push(0);
    let mut indices = Vec::with_capacity(ptr[n]);
    let mut values = Vec::with_capacity(ptr[n]);
    let mut row: Vec<(u32, f64)> = Vec::new();
    for i in 0..n {
        row.clear();
        row.extend(
            ind[ptr[i]..ptr[i + 1]]
                .iter()
                .copied()
                .zip(val[ptr[i]..ptr[i + 1]].iter().copied()),
        );
        row.sort_unstable_by_key(|e| e.0);
        for &(j, v) in &row {
            if indices.len() > indptr[i] && *indices.last().unwrap_or(&u32::MAX) == j {
                *values.last_mut().expect("non-empty row") += v;
            } else {
                indices.push(j);
                values.push(v);
            }
        }
        indptr.push(indices.len());
    }
    Csr {
        n,
        indptr,
        indices,
        values,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph() -> KnnGraph {
        // 3 points, k = 1: 0→1, 1→0, 2→1
        KnnGraph {
            n: 3,
            k: 1,
            idx: vec![1, 0, 1],
            dist2: vec![1.0, 1.0, 4.0],
        }
    }

    #[test]
    fn uniform_symmetrised_by_hand() {
        let p = uniform(&graph());
        // p01 = (1 + 1)/6, p12 = (0 + 1)/6
        assert_eq!(p.row(0), (&[1u32][..], &[2.0 / 6.0][..]));
        assert_eq!(p.row(1).0, &[0, 2]);
        assert!((p.row(1).1[1] - 1.0 / 6.0).abs() < 1e-15);
        let total: f64 = p.values.iter().sum();
        assert!((total - 1.0).abs() < 1e-12);
    }

    #[test]
    fn gaussian_rows_reach_the_target_perplexity() {
        let d2: Vec<f32> = (0..90).map(|j| (j as f32 * 0.37).powi(2) + 2.0).collect();
        let p = calibrate(&d2, 30f64.ln());
        let h: f64 = -p.iter().filter(|&&v| v > 0.0).map(|v| v * v.ln()).sum::<f64>();
        assert!((h.exp() - 30.0).abs() < 1e-6, "perplexity {}", h.exp());
    }
}
