//! `dimorph.refint.age`: age-dependent reference limits as `dimorph refint age` computes them —
//! sliding age windows of a method (optionally smoothed by LOESS, optionally merged into age
//! partitions) or LMS (BCCG) curves — from keyword arguments to the engine's `AgeOptions`.

use dimorph_refint::age_curves_run::{curve_options, Curves, LmsOptions};
use dimorph_refint::age_smooth::{WindowSmoother, WindowSmoothing};
use dimorph_refint::run::{run_age, AgeOptions};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde_json::json;

use crate::frame::PyFrame;
use crate::outcome::{input_error, outcome_dict, run_engine};
use crate::refint::{estimate_options, lower};

/// `curves=` by name, the engine refusing each method's options with the other.
fn curves(
    curves: &str,
    windows: (Option<f64>, Option<f64>, Option<f64>),
    lms: (Option<[usize; 3]>, Option<[f64; 3]>, Option<usize>),
) -> PyResult<(Curves, f64, f64, LmsOptions)> {
    let kind = match lower(curves).as_str() {
        "windows" => Curves::Windows,
        "lms" => Curves::Lms,
        _ => {
            return Err(input_error(format!(
                "--curves: unknown value '{curves}' (choose windows or lms)"
            )))
        }
    };
    let (window, step, lms) = curve_options(kind, windows, lms).map_err(input_error)?;
    Ok((kind, window, step, lms))
}

/// `smooth=` by name (none or loess), with its span and degree (only with loess).
fn smoothing(smooth: Option<&str>, span: Option<f64>, degree: Option<usize>) -> PyResult<WindowSmoothing> {
    let method = match smooth.map(lower).as_deref() {
        None | Some("none") => WindowSmoother::None,
        Some("loess") => WindowSmoother::Loess,
        Some(_) => {
            return Err(input_error(format!(
                "--smooth: unknown value '{}' (choose none or loess)",
                smooth.unwrap_or_default()
            )))
        }
    };
    WindowSmoothing::requested(method, span, degree).map_err(input_error)
}

/// Age-dependent limits of `value` over `age`, per level of `by` when given.
#[pyfunction]
#[pyo3(signature = (
    data, value, age, *, by=None, window=None, step=None, curves="windows", partitions=None,
    smooth=None, smooth_span=None, smooth_degree=None, lms_df=None, lms_lambda=None, lms_grid=None,
    unit=None, age_unit=None, method="reflim", transform=None, seed=None, perc_trunc=None,
    n_min=None, lognormal=None, nboot=None, model=None, decimals=None, zeros=None
))]
#[allow(clippy::too_many_arguments)]
pub fn refint_age<'py>(
    py: Python<'py>,
    data: PyRef<'py, PyFrame>,
    value: String,
    age: String,
    by: Option<String>,
    window: Option<f64>,
    step: Option<f64>,
    curves: &str,
    partitions: Option<f64>,
    smooth: Option<&str>,
    smooth_span: Option<f64>,
    smooth_degree: Option<usize>,
    lms_df: Option<[usize; 3]>,
    lms_lambda: Option<[f64; 3]>,
    lms_grid: Option<usize>,
    unit: Option<String>,
    age_unit: Option<String>,
    method: &str,
    transform: Option<&str>,
    seed: Option<u64>,
    perc_trunc: Option<f64>,
    n_min: Option<usize>,
    lognormal: Option<bool>,
    nboot: Option<usize>,
    model: Option<&str>,
    decimals: Option<i32>,
    zeros: Option<&str>,
) -> PyResult<Bound<'py, PyDict>> {
    let (curves, window, step, lms) = self::curves(curves, (window, step, partitions), (lms_df, lms_lambda, lms_grid))?;
    let estimate = estimate_options(
        method,
        transform,
        seed,
        perc_trunc,
        n_min,
        lognormal,
        None,
        false,
        None,
        (nboot, model, decimals, zeros),
    )?;
    let o = AgeOptions {
        value,
        age,
        by,
        window,
        step,
        partitions,
        curves,
        lms,
        smooth: smoothing(smooth, smooth_span, smooth_degree)?,
        unit,
        age_unit,
        estimate,
    };
    let frame = &data.inner;
    let outcome = run_engine(py, || run_age(frame, &o))?;
    let input = json!({ "data": frame.source });
    outcome_dict(py, "refint age", input, &o, &outcome)
}
