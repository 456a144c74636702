//! From a table to features: column patterns (`f*`, `feat_?`, exact names), checks that every
//! selected cell is a finite number (naming file, line and column when not), and constant columns
//! (dropped, and reported by name — they carry no distance information).

use crate::error::{EmbedError, Result};
use crate::features::Features;
use dimorph_data::Frame;
use serde::Serialize;

/// What [`features_from_frame`] selected.
#[derive(Clone, Debug, Serialize)]
pub struct Selection {
    /// Feature columns used, in table order.
    pub columns: Vec<String>,
    /// Matched columns left out because every value is the same.
    pub constant: Vec<String>,
}

/// Shell-style match: `*` any run, `?` one character.
pub fn glob_match(pat: &str, s: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pat.chars().collect(), s.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            pi += 1;
            mark = ti;
        } else if let Some(sp) = star {
            pi = sp + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Selects the feature columns named or matched by `patterns` (each may be a comma-separated list).
pub fn features_from_frame(frame: &Frame, patterns: &[String]) -> Result<(Features, Selection)> {
    let pats: Vec<&str> = patterns
        .iter()
        .flat_map(|p| p.split(','))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if pats.is_empty() {
        return Err(EmbedError::Input(
            "--features: no column names or patterns given".into(),
        ));
    }
    let names = frame.names();
    let mut chosen: Vec<usize> = Vec::new();
    for p in &pats {
        let hits: Vec<usize> = (0..names.len()).filter(|&c| glob_match(p, names[c])).collect();
        if hits.is_empty() {
            return Err(EmbedError::Input(format!(
                "{}: --features '{p}' matches no column (columns are: {})",
                frame.source,
                names.join(", ")
            )));
        }
        chosen.extend(hits);
    }
    chosen.sort_unstable();
    chosen.dedup();
    let mut cols = Vec::new();
    let mut sel = Selection {
        columns: Vec::new(),
        constant: Vec::new(),
    };
    for &c in &chosen {
        let name = names[c];
        let v = frame.numeric(name)?;
        if let Some(i) = v.iter().position(|x| !x.is_finite()) {
            let bad = v.iter().filter(|x| !x.is_finite()).count();
            let what = if v[i].is_nan() {
                "missing (empty, NA or NaN)".to_string()
            } else {
                format!("{}", v[i])
            };
            return Err(EmbedError::Input(format!(
                "{}: line {}, column '{name}': the value is {what}; every feature must be a finite number \
                 ({bad} such cell{} in this column; remove or impute those rows)",
                frame.source,
                frame.line_of(i),
                if bad == 1 { "" } else { "s" }
            )));
        }
        if v.iter().all(|&x| x == v[0]) {
            sel.constant.push(name.to_string());
        } else {
            sel.columns.push(name.to_string());
            cols.push(v);
        }
    }
    if frame.nrows == 0 {
        return Err(EmbedError::Input(format!(
            "{}: the table has no data rows",
            frame.source
        )));
    }
    if cols.is_empty() {
        return Err(EmbedError::Input(format!(
            "{}: every selected feature column is constant ({}): the points are identical, there is nothing to embed",
            frame.source,
            sel.constant.join(", ")
        )));
    }
    let (n, d) = (frame.nrows, cols.len());
    let mut x = vec![0.0f32; n * d];
    for (j, c) in cols.iter().enumerate() {
        for (i, &v) in c.iter().enumerate() {
            x[i * d + j] = v as f32;
        }
    }
    Ok((Features::new(n, d, x)?, sel))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("f*", "f12"));
        assert!(glob_match("f*", "f"));
        assert!(!glob_match("f*", "logit"));
        assert!(glob_match("p?", "p7"));
        assert!(!glob_match("p?", "p17"));
        assert!(glob_match("*_x", "a_b_x"));
    }
}
