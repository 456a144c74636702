//! The cross-product kernel of an IRLS pass with AVX-512: adds a block of rows to the upper
//! triangle of XᵀWX (a rank-m update U ᵀU with U = √W X, the SYRK of BLAS) and to XᵀWz.
//!
//! Tiles are 8 rows of XᵀWX × up to 24 columns (three 8-wide registers) on or right of the
//! diagonal block, so a row of the block costs 8 broadcasts, up to 3 loads and up to 24 fused
//! multiply-adds; for p = 21 that is 48 eight-wide multiply-adds per row, against 96 four-wide
//! ones for the 4 × 8 tiles of the AVX2 kernel in `irls.rs`. Every entry of XᵀWX is still its
//! own running sum, fused multiply-added over the block's rows in order from zero and then added
//! to the total: the result is bit-for-bit the AVX2 kernel's.

/// Rows of a tile (one broadcast each) and the width of one register.
const TJ: usize = 8;
const LANES: usize = 8;

/// Adds the block `xs` (m rows of p) with √W `sw` and W z `wz` to the upper triangle of `a`
/// (p × p, row-major) and to `b`; `u` is scratch. Returns false (touching nothing) when the
/// processor lacks AVX-512F, for the caller to use its own kernel.
#[cfg(test)]
pub(crate) fn accumulate(
    a: &mut [f64],
    b: &mut [f64],
    p: usize,
    xs: &[f64],
    sw: &[f64],
    wz: &[f64],
    u: &mut Vec<f64>,
) -> bool {
    accumulate_ahead(a, b, p, (xs, sw, wz), u, &[])
}

/// [`accumulate`], asking the processor meanwhile for the memory of `ahead` (the next block
/// of X), one 64-byte line per row of U a tile goes over: the requests are spread over the
/// arithmetic, so that reading X from memory overlaps with it instead of stalling the pass
/// before it. Prefetching changes no result.
pub(crate) fn accumulate_ahead(
    a: &mut [f64],
    b: &mut [f64],
    p: usize,
    (xs, sw, wz): (&[f64], &[f64], &[f64]),
    u: &mut Vec<f64>,
    ahead: &[f64],
) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") && std::arch::is_x86_feature_detected!("fma") {
            // SAFETY: the processor supports AVX-512F and FMA, checked just above.
            unsafe { accumulate_avx512(a, b, p, xs, sw, wz, u, ahead) };
            return true;
        }
    }
    let _ = (a, b, p, xs, sw, wz, u, ahead);
    false
}

/// Writes U = √W X of the block row by row, padded with zeros to a multiple of 8 columns, and
/// adds Σ_r (W z)_r x_r to b (fused, in row order); returns the padded width.
#[inline(always)]
fn fill_block(b: &mut [f64], p: usize, xs: &[f64], sw: &[f64], wz: &[f64], u: &mut Vec<f64>) -> usize {
    let pp = p.div_ceil(LANES) * LANES;
    u.clear();
    u.resize(sw.len() * pp, 0.0);
    for (r, row) in xs.chunks_exact(p).enumerate() {
        let (s, w) = (sw[r], wz[r]);
        let ur = &mut u[r * pp..r * pp + p];
        for ((uj, &x), bj) in ur.iter_mut().zip(row).zip(b.iter_mut()) {
            *uj = s * x;
            *bj = w.mul_add(x, *bj);
        }
    }
    pp
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
#[allow(clippy::too_many_arguments)]
fn accumulate_avx512(
    a: &mut [f64],
    b: &mut [f64],
    p: usize,
    xs: &[f64],
    sw: &[f64],
    wz: &[f64],
    u: &mut Vec<f64>,
    ahead: &[f64],
) {
    let pp = fill_block(b, p, xs, sw, wz, u);
    let rows = u.len() / pp.max(1);
    let mut line = 0; // the next line of `ahead` to ask for
    for jb in (0..p).step_by(TJ) {
        let mut kb = jb;
        while kb < pp {
            let left = (pp - kb) / LANES;
            let lines = (line * LANES..ahead.len()).step_by(LANES).take(rows);
            // SAFETY (all three): kb + width × 8 <= pp and jb + 8 <= pp (see `tile`).
            match left {
                1 => unsafe { tile::<1>(a, p, pp, u, jb, kb, ahead, lines) },
                2 => unsafe { tile::<2>(a, p, pp, u, jb, kb, ahead, lines) },
                _ => unsafe { tile::<3>(a, p, pp, u, jb, kb, ahead, lines) },
            }
            line += rows;
            kb += LANES * left.min(3);
        }
    }
}

/// One tile: rows jb..jb+8 of XᵀWX × columns kb..kb+8·W, summed over the rows of U.
///
/// # Safety
/// AVX-512F and FMA available; `jb` and `kb` multiples of 8 with `jb + 8 <= pp` and
/// `kb + 8·W <= pp`, `u.len()` a multiple of `pp`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
#[allow(clippy::too_many_arguments)]
unsafe fn tile<const W: usize>(
    a: &mut [f64],
    p: usize,
    pp: usize,
    u: &[f64],
    jb: usize,
    kb: usize,
    ahead: &[f64],
    mut lines: impl Iterator<Item = usize>,
) {
    use std::arch::x86_64::{
        __m512d, _mm512_fmadd_pd, _mm512_loadu_pd, _mm512_set1_pd, _mm512_setzero_pd, _mm512_storeu_pd, _mm_prefetch,
        _MM_HINT_T0,
    };
    let mut c: [[__m512d; W]; TJ] = [[_mm512_setzero_pd(); W]; TJ];
    for row in u.chunks_exact(pp) {
        if let Some(k) = lines.next() {
            // SAFETY: k < ahead.len(); a prefetch never faults.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(ahead.as_ptr().add(k).cast::<i8>()) };
        }
        let ptr = row.as_ptr();
        let mut x = [_mm512_setzero_pd(); W];
        for (w, xw) in x.iter_mut().enumerate() {
            // SAFETY: kb + 8·W <= pp = row.len().
            *xw = unsafe { _mm512_loadu_pd(ptr.add(kb + w * LANES)) };
        }
        for (jj, cj) in c.iter_mut().enumerate() {
            // SAFETY: jb + 8 <= pp = row.len().
            let s = _mm512_set1_pd(unsafe { *ptr.add(jb + jj) });
            for (cw, &xw) in cj.iter_mut().zip(&x) {
                *cw = _mm512_fmadd_pd(s, xw, *cw);
            }
        }
    }
    for (jj, cj) in c.iter().enumerate() {
        let j = jb + jj;
        if j >= p {
            break;
        }
        for (w, &cw) in cj.iter().enumerate() {
            let mut acc = [0.0f64; LANES];
            // SAFETY: stores 8 doubles into an 8-double array.
            unsafe { _mm512_storeu_pd(acc.as_mut_ptr(), cw) };
            for (l, &v) in acc.iter().enumerate() {
                let k = kb + w * LANES + l;
                if k >= j && k < p {
                    a[j * p + k] += v;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    /// The AVX-512 kernel (where the processor has it) against the same sums written as plain
    /// fused multiply-adds in the same order — equal bit for bit — for widths around the tile
    /// sizes, a partial block, and a second block added on top of the first.
    #[test]
    fn avx512_kernel_equals_the_ordered_fused_sums_bit_for_bit() {
        for p in [1usize, 3, 7, 8, 9, 16, 17, 21, 24, 25, 26, 40] {
            let mut a = vec![0.25; p * p];
            let mut b = vec![0.5; p];
            let mut want = a.clone();
            let mut want_b = b.clone();
            let mut u = Vec::new();
            for (blk, m) in [(0usize, 64usize), (1, 37)] {
                let xs: Vec<f64> = (0..m * p)
                    .map(|k| (((k + blk * 13) * 7919) % 1000) as f64 / 487.0 - 1.0)
                    .collect();
                let sw: Vec<f64> = (0..m).map(|r| 0.5 + (r % 5) as f64 * 0.31).collect();
                let wz: Vec<f64> = (0..m).map(|r| (r % 3) as f64 - 0.9).collect();
                if !super::accumulate(&mut a, &mut b, p, &xs, &sw, &wz, &mut u) {
                    return; // no AVX-512 here: irls.rs's own kernels are tested there
                }
                for j in 0..p {
                    for r in 0..m {
                        want_b[j] = wz[r].mul_add(xs[r * p + j], want_b[j]);
                    }
                    for k in j..p {
                        let mut acc = 0.0f64;
                        for r in 0..m {
                            acc = (sw[r] * xs[r * p + j]).mul_add(sw[r] * xs[r * p + k], acc);
                        }
                        want[j * p + k] += acc;
                    }
                }
            }
            for (k, (x, w)) in a.iter().zip(&want).enumerate() {
                assert_eq!(x.to_bits(), w.to_bits(), "p={p} entry {k}");
            }
            for (x, w) in b.iter().zip(&want_b) {
                assert_eq!(x.to_bits(), w.to_bits(), "p={p} b");
            }
        }
    }
}
