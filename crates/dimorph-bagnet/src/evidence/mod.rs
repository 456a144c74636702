//! Native patch evidence (paper §3.3) and what is made of it: per-image evidence maps (w·x per
//! patch, [`maps`]), evidence statistics by class with Cohen's d (Fig. 4, [`stats`]), the figures
//! ([`figures`]: per-image maps with a colour bar in logit units drawn by [`render`] with the
//! bitmap [`font`]; Fig. 2 in [`figure2`], Fig. 3 — the t-SNE of patch features through the
//! embedding engine with exemplar patches per cluster — in [`figure3`], Fig. 4 in [`figure4`]; one
//! colour scale and one colour per class in [`palette`]; SVG pieces in [`svgparts`]), and the
//! export of patch features for the embedding engine (§3.4, [`features`]).

pub mod features;
pub mod features_parquet;
pub mod figure2;
pub mod figure3;
pub mod figure4;
pub mod figures;
pub mod font;
pub mod maps;
pub mod palette;
pub mod render;
pub mod stats;
pub mod svgparts;

pub use features::{FeatureFormat, FeatureWriter};
pub use figure2::average;
pub use figure4::kde_svg;
pub use maps::{compute, in_planted, window_meets_circle, ImageEvidence, MapJob};
pub use stats::{cohens_d, compare_stats, StatComparison};
