//! Age-dependent reference limits as smooth functions of age: the LMS method of Cole & Green
//! (1992, *Stat Med* 11:1305–1319) in the form of gamlss's BCCG family (Rigby & Stasinopoulos
//! 2004, 2005): Y | age ~ BCCG(μ(age), σ(age), ν(age)), the Box–Cox transform
//! z = ((y/μ)^ν − 1)/(νσ) (log(y/μ)/σ at ν = 0) standard normal truncated so that y > 0, with
//! log-density
//!
//! ℓ = ν·log(y/μ) − log σ − z²/2 − log y − ½·log 2π − log Φ(1/(σ|ν|)).
//!
//! μ (identity link), log σ and ν (identity) are spline functions of age
//! ([`crate::age_curves_basis`]): fixed-df B-splines fitted by maximum likelihood, or gamlss
//! `pb()`-style P-splines with fixed penalties λ, fitted by penalised maximum likelihood
//! ℓ − ½ Σ λ_θ β_θ'D'Dβ_θ. The maximiser is found by Newton's method with Levenberg damping
//! (per-observation Hessians by central differences of the analytic score); gamlss reaches the
//! same maximiser by its RS algorithm. The centiles follow gamlss's qBCCG:
//! z_p = Φ⁻¹(p·Φ(1/(σ|ν|))) for ν ≤ 0, Φ⁻¹(1 − (1 − p)·Φ(1/(σ|ν|))) for ν > 0, and
//! y_p = μ(1 + νσz_p)^{1/ν} (μ·exp(σz_p) at ν = 0).

use crate::age_curves_basis::Basis;
use dimorph_core::dist::{dnorm, pnorm, pnorm_upper, qnorm};
use serde::Serialize;

/// How μ, σ and ν depend on age.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Smooth {
    /// Fixed-df splines (df beyond the constant for μ, log σ, ν), no penalty.
    Df([usize; 3]),
    /// gamlss `pb()` P-splines with these fixed penalties for μ, log σ, ν.
    Penalised([f64; 3]),
}

/// The fitted LMS model of one group.
#[derive(Debug, Clone, PartialEq)]
pub struct LmsFit {
    bases: [Basis; 3],
    beta: [Vec<f64>; 3],
    /// Global deviance −2ℓ at the maximum (without the penalty).
    pub deviance: f64,
    /// Effective degrees of freedom (number of coefficients without penalty; trace of the
    /// penalised hat matrix otherwise).
    pub edf: f64,
    /// Newton iterations used.
    pub iterations: usize,
    /// The last Newton decrement was below 1e-12.
    pub converged: bool,
}

/// Log-density of one value and its score with respect to (μ, log σ, ν).
pub fn loglik(y: f64, mu: f64, eta_s: f64, nu: f64) -> (f64, [f64; 3]) {
    let sigma = eta_s.exp();
    let l = (y / mu).ln();
    let (z, rn, dz_dn) = if (nu * l).abs() < 1e-3 {
        // series of (e^{νL} − 1)/ν = Σ ν^{k−1}L^k/k! and of its derivative in ν
        let (mut z, mut term) = (0.0, l);
        for k in 1..=8 {
            z += term;
            term *= nu * l / (k + 1) as f64;
        }
        let (mut d, mut t2) = (0.0, l * l / 2.0);
        for k in 2..=9 {
            d += (k - 1) as f64 * t2;
            t2 *= nu * l / (k + 1) as f64;
        }
        (z / sigma, (nu * l).exp(), d / sigma)
    } else {
        let rn = (nu * l).exp();
        let z = (rn - 1.0) / (nu * sigma);
        (z, rn, rn * l / (nu * sigma) - z / nu)
    };
    let t = if nu == 0.0 {
        f64::INFINITY
    } else {
        1.0 / (sigma * nu.abs())
    };
    // log Φ(t) and t·φ(t)/Φ(t)
    let (log_phi, mills) = if t > 38.0 {
        (0.0, 0.0)
    } else {
        let p = pnorm(t);
        ((-pnorm_upper(t)).ln_1p(), t * dnorm(t) / p)
    };
    let ll = nu * l - eta_s - z * z / 2.0 - y.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln() - log_phi;
    let d_mu = -nu / mu + z * rn / (mu * sigma);
    let d_s = -1.0 + z * z + mills;
    let d_nu = l - z * dz_dn + if nu == 0.0 { 0.0 } else { mills / nu };
    (ll, [d_mu, d_s, d_nu])
}

/// The p-quantile of BCCG(μ, σ, ν) (gamlss's qBCCG).
pub fn quantile(p: f64, mu: f64, sigma: f64, nu: f64) -> f64 {
    let t = if nu == 0.0 {
        f64::INFINITY
    } else {
        1.0 / (sigma * nu.abs())
    };
    let ft = pnorm(t);
    let z = if nu <= 0.0 {
        qnorm(p * ft)
    } else {
        qnorm(1.0 - (1.0 - p) * ft)
    };
    if nu == 0.0 {
        mu * (sigma * z).exp()
    } else {
        mu * ((nu * sigma * z).ln_1p() / nu).exp()
    }
}

/// Cholesky factor of a symmetric positive definite matrix (lower), or None.
// KERNEL? a small dense Cholesky; dimorph-core has none.
fn cholesky(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let mut l = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = a[i][j] - (0..j).map(|k| l[i][k] * l[j][k]).sum::<f64>();
            if i == j {
                if !(s > 0.0 && s.is_finite()) {
                    return None;
                }
                l[i][i] = s.sqrt();
            } else {
                l[i][j] = s / l[j][j];
            }
        }
    }
    Some(l)
}

/// Solve L L' x = b.
fn chol_solve(l: &[Vec<f64>], b: &[f64]) -> Vec<f64> {
    let n = b.len();
    let mut y = vec![0.0; n];
    for i in 0..n {
        y[i] = (b[i] - (0..i).map(|k| l[i][k] * y[k]).sum::<f64>()) / l[i][i];
    }
    for i in (0..n).rev() {
        y[i] = (y[i] - (i + 1..n).map(|k| l[k][i] * y[k]).sum::<f64>()) / l[i][i];
    }
    y
}

/// The design rows of the three parameters for every value.
struct Design {
    rows: [Vec<Vec<f64>>; 3],
    offsets: [usize; 3],
    total: usize,
}

impl LmsFit {
    /// μ, σ, ν at an age.
    pub fn params(&self, age: f64) -> (f64, f64, f64) {
        let dot = |k: usize| -> f64 {
            self.bases[k]
                .row(age)
                .iter()
                .zip(&self.beta[k])
                .map(|(a, b)| a * b)
                .sum()
        };
        (dot(0), dot(1).exp(), dot(2))
    }

    /// The p-centile at an age.
    pub fn centile(&self, p: f64, age: f64) -> f64 {
        let (m, s, n) = self.params(age);
        quantile(p, m, s, n)
    }
}

/// Penalised negative log-likelihood (+∞ where μ ≤ 0 or a value is not finite).
fn objective(d: &Design, pen: &[Vec<Vec<f64>>; 3], lam: [f64; 3], ys: &[f64], beta: &[Vec<f64>; 3]) -> f64 {
    let mut f = 0.0;
    for (i, &y) in ys.iter().enumerate() {
        let e = eta(d, beta, i);
        // μ ≤ 0 or NaN: outside the family
        if e[0].partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
            return f64::INFINITY;
        }
        f -= loglik(y, e[0], e[1], e[2]).0;
    }
    f + penalty_value(pen, lam, beta)
}

fn penalty_value(pen: &[Vec<Vec<f64>>; 3], lam: [f64; 3], beta: &[Vec<f64>; 3]) -> f64 {
    let mut f = 0.0;
    for k in 0..3 {
        for (a, row) in pen[k].iter().enumerate() {
            for (b, v) in row.iter().enumerate() {
                f += 0.5 * lam[k] * beta[k][a] * v * beta[k][b];
            }
        }
    }
    f
}

fn eta(d: &Design, beta: &[Vec<f64>; 3], i: usize) -> [f64; 3] {
    let mut e = [0.0; 3];
    for k in 0..3 {
        e[k] = d.rows[k][i].iter().zip(&beta[k]).map(|(a, b)| a * b).sum();
    }
    e
}

/// Gradient and Hessian of the penalised negative log-likelihood.
fn derivatives(
    d: &Design,
    pen: &[Vec<Vec<f64>>; 3],
    lam: [f64; 3],
    ys: &[f64],
    beta: &[Vec<f64>; 3],
) -> (Vec<f64>, Vec<Vec<f64>>) {
    let n = d.total;
    let (mut g, mut h) = (vec![0.0; n], vec![vec![0.0; n]; n]);
    for (i, &y) in ys.iter().enumerate() {
        let e = eta(d, beta, i);
        let (_, s) = loglik(y, e[0], e[1], e[2]);
        // the per-value Hessian in (μ, log σ, ν) by central differences of the score
        let mut hi = [[0.0; 3]; 3];
        for j in 0..3 {
            let step = if j == 0 { 1e-5 * e[0].abs() } else { 1e-5 };
            let (mut up, mut dn) = (e, e);
            up[j] += step;
            dn[j] -= step;
            let (_, su) = loglik(y, up[0], up[1], up[2]);
            let (_, sd) = loglik(y, dn[0], dn[1], dn[2]);
            for a in 0..3 {
                hi[a][j] = -(su[a] - sd[a]) / (2.0 * step);
            }
        }
        #[allow(clippy::needless_range_loop)] // symmetric pairs (a, b) and (b, a)
        for a in 0..3 {
            for b in 0..a {
                let m = 0.5 * (hi[a][b] + hi[b][a]);
                hi[a][b] = m;
                hi[b][a] = m;
            }
        }
        for a in 0..3 {
            for (p, xa) in d.rows[a][i].iter().enumerate().filter(|(_, v)| **v != 0.0) {
                g[d.offsets[a] + p] -= s[a] * xa;
                for b in 0..3 {
                    for (q, xb) in d.rows[b][i].iter().enumerate().filter(|(_, v)| **v != 0.0) {
                        h[d.offsets[a] + p][d.offsets[b] + q] += hi[a][b] * xa * xb;
                    }
                }
            }
        }
    }
    for k in 0..3 {
        let o = d.offsets[k];
        for (a, row) in pen[k].iter().enumerate() {
            for (b, v) in row.iter().enumerate() {
                g[o + a] += lam[k] * v * beta[k][b];
                h[o + a][o + b] += lam[k] * v;
            }
        }
    }
    (g, h)
}

/// Why an LMS fit failed.
pub type FitError = String;

/// Fit BCCG(μ(age), σ(age), ν(age)) to positive values `ys` at `ages` (same length, ≥ 10).
pub fn fit(ages: &[f64], ys: &[f64], smooth: Smooth) -> Result<LmsFit, FitError> {
    let mut sorted = ages.to_vec();
    sorted.sort_by(f64::total_cmp);
    let (lo, hi) = (sorted[0], sorted[sorted.len() - 1]);
    let distinct = 1 + sorted.windows(2).filter(|w| w[1] > w[0]).count();
    let (bases, lam): ([Basis; 3], [f64; 3]) = match smooth {
        Smooth::Df(df) => (df.map(|k| Basis::fixed_df(&sorted, k)), [0.0; 3]),
        Smooth::Penalised(l) => (std::array::from_fn(|_| Basis::pspline(lo, hi, ages.len(), distinct)), l),
    };
    let total: usize = bases.iter().map(Basis::ncol).sum();
    if ys.len() < total + 2 {
        return Err(format!(
            "{} values are too few for {total} spline coefficients",
            ys.len()
        ));
    }
    let rows: [Vec<Vec<f64>>; 3] = std::array::from_fn(|k| ages.iter().map(|&a| bases[k].row(a)).collect());
    let offsets = [0, bases[0].ncol(), bases[0].ncol() + bases[1].ncol()];
    let d = Design { rows, offsets, total };
    let pen: [Vec<Vec<f64>>; 3] = std::array::from_fn(|k| bases[k].penalty());
    // start: μ the median, log σ from the quartiles of log y, ν = 0 (log-normal)
    let mut ly: Vec<f64> = ys.iter().map(|y| y.ln()).collect();
    ly.sort_by(f64::total_cmp);
    let med = quantile7(&ly, 0.5).exp();
    let s0 = ((quantile7(&ly, 0.75) - quantile7(&ly, 0.25)) / 1.349).max(1e-3).ln();
    let mut beta: [Vec<f64>; 3] = [
        vec![med; bases[0].ncol()],
        vec![s0; bases[1].ncol()],
        vec![0.0; bases[2].ncol()],
    ];
    let mut f = objective(&d, &pen, lam, ys, &beta);
    let mut damp = 0.0f64;
    let (mut iterations, mut converged) = (0, false);
    while iterations < 500 {
        iterations += 1;
        let (g, h) = derivatives(&d, &pen, lam, ys, &beta);
        let mut accepted = false;
        for _ in 0..60 {
            let mut a = h.clone();
            let scale = (0..total).map(|i| h[i][i].abs()).fold(1e-12, f64::max);
            for (i, row) in a.iter_mut().enumerate() {
                row[i] += damp * scale;
            }
            let Some(l) = cholesky(&a) else {
                damp = if damp == 0.0 { 1e-10 } else { damp * 10.0 };
                continue;
            };
            let step = chol_solve(&l, &g);
            let decrement: f64 = step.iter().zip(&g).map(|(a, b)| a * b).sum();
            let mut trial = beta.clone();
            for k in 0..3 {
                for (p, b) in trial[k].iter_mut().enumerate() {
                    *b -= step[d.offsets[k] + p];
                }
            }
            let ft = objective(&d, &pen, lam, ys, &trial);
            if ft <= f + 1e-12 * f.abs().max(1.0) && ft.is_finite() {
                beta = trial;
                converged = decrement.abs() < 1e-12 && damp < 1e-6;
                f = ft;
                damp = if damp < 1e-9 { 0.0 } else { damp / 10.0 };
                accepted = true;
                break;
            }
            damp = if damp == 0.0 { 1e-8 } else { damp * 10.0 };
        }
        if !accepted || converged {
            converged = converged || (accepted && damp == 0.0);
            break;
        }
    }
    if !f.is_finite() {
        return Err("the likelihood is not finite at the start (a value or μ ≤ 0)".into());
    }
    let pen_f = penalty_value(&pen, lam, &beta);
    let deviance = 2.0 * (f - pen_f);
    let edf = effective_df(&d, &pen, lam, ys, &beta);
    Ok(LmsFit {
        bases,
        beta,
        deviance,
        edf,
        iterations,
        converged,
    })
}

/// tr((H + λP)⁻¹ H): the coefficients' count without penalty.
fn effective_df(d: &Design, pen: &[Vec<Vec<f64>>; 3], lam: [f64; 3], ys: &[f64], beta: &[Vec<f64>; 3]) -> f64 {
    if lam.iter().all(|&l| l == 0.0) {
        return d.total as f64;
    }
    let (_, hp) = derivatives(d, pen, lam, ys, beta);
    let (_, h0) = derivatives(d, pen, [0.0; 3], ys, beta);
    let Some(l) = cholesky(&hp) else {
        return f64::NAN;
    };
    (0..d.total)
        .map(|j| {
            let col: Vec<f64> = (0..d.total).map(|i| h0[i][j]).collect();
            chol_solve(&l, &col)[j]
        })
        .sum()
}

fn quantile7(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let j = h.floor() as usize;
    let g = h - j as f64;
    if j + 1 < sorted.len() {
        sorted[j] + g * (sorted[j + 1] - sorted[j])
    } else {
        sorted[j]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_matches_finite_differences() {
        for &(y, m, s, n) in &[
            (3.0, 2.5, -1.0, 0.7),
            (1.2, 2.0, -0.5, -1.3),
            (5.0, 4.0, -2.0, 1e-5),
            (5.0, 4.0, -2.0, 0.0),
        ] {
            let (_, g) = loglik(y, m, s, n);
            let h = 1e-6;
            let num = [
                (loglik(y, m + h, s, n).0 - loglik(y, m - h, s, n).0) / (2.0 * h),
                (loglik(y, m, s + h, n).0 - loglik(y, m, s - h, n).0) / (2.0 * h),
                (loglik(y, m, s, n + h).0 - loglik(y, m, s, n - h).0) / (2.0 * h),
            ];
            for k in 0..3 {
                assert!(
                    (g[k] - num[k]).abs() < 1e-6 * (1.0 + g[k].abs()),
                    "{k}: {} vs {}",
                    g[k],
                    num[k]
                );
            }
        }
    }

    #[test]
    fn quantile_inverts_the_box_cox() {
        // ν = 0: log-normal
        let q = quantile(0.975, 10.0, 0.2, 0.0);
        assert!((q - 10.0 * (0.2 * qnorm(0.975)).exp()).abs() < 1e-12);
    }
}
