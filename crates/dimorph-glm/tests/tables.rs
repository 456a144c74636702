//! The engine's entry point `run` and its tidy tables: a factor level holding a comma, a double
//! quote and a newline comes back unchanged from every CSV the engine writes (read with the csv
//! crate: same rows, same fields), the outcome carries the tables, sections and warnings the
//! contract names, and options that do not apply are refused with the reason.

use dimorph_glm::{run, Family, Link, RunOptions};

const NASTY: &str = "vessels, heart \"and\"\nmore";

/// y counts by a two-level factor g (one level is NASTY) and a covariate x; one row misses x.
fn data() -> dimorph_data::Frame {
    let quoted = format!("\"{}\"", NASTY.replace('"', "\"\""));
    let rows = [
        (2, "plain", "1.0"),
        (3, &quoted, "2.0"),
        (1, "plain", "1.5"),
        (5, &quoted, "3.0"),
        (4, "plain", "2.5"),
        (6, &quoted, "3.5"),
        (2, "plain", "NA"),
        (7, &quoted, "4.0"),
        (3, "plain", "2.0"),
    ];
    let mut text = String::from("y,g,x\n");
    for (y, g, x) in rows {
        text.push_str(&format!("{y},{g},{x}\n"));
    }
    dimorph_data::read_csv_bytes("nasty.csv", text.as_bytes()).expect("csv")
}

fn new_data() -> dimorph_data::Frame {
    let text = format!("g,x\nplain,1\n\"{}\",2\nplain,NA\n", NASTY.replace('"', "\"\""));
    dimorph_data::read_csv_bytes("new.csv", text.as_bytes()).expect("csv")
}

/// Parses CSV text with the csv crate: the header and the records, every record as wide as the
/// header.
fn parse(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = r.headers().expect("header").iter().map(String::from).collect();
    let rows: Vec<Vec<String>> = r
        .records()
        .map(|x| x.expect("valid record").iter().map(String::from).collect())
        .collect();
    for row in &rows {
        assert_eq!(row.len(), header.len(), "{row:?}");
    }
    (header, rows)
}

fn opts() -> RunOptions {
    RunOptions {
        family: Some(Family::Poisson),
        residuals: true,
        ..Default::default()
    }
}

#[test]
fn every_csv_round_trips_a_hostile_level() {
    let o = run(&data(), "y ~ g + x", Some(&new_data()), &opts()).expect("run");
    let names: Vec<&str> = o.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["coefficients", "fit", "type3", "residuals", "predictions"]);
    let term = format!("g{NASTY}");
    for t in &o.tables {
        let file = t.to_file();
        assert_eq!(file.name, format!("{}.csv", t.name));
        let (header, rows) = parse(&String::from_utf8(file.bytes).expect("utf-8"));
        assert_eq!(header, t.columns, "{}", t.name);
        assert_eq!(rows.len(), t.rows.len(), "{}", t.name);
        for (row, cells) in rows.iter().zip(&t.rows) {
            let want: Vec<String> = cells.iter().map(|c| c.to_field()).collect();
            assert_eq!(row, &want, "{}", t.name);
        }
    }
    // the term names of coefficients.csv, exactly as the fit has them
    let (_, coefs) = parse(&o.tables[0].to_csv());
    let terms: Vec<&str> = coefs.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(terms, ["(Intercept)", term.as_str(), "x"]);
    let fit_terms: Vec<&str> = o
        .result
        .inference
        .coefficients
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(terms, fit_terms);
    // residuals.csv: one row per used row (8 of 9), by file line; predictions.csv: 2 of 3 rows
    let (_, res) = parse(&o.tables[3].to_csv());
    assert_eq!(res.len(), 8);
    let lines: Vec<usize> = res.iter().map(|r| r[0].parse().expect("line")).collect();
    assert_eq!(
        lines,
        o.result
            .residuals
            .as_ref()
            .expect("residuals")
            .iter()
            .map(|r| r.line)
            .collect::<Vec<_>>()
    );
    let (_, pred) = parse(&o.tables[4].to_csv());
    assert_eq!(pred.len(), 2);
    // the engine reports rows it skipped as warnings, not on a terminal
    assert!(
        o.warnings.iter().any(|w| w.contains("1 of 9 rows dropped")),
        "{:?}",
        o.warnings
    );
    assert!(
        o.warnings.iter().any(|w| w.contains("new.csv: 1 of 3 rows skipped")),
        "{:?}",
        o.warnings
    );
}

#[test]
fn outcome_has_the_report_and_a_tidy_main_table() {
    let frame = dimorph_data::read_csv(format!("{}/../../data/crabs.csv", env!("CARGO_MANIFEST_DIR"))).expect("crabs");
    let o = run(
        &frame,
        "satell ~ width",
        None,
        &RunOptions {
            family: Some(Family::Poisson),
            link: Some(Link::Log),
            ..Default::default()
        },
    )
    .expect("run");
    assert_eq!(
        o.tables[0].columns,
        [
            "term",
            "estimate",
            "std_error",
            "statistic",
            "p_value",
            "conf_low",
            "conf_high",
            "conf_method",
            "std_error_type"
        ]
    );
    assert_eq!(o.tables.len(), 3, "no residuals or predictions unless asked");
    let text = o.to_text();
    assert!(text.starts_with("glm: satell ~ width  (poisson, link = log)"), "{text}");
    assert!(text.contains("Criteria For Assessing Goodness Of Fit") && text.contains("Residual deviance"));
    assert!(!o.summary.is_empty() && o.summary.len() <= 4);
    assert!(o.summary.iter().all(|l| !l.contains('{')));
    // the default family follows the response: gaussian here
    let g = run(&frame, "satell ~ width", None, &RunOptions::default()).expect("gaussian");
    assert_eq!(g.result.fit.family, Family::Gaussian);
}

#[test]
fn options_that_do_not_apply_are_refused_with_the_reason() {
    let frame = data();
    let refuse = |o: RunOptions| {
        run(&frame, "y ~ g + x", None, &o)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    let e = refuse(RunOptions {
        family: Some(Family::Poisson),
        theta: Some(2.0),
        ..Default::default()
    });
    assert!(e.starts_with("--theta: applies to the negative binomial"), "{e}");
    let e = refuse(RunOptions {
        family: Some(Family::Poisson),
        binwidth: Some(0.0),
        ..Default::default()
    });
    assert!(e.starts_with("--binwidth: applies to --family binomial only"), "{e}");
    let e = refuse(RunOptions {
        level: 1.5,
        ..Default::default()
    });
    assert!(e.starts_with("--level: must be between 0 and 1"), "{e}");
    let e = refuse(RunOptions {
        family: Some(Family::Binomial),
        ..Default::default()
    });
    assert!(e.starts_with("nasty.csv: line 2: the binomial response"), "{e}");
}
