//! Kannisto smoothing of old-age death rates as in the HMD Methods Protocol v6 (section 7.1):
//! the logistic hazard μ(x) = a·e^{b(x−80)} / (1 + a·e^{b(x−80)}) is fitted by Poisson maximum
//! likelihood, log L = Σ_{x≥80} [D_x ln μ(x+½) − E_x μ(x+½)], to the single-year deaths and
//! exposures at ages 80 and above (the open group counted as its first age), and the fitted
//! μ(x+½) replace the observed rates from age Y on, where Y is the lowest age in 80..=95 at which
//! female or male deaths are at most 100 (95 when there is none).

use serde::Serialize;

/// Parameters of a fitted Kannisto curve and where it replaced the observed rates.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct KannistoFit {
    /// Level `a` (hazard odds at age 80).
    pub a: f64,
    /// Slope `b` per year of age.
    pub b: f64,
    /// First age of the fit (80).
    pub fit_from: f64,
    /// First age whose rate was replaced by the fitted one (Y).
    pub replaced_from: f64,
    /// Log-likelihood at the optimum.
    pub loglik: f64,
    /// Fisher-scoring iterations used.
    pub iterations: usize,
}

impl KannistoFit {
    /// The fitted hazard at exact age `x`.
    pub fn mu(&self, x: f64) -> f64 {
        let z = self.a.ln() + self.b * (x - self.fit_from);
        1.0 / (1.0 + (-z).exp())
    }
}

/// The HMD rule for the first smoothed age: the lowest age in 80..=95 at which any of the given
/// death series (female and male, aligned with `ages`) is at most 100; 95 otherwise.
pub fn hmd_replace_from(ages: &[f64], deaths: &[&[f64]]) -> f64 {
    ages.iter()
        .enumerate()
        .filter(|(_, a)| (80.0..=95.0).contains(*a))
        .find(|(i, _)| deaths.iter().any(|d| d.get(*i).is_some_and(|v| *v <= 100.0)))
        .map(|(_, a)| *a)
        .unwrap_or(95.0)
}

/// Fits the Kannisto model to single-year `deaths` and `exposure` at ages ≥ `fit_from`
/// (`ages` are the starts of the age groups; the open group is counted at its start age).
/// Returns `None` when fewer than two ages with exposure are available or the fit fails.
pub fn fit(ages: &[f64], deaths: &[f64], exposure: &[f64], fit_from: f64) -> Option<KannistoFit> {
    let pts: Vec<(f64, f64, f64)> = ages
        .iter()
        .zip(deaths)
        .zip(exposure)
        .filter(|((a, _), e)| **a >= fit_from && **e > 0.0)
        .map(|((a, d), e)| (*a - fit_from + 0.5, *d, *e))
        .collect();
    if pts.len() < 2 {
        return None;
    }
    // Start: least squares of logit(m) on age, over ages with 0 < m < 1.
    let obs: Vec<(f64, f64)> = pts
        .iter()
        .filter(|(_, d, e)| *d > 0.0 && d / e < 1.0)
        .map(|(t, d, e)| (*t, ((d / e) / (1.0 - d / e)).ln()))
        .collect();
    let (mut alpha, mut b) = if obs.len() >= 2 {
        let n = obs.len() as f64;
        let mt = obs.iter().map(|p| p.0).sum::<f64>() / n;
        let mz = obs.iter().map(|p| p.1).sum::<f64>() / n;
        let sxx: f64 = obs.iter().map(|p| (p.0 - mt).powi(2)).sum();
        let sxy: f64 = obs.iter().map(|p| (p.0 - mt) * (p.1 - mz)).sum();
        let b = if sxx > 0.0 { sxy / sxx } else { 0.1 };
        (mz - b * mt, b)
    } else {
        ((0.05f64).ln(), 0.1)
    };
    let loglik = |alpha: f64, b: f64| -> f64 {
        pts.iter()
            .map(|(t, d, e)| {
                let z = alpha + b * t;
                // ln μ = z − ln(1 + e^z), computed stably
                let ln1p = if z > 0.0 {
                    z + (-z).exp().ln_1p()
                } else {
                    z.exp().ln_1p()
                };
                let mu = 1.0 / (1.0 + (-z).exp());
                d * (z - ln1p) - e * mu
            })
            .sum()
    };
    let mut ll = loglik(alpha, b);
    let mut iterations = 0;
    for it in 0..500 {
        iterations = it + 1;
        let (mut g0, mut g1, mut i00, mut i01, mut i11) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for (t, d, e) in &pts {
            let mu = 1.0 / (1.0 + (-(alpha + b * t)).exp());
            let g = (1.0 - mu) * (d - e * mu);
            let w = e * mu * (1.0 - mu) * (1.0 - mu);
            g0 += g;
            g1 += g * t;
            i00 += w;
            i01 += w * t;
            i11 += w * t * t;
        }
        let det = i00 * i11 - i01 * i01;
        if !(det.is_finite() && det > 0.0) {
            return None;
        }
        let da = (i11 * g0 - i01 * g1) / det;
        let db = (i00 * g1 - i01 * g0) / det;
        let mut step = 1.0;
        let mut accepted = false;
        for _ in 0..60 {
            let (na, nb) = (alpha + step * da, b + step * db);
            let nll = loglik(na, nb);
            if nll.is_finite() && nll >= ll - 1e-12 * ll.abs().max(1.0) {
                alpha = na;
                b = nb;
                ll = nll;
                accepted = true;
                break;
            }
            step *= 0.5;
        }
        if !accepted || (da * step).abs() + (db * step).abs() < 1e-13 {
            break;
        }
    }
    (alpha.is_finite() && b.is_finite()).then_some(KannistoFit {
        a: alpha.exp(),
        b,
        fit_from,
        replaced_from: fit_from,
        loglik: ll,
        iterations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_known_parameters_from_expected_deaths() {
        let (a, b) = (0.06, 0.12);
        let ages: Vec<f64> = (0..=110).map(f64::from).collect();
        let exposure: Vec<f64> = ages.iter().map(|x| 1e6 * (-0.08 * (x - 60.0).max(0.0)).exp()).collect();
        let truth = KannistoFit {
            a,
            b,
            fit_from: 80.0,
            replaced_from: 80.0,
            loglik: 0.0,
            iterations: 0,
        };
        let deaths: Vec<f64> = ages.iter().zip(&exposure).map(|(x, e)| e * truth.mu(x + 0.5)).collect();
        let f = fit(&ages, &deaths, &exposure, 80.0).unwrap();
        assert!((f.a - a).abs() < 1e-9 && (f.b - b).abs() < 1e-9, "{f:?}");
    }

    #[test]
    fn replace_from_follows_the_hmd_rule() {
        let ages: Vec<f64> = (0..=110).map(f64::from).collect();
        let many = vec![1000.0; 111];
        let mut few = many.clone();
        few[88] = 100.0;
        assert_eq!(hmd_replace_from(&ages, &[&many, &many]), 95.0);
        assert_eq!(hmd_replace_from(&ages, &[&many, &few]), 88.0);
        few[70] = 5.0; // below 80 does not count
        assert_eq!(hmd_replace_from(&ages, &[&few]), 88.0);
    }

    #[test]
    fn too_few_ages_gives_none() {
        assert!(fit(&[0.0, 80.0], &[1.0, 1.0], &[10.0, 0.0], 80.0).is_none());
    }
}
