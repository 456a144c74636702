//! How the engine shows what it quotes from the input and what it derives, in messages and in
//! the text reports: a cell or a group name is clipped to [`CLIP_CHARS`] characters, a number is
//! never written with hundreds of digits (1e308 is `1e308`, not 309 digits).

use dimorph_report::fmt::{fixed, sig};

/// Numbers and input text as messages quote them: the kernel's shortest-form `num` and its
/// one-line `clip` (at most [`CLIP_CHARS`] characters, then "…", control characters escaped).
pub use dimorph_core::text::{clip, clip_to as clip_long, num, CLIP_CHARS};

/// `x` with `d` decimals, as the reports print limits and differences; 5 significant digits in
/// scientific notation where that would be a number of more than 15 digits (|x| ≥ 1e15, or more
/// than 12 decimals asked for), and `NA` for a value that is not a finite number.
pub fn dec(x: f64, d: usize) -> String {
    if !x.is_finite() {
        "NA".into()
    } else if x.abs() >= 1e15 || d > 12 {
        sig(x, 5)
    } else {
        fixed(x, d)
    }
}
