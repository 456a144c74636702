//! Many years in one call (src/years.rs): the long table, the trend tables and figures, the
//! years checked against the data, Parquet read back, threads not changing anything, and the
//! per-year results equal to the single-year entry points.

use crate::common;

use dimorph_lifetable::uncertainty::IntervalOptions;
use dimorph_lifetable::{
    read_hmd_dir, run_lifelost, run_lifetable, CauseDeaths, LifeLostOptions, LifeTableOptions, MortalityData, Sex,
};
use dimorph_lifetable::{run_lifelost_years, run_lifetable_years};
use std::sync::OnceLock;

fn usa() -> &'static MortalityData {
    static D: OnceLock<MortalityData> = OnceLock::new();
    D.get_or_init(|| read_hmd_dir(&common::data_dir().join("hmd/USA")).unwrap())
}

const FM: [Sex; 2] = [Sex::Female, Sex::Male];

#[test]
fn all_usa_years_give_one_long_table_and_the_trend() {
    let years: Vec<i32> = (1933..=2019).collect();
    let o = run_lifetable_years(usa(), &years, &FM, &LifeTableOptions::default(), None).unwrap();
    assert_eq!(o.result.tables.len(), 87 * 2);
    let long = &o.tables[0];
    assert_eq!(long.name, "lifetable_years");
    assert_eq!(&long.columns[..3], ["year", "sex", "age"]);
    assert_eq!(long.rows.len(), 87 * 2 * 111);
    let trend = o.tables.iter().find(|t| t.name == "e0_trend").unwrap();
    assert_eq!(trend.rows.len(), 87 * 2);
    let gap = o.tables.iter().find(|t| t.name == "e0_gap").unwrap();
    assert_eq!(gap.rows.len(), 87);
    // every year's table is the single-year one
    for (year, sex) in [(1933, Sex::Female), (2010, Sex::Male), (2019, Sex::Female)] {
        let one = run_lifetable(usa(), year, sex, &LifeTableOptions::default()).unwrap();
        let yt = o.result.tables.iter().find(|t| t.year == year && t.sex == sex).unwrap();
        assert_eq!(yt.lifetable.ex, one.result.lifetable.ex, "{year} {sex}");
    }
    let g2010 = o.result.gap.iter().find(|g| g.year == 2010).unwrap();
    assert!((g2010.gap - (g2010.female - g2010.male)).abs() < 1e-12);
    assert!(g2010.gap > 4.5 && g2010.gap < 5.5, "{}", g2010.gap);
    let names: Vec<&str> = o.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["e0_trend.svg", "e0_gap_trend.svg"]);
    let svg = String::from_utf8(o.files[0].bytes.clone()).unwrap();
    assert!(svg.contains("Life expectancy at birth by sex") && svg.contains("1933") && svg.contains("female"));
}

#[test]
fn threads_do_not_change_the_results() {
    let years = [1950, 1960, 2010];
    let opts = LifeTableOptions {
        intervals: Some(IntervalOptions {
            draws: 40,
            ..Default::default()
        }),
        ..Default::default()
    };
    let a = run_lifetable_years(usa(), &years, &FM, &opts, Some(1)).unwrap();
    let b = run_lifetable_years(usa(), &years, &FM, &opts, Some(3)).unwrap();
    assert_eq!(a.tables, b.tables);
}

#[test]
fn intervals_by_year_are_those_of_the_single_year_and_the_gap_has_its_own() {
    let iv = IntervalOptions {
        draws: 60,
        seed: 4,
        ..Default::default()
    };
    let opts = LifeTableOptions {
        intervals: Some(iv),
        ..Default::default()
    };
    let o = run_lifetable_years(usa(), &[1950, 2010], &FM, &opts, None).unwrap();
    // the same seed draws the same deaths of the year, so the female e(x) draws coincide
    let one = run_lifetable(usa(), 2010, Sex::Female, &opts).unwrap();
    let yt = o
        .result
        .tables
        .iter()
        .find(|t| t.year == 2010 && t.sex == Sex::Female)
        .unwrap();
    let (a, b) = (yt.intervals.as_ref().unwrap(), one.result.intervals.as_ref().unwrap());
    assert_eq!(a.simulation, b.simulation);
    assert_eq!(a.chiang, b.chiang);
    for g in &o.result.gap {
        let (c, s) = (g.chiang.unwrap(), g.simulation.unwrap());
        assert!(c.lower.unwrap() < g.gap && g.gap < c.upper.unwrap());
        assert!(s.lower.unwrap() < g.gap && g.gap < s.upper.unwrap());
        // Chiang's se of the gap: the two sexes' combined
        let se = |sex: Sex| {
            let t = o
                .result
                .tables
                .iter()
                .find(|t| t.year == g.year && t.sex == sex)
                .unwrap();
            t.intervals.as_ref().unwrap().chiang[0].se.unwrap()
        };
        assert!((c.se.unwrap() - (se(Sex::Female).powi(2) + se(Sex::Male).powi(2)).sqrt()).abs() < 1e-12);
    }
    let gap = o.tables.iter().find(|t| t.name == "e0_gap").unwrap();
    assert!(gap.columns.iter().any(|c| c == "gap_sim_lower"));
    let trend = o.tables.iter().find(|t| t.name == "e0_trend").unwrap();
    assert!(
        trend.columns.iter().any(|c| c == "e0_chiang_lower"),
        "{:?}",
        trend.columns
    );
}

#[test]
fn years_outside_the_data_are_named_with_the_files() {
    let years: Vec<i32> = (1930..=1935).collect();
    let e = run_lifetable_years(usa(), &years, &FM, &LifeTableOptions::default(), None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("3 of the years asked for: 1930, 1931, 1932"), "{e}");
    assert!(
        e.contains("USA.Deaths_1x1.txt") && e.contains("USA.Exposures_1x1.txt"),
        "{e}"
    );
    assert!(e.contains("years 1933-2019"), "{e}");
    let e = run_lifetable_years(usa(), &[2020], &FM, &LifeTableOptions::default(), None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("no data for year 2020"), "{e}");
}

#[test]
fn the_long_table_reads_back_from_parquet() {
    let o = run_lifetable_years(usa(), &[1950, 2010], &FM, &LifeTableOptions::default(), None).unwrap();
    let long = &o.tables[0];
    let bytes = dimorph_lifetable::parquet_out::to_parquet(long).unwrap();
    let dir = common::temp_dir("parquet");
    let p = dir.join("long.parquet");
    std::fs::write(&p, bytes).unwrap();
    let f = dimorph_data::read_parquet(&p).unwrap();
    assert_eq!(f.nrows, long.rows.len());
    let ex = f.numeric("ex").unwrap();
    let j = long.columns.iter().position(|c| c == "ex").unwrap();
    for (i, row) in long.rows.iter().enumerate() {
        assert_eq!(dimorph_core::Cell::Num(ex[i]), row[j]);
    }
    assert_eq!(f.numeric("year").unwrap()[0], 1950.0);
}

#[test]
fn lifelost_years_use_the_cause_data_where_they_exist() {
    let causes = CauseDeaths::read_csv(&common::data_dir().join("usa_2010_cod.csv"), None).unwrap();
    let o = run_lifelost_years(
        usa(),
        Some(&causes),
        &[2009, 2010, 2011],
        &FM,
        None,
        &LifeLostOptions::default(),
        None,
    )
    .unwrap();
    let t2 = o.tables.iter().find(|t| t.name == "table2_years").unwrap();
    // 2010: 7 cause groups and All, two sexes; 2009 and 2011: All only
    assert_eq!(t2.rows.len(), 16 + 2 + 2);
    assert!(
        o.warnings.iter().any(|w| w.contains("2 of the 3 years (2009, 2011)")),
        "{:?}",
        o.warnings
    );
    // 2010's Table 2 is the single-year one
    let one = run_lifelost(usa(), Some(&causes), 2010, &FM, None, &LifeLostOptions::default()).unwrap();
    let y = o.result.by_year.iter().find(|y| y.year == 2010).unwrap();
    for (a, b) in y.table2.iter().zip(&one.result.table2) {
        assert_eq!(a.cause, b.cause);
        assert_eq!(a.female.unwrap().mean_age_lived, b.female.unwrap().mean_age_lived);
    }
    assert_eq!(o.tables[0].name, "lifelost_by_age");
    assert_eq!(o.tables[0].rows.len(), (8 + 1 + 1) * 2 * 111);
}

#[test]
fn lifelost_years_close_the_table_at_the_open_age() {
    let causes = CauseDeaths::read_csv(&common::data_dir().join("usa_2010_cod.csv"), None).unwrap();
    let mut opts = LifeLostOptions::default();
    opts.lifetable.open_age = Some(100.0);
    let o = run_lifelost_years(usa(), Some(&causes), &[2009, 2010], &FM, None, &opts, None).unwrap();
    let one = run_lifelost(usa(), Some(&causes), 2010, &FM, None, &opts).unwrap();
    let y = o.result.by_year.iter().find(|y| y.year == 2010).unwrap();
    assert_eq!(y.results[0].n(), 101);
    for (a, b) in y.table2.iter().zip(&one.result.table2) {
        assert_eq!(
            a.male.unwrap().mean_years_left,
            b.male.unwrap().mean_years_left,
            "{}",
            a.cause
        );
    }
}

#[test]
fn lifelost_years_with_intervals_show_them_in_every_output() {
    let mut opts = LifeLostOptions::default();
    opts.lifetable.intervals = Some(IntervalOptions {
        draws: 20,
        ..Default::default()
    });
    let o = run_lifelost_years(usa(), None, &[1950, 2010], &FM, None, &opts, None).unwrap();
    let text = o.to_text();
    assert!(text.contains("simulated intervals in brackets"), "{text}");
    let t = o.tables.iter().find(|t| t.name == "table2_intervals_years").unwrap();
    assert_eq!(&t.columns[..4], ["year", "cause", "sex", "measure"]);
    assert_eq!(t.rows.len(), 2 * 2 * 4);
    let rows = o.result.by_year[0].table2_intervals.as_ref().unwrap();
    assert!(rows.iter().all(|r| r.interval.lower.unwrap() <= r.interval.estimate));
}
