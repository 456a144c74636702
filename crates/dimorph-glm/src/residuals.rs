//! Residuals and influence (R's `residuals.glm`, `hatvalues`, `rstandard`, `cooks.distance`)
//! and predictions with confidence intervals on the link and response scales.
//!
//! Both need of the fit only what [`Fitted`] holds (β, the estimated columns, the
//! expected-information covariance φ(XᵀWX)⁻¹, φ, the rank, family and link), so the
//! single-machine fit ([`GlmFit`]) and the distributed one ([`crate::distributed`], one part at a
//! time: [`crate::distributed_predict`]) compute them with the same row functions
//! ([`residual_row`], [`predict_rows`]).

use serde::Serialize;

use crate::design::ModelFrame;
use crate::fit::GlmFit;
use crate::{Family, Link};

/// What predictions and residuals need of a fitted model.
#[derive(Debug, Clone, Copy)]
pub struct Fitted<'a> {
    /// β, one per column of X (aliased columns are not read).
    pub coef: &'a [f64],
    /// The estimated (not aliased) columns of X.
    pub kept: &'a [usize],
    /// φ (XᵀWX)⁻¹, row-major p × p.
    pub cov_expected: &'a [f64],
    pub dispersion: f64,
    pub rank: usize,
    pub family: Family,
    pub link: Link,
}

impl<'a> Fitted<'a> {
    /// The figures of a single-machine fit.
    pub fn of(fit: &'a GlmFit) -> Fitted<'a> {
        Fitted {
            coef: &fit.coef,
            kept: &fit.kept,
            cov_expected: &fit.cov_expected,
            dispersion: fit.dispersion,
            rank: fit.rank,
            family: fit.family,
            link: fit.link,
        }
    }

    /// η = xβ + offset of a row `xi` (the estimated columns only).
    pub fn eta(&self, xi: &[f64], offset: f64) -> f64 {
        self.kept.iter().map(|&j| xi[j] * self.coef[j]).sum::<f64>() + offset
    }

    /// xᵀ φ(XᵀWX)⁻¹ x over the estimated columns: the variance of η̂ at the row `xi`.
    pub fn quad(&self, xi: &[f64]) -> f64 {
        let p = self.coef.len();
        let mut q = 0.0;
        for &a in self.kept {
            for &b in self.kept {
                q += xi[a] * self.cov_expected[a * p + b] * xi[b];
            }
        }
        q
    }
}

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

impl ResidualRow {
    /// The figures' names, in the order of [`ResidualRow::values`] (the `residuals` table's
    /// columns after `line`).
    pub const COLUMNS: [&'static str; 11] = [
        "y",
        "fitted",
        "eta",
        "response",
        "pearson",
        "deviance",
        "working",
        "leverage",
        "std_deviance",
        "std_pearson",
        "cooks_distance",
    ];

    /// The row's figures in the order of [`ResidualRow::COLUMNS`].
    pub fn values(&self) -> [f64; 11] {
        [
            self.y,
            self.fitted,
            self.eta,
            self.response,
            self.pearson,
            self.deviance,
            self.working,
            self.leverage,
            self.std_deviance,
            self.std_pearson,
            self.cooks_distance,
        ]
    }
}

/// Residuals of every used row.
pub fn residuals(mf: &ModelFrame, fit: &GlmFit) -> Vec<ResidualRow> {
    let f = Fitted::of(fit);
    (0..mf.n)
        .map(|i| residual_row(&f, mf.lines[i], mf.row(i), mf.y[i], fit.prior[i], fit.eta[i], fit.mu[i]))
        .collect()
}

/// Residuals of rows not taken from a fit's own vectors: X row-major (`y.len()` rows), the
/// response, prior weights (trials folded in) and offset of each, η and μ computed from β
/// ([`Fitted::eta`]) — the distributed fit's parts.
pub fn residuals_at(
    f: &Fitted,
    x: &[f64],
    y: &[f64],
    prior: &[f64],
    offset: Option<&[f64]>,
    lines: &[usize],
) -> Vec<ResidualRow> {
    let p = f.coef.len();
    (0..y.len())
        .map(|i| {
            let xi = &x[i * p..(i + 1) * p];
            let eta = f.eta(xi, offset.map_or(0.0, |o| o[i]));
            residual_row(f, lines[i], xi, y[i], prior[i], eta, f.link.inverse(eta))
        })
        .collect()
}

/// The residuals of one row `xi` with response `y`, prior weight `w`, linear predictor `eta` and
/// mean `mu` (R's `residuals.glm` types, `hatvalues`: h = w μ'(η)²/V(μ) · xᵀ(XᵀWX)⁻¹x,
/// `rstandard`, `cooks.distance`).
pub fn residual_row(f: &Fitted, line: usize, xi: &[f64], y: f64, w: f64, eta: f64, mu: f64) -> ResidualRow {
    let phi = f.dispersion;
    let v = f.family.variance(mu);
    let dmu = f.link.mu_eta(eta);
    let r = y - mu;
    let pearson = r * w.sqrt() / v.sqrt();
    let d = (w * f.family.unit_deviance(y, mu)).max(0.0).sqrt();
    let deviance = if r < 0.0 { -d } else { d };
    let wt = w * dmu * dmu / v;
    let h = wt * f.quad(xi) / phi;
    ResidualRow {
        line,
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
        cooks_distance: (pearson / (1.0 - h)).powi(2) * h / (phi * f.rank as f64),
    }
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

impl Prediction {
    /// The figures' names, in the order of [`Prediction::values`] (the `predictions` table's
    /// columns after `line`).
    pub const COLUMNS: [&'static str; 8] = [
        "eta",
        "se_eta",
        "eta_lower",
        "eta_upper",
        "fitted",
        "se_fitted",
        "fitted_lower",
        "fitted_upper",
    ];

    /// The prediction's figures in the order of [`Prediction::COLUMNS`].
    pub fn values(&self) -> [f64; 8] {
        [
            self.eta,
            self.se_eta,
            self.eta_ci[0],
            self.eta_ci[1],
            self.fitted,
            self.se_fitted,
            self.fitted_ci[0],
            self.fitted_ci[1],
        ]
    }
}

/// Predictions for new rows: `x` row-major with the fit's columns, `offset` per row, `lines` the
/// rows' file lines. Intervals at confidence `level` use the expected-information covariance.
pub fn predict(fit: &GlmFit, x: &[f64], offset: Option<&[f64]>, lines: &[usize], level: f64) -> Vec<Prediction> {
    predict_rows(&Fitted::of(fit), x, offset, lines, level)
}

/// [`predict`] for any [`Fitted`]: η = xβ + offset, se(η) = √(xᵀ φ(XᵀWX)⁻¹ x), the Wald interval
/// η ± z₁₋α/₂ se(η) mapped through g⁻¹, and the delta-method se(μ) = |dμ/dη| se(η) (R's
/// `predict.glm(se.fit = TRUE)`).
pub fn predict_rows(f: &Fitted, x: &[f64], offset: Option<&[f64]>, lines: &[usize], level: f64) -> Vec<Prediction> {
    let p = f.coef.len();
    let z = dimorph_core::dist::qnorm(0.5 + level / 2.0);
    lines
        .iter()
        .enumerate()
        .map(|(i, &line)| {
            let xi = &x[i * p..(i + 1) * p];
            let eta = f.eta(xi, offset.map_or(0.0, |o| o[i]));
            let se = f.quad(xi).sqrt();
            let lo = f.link.inverse(eta - z * se);
            let hi = f.link.inverse(eta + z * se);
            Prediction {
                line,
                eta,
                se_eta: se,
                eta_ci: [eta - z * se, eta + z * se],
                fitted: f.link.inverse(eta),
                se_fitted: f.link.mu_eta(eta).abs() * se,
                fitted_ci: [lo.min(hi), lo.max(hi)],
            }
        })
        .collect()
}
