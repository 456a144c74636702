//! The tidy CSV reader: `year, sex, age, deaths, exposure[, open_interval][, cause]` into
//! [`MortalityData`] and, with a `cause` column, [`CauseDeaths`] ([`read_tidy_csv`]).

use super::cells::{bad_age, cell_at, parse_age_group, parse_sex_cell, text_cells, year_cell};
use crate::causes::{CauseDeaths, CauseRow};
use crate::error::quote;
use crate::population::{build_population, MortalityData, RawRow, Sex};
use crate::Error;
use dimorph_core::text::num;
use dimorph_data::Frame;
use std::collections::BTreeMap;
use std::path::Path;

/// Reads a tidy CSV with columns `year, sex, age, deaths, exposure` and optionally
/// `open_interval` (1 marks the open age group; without it the last age is open) and `cause`
/// (deaths by cause, the exposure repeated on each cause's row). With a `cause` column the
/// all-cause deaths are the sum over causes, and the cause deaths are returned as well.
pub fn read_tidy_csv(path: &Path) -> Result<(MortalityData, Option<CauseDeaths>), Error> {
    let frame = dimorph_data::read_csv(path)?;
    let label = path.file_name().and_then(|n| n.to_str()).unwrap_or("data").to_string();
    read_tidy_frame(&frame, &label)
}

/// [`read_tidy_csv`] on a table already in memory (a data frame from Python, a Parquet file):
/// the same columns and checks; messages name `frame.source` and its lines; `label` names the
/// population in reports.
pub fn read_tidy_frame(frame: &Frame, label: &str) -> Result<(MortalityData, Option<CauseDeaths>), Error> {
    let cols = Columns::of(frame)?;
    let source = frame.source.clone();
    let mut acc = Acc::new();
    for i in 0..frame.nrows {
        add_row(&mut acc, frame, &cols, i)?;
    }
    if acc.is_empty() {
        return Err(Error::row(source, frame.first_line, "no data rows"));
    }
    let last_open = cols.open.is_none();
    let mut pops = BTreeMap::new();
    let mut cause_rows = Vec::new();
    for ((year, sex), rows) in acc {
        let raw: Vec<RawRow> = rows.values().map(|(r, _)| r.clone()).collect();
        for (r, list) in rows.values() {
            for (name, d) in list {
                cause_rows.push(CauseRow {
                    year,
                    sex,
                    age: r.age,
                    open: r.open,
                    cause: name.clone(),
                    deaths: *d,
                    line: r.line,
                });
            }
        }
        pops.insert(
            (year, sex),
            build_population(&source, &source, year, sex, raw, last_open)?,
        );
    }
    let causes = match cols.cause {
        Some(_) => Some(CauseDeaths::from_rows(&source, cause_rows, last_open)?),
        None => None,
    };
    let data = MortalityData {
        source,
        label: label.to_string(),
        pops,
        unusable: BTreeMap::new(),
        notes: Vec::new(),
    };
    Ok((data, causes))
}

/// The columns of the file, read once.
struct Columns {
    years: Vec<f64>,
    sexes: Vec<Option<String>>,
    ages: Vec<Option<String>>,
    deaths: Vec<f64>,
    exposure: Vec<f64>,
    open: Option<Vec<f64>>,
    cause: Option<Vec<Option<String>>>,
}

impl Columns {
    fn of(frame: &Frame) -> Result<Columns, Error> {
        let has = |c: &str| frame.names().contains(&c);
        Ok(Columns {
            years: frame.numeric("year")?.to_vec(),
            sexes: text_cells(frame, "sex")?,
            ages: text_cells(frame, "age")?,
            deaths: frame.numeric("deaths")?.to_vec(),
            exposure: frame.numeric("exposure")?.to_vec(),
            open: if has("open_interval") {
                Some(frame.numeric("open_interval")?.to_vec())
            } else {
                None
            },
            cause: if has("cause") {
                Some(text_cells(frame, "cause")?)
            } else {
                None
            },
        })
    }
}

/// (year, sex) → age key → (the all-cause row, deaths by cause).
type Acc = BTreeMap<(i32, Sex), BTreeMap<u64, (RawRow, Vec<(String, f64)>)>>;

/// Adds row `i` of the file: a new age, or (with a `cause` column) one more cause of an age.
fn add_row(acc: &mut Acc, frame: &Frame, cols: &Columns, i: usize) -> Result<(), Error> {
    let line = frame.line_of(i);
    let year = year_cell(frame, i, cols.years[i])?;
    let sex = parse_sex_cell(frame, i, &cols.sexes[i])?;
    let cell = cols.ages[i].clone().unwrap_or_default();
    let (age, mut is_open, label_end) = parse_age_group(&cell).ok_or_else(|| bad_age(frame, i, &cell))?;
    if let Some(o) = &cols.open {
        is_open |= o[i] == 1.0;
    }
    let row = RawRow {
        age,
        open: is_open,
        deaths: cols.deaths[i],
        exposure: cols.exposure[i],
        line,
        exposure_line: line,
        label_end,
    };
    let slot = acc.entry((year, sex)).or_default();
    let Some(causes) = &cols.cause else {
        if let Some((prev, _)) = slot.get(&age.to_bits()) {
            return Err(Error::row(
                frame.source.clone(),
                line,
                format!("year {year}, {sex}, age {age} repeats line {}", prev.line),
            ));
        }
        slot.insert(age.to_bits(), (row, Vec::new()));
        return Ok(());
    };
    let name = causes[i].clone().unwrap_or_default();
    if name.is_empty() {
        return Err(Error::at(cell_at(frame, i, "cause"), "is empty"));
    }
    let Some((prev, list)) = slot.get_mut(&age.to_bits()) else {
        let d = row.deaths;
        slot.insert(age.to_bits(), (row, vec![(name, d)]));
        return Ok(());
    };
    let rel = (prev.exposure - row.exposure).abs() / prev.exposure.abs().max(1.0);
    if rel > 1e-9 {
        return Err(Error::row(
            frame.source.clone(),
            line,
            format!(
                "exposure {} differs from {} on line {} for the same year, sex and age \
                 (with a 'cause' column the exposure repeats on every cause's row)",
                num(row.exposure),
                num(prev.exposure),
                prev.line
            ),
        ));
    }
    if list.iter().any(|(n, _)| *n == name) {
        return Err(Error::row(
            frame.source.clone(),
            line,
            format!("year {year}, {sex}, age {age}, cause {} appears twice", quote(&name)),
        ));
    }
    prev.deaths += row.deaths;
    prev.open |= row.open;
    list.push((name, row.deaths));
    Ok(())
}
