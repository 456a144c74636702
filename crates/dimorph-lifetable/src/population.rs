//! Death counts and exposures by year, sex and age: the [`Population`] of one year and sex and
//! the [`MortalityData`] of a source (many years and sexes). The readers that fill them are in
//! the `read` module.
//!
//! Every population is checked when it is built: ages start at 0, are neither missing nor
//! repeated, end in an open age group; deaths are finite and non-negative; no deaths without
//! exposure. Errors name the file, the line (or year, sex and age) and what is wrong.
//!
//! Bounds that no real population reaches ([`MAX_AGE`], [`YEARS`], [`MAX_COUNT`]) are refused
//! by the readers, so that an absurd value gives a message rather than an overflow or an
//! infinity further on.

use crate::Error;
use dimorph_core::text::num;
use std::collections::BTreeMap;
use std::ops::RangeInclusive;

/// The highest age a file may hold (the HMD's open age is 110+; nobody has lived to 123).
pub const MAX_AGE: f64 = 150.0;

/// The years a file or `--year` may name.
pub const YEARS: RangeInclusive<i32> = 1..=9999;

/// The largest death count or exposure (person-years) of one age group: 10^12, over a hundred
/// times the world's population, so that sums over ages, sexes and causes stay finite.
pub const MAX_COUNT: f64 = 1e12;

/// Refuses a year outside [`YEARS`], naming `--year`.
pub fn check_year(year: i32) -> Result<(), Error> {
    if YEARS.contains(&year) {
        Ok(())
    } else {
        Err(Error::from(dimorph_core::location::bad_argument(
            "--year",
            format!("must be a year from {} to {}, got {year}", YEARS.start(), YEARS.end()),
        )))
    }
}

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

    /// The same population with its deaths and exposures from age `open` on summed into one open
    /// group `open+` (`--open-age`: for data whose oldest ages have no exposure). `open` must
    /// start one of the age groups, above 0 and at most the data's own open age (which gives the
    /// population unchanged); the message says what is wrong otherwise.
    pub fn with_open_age(&self, open: f64) -> Result<Population, String> {
        let n = self.age.len();
        let last = self.age[n - 1];
        if open == last {
            return Ok(self.clone());
        }
        if open > last {
            return Err(format!(
                "--open-age {}: the data's open age group is already {last}+ (the open age can only be lowered)",
                num(open)
            ));
        }
        let k = match self.index_of(open) {
            Some(k) if k > 0 => k,
            _ => {
                return Err(format!(
                    "--open-age {}: not the start of one of the data's age groups above 0 ({})",
                    num(open),
                    if self.is_single_year() {
                        "single years: a whole number".to_string()
                    } else {
                        "abridged: 1, 5, 10, ...".to_string()
                    }
                ))
            }
        };
        let mut width = self.width[..k].to_vec();
        width.push(f64::INFINITY);
        let tail = |v: &[f64]| v[k..].iter().sum::<f64>();
        let mut deaths = self.deaths[..k].to_vec();
        deaths.push(tail(&self.deaths));
        let mut exposure = self.exposure[..k].to_vec();
        exposure.push(tail(&self.exposure));
        Ok(Population {
            year: self.year,
            sex: self.sex,
            age: self.age[..=k].to_vec(),
            width,
            deaths,
            exposure,
        })
    }
}

/// Refuses an age-group label (`5-8`) that does not end where the next group starts.
fn check_label_ends(rows: &[RawRow], ages_err: &impl Fn(String) -> Error) -> Result<(), Error> {
    let n = rows.len();
    for (i, r) in rows.iter().enumerate() {
        if let Some(end) = r.label_end {
            let next = rows.get(i + 1).map(|n| n.age);
            if i + 1 == n || next != Some(end + 1.0) {
                return Err(ages_err(format!(
                    "the age group {}-{} (line {}) does not end where the next group starts ({})",
                    r.age,
                    end,
                    r.line,
                    next.map_or("none: an open group is written '110+'".to_string(), |a| a.to_string())
                )));
            }
        }
    }
    Ok(())
}

/// Refuses deaths and exposures that look swapped: deaths above the exposure (a death rate
/// above one) at most ages below 80, which no human population has (a swapped pair of HMD files
/// or of tidy columns gives rates in the hundreds). `what` names the files or columns.
fn check_plausible(rows: &[RawRow], what: &str, ages_err: impl Fn(String) -> Error) -> Result<(), Error> {
    let young: Vec<&RawRow> = rows.iter().filter(|r| r.age < 80.0 && r.exposure > 0.0).collect();
    let over: Vec<&&RawRow> = young.iter().filter(|r| r.deaths > r.exposure).collect();
    if over.len() >= 3 && 2 * over.len() > young.len() {
        let r = over[over.len() / 2];
        return Err(ages_err(format!(
            "deaths exceed the exposure at {} of {} ages below 80 (age {}, line {}: {} deaths, {} person-years), \
             death rates above 1 that no population has: are the deaths and the exposures swapped? ({what})",
            over.len(),
            young.len(),
            r.age,
            r.line,
            num(r.deaths),
            num(r.exposure)
        )));
    }
    Ok(())
}

/// One raw row before checking: age start, open flag, deaths, exposure, the file lines of the
/// deaths and of the exposure (the same line of a tidy file; two files of an HMD folder).
#[derive(Debug, Clone)]
pub(crate) struct RawRow {
    pub age: f64,
    pub open: bool,
    pub deaths: f64,
    pub exposure: f64,
    pub line: usize,
    pub exposure_line: usize,
    /// The last age of the group as its label gives it (`1-4` → 4), checked against the next
    /// group's start; `None` for a label of one number.
    pub label_end: Option<f64>,
}

/// Builds and checks a [`Population`] from raw rows (any order). `source` holds the deaths,
/// `exposure_source` the exposures (the same file for tidy data).
pub(crate) fn build_population(
    source: &str,
    exposure_source: &str,
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
    check_label_ends(&rows, &ages_err)?;
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
        let err_at = |file: &str, line: usize, msg: String| Error::Value {
            source_name: format!("{file} line {line}"),
            year,
            sex: sex.to_string(),
            age: age_label(r.age, open),
            msg,
        };
        let d_err = |msg: String| err_at(source, r.line, msg);
        let e_err = |msg: String| err_at(exposure_source, r.exposure_line, msg);
        let both = if exposure_source == source {
            String::new()
        } else {
            format!(" ({exposure_source} line {})", r.exposure_line)
        };
        if !r.deaths.is_finite() {
            return Err(d_err("deaths are missing or not finite".into()));
        }
        if r.deaths < 0.0 {
            return Err(d_err(format!("negative deaths ({})", num(r.deaths))));
        }
        if r.deaths > MAX_COUNT {
            return Err(d_err(format!(
                "deaths ({}) above 10^12, a hundred times the world's population: not a count",
                num(r.deaths)
            )));
        }
        if !r.exposure.is_finite() {
            return Err(e_err("exposure is missing or not finite".into()));
        }
        if r.exposure < 0.0 {
            return Err(e_err(format!("negative exposure ({})", num(r.exposure))));
        }
        if r.exposure > MAX_COUNT {
            return Err(e_err(format!(
                "exposure ({}) above 10^12 person-years, a hundred times the world's population: not a count",
                num(r.exposure)
            )));
        }
        if r.exposure == 0.0 && r.deaths > 0.0 {
            return Err(d_err(format!(
                "{} deaths with zero exposure{both}: the death rate is undefined",
                num(r.deaths)
            )));
        }
        if r.exposure > 0.0 && !(r.deaths / r.exposure).is_finite() {
            return Err(d_err(format!(
                "{} deaths over an exposure of {}{both}: the death rate is too large to be a number (undefined)",
                num(r.deaths),
                num(r.exposure)
            )));
        }
    }
    let what = if exposure_source == source {
        "the columns 'deaths' and 'exposure'".to_string()
    } else {
        format!("deaths from {source}, exposures from {exposure_source}")
    };
    check_plausible(&rows, &what, ages_err)?;
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
    /// The populations of `year` (every sex) with the open age lowered to `open`
    /// ([`Population::with_open_age`]); the other years are left out.
    pub fn year_with_open_age(&self, year: i32, open: f64) -> Result<MortalityData, Error> {
        let mut pops = BTreeMap::new();
        for (&(y, sex), p) in self.pops.iter().filter(|((y, _), _)| *y == year) {
            let q = p.with_open_age(open).map_err(|msg| Error::Ages {
                source_name: self.source.clone(),
                year,
                sex: sex.to_string(),
                msg,
            })?;
            pops.insert((y, sex), q);
        }
        Ok(MortalityData {
            source: self.source.clone(),
            label: self.label.clone(),
            pops,
            unusable: self
                .unusable
                .iter()
                .filter(|((y, _), _)| *y == year)
                .map(|(k, v)| (*k, v.clone()))
                .collect(),
            notes: self.notes.clone(),
        })
    }

    /// The distinct years, sorted.
    pub fn years(&self) -> Vec<i32> {
        let mut y: Vec<i32> = self.pops.keys().map(|(y, _)| *y).collect();
        y.dedup();
        y
    }
}
