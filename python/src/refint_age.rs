//! `dimorph.refint.age`: age-dependent reference limits as `dimorph refint age` computes them —
//! sliding age windows of a method (optionally smoothed by LOESS, optionally merged into age
//! partitions) or LMS (BCCG) curves — from keyword arguments to the engine's `AgeOptions`.

use dimorph_refint::age_curves_run::{Curves, LmsOptions};
use dimorph_refint::age_smooth::{WindowSmoother, WindowSmoothing};
use dimorph_refint::run::{run_age, AgeOptions};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde_json::json;

use crate::frame::PyFrame;
use crate::outcome::{input_error, outcome_dict, run_engine};
use crate::refint::{estimate_options, lower};

/// `curves=`: sliding windows (with their window and step) or LMS (with its options), each
/// refusing the other's options as the CLI does; gives (curves, window, step, lms).
fn curves(
    curves: &str,
    (window, step, partitions): (Option<f64>, Option<f64>, Option<f64>),
    (lms_df, lms_lambda, lms_grid): (Option<[usize; 3]>, Option<[f64; 3]>, Option<usize>),
) -> PyResult<(Curves, f64, f64, LmsOptions)> {
    let mut lms = LmsOptions::default();
    match lower(curves).as_str() {
        "windows" => {
            if lms_df.is_some() || lms_lambda.is_some() || lms_grid.is_some() {
                return Err(input_error("--lms-df, --lms-lambda, --lms-grid: only for --curves lms"));
            }
            match (window, step) {
                (Some(w), Some(s)) => Ok((Curves::Windows, w, s, lms)),
                _ => Err(input_error(
                    "--window, --step: both are needed by --curves windows (the default)",
                )),
            }
        }
        "lms" => {
            if window.is_some() || step.is_some() || partitions.is_some() {
                return Err(input_error(
                    "--window, --step, --partitions: for --curves windows; --curves lms fits smooth curves to all ages at once",
                ));
            }
            if lms_df.is_some() && lms_lambda.is_some() {
                return Err(input_error(
                    "--lms-df, --lms-lambda: give one (fixed df or fixed penalties)",
                ));
            }
            lms.df = lms_df.unwrap_or(lms.df);
            lms.lambda = lms_lambda;
            lms.grid = lms_grid.unwrap_or(lms.grid);
            Ok((Curves::Lms, 0.0, 0.0, lms))
        }
        _ => Err(input_error(format!(
            "--curves: unknown value '{curves}' (choose windows or lms)"
        ))),
    }
}

/// `smooth=`: none or loess, with its span and degree (only with loess).
fn smoothing(smooth: Option<&str>, span: Option<f64>, degree: Option<usize>) -> PyResult<WindowSmoothing> {
    let mut s = WindowSmoothing::default();
    match smooth.map(lower).as_deref() {
        None | Some("none") => {
            if span.is_some() || degree.is_some() {
                return Err(input_error("--smooth-span, --smooth-degree: only with --smooth loess"));
            }
        }
        Some("loess") => {
            s.method = WindowSmoother::Loess;
            s.span = span.unwrap_or(s.span);
            s.degree = degree.unwrap_or(s.degree);
        }
        Some(_) => {
            return Err(input_error(format!(
                "--smooth: unknown value '{}' (choose none or loess)",
                smooth.unwrap_or_default()
            )))
        }
    }
    Ok(s)
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
