//! How the engine shows what it quotes from the input and what it derives, in messages and in
//! the text reports: a cell or a group name is clipped to [`CLIP_CHARS`] characters, a number is
//! never written with hundreds of digits (1e308 is `1e308`, not 309 digits).

use dimorph_report::fmt::{fixed, sig};

/// A number as a message quotes it: Rust's shortest form (`104`, `0.1`) from 1e-5 to 1e15,
/// scientific outside (`1e308`, `4.2e-301`), so that no message holds a 300-digit number.
pub fn num(x: f64) -> String {
    if x == 0.0 || !x.is_finite() || (1e-5..1e15).contains(&x.abs()) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// How many characters of a quoted input text an error message shows.
pub const CLIP_CHARS: usize = 60;

/// Text from the input as an error message quotes it: at most [`CLIP_CHARS`] characters, then
/// "…"; control characters (newline, NUL, …) written as escapes, so the message stays one line.
// KERNEL? every engine quotes cells in its messages; dimorph-data's own messages quote them whole.
pub fn clip(s: &str) -> String {
    clip_long(s, CLIP_CHARS)
}

/// As [`clip`] with a limit of `max` characters.
pub fn clip_long(s: &str, max: usize) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

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
