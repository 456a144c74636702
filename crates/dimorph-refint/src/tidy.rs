//! The engine's results as tidy tables (one row per observation, one column per variable): what
//! `--format csv` prints and what is written as `<name>.csv` into the output folder. CSV quoting is
//! the kernel's ([`TidyTable`]), so group names holding commas, quotes or newlines round-trip.

use crate::equivalence::{Comparison, Limit, SeveralResult};
use crate::estimate::group::GroupEstimate;
use crate::partition::PartitionResult;
use crate::table::Table1Row;
use dimorph_core::{Cell, TidyTable};

/// `table1`: one row per analyte — the paper's Table 1 (eqs. 3–13) and the CLSI pD%.
pub fn table1(rows: &[Table1Row]) -> TidyTable {
    let mut t = TidyTable::new(
        "table1",
        &[
            "quantity",
            "unit",
            "rl1",
            "rl2",
            "cv_e",
            "pcv_a",
            "pd1",
            "pd2",
            "pd1_pct",
            "pd2_pct",
            "pd_clsi_pct",
        ],
    );
    for r in rows {
        t.push(vec![
            r.quantity.as_str().into(),
            r.unit.as_str().into(),
            r.rl1.into(),
            r.rl2.into(),
            r.cv_e.into(),
            r.permissible.pcv_a.into(),
            r.pd1.into(),
            r.pd2.into(),
            r.pd1_pct.into(),
            r.pd2_pct.into(),
            r.pd_clsi_pct.into(),
        ]);
    }
    t
}

/// Whether `set` shares the common limit in a several-sets result (missing without one).
fn common(several: &[SeveralResult], limit: Limit, set: &str) -> Cell {
    several
        .iter()
        .find(|r| r.limit == limit)
        .map_or(Cell::Missing, |r| r.common.iter().any(|c| c == set).into())
}

/// `comparison`: one row per compared set B — its limits, A's, and per limit the difference D,
/// the permissible difference pD (eqs. 3–4) and the verdict; with several sets also whether the
/// set shares the common limit (appendix procedure).
pub fn comparison(names: &[String], comparisons: &[Comparison], several: &[SeveralResult]) -> TidyTable {
    let mut t = TidyTable::new(
        "comparison",
        &[
            "set",
            "lower",
            "upper",
            "a_lower",
            "a_upper",
            "d_lower",
            "pd_lower",
            "relevant_lower",
            "d_upper",
            "pd_upper",
            "relevant_upper",
            "common_lower",
            "common_upper",
        ],
    );
    for (name, c) in names.iter().zip(comparisons) {
        t.push(vec![
            name.as_str().into(),
            c.b.0.into(),
            c.b.1.into(),
            c.a.0.into(),
            c.a.1.into(),
            c.lower.d.into(),
            c.lower.pd.into(),
            c.lower.relevant.into(),
            c.upper.d.into(),
            c.upper.pd.into(),
            c.upper.relevant.into(),
            common(several, Limit::Lower, name),
            common(several, Limit::Upper, name),
        ]);
    }
    t
}

/// `several_steps`: one row per step of the several-sets procedure at each limit.
pub fn several_steps(several: &[SeveralResult]) -> TidyTable {
    let mut t = TidyTable::new(
        "several_steps",
        &["limit", "step", "sets", "min", "max", "spread", "pd", "excluded"],
    );
    for r in several {
        for (k, s) in r.steps.iter().enumerate() {
            t.push(vec![
                r.limit.name().into(),
                (k + 1).into(),
                s.kept.join(", ").into(),
                s.min.into(),
                s.max.into(),
                s.spread.into(),
                s.pd.into(),
                s.excluded.clone().map_or(Cell::Missing, Cell::Text),
            ]);
        }
    }
    t
}

/// `limits`: one row per group × limit — the estimate, its confidence interval, n, the method;
/// for reflimR also the printed (rounded) limit and, with targets, the target and the verdict; the
/// percentile the limit estimates; with an outlier screen the count it flagged and whether they
/// were removed.
pub fn limits(groups: &[(String, &GroupEstimate)]) -> TidyTable {
    let mut t = TidyTable::new(
        "limits",
        &[
            "group",
            "limit",
            "estimate",
            "ci_low",
            "ci_high",
            "n",
            "method",
            "ci_method",
            "printed",
            "target",
            "versus_target",
            "percentile",
            "outliers",
            "outliers_removed",
        ],
    );
    for (label, e) in groups {
        let l = &e.limits;
        let r = e.reflim.as_ref();
        let interp = r.and_then(|r| r.interpretation.as_ref());
        for limit in [Limit::Lower, Limit::Upper] {
            let lower = limit == Limit::Lower;
            let (est, ci) = if lower {
                (l.lower, l.ci_lower)
            } else {
                (l.upper, l.ci_upper)
            };
            t.push(vec![
                label.as_str().into(),
                limit.name().into(),
                est.into(),
                ci.map(|c| c.0).into(),
                ci.map(|c| c.1).into(),
                l.n.into(),
                l.method.as_str().into(),
                l.ci_method.clone().map_or(Cell::Missing, Cell::Text),
                r.map(|r| if lower { r.lower_rounded } else { r.upper_rounded }).into(),
                interp.map(|i| if lower { i.targets.0 } else { i.targets.1 }).into(),
                interp.map_or(Cell::Missing, |i| (if lower { i.lower } else { i.upper }).text().into()),
                (if lower { e.percentiles.0 } else { e.percentiles.1 }).into(),
                e.outliers.as_ref().map_or(Cell::Missing, |o| o.count.into()),
                e.outliers.as_ref().map_or(Cell::Missing, |o| o.removed.into()),
            ]);
        }
    }
    t
}

/// `decisions`: one row per limit — the reference group (it defines pu), the largest difference
/// D between groups, pD = z·pu (eqs. 3–4) and whether to partition.
pub fn decisions(r: &PartitionResult) -> TidyTable {
    let mut t = TidyTable::new(
        "decisions",
        &["limit", "reference", "d", "pd", "partition", "procedure"],
    );
    for d in &r.decisions {
        t.push(vec![
            d.limit.name().into(),
            d.reference.as_str().into(),
            d.d.into(),
            d.pd.into(),
            d.partition.into(),
            if d.several.is_some() {
                "several sets (appendix)"
            } else {
                "two groups (eqs. 3-4)"
            }
            .into(),
        ]);
    }
    t
}

/// `lahti`: one row per limit × group — the proportion outside the common limit (counted and
/// from the normal model) and Lahti's verdicts.
pub fn lahti(r: &PartitionResult) -> TidyTable {
    let mut t = TidyTable::new(
        "lahti",
        &[
            "limit",
            "common",
            "group",
            "outside_counted_pct",
            "outside_gaussian_pct",
            "verdict_nongaussian",
            "verdict_gaussian",
        ],
    );
    for d in &r.lahti {
        for o in &d.outside {
            t.push(vec![
                d.limit.name().into(),
                d.common.into(),
                o.group.as_str().into(),
                o.counted_pct.into(),
                o.gaussian_pct.into(),
                d.nongaussian.text().into(),
                d.gaussian.text().into(),
            ]);
        }
    }
    t
}
