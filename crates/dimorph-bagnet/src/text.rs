//! Quoting text from the input (a file's cell, a tensor name, a path from a label CSV) in messages:
//! at most [`QUOTE_CHARS`] characters, then "…", so that a hostile 1 MB cell is not echoed whole.

// KERNEL? every engine cuts quoted input in its messages; one helper in dimorph-core would do.

/// Characters of a quoted value shown in a message.
pub const QUOTE_CHARS: usize = 60;

/// `s` cut to [`QUOTE_CHARS`] characters, with "…" when it was longer.
pub fn quote(s: &str) -> String {
    match s.char_indices().nth(QUOTE_CHARS) {
        None => s.to_string(),
        Some((i, _)) => format!("{}…", &s[..i]),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn long_values_are_cut() {
        assert_eq!(super::quote("abc"), "abc");
        let long = "é".repeat(1000);
        let q = super::quote(&long);
        assert_eq!(q.chars().count(), 61);
        assert!(q.ends_with('…'));
    }
}
