//! One analysis = one [`GlmReport`]: the fit, its inference and (for binary responses) the
//! PROC LOGISTIC extras, rendered three ways: an R `summary.glm`-like text, the SAS GENMOD and
//! PROC LOGISTIC blocks (as a [`Section`]), and JSON (the struct itself, via serde).

use serde::Serialize;
use std::fmt::Write as _;

use dimorph_report::fmt::{count, fixed, p_r, p_sas, sig, stars};
use dimorph_report::{Section, Table};

use crate::binary::{self, Association, HosmerLemeshow};
use crate::design::ModelFrame;
use crate::error::Result;
use crate::fit::{fit, GlmFit, GlmOptions};
use crate::inference::{chi2_sf, infer, Inference};
use crate::link::Link;

/// What to compute beyond the fit.
#[derive(Debug, Clone)]
pub struct AnalysisOptions {
    /// Confidence level of all intervals.
    pub level: f64,
    /// Profile-likelihood intervals (one constrained refit per limit).
    pub profile: bool,
    /// SAS's BINWIDTH for the association statistics.
    pub binwidth: f64,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        AnalysisOptions {
            level: 0.95,
            profile: true,
            binwidth: 0.002,
        }
    }
}

/// PROC LOGISTIC's "Model Fit Statistics" (kernel log-likelihood, SAS's parameter counts).
#[derive(Debug, Clone, Serialize)]
pub struct FitStatistics {
    pub aic_intercept_only: f64,
    pub aic: f64,
    /// SC = −2 log L + k log N with N the number of (expanded) observations.
    pub sc_intercept_only: f64,
    pub sc: f64,
    pub minus2_log_l_intercept_only: f64,
    pub minus2_log_l: f64,
}

/// Extras for binary responses.
#[derive(Debug, Clone, Serialize)]
pub struct BinaryExtras {
    pub fit_statistics: FitStatistics,
    pub association: Association,
    pub hosmer_lemeshow: HosmerLemeshow,
    /// Standardized estimates, one per coefficient (NaN for the intercept).
    pub standardized: Vec<f64>,
}

/// Everything one `dimorph glm` run reports. Field names are stable (see the README).
#[derive(Debug, Clone, Serialize)]
pub struct GlmReport {
    pub formula: String,
    pub data: String,
    pub fit: GlmFit,
    pub inference: Inference,
    pub binary: Option<BinaryExtras>,
}

/// Fits and infers.
pub fn analyze(mf: &ModelFrame, formula: &str, opts: &GlmOptions, aopts: &AnalysisOptions) -> Result<GlmReport> {
    let f = fit(mf, opts)?;
    let inference = infer(mf, &f, aopts.level, aopts.profile && f.family.has_likelihood());
    let binary = (f.family.is_binomial() && f.family.has_likelihood()).then(|| {
        let n_exp: f64 = (0..mf.n)
            .filter(|&i| f.prior[i] > 0.0)
            .map(|i| f.n_trials[i] * f.freq[i])
            .sum();
        let k = f.rank as f64;
        let k0 = if mf.intercept { 1.0 } else { 0.0 };
        let m2 = -2.0 * f.loglik_kernel;
        let m20 = -2.0 * f.null_loglik_kernel;
        BinaryExtras {
            fit_statistics: FitStatistics {
                aic_intercept_only: m20 + 2.0 * k0,
                aic: m2 + 2.0 * k,
                sc_intercept_only: m20 + k0 * n_exp.ln(),
                sc: m2 + k * n_exp.ln(),
                minus2_log_l_intercept_only: m20,
                minus2_log_l: m2,
            },
            association: binary::association(mf, &f, aopts.binwidth),
            hosmer_lemeshow: binary::hosmer_lemeshow(mf, &f),
            standardized: binary::standardized_estimates(mf, &f),
        }
    });
    Ok(GlmReport {
        formula: formula.to_string(),
        data: mf.source.clone(),
        fit: f,
        inference,
        binary,
    })
}

/// Decimals that give every value at least `digits` significant digits (R's `format` on a
/// column), capped.
fn common_decimals(vals: &[f64], digits: i32, cap: usize) -> usize {
    vals.iter()
        .filter(|v| v.is_finite() && **v != 0.0)
        .map(|v| (digits - 1 - v.abs().log10().floor() as i32).max(0) as usize)
        .max()
        .unwrap_or(0)
        .min(cap)
}

fn na(x: f64, s: String) -> String {
    if x.is_nan() {
        "NA".into()
    } else {
        s
    }
}

impl GlmReport {
    /// R's `summary.glm` printout.
    pub fn r_summary(&self) -> String {
        let f = &self.fit;
        let inf = &self.inference;
        let mut o = String::new();
        let fam = match f.family {
            crate::family::Family::NegBin { .. } if f.theta.is_some() => format!(
                "Negative Binomial({})",
                sig(f.theta.as_ref().map_or(f64::NAN, |t| t.theta), 4)
            ),
            _ => f.family.name(),
        };
        let _ = writeln!(
            o,
            "Call:  glm(formula = {}, family = {}(link = \"{}\"), data = {})\n",
            self.formula,
            fam,
            f.link.name(),
            self.data
        );
        let _ = writeln!(o, "Coefficients:");
        let est_se: Vec<f64> = inf.coefficients.iter().flat_map(|c| [c.estimate, c.se]).collect();
        let d = common_decimals(&est_se, 4, 10);
        let tname = if f.dispersion_estimated() {
            ("t value", "Pr(>|t|)")
        } else {
            ("z value", "Pr(>|z|)")
        };
        let mut t = Table::new("", &["", "Estimate", "Std. Error", tname.0, tname.1, ""]);
        for c in &inf.coefficients {
            t.row([
                c.name.clone(),
                na(c.estimate, fixed(c.estimate, d)),
                na(c.estimate, fixed(c.se, d)),
                na(c.estimate, fixed(c.statistic, 3)),
                na(c.estimate, p_r(c.p_value)),
                stars(c.p_value).to_string(),
            ]);
        }
        o.push_str(&t.to_text());
        let _ = writeln!(
            o,
            "---\nSignif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1\n"
        );
        if f.dispersion_estimated() {
            let _ = writeln!(
                o,
                "(Dispersion parameter for {} family taken to be {})\n",
                f.family.name(),
                sig(f.dispersion, 7)
            );
        } else {
            let _ = writeln!(o, "(Dispersion parameter for {} family taken to be 1)\n", fam);
        }
        let _ = writeln!(
            o,
            "    Null deviance: {}  on {}  degrees of freedom",
            sig(f.null_deviance, 5),
            f.df_null
        );
        let _ = writeln!(
            o,
            "Residual deviance: {}  on {}  degrees of freedom",
            sig(f.deviance, 5),
            f.df_residual
        );
        if !f.aliased.is_empty() {
            let _ = writeln!(o, "  ({} not defined because of singularities)", f.aliased.len());
        }
        let _ = writeln!(o, "AIC: {}\n", if f.aic.is_nan() { "NA".into() } else { sig(f.aic, 5) });
        let _ = writeln!(o, "Number of Fisher Scoring iterations: {}", f.iterations);
        if let Some(t) = &f.theta {
            let _ = writeln!(
                o,
                "\n              Theta:  {}\n          Std. Err.:  {}\n 2 x log-likelihood:  {}",
                sig(t.theta, 5),
                sig(t.se, 5),
                fixed(2.0 * f.loglik, 3)
            );
        }
        o
    }

    /// The analysis as a report section: R summary, SAS GENMOD blocks, PROC LOGISTIC blocks.
    pub fn section(&self, title: &str) -> Section {
        let f = &self.fit;
        let inf = &self.inference;
        let mut s = Section::new(title);
        if f.n_dropped > 0 {
            s.text(format!(
                "{} of {} rows were dropped because a column used by the model was missing.",
                f.n_dropped, f.n_read
            ));
        }
        for w in &f.warnings {
            if !w.contains("rows dropped") {
                s.text(format!("Warning: {w}"));
            }
        }
        s.pre(self.r_summary());

        // SAS GENMOD
        let mut mi = Table::new("The GENMOD Procedure — Model Information", &["Description", "Value"]);
        mi.row(["Data Set".to_string(), self.data.clone()]);
        mi.row(["Distribution".to_string(), f.family.sas_name().to_string()]);
        mi.row(["Link Function".to_string(), sas_link(f.link)]);
        mi.row(["Dependent Variable".to_string(), f.response.clone()]);
        mi.row(["Number of Observations Read".to_string(), f.n_read.to_string()]);
        mi.row(["Number of Observations Used".to_string(), f.n_used.to_string()]);
        if let (Some(e), Some(t)) = (f.events, f.trials) {
            mi.row(["Number Of Events".to_string(), count(e)]);
            mi.row(["Number Of Trials".to_string(), count(t)]);
        }
        s.table(mi);

        let df = f.df_residual;
        let mut gof = Table::new(
            "Criteria For Assessing Goodness Of Fit",
            &["Criterion", "DF", "Value", "Value/DF"],
        );
        let per = |v: f64| fixed(v / df, 4);
        gof.row(["Deviance".to_string(), count(df), fixed(f.deviance, 4), per(f.deviance)]);
        gof.row([
            "Scaled Deviance".to_string(),
            count(df),
            fixed(f.scaled_deviance, 4),
            per(f.scaled_deviance),
        ]);
        gof.row([
            "Pearson Chi-Square".to_string(),
            count(df),
            fixed(f.pearson_chi2, 4),
            per(f.pearson_chi2),
        ]);
        gof.row([
            "Scaled Pearson X2".to_string(),
            count(df),
            fixed(f.scaled_pearson_chi2, 4),
            per(f.scaled_pearson_chi2),
        ]);
        if f.family.has_likelihood() {
            gof.row([
                "Log Likelihood".to_string(),
                String::new(),
                fixed(f.loglik_kernel, 4),
                String::new(),
            ]);
            gof.row([
                "Full Log Likelihood".to_string(),
                String::new(),
                fixed(f.loglik, 4),
                String::new(),
            ]);
            gof.row([
                "AIC (smaller is better)".to_string(),
                String::new(),
                fixed(f.aic, 4),
                String::new(),
            ]);
            gof.row([
                "AICC (smaller is better)".to_string(),
                String::new(),
                fixed(f.aicc, 4),
                String::new(),
            ]);
            gof.row([
                "BIC (smaller is better)".to_string(),
                String::new(),
                fixed(f.bic, 4),
                String::new(),
            ]);
        }
        s.table(gof);

        let pct = fixed(100.0 * inf.level, 0);
        let mut pe = Table::new(
            "Analysis Of Maximum Likelihood Parameter Estimates (observed-information standard errors, as GENMOD)",
            &[
                "Parameter",
                "DF",
                "Estimate",
                "Standard Error",
                &format!("Wald {pct}% Lower"),
                &format!("Wald {pct}% Upper"),
                "Wald Chi-Square",
                "Pr > ChiSq",
            ],
        );
        for c in &inf.coefficients {
            if c.estimate.is_nan() {
                pe.row([
                    sas_param(&c.name),
                    "0".into(),
                    "0.0000".into(),
                    ".".into(),
                    ".".into(),
                    ".".into(),
                    ".".into(),
                    ".".into(),
                ]);
                continue;
            }
            pe.row([
                sas_param(&c.name),
                "1".into(),
                fixed(c.estimate, 4),
                fixed(c.se_observed, 4),
                fixed(c.wald_ci_observed[0], 4),
                fixed(c.wald_ci_observed[1], 4),
                fixed(c.wald_chi2, 2),
                p_sas(c.wald_p),
            ]);
        }
        let scale_df = "0";
        let (sname, sval) = match (&f.theta, f.dispersion_estimated()) {
            (Some(t), _) => ("Dispersion", 1.0 / t.theta),
            (None, true) => ("Scale", f.dispersion.sqrt()),
            (None, false) => ("Scale", 1.0),
        };
        pe.row([
            sname.to_string(),
            scale_df.into(),
            fixed(sval, 4),
            "0.0000".into(),
            fixed(sval, 4),
            fixed(sval, 4),
            String::new(),
            String::new(),
        ]);
        if f.dispersion_estimated() {
            pe.note(format!(
                "NOTE: The scale parameter was estimated by the square root of {} / DOF.",
                if matches!(f.dispersion_method, crate::fit::Dispersion::Deviance) {
                    "DEVIANCE"
                } else {
                    "Pearson's Chi-Square"
                }
            ));
        } else if f.theta.is_none() {
            pe.note("NOTE: The scale parameter was held fixed.");
        }
        s.table(pe);

        let has_prof = inf
            .coefficients
            .iter()
            .any(|c| c.profile_ci[0].is_finite() || c.profile_ci[1].is_finite());
        if has_prof {
            let mut pr = Table::new(
                format!("Profile-likelihood and Wald {pct}% confidence intervals (Wald with expected-information SE, as R's confint.default)"),
                &["Parameter", "Estimate", "Profile Lower", "Profile Upper", "Wald Lower", "Wald Upper"],
            );
            for c in inf.coefficients.iter().filter(|c| c.estimate.is_finite()) {
                pr.row([
                    c.name.clone(),
                    fixed(c.estimate, 4),
                    fixed(c.profile_ci[0], 4),
                    fixed(c.profile_ci[1], 4),
                    fixed(c.wald_ci[0], 4),
                    fixed(c.wald_ci[1], 4),
                ]);
            }
            s.table(pr);
        }
        if let Some(first) = inf.coefficients.iter().find(|c| c.exp.is_some()) {
            let _ = first;
            let what = if f.link == Link::Logit {
                "Odds ratio"
            } else {
                "Ratio (rate or risk)"
            };
            let mut er = Table::new(
                format!("{what} estimates exp(β)"),
                &[
                    "Effect",
                    "Point Estimate",
                    "Profile Lower",
                    "Profile Upper",
                    "Wald Lower",
                    "Wald Upper",
                ],
            );
            for c in inf
                .coefficients
                .iter()
                .skip(usize::from(f.coef_names.first().is_some_and(|n| n == "(Intercept)")))
            {
                if let Some(e) = &c.exp {
                    er.row([
                        c.name.clone(),
                        fixed(e.estimate, 3),
                        fixed(e.profile_ci[0], 3),
                        fixed(e.profile_ci[1], 3),
                        fixed(e.wald_ci[0], 3),
                        fixed(e.wald_ci[1], 3),
                    ]);
                }
            }
            s.table(er);
        }
        if !inf.type3.is_empty() {
            let est = f.dispersion_estimated();
            let hdr: Vec<&str> = if est {
                vec![
                    "Source",
                    "DF",
                    "Chi-Square",
                    "Pr > ChiSq",
                    "F Value",
                    "Pr > F",
                    "Wald Chi-Square",
                    "Pr > ChiSq",
                ]
            } else {
                vec![
                    "Source",
                    "DF",
                    "LR Chi-Square",
                    "Pr > ChiSq",
                    "Wald Chi-Square",
                    "Pr > ChiSq",
                ]
            };
            let mut t3 = Table::new("Type 3 Analysis (likelihood ratio and Wald)", &hdr);
            for t in &inf.type3 {
                let mut r = vec![t.term.clone(), t.df.to_string(), fixed(t.lr_chi2, 2), p_sas(t.lr_p)];
                if est {
                    r.push(fixed(t.f, 2));
                    r.push(p_sas(t.f_p));
                }
                r.push(fixed(t.wald_chi2, 2));
                r.push(p_sas(t.wald_p));
                t3.row(r);
            }
            s.table(t3);
        }

        // PROC LOGISTIC fits the binary links only
        let logistic_link = matches!(f.link, Link::Logit | Link::Probit | Link::Cloglog | Link::Loglog);
        if let Some(b) = self.binary.as_ref().filter(|_| logistic_link) {
            let fs = &b.fit_statistics;
            let mut mf = Table::new(
                "The LOGISTIC Procedure — Model Fit Statistics",
                &["Criterion", "Intercept Only", "Intercept and Covariates"],
            );
            mf.row(["AIC".to_string(), fixed(fs.aic_intercept_only, 3), fixed(fs.aic, 3)]);
            mf.row(["SC".to_string(), fixed(fs.sc_intercept_only, 3), fixed(fs.sc, 3)]);
            mf.row([
                "-2 Log L".to_string(),
                fixed(fs.minus2_log_l_intercept_only, 3),
                fixed(fs.minus2_log_l, 3),
            ]);
            s.table(mf);
            let g = &inf.global;
            let mut gt = Table::new(
                "Testing Global Null Hypothesis: BETA=0",
                &["Test", "Chi-Square", "DF", "Pr > ChiSq"],
            );
            gt.row([
                "Likelihood Ratio".to_string(),
                fixed(g.lr_chi2, 4),
                g.df.to_string(),
                p_sas(g.lr_p),
            ]);
            gt.row([
                "Score".to_string(),
                fixed(inf.score.chi2, 4),
                g.df.to_string(),
                p_sas(inf.score.p_value),
            ]);
            gt.row([
                "Wald".to_string(),
                fixed(g.wald_chi2, 4),
                g.df.to_string(),
                p_sas(g.wald_p),
            ]);
            s.table(gt);
            let mut ml = Table::new(
                "Analysis of Maximum Likelihood Estimates",
                &[
                    "Parameter",
                    "DF",
                    "Estimate",
                    "Standard Error",
                    "Wald Chi-Square",
                    "Pr > ChiSq",
                    "Standardized Estimate",
                    "Odds Ratio",
                ],
            );
            for (j, c) in inf.coefficients.iter().enumerate() {
                if c.estimate.is_nan() {
                    continue;
                }
                let is_int = c.name == "(Intercept)";
                ml.row([
                    sas_param(&c.name),
                    "1".into(),
                    fixed(c.estimate, 4),
                    fixed(c.se_observed, 4),
                    fixed(c.wald_chi2, 4),
                    p_sas(c.wald_p),
                    if is_int {
                        ".".into()
                    } else {
                        fixed(b.standardized[j], 6)
                    },
                    if is_int || f.link != Link::Logit {
                        ".".into()
                    } else {
                        fixed(c.estimate.exp(), 3)
                    },
                ]);
            }
            s.table(ml);
            let a = &b.association;
            let mut at = Table::new(
                "Association of Predicted Probabilities and Observed Responses",
                &["", "", "", ""],
            );
            at.header.clear();
            at.row([
                "Percent Concordant".to_string(),
                fixed(a.percent_concordant, 1),
                "Somers' D".into(),
                fixed(a.somers_d, 3),
            ]);
            at.row([
                "Percent Discordant".to_string(),
                fixed(a.percent_discordant, 1),
                "Gamma".into(),
                fixed(a.gamma, 3),
            ]);
            at.row([
                "Percent Tied".to_string(),
                fixed(a.percent_tied, 1),
                "Tau-a".into(),
                fixed(a.tau_a, 3),
            ]);
            at.row(["Pairs".to_string(), count(a.pairs), "c".into(), fixed(a.c, 3)]);
            s.table(at);
            let h = &b.hosmer_lemeshow;
            let mut ht = Table::new(
                "Hosmer and Lemeshow Goodness-of-Fit Test",
                &["Chi-Square", "DF", "Pr > ChiSq", "Groups"],
            );
            ht.row([
                fixed(h.chi2, 4),
                h.df.to_string(),
                p_sas(h.p_value),
                h.groups.len().to_string(),
            ]);
            s.table(ht);
        }
        if f.family.has_likelihood() && !(self.binary.is_some() && logistic_link) {
            let g = &inf.global;
            let mut gt = Table::new(
                "Likelihood-ratio test against the intercept-only model",
                &["Chi-Square", "DF", "Pr > ChiSq"],
            );
            gt.row([fixed(g.lr_chi2, 4), g.df.to_string(), p_sas(g.lr_p)]);
            s.table(gt);
        }
        s
    }
}

fn sas_link(l: Link) -> String {
    match l {
        Link::Identity => "Identity".into(),
        Link::Log => "Log".into(),
        Link::Logit => "Logit".into(),
        Link::Probit => "Probit".into(),
        Link::Cloglog => "Complementary Log-Log".into(),
        Link::Loglog => "Log-Log".into(),
        Link::Inverse => "Reciprocal".into(),
        Link::InverseSquare => "Power(-2)".into(),
        Link::Sqrt => "Power(0.5)".into(),
        Link::Power(x) => format!("Power({x})"),
    }
}

fn sas_param(name: &str) -> String {
    if name == "(Intercept)" {
        "Intercept".into()
    } else {
        name.to_string()
    }
}

/// p-value of the deviance goodness-of-fit test, P(χ²_df > D) (the paper's "P(χ²₂ > 0.0692) ≈ 0.966").
pub fn deviance_p(fit: &GlmFit) -> f64 {
    chi2_sf(fit.deviance, fit.df_residual)
}
