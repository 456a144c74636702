//! Householder QR of √W·X with limited column pivoting, as LINPACK's `dqrdc2` that R's `lm` and
//! `glm.fit` use (Golub & Van Loan, *Matrix Computations*, §5.2 and §5.4.1): a column whose norm,
//! after projecting out the columns before it, falls below `tol` times its original norm is moved
//! to the end and declared aliased; the others keep their order. The fit works on X itself, so it
//! loses κ(X)·ε, where the normal equations lose κ(X)²·ε.
//!
//! The fit (`fit.rs`) uses it only where the fast path (Cholesky of XᵀWX, [`crate::linalg`]) declares a column
//! aliased: squaring the condition number there (NIST Filip, κ(X) ≈ 1.8e15 on the raw powers)
//! drops columns that R's `glm` still estimates. [`rescue`] re-decides the aliasing with this QR
//! at R's `glm` tolerance and, where it differs, refits with QR in every iteration (R's
//! `glm.fit`), returning the unscaled covariance R⁻¹R⁻ᵀ.

use crate::irls::{deviance_at, dot, Control, Irls, Problem};

/// R's `glm.fit` QR tolerance: `min(1e-7, epsilon / 1000)` with the default epsilon 1e-8.
pub const GLM_QR_TOL: f64 = 1e-11;

/// R's `lm` QR tolerance (`lm.fit`'s `tol = 1e-7`).
pub const LM_QR_TOL: f64 = 1e-7;

/// A QR factorisation of an m × k matrix (column-major), with `dqrdc2`'s limited pivoting.
#[derive(Debug, Clone)]
pub struct Qr {
    m: usize,
    k: usize,
    /// Column-major m × k: R above the diagonal, the Householder vectors on and below it.
    a: Vec<f64>,
    /// Diagonal of R.
    rdiag: Vec<f64>,
    /// Householder scalars τ (H = I − τ v vᵀ).
    tau: Vec<f64>,
    /// `pivot[r]`: the original column now at position r.
    pub pivot: Vec<usize>,
    /// Number of columns estimated (the first `rank` of `pivot`).
    pub rank: usize,
}

fn col_norm(a: &[f64], m: usize, j: usize, from: usize) -> f64 {
    a[j * m + from..(j + 1) * m].iter().map(|v| v * v).sum::<f64>().sqrt()
}

impl Qr {
    /// Factorises the column-major m × k matrix `a`; a column is moved to the end when its
    /// remaining norm falls below `tol` × its original norm (a zero column always is).
    pub fn new(mut a: Vec<f64>, m: usize, k: usize, tol: f64) -> Qr {
        let mut pivot: Vec<usize> = (0..k).collect();
        let mut norm: Vec<f64> = (0..k).map(|j| col_norm(&a, m, j, 0)).collect();
        let mut orig: Vec<f64> = norm.iter().map(|&v| if v == 0.0 { 1.0 } else { v }).collect();
        let (mut rdiag, mut tau) = (vec![0.0; k], vec![0.0; k]);
        let mut lup = k;
        let mut l = 0;
        while l < lup.min(m) {
            while l < lup && (norm[l] < orig[l] * tol || norm[l].is_nan()) {
                // move column l to the end (dqrdc2's cycling), keeping the others' order
                for j in l..k - 1 {
                    for i in 0..m {
                        a.swap(j * m + i, (j + 1) * m + i);
                    }
                }
                pivot[l..].rotate_left(1);
                norm[l..].rotate_left(1);
                orig[l..].rotate_left(1);
                lup -= 1;
            }
            if l >= lup {
                break;
            }
            let nrm = col_norm(&a, m, l, l);
            let x0 = a[l * m + l];
            let alpha = if x0 >= 0.0 { -nrm } else { nrm };
            a[l * m + l] = x0 - alpha;
            let vtv: f64 = a[l * m + l..(l + 1) * m].iter().map(|v| v * v).sum();
            tau[l] = if vtv > 0.0 { 2.0 / vtv } else { 0.0 };
            rdiag[l] = alpha;
            for j in l + 1..k {
                let s: f64 = (l..m).map(|i| a[l * m + i] * a[j * m + i]).sum();
                let t = tau[l] * s;
                for i in l..m {
                    a[j * m + i] -= t * a[l * m + i];
                }
                norm[j] = col_norm(&a, m, j, l + 1);
            }
            l += 1;
        }
        Qr {
            m,
            k,
            a,
            rdiag,
            tau,
            pivot,
            rank: l,
        }
    }

    fn r(&self, i: usize, j: usize) -> f64 {
        if i == j {
            self.rdiag[i]
        } else {
            self.a[j * self.m + i]
        }
    }

    /// Least-squares coefficients of the first `rank` pivoted columns (in pivot order).
    pub fn solve(&self, y: &[f64]) -> Vec<f64> {
        let (m, r) = (self.m, self.rank);
        let mut q = y.to_vec();
        for l in 0..r {
            let s: f64 = (l..m).map(|i| self.a[l * m + i] * q[i]).sum();
            let t = self.tau[l] * s;
            for (i, qi) in q.iter_mut().enumerate().skip(l) {
                *qi -= t * self.a[l * m + i];
            }
        }
        let mut b = vec![0.0; r];
        for i in (0..r).rev() {
            let s: f64 = (i + 1..r).map(|j| self.r(i, j) * b[j]).sum();
            b[i] = (q[i] - s) / self.r(i, i);
        }
        b
    }

    /// (RᵀR)⁻¹ = R⁻¹R⁻ᵀ on the first `rank` pivoted columns, row-major rank × rank.
    pub fn unscaled_cov(&self) -> Vec<f64> {
        let r = self.rank;
        // R⁻¹ column by column (upper triangular)
        let mut inv = vec![0.0; r * r];
        for c in 0..r {
            for i in (0..=c).rev() {
                let e = if i == c { 1.0 } else { 0.0 };
                let s: f64 = (i + 1..=c).map(|j| self.r(i, j) * inv[j * r + c]).sum();
                inv[i * r + c] = (e - s) / self.r(i, i);
            }
        }
        let mut cov = vec![0.0; r * r];
        for i in 0..r {
            for j in 0..r {
                cov[i * r + j] = (i.max(j)..r).map(|t| inv[i * r + t] * inv[j * r + t]).sum();
            }
        }
        cov
    }

    /// Number of columns factorised.
    pub fn cols(&self) -> usize {
        self.k
    }
}

/// √W·X on the `free` columns (column-major, rows with zero working weight left out), √W·z, and
/// whether every η and μ is valid; `beta` `None` starts from the family's starting μ.
fn weighted(pb: &Problem, free: &[usize], beta: Option<&[f64]>) -> (Vec<f64>, Vec<f64>, bool) {
    let p = pb.p;
    let mut rows: Vec<(usize, f64, f64)> = Vec::with_capacity(pb.n);
    let mut valid = true;
    for i in 0..pb.n {
        let xi = &pb.x[i * p..(i + 1) * p];
        let off = pb.offset.map_or(0.0, |o| o[i]);
        let (wi, yi) = (pb.w[i], pb.y[i]);
        let eta = match beta {
            Some(b) => dot(xi, b) + off,
            None => pb.link.link(pb.family.mu_start(yi, wi)),
        };
        if !pb.link.valid_eta(eta) {
            valid = false;
            continue;
        }
        let (mu, dmu) = pb.link.inverse_and_mu_eta(eta);
        if !pb.family.valid_mu(mu) {
            valid = false;
            continue;
        }
        if wi == 0.0 || dmu == 0.0 {
            continue;
        }
        let wt = wi * dmu * dmu / pb.family.variance(mu);
        rows.push((i, wt.sqrt(), (eta - off) + (yi - mu) / dmu));
    }
    let m = rows.len();
    let mut a = vec![0.0; m * free.len()];
    for (c, &j) in free.iter().enumerate() {
        for (r, &(i, sw, _)) in rows.iter().enumerate() {
            a[c * m + r] = sw * pb.x[i * p + j];
        }
    }
    let z = rows.iter().map(|&(_, sw, z)| sw * z).collect();
    (a, z, valid)
}

/// The QR of √W·X on `free` at β (or the start), with √W·z; `None` when η or μ leave the range.
fn factor(pb: &Problem, free: &[usize], beta: Option<&[f64]>) -> Option<(Qr, Vec<f64>)> {
    let (a, z, valid) = weighted(pb, free, beta);
    if !valid || z.iter().any(|v| !v.is_finite()) || a.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let m = z.len();
    Some((Qr::new(a, m, free.len(), GLM_QR_TOL), z))
}

/// Columns estimated by a factorisation (in the original order) and full-length β.
fn coefficients(qr: &Qr, z: &[f64], free: &[usize], p: usize) -> (Vec<usize>, Vec<f64>) {
    let sol = qr.solve(z);
    let mut beta = vec![0.0; p];
    for (r, &c) in qr.pivot[..qr.rank].iter().enumerate() {
        beta[free[c]] = sol[r];
    }
    let mut kept: Vec<usize> = qr.pivot[..qr.rank].iter().map(|&c| free[c]).collect();
    kept.sort_unstable();
    (kept, beta)
}

/// R⁻¹R⁻ᵀ mapped to the full p × p (row-major), NaN outside the estimated columns.
fn full_cov(qr: &Qr, free: &[usize], p: usize) -> Vec<f64> {
    let r = qr.rank;
    let c = qr.unscaled_cov();
    let mut cov = vec![f64::NAN; p * p];
    for a in 0..r {
        for b in 0..r {
            cov[free[qr.pivot[a]] * p + free[qr.pivot[b]]] = c[a * r + b];
        }
    }
    cov
}

/// Where the fast path declared columns aliased, the aliasing decided again by QR at R's `glm`
/// tolerance at the fitted β; if QR estimates more columns, IRLS is redone with QR in every
/// iteration from the family's start (R's `glm.fit`). Otherwise, or if the QR fit does not
/// converge, `res` is returned unchanged (exactly aliased designs keep the fast path's result).
pub fn rescue(pb: &Problem, free: &[usize], ctl: Control, res: Irls) -> Irls {
    if res.aliased.is_empty() || !res.converged || free.is_empty() {
        return res;
    }
    match factor(pb, free, Some(&res.beta)) {
        Some((qr, _)) if qr.rank > res.kept.len() => {}
        _ => return res,
    }
    match qr_irls(pb, free, ctl, res.iterations) {
        // the rescued fit's steps cut back into the valid range keep their warnings
        Some(r) => Irls {
            bounds: res.bounds,
            ..r
        },
        None => res,
    }
}

/// IRLS with a QR solve in every iteration; `None` when it does not converge.
fn qr_irls(pb: &Problem, free: &[usize], ctl: Control, before: usize) -> Option<Irls> {
    let p = pb.p;
    let (mut beta, mut dev_old, mut have) = (vec![0.0; p], f64::INFINITY, false);
    let mut halvings = 0;
    for iter in 1..=ctl.max_iter {
        dimorph_core::interrupt::poll();
        let (qr, z) = factor(pb, free, have.then_some(beta.as_slice()))?;
        let (_, mut nb) = coefficients(&qr, &z, free, p);
        let mut dev = deviance_at(pb, &nb, ctl.threads);
        let mut h = 0;
        while have && h < 30 && dev.is_none_or(|d| !d.is_finite() || d > dev_old * (1.0 + 1e-12) + 1e-12) {
            h += 1;
            for j in 0..p {
                nb[j] = 0.5 * (nb[j] + beta[j]);
            }
            dev = deviance_at(pb, &nb, ctl.threads);
        }
        halvings += h;
        let d = dev.filter(|d| d.is_finite())?;
        beta = nb;
        let last_change = (d - dev_old).abs() / (d.abs() + 0.1);
        dev_old = d;
        if have && last_change < ctl.tol {
            let (qr, z) = factor(pb, free, Some(&beta))?;
            let (kept, _) = coefficients(&qr, &z, free, p);
            let aliased = free.iter().copied().filter(|j| !kept.contains(j)).collect();
            return Some(Irls {
                cov_unscaled: Some(full_cov(&qr, free, p)),
                beta,
                kept,
                aliased,
                deviance: d,
                iterations: before + iter,
                converged: true,
                last_change,
                halvings,
                xtwx: None,
                // the QR refit's halvings are not told apart by cause: `rescue` keeps the
                // bounds of the fit it redoes
                bounds: Default::default(),
            });
        }
        have = true;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// NIST Filip's design (x, x², …, x¹⁰ and the intercept), column-major.
    fn filip() -> (Vec<f64>, Vec<f64>, usize) {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/nist/filip.csv");
        let text = std::fs::read_to_string(path).expect("fixture");
        let rows: Vec<(f64, f64)> = text
            .lines()
            .skip(1)
            .map(|l| {
                let (y, x) = l.split_once(',').expect("two columns");
                (y.parse().expect("y"), x.parse().expect("x"))
            })
            .collect();
        let m = rows.len();
        let mut a = vec![0.0; m * 11];
        for c in 0..11 {
            for (r, &(_, x)) in rows.iter().enumerate() {
                a[c * m + r] = x.powi(c as i32);
            }
        }
        (a, rows.iter().map(|r| r.0).collect(), m)
    }

    #[test]
    fn solves_a_small_least_squares_problem() {
        // y = 1 + 2x exactly, x = 0..4; a third column duplicating x is aliased
        let x = [0.0, 1.0, 2.0, 3.0, 4.0];
        let mut a: Vec<f64> = vec![1.0; 5];
        a.extend(x);
        a.extend(x);
        let y: Vec<f64> = x.iter().map(|v| 1.0 + 2.0 * v).collect();
        let qr = Qr::new(a, 5, 3, LM_QR_TOL);
        assert_eq!(qr.rank, 2);
        assert_eq!(qr.pivot, vec![0, 1, 2]);
        let b = qr.solve(&y);
        assert!((b[0] - 1.0).abs() < 1e-14 && (b[1] - 2.0).abs() < 1e-14, "{b:?}");
        // (XᵀX)⁻¹ for [1, x]: [[6/10, -2/10], [-2/10, 1/10]]
        let c = qr.unscaled_cov();
        let want = [0.6, -0.2, -0.2, 0.1];
        for (g, w) in c.iter().zip(want) {
            assert!((g - w).abs() < 1e-14, "{c:?}");
        }
    }

    /// R's `lm` (tol 1e-7) drops x¹⁰ on Filip and estimates the other ten columns
    /// (tests/reference/nist_filip_r.csv, `lm_estimate` NA for I(x^10)); `glm` (tol 1e-11)
    /// estimates all eleven.
    #[test]
    fn filip_aliasing_follows_r_lm_and_glm_tolerances() {
        let (a, _, m) = filip();
        let lm = Qr::new(a.clone(), m, 11, LM_QR_TOL);
        assert_eq!(lm.rank, 10);
        assert_eq!(lm.pivot[10], 10);
        let glm = Qr::new(a, m, 11, GLM_QR_TOL);
        assert_eq!(glm.rank, 11);
        assert_eq!(glm.cols(), 11);
    }
}
