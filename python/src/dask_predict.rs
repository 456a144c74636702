//! `DaskGlmResult.predict` and `.residuals`: one partition's predictions or residuals at the
//! distributed fit's β ([`dimorph_glm::distributed_predict`], the single-machine fit's own row
//! functions), coded with the fit's merged factor levels. Each answer has one value per row of
//! the partition, NaN for a row the engine skips (a missing value), column after column.

use dimorph_glm::distributed_predict::{predict_part, residuals_part, PartColumns};
use dimorph_glm::residuals::Fitted;
use dimorph_glm::{Family, Link};
use numpy::PyArray1;
use pyo3::prelude::*;

use crate::dask::{model, spec, Model};
use crate::frame::PyFrame;
use crate::outcome::{input_error, run_engine};

/// What the partitions need of the fit: β (NaN where aliased), the estimated columns,
/// φ(XᵀWX)⁻¹ (flat p × p), φ and the rank.
type FitTuple = (Vec<f64>, Vec<usize>, Vec<f64>, f64, usize);

/// The fit's figures as the engine's row functions take them.
fn fitted(fit: &FitTuple, family: Family, link: Link) -> Fitted<'_> {
    Fitted {
        coef: &fit.0,
        kept: &fit.1,
        cov_expected: &fit.2,
        dispersion: fit.3,
        rank: fit.4,
        family,
        link,
    }
}

/// The columns one after the other (`K × nrows`, flat).
fn flat(py: Python<'_>, c: PartColumns) -> Bound<'_, PyArray1<f64>> {
    PyArray1::from_vec(py, c.columns.concat())
}

/// One partition's predictions: `eta, se_eta, eta_lower, eta_upper, fitted, se_fitted,
/// fitted_lower, fitted_upper` (intervals at `level`), each `nrows` long, flat.
#[pyfunction]
#[pyo3(signature = (data, formula, columns, levels, fit, model, level, weights=None))]
#[allow(clippy::too_many_arguments)]
pub fn glm_part_predict<'py>(
    py: Python<'py>,
    data: PyRef<'py, PyFrame>,
    formula: &str,
    columns: Vec<String>,
    levels: Vec<(String, Vec<String>)>,
    fit: FitTuple,
    model: Model,
    level: f64,
    weights: Option<String>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    if !(level > 0.0 && level < 1.0) {
        return Err(input_error(format!("level: must be between 0 and 1, got {level}")));
    }
    let spec = spec(formula, &columns, weights.as_deref(), levels)?;
    let (_, family, link) = self::model(&model)?;
    let f = fitted(&fit, family, link);
    let frame = &data.inner;
    let out = run_engine(py, || predict_part(&spec, frame, &f, level))?;
    Ok(flat(py, out))
}

/// One partition's residuals: `y, fitted, eta, response, pearson, deviance, working, leverage,
/// std_deviance, std_pearson, cooks_distance`, each `nrows` long, flat.
#[pyfunction]
#[pyo3(signature = (data, formula, columns, levels, fit, model, weights=None))]
#[allow(clippy::too_many_arguments)]
pub fn glm_part_residuals<'py>(
    py: Python<'py>,
    data: PyRef<'py, PyFrame>,
    formula: &str,
    columns: Vec<String>,
    levels: Vec<(String, Vec<String>)>,
    fit: FitTuple,
    model: Model,
    weights: Option<String>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let spec = spec(formula, &columns, weights.as_deref(), levels)?;
    let (_, family, link) = self::model(&model)?;
    let f = fitted(&fit, family, link);
    let frame = &data.inner;
    let w = weights.as_deref();
    let out = run_engine(py, || residuals_part(&spec, frame, w, family, &f))?;
    Ok(flat(py, out))
}
