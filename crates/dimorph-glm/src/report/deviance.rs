//! The analysis of deviance table of nested models ([`crate::anova`]) as text, R's layout.

use dimorph_report::fmt::p_r;

use super::num::{fx, note_na};
use crate::anova::Anova;

/// The table as text, R's layout: Resid. Df, Resid. Dev, Df, Deviance, Pr(>Chi), and F, Pr(>F)
/// with an estimated dispersion.
pub fn section(a: &Anova) -> dimorph_report::Section {
    let est = a.dispersion_df.is_finite();
    let mut hdr = vec!["", "Resid. Df", "Resid. Dev", "Df", "Deviance", "Pr(>Chi)"];
    if est {
        hdr.extend(["F", "Pr(>F)"]);
    }
    let mut t = dimorph_report::Table::new("", &hdr);
    for (k, r) in a.rows.iter().enumerate() {
        let first = k == 0;
        let blank = |s: String| if first { String::new() } else { s };
        let mut row = vec![
            (k + 1).to_string(),
            dimorph_report::fmt::count(r.df_residual),
            fx(r.deviance, 4),
            blank(dimorph_report::fmt::count(r.df)),
            blank(fx(r.deviance_change, 4)),
            blank(p_r(r.chisq_p)),
        ];
        if est {
            row.push(blank(fx(r.f, 4)));
            row.push(blank(p_r(r.f_p)));
        }
        t.row(row);
    }
    note_na(&mut t, "not defined (models with the same residual df).");
    let mut s = dimorph_report::Section::new("Analysis of Deviance Table (R's anova for nested models)");
    let models: Vec<String> = a
        .rows
        .iter()
        .enumerate()
        .map(|(k, r)| format!("Model {}: {}", k + 1, r.formula))
        .collect();
    s.pre(models.join("\n"));
    s.table(t);
    s.text(if est {
        format!(
            "Likelihood-ratio χ² of the deviance change over φ = {} and F on the largest model's {} df ({} family, link = {}).",
            dimorph_report::fmt::sig(a.dispersion, 6),
            dimorph_report::fmt::count(a.dispersion_df),
            a.family,
            a.link
        )
    } else {
        format!("Likelihood-ratio χ² of the deviance change (φ = 1, {} family, link = {}).", a.family, a.link)
    });
    s
}
