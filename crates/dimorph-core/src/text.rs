//! How dimorph quotes input in messages: a cell, a group or a column name is clipped to
//! [`CLIP_CHARS`] characters (then "…") with control characters escaped, so a message stays one
//! short line however hostile the input; a number is written in Rust's shortest form between 1e-5
//! and 1e15 and in scientific notation outside, never with hundreds of digits.

/// How many characters of a quoted input text a message shows.
pub const CLIP_CHARS: usize = 60;

/// Input text as a message quotes it: at most [`CLIP_CHARS`] characters, then "…".
pub fn clip(s: &str) -> String {
    clip_to(s, CLIP_CHARS)
}

/// As [`clip`] with a limit of `max` characters.
pub fn clip_to(s: &str, max: usize) -> String {
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

/// A number as a message quotes it: `104`, `0.1`, `1e308`, `4.2e-301`.
pub fn num(x: f64) -> String {
    if x == 0.0 || !x.is_finite() || (1e-5..1e15).contains(&x.abs()) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_and_hostile_text_is_clipped_to_one_line() {
        let long = "x".repeat(10_000);
        assert_eq!(clip(&long).chars().count(), CLIP_CHARS + 1);
        assert_eq!(clip("a\nb\0"), "a\\nb\\u{0}");
        assert_eq!(num(1e308), "1e308");
        assert_eq!(num(104.0), "104");
        assert_eq!(num(0.1), "0.1");
    }
}
