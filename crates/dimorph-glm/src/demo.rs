//! The GLM section of `dimorph demo`: the paper's snoring and crab analyses (§4.2–4.3) on the
//! bundled data, with Figure 4.1 (fitted linear and logistic curves over the observed
//! proportions) and the crab data with the three fitted mean functions.

use std::path::Path;

use dimorph_report::fmt::{count, fixed};
use dimorph_report::svg::{Chart, PALETTE};
use dimorph_report::{Section, Table};

use crate::error::Result;
use crate::report::{analyze, deviance_p, AnalysisOptions, GlmReport};
use crate::{model_frame, Family, GlmOptions, Link};

fn run(
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

/// Builds the section from `data_dir/snoring.csv` and `data_dir/crabs.csv`.
pub fn section(data_dir: &Path) -> Result<Section> {
    let snoring = dimorph_data::read_csv(data_dir.join("snoring.csv"))?;
    let crabs = dimorph_data::read_csv(data_dir.join("crabs.csv"))?;
    let mut s = Section::new("Generalized linear models (Agresti ch. 4): snoring and heart disease; horseshoe crabs");
    s.text(
        "Binary and count regression as in the paper's §4.2–4.3, with R's summary and SAS GENMOD / PROC LOGISTIC output. \
         Standard errors in the SAS blocks come from the observed information, as GENMOD prints them.",
    );

    // --- snoring: the paper's table and Figure 4.1
    let f = "disease/total ~ snoring";
    let (mf, lin) = run(&snoring, f, Family::Binomial, Link::Identity)?;
    let (_, logit) = run(&snoring, f, Family::Binomial, Link::Logit)?;
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

    let mut links = Table::new(
        "Which link? Deviance goodness of fit on 4 − 2 = 2 df (§4.2.5)",
        &["Link", "Deviance", "DF", "P(χ² > D)", "AIC"],
    );
    for link in [Link::Identity, Link::Logit, Link::Log, Link::Probit, Link::Cloglog] {
        let (_, r) = run(&snoring, f, Family::Binomial, link)?;
        links.row([
            link.name(),
            fixed(r.fit.deviance, 4),
            count(r.fit.df_residual),
            fixed(deviance_p(&r.fit), 3),
            fixed(r.fit.aic, 3),
        ]);
    }
    s.table(links);

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
    ch.line(line(&lin), PALETTE[0], Some("linear (identity link)"));
    ch.styled_line(line(&logit), PALETTE[1], 2.0, true, Some("logistic (logit link)"));
    ch.points(
        score.iter().zip(&mf.y).map(|(&a, &b)| (a, b)).collect(),
        "#000000",
        4.0,
        Some("observed proportion"),
    );
    s.figure(
        "Figure 4.1 of the paper: the identity and logit fits over the observed proportions",
        ch.to_svg(),
    );

    s.extend(
        lin.section("Snoring, identity link: proc genmod; model disease/total = snoring / dist=bin link=identity"),
    );
    s.extend(logit.section("Snoring, logit link: proc genmod (link=logit) and proc logistic"));

    // --- crabs: the three Poisson models of §4.3.1
    let models = [
        ("satell ~ width", Link::Log, "Poisson, log link"),
        ("satell ~ width", Link::Identity, "Poisson, identity link"),
        (
            "satell ~ width + I(width^2)",
            Link::Log,
            "Poisson, log link, quadratic in width",
        ),
    ];
    let width = crabs.numeric("width")?.to_vec();
    let satell = crabs.numeric("satell")?.to_vec();
    let (wmin, wmax) = width
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &w| (a.min(w), b.max(w)));
    let mut ch = Chart::new(
        "Horseshoe crabs: satellites by carapace width",
        (wmin - 0.5, wmax + 0.5),
        (0.0, 15.5),
    )
    .labels("width (cm)", "number of satellites");
    ch.points(
        width.iter().zip(&satell).map(|(&a, &b)| (a, b)).collect(),
        "#999999",
        2.5,
        Some("crab"),
    );
    // mean satellites in 1-cm width bins (the paper's Figure 4.4)
    let mut bins: Vec<(f64, f64, f64)> = Vec::new();
    for (&w, &y) in width.iter().zip(&satell) {
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
    let mut fits = Vec::new();
    for (k, (formula, link, title)) in models.iter().enumerate() {
        let (_, r) = run(&crabs, formula, Family::Poisson, *link)?;
        let gx: Vec<f64> = (0..=100).map(|i| wmin + (wmax - wmin) * i as f64 / 100.0).collect();
        let pts = gx
            .iter()
            .map(|&w| {
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
    s.figure(
        "Crab data: the three fitted Poisson mean functions of §4.3.1 and binned means",
        ch.to_svg(),
    );
    for (title, r) in fits {
        s.extend(r.section(&title));
    }
    Ok(s)
}
