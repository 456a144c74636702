//! Decompositions over many years (`dimorph lifetable decompose --years 1933-2019`): the same
//! comparison (by default female − male of one population) decomposed in every year by
//! [`super::run::decompose`] — Arriaga by age and cause, the line integral of Horiuchi et al.,
//! simulated intervals with `--ci` — on several threads across the years
//! ([`crate::years::map_years`]); one long table (`decomposition_years`: year × method × measure ×
//! age × cause, contribution in years and in % of the year's difference), the by-age and summary
//! tables by year, and the trend figures of the gap's contributions ([`super::trend_chart`]).
//! Years the cause file does not cover are decomposed by age for all causes (a warning names
//! them), as `lifelost --years` does.

use super::options::DecomposeOptions;
use super::output::tables;
use super::result::{DecomposeYearsResult, YearDecomposition};
use super::run::{decompose, Side};
use super::trend_chart;
use crate::report::number;
use crate::years::{check_years, join, map_years, with_year};
use crate::Error;
use dimorph_core::location::bad_argument;
use dimorph_core::text::{clip_to, CLIP_CHARS};
use dimorph_core::{OutputFile, TidyTable};
use dimorph_report::{Outcome, Section, Table};

/// One year: the sides moved to `year`, their cause data kept only when the cause file holds
/// the year and sex of both; `quiet` runs the year's draws on one thread.
fn one_year<'a>(
    first: &Side<'a>,
    second: &Side<'a>,
    year: i32,
    opts: &DecomposeOptions,
    quiet: bool,
) -> Result<(YearDecomposition, Vec<String>), Error> {
    let holds = |s: &Side| s.causes.is_some_and(|c| c.tables.contains_key(&(year, s.sex)));
    let with_causes = holds(first) && holds(second);
    let at = |s: &Side<'a>| -> Side<'a> {
        Side {
            year,
            causes: if with_causes { s.causes } else { None },
            ..*s
        }
    };
    let mut o = *opts;
    if let (true, Some(iv)) = (quiet, o.lifetable.intervals.as_mut()) {
        iv.threads = Some(1);
    }
    let (result, warnings, _) = decompose(&at(first), &at(second), &o)?;
    Ok((
        YearDecomposition {
            year,
            with_causes,
            result,
        },
        warnings,
    ))
}

/// Decomposes `first` − `second` in every year of `years` (the sides' own `year` is replaced by
/// each year; their data, cause files and sexes are kept). Every year must be in both data
/// sets (the missing ones are named); years the cause files lack are decomposed for all causes
/// with a warning. `threads` for the years (all cores when `None`).
pub fn run_decompose_years(
    first: &Side,
    second: &Side,
    years: &[i32],
    opts: &DecomposeOptions,
    threads: Option<usize>,
) -> Result<Outcome<DecomposeYearsResult>, Error> {
    opts.validate()?;
    if years.is_empty() {
        return Err(Error::from(bad_argument("--years", "no year to decompose")));
    }
    if first.sex == second.sex && std::ptr::eq(first.data, second.data) {
        return Err(Error::from(bad_argument(
            "--years",
            "the two tables of each year are the same (same data and sex): give --vs-sex or --vs-hmd/--vs-data",
        )));
    }
    check_years(first.data, years, &[first.sex])?;
    check_years(second.data, years, &[second.sex])?;
    // Arriaga's statistics held per draw: (groups + 1) × ages + groups + 4 differences
    let groups = first.causes.map_or(1, |c| c.groups.len());
    let stats = (groups + 1) * 112 + groups + 4;
    let threads = crate::many_years::within_memory(threads, &opts.lifetable, stats);
    let per_year = map_years(years, threads, |y, quiet| one_year(first, second, y, opts, quiet))?;
    let notes: Vec<&String> = first.data.notes.iter().chain(&second.data.notes).collect();
    let mut warnings: Vec<String> = Vec::new();
    for n in &notes {
        if !warnings.contains(n) {
            warnings.push((*n).clone());
        }
    }
    let mut by_year = Vec::with_capacity(per_year.len());
    for (y, w) in per_year {
        warnings.extend(
            w.into_iter()
                .filter(|w| !notes.contains(&w))
                .map(|w| format!("{}: {w}", y.year)),
        );
        by_year.push(y);
    }
    if let Some(c) = first.causes {
        let without: Vec<i32> = by_year.iter().filter(|y| !y.with_causes).map(|y| y.year).collect();
        if !without.is_empty() {
            warnings.push(format!(
                "{}: no cause-of-death deaths for {} of the {} years ({}): those years are decomposed by age for all causes only",
                c.source,
                without.len(),
                by_year.len(),
                clip_to(&join(&without), 4 * CLIP_CHARS)
            ));
        }
    }
    let comparison = by_year.first().map_or(String::new(), |y| {
        let r = &y.result;
        if r.first.label == r.second.label {
            format!("{} − {}", r.first.sex, r.second.sex)
        } else {
            format!(
                "{} {} − {} {}",
                r.first.label, r.first.sex, r.second.label, r.second.sex
            )
        }
    });
    let result = DecomposeYearsResult {
        label: first.data.label.clone(),
        comparison,
        years: years.to_vec(),
        by_year,
    };
    Ok(outcome(result, warnings))
}

/// The long tables: every year's `decomposition`, `decomposition_by_age` and
/// `decomposition_summary` with a first column `year`, named `…_years`.
pub fn years_tables(r: &DecomposeYearsResult) -> Vec<TidyTable> {
    let mut out: Vec<TidyTable> = Vec::new();
    for y in &r.by_year {
        for (k, t) in tables(&y.result).into_iter().enumerate() {
            let t = with_year(t, y.year);
            match out.get_mut(k) {
                Some(long) => long.rows.extend(t.rows),
                None => {
                    let mut t = t;
                    t.name = format!("{}_years", t.name);
                    out.push(t);
                }
            }
        }
    }
    out
}

fn outcome(result: DecomposeYearsResult, warnings: Vec<String>) -> Outcome<DecomposeYearsResult> {
    let mut o = Outcome::new(result);
    let r = &o.result;
    let (a, b) = (r.years[0], r.years[r.years.len() - 1]);
    o.summary.push(format!(
        "{}, {}: difference in e0 decomposed in {} years ({a}-{b})",
        r.label,
        r.comparison,
        r.years.len()
    ));
    for y in [r.by_year.first(), r.by_year.last()].into_iter().flatten() {
        o.summary.push(format!(
            "{}: difference {} years (Arriaga, exact)",
            y.year,
            number(y.result.arriaga.difference, 3)
        ));
    }
    let figs = trend_chart::figures(r);
    let mut s = Section::new(format!("Decomposition by year: {}, {}", r.label, r.comparison));
    s.table(year_table(r));
    for (name, caption, svg) in figs {
        s.figure(caption, svg.clone());
        o.files.push(OutputFile::text(name, svg));
    }
    o.sections.push(s);
    o.tables = years_tables(&o.result);
    o.warnings = warnings;
    o
}

/// The text table: each year's two values, the difference (with its interval) and the
/// largest cause contribution.
fn year_table(r: &DecomposeYearsResult) -> Table {
    let from = r.by_year.first().map_or(0.0, |y| y.result.from_age);
    let e = super::measures::measure_label("e", from);
    let ci = r.by_year.iter().any(|y| y.result.intervals.is_some());
    let mut header = vec!["Year", "First", "Second", "Difference"];
    if ci {
        header.extend(["Lower", "Upper"]);
    }
    header.push("Largest cause contribution");
    let mut t = Table::new(format!("{e}: {} by year (Arriaga, years)", r.comparison), &header);
    for y in &r.by_year {
        let res = &y.result;
        let mut row = vec![
            y.year.to_string(),
            number(res.first.e, 2),
            number(res.second.e, 2),
            number(res.arriaga.difference, 3),
        ];
        if ci {
            let b = |x: Option<f64>| x.map_or("NA".to_string(), |v| number(v, 3));
            let i = res.intervals.as_ref().map(|c| &c.differences[0]);
            row.push(b(i.and_then(|i| i.lower)));
            row.push(b(i.and_then(|i| i.upper)));
        }
        let top = res
            .groups
            .iter()
            .zip(&res.arriaga.by_age_cause)
            .map(|(g, c)| (g, c.iter().sum::<f64>()))
            .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()));
        row.push(match top {
            Some((g, x)) if res.groups.len() > 1 => format!("{g} {}", number(x, 2)),
            _ => "(all causes)".into(),
        });
        t.row(row);
    }
    if let Some(y) = r.by_year.first() {
        t.note(format!(
            "First: {} {}; Second: {} {}",
            y.result.first.label, y.result.first.sex, y.result.second.label, y.result.second.sex
        ));
    }
    t
}
