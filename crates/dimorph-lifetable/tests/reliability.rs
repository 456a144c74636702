//! Issue 14, one test per defect class of the life-table engine: swapped HMD files, bytes that
//! are not text, absurd years, ages and counts, megabyte cells, out-of-range options, and values
//! that come out undefined (never a silent NaN or infinity).

use crate::common;
use common::*;
use dimorph_core::Cell;
use dimorph_lifetable::*;
use std::path::{Path, PathBuf};

fn usa() -> PathBuf {
    data_dir().join("hmd/USA")
}

/// An HMD folder with the two files given (`None`: the bundled one).
fn hmd_with(tag: &str, deaths: Option<&[u8]>, exposures: Option<&[u8]>) -> ScratchDir {
    let dir = temp_dir(tag);
    let d = std::fs::read(usa().join("USA.Deaths_1x1.txt")).unwrap();
    let e = std::fs::read(usa().join("USA.Exposures_1x1.txt")).unwrap();
    std::fs::write(dir.join("USA.Deaths_1x1.txt"), deaths.unwrap_or(&d)).unwrap();
    std::fs::write(dir.join("USA.Exposures_1x1.txt"), exposures.unwrap_or(&e)).unwrap();
    dir
}

/// The bundled Deaths file with line `line` (1-based) replaced.
fn deaths_with_line(line: usize, text: &str) -> Vec<u8> {
    let d = std::fs::read_to_string(usa().join("USA.Deaths_1x1.txt")).unwrap();
    let mut lines: Vec<&str> = d.lines().collect();
    lines[line - 1] = text;
    lines.join("\n").into_bytes()
}

fn hmd_err(dir: &Path) -> String {
    match read_hmd_dir(dir) {
        Ok(_) => panic!("{}: accepted", dir.display()),
        Err(e) => e.to_string(),
    }
}

fn csv_file(tag: &str, body: &str) -> ScratchPath {
    temp_file(tag, "data.csv", body)
}

#[test]
fn swapped_deaths_and_exposures_are_refused_naming_both_files() {
    let d = std::fs::read(usa().join("USA.Deaths_1x1.txt")).unwrap();
    let e = std::fs::read(usa().join("USA.Exposures_1x1.txt")).unwrap();
    let dir = hmd_with("swap", Some(&e), Some(&d));
    let msg = hmd_err(&dir);
    assert!(
        msg.contains("USA.Deaths_1x1.txt: line 1") && msg.contains("USA.Exposures_1x1.txt") && msg.contains("swapped"),
        "{msg}"
    );
    // a Deaths file whose title names another quantity (an Mx file renamed)
    let title = "The United States of America, Death rates (period 1x1), \tLast modified: 17 Mar 2021";
    let dir = hmd_with("mx", Some(&deaths_with_line(1, title)), None);
    let msg = hmd_err(&dir);
    assert!(
        msg.contains("line 1") && msg.contains("does not name 'Deaths'") && msg.contains("USA.Exposures_1x1.txt"),
        "{msg}"
    );
}

#[test]
fn bytes_that_are_not_text_are_refused_with_their_line() {
    let mut d = deaths_with_line(
        20,
        "  1933          16             1234.56        1000.00        2234.56",
    );
    let at = d.windows(7).position(|w| w == b"1234.56").unwrap();
    d[at + 2] = 0xff;
    let msg = hmd_err(&hmd_with("utf8", Some(&d), None));
    assert!(
        msg.contains("USA.Deaths_1x1.txt: line 20") && msg.contains("not UTF-8"),
        "{msg}"
    );
}

#[test]
fn absurd_years_ages_and_counts_are_refused_before_use() {
    let row = |y: &str, a: &str, v: &str| format!("  {y}   {a}   {v}   1000.00   2000.00");
    for (line, text, want) in [
        (
            5,
            row("1000000000000", "0", "5"),
            "year '1000000000000' is not a whole number from 1 to 9999",
        ),
        (
            5,
            row("1933", "1000000000", "5"),
            "age '1000000000' is not a whole number from 0 to 150",
        ),
        (5, row("-5", "0", "5"), "year '-5'"),
    ] {
        let msg = hmd_err(&hmd_with("absurd", Some(&deaths_with_line(line, &text)), None));
        assert!(
            msg.contains("USA.Deaths_1x1.txt: line 5") && msg.contains(want),
            "{msg}"
        );
    }
    // a count above 10^12 makes its year unusable, with the reason on asking for it
    let dir = hmd_with("count", Some(&deaths_with_line(5, &row("1933", "1", "1e300"))), None);
    let data = read_hmd_dir(&dir).unwrap();
    let msg = run_lifetable(&data, 1933, Sex::Female, &LifeTableOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("line 5") && msg.contains("deaths (1e300) above 10^12"),
        "{msg}"
    );
    // the tidy reader: year 10^12, age 10^9, exposure 10^15, a rate too large to be a number
    let head = "year,sex,age,deaths,exposure\n";
    for (body, want) in [
        (
            "1e12,male,0,1,10\n",
            "line 2: column 'year': '1000000000000' is not a year",
        ),
        (
            "2010,male,1e9,1,10\n",
            "line 2: column 'age': '1000000000' is not an age",
        ),
        (
            "2010,male,0,1,1e15\n2010,male,1,1,10\n",
            "line 2: 2010 male, age 0: exposure (1e15) above 10^12",
        ),
        (
            "2010,male,0,1e12,1e-300\n2010,male,1,1,10\n",
            "too large to be a number",
        ),
    ] {
        let p = csv_file("tidy", &format!("{head}{body}"));
        let msg = read_tidy_csv(&p).map(|_| ()).unwrap_err().to_string();
        assert!(msg.contains("data.csv") && msg.contains(want), "{msg}");
    }
}

#[test]
fn the_open_age_group_must_agree_between_the_files() {
    let d = std::fs::read_to_string(usa().join("USA.Deaths_1x1.txt")).unwrap();
    let (k, last) = d.lines().enumerate().find(|(_, l)| l.contains("110+")).unwrap();
    let msg = hmd_err(&hmd_with(
        "open",
        Some(&deaths_with_line(k + 1, &last.replace("110+", "110 "))),
        None,
    ));
    assert!(
        msg.contains(&format!("line {}", k + 1)) && msg.contains("open age group must agree"),
        "{msg}"
    );
}

#[test]
fn megabyte_cells_give_short_messages() {
    let big = "x".repeat(1 << 20);
    let short = |msg: &str| msg.len() < 400 && msg.contains('…');
    // HMD: a number cell, a year cell, the header
    for (line, text) in [
        (5, format!("  1933   0   {big}   1.0   2.0")),
        (5, format!("  {big}-   0   1.0   1.0   2.0")),
        (3, format!("  Year  Age  {big}")),
    ] {
        let msg = hmd_err(&hmd_with("big", Some(&deaths_with_line(line, &text)), None));
        assert!(
            short(&msg) && msg.contains(&format!("line {line}")),
            "{}",
            &msg[..msg.len().min(400)]
        );
    }
    // tidy CSV: a text cell where a number belongs (the data reader's message), a sex, an age
    let head = "year,sex,age,deaths,exposure\n";
    for body in [
        format!("2010,male,0,{big},10\n"),
        format!("2010,{big},0,1,10\n"),
        format!("2010,male,{big},1,10\n"),
    ] {
        let p = csv_file("bigcell", &format!("{head}{body}"));
        let msg = read_tidy_csv(&p).map(|_| ()).unwrap_err().to_string();
        assert!(short(&msg) && msg.contains("line 2"), "{}", &msg[..msg.len().min(400)]);
    }
    // cause CSV: a megabyte cause name repeated on one age
    let p = csv_file(
        "bigcause",
        &format!("year,sex,age,cause,deaths\n2010,male,0,{big},1\n2010,male,0,{big},2\n"),
    );
    let msg = CauseDeaths::read_csv(&p, None).map(|_| ()).unwrap_err().to_string();
    assert!(short(&msg) && msg.contains("line 3"), "{}", &msg[..msg.len().min(400)]);
    // a megabyte column name that is missing
    let p = csv_file("bigcol", &format!("year,sex,{big},deaths,exposure\n2010,male,0,1,10\n"));
    let msg = read_tidy_csv(&p).map(|_| ()).unwrap_err().to_string();
    assert!(short(&msg) && msg.contains("'age'"), "{}", &msg[..msg.len().min(400)]);
}

#[test]
fn options_out_of_range_are_refused_with_their_bounds() {
    for radix in [1e308, -1.0, 0.0, 0.5, 2e9, f64::NAN, f64::INFINITY] {
        let o = LifeTableOptions {
            radix,
            ..Default::default()
        };
        let msg = o.validate().unwrap_err().to_string();
        assert!(
            msg.starts_with("--radix: must be a positive number from 1 to 1000000000") && msg.len() < 120,
            "{msg}"
        );
    }
    let data = read_hmd_dir(&usa()).unwrap();
    let opts = LifeTableOptions::default();
    for year in [-5, 0, 10_000, i32::MAX] {
        let msg = run_lifetable(&data, year, Sex::Male, &opts).unwrap_err().to_string();
        assert_eq!(msg, format!("--year: must be a year from 1 to 9999, got {year}"));
    }
    // lifelost compares females and males: total is refused with the reason
    let msg = run_lifelost(&data, None, 2010, &[Sex::Total], None, &LifeLostOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        msg.starts_with("--sex: total is not supported by lifelost") && msg.contains("lifetable --sex total"),
        "{msg}"
    );
}

fn non_finite(t: &dimorph_core::TidyTable) -> usize {
    t.rows
        .iter()
        .flatten()
        .filter(|c| matches!(c, Cell::Num(x) if !x.is_finite()))
        .count()
}

#[test]
fn an_open_age_rate_too_small_to_close_the_table_is_refused() {
    // 1e-188 deaths over 10^12 person-years: e = 1/m would be 10^200 years (a 200-digit table)
    let mut body = String::from("year,sex,age,deaths,exposure\n");
    for a in 0..=100 {
        let (d, e) = if a == 100 { ("1e-188", "1e12") } else { ("10", "1000") };
        body.push_str(&format!("2010,male,{a},{d},{e}\n"));
    }
    let (data, _) = read_tidy_csv(&csv_file("tiny", &body)).unwrap();
    let opts = LifeTableOptions {
        smoothing: Smoothing::None,
        ..Default::default()
    };
    let msg = run_lifetable(&data, 2010, Sex::Male, &opts).unwrap_err().to_string();
    assert!(
        msg.contains("data.csv: 2010 male, age 100+") && msg.contains("1e-200") && msg.contains("below 1e-6"),
        "{msg}"
    );
}

#[test]
fn a_cause_without_deaths_has_undefined_means_with_a_warning() {
    let src = std::fs::read_to_string(data_dir().join("usa_2010_cod.csv")).unwrap();
    let mut body = String::new();
    for (i, l) in src.lines().enumerate() {
        let f: Vec<&str> = l.split(',').collect();
        if i > 0 && f[1] == "female" && f[5] == "Infant" {
            body.push_str(&format!("{},0.0\n", f[..7].join(",")));
        } else {
            body.push_str(l);
            body.push('\n');
        }
    }
    let causes = CauseDeaths::read_csv(&csv_file("nodeaths", &body), None).unwrap();
    let data = read_hmd_dir(&usa()).unwrap();
    let o = run_lifelost(
        &data,
        Some(&causes),
        2010,
        &[Sex::Female, Sex::Male],
        Some("Infant"),
        &LifeLostOptions::default(),
    )
    .unwrap();
    let w = o.warnings.join("\n");
    assert!(
        w.contains("2010 female, 'Infant': no deaths to save") && w.contains("undefined"),
        "{w}"
    );
    let t2 = o.tables.iter().find(|t| t.name == "table2_means").unwrap();
    assert_eq!(non_finite(t2), 4, "the four means of Infant, female");
    let text = o.to_text();
    assert!(!text.contains("NaN") && !text.contains("inf "), "{text}");
}

#[test]
fn lists_in_messages_are_cut() {
    // a folder with 300 Deaths files: the message counts them and lists a few
    let dir = temp_dir("many");
    for k in 0..300 {
        std::fs::write(dir.join(format!("COUNTRY{k:0>100}.Deaths_1x1.txt")), "").unwrap();
    }
    let msg = hmd_err(&dir);
    assert!(msg.contains("300 '*.Deaths_1x1.txt' files") && msg.len() < 600, "{msg}");
}

/// A cause column with thousands of distinct values (a count column chosen by mistake) is refused
/// before any matrix is built (it used to take 5 GB).
#[test]
fn too_many_cause_groups_are_refused_before_allocating() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/usa_2010_cod.csv");
    let e = dimorph_lifetable::causes::CauseDeaths::read_csv(&path, Some("deaths"));
    let msg = match e {
        Ok(_) => panic!("a deaths column taken as causes was accepted"),
        Err(e) => e.to_string(),
    };
    assert!(
        msg.contains("distinct cause groups") && msg.contains("--group-column"),
        "{msg}"
    );
    assert!(
        msg.contains("usa_2010_cod.csv") && msg.contains("column 'deaths'"),
        "{msg}"
    );
}
