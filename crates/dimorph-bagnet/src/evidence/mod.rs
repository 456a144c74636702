//! Native patch evidence (paper §3.3) and what is made of it: per-image evidence maps (w·x per
//! patch, [`maps`]), evidence statistics by class with Cohen's d (Fig. 4, [`stats`]), the overlays,
//! averaged maps and kernel-density plots (Fig. 2 and 4, [`figures`]), and the export of patch
//! features for the embedding engine (§3.4, [`features`]).

pub mod features;
pub mod features_parquet;
pub mod figures;
pub mod maps;
pub mod stats;

pub use features::{FeatureFormat, FeatureWriter};
pub use figures::{average, kde_svg, overlay};
pub use maps::{compute, in_planted, window_meets_circle, ImageEvidence, MapJob};
pub use stats::{cohens_d, compare_stats, StatComparison};
