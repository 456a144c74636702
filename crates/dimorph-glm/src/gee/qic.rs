//! QIC, the quasi-likelihood under the independence model criterion (Pan 2001, *Akaike's
//! information criterion in generalized estimating equations*, Biometrics 57, 120–125, eq. 4–5),
//! as `geepack::QIC` computes it: QIC = −2Q(μ̂) + 2 tr(Ω̂_I V̂_r), with Q the quasi-likelihood of
//! the fitted means summed over the rows (unweighted, scale 1), Ω̂_I the inverse of the
//! model-based covariance of the independence fit and V̂_r the empirical covariance of the model;
//! QICu = −2Q + 2p; CIC = tr(Ω̂_I V̂_r); QICC = QIC + 2m(m + 1)/(K − m − 1) with m = p + the number
//! of correlation parameters and K clusters (Hin & Wang 2009).

use serde::Serialize;

use crate::family::Family;

/// The criteria of one model.
#[derive(Debug, Clone, Serialize)]
pub struct Qic {
    pub qic: f64,
    pub qicu: f64,
    /// Q(μ̂): the quasi-likelihood.
    pub quasi_likelihood: f64,
    /// tr(Ω̂_I V̂_r), the penalty.
    pub cic: f64,
    /// p, the mean parameters.
    pub params: usize,
    /// NaN when K ≤ m + 1.
    pub qicc: f64,
}

/// The quasi-likelihood of one observation (scale 1), geepack's formulas; `None` for a family
/// without one here. For the Gamma family the textbook −y/μ − log μ (geepack 1.3.9 writes
/// −y/(μ − log μ)).
fn quasi(family: Family, y: f64, mu: f64) -> Option<f64> {
    Some(match family {
        Family::Gaussian => -(y - mu) * (y - mu) / 2.0,
        Family::Binomial | Family::QuasiBinomial => y * (mu / (1.0 - mu)).ln() + (1.0 - mu).ln(),
        Family::Poisson | Family::QuasiPoisson => {
            if y == 0.0 {
                -mu
            } else {
                y * mu.ln() - mu
            }
        }
        Family::Gamma => -y / mu - mu.ln(),
        _ => return None,
    })
}

/// QIC of a fit with means `mu` and empirical covariance `cov_robust` (k × k), given the
/// independence fit's H_I and scale φ_I (Ω̂_I = H_I/φ_I), the number of correlation
/// parameters and of clusters; `None` for a family without a quasi-likelihood here.
#[allow(clippy::too_many_arguments)]
pub fn qic(
    family: Family,
    y: &[f64],
    mu: &[f64],
    cov_robust: &[f64],
    h_indep: &[f64],
    scale_indep: f64,
    k: usize,
    q: usize,
    clusters: usize,
) -> Option<Qic> {
    let mut ql = 0.0;
    for (&yi, &m) in y.iter().zip(mu) {
        ql += quasi(family, yi, m)?;
    }
    let mut cic = 0.0;
    for a in 0..k {
        for b in 0..k {
            cic += h_indep[a * k + b] / scale_indep * cov_robust[b * k + a];
        }
    }
    let qic = -2.0 * (ql - cic);
    let m = (k + q) as f64;
    let kk = clusters as f64;
    let qicc = if kk - m - 1.0 > 0.0 {
        qic + 2.0 * m * (m + 1.0) / (kk - m - 1.0)
    } else {
        f64::NAN
    };
    Some(Qic {
        qic,
        qicu: -2.0 * (ql - k as f64),
        quasi_likelihood: ql,
        cic,
        params: k,
        qicc,
    })
}
