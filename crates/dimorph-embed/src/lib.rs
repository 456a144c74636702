//! t-SNE for large sets of feature vectors (image-patch features of a BagNet, §3.4 and Figure 3 of
//! Ilanchezian et al. 2021, `shared/papers/000_399955f92e99d586.txt`), with the heavy-tailed
//! kernel of Kobak et al. (2019), k(d) = 1/(1 + d²/α)^α, for any α > 0 (α = 1 is standard
//! t-SNE, α = 0.5 the paper's choice).
//!
//! The analysis a front end calls is [`run`]: a table and [`EmbedOptions`] in, an
//! [`dimorph_report::Outcome`] out (the typed [`EmbedResult`], the report, the tidy tables
//! `embedding` and `clusters`, the SVG scatter and, on request, a Parquet copy of the
//! coordinates). The engine prints nothing and writes no files.
//!
//! The pipeline ([`embed`], in [`pipeline`]): [`pca`] ([`rsvd`] for wide data; initialisation, and reduction before
//! approximate neighbours) → [`knn`] (exact, or random-projection forest + neighbour-of-neighbour
//! refinement with a measured recall) → [`affinity`] (uniform over k neighbours, or perplexity-
//! calibrated Gaussian; symmetrised) → [`optimize`] (early exaggeration, momentum, gains;
//! gradients exact ([`gradient`]) or by FFT-accelerated interpolation ([`fft`], FIt-SNE)).
//! [`metrics`] measures neighbourhood preservation and cluster separation, [`plot`] draws the
//! scatter, [`clusters`] summarises chosen regions, [`input`] turns a table into features
//! ([`input_f32`] a single-precision matrix, read without an `f64` copy; [`input_csv`] a CSV's
//! features parsed straight to one),
//! [`model`] saves what [`transform`] needs to place new points into an embedding (openTSNE's
//! `transform`; [`transform_run`] is its analysis of a table), [`output`] lays the coordinates out as a tidy table or Parquet, [`report`] writes the text
//! report, [`demo`] is the demo's section. [`limits`] states the range of every numeric setting
//! (so that no option can ask for unbounded memory or time, or turn the layout into infinities);
//! user text quoted in messages is clipped, and numbers quoted, by the kernel's
//! [`dimorph_core::text`].

pub mod affinity;
pub mod analysis;
pub mod clusters;
pub mod demo;
pub mod eigen;
pub mod error;
pub mod features;
pub mod fft;
pub mod gradient;
pub mod input;
pub mod input_csv;
pub mod input_f32;
pub mod knn;
pub mod knn_exact;
pub mod knn_recall;
pub mod limits;
pub mod metrics;
pub mod model;
pub mod optimize;
pub mod options;
pub mod output;
pub mod params;
pub mod pca;
pub mod pipeline;
pub mod plot;
pub mod progress;
pub mod relabel;
pub mod report;
pub mod rng;
pub mod rsvd;
pub mod transform;
pub mod transform_run;

pub use analysis::{run, run_features, EmbedResult};
pub use error::{EmbedError, Result};
pub use features::Features;
pub use model::Model;
pub use options::{Affinity, EmbedOptions};
pub use params::{AffinityKind, GradientMethod, Init, KnnMethod, Params};
pub use pipeline::{embed, validate, Embedding};
pub use progress::Progress;
pub use transform_run::{run_transform, TransformOptions, TransformResult};
