//! `dimorph.glm`: the options of `dimorph glm` from keyword arguments, `dimorph_glm::run`, the
//! outcome as a dict (the envelope's `input` and `options` as the CLI writes them).

use dimorph_glm::options::HcType;
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

/// Fits `formula` to `data` as `dimorph glm` does (with `new_data`: also `--predict`).
#[pyfunction]
#[pyo3(signature = (
    data, formula, new_data=None, *, family=None, link=None, weights=None, freq=None, theta=None,
    dispersion="default", level=0.95, profile=None, type3=None, binwidth=None, tol=1e-8, max_iter=25,
    start=None, singular_ok=true, residuals=false, robust=None, cluster=None, event=None, anova=None,
    threads=None
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
) -> PyResult<Bound<'py, PyDict>> {
    let robust = robust
        .map(|r| r.parse::<HcType>().map_err(|e| input_error(format!("--robust: {e}"))))
        .transpose()?;
    let family = family
        .map(|f| f.parse::<Family>().map_err(|e| input_error(format!("--family: {e}"))))
        .transpose()?;
    let link = link
        .map(|l| l.parse::<Link>().map_err(|e| input_error(format!("--link: {e}"))))
        .transpose()?;
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
        // options of the CLI that the Python API leaves at their defaults
        ..RunOptions::default()
    };
    let frame = &data.inner;
    let new = new_data.as_ref().map(|n| &n.inner);
    let outcome = run_engine(py, || dimorph_glm::run(frame, formula, new, &opts))?;
    let mut input = json!({ "data": frame.source });
    if let Some(n) = new {
        input["predict"] = json!(n.source);
    }
    outcome_dict(py, "glm", input, &opts, &outcome)
}
