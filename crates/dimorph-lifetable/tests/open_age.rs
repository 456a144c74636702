//! `--open-age` (`LifeTableOptions::open_age`): the oldest ages summed into one open group.

use crate::common;
use common::*;
use dimorph_lifetable::*;

fn usa() -> MortalityData {
    read_hmd_dir(&data_dir().join("hmd/USA")).unwrap()
}

#[test]
fn the_open_group_holds_the_sums_of_its_ages() {
    let data = usa();
    let p = data.get(2010, Sex::Male).unwrap();
    let q = p.with_open_age(100.0).unwrap();
    assert_eq!(q.age.len(), 101);
    assert!(q.width[100].is_infinite() && q.width[99] == 1.0);
    assert_eq!(q.deaths[..100], p.deaths[..100]);
    assert!((q.deaths[100] - p.deaths[100..].iter().sum::<f64>()).abs() < 1e-9);
    assert!((q.exposure[100] - p.exposure[100..].iter().sum::<f64>()).abs() < 1e-9);
    // the data's own open age changes nothing; above it, or not an age group's start, is refused
    assert_eq!(p.with_open_age(110.0).unwrap().deaths, p.deaths);
    assert!(p.with_open_age(120.0).unwrap_err().contains("already 110+"));
    assert!(p.with_open_age(0.0).unwrap_err().contains("not the start"));
}

#[test]
fn tables_closed_at_100_keep_e0() {
    let data = usa();
    for smoothing in [Smoothing::Kannisto, Smoothing::None] {
        let o = LifeTableOptions {
            smoothing,
            ..Default::default()
        };
        let full = lifetable(&data, 2010, Sex::Female, &o).unwrap();
        let at100 = lifetable(
            &data,
            2010,
            Sex::Female,
            &LifeTableOptions {
                open_age: Some(100.0),
                ..o
            },
        )
        .unwrap();
        assert_eq!(at100.len(), 101);
        // below the smoothed ages the rates are the same
        assert_eq!(at100.mx[..95], full.mx[..95]);
        // closing at 100 moves e0 by less than 0.01 year (the open group's e = 1/m)
        assert!(
            (at100.e0() - full.e0()).abs() < 0.01,
            "{smoothing:?}: {} vs {}",
            at100.e0(),
            full.e0()
        );
        assert!((at100.ex[100] - 1.0 / at100.mx[100]).abs() < 1e-12);
    }
    // the both-sex table too
    let t = lifetable(
        &data,
        2010,
        Sex::Total,
        &LifeTableOptions {
            open_age: Some(100.0),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(t.len(), 101);
}

#[test]
fn cause_deaths_are_closed_with_the_data() {
    let c = CauseDeaths::read_csv(&data_dir().join("usa_2010_cod.csv"), None).unwrap();
    let t = &c.tables[&(2010, Sex::Male)];
    assert_eq!(*t.age.last().unwrap(), 100.0);
    let c95 = c.with_open_age(95.0);
    let t95 = &c95.tables[&(2010, Sex::Male)];
    assert_eq!(t95.age.len(), 96);
    for g in 0..c.groups.len() {
        let tail: f64 = t.deaths[95..].iter().map(|r| r[g]).sum();
        assert!((t95.deaths[95][g] - tail).abs() < 1e-9);
    }
    // an open age above the file's own leaves it as it is
    assert_eq!(c.with_open_age(105.0).tables[&(2010, Sex::Male)].age, t.age);
}
