//! The columns of the design matrix X: R's rule for coding a factor by contrasts or by all its
//! levels in each term, the interaction columns (products, the first variable varying fastest),
//! their names, and the row-major fill. See the `design` module for the conventions.

use std::borrow::Cow;
use std::ops::Range;

use dimorph_core::Location;

use crate::contrasts::Contrast;
use crate::error::{clip, GlmError, Result};
use crate::factor::Coded;
use crate::formula::{Formula, VarKind};

/// One model term (a main effect, an interaction, a factor) and the columns of X it owns.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// The term as R labels it (`width`, `I(width^2)`, `region`, `snoring:sex`).
    pub label: String,
    /// Columns of X that belong to the term.
    pub cols: Range<usize>,
    /// Whether the term involves a categorical factor.
    pub is_factor: bool,
}

/// A variable's values on the rows used.
pub(crate) enum VarValues<'a> {
    Num(&'a [f64]),
    Factor(&'a Coded),
    /// Several columns (`poly`, `ns`, `bs`, `scale`) and their name suffixes (`1`, `2`, …; empty
    /// for a single column, which is named by the variable's label alone).
    Matrix(&'a [Vec<f64>], &'a [String]),
}

/// X with its column names and terms.
pub(crate) struct Design {
    pub x: Vec<f64>,
    pub p: usize,
    pub col_names: Vec<String>,
    pub terms: Vec<Term>,
}

/// How a factor is coded within one term (R's `factors` attribute: 1 = contrasts, 2 = all levels).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Coding {
    Numeric,
    Contrasts,
    AllLevels,
}

/// Most cells X may have (2^29 doubles, 4 GiB): more is almost surely a column with thousands of
/// distinct values used as a factor by mistake.
const MAX_CELLS: usize = 1 << 29;

/// Most columns X may have: the fit holds several p × p matrices (XᵀWX, both covariances), 128
/// MiB each at this size, and factors them in O(p³).
pub const MAX_COLUMNS: usize = 4096;

/// Builds X (n rows, row-major) for the formula's terms from the variables' values; `src`
/// names the data in the error for an X too large to build.
pub(crate) fn design_matrix(f: &Formula, values: &[VarValues], n: usize, src: &str) -> Result<Design> {
    let is_factor: Vec<bool> = values.iter().map(|v| matches!(v, VarValues::Factor(_))).collect();
    let coding = codings(f, &is_factor);
    let width = |t: usize| -> usize {
        f.terms[t]
            .iter()
            .zip(&coding[t])
            .map(|(&v, c)| match (c, &values[v]) {
                (Coding::Contrasts, VarValues::Factor(fc)) => fc.levels.len() - 1,
                (Coding::AllLevels, VarValues::Factor(fc)) => fc.levels.len(),
                (_, VarValues::Matrix(cols, _)) => cols.len(),
                _ => 1,
            })
            .fold(1usize, usize::saturating_mul)
    };
    let p: usize = (0..f.terms.len())
        .map(width)
        .fold(usize::from(f.intercept), usize::saturating_add);
    if p > MAX_COLUMNS || n.saturating_mul(p) > MAX_CELLS {
        let widest = (0..f.terms.len()).max_by_key(|&t| width(t)).unwrap_or(0);
        return Err(GlmError::input(
            Location::file(src),
            format!(
                "the design matrix would have {n} rows × {p} columns, too many to build (at most {MAX_COLUMNS} columns and {MAX_CELLS} cells); the term {} alone has {} columns (is a column with many distinct values used as a factor?)",
                clip(&f.term_label(widest)),
                width(widest)
            ),
        ));
    }
    let mut srcs: Vec<Option<Cow<[f64]>>> = Vec::with_capacity(p);
    let mut col_names = Vec::with_capacity(p);
    if f.intercept {
        srcs.push(None);
        col_names.push("(Intercept)".to_string());
    }
    let mut terms = Vec::with_capacity(f.terms.len());
    for (t, vars) in f.terms.iter().enumerate() {
        let start = srcs.len();
        // Per variable: its columns in this term, the first variable varying fastest.
        let parts: Vec<Vec<Part>> = vars
            .iter()
            .zip(&coding[t])
            .map(|(&v, c)| var_parts(f, v, *c, &values[v]))
            .collect();
        let mut idx = vec![0usize; vars.len()];
        'combos: loop {
            let mut name = Vec::with_capacity(vars.len());
            let mut col: Option<Cow<[f64]>> = None;
            for (k, part) in parts.iter().enumerate() {
                let part = &part[idx[k]];
                name.push(part.name.clone());
                col = Some(match col {
                    None => part.values(n),
                    Some(c) => {
                        let mut c = c.into_owned();
                        part.multiply(&mut c);
                        Cow::Owned(c)
                    }
                });
            }
            srcs.push(col);
            col_names.push(name.join(":"));
            // Next combination, first variable fastest.
            for k in 0..idx.len() {
                idx[k] += 1;
                if idx[k] < parts[k].len() {
                    continue 'combos;
                }
                idx[k] = 0;
            }
            break;
        }
        terms.push(Term {
            label: f.term_label(t),
            cols: start..srcs.len(),
            is_factor: vars.iter().any(|&v| is_factor[v]),
        });
    }

    // Row-major X.
    debug_assert_eq!(p, srcs.len());
    let srcs: Vec<Option<&[f64]>> = srcs.iter().map(|s| s.as_deref()).collect();
    // asked of the allocator, not assumed: a design that does not fit in memory is an error
    // (Python's interpreter, or a CLI run, used to abort on 'memory allocation failed')
    let cells = n.saturating_mul(p);
    let mut x: Vec<f64> = Vec::new();
    x.try_reserve_exact(cells).map_err(|_| {
        GlmError::input(
            Location::file(src),
            format!(
                "the model matrix X of {n} rows × {p} columns ({:.1} GB) does not fit in the memory available; use fewer columns (levels, spline degrees of freedom) or fit in parts (--stream, dimorph.dask)",
                cells as f64 * 8.0 / 1e9
            ),
        )
    })?;
    x.resize(cells, 0.0);
    fill_row_major(&mut x, p, &srcs);
    Ok(Design { x, p, col_names, terms })
}

/// One variable's share of a column of X: its name part and how its values enter the product.
struct Part<'a> {
    name: String,
    kind: PartKind<'a>,
}

enum PartKind<'a> {
    /// Numeric values.
    Values(&'a [f64]),
    /// The value of each level (a contrast column or a level's indicator), read through the
    /// factor's codes.
    Levels(&'a [u32], Vec<f64>),
}

impl<'a> Part<'a> {
    /// The part's values on the `n` rows (borrowed for a numeric variable).
    fn values(&self, n: usize) -> Cow<'a, [f64]> {
        match &self.kind {
            PartKind::Values(v) => Cow::Borrowed(&v[..n.min(v.len())]),
            PartKind::Levels(codes, by) => Cow::Owned(codes.iter().map(|&c| by[c as usize]).collect()),
        }
    }

    /// `c ← c · values`.
    fn multiply(&self, c: &mut [f64]) {
        match &self.kind {
            PartKind::Values(v) => c.iter_mut().zip(v.iter()).for_each(|(a, b)| *a *= b),
            PartKind::Levels(codes, by) => c.iter_mut().zip(codes.iter()).for_each(|(a, &k)| *a *= by[k as usize]),
        }
    }
}

/// The columns variable `v` contributes to a term, coded as `coding` says: a numeric variable
/// one, a basis its columns, a factor its contrast columns or one indicator per level.
fn var_parts<'a>(f: &Formula, v: usize, coding: Coding, value: &VarValues<'a>) -> Vec<Part<'a>> {
    let label = &f.vars[v].label;
    match value {
        VarValues::Num(x) => vec![Part {
            name: label.clone(),
            kind: PartKind::Values(x),
        }],
        // R names the single column of a one-column matrix by the variable alone
        VarValues::Matrix(cols, names) => cols
            .iter()
            .zip(names.iter())
            .map(|(c, s)| Part {
                name: if cols.len() == 1 {
                    label.clone()
                } else {
                    format!("{label}{s}")
                },
                kind: PartKind::Values(c),
            })
            .collect(),
        VarValues::Factor(fc) => {
            let k = fc.levels.len();
            if coding == Coding::Contrasts {
                let contrast = match &f.vars[v].kind {
                    VarKind::Factor { contrast, .. } => *contrast,
                    _ => Contrast::Treatment,
                };
                (0..k - 1)
                    .map(|j| Part {
                        name: format!("{label}{}", contrast.column_name(&fc.levels, j)),
                        kind: PartKind::Levels(&fc.codes, (0..k).map(|l| contrast.value(l, j, k)).collect()),
                    })
                    .collect()
            } else {
                (0..k)
                    .map(|j| Part {
                        name: format!("{label}{}", fc.levels[j]),
                        kind: PartKind::Levels(&fc.codes, (0..k).map(|l| f64::from(u8::from(l == j))).collect()),
                    })
                    .collect()
            }
        }
    }
}

/// R's coding of each variable in each term (`TermCode` in R's `models.c`): a factor is coded
/// by contrasts when the term without it is contained in a preceding term (or is empty), else
/// by all its levels; without an intercept the first factor of the first term that has one gets
/// all its levels.
fn codings(f: &Formula, is_factor: &[bool]) -> Vec<Vec<Coding>> {
    let mut out: Vec<Vec<Coding>> = f
        .terms
        .iter()
        .enumerate()
        .map(|(t, vars)| {
            vars.iter()
                .map(|&v| {
                    if !is_factor[v] {
                        return Coding::Numeric;
                    }
                    let margin: Vec<usize> = vars.iter().copied().filter(|&u| u != v).collect();
                    let covered =
                        margin.is_empty() || f.terms[..t].iter().any(|prev| margin.iter().all(|u| prev.contains(u)));
                    if covered {
                        Coding::Contrasts
                    } else {
                        Coding::AllLevels
                    }
                })
                .collect()
        })
        .collect();
    if !f.intercept {
        if let Some(c) = out.iter_mut().flatten().find(|c| **c != Coding::Numeric) {
            *c = Coding::AllLevels;
        }
    }
    out
}

/// Writes the columns `srcs` (`None`: the intercept's ones) into the row-major `x` (n × p).
/// Rows are filled in blocks so that the strided writes stay in cache; large matrices are
/// split over the available cores.
pub(crate) fn fill_row_major(x: &mut [f64], p: usize, srcs: &[Option<&[f64]>]) {
    const BLOCK: usize = 512;
    fn fill(x: &mut [f64], p: usize, srcs: &[Option<&[f64]>], first_row: usize) {
        for (b, chunk) in x.chunks_mut(BLOCK * p).enumerate() {
            let r0 = first_row + b * BLOCK;
            let rows = chunk.len() / p;
            for (j, s) in srcs.iter().enumerate() {
                match s {
                    None => (0..rows).for_each(|i| chunk[i * p + j] = 1.0),
                    Some(v) => {
                        for (i, &val) in v[r0..r0 + rows].iter().enumerate() {
                            chunk[i * p + j] = val;
                        }
                    }
                }
            }
        }
    }
    if p == 0 {
        return;
    }
    let n = x.len() / p;
    let threads = dimorph_core::threads::available().min(8);
    if threads < 2 || x.len() < 1 << 21 {
        fill(x, p, srcs, 0);
        return;
    }
    // whole blocks of rows per thread, so that each thread's writes stay in its own cache lines
    let blocks = dimorph_core::threads::ranges(n.div_ceil(BLOCK), threads);
    let parts: Vec<std::ops::Range<usize>> = blocks.iter().map(|b| b.start * BLOCK..(b.end * BLOCK).min(n)).collect();
    dimorph_core::threads::map_blocks_mut(x, p, &parts, |rows, part| fill(part, p, srcs, rows.start));
}
