//! Reading the values of one column, optionally split by the levels of a group column and
//! filtered by `--where COL=VALUE`, as routine laboratory data come — the input of `estimate`
//! and `partition`. Nothing is dropped silently: every row left out is counted with its reason.
//!
//! * missing values (`NA`, `na`, `-`, empty) and missing group labels are skipped and counted;
//! * values below a limit of detection (`<5`, `< 5`, `<0,5`, `≤5`) are censored: counted per group
//!   with the highest limit seen ([`Censored`]); the methods that can (refiner, kosmic) use them as
//!   censored, the others set them aside ([`censored_used`] says which in the skipped rows);
//! * values ≤ 0 where the method works on the log scale are dropped and counted with a warning,
//!   as reflimR does;
//! * values above a limit (`>200`, `≥200`) are censored from above: counted, and set aside by every
//!   method here (none models them); a check that can use them as bounds does (the EP28
//!   transference check counts `>200` as outside limits whose upper limit is at most 200), with
//!   the per-value limits in [`Grouped::bounds`];
//! * a cell that is none of these (text) is an error naming the file, line and column.
//!
//! Group labels that are all numbers sort as numbers (`2` before `10`), others by name.

use crate::error::{clip, num, RefintError, Result};
use dimorph_core::Location;
use dimorph_data::{CodedFrame, Codes, Frame};
use serde::Serialize;
use std::collections::HashMap;

/// Rows read and left out, by reason.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Counts {
    /// Data rows in the file.
    pub rows: usize,
    /// Rows left out by `--where` filters.
    pub filtered_out: usize,
    /// Rows with a missing value.
    pub missing_value: usize,
    /// Rows with a missing group label.
    pub missing_group: usize,
    /// Values below a detection limit (`<5`), set aside.
    pub censored: usize,
    /// Values above a limit (`>200`), set aside.
    pub above_limit: usize,
    /// Values ≤ 0 dropped because the method needs values > 0.
    pub non_positive: usize,
    /// Values of 0 of rounded data (and values below half the rounding unit) that the refiner
    /// uses as censored below half the unit (`--zeros censored`; not in `non_positive`).
    pub zeros_censored: usize,
    /// Values used.
    pub used: usize,
}

/// Values below a detection limit in one group: how many, and the highest limit among them (all
/// lie below it).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Censored {
    pub n: usize,
    pub limit: f64,
}

/// The end of the skipped-rows line of censored values that no method uses.
pub const SET_ASIDE: &str = "set aside: no method here uses censored values";
/// The end of the skipped-rows line of values censored from above.
pub const ABOVE_SET_ASIDE: &str = "set aside: no method here uses values censored from above";

/// Values of one column split by a group column, with what was skipped.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Grouped {
    pub value: String,
    pub by: Option<String>,
    /// (level, values), levels sorted (numerically when all are numbers); one level named ""
    /// without a group column.
    pub groups: Vec<(String, Vec<f64>)>,
    /// Rows skipped, with the reason, e.g. "12 rows with a missing CREA".
    pub skipped: Vec<String>,
    /// The counts behind `skipped`.
    pub counts: Counts,
    /// Per level, the values below a detection limit (levels without any are left out).
    pub censored: Vec<(String, Censored)>,
    /// Per level, the limit of every censored value (levels without any are left out).
    #[serde(skip)]
    pub bounds: Vec<(String, Bounds)>,
    /// Per level, the values of 0 among the values ≤ 0 dropped (levels without any are left
    /// out): the refiner reads them as censored where the values are rounded
    /// ([`crate::estimate::refiner_zeros::zeros_used`]).
    #[serde(skip)]
    pub zeros: Vec<(String, usize)>,
}

/// The limits of the censored values of one level: `below` of every `<L`, `above` of every `>U`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Bounds {
    pub below: Vec<f64>,
    pub above: Vec<f64>,
}

impl Grouped {
    /// The limits of the censored values of a level (empty when it has none).
    pub fn bounds_of(&self, level: &str) -> Bounds {
        self.bounds
            .iter()
            .find(|(l, _)| l == level)
            .map_or_else(Bounds::default, |(_, b)| b.clone())
    }

    /// The censored values of a level.
    pub fn censored_of(&self, level: &str) -> Option<Censored> {
        self.censored.iter().find(|(l, _)| l == level).map(|(_, c)| *c)
    }

    /// All values of all groups.
    pub fn pooled(&self) -> Vec<f64> {
        self.groups.iter().flat_map(|g| g.1.iter().copied()).collect()
    }
}

/// `file: line L: column 'c'`: where a bad cell is.
fn cell(frame: &CodedFrame, row: usize, column: &str) -> String {
    Location::file(frame.source.as_str())
        .line(frame.line_of(row))
        .column(clip(column))
        .to_string()
        .trim_end_matches(": ")
        .to_string()
}

/// The detection limit of a censored cell (`<5`, `< 5`, `≤0.5`; decimal commas already points).
pub fn detection_limit(cell: &str) -> Option<f64> {
    let t = cell.trim();
    let rest = t
        .strip_prefix("<=")
        .or_else(|| t.strip_prefix('<'))
        .or_else(|| t.strip_prefix('≤'))?;
    rest.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

/// The limit of a value censored from above (`>200`, `> 200`, `>=200`, `≥200`; decimal commas
/// already points).
pub fn above_limit(cell: &str) -> Option<f64> {
    let t = cell.trim();
    let rest = t
        .strip_prefix(">=")
        .or_else(|| t.strip_prefix('>'))
        .or_else(|| t.strip_prefix('≥'))?;
    rest.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

/// What to read: the value column, the group column, the row filters and, when the method
/// needs values > 0, why.
#[derive(Debug, Clone, Copy)]
pub struct ReadSpec<'a> {
    pub value: &'a str,
    pub by: Option<&'a str>,
    /// `--where COL=VALUE` pairs; a row is kept when all hold.
    pub filters: &'a [(String, String)],
    pub positive: Option<&'a str>,
}

impl ReadSpec<'_> {
    /// The grouping columns to read dictionary-encoded (the group column and the filter columns).
    pub fn coded_columns(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.by.into_iter().collect();
        for (c, _) in self.filters {
            if !v.contains(&c.as_str()) {
                v.push(c);
            }
        }
        v
    }
}

/// Reads `value` (and `by`) from an in-memory frame (no filters); see [`read_grouped_coded`].
pub fn read_grouped(frame: &Frame, value: &str, by: Option<&str>, positive: Option<&str>) -> Result<Grouped> {
    let spec = ReadSpec {
        value,
        by,
        filters: &[],
        positive,
    };
    let cf = CodedFrame::from_frame(frame, &[value], &spec.coded_columns())?;
    read_grouped_coded(&cf, &spec)
}

/// The rows the filters keep (None = all), with the count of rows they leave out; a filter
/// value no row has is an error listing the values there are.
fn filter_rows(cf: &CodedFrame, filters: &[(String, String)]) -> Result<Option<Vec<bool>>> {
    if filters.is_empty() {
        return Ok(None);
    }
    let mut keep = vec![true; cf.nrows];
    for (col, want) in filters {
        let c = codes(cf, col)?;
        let Some(code) = c.levels.iter().position(|l| l == want) else {
            let mut levels: Vec<&str> = c.levels.iter().map(String::as_str).take(20).collect();
            levels.sort_unstable();
            return Err(RefintError::Option(Box::new(dimorph_core::location::bad_argument(
                "--where",
                format!(
                    "{}: column '{}' has no value '{}' (values: {}{})",
                    cf.source,
                    clip(col),
                    clip(want),
                    crate::quote::clip_long(&levels.join(", "), 300),
                    if c.levels.len() > 20 { ", …" } else { "" }
                ),
            ))));
        };
        for (k, &x) in keep.iter_mut().zip(&c.codes) {
            *k &= x as usize == code;
        }
    }
    Ok(Some(keep))
}

fn codes<'a>(cf: &'a CodedFrame, col: &str) -> Result<&'a Codes> {
    cf.codes(col).ok_or_else(|| RefintError::Invalid {
        what: format!("{}: column '{}'", cf.source, clip(col)),
        msg: "was not read as a grouping column".into(),
    })
}

/// Sorts levels numerically when every label is a number, else by name.
pub(crate) fn level_order(levels: &[String]) -> Vec<usize> {
    let nums: Option<Vec<f64>> = levels.iter().map(|l| l.trim().parse::<f64>().ok()).collect();
    let mut idx: Vec<usize> = (0..levels.len()).collect();
    match nums {
        Some(v) => idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]).then_with(|| levels[a].cmp(&levels[b]))),
        None => idx.sort_by(|&a, &b| levels[a].cmp(&levels[b])),
    }
    idx
}

/// Reads the values of `spec.value` per level of `spec.by` from a coded frame (see the module
/// doc for what is skipped, set aside or refused).
pub fn read_grouped_coded(cf: &CodedFrame, spec: &ReadSpec) -> Result<Grouped> {
    let col = cf.numeric(spec.value).ok_or_else(|| RefintError::Invalid {
        what: format!("{}: column '{}'", cf.source, clip(spec.value)),
        msg: "was not read as a value column".into(),
    })?;
    let keep = filter_rows(cf, spec.filters)?;
    let by = spec.by.map(|b| codes(cf, b)).transpose()?;
    let nlev = by.map_or(1, |c| c.levels.len());
    let mut per: Vec<Vec<f64>> = vec![Vec::new(); nlev];
    let mut c = Counts {
        rows: cf.nrows,
        ..Default::default()
    };
    let text: HashMap<usize, &str> = col.text.iter().map(|(r, t)| (*r, t.as_str())).collect();
    let mut limits_seen: Vec<f64> = Vec::new();
    let mut cens: Vec<Option<Censored>> = vec![None; nlev];
    let mut bounds: Vec<Bounds> = vec![Bounds::default(); nlev];
    let mut above_seen: Vec<f64> = Vec::new();
    let mut zeros = vec![0usize; nlev];
    for (i, &v) in col.values.iter().enumerate() {
        if keep.as_ref().is_some_and(|k| !k[i]) {
            c.filtered_out += 1;
            continue;
        }
        let g = match by {
            None => 0,
            Some(b) if b.codes[i] == dimorph_data::coded::MISSING => {
                c.missing_group += 1;
                continue;
            }
            Some(b) => b.codes[i] as usize,
        };
        if v.is_nan() {
            match text.get(&i) {
                None => c.missing_value += 1,
                Some(t) => match detection_limit(t) {
                    Some(l) => {
                        c.censored += 1;
                        let e = cens[g].get_or_insert(Censored { n: 0, limit: l });
                        e.n += 1;
                        e.limit = e.limit.max(l);
                        if limits_seen.len() < 5 && !limits_seen.contains(&l) {
                            limits_seen.push(l);
                        }
                        bounds[g].below.push(l);
                    }
                    None if above_limit(t).is_some() => {
                        let l = above_limit(t).unwrap_or(f64::NAN);
                        c.above_limit += 1;
                        if above_seen.len() < 5 && !above_seen.contains(&l) {
                            above_seen.push(l);
                        }
                        bounds[g].above.push(l);
                    }
                    None => {
                        return Err(RefintError::Invalid {
                            what: cell(cf, i, spec.value),
                            msg: format!(
                                "'{}' is not a number (nor a value censored at a limit such as '<5' or '>200')",
                                clip(t)
                            ),
                        })
                    }
                },
            }
            continue;
        }
        if !v.is_finite() {
            return Err(RefintError::Invalid {
                what: cell(cf, i, spec.value),
                msg: format!("{v} is not a finite number"),
            });
        }
        if spec.positive.is_some() && v <= 0.0 {
            c.non_positive += 1;
            zeros[g] += usize::from(v == 0.0);
            continue;
        }
        per[g].push(v);
        c.used += 1;
    }
    let mut skipped = skipped_lines(&c, spec, &limits_seen);
    if c.above_limit > 0 {
        let l: Vec<String> = above_seen.iter().map(|x| format!(">{}", num(*x))).collect();
        skipped.push(format!(
            "{} values of {} above a limit ({}) {ABOVE_SET_ASIDE}",
            c.above_limit,
            clip(spec.value),
            l.join(", ")
        ));
    }
    let bounds: Vec<(String, Bounds)> = bounds
        .into_iter()
        .enumerate()
        .filter(|(_, b)| !(b.below.is_empty() && b.above.is_empty()))
        .map(|(k, b)| (by.map_or(String::new(), |x| x.levels[k].clone()), b))
        .collect();
    let censored: Vec<(String, Censored)> = cens
        .iter()
        .enumerate()
        .filter_map(|(k, e)| {
            let level = by.map_or(String::new(), |b| b.levels[k].clone());
            e.map(|e| (level, e))
        })
        .collect();
    let zeros: Vec<(String, usize)> = zeros
        .iter()
        .enumerate()
        .filter(|(_, z)| **z > 0)
        .map(|(k, z)| (by.map_or(String::new(), |b| b.levels[k].clone()), *z))
        .collect();
    let groups: Vec<(String, Vec<f64>)> = match by {
        None => vec![(String::new(), std::mem::take(&mut per[0]))],
        Some(b) => level_order(&b.levels)
            .into_iter()
            .map(|k| (b.levels[k].clone(), std::mem::take(&mut per[k])))
            .filter(|(_, x)| !x.is_empty())
            .collect(),
    };
    if groups.iter().all(|g| g.1.is_empty()) {
        return Err(RefintError::Invalid {
            what: format!("{}: column '{}'", cf.source, clip(spec.value)),
            msg: if skipped.is_empty() {
                "no values".into()
            } else {
                format!("no values left to estimate from ({})", skipped.join("; "))
            },
        });
    }
    Ok(Grouped {
        value: spec.value.into(),
        by: spec.by.map(Into::into),
        groups,
        skipped,
        counts: c,
        censored,
        bounds,
        zeros,
    })
}

/// The skipped rows in words.
fn skipped_lines(c: &Counts, spec: &ReadSpec, limits_seen: &[f64]) -> Vec<String> {
    let v = clip(spec.value);
    let mut s = Vec::new();
    if c.filtered_out > 0 {
        let f: Vec<String> = spec
            .filters
            .iter()
            .map(|(a, b)| format!("{}={}", clip(a), clip(b)))
            .collect();
        s.push(format!(
            "{} of {} rows not matching --where {} ({} kept)",
            c.filtered_out,
            c.rows,
            f.join(" "),
            c.rows - c.filtered_out
        ));
    }
    if c.missing_value > 0 {
        s.push(format!("{} rows with a missing {v}", c.missing_value));
    }
    if c.missing_group > 0 {
        s.push(format!(
            "{} rows with a missing {}",
            c.missing_group,
            clip(spec.by.unwrap_or(""))
        ));
    }
    if c.censored > 0 {
        let l: Vec<String> = limits_seen.iter().map(|x| format!("<{}", num(*x))).collect();
        s.push(format!(
            "{} values of {v} below a detection limit ({}) {SET_ASIDE}",
            c.censored,
            l.join(", ")
        ));
    }
    if c.non_positive > 0 {
        s.push(format!(
            "{} values of {v} <= 0 dropped: {} needs values > 0 (as reflimR drops them)",
            c.non_positive,
            spec.positive.unwrap_or("")
        ));
    }
    s
}

/// Says in the skipped rows that the censored values are used as censored when `method` does so
/// (refiner, kosmic: their share below the detection limit enters the fit).
pub fn censored_used(mut g: Grouped, method: crate::options::Method) -> Grouped {
    if method.uses_censored() {
        for line in &mut g.skipped {
            if let Some(head) = line.strip_suffix(SET_ASIDE) {
                *line = format!(
                    "{head}used as censored by --method {} (their share below the limit enters the fit)",
                    method.flag()
                );
            }
        }
    }
    g
}
