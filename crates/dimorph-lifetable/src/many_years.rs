//! The entry points of many-year analyses (`--years`): [`run_lifetable_years`] (the long life
//! table, e₀ and the gap by year, the trend figures of [`crate::trend`]) and
//! [`run_lifelost_years`] (life lost by year, sex, cause and age; Table 2 by year), each
//! returning an [`Outcome`]. The years are parsed, checked and run in [`crate::years`].

use crate::causes::CauseDeaths;
use crate::options::{LifeLostOptions, LifeTableOptions};
use crate::population::{MortalityData, Sex};
use crate::years::{
    check_years, gap_table, join, lifelost_year, lifelost_years_tables, long_table, map_years, trend_table,
    year_tables, LifeLostYearsResult, YearsResult,
};
use crate::Error;
use dimorph_core::location::bad_argument;
use dimorph_core::text::{clip_to, CLIP_CHARS};
use dimorph_report::Outcome;

/// Life tables of every year of `years` and every sex of `sexes` from `data`: tables
/// `lifetable_years` (the long table), `e0_trend`, `e0_gap` (both sexes); the trend figures;
/// `threads` for the years (all cores when `None`).
pub fn run_lifetable_years(
    data: &MortalityData,
    years: &[i32],
    sexes: &[Sex],
    opts: &LifeTableOptions,
    threads: Option<usize>,
) -> Result<Outcome<YearsResult>, Error> {
    opts.validate()?;
    if years.is_empty() || sexes.is_empty() {
        return Err(Error::from(bad_argument("--years", "no year or no sex to analyse")));
    }
    check_years(data, years, sexes)?;
    let threads = within_memory(threads, opts, sexes.len() * 112);
    let per_year = map_years(years, threads, |y, quiet| year_tables(data, y, sexes, opts, quiet))?;
    let mut tables = Vec::new();
    let mut gap = Vec::new();
    for (t, g) in per_year {
        tables.extend(t);
        gap.extend(g);
    }
    let mut warnings = data.notes.clone();
    for t in &tables {
        warnings.extend(
            t.lifetable
                .warnings
                .iter()
                .map(|w| format!("{} {}: {w}", t.year, t.sex)),
        );
    }
    // one simulation per year, shared by its sexes: its left-out draws said once
    let mut said = Vec::new();
    for t in &tables {
        if let Some(iv) = t.intervals.as_ref().filter(|_| !said.contains(&t.year)) {
            said.push(t.year);
            warnings.extend(iv.draws.warning(&t.year.to_string()));
        }
    }
    let result = YearsResult {
        source: data.source.clone(),
        label: data.label.clone(),
        years: years.to_vec(),
        sexes: sexes.to_vec(),
        tables,
        gap,
    };
    let mut o = Outcome::new(result);
    o.tables = vec![long_table(&o.result.tables), trend_table(&o.result.tables)];
    if !o.result.gap.is_empty() {
        o.tables.push(gap_table(&o.result.gap));
    }
    o.summary = years_summary(&o.result);
    let mut s = dimorph_report::Section::new(format!("Life tables by year: {}", o.result.label));
    s.table(crate::trend::e0_table(&o.result));
    for (name, svg) in crate::trend::figures(&o.result) {
        s.figure(name.clone(), svg.clone());
        o.files.push(dimorph_core::OutputFile::text(name, svg));
    }
    o.sections.push(s);
    o.warnings = warnings;
    Ok(o)
}

/// The draws of the years running at once are held together (draws × statistics each): at
/// most [`MAX_HELD`] numbers, so that 100,000 draws on many cores stay within about a gigabyte.
pub(crate) fn within_memory(threads: Option<usize>, opts: &LifeTableOptions, stats: usize) -> Option<usize> {
    let Some(iv) = opts.intervals else { return threads };
    let fit = (MAX_HELD / (iv.draws * stats).max(1)).max(1);
    Some(dimorph_core::threads::resolve(threads).min(fit))
}

/// The most simulated numbers held at once by the years running in parallel (1 GiB of `f64`).
pub const MAX_HELD: usize = 1 << 27;

fn years_summary(r: &YearsResult) -> Vec<String> {
    let (first, last) = (
        r.years.first().copied().unwrap_or(0),
        r.years.last().copied().unwrap_or(0),
    );
    let mut out = vec![format!(
        "{}: {} years ({first}-{last}) x {} sexes",
        r.label,
        r.years.len(),
        r.sexes.len()
    )];
    for y in [first, last] {
        if let Some(g) = r.gap.iter().find(|g| g.year == y) {
            out.push(format!(
                "{y}: e0 female {:.2}, male {:.2}, gap {:.2} years",
                g.female, g.male, g.gap
            ));
        }
    }
    out
}

/// Life lost and lifesaving for every year of `years` (see [`crate::run::run_lifelost`]): by
/// year, sex, cause and age (`lifelost_by_age`), Table 2 by year (`table2_years`) and its
/// intervals (`table2_intervals_years`). Years without cause-of-death data in `causes` are
/// analysed for all causes only (a warning names them).
pub fn run_lifelost_years(
    data: &MortalityData,
    causes: Option<&CauseDeaths>,
    years: &[i32],
    sexes: &[Sex],
    cause: Option<&str>,
    opts: &LifeLostOptions,
    threads: Option<usize>,
) -> Result<Outcome<LifeLostYearsResult>, Error> {
    opts.validate()?;
    crate::run::check_lifelost_sexes(sexes)?;
    if causes.is_none() {
        opts.validate_without_causes()?;
    }
    if years.is_empty() {
        return Err(Error::from(bad_argument("--years", "no year to analyse")));
    }
    check_years(data, years, sexes)?;
    // Table 2: 4 means × sexes × (all causes and at most 100 groups)
    let groups = causes.map_or(1, |c| c.groups.len() + 1);
    let threads = within_memory(threads, &opts.lifetable, 4 * sexes.len() * groups);
    let per_year = map_years(years, threads, |y, quiet| {
        lifelost_year(data, causes, y, sexes, cause, opts, quiet)
    })?;
    let mut warnings = data.notes.clone();
    let mut by_year = Vec::with_capacity(per_year.len());
    for (y, w) in per_year {
        warnings.extend(w);
        by_year.push(y);
    }
    if let Some(c) = causes {
        let without: Vec<i32> = by_year.iter().filter(|y| !y.with_causes).map(|y| y.year).collect();
        if !without.is_empty() {
            warnings.push(format!(
                "{}: no cause-of-death deaths for {} of the {} years ({}): those years are analysed for all causes only",
                c.source,
                without.len(),
                by_year.len(),
                clip_to(&join(&without), 4 * CLIP_CHARS)
            ));
        }
    }
    let result = LifeLostYearsResult {
        source: data.source.clone(),
        label: data.label.clone(),
        years: years.to_vec(),
        sexes: sexes.to_vec(),
        by_year,
    };
    let mut o = Outcome::new(result);
    o.tables = lifelost_years_tables(&o.result, opts.lifetable.intervals.map(|i| i.level));
    o.summary = vec![format!(
        "Life lost and lifesaving, {} years ({})",
        o.result.years.len(),
        o.result.label
    )];
    let mut s = dimorph_report::Section::new(format!("Life lost by year: {}", o.result.label));
    s.table(crate::trend::table2_all_causes(&o.result));
    o.sections.push(s);
    o.warnings = warnings;
    Ok(o)
}
