//! The paper's Table 1 for any list of analytes: CV_E*, the permissible differences pD₁, pD₂
//! (eqs. 3–4), pD in % of each limit, and the CLSI / Harris–Boyd pD% (n = 120 per group).

use crate::error::{clip, RefintError, Result};
use crate::harris_boyd::clsi_pd_pct;
use crate::permissible::{Permissible, PermissibleOptions};
use crate::quote::{dec, num};
use dimorph_data::{ColumnData, Frame};
use dimorph_report::Table;
use serde::Serialize;

/// One row of Table 1.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table1Row {
    pub quantity: String,
    pub unit: String,
    pub rl1: f64,
    pub rl2: f64,
    /// CV_E* in % (eq. 8).
    pub cv_e: f64,
    pub pd1: f64,
    pub pd2: f64,
    pub pd1_pct: f64,
    pub pd2_pct: f64,
    /// CLSI (Harris & Boyd) pD% with n = 120 per group.
    pub pd_clsi_pct: f64,
    /// The full derivation (eqs. 5–13).
    pub permissible: Permissible,
}

/// One row of Table 1; `what` names the limits in error messages.
fn row(what: &str, (q, u, rl1, rl2): &(String, String, f64, f64), options: PermissibleOptions) -> Result<Table1Row> {
    let p = Permissible::named(what, *rl1, *rl2, options)?;
    Ok(Table1Row {
        quantity: q.clone(),
        unit: u.clone(),
        rl1: *rl1,
        rl2: *rl2,
        cv_e: p.cv_e,
        pd1: p.pd1,
        pd2: p.pd2,
        pd1_pct: p.pd1_pct,
        pd2_pct: p.pd2_pct,
        pd_clsi_pct: clsi_pd_pct(p.cv_e, 120),
        permissible: p,
    })
}

/// Table 1 for limit pairs (quantity, unit, RL₁, RL₂).
pub fn table1(rows: &[(String, String, f64, f64)], options: PermissibleOptions) -> Result<Vec<Table1Row>> {
    rows.iter().map(|r| row(&clip(&r.0), r, options)).collect()
}

fn text_col(frame: &Frame, name: &str) -> Result<Vec<String>> {
    let c = frame.column(name)?;
    Ok(match &c.data {
        // A label column the reader took for numbers (`1e308` as a unit) is written back in the
        // shortest form, never as 309 digits; a missing cell stays empty.
        ColumnData::Num(v) => v
            .iter()
            .map(|&x| {
                if x.is_nan() {
                    String::new()
                } else {
                    dimorph_core::text::num(x)
                }
            })
            .collect(),
        ColumnData::Text { values, .. } => values.iter().map(|s| s.clone().unwrap_or_default()).collect(),
    })
}

/// Reads limit pairs from a frame with columns `quantity`, `unit` (optional), `rl1`, `rl2`;
/// an error names the line of a missing or non-numeric limit.
pub fn rows_from_frame(frame: &Frame) -> Result<Vec<(String, String, f64, f64)>> {
    let q = text_col(frame, "quantity")?;
    let u = if frame.column("unit").is_ok() {
        text_col(frame, "unit")?
    } else {
        vec![String::new(); frame.nrows]
    };
    let rl1 = frame.numeric("rl1")?;
    let rl2 = frame.numeric("rl2")?;
    let mut out = Vec::with_capacity(frame.nrows);
    for i in 0..frame.nrows {
        for (name, v) in [("rl1", rl1[i]), ("rl2", rl2[i])] {
            if v.is_nan() {
                return Err(RefintError::Invalid {
                    what: format!("{}: line {}", frame.source, frame.line_of(i)),
                    msg: format!("column '{name}' is missing"),
                });
            }
        }
        let what = format!("{}: line {} ({})", frame.source, frame.line_of(i), clip(&q[i]));
        crate::error::check_limits(&what, rl1[i], rl2[i], false)?;
        out.push((q[i].clone(), u[i].clone(), rl1[i], rl2[i]));
    }
    if out.is_empty() {
        return Err(RefintError::Invalid {
            what: frame.source.clone(),
            msg: "no rows of limits".into(),
        });
    }
    Ok(out)
}

/// Table 1 from a frame (see [`rows_from_frame`]); each row's error names its line.
pub fn table1_from_frame(frame: &Frame, options: PermissibleOptions) -> Result<Vec<Table1Row>> {
    let rows = rows_from_frame(frame)?;
    rows.iter()
        .enumerate()
        .map(|(i, r)| {
            let what = format!("{}: line {} ({})", frame.source, frame.line_of(i), clip(&r.0));
            row(&what, r, options)
        })
        .collect()
}

/// Renders Table 1 as the paper lays it out.
pub fn render(rows: &[Table1Row]) -> Table {
    let o = rows.first().map(|r| r.permissible.options).unwrap_or_default();
    let mut t = Table::new(
        "Table 1: permissible differences of reference limits (Haeckel, Wosniok & Arzideh 2016)",
        &[
            "Quantity",
            "Unit",
            "CV_E*",
            "RL1",
            "RL2",
            "pD(RL1)",
            "pD(RL2)",
            "pD%(RL1)",
            "pD%(RL2)",
            "pD% (CLSI)",
        ],
    );
    for r in rows {
        let d = crate::equivalence::display_digits(r.pd1.min(r.pd2));
        t.row([
            r.quantity.clone(),
            r.unit.clone(),
            dec(r.cv_e, 2),
            num(r.rl1),
            num(r.rl2),
            dec(r.pd1, d),
            dec(r.pd2, d),
            dec(r.pd1_pct, 2),
            dec(r.pd2_pct, 2),
            dec(r.pd_clsi_pct, 2),
        ]);
    }
    t.note(format!(
        "CV_E* from the limits under the {} assumption (eqs. 5-8); pD = {}{}·ps_A at the limit (eqs. 3-4, 9-12); \
         CLSI pD% = 3·(2·CV_E*²/120)^0.5 (Harris & Boyd).",
        o.assumption.text(),
        num(o.z),
        if o.bias { "·1.22" } else { "" }
    ));
    t
}
