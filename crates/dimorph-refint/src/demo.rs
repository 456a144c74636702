//! The reference-limits part of `dimorph demo`: the paper's Table 1, its two worked examples, the
//! creatinine comparison with its equivalence plot (Figure 2), the reflimR limits of the
//! livertests data by sex with the partitioning decision per analyte, the full partitioning of
//! creatinine by sex, and creatinine's age-dependent limits by sex (`refint age`: sliding windows
//! smoothed by LOESS, with its figure).

use crate::equivalence::{compare, compare_one, Comparison, Limit, LimitVerdict};
use crate::error::{RefintError, Result};
use crate::figures::{self, partition_figures};
use crate::options::{EstimateOptions, PermissibleOptions};
use crate::partition::{partition_grouped, read_for_partition, PartitionResult};
use crate::report::{comparison_section, partition_section};
use crate::table::{render, table1_from_frame, Table1Row};
use dimorph_data::Frame;
use dimorph_report::{fmt::fixed, Outcome, Section, Table};
use serde::Serialize;
use std::path::Path;

/// Analytes of the livertests data.
pub const LIVERTESTS_ANALYTES: [&str; 8] = ["ALB", "ALT", "AST", "BIL", "CHE", "CREA", "GGT", "PROT"];

/// One analyte of the livertests data: reflimR's printed limits by sex, the decision per limit,
/// and each sex's limits judged against the textbook targets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LivertestsRow {
    pub analyte: String,
    /// Women's and men's limits as reflimR prints them (rounded).
    pub female: (f64, f64),
    pub male: (f64, f64),
    /// Whether the lower / upper limit needs partitioning by sex.
    pub partition_lower: bool,
    pub partition_upper: bool,
    /// reflimR's interpretation "lower / upper" against the targets.
    pub female_vs_target: String,
    pub male_vs_target: String,
}

/// What the demo computes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemoResult {
    /// Table 1 of the paper.
    pub table1: Vec<Table1Row>,
    /// Worked example: creatinine upper limit, men 104 vs women 88 µmol/L.
    pub creatinine_upper: LimitVerdict,
    /// Worked example: AST upper limit, 35.0 vs 37.0 U/L.
    pub ast_upper: LimitVerdict,
    /// Creatinine, men (50, 104) as A against women (45, 88) as B.
    pub creatinine: Comparison,
    /// The livertests analytes by sex.
    pub livertests: Vec<LivertestsRow>,
    /// The full partitioning of livertests creatinine by sex.
    pub crea_by_sex: PartitionResult,
    /// Creatinine's age-dependent limits by sex (sliding windows, LOESS-smoothed).
    pub crea_by_age: crate::run::AgeResult,
}

/// Runs the demo on the bundled data folder (`data/`, holding `refint/`): the result, a short
/// summary of the headline figures, and one section with the full report (figures included, for
/// the HTML page).
pub fn run(data_dir: &Path) -> Result<Outcome<DemoResult>> {
    let dir = data_dir.join("refint");
    let opts = PermissibleOptions::default();
    let mut s = Section::new("Reference limits: equivalence limits and partitioning (Haeckel, Wosniok & Arzideh 2016)");
    let f = dimorph_data::read_csv(dir.join("haeckel2016_table1.csv"))?;
    let table1 = table1_from_frame(&f, opts)?;
    s.table(render(&table1));
    let (creatinine_upper, ast_upper, creatinine) = worked_examples(&mut s, opts)?;
    let lt = dimorph_data::read_csv(dir.join("reflimr_livertests.csv"))?;
    let tv = dimorph_data::read_csv(dir.join("reflimr_targetvalues.csv"))?;
    let (livertests, crea_by_sex) = livertests(&mut s, &lt, &tv)?;
    let age = crea_by_age(&dir)?;
    for a in age.sections {
        s.extend(a);
    }
    let crea_by_age = age.result;
    let result = DemoResult {
        table1,
        creatinine_upper,
        ast_upper,
        creatinine,
        livertests,
        crea_by_sex,
        crea_by_age,
    };
    let summary = summary(&result);
    let mut out = Outcome::new(result).section(s);
    out.summary = summary;
    Ok(out)
}

/// The demo section alone (what `dimorph demo` printed before [`run`] existed).
pub fn section(data_dir: &Path) -> Result<Section> {
    let mut sections = run(data_dir)?.sections;
    Ok(sections.remove(0))
}

/// The paper's two worked examples and the creatinine comparison with its figure.
fn worked_examples(s: &mut Section, opts: PermissibleOptions) -> Result<(LimitVerdict, LimitVerdict, Comparison)> {
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
    Ok((crea, ast, c))
}

/// The target limits of analyte `a` for sex `sex` ("f" or "m").
fn target(tv: &Frame, a: &str, sex: &str) -> Result<(f64, f64)> {
    let names = tv.column("analyte")?;
    let i = (0..tv.nrows)
        .find(|&i| match &names.data {
            dimorph_data::ColumnData::Text { values, .. } => values[i].as_deref() == Some(a),
            _ => false,
        })
        .ok_or_else(|| RefintError::Invalid {
            what: tv.source.clone(),
            msg: format!("no row for analyte {a}"),
        })?;
    let (l, u) = if sex == "f" {
        ("ll.female", "ul.female")
    } else {
        ("ll.male", "ul.male")
    };
    Ok((tv.numeric(l)?[i], tv.numeric(u)?[i]))
}

fn judge(limits: (f64, f64), targets: (f64, f64)) -> Result<String> {
    let i = crate::interpretation::interpret(limits, targets, true)?;
    Ok(format!("{} / {}", i.lower.text(), i.upper.text()))
}

/// One livertests analyte partitioned by sex (reflimR), as a summary row.
fn livertests_row(a: &str, r: &PartitionResult, tv: &Frame) -> Result<(LivertestsRow, usize, usize)> {
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
    let row = LivertestsRow {
        analyte: a.into(),
        female: (fm.0, fm.1),
        male: (mm.0, mm.1),
        partition_lower: r.decisions[0].partition,
        partition_upper: r.decisions[1].partition,
        female_vs_target: judge((fm.0, fm.1), target(tv, a, "f")?)?,
        male_vs_target: judge((mm.0, mm.1), target(tv, a, "m")?)?,
    };
    Ok((row, fm.2, mm.2))
}

/// The livertests table (every analyte by sex) and the full partitioning of creatinine.
fn livertests(s: &mut Section, lt: &Frame, tv: &Frame) -> Result<(Vec<LivertestsRow>, PartitionResult)> {
    let eo = EstimateOptions {
        permissible: Some(PermissibleOptions::default()),
        ..Default::default()
    };
    let mut t = Table::new(
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
    let mut rows = Vec::new();
    let mut crea = None;
    for a in LIVERTESTS_ANALYTES {
        let g = read_for_partition(lt, a, "Sex", &[], &eo)?;
        let r = partition_grouped(&lt.source, &g, &eo)?;
        let (row, fd, md) = livertests_row(a, &r, tv)?;
        let verdict = |p: bool| if p { "partition" } else { "common" }.to_string();
        t.row([
            a.to_string(),
            fixed(row.female.0, fd),
            fixed(row.female.1, fd),
            fixed(row.male.0, md),
            fixed(row.male.1, md),
            verdict(row.partition_lower),
            verdict(row.partition_upper),
            row.female_vs_target.clone(),
            row.male_vs_target.clone(),
        ]);
        rows.push(row);
        if a == "CREA" {
            crea = Some((r, g));
        }
    }
    t.note("vs target: reflimR's interpretation of the lower / upper limit against the textbook limits (reflimr_targetvalues.csv).");
    t.note("Limits rounded as reflimR prints them; decisions: the difference between the sexes against z·pu of the sex with the lower limit.");
    s.table(t);
    let (r, g) = crea.ok_or_else(|| RefintError::Invalid {
        what: lt.source.clone(),
        msg: "no CREA analyte".into(),
    })?;
    let mut ps = partition_section(&r);
    for f in partition_figures(&r, &g)? {
        ps.figure(f.caption, f.svg);
    }
    // each sex's reflimR estimate as reflimR plots it, and its Q-Q plot
    let mut taken = std::collections::HashSet::new();
    for f in crate::estimate_figures::group_figures(&r.value, false, &g, &r.groups, &r.options, &mut taken) {
        ps.figure(f.caption, f.svg);
    }
    s.extend(ps);
    Ok((rows, r))
}

/// `refint age` on livertests creatinine by sex: reflimR's method in windows 20 years wide every
/// 2.5 years, smoothed across windows by LOESS, with the figure in the section.
fn crea_by_age(dir: &Path) -> Result<Outcome<crate::run::AgeResult>> {
    let o = crate::run::AgeOptions {
        value: "CREA".into(),
        age: "Age".into(),
        by: Some("Sex".into()),
        window: 20.0,
        step: 2.5,
        smooth: crate::age_smooth::WindowSmoothing {
            method: crate::age_smooth::WindowSmoother::Loess,
            ..Default::default()
        },
        unit: Some("µmol/L".into()),
        age_unit: Some("years".into()),
        ..Default::default()
    };
    let cf = dimorph_data::read_coded(
        dir.join("reflimr_livertests.csv"),
        &Default::default(),
        &["CREA", "Age"],
        &["Sex"],
    )?;
    crate::run::run_age_coded(&cf, &o)
}

/// The headline figures, one short line each.
fn summary(r: &DemoResult) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(c) = r.table1.iter().find(|x| x.quantity == "Creatinine") {
        out.push(format!(
            "Table 1, {} analytes; creatinine {}-{} {}: CV_E* {:.2} %, pD {:.2} / {:.2}",
            r.table1.len(),
            c.rl1,
            c.rl2,
            c.unit,
            c.cv_e,
            c.pd1,
            c.pd2
        ));
    }
    let v = &r.creatinine_upper;
    out.push(format!(
        "Creatinine upper limit, men 104 vs women 88 µmol/L: D = {:.2} > pD = {:.2}: stratify by sex",
        v.d, v.pd
    ));
    let v = &r.ast_upper;
    out.push(format!(
        "AST upper limit, 35.0 vs 37.0 U/L: D = {:.2} {} pD = {:.2}: {}",
        v.d,
        if v.relevant { ">" } else { "<=" },
        v.pd,
        if v.relevant { "relevant" } else { "not relevant" }
    ));
    let count = |f: fn(&LivertestsRow) -> bool| r.livertests.iter().filter(|x| f(x)).count();
    out.push(format!(
        "livertests by sex (reflimR): partition the lower limit of {} and the upper of {} of {} analytes",
        count(|x| x.partition_lower),
        count(|x| x.partition_upper),
        r.livertests.len()
    ));
    let p = &r.crea_by_sex;
    let lim = |i: usize| {
        p.groups[i]
            .reflim
            .as_ref()
            .map(|x| format!("{} – {}", x.lower_rounded, x.upper_rounded))
            .unwrap_or_default()
    };
    let est = r.crea_by_age.windows.iter().filter(|w| w.lower.is_some()).count();
    out.push(format!(
        "CREA by age and sex (refint age, windows of 20 years every 2.5, LOESS-smoothed): {est} of {} windows estimated",
        r.crea_by_age.windows.len()
    ));
    if p.groups.len() == 2 {
        out.push(format!(
            "CREA by sex: women {}, men {} µmol/L: {}",
            lim(0),
            lim(1),
            if p.partition {
                "partition"
            } else {
                "one common interval"
            }
        ));
    }
    out
}
