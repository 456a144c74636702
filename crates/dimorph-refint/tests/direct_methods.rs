//! Direct methods (CLSI EP28-A3c) against the R package referenceIntervals 1.3.1 (Finnegan) on
//! its own example sets (`data/refint/referenceintervals_set{20,50,120,200}.csv`), computed by
//! `tests/reference/peers.R` (R 4.2.2): refLimit(x, RI = "p" | "n" | "r") with the default Horn
//! outlier screen (out.rm = FALSE), MASS::boxcox's grid λ, and outliers::dixon.test (0.15).
//! Bootstrap intervals are random and not compared; tolerances are 1e-9 relative.

// Values are kept exactly as the peer printed them.
#![allow(clippy::excessive_precision)]

use dimorph_refint::estimate::direct::{ci_ranks, nonparametric};
use dimorph_refint::estimate::outliers::{dixon, horn};
use dimorph_refint::estimate::parametric::{boxcox_lambda, parametric, Transform};
use dimorph_refint::estimate::robust::robust;
use std::path::Path;

fn set(n: usize) -> Vec<f64> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../data/refint/referenceintervals_set{n}.csv"));
    dimorph_data::read_csv(p).unwrap().numeric("value").unwrap().to_vec()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

/// (set, lower, upper, [ci]) of refLimit(x, RI = "p").
const PARAMETRIC: &[(usize, f64, f64, [f64; 4])] = &[
    (
        20,
        29.7266843536651,
        51.5462947147569,
        [26.2278222606074, 33.2255464467229, 48.0474326216991, 55.0451568078146],
    ),
    (
        50,
        7.14880828091169,
        20.36019375310307,
        [5.80895206889799, 8.48866449292540, 19.02033754108936, 21.70004996511678],
    ),
    (
        120,
        11.6292252813464,
        43.1519891147448,
        [
            9.56561113058654,
            13.69283943210624,
            41.08837496398493,
            45.21560326550464,
        ],
    ),
    (
        200,
        3.17160303057197,
        6.89807907966869,
        [2.98263942437745, 3.36056663676650, 6.70911547347416, 7.08704268586321],
    ),
];

#[test]
fn parametric_normal_matches_referenceintervals() {
    for (n, l, u, ci) in PARAMETRIC {
        let (e, _) = parametric("x", &set(*n), Transform::Normal).unwrap();
        assert!(
            close(e.lower, *l) && close(e.upper, *u),
            "set{n}: {} {}",
            e.lower,
            e.upper
        );
        let (a, b) = e.ci_lower.unwrap();
        let (c, d) = e.ci_upper.unwrap();
        for (x, y) in [a, b, c, d].iter().zip(ci) {
            assert!(close(*x, *y), "set{n}: CI {x} vs {y}");
        }
    }
}

#[test]
fn nonparametric_matches_referenceintervals() {
    // refLimit(x, RI = "n"): quantile type 6; CI from the CLSI rank table for n >= 120
    let cases: &[(usize, f64, f64, Option<[f64; 4]>)] = &[
        (50, 7.98680639038803, 21.51971547060935, None),
        (
            120,
            12.7483028112460,
            42.8268478864042,
            Some([
                8.63152187096593,
                15.43981504619410,
                40.62422320312870,
                44.64968423589670,
            ]),
        ),
        (
            200,
            3.11568648610981,
            6.98852914434238,
            Some([2.56433683466637, 3.41233618510592, 6.63903302915230, 7.69446295795936]),
        ),
    ];
    for (n, l, u, ci) in cases {
        let e = nonparametric("x", &set(*n), 7).unwrap();
        assert!(close(e.lower, *l) && close(e.upper, *u), "set{n}");
        if let Some(ci) = ci {
            let (a, b) = e.ci_lower.unwrap();
            let (c, d) = e.ci_upper.unwrap();
            for (x, y) in [a, b, c, d].iter().zip(ci) {
                assert!(close(*x, *y), "set{n}: CI {x} vs {y}");
            }
        } else {
            // bootstrap below 120: the interval brackets the limit
            let (a, b) = e.ci_lower.unwrap();
            assert!(a <= e.lower && e.lower <= b);
            assert!(e.ci_method.unwrap().contains("bootstrap"));
        }
    }
}

#[test]
fn rank_table_is_the_binomial_rule() {
    // every row (n = 119..1000) of referenceIntervals' CLSI rank table
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/refint/referenceintervals_nonparranks.csv");
    let f = dimorph_data::read_csv(p).unwrap();
    let (n, lo, hi) = (
        f.numeric("SampleSize").unwrap(),
        f.numeric("Lower").unwrap(),
        f.numeric("Upper").unwrap(),
    );
    assert_eq!(n.len(), 882);
    for i in 0..n.len() {
        let (r, s) = ci_ranks(n[i] as usize, 0.025, 0.90);
        assert_eq!((r as f64, s as f64), (lo[i], hi[i]), "n = {}", n[i]);
    }
}

#[test]
fn robust_matches_referenceintervals() {
    let cases = [
        (20, 29.1372016808564, 53.1013182587127),
        (50, 6.68455555937514, 20.53227285108775),
        (120, 11.3323316811800, 43.4154386395697),
        (200, 3.13365829749407, 6.90142284163494),
    ];
    for (n, l, u) in cases {
        let e = robust("x", &set(n), 3).unwrap();
        // the biweight location is iterated to convergence; referenceIntervals stops at a
        // change below 1e-6, so agreement is to about 1e-6 relative
        assert!(
            (e.lower - l).abs() < 1e-5 * l.abs() && (e.upper - u).abs() < 1e-5 * u.abs(),
            "set{n}: {} {} vs {l} {u}",
            e.lower,
            e.upper
        );
    }
}

#[test]
fn horn_and_boxcox_match_referenceintervals() {
    let cases: [(usize, f64, &[f64]); 4] = [
        (20, 1.8, &[27.8374526027723]),
        (50, 0.3, &[]),
        (120, 0.9, &[]),
        (
            200,
            0.9,
            &[
                2.04146597648652,
                2.56433683466637,
                2.91100311485194,
                7.69446295795936,
                8.26845127425501,
            ],
        ),
    ];
    for (n, lambda, out) in cases {
        let x = set(n);
        assert!((boxcox_lambda(&x, false) - lambda).abs() < 1e-9, "set{n}: lambda");
        let h = horn("x", &x).unwrap();
        assert_eq!(h.outliers.len(), out.len(), "set{n}: {:?}", h.outliers);
        for (a, b) in h.outliers.iter().zip(out) {
            assert!(close(*a, *b));
        }
    }
}

#[test]
fn dixon_matches_outliers_package() {
    // outliers::dixon.test(set20): Q = 0.28706356424101 for the lowest value, p = 0.643
    let d = dixon("x", &set(20)).unwrap();
    assert_eq!(d.ratio, "r22");
    assert_eq!(d.end, "lowest");
    assert!((d.q - 0.28706356424101).abs() < 1e-12);
    assert!(!d.outlier);
    // a clear outlier
    let mut x: Vec<f64> = (1..=10).map(f64::from).collect();
    x.push(100.0);
    let d = dixon("x", &x).unwrap();
    assert!(d.outlier && d.end == "highest" && d.value == 100.0);
    assert!(dixon("x", &set(50)).unwrap_err().to_string().contains("3 to 30"));
}

#[test]
fn lognormal_and_boxcox_parametric_are_consistent() {
    let x = set(200);
    let (l, _) = parametric("x", &x, Transform::LogNormal).unwrap();
    let lx: Vec<f64> = x.iter().map(|v| v.ln()).collect();
    let (n, _) = parametric("x", &lx, Transform::Normal).unwrap();
    assert!(close(l.lower, n.lower.exp()) && close(l.upper, n.upper.exp()));
    let (b, lam) = parametric("x", &x, Transform::BoxCox).unwrap();
    let lam = lam.unwrap();
    assert!(
        (lam - 0.9).abs() <= 0.1,
        "continuous ML lambda near the grid optimum: {lam}"
    );
    assert!(b.lower < b.upper);
    assert!(parametric("x", &[-1.0; 25], Transform::LogNormal).is_err());
}

/// `--percentiles` and `--outliers` (methods direct, parametric, robust) against
/// referenceIntervals 1.3.1's refLimit(refConf = 0.90, 0.80; out.method = "horn" | "dixon",
/// out.rm = TRUE | FALSE) and, for what it cannot do (order-statistic intervals at other
/// percentiles, an asymmetric pair), base R (qbinom, qnorm, quantile type 6): every row of
/// `tests/peers/percentiles_outliers.out.csv`, written by `tests/peers/percentiles_outliers.R`.
/// Tolerances: 1e-9 relative for the parametric and nonparametric limits, their intervals and the
/// flagged values; 1e-5 relative for the robust limits (referenceIntervals stops the biweight
/// iteration at a change below 1e-6). Bootstrap intervals are random and only checked to be there.
#[test]
fn percentiles_and_outliers_match_peers() {
    use dimorph_refint::estimate::group::estimate_one;
    use dimorph_refint::{EstimateOptions, Method, OutlierOptions, OutlierScreen};
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/percentiles_outliers.out.csv");
    let text = std::fs::read_to_string(p).unwrap();
    let (mut rows, mut refused) = (0, 0);
    for line in text.lines().skip(2) {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f.len(), 15, "{line}");
        let num = |s: &str| s.parse::<f64>().ok();
        let mut x = set(f[1].trim_end_matches("+80").parse().unwrap());
        if f[1].ends_with("+80") {
            x.push(80.0);
        }
        let method = match f[2] {
            "p" => Method::Parametric,
            "n" => Method::Direct,
            _ => Method::Robust,
        };
        let o = EstimateOptions {
            method,
            percentiles: Some((num(f[3]).unwrap(), num(f[4]).unwrap())),
            outliers: match f[5] {
                "horn" => Some(OutlierScreen::Horn),
                "dixon" => Some(OutlierScreen::Dixon),
                _ => None,
            }
            .map(|screen| OutlierOptions {
                screen,
                remove: f[6] == "TRUE",
            }),
            ..Default::default()
        };
        o.validate().unwrap();
        let what = format!("{} {} {}", f[0], f[1], f[2]);
        let e = match estimate_one("x", "", &x, None, &o) {
            Ok(e) => e,
            Err(err) => {
                // referenceIntervals estimates from any n; here the direct method needs rank
                // p·(n + 1) >= 1 (39 values at 2.5 %) and the others 20 values (after a removal)
                let n: usize = f[7].parse().unwrap();
                assert!(n < if method == Method::Direct { 39 } else { 20 }, "{what}: {err}");
                assert!(err.to_string().contains("at least"), "{err}");
                refused += 1;
                continue;
            }
        };
        rows += 1;
        let tol = if method == Method::Robust { 1e-5 } else { 1e-9 };
        let near = |a: f64, b: f64| (a - b).abs() <= tol * b.abs().max(1.0);
        let l = &e.limits;
        assert_eq!(l.n.to_string(), f[7], "{what}: n after the screen");
        let (lo, up) = (num(f[8]).unwrap(), num(f[9]).unwrap());
        assert!(
            near(l.lower, lo) && near(l.upper, up),
            "{what}: {} {} vs {lo} {up}",
            l.lower,
            l.upper
        );
        match num(f[10]) {
            Some(a) => {
                let ci = [num(f[10]), num(f[11]), num(f[12]), num(f[13])].map(Option::unwrap);
                let (ll, ul) = (l.ci_lower.unwrap(), l.ci_upper.unwrap());
                for (ours, peer) in [ll.0, ll.1, ul.0, ul.1].iter().zip(ci) {
                    assert!(close(*ours, peer), "{what}: CI {ours} vs {peer} ({a})");
                }
            }
            None if method == Method::Parametric => panic!("{what}: the peer gives a parametric CI"),
            None => assert!(l.ci_method.as_deref().unwrap().contains("bootstrap"), "{what}"),
        }
        let peer_out: Vec<f64> = f[14].split(';').filter_map(num).collect();
        match &e.outliers {
            Some(s) => {
                assert_eq!(s.count, peer_out.len(), "{what}: {:?} vs {peer_out:?}", s.values);
                for (a, b) in s.values.iter().zip(&peer_out) {
                    assert!(close(*a, *b), "{what}: flagged {a} vs {b}");
                }
                assert_eq!(s.removed, f[6] == "TRUE");
            }
            None => assert!(f[5] == "none" && peer_out.is_empty(), "{what}"),
        }
        assert_eq!(e.percentiles, o.percentiles.unwrap());
    }
    assert_eq!((rows, refused), (60, 8), "rows compared and refused");
}
