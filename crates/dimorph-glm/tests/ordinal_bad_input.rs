//! Bad input for the ordinal and multinomial models: a response with one level, a level given
//! with --levels that is never observed, a value missing from --levels, a reference level that is
//! not a level, a formula without intercept for the cumulative model, a link it does not take,
//! and complete separation (a warning, not a silent fit).

use dimorph_glm::link::Link;
use dimorph_glm::multinom::{run_multinomial, MultinomOptions};
use dimorph_glm::ordinal::{run_ordinal, OrdinalOptions};

fn frame(text: &str) -> dimorph_data::Frame {
    dimorph_data::read_csv_bytes("t.csv", text.as_bytes()).expect("csv")
}

fn err_o(f: &dimorph_data::Frame, formula: &str, o: OrdinalOptions) -> String {
    run_ordinal(f, formula, &o)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default()
}

fn err_m(f: &dimorph_data::Frame, formula: &str, o: MultinomOptions) -> String {
    run_multinomial(f, formula, &o)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default()
}

const SMALL: &str = "y,x\nlow,1\nmid,2\nhigh,3\nlow,2\nmid,1\nhigh,2\nlow,3\nmid,3\nhigh,1\nlow,1\n";

#[test]
fn one_level_is_refused() {
    let f = frame("y,x\na,1\na,2\na,3\n");
    let e = err_o(&f, "y ~ x", OrdinalOptions::default());
    assert!(
        e.contains("t.csv") && e.contains("1 level ('a')") && e.contains("at least two"),
        "{e}"
    );
    let e = err_m(&f, "y ~ x", MultinomOptions::default());
    assert!(e.contains("1 level ('a')"), "{e}");
}

#[test]
fn a_level_never_observed_is_refused() {
    let f = frame(SMALL);
    let levels = Some(vec!["low".into(), "mid".into(), "top".into(), "high".into()]);
    let e = err_o(
        &f,
        "y ~ x",
        OrdinalOptions {
            levels: levels.clone(),
            ..Default::default()
        },
    );
    assert!(e.contains("'top' is never observed") && e.contains("--levels"), "{e}");
    // observed only on a row dropped for a missing predictor
    let g = frame("y,x\nlow,1\nmid,2\nhigh,\nlow,2\nmid,1\nlow,3\n");
    let e = err_o(
        &g,
        "y ~ x",
        OrdinalOptions {
            levels: Some(vec!["low".into(), "mid".into(), "high".into()]),
            ..Default::default()
        },
    );
    assert!(e.contains("'high' is never observed in the 5 rows used"), "{e}");
}

#[test]
fn a_value_not_in_levels_and_a_duplicate_are_refused() {
    let f = frame(SMALL);
    let e = err_o(
        &f,
        "y ~ x",
        OrdinalOptions {
            levels: Some(vec!["low".into(), "high".into()]),
            ..Default::default()
        },
    );
    assert!(e.contains("line 3") && e.contains("'mid' is not among --levels"), "{e}");
    let e = err_o(
        &f,
        "y ~ x",
        OrdinalOptions {
            levels: Some(vec!["low".into(), "mid".into(), "low".into()]),
            ..Default::default()
        },
    );
    assert!(e.starts_with("--levels: 'low' is listed twice"), "{e}");
}

#[test]
fn reference_level_absent_is_refused() {
    let f = frame(SMALL);
    let e = err_m(
        &f,
        "y ~ x",
        MultinomOptions {
            reference: Some("top".into()),
            ..Default::default()
        },
    );
    assert!(
        e.starts_with("--ref: 'top' is not a level of the response y (its levels: low, mid, high)"),
        "{e}"
    );
}

#[test]
fn no_intercept_and_wrong_link_are_refused_for_the_cumulative_model() {
    let f = frame(SMALL);
    let e = err_o(&f, "y ~ x - 1", OrdinalOptions::default());
    assert!(e.contains("no intercept") && e.contains("thresholds"), "{e}");
    let e = err_o(
        &f,
        "y ~ x",
        OrdinalOptions {
            link: Link::Identity,
            ..Default::default()
        },
    );
    assert!(
        e.starts_with("--link: the ordinal (cumulative link) model takes logit, probit, cloglog or loglog"),
        "{e}"
    );
    let e = err_o(&f, "cbind(x, x) ~ 1", OrdinalOptions::default());
    assert!(e.contains("the response must be one column"), "{e}");
}

#[test]
fn complete_separation_is_a_warning() {
    let f = frame("y,x\n1,1\n1,2\n1,3\n2,4\n2,5\n2,6\n3,7\n3,8\n3,9\n");
    let out = run_ordinal(&f, "y ~ x", &OrdinalOptions::default()).expect("fit");
    assert!(
        out.warnings.iter().any(|w| w.contains("separation")),
        "{:?}",
        out.warnings
    );
    let out = run_multinomial(&f, "y ~ x", &MultinomOptions::default()).expect("fit");
    assert!(
        out.warnings.iter().any(|w| w.contains("separation")),
        "{:?}",
        out.warnings
    );
}

#[test]
fn text_levels_keep_their_order_of_appearance() {
    let f = frame(SMALL);
    let out = run_ordinal(&f, "y ~ x", &OrdinalOptions::default()).expect("fit");
    assert_eq!(out.result.levels.names, ["low", "mid", "high"]);
    assert_eq!(out.result.coefficients[0].term, "low|mid");
    let out = run_ordinal(
        &f,
        "y ~ x",
        &OrdinalOptions {
            levels: Some(vec!["high".into(), "mid".into(), "low".into()]),
            ..Default::default()
        },
    )
    .expect("fit");
    assert_eq!(out.result.coefficients[0].term, "high|mid");
}

#[test]
fn a_level_seen_only_on_dropped_rows_is_left_out_with_a_warning() {
    let f = frame("y,x\n1,1\n2,\n3,2\n1,3\n3,1\n1,2\n3,3\n");
    let out = run_multinomial(&f, "y ~ x", &MultinomOptions::default()).expect("fit");
    assert_eq!(out.result.levels.names, ["1", "3"]);
    assert!(
        out.warnings.iter().any(|w| w.contains("level '2' left out")),
        "{:?}",
        out.warnings
    );
    assert!(
        out.warnings.iter().any(|w| w.contains("1 of 7 rows dropped")),
        "{:?}",
        out.warnings
    );
    // named with --levels it is an error instead (tested above)
}
