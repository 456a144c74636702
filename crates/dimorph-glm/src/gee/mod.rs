//! Generalized estimating equations for clustered and longitudinal data (Liang & Zeger 1986,
//! *Longitudinal data analysis using generalized linear models*, Biometrika 73, 13–22), as R's
//! geepack (`geeglm`, Halekoh, Højsgaard & Yan 2006, J. Stat. Softw. 15(2)) and SAS GENMOD's
//! `REPEATED SUBJECT= / TYPE=` statement fit them: `dimorph glm --gee --id COL [--corstr …]
//! [--waves COL]`.
//!
//! The entry point is [`run`]: the model of [`RunOptions`] (formula, family, link, weights) with
//! the [`GeeOptions`], giving an [`Outcome`] with the [`GeeReport`]. The pipeline:
//! [`clusters`] groups the rows by `--id` and orders them by `--waves`; [`correlation`] is the
//! working correlation and its moment estimator; [`estimate`] solves the estimating equations
//! from the GLM fit and gives the model-based and empirical covariances; [`qic`] Pan's QIC;
//! [`report`] the text and tidy tables.

pub mod clusters;
pub mod correlation;
pub mod estimate;
pub mod options;
pub mod qic;
pub mod report;

use dimorph_core::dist::{pnorm_upper, qnorm};
use dimorph_data::Frame;
use dimorph_report::Outcome;

use crate::design::model_frame;
use crate::error::{GlmError, Result};
use crate::family::Family;
use crate::options::RunOptions;

pub use options::{CorStr, GeeOptions};
pub use report::{GeeCoef, GeeReport};

use estimate::{Problem, Solution};

/// Fits `formula` to `data` by GEE: the model of `opts` (family, link, weights, event level,
/// start, tolerance, iterations), clustered as `gee` says. The outcome's tables are
/// `coefficients`, `gee_fit`, `gee_correlation`; its warnings the GLM start's (aliased columns,
/// separation, rows dropped) and non-convergence.
pub fn run(data: &Frame, formula: &str, opts: &RunOptions, gee: &GeeOptions) -> Result<Outcome<GeeReport>> {
    gee.validate(opts)?;
    let recoded = crate::event::recode(data, formula, opts.event.as_deref())?;
    let data = recoded.as_ref().map_or(data, |(f, _)| f);
    let mf = model_frame(formula, data, opts.weights.as_deref())?;
    let family = opts.family_for(mf.trials.is_some() || recoded.is_some())?;
    if matches!(family, Family::NegBin { .. }) {
        return Err(GlmError::argument(
            "--family",
            "negbin is not available with --gee; use poisson (the scale φ absorbs overdispersion)",
        ));
    }
    if recoded.is_some() && !family.is_binomial() {
        return Err(GlmError::argument(
            "--family",
            format!("a two-level response needs binomial with --gee, not {}", family.name()),
        ));
    }
    // the GLM start takes at least the GLM's default iterations; --max-iter bounds the GEE's
    let mut start_opts = opts.glm_options(family);
    start_opts.max_iter = start_opts.max_iter.max(25);
    let glm = crate::fit::fit(&mf, &start_opts)?;
    let cl = clusters::clusters(data, &mf, &gee.id, gee.waves.as_deref())?;
    let (smin, smax) = cl.size_range();
    if gee.waves.is_none() && smin != smax && matches!(gee.corstr, CorStr::Ar1 | CorStr::Unstructured) {
        return Err(GlmError::argument(
            "--waves",
            format!(
                "--corstr {} needs the wave of each row when clusters differ in size ({} to {} rows by {}): without --waves a cluster with a missing visit would be read as consecutive; give the visit/time column with --waves",
                gee.corstr.name(),
                smin,
                smax,
                gee.id
            ),
        ));
    }
    check_sizes(gee, &cl)?;
    let k = glm.kept.len();
    let mut x = Vec::with_capacity(mf.n * k);
    for i in 0..mf.n {
        let row = mf.row(i);
        x.extend(glm.kept.iter().map(|&j| row[j]));
    }
    let start: Vec<f64> = glm.kept.iter().map(|&j| glm.coef[j]).collect();
    let problem = Problem {
        x: &x,
        k,
        y: &mf.y,
        offset: mf.offset.as_deref(),
        w: &glm.prior,
        family,
        link: glm.link,
        clusters: &cl,
    };
    let wk = correlation::Working::new(gee.corstr, &cl);
    let sol = problem.solve(&wk, &start, opts.tol, opts.max_iter)?;
    let indep = if gee.corstr == CorStr::Independence {
        sol.clone()
    } else {
        let wi = correlation::Working::new(CorStr::Independence, &cl);
        problem.solve(&wi, &start, opts.tol, opts.max_iter.max(100))?
    };
    let qic = qic::qic(
        family,
        &mf.y,
        &sol.mu,
        &sol.cov_robust,
        &indep.h,
        indep.scale,
        k,
        wk.q(),
        cl.len(),
    );
    let qic_note = qic.is_none().then(|| format!("QIC: the {} family has no quasi-likelihood here (geepack::QIC covers gaussian, binomial, poisson and Gamma).", family.name()));
    let names: Vec<String> = glm.kept.iter().map(|&j| mf.col_names[j].clone()).collect();
    let report = GeeReport {
        formula: formula.to_string(),
        family: family.name(),
        link: glm.link.name(),
        corstr: gee.corstr.name().to_string(),
        id: gee.id.clone(),
        waves: gee.waves.clone(),
        n_read: mf.n_read,
        n_used: mf.n,
        n_dropped: mf.n_dropped,
        clusters: cl.len(),
        cluster_size_min: smin,
        cluster_size_max: smax,
        coefficients: coefficients(&names, &sol, opts.level),
        aliased: glm.aliased.clone(),
        scale: sol.scale,
        alpha: wk.names.iter().cloned().zip(sol.alpha.iter().copied()).collect(),
        qic,
        qic_note,
        level: opts.level,
        iterations: sol.iterations,
        converged: sol.converged,
        last_step: sol.last_step,
    };
    let mut warnings = glm.warnings.clone();
    if !sol.converged {
        warnings.push(format!(
            "GEE did not converge in {} iterations (largest change {} > --tol {}); the estimates are not a solution of the estimating equations: raise --max-iter",
            sol.iterations,
            dimorph_core::text::num(sol.last_step),
            dimorph_core::text::num(opts.tol)
        ));
    }
    Ok(Outcome {
        summary: summary(&report),
        sections: vec![report.section()],
        tables: vec![
            report.coefficients_table(),
            report.fit_table(),
            report.correlation_table(),
        ],
        files: Vec::new(),
        warnings,
        result: report,
    })
}

/// Most rows of one cluster with a working correlation (its n × n matrix is factorised at each
/// iteration).
pub const MAX_CLUSTER_SIZE: usize = 1000;

/// Most distinct waves with `--corstr unstructured` (W(W − 1)/2 correlations).
pub const MAX_UNSTRUCTURED_WAVES: usize = 100;

/// Refuses clusters and wave sets too large for the working correlation.
fn check_sizes(gee: &GeeOptions, cl: &clusters::Clusters) -> Result<()> {
    let (_, smax) = cl.size_range();
    if gee.corstr != CorStr::Independence && smax > MAX_CLUSTER_SIZE {
        return Err(GlmError::argument(
            "--corstr",
            format!(
                "a cluster of {smax} rows (by {}) is too large for the {} working correlation (at most {MAX_CLUSTER_SIZE} rows: its {smax} × {smax} matrix is inverted at every iteration); use --corstr independence, or a finer --id",
                gee.id,
                gee.corstr.name()
            ),
        ));
    }
    if gee.corstr == CorStr::Unstructured {
        let mut w: Vec<f64> = cl.waves.iter().flatten().copied().collect();
        w.sort_by(f64::total_cmp);
        w.dedup();
        if w.len() > MAX_UNSTRUCTURED_WAVES {
            return Err(GlmError::argument(
                "--corstr",
                format!(
                    "unstructured with {} distinct waves would estimate {} correlations (at most {MAX_UNSTRUCTURED_WAVES} waves); use ar1 or exchangeable",
                    w.len(),
                    w.len() * (w.len() - 1) / 2
                ),
            ));
        }
    }
    Ok(())
}

/// The coefficient rows with z tests and Wald intervals on the empirical SEs.
fn coefficients(names: &[String], sol: &Solution, level: f64) -> Vec<GeeCoef> {
    let k = names.len();
    let zc = qnorm(0.5 + level / 2.0);
    names
        .iter()
        .enumerate()
        .map(|(j, name)| {
            let est = sol.beta[j];
            let v = sol.cov_robust[j * k + j];
            let se = if v >= 0.0 { v.sqrt() } else { f64::NAN };
            let z = est / se;
            GeeCoef {
                name: name.clone(),
                estimate: est,
                se_naive: sol.cov_naive[j * k + j].max(0.0).sqrt(),
                se_robust: se,
                z,
                wald_chi2: z * z,
                p_value: 2.0 * pnorm_upper(z.abs()),
                conf_low: est - zc * se,
                conf_high: est + zc * se,
            }
        })
        .collect()
}

/// The headline lines.
fn summary(r: &GeeReport) -> Vec<String> {
    let alpha: Vec<String> = r
        .alpha
        .iter()
        .take(3)
        .map(|(n, a)| format!("{n} {}", dimorph_report::fmt::sig(*a, 4)))
        .collect();
    vec![
        format!(
            "glm --gee {}: {}, link = {}, {} working correlation; {} clusters by {}, {} rows",
            r.formula, r.family, r.link, r.corstr, r.clusters, r.id, r.n_used
        ),
        format!(
            "scale {}{}{}",
            dimorph_report::fmt::sig(r.scale, 4),
            if alpha.is_empty() {
                String::new()
            } else {
                format!("; {}", alpha.join(", "))
            },
            r.qic.as_ref().map_or(String::new(), |q| format!(
                "; QIC {}",
                dimorph_report::fmt::fixed(q.qic, 3)
            ))
        ),
    ]
}
