//! Cells of the tidy CSV files (the mortality data and the cause-of-death data): ages, sexes,
//! years and text columns, each bad cell an error naming the file, line and column.

use crate::error::quote;
use crate::population::{Sex, MAX_AGE, YEARS};
use crate::Error;
use dimorph_core::text::num;
use dimorph_core::Location;
use dimorph_data::{ColumnData, Frame};

/// Reads the text or numeric cells of a column as strings (for `sex`, `age`, `cause`); numbers
/// in their shortest form (`1e300`, not 301 digits: messages quote these cells).
pub(crate) fn text_cells(frame: &Frame, name: &str) -> Result<Vec<Option<String>>, Error> {
    let c = frame.column(name)?;
    Ok(match &c.data {
        ColumnData::Num(v) => v
            .iter()
            .map(|x| if x.is_nan() { None } else { Some(num(*x)) })
            .collect(),
        ColumnData::Text { values, .. } => values.clone(),
    })
}

/// Parses an age cell: `85`, `85.0`, `110+` (open) or an age group as the engine and the HMD
/// label it, `1-4`, `100-104`; ages are whole numbers from 0 to [`MAX_AGE`].
/// Returns (age, open).
pub(crate) fn parse_age(cell: &str) -> Option<(f64, bool)> {
    parse_age_group(cell).map(|(a, open, _)| (a, open))
}

/// [`parse_age`] with the last age of a group label (`1-4` → `Some(4)`), `None` for one number.
pub(crate) fn parse_age_group(cell: &str) -> Option<(f64, bool, Option<f64>)> {
    let t = cell.trim();
    let whole = |s: &str| -> Option<f64> {
        let a: f64 = s.trim().parse().ok()?;
        ((0.0..=MAX_AGE).contains(&a) && a.fract() == 0.0).then_some(a)
    };
    if let Some(a) = t.strip_suffix('+') {
        return Some((whole(a)?, true, None));
    }
    if let Some((a, b)) = t.split_once('-').filter(|(a, _)| !a.trim().is_empty()) {
        let (a, b) = (whole(a)?, whole(b)?);
        return (b >= a).then_some((a, false, Some(b)));
    }
    Some((whole(t)?, false, None))
}

/// The error for an age cell [`parse_age`] refuses, naming the line and column.
pub(crate) fn bad_age(frame: &Frame, i: usize, cell: &str) -> Error {
    Error::at(
        cell_at(frame, i, "age"),
        format!(
            "{} is not an age (a whole number of years from 0 to {MAX_AGE}, a group such as '1-4', '110+' for the open group)",
            quote(cell)
        ),
    )
}

/// Sex cell, or an error naming the line.
pub(crate) fn parse_sex_cell(frame: &Frame, i: usize, cell: &Option<String>) -> Result<Sex, Error> {
    let s = cell.as_deref().unwrap_or("");
    Sex::parse(s).ok_or_else(|| {
        Error::at(
            cell_at(frame, i, "sex"),
            format!("{} is not female, male or total", quote(s)),
        )
    })
}

/// Year cell as an integer from [`YEARS`], or an error naming the line.
pub(crate) fn year_cell(frame: &Frame, i: usize, v: f64) -> Result<i32, Error> {
    let (lo, hi) = (*YEARS.start(), *YEARS.end());
    if v.fract() == 0.0 && (f64::from(lo)..=f64::from(hi)).contains(&v) {
        Ok(v as i32)
    } else if v.is_nan() {
        Err(Error::at(
            cell_at(frame, i, "year"),
            format!("is empty (a year is a whole number from {lo} to {hi})"),
        ))
    } else {
        Err(Error::at(
            cell_at(frame, i, "year"),
            format!("'{}' is not a year (a whole number from {lo} to {hi})", num(v)),
        ))
    }
}

/// Where row `i` of column `column` is: the file, its line and the column.
pub(crate) fn cell_at(frame: &Frame, i: usize, column: &str) -> Location {
    Location::file(frame.source.clone())
        .line(frame.line_of(i))
        .column(column)
}
