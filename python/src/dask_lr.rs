//! `dimorph.dask`: the likelihood-ratio tests of the distributed GLM — Type 3 (each term left
//! out in turn; SAS GENMOD's `type3`, R's `drop1(test = "Chisq")`) and the global test (the model
//! against the null model; the null deviance the fit already has).
//!
//! Each reduced model is refitted by distributed IRLS over the same coded partitions with the
//! term's columns left out ([`glm_part_select`] on the workers, [`glm_refit_deviance`] on the
//! client), from the family's starting values to the single-machine refits' tolerance (1e-12 on
//! the relative change of the deviance, Newton polish), so that the χ² equal the in-memory
//! `dimorph.glm`'s. LR χ² = (D_reduced − D)/φ on the term's non-aliased columns; when φ is
//! estimated also R's `drop1(test = "F")`: F = ((D_reduced − D)/df)/(D/df_residual).

use dimorph_core::dist::{pchisq_upper, pf_upper};
use dimorph_glm::design::DesignSpec;
use dimorph_glm::distributed::{self, Layout, Part};
use dimorph_glm::formula::{Formula, VarKind};
use pyo3::prelude::*;

use crate::dask::{model, PyGlmPart, PyPasses};
use crate::outcome::input_error;

/// The refits' convergence rule (as the single-machine refits of `dimorph_glm::inference`).
const REFIT_TOL: f64 = 1e-12;
const REFIT_MAX_ITER: usize = 100;

/// The names one variable of a term can give a column: its label for a covariate, label + level
/// for a factor (any level: contrasts or all levels, as the coding of the term decides).
fn var_names(f: &Formula, v: usize, levels: &[(String, Vec<String>)]) -> Vec<String> {
    let label = &f.vars[v].label;
    let factor = levels.iter().find(|(l, _)| l == label);
    match factor {
        Some((_, lv)) => lv.iter().map(|l| format!("{label}{l}")).collect(),
        None if matches!(f.vars[v].kind, VarKind::Factor { .. }) => Vec::new(),
        None => vec![label.clone()],
    }
}

/// Whether `name` is one column of a term whose variables give `choices` (joined by `:`).
fn matches_term(name: &str, choices: &[Vec<String>]) -> bool {
    match choices.split_first() {
        None => name.is_empty(),
        Some((first, rest)) => first.iter().any(|c| match name.strip_prefix(c.as_str()) {
            Some(tail) if rest.is_empty() => tail.is_empty(),
            Some(tail) => tail.strip_prefix(':').is_some_and(|t| matches_term(t, rest)),
            None => false,
        }),
    }
}

/// The terms of the model and their columns of X, found by walking the column names in order
/// (the design matrix puts each term's columns together, terms in the formula's order).
#[pyfunction]
#[pyo3(signature = (formula, columns, levels, col_names, weights=None))]
pub fn glm_terms(
    formula: &str,
    columns: Vec<String>,
    levels: Vec<(String, Vec<String>)>,
    col_names: Vec<String>,
    weights: Option<String>,
) -> PyResult<Vec<(String, Vec<usize>)>> {
    let cols: Vec<&str> = columns.iter().map(String::as_str).collect();
    let exclude: Vec<&str> = weights.as_deref().into_iter().collect();
    let f = Formula::parse_for_columns(formula, &cols, &exclude).map_err(input_error)?;
    let mut at = usize::from(f.intercept);
    let mut out = Vec::with_capacity(f.terms.len());
    for (t, vars) in f.terms.iter().enumerate() {
        let choices: Vec<Vec<String>> = vars.iter().map(|&v| var_names(&f, v, &levels)).collect();
        let start = at;
        while at < col_names.len() && matches_term(&col_names[at], &choices) {
            at += 1;
        }
        out.push((f.term_label(t), (start..at).collect()));
    }
    if at != col_names.len() {
        return Err(input_error(format!(
            "type3: the columns of X could not be assigned to the formula's terms (column '{}' is in none); \
             give type3=False",
            col_names.get(at).map_or("", String::as_str)
        )));
    }
    Ok(out)
}

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
    };
    Ok(PyGlmPart { part })
}

/// The minimum deviance of a reduced model over the partitions that `passes` sums (coded with
/// [`glm_part_select`]): `col_names` its columns, `intercept` whether the first is the intercept.
/// Returns `(deviance, iterations, passes)`.
#[pyfunction]
#[pyo3(signature = (formula, columns, col_names, intercept, model, passes, weights=None))]
pub fn glm_refit_deviance(
    formula: &str,
    columns: Vec<String>,
    col_names: Vec<String>,
    intercept: bool,
    model: crate::dask::Model,
    passes: Bound<'_, PyAny>,
    weights: Option<String>,
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
    let mut pp = PyPasses { callback: passes };
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
