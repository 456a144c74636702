//! Profile penalised-likelihood confidence limits and penalised likelihood-ratio tests of
//! Firth's logistic regression (Heinze & Schemper 2002, §2.2; logistf's default `pl = TRUE`).
//!
//! The profile of coefficient j is ℓ*ₚ(b) = max ℓ*(β) over β with βⱼ = b (the penalty keeps
//! the full design's information). The limits of the level-(1 − α) interval are the two b with
//! 2[ℓ*(β̂) − ℓ*ₚ(b)] = χ²₁,₁₋α; the test of βⱼ = 0 compares 2[ℓ*(β̂) − ℓ*ₚ(0)] with χ²₁.
//! logistf finds the limits by the Venzon–Moolgavkar iteration; here each limit is bracketed by
//! doubling steps from β̂ⱼ and found by Brent's root finder on ℓ*ₚ(b) − ℓ*(β̂) + χ²/2, each
//! evaluation a constrained fit warm-started from the previous one — the same point, to the
//! root finder's tolerance.

use super::penalised::{maximise, Data, Fit};

/// Most doublings of the bracketing step before a limit is declared not found.
const MAX_DOUBLINGS: usize = 60;

/// Relative tolerance of a limit.
const ROOT_TOL: f64 = 1e-10;

/// A profile confidence limit, or why there is none.
#[derive(Debug, Clone)]
pub enum Limit {
    Found(f64),
    /// The reason the limit could not be found.
    Missing(String),
}

impl Limit {
    pub fn value(&self) -> Option<f64> {
        match self {
            Limit::Found(v) => Some(*v),
            Limit::Missing(_) => None,
        }
    }
}

/// The constrained maximiser for one coefficient, warm-starting each fit from the last.
struct Profiler<'a> {
    d: &'a Data<'a>,
    j: usize,
    free: Vec<usize>,
    warm: Vec<f64>,
    max_iter: usize,
    failed: Option<String>,
}

impl<'a> Profiler<'a> {
    fn new(d: &'a Data<'a>, j: usize, beta_hat: &[f64], max_iter: usize) -> Self {
        Profiler {
            d,
            j,
            free: (0..d.k).filter(|&c| c != j).collect(),
            warm: beta_hat.to_vec(),
            max_iter,
            failed: None,
        }
    }

    /// ℓ*ₚ(b); NaN (and the reason kept) when the constrained fit fails.
    fn at(&mut self, b: f64) -> f64 {
        let mut start = self.warm.clone();
        start[self.j] = b;
        match maximise(self.d, &start, &self.free, self.max_iter) {
            Ok(Fit {
                state, converged: true, ..
            }) => {
                self.warm = state.beta.clone();
                state.penalised
            }
            Ok(f) => {
                self.failed = Some(format!(
                    "the constrained fit at {} did not converge in {} iterations",
                    dimorph_core::text::num(b),
                    f.iterations
                ));
                f64::NAN
            }
            Err(_) => {
                self.failed = Some(format!(
                    "the information matrix is singular at {}",
                    dimorph_core::text::num(b)
                ));
                f64::NAN
            }
        }
    }
}

/// The penalised log-likelihood maximised with coefficient `j` fixed at `value`, and whether
/// that fit converged.
pub fn constrained(d: &Data, beta_hat: &[f64], j: usize, value: f64, max_iter: usize) -> Option<(f64, bool)> {
    let mut start = beta_hat.to_vec();
    start[j] = value;
    let free: Vec<usize> = (0..d.k).filter(|&c| c != j).collect();
    maximise(d, &start, &free, max_iter)
        .ok()
        .map(|f| (f.state.penalised, f.converged))
}

/// The limit of coefficient `j` on the side `dir` (−1 lower, +1 upper) where the profile falls to
/// `target`; `step` is the first distance tried (a standard error).
pub fn limit(d: &Data, beta_hat: &[f64], j: usize, target: f64, dir: f64, step: f64, max_iter: usize) -> Limit {
    let mut p = Profiler::new(d, j, beta_hat, max_iter);
    let b0 = beta_hat[j];
    let mut inside = b0;
    let mut dist = if step.is_finite() && step > 0.0 { step } else { 1.0 };
    for _ in 0..MAX_DOUBLINGS {
        let b = b0 + dir * dist;
        let g = p.at(b);
        if g.is_nan() {
            return Limit::Missing(p.failed.take().unwrap_or_default());
        }
        if g < target {
            return brent(&mut p, inside, b, target);
        }
        inside = b;
        dist *= 2.0;
    }
    Limit::Missing(format!(
        "the penalised likelihood does not fall to the limit within {} of the estimate",
        dimorph_core::text::num(dist)
    ))
}

/// Brent's root finder (Brent 1973, ch. 4, `zeroin`) on f(b) = ℓ*ₚ(b) − target between `a`
/// (f > 0) and `b` (f < 0).
fn brent(p: &mut Profiler, a: f64, b: f64, target: f64) -> Limit {
    let (mut a, mut b) = (a, b);
    let mut fa = p.at(a) - target;
    let mut fb = p.at(b) - target;
    if fa.is_nan() || fb.is_nan() {
        return Limit::Missing(p.failed.take().unwrap_or_default());
    }
    let (mut c, mut fc) = (a, fa);
    let mut e = b - a;
    let mut dstep = e;
    for _ in 0..200 {
        if fb.abs() > fc.abs() {
            (a, b, c) = (b, c, b);
            (fa, fb, fc) = (fb, fc, fb);
        }
        let tol = 2.0 * f64::EPSILON * b.abs() + 0.5 * ROOT_TOL * (1.0 + b.abs());
        let m = 0.5 * (c - b);
        if m.abs() <= tol || fb == 0.0 {
            return Limit::Found(b);
        }
        if e.abs() >= tol && fa.abs() > fb.abs() {
            let s = fb / fa;
            let (mut pp, mut q) = if a == c {
                (2.0 * m * s, 1.0 - s)
            } else {
                let q0 = fa / fc;
                let r = fb / fc;
                (
                    s * (2.0 * m * q0 * (q0 - r) - (b - a) * (r - 1.0)),
                    (q0 - 1.0) * (r - 1.0) * (s - 1.0),
                )
            };
            if pp > 0.0 {
                q = -q;
            } else {
                pp = -pp;
            }
            if 2.0 * pp < (3.0 * m * q - (tol * q).abs()).min((e * q).abs()) {
                e = dstep;
                dstep = pp / q;
            } else {
                dstep = m;
                e = m;
            }
        } else {
            dstep = m;
            e = m;
        }
        a = b;
        fa = fb;
        b += if dstep.abs() > tol { dstep } else { tol.copysign(m) };
        fb = p.at(b) - target;
        if fb.is_nan() {
            return Limit::Missing(p.failed.take().unwrap_or_default());
        }
        if (fb > 0.0) == (fc > 0.0) {
            c = a;
            fc = fa;
            e = b - a;
            dstep = e;
        }
    }
    Limit::Found(b)
}
