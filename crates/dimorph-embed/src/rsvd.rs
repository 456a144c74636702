//! Principal components of many wide rows by randomized subspace iteration (Halko, Martinsson &
//! Tropp 2011, "Finding structure with randomness", Algorithm 4.4 with the Rayleigh–Ritz step of
//! §5.3): a Gaussian test matrix Ω (d × l, l = components + 10) is multiplied by the centred
//! covariance q times, Q ← orth(X_cᵀ X_c Q), then the leading eigenpairs of the small matrix
//! (X_c Q)ᵀ(X_c Q) give the components and their variances.
//!
//! Each product streams over the rows in fixed blocks of [`BLOCK`] rows of `f32` features with the
//! `gemm` crate (the project's matrix multiply), each block centred in `f64` first; the blocks run on the threads, and their partial sums are added in block order in `f64`, so the
//! result does not depend on the number of threads. Memory beyond the features: a few d × l and
//! [`BLOCK`] × l matrices per thread.

use crate::eigen::jacobi_eigen;
use crate::features::Features;
use crate::rng::Rng;
use dimorph_core::threads::{map_ranges, ranges};

/// Rows per block of a streamed product.
pub const BLOCK: usize = 2048;
/// Columns added to the components in the test matrix (Halko et al.'s oversampling p).
pub const OVERSAMPLE: usize = 10;
/// Power iterations q (scikit-learn's `randomized_svd` uses 7 when the components are few: the
/// spectrum of patch features decays slowly).
pub const POWER_ITERATIONS: usize = 7;

/// `dst (m × n, row-major) = lhs (m × k, strides) · rhs (k × n, row-major)` in `f32`.
fn matmul(dst: &mut [f32], m: usize, n: usize, k: usize, lhs: &[f32], lhs_strides: (isize, isize), rhs: &[f32]) {
    assert!(dst.len() >= m * n && rhs.len() >= k * n);
    assert!(
        m == 0 || k == 0 || lhs.len() as isize > (m as isize - 1) * lhs_strides.0 + (k as isize - 1) * lhs_strides.1
    );
    // SAFETY: the asserts above bound every element gemm reads or writes.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            n as isize,
            false,
            lhs.as_ptr(),
            lhs_strides.1,
            lhs_strides.0,
            rhs.as_ptr(),
            1,
            n as isize,
            0.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        )
    }
}

/// One block of rows, centred in `f64` and stored as `f32` (`rows × d`): centring before the
/// product keeps the precision of features far from 0.
fn centred(x: &Features, block: std::ops::Range<usize>, mean: &[f64]) -> Vec<f32> {
    let mut c = Vec::with_capacity(block.len() * x.d);
    for i in block {
        c.extend(x.row(i).iter().zip(mean).map(|(&v, m)| (v as f64 - m) as f32));
    }
    c
}

/// `C B` for a centred block `C` (`rows × d`) and `B` (`d × l`): `rows × l`.
fn times(c: &[f32], d: usize, b: &[f32], l: usize) -> Vec<f32> {
    let rows = c.len() / d.max(1);
    let mut y = vec![0.0f32; rows * l];
    matmul(&mut y, rows, l, d, c, (d as isize, 1), b);
    y
}

/// `Σ_blocks f(block)` over fixed blocks of `block` rows, each block's partial result (`f32` or
/// `f64`) added in block order in `f64` (`threads` blocks at a time): the sums do not depend on the
/// thread count. Used here (blocks of [`BLOCK`]) and by the exact PCA's mean and covariance.
pub(crate) fn sum_blocks<T: Copy + Into<f64> + Send>(
    n: usize,
    block: usize,
    len: usize,
    threads: usize,
    f: impl Fn(std::ops::Range<usize>) -> Vec<T> + Sync,
) -> Vec<f64> {
    let blocks: Vec<std::ops::Range<usize>> = (0..n.div_ceil(block))
        .map(|b| b * block..((b + 1) * block).min(n))
        .collect();
    let mut acc = vec![0.0f64; len];
    for group in blocks.chunks(threads.max(1)) {
        let parts = map_ranges(&ranges(group.len(), threads), |r| {
            r.map(|i| f(group[i].clone())).collect::<Vec<_>>()
        });
        for p in parts.into_iter().flatten() {
            for (a, v) in acc.iter_mut().zip(&p) {
                *a += (*v).into();
            }
        }
    }
    acc
}

/// `X_cᵀ X_c B` (d × l, row-major `f64`).
fn gram_times(x: &Features, mean: &[f64], b: &[f64], l: usize, threads: usize) -> Vec<f64> {
    let d = x.d;
    let bf: Vec<f32> = b.iter().map(|&v| v as f32).collect();
    sum_blocks(x.n, BLOCK, d * l, threads, |blk| {
        let c = centred(x, blk, mean);
        let y = times(&c, d, &bf, l);
        // Cᵀ Y (d × l): the block read transposed through its strides
        let mut z = vec![0.0f32; d * l];
        matmul(&mut z, d, l, c.len() / d, &c, (1, d as isize), &y);
        z
    })
}

/// Orthonormal columns (modified Gram–Schmidt, twice) of a d × l row-major matrix; a column that
/// vanishes becomes a unit vector orthogonal to the others where possible.
fn orthonormalize(b: &mut [f64], d: usize, l: usize) {
    for _pass in 0..2 {
        for c in 0..l {
            for p in 0..c {
                let s: f64 = (0..d).map(|j| b[j * l + c] * b[j * l + p]).sum();
                (0..d).for_each(|j| b[j * l + c] -= s * b[j * l + p]);
            }
            let nrm = (0..d).map(|j| b[j * l + c].powi(2)).sum::<f64>().sqrt();
            if nrm > 1e-300 {
                (0..d).for_each(|j| b[j * l + c] /= nrm);
            } else {
                (0..d).for_each(|j| b[j * l + c] = if j == c % d { 1.0 } else { 0.0 });
            }
        }
    }
}

/// The leading `l` eigenpairs (variances with divisor `denom`, unit axes of length d) of the
/// covariance of `x` about `mean`, by decreasing variance.
pub fn leading(
    x: &Features,
    mean: &[f64],
    l: usize,
    denom: f64,
    seed: u64,
    threads: usize,
) -> (Vec<f64>, Vec<Vec<f64>>) {
    let d = x.d;
    let l = l.min(d).max(1);
    let mut rng = Rng::new(seed ^ 0x4A1C0);
    let mut q: Vec<f64> = (0..d * l).map(|_| rng.normal()).collect();
    orthonormalize(&mut q, d, l);
    for _ in 0..POWER_ITERATIONS {
        q = gram_times(x, mean, &q, l, threads);
        orthonormalize(&mut q, d, l);
    }
    // Rayleigh–Ritz: G = (X_c Q)ᵀ (X_c Q) / denom
    let qf: Vec<f32> = q.iter().map(|&v| v as f32).collect();
    let g = sum_blocks(x.n, BLOCK, l * l, threads, |blk| {
        let y = times(&centred(x, blk, mean), d, &qf, l);
        let mut g = vec![0.0f32; l * l];
        let rows = y.len() / l;
        matmul(&mut g, l, l, rows, &y, (1, l as isize), &y);
        g
    });
    let g: Vec<f64> = g.iter().map(|v| v / denom).collect();
    let (vals, vecs) = jacobi_eigen(&g, l);
    let axes = vecs
        .iter()
        .map(|v| (0..d).map(|j| (0..l).map(|c| q[j * l + c] * v[c]).sum()).collect())
        .collect();
    (vals, axes)
}

/// Scores `X_c C` (n × m, `f32`) on the axes `axes` (m of length d), by blocks.
pub fn scores(x: &Features, mean: &[f64], axes: &[Vec<f64>], threads: usize) -> Vec<f32> {
    let (d, m) = (x.d, axes.len());
    let c: Vec<f64> = (0..d).flat_map(|j| axes.iter().map(move |a| a[j])).collect();
    let cf: Vec<f32> = c.iter().map(|&v| v as f32).collect();
    let blocks: Vec<std::ops::Range<usize>> = (0..x.n.div_ceil(BLOCK))
        .map(|b| b * BLOCK..((b + 1) * BLOCK).min(x.n))
        .collect();
    let parts = map_ranges(&ranges(blocks.len(), threads), |r| {
        r.flat_map(|b| times(&centred(x, blocks[b].clone(), mean), d, &cf, m))
            .collect::<Vec<_>>()
    });
    parts.into_iter().flatten().collect()
}
