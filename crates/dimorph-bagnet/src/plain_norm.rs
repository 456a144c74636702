//! Batch norm + residual + ReLU in training, as one autodiff operation from burn's tensor
//! operations, for any backend (CUDA): `y = act(x̂·γ + β [+ r])` with `x̂ = (x − μ)/σ`, batch
//! statistics (biased variance) and PyTorch's running-statistics update, and the backward pass of
//! [`crate::cpu::norm`]'s kernels written out once instead of derived operation by operation:
//! `dβ = Σ g`, `dγ = Σ g·x̂`, `dx = a·(g − dβ/M − x̂·dγ/M)` with `a = γ/σ`, `dr = g`, where
//! `g = dy·[y > 0]` under the ReLU and M the number of values per channel.
//!
//! Why: [`crate::plain::bn_act`] under autodiff records some 26 operations per batch norm (the
//! statistics, their tiling, the running averages, the scale and shift), each a GPU kernel launched
//! through burn's autodiff graph, and its derived backward about 40 more, most of them passes over
//! the activations. Here the forward is some 23 kernels on the inner backend with one graph node,
//! and the backward 11 passes over the activations and 7 per-channel operations.

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops};
use burn::backend::autodiff::NodeId;
use burn::backend::Autodiff;
use burn::nn::BatchNorm;
use burn::tensor::activation::relu;
use burn::tensor::backend::Backend;
use burn::tensor::{Tensor, TensorPrimitive};

use crate::autodiff_op::record_op;

/// The per-channel sums of `t` `[N, C, H, W]`, as `[C]`.
fn channel_sum<B: Backend>(t: Tensor<B, 4>) -> Tensor<B, 1> {
    let [n, c, h, w] = t.dims();
    t.reshape([n, c, h * w]).sum_dim(2).sum_dim(0).reshape([c])
}

/// A `[C]` tensor as `[1, C, 1, 1]`, to broadcast over `[N, C, H, W]`.
fn per_channel<B: Backend>(v: Tensor<B, 1>) -> Tensor<B, 4> {
    let [c] = v.dims();
    v.reshape([1, c, 1, 1])
}

/// What the backward pass needs (inner-backend tensors).
#[derive(Debug, Clone)]
struct State<B: Backend> {
    /// `x − μ`.
    centred: Tensor<B, 4>,
    /// The output, for the ReLU's mask (under the ReLU only).
    y: Option<Tensor<B, 4>>,
    /// `σ = √(var + ε)` and `a = γ/σ`, `[C]`.
    std: Tensor<B, 1>,
    a: Tensor<B, 1>,
}

/// Training-mode `act(bn(x) [+ residual])` on `Autodiff<B>`, with the running statistics of `bn`
/// updated as PyTorch's `BatchNorm2d` does (unbiased variance, momentum `bn.momentum`; the
/// cumulative mean inside [`crate::momentum::with_cumulative_statistics`]).
pub fn train<B: Backend>(
    bn: &BatchNorm<Autodiff<B>>,
    x: Tensor<Autodiff<B>, 4>,
    residual: Option<Tensor<Autodiff<B>, 4>>,
    relu_out: bool,
) -> Tensor<Autodiff<B>, 4> {
    let [n, _, h, w] = x.dims();
    let count = (n * h * w) as f64;
    let gamma_t = bn.gamma.val();
    let beta_t = bn.beta.val();
    let x = x.into_primitive().tensor();
    let xi: Tensor<B, 4> = Tensor::from_primitive(TensorPrimitive::Float(x.primitive.clone()));
    let mean = channel_sum(xi.clone()).div_scalar(count);
    let centred = xi - per_channel(mean.clone());
    let var = channel_sum(centred.clone().square()).div_scalar(count);
    // Divisions, not `recip`: burn's ndarray computes a reciprocal to about 1e-4 (an approximate
    // instruction), which 16 batch norms carry to the logits.
    let std = var.clone().add_scalar(bn.epsilon).sqrt();
    let a = gamma_t.clone().inner() / std.clone();
    let mut y = centred.clone() * per_channel(a.clone()) + per_channel(beta_t.clone().inner());
    crate::plain::update_running(bn, Tensor::from_inner(mean), Tensor::from_inner(var), count);
    let r = residual.map(|r| r.into_primitive().tensor());
    if let Some(r) = &r {
        y = y + Tensor::from_primitive(TensorPrimitive::Float(r.primitive.clone()));
    }
    if relu_out {
        y = relu(y);
    }
    let state = State {
        centred,
        y: relu_out.then(|| y.clone()),
        std,
        a,
    };
    let out = y.into_primitive().tensor();
    let gamma = gamma_t.into_primitive().tensor();
    let beta = beta_t.into_primitive().tensor();
    let done = match r {
        None => record_op!(BnBackward::<3>, [x.node, gamma.node, beta.node], state, out),
        Some(r) => record_op!(BnBackward::<4>, [x.node, gamma.node, beta.node, r.node], state, out),
    };
    Tensor::from_primitive(TensorPrimitive::Float(done))
}

/// Registers `dx`, `dγ`, `dβ` (and `dr` when the residual is a parent) for the nodes that need them.
fn register<B: Backend>(grads: &mut Gradients, s: State<B>, parents: &[Option<NodeId>], dy: Tensor<B, 4>) {
    let [n, _, h, w] = dy.dims();
    let count = (n * h * w) as f64;
    let g = match s.y {
        Some(y) => dy.mask_fill(y.lower_equal_elem(0.0), 0.0),
        None => dy,
    };
    let dbeta = channel_sum(g.clone());
    let sgx = channel_sum(g.clone() * s.centred.clone());
    let put = |grads: &mut Gradients, id: NodeId, t: Tensor<B, 4>| grads.register::<B>(id, t.into_primitive().tensor());
    if let Some(id) = parents[0] {
        // dx = a·g + k1·(x − μ) + k0 with k1 = −a·σ⁻²·Σ g·(x − μ)/M and k0 = −a·Σ g/M.
        let k1 = (s.a.clone() * sgx.clone() / s.std.clone().square()).div_scalar(-count);
        let k0 = s.a.clone() * dbeta.clone().div_scalar(-count);
        let dx = g.clone() * per_channel(s.a) + s.centred * per_channel(k1) + per_channel(k0);
        put(grads, id, dx);
    }
    if let Some(id) = parents[1] {
        grads.register::<B>(id, (sgx / s.std).into_primitive().tensor());
    }
    if let Some(id) = parents[2] {
        grads.register::<B>(id, dbeta.into_primitive().tensor());
    }
    if let Some(Some(id)) = parents.get(3).copied() {
        put(grads, id, g);
    }
}

/// The backward pass with the parents x, γ, β (N = 3) and the residual (N = 4).
#[derive(Debug)]
struct BnBackward<const N: usize>;

impl<B: Backend, const N: usize> Backward<B, N> for BnBackward<N> {
    type State = State<B>;
    fn backward(self, ops: Ops<State<B>, N>, grads: &mut Gradients, _: &mut Checkpointer) {
        let dy = Tensor::from_primitive(TensorPrimitive::Float(grads.consume::<B>(&ops.node)));
        let parents = ops.parents.map(|p| p.map(|node| node.id));
        register(grads, ops.state, &parents, dy);
    }
}
