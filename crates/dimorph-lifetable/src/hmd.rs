//! Death counts and exposures by year, sex and age: the [`Population`] and [`MortalityData`]
//! containers and their readers — Human Mortality Database text files (`*.Deaths_1x1.txt` and
//! `*.Exposures_1x1.txt` of any country, [`read_hmd_dir`]) and tidy CSV (`year, sex, age,
//! deaths, exposure[, open_interval][, cause]`, [`read_tidy_csv`]).
//!
//! Every population is checked when it is built: ages start at 0, are neither missing nor
//! repeated, end in an open age group; deaths are finite and non-negative; no deaths without
//! exposure. Errors name the file, the line (or year, sex and age) and what is wrong.

use crate::causes::CauseDeaths;
use crate::Error;
use dimorph_data::{ColumnData, Frame};
use std::collections::BTreeMap;
use std::path::Path;

/// Sex of a population. HMD files carry `Female`, `Male` and `Total` columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Female,
    Male,
    Total,
}

impl Sex {
    /// Parses `female`/`f`/`women`, `male`/`m`/`men`, `total`/`t`/`both` (any case).
    pub fn parse(s: &str) -> Option<Sex> {
        match s.trim().to_ascii_lowercase().as_str() {
            "female" | "f" | "females" | "women" | "woman" => Some(Sex::Female),
            "male" | "m" | "males" | "men" | "man" => Some(Sex::Male),
            "total" | "t" | "both" | "all" => Some(Sex::Total),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
            Sex::Total => "total",
        }
    }
}

impl std::fmt::Display for Sex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Formats an age group start, with `+` for the open group.
pub fn age_label(age: f64, open: bool) -> String {
    format!("{}{}", age, if open { "+" } else { "" })
}

/// Deaths and exposures of one year and sex, by age group.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Population {
    pub year: i32,
    pub sex: Sex,
    /// Start of each age group (0, 1, 2, ... or 0, 1, 5, 10, ...).
    pub age: Vec<f64>,
    /// Width of each age group; `f64::INFINITY` for the last, open group.
    #[serde(skip)]
    pub width: Vec<f64>,
    pub deaths: Vec<f64>,
    pub exposure: Vec<f64>,
}

impl Population {
    /// Whether every closed age group is one year wide.
    pub fn is_single_year(&self) -> bool {
        self.width.iter().all(|w| *w == 1.0 || w.is_infinite())
    }
    /// Index of the age group starting at `age`.
    pub fn index_of(&self, age: f64) -> Option<usize> {
        self.age.iter().position(|a| *a == age)
    }
}

/// One raw row before checking: age start, open flag, deaths, exposure, file line.
#[derive(Debug, Clone)]
pub(crate) struct RawRow {
    pub age: f64,
    pub open: bool,
    pub deaths: f64,
    pub exposure: f64,
    pub line: usize,
}

/// Builds and checks a [`Population`] from raw rows (any order).
pub(crate) fn build_population(
    source: &str,
    year: i32,
    sex: Sex,
    mut rows: Vec<RawRow>,
    last_is_open: bool,
) -> Result<Population, Error> {
    let ages_err = |msg: String| Error::Ages {
        source_name: source.into(),
        year,
        sex: sex.to_string(),
        msg,
    };
    rows.sort_by(|a, b| a.age.total_cmp(&b.age));
    for w in rows.windows(2) {
        if w[0].age == w[1].age {
            return Err(ages_err(format!(
                "age {} appears twice (lines {} and {})",
                w[0].age, w[0].line, w[1].line
            )));
        }
    }
    let Some(first) = rows.first() else {
        return Err(ages_err("no ages".into()));
    };
    if first.age != 0.0 {
        return Err(ages_err(format!(
            "ages must start at 0, the first is {} (line {})",
            first.age, first.line
        )));
    }
    let n = rows.len();
    if let Some(r) = rows[..n - 1].iter().find(|r| r.open) {
        return Err(ages_err(format!(
            "age {} (line {}) is marked open but is not the last age",
            r.age, r.line
        )));
    }
    if n < 2 {
        return Err(ages_err("at least two age groups are needed".into()));
    }
    if !(last_is_open || rows[n - 1].open) {
        return Err(ages_err(format!(
            "the last age, {} (line {}), is not marked as the open age group",
            rows[n - 1].age,
            rows[n - 1].line
        )));
    }
    let mut width = Vec::with_capacity(n);
    for i in 0..n - 1 {
        width.push(rows[i + 1].age - rows[i].age);
    }
    width.push(f64::INFINITY);
    // Missing ages: single-year data must not skip a year; abridged data must use the standard
    // groups 0, 1-4, then 5-year groups.
    let single = width[..n - 1].iter().all(|w| *w == 1.0);
    if !single {
        let abridged = rows.len() > 2
            && rows[1].age == 1.0
            && (rows.len() < 3 || rows[2].age == 5.0)
            && rows[2..].windows(2).all(|w| w[1].age - w[0].age == 5.0);
        if !abridged {
            let gap = (0..n - 1).find(|&i| width[i] != 1.0).unwrap_or(0);
            return Err(ages_err(format!(
                "ages {} (line {}) and {} (line {}) are not consecutive: missing ages? \
                 (single years 0, 1, 2, ... or abridged groups 0, 1, 5, 10, ... are accepted)",
                rows[gap].age,
                rows[gap].line,
                rows[gap + 1].age,
                rows[gap + 1].line
            )));
        }
    }
    for (i, r) in rows.iter().enumerate() {
        let open = i == n - 1;
        let val_err = |msg: String| Error::Value {
            source_name: format!("{source} line {}", r.line),
            year,
            sex: sex.to_string(),
            age: age_label(r.age, open),
            msg,
        };
        if !r.deaths.is_finite() {
            return Err(val_err("deaths are missing or not finite".into()));
        }
        if r.deaths < 0.0 {
            return Err(val_err(format!("negative deaths ({})", r.deaths)));
        }
        if !r.exposure.is_finite() {
            return Err(val_err("exposure is missing or not finite".into()));
        }
        if r.exposure < 0.0 {
            return Err(val_err(format!("negative exposure ({})", r.exposure)));
        }
        if r.exposure == 0.0 && r.deaths > 0.0 {
            return Err(val_err(format!(
                "{} deaths with zero exposure: the death rate is undefined",
                r.deaths
            )));
        }
    }
    Ok(Population {
        year,
        sex,
        age: rows.iter().map(|r| r.age).collect(),
        width,
        deaths: rows.iter().map(|r| r.deaths).collect(),
        exposure: rows.iter().map(|r| r.exposure).collect(),
    })
}

/// Deaths and exposures for many years and sexes, from one source.
#[derive(Debug, Clone)]
pub struct MortalityData {
    /// File or folder the data came from (for messages).
    pub source: String,
    /// A description, e.g. the first line of an HMD file.
    pub label: String,
    pub pops: BTreeMap<(i32, Sex), Population>,
    /// Years and sexes of an HMD folder whose values cannot be used (e.g. missing cells), with
    /// the reason; asking for them gives that reason as the error.
    pub unusable: BTreeMap<(i32, Sex), String>,
    /// What the reader did that a user should know (e.g. rows skipped, and why).
    pub notes: Vec<String>,
}

impl MortalityData {
    /// The population of `year` and `sex`, or an error listing what is available.
    pub fn get(&self, year: i32, sex: Sex) -> Result<&Population, Error> {
        if let Some(p) = self.pops.get(&(year, sex)) {
            return Ok(p);
        }
        if let Some(msg) = self.unusable.get(&(year, sex)) {
            return Err(Error::Argument(msg.clone()));
        }
        let years = self.years();
        if !years.contains(&year) {
            let available = match (years.first(), years.last()) {
                (Some(a), Some(b)) if years.len() > 1 => format!("years {a}-{b}"),
                (Some(a), _) => format!("year {a}"),
                _ => "nothing".into(),
            };
            return Err(Error::NotFound {
                source_name: self.source.clone(),
                what: format!("year {year}"),
                available,
            });
        }
        let sexes: Vec<&str> = self
            .pops
            .keys()
            .filter(|(y, _)| *y == year)
            .map(|(_, s)| s.as_str())
            .collect();
        Err(Error::NotFound {
            source_name: self.source.clone(),
            what: format!("sex '{sex}' in {year}"),
            available: sexes.join(", "),
        })
    }
    /// The distinct years, sorted.
    pub fn years(&self) -> Vec<i32> {
        let mut y: Vec<i32> = self.pops.keys().map(|(y, _)| *y).collect();
        y.dedup();
        y
    }
}

fn read_text(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| Error::Io {
        path: path.display().to_string(),
        source: e,
    })
}

/// Values of one HMD 1x1 file: (year, age, open) -> [female, male, total], with the file line.
type HmdTable = BTreeMap<(i32, u32), (bool, [f64; 3], usize)>;

/// Parses one HMD `*_1x1.txt` file (Deaths, Exposures or Mx): a title line, a blank line, the
/// column header `Year Age Female Male Total`, then one row per year and age (`110+` open,
/// `.` missing).
/// Also returns the year labels skipped as "old territory" rows (`1959-`).
pub fn parse_hmd_file(path: &Path, text: &str) -> Result<(String, HmdTable, Vec<String>), Error> {
    let p = path.display().to_string();
    let mut lines = text.lines().enumerate();
    let hdr = |line: usize, msg: &str| Error::HmdHeader {
        path: p.clone(),
        line,
        msg: msg.into(),
    };
    let title = match lines.next() {
        Some((_, t)) if t.contains("1x1") || t.contains("Last modified") => t.trim().to_string(),
        Some(_) => return Err(hdr(1, "the first line should be the HMD title, e.g. 'The United States of America, Deaths (period 1x1), Last modified: ...'")),
        None => return Err(hdr(1, "the file is empty")),
    };
    // Header row: the first non-blank line after the title.
    let (hline, header) = loop {
        match lines.next() {
            Some((_, l)) if l.trim().is_empty() => continue,
            Some((i, l)) => break (i + 1, l),
            None => return Err(hdr(2, "no column header line")),
        }
    };
    let cols: Vec<&str> = header.split_whitespace().collect();
    if cols != ["Year", "Age", "Female", "Male", "Total"] {
        return Err(hdr(
            hline,
            &format!(
                "expected the columns 'Year Age Female Male Total', found '{}'",
                header.trim()
            ),
        ));
    }
    let mut out = HmdTable::new();
    let mut before_change: Vec<String> = Vec::new();
    for (i, l) in lines {
        let line = i + 1;
        if l.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = l.split_whitespace().collect();
        let row_err = |msg: String| Error::Row {
            path: p.clone(),
            line,
            msg,
        };
        if f.len() != 5 {
            return Err(row_err(format!(
                "expected 5 fields (Year Age Female Male Total), found {}",
                f.len()
            )));
        }
        // HMD marks a territorial change within a year by two rows, "1959-" (old territory) and
        // "1959+" (new territory): the new territory is kept.
        if f[0].ends_with('-') {
            if !before_change.iter().any(|y| y == f[0]) {
                before_change.push(f[0].to_string());
            }
            continue;
        }
        let year: i32 = f[0]
            .trim_end_matches('+')
            .parse()
            .map_err(|_| row_err(format!("year '{}' is not a whole number", f[0])))?;
        let (age_s, open) = match f[1].strip_suffix('+') {
            Some(a) => (a, true),
            None => (f[1], false),
        };
        let age: u32 = age_s
            .parse()
            .map_err(|_| row_err(format!("age '{}' is not a whole number", f[1])))?;
        let mut v = [0.0; 3];
        for k in 0..3 {
            v[k] = if f[k + 2] == "." {
                f64::NAN
            } else {
                f[k + 2]
                    .parse()
                    .map_err(|_| row_err(format!("'{}' is not a number", f[k + 2])))?
            };
        }
        if let Some((_, _, first)) = out.insert((year, age), (open, v, line)) {
            return Err(row_err(format!("year {year}, age {} repeats line {first}", f[1])));
        }
    }
    if out.is_empty() {
        return Err(hdr(hline + 1, "no data rows"));
    }
    Ok((title, out, before_change))
}

fn find_one(dir: &Path, suffix: &str) -> Result<std::path::PathBuf, Error> {
    let rd = std::fs::read_dir(dir).map_err(|e| Error::Io {
        path: dir.display().to_string(),
        source: e,
    })?;
    let mut found: Vec<_> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(suffix))
        })
        .collect();
    found.sort();
    match found.len() {
        0 => Err(Error::Argument(format!(
            "{}: no file '*{suffix}' in this folder (an HMD country folder holds e.g. USA{suffix})",
            dir.display()
        ))),
        1 => Ok(found.remove(0)),
        _ => Err(Error::Argument(format!(
            "{}: several '*{suffix}' files ({}); keep one country per folder",
            dir.display(),
            found
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// Reads an HMD country folder holding `*.Deaths_1x1.txt` and `*.Exposures_1x1.txt`: every
/// year, for females, males and total.
pub fn read_hmd_dir(dir: &Path) -> Result<MortalityData, Error> {
    if !dir.is_dir() {
        return Err(Error::Argument(format!(
            "{}: not a folder (give the HMD country folder)",
            dir.display()
        )));
    }
    let dpath = find_one(dir, ".Deaths_1x1.txt")?;
    let epath = find_one(dir, ".Exposures_1x1.txt")?;
    let (title, d, skipped) = parse_hmd_file(&dpath, &read_text(&dpath)?)?;
    let (_, e, _) = parse_hmd_file(&epath, &read_text(&epath)?)?;
    let mut notes = Vec::new();
    if !skipped.is_empty() {
        notes.push(format!(
            "{}: rows of years {} (territory before a change within the year) skipped; the '+' rows of the new territory are used",
            dpath.display(),
            skipped.join(", ")
        ));
    }
    let source = dir.display().to_string();
    // year -> (age, open, deaths F/M/T, exposures F/M/T, line)
    type Row = (u32, bool, [f64; 3], [f64; 3], usize);
    let mut by_year: BTreeMap<i32, Vec<Row>> = BTreeMap::new();
    for ((year, age), (open, dv, line)) in &d {
        let Some((_, ev, _)) = e.get(&(*year, *age)) else {
            return Err(Error::Row {
                path: dpath.display().to_string(),
                line: *line,
                msg: format!("year {year}, age {age} has deaths but no row in {}", epath.display()),
            });
        };
        by_year.entry(*year).or_default().push((*age, *open, *dv, *ev, *line));
    }
    if let Some(((year, age), (_, _, line))) = e.iter().find(|(k, _)| !d.contains_key(k)) {
        return Err(Error::Row {
            path: epath.display().to_string(),
            line: *line,
            msg: format!(
                "year {year}, age {age} has an exposure but no row in {}",
                dpath.display()
            ),
        });
    }
    let mut pops = BTreeMap::new();
    let mut unusable = BTreeMap::new();
    for (year, rows) in by_year {
        for (k, sex) in [Sex::Female, Sex::Male, Sex::Total].into_iter().enumerate() {
            let raw: Vec<RawRow> = rows
                .iter()
                .map(|(age, open, dv, ev, line)| RawRow {
                    age: *age as f64,
                    open: *open,
                    deaths: dv[k],
                    exposure: ev[k],
                    line: *line,
                })
                .collect();
            let src = dpath.display().to_string();
            // one unusable year (e.g. a missing cell) does not stop the others
            match build_population(&src, year, sex, raw, false) {
                Ok(p) => {
                    pops.insert((year, sex), p);
                }
                Err(e) => {
                    unusable.insert((year, sex), e.to_string());
                }
            }
        }
    }
    if !unusable.is_empty() {
        let list: Vec<String> = unusable.keys().map(|(y, s)| format!("{y} {s}")).collect();
        notes.push(format!(
            "{}: unusable (ask for one to see why): {}",
            source,
            list.join(", ")
        ));
    }
    // "The United States of America, Deaths (period 1x1), <tab>Last modified: ..." -> "..., HMD"
    let first = title.split('\t').next().unwrap_or(&title);
    let country = first.split(", Deaths").next().unwrap_or(first);
    let label = format!("{}, HMD", country.trim().trim_end_matches(','));
    Ok(MortalityData {
        source,
        label,
        pops,
        unusable,
        notes,
    })
}

/// Reads the text or numeric cells of a column as strings (for `sex`, `age`, `cause`).
pub(crate) fn text_cells(frame: &Frame, name: &str) -> Result<Vec<Option<String>>, Error> {
    let c = frame.column(name)?;
    Ok(match &c.data {
        ColumnData::Num(v) => v
            .iter()
            .map(|x| if x.is_nan() { None } else { Some(format!("{x}")) })
            .collect(),
        ColumnData::Text { values, .. } => values.clone(),
    })
}

/// Parses an age cell: `85`, `85.0` or `110+` (open). Returns (age, open).
pub(crate) fn parse_age(cell: &str) -> Option<(f64, bool)> {
    let t = cell.trim();
    let (s, open) = match t.strip_suffix('+') {
        Some(a) => (a, true),
        None => (t, false),
    };
    let a: f64 = s.trim().parse().ok()?;
    (a.is_finite() && a >= 0.0 && a.fract() == 0.0).then_some((a, open))
}

/// Sex cell, or an error naming the line.
pub(crate) fn parse_sex_cell(frame: &Frame, i: usize, cell: &Option<String>) -> Result<Sex, Error> {
    let s = cell.as_deref().unwrap_or("");
    Sex::parse(s).ok_or_else(|| Error::Row {
        path: frame.source.clone(),
        line: frame.line_of(i),
        msg: format!("column 'sex': '{s}' is not female, male or total"),
    })
}

/// Year cell as an integer, or an error naming the line.
pub(crate) fn year_cell(frame: &Frame, i: usize, v: f64) -> Result<i32, Error> {
    if v.is_finite() && v.fract() == 0.0 {
        Ok(v as i32)
    } else {
        Err(Error::Row {
            path: frame.source.clone(),
            line: frame.line_of(i),
            msg: format!("column 'year': '{v}' is not a year"),
        })
    }
}

/// Reads a tidy CSV with columns `year, sex, age, deaths, exposure` and optionally
/// `open_interval` (1 marks the open age group; without it the last age is open) and `cause`
/// (deaths by cause, the exposure repeated on each cause's row). With a `cause` column the
/// all-cause deaths are the sum over causes, and the cause deaths are returned as well.
pub fn read_tidy_csv(path: &Path) -> Result<(MortalityData, Option<CauseDeaths>), Error> {
    let frame = dimorph_data::read_csv(path)?;
    let years = frame.numeric("year")?.to_vec();
    let sexes = text_cells(&frame, "sex")?;
    let ages = text_cells(&frame, "age")?;
    let deaths = frame.numeric("deaths")?.to_vec();
    let exposure = frame.numeric("exposure")?.to_vec();
    let open = if frame.names().contains(&"open_interval") {
        Some(frame.numeric("open_interval")?.to_vec())
    } else {
        None
    };
    let cause = if frame.names().contains(&"cause") {
        Some(text_cells(&frame, "cause")?)
    } else {
        None
    };
    let source = path.display().to_string();
    // (year, sex) -> age key -> (row)
    type Acc = BTreeMap<(i32, Sex), BTreeMap<u64, (RawRow, Vec<(String, f64)>)>>;
    let mut acc: Acc = BTreeMap::new();
    for i in 0..frame.nrows {
        let line = frame.line_of(i);
        let year = year_cell(&frame, i, years[i])?;
        let sex = parse_sex_cell(&frame, i, &sexes[i])?;
        let cell = ages[i].clone().unwrap_or_default();
        let (age, mut is_open) = parse_age(&cell).ok_or_else(|| Error::Row {
            path: source.clone(),
            line,
            msg: format!("column 'age': '{cell}' is not an age (whole years, '110+' for the open group)"),
        })?;
        if let Some(o) = &open {
            is_open |= o[i] == 1.0;
        }
        let row = RawRow {
            age,
            open: is_open,
            deaths: deaths[i],
            exposure: exposure[i],
            line,
        };
        let slot = acc.entry((year, sex)).or_default();
        match (&cause, slot.get_mut(&age.to_bits())) {
            (None, Some((prev, _))) => {
                return Err(Error::Row {
                    path: source.clone(),
                    line,
                    msg: format!("year {year}, {sex}, age {age} repeats line {}", prev.line),
                })
            }
            (None, None) => {
                slot.insert(age.to_bits(), (row, Vec::new()));
            }
            (Some(c), existing) => {
                let name = c[i].clone().unwrap_or_default();
                if name.is_empty() {
                    return Err(Error::Row {
                        path: source.clone(),
                        line,
                        msg: "column 'cause' is empty".into(),
                    });
                }
                match existing {
                    Some((prev, list)) => {
                        let rel = (prev.exposure - row.exposure).abs() / prev.exposure.abs().max(1.0);
                        if rel > 1e-9 {
                            return Err(Error::Row {
                                path: source.clone(),
                                line,
                                msg: format!(
                                    "exposure {} differs from {} on line {} for the same year, sex and age \
                                     (with a 'cause' column the exposure repeats on every cause's row)",
                                    row.exposure, prev.exposure, prev.line
                                ),
                            });
                        }
                        if list.iter().any(|(n, _)| *n == name) {
                            return Err(Error::Row {
                                path: source.clone(),
                                line,
                                msg: format!("year {year}, {sex}, age {age}, cause '{name}' appears twice"),
                            });
                        }
                        prev.deaths += row.deaths;
                        prev.open |= row.open;
                        list.push((name, row.deaths));
                    }
                    None => {
                        let d = row.deaths;
                        slot.insert(age.to_bits(), (row, vec![(name, d)]));
                    }
                }
            }
        }
    }
    if acc.is_empty() {
        return Err(Error::Row {
            path: source.clone(),
            line: 2,
            msg: "no data rows".into(),
        });
    }
    let last_open = open.is_none();
    let mut pops = BTreeMap::new();
    let mut cause_rows = Vec::new();
    for ((year, sex), rows) in acc {
        let raw: Vec<RawRow> = rows.values().map(|(r, _)| r.clone()).collect();
        for (r, list) in rows.values() {
            for (name, d) in list {
                cause_rows.push(crate::causes::CauseRow {
                    year,
                    sex,
                    age: r.age,
                    open: r.open,
                    cause: name.clone(),
                    deaths: *d,
                    line: r.line,
                });
            }
        }
        pops.insert((year, sex), build_population(&source, year, sex, raw, last_open)?);
    }
    let causes = if cause.is_some() {
        Some(CauseDeaths::from_rows(&source, cause_rows, last_open)?)
    } else {
        None
    };
    let label = path.file_name().and_then(|n| n.to_str()).unwrap_or("data").to_string();
    Ok((
        MortalityData {
            source,
            label,
            pops,
            unusable: BTreeMap::new(),
            notes: Vec::new(),
        },
        causes,
    ))
}
