//! Shared output for every dimorph engine.
//!
//! An analysis produces a [`Section`] (or several): titled blocks of text, [`Table`]s and SVG
//! figures. A [`Report`] is a list of sections that renders two ways: plain text for the terminal
//! ([`Report::to_text`]) and one self-contained HTML page ([`Report::to_html`]) with the figures
//! inlined. JSON output is each engine's own `serde::Serialize` result type inside the one envelope of
//! [`outcome::envelope`], so that field names stay stable and documented where the numbers are
//! computed; [`Outcome`] is what every engine's entry point returns.
//!
//! [`svg`] draws charts (axes, lines, points, bands) without any external dependency, and
//! [`fmt`] formats numbers the way R and SAS print them.

pub mod fmt;
pub mod outcome;
pub mod svg;

pub use outcome::{envelope, Outcome};

use std::fmt::Write as _;

/// Horizontal alignment of a table column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A titled table of pre-formatted cells.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Optional per-column alignment; by default the first column is left-aligned and the rest
    /// right-aligned (the layout of R and SAS coefficient tables).
    pub align: Vec<Align>,
    /// Lines printed under the table (notes, significance codes, ...).
    pub notes: Vec<String>,
}

impl Table {
    pub fn new(title: impl Into<String>, header: &[&str]) -> Self {
        Table {
            title: title.into(),
            header: header.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    /// Appends a row; cells beyond the header are kept, missing cells print empty.
    pub fn row<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) -> &mut Self {
        self.rows.push(cells.into_iter().map(Into::into).collect());
        self
    }

    pub fn note(&mut self, line: impl Into<String>) -> &mut Self {
        self.notes.push(line.into());
        self
    }

    fn ncols(&self) -> usize {
        self.rows
            .iter()
            .map(Vec::len)
            .chain(std::iter::once(self.header.len()))
            .max()
            .unwrap_or(0)
    }

    fn align_of(&self, j: usize) -> Align {
        self.align
            .get(j)
            .copied()
            .unwrap_or(if j == 0 { Align::Left } else { Align::Right })
    }

    /// Renders the table as aligned plain text.
    pub fn to_text(&self) -> String {
        let n = self.ncols();
        let mut width = vec![0usize; n];
        let cell = |r: &Vec<String>, j: usize| r.get(j).cloned().unwrap_or_default();
        for r in std::iter::once(&self.header).chain(self.rows.iter()) {
            for (j, w) in width.iter_mut().enumerate() {
                *w = (*w).max(cell(r, j).chars().count());
            }
        }
        let mut out = String::new();
        if !self.title.is_empty() {
            let _ = writeln!(out, "{}", self.title);
        }
        let line = |out: &mut String, r: &Vec<String>| {
            let mut s = String::new();
            for (j, w) in width.iter().enumerate() {
                if j > 0 {
                    s.push_str("  ");
                }
                let c = cell(r, j);
                let pad = w.saturating_sub(c.chars().count());
                match self.align_of(j) {
                    Align::Left => {
                        s.push_str(&c);
                        s.push_str(&" ".repeat(pad));
                    }
                    Align::Right => {
                        s.push_str(&" ".repeat(pad));
                        s.push_str(&c);
                    }
                }
            }
            let _ = writeln!(out, "{}", s.trim_end());
        };
        if !self.header.is_empty() {
            line(&mut out, &self.header);
        }
        for r in &self.rows {
            line(&mut out, r);
        }
        for note in &self.notes {
            let _ = writeln!(out, "{note}");
        }
        out
    }

    /// Renders the table as an HTML `<table>`.
    pub fn to_html(&self) -> String {
        let n = self.ncols();
        let mut out = String::from("<table>");
        if !self.title.is_empty() {
            let _ = write!(out, "<caption>{}</caption>", escape(&self.title));
        }
        if !self.header.is_empty() {
            out.push_str("<thead><tr>");
            for j in 0..n {
                let h = self.header.get(j).map(String::as_str).unwrap_or("");
                let _ = write!(out, "<th>{}</th>", escape(h));
            }
            out.push_str("</tr></thead>");
        }
        out.push_str("<tbody>");
        for r in &self.rows {
            out.push_str("<tr>");
            for j in 0..n {
                let c = r.get(j).map(String::as_str).unwrap_or("");
                let class = if self.align_of(j) == Align::Right {
                    " class=\"r\""
                } else {
                    ""
                };
                let _ = write!(out, "<td{class}>{}</td>", escape(c));
            }
            out.push_str("</tr>");
        }
        out.push_str("</tbody></table>");
        for note in &self.notes {
            let _ = write!(out, "<p class=\"note\">{}</p>", escape(note));
        }
        out
    }
}

/// One piece of a section.
#[derive(Debug, Clone)]
pub enum Block {
    /// A paragraph of prose.
    Text(String),
    /// Monospaced text printed as is (e.g. an R-style summary).
    Pre(String),
    Table(Table),
    /// An SVG figure with its caption. In text output only the caption and the file hint print.
    Figure {
        caption: String,
        svg: String,
    },
}

/// A titled part of a report, produced by one analysis.
#[derive(Debug, Clone, Default)]
pub struct Section {
    pub title: String,
    pub blocks: Vec<Block>,
}

impl Section {
    pub fn new(title: impl Into<String>) -> Self {
        Section {
            title: title.into(),
            blocks: Vec::new(),
        }
    }
    pub fn text(&mut self, s: impl Into<String>) -> &mut Self {
        self.blocks.push(Block::Text(s.into()));
        self
    }
    pub fn pre(&mut self, s: impl Into<String>) -> &mut Self {
        self.blocks.push(Block::Pre(s.into()));
        self
    }
    pub fn table(&mut self, t: Table) -> &mut Self {
        self.blocks.push(Block::Table(t));
        self
    }
    pub fn figure(&mut self, caption: impl Into<String>, svg: String) -> &mut Self {
        self.blocks.push(Block::Figure {
            caption: caption.into(),
            svg,
        });
        self
    }
    /// Appends all blocks of another section under a sub-heading.
    pub fn extend(&mut self, other: Section) -> &mut Self {
        if !other.title.is_empty() {
            self.blocks.push(Block::Text(format!("## {}", other.title)));
        }
        self.blocks.extend(other.blocks);
        self
    }

    /// Plain-text rendering: headings underlined, tables aligned. Figures are left out: they belong
    /// in the HTML report and in the SVG files a command writes with `--out`.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        if !self.title.is_empty() {
            let _ = writeln!(out, "{}\n{}", self.title, "=".repeat(self.title.chars().count()));
        }
        for b in &self.blocks {
            match b {
                Block::Text(s) => {
                    let _ = writeln!(out, "{s}\n");
                }
                Block::Pre(s) => {
                    let _ = writeln!(out, "{}\n", s.trim_end());
                }
                Block::Table(t) => {
                    let _ = writeln!(out, "{}", t.to_text());
                }
                Block::Figure { .. } => {}
            }
        }
        out
    }
}

/// A whole report: what `dimorph demo` prints and writes as `report/index.html`.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub title: String,
    pub sections: Vec<Section>,
}

impl Report {
    pub fn new(title: impl Into<String>) -> Self {
        Report {
            title: title.into(),
            sections: Vec::new(),
        }
    }

    pub fn push(&mut self, s: Section) -> &mut Self {
        self.sections.push(s);
        self
    }

    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for s in &self.sections {
            out.push_str(&s.to_text());
            out.push('\n');
        }
        out
    }

    /// One self-contained HTML page: inline CSS, inline SVG, no external resources.
    pub fn to_html(&self) -> String {
        let mut out = String::new();
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{}</title><style>{}</style></head><body><h1>{}</h1>",
            escape(&self.title),
            CSS,
            escape(&self.title)
        );
        if self.sections.len() > 1 {
            out.push_str("<nav><ul>");
            for (i, s) in self.sections.iter().enumerate() {
                let _ = write!(out, "<li><a href=\"#s{i}\">{}</a></li>", escape(&s.title));
            }
            out.push_str("</ul></nav>");
        }
        for (i, s) in self.sections.iter().enumerate() {
            let _ = write!(out, "<section id=\"s{i}\"><h2>{}</h2>", escape(&s.title));
            for b in &s.blocks {
                match b {
                    Block::Text(t) => {
                        if let Some(h) = t.strip_prefix("## ") {
                            let _ = write!(out, "<h3>{}</h3>", escape(h));
                        } else {
                            let _ = write!(out, "<p>{}</p>", escape(t));
                        }
                    }
                    Block::Pre(t) => {
                        let _ = write!(out, "<pre>{}</pre>", escape(t));
                    }
                    Block::Table(t) => out.push_str(&t.to_html()),
                    Block::Figure { caption, svg } => {
                        let _ = write!(
                            out,
                            "<figure>{svg}<figcaption>{}</figcaption></figure>",
                            escape(caption)
                        );
                    }
                }
            }
            out.push_str("</section>");
        }
        out.push_str("</body></html>\n");
        out
    }
}

const CSS: &str = "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;\
padding:0 1em;color:#222}h1{border-bottom:2px solid #444}h2{margin-top:2em;border-bottom:1px solid #ccc}\
table{border-collapse:collapse;margin:1em 0;font-variant-numeric:tabular-nums}\
caption{text-align:left;font-weight:600;padding:.3em 0}th,td{padding:.2em .7em;border-bottom:1px solid #e4e4e4}\
th{background:#f4f4f4;text-align:left}td.r{text-align:right}pre{background:#f7f7f7;padding:.7em;\
overflow-x:auto}figure{margin:1em 0}figcaption{font-size:.9em;color:#555}.note{font-size:.85em;\
color:#555;margin:.2em 0}nav ul{columns:2}";

/// Escapes text for HTML and SVG.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_columns() {
        let mut t = Table::new("T", &["name", "value"]);
        t.row(["a", "1.5"]).row(["long name", "10.25"]);
        let s = t.to_text();
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(lines[0], "T");
        assert_eq!(lines[1], "name       value");
        assert_eq!(lines[2], "a            1.5");
        assert_eq!(lines[3], "long name  10.25");
    }

    #[test]
    fn html_is_self_contained_and_escaped() {
        let mut r = Report::new("R & D");
        let mut s = Section::new("S<1>");
        s.figure("fig", "<svg></svg>".into());
        r.push(s);
        let h = r.to_html();
        assert!(h.contains("<title>R &amp; D</title>"));
        assert!(h.contains("S&lt;1&gt;"));
        assert!(h.contains("<svg></svg>"));
        assert!(!h.contains("http://") && !h.contains("https://"));
        assert!(!r.to_text().contains("fig"), "figures are not printed as text");
    }
}
