//! Seeded, cross-engine mutation harness through the real `dimorph` binary (issue 14, "The project
//! tests itself"). See `tests/fuzz/README.md` for what it mutates, what it asserts and how to
//! reproduce a finding.
//!
//! Every subcommand but `bagnet` (fuzzed in its own crate) gets cases made from the bundled files in
//! `data/` (copied into a case folder and mutated: lines deleted, duplicated, swapped; a cell replaced
//! by -1, 0, ±1e308, NaN, Inf, text, nothing, a 10 kB string, quotes, commas, semicolons, NUL bytes;
//! the file truncated mid-line; the header changed; the file emptied or cut to its header), from the
//! README's formulas (characters inserted, deleted, duplicated; deep nesting; huge exponents; long
//! sums; unknown functions and columns) and from every numeric and choice option of the subcommand
//! (negative, 0, ±1e308, inf, nan, empty, text, huge integers, and valid values in odd combinations).
//!
//! Each case runs under a time limit and (on Linux) an address-space limit, and must: not die by a
//! signal, a panic (101) or an abort (134); exit 0 or 2; on exit 2 print one `error:` line naming a
//! file, line, column, formula position or option, quoting no 10 kB cell; on exit 0 print a JSON
//! envelope that parses (for `--format json`), text or CSV without NaN/inf unless a warning says why,
//! no 300-digit numbers, and write nothing outside `--out` (and nothing into `--out` on failure).
//!
//! Environment: `DIMORPH_FUZZ_CASES` (total cases, default 600), `DIMORPH_FUZZ_SEED` (default 14),
//! `DIMORPH_FUZZ_TIMEOUT` (seconds per case, default 20), `DIMORPH_FUZZ_MEM_MB` (address-space cap,
//! default 2048, 0 = none), `DIMORPH_FUZZ_JOBS` (cases at a time, default: the cores, at most 4),
//! `DIMORPH_FUZZ_ONLY=glm:17` (one case), `DIMORPH_FUZZ_VERBOSE=1` (a line per case). Findings are kept under `target/fuzz-findings/seed-S/`.

use dimorph_core::Rng;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

/// How many cases, which seed, and the limits of one case.
struct Config {
    seed: u64,
    cases: usize,
    timeout: Duration,
    mem_mb: u64,
    jobs: usize,
    only: Option<(String, usize)>,
    verbose: bool,
}

fn env_num(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}: expected a whole number, got '{v}'")),
        Err(_) => default,
    }
}

fn config() -> Config {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let only = std::env::var("DIMORPH_FUZZ_ONLY").ok().map(|v| {
        let (s, i) = v
            .split_once(':')
            .unwrap_or_else(|| panic!("DIMORPH_FUZZ_ONLY: expected SUB:INDEX, got '{v}'"));
        (s.to_string(), i.parse().expect("DIMORPH_FUZZ_ONLY: index"))
    });
    Config {
        seed: env_num("DIMORPH_FUZZ_SEED", 14),
        cases: env_num("DIMORPH_FUZZ_CASES", 600) as usize,
        timeout: Duration::from_secs(env_num("DIMORPH_FUZZ_TIMEOUT", 20)),
        mem_mb: env_num("DIMORPH_FUZZ_MEM_MB", 2048),
        jobs: env_num("DIMORPH_FUZZ_JOBS", cores.min(4) as u64).max(1) as usize,
        only,
        verbose: std::env::var_os("DIMORPH_FUZZ_VERBOSE").is_some(),
    }
}

// ---------------------------------------------------------------------------------------------
// Subcommands and their options
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Sub {
    Glm,
    Table,
    Compare,
    Estimate,
    Partition,
    Verify,
    Age,
    Lifetable,
    Decompose,
    Lifelost,
    Embed,
}

/// Every fuzzed subcommand and its share of the cases (weights; scaled to `DIMORPH_FUZZ_CASES`).
const SUBS: [(Sub, usize); 11] = [
    (Sub::Glm, 150),
    (Sub::Table, 35),
    (Sub::Compare, 35),
    (Sub::Estimate, 60),
    (Sub::Partition, 45),
    (Sub::Verify, 30),
    (Sub::Age, 30),
    (Sub::Lifetable, 60),
    (Sub::Decompose, 35),
    (Sub::Lifelost, 35),
    (Sub::Embed, 60),
];

impl Sub {
    fn name(self) -> &'static str {
        match self {
            Sub::Glm => "glm",
            Sub::Table => "refint-table",
            Sub::Compare => "refint-compare",
            Sub::Estimate => "refint-estimate",
            Sub::Partition => "refint-partition",
            Sub::Verify => "refint-verify",
            Sub::Age => "refint-age",
            Sub::Lifetable => "lifetable",
            Sub::Decompose => "lifetable-decompose",
            Sub::Lifelost => "lifelost",
            Sub::Embed => "embed",
        }
    }

    fn words(self) -> &'static [&'static str] {
        match self {
            Sub::Glm => &["glm"],
            Sub::Table => &["refint", "table"],
            Sub::Compare => &["refint", "compare"],
            Sub::Estimate => &["refint", "estimate"],
            Sub::Partition => &["refint", "partition"],
            Sub::Verify => &["refint", "verify"],
            Sub::Age => &["refint", "age"],
            Sub::Lifetable => &["lifetable"],
            Sub::Decompose => &["lifetable", "decompose"],
            Sub::Lifelost => &["lifelost"],
            Sub::Embed => &["embed"],
        }
    }

    /// The envelope's `command`.
    fn command(self) -> String {
        self.words().join(" ")
    }

    fn options(self) -> &'static [Opt] {
        match self {
            Sub::Glm => GLM_OPTS,
            Sub::Table => TABLE_OPTS,
            Sub::Compare => COMPARE_OPTS,
            Sub::Estimate => ESTIMATE_OPTS,
            Sub::Partition => PARTITION_OPTS,
            Sub::Verify => VERIFY_OPTS,
            Sub::Age => AGE_OPTS,
            Sub::Lifetable => LIFETABLE_OPTS,
            Sub::Decompose => DECOMPOSE_OPTS,
            Sub::Lifelost => LIFELOST_OPTS,
            Sub::Embed => EMBED_OPTS,
        }
    }
}

/// What kind of value an option takes (decides the hostile values tried).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ty {
    Float,
    Int,
    Choice,
    Link,
    Pair,
    Column,
    Text,
    Flag,
    Start,
    Cluster,
    Features,
    /// `--years` lists and ranges
    Years,
    /// `--delimiter` / `--decimal` characters
    Char,
    /// `--where COLUMN=VALUE`
    Where,
    /// a GLM formula for `--anova`
    Formula,
    /// an output file (`--tidy`)
    OutFile,
}

/// One option of a subcommand as `dimorph <cmd> --help` lists it, with a few valid values.
struct Opt {
    flag: &'static str,
    ty: Ty,
    valid: &'static [&'static str],
    repeat: bool,
}

const fn o(flag: &'static str, ty: Ty, valid: &'static [&'static str]) -> Opt {
    Opt {
        flag,
        ty,
        valid,
        repeat: false,
    }
}

const fn rep(flag: &'static str, ty: Ty, valid: &'static [&'static str]) -> Opt {
    Opt {
        flag,
        ty,
        valid,
        repeat: true,
    }
}

const FORMATS: &[&str] = &["text", "json", "csv"];
const ASSUMPTIONS: &[&str] = &["lognormal", "normal"];
const METHODS: &[&str] = &["direct", "parametric", "robust", "reflim"];
const TRANSFORMS: &[&str] = &["normal", "lognormal", "boxcox"];
const Z: &[&str] = &["1.28", "1.64", "1.96", "0.5", "3"];

const GLM_OPTS: &[Opt] = &[
    o(
        "--family",
        Ty::Choice,
        &[
            "binomial",
            "poisson",
            "gaussian",
            "gamma",
            "inverse-gaussian",
            "negbin",
            "quasibinomial",
            "quasipoisson",
        ],
    ),
    o(
        "--link",
        Ty::Link,
        &[
            "identity",
            "log",
            "logit",
            "probit",
            "cloglog",
            "loglog",
            "inverse",
            "inverse-square",
            "sqrt",
            "power(0.5)",
            "power(2)",
            "power(0)",
        ],
    ),
    o("--weights", Ty::Column, &[]),
    o("--freq", Ty::Column, &[]),
    o("--theta", Ty::Float, &["1", "5", "0.5", "100"]),
    o("--dispersion", Ty::Choice, &["default", "fixed", "pearson", "deviance"]),
    o("--level", Ty::Float, &["0.9", "0.99", "0.5", "0.999999"]),
    o("--binwidth", Ty::Float, &["0", "0.01", "0.5", "1"]),
    o("--tol", Ty::Float, &["1e-6", "1e-12", "0.1"]),
    o("--max-iter", Ty::Int, &["1", "2", "100"]),
    o("--start", Ty::Start, &["0,0", "0,0,0"]),
    o("--threads", Ty::Int, &["1", "2", "3"]),
    o("--no-profile", Ty::Flag, &[]),
    o("--no-singular", Ty::Flag, &[]),
    o("--residuals", Ty::Flag, &[]),
    o("--robust", Ty::Choice, &["hc0", "hc1", "hc2", "hc3"]),
    o("--cluster", Ty::Column, &["color", "district", "spine"]),
    o("--event", Ty::Text, &["0", "1", "yes"]),
    rep(
        "--anova",
        Ty::Formula,
        &["satell ~ 1", "satell ~ width", "weight ~ width"],
    ),
    o("--stream", Ty::Flag, &[]),
    o("--gee", Ty::Flag, &[]),
    o("--id", Ty::Column, &["color", "spine", "district", "w"]),
    o(
        "--corstr",
        Ty::Choice,
        &["independence", "exchangeable", "ar1", "unstructured"],
    ),
    o("--waves", Ty::Column, &["spine", "age", "color"]),
    o("--format", Ty::Choice, FORMATS),
];

const TABLE_OPTS: &[Opt] = &[
    o("--z", Ty::Float, Z),
    o("--bias", Ty::Flag, &[]),
    o("--assumption", Ty::Choice, ASSUMPTIONS),
    o("--format", Ty::Choice, FORMATS),
];

const COMPARE_OPTS: &[Opt] = &[
    o("--a", Ty::Pair, &["50,104", "10,35", "1.15,1.45"]),
    rep("--b", Ty::Pair, &["45,88", "52,110", "10,37", "51,106"]),
    o("--z", Ty::Float, Z),
    o("--bias", Ty::Flag, &[]),
    o("--assumption", Ty::Choice, ASSUMPTIONS),
    o("--format", Ty::Choice, FORMATS),
];

/// What `refint estimate`, `partition`, `verify` and `age` read the data with.
const DELIMS: &[&str] = &[",", ";", "tab", "|"];
const DECIMALS: &[&str] = &[".", ","];
const WHERES: &[&str] = &["Sex=f", "Sex=m", "Ward=ICU", "Sex=zz"];

const ESTIMATE_OPTS: &[Opt] = &[
    rep("--value", Ty::Column, &["ALT,AST", "ALT", "CREA,ALB"]),
    o("--delimiter", Ty::Char, DELIMS),
    o("--decimal", Ty::Char, DECIMALS),
    o("--sheet", Ty::Text, &["lab", "Sheet1"]),
    rep("--where", Ty::Where, WHERES),
    o("--by", Ty::Column, &[]),
    o("--method", Ty::Choice, METHODS),
    o("--transform", Ty::Choice, TRANSFORMS),
    o("--seed", Ty::Int, &["1", "0", "42"]),
    o("--targets", Ty::Pair, &["41,88", "35,53", "10,35"]),
    o("--format", Ty::Choice, FORMATS),
];

const VERIFY_OPTS: &[Opt] = &[
    o("--value", Ty::Column, &[]),
    o("--limits", Ty::Pair, &["10,40", "35,50", "60,110", "0,1000"]),
    o("--mode", Ty::Choice, &["transference", "routine"]),
    o("--delimiter", Ty::Char, DELIMS),
    o("--decimal", Ty::Char, DECIMALS),
    o("--sheet", Ty::Text, &["lab"]),
    rep("--where", Ty::Where, WHERES),
    o("--method", Ty::Choice, METHODS),
    o("--seed", Ty::Int, &["1", "0", "42"]),
    o("--z", Ty::Float, Z),
    o("--format", Ty::Choice, FORMATS),
];

const AGE_OPTS: &[Opt] = &[
    o("--value", Ty::Column, &[]),
    o("--age", Ty::Column, &["Age"]),
    o("--by", Ty::Column, &["Sex"]),
    o("--window", Ty::Float, &["20", "10", "5", "100", "0.5"]),
    o("--step", Ty::Float, &["10", "5", "20", "0.1"]),
    rep("--where", Ty::Where, WHERES),
    o("--method", Ty::Choice, METHODS),
    o("--format", Ty::Choice, FORMATS),
];

const PARTITION_OPTS: &[Opt] = &[
    o("--value", Ty::Column, &[]),
    o("--delimiter", Ty::Char, DELIMS),
    o("--decimal", Ty::Char, DECIMALS),
    rep("--where", Ty::Where, WHERES),
    o("--by", Ty::Column, &[]),
    o("--method", Ty::Choice, METHODS),
    o("--transform", Ty::Choice, TRANSFORMS),
    o("--seed", Ty::Int, &["1", "0", "42"]),
    o("--z", Ty::Float, Z),
    o("--bias", Ty::Flag, &[]),
    o("--assumption", Ty::Choice, ASSUMPTIONS),
    o("--format", Ty::Choice, FORMATS),
];

const LIFETABLE_OPTS: &[Opt] = &[
    o("--year", Ty::Int, &["2009", "2010", "2011", "1933"]),
    o("--sex", Ty::Choice, &["female", "male", "total"]),
    o("--no-smooth", Ty::Flag, &[]),
    o("--constant-hazard", Ty::Flag, &[]),
    o("--radix", Ty::Float, &["1", "1000", "1e6", "0.5"]),
    o("--years", Ty::Years, YEARS),
    o("--ci", Ty::Float, CIS),
    o("--draws", Ty::Int, DRAWS),
    o("--seed", Ty::Int, &["1", "7"]),
    o("--open-age", Ty::Float, &["85", "100", "110", "0"]),
    o("--tidy", Ty::OutFile, TIDY),
    o("--format", Ty::Choice, FORMATS),
];

const YEARS: &[&str] = &["2009-2011", "2009,2011", "1933,2010", "2010", "2009-2010"];
const CIS: &[&str] = &["0.95", "0.9", "0.8"];
const DRAWS: &[&str] = &["0", "10", "50", "2"];
const TIDY: &[&str] = &["@IN@/t.parquet", "@IN@/t.csv"];

const DECOMPOSE_OPTS: &[Opt] = &[
    o("--year", Ty::Int, &["2009", "2010", "2011", "1933"]),
    o("--vs-year", Ty::Int, &["1933", "2009", "2011"]),
    o("--sex", Ty::Choice, &["female", "male", "total"]),
    o("--vs-sex", Ty::Choice, &["female", "male"]),
    o("--from-age", Ty::Float, &["0", "65", "110", "50.5"]),
    o("--steps", Ty::Int, &["1", "2", "10", "100"]),
    o("--group-column", Ty::Column, &["paper_group", "cause_id"]),
    o("--cause-shares", Ty::Choice, &["age", "paper"]),
    o("--years", Ty::Years, YEARS),
    o("--tidy", Ty::OutFile, TIDY),
    o("--ci", Ty::Float, CIS),
    o("--draws", Ty::Int, DRAWS),
    o("--no-smooth", Ty::Flag, &[]),
    o("--format", Ty::Choice, FORMATS),
];

const LIFELOST_OPTS: &[Opt] = &[
    o("--year", Ty::Int, &["2009", "2010", "2011"]),
    o(
        "--group-column",
        Ty::Column,
        &["paper_group", "cause_id", "paper_group_documented"],
    ),
    o(
        "--cause",
        Ty::Text,
        &["Cardiovascular", "Cancer", "Infectious", "Infant", "Other", "A00-B99"],
    ),
    o("--sex", Ty::Choice, &["female", "male", "both"]),
    o("--discretisation", Ty::Choice, &["continuous", "paper"]),
    o("--save-at", Ty::Choice, &["mean", "exact"]),
    o("--cause-shares", Ty::Choice, &["age", "paper"]),
    o("--keep-cause", Ty::Flag, &[]),
    o("--stationary", Ty::Flag, &[]),
    o("--percent", Ty::Flag, &[]),
    o("--no-smooth", Ty::Flag, &[]),
    o("--constant-hazard", Ty::Flag, &[]),
    o("--radix", Ty::Float, &["1", "1000", "1e6"]),
    o("--years", Ty::Years, YEARS),
    o("--ci", Ty::Float, CIS),
    o("--draws", Ty::Int, DRAWS),
    o("--tidy", Ty::OutFile, TIDY),
    o("--format", Ty::Choice, FORMATS),
];

const EMBED_OPTS: &[Opt] = &[
    o("--features", Ty::Features, &["p*", "p0_*", "p?_?", "p1_*,p2_*"]),
    o("--affinity", Ty::Choice, &["uniform", "gaussian"]),
    o("--knn", Ty::Int, &["1", "5", "30", "149"]),
    o("--perplexity", Ty::Float, &["2", "5", "30", "49"]),
    o("--alpha", Ty::Float, &["0.5", "1", "2", "100"]),
    o("--init", Ty::Choice, &["pca", "random"]),
    o("--knn-method", Ty::Choice, &["auto", "exact", "approx"]),
    o("--pca-dims", Ty::Int, &["1", "2", "10"]),
    o("--gradient", Ty::Choice, &["auto", "exact", "fft"]),
    o("--iter", Ty::Int, &["0", "1", "10", "40"]),
    o("--early-iter", Ty::Int, &["0", "1", "10"]),
    o("--exaggeration", Ty::Float, &["1", "4", "12", "50"]),
    o("--late-exaggeration", Ty::Float, &["1", "2", "4"]),
    o("--knn-recall", Ty::Float, &["0.9", "0.5", "1"]),
    o("--learning-rate", Ty::Float, &["1", "10", "200", "1e4"]),
    o("--seed", Ty::Int, &["0", "1", "7"]),
    o("--threads", Ty::Int, &["1", "2", "3"]),
    o("--color", Ty::Column, &["digit", "p3_3"]),
    o("--class", Ty::Column, &["digit"]),
    rep("--id", Ty::Column, &["digit"]),
    rep("--cluster", Ty::Cluster, &["a=0,0,20", "b=1,1,5"]),
    o("--exemplars", Ty::Int, &["0", "1", "3"]),
    o("--max-plot-points", Ty::Int, &["0", "1", "10"]),
    o("--parquet", Ty::Flag, &[]),
    o("--quiet", Ty::Flag, &[]),
    o("--format", Ty::Choice, FORMATS),
];

// ---------------------------------------------------------------------------------------------
// Hostile values
// ---------------------------------------------------------------------------------------------

/// Stands for a 10 kB string of letters in the value lists below.
const BIG: &str = "@BIG@";
/// Stands for a 10 kB string of digits (a number that overflows to infinity when parsed).
const BIGNUM: &str = "@BIGNUM@";

fn expand(v: &str) -> String {
    v.replace(BIG, &"x".repeat(10_000)).replace(BIGNUM, &"9".repeat(10_000))
}

const FLOATS: &[&str] = &[
    "-1",
    "0",
    "1",
    "-0",
    "1e308",
    "-1e308",
    "inf",
    "-inf",
    "nan",
    "NaN",
    "",
    "text",
    "1e-320",
    "4294967296",
    "99999999999999999999999",
    "0.5",
    "2",
    "-1e-9",
    "1e9",
    "0x10",
    "1,5",
    " 1",
    "+1",
    BIGNUM,
];

const INTS: &[&str] = &[
    "-1",
    "0",
    "1",
    "2",
    "4294967296",
    "18446744073709551615",
    "18446744073709551616",
    "9223372036854775807",
    "99999999999999999999999",
    "2147483647",
    "-2147483649",
    "1e3",
    "1.5",
    "",
    "text",
    "nan",
    BIGNUM,
];

const CHOICES: &[&str] = &["", "text", "NONE", " ", "none", "1", "auto", "0", BIG];

const LINKS: &[&str] = &[
    "power(-1)",
    "power(inf)",
    "power(nan)",
    "power(1e308)",
    "power(-1e308)",
    "power(",
    "power()",
    "power(x)",
    "power(0.5",
    "power(1e-320)",
];

const PAIRS: &[&str] = &[
    "1,2",
    "0,1",
    "-1,1",
    "104,50",
    "5,5",
    "0,0",
    "1e308,1e308",
    "-1e308,1e308",
    "nan,1",
    "1,nan",
    "inf,inf",
    "1,inf",
    "1",
    "1,2,3",
    "",
    "a,b",
    ",",
    "1e-300,1e300",
    "-5,-1",
    " 1 , 2 ",
    "1e-320,1",
];

/// Hostile `--years`: reversed, beyond f64/i32, 10,000 years, malformed.
const YEARS_BAD: &[&str] = &[
    "1e9-1e10",
    "2019-1933",
    "2011-2009",
    "1-10000",
    "-10000-10000",
    "1933-2011",
    "2147483647-2147483648",
    "99999999999-999999999999",
    "2010-",
    "-",
    "2010,,2011",
    "2010,2010",
    "",
    "a-b",
    "nan",
    BIG,
];

const CHARS_BAD: &[&str] = &["", ";;", "\"", "\\n", "é", "a", "0", " ", "tabs", BIG];

const WHERES_BAD: &[&str] = &[
    "Sex",
    "=f",
    "Sex=",
    "nope=1",
    "Sex==f",
    "Sex=f=m",
    "@BIG@=1",
    "Sex=@BIG@",
    "=",
    "-1=-1",
];

const FORMULAS_BAD: &[&str] = &[
    "",
    "~",
    "satell ~",
    "~ width",
    "zzz ~ width",
    "satell ~ zzz",
    "satell ~ (((",
    "satell ~ width^1e9",
    "y ~ 1",
    "satell ~ width + width",
    BIG,
];

const TIDY_BAD: &[&str] = &["@IN@", "@IN@/no/such/dir/t.csv", "@IN@/t.xlsx", "@IN@/", ""];

const TEXTS: &[&str] = &["", "nope", "NaN", "inf", " ", "a,b", "\"", "é", BIG];

const STARTS: &[&str] = &[
    "0",
    "0,0",
    "0,0,0",
    "1e308,1e308",
    "-1e308,1e308",
    "nan,nan",
    "inf,0",
    "",
    "a",
    "0,",
    ",",
    "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0",
    "100,100",
];

const CLUSTERS: &[&str] = &[
    "a=nan,0,1",
    "a=0,0,-1",
    "=0,0,1",
    "a=0,0,1e308",
    "a=1,2",
    "a=0,0,0",
    "a",
    "a=",
    "a=inf,inf,inf",
    "a=1e308,-1e308,1",
    "a=0,0,1,1",
    "@BIG@=0,0,1",
];

const FEATURES: &[&str] = &[
    "zzz", "*", "digit", "", "p?_?", "[", "p*,digit", "p1_1", "p*,p*", ",", "**", BIG,
];

/// Cell values planted into data files.
const CELLS: &[&str] = &[
    "-1",
    "0",
    "1",
    "1e308",
    "-1e308",
    "NaN",
    "nan",
    "Inf",
    "-Inf",
    "inf",
    "infinity",
    "text",
    "",
    "NA",
    ".",
    "\"\"",
    "\"",
    "\"a,b\"",
    ",",
    ";",
    "\0",
    "1e-320",
    "99999999999999999999",
    "-0",
    "0x1A",
    "1,5",
    " 7 ",
    "é",
    "110+",
    "-5+",
    "2147483648",
    "1.5",
    "1e400",
    "\t",
    BIG,
    BIGNUM,
];

/// Bytes inserted at random places of a file.
const JUNK: &[&[u8]] = &[
    b"\"",
    b",",
    b";",
    b"\0",
    b"\r",
    "\u{feff}".as_bytes(),
    &[0xff, 0xfe],
    b"\n",
    b"\"\"\"",
    b"\t",
    b"\\",
    b"\n\n\n",
];

fn pick<'a, T>(rng: &mut Rng, v: &'a [T]) -> &'a T {
    &v[rng.below(v.len())]
}

fn pick_str<'a>(rng: &mut Rng, v: &[&'a str]) -> &'a str {
    v[rng.below(v.len())]
}

fn chance(rng: &mut Rng, p: f64) -> bool {
    rng.uniform() < p
}

/// A short, printable form of a value for the list of mutations.
fn show(v: &str) -> String {
    let mut s: String = v.chars().take(40).collect::<String>().escape_debug().to_string();
    if v.chars().count() > 40 {
        s.push_str(&format!("…({} bytes)", v.len()));
    }
    format!("'{s}'")
}

// ---------------------------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------------------------

/// How a file's lines split into cells.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Csv,
    Hmd,
}

impl Kind {
    /// Lines before the first data row.
    fn header_lines(self) -> usize {
        match self {
            Kind::Csv => 1,
            Kind::Hmd => 3,
        }
    }
}

/// One input file of a case: its path inside the case's input folder and its bytes.
#[derive(Clone)]
struct File {
    rel: String,
    bytes: Vec<u8>,
    kind: Kind,
}

/// One generated case: the command line (input paths start with `@IN@/`) and its input files.
struct Case {
    sub: Sub,
    index: usize,
    opts: Vec<(String, Option<String>)>,
    formula: Option<String>,
    files: Vec<File>,
    /// What was mutated, in words.
    steps: Vec<String>,
    /// Text planted where text is legitimate (labels, names, option text): excused in outputs.
    planted: Vec<String>,
    /// Every value the mutations put in (cells, option values): an error may quote them.
    injected: Vec<String>,
    /// Columns of the main data file (values for column options).
    columns: Vec<String>,
    out: bool,
}

const IN: &str = "@IN@";

impl Case {
    fn new(sub: Sub, index: usize) -> Case {
        Case {
            sub,
            index,
            opts: Vec::new(),
            formula: None,
            files: Vec::new(),
            steps: Vec::new(),
            planted: Vec::new(),
            injected: Vec::new(),
            columns: Vec::new(),
            out: false,
        }
    }

    fn id(&self) -> String {
        format!("{}:{}", self.sub.name(), self.index)
    }

    fn set(&mut self, flag: &str, value: Option<&str>) {
        let value = value.map(str::to_string);
        match self.opts.iter_mut().find(|(f, _)| f == flag) {
            Some(slot) => slot.1 = value,
            None => self.opts.push((flag.to_string(), value)),
        }
    }

    fn has(&self, flag: &str) -> bool {
        self.opts.iter().any(|(f, _)| f == flag)
    }

    /// Adds a file and returns the option value naming it.
    fn file(&mut self, rel: &str, bytes: &[u8], kind: Kind) -> String {
        self.files.push(File {
            rel: rel.to_string(),
            bytes: bytes.to_vec(),
            kind,
        });
        format!("{IN}/{rel}")
    }

    /// The command line with the input folder `inp` and the output folder `out`.
    fn args(&self, inp: &Path, out: &Path) -> Vec<String> {
        let inp = inp.display().to_string();
        let mut a: Vec<String> = self.sub.words().iter().map(|s| s.to_string()).collect();
        for (flag, v) in &self.opts {
            a.push(flag.clone());
            if let Some(v) = v {
                a.push(expand(v).replace(IN, &inp));
            }
        }
        if self.out {
            a.push("--out".into());
            a.push(out.display().to_string());
        }
        if let Some(f) = &self.formula {
            if f.starts_with('-') {
                a.push("--".into());
            }
            a.push(f.clone());
        }
        a
    }
}

/// The bundled files the cases start from.
struct Base {
    files: BTreeMap<&'static str, Vec<u8>>,
}

impl Base {
    fn load() -> Base {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
        let read = |p: &str| std::fs::read(data.join(p)).unwrap_or_else(|e| panic!("data/{p}: {e}"));
        let mut files = BTreeMap::new();
        for name in [
            "crabs.csv",
            "crabs_weighted.csv",
            "insurance.csv",
            "snoring.csv",
            "refint/haeckel2016_table1.csv",
            "refint/reflimr_livertests.csv",
            "refint/referenceintervals_set20.csv",
            "refint/referenceintervals_set50.csv",
            "refint/referenceintervals_set120.csv",
            "refint/referenceintervals_set200.csv",
            "usa_2010_cod.csv",
        ] {
            files.insert(name, read(name));
        }
        let deaths = trim_hmd(&read("hmd/USA/USA.Deaths_1x1.txt"));
        let exposures = trim_hmd(&read("hmd/USA/USA.Exposures_1x1.txt"));
        files.insert("tidy", tidy_from_hmd(&deaths, &exposures));
        files.insert("deaths", deaths);
        files.insert("exposures", exposures);
        // The first 150 digits: a t-SNE of a few iterations takes a fraction of a second.
        // refint's routine-export fixtures: a ';'/decimal-comma CSV and an .xlsx workbook
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../dimorph-refint/tests/fixtures");
        for (key, name) in [("semicolon", "routine_semicolon.csv"), ("xlsx", "routine.xlsx")] {
            let bytes = std::fs::read(fixtures.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
            files.insert(key, bytes);
        }
        // an age schedule for lifelost --schedule (fertility-like, ages 15-49)
        let schedule: String = std::iter::once("age,asfr\n".to_string())
            .chain((15..50).map(|a| format!("{a},{:.4}\n", 0.1 * (-(a as f64 - 30.0).powi(2) / 50.0).exp())))
            .collect();
        files.insert("schedule", schedule.into_bytes());
        let digits = read("embed/digits.csv");
        let small: Vec<&[u8]> = digits.split(|&c| c == b'\n').take(151).collect();
        files.insert("digits", [small.join(&b'\n'), b"\n".to_vec()].concat());
        Base { files }
    }

    fn get(&self, name: &str) -> &[u8] {
        &self.files[name]
    }
}

/// The HMD file's three title/header lines and the years 1933 and 2009–2011.
fn trim_hmd(bytes: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    for (i, l) in text.lines().enumerate() {
        let year = l.split_whitespace().next().and_then(|y| y.parse::<i32>().ok());
        if i < 3 || matches!(year, Some(1933 | 2009..=2011)) {
            out.push_str(l);
            out.push('\n');
        }
    }
    out.into_bytes()
}

/// A tidy `year, sex, age, deaths, exposure, open_interval` CSV of the HMD years.
fn tidy_from_hmd(deaths: &[u8], exposures: &[u8]) -> Vec<u8> {
    let d = String::from_utf8_lossy(deaths);
    let e = String::from_utf8_lossy(exposures);
    let mut out = String::from("year,sex,age,deaths,exposure,open_interval\n");
    for (dl, el) in d.lines().zip(e.lines()).skip(3) {
        let dc: Vec<&str> = dl.split_whitespace().collect();
        let ec: Vec<&str> = el.split_whitespace().collect();
        if dc.len() < 5 || ec.len() < 5 || !matches!(dc[0], "2009" | "2010" | "2011") {
            continue;
        }
        let open = u8::from(dc[1].ends_with('+'));
        for (sex, k) in [("female", 2), ("male", 3)] {
            out.push_str(&format!("{},{sex},{},{},{},{open}\n", dc[0], dc[1], dc[k], ec[k]));
        }
    }
    out.into_bytes()
}

/// Header cells of a CSV file.
fn csv_columns(bytes: &[u8]) -> Vec<String> {
    let first = bytes.split(|&c| c == b'\n').next().unwrap_or(&[]);
    String::from_utf8_lossy(first)
        .trim_end()
        .split(',')
        .map(|c| c.trim_matches('"').to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Scenarios: the valid command each case starts from
// ---------------------------------------------------------------------------------------------

type GlmBase = (&'static str, &'static str, &'static [(&'static str, &'static str)]);

/// The README's GLM examples and a few more on the bundled files.
const GLM_BASES: &[GlmBase] = &[
    ("crabs.csv", "satell ~ width", &[("--family", "poisson")]),
    (
        "crabs.csv",
        "satell ~ width + I(width^2)",
        &[("--family", "poisson"), ("--link", "log")],
    ),
    ("crabs.csv", "satell ~ width", &[("--family", "negbin")]),
    ("crabs.csv", "weight ~ C(color) + width*spine", &[]),
    ("crabs.csv", "weight ~ (width + spine)^2", &[("--family", "gamma")]),
    (
        "snoring.csv",
        "disease/total ~ snoring",
        &[("--family", "binomial"), ("--link", "identity")],
    ),
    (
        "snoring.csv",
        "cbind(disease, total - disease) ~ snoring",
        &[("--link", "probit")],
    ),
    (
        "insurance.csv",
        "claims ~ C(district) + C(group, ref=4) + C(age) + offset(log(holders))",
        &[("--family", "poisson")],
    ),
    (
        "crabs_weighted.csv",
        "y ~ width",
        &[("--family", "binomial"), ("--freq", "w")],
    ),
    (
        "crabs_weighted.csv",
        "satell ~ width + log(weight)",
        &[("--family", "quasipoisson"), ("--weights", "w")],
    ),
];

fn scenario(base: &Base, rng: &mut Rng, sub: Sub, index: usize) -> Case {
    let mut c = Case::new(sub, index);
    match sub {
        Sub::Glm => {
            let (file, formula, opts) = *pick(rng, GLM_BASES);
            let v = c.file(file, base.get(file), Kind::Csv);
            c.set("--data", Some(&v));
            for (f, v) in opts {
                c.set(f, Some(v));
            }
            c.formula = Some(formula.to_string());
            c.columns = csv_columns(base.get(file));
            if chance(rng, 0.2) {
                // GEE: clusters by a column of the base file (or one it lacks)
                c.set("--gee", None);
                c.set("--id", Some(*pick(rng, &["color", "spine", "district", "age"])));
                c.opts
                    .retain(|(f, v)| f != "--freq" && !(f == "--family" && v.as_deref() == Some("negbin")));
            }
        }
        Sub::Table => {
            let v = c.file("table1.csv", base.get("refint/haeckel2016_table1.csv"), Kind::Csv);
            c.set("--data", Some(&v));
            c.columns = csv_columns(base.get("refint/haeckel2016_table1.csv"));
        }
        Sub::Compare => {
            let (a, bs): (&str, &[&str]) = *pick(
                rng,
                &[
                    ("50,104", &["45,88"][..]),
                    ("10,35", &["10,37"]),
                    ("50,104", &["45,88", "52,110"]),
                    ("50,104", &["51,106", "52,125"]),
                ],
            );
            c.set("--a", Some(a));
            for b in bs {
                c.opts.push(("--b".into(), Some(b.to_string())));
            }
        }
        Sub::Estimate | Sub::Partition | Sub::Verify | Sub::Age => refint_data_scenario(base, rng, &mut c),
        Sub::Lifetable => {
            lifetable_source(base, rng, &mut c, true);
            if chance(rng, 0.25) {
                c.set("--years", Some(*pick(rng, &["2009-2011", "2009,2011"])));
                if chance(rng, 0.5) {
                    c.set("--ci", Some("0.95"));
                    c.set("--draws", Some("20"));
                }
            } else {
                c.set("--year", Some(*pick(rng, &["2009", "2010", "2011"])));
            }
            c.set("--sex", Some(*pick(rng, &["female", "male", "total"])));
        }
        Sub::Decompose => {
            lifetable_source(base, rng, &mut c, false);
            c.set("--year", Some("2010"));
            if chance(rng, 0.4) {
                c.set("--vs-year", Some(*pick(rng, &["1933", "2009"])));
            }
            if chance(rng, 0.5) {
                let v = c.file("causes.csv", base.get("usa_2010_cod.csv"), Kind::Csv);
                c.set("--causes", Some(&v));
                c.columns = csv_columns(base.get("usa_2010_cod.csv"));
            }
        }
        Sub::Lifelost => {
            lifetable_source(base, rng, &mut c, false);
            c.set("--year", Some("2010"));
            if chance(rng, 0.8) {
                let v = c.file("causes.csv", base.get("usa_2010_cod.csv"), Kind::Csv);
                c.set("--causes", Some(&v));
                c.columns = csv_columns(base.get("usa_2010_cod.csv"));
                if chance(rng, 0.5) {
                    c.set("--cause", Some(*pick(rng, &["Cardiovascular", "Cancer", "External"])));
                }
            }
            if chance(rng, 0.25) {
                let v = c.file("schedule.csv", base.get("schedule"), Kind::Csv);
                c.set("--schedule", Some(&v));
            } else if chance(rng, 0.15) {
                c.set("--years", Some("2009-2011"));
                c.opts.retain(|(f, _)| f != "--year");
            }
        }
        Sub::Embed => {
            let v = c.file("digits.csv", base.get("digits"), Kind::Csv);
            c.set("--data", Some(&v));
            c.set("--features", Some("p*"));
            c.set("--iter", Some("25"));
            c.set("--early-iter", Some("15"));
            c.set("--quiet", None);
            c.columns = csv_columns(base.get("digits"));
            if chance(rng, 0.3) {
                c.set("--class", Some("digit"));
                c.set("--cluster", Some("a=0,0,20"));
            }
        }
    }
    let format = *pick(rng, &["json", "json", "text", "text", "csv"]);
    c.set("--format", Some(format));
    c.out = chance(rng, 0.15);
    c
}

fn refint_data_scenario(base: &Base, rng: &mut Rng, c: &mut Case) {
    let partition = c.sub == Sub::Partition;
    let analytes = ["CREA", "ALB", "ALT", "AST", "BIL", "CHE", "GGT", "PROT"];
    let routine = !matches!(c.sub, Sub::Partition | Sub::Age) && chance(rng, 0.3);
    if routine {
        // a laboratory's routine export: ';' and decimal commas, or an .xlsx workbook
        if chance(rng, 0.5) {
            let v = c.file("routine.csv", base.get("semicolon"), Kind::Csv);
            c.set("--data", Some(&v));
            if chance(rng, 0.5) {
                c.set("--delimiter", Some(";"));
                c.set("--decimal", Some(","));
            }
        } else {
            let v = c.file("routine.xlsx", base.get("xlsx"), Kind::Csv);
            c.set("--data", Some(&v));
            c.set("--sheet", Some("lab"));
        }
        c.columns = ["Sex", "Ward", "ALT", "AST"].map(String::from).to_vec();
        c.set("--value", Some(*pick(rng, &["ALT", "AST", "ALT,AST"])));
        if chance(rng, 0.4) {
            c.set("--where", Some(*pick(rng, &["Sex=f", "Sex=m", "Ward=ICU"])));
        }
        refint_sub_options(rng, c);
        return;
    }
    if partition || c.sub == Sub::Age || chance(rng, 0.6) {
        let v = c.file("livertests.csv", base.get("refint/reflimr_livertests.csv"), Kind::Csv);
        c.set("--data", Some(&v));
        c.set("--value", Some(*pick(rng, &analytes)));
        if partition || (c.sub != Sub::Verify && chance(rng, 0.5)) {
            c.set("--by", Some("Sex"));
        }
        c.columns = csv_columns(base.get("refint/reflimr_livertests.csv"));
        if c.sub == Sub::Age {
            c.set("--age", Some("Age"));
            c.set("--window", Some(*pick(rng, &["20", "10", "30"])));
            c.set("--step", Some(*pick(rng, &["10", "5", "20"])));
        }
    } else {
        let name = *pick(
            rng,
            &[
                "refint/referenceintervals_set20.csv",
                "refint/referenceintervals_set50.csv",
                "refint/referenceintervals_set120.csv",
                "refint/referenceintervals_set200.csv",
            ],
        );
        let v = c.file("set.csv", base.get(name), Kind::Csv);
        c.set("--data", Some(&v));
        c.set("--value", Some("value"));
        c.columns = csv_columns(base.get(name));
    }
    if chance(rng, 0.5) {
        c.set("--method", Some(*pick(rng, METHODS)));
    }
    refint_sub_options(rng, c);
}

/// The options `refint verify` requires (and sometimes its mode).
fn refint_sub_options(rng: &mut Rng, c: &mut Case) {
    if c.sub == Sub::Verify {
        c.set("--limits", Some(*pick(rng, &["10,40", "35,50", "60,110", "20,60"])));
        if chance(rng, 0.5) {
            c.set("--mode", Some(*pick(rng, &["transference", "routine"])));
        }
    }
}

/// `--hmd DIR` with the trimmed HMD files, or (lifetable only, sometimes) `--data` with a tidy CSV.
fn lifetable_source(base: &Base, rng: &mut Rng, c: &mut Case, tidy_allowed: bool) {
    if tidy_allowed && chance(rng, 0.3) {
        let v = c.file("tidy.csv", base.get("tidy"), Kind::Csv);
        c.set("--data", Some(&v));
        c.columns = csv_columns(base.get("tidy"));
    } else {
        c.file("hmd/USA.Deaths_1x1.txt", base.get("deaths"), Kind::Hmd);
        c.file("hmd/USA.Exposures_1x1.txt", base.get("exposures"), Kind::Hmd);
        c.set("--hmd", Some(&format!("{IN}/hmd")));
    }
}

// ---------------------------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------------------------

fn generate(base: &Base, seed: u64, sub: Sub, index: usize) -> Case {
    let mut rng = Rng::derive(seed, sub as u64, index as u64);
    let mut c = scenario(base, &mut rng, sub, index);
    let n = *pick(&mut rng, &[1, 1, 1, 1, 1, 1, 2, 2, 2, 3]);
    for _ in 0..n {
        let r = rng.uniform();
        if sub == Sub::Glm && r < 0.3 {
            mutate_formula(&mut rng, &mut c);
        } else if !c.files.is_empty() && r < 0.65 {
            mutate_some_file(&mut rng, &mut c);
        } else {
            mutate_option(&mut rng, &mut c);
        }
    }
    if sub == Sub::Glm && chance(&mut rng, 0.12) {
        // --predict with a (possibly mutated) copy of the data file.
        let data = c.files[0].clone();
        let v = c.file("new.csv", &data.bytes, Kind::Csv);
        c.set("--predict", Some(&v));
        c.steps.push("--predict: a copy of --data".into());
        if chance(&mut rng, 0.7) {
            let k = c.files.len() - 1;
            mutate_file(&mut rng, &mut c, k);
        }
    }
    c
}

fn mutate_option(rng: &mut Rng, c: &mut Case) {
    let opt = pick(rng, c.sub.options());
    if opt.ty == Ty::Flag {
        if c.has(opt.flag) {
            c.opts.retain(|(f, _)| f != opt.flag);
            c.steps.push(format!("{} removed", opt.flag));
        } else {
            c.set(opt.flag, None);
            c.steps.push(format!("{} added", opt.flag));
        }
        return;
    }
    let value = if !opt.valid.is_empty() && chance(rng, 0.35) {
        pick(rng, opt.valid).to_string()
    } else {
        hostile_value(rng, opt.ty, &c.columns)
    };
    c.injected.push(expand(&value));
    if matches!(
        opt.ty,
        Ty::Column | Ty::Text | Ty::Features | Ty::Cluster | Ty::Where | Ty::Formula | Ty::Years
    ) {
        c.planted.push(expand(&value));
    }
    c.steps.push(format!("{} {}", opt.flag, show(&expand(&value))));
    if opt.repeat && c.has(opt.flag) && chance(rng, 0.5) {
        c.opts.push((opt.flag.to_string(), Some(value)));
    } else {
        c.set(opt.flag, Some(&value));
    }
}

fn hostile_value(rng: &mut Rng, ty: Ty, columns: &[String]) -> String {
    let v = match ty {
        Ty::Float => pick(rng, FLOATS),
        Ty::Int => pick(rng, INTS),
        Ty::Choice => pick(rng, CHOICES),
        Ty::Link => {
            if chance(rng, 0.7) {
                pick(rng, LINKS)
            } else {
                pick(rng, CHOICES)
            }
        }
        Ty::Pair => pick(rng, PAIRS),
        Ty::Start => pick(rng, STARTS),
        Ty::Cluster => pick(rng, CLUSTERS),
        Ty::Features => pick(rng, FEATURES),
        Ty::Years => pick(rng, YEARS_BAD),
        Ty::Char => pick(rng, CHARS_BAD),
        Ty::Where => {
            if !columns.is_empty() && chance(rng, 0.4) {
                let col = pick(rng, columns).clone();
                let v = pick_str(rng, &["f", "", "zz", "1e308", "NA", BIG]);
                return format!("{col}={v}");
            }
            pick(rng, WHERES_BAD)
        }
        Ty::Formula => pick(rng, FORMULAS_BAD),
        Ty::OutFile => pick(rng, TIDY_BAD),
        Ty::Column | Ty::Text => {
            if !columns.is_empty() && chance(rng, 0.5) {
                return pick(rng, columns).clone();
            }
            pick(rng, TEXTS)
        }
        Ty::Flag => "",
    };
    v.to_string()
}

/// Mutates one of the case's files (or the HMD folder).
fn mutate_some_file(rng: &mut Rng, c: &mut Case) {
    let hmd = c.files.iter().any(|f| f.kind == Kind::Hmd);
    if hmd && chance(rng, 0.12) {
        mutate_hmd_folder(rng, c);
        return;
    }
    let k = rng.below(c.files.len());
    mutate_file(rng, c, k);
}

fn mutate_hmd_folder(rng: &mut Rng, c: &mut Case) {
    let deaths = c.files.iter().position(|f| f.rel.contains("Deaths"));
    let exposures = c.files.iter().position(|f| f.rel.contains("Exposures"));
    match (rng.below(4), deaths, exposures) {
        (0, Some(d), _) => {
            c.files.remove(d);
            c.steps.push("HMD Deaths file removed".into());
        }
        (1, Some(d), Some(e)) => {
            let db = std::mem::take(&mut c.files[d].bytes);
            c.files[d].bytes = std::mem::replace(&mut c.files[e].bytes, db);
            c.steps.push("HMD Deaths and Exposures contents swapped".into());
        }
        (2, Some(d), _) => {
            let mut f = c.files[d].clone();
            f.rel = "hmd/CAN.Deaths_1x1.txt".into();
            c.files.push(f);
            c.steps.push("second Deaths file CAN.Deaths_1x1.txt".into());
        }
        (_, _, Some(e)) => {
            c.files[e].rel = "hmd/USA.exposures.txt".into();
            c.steps.push("Exposures file renamed to USA.exposures.txt".into());
        }
        _ => c.steps.push("HMD folder unchanged".into()),
    }
}

/// A file as lines (without their `\n`); joining with `\n` gives the bytes back.
fn split_lines(b: &[u8]) -> Vec<Vec<u8>> {
    b.split(|&c| c == b'\n').map(<[u8]>::to_vec).collect()
}

fn join_lines(lines: &[Vec<u8>]) -> Vec<u8> {
    lines.join(&b'\n')
}

/// Byte ranges of a line's cells: between commas (CSV) or runs of non-blanks (HMD).
fn cell_ranges(line: &[u8], kind: Kind) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    match kind {
        Kind::Csv => {
            let mut start = 0;
            for (i, &b) in line.iter().enumerate() {
                if b == b',' {
                    out.push((start, i));
                    start = i + 1;
                }
            }
            let end = if line.last() == Some(&b'\r') {
                line.len() - 1
            } else {
                line.len()
            };
            out.push((start, end.max(start)));
        }
        Kind::Hmd => {
            let mut start = None;
            for (i, &b) in line.iter().enumerate() {
                match (b.is_ascii_whitespace(), start) {
                    (false, None) => start = Some(i),
                    (true, Some(s)) => {
                        out.push((s, i));
                        start = None;
                    }
                    _ => {}
                }
            }
            if let Some(s) = start {
                out.push((s, line.len()));
            }
        }
    }
    out
}

/// Rows holding data: after the header lines, not empty.
fn data_rows(lines: &[Vec<u8>], kind: Kind) -> Vec<usize> {
    (kind.header_lines()..lines.len())
        .filter(|&i| !lines[i].is_empty())
        .collect()
}

fn is_number(cell: &[u8]) -> bool {
    let s = String::from_utf8_lossy(cell);
    s.trim().trim_matches('"').parse::<f64>().is_ok()
}

fn replace_range(line: &mut Vec<u8>, (a, b): (usize, usize), value: &[u8]) {
    line.splice(a..b, value.iter().copied());
}

fn mutate_file(rng: &mut Rng, c: &mut Case, k: usize) {
    let kind = c.files[k].kind;
    let name = c.files[k].rel.clone();
    let mut lines = split_lines(&c.files[k].bytes);
    let rows = data_rows(&lines, kind);
    let step = match rng.below(16) {
        0..=4 if !rows.is_empty() => replace_cell(rng, &mut lines, &rows, kind, &mut c.planted, &mut c.injected),
        5 => {
            let at = rng.below(lines.len());
            let n = (1 + rng.below(3)).min(lines.len() - at);
            lines.drain(at..at + n);
            format!("deleted lines {}..{}", at + 1, at + n)
        }
        6 if !rows.is_empty() => {
            let r = *pick(rng, &rows);
            let times = *pick(rng, &[1usize, 1, 2, 500]);
            let copy = lines[r].clone();
            for _ in 0..times {
                lines.insert(r, copy.clone());
            }
            format!("line {} duplicated {times}×", r + 1)
        }
        7 => {
            let (a, b) = (rng.below(lines.len()), rng.below(lines.len()));
            lines.swap(a, b);
            format!("lines {} and {} swapped", a + 1, b + 1)
        }
        8 if !rows.is_empty() => constant_column(rng, &mut lines, &rows, kind),
        9 => {
            let bytes = join_lines(&lines);
            let at = rng.below(bytes.len().max(1));
            lines = split_lines(&bytes[..at]);
            format!("truncated at byte {at}")
        }
        10 => change_header(rng, &mut lines, kind, &mut c.planted),
        11 => {
            if chance(rng, 0.5) {
                lines = vec![Vec::new()];
                "emptied".to_string()
            } else {
                lines.truncate(kind.header_lines());
                lines.push(Vec::new());
                "cut to its header".to_string()
            }
        }
        12 => {
            let mut bytes = join_lines(&lines);
            let mut what = Vec::new();
            for _ in 0..1 + rng.below(3) {
                let at = rng.below(bytes.len() + 1);
                let junk = *pick(rng, JUNK);
                bytes.splice(at..at, junk.iter().copied());
                what.push(format!("{} at byte {at}", String::from_utf8_lossy(junk).escape_debug()));
            }
            lines = split_lines(&bytes);
            format!("inserted {}", what.join(", "))
        }
        13 if !rows.is_empty() => ragged_row(rng, &mut lines, &rows, kind),
        14 => reencode(rng, &mut lines),
        _ if !rows.is_empty() => scale_cells(rng, &mut lines, &rows, kind),
        _ => "unchanged (no data rows)".to_string(),
    };
    c.files[k].bytes = join_lines(&lines);
    c.steps.push(format!("{name}: {step}"));
}

fn replace_cell(
    rng: &mut Rng,
    lines: &mut [Vec<u8>],
    rows: &[usize],
    kind: Kind,
    planted: &mut Vec<String>,
    injected: &mut Vec<String>,
) -> String {
    let r = *pick(rng, rows);
    let cells = cell_ranges(&lines[r], kind);
    if cells.is_empty() {
        return format!("line {} has no cells", r + 1);
    }
    let j = rng.below(cells.len());
    let value = expand(pick_str(rng, CELLS));
    let old = lines[r][cells[j].0..cells[j].1].to_vec();
    if !is_number(&old) {
        planted.push(value.clone());
    }
    injected.push(value.clone());
    replace_range(&mut lines[r], cells[j], value.as_bytes());
    format!(
        "line {} cell {}: {} → {}",
        r + 1,
        j + 1,
        show(&String::from_utf8_lossy(&old)),
        show(&value)
    )
}

fn constant_column(rng: &mut Rng, lines: &mut [Vec<u8>], rows: &[usize], kind: Kind) -> String {
    let ncells = cell_ranges(&lines[rows[0]], kind).len();
    let j = rng.below(ncells.max(1));
    let first = cell_ranges(&lines[rows[0]], kind)
        .get(j)
        .map(|&(a, b)| lines[rows[0]][a..b].to_vec())
        .unwrap_or_default();
    let value = match rng.below(3) {
        0 => first,
        1 => b"0".to_vec(),
        _ => b"1e308".to_vec(),
    };
    for &r in rows {
        if let Some(&range) = cell_ranges(&lines[r], kind).get(j) {
            replace_range(&mut lines[r], range, &value);
        }
    }
    format!(
        "column {} set to {} in every row",
        j + 1,
        show(&String::from_utf8_lossy(&value))
    )
}

fn scale_cells(rng: &mut Rng, lines: &mut [Vec<u8>], rows: &[usize], kind: Kind) -> String {
    let j = rng.below(cell_ranges(&lines[rows[0]], kind).len().max(1));
    let factor = *pick(rng, &[1e300, 1e-300, -1.0, 1e15, 0.0]);
    let mut n = 0;
    for &r in rows {
        let Some(&range) = cell_ranges(&lines[r], kind).get(j) else {
            continue;
        };
        let cell = String::from_utf8_lossy(&lines[r][range.0..range.1]).into_owned();
        if let Ok(x) = cell.trim().parse::<f64>() {
            replace_range(&mut lines[r], range, format!("{:e}", x * factor).as_bytes());
            n += 1;
        }
    }
    format!("column {} multiplied by {factor:e} in {n} rows", j + 1)
}

fn change_header(rng: &mut Rng, lines: &mut [Vec<u8>], kind: Kind, planted: &mut Vec<String>) -> String {
    let h = if kind == Kind::Hmd {
        *pick(rng, &[0usize, 2, 2])
    } else {
        0
    };
    if lines.len() <= h {
        return "no header".into();
    }
    let cells = cell_ranges(&lines[h], kind);
    if cells.is_empty() || chance(rng, 0.15) {
        let new = expand(pick_str(rng, &["", "x", BIG, "a,a,a", "\"unterminated"]));
        planted.push(new.clone());
        lines[h] = new.into_bytes();
        return format!("header line {} replaced", h + 1);
    }
    let j = rng.below(cells.len());
    let other = cells[rng.below(cells.len())];
    let other = String::from_utf8_lossy(&lines[h][other.0..other.1]).into_owned();
    let old = String::from_utf8_lossy(&lines[h][cells[j].0..cells[j].1]).into_owned();
    let new = match rng.below(6) {
        0 => String::new(),
        1 => other,
        2 => expand(BIG),
        3 => old.to_uppercase(),
        4 => format!("{old} "),
        _ => "\"q\"\"uote\"".into(),
    };
    planted.push(new.clone());
    planted.push(old.clone());
    replace_range(&mut lines[h], cells[j], new.as_bytes());
    format!("header line {} cell {}: {} → {}", h + 1, j + 1, show(&old), show(&new))
}

fn ragged_row(rng: &mut Rng, lines: &mut [Vec<u8>], rows: &[usize], kind: Kind) -> String {
    let r = *pick(rng, rows);
    let cells = cell_ranges(&lines[r], kind);
    let sep: &[u8] = if kind == Kind::Csv { b"," } else { b" " };
    if chance(rng, 0.5) && cells.len() > 1 {
        let (a, _) = cells[cells.len() - 1];
        lines[r].truncate(a.saturating_sub(1));
        format!("line {}: last cell dropped", r + 1)
    } else {
        lines[r].extend_from_slice(sep);
        lines[r].extend_from_slice(b"7");
        format!("line {}: an extra cell", r + 1)
    }
}

fn reencode(rng: &mut Rng, lines: &mut Vec<Vec<u8>>) -> String {
    match rng.below(3) {
        0 => {
            for l in lines.iter_mut() {
                if !l.is_empty() {
                    l.push(b'\r');
                }
            }
            "CRLF line ends".into()
        }
        1 => {
            if let Some(first) = lines.first_mut() {
                first.splice(0..0, "\u{feff}".bytes());
            }
            "byte-order mark".into()
        }
        _ => {
            while lines.last().is_some_and(|l| l.is_empty()) {
                lines.pop();
            }
            "no final newline".into()
        }
    }
}

/// Longest formula passed (Linux refuses a single argument over 128 kB).
const MAX_FORMULA: usize = 120_000;

fn mutate_formula(rng: &mut Rng, c: &mut Case) {
    let f = c.formula.clone().unwrap_or_default();
    let (lhs, rhs) = f
        .split_once('~')
        .map_or((f.as_str(), ""), |(l, r)| (l.trim(), r.trim()));
    let col = c
        .columns
        .iter()
        .find(|n| n.as_str() == "width")
        .cloned()
        .unwrap_or_else(|| c.columns.last().cloned().unwrap_or_else(|| "x".into()));
    let mut chars: Vec<char> = f.chars().collect();
    let (new, what) = match rng.below(10) {
        0 => {
            let at = rng.below(chars.len() + 1);
            let ch = *pick(
                rng,
                &"()+-*/^:~,.=0123456789 xI\"'\\|&!$é[]{}#%".chars().collect::<Vec<_>>(),
            );
            chars.insert(at, ch);
            (chars.into_iter().collect(), format!("inserted {ch:?} at {at}"))
        }
        1 if !chars.is_empty() => {
            let at = rng.below(chars.len());
            let ch = chars.remove(at);
            (chars.into_iter().collect(), format!("deleted {ch:?} at {at}"))
        }
        2 if !chars.is_empty() => {
            let a = rng.below(chars.len());
            let b = (a + 1 + rng.below(10)).min(chars.len());
            let piece: Vec<char> = chars[a..b].to_vec();
            chars.splice(b..b, piece.iter().copied());
            (chars.into_iter().collect(), format!("duplicated chars {a}..{b}"))
        }
        3 => deep_formula(rng, lhs, &col),
        4 => {
            let n = *pick(rng, &[100usize, 1000, 18_000]);
            let term = if chance(rng, 0.5) {
                col.clone()
            } else {
                "I(width^2)".into()
            };
            let sum = vec![term.as_str(); n].join("+");
            (format!("{lhs} ~ {sum}"), format!("a sum of {n} terms"))
        }
        5 => {
            let e = *pick(
                rng,
                &[
                    "1e9",
                    "1e300",
                    "99999999999999999999",
                    "-1",
                    "0",
                    "0.5",
                    "nan",
                    "inf",
                    "1e-9",
                    "3",
                ],
            );
            let r = if rng.below(2) == 0 {
                format!("({rhs} + spine + color)^{e}")
            } else {
                format!("I({col}^{e})")
            };
            (format!("{lhs} ~ {r}"), format!("exponent {e}"))
        }
        6 => {
            let fun = *pick(
                rng,
                &[
                    "foo(@)",
                    "log(foo)",
                    "offset(zzz)",
                    "C(@, ref=zzz)",
                    "C(@, ref=)",
                    "I()",
                    "cbind(@)",
                    "exp(exp(exp(@)))",
                    "log(-@)",
                    "sqrt(-@)",
                    "log(0*@)",
                    "I(1/0)",
                    "I(@/0)",
                    "C(@, ref=1e308)",
                    "offset(@^1e308)",
                    "log2(@)",
                    "C(@, foo=1)",
                    "poly(@, 2)",
                ],
            );
            let t = fun.replace('@', &col);
            (format!("{lhs} ~ {rhs} + {t}"), format!("term {t}"))
        }
        7 => {
            let unknown = expand(pick_str(
                rng,
                &["zzz", "Width", "width.1", "`width`", "\"width\"", BIG, "1width", "_"],
            ));
            c.planted.push(unknown.clone());
            (
                f.replacen(&col, &unknown, 1),
                format!("column {} → {}", col, show(&unknown)),
            )
        }
        8 => {
            let s = *pick(
                rng,
                &[
                    "",
                    "~",
                    "@ ~",
                    "~ @",
                    "satell ~ width ~ weight",
                    "@ ~ -1",
                    "@ ~ 0",
                    "@ ~ 1",
                    "@ ~ .",
                    "@ ~ @",
                    "@ ~ width + width",
                    "@ ~ -width",
                    "@/@ ~ width",
                    "log(@) ~ width",
                    "cbind(@, @) ~ width",
                    "@ ~ width:width:width",
                    "@ ~ (width)(weight)",
                    "@ ~ width +",
                    "@ ~ ()",
                    "@ ~ C()",
                ],
            );
            let t = s.replace('@', lhs);
            (t.clone(), format!("formula {}", show(&t)))
        }
        _ => {
            // Response replaced by another column (a factor, a constant, the weights).
            let other = pick(rng, &c.columns).clone();
            (format!("{other} ~ {rhs}"), format!("response → {other}"))
        }
    };
    let mut new: String = new;
    if new.len() > MAX_FORMULA {
        let mut cut = MAX_FORMULA;
        while !new.is_char_boundary(cut) {
            cut -= 1;
        }
        new.truncate(cut);
    }
    c.steps.push(format!("formula: {what}"));
    c.formula = Some(new);
}

fn deep_formula(rng: &mut Rng, lhs: &str, col: &str) -> (String, String) {
    let depth = *pick(rng, &[50usize, 500, 5000, 20_000]);
    let (open, close, what) = match rng.below(5) {
        0 => ("(", ")", "parentheses"),
        1 => ("exp(", ")", "exp("),
        2 => ("-", "", "unary minus"),
        3 => ("I(", ")", "I("),
        _ => ("log(", ")", "log("),
    };
    let inner = format!("{}{col}{}", open.repeat(depth), close.repeat(depth));
    let rhs = if open == "exp(" || open == "log(" {
        format!("I({inner})")
    } else {
        inner
    };
    (format!("{lhs} ~ {rhs}"), format!("{depth} nested {what}"))
}

// ---------------------------------------------------------------------------------------------
// Running a case
// ---------------------------------------------------------------------------------------------

/// What a run gave: `status` is `None` when it was killed at the time limit.
struct Ran {
    status: Option<ExitStatus>,
    stdout: Vec<u8>,
    stderr: String,
    secs: f64,
}

/// The case's folder: `in/` (inputs), `out/` (its --out), `cwd/` (working directory, stays
/// empty), and the captured `stdout`/`stderr`.
struct Dirs {
    root: PathBuf,
    inp: PathBuf,
    out: PathBuf,
    cwd: PathBuf,
}

impl Dirs {
    fn at(root: PathBuf) -> Dirs {
        Dirs {
            inp: root.join("in"),
            out: root.join("out"),
            cwd: root.join("cwd"),
            root,
        }
    }
}

fn write_inputs(case: &Case, d: &Dirs) {
    for p in [&d.inp, &d.cwd, &d.inp.join("hmd")] {
        std::fs::create_dir_all(p).expect("case folder");
    }
    for f in &case.files {
        let p = d.inp.join(&f.rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("case folder");
        }
        std::fs::write(&p, &f.bytes).expect("case file");
    }
}

fn spawn_command(cfg: &Config, args: &[String], d: &Dirs) -> Command {
    let bin = env!("CARGO_BIN_EXE_dimorph");
    let sh = Path::new("/bin/sh");
    let mut cmd = if cfg!(target_os = "linux") && cfg.mem_mb > 0 && sh.exists() {
        // An address-space cap (ulimit -v, KiB) so a memory bomb aborts instead of swapping.
        let mut c = Command::new(sh);
        c.arg("-c")
            .arg("ulimit -v \"$1\" 2>/dev/null; shift; exec \"$@\"")
            .arg("sh")
            .arg((cfg.mem_mb * 1024).to_string())
            .arg(bin);
        c
    } else {
        Command::new(bin)
    };
    cmd.args(args)
        .current_dir(&d.cwd)
        .env("MALLOC_ARENA_MAX", "2")
        .env("RUST_BACKTRACE", "0")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null());
    cmd
}

fn run_case(cfg: &Config, args: &[String], d: &Dirs) -> Result<Ran, String> {
    let so = std::fs::File::create(d.root.join("stdout")).map_err(|e| e.to_string())?;
    let se = std::fs::File::create(d.root.join("stderr")).map_err(|e| e.to_string())?;
    let start = Instant::now();
    let mut child = spawn_command(cfg, args, d)
        .stdout(so)
        .stderr(se)
        .spawn()
        .map_err(|e| format!("spawn: {e}"))?;
    let mut nap = Duration::from_millis(2);
    let status = loop {
        if let Some(s) = child.try_wait().map_err(|e| e.to_string())? {
            break Some(s);
        }
        if start.elapsed() > cfg.timeout {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(nap);
        nap = (nap * 2).min(Duration::from_millis(50));
    };
    let secs = start.elapsed().as_secs_f64();
    let stdout = std::fs::read(d.root.join("stdout")).unwrap_or_default();
    let stderr = String::from_utf8_lossy(&std::fs::read(d.root.join("stderr")).unwrap_or_default()).into_owned();
    Ok(Ran {
        status,
        stdout,
        stderr,
        secs,
    })
}

// ---------------------------------------------------------------------------------------------
// Judging a run
// ---------------------------------------------------------------------------------------------

/// One broken promise of one case.
struct Finding {
    class: &'static str,
    detail: String,
}

fn finding(class: &'static str, detail: impl Into<String>) -> Finding {
    Finding {
        class,
        detail: detail.into(),
    }
}

#[cfg(unix)]
fn signal_of(s: &ExitStatus) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    s.signal()
}

#[cfg(not(unix))]
fn signal_of(_: &ExitStatus) -> Option<i32> {
    None
}

fn head(s: &str, n: usize) -> String {
    let mut t: String = s.chars().take(n).collect();
    if s.chars().count() > n {
        t.push('…');
    }
    t
}

fn judge(case: &Case, ran: &Ran, d: &Dirs) -> Vec<Finding> {
    let err = &ran.stderr;
    let Some(status) = ran.status else {
        return vec![finding("hang", format!("killed after {:.0} s", ran.secs))];
    };
    let code = status.code();
    let mut f = Vec::new();
    if err.contains("memory allocation of") || err.contains("capacity overflow") {
        f.push(finding("memory", head(err, 300)));
    } else if err.contains("has overflowed its stack") {
        f.push(finding("stack-overflow", head(err, 300)));
    } else if let Some(sig) = signal_of(&status) {
        f.push(finding(
            "signal",
            format!("killed by signal {sig}; stderr: {}", head(err, 300)),
        ));
    } else if code == Some(101) {
        f.push(finding("panic", head(err, 400)));
    } else if code == Some(134) {
        f.push(finding("abort", head(err, 400)));
    } else if code != Some(0) && code != Some(2) {
        f.push(finding("exit-code", format!("exit {code:?}: {}", head(err, 300))));
    }
    if !f.is_empty() {
        return f;
    }
    stray_files(d, &mut f);
    if code == Some(2) {
        judge_error(case, err, d, &mut f);
    } else {
        judge_success(case, ran, d, &mut f);
    }
    f
}

/// Nothing may appear in the working directory; `--out` holds files only after success.
fn stray_files(d: &Dirs, f: &mut Vec<Finding>) {
    let names: Vec<String> = std::fs::read_dir(&d.cwd)
        .map(|r| {
            r.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    if !names.is_empty() {
        f.push(finding(
            "stray-file",
            format!("wrote into the working directory: {}", names.join(", ")),
        ));
    }
}

fn names_place(line: &str, case: &Case, d: &Dirs) -> bool {
    if line.contains(&d.inp.display().to_string()) || line.contains(&d.out.display().to_string()) {
        return true;
    }
    let files = case
        .files
        .iter()
        .filter_map(|f| Path::new(&f.rel).file_name()?.to_str().map(str::to_string));
    if files.into_iter().any(|n| line.contains(&n)) {
        return true;
    }
    let option = line
        .match_indices("--")
        .any(|(i, _)| line[i + 2..].chars().next().is_some_and(|c| c.is_ascii_lowercase()));
    option
        || ["line ", "column", "character ", "position", "formula", "row "]
            .iter()
            .any(|w| line.contains(w))
}

fn judge_error(case: &Case, err: &str, d: &Dirs, f: &mut Vec<Finding>) {
    let error_lines: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
    if error_lines.len() != 1 {
        f.push(finding(
            "error-lines",
            format!("{} `error:` lines: {}", error_lines.len(), head(err, 300)),
        ));
    }
    let Some(line) = error_lines.first() else {
        return;
    };
    // The error's own lines: the `error:` line and what follows up to a blank line (clap lists
    // the options concerned there; the formula parser its caret).
    let block: Vec<&str> = err
        .lines()
        .skip_while(|l| !l.starts_with("error:"))
        .take_while(|l| !l.trim().is_empty())
        .collect();
    if line.contains("unexpected argument '-") {
        f.push(finding("negative-as-flag", head(line, 200)));
    } else if !names_place(&block.join("\n"), case, d) {
        f.push(finding("no-location", head(line, 300)));
    }
    let text = block.join("\n");
    let quotable: Vec<String> = case.planted.iter().chain(&case.injected).cloned().collect();
    if let Some(t) = huge_number(&text, &quotable) {
        f.push(finding("huge-number", format!("{t} in the error: {}", head(line, 200))));
    }
    let explained = [
        "division by zero",
        "overflow",
        "log of",
        "not defined",
        "undefined",
        "finite",
        "infinite",
    ]
    .iter()
    .any(|w| text.contains(w));
    if let Some(t) = bad_value_token(&text, &case.planted).filter(|_| !explained && !gave_nonfinite(case)) {
        f.push(finding(
            "nan-error",
            format!("{t} in the error, from finite inputs, unexplained"),
        ));
    }
    let from = err.find("error:").unwrap_or(0);
    if err.len() - from > 2000 {
        f.push(finding(
            "long-echo",
            format!("{} bytes of error text: {}", err.len() - from, head(line, 200)),
        ));
    }
    let debug = [
        "Some(",
        " kind: ",
        "Os {",
        "Error {",
        "Custom {",
        "ParseFloatError",
        "ParseIntError",
    ];
    if let Some(p) = debug.iter().find(|p| err[from..].contains(*p)) {
        f.push(finding("debug-format", format!("{p} in: {}", head(line, 200))));
    }
    if d.out.exists() {
        let n = walk(&d.out).len();
        if n > 0 {
            f.push(finding(
                "partial-output",
                format!("{n} file(s) in --out after exit 2: {}", head(line, 200)),
            ));
        }
    }
}

/// Whether a mutation put a non-finite or overflowing number into the case (then an error may
/// well say `got NaN` or `got inf`).
fn gave_nonfinite(case: &Case) -> bool {
    let steps = case.steps.join(" ").to_ascii_lowercase();
    [
        "nan",
        "inf",
        "e400",
        "e308",
        "e300",
        "99999",
        "4294967296",
        "1844674407",
    ]
    .iter()
    .any(|w| steps.contains(w))
}

fn format_of(case: &Case) -> &str {
    case.opts
        .iter()
        .rev()
        .find(|(f, _)| f == "--format")
        .and_then(|(_, v)| v.as_deref())
        .unwrap_or("text")
}

fn judge_success(case: &Case, ran: &Ran, d: &Dirs, f: &mut Vec<Finding>) {
    let warned = ran.stderr.lines().any(|l| l.starts_with("warning:"));
    let out = String::from_utf8_lossy(&ran.stdout);
    if out.trim().is_empty() {
        f.push(finding("empty-output", "exit 0 with nothing on standard output"));
    }
    if ran.stderr.lines().any(|l| l.starts_with("error:")) {
        f.push(finding("error-on-success", head(&ran.stderr, 300)));
    }
    match format_of(case) {
        "json" => {
            if let Err(e) = check_json(case, &ran.stdout) {
                f.push(finding("json", e));
            } else if let Some(missing) = listed_but_missing(&ran.stdout) {
                f.push(finding(
                    "json",
                    format!("`files` lists {missing}, which does not exist"),
                ));
            }
        }
        _ => {
            if let Some(t) = bad_token(&out, &case.planted) {
                if !warned {
                    f.push(finding("nan-output", format!("{t} on standard output, no warning")));
                }
            }
            if let Some(t) = huge_number(&out, &case.planted) {
                f.push(finding("huge-number", format!("{t} on standard output")));
            }
        }
    }
    for p in walk(&d.out) {
        let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !matches!(ext, "csv" | "svg" | "json" | "html" | "txt") {
            continue;
        }
        let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap_or_default()).into_owned();
        if let Some(t) = bad_token(&text, &case.planted).filter(|_| !warned) {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            f.push(finding("nan-file", format!("{t} in {name}, no warning")));
        }
    }
}

/// A file the envelope's `files` names that is not there.
fn listed_but_missing(stdout: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(stdout).ok()?;
    v["files"]
        .as_array()?
        .iter()
        .filter_map(Value::as_str)
        .find(|p| !Path::new(p).is_file())
        .map(str::to_string)
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.filter_map(Result::ok) {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

fn is_nonfinite_word(t: &str) -> bool {
    let l = t
        .trim_matches(|c| c == '+' || c == '-' || c == '.')
        .to_ascii_lowercase();
    l == "nan" || l == "inf" || l == "infinity"
}

/// The first `NaN`/`inf` token of `text` (with a little context) that the case did not plant.
fn bad_token(text: &str, planted: &[String]) -> Option<String> {
    let is_sep = |c: char| !(c.is_alphanumeric() || matches!(c, '.' | '_' | '+' | '-'));
    let mut at = 0;
    for tok in text.split(is_sep) {
        let start = at;
        at += tok.len() + 1;
        if is_nonfinite_word(tok)
            && !planted
                .iter()
                .any(|p| p.contains(tok.trim_matches(|c| c == '+' || c == '-')))
        {
            let a = text[..start].char_indices().rev().nth(40).map_or(0, |(i, _)| i);
            let ctx: String = text[a..].chars().take(80).collect();
            return Some(format!("'{tok}' in “{}”", ctx.replace('\n', "⏎")));
        }
    }
    None
}

/// Like [`bad_token`], for prose: a `NaN` that is named in a list ("empty, NA or NaN") is a word,
/// not a printed value.
fn bad_value_token(text: &str, planted: &[String]) -> Option<String> {
    let mut rest = text;
    let mut offset = 0;
    while let Some(found) = bad_token(rest, planted) {
        let tok = found.split('\'').nth(1).unwrap_or("");
        let Some(at) = rest.find(tok) else { return Some(found) };
        let before = rest[..at].trim_end();
        let listed =
            before.ends_with(" or") || before.ends_with(" and") || before.ends_with(',') || before.ends_with('(');
        if !listed {
            return Some(found);
        }
        offset += at + tok.len();
        rest = &text[offset..];
    }
    None
}

/// A number printed with more than 40 significant digits (1e300 formatted in fixed notation).
fn huge_number(text: &str, planted: &[String]) -> Option<String> {
    for tok in text.split(|c: char| !(c.is_ascii_digit() || c == '.')) {
        let significant = tok
            .trim_start_matches(['0', '.'])
            .chars()
            .filter(char::is_ascii_digit)
            .count();
        if significant > 40 && !planted.iter().any(|p| p.contains(tok)) {
            return Some(format!(
                "a number of {significant} significant digits {}",
                head(tok, 30)
            ));
        }
    }
    None
}

fn check_json(case: &Case, stdout: &[u8]) -> Result<(), String> {
    let v: Value = serde_json::from_slice(stdout).map_err(|e| {
        format!(
            "does not parse: {e}; stdout: {}",
            head(&String::from_utf8_lossy(stdout), 200)
        )
    })?;
    let obj = v.as_object().ok_or("not an object")?;
    let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    let mut want = ["command", "version", "input", "options", "result", "warnings", "files"];
    want.sort_unstable();
    let mut got = keys.clone();
    got.sort_unstable();
    if got != want {
        return Err(format!("envelope keys {keys:?}"));
    }
    if obj["command"] != Value::String(case.sub.command()) {
        return Err(format!("command {}", obj["command"]));
    }
    if !obj["input"].is_object() || !obj["warnings"].is_array() || !obj["files"].is_array() {
        return Err("input is not an object or warnings/files not arrays".into());
    }
    for k in ["options", "result"] {
        if obj[k].get("serialization_error").is_some() {
            return Err(format!("{k}: {}", obj[k]["serialization_error"]));
        }
    }
    if let Some(p) = nonfinite_string(&obj["result"], "result", &case.planted) {
        return Err(format!("a NaN/inf string at {p}"));
    }
    Ok(())
}

/// The path of a string value "NaN", "inf", … in `v` that was not planted.
fn nonfinite_string(v: &Value, path: &str, planted: &[String]) -> Option<String> {
    match v {
        Value::String(s) if is_nonfinite_word(s) && !planted.iter().any(|p| p == s) => Some(format!("{path} = {s}")),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .find_map(|(i, x)| nonfinite_string(x, &format!("{path}[{i}]"), planted)),
        Value::Object(o) => o
            .iter()
            .find_map(|(k, x)| nonfinite_string(x, &format!("{path}.{k}"), planted)),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Reporting
// ---------------------------------------------------------------------------------------------

/// A case's result as the summary needs it.
struct Record {
    sub: Sub,
    exit: String,
    secs: f64,
    /// (case id, how to reproduce, the finding)
    findings: Vec<(String, String, Finding)>,
}

/// A command line as `sh` reads it.
fn shell_quote(args: &[String]) -> String {
    args.iter()
        .map(|a| {
            if !a.is_empty() && a.chars().all(|c| c.is_ascii_alphanumeric() || "-_./,=:@+".contains(c)) {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The same, with long arguments shortened for the failure message.
fn short_args(args: &[String]) -> String {
    let short: Vec<String> = args
        .iter()
        .map(|a| {
            if a.len() > 80 {
                format!("{}…[{} bytes]", a.chars().take(60).collect::<String>(), a.len())
            } else {
                a.clone()
            }
        })
        .collect();
    shell_quote(&short)
}

/// Moves the case folder to `target/fuzz-findings/seed-S/<sub>-<index>/` with a `cmd.sh` that
/// reruns it, and returns the kept folder.
fn keep(case: &Case, d: &Dirs, keep_root: &Path, ran: Option<&Ran>) -> PathBuf {
    let kept = keep_root.join(format!("{}-{}", case.sub.name(), case.index));
    let _ = std::fs::remove_dir_all(&kept);
    if std::fs::rename(&d.root, &kept).is_err() {
        // Another filesystem: write the inputs afresh.
        write_inputs(case, &Dirs::at(kept.clone()));
    }
    let k = Dirs::at(kept.clone());
    if k.out.exists() {
        let _ = std::fs::rename(&k.out, kept.join("out.observed"));
    }
    let args = case.args(&k.inp, &k.out);
    let mut script = String::from("#!/bin/sh\n# Rerun from anywhere: DIMORPH=path/to/dimorph sh cmd.sh\n");
    script.push_str(&format!("# mutations: {}\n", case.steps.join("; ").replace('\n', " ")));
    if let Some(r) = ran {
        script.push_str(&format!("# observed: {} in {:.1} s\n", exit_word(r), r.secs));
    }
    script.push_str(&format!(
        "cd \"$(dirname \"$0\")/cwd\" 2>/dev/null\nexec \"${{DIMORPH:-dimorph}}\" {}\n",
        shell_quote(&args)
    ));
    let _ = std::fs::write(kept.join("cmd.sh"), script);
    kept
}

fn exit_word(r: &Ran) -> String {
    match r.status {
        None => "killed at the time limit".into(),
        Some(s) => match (s.code(), signal_of(&s)) {
            (Some(c), _) => format!("exit {c}"),
            (None, Some(sig)) => format!("signal {sig}"),
            _ => "unknown status".into(),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------------------------

/// Cases per subcommand for a total of `total` (the default shares, scaled; at least one each).
fn plan(total: usize) -> Vec<(Sub, usize)> {
    let sum: usize = SUBS.iter().map(|s| s.1).sum();
    SUBS.iter()
        .map(|&(s, w)| (s, (w * total).div_ceil(sum).max(1)))
        .collect()
}

fn run_one(cfg: &Config, case: &Case, work: &Path, keep_root: &Path) -> Record {
    let d = Dirs::at(work.join(case.id().replace(':', "-")));
    let _ = std::fs::remove_dir_all(&d.root);
    write_inputs(case, &d);
    let args = case.args(&d.inp, &d.out);
    let describe = |kept: &Path, ran: Option<&Ran>| {
        let observed = ran.map_or("no run".into(), |r| {
            format!(
                "{} in {:.1} s, stderr: {}",
                exit_word(r),
                r.secs,
                head(r.stderr.trim(), 300)
            )
        });
        format!(
            "      mutations: {}\n      args: dimorph {}\n      observed: {observed}\n      kept: {}/cmd.sh",
            case.steps.join("; ").replace('\n', " "),
            short_args(&args),
            kept.display()
        )
    };
    let ran = match run_case(cfg, &args, &d) {
        Ok(r) => r,
        Err(e) => {
            let kept = keep(case, &d, keep_root, None);
            let f = finding("harness", e);
            return Record {
                sub: case.sub,
                exit: "harness".into(),
                secs: 0.0,
                findings: vec![(case.id(), describe(&kept, None), f)],
            };
        }
    };
    let found = judge(case, &ran, &d);
    let exit = exit_word(&ran);
    if cfg.verbose {
        let first = ran.stderr.lines().find(|l| l.starts_with("error:")).unwrap_or("");
        println!(
            "{:<22} {exit:<8} {:>5.2}s {:<3} {} | {}",
            case.id(),
            ran.secs,
            found.len(),
            head(&case.steps.join("; "), 110),
            head(first, 150)
        );
    }
    let findings = if found.is_empty() {
        let _ = std::fs::remove_dir_all(&d.root);
        Vec::new()
    } else {
        let kept = keep(case, &d, keep_root, Some(&ran));
        let text = describe(&kept, Some(&ran));
        found.into_iter().map(|f| (case.id(), text.clone(), f)).collect()
    };
    Record {
        sub: case.sub,
        exit,
        secs: ran.secs,
        findings,
    }
}

fn summary(records: &[Record], wall: f64) -> String {
    let mut s = String::new();
    let mut per: BTreeMap<Sub, (usize, BTreeMap<String, usize>, f64)> = BTreeMap::new();
    for r in records {
        let e = per.entry(r.sub).or_default();
        e.0 += 1;
        *e.1.entry(r.exit.clone()).or_default() += 1;
        e.2 += r.secs;
    }
    s.push_str(&format!("fuzz_cli: {} cases in {wall:.1} s\n", records.len()));
    for (sub, (n, exits, secs)) in &per {
        let ex: Vec<String> = exits.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        s.push_str(&format!(
            "  {:<17} {n:>4} cases ({}), {secs:.1} s\n",
            sub.name(),
            ex.join(", ")
        ));
    }
    let mut classes: BTreeMap<&str, (usize, BTreeMap<Sub, usize>)> = BTreeMap::new();
    for r in records {
        for (_, _, f) in &r.findings {
            let e = classes.entry(f.class).or_default();
            e.0 += 1;
            *e.1.entry(r.sub).or_default() += 1;
        }
    }
    if classes.is_empty() {
        s.push_str("  findings: none\n");
    }
    for (class, (n, subs)) in &classes {
        let by: Vec<String> = subs.iter().map(|(k, v)| format!("{}: {v}", k.name())).collect();
        s.push_str(&format!("  findings {class}: {n} ({})\n", by.join(", ")));
    }
    s
}

#[test]
fn mutated_inputs_options_and_formulas_never_crash_hang_or_mislead() {
    let cfg = config();
    let base = Base::load();
    let mut cases = Vec::new();
    match &cfg.only {
        // One case, whatever the number of cases it was found among.
        Some((name, i)) => {
            let sub = SUBS.iter().map(|s| s.0).find(|s| s.name() == name);
            let sub = sub.unwrap_or_else(|| panic!("DIMORPH_FUZZ_ONLY: no subcommand '{name}'"));
            cases.push(generate(&base, cfg.seed, sub, *i));
        }
        None => {
            for (sub, n) in plan(cfg.cases) {
                cases.extend((0..n).map(|i| generate(&base, cfg.seed, sub, i)));
            }
        }
    }
    // Slow subcommands first, so the parallel workers finish together.
    cases.sort_by_key(|c| std::cmp::Reverse(matches!(c.sub, Sub::Lifelost | Sub::Embed)));
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .to_path_buf();
    let keep_root = target.join("fuzz-findings").join(format!("seed-{}", cfg.seed));
    if cfg.only.is_none() {
        let _ = std::fs::remove_dir_all(&keep_root);
    }
    std::fs::create_dir_all(&keep_root).expect("findings folder");
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("fuzz-cli-{}", std::process::id()));
    let next = AtomicUsize::new(0);
    let records = Mutex::new(Vec::new());
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..cfg.jobs {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(case) = cases.get(i) else { break };
                let r = run_one(&cfg, case, &work, &keep_root);
                records.lock().unwrap_or_else(|e| e.into_inner()).push(r);
            });
        }
    });
    let _ = std::fs::remove_dir_all(&work);
    let records = records.into_inner().unwrap_or_else(|e| e.into_inner());
    let sum = summary(&records, start.elapsed().as_secs_f64());
    println!("{sum}");
    let mut all: Vec<(&str, &str, &str, &str)> = records
        .iter()
        .flat_map(|r| {
            r.findings
                .iter()
                .map(|(id, text, f)| (f.class, id.as_str(), f.detail.as_str(), text.as_str()))
        })
        .collect();
    all.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    if !all.is_empty() {
        let mut msg = format!("{sum}\n{} finding(s):\n", all.len());
        for (class, id, detail, text) in &all {
            msg.push_str(&format!("[{class}] {id} (seed {}): {detail}\n{text}\n", cfg.seed));
        }
        let list = if cfg.only.is_some() {
            "findings-only.txt"
        } else {
            "findings.txt"
        };
        let _ = std::fs::write(keep_root.join(list), &msg);
        panic!("{msg}\n(also in {})", keep_root.join(list).display());
    }
}
