//! The t-SNE analysis of a table, as every front end calls it: [`run`] takes the table and the
//! [`EmbedOptions`], embeds the selected feature columns (the pipeline of [`crate::pipeline`]),
//! summarises the chosen clusters (Figure 3 of Ilanchezian et al. 2021) and returns an
//! [`Outcome`]: the typed [`EmbedResult`], the report, the tidy tables (`embedding` first, then
//! `clusters`, `cluster_classes`, `exemplars` when clusters were chosen), the SVG scatter
//! `embedding.svg` (and `embedding.parquet` on request) and the warnings.

use crate::clusters::{self, summarise, ClusterSummary};
use crate::error::LIST_NAMES;
use crate::error::{EmbedError, Result};
use crate::features::Features;
use crate::fft::MAX_BOXES;
use crate::input::{features_from_frame, Selection};
use crate::model::Model;
use crate::options::EmbedOptions;
use crate::output::{embedding_table, parquet_bytes, Extra};
use crate::params::KnnMethod;
use crate::pipeline::{embed_with_reference, Embedding};
use crate::plot::{scatter, Colour};
use crate::progress::Progress;
use crate::report;
use dimorph_core::text::{clip, clip_list};
use dimorph_core::OutputFile;
use dimorph_data::{ColumnData, Frame};
use dimorph_report::Outcome;
use serde::Serialize;

/// The result of a t-SNE analysis (what `--format json` prints under `result`).
#[derive(Clone, Debug, Serialize)]
pub struct EmbedResult {
    /// The feature columns used and the constant ones left out.
    pub features: Selection,
    /// The embedding: coordinates (one `[x, y]` per input row), KL divergence, neighbour search,
    /// gradient, the settings used and the time per phase.
    pub embedding: Embedding,
    /// The chosen clusters: points, class fractions, mean value, exemplars.
    pub clusters: Vec<ClusterSummary>,
}

/// The input columns the analysis uses besides the features, read (and so checked) before the
/// embedding starts.
pub(crate) struct Columns {
    pub colour: Option<Extra>,
    pub class: Option<Vec<String>>,
    pub ids: Vec<(String, Vec<String>)>,
    /// Columns carried into the embedding table: ids, colour, class (each once).
    pub extras: Vec<Extra>,
}

/// A column as carried next to the coordinates.
fn extra(f: &Frame, name: &str) -> Result<Extra> {
    let c = f.column(name)?;
    Ok(match &c.data {
        ColumnData::Num(v) => Extra::Num(name.into(), v.clone()),
        ColumnData::Text { values, .. } => Extra::Text(name.into(), values.clone()),
    })
}

/// A column as text (numbers printed shortest; missing = empty).
fn text_column(f: &Frame, name: &str) -> Result<Vec<String>> {
    let c = f.column(name)?;
    Ok(match &c.data {
        ColumnData::Num(v) => v
            .iter()
            .map(|x| if x.is_nan() { String::new() } else { format!("{x}") })
            .collect(),
        ColumnData::Text { values, .. } => values.iter().map(|v| v.clone().unwrap_or_default()).collect(),
    })
}

fn columns(frame: &Frame, o: &EmbedOptions) -> Result<Columns> {
    read_columns(frame, &o.color, &o.class, &o.ids)
}

/// The colour, class and id columns of `frame`.
pub(crate) fn read_columns(
    frame: &Frame,
    color: &Option<String>,
    class: &Option<String>,
    id_names: &[String],
) -> Result<Columns> {
    let colour = color.as_deref().map(|c| extra(frame, c)).transpose()?;
    let class_v = class.as_deref().map(|c| text_column(frame, c)).transpose()?;
    let ids = id_names
        .iter()
        .map(|c| Ok((c.clone(), text_column(frame, c)?)))
        .collect::<Result<Vec<_>>>()?;
    let mut extras: Vec<Extra> = Vec::new();
    for c in id_names.iter().chain(color.iter()).chain(class.iter()) {
        if !extras.iter().any(|x| x.name() == c) {
            extras.push(extra(frame, c)?);
        }
    }
    Ok(Columns {
        colour,
        class: class_v,
        ids,
        extras,
    })
}

/// Embeds the feature columns of `frame` and summarises the chosen clusters.
pub fn run(frame: &Frame, options: &EmbedOptions, progress: Progress) -> Result<Outcome<EmbedResult>> {
    options.validate()?;
    let cols = columns(frame, options)?;
    let (x, sel) = features_from_frame(frame, &options.features)?;
    embed_outcome(frame, x, sel, cols, options, progress)
}

/// [`run`] on features read elsewhere (e.g. single precision, [`crate::input_f32`]), `frame`
/// holding the table's other columns that the options name (ids, colour, class; it may have
/// none, but its `nrows` and `source` are the features').
pub fn run_features(
    frame: &Frame,
    x: Features,
    sel: Selection,
    options: &EmbedOptions,
    progress: Progress,
) -> Result<Outcome<EmbedResult>> {
    options.validate()?;
    if frame.nrows != x.n {
        return Err(EmbedError::Input(format!(
            "{}: {} rows of features but {} of the other columns",
            frame.source, x.n, frame.nrows
        )));
    }
    let cols = columns(frame, options)?;
    embed_outcome(frame, x, sel, cols, options, progress)
}

fn embed_outcome(
    frame: &Frame,
    x: Features,
    sel: Selection,
    cols: Columns,
    options: &EmbedOptions,
    progress: Progress,
) -> Result<Outcome<EmbedResult>> {
    // the pipeline's refusals (too few or identical points, divergence) concern this table
    let params = options.params();
    let (e, reference) = embed_with_reference(&x, &params, progress, options.save_model).map_err(|e| match e {
        EmbedError::Input(msg) => EmbedError::Input(format!("{}: {msg}", frame.source)),
        other => other,
    })?;
    drop(x);
    let model = reference.map(|r| {
        let (aff, alpha) = (params.affinity, params.alpha);
        Model::new(&frame.source, &sel.columns, sel.scaling.clone(), aff, alpha, r, &e.y)
    });
    let value = match &cols.colour {
        Some(Extra::Num(_, v)) => Some(v.as_slice()),
        _ => None,
    };
    let clusters = summarise(
        &e.y,
        &options.clusters,
        cols.class.as_deref(),
        value,
        &cols.ids,
        options.exemplars(),
    );
    let mut out = Outcome::new(EmbedResult {
        features: sel,
        embedding: e,
        clusters,
    });
    fill(&mut out, frame, options, &cols)?;
    if let Some(m) = model {
        out.files.extend(m.files());
    }
    Ok(out)
}

/// The report, tables, files and warnings of an outcome.
fn fill(out: &mut Outcome<EmbedResult>, frame: &Frame, o: &EmbedOptions, cols: &Columns) -> Result<()> {
    let r = &out.result;
    let source = frame.source.clone();
    let colour_name = o.color.as_deref();
    out.summary = report::summary(&source, &r.features, &r.embedding, &r.clusters);
    out.sections.push(report::section(
        &format!("t-SNE of {source}"),
        &r.features,
        &r.embedding,
        &r.clusters,
        colour_name,
    ));
    out.tables.push(embedding_table(&r.embedding.y, &cols.extras));
    let id_names: Vec<String> = cols.ids.iter().map(|(n, _)| n.clone()).collect();
    out.tables.extend(clusters::tables(&r.clusters, &id_names));
    out.files.push(OutputFile::text(
        "embedding.svg",
        figure(&source, o, cols, &r.embedding),
    ));
    if o.parquet {
        let bytes = parquet_bytes(&r.embedding.y, &cols.extras).map_err(EmbedError::Output)?;
        out.files.push(OutputFile::new("embedding.parquet", bytes));
    }
    out.warnings.extend(warnings(o, cols, &r.features, &r.embedding));
    Ok(())
}

/// What the reader of the outcome should know: columns left out, options that had no effect,
/// approximations coarser than usual, colour values that are not numbers.
fn warnings(o: &EmbedOptions, cols: &Columns, sel: &Selection, e: &Embedding) -> Vec<String> {
    let mut w = Vec::new();
    if !sel.constant.is_empty() {
        w.push(format!(
            "{} constant feature column(s) left out: {}",
            sel.constant.len(),
            clip_list(&sel.constant, LIST_NAMES)
        ));
    }
    if let Some(s) = &sel.scaling {
        w.push(format!(
            "the features were too large or too close together for single-precision distances: each column \
             was centred at its midrange and all multiplied by 2^{} before the analysis (every distance \
             scaled alike: the same neighbours and the same embedding)",
            s.power_of_two
        ));
    }
    let d = sel.columns.len();
    if let Some(dims) = o
        .pca_dims
        .filter(|&dims| e.knn_method == KnnMethod::Approx && dims >= d)
    {
        w.push(format!(
            "--pca-dims {dims} is not below the {d} feature columns: the approximate neighbour search ran on \
             the features themselves"
        ));
    }
    if let (Some(t), Some(r)) = (o.knn_recall, e.knn_recall) {
        if r < t {
            w.push(format!(
                "--knn-recall {t}: the sampled recall reached {r:.4} after {} searches (up to {} trees); the \
                 neighbours of the last search were used",
                e.knn_tries, e.knn_trees
            ));
        }
    }
    if e.duplicate_points > 0 {
        w.push(format!(
            "{} of {} points have an exact duplicate (a nearest neighbour at distance 0): copies share their \
             neighbours and end up together in the embedding",
            e.duplicate_points, e.n
        ));
    }
    if e.coarse_fft_iterations > 0 {
        w.push(format!(
            "the layout spread wider than {MAX_BOXES} units: in {} iterations the FFT grid was capped at \
             {MAX_BOXES} boxes per side (boxes wider than one unit, a coarser repulsion); fewer --iter or \
             --alpha closer to 1 keep it compact",
            e.coarse_fft_iterations
        ));
    }
    w.extend(cols.extras.iter().filter_map(|x| copied_warning(o, x)));
    w
}

/// A column copied from the input (id, colour, class) whose numbers are not all finite: they are
/// copied as they are, and what the analysis made of them is said.
fn copied_warning(o: &EmbedOptions, x: &Extra) -> Option<String> {
    copied_warning_of(&o.color, &o.class, x)
}

/// [`copied_warning`] for the given colour and class columns.
pub(crate) fn copied_warning_of(color: &Option<String>, class: &Option<String>, x: &Extra) -> Option<String> {
    let Extra::Num(name, v) = x else { return None };
    let bad = v.iter().filter(|x| !x.is_finite()).count();
    if bad == 0 {
        return None;
    }
    let mut uses = Vec::new();
    if color.as_ref() == Some(name) {
        uses.push("--color: drawn grey and left out of the clusters' mean values");
    }
    if class.as_ref() == Some(name) {
        uses.push("--class: each such value counted as a class of its own");
    }
    let uses = if uses.is_empty() {
        String::new()
    } else {
        format!("; {}", uses.join("; "))
    };
    Some(format!(
        "column '{}': {bad} of {} values are missing or not finite, copied as they are to the embedding \
         table{uses}",
        clip(name),
        v.len()
    ))
}

/// The SVG scatter, coloured by `--color` when given, with the clusters drawn.
fn figure(source: &str, o: &EmbedOptions, cols: &Columns, e: &Embedding) -> String {
    let labels: Vec<String>;
    let colour = match (&o.color, &cols.colour) {
        (Some(name), Some(Extra::Num(_, v))) => Colour::Diverging { name, values: v },
        (Some(name), Some(Extra::Text(_, v))) => {
            labels = v.iter().map(|s| s.clone().unwrap_or_default()).collect();
            Colour::Categorical { name, labels: &labels }
        }
        _ => Colour::None,
    };
    let title = format!("t-SNE of {source} (α = {})", o.alpha);
    scatter(&title, &e.y, &colour, &o.clusters, o.max_plot_points, o.seed)
}
