//! `dimorph.dask`: PROC LOGISTIC's "Association of Predicted Probabilities and Observed
//! Responses" over partitions. Each partition's events and non-events are counted in bins of
//! predicted probability at the fitted β ([`glm_part_association`],
//! `dimorph_glm::distributed::association_bins`); the client adds the bins and computes the
//! table ([`glm_association_table`], `dimorph_glm::binary::AssociationBins`), which equals the
//! in-memory table with the same BINWIDTH: the pairs are compared by bin, as SAS and the
//! in-memory fit do. With BINWIDTH 0 (exact probabilities), and for the Hosmer–Lemeshow test,
//! each partition's events and non-events at each distinct predicted probability
//! ([`glm_part_groups`], `dimorph_glm::distributed::probability_groups`), added by the client
//! ([`glm_groups_tables`], `dimorph_glm::probability_groups::ProbabilityGroups`): exactly the
//! in-memory table and test, for one entry per distinct probability.

use dimorph_glm::binary::AssociationBins;
use dimorph_glm::distributed::{association_bins, probability_groups};
use dimorph_glm::probability_groups::ProbabilityGroups;
use numpy::{PyArray1, PyReadonlyArray1};
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

/// One partition's events and non-events at each distinct predicted probability at `beta`, as
/// three arrays `(probabilities in increasing order, events, non-events)`; `frequency` as in
/// [`glm_part_association`].
#[pyfunction]
#[allow(clippy::type_complexity)]
pub fn glm_part_groups<'py>(
    py: Python<'py>,
    part: PyRef<'_, PyGlmPart>,
    beta: Vec<f64>,
    frequency: bool,
    model: Model,
) -> PyResult<(
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
)> {
    let (_, _, link) = self::model(&model)?;
    let p = &part.part;
    if p.n > 0 && beta.len() != p.p {
        return Err(input_error(format!(
            "glm_part_groups: {} coefficients for {} columns",
            beta.len(),
            p.p
        )));
    }
    let g = probability_groups(p, &beta, link, frequency);
    let (mut pr, mut e, mut ne) = (
        Vec::with_capacity(g.len()),
        Vec::with_capacity(g.len()),
        Vec::with_capacity(g.len()),
    );
    for (a, b, c) in g.rows() {
        pr.push(a);
        e.push(b);
        ne.push(c);
    }
    Ok((
        PyArray1::from_vec(py, pr),
        PyArray1::from_vec(py, e),
        PyArray1::from_vec(py, ne),
    ))
}

/// The association table with `binwidth` (0: exact probabilities) and, with `lackfit`, the
/// Hosmer–Lemeshow test from the partitions' groups ([`glm_part_groups`]), added: their JSON,
/// `{"association": …, "hosmer_lemeshow": … or null}` with the in-memory `binary.association` and
/// `binary.hosmer_lemeshow` fields.
#[pyfunction]
#[allow(clippy::type_complexity)]
pub fn glm_groups_tables(
    parts: Vec<(
        PyReadonlyArray1<'_, f64>,
        PyReadonlyArray1<'_, f64>,
        PyReadonlyArray1<'_, f64>,
    )>,
    binwidth: f64,
    lackfit: bool,
) -> PyResult<String> {
    let mut all = ProbabilityGroups::default();
    for (p, e, ne) in &parts {
        let (p, e, ne) = (p.as_slice()?, e.as_slice()?, ne.as_slice()?);
        if p.len() != e.len() || p.len() != ne.len() {
            return Err(input_error("glm_groups_tables: groups of unequal lengths"));
        }
        all.add_rows(p.iter().zip(e).zip(ne).map(|((&p, &e), &ne)| (p, e, ne)));
    }
    let out = serde_json::json!({
        "association": all.association(binwidth),
        "hosmer_lemeshow": lackfit.then(|| all.hosmer_lemeshow()),
    });
    Ok(out.to_string())
}

/// Whether the Hosmer–Lemeshow test is computed on its own for a fit of `rows` rows: None when
/// it is (at most `dimorph_glm::probability_groups::AUTO_MAX_ROWS`), else the warning to give.
#[pyfunction]
pub fn glm_lackfit_auto(rows: f64) -> Option<String> {
    (rows > dimorph_glm::probability_groups::AUTO_MAX_ROWS)
        .then(|| dimorph_glm::probability_groups::skipped_note(rows, "ask for it with lackfit=True"))
}
