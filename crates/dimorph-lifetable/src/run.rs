//! The two entry points, one per analysis, each returning a [`dimorph_report::Outcome`]:
//!
//! * [`run_lifetable`]: the period life table of one year and sex (HMD Methods Protocol v6) and
//!   its lifespan variation — tidy tables `lifetable` (one row per age) and `variation`;
//! * [`run_lifelost`]: life lost and lifesaving by cause of death (Riffe & Solé Auró 2015,
//!   eq. 1–11) — tidy tables `lifelost_by_age` (one row per sex × cause × age), `variation`,
//!   Tables 1 and 2, the matrices of eq. 1, 4 and 6 per sex and cause, and the pyramids of
//!   Figures 3–6 as SVG files.
//!
//! Nothing here prints or writes: the front end decides what to do with the outcome.

use crate::analysis::{analyse, Analysis, Table1Row, Table2Row};
use crate::causes::CauseDeaths;
use crate::figures::Perspective;
use crate::interval_report;
use crate::options::{LifeLostOptions, LifeTableOptions};
use crate::population::{check_year, MortalityData, Sex};
use crate::report;
use crate::table::{lifetable, Lifetable};
use crate::tidy::{self, Matrix};
use crate::variation::{undefined_warning, variation, Variation};
use crate::Error;
use dimorph_core::OutputFile;
use dimorph_report::Outcome;
use serde::Serialize;

/// The result of [`run_lifetable`] (`result` of `dimorph lifetable --format json`).
#[derive(Debug, Clone, Serialize)]
pub struct LifeTableResult {
    /// The file or folder the data came from.
    pub source: String,
    /// A description of the data (e.g. `The United States of America, HMD`).
    pub label: String,
    pub year: i32,
    pub sex: Sex,
    /// The life table, one vector per column (`age`, `mx`, `qx`, `ax`, `lx`, `dx`, `Lx`, `Tx`,
    /// `ex`), with the Kannisto fit when smoothing was applied.
    pub lifetable: Lifetable,
    /// Lifespan variation at birth: e₀, e†, Keyfitz's H, Gini, SD.
    pub variation: Variation,
    /// Intervals of every e(x) by Chiang's variance and the Poisson simulation (`--ci`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intervals: Option<crate::uncertainty::ExIntervals>,
}

/// The period life table of `year` and `sex` from `data`, with its lifespan variation.
pub fn run_lifetable(
    data: &MortalityData,
    year: i32,
    sex: Sex,
    opts: &LifeTableOptions,
) -> Result<Outcome<LifeTableResult>, Error> {
    opts.validate()?;
    check_year(year)?;
    let t = lifetable(data, year, sex, opts)?;
    let v = variation(&t);
    let undefined = undefined_warning(&t, &v);
    let intervals = match &opts.intervals {
        Some(iv) => Some(crate::uncertainty::ex_intervals(&t, data, year, sex, opts, iv)?),
        None => None,
    };
    let mut o = Outcome::new(LifeTableResult {
        source: data.source.clone(),
        label: data.label.clone(),
        year,
        sex,
        lifetable: t,
        variation: v,
        intervals,
    });
    let r = &o.result;
    o.summary.push(format!(
        "{}, {year}, {sex}: e0 = {} years",
        r.label,
        report::number(v.e0, 2)
    ));
    o.summary.push(format!(
        "lifespan variation: e-dagger = {}, Keyfitz H = {}, Gini = {}, SD = {}",
        report::number(v.e_dagger, 2),
        report::number(v.keyfitz_h, 4),
        report::number(v.gini, 4),
        report::number(v.sd, 2)
    ));
    o.sections.push(report::lifetable_section(&r.lifetable, &v, &r.label));
    o.tables.push(tidy::lifetable(&r.lifetable));
    o.tables.push(tidy::variation(year, &[(sex, v)]));
    o.warnings = data.notes.clone();
    o.warnings.extend(o.result.lifetable.warnings.iter().cloned());
    o.warnings.extend(undefined);
    if let Some(iv) = &o.result.intervals {
        o.summary.push(interval_report::e0_line(&o.result.lifetable, iv));
        if let Some(s) = o.sections.last_mut() {
            s.table(interval_report::ex_table(&o.result.lifetable, iv));
        }
        interval_report::add_ex_columns(&mut o.tables[0], iv);
        o.warnings.extend(iv.draws.warning(&format!("{year} {sex}")));
    }
    check_defined(&o.tables, &o.warnings, &data.source)?;
    Ok(o)
}

/// The last guard against a silent NaN or infinity: every number of the tidy tables is finite,
/// or a warning says which values are undefined and why. A value that is neither is refused
/// (an error naming the table, row and column) rather than written.
fn check_defined(tables: &[dimorph_core::TidyTable], warnings: &[String], source: &str) -> Result<(), Error> {
    if warnings.iter().any(|w| w.contains("undefined")) {
        return Ok(());
    }
    for t in tables {
        for (r, row) in t.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                if matches!(cell, dimorph_core::Cell::Num(x) if !x.is_finite()) {
                    return Err(Error::Argument(format!(
                        "{source}: table {}, row {}, column '{}' is not a finite number, and no reason is known \
                         (an internal check; please report it with the data)",
                        t.name,
                        r + 1,
                        t.columns[c]
                    )));
                }
            }
        }
    }
    Ok(())
}

/// Refuses a sex that a life-lost analysis does not compare (total) and an empty list.
pub fn check_lifelost_sexes(sexes: &[Sex]) -> Result<(), Error> {
    if sexes.contains(&Sex::Total) {
        return Err(Error::from(dimorph_core::location::bad_argument(
            "--sex",
            "total is not supported by lifelost: life lost is computed for females and males and compared \
             side by side (Tables 1-2, back-to-back pyramids); give female, male or both \
             (dimorph lifetable --sex total gives the table of both sexes together)",
        )));
    }
    if sexes.is_empty() {
        return Err(Error::from(dimorph_core::location::bad_argument(
            "--sex",
            "no sex to analyse: give female, male or both",
        )));
    }
    Ok(())
}

/// The result of [`run_lifelost`] (`result` of `dimorph lifelost --format json`): the analysis
/// (`source`, `label`, `year`, and per sex the life table, variation, cause attribution and the
/// life lost for all causes and each cause group) with the paper's Tables 1 and 2.
#[derive(Debug, Clone, Serialize)]
pub struct LifeLostResult {
    #[serde(flatten)]
    pub analysis: Analysis,
    /// Deaths by cause group and sex (both sexes and cause data needed).
    pub table1: Option<Vec<Table1Row>>,
    /// The four means of each cause group (causes first, `All` last).
    pub table2: Vec<Table2Row>,
    /// Intervals of Table 2's means by the Poisson simulation (`--ci`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table2_intervals: Option<Vec<crate::uncertainty::MeanInterval>>,
}

/// Life lost and lifesaving in `year` for `sexes`: all causes, and with cause-of-death data each
/// cause group (only `cause` when given). Figures: all causes and `cause`, or every group.
pub fn run_lifelost(
    data: &MortalityData,
    causes: Option<&CauseDeaths>,
    year: i32,
    sexes: &[Sex],
    cause: Option<&str>,
    opts: &LifeLostOptions,
) -> Result<Outcome<LifeLostResult>, Error> {
    opts.validate()?;
    check_year(year)?;
    check_lifelost_sexes(sexes)?;
    if causes.is_none() {
        opts.validate_without_causes()?;
    }
    // --open-age: the year's deaths, exposures and cause deaths closed at the asked age
    let (opened, opened_causes);
    let (data, causes) = match opts.lifetable.open_age {
        Some(a) => {
            opened = data.year_with_open_age(year, a)?;
            opened_causes = causes.map(|c| c.with_open_age(a));
            (&opened, opened_causes.as_ref())
        }
        None => (data, causes),
    };
    let an = analyse(data, causes, year, sexes, cause, opts)?;
    let mut warnings = data.notes.clone();
    warnings.extend(an.warnings.iter().cloned());
    let figure_causes: Vec<String> = match cause {
        Some(c) => vec!["All".to_string(), c.to_string()],
        None => an.causes(),
    };
    let slugs = unique_slugs(&an.causes());
    let section = report::lifelost_section(&an, &[], opts.percent, false);
    let summary = lifelost_summary(&an);
    let tables = lifelost_tables(&an, &slugs);
    let files = figure_files(&an, &figure_causes, &slugs, opts.percent);
    let mut section = section;
    let mut tables = tables;
    let table2_intervals = match &opts.lifetable.intervals {
        Some(iv) => {
            let (rows, sim) = crate::uncertainty::table2_intervals(&an, data, causes, cause, opts, iv)?;
            section.table(interval_report::table2_text(&rows, &sim, iv.level));
            tables.push(interval_report::table2_tidy(&rows, iv.level));
            warnings.extend(sim.warning(&format!("{year}, Table 2")));
            Some(rows)
        }
        None => None,
    };
    let result = LifeLostResult {
        table1: an.table1(),
        table2: an.table2(),
        table2_intervals,
        analysis: an,
    };
    check_defined(&tables, &warnings, &data.source)?;
    let mut o = Outcome::new(result).section(section);
    o.summary = summary;
    o.tables = tables;
    o.files = files;
    o.warnings = warnings;
    Ok(o)
}

/// A few lines with the headline figures: per sex e₀ and the all-cause life lost.
pub fn lifelost_summary(an: &Analysis) -> Vec<String> {
    let mut out = vec![format!("Life lost and lifesaving, {} ({})", an.year, an.label)];
    for s in &an.sexes {
        let Some(all) = s.results.first() else { continue };
        let m = all.summary;
        out.push(format!(
            "{}: e0 {}; {} deaths saved once win {} person-years ({} each)",
            s.sex,
            report::number(s.lifetable.e0(), 2),
            report::thousands(m.deaths),
            report::thousands(m.years_won),
            report::number(m.mean_years_left, 1)
        ));
        out.push(format!(
            "  mean age at death {}, at saving {}; the years won are lived at {} on average",
            report::number(m.mean_age_at_death, 1),
            report::number(m.mean_age_at_saving, 1),
            report::number(m.mean_age_lived, 1)
        ));
    }
    out
}

/// The tidy tables: life lost by age (the main table), variation, Tables 1 and 2, then the three
/// matrices of each sex and cause (`<sex>_<cause slug>_<matrix>`).
fn lifelost_tables(an: &Analysis, slugs: &[(String, String)]) -> Vec<dimorph_core::TidyTable> {
    let all: Vec<_> = an.sexes.iter().flat_map(|s| s.results.iter()).collect();
    let mut tables = vec![tidy::by_age(&all)];
    let vrows: Vec<(Sex, Variation)> = an.sexes.iter().map(|s| (s.sex, s.variation)).collect();
    tables.push(tidy::variation(an.year, &vrows));
    if let Some(rows) = an.table1() {
        tables.push(tidy::table1(&rows));
    }
    tables.push(tidy::table2(&an.table2()));
    for r in &all {
        let slug = slug_of(slugs, &r.cause);
        for m in Matrix::ALL {
            let name = format!("{}_{slug}_{}", r.sex, m.suffix());
            tables.push(tidy::matrix(&name, r, m));
        }
    }
    tables
}

/// The four pyramids (Figures 3–6) of each cause in `causes` that was analysed, as SVG files
/// `<cause slug>_<perspective>.svg`.
fn figure_files(an: &Analysis, causes: &[String], slugs: &[(String, String)], percent: bool) -> Vec<OutputFile> {
    let mut files = Vec::new();
    for c in causes {
        if !slugs.iter().any(|(name, _)| name == c) {
            continue;
        }
        for p in Perspective::ALL {
            files.push(OutputFile::text(
                format!("{}_{}.svg", slug_of(slugs, c), p.slug()),
                report::figure(an, p, c, percent),
            ));
        }
    }
    files
}

/// A file-name stem: ASCII letters and digits lower-cased, anything else `_`.
pub fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// (name, slug) for each name, the slugs made unique by `_2`, `_3`, … so that two cause groups
/// never share a file (`Heart, vessels` and `Heart vessels`).
pub fn unique_slugs(names: &[String]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::with_capacity(names.len());
    for n in names {
        let base = slug(n);
        let mut s = base.clone();
        let mut k = 2;
        while out.iter().any(|(_, t)| *t == s) {
            s = format!("{base}_{k}");
            k += 1;
        }
        out.push((n.clone(), s));
    }
    out
}

fn slug_of<'a>(slugs: &'a [(String, String)], name: &str) -> &'a str {
    slugs
        .iter()
        .find(|(n, _)| n == name)
        .map_or("cause", |(_, s)| s.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_unique() {
        let names: Vec<String> = ["All", "Heart, vessels", "Heart  vessels", "all"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let s: Vec<String> = unique_slugs(&names).into_iter().map(|(_, s)| s).collect();
        assert_eq!(s, ["all", "heart__vessels", "heart__vessels_2", "all_2"]);
    }
}
