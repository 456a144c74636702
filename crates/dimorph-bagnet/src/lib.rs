//! dimorph-bagnet: interpretable image classification with native patch-evidence maps
//! (Ilanchezian et al. 2021, BagNets of Brendel & Bethge 2019), built on burn.
//!
//! Modules: [`model`] (the BagNet), [`layers`] (its layer forwards), [`cpu`] (their kernels on the
//! CPU backend), [`synth`] (synthetic fundus images with planted evidence), [`data`] (image folders,
//! label CSV, split, mask, augmentation), [`train`] (head then fine-tune, checkpoints, resume,
//! precise batch-norm statistics), [`metrics`] (accuracy, ROC AUC with bootstrap CI, ROC SVG),
//! [`evidence`] (evidence maps, statistics, feature export), [`weights`] (pretrained PyTorch and
//! safetensors weights), [`demo`].

pub mod backend;
pub mod cpu;
pub mod data;
pub mod demo;
pub mod draws;
pub mod evidence;
pub mod image;
pub mod layers;
pub mod metrics;
pub mod model;
pub mod momentum;
pub mod pipeline;
pub mod plain;
pub mod progress;
pub mod synth;
pub mod train;
mod weightfile;
pub mod weights;

/// The CPU backend (burn's `flex`) and its autodiff wrapper used for training.
pub type Cpu = burn::backend::Flex;
pub type CpuTrain = burn::backend::Autodiff<Cpu>;
/// The GPU backend (burn's CubeCL CUDA), with the `cuda` cargo feature.
#[cfg(feature = "cuda")]
pub type Gpu = burn::backend::Cuda;
#[cfg(feature = "cuda")]
pub type GpuTrain = burn::backend::Autodiff<Gpu>;

/// Everything that can go wrong, with the file, row or argument named.
#[derive(Debug, thiserror::Error)]
pub enum BagNetError {
    #[error("{0}")]
    Arg(String),
    #[error("image of {size}×{size} px is smaller than the receptive field of {q}×{q} px")]
    TooSmall { size: usize, q: usize },
    #[error("{path}: {msg}")]
    File { path: String, msg: String },
    #[error("{path}, row {row}: {msg}")]
    Row { path: String, row: usize, msg: String },
    #[error("{0}")]
    Data(String),
}

impl BagNetError {
    pub(crate) fn file(path: impl AsRef<std::path::Path>, msg: impl std::fmt::Display) -> Self {
        BagNetError::File {
            path: path.as_ref().display().to_string(),
            msg: msg.to_string(),
        }
    }
}
