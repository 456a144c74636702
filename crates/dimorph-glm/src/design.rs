//! The model frame: a parsed [`Formula`] evaluated on a data
//! [`Frame`] gives the response, the design matrix X (row-major), offsets and weights, with the
//! rows that had a missing value in a used column dropped and counted.
//!
//! Conventions (all as R's `model.frame` + `model.matrix` with `na.action = na.omit`):
//!
//! - **Missing values**: a row with a missing cell in any column the model uses (response,
//!   trials, predictors, offsets, weights) is dropped and counted in
//!   [`ModelFrame::n_dropped`]; [`ModelFrame::missing`] says how many rows each column misses.
//!   A value that evaluates to something not finite (`log(0)`, a division by zero) is an error
//!   naming the line and the expression, never a silent drop.
//! - **Columns of X**: `(Intercept)` first (unless `- 1`/`+ 0`), then the columns of each term in
//!   R's term order. A numeric variable gives one column named by its label (`width`,
//!   `I(width^2)`, `log(x)`). A factor gives one 0/1 column per level named label + level, as R:
//!   `regionsouth` for a text column `region`, `C(color)3` for `C(color)`,
//!   `C(region, ref = "north")south` for `C(region, ref=north)` (R prints
//!   `relevel(region, ref = "north")south` for the same model).
//! - **Treatment coding**: a factor is coded by contrasts (its reference level left out) when the
//!   rest of its term is already in the model, otherwise by all its levels — R's rule: in `a*b`
//!   the columns of `a:b` are the (La−1)(Lb−1) products of non-reference levels; in `a:b`
//!   without main effects all La·Lb products appear (X is then rank-deficient with an intercept,
//!   as in R, and the fit must drop aliased columns); in `a + a:b`, `a:b` has the La·(Lb−1)
//!   columns of `b`'s effect within each level of `a`. Without an intercept the first factor
//!   gets all its levels (`y ~ a - 1` gives one column per level).
//! - **Interactions**: the columns are products of the constituent columns, the first variable
//!   (in order of appearance in the formula) varying fastest; names are joined by `:`
//!   (`aa2:bb2`, `regionsouth:x`).
//! - **Events/trials**: `y/n` gives the proportion y/n with n trials; `cbind(s, f)` gives s/(s+f)
//!   with s+f trials. A row with 0 trials (and 0 events) has proportion 0, as R's binomial family
//!   sets it; events with 0 trials are an error.

use crate::basis::Basis;
use crate::error::{clip, clip_list, GlmError, Result};
use crate::expr::{EvalError, Expr};
use crate::factor::{code_numeric, code_text, relevel, Coded};
use crate::formula::{Formula, Response, VarKind};
use crate::matrix::{design_matrix, Design, VarValues};
use dimorph_core::Location;
use dimorph_data::{ColumnData, Frame};
use std::borrow::Cow;
use std::collections::HashMap;

pub use crate::matrix::Term;

/// Everything needed to evaluate the formula on other data (for `--predict`): the formula and the
/// factor levels seen in the fitting data.
#[derive(Debug, Clone, PartialEq)]
pub struct DesignSpec {
    pub formula: Formula,
    /// For each factor column: its levels in R's order, the reference first. Keyed by the
    /// factor's label in the formula (`region`, `C(color)`, `C(region, ref = "north")`).
    pub levels: Vec<(String, Vec<String>)>,
}

/// Response, design matrix and row bookkeeping for one fit.
#[derive(Debug, Clone)]
pub struct ModelFrame {
    /// Where the data came from (file path) for messages.
    pub source: String,
    /// The response as written in the formula (`disease/total`, `satell`).
    pub response_name: String,
    /// Response. For events/trials (`y/n`, `cbind(y, n - y)`) this is the proportion y/n.
    pub y: Vec<f64>,
    /// Number of trials for events/trials responses.
    pub trials: Option<Vec<f64>>,
    /// Design matrix, row-major: row i is `x[i * p .. (i + 1) * p]`.
    pub x: Vec<f64>,
    pub n: usize,
    pub p: usize,
    /// Column names as R prints them (`(Intercept)`, `width`, `regionsouth`, `a:b`).
    pub col_names: Vec<String>,
    /// Model terms in R's order (main effects, then two-way interactions, ...); the intercept
    /// is not a term.
    pub terms: Vec<Term>,
    pub intercept: bool,
    /// Sum of all `offset(...)` terms, if any.
    pub offset: Option<Vec<f64>>,
    /// Prior weights from `--weights`, if given.
    pub weights: Option<Vec<f64>>,
    /// File line of each used row (for messages and residual output).
    pub lines: Vec<usize>,
    /// Rows in the data.
    pub n_read: usize,
    /// Rows dropped because a used column was missing.
    pub n_dropped: usize,
    /// For each used column with missing cells: its name and how many rows miss it (a row
    /// missing several columns counts in each).
    pub missing: Vec<(String, usize)>,
    pub spec: DesignSpec,
}

impl ModelFrame {
    /// Row i of X.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.p..(i + 1) * self.p]
    }
}

/// The design matrix of new data (for predictions), built by [`DesignSpec::design_for`].
#[derive(Debug, Clone)]
pub struct NewDesign {
    /// Row-major n × p, the same columns as the fitted model's X.
    pub x: Vec<f64>,
    pub n: usize,
    pub p: usize,
    pub col_names: Vec<String>,
    /// Sum of the `offset(...)` terms evaluated on the new data, if the formula has any.
    pub offset: Option<Vec<f64>>,
    /// The model's terms and the columns of X each owns (as the fitted model's `terms`).
    pub terms: Vec<Term>,
    /// File line of each used row.
    pub lines: Vec<usize>,
    pub n_read: usize,
    /// Rows dropped because a predictor or offset column was missing.
    pub n_dropped: usize,
    pub missing: Vec<(String, usize)>,
}

impl NewDesign {
    /// Row i of X.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.p..(i + 1) * self.p]
    }
}

/// Parses `formula` and evaluates it on `frame`; `weights` names the prior-weights column.
pub fn model_frame(formula: &str, frame: &Frame, weights: Option<&str>) -> Result<ModelFrame> {
    let mut f = Formula::parse_for_columns(formula, &frame.names(), &weights.into_iter().collect::<Vec<_>>())?;
    let b = build(&f, frame, weights, None)?;
    // what the bases learned from these data, for new data (R's makepredictcall)
    for (v, basis) in b.learned {
        f.vars[v].kind = VarKind::Basis(basis);
    }
    let (y, trials) = b.response.unwrap_or_default();
    Ok(ModelFrame {
        source: frame.source.clone(),
        response_name: f.response_label.clone(),
        y,
        trials,
        x: b.x,
        n: b.n,
        p: b.p,
        col_names: b.col_names,
        terms: b.terms,
        intercept: f.intercept,
        offset: b.offset,
        weights: b.weights,
        lines: b.lines,
        n_read: frame.nrows,
        n_dropped: b.n_dropped,
        missing: b.missing,
        spec: DesignSpec {
            formula: f,
            levels: b.levels,
        },
    })
}

impl DesignSpec {
    /// Builds X (and the offset) of the fitted model for new data: the same columns, the factor
    /// levels of the fitting data (a level the fit did not see is an error). The response and
    /// weights are not needed; rows missing a predictor or offset value are dropped and counted.
    pub fn design_for(&self, frame: &Frame) -> Result<NewDesign> {
        let b = build(&self.formula, frame, None, Some(&self.levels))?;
        Ok(NewDesign {
            x: b.x,
            n: b.n,
            p: b.p,
            col_names: b.col_names,
            terms: b.terms,
            offset: b.offset,
            lines: b.lines,
            n_read: frame.nrows,
            n_dropped: b.n_dropped,
            missing: b.missing,
        })
    }
}

/// What [`build`] computes.
struct Built {
    response: Option<(Vec<f64>, Option<Vec<f64>>)>,
    x: Vec<f64>,
    n: usize,
    p: usize,
    col_names: Vec<String>,
    terms: Vec<Term>,
    offset: Option<Vec<f64>>,
    weights: Option<Vec<f64>>,
    lines: Vec<usize>,
    n_dropped: usize,
    missing: Vec<(String, usize)>,
    levels: Vec<(String, Vec<String>)>,
    /// The bases (by variable index) with what they learned from the fitting data.
    learned: Vec<(usize, Basis)>,
}

/// How a variable reads the frame.
enum Source<'f> {
    /// A bare numeric column.
    Column(&'f str),
    Expr(&'f Expr),
    FactorText {
        column: &'f str,
        values: &'f [Option<String>],
        reference: Option<&'f str>,
    },
    FactorNum {
        column: &'f str,
        values: &'f [f64],
        reference: Option<&'f str>,
    },
    /// A comparison: a factor with the levels FALSE and TRUE.
    Logical(&'f Expr),
    Basis(&'f Basis),
}

/// A variable's values on the rows used.
enum Value {
    /// A gathered numeric column (by name).
    Column(String),
    Num(Vec<f64>),
    Factor(Coded),
    /// A basis's columns and their name suffixes.
    Matrix(Vec<Vec<f64>>, Vec<String>),
}

/// The used columns of the frame, with missing-value bookkeeping.
/// Longest text a factor level may have (characters).
pub const MAX_LEVEL_CHARS: usize = 1000;

struct Used<'f> {
    frame: &'f Frame,
    numeric: Vec<(&'f str, &'f [f64])>,
    text: Vec<(&'f str, &'f [Option<String>])>,
}

impl<'f> Used<'f> {
    fn numeric(&mut self, name: &'f str) -> Result<&'f [f64]> {
        let v = self.frame.numeric(name)?;
        if !self.numeric.iter().any(|(n, _)| *n == name) {
            self.numeric.push((name, v));
        }
        Ok(v)
    }

    /// A text column used as a factor; a cell longer than [`MAX_LEVEL_CHARS`] is refused (its
    /// level name would be repeated in every coefficient's name and table: a fuzzed 20 MB cell
    /// printed 300 MB).
    fn text(&mut self, name: &'f str, v: &'f [Option<String>]) -> Result<()> {
        if let Some(i) = v
            .iter()
            .position(|c| c.as_ref().is_some_and(|c| c.chars().count() > MAX_LEVEL_CHARS))
        {
            return Err(input(
                &self.frame.source,
                Some(self.frame.line_of(i)),
                format!(
                    "column '{}': a level of {} characters ('{}'); a factor's levels are names, at most {MAX_LEVEL_CHARS} characters",
                    clip(name),
                    v[i].as_deref().map_or(0, |c| c.chars().count()),
                    clip(v[i].as_deref().unwrap_or(""))
                ),
            ));
        }
        if !self.text.iter().any(|(n, _)| *n == name) {
            self.text.push((name, v));
        }
        Ok(())
    }

    fn expr(&mut self, e: &'f Expr) -> Result<()> {
        for c in e.columns() {
            self.numeric(c)?;
        }
        Ok(())
    }
}

/// Bad data in `src`, at a line when given.
fn input(src: &str, line: Option<usize>, msg: String) -> GlmError {
    let at = Location::file(src);
    GlmError::input(if let Some(l) = line { at.line(l) } else { at }, msg)
}

/// Levels of the fitting data's factors, by label (for new data).
type Known<'k> = Option<&'k [(String, Vec<String>)]>;

/// Evaluates the formula on `frame`. With `known` levels (new data) the response and weights
/// are skipped and factors use the known levels.
fn build(f: &Formula, frame: &Frame, weights: Option<&str>, known: Known) -> Result<Built> {
    let src = &frame.source;
    let mut used = Used {
        frame,
        numeric: Vec::new(),
        text: Vec::new(),
    };
    // 1. Which columns each part reads (unknown and non-numeric columns fail here).
    let sources = read_sources(f, &mut used, known)?;
    let weights = match (weights, known) {
        (Some(w), None) => {
            used.numeric(w)?;
            Some(w)
        }
        _ => None,
    };
    // 2. Rows with a missing value in a used column are dropped.
    let kept = keep_complete_rows(frame, &used)?;
    // 3. Numeric columns on the rows used; infinite values are refused.
    let cols = gather_numeric(&used, &kept, src)?;
    let ev = Eval {
        cols: &cols,
        n: kept.n,
        lines: &kept.lines,
        src,
    };
    // 4. Response, offsets, weights.
    let response = if known.is_some() { None } else { Some(response(f, &ev)?) };
    let offset = offsets(f, &ev)?;
    let weights = match weights {
        None => None,
        Some(name) => Some(checked_weights(name, &ev)?),
    };
    // 5. Variables on the rows used.
    let (values, levels, learned) = variables(f, &sources, known, &ev, kept.rows.as_deref())?;
    // 6. X, term by term.
    let vals: Vec<VarValues> = values
        .iter()
        .map(|v| match v {
            Value::Column(c) => VarValues::Num(&cols[c.as_str()]),
            Value::Num(v) => VarValues::Num(v),
            Value::Factor(c) => VarValues::Factor(c),
            Value::Matrix(cols, names) => VarValues::Matrix(cols, names),
        })
        .collect();
    let Design { x, p, col_names, terms } = design_matrix(f, &vals, kept.n, src)?;
    Ok(Built {
        response,
        x,
        n: kept.n,
        p,
        col_names,
        terms,
        offset,
        weights,
        lines: kept.lines,
        n_dropped: kept.n_dropped,
        missing: kept.missing,
        levels,
        learned,
    })
}

/// How each variable of the formula reads the frame; records every column the response,
/// variables and offsets use in `used`.
fn read_sources<'f>(f: &'f Formula, used: &mut Used<'f>, known: Known) -> Result<Vec<Source<'f>>> {
    let frame = used.frame;
    if known.is_none() {
        match &f.response {
            Response::Single(e) => used.expr(e)?,
            Response::EventsTrials { events: a, trials: b }
            | Response::Cbind {
                successes: a,
                failures: b,
            } => {
                used.expr(a)?;
                used.expr(b)?;
            }
        }
    }
    let mut sources = Vec::with_capacity(f.vars.len());
    for v in &f.vars {
        let s = match &v.kind {
            VarKind::Column(c) => {
                let is_known_factor = known.map(|k| k.iter().any(|(l, _)| *l == v.label));
                column_source(c, frame, used, is_known_factor)?
            }
            VarKind::Numeric(e) => {
                used.expr(e)?;
                Source::Expr(e)
            }
            VarKind::Logical(e) => {
                used.expr(e)?;
                Source::Logical(e)
            }
            VarKind::Basis(b) => {
                if known.is_some() && b.needs_data() {
                    return Err(input(
                        &frame.source,
                        None,
                        format!(
                            "{} depends on the fitting data (its knots, coefficients or centre), which this design for other data does not have; fit the model on the whole data first (a fit in parts, as --stream or dask, cannot use it)",
                            clip(&v.label)
                        ),
                    ));
                }
                used.expr(&b.arg)?;
                Source::Basis(b)
            }
            VarKind::Factor { column, reference, .. } => {
                let reference = reference.as_deref();
                match &frame.column(column)?.data {
                    ColumnData::Num(values) => {
                        used.numeric(column)?;
                        Source::FactorNum {
                            column,
                            values,
                            reference,
                        }
                    }
                    ColumnData::Text { values, .. } => {
                        used.text(column, values)?;
                        Source::FactorText {
                            column,
                            values,
                            reference,
                        }
                    }
                }
            }
        };
        sources.push(s);
    }
    for e in &f.offsets {
        used.expr(e)?;
    }
    Ok(sources)
}

/// A bare column: a covariate when numeric, a factor when text (or when the fit coded it as one:
/// `is_known_factor` is `Some(true)` for new data).
fn column_source<'f>(
    c: &'f str,
    frame: &'f Frame,
    used: &mut Used<'f>,
    is_known_factor: Option<bool>,
) -> Result<Source<'f>> {
    let col = frame.column(c)?;
    Ok(match (&col.data, is_known_factor) {
        (ColumnData::Num(values), Some(true)) => {
            used.numeric(c)?;
            Source::FactorNum {
                column: c,
                values,
                reference: None,
            }
        }
        (
            ColumnData::Text {
                values,
                first_non_numeric,
            },
            None | Some(true),
        ) => {
            if is_known_factor.is_none() {
                reject_mostly_numeric(frame, c, values, first_non_numeric.as_ref())?;
            }
            used.text(c, values)?;
            Source::FactorText {
                column: c,
                values,
                reference: None,
            }
        }
        _ => {
            used.numeric(c)?;
            Source::Column(c)
        }
    })
}

/// The rows kept: those with no missing value in a used column.
struct KeptRows<'f> {
    /// Indices of the kept rows; `None` when all are kept.
    rows: Option<Vec<usize>>,
    n: usize,
    n_dropped: usize,
    /// File line of each kept row.
    lines: Vec<usize>,
    /// Rows missing per column, in the frame's column order.
    missing: Vec<(String, usize)>,
    /// Numeric columns with a NaN or an infinite value (the others need no check).
    not_finite: Vec<&'f str>,
}

fn keep_complete_rows<'f>(frame: &Frame, used: &Used<'f>) -> Result<KeptRows<'f>> {
    let src = &frame.source;
    let nrows = frame.nrows;
    if nrows == 0 {
        return Err(input(src, None, "the data have no rows".into()));
    }
    let mut keep = vec![true; nrows];
    let mut missing = Vec::new();
    let mut mark = |name: &str, is_missing: &dyn Fn(usize) -> bool| {
        let mut m = 0;
        for (i, k) in keep.iter_mut().enumerate() {
            if is_missing(i) {
                *k = false;
                m += 1;
            }
        }
        if m > 0 {
            missing.push((name.to_string(), m));
        }
    };
    // the common all-finite column is scanned once
    let mut not_finite: Vec<&str> = Vec::new();
    for (name, v) in &used.numeric {
        if all_finite(v) {
            continue;
        }
        not_finite.push(name);
        mark(name, &|i| v[i].is_nan());
    }
    for (name, v) in &used.text {
        mark(name, &|i| v[i].is_none());
    }
    let names = frame.names();
    missing.sort_by_key(|(c, _)| names.iter().position(|n| n == c));
    let rows: Option<Vec<usize>> = if missing.is_empty() {
        None
    } else {
        Some((0..nrows).filter(|&i| keep[i]).collect())
    };
    let n = rows.as_ref().map_or(nrows, Vec::len);
    if n == 0 {
        let cols: Vec<String> = missing.iter().map(|(c, m)| format!("{c}: {m}")).collect();
        return Err(GlmError::Singular(format!(
            "{src}: no rows left: each of the {nrows} rows misses a value the model uses (rows missing per column: {})",
            cols.join(", ")
        )));
    }
    let lines: Vec<usize> = match &rows {
        Some(r) => r.iter().map(|&i| frame.line_of(i)).collect(),
        None => (0..n).map(|i| frame.line_of(i)).collect(),
    };
    Ok(KeptRows {
        rows,
        n,
        n_dropped: nrows - n,
        lines,
        missing,
        not_finite,
    })
}

/// The used numeric columns on the kept rows (borrowed when all rows are kept); an infinite
/// value is an error naming its line.
fn gather_numeric<'f>(used: &Used<'f>, kept: &KeptRows, src: &str) -> Result<HashMap<&'f str, Cow<'f, [f64]>>> {
    let mut cols: HashMap<&str, Cow<[f64]>> = HashMap::with_capacity(used.numeric.len());
    for &(name, v) in &used.numeric {
        let g: Cow<[f64]> = match &kept.rows {
            None => Cow::Borrowed(v),
            Some(r) => Cow::Owned(r.iter().map(|&i| v[i]).collect()),
        };
        if kept.not_finite.contains(&name) {
            if let Some(i) = g.iter().position(|x| x.is_infinite()) {
                return Err(input(
                    src,
                    Some(kept.lines[i]),
                    format!("column '{}' holds an infinite value", clip(name)),
                ));
            }
        }
        cols.insert(name, g);
    }
    Ok(cols)
}

/// Evaluates expressions on the kept rows, with errors located at the file line.
struct Eval<'a> {
    cols: &'a HashMap<&'a str, Cow<'a, [f64]>>,
    n: usize,
    lines: &'a [usize],
    src: &'a str,
}

impl Eval<'_> {
    /// The values of `e` on the kept rows; `whole` names the formula part in errors.
    fn eval(&self, e: &Expr, whole: &str) -> Result<Vec<f64>> {
        let get = |c: &str| -> &[f64] { self.cols.get(c).map_or(&[][..], |v| &v[..]) };
        e.eval(self.n, &get).map_err(|EvalError { row, what }| {
            let ctx = if what.starts_with(&format!("{} ", clip(whole))) {
                String::new()
            } else {
                format!(", in {}", clip(whole))
            };
            input(self.src, Some(self.lines[row]), format!("{what}{ctx}"))
        })
    }
}

/// The response y (a proportion for events/trials) and the trials.
fn response(f: &Formula, ev: &Eval) -> Result<(Vec<f64>, Option<Vec<f64>>)> {
    let label = &f.response_label;
    Ok(match &f.response {
        Response::Single(e) => (ev.eval(e, label)?, None),
        Response::EventsTrials { events, trials } => {
            let e = ev.eval(events, label)?;
            let t = ev.eval(trials, label)?;
            (proportions(&e, &t, label, ev.src, ev.lines)?, Some(t))
        }
        Response::Cbind { successes, failures } => {
            let s = ev.eval(successes, label)?;
            let fl = ev.eval(failures, label)?;
            let t: Vec<f64> = s.iter().zip(&fl).map(|(a, b)| a + b).collect();
            (proportions(&s, &t, label, ev.src, ev.lines)?, Some(t))
        }
    })
}

/// The sum of the `offset(...)` terms, if any.
fn offsets(f: &Formula, ev: &Eval) -> Result<Option<Vec<f64>>> {
    let mut offset: Option<Vec<f64>> = None;
    for e in &f.offsets {
        let v = ev.eval(e, &format!("offset({})", e.label()))?;
        offset = Some(match offset {
            None => v,
            Some(mut o) => {
                o.iter_mut().zip(&v).for_each(|(a, b)| *a += b);
                o
            }
        });
    }
    Ok(offset)
}

/// The weights column on the kept rows; a negative weight is an error naming its line.
fn checked_weights(name: &str, ev: &Eval) -> Result<Vec<f64>> {
    let w = ev.cols.get(name).map_or_else(Vec::new, |v| v.to_vec());
    if let Some(i) = w.iter().position(|&x| x < 0.0) {
        return Err(input(
            ev.src,
            Some(ev.lines[i]),
            format!(
                "the weight in column '{}' is negative ({}); weights must be ≥ 0",
                clip(name),
                w[i]
            ),
        ));
    }
    // far beyond any count or precision: the weighted sums of squares leave double precision
    // (a fuzzed 1e308 failed as 'fitted means left the range', naming neither cell nor column)
    if let Some(i) = w.iter().position(|&x| x > MAX_WEIGHT) {
        return Err(input(
            ev.src,
            Some(ev.lines[i]),
            format!(
                "the weight in column '{}' is {}; weights above {MAX_WEIGHT:e} make the fit's weighted sums overflow: rescale the weights",
                clip(name),
                dimorph_core::text::num(w[i])
            ),
        ));
    }
    if !w.is_empty() && w.iter().all(|&x| x == 0.0) {
        return Err(input(
            ev.src,
            None,
            format!(
                "every weight in column '{}' is 0 on the {} rows used: no row enters the fit",
                clip(name),
                w.len()
            ),
        ));
    }
    Ok(w)
}

/// Largest weight (prior or frequency) a fit accepts.
pub const MAX_WEIGHT: f64 = 1e100;

/// The variables' values on the kept rows, the levels of each factor by label, and the bases
/// with what they learned.
#[allow(clippy::type_complexity)]
fn variables(
    f: &Formula,
    sources: &[Source],
    known: Known,
    ev: &Eval,
    rows: Option<&[usize]>,
) -> Result<(Vec<Value>, Vec<(String, Vec<String>)>, Vec<(usize, Basis)>)> {
    let (src, n) = (ev.src, ev.n);
    let mut values = Vec::with_capacity(sources.len());
    let mut levels = Vec::new();
    let mut learned = Vec::new();
    for (k, (v, s)) in f.vars.iter().zip(sources).enumerate() {
        let val = match s {
            Source::Column(c) => Value::Column(c.to_string()),
            Source::Expr(e) => Value::Num(ev.eval(e, &v.label)?),
            Source::Logical(e) => {
                let x = ev.eval(e, &v.label)?;
                Value::Factor(Coded {
                    levels: vec!["FALSE".into(), "TRUE".into()],
                    codes: x.iter().map(|&b| u32::from(b != 0.0)).collect(),
                })
            }
            Source::Basis(b) => {
                let x = ev.eval(&b.arg, &v.label)?;
                let e = b
                    .evaluate(&x)
                    .map_err(|m| input(src, None, format!("{}: {m}", clip(&v.label))))?;
                learned.push((k, e.learned));
                Value::Matrix(e.cols, e.names)
            }
            Source::FactorText {
                column,
                values,
                reference,
            } => Value::Factor(match known {
                Some(k) => recode(&v.label, column, k, rows, ev, |i| {
                    values[i].as_deref().unwrap_or("").to_string()
                })?,
                None => fitted_factor(code_text(values, rows), &v.label, column, *reference, false, src, n)?,
            }),
            Source::FactorNum {
                column,
                values,
                reference,
            } => Value::Factor(match known {
                Some(k) => recode(&v.label, column, k, rows, ev, |i| {
                    crate::expr::r_number(values[i] + 0.0)
                })?,
                None => fitted_factor(code_numeric(values, rows), &v.label, column, *reference, true, src, n)?,
            }),
        };
        if let Value::Factor(c) = &val {
            levels.push((v.label.clone(), c.levels.clone()));
        }
        values.push(val);
    }
    Ok((values, levels, learned))
}

/// Whether every value is finite (one branch-free pass per block, so that it vectorises).
fn all_finite(v: &[f64]) -> bool {
    v.chunks(256).all(|c| c.iter().fold(true, |a, x| a & x.is_finite()))
}

/// events/trials with R's convention that 0 of 0 trials is the proportion 0.
fn proportions(ev: &[f64], tr: &[f64], label: &str, src: &str, lines: &[usize]) -> Result<Vec<f64>> {
    ev.iter()
        .zip(tr)
        .enumerate()
        .map(|(i, (&e, &t))| {
            if t != 0.0 {
                Ok(e / t)
            } else if e == 0.0 {
                Ok(0.0)
            } else {
                Err(input(
                    src,
                    Some(lines[i]),
                    format!("{} has {} events but 0 trials", clip(label), crate::expr::r_number(e)),
                ))
            }
        })
        .collect()
}

/// A factor of the fitting data: its reference level moved first, at least two levels.
fn fitted_factor(
    mut c: Coded,
    label: &str,
    column: &str,
    reference: Option<&str>,
    numeric: bool,
    src: &str,
    n: usize,
) -> Result<Coded> {
    if let Some(r) = reference {
        let want = match (numeric, r.trim().parse::<f64>()) {
            (true, Ok(v)) => crate::expr::r_number(v + 0.0),
            _ => r.to_string(),
        };
        match c.levels.iter().position(|l| *l == want) {
            Some(k) => relevel(&mut c, k),
            None => {
                return Err(input(
                    src,
                    None,
                    format!(
                        "{}: column '{}' has no level '{}' in the rows used (its levels are: {})",
                        clip(label),
                        clip(column),
                        clip(r),
                        clip_list(&c.levels)
                    ),
                ))
            }
        }
    }
    if c.levels.len() < 2 {
        return Err(input(
            src,
            None,
            format!(
                "the factor {} (column '{}') has only one level ('{}') in the {n} rows used; a factor needs at least two levels",
                clip(label),
                clip(column),
                clip(c.levels.first().map_or("", String::as_str))
            ),
        ));
    }
    Ok(c)
}

/// A factor of new data, coded with the levels of the fit.
fn recode(
    label: &str,
    column: &str,
    known: &[(String, Vec<String>)],
    rows: Option<&[usize]>,
    ev: &Eval,
    value: impl Fn(usize) -> String,
) -> Result<Coded> {
    let n = ev.n;
    let levels = known
        .iter()
        .find(|(l, _)| l == label)
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let index: HashMap<&str, u32> = levels.iter().enumerate().map(|(k, l)| (l.as_str(), k as u32)).collect();
    let mut codes = Vec::with_capacity(n);
    for j in 0..n {
        let i = rows.map_or(j, |r| r[j]);
        let v = value(i);
        match index.get(v.as_str()) {
            Some(&k) => codes.push(k),
            None => {
                return Err(input(
                    ev.src,
                    Some(ev.lines[j]),
                    format!(
                        "column '{}' holds the level '{}', which the fitted data did not have (levels of {}: {})",
                        clip(column),
                        clip(&v),
                        clip(label),
                        clip_list(&levels)
                    ),
                ))
            }
        }
    }
    Ok(Coded { levels, codes })
}

#[cfg(test)]
#[path = "design_tests.rs"]
mod tests;

/// A bare text column becomes a factor (as in R), but a column whose cells are numbers except
/// for a few is almost surely a typing error, which would otherwise turn a covariate silently into
/// a factor with one level per value: refuse it, naming the first offending cell. `C(col)` states
/// that a factor is meant and skips this check.
fn reject_mostly_numeric(
    frame: &Frame,
    column: &str,
    values: &[Option<String>],
    first_bad: Option<&(usize, String)>,
) -> Result<()> {
    let present: Vec<&str> = values.iter().flatten().map(String::as_str).collect();
    let numeric = present.iter().filter(|v| v.trim().parse::<f64>().is_ok()).count();
    let other = present.len() - numeric;
    // one stray cell among a few numbers is as much a typo as 10 % of many (R would make the
    // column a factor without a word; C(column) says so on purpose)
    if numeric >= 2 && other <= (present.len() / 10).max(1) {
        let (line, value) = first_bad.cloned().unwrap_or_default();
        return Err(input(
            &frame.source,
            None,
            format!(
                "column '{}' must be numeric, but line {line} holds '{}' ({other} of {} cells are not numbers); \
                 correct or blank the cell, or write C({}) to use the column as a factor",
                clip(column),
                clip(&value),
                present.len(),
                clip(column)
            ),
        ));
    }
    Ok(())
}
