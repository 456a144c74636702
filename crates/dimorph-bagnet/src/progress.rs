//! A one-line progress bar on stderr with a status text (loss, metrics); silent with `--quiet`.

use std::io::Write;

/// Progress of `total` steps.
pub struct Progress {
    label: String,
    total: usize,
    done: usize,
    quiet: bool,
}

impl Progress {
    pub fn new(label: &str, total: usize, quiet: bool) -> Self {
        Progress {
            label: label.to_string(),
            total,
            done: 0,
            quiet,
        }
    }
    /// One step done; redraw with `status`.
    pub fn tick(&mut self, status: &str) {
        self.done += 1;
        if !self.quiet {
            let w = 24;
            let filled = (self.done * w).checked_div(self.total).unwrap_or(w).min(w);
            eprint!(
                "\r{} [{}{}] {}/{} {}   ",
                self.label,
                "#".repeat(filled),
                "-".repeat(w - filled),
                self.done,
                self.total,
                status
            );
            let _ = std::io::stderr().flush();
        }
    }
    /// End the line with a final status.
    pub fn finish(&mut self, status: &str) {
        if !self.quiet {
            eprintln!("\r{} {}{}", self.label, status, " ".repeat(30));
        }
    }
}
