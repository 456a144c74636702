//! FFT-accelerated interpolation of the repulsive forces (FIt-SNE: Linderman et al. 2019, the
//! method of the paper's §3.4), written for the heavy-tailed kernel of any α.
//!
//! The square bounding box of the embedding is cut into `nb × nb` boxes (at least 50 per side, at
//! most one unit of embedding distance wide, `nb` rounded up to a 5-smooth number for the FFT; at
//! most [`MAX_BOXES`] per side, so that the grid's memory stays bounded however far a layout
//! spreads — wider boxes then, and a coarser approximation, which the caller is told about);
//! each box holds 3 × 3 equispaced interpolation nodes. Charges are spread onto the nodes with
//! Lagrange weights, convolved with the kernel on the (uniform) node grid by a circulant
//! embedding and 2-D FFT, and interpolated back. Four potentials are needed:
//! K₁ * 1 (for Z, with K₁ = k(d) = (1 + d²/α)^(−α)) and K₂ * {1, y⁽¹⁾, y⁽²⁾} (for the forces, with
//! K₂ = k(d)·(1 + d²/α)^(−1) = w^{1+1/α}). Both kernels are real and even, so one complex FFT of
//! K₁ + iK₂ gives both spectra (real and imaginary parts), and two real charge grids share one
//! complex transform: five 2-D FFTs per gradient.

use dimorph_core::threads::{map_blocks_mut, map_ranges, ranges};
use rustfft::num_complex::Complex32 as C64;
use rustfft::{Fft, FftPlanner};
use std::collections::HashMap;
use std::sync::Arc;

/// Interpolation nodes per box and dimension.
pub const NODES: usize = 3;
/// Smallest number of boxes per dimension.
pub const MIN_BOXES: usize = 50;
/// Largest box width in embedding units (unless the layout is wider than [`MAX_BOXES`] units).
pub const UNITS_PER_BOX: f64 = 1.0;
/// Most boxes per dimension (5-smooth): the four m × m buffers (m = 6·1000) take 1.2 GB.
pub const MAX_BOXES: usize = 1000;
/// Bytes of per-thread charge grids in [`spread`]: fewer threads spread when the grid is large.
const SPREAD_BUDGET: usize = 1 << 30;

/// Forward and inverse FFT plans of one length.
type Plans = (Arc<dyn Fft<f32>>, Arc<dyn Fft<f32>>);

/// Reusable plans and buffers for the FFT repulsion.
pub struct FftRepulsion {
    planner: FftPlanner<f32>,
    plans: HashMap<usize, Plans>,
    bufs: [Vec<C64>; 4],
    threads: usize,
    /// Boxes per dimension used in the last call.
    pub last_boxes: usize,
    /// Calls whose layout was wider than [`MAX_BOXES`] units (boxes wider than one unit).
    pub coarse_calls: usize,
}

fn five_smooth(mut m: usize) -> bool {
    for p in [2, 3, 5] {
        while m.is_multiple_of(p) {
            m /= p;
        }
    }
    m == 1
}

/// Lagrange weights of the 3 nodes at u ∈ [0, 3] (nodes at 0.5, 1.5, 2.5).
#[inline]
fn lagrange(u: f64) -> [f64; 3] {
    let (a, b, c) = (u - 0.5, u - 1.5, u - 2.5);
    [0.5 * b * c, -a * c, 0.5 * a * b]
}

/// (lower corner, boxes per dimension, side length) of the interpolation grid for `y` (finite
/// coordinates).
pub fn grid_boxes(y: &[f64]) -> (f64, usize, f64) {
    let (lo, hi) = y
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    let range = (hi - lo).max(1e-12);
    let wanted = (range / UNITS_PER_BOX).ceil().min(MAX_BOXES as f64) as usize;
    let mut nb = MIN_BOXES.max(wanted);
    while !five_smooth(nb) {
        nb += 1;
    }
    (lo, nb, range)
}

/// Whether the exact O(n²) repulsion is cheaper than interpolation at `y` (used by
/// [`crate::GradientMethod::Auto`]): n²/2 pair evaluations (×6 when α ∉ {1, ½} needs `powf`)
/// against ~10 pair-equivalents per cell of the padded (2·3·nb)² FFT grid, a ratio measured on
/// this implementation.
pub fn exact_is_cheaper(y: &[f64], alpha: f64) -> bool {
    let n = (y.len() / 2) as f64;
    let m = (2 * NODES * grid_boxes(y).1) as f64;
    let c = if alpha == 1.0 || alpha == 0.5 { 1.0 } else { 6.0 };
    n * n / 2.0 * c < 10.0 * m * m
}

impl FftRepulsion {
    pub fn new(threads: usize) -> Self {
        FftRepulsion {
            planner: FftPlanner::new(),
            plans: HashMap::new(),
            bufs: [Vec::new(), Vec::new(), Vec::new(), Vec::new()],
            threads: threads.max(1),
            last_boxes: 0,
            coarse_calls: 0,
        }
    }

    /// (Σ_j w_ij^{1+1/α}(y_i − y_j) for every i, Z = Σ_{i≠j} w_ij), approximated by interpolation.
    pub fn repulsion(&mut self, y: &[f64], alpha: f64) -> (Vec<f64>, f64) {
        let threads = self.threads;
        let g = Grid::new(y);
        self.last_boxes = g.nb;
        self.coarse_calls += usize::from(g.box_w > UNITS_PER_BOX);
        let (m, ng) = (g.m, g.ng);
        // 1. spread the charges 1, y1, y2 onto the node grid
        let charges = spread(y, &g, threads);
        // 2. buffers: X = c1 + i·cy1, Yb = cy2, K = K1 + i·K2 on the circulant grid; their spectra
        let (fwd, inv) = self.plans(m);
        for b in &mut self.bufs {
            b.clear();
            b.resize(m * m, C64::new(0.0, 0.0));
        }
        let [bx, bybuf, bk, bout] = &mut self.bufs;
        load_charges(&charges, ng, m, bx, bybuf);
        drop(charges);
        kernel_grid(bk, &g, alpha, threads);
        fft2_forward(bx, m, ng, &fwd, threads);
        fft2_forward(bybuf, m, ng, &fwd, threads);
        fft2_forward(bk, m, m, &fwd, threads);
        // 3. products in frequency space, back to the node grid
        multiply(bx, bybuf, bk, bout, m, threads);
        fft2_inverse(bx, m, ng, &inv, threads);
        fft2_inverse(bybuf, m, ng, &inv, threads);
        // 4. interpolate back to the points
        interpolate(y, &g, &self.bufs[0], &self.bufs[1], threads)
    }

    /// The forward and inverse plans of length `m` (made once, then reused).
    fn plans(&mut self, m: usize) -> Plans {
        let planner = &mut self.planner;
        self.plans
            .entry(m)
            .or_insert_with(|| (planner.plan_fft_forward(m), planner.plan_fft_inverse(m)))
            .clone()
    }
}

/// The interpolation grid of one layout: `nb × nb` boxes of width `box_w` from `lo`, `NODES`
/// nodes per box and dimension (spacing `h`, `ng` per dimension), zero-padded to `m = 2·ng` for
/// the circulant embedding.
#[derive(Clone, Copy, Debug)]
struct Grid {
    lo: f64,
    nb: usize,
    box_w: f64,
    h: f64,
    ng: usize,
    m: usize,
}

impl Grid {
    fn new(y: &[f64]) -> Grid {
        let (lo, nb, range) = grid_boxes(y);
        let box_w = range / nb as f64;
        let ng = nb * NODES;
        Grid {
            lo,
            nb,
            box_w,
            h: box_w / NODES as f64,
            ng,
            m: 2 * ng,
        }
    }

    /// The first node of the box holding coordinate `c`, and the Lagrange weights of its nodes.
    #[inline]
    fn locate(&self, c: f64) -> (usize, [f64; 3]) {
        let t = (c - self.lo) / self.box_w;
        let b = (t.floor() as usize).min(self.nb - 1);
        (b * NODES, lagrange((t - b as f64) * NODES as f64))
    }
}

/// Step 1: the charges 1, y⁽¹⁾, y⁽²⁾ of every point spread onto the `ng × ng` nodes with Lagrange
/// weights (three values per node; one grid per thread — fewer threads when their grids would
/// take more than `SPREAD_BUDGET` bytes — summed in thread order).
fn spread(y: &[f64], g: &Grid, threads: usize) -> Vec<f64> {
    let ng = g.ng;
    let most = (SPREAD_BUDGET / (3 * ng * ng * std::mem::size_of::<f64>())).max(1);
    let parts = map_ranges(&ranges(y.len() / 2, threads.min(most)), |r| {
        let mut grid = vec![0.0f64; 3 * ng * ng];
        for i in r {
            let (y1, y2) = (y[2 * i], y[2 * i + 1]);
            let (gx, wx) = g.locate(y1);
            let (gy, wy) = g.locate(y2);
            for (a, wa) in wx.iter().enumerate() {
                let row = (gx + a) * ng + gy;
                for (b, wb) in wy.iter().enumerate() {
                    let w = wa * wb;
                    let cell = 3 * (row + b);
                    grid[cell] += w;
                    grid[cell + 1] += w * y1;
                    grid[cell + 2] += w * y2;
                }
            }
        }
        grid
    });
    let mut grid = vec![0.0f64; 3 * ng * ng];
    for part in &parts {
        for (a, b) in grid.iter_mut().zip(part) {
            *a += b;
        }
    }
    grid
}

/// Step 2a: the charge grids into the top-left `ng × ng` corner of two `m × m` buffers:
/// X = c₁ + i·c_{y1} and Yb = c_{y2}.
fn load_charges(charges: &[f64], ng: usize, m: usize, bx: &mut [C64], by: &mut [C64]) {
    for r in 0..ng {
        for c in 0..ng {
            let cell = 3 * (r * ng + c);
            bx[r * m + c] = C64::new(charges[cell] as f32, charges[cell + 1] as f32);
            by[r * m + c] = C64::new(charges[cell + 2] as f32, 0.0);
        }
    }
}

/// Step 2b: K = K₁ + i·K₂ on the circulant grid: the kernels at node distances on the quarter
/// 0..ng × 0..ng, mirrored (index ng stays 0).
fn kernel_grid(bk: &mut [C64], g: &Grid, alpha: f64, threads: usize) {
    let (ng, m, h) = (g.ng, g.m, g.h);
    let inv_a = 1.0 / alpha;
    let mut quarter = vec![C64::new(0.0, 0.0); ng * ng];
    map_blocks_mut(&mut quarter, ng, &ranges(ng, threads), |span, rows| {
        let first = span.start;
        for (rr, row) in rows.chunks_exact_mut(ng).enumerate() {
            let dr = first + rr;
            for (dc, v) in row.iter_mut().enumerate() {
                let d2 = ((dr * dr + dc * dc) as f64) * h * h;
                let k1 = crate::gradient::kernel(d2, alpha);
                *v = C64::new(k1 as f32, (k1 / (1.0 + d2 * inv_a)) as f32);
            }
        }
    });
    let quarter = &quarter;
    let mirror = |i: usize| {
        if i < ng {
            Some(i)
        } else if i == ng {
            None
        } else {
            Some(m - i)
        }
    };
    map_blocks_mut(bk, m, &ranges(m, threads), |span, rows| {
        let first = span.start;
        for (rr, row) in rows.chunks_exact_mut(m).enumerate() {
            let Some(dr) = mirror(first + rr) else { continue };
            for (c, v) in row.iter_mut().enumerate() {
                if let Some(dc) = mirror(c) {
                    *v = quarter[dr * ng + dc];
                }
            }
        }
    });
}

/// Step 3: the products of the spectra. Afterwards `bx` holds X·F₂ → (K₂ * 1, K₂ * y⁽¹⁾) and
/// `by` holds A·F₁ + i·Yb·F₂ → (K₁ * 1, K₂ * y⁽²⁾), where A is the spectrum of c₁ alone (the
/// Hermitian part of X); `bout` is scratch.
fn multiply(bx: &mut [C64], by: &mut Vec<C64>, bk: &[C64], bout: &mut Vec<C64>, m: usize, threads: usize) {
    {
        let (bx_r, by_r) = (&*bx, &**by);
        map_blocks_mut(bout, m, &ranges(m, threads), |span, rows| {
            let first = span.start;
            for (rr, row) in rows.chunks_exact_mut(m).enumerate() {
                let a = first + rr;
                let am = (m - a) % m;
                for (b, o) in row.iter_mut().enumerate() {
                    let bm = (m - b) % m;
                    let xk = bx_r[a * m + b];
                    let xmk = bx_r[am * m + bm].conj();
                    let fa = (xk + xmk) * 0.5;
                    let k = bk[a * m + b];
                    *o = fa * k.re + by_r[a * m + b] * C64::new(0.0, k.im);
                }
            }
        });
    }
    std::mem::swap(by, bout);
    map_blocks_mut(bx, m, &ranges(m, threads), |span, rows| {
        let first = span.start;
        for (o, k) in rows.iter_mut().zip(&bk[first * m..]) {
            *o *= k.im;
        }
    });
}

/// Step 4: the potentials interpolated back to the points: the repulsive forces and Z (the
/// per-block sums of Z added in block order, so a seed and a thread count fix the result).
fn interpolate(y: &[f64], g: &Grid, p1: &[C64], p2: &[C64], threads: usize) -> (Vec<f64>, f64) {
    let n = y.len() / 2;
    let m = g.m;
    let scale = 1.0 / (m * m) as f64;
    let mut rep = vec![0.0f64; 2 * n];
    let zs = map_blocks_mut(&mut rep, 2, &ranges(n, threads), |span, chunk| {
        let first = span.start;
        let mut z = 0.0;
        for (r, o) in chunk.chunks_exact_mut(2).enumerate() {
            let i = first + r;
            let (y1, y2) = (y[2 * i], y[2 * i + 1]);
            let (gx, wx) = g.locate(y1);
            let (gy, wy) = g.locate(y2);
            let (mut k2_1, mut k2_y1, mut k1_1, mut k2_y2) = (0.0, 0.0, 0.0, 0.0);
            for (a, wa) in wx.iter().enumerate() {
                let row = (gx + a) * m + gy;
                for (b, wb) in wy.iter().enumerate() {
                    let w = wa * wb;
                    let u = p1[row + b];
                    let v = p2[row + b];
                    k2_1 += w * u.re as f64;
                    k2_y1 += w * u.im as f64;
                    k1_1 += w * v.re as f64;
                    k2_y2 += w * v.im as f64;
                }
            }
            o[0] = (y1 * k2_1 - k2_y1) * scale;
            o[1] = (y2 * k2_1 - k2_y2) * scale;
            z += k1_1 * scale;
        }
        z
    });
    let z = zs.iter().fold(0.0f64, |a, b| a + b) - n as f64;
    (rep, z)
}

/// Row FFTs over `rows` rows of an `m`-wide buffer, threaded.
fn fft_rows(buf: &mut [C64], m: usize, rows: usize, plan: &Arc<dyn Fft<f32>>, threads: usize) {
    map_blocks_mut(&mut buf[..rows * m], m, &ranges(rows, threads), |_, chunk| {
        let mut scratch = vec![C64::new(0.0, 0.0); plan.get_inplace_scratch_len()];
        plan.process_with_scratch(chunk, &mut scratch);
    });
}

/// In-place transpose of a square `m × m` buffer (blocked).
fn transpose(buf: &mut [C64], m: usize) {
    const B: usize = 32;
    for bi in (0..m).step_by(B) {
        for bj in (bi..m).step_by(B) {
            for i in bi..(bi + B).min(m) {
                let j0 = if bi == bj { i + 1 } else { bj };
                for j in j0..(bj + B).min(m) {
                    buf.swap(i * m + j, j * m + i);
                }
            }
        }
    }
}

/// Forward 2-D FFT of a buffer whose rows ≥ `nonzero_rows` are zero; the spectrum is left transposed.
fn fft2_forward(buf: &mut [C64], m: usize, nonzero_rows: usize, plan: &Arc<dyn Fft<f32>>, threads: usize) {
    fft_rows(buf, m, nonzero_rows, plan, threads);
    transpose(buf, m);
    fft_rows(buf, m, m, plan, threads);
}

/// Inverse of [`fft2_forward`] (unnormalised), computing only the first `keep_rows` output rows.
fn fft2_inverse(buf: &mut [C64], m: usize, keep_rows: usize, plan: &Arc<dyn Fft<f32>>, threads: usize) {
    fft_rows(buf, m, m, plan, threads);
    transpose(buf, m);
    fft_rows(buf, m, keep_rows, plan, threads);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradient::repulsive_exact;
    use crate::rng::Rng;

    #[test]
    fn interpolation_matches_the_exact_repulsion() {
        let mut rng = Rng::new(5);
        let n = 800;
        // three blobs spread over ~30 units
        let y: Vec<f64> = (0..n)
            .flat_map(|i| {
                let c = [(0.0, 0.0), (15.0, 4.0), (5.0, 20.0)][i % 3];
                [c.0 + 3.0 * rng.normal(), c.1 + 3.0 * rng.normal()]
            })
            .collect();
        let mut f = FftRepulsion::new(2);
        for &alpha in &[1.0, 0.5, 2.0] {
            let (rep, z) = f.repulsion(&y, alpha);
            let (rep0, z0) = repulsive_exact(&y, alpha, 2);
            eprintln!("alpha {alpha}: Z rel err {:.2e}", (z - z0).abs() / z0);
            assert!((z - z0).abs() / z0 < 2e-3, "alpha {alpha}: Z {z} vs {z0}");
            let num: f64 = rep.iter().zip(&rep0).map(|(a, b)| (a - b).powi(2)).sum::<f64>();
            let den: f64 = rep0.iter().map(|b| b * b).sum::<f64>();
            eprintln!("force rel err {:.2e}", (num / den).sqrt());
            assert!(
                (num / den).sqrt() < 1e-2,
                "alpha {alpha}: relative force error {}",
                (num / den).sqrt()
            );
        }
    }

    #[test]
    fn the_grid_is_capped_however_far_the_layout_spreads() {
        assert_eq!(grid_boxes(&[0.0, 0.0, 30.0, 2.0]).1, MIN_BOXES);
        assert_eq!(grid_boxes(&[0.0, 0.0, 123.4, 2.0]).1, 125);
        assert_eq!(grid_boxes(&[0.0, 0.0, 1e6, -1e6]).1, MAX_BOXES);
        assert_eq!(grid_boxes(&[0.0, 0.0, 1e300, -1e300]).1, MAX_BOXES);
        assert!(five_smooth(MAX_BOXES));
    }
}
#[cfg(test)]
mod conv_tests {
    use super::*;
    use crate::gradient::repulsive_exact;
    use crate::rng::Rng;

    /// The interpolation error falls quickly as the grid gets finer relative to the kernel's width
    /// (same 50-box grid, embedding shrunk): evidence of a correct interpolation, not a lucky one.
    #[test]
    fn error_falls_with_grid_spacing() {
        let mut rng = Rng::new(5);
        let base: Vec<f64> = (0..1600).map(|_| rng.normal() * 5.0).collect();
        let mut errs = Vec::new();
        for scale in [1.0, 0.5, 0.25] {
            let y: Vec<f64> = base.iter().map(|v| v * scale).collect();
            let mut f = FftRepulsion::new(2);
            let (rep, _) = f.repulsion(&y, 1.0);
            let (rep0, _) = repulsive_exact(&y, 1.0, 2);
            let num: f64 = rep.iter().zip(&rep0).map(|(a, b)| (a - b).powi(2)).sum::<f64>();
            let den: f64 = rep0.iter().map(|b| b * b).sum::<f64>();
            errs.push((num / den).sqrt());
        }
        assert!(errs[1] < errs[0] / 4.0 && errs[2] < errs[1] / 4.0, "{errs:?}");
        assert!(errs[2] < 1e-3, "{errs:?}");
    }
}
