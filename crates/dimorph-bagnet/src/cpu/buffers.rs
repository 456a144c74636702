//! What the CPU kernels share: the values of flex tensors as slices, results written by the worker
//! threads, and matrix products with the `gemm` crate (the kernels flex itself uses).

use burn::backend::flex::FlexTensor;
use burn::tensor::backend::Backend;
use burn::tensor::{Tensor, TensorData};
use rayon::prelude::*;

/// The contiguous f32 values of a flex tensor (copied only when it is a strided view).
pub(super) fn values(t: &FlexTensor) -> FlexTensor {
    t.to_contiguous()
}

pub(super) fn slice_of(t: &FlexTensor) -> &[f32] {
    let n = t.layout().num_elements();
    let start = t.layout().start_offset();
    &t.storage::<f32>()[start..start + n]
}

pub(super) fn flex(values: Vec<f32>, shape: [usize; 4]) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(values, shape))
}

pub(super) fn vec1<B: Backend>(t: Tensor<B, 1>) -> Vec<f32> {
    t.into_data().convert::<f32>().into_vec::<f32>().unwrap_or_default()
}

/// A vector of `len` values whose rows of `hw` are written by `fill(row, out)` in parallel: first
/// written by the worker threads, not zeroed beforehand on the calling thread (which, for the large
/// tensors here, costs as much as the kernel). `fill` must write every value of its row.
pub(super) fn par_rows(len: usize, hw: usize, fill: impl Fn(usize, &mut [f32]) + Sync + Send) -> Vec<f32> {
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
pub(super) unsafe fn matmul_into(
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
pub(super) unsafe fn gemm_strided(
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
pub(super) fn sum_over_images(n: usize, len: usize, f: impl Fn(usize, &mut [f32]) + Sync + Send) -> Vec<f32> {
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
