//! Whether models compared by an analysis of deviance are plausibly nested (McCullagh & Nelder
//! 1989, §2.3.2 and §4.4.5: the deviance difference of nested models with the same error
//! distribution and link is asymptotically χ²φ on the difference in parameters): the same family
//! (hence link), the same response and offset on the same rows, and, for each model after the
//! first, a term set that contains or is contained in the one before (R's `anova.glmlist` checks
//! only the number of rows; a comparison of non-nested models gives a number without meaning).
//!
//! Terms are compared by their labels as R writes them, an interaction's variables in any order
//! (`a:b` = `b:a`), the intercept counting as a term. Models whose column spaces are nested but
//! whose terms are not (`x` and `poly(x, 2)`) are refused: fit them with the same terms.

use std::collections::BTreeSet;

use crate::design::ModelFrame;
use crate::error::{clip, GlmError, Result};
use crate::family::Family;
use crate::options::RunOptions;

/// The family of the models, once every check passed; the error names the two models and what
/// differs.
pub fn check(formulas: &[String], frames: &[ModelFrame], opts: &RunOptions) -> Result<Family> {
    let mut family: Option<Family> = None;
    for (k, mf) in frames.iter().enumerate() {
        let fam = opts.family_for(mf.trials.is_some())?;
        if let Some(prev) = family {
            if prev != fam {
                return Err(refuse(
                    formulas,
                    k,
                    format!(
                        "they have different families ({} and {}): the responses differ in kind",
                        prev.name(),
                        fam.name()
                    ),
                ));
            }
        }
        family = Some(fam);
    }
    for k in 1..frames.len() {
        let (a, b) = (&frames[k - 1], &frames[k]);
        if a.response_name != b.response_name {
            return Err(refuse(
                formulas,
                k,
                format!(
                    "they have different responses ('{}' and '{}')",
                    clip(&a.response_name),
                    clip(&b.response_name)
                ),
            ));
        }
        if a.offset != b.offset {
            return Err(refuse(
                formulas,
                k,
                "they have different offsets (nested models share the offset)".into(),
            ));
        }
        let (ta, tb) = (terms(a), terms(b));
        if !(ta.is_subset(&tb) || tb.is_subset(&ta)) {
            let only = |x: &BTreeSet<String>, y: &BTreeSet<String>| {
                x.difference(y).map(|s| clip(s)).collect::<Vec<_>>().join(", ")
            };
            return Err(refuse(
                formulas,
                k,
                format!(
                    "they are not nested: {} only in model {k}, {} only in model {} (each model must add terms to the one before or drop some)",
                    only(&ta, &tb),
                    only(&tb, &ta),
                    k + 1
                ),
            ));
        }
    }
    family.ok_or_else(|| GlmError::argument("anova", "no models"))
}

/// The term labels of a model, interactions with their variables sorted, with `(Intercept)`.
pub fn terms(mf: &ModelFrame) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = mf
        .terms
        .iter()
        .map(|t| {
            let mut parts: Vec<&str> = t.label.split(':').collect();
            parts.sort_unstable();
            parts.join(":")
        })
        .collect();
    if mf.intercept {
        out.insert("(Intercept)".into());
    }
    out
}

fn refuse(formulas: &[String], k: usize, why: String) -> GlmError {
    GlmError::argument(
        "anova",
        format!(
            "cannot compare model {k} '{}' with model {} '{}': {why}",
            clip(&formulas[k - 1]),
            k + 1,
            clip(&formulas[k])
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(f: &str) -> ModelFrame {
        let d = dimorph_data::read_csv_bytes("t.csv", b"y,a,b,g\n1,2,3,u\n2,3,1,v\n4,1,2,u\n3,5,5,v\n").expect("csv");
        crate::design::model_frame(f, &d, None).expect("frame")
    }

    #[test]
    fn interactions_compare_whatever_the_order_of_their_variables() {
        assert_eq!(terms(&frame("y ~ a * b")), terms(&frame("y ~ b + a + b:a")));
        assert!(terms(&frame("y ~ a:b")).is_subset(&terms(&frame("y ~ a*b"))));
        assert!(!terms(&frame("y ~ a - 1")).contains("(Intercept)"));
    }

    #[test]
    fn models_that_are_not_nested_are_refused_naming_the_terms() {
        let f: Vec<String> = ["y ~ a", "y ~ b"].iter().map(|s| s.to_string()).collect();
        let frames: Vec<ModelFrame> = f.iter().map(|s| frame(s)).collect();
        let e = check(&f, &frames, &RunOptions::default()).unwrap_err().to_string();
        assert!(
            e.contains("not nested") && e.contains("a only in model 1") && e.contains("b only in model 2"),
            "{e}"
        );
        let f: Vec<String> = ["y ~ a", "b ~ a"].iter().map(|s| s.to_string()).collect();
        let frames: Vec<ModelFrame> = f.iter().map(|s| frame(s)).collect();
        let e = check(&f, &frames, &RunOptions::default()).unwrap_err().to_string();
        assert!(e.contains("different responses"), "{e}");
        // decreasing order is nested too (R allows it)
        let f: Vec<String> = ["y ~ a + g", "y ~ a", "y ~ 1"].iter().map(|s| s.to_string()).collect();
        let frames: Vec<ModelFrame> = f.iter().map(|s| frame(s)).collect();
        assert!(check(&f, &frames, &RunOptions::default()).is_ok());
    }
}
