//! Text/HTML rendering of the engine's results as report sections (the CLI prints these; the
//! JSON output is the result structs themselves).

use crate::equivalence::{display_digits, Comparison, SeveralResult};
use crate::estimate::group::GroupEstimate;
use crate::estimate::Limits;
use crate::partition::PartitionResult;
use crate::quote::{dec, num};
use dimorph_report::{fmt::sig, Section, Table};

fn ci(c: Option<(f64, f64)>) -> String {
    c.map_or_else(|| "NA".into(), |(a, b)| format!("{} – {}", sig(a, 4), sig(b, 4)))
}

/// A section for a two-set comparison.
pub fn comparison_section(c: &Comparison) -> Section {
    let p = &c.permissible;
    let mut s = Section::new("Comparison of reference limits (equivalence limits, Haeckel et al. 2016)");
    let dg = display_digits(p.pd1.min(p.pd2));
    let mut t = Table::new(
        "",
        &[
            "limit",
            "A",
            "B",
            "D = |A - B|",
            "pD = z·pu(A)",
            "D %",
            "pD %",
            "verdict",
        ],
    );
    for v in [&c.lower, &c.upper] {
        t.row([
            v.limit.name().to_string(),
            num(v.a),
            num(v.b),
            dec(v.d, dg),
            dec(v.pd, dg),
            dec(v.d_pct, 2),
            dec(v.pd_pct, 2),
            if v.relevant {
                "relevant: partition".into()
            } else {
                "not relevant".to_string()
            },
        ]);
    }
    t.note(format!(
        "A = ({}, {}): CV_E* = {} %, pCV_A = {} %, ps_A(Med = {}) = {}; z = {}{}; {} assumption.",
        num(c.a.0),
        num(c.a.1),
        dec(p.cv_e, 2),
        dec(p.pcv_a, 3),
        sig(p.med, 5),
        sig(p.ps_a_med, 4),
        num(p.options.z),
        if p.options.bias {
            ", pu = 1.22·ps_A (bias)"
        } else {
            ", pu = ps_A"
        },
        p.options.assumption.text()
    ));
    s.table(t);
    s.text(format!("Lower: {}", c.lower.reason));
    s.text(format!("Upper: {}", c.upper.reason));
    s
}

/// A table of limits (one row per group).
pub fn limits_table(title: &str, rows: &[(String, &Limits)]) -> Table {
    let mut t = Table::new(
        title,
        &["group", "method", "n", "lower", "upper", "CI lower", "CI upper"],
    );
    for (g, l) in rows {
        t.row([
            g.clone(),
            l.method.clone(),
            l.n.to_string(),
            sig(l.lower, 5),
            sig(l.upper, 5),
            ci(l.ci_lower),
            ci(l.ci_upper),
        ]);
    }
    t
}

/// The partition result as a section (without figures).
pub fn partition_section(r: &PartitionResult) -> Section {
    let mut s = Section::new(format!("Partitioning {} by {}", r.value, r.by));
    let mut rows: Vec<(String, &Limits)> = r
        .groups
        .iter()
        .map(|g| (format!("{} = {}", r.by, g.group), &g.limits))
        .collect();
    rows.push(("pooled".into(), &r.pooled.limits));
    let mut t = limits_table(&format!("Reference limits of {} ({})", r.value, r.method.name()), &rows);
    for g in r.groups.iter().chain(std::iter::once(&r.pooled)) {
        if let Some(x) = &g.reflim {
            t.note(format!(
                "{}: {} model, n = {} ({} after truncation), {} % non-pathological; reflimR prints {} – {}{}",
                g.group,
                if x.lognormal { "log-normal" } else { "normal" },
                x.n_total,
                x.n_trunc,
                x.perc_norm,
                dec(x.lower_rounded, x.digits.max(0) as usize),
                dec(x.upper_rounded, x.digits.max(0) as usize),
                if x.remarks.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", x.remarks.join("; "))
                }
            ));
        }
        for rm in &g.limits.remarks {
            t.note(format!("{}: {rm}", g.group));
        }
    }
    for sk in &r.skipped {
        t.note(format!("skipped: {sk}"));
    }
    s.table(t);
    let mut d = Table::new(
        "Decision per limit (equivalence limits)",
        &["limit", "D", "pD", "decision"],
    );
    for x in &r.decisions {
        let dg = display_digits(x.pd);
        d.row([
            x.limit.name().to_string(),
            dec(x.d, dg),
            dec(x.pd, dg),
            if x.partition {
                "partition".into()
            } else {
                "common limit".to_string()
            },
        ]);
    }
    s.table(d);
    for x in &r.decisions {
        s.text(x.reason.clone());
    }
    for n in &r.notes {
        s.text(n.clone());
    }
    let mut l = Table::new(
        "Lahti's criteria: % of each group outside the pooled limits (partition outside 0.9-4.1 %, common within 1.8-3.2 %)",
        &["limit", "group", "counted %", "normal model %", "non-Gaussian", "Gaussian"],
    );
    for x in &r.lahti {
        for o in &x.outside {
            l.row([
                x.limit.name().to_string(),
                format!("{} = {}", r.by, o.group),
                dec(o.counted_pct, 2),
                dec(o.gaussian_pct, 2),
                x.nongaussian.text().to_string(),
                x.gaussian.text().to_string(),
            ]);
        }
    }
    s.table(l);
    s.text(if r.partition {
        format!(
            "Verdict: partition {} by {} (at least one limit differs beyond the equivalence limits).",
            r.value, r.by
        )
    } else {
        format!(
            "Verdict: one common reference interval for {} (both limits within the equivalence limits).",
            r.value
        )
    });
    s
}

/// How a group is named in the estimate report: `Sex = f`, or `all` without a group column.
pub fn group_label(by: Option<&str>, group: &str) -> String {
    match by {
        Some(b) => format!("{b} = {group}"),
        None => "all".into(),
    }
}

/// The estimate as a section: the limits per group, with reflimR's interpretation against the
/// targets and its remarks as notes.
pub fn estimate_section(
    value: &str,
    by: Option<&str>,
    groups: &[GroupEstimate],
    skipped: &[String],
    failed: &[crate::estimate::group::NotEstimated],
) -> Section {
    let rows: Vec<(String, &Limits)> = groups.iter().map(|e| (group_label(by, &e.group), &e.limits)).collect();
    let mut t = limits_table(&format!("Reference limits of {value}"), &rows);
    for sk in skipped {
        t.note(format!("skipped: {sk}"));
    }
    for f in failed {
        t.note(format!(
            "{}: not estimated: {}",
            group_label(by, &crate::error::clip(&f.group)),
            f.reason
        ));
    }
    let short = |e: &GroupEstimate| if by.is_some() { e.group.clone() } else { "all".into() };
    for e in groups {
        if let Some(i) = e.reflim.as_ref().and_then(|r| r.interpretation.as_ref()) {
            t.note(format!(
                "{}: against targets {} - {}: lower limit {}, upper limit {}",
                short(e),
                i.targets.0,
                i.targets.1,
                i.lower.text(),
                i.upper.text()
            ));
        }
        if e.percentiles != crate::options::DEFAULT_PERCENTILES {
            t.note(format!(
                "{}: the limits are the {} % and {} % percentiles (--percentiles)",
                short(e),
                crate::error::num(e.percentiles.0),
                crate::error::num(e.percentiles.1)
            ));
        }
        if let Some(o) = &e.outliers {
            let list: Vec<String> = o.values.iter().take(20).map(|v| sig(*v, 6)).collect();
            t.note(format!(
                "{}: outlier screen {}: {} value{} flagged{}{}; {}",
                short(e),
                o.screen.flag(),
                o.count,
                if o.count == 1 { "" } else { "s" },
                if o.count > 0 {
                    format!(" ({}{})", list.join(", "), if o.count > 20 { ", ..." } else { "" })
                } else {
                    String::new()
                },
                if o.count == 0 {
                    ""
                } else if o.removed {
                    ", removed before the estimate"
                } else {
                    ", kept in the estimate (--remove-outliers leaves them out)"
                },
                o.detail
            ));
        }
        for rm in e.remarks() {
            t.note(format!("{}: {rm}", short(e)));
        }
    }
    let mut s = Section::new("");
    s.table(t);
    s
}

/// Several sets compared at both limits (the appendix procedure): one table per limit, a row per
/// step.
pub fn several_section(results: &[SeveralResult]) -> Section {
    let mut s = Section::new("Comparison of several sets of reference limits (Haeckel et al. 2016, appendix)");
    for r in results {
        let mut t = Table::new(
            format!("{} limit", r.limit.name()),
            &["step", "sets", "min", "max", "spread", "pD", "result"],
        );
        for (k, st) in r.steps.iter().enumerate() {
            t.row([
                (k + 1).to_string(),
                st.kept.join(", "),
                sig(st.min, 5),
                sig(st.max, 5),
                dec(st.spread, 4),
                dec(st.pd, 4),
                st.excluded
                    .as_ref()
                    .map(|e| format!("exclude {e}"))
                    .unwrap_or_else(|| "common limit".into()),
            ]);
        }
        t.note(format!(
            "common limit for: {}{}",
            r.common.join(", "),
            if r.excluded.is_empty() {
                String::new()
            } else {
                format!("; excluded: {}", r.excluded.join(", "))
            }
        ));
        s.table(t);
    }
    s
}

/// Each set B against A, limit by limit (eqs. 3–4): a row per set and limit.
pub fn pairs_table(names: &[String], comparisons: &[Comparison]) -> Table {
    let mut t = Table::new(
        "Each set against A (pD from A's limits)",
        &["set", "limit", "A", "B", "D", "pD", "verdict"],
    );
    for (name, c) in names.iter().zip(comparisons) {
        let dg = display_digits(c.permissible.pd1.min(c.permissible.pd2));
        for v in [&c.lower, &c.upper] {
            t.row([
                name.clone(),
                v.limit.name().to_string(),
                num(v.a),
                num(v.b),
                dec(v.d, dg),
                dec(v.pd, dg),
                if v.relevant {
                    "relevant".to_string()
                } else {
                    "not relevant".to_string()
                },
            ]);
        }
    }
    t
}
