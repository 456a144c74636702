//! The typed result of a Firth fit ([`FirthReport`]): coefficients with Wald and profile
//! penalised-likelihood inference, the penalised log-likelihoods and the global test.

use serde::Serialize;

use crate::event::EventLevel;

/// One coefficient of the penalised fit.
#[derive(Debug, Clone, Serialize)]
pub struct FirthCoefficient {
    pub name: String,
    pub estimate: f64,
    /// √ of the diagonal of the inverse penalised information (logistf's `se(coef)`).
    pub se: f64,
    /// Wald z = estimate / se and its two-sided p-value.
    pub wald_z: f64,
    pub wald_p: f64,
    /// estimate ± z₁₋α/₂ · se.
    pub wald_ci: [f64; 2],
    /// Profile penalised-likelihood limits (`None`: not computed, or not found — see the
    /// warnings).
    pub profile_ci: Option<[Option<f64>; 2]>,
    /// Penalised likelihood-ratio χ² of βⱼ = 0 (1 df) and its p-value (logistf's `Chisq`, `p`).
    pub lr_chisq: Option<f64>,
    pub lr_p: Option<f64>,
}

impl FirthCoefficient {
    /// The interval reported: profile when computed, else Wald.
    pub fn ci(&self) -> [Option<f64>; 2] {
        match self.profile_ci {
            Some(c) => c,
            None => [Some(self.wald_ci[0]), Some(self.wald_ci[1])],
        }
    }

    /// The p-value reported: the penalised likelihood-ratio test when computed, else Wald.
    pub fn p(&self) -> f64 {
        self.lr_p.unwrap_or(self.wald_p)
    }
}

/// A global test (statistic, df, p-value).
#[derive(Debug, Clone, Serialize)]
pub struct GlobalTest {
    pub chisq: f64,
    pub df: usize,
    pub p_value: f64,
}

/// Everything `dimorph glm --firth` reports.
#[derive(Debug, Clone, Serialize)]
pub struct FirthReport {
    pub formula: String,
    /// The response as written in the formula.
    pub response: String,
    /// The two levels of a recoded response (text, or `--event`).
    pub event: Option<EventLevel>,
    pub n_read: usize,
    pub n_used: usize,
    pub n_dropped: usize,
    /// Σ of the binomial weights (prior weights or frequencies × trials): logistf's `n`.
    pub n_obs: f64,
    /// Σ weights × response: the number of events.
    pub events: f64,
    pub coefficients: Vec<FirthCoefficient>,
    /// The penalised log-likelihood ℓ*(β̂) = ℓ(β̂) + ½ log|I(β̂)| (logistf's `loglik['full']`).
    pub loglik_penalised: f64,
    /// ℓ* of the intercept-only model (the full design's penalty; logistf's `loglik['null']`).
    pub loglik_penalised_null: f64,
    /// The binomial log-likelihood at β̂, without the penalty.
    pub loglik: f64,
    /// Penalised likelihood-ratio test of all coefficients but the intercept.
    pub lr_test: GlobalTest,
    /// Confidence level of the intervals.
    pub level: f64,
    /// Whether the profile intervals and penalised LR tests were computed (else Wald).
    pub profile: bool,
    pub iterations: usize,
    pub converged: bool,
    /// The covariance matrix (inverse penalised information), row by row.
    pub covariance: Vec<Vec<f64>>,
    /// Notes for the reader (extras left out by the size rule).
    pub notes: Vec<String>,
}
