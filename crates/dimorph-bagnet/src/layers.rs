//! The layer forwards the BagNet calls, with the same numbers as burn's `Conv2d::forward` and
//! `BatchNorm::forward` and the same module fields (so saved models and loaded PyTorch weights are
//! unchanged). Each picks the operation and hands it to the backend through [`BagnetBackend`]: the
//! CPU backend runs the kernels of [`crate::cpu`], any other backend the plain tensor operations of
//! [`crate::plain`].

use burn::nn::conv::Conv2d;
use burn::nn::{BatchNorm, PaddingConfig2d};
use burn::tensor::Tensor;

use crate::backend::BagnetBackend;

pub use crate::momentum::{running_momentum, with_cumulative_statistics};
pub use crate::plain::batch_norm;

/// `act(bn(x) [+ residual])` with act = ReLU when `relu_out`, else identity; `x` and `residual`
/// `[N, C, H, W]` of the same shape.
pub fn bn_act<B: BagnetBackend>(
    bn: &BatchNorm<B>,
    x: Tensor<B, 4>,
    residual: Option<Tensor<B, 4>>,
    relu_out: bool,
) -> Tensor<B, 4> {
    B::bagnet_bn_act(bn, x, residual, relu_out)
}

/// `conv.forward(x)` for the unpadded, bias-free convolutions of a BagNet: a 1×1 kernel (any stride)
/// runs as a matrix product on the subsampled input ([`pointwise`]), a larger square kernel as the
/// backend's [`BagnetBackend::bagnet_conv`]; anything else through burn's convolution.
pub fn conv2d<B: BagnetBackend>(conv: &Conv2d<B>, x: Tensor<B, 4>) -> Tensor<B, 4> {
    let plain = conv.bias.is_none()
        && conv.groups == 1
        && conv.dilation == [1, 1]
        && matches!(conv.padding, PaddingConfig2d::Valid);
    let [sh, sw] = conv.stride;
    if !plain || sh != sw {
        return conv.forward(x);
    }
    if conv.kernel_size != [1, 1] {
        if conv.kernel_size[0] != conv.kernel_size[1] {
            return conv.forward(x);
        }
        return B::bagnet_conv(conv, x);
    }
    let [_, _, hx, wx] = x.dims();
    let (h, w) = ((hx - 1) / sh + 1, (wx - 1) / sw + 1);
    pointwise(conv, subsample(x, sh, h, w))
}

/// A 1×1 convolution with stride 1 on `x` `[N, C, H, W]`, whatever `conv.stride` says (the caller has
/// already subsampled `x`): `W[out, in] · X[n][in, H·W]`, broadcast over the batch.
pub fn pointwise<B: BagnetBackend>(conv: &Conv2d<B>, x: Tensor<B, 4>) -> Tensor<B, 4> {
    B::bagnet_pointwise(conv.weight.val(), x)
}

/// `x[:, :, 0 : s·h : s, 0 : s·w : s]` as a contiguous `[N, C, h, w]` tensor: the first h rows and w
/// columns of the stride-s grid, which is what a 1×1 convolution of stride s reads, or (s = 1) the
/// crop at bottom and right that matches a residual to its block's output.
pub fn subsample<B: BagnetBackend>(x: Tensor<B, 4>, s: usize, h: usize, w: usize) -> Tensor<B, 4> {
    subsample_at(x, s, [0, 0], h, w)
}

/// `x[:, :, y0 : y0 + s·h : s, x0 : x0 + s·w : s]` as a contiguous `[N, C, h, w]` tensor: `x` itself
/// when that is all of it, the backend's [`BagnetBackend::bagnet_crop`] when the grid lies inside x,
/// else burn's strided view.
pub fn subsample_at<B: BagnetBackend>(
    x: Tensor<B, 4>,
    s: usize,
    [y0, x0]: [usize; 2],
    h: usize,
    w: usize,
) -> Tensor<B, 4> {
    let [_, _, hx, wx] = x.dims();
    if s == 1 && [y0, x0] == [0, 0] && h == hx && w == wx {
        return x;
    }
    if y0 + s * (h - 1) >= hx || x0 + s * (w - 1) >= wx {
        return crate::plain::subsample(x, s, [y0, x0], [h, w]);
    }
    B::bagnet_crop(x, s, [y0, x0], [h, w])
}
