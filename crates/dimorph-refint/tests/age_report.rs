//! Issue 15: the age-dependent limits in the report. `refint age` puts its figure into the report
//! section it returns (the HTML report, e.g. the demo's, draws the sections' figures), the same
//! SVG as the file age_curves.svg. Checked here through the axis mapping each figure declares:
//!
//! * sliding windows with `--smooth loess`: per sex the smoothed median, lower and upper curves
//!   pass through the table's lower_smooth / median_smooth / upper_smooth at the windows' middle
//!   ages, and the points are the table's raw window limits; one colour per sex (the report's
//!   palette in group order, as the estimate figures use it); axis labels with the units;
//! * LMS: the 50, 2.5 and 97.5 % curves pass through the table age_curves.
//!
//! Pixel coordinates are written to 2 decimals, so a point is checked to half a hundredth of a
//! pixel in data units.

use dimorph_refint::age_smooth::{WindowSmoother, WindowSmoothing};
use dimorph_refint::run::{run_age_coded, AgeOptions};
use dimorph_report::svg::PALETTE;
use dimorph_report::Block;

use crate::svg::{assert_well_formed, attr, pair};

fn frame() -> dimorph_data::CodedFrame {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/lms_gamlss_data.csv");
    let bytes = std::fs::read(path).unwrap();
    dimorph_data::coded::read_coded_bytes(
        "lms_gamlss_data.csv",
        &bytes,
        Default::default(),
        &["CREA", "Age"],
        &["Sex"],
    )
    .unwrap()
}

/// The figure of the first section, with its caption.
fn section_figure<R>(out: &dimorph_report::Outcome<R>) -> (String, String) {
    out.sections[0]
        .blocks
        .iter()
        .find_map(|b| match b {
            Block::Figure { caption, svg } => Some((caption.clone(), svg.clone())),
            _ => None,
        })
        .expect("a figure in the report section")
}

/// Reads a figure back: data coordinates of its paths (with their colours) and circles.
struct Read {
    paths: Vec<(String, Vec<(f64, f64)>)>,
    circles: Vec<(String, (f64, f64))>,
    tol: (f64, f64),
}

fn read_back(svg: &str) -> Read {
    assert_well_formed(svg);
    let i = svg.find("<g class=\"axes\"").unwrap();
    let axes = &svg[i..i + svg[i..].find('>').unwrap()];
    let (xd, xp) = (
        pair(attr(axes, "data-x-domain").unwrap()),
        pair(attr(axes, "data-x-px").unwrap()),
    );
    let (yd, yp) = (
        pair(attr(axes, "data-y-domain").unwrap()),
        pair(attr(axes, "data-y-px").unwrap()),
    );
    let x = |px: f64| xd.0 + (px - xp.0) / (xp.1 - xp.0) * (xd.1 - xd.0);
    let y = |px: f64| yd.0 + (px - yp.0) / (yp.1 - yp.0) * (yd.1 - yd.0);
    let tags = |name: &str| -> Vec<&str> {
        svg.match_indices(&format!("<{name} "))
            .map(|(i, _)| &svg[i..i + svg[i..].find('>').unwrap()])
            .collect()
    };
    let paths = tags("path")
        .into_iter()
        .filter(|t| attr(t, "fill") == Some("none"))
        .map(|t| {
            let pts = attr(t, "d")
                .unwrap()
                .split_whitespace()
                .map(|p| {
                    let (a, b) = p[1..].split_once(',').unwrap();
                    (x(a.parse().unwrap()), y(b.parse().unwrap()))
                })
                .collect();
            (attr(t, "stroke").unwrap().to_string(), pts)
        })
        .collect();
    let circles = tags("circle")
        .into_iter()
        .map(|t| {
            let (cx, cy) = (attr(t, "cx").unwrap(), attr(t, "cy").unwrap());
            (
                attr(t, "fill").unwrap().to_string(),
                (x(cx.parse().unwrap()), y(cy.parse().unwrap())),
            )
        })
        .collect();
    Read {
        paths,
        circles,
        tol: (
            0.006 * (xd.1 - xd.0) / (xp.1 - xp.0).abs(),
            0.006 * (yd.1 - yd.0) / (yp.1 - yp.0).abs(),
        ),
    }
}

fn close(p: (f64, f64), q: (f64, f64), tol: (f64, f64)) -> bool {
    (p.0 - q.0).abs() < tol.0 && (p.1 - q.1).abs() < tol.1
}

#[test]
fn the_window_figure_in_the_report_draws_the_tables_limits_and_their_smooth() {
    let o = AgeOptions {
        value: "CREA".into(),
        age: "Age".into(),
        by: Some("Sex".into()),
        window: 10.0,
        step: 5.0,
        smooth: WindowSmoothing {
            method: WindowSmoother::Loess,
            ..Default::default()
        },
        unit: Some("µmol/L".into()),
        age_unit: Some("years".into()),
        ..Default::default()
    };
    let out = run_age_coded(&frame(), &o).unwrap();
    let (caption, svg) = section_figure(&out);
    assert_eq!(out.files[0].name, "age_curves.svg");
    assert_eq!(
        std::str::from_utf8(&out.files[0].bytes).unwrap(),
        svg,
        "the file is the report's figure"
    );
    assert!(
        caption.contains("CREA (µmol/L) by Age (years)") && caption.contains("LOESS"),
        "{caption}"
    );
    assert!(
        svg.contains(">Age (years)<") && svg.contains(">CREA (µmol/L)<"),
        "axis labels with units"
    );
    let r = read_back(&svg);
    // the table, read by column name
    let t = &out.tables[0];
    let col = |n: &str| t.columns.iter().position(|c| c == n).unwrap();
    let num = |c: &dimorph_core::Cell| match c {
        dimorph_core::Cell::Num(v) => Some(*v),
        dimorph_core::Cell::Int(v) => Some(*v as f64),
        _ => None,
    };
    let text = |c: &dimorph_core::Cell| match c {
        dimorph_core::Cell::Text(s) => s.clone(),
        _ => String::new(),
    };
    assert_eq!(r.paths.len(), 6, "2 sexes × 3 smoothed curves");
    for (k, sex) in ["f", "m"].iter().enumerate() {
        let colour = PALETTE[k];
        let rows: Vec<&Vec<dimorph_core::Cell>> =
            t.rows.iter().filter(|row| text(&row[col("group")]) == *sex).collect();
        let mid =
            |row: &Vec<dimorph_core::Cell>| (num(&row[col("from")]).unwrap() + num(&row[col("to")]).unwrap()) / 2.0;
        // the curves: median, lower, upper, in the sex's colour
        for (j, name) in ["median_smooth", "lower_smooth", "upper_smooth"].iter().enumerate() {
            let (stroke, pts) = &r.paths[3 * k + j];
            assert_eq!(stroke, colour, "{sex} {name}");
            let want: Vec<(f64, f64)> = rows
                .iter()
                .filter_map(|row| num(&row[col(name)]).map(|v| (mid(row), v)))
                .collect();
            assert!(want.len() >= 15, "{sex} {name}: {} values", want.len());
            assert_eq!(pts.len(), want.len(), "{sex} {name}");
            for (p, q) in pts.iter().zip(&want) {
                assert!(close(*p, *q, r.tol), "{sex} {name}: drawn {p:?}, table {q:?}");
            }
        }
        // the points: every raw window limit and median of the table, in the sex's colour
        let mine: Vec<(f64, f64)> = r.circles.iter().filter(|c| c.0 == colour).map(|c| c.1).collect();
        let mut want = Vec::new();
        for name in ["lower", "median", "upper"] {
            want.extend(
                rows.iter()
                    .filter_map(|row| num(&row[col(name)]).map(|v| (mid(row), v))),
            );
        }
        assert_eq!(mine.len(), want.len(), "{sex}: points");
        for (p, q) in mine.iter().zip(&want) {
            assert!(close(*p, *q, r.tol), "{sex}: point {p:?}, table {q:?}");
        }
    }
}

#[test]
fn the_lms_figure_in_the_report_draws_the_tables_centiles() {
    let o = AgeOptions {
        value: "CREA".into(),
        age: "Age".into(),
        by: Some("Sex".into()),
        curves: dimorph_refint::age_curves_run::Curves::Lms,
        unit: Some("µmol/L".into()),
        age_unit: Some("years".into()),
        ..Default::default()
    };
    let out = run_age_coded(&frame(), &o).unwrap();
    let (caption, svg) = section_figure(&out);
    assert!(
        caption.contains("LMS") && caption.contains("2.5 and 97.5 %"),
        "{caption}"
    );
    assert!(svg.contains(">Age (years)<") && svg.contains(">CREA (µmol/L)<"));
    let r = read_back(&svg);
    assert_eq!(r.paths.len(), 6, "2 sexes × 3 centile curves");
    for (k, sex) in ["f", "m"].iter().enumerate() {
        let pts: Vec<_> = out.result.lms_curves.iter().filter(|c| c.group == *sex).collect();
        assert_eq!(pts.len(), 51);
        type Pick = fn(&dimorph_refint::age_curves_run::LmsPoint) -> f64;
        let picks: [Pick; 3] = [|c| c.p50, |c| c.p2_5, |c| c.p97_5];
        for (j, f) in picks.iter().enumerate() {
            let (stroke, drawn) = &r.paths[3 * k + j];
            assert_eq!(stroke, PALETTE[k]);
            assert_eq!(drawn.len(), pts.len());
            for (p, c) in drawn.iter().zip(&pts) {
                assert!(close(*p, (c.age, f(c)), r.tol), "{sex}: drawn {p:?} vs {c:?}");
            }
        }
    }
}

#[test]
fn the_demo_report_shows_creatinine_by_age_and_sex() {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data");
    let out = dimorph_refint::demo::run(std::path::Path::new(data)).unwrap();
    let figures: Vec<(&String, &String)> = out
        .sections
        .iter()
        .flat_map(|s| s.blocks.iter())
        .filter_map(|b| match b {
            Block::Figure { caption, svg } => Some((caption, svg)),
            _ => None,
        })
        .filter(|(c, _)| c.contains("CREA (µmol/L) by Age (years)"))
        .collect();
    assert_eq!(figures.len(), 1, "one age figure in the demo's report");
    let r = read_back(figures[0].1);
    let w = &out.result.crea_by_age.windows;
    assert_eq!(r.paths.len(), 6, "2 sexes × 3 smoothed curves");
    for (k, sex) in ["f", "m"].iter().enumerate() {
        let want: Vec<(f64, f64)> = w
            .iter()
            .filter(|x| x.group == *sex)
            .filter_map(|x| x.upper_smooth.map(|v| ((x.from + x.to) / 2.0, v)))
            .collect();
        let (stroke, drawn) = &r.paths[3 * k + 2];
        assert_eq!(stroke, PALETTE[k]);
        assert!(want.len() >= 5, "{sex}: {} smoothed upper limits", want.len());
        assert_eq!(drawn.len(), want.len());
        for (p, q) in drawn.iter().zip(&want) {
            assert!(close(*p, *q, r.tol), "{sex}: drawn {p:?}, result {q:?}");
        }
    }
    assert!(out.summary.iter().any(|l| l.contains("CREA by age and sex")));
}
