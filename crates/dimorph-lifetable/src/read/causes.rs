//! The cause-of-death CSV reader: `year, sex, age, deaths`, an optional `open_interval` and a
//! cause column into [`CauseDeaths`] ([`CauseDeaths::read_csv`]).

use super::cells::{bad_age, cell_at, parse_age, parse_sex_cell, text_cells, year_cell};
use crate::causes::{CauseDeaths, CauseRow};
use crate::error::quote;
use crate::population::Sex;
use crate::Error;
use dimorph_core::text::{clip_to, CLIP_CHARS};
use dimorph_data::Frame;
use std::collections::BTreeMap;
use std::path::Path;

/// The most cause groups one analysis takes: every group gets its own age × years-left matrices
/// per sex (about 0.1 MB each at 111 ages), and grouping schemes in use have up to ~40 (ICD-10
/// chapters: 22; the paper's groups: 7).
pub const MAX_CAUSE_GROUPS: usize = 100;

impl CauseDeaths {
    /// Reads a CSV with columns `year, sex, age, deaths`, an optional `open_interval` and a
    /// cause column: `group_column` when given, else the first of `paper_group`, `cause`,
    /// `cause_id` that exists.
    pub fn read_csv(path: &Path, group_column: Option<&str>) -> Result<CauseDeaths, Error> {
        let frame = dimorph_data::read_csv(path)?;
        CauseDeaths::from_frame(&frame, group_column)
    }

    /// [`CauseDeaths::read_csv`] on a table already in memory (a data frame from Python):
    /// the same columns and checks; messages name `frame.source` and its lines.
    pub fn from_frame(frame: &Frame, group_column: Option<&str>) -> Result<CauseDeaths, Error> {
        let col = cause_column(frame, group_column)?;
        let names = frame.names();
        let years = frame.numeric("year")?.to_vec();
        let sexes = text_cells(frame, "sex")?;
        let ages = text_cells(frame, "age")?;
        let deaths = frame.numeric("deaths")?.to_vec();
        let causes = text_cells(frame, &col)?;
        let open = if names.contains(&"open_interval") {
            Some(frame.numeric("open_interval")?.to_vec())
        } else {
            None
        };
        // repeated rows are detected on the finest cause key available
        let fine = if names.contains(&"cause_id") {
            Some(text_cells(frame, "cause_id")?)
        } else {
            None
        };
        let source = frame.source.clone();
        let mut seen: BTreeMap<(i32, Sex, u64, String), usize> = BTreeMap::new();
        let mut rows = Vec::with_capacity(frame.nrows);
        for i in 0..frame.nrows {
            let line = frame.line_of(i);
            let year = year_cell(frame, i, years[i])?;
            let sex = parse_sex_cell(frame, i, &sexes[i])?;
            let cell = ages[i].clone().unwrap_or_default();
            let (age, mut is_open) = parse_age(&cell).ok_or_else(|| bad_age(frame, i, &cell))?;
            if let Some(o) = &open {
                is_open |= o[i] == 1.0;
            }
            let cause = causes[i].clone().unwrap_or_default();
            if cause.is_empty() {
                return Err(Error::at(cell_at(frame, i, &col), "is empty"));
            }
            let key = fine
                .as_ref()
                .and_then(|f| f[i].clone())
                .unwrap_or_else(|| cause.clone());
            if let Some(prev) = seen.insert((year, sex, age.to_bits(), key.clone()), line) {
                return Err(Error::row(
                    source,
                    line,
                    format!(
                        "year {year}, {sex}, age {}, cause {} repeats line {prev}",
                        quote(&cell),
                        quote(&key)
                    ),
                ));
            }
            rows.push(CauseRow {
                year,
                sex,
                age,
                open: is_open,
                cause,
                deaths: deaths[i],
                line,
            });
        }
        if rows.is_empty() {
            return Err(Error::row(source, frame.first_line, "no data rows"));
        }
        let groups: std::collections::BTreeSet<&str> = rows.iter().map(|r| r.cause.as_str()).collect();
        if groups.len() > MAX_CAUSE_GROUPS {
            return Err(Error::at(
                dimorph_core::Location::file(source).column(col.as_str()),
                format!(
                    "holds {} distinct cause groups; at most {MAX_CAUSE_GROUPS} can be analysed (each needs its own \
                     age x years matrices); is it the cause column? choose another with --group-column",
                    groups.len()
                ),
            ));
        }
        CauseDeaths::from_rows(&source, rows, open.is_none())
    }
}

/// The cause column: `group_column` when given, else the first of `paper_group`, `cause`,
/// `cause_id` that the file has.
fn cause_column(frame: &Frame, group_column: Option<&str>) -> Result<String, Error> {
    if let Some(c) = group_column {
        return Ok(c.to_string());
    }
    let names = frame.names();
    ["paper_group", "cause", "cause_id"]
        .iter()
        .find(|c| names.contains(c))
        .map(|c| c.to_string())
        .ok_or_else(|| {
            Error::Argument(format!(
                "{}: no cause column (looked for paper_group, cause, cause_id; columns are {})",
                frame.source,
                clip_to(&names.join(", "), 4 * CLIP_CHARS)
            ))
        })
}
