//! The Human Mortality Database reader: a country folder holding `*.Deaths_1x1.txt` and
//! `*.Exposures_1x1.txt` (any country) into [`MortalityData`] ([`read_hmd_dir`]).

use crate::population::{build_population, MortalityData, RawRow, Sex};
use crate::Error;
use dimorph_core::Location;
use std::collections::BTreeMap;
use std::path::Path;

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
    let hdr = |line: usize, msg: &str| Error::HmdHeader(Location::file(p.clone()).line(line).wrap(msg.into()));
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
        let row_err = |msg: String| Error::row(p.clone(), line, msg);
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
            return Err(Error::row(
                dpath.display().to_string(),
                *line,
                format!("year {year}, age {age} has deaths but no row in {}", epath.display()),
            ));
        };
        by_year.entry(*year).or_default().push((*age, *open, *dv, *ev, *line));
    }
    if let Some(((year, age), (_, _, line))) = e.iter().find(|(k, _)| !d.contains_key(k)) {
        return Err(Error::row(
            epath.display().to_string(),
            *line,
            format!(
                "year {year}, age {age} has an exposure but no row in {}",
                dpath.display()
            ),
        ));
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
