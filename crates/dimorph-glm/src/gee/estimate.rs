//! The GEE estimates (Liang & Zeger 1986, Biometrika 73, 13–22, eq. 3–4; geepack's `geese.fit`,
//! Halekoh, Højsgaard & Yan 2006, §2): β solves Σᵢ Dᵢᵀ Vᵢ⁻¹ (yᵢ − μᵢ) = 0 with
//! Dᵢ = ∂μᵢ/∂βᵀ, Vᵢ = φ Aᵢ^½ Rᵢ(α) Aᵢ^½ / wᵢ (A the variance function, w prior weights entering
//! as √w on both sides), alternating with the moment estimators of φ (the weighted mean of the
//! squared Pearson residuals, no df correction) and α ([`super::correlation`]). Each outer
//! iteration takes one Fisher-scoring step for β, then φ, then α, as geepack does, until the
//! largest absolute change of all three is at most the tolerance.
//!
//! Covariances at the solution: model-based ("naive") φ H⁻¹ with H = Σᵢ D̃ᵢᵀ Rᵢ⁻¹ D̃ᵢ, and
//! empirical ("robust", sandwich) H⁻¹ (Σᵢ uᵢuᵢᵀ) H⁻¹ with uᵢ = D̃ᵢᵀ Rᵢ⁻¹ ẽᵢ (Liang & Zeger eq.
//! 6; geepack's `vbeta.naiv`, `vbeta`), D̃ and ẽ the rows scaled by √(w/A).

use crate::error::{GlmError, Result};
use crate::family::Family;
use crate::linalg::Cholesky;
use crate::link::Link;

use super::clusters::Clusters;
use super::correlation::Working;

/// The data of a GEE fit: the kept columns of X (n × k, row-major), response, offset, prior
/// weights (binomial trials folded in), family and link, clusters.
pub struct Problem<'a> {
    pub x: &'a [f64],
    pub k: usize,
    pub y: &'a [f64],
    pub offset: Option<&'a [f64]>,
    pub w: &'a [f64],
    pub family: Family,
    pub link: Link,
    pub clusters: &'a Clusters,
}

/// The solution of the estimating equations and its two covariances.
#[derive(Debug, Clone)]
pub struct Solution {
    pub beta: Vec<f64>,
    /// Model-based covariance φ H⁻¹, k × k.
    pub cov_naive: Vec<f64>,
    /// Empirical (sandwich) covariance, k × k.
    pub cov_robust: Vec<f64>,
    pub scale: f64,
    pub alpha: Vec<f64>,
    pub mu: Vec<f64>,
    pub iterations: usize,
    pub converged: bool,
    /// The largest absolute change of the last iteration.
    pub last_step: f64,
    /// H = Σ D̃ᵀR⁻¹D̃ (k × k), whose φ-scaled inverse is the naive covariance.
    pub h: Vec<f64>,
}

impl Problem<'_> {
    fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.k..(i + 1) * self.k]
    }

    /// μ and the scaled derivative √(w/A)·dμ/dη of every row at β; `None` if a mean is invalid.
    fn means(&self, beta: &[f64]) -> Option<(Vec<f64>, Vec<f64>)> {
        let n = self.y.len();
        let mut mu = vec![0.0; n];
        let mut s = vec![0.0; n];
        for i in 0..n {
            let eta: f64 =
                self.row(i).iter().zip(beta).map(|(a, b)| a * b).sum::<f64>() + self.offset.map_or(0.0, |o| o[i]);
            if !self.link.valid_eta(eta) {
                return None;
            }
            let (m, dm) = self.link.inverse_and_mu_eta(eta);
            if !self.family.valid_mu(m) || !m.is_finite() {
                return None;
            }
            mu[i] = m;
            s[i] = (self.w[i] / self.family.variance(m)).sqrt() * dm;
        }
        Some((mu, s))
    }

    /// Pearson residuals (y − μ)/√A(μ) (unweighted).
    fn pearson(&self, mu: &[f64]) -> Vec<f64> {
        mu.iter()
            .zip(self.y)
            .map(|(&m, &y)| (y - m) / self.family.variance(m).sqrt())
            .collect()
    }

    /// φ = Σ w r² / Σ w.
    fn scale(&self, r: &[f64]) -> f64 {
        let sw: f64 = self.w.iter().sum();
        r.iter().zip(self.w).map(|(r, w)| w * r * r).sum::<f64>() / sw
    }

    /// H = Σᵢ D̃ᵢᵀRᵢ⁻¹D̃ᵢ and the clusters' scores uᵢ = D̃ᵢᵀRᵢ⁻¹ẽᵢ at μ (derivatives `s`,
    /// Pearson residuals `r`) and α.
    fn score(&self, wk: &Working, alpha: &[f64], s: &[f64], r: &[f64]) -> Result<(Vec<f64>, Vec<Vec<f64>>)> {
        let k = self.k;
        let mut h = vec![0.0; k * k];
        let mut scores = Vec::with_capacity(self.clusters.len());
        for (c, rows) in self.clusters.rows.iter().enumerate() {
            let n = rows.len();
            // D̃ (n × k) and ẽ
            let mut d = vec![0.0; n * k];
            let mut e = vec![0.0; n];
            for (a, &i) in rows.iter().enumerate() {
                for (col, xv) in self.row(i).iter().enumerate() {
                    d[a * k + col] = s[i] * xv;
                }
                e[a] = self.w[i].sqrt() * r[i];
            }
            // R⁻¹D̃ and R⁻¹ẽ
            let (rd, re) = if wk.pairs[c].is_empty() {
                (d.clone(), e.clone())
            } else {
                let rm = wk.matrix(alpha, c, n);
                let all: Vec<usize> = (0..n).collect();
                let ch = Cholesky::on(&rm, n, &all).ok_or_else(|| not_pd(wk, alpha))?;
                let mut rd = vec![0.0; n * k];
                let mut col = vec![0.0; n];
                for j in 0..k {
                    for a in 0..n {
                        col[a] = d[a * k + j];
                    }
                    for (a, v) in ch.solve(&col).into_iter().enumerate() {
                        rd[a * k + j] = v;
                    }
                }
                (rd, ch.solve(&e))
            };
            let mut u = vec![0.0; k];
            for a in 0..n {
                for j in 0..k {
                    u[j] += d[a * k + j] * re[a];
                    for l in 0..k {
                        h[j * k + l] += d[a * k + j] * rd[a * k + l];
                    }
                }
            }
            scores.push(u);
        }
        Ok((h, scores))
    }

    /// The scaled residuals r/√φ and the weights, by cluster, for the α update.
    fn by_cluster(&self, r: &[f64], phi: f64) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
        let sq = phi.sqrt();
        let e = self
            .clusters
            .rows
            .iter()
            .map(|rows| rows.iter().map(|&i| r[i] / sq).collect())
            .collect();
        let w = self
            .clusters
            .rows
            .iter()
            .map(|rows| rows.iter().map(|&i| self.w[i]).collect())
            .collect();
        (e, w)
    }

    /// Solves the estimating equations from `start` (the GLM fit), with at most `max_iter`
    /// outer iterations and the tolerance `tol` on the largest absolute change.
    pub fn solve(&self, wk: &Working, start: &[f64], tol: f64, max_iter: usize) -> Result<Solution> {
        let mut beta = start.to_vec();
        let (mu0, _) = self.means(&beta).ok_or_else(bad_start)?;
        let mut phi = self.scale(&self.pearson(&mu0));
        let mut alpha = vec![0.0; wk.q()];
        let mut iterations = 0;
        let mut last_step = f64::INFINITY;
        while iterations < max_iter && last_step > tol {
            dimorph_core::interrupt::poll();
            iterations += 1;
            let (mu, s) = self.means(&beta).ok_or_else(bad_start)?;
            let (h, scores) = self.score(wk, &alpha, &s, &self.pearson(&mu))?;
            let delta = solve_step(&h, self.k, &scores)?;
            let mut step = 1.0;
            let next = loop {
                let b: Vec<f64> = beta.iter().zip(&delta).map(|(b, d)| b + step * d).collect();
                if self.means(&b).is_some() {
                    break b;
                }
                step /= 2.0;
                if step < 1e-10 {
                    return Err(GlmError::argument("--gee", "the fitted means left the family's range and step halving did not bring them back (the estimating equations have no solution from the GLM start; check for separation)"));
                }
            };
            let mut change = delta.iter().map(|d| (step * d).abs()).fold(0.0, f64::max);
            beta = next;
            let (mu, _) = self.means(&beta).ok_or_else(bad_start)?;
            let r = self.pearson(&mu);
            let phi_new = self.scale(&r);
            change = change.max((phi_new - phi).abs());
            phi = phi_new;
            if wk.q() > 0 {
                let (e, w) = self.by_cluster(&r, phi);
                let a_new = wk.update(&alpha, &e, &w).map_err(|a| {
                    GlmError::argument(
                        "--corstr",
                        format!(
                            "the correlation parameter {} is not estimable: no cluster has rows at both of its waves",
                            wk.names[a]
                        ),
                    )
                })?;
                change = a_new
                    .iter()
                    .zip(&alpha)
                    .map(|(a, b)| (a - b).abs())
                    .fold(change, f64::max);
                alpha = a_new;
            }
            last_step = change;
        }
        self.finish(wk, beta, phi, alpha, iterations, last_step <= tol, last_step)
    }

    /// The covariances at the solution.
    #[allow(clippy::too_many_arguments)]
    fn finish(
        &self,
        wk: &Working,
        beta: Vec<f64>,
        scale: f64,
        alpha: Vec<f64>,
        iterations: usize,
        converged: bool,
        last_step: f64,
    ) -> Result<Solution> {
        let k = self.k;
        let (mu, s) = self.means(&beta).ok_or_else(bad_start)?;
        let (h, scores) = self.score(wk, &alpha, &s, &self.pearson(&mu))?;
        let all: Vec<usize> = (0..k).collect();
        let hinv = Cholesky::on(&h, k, &all).ok_or_else(singular)?.inverse();
        let mut meat = vec![0.0; k * k];
        for u in &scores {
            for a in 0..k {
                for b in 0..k {
                    meat[a * k + b] += u[a] * u[b];
                }
            }
        }
        let cov_robust = sandwich(&hinv, &meat, k);
        let cov_naive = hinv.iter().map(|v| v * scale).collect();
        Ok(Solution {
            beta,
            cov_naive,
            cov_robust,
            scale,
            alpha,
            mu,
            iterations,
            converged,
            last_step,
            h,
        })
    }
}

/// B M B for symmetric k × k matrices.
fn sandwich(b: &[f64], m: &[f64], k: usize) -> Vec<f64> {
    let mut bm = vec![0.0; k * k];
    for r in 0..k {
        for c in 0..k {
            bm[r * k + c] = (0..k).map(|t| b[r * k + t] * m[t * k + c]).sum();
        }
    }
    let mut out = vec![0.0; k * k];
    for r in 0..k {
        for c in 0..k {
            out[r * k + c] = (0..k).map(|t| bm[r * k + t] * b[t * k + c]).sum();
        }
    }
    out
}

/// The Fisher-scoring step H⁻¹ Σ uᵢ.
fn solve_step(h: &[f64], k: usize, scores: &[Vec<f64>]) -> Result<Vec<f64>> {
    let mut g = vec![0.0; k];
    for u in scores {
        for (a, v) in u.iter().enumerate() {
            g[a] += v;
        }
    }
    let all: Vec<usize> = (0..k).collect();
    Ok(Cholesky::on(h, k, &all).ok_or_else(singular)?.solve(&g))
}

fn not_pd(wk: &Working, alpha: &[f64]) -> GlmError {
    let a: Vec<String> = alpha.iter().map(|v| dimorph_core::text::num(*v)).collect();
    GlmError::argument(
        "--corstr",
        format!(
            "the {} working correlation with alpha = {} is not positive definite in a cluster (the moment estimate left the admissible range; try another --corstr)",
            wk.corstr.name(),
            a.join(", ")
        ),
    )
}

fn singular() -> GlmError {
    GlmError::argument("--gee", "the GEE information matrix Σ DᵀV⁻¹D is singular (a column of the design carries no information with these weights)")
}

fn bad_start() -> GlmError {
    GlmError::argument("--gee", "a fitted mean is outside the family's range (binary data separated by the predictors have no finite GEE estimates)")
}
