//! Seeded mutation test (issue 14): the bundled HMD files (`data/hmd/USA`, years 2009–2011), the
//! cause-of-death file (`data/usa_2010_cod.csv`) and a tidy CSV made from the HMD year 2010 are
//! mutated ~300 times (lines deleted, duplicated, swapped; a field replaced by -1, 0, 1e308, NaN,
//! text, a 10 kB string, a year of 10^12 or an age of 10^9; the file truncated; a quote, comma
//! or NUL byte inserted; the Deaths and Exposures files swapped) and each case runs the readers
//! and both analyses under `catch_unwind`. Asserted for every case:
//!
//! * no panic;
//! * an error names a file (and a line when the mutation sits on one line of a reader's file
//!   and the reader refuses it), and quotes at most a short excerpt of a cell (no 10 kB echo);
//! * an outcome has no NaN or infinity in its tidy tables or its text unless a warning says
//!   that a value is undefined and why.
//!
//! The seed is fixed; `DIMORPH_MUTATION_SEED` and `DIMORPH_MUTATION_CASES` change it for a
//! longer exploratory run, and `DIMORPH_MUTATION_VERBOSE=1` prints every refusal.

use crate::common;
use common::*;
use dimorph_core::{Cell, Rng};
use dimorph_lifetable::*;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// Which input file a case mutates.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    Deaths,
    Exposures,
    Causes,
    Tidy,
}

/// The unmutated inputs.
struct Base {
    deaths: Vec<u8>,
    exposures: Vec<u8>,
    causes: Vec<u8>,
    tidy: Vec<u8>,
}

/// Keeps the three title/blank/header lines and the rows of the years 2009–2011.
fn trim_hmd(path: &Path) -> Vec<u8> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = String::new();
    for (i, l) in text.lines().enumerate() {
        let year = l.split_whitespace().next().and_then(|y| y.parse::<i32>().ok());
        if i < 3 || year.is_some_and(|y| (2009..=2011).contains(&y)) {
            out.push_str(l);
            out.push('\n');
        }
    }
    out.into_bytes()
}

/// The tidy CSV `year,sex,age,deaths,exposure,open_interval` of the HMD year 2010.
fn tidy_from_hmd(deaths: &[u8], exposures: &[u8]) -> Vec<u8> {
    let rows = |b: &[u8]| -> Vec<Vec<String>> {
        String::from_utf8_lossy(b)
            .lines()
            .skip(3)
            .map(|l| l.split_whitespace().map(String::from).collect::<Vec<_>>())
            .filter(|f| f.len() == 5 && f[0] == "2010")
            .collect()
    };
    let (d, e) = (rows(deaths), rows(exposures));
    let mut out = String::from("year,sex,age,deaths,exposure,open_interval\n");
    for (k, sex) in ["female", "male"].iter().enumerate() {
        for (dr, er) in d.iter().zip(&e) {
            let open = dr[1].ends_with('+');
            let age = dr[1].trim_end_matches('+');
            out.push_str(&format!(
                "2010,{sex},{age},{},{},{}\n",
                dr[2 + k],
                er[2 + k],
                u8::from(open)
            ));
        }
    }
    out.into_bytes()
}

fn base() -> Base {
    let hmd = data_dir().join("hmd/USA");
    let deaths = trim_hmd(&hmd.join("USA.Deaths_1x1.txt"));
    let exposures = trim_hmd(&hmd.join("USA.Exposures_1x1.txt"));
    let tidy = tidy_from_hmd(&deaths, &exposures);
    let causes = std::fs::read(data_dir().join("usa_2010_cod.csv")).unwrap();
    Base {
        deaths,
        exposures,
        causes,
        tidy,
    }
}

/// A value put in place of a field.
fn replacement(rng: &mut Rng) -> String {
    const VALUES: [&str; 14] = [
        "-1",
        "0",
        "1e308",
        "NaN",
        "inf",
        "-inf",
        "abc",
        "1e-300",
        "1000000000",
        "1000000000000",
        "\"q,\"\"x\"",
        "",
        "1e15",
        "2.5",
    ];
    match rng.below(VALUES.len() + 2) {
        k if k < VALUES.len() => VALUES[k].to_string(),
        k if k == VALUES.len() => "x".repeat(10_000),
        _ => "9".repeat(10_000),
    }
}

/// What a case did, for the failure report; `line` is the 1-based line it changed, if one.
struct Mutation {
    what: String,
    line: Option<usize>,
}

fn split_lines(b: &[u8]) -> Vec<Vec<u8>> {
    b.split(|c| *c == b'\n').map(<[u8]>::to_vec).collect()
}

fn join_lines(lines: &[Vec<u8>]) -> Vec<u8> {
    lines.join(&b'\n')
}

/// Replaces one field (whitespace-separated for HMD files, comma-separated for CSV) of a line.
fn replace_field(line: &[u8], csv: bool, rng: &mut Rng, value: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(line).into_owned();
    if csv {
        let mut f: Vec<String> = text.split(',').map(String::from).collect();
        let k = rng.below(f.len());
        f[k] = value.to_string();
        f.join(",").into_bytes()
    } else {
        let mut f: Vec<String> = text.split_whitespace().map(String::from).collect();
        if f.is_empty() {
            return value.as_bytes().to_vec();
        }
        let k = rng.below(f.len());
        f[k] = value.to_string();
        f.join("   ").into_bytes()
    }
}

/// Mutates `bytes` once; `csv` picks the field separator.
fn mutate(bytes: &[u8], csv: bool, rng: &mut Rng) -> (Vec<u8>, Mutation) {
    let mut lines = split_lines(bytes);
    let n = lines.len();
    // data rows mostly: the first lines are headers
    let pick = |rng: &mut Rng| {
        if rng.below(10) == 0 {
            rng.below(n)
        } else {
            1 + rng.below(n - 1)
        }
    };
    let kind = rng.below(10);
    let (out, what, line) = match kind {
        0 => {
            let k = pick(rng);
            lines.remove(k);
            (join_lines(&lines), "delete line".to_string(), None)
        }
        1 => {
            let k = pick(rng);
            let l = lines[k].clone();
            lines.insert(k, l);
            (join_lines(&lines), "duplicate line".into(), None)
        }
        2 => {
            let (a, b) = (pick(rng), pick(rng));
            lines.swap(a, b);
            (join_lines(&lines), format!("swap with line {}", b + 1), Some(a + 1))
        }
        3..=6 => {
            let k = pick(rng);
            let v = replacement(rng);
            lines[k] = replace_field(&lines[k], csv, rng, &v);
            let shown: String = v.chars().take(20).collect();
            (join_lines(&lines), format!("field = '{shown}'"), Some(k + 1))
        }
        7 => {
            let cut = rng.below(bytes.len());
            (bytes[..cut].to_vec(), format!("truncate at byte {cut}"), None)
        }
        _ => {
            let k = pick(rng);
            let c = [b'"', b',', 0u8, b'\t', 0xff][rng.below(5)];
            let at = rng.below(lines[k].len() + 1);
            lines[k].insert(at, c);
            (join_lines(&lines), format!("insert byte {c:#04x} at {at}"), Some(k + 1))
        }
    };
    (out, Mutation { what, line })
}

/// The files of one case, written to a fresh folder.
struct Files {
    hmd: PathBuf,
    causes: PathBuf,
    tidy: PathBuf,
}

fn write_case(dir: &Path, deaths: &[u8], exposures: &[u8], causes: &[u8], tidy: &[u8]) -> Files {
    let hmd = dir.join("hmd");
    std::fs::create_dir_all(&hmd).unwrap();
    std::fs::write(hmd.join("USA.Deaths_1x1.txt"), deaths).unwrap();
    std::fs::write(hmd.join("USA.Exposures_1x1.txt"), exposures).unwrap();
    std::fs::write(dir.join("cod.csv"), causes).unwrap();
    std::fs::write(dir.join("tidy.csv"), tidy).unwrap();
    Files {
        hmd,
        causes: dir.join("cod.csv"),
        tidy: dir.join("tidy.csv"),
    }
}

/// The options of case `k`: the defaults and three other combinations.
fn options(k: usize) -> LifeLostOptions {
    let mut o = LifeLostOptions::default();
    match k % 4 {
        1 => {
            o.discretisation = Discretisation::Paper;
            o.cause_shares = CauseShares::Paper;
        }
        2 => {
            o.lifetable.ax = AxMethod::ConstantHazard;
            o.lifetable.smoothing = Smoothing::None;
        }
        3 => {
            o.save_point = SavePoint::ExactAge;
            o.stationary = true;
            o.percent = true;
            o.delete_cause = false;
        }
        _ => {}
    }
    o
}

/// Why an outcome is not acceptable: a non-finite number in a tidy table or the text without a
/// warning saying that a value is undefined. `names` (cause groups: data, not numbers) are
/// taken out of the text first.
fn check_outcome<R>(o: &dimorph_report::Outcome<R>, names: &[String]) -> Result<(), String> {
    let explained = o.warnings.iter().any(|w| w.contains("undefined"));
    if explained {
        return Ok(());
    }
    for t in &o.tables {
        for (r, row) in t.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                if let Cell::Num(x) = cell {
                    if !x.is_finite() {
                        return Err(format!("table {} row {r} column {}: {x}", t.name, t.columns[c]));
                    }
                }
            }
        }
    }
    let mut text = o.summary.join("\n") + &o.to_text();
    for n in names {
        text = text.replace(n.as_str(), " ");
    }
    let bad = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
        .find(|w| matches!(*w, "NaN" | "inf" | "Inf" | "nan" | "NA"));
    match bad {
        Some(w) => Err(format!("text holds '{w}'")),
        None => Ok(()),
    }
}

/// Why an error message is not acceptable: it names no input file, or echoes a long cell.
fn check_error(msg: &str, names: &[&str]) -> Result<(), String> {
    if std::env::var_os("DIMORPH_MUTATION_VERBOSE").is_some() {
        eprintln!("refused: {msg}");
    }
    if msg.contains("internal check") {
        return Err(format!("a non-finite value reached the last guard: {msg}"));
    }
    if !names.iter().any(|n| msg.contains(n)) {
        return Err(format!("names no file: {msg}"));
    }
    if msg.len() > 2000 || msg.contains(&"x".repeat(200)) || msg.contains(&"9".repeat(200)) {
        let head: String = msg.chars().take(200).collect();
        return Err(format!("message of {} bytes: {head}…", msg.len()));
    }
    Ok(())
}

/// A reader's error: named file, and the line when the mutation sits on one.
fn check_read_error(msg: &str, names: &[&str], m: &Mutation) -> Result<(), String> {
    check_error(msg, names)?;
    if let Some(l) = m.line {
        if !msg.contains("line") {
            return Err(format!("mutation on line {l}, message names no line: {msg}"));
        }
    }
    Ok(())
}

const NAMES: [&str; 4] = ["USA.Deaths_1x1.txt", "USA.Exposures_1x1.txt", "cod.csv", "tidy.csv"];

/// Runs the readers and the analyses the mutated file feeds; returns what went wrong.
/// `Ok(true)` when every analysis ran, `Ok(false)` when something was refused as it should be.
fn run_case(f: &Files, target: Target, m: &Mutation, k: usize) -> Result<bool, String> {
    let opts = options(k);
    let both = [Sex::Female, Sex::Male];
    let hmd_name = f.hmd.display().to_string();
    let names = [&NAMES[..], &[hmd_name.as_str()]].concat();
    let data = match target {
        Target::Tidy => match read_data(&f.tidy) {
            Ok((d, _)) => d,
            Err(e) => return check_read_error(&e.to_string(), &names, m).map(|_| false),
        },
        _ => match read_hmd_dir(&f.hmd) {
            Ok(d) => d,
            Err(e) => return check_read_error(&e.to_string(), &names, m).map(|_| false),
        },
    };
    let causes = match target {
        Target::Tidy => None,
        _ => match CauseDeaths::read_csv(&f.causes, None) {
            Ok(c) => Some(c),
            Err(e) => return check_read_error(&e.to_string(), &names, m).map(|_| false),
        },
    };
    let sexes: &[Sex] = match target {
        Target::Tidy => &both,
        _ => &[Sex::Female, Sex::Male, Sex::Total],
    };
    let mut ran = true;
    for &sex in sexes {
        match run_lifetable(&data, 2010, sex, &opts.lifetable) {
            Ok(o) => check_outcome(&o, &[]).map_err(|e| format!("lifetable {sex}: {e}"))?,
            Err(e) => {
                ran = false;
                check_error(&e.to_string(), &names).map_err(|e| format!("lifetable {sex}: {e}"))?
            }
        }
    }
    let mut lost_opts = opts;
    if causes.is_none() {
        lost_opts.cause_shares = CauseShares::Age;
        lost_opts.delete_cause = true;
    }
    // every cause group in one case of six, one group otherwise (fewer matrices: faster)
    let only = (!k.is_multiple_of(6) && causes.is_some()).then(|| causes::PAPER_GROUPS[k % 7]);
    match run_lifelost(&data, causes.as_ref(), 2010, &both, only, &lost_opts) {
        Ok(o) => {
            let groups = causes.as_ref().map(|c| c.groups.clone()).unwrap_or_default();
            check_outcome(&o, &groups)
                .map(|_| ran)
                .map_err(|e| format!("lifelost: {e}"))
        }
        Err(e) => check_error(&e.to_string(), &names)
            .map(|_| false)
            .map_err(|e| format!("lifelost: {e}")),
    }
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn mutated_inputs_never_panic_and_always_explain() {
    let seed = env_or("DIMORPH_MUTATION_SEED", 14);
    let cases = env_or("DIMORPH_MUTATION_CASES", 300) as usize;
    let b = base();
    let root = temp_dir("mutation");
    let mut rng = Rng::new(seed);
    let mut failures = Vec::new();
    let (mut refused, mut ran) = (0, 0);
    for k in 0..cases {
        let dir = root.join(k.to_string());
        let target = [Target::Deaths, Target::Exposures, Target::Causes, Target::Tidy][rng.below(4)];
        let (mut deaths, mut exposures, mut causes, mut tidy) =
            (b.deaths.clone(), b.exposures.clone(), b.causes.clone(), b.tidy.clone());
        let m = if target != Target::Causes && rng.below(40) == 0 {
            std::mem::swap(&mut deaths, &mut exposures);
            Mutation {
                what: "Deaths and Exposures files swapped".into(),
                line: Some(1),
            }
        } else {
            let slot = match target {
                Target::Deaths => &mut deaths,
                Target::Exposures => &mut exposures,
                Target::Causes => &mut causes,
                Target::Tidy => &mut tidy,
            };
            let (bytes, m) = mutate(slot, matches!(target, Target::Causes | Target::Tidy), &mut rng);
            *slot = bytes;
            m
        };
        let files = write_case(&dir, &deaths, &exposures, &causes, &tidy);
        let r = catch_unwind(AssertUnwindSafe(|| run_case(&files, target, &m, k)));
        let line = m.line.map(|l| format!(" (line {l})")).unwrap_or_default();
        match r {
            Err(p) => {
                let msg = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                failures.push(format!("case {k} {target:?} {}{line}: PANIC {msg}", m.what));
            }
            Ok(Err(e)) => failures.push(format!("case {k} {target:?} {}{line}: {e}", m.what)),
            Ok(Ok(true)) => ran += 1,
            Ok(Ok(false)) => refused += 1,
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    let _ = std::fs::remove_dir_all(&root);
    eprintln!(
        "{cases} mutation cases (seed {seed}): {ran} ran, {refused} refused (some analysis) with a located message, {} failed",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {cases} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
