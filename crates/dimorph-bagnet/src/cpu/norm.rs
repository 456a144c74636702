//! Batch norm + residual + ReLU, fused: `y = act(a·x + b [+ r])` with `a = γ/√(σ² + ε)`,
//! `b = β − a·μ`; one reading pass for the statistics and one for the output, and the backward pass
//! two: `dβ = Σ g`, `dγ = Σ g·x̂`, `dx = a·(g − dβ/M − x̂·dγ/M)`, `dr = g`, with `g = dy·[y > 0]`
//! under the ReLU, `x̂ = (x − μ)/σ` and M the number of values per channel.

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops};
use burn::backend::autodiff::NodeId;
use burn::backend::flex::FlexTensor;
use burn::nn::BatchNorm;
use burn::tensor::{Tensor, TensorData, TensorPrimitive};
use rayon::prelude::*;

use super::buffers::{flex, par_rows, slice_of, values, vec1};
use crate::autodiff_op::record_op;
use crate::momentum::running_momentum;
use crate::{Cpu, CpuTrain};

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
            for ((d, yv), xv) in dy[..n]
                .chunks_exact(LANES)
                .zip(y[..n].chunks_exact(LANES))
                .zip(x[..n].chunks_exact(LANES))
            {
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
pub(super) fn infer(
    bn: &BatchNorm<Cpu>,
    x: Tensor<Cpu, 4>,
    residual: Option<Tensor<Cpu, 4>>,
    relu_out: bool,
) -> Tensor<Cpu, 4> {
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

/// Training: batch statistics (biased variance), running statistics updated as PyTorch's
/// `BatchNorm2d` does (unbiased variance, momentum `bn.momentum`).
pub(super) fn train(
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

    // Running statistics, as PyTorch: the unbiased variance goes into the running estimate, and
    // inside `momentum::with_cumulative_statistics` the momentum makes a cumulative mean.
    let mom = running_momentum(bn.momentum);
    let unbiased = if count > 1.0 { count / (count - 1.0) } else { 1.0 };
    let update = |state: &burn::module::RunningState<Tensor<CpuTrain, 1>>, batch: &[f64], factor: f64| {
        let old = vec1(state.value_sync());
        let new: Vec<f32> = old
            .iter()
            .zip(batch)
            .map(|(&o, &v)| ((1.0 - mom) * o as f64 + mom * factor * v) as f32)
            .collect();
        state.update(Tensor::from_data(TensorData::new(new, [c]), &device));
    };
    update(&bn.running_mean, &mean, 1.0);
    update(&bn.running_var, &var, unbiased);

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
        None => record_op!(BnBackward::<3>, [x.node, gamma_p.node, beta_p.node], state, y),
        Some(r) => record_op!(BnBackward::<4>, [x.node, gamma_p.node, beta_p.node, r.node], state, y),
    };
    Tensor::from_primitive(TensorPrimitive::Float(out))
}

/// Registers `dx`, `dγ`, `dβ` (and `dr` when `residual` is a parent) for the nodes that need them.
fn register(grads: &mut Gradients, s: &BnState, parents: &[Option<NodeId>], dy: FlexTensor) {
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

/// The backward pass with the parents x, γ, β (N = 3) and the residual (N = 4).
#[derive(Debug)]
struct BnBackward<const N: usize>;

impl<const N: usize> Backward<Cpu, N> for BnBackward<N> {
    type State = BnState;
    fn backward(self, ops: Ops<BnState, N>, grads: &mut Gradients, _: &mut Checkpointer) {
        let dy = grads.consume::<Cpu>(&ops.node);
        let parents = ops.parents.map(|p| p.map(|node| node.id));
        register(grads, &ops.state, &parents, dy);
    }
}
