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
//! Frequency weights (`GlmOptions::frequency_weights`) weight the rows as prior weights do and
//! count each row its frequency times in n (the residual and null df, AIC's corrections, BIC,
//! the log-likelihood's scale), as the single-machine fit counts them: each part sums its
//! weights ([`Part::weights_sum`]). Rao's score test against the null model is one more pass,
//! at the null model's means ([`crate::distributed_score`]); the Type 3 likelihood-ratio tests
//! are refits over the same parts (the Python driver's), their Wald tests read
//! [`DistFit::cov_observed`].
//!
//! θ of the negative binomial estimated by maximum likelihood alternates θ and β as the
//! single-machine fit does, θ's sums taken part by part ([`crate::distributed_theta`]). Starting
//! values (`GlmOptions::start`) start the fit as in memory.
//!
//! Profile-likelihood intervals over the parts: [`crate::distributed_profile`]. PROC LOGISTIC's
//! association table: each part's events and non-events per bin of predicted probability
//! ([`association_bins`]), added ([`crate::binary::AssociationBins`]); with exact probabilities
//! (BINWIDTH 0), and for the Hosmer–Lemeshow test, each part's events and non-events at each
//! distinct probability ([`probability_groups`]), added ([`crate::probability_groups`]).

use std::collections::HashSet;

use dimorph_core::Location;
use dimorph_data::{ColumnData, Frame};
use serde::Serialize;

use crate::design::{model_frame, DesignSpec, Term};
use crate::error::{clip, clip_list, GlmError, Result};
use crate::factor::compare_levels;
use crate::family::Family;
use crate::formula::{Formula, Response, VarKind};
use crate::irls::{self, Pass, Problem};
use crate::linalg::{sub_matrix, Cholesky};
use crate::link::Link;
use crate::negbin::{ThetaEstimate, ThetaSums};
use crate::null_refit::{self, NullSums};
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
    out.extend(design_columns(f));
    out.extend(weights);
    let mut seen = HashSet::new();
    out.retain(|c| seen.insert(*c));
    out
}

/// The columns X and the offset are coded from: the variables', then the offsets' (each once;
/// what predictions need).
pub fn design_columns(f: &Formula) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
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
    let rows: usize = parts.iter().map(|p| p.rows).sum();
    let parts: Vec<&PartLevels> = parts.iter().filter(|p| p.complete > 0).collect();
    if parts.is_empty() {
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
            // the text a partition holds that is not a number: most often one dirty cell
            let odd = kinds.iter().find_map(|k| match k {
                PartVar::Text(vs) => vs.iter().find(|v| v.trim().parse::<f64>().is_err()),
                _ => None,
            });
            return Err(GlmError::input(
                at(),
                format!(
                    "column '{}' is text in {text} partitions and numeric in {} others{}; give it one type in every partition (e.g. astype(str) or astype(float)) before fitting",
                    clip(column),
                    kinds.len() - text,
                    odd.map_or_else(String::new, |v| format!(" (a text partition holds '{}', not a number)", clip(v)))
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
    /// Σ of the weights column over the rows used, before the trials are folded in (the rows'
    /// count without weights): the number of observations when the weights are frequencies.
    pub weights_sum: f64,
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
    design_part_lines(spec, frame, weights, family).map(|(part, _)| part)
}

/// [`design_part`], and the file line ([`Frame::line_of`]) of each row of the part: where the
/// rows used lie in the frame (for residuals, [`crate::distributed_predict`]).
pub fn design_part_lines(
    spec: &DesignSpec,
    frame: &Frame,
    weights: Option<&str>,
    family: Family,
) -> Result<(Part, Vec<usize>)> {
    let empty = Part {
        n_read: frame.nrows,
        ..Part::default()
    };
    if frame.nrows == 0 || !complete_rows(&spec.formula, frame, weights)?.contains(&true) {
        return Ok((empty, Vec::new()));
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
    let mut weights_sum = 0.0;
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
                weights_sum += w;
                prior.push(w * t);
                trials.push(t);
                rows.push(i);
                i += 1;
                j += 1;
            }
        }
    }
    part.n = rows.len();
    (part.y, part.prior, part.trials, part.weights_sum) = (y, prior, trials, weights_sum);
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
    let lines = rows.iter().map(|&i| nd.lines[i]).collect();
    Ok((part, lines))
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

/// One part's [`ThetaSums`] at β: its rows' μ, then the start's sums and, at `theta`, the score,
/// information and log-likelihood of the negative binomial.
pub fn theta_part_sums(part: &Part, beta: &[f64], theta: Option<f64>, link: Link) -> ThetaSums {
    if part.n == 0 {
        return ThetaSums::default();
    }
    let mu: Vec<f64> = (0..part.n)
        .map(|i| {
            let off = part.offset.as_ref().map_or(0.0, |o| o[i]);
            link.inverse(irls::dot(&part.x[i * part.p..(i + 1) * part.p], beta) + off)
        })
        .collect();
    let mut s = crate::negbin::theta_sums(theta, &part.y, &mu, &part.prior);
    if let Some(t) = theta {
        s.loglik = crate::negbin::loglik(Family::NegBin { theta: t }, &part.y, &mu, &part.prior);
    }
    s
}

/// One part's events and non-events in bins of predicted probability at β (`binwidth` > 0), for
/// PROC LOGISTIC's association table over parts ([`crate::binary::AssociationBins`]).
pub fn association_bins(
    part: &Part,
    beta: &[f64],
    link: Link,
    binwidth: f64,
    frequency: bool,
) -> crate::binary::AssociationBins {
    let mut bins = crate::binary::AssociationBins::default();
    bins.add_rows(binary_rows(part, beta, link, frequency), binwidth);
    bins
}

/// One part's events and non-events at each distinct predicted probability at β, for the
/// association table of exact probabilities (BINWIDTH 0) and the Hosmer–Lemeshow test over parts
/// ([`crate::probability_groups::ProbabilityGroups`]).
pub fn probability_groups(
    part: &Part,
    beta: &[f64],
    link: Link,
    frequency: bool,
) -> crate::probability_groups::ProbabilityGroups {
    let mut groups = crate::probability_groups::ProbabilityGroups::default();
    groups.add_rows(binary_rows(part, beta, link, frequency));
    groups
}

/// A part's rows as (predicted probability at β, events, non-events): each row counts its trials
/// times its frequency (with `frequency` weights, the prior weight, which is frequency × trials;
/// otherwise the trials: other weights do not enter the pair counts, as in SAS and in memory);
/// rows with a zero prior weight are left out.
fn binary_rows<'a>(
    part: &'a Part,
    beta: &'a [f64],
    link: Link,
    frequency: bool,
) -> impl Iterator<Item = (f64, f64, f64)> + 'a {
    (0..part.n).filter(|&i| part.prior[i] > 0.0).map(move |i| {
        let xi = &part.x[i * part.p..(i + 1) * part.p];
        let eta = irls::dot(xi, beta) + part.offset.as_ref().map_or(0.0, |o| o[i]);
        let m = if frequency { part.prior[i] } else { part.trials[i] };
        (link.inverse(eta), m * part.y[i], m * (1.0 - part.y[i]))
    })
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
#[derive(Debug, Clone, PartialEq, Serialize)]
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
    /// Σ of the weights column (the rows' count without one; [`Part::weights_sum`]): the number of
    /// observations with frequency weights.
    pub sum_freq: f64,
    /// The offset's smallest and largest value over the rows used (+∞ and −∞ with no row; 0
    /// without an offset): the null model's fallback start ([`null_refit::fallback_start`]).
    pub min_offset: f64,
    pub max_offset: f64,
}

impl Default for StatSums {
    /// The sums over no row.
    fn default() -> Self {
        StatSums {
            pearson: 0.0,
            null_deviance: 0.0,
            loglik: 0.0,
            kernel: 0.0,
            null_loglik: 0.0,
            null_kernel: 0.0,
            sum_w: 0.0,
            sum_wy: 0.0,
            n_pos: 0.0,
            sum_log_w: 0.0,
            n_used: 0.0,
            n_read: 0.0,
            sum_freq: 0.0,
            min_offset: f64::INFINITY,
            max_offset: f64::NEG_INFINITY,
        }
    }
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
        self.sum_freq += q.sum_freq;
        self.min_offset = self.min_offset.min(q.min_offset);
        self.max_offset = self.max_offset.max(q.max_offset);
    }

    /// What the null model's fallback start needs.
    pub fn null_sums(&self) -> NullSums {
        NullSums {
            sum_w: self.sum_w,
            sum_wy: self.sum_wy,
            min_offset: self.min_offset,
            max_offset: self.max_offset,
        }
    }
}

/// One part's [`StatSums`].
pub fn stat_sums(part: &Part, q: &StatQuery, family: Family, link: Link) -> StatSums {
    let mut s = StatSums {
        n_used: part.n as f64,
        n_read: part.n_read as f64,
        sum_freq: part.weights_sum,
        ..StatSums::default()
    };
    for i in 0..part.n {
        let off = part.offset.as_ref().map_or(0.0, |o| o[i]);
        let (y, w, t) = (part.y[i], part.prior[i], part.trials[i]);
        s.sum_w += w;
        s.sum_wy += w * y;
        s.min_offset = s.min_offset.min(off);
        s.max_offset = s.max_offset.max(off);
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
    /// Makes the later passes use `family` (θ of the negative binomial changes between the fits
    /// of its estimation, [`crate::distributed_theta`]). The default: parts that cannot change
    /// their family, an error.
    fn set_family(&mut self, family: Family) -> std::result::Result<(), Self::Error> {
        let _ = family;
        Err(GlmError::argument(
            "--theta",
            "these parts cannot estimate θ of the negative binomial; give theta",
        )
        .into())
    }
    /// Σ [`theta_part_sums`] at β (`theta`: `None` for the start's sums
    /// only). The default: an error, as [`Passes::set_family`].
    fn theta(&mut self, beta: &[f64], theta: Option<f64>) -> std::result::Result<ThetaSums, Self::Error> {
        let _ = (beta, theta);
        Err(GlmError::argument(
            "--theta",
            "these parts cannot estimate θ of the negative binomial; give theta",
        )
        .into())
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
    /// φ times the inverse of the observed information at β̂ (SAS GENMOD's; the Wald tests of
    /// terms), row-major p × p.
    pub cov_observed: Vec<f64>,
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
    /// The columns of X estimated (not aliased), in order.
    #[serde(skip)]
    pub kept: Vec<usize>,
    /// The null model's fitted means (what the score test is evaluated at).
    #[serde(skip)]
    pub null_mu: NullMu,
    /// θ̂ of the negative binomial with its standard error, when it was estimated (`family` is
    /// then `negbin(θ̂)`; `None` also when θ̂ is infinite and the Poisson model was fitted).
    pub theta: Option<ThetaEstimate>,
    /// Rao's score test against the null model, when the driver ran its pass
    /// ([`crate::distributed_score::score_test`]; the streamed fit's `run_parquet`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<crate::inference::ScoreTest>,
    /// Profile-likelihood intervals (lower, upper) of every coefficient at the fit's level, when
    /// the driver computed them ([`crate::distributed_profile`]; `--stream --profile`); NaN
    /// (null) where a limit was not reached or the coefficient is aliased.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile_ci: Option<Vec<[f64; 2]>>,
    /// PROC LOGISTIC's association table of a binomial fit, when the driver computed it from the
    /// parts' bins ([`association_bins`]) or exact probabilities ([`probability_groups`];
    /// `--stream`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub association: Option<crate::binary::Association>,
    /// The Hosmer–Lemeshow test of a binomial fit, when the driver computed it from the parts'
    /// [`probability_groups`] (`--stream`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hosmer_lemeshow: Option<crate::binary::HosmerLemeshow>,
}

/// Counts the passes of a [`Passes`].
pub(crate) struct Counted<'a, P: Passes> {
    pub(crate) inner: &'a mut P,
    pub(crate) n: usize,
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
    fn set_family(&mut self, family: Family) -> std::result::Result<(), P::Error> {
        self.inner.set_family(family)
    }
    fn theta(&mut self, beta: &[f64], theta: Option<f64>) -> std::result::Result<ThetaSums, P::Error> {
        self.n += 1;
        self.inner.theta(beta, theta)
    }
}

/// Refuses starting values that are not one finite value per column of X (as the fit in memory).
fn check_options(opts: &GlmOptions, col_names: &[String]) -> Result<()> {
    if let Some(s) = &opts.start {
        if s.len() != col_names.len() {
            return Err(GlmError::argument(
                "--start",
                format!(
                    "has {} values but the model has {} coefficients ({})",
                    s.len(),
                    col_names.len(),
                    clip_list(col_names)
                ),
            ));
        }
        if let Some(v) = s.iter().find(|v| !v.is_finite()) {
            return Err(GlmError::argument(
                "--start",
                format!("values must be finite, got {}", dimorph_core::text::num(*v)),
            ));
        }
    }
    Ok(())
}

/// Fits the model over the parts: IRLS as [`crate::irls::irls`], then the figures after the fit.
pub fn fit<P: Passes>(passes: &mut P, layout: &Layout, opts: &GlmOptions) -> std::result::Result<DistFit, P::Error> {
    check_options(opts, &layout.col_names)?;
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
    let (family, res, theta) = if matches!(family, Family::NegBin { .. }) && opts.estimate_theta {
        let m = crate::distributed_theta::Model {
            p,
            intercept,
            link,
            rows,
        };
        let nb = crate::distributed_theta::fit_theta(&mut Summed(&mut counted, p), m, opts)?;
        match nb.theta {
            Some(t) => (Family::NegBin { theta: t.theta }, nb.irls, Some((Some(t), None))),
            None => (Family::Poisson, nb.irls, Some((None, nb.warning))),
        }
    } else {
        let start = opts.start.as_deref();
        let res = match start {
            // from starting values as in memory: R's rule once (`irls::irls_keeping_eta`)
            Some(_) => irls::irls_with(
                &mut Summed(&mut counted, p),
                p,
                &free,
                intercept,
                (family, link),
                start,
                opts.control(),
            )?,
            None => irls::irls_with_rows(
                &mut Summed(&mut counted, p),
                p,
                &free,
                intercept,
                (family, link),
                opts.control(),
                rows,
            )?,
        };
        (family, res, None)
    };
    if res.bounds.no_valid_start {
        let hint = "give starting values with start= (one per coefficient, with η valid on every row)";
        return Err(irls::no_valid_start_error(link, opts.start.is_some(), hint).into());
    }
    if let Some(stuck) = res.bounds.stuck {
        let hint = "give other starting values with start= (one per coefficient) or try another link";
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
    let (theta, nb_warning) = theta.unwrap_or((None, None));
    let mut d = finish(&mut counted, layout, opts, family, link, res, rows)?;
    if theta.is_some() {
        // θ is a parameter of the model: AIC and its kin count it, as in memory
        let kf = (d.rank + family.aic_extra() + 1) as f64;
        d.aic = -2.0 * d.loglik + 2.0 * kf;
        d.aicc = d.aic + 2.0 * kf * (kf + 1.0) / (d.n_obs - kf - 1.0);
        d.bic = -2.0 * d.loglik + kf * d.n_obs.ln();
    }
    d.theta = theta;
    d.warnings.splice(0..0, nb_warning);
    d.passes = counted.n;
    Ok(d)
}

/// The parts' [`Passes`] as the IRLS loop's ([`irls::Passes`]): the score and information from
/// [`Passes::newton`], a deviance from [`Passes::fisher`], Σw and Σwy from [`Passes::stats`].
pub(crate) struct Summed<'a, P: Passes>(pub(crate) &'a mut P, pub(crate) usize);

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

impl<P: Passes> crate::distributed_theta::ThetaPasses for Summed<'_, P> {
    fn set_family(&mut self, family: Family) -> std::result::Result<(), P::Error> {
        self.0.set_family(family)
    }
    fn theta(&mut self, beta: &[f64], theta: Option<f64>) -> std::result::Result<ThetaSums, P::Error> {
        self.0.theta(beta, theta)
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
    // with frequency weights each row counts its frequency times (the single-machine fit's n)
    let (n_obs, sum_w) = if opts.frequency_weights {
        (counts.sum_freq, counts.sum_freq)
    } else {
        (counts.n_pos, counts.sum_w)
    };
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
    let mut null_warnings = Vec::new();
    let (null, null_dev_irls) = match (layout.intercept, layout.has_offset) {
        (true, false) => (NullMu::Const(counts.sum_wy / counts.sum_w), None),
        (true, true) => {
            // the fallback start's sums were taken by the first stats pass above
            let sums = counts.null_sums();
            let r = null_refit::refit(&mut Summed(passes, p), p, (family, link), opts.control(), |_| {
                Ok(Some(sums))
            })?;
            null_warnings = null_refit::warnings(&r, link);
            if null_refit::fitted(&r) {
                (NullMu::Intercept(r.beta[0]), Some(r.deviance))
            } else {
                (NullMu::Intercept(f64::NAN), Some(f64::NAN))
            }
        }
        (false, _) => (NullMu::OffsetOnly, None),
    };
    let per_w = |d: f64| d / if family.is_binomial() { 1.0 } else { sum_w };
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
    let aliased: Vec<String> = res.aliased.iter().map(|&j| layout.col_names[j].clone()).collect();
    let mut warnings = Vec::new();
    if !dispersion.is_finite() {
        warnings.push(format!(
            "the dispersion cannot be estimated with {df_residual} residual degrees of freedom; standard errors are NaN"
        ));
    }
    warnings.extend(res.bounds.warnings(link));
    warnings.extend(null_warnings);
    warnings.extend(data_warnings(&aliased, &s));
    Ok(DistFit {
        family: family.name(),
        link: link.name(),
        coef_names: layout.col_names.clone(),
        coef,
        aliased,
        se_expected: se(&cov_e),
        se_observed: se(&cov_o),
        cov_expected: cov_e,
        cov_observed: cov_o,
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
        kept: res.kept,
        null_mu: null,
        theta: None,
        score: None,
        profile_ci: None,
        association: None,
        hosmer_lemeshow: None,
    })
}

/// The warnings on aliased columns and on rows dropped for a missing value.
fn data_warnings(aliased: &[String], s: &StatSums) -> Vec<String> {
    let mut warnings = Vec::new();
    if !aliased.is_empty() {
        warnings.push(format!(
            "{} not defined because of singularities: {}",
            aliased.len(),
            clip_list(aliased)
        ));
    }
    let dropped = s.n_read - s.n_used;
    if dropped > 0.0 {
        warnings.push(format!(
            "{dropped} of {} rows dropped because a used column was missing",
            s.n_read
        ));
    }
    warnings
}

#[cfg(test)]
#[path = "distributed_tests.rs"]
mod tests;
