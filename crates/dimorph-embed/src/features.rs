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
        Features::new(rows.len(), d, rows.iter().flatten().map(|&v| v as f32).collect())
    }

    #[inline]
    pub fn row(&self, i: usize) -> &[f32] {
        &self.x[i * self.d..(i + 1) * self.d]
    }
}
