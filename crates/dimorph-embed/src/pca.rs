//! Principal components: the PCA initialisation of §3.4 (Kobak & Berens 2019) and the reduction to
//! `pca_dims` dimensions before approximate neighbour search.
//!
//! Up to 512 features the covariance matrix is formed (in `f64`, threaded) and decomposed exactly
//! (cyclic Jacobi up to 128 features, subspace iteration with a Rayleigh–Ritz step above); with
//! more features, randomized subspace iteration (Halko, Martinsson & Tropp 2011, [`crate::rsvd`])
//! streams over the rows in `f32` blocks with a matrix multiply, never forming the covariance, and
//! the scores are computed by the same blocked multiply.
//! Each component's sign is fixed so that its largest-magnitude loading is positive.

pub use crate::eigen::jacobi_eigen;
use crate::features::Features;
use crate::rng::Rng;
use crate::rsvd::sum_blocks;
use dimorph_core::threads::{map_blocks_mut, ranges};

/// Most features for which the covariance matrix is formed; above, randomized subspace
/// iteration on `f32` blocks ([`crate::rsvd`]).
pub const EXACT_MAX_D: usize = 512;

/// A fitted PCA: the mean and the leading components (unit vectors, by decreasing variance).
#[derive(Clone, Debug)]
pub struct Pca {
    pub mean: Vec<f64>,
    /// `components[c]` is the c-th principal axis (length d).
    pub components: Vec<Vec<f64>>,
    /// Variance along each component (divisor n − 1).
    pub variances: Vec<f64>,
}

impl Pca {
    /// The first `ncomp` (≤ d) principal components of `x`.
    pub fn fit(x: &Features, ncomp: usize, seed: u64, threads: usize) -> Pca {
        let (n, d) = (x.n, x.d);
        let ncomp = ncomp.min(d).max(1);
        let sums = sum_blocks(n, SUM_BLOCK, d, threads, |r| {
            let mut s = vec![0.0f64; d];
            for i in r {
                for (a, &v) in s.iter_mut().zip(x.row(i)) {
                    *a += v as f64;
                }
            }
            s
        });
        let mean: Vec<f64> = sums.iter().map(|v| v / n as f64).collect();
        let denom = (n.max(2) - 1) as f64;
        let (vals, vecs) = if d <= EXACT_MAX_D {
            let c = covariance(x, &mean, threads, denom);
            if d <= 128 {
                let (vals, vecs) = jacobi_eigen(&c, d);
                (vals, vecs)
            } else {
                let apply = |q: &[Vec<f64>]| q.iter().map(|v| matvec(&c, d, v)).collect::<Vec<_>>();
                subspace(d, (ncomp + 10).min(d), 30, seed, apply)
            }
        } else {
            crate::rsvd::leading(x, &mean, ncomp + crate::rsvd::OVERSAMPLE, denom, seed, threads)
        };
        let mut components: Vec<Vec<f64>> = vecs.into_iter().take(ncomp).collect();
        for c in &mut components {
            let big = c
                .iter()
                .copied()
                .fold(0.0f64, |a, v| if v.abs() > a.abs() { v } else { a });
            if big < 0.0 {
                c.iter_mut().for_each(|v| *v = -*v);
            }
        }
        Pca {
            mean,
            components,
            variances: vals.into_iter().take(ncomp).collect(),
        }
    }

    /// Scores on the first `m` components, as features (`n × m`).
    pub fn transform(&self, x: &Features, m: usize, threads: usize) -> Features {
        let m = m.min(self.components.len());
        if m == 0 {
            return Features {
                n: x.n,
                d: 0,
                x: Vec::new(),
            };
        }
        if x.d > EXACT_MAX_D {
            let x_out = crate::rsvd::scores(x, &self.mean, &self.components[..m], threads);
            return Features { n: x.n, d: m, x: x_out };
        }
        let mut out = vec![0.0f32; x.n * m];
        map_blocks_mut(&mut out, m, &ranges(x.n, threads), |span, chunk| {
            let first = span.start;
            let mut centred = vec![0.0f64; x.d];
            for (r, o) in chunk.chunks_exact_mut(m).enumerate() {
                for ((c, &v), mu) in centred.iter_mut().zip(x.row(first + r)).zip(&self.mean) {
                    *c = v as f64 - mu;
                }
                for (oc, comp) in o.iter_mut().zip(&self.components) {
                    *oc = dot(&centred, comp) as f32;
                }
            }
        });
        Features { n: x.n, d: m, x: out }
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn matvec(c: &[f64], d: usize, v: &[f64]) -> Vec<f64> {
    (0..d).map(|i| dot(&c[i * d..(i + 1) * d], v)).collect()
}

/// Rows per block of the PCA's sums ([`crate::rsvd::sum_blocks`]: fixed blocks added in order, so
/// that the mean and covariance do not depend on the thread count).
const SUM_BLOCK: usize = 4096;

/// Sample covariance (full symmetric `d × d`, row-major).
fn covariance(x: &Features, mean: &[f64], threads: usize, denom: f64) -> Vec<f64> {
    let d = x.d;
    let mut c = sum_blocks(x.n, SUM_BLOCK, d * d, threads, |r| {
        let mut c = vec![0.0f64; d * d];
        let mut z = vec![0.0f64; d];
        for i in r {
            for ((zj, &v), mu) in z.iter_mut().zip(x.row(i)).zip(mean) {
                *zj = v as f64 - mu;
            }
            for a in 0..d {
                let za = z[a];
                let row = &mut c[a * d + a..(a + 1) * d];
                for (cv, zb) in row.iter_mut().zip(&z[a..]) {
                    *cv += za * zb;
                }
            }
        }
        c
    });
    for a in 0..d {
        for b in a..d {
            let v = c[a * d + b] / denom;
            c[a * d + b] = v;
            c[b * d + a] = v;
        }
    }
    c
}

/// Modified Gram–Schmidt; a column that vanishes is replaced by a unit vector.
fn orthonormalize(q: &mut [Vec<f64>]) {
    for i in 0..q.len() {
        for j in 0..i {
            let (done, rest) = q.split_at_mut(i);
            let s = dot(&rest[0], &done[j]);
            for (a, b) in rest[0].iter_mut().zip(&done[j]) {
                *a -= s * b;
            }
        }
        let nrm = dot(&q[i], &q[i]).sqrt();
        if nrm > 1e-300 {
            q[i].iter_mut().for_each(|v| *v /= nrm);
        } else {
            let d = q[i].len();
            q[i] = (0..d).map(|k| if k == i % d { 1.0 } else { 0.0 }).collect();
        }
    }
}

/// Leading eigenpairs of a symmetric operator by subspace iteration and a Rayleigh–Ritz step.
fn subspace(
    d: usize,
    l: usize,
    iters: usize,
    seed: u64,
    apply: impl Fn(&[Vec<f64>]) -> Vec<Vec<f64>>,
) -> (Vec<f64>, Vec<Vec<f64>>) {
    let mut rng = Rng::new(seed ^ 0x5CA);
    let mut q: Vec<Vec<f64>> = (0..l).map(|_| (0..d).map(|_| rng.normal()).collect()).collect();
    orthonormalize(&mut q);
    for _ in 0..iters {
        q = apply(&q);
        orthonormalize(&mut q);
    }
    let aq = apply(&q);
    let mut b = vec![0.0; l * l];
    for i in 0..l {
        for j in 0..l {
            b[i * l + j] = 0.5 * (dot(&q[i], &aq[j]) + dot(&q[j], &aq[i]));
        }
    }
    let (vals, vecs) = jacobi_eigen(&b, l);
    let comps = vecs
        .iter()
        .map(|v| {
            let mut c = vec![0.0; d];
            for (coef, qi) in v.iter().zip(&q) {
                for (a, b) in c.iter_mut().zip(qi) {
                    *a += coef * b;
                }
            }
            c
        })
        .collect();
    (vals, comps)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sums whose value depends on the order of addition (1e17 + 1 − 1e17 + 1 is 1 in order and
    /// 0 when the halves are summed apart): the mean and the components are the same bit for bit
    /// for 1, 2 and 3 threads, over several blocks of rows.
    #[test]
    fn pca_does_not_depend_on_the_thread_count() {
        let n = 3 * SUM_BLOCK + 6;
        let rows: Vec<Vec<f64>> = (0..n)
            .map(|i| vec![[1e17, 1.0, -1e17, 1.0][i % 4], (i % 7) as f64, ((i * i) % 11) as f64])
            .collect();
        let x = Features::from_rows(&rows).unwrap();
        let one = Pca::fit(&x, 2, 1, 1);
        for threads in [2, 3] {
            let other = Pca::fit(&x, 2, 1, threads);
            let bits = |v: &[f64]| v.iter().map(|a| a.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&one.mean), bits(&other.mean), "{threads} threads");
            for (a, b) in one.components.iter().zip(&other.components) {
                assert_eq!(bits(a), bits(b), "{threads} threads");
            }
        }
    }

    #[test]
    fn jacobi_diagonalises_a_known_matrix() {
        // eigenvalues of [[2,1],[1,2]] are 3 and 1
        let (vals, vecs) = jacobi_eigen(&[2.0, 1.0, 1.0, 2.0], 2);
        assert!((vals[0] - 3.0).abs() < 1e-12 && (vals[1] - 1.0).abs() < 1e-12);
        assert!((vecs[0][0].abs() - 0.5f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn pca_finds_the_long_axis_and_implicit_path_agrees() {
        let mut rng = Rng::new(3);
        let d = 600;
        let n = 400;
        let mut rows = Vec::new();
        for _ in 0..n {
            let t = rng.normal() * 5.0;
            let s = rng.normal() * 2.0;
            rows.push(
                (0..d)
                    .map(|j| {
                        if j == 7 {
                            t
                        } else if j == 3 {
                            s
                        } else {
                            0.1 * rng.normal()
                        }
                    })
                    .collect::<Vec<_>>(),
            );
        }
        let x = Features::from_rows(&rows).unwrap();
        let p = Pca::fit(&x, 2, 1, 2);
        assert!(p.components[0][7].abs() > 0.999, "{}", p.components[0][7]);
        assert!(p.components[1][3].abs() > 0.99, "{}", p.components[1][3]);
        // the explicit covariance path on the first 100 columns gives the same axis
        let rows100: Vec<Vec<f64>> = rows.iter().map(|r| r[..100].to_vec()).collect();
        let p2 = Pca::fit(&Features::from_rows(&rows100).unwrap(), 2, 1, 2);
        assert!(p2.components[0][7] > 0.999);
        // same leading variance up to the noise columns the 600-column data add (~0.01 each)
        assert!((p2.variances[0] - p.variances[0]).abs() / p.variances[0] < 1e-2);
    }
}
