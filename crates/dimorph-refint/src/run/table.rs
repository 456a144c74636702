//! `refint table`: the paper's Table 1 (Haeckel et al. 2016: CV_E*, pD₁, pD₂ by eqs. 3–13 and
//! the CLSI pD%) for any list of analytes.

use crate::error::{clip, Result};
use crate::options::PermissibleOptions;
use crate::table::{render, table1_from_frame, Table1Row};
use dimorph_data::Frame;
use dimorph_report::{Outcome, Section};
use serde::Serialize;

/// The rows of Table 1, one per analyte, in file order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableResult {
    pub rows: Vec<Table1Row>,
}

/// Table 1 for the limit pairs of a frame with columns `quantity`, `unit` (optional), `rl1`,
/// `rl2`.
pub fn run_table(frame: &Frame, o: &PermissibleOptions) -> Result<Outcome<TableResult>> {
    o.validate()?;
    let rows = table1_from_frame(frame, *o)?;
    let mut s = Section::new("");
    s.table(render(&rows));
    let summary = format!(
        "Table 1 for {} analytes: pD = {}{}·ps_A at each limit, {} assumption",
        rows.len(),
        crate::quote::num(o.z),
        if o.bias { "·1.22" } else { "" },
        o.assumption.text()
    );
    let table = crate::tidy::table1(&rows);
    let warnings = rows
        .iter()
        .filter_map(|r| {
            let w = r.permissible.undefined_percentages()?;
            Some(format!("{}: {w}", clip(&r.quantity)))
        })
        .collect();
    let mut out = Outcome::new(TableResult { rows })
        .summary_line(summary)
        .section(s)
        .table(table);
    out.warnings = warnings;
    Ok(out)
}
