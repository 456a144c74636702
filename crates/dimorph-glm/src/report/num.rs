//! How the GLM report prints a number: R's and SAS's fixed decimals (the kernel's
//! [`dimorph_report::fmt`]), except that a value too large for fixed notation (|x| ≥ 1e15, where
//! `{:.4}` would print every one of up to 309 digits) switches to scientific notation, and a value
//! that is not defined (NaN, ±∞) prints `NA` — each table that shows one says why in a note
//! ([`note_na`]).

use dimorph_report::fmt::{fixed, sci, sig};
use dimorph_report::Table;

/// Beyond this magnitude a value prints in scientific notation.
const FIXED_MAX: f64 = 1e15;

/// `x` with `d` decimals; scientific (7 significant digits) from 1e15 on; `NA` when not finite.
pub fn fx(x: f64, d: usize) -> String {
    if !x.is_finite() {
        "NA".into()
    } else if x.abs() >= FIXED_MAX {
        sci(x, 7)
    } else {
        fixed(x, d)
    }
}

/// `x` with `s` significant digits; `NA` when not finite.
pub fn sg(x: f64, s: usize) -> String {
    if x.is_finite() {
        sig(x, s)
    } else {
        "NA".into()
    }
}

/// Adds `why` as a note to `t` when one of its cells reads `NA`.
pub fn note_na(t: &mut Table, why: &str) {
    if t.rows.iter().any(|r| r.iter().any(|c| c == "NA")) {
        t.note(format!("NA: {why}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_values_go_scientific_and_undefined_ones_read_na() {
        assert_eq!(fx(1.5, 4), "1.5000");
        assert_eq!(fx(4.440892098500626e165, 4), "4.440892e+165");
        assert_eq!(fx(-2.2e300, 2), "-2.200000e+300");
        assert_eq!(fx(f64::NAN, 3), "NA");
        assert_eq!(fx(f64::INFINITY, 3), "NA");
        assert_eq!(sg(f64::NEG_INFINITY, 6), "NA");
        assert_eq!(sg(1234.5678, 6), "1234.57");
        let mut t = Table::new("t", &["a"]);
        t.row(["NA".to_string()]);
        note_na(&mut t, "not defined");
        assert_eq!(t.notes, vec!["NA: not defined".to_string()]);
    }
}
