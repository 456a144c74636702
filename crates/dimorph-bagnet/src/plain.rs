//! The BagNet's layer forwards from burn's tensor operations alone: the reference path, which
//! every backend without kernels of its own runs (CUDA), and against which the CPU kernels of
//! [`crate::cpu`] are tested. Same numbers as burn's `Conv2d::forward` and `BatchNorm::forward`
//! (with PyTorch's running-variance update), arranged to avoid what is slow on every backend:
//! - [`batch_norm`] views `[N, C, H, W]` as `[N·C, H·W]` rows with one scalar per row (burn broadcasts
//!   `[1, C, 1, 1]` statistics, a pattern flex walks element by element);
//! - [`pointwise`] runs a 1×1 convolution as a batched matrix product, whose gradients are matrix
//!   products as well;
//! - [`subsample`] crops or subsamples with 2-D copies.

use burn::nn::conv::Conv2d;
use burn::nn::BatchNorm;
use burn::tensor::activation::relu;
use burn::tensor::backend::Backend;
use burn::tensor::{Slice, Tensor};

use crate::momentum::running_momentum;

/// Batch normalisation of `x` `[N, C, H, W]` with `bn`'s parameters and running statistics, with the
/// semantics of PyTorch's `BatchNorm2d` (batch statistics with the biased variance under autodiff and
/// a running-average update of the mean and the unbiased variance with momentum `bn.momentum`;
/// running statistics otherwise), computed as one per-channel scale and shift `y = a·x + b`,
/// `a = γ/√(σ² + ε)`, `b = β − a·μ`. Inside [`crate::momentum::with_cumulative_statistics`] the
/// running statistics become the cumulative mean over the calibration batches instead.
///
/// Written for speed on burn's CPU backend (flex 0.21): burn's own forward broadcasts `[1, C, 1, 1]`
/// statistics over `[N, C, H, W]`, which flex walks element by element on one thread (most of a
/// training step). Here the tensor is viewed as `[N·C, H·W]` rows and every per-channel quantity is
/// tiled to one scalar per row `[N·C, 1]`, the broadcast that flex runs with SIMD; the statistics are
/// row sums along the contiguous axis.
pub fn batch_norm<B: Backend>(bn: &BatchNorm<B>, x: Tensor<B, 4>) -> Tensor<B, 4> {
    let [n, c, h, w] = x.dims();
    let rows = x.reshape([n * c, h * w]);
    let per_row = |v: Tensor<B, 1>| v.reshape([1, c]).repeat_dim(0, n).reshape([n * c, 1]);
    let device = rows.device();
    let (mean, var) = if B::ad_enabled(&device) {
        let count = (n * h * w) as f64;
        let channel_sum = |t: Tensor<B, 2>| t.sum_dim(1).reshape([n, c]).sum_dim(0).reshape([c]);
        let mean = channel_sum(rows.clone()).div_scalar(count);
        let centred = rows.clone() - per_row(mean.clone());
        let var = channel_sum(centred.square()).div_scalar(count);
        update_running(bn, mean.clone().detach(), var.clone().detach(), count);
        (mean, var)
    } else {
        (
            bn.running_mean.value().to_device(&device),
            bn.running_var.value().to_device(&device),
        )
    };
    let a = bn.gamma.val() / var.add_scalar(bn.epsilon).sqrt();
    let b = bn.beta.val() - a.clone() * mean;
    (rows * per_row(a) + per_row(b)).reshape([n, c, h, w])
}

/// The running statistics of `bn` after a batch of `count` values per channel with (detached)
/// batch mean and biased variance: `running ← (1 − m)·running + m·batch`, the variance made unbiased,
/// as PyTorch's `BatchNorm2d`; m is `bn.momentum`, or the cumulative mean's inside
/// [`crate::momentum::with_cumulative_statistics`].
pub fn update_running<B: Backend>(bn: &BatchNorm<B>, mean: Tensor<B, 1>, var: Tensor<B, 1>, count: f64) {
    let m = running_momentum(bn.momentum);
    let unbiased = if count > 1.0 { count / (count - 1.0) } else { 1.0 };
    let step = |old: Tensor<B, 1>, batch: Tensor<B, 1>, factor: f64| {
        let old = old.to_device(&batch.device());
        (old.mul_scalar(1.0 - m) + batch.mul_scalar(m * factor)).detach()
    };
    bn.running_mean.update(step(bn.running_mean.value_sync(), mean, 1.0));
    bn.running_var.update(step(bn.running_var.value_sync(), var, unbiased));
}

/// `act(bn(x) [+ residual])` with act = ReLU when `relu_out`, else identity.
pub fn bn_act<B: Backend>(
    bn: &BatchNorm<B>,
    x: Tensor<B, 4>,
    residual: Option<Tensor<B, 4>>,
    relu_out: bool,
) -> Tensor<B, 4> {
    let y = batch_norm(bn, x);
    let y = match residual {
        Some(r) => y + r,
        None => y,
    };
    if relu_out {
        relu(y)
    } else {
        y
    }
}

/// A convolution through burn's own `Conv2d::forward`.
pub fn conv<B: Backend>(conv: &Conv2d<B>, x: Tensor<B, 4>) -> Tensor<B, 4> {
    conv.forward(x)
}

/// A 1×1 convolution of stride 1 with weight `[O, C, 1, 1]` on `x` `[N, C, H, W]`:
/// `W[out, in] · X[n][in, H·W]`, broadcast over the batch.
pub fn pointwise<B: Backend>(weight: Tensor<B, 4>, x: Tensor<B, 4>) -> Tensor<B, 4> {
    let [n, c, h, w] = x.dims();
    let [out, cin, _, _] = weight.dims();
    debug_assert_eq!(c, cin);
    weight
        .reshape([1, out, cin])
        .matmul(x.reshape([n, c, h * w]))
        .reshape([n, out, h, w])
}

/// `x[:, :, y0 : y0 + s·h : s, x0 : x0 + s·w : s]` as a contiguous `[N, C, h, w]` tensor from
/// burn's slices and reshapes (any backend); the grid must lie inside x.
pub fn subsample<B: Backend>(x: Tensor<B, 4>, s: usize, [y0, x0]: [usize; 2], [h, w]: [usize; 2]) -> Tensor<B, 4> {
    let [n, c, hx, wx] = x.dims();
    if y0 + s * h > hx || x0 + s * w > wx {
        // The last grid point is the last row or column: a strided view, copied element by element.
        let step = |o: usize, len: usize| Slice::new(o as isize, Some((o + s * (len - 1) + 1) as isize), s as isize);
        return x.slice([Slice::from(0..n), Slice::from(0..c), step(y0, h), step(x0, w)]);
    }
    let m = n * c * h;
    // Rows: keep rows y0 .. y0 + s·h at full width (one 2-D copy, [N·C, s·h·W]), fold each run of s
    // rows into one row of s·W values and keep its first W.
    let rows = if s == 1 && y0 == 0 && h == hx {
        x.reshape([m, wx])
    } else {
        x.slice([0..n, 0..c, y0..y0 + s * h, 0..wx])
            .reshape([m, s * wx])
            .slice([0..m, 0..wx])
    };
    // Columns: keep x0 .. x0 + s·w (a 2-D copy), fold each run of s into one row and keep its first.
    let cols = if s == 1 {
        rows.slice([0..m, x0..x0 + w])
    } else {
        rows.slice([0..m, x0..x0 + s * w])
            .reshape([m * w, s])
            .slice([0..m * w, 0..1])
    };
    cols.reshape([n, c, h, w])
}
