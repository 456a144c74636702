//! The GLM part of `dimorph demo`: the paper's snoring and crab analyses (§4.2–4.3) on the
//! bundled data, with Figure 4.1 (fitted linear and logistic curves over the observed
//! proportions) and the crab data with the three fitted mean functions.
//!
//! [`run`] gives an [`Outcome`]: a short summary with the headline figures for the terminal, the
//! full report as one section (for the HTML page), the figures as SVG files and a typed result.

use std::path::Path;

use serde::Serialize;

use dimorph_core::OutputFile;
use dimorph_report::fmt::{count, fixed};
use dimorph_report::svg::{Chart, PALETTE};
use dimorph_report::{Outcome, Section, Table};

use crate::error::Result;
use crate::report::{analyze, deviance_p, AnalysisOptions, GlmReport};
use crate::{model_frame, Family, GlmOptions, Link};

/// The headline figures of one model of the demo.
#[derive(Debug, Clone, Serialize)]
pub struct DemoModel {
    /// The data set (`snoring`, `crabs`).
    pub data: String,
    pub formula: String,
    pub family: String,
    pub link: String,
    /// (term, estimate) in the order of the columns of X.
    pub coefficients: Vec<(String, f64)>,
    pub deviance: f64,
    pub df_residual: f64,
    /// P(χ²_df > D), the deviance goodness-of-fit test.
    pub deviance_p: f64,
    pub aic: f64,
}

/// The demo's result: every model fitted, in the order of the report.
#[derive(Debug, Clone, Serialize)]
pub struct DemoResult {
    pub models: Vec<DemoModel>,
}

fn headline(data: &str, r: &GlmReport) -> DemoModel {
    DemoModel {
        data: data.into(),
        formula: r.formula.clone(),
        family: r.fit.family.name(),
        link: r.fit.link.name(),
        coefficients: r
            .fit
            .coef_names
            .iter()
            .cloned()
            .zip(r.fit.coef.iter().copied())
            .collect(),
        deviance: r.fit.deviance,
        df_residual: r.fit.df_residual,
        deviance_p: deviance_p(&r.fit),
        aic: r.fit.aic,
    }
}

fn fit_one(
    data: &dimorph_data::Frame,
    formula: &str,
    family: Family,
    link: Link,
) -> Result<(crate::ModelFrame, GlmReport)> {
    let mf = model_frame(formula, data, None)?;
    let r = analyze(
        &mf,
        formula,
        &GlmOptions::new(family, Some(link)),
        &AnalysisOptions::default(),
    )?;
    Ok((mf, r))
}

/// The part of the demo a section is built from: its blocks, the figures' files, the models.
struct Part {
    section: Section,
    files: Vec<OutputFile>,
    models: Vec<DemoModel>,
}

/// Runs the demo on `data_dir/snoring.csv` and `data_dir/crabs.csv`.
pub fn run(data_dir: &Path) -> Result<Outcome<DemoResult>> {
    let snoring = dimorph_data::read_csv(data_dir.join("snoring.csv"))?;
    let crabs = dimorph_data::read_csv(data_dir.join("crabs.csv"))?;
    let mut s = Section::new("Generalized linear models (Agresti ch. 4): snoring and heart disease; horseshoe crabs");
    s.text(
        "Binary and count regression as in the paper's §4.2–4.3, with R's summary and SAS GENMOD / PROC LOGISTIC output. \
         Standard errors in the SAS blocks come from the observed information, as GENMOD prints them.",
    );
    let a = snoring_part(&snoring)?;
    let b = crabs_part(&crabs)?;
    s.blocks.extend(a.section.blocks);
    s.blocks.extend(b.section.blocks);
    let models: Vec<DemoModel> = a.models.into_iter().chain(b.models).collect();
    let summary = summary(&models);
    let mut o = Outcome::new(DemoResult { models }).section(s);
    o.summary = summary;
    o.files = a.files.into_iter().chain(b.files).collect();
    Ok(o)
}

/// The demo's report as one section (what `dimorph demo` showed before [`run`]).
pub fn section(data_dir: &Path) -> Result<Section> {
    Ok(run(data_dir)?.sections.into_iter().next().unwrap_or_default())
}

/// The paper's snoring table, the choice of link and Figure 4.1, then the GENMOD and LOGISTIC
/// output of the identity and logit fits.
fn snoring_part(snoring: &dimorph_data::Frame) -> Result<Part> {
    let mut s = Section::new("");
    let f = "disease/total ~ snoring";
    let (mf, lin) = fit_one(snoring, f, Family::Binomial, Link::Identity)?;
    let (_, logit) = fit_one(snoring, f, Family::Binomial, Link::Logit)?;
    let score = snoring.numeric("snoring")?;
    let mut t = Table::new(
        "Snoring and heart disease (the paper's table)",
        &[
            "Snoring score s",
            "Heart disease: yes",
            "no",
            "Proportion yes",
            "Linear fit",
            "Logit fit",
        ],
    );
    for i in 0..mf.n {
        let n = mf.trials.as_ref().map_or(1.0, |t| t[i]);
        let yes = mf.y[i] * n;
        t.row([
            count(score[i]),
            count(yes),
            count(n - yes),
            fixed(mf.y[i], 3),
            fixed(lin.fit.mu[i], 3),
            fixed(logit.fit.mu[i], 3),
        ]);
    }
    s.table(t);

    let mut models = vec![headline("snoring", &lin), headline("snoring", &logit)];
    let mut links = Table::new(
        "Which link? Deviance goodness of fit on 4 − 2 = 2 df (§4.2.5)",
        &["Link", "Deviance", "DF", "P(χ² > D)", "AIC"],
    );
    for link in [Link::Identity, Link::Logit, Link::Log, Link::Probit, Link::Cloglog] {
        let (_, r) = fit_one(snoring, f, Family::Binomial, link)?;
        links.row([
            link.name(),
            fixed(r.fit.deviance, 4),
            count(r.fit.df_residual),
            fixed(deviance_p(&r.fit), 3),
            fixed(r.fit.aic, 3),
        ]);
        if !matches!(link, Link::Identity | Link::Logit) {
            models.push(headline("snoring", &r));
        }
    }
    s.table(links);

    let svg = figure_4_1(score, &mf.y, &lin, &logit);
    s.figure(
        "Figure 4.1 of the paper: the identity and logit fits over the observed proportions",
        svg.clone(),
    );
    s.extend(
        lin.section("Snoring, identity link: proc genmod; model disease/total = snoring / dist=bin link=identity"),
    );
    s.extend(logit.section("Snoring, logit link: proc genmod (link=logit) and proc logistic"));
    Ok(Part {
        section: s,
        files: vec![OutputFile::text("glm_figure_4_1.svg", svg)],
        models,
    })
}

/// Figure 4.1: the identity and logit fits over the observed proportions.
fn figure_4_1(score: &[f64], y: &[f64], lin: &GlmReport, logit: &GlmReport) -> String {
    let mut ch = Chart::new(
        "Figure 4.1: fitted linear and logistic curves",
        (-0.2, 5.2),
        (0.0, 0.15),
    )
    .labels("snoring score", "P(heart disease)");
    let grid: Vec<f64> = (0..=100).map(|k| 5.0 * k as f64 / 100.0).collect();
    let line = |r: &GlmReport| -> Vec<(f64, f64)> {
        grid.iter()
            .map(|&x| (x, r.fit.link.inverse(r.fit.coef[0] + r.fit.coef[1] * x)))
            .collect()
    };
    ch.line(line(lin), PALETTE[0], Some("linear (identity link)"));
    ch.styled_line(line(logit), PALETTE[1], 2.0, true, Some("logistic (logit link)"));
    ch.points(
        score.iter().zip(y).map(|(&a, &b)| (a, b)).collect(),
        "#000000",
        4.0,
        Some("observed proportion"),
    );
    ch.to_svg()
}

/// The three Poisson models of §4.3.1 with their figure and output.
fn crabs_part(crabs: &dimorph_data::Frame) -> Result<Part> {
    let models = [
        ("satell ~ width", Link::Log, "Poisson, log link"),
        ("satell ~ width", Link::Identity, "Poisson, identity link"),
        (
            "satell ~ width + I(width^2)",
            Link::Log,
            "Poisson, log link, quadratic in width",
        ),
    ];
    let width = crabs.numeric("width")?;
    let satell = crabs.numeric("satell")?;
    let (wmin, wmax) = width
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &w| (a.min(w), b.max(w)));
    let mut ch = crab_chart(width, satell, (wmin, wmax));
    let mut fits = Vec::new();
    for (k, (formula, link, title)) in models.iter().enumerate() {
        let (_, r) = fit_one(crabs, formula, Family::Poisson, *link)?;
        let pts = (0..=100)
            .map(|i| {
                let w = wmin + (wmax - wmin) * i as f64 / 100.0;
                let mut eta = r.fit.coef[0] + r.fit.coef[1] * w;
                if r.fit.coef.len() > 2 {
                    eta += r.fit.coef[2] * w * w;
                }
                (w, r.fit.link.inverse(eta))
            })
            .collect();
        ch.styled_line(pts, PALETTE[k], 2.0, k == 1, Some(title));
        fits.push((format!("Crabs: {formula} ({title})"), r));
    }
    let svg = ch.to_svg();
    let mut s = Section::new("");
    s.figure(
        "Crab data: the three fitted Poisson mean functions of §4.3.1 and binned means",
        svg.clone(),
    );
    let models = fits.iter().map(|(_, r)| headline("crabs", r)).collect();
    for (title, r) in fits {
        s.extend(r.section(&title));
    }
    Ok(Part {
        section: s,
        files: vec![OutputFile::text("glm_crabs.svg", svg)],
        models,
    })
}

/// The crabs with the mean number of satellites in 1-cm width bins (the paper's Figure 4.4).
fn crab_chart(width: &[f64], satell: &[f64], (wmin, wmax): (f64, f64)) -> Chart {
    let mut ch = Chart::new(
        "Horseshoe crabs: satellites by carapace width",
        (wmin - 0.5, wmax + 0.5),
        (0.0, 15.5),
    )
    .labels("width (cm)", "number of satellites");
    ch.points(
        width.iter().zip(satell).map(|(&a, &b)| (a, b)).collect(),
        "#999999",
        2.5,
        Some("crab"),
    );
    let mut bins: Vec<(f64, f64, f64)> = Vec::new();
    for (&w, &y) in width.iter().zip(satell) {
        let c = w.floor() + 0.5;
        match bins.iter_mut().find(|b| b.0 == c) {
            Some(b) => {
                b.1 += y;
                b.2 += 1.0;
            }
            None => bins.push((c, y, 1.0)),
        }
    }
    bins.sort_by(|a, b| a.0.total_cmp(&b.0));
    ch.points(
        bins.iter().map(|b| (b.0, b.1 / b.2)).collect(),
        "#000000",
        4.5,
        Some("mean in 1-cm width bin"),
    );
    ch
}

/// A model's equation with four decimals: `-3.8662 + 0.3973 snoring`.
fn equation(m: &DemoModel) -> String {
    let mut out = String::new();
    for (k, (name, b)) in m.coefficients.iter().enumerate() {
        let term = if name == "(Intercept)" {
            String::new()
        } else {
            format!(" {name}")
        };
        let v = fixed(b.abs(), 4);
        out.push_str(&match (k, *b < 0.0) {
            (0, true) => format!("-{v}{term}"),
            (0, false) => format!("{v}{term}"),
            (_, true) => format!(" - {v}{term}"),
            (_, false) => format!(" + {v}{term}"),
        });
    }
    out
}

/// The terminal summary: one line per model (its link, the linear predictor η, the deviance
/// with its goodness-of-fit p-value, AIC).
fn summary(models: &[DemoModel]) -> Vec<String> {
    let mut out = vec!["Snoring and heart disease (binomial, disease/total ~ snoring):".to_string()];
    let mut crabs_heading = false;
    for m in models {
        if m.data == "crabs" && !crabs_heading {
            out.push("Horseshoe crabs (Poisson, satellites by carapace width):".into());
            crabs_heading = true;
        }
        out.push(format!(
            "  {}: η = {}; D {} on {} df (p {}), AIC {}",
            m.link,
            equation(m),
            fixed(m.deviance, 4),
            m.df_residual,
            fixed(m.deviance_p, 3),
            fixed(m.aic, 2)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_is_short_and_has_the_headline_figures() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
        let o = run(&dir).expect("demo");
        assert!(o.summary.len() <= 12, "{} lines", o.summary.len());
        for l in &o.summary {
            assert!(l.chars().count() <= 100, "{} chars: {l}", l.chars().count());
        }
        let all = o.summary.join("\n");
        for figure in [
            "0.0692",
            "2.8089",
            "-3.8662 + 0.3973 snoring",
            "567.8786",
            "- 0.0220 I(width^2)",
        ] {
            assert!(all.contains(figure), "{figure} missing from\n{all}");
        }
        assert_eq!(o.sections.len(), 1);
        assert_eq!(o.files.len(), 2);
        assert_eq!(o.result.models.len(), 8);
    }
}
