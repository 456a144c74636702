//! The clusters of a GEE fit: which model-frame rows belong to which subject (`--id`), in which
//! order, and at which wave (`--waves`, or the order of the rows) — the data layout of Liang &
//! Zeger (1986), *Longitudinal data analysis using generalized linear models*, Biometrika 73,
//! 13–22, §2: yᵢ = (yᵢ₁, …, yᵢₙᵢ) for subject i, clusters of unequal size nᵢ allowed.

use std::collections::HashMap;

use dimorph_core::Location;
use dimorph_data::{ColumnData, Frame};

use crate::design::ModelFrame;
use crate::error::{clip, GlmError, Result};

/// The clusters: model-frame rows of each, ordered by wave, with the waves.
#[derive(Debug, Clone)]
pub struct Clusters {
    /// Model-frame row indices of each cluster, by increasing wave (or in row order).
    pub rows: Vec<Vec<usize>>,
    /// The wave of each of those rows (1, 2, … without `--waves`).
    pub waves: Vec<Vec<f64>>,
    /// Whether the waves came from a column (else from the row order).
    pub from_column: bool,
}

impl Clusters {
    /// Number of clusters.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there is no cluster.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The smallest and largest cluster size.
    pub fn size_range(&self) -> (usize, usize) {
        let sizes = self.rows.iter().map(Vec::len);
        (sizes.clone().min().unwrap_or(0), sizes.max().unwrap_or(0))
    }
}

/// The value of `col` at frame row `row` as a key (numbers in R's shortest form).
fn key(col: &ColumnData, row: usize) -> String {
    match col {
        ColumnData::Num(v) => crate::expr::r_number(v[row] + 0.0),
        ColumnData::Text { values, .. } => values[row].clone().unwrap_or_default(),
    }
}

/// Groups the model-frame rows of `mf` by the `id` column of `frame` (each distinct value one
/// cluster, in order of first appearance) and orders each cluster by the `waves` column when
/// given. Refuses a missing column, a missing id or wave in a used row (naming its line), a
/// wave that is not a whole number, a wave repeated within a cluster, and a single cluster.
pub fn clusters(frame: &Frame, mf: &ModelFrame, id: &str, waves: Option<&str>) -> Result<Clusters> {
    let missing_col =
        |flag: &str, name: &str| GlmError::argument(flag, format!("no column '{}' in {}", clip(name), frame.source));
    let id_col = frame.column(id).map_err(|_| missing_col("--id", id))?;
    let wave_col = match waves {
        Some(w) => Some(frame.column(w).map_err(|_| missing_col("--waves", w))?),
        None => None,
    };
    let at = |line: usize, col: &str| Location::file(frame.source.clone()).line(line).column(col);
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut rows: Vec<Vec<usize>> = Vec::new();
    let mut wv: Vec<Vec<f64>> = Vec::new();
    for (i, &line) in mf.lines.iter().enumerate() {
        let row = line - frame.first_line;
        if id_col.is_missing(row) {
            return Err(GlmError::input(
                at(line, id),
                "the cluster id is missing (--id needs a value in every row the model uses)",
            ));
        }
        let next = ids.len();
        let g = *ids.entry(key(&id_col.data, row)).or_insert(next);
        if g == rows.len() {
            rows.push(Vec::new());
            wv.push(Vec::new());
        }
        let w = match (wave_col, waves) {
            (Some(c), Some(name)) => wave_value(c, row, line, name, frame)?,
            _ => (rows[g].len() + 1) as f64,
        };
        rows[g].push(i);
        wv[g].push(w);
    }
    if rows.len() < 2 {
        return Err(GlmError::argument(
            "--id",
            format!(
                "column '{}' has a single cluster in the {} rows the model uses; GEE needs at least 2 clusters (the empirical covariance is a sum over clusters)",
                clip(id),
                mf.n
            ),
        ));
    }
    if let Some(name) = waves {
        for (r, w) in rows.iter_mut().zip(wv.iter_mut()) {
            let mut order: Vec<usize> = (0..r.len()).collect();
            order.sort_by(|&a, &b| w[a].total_cmp(&w[b]));
            let (r2, w2): (Vec<usize>, Vec<f64>) = order.iter().map(|&k| (r[k], w[k])).unzip();
            if let Some(k) = (1..w2.len()).find(|&k| w2[k] == w2[k - 1]) {
                return Err(GlmError::input(
                    at(mf.lines[r2[k]], name),
                    format!(
                        "wave {} appears twice in the cluster {} = '{}' (a wave names one row of its cluster)",
                        crate::expr::r_number(w2[k]),
                        clip(id),
                        clip(&key(&id_col.data, mf.lines[r2[k]] - frame.first_line))
                    ),
                ));
            }
            *r = r2;
            *w = w2;
        }
    }
    Ok(Clusters {
        rows,
        waves: wv,
        from_column: waves.is_some(),
    })
}

/// The wave of frame row `row`: a whole number.
fn wave_value(col: &dimorph_data::Column, row: usize, line: usize, name: &str, frame: &Frame) -> Result<f64> {
    let at = Location::file(frame.source.clone()).line(line).column(name);
    if col.is_missing(row) {
        return Err(GlmError::input(
            at,
            "the wave is missing (--waves needs a value in every row the model uses)",
        ));
    }
    match &col.data {
        ColumnData::Num(v) if v[row].is_finite() && v[row].fract() == 0.0 && v[row].abs() < 1e9 => Ok(v[row]),
        ColumnData::Num(v) => Err(GlmError::input(
            at,
            format!(
                "the wave must be a whole number (a visit or time index), got {}",
                dimorph_core::text::num(v[row])
            ),
        )),
        ColumnData::Text { values, .. } => Err(GlmError::input(
            at,
            format!(
                "the wave must be a whole number (a visit or time index), got '{}'",
                clip(values[row].as_deref().unwrap_or(""))
            ),
        )),
    }
}
