//! Robust ("sandwich") covariance of GLM estimates: B M B with the bread B = (XᵀWX)⁻¹ (expected
//! information, φ = 1) and the meat M a sum of outer products of the rows' score contributions
//! uᵢ = xᵢ wᵢ (yᵢ − μᵢ) / (V(μᵢ) g′(μᵢ)) (the dispersion cancels, Zeileis 2006, *Object-oriented
//! computation of sandwich estimators*, J. Stat. Softw. 16(9), eq. 4–6):
//!
//! - HC0 (White 1980): M = Σ uᵢuᵢᵀ; HC1: HC0 · n/(n − k); HC2 and HC3 (MacKinnon & White 1985):
//!   uᵢuᵢᵀ / (1 − hᵢ) and / (1 − hᵢ)², with hᵢ the GLM hat values — as R's
//!   `sandwich::vcovHC(fit, type = …)` on a `glm`;
//! - cluster-robust (Liang & Zeger 1986; Arellano 1987): M = Σ_g (Σ_{i∈g} uᵢ)(Σ_{i∈g} uᵢ)ᵀ over
//!   the G clusters, times G/(G − 1) · (n − 1)/(n − k) (Stata's default and
//!   `sandwich::vcovCL(fit, cluster = ~g, type = "HC1")`), or G/(G − 1) alone with HC0 (`type =
//!   "HC0"`).
//!
//! n counts the rows with positive weight, k the estimated coefficients. Wald tests with a robust
//! covariance are z tests (as `lmtest::coeftest` on a `glm`, and Stata).

use std::collections::HashMap;

use dimorph_core::Location;
use dimorph_data::{ColumnData, Frame};
use serde::Serialize;

use crate::design::ModelFrame;
use crate::error::{clip, GlmError, Result};
use crate::fit::GlmFit;
use crate::linalg::sub_matrix;
pub use crate::options::HcType;

/// Which covariance the standard errors come from, as reported.
#[derive(Debug, Clone, Serialize)]
pub struct RobustInfo {
    /// `HC0` … `HC3`, or `CR1`/`CR0` for clusters (HC1/HC0 small-sample factor).
    pub kind: String,
    /// The clustering column, when clustered.
    pub cluster: Option<String>,
    /// Number of clusters G.
    pub clusters: Option<usize>,
    /// The factor the meat was multiplied by (n/(n − k), G/(G − 1)·(n − 1)/(n − k), …; 1 for
    /// HC0, HC2, HC3).
    pub adjustment: f64,
    /// A short label for tables: "robust HC1 (sandwich)", "cluster-robust by id (G = 20, CR1)".
    pub label: String,
}

/// What `--robust`/`--cluster` ask for, resolved on the data.
#[derive(Debug, Clone)]
pub struct RobustSpec {
    pub hc: HcType,
    /// Cluster of every model-frame row, the number of clusters, the column's name.
    pub clusters: Option<(Vec<usize>, usize, String)>,
}

impl RobustSpec {
    /// The robust covariance of `fit` and its description (see [`sandwich`]).
    pub fn covariance(&self, mf: &ModelFrame, fit: &GlmFit) -> (Vec<f64>, RobustInfo) {
        let cl = self.clusters.as_ref().map(|(i, g, n)| (i.as_slice(), *g, n.as_str()));
        sandwich(mf, fit, self.hc, cl)
    }
}

/// The robust covariance (p × p, NaN outside the kept columns) with its description.
/// `clusters`: the cluster index of every model-frame row, with the number of clusters and the
/// column's name. HC2/HC3 leave rows with hᵢ = 1 out of nothing: their term is ∞ and the
/// covariance NaN (reported as NA).
pub fn sandwich(
    mf: &ModelFrame,
    fit: &GlmFit,
    hc: HcType,
    clusters: Option<(&[usize], usize, &str)>,
) -> (Vec<f64>, RobustInfo) {
    let p = mf.p;
    let kept = &fit.kept;
    let k = kept.len();
    // bread: (XᵀWX)⁻¹ on the kept columns = cov_expected / φ
    let phi = fit.dispersion;
    let bread: Vec<f64> = sub_matrix(&fit.cov_expected, p, kept).iter().map(|v| v / phi).collect();
    let n_pos = (0..mf.n).filter(|&i| fit.prior[i] > 0.0).count() as f64;
    let mut meat = vec![0.0; k * k];
    let mut cluster_sums = clusters.map(|(_, g, _)| vec![0.0; g * k]);
    let mut xk = vec![0.0; k];
    for i in 0..mf.n {
        let w = fit.prior[i];
        if w == 0.0 {
            continue;
        }
        let (y, mu, eta) = (mf.y[i], fit.mu[i], fit.eta[i]);
        let v = fit.family.variance(mu);
        let dmu = fit.link.mu_eta(eta);
        let e = w * (y - mu) * dmu / v;
        let xi = mf.row(i);
        for (r, &j) in kept.iter().enumerate() {
            xk[r] = xi[j];
        }
        if let (Some(sums), Some((idx, _, _))) = (cluster_sums.as_mut(), clusters) {
            let g = idx[i];
            for r in 0..k {
                sums[g * k + r] += e * xk[r];
            }
            continue;
        }
        let omega = match hc {
            HcType::Hc0 | HcType::Hc1 => 1.0,
            HcType::Hc2 | HcType::Hc3 => {
                let wt = w * dmu * dmu / v;
                let mut q = 0.0;
                for r in 0..k {
                    let mut s = 0.0;
                    for c in 0..k {
                        s += bread[r * k + c] * xk[c];
                    }
                    q += xk[r] * s;
                }
                let one_minus_h = 1.0 - wt * q;
                if hc == HcType::Hc2 {
                    1.0 / one_minus_h
                } else {
                    1.0 / (one_minus_h * one_minus_h)
                }
            }
        };
        let e2 = e * e * omega;
        for r in 0..k {
            for c in 0..k {
                meat[r * k + c] += e2 * xk[r] * xk[c];
            }
        }
    }
    let kf = k as f64;
    let (kind, adjustment, label) = match clusters {
        Some((_, g, name)) => {
            let gf = g as f64;
            let (kind, adj) = if hc == HcType::Hc0 {
                ("CR0", gf / (gf - 1.0))
            } else {
                ("CR1", gf / (gf - 1.0) * (n_pos - 1.0) / (n_pos - kf))
            };
            if let Some(sums) = &cluster_sums {
                for s in sums.chunks_exact(k) {
                    for r in 0..k {
                        for c in 0..k {
                            meat[r * k + c] += s[r] * s[c];
                        }
                    }
                }
            }
            (
                kind.to_string(),
                adj,
                format!("cluster-robust by {name} (G = {g}, {kind})"),
            )
        }
        None => {
            let adj = if hc == HcType::Hc1 { n_pos / (n_pos - kf) } else { 1.0 };
            (hc.name().to_string(), adj, format!("robust {} (sandwich)", hc.name()))
        }
    };
    // B M B · adjustment
    let mut bm = vec![0.0; k * k];
    for r in 0..k {
        for c in 0..k {
            bm[r * k + c] = (0..k).map(|t| bread[r * k + t] * meat[t * k + c]).sum();
        }
    }
    let mut cov = vec![f64::NAN; p * p];
    for (r, &jr) in kept.iter().enumerate() {
        for (c, &jc) in kept.iter().enumerate() {
            let v: f64 = (0..k).map(|t| bm[r * k + t] * bread[t * k + c]).sum();
            cov[jr * p + jc] = v * adjustment;
        }
    }
    let info = RobustInfo {
        kind,
        cluster: clusters.map(|(_, _, n)| n.to_string()),
        clusters: clusters.map(|(_, g, _)| g),
        adjustment,
        label,
    };
    (cov, info)
}

/// The cluster of every model-frame row from the column `name` of `frame` (numbers or text; each
/// distinct value a cluster), with the number of clusters. Refuses a missing column, a missing
/// value in a used row (naming its line) and a single cluster.
pub fn cluster_index(frame: &Frame, mf: &ModelFrame, name: &str) -> Result<(Vec<usize>, usize)> {
    let col = frame
        .column(name)
        .map_err(|_| GlmError::argument("--cluster", format!("no column '{}' in {}", clip(name), frame.source)))?;
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut idx = Vec::with_capacity(mf.n);
    for &line in &mf.lines {
        let row = line - frame.first_line;
        if col.is_missing(row) {
            return Err(GlmError::input(
                Location::file(frame.source.clone()).line(line).column(name),
                "the cluster is missing (--cluster needs a value in every row the model uses)",
            ));
        }
        let key = match &col.data {
            ColumnData::Num(v) => crate::expr::r_number(v[row] + 0.0),
            ColumnData::Text { values, .. } => values[row].clone().unwrap_or_default(),
        };
        let next = ids.len();
        idx.push(*ids.entry(key).or_insert(next));
    }
    if ids.len() < 2 {
        return Err(GlmError::argument(
            "--cluster",
            format!(
                "column '{}' has a single cluster in the {} rows the model uses; cluster-robust standard errors need at least 2 clusters (the factor G/(G − 1) is not defined for G = 1)",
                clip(name),
                mf.n
            ),
        ));
    }
    Ok((idx, ids.len()))
}

/// Replaces the fit's standard errors and covariances (both conventions) by the robust ones.
pub fn apply(fit: &mut GlmFit, cov: Vec<f64>) {
    let p = fit.coef.len();
    let se: Vec<f64> = (0..p).map(|j| cov[j * p + j].sqrt()).collect();
    fit.se_expected = se.clone();
    fit.se_observed = se;
    fit.cov_observed = cov.clone();
    fit.cov_expected = cov;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_parse_and_name() {
        assert_eq!("HC3".parse::<HcType>().ok(), Some(HcType::Hc3));
        assert_eq!(HcType::Hc1.name(), "HC1");
        assert!("hc9".parse::<HcType>().is_err());
    }
}
