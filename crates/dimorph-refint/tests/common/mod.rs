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
