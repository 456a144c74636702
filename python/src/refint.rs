//! `dimorph.refint`: `table`, `compare`, `estimate`, `partition` and `verify` as `dimorph refint
//! …` runs them — keyword arguments → the engine's options, `run_*`, the outcome as a dict (the
//! envelope's `options` as the CLI writes them: resolved for estimate, partition and verify).
//! `age` is in [`crate::refint_age`].

use dimorph_refint::{
    run_compare, run_estimate, run_partition, run_table, run_verify, Assumption, EstimateOptions, EstimateRunOptions,
    KosmicOptions, Method, OutlierOptions, OutlierScreen, PartitionOptions, PermissibleOptions, RefinerModel,
    RefinerOptions, RefinerZeros, ReflimOptions, Transform, VerifyMode, VerifyOptions,
};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde_json::json;

use crate::frame::PyFrame;
use crate::outcome::{input_error, outcome_dict, run_engine};

pub(crate) fn lower(s: &str) -> String {
    s.trim().to_ascii_lowercase().replace(['-', '_'], "")
}

fn assumption(s: Option<&str>) -> PyResult<Option<Assumption>> {
    s.map(|s| match lower(s).as_str() {
        "lognormal" => Ok(Assumption::LogNormal),
        "normal" => Ok(Assumption::Normal),
        _ => Err(input_error(format!(
            "--assumption: unknown value '{s}' (choose lognormal or normal)"
        ))),
    })
    .transpose()
}

fn method(s: &str) -> PyResult<Method> {
    Ok(match lower(s).as_str() {
        "direct" => Method::Direct,
        "parametric" => Method::Parametric,
        "robust" => Method::Robust,
        "reflim" => Method::Reflim,
        "refiner" => Method::Refiner,
        "kosmic" => Method::Kosmic,
        _ => {
            return Err(input_error(format!(
                "--method: unknown value '{s}' (choose direct, parametric, robust, reflim, refiner or kosmic)"
            )))
        }
    })
}

fn transform(s: Option<&str>) -> PyResult<Option<Transform>> {
    s.map(|s| match lower(s).as_str() {
        "normal" => Ok(Transform::Normal),
        "lognormal" => Ok(Transform::LogNormal),
        "boxcox" => Ok(Transform::BoxCox),
        _ => Err(input_error(format!(
            "--transform: unknown value '{s}' (choose normal, lognormal or boxcox)"
        ))),
    })
    .transpose()
}

/// The permissible-uncertainty options: `given` is whether any was given (the CLI's rule for
/// estimate and partition, which take them only when a flag is present).
fn permissible(z: Option<f64>, bias: bool, assumption: Option<&str>) -> PyResult<(PermissibleOptions, bool)> {
    let a = self::assumption(assumption)?;
    let d = PermissibleOptions::default();
    let o = PermissibleOptions {
        z: z.unwrap_or(d.z),
        bias,
        assumption: a.unwrap_or(d.assumption),
    };
    Ok((o, z.is_some() || bias || a.is_some()))
}

/// reflimR's own options, when any was given.
fn reflim(perc_trunc: Option<f64>, n_min: Option<usize>, lognormal: Option<bool>) -> Option<ReflimOptions> {
    (perc_trunc.is_some() || n_min.is_some() || lognormal.is_some()).then(|| {
        let d = ReflimOptions::default();
        ReflimOptions {
            lognormal,
            perc_trunc: perc_trunc.unwrap_or(d.perc_trunc),
            n_min: n_min.unwrap_or(d.n_min),
        }
    })
}

/// Table 1 of Haeckel et al. (2016) for the limits of a frame (`quantity`, `unit`, `rl1`, `rl2`).
#[pyfunction]
#[pyo3(signature = (data, *, z=None, bias=false, assumption=None))]
pub fn refint_table<'py>(
    py: Python<'py>,
    data: PyRef<'py, PyFrame>,
    z: Option<f64>,
    bias: bool,
    assumption: Option<&str>,
) -> PyResult<Bound<'py, PyDict>> {
    let (o, _) = permissible(z, bias, assumption)?;
    let frame = &data.inner;
    let outcome = run_engine(py, || run_table(frame, &o))?;
    outcome_dict(py, "refint table", json!({ "data": frame.source }), &o, &outcome)
}

/// Limits `b` (one or more pairs) compared with `a` by the equivalence limits.
#[pyfunction]
#[pyo3(signature = (a, b, *, z=None, bias=false, assumption=None))]
pub fn refint_compare<'py>(
    py: Python<'py>,
    a: (f64, f64),
    b: Vec<(f64, f64)>,
    z: Option<f64>,
    bias: bool,
    assumption: Option<&str>,
) -> PyResult<Bound<'py, PyDict>> {
    if b.is_empty() {
        return Err(input_error("--b: give at least one pair of limits (lower, upper)"));
    }
    let (o, _) = permissible(z, bias, assumption)?;
    let outcome = run_engine(py, || run_compare(a, &b, &o))?;
    let pair = |p: &(f64, f64)| json!([p.0, p.1]);
    let input = json!({ "a": pair(&a), "b": b.iter().map(pair).collect::<Vec<_>>() });
    outcome_dict(py, "refint compare", input, &o, &outcome)
}

/// Reference limits of column `value`, per level of `by` when given.
#[pyfunction]
#[pyo3(signature = (
    data, value, *, by=None, method="reflim", transform=None, seed=None, targets=None,
    perc_trunc=None, n_min=None, lognormal=None, z=None, bias=false, assumption=None, nboot=None,
    model=None, decimals=None, percentiles=None, outliers=None, remove_outliers=false, zeros=None,
    filters=Vec::new(), more_values=Vec::new()
))]
#[allow(clippy::too_many_arguments)]
pub fn refint_estimate<'py>(
    py: Python<'py>,
    data: PyRef<'py, PyFrame>,
    value: String,
    by: Option<String>,
    method: &str,
    transform: Option<&str>,
    seed: Option<u64>,
    targets: Option<(f64, f64)>,
    perc_trunc: Option<f64>,
    n_min: Option<usize>,
    lognormal: Option<bool>,
    z: Option<f64>,
    bias: bool,
    assumption: Option<&str>,
    nboot: Option<usize>,
    model: Option<&str>,
    decimals: Option<i32>,
    percentiles: Option<(f64, f64)>,
    outliers: Option<&str>,
    remove_outliers: bool,
    zeros: Option<&str>,
    filters: Vec<(String, String)>,
    more_values: Vec<String>,
) -> PyResult<Bound<'py, PyDict>> {
    let mut estimate = estimate_options(
        method,
        transform,
        seed,
        perc_trunc,
        n_min,
        lognormal,
        z,
        bias,
        assumption,
        (nboot, model, decimals, zeros),
    )?;
    estimate.percentiles = percentiles;
    estimate.outliers = outlier_options(outliers, remove_outliers)?;
    let o = EstimateRunOptions {
        value,
        more_values,
        by,
        filters,
        targets,
        estimate,
    };
    let frame = &data.inner;
    let outcome = run_engine(py, || run_estimate(frame, &o))?;
    let input = json!({ "data": frame.source });
    outcome_dict(py, "refint estimate", input, &o.resolved(), &outcome)
}

/// The estimation options `estimate`, `partition`, `verify` and `age` share, from their keyword
/// arguments (the permissible-uncertainty ones only when one of them was given, as the CLI does).
#[allow(clippy::too_many_arguments)]
pub(crate) fn estimate_options(
    method: &str,
    transform: Option<&str>,
    seed: Option<u64>,
    perc_trunc: Option<f64>,
    n_min: Option<usize>,
    lognormal: Option<bool>,
    z: Option<f64>,
    bias: bool,
    assumption: Option<&str>,
    (nboot, model, decimals, zeros): (Option<usize>, Option<&str>, Option<i32>, Option<&str>),
) -> PyResult<EstimateOptions> {
    let (p, given) = permissible(z, bias, assumption)?;
    let method = self::method(method)?;
    let model = model.map(refiner_model).transpose()?;
    let zeros = zeros.map(refiner_zeros).transpose()?;
    let kosmic = method == Method::Kosmic;
    // As the CLI: refiner's options when --nboot (not for kosmic), --model or --zeros was given, kosmic's
    // for method kosmic or --decimals; the engine refuses those that do not apply to the method.
    Ok(EstimateOptions {
        method,
        transform: self::transform(transform)?,
        reflim: reflim(perc_trunc, n_min, lognormal),
        permissible: given.then_some(p),
        seed,
        refiner: (nboot.is_some_and(|_| !kosmic) || model.is_some() || zeros.is_some()).then(|| RefinerOptions {
            nboot: nboot.filter(|_| !kosmic).unwrap_or(0),
            model: model.unwrap_or_default(),
            zeros: zeros.unwrap_or_default(),
        }),
        kosmic: (kosmic || decimals.is_some()).then(|| KosmicOptions {
            decimals,
            nboot: nboot.unwrap_or(0),
        }),
        ..Default::default()
    })
}

/// `--outliers` and `--remove-outliers`: the outlier screen of the direct methods (estimate and
/// partition).
fn outlier_options(screen: Option<&str>, remove: bool) -> PyResult<Option<OutlierOptions>> {
    let screen = match screen.map(lower).as_deref() {
        None => None,
        Some("horn") => Some(OutlierScreen::Horn),
        Some("dixon") => Some(OutlierScreen::Dixon),
        Some(_) => {
            return Err(input_error(format!(
                "--outliers: unknown value '{}' (choose horn or dixon)",
                screen.unwrap_or_default()
            )))
        }
    };
    if remove && screen.is_none() {
        return Err(input_error(
            "--remove-outliers: leaves out the values an outlier screen flags; choose one with outliers='horn' or 'dixon'",
        ));
    }
    Ok(screen.map(|screen| OutlierOptions { screen, remove }))
}

/// `--zeros`: what refiner makes of values of 0.
fn refiner_zeros(s: &str) -> PyResult<RefinerZeros> {
    match lower(s).as_str() {
        "censored" => Ok(RefinerZeros::Censored),
        "drop" => Ok(RefinerZeros::Drop),
        _ => Err(input_error(format!(
            "--zeros: unknown value '{s}' (choose censored or drop)"
        ))),
    }
}

/// `--model`: refiner's transformation.
fn refiner_model(s: &str) -> PyResult<RefinerModel> {
    match lower(s).as_str() {
        "boxcox" => Ok(RefinerModel::BoxCox),
        "modboxcox" => Ok(RefinerModel::ModBoxCox),
        _ => Err(input_error(format!(
            "--model: unknown value '{s}' (choose boxcox or modboxcox)"
        ))),
    }
}

/// Limits per level of `by` and pooled, compared, and the decision whether to partition.
#[pyfunction]
#[pyo3(signature = (
    data, value, by, *, method="reflim", transform=None, seed=None, perc_trunc=None, n_min=None,
    lognormal=None, z=None, bias=false, assumption=None, nboot=None, model=None, decimals=None,
    outliers=None, remove_outliers=false, zeros=None, filters=Vec::new()
))]
#[allow(clippy::too_many_arguments)]
pub fn refint_partition<'py>(
    py: Python<'py>,
    data: PyRef<'py, PyFrame>,
    value: String,
    by: String,
    method: &str,
    transform: Option<&str>,
    seed: Option<u64>,
    perc_trunc: Option<f64>,
    n_min: Option<usize>,
    lognormal: Option<bool>,
    z: Option<f64>,
    bias: bool,
    assumption: Option<&str>,
    nboot: Option<usize>,
    model: Option<&str>,
    decimals: Option<i32>,
    outliers: Option<&str>,
    remove_outliers: bool,
    zeros: Option<&str>,
    filters: Vec<(String, String)>,
) -> PyResult<Bound<'py, PyDict>> {
    let mut estimate = estimate_options(
        method,
        transform,
        seed,
        perc_trunc,
        n_min,
        lognormal,
        z,
        bias,
        assumption,
        (nboot, model, decimals, zeros),
    )?;
    estimate.outliers = outlier_options(outliers, remove_outliers)?;
    let o = PartitionOptions {
        value,
        by,
        filters,
        estimate,
    };
    let frame = &data.inner;
    let outcome = run_engine(py, || run_partition(frame, &o))?;
    let input = json!({ "data": frame.source });
    outcome_dict(py, "refint partition", input, &o.resolved(), &outcome)
}

/// A laboratory's limits `limits` verified with the values of `value`: by CLSI EP28's transference
/// rule (the data are reference individuals) or against limits estimated from routine data.
#[pyfunction]
#[pyo3(signature = (
    data, value, limits, *, mode="transference", filters=Vec::new(), method="reflim", transform=None,
    seed=None, perc_trunc=None, n_min=None, lognormal=None, z=None, bias=false, assumption=None,
    nboot=None, model=None, decimals=None, zeros=None
))]
#[allow(clippy::too_many_arguments)]
pub fn refint_verify<'py>(
    py: Python<'py>,
    data: PyRef<'py, PyFrame>,
    value: String,
    limits: (f64, f64),
    mode: &str,
    filters: Vec<(String, String)>,
    method: &str,
    transform: Option<&str>,
    seed: Option<u64>,
    perc_trunc: Option<f64>,
    n_min: Option<usize>,
    lognormal: Option<bool>,
    z: Option<f64>,
    bias: bool,
    assumption: Option<&str>,
    nboot: Option<usize>,
    model: Option<&str>,
    decimals: Option<i32>,
    zeros: Option<&str>,
) -> PyResult<Bound<'py, PyDict>> {
    let mode = match lower(mode).as_str() {
        "transference" => VerifyMode::Transference,
        "routine" => VerifyMode::Routine,
        _ => {
            return Err(input_error(format!(
                "--mode: unknown value '{mode}' (choose transference or routine)"
            )))
        }
    };
    let estimate = estimate_options(
        method,
        transform,
        seed,
        perc_trunc,
        n_min,
        lognormal,
        z,
        bias,
        assumption,
        (nboot, model, decimals, zeros),
    )?;
    let o = VerifyOptions {
        value,
        filters,
        limits,
        mode,
        estimate,
    };
    let frame = &data.inner;
    let outcome = run_engine(py, || run_verify(frame, &o))?;
    let input = json!({ "data": frame.source });
    outcome_dict(py, "refint verify", input, &o.resolved(), &outcome)
}
