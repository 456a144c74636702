//! Many years in one call (`--years 1933-2019`, `--years 1950,1960,2010`): the years are parsed
//! ([`parse_years`]), checked against what the data hold ([`check_years`], naming the missing
//! years and the files), and analysed on several threads ([`map_years`], results in year order;
//! the decomposition loops years through it too), one year at a time ([`year_tables`],
//! [`lifelost_year`]) into the tidy tables: the life tables of every year and sex as one long
//! table ([`long_table`], `lifetable_years`: year, sex, age, columns), e₀ and lifespan variation
//! by year and sex ([`trend_table`]), the female–male gap by year ([`gap_table`]), the life lost
//! by year, sex, cause and age and Table 2 by year ([`lifelost_years_tables`]). The entry
//! points are in [`crate::many_years`]. With
//! intervals (`--ci`), each year's draws are one simulation of that year's data, so the gap's
//! interval comes from the same draws as the two sexes'.

use crate::analysis::{analyse, Table2Row};
use crate::causes::CauseDeaths;
use crate::interval_report;
use crate::lifelost::LifeLost;
use crate::options::{LifeLostOptions, LifeTableOptions};
use crate::population::{check_year, MortalityData, Sex};
use crate::table::{lifetable, Lifetable};
use crate::tidy;
use crate::uncertainty::{
    chiang_intervals, observed_deaths, simulate_data, table2_intervals, ExIntervals, Interval, MeanInterval,
};
use crate::variation::{variation, Variation};
use crate::Error;
use dimorph_core::location::bad_argument;
use dimorph_core::text::{clip_to, CLIP_CHARS};
use dimorph_core::{Cell, TidyTable};
use serde::Serialize;

/// Parses `--years`: comma-separated years and ranges (`1933-2019`, `1950,1960,2010`,
/// `1933-1939,2010`), sorted and without repeats.
pub fn parse_years(spec: &str) -> Result<Vec<i32>, Error> {
    let bad = |msg: String| Error::from(bad_argument("--years", msg));
    let year = |s: &str| -> Result<i32, Error> {
        let y: i32 = s.trim().parse().map_err(|_| {
            bad(format!(
                "{} is not a year (give years and ranges such as 1933-2019 or 1950,1960,2010)",
                crate::error::quote(s.trim())
            ))
        })?;
        check_year(y).map_err(|_| bad(format!("{y} is not a year from 1 to 9999")))?;
        Ok(y)
    };
    let mut out = Vec::new();
    for part in spec.split(',') {
        if part.trim().is_empty() {
            return Err(bad(format!(
                "an empty item in {} (give years and ranges such as 1933-2019 or 1950,1960,2010)",
                crate::error::quote(spec)
            )));
        }
        match part.trim().split_once('-') {
            Some((a, b)) => {
                let (a, b) = (year(a)?, year(b)?);
                if a > b {
                    return Err(bad(format!("the range {a}-{b} runs backwards (write {b}-{a})")));
                }
                out.extend(a..=b);
            }
            None => out.push(year(part)?),
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// The files of an HMD folder that hold deaths and exposures (for messages), else the source.
fn files_of(data: &MortalityData) -> String {
    let dir = std::path::Path::new(&data.source);
    let names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            let mut v: Vec<String> = rd
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.contains(".Deaths_") || n.contains(".Exposures_"))
                .collect();
            v.sort();
            v
        })
        .unwrap_or_default();
    if names.is_empty() {
        data.source.clone()
    } else {
        format!("{} ({})", data.source, names.join(", "))
    }
}

/// Refuses years (and sexes) that the data do not hold, naming every missing year and the
/// files, and the years whose values cannot be used with the reason.
pub fn check_years(data: &MortalityData, years: &[i32], sexes: &[Sex]) -> Result<(), Error> {
    let held = data.years();
    let missing: Vec<String> = years
        .iter()
        .filter(|y| !held.contains(y))
        .map(|y| y.to_string())
        .collect();
    if !missing.is_empty() {
        let available = match (held.first(), held.last()) {
            (Some(a), Some(b)) if held.len() as i64 == i64::from(*b) - i64::from(*a) + 1 => format!("years {a}-{b}"),
            (Some(_), Some(_)) => format!("years {}", clip_to(&join(&held), 4 * CLIP_CHARS)),
            _ => "no years".into(),
        };
        let what = if missing.len() == 1 {
            format!("year {}", missing[0])
        } else {
            format!(
                "{} of the years asked for: {}",
                missing.len(),
                clip_to(&missing.join(", "), 4 * CLIP_CHARS)
            )
        };
        return Err(Error::NotFound {
            source_name: files_of(data),
            what,
            available,
        });
    }
    for &y in years {
        for &s in sexes {
            data.get(y, s)?;
        }
    }
    Ok(())
}

/// Years as `1950, 1960, 2010`.
pub fn join(v: &[i32]) -> String {
    v.iter().map(|y| y.to_string()).collect::<Vec<_>>().join(", ")
}

/// Runs `f` for every year on up to `threads` threads (all cores when `None`), the years split
/// into contiguous blocks; results in the order of `years`. The first error (in year order) is
/// returned. `f` gets the year and whether it runs beside other threads (then it should not
/// start threads of its own).
pub fn map_years<T, F>(years: &[i32], threads: Option<usize>, f: F) -> Result<Vec<T>, Error>
where
    T: Send,
    F: Fn(i32, bool) -> Result<T, Error> + Sync,
{
    let threads = dimorph_core::threads::resolve(threads);
    let parts = dimorph_core::threads::ranges(years.len(), threads);
    let parallel = parts.len() > 1;
    let blocks =
        dimorph_core::threads::map_ranges(&parts, |r| years[r].iter().map(|y| f(*y, parallel)).collect::<Vec<_>>());
    blocks.into_iter().flatten().collect()
}

/// The table of one year and sex with its lifespan variation and intervals.
#[derive(Debug, Clone, Serialize)]
pub struct YearTable {
    pub year: i32,
    pub sex: Sex,
    pub lifetable: Lifetable,
    pub variation: Variation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intervals: Option<ExIntervals>,
}

/// e₀ of females and males in one year and the gap (female − male), with intervals (`--ci`):
/// Chiang's from the two sexes' variances (independent deaths), the simulation's from the
/// same draws as the sexes'.
#[derive(Debug, Clone, Serialize)]
pub struct GapRow {
    pub year: i32,
    pub female: f64,
    pub male: f64,
    pub gap: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chiang: Option<Interval>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub simulation: Option<Interval>,
}

/// The result of [`run_lifetable_years`] (`result` of `dimorph lifetable --years … --format json`).
#[derive(Debug, Clone, Serialize)]
pub struct YearsResult {
    pub source: String,
    pub label: String,
    pub years: Vec<i32>,
    pub sexes: Vec<Sex>,
    /// One per year and sex, years first.
    pub tables: Vec<YearTable>,
    /// The female–male gap in e₀ by year (both sexes asked for).
    pub gap: Vec<GapRow>,
}

/// The tables of one year for `sexes`, and the gap when both sexes are there; `quiet` runs the
/// draws on one thread (years already run in parallel).
pub fn year_tables(
    data: &MortalityData,
    year: i32,
    sexes: &[Sex],
    opts: &LifeTableOptions,
    quiet: bool,
) -> Result<(Vec<YearTable>, Option<GapRow>), Error> {
    let mut out = Vec::with_capacity(sexes.len());
    for &sex in sexes {
        let t = lifetable(data, year, sex, opts)?;
        let v = variation(&t);
        out.push(YearTable {
            year,
            sex,
            lifetable: t,
            variation: v,
            intervals: None,
        });
    }
    let fi = sexes.iter().position(|s| *s == Sex::Female);
    let mi = sexes.iter().position(|s| *s == Sex::Male);
    let mut gap = match (fi, mi) {
        (Some(f), Some(m)) => Some(GapRow {
            year,
            female: out[f].lifetable.e0(),
            male: out[m].lifetable.e0(),
            gap: out[f].lifetable.e0() - out[m].lifetable.e0(),
            chiang: None,
            simulation: None,
        }),
        _ => None,
    };
    let Some(iv) = opts.intervals else {
        return Ok((out, gap));
    };
    let iv = one_thread_if(iv, quiet);
    let sim = simulate_data(data, None, &[year], &iv, |d, _| {
        let mut v = Vec::new();
        let mut e0 = Vec::with_capacity(sexes.len());
        for &sex in sexes {
            let t = lifetable(d, year, sex, opts)?;
            e0.push(t.e0());
            v.extend(t.ex);
        }
        if let (Some(f), Some(m)) = (fi, mi) {
            v.push(e0[f] - e0[m]);
        }
        Ok(v)
    })?;
    let mut offset = 0;
    let mut gap_var = 0.0;
    for yt in out.iter_mut() {
        let t = &yt.lifetable;
        let chiang = chiang_intervals(t, &observed_deaths(data, year, yt.sex, opts)?, &iv)?;
        if matches!(yt.sex, Sex::Female | Sex::Male) {
            gap_var += chiang[0].se.unwrap_or(0.0).powi(2);
        }
        let simulation = (0..t.len())
            .map(|j| sim.interval(offset + j, t.ex[j], iv.level))
            .collect();
        offset += t.len();
        yt.intervals = Some(ExIntervals {
            level: iv.level,
            chiang,
            simulation,
            draws: sim.summary(),
        });
    }
    if let Some(g) = gap.as_mut() {
        let z = iv.z();
        let se = gap_var.sqrt();
        g.chiang = Some(Interval {
            estimate: g.gap,
            se: Some(se),
            lower: Some(g.gap - z * se),
            upper: Some(g.gap + z * se),
        });
        g.simulation = Some(sim.interval(offset, g.gap, iv.level));
    }
    Ok((out, gap))
}

/// The interval settings for one year's draws: one thread when years already run in parallel.
fn one_thread_if(mut iv: crate::uncertainty::IntervalOptions, quiet: bool) -> crate::uncertainty::IntervalOptions {
    if quiet {
        iv.threads = Some(1);
    }
    iv
}

/// The long table: the life tables of every year and sex one under the other (with the
/// interval columns when computed).
pub fn long_table(tables: &[YearTable]) -> TidyTable {
    let mut out: Option<TidyTable> = None;
    for yt in tables {
        let mut t = tidy::lifetable(&yt.lifetable);
        if let Some(iv) = &yt.intervals {
            interval_report::add_ex_columns(&mut t, iv);
        }
        match out.as_mut() {
            None => out = Some(t),
            Some(o) => o.rows.extend(t.rows),
        }
    }
    let mut t = out.unwrap_or_else(|| tidy::lifetable(&empty_table()));
    t.name = "lifetable_years".into();
    t
}

fn empty_table() -> Lifetable {
    Lifetable {
        year: None,
        sex: Sex::Total,
        age: Vec::new(),
        width: Vec::new(),
        mx: Vec::new(),
        qx: Vec::new(),
        ax: Vec::new(),
        lx: Vec::new(),
        dx: Vec::new(),
        big_lx: Vec::new(),
        big_tx: Vec::new(),
        ex: Vec::new(),
        radix: 1.0,
        ax_method: crate::options::AxMethod::Hmd,
        kannisto: None,
        warnings: Vec::new(),
    }
}

fn interval_cells(i: Option<&Interval>) -> [Cell; 3] {
    match i {
        Some(i) => [i.se.into(), i.lower.into(), i.upper.into()],
        None => [Cell::Missing, Cell::Missing, Cell::Missing],
    }
}

/// e₀ and lifespan variation by year and sex (with e₀'s intervals when computed).
pub fn trend_table(tables: &[YearTable]) -> TidyTable {
    let with = tables.iter().any(|t| t.intervals.is_some());
    let mut cols: Vec<String> = ["year", "sex", "e0", "e_dagger", "keyfitz_h", "gini", "sd"]
        .map(String::from)
        .to_vec();
    if with {
        // ex_chiang_se → e0_chiang_se, …
        cols.extend(interval_report::EX_COLUMNS.iter().map(|c| format!("e0{}", &c[2..])));
    }
    let cols: Vec<&str> = cols.iter().map(String::as_str).collect();
    let mut t = TidyTable::new("e0_trend", &cols);
    for yt in tables {
        let v = &yt.variation;
        let mut row: Vec<Cell> = vec![
            yt.year.into(),
            yt.sex.as_str().into(),
            v.e0.into(),
            v.e_dagger.into(),
            v.keyfitz_h.into(),
            v.gini.into(),
            v.sd.into(),
        ];
        if with {
            let iv = yt.intervals.as_ref();
            row.extend(interval_cells(iv.and_then(|i| i.chiang.first())));
            row.extend(interval_cells(iv.and_then(|i| i.simulation.first())));
        }
        t.push(row);
    }
    t
}

/// The female–male gap in e₀ by year (with its intervals when computed).
pub fn gap_table(rows: &[GapRow]) -> TidyTable {
    let with = rows.iter().any(|g| g.chiang.is_some());
    let mut cols = vec!["year", "e0_female", "e0_male", "gap"];
    if with {
        cols.extend([
            "gap_chiang_se",
            "gap_chiang_lower",
            "gap_chiang_upper",
            "gap_sim_se",
            "gap_sim_lower",
            "gap_sim_upper",
        ]);
    }
    let mut t = TidyTable::new("e0_gap", &cols);
    for g in rows {
        let mut row: Vec<Cell> = vec![g.year.into(), g.female.into(), g.male.into(), g.gap.into()];
        if with {
            row.extend(interval_cells(g.chiang.as_ref()));
            row.extend(interval_cells(g.simulation.as_ref()));
        }
        t.push(row);
    }
    t
}

/// One year of a many-year life-lost analysis: Table 2 (and its intervals), e₀ by sex.
#[derive(Debug, Clone, Serialize)]
pub struct LifeLostYear {
    pub year: i32,
    /// Whether cause-of-death data were there for this year (else all causes only).
    pub with_causes: bool,
    pub e0: Vec<(Sex, f64)>,
    pub table2: Vec<Table2Row>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table2_intervals: Option<Vec<MeanInterval>>,
    /// The life lost by sex and cause (not in JSON: the tidy table `lifelost_by_age` holds it).
    #[serde(skip)]
    pub results: Vec<LifeLost>,
}

/// The result of [`run_lifelost_years`].
#[derive(Debug, Clone, Serialize)]
pub struct LifeLostYearsResult {
    pub source: String,
    pub label: String,
    pub years: Vec<i32>,
    pub sexes: Vec<Sex>,
    pub by_year: Vec<LifeLostYear>,
}

/// One year of a many-year life-lost analysis, with its warnings; `quiet` runs the draws on
/// one thread. Years whose cause-of-death data lack a sex are analysed for all causes.
pub fn lifelost_year(
    data: &MortalityData,
    causes: Option<&CauseDeaths>,
    year: i32,
    sexes: &[Sex],
    cause: Option<&str>,
    opts: &LifeLostOptions,
    quiet: bool,
) -> Result<(LifeLostYear, Vec<String>), Error> {
    // --open-age: the year's deaths, exposures and cause deaths closed at the asked age (as run_lifelost)
    let (opened, opened_causes);
    let (data, causes) = match opts.lifetable.open_age {
        Some(a) => {
            opened = data.year_with_open_age(year, a)?;
            opened_causes = causes.map(|c| c.with_open_age(a));
            (&opened, opened_causes.as_ref())
        }
        None => (data, causes),
    };
    let causes = causes.filter(|c| sexes.iter().all(|s| c.tables.contains_key(&(year, *s))));
    let cause = cause.filter(|_| causes.is_some());
    let an = analyse(data, causes, year, sexes, cause, opts)?;
    let mut warnings = an.warnings.clone();
    let table2_intervals = match opts.lifetable.intervals {
        Some(iv) => {
            let iv = one_thread_if(iv, quiet);
            let (rows, sim) = table2_intervals(&an, data, causes, cause, opts, &iv)?;
            warnings.extend(sim.warning(&format!("{year}, Table 2")));
            Some(rows)
        }
        None => None,
    };
    let y = LifeLostYear {
        year,
        with_causes: causes.is_some(),
        e0: an.sexes.iter().map(|s| (s.sex, s.lifetable.e0())).collect(),
        table2: an.table2(),
        table2_intervals,
        results: an.sexes.into_iter().flat_map(|s| s.results).collect(),
    };
    Ok((y, warnings))
}

/// The tidy tables of a many-year life-lost analysis: `lifelost_by_age`, `table2_years`,
/// `table2_intervals_years` (with `level`).
pub fn lifelost_years_tables(r: &LifeLostYearsResult, level: Option<f64>) -> Vec<TidyTable> {
    let all: Vec<&LifeLost> = r.by_year.iter().flat_map(|y| y.results.iter()).collect();
    let mut by_age = tidy::by_age(&all);
    by_age.name = "lifelost_by_age".into();
    let mut t2: Option<TidyTable> = None;
    let mut t2i: Option<TidyTable> = None;
    for y in &r.by_year {
        let add = |acc: &mut Option<TidyTable>, t: TidyTable| {
            let t = with_year(t, y.year);
            match acc.as_mut() {
                None => *acc = Some(t),
                Some(a) => a.rows.extend(t.rows),
            }
        };
        add(&mut t2, tidy::table2(&y.table2));
        if let (Some(rows), Some(level)) = (&y.table2_intervals, level) {
            add(&mut t2i, interval_report::table2_tidy(rows, level));
        }
    }
    let mut out = vec![by_age];
    if let Some(mut t) = t2 {
        t.name = "table2_years".into();
        out.push(t);
    }
    if let Some(mut t) = t2i {
        t.name = "table2_intervals_years".into();
        out.push(t);
    }
    out
}

/// `t` with a first column `year`.
pub fn with_year(mut t: TidyTable, year: i32) -> TidyTable {
    t.columns.insert(0, "year".into());
    for row in &mut t.rows {
        row.insert(0, year.into());
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_are_parsed_sorted_and_refused_with_the_flag() {
        assert_eq!(parse_years("1950,1960,2010").unwrap(), [1950, 1960, 2010]);
        assert_eq!(parse_years(" 2010 , 1933-1935,1934").unwrap(), [1933, 1934, 1935, 2010]);
        assert_eq!(parse_years("1933-2019").unwrap().len(), 87);
        for (bad, msg) in [
            ("2019-1933", "runs backwards"),
            ("1950,,1960", "an empty item"),
            ("19x0", "is not a year"),
            ("0-5", "is not a year from 1 to 9999"),
            ("", "an empty item"),
        ] {
            let e = parse_years(bad).unwrap_err().to_string();
            assert!(e.starts_with("--years:") && e.contains(msg), "{bad}: {e}");
        }
    }

    #[test]
    fn map_years_keeps_the_order_and_the_first_error() {
        let years: Vec<i32> = (1900..1990).collect();
        let v = map_years(&years, Some(4), |y, _| Ok(y * 2)).unwrap();
        assert_eq!(v, years.iter().map(|y| y * 2).collect::<Vec<_>>());
        let e = map_years(&years, Some(4), |y, _| {
            if y % 30 == 0 {
                Err(Error::Argument(format!("bad {y}")))
            } else {
                Ok(y)
            }
        });
        assert_eq!(e.unwrap_err().to_string(), "bad 1920");
    }
}
