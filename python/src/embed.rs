//! `dimorph.embed.TSNE`: the options of `dimorph embed` from keyword arguments,
//! `dimorph_embed::run` on the feature columns of a frame, the outcome as a dict plus the
//! coordinates as an n × 2 float64 array and the quality figures.

use dimorph_embed::{Affinity, EmbedOptions, GradientMethod, Init, KnnMethod, Model, TransformOptions};
use numpy::ndarray::Array2;
use numpy::IntoPyArray;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde_json::json;

use crate::frame::PyFrame;
use crate::outcome::{guarded, input_error, outcome_dict, InternalError};

fn choice<T: Copy>(option: &str, s: &str, choices: &[(&str, T)]) -> PyResult<T> {
    let t = s.trim().to_ascii_lowercase();
    choices.iter().find(|(n, _)| *n == t).map(|(_, v)| *v).ok_or_else(|| {
        let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
        input_error(format!("{option}: unknown value '{s}' (choose {})", names.join(", ")))
    })
}

/// t-SNE of the columns `features` (names or patterns with `*` and `?`) of `data`.
#[pyfunction]
#[pyo3(signature = (
    data, features, *, affinity="uniform", knn=None, perplexity=None, alpha=1.0, init="pca",
    knn_method="auto", pca_dims=None, gradient="auto", iter=500, early_iter=250, exaggeration=12.0,
    learning_rate=None, seed=42, threads=None, color=None, class_=None, ids=Vec::new(),
    max_plot_points=20_000, knn_recall=None, late_exaggeration=None, save_model=false
))]
#[allow(clippy::too_many_arguments)]
pub fn embed<'py>(
    py: Python<'py>,
    data: PyRef<'py, PyFrame>,
    features: Vec<String>,
    affinity: &str,
    knn: Option<usize>,
    perplexity: Option<f64>,
    alpha: f64,
    init: &str,
    knn_method: &str,
    pca_dims: Option<usize>,
    gradient: &str,
    iter: usize,
    early_iter: usize,
    exaggeration: f64,
    learning_rate: Option<f64>,
    seed: u64,
    threads: Option<usize>,
    color: Option<String>,
    class_: Option<String>,
    ids: Vec<String>,
    max_plot_points: usize,
    knn_recall: Option<f64>,
    late_exaggeration: Option<f64>,
    save_model: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let o = EmbedOptions {
        features,
        affinity: choice(
            "--affinity",
            affinity,
            &[("uniform", Affinity::Uniform), ("gaussian", Affinity::Gaussian)],
        )?,
        knn,
        perplexity,
        alpha,
        init: choice("--init", init, &[("pca", Init::Pca), ("random", Init::Random)])?,
        knn_method: choice(
            "--knn-method",
            knn_method,
            &[
                ("auto", KnnMethod::Auto),
                ("exact", KnnMethod::Exact),
                ("approx", KnnMethod::Approx),
            ],
        )?,
        pca_dims,
        knn_recall,
        gradient: choice(
            "--gradient",
            gradient,
            &[
                ("auto", GradientMethod::Auto),
                ("exact", GradientMethod::Exact),
                ("fft", GradientMethod::Fft),
            ],
        )?,
        iter,
        early_iter,
        exaggeration,
        late_exaggeration,
        learning_rate,
        seed,
        threads,
        color,
        class: class_,
        ids,
        max_plot_points,
        save_model,
        ..EmbedOptions::default()
    };
    let frame = &data.inner;
    let outcome = guarded(py, || {
        dimorph_embed::run(frame, &o, &mut |_: &str, _: usize, _: usize| {})
    })?
    .map_err(|e| {
        if e.is_input() {
            input_error(e)
        } else {
            InternalError::new_err(e.to_string())
        }
    })?;
    let d = outcome_dict(py, "embed", json!({ "data": frame.source }), &o.resolved(), &outcome)?;
    let e = &outcome.result.embedding;
    let flat: Vec<f64> = e.y.iter().flat_map(|p| p.iter().copied()).collect();
    let y = Array2::from_shape_vec((e.y.len(), 2), flat).map_err(|err| InternalError::new_err(err.to_string()))?;
    d.set_item("embedding", y.into_pyarray(py))?;
    d.set_item("kl_divergence", e.kl_divergence)?;
    d.set_item("knn_recall", e.knn_recall)?;
    d.set_item("iterations", e.iterations)?;
    d.set_item("features", outcome.result.features.columns.clone())?;
    d.set_item("knn_recall_features", e.knn_recall_features)?;
    if save_model {
        // the model is the outcome's model files, read back as `--transform --into` reads them
        let model = Model::from_files(&outcome.files).map_err(|err| InternalError::new_err(err.to_string()))?;
        d.set_item("model", PyEmbedModel { inner: model })?;
    }
    Ok(d)
}

/// A saved embedding (what `dimorph embed --out DIR` writes for `--transform`), held in memory.
#[pyclass(module = "dimorph._dimorph", name = "EmbedModel", frozen)]
pub struct PyEmbedModel {
    inner: Model,
}

#[pymethods]
impl PyEmbedModel {
    /// Reference points.
    #[getter]
    fn n(&self) -> usize {
        self.inner.space.n
    }
    /// The feature columns, in order.
    #[getter]
    fn columns(&self) -> Vec<String> {
        self.inner.columns.clone()
    }
    /// Reads the saved embedding in `path` (the --out folder of `dimorph embed`).
    #[staticmethod]
    fn load(path: std::path::PathBuf) -> PyResult<Self> {
        Model::load(&path)
            .map(|inner| PyEmbedModel { inner })
            .map_err(input_error)
    }
}

/// The rows of `data` placed into the saved embedding `model` (`dimorph embed --transform`).
#[pyfunction]
#[pyo3(signature = (
    model, data, *, features=Vec::new(), iter=250, learning_rate=0.1, threads=None, seed=42,
    color=None, class_=None, ids=Vec::new(), max_plot_points=20_000
))]
#[allow(clippy::too_many_arguments)]
pub fn embed_transform<'py>(
    py: Python<'py>,
    model: PyRef<'py, PyEmbedModel>,
    data: PyRef<'py, PyFrame>,
    features: Vec<String>,
    iter: usize,
    learning_rate: f64,
    threads: Option<usize>,
    seed: u64,
    color: Option<String>,
    class_: Option<String>,
    ids: Vec<String>,
    max_plot_points: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let o = TransformOptions {
        features,
        iter,
        learning_rate,
        threads,
        seed,
        color,
        class: class_,
        ids,
        max_plot_points,
        parquet: false,
    };
    let frame = &data.inner;
    let m = &model.inner;
    let outcome = guarded(py, || {
        dimorph_embed::run_transform(frame, m, &o, &mut |_: &str, _: usize, _: usize| {})
    })?
    .map_err(|e| {
        if e.is_input() {
            input_error(e)
        } else {
            InternalError::new_err(e.to_string())
        }
    })?;
    let input = json!({ "transform": frame.source, "into": m.source });
    let d = outcome_dict(py, "embed", input, &o.resolved(), &outcome)?;
    let placed = &outcome.result.placed;
    let flat: Vec<f64> = placed.y.iter().flat_map(|p| p.iter().copied()).collect();
    let y = Array2::from_shape_vec((placed.y.len(), 2), flat).map_err(|err| InternalError::new_err(err.to_string()))?;
    d.set_item("embedding", y.into_pyarray(py))?;
    Ok(d)
}
