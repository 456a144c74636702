//! The backend extension of the BagNet layers, as burn does for custom kernels
//! (`examples/custom-cubecl-kernel`): a trait with one method per layer operation whose default
//! implementation is the plain tensor-operation path of [`crate::plain`]. A backend either takes
//! the defaults (CUDA, and any other backend added here) or supplies kernels of its own (burn's CPU
//! backend flex and its autodiff wrapper: [`crate::cpu`]).
//!
//! To add a backend: `impl BagnetBackend for MyBackend {}` (and for `Autodiff<MyBackend>` to train
//! on it), then override the operations it has faster kernels for.

use burn::nn::conv::Conv2d;
use burn::nn::BatchNorm;
use burn::tensor::backend::{AutodiffBackend, Backend};
use burn::tensor::Tensor;

use crate::plain;

/// A burn backend that runs the BagNet's layers.
pub trait BagnetBackend: Backend {
    /// Whether inference pads a last short batch to the full batch size (the padding's outputs
    /// dropped: [`crate::train::predict`]). On the GPU, where CubeCL compiles and
    /// autotunes kernels per (bucketed) batch shape at first use, this keeps a pass to one shape
    /// instead of two; the CPU backends have no such cost and skip the extra images.
    const PAD_LAST_BATCH: bool = false;

    /// `act(bn(x) [+ residual])`, act = ReLU when `relu_out`; `x` and `residual` `[N, C, H, W]`
    /// of one shape. Batch statistics and a running-statistics update under autodiff, running
    /// statistics otherwise (see [`plain::batch_norm`]).
    fn bagnet_bn_act(
        bn: &BatchNorm<Self>,
        x: Tensor<Self, 4>,
        residual: Option<Tensor<Self, 4>>,
        relu_out: bool,
    ) -> Tensor<Self, 4> {
        plain::bn_act(bn, x, residual, relu_out)
    }

    /// An unpadded, bias-free convolution with one group, no dilation, a square k×k kernel (k > 1)
    /// and a square stride.
    fn bagnet_conv(conv: &Conv2d<Self>, x: Tensor<Self, 4>) -> Tensor<Self, 4> {
        plain::conv(conv, x)
    }

    /// A 1×1 convolution of stride 1: weight `[O, C, 1, 1]`, `x` `[N, C, H, W]` → `[N, O, H, W]`.
    fn bagnet_pointwise(weight: Tensor<Self, 4>, x: Tensor<Self, 4>) -> Tensor<Self, 4> {
        plain::pointwise(weight, x)
    }

    /// `x[:, :, y0 : y0 + s·h : s, x0 : x0 + s·w : s]` as a contiguous `[N, C, h, w]` tensor; the
    /// grid lies inside x.
    fn bagnet_crop(x: Tensor<Self, 4>, s: usize, origin: [usize; 2], size: [usize; 2]) -> Tensor<Self, 4> {
        plain::subsample(x, s, origin, size)
    }
}

/// An autodiff backend for training a BagNet whose inference backend runs BagNets as well.
pub trait BagnetAutodiff: AutodiffBackend<InnerBackend: BagnetBackend> + BagnetBackend {}

impl<B> BagnetAutodiff for B
where
    B: AutodiffBackend + BagnetBackend,
    B::InnerBackend: BagnetBackend,
{
}

/// Training on a backend without kernels of its own: the batch norm as one autodiff operation
/// ([`crate::plain_norm`]) instead of the operations of [`plain::bn_act`] each recorded.
#[cfg(any(feature = "cuda-backend", feature = "generic-check"))]
macro_rules! autodiff_bn_act {
    () => {
        fn bagnet_bn_act(
            bn: &BatchNorm<Self>,
            x: Tensor<Self, 4>,
            residual: Option<Tensor<Self, 4>>,
            relu_out: bool,
        ) -> Tensor<Self, 4> {
            crate::plain_norm::train(bn, x, residual, relu_out)
        }
    };
}

/// The GPU backend, with and without burn's fusion (the `cuda` build only), takes the plain tensor-operation path (CubeCL
/// tiles it itself; in training its batch norm is [`crate::plain_norm`]), in each float type of `--precision`.
#[cfg(feature = "cuda-backend")]
macro_rules! cuda_takes_plain_path {
    ($($float:ty),*) => {$(
        #[cfg(feature = "cuda")]
        impl BagnetBackend for crate::GpuFused<$float> { const PAD_LAST_BATCH: bool = true; }
        #[cfg(feature = "cuda")]
        impl BagnetBackend for burn::backend::Autodiff<crate::GpuFused<$float>> {
            const PAD_LAST_BATCH: bool = true;
            autodiff_bn_act!();
        }
        impl BagnetBackend for crate::Gpu<$float> { const PAD_LAST_BATCH: bool = true; }
        impl BagnetBackend for burn::backend::Autodiff<crate::Gpu<$float>> {
            const PAD_LAST_BATCH: bool = true;
            autodiff_bn_act!();
        }
    )*};
}

#[cfg(feature = "cuda-backend")]
cuda_takes_plain_path!(f32, burn::tensor::bf16, burn::tensor::f16);

/// burn's ndarray CPU backend on the plain path, as CUDA runs it (feature `generic-check`, for the
/// tests; its training batch norm [`crate::plain_norm`] as CUDA's): `tests/generic_backend.rs`
/// checks its values and gradients against flex's kernels.
#[cfg(feature = "generic-check")]
impl BagnetBackend for burn::backend::NdArray {}

#[cfg(feature = "generic-check")]
impl BagnetBackend for burn::backend::Autodiff<burn::backend::NdArray> {
    autodiff_bn_act!();
}
