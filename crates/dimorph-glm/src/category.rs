//! A categorical response (ordinal or nominal) for the cumulative link model ([`crate::ordinal`])
//! and the baseline-category logit ([`crate::multinom`]): the levels and their order, the
//! response coded 0..K−1, the design of the right-hand side from [`crate::design::model_frame`]
//! with aliased columns dropped, and the result both models share ([`CategoricalReport`]).
//!
//! Level order (Agresti, *Categorical Data Analysis*, 3rd ed., §8.2: the cumulative model needs
//! the order; the baseline-category model only the reference): numeric levels in numeric order,
//! text levels in order of first appearance in the file, or the order given with `--levels`.

use serde::Serialize;

use dimorph_core::dist::{pchisq_upper, qnorm, two_sided_normal};
use dimorph_core::{Location, TidyTable};
use dimorph_data::{Column, ColumnData, Frame};

use crate::design::{model_frame, ModelFrame};
use crate::error::{clip, clip_list, GlmError, Result};
use crate::expr::{r_number, Expr};
use crate::formula::{Formula, Response};
use crate::linalg::Cholesky;

/// The response levels in model order, with the (weighted) count of each among the used rows.
#[derive(Debug, Clone, Serialize)]
pub struct Levels {
    /// The response column.
    pub column: String,
    /// The levels, lowest first.
    pub names: Vec<String>,
    /// Σ weights (frequencies) of the used rows at each level.
    pub counts: Vec<f64>,
    /// How the order was chosen.
    pub order: String,
}

/// The coded data of a categorical model: y in 0..K−1 and X (without the intercept column for
/// the ordinal model, whose thresholds play its part).
#[derive(Debug, Clone)]
pub struct CategoricalData {
    pub levels: Levels,
    /// Category index of each used row.
    pub y: Vec<usize>,
    /// Row-major n × p.
    pub x: Vec<f64>,
    pub n: usize,
    pub p: usize,
    pub col_names: Vec<String>,
    /// Whether X has the intercept column (first).
    pub intercept: bool,
    /// Case weights (frequencies or prior weights), 1 when none.
    pub w: Vec<f64>,
    pub offset: Option<Vec<f64>>,
    /// Observations: Σ frequencies with `--freq`, else the used rows.
    pub n_obs: f64,
    pub n_read: usize,
    pub n_dropped: usize,
    /// Warnings from the coding (rows dropped, aliased columns).
    pub warnings: Vec<String>,
}

/// What [`prepare`] needs besides the data.
pub struct Prepare<'a> {
    /// `ordinal` or `multinomial`, for messages.
    pub model: &'a str,
    /// `--levels`.
    pub levels: Option<&'a [String]>,
    /// The weights or frequency column.
    pub weights: Option<&'a str>,
    pub freq: bool,
    /// Drop the intercept column (the ordinal thresholds replace it); refuse a formula without one.
    pub thresholds: bool,
}

/// The response column's cells as text (numbers in R's shortest form), and whether it is numeric.
fn response_cells(frame: &Frame, formula: &str, model: &str) -> Result<(usize, Vec<Option<String>>, bool)> {
    let f = Formula::parse(formula)?;
    let name = match f.response {
        Response::Single(Expr::Col(c)) => c,
        _ => {
            return Err(GlmError::argument(
                "--family",
                format!(
                    "{model}: the response must be one column of levels (not events/trials, cbind or an expression), got '{}'",
                    clip(&f.response_label)
                ),
            ))
        }
    };
    let Some(pos) = frame.columns.iter().position(|c| c.name == name) else {
        return Err(GlmError::input(
            Location::file(frame.source.clone()),
            format!("the response column '{}' is not in the data", clip(&name)),
        ));
    };
    Ok(match &frame.columns[pos].data {
        ColumnData::Num(v) => (
            pos,
            v.iter().map(|x| (!x.is_nan()).then(|| r_number(*x + 0.0))).collect(),
            true,
        ),
        ColumnData::Text { values, .. } => (pos, values.clone(), false),
    })
}

/// The levels in model order: `--levels` when given (every value must be listed), else numbers by
/// value and text by first appearance.
fn order_levels(
    frame: &Frame,
    name: &str,
    cells: &[Option<String>],
    numeric: bool,
    given: Option<&[String]>,
) -> Result<(Vec<String>, String)> {
    let mut seen: Vec<String> = Vec::new();
    for c in cells.iter().flatten() {
        if !seen.contains(c) {
            seen.push(c.clone());
        }
    }
    let same =
        |a: &str, b: &str| a == b || matches!((a.parse::<f64>(), b.trim().parse::<f64>()), (Ok(x), Ok(y)) if x == y);
    match given {
        Some(list) => {
            for (i, l) in list.iter().enumerate() {
                if list[..i].iter().any(|m| same(m, l)) {
                    return Err(GlmError::argument("--levels", format!("'{}' is listed twice", clip(l))));
                }
            }
            if let Some((i, c)) = cells
                .iter()
                .enumerate()
                .find_map(|(i, c)| c.as_ref().filter(|c| !list.iter().any(|l| same(c, l))).map(|c| (i, c)))
            {
                return Err(GlmError::input(
                    Location::file(frame.source.clone())
                        .line(frame.line_of(i))
                        .column(name.to_string()),
                    format!(
                        "the response value '{}' is not among --levels ({})",
                        clip(c),
                        clip_list(list)
                    ),
                ));
            }
            // spelled as in the data
            let names = list
                .iter()
                .map(|l| seen.iter().find(|s| same(s, l)).cloned().unwrap_or_else(|| l.clone()))
                .collect();
            Ok((names, "as given with --levels".into()))
        }
        None if numeric => {
            seen.sort_by(|a, b| {
                a.parse::<f64>()
                    .unwrap_or(f64::NAN)
                    .total_cmp(&b.parse::<f64>().unwrap_or(f64::NAN))
            });
            Ok((seen, "numeric levels in numeric order".into()))
        }
        None => Ok((
            seen,
            "text levels in order of first appearance (reorder with --levels)".into(),
        )),
    }
}

/// Codes the response, builds the design and checks the levels against the used rows.
pub fn prepare(frame: &Frame, formula: &str, opts: &Prepare) -> Result<CategoricalData> {
    let (pos, cells, numeric) = response_cells(frame, formula, opts.model)?;
    let name = frame.columns[pos].name.clone();
    let (names, order) = order_levels(frame, &name, &cells, numeric, opts.levels)?;
    let codes: Vec<f64> = cells
        .iter()
        .map(|c| match c {
            None => f64::NAN,
            Some(c) => names.iter().position(|l| l == c).map_or(f64::NAN, |k| k as f64),
        })
        .collect();
    let mut coded = frame.clone();
    coded.columns[pos] = Column {
        name: name.clone(),
        data: ColumnData::Num(codes),
    };
    let mf = model_frame(formula, &coded, opts.weights)?;
    if opts.thresholds && !mf.intercept {
        return Err(GlmError::argument(
            "--family",
            "ordinal: the formula has no intercept (- 1 or + 0), but the thresholds take its place; drop '- 1'",
        ));
    }
    let w = mf.weights.clone().unwrap_or_else(|| vec![1.0; mf.n]);
    let mut y: Vec<usize> = mf.y.iter().map(|v| *v as usize).collect();
    let mut counts = vec![0.0; names.len()];
    for (yi, wi) in y.iter().zip(&w) {
        counts[*yi] += wi;
    }
    let mut warnings = Vec::new();
    let mut names = names;
    if opts.levels.is_none() && counts.iter().any(|c| *c <= 0.0) {
        // levels seen only on rows dropped (missing values, zero weight): left out, and said so
        let empty: Vec<String> = names
            .iter()
            .zip(&counts)
            .filter(|(_, c)| **c <= 0.0)
            .map(|(l, _)| format!("'{}'", clip(l)))
            .collect();
        warnings.push(format!(
            "response level{} {} left out: seen only on rows not used (missing values or zero weight)",
            if empty.len() == 1 { "" } else { "s" },
            clip_list(&empty)
        ));
        let keep: Vec<usize> = (0..names.len()).filter(|k| counts[*k] > 0.0).collect();
        let new_index: Vec<usize> = (0..names.len())
            .map(|k| keep.iter().position(|j| *j == k).unwrap_or(0))
            .collect();
        y.iter_mut().for_each(|v| *v = new_index[*v]);
        names = keep.iter().map(|k| names[*k].clone()).collect();
        counts = keep.iter().map(|k| counts[*k]).collect();
    }
    if names.len() < 2 {
        return Err(GlmError::input(
            Location::file(frame.source.clone()).column(name.clone()),
            format!(
                "the response has {} level{} ({}); an {} model needs at least two",
                names.len(),
                if names.len() == 1 { "" } else { "s" },
                clip_list(&names.iter().map(|l| format!("'{l}'")).collect::<Vec<_>>()),
                opts.model
            ),
        ));
    }
    if let Some(k) = counts.iter().position(|c| *c <= 0.0) {
        return Err(GlmError::input(
            Location::file(frame.source.clone()).column(name.clone()),
            format!(
                "the response level '{}' is never observed in the {} rows used (with positive weight); its {} not identified — drop it from --levels",
                clip(&names[k]),
                mf.n,
                if opts.thresholds { "thresholds are" } else { "coefficients are" }
            ),
        ));
    }
    if mf.n_dropped > 0 {
        let what: Vec<String> = mf.missing.iter().map(|(c, k)| format!("{c}: {k}")).collect();
        warnings.push(format!(
            "{} of {} rows dropped for missing values ({})",
            mf.n_dropped,
            mf.n_read,
            what.join(", ")
        ));
    }
    let (x, p, col_names) = independent_columns(&mf, opts.thresholds, &mut warnings);
    let n_obs = if opts.freq { w.iter().sum() } else { mf.n as f64 };
    Ok(CategoricalData {
        levels: Levels {
            column: name,
            names,
            counts,
            order,
        },
        y,
        x,
        n: mf.n,
        p,
        col_names,
        intercept: mf.intercept && !opts.thresholds,
        w,
        offset: mf.offset.clone(),
        n_obs,
        n_read: mf.n_read,
        n_dropped: mf.n_dropped,
        warnings,
    })
}

/// X without aliased columns (each dependent on the columns before it, as R's QR drops them) and,
/// for `thresholds`, without the intercept column.
fn independent_columns(
    mf: &ModelFrame,
    thresholds: bool,
    warnings: &mut Vec<String>,
) -> (Vec<f64>, usize, Vec<String>) {
    let p = mf.p;
    let mut xtx = vec![0.0; p * p];
    for i in 0..mf.n {
        let r = mf.row(i);
        for a in 0..p {
            for b in 0..=a {
                xtx[a * p + b] += r[a] * r[b];
            }
        }
    }
    for a in 0..p {
        for b in a + 1..p {
            xtx[a * p + b] = xtx[b * p + a];
        }
    }
    let kept = Cholesky::new(&xtx, p).kept;
    if kept.len() < p {
        let dropped: Vec<&str> = (0..p)
            .filter(|j| !kept.contains(j))
            .map(|j| mf.col_names[j].as_str())
            .collect();
        warnings.push(format!(
            "the design is rank-deficient: {} dropped (linearly dependent on the columns before)",
            clip_list(&dropped)
        ));
    }
    let cols: Vec<usize> = kept
        .into_iter()
        .filter(|j| !(thresholds && mf.intercept && *j == 0))
        .collect();
    let mut x = Vec::with_capacity(mf.n * cols.len());
    for i in 0..mf.n {
        let r = mf.row(i);
        x.extend(cols.iter().map(|&j| r[j]));
    }
    let names = cols.iter().map(|&j| mf.col_names[j].clone()).collect();
    (x, cols.len(), names)
}

/// One estimated parameter.
#[derive(Debug, Clone, Serialize)]
pub struct CatCoef {
    /// The column of X (`x1`, `gb`), or the threshold `Low|Medium`.
    pub term: String,
    /// `threshold` or `slope` (ordinal); the response level of the logit (multinomial).
    pub kind: String,
    pub estimate: f64,
    pub se: f64,
    /// Wald z = estimate / se.
    pub z: f64,
    pub p_value: f64,
    /// Wald interval estimate ± z·se.
    pub ci: [f64; 2],
}

impl CatCoef {
    pub fn new(term: String, kind: String, estimate: f64, se: f64, level: f64) -> CatCoef {
        let z = estimate / se;
        let q = qnorm(0.5 + level / 2.0);
        CatCoef {
            term,
            kind,
            estimate,
            se,
            z,
            p_value: two_sided_normal(z),
            ci: [estimate - q * se, estimate + q * se],
        }
    }
}

/// A χ² test.
#[derive(Debug, Clone, Serialize)]
pub struct ChiSquareTest {
    pub chi_square: f64,
    pub df: usize,
    pub p_value: f64,
}

impl ChiSquareTest {
    pub fn new(chi_square: f64, df: usize) -> ChiSquareTest {
        ChiSquareTest {
            chi_square,
            df,
            p_value: pchisq_upper(chi_square, df as f64),
        }
    }
}

/// The fit of an ordinal or multinomial model.
#[derive(Debug, Clone, Serialize)]
pub struct CategoricalReport {
    /// `ordinal` or `multinomial`.
    pub model: String,
    pub formula: String,
    /// The link (`logit`, `probit`, `cloglog`, `loglog`).
    pub link: String,
    /// The model equation in the convention of the estimates.
    pub convention: String,
    pub levels: Levels,
    /// The reference level (multinomial).
    pub reference: Option<String>,
    /// Thresholds then slopes (ordinal, polr's signs); per non-reference level (multinomial).
    pub coefficients: Vec<CatCoef>,
    pub loglik: f64,
    /// −2 log-likelihood (R's deviance of polr and multinom).
    pub deviance: f64,
    /// −2 log-likelihood of the model without predictors (thresholds or intercepts only).
    pub null_deviance: f64,
    pub n_parameters: usize,
    pub aic: f64,
    pub bic: f64,
    pub n_obs: f64,
    pub n_used: usize,
    pub n_read: usize,
    /// Likelihood-ratio test against the model without predictors.
    pub lr_test: Option<ChiSquareTest>,
    /// The score test of the parallel lines (proportional odds) assumption (ordinal).
    pub parallel_score_test: Option<ChiSquareTest>,
    /// Why a test is not given.
    pub notes: Vec<String>,
    pub iterations: usize,
    pub converged: bool,
    pub level: f64,
}

impl CategoricalReport {
    /// The tidy tables: `coefficients` and `fit`.
    pub fn tables(&self) -> Vec<TidyTable> {
        let mut c = TidyTable::new(
            "coefficients",
            &[
                "term",
                "kind",
                "estimate",
                "std_error",
                "statistic",
                "p_value",
                "conf_low",
                "conf_high",
                "conf_method",
            ],
        );
        for k in &self.coefficients {
            c.push(vec![
                k.term.as_str().into(),
                k.kind.as_str().into(),
                k.estimate.into(),
                k.se.into(),
                k.z.into(),
                k.p_value.into(),
                k.ci[0].into(),
                k.ci[1].into(),
                "wald".into(),
            ]);
        }
        let mut f = TidyTable::new(
            "fit",
            &[
                "model",
                "link",
                "convention",
                "nobs",
                "levels",
                "loglik",
                "deviance",
                "null_deviance",
                "df",
                "aic",
                "bic",
                "lr_chisq",
                "lr_df",
                "lr_p",
                "po_score_chisq",
                "po_score_df",
                "po_score_p",
                "iterations",
                "converged",
            ],
        );
        let t = |x: &Option<ChiSquareTest>| match x {
            Some(t) => [t.chi_square.into(), (t.df as i64).into(), t.p_value.into()],
            None => [
                dimorph_core::Cell::Missing,
                dimorph_core::Cell::Missing,
                dimorph_core::Cell::Missing,
            ],
        };
        let mut row = vec![
            self.model.as_str().into(),
            self.link.as_str().into(),
            self.convention.as_str().into(),
            self.n_obs.into(),
            self.levels.names.join("<").into(),
            self.loglik.into(),
            self.deviance.into(),
            self.null_deviance.into(),
            self.n_parameters.into(),
            self.aic.into(),
            self.bic.into(),
        ];
        row.extend(t(&self.lr_test));
        row.extend(t(&self.parallel_score_test));
        row.push(self.iterations.into());
        row.push(self.converged.into());
        f.push(row);
        vec![c, f]
    }

    /// The headline lines.
    pub fn summary(&self) -> Vec<String> {
        use dimorph_report::fmt::{fixed, sig};
        let mut out = vec![format!(
            "glm {}: {} ({} link), {} levels of {} ({}); {} observations",
            self.formula,
            self.model,
            self.link,
            self.levels.names.len(),
            self.levels.column,
            self.levels
                .names
                .iter()
                .map(|l| clip(l))
                .collect::<Vec<_>>()
                .join(" < "),
            sig(self.n_obs, 12)
        )];
        out.push(format!(
            "-2 log L {} (null {}); AIC {}",
            fixed(self.deviance, 4),
            fixed(self.null_deviance, 4),
            fixed(self.aic, 3)
        ));
        out
    }
}

/// Flags a fit at the edge of the parameter space: `p_obs` the fitted probability of each used
/// row's observed category (weight > 0).
pub fn separation_warnings(p_obs: &[f64], w: &[f64], loglik: f64, converged: bool, max_iter: usize) -> Vec<String> {
    let mut out = Vec::new();
    if !converged {
        out.push(format!(
            "the fit did not converge in {max_iter} iterations; the estimates are not the maximum (raise --max-iter, or look for separation)"
        ));
    }
    let n_one = p_obs
        .iter()
        .zip(w)
        .filter(|(p, w)| **w > 0.0 && **p > 1.0 - 1e-8)
        .count();
    let n_pos = w.iter().filter(|w| **w > 0.0).count();
    if n_one == n_pos && loglik > -1e-6 * n_pos as f64 {
        out.push(
            "complete separation: the model predicts every observed category with probability 1; the maximum likelihood estimates do not exist (they grow without bound) and the estimates and standard errors shown are meaningless — drop or combine predictors"
                .into(),
        );
    } else if n_one > 0 {
        out.push(format!(
            "fitted probabilities numerically 0 or 1 occurred for {n_one} of {n_pos} rows: quasi-complete separation is likely, some estimates may be infinite (their standard errors are then huge)"
        ));
    }
    out
}

/// Inverse of a symmetric positive definite matrix (row-major q × q), `None` when it is not.
pub fn inverse_pd(a: &[f64], q: usize) -> Option<Vec<f64>> {
    let cols: Vec<usize> = (0..q).collect();
    Cholesky::on(a, q, &cols).map(|c| c.inverse())
}

/// Solves a symmetric positive definite system, adding a ridge to the diagonal until it factors
/// (a Levenberg–Marquardt step far from the maximum); `None` when no ridge helps.
pub fn solve_ridged(a: &[f64], q: usize, b: &[f64]) -> Option<Vec<f64>> {
    let cols: Vec<usize> = (0..q).collect();
    let scale = (0..q).map(|i| a[i * q + i].abs()).fold(0.0, f64::max).max(1e-300);
    let mut ridge = 0.0;
    for _ in 0..30 {
        let mut m = a.to_vec();
        for i in 0..q {
            m[i * q + i] += ridge;
        }
        if let Some(c) = Cholesky::on(&m, q, &cols) {
            let s = c.solve(b);
            if s.iter().all(|v| v.is_finite()) {
                return Some(s);
            }
        }
        ridge = if ridge == 0.0 { 1e-10 * scale } else { ridge * 10.0 };
    }
    None
}

/// Log-likelihood, gradient and negative Hessian at a parameter vector.
pub struct Eval {
    pub loglik: f64,
    pub grad: Vec<f64>,
    /// Row-major q × q.
    pub neg_hess: Vec<f64>,
    /// The fitted probability of each row's observed category.
    pub p_obs: Vec<f64>,
}

/// The maximum: θ̂, the evaluation there, iterations, whether it converged.
pub struct Fitted {
    pub theta: Vec<f64>,
    pub at: Eval,
    pub iterations: usize,
    pub converged: bool,
}

/// Newton–Raphson ascent from `theta` (evaluated as `at`) with step halving and a ridge where
/// the Hessian is not negative definite; converged when the relative change of the
/// log-likelihood is below `tol` twice in a row (so one more Newton step follows the first), or
/// the Newton decrement vanishes.
pub fn maximize(
    mut theta: Vec<f64>,
    mut at: Eval,
    eval: impl Fn(&[f64]) -> Option<Eval>,
    tol: f64,
    max_iter: usize,
) -> Fitted {
    let mut calm = 0;
    for it in 1..=max_iter {
        dimorph_core::interrupt::poll();
        let q = theta.len();
        if q == 0 {
            return Fitted {
                theta,
                at,
                iterations: 0,
                converged: true,
            };
        }
        let Some(step) = solve_ridged(&at.neg_hess, q, &at.grad) else {
            return Fitted {
                theta,
                at,
                iterations: it,
                converged: false,
            };
        };
        let decrement: f64 = step.iter().zip(&at.grad).map(|(s, g)| s * g).sum();
        let mut t = 1.0;
        let mut next = None;
        for _ in 0..40 {
            let cand: Vec<f64> = theta.iter().zip(&step).map(|(a, s)| a + t * s).collect();
            if let Some(e) = eval(&cand) {
                if e.loglik >= at.loglik - 1e-12 * at.loglik.abs() {
                    next = Some((cand, e));
                    break;
                }
            }
            t /= 2.0;
        }
        let Some((cand, e)) = next else {
            // no ascent along the Newton direction: at the maximum to working precision
            let converged = decrement.abs() < 1e-6 * (at.loglik.abs() + 1.0);
            return Fitted {
                theta,
                at,
                iterations: it,
                converged,
            };
        };
        let change = (e.loglik - at.loglik).abs() / (e.loglik.abs() + 0.1);
        theta = cand;
        at = e;
        calm = if change < tol { calm + 1 } else { 0 };
        if calm >= 2 || decrement.abs() < 1e-20 * (at.loglik.abs() + 1.0) {
            return Fitted {
                theta,
                at,
                iterations: it,
                converged: true,
            };
        }
    }
    Fitted {
        theta,
        at,
        iterations: max_iter,
        converged: false,
    }
}
