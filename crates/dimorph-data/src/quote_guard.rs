//! Unclosed quotes in delimited text. The `csv` crate reads a quoted field that is never closed to
//! the end of the file as one cell, so a stray `"` on line 5 silently turned every later row into
//! text of that cell (found by fuzzing: `glm` read 4 rows of 6 and said nothing). [`QuoteGuard`]
//! wraps the reader the `csv` crate reads from, follows the quoting as the crate's parser does
//! (RFC 4180: a `"` opens a quoted field only at a field's start; inside, `""` is a quote and a
//! lone `"` closes it), and after the last record says where a field that is still open began, so
//! that every reader can refuse the file with that line ([`QuoteGuard::check`]).

use crate::DataError;
use std::io::Read;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a field (or of a record).
    FieldStart,
    /// Inside an unquoted field (a `"` here is text).
    Unquoted,
    /// Inside a quoted field.
    Quoted,
    /// A `"` inside a quoted field: the field's end, or the first half of `""`.
    QuoteInQuoted,
}

/// A reader that passes bytes through and follows their quoting (see the module doc).
pub struct QuoteGuard<R> {
    inner: R,
    delimiter: u8,
    state: State,
    /// The line being read (1-based, counted at `\n`).
    line: u64,
    /// The line where the quoted field being read began.
    opened: u64,
    /// Whether the last byte read ended a line.
    at_line_start: bool,
}

impl<R> QuoteGuard<R> {
    /// Wraps `inner`, whose fields are split at `delimiter`.
    pub fn new(inner: R, delimiter: u8) -> Self {
        QuoteGuard {
            inner,
            delimiter,
            state: State::FieldStart,
            line: 1,
            opened: 0,
            at_line_start: true,
        }
    }

    /// The line where a quoted field began that the bytes read so far leave open (at the end of
    /// the input: a quote never closed).
    pub fn unclosed(&self) -> Option<u64> {
        (self.state == State::Quoted).then_some(self.opened)
    }

    /// After the whole input was read: an error naming the line of a quote never closed.
    pub fn check(&self, source: &str) -> Result<(), DataError> {
        match self.unclosed() {
            None => Ok(()),
            Some(line) => Err(DataError::Parse {
                path: source.to_string(),
                line: line as usize,
                msg: format!(
                    "a quoted field begins here and its closing quote (\") never comes: every line from here \
                     to the end of the file ({} lines) would be one cell; close the quote or remove it",
                    self.line.saturating_sub(line) + u64::from(!self.at_line_start)
                ),
            }),
        }
    }

    fn follow(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.state = match (self.state, b) {
                (State::Quoted, b'"') => State::QuoteInQuoted,
                (State::Quoted, _) => State::Quoted,
                (State::QuoteInQuoted, b'"') => State::Quoted,
                (State::FieldStart, b'"') => {
                    self.opened = self.line;
                    State::Quoted
                }
                (_, b'\n' | b'\r') => State::FieldStart,
                (_, d) if d == self.delimiter => State::FieldStart,
                _ => State::Unquoted,
            };
            if b == b'\n' {
                self.line += 1;
            }
        }
        if let Some(&b) = bytes.last() {
            self.at_line_start = b == b'\n';
        }
    }
}

impl<R: Read> Read for QuoteGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.follow(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::QuoteGuard;
    use std::io::Read;

    fn open_at(text: &str, delimiter: u8) -> Option<u64> {
        let mut g = QuoteGuard::new(text.as_bytes(), delimiter);
        let mut sink = Vec::new();
        g.read_to_end(&mut sink).unwrap();
        assert_eq!(sink, text.as_bytes(), "bytes pass through unchanged");
        g.unclosed()
    }

    #[test]
    fn closed_quotes_pass() {
        for text in [
            "y,x\n1,2\n",
            "y,x\n1,\"2\"\n",
            "y,x\n1,\"a, b\"\n2,3\n",
            "y,x\n1,\"two\nlines\"\n2,3\n",
            "y,x\n1,\"say \"\"hi\"\"\"\n",
            "y,x\n1,5'11\"\n2,3\n",
            "y,x\r\n1,\"2\"\r\n",
            "y,x\n1,\"\"\n",
        ] {
            assert_eq!(open_at(text, b','), None, "{text:?}");
        }
        // with ';' a comma is text, and a quote after ';' opens a field
        assert_eq!(open_at("y;x\n1;\"2,5\"\n", b';'), None);
    }

    #[test]
    fn an_open_quote_names_its_line() {
        assert_eq!(open_at("y,x\n1,2\n2,3\n3,4\n4,\"5\n5,6\n6,7\n", b','), Some(5));
        assert_eq!(open_at("\"y,x\n1,2\n", b','), Some(1));
        assert_eq!(
            open_at("y,x\n1,\"a\"\"\n", b','),
            Some(2),
            "an escaped quote does not close"
        );
        assert_eq!(open_at("y;x\n1;\"2\n", b';'), Some(2));
        let mut g = QuoteGuard::new("y,x\n1,2\n4,\"5\n5,6\n".as_bytes(), b',');
        std::io::copy(&mut g, &mut std::io::sink()).unwrap();
        let e = g.check("u.csv").unwrap_err().to_string();
        assert!(
            e.contains("u.csv") && e.contains('3') && e.contains("never comes"),
            "{e}"
        );
    }

    #[test]
    fn the_frame_reader_refuses_an_open_quote_instead_of_reading_fewer_rows() {
        let text = b"y,x\n1,2\n2,3\n3,4\n4,\"5\n5,6\n6,7\n";
        let e = crate::read_csv_bytes("u.csv", text).unwrap_err().to_string();
        assert!(e.starts_with("u.csv: line 5: a quoted field begins here"), "{e}");
        assert!(e.contains("(3 lines)"), "{e}");
        // a quoted line break is a cell's text, not an error
        let f = crate::read_csv_bytes("ok.csv", b"y,x\n1,\"a\nb\"\n2,c\n").unwrap();
        assert_eq!(f.nrows, 2);
    }
}
