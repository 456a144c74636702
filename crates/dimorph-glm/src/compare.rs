//! `dimorph glm anova`: the analysis of deviance of two or more nested models as its own
//! analysis (R's `anova(m1, m2, …)` for `glm` fits, McCullagh & Nelder 1989 §4.4.5), the entry
//! point over [`crate::anova::compare`] (the fits and the table), [`crate::nesting`] (whether the
//! models are nested) and [`crate::report::deviance`] (the table as R prints it).

use dimorph_data::Frame;

use crate::anova::Anova;
use crate::error::{GlmError, Result};
use crate::options::RunOptions;

/// The entry point of `dimorph glm anova`: validates `opts`, refuses the options that belong to
/// one model's analysis (they name their flag), fits and compares the models ([`compare`]) and
/// gives the outcome: the table as R prints it, the tidy table `anova`, the warnings.
pub fn run_compare(data: &Frame, formulas: &[String], opts: &RunOptions) -> Result<dimorph_report::Outcome<Anova>> {
    opts.validate()?;
    let one_model: [(&str, bool); 5] = [
        ("--residuals", opts.residuals),
        ("--robust", opts.robust.is_some()),
        ("--cluster", opts.cluster.is_some()),
        ("--anova", !opts.anova.is_empty()),
        ("--binwidth", opts.binwidth.is_some()),
    ];
    if let Some((flag, _)) = one_model.iter().find(|(_, on)| *on) {
        return Err(GlmError::argument(
            flag,
            "belongs to one model's analysis, not to the comparison of models (run dimorph glm on that model)",
        ));
    }
    let a = crate::anova::compare(data, formulas, opts)?;
    let last = a.rows.last();
    let summary = vec![format!(
        "glm anova: {} models on {} rows ({} family, link = {}); last change: Δdf {}, Δdeviance {}",
        a.rows.len(),
        a.rows_used,
        a.family,
        a.link,
        last.map_or(String::from("NA"), |r| dimorph_report::fmt::count(r.df)),
        last.map_or(String::from("NA"), |r| dimorph_report::fmt::sig(r.deviance_change, 6))
    )];
    Ok(dimorph_report::Outcome {
        summary,
        sections: vec![crate::report::deviance::section(&a)],
        tables: vec![crate::anova::table(&a)],
        files: Vec::new(),
        warnings: a.warnings.clone(),
        result: a,
    })
}
