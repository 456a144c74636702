//! How dimorph quotes input in messages: a cell, a group or a column name is clipped to
//! [`CLIP_CHARS`] characters (then "…") with control characters escaped, so a message stays one
//! short line however hostile the input (a path is cut in the middle, keeping its file name); a
//! number is written in Rust's shortest form between 1e-5 and 1e15 and in scientific notation
//! outside, never with hundreds of digits.

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

/// A number with `d` decimals (`12.346`) while that stays short — `|x|` below 1e15 — and as
/// [`num`] (`1e308`) beyond, so a report's fixed-decimal column never prints hundreds of digits.
pub fn decimals(x: f64, d: usize) -> String {
    if x.is_finite() && x.abs() < 1e15 {
        let s = format!("{x:.d$}");
        // no "-0.000"
        if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
            s[1..].to_string()
        } else {
            s
        }
    } else {
        num(x)
    }
}

/// A path read from an input file as a message quotes it: in full up to [`CLIP_CHARS`]
/// characters; a longer one (hostile, or deeply nested) is cut in the middle, keeping its first
/// 20 and last 40 characters (the file name and its folder), with control characters escaped.
pub fn clip_path(s: &str) -> String {
    let n = s.chars().count();
    if n <= CLIP_CHARS {
        return clip(s);
    }
    let tail = CLIP_CHARS * 2 / 3;
    let head: String = s.chars().take(CLIP_CHARS - tail).collect();
    let end: String = s.chars().skip(n - tail).collect();
    clip_to(&format!("{head}…{end}"), usize::MAX)
}

/// Names listed in a message: at most `most` of them, each [`clip`]ped, then "and N more".
pub fn clip_list<S: AsRef<str>>(names: &[S], most: usize) -> String {
    let mut s = names
        .iter()
        .take(most)
        .map(|n| clip(n.as_ref()))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > most {
        s.push_str(&format!(" and {} more", names.len() - most));
    }
    s
}

/// A message (a reader's, say) whose `'…'`-quoted parts are each [`clip`]ped, then cut to `max`
/// characters in all ([`clip_to`]).
pub fn clip_quoted(msg: &str, max: usize) -> String {
    let parts: Vec<String> = msg
        .split('\'')
        .enumerate()
        .map(|(i, p)| if i % 2 == 1 { clip(p) } else { p.to_string() })
        .collect();
    clip_to(&parts.join("'"), max)
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

    #[test]
    fn decimals_are_fixed_while_short_and_scientific_beyond() {
        assert_eq!(decimals(12.34567, 3), "12.346");
        assert_eq!(decimals(-0.0001, 3), "0.000");
        assert_eq!(decimals(1e308, 3), "1e308");
        assert_eq!(decimals(-2.5e20, 1), "-2.5e20");
        assert_eq!(decimals(1e-300, 2), "0.00");
        assert_eq!(decimals(f64::INFINITY, 2), "inf");
    }

    #[test]
    fn lists_and_quoted_parts_are_clipped() {
        assert_eq!(clip_list(&["a", "b", "c"], 2), "a, b and 1 more");
        assert_eq!(clip_list(&["a", "b"], 2), "a, b");
        let m = clip_quoted(&format!("column name '{}' appears twice", "y".repeat(5000)), 600);
        assert!(
            m.starts_with("column name 'yyy") && m.ends_with("…' appears twice"),
            "{m}"
        );
        assert_eq!(clip_quoted(&"z".repeat(700), 600).chars().count(), 601);
    }
}
