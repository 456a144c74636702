//! The dialects laboratory exports come in: the field delimiter (`,`, `;` or tab) and the decimal
//! mark (`.` or `,`), chosen by the caller ([`ReadOptions`]) or detected from the first lines.
//!
//! European laboratory systems write `;`-separated files with decimal commas (`4,5;m;0,8`),
//! because the comma is their decimal mark; TSV files use tabs. Detection: a `.tsv`/`.tab` file is
//! tab-separated; otherwise the header line's most frequent candidate among `;`, tab and `,` that
//! splits the first data lines into as many fields as the header (`,` when none does). The decimal
//! mark is `,` when the delimiter is not `,` and the sampled cells hold numbers written with a
//! decimal comma (`0,5`, `<0,5`) but none with a decimal point; `.` otherwise.

/// How a table file is read (all detected or defaulted when `None`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReadOptions {
    /// Field delimiter of a text file (`--delimiter`): `,`, `;`, a tab or another single ASCII
    /// character; detected when `None`.
    pub delimiter: Option<u8>,
    /// Decimal mark (`--decimal`): `.` or `,`; detected when `None`.
    pub decimal: Option<u8>,
    /// Worksheet of an Excel `.xlsx` workbook (`--sheet`); the first sheet when `None`.
    pub sheet: Option<String>,
}

/// A resolved dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    pub delimiter: u8,
    pub decimal: u8,
}

impl Default for Dialect {
    fn default() -> Self {
        Dialect {
            delimiter: b',',
            decimal: b'.',
        }
    }
}

impl Dialect {
    /// The delimiter as a person writes it (`tab` for `\t`).
    pub fn delimiter_name(&self) -> String {
        match self.delimiter {
            b'\t' => "tab".into(),
            d => format!("'{}'", d as char),
        }
    }
}

impl ReadOptions {
    /// Refuses a delimiter that is not one ASCII character other than a quote, a line end or a
    /// digit, a decimal mark other than `.`/`,`, and the two being equal. Messages name the flag.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(d) = self.delimiter {
            if !d.is_ascii() || matches!(d, b'"' | b'\n' | b'\r' | b'.') || d.is_ascii_digit() || d == b'-' {
                return Err(format!(
                    "--delimiter: must be one character such as ',' ';' or a tab (not a quote, digit, '.', '-' \
                     or line end), got {:?}",
                    d as char
                ));
            }
        }
        if let Some(m) = self.decimal {
            if !matches!(m, b'.' | b',') {
                return Err(format!("--decimal: must be '.' or ',', got {:?}", m as char));
            }
        }
        if let (Some(d), Some(m)) = (self.delimiter, self.decimal) {
            if d == m {
                return Err(format!(
                    "--decimal: the decimal mark and --delimiter are both '{}'; a ';'-separated file can \
                     have decimal commas (--delimiter ';' --decimal ',')",
                    d as char
                ));
            }
        }
        Ok(())
    }
}

/// Parses `d` as a delimiter argument: one character, `tab` or `\t` for a tab.
pub fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() => Ok(s.as_bytes()[0]),
        _ => Err(format!(
            "expected one character such as ',' or ';' (or 'tab'), got '{}'",
            dimorph_core::text::clip(s)
        )),
    }
}

/// Parses a decimal-mark argument: `.` or `,`.
pub fn parse_decimal(s: &str) -> Result<u8, String> {
    match s {
        "." => Ok(b'.'),
        "," => Ok(b','),
        _ => Err(format!("expected '.' or ',', got '{}'", dimorph_core::text::clip(s))),
    }
}

/// Fields of `line` split at `d` outside double quotes.
fn count_fields(line: &str, d: u8) -> usize {
    let mut quoted = false;
    let mut n = 1;
    for b in line.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if b == d && !quoted {
            n += 1;
        }
    }
    n
}

/// Whether `t` is a number written with a decimal comma (`0,5`, `-12,25`, `<0,5`).
fn comma_number(t: &str) -> bool {
    let t = t.trim().trim_start_matches(['<', '>', '≤', '≥']).trim();
    let t = t.strip_prefix(['-', '+']).unwrap_or(t);
    match t.split_once(',') {
        Some((a, b)) => a.bytes().all(|c| c.is_ascii_digit()) && !b.is_empty() && b.bytes().all(|c| c.is_ascii_digit()),
        None => false,
    }
}

/// Whether `t` is a number written with a decimal point (`0.5`).
fn point_number(t: &str) -> bool {
    let t = t.trim().trim_start_matches(['<', '>', '≤', '≥']).trim();
    t.contains('.') && t.parse::<f64>().is_ok()
}

/// Resolves the dialect of a text file from its first bytes `head` and its extension.
pub fn detect(ext: Option<&str>, head: &[u8], o: &ReadOptions) -> Dialect {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header = lines.next().unwrap_or("").trim_start_matches('\u{feff}');
    let sample: Vec<&str> = lines.take(200).collect();
    // the last sampled line may be cut in the middle
    let whole = &sample[..sample.len().saturating_sub(1).max(sample.len().min(1))];
    let delimiter = o.delimiter.unwrap_or_else(|| {
        if matches!(ext, Some("tsv") | Some("tab")) {
            return b'\t';
        }
        let mut best = (0usize, b',');
        for d in [b';', b'\t', b','] {
            let k = count_fields(header, d);
            let consistent = whole.iter().all(|l| count_fields(l, d) == k);
            if k > 1 && consistent && k > best.0 {
                best = (k, d);
            }
        }
        best.1
    });
    let decimal = o.decimal.unwrap_or_else(|| {
        if delimiter == b',' {
            return b'.';
        }
        let cells = || whole.iter().flat_map(|l| l.split(delimiter as char));
        let commas = cells().filter(|c| comma_number(c)).count();
        let points = cells().filter(|c| point_number(c)).count();
        if commas > 0 && points == 0 {
            b','
        } else {
            b'.'
        }
    });
    Dialect { delimiter, decimal }
}

/// A cell written with a decimal comma in its decimal-point form (`0,5` → `0.5`, `<0,5` →
/// `<0.5`); other cells unchanged. Only cells that are such a number are changed, so text with
/// commas keeps them.
pub fn normalise_decimal(t: &str) -> std::borrow::Cow<'_, str> {
    if comma_number(t) {
        std::borrow::Cow::Owned(t.replacen(',', ".", 1))
    } else {
        std::borrow::Cow::Borrowed(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(ext: Option<&str>, s: &str) -> (char, char) {
        let r = detect(ext, s.as_bytes(), &ReadOptions::default());
        (r.delimiter as char, r.decimal as char)
    }

    #[test]
    fn detects_laboratory_dialects() {
        assert_eq!(d(None, "a,b\n1.5,2\n"), (',', '.'));
        assert_eq!(d(None, "Sex;Age;ALT\nf;12;0,5\nm;13;<0,5\n"), (';', ','));
        assert_eq!(d(None, "Sex;Age;ALT\nf;12;0.5\nm;13;4\n"), (';', '.'));
        assert_eq!(d(None, "Sex\tAge\nf\t1,5\n"), ('\t', ','));
        assert_eq!(d(Some("tsv"), "x\n1\n"), ('\t', '.'));
        // a comma inside quotes does not split
        assert_eq!(d(None, "name;v\n\"a,b\";1\n"), (';', '.'));
        assert_eq!(d(None, "x\n1\n"), (',', '.'));
    }

    #[test]
    fn decimal_commas_are_normalised_only_in_numbers() {
        assert_eq!(normalise_decimal("0,5"), "0.5");
        assert_eq!(normalise_decimal("<0,5"), "<0.5");
        assert_eq!(normalise_decimal("-12,25"), "-12.25");
        assert_eq!(normalise_decimal("Müller, A"), "Müller, A");
        assert_eq!(normalise_decimal("1,2,3"), "1,2,3");
    }

    #[test]
    fn options_are_checked() {
        let o = ReadOptions {
            delimiter: Some(b','),
            decimal: Some(b','),
            sheet: None,
        };
        assert!(o.validate().unwrap_err().starts_with("--decimal:"));
        assert!(parse_delimiter("tab").is_ok() && parse_delimiter(";;").is_err());
        assert!(parse_decimal(";").is_err());
    }
}
