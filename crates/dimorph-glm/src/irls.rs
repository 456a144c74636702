//! Iteratively reweighted least squares (Fisher scoring), written once against [`Family`] and
//! [`Link`].
//!
//! Each iteration is one fused pass over the rows of X: for the current β it computes
//! η = Xβ + offset, μ = g⁻¹(η), the deviance, the working weights W = w (dμ/dη)² / V(μ) and the
//! working response z = η − offset + (y − μ)/(dμ/dη), and accumulates XᵀWX and XᵀWz for the next
//! step. Rows are split over threads, each with its own accumulators.
//!
//! Starting values and the stopping rule are R's `glm.fit`: μ from the family's `initialize`,
//! stop when |D − D_old| / (|D| + 0.1) < ε (ε = 1e-8 by default). A step whose deviance is not
//! finite, whose μ leaves the family's range (identity-link binomial and Poisson models, as in
//! the paper's snoring and crab examples), whose η leaves the link's range (R's `valideta`: η > 0
//! on the sqrt, 1/μ² and power links, so that μ = η² does not fold the likelihood) or whose
//! deviance rises is halved towards the previous β, up to 30 times; [`Bounds`] records it for
//! R's warnings. A step still invalid (η or μ outside, or a non-finite deviance) after the 30
//! halvings stops the fit, as R's `glm.fit` stops ("inner loop 1/2; cannot correct step size").

use crate::family::Family;
use crate::linalg::Cholesky;
use crate::link::Link;

/// The data of one fit, borrowed.
#[derive(Clone, Copy)]
pub struct Problem<'a> {
    /// Row-major n × p design matrix.
    pub x: &'a [f64],
    pub n: usize,
    pub p: usize,
    pub y: &'a [f64],
    /// Prior weights, with binomial trials folded in (R's convention).
    pub w: &'a [f64],
    /// Offset (including any fixed coefficients' contribution), or none.
    pub offset: Option<&'a [f64]>,
    pub family: Family,
    pub link: Link,
}

/// What one pass over the data returns.
#[derive(Debug, Clone)]
pub struct Pass {
    /// Full p × p XᵀWX (symmetric, row-major).
    pub xtwx: Vec<f64>,
    pub xtwz: Vec<f64>,
    pub deviance: f64,
    /// All η valid for the link and all μ inside the family's range.
    pub valid: bool,
}

/// Options of the IRLS loop.
#[derive(Debug, Clone, Copy)]
pub struct Control {
    pub tol: f64,
    /// Polish non-canonical fits with Newton–Raphson steps (see `newton_polish`).
    pub polish: bool,
    pub max_iter: usize,
    pub threads: usize,
}

impl Default for Control {
    fn default() -> Self {
        Control {
            tol: 1e-8,
            polish: true,
            max_iter: 25,
            threads: dimorph_core::threads::available(),
        }
    }
}

/// Result of the IRLS loop.
#[derive(Debug, Clone)]
pub struct Irls {
    /// Coefficients for all p columns (0 for columns not estimated).
    pub beta: Vec<f64>,
    /// Columns estimated (free and not aliased), in order.
    pub kept: Vec<usize>,
    /// Free columns found linearly dependent on earlier ones.
    pub aliased: Vec<usize>,
    pub deviance: f64,
    pub iterations: usize,
    pub converged: bool,
    pub last_change: f64,
    /// Step-halvings taken.
    pub halvings: usize,
    /// XᵀWX at the final β when the last pass was taken there (not after Newton steps).
    pub xtwx: Option<Vec<f64>>,
    /// (XᵀWX)⁻¹ = R⁻¹R⁻ᵀ (p × p, NaN outside `kept`) when the fit was redone by QR (the `qr`
    /// module's `rescue`); the covariance is then taken from it.
    pub cov_unscaled: Option<Vec<f64>>,
    /// Steps cut back into the link's and the family's valid range (R's `valideta`/`validmu`).
    pub bounds: Bounds,
}

/// How the fit met the edge of the valid range: η of the link (R's `valideta`: η > 0 on the
/// sqrt, 1/μ² and power(λ) links, η ≠ 0 on the inverse link; see `Link::valid_eta`) and μ of the family
/// (R's `validmu`). R's `glm.fit` halves a step that leaves the range towards the previous β
/// (warning "step size truncated: out of bounds"), warns "algorithm stopped at boundary value"
/// when the last iteration was cut back, and stops when no valid β is known ("cannot find valid
/// starting values" / "no valid set of coefficients has been found").
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Bounds {
    /// Iterations whose Fisher step left the valid range and was halved back into it.
    pub truncated: usize,
    /// The last Fisher iteration's step was cut back (R's `boundary`): the estimates may lie at
    /// the edge of the valid range rather than at a stationary point, and then depend on the
    /// start.
    pub boundary: bool,
    /// No valid β was found: the starting values (given, or the family's starting μ followed by
    /// its first step and the intercept-only anchor) give η or μ outside the valid range.
    pub no_valid_start: bool,
    /// Iterations whose Fisher step gave a deviance that is not finite (η and μ valid) and was
    /// halved back (R: "step size truncated due to divergence").
    pub diverged: usize,
    /// A step still invalid after 30 halvings: the fit stopped there (R's `glm.fit` stops with
    /// "inner loop 1; cannot correct step size" or "inner loop 2; …"); see [`Stuck`].
    pub stuck: Option<Stuck>,
}

/// Why a Fisher step could not be corrected by halving it 30 times towards the previous β.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stuck {
    /// The deviance stayed non-finite (R's "inner loop 1; cannot correct step size").
    Divergence,
    /// η or μ stayed outside the valid range (R's "inner loop 2; cannot correct step size").
    Range,
}

impl Stuck {
    /// Why the pass at a step halved 30 times is still not acceptable, if it is not.
    fn of(next: &Pass) -> Option<Stuck> {
        if !next.valid {
            Some(Stuck::Range)
        } else if !next.deviance.is_finite() {
            Some(Stuck::Divergence)
        } else {
            None
        }
    }
}

impl Bounds {
    /// Records the pass at an iteration's full Fisher step: cut back when it leaves the valid
    /// range (counted in `truncated`) or its deviance is not finite (`diverged`); both set R's
    /// `boundary`.
    fn note_step(&mut self, next: &Pass) {
        let out_of_range = !next.valid;
        let diverged = next.valid && !next.deviance.is_finite();
        self.boundary = out_of_range || diverged;
        self.truncated += usize::from(out_of_range);
        self.diverged += usize::from(diverged);
    }

    /// The warnings R's `glm.fit` would give for these bounds, worded for `link`.
    pub fn warnings(&self, link: Link) -> Vec<String> {
        let mut w = Vec::new();
        if self.diverged > 0 {
            w.push(format!(
                "step size truncated due to divergence {} time{}: a Fisher step gave a deviance that is not a finite number and was halved back (R: \"step size truncated due to divergence\")",
                self.diverged,
                if self.diverged == 1 { "" } else { "s" }
            ));
        }
        if self.truncated > 0 {
            w.push(format!(
                "step size truncated {} time{}: a Fisher step left the valid range ({}) and was halved back into it (R: \"step size truncated: out of bounds\")",
                self.truncated,
                if self.truncated == 1 { "" } else { "s" },
                valid_range_words(link)
            ));
        }
        if self.boundary {
            w.push(format!(
                "the algorithm stopped at the boundary of the valid range ({}): the last step was cut back, so the estimates may not be a maximum of the likelihood and can depend on the starting values (R: \"glm.fit: algorithm stopped at boundary value\"); give --start to check",
                valid_range_words(link)
            ));
        }
        w
    }
}

/// The error of a fit that found no valid β ([`Bounds::no_valid_start`]), as R's `glm.fit`
/// stops; `start_given`: the starting values were the user's (`--start`); `hint`: how to give
/// starting values where the caller can.
pub fn no_valid_start_error(link: Link, start_given: bool, hint: &str) -> crate::error::GlmError {
    let what = if start_given {
        "the starting values give η or μ outside the valid range".to_string()
    } else {
        "no valid set of coefficients was found: from the family's starting μ the first IRLS step, halved towards the intercept-only model, stays outside the valid range".to_string()
    };
    crate::error::GlmError::argument(
        "--start",
        format!(
            "{what} ({}; R's glm stops likewise: \"{}\"); {hint}",
            valid_range_words(link),
            if start_given {
                "cannot find valid starting values: please specify some"
            } else {
                "no valid set of coefficients has been found: please supply starting values"
            }
        ),
    )
}

/// The error of a fit stopped at a step that 30 halvings could not correct
/// ([`Bounds::stuck`]), as R's `glm.fit` stops ("inner loop 1/2; cannot correct step size");
/// `hint`: how to give starting values where the caller can.
pub fn stuck_error(link: Link, stuck: Stuck, hint: &str) -> crate::error::GlmError {
    let (what, r) = match stuck {
        Stuck::Divergence => ("the deviance stayed a non-finite number", "inner loop 1"),
        Stuck::Range => ("η or μ stayed outside the valid range", "inner loop 2"),
    };
    crate::error::GlmError::argument(
        "--start",
        format!(
            "the fit stopped: a Fisher step halved 30 times towards the previous coefficients still left {what} ({}; R's glm stops likewise: \"{r}; cannot correct step size\"); {hint}",
            valid_range_words(link)
        ),
    )
}

/// The valid range of a link's η and of the fitted means, in words.
pub fn valid_range_words(link: Link) -> &'static str {
    match link {
        Link::Sqrt | Link::InverseSquare | Link::Power(_) => {
            "η = Xβ + offset > 0 on every row, and μ inside the family's range"
        }
        Link::Inverse => "η = Xβ + offset ≠ 0 on every row, and μ inside the family's range",
        _ => "μ inside the family's range on every row",
    }
}

/// How η is obtained in a pass.
#[derive(Clone, Copy)]
enum Eta<'b> {
    Beta(&'b [f64]),
    Start,
}

/// Rows per block: the per-row quantities of a block are computed first, then the block is
/// folded into XᵀWX and XᵀWz by a dense kernel.
const BLOCK: usize = 64;
const _: () = assert!(BLOCK == crate::rowblock::ROWS);

/// One pass over the rows `lo..hi`; with `eta_out` (length hi − lo) η of each row is kept there.
fn chunk_pass(pb: &Problem, eta_src: Eta, lo: usize, hi: usize, mut eta_out: Option<&mut [f64]>) -> Pass {
    let p = pb.p;
    let mut a = vec![0.0; p * p];
    let mut b = vec![0.0; p];
    let mut dev = 0.0;
    let mut valid = true;
    let mut sw = [0.0; BLOCK]; // √(working weight)
    let mut wz = [0.0; BLOCK]; // working weight × working response
    let mut u = Vec::with_capacity(p.div_ceil(TK) * TK * BLOCK); // √W x of the block, padded rows
    let mut devs = crate::vmath::DevBlock::default(); // the block's deviance terms, logs taken together

    // the block's η, offset, response and prior weight (zero past the block's rows)
    let (mut eta, mut off, mut y, mut w) = ([0.0; BLOCK], [0.0; BLOCK], [0.0; BLOCK], [0.0; BLOCK]);
    let kind = crate::rowblock::Kind::of(pb.family, pb.link);
    let mut start = lo;
    while start < hi {
        let end = (start + BLOCK).min(hi);
        let m = end - start;
        if m < BLOCK {
            for v in [&mut eta, &mut off, &mut y, &mut w] {
                v[m..].fill(0.0);
            }
        }
        y[..m].copy_from_slice(&pb.y[start..end]);
        w[..m].copy_from_slice(&pb.w[start..end]);
        if let Some(o) = pb.offset {
            off[..m].copy_from_slice(&o[start..end]);
        }
        for r in 0..m {
            let i = start + r;
            eta[r] = match eta_src {
                Eta::Beta(beta) => dot(&pb.x[i * p..(i + 1) * p], beta) + pb.offset.map_or(0.0, |o| o[i]),
                Eta::Start => pb.link.link(pb.family.mu_start(y[r], w[r])),
            };
        }
        if let Some(out) = eta_out.as_deref_mut() {
            out[start - lo..end - lo].copy_from_slice(&eta[..m]);
        }
        match kind {
            Some(kind) => {
                let input = crate::rowblock::BlockIn {
                    eta: &eta,
                    off: &off,
                    y: &y,
                    w: &w,
                };
                let any = crate::rowblock::weights(kind, &input, m, &mut sw, &mut wz, &mut devs);
                for r in (0..m).filter(|_| any) {
                    if kind.irregular(eta[r], y[r]) {
                        valid &= row_weights(pb, (eta[r], off[r], y[r], w[r]), r, (&mut sw, &mut wz), &mut devs);
                    }
                }
            }
            None => {
                for r in 0..m {
                    valid &= row_weights(pb, (eta[r], off[r], y[r], w[r]), r, (&mut sw, &mut wz), &mut devs);
                }
            }
        }
        devs.flush_places(m, &mut dev);
        // the next block's rows travel from memory while this block's cross-products are summed
        let ahead = &pb.x[end * p..(end + BLOCK).min(hi) * p];
        accumulate_ahead(
            a.as_mut_slice(),
            &mut b,
            p,
            (&pb.x[start * p..end * p], &sw[..m], &wz[..m]),
            &mut u,
            ahead,
        );
        start = end;
    }
    Pass {
        xtwx: a,
        xtwz: b,
        deviance: dev,
        valid,
    }
}

/// Asks the processor to bring `v` into the cache (one request per 64-byte line); a pass is
/// bound by reading X from memory, which this overlaps with the work on the block before.
#[inline(always)]
fn prefetch(v: &[f64]) {
    #[cfg(target_arch = "x86_64")]
    for k in (0..v.len()).step_by(8) {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: a prefetch never faults, and the address lies inside `v`.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(v.as_ptr().add(k).cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = v;
}

/// √W, W z and the deviance term of one row of a block (place `r`), from η, the offset, y and the
/// prior weight; `false` when η or μ is outside the link's or the family's range (the row then
/// adds nothing).
#[inline(always)]
fn row_weights(
    pb: &Problem,
    (eta, off, yi, wi): (f64, f64, f64, f64),
    r: usize,
    (sw, wz): (&mut [f64; BLOCK], &mut [f64; BLOCK]),
    devs: &mut crate::vmath::DevBlock,
) -> bool {
    sw[r] = 0.0;
    wz[r] = 0.0;
    devs.clear(r);
    if !pb.link.valid_eta(eta) {
        return false;
    }
    let (mu, dmu) = pb.link.inverse_and_mu_eta(eta);
    if !pb.family.valid_mu(mu) {
        return false;
    }
    if wi == 0.0 {
        return true;
    }
    devs.set(r, &pb.family, wi, yi, mu);
    if dmu == 0.0 {
        return true;
    }
    let wt = wi * dmu * dmu / pb.family.variance(mu);
    let z = (eta - off) + (yi - mu) / dmu;
    sw[r] = wt.sqrt();
    wz[r] = wt * z;
    true
}

/// Rows a thread should have at least: fewer and starting it costs more than it saves.
const MIN_ROWS_PER_THREAD: usize = 20_000;

/// `0..n` split for at most `threads` threads, each with at least 20,000 rows (one part for
/// fewer rows).
pub fn row_ranges(n: usize, threads: usize) -> Vec<std::ops::Range<usize>> {
    let parts = threads.clamp(1, (n / MIN_ROWS_PER_THREAD).max(1));
    dimorph_core::threads::ranges(n, parts)
}

/// Σ over rows of a K-vector computed by `f(lo, hi)` on contiguous chunks, split over threads
/// (the parts are summed in order, so the sum is the same for a given thread count).
pub fn par_sum<const K: usize>(n: usize, threads: usize, f: impl Fn(usize, usize) -> [f64; K] + Sync) -> [f64; K] {
    let parts = dimorph_core::threads::map_ranges(&row_ranges(n, threads), |r| f(r.start, r.end));
    let mut acc = [0.0; K];
    for part in parts {
        for (a, b) in acc.iter_mut().zip(part) {
            *a += b;
        }
    }
    acc
}

/// x·β with four running sums (so that the sum vectorises).
#[inline(always)]
pub fn dot(x: &[f64], beta: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    let xc = x.chunks_exact(4);
    let bc = beta.chunks_exact(4);
    let tail: f64 = xc.remainder().iter().zip(bc.remainder()).map(|(a, b)| a * b).sum();
    for (xs, bs) in xc.zip(bc) {
        for l in 0..4 {
            acc[l] += xs[l] * bs[l];
        }
    }
    acc[0] + acc[1] + acc[2] + acc[3] + tail
}

/// Adds a block of rows to the upper triangle of XᵀWX and to XᵀWz, using AVX2 + FMA when the
/// processor has them (checked at run time).
#[cfg(test)]
fn accumulate(a: &mut [f64], b: &mut [f64], p: usize, xs: &[f64], sw: &[f64], wz: &[f64], u: &mut Vec<f64>) {
    accumulate_ahead(a, b, p, (xs, sw, wz), u, &[]);
}

/// [`accumulate`], bringing `ahead` (the next block of X) into the cache meanwhile.
fn accumulate_ahead(
    a: &mut [f64],
    b: &mut [f64],
    p: usize,
    (xs, sw, wz): (&[f64], &[f64], &[f64]),
    u: &mut Vec<f64>,
    ahead: &[f64],
) {
    if crate::crossprod::accumulate_ahead(a, b, p, (xs, sw, wz), u, ahead) {
        return; // AVX-512: the same sums, bit for bit, at half the instructions
    }
    prefetch(ahead);
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
            // SAFETY: the processor supports AVX2 and FMA, checked just above.
            unsafe { accumulate_avx2(a, b, p, xs, sw, wz, u) };
            return;
        }
    }
    accumulate_generic::<false>(a, b, p, xs, sw, wz, u);
}

/// The kernel of [`accumulate_generic`] written with AVX2/FMA intrinsics: for each 4 × 8 tile
/// of XᵀWX on or above the diagonal, eight 4-wide registers of running sums; per row of the
/// block two loads of U's row segment, four broadcasts and eight fused multiply-adds.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn accumulate_avx2(a: &mut [f64], b: &mut [f64], p: usize, xs: &[f64], sw: &[f64], wz: &[f64], u: &mut Vec<f64>) {
    use std::arch::x86_64::{
        _mm256_broadcast_sd, _mm256_fmadd_pd, _mm256_loadu_pd, _mm256_setzero_pd, _mm256_storeu_pd,
    };
    let pp = fill_block::<true>(b, p, xs, sw, wz, u);
    for jb in (0..p).step_by(TJ) {
        for kb in ((jb / TK) * TK..p).step_by(TK) {
            let mut c = [_mm256_setzero_pd(); 8];
            for row in u.chunks_exact(pp) {
                // SAFETY: kb and pp are multiples of 8 with kb < pp, so kb + 8 <= pp; jb is a
                // multiple of 4 below pp, so jb + 4 <= pp: every load stays inside `row`.
                unsafe {
                    let x0 = _mm256_loadu_pd(row.as_ptr().add(kb));
                    let x1 = _mm256_loadu_pd(row.as_ptr().add(kb + 4));
                    for jj in 0..TJ {
                        let s = _mm256_broadcast_sd(&*row.as_ptr().add(jb + jj));
                        c[2 * jj] = _mm256_fmadd_pd(s, x0, c[2 * jj]);
                        c[2 * jj + 1] = _mm256_fmadd_pd(s, x1, c[2 * jj + 1]);
                    }
                }
            }
            let mut acc = [[0.0f64; TK]; TJ];
            for (jj, accj) in acc.iter_mut().enumerate() {
                // SAFETY: each store writes 4 doubles into an 8-double array at offset 0 or 4.
                unsafe {
                    _mm256_storeu_pd(accj.as_mut_ptr(), c[2 * jj]);
                    _mm256_storeu_pd(accj.as_mut_ptr().add(4), c[2 * jj + 1]);
                }
            }
            add_tile(a, p, jb, kb, &acc);
        }
    }
}

/// Writes U = √W X of the block row by row, padded with zeros to a multiple of 8 columns, and
/// adds Σ_r (W z)_r x_r to b; returns the padded width.
#[inline(always)]
fn fill_block<const F: bool>(b: &mut [f64], p: usize, xs: &[f64], sw: &[f64], wz: &[f64], u: &mut Vec<f64>) -> usize {
    let pp = p.div_ceil(TK) * TK;
    u.clear();
    u.resize(sw.len() * pp, 0.0);
    for (r, row) in xs.chunks_exact(p).enumerate() {
        let (s, w) = (sw[r], wz[r]);
        let ur = &mut u[r * pp..r * pp + p];
        for ((uj, &x), bj) in ur.iter_mut().zip(row).zip(b.iter_mut()) {
            *uj = s * x;
            *bj = madd::<F>(*bj, w, x);
        }
    }
    pp
}

/// Adds the entries of a 4 × 8 tile at (jb, kb) that lie on or above the diagonal of XᵀWX.
#[inline(always)]
fn add_tile(a: &mut [f64], p: usize, jb: usize, kb: usize, acc: &[[f64; TK]; TJ]) {
    for (jj, accj) in acc.iter().enumerate() {
        let j = jb + jj;
        if j >= p {
            break;
        }
        for (l, &v) in accj.iter().enumerate() {
            let k = kb + l;
            if k >= j && k < p {
                a[j * p + k] += v;
            }
        }
    }
}

/// acc + x·y, fused when `F` (only where the FMA instruction is enabled: elsewhere `mul_add`
/// would be a library call).
#[inline(always)]
fn madd<const F: bool>(acc: f64, x: f64, y: f64) -> f64 {
    if F {
        x.mul_add(y, acc)
    } else {
        acc + x * y
    }
}

/// Columns of a tile of XᵀWX: the kernel updates 4 rows × 8 columns at a time.
const TJ: usize = 4;
const TK: usize = 8;

/// The dense kernel, a register-blocked rank-m update (portable version): U = √W X for the
/// block (see [`fill_block`]); for each 4 × 8 tile of XᵀWX on or above the diagonal, 32 running
/// sums are kept while the block's rows stream past.
#[inline(always)]
fn accumulate_generic<const F: bool>(
    a: &mut [f64],
    b: &mut [f64],
    p: usize,
    xs: &[f64],
    sw: &[f64],
    wz: &[f64],
    u: &mut Vec<f64>,
) {
    let pp = fill_block::<F>(b, p, xs, sw, wz, u);
    for jb in (0..p).step_by(TJ) {
        for kb in ((jb / TK) * TK..p).step_by(TK) {
            let mut acc = [[0.0f64; TK]; TJ];
            for row in u.chunks_exact(pp) {
                let xk = &row[kb..kb + TK];
                for (jj, accj) in acc.iter_mut().enumerate() {
                    let sj = row[jb + jj];
                    for (c, &x) in accj.iter_mut().zip(xk) {
                        *c = madd::<F>(*c, sj, x);
                    }
                }
            }
            add_tile(a, p, jb, kb, &acc);
        }
    }
}

/// One pass over all rows, split over `threads`; with `eta_out` (length n) η of every row is
/// kept there.
fn pass(pb: &Problem, eta: Eta, threads: usize, eta_out: Option<&mut [f64]>) -> Pass {
    let ranges = row_ranges(pb.n, threads);
    let parts = match eta_out {
        Some(out) => {
            dimorph_core::threads::map_blocks_mut(out, 1, &ranges, |r, o| chunk_pass(pb, eta, r.start, r.end, Some(o)))
        }
        None => dimorph_core::threads::map_ranges(&ranges, |r| chunk_pass(pb, eta, r.start, r.end, None)),
    };
    let mut it = parts.into_iter();
    let mut out = it.next().unwrap_or_else(|| chunk_pass(pb, eta, 0, 0, None));
    for q in it {
        out.xtwx.iter_mut().zip(&q.xtwx).for_each(|(a, b)| *a += b);
        out.xtwz.iter_mut().zip(&q.xtwz).for_each(|(a, b)| *a += b);
        out.deviance += q.deviance;
        out.valid &= q.valid;
    }
    // mirror the upper triangle
    let p = pb.p;
    for r in 0..p {
        for c in 0..r {
            out.xtwx[r * p + c] = out.xtwx[c * p + r];
        }
    }
    out
}

/// Deviance and the normal equations at β.
pub fn pass_at(pb: &Problem, beta: &[f64], threads: usize) -> Pass {
    pass(pb, Eta::Beta(beta), threads, None)
}

/// Deviance and the normal equations at the family's starting μ (R's `mustart`).
pub fn pass_start(pb: &Problem, threads: usize) -> Pass {
    pass(pb, Eta::Start, threads, None)
}

/// The passes over the data that the IRLS loop needs. The in-memory design is one part
/// ([`InMemory`]: rows split over threads); the distributed and streaming fits
/// (`crate::distributed`) sum the parts' passes. [`irls_with`] is the loop, written once.
pub trait Passes {
    type Error;
    /// XᵀWX, XᵀWz and the deviance at β (`None`: η from the family's starting μ, R's
    /// `mustart`). An `xtwx` of the wrong length means the data have no row.
    fn fisher(&mut self, beta: Option<&[f64]>) -> Result<Pass, Self::Error>;
    /// Score, observed information (k × k on `kept`) and deviance at β; `None` when β leaves
    /// the link's or the family's range.
    #[allow(clippy::type_complexity)]
    fn score_and_hessian(
        &mut self,
        kept: &[usize],
        beta: &[f64],
    ) -> Result<Option<(Vec<f64>, Vec<f64>, f64)>, Self::Error>;
    /// The deviance at β, `None` when β leaves the valid range.
    fn deviance(&mut self, beta: &[f64]) -> Result<Option<f64>, Self::Error>;
    /// Σ w and Σ w y over the rows (the anchor's constant mean).
    fn weight_sums(&mut self) -> Result<(f64, f64), Self::Error>;
}

/// A design in memory as [`Passes`]: each pass splits the rows over `threads`.
pub struct InMemory<'p, 'a> {
    pub pb: &'p Problem<'a>,
    pub threads: usize,
}

impl Passes for InMemory<'_, '_> {
    type Error = std::convert::Infallible;
    fn fisher(&mut self, beta: Option<&[f64]>) -> Result<Pass, Self::Error> {
        let eta = beta.map_or(Eta::Start, Eta::Beta);
        Ok(pass(self.pb, eta, self.threads, None))
    }
    fn score_and_hessian(
        &mut self,
        kept: &[usize],
        beta: &[f64],
    ) -> Result<Option<(Vec<f64>, Vec<f64>, f64)>, Self::Error> {
        Ok(score_and_hessian(self.pb, kept, beta, self.threads))
    }
    fn deviance(&mut self, beta: &[f64]) -> Result<Option<f64>, Self::Error> {
        Ok(deviance_at(self.pb, beta, self.threads))
    }
    fn weight_sums(&mut self) -> Result<(f64, f64), Self::Error> {
        let pb = self.pb;
        let (mut sw, mut swy) = (0.0, 0.0);
        for i in 0..pb.n {
            sw += pb.w[i];
            swy += pb.w[i] * pb.y[i];
        }
        Ok((sw, swy))
    }
}

/// η = Xβ + offset of every row at the β of the last pass that computed it (the fitted values of
/// the last IRLS iteration, so that the fit need not go over X once more).
pub(crate) struct KeptEta {
    pub beta: Vec<f64>,
    pub eta: Vec<f64>,
}

impl KeptEta {
    /// η when it was taken at exactly `beta` (bit for bit), else `None`.
    pub(crate) fn at(self, beta: &[f64]) -> Option<Vec<f64>> {
        let same = self.beta.len() == beta.len() && self.beta.iter().zip(beta).all(|(a, b)| a.to_bits() == b.to_bits());
        same.then_some(self.eta)
    }
}

/// [`InMemory`] whose Fisher passes at a β also keep η of every row.
struct InMemoryKeep<'p, 'a> {
    inner: InMemory<'p, 'a>,
    kept: Option<KeptEta>,
}

impl Passes for InMemoryKeep<'_, '_> {
    type Error = std::convert::Infallible;
    fn fisher(&mut self, beta: Option<&[f64]>) -> Result<Pass, Self::Error> {
        let Some(beta) = beta else {
            return self.inner.fisher(None);
        };
        let mut k = self.kept.take().unwrap_or_else(|| KeptEta {
            beta: Vec::new(),
            eta: vec![0.0; self.inner.pb.n],
        });
        let out = pass(self.inner.pb, Eta::Beta(beta), self.inner.threads, Some(&mut k.eta));
        k.beta.clear();
        k.beta.extend_from_slice(beta);
        self.kept = Some(k);
        Ok(out)
    }
    fn score_and_hessian(
        &mut self,
        kept: &[usize],
        beta: &[f64],
    ) -> Result<Option<(Vec<f64>, Vec<f64>, f64)>, Self::Error> {
        self.inner.score_and_hessian(kept, beta)
    }
    fn deviance(&mut self, beta: &[f64]) -> Result<Option<f64>, Self::Error> {
        self.inner.deviance(beta)
    }
    fn weight_sums(&mut self) -> Result<(f64, f64), Self::Error> {
        self.inner.weight_sums()
    }
}

/// [`irls`], also returning η of the last Fisher pass with the β it was taken at (see
/// [`KeptEta::at`]: Newton steps after it move β).
///
/// From [`WARM_MIN_ROWS`] rows on, without starting values, the loop starts from the estimates
/// of a subsample ([`warm_start`]) instead of the family's starting μ: a pass over X is bound by
/// reading X from memory, and the warm start saves one or two of them. The stopping rule is
/// R's on the deviance of all rows, asked to hold twice in a row (from a close start the first
/// small change does not yet mean a β as close to the optimum as R's rule gives from its usual
/// start); `iterations` counts the iterations on all rows. Should the warm-started loop not
/// converge, the fit is done again from the family's starting μ (the rule asked to hold twice
/// in a row there too, as in [`irls_with_rows`]).
pub(crate) fn irls_keeping_eta(
    pb: &Problem,
    free: &[usize],
    intercept: Option<usize>,
    start: Option<&[f64]>,
    ctl: Control,
) -> (Irls, Option<KeptEta>) {
    let run = |start: Option<&[f64]>, confirm: bool| {
        let mut data = InMemoryKeep {
            inner: InMemory {
                pb,
                threads: ctl.threads,
            },
            kept: None,
        };
        match irls_loop(
            &mut data,
            pb.p,
            free,
            (intercept, (pb.family, pb.link)),
            start,
            ctl,
            confirm,
        ) {
            Ok(r) => (r, data.kept),
            Err(never) => match never {},
        }
    };
    if start.is_none() {
        if let Some(b0) = warm_start(pb, free, intercept, ctl) {
            let (r, kept) = run(Some(&b0), true);
            if r.converged {
                return (r, kept);
            }
        }
    }
    // from the family's starting μ with the same stopping rule as the fit over parts of the same
    // rows (`irls_with_rows`), so that both take the same path
    run(start, start.is_none() && pb.n >= WARM_MIN_ROWS)
}

/// Rows from which [`irls_keeping_eta`] starts from a subsample's estimates.
pub const WARM_MIN_ROWS: usize = 200_000;

/// The subsample of [`warm_start`]: one block of 64 rows in this many, spread evenly.
const WARM_EVERY: usize = 10;

/// Starting coefficients for a large fit: IRLS on one block of rows in [`WARM_EVERY`] (a
/// tenth of the data, contiguous blocks spread evenly over it) to a relative deviance change
/// of 1e-6.
/// `None` below [`WARM_MIN_ROWS`] rows, or when the subsample's fit does not converge cleanly
/// (not converged, a column aliased, steps halved: a start no better than the family's).
fn warm_start(pb: &Problem, free: &[usize], intercept: Option<usize>, ctl: Control) -> Option<Vec<f64>> {
    if pb.n < WARM_MIN_ROWS {
        return None;
    }
    let p = pb.p;
    let blocks: Vec<std::ops::Range<usize>> = (0..pb.n.div_ceil(BLOCK))
        .step_by(WARM_EVERY)
        .map(|b| b * BLOCK..((b + 1) * BLOCK).min(pb.n))
        .collect();
    let rows: usize = blocks.iter().map(|r| r.len()).sum();
    let (mut x, mut y, mut w) = (
        Vec::with_capacity(rows * p),
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
    );
    let mut off = pb.offset.map(|_| Vec::with_capacity(rows));
    for r in &blocks {
        x.extend_from_slice(&pb.x[r.start * p..r.end * p]);
        y.extend_from_slice(&pb.y[r.clone()]);
        w.extend_from_slice(&pb.w[r.clone()]);
        if let (Some(o), Some(all)) = (off.as_mut(), pb.offset) {
            o.extend_from_slice(&all[r.clone()]);
        }
    }
    let sub = Problem {
        x: &x,
        n: rows,
        y: &y,
        w: &w,
        offset: off.as_deref(),
        ..*pb
    };
    let sub_ctl = Control {
        tol: ctl.tol.max(1e-6),
        polish: false,
        ..ctl
    };
    let r = irls(&sub, free, intercept, None, sub_ctl);
    (r.converged && r.aliased.is_empty() && r.halvings == 0 && r.beta.iter().all(|b| b.is_finite())).then_some(r.beta)
}

/// Runs IRLS over the `free` columns of X; the other columns' coefficients are 0 (their
/// contribution, if any, must be in the offset). `start` gives starting coefficients (full
/// length p) instead of the family's starting μ.
///
/// `intercept` names the intercept column, used as a safe anchor when the very first step
/// leaves the family's range.
pub fn irls(pb: &Problem, free: &[usize], intercept: Option<usize>, start: Option<&[f64]>, ctl: Control) -> Irls {
    let mut data = InMemory {
        pb,
        threads: ctl.threads,
    };
    match irls_with(&mut data, pb.p, free, intercept, (pb.family, pb.link), start, ctl) {
        Ok(r) => r,
        Err(never) => match never {},
    }
}

/// The weighted least-squares step of an iteration: the Cholesky factor of XᵀWX on the free
/// columns (aliased columns dropped) solved for XᵀWz. `None` when XᵀWX is not finite (weights
/// overflowed: β far outside the data's range) or no column can be estimated.
fn wls_step(cur: &Pass, p: usize, free: &[usize]) -> Option<(Vec<usize>, Vec<f64>)> {
    let sub = crate::linalg::sub_matrix(&cur.xtwx, p, free);
    if sub.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let ch = Cholesky::new(&sub, free.len());
    if ch.rank() == 0 && !free.is_empty() {
        return None;
    }
    let kept: Vec<usize> = ch.kept.iter().map(|&k| free[k]).collect();
    let rhs: Vec<f64> = kept.iter().map(|&j| cur.xtwz[j]).collect();
    let sol = if ch.rank() > 0 { ch.solve(&rhs) } else { Vec::new() };
    let mut new_beta = vec![0.0; p];
    for (k, &j) in kept.iter().enumerate() {
        new_beta[j] = sol[k];
    }
    Some((kept, new_beta))
}

/// The IRLS loop over any [`Passes`] (see [`irls`]; `model` is the family and link, `p` the
/// number of columns of X).
pub fn irls_with<D: Passes>(
    data: &mut D,
    p: usize,
    free: &[usize],
    intercept: Option<usize>,
    model: (Family, Link),
    start: Option<&[f64]>,
    ctl: Control,
) -> Result<Irls, D::Error> {
    irls_loop(data, p, free, (intercept, model), start, ctl, false)
}

/// [`irls_with`] with the stopping rule of a fit on `rows` rows in memory: from
/// [`WARM_MIN_ROWS`] rows on, R's rule must hold twice in a row, as in [`irls_keeping_eta`]'s
/// warm-started loop, so that a fit over parts (distributed, streamed) stops where the fit in
/// memory of the same rows stops (both on the maximum to well within 1e-10, not each at its own
/// first small change).
#[allow(clippy::too_many_arguments)]
pub fn irls_with_rows<D: Passes>(
    data: &mut D,
    p: usize,
    free: &[usize],
    intercept: Option<usize>,
    model: (Family, Link),
    ctl: Control,
    rows: usize,
) -> Result<Irls, D::Error> {
    irls_loop(data, p, free, (intercept, model), None, ctl, rows >= WARM_MIN_ROWS)
}

/// The result of a fit whose starting values give η or μ outside the valid range (R's glm.fit:
/// "cannot find valid starting values: please specify some"): no iteration taken.
fn invalid_start(beta: Vec<f64>, free: &[usize], deviance: f64) -> Irls {
    Irls {
        beta,
        kept: free.to_vec(),
        aliased: Vec::new(),
        deviance,
        iterations: 0,
        converged: false,
        last_change: f64::NAN,
        halvings: 0,
        xtwx: None,
        cov_unscaled: None,
        bounds: Bounds {
            no_valid_start: true,
            ..Bounds::default()
        },
    }
}

/// Step-halving (R's `glm.fit` inner loops): `new_beta` is halved towards `beta`, up to 30
/// times, while the pass `next` at it has η or μ outside the valid range, a non-finite
/// deviance, or a deviance above `dev_old`. Returns the pass at the final `new_beta` and the
/// halvings taken.
fn halve_step<D: Passes>(
    data: &mut D,
    new_beta: &mut [f64],
    beta: &[f64],
    dev_old: f64,
    mut next: Pass,
) -> Result<(Pass, usize), D::Error> {
    let mut h = 0;
    while h < 30 && (!next.valid || !next.deviance.is_finite() || next.deviance > dev_old * (1.0 + 1e-12) + 1e-12) {
        h += 1;
        for (b, old) in new_beta.iter_mut().zip(beta) {
            *b = 0.5 * (*b + old);
        }
        next = data.fisher(Some(new_beta))?;
    }
    Ok((next, h))
}

/// [`irls_with`]; with `confirm` the stopping rule must hold at two iterations in a row (one
/// more Fisher step once the deviance has settled: from a start close to the optimum, as the
/// warm start's, the first small change comes from a β that is itself only close).
fn irls_loop<D: Passes>(
    data: &mut D,
    p: usize,
    free: &[usize],
    (intercept, model): (Option<usize>, (Family, Link)),
    start: Option<&[f64]>,
    ctl: Control,
    confirm: bool,
) -> Result<Irls, D::Error> {
    let (family, link) = model;
    let mut confirmed = false;
    let mut beta = vec![0.0; p];
    let mut bounds = Bounds::default();
    let mut cur = match start {
        Some(b0) => {
            for &j in free {
                beta[j] = b0[j];
            }
            data.fisher(Some(&beta))?
        }
        None => data.fisher(None)?,
    };
    if start.is_some() && (!cur.valid || !cur.deviance.is_finite()) {
        return Ok(invalid_start(beta, free, cur.deviance));
    }
    let mut have_beta = start.is_some();
    let mut dev_old = cur.deviance;
    let mut kept: Vec<usize> = free.to_vec();
    let mut aliased = Vec::new();
    let (mut converged, mut iterations, mut last_change, mut halvings) = (false, 0, f64::INFINITY, 0);
    // non-canonical links: Fisher scoring until close (relative change 1e-5), then Newton–Raphson
    // (the negative binomial's log link is its default, not its canonical link log(μ/(μ + θ)):
    // Fisher scoring stops up to 2e-4 short there too, statsmodels' Committee model)
    let mut polishing = ctl.polish
        && (link != family.canonical_link() || matches!(family, Family::NegBin { .. } | Family::Tweedie { .. }));
    let mut fisher_tol = if polishing { ctl.tol.max(1e-5) } else { ctl.tol };
    let mut polished: Option<f64> = None;
    for iter in 1..=ctl.max_iter {
        dimorph_core::interrupt::poll();
        iterations = iter;
        if cur.xtwx.len() != p * p {
            break; // no row
        }
        // solve the weighted least-squares problem on the free columns
        let Some((k, mut new_beta)) = wls_step(&cur, p, free) else {
            break;
        };
        kept = k;
        aliased = free.iter().copied().filter(|j| !kept.contains(j)).collect();
        let mut next = data.fisher(Some(&new_beta))?;
        // R's `boundary`: this iteration's step is cut back into the valid range
        bounds.note_step(&next);
        if have_beta {
            let h;
            (next, h) = halve_step(data, &mut new_beta, &beta, dev_old, next)?;
            halvings += h;
            // R's glm.fit stops: "inner loop 1/2; cannot correct step size"
            bounds.stuck = Stuck::of(&next);
            if bounds.stuck.is_some() {
                break;
            }
        }
        if !have_beta && (!next.valid || !next.deviance.is_finite()) {
            // The first step left the valid range and there is no previous β to halve towards:
            // use the intercept-only model (a constant mean, always valid) as the anchor.
            if let Some(b0) = anchor_beta(data, p, free, intercept, link)? {
                let mut h = 0;
                while h < 60 && (!next.valid || !next.deviance.is_finite()) {
                    h += 1;
                    for j in 0..p {
                        new_beta[j] = 0.5 * (new_beta[j] + b0[j]);
                    }
                    next = data.fisher(Some(&new_beta))?;
                }
                halvings += h;
            }
            if !next.valid || !next.deviance.is_finite() {
                // R's glm.fit: "no valid set of coefficients has been found: please supply
                // starting values"
                bounds.no_valid_start = true;
                beta = new_beta;
                cur = next;
                last_change = f64::NAN;
                break;
            }
        }
        beta = new_beta;
        have_beta = true;
        cur = next;
        last_change = (cur.deviance - dev_old).abs() / (cur.deviance.abs() + 0.1);
        if last_change < fisher_tol {
            if polishing && !kept.is_empty() {
                let (b, d, it, ok) = newton_polish(data, &kept, beta.clone(), cur.deviance)?;
                if ok {
                    beta = b;
                    polished = Some(d);
                    iterations += it;
                    converged = true;
                    // Newton's method ended at a stationary point inside the valid range
                    bounds.boundary = false;
                    break;
                }
                // Newton's method could not finish: Fisher scoring goes on to the usual rule
                polishing = false;
                fisher_tol = ctl.tol;
            }
            if last_change < ctl.tol {
                if !confirm || confirmed {
                    converged = true;
                    break;
                }
                confirmed = true;
            }
        } else {
            confirmed = false;
        }
        dev_old = cur.deviance;
    }
    if !cur.valid {
        converged = false;
    }
    // ill-conditioned X (NIST Longley, Wampler): the normal equations lose κ(XᵀWX)·ε; Newton
    // steps in correction form, with the score summed row by row, refine β to the data's accuracy
    if converged && polished.is_none() && ctl.polish && !kept.is_empty() && ill_conditioned(&cur.xtwx, p, &kept) {
        if let Some((b, d)) = refine(data, &kept, &beta, cur.deviance)? {
            beta = b;
            polished = Some(d);
        }
    }
    let deviance = polished.unwrap_or(cur.deviance);
    let xtwx = (polished.is_none() && cur.valid).then_some(cur.xtwx);
    Ok(Irls {
        beta,
        kept,
        aliased,
        deviance,
        iterations,
        converged,
        last_change,
        halvings,
        xtwx,
        cov_unscaled: None,
        bounds,
    })
}

/// Smallest relative pivot l_kk² / a_kk of XᵀWX's Cholesky factor (a scale-free condition
/// estimate) below which β is refined.
const REFINE_PIVOT: f64 = 1e-4;

/// Whether XᵀWX on the kept columns is ill-conditioned enough (a relative pivot below
/// [`REFINE_PIVOT`], i.e. a scaled condition number above about 1e4) to refine β.
fn ill_conditioned(xtwx: &[f64], p: usize, kept: &[usize]) -> bool {
    let sub = crate::linalg::sub_matrix(xtwx, p, kept);
    let k = kept.len();
    match Cholesky::on(&sub, k, &(0..k).collect::<Vec<_>>()) {
        Some(ch) => (0..k).any(|j| ch.l[j * k + j].powi(2) < REFINE_PIVOT * sub[j * k + j]),
        None => true,
    }
}

/// Up to three Newton steps δ = H⁻¹U in correction form (iterative refinement of the normal
/// equations), each kept while it does not raise the deviance; stops when δ no longer changes β
/// (relative 1e-15). `None` when no step was taken.
fn refine<D: Passes>(
    data: &mut D,
    kept: &[usize],
    beta: &[f64],
    dev: f64,
) -> Result<Option<(Vec<f64>, f64)>, D::Error> {
    let k = kept.len();
    let mut best: Option<(Vec<f64>, f64)> = None;
    let mut b = beta.to_vec();
    let mut d = dev;
    for _ in 0..3 {
        let Some((u, h, _)) = data.score_and_hessian(kept, &b)? else {
            break;
        };
        let Some(ch) = Cholesky::on(&h, k, &(0..k).collect::<Vec<_>>()) else {
            break;
        };
        let step = ch.solve(&u);
        if kept.iter().zip(&step).all(|(&j, s)| s.abs() <= 1e-15 * b[j].abs()) {
            break;
        }
        let mut nb = b.clone();
        for (r, &j) in kept.iter().enumerate() {
            nb[j] += step[r];
        }
        match data.deviance(&nb)? {
            Some(nd) if nd <= d * (1.0 + 1e-12) => {
                b = nb;
                d = nd;
                best = Some((b.clone(), d));
            }
            _ => break,
        }
    }
    Ok(best)
}

/// The observation's weight in the observed information −∂²ℓ/∂η² (φ = 1):
/// W₀ = W + (y − μ) w (V′g′ + V g″) / (V² g′³), with W = w / (V g′²) the Fisher weight.
pub(crate) fn observed_weight(family: Family, link: Link, y: f64, mu: f64, w: f64) -> f64 {
    let (v, g1, g2) = (family.variance(mu), link.deriv(mu), link.deriv2(mu));
    w / (v * g1 * g1) + (y - mu) * w * (family.variance_deriv(mu) * g1 + v * g2) / (v * v * g1 * g1 * g1)
}

/// Score Xᵀ[w (y − μ)/(V g′)] and observed information XᵀW₀X (see the `fit` module) at β, on the
/// `kept` columns, with the deviance; `None` if β is outside the valid range. Rows are split
/// over `threads`.
#[allow(clippy::type_complexity)]
pub(crate) fn score_and_hessian(
    pb: &Problem,
    kept: &[usize],
    beta: &[f64],
    threads: usize,
) -> Option<(Vec<f64>, Vec<f64>, f64)> {
    let k = kept.len();
    let parts = dimorph_core::threads::map_ranges(&row_ranges(pb.n, threads), |r| {
        score_and_hessian_rows(pb, kept, beta, r)
    });
    let mut u = vec![0.0; k];
    let mut h = vec![0.0; k * k];
    let mut dev = 0.0;
    for part in parts {
        let (pu, ph, pd) = part?;
        u.iter_mut().zip(&pu).for_each(|(a, b)| *a += b);
        h.iter_mut().zip(&ph).for_each(|(a, b)| *a += b);
        dev += pd;
    }
    for r in 0..k {
        for c in 0..r {
            h[r * k + c] = h[c * k + r];
        }
    }
    Some((u, h, dev))
}

/// [`score_and_hessian`] over the rows `rows` (upper triangle of the information only).
fn score_and_hessian_rows(
    pb: &Problem,
    kept: &[usize],
    beta: &[f64],
    rows: std::ops::Range<usize>,
) -> Option<(Vec<f64>, Vec<f64>, f64)> {
    let (p, k) = (pb.p, kept.len());
    let mut u = vec![0.0; k];
    let mut h = vec![0.0; k * k];
    let mut dev = 0.0;
    let mut xk = vec![0.0; k];
    for i in rows {
        let xi = &pb.x[i * p..(i + 1) * p];
        let eta = dot(xi, beta) + pb.offset.map_or(0.0, |o| o[i]);
        if !pb.link.valid_eta(eta) {
            return None;
        }
        let mu = pb.link.inverse(eta);
        if !pb.family.valid_mu(mu) {
            return None;
        }
        let w = pb.w[i];
        if w == 0.0 {
            continue;
        }
        let y = pb.y[i];
        dev += w * pb.family.unit_deviance(y, mu);
        // dμ/dη = 1/g′(μ): `valid_eta` above keeps the sqrt link on η > 0, its branch where
        // μ = η² has dμ/dη = 2η = 2√μ
        let sc = w * (y - mu) / (pb.family.variance(mu) * pb.link.deriv(mu));
        let wo = observed_weight(pb.family, pb.link, y, mu, w);
        for (r, &jr) in kept.iter().enumerate() {
            xk[r] = xi[jr];
        }
        for r in 0..k {
            u[r] += sc * xk[r];
            let s = wo * xk[r];
            let hr = &mut h[r * k..(r + 1) * k];
            for c in r..k {
                hr[c] += s * xk[c];
            }
        }
    }
    Some((u, h, dev))
}

/// The deviance at β, `None` if β is outside the valid range (rows split over `threads`).
pub(crate) fn deviance_at(pb: &Problem, beta: &[f64], threads: usize) -> Option<f64> {
    let parts = dimorph_core::threads::map_ranges(&row_ranges(pb.n, threads), |r| {
        let mut dev = 0.0;
        for i in r {
            let eta = dot(&pb.x[i * pb.p..(i + 1) * pb.p], beta) + pb.offset.map_or(0.0, |o| o[i]);
            if !pb.link.valid_eta(eta) {
                return None;
            }
            let mu = pb.link.inverse(eta);
            if !pb.family.valid_mu(mu) {
                return None;
            }
            if pb.w[i] != 0.0 {
                dev += pb.w[i] * pb.family.unit_deviance(pb.y[i], mu);
            }
        }
        Some(dev)
    });
    parts.into_iter().sum()
}

/// Newton–Raphson steps with the observed information once Fisher scoring is close (relative
/// deviance change below 1e-5); `false` in the last place when it could not finish. For non-canonical links Fisher scoring can creep towards the optimum
/// (the identity-link Poisson crab model moves in the third digit for dozens of iterations
/// while the deviance changes by less than 1e-8); Newton's method, which SAS GENMOD uses, takes
/// it to the maximum in a few steps. Stops when the Newton decrement UᵀH⁻¹U (the predicted
/// drop in deviance / 2) is below 1e-20 relative, or after 50 steps; a step that raises the
/// deviance is halved, and a non-positive-definite Hessian ends the polish.
#[allow(clippy::type_complexity)]
fn newton_polish<D: Passes>(
    data: &mut D,
    kept: &[usize],
    mut beta: Vec<f64>,
    mut dev: f64,
) -> Result<(Vec<f64>, f64, usize, bool), D::Error> {
    let k = kept.len();
    let mut it = 0;
    let mut done = false;
    for _ in 0..50 {
        let Some((u, h, d)) = data.score_and_hessian(kept, &beta)? else {
            break;
        };
        dev = d;
        let Some(ch) = Cholesky::on(&h, k, &(0..k).collect::<Vec<_>>()) else {
            break;
        };
        let step = ch.solve(&u);
        let decrement: f64 = step.iter().zip(&u).map(|(a, b)| a * b).sum();
        if decrement.is_nan() {
            break;
        }
        if decrement <= 1e-20 * (dev.abs() + 1.0) {
            done = true;
            break;
        }
        let mut t = 1.0;
        let mut accepted = false;
        let mut stalled = false;
        for _ in 0..30 {
            let mut nb = beta.clone();
            for (r, &j) in kept.iter().enumerate() {
                nb[j] += t * step[r];
            }
            if let Some(d2) = data.deviance(&nb)? {
                if d2 <= dev + 1e-12 * dev.abs() {
                    beta = nb;
                    // a full step that no longer moves the deviance measurably, with a small
                    // predicted drop: rounding, not the optimum, is what is left (badly scaled
                    // columns keep the decrement above 1e-20 for ever)
                    stalled = t == 1.0 && dev - d2 <= 1e-15 * dev.abs() && decrement <= 1e-10 * (dev.abs() + 1.0);
                    dev = d2;
                    accepted = true;
                    break;
                }
            }
            t *= 0.5;
        }
        it += 1;
        if !accepted {
            break;
        }
        if stalled {
            done = true;
            break;
        }
    }
    Ok((beta, dev, it, done))
}

/// Coefficients of a constant-mean model at the weighted mean of y (the intercept-only MLE when
/// there is no offset), or `None` without a free intercept.
fn anchor_beta<D: Passes>(
    data: &mut D,
    p: usize,
    free: &[usize],
    intercept: Option<usize>,
    link: Link,
) -> Result<Option<Vec<f64>>, D::Error> {
    let Some(ic) = intercept.filter(|c| free.contains(c)) else {
        return Ok(None);
    };
    let (sw, swy) = data.weight_sums()?;
    let eta = link.link(swy / sw);
    if !eta.is_finite() {
        return Ok(None);
    }
    let mut b = vec![0.0; p];
    b[ic] = eta;
    Ok(Some(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One coefficient b whose Fisher step from b = 0 is 1e12; b beyond `wall` is outside the
    /// valid range (or, with `diverge`, valid with an infinite deviance).
    struct Wall {
        wall: f64,
        diverge: bool,
    }

    impl Passes for Wall {
        type Error = std::convert::Infallible;
        fn fisher(&mut self, beta: Option<&[f64]>) -> Result<Pass, Self::Error> {
            let b = beta.map_or(0.0, |b| b[0]);
            let inside = b <= self.wall;
            Ok(Pass {
                xtwx: vec![1.0],
                xtwz: vec![1e12],
                deviance: if inside { 10.0 - b * 1e-12 } else { f64::INFINITY },
                valid: inside || self.diverge,
            })
        }
        fn score_and_hessian(
            &mut self,
            _: &[usize],
            _: &[f64],
        ) -> Result<Option<(Vec<f64>, Vec<f64>, f64)>, Self::Error> {
            Ok(None)
        }
        fn deviance(&mut self, _: &[f64]) -> Result<Option<f64>, Self::Error> {
            Ok(None)
        }
        fn weight_sums(&mut self) -> Result<(f64, f64), Self::Error> {
            Ok((1.0, 1.0))
        }
    }

    fn wall_fit(wall: f64, diverge: bool) -> Irls {
        let ctl = Control {
            max_iter: 1,
            ..Control::default()
        };
        let model = (Family::Poisson, Link::Sqrt);
        match irls_with(&mut Wall { wall, diverge }, 1, &[0], None, model, Some(&[0.0]), ctl) {
            Ok(r) => r,
            Err(never) => match never {},
        }
    }

    /// A step still outside the valid range after 30 halvings (1e12 / 2³⁰ ≈ 931 > 1) stops the
    /// fit at the previous β, as R's glm.fit stops ("inner loop 2; cannot correct step size");
    /// a step that halving brings back (wall at 1e4) is taken and only counted.
    #[test]
    fn a_step_that_halving_cannot_correct_stops_the_fit() {
        let r = wall_fit(1.0, false);
        assert_eq!(r.bounds.stuck, Some(Stuck::Range));
        assert!(!r.converged);
        assert_eq!(r.beta, vec![0.0]);
        assert_eq!(r.halvings, 30);
        let msg = stuck_error(Link::Sqrt, Stuck::Range, "give --start").to_string();
        assert!(
            msg.contains("--start") && msg.contains("inner loop 2; cannot correct step size"),
            "{msg}"
        );

        let r = wall_fit(1.0, true);
        assert_eq!(r.bounds.stuck, Some(Stuck::Divergence));
        assert_eq!((r.bounds.truncated, r.bounds.diverged), (0, 1));
        let msg = stuck_error(Link::Sqrt, Stuck::Divergence, "give --start").to_string();
        assert!(msg.contains("inner loop 1; cannot correct step size"), "{msg}");

        let r = wall_fit(1e4, false);
        assert_eq!(r.bounds.stuck, None);
        assert_eq!((r.bounds.truncated, r.bounds.diverged, r.bounds.boundary), (1, 0, true));
        assert!(r.beta[0] > 0.0 && r.beta[0] <= 1e4, "{:?}", r.beta);
    }

    /// The warnings tell a step cut back into the range from one cut back for a non-finite
    /// deviance (R: "step size truncated due to divergence").
    #[test]
    fn divergence_and_range_warnings_are_told_apart() {
        let b = Bounds {
            truncated: 2,
            diverged: 1,
            ..Bounds::default()
        };
        let w = b.warnings(Link::Sqrt);
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(
            w[0].starts_with("step size truncated due to divergence 1 time:"),
            "{w:?}"
        );
        assert!(
            w[1].starts_with("step size truncated 2 times: a Fisher step left the valid range"),
            "{w:?}"
        );
    }

    /// Both kernels (portable and, where the processor has it, AVX2/FMA) against the plain
    /// triple loop, for widths around the tile sizes and a partial last block.
    #[test]
    fn kernels_match_the_plain_sum() {
        for p in [1usize, 3, 4, 8, 9, 21, 26] {
            let m = 37;
            let xs: Vec<f64> = (0..m * p).map(|k| ((k * 7919) % 1000) as f64 / 500.0 - 1.0).collect();
            let sw: Vec<f64> = (0..m).map(|r| 0.5 + (r % 5) as f64 * 0.3).collect();
            let wz: Vec<f64> = (0..m).map(|r| (r % 3) as f64 - 1.0).collect();
            let mut want = vec![0.0; p * p];
            let mut want_b = vec![0.0; p];
            for r in 0..m {
                for j in 0..p {
                    want_b[j] += wz[r] * xs[r * p + j];
                    for k in j..p {
                        want[j * p + k] += sw[r] * sw[r] * xs[r * p + j] * xs[r * p + k];
                    }
                }
            }
            let mut u = Vec::new();
            let (mut a1, mut b1) = (vec![0.0; p * p], vec![0.0; p]);
            accumulate_generic::<false>(&mut a1, &mut b1, p, &xs, &sw, &wz, &mut u);
            let (mut a2, mut b2) = (vec![0.0; p * p], vec![0.0; p]);
            accumulate(&mut a2, &mut b2, p, &xs, &sw, &wz, &mut u);
            for (k, w) in want.iter().enumerate() {
                assert!((a1[k] - w).abs() < 1e-12 * (1.0 + w.abs()), "generic p={p} {k}");
                assert!((a2[k] - w).abs() < 1e-12 * (1.0 + w.abs()), "dispatched p={p} {k}");
            }
            for (k, w) in want_b.iter().enumerate() {
                assert!((b1[k] - w).abs() < 1e-12 && (b2[k] - w).abs() < 1e-12, "b p={p} {k}");
            }
        }
    }

    #[test]
    fn threaded_pass_equals_serial_pass() {
        let n = 50_000;
        let p = 3;
        let mut x = Vec::with_capacity(n * p);
        let mut y = Vec::with_capacity(n);
        for i in 0..n {
            let t = (i as f64 * 0.37).sin();
            x.extend_from_slice(&[1.0, t, (i % 7) as f64]);
            y.push(((i * 31) % 5) as f64);
        }
        let w = vec![1.0; n];
        let pb = Problem {
            x: &x,
            n,
            p,
            y: &y,
            w: &w,
            offset: None,
            family: Family::Poisson,
            link: Link::Log,
        };
        let beta = [0.5, 0.1, -0.05];
        let a = pass_at(&pb, &beta, 1);
        let b = pass_at(&pb, &beta, 2);
        assert!((a.deviance - b.deviance).abs() < 1e-9 * a.deviance);
        for (u, v) in a.xtwx.iter().zip(&b.xtwx) {
            assert!((u - v).abs() < 1e-9 * u.abs().max(1.0));
        }
    }
}
