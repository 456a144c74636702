//! dimorph-bagnet: interpretable image classification with native patch-evidence maps
//! (Ilanchezian et al. 2021, BagNets of Brendel & Bethge 2019), built on burn.
//!
//! The pipeline in one line: `synth` (or your labelled images) → `train` (head, then all layers;
//! checkpoints) → `eval` (accuracy, AUC with bootstrap CI, ROC) → `explain` (evidence maps,
//! statistics by class, figures, patch features); `import` turns PyTorch or safetensors weights
//! into a model folder. Each analysis is one `run_*` function of [`pipeline`] taking an options
//! struct of [`options`] and returning a [`dimorph_report::Outcome`].
//!
//! Modules: [`options`] (what every analysis takes), [`pipeline`] (the analyses), [`model`] (the
//! BagNet), [`layers`] (its layer forwards), [`backend`] (the backend-extension trait the layers
//! run through), [`plain`] (the plain tensor-operation path every backend may take), [`cpu`] (the
//! kernels of burn's CPU backend), [`momentum`] (batch-norm running statistics and calibration),
//! [`synth`] (synthetic fundus images with planted evidence), [`data`] (image folders, label CSV,
//! split, batches), [`loader`] (the image cache and the worker threads that stream batches),
//! [`train`] (head then fine-tune, calibration, validation, resume),
//! [`checkpoint`] (model folders and checkpoints), [`metrics`] (accuracy, ROC AUC with bootstrap
//! CI, ROC SVG), [`evidence`] (evidence maps, statistics, figures, feature export), [`weights`]
//! (pretrained PyTorch and safetensors weights), [`sets`] (a run's split by image identity), [`demo`];
//! the baselines of the paper's Table 1: [`resnet`] (ResNet-50), [`inception`] (Inception-v3),
//! [`seeded`] (their seeded layers), [`baseline_size`] (their input sides), and [`net`] (a BagNet or a baseline, as `train` and `eval` run them);
//! [`on_cpu`] (the generic entry points on the CPU backend, compiled once for tests and examples).

mod autodiff_op;
pub mod backend;
pub mod baseline_size;
pub mod checkpoint;
pub mod cpu;
pub mod data;
pub mod demo;
pub mod dicom;
pub mod evidence;
pub mod image;
pub mod inception;
pub mod kernel_cache;
pub mod layers;
pub mod loader;
pub mod metrics;
pub mod model;
pub mod momentum;
pub mod net;
pub mod on_cpu;
pub mod options;
pub mod pipeline;
pub mod plain;
pub mod plain_norm;
pub mod resnet;
pub mod seeded;
pub mod sets;
pub mod synth;
pub mod train;
mod weightfile;
pub mod weights;

/// The CPU backend (burn's `flex`) and its autodiff wrapper used for training.
pub type Cpu = burn::backend::Flex;
pub type CpuTrain = burn::backend::Autodiff<Cpu>;
/// The GPU backend (`--device cuda`, the `cuda` cargo feature): burn's CubeCL CUDA backend
/// computing in float type `F`, without burn's operation fusion (burn-fusion). Every tensor
/// operation is one CubeCL kernel, as in PyTorch eager. With fusion, CubeCL JIT-compiles (and
/// autotunes) a kernel per fused block as well. Either way the first training step on a new kind of
/// GPU waits for CubeCL to autotune every matrix product, convolution and reduction shape, about
/// 6 s each: on an H200 (2026-11-28) BagNet-33's first step at batch 16 had not finished after 86
/// shapes, fused or not (`bench/bagnet/README.md`); [`kernel_cache`] keeps the results for later
/// runs. The `cuda-untuned` build leaves autotuning out: each operation takes CubeCL's default
/// kernel, compiled once per shape.
#[cfg(feature = "cuda-backend")]
pub type Gpu<F = f32> = burn_cubecl::CubeBackend<cubecl::cuda::CudaRuntime, F, i32, u8>;
#[cfg(feature = "cuda-backend")]
pub type GpuTrain<F = f32> = burn::backend::Autodiff<Gpu<F>>;
/// burn's default CUDA backend, with operation fusion (`step_bench --fusion on`, for comparison;
/// the `cuda` build only).
#[cfg(feature = "cuda")]
pub type GpuFused<F = f32> = burn::backend::Cuda<F>;
#[cfg(feature = "cuda")]
pub type GpuFusedTrain<F = f32> = burn::backend::Autodiff<GpuFused<F>>;
#[cfg(feature = "cuda-backend")]
pub mod gpu;

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
    /// A file of the run could not be written (it names the file).
    #[error(transparent)]
    Output(#[from] dimorph_core::output::OutputError),
}

impl BagNetError {
    /// Whether the error is the caller's (bad options, data or files: exit code 2) rather than the
    /// system's (a file that could not be written: exit code 1).
    pub fn is_input(&self) -> bool {
        match self {
            BagNetError::Output(e) => e.is_input(),
            _ => true,
        }
    }

    pub(crate) fn file(path: impl AsRef<std::path::Path>, msg: impl std::fmt::Display) -> Self {
        BagNetError::File {
            path: path.as_ref().display().to_string(),
            msg: msg.to_string(),
        }
    }
}
