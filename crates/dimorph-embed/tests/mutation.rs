//! Seeded mutation test (issue 14): 150 rows of `data/embed/digits.csv` are mutated ~200 times
//! (a number replaced by NaN, Inf, 1e308, a subnormal, text, an empty cell, a 10 kB cell; every
//! row made the same so that all points coincide; one row, sixteen rows; one feature column;
//! constant columns; the file truncated; a quote, comma, newline or NUL byte inserted; header
//! names duplicated, emptied or made 10 kB long), and each case runs the reader and
//! [`dimorph_embed::run`] (10 + 10 iterations, various affinities, neighbour searches, gradients
//! and clusters) under `catch_unwind`. Another ~60 cases give hostile option values (infinite,
//! negative, zero, enormous) on the clean slice. Asserted for every case:
//!
//! * no panic;
//! * an error names the file (`m.csv`) or an argument (`--…`), a refused single cell its line,
//!   and quotes at most a short excerpt of a cell or name (no 10 kB echo);
//! * an outcome has only finite numbers in its computed table columns and summary (a colour
//!   column's own missing values are copied through, with a warning saying so).
//!
//! The seed is fixed; `DIMORPH_MUTATION_SEED` and `DIMORPH_MUTATION_CASES` change it for a
//! longer exploratory run, and `DIMORPH_MUTATION_VERBOSE=1` prints every refusal.

use dimorph_core::{Cell, Rng};
use dimorph_embed::clusters::Region;
use dimorph_embed::{run, Affinity, EmbedOptions, GradientMethod, Init, KnnMethod};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Header and the first 150 data rows of the bundled digits, as cells.
fn base() -> Vec<Vec<String>> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/embed/digits.csv");
    let text = std::fs::read_to_string(path).expect("digits.csv");
    text.lines()
        .take(151)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

fn join(rows: &[Vec<String>]) -> Vec<u8> {
    let mut s = String::new();
    for r in rows {
        s.push_str(&r.join(","));
        s.push('\n');
    }
    s.into_bytes()
}

/// Values a number is replaced by.
const TOKENS: [&str; 16] = [
    "NaN", "Inf", "-Inf", "1e308", "-1e308", "3.5e38", "1e20", "4.9e-324", "abc", "", "NA", "-0", "1e400", "\"\"",
    "0x10", " 7 ",
];

/// One mutation of the rows (cells) or of the bytes; returns its description and, for a single
/// cell replaced by a simple token, the line it sits on.
fn mutate(rows: &mut Vec<Vec<String>>, bytes: &mut Option<Vec<u8>>, rng: &mut Rng) -> (String, Option<usize>) {
    let n = rows.len() - 1;
    let d = rows[0].len();
    let r = 1 + rng.below(n);
    if rows[r].is_empty() {
        rows[r].push(String::new());
    }
    let c = rng.below(d.min(rows[r].len()));
    match rng.below(14) {
        0..=3 => {
            let t = TOKENS[rng.below(TOKENS.len())];
            rows[r][c] = t.to_string();
            (format!("cell {r},{c} = {t:?}"), Some(r + 1))
        }
        4 => {
            let big = if rng.below(2) == 0 { "9" } else { "x" }.repeat(10_000);
            rows[r][c] = big;
            ("10 kB cell".into(), Some(r + 1))
        }
        5 => {
            let same = rows[1].clone();
            rows.iter_mut().skip(1).for_each(|row| *row = same.clone());
            ("all rows the same".into(), None)
        }
        6 => {
            let keep = [1, 2, 15, 16, 17][rng.below(5)];
            rows.truncate(1 + keep);
            (format!("{keep} rows"), None)
        }
        7 => {
            // one feature column (and the label)
            for row in rows.iter_mut() {
                let cell = |j: usize| row.get(j).cloned().unwrap_or_default();
                *row = vec![cell(c.min(d - 2)), cell(d - 1)];
            }
            ("one feature column".into(), None)
        }
        8 => {
            let k = 1 + rng.below(d - 1);
            for row in rows.iter_mut().skip(1) {
                for v in row.iter_mut().take(k) {
                    *v = "3".into();
                }
            }
            (format!("{k} constant columns"), None)
        }
        9 => {
            let long = "h".repeat(10_000);
            let h = ["p0_1", "", "\"a,b\"", "\"q\"\"uote\"", &long, "digit"][rng.below(6)];
            rows[0][c] = h.to_string();
            (format!("header {c} = {:.20}", h), None)
        }
        10 => {
            let extra = ["\"1,2\"", "1,2", "\"a\nb\"", "\u{0}", "\"", "5,"][rng.below(6)];
            rows[r][c] = extra.to_string();
            (format!("cell {r},{c} = {extra:?}"), None)
        }
        11 => {
            // half the rows copies of one row
            let one = rows[1 + rng.below(n)].clone();
            for row in rows.iter_mut().skip(1).step_by(2) {
                *row = one.clone();
            }
            ("duplicated rows".into(), None)
        }
        12 => {
            rows[r].pop();
            (format!("row {r} one field short"), None)
        }
        _ => {
            let mut b = join(rows);
            let cut = rng.below(b.len() + 1);
            b.truncate(cut);
            *bytes = Some(b);
            (format!("truncated at byte {cut}"), None)
        }
    }
}

/// Options for a case: small iterations, and a varied method.
fn options(rng: &mut Rng) -> EmbedOptions {
    let mut o = EmbedOptions {
        features: vec!["p*".into()],
        iter: 10,
        early_iter: 10,
        threads: Some(1 + rng.below(2)),
        seed: rng.below(1000) as u64,
        ..EmbedOptions::default()
    };
    match rng.below(6) {
        0 => {
            o.affinity = Affinity::Gaussian;
            o.perplexity = Some(5.0);
        }
        1 => {
            o.knn_method = KnnMethod::Approx;
            o.pca_dims = Some(5);
        }
        2 => o.gradient = GradientMethod::Fft,
        3 => o.init = Init::Random,
        4 => o.alpha = 0.5,
        _ => o.knn = Some(5),
    }
    if rng.below(2) == 0 {
        o.class = Some("digit".into());
        o.clusters = vec![Region {
            name: "all".into(),
            cx: 0.0,
            cy: 0.0,
            r: 1e6,
        }];
    }
    if rng.below(3) == 0 {
        o.color = Some("digit".into());
    }
    o
}

/// Hostile values for one option at a time.
fn hostile_options(rng: &mut Rng) -> (String, EmbedOptions) {
    let mut o = EmbedOptions {
        features: vec!["p*".into()],
        iter: 10,
        early_iter: 10,
        threads: Some(1),
        ..EmbedOptions::default()
    };
    let reals = [
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        -5.0,
        0.0,
        1e308,
        1e-300,
        0.5,
    ];
    let counts = [0usize, 1, 2, 149, 150, 1 << 40, usize::MAX];
    let x = reals[rng.below(reals.len())];
    let k = counts[rng.below(counts.len())];
    let what = match rng.below(12) {
        0 => {
            o.alpha = x;
            "alpha"
        }
        1 => {
            o.exaggeration = x;
            "exaggeration"
        }
        2 => {
            o.learning_rate = Some(x);
            "learning rate"
        }
        3 => {
            o.affinity = Affinity::Gaussian;
            o.perplexity = Some(x);
            "perplexity"
        }
        4 => {
            o.knn = Some(k);
            "knn"
        }
        5 => {
            o.iter = k;
            "iter"
        }
        6 => {
            o.early_iter = k;
            "early iter"
        }
        7 => {
            o.knn_method = KnnMethod::Approx;
            o.pca_dims = Some(k);
            "pca dims"
        }
        8 => {
            o.threads = Some(k);
            "threads"
        }
        9 => {
            o.max_plot_points = k;
            "max plot points"
        }
        10 => {
            o.clusters = vec![Region {
                name: "c".into(),
                cx: x,
                cy: 0.0,
                r: x,
            }];
            o.exemplars = Some(k);
            "cluster"
        }
        _ => {
            o.affinity = Affinity::Gaussian;
            o.perplexity = Some([1.0, 49.0, 50.0, 148.0, 149.0][rng.below(5)]);
            "perplexity near n"
        }
    };
    (format!("{what}: x = {x}, k = {k}"), o)
}

/// Columns a table copies from the input (their missing values are the input's, not computed).
const COPIED: [&str; 3] = ["digit", "class", "value"];

/// What is wrong with an outcome, if anything.
fn check_outcome(o: &dimorph_report::Outcome<dimorph_embed::EmbedResult>) -> Option<String> {
    for t in &o.tables {
        for row in &t.rows {
            for (name, cell) in t.columns.iter().zip(row) {
                if let Cell::Num(v) = cell {
                    let said = COPIED.contains(&name.as_str()) && o.warnings.iter().any(|w| w.contains("not finite"));
                    if !(v.is_finite() || said) {
                        return Some(format!("table {} column {name}: {v}", t.name));
                    }
                }
            }
        }
    }
    let e = &o.result.embedding;
    if !e.kl_divergence.is_finite() || e.y.iter().flatten().any(|v| !v.is_finite()) {
        return Some("embedding not finite".into());
    }
    let text = o.summary.join("\n");
    if text.contains("NaN") || text.contains("inf") {
        return Some(format!("summary: {text}"));
    }
    None
}

/// What is wrong with a refusal, if anything.
fn check_error(msg: &str, line: Option<usize>) -> Option<String> {
    if !(msg.contains("m.csv") || msg.contains("--")) {
        return Some("names no file or argument".into());
    }
    if msg.len() > 1000 {
        return Some(format!("{} bytes long", msg.len()));
    }
    if msg.contains('\n') || msg.contains('\0') {
        return Some("not on one line".into());
    }
    if let Some(l) = line {
        let names_line = msg.contains(&format!("line {l}")) || msg.contains("--");
        if msg.contains("m.csv") && !names_line && !msg.contains("constant") && !msg.contains("no column") {
            return Some(format!("does not name line {l}"));
        }
    }
    None
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn mutated_files_and_options_never_panic_and_errors_name_the_place() {
    let seed = env_or("DIMORPH_MUTATION_SEED", 14);
    let cases = env_or("DIMORPH_MUTATION_CASES", 200) as usize;
    let verbose = std::env::var("DIMORPH_MUTATION_VERBOSE").is_ok_and(|v| v == "1");
    let base = base();
    let mut rng = Rng::new(seed);
    let (mut ok, mut refused, mut failures) = (0, 0, Vec::new());
    for case in 0..cases + cases * 3 / 10 {
        let (what, line, bytes, opts) = if case < cases {
            let mut rows = base.clone();
            let mut bytes = None;
            let mut what = Vec::new();
            let mut line = None;
            let k = 1 + rng.below(3);
            for _ in 0..k {
                let (w, l) = mutate(&mut rows, &mut bytes, &mut rng);
                what.push(w);
                line = if k == 1 { l } else { None };
                if bytes.is_some() {
                    break;
                }
            }
            let bytes = bytes.unwrap_or_else(|| join(&rows));
            (what.join("; "), line, bytes, options(&mut rng))
        } else {
            let (w, o) = hostile_options(&mut rng);
            (w, None, join(&base), o)
        };
        let result = catch_unwind(AssertUnwindSafe(|| {
            let frame = dimorph_data::read_csv_bytes("m.csv", &bytes).map_err(dimorph_embed::EmbedError::from)?;
            run(&frame, &opts, &mut |_, _, _| {})
        }));
        let problem = match &result {
            Err(_) => Some("panicked".to_string()),
            Ok(Ok(o)) => {
                ok += 1;
                check_outcome(o)
            }
            Ok(Err(e)) => {
                refused += 1;
                let msg = e.to_string();
                if verbose {
                    eprintln!("case {case} ({what}): {msg}");
                }
                check_error(&msg, line).map(|p| format!("{p}: {:.300}", msg))
            }
        };
        if let Some(p) = problem {
            failures.push(format!("case {case} ({what:.200}): {p}"));
        }
    }
    eprintln!(
        "{} cases: {ok} embedded, {refused} refused, {} failures",
        ok + refused + failures.iter().filter(|f| f.ends_with("panicked")).count(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        ok > 20 && refused > 20,
        "{ok} embedded, {refused} refused: the mutations miss one side"
    );
}
