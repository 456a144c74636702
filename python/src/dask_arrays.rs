//! `dimorph.dask.glm`'s partitions coded straight from their numeric arrays
//! ([`dimorph_glm::distributed_columns`]): the float64 numpy arrays of a pandas partition (views
//! of its blocks, or of the Arrow buffers it came from) are borrowed, not copied into a frame, and
//! X is written once. When the fast path does not apply (a factor, a missing or infinite value, a
//! non-contiguous array, …) [`glm_design_arrays`] returns `None` and the driver codes the
//! partition through a frame ([`crate::dask::glm_design_part`]), with the same result bit for bit.

use dimorph_glm::distributed::{design_columns, used_columns};
use dimorph_glm::distributed_columns::design_columns_in;
use dimorph_glm::formula::Formula;
use numpy::PyReadonlyArray1;
use pyo3::prelude::*;

use crate::dask::{spec, Model, PyGlmPart};
use crate::outcome::{guarded, input_error};

/// The columns of the data (`columns`) that the model reads — response, variables, offsets,
/// weights —, each once: what a partition needs to be coded (`.` in the formula stands for the
/// other columns, so then all of them). `design_only`: the variables' and offsets' alone (what
/// predictions need).
#[pyfunction]
#[pyo3(signature = (formula, columns, weights=None, design_only=false))]
pub fn glm_model_columns(
    formula: &str,
    columns: Vec<String>,
    weights: Option<String>,
    design_only: bool,
) -> PyResult<Vec<String>> {
    let cols: Vec<&str> = columns.iter().map(String::as_str).collect();
    let exclude: Vec<&str> = weights.as_deref().into_iter().collect();
    let f = Formula::parse_for_columns(formula, &cols, &exclude).map_err(input_error)?;
    let used = if design_only {
        design_columns(&f)
    } else {
        used_columns(&f, weights.as_deref())
    };
    Ok(used.into_iter().map(String::from).collect())
}

/// One partition of `nrows` rows coded from its numeric columns (`names[i]` holds `arrays[i]`,
/// float64, `nrows` long) with the merged levels, as [`crate::dask::glm_design_part`] codes the
/// partition's frame — or `None` when that needs the frame (see the module documentation).
#[pyfunction]
#[pyo3(signature = (names, arrays, nrows, formula, columns, levels, model, weights=None))]
#[allow(clippy::too_many_arguments)]
pub fn glm_design_arrays(
    py: Python<'_>,
    names: Vec<String>,
    arrays: Vec<PyReadonlyArray1<'_, f64>>,
    nrows: usize,
    formula: &str,
    columns: Vec<String>,
    levels: Vec<(String, Vec<String>)>,
    model: Model,
    weights: Option<String>,
) -> PyResult<Option<PyGlmPart>> {
    if names.len() != arrays.len() {
        return Err(input_error(format!(
            "glm_design_arrays: {} names for {} arrays",
            names.len(),
            arrays.len()
        )));
    }
    let spec = spec(formula, &columns, weights.as_deref(), levels)?;
    let (_, family, _) = crate::dask::model(&model)?;
    let mut slices: Vec<(&str, &[f64])> = Vec::with_capacity(arrays.len());
    for (name, a) in names.iter().zip(&arrays) {
        if !crate::arrays::aligned(a) {
            return Ok(None); // not aligned: through the frame, which copies it
        }
        let Ok(values) = a.as_slice() else {
            return Ok(None); // not contiguous: through the frame
        };
        slices.push((name.as_str(), values));
    }
    let w = weights.as_deref();
    let part = guarded(py, || design_columns_in(&spec, &slices, nrows, w, family, zeros_huge))?;
    Ok(part.map(|part| PyGlmPart { part }))
}

/// `len` zeros in memory that the kernel is asked to back with transparent huge pages (Linux,
/// from 4 MiB, as numpy does for its arrays): X of a 250,000-row partition is 38 MB, whose 9,000
/// page faults of 4 KiB took most of a re-read pass's coding on a loaded machine. Only advice:
/// where huge pages are off, the memory is the same.
fn zeros_huge(len: usize) -> Vec<f64> {
    let mut v: Vec<f64> = Vec::with_capacity(len);
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        let bytes = len.saturating_mul(std::mem::size_of::<f64>());
        if bytes >= 2 * HUGE {
            let start = v.as_mut_ptr() as usize;
            let (lo, hi) = (start.next_multiple_of(HUGE), (start + bytes) / HUGE * HUGE);
            if hi > lo {
                // SAFETY: [lo, hi) lies inside the allocation just made (capacity `len`, not yet
                // touched); MADV_HUGEPAGE changes no content, and its failure is harmless.
                unsafe {
                    libc::madvise(lo as *mut libc::c_void, hi - lo, libc::MADV_HUGEPAGE);
                }
            }
        }
    }
    v.resize(len, 0.0);
    v
}
