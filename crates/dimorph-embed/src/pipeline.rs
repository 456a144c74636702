//! The t-SNE pipeline in its phases (openTSNE's `affinity` → `TSNEEmbedding.optimize`):
//! [`crate::pca`] (initialisation, and reduction before approximate neighbours) →
//! [`crate::knn`] (exact, or a random-projection forest refined by neighbour-of-neighbour rounds,
//! with a measured recall) → [`crate::affinity`] (uniform over k neighbours, or perplexity-
//! calibrated Gaussian; symmetrised, van der Maaten & Hinton 2008 eq. 1) → initial layout →
//! [`crate::optimize`] (early exaggeration, momentum, gains; exact or FFT-interpolated gradients
//! of KL(P ‖ Q) with the heavy-tailed kernel of Kobak et al. 2019).

use crate::affinity::{self, Csr};
use crate::error::{EmbedError, Result};
use crate::features::Features;
use crate::knn::{self, KnnGraph};
use crate::knn_recall;
use crate::limits;
use crate::optimize;
use crate::params::{AffinityKind, GradientMethod, Init, KnnMethod, Params};
use crate::pca::Pca;
use crate::progress::Progress;
use crate::rng::Rng;
use serde::Serialize;

/// Whether the result depends on the threads (said in the report and the README): it does not.
pub const REPRODUCIBILITY: &str = "the same --seed gives the same embedding, digit for digit, \
whatever --threads (every sum over the points is taken over fixed blocks, added in order)";

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
    /// When the search ran on principal components: the fraction of the exact neighbours in the
    /// original features that the graph holds, on a sample (what PCA itself loses is in it).
    pub knn_recall_features: Option<f64>,
    pub knn_recall_features_sample: usize,
    /// Searches run to reach `--knn-recall` (1 without a target): each doubles the trees and adds
    /// 5 neighbour-of-neighbour rounds.
    pub knn_tries: usize,
    /// Trees and most refinement rounds of the last search (0 when exact).
    pub knn_trees: usize,
    pub knn_rounds: usize,
    /// Points whose nearest neighbour lies at distance 0 in the search space (exact duplicates,
    /// e.g. flat-background patches): the PCA start is jittered so that they can separate.
    pub duplicate_points: usize,
    pub gradient_method: GradientMethod,
    /// Iterations whose repulsion was exact (the others used FFT interpolation).
    pub exact_iterations: usize,
    /// FFT iterations on a grid capped at [`crate::fft::MAX_BOXES`] boxes per side because the
    /// layout spread wider (boxes wider than one unit: a coarser approximation; 0 normally).
    pub coarse_fft_iterations: usize,
    pub iterations: usize,
    /// Learning rate of the early phase (the normal phase uses n unless a rate was given).
    pub learning_rate: f64,
    pub params: Params,
    /// Seconds per phase.
    pub timings: Vec<(String, f64)>,
}

/// Seconds per phase, taken lap by lap.
struct Laps {
    start: std::time::Instant,
    laps: Vec<(String, f64)>,
}

impl Laps {
    fn new() -> Self {
        Laps {
            start: std::time::Instant::now(),
            laps: Vec::new(),
        }
    }
    fn lap(&mut self, name: &str) {
        self.laps.push((name.to_string(), self.start.elapsed().as_secs_f64()));
        self.start = std::time::Instant::now();
    }
}

/// The neighbour graph and what the search measured.
struct Neighbours {
    graph: KnnGraph,
    tries: usize,
    trees: usize,
    rounds: usize,
    method: KnnMethod,
    dims: usize,
    recall: Option<f64>,
    recall_sample: usize,
    /// Seconds of the recall checks (part of the search's time).
    recall_seconds: f64,
}

/// What placing new points into the embedding needs besides the coordinates ([`crate::model`]):
/// the space the neighbours were searched in.
#[derive(Clone, Debug)]
pub struct Reference {
    /// The features were multiplied by 2^−e ([`Features::scaled_for_distances`]) when `Some(e)`.
    pub distance_exponent: Option<i32>,
    /// The principal components the search ran on (`None`: it ran on the features themselves).
    pub pca: Option<Pca>,
    /// The reference points in the search space (`n × knn_dims`).
    pub space: Features,
}

/// Runs the whole pipeline on `x`.
pub fn embed(x: &Features, p: &Params, progress: Progress) -> Result<Embedding> {
    embed_with_reference(x, p, progress, false).map(|(e, _)| e)
}

/// [`embed`], also returning (when `keep`) the [`Reference`] that new points are placed against.
pub fn embed_with_reference(
    x: &Features,
    p: &Params,
    progress: Progress,
    keep: bool,
) -> Result<(Embedding, Option<Reference>)> {
    validate(x, p)?;
    // values so large that squared distances would overflow f32: the same features scaled exactly
    let distance_exponent = x.distance_exponent();
    let scaled = distance_exponent.map(|e| x.scaled_by_pow2(e));
    let x = scaled.as_ref().unwrap_or(x);
    let mut laps = Laps::new();
    let threads = p.threads.max(1);
    let method = match p.knn {
        KnnMethod::Auto if x.n <= p.exact_knn_max_n => KnnMethod::Exact,
        KnnMethod::Auto => KnnMethod::Approx,
        m => m,
    };
    // PCA: the initialisation needs 2 components; approximate search wants `pca_dims`.
    progress("pca", 0, 1);
    let reduce = method == KnnMethod::Approx && x.d > p.pca_dims;
    let ncomp = if reduce { p.pca_dims } else { 2.min(x.d) };
    let pca = (reduce || p.init == Init::Pca).then(|| Pca::fit(x, ncomp, p.seed, threads));
    let reduced = match (&pca, reduce) {
        (Some(pc), true) => Some(pc.transform(x, p.pca_dims, threads)),
        _ => None,
    };
    progress("pca", 1, 1);
    laps.lap("pca");

    let rng = Rng::new(p.seed);
    let nb = neighbours(reduced.as_ref().unwrap_or(x), method, p, &rng, progress);
    laps.lap("knn");
    if nb.recall.is_some() {
        laps.laps
            .push(("knn recall (search space; part of knn)".to_string(), nb.recall_seconds));
    }
    let (recall_features, recall_features_sample) = match &reduced {
        Some(_) => {
            progress("recall in the original features", 0, 1);
            let (r, m) = knn_recall::recall_in(x, &nb.graph, p.recall_sample, &mut rng.fork(6), threads);
            laps.lap("knn recall (features)");
            (Some(r), m)
        }
        None => (None, 0),
    };
    let pm = affinities(&nb.graph, p);
    laps.lap("affinities");

    let y0 = initial_layout(x, p, pca.as_ref(), &rng);
    let schedule = optimize::Schedule {
        early_exaggeration: p.early_exaggeration,
        early_iter: p.early_iter,
        n_iter: p.n_iter,
        late_exaggeration: p.late_exaggeration,
        learning_rate: p.learning_rate,
        momentum: p.momentum,
        alpha: p.alpha,
        method: p.gradient,
        threads,
    };
    let res = optimize::run(&pm, y0, &schedule, progress).map_err(|d| EmbedError::Input(d.to_string()))?;
    laps.lap("optimize");
    // its parts (already counted in "optimize")
    laps.laps.extend(res.phases.iter().cloned());
    let reference = keep.then(|| Reference {
        distance_exponent,
        space: reduced.clone().unwrap_or_else(|| x.clone()),
        pca: if reduce { pca.clone() } else { None },
    });
    let e = Embedding {
        n: x.n,
        y: res.y.chunks_exact(2).map(|c| [c[0], c[1]]).collect(),
        kl_divergence: res.kl,
        knn_method: nb.method,
        knn_dims: nb.dims,
        knn_recall: nb.recall,
        knn_recall_sample: nb.recall_sample,
        knn_recall_features: recall_features,
        knn_recall_features_sample: recall_features_sample,
        knn_tries: nb.tries,
        knn_trees: nb.trees,
        knn_rounds: nb.rounds,
        duplicate_points: (0..nb.graph.n).filter(|&i| nb.graph.distances2(i)[0] == 0.0).count(),
        gradient_method: p.gradient,
        exact_iterations: res.exact_iterations,
        coarse_fft_iterations: res.coarse_iterations,
        iterations: p.early_iter + p.n_iter,
        learning_rate: p.learning_rate.unwrap_or(x.n as f64 / p.early_exaggeration),
        params: p.clone(),
        timings: laps.laps,
    };
    Ok((e, reference))
}

/// Step 2: the k nearest neighbours in `space` (the features or their principal components),
/// and the recall of an approximate search on a sample.
fn neighbours(space: &Features, method: KnnMethod, p: &Params, rng: &Rng, progress: Progress) -> Neighbours {
    let threads = p.threads.max(1);
    let k = p.affinity.neighbours(space.n);
    if method == KnnMethod::Exact {
        return Neighbours {
            graph: knn::exact(space, k, threads, progress),
            tries: 1,
            trees: 0,
            rounds: 0,
            method,
            dims: space.d,
            recall: None,
            recall_sample: 0,
            recall_seconds: 0.0,
        };
    }
    // approximate: more trees and rounds until the sampled recall reaches the target (if any)
    let mut s = knn::ApproxSettings::for_size(space.n, k);
    let mut tries = 0;
    let mut recall_seconds = 0.0;
    loop {
        tries += 1;
        let graph = knn::approximate_with(space, k, s, &mut rng.fork(1), threads, progress);
        let t = std::time::Instant::now();
        let (r, m) = knn_recall::recall(space, &graph, p.recall_sample, &mut rng.fork(2), threads);
        recall_seconds += t.elapsed().as_secs_f64();
        let enough = p.knn_recall.is_none_or(|t| r >= t);
        if enough || tries >= MAX_KNN_TRIES {
            return Neighbours {
                graph,
                tries,
                trees: s.trees,
                rounds: s.max_rounds,
                method,
                dims: space.d,
                recall: Some(r),
                recall_sample: m,
                recall_seconds,
            };
        }
        s.trees *= 2;
        s.max_rounds += 5;
    }
}

/// Most searches run to reach `--knn-recall` (trees 16 → 128).
pub const MAX_KNN_TRIES: usize = 4;

/// Step 3: the symmetric affinities P.
fn affinities(graph: &KnnGraph, p: &Params) -> Csr {
    match p.affinity {
        AffinityKind::Uniform { .. } => affinity::uniform(graph),
        AffinityKind::Gaussian { perplexity } => affinity::gaussian(graph, perplexity, p.threads.max(1)),
    }
}

/// Step 4: the initial layout (2n coordinates), first coordinate with standard deviation 1e-4
/// (PCA scores jittered, [`jitter`]).
fn initial_layout(x: &Features, p: &Params, pca: Option<&Pca>, rng: &Rng) -> Vec<f64> {
    match (p.init, pca) {
        (Init::Pca, Some(pc)) => {
            let scores = pc.transform(x, 2, p.threads.max(1));
            let mut y: Vec<f64> = if scores.d == 2 {
                scores.x.iter().map(|&v| v as f64).collect()
            } else {
                // one feature: its scores, and a seeded normal second coordinate of the same scale
                let mut r = rng.fork(4);
                let sd = pc.variances[0].sqrt().max(1e-12);
                scores.x.iter().flat_map(|&v| [v as f64, r.normal() * sd]).collect()
            };
            optimize::rescale(&mut y, 1e-4);
            jitter(&mut y, &mut rng.fork(5));
            y
        }
        _ => optimize::random_init(x.n, 1e-4, &mut rng.fork(3)),
    }
}

/// Adds normal noise of 1% of the first coordinate's standard deviation to every coordinate (as
/// openTSNE's PCA initialisation, `initialization.jitter(scale=0.01)`): points with the same
/// principal-component scores (exact duplicates, flat-background patches) start apart, so the
/// repulsion between them is defined and they can separate instead of moving as one.
fn jitter(y: &mut [f64], rng: &mut Rng) {
    let n = (y.len() / 2).max(1) as f64;
    let mean = y.iter().step_by(2).sum::<f64>() / n;
    let sd = (y.iter().step_by(2).map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
    let sd = if sd > 0.0 { 0.01 * sd } else { 1e-6 };
    y.iter_mut().for_each(|v| *v += rng.normal() * sd);
}

/// Refuses settings and data the method cannot use, with the argument named and the range
/// stated (the ranges of [`crate::limits`]).
pub fn validate(x: &Features, p: &Params) -> Result<()> {
    validate_params(p)?;
    let k = match p.affinity {
        AffinityKind::Uniform { k } => k,
        AffinityKind::Gaussian { perplexity } => ((3.0 * perplexity).floor() as usize).max(1),
    };
    if x.d == 0 {
        return Err(EmbedError::Input("no feature columns".into()));
    }
    validate_size(x.n, k, p.affinity)?;
    // all points identical: no structure to embed
    let first = x.row(0);
    if (1..x.n).all(|i| x.row(i) == first) {
        return Err(EmbedError::Input(format!(
            "all {} points are identical: there is nothing to embed",
            x.n
        )));
    }
    Ok(())
}

/// The settings alone, each in its range.
fn validate_params(p: &Params) -> Result<()> {
    limits::real("--alpha", "a positive number, ", p.alpha, limits::ALPHA)?;
    match p.affinity {
        AffinityKind::Uniform { k } => limits::count("--knn", k, 1, limits::MAX_KNN)?,
        AffinityKind::Gaussian { perplexity } => {
            limits::real("--perplexity", "a positive number, ", perplexity, limits::PERPLEXITY)?
        }
    }
    limits::real("--exaggeration", "", p.early_exaggeration, limits::EXAGGERATION)?;
    limits::real("--late-exaggeration", "", p.late_exaggeration, limits::EXAGGERATION)?;
    if let Some(lr) = p.learning_rate {
        limits::positive("--learning-rate", lr, limits::MAX_LEARNING_RATE)?;
    }
    limits::count("--early-iter", p.early_iter, 0, limits::MAX_ITER)?;
    limits::count("--iter", p.n_iter, 0, limits::MAX_ITER)?;
    limits::count("--pca-dims", p.pca_dims, 1, limits::MAX_PCA_DIMS)?;
    limits::threads(Some(p.threads))?;
    if !(0.0..1.0).contains(&p.momentum) {
        return Err(EmbedError::Input(format!(
            "momentum must be at least 0 and below 1 (got {})",
            p.momentum
        )));
    }
    Ok(())
}

/// Enough points for `k` neighbours (uniform) or for the perplexity (Gaussian).
fn validate_size(n: usize, k: usize, affinity: AffinityKind) -> Result<()> {
    let msg = match affinity {
        AffinityKind::Uniform { .. } if n <= k => format!(
            "{n} points are too few for {k} nearest neighbours (--knn): need at least {}",
            k + 1
        ),
        AffinityKind::Gaussian { .. } if n < 3 => format!("{n} points are too few to embed (need at least 3)"),
        AffinityKind::Gaussian { perplexity } if perplexity >= (n - 1) as f64 => format!(
            "--perplexity {perplexity} needs more than {} points ({n} given)",
            perplexity.ceil() + 1.0
        ),
        _ => return Ok(()),
    };
    Err(EmbedError::Input(msg))
}
