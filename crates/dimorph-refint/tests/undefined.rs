//! Issue 14, class 7: a statistic that is not defined is reported as such, with the reason — an
//! error naming the group, or (for a confidence interval or a percentage) a missing value with a
//! warning — never a NaN or an infinity; and (class 8) what the messages quote from the input is
//! short.

use dimorph_core::Rng;
use dimorph_refint::estimate::robust::robust;
use dimorph_refint::quote::{clip, dec, num};
use dimorph_refint::stats::{mean, sd};
use dimorph_refint::{
    run_estimate, Assumption, EstimateOptions, EstimateRunOptions, Method, Permissible, PermissibleOptions, RefintError,
};

/// `n` values around 100 of which the first `tied` equal 100 exactly.
fn with_ties(n: usize, tied: usize, seed: u64) -> Vec<f64> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|i| if i < tied { 100.0 } else { 100.0 + 10.0 * rng.normal() })
        .collect()
}

fn frame(groups: &[(&str, Vec<f64>)]) -> dimorph_data::Frame {
    let mut csv = String::from("v,g\n");
    for (g, x) in groups {
        for v in x {
            csv.push_str(&format!("{v},{g}\n"));
        }
    }
    dimorph_data::read_csv_bytes("ties.csv", csv.as_bytes()).unwrap()
}

fn estimate(
    method: Method,
    f: &dimorph_data::Frame,
) -> Result<dimorph_report::Outcome<dimorph_refint::EstimateResult>, RefintError> {
    run_estimate(
        f,
        &EstimateRunOptions {
            value: "v".into(),
            by: Some("g".into()),
            estimate: EstimateOptions {
                method,
                ..Default::default()
            },
            ..Default::default()
        },
    )
}

#[test]
fn robust_with_half_the_values_tied_is_undefined_and_names_the_group() {
    // issue 15: the group whose estimate is not defined gets its reason; the others go on
    let f = frame(&[("a", with_ties(60, 35, 1)), ("b", with_ties(60, 0, 2))]);
    let out = estimate(Method::Robust, &f).unwrap();
    assert_eq!(out.result.groups.len(), 1);
    assert_eq!(out.result.groups[0].group, "b");
    let e = &out.result.not_estimated[0];
    assert_eq!(e.group, "a");
    assert!(
        e.reason
            .starts_with("ties.csv: v where g = 'a': the robust (biweight) estimate is not defined")
            && e.reason.contains("median absolute deviation"),
        "{}",
        e.reason
    );
    assert!(out.warnings.iter().any(|w| w.starts_with("a: not estimated:")));
    // one group only: the error itself
    let f = frame(&[("a", with_ties(60, 35, 1))]);
    let e = estimate(Method::Robust, &f).unwrap_err().to_string();
    assert!(
        e.contains("where g = 'a': the robust (biweight) estimate is not defined")
            && e.contains("median absolute deviation"),
        "{e}"
    );
    // reflimR: tied quartiles
    let f = frame(&[("a", with_ties(80, 60, 1))]);
    let e = estimate(Method::Reflim, &f).unwrap_err().to_string();
    assert!(
        e.contains("where g = 'a'") && e.contains("reflimR estimate is not defined"),
        "{e}"
    );
}

#[test]
fn robust_bootstrap_resamples_without_an_estimate_are_left_out_with_a_warning() {
    // 45 % tied: the sample has a scale, many resamples do not
    let x = with_ties(40, 18, 3);
    let l = robust("x", &x, 7).unwrap();
    assert!(l.lower.is_finite() && l.upper.is_finite());
    let (a, b) = l.ci_lower.unwrap();
    assert!(a.is_finite() && b.is_finite());
    assert!(
        l.remarks
            .iter()
            .any(|r| r.contains("left out of the confidence intervals")),
        "{:?}",
        l.remarks
    );
    let out = estimate(Method::Robust, &frame(&[("a", x)])).unwrap();
    assert!(out
        .warnings
        .iter()
        .any(|w| w.starts_with("a: ") && w.contains("bootstrap resamples")));
    for t in &out.tables {
        for c in t.rows.iter().flatten() {
            if let dimorph_core::Cell::Num(v) = c {
                assert!(v.is_finite(), "{}", t.name);
            }
        }
    }
}

#[test]
fn the_permissible_uncertainty_refuses_what_it_cannot_compute() {
    let normal = PermissibleOptions {
        assumption: Assumption::Normal,
        ..Default::default()
    };
    // a percentage of a zero limit: NaN (null in JSON, NA in text and CSV) and a sentence saying so
    let p = Permissible::from_limits(0.0, 50.0, normal).unwrap();
    assert!(p.pd1_pct.is_nan() && p.pcv_a_rl1.is_nan() && p.pd2_pct.is_finite());
    assert!(p
        .undefined_percentages()
        .unwrap()
        .contains("not defined at a limit of 0"));
    assert!(Permissible::from_limits(10.0, 50.0, normal)
        .unwrap()
        .undefined_percentages()
        .is_none());
    // a lower limit below -Med/4 under the normal assumption: ps_A (eq. 12) would be negative
    let e = Permissible::from_limits(-5.0, 10.0, normal).unwrap_err().to_string();
    assert!(e.contains("not defined") && e.contains("ps_A(RL1)"), "{e}");
    // limits so far apart that exp(s²) overflows (eqs. 6-8)
    let e = Permissible::from_limits(1e-31, 1e15, PermissibleOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("too far apart"), "{e}");
    // limits beyond ±1e15
    let e = Permissible::from_limits(1.0, 1e16, PermissibleOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("outside -1e15 to 1e15") && e.contains("1e16"), "{e}");
}

#[test]
fn mean_and_sd_stay_finite_where_the_plain_sums_overflow() {
    let x = [1e308, 1.5e308, 1.7e308];
    assert!((mean(&x) - 1.4e308).abs() < 1e294);
    let s = sd(&x);
    assert!(s.is_finite() && (s - 0.360_555_127_546_398_9e308).abs() < 1e295, "{s}");
    // unchanged where nothing overflows
    let y = [1.0, 2.0, 4.0];
    assert_eq!(mean(&y), 7.0 / 3.0);
    assert_eq!(sd(&y), ((16.0 / 9.0 + 1.0 / 9.0 + 25.0 / 9.0) / 2.0f64).sqrt());
}

#[test]
fn messages_quote_short_text_and_short_numbers() {
    assert_eq!(num(104.0), "104");
    assert_eq!(num(0.1), "0.1");
    assert_eq!(num(1e308), "1e308");
    assert_eq!(num(-4.2e-301), "-4.2e-301");
    assert_eq!(num(f64::INFINITY), "inf");
    assert_eq!(dec(1e300, 2), "1.0000e+300");
    assert_eq!(dec(f64::NAN, 2), "NA");
    assert_eq!(dec(12.345, 2), "12.35");
    let long = "é".repeat(10_000);
    let c = clip(&long);
    assert_eq!(c.chars().count(), 61);
    assert!(c.ends_with('…'));
    assert_eq!(clip("a\nb\0c"), "a\\nb\\u{0}c");
    // a 10 kB cell in the value column: the reader's message, clipped
    let csv = format!("v,g\n1,a\n{},a\n", "x".repeat(10_000));
    let f = dimorph_data::read_csv_bytes("long.csv", csv.as_bytes()).unwrap();
    let e = estimate(Method::Direct, &f).unwrap_err().to_string();
    assert!(e.contains("line 3") && e.contains('…') && e.len() < 200, "{e}");
    // a 10 kB group name
    let long = "g".repeat(10_000);
    let f = frame(&[(long.as_str(), vec![1.0, 2.0])]);
    let e = estimate(Method::Direct, &f).unwrap_err().to_string();
    assert!(e.contains("needs at least 39") && e.len() < 300, "{e}");
}

#[test]
fn dixon_with_a_tied_end_takes_the_other_end() {
    use dimorph_refint::estimate::outliers::{dixon, horn};
    // n = 8 (r11): the low ratio spans seven tied values (range 0, not defined)
    let d = dixon("x", &[1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 5.0]).unwrap();
    assert_eq!((d.end.as_str(), d.q), ("highest", 1.0));
    assert!(d.outlier);
    // Horn's fences are numbers or None, never NaN
    let h = horn("x", &with_ties(40, 0, 5)).unwrap();
    for f in [h.fences.0, h.fences.1].into_iter().flatten() {
        assert!(f.is_finite());
    }
}

#[test]
fn a_box_cox_confidence_interval_beyond_the_transform_is_left_out_with_a_remark() {
    use dimorph_refint::estimate::parametric::{parametric, Transform};
    // normal on the scale 1 - 1/x (Box-Cox λ = -1), whose range ends at 1: the upper limit lies
    // below 1, the upper end of its confidence interval above (where no x maps to)
    let x: Vec<f64> = (1..=20)
        .map(|i| {
            let y = 0.5 + 0.22 * dimorph_core::dist::qnorm((f64::from(i) - 0.5) / 20.0);
            1.0 / (1.0 - y)
        })
        .collect();
    let (l, lambda) = parametric("x", &x, Transform::BoxCox).unwrap();
    assert!(lambda.unwrap() < -0.5, "{lambda:?}");
    assert!(l.lower.is_finite() && l.upper.is_finite());
    assert!(l.ci_upper.is_none(), "{:?}", l.ci_upper);
    assert!(
        l.remarks.iter().any(|r| r.contains("upper limit is left out")),
        "{:?}",
        l.remarks
    );
}
