//! Reading the rows of `refint age`: (age, value) pairs per level of the group column, with every
//! row left out counted and said. Values censored at a limit are not dropped silently:
//!
//! * below a detection limit (`<5`, `≤0.5`): the methods that can use censored values (refiner,
//!   kosmic) take them in the window that holds their age, as censored at the limit (their share
//!   below the limit enters the fit; see [`crate::estimate::refiner`]); the other methods and the
//!   LMS fit set them aside, with the count and the reason;
//! * above a limit (`>200`, `≥200`): no method here uses values censored from above, so they are
//!   set aside with the count.
//!
//! Missing or non-numeric values, ages and group labels are skipped and counted, as are values
//! ≤ 0 where the method needs values > 0 — except the zeros of `--method refiner --zeros
//! censored`, which are kept by age ([`AgePoints::zeros`]) for the windows to read as censored
//! below half their rounding unit ([`super::age_zeros`]).

use crate::error::{clip, num, RefintError, Result};
use crate::grouped::{above_limit, detection_limit};
use dimorph_data::CodedFrame;

/// What `refint age` reads, per level code of the group column (one level without one).
#[derive(Debug, Clone, Default)]
pub struct AgePoints {
    /// (age, value) of the values used.
    pub per: Vec<Vec<(f64, f64)>>,
    /// (age, detection limit) of the values below a detection limit that the windows use as
    /// censored (empty when the method sets them aside).
    pub below: Vec<Vec<(f64, f64)>>,
    /// Ages of the values of 0 kept for the windows to read as censored (`--method refiner
    /// --zeros censored`; empty otherwise), sorted.
    pub zeros: Vec<Vec<f64>>,
    /// Rows left out, with the reason.
    pub skipped: Vec<String>,
}

/// How the censored values are treated: `Used(method flag, where)` when the windows' method uses
/// values below a detection limit (`where`: "windows", or "windows and age partitions" with
/// `--partitions`), else the reason they are set aside.
pub enum CensoredUse<'a> {
    Used(&'a str, &'a str),
    SetAside(String),
}

/// Reads `value` over `age` per level of `by` (see the module doc); with `keep_zeros` (the
/// refiner's `--zeros censored`) the values of 0 are kept by age instead of dropped.
pub fn read_points(
    cf: &CodedFrame,
    names: (&str, &str, Option<&str>),
    positive: bool,
    keep_zeros: bool,
    censored: &CensoredUse,
) -> Result<AgePoints> {
    let (value, age, by) = names;
    let missing = |c: &str| RefintError::Invalid {
        what: format!("{}: column '{}'", cf.source, clip(c)),
        msg: "was not read".into(),
    };
    let col = cf.numeric(value).ok_or_else(|| missing(value))?;
    let (x, text) = (&col.values, &col.text);
    let ages = &cf.numeric(age).ok_or_else(|| missing(age))?.values;
    let codes = by.map(|b| cf.codes(b).ok_or_else(|| missing(b))).transpose()?;
    let nlev = codes.map_or(1, |c| c.levels.len());
    let mut p = AgePoints {
        per: vec![Vec::new(); nlev],
        below: vec![Vec::new(); nlev],
        zeros: vec![Vec::new(); nlev],
        skipped: Vec::new(),
    };
    let (mut skip_missing, mut skip_nonpos, mut n_below, mut n_above) = (0usize, 0usize, 0usize, 0usize);
    let (mut below_seen, mut above_seen): (Vec<f64>, Vec<f64>) = (Vec::new(), Vec::new());
    let cells: std::collections::HashMap<usize, &str> = text.iter().map(|(r, s)| (*r, s.as_str())).collect();
    for i in 0..cf.nrows {
        let cell = cells.get(&i).copied();
        let k = match codes {
            Some(c) if c.codes[i] == dimorph_data::coded::MISSING => {
                skip_missing += 1;
                continue;
            }
            Some(c) => c.codes[i] as usize,
            None => 0,
        };
        if !ages[i].is_finite() {
            skip_missing += 1;
            continue;
        }
        if ages[i] < 0.0 {
            // a negative age is a data error, not a missing value: it opened windows below 0
            return Err(RefintError::Invalid {
                what: format!("{}: line {}, column '{}'", cf.source, cf.line_of(i), clip(age)),
                msg: format!("the age {} is negative", ages[i]),
            });
        }
        if x[i].is_nan() {
            match (cell.and_then(detection_limit), cell.and_then(above_limit)) {
                (Some(l), _) => {
                    n_below += 1;
                    remember(&mut below_seen, l);
                    if matches!(censored, CensoredUse::Used(..)) {
                        p.below[k].push((ages[i], l));
                    }
                }
                (None, Some(l)) => {
                    n_above += 1;
                    remember(&mut above_seen, l);
                }
                _ => skip_missing += 1,
            }
            continue;
        }
        if !x[i].is_finite() {
            skip_missing += 1;
            continue;
        }
        if positive && keep_zeros && x[i] == 0.0 {
            p.zeros[k].push(ages[i]);
            continue;
        }
        if positive && x[i] <= 0.0 {
            skip_nonpos += 1;
            continue;
        }
        p.per[k].push((ages[i], x[i]));
    }
    if skip_missing > 0 {
        p.skipped.push(format!(
            "{skip_missing} rows with a missing or non-numeric value, age or group"
        ));
    }
    if n_below > 0 {
        p.skipped.push(format!(
            "{n_below} values of {} below a detection limit ({}) {}",
            clip(value),
            listed("<", &below_seen),
            match censored {
                CensoredUse::Used(m, place) => format!(
                    "used as censored by --method {m} in the {place} that hold their ages (their share below \
                     the limit enters the fit)"
                ),
                CensoredUse::SetAside(why) => format!("set aside: {why}"),
            }
        ));
    }
    if n_above > 0 {
        p.skipped.push(format!(
            "{n_above} values of {} above a limit ({}) set aside: no method here uses values censored from above",
            clip(value),
            listed(">", &above_seen)
        ));
    }
    if skip_nonpos > 0 && keep_zeros {
        p.skipped.push(format!(
            "{skip_nonpos} values of {} < 0 dropped: the Box-Cox transformation of --method refiner needs values > 0",
            clip(value)
        ));
    } else if skip_nonpos > 0 {
        p.skipped.push(format!(
            "{skip_nonpos} values <= 0 dropped (the method needs values > 0)"
        ));
    }
    for b in &mut p.below {
        b.sort_by(|a, c| a.0.total_cmp(&c.0));
    }
    for z in &mut p.zeros {
        z.sort_by(f64::total_cmp);
    }
    Ok(p)
}

/// Keeps the first five distinct limits seen, for the message.
fn remember(seen: &mut Vec<f64>, l: f64) {
    if seen.len() < 5 && !seen.contains(&l) {
        seen.push(l);
    }
}

fn listed(sign: &str, seen: &[f64]) -> String {
    seen.iter()
        .map(|l| format!("{sign}{}", num(*l)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The values below a detection limit whose ages lie in [from, to), as one censored count at the
/// highest of their limits (all lie below it); None when there are none.
pub fn censored_in(below: &[(f64, f64)], from: f64, to: f64) -> Option<crate::grouped::Censored> {
    let a = below.partition_point(|p| p.0 < from);
    let b = below.partition_point(|p| p.0 < to);
    (b > a).then(|| crate::grouped::Censored {
        n: b - a,
        limit: below[a..b].iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max),
    })
}
