//! A GLM fitted to data split into parts that live apart (the partitions of a Dask DataFrame on
//! several machines), touching each part only through sums.
//!
//! Fisher scoring (the notes' §4.1, `shared/papers/002_b1b1ec6641121771.txt`; McCullagh and Nelder
//! 1989, §2.5) needs from the data, per iteration, only XᵀWX, XᵀWz and the deviance at the current
//! β — sums over rows. So each part computes its own sums ([`fisher_sums`]) and the driver adds
//! them and runs the single-machine fit's own loop, [`crate::irls::irls_with`] (one loop for both:
//! the start from the family's `initialize`, step-halving, the anchor, the stopping rule
//! |D − D_old| / (|D| + 0.1) < ε, the Newton–Raphson polish of non-canonical links with the observed
//! information ([`newton_sums`]) and the refinement of ill-conditioned designs). The figures after the fit (Pearson χ²,
//! the null model, the log-likelihood) are sums too ([`stat_sums`]). Only the order of the
//! additions differs from the single-machine fit, so the results agree to rounding (about 1e-12
//! relative; the test below checks 1e-10).
//!
//! Every part must build the same columns of X. A first pass ([`part_levels`]) lists each factor's
//! values on the part's complete rows; [`merge_levels`] joins them into one [`DesignSpec`] (levels
//! in R's order, the reference first) with which every part codes its rows ([`design_part`]), so a
//! level that appears in only some parts still has its column everywhere.
//!
//! The driver reaches the parts through [`Passes`] (in the Python package: one Dask task per part
//! and iteration); [`fit`] runs the iterations and returns a [`DistFit`].
//!
//! Not computed here (the single-machine fit has them): θ of the negative binomial estimated by
//! maximum likelihood (a fixed θ works), frequency weights, profile-likelihood intervals, Type 3
//! tests, PROC LOGISTIC's association table and the residuals.

use std::collections::HashSet;

use dimorph_core::Location;
use dimorph_data::{ColumnData, Frame};
use serde::Serialize;

use crate::design::{model_frame, DesignSpec, Term};
use crate::error::{clip, clip_list, GlmError, Result};
use crate::factor::compare_levels;
use crate::family::Family;
use crate::formula::{Formula, Response, VarKind};
use crate::irls::{self, Control, Pass, Problem};
use crate::linalg::{sub_matrix, Cholesky};
use crate::link::Link;
use crate::options::{Dispersion, GlmOptions};

// ---------------------------------------------------------------------------------------------
// The first pass: factor levels
// ---------------------------------------------------------------------------------------------

/// What one part says about a variable of the formula, on its complete rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum PartVar {
    /// A numeric covariate (a numeric column or an expression).
    Covariate,
    /// A factor of a text column: its distinct values.
    Text(Vec<String>),
    /// A factor of a numeric column (`C(col)`): its distinct values.
    Numeric(Vec<f64>),
}

/// The first pass over one part: its complete rows and, per variable (by label), its kind and
/// values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartLevels {
    pub rows: usize,
    pub complete: usize,
    pub vars: Vec<(String, PartVar)>,
}

fn parse(formula: &str, columns: &[&str], weights: Option<&str>) -> Result<Formula> {
    Formula::parse_for_columns(formula, columns, &weights.into_iter().collect::<Vec<_>>())
}

/// The columns the model reads: response, variables, offsets and the weights (each once, in
/// that order).
pub fn used_columns<'f>(f: &'f Formula, weights: Option<&'f str>) -> Vec<&'f str> {
    let mut out: Vec<&str> = Vec::new();
    match &f.response {
        Response::Single(e) => out.extend(e.columns()),
        Response::EventsTrials { events: a, trials: b }
        | Response::Cbind {
            successes: a,
            failures: b,
        } => {
            out.extend(a.columns());
            out.extend(b.columns());
        }
    }
    for v in &f.vars {
        match &v.kind {
            VarKind::Column(c) | VarKind::Factor { column: c, .. } => out.push(c),
            VarKind::Numeric(e) | VarKind::Logical(e) => out.extend(e.columns()),
            VarKind::Basis(b) => out.extend(b.arg.columns()),
        }
    }
    for e in &f.offsets {
        out.extend(e.columns());
    }
    out.extend(weights);
    let mut seen = HashSet::new();
    out.retain(|c| seen.insert(*c));
    out
}

/// Which rows have a value in every used column (R's `na.omit`, as the model frame drops rows).
fn complete_rows(f: &Formula, frame: &Frame, weights: Option<&str>) -> Result<Vec<bool>> {
    let mut keep = vec![true; frame.nrows];
    for name in used_columns(f, weights) {
        match &frame.column(name)?.data {
            ColumnData::Num(v) => keep.iter_mut().zip(v).for_each(|(k, x)| *k &= !x.is_nan()),
            ColumnData::Text { values, .. } => keep.iter_mut().zip(values).for_each(|(k, x)| *k &= x.is_some()),
        }
    }
    Ok(keep)
}

/// The first pass over one part: the kind of each variable and each factor's distinct values on
/// the complete rows.
pub fn part_levels(formula: &str, frame: &Frame, weights: Option<&str>) -> Result<PartLevels> {
    let f = parse(formula, &frame.names(), weights)?;
    let keep = complete_rows(&f, frame, weights)?;
    let rows: Vec<usize> = (0..frame.nrows).filter(|&i| keep[i]).collect();
    let mut vars = Vec::with_capacity(f.vars.len());
    for v in &f.vars {
        let (column, factor) = match &v.kind {
            VarKind::Column(c) => (c, false),
            VarKind::Factor { column, .. } => (column, true),
            VarKind::Numeric(_) | VarKind::Logical(_) | VarKind::Basis(_) => {
                vars.push((v.label.clone(), PartVar::Covariate));
                continue;
            }
        };
        let kind = match &frame.column(column)?.data {
            ColumnData::Text { values, .. } => {
                let mut seen = HashSet::new();
                let distinct = rows
                    .iter()
                    .filter_map(|&i| values[i].as_deref())
                    .filter(|s| seen.insert(*s))
                    .map(str::to_string)
                    .collect();
                PartVar::Text(distinct)
            }
            ColumnData::Num(values) if factor => {
                let mut d: Vec<f64> = rows.iter().map(|&i| values[i] + 0.0).collect();
                d.sort_by(f64::total_cmp);
                d.dedup();
                PartVar::Numeric(d)
            }
            ColumnData::Num(_) => PartVar::Covariate,
        };
        vars.push((v.label.clone(), kind));
    }
    Ok(PartLevels {
        rows: frame.nrows,
        complete: rows.len(),
        vars,
    })
}

/// Joins the parts' levels into the design every part uses: each factor's levels in R's order
/// (text as R sorts strings, numbers numerically), the reference first. `columns` are the
/// data's column names (for `.` in the formula), `source` names the data in messages.
pub fn merge_levels(
    formula: &str,
    columns: &[&str],
    weights: Option<&str>,
    parts: &[PartLevels],
    source: &str,
) -> Result<DesignSpec> {
    let f = parse(formula, columns, weights)?;
    let at = || Location::file(source);
    let parts: Vec<&PartLevels> = parts.iter().filter(|p| p.complete > 0).collect();
    if parts.is_empty() {
        let rows: usize = parts.iter().map(|p| p.rows).sum();
        return Err(GlmError::Singular(format!(
            "{source}: no rows left: each of the {rows} rows misses a value the model uses"
        )));
    }
    let mut levels = Vec::new();
    for (k, v) in f.vars.iter().enumerate() {
        let kinds: Vec<&PartVar> = parts
            .iter()
            .filter_map(|p| p.vars.get(k).map(|(_, kind)| kind))
            .collect();
        let (column, reference) = match &v.kind {
            VarKind::Column(c) => (c.as_str(), None),
            VarKind::Factor { column, reference, .. } => (column.as_str(), reference.as_deref()),
            VarKind::Basis(b) if b.needs_data() => {
                return Err(GlmError::input(
                    at(),
                    format!(
                        "{} depends on the whole data (its knots, coefficients or centre) and cannot be fitted in parts; give its knots (ns/bs: knots = c(…), Boundary.knots = c(…)), use poly(…, raw = TRUE), or fit in memory",
                        clip(&v.label)
                    ),
                ))
            }
            VarKind::Numeric(_) | VarKind::Logical(_) | VarKind::Basis(_) => continue,
        };
        let text = kinds.iter().filter(|k| matches!(k, PartVar::Text(_))).count();
        if text > 0 && text < kinds.len() {
            return Err(GlmError::input(
                at(),
                format!(
                    "column '{}' is text in {text} partitions and numeric in {} others; give it one type in every partition (e.g. astype(str) or astype(float)) before fitting",
                    clip(column),
                    kinds.len() - text
                ),
            ));
        }
        let mut lv: Vec<String> = if text > 0 {
            let mut seen = HashSet::new();
            let mut all: Vec<String> = Vec::new();
            for kind in &kinds {
                if let PartVar::Text(vs) = kind {
                    all.extend(vs.iter().filter(|s| seen.insert(s.as_str())).cloned());
                }
            }
            all.sort_by(|a, b| compare_levels(a, b));
            all
        } else if matches!(v.kind, VarKind::Factor { .. }) {
            let mut all: Vec<f64> = kinds
                .iter()
                .flat_map(|k| match k {
                    PartVar::Numeric(vs) => vs.clone(),
                    _ => Vec::new(),
                })
                .collect();
            all.sort_by(f64::total_cmp);
            all.dedup();
            all.into_iter().map(crate::expr::r_number).collect()
        } else {
            continue; // a numeric covariate
        };
        if let Some(r) = reference {
            let want = match (text == 0, r.trim().parse::<f64>()) {
                (true, Ok(x)) => crate::expr::r_number(x + 0.0),
                _ => r.to_string(),
            };
            let Some(pos) = lv.iter().position(|l| *l == want) else {
                return Err(GlmError::input(
                    at(),
                    format!(
                        "{}: column '{}' has no level '{}' in the rows used (its levels are: {})",
                        clip(&v.label),
                        clip(column),
                        clip(r),
                        clip_list(&lv)
                    ),
                ));
            };
            let l = lv.remove(pos);
            lv.insert(0, l);
        }
        if lv.len() < 2 {
            return Err(GlmError::input(
                at(),
                format!(
                    "the factor {} (column '{}') has only one level ('{}') in the rows used; a factor needs at least two levels",
                    clip(&v.label),
                    clip(column),
                    clip(lv.first().map_or("", String::as_str))
                ),
            ));
        }
        levels.push((v.label.clone(), lv));
    }
    Ok(DesignSpec { formula: f, levels })
}

// ---------------------------------------------------------------------------------------------
// One part's rows
// ---------------------------------------------------------------------------------------------

/// One part's complete rows as the fit uses them: X with the columns of the [`DesignSpec`], the
/// response, the prior weights (trials folded in, R's convention), the trials and the offset.
#[derive(Debug, Clone, Default)]
pub struct Part {
    /// Row-major n × p.
    pub x: Vec<f64>,
    pub n: usize,
    pub p: usize,
    pub y: Vec<f64>,
    pub prior: Vec<f64>,
    pub trials: Vec<f64>,
    pub offset: Option<Vec<f64>>,
    /// Rows of the part before rows with a missing value were dropped.
    pub n_read: usize,
    /// The columns of X (empty for an empty part).
    pub col_names: Vec<String>,
    /// The model's terms and their columns of X (empty for an empty part): what a Type 3 test
    /// leaves out in turn.
    pub terms: Vec<Term>,
}

impl Part {
    fn problem(&self, family: Family, link: Link) -> Problem<'_> {
        Problem {
            x: &self.x,
            n: self.n,
            p: self.p,
            y: &self.y,
            w: &self.prior,
            offset: self.offset.as_deref(),
            family,
            link,
        }
    }
}

/// The rows of `frame` coded with `spec` (the same columns in every part), their response and
/// weights checked against `family` as the single-machine fit checks them. A part without a
/// complete row gives an empty part (n = 0).
pub fn design_part(spec: &DesignSpec, frame: &Frame, weights: Option<&str>, family: Family) -> Result<Part> {
    let empty = Part {
        n_read: frame.nrows,
        ..Part::default()
    };
    if frame.nrows == 0 || !complete_rows(&spec.formula, frame, weights)?.contains(&true) {
        return Ok(empty);
    }
    let nd = spec.design_for(frame)?;
    // the response and weights, through the model frame of `response ~ 1`
    let resp = model_frame(&format!("{} ~ 1", spec.formula.response_label), frame, weights)?;
    let mut part = empty;
    part.p = nd.p;
    let cap = nd.n.min(resp.n);
    let (mut y, mut prior, mut trials) = (
        Vec::with_capacity(cap),
        Vec::with_capacity(cap),
        Vec::with_capacity(cap),
    );
    // the rows of X (in `nd`) that have a response: all of them unless a row misses only y or w
    let mut rows = Vec::with_capacity(cap);
    let (mut i, mut j) = (0, 0);
    while i < nd.n && j < resp.n {
        match nd.lines[i].cmp(&resp.lines[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                let at = || Location::file(frame.source.clone()).line(resp.lines[j]);
                let w = resp.weights.as_ref().map_or(1.0, |w| w[j]);
                if !w.is_finite() || w < 0.0 {
                    let msg = format!(
                        "weights must be non-negative and finite, got {}",
                        dimorph_core::text::num(w)
                    );
                    return Err(GlmError::input(at(), msg));
                }
                let yj = resp.y[j];
                let t = match &resp.trials {
                    Some(tr) => check_trials(tr[j], yj, &resp.response_name).map_err(|m| GlmError::input(at(), m))?,
                    None => {
                        family
                            .check_y(yj)
                            .map_err(|m| GlmError::input(at(), format!("{m} ({})", clip(&resp.response_name))))?;
                        1.0
                    }
                };
                y.push(yj);
                prior.push(w * t);
                trials.push(t);
                rows.push(i);
                i += 1;
                j += 1;
            }
        }
    }
    part.n = rows.len();
    (part.y, part.prior, part.trials) = (y, prior, trials);
    if part.n == nd.n {
        // every coded row is used: X and the offset as coded, without a copy
        part.x = nd.x;
        part.offset = nd.offset.filter(|_| part.n > 0);
    } else {
        part.x = Vec::with_capacity(part.n * nd.p);
        for &i in &rows {
            part.x.extend_from_slice(&nd.x[i * nd.p..(i + 1) * nd.p]);
        }
        part.offset = nd
            .offset
            .filter(|_| part.n > 0)
            .map(|o| rows.iter().map(|&i| o[i]).collect());
    }
    part.col_names = nd.col_names;
    part.terms = nd.terms;
    Ok(part)
}

/// The trials of an events/trials row, checked as the single-machine fit checks them.
fn check_trials(t: f64, y: f64, response: &str) -> std::result::Result<f64, String> {
    let num = dimorph_core::text::num;
    if t.is_nan() || t < 0.0 {
        return Err(format!("the number of trials must be non-negative, got {}", num(t)));
    }
    if t > 9_007_199_254_740_992.0 {
        return Err(format!("{} has {} trials, more than 2^53", clip(response), num(t)));
    }
    if t > 0.0 && !(0.0..=1.0).contains(&y) {
        return Err(format!(
            "{} has {} events, outside the {} trials (need 0 ≤ y ≤ n)",
            clip(response),
            num(y * t),
            num(t)
        ));
    }
    Ok(t)
}

// ---------------------------------------------------------------------------------------------
// The sums of one part
// ---------------------------------------------------------------------------------------------

/// XᵀWX (full p × p), XᵀWz and the deviance of one part at β, or at the family's starting μ
/// (`beta = None`), as one thread of [`crate::irls`] computes them. An empty part gives empty
/// sums ([`add_pass`] skips them).
pub fn fisher_sums(part: &Part, beta: Option<&[f64]>, family: Family, link: Link) -> Pass {
    if part.n == 0 {
        return Pass {
            xtwx: Vec::new(),
            xtwz: Vec::new(),
            deviance: 0.0,
            valid: true,
        };
    }
    let pb = part.problem(family, link);
    match beta {
        Some(b) => irls::pass_at(&pb, b, 1),
        None => irls::pass_start(&pb, 1),
    }
}

/// Adds a part's sums to `acc` (an empty part adds nothing; an empty `acc` takes the part's).
pub fn add_pass(acc: &mut Pass, q: &Pass) {
    acc.valid &= q.valid;
    acc.deviance += q.deviance;
    if q.xtwx.is_empty() {
        return;
    }
    if acc.xtwx.is_empty() {
        acc.xtwx = q.xtwx.clone();
        acc.xtwz = q.xtwz.clone();
        return;
    }
    acc.xtwx.iter_mut().zip(&q.xtwx).for_each(|(a, b)| *a += b);
    acc.xtwz.iter_mut().zip(&q.xtwz).for_each(|(a, b)| *a += b);
}

/// Score, observed information and deviance of one part (see [`Newton`]), as the single-machine
/// fit computes them (`irls::score_and_hessian`).
pub fn newton_sums(part: &Part, kept: &[usize], beta: &[f64], family: Family, link: Link) -> Newton {
    let k = kept.len();
    match irls::score_and_hessian(&part.problem(family, link), kept, beta, 1) {
        Some((score, hessian, deviance)) => Newton {
            score,
            hessian,
            deviance,
            valid: true,
        },
        None => Newton {
            score: vec![0.0; k],
            hessian: vec![0.0; k * k],
            deviance: 0.0,
            valid: false,
        },
    }
}

/// Score Xᵀ[w (y − μ)/(V g′)], observed information XᵀW₀X (on the kept columns, k × k) and the
/// deviance at β; `valid` is false when β leaves the link's or the family's range.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Newton {
    pub score: Vec<f64>,
    pub hessian: Vec<f64>,
    pub deviance: f64,
    pub valid: bool,
}

impl Newton {
    /// Adds another part's sums.
    pub fn add(&mut self, q: &Newton) {
        self.valid &= q.valid;
        self.deviance += q.deviance;
        self.score.iter_mut().zip(&q.score).for_each(|(a, b)| *a += b);
        self.hessian.iter_mut().zip(&q.hessian).for_each(|(a, b)| *a += b);
    }
}

/// The fitted means of the null model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum NullMu {
    /// A constant mean (intercept only, no offset: the weighted mean of y).
    Const(f64),
    /// μ = g⁻¹(β₀ + offset) (intercept and offset).
    Intercept(f64),
    /// μ = g⁻¹(offset) (no intercept).
    OffsetOnly,
}

/// What the figures after the fit need, at the fitted β and the null model's μ. `scale` and
/// `null_scale` are the log-likelihood's scale (deviance / Σw for the Gamma and inverse
/// Gaussian; ignored by the other families).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatQuery {
    pub beta: Vec<f64>,
    pub null: NullMu,
    pub scale: f64,
    pub null_scale: f64,
}

/// Sums over rows for the figures after the fit (one [`StatSums`] per part, added).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StatSums {
    /// Σ w (y − μ)²/V(μ) over rows of positive weight.
    pub pearson: f64,
    /// Deviance of the null model's μ.
    pub null_deviance: f64,
    pub loglik: f64,
    pub kernel: f64,
    pub null_loglik: f64,
    pub null_kernel: f64,
    /// Σ w, Σ w y, rows of positive weight, Σ log w over them, Σ trials.
    pub sum_w: f64,
    pub sum_wy: f64,
    pub n_pos: f64,
    pub sum_log_w: f64,
    pub n_used: f64,
    pub n_read: f64,
}

impl StatSums {
    /// Adds another part's sums.
    pub fn add(&mut self, q: &StatSums) {
        self.pearson += q.pearson;
        self.null_deviance += q.null_deviance;
        self.loglik += q.loglik;
        self.kernel += q.kernel;
        self.null_loglik += q.null_loglik;
        self.null_kernel += q.null_kernel;
        self.sum_w += q.sum_w;
        self.sum_wy += q.sum_wy;
        self.n_pos += q.n_pos;
        self.sum_log_w += q.sum_log_w;
        self.n_used += q.n_used;
        self.n_read += q.n_read;
    }
}

/// One part's [`StatSums`].
pub fn stat_sums(part: &Part, q: &StatQuery, family: Family, link: Link) -> StatSums {
    let mut s = StatSums {
        n_used: part.n as f64,
        n_read: part.n_read as f64,
        ..StatSums::default()
    };
    for i in 0..part.n {
        let off = part.offset.as_ref().map_or(0.0, |o| o[i]);
        let (y, w, t) = (part.y[i], part.prior[i], part.trials[i]);
        s.sum_w += w;
        s.sum_wy += w * y;
        if w <= 0.0 {
            continue;
        }
        s.n_pos += 1.0;
        s.sum_log_w += w.ln();
        let mu = link.inverse(irls::dot(&part.x[i * part.p..(i + 1) * part.p], &q.beta) + off);
        let mu0 = match q.null {
            NullMu::Const(m) => m,
            NullMu::Intercept(b0) => link.inverse(b0 + off),
            NullMu::OffsetOnly => link.inverse(off),
        };
        let r = y - mu;
        s.pearson += w * r * r / family.variance(mu);
        s.null_deviance += w * family.unit_deviance(y, mu0);
        // a binomial row's weight in the likelihood is its prior weight over its trials
        let w0 = if family.is_binomial() {
            if t > 0.0 {
                w / t
            } else {
                0.0
            }
        } else {
            w
        };
        if w0 == 0.0 || !family.has_likelihood() {
            continue;
        }
        s.loglik += family.loglik(y, mu, w0, t, q.scale);
        s.kernel += family.loglik_kernel(y, mu, w0, t, q.scale);
        s.null_loglik += family.loglik(y, mu0, w0, t, q.null_scale);
        s.null_kernel += family.loglik_kernel(y, mu0, w0, t, q.null_scale);
    }
    s
}

// ---------------------------------------------------------------------------------------------
// The driver
// ---------------------------------------------------------------------------------------------

/// How the driver reaches the parts: each method runs the function of the same name on every
/// part and returns the sum ([`add_pass`], [`Newton::add`], [`StatSums::add`]).
pub trait Passes {
    type Error: From<GlmError>;
    /// Σ [`fisher_sums`] at β (`None`: the family's starting μ).
    fn fisher(&mut self, beta: Option<&[f64]>) -> std::result::Result<Pass, Self::Error>;
    /// Σ [`newton_sums`].
    fn newton(&mut self, kept: &[usize], beta: &[f64]) -> std::result::Result<Newton, Self::Error>;
    /// Σ [`stat_sums`].
    fn stats(&mut self, q: &StatQuery) -> std::result::Result<StatSums, Self::Error>;
    /// The rows used (complete rows) of all parts, when they are known without a pass over the
    /// data — the first pass counts them: Σ [`PartLevels::complete`]. `None` (the default):
    /// [`fit`] counts them with one [`Passes::stats`] pass. The count decides the stopping rule
    /// ([`irls::irls_with_rows`]); [`fit`] checks it against the rows its passes used.
    fn rows_used(&mut self) -> Option<usize> {
        None
    }
}

/// The model's columns, as the driver knows them from the [`DesignSpec`] and a part.
#[derive(Debug, Clone)]
pub struct Layout {
    pub col_names: Vec<String>,
    pub intercept: bool,
    pub has_offset: bool,
    /// The response is events/trials (`y/n`, `cbind`), which needs a binomial family.
    pub events_trials: bool,
}

impl Layout {
    /// The layout of `spec`, with the columns of X that a non-empty part built.
    pub fn new(spec: &DesignSpec, col_names: Vec<String>) -> Layout {
        Layout {
            col_names,
            intercept: spec.formula.intercept,
            has_offset: !spec.formula.offsets.is_empty(),
            events_trials: !matches!(spec.formula.response, Response::Single(_)),
        }
    }
}

/// The result of [`fit`]: the figures of [`crate::GlmFit`] that sums give. Vectors by coefficient
/// have one entry per column of X, NaN for aliased columns.
#[derive(Debug, Clone, Serialize)]
pub struct DistFit {
    pub family: String,
    pub link: String,
    pub coef_names: Vec<String>,
    pub coef: Vec<f64>,
    pub aliased: Vec<String>,
    /// Standard errors from the expected information (R) and the observed one (SAS GENMOD).
    pub se_expected: Vec<f64>,
    pub se_observed: Vec<f64>,
    /// φ (XᵀWX)⁻¹, row-major p × p.
    pub cov_expected: Vec<f64>,
    pub dispersion: f64,
    pub dispersion_method: Dispersion,
    pub deviance: f64,
    pub pearson_chi2: f64,
    pub df_residual: f64,
    pub null_deviance: f64,
    pub df_null: f64,
    pub loglik: f64,
    pub loglik_kernel: f64,
    pub null_loglik: f64,
    pub aic: f64,
    pub aicc: f64,
    pub bic: f64,
    pub n_obs: f64,
    pub n_read: f64,
    pub n_used: f64,
    pub rank: usize,
    pub iterations: usize,
    pub converged: bool,
    /// Passes over the data in all (each one task per part).
    pub passes: usize,
    pub warnings: Vec<String>,
}

/// Counts the passes of a [`Passes`].
struct Counted<'a, P: Passes> {
    inner: &'a mut P,
    n: usize,
}

impl<P: Passes> Passes for Counted<'_, P> {
    type Error = P::Error;
    fn fisher(&mut self, beta: Option<&[f64]>) -> std::result::Result<Pass, P::Error> {
        self.n += 1;
        self.inner.fisher(beta)
    }
    fn newton(&mut self, kept: &[usize], beta: &[f64]) -> std::result::Result<Newton, P::Error> {
        self.n += 1;
        self.inner.newton(kept, beta)
    }
    fn stats(&mut self, q: &StatQuery) -> std::result::Result<StatSums, P::Error> {
        self.n += 1;
        self.inner.stats(q)
    }
    fn rows_used(&mut self) -> Option<usize> {
        self.inner.rows_used()
    }
}

/// Refuses the options that the distributed fit does not support.
fn check_options(opts: &GlmOptions) -> Result<()> {
    if opts.estimate_theta {
        return Err(GlmError::argument(
            "--theta",
            "the distributed fit needs θ of the negative binomial given (theta=…); estimating it is single-machine only",
        ));
    }
    if opts.frequency_weights {
        return Err(GlmError::argument(
            "--freq",
            "frequency weights are single-machine only in the distributed fit; give prior weights (weights=…)",
        ));
    }
    if opts.start.is_some() {
        return Err(GlmError::argument(
            "--start",
            "starting values are single-machine only in the distributed fit",
        ));
    }
    Ok(())
}

/// Fits the model over the parts: IRLS as [`crate::irls::irls`], then the figures after the fit.
pub fn fit<P: Passes>(passes: &mut P, layout: &Layout, opts: &GlmOptions) -> std::result::Result<DistFit, P::Error> {
    check_options(opts)?;
    let family = opts.family;
    let link = opts.link.unwrap_or_else(|| family.canonical_link());
    family.check_link(link).map_err(|m| GlmError::argument("--link", m))?;
    if layout.events_trials && !family.is_binomial() {
        return Err(GlmError::argument(
            "--family",
            format!(
                "the response is events/trials, which needs binomial (or quasibinomial), not {}",
                family.name()
            ),
        )
        .into());
    }
    let p = layout.col_names.len();
    if p == 0 {
        return Err(GlmError::Singular(
            "the formula gives the model no coefficient to estimate (empty design: add a term or an intercept)".into(),
        )
        .into());
    }
    let mut counted = Counted { inner: passes, n: 0 };
    let intercept = layout.intercept.then_some(0);
    let free: Vec<usize> = (0..p).collect();
    // the rows used decide the stopping rule, as in memory (`irls::irls_with_rows`): counted by
    // the first pass when the parts know it, else by one stats pass
    let rows = match counted.rows_used() {
        Some(n) => n,
        None => {
            counted
                .stats(&StatQuery {
                    beta: vec![0.0; p],
                    null: NullMu::OffsetOnly,
                    scale: 1.0,
                    null_scale: 1.0,
                })?
                .n_used as usize
        }
    };
    let res = irls::irls_with_rows(
        &mut Summed(&mut counted, p),
        p,
        &free,
        intercept,
        (family, link),
        opts.control(),
        rows,
    )?;
    if res.bounds.no_valid_start {
        let hint = "starting values are single-machine only: fit in memory with --start / start=";
        return Err(irls::no_valid_start_error(link, false, hint).into());
    }
    if let Some(stuck) = res.bounds.stuck {
        let hint = "starting values are single-machine only: fit in memory with --start / start=, or try another link";
        return Err(irls::stuck_error(link, stuck, hint).into());
    }
    if !res.converged {
        return Err(GlmError::NotConverged {
            iterations: res.iterations,
            last_change: res.last_change,
        }
        .into());
    }
    if res.kept.is_empty() {
        return Err(
            GlmError::Singular("singular design: no column of the design matrix can be estimated".into()).into(),
        );
    }
    if !opts.singular_ok && !res.aliased.is_empty() {
        let names: Vec<&str> = res.aliased.iter().map(|&j| layout.col_names[j].as_str()).collect();
        return Err(GlmError::Singular(format!(
            "singular design: {} linearly dependent on earlier columns",
            clip_list(&names)
        ))
        .into());
    }
    finish(&mut counted, layout, opts, family, link, res, rows)
}

/// IRLS over the parts: the loop of [`crate::irls::irls`] itself ([`irls::irls_with`]), each of its
/// passes the sum of the parts' ([`Summed`]).
fn irls_over<P: Passes>(
    passes: &mut P,
    p: usize,
    free: &[usize],
    intercept: Option<usize>,
    family: Family,
    link: Link,
    ctl: Control,
) -> std::result::Result<irls::Irls, P::Error> {
    irls::irls_with(&mut Summed(passes, p), p, free, intercept, (family, link), None, ctl)
}

/// The parts' [`Passes`] as the IRLS loop's ([`irls::Passes`]): the score and information from
/// [`Passes::newton`], a deviance from [`Passes::fisher`], Σw and Σwy from [`Passes::stats`].
struct Summed<'a, P: Passes>(&'a mut P, usize);

impl<P: Passes> irls::Passes for Summed<'_, P> {
    type Error = P::Error;
    fn fisher(&mut self, beta: Option<&[f64]>) -> std::result::Result<Pass, P::Error> {
        self.0.fisher(beta)
    }
    fn score_and_hessian(
        &mut self,
        kept: &[usize],
        beta: &[f64],
    ) -> std::result::Result<Option<(Vec<f64>, Vec<f64>, f64)>, P::Error> {
        let nw = self.0.newton(kept, beta)?;
        Ok(nw.valid.then_some((nw.score, nw.hessian, nw.deviance)))
    }
    fn deviance(&mut self, beta: &[f64]) -> std::result::Result<Option<f64>, P::Error> {
        let f = self.0.fisher(Some(beta))?;
        Ok(f.valid.then_some(f.deviance))
    }
    fn weight_sums(&mut self) -> std::result::Result<(f64, f64), P::Error> {
        let s = self.0.stats(&StatQuery {
            beta: vec![0.0; self.1],
            null: NullMu::OffsetOnly,
            scale: 1.0,
            null_scale: 1.0,
        })?;
        Ok((s.sum_w, s.sum_wy))
    }
}

/// The rows counted before the fit ([`Passes::rows_used`]) are not the rows its passes used: the
/// data changed between passes (parts re-read from a source that was rewritten).
fn rows_changed(counted: usize, used: f64) -> GlmError {
    GlmError::input(
        Location::default(),
        format!(
            "the data changed during the fit: {counted} rows used were counted before it, {used} by its passes (were the files rewritten while they were read?)"
        ),
    )
}

/// φ · A⁻¹ on the kept columns (A on all p columns, or on the kept ones when `on_kept`), NaN
/// elsewhere.
fn covariance(a: &[f64], p: usize, kept: &[usize], on_kept: bool, dispersion: f64) -> Vec<f64> {
    let mut cov = vec![f64::NAN; p * p];
    let k = kept.len();
    let sub = if on_kept { a.to_vec() } else { sub_matrix(a, p, kept) };
    if let Some(ch) = Cholesky::on(&sub, k, &(0..k).collect::<Vec<_>>()) {
        let inv = ch.inverse();
        for (r, &jr) in kept.iter().enumerate() {
            for (c, &jc) in kept.iter().enumerate() {
                cov[jr * p + jc] = dispersion * inv[r * k + c];
            }
        }
    }
    cov
}

/// The figures after the fit: Pearson χ², dispersion, both covariances, the null model and the
/// likelihood.
fn finish<P: Passes>(
    passes: &mut Counted<P>,
    layout: &Layout,
    opts: &GlmOptions,
    family: Family,
    link: Link,
    res: irls::Irls,
    rows: usize,
) -> std::result::Result<DistFit, P::Error> {
    let p = layout.col_names.len();
    let mut q = StatQuery {
        beta: res.beta.clone(),
        null: NullMu::OffsetOnly,
        scale: 1.0,
        null_scale: 1.0,
    };
    let counts = passes.stats(&q)?;
    if counts.n_used != rows as f64 {
        return Err(rows_changed(rows, counts.n_used).into());
    }
    let rank = res.kept.len();
    let n_obs = counts.n_pos;
    let df_residual = n_obs - rank as f64;
    let method = match opts.dispersion {
        Dispersion::Default if family.dispersion_fixed() => Dispersion::Fixed,
        Dispersion::Default => Dispersion::Pearson,
        d => d,
    };
    let dispersion = match method {
        Dispersion::Fixed | Dispersion::Default => 1.0,
        Dispersion::Pearson => counts.pearson / df_residual,
        Dispersion::Deviance => res.deviance / df_residual,
    };
    // the null model
    let (null, null_dev_irls) = match (layout.intercept, layout.has_offset) {
        (true, false) => (NullMu::Const(counts.sum_wy / counts.sum_w), None),
        (true, true) => {
            let r = irls_over(passes, p, &[0], Some(0), family, link, opts.control())?;
            if r.bounds.no_valid_start || r.bounds.stuck.is_some() {
                // no valid β from the family's start (R's glm stops here too); warned below
                (NullMu::Intercept(f64::NAN), Some(f64::NAN))
            } else {
                (NullMu::Intercept(r.beta[0]), Some(r.deviance))
            }
        }
        (false, _) => (NullMu::OffsetOnly, None),
    };
    let per_w = |d: f64| d / if family.is_binomial() { 1.0 } else { counts.sum_w };
    q.null = null;
    q.scale = per_w(res.deviance);
    let first = passes.stats(&q)?;
    let null_deviance = null_dev_irls.unwrap_or(first.null_deviance);
    q.null_scale = per_w(null_deviance);
    let s = passes.stats(&q)?;
    // covariances: expected information at β̂ (the last pass, unless Newton moved β), observed
    let xtwx = match res.xtwx {
        Some(a) => a,
        None => passes.fisher(Some(&res.beta))?.xtwx,
    };
    let cov_e = covariance(&xtwx, p, &res.kept, false, dispersion);
    let canonical =
        link == family.canonical_link() && !matches!(family, Family::NegBin { .. } | Family::Tweedie { .. });
    let cov_o = if canonical {
        cov_e.clone()
    } else {
        let nw = passes.newton(&res.kept, &res.beta)?;
        covariance(&nw.hessian, p, &res.kept, true, dispersion)
    };
    let se = |c: &[f64]| (0..p).map(|j| c[j * p + j].sqrt()).collect::<Vec<f64>>();
    let mut coef = res.beta.clone();
    res.aliased.iter().for_each(|&j| coef[j] = f64::NAN);
    // the likelihood (Gaussian in closed form, as R)
    let (mut loglik, mut kernel, mut null_loglik) = (s.loglik, s.kernel, s.null_loglik);
    if matches!(family, Family::Gaussian) {
        loglik = -0.5 * n_obs * ((2.0 * std::f64::consts::PI * res.deviance / n_obs).ln() + 1.0) + 0.5 * s.sum_log_w;
        kernel = loglik;
    }
    if !family.has_likelihood() {
        (loglik, kernel, null_loglik) = (f64::NAN, f64::NAN, f64::NAN);
    }
    let kf = (rank + family.aic_extra()) as f64;
    let aic = -2.0 * loglik + 2.0 * kf;
    let mut warnings = Vec::new();
    if !dispersion.is_finite() {
        warnings.push(format!(
            "the dispersion cannot be estimated with {df_residual} residual degrees of freedom; standard errors are NaN"
        ));
    }
    warnings.extend(res.bounds.warnings(link));
    if null_deviance.is_nan() && layout.intercept && layout.has_offset {
        warnings.push(irls::null_refit_warning(link));
    }
    let aliased: Vec<String> = res.aliased.iter().map(|&j| layout.col_names[j].clone()).collect();
    if !aliased.is_empty() {
        warnings.push(format!(
            "{} not defined because of singularities: {}",
            aliased.len(),
            clip_list(&aliased)
        ));
    }
    let dropped = s.n_read - s.n_used;
    if dropped > 0.0 {
        warnings.push(format!(
            "{dropped} of {} rows dropped because a used column was missing",
            s.n_read
        ));
    }
    Ok(DistFit {
        family: family.name(),
        link: link.name(),
        coef_names: layout.col_names.clone(),
        coef,
        aliased,
        se_expected: se(&cov_e),
        se_observed: se(&cov_o),
        cov_expected: cov_e,
        dispersion,
        dispersion_method: method,
        deviance: res.deviance,
        pearson_chi2: counts.pearson,
        df_residual,
        null_deviance,
        df_null: n_obs - f64::from(u8::from(layout.intercept)),
        loglik,
        loglik_kernel: kernel,
        null_loglik,
        aic,
        aicc: aic + 2.0 * kf * (kf + 1.0) / (n_obs - kf - 1.0),
        bic: -2.0 * loglik + kf * n_obs.ln(),
        n_obs,
        n_read: s.n_read,
        n_used: s.n_used,
        rank,
        iterations: res.iterations,
        converged: res.converged,
        passes: passes.n,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use dimorph_data::Column;

    /// The parts in one process: each pass sums over them in order.
    struct Local {
        parts: Vec<Part>,
        family: Family,
        link: Link,
    }

    impl Passes for Local {
        type Error = GlmError;
        fn fisher(&mut self, beta: Option<&[f64]>) -> Result<Pass> {
            let mut acc = fisher_sums(&Part::default(), None, self.family, self.link);
            for p in &self.parts {
                add_pass(&mut acc, &fisher_sums(p, beta, self.family, self.link));
            }
            Ok(acc)
        }
        fn newton(&mut self, kept: &[usize], beta: &[f64]) -> Result<Newton> {
            let mut acc = newton_sums(&Part::default(), kept, beta, self.family, self.link);
            for p in &self.parts {
                acc.add(&newton_sums(p, kept, beta, self.family, self.link));
            }
            Ok(acc)
        }
        fn stats(&mut self, q: &StatQuery) -> Result<StatSums> {
            let mut acc = StatSums::default();
            for p in &self.parts {
                acc.add(&stat_sums(p, q, self.family, self.link));
            }
            Ok(acc)
        }
    }

    fn data(name: &str) -> Frame {
        dimorph_data::read_csv(format!("{}/../../data/{name}", env!("CARGO_MANIFEST_DIR"))).expect("bundled data")
    }

    /// Rows `lo..hi` of a frame, as a partition of it.
    fn rows(f: &Frame, lo: usize, hi: usize) -> Frame {
        let cols = f
            .columns
            .iter()
            .map(|c| Column {
                name: c.name.clone(),
                data: match &c.data {
                    ColumnData::Num(v) => ColumnData::Num(v[lo..hi].to_vec()),
                    ColumnData::Text { values, .. } => ColumnData::Text {
                        values: values[lo..hi].to_vec(),
                        first_non_numeric: None,
                    },
                },
            })
            .collect();
        let mut out = Frame::from_columns(&f.source, cols).expect("slice");
        out.first_line = f.first_line + lo;
        out
    }

    /// The crab data with a text column `shade` (from `color`: levels light, medium, dark,
    /// darker) and sorted by it, so that most parts see only some of its levels.
    fn crabs_by_shade() -> Frame {
        let mut f = data("crabs.csv");
        let color = f.numeric("color").expect("color").to_vec();
        let mut order: Vec<usize> = (0..f.nrows).collect();
        order.sort_by(|&a, &b| color[a].total_cmp(&color[b]));
        for c in &mut f.columns {
            if let ColumnData::Num(v) = &mut c.data {
                *v = order.iter().map(|&i| v[i]).collect();
            }
        }
        let names = ["light", "medium", "dark", "darker"];
        let shade = order
            .iter()
            .map(|&i| Some(names[(color[i] as usize).clamp(1, 4) - 1].to_string()))
            .collect();
        let y = f
            .numeric("satell")
            .expect("satell")
            .iter()
            .map(|&s| f64::from(u8::from(s > 0.0)))
            .collect();
        f.columns.push(Column {
            name: "y".into(),
            data: ColumnData::Num(y),
        });
        f.columns.push(Column {
            name: "shade".into(),
            data: ColumnData::Text {
                values: shade,
                first_non_numeric: None,
            },
        });
        f
    }

    /// Fits `formula` over `k` parts and on the whole frame; every figure agrees to `tol`
    /// (relative, or absolute below 1).
    fn same_as_single_machine(frame: &Frame, formula: &str, opts: &GlmOptions, k: usize, tol: f64) {
        let n = frame.nrows;
        let bounds: Vec<usize> = (0..=k).map(|i| i * n / k).collect();
        let frames: Vec<Frame> = bounds.windows(2).map(|b| rows(frame, b[0], b[1])).collect();
        let names = frame.names();
        let levels: Vec<PartLevels> = frames
            .iter()
            .map(|f| part_levels(formula, f, None).expect("levels"))
            .collect();
        let spec = merge_levels(formula, &names, None, &levels, &frame.source).expect("merge");
        let parts: Vec<Part> = frames
            .iter()
            .map(|f| design_part(&spec, f, None, opts.family).expect("part"))
            .collect();
        let cols = parts.iter().find(|p| p.n > 0).expect("a part").col_names.clone();
        let link = opts.link.unwrap_or_else(|| opts.family.canonical_link());
        let mut local = Local {
            parts,
            family: opts.family,
            link,
        };
        let d = fit(&mut local, &Layout::new(&spec, cols), opts).expect("distributed fit");
        let mf = model_frame(formula, frame, None).expect("model frame");
        let s = crate::fit(&mf, opts).expect("single-machine fit");
        let close = |what: &str, a: f64, b: f64| {
            let ok = (a.is_nan() && b.is_nan()) || (a - b).abs() <= tol * b.abs().max(1.0);
            assert!(ok, "{formula}: {what}: distributed {a} vs single-machine {b}");
        };
        assert_eq!(d.coef_names, s.coef_names, "{formula}");
        for j in 0..s.coef.len() {
            close("coef", d.coef[j], s.coef[j]);
            close("se", d.se_expected[j], s.se_expected[j]);
            close("se (observed)", d.se_observed[j], s.se_observed[j]);
        }
        close("deviance", d.deviance, s.deviance);
        close("null deviance", d.null_deviance, s.null_deviance);
        close("Pearson", d.pearson_chi2, s.pearson_chi2);
        close("dispersion", d.dispersion, s.dispersion);
        close("logLik", d.loglik, s.loglik);
        close("logLik kernel", d.loglik_kernel, s.loglik_kernel);
        close("null logLik", d.null_loglik, s.null_loglik);
        close("AIC", d.aic, s.aic);
        close("BIC", d.bic, s.bic);
        close("df", d.df_residual, s.df_residual);
        close("df null", d.df_null, s.df_null);
        assert_eq!(d.iterations, s.iterations, "{formula}");
        assert_eq!(d.rank, s.rank, "{formula}");
    }

    #[test]
    fn distributed_fits_equal_the_single_machine_fit() {
        let crabs = crabs_by_shade();
        let snoring = data("snoring.csv");
        let o = |family: Family, link: Option<Link>| GlmOptions {
            estimate_theta: false,
            ..GlmOptions::new(family, link)
        };
        // a factor whose levels each part sees only some of (sorted by shade, 7 parts)
        same_as_single_machine(&crabs, "satell ~ width + shade", &o(Family::Poisson, None), 7, 1e-10);
        same_as_single_machine(
            &crabs,
            "satell ~ width + C(color, ref=4)",
            &o(Family::Poisson, None),
            5,
            1e-10,
        );
        // binary logistic, an interaction with a text factor
        same_as_single_machine(&crabs, "y ~ width * shade", &o(Family::Binomial, None), 4, 1e-10);
        // non-canonical links: the Newton polish and the observed information
        same_as_single_machine(
            &crabs,
            "satell ~ width",
            &o(Family::Poisson, Some(Link::Identity)),
            3,
            1e-10,
        );
        same_as_single_machine(
            &snoring,
            "disease/total ~ snoring",
            &o(Family::Binomial, Some(Link::Identity)),
            2,
            1e-10,
        );
        same_as_single_machine(
            &snoring,
            "disease/total ~ snoring",
            &o(Family::Binomial, Some(Link::Probit)),
            3,
            1e-10,
        );
        // estimated dispersion, an offset (the null model refitted), no intercept
        same_as_single_machine(
            &crabs,
            "weight ~ width + shade",
            &o(Family::Gamma, Some(Link::Log)),
            6,
            1e-10,
        );
        same_as_single_machine(
            &crabs,
            "satell ~ width + offset(log(weight))",
            &o(Family::Poisson, None),
            4,
            1e-10,
        );
        same_as_single_machine(&crabs, "weight ~ width - 1", &o(Family::Gaussian, None), 5, 1e-10);
        // the negative binomial with θ fixed (Newton polish of its log link)
        same_as_single_machine(
            &crabs,
            "satell ~ width + shade",
            &o(Family::NegBin { theta: 0.9 }, None),
            4,
            1e-10,
        );
        // an ill-conditioned design (a raw cubic in width, κ(XᵀX) = 2.7e14): β refined by Newton
        // steps in both; the order of the sums moves β by κ·ε-sized amounts (4e-9 measured)
        same_as_single_machine(
            &crabs,
            "weight ~ width + I(width^2) + I(width^3)",
            &o(Family::Gaussian, None),
            3,
            1e-7,
        );
    }

    #[test]
    fn parts_disagreeing_or_missing_levels_are_refused() {
        let crabs = crabs_by_shade();
        let names = crabs.names();
        let parts = [rows(&crabs, 0, 10)];
        let lv: Vec<PartLevels> = parts
            .iter()
            .map(|f| part_levels("satell ~ shade", f, None).unwrap())
            .collect();
        let e = merge_levels("satell ~ shade", &names, None, &lv, "ddf")
            .unwrap_err()
            .to_string();
        assert!(e.contains("only one level"), "{e}");
        let e = merge_levels(
            "satell ~ C(color, ref=9)",
            &names,
            None,
            &[part_levels("satell ~ C(color, ref=9)", &crabs, None).unwrap()],
            "ddf",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("no level '9'"), "{e}");
        let mut o = GlmOptions::new(Family::NegBin { theta: 1.0 }, None);
        o.estimate_theta = true;
        assert!(check_options(&o).unwrap_err().to_string().contains("--theta"));
    }

    /// [`Local`] that says its rows used ([`Passes::rows_used`]).
    struct Counting(Local, Option<usize>);

    impl Passes for Counting {
        type Error = GlmError;
        fn fisher(&mut self, beta: Option<&[f64]>) -> Result<Pass> {
            self.0.fisher(beta)
        }
        fn newton(&mut self, kept: &[usize], beta: &[f64]) -> Result<Newton> {
            self.0.newton(kept, beta)
        }
        fn stats(&mut self, q: &StatQuery) -> Result<StatSums> {
            self.0.stats(q)
        }
        fn rows_used(&mut self) -> Option<usize> {
            self.1
        }
    }

    #[test]
    fn rows_counted_by_the_first_pass_give_the_same_fit_with_one_pass_fewer() {
        let mut crabs = crabs_by_shade();
        // two rows miss a value the model uses: fewer rows used than rows
        for (name, i) in [("width", 5), ("satell", 90)] {
            if let Some(ColumnData::Num(v)) = crabs.columns.iter_mut().find(|c| c.name == name).map(|c| &mut c.data) {
                v[i] = f64::NAN;
            }
        }
        let names = crabs.names();
        for (formula, family, used) in [
            ("satell ~ width + shade", Family::Poisson, 171),
            ("y ~ width * shade", Family::Binomial, 172),
            ("satell ~ width + offset(log(weight))", Family::Poisson, 171),
        ] {
            let frames: Vec<Frame> = (0..6).map(|k| rows(&crabs, k * 173 / 6, (k + 1) * 173 / 6)).collect();
            let levels: Vec<PartLevels> = frames.iter().map(|f| part_levels(formula, f, None).unwrap()).collect();
            let counted: usize = levels.iter().map(|l| l.complete).sum();
            let spec = merge_levels(formula, &names, None, &levels, "crabs").unwrap();
            let parts: Vec<Part> = frames
                .iter()
                .map(|f| design_part(&spec, f, None, family).unwrap())
                .collect();
            let layout = Layout::new(&spec, parts[0].col_names.clone());
            let opts = GlmOptions {
                estimate_theta: false,
                ..GlmOptions::new(family, None)
            };
            let local = || Local {
                parts: parts.clone(),
                family,
                link: family.canonical_link(),
            };
            let plain = fit(&mut local(), &layout, &opts).unwrap();
            let told = fit(&mut Counting(local(), Some(counted)), &layout, &opts).unwrap();
            assert_eq!(counted, used, "{formula}");
            assert_eq!(plain.n_used, counted as f64, "{formula}");
            assert_eq!(told.passes + 1, plain.passes, "{formula}");
            // bit for bit: the same figures, the pass count aside
            let strip = |d: &DistFit| {
                let mut v = serde_json::to_value(d).unwrap();
                v["passes"] = serde_json::Value::Null;
                v.to_string()
            };
            assert_eq!(strip(&told), strip(&plain), "{formula}");
            // a count the passes contradict (the data changed between passes) is refused
            let e = fit(&mut Counting(local(), Some(counted + 1)), &layout, &opts)
                .unwrap_err()
                .to_string();
            let want = format!("the data changed during the fit: {} rows used were counted", used + 1);
            assert!(e.contains(&want), "{e}");
        }
    }
}
