//! Trends over many years ([`crate::years`]) as demographers draw them: e₀ of females and males
//! by year (lines, with the simulated interval as a band when `--ci` was given) and the
//! female–male gap by year (with its band); text tables of e₀ by year and of the all-cause
//! Table 2 means by year.

use crate::population::Sex;
use crate::report::number;
use crate::uncertainty::Interval;
use crate::years::{LifeLostYearsResult, YearsResult};
use dimorph_report::svg::Chart;
use dimorph_report::Table;

const FEMALE: &str = "#D55E00";
const MALE: &str = "#0072B2";
const TOTAL: &str = "#009E73";

fn colour(s: Sex) -> &'static str {
    match s {
        Sex::Female => FEMALE,
        Sex::Male => MALE,
        Sex::Total => TOTAL,
    }
}

fn range(v: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = v
        .filter(|x| x.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
    if lo.is_finite() {
        let pad = 0.05 * (hi - lo).max(0.5);
        (lo - pad, hi + pad)
    } else {
        (0.0, 1.0)
    }
}

/// The limits of intervals, or `None` when any is missing.
fn limits<'a>(iv: impl Iterator<Item = Option<&'a Interval>>) -> Option<(Vec<f64>, Vec<f64>)> {
    let mut lo = Vec::new();
    let mut hi = Vec::new();
    for i in iv {
        let i = i?;
        lo.push(i.lower?);
        hi.push(i.upper?);
    }
    Some((lo, hi))
}

/// The trend figures: `e0_trend.svg` (e₀ by sex and year) and, with both sexes,
/// `e0_gap_trend.svg` (the female–male gap by year), as (file name, SVG).
pub fn figures(r: &YearsResult) -> Vec<(String, String)> {
    let x = (
        r.years.first().copied().unwrap_or(0) as f64,
        r.years.last().copied().unwrap_or(0) as f64,
    );
    let where_ = format!("{}, {}-{}", r.label, x.0, x.1);
    let mut out = Vec::new();
    let e0 = r.tables.iter().map(|t| t.lifetable.e0());
    let mut c = Chart::new(&format!("Life expectancy at birth by sex, {where_}"), x, range(e0))
        .size(820.0, 440.0)
        .labels("Year", "e0 (years)");
    for &sex in &r.sexes {
        let ts: Vec<_> = r.tables.iter().filter(|t| t.sex == sex).collect();
        let years: Vec<f64> = ts.iter().map(|t| t.year as f64).collect();
        let band = limits(
            ts.iter()
                .map(|t| t.intervals.as_ref().and_then(|i| i.simulation.first())),
        );
        if let Some((lo, hi)) = band.filter(|_| ts.len() > 1) {
            c.band(&years, &lo, &hi, colour(sex), 0.25, None);
        }
        let pts = ts.iter().map(|t| (t.year as f64, t.lifetable.e0())).collect();
        c.line(pts, colour(sex), Some(sex.as_str()));
    }
    out.push(("e0_trend.svg".to_string(), c.to_svg()));
    if !r.gap.is_empty() {
        let g = r.gap.iter().map(|g| g.gap);
        let mut c = Chart::new(&format!("Female-male gap in e0, {where_}"), x, range(g.chain([0.0])))
            .size(820.0, 440.0)
            .labels("Year", "e0 female - e0 male (years)");
        let years: Vec<f64> = r.gap.iter().map(|g| g.year as f64).collect();
        if let Some((lo, hi)) = limits(r.gap.iter().map(|g| g.simulation.as_ref())).filter(|_| years.len() > 1) {
            c.band(
                &years,
                &lo,
                &hi,
                "#555555",
                0.25,
                Some("confidence interval (simulation)"),
            );
        }
        c.line(
            r.gap.iter().map(|g| (g.year as f64, g.gap)).collect(),
            "#000000",
            Some("gap"),
        );
        out.push(("e0_gap_trend.svg".to_string(), c.to_svg()));
    }
    out
}

/// e₀ by year and sex (and the gap), with the simulated intervals when computed.
pub fn e0_table(r: &YearsResult) -> Table {
    let mut head: Vec<String> = vec!["Year".into()];
    head.extend(r.sexes.iter().map(|s| format!("e0 {s}")));
    let gap = !r.gap.is_empty();
    if gap {
        head.push("gap F-M".into());
    }
    let with = r.tables.iter().any(|t| t.intervals.is_some());
    let h: Vec<&str> = head.iter().map(String::as_str).collect();
    let title = if with {
        "Life expectancy at birth by year (simulated intervals in brackets)"
    } else {
        "Life expectancy at birth by year"
    };
    let mut tab = Table::new(title, &h);
    let cell = |e: f64, i: Option<&Interval>| match i.filter(|_| with) {
        Some(i) => format!("{} ({})", number(e, 2), crate::interval_report::limits(i, 2)),
        None => number(e, 2),
    };
    for &y in &r.years {
        let mut row = vec![y.to_string()];
        for &s in &r.sexes {
            let t = r.tables.iter().find(|t| t.year == y && t.sex == s);
            row.push(t.map_or("NA".into(), |t| {
                cell(
                    t.lifetable.e0(),
                    t.intervals.as_ref().and_then(|i| i.simulation.first()),
                )
            }));
        }
        if gap {
            let g = r.gap.iter().find(|g| g.year == y);
            row.push(g.map_or("NA".into(), |g| cell(g.gap, g.simulation.as_ref())));
        }
        tab.row(row);
    }
    tab
}

/// The all-cause Table 2 means by year and sex, with their simulated intervals when computed.
pub fn table2_all_causes(r: &LifeLostYearsResult) -> Table {
    let with = r.by_year.iter().any(|y| y.table2_intervals.is_some());
    let title = if with {
        "All causes, by year: the four means of Table 2 (simulated intervals in brackets)"
    } else {
        "All causes, by year: the four means of Table 2"
    };
    let mut tab = Table::new(
        title,
        &[
            "Year",
            "Sex",
            "e0",
            "Age at death",
            "Years left",
            "Age at saving",
            "Age lived",
        ],
    );
    for y in &r.by_year {
        let Some(all) = y.table2.iter().find(|t| t.cause == "All") else {
            continue;
        };
        for (sex, s) in [(Sex::Female, all.female), (Sex::Male, all.male)] {
            let Some(s) = s else { continue };
            let e0 = y.e0.iter().find(|(x, _)| *x == sex).map_or(f64::NAN, |(_, e)| *e);
            let cell = |measure: &str, v: f64| {
                let iv = y.table2_intervals.as_ref().and_then(|rows| {
                    rows.iter()
                        .find(|m| m.cause == "All" && m.sex == sex && m.measure == measure)
                });
                match iv {
                    Some(m) => format!("{} ({})", number(v, 2), crate::interval_report::limits(&m.interval, 2)),
                    None => number(v, 1),
                }
            };
            tab.row([
                y.year.to_string(),
                sex.to_string(),
                number(e0, 2),
                cell("mean_age_at_death", s.mean_age_at_death),
                cell("mean_years_left", s.mean_years_left),
                cell("mean_age_at_saving", s.mean_age_at_saving),
                cell("mean_age_lived", s.mean_age_lived),
            ]);
        }
    }
    tab
}
