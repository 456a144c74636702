//! `dimorph lifetable` / `dimorph lifelost` with `--ci` and `--years` end to end: interval columns
//! in CSV, JSON and text; the long table as CSV and Parquet (read back); the trend figures;
//! reproducible by seed; bad --years / --ci / --draws refused with exit 2 naming the flag.

use crate::common::run_in_root as run;
use crate::common::{scratch_dir, ScratchDir};

/// A new, empty folder, removed with its files when dropped.
fn tmp(tag: &str) -> ScratchDir {
    scratch_dir(&format!("dimorph-lty-cli-{tag}"))
}

const CI: [&str; 6] = ["--ci", "0.95", "--draws", "100", "--seed", "7"];

#[test]
fn intervals_in_csv_json_and_text() {
    let base = [
        "lifetable",
        "--hmd",
        "data/hmd/USA",
        "--year",
        "2010",
        "--sex",
        "female",
    ];
    let args = |extra: &[&'static str]| -> Vec<&str> { base.iter().chain(CI.iter()).chain(extra).copied().collect() };
    let (code, csv, err) = run(&args(&["--format", "csv"]));
    assert_eq!(code, 0, "{err}");
    let mut lines = csv.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    for c in [
        "ex",
        "ex_chiang_se",
        "ex_chiang_lower",
        "ex_chiang_upper",
        "ex_sim_se",
        "ex_sim_lower",
        "ex_sim_upper",
    ] {
        assert!(head.contains(&c), "{c} in {head:?}");
    }
    let first: Vec<f64> = lines
        .next()
        .unwrap()
        .split(',')
        .skip(5)
        .map(|v| v.parse().unwrap())
        .collect();
    let col = |name: &str| first[head.iter().position(|h| *h == name).unwrap() - 5];
    assert!(col("ex_chiang_lower") < col("ex") && col("ex") < col("ex_chiang_upper"));
    assert!(col("ex_sim_lower") < col("ex") && col("ex") < col("ex_sim_upper"));
    // the same seed gives the same CSV; another seed other simulated limits
    let (_, again, _) = run(&args(&["--format", "csv"]));
    assert_eq!(csv, again);
    let other: Vec<&str> = base
        .iter()
        .copied()
        .chain(["--ci", "0.95", "--draws", "100", "--seed", "8", "--format", "csv"])
        .collect();
    assert_ne!(run(&other).1, csv);
    let (code, json, _) = run(&args(&["--format", "json"]));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let iv = &v["result"]["intervals"];
    assert_eq!(iv["level"], 0.95);
    assert_eq!(iv["draws"]["draws"], 100);
    assert!(iv["chiang"][0]["se"].as_f64().unwrap() > 0.0);
    assert_eq!(v["options"]["intervals"]["seed"], 7);
    let (code, text, _) = run(&args(&[]));
    assert_eq!(code, 0);
    assert!(text.contains("Life expectancy with 95% confidence intervals"), "{text}");
}

#[test]
fn lifelost_table2_intervals() {
    let (code, out, err) = run(&[
        "lifelost",
        "--hmd",
        "data/hmd/USA",
        "--year",
        "2010",
        "--causes",
        "data/usa_2010_cod.csv",
        "--ci",
        "0.9",
        "--draws",
        "30",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Table 2 with 90% confidence intervals (Poisson simulation)"),
        "{out}"
    );
    let dir = tmp("t2");
    let d = dir.to_str().unwrap();
    let (code, _, err) = run(&[
        "lifelost",
        "--hmd",
        "data/hmd/USA",
        "--year",
        "2010",
        "--causes",
        "data/usa_2010_cod.csv",
        "--ci",
        "0.9",
        "--draws",
        "30",
        "--out",
        d,
    ]);
    assert_eq!(code, 0, "{err}");
    let t = std::fs::read_to_string(dir.join("table2_intervals.csv")).unwrap();
    assert!(t.starts_with("cause,sex,measure,estimate,se,lower,upper,level"), "{t}");
    assert_eq!(t.lines().count(), 1 + 8 * 2 * 4);
}

#[test]
fn many_years_long_table_parquet_and_trend() {
    let dir = tmp("years");
    let pq = dir.join("long.parquet");
    let out = dir.join("out");
    let (code, text, err) = run(&[
        "lifetable",
        "--hmd",
        "data/hmd/USA",
        "--years",
        "1933-1935,2010",
        "--tidy",
        pq.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--parquet",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(text.contains("Life expectancy at birth by year"), "{text}");
    for f in [
        "lifetable_years.csv",
        "lifetable_years.parquet",
        "e0_trend.csv",
        "e0_gap.csv",
        "e0_trend.svg",
        "e0_gap_trend.svg",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let csv = std::fs::read_to_string(out.join("lifetable_years.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 4 * 2 * 111);
    assert!(csv.starts_with("year,sex,age,"));
    for p in [pq, out.join("lifetable_years.parquet")] {
        let f = dimorph_data::read_parquet(&p).unwrap();
        assert_eq!(f.nrows, 4 * 2 * 111);
        let years = f.numeric("year").unwrap();
        assert_eq!((years[0], years[f.nrows - 1]), (1933.0, 2010.0));
    }
    // --format csv prints the long table; a list of years
    let (code, csv2, _) = run(&[
        "lifetable",
        "--hmd",
        "data/hmd/USA",
        "--years",
        "1950,2010",
        "--sex",
        "male",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0);
    assert_eq!(csv2.lines().count(), 1 + 2 * 111);
    let (code, out, err) = run(&[
        "lifelost",
        "--hmd",
        "data/hmd/USA",
        "--years",
        "2009-2010",
        "--causes",
        "data/usa_2010_cod.csv",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("no cause-of-death deaths for 1 of the 2 years (2009)"),
        "{err}"
    );
    assert_eq!(out.lines().count(), 1 + (1 + 8) * 2 * 111);
}

#[test]
fn bad_years_and_interval_flags_exit_2_naming_them() {
    for (args, want) in [
        (vec!["--years", "1920-1935"], "13 of the years asked for: 1920, 1921"),
        (
            vec!["--years", "2019-1933"],
            "--years: the range 2019-1933 runs backwards",
        ),
        (vec!["--years", "1950,x"], "--years: 'x' is not a year"),
        (
            vec!["--year", "2010", "--sex", "male", "--ci", "1.5"],
            "--ci: the confidence level must be above 0.5",
        ),
        (
            vec!["--year", "2010", "--sex", "male", "--ci", "0.95", "--draws", "3"],
            "--draws: must be from 10 to 100000",
        ),
    ] {
        let mut a = vec!["lifetable", "--hmd", "data/hmd/USA"];
        a.extend(args.iter().copied());
        let (code, _, err) = run(&a);
        assert_eq!(code, 2, "{a:?}: {err}");
        assert!(err.contains(want), "{a:?}: {err}");
    }
    let (code, _, err) = run(&["lifetable", "--hmd", "data/hmd/USA", "--years", "1920-1935"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("USA.Deaths_1x1.txt") && err.contains("years 1933-2019"),
        "{err}"
    );
    // --year and --years together, --draws without --ci: clap refuses (exit 2)
    let (code, _, _) = run(&[
        "lifetable",
        "--hmd",
        "data/hmd/USA",
        "--year",
        "2010",
        "--years",
        "2010",
        "--sex",
        "male",
    ]);
    assert_eq!(code, 2);
    let (code, _, _) = run(&[
        "lifetable",
        "--hmd",
        "data/hmd/USA",
        "--year",
        "2010",
        "--sex",
        "male",
        "--draws",
        "50",
    ]);
    assert_eq!(code, 2);
}
