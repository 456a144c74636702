//! From a table to features: column patterns (`f*`, `feat_?`, exact names), checks that every
//! selected cell is a finite number (naming file, line and column when not), features too large or
//! too close together for `f32` distances centred and scaled by a power of two ([`Scaling`]: the
//! same neighbours and the same embedding, no overflow), and constant columns (dropped, and reported by name — they carry no distance
//! information). Names and cells are quoted clipped ([`dimorph_core::text`]).

use crate::error::LIST_NAMES;
use crate::error::{EmbedError, Result};
use crate::features::Features;
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
    /// Centring and power-of-two scaling applied because the values were too large or too close
    /// together for single-precision distances (None: used as given).
    pub scaling: Option<Scaling>,
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

/// The indices of the columns among `names` named or matched by `patterns` (each may be a
/// comma-separated list), in table order.
pub fn select(source: &str, names: &[&str], patterns: &[String]) -> Result<Vec<usize>> {
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
    let mut chosen: Vec<usize> = Vec::new();
    for p in &pats {
        let hits: Vec<usize> = (0..names.len()).filter(|&c| glob_match(p, names[c])).collect();
        if hits.is_empty() {
            return Err(EmbedError::Input(format!(
                "{}: --features '{}' matches no column (columns are: {})",
                source,
                clip(p),
                clip_list(names, LIST_NAMES)
            )));
        }
        chosen.extend(hits);
    }
    chosen.sort_unstable();
    chosen.dedup();
    Ok(chosen)
}

/// Selects the feature columns named or matched by `patterns` (each may be a comma-separated list).
pub fn features_from_frame(frame: &Frame, patterns: &[String]) -> Result<(Features, Selection)> {
    let names = frame.names();
    let chosen = select(&frame.source, &names, patterns)?;
    let mut cols = Vec::new();
    let mut sel = Selection {
        columns: Vec::new(),
        constant: Vec::new(),
        scaling: None,
    };
    for &c in &chosen {
        let name = names[c];
        let v = frame.numeric(name)?;
        check_finite(frame, name, v)?;
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
            clip_list(&sel.constant, LIST_NAMES)
        )));
    }
    let (n, d) = (frame.nrows, cols.len());
    sel.scaling = Scaling::choose(&cols);
    let mut x = vec![0.0f32; n * d];
    for (j, c) in cols.iter().enumerate() {
        for (i, &v) in c.iter().enumerate() {
            x[i * d + j] = match &sel.scaling {
                Some(s) => s.apply(j, v),
                None => v as f32,
            };
        }
    }
    if sel.scaling.is_some() {
        check_resolved(frame, &sel.columns, &cols, &x)?;
    }
    Ok((Features::new(n, d, x)?, sel))
}

/// Refuses features whose points, scaled together into single precision, mostly run
/// together: one cell far beyond the rest (a fuzzed 1e308 among values near 1) leaves the other
/// points equal once centred and scaled, and the embedding would show them at one place while the
/// scaling note claimed the same neighbours as the data's. (A column merely in smaller units than
/// another may lose its resolution: it adds nothing to the distances in any precision, and the
/// points stay apart.) Rounding to single precision alone may merge a few close points; half of the
/// distinct points lost is the features' range, not rounding.
fn check_resolved(frame: &Frame, names: &[String], cols: &[&[f64]], x: &[f32]) -> Result<()> {
    let (n, d) = (frame.nrows, cols.len());
    let distinct = |mut keys: Vec<u64>| {
        keys.sort_unstable();
        keys.dedup();
        keys.len()
    };
    // a row's cells hashed by their bits (+0.0 for -0.0); equal rows, equal keys
    let key = |bits: &mut dyn Iterator<Item = u64>| {
        bits.fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ b).wrapping_mul(0x0100_0000_01b3).rotate_left(29)
        })
    };
    let before = distinct(
        (0..n)
            .map(|i| key(&mut cols.iter().map(|c| (c[i] + 0.0).to_bits())))
            .collect(),
    );
    let after = distinct(
        (0..n)
            .map(|i| key(&mut x[i * d..(i + 1) * d].iter().map(|v| (v + 0.0).to_bits() as u64)))
            .collect(),
    );
    if after * 2 >= before {
        return Ok(());
    }
    let (mut far, mut far_col) = (0usize, 0usize);
    for (j, c) in cols.iter().enumerate() {
        for (i, v) in c.iter().enumerate() {
            if v.abs() > cols[far_col][far].abs() {
                (far, far_col) = (i, j);
            }
        }
    }
    Err(EmbedError::Input(format!(
        "{}: line {}, column '{}': the value {} is so far from the others that, scaled together into single \
         precision, the {before} distinct points become {after}; check that cell, or transform the column \
         (e.g. its logarithm)",
        frame.source,
        frame.line_of(far),
        clip(&names[far_col]),
        dimorph_core::text::num(cols[far_col][far])
    )))
}

/// The range of feature values used as given ([`Scaling`] centres and scales the others); stated
/// in [`crate::limits`], where [`crate::features`] reads it too.
pub use crate::limits::{MAX_PLAIN, MIN_SPREAD};

/// Features brought into single precision's comfortable range before any distance is computed:
/// each column centred at its midrange (in `f64`), then every column multiplied by the same power
/// of two, so that the largest column range is between ½ and 1. Distances are all multiplied by the
/// same factor, which leaves the nearest neighbours, the (scale-free) affinities and the rescaled
/// PCA initialisation unchanged: the embedding is that of the features as given.
#[derive(Clone, Debug, Serialize)]
pub struct Scaling {
    /// Midrange of each used column, subtracted first.
    pub centre: Vec<f64>,
    /// Every centred value is multiplied by 2^power_of_two.
    pub power_of_two: i32,
}

impl Scaling {
    /// The scaling the columns need, if any (values beyond [`MAX_PLAIN`] or a largest spread below
    /// [`MIN_SPREAD`]).
    pub fn choose(cols: &[&[f64]]) -> Option<Scaling> {
        let mut centre = Vec::with_capacity(cols.len());
        // the largest column range as 2^exponent · mantissa, without overflow near 1.8e308 (where
        // hi − lo is infinite: halves first) nor underflow near 5e-324 (where halves round to 0)
        let (mut big, mut range, mut doubled) = (0.0f64, 0.0f64, false);
        for c in cols {
            let lo = c.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = c.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let r = hi - lo;
            if r.is_finite() {
                centre.push(lo + r / 2.0);
                if !doubled {
                    range = range.max(r);
                }
            } else {
                centre.push(lo / 2.0 + hi / 2.0);
                range = if doubled {
                    range.max(hi / 2.0 - lo / 2.0)
                } else {
                    hi / 2.0 - lo / 2.0
                };
                doubled = true;
            }
            big = big.max(lo.abs()).max(hi.abs());
        }
        if big <= MAX_PLAIN && range >= MIN_SPREAD {
            return None;
        }
        // 2^(e-1) <= range < 2^e: the largest range becomes [½, 1) (half-ranges [¼, ½))
        let e = range.log2().floor() as i32 + 1 + doubled as i32;
        Some(Scaling {
            centre,
            power_of_two: -e,
        })
    }

    /// Column `j`'s value `v`, centred and scaled (in two steps, so that 2^±1074 cannot overflow;
    /// the difference halved first where it would).
    pub fn apply(&self, j: usize, v: f64) -> f32 {
        let (a, b) = (self.power_of_two / 2, self.power_of_two - self.power_of_two / 2);
        let diff = v - self.centre[j];
        let (diff, b) = if diff.is_finite() {
            (diff, b)
        } else {
            (v / 2.0 - self.centre[j] / 2.0, b + 1)
        };
        (diff * 2f64.powi(a) * 2f64.powi(b)) as f32
    }
}

/// Every cell of a feature column is a finite number.
pub(crate) fn check_finite(frame: &Frame, name: &str, v: &[f64]) -> Result<()> {
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
