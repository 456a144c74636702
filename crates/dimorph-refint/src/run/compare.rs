//! `refint compare`: the limits of one or more sets B against those of A with the equivalence
//! limits of Haeckel et al. (2016): each B against A limit by limit (eqs. 1–4), and for two or more
//! B the appendix's several-sets procedure.

use crate::equivalence::{compare, compare_several, Comparison, Limit, SeveralResult};
use crate::error::{check_limits, Result};
use crate::figures::{equivalence_plot, Figure};
use crate::options::{Assumption, PermissibleOptions};
use crate::permissible::Permissible;
use crate::quote::dec;
use crate::report::{comparison_section, pairs_table, several_section};
use dimorph_report::{Outcome, Section};
use serde::Serialize;

/// A named set of reference limits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LimitSet {
    pub name: String,
    pub lower: f64,
    pub upper: f64,
}

/// The result of a comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompareResult {
    /// The reference set A: its limits define the permissible uncertainty pu.
    pub a: LimitSet,
    /// The compared sets: `B`, or `B1`, `B2`, … when there are several.
    pub b: Vec<LimitSet>,
    /// The permissible uncertainty derived from A's limits (eqs. 5–13).
    pub permissible: Permissible,
    /// Each B against A, limit by limit (eqs. 3–4), in the order of `b`.
    pub comparisons: Vec<Comparison>,
    /// With two or more B: the several-sets procedure at the lower and at the upper limit
    /// (empty with one B).
    pub several: Vec<SeveralResult>,
    /// True when a limit of some B differs relevantly from A's, or (several sets) some set is
    /// excluded from a common limit.
    pub relevant: bool,
}

/// The names of the compared sets: `B` for one, `B1`, `B2`, … for several.
fn names(n: usize) -> Vec<String> {
    if n == 1 {
        vec!["B".into()]
    } else {
        (1..=n).map(|i| format!("B{i}")).collect()
    }
}

/// Compares the limits `b` (one or more sets) with `a`; pu comes from `a`.
pub fn run_compare(a: (f64, f64), b: &[(f64, f64)], o: &PermissibleOptions) -> Result<Outcome<CompareResult>> {
    o.validate()?;
    let permissible = Permissible::named("limits of A (--a)", a.0, a.1, *o)?;
    let names = names(b.len());
    for (name, pair) in names.iter().zip(b) {
        check_limits(
            &format!("limits of {name} (--b)"),
            pair.0,
            pair.1,
            o.assumption == Assumption::LogNormal,
        )?;
    }
    let comparisons = b.iter().map(|pair| compare(a, *pair, *o)).collect::<Result<Vec<_>>>()?;
    let several = if b.len() > 1 {
        let mut sets = vec![("A".to_string(), a)];
        sets.extend(names.iter().cloned().zip(b.iter().copied()));
        [Limit::Lower, Limit::Upper]
            .into_iter()
            .map(|l| compare_several(&sets, 0, l, *o))
            .collect::<Result<Vec<_>>>()?
    } else {
        Vec::new()
    };
    let relevant = comparisons.iter().any(|c| c.relevant) || several.iter().any(|s| !s.excluded.is_empty());
    let figures = figures(&names, &comparisons);
    let section = if let [c] = comparisons.as_slice() {
        comparison_section(c)
    } else {
        let mut s = several_section(&several);
        s.table(pairs_table(&names, &comparisons));
        s
    };
    let tables = vec![
        crate::tidy::comparison(&names, &comparisons, &several),
        crate::tidy::several_steps(&several),
    ];
    let result = CompareResult {
        a: LimitSet {
            name: "A".into(),
            lower: a.0,
            upper: a.1,
        },
        b: names
            .iter()
            .zip(b)
            .map(|(n, p)| LimitSet {
                name: n.clone(),
                lower: p.0,
                upper: p.1,
            })
            .collect(),
        permissible,
        comparisons,
        several,
        relevant,
    };
    Ok(outcome(result, section, tables, figures))
}

/// The equivalence plot (the paper's Figure 2) of each B against A.
fn figures(names: &[String], comparisons: &[Comparison]) -> Vec<Figure> {
    names
        .iter()
        .zip(comparisons)
        .map(|(name, c)| Figure {
            file: if names.len() == 1 {
                "equivalence.svg".into()
            } else {
                format!("equivalence_{name}.svg")
            },
            caption: format!("Equivalence lines (Figure 2 of the paper): A against {name}"),
            svg: equivalence_plot(
                &format!("Equivalence lines: A against {name}"),
                "A",
                name,
                c.a,
                c.b,
                &c.permissible,
            ),
        })
        .collect()
}

fn outcome(
    result: CompareResult,
    section: Section,
    tables: Vec<dimorph_core::TidyTable>,
    figures: Vec<Figure>,
) -> Outcome<CompareResult> {
    let mut out = Outcome::new(result).section(section);
    if let Some(w) = out.result.permissible.undefined_percentages() {
        out.warnings
            .push(format!("A: {w}; so are D % and pD % of the comparisons"));
    }
    for (set, c) in out.result.b.iter().zip(&out.result.comparisons) {
        let name = &set.name;
        let verdict = |relevant: bool| if relevant { "relevant" } else { "not relevant" };
        out.summary.push(format!(
            "{name} against A: lower D = {} vs pD = {} ({}), upper D = {} vs pD = {} ({})",
            dec(c.lower.d, 4),
            dec(c.lower.pd, 4),
            verdict(c.lower.relevant),
            dec(c.upper.d, 4),
            dec(c.upper.pd, 4),
            verdict(c.upper.relevant)
        ));
    }
    for s in &out.result.several {
        out.summary.push(format!(
            "{} limit, several sets: common limit for {}",
            s.limit.name(),
            s.common.join(", ")
        ));
    }
    out.tables = tables.into_iter().filter(|t| !t.rows.is_empty()).collect();
    out.files = figures.iter().map(Figure::to_file).collect();
    out
}
