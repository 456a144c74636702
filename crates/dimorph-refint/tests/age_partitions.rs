//! Issue 15, item 3: age partitions chosen from the data by the paper's criterion (Haeckel et al.
//! 2016, eqs. 3–4) and the percentile-curve figure of `refint age`.
//!
//! The truth is known by construction: values from a seeded generator (dimorph_core::rng) are
//! log-normal with a median that jumps from 50 to 65 at age 40 for one sex (a 26 % step, far
//! beyond the permissible difference of about 4–5 % for a CV of 15 %) and stays at 80 for the
//! other. The cut must be found within one band of age 40, and no cut where nothing changes.
//! The figure is checked through the axis mapping it declares: the dashed steps sit where the
//! table's limits are.

use dimorph_core::rng::Rng;
use dimorph_refint::run::{run_age_coded, AgeOptions};

use crate::svg::{assert_well_formed, attr, pair};

/// Ages uniform on [0, 80); women's median 50 before age 40 and 65 from 40; men's 80 throughout;
/// ln-SD 0.15. `n` values per sex.
fn generated(n: usize, seed: u64) -> dimorph_data::CodedFrame {
    let mut r = Rng::new(seed);
    let mut csv = String::from("age,sex,v\n");
    for sex in ["f", "m"] {
        for _ in 0..n {
            let age = r.range(0.0, 80.0);
            let median: f64 = match (sex, age >= 40.0) {
                ("f", false) => 50.0,
                ("f", true) => 65.0,
                _ => 80.0,
            };
            let v = (median.ln() + 0.15 * r.normal()).exp();
            csv.push_str(&format!("{age},{sex},{v}\n"));
        }
    }
    dimorph_data::coded::read_coded_bytes("generated", csv.as_bytes(), Default::default(), &["v", "age"], &["sex"])
        .unwrap()
}

fn options(band: f64) -> AgeOptions {
    AgeOptions {
        value: "v".into(),
        age: "age".into(),
        by: Some("sex".into()),
        window: 10.0,
        step: 10.0,
        partitions: Some(band),
        ..Default::default()
    }
}

#[test]
fn a_step_in_the_true_limits_is_cut_within_one_band_and_no_change_gives_no_cut() {
    // the parametric log-normal estimate: its sampling error (≈ 0.6 % of a limit at 2000 values
    // per band) is well below pD (≈ 5 %); reflimR's truncated Q-Q fit varies by a few % at
    // these sizes, as much as pD, and would cut where nothing changes
    let cf = generated(16000, 20261126);
    let o = AgeOptions {
        estimate: dimorph_refint::EstimateOptions {
            method: dimorph_refint::Method::Parametric,
            transform: Some(dimorph_refint::options::Transform::LogNormal),
            ..Default::default()
        },
        ..options(10.0)
    };
    let out = run_age_coded(&cf, &o).unwrap();
    let parts = &out.result.partitions;
    let f: Vec<_> = parts.iter().filter(|p| p.group == "f").collect();
    let m: Vec<_> = parts.iter().filter(|p| p.group == "m").collect();
    assert_eq!(f.len(), 2, "{f:#?}");
    assert!((f[1].from - 40.0).abs() <= 10.0, "cut at {}", f[1].from);
    assert!(f[1].reason.contains("> pD"), "{}", f[1].reason);
    assert_eq!((f[0].from, f[1].to), (0.0, 80.0));
    assert_eq!(f[0].to, f[1].from);
    // the partitions hold every value once
    assert_eq!(f[0].n + f[1].n, 16000);
    // limits near the truth: exp(ln 50 ± 1.96·0.15) before, exp(ln 65 ± 1.96·0.15) after
    let truth = |m: f64| (m * (-1.96f64 * 0.15).exp(), m * (1.96f64 * 0.15).exp());
    for (p, med) in [(f[0], 50.0), (f[1], 65.0)] {
        let (lo, hi) = truth(med);
        assert!((p.lower / lo - 1.0).abs() < 0.03, "{} vs {lo}", p.lower);
        assert!((p.upper / hi - 1.0).abs() < 0.03, "{} vs {hi}", p.upper);
    }
    assert_eq!(m.len(), 1, "no change, no cut: {m:#?}");
    assert_eq!((m[0].from, m[0].to, m[0].n), (0.0, 80.0, 16000));
    assert_eq!(m[0].reason, "first age band of the group");
    // the tidy table: one row per partition, the columns asked for
    let t = out.tables.iter().find(|t| t.name == "age_partitions").unwrap();
    assert_eq!(t.columns, ["group", "from", "to", "n", "lower", "upper", "reason"]);
    assert_eq!(t.rows.len(), 3);
}

#[test]
fn a_band_with_too_few_values_is_named() {
    // women: plenty; men: 30 values in all, too few for reflimR's method (40) in any band
    let mut cf_text = String::from("age,sex,v\n");
    let mut r = Rng::new(7);
    for i in 0..4000 {
        let v = (50f64.ln() + 0.15 * r.normal()).exp();
        cf_text.push_str(&format!("{},f,{v}\n", i % 80));
    }
    for i in 0..30 {
        cf_text.push_str(&format!("{},m,{}\n", 20 + i % 10, 50 + i));
    }
    let cf = dimorph_data::coded::read_coded_bytes(
        "small.csv",
        cf_text.as_bytes(),
        Default::default(),
        &["v", "age"],
        &["sex"],
    )
    .unwrap();
    let out = run_age_coded(&cf, &options(10.0)).unwrap();
    // the men's reason names their band; the women's partitions go on
    let w = out.warnings.join("\n");
    assert!(
        w.contains("age in [20, 30) and sex = 'm'") && w.contains("needs at least 40 values"),
        "{w}"
    );
    assert!(out.result.partitions.iter().all(|p| p.group == "f"));
    assert!(!out.result.partitions.is_empty());
    // without groups, the error names the band
    let only_m = "age,v\n".to_string()
        + &(0..30)
            .map(|i| format!("{},{}\n", 20 + i % 10, 50 + i))
            .collect::<String>();
    let cf = dimorph_data::coded::read_coded_bytes("m.csv", only_m.as_bytes(), Default::default(), &["v", "age"], &[])
        .unwrap();
    let o = AgeOptions {
        by: None,
        window: 100.0,
        ..options(10.0)
    };
    let e = run_age_coded(&cf, &o).unwrap_err().to_string();
    assert!(e.contains("m.csv") && e.contains("needs at least 40"), "{e}");
}

#[test]
fn a_sparse_tail_band_joins_its_neighbour_with_the_reason() {
    // 3000 values at ages 0–60, then 5 values at ages 60–70: the last band joins, said so
    let mut r = Rng::new(11);
    let mut text = String::from("age,v\n");
    for i in 0..3000 {
        text.push_str(&format!(
            "{},{}\n",
            (i % 60) as f64 + 0.5,
            (50f64.ln() + 0.15 * r.normal()).exp()
        ));
    }
    for i in 0..5 {
        text.push_str(&format!("{},{}\n", 61 + i, 50 + i));
    }
    let cf = dimorph_data::coded::read_coded_bytes("tail.csv", text.as_bytes(), Default::default(), &["v", "age"], &[])
        .unwrap();
    let o = AgeOptions {
        by: None,
        window: 20.0,
        step: 20.0,
        ..options(20.0)
    };
    let out = run_age_coded(&cf, &o).unwrap();
    let last = out.result.partitions.last().unwrap();
    assert_eq!(last.to, 80.0);
    assert!(
        last.reason.contains("band [60, 80) (n = 5) joined without a test"),
        "{}",
        last.reason
    );
    assert!(out.warnings.iter().any(|w| w.contains("joined without a test")));
    assert_eq!(out.result.partitions.iter().map(|p| p.n).sum::<usize>(), 3005);
}

#[test]
fn the_figure_draws_the_curves_and_the_partitions_where_the_table_says() {
    let cf = generated(4000, 99);
    let out = run_age_coded(&cf, &options(20.0)).unwrap();
    let svg = std::str::from_utf8(&out.files[0].bytes).unwrap();
    assert_eq!(out.files[0].name, "age_curves.svg");
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
    // the paths in drawing order: per sex the median, lower and upper curves, then the steps
    let paths: Vec<Vec<(f64, f64)>> = svg
        .match_indices("<path d=\"")
        .map(|(i, m)| {
            let d = &svg[i + m.len()..i + m.len() + svg[i + m.len()..].find('"').unwrap()];
            d.split_whitespace()
                .map(|p| {
                    let (a, b) = p[1..].split_once(',').unwrap();
                    (x(a.parse().unwrap()), y(b.parse().unwrap()))
                })
                .collect()
        })
        .collect();
    assert_eq!(paths.len(), 10, "2 sexes × (3 curves + 2 steps)");
    // pixel coordinates are written to 2 decimals: half a hundredth of a pixel in data units
    let tol_x = 0.006 * (xd.1 - xd.0) / (xp.1 - xp.0).abs();
    let tol_y = 0.006 * (yd.1 - yd.0) / (yp.1 - yp.0).abs();
    for (s, sex) in ["f", "m"].iter().enumerate() {
        let w: Vec<_> = out
            .result
            .windows
            .iter()
            .filter(|w| w.group == *sex && w.lower.is_some())
            .collect();
        let curves = &paths[s * 5..s * 5 + 5];
        type Pick = fn(&dimorph_refint::run::AgeWindow) -> Option<f64>;
        let picks: [Pick; 3] = [|w| w.median, |w| w.lower, |w| w.upper];
        for (c, f) in picks.iter().enumerate() {
            assert_eq!(curves[c].len(), w.len());
            for (p, w) in curves[c].iter().zip(&w) {
                assert!((p.0 - (w.from + w.to) / 2.0).abs() < tol_x, "{p:?} vs {w:?}");
                assert!((p.1 - f(w).unwrap()).abs() < tol_y, "{p:?} vs {w:?}");
            }
        }
        let parts: Vec<_> = out.result.partitions.iter().filter(|p| p.group == *sex).collect();
        for (k, lim) in [(3, 0), (4, 1)] {
            let steps = &curves[k];
            assert_eq!(steps.len(), 2 * parts.len());
            for (j, p) in parts.iter().enumerate() {
                let v = if lim == 0 { p.lower } else { p.upper };
                for (pt, age) in [(steps[2 * j], p.from), (steps[2 * j + 1], p.to)] {
                    assert!(
                        (pt.0 - age).abs() < tol_x && (pt.1 - v).abs() < tol_y,
                        "{pt:?} vs {p:?}"
                    );
                }
            }
        }
    }
}
