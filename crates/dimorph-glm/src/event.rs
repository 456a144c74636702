//! A binary response given as two levels (`yes`/`no`, `F`/`M`, or two numbers), recoded to 1 for
//! the event level and 0 for the other, as SAS PROC LOGISTIC's `MODEL y(EVENT='level')`.
//!
//! Without `--event` a text response models the first ordered level (levels sorted as
//! [`crate::factor::compare_levels`] orders factor levels), which is PROC LOGISTIC's default
//! (`EVENT=FIRST`: "PROC LOGISTIC models the probability of response levels with lower Ordered
//! Value", SAS/STAT User's Guide, *Response Level Ordering*); R's `glm` on a factor response
//! models the second level instead (`--event` with that level gives R's fit). A numeric response
//! is taken as it is unless `--event` names one of its two values.

use std::cmp::Ordering;

use serde::Serialize;

use dimorph_core::Location;
use dimorph_data::{Column, ColumnData, Frame};

use crate::error::{clip, GlmError, Result};
use crate::expr::{r_number, Expr};
use crate::formula::{Formula, Response};

/// Which level of a two-level response is the event (modelled as 1).
#[derive(Debug, Clone, Serialize)]
pub struct EventLevel {
    /// The response column.
    pub column: String,
    /// The level modelled (its probability is μ).
    pub event: String,
    /// The other level (0).
    pub nonevent: String,
    /// How the event level was chosen: `--event`, or PROC LOGISTIC's default (first ordered).
    pub chosen_by: String,
    /// Rows of each level among the non-missing cells: (event, non-event).
    pub counts: (usize, usize),
}

impl EventLevel {
    /// One line for the report.
    pub fn describe(&self) -> String {
        format!(
            "Response {}: modelled level '{}' ({} rows) against '{}' ({} rows); {}.",
            self.column,
            clip(&self.event),
            self.counts.0,
            clip(&self.nonevent),
            self.counts.1,
            self.chosen_by
        )
    }
}

/// The data with the response recoded to 0/1 when it is a text column or `--event` is given,
/// with the levels; `None` when there is nothing to recode.
pub fn recode(frame: &Frame, formula: &str, event: Option<&str>) -> Result<Option<(Frame, EventLevel)>> {
    let name = match Formula::parse(formula) {
        Ok(Formula {
            response: Response::Single(Expr::Col(c)),
            ..
        }) => c,
        // other responses (and formula errors) are the model frame's to report
        _ if event.is_none() => return Ok(None),
        _ => {
            return Err(GlmError::argument(
                "--event",
                "applies to a response that is one column with two levels (not to events/trials or an expression)",
            ))
        }
    };
    let Some(pos) = frame.columns.iter().position(|c| c.name == name) else {
        return Ok(None);
    };
    let col = &frame.columns[pos];
    let cells: Vec<Option<String>> = match &col.data {
        // a text column that also holds numbers is a numeric column with a bad cell: the model
        // frame names it
        ColumnData::Text { values, .. } if values.iter().flatten().any(|v| v.trim().parse::<f64>().is_ok()) => {
            return Ok(None)
        }
        ColumnData::Text { values, .. } => values.clone(),
        ColumnData::Num(_) if event.is_none() => return Ok(None),
        ColumnData::Num(v) => v.iter().map(|x| (!x.is_nan()).then(|| r_number(*x + 0.0))).collect(),
    };
    let mut levels: Vec<String> = Vec::new();
    for c in cells.iter().flatten() {
        if !levels.contains(c) {
            if levels.len() == 2 {
                let line = frame.line_of(cells.iter().position(|x| x.as_ref() == Some(c)).unwrap_or(0));
                return Err(GlmError::input(
                    Location::file(frame.source.clone()).line(line).column(name.clone()),
                    format!(
                        "the response has a third level '{}' besides '{}' and '{}'; a binary response (text, or numbers with --event) has exactly two: for more levels use --family ordinal or multinomial, for counts or measurements leave out --event",
                        clip(c),
                        clip(&levels[0]),
                        clip(&levels[1])
                    ),
                ));
            }
            levels.push(c.clone());
        }
    }
    if levels.len() < 2 {
        return Err(GlmError::input(
            Location::file(frame.source.clone()).column(name.clone()),
            format!(
                "the response has {} level{} ({}); a binary model needs two",
                levels.len(),
                if levels.len() == 1 { "" } else { "s" },
                levels
                    .iter()
                    .map(|l| format!("'{}'", clip(l)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    levels.sort_by(|a, b| order(a, b));
    let (event_level, chosen_by) = match event {
        Some(e) => match levels.iter().find(|l| l.as_str() == e || same_number(l, e)) {
            Some(l) => (l.clone(), "chosen with --event".to_string()),
            None => {
                return Err(GlmError::argument(
                    "--event",
                    format!(
                        "'{}' is not a level of the response {} (its levels: '{}', '{}')",
                        clip(e),
                        name,
                        clip(&levels[0]),
                        clip(&levels[1])
                    ),
                ))
            }
        },
        None => (
            levels[0].clone(),
            format!(
                "the first ordered level, as PROC LOGISTIC's default (EVENT=FIRST); R's glm models '{}' — choose it with --event",
                clip(&levels[1])
            ),
        ),
    };
    let nonevent = levels.iter().find(|l| **l != event_level).cloned().unwrap_or_default();
    let y: Vec<f64> = cells
        .iter()
        .map(|c| match c {
            None => f64::NAN,
            Some(v) if *v == event_level => 1.0,
            Some(_) => 0.0,
        })
        .collect();
    let n_event = y.iter().filter(|v| **v == 1.0).count();
    let n_non = y.iter().filter(|v| **v == 0.0).count();
    let mut out = frame.clone();
    out.columns[pos] = Column {
        name: name.clone(),
        data: ColumnData::Num(y),
    };
    Ok(Some((
        out,
        EventLevel {
            column: name,
            event: event_level,
            nonevent,
            chosen_by,
            counts: (n_event, n_non),
        },
    )))
}

/// Levels in the factor order (numbers by value, text as R sorts factor levels).
fn order(a: &str, b: &str) -> Ordering {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.total_cmp(&y),
        _ => crate::factor::compare_levels(a, b),
    }
}

/// Whether two spellings are the same number (`--event 1.0` for the level `1`).
fn same_number(level: &str, given: &str) -> bool {
    matches!((level.parse::<f64>(), given.trim().parse::<f64>()), (Ok(a), Ok(b)) if a == b)
}
