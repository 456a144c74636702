//! The Human Mortality Database reader: a country folder holding `*.Deaths_1x1.txt` and
//! `*.Exposures_1x1.txt` (any country) into [`MortalityData`] ([`read_hmd_dir`]).

use crate::error::quote;
use crate::population::{build_population, MortalityData, RawRow, Sex, MAX_AGE, YEARS};
use crate::Error;
use dimorph_core::text::{clip_to, CLIP_CHARS};
use dimorph_core::Location;
use std::collections::BTreeMap;
use std::path::Path;

/// The file as text; bytes that are not UTF-8 are refused with their line.
fn read_text(path: &Path) -> Result<String, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::Io {
        path: path.display().to_string(),
        source: e,
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let before = &e.as_bytes()[..at];
        let line = 1 + before.iter().filter(|b| **b == b'\n').count();
        let col = 1 + before.iter().rev().take_while(|b| **b != b'\n').count();
        Error::row(
            path.display().to_string(),
            line,
            format!("byte {col} of the line is not UTF-8 text (an HMD file is plain text)"),
        )
    })
}

/// Values of one HMD 1x1 or 5x1 file: (year, age) -> (open, [female, male, total], the file
/// line, the last age of a group label such as `1-4`).
type HmdTable = BTreeMap<(i32, u32), (bool, [f64; 3], usize, Option<u32>)>;

/// Parses one HMD `*_1x1.txt` or `*_5x1.txt` file (Deaths, Exposures or Mx): a title line, a
/// blank line, the column header `Year Age Female Male Total`, then one row per year and age
/// (`1-4` an age group, `110+` open, `.` missing).
/// Also returns the year labels skipped as "old territory" rows (`1959-`).
pub fn parse_hmd_file(path: &Path, text: &str) -> Result<(String, HmdTable, Vec<String>), Error> {
    let p = path.display().to_string();
    let mut lines = text.lines().enumerate();
    let hdr =
        |line: usize, msg: &str| Error::HmdHeader(Box::new(Location::file(p.clone()).line(line).wrap(msg.into())));
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
                "expected the columns 'Year Age Female Male Total', found {}",
                quote(header.trim())
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
        let year = parse_year(f[0]).ok_or_else(|| {
            row_err(format!(
                "year {} is not a whole number from {} to {} (with '+' or '-' at a territorial change)",
                quote(f[0]),
                YEARS.start(),
                YEARS.end()
            ))
        })?;
        if f[0].ends_with('-') {
            if !before_change.iter().any(|y| y == f[0]) {
                before_change.push(f[0].to_string());
            }
            continue;
        }
        let (age_s, open) = match f[1].strip_suffix('+') {
            Some(a) => (a, true),
            None => (f[1], false),
        };
        let whole = |a: &str| a.parse::<u32>().ok().filter(|a| f64::from(*a) <= MAX_AGE);
        let (age, end) = match age_s.split_once('-') {
            Some((a, b)) if !open => (whole(a), whole(b).map(Some)),
            _ => (whole(age_s), Some(None)),
        };
        let (Some(age), Some(end)) = (age, end) else {
            return Err(row_err(format!(
                "age {} is not a whole number from 0 to {MAX_AGE} ('1-4' for a group, '110+' for the open group)",
                quote(f[1])
            )));
        };
        let mut v = [0.0; 3];
        for k in 0..3 {
            v[k] = if f[k + 2] == "." {
                f64::NAN
            } else {
                f[k + 2]
                    .parse()
                    .map_err(|_| row_err(format!("{} is not a number", quote(f[k + 2]))))?
            };
        }
        if let Some((_, _, first, _)) = out.insert((year, age), (open, v, line, end)) {
            return Err(row_err(format!(
                "year {year}, age {} repeats line {first}",
                quote(f[1])
            )));
        }
    }
    if out.is_empty() {
        return Err(hdr(hline + 1, "no data rows"));
    }
    Ok((title, out, before_change))
}

/// A year cell: a whole number in [`YEARS`], maybe followed by `+` or `-` (territorial change).
fn parse_year(cell: &str) -> Option<i32> {
    let y: i32 = cell.strip_suffix(['+', '-']).unwrap_or(cell).parse().ok()?;
    YEARS.contains(&y).then_some(y)
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
            "{}: {} '*{suffix}' files ({}); keep one country per folder",
            dir.display(),
            found.len(),
            clip_to(
                &found
                    .iter()
                    .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                    .collect::<Vec<_>>()
                    .join(", "),
                4 * CLIP_CHARS
            )
        ))),
    }
}

/// Refuses a Deaths file whose title line does not name deaths, or an Exposures file whose
/// title does not name exposures (`..., Deaths (period 1x1), ...`, `..., Exposure to risk
/// (period 1x1), ...`): two swapped files would otherwise give rates upside down. The message
/// names both files.
fn check_titles(dpath: &Path, dtitle: &str, epath: &Path, etitle: &str) -> Result<(), Error> {
    let deaths = |t: &str| t.contains("Deaths");
    let exposure = |t: &str| t.contains("Exposure");
    if deaths(dtitle) && exposure(etitle) {
        return Ok(());
    }
    let (d, e) = (dpath.display(), epath.display());
    let msg = if exposure(dtitle) && deaths(etitle) {
        format!(
            "the title names exposures, and the title of {e} names deaths: the Deaths and Exposures files are swapped \
             (give each file the name of what it holds)"
        )
    } else if !deaths(dtitle) {
        format!(
            "the title {} does not name 'Deaths' (an HMD Deaths_1x1 file's first line does); {e} holds the exposures",
            quote(dtitle)
        )
    } else {
        return Err(Error::at(
            Location::file(e.to_string()).line(1),
            format!(
                "the title {} does not name 'Exposure to risk' (an HMD Exposures_1x1 file's first line does); {d} holds the deaths",
                quote(etitle)
            ),
        ));
    };
    Err(Error::at(Location::file(d.to_string()).line(1), msg))
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
    // single years (1x1), or else abridged ages (5x1: 0, 1-4, 5-9, ...)
    let grid = if find_one(dir, ".Deaths_1x1.txt").is_err() && find_one(dir, ".Deaths_5x1.txt").is_ok() {
        "5x1"
    } else {
        "1x1"
    };
    let dpath = find_one(dir, &format!(".Deaths_{grid}.txt"))?;
    let epath = find_one(dir, &format!(".Exposures_{grid}.txt"))?;
    let (title, d, skipped) = parse_hmd_file(&dpath, &read_text(&dpath)?)?;
    let (etitle, e, _) = parse_hmd_file(&epath, &read_text(&epath)?)?;
    check_titles(&dpath, &title, &epath, &etitle)?;
    let mut notes = Vec::new();
    if !skipped.is_empty() {
        notes.push(format!(
            "{}: rows of years {} (territory before a change within the year) skipped; the '+' rows of the new territory are used",
            dpath.display(),
            clip_to(&skipped.join(", "), 4 * CLIP_CHARS)
        ));
    }
    let source = dir.display().to_string();
    // year -> (age, open, deaths F/M/T, exposures F/M/T, lines, label end)
    type Row = (u32, bool, [f64; 3], [f64; 3], (usize, usize), Option<u32>);
    let mut by_year: BTreeMap<i32, Vec<Row>> = BTreeMap::new();
    for ((year, age), (open, dv, line, end)) in &d {
        let Some((eopen, ev, eline, _)) = e.get(&(*year, *age)) else {
            return Err(Error::row(
                dpath.display().to_string(),
                *line,
                format!("year {year}, age {age} has deaths but no row in {}", epath.display()),
            ));
        };
        if open != eopen {
            let plus = |o: bool| if o { "+" } else { "" };
            return Err(Error::row(
                dpath.display().to_string(),
                *line,
                format!(
                    "year {year}: age {age}{} here but {age}{} on line {eline} of {}: the open age group must agree",
                    plus(*open),
                    plus(*eopen),
                    epath.display()
                ),
            ));
        }
        by_year
            .entry(*year)
            .or_default()
            .push((*age, *open, *dv, *ev, (*line, *eline), *end));
    }
    if let Some(((year, age), (_, _, line, _))) = e.iter().find(|(k, _)| !d.contains_key(k)) {
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
                .map(|(age, open, dv, ev, (line, eline), end)| RawRow {
                    age: *age as f64,
                    open: *open,
                    deaths: dv[k],
                    exposure: ev[k],
                    line: *line,
                    exposure_line: *eline,
                    label_end: end.map(f64::from),
                })
                .collect();
            let (src, esrc) = (dpath.display().to_string(), epath.display().to_string());
            // one unusable year (e.g. a missing cell) does not stop the others
            match build_population(&src, &esrc, year, sex, raw, false) {
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
            "{}: {} unusable (ask for one to see why): {}",
            source,
            if list.len() == 1 {
                "one year and sex"
            } else {
                "years and sexes"
            },
            clip_to(&list.join(", "), 8 * CLIP_CHARS)
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
