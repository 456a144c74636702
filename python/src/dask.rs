//! `dimorph.dask`: the Rust half of the distributed GLM ([`dimorph_glm::distributed`]).
//!
//! The Python driver (`dimorph/dask.py`) runs on the client; the functions here run in two places:
//!
//! - on the workers, one call per partition: [`glm_part_levels`] (the first pass: factor levels),
//!   [`glm_design_part`] (the partition's rows coded with the merged levels, kept on the worker as
//!   a [`PyGlmPart`]), and the sums of one pass over it ([`glm_part_fisher`], [`glm_part_newton`],
//!   [`glm_part_stats`], [`glm_part_theta`]: θ of the negative binomial,
//!   [`dimorph_glm::distributed_theta`], and after the fit [`glm_part_score`]: Rao's score test
//!   against the null model, [`dimorph_glm::distributed_score`]);
//! - on the client: [`glm_merge_levels`] and [`glm_fit_distributed`], which runs the engine's
//!   IRLS driver and asks Python, through a callback, for each pass's per-partition sums (one Dask
//!   task per partition) — it adds them in partition order —, then the score test's pass.
//!
//! The model (family, link, θ) travels as the user's spelling and is resolved the same way
//! everywhere ([`model`]); while θ is estimated the engine changes it between passes
//! ([`PyPasses::model`]: the Poisson start, then θ in turn).

use dimorph_glm::design::{DesignSpec, Term};
use dimorph_glm::distributed::{
    self, add_pass, design_part, fisher_sums, merge_levels, newton_sums, part_levels, stat_sums, theta_part_sums,
    Layout, Newton, NullMu, Part, PartLevels, PartVar, Passes, StatQuery, StatSums,
};
use dimorph_glm::distributed_score::{self, score_sums, NullRow, ScorePasses, ScoreSums};
use dimorph_glm::formula::{Formula, Response};
use dimorph_glm::irls::Pass;
use dimorph_glm::negbin::ThetaSums;
use dimorph_glm::{Dispersion, Family, GlmError, Link, RunOptions};
use numpy::{PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::frame::PyFrame;
use crate::outcome::{guarded, input_error, run_engine};

/// A family, link and θ as the user spelled them, and whether the response is events/trials.
pub(crate) type Model = (Option<String>, Option<String>, Option<f64>, bool);

/// The options of `dimorph glm` that the distributed fit uses, and the family and link they
/// resolve to (the same rule as the single-machine fit: `RunOptions::family_for`).
pub(crate) fn model(m: &Model) -> PyResult<(RunOptions, Family, Link)> {
    let family =
        m.0.as_deref()
            .map(|f| f.parse::<Family>().map_err(|e| input_error(format!("--family: {e}"))))
            .transpose()?;
    let link =
        m.1.as_deref()
            .map(|l| l.parse::<Link>().map_err(|e| input_error(format!("--link: {e}"))))
            .transpose()?;
    let opts = RunOptions {
        family,
        link,
        theta: m.2,
        ..RunOptions::default()
    };
    opts.validate().map_err(input_error)?;
    let fam = opts.family_for(m.3).map_err(input_error)?;
    let link = opts.link.unwrap_or_else(|| fam.canonical_link());
    Ok((opts, fam, link))
}

/// A level list from Python: `(label, kind, text values, numeric values)`, kind `covariate`,
/// `text` or `numeric`.
type VarTuple = (String, String, Vec<String>, Vec<f64>);

/// The first pass over one partition: `(rows, complete rows, [(label, kind, text, numbers)])`.
#[pyfunction]
#[pyo3(signature = (data, formula, weights=None))]
pub fn glm_part_levels(
    py: Python<'_>,
    data: PyRef<'_, PyFrame>,
    formula: &str,
    weights: Option<String>,
) -> PyResult<(usize, usize, Vec<VarTuple>)> {
    let frame = &data.inner;
    let l = run_engine(py, || part_levels(formula, frame, weights.as_deref()))?;
    let vars = l
        .vars
        .into_iter()
        .map(|(label, v)| match v {
            PartVar::Covariate => (label, "covariate".into(), Vec::new(), Vec::new()),
            PartVar::Text(t) => (label, "text".into(), t, Vec::new()),
            PartVar::Numeric(x) => (label, "numeric".into(), Vec::new(), x),
        })
        .collect();
    Ok((l.rows, l.complete, vars))
}

/// The partitions' levels joined: each factor's levels (by label) in R's order, reference first.
#[pyfunction]
#[pyo3(signature = (formula, columns, parts, source, weights=None))]
pub fn glm_merge_levels(
    formula: &str,
    columns: Vec<String>,
    parts: Vec<(usize, usize, Vec<VarTuple>)>,
    source: &str,
    weights: Option<String>,
) -> PyResult<Vec<(String, Vec<String>)>> {
    let parts: Vec<PartLevels> = parts
        .into_iter()
        .map(|(rows, complete, vars)| PartLevels {
            rows,
            complete,
            vars: vars
                .into_iter()
                .map(|(label, kind, t, x)| {
                    let v = match kind.as_str() {
                        "text" => PartVar::Text(t),
                        "numeric" => PartVar::Numeric(x),
                        _ => PartVar::Covariate,
                    };
                    (label, v)
                })
                .collect(),
        })
        .collect();
    let cols: Vec<&str> = columns.iter().map(String::as_str).collect();
    let spec = merge_levels(formula, &cols, weights.as_deref(), &parts, source).map_err(input_error)?;
    Ok(spec.levels)
}

/// The design every partition uses: the formula parsed for the data's columns, with the merged
/// levels.
pub(crate) fn spec(
    formula: &str,
    columns: &[String],
    weights: Option<&str>,
    levels: Vec<(String, Vec<String>)>,
) -> PyResult<DesignSpec> {
    let cols: Vec<&str> = columns.iter().map(String::as_str).collect();
    let f =
        Formula::parse_for_columns(formula, &cols, &weights.into_iter().collect::<Vec<_>>()).map_err(input_error)?;
    Ok(DesignSpec { formula: f, levels })
}

/// Whether the formula's response is events/trials (`y/n`, `cbind(s, f)`), for data with the
/// given columns (`.` in the formula stands for the others).
#[pyfunction]
#[pyo3(signature = (formula, columns, weights=None))]
pub fn glm_events_trials(formula: &str, columns: Vec<String>, weights: Option<String>) -> PyResult<bool> {
    let cols: Vec<&str> = columns.iter().map(String::as_str).collect();
    let exclude: Vec<&str> = weights.as_deref().into_iter().collect();
    let f = Formula::parse_for_columns(formula, &cols, &exclude).map_err(input_error)?;
    Ok(!matches!(f.response, Response::Single(_)))
}

/// One partition's rows, coded for the fit (X, response, prior weights, trials, offset); kept on
/// the worker between passes. Pickled as its arrays.
#[pyclass(module = "dimorph._dimorph", name = "GlmPart", frozen)]
pub struct PyGlmPart {
    pub part: Part,
}

#[pymethods]
impl PyGlmPart {
    /// Rows used.
    #[getter]
    fn n(&self) -> usize {
        self.part.n
    }

    /// Columns of X.
    #[getter]
    fn p(&self) -> usize {
        self.part.p
    }

    /// Rows of the partition before rows with a missing value were dropped.
    #[getter]
    fn n_read(&self) -> usize {
        self.part.n_read
    }

    /// Names of the columns of X (empty when no row is used).
    #[getter]
    fn col_names(&self) -> Vec<String> {
        self.part.col_names.clone()
    }

    /// The model's terms and the columns of X each owns, `(label, [columns])` in the formula's
    /// order, as the engine coded them (empty when no row is used): what Type 3 leaves out.
    #[getter]
    fn terms(&self) -> Vec<(String, Vec<usize>)> {
        self.part
            .terms
            .iter()
            .map(|t| (t.label.clone(), t.cols.clone().collect()))
            .collect()
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
        let py = slf.py();
        let p = &slf.get().part;
        let f = py.import("dimorph._dimorph")?.getattr("_glm_part_from_state")?;
        let arr = |v: &[f64]| PyArray1::from_slice(py, v).into_any();
        let offset = p.offset.as_deref().map(arr);
        let args = (
            arr(&p.x),
            p.n,
            p.p,
            arr(&p.y),
            arr(&p.prior),
            arr(&p.trials),
            offset,
            p.n_read,
            p.weights_sum,
            p.col_names.clone(),
            terms_state(&p.terms),
        )
            .into_pyobject(py)?
            .into_any();
        Ok((f, args))
    }

    fn __repr__(&self) -> String {
        format!("<dimorph GlmPart: {} rows × {} columns>", self.part.n, self.part.p)
    }
}

/// The terms of a part as plain tuples for pickling: `(label, first column, end, is_factor)`.
fn terms_state(terms: &[Term]) -> Vec<(String, usize, usize, bool)> {
    terms
        .iter()
        .map(|t| (t.label.clone(), t.cols.start, t.cols.end, t.is_factor))
        .collect()
}

/// A [`PyGlmPart`] from its pickled arrays.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn _glm_part_from_state(
    x: PyReadonlyArray1<'_, f64>,
    n: usize,
    p: usize,
    y: PyReadonlyArray1<'_, f64>,
    prior: PyReadonlyArray1<'_, f64>,
    trials: PyReadonlyArray1<'_, f64>,
    offset: Option<PyReadonlyArray1<'_, f64>>,
    n_read: usize,
    weights_sum: f64,
    col_names: Vec<String>,
    terms: Vec<(String, usize, usize, bool)>,
) -> PyResult<PyGlmPart> {
    let v = crate::arrays::f64_values;
    let part = Part {
        x: v(&x),
        n,
        p,
        y: v(&y),
        prior: v(&prior),
        trials: v(&trials),
        offset: offset.as_ref().map(v),
        n_read,
        weights_sum,
        col_names,
        terms: terms
            .into_iter()
            .map(|(label, a, b, is_factor)| Term {
                label,
                cols: a..b,
                is_factor,
            })
            .collect(),
    };
    let ok = part.x.len() == n * p && [&part.y, &part.prior, &part.trials].iter().all(|a| a.len() == n);
    let terms_ok = part.terms.iter().all(|t| t.cols.start <= t.cols.end && t.cols.end <= p);
    if !ok || !terms_ok || part.offset.as_ref().is_some_and(|o| o.len() != n) {
        return Err(input_error("GlmPart: inconsistent pickled state"));
    }
    Ok(PyGlmPart { part })
}

/// One partition coded with the merged levels (the same columns of X in every partition); its
/// response and weights checked against the model's family.
#[pyfunction]
#[pyo3(signature = (data, formula, columns, levels, model, weights=None))]
pub fn glm_design_part(
    py: Python<'_>,
    data: PyRef<'_, PyFrame>,
    formula: &str,
    columns: Vec<String>,
    levels: Vec<(String, Vec<String>)>,
    model: Model,
    weights: Option<String>,
) -> PyResult<PyGlmPart> {
    let spec = spec(formula, &columns, weights.as_deref(), levels)?;
    let (_, family, _) = self::model(&model)?;
    let frame = &data.inner;
    let part = run_engine(py, || design_part(&spec, frame, weights.as_deref(), family))?;
    Ok(PyGlmPart { part })
}

/// One partition's sums: a matrix (flat) and a vector, the deviance, and whether every row was in
/// range.
type Sums<'py> = (Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>, f64, bool);

/// Σ over one partition of XᵀWX (flat p × p), XᵀWz and the deviance at β (`None`: the family's
/// starting μ), and whether every row was in the link's and family's range.
#[pyfunction]
pub fn glm_part_fisher<'py>(
    py: Python<'py>,
    part: PyRef<'py, PyGlmPart>,
    beta: Option<Vec<f64>>,
    model: Model,
) -> PyResult<Sums<'py>> {
    let (_, family, link) = self::model(&model)?;
    let p = &part.part;
    let s = guarded(py, || fisher_sums(p, beta.as_deref(), family, link))?;
    Ok((
        PyArray1::from_vec(py, s.xtwx),
        PyArray1::from_vec(py, s.xtwz),
        s.deviance,
        s.valid,
    ))
}

/// Σ over one partition of the score and observed information on the `kept` columns.
#[pyfunction]
pub fn glm_part_newton<'py>(
    py: Python<'py>,
    part: PyRef<'py, PyGlmPart>,
    kept: Vec<usize>,
    beta: Vec<f64>,
    model: Model,
) -> PyResult<Sums<'py>> {
    let (_, family, link) = self::model(&model)?;
    let p = &part.part;
    if kept.iter().any(|&j| j >= p.p.max(beta.len())) || (p.n > 0 && beta.len() != p.p) {
        return Err(input_error("glm_part_newton: columns out of range"));
    }
    let s = guarded(py, || newton_sums(p, &kept, &beta, family, link))?;
    Ok((
        PyArray1::from_vec(py, s.score),
        PyArray1::from_vec(py, s.hessian),
        s.deviance,
        s.valid,
    ))
}

/// The names of [`StatSums`]' fields, in the order [`glm_part_stats`] returns them.
const STAT_FIELDS: usize = 15;

fn stats_vec(s: &StatSums) -> [f64; STAT_FIELDS] {
    [
        s.pearson,
        s.null_deviance,
        s.loglik,
        s.kernel,
        s.null_loglik,
        s.null_kernel,
        s.sum_w,
        s.sum_wy,
        s.n_pos,
        s.sum_log_w,
        s.n_used,
        s.n_read,
        s.sum_freq,
        s.min_offset,
        s.max_offset,
    ]
}

fn stats_from(v: &[f64]) -> Option<StatSums> {
    (v.len() == STAT_FIELDS).then(|| StatSums {
        pearson: v[0],
        null_deviance: v[1],
        loglik: v[2],
        kernel: v[3],
        null_loglik: v[4],
        null_kernel: v[5],
        sum_w: v[6],
        sum_wy: v[7],
        n_pos: v[8],
        sum_log_w: v[9],
        n_used: v[10],
        n_read: v[11],
        sum_freq: v[12],
        min_offset: v[13],
        max_offset: v[14],
    })
}

/// The null model's means as they travel: `("const", m)`, `("intercept", β₀)` or `("offset", 0)`.
type NullTuple = (String, f64);

fn null_from(null: &NullTuple) -> NullMu {
    match null.0.as_str() {
        "const" => NullMu::Const(null.1),
        "intercept" => NullMu::Intercept(null.1),
        _ => NullMu::OffsetOnly,
    }
}

fn null_tuple(null: NullMu) -> (&'static str, f64) {
    match null {
        NullMu::Const(m) => ("const", m),
        NullMu::Intercept(b) => ("intercept", b),
        NullMu::OffsetOnly => ("offset", 0.0),
    }
}

/// A partition's first row where the null model cannot be scored: `(row, no valid null fit, η₀)`.
type BadRow = (usize, bool, f64);

/// One partition's score sums: U, I (flat), and its first row without a score.
type ScoreOut<'py> = (Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>, Option<BadRow>);

/// One partition's score U and expected information I (flat k × k) on the columns `kept` at the
/// null model `null` (`intercept`: whether the model has one), or its first row that has none
/// ([`distributed_score::score_sums`]).
#[pyfunction]
pub fn glm_part_score<'py>(
    py: Python<'py>,
    part: PyRef<'py, PyGlmPart>,
    null: NullTuple,
    intercept: bool,
    kept: Vec<usize>,
    model: Model,
) -> PyResult<ScoreOut<'py>> {
    let (_, family, link) = self::model(&model)?;
    let p = &part.part;
    if p.n > 0 && kept.iter().any(|&j| j >= p.p) {
        return Err(input_error("glm_part_score: columns out of range"));
    }
    let s = guarded(py, || score_sums(p, null_from(&null), intercept, &kept, family, link))?;
    Ok((
        PyArray1::from_vec(py, s.u),
        PyArray1::from_vec(py, s.info),
        s.bad.map(|b| (b.row, b.no_fit, b.eta0)),
    ))
}

/// The sums of one partition for the figures after the fit (`null`: `("const", m)`,
/// `("intercept", β₀)` or `("offset", 0)`).
#[pyfunction]
pub fn glm_part_stats(
    py: Python<'_>,
    part: PyRef<'_, PyGlmPart>,
    beta: Vec<f64>,
    null: NullTuple,
    scale: f64,
    null_scale: f64,
    model: Model,
) -> PyResult<Vec<f64>> {
    let (_, family, link) = self::model(&model)?;
    let q = StatQuery {
        beta,
        null: null_from(&null),
        scale,
        null_scale,
    };
    let p = &part.part;
    if p.n > 0 && q.beta.len() != p.p {
        return Err(input_error("glm_part_stats: β has the wrong length"));
    }
    let s = guarded(py, || stat_sums(p, &q, family, link))?;
    Ok(stats_vec(&s).to_vec())
}

/// One partition's sums for θ of the negative binomial at β ([`theta_part_sums`]): the
/// over-dispersion score, Σw, Σ w(y/μ − 1)², and at `theta` the score, information and
/// log-likelihood, in that order.
#[pyfunction]
#[pyo3(signature = (part, beta, theta, model))]
pub fn glm_part_theta(
    py: Python<'_>,
    part: PyRef<'_, PyGlmPart>,
    beta: Vec<f64>,
    theta: Option<f64>,
    model: Model,
) -> PyResult<Vec<f64>> {
    let (_, _, link) = self::model(&model)?;
    let p = &part.part;
    if p.n > 0 && beta.len() != p.p {
        return Err(input_error("glm_part_theta: β has the wrong length"));
    }
    if theta.is_some_and(|t| !(t.is_finite() && t > 0.0)) {
        return Err(input_error("glm_part_theta: θ must be positive and finite"));
    }
    let s = guarded(py, || theta_part_sums(p, &beta, theta, link))?;
    Ok(vec![s.overdispersion, s.sum_w, s.moment, s.score, s.info, s.loglik])
}

/// An error of the distributed fit: the engine's (raised as `InputError`) or one of the
/// callback's.
pub(crate) struct DaskError(pub(crate) PyErr);

impl From<GlmError> for DaskError {
    fn from(e: GlmError) -> Self {
        DaskError(input_error(e))
    }
}

impl From<PyErr> for DaskError {
    fn from(e: PyErr) -> Self {
        DaskError(e)
    }
}

/// The passes as the Python driver runs them: `callback(kind, args)` returns one result per
/// partition, summed here in partition order; `rows` the rows used, when the driver counted them
/// in its first pass (Σ complete rows of [`glm_part_levels`]: no pass only to count them).
pub(crate) struct PyPasses<'py> {
    pub(crate) callback: Bound<'py, PyAny>,
    pub(crate) rows: Option<usize>,
    /// The passes run so far (calls of `callback`).
    pub(crate) calls: usize,
    /// The model the passes use when the engine changed it ([`Passes::set_family`]: while θ is
    /// estimated), passed to `callback(kind, args, model)`; `None`: the driver's own model
    /// (`callback(kind, args)`).
    pub(crate) model: Option<Model>,
    /// The link's and the response's spelling (the parts of the model that stay).
    pub(crate) base: Option<Model>,
}

fn floats(x: &Bound<'_, PyAny>) -> PyResult<Vec<f64>> {
    match x.extract::<PyReadonlyArray1<'_, f64>>() {
        Ok(a) => Ok(crate::arrays::f64_values(&a)),
        Err(_) => x.extract(),
    }
}

impl<'py> PyPasses<'py> {
    /// The passes of `callback(kind, args)` (the driver's own model), `rows` the rows used when
    /// the driver counted them.
    pub(crate) fn new(callback: Bound<'py, PyAny>, rows: Option<usize>) -> Self {
        PyPasses {
            callback,
            rows,
            calls: 0,
            model: None,
            base: None,
        }
    }

    fn call(&mut self, kind: &str, args: Bound<'py, PyAny>) -> PyResult<Vec<Bound<'py, PyAny>>> {
        self.calls += 1;
        let out = match &self.model {
            Some(m) => self.callback.call1((kind, args, m.clone()))?,
            None => self.callback.call1((kind, args))?,
        };
        Ok(out.cast::<PyList>()?.iter().collect())
    }
}

impl Passes for PyPasses<'_> {
    type Error = DaskError;

    fn fisher(&mut self, beta: Option<&[f64]>) -> Result<Pass, DaskError> {
        let py = self.callback.py();
        let args = (beta.map(<[f64]>::to_vec),).into_pyobject(py)?.into_any();
        let mut acc = Pass {
            xtwx: Vec::new(),
            xtwz: Vec::new(),
            deviance: 0.0,
            valid: true,
        };
        for r in self.call("fisher", args)? {
            let (a, b, dev, valid): (Bound<PyAny>, Bound<PyAny>, f64, bool) = r.extract()?;
            add_pass(
                &mut acc,
                &Pass {
                    xtwx: floats(&a)?,
                    xtwz: floats(&b)?,
                    deviance: dev,
                    valid,
                },
            );
        }
        Ok(acc)
    }

    fn newton(&mut self, kept: &[usize], beta: &[f64]) -> Result<Newton, DaskError> {
        let py = self.callback.py();
        let k = kept.len();
        let args = (kept.to_vec(), beta.to_vec()).into_pyobject(py)?.into_any();
        let mut acc = Newton {
            score: vec![0.0; k],
            hessian: vec![0.0; k * k],
            deviance: 0.0,
            valid: true,
        };
        for r in self.call("newton", args)? {
            let (u, h, dev, valid): (Bound<PyAny>, Bound<PyAny>, f64, bool) = r.extract()?;
            acc.add(&Newton {
                score: floats(&u)?,
                hessian: floats(&h)?,
                deviance: dev,
                valid,
            });
        }
        Ok(acc)
    }

    fn stats(&mut self, q: &StatQuery) -> Result<StatSums, DaskError> {
        let py = self.callback.py();
        let args = (q.beta.clone(), null_tuple(q.null), q.scale, q.null_scale)
            .into_pyobject(py)?
            .into_any();
        let mut acc = StatSums::default();
        for r in self.call("stats", args)? {
            let v: Vec<f64> = r.extract()?;
            let s =
                stats_from(&v).ok_or_else(|| input_error("stats: a partition returned the wrong number of sums"))?;
            acc.add(&s);
        }
        Ok(acc)
    }

    fn rows_used(&mut self) -> Option<usize> {
        self.rows
    }

    fn set_family(&mut self, family: Family) -> Result<(), DaskError> {
        let Some(base) = &self.base else {
            return Err(input_error("--theta: these passes cannot change the model; give theta").into());
        };
        self.model = Some(match family {
            Family::NegBin { theta } => (Some("negbin".into()), base.1.clone(), Some(theta), base.3),
            Family::Poisson => (Some("poisson".into()), base.1.clone(), None, base.3),
            f => return Err(input_error(format!("set_family: {} is not a family of θ's estimation", f.name())).into()),
        });
        Ok(())
    }

    fn theta(&mut self, beta: &[f64], theta: Option<f64>) -> Result<ThetaSums, DaskError> {
        let py = self.callback.py();
        let args = (beta.to_vec(), theta).into_pyobject(py)?.into_any();
        let mut acc = ThetaSums::default();
        for r in self.call("theta", args)? {
            let v: Vec<f64> = r.extract()?;
            let [overdispersion, sum_w, moment, score, info, loglik] = v[..] else {
                return Err(input_error("theta: a partition returned the wrong number of sums").into());
            };
            acc.add(&ThetaSums {
                overdispersion,
                sum_w,
                moment,
                score,
                info,
                loglik,
            });
        }
        Ok(acc)
    }
}

impl ScorePasses for PyPasses<'_> {
    fn score(&mut self, null: NullMu, intercept: bool, kept: &[usize]) -> Result<ScoreSums, DaskError> {
        let py = self.callback.py();
        let args = (null_tuple(null), intercept, kept.to_vec())
            .into_pyobject(py)?
            .into_any();
        let mut acc = ScoreSums::zero(kept.len());
        for (k, r) in self.call("score", args)?.into_iter().enumerate() {
            let (u, info, bad): (Bound<PyAny>, Bound<PyAny>, Option<BadRow>) = r.extract()?;
            let q = ScoreSums {
                u: floats(&u)?,
                info: floats(&info)?,
                bad: bad.map(|(row, no_fit, eta0)| NullRow {
                    part: 0,
                    row,
                    no_fit,
                    eta0,
                }),
            };
            if q.bad.is_none() && (q.u.len() != kept.len() || q.info.len() != kept.len() * kept.len()) {
                return Err(input_error("score: a partition returned sums of the wrong size").into());
            }
            acc.add(k, &q);
        }
        Ok(acc)
    }
}

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

/// Fits the model by IRLS over the partitions: `passes(kind, args)` runs one pass (one task per
/// partition) and returns the partitions' sums; `col_names` are the columns of X (from a
/// partition with rows); `rows_used` the rows used when the first pass counted them (else one
/// more pass counts them). Returns the fit as JSON ([`distributed::DistFit`]) with the Wald table.
#[pyfunction]
#[pyo3(signature = (
    formula, columns, levels, col_names, model, passes, *, weights=None, freq=None, dispersion="default",
    level=0.95, tol=1e-8, max_iter=25, singular_ok=true, rows_used=None, score=true, start=None
))]
#[allow(clippy::too_many_arguments)]
pub fn glm_fit_distributed(
    formula: &str,
    columns: Vec<String>,
    levels: Vec<(String, Vec<String>)>,
    col_names: Vec<String>,
    model: Model,
    passes: Bound<'_, PyAny>,
    weights: Option<String>,
    freq: Option<String>,
    dispersion: &str,
    level: f64,
    tol: f64,
    max_iter: usize,
    singular_ok: bool,
    rows_used: Option<usize>,
    score: bool,
    start: Option<Vec<f64>>,
) -> PyResult<String> {
    let spec = spec(formula, &columns, weights.as_deref().or(freq.as_deref()), levels)?;
    let (mut opts, family, _) = self::model(&model)?;
    opts.dispersion = self::dispersion(dispersion)?;
    opts.level = level;
    opts.tol = tol;
    opts.max_iter = max_iter;
    opts.singular_ok = singular_ok;
    opts.weights = weights;
    opts.freq = freq;
    opts.start = start;
    opts.validate().map_err(input_error)?;
    let gopts = opts.glm_options(family);
    let layout = Layout::new(&spec, col_names);
    let mut pp = PyPasses {
        base: Some(model.clone()),
        ..PyPasses::new(passes, rows_used)
    };
    let fit = distributed::fit(&mut pp, &layout, &gopts).map_err(|DaskError(e)| e)?;
    let mut v = serde_json::to_value(&fit).map_err(|e| input_error(e.to_string()))?;
    if score {
        let link = gopts.link.unwrap_or_else(|| family.canonical_link());
        // the passes are at the fitted model (θ̂, or the Poisson limit) when θ was estimated
        let before = pp.calls;
        let s = distributed_score::score_test(&mut pp, &fit, layout.intercept, link).map_err(|DaskError(e)| e)?;
        v["score"] = serde_json::to_value(&s).map_err(|e| input_error(e.to_string()))?;
        v["passes"] = serde_json::json!(fit.passes + (pp.calls - before));
    }
    // the model of the fit, as the passes spell it: θ̂ (or the Poisson limit) when θ was estimated
    v["model"] = serde_json::json!(pp.model.as_ref().unwrap_or(&model));
    v["wald"] = wald(&fit, level);
    v["formula"] = serde_json::json!(formula);
    v["options"] = serde_json::to_value(&opts).unwrap_or_default();
    serde_json::to_string(&v).map_err(|e| input_error(e.to_string()))
}

/// Wald tests and intervals of the coefficients as the single-machine tidy table gives them
/// without profile intervals: z (t with the residual df when the dispersion was estimated, as R's
/// `summary.glm`), and estimate ± z₁₋α/₂·SE (R's `confint.default`).
fn wald(fit: &distributed::DistFit, level: f64) -> serde_json::Value {
    use dimorph_core::dist::{qnorm, two_sided_normal, two_sided_t};
    let t = fit.dispersion_method != Dispersion::Fixed && fit.df_residual > 0.0;
    let q = qnorm(0.5 + level / 2.0);
    let rows: Vec<serde_json::Value> = (0..fit.coef.len())
        .map(|j| {
            let (b, se) = (fit.coef[j], fit.se_expected[j]);
            let z = b / se;
            let p = if t {
                two_sided_t(z, fit.df_residual)
            } else {
                two_sided_normal(z)
            };
            serde_json::json!({
                "term": fit.coef_names[j], "estimate": b, "std_error": se, "statistic": z,
                "p_value": p, "conf_low": b - q * se, "conf_high": b + q * se,
            })
        })
        .collect();
    serde_json::json!({ "statistic": if t { "t" } else { "z" }, "rows": rows })
}
