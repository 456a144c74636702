//! The options of a t-SNE analysis (`dimorph_embed::run`) as a user gives them: plain data with the
//! CLI's defaults, checked by [`EmbedOptions::validate`] before any work (every message names the
//! option in its CLI spelling), and turned into the pipeline's [`Params`] by
//! [`EmbedOptions::params`]. Options that only apply to one method are `Option`s, so that giving
//! one where it does not apply is refused instead of silently ignored.

use crate::clusters::Region;
use crate::error::{EmbedError, Result};
use crate::limits;
use crate::params::{AffinityKind, GradientMethod, Init, KnnMethod, Params};
use serde::Serialize;

/// Default neighbours of the uniform affinities (the paper's k = 15).
pub const DEFAULT_KNN: usize = 15;
/// Default perplexity of the Gaussian affinities.
pub const DEFAULT_PERPLEXITY: f64 = 30.0;
/// Default dimension of the PCA before approximate neighbour search.
pub const DEFAULT_PCA_DIMS: usize = 50;
/// Default exemplars per class and cluster.
pub const DEFAULT_EXEMPLARS: usize = 2;
/// Most exemplars per class and cluster.
pub use crate::limits::MAX_EXEMPLARS;

/// Which high-dimensional affinities (§3.4 of the paper uses uniform ones over 15 neighbours).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Affinity {
    /// p_{j|i} = 1/k over the k nearest neighbours.
    #[default]
    Uniform,
    /// Gaussian calibrated to a perplexity over 3·perplexity neighbours (standard t-SNE).
    Gaussian,
}

/// Everything a t-SNE analysis of a table can be asked for.
#[derive(Debug, Clone, Serialize)]
pub struct EmbedOptions {
    /// Feature columns: names or patterns with `*` and `?` (each entry may be a comma-separated
    /// list), e.g. `f*`.
    pub features: Vec<String>,
    /// High-dimensional affinities.
    pub affinity: Affinity,
    /// Neighbours k of the uniform affinities (uniform only; default 15; 1 to 3000, and fewer than
    /// the points).
    pub knn: Option<usize>,
    /// Perplexity of the Gaussian affinities (Gaussian only; default 30; 1 to 1000, and below the
    /// points − 1).
    pub perplexity: Option<f64>,
    /// Tail of the kernel 1/(1 + d²/α)^α: 1 = standard t-SNE, 0.5 = the paper's heavier tail
    /// (0.01 to 1000).
    pub alpha: f64,
    /// How the layout starts.
    pub init: Init,
    /// Neighbour search: exact up to 5,000 points under auto, approximate above.
    pub knn_method: KnnMethod,
    /// Target recall of the approximate neighbour search (0 to 1; default none: 16 trees, up to 10
    /// rounds): trees doubled and 5 rounds added until the sampled recall in the search space
    /// reaches it (at most 4 searches; not with exact search).
    pub knn_recall: Option<f64>,
    /// Principal components the approximate neighbour search runs on when the data have more
    /// columns (not with exact search; default 50; 1 to 500).
    pub pca_dims: Option<usize>,
    /// Gradient: exact, FFT interpolation, or per iteration whichever is cheaper (auto).
    pub gradient: GradientMethod,
    /// Iterations after early exaggeration (0 to 100,000).
    pub iter: usize,
    /// Iterations of early exaggeration (0 to 100,000).
    pub early_iter: usize,
    /// Early exaggeration factor (1 to 1000).
    pub exaggeration: f64,
    /// Late exaggeration factor of the normal phase (FIt-SNE, Linderman et al. 2019; 1 to 1000;
    /// default none; not with --iter 0). The learning rate of that phase becomes n / factor.
    pub late_exaggeration: Option<f64>,
    /// Fixed learning rate; by default n / exaggeration of the phase (n/12 early, n after, as
    /// openTSNE; positive, at most 1e9).
    pub learning_rate: Option<f64>,
    /// Seed of every random choice (initialisation, trees, samples).
    pub seed: u64,
    /// Threads (default: every available core, at most 256; 1 to 256).
    pub threads: Option<usize>,
    /// Column colouring the scatter: numeric → diverging scale about 0 (logits), text →
    /// categories; a numeric one also gives the clusters' mean value and exemplars.
    pub color: Option<String>,
    /// Class column for the clusters' class fractions and exemplars (e.g. the image's sex).
    pub class: Option<String>,
    /// Id columns copied to the embedding table and listed for exemplars.
    pub ids: Vec<String>,
    /// Chosen clusters: circles in embedding coordinates.
    pub clusters: Vec<Region>,
    /// Exemplars per class and cluster (only with clusters; default 2; 0 to 1000).
    pub exemplars: Option<usize>,
    /// Most points drawn in the SVG scatter (a seeded random sample above; 1 to 1,000,000).
    pub max_plot_points: usize,
    /// Also give the embedding as `embedding.parquet`.
    pub parquet: bool,
    /// Also give the saved embedding that `--transform` places new points into (`model.json` and
    /// its binary files, [`crate::model`]); the CLI asks for it whenever `--out` is given.
    pub save_model: bool,
}

impl Default for EmbedOptions {
    fn default() -> Self {
        EmbedOptions {
            features: Vec::new(),
            affinity: Affinity::Uniform,
            knn: None,
            perplexity: None,
            alpha: 1.0,
            init: Init::Pca,
            knn_method: KnnMethod::Auto,
            knn_recall: None,
            pca_dims: None,
            gradient: GradientMethod::Auto,
            iter: 500,
            early_iter: 250,
            exaggeration: 12.0,
            late_exaggeration: None,
            learning_rate: None,
            seed: 42,
            threads: None,
            color: None,
            class: None,
            ids: Vec::new(),
            clusters: Vec::new(),
            exemplars: None,
            max_plot_points: 20_000,
            parquet: false,
            save_model: false,
        }
    }
}

fn refuse<T>(msg: String) -> Result<T> {
    Err(EmbedError::Input(msg))
}

impl EmbedOptions {
    /// Refuses values the analysis cannot use and options that do not apply to the chosen
    /// method, naming the option and its range ([`crate::limits`]). (What depends on the data —
    /// enough points for the neighbours, columns that exist — is checked by
    /// `dimorph_embed::run`.)
    pub fn validate(&self) -> Result<()> {
        self.validate_not_applicable()?;
        if self.features.iter().all(|f| f.split(',').all(|p| p.trim().is_empty())) {
            return refuse("--features: no column names or patterns given".into());
        }
        limits::real("--alpha", "a positive number, ", self.alpha, limits::ALPHA)?;
        if let Some(k) = self.knn {
            limits::count("--knn", k, 1, limits::MAX_KNN)?;
        }
        if let Some(p) = self.perplexity {
            limits::real("--perplexity", "a positive number, ", p, limits::PERPLEXITY)?;
        }
        limits::real("--exaggeration", "", self.exaggeration, limits::EXAGGERATION)?;
        if let Some(l) = self.late_exaggeration {
            limits::real("--late-exaggeration", "", l, limits::EXAGGERATION)?;
        }
        if let Some(lr) = self.learning_rate {
            limits::positive("--learning-rate", lr, limits::MAX_LEARNING_RATE)?;
        }
        limits::count("--iter", self.iter, 0, limits::MAX_ITER)?;
        limits::count("--early-iter", self.early_iter, 0, limits::MAX_ITER)?;
        if let Some(r) = self.knn_recall {
            limits::real("--knn-recall", "", r, (0.0, 1.0))?;
        }
        if let Some(d) = self.pca_dims {
            limits::count("--pca-dims", d, 1, limits::MAX_PCA_DIMS)?;
        }
        limits::threads(self.threads)?;
        if let Some(e) = self.exemplars {
            limits::count("--exemplars", e, 0, MAX_EXEMPLARS)?;
        }
        limits::count("--max-plot-points", self.max_plot_points, 1, limits::MAX_PLOT_POINTS)?;
        self.clusters.iter().try_for_each(Region::validate)?;
        // two clusters of one name would be two indistinguishable sets of rows in clusters.csv
        if let Some((k, r)) = self
            .clusters
            .iter()
            .enumerate()
            .find(|(k, r)| self.clusters[..*k].iter().any(|q| q.name.trim() == r.name.trim()))
        {
            return refuse(format!(
                "--cluster '{}': the name is given twice (clusters {} and {}); give each cluster a name of its own",
                dimorph_core::text::clip(r.name.trim()),
                self.clusters[..k]
                    .iter()
                    .position(|q| q.name.trim() == r.name.trim())
                    .unwrap_or(0)
                    + 1,
                k + 1
            ));
        }
        Ok(())
    }

    /// Options given for a method they do not belong to.
    fn validate_not_applicable(&self) -> Result<()> {
        match self.affinity {
            Affinity::Gaussian if self.knn.is_some() => refuse(
                "--knn applies only to --affinity uniform: Gaussian affinities use the 3·perplexity nearest \
                 neighbours (set --perplexity instead)"
                    .into(),
            ),
            Affinity::Uniform if self.perplexity.is_some() => refuse(
                "--perplexity applies only to --affinity gaussian: uniform affinities weigh the --knn nearest \
                 neighbours equally"
                    .into(),
            ),
            _ if self.knn_method == KnnMethod::Exact && self.knn_recall.is_some() => refuse(
                "--knn-recall applies only to the approximate neighbour search: --knn-method exact finds \
                 every neighbour"
                    .into(),
            ),
            _ if self.knn_method == KnnMethod::Exact && self.pca_dims.is_some() => refuse(
                "--pca-dims applies only to the approximate neighbour search (--knn-method approx, or auto \
                 above 5,000 points): --knn-method exact searches the full feature space"
                    .into(),
            ),
            _ if self.iter == 0 && self.late_exaggeration.is_some() => refuse(
                "--late-exaggeration applies to the normal phase, and --iter 0 leaves none (give --iter above 0)"
                    .into(),
            ),
            _ if self.clusters.is_empty() && self.exemplars.is_some() => refuse(
                "--exemplars applies only to chosen clusters: give at least one --cluster NAME=X,Y,RADIUS".into(),
            ),
            _ => Ok(()),
        }
    }

    /// The same options with every default that applies filled in (what the analysis uses; the
    /// JSON envelope reports these).
    pub fn resolved(&self) -> EmbedOptions {
        let mut o = self.clone();
        match o.affinity {
            Affinity::Uniform => o.knn = Some(o.knn.unwrap_or(DEFAULT_KNN)),
            Affinity::Gaussian => o.perplexity = Some(o.perplexity.unwrap_or(DEFAULT_PERPLEXITY)),
        }
        if o.knn_method != KnnMethod::Exact {
            o.pca_dims = Some(o.pca_dims.unwrap_or(DEFAULT_PCA_DIMS));
        }
        if !o.clusters.is_empty() {
            o.exemplars = Some(o.exemplars.unwrap_or(DEFAULT_EXEMPLARS));
        }
        o.threads = Some(dimorph_core::threads::resolve(o.threads).min(limits::MAX_THREADS));
        o
    }

    /// The pipeline's settings.
    pub fn params(&self) -> Params {
        Params {
            affinity: match self.affinity {
                Affinity::Uniform => AffinityKind::Uniform {
                    k: self.knn.unwrap_or(DEFAULT_KNN),
                },
                Affinity::Gaussian => AffinityKind::Gaussian {
                    perplexity: self.perplexity.unwrap_or(DEFAULT_PERPLEXITY),
                },
            },
            alpha: self.alpha,
            init: self.init,
            knn: self.knn_method,
            pca_dims: self.pca_dims.unwrap_or(DEFAULT_PCA_DIMS),
            knn_recall: self.knn_recall,
            gradient: self.gradient,
            early_exaggeration: self.exaggeration,
            early_iter: self.early_iter,
            n_iter: self.iter,
            late_exaggeration: self.late_exaggeration.unwrap_or(1.0),
            learning_rate: self.learning_rate,
            seed: self.seed,
            threads: dimorph_core::threads::resolve(self.threads).min(limits::MAX_THREADS),
            ..Params::default()
        }
    }

    /// Exemplars per class and cluster.
    pub fn exemplars(&self) -> usize {
        self.exemplars.unwrap_or(DEFAULT_EXEMPLARS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> EmbedOptions {
        EmbedOptions {
            features: vec!["f*".into()],
            ..EmbedOptions::default()
        }
    }

    #[test]
    fn defaults_are_valid_and_match_the_pipeline_defaults() {
        base().validate().unwrap();
        let (p, d) = (base().params(), Params::default());
        assert_eq!(p.affinity, d.affinity);
        assert_eq!(
            (p.alpha, p.pca_dims, p.early_iter, p.n_iter),
            (d.alpha, d.pca_dims, d.early_iter, d.n_iter)
        );
        assert_eq!((p.early_exaggeration, p.seed), (d.early_exaggeration, d.seed));
    }

    #[test]
    fn options_of_another_method_are_refused_with_the_reason() {
        let o = EmbedOptions {
            affinity: Affinity::Gaussian,
            knn: Some(10),
            ..base()
        };
        let e = o.validate().unwrap_err().to_string();
        assert!(e.contains("--knn applies only to --affinity uniform"), "{e}");
        let o = EmbedOptions {
            perplexity: Some(5.0),
            ..base()
        };
        assert!(o
            .validate()
            .unwrap_err()
            .to_string()
            .contains("--perplexity applies only"));
        let o = EmbedOptions {
            knn_method: KnnMethod::Exact,
            pca_dims: Some(10),
            ..base()
        };
        assert!(o
            .validate()
            .unwrap_err()
            .to_string()
            .contains("--pca-dims applies only"));
        let o = EmbedOptions {
            exemplars: Some(3),
            ..base()
        };
        assert!(o
            .validate()
            .unwrap_err()
            .to_string()
            .contains("--exemplars applies only"));
    }

    #[test]
    fn resolved_fills_in_what_applies() {
        let r = base().resolved();
        assert_eq!(
            (r.knn, r.perplexity, r.pca_dims, r.exemplars),
            (Some(15), None, Some(50), None)
        );
        assert!(r.threads.is_some_and(|t| t >= 1));
        r.validate().unwrap();
    }
}
