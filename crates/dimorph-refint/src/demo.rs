//! The reference-limits section of `dimorph demo`: the paper's Table 1, its two worked examples,
//! and the partitioning of the reflimR livertests data by sex.

use crate::equivalence::{compare, compare_one, Limit};
use crate::error::{RefintError, Result};
use crate::figures;
use crate::partition::{partition, EstimateOptions};
use crate::permissible::PermissibleOptions;
use crate::report::{comparison_section, partition_section};
use crate::table::{render, table1_from_frame};
use dimorph_report::{fmt::fixed, Section, Table};
use std::path::Path;

/// Analytes of the livertests data.
pub const LIVERTESTS_ANALYTES: [&str; 8] = ["ALB", "ALT", "AST", "BIL", "CHE", "CREA", "GGT", "PROT"];

/// Builds the demo section from the bundled data folder (`data/`, holding `refint/`).
pub fn section(data_dir: &Path) -> std::result::Result<Section, RefintError> {
    let dir = data_dir.join("refint");
    let mut s = Section::new("Reference limits: equivalence limits and partitioning (Haeckel, Wosniok & Arzideh 2016)");
    let opts = PermissibleOptions::default();
    let f = dimorph_data::read_csv(dir.join("haeckel2016_table1.csv"))?;
    let rows = table1_from_frame(&f, opts)?;
    s.table(render(&rows));

    s.text("Worked examples of the paper (pu from the first limits, z = 1.28):");
    let crea = compare_one((50.0, 104.0), Limit::Upper, 88.0, opts)?;
    s.text(format!(
        "Creatinine, upper limit men 104 vs women 88 µmol/L: {} → stratify by sex.",
        crea.reason
    ));
    let ast = compare_one((10.0, 35.0), Limit::Upper, 37.0, opts)?;
    s.text(format!(
        "AST, upper limit 35.0 (women) vs 37.0 U/L (a laboratory): {}.",
        ast.reason
    ));
    let c = compare((50.0, 104.0), (45.0, 88.0), opts)?;
    let mut cs = comparison_section(&c);
    cs.title = "Creatinine: men (50, 104) as A vs women (45, 88) as B".into();
    cs.figure(
        "Equivalence lines (Figure 2 of the paper) for creatinine: men's limits (A) against women's (B)",
        figures::equivalence_plot(
            "Creatinine (µmol/L): equivalence lines",
            "men",
            "women",
            c.a,
            c.b,
            &c.permissible,
        ),
    );
    s.extend(cs);

    let lt = dimorph_data::read_csv(dir.join("reflimr_livertests.csv"))?;
    let eo = EstimateOptions::default();
    let mut summary = Table::new(
        "reflimR limits by sex for the livertests data (612 routine results) and the partitioning decision",
        &[
            "analyte",
            "f lower",
            "f upper",
            "m lower",
            "m upper",
            "lower",
            "upper",
            "f vs target",
            "m vs target",
        ],
    );
    let tv = dimorph_data::read_csv(dir.join("reflimr_targetvalues.csv"))?;
    let target = |a: &str, sex: &str| -> Result<(f64, f64)> {
        let names = tv.column("analyte")?;
        let i = (0..tv.nrows)
            .find(|&i| match &names.data {
                dimorph_data::ColumnData::Text { values, .. } => values[i].as_deref() == Some(a),
                _ => false,
            })
            .ok_or_else(|| RefintError::Invalid {
                what: "reflimr_targetvalues.csv".into(),
                msg: format!("no row for {a}"),
            })?;
        let (l, u) = if sex == "f" {
            ("ll.female", "ul.female")
        } else {
            ("ll.male", "ul.male")
        };
        Ok((tv.numeric(l)?[i], tv.numeric(u)?[i]))
    };
    for a in LIVERTESTS_ANALYTES {
        let r = partition(&lt, a, "Sex", &eo)?;
        let g = |i: usize| {
            r.groups[i]
                .reflim
                .as_ref()
                .map(|x| (x.lower_rounded, x.upper_rounded, x.digits.max(0) as usize))
        };
        let (Some(fm), Some(mm)) = (g(0), g(1)) else {
            return Err(RefintError::Invalid {
                what: a.into(),
                msg: "reflimR details missing".into(),
            });
        };
        let verdict = |i: usize| {
            if r.decisions[i].partition {
                "partition"
            } else {
                "common"
            }
        };
        summary.row([
            a.to_string(),
            fixed(fm.0, fm.2),
            fixed(fm.1, fm.2),
            fixed(mm.0, mm.2),
            fixed(mm.1, mm.2),
            verdict(0).to_string(),
            verdict(1).to_string(),
            judge((fm.0, fm.1), target(a, "f")?)?,
            judge((mm.0, mm.1), target(a, "m")?)?,
        ]);
    }
    summary.note("vs target: reflimR's interpretation of the lower / upper limit against the textbook limits (reflimr_targetvalues.csv).");
    summary.note("Limits rounded as reflimR prints them; decisions: the difference between the sexes against z·pu of the sex with the lower limit.");
    s.table(summary);

    let r = partition(&lt, "CREA", "Sex", &eo)?;
    let mut ps = partition_section(&r);
    add_partition_figures(&mut ps, &r, &lt)?;
    s.extend(ps);
    Ok(s)
}

fn judge(limits: (f64, f64), targets: (f64, f64)) -> Result<String> {
    let i = crate::interpretation::interpret(limits, targets, true)?;
    Ok(format!("{} / {}", i.lower.text(), i.upper.text()))
}

/// Adds the histogram and the equivalence plot of a two-group partition to a section.
pub fn add_partition_figures(
    s: &mut Section,
    r: &crate::partition::PartitionResult,
    frame: &dimorph_data::Frame,
) -> Result<()> {
    let (hist, eq) = partition_figures(r, frame)?;
    s.figure(
        format!(
            "{} by {}: histograms with each group's reference limits (values above median + 8·IQR not drawn)",
            r.value, r.by
        ),
        hist,
    );
    if let Some(eq) = eq {
        s.figure(
            format!("{} by {}: equivalence lines (Figure 2 of the paper)", r.value, r.by),
            eq,
        );
    }
    Ok(())
}

/// The two figures of a partition: the histograms, and (for two groups) the equivalence plot
/// with A = the group with the lower upper limit.
pub fn partition_figures(
    r: &crate::partition::PartitionResult,
    frame: &dimorph_data::Frame,
) -> Result<(String, Option<String>)> {
    let g = crate::partition::read_grouped(frame, &r.value, Some(&r.by), false, "")?;
    let groups: Vec<(String, Vec<f64>, f64, f64)> = r
        .groups
        .iter()
        .zip(&g.groups)
        .map(|(e, (lvl, x))| (format!("{} = {lvl}", r.by), x.clone(), e.limits.lower, e.limits.upper))
        .collect();
    let hist = figures::histograms(&format!("{} by {}", r.value, r.by), &r.value, &groups);
    let eq = if r.groups.len() == 2 {
        let ia = if r.groups[0].limits.upper <= r.groups[1].limits.upper {
            0
        } else {
            1
        };
        let (a, b) = (&r.groups[ia], &r.groups[1 - ia]);
        let p = crate::Permissible::named(
            &format!("limits of '{}'", a.group),
            a.limits.lower,
            a.limits.upper,
            r.options.permissible,
        )?;
        Some(figures::equivalence_plot(
            &format!(
                "{}: equivalence lines, {} = {} (A) vs {} (B)",
                r.value, r.by, a.group, b.group
            ),
            &format!("{} = {}", r.by, a.group),
            &format!("{} = {}", r.by, b.group),
            (a.limits.lower, a.limits.upper),
            (b.limits.lower, b.limits.upper),
            &p,
        ))
    } else {
        None
    };
    Ok((hist, eq))
}
