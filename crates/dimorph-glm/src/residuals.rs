//! Residuals and influence (R's `residuals.glm`, `hatvalues`, `rstandard`, `cooks.distance`)
//! and predictions with confidence intervals on the link and response scales.

use serde::Serialize;

use crate::design::ModelFrame;
use crate::fit::GlmFit;

/// Residuals of one used row.
#[derive(Debug, Clone, Serialize)]
pub struct ResidualRow {
    /// File line of the row.
    pub line: usize,
    pub y: f64,
    pub fitted: f64,
    pub eta: f64,
    /// y − μ.
    pub response: f64,
    /// (y − μ) √w / √V(μ).
    pub pearson: f64,
    /// sign(y − μ) √(w d(y, μ)).
    pub deviance: f64,
    /// (y − μ) / (dμ/dη).
    pub working: f64,
    /// Diagonal of the hat matrix W½X(XᵀWX)⁻¹XᵀW½.
    pub leverage: f64,
    /// deviance / √(φ (1 − h)) (R's `rstandard`).
    pub std_deviance: f64,
    /// pearson / √(φ (1 − h)).
    pub std_pearson: f64,
    /// (pearson / (1 − h))² h / (φ p) (R's `cooks.distance`).
    pub cooks_distance: f64,
}

/// Residuals of every used row.
pub fn residuals(mf: &ModelFrame, fit: &GlmFit) -> Vec<ResidualRow> {
    let p = mf.p;
    let rank = fit.rank as f64;
    let phi = fit.dispersion;
    (0..mf.n)
        .map(|i| {
            let (y, mu, eta, w) = (mf.y[i], fit.mu[i], fit.eta[i], fit.prior[i]);
            let v = fit.family.variance(mu);
            let dmu = fit.link.mu_eta(eta);
            let r = y - mu;
            let pearson = r * w.sqrt() / v.sqrt();
            let d = (w * fit.family.unit_deviance(y, mu)).max(0.0).sqrt();
            let deviance = if r < 0.0 { -d } else { d };
            let wt = w * dmu * dmu / v;
            let xi = mf.row(i);
            let mut q = 0.0;
            for &a in &fit.kept {
                for &b in &fit.kept {
                    q += xi[a] * fit.cov_expected[a * p + b] * xi[b];
                }
            }
            let h = wt * q / phi;
            ResidualRow {
                line: mf.lines[i],
                y,
                fitted: mu,
                eta,
                response: r,
                pearson,
                deviance,
                working: r / dmu,
                leverage: h,
                std_deviance: deviance / (phi * (1.0 - h)).sqrt(),
                std_pearson: pearson / (phi * (1.0 - h)).sqrt(),
                cooks_distance: (pearson / (1.0 - h)).powi(2) * h / (phi * rank),
            }
        })
        .collect()
}

/// A prediction for one new row.
#[derive(Debug, Clone, Serialize)]
pub struct Prediction {
    pub line: usize,
    pub eta: f64,
    pub se_eta: f64,
    pub eta_ci: [f64; 2],
    pub fitted: f64,
    /// Standard error on the response scale by the delta method, |dμ/dη| · se(η).
    pub se_fitted: f64,
    /// The link-scale interval mapped through g⁻¹ (ordered low, high).
    pub fitted_ci: [f64; 2],
}

/// Predictions for new rows: `x` row-major with the fit's columns, `offset` per row, `lines` the
/// rows' file lines. Intervals at confidence `level` use the expected-information covariance.
pub fn predict(fit: &GlmFit, x: &[f64], offset: Option<&[f64]>, lines: &[usize], level: f64) -> Vec<Prediction> {
    let p = fit.coef.len();
    let z = dimorph_core::dist::qnorm(0.5 + level / 2.0);
    lines
        .iter()
        .enumerate()
        .map(|(i, &line)| {
            let xi = &x[i * p..(i + 1) * p];
            let eta = fit.kept.iter().map(|&j| xi[j] * fit.coef[j]).sum::<f64>() + offset.map_or(0.0, |o| o[i]);
            let mut v = 0.0;
            for &a in &fit.kept {
                for &b in &fit.kept {
                    v += xi[a] * fit.cov_expected[a * p + b] * xi[b];
                }
            }
            let se = v.sqrt();
            let lo = fit.link.inverse(eta - z * se);
            let hi = fit.link.inverse(eta + z * se);
            Prediction {
                line,
                eta,
                se_eta: se,
                eta_ci: [eta - z * se, eta + z * se],
                fitted: fit.link.inverse(eta),
                se_fitted: fit.link.mu_eta(eta).abs() * se,
                fitted_ci: [lo.min(hi), lo.max(hi)],
            }
        })
        .collect()
}
