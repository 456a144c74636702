//! Deaths by cause of death: reading them ([`CauseDeaths::read_csv`]), grouping them (the seven
//! groups of Riffe & Solé Auró 2015, Table 1, are the `paper_group` column of the bundled file),
//! and attributing all-cause deaths to causes ([`CauseDeaths::attribute`]): each cause's share
//! of deaths by age, D^c(a)/Σ_c D^c(a), times the all-cause (HMD) deaths, the share of the open
//! cause-of-death age group (e.g. 100+) held for every older HMD age (100–110+). Cause-specific
//! rates are the same shares times the all-cause rates, m^c = s_c·m, so that Σ_c m^c = m
//! (eq. 7–8); the cause-deleted table uses m^{−c} = m − m^c (eq. 9–10).

use crate::hmd::{self, Population, Sex};
use crate::Error;
use serde::Serialize;
use std::collections::BTreeMap;

/// The paper's seven cause groups, in the order of its Table 1.
pub const PAPER_GROUPS: [&str; 7] = [
    "Cardiovascular",
    "Cancer",
    "Infectious",
    "External",
    "Mental",
    "Infant",
    "Other",
];

/// One row of cause-of-death data.
#[derive(Debug, Clone)]
pub struct CauseRow {
    pub year: i32,
    pub sex: Sex,
    pub age: f64,
    pub open: bool,
    pub cause: String,
    pub deaths: f64,
    pub line: usize,
}

/// Deaths of one year and sex by age and cause group.
#[derive(Debug, Clone)]
pub struct CauseTable {
    /// Start of each age group (the last is open).
    pub age: Vec<f64>,
    /// `deaths[i][g]`: deaths at age group i from group g.
    pub deaths: Vec<Vec<f64>>,
}

/// Cause-of-death deaths for many years and sexes.
#[derive(Debug, Clone)]
pub struct CauseDeaths {
    pub source: String,
    /// Cause groups (the paper's order when they are the paper's groups).
    pub groups: Vec<String>,
    pub tables: BTreeMap<(i32, Sex), CauseTable>,
}

/// All-cause deaths of one population split by cause.
#[derive(Debug, Clone, Serialize)]
pub struct Attribution {
    pub year: i32,
    pub sex: Sex,
    pub groups: Vec<String>,
    /// `share[g][i]`: group g's share of deaths at age group i (of the population's ages).
    pub share: Vec<Vec<f64>>,
    /// `deaths[g][i]` = share × all-cause deaths.
    pub deaths: Vec<Vec<f64>>,
    /// Total deaths by group.
    pub total: Vec<f64>,
    /// Sum of the cause-of-death file's deaths for this year and sex.
    pub cause_file_total: f64,
    /// Sum of the all-cause deaths.
    pub all_cause_total: f64,
    pub warnings: Vec<String>,
}

fn order_groups(mut g: Vec<String>) -> Vec<String> {
    g.sort_by_key(|name| {
        (
            PAPER_GROUPS
                .iter()
                .position(|p| p == name)
                .unwrap_or(PAPER_GROUPS.len()),
            name.clone(),
        )
    });
    g
}

impl CauseDeaths {
    /// Builds the tables from rows; deaths of rows sharing year, sex, age and group are added.
    pub fn from_rows(source: &str, rows: Vec<CauseRow>, last_is_open: bool) -> Result<CauseDeaths, Error> {
        let mut names: Vec<String> = Vec::new();
        for r in &rows {
            if !names.contains(&r.cause) {
                names.push(r.cause.clone());
            }
        }
        let groups = order_groups(names);
        let gi: BTreeMap<&str, usize> = groups.iter().enumerate().map(|(i, g)| (g.as_str(), i)).collect();
        // (year, sex) -> age bits -> (age, open, deaths by group)
        type ByAge = BTreeMap<u64, (f64, bool, Vec<f64>)>;
        let mut acc: BTreeMap<(i32, Sex), ByAge> = BTreeMap::new();
        for r in &rows {
            if !r.deaths.is_finite() || r.deaths < 0.0 {
                return Err(Error::Row {
                    path: source.into(),
                    line: r.line,
                    msg: format!(
                        "deaths '{}' for cause '{}' must be a non-negative number",
                        r.deaths, r.cause
                    ),
                });
            }
            let e = acc
                .entry((r.year, r.sex))
                .or_default()
                .entry(r.age.to_bits())
                .or_insert((r.age, false, vec![0.0; groups.len()]));
            e.1 |= r.open;
            e.2[gi[r.cause.as_str()]] += r.deaths;
        }
        let mut tables = BTreeMap::new();
        for ((year, sex), by_age) in acc {
            let age: Vec<f64> = by_age.values().map(|v| v.0).collect();
            let err = |msg: String| Error::Ages {
                source_name: source.into(),
                year,
                sex: sex.to_string(),
                msg,
            };
            if age.first() != Some(&0.0) {
                return Err(err(format!(
                    "cause-of-death ages must start at 0, the first is {}",
                    age[0]
                )));
            }
            let single = age.windows(2).all(|w| w[1] - w[0] == 1.0);
            let abridged =
                age.len() > 2 && age[1] == 1.0 && age[2] == 5.0 && age[2..].windows(2).all(|w| w[1] - w[0] == 5.0);
            if !(single || abridged) {
                let w = age.windows(2).find(|w| w[1] - w[0] != 1.0).unwrap_or(&age[..2]);
                return Err(err(format!(
                    "cause-of-death ages {} and {} are not consecutive: missing ages?",
                    w[0], w[1]
                )));
            }
            let opens: Vec<bool> = by_age.values().map(|v| v.1).collect();
            if !last_is_open && !opens.last().copied().unwrap_or(false) {
                return Err(err(
                    "the last cause-of-death age is not marked as the open age group".into()
                ));
            }
            tables.insert(
                (year, sex),
                CauseTable {
                    age,
                    deaths: by_age.into_values().map(|v| v.2).collect(),
                },
            );
        }
        Ok(CauseDeaths {
            source: source.into(),
            groups,
            tables,
        })
    }

    /// Reads a CSV with columns `year, sex, age, deaths`, an optional `open_interval` and a
    /// cause column: `group_column` when given, else the first of `paper_group`, `cause`,
    /// `cause_id` that exists.
    pub fn read_csv(path: &std::path::Path, group_column: Option<&str>) -> Result<CauseDeaths, Error> {
        let frame = dimorph_data::read_csv(path)?;
        let names = frame.names();
        let col = match group_column {
            Some(c) => c.to_string(),
            None => ["paper_group", "cause", "cause_id"]
                .iter()
                .find(|c| names.contains(c))
                .map(|c| c.to_string())
                .ok_or_else(|| {
                    Error::Argument(format!(
                        "{}: no cause column (looked for paper_group, cause, cause_id; columns are {})",
                        path.display(),
                        names.join(", ")
                    ))
                })?,
        };
        let years = frame.numeric("year")?.to_vec();
        let sexes = hmd::text_cells(&frame, "sex")?;
        let ages = hmd::text_cells(&frame, "age")?;
        let deaths = frame.numeric("deaths")?.to_vec();
        let causes = hmd::text_cells(&frame, &col)?;
        let open = if names.contains(&"open_interval") {
            Some(frame.numeric("open_interval")?.to_vec())
        } else {
            None
        };
        // repeated rows are detected on the finest cause key available
        let fine = if names.contains(&"cause_id") {
            Some(hmd::text_cells(&frame, "cause_id")?)
        } else {
            None
        };
        let source = path.display().to_string();
        let mut seen: BTreeMap<(i32, Sex, u64, String), usize> = BTreeMap::new();
        let mut rows = Vec::with_capacity(frame.nrows);
        for i in 0..frame.nrows {
            let line = frame.line_of(i);
            let year = hmd::year_cell(&frame, i, years[i])?;
            let sex = hmd::parse_sex_cell(&frame, i, &sexes[i])?;
            let cell = ages[i].clone().unwrap_or_default();
            let (age, mut is_open) = hmd::parse_age(&cell).ok_or_else(|| Error::Row {
                path: source.clone(),
                line,
                msg: format!("column 'age': '{cell}' is not an age"),
            })?;
            if let Some(o) = &open {
                is_open |= o[i] == 1.0;
            }
            let cause = causes[i].clone().unwrap_or_default();
            if cause.is_empty() {
                return Err(Error::Row {
                    path: source.clone(),
                    line,
                    msg: format!("column '{col}' is empty"),
                });
            }
            let key = fine
                .as_ref()
                .and_then(|f| f[i].clone())
                .unwrap_or_else(|| cause.clone());
            if let Some(prev) = seen.insert((year, sex, age.to_bits(), key.clone()), line) {
                return Err(Error::Row {
                    path: source.clone(),
                    line,
                    msg: format!("year {year}, {sex}, age {cell}, cause '{key}' repeats line {prev}"),
                });
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
            return Err(Error::Row {
                path: source,
                line: 2,
                msg: "no data rows".into(),
            });
        }
        CauseDeaths::from_rows(&source, rows, open.is_none())
    }

    /// Splits the all-cause deaths of `pop` by cause (see the module documentation). Warns when
    /// the cause-of-death deaths do not add up to the all-cause deaths, with the size of the gap.
    pub fn attribute(&self, pop: &Population) -> Result<Attribution, Error> {
        let t = self.tables.get(&(pop.year, pop.sex)).ok_or_else(|| {
            let avail: Vec<String> = self.tables.keys().map(|(y, s)| format!("{y} {s}")).collect();
            Error::NotFound {
                source_name: self.source.clone(),
                what: format!("cause-of-death deaths for {} {}", pop.year, pop.sex),
                available: avail.join(", "),
            }
        })?;
        let g = self.groups.len();
        let n = pop.age.len();
        let mut warnings = Vec::new();
        // cause-of-death age group holding each population age
        let k_of = |a: f64| t.age.iter().rposition(|c| *c <= a).unwrap_or(0);
        let row_total = |k: usize| t.deaths[k].iter().sum::<f64>();
        let mut share = vec![vec![0.0; n]; g];
        let mut borrowed = Vec::new();
        for i in 0..n {
            let mut k = k_of(pop.age[i]);
            if row_total(k) <= 0.0 {
                let near = (0..t.age.len())
                    .filter(|j| row_total(*j) > 0.0)
                    .min_by_key(|j| (*j as i64 - k as i64).abs());
                match near {
                    Some(j) => {
                        if pop.deaths[i] > 0.0 {
                            borrowed.push(format!("{} (from {})", pop.age[i], t.age[j]));
                        }
                        k = j;
                    }
                    None => {
                        return Err(Error::Argument(format!(
                            "{}: {} {} has no cause-of-death deaths at all",
                            self.source, pop.year, pop.sex
                        )))
                    }
                }
            }
            let tot = row_total(k);
            for (gg, s) in share.iter_mut().enumerate() {
                s[i] = t.deaths[k][gg] / tot;
            }
        }
        if !borrowed.is_empty() {
            warnings.push(format!(
                "{} {}: no cause-of-death deaths at ages {}: the shares of the nearest age with deaths were used",
                pop.year,
                pop.sex,
                borrowed.join(", ")
            ));
        }
        let deaths: Vec<Vec<f64>> = share
            .iter()
            .map(|s| s.iter().zip(&pop.deaths).map(|(s, d)| s * d).collect())
            .collect();
        let total: Vec<f64> = deaths.iter().map(|d| d.iter().sum()).collect();
        let cause_file_total: f64 = t.deaths.iter().flatten().sum();
        let all_cause_total: f64 = pop.deaths.iter().sum();
        let gap = all_cause_total - cause_file_total;
        if gap.abs() > 0.5 {
            warnings.push(format!(
                "{} {}: the cause-of-death deaths sum to {:.0} but the all-cause deaths are {:.0} \
                 (gap {:+.0}, {:+.2}%); each cause's share by age is applied to the all-cause deaths",
                pop.year,
                pop.sex,
                cause_file_total,
                all_cause_total,
                gap,
                100.0 * gap / all_cause_total
            ));
        }
        Ok(Attribution {
            year: pop.year,
            sex: pop.sex,
            groups: self.groups.clone(),
            share,
            deaths,
            total,
            cause_file_total,
            all_cause_total,
            warnings,
        })
    }
}
