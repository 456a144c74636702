//! Gradient descent of KL(P ‖ Q): early exaggeration (P × 12 for 250 iterations), then the normal
//! phase; momentum 0.8; per-coordinate gains (+0.2 when the gradient changes sign against the last
//! update, otherwise ×0.8 + 0.01); each point's step clipped to length 5; the embedding re-centred
//! after each step (openTSNE 1.0's `gradient_descent`); optionally late exaggeration in the normal
//! phase (FIt-SNE, Linderman et al. 2019). Learning rate n/exaggeration: n/12 in the
//! early phase (Belkina et al. 2019), n after, as openTSNE's default. From 50,000 points on, the
//! points are renumbered along a Z-order curve of the layout every 50 iterations
//! ([`crate::relabel`]), so that the attractive pass finds neighbours' coordinates close in memory.

use crate::affinity::Csr;
use crate::fft::FftRepulsion;
use crate::gradient::{attractive, kl_divergence, repulsive_exact};
use crate::params::GradientMethod;
use crate::progress::Progress;
use crate::relabel::{permute_csr, permute_pairs, z_order};
use crate::rng::Rng;
use dimorph_core::threads::{map_each, ranges};
use std::time::Instant;

/// Largest step of one point in one iteration.
pub const MAX_STEP: f64 = 5.0;

/// The optimisation schedule.
#[derive(Clone, Debug)]
pub struct Schedule {
    pub early_exaggeration: f64,
    pub early_iter: usize,
    pub n_iter: usize,
    /// Exaggeration of the normal phase: 1 = none; above 1, FIt-SNE's late exaggeration (Linderman
    /// et al. 2019, recommended for millions of points), applied to every iteration after early
    /// exaggeration (FIt-SNE's `start_late_exag_iter` at the end of the early phase).
    pub late_exaggeration: f64,
    /// Fixed learning rate; `None`: n / (the phase's exaggeration), i.e. n/12 during early
    /// exaggeration and n after (openTSNE 1.0's "auto", after Belkina et al. 2019).
    pub learning_rate: Option<f64>,
    pub momentum: f64,
    pub alpha: f64,
    pub method: GradientMethod,
    pub threads: usize,
}

/// Scales coordinates so that the first has standard deviation `target` (openTSNE's `rescale`).
pub fn rescale(y: &mut [f64], target: f64) {
    let n = y.len() / 2;
    let mean = y.iter().step_by(2).sum::<f64>() / n as f64;
    let var = y.iter().step_by(2).map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64;
    let sd = var.sqrt();
    if sd > 0.0 {
        y.iter_mut().for_each(|v| *v *= target / sd);
    }
}

/// Normal coordinates with standard deviation `sd`.
pub fn random_init(n: usize, sd: f64, rng: &mut Rng) -> Vec<f64> {
    (0..2 * n).map(|_| rng.normal() * sd).collect()
}

/// Whether this iteration uses the exact repulsion.
fn use_exact(y: &[f64], s: &Schedule) -> bool {
    match s.method {
        GradientMethod::Exact => true,
        GradientMethod::Fft => false,
        GradientMethod::Auto => crate::fft::exact_is_cheaper(y, s.alpha),
    }
}

/// The gradient (constant 4 dropped, see [`crate::gradient`]) at `y`; returns Z and whether the
/// repulsion was exact.
pub fn gradient(p: &Csr, y: &[f64], exag: f64, s: &Schedule, fft: &mut FftRepulsion, grad: &mut [f64]) -> (f64, bool) {
    let mut secs = [0.0; 2];
    gradient_timed(p, y, exag, s, fft, grad, &mut secs)
}

/// [`gradient`], adding the seconds of the attractive and the repulsive parts to `secs`.
fn gradient_timed(
    p: &Csr,
    y: &[f64],
    exag: f64,
    s: &Schedule,
    fft: &mut FftRepulsion,
    grad: &mut [f64],
    secs: &mut [f64; 2],
) -> (f64, bool) {
    let t = Instant::now();
    attractive(p, y, s.alpha, exag, grad, s.threads);
    secs[0] += t.elapsed().as_secs_f64();
    let t = Instant::now();
    let exact = use_exact(y, s);
    let z = if exact {
        let (rep, z) = repulsive_exact(y, s.alpha, s.threads);
        for (g, r) in grad.iter_mut().zip(&rep) {
            *g -= r / z;
        }
        z
    } else {
        fft.subtract_repulsion(y, s.alpha, grad)
    };
    secs[1] += t.elapsed().as_secs_f64();
    (z, exact)
}

/// Result of [`run`].
pub struct Optimised {
    pub y: Vec<f64>,
    pub kl: f64,
    /// Iterations whose repulsion was computed exactly (the rest by FFT interpolation).
    pub exact_iterations: usize,
    /// Iterations whose FFT grid was capped at [`crate::fft::MAX_BOXES`] boxes per side (boxes
    /// wider than one unit: a coarser repulsion).
    pub coarse_iterations: usize,
    /// Seconds per part of the optimisation, summed over iterations: the attractive forces, the
    /// repulsion (of which, for FFT iterations: sorting by box, spreading, the kernel's spectrum,
    /// the FFTs, interpolation), and the update of gains, steps and coordinates.
    pub phases: Vec<(String, f64)>,
}

/// Why [`run`] gave no layout: the coordinates or the KL divergence stopped being finite numbers.
#[derive(Clone, Debug)]
pub struct Diverged {
    /// 1-based iteration after which the coordinates were not finite (`None`: the final KL
    /// divergence was not).
    pub iteration: Option<usize>,
    /// Iterations in all.
    pub total: usize,
    /// Whether it happened during early exaggeration.
    pub early: bool,
}

impl std::fmt::Display for Diverged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.iteration {
            Some(it) => write!(
                f,
                "the optimisation diverged: after iteration {it} of {} ({}) the coordinates are no \
                 longer finite numbers",
                self.total,
                if self.early {
                    "early exaggeration"
                } else {
                    "normal phase"
                }
            )?,
            None => f.write_str("the KL divergence of the final layout is not a finite number")?,
        }
        f.write_str("; lower --learning-rate or --exaggeration, bring --alpha closer to 1, or rescale the features")
    }
}

/// Runs the schedule from `y` (2n coordinates); stops with [`Diverged`] as soon as a coordinate
/// is not a finite number (the next gradient would be meaningless, and an FFT grid cannot cover
/// it).
pub fn run(p: &Csr, y: Vec<f64>, s: &Schedule, progress: Progress) -> Result<Optimised, Diverged> {
    let every = if y.len() / 2 >= RELABEL_MIN { RELABEL_EVERY } else { 0 };
    run_relabelled(p, y, s, progress, every)
}

/// Fewest points for which [`run`] renumbers them for memory locality (below, the coordinates
/// fit the caches anyway).
const RELABEL_MIN: usize = 50_000;
/// Iterations between renumberings.
const RELABEL_EVERY: usize = 50;

/// Renumbers the points in Z-order of the layout (see [`crate::relabel`]): P, the coordinates,
/// steps and gains, and `labels` (the original number of each point).
struct Renumbered {
    p: Option<Csr>,
    labels: Vec<u32>,
    secs: f64,
}

impl Renumbered {
    fn apply(&mut self, p: &Csr, y: &mut Vec<f64>, update: &mut Vec<f64>, gains: &mut Vec<f64>) {
        let t = Instant::now();
        let order = z_order(y);
        self.p = Some(permute_csr(self.p.as_ref().unwrap_or(p), &order));
        *y = permute_pairs(y, &order);
        *update = permute_pairs(update, &order);
        *gains = permute_pairs(gains, &order);
        self.labels = order.iter().map(|&k| self.labels[k as usize]).collect();
        self.secs += t.elapsed().as_secs_f64();
    }

    /// The coordinates back in the original numbering.
    fn restore(&self, y: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; y.len()];
        for (k, &i) in self.labels.iter().enumerate() {
            out[2 * i as usize] = y[2 * k];
            out[2 * i as usize + 1] = y[2 * k + 1];
        }
        out
    }
}

/// [`run`], renumbering the points for locality every `every` iterations (0: never).
fn run_relabelled(
    p0: &Csr,
    mut y: Vec<f64>,
    s: &Schedule,
    progress: Progress,
    every: usize,
) -> Result<Optimised, Diverged> {
    let relabel = every > 0;
    let mut exact_iterations = 0;
    let n = y.len() / 2;
    let mut update = vec![0.0f64; 2 * n];
    let mut gains = vec![1.0f64; 2 * n];
    let mut grad = vec![0.0f64; 2 * n];
    let mut fft = FftRepulsion::new(s.threads);
    let (mut secs, mut secs_update) = ([0.0f64; 2], 0.0f64);
    let total = s.early_iter + s.n_iter;
    let mut re = Renumbered {
        p: None,
        labels: (0..(y.len() / 2) as u32).collect(),
        secs: 0.0,
    };
    for it in 0..total {
        dimorph_core::interrupt::poll();
        if relabel && it % every == 0 {
            re.apply(p0, &mut y, &mut update, &mut gains);
        }
        let p = re.p.as_ref().unwrap_or(p0);
        let early = it < s.early_iter;
        let exag = if early {
            s.early_exaggeration
        } else {
            s.late_exaggeration
        };
        let lr = s.learning_rate.unwrap_or(n as f64 / exag);
        exact_iterations += gradient_timed(p, &y, exag, s, &mut fft, &mut grad, &mut secs).1 as usize;
        let t = Instant::now();
        let finite = step(&mut y, &mut update, &mut gains, &grad, lr, s.momentum, s.threads);
        if !finite {
            return Err(Diverged {
                iteration: Some(it + 1),
                total,
                early,
            });
        }
        secs_update += t.elapsed().as_secs_f64();
        if (it + 1) % 10 == 0 || it + 1 == total {
            progress(
                if early {
                    "optimise (early exaggeration)"
                } else {
                    "optimise"
                },
                it + 1,
                total,
            );
        }
    }
    let coarse_iterations = fft.coarse_calls;
    let p = re.p.as_ref().unwrap_or(p0);
    // Z for the final KL divergence
    let z = if use_exact(&y, s) {
        repulsive_exact(&y, s.alpha, s.threads).1
    } else {
        fft.repulsion(&y, s.alpha).1
    };
    let kl = kl_divergence(p, &y, s.alpha, z);
    if !kl.is_finite() {
        return Err(Diverged {
            iteration: None,
            total,
            early: false,
        });
    }
    let ft = fft.times;
    let phases = [
        ("attractive", secs[0]),
        ("repulsion", secs[1]),
        ("repulsion: sort by box", ft.sort),
        ("repulsion: spread", ft.spread),
        ("repulsion: kernel spectrum", ft.kernel),
        ("repulsion: FFTs", ft.fft),
        ("repulsion: interpolate", ft.interpolate),
        ("update", secs_update),
        ("renumbering for locality", re.secs),
    ];
    Ok(Optimised {
        y: if relabel { re.restore(&y) } else { y },
        kl,
        exact_iterations,
        coarse_iterations,
        phases: phases.iter().map(|(k, v)| (format!("optimize: {k}"), *v)).collect(),
    })
}

/// Points per block of the coordinate sums for re-centring (fixed, so that the sums do not depend
/// on the thread count).
const BLOCK: usize = 4096;

/// One step of every point (gains, momentum, clipping at [`MAX_STEP`]), then the re-centring;
/// threaded over blocks of points. Returns false (leaving `y` not re-centred) when a coordinate is
/// no longer finite.
fn step(
    y: &mut [f64],
    update: &mut [f64],
    gains: &mut [f64],
    grad: &[f64],
    lr: f64,
    momentum: f64,
    threads: usize,
) -> bool {
    let n = y.len() / 2;
    let blocks = n.div_ceil(BLOCK);
    let parts = ranges(blocks, threads);
    // (per-block coordinate sums, all finite) of each thread's blocks
    let sums: Vec<(Vec<[f64; 2]>, bool)> = {
        let mut work = Vec::with_capacity(parts.len());
        let (mut yr, mut ur, mut gr, mut dr) = (&mut *y, &mut *update, &mut *gains, grad);
        for r in &parts {
            let len = (2 * r.end * BLOCK).min(2 * n) - 2 * r.start * BLOCK;
            let (ya, yb) = yr.split_at_mut(len);
            let (ua, ub) = ur.split_at_mut(len);
            let (ga, gb) = gr.split_at_mut(len);
            let (da, db) = dr.split_at(len);
            work.push((ya, ua, ga, da));
            (yr, ur, gr, dr) = (yb, ub, gb, db);
        }
        map_each(work, |(ya, ua, ga, da)| step_block(ya, ua, ga, da, lr, momentum))
    };
    if !sums.iter().all(|s| s.1) {
        return false;
    }
    let (mx, my) = sums
        .iter()
        .flat_map(|s| &s.0)
        .fold((0.0, 0.0), |(a, b), c| (a + c[0], b + c[1]));
    let (mx, my) = (mx / n as f64, my / n as f64);
    dimorph_core::threads::map_blocks_mut(y, 2, &ranges(n, threads), |_, chunk| {
        for c in chunk.chunks_exact_mut(2) {
            c[0] -= mx;
            c[1] -= my;
        }
    });
    true
}

/// [`step`] on a run of points: their per-[`BLOCK`] coordinate sums after the step, and whether
/// all coordinates are finite.
fn step_block(
    y: &mut [f64],
    update: &mut [f64],
    gains: &mut [f64],
    grad: &[f64],
    lr: f64,
    momentum: f64,
) -> (Vec<[f64; 2]>, bool) {
    let mut sums = Vec::new();
    let mut finite = true;
    for (((yb, ub), gb), db) in y
        .chunks_mut(2 * BLOCK)
        .zip(update.chunks_mut(2 * BLOCK))
        .zip(gains.chunks_mut(2 * BLOCK))
        .zip(grad.chunks(2 * BLOCK))
    {
        let (mut sx, mut sy) = (0.0, 0.0);
        for (((yi, u), g), d) in yb
            .chunks_exact_mut(2)
            .zip(ub.chunks_exact_mut(2))
            .zip(gb.chunks_exact_mut(2))
            .zip(db.chunks_exact(2))
        {
            let mut norm2 = 0.0;
            for c in 0..2 {
                // numpy's np.sign(update) != np.sign(gradient), as openTSNE
                g[c] = if sign(u[c]) != sign(d[c]) {
                    g[c] + 0.2
                } else {
                    g[c] * 0.8 + 0.01
                };
                u[c] = momentum * u[c] - lr * g[c] * d[c];
                norm2 += u[c] * u[c];
            }
            if norm2 > MAX_STEP * MAX_STEP {
                let f = MAX_STEP / norm2.sqrt();
                u[0] *= f;
                u[1] *= f;
            }
            yi[0] += u[0];
            yi[1] += u[1];
            finite &= yi[0].is_finite() && yi[1].is_finite();
            sx += yi[0];
            sy += yi[1];
        }
        sums.push([sx, sy]);
    }
    (sums, finite)
}

/// numpy's sign: −1, 0 or 1.
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

    /// A ring of 4,000 points, each joined to its 6 ring neighbours (symmetric, summing to 1).
    fn ring(n: usize) -> Csr {
        let (mut indptr, mut indices, mut values) = (vec![0], Vec::new(), Vec::new());
        for i in 0..n {
            for d in [1, 2, 3, n - 3, n - 2, n - 1] {
                indices.push(((i + d) % n) as u32);
                values.push(1.0 / (6 * n) as f64);
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

    /// With FFT repulsion the layout is the same bit for bit whatever the thread count (the
    /// charges reach each node in box order, Z and the centring are summed over fixed blocks).
    #[test]
    fn fft_layouts_do_not_depend_on_the_thread_count() {
        let n = 4000;
        let p = ring(n);
        let mut rng = Rng::new(2);
        let y0 = random_init(n, 1e-4, &mut rng);
        let layout = |threads: usize| {
            let s = Schedule {
                early_exaggeration: 12.0,
                early_iter: 30,
                n_iter: 40,
                late_exaggeration: 1.0,
                learning_rate: None,
                momentum: 0.8,
                alpha: 1.0,
                method: GradientMethod::Fft,
                threads,
            };
            run(&p, y0.clone(), &s, &mut |_, _, _| {})
                .map(|o| o.y)
                .ok()
                .unwrap_or_default()
        };
        let one = layout(1);
        assert_eq!(one.len(), 2 * n);
        // the layout spread beyond the first grid (several grids, spectra kept and renewed)
        let (lo, hi) = one.iter().fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
        assert!(hi - lo > 1.0, "{lo} {hi}");
        for threads in [2, 3] {
            let other = layout(threads);
            assert!(
                one.iter().zip(&other).all(|(a, b)| a.to_bits() == b.to_bits()),
                "threads {threads}"
            );
        }
    }

    /// Renumbering the points for locality (here every 3 iterations) changes only the order of
    /// floating-point sums in the repulsion: the layout comes back in the original numbering, the
    /// same as without to rounding.
    #[test]
    fn renumbering_keeps_the_layout() {
        let n = 4000;
        let p = ring(n);
        let mut rng = Rng::new(6);
        // 12 iterations (the optimisation amplifies rounding differences chaotically: 1e-15
        // relative after 10 iterations, 2e-5 after 30)
        let y0 = random_init(n, 1e-4, &mut rng);
        let s = Schedule {
            early_exaggeration: 12.0,
            early_iter: 8,
            n_iter: 4,
            late_exaggeration: 1.0,
            learning_rate: None,
            momentum: 0.8,
            alpha: 1.0,
            method: GradientMethod::Fft,
            threads: 2,
        };
        let with = run_relabelled(&p, y0.clone(), &s, &mut |_, _, _| {}, 3).map(|o| (o.y, o.kl));
        let without = run_relabelled(&p, y0, &s, &mut |_, _, _| {}, 0).map(|o| (o.y, o.kl));
        let ((a, ka), (b, kb)) = (with.ok().unwrap_or_default(), without.ok().unwrap_or_default());
        assert_eq!(a.len(), 2 * n);
        let spread = b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let diff = a.iter().zip(&b).fold(0.0f64, |m, (x, y)| m.max((x - y).abs()));
        assert!(
            diff < 1e-12 * spread,
            "largest difference {diff}, layout half-width {spread}"
        );
        assert!((ka - kb).abs() < 1e-9 * kb, "KL {ka} vs {kb}");
    }

    /// The threaded step equals the update written out point by point.
    #[test]
    fn step_matches_the_plain_update() {
        let n = 10_000;
        let mut rng = Rng::new(4);
        let mut y: Vec<f64> = (0..2 * n).map(|_| rng.normal() * 10.0).collect();
        let mut update: Vec<f64> = (0..2 * n).map(|_| rng.normal()).collect();
        let mut gains: Vec<f64> = (0..2 * n).map(|_| 0.5 + rng.normal().abs()).collect();
        let grad: Vec<f64> = (0..2 * n)
            .map(|i| if i % 7 == 0 { 0.0 } else { rng.normal() * 0.01 })
            .collect();
        let (mut y2, mut u2, mut g2) = (y.clone(), update.clone(), gains.clone());
        assert!(step(&mut y, &mut update, &mut gains, &grad, 300.0, 0.8, 3));
        for c in 0..2 * n {
            g2[c] = if sign(u2[c]) != sign(grad[c]) {
                g2[c] + 0.2
            } else {
                g2[c] * 0.8 + 0.01
            };
            u2[c] = 0.8 * u2[c] - 300.0 * g2[c] * grad[c];
        }
        for i in 0..n {
            let norm = (u2[2 * i].powi(2) + u2[2 * i + 1].powi(2)).sqrt();
            if norm > MAX_STEP {
                u2[2 * i] *= MAX_STEP / norm;
                u2[2 * i + 1] *= MAX_STEP / norm;
            }
            y2[2 * i] += u2[2 * i];
            y2[2 * i + 1] += u2[2 * i + 1];
        }
        let mx = y2.iter().step_by(2).sum::<f64>() / n as f64;
        let my = y2.iter().skip(1).step_by(2).sum::<f64>() / n as f64;
        for i in 0..n {
            y2[2 * i] -= mx;
            y2[2 * i + 1] -= my;
        }
        assert_eq!(gains, g2);
        assert!(update.iter().zip(&u2).all(|(a, b)| (a - b).abs() <= 1e-15 * b.abs()));
        assert!(
            y.iter().zip(&y2).all(|(a, b)| (a - b).abs() < 1e-9),
            "centred coordinates differ"
        );
        let mut bad = y.clone();
        bad[5] = f64::MAX;
        let mut u3 = vec![f64::MAX; 2 * n];
        assert!(!step(&mut bad, &mut u3, &mut gains.clone(), &grad, 1.0, 2.0, 2));
    }
}
