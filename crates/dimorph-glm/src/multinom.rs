//! The baseline-category (generalized) logit model for a nominal response (Agresti, *Categorical
//! Data Analysis*, 3rd ed., §8.1), as R's `nnet::multinom` and SAS PROC LOGISTIC `LINK=GLOGIT`:
//!
//! ```text
//! log(P(Y = j | x) / P(Y = r | x)) = x'β_j,   j ≠ r,
//! ```
//!
//! with r the reference level (`--ref`; default the first level, as `multinom`; PROC LOGISTIC's
//! default is the last, `REF=LAST`). The log-likelihood Σ w_i (x_i'β_{y_i} − log Σ_j exp(x_i'β_j))
//! is concave; the fit is Newton–Raphson on its exact gradient and Hessian
//! (−∂²l/∂β_a∂β_b = Σ w P_a(δ_ab − P_b) x x'), and the standard errors come from that Hessian at
//! the maximum (as `summary(multinom(..., Hess = TRUE))`). The likelihood-ratio test compares
//! with the intercepts-only model.

use serde::Serialize;

use dimorph_data::Frame;
use dimorph_report::Outcome;

use crate::category::{
    inverse_pd, maximize, prepare, separation_warnings, CatCoef, CategoricalData, CategoricalReport, ChiSquareTest,
    Eval, Prepare,
};
use crate::error::{clip, GlmError, Result};

/// The options of `dimorph glm --family multinomial`.
#[derive(Debug, Clone, Serialize)]
pub struct MultinomOptions {
    /// The reference level (`--ref`); `None`: the first level (nnet::multinom's choice).
    pub reference: Option<String>,
    /// The response levels in order (`--levels`); `None`: numbers in numeric order, text in order
    /// of first appearance.
    pub levels: Option<Vec<String>>,
    /// Column of case weights (each row's log-likelihood times its weight, as multinom's `weights`).
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

impl Default for MultinomOptions {
    fn default() -> Self {
        MultinomOptions {
            reference: None,
            levels: None,
            weights: None,
            freq: None,
            level: 0.95,
            tol: 1e-8,
            max_iter: 100,
        }
    }
}

impl MultinomOptions {
    /// Refuses bad values, naming the CLI flag.
    pub fn validate(&self) -> Result<()> {
        crate::ordinal::common_checks(self.level, self.tol, self.max_iter, &self.weights, &self.freq)
    }
}

/// Log-likelihood, gradient and negative Hessian at θ (level a's coefficients at a·p..(a+1)·p,
/// the non-reference levels in order); `others[a]` is the category of the a-th logit.
fn evaluate(d: &CategoricalData, others: &[usize], reference: usize, theta: &[f64]) -> Option<Eval> {
    let (p, m) = (d.p, others.len());
    let q = m * p;
    let mut ll = 0.0;
    let mut grad = vec![0.0; q];
    let mut h = vec![0.0; q * q];
    let mut p_obs = Vec::with_capacity(d.n);
    let mut e = vec![0.0; m];
    for i in 0..d.n {
        let x = &d.x[i * p..(i + 1) * p];
        for (a, ea) in e.iter_mut().enumerate() {
            *ea = x.iter().zip(&theta[a * p..(a + 1) * p]).map(|(u, v)| u * v).sum();
        }
        let top = e.iter().copied().fold(0.0, f64::max);
        let denom = (-top).exp() + e.iter().map(|v| (v - top).exp()).sum::<f64>();
        let lse = top + denom.ln();
        let prob: Vec<f64> = e.iter().map(|v| (v - lse).exp()).collect();
        let y = d.y[i];
        let ya = others.iter().position(|c| *c == y);
        let ey = ya.map_or(0.0, |a| e[a]);
        let w = d.w[i];
        ll += w * (ey - lse);
        p_obs.push(if y == reference { (-lse).exp() } else { (ey - lse).exp() });
        for a in 0..m {
            let r = if ya == Some(a) { 1.0 } else { 0.0 } - prob[a];
            for j in 0..p {
                grad[a * p + j] += w * r * x[j];
            }
            for b in 0..=a {
                let s = w * prob[a] * (if a == b { 1.0 } else { 0.0 } - prob[b]);
                for j in 0..p {
                    for k in 0..p {
                        h[(a * p + j) * q + b * p + k] += s * x[j] * x[k];
                    }
                }
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

/// The index of the reference level.
fn reference_index(d: &CategoricalData, given: Option<&str>) -> Result<usize> {
    let Some(r) = given else { return Ok(0) };
    let same = |l: &str| l == r || matches!((l.parse::<f64>(), r.trim().parse::<f64>()), (Ok(a), Ok(b)) if a == b);
    d.levels.names.iter().position(|l| same(l)).ok_or_else(|| {
        GlmError::argument(
            "--ref",
            format!(
                "'{}' is not a level of the response {} (its levels: {})",
                clip(r),
                d.levels.column,
                crate::error::clip_list(&d.levels.names)
            ),
        )
    })
}

/// Fits the baseline-category logit model of `formula` to `data`: the report, its text
/// (multinom's and PROC LOGISTIC's), the tidy tables `coefficients` and `fit`, and the warnings.
pub fn run_multinomial(data: &Frame, formula: &str, opts: &MultinomOptions) -> Result<Outcome<CategoricalReport>> {
    opts.validate()?;
    let mut d = prepare(
        data,
        formula,
        &Prepare {
            model: "multinomial",
            levels: opts.levels.as_deref(),
            weights: opts.weights.as_deref().or(opts.freq.as_deref()),
            freq: opts.freq.is_some(),
            thresholds: false,
        },
    )?;
    if d.offset.is_some() {
        return Err(GlmError::argument(
            "--family",
            "multinomial: offset() terms are not supported (one offset would have to apply to every logit)",
        ));
    }
    let reference = reference_index(&d, opts.reference.as_deref())?;
    let others: Vec<usize> = (0..d.levels.names.len()).filter(|k| *k != reference).collect();
    let q = others.len() * d.p;
    let theta = vec![0.0; q];
    let at = evaluate(&d, &others, reference, &theta).ok_or_else(|| {
        GlmError::argument(
            "--family",
            "multinomial: no finite log-likelihood at β = 0 (a column of X too large?)",
        )
    })?;
    let fit = maximize(
        theta,
        at,
        |t| evaluate(&d, &others, reference, t),
        opts.tol,
        opts.max_iter,
    );
    let mut warnings = std::mem::take(&mut d.warnings);
    let cov = inverse_pd(&fit.at.neg_hess, q);
    if cov.is_none() && q > 0 {
        warnings.push("the information matrix is singular at the estimates: standard errors are NA".into());
    }
    let se = |j: usize| cov.as_ref().map_or(f64::NAN, |c| c[j * q + j].max(0.0).sqrt());
    let mut coefficients = Vec::with_capacity(q);
    for (a, &lev) in others.iter().enumerate() {
        for j in 0..d.p {
            let k = a * d.p + j;
            coefficients.push(CatCoef::new(
                d.col_names[j].clone(),
                d.levels.names[lev].clone(),
                fit.theta[k],
                se(k),
                opts.level,
            ));
        }
    }
    warnings.extend(separation_warnings(
        &fit.at.p_obs,
        &d.w,
        fit.at.loglik,
        fit.converged,
        opts.max_iter,
    ));
    let mut notes = Vec::new();
    let total: f64 = d.levels.counts.iter().sum();
    // intercepts only: the fitted probabilities are the observed proportions
    let null_loglik: f64 = d.levels.counts.iter().map(|c| c * (c / total).ln()).sum();
    let lr_test = if d.intercept && d.p > 1 {
        Some(ChiSquareTest::new(
            (2.0 * (fit.at.loglik - null_loglik)).max(0.0),
            q - others.len(),
        ))
    } else {
        notes.push(
            "no likelihood-ratio test against the intercepts-only model: the model has no intercept or no predictors"
                .into(),
        );
        None
    };
    let k = coefficients.len();
    let ll = fit.at.loglik;
    let report = CategoricalReport {
        model: "multinomial".into(),
        formula: formula.to_string(),
        link: "glogit".into(),
        convention: format!(
            "log(P(Y = j) / P(Y = {})) = x'beta_j (nnet::multinom; PROC LOGISTIC LINK=GLOGIT with REF='{}')",
            d.levels.names[reference], d.levels.names[reference]
        ),
        levels: d.levels.clone(),
        reference: Some(d.levels.names[reference].clone()),
        coefficients,
        loglik: ll,
        deviance: -2.0 * ll,
        null_deviance: -2.0 * null_loglik,
        n_parameters: k,
        aic: -2.0 * ll + 2.0 * k as f64,
        bic: -2.0 * ll + d.n_obs.ln() * k as f64,
        n_obs: d.n_obs,
        n_used: d.n,
        n_read: d.n_read,
        lr_test,
        parallel_score_test: None,
        notes,
        iterations: fit.iterations,
        converged: fit.converged,
        level: opts.level,
    };
    Ok(Outcome {
        summary: report.summary(),
        sections: crate::category_report::multinomial_sections(&report),
        tables: report.tables(),
        result: report,
        files: Vec::new(),
        warnings,
    })
}
