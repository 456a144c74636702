//! `dimorph.dask`: the likelihood-ratio tests of the distributed GLM — Type 3 (each term left
//! out in turn; SAS GENMOD's `type3`, R's `drop1(test = "Chisq")`) and the global test (the model
//! against the null model; the null deviance the fit already has) — and the Wald tests of the
//! same columns ([`glm_wald_test`]: the observed-information covariance the fit already has).
//!
//! Each reduced model is refitted by distributed IRLS over the same coded partitions with the
//! term's columns left out ([`glm_part_select`] on the workers, [`glm_refit_deviance`] on the
//! client), from the family's starting values to the single-machine refits' tolerance (1e-12 on
//! the relative change of the deviance, Newton polish), so that the χ² equal the in-memory
//! `dimorph.glm`'s. LR χ² = (D_reduced − D)/φ on the term's non-aliased columns; when φ is
//! estimated also R's `drop1(test = "F")`: F = ((D_reduced − D)/df)/(D/df_residual). Which
//! columns a term owns comes from the engine's coding of the part (`GlmPart.terms`), as for the
//! in-memory fit.

use dimorph_core::dist::{pchisq_upper, pf_upper};
use dimorph_glm::design::DesignSpec;
use dimorph_glm::distributed::{self, Layout, Part};
use dimorph_glm::formula::Formula;
use dimorph_glm::inference::{chi2_sf, wald_quadratic};
use pyo3::prelude::*;

use crate::dask::{model, PyGlmPart, PyPasses};
use crate::outcome::input_error;

/// The refits' convergence rule (as the single-machine refits of `dimorph_glm::inference`).
const REFIT_TOL: f64 = 1e-12;
const REFIT_MAX_ITER: usize = 100;

/// One coded partition with only the columns `cols` of X (in that order): the partition of a
/// reduced model.
#[pyfunction]
pub fn glm_part_select(part: PyRef<'_, PyGlmPart>, cols: Vec<usize>) -> PyResult<PyGlmPart> {
    let p = &part.part;
    if p.n > 0 && cols.iter().any(|&j| j >= p.p) {
        return Err(input_error("glm_part_select: column out of range"));
    }
    let mut x = Vec::with_capacity(p.n * cols.len());
    for i in 0..p.n {
        let row = &p.x[i * p.p..(i + 1) * p.p];
        x.extend(cols.iter().map(|&j| row[j]));
    }
    let part = Part {
        x,
        n: p.n,
        p: if p.n > 0 { cols.len() } else { p.p },
        y: p.y.clone(),
        prior: p.prior.clone(),
        trials: p.trials.clone(),
        offset: p.offset.clone(),
        n_read: p.n_read,
        col_names: if p.n > 0 {
            cols.iter().map(|&j| p.col_names[j].clone()).collect()
        } else {
            Vec::new()
        },
        weights_sum: p.weights_sum,
        // a reduced model is only refitted; its terms are not asked for
        terms: Vec::new(),
    };
    Ok(PyGlmPart { part })
}

/// The minimum deviance of a reduced model over the partitions that `passes` sums (coded with
/// [`glm_part_select`]): `col_names` its columns, `intercept` whether the first is the intercept,
/// `rows_used` the full fit's rows used when known (the reduced model uses the same rows).
/// Returns `(deviance, iterations, passes)`.
#[pyfunction]
#[pyo3(signature = (formula, columns, col_names, intercept, model, passes, weights=None, rows_used=None))]
#[allow(clippy::too_many_arguments)]
pub fn glm_refit_deviance(
    formula: &str,
    columns: Vec<String>,
    col_names: Vec<String>,
    intercept: bool,
    model: crate::dask::Model,
    passes: Bound<'_, PyAny>,
    weights: Option<String>,
    rows_used: Option<usize>,
) -> PyResult<(f64, usize, usize)> {
    let cols: Vec<&str> = columns.iter().map(String::as_str).collect();
    let exclude: Vec<&str> = weights.as_deref().into_iter().collect();
    let f = Formula::parse_for_columns(formula, &cols, &exclude).map_err(input_error)?;
    let spec = DesignSpec {
        formula: f,
        levels: Vec::new(),
    };
    let (mut opts, family, _) = self::model(&model)?;
    opts.tol = REFIT_TOL;
    opts.max_iter = REFIT_MAX_ITER;
    opts.weights = weights;
    let gopts = opts.glm_options(family);
    // the null model of a reduced fit is not needed: no offset refit for it
    let layout = Layout {
        intercept,
        has_offset: false,
        ..Layout::new(&spec, col_names)
    };
    let mut pp = PyPasses::new(passes, rows_used);
    let fit = distributed::fit(&mut pp, &layout, &gopts).map_err(|e| e.0)?;
    Ok((fit.deviance, fit.iterations, fit.passes))
}

/// One likelihood-ratio test: `(lr_chi2, lr_p, f, f_p)` for a reduced deviance `d_red` on `df`
/// columns, given the full fit's deviance, dispersion φ, residual df and whether φ was estimated.
#[pyfunction]
pub fn glm_lr_test(
    d_red: f64,
    df: usize,
    deviance: f64,
    dispersion: f64,
    df_residual: f64,
    estimated: bool,
) -> (f64, f64, f64, f64) {
    let sf = |x: f64, f: &dyn Fn(f64) -> f64| if x.is_finite() { f(x) } else { f64::NAN };
    let lr = (d_red - deviance) / dispersion;
    let lr_p = sf(lr, &|x| pchisq_upper(x, df as f64));
    let (fv, f_p) = if estimated && df > 0 {
        let fv = (d_red - deviance) / (df as f64 * deviance / df_residual);
        (fv, sf(fv, &|x| pf_upper(x, df as f64, df_residual)))
    } else {
        (f64::NAN, f64::NAN)
    };
    (lr, lr_p, fv, f_p)
}

/// The Wald test of the columns `cols` (a term's non-aliased columns): `(χ², p)` with
/// χ² = βᵀV⁻¹β over them, V the observed-information covariance (`cov`, p × p; SAS GENMOD's
/// Type 3 Wald column, as the single-machine `inference` computes it), on `cols.len()` df.
#[pyfunction]
pub fn glm_wald_test(coef: Vec<f64>, cov: Vec<f64>, cols: Vec<usize>) -> PyResult<(f64, f64)> {
    let p = coef.len();
    if cov.len() != p * p || cols.iter().any(|&j| j >= p) {
        return Err(input_error("glm_wald_test: inconsistent sizes"));
    }
    let chi2 = wald_quadratic(&coef, &cov, p, &cols);
    Ok((chi2, chi2_sf(chi2, cols.len() as f64)))
}

/// Profile-likelihood intervals of the distributed fit (`dimorph.dask.glm(..., profile=True)`,
/// [`dimorph_glm::distributed_profile`]): for each coefficient in `which`, where the deviance of
/// the model refitted over the partitions with that coefficient held fixed has risen by
/// z²₁₋α/₂·φ — the in-memory `dimorph.glm`'s intervals, refit for refit. `passes` runs one pass
/// over the full model's partitions. Returns the `(lower, upper)` limits (NaN where a limit was
/// not reached or the coefficient is aliased) and the passes taken.
#[pyfunction]
#[pyo3(signature = (model, passes, coef, se_observed, se_expected, kept, deviance, dispersion, intercept, level, which, rows_used=None))]
#[allow(clippy::too_many_arguments)]
pub fn glm_profile_distributed(
    model: crate::dask::Model,
    passes: Bound<'_, PyAny>,
    coef: Vec<f64>,
    se_observed: Vec<f64>,
    se_expected: Vec<f64>,
    kept: Vec<usize>,
    deviance: f64,
    dispersion: f64,
    intercept: bool,
    level: f64,
    which: Vec<usize>,
    rows_used: Option<usize>,
) -> PyResult<(Vec<(f64, f64)>, usize)> {
    let (_, family, link) = self::model(&model)?;
    let p = coef.len();
    if se_observed.len() != p || se_expected.len() != p || kept.iter().chain(&which).any(|&j| j >= p) {
        return Err(input_error(format!(
            "glm_profile_distributed: {p} coefficients, but {} and {} standard errors or a column number out of range",
            se_observed.len(),
            se_expected.len()
        )));
    }
    let fit = dimorph_glm::distributed_profile::ProfileFit {
        family,
        link,
        intercept,
        coef: &coef,
        se_observed: &se_observed,
        se_expected: &se_expected,
        kept: &kept,
        deviance,
        dispersion,
    };
    let mut pp = PyPasses::new(passes, rows_used);
    let (limits, n) =
        dimorph_glm::distributed_profile::profile_intervals(&mut pp, &fit, level, &which).map_err(|e| e.0)?;
    Ok((limits.into_iter().map(|[a, b]| (a, b)).collect(), n))
}
