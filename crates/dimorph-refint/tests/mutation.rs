//! A seeded mutation test (issue 14): the bundled `data/refint/*.csv` files are mutated a few
//! hundred times — lines deleted, duplicated and swapped; cells set to -1, 0, ±1e308, NaN, Inf,
//! text, 10 kB strings, quotes, commas and NUL bytes; files truncated; a group's values made
//! equal (all, or half of them); one value per group; values scaled towards the ends of the
//! floating-point range — and every estimation method runs on each mutant through `run_estimate`
//! and `run_partition` (and `run_table` for Table 1; `run_compare` on hostile limits), inside
//! `catch_unwind`, with the options sometimes out of range too.
//!
//! Asserted for every case: no panic; an error names a file, a line, a column, a group or an
//! argument, and quotes at most a short piece of the input; an outcome holds no NaN or infinity
//! (in its tables, its result, its text) unless a warning says why. The seed is fixed, so a failure
//! is reproducible: the message names the case and its mutations (`MUTATION_LOG=1` prints every
//! error and every outcome's warnings).

use dimorph_core::{Cell, Rng};
use dimorph_refint::{
    run_compare, run_estimate, run_partition, run_table, Assumption, EstimateOptions, EstimateRunOptions, Method,
    PartitionOptions, PermissibleOptions, RefintError, Transform,
};
use dimorph_report::Outcome;
use std::fmt::Debug;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

const SEED: u64 = 20240414;
const CASES: usize = 300;
/// The longest error message or warning accepted (quoted input is clipped to ~60 characters).
const MAX_MESSAGE: usize = 1500;

/// A bundled file and the columns its analyses read.
struct Source {
    file: &'static str,
    /// Value columns to choose from.
    values: &'static [&'static str],
    /// The group column, if the file has one.
    by: Option<&'static str>,
}

const SOURCES: &[Source] = &[
    Source {
        file: "reflimr_livertests.csv",
        values: &["ALB", "ALT", "AST", "BIL", "CHE", "CREA", "GGT", "PROT"],
        by: Some("Sex"),
    },
    Source {
        file: "reflimr_livertests.csv",
        values: &["CREA", "GGT"],
        by: Some("Category"),
    },
    Source {
        file: "referenceintervals_set20.csv",
        values: &["value"],
        by: None,
    },
    Source {
        file: "referenceintervals_set50.csv",
        values: &["value"],
        by: None,
    },
    Source {
        file: "referenceintervals_set120.csv",
        values: &["value"],
        by: None,
    },
    Source {
        file: "referenceintervals_set200.csv",
        values: &["value"],
        by: None,
    },
    Source {
        file: "referenceintervals_nonparranks.csv",
        values: &["Lower", "Upper"],
        by: Some("Upper"),
    },
    Source {
        file: "reflimr_targetvalues.csv",
        values: &["ll.female", "ul.male"],
        by: Some("unit"),
    },
    Source {
        file: "haeckel2016_table1.csv",
        values: &["rl1", "rl2"],
        by: Some("unit"),
    },
];

fn bundled(file: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/refint")
        .join(file);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Mutations applied to the joined text (truncation, raw bytes), in order.
type TextOps = Vec<Box<dyn Fn(&str) -> String>>;

/// A CSV as lines of naive fields (the bundled files hold no quoted commas).
type Rows = Vec<Vec<String>>;

fn split(text: &str) -> Rows {
    text.lines().map(|l| l.split(',').map(String::from).collect()).collect()
}

fn join(rows: &Rows) -> String {
    let mut s = rows.iter().map(|r| r.join(",")).collect::<Vec<_>>().join("\n");
    s.push('\n');
    s
}

fn column(rows: &Rows, name: &str) -> Option<usize> {
    rows.first()?.iter().position(|h| h.trim_matches('"') == name)
}

fn pick<'a, T>(rng: &mut Rng, xs: &'a [T]) -> &'a T {
    &xs[rng.below(xs.len())]
}

/// Replacement cells: boundary numbers, missing and non-finite markers, text, long and hostile
/// strings.
fn hostile_cell(rng: &mut Rng) -> String {
    let fixed = [
        "-1",
        "0",
        "1e308",
        "-1e308",
        "1.7976931348623157e308",
        "5e-324",
        "NaN",
        "Inf",
        "-Inf",
        "NA",
        "",
        "abc",
        "\"",
        "\"a,b\"",
        "\"x\"\"y\"",
        "\0",
        "1\x002",
        "\"line\nbreak\"",
        "١٢",
    ];
    match rng.below(fixed.len() + 2) {
        i if i < fixed.len() => fixed[i].to_string(),
        i if i == fixed.len() => "x".repeat(10_000),
        _ => format!("\"{}\"", "q,\"\"".repeat(2_500)),
    }
}

/// One mutation of the rows (or of the text, for byte-level ones); returns its description.
fn mutate(rng: &mut Rng, rows: &mut Rows, text_ops: &mut TextOps, src: &Source) -> String {
    let n = rows.len();
    let body = |rng: &mut Rng| 1 + rng.below(n.saturating_sub(1).max(1));
    let value_col = src.values.iter().find_map(|v| column(rows, v));
    let by_col = src.by.and_then(|b| column(rows, b));
    match rng.below(12) {
        0 if n > 1 => {
            let i = body(rng);
            rows.remove(i.min(rows.len() - 1));
            format!("delete line {}", i + 1)
        }
        1 if n > 1 => {
            let i = body(rng).min(n - 1);
            let k = 1 + rng.below(60);
            let line = rows[i].clone();
            for _ in 0..k {
                rows.insert(i, line.clone());
            }
            format!("duplicate line {} {k} times", i + 1)
        }
        2 if n > 2 => {
            let (i, j) = (rng.below(n), rng.below(n));
            rows.swap(i, j);
            format!("swap lines {} and {}", i + 1, j + 1)
        }
        3 | 4 if n > 1 => {
            let i = body(rng).min(n - 1);
            let w = rows[i].len();
            let j = value_col
                .filter(|_| rng.below(2) == 0)
                .unwrap_or_else(|| rng.below(w.max(1)));
            let cell = hostile_cell(rng);
            let shown: String = cell.chars().take(20).collect();
            if let Some(c) = rows[i].get_mut(j) {
                *c = cell;
            }
            format!("line {} field {}: '{}'", i + 1, j + 1, shown.escape_debug())
        }
        5 => {
            let keep = rng.uniform();
            text_ops.push(Box::new(move |t: &str| {
                let mut cut = (t.len() as f64 * keep) as usize;
                while !t.is_char_boundary(cut) {
                    cut -= 1;
                }
                t[..cut].to_string()
            }));
            format!("truncate at {:.0} %", 100.0 * keep)
        }
        6 => {
            let at = rng.uniform();
            let junk = *pick(rng, &["\0", "\"", ",", "\r\n", "\n\n", ",,,", "\u{feff}", "\"\"\""]);
            text_ops.push(Box::new(move |t: &str| {
                let mut i = (t.len() as f64 * at) as usize;
                while !t.is_char_boundary(i) {
                    i -= 1;
                }
                format!("{}{junk}{}", &t[..i], &t[i..])
            }));
            format!("insert {} at {:.0} %", junk.escape_debug(), 100.0 * at)
        }
        7 | 8 if n > 2 => {
            // all values equal in a group, or (robust's MAD = 0) half of them
            let Some(v) = value_col else {
                return "no value column".into();
            };
            let half = rng.below(2) == 0;
            let level = by_col.and_then(|b| rows[body(rng).min(n - 1)].get(b).cloned());
            let same = rows[body(rng).min(n - 1)].get(v).cloned().unwrap_or_default();
            let mut k = 0usize;
            for r in rows.iter_mut().skip(1) {
                let in_group = match (by_col, &level) {
                    (Some(b), Some(l)) => r.get(b) == Some(l),
                    _ => true,
                };
                if in_group {
                    k += 1;
                    if !half || k.is_multiple_of(2) {
                        if let Some(c) = r.get_mut(v) {
                            *c = same.clone();
                        }
                    }
                }
            }
            format!(
                "{} values of a group set to {same}",
                if half { "half the" } else { "all" }
            )
        }
        9 if n > 1 => {
            // one value per group
            let Some(b) = by_col else {
                return "no group column".into();
            };
            for (i, r) in rows.iter_mut().enumerate().skip(1) {
                if let Some(c) = r.get_mut(b) {
                    *c = format!("g{i}");
                }
            }
            "one value per group".into()
        }
        10 if n > 1 => {
            // values towards the ends of the floating-point range
            let Some(v) = value_col else {
                return "no value column".into();
            };
            let f = *pick(rng, &[1e300, 1e-300, -1.0, 1e150, 1e-310]);
            for r in rows.iter_mut().skip(1) {
                if let Some(x) = r.get(v).and_then(|c| c.parse::<f64>().ok()) {
                    r[v] = format!("{:e}", x * f);
                }
            }
            format!("values times {f:e}")
        }
        11 if n > 1 => {
            // a hostile group label
            let Some(b) = by_col else {
                return "no group column".into();
            };
            let label = *pick(rng, &["\"a,\"\"b\"\"\nc\"", "\"\0\"", "Inf", "-0"]);
            let label = if rng.below(3) == 0 {
                format!("\"{}\"", "L".repeat(10_000))
            } else {
                label.into()
            };
            let i = body(rng).min(n - 1);
            let k = 1 + rng.below(n);
            for r in rows.iter_mut().skip(i).take(k) {
                if let Some(c) = r.get_mut(b) {
                    *c = label.clone();
                }
            }
            format!("group label on {k} lines from {}", i + 1)
        }
        _ => "unchanged".into(),
    }
}

/// Options for the case: mostly the defaults, sometimes out of range.
fn options(rng: &mut Rng, method: Method) -> (EstimateOptions, Option<(f64, f64)>, PermissibleOptions, String) {
    let mut e = EstimateOptions {
        method,
        ..Default::default()
    };
    let mut desc = format!("--method {}", method.flag());
    if method == Method::Parametric {
        let t = *pick(rng, &[Transform::Normal, Transform::LogNormal, Transform::BoxCox]);
        e.transform = Some(t);
        desc += &format!(" --transform {t:?}");
    }
    if matches!(method, Method::Direct | Method::Robust) && rng.below(4) == 0 {
        e.seed = Some(rng.next_u64());
    }
    let targets = (method == Method::Reflim && rng.below(3) == 0).then(|| {
        *pick(
            rng,
            &[
                (41.0, 88.0),
                (0.0, 10.0),
                (-5.0, 10.0),
                (10.0, 5.0),
                (1e-300, 1e300),
                (100.0, 100.1),
                (35.0, 53.0),
            ],
        )
    });
    if let Some(t) = targets {
        desc += &format!(" --targets {},{}", t.0, t.1);
    }
    let mut p = PermissibleOptions::default();
    if rng.below(3) == 0 {
        p.z = *pick(
            rng,
            &[1.64, 0.0, -1.0, 1e308, f64::NAN, f64::INFINITY, 11.0, 1e-300, 10.0],
        );
        p.assumption = *pick(rng, &[Assumption::LogNormal, Assumption::Normal]);
        p.bias = rng.below(2) == 0;
        desc += &format!(" --z {} --assumption {}", p.z, p.assumption.text());
    }
    (e, targets, p, desc)
}

/// Removes double-quoted strings (with their escapes) from Debug output, so that the numbers
/// outside them can be checked.
fn without_strings(debug: &str) -> String {
    let mut out = String::new();
    let mut chars = debug.chars();
    while let Some(c) = chars.next() {
        if c == '"' {
            while let Some(d) = chars.next() {
                match d {
                    '\\' => {
                        chars.next();
                    }
                    '"' => break,
                    _ => {}
                }
            }
            out.push_str("\"\"");
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether a text holds a number of 25 digits or more (1e308 written out, 1e-300 as 0.000…).
fn has_long_number(text: &str) -> bool {
    text.split(|c: char| !c.is_ascii_digit()).any(|run| run.len() >= 25)
}

/// Whether a text holds a NaN or infinity as a word of its own (group labels removed first).
fn has_non_finite_word(text: &str) -> bool {
    text.split(|c: char| !(c.is_alphanumeric() || c == '.'))
        .any(|w| matches!(w, "NaN" | "nan" | "inf" | "Inf" | "infinity"))
}

struct Tally {
    ok: usize,
    errors: usize,
    failures: Vec<String>,
}

impl Tally {
    /// Checks one analysis' result (or panic) and records what is wrong with it.
    fn check<R: Debug>(
        &mut self,
        case: &str,
        source: &str,
        labels: &[String],
        run: std::thread::Result<Result<Outcome<R>, RefintError>>,
    ) {
        let fail = |why: String| format!("{case}: {why}");
        match run {
            Err(p) => {
                let msg = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                self.failures.push(fail(format!("panic: {msg}")));
            }
            Ok(Err(e)) => {
                self.errors += 1;
                let msg = e.to_string();
                if std::env::var("MUTATION_LOG").is_ok() {
                    eprintln!("ERR {case}\n    {msg}");
                }
                let named = msg.contains(source) || msg.contains("--") || msg.contains("group '");
                if !named {
                    self.failures.push(fail(format!("error names no place: {msg}")));
                }
                if msg.chars().count() > MAX_MESSAGE || has_long_number(&msg) {
                    self.failures.push(fail(format!(
                        "error of {} characters or with a long number: {msg}",
                        msg.chars().count()
                    )));
                }
            }
            Ok(Ok(out)) => {
                self.ok += 1;
                if std::env::var("MUTATION_LOG").is_ok() {
                    eprintln!("OK {case}\n    {:?}", out.warnings);
                }
                let explained = out
                    .warnings
                    .iter()
                    .any(|w| w.contains("not defined") || w.contains("left out") || w.contains("not computed"));
                let in_tables = out.tables.iter().flat_map(|t| &t.rows).flatten().any(|c| match c {
                    Cell::Num(x) => !x.is_finite(),
                    _ => false,
                });
                let in_result = has_non_finite_word(&without_strings(&format!("{:?}", out.result)));
                let mut text = out.to_text() + &out.summary.join("\n");
                for l in labels {
                    text = text.replace(l.as_str(), " ");
                }
                let in_text = has_non_finite_word(&text);
                if has_long_number(&text) {
                    self.failures
                        .push(fail(format!("a number of 25 digits or more in the text:\n{text}")));
                }
                if (in_tables || in_result || in_text) && !explained {
                    self.failures.push(fail(format!(
                        "NaN/Inf without a warning (tables {in_tables}, result {in_result}, text {in_text}); \
                         warnings: {:?}",
                        out.warnings
                    )));
                }
                if let Some(w) = out
                    .warnings
                    .iter()
                    .find(|w| w.chars().count() > MAX_MESSAGE || has_long_number(w))
                {
                    self.failures
                        .push(fail(format!("warning of {} characters", w.chars().count())));
                }
            }
        }
    }
}

/// Group labels of a frame's column, as the engine names them (for the text check).
fn labels(frame: &dimorph_data::Frame, by: Option<&str>) -> Vec<String> {
    let Some(c) = by.and_then(|b| frame.column(b).ok()) else {
        return Vec::new();
    };
    let mut l: Vec<String> = match &c.data {
        dimorph_data::ColumnData::Num(v) => v.iter().map(|x| dimorph_refint::quote::num(*x)).collect(),
        dimorph_data::ColumnData::Text { values, .. } => values.iter().flatten().cloned().collect(),
    };
    l.sort();
    l.dedup();
    // longest first, so that no label is half-removed by a shorter one
    l.sort_by_key(|s| std::cmp::Reverse(s.len()));
    l.into_iter().filter(|s| !s.is_empty()).collect()
}

#[test]
fn mutated_bundled_files_never_panic_and_never_print_an_unexplained_nan() {
    let texts: Vec<String> = SOURCES.iter().map(|s| bundled(s.file)).collect();
    let methods = [Method::Reflim, Method::Direct, Method::Parametric, Method::Robust];
    let mut rng = Rng::new(SEED);
    let mut tally = Tally {
        ok: 0,
        errors: 0,
        failures: Vec::new(),
    };
    let mut read_errors = 0;
    for case in 0..CASES {
        let k = rng.below(SOURCES.len());
        let src = &SOURCES[k];
        let mut rows = split(&texts[k]);
        let mut text_ops: TextOps = Vec::new();
        let muts: Vec<String> = (0..1 + rng.below(3))
            .map(|_| mutate(&mut rng, &mut rows, &mut text_ops, src))
            .collect();
        let mut text = join(&rows);
        for op in &text_ops {
            text = op(&text);
        }
        let source = format!("mutant{case}/{}", src.file);
        let method = methods[case % methods.len()];
        let (est, targets, pu, opts) = options(&mut rng, method);
        let value = pick(&mut rng, src.values).to_string();
        let name = format!("case {case} ({source}, {}; {opts}; --value {value})", muts.join("; "));
        let frame = match dimorph_data::read_csv_bytes(&source, text.as_bytes()) {
            Ok(f) => f,
            Err(e) => {
                read_errors += 1;
                let msg = RefintError::from(e).to_string();
                if !msg.contains(&source) || msg.chars().count() > MAX_MESSAGE {
                    tally.failures.push(format!("{name}: reader error: {msg}"));
                }
                continue;
            }
        };
        let labels = labels(&frame, src.by);
        if src.file.starts_with("haeckel") {
            let run = catch_unwind(AssertUnwindSafe(|| run_table(&frame, &pu)));
            tally.check(&name, &source, &labels, run);
        }
        let eo = EstimateRunOptions {
            value: value.clone(),
            by: src.by.filter(|_| rng.below(3) > 0).map(String::from),
            targets,
            estimate: est,
            ..Default::default()
        };
        let run = catch_unwind(AssertUnwindSafe(|| run_estimate(&frame, &eo)));
        tally.check(&name, &source, &labels, run);
        // compare: limits from the mutated file's values and hostile numbers
        let ends = [
            41.0,
            88.0,
            0.0,
            -1.0,
            1e308,
            -1e308,
            f64::NAN,
            f64::INFINITY,
            1e-300,
            1e15,
            1e-31,
            50.0,
            104.0,
        ];
        let mut pair = || (*pick(&mut rng, &ends), *pick(&mut rng, &ends));
        let (a, bs) = (pair(), (0..1 + case % 3).map(|_| pair()).collect::<Vec<_>>());
        let run = catch_unwind(AssertUnwindSafe(|| run_compare(a, &bs, &pu)));
        tally.check(&format!("{name}; compare {a:?} with {bs:?}"), &source, &labels, run);
        if let Some(by) = src.by {
            let po = PartitionOptions {
                value: value.clone(),
                by: by.into(),
                estimate: EstimateOptions {
                    permissible: Some(pu),
                    ..est
                },
                filters: Vec::new(),
            };
            let run = catch_unwind(AssertUnwindSafe(|| run_partition(&frame, &po)));
            tally.check(&name, &source, &labels, run);
        }
    }
    eprintln!(
        "mutation test: {CASES} mutants, {read_errors} refused by the reader, {} analyses gave an outcome, {} an \
         error, {} failures",
        tally.ok,
        tally.errors,
        tally.failures.len()
    );
    assert!(tally.failures.is_empty(), "{}", tally.failures.join("\n"));
    // the harness reaches the engine: both outcomes and errors occur
    assert!(
        tally.ok > 50 && tally.errors > 50,
        "ok {}, errors {}",
        tally.ok,
        tally.errors
    );
}
