//! The entry points' outcomes: every tidy table read back by a CSV parser (the `csv` crate) with
//! a cause group named with a comma, a double quote and a newline; the tables and files each
//! analysis returns; options refused with the option's name.

use crate::common;
use common::*;
use dimorph_lifetable::*;

const NASTY: &str = "Heart, \"vessels\"\nand blood";

/// The bundled cause-of-death file with `Cardiovascular` renamed `name`, as quoted CSV.
fn causes_named(name: &str) -> CauseDeaths {
    let src = std::fs::read_to_string(data_dir().join("usa_2010_cod.csv")).unwrap();
    let mut r = csv::Reader::from_reader(src.as_bytes());
    let dir = temp_dir("nasty");
    let p = dir.join("cod.csv");
    let mut w = csv::Writer::from_path(&p).unwrap();
    w.write_record(r.headers().unwrap()).unwrap();
    for rec in r.records() {
        let rec = rec.unwrap();
        let row: Vec<&str> = rec
            .iter()
            .map(|f| if f == "Cardiovascular" { name } else { f })
            .collect();
        w.write_record(&row).unwrap();
    }
    w.flush().unwrap();
    CauseDeaths::read_csv(&p, None).unwrap()
}

fn records(csv_text: &str) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let mut r = csv::ReaderBuilder::new().from_reader(csv_text.as_bytes());
    let head = r.headers().unwrap().clone();
    let rows = r.records().map(|x| x.unwrap()).collect();
    (head, rows)
}

#[test]
fn every_table_round_trips_a_cause_name_with_comma_quote_and_newline() {
    let data = read_hmd_dir(&data_dir().join("hmd/USA")).unwrap();
    let both = [Sex::Female, Sex::Male];
    let opts = LifeLostOptions::default();
    let plain = CauseDeaths::read_csv(&data_dir().join("usa_2010_cod.csv"), None).unwrap();
    let nasty = causes_named(NASTY);
    assert!(nasty.groups.iter().any(|g| g == NASTY));
    let a = run_lifelost(&data, Some(&plain), 2010, &both, None, &opts).unwrap();
    let b = run_lifelost(&data, Some(&nasty), 2010, &both, None, &opts).unwrap();
    assert_eq!(a.tables.len(), b.tables.len());
    assert_eq!(b.tables.len(), 4 + 2 * 8 * 3);
    for t in &b.tables {
        let file = t.to_file();
        let text = String::from_utf8(file.bytes).unwrap();
        let (head, rows) = records(&text);
        assert_eq!(head.len(), t.columns.len(), "{}", t.name);
        assert_eq!(rows.len(), t.rows.len(), "{}: same rows", t.name);
        for (rec, row) in rows.iter().zip(&t.rows) {
            assert_eq!(rec.len(), t.columns.len(), "{}: same fields", t.name);
            for (field, cell) in rec.iter().zip(row) {
                assert_eq!(field, cell.to_field(), "{}", t.name);
            }
        }
        // the same table from the plainly named file has as many rows
        let twin = t.name.replace("heart___vessels__and_blood", "cardiovascular");
        let ta = a
            .tables
            .iter()
            .find(|x| x.name == twin)
            .unwrap_or_else(|| panic!("{twin}"));
        assert_eq!(ta.rows.len(), t.rows.len(), "{}", t.name);
        if let Some(c) = t.columns.iter().position(|c| c == "cause") {
            let n = rows.iter().filter(|r| &r[c] == NASTY).count();
            let m = ta
                .rows
                .iter()
                .filter(|r| r[c] == dimorph_core::Cell::Text("Cardiovascular".into()))
                .count();
            assert_eq!(n, m, "{}: the name intact", t.name);
        }
    }
    let by_age = &b.tables[0];
    assert_eq!(by_age.name, "lifelost_by_age");
    assert_eq!(by_age.rows.len(), 2 * 8 * 111);
    // the figures of the renamed group, under a file name without the hostile characters
    let figs: Vec<&str> = b.files.iter().map(|f| f.name.as_str()).collect();
    assert!(
        figs.contains(&"heart___vessels__and_blood_deaths_by_age.svg"),
        "{figs:?}"
    );
    assert_eq!(figs.len(), 8 * 4);
}

#[test]
fn lifetable_outcome_has_the_table_by_age_and_the_summary() {
    let data = read_hmd_dir(&data_dir().join("hmd/USA")).unwrap();
    let o = run_lifetable(&data, 2010, Sex::Male, &LifeTableOptions::default()).unwrap();
    assert_eq!(o.tables[0].name, "lifetable");
    assert_eq!(o.tables[0].rows.len(), 111);
    assert_eq!(o.tables[1].name, "variation");
    assert!(o.summary[0].contains("e0 = 76.33"), "{:?}", o.summary);
    assert!(o.summary.iter().all(|l| l.chars().count() <= 100));
    let bad = LifeTableOptions {
        radix: -1.0,
        ..Default::default()
    };
    let e = run_lifetable(&data, 2010, Sex::Male, &bad).unwrap_err().to_string();
    assert!(e.starts_with("--radix:"), "{e}");
}

#[test]
fn demo_summary_is_short_and_tables_are_not_repeated() {
    let o = demo::run(&data_dir()).unwrap();
    assert!(o.summary.len() <= 12, "{:?}", o.summary);
    assert!(o.summary.iter().all(|l| l.chars().count() <= 100), "{:?}", o.summary);
    let text = o.summary.join("\n");
    assert!(text.contains("76.33") && text.contains("81.17"), "{text}");
    let mut titles: Vec<String> = o.sections[0]
        .blocks
        .iter()
        .filter_map(|b| match b {
            dimorph_report::Block::Table(t) => Some(t.title.clone()),
            _ => None,
        })
        .collect();
    let n = titles.len();
    titles.sort();
    titles.dedup();
    assert_eq!(titles.len(), n, "a caption repeats: {titles:?}");
    assert_eq!(n, 5, "{titles:?}");
}
