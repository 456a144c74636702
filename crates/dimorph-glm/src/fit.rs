//! Fitting a GLM to a [`ModelFrame`] (the paper's §4.1: maximum likelihood by Fisher scoring):
//! the fitted model and the goodness-of-fit
//! figures that R's `glm` and SAS GENMOD print (deviance and Pearson χ² with their df, the
//! log-likelihood in full and as SAS's kernel, AIC, AICc, BIC, the dispersion), both
//! covariance matrices (expected information, as R; observed information, as SAS GENMOD), the
//! null model, and separation checks for binary responses.

use serde::Serialize;

use dimorph_core::Location;

use crate::design::ModelFrame;
use crate::error::{clip, clip_list, GlmError, Result};
use crate::family::Family;
use crate::irls::{self, Problem};
use crate::linalg::{sub_matrix, Cholesky};
use crate::link::Link;
use crate::negbin::{self, ThetaEstimate};
use crate::null_refit;
use crate::options::{Dispersion, GlmOptions};

/// A fitted GLM: everything a report needs. Vectors indexed by coefficient have one entry per
/// column of X; aliased columns hold NaN (printed as NA, written as JSON null).
#[derive(Debug, Clone, Serialize)]
pub struct GlmFit {
    pub family: Family,
    pub link: Link,
    pub response: String,
    pub coef_names: Vec<String>,
    pub coef: Vec<f64>,
    /// Names of aliased (linearly dependent) columns, R's "not defined because of singularities".
    pub aliased: Vec<String>,
    /// Standard errors from the expected information (R, statsmodels).
    pub se_expected: Vec<f64>,
    /// Standard errors from the observed information (SAS GENMOD); equal to the expected ones
    /// for canonical links.
    pub se_observed: Vec<f64>,
    /// Covariance of the estimates (expected information, times φ), row-major p × p.
    #[serde(skip)]
    pub cov_expected: Vec<f64>,
    #[serde(skip)]
    pub cov_observed: Vec<f64>,
    pub dispersion: f64,
    pub dispersion_method: Dispersion,
    pub deviance: f64,
    pub scaled_deviance: f64,
    pub pearson_chi2: f64,
    pub scaled_pearson_chi2: f64,
    pub df_residual: f64,
    pub null_deviance: f64,
    pub df_null: f64,
    /// Log-likelihood of the null model, in full and as SAS's kernel.
    pub null_loglik: f64,
    pub null_loglik_kernel: f64,
    /// Fitted means of the null model.
    #[serde(skip)]
    pub null_mu: Vec<f64>,
    /// Log-likelihood in full (R's `logLik`).
    pub loglik: f64,
    /// Log-likelihood kernel as SAS prints it ("Log Likelihood" in GENMOD; −2 Log L in LOGISTIC).
    pub loglik_kernel: f64,
    /// Number of parameters counted in AIC/BIC (rank, + dispersion for Gaussian/Gamma/IG, + θ).
    pub n_params: usize,
    pub aic: f64,
    pub aicc: f64,
    pub bic: f64,
    /// Observations: rows with positive weight, or Σ frequencies.
    pub n_obs: f64,
    pub n_read: usize,
    pub n_used: usize,
    pub n_dropped: usize,
    /// Σ events and Σ trials for binomial responses (frequency-weighted).
    pub events: Option<f64>,
    pub trials: Option<f64>,
    pub rank: usize,
    pub iterations: usize,
    pub converged: bool,
    pub theta: Option<ThetaEstimate>,
    /// "complete" or "quasi-complete" when a binary response is separated.
    pub separation: Option<String>,
    pub warnings: Vec<String>,
    #[serde(skip)]
    pub eta: Vec<f64>,
    #[serde(skip)]
    pub mu: Vec<f64>,
    /// Prior weights with trials folded in (R's `weights(fit)`).
    #[serde(skip)]
    pub prior: Vec<f64>,
    /// Frequencies (1 unless `frequency_weights`).
    #[serde(skip)]
    pub freq: Vec<f64>,
    /// Trials per row (1 for non-binomial or 0/1 responses).
    #[serde(skip)]
    pub n_trials: Vec<f64>,
    /// Kept (estimated) column indices.
    #[serde(skip)]
    pub kept: Vec<usize>,
    #[serde(skip)]
    pub options_tol: f64,
}

impl GlmFit {
    /// Whether the dispersion was estimated (R then uses t tests, SAS F tests).
    pub fn dispersion_estimated(&self) -> bool {
        self.dispersion_method != Dispersion::Fixed
    }
}

/// Prior weights (trials folded in), frequencies and trials per row, after validating the
/// response against the family. Errors name the file line.
pub(crate) fn weights_for(
    mf: &ModelFrame,
    opts: &GlmOptions,
    family: Family,
) -> Result<(Vec<f64>, Vec<f64>, Vec<f64>)> {
    let n = mf.n;
    if mf.trials.is_some() && !family.is_binomial() {
        return Err(GlmError::argument(
            "--family",
            format!(
                "the response '{}' is events/trials, which needs binomial (or quasibinomial), not {}",
                clip(&mf.response_name),
                family.name()
            ),
        ));
    }
    let at = |i: usize| Location::file(mf.source.clone()).line(mf.lines[i]);
    let mut prior = vec![1.0; n];
    let mut freq = vec![1.0; n];
    let trials = mf.trials.clone().unwrap_or_else(|| vec![1.0; n]);
    if let Some(w) = &mf.weights {
        if let Some(i) = w.iter().position(|wi| !wi.is_finite() || *wi < 0.0) {
            return Err(GlmError::input(
                at(i),
                format!(
                    "weights must be non-negative and finite, got {}",
                    dimorph_core::text::num(w[i])
                ),
            ));
        }
        if opts.frequency_weights {
            freq.copy_from_slice(w);
        }
        prior.copy_from_slice(w);
    }
    for i in 0..n {
        let y = mf.y[i];
        if mf.trials.is_some() {
            let t = trials[i];
            if t.is_nan() || t < 0.0 {
                return Err(GlmError::input(
                    at(i),
                    format!(
                        "the number of trials must be non-negative, got {}",
                        dimorph_core::text::num(t)
                    ),
                ));
            }
            if t > MAX_TRIALS {
                return Err(GlmError::input(
                    at(i),
                    format!(
                        "{} has {} trials, more than 2^53 ≈ 9.0e15, beyond which counts are not exact in double precision and the deviance overflows",
                        clip(&mf.response_name),
                        fmt_num(t)
                    ),
                ));
            }
            if t > 0.0 && !(0.0..=1.0).contains(&y) {
                let events = y * t;
                return Err(GlmError::input(
                    at(i),
                    format!(
                        "{} has {} events, which is {} the {} trials (need 0 ≤ y ≤ n)",
                        mf.response_name,
                        fmt_num(events),
                        if events > t { "more than" } else { "outside" },
                        fmt_num(t)
                    ),
                ));
            }
        } else if let Err(msg) = family.check_y(y) {
            return Err(GlmError::input(at(i), format!("{} ({})", msg, clip(&mf.response_name))));
        }
        prior[i] *= trials[i];
    }
    Ok((prior, freq, trials))
}

/// Whether `x` is a whole number as R's `dpois` checks it (|x − round(x)| ≤ 1e-7 max(1, |x|)).
fn is_whole(x: f64) -> bool {
    (x - x.round()).abs() <= 1e-7 * x.abs().max(1.0)
}

/// Notes on values that should be whole numbers and are not (R warns "non-integer x" for a
/// Poisson or negative binomial count and "non-integer #successes" for the binomial): the count
/// response, the binomial successes (trials × proportion × weight), the frequencies of `--freq`.
fn whole_number_notes(mf: &ModelFrame, opts: &GlmOptions, prior: &[f64], freq: &[f64]) -> Vec<String> {
    let first_bad = |v: &dyn Fn(usize) -> f64| -> Option<(usize, usize)> {
        let bad: Vec<usize> = (0..mf.n).filter(|&i| !is_whole(v(i))).collect();
        bad.first().map(|&i| (bad.len(), i))
    };
    let at = |i: usize| format!("{}: line {}", mf.source, mf.lines[i]);
    let mut notes = Vec::new();
    let counts = matches!(opts.family, Family::Poisson | Family::NegBin { .. });
    if counts {
        if let Some((k, i)) = first_bad(&|i| mf.y[i]) {
            notes.push(format!(
                "{k} of {} values of the count response '{}' are not whole numbers (first at {}: {}); the log-likelihood and AIC treat them as counts (R warns: non-integer x)",
                mf.n,
                clip(&mf.response_name),
                at(i),
                fmt_num(mf.y[i])
            ));
        }
    }
    if opts.family == Family::Binomial {
        if let Some((k, i)) = first_bad(&|i| prior[i] * mf.y[i]) {
            notes.push(format!(
                "{k} of {} rows have a number of successes (response × trials × weight) that is not whole (first at {}: {}) (R warns: non-integer #successes in a binomial glm)",
                mf.n,
                at(i),
                fmt_num(prior[i] * mf.y[i])
            ));
        }
    }
    if opts.frequency_weights {
        if let Some((k, i)) = first_bad(&|i| freq[i]) {
            notes.push(format!(
                "--freq: {k} of {} frequencies are not whole numbers (first at {}: {}); each row counts that many times, fractions included",
                mf.n,
                at(i),
                fmt_num(freq[i])
            ));
        }
    }
    notes
}

/// Most trials of one row: 2^53, the largest count a double holds exactly.
pub const MAX_TRIALS: f64 = 9_007_199_254_740_992.0;

/// A number quoted in a message, in its shortest form (the kernel's, never 300 digits).
fn fmt_num(v: f64) -> String {
    dimorph_core::text::num(v)
}

/// Refuses a model frame with nothing to fit and starting values of the wrong length.
fn check_fittable(mf: &ModelFrame, opts: &GlmOptions) -> Result<()> {
    if mf.n == 0 {
        return Err(GlmError::Singular(format!(
            "{}: no rows left to fit ({} read, {} dropped for missing values)",
            mf.source, mf.n_read, mf.n_dropped
        )));
    }
    if mf.p == 0 {
        return Err(GlmError::Singular(format!(
            "{}: the formula gives the model no coefficient to estimate (empty design: add a term or an intercept)",
            mf.source
        )));
    }
    if let Some(s) = &opts.start {
        if s.len() != mf.p {
            return Err(GlmError::argument(
                "--start",
                format!(
                    "has {} values but the model has {} coefficients ({})",
                    s.len(),
                    mf.p,
                    clip_list(&mf.col_names)
                ),
            ));
        }
    }
    Ok(())
}

/// The problem IRLS solves for a frame, weights and family.
fn problem<'a>(mf: &'a ModelFrame, prior: &'a [f64], family: Family, link: Link) -> Problem<'a> {
    Problem {
        x: &mf.x,
        n: mf.n,
        p: mf.p,
        y: &mf.y,
        w: prior,
        offset: mf.offset.as_deref(),
        family,
        link,
    }
}

/// Fits the model: IRLS (§4.1), or for the negative binomial with θ estimated the alternation
/// of θ and β (`negbin::fit_theta`), then the figures of [`GlmFit`].
pub fn fit(mf: &ModelFrame, opts: &GlmOptions) -> Result<GlmFit> {
    check_fittable(mf, opts)?;
    let link = opts.link.unwrap_or_else(|| opts.family.canonical_link());
    let family = opts.family;
    family.check_link(link).map_err(|m| GlmError::argument("--link", m))?;
    let (prior, freq, trials) = weights_for(mf, opts, family)?;
    let notes = whole_number_notes(mf, opts, &prior, &freq);
    let intercept = if mf.intercept { Some(0) } else { None };
    let free: Vec<usize> = (0..mf.p).collect();

    // the fit: plain IRLS, or alternating θ and β for the negative binomial
    let mut nb_warning = None;
    let mut kept_eta = None;
    let (family, res, theta) = if let (Family::NegBin { .. }, true) = (family, opts.estimate_theta) {
        let nb = negbin::fit_theta(mf, &prior, link, intercept, opts)?;
        nb_warning = nb.warning;
        match nb.theta {
            Some(t) => (Family::NegBin { theta: t.theta }, nb.irls, Some(t)),
            None => (Family::Poisson, nb.irls, None),
        }
    } else {
        let pb = problem(mf, &prior, family, link);
        let (res, eta) = irls::irls_keeping_eta(&pb, &free, intercept, opts.start.as_deref(), opts.control());
        kept_eta = eta;
        // columns the normal equations declared aliased: QR decides again (NIST Filip)
        let res = crate::qr::rescue(&pb, &free, opts.control(), res);
        (family, res, None)
    };
    if res.bounds.no_valid_start {
        let hint = "give starting values with --start (one per coefficient, with η valid on every row)";
        return Err(irls::no_valid_start_error(link, opts.start.is_some(), hint));
    }
    if let Some(stuck) = res.bounds.stuck {
        let hint = "give other starting values with --start (one per coefficient) or try another link";
        return Err(irls::stuck_error(link, stuck, hint));
    }
    if !res.converged {
        return Err(GlmError::NotConverged {
            iterations: res.iterations,
            last_change: res.last_change,
        });
    }
    if !opts.singular_ok && !res.aliased.is_empty() {
        let names: Vec<&str> = res.aliased.iter().map(|&j| mf.col_names[j].as_str()).collect();
        return Err(GlmError::Singular(format!(
            "singular design: {} {} linearly dependent on earlier columns",
            clip_list(&names),
            if names.len() == 1 { "is" } else { "are" }
        )));
    }
    if res.kept.is_empty() {
        return Err(GlmError::Singular(
            "singular design: no column of the design matrix can be estimated".into(),
        ));
    }
    let rows = Rows { prior, freq, trials };
    // η of the last IRLS pass, when that pass was taken at the returned β
    let eta = kept_eta.and_then(|k| k.at(&res.beta));
    let mut f = finish(mf, family, link, rows, (res, eta), theta, opts)?;
    f.warnings.splice(0..0, nb_warning.into_iter().chain(notes));
    if let Family::Tweedie { power } = family {
        f.warnings.push(crate::tweedie::aic_note(power));
    }
    Ok(f)
}

/// The per-row weights of a fit.
struct Rows {
    /// Prior weights with trials folded in.
    prior: Vec<f64>,
    /// Frequencies (1 unless frequency weights).
    freq: Vec<f64>,
    /// Trials per row.
    trials: Vec<f64>,
}

/// η = Xβ + offset (unless the last IRLS pass kept it) and μ = g⁻¹(η) of every row, and the
/// Pearson χ² Σ w (y − μ)²/V(μ), split over threads.
fn fitted_values(
    mf: &ModelFrame,
    beta: &[f64],
    kept_eta: Option<Vec<f64>>,
    prior: &[f64],
    (family, link): (Family, Link),
    threads: usize,
) -> (Vec<f64>, Vec<f64>, f64) {
    let ranges = irls::row_ranges(mf.n, threads);
    let eta = match kept_eta {
        Some(e) if e.len() == mf.n => e,
        _ => {
            let mut e = vec![0.0; mf.n];
            dimorph_core::threads::map_blocks_mut(&mut e, 1, &ranges, |r, out| {
                for (o, i) in out.iter_mut().zip(r) {
                    *o = irls::dot(mf.row(i), beta) + mf.offset.as_ref().map_or(0.0, |o| o[i]);
                }
            });
            e
        }
    };
    let mut mu = vec![0.0; mf.n];
    let parts = dimorph_core::threads::map_blocks_mut(&mut mu, 1, &ranges, |r, out| {
        let mut pearson = 0.0;
        for (o, i) in out.iter_mut().zip(r) {
            let m = link.inverse(eta[i]);
            if prior[i] > 0.0 {
                let res = mf.y[i] - m;
                pearson += prior[i] * res * res / family.variance(m);
            }
            *o = m;
        }
        pearson
    });
    let mut pearson = 0.0;
    for p in parts {
        pearson += p;
    }
    (eta, mu, pearson)
}

/// The dispersion method used (the family's default resolved) and φ.
fn dispersion_of(
    asked: Dispersion,
    family: Family,
    pearson: f64,
    deviance: f64,
    df_residual: f64,
) -> (Dispersion, f64) {
    let method = match asked {
        Dispersion::Default if family.dispersion_fixed() => Dispersion::Fixed,
        Dispersion::Default => Dispersion::Pearson,
        d => d,
    };
    let phi = match method {
        Dispersion::Fixed | Dispersion::Default => 1.0,
        Dispersion::Pearson => pearson / df_residual,
        Dispersion::Deviance => deviance / df_residual,
    };
    (method, phi)
}

/// The covariance of the estimates from the expected information (R) and from the observed
/// information (SAS GENMOD; the same for canonical links), both times φ.
fn covariances(
    pb: &Problem,
    res: &irls::Irls,
    mf: &ModelFrame,
    mu: &[f64],
    dispersion: f64,
    threads: usize,
) -> (Vec<f64>, Vec<f64>) {
    let p = mf.p;
    // XᵀWX at β̂: the last IRLS pass computed it, unless Newton steps moved β after it
    let xtwx = match &res.xtwx {
        Some(a) => a.clone(),
        None => irls::pass_at(pb, &res.beta, threads).xtwx,
    };
    let mut cov_e = covariance(&xtwx, p, &res.kept, dispersion);
    if let Some(c) = &res.cov_unscaled {
        cov_e = c.iter().map(|v| dispersion * v).collect();
    }
    let canonical =
        pb.link == pb.family.canonical_link() && !matches!(pb.family, Family::NegBin { .. } | Family::Tweedie { .. });
    let cov_o = if canonical {
        cov_e.clone()
    } else {
        let h = observed_information(mf, pb.w, mu, pb.family, pb.link);
        covariance(&h, p, &res.kept, dispersion)
    };
    (cov_e, cov_o)
}

/// The log-likelihood in full and as SAS's kernel, the number of parameters and AIC, AICc, BIC.
struct Likelihood {
    loglik: f64,
    kernel: f64,
    n_params: usize,
    aic: f64,
    aicc: f64,
    bic: f64,
}

/// The likelihood figures at μ; Gaussian, Gamma and inverse Gaussian use R's scale
/// (deviance / Σ w).
#[allow(clippy::too_many_arguments)]
fn likelihood(
    mf: &ModelFrame,
    family: Family,
    mu: &[f64],
    rows: &Rows,
    (deviance, saturated): (f64, Option<(f64, f64)>),
    sum_w: f64,
    n_obs: f64,
    k: usize,
    threads: usize,
) -> Likelihood {
    let scale = deviance / if family.is_binomial() { 1.0 } else { sum_w };
    let (mut loglik, mut kernel) = match saturated {
        // L(μ̂) = −D/2 + L(y; y) (the `saturated` module)
        Some((s, sk)) => (-0.5 * deviance + s, -0.5 * deviance + sk),
        None => loglik_sums(family, &mf.y, |i| mu[i], &rows.prior, &rows.trials, scale, threads),
    };
    if matches!(family, Family::Gaussian) {
        // R: −n/2 (log(2π D/n) + 1) + ½ Σ log w
        let slw: f64 = rows.prior.iter().filter(|&&w| w > 0.0).map(|w| w.ln()).sum();
        loglik = -0.5 * n_obs * ((2.0 * std::f64::consts::PI * deviance / n_obs).ln() + 1.0) + 0.5 * slw;
        kernel = loglik;
    }
    let kf = k as f64;
    let (aic, aicc, bic) = if family.has_likelihood() {
        let aic = -2.0 * loglik + 2.0 * kf;
        (
            aic,
            aic + 2.0 * kf * (kf + 1.0) / (n_obs - kf - 1.0),
            -2.0 * loglik + kf * n_obs.ln(),
        )
    } else {
        (f64::NAN, f64::NAN, f64::NAN)
    };
    Likelihood {
        loglik,
        kernel,
        n_params: k,
        aic,
        aicc,
        bic,
    }
}

/// The null model: deviance, df, fitted means, log-likelihoods (full, kernel) and the warnings of
/// its refit.
struct NullModel {
    deviance: f64,
    df: f64,
    mu: Vec<f64>,
    loglik: f64,
    kernel: f64,
    warnings: Vec<String>,
}

fn null_model(
    mf: &ModelFrame,
    family: Family,
    link: Link,
    rows: &Rows,
    (sum_w, saturated): (f64, Option<(f64, f64)>),
    n_obs: f64,
    opts: &GlmOptions,
) -> NullModel {
    let (deviance, df, mu, warnings) = null_deviance(mf, &rows.prior, family, link, opts);
    let (loglik, kernel) = if let Some((s, sk)) = saturated {
        (-0.5 * deviance + s, -0.5 * deviance + sk)
    } else if family.has_likelihood() {
        let scale = deviance / if family.is_binomial() { 1.0 } else { sum_w };
        loglik_sums(family, &mf.y, |i| mu[i], &rows.prior, &rows.trials, scale, opts.threads)
    } else {
        (f64::NAN, f64::NAN)
    };
    let df = if opts.frequency_weights {
        n_obs - f64::from(u8::from(mf.intercept))
    } else {
        df
    };
    NullModel {
        deviance,
        df,
        mu,
        loglik,
        kernel,
        warnings,
    }
}

/// What the user should know about a fit: an inestimable dispersion, separation, aliased
/// columns, dropped rows.
fn fit_warnings(
    mf: &ModelFrame,
    res: &irls::Irls,
    dispersion: f64,
    df_residual: f64,
    separation: Option<&str>,
) -> Vec<String> {
    let mut warnings = Vec::new();
    if !dispersion.is_finite() {
        warnings.push(format!(
            "the dispersion cannot be estimated with {df_residual} residual degrees of freedom; standard errors are NaN"
        ));
    }
    if let Some(s) = separation {
        warnings.push(format!(
            "{s} separation of the data points: some fitted probabilities are numerically 0 or 1 and the maximum likelihood estimates may not exist; results are from the last iteration"
        ));
    }
    if !res.aliased.is_empty() {
        warnings.push(format!(
            "{} not defined because of singularities: {}",
            res.aliased.len(),
            clip_list(
                &res.aliased
                    .iter()
                    .map(|&j| mf.col_names[j].as_str())
                    .collect::<Vec<_>>()
            )
        ));
    }
    if mf.n_dropped > 0 {
        warnings.push(format!(
            "{} of {} rows dropped because a used column was missing",
            mf.n_dropped, mf.n_read
        ));
    }
    warnings
}

/// Computes everything after convergence.
fn finish(
    mf: &ModelFrame,
    family: Family,
    link: Link,
    rows: Rows,
    (res, kept_eta): (irls::Irls, Option<Vec<f64>>),
    theta: Option<ThetaEstimate>,
    opts: &GlmOptions,
) -> Result<GlmFit> {
    let p = mf.p;
    let (eta, mu, pearson) = fitted_values(mf, &res.beta, kept_eta, &rows.prior, (family, link), opts.threads);
    let rank = res.kept.len();
    let n_obs: f64 = if opts.frequency_weights {
        rows.freq.iter().sum()
    } else {
        rows.prior.iter().filter(|&&w| w > 0.0).count() as f64
    };
    let df_residual = n_obs - rank as f64;
    let deviance = res.deviance;
    let (method, dispersion) = dispersion_of(opts.dispersion, family, pearson, deviance, df_residual);
    let pb = problem(mf, &rows.prior, family, link);
    let (cov_e, cov_o) = covariances(&pb, &res, mf, &mu, dispersion, opts.threads);
    let se = |c: &[f64]| (0..p).map(|j| c[j * p + j].sqrt()).collect::<Vec<f64>>();
    let mut coef = res.beta.clone();
    for &j in &res.aliased {
        coef[j] = f64::NAN;
    }
    let sum_w: f64 = if opts.frequency_weights {
        rows.freq.iter().sum()
    } else {
        rows.prior.iter().sum()
    };
    let k = rank + family.aic_extra() + usize::from(theta.is_some());
    let saturated = crate::saturated::saturated_loglik(family, &mf.y, &rows.prior, &rows.trials, opts.threads);
    let ll = likelihood(
        mf,
        family,
        &mu,
        &rows,
        (deviance, saturated),
        sum_w,
        n_obs,
        k,
        opts.threads,
    );
    let null = null_model(mf, family, link, &rows, (sum_w, saturated), n_obs, opts);
    let (events, trials_total) = if family.is_binomial() {
        // prior weights hold trials × weight, so these are Σ events and Σ trials
        let e: f64 = (0..mf.n).map(|i| rows.prior[i] * mf.y[i]).sum();
        (Some(e), Some(rows.prior.iter().sum()))
    } else {
        (None, None)
    };
    let separation = if family.is_binomial() {
        detect_separation(&mf.y, &mu, &rows.prior)
    } else {
        None
    };
    let mut warnings = fit_warnings(mf, &res, dispersion, df_residual, separation.as_deref());
    warnings.extend(res.bounds.warnings(link));
    warnings.extend(null.warnings);
    Ok(GlmFit {
        family,
        link,
        response: mf.response_name.clone(),
        coef_names: mf.col_names.clone(),
        coef,
        aliased: res.aliased.iter().map(|&j| mf.col_names[j].clone()).collect(),
        se_expected: se(&cov_e),
        se_observed: se(&cov_o),
        cov_expected: cov_e,
        cov_observed: cov_o,
        dispersion,
        dispersion_method: method,
        deviance,
        scaled_deviance: deviance / dispersion,
        pearson_chi2: pearson,
        scaled_pearson_chi2: pearson / dispersion,
        df_residual,
        null_deviance: null.deviance,
        df_null: null.df,
        null_loglik: null.loglik,
        null_loglik_kernel: null.kernel,
        null_mu: null.mu,
        loglik: ll.loglik,
        loglik_kernel: ll.kernel,
        n_params: ll.n_params,
        aic: ll.aic,
        aicc: ll.aicc,
        bic: ll.bic,
        n_obs,
        n_read: mf.n_read,
        n_used: mf.n,
        n_dropped: mf.n_dropped,
        events,
        trials: trials_total,
        rank,
        iterations: res.iterations,
        converged: res.converged,
        theta,
        separation,
        warnings,
        eta,
        mu,
        prior: rows.prior,
        freq: rows.freq,
        n_trials: rows.trials,
        kept: res.kept,
        options_tol: opts.tol,
    })
}

/// Σ log-likelihood in full and as SAS's kernel over the rows with positive weight, split over
/// threads. The prior weight of a binomial row is divided by its trials (R's convention).
fn loglik_sums(
    family: Family,
    y: &[f64],
    mu: impl Fn(usize) -> f64 + Sync,
    prior: &[f64],
    trials: &[f64],
    scale: f64,
    threads: usize,
) -> (f64, f64) {
    let [ll, k] = irls::par_sum(y.len(), threads, |lo, hi| {
        let (mut ll, mut k) = (0.0, 0.0);
        for i in lo..hi {
            let w0 = if family.is_binomial() {
                if trials[i] > 0.0 {
                    prior[i] / trials[i]
                } else {
                    0.0
                }
            } else {
                prior[i]
            };
            if w0 == 0.0 {
                continue;
            }
            let m = mu(i);
            ll += family.loglik(y[i], m, w0, trials[i], scale);
            k += family.loglik_kernel(y[i], m, w0, trials[i], scale);
        }
        [ll, k]
    });
    (ll, k)
}

/// φ · (XᵀWX)⁻¹ on the kept columns, NaN elsewhere.
pub(crate) fn covariance(xtwx: &[f64], p: usize, kept: &[usize], dispersion: f64) -> Vec<f64> {
    let mut cov = vec![f64::NAN; p * p];
    let sub = sub_matrix(xtwx, p, kept);
    if let Some(ch) = Cholesky::on(&sub, kept.len(), &(0..kept.len()).collect::<Vec<_>>()) {
        let inv = ch.inverse();
        let k = kept.len();
        for (r, &jr) in kept.iter().enumerate() {
            for (c, &jc) in kept.iter().enumerate() {
                cov[jr * p + jc] = dispersion * inv[r * k + c];
            }
        }
    }
    cov
}

/// The observed information −∂²ℓ/∂β∂βᵀ (for φ = 1): XᵀW₀X with W₀ from
/// [`irls::observed_weight`] — what SAS GENMOD inverts.
pub(crate) fn observed_information(mf: &ModelFrame, prior: &[f64], mu: &[f64], family: Family, link: Link) -> Vec<f64> {
    let p = mf.p;
    let mut h = vec![0.0; p * p];
    for i in 0..mf.n {
        let w = prior[i];
        if w == 0.0 {
            continue;
        }
        let wo = irls::observed_weight(family, link, mf.y[i], mu[i], w);
        let xi = mf.row(i);
        for r in 0..p {
            let s = wo * xi[r];
            for c in r..p {
                h[r * p + c] += s * xi[c];
            }
        }
    }
    for r in 0..p {
        for c in 0..r {
            h[r * p + c] = h[c * p + r];
        }
    }
    h
}

/// The deviance of the null model, its df, its fitted means and the warnings of its refit, as R's
/// `glm.fit`: with an intercept, the intercept-only model (refitted when there is an offset,
/// [`null_refit`]); without, μ = g⁻¹(offset).
fn null_deviance(
    mf: &ModelFrame,
    prior: &[f64],
    family: Family,
    link: Link,
    opts: &GlmOptions,
) -> (f64, f64, Vec<f64>, Vec<String>) {
    let n = mf.n;
    let n_pos = prior.iter().filter(|&&w| w > 0.0).count() as f64;
    if mf.intercept {
        if let Some(off) = &mf.offset {
            // refit y ~ 1 + offset
            let x1 = vec![1.0; n];
            let pb = Problem {
                x: &x1,
                n,
                p: 1,
                y: &mf.y,
                w: prior,
                offset: Some(off),
                family,
                link,
            };
            let ctl = opts.control();
            let mut data = irls::InMemory {
                pb: &pb,
                threads: ctl.threads,
            };
            let sums = |_: &mut irls::InMemory| {
                Ok(Some(null_refit::NullSums::of(
                    (0..n).map(|i| (prior[i], mf.y[i], off[i])),
                )))
            };
            let r = match null_refit::refit(&mut data, 1, (family, link), ctl, sums) {
                Ok(r) => r,
                Err(never) => match never {},
            };
            let warnings = null_refit::warnings(&r, link);
            if !null_refit::fitted(&r) {
                return (f64::NAN, n_pos - 1.0, vec![f64::NAN; n], warnings);
            }
            let mu0 = (0..n).map(|i| link.inverse(r.beta[0] + off[i])).collect();
            (r.deviance, n_pos - 1.0, mu0, warnings)
        } else {
            let sw: f64 = prior.iter().sum();
            let m = prior.iter().zip(&mf.y).map(|(w, y)| w * y).sum::<f64>() / sw;
            let d = crate::saturated::constant_mean_deviance(family, &mf.y, prior, m, opts.threads);
            (d, n_pos - 1.0, vec![m; n], Vec::new())
        }
    } else {
        let mu0: Vec<f64> = (0..n)
            .map(|i| link.inverse(mf.offset.as_ref().map_or(0.0, |o| o[i])))
            .collect();
        let d = (0..n)
            .filter(|&i| prior[i] > 0.0)
            .map(|i| prior[i] * family.unit_deviance(mf.y[i], mu0[i]))
            .sum();
        (d, n_pos, mu0, Vec::new())
    }
}

/// Complete separation: every observation with a positive weight is fitted at its observed 0 or
/// 1 (a fitted probability within 1e-8 of it); quasi-complete: some are, not all.
fn detect_separation(y: &[f64], mu: &[f64], w: &[f64]) -> Option<String> {
    const T: f64 = 1e-8;
    let mut extreme = 0usize;
    let mut total = 0usize;
    let mut all_fit = true;
    for i in 0..y.len() {
        if w[i] <= 0.0 {
            continue;
        }
        total += 1;
        let at_bound = (mu[i] < T && y[i] == 0.0) || (mu[i] > 1.0 - T && y[i] == 1.0);
        if at_bound {
            extreme += 1;
        }
        if !at_bound {
            all_fit = false;
        }
    }
    if total > 0 && extreme == total && all_fit {
        Some("complete".into())
    } else if extreme > 0 {
        Some("quasi-complete".into())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::crabs;

    /// The score Xᵀ[w (y − μ)/(V g′)] vanishes at the returned estimates: the identity-link
    /// crab model, where Fisher scoring alone creeps, is taken to the maximum.
    #[test]
    fn identity_link_fit_is_at_the_maximum() {
        let mf = crabs(false);
        let f = fit(&mf, &GlmOptions::new(Family::Poisson, Some(Link::Identity))).expect("fit");
        for j in 0..mf.p {
            let u: f64 = (0..mf.n)
                .map(|i| {
                    let mu = f.mu[i];
                    (mf.y[i] - mu) / (f.family.variance(mu) * f.link.deriv(mu)) * mf.x[i * mf.p + j]
                })
                .sum();
            assert!(u.abs() < 1e-8, "score[{j}] = {u}");
        }
        assert!(f.iterations < 25, "{} iterations", f.iterations);
    }
}
