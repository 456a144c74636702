//! User text quoted in a message — a cell, a column name, a pattern, a `--cluster` value — is
//! shown cut to [`QUOTE_CHARS`] characters and "…", with control characters (NUL, newline)
//! escaped, so that a message stays short and on one line however large the input.
//! [`data_error`] applies the same to the messages of the data readers.
//!
//! KERNEL? every engine quotes cells and names; dimorph-core has no shared helper yet, and
//! dimorph-data quotes cells and header names whole (this engine clips them with [`data_error`]).

use dimorph_data::DataError;

/// Characters of user text quoted in a message before it is cut with "…".
pub const QUOTE_CHARS: usize = 60;
/// Characters of a reader's message kept in all (after its quoted parts are clipped).
pub const MESSAGE_CHARS: usize = 600;
/// Names listed in a message before "and N more".
pub const LIST_NAMES: usize = 20;

/// `s` as quoted in a message: at most [`QUOTE_CHARS`] characters, then "…"; control characters
/// as `\u{…}` escapes.
pub fn clip(s: &str) -> String {
    cut(s, QUOTE_CHARS)
}

fn cut(s: &str, most: usize) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == most {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// A list of names for a message: at most `most` of them, each clipped, then "and N more".
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

/// A message whose `'…'`-quoted parts are clipped, then cut to [`MESSAGE_CHARS`] in all.
pub fn clip_quoted(msg: &str) -> String {
    let parts: Vec<String> = msg
        .split('\'')
        .enumerate()
        .map(|(i, p)| if i % 2 == 1 { clip(p) } else { p.to_string() })
        .collect();
    cut(&parts.join("'"), MESSAGE_CHARS)
}

/// A reader's error with every quoted cell, name and list clipped (the file, line and column
/// it names are kept).
pub fn data_error(e: DataError) -> DataError {
    match e {
        DataError::Parse { path, line, msg } => DataError::Parse {
            path,
            line,
            msg: clip_quoted(&msg),
        },
        DataError::Format { path, msg } => DataError::Format {
            path,
            msg: clip_quoted(&msg),
        },
        DataError::UnknownColumn { path, name, available } => DataError::UnknownColumn {
            path,
            name: clip(&name),
            available: clip_list(&available.split(", ").collect::<Vec<_>>(), LIST_NAMES),
        },
        DataError::NotNumeric {
            path,
            column,
            line,
            value,
        } => DataError::NotNumeric {
            path,
            column: clip(&column),
            line,
            value: clip(&value),
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipped_text_is_short_and_on_one_line() {
        assert_eq!(clip("f1"), "f1");
        let c = clip(&"x".repeat(10_000));
        assert_eq!(c.chars().count(), QUOTE_CHARS + 1);
        assert!(c.ends_with('…'));
        assert_eq!(clip("a\nb\0"), "a\\u{a}b\\u{0}");
        assert_eq!(clip_list(&["a", "b", "c"], 2), "a, b and 1 more");
        let m = clip_quoted(&format!("column name '{}' appears twice", "y".repeat(5000)));
        assert!(
            m.starts_with("column name 'yyy") && m.ends_with("…' appears twice"),
            "{m}"
        );
    }

    #[test]
    fn reader_errors_keep_their_place_and_lose_the_bulk() {
        let e = data_error(DataError::NotNumeric {
            path: "t.csv".into(),
            column: "f1".into(),
            line: 7,
            value: "z".repeat(1 << 20),
        })
        .to_string();
        assert!(
            e.starts_with("t.csv: column 'f1' must be numeric, but line 7 holds 'zzz"),
            "{e}"
        );
        assert!(e.len() < 200, "{}", e.len());
    }
}
