//! Gradient descent of KL(P ‖ Q): early exaggeration (P × 12 for 250 iterations), then the normal
//! phase; momentum 0.8; per-coordinate gains (+0.2 when the gradient changes sign against the last
//! update, otherwise ×0.8 + 0.01); each point's step clipped to length 5; the embedding re-centred
//! after each step (openTSNE 1.0's `gradient_descent`); optionally late exaggeration in the normal
//! phase (FIt-SNE, Linderman et al. 2019). Learning rate n/exaggeration: n/12 in the
//! early phase (Belkina et al. 2019), n after, as openTSNE's default.

use crate::affinity::Csr;
use crate::fft::FftRepulsion;
use crate::gradient::{attractive, kl_divergence, repulsive_exact};
use crate::params::GradientMethod;
use crate::progress::Progress;
use crate::rng::Rng;

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
    attractive(p, y, s.alpha, exag, grad, s.threads);
    let exact = use_exact(y, s);
    let (rep, z) = if exact {
        repulsive_exact(y, s.alpha, s.threads)
    } else {
        fft.repulsion(y, s.alpha)
    };
    for (g, r) in grad.iter_mut().zip(&rep) {
        *g -= r / z;
    }
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
pub fn run(p: &Csr, mut y: Vec<f64>, s: &Schedule, progress: Progress) -> Result<Optimised, Diverged> {
    let mut exact_iterations = 0;
    let n = y.len() / 2;
    let mut update = vec![0.0f64; 2 * n];
    let mut gains = vec![1.0f64; 2 * n];
    let mut grad = vec![0.0f64; 2 * n];
    let mut fft = FftRepulsion::new(s.threads);
    let total = s.early_iter + s.n_iter;
    for it in 0..total {
        let early = it < s.early_iter;
        let exag = if early {
            s.early_exaggeration
        } else {
            s.late_exaggeration
        };
        let lr = s.learning_rate.unwrap_or(n as f64 / exag);
        exact_iterations += gradient(p, &y, exag, s, &mut fft, &mut grad).1 as usize;
        for i in 0..n {
            let mut norm2 = 0.0;
            for c in 2 * i..2 * i + 2 {
                // numpy's np.sign(update) != np.sign(gradient), as openTSNE
                gains[c] = if sign(update[c]) != sign(grad[c]) {
                    gains[c] + 0.2
                } else {
                    gains[c] * 0.8 + 0.01
                };
                update[c] = s.momentum * update[c] - lr * gains[c] * grad[c];
                norm2 += update[c] * update[c];
            }
            if norm2 > MAX_STEP * MAX_STEP {
                let f = MAX_STEP / norm2.sqrt();
                update[2 * i] *= f;
                update[2 * i + 1] *= f;
            }
            y[2 * i] += update[2 * i];
            y[2 * i + 1] += update[2 * i + 1];
        }
        if !y.iter().all(|v| v.is_finite()) {
            return Err(Diverged {
                iteration: Some(it + 1),
                total,
                early,
            });
        }
        let (mx, my) = y.chunks_exact(2).fold((0.0, 0.0), |(a, b), c| (a + c[0], b + c[1]));
        for c in y.chunks_exact_mut(2) {
            c[0] -= mx / n as f64;
            c[1] -= my / n as f64;
        }
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
    Ok(Optimised {
        y,
        kl,
        exact_iterations,
        coarse_iterations,
    })
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
