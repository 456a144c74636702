//! Deaths by cause of death (read by [`CauseDeaths::read_csv`]): grouping them (the seven
//! groups of Riffe & Solé Auró 2015, Table 1, are the `paper_group` column of the bundled file),
//! and attributing all-cause deaths to causes ([`CauseDeaths::attribute`]): each cause's share
//! of deaths by age, D^c(a)/Σ_c D^c(a), times the all-cause (HMD) deaths, the share of the open
//! cause-of-death age group (e.g. 100+) held for every older HMD age (100–110+). Cause-specific
//! rates are the same shares times the all-cause rates, m^c = s_c·m, so that Σ_c m^c = m
//! (eq. 7–8); the cause-deleted table uses m^{−c} = m − m^c (eq. 9–10).
//!
//! # Shares by age ([`CauseShares`])
//! By default ([`CauseShares::Age`]) each age's shares are that age's own cause counts (step
//! shares for abridged cause data). [`CauseShares::Paper`] builds them as the paper's authors
//! did from HMD's abridged cause-of-death rates (github `timriffe/YearsLost`, `R/DataPrep.R`,
//! `grabCountryCOD`): single-year cause data are first summed into the groups 0, 1–4, 5–9, …
//! and the open group; each cause's log rate ln(D^c_k/E_k) (E from the population's exposures)
//! is interpolated over the group midpoints (0 for age 0, the start of the open group for the
//! open group) by the cubic spline of Forsythe, Malcolm & Moler (R's `splinefun` default,
//! [`fmm_spline`]) and evaluated at every whole age up to the open age; ages in groups with no
//! deaths of the cause get 0; the shares are the interpolated rates over their sum. The
//! interpolation does not keep the group totals: for the USA 2010 it moves 2 % of the Mental
//! and 4 % of the Infant deaths, which is what separates the paper's Table 1 from the
//! single-age shares of the same counts.

use crate::error::quote;
use crate::options::CauseShares;
use crate::population::{Population, Sex, MAX_COUNT};
pub use crate::spline::{fmm_spline, Spline};
use crate::Error;
use dimorph_core::text::num;
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

/// The rows of one year and sex: age bits → (age, open, deaths by group, first file line).
type ByAge = BTreeMap<u64, (f64, bool, Vec<f64>, usize)>;

/// The ages of one year and sex in cause-of-death data: single years or abridged groups from 0,
/// the last open; errors name the lines.
fn check_ages(source: &str, year: i32, sex: Sex, by_age: &ByAge, last_is_open: bool) -> Result<(), Error> {
    let err = |msg: String| Error::Ages {
        source_name: source.into(),
        year,
        sex: sex.to_string(),
        msg,
    };
    let rows: Vec<&(f64, bool, Vec<f64>, usize)> = by_age.values().collect();
    let age: Vec<f64> = rows.iter().map(|r| r.0).collect();
    let Some(first) = rows.first() else {
        return Err(err("no ages".into()));
    };
    if first.0 != 0.0 {
        return Err(err(format!(
            "cause-of-death ages must start at 0, the first is {} (line {})",
            first.0, first.3
        )));
    }
    let single = age.windows(2).all(|w| w[1] - w[0] == 1.0);
    let abridged = age.len() > 2 && age[1] == 1.0 && age[2] == 5.0 && age[2..].windows(2).all(|w| w[1] - w[0] == 5.0);
    if !(single || abridged) {
        // the first gap that breaks the pattern the ages start with
        let looks_abridged = age.len() > 2 && age[1] == 1.0 && age[2] == 5.0;
        let k = if looks_abridged {
            (3..rows.len()).find(|&k| age[k] - age[k - 1] != 5.0)
        } else {
            (1..rows.len()).find(|&k| age[k] - age[k - 1] != 1.0)
        }
        .unwrap_or(1);
        let (a, b) = (rows[k - 1], rows[k]);
        return Err(err(format!(
            "cause-of-death ages {} (line {}) and {} (line {}) are not consecutive: missing ages?",
            a.0, a.3, b.0, b.3
        )));
    }
    if !last_is_open && !rows.last().is_some_and(|r| r.1) {
        let last = rows[rows.len() - 1];
        return Err(err(format!(
            "the last cause-of-death age, {} (line {}), is not marked as the open age group",
            last.0, last.3
        )));
    }
    Ok(())
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
        let mut acc: BTreeMap<(i32, Sex), ByAge> = BTreeMap::new();
        for r in &rows {
            if r.deaths.is_nan() {
                // a missing cell ('', '.', 'NA') is read as NaN: say so, never print 'NaN'
                return Err(Error::row(
                    source,
                    r.line,
                    format!("deaths for cause {} are missing (an empty or NA cell)", quote(&r.cause)),
                ));
            }
            if !(r.deaths.is_finite() && (0.0..=MAX_COUNT).contains(&r.deaths)) {
                return Err(Error::row(
                    source,
                    r.line,
                    format!(
                        "deaths '{}' for cause {} must be a non-negative number, at most 10^12",
                        num(r.deaths),
                        quote(&r.cause)
                    ),
                ));
            }
            let e = acc
                .entry((r.year, r.sex))
                .or_default()
                .entry(r.age.to_bits())
                .or_insert((r.age, false, vec![0.0; groups.len()], r.line));
            e.1 |= r.open;
            e.2[gi[r.cause.as_str()]] += r.deaths;
        }
        let mut tables = BTreeMap::new();
        for ((year, sex), by_age) in acc {
            check_ages(source, year, sex, &by_age, last_is_open)?;
            tables.insert(
                (year, sex),
                CauseTable {
                    age: by_age.values().map(|v| v.0).collect(),
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

    /// The same deaths with every table's ages from `open` on summed into its open group
    /// (`--open-age`): the rows from the last age at or below `open` are added up, so that
    /// the open group's cause shares are those of all its ages.
    pub fn with_open_age(&self, open: f64) -> CauseDeaths {
        let mut out = self.clone();
        for t in out.tables.values_mut() {
            let Some(k) = t.age.iter().rposition(|a| *a <= open) else {
                continue;
            };
            if k + 1 >= t.age.len() {
                continue;
            }
            let tail: Vec<Vec<f64>> = t.deaths.drain(k + 1..).collect();
            t.age.truncate(k + 1);
            for row in tail {
                for (d, x) in t.deaths[k].iter_mut().zip(row) {
                    *d += x;
                }
            }
        }
        out
    }

    /// Splits the all-cause deaths of `pop` by cause (see the module documentation). Warns when
    /// the cause-of-death deaths do not add up to the all-cause deaths, with the size of the gap.
    pub fn attribute(&self, pop: &Population) -> Result<Attribution, Error> {
        self.attribute_with(pop, CauseShares::Age)
    }

    /// [`CauseDeaths::attribute`] with the shares formed as `how` says.
    pub fn attribute_with(&self, pop: &Population, how: CauseShares) -> Result<Attribution, Error> {
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
        // the un-normalised weights of each cause, by row (cause-data age, or single age)
        let (rows, row_age): (Vec<Vec<f64>>, Vec<f64>) = match how {
            CauseShares::Age => (t.deaths.clone(), t.age.clone()),
            CauseShares::Paper => {
                let r = spline_rates(t, pop).map_err(|msg| Error::Ages {
                    source_name: self.source.clone(),
                    year: pop.year,
                    sex: pop.sex.to_string(),
                    msg,
                })?;
                let ages = (0..r.len()).map(|a| a as f64).collect();
                (r, ages)
            }
        };
        let k_of = |a: f64| row_age.iter().rposition(|c| *c <= a).unwrap_or(0);
        let row_total = |k: usize| rows[k].iter().sum::<f64>();
        let mut share = vec![vec![0.0; n]; g];
        let mut borrowed = Vec::new();
        for i in 0..n {
            let mut k = k_of(pop.age[i]);
            if row_total(k) <= 0.0 {
                let near = (0..rows.len())
                    .filter(|j| row_total(*j) > 0.0)
                    .min_by_key(|j| (*j as i64 - k as i64).abs());
                match near {
                    Some(j) => {
                        if pop.deaths[i] > 0.0 {
                            borrowed.push(format!("{} (from {})", pop.age[i], row_age[j]));
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
                s[i] = rows[k][gg] / tot;
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

/// The paper's interpolated cause rates (module documentation): row a = 0..=open age, one
/// column per cause group. Errors name what does not fit (a message for [`Error::Ages`]).
fn spline_rates(t: &CauseTable, pop: &Population) -> Result<Vec<Vec<f64>>, String> {
    let open = *t.age.last().ok_or("no cause-of-death ages")?;
    let single = t.age.windows(2).all(|w| w[1] - w[0] == 1.0);
    // abridged group starts: 0, 1, 5, 10, ..., open
    let starts: Vec<f64> = if single {
        if open < 5.0 || open % 5.0 != 0.0 {
            return Err(format!(
                "the paper's cause shares group single ages into 0, 1-4, 5-9, ...: the open cause-of-death age {open} must be a multiple of 5"
            ));
        }
        let mut v = vec![0.0, 1.0];
        v.extend((1..=(open as usize / 5)).map(|k| 5.0 * k as f64));
        v
    } else {
        t.age.clone()
    };
    let grp = |a: f64| starts.iter().rposition(|s| *s <= a).unwrap_or(0);
    let ng = t.deaths.first().map_or(0, |r| r.len());
    let mut counts = vec![vec![0.0; ng]; starts.len()];
    for (k, row) in t.deaths.iter().enumerate() {
        for (c, d) in row.iter().enumerate() {
            counts[grp(t.age[k])][c] += d;
        }
    }
    let mut expo = vec![0.0; starts.len()];
    for (a, e) in pop.age.iter().zip(&pop.exposure) {
        expo[grp(*a)] += e;
    }
    // knots: 0 for the first group, midpoints, the start of the open group
    let last = starts.len() - 1;
    let knots: Vec<f64> = (0..starts.len())
        .map(|k| match k {
            0 => 0.0,
            k if k == last => starts[k],
            k => (starts[k] + starts[k + 1]) / 2.0,
        })
        .collect();
    let top = open as usize;
    let mut rates = vec![vec![0.0; ng]; top + 1];
    for c in 0..ng {
        let (xs, ys): (Vec<f64>, Vec<f64>) = (0..starts.len())
            .filter(|k| counts[*k][c] > 0.0 && expo[*k] > 0.0)
            .map(|k| (knots[k], (counts[k][c] / expo[k]).ln()))
            .unzip();
        if xs.is_empty() {
            continue;
        }
        let s = fmm_spline(&xs, &ys);
        for (a, row) in rates.iter_mut().enumerate() {
            if counts[grp(a as f64)][c] > 0.0 {
                row[c] = s.eval(a as f64).exp();
            }
        }
    }
    Ok(rates)
}
