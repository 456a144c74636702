//! The distributed fit ([`crate::distributed`]) over parts held in this process: a frame cut
//! into consecutive row ranges, each coded as the Dask driver codes a partition (levels listed
//! per part and merged), and [`Passes`] that sum the parts in order. The unit tests of
//! `distributed` and the integration tests over parts (`tests/distributed_sqrt.rs`,
//! `tests/null_start.rs`) compare it with the fit in memory; it is not an engine of its own.

use dimorph_data::{Column, ColumnData, Frame};

use crate::distributed::{
    add_pass, design_part, fisher_sums, fit, merge_levels, newton_sums, part_levels, stat_sums, theta_part_sums,
    DistFit, Layout, Newton, NullMu, Part, PartLevels, Passes, StatQuery, StatSums,
};
use crate::distributed_score::{score_sums, score_test, ScorePasses, ScoreSums};
use crate::error::{GlmError, Result};
use crate::family::Family;
#[cfg(test)]
use crate::fit::GlmFit;
use crate::inference::ScoreTest;
use crate::irls::Pass;
use crate::link::Link;
use crate::negbin::ThetaSums;
use crate::options::GlmOptions;

/// The parts in one process: each pass sums over them in order.
pub struct Local {
    pub parts: Vec<Part>,
    pub family: Family,
    pub link: Link,
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
    fn set_family(&mut self, family: Family) -> Result<()> {
        self.family = family;
        Ok(())
    }
    fn theta(&mut self, beta: &[f64], theta: Option<f64>) -> Result<ThetaSums> {
        let mut acc = ThetaSums::default();
        for p in &self.parts {
            acc.add(&theta_part_sums(p, beta, theta, self.link));
        }
        Ok(acc)
    }
}

impl ScorePasses for Local {
    fn score(&mut self, null: NullMu, intercept: bool, kept: &[usize]) -> Result<ScoreSums> {
        let mut acc = ScoreSums::zero(kept.len());
        for (k, p) in self.parts.iter().enumerate() {
            acc.add(k, &score_sums(p, null, intercept, kept, self.family, self.link));
        }
        Ok(acc)
    }
}

/// Rows `lo..hi` of a frame, as a partition of it (its line numbers kept for messages).
pub fn rows(f: &Frame, lo: usize, hi: usize) -> Frame {
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
    let mut out = Frame::from_columns(&f.source, cols).expect("rows of a valid frame");
    out.first_line = f.first_line + lo;
    out
}

/// `formula` over `frame` cut into `k` consecutive parts: the parts coded with the merged levels
/// (`Local`) and the layout of the fit.
pub fn parts(formula: &str, frame: &Frame, k: usize, opts: &GlmOptions) -> Result<(Local, Layout)> {
    parts_weighted(formula, frame, k, None, opts)
}

/// [`parts`] with the column `weights` as the weights (prior, or frequencies when
/// `opts.frequency_weights`).
pub fn parts_weighted(
    formula: &str,
    frame: &Frame,
    k: usize,
    weights: Option<&str>,
    opts: &GlmOptions,
) -> Result<(Local, Layout)> {
    let n = frame.nrows;
    let frames: Vec<Frame> = (0..k).map(|i| rows(frame, i * n / k, (i + 1) * n / k)).collect();
    let levels = frames
        .iter()
        .map(|f| part_levels(formula, f, weights))
        .collect::<Result<Vec<PartLevels>>>()?;
    let spec = merge_levels(formula, &frame.names(), weights, &levels, &frame.source)?;
    let parts = frames
        .iter()
        .map(|f| design_part(&spec, f, weights, opts.family))
        .collect::<Result<Vec<Part>>>()?;
    let cols = parts
        .iter()
        .find(|p| p.n > 0)
        .map(|p| p.col_names.clone())
        .unwrap_or_default();
    let link = opts.link.unwrap_or_else(|| opts.family.canonical_link());
    let local = Local {
        parts,
        family: opts.family,
        link,
    };
    Ok((local, Layout::new(&spec, cols)))
}

/// The distributed fit of `formula` over `frame` cut into `k` consecutive parts.
pub fn fit_over_parts(formula: &str, frame: &Frame, k: usize, opts: &GlmOptions) -> Result<DistFit> {
    let (mut local, layout) = parts(formula, frame, k, opts)?;
    fit(&mut local, &layout, opts)
}

/// [`fit_over_parts`] with the weights column `weights`, and Rao's score test against the null
/// model over the same parts ([`score_test`]).
pub fn fit_and_score_over_parts(
    formula: &str,
    frame: &Frame,
    k: usize,
    weights: Option<&str>,
    opts: &GlmOptions,
) -> Result<(DistFit, ScoreTest)> {
    let (mut local, layout) = parts_weighted(formula, frame, k, weights, opts)?;
    let d = fit(&mut local, &layout, opts)?;
    let link = local.link;
    let s = score_test(&mut local, &d, layout.intercept, link)?;
    Ok((d, s))
}

/// Asserts that a fit over parts `d` (distributed, streamed) equals the fit in memory `s` of
/// the same rows: the coefficient names, iterations, rank and kept columns exactly;
/// coefficients, both SEs, the observed covariance, deviance, null deviance, Pearson's χ²,
/// dispersion, the log-likelihoods (full, kernel, null), AIC, BIC, residual and null df and the
/// row count to `tol` (relative, or absolute below 1; NaN equals NaN). `label` names the case in
/// the panic message. A test helper: it panics, so it is compiled for this crate's own tests only.
#[cfg(test)]
pub(crate) fn assert_same_fit(label: &str, d: &DistFit, s: &GlmFit, tol: f64) {
    let close = |what: &str, a: f64, b: f64| {
        let ok = (a.is_nan() && b.is_nan()) || (a - b).abs() <= tol * b.abs().max(1.0);
        assert!(ok, "{label}: {what}: over parts {a} vs in memory {b}");
    };
    assert_eq!(d.coef_names, s.coef_names, "{label}");
    for j in 0..s.coef.len() {
        close("coef", d.coef[j], s.coef[j]);
        close("se", d.se_expected[j], s.se_expected[j]);
        close("se (observed)", d.se_observed[j], s.se_observed[j]);
    }
    for (a, b) in d.cov_observed.iter().zip(&s.cov_observed) {
        close("covariance (observed)", *a, *b);
    }
    assert_eq!(d.cov_observed.len(), s.cov_observed.len(), "{label}");
    assert_eq!(d.kept, s.kept, "{label}: kept columns");
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
    close("n", d.n_obs, s.n_obs);
    assert_eq!(d.iterations, s.iterations, "{label}: iterations");
    assert_eq!(d.rank, s.rank, "{label}: rank");
}
