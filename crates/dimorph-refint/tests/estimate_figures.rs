//! The figures of `refint estimate` (reflimR's plot and the Q–Q plot, one pair per group): the SVG
//! is well-formed XML; the limit lines, read back through the axis mapping written into the
//! figure, sit within a pixel of reflimR 1.1.0's unrounded limits; the tolerance lines within a
//! pixel of reflimR's tolerance limits; the histogram's bars count every value; the fitted density
//! integrates to reflimR's fraction of non-pathological values; group labels with '/' or spaces
//! give safe, distinct file names; a group too small for the method gets no figure but a warning.
//!
//! Peer values: reflimR 1.1.0 on `data/refint/reflimr_livertests.csv`, computed by
//! `tests/reference/peers.R` (the same values `tests/reflimr_livertests.rs` checks the estimate
//! against): ALT, women: lower_raw, upper_raw, perc_norm, tolerance limits.

#![allow(clippy::excessive_precision)]

use dimorph_refint::estimate_figures::safe_name;
use dimorph_refint::{run_estimate, EstimateOptions, EstimateRunOptions, Method};
use std::path::Path;

use crate::svg::{assert_well_formed, attr, pair};

const ALT_F_LOWER_RAW: f64 = 10.0930051261078;
const ALT_F_UPPER_RAW: f64 = 30.8831070562841;
const ALT_F_PERC_NORM: f64 = 78.7;
const ALT_F_TOL: [f64; 4] = [9.3, 10.9, 29.0, 32.8];

/// Every tag starting with `prefix` (e.g. `<line class="limit"`).
fn tags<'a>(svg: &'a str, prefix: &str) -> Vec<&'a str> {
    svg.match_indices(prefix)
        .map(|(i, _)| &svg[i..i + svg[i..].find('>').unwrap()])
        .collect()
}

/// The axis mapping the figure declares: data → pixel for x and y.
struct Axes {
    xd: (f64, f64),
    xp: (f64, f64),
    yd: (f64, f64),
    yp: (f64, f64),
}

impl Axes {
    fn of(svg: &str) -> Axes {
        let t = tags(svg, "<g class=\"axes\"")[0];
        Axes {
            xd: pair(attr(t, "data-x-domain").unwrap()),
            xp: pair(attr(t, "data-x-px").unwrap()),
            yd: pair(attr(t, "data-y-domain").unwrap()),
            yp: pair(attr(t, "data-y-px").unwrap()),
        }
    }
    fn x(&self, px: f64) -> f64 {
        self.xd.0 + (px - self.xp.0) / (self.xp.1 - self.xp.0) * (self.xd.1 - self.xd.0)
    }
    fn y(&self, px: f64) -> f64 {
        self.yd.0 + (px - self.yp.0) / (self.yp.1 - self.yp.0) * (self.yd.1 - self.yd.0)
    }
    /// One pixel on the x axis, in data units.
    fn x_pixel(&self) -> f64 {
        (self.xd.1 - self.xd.0) / (self.xp.1 - self.xp.0)
    }
}

fn livertests() -> dimorph_data::Frame {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/refint/reflimr_livertests.csv");
    dimorph_data::read_csv(&p).unwrap()
}

fn file<'a>(out: &'a dimorph_report::Outcome<dimorph_refint::EstimateResult>, name: &str) -> &'a str {
    let f = out
        .files
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no {name}"));
    std::str::from_utf8(&f.bytes).unwrap()
}

#[test]
fn reflim_figure_shows_reflimrs_limits_tolerance_and_fraction() {
    let o = EstimateRunOptions {
        value: "ALT".into(),
        by: Some("Sex".into()),
        ..Default::default()
    };
    let out = run_estimate(&livertests(), &o).unwrap();
    let names: Vec<&str> = out.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "histograms.svg",
            "estimate_f.svg",
            "qq_f.svg",
            "estimate_m.svg",
            "qq_m.svg"
        ]
    );
    for f in &out.files {
        assert_well_formed(std::str::from_utf8(&f.bytes).unwrap());
    }
    let svg = file(&out, "estimate_f.svg");
    assert!(svg.contains("ALT, Sex = f: reflimR (log-normal), n = 238"));
    let ax = Axes::of(svg);
    // the limit lines within a pixel of reflimR's unrounded limits
    let lines = tags(svg, "<line class=\"limit\"");
    assert_eq!(lines.len(), 2);
    for (t, want) in lines.iter().zip([ALT_F_LOWER_RAW, ALT_F_UPPER_RAW]) {
        let x1: f64 = attr(t, "x1").unwrap().parse().unwrap();
        let got = ax.x(x1);
        assert!(
            (got - want).abs() <= ax.x_pixel(),
            "limit line at {got}, reflimR {want}"
        );
    }
    // the tolerance lines (dashed, black, width 1) within a pixel of reflimR's tolerance limits
    let tol: Vec<f64> = tags(svg, "<path d=\"M")
        .into_iter()
        .filter(|t| t.contains("stroke=\"#000000\" stroke-width=\"1\" stroke-dasharray"))
        .map(|t| ax.x(attr(t, "d").unwrap()[1..].split(',').next().unwrap().parse().unwrap()))
        .collect();
    assert_eq!(tol.len(), 4, "{tol:?}");
    for (got, want) in tol.iter().zip(ALT_F_TOL) {
        assert!(
            (got - want).abs() <= ax.x_pixel(),
            "tolerance line at {got}, reflimR {want}"
        );
    }
    // the bars count every value (the ones beyond median + 8 IQR are counted apart) and their
    // area is the fraction drawn
    let axes = tags(svg, "<g class=\"axes\"")[0];
    let n: usize = attr(axes, "data-n").unwrap().parse().unwrap();
    let beyond: usize = attr(axes, "data-beyond").unwrap().parse().unwrap();
    assert_eq!(n, 238);
    let bars = tags(svg, "<rect class=\"bar\"");
    let counted: usize = bars
        .iter()
        .map(|t| attr(t, "data-count").unwrap().parse::<usize>().unwrap())
        .sum();
    assert_eq!(counted + beyond, n);
    let area: f64 = bars
        .iter()
        .map(|t| {
            let px = |a: &str| attr(t, a).unwrap().parse::<f64>().unwrap();
            let h = ax.y(px("y")) - ax.y(px("y") + px("height"));
            h * px("width") * ax.x_pixel()
        })
        .sum();
    let drawn = counted as f64 / n as f64;
    assert!((area - drawn).abs() < 0.01, "bar area {area}, fraction drawn {drawn}");
    // the fitted density (the black solid curve) integrates to reflimR's fraction
    let curve = tags(svg, "<path d=\"M")
        .into_iter()
        .find(|t| t.contains("stroke-width=\"1.8\""))
        .expect("the density curve");
    let pts: Vec<(f64, f64)> = attr(curve, "d")
        .unwrap()
        .split_whitespace()
        .map(|p| {
            let (a, b) = p[1..].split_once(',').unwrap();
            (ax.x(a.parse().unwrap()), ax.y(b.parse().unwrap()))
        })
        .collect();
    let integral: f64 = pts
        .windows(2)
        .map(|w| 0.5 * (w[0].1 + w[1].1) * (w[1].0 - w[0].0))
        .sum();
    assert!(
        (integral - ALT_F_PERC_NORM / 100.0).abs() < 0.01,
        "density integrates to {integral}, reflimR's fraction {}",
        ALT_F_PERC_NORM / 100.0
    );
    // the truncation interval and the confidence bands are drawn and named
    assert!(svg.contains("truncation interval") && svg.contains("confidence intervals"));
    // the Q-Q plot: the truncated values on the log scale, one point per value
    let qq = file(&out, "qq_f.svg");
    let n_trunc = out.result.groups[0].reflim.as_ref().unwrap().n_trunc;
    assert_eq!(qq.matches("<circle").count(), n_trunc);
    assert!(qq.contains("ln ALT") && qq.contains(&format!("n = {n_trunc}")));
    // and the report's section carries the figures (for the HTML report)
    let mut report = dimorph_report::Report::new("estimate");
    report.push(out.sections[0].clone());
    let html = report.to_html();
    assert!(html.matches("<svg").count() >= 4, "figures in the section");
}

/// Groups "a/b" and "a b" (both "a_b" when made safe), "../x", and "tiny" with 10 values: the
/// first three get distinct safe files, "tiny" none and a warning.
#[test]
fn group_labels_give_safe_distinct_files_and_a_small_group_none() {
    let mut csv = String::from("v,g\n");
    for (g, n) in [("a/b", 300), ("a b", 300), ("../x", 300), ("tiny", 10)] {
        for i in 0..n {
            // a skewed but healthy-looking sample, plus a few high values
            let u = (i as f64 + 0.5) / n as f64;
            let v = 50.0 + 10.0 * dimorph_core::dist::qnorm(u) + if i % 25 == 0 { 60.0 } else { 0.0 };
            csv.push_str(&format!("{v:.2},\"{g}\"\n"));
        }
    }
    let frame = dimorph_data::read_csv_bytes("groups.csv", csv.as_bytes()).unwrap();
    for method in [Method::Reflim, Method::Parametric, Method::Direct] {
        let o = EstimateRunOptions {
            value: "v".into(),
            by: Some("g".into()),
            estimate: EstimateOptions {
                method,
                ..Default::default()
            },
            ..Default::default()
        };
        let out = run_estimate(&frame, &o).unwrap();
        let mut names: Vec<&str> = out.files.iter().map(|f| f.name.as_str()).collect();
        names.sort();
        assert_eq!(
            names,
            [
                "estimate_a_b.svg",
                "estimate_a_b_2.svg",
                "estimate_x.svg",
                "histograms.svg",
                "qq_a_b.svg",
                "qq_a_b_2.svg",
                "qq_x.svg"
            ],
            "{method:?}"
        );
        for f in &out.files {
            assert!(f.name.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)));
            assert_well_formed(std::str::from_utf8(&f.bytes).unwrap());
        }
        assert!(
            out.warnings
                .iter()
                .any(|w| w.contains("tiny") && w.contains("not estimated")),
            "{:?}",
            out.warnings
        );
        // every figure's limit lines sit at its group's limits
        for (k, g) in out.result.groups.iter().enumerate() {
            let svg = std::str::from_utf8(&out.files[1 + 2 * k].bytes).unwrap();
            assert!(svg.contains(&format!("g = {}", g.group)));
            let ax = Axes::of(svg);
            for (t, want) in tags(svg, "<line class=\"limit\"")
                .iter()
                .zip([g.limits.lower, g.limits.upper])
            {
                let got = ax.x(attr(t, "x1").unwrap().parse().unwrap());
                assert!((got - want).abs() <= ax.x_pixel(), "{}: {got} vs {want}", g.group);
            }
        }
    }
    assert_eq!(safe_name(""), "group");
    assert_eq!(safe_name("..//.."), "group");
    assert_eq!(safe_name("Männer 18–30 J."), "M_nner_18_30_J");
}
