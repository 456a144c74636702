//! Issue 15: smoothing of the sliding-window limits (`refint age --smooth loess`) against R's own
//! LOESS, `stats::loess(y ~ mid, weights = n, span, degree, control = loess.control(surface =
//! "direct"))` of R 4.2.2, run once by tests/peers/age_smooth.R on the windows in
//! tests/peers/age_smooth_windows.csv (outputs in tests/peers/age_smooth.out.csv).
//!
//! The windows are recomputed here from the data (tests/peers/lms_gamlss_data.csv, CREA by Sex,
//! windows 10 wide every 5) and must be the ones R smoothed (to 1e-12); the smoothed lower
//! limits, medians and upper limits must equal R's to 1e-9 relative — both solve the same local
//! weighted least-squares problems (R by QR and SVD, dimorph by Cholesky of the normal
//! equations), so they agree to rounding. Four settings: span 0.75 / degree 2 (R's defaults),
//! span 0.4 / degree 1, span 1.5 / degree 2 (every window in each fit, the radius widened by
//! √1.5 as R's lowesd does) and span 0.6 / degree 0.

use dimorph_refint::age_smooth::{WindowSmoother, WindowSmoothing};
use dimorph_refint::run::{run_age_coded, AgeOptions, AgeWindow};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/");

fn read_csv(path: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).expect(path);
    let mut lines = text.lines();
    let split = |l: &str| -> Vec<String> {
        // fields here hold no quoted commas except the last (not_estimated), which is not read
        l.split(',').map(|c| c.trim_matches('"').to_string()).collect()
    };
    let head = split(lines.next().expect("header"));
    (head, lines.map(split).collect())
}

fn options(span: f64, degree: usize) -> AgeOptions {
    AgeOptions {
        value: "CREA".into(),
        age: "Age".into(),
        by: Some("Sex".into()),
        window: 10.0,
        step: 5.0,
        smooth: WindowSmoothing {
            method: WindowSmoother::Loess,
            span,
            degree,
        },
        ..Default::default()
    }
}

fn frame() -> dimorph_data::CodedFrame {
    let bytes = std::fs::read(format!("{DIR}lms_gamlss_data.csv")).unwrap();
    dimorph_data::coded::read_coded_bytes(
        "lms_gamlss_data.csv",
        &bytes,
        Default::default(),
        &["CREA", "Age"],
        &["Sex"],
    )
    .unwrap()
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

#[test]
fn the_windows_are_the_ones_r_smoothed() {
    let out = run_age_coded(&frame(), &options(0.75, 2)).unwrap();
    let (h, rows) = read_csv(&format!("{DIR}age_smooth_windows.csv"));
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    assert_eq!(out.result.windows.len(), rows.len());
    for (w, r) in out.result.windows.iter().zip(&rows) {
        assert_eq!(w.group, r[col("group")]);
        assert_eq!(w.from, r[col("from")].parse::<f64>().unwrap());
        assert_eq!(w.n, r[col("n")].parse::<usize>().unwrap());
        for (ours, name) in [(w.lower, "lower"), (w.median, "median"), (w.upper, "upper")] {
            match (ours, r[col(name)].as_str()) {
                (None, "NA") => {}
                (Some(v), s) => assert!(rel(v, s.parse().unwrap()) < 1e-12, "{name} {v} vs {s}"),
                (None, s) => panic!("{name}: none here, {s} in the peer's input"),
            }
        }
    }
}

#[test]
fn loess_of_the_windows_equals_r_loess() {
    let (h, rows) = read_csv(&format!("{DIR}age_smooth.out.csv"));
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    let mut cases: Vec<(String, f64, usize)> = Vec::new();
    for r in &rows {
        let c = (
            r[col("case")].clone(),
            r[col("span")].parse().unwrap(),
            r[col("degree")].parse().unwrap(),
        );
        if !cases.contains(&c) {
            cases.push(c);
        }
    }
    assert_eq!(cases.len(), 4);
    let cf = frame();
    for (case, span, degree) in cases {
        let out = run_age_coded(&cf, &options(span, degree)).unwrap();
        assert!(
            !out.warnings.iter().any(|w| w.contains("not smoothed")),
            "{case}: {:?}",
            out.warnings
        );
        let mut worst = 0.0f64;
        let mut compared = 0;
        for r in rows.iter().filter(|r| r[col("case")] == case) {
            let (g, mid): (&str, f64) = (&r[col("group")], r[col("mid")].parse().unwrap());
            let w: &AgeWindow = out
                .result
                .windows
                .iter()
                .find(|w| w.group == g && (w.from + w.to) / 2.0 == mid)
                .unwrap_or_else(|| panic!("{case}: no window of {g} at {mid}"));
            let ours = match r[col("curve")].as_str() {
                "lower" => w.lower_smooth,
                "median" => w.median_smooth,
                _ => w.upper_smooth,
            }
            .unwrap_or_else(|| panic!("{case}: {g} at {mid}: not smoothed"));
            worst = worst.max(rel(ours, r[col("smooth")].parse().unwrap()));
            compared += 1;
        }
        // every smoothed value of ours has R's beside it: 3 curves × the windows in range
        let smoothed: usize = out
            .result
            .windows
            .iter()
            .map(|w| {
                [w.lower_smooth, w.median_smooth, w.upper_smooth]
                    .iter()
                    .flatten()
                    .count()
            })
            .sum();
        assert_eq!(smoothed, compared, "{case}");
        eprintln!("{case}: {compared} smoothed values, largest relative difference from R {worst:e}");
        assert!(
            worst < 1e-9,
            "{case}: largest relative difference from R's loess {worst:e}"
        );
    }
}

#[test]
fn the_table_has_the_smoothed_curves_beside_the_windows_and_none_adds_nothing() {
    let cf = frame();
    let out = run_age_coded(&cf, &options(0.75, 2)).unwrap();
    let t = &out.tables[0];
    for c in ["lower", "lower_smooth", "median_smooth", "upper_smooth"] {
        assert!(t.columns.iter().any(|x| x == c), "{c}: {:?}", t.columns);
    }
    // a window not estimated inside the range gets the smooth's value there (the gap filled)
    let gap = out
        .result
        .windows
        .iter()
        .find(|w| w.group == "f" && w.from == 11.0)
        .unwrap();
    assert!(gap.lower.is_none() && gap.lower_smooth.is_some(), "{gap:?}");
    let s = out.sections[0].to_text();
    assert!(s.contains("LOESS") && s.contains("span 0.75"), "{s}");
    let plain = AgeOptions {
        smooth: WindowSmoothing::default(),
        ..options(0.75, 2)
    };
    let out = run_age_coded(&cf, &plain).unwrap();
    assert!(!out.tables[0].columns.iter().any(|x| x.ends_with("_smooth")));
    assert!(out.result.windows.iter().all(|w| w.lower_smooth.is_none()));
}

#[test]
fn smoothing_options_are_checked_and_too_few_windows_are_said() {
    let cf = frame();
    for (span, degree, flag) in [
        (0.0, 2, "--smooth-span"),
        (f64::NAN, 2, "--smooth-span"),
        (0.75, 3, "--smooth-degree"),
    ] {
        let e = run_age_coded(&cf, &options(span, degree)).unwrap_err().to_string();
        assert!(e.contains(flag), "{e}");
    }
    // --curves lms is smooth already
    let o = AgeOptions {
        curves: dimorph_refint::age_curves_run::Curves::Lms,
        window: 0.0,
        step: 0.0,
        ..options(0.75, 2)
    };
    assert!(run_age_coded(&cf, &o).unwrap_err().to_string().contains("--smooth"));
    // wide windows: 4 per sex with limits; span 0.5 takes 2, too few for a quadratic
    let o = AgeOptions {
        window: 25.0,
        step: 25.0,
        ..options(0.5, 2)
    };
    let out = run_age_coded(&cf, &o).unwrap();
    let w: Vec<&String> = out.warnings.iter().filter(|w| w.contains("not smoothed")).collect();
    assert_eq!(w.len(), 6, "{:?}", out.warnings);
    assert!(w[0].contains("Sex = 'f'") && w[0].contains("degree 2"), "{}", w[0]);
}
