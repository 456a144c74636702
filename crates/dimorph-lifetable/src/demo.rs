//! The `dimorph demo` section: the paper's Tables 1–2 and Figures 3–6 for the USA, 2010, from
//! the bundled HMD files (`data/hmd/USA`) and cause-of-death file (`data/usa_2010_cod.csv`),
//! first as we compute them (continuous eq. 1–6, each age's own cause shares), then recomputed
//! the paper authors' way, each table beside the published one; the paper's Figure 2 (f(y|a),
//! US males 2010); and the female–male gap in e0 decomposed by age and cause
//! ([`crate::decompose`]: Arriaga, and the line integral of e0, e†, Gini and SD).

use crate::analysis::{analyse, Analysis, Table1Row, Table2Row};
use crate::causes::CauseDeaths;
use crate::lifelost::Summary;
use crate::options::{CauseShares, Discretisation, LifeLostOptions, Smoothing};
use crate::population::Sex;
use crate::read::read_hmd_dir;
use crate::report;
use crate::Error;
use dimorph_report::{Outcome, Section};
use serde::Serialize;
use std::path::Path;

/// What the demo computes: Tables 1 and 2 both ways.
#[derive(Debug, Clone, Serialize)]
pub struct DemoResult {
    /// Life expectancy at birth (male, female).
    pub e0: (f64, f64),
    /// Table 1 with each age's own cause shares.
    pub table1: Option<Vec<Table1Row>>,
    /// Table 2, continuous eq. 1–6 under the Kannisto-smoothed HMD table.
    pub table2: Vec<Table2Row>,
    /// Table 1 with the paper's cause shares (abridged log rates, cubic spline).
    pub table1_papers_way: Option<Vec<Table1Row>>,
    /// Table 2 with the paper's discretisation and shares on the raw rates.
    pub table2_papers_way: Vec<Table2Row>,
    /// The female − male gap in e0 (years).
    pub e0_gap: f64,
    /// Arriaga's contribution of each cause group to the gap (years), largest first.
    pub e0_gap_by_cause: Vec<(String, f64)>,
}

/// The ages of the cross-sections of f(y|a) in Figure 2.
pub const FIGURE2_AGES: [usize; 7] = [0, 20, 40, 60, 70, 80, 90];

/// The two analyses of the demo: ours (defaults) and the paper authors' way.
fn analyses(data_dir: &Path) -> Result<(Analysis, Analysis), Error> {
    let data = read_hmd_dir(&data_dir.join("hmd").join("USA"))?;
    let causes = CauseDeaths::read_csv(&data_dir.join("usa_2010_cod.csv"), None)?;
    let both = [Sex::Female, Sex::Male];
    let ours = analyse(&data, Some(&causes), 2010, &both, None, &LifeLostOptions::default())?;
    let mut po = LifeLostOptions {
        discretisation: Discretisation::Paper,
        cause_shares: CauseShares::Paper,
        ..Default::default()
    };
    po.lifetable.smoothing = Smoothing::None;
    let papers = analyse(&data, Some(&causes), 2010, &both, None, &po)?;
    Ok((ours, papers))
}

/// Runs the demo on the bundled data in `data_dir`: a short summary for the terminal and one
/// section (tables and the eight figures) for the HTML report.
pub fn run(data_dir: &Path) -> Result<Outcome<DemoResult>, Error> {
    let (a, p) = analyses(data_dir)?;
    let gap = gap(data_dir)?;
    let e0 = |s: Sex| a.sex(s).map_or(f64::NAN, |r| r.lifetable.e0());
    let g = &gap.result;
    let mut by_cause: Vec<(String, f64)> = g
        .groups
        .iter()
        .zip(&g.arriaga.by_age_cause)
        .map(|(name, c)| (name.clone(), c.iter().sum()))
        .collect();
    by_cause.sort_by(|x, y| y.1.total_cmp(&x.1));
    let result = DemoResult {
        e0: (e0(Sex::Male), e0(Sex::Female)),
        table1: a.table1(),
        table2: a.table2(),
        table1_papers_way: p.table1(),
        table2_papers_way: p.table2(),
        e0_gap: g.arriaga.difference,
        e0_gap_by_cause: by_cause,
    };
    let mut o = Outcome::new(result).section(full_section(&a, &p));
    o.sections.push(figure2_section(&a));
    o.sections.push(gap_section(gap));
    o.summary = summary(&o.result);
    o.warnings = a.warnings.clone();
    Ok(o)
}

/// The USA 2010 female − male decomposition by age and cause.
fn gap(data_dir: &Path) -> Result<Outcome<crate::decompose::DecomposeResult>, Error> {
    let data = read_hmd_dir(&data_dir.join("hmd").join("USA"))?;
    let causes = CauseDeaths::read_csv(&data_dir.join("usa_2010_cod.csv"), None)?;
    let side = |sex| crate::decompose::Side {
        data: &data,
        causes: Some(&causes),
        year: 2010,
        sex,
    };
    crate::decompose::run_decompose(
        &side(Sex::Female),
        &side(Sex::Male),
        &crate::decompose::DecomposeOptions::default(),
    )
}

/// The paper's Figure 2: cross-sections of f(y|a), US males 2010, from our analysis `a`.
fn figure2_section(a: &Analysis) -> Section {
    let mut s = Section::new("Remaining lifespan by age (the paper's Figure 2)");
    s.text(
        "f(y|a), the distribution of the years left y of those alive at age a (eq. 1), under the 2010 US male \
         table; its values are the `male_all_f_years_left_given_age` table of `dimorph lifelost --out DIR`.",
    );
    if let Some(male) = a.result(Sex::Male, "All") {
        s.figure(
            "Figure 2: probability of surviving y years given survival to age a, f(y|a), US males, 2010 (eq. 1)",
            crate::figures::remaining_lifespan(
                &format!("{}, {}, males: f(y|a)", a.label.trim_end_matches(", HMD"), a.year),
                male,
                &FIGURE2_AGES,
            ),
        );
    }
    s
}

/// The decomposition's section, introduced for the report.
fn gap_section(gap: Outcome<crate::decompose::DecomposeResult>) -> Section {
    let mut s = Section::new("Why women outlive men: the USA 2010 gap in e0 by age and cause");
    s.text(
        "The female − male difference in life expectancy at birth split into the contributions of each age \
         group and cause group: Arriaga's method (exact; each age's contribution shared out by the causes' \
         parts of the difference in rates, Preston, Heuveline & Guillot 2001), and the line integral of Horiuchi, \
         Wilmoth & Pletcher (2008) for e0 and the lifespan-variation measures. `dimorph lifetable decompose \
         --hmd data/hmd/USA --year 2010 --causes data/usa_2010_cod.csv` gives the same with the tidy tables; \
         the contributions were checked against DemoDecomp (R) and Arriaga's formula in R \
         (crates/dimorph-lifetable/tests/peers/decompose.R).",
    );
    for sec in gap.sections {
        s.extend(sec);
    }
    s
}

/// The first section of the report: the paper's tables and Figures 3–6 (the Figure 2 and
/// decomposition sections follow it in [`run`]).
pub fn section(data_dir: &Path) -> Result<Section, Error> {
    let o = run(data_dir)?;
    Ok(o.sections.into_iter().next().unwrap_or_default())
}

fn full_section(a: &Analysis, p: &Analysis) -> Section {
    let mut s = Section::new("Life lost, lifesaving and causes of death (Riffe & Sole Auro 2015), USA 2010");
    s.text(
        "Every death of 2010 is saved once and lives on under the 2010 life table (HMD Methods Protocol v6, \
         Kannisto-smoothed above 80); a death from cause c lives on under the table with c deleted (eq. 9-11). \
         Deaths of age-year a are saved at the mean age at death of that year (a + a_x). Cause deaths are each \
         cause group's share of deaths by age (NCHS counts by ICD-10 chapter) times the HMD all-cause deaths.",
    );
    let body = report::lifelost_section(a, &["All", "Cardiovascular"], false, true);
    s.blocks.extend(body.blocks);
    for w in &a.warnings {
        s.text(format!("Warning: {w}"));
    }
    s.text(
        "Our mean age at saving of the years won, W(a), is 0.4-0.5 years below the paper's and the mean age \
         lived 0.1-0.2 above: these are the continuous eq. 1-6 under the table's within-year survival. The \
         authors computed on whole years (l(x+1) = l(x)exp(-m(x)) from the raw rates, deaths at mid-year, \
         end-of-year survivors l(x+1)/l(a+1) with the year of saving counted whole, class midpoints) and formed \
         the cause shares from abridged log rates interpolated by a cubic spline; `dimorph lifelost \
         --discretisation paper --cause-shares paper --no-smooth` does the same, below.",
    );
    if let Some(mut t) = report::table1(p, true) {
        t.title = format!(
            "Table 1 recomputed with the paper's cause shares (abridged log rates, cubic spline), {}",
            p.year
        );
        s.table(t);
    }
    let mut t = report::table2(p, true);
    t.title = format!(
        "Table 2 recomputed the paper authors' way (whole age-years, raw rates, spline cause shares), {}",
        p.year
    );
    s.table(t);
    s
}

/// The terminal lines: e₀, Table 2 for all causes both ways beside the paper, Table 1's totals.
fn summary(r: &DemoResult) -> Vec<String> {
    let mut out = vec![format!(
        "USA 2010 (HMD): e0 {:.2} males, {:.2} females (HMD published {:.2}, {:.2})",
        r.e0.0,
        r.e0.1,
        crate::paper::E0_2010.0,
        crate::paper::E0_2010.1
    )];
    out.push("Table 2, all causes: mean age at death, years left, age at saving, age lived".into());
    let paper = crate::paper::TABLE2.iter().find(|p| p.0 == "All").map(|p| p.1);
    for (label, rows) in [("ours", &r.table2), ("paper's way", &r.table2_papers_way)] {
        let Some(all) = rows.iter().find(|x| x.cause == "All") else {
            continue;
        };
        for (j, (sex, s)) in [("males", all.male), ("females", all.female)].into_iter().enumerate() {
            let published = paper.map(|p| [p[j], p[2 + j], p[4 + j], p[6 + j]]);
            out.push(format!(
                "  {label:<11} {sex:<7} {}  (paper {})",
                four(s.map(cells)),
                four(published)
            ));
        }
    }
    let top: Vec<String> = r
        .e0_gap_by_cause
        .iter()
        .take(3)
        .map(|(c, x)| format!("{c} {x:.2}"))
        .collect();
    out.push(format!(
        "female - male e0 gap {:.2} years; by cause (Arriaga): {}",
        r.e0_gap,
        top.join(", ")
    ));
    if let Some(total) = r.table1.as_ref().and_then(|t| t.iter().find(|x| x.cause == "Total")) {
        out.push(format!(
            "Table 1: {} female and {} male deaths by cause group (paper {} and {})",
            report::thousands(total.female),
            report::thousands(total.male),
            report::thousands(crate::paper::TABLE1[7].1),
            report::thousands(crate::paper::TABLE1[7].2)
        ));
    }
    out
}

fn cells(s: Summary) -> [f64; 4] {
    [
        s.mean_age_at_death,
        s.mean_years_left,
        s.mean_age_at_saving,
        s.mean_age_lived,
    ]
}

fn four(v: Option<[f64; 4]>) -> String {
    match v {
        Some(v) => format!("{:.1} {:.1} {:.1} {:.1}", v[0], v[1], v[2], v[3]),
        None => "-".into(),
    }
}
