//! The t-SNE gradient with the heavy-tailed kernel of Kobak et al. (2019):
//! w_ij = k(d_ij) = (1 + d_ij²/α)^(−α), q_ij = w_ij / Z with Z = Σ_{k≠l} w_kl, and
//!
//! ∂KL/∂y_i = 4 Σ_j (p_ij − q_ij) w_ij^{1/α} (y_i − y_j),   with w_ij^{1/α} = (1 + d_ij²/α)^(−1).
//!
//! Like FIt-SNE and openTSNE we drop the constant 4 (so the learning rate n/12 of Belkina et al.
//! 2019 applies unchanged): the gradient is split into the attractive sum over the sparse P,
//! Σ_j p_ij (1 + d²/α)^(−1) (y_i − y_j), and the repulsive sum Σ_j w_ij^{1+1/α} (y_i − y_j) / Z,
//! computed here exactly (O(n²), for small n) or by FFT interpolation (the `fft` module).

use crate::affinity::Csr;
use dimorph_core::threads::{map_blocks_mut, map_ranges, ranges};

/// k(d) = (1 + d²/α)^(−α), with the α = 1 case (Cauchy) computed without `powf`.
#[inline]
pub fn kernel(d2: f64, alpha: f64) -> f64 {
    if alpha == 1.0 {
        1.0 / (1.0 + d2)
    } else if alpha == 0.5 {
        1.0 / (1.0 + 2.0 * d2).sqrt()
    } else {
        (1.0 + d2 / alpha).powf(-alpha)
    }
}

/// Writes exag · Σ_j p_ij (1 + d_ij²/α)^(−1) (y_i − y_j) into `out` (length 2n).
pub fn attractive(p: &Csr, y: &[f64], alpha: f64, exag: f64, out: &mut [f64], threads: usize) {
    let inv_a = 1.0 / alpha;
    map_blocks_mut(out, 2, &ranges(out.len() / 2, threads), |span, chunk| {
        let first = span.start;
        for (r, o) in chunk.chunks_exact_mut(2).enumerate() {
            let i = first + r;
            let (yi0, yi1) = (y[2 * i], y[2 * i + 1]);
            let (mut f0, mut f1) = (0.0, 0.0);
            let (idx, val) = p.row(i);
            for (&j, &pij) in idx.iter().zip(val) {
                let j = j as usize;
                let (dx, dy) = (yi0 - y[2 * j], yi1 - y[2 * j + 1]);
                let c = pij / (1.0 + (dx * dx + dy * dy) * inv_a);
                f0 += c * dx;
                f1 += c * dy;
            }
            o[0] = exag * f0;
            o[1] = exag * f1;
        }
    });
}

/// Exact repulsion: (Σ_j w_ij^{1+1/α} (y_i − y_j) for every i, Z = Σ_{i≠j} w_ij). Each pair is
/// visited once; threads take interleaved rows and keep their own force arrays.
pub fn repulsive_exact(y: &[f64], alpha: f64, threads: usize) -> (Vec<f64>, f64) {
    let n = y.len() / 2;
    let t = threads.max(1).min(n.max(1));
    let inv_a = 1.0 / alpha;
    // one range per thread (ranges(t, t) = 0..1, 1..2, …): thread `th` takes rows th,
    // 2t−1−th, 2t+th, … (balancing the triangle between threads); parts come back in thread order
    let parts: Vec<(Vec<f64>, f64)> = map_ranges(&ranges(t, t), |r| {
        let th = r.start;
        let mut f = vec![0.0f64; 2 * n];
        let mut z = 0.0;
        let mut i = th;
        let mut flip = false;
        while i < n {
            let (yi0, yi1) = (y[2 * i], y[2 * i + 1]);
            let (mut f0, mut f1) = (0.0, 0.0);
            for j in i + 1..n {
                let (dx, dy) = (yi0 - y[2 * j], yi1 - y[2 * j + 1]);
                let d2 = dx * dx + dy * dy;
                let w = kernel(d2, alpha);
                let w2 = w / (1.0 + d2 * inv_a);
                z += 2.0 * w;
                f0 += w2 * dx;
                f1 += w2 * dy;
                f[2 * j] -= w2 * dx;
                f[2 * j + 1] -= w2 * dy;
            }
            f[2 * i] += f0;
            f[2 * i + 1] += f1;
            i += if flip { 2 * th + 1 } else { 2 * (t - th) - 1 };
            flip = !flip;
        }
        (f, z)
    });
    let mut rep = vec![0.0; 2 * n];
    let mut z = 0.0;
    for (f, zt) in parts {
        for (a, b) in rep.iter_mut().zip(&f) {
            *a += b;
        }
        z += zt;
    }
    (rep, z)
}

/// KL(P ‖ Q) = Σ p_ij ln(p_ij / q_ij) with q_ij = w_ij / Z.
pub fn kl_divergence(p: &Csr, y: &[f64], alpha: f64, z: f64) -> f64 {
    let mut kl = 0.0;
    for i in 0..p.n {
        let (idx, val) = p.row(i);
        for (&j, &pij) in idx.iter().zip(val) {
            let j = j as usize;
            let (dx, dy) = (y[2 * i] - y[2 * j], y[2 * i + 1] - y[2 * j + 1]);
            let q = kernel(dx * dx + dy * dy, alpha) / z;
            if pij > 0.0 {
                kl += pij * (pij / q).ln();
            }
        }
    }
    kl
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The analytic gradient (constant 4 dropped) equals a finite difference of KL / 4.
    #[test]
    fn gradient_matches_finite_differences_for_several_alphas() {
        let y: Vec<f64> = vec![0.0, 0.0, 1.0, 0.2, -0.5, 1.1, 2.0, -1.0, 0.3, -0.7];
        let n = 5;
        // a dense symmetric P summing to 1
        let mut ind = Vec::new();
        let mut val = Vec::new();
        let mut ptr = vec![0];
        let mut total = 0.0;
        for i in 0..n {
            for j in 0..n {
                if i != j {
                    ind.push(j as u32);
                    let v = 1.0 + ((i * j) % 3) as f64 + (i + j) as f64 * 0.1;
                    val.push(v);
                    total += v;
                }
            }
            ptr.push(ind.len());
        }
        val.iter_mut().for_each(|v| *v /= total);
        let p = Csr {
            n,
            indptr: ptr,
            indices: ind,
            values: val,
        };
        for &alpha in &[0.5, 1.0, 3.0] {
            let mut attr = vec![0.0; 2 * n];
            attractive(&p, &y, alpha, 1.0, &mut attr, 2);
            let (rep, z) = repulsive_exact(&y, alpha, 2);
            for c in 0..2 * n {
                let g = attr[c] - rep[c] / z;
                let h = 1e-6;
                let mut yp = y.clone();
                yp[c] += h;
                let mut ym = y.clone();
                ym[c] -= h;
                let kp = kl_divergence(&p, &yp, alpha, repulsive_exact(&yp, alpha, 1).1);
                let km = kl_divergence(&p, &ym, alpha, repulsive_exact(&ym, alpha, 1).1);
                let fd = (kp - km) / (2.0 * h) / 4.0;
                assert!((g - fd).abs() < 1e-7, "alpha {alpha} coord {c}: {g} vs {fd}");
            }
        }
    }
}
