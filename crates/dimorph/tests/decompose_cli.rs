//! `dimorph lifetable decompose` end to end: the plain table and the subcommand side by side,
//! text, CSV, JSON, files, intervals and exit codes.

use crate::common::run_in_root as run;
use crate::common::{scratch_path, ScratchPath};

/// A path not made yet (the CLI makes it), removed with its scratch folder when dropped.
fn tmp(tag: &str) -> ScratchPath {
    scratch_path("dimorph-dec-cli", tag)
}

const USA: [&str; 5] = ["lifetable", "decompose", "--hmd", "data/hmd/USA", "--year"];

#[test]
fn the_plain_table_still_works_beside_the_subcommand() {
    let (code, out, err) = run(&["lifetable", "--hmd", "data/hmd/USA", "--year", "2010", "--sex", "male"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Period life table, male, 2010"), "{out}");
    let (code, _, err) = run(&["lifetable", "--hmd", "data/hmd/USA", "decompose", "--year", "2010"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot be used with"), "{err}");
    let (code, out, _) = run(&["lifetable", "--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("decompose"), "{out}");
}

#[test]
fn female_male_gap_by_age_and_cause() {
    let dir = tmp("gap");
    let d = dir.to_str().unwrap();
    let mut args = USA.to_vec();
    args.extend(["2010", "--causes", "data/usa_2010_cod.csv", "--out", d]);
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("e0: 2010 female 81.17 − 2010 male 76.33 = 4.842 years"),
        "{out}"
    );
    assert!(
        out.contains("% of difference") && out.contains("Cardiovascular"),
        "{out}"
    );
    for f in [
        "decomposition.csv",
        "decomposition_by_age.csv",
        "decomposition_summary.csv",
        "decomposition_rates.csv",
        "decompose_e_arriaga.svg",
        "decompose_e_dagger_horiuchi.svg",
        "decompose_gini_horiuchi.svg",
        "decompose_sd_horiuchi.svg",
    ] {
        assert!(dir.join(f).exists(), "{f} missing");
    }
    // the main table's Arriaga rows add up to the gap
    let csv = std::fs::read_to_string(dir.join("decomposition.csv")).unwrap();
    let sum: f64 = csv
        .lines()
        .filter(|l| l.starts_with("arriaga,e,"))
        .map(|l| l.rsplit(',').nth(1).unwrap().parse::<f64>().unwrap())
        .sum();
    assert!((sum - 4.842391906645716).abs() < 1e-9, "{sum}");
}

#[test]
fn json_and_csv() {
    let mut args = USA.to_vec();
    args.extend(["2010", "--vs-year", "1950", "--sex", "male", "--format", "json"]);
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["command"], "lifetable decompose");
    assert_eq!(v["result"]["second"]["year"], 1950);
    assert_eq!(
        v["result"]["second"]["sex"], "male",
        "the second table keeps --sex across years"
    );
    assert_eq!(v["options"]["steps"], 50);
    assert_eq!(v["result"]["horiuchi"].as_array().unwrap().len(), 4);
    let mut args = USA.to_vec();
    args.extend(["2010", "--from-age", "65", "--format", "csv"]);
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("method,measure,age,age_group,cause,contribution,percent_of_difference\n"));
    assert!(out.contains("\narriaga,e,65,65,All,"), "{out:.400}");
    assert!(err.contains("only e(x) is decomposed"), "{err}");
}

#[test]
fn intervals_by_simulation() {
    let mut args = USA.to_vec();
    args.extend(["2010", "--ci", "0.9", "--draws", "50", "--seed", "3", "--format", "csv"]);
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.lines().next().unwrap().ends_with(",ci_lower,ci_upper"),
        "{out:.200}"
    );
    let mut args = USA.to_vec();
    args.extend(["2010", "--ci", "0.9", "--draws", "50"]);
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Simulated 90% intervals (Poisson deaths, 50 of 50 draws, seed 1)"),
        "{out}"
    );
}

#[test]
fn bad_input_exits_2_naming_the_argument() {
    for (extra, want) in [
        (
            vec!["2010", "--from-age", "2.5"],
            "--from-age: 2.5 does not start an age group",
        ),
        (vec!["2010", "--steps", "0"], "--steps: must be from 1 to 1000"),
        (
            vec!["2010", "--from-age", "-1"],
            "--from-age: must be an age from 0 to 200",
        ),
        (vec!["2010", "--vs-year", "1800"], "no data for year 1800"),
        (
            vec!["2010", "--cause-shares", "paper"],
            "--cause-shares: applies to cause-of-death data only",
        ),
        (vec!["2010", "--vs-causes", "data/usa_2010_cod.csv"], "--causes"),
        (
            vec!["2010", "--ci", "0.95", "--vs-hmd", "data/hmd/USA"],
            "--ci: intervals of a decomposition need",
        ),
        (
            vec!["1950", "--causes", "data/usa_2010_cod.csv"],
            "cause-of-death deaths for 1950",
        ),
    ] {
        let mut args = USA.to_vec();
        args.extend(extra.iter().copied());
        let (code, _, err) = run(&args);
        assert_eq!(code, 2, "{extra:?}: {err}");
        assert!(err.contains(want), "{extra:?}: {err}");
    }
}

#[test]
fn lifelost_weighs_the_ages_lived_by_a_schedule() {
    let dir = tmp("schedule");
    std::fs::create_dir_all(&dir).unwrap();
    // value 1 at every age: the weighted total is the person-years won
    let ones: String = std::iter::once("age,value\n".to_string())
        .chain((0..=110).map(|a| format!("{a},1\n")))
        .collect();
    let f = dir.join("ones.csv");
    std::fs::write(&f, ones).unwrap();
    let (code, out, err) = run(&[
        "lifelost",
        "--hmd",
        "data/hmd/USA",
        "--year",
        "2010",
        "--schedule",
        f.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["input"]["schedule"].as_str().unwrap().ends_with("ones.csv"));
    let totals = v["result"]["weighted"]["totals"].as_array().unwrap();
    assert_eq!(totals.len(), 2);
    for t in totals {
        let (py, w) = (t["person_years"].as_f64().unwrap(), t["weighted"].as_f64().unwrap());
        assert!((py - w).abs() < 1e-6 * py, "{t}");
    }
    assert!(v["result"]["weighted"]["schedule"]["source"]
        .as_str()
        .unwrap()
        .ends_with("ones.csv"));
    // a bad cell names the file, line and column
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "age,asfr\n20,0.1\n20.5,0.1\n").unwrap();
    let (code, _, err) = run(&[
        "lifelost",
        "--hmd",
        "data/hmd/USA",
        "--year",
        "2010",
        "--schedule",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("bad.csv") && err.contains("line 3") && err.contains("age"),
        "{err}"
    );
    let (code, _, err) = run(&[
        "lifelost",
        "--hmd",
        "data/hmd/USA",
        "--years",
        "2009-2010",
        "--schedule",
        f.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--schedule") && err.contains("--years"), "{err}");
}

/// The `decomposition*.csv` of a folder as (header, rows of fields); the CSV has no quoted
/// commas in these columns (cause names of the bundled file have none).
fn rows(path: &std::path::Path) -> (Vec<String>, Vec<Vec<String>>) {
    let csv = std::fs::read_to_string(path).unwrap();
    let mut lines = csv.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    (
        header,
        lines.map(|l| l.split(',').map(String::from).collect()).collect(),
    )
}

#[test]
fn many_years_rows_add_up_to_each_years_gap_and_equal_single_year_calls() {
    let dir = tmp("years");
    let d = dir.to_str().unwrap();
    let pq = dir.with_extension("parquet");
    let mut args = USA.to_vec();
    args.truncate(4);
    args.extend([
        "--years",
        "2009,2010",
        "--causes",
        "data/usa_2010_cod.csv",
        "--out",
        d,
        "--tidy",
        pq.to_str().unwrap(),
    ]);
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Decomposition by year"), "{out}");
    // 2009 is not in the cause file: decomposed by age for all causes, said so
    assert!(
        err.contains("no cause-of-death deaths for 1 of the 2 years (2009)"),
        "{err}"
    );
    for f in ["decompose_years_cause.svg", "decompose_years_age.svg"] {
        let svg = std::fs::read_to_string(dir.join(f)).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains("2009") && svg.contains("2010"),
            "{f}"
        );
    }
    let (h, long) = rows(&dir.join("decomposition_years.csv"));
    assert_eq!(
        h[..8],
        [
            "year",
            "method",
            "measure",
            "age",
            "age_group",
            "cause",
            "contribution",
            "percent_of_difference"
        ]
    );
    let (sh, summary) = rows(&dir.join("decomposition_summary_years.csv"));
    let col = |h: &[String], name: &str| h.iter().position(|c| c == name).unwrap();
    for year in ["2009", "2010"] {
        // Arriaga's contributions of the year add up to its gap exactly
        let gap: f64 = summary
            .iter()
            .find(|r| r[0] == year && r[1] == "arriaga")
            .map(|r| r[col(&sh, "difference")].parse().unwrap())
            .unwrap();
        let arriaga: Vec<&Vec<String>> = long
            .iter()
            .filter(|r| r[0] == year && r[1] == "arriaga" && r[2] == "e")
            .collect();
        let sum: f64 = arriaga.iter().map(|r| r[6].parse::<f64>().unwrap()).sum();
        assert!((sum - gap).abs() < 1e-9, "{year}: {sum} vs {gap}");
        let pct: f64 = arriaga.iter().map(|r| r[7].parse::<f64>().unwrap()).sum();
        assert!((pct - 100.0).abs() < 1e-7, "{year}: {pct}");
        // the line integral's e contributions within its error of the gap
        let h_sum: f64 = long
            .iter()
            .filter(|r| r[0] == year && r[1] == "horiuchi" && r[2] == "e")
            .map(|r| r[6].parse::<f64>().unwrap())
            .sum();
        assert!((h_sum - gap).abs() < 1e-3, "{year}: {h_sum} vs {gap}");
        let causes: Vec<&str> = arriaga.iter().map(|r| r[5].as_str()).collect();
        if year == "2009" {
            assert!(causes.iter().all(|c| *c == "All"), "{causes:?}");
        } else {
            assert!(causes.contains(&"Cardiovascular") && !causes.contains(&"All"));
        }
        // every row equals the single-year call's
        let one = tmp(&format!("year{year}"));
        let mut args1 = USA.to_vec();
        args1.extend([year, "--out", one.to_str().unwrap()]);
        if year == "2010" {
            args1.extend(["--causes", "data/usa_2010_cod.csv"]);
        }
        let (code, _, err) = run(&args1);
        assert_eq!(code, 0, "{err}");
        let (h1, single) = rows(&one.join("decomposition.csv"));
        assert_eq!(h[1..], h1[..]);
        let mine: Vec<&[String]> = long.iter().filter(|r| r[0] == year).map(|r| &r[1..]).collect();
        assert_eq!(mine.len(), single.len(), "{year}");
        for (a, b) in mine.iter().zip(&single) {
            assert_eq!(*a, &b[..], "{year}");
        }
    }
    // the Parquet copy holds the same rows
    let f = dimorph_data::read_parquet(&pq).unwrap();
    assert_eq!(f.nrows, long.len());
    let years = f.numeric("year").unwrap();
    assert_eq!((years[0], years[f.nrows - 1]), (2009.0, 2010.0));
    let c = f.numeric("contribution").unwrap();
    let total: f64 = c.iter().sum();
    let csv_total: f64 = long.iter().map(|r| r[6].parse::<f64>().unwrap()).sum();
    assert!((total - csv_total).abs() < 1e-9, "{total} vs {csv_total}");
}

#[test]
fn many_years_with_intervals_and_a_missing_year() {
    let mut args = USA.to_vec();
    args.truncate(4);
    args.extend(["--years", "2010", "--ci", "0.9", "--draws", "50", "--format", "csv"]);
    let (code, csv, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let header = csv.lines().next().unwrap();
    assert!(
        header.starts_with("year,method") && header.ends_with("ci_lower,ci_upper"),
        "{header}"
    );
    // Arriaga's rows have ordered bounds, nearly all around the estimate
    let (mut n, mut inside) = (0, 0);
    for l in csv.lines().filter(|l| l.starts_with("2010,arriaga,e,")) {
        let f: Vec<f64> = l.rsplit(',').take(4).map(|x| x.parse().unwrap()).collect();
        let (upper, lower, est) = (f[0], f[1], f[3]);
        assert!(lower <= upper && upper.is_finite(), "{l}");
        n += 1;
        inside += usize::from(lower <= est && est <= upper);
    }
    assert_eq!(n, 111);
    assert!(inside >= 100, "{inside} of 111");
    // the same rows and bounds as the single-year call with the same seed
    let mut one = USA.to_vec();
    one.extend(["2010", "--ci", "0.9", "--draws", "50", "--format", "csv"]);
    let (code, single, err) = run(&one);
    assert_eq!(code, 0, "{err}");
    let many: Vec<&str> = csv.lines().skip(1).map(|l| l.strip_prefix("2010,").unwrap()).collect();
    let single: Vec<&str> = single.lines().skip(1).collect();
    assert_eq!(many, single);
    // JSON: the input names the years, the result holds every year's decomposition
    let mut args = USA.to_vec();
    args.truncate(4);
    args.extend(["--years", "2009-2010", "--format", "json"]);
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["input"]["years"], "2009-2010");
    let by_year = v["result"]["by_year"].as_array().unwrap();
    assert_eq!(by_year.len(), 2);
    assert_eq!(by_year[1]["year"], 2010);
    let gap = by_year[1]["result"]["arriaga"]["difference"].as_f64().unwrap();
    assert!((gap - 4.842391906645716).abs() < 1e-9, "{gap}");
    // a year the data lack: exit 2, named
    let mut args = USA.to_vec();
    args.truncate(4);
    args.extend(["--years", "2010,2025"]);
    let (code, _, err) = run(&args);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("2025"), "{err}");
    // one year at a time or many, not both
    let mut args = USA.to_vec();
    args.extend(["2010", "--years", "2009-2010"]);
    let (code, _, err) = run(&args);
    assert_eq!(code, 2);
    assert!(err.contains("cannot be used with"), "{err}");
}

#[test]
fn help_ends_with_runnable_examples() {
    let (code, out, _) = run(&["lifetable", "decompose", "--help"]);
    assert_eq!(code, 0);
    let ex = out.split("Examples:").nth(1).unwrap_or_else(|| panic!("{out}"));
    let lines: Vec<&str> = ex.lines().filter(|l| l.trim().starts_with("dimorph")).collect();
    assert!(lines.len() >= 3 && lines.iter().any(|l| l.contains("--years")), "{out}");
    for l in lines {
        // the examples' output files and folders are left out (they would stay in the repository)
        let mut args: Vec<&str> = l.split_whitespace().skip(1).collect();
        while let Some(i) = args.iter().position(|a| ["--out", "--tidy"].contains(a)) {
            args.drain(i..(i + 2).min(args.len()));
        }
        let (code, out, err) = run(&args);
        assert_eq!(code, 0, "{l}: {err}");
        assert!(!out.is_empty(), "{l}");
    }
}

/// fuzz lifelost:52@7, lifetable:56@123: a --years value starting with '-' was read as an unknown
/// flag; it is a (bad) years value, refused naming --years.
#[test]
fn a_years_value_starting_with_a_minus_is_a_value_not_a_flag() {
    for words in [&["lifetable"][..], &["lifetable", "decompose"], &["lifelost"]] {
        let mut args = words.to_vec();
        args.extend(["--hmd", "data/hmd/USA", "--years", "-10000-10000"]);
        if words == ["lifelost"] {
            args.extend(["--causes", "data/usa_2010_cod.csv"]);
        }
        let (code, _, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.contains("--years") && !err.contains("unexpected argument"),
            "{args:?}: {err}"
        );
    }
}

/// fuzz lifelost:81@31: a missing deaths cell ('.') in the causes file was quoted as 'NaN'.
#[test]
fn a_missing_deaths_cell_in_the_causes_file_is_called_missing() {
    let dir = tmp("missing_deaths");
    std::fs::create_dir_all(&dir).unwrap();
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/usa_2010_cod.csv");
    let text = std::fs::read_to_string(src).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines[2] = lines[2].rsplit_once(',').map(|(a, _)| format!("{a},.")).unwrap();
    let f = dir.join("causes.csv");
    std::fs::write(&f, lines.join("\n") + "\n").unwrap();
    let (code, _, err) = run(&[
        "lifelost",
        "--hmd",
        "data/hmd/USA",
        "--year",
        "2010",
        "--causes",
        f.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("line 3") && err.contains("missing"), "{err}");
    assert!(!err.contains("NaN"), "{err}");
}
