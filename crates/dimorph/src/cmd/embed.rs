//! `dimorph embed`: t-SNE of feature vectors (e.g. the BagNet patch-feature export) with the
//! heavy-tailed kernel k(d) = 1/(1 + d²/α)^α (Figure 3 of Ilanchezian et al. 2021). Flags and
//! glue only: the analysis, its report, tables and figures are `dimorph_embed::run`.

use super::{CliError, CliResult, Format, OutArgs};
use dimorph_embed::clusters::Region;
use dimorph_embed::limits::{MAX_EXEMPLARS, MAX_ITER, MAX_KNN, MAX_PCA_DIMS, MAX_PLOT_POINTS, MAX_THREADS};
use dimorph_embed::{Affinity, EmbedError, EmbedOptions, GradientMethod, Init, KnnMethod, Model, TransformOptions};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AffinityArg {
    /// p_{j|i} = 1/k over the k nearest neighbours (the paper's choice, k = 15).
    Uniform,
    /// Gaussian calibrated to --perplexity over 3·perplexity neighbours (standard t-SNE).
    Gaussian,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InitArg {
    /// The first two principal components, scaled to standard deviation 1e-4.
    Pca,
    /// Seeded normal coordinates with standard deviation 1e-4.
    Random,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KnnArg {
    /// Exact up to 5,000 points, approximate above.
    Auto,
    /// Brute force over every pair.
    Exact,
    /// Random-projection forest refined by neighbour-of-neighbour rounds (recall reported).
    Approx,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GradArg {
    /// Per iteration, exact while cheaper than FFT interpolation (small n), else FFT.
    Auto,
    /// Exact O(n²) repulsion.
    Exact,
    /// FFT-accelerated interpolation (FIt-SNE).
    Fft,
}

const EXAMPLES: &str = "\
Examples (from the repository root):
  dimorph embed --data data/embed/digits.csv --features 'p*' --color digit
  dimorph embed --data data/embed/digits.csv --features 'p*' --alpha 0.5 --class digit --cluster 'a=0,0,20' --out digits_tsne
  dimorph embed --data data/embed/digits.csv --features 'p*' --id digit --format csv > embedding.csv
  dimorph embed --transform data/embed/digits.csv --into digits_tsne --color digit --out digits_placed
    (places rows into the embedding saved by the second example's --out digits_tsne)";

#[derive(clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Table of features (CSV or Parquet), one row per point. With --out, the folder also gets the
    /// saved embedding (model.json, model_*.f32/f64) that --transform places new points into.
    #[arg(long, required_unless_present = "transform")]
    pub data: Option<PathBuf>,
    /// Feature columns: names or patterns with * and ? (comma-separated or repeated), e.g. 'f*'.
    /// With --transform: by default the saved embedding's columns by name; given, they must match
    /// as many columns, taken in the saved order.
    #[arg(long, required_unless_present = "transform")]
    pub features: Vec<String>,
    /// Parse a CSV --data's feature columns straight into single precision (f32) while streaming
    /// the file: neither the file's text nor double-precision columns are held (4 bytes a value
    /// instead of 8 + the text; the same features). A cell beyond ±3.4e38 is refused. (A Parquet
    /// file's float32 columns are always read so; not with a Parquet file or --transform.)
    #[arg(long, conflicts_with = "transform")]
    pub csv_f32: bool,
    /// Place the rows of this table (CSV or Parquet) into the saved embedding of --into instead
    /// of embedding --data (openTSNE's transform: affinities to the reference points, the new
    /// points optimised alone against the fixed map; the same outputs as an embedding).
    #[arg(long, requires = "into", conflicts_with = "data", value_name = "NEW")]
    pub transform: Option<PathBuf>,
    /// The --out folder of an earlier `dimorph embed` run (with --transform).
    #[arg(long, requires = "transform", value_name = "DIR")]
    pub into: Option<PathBuf>,
    /// High-dimensional affinities.
    #[arg(long, conflicts_with = "transform", value_enum, default_value_t = AffinityArg::Uniform)]
    pub affinity: AffinityArg,
    /// Neighbours k of the uniform affinities, 1 to 3000 and fewer than the points [default: 15]
    /// (only with --affinity uniform).
    #[arg(long, conflicts_with = "transform", allow_negative_numbers = true, value_parser = count(1, MAX_KNN))]
    pub knn: Option<usize>,
    /// Perplexity of the Gaussian affinities, 1 to 1000 and below the points − 1 [default: 30]
    /// (only with --affinity gaussian).
    #[arg(long, conflicts_with = "transform", allow_negative_numbers = true)]
    pub perplexity: Option<f64>,
    /// Tail of the kernel 1/(1 + d²/α)^α, 0.01 to 1000: 1 = standard t-SNE, 0.5 = the paper's
    /// heavier tail.
    #[arg(
        long,
        conflicts_with = "transform",
        default_value_t = 1.0,
        allow_negative_numbers = true
    )]
    pub alpha: f64,
    /// How the layout starts.
    #[arg(long, conflicts_with = "transform", value_enum, default_value_t = InitArg::Pca)]
    pub init: InitArg,
    /// Neighbour search.
    #[arg(long, conflicts_with = "transform", value_enum, default_value_t = KnnArg::Auto)]
    pub knn_method: KnnArg,
    /// Principal components the approximate search runs on when the data have more columns, 1 to
    /// 500 [default: 50] (not with --knn-method exact).
    #[arg(long, conflicts_with = "transform", allow_negative_numbers = true, value_parser = count(1, MAX_PCA_DIMS))]
    pub pca_dims: Option<usize>,
    /// Target recall of the approximate neighbour search, 0 to 1 (default none): trees doubled and
    /// rounds added until the sampled recall reaches it (at most 4 searches; the cost is reported).
    #[arg(long, conflicts_with = "transform", allow_negative_numbers = true)]
    pub knn_recall: Option<f64>,
    /// Gradient of the repulsive forces.
    #[arg(long, conflicts_with = "transform", value_enum, default_value_t = GradArg::Auto)]
    pub gradient: GradArg,
    /// Iterations after early exaggeration, 0 to 100000 [default: 500; with --transform 250, the
    /// placement's iterations].
    #[arg(long, allow_negative_numbers = true, value_parser = count(0, MAX_ITER))]
    pub iter: Option<usize>,
    /// Iterations of early exaggeration, 0 to 100000.
    #[arg(long, conflicts_with = "transform", default_value_t = 250, allow_negative_numbers = true, value_parser = count(0, MAX_ITER))]
    pub early_iter: usize,
    /// Early exaggeration factor, 1 to 1000.
    #[arg(
        long,
        conflicts_with = "transform",
        default_value_t = 12.0,
        allow_negative_numbers = true
    )]
    pub exaggeration: f64,
    /// Late exaggeration factor of the normal phase, 1 to 1000 (FIt-SNE's recommendation for
    /// millions of points; default none; not with --iter 0).
    #[arg(long, conflicts_with = "transform", allow_negative_numbers = true)]
    pub late_exaggeration: Option<f64>,
    /// Learning rate, positive and at most 1e9 (default n / exaggeration of the phase: n/12 early,
    /// n after, as openTSNE; with --transform 0.1, as openTSNE's transform).
    #[arg(long, allow_negative_numbers = true)]
    pub learning_rate: Option<f64>,
    /// Seed of every random choice (initialisation, trees, samples, plotted points), 0 to 2^64 − 1.
    #[arg(long, default_value_t = 42, allow_negative_numbers = true, value_parser = seed)]
    pub seed: u64,
    /// Threads, 1 to 256 (default: all cores, at most 256). The same --seed gives the same
    /// embedding whatever the number of threads.
    #[arg(long, allow_negative_numbers = true, value_parser = count(1, MAX_THREADS))]
    pub threads: Option<usize>,
    /// Column colouring the plot: numeric → diverging scale about 0 (logits), text → categories.
    #[arg(long)]
    pub color: Option<String>,
    /// Class column for cluster fractions (e.g. the image's sex).
    #[arg(long)]
    pub class: Option<String>,
    /// Id columns copied to the embedding table and listed for exemplars (repeatable).
    #[arg(long)]
    pub id: Vec<String>,
    /// A chosen cluster: NAME=X,Y,RADIUS in embedding coordinates, RADIUS positive (repeatable).
    #[arg(long, conflicts_with = "transform", allow_hyphen_values = true)]
    pub cluster: Vec<String>,
    /// Exemplars per class and cluster, 0 to 1000 [default: 2] (only with --cluster).
    #[arg(long, conflicts_with = "transform", allow_negative_numbers = true, value_parser = count(0, MAX_EXEMPLARS))]
    pub exemplars: Option<usize>,
    /// Most points drawn in the SVG (a seeded random sample above), 1 to 1000000.
    #[arg(long, default_value_t = 20_000, allow_negative_numbers = true,
          value_parser = count(1, MAX_PLOT_POINTS))]
    pub max_plot_points: usize,
    /// Also write the embedding as embedding.parquet into --out.
    #[arg(long)]
    pub parquet: bool,
    /// Output: the report, the JSON envelope, or the embedding table as CSV.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub out: OutArgs,
    /// No progress on standard error.
    #[arg(long)]
    pub quiet: bool,
}

/// Progress on stderr: a redrawn bar on a terminal, one line per phase otherwise.
fn progress_printer(quiet: bool) -> impl FnMut(&str, usize, usize) {
    let tty = std::io::stderr().is_terminal();
    let mut last = String::new();
    let start = std::time::Instant::now();
    // the phase's start (time, count) and the last time a line was printed off a terminal
    let (mut phase_start, mut phase_done0, mut printed) = (start, 0usize, start);
    move |phase: &str, done: usize, total: usize| {
        if quiet {
            return;
        }
        if phase != last {
            (phase_start, phase_done0) = (std::time::Instant::now(), done);
        }
        // remaining time of the phase at its rate so far
        let spent = phase_start.elapsed().as_secs_f64();
        let eta = match done.saturating_sub(phase_done0) {
            0 => String::new(),
            moved if done < total && spent > 1.0 => {
                format!("ETA {:.0}s", spent / moved as f64 * (total - done) as f64)
            }
            _ => String::new(),
        };
        let mut e = std::io::stderr();
        if tty {
            let w = 30;
            let filled = (done * w).checked_div(total).unwrap_or(w).min(w);
            let _ = write!(
                e,
                "\r{:<32} [{}{}] {:>3}%  {:>6.1}s  {eta:<12}",
                phase,
                "#".repeat(filled),
                " ".repeat(w - filled),
                (done * 100).checked_div(total).unwrap_or(100),
                start.elapsed().as_secs_f64()
            );
            if done >= total && phase != last {
                let _ = writeln!(e);
            }
        } else if phase != last {
            let _ = writeln!(e, "[{:>7.1}s] {phase}", start.elapsed().as_secs_f64());
            printed = std::time::Instant::now();
        } else if !eta.is_empty() && printed.elapsed().as_secs_f64() >= 10.0 {
            let _ = writeln!(
                e,
                "[{:>7.1}s] {phase}: {done} of {total}, {eta}",
                start.elapsed().as_secs_f64()
            );
            printed = std::time::Instant::now();
        }
        if phase != last {
            last = phase.to_string();
        }
    }
}

/// A whole-number option in `lo..=hi`, read so that a negative value is a value out of range, not
/// an unknown flag (the engine's validate() checks the same range for library callers).
fn count(lo: usize, hi: usize) -> impl Fn(&str) -> Result<usize, String> + Clone + Send + Sync + 'static {
    move |s: &str| match s.trim().parse::<i128>() {
        Ok(v) if (lo as i128..=hi as i128).contains(&v) => Ok(v as usize),
        _ => Err(format!("must be a whole number, at least {lo} and at most {hi}")),
    }
}

/// A seed: any whole number from 0 to 2^64 − 1.
fn seed(s: &str) -> Result<u64, String> {
    s.trim()
        .parse::<u64>()
        .map_err(|_| format!("must be a whole number, at least 0 and at most {}", u64::MAX))
}

fn cli_error(e: EmbedError) -> CliError {
    if e.is_input() {
        CliError::input(e)
    } else {
        CliError::other(e)
    }
}

/// The engine's options from the flags.
fn options(a: &Args) -> Result<EmbedOptions, CliError> {
    let clusters: Vec<Region> = a
        .cluster
        .iter()
        .map(|s| s.parse())
        .collect::<Result<_, _>>()
        .map_err(cli_error)?;
    Ok(EmbedOptions {
        features: a.features.clone(),
        affinity: match a.affinity {
            AffinityArg::Uniform => Affinity::Uniform,
            AffinityArg::Gaussian => Affinity::Gaussian,
        },
        knn: a.knn,
        perplexity: a.perplexity,
        alpha: a.alpha,
        init: match a.init {
            InitArg::Pca => Init::Pca,
            InitArg::Random => Init::Random,
        },
        knn_method: match a.knn_method {
            KnnArg::Auto => KnnMethod::Auto,
            KnnArg::Exact => KnnMethod::Exact,
            KnnArg::Approx => KnnMethod::Approx,
        },
        pca_dims: a.pca_dims,
        knn_recall: a.knn_recall,
        gradient: match a.gradient {
            GradArg::Auto => GradientMethod::Auto,
            GradArg::Exact => GradientMethod::Exact,
            GradArg::Fft => GradientMethod::Fft,
        },
        iter: a.iter.unwrap_or(500),
        early_iter: a.early_iter,
        exaggeration: a.exaggeration,
        late_exaggeration: a.late_exaggeration,
        learning_rate: a.learning_rate,
        seed: a.seed,
        threads: a.threads,
        color: a.color.clone(),
        class: a.class.clone(),
        ids: a.id.clone(),
        clusters,
        exemplars: a.exemplars,
        max_plot_points: a.max_plot_points,
        parquet: a.parquet,
        save_model: a.out.out.is_some(),
    })
}

pub fn run(a: Args) -> CliResult {
    if let (Some(new), Some(into)) = (&a.transform, &a.into) {
        return transform(&a, new, into);
    }
    let Some(data) = &a.data else {
        return Err(CliError::input(
            "--data: give the table to embed (or --transform NEW --into DIR)",
        ));
    };
    let opts = options(&a)?;
    // refuse bad options before reading a (possibly large) table
    opts.validate().map_err(cli_error)?;
    let mut progress = progress_printer(a.quiet);
    let outcome = match read_f32(data, &opts, a.csv_f32)? {
        Some((frame, x, sel)) => dimorph_embed::run_features(&frame, x, sel, &opts, &mut progress),
        None => {
            let frame = dimorph_data::read_table(data).map_err(data_error)?;
            dimorph_embed::run(&frame, &opts, &mut progress)
        }
    }
    .map_err(cli_error)?;
    let input = serde_json::json!({ "data": data.display().to_string() });
    super::emit("embed", input, &opts.resolved(), &outcome, a.format, &a.out)
}

fn data_error(e: dimorph_data::DataError) -> CliError {
    CliError::input(dimorph_embed::error::data_error(e))
}

/// A Parquet file whose selected feature columns are all `float32`, or with `csv_f32` a CSV file:
/// the features read straight into single precision (no `f64` copy), and a frame of only the
/// other columns the options name. `None` for other files and types (read as a whole table).
fn read_f32(
    data: &std::path::Path,
    o: &EmbedOptions,
    csv_f32: bool,
) -> Result<
    Option<(
        dimorph_data::Frame,
        dimorph_embed::Features,
        dimorph_embed::input::Selection,
    )>,
    CliError,
> {
    let mut others: Vec<String> = Vec::new();
    for c in o.ids.iter().chain(o.color.iter()).chain(o.class.iter()) {
        if !others.contains(c) {
            others.push(c.clone());
        }
    }
    let parquet = data
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet") || e.eq_ignore_ascii_case("pq"));
    if csv_f32 {
        if parquet {
            return Err(CliError::input(
                "--csv-f32 applies to CSV input; a Parquet file's float32 feature columns are read in \
                 single precision already (drop --csv-f32)",
            ));
        }
        let (frame, m) = dimorph_embed::input_csv::read_csv_f32(data, &o.features, &others).map_err(cli_error)?;
        let (x, sel) = dimorph_embed::input_f32::features_from_f32(m).map_err(cli_error)?;
        return Ok(Some((frame, x, sel)));
    }
    if !data.extension().is_some_and(|e| e.eq_ignore_ascii_case("parquet")) {
        return Ok(None);
    }
    let Ok(cols) = dimorph_data::parquet_float32_columns(data) else {
        return Ok(None); // the whole-table reader gives the error
    };
    let names: Vec<&str> = cols.iter().map(|c| c.0.as_str()).collect();
    let source = data.display().to_string();
    let chosen = dimorph_embed::input::select(&source, &names, &o.features).map_err(cli_error)?;
    if !chosen.iter().all(|&j| cols[j].1) {
        return Ok(None);
    }
    let features: Vec<String> = chosen.iter().map(|&j| names[j].to_string()).collect();
    let frame = dimorph_data::read_parquet_columns(data, &others).map_err(data_error)?;
    let m = dimorph_data::read_parquet_f32(data, &features).map_err(data_error)?;
    let (x, sel) = dimorph_embed::input_f32::features_from_f32(m).map_err(cli_error)?;
    Ok(Some((frame, x, sel)))
}

/// `--transform NEW --into DIR`: the rows of NEW placed into the saved embedding of DIR.
fn transform(a: &Args, new: &std::path::Path, into: &std::path::Path) -> CliResult {
    let defaults = TransformOptions::default();
    let opts = TransformOptions {
        features: a.features.clone(),
        iter: a.iter.unwrap_or(defaults.iter),
        learning_rate: a.learning_rate.unwrap_or(defaults.learning_rate),
        threads: a.threads,
        seed: a.seed,
        color: a.color.clone(),
        class: a.class.clone(),
        ids: a.id.clone(),
        max_plot_points: a.max_plot_points,
        parquet: a.parquet,
    };
    opts.validate().map_err(cli_error)?;
    let model = Model::load(into).map_err(cli_error)?;
    let frame = dimorph_data::read_table(new).map_err(|e| CliError::input(dimorph_embed::error::data_error(e)))?;
    let mut progress = progress_printer(a.quiet);
    let outcome = dimorph_embed::run_transform(&frame, &model, &opts, &mut progress).map_err(cli_error)?;
    let input = serde_json::json!({
        "transform": new.display().to_string(),
        "into": into.display().to_string(),
    });
    super::emit("embed", input, &opts.resolved(), &outcome, a.format, &a.out)
}
