//! SAS PROC GENMOD's blocks: Model Information, Criteria For Assessing Goodness Of Fit, the
//! Analysis Of Maximum Likelihood Parameter Estimates (observed-information standard errors),
//! and the profile-likelihood intervals, exp(β) estimates, Type 3 tests and the likelihood-ratio
//! test against the intercept-only model that GENMOD prints with LRCI and TYPE3.

use dimorph_report::fmt::{count, p_sas};

use super::num::{fx, note_na};
use dimorph_report::Table;

use crate::fit::GlmFit;
use crate::inference::Inference;
use crate::link::Link;
use crate::options::Dispersion;

/// Why a standard error, interval or Wald statistic reads NA.
pub const UNDEFINED_SE: &str = "not defined (the standard error is not: no residual degrees of freedom to estimate the dispersion, a singular information matrix, or a value beyond the range of double precision).";

/// Why a test statistic reads NA.
pub const UNDEFINED_TEST: &str = "not defined (a log-likelihood or statistic beyond the range of double precision, or a standard error that is not defined).";

/// The link as SAS names it.
pub fn sas_link(l: Link) -> String {
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

/// A coefficient as SAS names it (`Intercept` for R's `(Intercept)`).
pub fn sas_param(name: &str) -> String {
    if name == "(Intercept)" {
        "Intercept".into()
    } else {
        name.to_string()
    }
}

/// Every GENMOD block for a fit, in SAS's order (the likelihood-ratio test against the null
/// model apart: see [`lr_test`]).
/// `se_label` names a robust covariance the standard errors come from.
pub fn tables(data: &str, f: &GlmFit, inf: &Inference, se_label: Option<&str>) -> Vec<Table> {
    let mut out = vec![
        model_information(data, f),
        goodness_of_fit(f),
        parameter_estimates(f, inf, se_label),
    ];
    out.extend(profile_intervals(inf, se_label));
    out.extend(exp_estimates(f, inf));
    out.extend(type3(f, inf));
    out
}

fn model_information(data: &str, f: &GlmFit) -> Table {
    let mut mi = Table::new("The GENMOD Procedure — Model Information", &["Description", "Value"]);
    mi.row(["Data Set".to_string(), data.to_string()]);
    mi.row(["Distribution".to_string(), f.family.sas_name().to_string()]);
    mi.row(["Link Function".to_string(), sas_link(f.link)]);
    mi.row(["Dependent Variable".to_string(), f.response.clone()]);
    mi.row(["Number of Observations Read".to_string(), f.n_read.to_string()]);
    mi.row(["Number of Observations Used".to_string(), f.n_used.to_string()]);
    if let (Some(e), Some(t)) = (f.events, f.trials) {
        mi.row(["Number Of Events".to_string(), count(e)]);
        mi.row(["Number Of Trials".to_string(), count(t)]);
    }
    mi
}

fn goodness_of_fit(f: &GlmFit) -> Table {
    let df = f.df_residual;
    let mut gof = Table::new(
        "Criteria For Assessing Goodness Of Fit",
        &["Criterion", "DF", "Value", "Value/DF"],
    );
    // Value/DF and AICC are not defined without residual degrees of freedom: NA with a note
    let per = |v: f64| if df > 0.0 { limit(v / df, 4) } else { "NA".into() };
    for (name, v) in [
        ("Deviance", f.deviance),
        ("Scaled Deviance", f.scaled_deviance),
        ("Pearson Chi-Square", f.pearson_chi2),
        ("Scaled Pearson X2", f.scaled_pearson_chi2),
    ] {
        gof.row([name.to_string(), count(df), fx(v, 4), per(v)]);
    }
    if f.family.has_likelihood() {
        for (name, v) in [
            ("Log Likelihood", f.loglik_kernel),
            ("Full Log Likelihood", f.loglik),
            ("AIC (smaller is better)", f.aic),
            ("AICC (smaller is better)", f.aicc),
            ("BIC (smaller is better)", f.bic),
        ] {
            gof.row([name.to_string(), String::new(), limit(v, 4), String::new()]);
        }
    }
    if gof.rows.iter().any(|r| r.iter().any(|c| c == "NA")) {
        gof.note("NA: not defined (no residual degrees of freedom, too few observations for AICC's correction, or a value beyond the range of double precision).");
    }
    gof
}

fn parameter_estimates(f: &GlmFit, inf: &Inference, se_label: Option<&str>) -> Table {
    let pct = fx(100.0 * inf.level, 0);
    let title = match se_label {
        Some(l) => format!("Analysis Of Maximum Likelihood Parameter Estimates ({l} standard errors)"),
        None => "Analysis Of Maximum Likelihood Parameter Estimates (observed-information standard errors, as GENMOD)"
            .into(),
    };
    let mut pe = Table::new(
        title,
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
            let mut row = vec![sas_param(&c.name), "0".into(), "0.0000".into()];
            row.extend(std::iter::repeat_n(".".to_string(), 5));
            pe.row(row);
            continue;
        }
        pe.row([
            sas_param(&c.name),
            "1".into(),
            fx(c.estimate, 4),
            fx(c.se_observed, 4),
            fx(c.wald_ci_observed[0], 4),
            fx(c.wald_ci_observed[1], 4),
            fx(c.wald_chi2, 2),
            p_sas(c.wald_p),
        ]);
    }
    let (sname, sval) = match (&f.theta, f.dispersion_estimated()) {
        (Some(t), _) => ("Dispersion", 1.0 / t.theta),
        (None, true) => ("Scale", f.dispersion.sqrt()),
        (None, false) => ("Scale", 1.0),
    };
    pe.row([
        sname.to_string(),
        "0".into(),
        fx(sval, 4),
        "0.0000".into(),
        fx(sval, 4),
        fx(sval, 4),
        String::new(),
        String::new(),
    ]);
    note_na(&mut pe, UNDEFINED_SE);
    if f.dispersion_estimated() {
        pe.note(format!(
            "NOTE: The scale parameter was estimated by the square root of {} / DOF.",
            if f.dispersion_method == Dispersion::Deviance {
                "DEVIANCE"
            } else {
                "Pearson's Chi-Square"
            }
        ));
    } else if f.theta.is_none() {
        pe.note("NOTE: The scale parameter was held fixed.");
    }
    pe
}

fn profile_intervals(inf: &Inference, se_label: Option<&str>) -> Option<Table> {
    let has_prof = inf
        .coefficients
        .iter()
        .any(|c| c.profile_ci[0].is_finite() || c.profile_ci[1].is_finite());
    if !has_prof {
        return None;
    }
    let pct = fx(100.0 * inf.level, 0);
    let se = se_label.map_or("expected-information SE, as R's confint.default".to_string(), |l| {
        format!("{l} SE")
    });
    let mut pr = Table::new(
        format!("Profile-likelihood and Wald {pct}% confidence intervals (Wald with {se})"),
        &[
            "Parameter",
            "Estimate",
            "Profile Lower",
            "Profile Upper",
            "Wald Lower",
            "Wald Upper",
        ],
    );
    for c in inf.coefficients.iter().filter(|c| c.estimate.is_finite()) {
        pr.row([
            c.name.clone(),
            fx(c.estimate, 4),
            limit(c.profile_ci[0], 4),
            limit(c.profile_ci[1], 4),
            limit(c.wald_ci[0], 4),
            limit(c.wald_ci[1], 4),
        ]);
    }
    note_undefined_limits(&mut pr);
    Some(pr)
}

/// A confidence limit as printed: `NA` where it is not defined (as R prints it).
fn limit(x: f64, d: usize) -> String {
    if x.is_finite() {
        fx(x, d)
    } else {
        "NA".into()
    }
}

/// Says why a limit reads NA, when one does.
fn note_undefined_limits(t: &mut Table) {
    if t.rows.iter().any(|r| r.iter().any(|c| c == "NA")) {
        t.note("NA: the limit is not defined (the profile likelihood does not fall below the cut-off on that side, the standard error is not defined, or the value is beyond the range of double precision).");
    }
}

fn exp_estimates(f: &GlmFit, inf: &Inference) -> Option<Table> {
    inf.coefficients.iter().find(|c| c.exp.is_some())?;
    let what = if f.link == Link::Logit {
        "Odds ratio"
    } else {
        "Ratio (rate or risk)"
    };
    // without profile intervals (--no-profile, or families without a likelihood) the profile
    // columns are left out rather than printed as NaN
    let has_prof = inf
        .coefficients
        .iter()
        .filter_map(|c| c.exp.as_ref())
        .any(|e| e.profile_ci[0].is_finite() || e.profile_ci[1].is_finite());
    let header: &[&str] = if has_prof {
        &[
            "Effect",
            "Point Estimate",
            "Profile Lower",
            "Profile Upper",
            "Wald Lower",
            "Wald Upper",
        ]
    } else {
        &["Effect", "Point Estimate", "Wald Lower", "Wald Upper"]
    };
    let mut er = Table::new(format!("{what} estimates exp(β)"), header);
    let skip = usize::from(f.coef_names.first().is_some_and(|n| n == "(Intercept)"));
    for c in inf.coefficients.iter().skip(skip) {
        if let Some(e) = &c.exp {
            let mut row = vec![c.name.clone(), fx(e.estimate, 3)];
            if has_prof {
                row.push(limit(e.profile_ci[0], 3));
                row.push(limit(e.profile_ci[1], 3));
            }
            row.push(limit(e.wald_ci[0], 3));
            row.push(limit(e.wald_ci[1], 3));
            er.row(row);
        }
    }
    note_undefined_limits(&mut er);
    Some(er)
}

fn type3(f: &GlmFit, inf: &Inference) -> Option<Table> {
    if inf.type3.is_empty() {
        return None;
    }
    let est = f.dispersion_estimated();
    let lr = inf.type3_lr_computed;
    let mut hdr = vec!["Source", "DF"];
    if lr && est {
        hdr.extend(["Chi-Square", "Pr > ChiSq", "F Value", "Pr > F"]);
    } else if lr {
        hdr.extend(["LR Chi-Square", "Pr > ChiSq"]);
    }
    hdr.extend(["Wald Chi-Square", "Pr > ChiSq"]);
    let title = if lr {
        "Type 3 Analysis (likelihood ratio and Wald)"
    } else {
        "Type 3 Analysis (Wald)"
    };
    let mut t3 = Table::new(title, &hdr);
    for t in &inf.type3 {
        let mut r = vec![t.term.clone(), t.df.to_string()];
        if lr {
            r.push(fx(t.lr_chi2, 2));
            r.push(p_sas(t.lr_p));
            if est {
                r.push(fx(t.f, 2));
                r.push(p_sas(t.f_p));
            }
        }
        r.push(fx(t.wald_chi2, 2));
        r.push(p_sas(t.wald_p));
        t3.row(r);
    }
    note_na(&mut t3, UNDEFINED_TEST);
    Some(t3)
}

/// The likelihood-ratio test of the model against the intercept-only model (printed when PROC
/// LOGISTIC's global tests are not).
pub fn lr_test(inf: &Inference) -> Table {
    let g = &inf.global;
    let mut gt = Table::new(
        "Likelihood-ratio test against the intercept-only model",
        &["Chi-Square", "DF", "Pr > ChiSq"],
    );
    gt.row([fx(g.lr_chi2, 4), g.df.to_string(), p_sas(g.lr_p)]);
    note_na(&mut gt, UNDEFINED_TEST);
    gt
}
