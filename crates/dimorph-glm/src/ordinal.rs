//! The cumulative link model for an ordinal response (McCullagh 1980, "Regression models for
//! ordinal data", JRSS B 42; Agresti, *Categorical Data Analysis*, 3rd ed., §8.2), as R's
//! `MASS::polr` and SAS PROC LOGISTIC's default for a response with more than two ordered levels:
//!
//! ```text
//! F⁻¹(P(Y ≤ j | x)) = ζ_j − η,   η = x'β (+ offset),   j = 1..K−1,
//! ```
//!
//! with F the logistic (proportional odds), normal, complementary log-log or log-log
//! distribution. `polr` reports ζ and β as written; PROC LOGISTIC writes
//! `F⁻¹(P(Y ≤ j)) = α_j + x'b`, so α = ζ and b = −β (both are printed, each with its equation).
//!
//! The fit is Newton–Raphson on the exact gradient and Hessian of the log-likelihood
//! Σ w_i log(F(ζ_{y_i} − η_i) − F(ζ_{y_i−1} − η_i)), with step halving; standard errors from the
//! observed information (as `polr` with `Hess = TRUE` and PROC LOGISTIC at the maximum). The score
//! test of the parallel lines assumption (PROC LOGISTIC's "Score Test for the Proportional Odds
//! Assumption"; Peterson & Harrell 1990, Applied Statistics 39) is U'I⁻¹U for the general model
//! with a slope vector per cut, at the parallel fit, with the expected information (SAS's default
//! Fisher scoring), on p(K−2) degrees of freedom.

use serde::Serialize;

use dimorph_core::dist::{dnorm, pnorm, pnorm_upper, qnorm};
use dimorph_data::Frame;
use dimorph_report::Outcome;

use crate::category::{
    inverse_pd, maximize, prepare, separation_warnings, CatCoef, CategoricalData, CategoricalReport, ChiSquareTest,
    Eval, Fitted, Prepare,
};
use crate::error::{GlmError, Result};
use crate::link::Link;

/// The options of `dimorph glm --family ordinal`.
#[derive(Debug, Clone, Serialize)]
pub struct OrdinalOptions {
    /// The link F⁻¹: logit (proportional odds, the default), probit, cloglog or loglog.
    pub link: Link,
    /// The response levels, lowest first (`--levels`); `None`: numbers in numeric order, text in
    /// order of first appearance.
    pub levels: Option<Vec<String>>,
    /// Column of case weights (each row's log-likelihood times its weight, as polr's `weights`).
    pub weights: Option<String>,
    /// Column of frequencies (as `weights`, and the number of observations is their sum).
    pub freq: Option<String>,
    /// Confidence level of the Wald intervals.
    pub level: f64,
    /// Convergence tolerance on the relative change of the log-likelihood.
    pub tol: f64,
    /// Most Newton iterations.
    pub max_iter: usize,
}

impl Default for OrdinalOptions {
    fn default() -> Self {
        OrdinalOptions {
            link: Link::Logit,
            levels: None,
            weights: None,
            freq: None,
            level: 0.95,
            tol: 1e-8,
            max_iter: 100,
        }
    }
}

impl OrdinalOptions {
    /// Refuses bad values, naming the CLI flag.
    pub fn validate(&self) -> Result<()> {
        if !matches!(self.link, Link::Logit | Link::Probit | Link::Cloglog | Link::Loglog) {
            return Err(GlmError::argument(
                "--link",
                format!(
                    "the ordinal (cumulative link) model takes logit, probit, cloglog or loglog, not {}",
                    self.link.cli_name()
                ),
            ));
        }
        common_checks(self.level, self.tol, self.max_iter, &self.weights, &self.freq)
    }
}

/// The checks the ordinal and multinomial options share.
pub(crate) fn common_checks(
    level: f64,
    tol: f64,
    max_iter: usize,
    weights: &Option<String>,
    freq: &Option<String>,
) -> Result<()> {
    crate::options::check_level(level)?;
    if !(tol > 0.0 && tol < 1.0) {
        return Err(GlmError::argument(
            "--tol",
            format!("must be positive and below 1, got {}", dimorph_core::text::num(tol)),
        ));
    }
    if !(1..=crate::options::MAX_ITER_LIMIT).contains(&max_iter) {
        return Err(GlmError::argument(
            "--max-iter",
            format!(
                "must be between 1 and {}, got {max_iter}",
                crate::options::MAX_ITER_LIMIT
            ),
        ));
    }
    if weights.is_some() && freq.is_some() {
        return Err(GlmError::argument(
            "--freq",
            "cannot be combined with --weights: a row has either a case weight or a frequency",
        ));
    }
    Ok(())
}

/// The latent distribution F of a link, with its density and the density's derivative.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Latent(Link);

impl Latent {
    fn cdf(self, x: f64) -> f64 {
        match self.0 {
            Link::Probit => pnorm(x),
            Link::Cloglog => -(-x.exp()).exp_m1(),
            Link::Loglog => (-(-x).exp()).exp(),
            _ => 1.0 / (1.0 + (-x).exp()),
        }
    }
    /// 1 − F(x), accurate in the upper tail.
    fn sf(self, x: f64) -> f64 {
        match self.0 {
            Link::Probit => pnorm_upper(x),
            Link::Cloglog => (-x.exp()).exp(),
            Link::Loglog => -(-(-x).exp()).exp_m1(),
            _ => 1.0 / (1.0 + x.exp()),
        }
    }
    fn pdf(self, x: f64) -> f64 {
        if x.is_infinite() {
            return 0.0;
        }
        match self.0 {
            Link::Probit => dnorm(x),
            Link::Cloglog => (x - x.exp()).exp(),
            Link::Loglog => (-x - (-x).exp()).exp(),
            _ => {
                let e = (-x.abs()).exp();
                e / ((1.0 + e) * (1.0 + e))
            }
        }
    }
    /// f'(x).
    fn dpdf(self, x: f64) -> f64 {
        if x.is_infinite() {
            return 0.0;
        }
        let f = self.pdf(x);
        match self.0 {
            Link::Probit => -x * f,
            Link::Cloglog => f * (1.0 - x.exp()),
            Link::Loglog => f * ((-x).exp() - 1.0),
            _ => f * (1.0 - 2.0 * self.cdf(x)),
        }
    }
    fn quantile(self, p: f64) -> f64 {
        match self.0 {
            Link::Probit => qnorm(p),
            Link::Cloglog => (-(-p).ln_1p()).ln(),
            Link::Loglog => -(-p.ln()).ln(),
            _ => (p / (1.0 - p)).ln(),
        }
    }
    /// P(v < Z ≤ u), from the nearer tail.
    fn prob(self, u: f64, v: f64) -> f64 {
        if v > 0.0 {
            self.sf(v) - self.sf(u)
        } else {
            self.cdf(u) - self.cdf(v)
        }
    }
}

/// The linear predictor of each row (x'β + offset).
fn linear_predictor(d: &CategoricalData, beta: &[f64]) -> Vec<f64> {
    (0..d.n)
        .map(|i| {
            let r = &d.x[i * d.p..(i + 1) * d.p];
            r.iter().zip(beta).map(|(a, b)| a * b).sum::<f64>() + d.offset.as_ref().map_or(0.0, |o| o[i])
        })
        .collect()
}

fn evaluate(d: &CategoricalData, f: Latent, theta: &[f64], derivs: bool) -> Option<Eval> {
    let k1 = d.levels.names.len() - 1;
    let (p, q) = (d.p, k1 + d.p);
    let zeta = &theta[..k1];
    let eta = linear_predictor(d, &theta[k1..]);
    let mut ll = 0.0;
    let mut grad = vec![0.0; q];
    let mut h = vec![0.0; q * q];
    let mut p_obs = Vec::with_capacity(d.n);
    for (i, &eta_i) in eta.iter().enumerate() {
        let k = d.y[i];
        let u = if k < k1 { zeta[k] - eta_i } else { f64::INFINITY };
        let v = if k > 0 { zeta[k - 1] - eta_i } else { f64::NEG_INFINITY };
        let pr = f.prob(u, v);
        if !(pr > 0.0 && pr.is_finite()) {
            return None;
        }
        let w = d.w[i];
        ll += w * pr.ln();
        p_obs.push(pr);
        if !derivs {
            continue;
        }
        let (a, b) = (f.pdf(u), f.pdf(v));
        let (lu, lv) = (a / pr, -b / pr);
        let luu = f.dpdf(u) / pr - lu * lu;
        let lvv = -f.dpdf(v) / pr - lv * lv;
        let luv = -lu * lv;
        let x = &d.x[i * p..(i + 1) * p];
        // θ = (ζ, β): ∂u/∂ζ_k = 1, ∂v/∂ζ_{k−1} = 1, ∂u/∂β = ∂v/∂β = −x
        let cb = luu + lvv + 2.0 * luv;
        for a in 0..p {
            grad[k1 + a] -= w * (lu + lv) * x[a];
            for bb in 0..=a {
                h[(k1 + a) * q + k1 + bb] -= w * cb * x[a] * x[bb];
            }
        }
        if k < k1 {
            grad[k] += w * lu;
            h[k * q + k] -= w * luu;
            for a in 0..p {
                h[(k1 + a) * q + k] += w * (luu + luv) * x[a];
            }
        }
        if k > 0 {
            grad[k - 1] += w * lv;
            h[(k - 1) * q + k - 1] -= w * lvv;
            for a in 0..p {
                h[(k1 + a) * q + k - 1] += w * (lvv + luv) * x[a];
            }
            if k < k1 {
                h[k * q + k - 1] -= w * luv;
            }
        }
    }
    for a in 0..q {
        for b in a + 1..q {
            h[a * q + b] = h[b * q + a];
        }
    }
    ll.is_finite().then_some(Eval {
        loglik: ll,
        grad,
        neg_hess: h,
        p_obs,
    })
}

/// Newton–Raphson from the thresholds of the marginal proportions and β = 0.
fn newton(d: &CategoricalData, f: Latent, tol: f64, max_iter: usize) -> Result<Fitted> {
    let k1 = d.levels.names.len() - 1;
    let total: f64 = d.levels.counts.iter().sum();
    let mut cum = 0.0;
    let mut theta: Vec<f64> = d.levels.counts[..k1]
        .iter()
        .map(|c| {
            cum += c;
            f.quantile(cum / total)
        })
        .collect();
    theta.resize(k1 + d.p, 0.0);
    let Some(at) = evaluate(d, f, &theta, true).or_else(|| {
        // an offset far from 0: start the thresholds around its median
        let mut o: Vec<f64> = d.offset.clone().unwrap_or_default();
        o.sort_by(f64::total_cmp);
        let m = o.get(o.len() / 2).copied().unwrap_or(0.0);
        theta[..k1].iter_mut().for_each(|t| *t += m);
        evaluate(d, f, &theta, true)
    }) else {
        return Err(GlmError::argument(
            "--family",
            "ordinal: no finite log-likelihood at the starting values (an offset or a column of X too large?)",
        ));
    };
    Ok(maximize(theta, at, |t| evaluate(d, f, t, true), tol, max_iter))
}

/// The score statistic U'I⁻¹U of the general cumulative model (a slope vector per cut) at the
/// parallel fit, on p(K−2) df; `Err` with the reason when it is not defined.
fn parallel_score_test(d: &CategoricalData, f: Latent, theta: &[f64]) -> std::result::Result<ChiSquareTest, String> {
    let k1 = d.levels.names.len() - 1;
    if k1 < 2 {
        return Err("the score test of parallel lines needs at least three response levels".into());
    }
    if d.p == 0 {
        return Err("the score test of parallel lines needs predictors".into());
    }
    let m = d.p + 1;
    let q = k1 * m;
    let eta = linear_predictor(d, &theta[k1..]);
    let mut u = vec![0.0; q];
    let mut info = vec![0.0; q * q];
    let mut z = vec![1.0; m];
    for (i, &eta_i) in eta.iter().enumerate() {
        z[1..].copy_from_slice(&d.x[i * d.p..(i + 1) * d.p]);
        let gam: Vec<f64> = theta[..k1].iter().map(|t| t - eta_i).collect();
        let dens: Vec<f64> = gam.iter().map(|g| f.pdf(*g)).collect();
        let pi: Vec<f64> = (0..=k1)
            .map(|c| {
                let hi = if c < k1 { gam[c] } else { f64::INFINITY };
                let lo = if c > 0 { gam[c - 1] } else { f64::NEG_INFINITY };
                f.prob(hi, lo)
            })
            .collect();
        let w = d.w[i];
        let k = d.y[i];
        if k < k1 {
            u[k * m..(k + 1) * m]
                .iter_mut()
                .zip(&z)
                .for_each(|(a, b)| *a += w * dens[k] / pi[k] * b);
        }
        if k > 0 {
            u[(k - 1) * m..k * m]
                .iter_mut()
                .zip(&z)
                .for_each(|(a, b)| *a -= w * dens[k - 1] / pi[k] * b);
        }
        // the per-cut information is tridiagonal: M_dd = f_d²(1/π_d + 1/π_{d+1}), M_d,d+1 = −f_d f_{d+1}/π_{d+1}
        for dd in 0..k1 {
            let mdd = dens[dd] * dens[dd] * (1.0 / pi[dd] + 1.0 / pi[dd + 1]);
            add_block(&mut info, q, m, dd, dd, w * mdd, &z);
            if dd + 1 < k1 {
                let off = -dens[dd] * dens[dd + 1] / pi[dd + 1];
                add_block(&mut info, q, m, dd, dd + 1, w * off, &z);
                add_block(&mut info, q, m, dd + 1, dd, w * off, &z);
            }
        }
    }
    let inv = inverse_pd(&info, q).ok_or_else(|| {
        "the score test of parallel lines is not defined here: the information of the general model is singular (a category empty within a level of a predictor?)".to_string()
    })?;
    let chi2: f64 = (0..q)
        .map(|a| u[a] * (0..q).map(|b| inv[a * q + b] * u[b]).sum::<f64>())
        .sum();
    Ok(ChiSquareTest::new(chi2.max(0.0), d.p * (k1 - 1)))
}

fn add_block(info: &mut [f64], q: usize, m: usize, a: usize, b: usize, s: f64, z: &[f64]) {
    for r in 0..m {
        for c in 0..m {
            info[(a * m + r) * q + b * m + c] += s * z[r] * z[c];
        }
    }
}

/// Fits the cumulative link model of `formula` to `data`: the report, its text (polr's and PROC
/// LOGISTIC's), the tidy tables `coefficients` and `fit`, and the warnings.
pub fn run_ordinal(data: &Frame, formula: &str, opts: &OrdinalOptions) -> Result<Outcome<CategoricalReport>> {
    opts.validate()?;
    let mut d = prepare(
        data,
        formula,
        &Prepare {
            model: "ordinal",
            levels: opts.levels.as_deref(),
            weights: opts.weights.as_deref().or(opts.freq.as_deref()),
            freq: opts.freq.is_some(),
            thresholds: true,
        },
    )?;
    let f = Latent(opts.link);
    let fit = newton(&d, f, opts.tol, opts.max_iter)?;
    let k1 = d.levels.names.len() - 1;
    let q = fit.theta.len();
    let mut warnings = std::mem::take(&mut d.warnings);
    let cov = inverse_pd(&fit.at.neg_hess, q);
    if cov.is_none() {
        warnings.push("the observed information is singular at the estimates: standard errors are NA".into());
    }
    let se = |j: usize| cov.as_ref().map_or(f64::NAN, |c| c[j * q + j].max(0.0).sqrt());
    let mut coefficients = Vec::with_capacity(q);
    for j in 0..k1 {
        let name = format!("{}|{}", d.levels.names[j], d.levels.names[j + 1]);
        coefficients.push(CatCoef::new(name, "threshold".into(), fit.theta[j], se(j), opts.level));
    }
    for j in 0..d.p {
        coefficients.push(CatCoef::new(
            d.col_names[j].clone(),
            "slope".into(),
            fit.theta[k1 + j],
            se(k1 + j),
            opts.level,
        ));
    }
    warnings.extend(separation_warnings(
        &fit.at.p_obs,
        &d.w,
        fit.at.loglik,
        fit.converged,
        opts.max_iter,
    ));
    // the model without predictors (thresholds only, offset kept)
    let null_d = CategoricalData {
        x: Vec::new(),
        p: 0,
        col_names: Vec::new(),
        ..d.clone()
    };
    let null = newton(&null_d, f, opts.tol, opts.max_iter)?;
    let mut notes = Vec::new();
    let po = match parallel_score_test(&d, f, &fit.theta) {
        Ok(t) => Some(t),
        Err(why) => {
            notes.push(why);
            None
        }
    };
    let report = finish_report(
        &d,
        opts,
        formula,
        coefficients,
        fit.at.loglik,
        null.at.loglik,
        fit.iterations,
        fit.converged,
        po,
        notes,
    );
    Ok(Outcome {
        summary: report.summary(),
        sections: crate::category_report::ordinal_sections(&report),
        tables: report.tables(),
        result: report,
        files: Vec::new(),
        warnings,
    })
}

#[allow(clippy::too_many_arguments)]
fn finish_report(
    d: &CategoricalData,
    opts: &OrdinalOptions,
    formula: &str,
    coefficients: Vec<CatCoef>,
    loglik: f64,
    null_loglik: f64,
    iterations: usize,
    converged: bool,
    po: Option<ChiSquareTest>,
    notes: Vec<String>,
) -> CategoricalReport {
    let k = coefficients.len();
    let lr_test = (d.p > 0).then(|| ChiSquareTest::new((2.0 * (loglik - null_loglik)).max(0.0), d.p));
    let link = opts.link.cli_name();
    CategoricalReport {
        model: "ordinal".into(),
        formula: formula.to_string(),
        convention: format!(
            "{link} P(Y <= j) = zeta_j - eta (MASS::polr); PROC LOGISTIC: alpha_j + x'b with alpha = zeta, b = -beta"
        ),
        link,
        levels: d.levels.clone(),
        reference: None,
        coefficients,
        loglik,
        deviance: -2.0 * loglik,
        null_deviance: -2.0 * null_loglik,
        n_parameters: k,
        aic: -2.0 * loglik + 2.0 * k as f64,
        bic: -2.0 * loglik + d.n_obs.ln() * k as f64,
        n_obs: d.n_obs,
        n_used: d.n,
        n_read: d.n_read,
        lr_test,
        parallel_score_test: po,
        notes,
        iterations,
        converged,
        level: opts.level,
    }
}
