//! Intervals as the outputs show them (computed in [`crate::uncertainty`]): six columns added to
//! the tidy life table (`ex_chiang_se`, `_lower`, `_upper`, `ex_sim_se`, `_lower`, `_upper`), a
//! text table of e(x) with both intervals, and Table 2's means with their simulated intervals
//! (tidy table `table2_intervals`: cause, sex, measure, estimate, se, lower, upper; text table).

use crate::population::age_label;
use crate::report::number;
use crate::table::Lifetable;
use crate::uncertainty::{ExIntervals, Interval, MeanInterval, Simulation, MEANS};
use dimorph_core::{Cell, TidyTable};
use dimorph_report::Table;

/// The columns [`add_ex_columns`] appends to the tidy life table.
pub const EX_COLUMNS: [&str; 6] = [
    "ex_chiang_se",
    "ex_chiang_lower",
    "ex_chiang_upper",
    "ex_sim_se",
    "ex_sim_lower",
    "ex_sim_upper",
];

fn cells(i: &Interval) -> [Cell; 3] {
    [i.se.into(), i.lower.into(), i.upper.into()]
}

/// Appends the six interval columns to `tab`, the tidy life table whose rows are the ages of `iv`.
pub fn add_ex_columns(tab: &mut TidyTable, iv: &ExIntervals) {
    tab.columns.extend(EX_COLUMNS.iter().map(|c| c.to_string()));
    for (row, (c, s)) in tab.rows.iter_mut().zip(iv.chiang.iter().zip(&iv.simulation)) {
        row.extend(cells(c));
        row.extend(cells(s));
    }
}

/// `lower–upper` with `d` decimals, or `NA` when undefined.
pub fn limits(i: &Interval, d: usize) -> String {
    match (i.lower, i.upper) {
        (Some(a), Some(b)) => format!("{}–{}", number(a, d), number(b, d)),
        _ => "NA".into(),
    }
}

/// One line: `e0 = 81.17 (95% CI: Chiang 81.14–81.19; simulation 81.15–81.19)`.
pub fn e0_line(t: &Lifetable, iv: &ExIntervals) -> String {
    format!(
        "e0 = {} ({}% CI: Chiang {}; simulation {}, {} draws)",
        number(t.e0(), 2),
        pct(iv.level),
        limits(&iv.chiang[0], 3),
        limits(&iv.simulation[0], 3),
        iv.draws.used
    )
}

fn pct(level: f64) -> String {
    dimorph_core::text::num((level * 1000.0).round() / 10.0)
}

/// The ages shown in the text table: every group of an abridged table; 0, 1, 5, 10, … and the
/// open group of a single-year one.
fn shown(t: &Lifetable) -> Vec<usize> {
    let n = t.len();
    (0..n)
        .filter(|&i| {
            let a = t.age[i];
            t.width[i] != 1.0 || i + 1 == n || a <= 1.0 || a % 5.0 == 0.0
        })
        .collect()
}

/// e(x) with Chiang's and the simulation's intervals (standard errors and limits).
pub fn ex_table(t: &Lifetable, iv: &ExIntervals) -> Table {
    let p = pct(iv.level);
    let mut tab = Table::new(
        format!("Life expectancy with {p}% confidence intervals"),
        &["Age", "ex", "Chiang se", "Chiang interval", "Sim. se", "Sim. interval"],
    );
    let n = t.len();
    for i in shown(t) {
        let (c, s) = (&iv.chiang[i], &iv.simulation[i]);
        tab.row([
            age_label(t.age[i], i + 1 == n),
            number(t.ex[i], 2),
            c.se.map_or("NA".into(), |v| number(v, 4)),
            limits(c, 3),
            s.se.map_or("NA".into(), |v| number(v, 4)),
            limits(s, 3),
        ]);
    }
    tab.note(format!(
        "Chiang (1984): var(q) = q²(1 − q)/D, normal intervals; the open group's e = 1/m with relative variance 1/D. \
         Simulation: deaths drawn Poisson(D) at every age ({} draws, seed {}), the table rebuilt (smoothing refitted), \
         percentile intervals.",
        iv.draws.used, iv.draws.seed
    ));
    if let Some(k) = &t.kannisto {
        tab.note(format!(
            "From age {} the rates are the Kannisto fit to ages 80+: the simulation's intervals there reflect that \
             pooling, Chiang's the deaths of each age alone (so they are wider).",
            k.replaced_from
        ));
    }
    tab
}

/// Table 2's intervals in long form: `cause, sex, measure, estimate, se, lower, upper, level`.
pub fn table2_tidy(rows: &[MeanInterval], level: f64) -> TidyTable {
    let mut t = TidyTable::new(
        "table2_intervals",
        &["cause", "sex", "measure", "estimate", "se", "lower", "upper", "level"],
    );
    for r in rows {
        let i = &r.interval;
        let mut row: Vec<Cell> = vec![r.cause.as_str().into(), r.sex.as_str().into(), r.measure.into()];
        row.push(i.estimate.into());
        row.extend(cells(i));
        row.push(level.into());
        t.push(row);
    }
    t
}

/// Table 2's means with their intervals, one row per cause × sex.
pub fn table2_text(rows: &[MeanInterval], sim: &Simulation, level: f64) -> Table {
    let mut tab = Table::new(
        format!("Table 2 with {}% confidence intervals (Poisson simulation)", pct(level)),
        &[
            "Cause",
            "Sex",
            "Age at death",
            "Years left",
            "Age at saving",
            "Age lived",
        ],
    );
    for chunk in rows.chunks(MEANS.len()) {
        let Some(first) = chunk.first() else { continue };
        let mut cells = vec![first.cause.clone(), first.sex.to_string()];
        cells.extend(
            chunk
                .iter()
                .map(|r| format!("{} ({})", number(r.interval.estimate, 2), limits(&r.interval, 2))),
        );
        tab.row(cells);
    }
    tab.note(format!(
        "{} draws (seed {}): HMD deaths and cause-of-death counts drawn Poisson at every age, the analysis rerun; \
         percentile intervals.",
        sim.used, sim.seed
    ));
    tab
}
