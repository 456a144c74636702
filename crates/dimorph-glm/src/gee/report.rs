//! What a GEE fit reports: the typed [`GeeReport`], its text (geepack's `summary.geeglm` with
//! both standard errors side by side, then SAS GENMOD's "GEE Fit Criteria"), and the tidy tables
//! `coefficients` (broom's `tidy` of a `geeglm`, with the naive SE as an extra column), `gee_fit`
//! (one row: the fit's figures, QIC) and `gee_correlation` (the working-correlation parameters).

use dimorph_core::TidyTable;
use dimorph_report::fmt::{p_r, sig};
use dimorph_report::{Section, Table};
use serde::Serialize;

use crate::report::num::{note_na, sg};

use super::qic::Qic;

/// One coefficient: estimate, both standard errors, the Wald z test and interval on the
/// empirical one.
#[derive(Debug, Clone, Serialize)]
pub struct GeeCoef {
    pub name: String,
    pub estimate: f64,
    /// Model-based ("naive") standard error.
    pub se_naive: f64,
    /// Empirical (sandwich, "robust") standard error.
    pub se_robust: f64,
    /// estimate / se_robust.
    pub z: f64,
    /// geepack's "Wald" χ²₁ = z².
    pub wald_chi2: f64,
    pub p_value: f64,
    pub conf_low: f64,
    pub conf_high: f64,
}

/// The result of `dimorph glm --gee`.
#[derive(Debug, Clone, Serialize)]
pub struct GeeReport {
    pub formula: String,
    pub family: String,
    pub link: String,
    /// geepack's name of the working correlation.
    pub corstr: String,
    pub id: String,
    pub waves: Option<String>,
    pub n_read: usize,
    pub n_used: usize,
    pub n_dropped: usize,
    pub clusters: usize,
    pub cluster_size_min: usize,
    pub cluster_size_max: usize,
    pub coefficients: Vec<GeeCoef>,
    /// Aliased columns left out (R's "not defined because of singularities").
    pub aliased: Vec<String>,
    /// The estimated scale φ.
    pub scale: f64,
    /// The working-correlation parameters (name, value).
    pub alpha: Vec<(String, f64)>,
    /// `None` for a family without a quasi-likelihood here (the reason in `qic_note`).
    pub qic: Option<Qic>,
    pub qic_note: Option<String>,
    pub level: f64,
    pub iterations: usize,
    pub converged: bool,
    /// Largest absolute parameter change of the last iteration.
    pub last_step: f64,
}

impl GeeReport {
    /// The report text.
    pub fn section(&self) -> Section {
        let mut s = Section::new(format!(
            "GEE: {}  ({}, link = {}; working correlation {})",
            self.formula, self.family, self.link, self.corstr
        ));
        let waves = self
            .waves
            .as_ref()
            .map_or("the order of the rows".to_string(), |w| format!("column {w}"));
        s.text(format!(
            "Clusters: {} by {} (sizes {} to {}), waves from {}; {} of {} rows used.",
            self.clusters, self.id, self.cluster_size_min, self.cluster_size_max, waves, self.n_used, self.n_read
        ));
        s.table(self.coef_table());
        if !self.aliased.is_empty() {
            s.text(format!("Not estimated (aliased): {}.", self.aliased.join(", ")));
        }
        let mut t = Table::new("Scale and working correlation", &["parameter", "estimate"]);
        t.row(["scale (phi)".to_string(), sg(self.scale, 6)]);
        for (n, a) in &self.alpha {
            t.row([n.clone(), sg(*a, 6)]);
        }
        s.table(t);
        s.table(self.criteria());
        let it = if self.converged {
            format!(
                "Converged in {} iterations (largest change {}).",
                self.iterations,
                sig(self.last_step, 2)
            )
        } else {
            format!(
                "NOT CONVERGED after {} iterations (largest change {}): the estimates are not a solution of the estimating equations; raise --max-iter.",
                self.iterations,
                sig(self.last_step, 2)
            )
        };
        s.text(it);
        s
    }

    fn coef_table(&self) -> Table {
        let pct = (self.level * 100.0).to_string();
        let mut t = Table::new(
            "Coefficients (z tests and intervals on the empirical standard errors, as geepack's san.se and SAS's empirical estimates)",
            &["", "Estimate", "Naive S.E.", "Robust S.E.", "Wald", "z", "Pr(>|z|)", &format!("{pct}% lower"), &format!("{pct}% upper")],
        );
        for c in &self.coefficients {
            t.row([
                c.name.clone(),
                sg(c.estimate, 7),
                sg(c.se_naive, 5),
                sg(c.se_robust, 5),
                sg(c.wald_chi2, 4),
                sg(c.z, 4),
                p_r(c.p_value),
                sg(c.conf_low, 6),
                sg(c.conf_high, 6),
            ]);
        }
        note_na(&mut t, "not estimable (an empirical variance that is not positive).");
        t
    }

    fn criteria(&self) -> Table {
        let mut t = Table::new("GEE Fit Criteria (geepack::QIC; Pan 2001)", &["criterion", "value"]);
        match &self.qic {
            Some(q) => {
                for (n, v) in [
                    ("QIC", q.qic),
                    ("QICu", q.qicu),
                    ("Quasi likelihood", q.quasi_likelihood),
                    ("CIC (trace term)", q.cic),
                    ("QICC", q.qicc),
                ] {
                    t.row([n.to_string(), sg(v, 8)]);
                }
                note_na(&mut t, "QICC needs more clusters than parameters + 1.");
            }
            None => {
                t.note(self.qic_note.clone().unwrap_or_default());
            }
        }
        t
    }

    /// The coefficients, broom's `tidy` shape.
    pub fn coefficients_table(&self) -> TidyTable {
        let mut t = TidyTable::new(
            "coefficients",
            &[
                "term",
                "estimate",
                "std_error",
                "statistic",
                "p_value",
                "conf_low",
                "conf_high",
                "conf_method",
                "std_error_type",
                "std_error_naive",
            ],
        );
        let se_type = format!("empirical (sandwich) by {}", self.id);
        for c in &self.coefficients {
            t.push(vec![
                c.name.as_str().into(),
                c.estimate.into(),
                c.se_robust.into(),
                c.z.into(),
                c.p_value.into(),
                c.conf_low.into(),
                c.conf_high.into(),
                "wald".into(),
                se_type.as_str().into(),
                c.se_naive.into(),
            ]);
        }
        t
    }

    /// One row of the fit's figures.
    pub fn fit_table(&self) -> TidyTable {
        let mut t = TidyTable::new(
            "gee_fit",
            &[
                "family",
                "link",
                "corstr",
                "id",
                "clusters",
                "nobs",
                "scale",
                "qic",
                "qicu",
                "quasi_likelihood",
                "cic",
                "qicc",
                "iterations",
                "converged",
            ],
        );
        let q = |f: fn(&Qic) -> f64| self.qic.as_ref().map(f);
        t.push(vec![
            self.family.as_str().into(),
            self.link.as_str().into(),
            self.corstr.as_str().into(),
            self.id.as_str().into(),
            self.clusters.into(),
            self.n_used.into(),
            self.scale.into(),
            q(|q| q.qic).into(),
            q(|q| q.qicu).into(),
            q(|q| q.quasi_likelihood).into(),
            q(|q| q.cic).into(),
            q(|q| q.qicc).into(),
            self.iterations.into(),
            self.converged.into(),
        ]);
        t
    }

    /// The working-correlation parameters.
    pub fn correlation_table(&self) -> TidyTable {
        let mut t = TidyTable::new("gee_correlation", &["parameter", "estimate"]);
        for (n, a) in &self.alpha {
            t.push(vec![n.as_str().into(), (*a).into()]);
        }
        t
    }
}
