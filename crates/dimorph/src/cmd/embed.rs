//! `dimorph embed`: t-SNE of feature vectors (e.g. the BagNet patch-feature export) with the
//! heavy-tailed kernel k(d) = 1/(1 + d²/α)^α; coordinates to CSV/Parquet, an SVG scatter coloured
//! by a column, and summaries of chosen clusters (Figure 3 of Ilanchezian et al. 2021).

use super::{write_file, CliError, CliResult, Format};
use dimorph_data::{ColumnData, Frame};
use dimorph_embed::clusters::{summarise, ClusterSummary, Region};
use dimorph_embed::input::{features_from_frame, Selection};
use dimorph_embed::output::{write_csv, write_parquet, Extra};
use dimorph_embed::plot::{scatter, Colour};
use dimorph_embed::{embed, AffinityKind, Embedding, GradientMethod, Init, KnnMethod, Params};
use dimorph_report::fmt::fixed;
use dimorph_report::{Section, Table};
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
    Pca,
    Random,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KnnArg {
    Auto,
    Exact,
    Approx,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GradArg {
    Auto,
    Exact,
    Fft,
}

#[derive(clap::Args)]
pub struct Args {
    /// Table of features (CSV or Parquet), one row per point.
    #[arg(long)]
    pub data: PathBuf,
    /// Feature columns: names or patterns with * and ? (comma-separated or repeated), e.g. 'f*'.
    #[arg(long, required = true)]
    pub features: Vec<String>,
    /// Neighbours k of the uniform affinities.
    #[arg(long, default_value_t = 15)]
    pub knn: usize,
    #[arg(long, value_enum, default_value_t = AffinityArg::Uniform)]
    pub affinity: AffinityArg,
    /// Perplexity of the Gaussian affinities.
    #[arg(long, default_value_t = 30.0)]
    pub perplexity: f64,
    /// Tail of the kernel 1/(1 + d²/α)^α: 1 = standard t-SNE, 0.5 = the paper's heavier tail.
    #[arg(long, default_value_t = 1.0)]
    pub alpha: f64,
    #[arg(long, value_enum, default_value_t = InitArg::Pca)]
    pub init: InitArg,
    /// Neighbour search: exact up to 5,000 points under auto, approximate above.
    #[arg(long, value_enum, default_value_t = KnnArg::Auto)]
    pub knn_method: KnnArg,
    /// Principal components the approximate search runs on (when the data have more columns).
    #[arg(long, default_value_t = 50)]
    pub pca_dims: usize,
    /// Gradient: under auto, exact while cheaper than FFT interpolation (small n), else FFT.
    #[arg(long, value_enum, default_value_t = GradArg::Auto)]
    pub gradient: GradArg,
    /// Iterations after early exaggeration.
    #[arg(long, default_value_t = 500)]
    pub iter: usize,
    #[arg(long, default_value_t = 250)]
    pub early_iter: usize,
    #[arg(long, default_value_t = 12.0)]
    pub exaggeration: f64,
    /// Learning rate (default n / exaggeration of the phase: n/12 early, n after, as openTSNE).
    #[arg(long)]
    pub learning_rate: Option<f64>,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Coordinates: .csv or .parquet (by extension).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// SVG scatter plot.
    #[arg(long)]
    pub plot: Option<PathBuf>,
    /// Column colouring the plot: numeric → diverging scale about 0 (logits), text → categories.
    #[arg(long)]
    pub color: Option<String>,
    /// Class column for cluster fractions (e.g. the image's sex).
    #[arg(long)]
    pub class: Option<String>,
    /// Id columns copied to the output and listed for exemplars (repeatable).
    #[arg(long)]
    pub id: Vec<String>,
    /// A chosen cluster: NAME=X,Y,RADIUS in embedding coordinates (repeatable).
    #[arg(long)]
    pub cluster: Vec<String>,
    /// Exemplars per class and cluster.
    #[arg(long, default_value_t = 2)]
    pub exemplars: usize,
    /// Most points drawn in the SVG (a seeded random sample above).
    #[arg(long, default_value_t = 20_000)]
    pub max_plot_points: usize,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

#[derive(serde::Serialize)]
struct Output<'a> {
    data: String,
    features: &'a Selection,
    embedding: &'a Embedding,
    clusters: &'a [ClusterSummary],
}

/// A column as text (numbers printed shortest; missing = None).
fn text_column(f: &Frame, name: &str) -> Result<Vec<Option<String>>, CliError> {
    let c = f.column(name).map_err(CliError::input)?;
    Ok(match &c.data {
        ColumnData::Num(v) => v.iter().map(|x| (!x.is_nan()).then(|| format!("{x}"))).collect(),
        ColumnData::Text { values, .. } => values.clone(),
    })
}

fn extra(f: &Frame, name: &str) -> Result<Extra, CliError> {
    let c = f.column(name).map_err(CliError::input)?;
    Ok(match &c.data {
        ColumnData::Num(v) => Extra::Num(name.into(), v.clone()),
        ColumnData::Text { values, .. } => Extra::Text(name.into(), values.clone()),
    })
}

/// Progress on stderr: a redrawn bar on a terminal, one line per phase otherwise.
fn progress_printer(quiet: bool) -> impl FnMut(&str, usize, usize) {
    let tty = std::io::stderr().is_terminal();
    let mut last = String::new();
    let start = std::time::Instant::now();
    move |phase: &str, done: usize, total: usize| {
        if quiet {
            return;
        }
        let mut e = std::io::stderr();
        if tty {
            let w = 30;
            let filled = (done * w).checked_div(total).unwrap_or(w).min(w);
            let _ = write!(
                e,
                "\r{:<32} [{}{}] {:>3}%  {:>6.1}s",
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
        }
        if phase != last {
            last = phase.to_string();
        }
    }
}

pub fn run(a: Args) -> CliResult {
    let regions: Vec<Region> = a
        .cluster
        .iter()
        .map(|s| s.parse())
        .collect::<Result<_, _>>()
        .map_err(CliError::input)?;
    if a.exemplars > 1000 {
        return Err(CliError::input("--exemplars: at most 1000 per class"));
    }
    if a.threads == Some(0) {
        return Err(CliError::input("--threads must be at least 1"));
    }
    if let Some(o) = &a.out {
        let ext = o
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        if ext != "csv" && ext != "parquet" {
            return Err(CliError::input(format!(
                "--out {}: the file must end in .csv or .parquet",
                o.display()
            )));
        }
    }
    let frame = dimorph_data::read_table(&a.data).map_err(CliError::input)?;
    // check every named column before the (long) embedding
    let colour_vals = match &a.color {
        Some(c) => Some(extra(&frame, c)?),
        None => None,
    };
    let class = match &a.class {
        Some(c) => Some(
            text_column(&frame, c)?
                .into_iter()
                .map(Option::unwrap_or_default)
                .collect::<Vec<String>>(),
        ),
        None => None,
    };
    let ids: Vec<(String, Vec<String>)> =
        a.id.iter()
            .map(|c| {
                Ok((
                    c.clone(),
                    text_column(&frame, c)?
                        .into_iter()
                        .map(Option::unwrap_or_default)
                        .collect(),
                ))
            })
            .collect::<Result<_, CliError>>()?;
    let (x, sel) = features_from_frame(&frame, &a.features).map_err(CliError::input)?;
    if !sel.constant.is_empty() && !a.quiet {
        eprintln!(
            "note: {} constant feature column(s) left out: {}",
            sel.constant.len(),
            sel.constant.join(", ")
        );
    }
    let params = Params {
        affinity: match a.affinity {
            AffinityArg::Uniform => AffinityKind::Uniform { k: a.knn },
            AffinityArg::Gaussian => AffinityKind::Gaussian {
                perplexity: a.perplexity,
            },
        },
        alpha: a.alpha,
        init: match a.init {
            InitArg::Pca => Init::Pca,
            InitArg::Random => Init::Random,
        },
        knn: match a.knn_method {
            KnnArg::Auto => KnnMethod::Auto,
            KnnArg::Exact => KnnMethod::Exact,
            KnnArg::Approx => KnnMethod::Approx,
        },
        pca_dims: a.pca_dims,
        gradient: match a.gradient {
            GradArg::Auto => GradientMethod::Auto,
            GradArg::Exact => GradientMethod::Exact,
            GradArg::Fft => GradientMethod::Fft,
        },
        early_exaggeration: a.exaggeration,
        early_iter: a.early_iter,
        n_iter: a.iter,
        learning_rate: a.learning_rate,
        seed: a.seed,
        threads: a.threads.unwrap_or_else(dimorph_embed::default_threads),
        ..Params::default()
    };
    let mut prog = progress_printer(a.quiet);
    let e = embed(&x, &params, &mut prog).map_err(CliError::input)?;
    let value = match &colour_vals {
        Some(Extra::Num(_, v)) => Some(v.as_slice()),
        _ => None,
    };
    let clusters = summarise(&e.y, &regions, class.as_deref(), value, &ids, a.exemplars);

    if let Some(o) = &a.out {
        let mut extras: Vec<Extra> = Vec::new();
        for c in a.id.iter().chain(a.color.iter()).chain(a.class.iter()) {
            if !extras.iter().any(|x| x.name() == c) {
                extras.push(extra(&frame, c)?);
            }
        }
        if let Some(dir) = o.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|err| CliError::other(format!("{}: {err}", dir.display())))?;
        }
        if o.extension()
            .and_then(|s| s.to_str())
            .is_some_and(|s| s.eq_ignore_ascii_case("parquet"))
        {
            write_parquet(o, &e.y, &extras).map_err(CliError::other)?;
        } else {
            write_csv(o, &e.y, &extras).map_err(|err| CliError::other(format!("{}: {err}", o.display())))?;
        }
    }
    if let Some(pl) = &a.plot {
        let labels: Vec<String>;
        let colour = match (&a.color, &colour_vals) {
            (Some(name), Some(Extra::Num(_, v))) => Colour::Diverging { name, values: v },
            (Some(name), Some(Extra::Text(_, v))) => {
                labels = v.iter().map(|s| s.clone().unwrap_or_default()).collect();
                Colour::Categorical { name, labels: &labels }
            }
            _ => Colour::None,
        };
        let title = format!("t-SNE of {} (α = {})", a.data.display(), a.alpha);
        write_file(pl, &scatter(&title, &e.y, &colour, &regions, a.max_plot_points, a.seed))?;
    }
    match a.format {
        Format::Json => {
            let out = Output {
                data: a.data.display().to_string(),
                features: &sel,
                embedding: &e,
                clusters: &clusters,
            };
            println!("{}", serde_json::to_string_pretty(&out).map_err(CliError::other)?);
        }
        Format::Text | Format::Csv => print!("{}", text_report(&a, &sel, &e, &clusters).to_text()),
    }
    Ok(())
}

fn text_report(a: &Args, sel: &Selection, e: &Embedding, clusters: &[ClusterSummary]) -> Section {
    let mut s = Section::new(format!("t-SNE of {}", a.data.display()));
    let constant = if sel.constant.is_empty() {
        String::new()
    } else {
        format!(" ({} constant columns left out)", sel.constant.len())
    };
    let neighbours = match e.knn_method {
        KnnMethod::Exact => "exact".to_string(),
        _ => format!("approximate (in {} dimensions)", e.knn_dims),
    };
    let recall = e
        .knn_recall
        .map(|r| format!(", recall {} on {} sampled points", fixed(r, 4), e.knn_recall_sample))
        .unwrap_or_default();
    let lr = match e.params.learning_rate {
        Some(lr) => fixed(lr, 1),
        None => format!("{} (early exaggeration), then {}", fixed(e.learning_rate, 1), e.n),
    };
    s.text(format!(
        "{} points × {} features{constant}; {:?} affinities; α = {}; {neighbours} neighbours{recall}; gradient {} of {} iterations exact, the rest FFT interpolation; learning rate {lr}; KL divergence {}.",
        e.n,
        sel.columns.len(),
        e.params.affinity,
        e.params.alpha,
        e.exact_iterations,
        e.iterations,
        fixed(e.kl_divergence, 4)
    ));
    s.text(format!(
        "time: {}",
        e.timings
            .iter()
            .map(|(n, t)| format!("{n} {t:.2}s"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    for c in clusters {
        let mut t = Table::new(
            format!(
                "cluster {} (centre {}, {}, radius {}): {} points",
                c.region.name, c.region.cx, c.region.cy, c.region.r, c.n_points
            ),
            &["exemplar row", "class", "value", "ids"],
        );
        for x in &c.exemplars {
            t.row([
                x.row.to_string(),
                x.class.clone().unwrap_or_default(),
                x.value.map(|v| fixed(v, 3)).unwrap_or_default(),
                x.ids
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(" "),
            ]);
        }
        for (l, n, f) in &c.class_fractions {
            t.note(format!("class {l}: {n} points ({} %)", fixed(100.0 * f, 1)));
        }
        if let Some(m) = c.mean_value {
            t.note(format!(
                "mean {}: {}",
                a.color.as_deref().unwrap_or("value"),
                fixed(m, 3)
            ));
        }
        s.table(t);
    }
    s
}
