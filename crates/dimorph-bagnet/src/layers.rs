//! Forward passes of the BagNet layers written for speed on burn's CPU backend (flex 0.21), with the
//! same numbers as burn's `Conv2d::forward` and `BatchNorm::forward` and the same module fields, so
//! saved models and loaded PyTorch weights are unchanged.
//!
//! Profiling a BagNet-33 training step on flex showed most of the time outside the matrix kernels:
//! - burn's batch norm broadcasts `[1, C, 1, 1]` statistics over `[N, C, H, W]`, a pattern flex walks
//!   element by element on one thread ([`batch_norm`] uses `[N·C, H·W]` rows and one scalar per row);
//! - burn computes a convolution's weight gradient as a convolution whose kernel is the whole output
//!   map, which for 1×1 kernels degenerates into matrix–vector products ([`conv2d`] runs a 1×1
//!   convolution as a batched matrix product `W[out, in] · X[n][in, h·w]`, whose gradients are
//!   matrix products as well);
//! - cropping or subsampling a 4-D tensor leaves a view that flex copies element by element
//!   ([`subsample`] does it as two 2-D copies).

use burn::nn::conv::Conv2d;
use burn::nn::{BatchNorm, PaddingConfig2d};
use burn::tensor::backend::Backend;
use burn::tensor::{Slice, Tensor};

/// Batch normalisation of `x` `[N, C, H, W]` with `bn`'s parameters and running statistics, with the
/// semantics of PyTorch's `BatchNorm2d` (batch statistics with the biased variance under autodiff and
/// a running-average update of the mean and the unbiased variance with momentum `bn.momentum`;
/// running statistics otherwise), computed as one per-channel scale and shift `y = a·x + b`,
/// `a = γ/√(σ² + ε)`, `b = β − a·μ`. Inside [`with_cumulative_statistics`] the running statistics
/// become the cumulative mean over the calibration batches instead.
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
        let m = CALIBRATION_STEP
            .with(|c| c.get())
            .map_or(bn.momentum, |k| 1.0 / (k as f64 + 1.0));
        let unbiased = if count > 1.0 { count / (count - 1.0) } else { 1.0 };
        let running_mean = bn.running_mean.value_sync().to_device(&device);
        let running_var = bn.running_var.value_sync().to_device(&device);
        bn.running_mean
            .update((running_mean.mul_scalar(1.0 - m) + mean.clone().detach().mul_scalar(m)).detach());
        bn.running_var
            .update((running_var.mul_scalar(1.0 - m) + var.clone().detach().mul_scalar(m * unbiased)).detach());
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

std::thread_local! {
    static CALIBRATION_STEP: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
}

/// Run `f` (forward passes under autodiff on the `step`-th calibration batch, counting from 0) with
/// every batch norm's momentum set to 1/(step + 1), so that after the last batch the running mean and
/// variance are the averages of the batch statistics over all calibration batches, taken with the
/// current weights ("precise" batch-norm statistics). Exponential running averages lag behind weights
/// that change quickly, as in a short training run, and then shift every logit at inference.
pub fn with_cumulative_statistics<R>(step: usize, f: impl FnOnce() -> R) -> R {
    CALIBRATION_STEP.with(|c| c.set(Some(step)));
    let r = f();
    CALIBRATION_STEP.with(|c| c.set(None));
    r
}

/// `conv.forward(x)` for the unpadded, bias-free convolutions of a BagNet: a 1×1 kernel (any stride)
/// runs as a matrix product on the subsampled input, anything else through burn's convolution.
pub fn conv2d<B: Backend>(conv: &Conv2d<B>, x: Tensor<B, 4>) -> Tensor<B, 4> {
    let plain = conv.bias.is_none() && conv.groups == 1 && matches!(conv.padding, PaddingConfig2d::Valid);
    if conv.kernel_size != [1, 1] || !plain {
        return conv.forward(x);
    }
    let [_, _, hx, wx] = x.dims();
    let [sh, sw] = conv.stride;
    if sh != sw {
        return conv.forward(x);
    }
    let (h, w) = ((hx - 1) / sh + 1, (wx - 1) / sw + 1);
    pointwise(conv, subsample(x, sh, h, w))
}

/// A 1×1 convolution with stride 1 on `x` `[N, C, H, W]`, whatever `conv.stride` says (the caller has
/// already subsampled `x`): `W[out, in] · X[n][in, H·W]`, broadcast over the batch.
pub fn pointwise<B: Backend>(conv: &Conv2d<B>, x: Tensor<B, 4>) -> Tensor<B, 4> {
    let [n, c, h, w] = x.dims();
    let [out, cin, _, _] = conv.weight.dims();
    debug_assert_eq!(c, cin);
    let weight = conv.weight.val().reshape([1, out, cin]);
    weight.matmul(x.reshape([n, c, h * w])).reshape([n, out, h, w])
}

/// `x[:, :, 0 : s·h : s, 0 : s·w : s]` as a contiguous `[N, C, h, w]` tensor: the first h rows and w
/// columns of the stride-s grid, which is what a 1×1 convolution of stride s reads, or (s = 1) the
/// crop at bottom and right that matches a residual to its block's output.
pub fn subsample<B: Backend>(x: Tensor<B, 4>, s: usize, h: usize, w: usize) -> Tensor<B, 4> {
    let [n, c, hx, wx] = x.dims();
    if s == 1 && h == hx && w == wx {
        return x;
    }
    if s * h > hx || s * w > wx {
        // An odd side with stride 2 (the last grid point is the last row or column): a strided view,
        // which flex copies element by element.
        let step = |len: usize| Slice::new(0, Some((s * (len - 1) + 1) as isize), s as isize);
        return x.slice([Slice::from(0..n), Slice::from(0..c), step(h), step(w)]);
    }
    let m = n * c * h;
    // Rows: keep the first s·h rows (one 2-D copy, [N·C, s·h·W]), fold each run of s rows into one
    // row of s·W values and keep its first W.
    let rows = if s == 1 && h == hx {
        x.reshape([m, wx])
    } else {
        x.slice([0..n, 0..c, 0..s * h, 0..wx])
            .reshape([m, s * wx])
            .slice([0..m, 0..wx])
    };
    // Columns: keep the first s·w (a 2-D copy), fold each run of s into one row and keep its first.
    let cols = if s == 1 {
        rows.slice([0..m, 0..w])
    } else {
        rows.slice([0..m, 0..s * w]).reshape([m * w, s]).slice([0..m * w, 0..1])
    };
    cols.reshape([n, c, h, w])
}
