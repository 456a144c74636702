//! The BagNet's layers on burn's CPU backend (flex 0.21) written as plain Rust over the tensors'
//! memory: parallel (rayon) loops and the `gemm` crate's matrix kernels (the ones flex uses), each
//! an autodiff operation of its own on `Autodiff<Flex>` and a plain kernel on `Flex`. Any other
//! backend (CUDA) gets the inputs back and runs burn's operations.
//!
//! Why: profiling a BagNet-33 training step on flex (67–75 s per batch of 8 at 224×224 on 2 cores,
//! PyTorch 12 s) showed most of the time outside the matrix products, and most of it on one thread:
//! - batch norm from burn's tensor operations costs about 15 full passes over its input (statistics,
//!   broadcasts, and a backward pass in which every broadcast and reduction becomes a full-size
//!   tensor), some element by element; [`bn_act`] fuses batch norm, residual add and ReLU into one
//!   pass for the statistics and one for the output, two for the gradients;
//! - burn computes a convolution's weight gradient as a convolution whose kernel is the whole output
//!   map (matrix–vector products that read the output gradient once per input channel); flex's
//!   convolution converts layouts and builds im2col buffers on the calling thread; [`conv_cpu`] and
//!   [`pointwise_cpu`] run every convolution, and both its gradients, as matrix products on shifted
//!   windows of the input (no im2col);
//! - cropping or subsampling a 4-D view is copied element by element; [`subsample_cpu`] copies rows
//!   in parallel;
//! - flex allocates every result zeroed on the calling thread and copies it once more to align it;
//!   the kernels here let the worker threads write their output first.
//!
//! The dispatch is by type (`Box<dyn Any>` downcasts), so the model stays generic over the backend.

use std::any::Any;

use burn::backend::flex::FlexTensor;
use burn::tensor::backend::Backend;
use burn::tensor::{Tensor, TensorData};
use rayon::prelude::*;

mod conv;
mod crop;
mod norm;

pub use conv::{conv_cpu, conv_weight_grad, pointwise_cpu};
pub use crop::subsample_cpu;
pub use norm::bn_act;

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
    let parts: Vec<Vec<f32>> = (0..n)
        .into_par_iter()
        .map(|b| {
            let mut acc = vec![0.0f32; len];
            f(b, &mut acc);
            acc
        })
        .collect();
    // Added in image order, so the result does not depend on how the threads took the work (a
    // resumed training run must reproduce the uninterrupted one).
    let mut total = vec![0.0f32; len];
    for part in &parts {
        for (t, v) in total.iter_mut().zip(part) {
            *t += v;
        }
    }
    total
}
