//! Strided crops `x[:, :, y0 : y0 + s·h : s, x0 : x0 + s·w : s]` copied row by row in parallel.

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops};
use burn::tensor::{Tensor, TensorPrimitive};

use super::buffers::{flex, par_rows, slice_of, values};
use crate::autodiff_op::record_op;
use crate::{Cpu, CpuTrain};

/// `x[:, :, y0 : y0 + s·h : s, x0 : x0 + s·w : s]` `[N, C, h, w]` on `Flex`, copied row by row in
/// parallel; the grid must lie inside x.
pub(super) fn subsample_infer(x: Tensor<Cpu, 4>, s: usize, origin: [usize; 2], [h, w]: [usize; 2]) -> Tensor<Cpu, 4> {
    let dims = x.dims();
    let xv = values(&x.into_primitive().tensor());
    let y = crop_values(slice_of(&xv), dims, s, origin, [h, w]);
    Tensor::from_primitive(TensorPrimitive::Float(flex(y, [dims[0], dims[1], h, w])))
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
        let CropState {
            dims,
            s,
            origin: [y0, x0],
            out: [h, w],
        } = ops.state;
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

/// The same crop on `Autodiff<Flex>`: an autodiff operation whose gradient is put back in place
/// (zeros elsewhere).
pub(super) fn subsample_train(
    x: Tensor<CpuTrain, 4>,
    s: usize,
    origin: [usize; 2],
    out: [usize; 2],
) -> Tensor<CpuTrain, 4> {
    let dims = x.dims();
    let x = x.into_primitive().tensor();
    let xv = values(&x.primitive);
    let y = flex(
        crop_values(slice_of(&xv), dims, s, origin, out),
        [dims[0], dims[1], out[0], out[1]],
    );
    let y = record_op!(CropBackward, [x.node], CropState { dims, s, origin, out }, y);
    Tensor::from_primitive(TensorPrimitive::Float(y))
}
