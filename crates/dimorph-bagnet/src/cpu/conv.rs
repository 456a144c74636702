//! Unpadded, bias-free convolutions as matrix products: 1×1 as `W[O, C] · x[b][C, HW]`; k×k of
//! stride s per image and kernel tap `W[:, :, a, b] · P[C, L]` on a shifted window of the flattened
//! phase plane P of the input (no im2col), and both gradients the same way.

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops};
use burn::backend::flex::FlexTensor;
use burn::tensor::{Tensor, TensorPrimitive};
use rayon::prelude::*;

use super::buffers::{flex, gemm_strided, matmul_into, par_rows, slice_of, sum_over_images, values};
use crate::autodiff_op::record_op;
use crate::{Cpu, CpuTrain};

/// `conv.forward` for an unpadded, bias-free convolution of stride `stride` on `Flex` (see
/// `conv_values`).
pub(super) fn conv_infer(weight: Tensor<Cpu, 4>, x: Tensor<Cpu, 4>, stride: usize) -> Tensor<Cpu, 4> {
    let dims = x.dims();
    let [o, _, k, _] = weight.dims();
    let wv = values(&weight.into_primitive().tensor());
    let xv = values(&x.into_primitive().tensor());
    let y = conv_values(slice_of(&xv), slice_of(&wv), dims, [o, k, stride]);
    let out = [dims[0], o, (dims[2] - k) / stride + 1, (dims[3] - k) / stride + 1];
    Tensor::from_primitive(TensorPrimitive::Float(flex(y, out)))
}

/// A 1×1 stride-1 convolution `[N, C, H, W]` → `[N, O, H, W]` with weight `[O, C, 1, 1]` on `Flex`,
/// as batched matrix products written straight into the output.
pub(super) fn pointwise_infer(weight: Tensor<Cpu, 4>, x: Tensor<Cpu, 4>) -> Tensor<Cpu, 4> {
    let [n, c, h, w] = x.dims();
    let o = weight.dims()[0];
    let wv = values(&weight.into_primitive().tensor());
    let xv = values(&x.into_primitive().tensor());
    let y = pointwise_values(slice_of(&wv), slice_of(&xv), [n, c, h * w], o);
    Tensor::from_primitive(TensorPrimitive::Float(flex(y, [n, o, h, w])))
}

/// Gradient of the weight `[O, C, k, k]` of an unpadded convolution of stride `s` on flex tensors,
/// from its input `x` `[N, C, H, W]` and output gradient `dy` `[N, O, h, w]` (see
/// `conv_weight_grad_values`).
pub fn conv_weight_grad(x: Tensor<Cpu, 4>, dy: Tensor<Cpu, 4>, k: usize, s: usize) -> Tensor<Cpu, 4> {
    let xd = x.dims();
    let [_, o, h, w] = dy.dims();
    let xv = values(&x.into_primitive().tensor());
    let dv = values(&dy.into_primitive().tensor());
    let dw = conv_weight_grad_values(slice_of(&xv), slice_of(&dv), xd, [o, h, w], k, s);
    Tensor::from_primitive(TensorPrimitive::Float(flex(dw, [o, xd[1], k, k])))
}

#[derive(Debug, Clone)]
struct ConvState {
    weight: FlexTensor,
    x: FlexTensor,
    /// `[N, C, H, W]` of the input.
    dims: [usize; 4],
    /// `[O, k, stride]`.
    kernel: [usize; 3],
}

#[derive(Debug)]
struct ConvBackward;

impl Backward<Cpu, 2> for ConvBackward {
    type State = ConvState;
    fn backward(self, ops: Ops<ConvState, 2>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [node_w, node_x] = ops.parents.map(|p| p.map(|node| node.id));
        let dy = values(&grads.consume::<Cpu>(&ops.node));
        let dy = slice_of(&dy);
        let ConvState {
            weight,
            x,
            dims,
            kernel,
        } = ops.state;
        let [o, k, s] = kernel;
        let (h, w) = ((dims[2] - k) / s + 1, (dims[3] - k) / s + 1);
        if let Some(id) = node_x {
            let dx = conv_x_grad_values(dy, slice_of(&weight), dims, kernel);
            grads.register::<Cpu>(id, flex(dx, dims));
        }
        if let Some(id) = node_w {
            let dw = conv_weight_grad_values(slice_of(&x), dy, dims, [o, h, w], k, s);
            grads.register::<Cpu>(id, flex(dw, [o, dims[1], k, k]));
        }
    }
}

/// The convolution on `Autodiff<Flex>`: an autodiff operation with input and weight gradients.
pub(super) fn conv_train(weight: Tensor<CpuTrain, 4>, x: Tensor<CpuTrain, 4>, stride: usize) -> Tensor<CpuTrain, 4> {
    let dims = x.dims();
    let [o, _, k, _] = weight.dims();
    let kernel = [o, k, stride];
    let weight = weight.into_primitive().tensor();
    let x = x.into_primitive().tensor();
    let wv = values(&weight.primitive);
    let xv = values(&x.primitive);
    let out = [dims[0], o, (dims[2] - k) / stride + 1, (dims[3] - k) / stride + 1];
    let y = flex(conv_values(slice_of(&xv), slice_of(&wv), dims, kernel), out);
    let state = ConvState {
        weight: wv,
        x: xv,
        dims,
        kernel,
    };
    let out = record_op!(ConvBackward, [weight.node, x.node], state, y);
    Tensor::from_primitive(TensorPrimitive::Float(out))
}

/// Forward values of an unpadded convolution of stride s, weight `[O, C, k, k]`, input `[N, C, H, W]`
/// (contiguous): per image and kernel tap one matrix product `W[:, :, a, b] · P[C, L]` on a window of
/// the flattened phase plane (no im2col), accumulated into an output of row width Wp whose last
/// Wp − w columns are discarded.
fn conv_values(x: &[f32], wt: &[f32], [n, c, hx, wx]: [usize; 4], [o, k, s]: [usize; 3]) -> Vec<f32> {
    let (h, w) = ((hx - k) / s + 1, (wx - k) / s + 1);
    let kk = k * k;
    let per_image: Vec<Vec<f32>> = (0..n)
        .into_par_iter()
        .map(|b| {
            let xb = &x[b * c * hx * wx..(b + 1) * c * hx * wx];
            let planes = (s > 1).then(|| phase_planes(xb, [c, hx, wx], s, k, [h, w]));
            let (hp, wp, pdata) = match &planes {
                Some(p) => (p.hp, p.wp, &p.data[..]),
                None => (hx, wx, xb),
            };
            let len = (h - 1) * wp + w;
            let mut yp = vec![0.0f32; o * h * wp];
            for a in 0..k {
                for bb in 0..k {
                    let phase = (a % s) * s + bb % s;
                    let off = phase * c * hp * wp + (a / s) * wp + bb / s;
                    assert!(pdata.len() >= off + (c - 1) * hp * wp + len);
                    // SAFETY: yp is O×L at row stride h·Wp; W[:, :, a, b] is O×C at strides
                    // (C·k², k²); the plane window is C×L at row stride Hp·Wp (bounds checked).
                    unsafe {
                        gemm_strided(
                            yp.as_mut_ptr(),
                            [(h * wp) as isize, 1],
                            true,
                            [o, len, c],
                            wt[a * k + bb..].as_ptr(),
                            [(c * kk) as isize, kk as isize],
                            pdata[off..].as_ptr(),
                            [(hp * wp) as isize, 1],
                            n == 1,
                        )
                    };
                }
            }
            yp
        })
        .collect();
    par_rows(n * o * h * w, w, |row, out| {
        let (b, r) = (row / (o * h), row % (o * h));
        let yp = &per_image[b];
        let wp = yp.len() / (o * h);
        out.copy_from_slice(&yp[r * wp..r * wp + w]);
    })
}

/// Input gradient of [`conv_values`]: per image and tap `dP[C, L] += W[:, :, a, b]ᵀ · dy[O, L]` on
/// the shifted window of the phase plane (dy padded with zero columns to width Wp), then the planes
/// put back in place.
fn conv_x_grad_values(dy: &[f32], wt: &[f32], [n, c, hx, wx]: [usize; 4], [o, k, s]: [usize; 3]) -> Vec<f32> {
    let (h, w) = ((hx - k) / s + 1, (wx - k) / s + 1);
    let kk = k * k;
    let (hp, wp) = if s > 1 {
        (h + (k - 1) / s, w + (k - 1) / s)
    } else {
        (hx, wx)
    };
    let len = (h - 1) * wp + w;
    let per_image: Vec<Vec<f32>> = (0..n)
        .into_par_iter()
        .map(|b| {
            let dyb = &dy[b * o * h * w..(b + 1) * o * h * w];
            let dyp: Vec<f32> = dyb
                .chunks(w)
                .flat_map(|r| r.iter().copied().chain(std::iter::repeat_n(0.0, wp - w)))
                .collect();
            let mut dp = vec![0.0f32; s * s * c * hp * wp];
            for a in 0..k {
                for bb in 0..k {
                    let phase = (a % s) * s + bb % s;
                    let off = phase * c * hp * wp + (a / s) * wp + bb / s;
                    assert!(dp.len() >= off + (c - 1) * hp * wp + len);
                    assert!(dyp.len() >= (o - 1) * h * wp + len);
                    // SAFETY: the plane window is C×L at row stride Hp·Wp inside dp; W[:, :, a, b]ᵀ
                    // is C×O at strides (k², C·k²); dy is O×L at row stride h·Wp (bounds checked).
                    unsafe {
                        gemm_strided(
                            dp[off..].as_mut_ptr(),
                            [(hp * wp) as isize, 1],
                            true,
                            [c, len, o],
                            wt[a * k + bb..].as_ptr(),
                            [kk as isize, (c * kk) as isize],
                            dyp.as_ptr(),
                            [(h * wp) as isize, 1],
                            n == 1,
                        )
                    };
                }
            }
            dp
        })
        .collect();
    if s == 1 {
        return per_image.concat();
    }
    par_rows(n * c * hx * wx, wx, |row, out| {
        let (b, r) = (row / (c * hx), row % (c * hx));
        let (ch, y) = (r / hx, r % hx);
        let (py, i) = (y % s, y / s);
        if i >= hp {
            return;
        }
        let dp = &per_image[b];
        for px in 0..s {
            let start = (((py * s + px) * c + ch) * hp + i) * wp;
            for (j, &v) in dp[start..start + wp].iter().enumerate() {
                if let Some(o) = out.get_mut(px + s * j) {
                    *o = v;
                }
            }
        }
    })
}

/// The input of one image `[C, H, W]` split into the s² phase planes of a stride-s convolution with
/// kernel k and output h×w: plane (py, px) is `P[c, i, j] = x[c, py + s·i, px + s·j]` (0 outside
/// x), all planes `Hp × Wp` with `Hp = h + (k−1)/s`, `Wp = w + (k−1)/s`. Tap (a, b) of the kernel
/// then reads plane (a mod s, b mod s) shifted by `(a/s)·Wp + b/s` in the flattened plane.
struct Planes {
    data: Vec<f32>,
    hp: usize,
    wp: usize,
}

fn phase_planes(xb: &[f32], [c, hx, wx]: [usize; 3], s: usize, k: usize, [h, w]: [usize; 2]) -> Planes {
    let (hp, wp) = (h + (k - 1) / s, w + (k - 1) / s);
    let mut data = vec![0.0f32; s * s * c * hp * wp];
    for (row, out) in data.chunks_mut(wp).enumerate() {
        let i = row % hp;
        let ch = (row / hp) % c;
        let phase = row / (hp * c);
        let (py, px) = (phase / s, phase % s);
        let y = py + s * i;
        if y >= hx {
            continue;
        }
        let src = &xb[ch * hx * wx + y * wx..(ch * hx + y + 1) * wx];
        for (j, v) in out.iter_mut().enumerate() {
            if let Some(&value) = src.get(px + s * j) {
                *v = value;
            }
        }
    }
    Planes { data, hp, wp }
}

/// Gradient of the weight `[O, C, k, k]` of an unpadded convolution of stride `s`, from its input
/// `x` `[N, C, H, W]` and output gradient `dy` `[N, O, h, w]` (contiguous values):
/// `dW[o, c, a, b] = Σ_n Σ_ij dy[n, o, i, j] · x[n, c, s·i + a, s·j + b]`.
///
/// For each phase (a mod s, b mod s) the input is subsampled once (in parallel) into a plane `P`
/// with `x[n, c, s·i + a, s·j + b] = P[n, c, i + a/s, j + b/s]` (for s = 1, P is x); with `dy`
/// padded by zero columns to the plane's width `Wp`, each tap (a, b) and image is then one matrix
/// product of `dy` `[O, L]` with a window of the flattened plane shifted by `(a/s)·Wp + b/s`,
/// `[L, C]` (read in place with strides), accumulated straight into the tap's column of dW.
fn conv_weight_grad_values(
    x: &[f32],
    dy: &[f32],
    [n, c, hx, wx]: [usize; 4],
    [o, h, w]: [usize; 3],
    k: usize,
    s: usize,
) -> Vec<f32> {
    let kk = k * k;
    sum_over_images(n, o * c * kk, |b, dw| {
        let xb = &x[b * c * hx * wx..(b + 1) * c * hx * wx];
        let dyb = &dy[b * o * h * w..(b + 1) * o * h * w];
        for py in 0..s.min(k) {
            for px in 0..s.min(k) {
                let (qy_max, qx_max) = ((k - 1 - py) / s, (k - 1 - px) / s);
                let (hp, wp) = if s == 1 { (hx, wx) } else { (h + qy_max, w + qx_max) };
                let plane_owned: Vec<f32>;
                let plane: &[f32] = if s == 1 {
                    xb
                } else {
                    plane_owned = (0..c * hp)
                        .flat_map(|row| {
                            let (ch, i) = (row / hp, row % hp);
                            let src = &xb[ch * hx * wx + (py + s * i) * wx..];
                            (0..wp).map(move |j| src[px + s * j])
                        })
                        .collect();
                    &plane_owned
                };
                let dyp_owned: Vec<f32>;
                let dyp: &[f32] = if wp == w {
                    dyb
                } else {
                    dyp_owned = dyb
                        .chunks(w)
                        .flat_map(|r| r.iter().copied().chain(std::iter::repeat_n(0.0, wp - w)))
                        .collect();
                    &dyp_owned
                };
                let len = (h - 1) * wp + w;
                for qy in 0..=qy_max {
                    for qx in 0..=qx_max {
                        let off = qy * wp + qx;
                        let tap = (py + s * qy) * k + px + s * qx;
                        assert!(dyp.len() >= (o - 1) * h * wp + len);
                        assert!(plane.len() >= off + (c - 1) * hp * wp + len);
                        // SAFETY: dW[:, :, tap] is O×C at strides (C·k², k²) inside dw; dy is O×L
                        // at row stride h·Wp; the plane window is read as L×C with strides
                        // (1, Hp·Wp) from `off` — all in bounds (checked above).
                        unsafe {
                            gemm_strided(
                                dw[tap..].as_mut_ptr(),
                                [(c * kk) as isize, kk as isize],
                                true,
                                [o, c, len],
                                dyp.as_ptr(),
                                [(h * wp) as isize, 1],
                                plane[off..].as_ptr(),
                                [1, (hp * wp) as isize],
                                false,
                            )
                        };
                    }
                }
            }
        }
    })
}

/// `y[b] = W · x[b]` for `W` `[O, C]` and `x` `[N, C, HW]` (contiguous values).
fn pointwise_values(w: &[f32], x: &[f32], [n, c, hw]: [usize; 3], o: usize) -> Vec<f32> {
    let mut y = par_rows(n * o * hw, hw, |_, _| {});
    for b in 0..n {
        let xb = &x[b * c * hw..(b + 1) * c * hw];
        // SAFETY: W is [O, C] row-major, x[b] is [C, HW] row-major, both in bounds.
        unsafe {
            matmul_into(
                &mut y[b * o * hw..(b + 1) * o * hw],
                false,
                [o, hw, c],
                w.as_ptr(),
                [c as isize, 1],
                xb.as_ptr(),
                [hw as isize, 1],
            )
        };
    }
    y
}

#[derive(Debug, Clone)]
struct PointwiseState {
    weight: FlexTensor,
    x: FlexTensor,
    /// `[N, C, H, W]` of the input and O.
    dims: [usize; 4],
    out: usize,
}

#[derive(Debug)]
struct PointwiseBackward;

impl Backward<Cpu, 2> for PointwiseBackward {
    type State = PointwiseState;
    fn backward(self, ops: Ops<PointwiseState, 2>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [node_w, node_x] = ops.parents.map(|p| p.map(|node| node.id));
        let dy = values(&grads.consume::<Cpu>(&ops.node));
        let dy = slice_of(&dy);
        let PointwiseState {
            weight,
            x,
            dims: [n, c, h, wd],
            out: o,
        } = ops.state;
        let hw = h * wd;
        let (w, x) = (slice_of(&weight), slice_of(&x));
        if let Some(id) = node_x {
            let mut dx = par_rows(n * c * hw, hw, |_, _| {});
            for b in 0..n {
                // SAFETY: Wᵀ is W [O, C] read with strides (1, C); dy[b] is [O, HW] row-major.
                unsafe {
                    matmul_into(
                        &mut dx[b * c * hw..(b + 1) * c * hw],
                        false,
                        [c, hw, o],
                        w.as_ptr(),
                        [1, c as isize],
                        dy[b * o * hw..].as_ptr(),
                        [hw as isize, 1],
                    )
                };
            }
            grads.register::<Cpu>(id, flex(dx, [n, c, h, wd]));
        }
        if let Some(id) = node_w {
            let dw = sum_over_images(n, o * c, |b, dw| {
                // SAFETY: dy[b] is [O, HW] row-major; x[b]ᵀ is x[b] [C, HW] read with strides (1, HW).
                unsafe {
                    gemm_strided(
                        dw.as_mut_ptr(),
                        [c as isize, 1],
                        true,
                        [o, c, hw],
                        dy[b * o * hw..].as_ptr(),
                        [hw as isize, 1],
                        x[b * c * hw..].as_ptr(),
                        [1, hw as isize],
                        false,
                    )
                };
            });
            grads.register::<Cpu>(id, flex(dw, [o, c, 1, 1]));
        }
    }
}

/// The 1×1 convolution on `Autodiff<Flex>`: `dx[b] = Wᵀ·dy[b]`, `dW = Σ_b dy[b]·x[b]ᵀ` accumulated in
/// place.
pub(super) fn pointwise_train(weight: Tensor<CpuTrain, 4>, x: Tensor<CpuTrain, 4>) -> Tensor<CpuTrain, 4> {
    let [n, c, h, w] = x.dims();
    let o = weight.dims()[0];
    let weight = weight.into_primitive().tensor();
    let x = x.into_primitive().tensor();
    let wv = values(&weight.primitive);
    let xv = values(&x.primitive);
    let y = flex(
        pointwise_values(slice_of(&wv), slice_of(&xv), [n, c, h * w], o),
        [n, o, h, w],
    );
    let state = PointwiseState {
        weight: wv,
        x: xv,
        dims: [n, c, h, w],
        out: o,
    };
    let out = record_op!(PointwiseBackward, [weight.node, x.node], state, y);
    Tensor::from_primitive(TensorPrimitive::Float(out))
}
