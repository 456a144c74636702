//! Reading the values of one column, optionally split by the levels of a group column, with the
//! rows skipped and why — the input of `estimate` and `partition`.

use crate::error::{clip, num, RefintError, Result};
use dimorph_core::Location;
use dimorph_data::{ColumnData, Frame};
use serde::Serialize;
use std::collections::BTreeMap;

/// Values of one column split by a group column, with what was skipped.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Grouped {
    pub value: String,
    pub by: Option<String>,
    /// (level, values), sorted by level name; one level named "" without a group column.
    pub groups: Vec<(String, Vec<f64>)>,
    /// Rows skipped, with the reason, e.g. "12 rows with a missing CREA".
    pub skipped: Vec<String>,
}

impl Grouped {
    /// All values of all groups.
    pub fn pooled(&self) -> Vec<f64> {
        self.groups.iter().flat_map(|g| g.1.iter().copied()).collect()
    }
}

/// `file: line L: column 'c'`: where a bad cell is.
fn cell(frame: &Frame, row: usize, column: &str) -> String {
    Location::file(frame.source.as_str())
        .line(frame.line_of(row))
        .column(clip(column))
        .to_string()
        .trim_end_matches(": ")
        .to_string()
}

/// The group labels of each row (None where missing); numbers as [`num`] writes them (`2`,
/// `0.5`, `1e-300`).
fn labels(frame: &Frame, by: &str) -> Result<Vec<Option<String>>> {
    let c = frame.column(by)?;
    Ok(match &c.data {
        ColumnData::Num(v) => v
            .iter()
            .map(|e| if e.is_nan() { None } else { Some(num(*e)) })
            .collect(),
        ColumnData::Text { values, .. } => values.clone(),
    })
}

/// Reads `value` (and `by`) from a frame. Missing values and missing groups are skipped and
/// counted; non-numeric cells and, when `positive` names the rule that needs it, values ≤ 0 are
/// errors naming the file, line and column.
pub fn read_grouped(frame: &Frame, value: &str, by: Option<&str>, positive: Option<&str>) -> Result<Grouped> {
    let x = frame.numeric(value)?;
    let labels = by.map(|b| labels(frame, b)).transpose()?;
    let (mut miss_v, mut miss_g) = (0usize, 0usize);
    let mut groups: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for (i, &v) in x.iter().enumerate() {
        let g = match &labels {
            None => Some(String::new()),
            Some(l) => l[i].clone(),
        };
        let Some(g) = g else {
            miss_g += 1;
            continue;
        };
        if v.is_nan() {
            miss_v += 1;
            continue;
        }
        if !v.is_finite() {
            return Err(RefintError::Invalid {
                what: cell(frame, i, value),
                msg: format!("{v} is not a finite number"),
            });
        }
        if let Some(why) = positive.filter(|_| v <= 0.0) {
            return Err(RefintError::NonPositive {
                what: cell(frame, i, value),
                value: v,
                why: why.into(),
            });
        }
        groups.entry(g).or_default().push(v);
    }
    let mut skipped = Vec::new();
    if miss_v > 0 {
        skipped.push(format!("{miss_v} rows with a missing {}", clip(value)));
    }
    if miss_g > 0 {
        skipped.push(format!("{miss_g} rows with a missing {}", clip(by.unwrap_or(""))));
    }
    if groups.is_empty() {
        return Err(RefintError::Invalid {
            what: format!("{}: column '{}'", frame.source, clip(value)),
            msg: "no values".into(),
        });
    }
    Ok(Grouped {
        value: value.into(),
        by: by.map(Into::into),
        groups: groups.into_iter().collect(),
        skipped,
    })
}
