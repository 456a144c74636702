//! The BagNet's layers on burn's CPU backend (flex 0.21) written as plain Rust over the tensors'
//! memory: parallel (rayon) loops and the `gemm` crate's matrix kernels (the ones flex uses), each
//! an autodiff operation of its own on `Autodiff<Flex>` and a plain kernel on `Flex`, supplied to the
//! model through [`BagnetBackend`]; any other backend (CUDA) runs the plain operations of
//! [`crate::plain`].
//!
//! Why: profiling a BagNet-33 training step on flex (67–75 s per batch of 8 at 224×224 on 2 cores,
//! PyTorch 12 s) showed most of the time outside the matrix products, and most of it on one thread:
//! - batch norm from burn's tensor operations costs about 15 full passes over its input (statistics,
//!   broadcasts, and a backward pass in which every broadcast and reduction becomes a full-size
//!   tensor), some element by element; the fused batch norm (`norm.rs`) fuses batch norm, residual add and ReLU into one
//!   pass for the statistics and one for the output, two for the gradients;
//! - burn computes a convolution's weight gradient as a convolution whose kernel is the whole output
//!   map (matrix–vector products that read the output gradient once per input channel); flex's
//!   convolution converts layouts and builds im2col buffers on the calling thread; `conv.rs` runs
//!   every convolution, and both its gradients, as matrix products on shifted windows of the input
//!   (no im2col);
//! - cropping or subsampling a 4-D view is copied element by element; `crop.rs` copies rows
//!   in parallel;
//! - flex allocates every result zeroed on the calling thread and copies it once more to align it;
//!   the kernels here let the worker threads write their output first.
//!
//! The kernels are chosen by the backend type: `Flex` and `Autodiff<Flex>` implement
//! [`BagnetBackend`] below, as burn's custom-kernel example does for its backends.

use burn::backend::{Autodiff, Flex};
use burn::nn::conv::Conv2d;
use burn::nn::BatchNorm;
use burn::tensor::Tensor;

use crate::backend::BagnetBackend;

mod buffers;
mod conv;
mod crop;
mod norm;

pub use crate::layers::bn_act;
pub use conv::conv_weight_grad;

/// Inference on the CPU: the kernels without autodiff.
impl BagnetBackend for Flex {
    fn bagnet_bn_act(
        bn: &BatchNorm<Self>,
        x: Tensor<Self, 4>,
        residual: Option<Tensor<Self, 4>>,
        relu_out: bool,
    ) -> Tensor<Self, 4> {
        norm::infer(bn, x, residual, relu_out)
    }

    fn bagnet_conv(conv: &Conv2d<Self>, x: Tensor<Self, 4>) -> Tensor<Self, 4> {
        conv::conv_infer(conv.weight.val(), x, conv.stride[0])
    }

    fn bagnet_pointwise(weight: Tensor<Self, 4>, x: Tensor<Self, 4>) -> Tensor<Self, 4> {
        conv::pointwise_infer(weight, x)
    }

    fn bagnet_crop(x: Tensor<Self, 4>, s: usize, origin: [usize; 2], size: [usize; 2]) -> Tensor<Self, 4> {
        crop::subsample_infer(x, s, origin, size)
    }
}

/// Training on the CPU: each kernel an autodiff operation with its own backward pass.
impl BagnetBackend for Autodiff<Flex> {
    fn bagnet_bn_act(
        bn: &BatchNorm<Self>,
        x: Tensor<Self, 4>,
        residual: Option<Tensor<Self, 4>>,
        relu_out: bool,
    ) -> Tensor<Self, 4> {
        norm::train(bn, x, residual, relu_out)
    }

    fn bagnet_conv(conv: &Conv2d<Self>, x: Tensor<Self, 4>) -> Tensor<Self, 4> {
        conv::conv_train(conv.weight.val(), x, conv.stride[0])
    }

    fn bagnet_pointwise(weight: Tensor<Self, 4>, x: Tensor<Self, 4>) -> Tensor<Self, 4> {
        conv::pointwise_train(weight, x)
    }

    fn bagnet_crop(x: Tensor<Self, 4>, s: usize, origin: [usize; 2], size: [usize; 2]) -> Tensor<Self, 4> {
        crop::subsample_train(x, s, origin, size)
    }
}
