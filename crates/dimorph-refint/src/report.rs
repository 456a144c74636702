//! Text/HTML rendering of the engine's results as report sections (the CLI prints these; the
//! JSON output is the result structs themselves).

use crate::equivalence::{display_digits, Comparison};
use crate::estimate::Limits;
use crate::partition::PartitionResult;
use dimorph_report::{fmt::fixed, fmt::sig, Section, Table};

fn ci(c: Option<(f64, f64)>) -> String {
    c.map(|(a, b)| format!("{} – {}", sig(a, 4), sig(b, 4)))
        .unwrap_or_default()
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
            format!("{}", v.a),
            format!("{}", v.b),
            fixed(v.d, dg),
            fixed(v.pd, dg),
            fixed(v.d_pct, 2),
            fixed(v.pd_pct, 2),
            if v.relevant {
                "relevant: partition".into()
            } else {
                "not relevant".to_string()
            },
        ]);
    }
    t.note(format!(
        "A = ({}, {}): CV_E* = {:.2} %, pCV_A = {:.3} %, ps_A(Med = {}) = {}; z = {}{}; {} assumption.",
        c.a.0,
        c.a.1,
        p.cv_e,
        p.pcv_a,
        sig(p.med, 5),
        sig(p.ps_a_med, 4),
        p.options.z,
        if p.options.bias {
            ", pu = 1.22·ps_A (bias)"
        } else {
            ", pu = ps_A"
        },
        match p.options.assumption {
            crate::Assumption::LogNormal => "log-normal",
            crate::Assumption::Normal => "normal",
        }
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
                fixed(x.lower_rounded, x.digits.max(0) as usize),
                fixed(x.upper_rounded, x.digits.max(0) as usize),
                if x.remarks.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", x.remarks.join("; "))
                }
            ));
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
            fixed(x.d, dg),
            fixed(x.pd, dg),
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
