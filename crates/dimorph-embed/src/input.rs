//! From a table to features: column patterns (`f*`, `feat_?`, exact names), checks that every
//! selected cell is a finite number within single precision's reach (naming file, line and column
//! when not: distances are computed in `f32`, so the squared spread of the features must stay far
//! below 3.4e38), and constant columns (dropped, and reported by name — they carry no distance
//! information). Names and cells are quoted clipped ([`dimorph_core::text`]).

use crate::error::LIST_NAMES;
use crate::error::{EmbedError, Result};
use crate::features::Features;
use dimorph_core::text::num;
use dimorph_core::text::{clip, clip_list};
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
                "{}: --features '{}' matches no column (columns are: {})",
                frame.source,
                clip(p),
                clip_list(&names, LIST_NAMES)
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
    let mut spread2 = 0.0;
    for &c in &chosen {
        let name = names[c];
        let v = frame.numeric(name)?;
        check_finite(frame, name, v)?;
        if v.iter().all(|&x| x == v[0]) {
            sel.constant.push(name.to_string());
        } else {
            spread2 += check_spread(frame, name, v, spread2)?;
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
            clip_list(&sel.constant, LIST_NAMES)
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

/// Largest squared spread of the features, Σ over columns of (max − min)²: a squared distance
/// must stay finite in `f32` (3.4e38), with room for rounding.
pub const MAX_SPREAD2: f64 = 1e36;

/// Every cell of a feature column is a finite number.
fn check_finite(frame: &Frame, name: &str, v: &[f64]) -> Result<()> {
    let Some(i) = v.iter().position(|x| !x.is_finite()) else {
        return Ok(());
    };
    let bad = v.iter().filter(|x| !x.is_finite()).count();
    let what = if v[i].is_nan() {
        "missing (empty, NA or NaN)".to_string()
    } else {
        format!("{}", v[i])
    };
    Err(EmbedError::Input(format!(
        "{}: line {}, column '{}': the value is {what}; every feature must be a finite number \
         ({bad} such cell{} in this column; remove or impute those rows)",
        frame.source,
        frame.line_of(i),
        clip(name),
        if bad == 1 { "" } else { "s" }
    )))
}

/// The squared spread (max − min)² of a non-constant feature column, refused (naming the line of
/// its most extreme value) when its values or the total spread `before` plus its own leave single
/// precision's range.
fn check_spread(frame: &Frame, name: &str, v: &[f64], before: f64) -> Result<f64> {
    let (mut lo, mut hi) = (0, 0);
    for (i, x) in v.iter().enumerate() {
        if *x < v[lo] {
            lo = i;
        }
        if *x > v[hi] {
            hi = i;
        }
    }
    let s2 = (v[hi] - v[lo]).powi(2);
    let far = if v[hi].abs() >= v[lo].abs() { hi } else { lo };
    if v[far].abs() <= f32::MAX as f64 && s2 + before <= MAX_SPREAD2 {
        return Ok(s2);
    }
    Err(EmbedError::Input(format!(
        "{}: line {}, column '{}': the value {} is too large: the column spans {} to {}, beyond \
         what single-precision distances hold (squared spread at most {MAX_SPREAD2:e}); rescale the \
         features (e.g. standardise each column)",
        frame.source,
        frame.line_of(far),
        clip(name),
        num(v[far]),
        num(v[lo]),
        num(v[hi])
    )))
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
