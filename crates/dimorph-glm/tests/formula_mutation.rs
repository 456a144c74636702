//! A seeded mutation test of the formula parser and the whole fit: about 2,000 random edits of
//! the README's example formulas (and a few on the crab data) — characters of the formula
//! alphabet inserted, deleted, replaced or duplicated, column names swapped in, deep nesting,
//! huge or fractional powers, long sums — each parsed and, when it parses, fitted on
//! `data/crabs.csv` with a random family and link, inside `catch_unwind`.
//!
//! Asserted for every case: no panic (and no stack overflow: that would abort the test); an error
//! names its place — a formula error a character inside the formula, a data error a column or a
//! line of the file, an option error the option — and quotes at most a bounded amount of text;
//! a fit that succeeds has a finite, non-negative deviance. Sizes are bounded (nesting ≤ 150,
//! sums ≤ 3,000 terms) so that the whole run takes seconds; nothing is asserted on time.

use std::panic::{catch_unwind, AssertUnwindSafe};

use dimorph_core::rng::Rng;
use dimorph_glm::formula::Formula;
use dimorph_glm::{run, Family, GlmError, Link, RunOptions};

/// The formulas of the README, then more on the crab data (so that many mutants fit).
const SEEDS: [&str; 14] = [
    "disease/total ~ snoring",
    "satell ~ width + I(width^2)",
    "claims ~ C(district) + C(group, ref=4) + C(age) + offset(log(holders))",
    "satell ~ width",
    "satell ~ C(color) + width",
    "satell ~ width * weight - 1",
    "cbind(satell, spine) ~ (width + weight + C(color))^2",
    "log(weight) ~ width + offset(log(width)) + sqrt(spine)",
    "satell ~ . - weight",
    "satell/weight ~ I(width - 20):C(spine, ref = 3)",
    "satell ~ width + weight",
    "weight ~ width + C(color, ref = 2)",
    "satell ~ spine + width:weight",
    "satell ~ 0 + C(color) + log(width)",
];

/// The characters edits insert: the formula syntax, digits, letters of the crab columns.
const ALPHABET: &str = "~+-*/:^(),=.`\"' 0123456789eIClogexpsqrtwidthsatellweightcolorspine_";

/// The first characters of [`ALPHABET`] are the operators, brackets and separators.
const OPERATORS: usize = 15;

const COLUMNS: [&str; 5] = ["color", "spine", "width", "satell", "weight"];

fn crabs() -> dimorph_data::Frame {
    let path = format!("{}/../../data/crabs.csv", env!("CARGO_MANIFEST_DIR"));
    dimorph_data::read_csv(path).expect("bundled crab data")
}

fn pick<'a, T>(rng: &mut Rng, items: &'a [T]) -> &'a T {
    &items[rng.below(items.len())]
}

/// One random edit of `f` (by characters, so positions stay characters).
fn mutate(rng: &mut Rng, f: &str) -> String {
    let mut c: Vec<char> = f.chars().collect();
    let alphabet: Vec<char> = ALPHABET.chars().collect();
    let at = |rng: &mut Rng, c: &Vec<char>| rng.below(c.len() + 1);
    match rng.below(12) {
        0..=2 => {
            // half the time an operator or bracket, which keeps the names intact
            let i = at(rng, &c);
            let ch = if rng.below(2) == 0 {
                &alphabet[..OPERATORS]
            } else {
                &alphabet[..]
            };
            c.insert(i, *pick(rng, ch));
        }
        3..=4 if !c.is_empty() => {
            let i = rng.below(c.len());
            c.remove(i);
        }
        5 if !c.is_empty() => {
            let i = rng.below(c.len());
            c[i] = *pick(rng, &alphabet);
        }
        6 if !c.is_empty() => {
            // duplicate a short run in place
            let i = rng.below(c.len());
            let j = (i + 1 + rng.below(10)).min(c.len());
            let run: Vec<char> = c[i..j].to_vec();
            c.splice(j..j, run);
        }
        7 => {
            // a column name of the crab data at a random place
            let i = at(rng, &c);
            c.splice(i..i, pick(rng, &COLUMNS).chars());
        }
        8 => {
            // deep nesting around the right-hand side: parentheses, a function or signs
            let depth = 1 + rng.below(150);
            let s: String = c.iter().collect();
            let (lhs, rhs) = s.split_once('~').unwrap_or(("satell", &s));
            let (open, close) = match rng.below(4) {
                0 => ("(".repeat(depth), ")".repeat(depth)),
                1 => (format!("I({}", "exp(".repeat(depth)), ")".repeat(depth + 1)),
                2 => ("-".repeat(depth), String::new()),
                _ => ("I(".repeat(depth), ")".repeat(depth)),
            };
            return format!("{lhs}~{open}{rhs}{close}");
        }
        9 => {
            // a power of terms, whole or not, small or absurd
            let k = *pick(
                rng,
                &[
                    "2",
                    "3",
                    "100",
                    "101",
                    "1e9",
                    "1e300",
                    "0.5",
                    "0",
                    "-1",
                    "1e-300",
                    "99999999999",
                ],
            );
            let s: String = c.iter().collect();
            let (lhs, rhs) = s.split_once('~').unwrap_or(("satell", &s));
            return format!("{lhs}~({rhs})^{k}");
        }
        10 => {
            // a long sum: one term repeated, or distinct (unknown) columns
            let n = 1 + rng.below(3000);
            let s: String = c.iter().collect();
            let tail: String = if rng.below(4) > 0 {
                " + width".repeat(n)
            } else {
                (0..n).map(|k| format!(" + x{k}")).collect()
            };
            return format!("{s}{tail}");
        }
        _ => {
            // a long flat chain in arithmetic
            let n = 1 + rng.below(2000);
            let op = *pick(rng, &["+", "-", "*", "/"]);
            let chain = vec!["width"; n].join(op);
            let s: String = c.iter().collect();
            return format!("{s} + I({chain})");
        }
    }
    c.into_iter().collect()
}

/// Family and link for one case: defaults half the time, else a random choice (refused pairs
/// included).
fn options(rng: &mut Rng) -> RunOptions {
    let families = [
        None,
        Some(Family::Poisson),
        Some(Family::NegBin { theta: 1.0 }),
        Some(Family::QuasiPoisson),
        Some(Family::Gaussian),
        Some(Family::Gamma),
        Some(Family::Binomial),
    ];
    let links = [
        None,
        None,
        None,
        Some(Link::Log),
        Some(Link::Probit),
        Some(Link::Identity),
        Some(Link::Sqrt),
    ];
    RunOptions {
        family: *pick(rng, &families),
        link: *pick(rng, &links),
        profile: Some(rng.below(10) == 0),
        threads: Some(1),
        ..Default::default()
    }
}

/// What a case came to.
#[derive(Default, Debug)]
struct Tally {
    cases: usize,
    parsed: usize,
    fitted: usize,
    formula_errors: usize,
    data_errors: usize,
    other_errors: usize,
}

/// Checks an error: it names its place, and its message is bounded.
fn check_error(formula: &str, e: &GlmError, tally: &mut Tally) {
    let msg = e.to_string();
    assert!(!msg.is_empty(), "empty message for {formula:?}");
    // a message quotes at most ~60 characters of any one thing: a formula of thousands of
    // characters is not echoed whole
    assert!(
        msg.chars().count() < 1200,
        "a message of {} characters for a formula of {}: {}",
        msg.len(),
        formula.len(),
        msg.chars().take(400).collect::<String>()
    );
    match e {
        GlmError::Formula { pos, .. } => {
            assert!(
                *pos <= formula.chars().count(),
                "position {pos} past the end of {formula:?}"
            );
            assert!(msg.contains(&format!("at character {}", pos + 1)), "{msg}");
            tally.formula_errors += 1;
        }
        GlmError::Data(_) => {
            assert!(
                msg.contains("column") || msg.contains("line"),
                "a data error without its column: {msg}"
            );
            tally.data_errors += 1;
        }
        GlmError::Input(_) | GlmError::Argument(_) => {
            let at = e.location().expect("a located error");
            assert!(
                at.file.is_some() || at.argument.is_some(),
                "an input error without file or option: {msg}"
            );
            tally.data_errors += 1;
        }
        // model-level errors (an empty or singular design, a fit that breaks down): about the
        // whole model, not one place in it
        GlmError::Singular(_) | GlmError::NotConverged { .. } => tally.other_errors += 1,
    }
}

fn one_case(rng: &mut Rng, frame: &dimorph_data::Frame, tally: &mut Tally) {
    let mut f = pick(rng, &SEEDS).to_string();
    for _ in 0..1 + rng.below(2) {
        f = mutate(rng, &f);
    }
    let opts = options(rng);
    tally.cases += 1;
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let parsed = Formula::parse_for_columns(&f, &frame.names(), &[]);
        let fit = parsed.as_ref().ok().map(|_| run(frame, &f, None, &opts));
        (parsed.err(), fit)
    }));
    let (parse_err, fit) = match outcome {
        Ok(r) => r,
        Err(_) => panic!("panic on formula {f:?} with {opts:?}"),
    };
    if let Some(e) = parse_err {
        check_error(&f, &e, tally);
        return;
    }
    tally.parsed += 1;
    match fit {
        Some(Ok(o)) => {
            tally.fitted += 1;
            let d = o.result.fit.deviance;
            assert!(d.is_finite() && d >= 0.0, "deviance {d} for {f:?}");
        }
        Some(Err(e)) => check_error(&f, &e, tally),
        None => {}
    }
}

#[test]
fn mutated_formulas_never_panic_and_errors_name_their_place() {
    // DIMORPH_FUZZ_SEED and DIMORPH_FUZZ_CASES run other or longer series (the defaults are
    // what CI runs)
    let env = |k: &str, d: u64| std::env::var(k).ok().and_then(|v| v.parse().ok()).unwrap_or(d);
    let seed = env("DIMORPH_FUZZ_SEED", 20_140_514);
    let cases = env("DIMORPH_FUZZ_CASES", 2000) as usize;
    let frame = crabs();
    let mut rng = Rng::new(seed);
    let mut tally = Tally::default();
    for _ in 0..cases {
        one_case(&mut rng, &frame, &mut tally);
    }
    eprintln!("formula mutation (seed {seed}): {tally:?}");
    assert_eq!(tally.cases, cases);
    // the run exercises both sides: formulas that fit and formulas that are refused
    assert!(
        tally.fitted > 100 && tally.formula_errors > 100 && tally.data_errors > 100,
        "{tally:?}"
    );
}
