//! Firth's penalised log-likelihood of logistic regression and its maximisation.
//!
//! Firth (1993, Biometrika 80:27–38) removes the O(1/n) bias of the maximum likelihood estimate
//! by maximising ℓ*(β) = ℓ(β) + τ log|I(β)| with τ = ½ (the Jeffreys prior), where ℓ is the
//! binomial log-likelihood Σ mᵢ[yᵢ log πᵢ + (1 − yᵢ) log(1 − πᵢ)] and I(β) = Xᵀ W X with
//! W = diag(mᵢ πᵢ(1 − πᵢ)). Heinze & Schemper (2002, Stat Med 21:2409–2419, eq. 2) write the
//! modified score as U*ⱼ = Σᵢ xᵢⱼ [mᵢ(yᵢ − πᵢ) + hᵢ(½ − πᵢ)], hᵢ the diagonal of the hat matrix
//! W^½ X I⁻¹ Xᵀ W^½. As logistf (1.26, `logistffit_revised`), the Newton direction is
//! Ĩ⁻¹U* with the information of the augmented data Ĩ = Xᵀ diag((mᵢ + hᵢ) πᵢ(1 − πᵢ)) X, each
//! step is capped at 5 in its largest coordinate, and a step that lowers ℓ* is halved; Ĩ⁻¹ at
//! the estimate is the covariance logistf reports. Where the design is small enough, the step
//! uses the exact Hessian of ℓ* instead (where it is negative definite): near separation Ĩ is a
//! poor approximation and the iteration above creeps (hundreds of iterations on a constrained
//! fit of the profile); the maximum is the same.
//!
//! A subset of coefficients can be held fixed (the profile and the penalised likelihood-ratio
//! tests): the penalty keeps the information of the full design, as logistf's `terms.fit`.

use crate::linalg::Cholesky;

/// τ of the Jeffreys prior: ℓ*(β) = ℓ(β) + τ log|I(β)|.
pub const TAU: f64 = 0.5;

/// Largest step (in its largest coordinate) of one iteration, logistf's `maxstep`.
pub const MAX_STEP: f64 = 5.0;

/// Most step halvings within one iteration.
const MAX_HALVINGS: usize = 40;

/// Iterations on logistf's direction Ĩ⁻¹U* before the exact Hessian is brought in (most fits
/// converge before; near separation the iteration creeps and Newton takes over).
const QUASI_ITER: usize = 6;

/// Convergence: the Newton decrement U*ᵀĨ⁻¹U* below this bounds every coordinate's step by
/// 1e-9 of its standard error (δⱼ² ≤ decrement · (Ĩ⁻¹)ⱼⱼ).
const DECREMENT_TOL: f64 = 1e-18;

/// A step that changes ℓ* by at most this fraction of |ℓ*| is at its rounding floor.
const ROUNDING_FLOOR: f64 = 1e-14;

/// At the rounding floor, convergence with a decrement below this (every step below 1e-6 of
/// its standard error): the modified score of many rows cannot be computed more exactly.
const FLOOR_DECREMENT_TOL: f64 = 1e-12;

/// The data of a penalised logistic fit: X (row-major n × k), the response as a proportion in
/// [0, 1], the binomial weights m (prior weights × frequencies × trials) and the offset.
#[derive(Debug, Clone, Copy)]
pub struct Data<'a> {
    pub x: &'a [f64],
    pub n: usize,
    pub k: usize,
    pub y: &'a [f64],
    pub m: &'a [f64],
    pub offset: Option<&'a [f64]>,
}

/// Everything the iteration needs at one β.
#[derive(Debug, Clone)]
pub struct State {
    pub beta: Vec<f64>,
    /// Fitted probabilities.
    pub pi: Vec<f64>,
    /// The binomial log-likelihood ℓ(β) (without the penalty).
    pub loglik: f64,
    /// ℓ*(β) = ℓ(β) + τ log|I(β)|.
    pub penalised: f64,
    /// The modified score U*(β).
    pub score: Vec<f64>,
    /// The information of the augmented data Ĩ(β), row-major k × k.
    pub info: Vec<f64>,
    /// −∇²ℓ*(β), the exact negative Hessian (for designs of at most [`EXACT_HESSIAN_MAX`]
    /// n·k³), row-major k × k.
    pub neg_hessian: Option<Vec<f64>>,
}

/// Largest n·k³ for which the exact Hessian of the penalty is computed (O(n k³) per
/// iteration); beyond, the iteration takes logistf's direction Ĩ⁻¹U* alone.
pub const EXACT_HESSIAN_MAX: usize = 200_000_000;

/// log(1 + eᵗ) without overflow.
fn softplus(t: f64) -> f64 {
    t.max(0.0) + (-t.abs()).exp().ln_1p()
}

/// ℓ, ℓ*, U* and Ĩ at β; `None` when I(β) is not positive definite (fitted probabilities at 0
/// or 1 for every row, or dependent columns).
pub fn evaluate(d: &Data, beta: &[f64]) -> Option<State> {
    evaluate_with(d, beta, true)
}

/// [`evaluate`], with the exact Hessian only when `hessian` (and the design is small enough).
fn evaluate_with(d: &Data, beta: &[f64], hessian: bool) -> Option<State> {
    let (n, k) = (d.n, d.k);
    let mut pi = vec![0.0; n];
    let mut v = vec![0.0; n];
    let mut loglik = 0.0;
    let mut info = vec![0.0; k * k];
    for i in 0..n {
        let row = &d.x[i * k..(i + 1) * k];
        let eta: f64 = row.iter().zip(beta).map(|(a, b)| a * b).sum::<f64>() + d.offset.map_or(0.0, |o| o[i]);
        let p = 1.0 / (1.0 + (-eta).exp());
        pi[i] = p;
        let m = d.m[i];
        if m > 0.0 {
            let y = d.y[i];
            // y log π + (1 − y) log(1 − π), with log π = −softplus(−η)
            if y > 0.0 {
                loglik -= m * y * softplus(-eta);
            }
            if y < 1.0 {
                loglik -= m * (1.0 - y) * softplus(eta);
            }
        }
        v[i] = m * p * (1.0 - p);
        add_outer(&mut info, row, v[i], k);
    }
    mirror(&mut info, k);
    let all: Vec<usize> = (0..k).collect();
    let chol = Cholesky::on(&info, k, &all)?;
    let log_det = chol.log_det();
    let mut score = vec![0.0; k];
    let mut aug = vec![0.0; k * k];
    let mut z = vec![0.0; k];
    let exact = hessian && n.saturating_mul(k.saturating_pow(3)) <= EXACT_HESSIAN_MAX;
    let mut hess = Hessian::new(k, exact);
    for i in 0..n {
        let row = &d.x[i * k..(i + 1) * k];
        let q = forward_norm2(&chol.l, k, row, &mut z);
        let h = v[i] * q;
        let p = pi[i];
        hess.add(row, &z, v[i], p, q);
        let r = d.m[i] * (d.y[i] - p) + 2.0 * TAU * h * (0.5 - p);
        for j in 0..k {
            score[j] += row[j] * r;
        }
        add_outer(&mut aug, row, v[i] + 2.0 * TAU * h * p * (1.0 - p), k);
    }
    mirror(&mut aug, k);
    let neg_hessian = hess.finish(&info);
    let penalised = loglik + TAU * log_det;
    if !penalised.is_finite() {
        return None;
    }
    Some(State {
        beta: beta.to_vec(),
        pi,
        loglik,
        penalised,
        score,
        info: aug,
        neg_hessian,
    })
}

/// The parts of the exact Hessian of ½ log|I(β)| (I = Xᵀ diag(vᵢ) X, vᵢ = mᵢπᵢ(1 − πᵢ),
/// v′ = v(1 − 2π), v″ = v(1 − 6π + 6π²), zᵢ = L⁻¹xᵢ with I = L Lᵀ, qᵢ = ‖zᵢ‖²):
/// ∂²/∂βᵣ∂βₛ ½ log|I| = ½ [Σᵢ v″ᵢ qᵢ xᵢᵣ xᵢₛ − tr(Aᵣ Aₛ)], Aᵣ = Σᵢ v′ᵢ xᵢᵣ zᵢ zᵢᵀ.
struct Hessian {
    k: usize,
    on: bool,
    /// Σ v″ q x xᵀ (lower triangle).
    second: Vec<f64>,
    /// A₀ … Aₖ₋₁ (lower triangles), k × k each.
    a: Vec<f64>,
}

impl Hessian {
    fn new(k: usize, on: bool) -> Self {
        let (s, a) = if on { (k * k, k * k * k) } else { (0, 0) };
        Hessian {
            k,
            on,
            second: vec![0.0; s],
            a: vec![0.0; a],
        }
    }

    fn add(&mut self, row: &[f64], z: &[f64], v: f64, p: f64, q: f64) {
        if !self.on || v == 0.0 {
            return;
        }
        let k = self.k;
        add_outer(&mut self.second, row, v * (1.0 - 6.0 * p + 6.0 * p * p) * q, k);
        let v1 = v * (1.0 - 2.0 * p);
        for (r, &xr) in row.iter().enumerate() {
            let w = v1 * xr;
            if w != 0.0 {
                add_outer(&mut self.a[r * k * k..(r + 1) * k * k], z, w, k);
            }
        }
    }

    /// −∇²ℓ* = I − ½ Σ v″ q x xᵀ + ½ [tr(Aᵣ Aₛ)].
    fn finish(self, info: &[f64]) -> Option<Vec<f64>> {
        if !self.on {
            return None;
        }
        let k = self.k;
        let kk = k * k;
        let tr = |r: usize, s: usize| -> f64 {
            let (ar, as_) = (&self.a[r * kk..(r + 1) * kk], &self.a[s * kk..(s + 1) * kk]);
            let mut t = 0.0;
            for a in 0..k {
                for b in 0..a {
                    t += 2.0 * ar[a * k + b] * as_[a * k + b];
                }
                t += ar[a * k + a] * as_[a * k + a];
            }
            t
        };
        let mut out = vec![0.0; kk];
        for r in 0..k {
            for s in 0..=r {
                let v = info[r * k + s] - 0.5 * self.second[r * k + s] + 0.5 * tr(r, s);
                out[r * k + s] = v;
                out[s * k + r] = v;
            }
        }
        Some(out)
    }
}

/// Adds w·r rᵀ to the lower triangle of `a` (k × k).
fn add_outer(a: &mut [f64], r: &[f64], w: f64, k: usize) {
    if w == 0.0 {
        return;
    }
    for s in 0..k {
        let ws = w * r[s];
        for t in 0..=s {
            a[s * k + t] += ws * r[t];
        }
    }
}

/// Copies the lower triangle of `a` into its upper triangle.
fn mirror(a: &mut [f64], k: usize) {
    for s in 0..k {
        for t in 0..s {
            a[t * k + s] = a[s * k + t];
        }
    }
}

/// ‖L⁻¹ r‖² for the lower-triangular row-major factor L (k × k): rᵀ(L Lᵀ)⁻¹r.
fn forward_norm2(l: &[f64], k: usize, r: &[f64], z: &mut [f64]) -> f64 {
    let mut s2 = 0.0;
    for a in 0..k {
        let mut s = r[a];
        for b in 0..a {
            s -= l[a * k + b] * z[b];
        }
        z[a] = s / l[a * k + a];
        s2 += z[a] * z[a];
    }
    s2
}

/// The result of a maximisation.
#[derive(Debug, Clone)]
pub struct Fit {
    pub state: State,
    pub iterations: usize,
    pub converged: bool,
}

/// Why a maximisation could not be carried out.
#[derive(Debug, Clone, PartialEq)]
pub enum FitFailure {
    /// I(β) is not positive definite at the start (dependent columns or no information).
    Singular,
}

/// Maximises ℓ* over the coefficients in `free` (the others stay at their values in `start`),
/// by the modified-score Newton iteration with step halving, for at most `max_iter` iterations.
pub fn maximise(d: &Data, start: &[f64], free: &[usize], max_iter: usize) -> Result<Fit, FitFailure> {
    let mut s = evaluate_with(d, start, false).ok_or(FitFailure::Singular)?;
    let mut iterations = 0;
    if free.is_empty() {
        return Ok(Fit {
            state: s,
            iterations,
            converged: true,
        });
    }
    while iterations < max_iter {
        dimorph_core::interrupt::poll();
        let exact_phase = iterations >= QUASI_ITER;
        if exact_phase && s.neg_hessian.is_none() {
            match evaluate_with(d, &s.beta, true) {
                Some(e) => s = e,
                None => break,
            }
        }
        // Newton on the exact Hessian where it is negative definite, else logistf's Ĩ
        let exact = s.neg_hessian.as_ref().and_then(|h| Cholesky::on(h, d.k, free));
        let Some(chol) = exact.or_else(|| Cholesky::on(&s.info, d.k, free)) else {
            break;
        };
        let u: Vec<f64> = free.iter().map(|&j| s.score[j]).collect();
        let mut delta = chol.solve(&u);
        let decrement: f64 = delta.iter().zip(&u).map(|(a, b)| a * b).sum();
        if decrement.is_finite() && decrement <= DECREMENT_TOL {
            return Ok(Fit {
                state: s,
                iterations,
                converged: true,
            });
        }
        iterations += 1;
        let largest = delta.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        if largest > MAX_STEP {
            delta.iter_mut().for_each(|v| *v *= MAX_STEP / largest);
        }
        match step(d, &s, free, &delta, exact_phase) {
            Some(next) => {
                // at the rounding floor of ℓ* (large n): the step no longer changes it
                let floor = (next.penalised - s.penalised).abs() <= ROUNDING_FLOOR * s.penalised.abs().max(1.0);
                s = next;
                if floor && decrement <= FLOOR_DECREMENT_TOL {
                    return Ok(Fit {
                        state: s,
                        iterations,
                        converged: true,
                    });
                }
            }
            None => break,
        }
    }
    Ok(Fit {
        state: s,
        iterations,
        converged: false,
    })
}

/// The state after the step `delta` on `free`, halved until ℓ* does not fall; `None` when no
/// halving gives an ascent (the iteration is then at the maximum up to rounding).
fn step(d: &Data, s: &State, free: &[usize], delta: &[f64], hessian: bool) -> Option<State> {
    let mut t = 1.0;
    for _ in 0..=MAX_HALVINGS {
        let mut beta = s.beta.clone();
        for (a, &j) in free.iter().enumerate() {
            beta[j] += t * delta[a];
        }
        if let Some(next) = evaluate_with(d, &beta, hessian) {
            if next.penalised >= s.penalised - 1e-13 * s.penalised.abs().max(1.0) {
                return Some(next);
            }
        }
        t *= 0.5;
    }
    None
}

/// The inverse of Ĩ at a state (the covariance logistf reports); `None` when singular.
pub fn covariance(s: &State, k: usize) -> Option<Vec<f64>> {
    let all: Vec<usize> = (0..k).collect();
    Cholesky::on(&s.info, k, &all).map(|c| c.inverse())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// U* is the gradient of ℓ*: central differences of ℓ* agree with it.
    #[test]
    fn modified_score_is_the_gradient_of_the_penalised_loglik() {
        let x = [1.0, 0.0, 1.0, 1.0, 1.0, 2.0, 1.0, 3.0, 1.0, 4.0];
        let y = [0.0, 0.0, 1.0, 0.0, 1.0];
        let m = [1.0, 2.0, 1.0, 1.5, 1.0];
        let d = Data {
            x: &x,
            n: 5,
            k: 2,
            y: &y,
            m: &m,
            offset: None,
        };
        let b = [-0.7, 0.4];
        let s = evaluate(&d, &b).expect("state");
        for j in 0..2 {
            let e = 1e-6;
            let mut bp = b;
            let mut bm = b;
            bp[j] += e;
            bm[j] -= e;
            let g = (evaluate(&d, &bp).expect("+").penalised - evaluate(&d, &bm).expect("-").penalised) / (2.0 * e);
            assert!((g - s.score[j]).abs() < 1e-7, "j={j}: {g} vs {}", s.score[j]);
        }
    }

    /// The exact negative Hessian is the derivative of −U*.
    #[test]
    fn exact_hessian_is_the_derivative_of_the_modified_score() {
        let x = [
            1.0, 0.0, 0.5, 1.0, 1.0, -1.0, 1.0, 2.0, 0.3, 1.0, 3.0, 2.0, 1.0, 4.0, 0.0,
        ];
        let y = [0.0, 0.0, 1.0, 0.0, 1.0];
        let m = [1.0, 2.0, 1.0, 1.5, 1.0];
        let d = Data {
            x: &x,
            n: 5,
            k: 3,
            y: &y,
            m: &m,
            offset: None,
        };
        let b = [-0.7, 0.4, 0.2];
        let h = evaluate(&d, &b).expect("state").neg_hessian.expect("hessian");
        for s in 0..3 {
            let e = 1e-6;
            let mut bp = b;
            let mut bm = b;
            bp[s] += e;
            bm[s] -= e;
            let up = evaluate(&d, &bp).expect("+").score;
            let um = evaluate(&d, &bm).expect("-").score;
            for r in 0..3 {
                let g = -(up[r] - um[r]) / (2.0 * e);
                assert!((g - h[r * 3 + s]).abs() < 1e-6, "({r},{s}): {g} vs {}", h[r * 3 + s]);
            }
        }
    }

    /// Completely separated data: the ordinary estimate is infinite, Firth's is finite and the
    /// modified score vanishes there.
    #[test]
    fn separated_data_have_a_finite_penalised_maximum() {
        let x = [1.0, 1.0, 1.0, 2.0, 1.0, 3.0, 1.0, 4.0];
        let y = [0.0, 0.0, 1.0, 1.0];
        let m = [1.0; 4];
        let d = Data {
            x: &x,
            n: 4,
            k: 2,
            y: &y,
            m: &m,
            offset: None,
        };
        let f = maximise(&d, &[0.0, 0.0], &[0, 1], 200).expect("fit");
        assert!(f.converged);
        assert!(f.state.beta.iter().all(|b| b.is_finite() && b.abs() < 50.0));
        assert!(f.state.score.iter().all(|u| u.abs() < 1e-8), "{:?}", f.state.score);
    }
}
