//! `dimorph.glm`: the options of `dimorph glm` from keyword arguments, `dimorph_glm::run`, the
//! outcome as a dict (the envelope's `input` and `options` as the CLI writes them). Beside it,
//! as `dimorph glm`'s other entry points: `--firth` (`firth::run`), `--gee` (`gee::run`),
//! `--family ordinal|multinomial` (`ordinal::run_ordinal`, `multinom::run_multinomial`) and
//! `dimorph glm anova` (`compare::run_compare`).

use dimorph_glm::gee::{CorStr, GeeOptions};
use dimorph_glm::multinom::{run_multinomial, MultinomOptions};
use dimorph_glm::options::HcType;
use dimorph_glm::ordinal::{run_ordinal, OrdinalOptions};
use dimorph_glm::{Dispersion, Family, Link, RunOptions};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde_json::json;

use crate::frame::PyFrame;
use crate::outcome::{input_error, outcome_dict, run_engine};

/// `--dispersion` from its CLI spelling.
fn dispersion(s: &str) -> PyResult<Dispersion> {
    Ok(match s.trim().to_ascii_lowercase().as_str() {
        "default" => Dispersion::Default,
        "fixed" | "1" | "none" => Dispersion::Fixed,
        "pearson" => Dispersion::Pearson,
        "deviance" => Dispersion::Deviance,
        other => {
            return Err(input_error(format!(
                "--dispersion: unknown value '{other}' (choose default, fixed, pearson or deviance)"
            )))
        }
    })
}

/// Fits `formula` to `data` as `dimorph glm` does (with `new_data`: also `--predict`; with
/// `firth`: as `--firth`, `firth::run`).
#[pyfunction]
#[pyo3(signature = (
    data, formula, new_data=None, *, family=None, link=None, weights=None, freq=None, theta=None,
    dispersion="default", level=0.95, profile=None, type3=None, binwidth=None, tol=1e-8, max_iter=25,
    start=None, singular_ok=true, residuals=false, robust=None, cluster=None, event=None, anova=None,
    threads=None, firth=false
))]
#[allow(clippy::too_many_arguments)]
pub fn glm<'py>(
    py: Python<'py>,
    data: PyRef<'py, PyFrame>,
    formula: &str,
    new_data: Option<PyRef<'py, PyFrame>>,
    family: Option<&str>,
    link: Option<&str>,
    weights: Option<String>,
    freq: Option<String>,
    theta: Option<f64>,
    dispersion: &str,
    level: f64,
    profile: Option<bool>,
    type3: Option<bool>,
    binwidth: Option<f64>,
    tol: f64,
    max_iter: usize,
    start: Option<Vec<f64>>,
    singular_ok: bool,
    residuals: bool,
    robust: Option<&str>,
    cluster: Option<String>,
    event: Option<String>,
    anova: Option<Vec<String>>,
    threads: Option<usize>,
    firth: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let robust = robust
        .map(|r| r.parse::<HcType>().map_err(|e| input_error(format!("--robust: {e}"))))
        .transpose()?;
    let family = parse_family(family)?;
    let link = parse_link(link)?;
    // every field is set today; the update keeps this compiling when the engine adds one
    #[allow(clippy::needless_update)]
    let opts = RunOptions {
        family,
        link,
        weights,
        freq,
        theta,
        dispersion: self::dispersion(dispersion)?,
        level,
        profile,
        type3,
        binwidth,
        tol,
        max_iter,
        start,
        singular_ok,
        residuals,
        robust,
        cluster,
        event,
        anova: anova.unwrap_or_default(),
        threads,
        firth,
        // options of the CLI that the Python API leaves at their defaults
        ..RunOptions::default()
    };
    let frame = &data.inner;
    let new = new_data.as_ref().map(|n| &n.inner);
    if firth {
        if new.is_some() {
            return Err(input_error(
                "--predict: not available with --firth: predictions are given for ordinary fits only",
            ));
        }
        let outcome = run_engine(py, || dimorph_glm::firth::run(frame, formula, &opts))?;
        let input = json!({ "data": frame.source, "firth": true });
        return outcome_dict(py, "glm", input, &opts, &outcome);
    }
    let outcome = run_engine(py, || dimorph_glm::run(frame, formula, new, &opts))?;
    let mut input = json!({ "data": frame.source });
    if let Some(n) = new {
        input["predict"] = json!(n.source);
    }
    outcome_dict(py, "glm", input, &opts, &outcome)
}

/// The names of the columns of X that `dimorph.glm` fits for `formula` on `data` (the
/// coefficients, in order): the model frame of [`dimorph_glm::run`] — a two-level response
/// recoded as `--event` says, rows with a missing value in `weights` dropped — built once to
/// read its names. `start=` given as a mapping from names to values needs them.
#[pyfunction]
#[pyo3(signature = (data, formula, weights=None, event=None))]
pub fn glm_coef_names(
    py: Python<'_>,
    data: PyRef<'_, PyFrame>,
    formula: &str,
    weights: Option<String>,
    event: Option<String>,
) -> PyResult<Vec<String>> {
    let frame = &data.inner;
    run_engine(py, || {
        let recoded = dimorph_glm::event::recode(frame, formula, event.as_deref())?;
        let data = recoded.as_ref().map_or(frame, |(f, _)| f);
        dimorph_glm::model_frame(formula, data, weights.as_deref()).map(|mf| mf.col_names)
    })
}

/// Text levels in the order the engine gives a factor's levels (R's `sort` under ICU collation,
/// [`dimorph_glm::factor::compare_levels`]): the first is a text factor's reference level.
#[pyfunction]
pub fn glm_level_order(mut levels: Vec<String>) -> Vec<String> {
    levels.sort_by(|a, b| dimorph_glm::factor::compare_levels(a, b));
    levels
}

/// `--family` from its CLI spelling (a GLM family; the two models of a response of levels are
/// [`glm_categorical`]'s).
fn parse_family(family: Option<&str>) -> PyResult<Option<Family>> {
    family
        .map(|f| {
            f.parse::<Family>().map_err(|e| {
                input_error(format!(
                    "--family: {e} (or ordinal, multinomial for a response of levels)"
                ))
            })
        })
        .transpose()
}

/// `--link` from its CLI spelling.
fn parse_link(link: Option<&str>) -> PyResult<Option<Link>> {
    link.map(|l| l.parse::<Link>().map_err(|e| input_error(format!("--link: {e}"))))
        .transpose()
}

/// Fits `formula` by generalized estimating equations, as `dimorph glm --gee --id ID
/// [--corstr …] [--waves …]` does (`gee::run`; the envelope's options `{model, gee}` as the CLI's).
#[pyfunction]
#[pyo3(signature = (
    data, formula, *, id, corstr=None, waves=None, family=None, link=None, weights=None, level=0.95,
    tol=1e-8, max_iter=25
))]
#[allow(clippy::too_many_arguments)]
pub fn glm_gee<'py>(
    py: Python<'py>,
    data: PyRef<'py, PyFrame>,
    formula: &str,
    id: String,
    corstr: Option<&str>,
    waves: Option<String>,
    family: Option<&str>,
    link: Option<&str>,
    weights: Option<String>,
    level: f64,
    tol: f64,
    max_iter: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let corstr = corstr
        .map(|c| c.parse::<CorStr>().map_err(|e| input_error(format!("--corstr: {e}"))))
        .transpose()?
        .unwrap_or_default();
    let opts = RunOptions {
        family: parse_family(family)?,
        link: parse_link(link)?,
        weights,
        level,
        tol,
        max_iter,
        ..RunOptions::default()
    };
    let gee = GeeOptions { id, corstr, waves };
    gee.validate(&opts).map_err(input_error)?;
    let frame = &data.inner;
    let outcome = run_engine(py, || dimorph_glm::gee::run(frame, formula, &opts, &gee))?;
    let input = json!({ "data": frame.source });
    let options = json!({ "model": opts, "gee": gee });
    outcome_dict(py, "glm", input, &options, &outcome)
}

/// Fits a model of a response of levels, as `dimorph glm --family ordinal|multinomial` does
/// (`ordinal::run_ordinal`: cumulative link; `multinom::run_multinomial`: baseline-category
/// logit). `ordinal` chooses which; the flags that do not apply are refused by the caller.
#[pyfunction]
#[pyo3(signature = (
    data, formula, *, ordinal, link=None, levels=None, reference=None, weights=None, freq=None,
    level=0.95, tol=1e-8, max_iter=25
))]
#[allow(clippy::too_many_arguments)]
pub fn glm_categorical<'py>(
    py: Python<'py>,
    data: PyRef<'py, PyFrame>,
    formula: &str,
    ordinal: bool,
    link: Option<&str>,
    levels: Option<Vec<String>>,
    reference: Option<String>,
    weights: Option<String>,
    freq: Option<String>,
    level: f64,
    tol: f64,
    max_iter: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let link = parse_link(link)?;
    let frame = &data.inner;
    let input = json!({ "data": frame.source, "formula": formula });
    if ordinal {
        let opts = OrdinalOptions {
            link: link.unwrap_or(Link::Logit),
            levels,
            weights,
            freq,
            level,
            tol,
            max_iter,
        };
        let outcome = run_engine(py, || run_ordinal(frame, formula, &opts))?;
        return outcome_dict(py, "glm", input, &opts, &outcome);
    }
    if let Some(l) = link.filter(|l| *l != Link::Logit) {
        return Err(input_error(format!(
            "--link: the multinomial model is the baseline-category logit (logit link only), not {}",
            l.cli_name()
        )));
    }
    let opts = MultinomOptions {
        reference,
        levels,
        weights,
        freq,
        level,
        tol,
        max_iter,
    };
    let outcome = run_engine(py, || run_multinomial(frame, formula, &opts))?;
    outcome_dict(py, "glm", input, &opts, &outcome)
}

/// Compares nested models, as `dimorph glm anova FORMULA FORMULA...` does
/// (`compare::run_compare`; the envelope's input `{data, formulas}` as the CLI's).
#[pyfunction]
#[pyo3(signature = (
    data, formulas, *, family=None, link=None, weights=None, freq=None, theta=None,
    dispersion="default", tol=1e-8, max_iter=25, threads=None
))]
#[allow(clippy::too_many_arguments)]
pub fn glm_anova<'py>(
    py: Python<'py>,
    data: PyRef<'py, PyFrame>,
    formulas: Vec<String>,
    family: Option<&str>,
    link: Option<&str>,
    weights: Option<String>,
    freq: Option<String>,
    theta: Option<f64>,
    dispersion: &str,
    tol: f64,
    max_iter: usize,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyDict>> {
    if formulas.len() < 2 {
        return Err(input_error(format!(
            "anova: needs two or more formulas to compare, got {} (e.g. dimorph glm anova --data FILE 'y ~ x' 'y ~ x + z')",
            formulas.len()
        )));
    }
    let opts = RunOptions {
        family: parse_family(family)?,
        link: parse_link(link)?,
        weights,
        freq,
        theta,
        dispersion: self::dispersion(dispersion)?,
        tol,
        max_iter,
        threads,
        ..RunOptions::default()
    };
    opts.validate().map_err(input_error)?;
    let frame = &data.inner;
    let outcome = run_engine(py, || dimorph_glm::compare::run_compare(frame, &formulas, &opts))?;
    let input = json!({ "data": frame.source, "formulas": formulas });
    outcome_dict(py, "glm anova", input, &opts, &outcome)
}
