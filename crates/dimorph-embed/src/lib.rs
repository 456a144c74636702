//! t-SNE for large sets of feature vectors (image-patch features of a BagNet, §3.4 and Figure 3 of
//! Ilanchezian et al. 2021, `shared/papers/000_399955f92e99d586.txt`), with the heavy-tailed
//! kernel of Kobak et al. (2019), k(d) = 1/(1 + d²/α)^α, for any α > 0 (α = 1 is standard
//! t-SNE, α = 0.5 the paper's choice).
//!
//! The pipeline ([`embed`]): [`pca`] (initialisation, and reduction before approximate
//! neighbours) → [`knn`] (exact, or random-projection forest + neighbour-of-neighbour refinement
//! with a measured recall) → [`affinity`] (uniform over k neighbours, or perplexity-calibrated
//! Gaussian; symmetrised) → [`optimize`] (early exaggeration, momentum, gains; gradients exact
//! ([`gradient`]) or by FFT-accelerated interpolation ([`fft`], FIt-SNE)). [`metrics`] measures
//! neighbourhood preservation and cluster separation, [`plot`] draws the scatter, [`clusters`]
//! summarises chosen regions, [`input`] turns a table into features, [`demo`] is the report section.

pub mod affinity;
pub mod clusters;
pub mod demo;
pub mod fft;
pub mod gradient;
pub mod input;
pub mod knn;
pub mod metrics;
pub mod optimize;
pub mod output;
pub mod pca;
pub mod plot;
pub mod rng;

use serde::Serialize;

/// Errors of the embed engine; every message names the argument, file, row or column at fault.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("{0}")]
    Input(String),
    #[error(transparent)]
    Data(#[from] dimorph_data::DataError),
}

pub type Result<T> = std::result::Result<T, EmbedError>;

/// Feature vectors, row-major `n × d`, stored as `f32` (the precision FIt-SNE and openTSNE's
/// neighbour search use; PCA accumulates in `f64`).
#[derive(Clone, Debug)]
pub struct Features {
    pub n: usize,
    pub d: usize,
    pub x: Vec<f32>,
}

impl Features {
    /// Checks the shape and that every value is finite (naming the first row/column that is not).
    pub fn new(n: usize, d: usize, x: Vec<f32>) -> Result<Self> {
        if x.len() != n * d {
            return Err(EmbedError::Input(format!(
                "features: {} values for {n} rows × {d} columns",
                x.len()
            )));
        }
        if let Some(p) = x.iter().position(|v| !v.is_finite()) {
            return Err(EmbedError::Input(format!(
                "features: row {} column {} is {} (every feature must be a finite number)",
                p / d.max(1) + 1,
                p % d.max(1) + 1,
                x[p]
            )));
        }
        Ok(Features { n, d, x })
    }

    /// From `f64` rows (tests, generated data).
    pub fn from_rows(rows: &[Vec<f64>]) -> Result<Self> {
        let d = rows.first().map_or(0, Vec::len);
        if let Some(i) = rows.iter().position(|r| r.len() != d) {
            return Err(EmbedError::Input(format!(
                "features: row {} has {} values, expected {d}",
                i + 1,
                rows[i].len()
            )));
        }
        Features::new(rows.len(), d, rows.iter().flatten().map(|&v| v as f32).collect())
    }

    #[inline]
    pub fn row(&self, i: usize) -> &[f32] {
        &self.x[i * self.d..(i + 1) * self.d]
    }
}

/// High-dimensional affinities (§3.4: "uniform affinity kernel ... across 15 nearest neighbours").
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum AffinityKind {
    /// p_{j|i} = 1/k for the k nearest neighbours of i.
    Uniform { k: usize },
    /// Gaussian with bandwidth calibrated to the perplexity, over the 3·perplexity nearest neighbours.
    Gaussian { perplexity: f64 },
}

/// How the embedding starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Init {
    /// First two principal components, scaled so that the first has standard deviation 1e-4.
    Pca,
    /// Independent normal coordinates with standard deviation 1e-4.
    Random,
}

/// Neighbour search method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KnnMethod {
    /// Exact up to [`Params::exact_knn_max_n`] points, approximate above.
    Auto,
    Exact,
    Approx,
}

/// Gradient method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GradientMethod {
    /// Per iteration, whichever is cheaper at the current layout: exact (small n) or FFT
    /// interpolation ([`fft::exact_is_cheaper`]).
    Auto,
    Exact,
    Fft,
}

/// Every setting of one embedding. [`Params::default`] follows the paper and openTSNE 1.0's defaults.
#[derive(Clone, Debug, Serialize)]
pub struct Params {
    pub affinity: AffinityKind,
    /// Tail parameter α of k(d) = 1/(1 + d²/α)^α.
    pub alpha: f64,
    pub init: Init,
    pub knn: KnnMethod,
    /// Largest n searched exactly under [`KnnMethod::Auto`].
    pub exact_knn_max_n: usize,
    /// Approximate search runs on the first `pca_dims` principal components when the data have more.
    pub pca_dims: usize,
    /// Number of points whose approximate neighbours are checked against exact ones (recall).
    pub recall_sample: usize,
    pub gradient: GradientMethod,
    pub early_exaggeration: f64,
    pub early_iter: usize,
    /// Iterations of the normal phase (after early exaggeration).
    pub n_iter: usize,
    /// `None`: n / exaggeration of the phase — n/12 during early exaggeration (Belkina et al.
    /// 2019), n afterwards (openTSNE 1.0's `learning_rate="auto"`).
    pub learning_rate: Option<f64>,
    pub momentum: f64,
    pub seed: u64,
    pub threads: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            affinity: AffinityKind::Uniform { k: 15 },
            alpha: 1.0,
            init: Init::Pca,
            knn: KnnMethod::Auto,
            exact_knn_max_n: 5000,
            pca_dims: 50,
            recall_sample: 1000,
            gradient: GradientMethod::Auto,
            early_exaggeration: 12.0,
            early_iter: 250,
            n_iter: 500,
            learning_rate: None,
            momentum: 0.8,
            seed: 42,
            threads: default_threads(),
        }
    }
}

/// Threads to use: the machine's available parallelism.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// A progress observer: `(phase, done, total)`, called from the calling thread only.
pub type Progress<'a> = &'a mut dyn FnMut(&str, usize, usize);

/// The result of [`embed`].
#[derive(Clone, Debug, Serialize)]
pub struct Embedding {
    pub n: usize,
    /// Coordinates, one `[x, y]` per input row, in input order.
    pub y: Vec<[f64; 2]>,
    /// KL divergence of the final embedding (P against the heavy-tailed Q).
    pub kl_divergence: f64,
    pub knn_method: KnnMethod,
    /// Dimensions the neighbour search ran in (input d, or the PCA dimension).
    pub knn_dims: usize,
    /// Fraction of exact neighbours the approximate search found, on a sample (None when exact).
    pub knn_recall: Option<f64>,
    pub knn_recall_sample: usize,
    pub gradient_method: GradientMethod,
    /// Iterations whose repulsion was exact (the others used FFT interpolation).
    pub exact_iterations: usize,
    pub iterations: usize,
    /// Learning rate of the early phase (the normal phase uses n unless a rate was given).
    pub learning_rate: f64,
    pub params: Params,
    /// Seconds per phase.
    pub timings: Vec<(String, f64)>,
}

/// Runs the whole pipeline on `x`.
pub fn embed(x: &Features, p: &Params, progress: Progress) -> Result<Embedding> {
    validate(x, p)?;
    let mut timings = Vec::new();
    let threads = p.threads.max(1);
    let mut t = std::time::Instant::now();
    let mut lap = |name: &str, timings: &mut Vec<(String, f64)>| {
        timings.push((name.to_string(), t.elapsed().as_secs_f64()));
        t = std::time::Instant::now();
    };
    let k = match p.affinity {
        AffinityKind::Uniform { k } => k,
        AffinityKind::Gaussian { perplexity } => ((3.0 * perplexity).floor() as usize).min(x.n - 1),
    };
    let method = match p.knn {
        KnnMethod::Auto if x.n <= p.exact_knn_max_n => KnnMethod::Exact,
        KnnMethod::Auto => KnnMethod::Approx,
        m => m,
    };
    // PCA: the initialisation needs 2 components; approximate search wants `pca_dims`.
    progress("pca", 0, 1);
    let reduce = method == KnnMethod::Approx && x.d > p.pca_dims;
    let ncomp = if reduce { p.pca_dims } else { 2.min(x.d) };
    let need_pca = reduce || p.init == Init::Pca;
    let pca = if need_pca {
        Some(pca::Pca::fit(x, ncomp, p.seed, threads))
    } else {
        None
    };
    let reduced = match (&pca, reduce) {
        (Some(pc), true) => Some(pc.transform(x, p.pca_dims, threads)),
        _ => None,
    };
    progress("pca", 1, 1);
    lap("pca", &mut timings);

    let space = reduced.as_ref().unwrap_or(x);
    let rng = rng::Rng::new(p.seed);
    let graph = match method {
        KnnMethod::Exact => knn::exact(space, k, threads, progress),
        _ => knn::approximate(space, k, &mut rng.fork(1), threads, progress),
    };
    let (recall, recall_n) = if method == KnnMethod::Exact {
        (None, 0)
    } else {
        let (r, m) = knn::recall(space, &graph, p.recall_sample, &mut rng.fork(2), threads);
        (Some(r), m)
    };
    lap("knn", &mut timings);

    let pm = match p.affinity {
        AffinityKind::Uniform { .. } => affinity::uniform(&graph),
        AffinityKind::Gaussian { perplexity } => affinity::gaussian(&graph, perplexity, threads),
    };
    lap("affinities", &mut timings);

    let y0 = match (p.init, &pca) {
        (Init::Pca, Some(pc)) => {
            let scores = pc.transform(x, 2, threads);
            let mut y: Vec<f64> = if scores.d == 2 {
                scores.x.iter().map(|&v| v as f64).collect()
            } else {
                // one feature: its scores, and a seeded normal second coordinate of the same scale
                let mut r = rng.fork(4);
                let sd = pc.variances[0].sqrt().max(1e-12);
                scores.x.iter().flat_map(|&v| [v as f64, r.normal() * sd]).collect()
            };
            optimize::rescale(&mut y, 1e-4);
            y
        }
        _ => optimize::random_init(x.n, 1e-4, &mut rng.fork(3)),
    };
    let gmethod = p.gradient;
    let opt = optimize::Schedule {
        early_exaggeration: p.early_exaggeration,
        early_iter: p.early_iter,
        n_iter: p.n_iter,
        learning_rate: p.learning_rate,
        momentum: p.momentum,
        alpha: p.alpha,
        method: gmethod,
        threads,
    };
    let res = optimize::run(&pm, y0, &opt, progress);
    lap("optimize", &mut timings);
    Ok(Embedding {
        n: x.n,
        y: res.y.chunks_exact(2).map(|c| [c[0], c[1]]).collect(),
        kl_divergence: res.kl,
        knn_method: method,
        knn_dims: space.d,
        knn_recall: recall,
        knn_recall_sample: recall_n,
        gradient_method: gmethod,
        exact_iterations: res.exact_iterations,
        iterations: p.early_iter + p.n_iter,
        learning_rate: p.learning_rate.unwrap_or(x.n as f64 / p.early_exaggeration),
        params: p.clone(),
        timings,
    })
}

/// Refuses settings and data the method cannot use, with the argument named.
pub fn validate(x: &Features, p: &Params) -> Result<()> {
    let bad = |s: String| Err(EmbedError::Input(s));
    if !(p.alpha > 0.0 && p.alpha.is_finite()) {
        return bad(format!("--alpha must be a positive number (got {})", p.alpha));
    }
    let k = match p.affinity {
        AffinityKind::Uniform { k } => {
            if k == 0 {
                return bad("--knn must be at least 1".into());
            }
            k
        }
        AffinityKind::Gaussian { perplexity } => {
            if !(perplexity > 0.0 && perplexity.is_finite()) {
                return bad(format!("--perplexity must be a positive number (got {perplexity})"));
            }
            ((3.0 * perplexity).floor() as usize).max(1)
        }
    };
    if x.d == 0 {
        return bad("no feature columns".into());
    }
    if x.n <= k {
        return bad(match p.affinity {
            AffinityKind::Uniform { .. } => format!(
                "{} points are too few for {k} nearest neighbours (--knn): need at least {}",
                x.n,
                k + 1
            ),
            AffinityKind::Gaussian { perplexity } => {
                if x.n < 3 {
                    format!("{} points are too few to embed (need at least 3)", x.n)
                } else if perplexity >= (x.n - 1) as f64 {
                    format!(
                        "--perplexity {perplexity} needs more than {} points ({} given)",
                        perplexity.ceil() + 1.0,
                        x.n
                    )
                } else {
                    return Ok(());
                }
            }
        });
    }
    if let AffinityKind::Gaussian { perplexity } = p.affinity {
        if perplexity >= (x.n - 1) as f64 {
            return bad(format!(
                "--perplexity {perplexity} needs more than {} points ({} given)",
                perplexity.ceil() + 1.0,
                x.n
            ));
        }
    }
    if p.early_exaggeration.is_nan() || p.early_exaggeration < 1.0 {
        return bad(format!(
            "--exaggeration must be at least 1 (got {})",
            p.early_exaggeration
        ));
    }
    if let Some(lr) = p.learning_rate {
        if !(lr > 0.0 && lr.is_finite()) {
            return bad(format!("--learning-rate must be positive (got {lr})"));
        }
    }
    if p.pca_dims == 0 {
        return bad("--pca-dims must be at least 1".into());
    }
    // all points identical: no structure to embed
    let first = x.row(0);
    if (1..x.n).all(|i| x.row(i) == first) {
        return bad(format!("all {} points are identical: there is nothing to embed", x.n));
    }
    Ok(())
}

/// Runs `f(chunk_index, range)` over `0..n` split into `threads` contiguous ranges, in parallel.
pub(crate) fn par_ranges<T: Send>(n: usize, threads: usize, f: impl Fn(std::ops::Range<usize>) -> T + Sync) -> Vec<T> {
    let t = threads.max(1).min(n.max(1));
    if t <= 1 {
        return vec![f(0..n)];
    }
    let chunk = n.div_ceil(t);
    std::thread::scope(|s| {
        let hs: Vec<_> = (0..t)
            .map(|i| {
                let f = &f;
                s.spawn(move || f((i * chunk).min(n)..((i + 1) * chunk).min(n)))
            })
            .collect();
        hs.into_iter()
            .map(|h| h.join().expect("worker thread panicked"))
            .collect()
    })
}

/// Splits `out` (rows of width `w`) into per-thread chunks and fills them in parallel:
/// `f(first_row, chunk)`.
pub(crate) fn par_rows_mut<T: Send>(out: &mut [T], w: usize, threads: usize, f: impl Fn(usize, &mut [T]) + Sync) {
    let n = out.len() / w.max(1);
    let t = threads.max(1).min(n.max(1));
    if t <= 1 {
        f(0, out);
        return;
    }
    let rows = n.div_ceil(t);
    std::thread::scope(|s| {
        for (i, c) in out.chunks_mut(rows * w).enumerate() {
            let f = &f;
            s.spawn(move || f(i * rows, c));
        }
    });
}
