//! What a decomposition shows: the tidy tables (`decomposition`: method × measure × age group ×
//! cause, in years and in % of the difference; `decomposition_by_age`; `decomposition_summary`;
//! `decomposition_rates`, the rates decomposed),
//! the report section (contributions by 5-year age group and cause, the measures' differences
//! and residuals) and the bar charts as SVG files.

use super::chart::stacked_bars;
use super::measures::measure_label;
use super::result::{ContributionIntervals, DecomposeResult, HoriuchiResult};
use crate::population::age_label;
use crate::report::number;
use crate::uncertainty::Interval;
use crate::Error;
use dimorph_core::{Cell, OutputFile, TidyTable};
use dimorph_report::{Outcome, Section, Table};

/// The cause name of the a(0) term of the line integral in the tables.
pub const A0_CAUSE: &str = "a(0)";

/// Age groups for charts and the report: 0, 1–4, 5–9, …, 95–99, 100+ (or the open group when
/// it starts below 100): (label, indices of the table's age groups).
pub fn age_groups(age: &[f64]) -> Vec<(String, Vec<usize>)> {
    let n = age.len();
    let top = age[n - 1].min(100.0);
    let start = |a: f64| -> f64 {
        if a >= top {
            top
        } else if a < 1.0 {
            0.0
        } else if a < 5.0 {
            1.0
        } else {
            (a / 5.0).floor() * 5.0
        }
    };
    let mut out: Vec<(f64, String, Vec<usize>)> = Vec::new();
    for (i, a) in age.iter().enumerate() {
        let s = start(*a);
        match out.last_mut() {
            Some(last) if last.0 == s => last.2.push(i),
            _ => out.push((s, String::new(), vec![i])),
        }
    }
    let k = out.len();
    for j in 0..k {
        let s = out[j].0;
        out[j].1 = if j + 1 == k {
            format!("{}+", dimorph_core::text::num(s))
        } else {
            let e = out[j + 1].0 - 1.0;
            if e <= s {
                dimorph_core::text::num(s)
            } else {
                format!("{}–{}", dimorph_core::text::num(s), dimorph_core::text::num(e))
            }
        };
    }
    out.into_iter().map(|(_, l, i)| (l, i)).collect()
}

fn percent(x: f64, total: f64) -> Cell {
    if total != 0.0 && total.is_finite() {
        (100.0 * x / total).into()
    } else {
        Cell::Missing
    }
}

/// One method's contributions: (method, measure, difference, by_age, by_age_cause, a(0)).
type Rows<'a> = (&'a str, &'a str, f64, &'a [f64], &'a [Vec<f64>], Option<f64>);

fn methods(r: &DecomposeResult) -> Vec<Rows<'_>> {
    let mut out: Vec<Rows> = vec![(
        "arriaga",
        "e",
        r.arriaga.difference,
        &r.arriaga.by_age,
        &r.arriaga.by_age_cause,
        None,
    )];
    for h in &r.horiuchi {
        out.push(("horiuchi", &h.measure, h.difference, &h.by_age, &h.by_age_cause, h.a0));
    }
    out
}

/// The tidy tables: by age and cause (main), by age, and the summary of each method and measure.
pub fn tables(r: &DecomposeResult) -> Vec<TidyTable> {
    let ci = r.intervals.as_ref();
    let with_ci = |cols: &[&'static str]| -> Vec<&'static str> {
        let mut c = cols.to_vec();
        if ci.is_some() {
            c.extend(["ci_lower", "ci_upper"]);
        }
        c
    };
    let cols = with_ci(&[
        "method",
        "measure",
        "age",
        "age_group",
        "cause",
        "contribution",
        "percent_of_difference",
    ]);
    let mut main = TidyTable::new("decomposition", &cols);
    let mut by_age = TidyTable::new(
        "decomposition_by_age",
        &with_ci(&[
            "method",
            "measure",
            "age",
            "age_group",
            "contribution",
            "percent_of_difference",
        ]),
    );
    // the bounds of Arriaga's rows (the line integral's have none)
    let bounds = |method: &str, pick: &dyn Fn(&ContributionIntervals) -> Interval| -> Vec<Cell> {
        match ci {
            None => Vec::new(),
            Some(c) if method == "arriaga" => {
                let i = pick(c);
                vec![i.lower.into(), i.upper.into()]
            }
            Some(_) => vec![Cell::Missing, Cell::Missing],
        }
    };
    let n = r.age.len();
    let label = |i: usize| age_label(r.age[i], i + 1 == n);
    for (method, measure, diff, ba, bac, a0) in methods(r) {
        for i in 0..n {
            for (g, name) in r.groups.iter().enumerate() {
                let x = bac[g][i];
                let mut row = vec![
                    method.into(),
                    measure.into(),
                    r.age[i].into(),
                    label(i).into(),
                    name.into(),
                    x.into(),
                    percent(x, diff),
                ];
                row.extend(bounds(method, &|c| c.by_age_cause[g][i]));
                main.push(row);
            }
            if let (0, Some(a)) = (i, a0) {
                let mut row = vec![
                    method.into(),
                    measure.into(),
                    r.age[0].into(),
                    label(0).into(),
                    A0_CAUSE.into(),
                    a.into(),
                    percent(a, diff),
                ];
                if ci.is_some() {
                    row.extend([Cell::Missing, Cell::Missing]);
                }
                main.push(row);
            }
            let mut row = vec![
                method.into(),
                measure.into(),
                r.age[i].into(),
                label(i).into(),
                ba[i].into(),
                percent(ba[i], diff),
            ];
            row.extend(bounds(method, &|c| c.by_age[i]));
            by_age.push(row);
        }
    }
    vec![main, by_age, summary_table(r)]
}

fn summary_table(r: &DecomposeResult) -> TidyTable {
    let mut cols = vec![
        "method",
        "measure",
        "from_age",
        "first",
        "second",
        "difference",
        "sum_of_contributions",
        "residual",
        "steps",
    ];
    let ci = r.intervals.as_ref();
    if ci.is_some() {
        cols.extend(["difference_ci_lower", "difference_ci_upper"]);
    }
    let mut t = TidyTable::new("decomposition_summary", &cols);
    let bounds = |k: usize| -> Vec<Cell> {
        ci.map_or(Vec::new(), |c| {
            vec![c.differences[k].lower.into(), c.differences[k].upper.into()]
        })
    };
    let mut row = vec![
        "arriaga".into(),
        "e".into(),
        r.from_age.into(),
        r.first.e.into(),
        r.second.e.into(),
        r.arriaga.difference.into(),
        (r.arriaga.difference + r.arriaga.residual).into(),
        r.arriaga.residual.into(),
        Cell::Missing,
    ];
    row.extend(bounds(0));
    t.push(row);
    for (k, h) in r.horiuchi.iter().enumerate() {
        let mut row = vec![
            "horiuchi".into(),
            h.measure.as_str().into(),
            r.from_age.into(),
            h.first.into(),
            h.second.into(),
            h.difference.into(),
            (h.difference + h.residual).into(),
            h.residual.into(),
            r.steps.into(),
        ];
        row.extend(bounds(k));
        t.push(row);
    }
    t
}

/// `The United States of America, HMD, 2010: female − male` (the population named once when
/// both sides share it).
pub fn comparison(r: &DecomposeResult) -> String {
    let (a, b) = (&r.first, &r.second);
    if a.label == b.label {
        if a.year == b.year {
            format!("{}, {}: {} − {}", a.label, a.year, a.sex, b.sex)
        } else if a.sex == b.sex {
            format!("{}, {}: {} − {}", a.label, a.sex, a.year, b.year)
        } else {
            format!("{}: {} {} − {} {}", a.label, a.year, a.sex, b.year, b.sex)
        }
    } else {
        format!("{} {} {} − {} {} {}", a.label, a.year, a.sex, b.label, b.year, b.sex)
    }
}

/// Contributions summed into the chart's age groups: `[cause][group]` (a(0) as a last cause).
fn grouped(r: &DecomposeResult, bac: &[Vec<f64>], a0: Option<f64>) -> (Vec<String>, Vec<String>, Vec<Vec<f64>>) {
    let groups = age_groups(&r.age);
    let labels: Vec<String> = groups.iter().map(|g| g.0.clone()).collect();
    let mut causes = r.groups.clone();
    let mut v: Vec<Vec<f64>> = bac
        .iter()
        .map(|c| groups.iter().map(|(_, ix)| ix.iter().map(|i| c[*i]).sum()).collect())
        .collect();
    if let Some(a) = a0 {
        causes.push(A0_CAUSE.into());
        let mut row = vec![0.0; labels.len()];
        row[0] = a;
        v.push(row);
    }
    (labels, causes, v)
}

fn chart_title(r: &DecomposeResult, measure: &str, diff: f64, method: &str) -> String {
    format!(
        "{}: {} difference {}, by age{} ({method})",
        comparison(r).replacen(", HMD", "", 2),
        measure_label(measure, r.from_age),
        number(diff, if measure == "gini" { 4 } else { 2 }),
        if r.groups.len() > 1 { " and cause" } else { "" }
    )
}

/// The SVG charts: Arriaga's e(x₀), then the line integral's measures.
pub fn figures(r: &DecomposeResult) -> Vec<(String, String, String)> {
    methods(r)
        .into_iter()
        .map(|(method, measure, diff, _, bac, a0)| {
            let (labels, causes, v) = grouped(r, bac, a0);
            let name = if method == "arriaga" {
                "Arriaga"
            } else {
                "Horiuchi et al."
            };
            let title = chart_title(r, measure, diff, name);
            let unit = if measure == "gini" {
                "Contribution (Gini points)".to_string()
            } else {
                "Contribution (years)".to_string()
            };
            // ticks name each group's first age (0, 1, 5, 10, …, 100+): the full labels overlap
            let ticks: Vec<String> = labels
                .iter()
                .map(|l| {
                    if l.ends_with('+') {
                        l.clone()
                    } else {
                        l.split('–').next().unwrap_or(l).to_string()
                    }
                })
                .collect();
            let svg = stacked_bars(&title, &unit, &ticks, &causes, &v);
            (format!("decompose_{measure}_{method}.svg"), title, svg)
        })
        .collect()
}

/// The report section: the differences, Arriaga's contributions by age group and cause, the
/// causes' totals, the line integral's measures and residuals, and the charts.
pub fn section(r: &DecomposeResult, figures: &[(String, String, String)]) -> Section {
    let mut s = Section::new(format!("Decomposition: {}", comparison(r)));
    let e = measure_label("e", r.from_age);
    s.text(format!(
        "{e}: {} {} − {} {} = {} years. Arriaga's contributions add up to it exactly (residual {:.1e}).",
        r.side_name(true),
        number(r.first.e, 2),
        r.side_name(false),
        number(r.second.e, 2),
        number(r.arriaga.difference, 3),
        r.arriaga.residual
    ));
    let (labels, causes, v) = grouped(r, &r.arriaga.by_age_cause, None);
    let mut header: Vec<&str> = vec!["Age"];
    header.extend(causes.iter().map(String::as_str));
    if causes.len() > 1 {
        header.push("Total");
    }
    let mut t = Table::new(
        format!("Arriaga: contributions to the difference in {e} (years)"),
        &header,
    );
    for (g, lab) in labels.iter().enumerate() {
        let mut row = vec![lab.clone()];
        row.extend(v.iter().map(|c| number(c[g], 3)));
        if causes.len() > 1 {
            row.push(number(v.iter().map(|c| c[g]).sum(), 3));
        }
        t.row(row);
    }
    let mut total = vec!["Total".to_string()];
    total.extend(v.iter().map(|c| number(c.iter().sum(), 3)));
    let mut pct = vec!["% of difference".to_string()];
    pct.extend(
        v.iter()
            .map(|c| number(100.0 * c.iter().sum::<f64>() / r.arriaga.difference, 1)),
    );
    if causes.len() > 1 {
        total.push(number(r.arriaga.by_age.iter().sum(), 3));
        pct.push("100.0".into());
    }
    t.row(total);
    t.row(pct);
    s.table(t);
    if let Some(ci) = &r.intervals {
        s.table(interval_table(r, ci));
    }
    s.table(horiuchi_table(r));
    for (_, caption, svg) in figures {
        s.figure(caption.clone(), svg.clone());
    }
    s
}

/// The simulated intervals of the measures' differences and of each cause's total contribution.
fn interval_table(r: &DecomposeResult, ci: &ContributionIntervals) -> Table {
    let pct = dimorph_core::text::num(100.0 * ci.level);
    let mut t = Table::new(
        format!(
            "Simulated {pct}% intervals (Poisson deaths, {} of {} draws, seed {})",
            ci.simulation.used, ci.simulation.draws, ci.simulation.seed
        ),
        &["Quantity", "Estimate", "Lower", "Upper"],
    );
    let row = |t: &mut Table, name: String, i: &Interval, d: usize| {
        let b = |x: Option<f64>| x.map_or("NA".to_string(), |v| number(v, d));
        t.row([name, number(i.estimate, d), b(i.lower), b(i.upper)]);
    };
    for (h, i) in r.horiuchi.iter().zip(&ci.differences) {
        let d = if h.measure == "gini" { 5 } else { 3 };
        row(
            &mut t,
            format!("difference in {}", measure_label(&h.measure, r.from_age)),
            i,
            d,
        );
    }
    if r.groups.len() > 1 {
        for (g, i) in r.groups.iter().zip(&ci.by_cause) {
            row(&mut t, format!("Arriaga, {g}"), i, 3);
        }
    }
    t.note("percentile intervals of the draws; the line integral's contributions have none (each draw would need its own integral)");
    t
}

fn horiuchi_table(r: &DecomposeResult) -> Table {
    let mut t = Table::new(
        format!(
            "Horiuchi, Wilmoth & Pletcher (2008), {} steps: differences and residuals",
            r.steps
        ),
        &[
            "Measure",
            &r.side_name(true),
            &r.side_name(false),
            "Difference",
            "Sum of contributions",
            "Residual",
        ],
    );
    for h in &r.horiuchi {
        let d = if h.measure == "gini" { 5 } else { 4 };
        t.row([
            measure_label(&h.measure, r.from_age),
            number(h.first, d),
            number(h.second, d),
            number(h.difference, d),
            number(h.difference + h.residual, d),
            format!("{:.1e}", h.residual),
        ]);
    }
    if let Some(HoriuchiResult { a0: Some(a), .. }) = r.horiuchi.first() {
        t.note(format!(
            "a(0) (the HMD's separation factor at age 0, a parameter of its own) contributes {} years to e; \
             the residual is the midpoint rule's error, falling as 1/steps^2",
            number(*a, 5)
        ));
    }
    t
}

/// The outcome of a decomposition: summary lines, section, tables and charts.
pub fn outcome(
    result: DecomposeResult,
    warnings: Vec<String>,
    rates: TidyTable,
) -> Result<Outcome<DecomposeResult>, Error> {
    let figs = figures(&result);
    let mut o = Outcome::new(result);
    let r = &o.result;
    o.summary.push(format!(
        "{}: {} difference {} years (Arriaga, exact), {} by the line integral",
        comparison(r),
        measure_label("e", r.from_age),
        number(r.arriaga.difference, 3),
        r.horiuchi
            .first()
            .map_or("NA".into(), |h| number(h.difference + h.residual, 3))
    ));
    if r.groups.len() > 1 {
        let mut totals: Vec<(String, f64)> = r
            .groups
            .iter()
            .zip(&r.arriaga.by_age_cause)
            .map(|(g, c)| (g.clone(), c.iter().sum()))
            .collect();
        totals.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
        let top: Vec<String> = totals
            .iter()
            .take(3)
            .map(|(g, x)| format!("{g} {}", number(*x, 2)))
            .collect();
        o.summary
            .push(format!("largest cause contributions (years): {}", top.join(", ")));
    }
    if r.arriaga.difference == 0.0 {
        o.warnings
            .push("the difference is 0: percentages of the difference are undefined (NA)".into());
    }
    o.sections.push(section(r, &figs));
    o.tables = tables(r);
    o.tables.push(rates);
    o.files = figs
        .into_iter()
        .map(|(name, _, svg)| OutputFile::text(name, svg))
        .collect();
    o.warnings.extend(warnings);
    Ok(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_groups_are_the_usual_abridged_ones() {
        let single: Vec<f64> = (0..=110).map(f64::from).collect();
        let g = age_groups(&single);
        let labels: Vec<&str> = g.iter().map(|x| x.0.as_str()).collect();
        assert_eq!(labels[..4], ["0", "1–4", "5–9", "10–14"]);
        assert_eq!(labels.last(), Some(&"100+"));
        assert_eq!(g.len(), 22);
        assert_eq!(g[1].1, [1, 2, 3, 4]);
        assert_eq!(g[21].1.len(), 11);
        let abridged = [0.0, 1.0, 5.0, 10.0, 15.0, 85.0];
        let labels: Vec<String> = age_groups(&abridged).into_iter().map(|x| x.0).collect();
        assert_eq!(labels, ["0", "1–4", "5–9", "10–14", "15–84", "85+"]);
    }
}
