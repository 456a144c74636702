//! The input of an embedding: feature vectors, one row per point.

use crate::error::{EmbedError, Result};

/// Feature vectors, row-major `n × d`, stored as `f32` (the precision FIt-SNE and openTSNE's
/// neighbour search use; PCA accumulates in `f64`).
#[derive(Clone, Debug)]
pub struct Features {
    pub n: usize,
    pub d: usize,
    pub x: Vec<f32>,
}

impl Features {
    /// Checks the shape and that every value is finite (naming the first row/column that is not).
    pub fn new(n: usize, d: usize, x: Vec<f32>) -> Result<Self> {
        if x.len() != n * d {
            return Err(EmbedError::Input(format!(
                "features: {} values for {n} rows × {d} columns",
                x.len()
            )));
        }
        if let Some(p) = x.iter().position(|v| !v.is_finite()) {
            return Err(EmbedError::Input(format!(
                "features: row {} column {} is {} (every feature must be a finite number)",
                p / d.max(1) + 1,
                p % d.max(1) + 1,
                x[p]
            )));
        }
        Ok(Features { n, d, x })
    }

    /// From `f64` rows (tests, generated data).
    pub fn from_rows(rows: &[Vec<f64>]) -> Result<Self> {
        let d = rows.first().map_or(0, Vec::len);
        if let Some(i) = rows.iter().position(|r| r.len() != d) {
            return Err(EmbedError::Input(format!(
                "features: row {} has {} values, expected {d}",
                i + 1,
                rows[i].len()
            )));
        }
        let flat: Vec<f64> = rows.iter().flatten().copied().collect();
        if let Some(p) = flat.iter().position(|v| v.is_finite() && v.abs() > f32::MAX as f64) {
            return Err(EmbedError::Input(format!(
                "features: row {} column {}: the value {} is beyond single precision (±3.4e38); \
                 rescale the features (tables read by dimorph_embed::run are scaled automatically)",
                p / d.max(1) + 1,
                p % d.max(1) + 1,
                dimorph_core::text::num(flat[p])
            )));
        }
        Features::new(rows.len(), d, flat.iter().map(|&v| v as f32).collect())
    }

    /// The features multiplied by a power of two when their magnitude (above 1e15) could make a
    /// squared distance overflow `f32`: exact (every distance scaled alike, so neighbours,
    /// affinities and the rescaled PCA start are unchanged). `None` when they are fine as they are.
    pub fn scaled_for_distances(&self) -> Option<Features> {
        self.distance_exponent().map(|e| self.scaled_by_pow2(e))
    }

    /// The power of two `-e` that [`Features::scaled_for_distances`] multiplies by (`Some(e)`), or
    /// `None` when the features are fine as they are.
    pub fn distance_exponent(&self) -> Option<i32> {
        let big = self.x.iter().fold(0.0f32, |a, v| a.max(v.abs())) as f64;
        if big <= crate::limits::MAX_PLAIN {
            return None;
        }
        Some(big.log2().floor() as i32 + 1)
    }

    /// The features multiplied by 2^−e (exact: two power-of-two factors, each a normal `f32`,
    /// since 2^−128 alone would be subnormal).
    pub fn scaled_by_pow2(&self, e: i32) -> Features {
        let (f, g) = (2f32.powi(-(e / 2)), 2f32.powi(-(e - e / 2)));
        Features {
            n: self.n,
            d: self.d,
            x: self.x.iter().map(|v| v * f * g).collect(),
        }
    }

    #[inline]
    pub fn row(&self, i: usize) -> &[f32] {
        &self.x[i * self.d..(i + 1) * self.d]
    }
}
