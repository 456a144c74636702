//! One part coded straight from borrowed numeric columns — a Dask partition's numpy arrays or
//! Arrow buffers — without first copying them into a [`dimorph_data::Frame`]: the fast path of
//! [`crate::distributed::design_part`] for the common model of numeric columns.
//!
//! Re-reading a partition at every IRLS pass (`dimorph.dask.glm(persist=False)`) used to copy its
//! columns into a frame, evaluate the formula on it (X, then the response through a model frame
//! of its own) and copy X once more into the part; the page faults of those fresh buffers were
//! most of a pass's time. Here X is written once, from the columns, into the buffer the part
//! keeps.
//!
//! It applies when the response is one expression (not events/trials), every term of the
//! formula is a product of bare numeric columns (`x1`, `x1:x2`; no factor, basis or `I(…)`),
//! the offsets and the weights are numeric columns or expressions of them, and every value of
//! every used column is finite, the response in the family's range and the weights
//! non-negative: the rows are then all used, and X, the response, the weights and the offset are
//! exactly what [`crate::distributed::design_part`] computes from a frame of the same columns
//! (the same expressions evaluated by [`crate::expr::Expr::eval`], the same products in the same
//! order, the same row-major fill). Anything else — a missing or infinite value, a factor, a bad
//! response — gives `None`, and the caller codes the part through a frame, which drops, codes or
//! reports as usual. The tests check the two paths give the same part bit for bit.

use std::borrow::Cow;

use crate::design::{DesignSpec, Term};
use crate::distributed::Part;
use crate::family::Family;
use crate::formula::{Response, VarKind};
use crate::matrix::fill_row_major;

/// At most this many cells (rows × columns of X), as [`crate::design`] builds (larger goes
/// through the frame, which names the limit).
const MAX_CELLS: usize = 1 << 29;

/// Whether every value is finite (one branch-free pass per block, so that it vectorises).
fn all_finite(v: &[f64]) -> bool {
    v.chunks(256).all(|c| c.iter().fold(true, |a, x| a & x.is_finite()))
}

/// The part of `nrows` rows whose columns are `columns` (name, values; each `nrows` long), coded
/// with `spec` as [`crate::distributed::design_part`] codes a frame of these columns — or `None`
/// when the fast path does not apply (see the module documentation) and the part must be coded
/// through a frame.
pub fn design_columns(
    spec: &DesignSpec,
    columns: &[(&str, &[f64])],
    nrows: usize,
    weights: Option<&str>,
    family: Family,
) -> Option<Part> {
    design_columns_in(spec, columns, nrows, weights, family, |len| vec![0.0; len])
}

/// [`design_columns`] with X written into `zeros(len)`, a vector of `len` zeros from the caller
/// (the Python package asks the kernel to back it with huge pages: one page fault per 2 MiB
/// instead of per 4 KiB, most of the time of coding a partition otherwise).
pub fn design_columns_in(
    spec: &DesignSpec,
    columns: &[(&str, &[f64])],
    nrows: usize,
    weights: Option<&str>,
    family: Family,
    zeros: impl FnOnce(usize) -> Vec<f64>,
) -> Option<Part> {
    let f = &spec.formula;
    if nrows == 0 || columns.iter().any(|(_, v)| v.len() != nrows) {
        return None;
    }
    let find = |name: &str| columns.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
    let Response::Single(response) = &f.response else {
        return None;
    };
    // every used column present and finite
    let mut used: Vec<&str> = response.columns();
    for v in &f.vars {
        match &v.kind {
            VarKind::Column(c) if !spec.levels.iter().any(|(l, _)| *l == v.label) => used.push(c),
            _ => return None,
        }
    }
    f.offsets.iter().for_each(|e| used.extend(e.columns()));
    used.extend(weights);
    if !used.iter().all(|c| find(c).is_some_and(all_finite)) {
        return None;
    }
    let get = |c: &str| find(c).unwrap_or(&[]);
    let n = nrows;
    // the response, checked as design_part checks it, and the prior weights (one trial a row)
    let y = response.eval(n, &get).ok()?;
    if y.iter().any(|&v| family.check_y(v).is_err()) {
        return None;
    }
    let w = weights.map(get);
    if w.is_some_and(|w| w.iter().any(|&x| x < 0.0)) {
        return None;
    }
    // design_part's prior weight w·t with t = 1 trial: w itself (finite here)
    let prior: Vec<f64> = w.map_or_else(|| vec![1.0; n], <[f64]>::to_vec);
    // the offsets summed in the formula's order
    let mut offset: Option<Vec<f64>> = None;
    for e in &f.offsets {
        let v = e.eval(n, &get).ok()?;
        offset = Some(match offset {
            None => v,
            Some(mut o) => {
                o.iter_mut().zip(&v).for_each(|(a, b)| *a += b);
                o
            }
        });
    }
    let (srcs, col_names, terms) = columns_of_x(spec, &get)?;
    let p = srcs.len();
    if p == 0 || n.saturating_mul(p) > MAX_CELLS {
        return None;
    }
    let srcs: Vec<Option<&[f64]>> = srcs.iter().map(|s| s.as_deref()).collect();
    let mut x = zeros(n * p);
    if x.len() != n * p {
        return None;
    }
    fill_row_major(&mut x, p, &srcs);
    Some(Part {
        x,
        n,
        p,
        y,
        prior,
        trials: vec![1.0; n],
        offset,
        n_read: nrows,
        // Σ w in row order, as design_part adds it (n ones without weights)
        weights_sum: w.map_or(n as f64, |w| w.iter().sum()),
        col_names,
        terms,
    })
}

/// The columns of X (`None`: the intercept; a term's column, the product of its variables'
/// columns in the term's order, as the design matrix multiplies them), their names and the terms.
#[allow(clippy::type_complexity)]
fn columns_of_x<'a>(
    spec: &DesignSpec,
    get: &dyn Fn(&str) -> &'a [f64],
) -> Option<(Vec<Option<Cow<'a, [f64]>>>, Vec<String>, Vec<Term>)> {
    let f = &spec.formula;
    let mut srcs: Vec<Option<Cow<[f64]>>> = Vec::with_capacity(f.terms.len() + 1);
    let mut names = Vec::with_capacity(f.terms.len() + 1);
    if f.intercept {
        srcs.push(None);
        names.push("(Intercept)".to_string());
    }
    let mut terms = Vec::with_capacity(f.terms.len());
    for (t, vars) in f.terms.iter().enumerate() {
        let mut col: Option<Cow<[f64]>> = None;
        for &v in vars {
            let VarKind::Column(c) = &f.vars[v].kind else {
                return None;
            };
            let values = get(c);
            col = Some(match col {
                None => Cow::Borrowed(values),
                Some(acc) => {
                    let mut acc = acc.into_owned();
                    acc.iter_mut().zip(values).for_each(|(a, b)| *a *= b);
                    Cow::Owned(acc)
                }
            });
        }
        let label = f.term_label(t);
        terms.push(Term {
            label: label.clone(),
            cols: srcs.len()..srcs.len() + 1,
            is_factor: false,
        });
        srcs.push(Some(col?));
        names.push(label);
    }
    Some((srcs, names, terms))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distributed::{design_part, merge_levels, part_levels};
    use dimorph_data::{Column, ColumnData, Frame};

    /// A frame of numeric columns, rows numbered from 1 as the Python package numbers them.
    fn frame(cols: &[(&str, Vec<f64>)]) -> Frame {
        let cols = cols
            .iter()
            .map(|(n, v)| Column {
                name: n.to_string(),
                data: ColumnData::Num(v.clone()),
            })
            .collect();
        let mut f = Frame::from_columns("test", cols).expect("frame");
        f.first_line = 1;
        f
    }

    fn data(n: usize) -> Vec<(&'static str, Vec<f64>)> {
        let mut s = 0x2545_f491_4f6c_dd1d_u64;
        let mut u = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        let x1: Vec<f64> = (0..n).map(|_| u() * 2.0 - 1.0).collect();
        let x2: Vec<f64> = (0..n).map(|_| (u() * 1000.0).round() / 1000.0).collect();
        let x3: Vec<f64> = (0..n).map(|_| u() * 3.0).collect();
        let yb: Vec<f64> = x1.iter().map(|&a| f64::from(u() < 0.5 + 0.3 * a)).collect();
        let yp: Vec<f64> = (0..n).map(|_| (u() * 6.0).floor()).collect();
        let t: Vec<f64> = (0..n).map(|_| 0.5 + u() * 2.0).collect();
        let w: Vec<f64> = (0..n).map(|_| (u() * 4.0).floor()).collect();
        vec![
            ("yb", yb),
            ("yp", yp),
            ("x1", x1),
            ("x2", x2),
            ("x3", x3),
            ("t", t),
            ("w", w),
        ]
    }

    /// Every field of a part as text, the numbers as their bits (NaN-safe, sign of zero kept).
    fn bits(p: &Part) -> String {
        let b = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        format!(
            "{:?} {:?} {:?} {:?} {:?} {} {} {} {} {:?} {:?}",
            b(&p.x),
            b(&p.y),
            b(&p.prior),
            b(&p.trials),
            p.offset.as_deref().map(b),
            p.n,
            p.p,
            p.n_read,
            p.weights_sum.to_bits(),
            p.col_names,
            p.terms
        )
    }

    /// The design of `formula` for the frame of `cols` (as one part's levels give it).
    fn spec_for(formula: &str, fr: &Frame, weights: Option<&str>) -> DesignSpec {
        let lv = part_levels(formula, fr, weights).expect("levels");
        merge_levels(formula, &fr.names(), weights, &[lv], "test").expect("merge")
    }

    /// The fast path's part (None: it does not apply) for `formula` on `cols`.
    fn fast(formula: &str, cols: &[(&str, Vec<f64>)], weights: Option<&str>, family: Family) -> Option<Part> {
        let fr = frame(cols);
        let slices: Vec<(&str, &[f64])> = cols.iter().map(|(n, v)| (*n, v.as_slice())).collect();
        design_columns(&spec_for(formula, &fr, weights), &slices, fr.nrows, weights, family)
    }

    /// The fast path's part beside design_part's on the frame of the same columns.
    fn both(formula: &str, cols: &[(&str, Vec<f64>)], weights: Option<&str>, family: Family) -> (Option<Part>, Part) {
        let fr = frame(cols);
        let slow = design_part(&spec_for(formula, &fr, weights), &fr, weights, family).expect("design_part");
        (fast(formula, cols, weights, family), slow)
    }

    #[test]
    fn coded_columns_equal_design_part_bit_for_bit() {
        let cols = data(3000);
        let cases: &[(&str, Option<&str>, Family)] = &[
            ("yb ~ x1 + x2 + x3", None, Family::Binomial),
            ("yb ~ x1 * x2 + x3", None, Family::Binomial),
            ("yb ~ x1:x2:x3 + x2 - 1", None, Family::Binomial),
            ("yp ~ x1 + x2 + offset(log(t))", None, Family::Poisson),
            ("yp ~ x3 + offset(log(t)) + offset(x1)", Some("w"), Family::Poisson),
            ("log(t) ~ x1 + x2", Some("w"), Family::Gaussian),
            ("yp ~ 1", None, Family::Poisson),
            ("yb ~ .", None, Family::Binomial),
        ];
        for &(formula, w, fam) in cases {
            let cols: Vec<(&str, Vec<f64>)> = if formula.contains('.') {
                cols[..5].iter().filter(|(n, _)| *n != "yp").cloned().collect()
            } else {
                cols.clone()
            };
            let (fast, slow) = both(formula, &cols, w, fam);
            let fast = fast.unwrap_or_else(|| panic!("{formula}: the fast path should apply"));
            assert_eq!(bits(&fast), bits(&slow), "{formula}");
            assert!(slow.n == 3000 && fast.p == slow.p && fast.p > 0, "{formula}");
        }
    }

    #[test]
    fn what_the_fast_path_leaves_to_the_frame() {
        let base = data(500);
        let with = |name: &str, i: usize, v: f64| {
            let mut c = base.clone();
            c.iter_mut().find(|(n, _)| *n == name).expect("column").1[i] = v;
            c
        };
        let bin = Family::Binomial;
        // a missing or infinite value, a response out of range, a negative weight: the frame's
        // path drops the row, or reports it
        for (cols, formula, w) in [
            (with("x2", 7, f64::NAN), "yb ~ x1 + x2", None),
            (with("yb", 3, f64::NAN), "yb ~ x1", None),
            (with("w", 9, f64::NAN), "yb ~ x1", Some("w")),
            (with("x2", 7, f64::INFINITY), "yb ~ x1 + x2", None),
            (with("yb", 3, 2.0), "yb ~ x1", None),
            (with("w", 9, -1.0), "yb ~ x1", Some("w")),
        ] {
            assert!(fast(formula, &cols, w, bin).is_none(), "{formula}");
        }
        // a missing value: the frame's path drops the row (and X is gathered, not moved)
        let (quick, slow) = both("yb ~ x1 + x2", &with("yb", 3, f64::NAN), None, bin);
        assert!(quick.is_none() && slow.n == 499 && slow.x.len() == 499 * 3);
        // factors, bases, I(), events/trials: through the frame
        for formula in ["yb ~ C(w)", "yb ~ I(x1^2)", "yb ~ poly(x1, 2, raw = TRUE)", "yb/w ~ x1"] {
            assert!(fast(formula, &base, None, bin).is_none(), "{formula}");
        }
        // a column the model uses that the caller did not pass
        let spec = spec_for("yb ~ x1 + x2", &frame(&base), None);
        let slices: Vec<(&str, &[f64])> = vec![("yb", &base[0].1), ("x1", &base[2].1)];
        assert!(design_columns(&spec, &slices, 500, None, bin).is_none());
    }
}
