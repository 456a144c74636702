//! The decomposition against an independent computation (`tests/peers/decompose.R`, run once
//! with R 4.2 and DemoDecomp 1.14.1; its outputs are committed beside it): on the rates dimorph
//! decomposes for the USA 2010 female − male gap (`peers/decompose_rates.csv`, checked here to
//! be this engine's rates), Arriaga by age × cause written in R from Preston et al. (2001) and
//! `DemoDecomp::horiuchi` (N = 20) of e0, e†, Gini and SD by age × cause and a(0).
//!
//! Tolerances: 1e-9 years per contribution for Arriaga (an exact formula; 17 significant digits
//! in the files); 1e-8 per contribution (years, Gini points) for the line integral (the same
//! midpoint rule and central differences in both; the differences of life-table values of
//! about 80 years lose about 6 of the 16 digits).

use crate::common;
use common::*;
use dimorph_lifetable::decompose::{run_decompose, DecomposeOptions, DecomposeResult, Side};
use dimorph_lifetable::*;
use std::collections::HashMap;
use std::path::PathBuf;

fn peers() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/peers")
}

fn run(steps: usize) -> dimorph_report::Outcome<DecomposeResult> {
    let d = read_hmd_dir(&data_dir().join("hmd/USA")).unwrap();
    let c = CauseDeaths::read_csv(&data_dir().join("usa_2010_cod.csv"), None).unwrap();
    let side = |sex| Side {
        data: &d,
        causes: Some(&c),
        year: 2010,
        sex,
    };
    let o = DecomposeOptions {
        steps,
        ..Default::default()
    };
    run_decompose(&side(Sex::Female), &side(Sex::Male), &o).unwrap()
}

/// (key columns joined by '|') → contribution, from a peer CSV.
fn read(name: &str, keys: &[&str]) -> HashMap<String, f64> {
    let mut r = csv::Reader::from_path(peers().join(name)).unwrap();
    let head = r.headers().unwrap().clone();
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    let kc: Vec<usize> = keys.iter().map(|k| col(k)).collect();
    let vc = col("contribution");
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            let key: Vec<String> = kc
                .iter()
                .map(|i| {
                    let s = &rec[*i];
                    s.parse::<f64>().map_or(s.to_string(), |x| x.to_string())
                })
                .collect();
            (key.join("|"), rec[vc].parse().unwrap())
        })
        .collect()
}

#[test]
fn the_peer_read_this_engines_rates() {
    let o = run(20);
    let ours = o.tables.iter().find(|t| t.name == "decomposition_rates").unwrap();
    let theirs = std::fs::read_to_string(peers().join("decompose_rates.csv")).unwrap();
    assert_eq!(ours.to_csv(), theirs, "regenerate the peer input and rerun decompose.R");
}

#[test]
fn arriaga_by_age_and_cause_matches_the_r_formula() {
    let o = run(20);
    let r = &o.result;
    let peer = read("decompose_arriaga.csv", &["age", "cause"]);
    assert_eq!(peer.len(), r.age.len() * r.groups.len());
    let mut worst = 0.0f64;
    for (g, cause) in r.groups.iter().enumerate() {
        for (i, age) in r.age.iter().enumerate() {
            let p = peer[&format!("{}|{cause}", age)];
            worst = worst.max((r.arriaga.by_age_cause[g][i] - p).abs());
        }
    }
    println!("arriaga: largest difference {worst:e}");
    assert!(worst < 1e-9, "largest difference {worst:e}");
}

#[test]
fn horiuchi_matches_demodecomp() {
    let o = run(20);
    let r = &o.result;
    let peer = read("decompose_horiuchi.csv", &["measure", "age", "cause"]);
    assert_eq!(peer.len(), 4 * (r.age.len() * r.groups.len() + 1));
    for h in &r.horiuchi {
        let mut worst = 0.0f64;
        for (g, cause) in r.groups.iter().enumerate() {
            for (i, age) in r.age.iter().enumerate() {
                let p = peer[&format!("{}|{age}|{cause}", h.measure)];
                worst = worst.max((h.by_age_cause[g][i] - p).abs());
            }
        }
        let a0 = peer[&format!("{}|0|a(0)", h.measure)];
        worst = worst.max((h.a0.unwrap() - a0).abs());
        println!("horiuchi {}: largest difference {worst:e}", h.measure);
        assert!(worst < 1e-8, "{}: largest difference {worst:e}", h.measure);
    }
}

#[test]
fn stepwise_replacement_sums_to_the_same_gap() {
    let o = run(20);
    let mut r = csv::Reader::from_path(peers().join("decompose_stepwise.csv")).unwrap();
    let total: f64 = r.records().map(|rec| rec.unwrap()[2].parse::<f64>().unwrap()).sum();
    assert!((total - o.result.arriaga.difference).abs() < 1e-9, "{total}");
}

/// Writes the peer's input (`peers/decompose_rates.csv`): `cargo test -p dimorph-lifetable
/// --test suite decompose_peer:: -- --ignored`, then `Rscript crates/dimorph-lifetable/tests/peers/decompose.R`.
#[test]
#[ignore]
fn write_peer_input() {
    let o = run(20);
    let t = o.tables.iter().find(|t| t.name == "decomposition_rates").unwrap();
    std::fs::write(peers().join("decompose_rates.csv"), t.to_csv()).unwrap();
}
