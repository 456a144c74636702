//! Values far from a laboratory's usual magnitudes (found by fuzzing the CLI): the refiner's search
//! carries refineR's absolute constants (differences rounded to 1e-10, regions floored at 1e-20), so
//! values such as 1e-50 made its histogram's region run backwards and the program panic. The fit is
//! now made on the values times a power of ten and expressed in their own units
//! (`refiner_modbc::fit_sorted_model`): the model does not depend on the unit, so the limits must be
//! the unit-free data's limits times the unit.

use dimorph_refint::estimate::refiner_modbc::{fit_model, unit_scale};
use dimorph_refint::RefinerModel;

/// A seeded log-normal sample with 20 % pathological values above, sorted (2,000 values, 2 decimals).
fn sample() -> Vec<f64> {
    let mut s = 0x2545_f491_4f6c_dd1du64;
    let mut uniform = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut normal = || {
        let (u, v) = (uniform().max(1e-300), uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    };
    let mut x: Vec<f64> = (0..2000)
        .map(|i| {
            let z = normal();
            let v = if i % 5 == 0 {
                (3.0 + 0.3 * z).exp()
            } else {
                (2.0 + 0.25 * z).exp()
            };
            (v * 100.0).round() / 100.0
        })
        .collect();
    x.sort_by(f64::total_cmp);
    x
}

#[test]
fn the_refiner_fit_does_not_depend_on_the_unit() {
    let x = sample();
    assert_eq!(unit_scale(&x), 1.0, "lab-sized values are fitted as they are");
    for model in [RefinerModel::BoxCox, RefinerModel::ModBoxCox] {
        let base = fit_model("v", &x, None, model).unwrap();
        for unit in [1e-50, 1e-25, 1e-7, 1e12, 1e40] {
            let scaled: Vec<f64> = x.iter().map(|v| v * unit).collect();
            assert_ne!(unit_scale(&scaled), 1.0, "{unit}");
            let f = fit_model("v", &scaled, None, model).unwrap();
            for (got, want) in [(f.lower, base.lower), (f.upper, base.upper)] {
                let rel = (got / unit - want).abs() / want;
                assert!(rel < 1e-9, "{model:?} unit {unit}: {got} against {}", want * unit);
            }
            // the fit is expressed in the values' units: its own quantiles are the limits
            let (lo, hi) = f.limits_at((0.025, 0.975));
            assert!(
                (lo - f.lower).abs() <= 1e-9 * f.lower.abs(),
                "{model:?} {unit}: {lo} {}",
                f.lower
            );
            assert!(
                (hi - f.upper).abs() <= 1e-9 * f.upper.abs(),
                "{model:?} {unit}: {hi} {}",
                f.upper
            );
            // the same model (the scaled values differ from exact multiples in the last bit)
            assert!(
                (f.lambda - base.lambda).abs() < 1e-9,
                "{model:?} {unit}: {} {}",
                f.lambda,
                base.lambda
            );
            assert!((f.p - base.p).abs() < 1e-9, "{model:?} {unit}: {} {}", f.p, base.p);
        }
    }
}
