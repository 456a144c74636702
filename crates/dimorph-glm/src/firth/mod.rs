//! Firth's penalised-likelihood logistic regression (`dimorph glm --firth`), as R's logistf
//! (Heinze & Schemper 2002, *A solution to the problem of separation in logistic regression*,
//! Stat Med 21:2409–2419) and SAS PROC LOGISTIC's `FIRTH` option.
//!
//! The estimate maximises the log-likelihood penalised by the Jeffreys prior, ½ log|I(β)|
//! ([`penalised`]): finite under complete and quasi-complete separation, with the O(1/n) bias
//! removed. Reported as logistf's `summary`: coefficients, standard errors from the inverse
//! penalised (augmented-data) information, profile penalised-likelihood intervals and penalised
//! likelihood-ratio tests per coefficient ([`profile`]; Wald ones with `--no-profile`, as
//! `pl = FALSE`), the penalised log-likelihood and the global penalised likelihood-ratio test
//! against the intercept-only model (the penalty of the full design kept, as logistf). The text
//! and the tidy tables are in [`report`].
//!
//! The entry point is [`run`]; binomial logit only (other families and links, and options that
//! do not apply, are refused naming the flag).

pub mod penalised;
pub mod profile;
pub mod report;
pub mod result;

use dimorph_data::Frame;
use dimorph_report::Outcome;

use crate::design::{model_frame, ModelFrame};
use crate::error::{clip_list, GlmError, Result};
use crate::family::Family;
use crate::linalg::Cholesky;
use crate::link::Link;
use crate::options::{Dispersion, RunOptions};
use penalised::{covariance, evaluate, maximise, Data};
use profile::Limit;
pub use result::{FirthCoefficient, FirthReport, GlobalTest};

/// Fewest iterations of the penalised Newton iteration (`--max-iter` raises it).
pub const MIN_ITER: usize = 100;

/// Refuses the options that do not apply to a penalised logistic fit, naming the flag.
pub fn check_options(opts: &RunOptions) -> Result<()> {
    if let Some(f) = opts.family {
        if f != Family::Binomial {
            return Err(GlmError::argument(
                "--family",
                format!(
                    "--firth fits the binomial logit model (Firth's penalty is the Jeffreys prior of logistic regression, as logistf and PROC LOGISTIC FIRTH); not {}",
                    f.name()
                ),
            ));
        }
    }
    if let Some(l) = opts.link {
        if l != Link::Logit {
            return Err(GlmError::argument(
                "--link",
                format!(
                    "--firth penalises the logistic model, logit link only (as logistf); not {}",
                    l.name()
                ),
            ));
        }
    }
    let refuse = |flag: &str, why: &str| Err(GlmError::argument(flag, format!("not available with --firth: {why}")));
    if opts.theta.is_some() {
        return refuse(
            "--theta",
            "θ belongs to the negative binomial; --firth is binomial logit",
        );
    }
    if opts.dispersion != Dispersion::Default {
        return refuse(
            "--dispersion",
            "the binomial dispersion is 1 in the penalised likelihood",
        );
    }
    if opts.robust.is_some() || opts.cluster.is_some() {
        return refuse(
            if opts.cluster.is_some() {
                "--cluster"
            } else {
                "--robust"
            },
            "the standard errors come from the penalised information (no sandwich form is defined for it here)",
        );
    }
    if !opts.anova.is_empty() {
        return refuse(
            "--anova",
            "the penalised likelihood-ratio test of each coefficient and the global one are reported instead",
        );
    }
    if opts.residuals {
        return refuse(
            "--residuals",
            "residuals and leverages are given for ordinary fits only",
        );
    }
    if opts.binwidth.is_some() {
        return refuse(
            "--binwidth",
            "the association statistics are given for ordinary fits only",
        );
    }
    if opts.type3 == Some(true) {
        return refuse(
            "--type3",
            "the penalised likelihood-ratio test of each coefficient is reported instead",
        );
    }
    Ok(())
}

/// Fits `formula` to `data` by Firth's penalised likelihood with `opts` (`opts.firth` need not
/// be set): the [`FirthReport`], its text (logistf's summary and PROC LOGISTIC's tables), the
/// tidy tables `coefficients` and `fit`, and the warnings (rows dropped, no convergence, a
/// profile limit not found).
pub fn run(data: &Frame, formula: &str, opts: &RunOptions) -> Result<Outcome<FirthReport>> {
    opts.validate()?;
    check_options(opts)?;
    let recoded = crate::event::recode(data, formula, opts.event.as_deref())?;
    let (data, event) = match &recoded {
        Some((f, e)) => (f, Some(e.clone())),
        None => (data, None),
    };
    let mf = model_frame(formula, data, opts.weights_column())?;
    let m = binomial_weights(&mf, opts)?;
    let d = Data {
        x: &mf.x,
        n: mf.n,
        k: mf.p,
        y: &mf.y,
        m: &m,
        offset: mf.offset.as_deref(),
    };
    check_design(&mf, &d)?;
    let start = match &opts.start {
        Some(s) if s.len() != mf.p => {
            return Err(GlmError::argument(
                "--start",
                format!(
                    "has {} values but the model has {} coefficients ({})",
                    s.len(),
                    mf.p,
                    clip_list(&mf.col_names)
                ),
            ))
        }
        Some(s) => s.clone(),
        None => vec![0.0; mf.p],
    };
    let max_iter = opts.max_iter.max(MIN_ITER);
    let (aopts, notes) = opts.analysis_options(mf.n, mf.p);
    let mut warnings = Vec::new();
    let full = maximise(&d, &start, &(0..mf.p).collect::<Vec<_>>(), max_iter).map_err(|_| singular(&mf))?;
    if !full.converged {
        warnings.push(format!(
            "the penalised fit did not converge in {} iterations; results are from the last iteration (raise --max-iter)",
            full.iterations
        ));
    }
    let cov = covariance(&full.state, mf.p).ok_or_else(|| singular(&mf))?;
    let (null_ll, df) = null_model(&mf, &d, max_iter);
    let chisq = (2.0 * (full.state.penalised - null_ll)).max(0.0);
    let lr_test = GlobalTest {
        chisq,
        df,
        p_value: dimorph_core::dist::pchisq_upper(chisq, df as f64),
    };
    let coefficients = coefficients(&mf, &d, &full.state, &cov, &aopts, max_iter, &mut warnings);
    if mf.n_dropped > 0 {
        warnings.push(format!(
            "{} of {} rows dropped because a used column was missing",
            mf.n_dropped, mf.n_read
        ));
    }
    let k = mf.p;
    let report = FirthReport {
        formula: formula.to_string(),
        response: mf.response_name.clone(),
        event,
        n_read: mf.n_read,
        n_used: mf.n,
        n_dropped: mf.n_dropped,
        n_obs: m.iter().sum(),
        events: m.iter().zip(&mf.y).map(|(a, b)| a * b).sum(),
        coefficients,
        loglik_penalised: full.state.penalised,
        loglik_penalised_null: null_ll,
        loglik: full.state.loglik,
        lr_test,
        level: opts.level,
        profile: aopts.profile,
        iterations: full.iterations,
        converged: full.converged,
        covariance: (0..k).map(|r| cov[r * k..(r + 1) * k].to_vec()).collect(),
        notes,
    };
    Ok(Outcome {
        summary: report::summary(&report),
        sections: vec![report::section(&report)],
        tables: vec![report::coefficients_table(&report), report::fit_table(&report)],
        files: Vec::new(),
        warnings,
        result: report,
    })
}

/// The binomial weights m (prior weights or frequencies, times trials), the response checked.
fn binomial_weights(mf: &ModelFrame, opts: &RunOptions) -> Result<Vec<f64>> {
    if mf.n == 0 {
        return Err(GlmError::Singular(format!(
            "{}: no rows left to fit ({} read, {} dropped for missing values)",
            mf.source, mf.n_read, mf.n_dropped
        )));
    }
    let (m, _, _) = crate::fit::weights_for(mf, &opts.glm_options(Family::Binomial), Family::Binomial)?;
    let total: f64 = m.iter().sum();
    if total <= 0.0 || total.is_nan() {
        return Err(GlmError::Singular(format!(
            "{}: every used row has weight 0; nothing to fit",
            mf.source
        )));
    }
    Ok(m)
}

/// Refuses a design without coefficients or with linearly dependent columns (the penalty
/// log|I(β)| needs a full-rank design), naming the dependent columns.
fn check_design(mf: &ModelFrame, d: &Data) -> Result<()> {
    if mf.p == 0 {
        return Err(GlmError::Singular(format!(
            "{}: the formula gives the model no coefficient to estimate (empty design: add a term or an intercept)",
            mf.source
        )));
    }
    if evaluate(d, &vec![0.0; mf.p]).is_some() {
        return Ok(());
    }
    Err(singular(mf))
}

/// The error for a design whose information is singular, naming the dependent columns.
fn singular(mf: &ModelFrame) -> GlmError {
    let k = mf.p;
    let mut xtx = vec![0.0; k * k];
    for i in 0..mf.n {
        let r = mf.row(i);
        for s in 0..k {
            for t in 0..k {
                xtx[s * k + t] += r[s] * r[t];
            }
        }
    }
    let kept = Cholesky::new(&xtx, k).kept;
    let aliased: Vec<&str> = (0..k)
        .filter(|j| !kept.contains(j))
        .map(|j| mf.col_names[j].as_str())
        .collect();
    if aliased.is_empty() {
        GlmError::Singular(format!(
            "{}: the penalised information matrix is singular (no information in the data about some coefficient)",
            mf.source
        ))
    } else {
        GlmError::Singular(format!(
            "{}: --firth needs linearly independent columns (the penalty is log|I(β)|); linearly dependent on earlier columns: {}; drop them from the formula",
            mf.source,
            clip_list(&aliased)
        ))
    }
}

/// ℓ* of the intercept-only model (all other coefficients 0, the full design's penalty) and the
/// df of the global test; without an intercept, ℓ* at β = 0 and df = k.
fn null_model(mf: &ModelFrame, d: &Data, max_iter: usize) -> (f64, usize) {
    let zero = vec![0.0; mf.p];
    let free: Vec<usize> = if mf.intercept { vec![0] } else { Vec::new() };
    let ll = maximise(d, &zero, &free, max_iter).map_or(f64::NAN, |f| f.state.penalised);
    (ll, mf.p - free.len())
}

/// The coefficients with Wald and (when asked) profile penalised-likelihood inference.
fn coefficients(
    mf: &ModelFrame,
    d: &Data,
    s: &penalised::State,
    cov: &[f64],
    aopts: &crate::options::AnalysisOptions,
    max_iter: usize,
    warnings: &mut Vec<String>,
) -> Vec<FirthCoefficient> {
    let k = mf.p;
    let z = dimorph_core::dist::qnorm(0.5 + aopts.level / 2.0);
    let target = s.penalised - dimorph_core::dist::qchisq(aopts.level, 1.0) / 2.0;
    let mut out = Vec::with_capacity(k);
    for j in 0..k {
        let b = s.beta[j];
        let se = cov[j * k + j].sqrt();
        let wz = b / se;
        let mut c = FirthCoefficient {
            name: mf.col_names[j].clone(),
            estimate: b,
            se,
            wald_z: wz,
            wald_p: dimorph_core::dist::two_sided_normal(wz),
            wald_ci: [b - z * se, b + z * se],
            profile_ci: None,
            lr_chisq: None,
            lr_p: None,
        };
        if aopts.profile {
            let lims = [-1.0, 1.0].map(|dir| profile::limit(d, &s.beta, j, target, dir, se, max_iter));
            for (lim, side) in lims.iter().zip(["lower", "upper"]) {
                if let Limit::Missing(why) = lim {
                    warnings.push(format!("{}: the {side} profile limit was not found: {why}", c.name));
                }
            }
            c.profile_ci = Some([lims[0].value(), lims[1].value()]);
            match profile::constrained(d, &s.beta, j, 0.0, max_iter) {
                Some((ll0, conv)) => {
                    let chi = (2.0 * (s.penalised - ll0)).max(0.0);
                    c.lr_chisq = Some(chi);
                    c.lr_p = Some(dimorph_core::dist::pchisq_upper(chi, 1.0));
                    if !conv {
                        warnings.push(format!(
                            "{}: the fit with the coefficient at 0 did not converge; its penalised likelihood-ratio test is from the last iteration",
                            c.name
                        ));
                    }
                }
                None => warnings.push(format!(
                    "{}: the fit with the coefficient at 0 has a singular information matrix; no penalised likelihood-ratio test",
                    c.name
                )),
            }
        }
        out.push(c);
    }
    out
}
