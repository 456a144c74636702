//! Fixture builders shared by the refiner's zeros tests (tests/age_zeros.rs, tests/verify_zeros.rs):
//! the refiner's options with a zeros rule, a coded frame read from generated CSV, and the
//! rounded log-normal draw that makes laboratory-style zeros.

use dimorph_core::rng::Rng;
use dimorph_refint::{EstimateOptions, Method, RefinerOptions, RefinerZeros};

/// `--method refiner`, with `--zeros` where given (otherwise the refiner's defaults).
pub fn refiner(zeros: Option<RefinerZeros>) -> EstimateOptions {
    EstimateOptions {
        method: Method::Refiner,
        refiner: zeros.map(|zeros| RefinerOptions {
            zeros,
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Generated CSV read as a coded frame: `numeric` columns as numbers, `by` as group codes.
pub fn coded(csv: &str, numeric: &[&str], by: &[&str]) -> dimorph_data::CodedFrame {
    dimorph_data::coded::read_coded_bytes("generated", csv.as_bytes(), Default::default(), numeric, by).unwrap()
}

/// One log-normal draw (median `median`, ln-SD `sd`) rounded to 0.5, as a laboratory reporting to
/// 0.5 would: draws under 0.25 print as 0.
pub fn rounded_half(r: &mut Rng, median: f64, sd: f64) -> f64 {
    ((median.ln() + sd * r.normal()).exp() * 2.0).round() / 2.0
}

/// `--method METHOD --percentiles LOWER,UPPER --nboot NBOOT --seed SEED` (refiner or kosmic), as
/// the options reach the engine.
pub fn bootstrapped_at(method: Method, percentiles: (f64, f64), nboot: usize, seed: u64) -> EstimateOptions {
    let o = EstimateOptions {
        method,
        refiner: (method == Method::Refiner).then(|| RefinerOptions {
            nboot,
            ..Default::default()
        }),
        kosmic: (method == Method::Kosmic).then_some(dimorph_refint::KosmicOptions { decimals: None, nboot }),
        percentiles: Some(percentiles),
        seed: Some(seed),
        ..Default::default()
    };
    o.validate().unwrap();
    o
}

/// Asserts that the bootstrap intervals of `l` are the 95 % percentile intervals of `draws` (the
/// resamples' lower and upper limits), every one of the `nboot` resamples with a fit, seed `seed`.
pub fn assert_intervals_of(l: &dimorph_refint::estimate::Limits, draws: (Vec<f64>, Vec<f64>), nboot: usize, seed: u64) {
    let (mut lo, mut hi) = draws;
    assert_eq!((lo.len(), hi.len()), (nboot, nboot));
    let interval = |d: &mut Vec<f64>| Some(dimorph_refint::stats::percentile_interval_95(d));
    assert_eq!(l.ci_lower, interval(&mut lo));
    assert_eq!(l.ci_upper, interval(&mut hi));
    let m = l.ci_method.as_deref().unwrap_or_default();
    assert!(
        m.contains(&format!("{nboot} of {nboot} resamples with a fit, seed {seed}")),
        "{m}"
    );
}
