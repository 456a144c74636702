//! Forward passes of the BagNet layers with the same numbers as burn's `Conv2d::forward` and
//! `BatchNorm::forward` and the same module fields, so saved models and loaded PyTorch weights are
//! unchanged. On burn's CPU backend they run the kernels of [`crate::cpu`]; on any other backend
//! burn's tensor operations, arranged to avoid what is slow there too:
//! - [`batch_norm`] views `[N, C, H, W]` as `[N·C, H·W]` rows with one scalar per row (burn broadcasts
//!   `[1, C, 1, 1]` statistics, a pattern flex walks element by element);
//! - [`conv2d`] runs a 1×1 convolution (any stride) as a batched matrix product on the subsampled
//!   input ([`pointwise`]), whose gradients are matrix products as well;
//! - [`subsample`] crops or subsamples with 2-D copies.

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
        let m = running_momentum(bn.momentum);
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

/// The momentum of a running-statistics update: `momentum`, or 1/(step + 1) inside
/// [`with_cumulative_statistics`].
pub fn running_momentum(momentum: f64) -> f64 {
    CALIBRATION_STEP
        .with(|c| c.get())
        .map_or(momentum, |k| 1.0 / (k as f64 + 1.0))
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
/// runs as a matrix product on the subsampled input ([`pointwise`]), a larger square kernel on the
/// CPU backend as [`crate::cpu::conv_cpu`]; anything else through burn's convolution.
pub fn conv2d<B: Backend>(conv: &Conv2d<B>, x: Tensor<B, 4>) -> Tensor<B, 4> {
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
        return match crate::cpu::conv_cpu(conv.weight.val(), x, sh) {
            Ok(y) => y,
            Err((_, x)) => conv.forward(x),
        };
    }
    let [_, _, hx, wx] = x.dims();
    let (h, w) = ((hx - 1) / sh + 1, (wx - 1) / sw + 1);
    pointwise(conv, subsample(x, sh, h, w))
}

/// A 1×1 convolution with stride 1 on `x` `[N, C, H, W]`, whatever `conv.stride` says (the caller has
/// already subsampled `x`): `W[out, in] · X[n][in, H·W]`, broadcast over the batch.
pub fn pointwise<B: Backend>(conv: &Conv2d<B>, x: Tensor<B, 4>) -> Tensor<B, 4> {
    let [n, c, h, w] = x.dims();
    let [out, cin, _, _] = conv.weight.dims();
    debug_assert_eq!(c, cin);
    match crate::cpu::pointwise_cpu(conv.weight.val(), x) {
        Ok(y) => y,
        Err((weight, x)) => weight
            .reshape([1, out, cin])
            .matmul(x.reshape([n, c, h * w]))
            .reshape([n, out, h, w]),
    }
}

/// `x[:, :, 0 : s·h : s, 0 : s·w : s]` as a contiguous `[N, C, h, w]` tensor: the first h rows and w
/// columns of the stride-s grid, which is what a 1×1 convolution of stride s reads, or (s = 1) the
/// crop at bottom and right that matches a residual to its block's output.
pub fn subsample<B: Backend>(x: Tensor<B, 4>, s: usize, h: usize, w: usize) -> Tensor<B, 4> {
    subsample_at(x, s, [0, 0], h, w)
}

/// `x[:, :, y0 : y0 + s·h : s, x0 : x0 + s·w : s]` as a contiguous `[N, C, h, w]` tensor, built from
/// 2-D copies that flex does at memory speed (a 4-D strided view it copies element by element).
pub fn subsample_at<B: Backend>(x: Tensor<B, 4>, s: usize, [y0, x0]: [usize; 2], h: usize, w: usize) -> Tensor<B, 4> {
    let [_, _, hx, wx] = x.dims();
    if s == 1 && [y0, x0] == [0, 0] && h == hx && w == wx {
        return x;
    }
    if y0 + s * (h - 1) >= hx || x0 + s * (w - 1) >= wx {
        return subsample_views(x, s, [y0, x0], h, w);
    }
    // On flex: one parallel copy (and its own gradient); elsewhere burn's views.
    match crate::cpu::subsample_cpu(x, s, [y0, x0], [h, w]) {
        Ok(y) => y,
        Err(x) => subsample_views(x, s, [y0, x0], h, w),
    }
}

/// [`subsample_at`] from burn's slices and reshapes (any backend).
fn subsample_views<B: Backend>(x: Tensor<B, 4>, s: usize, [y0, x0]: [usize; 2], h: usize, w: usize) -> Tensor<B, 4> {
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
