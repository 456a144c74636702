//! New points of a table placed into a saved embedding (`dimorph embed --transform NEW --into
//! DIR`): [`run_transform`] takes the table, the [`Model`] and the [`TransformOptions`], reads the
//! model's feature columns from the table (by name, or by `--features` when they are named
//! otherwise), brings them into the saved search space (the input's scaling, then the saved
//! principal components), places them ([`crate::transform`]) and returns an [`Outcome`] with the
//! same outputs as an embedding: the report, the `embedding` table of the new points, the SVG
//! `embedding.svg` (reference points grey, new points on top) and, on request, Parquet.

use crate::analysis::{copied_warning_of, read_columns};
use crate::error::{EmbedError, Result, LIST_NAMES};
use crate::features::Features;
use crate::input::{check_finite, glob_match};
use crate::limits;
use crate::model::Model;
use crate::output::{embedding_table, parquet_bytes, Extra};
use crate::params::AffinityKind;
use crate::plot::{overlay, Colour};
use crate::progress::Progress;
use crate::transform::{place, Map, Placed, Placement};
use dimorph_core::text::{clip, clip_list, decimals as fixed, num};
use dimorph_core::OutputFile;
use dimorph_data::Frame;
use dimorph_report::{Outcome, Section};
use serde::Serialize;

/// Everything placing new points can be asked for (the method's settings come from the model).
#[derive(Debug, Clone, Serialize)]
pub struct TransformOptions {
    /// Feature columns of the new table (names or patterns, as `--features`); empty: the saved
    /// embedding's columns by name. They must be as many as the saved embedding's, in its order.
    pub features: Vec<String>,
    /// Iterations of the placement (openTSNE's transform: 250; 0 to 100,000; 0 leaves every new
    /// point at the weighted mean of its neighbours).
    pub iter: usize,
    /// Learning rate of the placement (openTSNE's transform: 0.1; positive, at most 1e9).
    pub learning_rate: f64,
    /// Threads (default: every available core; 1 to 256). The result does not depend on them.
    pub threads: Option<usize>,
    /// Seed of the plotted samples.
    pub seed: u64,
    /// Column of the new table colouring its points in the plot.
    pub color: Option<String>,
    /// Class column of the new table, copied to the output table.
    pub class: Option<String>,
    /// Id columns of the new table, copied to the output table.
    pub ids: Vec<String>,
    /// Most points drawn in the SVG, of the reference and of the new points each (1 to 1,000,000).
    pub max_plot_points: usize,
    /// Also give the coordinates as `embedding.parquet`.
    pub parquet: bool,
}

impl Default for TransformOptions {
    fn default() -> Self {
        let p = Placement::default();
        TransformOptions {
            features: Vec::new(),
            iter: p.n_iter,
            learning_rate: p.learning_rate,
            threads: None,
            seed: 42,
            color: None,
            class: None,
            ids: Vec::new(),
            max_plot_points: 20_000,
            parquet: false,
        }
    }
}

impl TransformOptions {
    /// Refuses values the placement cannot use, naming the option and its range.
    pub fn validate(&self) -> Result<()> {
        limits::count("--iter", self.iter, 0, limits::MAX_ITER)?;
        limits::positive("--learning-rate", self.learning_rate, limits::MAX_LEARNING_RATE)?;
        limits::threads(self.threads)?;
        limits::count("--max-plot-points", self.max_plot_points, 1, limits::MAX_PLOT_POINTS)
    }

    fn threads(&self) -> usize {
        dimorph_core::threads::resolve(self.threads).min(limits::MAX_THREADS)
    }

    /// The same options with the threads filled in (what the JSON envelope reports).
    pub fn resolved(&self) -> TransformOptions {
        TransformOptions {
            threads: Some(self.threads()),
            ..self.clone()
        }
    }
}

/// The result of placing new points (what `--format json` prints under `result`).
#[derive(Clone, Debug, Serialize)]
pub struct TransformResult {
    /// The new table's columns used, in the saved embedding's order.
    pub columns: Vec<String>,
    /// The training table of the saved embedding.
    pub reference_source: String,
    pub reference_points: usize,
    /// The space the neighbours were found in: principal components or the features.
    pub space: &'static str,
    pub space_dims: usize,
    pub affinity: AffinityKind,
    pub alpha: f64,
    pub placement: Placement,
    /// The new points: coordinates (one `[x, y]` per row) and neighbours per point.
    pub placed: Placed,
    /// New points whose nearest reference point is at distance 0 in the search space.
    pub exact_matches: usize,
    /// Seconds per phase.
    pub timings: Vec<(String, f64)>,
}

/// The model's columns in `frame`, as `f32` in the saved input scaling.
fn new_features(frame: &Frame, model: &Model, patterns: &[String]) -> Result<(Features, Vec<String>)> {
    let names = frame.names();
    let d = model.columns.len();
    let cols: Vec<String> = if patterns.iter().all(|p| p.split(',').all(|q| q.trim().is_empty())) {
        let missing: Vec<&String> = model.columns.iter().filter(|c| !names.contains(&c.as_str())).collect();
        if !missing.is_empty() {
            return Err(EmbedError::Input(format!(
                "{}: {} of the {d} feature columns of the saved embedding are missing: {} (name them with \
                 --features when they are called otherwise)",
                frame.source,
                missing.len(),
                clip_list(&missing, LIST_NAMES)
            )));
        }
        model.columns.clone()
    } else {
        let mut chosen: Vec<usize> = Vec::new();
        for p in patterns
            .iter()
            .flat_map(|p| p.split(','))
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let hits: Vec<usize> = (0..names.len()).filter(|&c| glob_match(p, names[c])).collect();
            if hits.is_empty() {
                return Err(EmbedError::Input(format!(
                    "{}: --features '{}' matches no column",
                    frame.source,
                    clip(p)
                )));
            }
            chosen.extend(hits);
        }
        chosen.sort_unstable();
        chosen.dedup();
        if chosen.len() != d {
            return Err(EmbedError::Input(format!(
                "{}: --features matches {} columns, but the saved embedding was made from {d} ({})",
                frame.source,
                chosen.len(),
                clip_list(&model.columns, LIST_NAMES)
            )));
        }
        chosen.iter().map(|&c| names[c].to_string()).collect()
    };
    if frame.nrows == 0 {
        return Err(EmbedError::Input(format!(
            "{}: the table has no data rows",
            frame.source
        )));
    }
    let n = frame.nrows;
    let mut x = vec![0.0f32; n * d];
    for (j, name) in cols.iter().enumerate() {
        let v = frame.numeric(name)?;
        check_finite(frame, name, v)?;
        for (i, &val) in v.iter().enumerate() {
            let s = match &model.scaling {
                Some(s) => s.apply(j, val),
                None => val as f32,
            };
            if !s.is_finite() {
                return Err(EmbedError::Input(format!(
                    "{}: line {}, column '{}': the value {} is beyond single precision in the saved \
                     embedding's scaling (its training values were far smaller)",
                    frame.source,
                    frame.line_of(i),
                    clip(name),
                    num(val)
                )));
            }
            x[i * d + j] = s;
        }
    }
    let mut f = Features::new(n, d, x)?;
    if let Some(e) = model.distance_exponent {
        f = f.scaled_by_pow2(e);
    }
    Ok((f, cols))
}

/// Places the rows of `frame` into the saved embedding `model`.
pub fn run_transform(
    frame: &Frame,
    model: &Model,
    options: &TransformOptions,
    progress: Progress,
) -> Result<Outcome<TransformResult>> {
    options.validate()?;
    let t0 = std::time::Instant::now();
    let cols = read_columns(frame, &options.color, &options.class, &options.ids)?;
    let (x, columns) = new_features(frame, model, &options.features)?;
    let threads = options.threads();
    let space = match &model.pca {
        Some(p) => p.transform(&x, model.space.d, threads),
        None => x,
    };
    let mut timings = vec![("read and project".to_string(), t0.elapsed().as_secs_f64())];
    let t1 = std::time::Instant::now();
    let placement = Placement {
        n_iter: options.iter,
        learning_rate: options.learning_rate,
        ..Placement::default()
    };
    let map = Map {
        space: &model.space,
        coords: &model.coords,
        kind: model.affinity,
        alpha: model.alpha,
    };
    let placed = place(map, &space, &placement, threads, progress);
    timings.push(("place".to_string(), t1.elapsed().as_secs_f64()));
    if let Some(i) = placed.y.iter().position(|p| !(p[0].is_finite() && p[1].is_finite())) {
        return Err(EmbedError::Input(format!(
            "{}: the placement of row {} diverged (coordinates not finite); lower --learning-rate",
            frame.source,
            i + 1
        )));
    }
    let result = TransformResult {
        columns,
        reference_source: model.source.clone(),
        reference_points: model.space.n,
        space: if model.pca.is_some() {
            "principal components"
        } else {
            "features"
        },
        space_dims: model.space.d,
        affinity: model.affinity,
        alpha: model.alpha,
        placement,
        exact_matches: placed.nearest_dist2.iter().filter(|&&d| d == 0.0).count(),
        placed,
        timings,
    };
    let mut out = Outcome::new(result);
    fill(&mut out, frame, model, options, &cols.extras, cols.colour.as_ref())?;
    Ok(out)
}

/// The report, tables, files and warnings.
fn fill(
    out: &mut Outcome<TransformResult>,
    frame: &Frame,
    model: &Model,
    o: &TransformOptions,
    extras: &[Extra],
    colour: Option<&Extra>,
) -> Result<()> {
    let r = &out.result;
    let headline = format!(
        "{} new points of {} placed into the embedding of {} ({} points): {} nearest reference points each in \
         {} {}, {}; α = {}; {} iterations at learning rate {}, exaggeration {} (openTSNE's transform).",
        r.placed.y.len(),
        frame.source,
        model.source,
        r.reference_points,
        r.placed.k,
        r.space_dims,
        r.space,
        r.affinity,
        num(r.alpha),
        r.placement.n_iter,
        num(r.placement.learning_rate),
        num(r.placement.exaggeration)
    );
    out.summary = vec![headline.clone()];
    let mut s = Section::new(format!(
        "New points of {} placed into a t-SNE of {}",
        frame.source, model.source
    ));
    s.text(headline);
    let times: Vec<String> = r
        .timings
        .iter()
        .map(|(p, t)| format!("{p} {} s", fixed(*t, 2)))
        .collect();
    s.text(format!("Time: {}.", times.join(", ")));
    out.sections.push(s);
    out.tables.push(embedding_table(&r.placed.y, extras));
    let labels: Vec<String>;
    let colour = match (&o.color, colour) {
        (Some(name), Some(Extra::Num(_, v))) => Colour::Diverging { name, values: v },
        (Some(name), Some(Extra::Text(_, v))) => {
            labels = v.iter().map(|s| s.clone().unwrap_or_default()).collect();
            Colour::Categorical { name, labels: &labels }
        }
        _ => Colour::None,
    };
    let title = format!(
        "{} placed into the t-SNE of {} (α = {})",
        frame.source,
        model.source,
        num(model.alpha)
    );
    let svg = overlay(&title, &model.coords, &r.placed.y, &colour, o.max_plot_points, o.seed);
    out.files.push(OutputFile::text("embedding.svg", svg));
    if o.parquet {
        let bytes = parquet_bytes(&r.placed.y, extras).map_err(EmbedError::Output)?;
        out.files.push(OutputFile::new("embedding.parquet", bytes));
    }
    if r.exact_matches > 0 {
        out.warnings.push(format!(
            "{} of {} new points coincide with a reference point (distance 0 in the search space)",
            r.exact_matches,
            r.placed.y.len()
        ));
    }
    out.warnings
        .extend(extras.iter().filter_map(|x| copied_warning_of(&o.color, &o.class, x)));
    Ok(())
}
