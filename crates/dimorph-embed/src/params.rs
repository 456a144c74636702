//! The settings of one embedding run ([`Params`]) and its method choices. These are the
//! pipeline's own settings, resolved from the user-facing `EmbedOptions`
//! (or set directly by library callers).

use serde::Serialize;
use std::fmt;

/// High-dimensional affinities (§3.4: "uniform affinity kernel ... across 15 nearest neighbours").
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum AffinityKind {
    /// p_{j|i} = 1/k for the k nearest neighbours of i.
    Uniform { k: usize },
    /// Gaussian with bandwidth calibrated to the perplexity, over the 3·perplexity nearest neighbours.
    Gaussian { perplexity: f64 },
}

impl AffinityKind {
    /// Neighbours searched for each point (3·perplexity for Gaussian affinities, at most n − 1).
    pub fn neighbours(&self, n: usize) -> usize {
        match *self {
            AffinityKind::Uniform { k } => k,
            AffinityKind::Gaussian { perplexity } => ((3.0 * perplexity).floor() as usize).min(n.saturating_sub(1)),
        }
    }
}

impl fmt::Display for AffinityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AffinityKind::Uniform { k } => write!(f, "uniform affinities over {k} nearest neighbours"),
            AffinityKind::Gaussian { perplexity } => write!(
                f,
                "Gaussian affinities of perplexity {}",
                dimorph_core::text::num(*perplexity)
            ),
        }
    }
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

impl fmt::Display for Init {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Init::Pca => "PCA initialisation",
            Init::Random => "random initialisation",
        })
    }
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

impl fmt::Display for KnnMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KnnMethod::Auto => "auto",
            KnnMethod::Exact => "exact",
            KnnMethod::Approx => "approximate",
        })
    }
}

/// Gradient method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GradientMethod {
    /// Per iteration, whichever is cheaper at the current layout: exact (small n) or FFT
    /// interpolation (`fft::exact_is_cheaper`).
    Auto,
    Exact,
    Fft,
}

impl fmt::Display for GradientMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GradientMethod::Auto => "auto",
            GradientMethod::Exact => "exact",
            GradientMethod::Fft => "FFT interpolation",
        })
    }
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
    /// Target recall of the approximate search (`--knn-recall`): trees doubled and rounds added
    /// until the sampled recall reaches it (at most [`crate::pipeline::MAX_KNN_TRIES`] searches).
    pub knn_recall: Option<f64>,
    pub gradient: GradientMethod,
    pub early_exaggeration: f64,
    pub early_iter: usize,
    /// Iterations of the normal phase (after early exaggeration).
    pub n_iter: usize,
    /// Exaggeration of the normal phase (1 = none; FIt-SNE's late exaggeration above 1).
    pub late_exaggeration: f64,
    /// `None`: n / exaggeration of the phase (n / late exaggeration in the normal phase) — n/12 during early exaggeration (Belkina et al.
    /// 2019), n afterwards (openTSNE 1.0's `learning_rate="auto"`).
    pub learning_rate: Option<f64>,
    pub momentum: f64,
    pub seed: u64,
    /// Threads (the kernel's [`dimorph_core::threads::resolve`]: every available core by default,
    /// at most [`crate::limits::MAX_THREADS`]).
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
            knn_recall: None,
            gradient: GradientMethod::Auto,
            early_exaggeration: 12.0,
            early_iter: 250,
            n_iter: 500,
            late_exaggeration: 1.0,
            learning_rate: None,
            momentum: 0.8,
            seed: 42,
            threads: dimorph_core::threads::resolve(None).min(crate::limits::MAX_THREADS),
        }
    }
}
