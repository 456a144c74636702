//! Life lost for the USA, 2010, against Riffe & Solé Auró (2015): Table 1, Table 2, e0 and the
//! worked example of the text. Tolerances, and why they are what they are:
//!
//! * Table 1, default shares (each age's own cause counts, NCHS by ICD-10 chapter via LEdecomp,
//!   times the 2010 HMD deaths): totals exact; five groups within 2 %; Mental (+2.6 %) and
//!   Infant (−3.5 %) within 4 %; every share within 0.35 percentage points. What was checked
//!   for Mental and Infant (`table1_checks_of_the_gap`): the grouping is the paper's (Infant =
//!   perinatal P00–P96 + congenital Q00–Q99, the footnote of Table 1 and the authors'
//!   chapters 17–18; Mental = the one chapter F01–F99, the US code list having no F00); the
//!   year is right (shares of 2007–2012 put Mental off by −21 % to +22 %, 2010 is the closest
//!   year for every group); the 100+ share held for 100–110 is what the authors did; the
//!   rescaling to the HMD deaths keeps the totals exact (raw counts: Mental +2.6 %, Infant
//!   −3.9 %). The gap is not the data vintage: it is how the authors formed the shares —
//!   abridged groups (0, 1–4, 5–9, …, 100+), log rates interpolated by a cubic spline to
//!   single ages — which does not keep the group totals. With that construction
//!   ([`CauseShares::Paper`]) every group is within 1 % (Mental −0.05 %, Infant −0.5 % / −0.7 %,
//!   Cardiovascular +0.01 %), tested within 1 % (the issue asks for 2 %), shares within 0.05
//!   percentage points.
//! * Table 2, default (continuous) discretisation: 0.2 years for 'All' (ā, ȳ, mean age lived),
//!   the mean age at saving of the years won within 0.6 (53.97 / 60.26 against 54.4 / 60.8: a
//!   discretisation, not an error, see `lifelost` docs), Cardiovascular within 0.8, the other
//!   cause groups within 1.2 years.
//! * Table 2, the paper's discretisation ([`Discretisation::Paper`], raw rates as the authors
//!   used them): every 'All' cell within the 0.2 years (largest gap 0.15: mean age
//!   lived, males, 69.75 against 69.9); with the paper's cause shares too, Cardiovascular within
//!   0.3 and every other cause cell within 0.5 years (largest: Other, females, mean age at
//!   saving 60.66 against 60.2; the remaining gaps of the cause rows follow the cause counts,
//!   NCHS 2025 against HMD's 2014 cause-of-death series).

use crate::common;
use common::*;
use dimorph_lifetable::paper::{TABLE1, TABLE2};
use dimorph_lifetable::*;

fn analysis(save_point: SavePoint) -> Analysis {
    analysis_with(LifeLostOptions {
        save_point,
        ..Default::default()
    })
}

fn analysis_with(opts: LifeLostOptions) -> Analysis {
    let data = read_hmd_dir(&data_dir().join("hmd/USA")).unwrap();
    let causes = CauseDeaths::read_csv(&data_dir().join("usa_2010_cod.csv"), None).unwrap();
    analyse(&data, Some(&causes), 2010, &[Sex::Female, Sex::Male], None, &opts).unwrap()
}

/// The authors' computation: the paper's discretisation on raw rates (no smoothing).
fn papers_options(cause_shares: CauseShares) -> LifeLostOptions {
    let mut o = LifeLostOptions {
        discretisation: Discretisation::Paper,
        cause_shares,
        ..Default::default()
    };
    o.lifetable.smoothing = Smoothing::None;
    o
}

#[test]
fn table1_deaths_by_cause() {
    let a = analysis(SavePoint::MeanAgeAtDeath);
    let rows = a.table1().unwrap();
    assert_eq!(rows.len(), 8);
    let (tf, tm) = (TABLE1[7].1, TABLE1[7].2);
    for (name, f, m) in TABLE1 {
        let r = rows.iter().find(|r| r.cause == name).unwrap();
        if name == "Total" {
            assert_eq!(r.female.round(), f);
            assert_eq!(r.male.round(), m);
            continue;
        }
        let tol = if name == "Mental" || name == "Infant" {
            0.04
        } else {
            0.02
        };
        assert!((r.female / f - 1.0).abs() < tol, "{name} female {} vs {f}", r.female);
        assert!((r.male / m - 1.0).abs() < tol, "{name} male {} vs {m}", r.male);
        assert!((r.female_pct - 100.0 * f / tf).abs() < 0.35, "{name} female %");
        assert!((r.male_pct - 100.0 * m / tm).abs() < 0.35, "{name} male %");
    }
    // the gap between the cause file and the HMD deaths is reported
    assert!(a.warnings.iter().any(|w| w.contains("gap +985")), "{:?}", a.warnings);
}

#[test]
fn e0_and_the_worked_example() {
    let a = analysis(SavePoint::ExactAge);
    let m = a.sex(Sex::Male).unwrap();
    let f = a.sex(Sex::Female).unwrap();
    assert_eq!(format!("{:.2}", m.lifetable.e0()), "76.33");
    assert_eq!(format!("{:.2}", f.lifetable.e0()), "81.17");
    // "if we save all 11700 of the 50-year-old US males that died in 2010, they would live a
    // total of 349000 combined years": D(50)·e(50) (eq. 3 with the table's e(50)).
    let r = a.result(Sex::Male, "All").unwrap();
    assert_eq!(r.deaths[50].round(), 11_733.0);
    let w = r.years_won[50];
    assert!((w - 348_400.0).abs() < 100.0, "{w}");
    assert!((w / 349_000.0 - 1.0).abs() < 0.002, "{w}");
    assert!((w - r.deaths[50] * m.lifetable.ex[50]).abs() < 1e-6);
    // saved at the mean age at death (a + 1/2) instead: e(50.5)
    let b = analysis(SavePoint::MeanAgeAtDeath);
    let w2 = b.result(Sex::Male, "All").unwrap().years_won[50];
    assert!(w2 < w && w2 > 0.98 * w, "{w2}");
}

fn cells(s: &Summary) -> [f64; 4] {
    [
        s.mean_age_at_death,
        s.mean_years_left,
        s.mean_age_at_saving,
        s.mean_age_lived,
    ]
}

#[test]
fn table2_all_causes_and_cardiovascular() {
    let a = analysis(SavePoint::MeanAgeAtDeath);
    for (cause, p) in TABLE2 {
        let m = cells(&a.result(Sex::Male, cause).unwrap().summary);
        let f = cells(&a.result(Sex::Female, cause).unwrap().summary);
        for k in 0..4 {
            let tol = match (cause, k) {
                ("All", 2) => 0.6,
                ("All", _) => 0.2,
                ("Cardiovascular", _) => 0.8,
                _ => 1.2,
            };
            assert!(
                (m[k] - p[2 * k]).abs() <= tol,
                "{cause} male measure {k}: {} vs paper {}",
                m[k],
                p[2 * k]
            );
            assert!(
                (f[k] - p[2 * k + 1]).abs() <= tol,
                "{cause} female measure {k}: {} vs paper {}",
                f[k],
                p[2 * k + 1]
            );
        }
    }
}

#[test]
fn text_numbers() {
    // "The average chronological age at death observed for males was ... 69.9 versus 76.9"
    let a = analysis(SavePoint::MeanAgeAtDeath);
    let m = a.result(Sex::Male, "All").unwrap().summary;
    let f = a.result(Sex::Female, "All").unwrap().summary;
    assert!((m.mean_age_at_death - 69.9).abs() < 0.05 && (f.mean_age_at_death - 76.9).abs() < 0.05);
    // "Over 1.23 million deaths each"
    assert!(m.deaths > 1.23e6 && f.deaths > 1.23e6);
    // males' saved lives have longer remaining lifespans than females' (the paradox)
    assert!(m.mean_years_left > f.mean_years_left + 2.0);
    // Cardiovascular: "74.4 for males and 81.8 for females"
    let cm = a.result(Sex::Male, "Cardiovascular").unwrap().summary;
    let cf = a.result(Sex::Female, "Cardiovascular").unwrap().summary;
    assert!((cm.mean_age_at_death - 74.4).abs() < 0.1 && (cf.mean_age_at_death - 81.8).abs() < 0.1);
}

#[test]
fn perspectives_add_up() {
    let a = analysis(SavePoint::MeanAgeAtDeath);
    for s in &a.sexes {
        for r in &s.results {
            let n = r.n();
            let d: f64 = r.deaths.iter().sum();
            let dy: f64 = r.deaths_by_years_left.iter().sum();
            let w: f64 = r.years_won.iter().sum();
            let wx: f64 = r.years_won_by_age_lived.iter().sum();
            assert!((d - dy).abs() < 1e-6 * d, "{} {}", s.sex, r.cause);
            assert!((w - wx).abs() < 1e-6 * w, "{} {}", s.sex, r.cause);
            for i in 0..n {
                let f: f64 = r.f_ya[i * n..(i + 1) * n].iter().sum();
                assert!((f - 1.0).abs() < 1e-9, "f(y|{i}) sums to {f}");
                let row: f64 = r.w_ax[i * n..(i + 1) * n].iter().sum();
                assert!((row - r.years_won[i]).abs() < 1e-6 * r.years_won[i].max(1.0));
            }
        }
        // cause deaths add up to all-cause deaths at every age
        let all = &s.results[0].deaths;
        for (i, d) in all.iter().enumerate() {
            let sum: f64 = s.results[1..].iter().map(|r| r.deaths[i]).sum();
            assert!((sum - d).abs() < 1e-8 * d.max(1.0));
        }
    }
}

#[test]
fn demo_section_has_tables_and_eight_figures() {
    let s = demo::section(&data_dir()).unwrap();
    let figs = s
        .blocks
        .iter()
        .filter(|b| matches!(b, dimorph_report::Block::Figure { .. }))
        .count();
    assert_eq!(figs, 8);
    let text = s.to_text();
    assert!(text.contains("Table 1.") && text.contains("Table 2."));
    assert!(text.contains("69.9 (69.9)"), "{text}");
}

#[test]
fn matches_the_independent_r_implementation() {
    // bench/lifelost_peer.R (base R, vectorised, its own Kannisto fit by optim), output for 2010:
    //   male All: a 69.9423 y 16.2554 W(a) 53.9678 W(a+y|a) 70.0399
    //   female Cardiovascular: a 81.8200 y 12.9029 W(a) 72.0577 W(a+y|a) 83.9456
    let a = analysis(SavePoint::MeanAgeAtDeath);
    let m = cells(&a.result(Sex::Male, "All").unwrap().summary);
    let f = cells(&a.result(Sex::Female, "Cardiovascular").unwrap().summary);
    for (ours, r) in m
        .iter()
        .zip([69.9423, 16.2554, 53.9678, 70.0399])
        .chain(f.iter().zip([81.8200, 12.9029, 72.0577, 83.9456]))
    {
        assert!((ours - r).abs() < 2e-4, "{ours} vs R {r}");
    }
}

#[test]
fn footnotes_7_and_8() {
    // fn. 7: period life expectancy 76.4 (male) versus 81.2 (female), one decimal, older vintage
    let a = analysis(SavePoint::MeanAgeAtDeath);
    assert!((a.sex(Sex::Male).unwrap().lifetable.e0() - 76.4).abs() < 0.1);
    assert!((a.sex(Sex::Female).unwrap().lifetable.e0() - 81.2).abs() < 0.1);
    // fn. 8: mean remaining lifetime of saved cardiovascular deaths in the stationary population,
    // 13.1 (male) and 12.0 (female). Ours are 12.4 and 10.9: the stationary deaths m^c(a)L(a)
    // weight the oldest ages, where the two cause-data vintages differ most; tolerance 1.2 years,
    // and the ordering (male > female, both below the observed-deaths means) must hold.
    let data = read_hmd_dir(&data_dir().join("hmd/USA")).unwrap();
    let causes = CauseDeaths::read_csv(&data_dir().join("usa_2010_cod.csv"), None).unwrap();
    let opts = LifeLostOptions {
        stationary: true,
        ..Default::default()
    };
    let s = analyse(
        &data,
        Some(&causes),
        2010,
        &[Sex::Female, Sex::Male],
        Some("Cardiovascular"),
        &opts,
    )
    .unwrap();
    let m = s.result(Sex::Male, "Cardiovascular").unwrap().summary.mean_years_left;
    let f = s.result(Sex::Female, "Cardiovascular").unwrap().summary.mean_years_left;
    assert!((m - 13.1).abs() < 1.2 && (f - 12.0).abs() < 1.2, "{m} {f}");
    let om = a.result(Sex::Male, "Cardiovascular").unwrap().summary.mean_years_left;
    let of = a.result(Sex::Female, "Cardiovascular").unwrap().summary.mean_years_left;
    assert!(m > f && m < om && f < of);
    // the stationary all-cause deaths are the table's d(x): mean age at death = e0
    let all = s.result(Sex::Male, "All").unwrap().summary;
    assert!((all.mean_age_at_death - s.sex(Sex::Male).unwrap().lifetable.e0()).abs() < 1e-9);
}

#[test]
fn table1_with_the_papers_cause_shares() {
    let a = analysis_with(papers_options(CauseShares::Paper));
    let rows = a.table1().unwrap();
    let (tf, tm) = (TABLE1[7].1, TABLE1[7].2);
    for (name, f, m) in TABLE1 {
        let r = rows.iter().find(|r| r.cause == name).unwrap();
        if name == "Total" {
            assert_eq!((r.female.round(), r.male.round()), (f, m));
            continue;
        }
        // every group within 1 % (the issue asks for 2 %)
        for (ours, paper) in [(r.female, f), (r.male, m)] {
            let rel = (ours / paper - 1.0).abs();
            assert!(rel < 0.01, "{name}: {ours} vs {paper}");
        }
        assert!((r.female_pct - 100.0 * f / tf).abs() < 0.05, "{name} female %");
        assert!((r.male_pct - 100.0 * m / tm).abs() < 0.05, "{name} male %");
    }
}

#[test]
fn table1_checks_of_the_gap() {
    // the grouping: the bundled rows carry the paper's groups of the chapter list
    let map = dimorph_data::read_csv(data_dir().join("cod_icd10_chapters_paper_groups.csv")).unwrap();
    let ids = map.column("cause_id").unwrap();
    let groups = map.column("paper_group").unwrap();
    let text = |c: &dimorph_data::Column, i: usize| match &c.data {
        dimorph_data::ColumnData::Text { values, .. } => values[i].clone().unwrap_or_default(),
        dimorph_data::ColumnData::Num(v) => v[i].to_string(),
    };
    let chapters_of = |g: &str| -> Vec<String> {
        (0..map.nrows)
            .filter(|i| text(groups, *i) == g)
            .map(|i| text(ids, i))
            .collect()
    };
    assert_eq!(chapters_of("Infant"), ["P00-P96", "Q00-Q99"]);
    assert_eq!(chapters_of("Mental"), ["F01-F99"]);
    let cod = dimorph_data::read_csv(data_dir().join("usa_2010_cod.csv")).unwrap();
    let (cid, cgr) = (cod.column("cause_id").unwrap(), cod.column("paper_group").unwrap());
    for i in 0..cod.nrows {
        let id = text(cid, i);
        let k = (0..map.nrows).find(|k| text(ids, *k) == id).unwrap();
        assert_eq!(text(cgr, i), text(groups, k), "row {i}: {id}");
    }
    // rescaling to the HMD deaths: raw counts (F/M) Mental 78,265 / 42,461, Infant 9,960 / 11,664
    // are as far from the paper; the rescaled group totals add up to the HMD totals exactly
    let a = analysis(SavePoint::MeanAgeAtDeath);
    let rows = a.table1().unwrap();
    let get = |n: &str| rows.iter().find(|r| r.cause == n).unwrap().clone();
    let (mental, infant) = (get("Mental"), get("Infant"));
    assert!((mental.female / 76_270.0 - 1.0) > 0.02 && (infant.female / 10_368.0 - 1.0) < -0.03);
    // the paper's shares close the gap of the same counts (see table1_with_the_papers_cause_shares)
    let b = analysis_with(papers_options(CauseShares::Paper));
    let rows_b = b.table1().unwrap();
    let mb = rows_b.iter().find(|r| r.cause == "Mental").unwrap();
    assert!((mb.female / 76_270.0 - 1.0).abs() < 0.002 && (mb.male / 41_413.0 - 1.0).abs() < 0.002);
}

#[test]
fn table2_all_causes_with_the_papers_discretisation() {
    // the 0.2 years for every cell of 'All', both sexes; on raw rates as the authors
    // did, and on the Kannisto-smoothed rates of the default table (the smoothing moves the
    // means by 0.01 at most)
    for smoothing in [Smoothing::None, Smoothing::Kannisto] {
        let mut o = papers_options(CauseShares::Age);
        o.lifetable.smoothing = smoothing;
        let a = analysis_with(o);
        let p = TABLE2[7].1;
        let m = cells(&a.result(Sex::Male, "All").unwrap().summary);
        let f = cells(&a.result(Sex::Female, "All").unwrap().summary);
        for k in 0..4 {
            assert!(
                (m[k] - p[2 * k]).abs() <= 0.2,
                "male measure {k}: {} vs {}",
                m[k],
                p[2 * k]
            );
            assert!(
                (f[k] - p[2 * k + 1]).abs() <= 0.2,
                "female measure {k}: {} vs {}",
                f[k],
                p[2 * k + 1]
            );
        }
    }
}

#[test]
fn table2_causes_with_the_papers_discretisation_and_shares() {
    let a = analysis_with(papers_options(CauseShares::Paper));
    for (cause, p) in TABLE2 {
        let m = cells(&a.result(Sex::Male, cause).unwrap().summary);
        let f = cells(&a.result(Sex::Female, cause).unwrap().summary);
        let tol = match cause {
            "All" => 0.2,
            "Cardiovascular" => 0.3,
            _ => 0.5,
        };
        for k in 0..4 {
            assert!(
                (m[k] - p[2 * k]).abs() <= tol,
                "{cause} male {k}: {} vs {}",
                m[k],
                p[2 * k]
            );
            assert!(
                (f[k] - p[2 * k + 1]).abs() <= tol,
                "{cause} female {k}: {} vs {}",
                f[k],
                p[2 * k + 1]
            );
        }
    }
    // the text: cardiovascular 74.4 / 81.8, 16.0 / 13.0, 65.1 / 72.4, 78.0 / 83.7
    let c = a.result(Sex::Female, "Cardiovascular").unwrap().summary;
    assert!((c.mean_age_at_saving - 72.4).abs() < 0.2, "{c:?}");
}

#[test]
fn papers_discretisation_adds_up() {
    let a = analysis_with(papers_options(CauseShares::Paper));
    for s in &a.sexes {
        for r in &s.results {
            assert_eq!(r.discretisation, Discretisation::Paper);
            let n = r.n();
            let d: f64 = r.deaths.iter().sum();
            let w: f64 = r.years_won.iter().sum();
            assert!((r.deaths_by_years_left.iter().sum::<f64>() - d).abs() < 1e-6 * d);
            assert!((r.years_won_by_age_lived.iter().sum::<f64>() - w).abs() < 1e-6 * w);
            for i in 0..n {
                let f: f64 = r.f_ya[i * n..(i + 1) * n].iter().sum();
                assert!((f - 1.0).abs() < 1e-9, "{} {} f(y|{i}) sums to {f}", s.sex, r.cause);
            }
        }
        let all = &s.results[0].deaths;
        for (i, d) in all.iter().enumerate() {
            let sum: f64 = s.results[1..].iter().map(|r| r.deaths[i]).sum();
            assert!((sum - d).abs() < 1e-8 * d.max(1.0));
        }
    }
}

#[test]
fn matches_the_r_reimplementation_of_the_papers_computation() {
    // tests/reference/lifelost_paper_discretisation.R (base R, run on the bundled files):
    // ā, ȳ, W(a), W(a+y|a) for All and for Cardiovascular (paper's shares), Table 1 counts
    let a = analysis_with(papers_options(CauseShares::Paper));
    let r = [
        (Sex::Male, "All", [69.946368, 16.266341, 54.296302, 69.746143]),
        (Sex::Female, "All", [76.906288, 13.667296, 60.684444, 74.885704]),
        (
            Sex::Male,
            "Cardiovascular",
            [74.390348, 15.795863, 64.882315, 77.753301],
        ),
        (
            Sex::Female,
            "Cardiovascular",
            [81.801485, 12.861722, 72.276412, 83.540569],
        ),
    ];
    for (sex, cause, v) in r {
        let ours = cells(&a.result(sex, cause).unwrap().summary);
        for k in 0..4 {
            assert!(
                (ours[k] - v[k]).abs() < 2e-6,
                "{sex} {cause} {k}: {} vs R {}",
                ours[k],
                v[k]
            );
        }
    }
    let r1 = [
        (
            Sex::Male,
            [
                383131.751, 366527.140, 149109.395, 126127.123, 41394.182, 12030.580, 154111.799,
            ],
        ),
        (
            Sex::Female,
            [
                395227.580, 369695.754, 156060.038, 61046.230, 76228.700, 10313.443, 167431.175,
            ],
        ),
    ];
    let rows = a.table1().unwrap();
    for (sex, v) in r1 {
        for (g, name) in causes::PAPER_GROUPS.iter().enumerate() {
            let row = rows.iter().find(|r| r.cause == *name).unwrap();
            let ours = if sex == Sex::Male { row.male } else { row.female };
            assert!((ours - v[g]).abs() < 2e-3, "{sex} {name}: {ours} vs R {}", v[g]);
        }
    }
}
