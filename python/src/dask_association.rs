//! `dimorph.dask`: PROC LOGISTIC's "Association of Predicted Probabilities and Observed
//! Responses" over partitions. Each partition's events and non-events are counted in bins of
//! predicted probability at the fitted β ([`glm_part_association`],
//! `dimorph_glm::distributed::association_bins`); the client adds the bins and computes the
//! table ([`glm_association_table`], `dimorph_glm::binary::AssociationBins`), which equals the
//! in-memory table with the same BINWIDTH: the pairs are compared by bin, as SAS and the
//! in-memory fit do. BINWIDTH 0 (exact probabilities) compares every pair of rows and is refused
//! by the Python driver.

use dimorph_glm::binary::AssociationBins;
use dimorph_glm::distributed::association_bins;
use pyo3::prelude::*;

use crate::dask::{model, Model, PyGlmPart};
use crate::outcome::input_error;

/// Checks `binwidth` for the model as the single-machine fit does (`RunOptions::validate` and
/// `family_for`: between 0 and 1, and the binomial family only, the family resolved as the fit
/// resolves it), before any pass over the data.
#[pyfunction]
pub fn glm_check_binwidth(model: Model, binwidth: f64) -> PyResult<()> {
    let (mut opts, _, _) = self::model(&model)?;
    opts.binwidth = Some(binwidth);
    opts.validate().map_err(input_error)?;
    opts.family_for(model.3).map_err(input_error)?;
    Ok(())
}

/// One partition's bins: `(bin numbers, events, non-events)` at `beta` with `binwidth` (> 0);
/// `frequency`: the weights are frequencies (each row counts them), else only trials count.
#[pyfunction]
pub fn glm_part_association(
    part: PyRef<'_, PyGlmPart>,
    beta: Vec<f64>,
    binwidth: f64,
    frequency: bool,
    model: Model,
) -> PyResult<(Vec<i64>, Vec<f64>, Vec<f64>)> {
    let (_, _, link) = self::model(&model)?;
    let p = &part.part;
    if !(binwidth > 0.0 && binwidth <= 1.0) || (p.n > 0 && beta.len() != p.p) {
        return Err(input_error(format!(
            "glm_part_association: binwidth {binwidth} (0 < binwidth ≤ 1) or {} coefficients for {} columns",
            beta.len(),
            p.p
        )));
    }
    let b = association_bins(p, &beta, link, binwidth, frequency);
    let mut out = (Vec::new(), Vec::new(), Vec::new());
    for (k, (e, ne)) in b.bins {
        out.0.push(k);
        out.1.push(e);
        out.2.push(ne);
    }
    Ok(out)
}

/// The association table (its JSON: the in-memory `binary.association` fields) from the
/// partitions' bins, added in partition order.
#[pyfunction]
#[allow(clippy::type_complexity)]
pub fn glm_association_table(parts: Vec<(Vec<i64>, Vec<f64>, Vec<f64>)>, binwidth: f64) -> PyResult<String> {
    let mut all = AssociationBins::default();
    for (k, e, ne) in parts {
        if k.len() != e.len() || k.len() != ne.len() {
            return Err(input_error("glm_association_table: bins of unequal lengths"));
        }
        for ((k, e), ne) in k.into_iter().zip(e).zip(ne) {
            all.add_bin(k, e, ne);
        }
    }
    serde_json::to_string(&all.table(binwidth)).map_err(|e| input_error(e.to_string()))
}
