//! Fused batch norm + residual + ReLU on burn's CPU backend (flex 0.21), as plain Rust loops over the
//! tensors' memory, parallel over (image, channel) rows with rayon.
//!
//! Built from burn's tensor operations a training batch norm costs about 15 full passes over its
//! input (statistics, normalisation, broadcasts, and a backward pass in which every broadcast and
//! reduction becomes a full-size tensor), each on one thread; with its ReLU and residual add they
//! were most of a BagNet training step outside the matrix products. Here
//! `y = act(a·x + b [+ r])` with `a = γ/√(σ² + ε)`, `b = β − a·μ` is one reading pass for the
//! statistics and one for the output, and the backward pass two:
//! `dβ = Σ g`, `dγ = Σ g·x̂`, `dx = a·(g − dβ/M − x̂·dγ/M)`, `dr = g`, with `g = dy·[y > 0]`
//! under the ReLU, `x̂ = (x − μ)/σ` and M the number of values per channel.
//!
//! [`bn_act`] dispatches: `Autodiff<Flex>` gets an autodiff operation of its own (batch statistics,
//! running-statistics update as burn's `BatchNorm`), `Flex` the inference kernel (running
//! statistics), any other backend burn's operations.

use std::any::Any;

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::autodiff::NodeId;
use burn::backend::flex::FlexTensor;
use burn::nn::BatchNorm;
use burn::tensor::activation::relu;
use burn::tensor::backend::Backend;
use burn::tensor::{Tensor, TensorData, TensorPrimitive};
use rayon::prelude::*;

use crate::layers::batch_norm;
use crate::{Cpu, CpuTrain};

/// `act(bn(x) [+ residual])` with act = ReLU when `relu`, else identity; `x` and `residual`
/// `[N, C, H, W]` of the same shape.
pub fn bn_act<B: Backend>(bn: &BatchNorm<B>, x: Tensor<B, 4>, residual: Option<Tensor<B, 4>>, relu_out: bool) -> Tensor<B, 4> {
    let any: Box<dyn Any> = Box::new((bn.clone(), x, residual));
    let any = match any.downcast::<(BatchNorm<CpuTrain>, Tensor<CpuTrain, 4>, Option<Tensor<CpuTrain, 4>>)>() {
        Ok(a) => return cast(train(&a.0, a.1, a.2, relu_out)),
        Err(any) => any,
    };
    let any = match any.downcast::<(BatchNorm<Cpu>, Tensor<Cpu, 4>, Option<Tensor<Cpu, 4>>)>() {
        Ok(a) => return cast(infer(&a.0, a.1, a.2, relu_out)),
        Err(any) => any,
    };
    let Ok(a) = any.downcast::<(BatchNorm<B>, Tensor<B, 4>, Option<Tensor<B, 4>>)>() else {
        unreachable!("the box holds (BatchNorm<B>, Tensor<B, 4>, Option<Tensor<B, 4>>)")
    };
    let (_, x, residual) = *a;
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

fn cast<A: 'static, B: 'static>(a: A) -> B {
    let any: Box<dyn Any> = Box::new(a);
    match any.downcast::<B>() {
        Ok(b) => *b,
        Err(_) => unreachable!("cast between one type under two names"),
    }
}

/// The contiguous f32 values of a flex tensor (copied only when it is a strided view).
fn values(t: &FlexTensor) -> FlexTensor {
    t.to_contiguous()
}

fn slice_of(t: &FlexTensor) -> &[f32] {
    let n = t.layout().num_elements();
    let start = t.layout().start_offset();
    &t.storage::<f32>()[start..start + n]
}

fn flex(values: Vec<f32>, shape: [usize; 4]) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(values, shape))
}

fn vec1<B: Backend>(t: Tensor<B, 1>) -> Vec<f32> {
    t.into_data().convert::<f32>().into_vec::<f32>().unwrap_or_default()
}

/// Per-channel totals of `f(row)` (K sums per row) over the N·C rows of `[N, C, HW]` data.
fn channel_sums<const K: usize>(rows: usize, c: usize, f: impl Fn(usize) -> [f64; K] + Sync + Send) -> Vec<[f64; K]> {
    let per_row: Vec<[f64; K]> = (0..rows).into_par_iter().map(f).collect();
    let mut out = vec![[0.0; K]; c];
    for (r, acc) in per_row.iter().enumerate() {
        for k in 0..K {
            out[r % c][k] += acc[k];
        }
    }
    out
}

/// Lanes of independent f32 accumulators, so that the compiler vectorises the sums below (it does
/// not reorder one running float sum); each row's lanes are added in f64.
const LANES: usize = 16;

fn lanes_total(acc: [f32; LANES]) -> f64 {
    acc.iter().map(|&v| v as f64).sum()
}

/// `Σ x` and `Σ (x − μ)²` over one row are two such passes; `Σ g` and `Σ g·(x − μ)` with
/// `g = dy·[y > 0]` (or `dy`) one.
fn row_sum(x: &[f32]) -> f64 {
    let mut acc = [0.0f32; LANES];
    let chunks = x.chunks_exact(LANES);
    let tail: f64 = chunks.remainder().iter().map(|&v| v as f64).sum();
    for ch in chunks {
        for (a, &v) in acc.iter_mut().zip(ch) {
            *a += v;
        }
    }
    lanes_total(acc) + tail
}

fn row_centred_squares(x: &[f32], mu: f32) -> f64 {
    let mut acc = [0.0f32; LANES];
    let chunks = x.chunks_exact(LANES);
    let tail: f64 = chunks.remainder().iter().map(|&v| ((v - mu) as f64).powi(2)).sum();
    for ch in chunks {
        for (a, &v) in acc.iter_mut().zip(ch) {
            let d = v - mu;
            *a += d * d;
        }
    }
    lanes_total(acc) + tail
}

fn row_grad_sums(dy: &[f32], y: Option<&[f32]>, x: &[f32], mu: f32) -> [f64; 2] {
    let (mut sg, mut sgx) = ([0.0f32; LANES], [0.0f32; LANES]);
    let n = x.len() - x.len() % LANES;
    let (mut tg, mut tgx) = (0.0f64, 0.0f64);
    match y {
        Some(y) => {
            for ((d, yv), xv) in dy[..n].chunks_exact(LANES).zip(y[..n].chunks_exact(LANES)).zip(x[..n].chunks_exact(LANES)) {
                for l in 0..LANES {
                    let g = if yv[l] > 0.0 { d[l] } else { 0.0 };
                    sg[l] += g;
                    sgx[l] += g * (xv[l] - mu);
                }
            }
            for i in n..x.len() {
                let g = if y[i] > 0.0 { dy[i] as f64 } else { 0.0 };
                tg += g;
                tgx += g * (x[i] - mu) as f64;
            }
        }
        None => {
            for (d, xv) in dy[..n].chunks_exact(LANES).zip(x[..n].chunks_exact(LANES)) {
                for l in 0..LANES {
                    sg[l] += d[l];
                    sgx[l] += d[l] * (xv[l] - mu);
                }
            }
            for i in n..x.len() {
                tg += dy[i] as f64;
                tgx += dy[i] as f64 * (x[i] - mu) as f64;
            }
        }
    }
    [lanes_total(sg) + tg, lanes_total(sgx) + tgx]
}

/// A vector of `len` values whose rows of `hw` are written by `fill(row, out)` in parallel: first
/// written by the worker threads, not zeroed beforehand on the calling thread (which, for the large
/// tensors here, costs as much as the kernel). `fill` must write every value of its row.
fn par_rows(len: usize, hw: usize, fill: impl Fn(usize, &mut [f32]) + Sync + Send) -> Vec<f32> {
    let mut v: Vec<f32> = Vec::with_capacity(len);
    v.spare_capacity_mut()[..len]
        .par_chunks_mut(hw)
        .enumerate()
        .for_each(|(row, out)| {
            // Give the row defined values (a plain store, not a separate pass over memory) so `fill`
            // sees an ordinary slice.
            for o in out.iter_mut() {
                o.write(0.0);
            }
            // SAFETY: every element of `out` was initialised just above.
            let out = unsafe { &mut *(out as *mut [std::mem::MaybeUninit<f32>] as *mut [f32]) };
            fill(row, out);
        });
    // SAFETY: the loop above initialised all `len` elements.
    unsafe { v.set_len(len) };
    v
}

/// `y = act(a_c·x + b_c [+ r])` over `[N, C, HW]` rows.
fn affine_act(x: &[f32], r: Option<&[f32]>, a: &[f32], b: &[f32], hw: usize, relu_out: bool) -> Vec<f32> {
    let c = a.len();
    par_rows(x.len(), hw, |row, out| {
        let (ac, bc) = (a[row % c], b[row % c]);
        let xs = &x[row * hw..(row + 1) * hw];
        match r {
            Some(r) => {
                let rs = &r[row * hw..(row + 1) * hw];
                for ((o, &xv), &rv) in out.iter_mut().zip(xs).zip(rs) {
                    *o = ac * xv + bc + rv;
                }
            }
            None => {
                for (o, &xv) in out.iter_mut().zip(xs) {
                    *o = ac * xv + bc;
                }
            }
        }
        if relu_out {
            for o in out.iter_mut() {
                *o = o.max(0.0);
            }
        }
    })
}

/// Inference: running statistics.
fn infer(bn: &BatchNorm<Cpu>, x: Tensor<Cpu, 4>, residual: Option<Tensor<Cpu, 4>>, relu_out: bool) -> Tensor<Cpu, 4> {
    let shape = x.dims();
    let [_, c, h, w] = shape;
    let mean = vec1(bn.running_mean.value());
    let var = vec1(bn.running_var.value());
    let gamma = vec1(bn.gamma.val());
    let beta = vec1(bn.beta.val());
    let a: Vec<f32> = (0..c).map(|k| gamma[k] / (var[k] + bn.epsilon as f32).sqrt()).collect();
    let b: Vec<f32> = (0..c).map(|k| beta[k] - a[k] * mean[k]).collect();
    let x = values(&x.into_primitive().tensor());
    let r = residual.map(|r| values(&r.into_primitive().tensor()));
    let y = affine_act(slice_of(&x), r.as_ref().map(slice_of), &a, &b, h * w, relu_out);
    Tensor::from_primitive(TensorPrimitive::Float(flex(y, shape)))
}

/// What the backward pass needs.
#[derive(Debug, Clone)]
struct BnState {
    x: FlexTensor,
    /// The output, for the ReLU mask.
    y: Option<FlexTensor>,
    a: Vec<f32>,
    mean: Vec<f32>,
    inv_std: Vec<f32>,
    shape: [usize; 4],
}

/// Gradients `(dx, dγ, dβ, g)` from the output gradient `dy`; `g` is `dy` through the ReLU (only
/// computed under the ReLU: without it `g = dy`).
fn backward_values(s: &BnState, dy: &FlexTensor) -> (Vec<f32>, Vec<f32>, Vec<f32>, Option<Vec<f32>>) {
    let [n, c, h, w] = s.shape;
    let hw = h * w;
    let m = (n * hw) as f64;
    let dy = values(dy);
    let dy = slice_of(&dy);
    let x = slice_of(&s.x);
    let y = s.y.as_ref().map(slice_of);
    let row = |r: usize| r * hw..(r + 1) * hw;
    let sums = channel_sums::<2>(n * c, c, |r| {
        row_grad_sums(&dy[row(r)], y.map(|y| &y[row(r)]), &x[row(r)], s.mean[r % c])
    });
    // dβ = Σ g; dγ = Σ g·x̂ = Σ g·(x − μ)/σ.
    let dbeta: Vec<f64> = sums.iter().map(|v| v[0]).collect();
    let dgamma: Vec<f64> = (0..c).map(|k| sums[k][1] * s.inv_std[k] as f64).collect();
    // dx = a·(g − dβ/M − (x − μ)·inv_std·dγ/M) = a·g + k1·(x − μ) + k0.
    let k1: Vec<f32> = (0..c)
        .map(|k| (-(s.a[k] as f64) * s.inv_std[k] as f64 * dgamma[k] / m) as f32)
        .collect();
    let k0: Vec<f32> = (0..c).map(|k| (-(s.a[k] as f64) * dbeta[k] / m) as f32).collect();
    let dx = par_rows(x.len(), hw, |r, out| {
        let k = r % c;
        let (a, k1, k0, mu) = (s.a[k], k1[k], k0[k], s.mean[k]);
        let (d, xs) = (&dy[row(r)], &x[row(r)]);
        match y {
            Some(y) => {
                for (((o, &dv), &yv), &xv) in out.iter_mut().zip(d).zip(&y[row(r)]).zip(xs) {
                    let g = if yv > 0.0 { dv } else { 0.0 };
                    *o = a * g + k1 * (xv - mu) + k0;
                }
            }
            None => {
                for ((o, &dv), &xv) in out.iter_mut().zip(d).zip(xs) {
                    *o = a * dv + k1 * (xv - mu) + k0;
                }
            }
        }
    });
    let g = y.map(|y| {
        par_rows(x.len(), hw, |r, out| {
            for ((o, &dv), &yv) in out.iter_mut().zip(&dy[row(r)]).zip(&y[row(r)]) {
                *o = if yv > 0.0 { dv } else { 0.0 };
            }
        })
    });
    let to32 = |v: Vec<f64>| v.into_iter().map(|v| v as f32).collect::<Vec<f32>>();
    (dx, to32(dgamma), to32(dbeta), g)
}

/// Training: batch statistics, running statistics updated as burn's `BatchNorm` does (biased
/// variance, momentum `bn.momentum`).
fn train(
    bn: &BatchNorm<CpuTrain>,
    x: Tensor<CpuTrain, 4>,
    residual: Option<Tensor<CpuTrain, 4>>,
    relu_out: bool,
) -> Tensor<CpuTrain, 4> {
    let shape = x.dims();
    let [n, c, h, w] = shape;
    let hw = h * w;
    let device = x.device();
    let gamma_t = bn.gamma.val();
    let beta_t = bn.beta.val();
    let gamma = vec1(gamma_t.clone().inner());
    let beta = vec1(beta_t.clone().inner());
    let x = x.into_primitive().tensor();
    let xv = values(&x.primitive);
    let xs = slice_of(&xv);
    let row = |r: usize| r * hw..(r + 1) * hw;
    let count = (n * hw) as f64;
    let mean: Vec<f64> = channel_sums::<1>(n * c, c, |r| [row_sum(&xs[row(r)])])
        .iter()
        .map(|s| s[0] / count)
        .collect();
    let var: Vec<f64> = channel_sums::<1>(n * c, c, |r| [row_centred_squares(&xs[row(r)], mean[r % c] as f32)])
        .iter()
        .map(|s| s[0] / count)
        .collect();
    let inv_std: Vec<f32> = var.iter().map(|v| (1.0 / (v + bn.epsilon).sqrt()) as f32).collect();
    let a: Vec<f32> = (0..c).map(|k| gamma[k] * inv_std[k]).collect();
    let b: Vec<f32> = (0..c).map(|k| beta[k] - a[k] * mean[k] as f32).collect();

    // Running statistics.
    let mom = bn.momentum;
    let update = |state: &burn::module::RunningState<Tensor<CpuTrain, 1>>, batch: &[f64]| {
        let old = vec1(state.value_sync());
        let new: Vec<f32> = old
            .iter()
            .zip(batch)
            .map(|(&o, &v)| ((1.0 - mom) * o as f64 + mom * v) as f32)
            .collect();
        state.update(Tensor::from_data(TensorData::new(new, [c]), &device));
    };
    update(&bn.running_mean, &mean);
    update(&bn.running_var, &var);

    let r = residual.map(|r| r.into_primitive().tensor());
    let rv = r.as_ref().map(|r| values(&r.primitive));
    let y = flex(affine_act(xs, rv.as_ref().map(slice_of), &a, &b, hw, relu_out), shape);
    let state = BnState {
        x: xv.clone(),
        y: relu_out.then(|| y.clone()),
        a,
        mean: mean.iter().map(|&m| m as f32).collect(),
        inv_std,
        shape,
    };
    let gamma_p = gamma_t.into_primitive().tensor();
    let beta_p = beta_t.into_primitive().tensor();
    let out = match r {
        None => match BnBackward
            .prepare::<NoCheckpointing>([x.node.clone(), gamma_p.node.clone(), beta_p.node.clone()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => prep.finish(state, y),
            OpsKind::UnTracked(prep) => prep.finish(y),
        },
        Some(r) => match BnResBackward
            .prepare::<NoCheckpointing>([
                x.node.clone(),
                gamma_p.node.clone(),
                beta_p.node.clone(),
                r.node.clone(),
            ])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => prep.finish(state, y),
            OpsKind::UnTracked(prep) => prep.finish(y),
        },
    };
    Tensor::from_primitive(TensorPrimitive::Float(out))
}

/// Registers `dx`, `dγ`, `dβ` (and `dr` when `residual` is a parent) for the nodes that need them.
fn register(
    grads: &mut Gradients,
    s: &BnState,
    parents: &[Option<NodeId>],
    dy: FlexTensor,
) {
    let [_, c, _, _] = s.shape;
    let (dx, dgamma, dbeta, g) = backward_values(s, &dy);
    let vec_c = |v: Vec<f32>| FlexTensor::from_data(TensorData::new(v, [c]));
    if let Some(id) = parents[0] {
        grads.register::<Cpu>(id, flex(dx, s.shape));
    }
    if let Some(id) = parents[1] {
        grads.register::<Cpu>(id, vec_c(dgamma));
    }
    if let Some(id) = parents[2] {
        grads.register::<Cpu>(id, vec_c(dbeta));
    }
    if let Some(Some(id)) = parents.get(3).copied() {
        // Without the ReLU the residual's gradient is the output's.
        let dr = match g {
            Some(g) => flex(g, s.shape),
            None => dy,
        };
        grads.register::<Cpu>(id, dr);
    }
}

#[derive(Debug)]
struct BnBackward;

impl Backward<Cpu, 3> for BnBackward {
    type State = BnState;
    fn backward(self, ops: Ops<BnState, 3>, grads: &mut Gradients, _: &mut Checkpointer) {
        let dy = grads.consume::<Cpu>(&ops.node);
        let parents = ops.parents.map(|p| p.map(|node| node.id));
        register(grads, &ops.state, &parents, dy);
    }
}

#[derive(Debug)]
struct BnResBackward;

impl Backward<Cpu, 4> for BnResBackward {
    type State = BnState;
    fn backward(self, ops: Ops<BnState, 4>, grads: &mut Gradients, _: &mut Checkpointer) {
        let dy = grads.consume::<Cpu>(&ops.node);
        let parents = ops.parents.map(|p| p.map(|node| node.id));
        register(grads, &ops.state, &parents, dy);
    }
}

/// `dst[m×n] (+)= lhs[m×k] · rhs[k×n]` with the `gemm` crate (the kernels flex uses), rows and
/// columns given by strides; parallel on rayon's pool. `dst` must hold `m·n` values at row stride n.
///
/// # Safety
/// `lhs` and `rhs` must point at matrices of the given shapes and strides.
#[allow(clippy::too_many_arguments)]
unsafe fn matmul_into(
    dst: &mut [f32],
    accumulate: bool,
    [m, n, k]: [usize; 3],
    lhs: *const f32,
    lhs_strides: [isize; 2],
    rhs: *const f32,
    rhs_strides: [isize; 2],
) {
    assert!(dst.len() >= m * n);
    // SAFETY: `dst` holds m·n values at row stride n (checked above); the caller vouches for lhs/rhs.
    unsafe {
        gemm_strided(
            dst.as_mut_ptr(),
            [n as isize, 1],
            accumulate,
            [m, n, k],
            lhs,
            lhs_strides,
            rhs,
            rhs_strides,
            true,
        )
    }
}

/// [`matmul_into`] with a strided destination.
///
/// # Safety
/// All three pointers must address matrices of the given shapes and strides.
#[allow(clippy::too_many_arguments)]
unsafe fn gemm_strided(
    dst: *mut f32,
    [dst_rs, dst_cs]: [isize; 2],
    accumulate: bool,
    [m, n, k]: [usize; 3],
    lhs: *const f32,
    [lhs_rs, lhs_cs]: [isize; 2],
    rhs: *const f32,
    [rhs_rs, rhs_cs]: [isize; 2],
    parallel: bool,
) {
    // SAFETY: forwarded from the caller.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst,
            dst_cs,
            dst_rs,
            accumulate,
            lhs,
            lhs_cs,
            lhs_rs,
            rhs,
            rhs_cs,
            rhs_rs,
            1.0,
            1.0,
            false,
            false,
            false,
            if parallel {
                gemm::Parallelism::Rayon(0)
            } else {
                gemm::Parallelism::None
            },
        )
    }
}

/// `Σ_b f(b)` for per-image contributions `f(b, acc)` accumulated into `acc` (of `len` zeros): the
/// images run in parallel, each on one thread, which suits the weight gradients (a small output
/// and a long inner dimension, which gemm's own threading splits poorly).
fn sum_over_images(n: usize, len: usize, f: impl Fn(usize, &mut [f32]) + Sync + Send) -> Vec<f32> {
    (0..n)
        .into_par_iter()
        .map(|b| {
            let mut acc = vec![0.0f32; len];
            f(b, &mut acc);
            acc
        })
        .reduce_with(|mut a, b| {
            for (x, y) in a.iter_mut().zip(&b) {
                *x += y;
            }
            a
        })
        .unwrap_or_else(|| vec![0.0; len])
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
fn conv_weight_grad_values(x: &[f32], dy: &[f32], [n, c, hx, wx]: [usize; 4], [o, h, w]: [usize; 3], k: usize, s: usize) -> Vec<f32> {
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

/// [`conv_weight_grad_values`] on flex tensors.
pub fn conv_weight_grad(x: Tensor<Cpu, 4>, dy: Tensor<Cpu, 4>, k: usize, s: usize) -> Tensor<Cpu, 4> {
    let xd = x.dims();
    let [_, o, h, w] = dy.dims();
    let xv = values(&x.into_primitive().tensor());
    let dv = values(&dy.into_primitive().tensor());
    let dw = conv_weight_grad_values(slice_of(&xv), slice_of(&dv), xd, [o, h, w], k, s);
    Tensor::from_primitive(TensorPrimitive::Float(flex(dw, [o, xd[1], k, k])))
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

/// A 1×1 stride-1 convolution `[N, C, H, W]` → `[N, O, H, W]` with weight `[O, C, 1, 1]`, as batched
/// matrix products written straight into the output: an autodiff operation on `Autodiff<Flex>`
/// (`dx[b] = Wᵀ·dy[b]`, `dW = Σ_b dy[b]·x[b]ᵀ` accumulated in place), plain on `Flex`; `None` on
/// other backends.
pub fn pointwise_cpu<B: Backend>(weight: Tensor<B, 4>, x: Tensor<B, 4>) -> Result<Tensor<B, 4>, (Tensor<B, 4>, Tensor<B, 4>)> {
    let any: Box<dyn Any> = Box::new((weight, x));
    let any = match any.downcast::<(Tensor<CpuTrain, 4>, Tensor<CpuTrain, 4>)>() {
        Ok(a) => return Ok(cast(pointwise_train(a.0, a.1))),
        Err(any) => any,
    };
    let any = match any.downcast::<(Tensor<Cpu, 4>, Tensor<Cpu, 4>)>() {
        Ok(a) => {
            let [n, c, h, w] = a.1.dims();
            let o = a.0.dims()[0];
            let wv = values(&a.0.into_primitive().tensor());
            let xv = values(&a.1.into_primitive().tensor());
            let y = pointwise_values(slice_of(&wv), slice_of(&xv), [n, c, h * w], o);
            return Ok(cast(Tensor::<Cpu, 4>::from_primitive(TensorPrimitive::Float(flex(y, [n, o, h, w])))));
        }
        Err(any) => any,
    };
    match any.downcast::<(Tensor<B, 4>, Tensor<B, 4>)>() {
        Ok(a) => Err(*a),
        Err(_) => unreachable!("the box holds (Tensor<B, 4>, Tensor<B, 4>)"),
    }
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
        let PointwiseState { weight, x, dims: [n, c, h, wd], out: o } = ops.state;
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

fn pointwise_train(weight: Tensor<CpuTrain, 4>, x: Tensor<CpuTrain, 4>) -> Tensor<CpuTrain, 4> {
    let [n, c, h, w] = x.dims();
    let o = weight.dims()[0];
    let weight = weight.into_primitive().tensor();
    let x = x.into_primitive().tensor();
    let wv = values(&weight.primitive);
    let xv = values(&x.primitive);
    let y = flex(pointwise_values(slice_of(&wv), slice_of(&xv), [n, c, h * w], o), [n, o, h, w]);
    let out = match PointwiseBackward
        .prepare::<NoCheckpointing>([weight.node.clone(), x.node.clone()])
        .compute_bound()
        .stateful()
    {
        OpsKind::Tracked(prep) => prep.finish(
            PointwiseState {
                weight: wv,
                x: xv,
                dims: [n, c, h, w],
                out: o,
            },
            y,
        ),
        OpsKind::UnTracked(prep) => prep.finish(y),
    };
    Tensor::from_primitive(TensorPrimitive::Float(out))
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
    let (hp, wp) = if s > 1 { (h + (k - 1) / s, w + (k - 1) / s) } else { (hx, wx) };
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

/// `conv.forward` for an unpadded, bias-free convolution of stride `stride` with the kernels above:
/// an autodiff operation on `Autodiff<Flex>` (input and weight gradients), plain on `Flex`; the
/// inputs back on other backends.
pub fn conv_cpu<B: Backend>(
    weight: Tensor<B, 4>,
    x: Tensor<B, 4>,
    stride: usize,
) -> Result<Tensor<B, 4>, (Tensor<B, 4>, Tensor<B, 4>)> {
    let any: Box<dyn Any> = Box::new((weight, x));
    let any = match any.downcast::<(Tensor<CpuTrain, 4>, Tensor<CpuTrain, 4>)>() {
        Ok(a) => return Ok(cast(conv_train(a.0, a.1, stride))),
        Err(any) => any,
    };
    let any = match any.downcast::<(Tensor<Cpu, 4>, Tensor<Cpu, 4>)>() {
        Ok(a) => {
            let dims = a.1.dims();
            let [o, _, k, _] = a.0.dims();
            let wv = values(&a.0.into_primitive().tensor());
            let xv = values(&a.1.into_primitive().tensor());
            let y = conv_values(slice_of(&xv), slice_of(&wv), dims, [o, k, stride]);
            let out = [dims[0], o, (dims[2] - k) / stride + 1, (dims[3] - k) / stride + 1];
            return Ok(cast(Tensor::<Cpu, 4>::from_primitive(TensorPrimitive::Float(flex(y, out)))));
        }
        Err(any) => any,
    };
    match any.downcast::<(Tensor<B, 4>, Tensor<B, 4>)>() {
        Ok(a) => Err(*a),
        Err(_) => unreachable!("the box holds (Tensor<B, 4>, Tensor<B, 4>)"),
    }
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
        let ConvState { weight, x, dims, kernel } = ops.state;
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

fn conv_train(weight: Tensor<CpuTrain, 4>, x: Tensor<CpuTrain, 4>, stride: usize) -> Tensor<CpuTrain, 4> {
    let dims = x.dims();
    let [o, _, k, _] = weight.dims();
    let kernel = [o, k, stride];
    let weight = weight.into_primitive().tensor();
    let x = x.into_primitive().tensor();
    let wv = values(&weight.primitive);
    let xv = values(&x.primitive);
    let out = [dims[0], o, (dims[2] - k) / stride + 1, (dims[3] - k) / stride + 1];
    let y = flex(conv_values(slice_of(&xv), slice_of(&wv), dims, kernel), out);
    let out = match ConvBackward
        .prepare::<NoCheckpointing>([weight.node.clone(), x.node.clone()])
        .compute_bound()
        .stateful()
    {
        OpsKind::Tracked(prep) => prep.finish(
            ConvState {
                weight: wv,
                x: xv,
                dims,
                kernel,
            },
            y,
        ),
        OpsKind::UnTracked(prep) => prep.finish(y),
    };
    Tensor::from_primitive(TensorPrimitive::Float(out))
}

/// `x[:, :, y0 : y0 + s·h : s, x0 : x0 + s·w : s]` `[N, C, h, w]`, copied row by row in parallel: an
/// autodiff operation on `Autodiff<Flex>` (its gradient put back in place, zeros elsewhere), plain
/// on `Flex`; the input back on other backends. The grid must lie inside x.
pub fn subsample_cpu<B: Backend>(x: Tensor<B, 4>, s: usize, origin: [usize; 2], [h, w]: [usize; 2]) -> Result<Tensor<B, 4>, Tensor<B, 4>> {
    let any: Box<dyn Any> = Box::new(x);
    let any = match any.downcast::<Tensor<CpuTrain, 4>>() {
        Ok(x) => return Ok(cast(subsample_train(*x, s, origin, [h, w]))),
        Err(any) => any,
    };
    let any = match any.downcast::<Tensor<Cpu, 4>>() {
        Ok(x) => {
            let dims = x.dims();
            let xv = values(&x.into_primitive().tensor());
            let y = crop_values(slice_of(&xv), dims, s, origin, [h, w]);
            return Ok(cast(Tensor::<Cpu, 4>::from_primitive(TensorPrimitive::Float(flex(y, [dims[0], dims[1], h, w])))));
        }
        Err(any) => any,
    };
    match any.downcast::<Tensor<B, 4>>() {
        Ok(x) => Err(*x),
        Err(_) => unreachable!("the box holds a Tensor<B, 4>"),
    }
}

fn crop_values(x: &[f32], [n, c, hx, wx]: [usize; 4], s: usize, [y0, x0]: [usize; 2], [h, w]: [usize; 2]) -> Vec<f32> {
    par_rows(n * c * h * w, w, |row, out| {
        let (nc, i) = (row / h, row % h);
        let src = &x[nc * hx * wx + (y0 + s * i) * wx + x0..];
        for (j, v) in out.iter_mut().enumerate() {
            *v = src[s * j];
        }
    })
}

#[derive(Debug, Clone)]
struct CropState {
    dims: [usize; 4],
    s: usize,
    origin: [usize; 2],
    out: [usize; 2],
}

#[derive(Debug)]
struct CropBackward;

impl Backward<Cpu, 1> for CropBackward {
    type State = CropState;
    fn backward(self, ops: Ops<CropState, 1>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [node] = ops.parents.map(|p| p.map(|node| node.id));
        let dy = values(&grads.consume::<Cpu>(&ops.node));
        let dy = slice_of(&dy);
        let CropState { dims, s, origin: [y0, x0], out: [h, w] } = ops.state;
        let [n, c, hx, wx] = dims;
        if let Some(id) = node {
            let dx = par_rows(n * c * hx * wx, wx, |row, out| {
                let (nc, y) = (row / hx, row % hx);
                if y < y0 || (y - y0) % s != 0 || (y - y0) / s >= h {
                    return;
                }
                let src = &dy[(nc * h + (y - y0) / s) * w..][..w];
                for (j, &v) in src.iter().enumerate() {
                    out[x0 + s * j] = v;
                }
            });
            grads.register::<Cpu>(id, flex(dx, dims));
        }
    }
}

fn subsample_train(x: Tensor<CpuTrain, 4>, s: usize, origin: [usize; 2], out: [usize; 2]) -> Tensor<CpuTrain, 4> {
    let dims = x.dims();
    let x = x.into_primitive().tensor();
    let xv = values(&x.primitive);
    let y = flex(crop_values(slice_of(&xv), dims, s, origin, out), [dims[0], dims[1], out[0], out[1]]);
    let y = match CropBackward.prepare::<NoCheckpointing>([x.node.clone()]).compute_bound().stateful() {
        OpsKind::Tracked(prep) => prep.finish(CropState { dims, s, origin, out }, y),
        OpsKind::UnTracked(prep) => prep.finish(y),
    };
    Tensor::from_primitive(TensorPrimitive::Float(y))
}
