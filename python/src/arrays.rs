//! float64 arrays from Python, whatever their place in memory.
//!
//! numpy allows an array whose data are not aligned to 8 bytes (`flags.aligned` false): Dask's
//! `distributed` deserialises a partition's buffers at any byte offset of the message it
//! received, and `np.frombuffer(..., offset=1)` or a field of a packed record array does the
//! same. A Rust slice or an ndarray view of such data is undefined behaviour (in a debug build,
//! ndarray stops with "The pointer must be aligned"), so these are read with unaligned loads.

use numpy::{PyArrayMethods, PyReadonlyArray1, PyUntypedArrayMethods};

/// True when the array's data may be viewed as `&[f64]` / an ndarray view.
pub fn aligned(a: &PyReadonlyArray1<'_, f64>) -> bool {
    a.is_aligned() && (a.data() as usize).is_multiple_of(std::mem::align_of::<f64>())
}

/// The values of a 1-D float64 array, copied: through a slice or a view when the data are
/// aligned, else element by element with unaligned loads (any stride).
pub fn f64_values(a: &PyReadonlyArray1<'_, f64>) -> Vec<f64> {
    if aligned(a) {
        return match a.as_slice() {
            Ok(s) => s.to_vec(),
            Err(_) => a.as_array().to_vec(),
        };
    }
    let base = a.data().cast::<u8>().cast_const();
    let stride = a.strides().first().copied().unwrap_or(0);
    (0..a.len())
        .map(|i| {
            // SAFETY: numpy guarantees that `base + i * stride` for i < len lies inside the
            // array's buffer, which the read-only borrow keeps alive and unchanged; the load
            // does not assume alignment.
            unsafe { base.offset(i as isize * stride).cast::<f64>().read_unaligned() }
        })
        .collect()
}
