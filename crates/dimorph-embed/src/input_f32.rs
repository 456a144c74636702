//! Features read as single precision ([`dimorph_data::read_parquet_f32`]: a Parquet file's
//! `float32` columns, row-major, never widened to `f64`) turned into [`Features`] in place: the
//! same checks and choices as [`crate::input::features_from_frame`] — every value finite (naming
//! the file, row and column when not), constant columns left out and named, values too large or
//! too close together centred and scaled by a power of two ([`Scaling`], chosen from each
//! column's range) — on the one `f32` buffer.

use crate::error::{EmbedError, Result, LIST_NAMES};
use crate::features::Features;
use crate::input::{Scaling, Selection};
use dimorph_core::text::{clip, clip_list};
use dimorph_data::F32Matrix;

/// The features of a single-precision matrix (its columns already the selected ones), with the
/// [`Selection`] made of them.
pub fn features_from_f32(m: F32Matrix) -> Result<(Features, Selection)> {
    let (n, d) = (m.nrows, m.names.len());
    if n == 0 {
        return Err(EmbedError::Input(format!("{}: the table has no data rows", m.source)));
    }
    // per column: the range, and the first value that is not finite
    let mut lo = vec![f32::INFINITY; d];
    let mut hi = vec![f32::NEG_INFINITY; d];
    for (i, row) in m.x.chunks_exact(d).enumerate() {
        for (j, &v) in row.iter().enumerate() {
            if !v.is_finite() {
                let bad = m.x.iter().skip(j).step_by(d).filter(|v| !v.is_finite()).count();
                let what = if v.is_nan() {
                    "missing (null or NaN)".to_string()
                } else {
                    format!("{v}")
                };
                return Err(EmbedError::Input(format!(
                    "{}: row {}, column '{}': the value is {what}; every feature must be a finite number ({bad} \
                     such cell{} in this column; remove or impute those rows)",
                    m.source,
                    i + 1,
                    clip(&m.names[j]),
                    if bad == 1 { "" } else { "s" }
                )));
            }
            lo[j] = lo[j].min(v);
            hi[j] = hi[j].max(v);
        }
    }
    let keep: Vec<usize> = (0..d).filter(|&j| lo[j] != hi[j]).collect();
    let mut sel = Selection {
        columns: keep.iter().map(|&j| m.names[j].clone()).collect(),
        constant: (0..d).filter(|&j| lo[j] == hi[j]).map(|j| m.names[j].clone()).collect(),
        scaling: None,
    };
    if keep.is_empty() {
        return Err(EmbedError::Input(format!(
            "{}: every selected feature column is constant ({}): the points are identical, there is nothing to embed",
            m.source,
            clip_list(&sel.constant, LIST_NAMES)
        )));
    }
    // the scaling depends on each column's range only: choose it from (lo, hi) pairs
    let ranges: Vec<[f64; 2]> = keep.iter().map(|&j| [lo[j] as f64, hi[j] as f64]).collect();
    let slices: Vec<&[f64]> = ranges.iter().map(|r| &r[..]).collect();
    sel.scaling = Scaling::choose(&slices);
    let mut x = m.x;
    let k = keep.len();
    // leave out constant columns and scale, in place (row i's kept values move to i·k ≤ i·d)
    for i in 0..n {
        for (c, &j) in keep.iter().enumerate() {
            let v = x[i * d + j];
            x[i * k + c] = match &sel.scaling {
                Some(s) => s.apply(c, v as f64),
                None => v,
            };
        }
    }
    x.truncate(n * k);
    x.shrink_to_fit();
    Ok((Features::new(n, k, x)?, sel))
}
