//! Text tables and figures for life tables and life-lost analyses: [`Section`]s for the terminal
//! and the HTML report (the tidy CSV tables are in the `tidy` module).

use crate::analysis::Analysis;
use crate::figures::{pyramid, Perspective};
use crate::population::{age_label, Sex};
use crate::table::Lifetable;
use crate::variation::Variation;
use dimorph_report::fmt::fixed;
use dimorph_report::{Section, Table};
use std::fmt::Write as _;

/// A whole number with thousands separators (`1,236,003`).
pub fn thousands(x: f64) -> String {
    let s = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if x < 0.0 && s != "0" {
        format!("-{out}")
    } else {
        out
    }
}

/// `x` with `d` decimals, or `undefined` when it is not a finite number (a warning says why).
pub fn number(x: f64, d: usize) -> String {
    if x.is_finite() {
        fixed(x, d)
    } else {
        "undefined".into()
    }
}

/// The life table as HMD prints it (mx, qx 5 decimals; ax 2; lx, dx, Lx, Tx whole; ex 2).
pub fn lifetable_table(t: &Lifetable) -> Table {
    let title = format!(
        "Period life table, {}{}",
        t.sex,
        t.year.map(|y| format!(", {y}")).unwrap_or_default()
    );
    let mut tab = Table::new(title, &["Age", "mx", "qx", "ax", "lx", "dx", "Lx", "Tx", "ex"]);
    let n = t.len();
    for i in 0..n {
        let lab = if t.width[i] > 1.0 && i + 1 < n {
            format!("{}-{}", t.age[i], t.age[i] + t.width[i] - 1.0)
        } else {
            age_label(t.age[i], i + 1 == n)
        };
        tab.row([
            lab,
            fixed(t.mx[i], 5),
            fixed(t.qx[i], 5),
            fixed(t.ax[i], 2),
            fixed(t.lx[i], 0),
            fixed(t.dx[i], 0),
            fixed(t.big_lx[i], 0),
            fixed(t.big_tx[i], 0),
            fixed(t.ex[i], 2),
        ]);
    }
    if let Some(k) = &t.kannisto {
        tab.note(format!(
            "Kannisto smoothing (HMD Protocol v6): fitted at ages 80+ (a = {:.6}, b = {:.6}); rates replaced from age {}.",
            k.a, k.b, k.replaced_from
        ));
    }
    for w in &t.warnings {
        tab.note(format!("note: {w}"));
    }
    tab
}

/// Lifespan variation beside e₀.
pub fn variation_table(rows: &[(String, Variation)]) -> Table {
    let mut t = Table::new(
        "Life expectancy and lifespan variation at birth",
        &["", "e0", "e-dagger", "Keyfitz H", "Gini", "SD"],
    );
    for (name, v) in rows {
        t.row([
            name.clone(),
            number(v.e0, 2),
            number(v.e_dagger, 2),
            number(v.keyfitz_h, 4),
            number(v.gini, 4),
            number(v.sd, 2),
        ]);
    }
    t
}

/// Section for `dimorph lifetable`.
pub fn lifetable_section(t: &Lifetable, v: &Variation, source: &str) -> Section {
    let mut s = Section::new(format!("Life table: {source}"));
    s.table(lifetable_table(t));
    s.table(variation_table(&[(t.sex.to_string(), *v)]));
    s
}

/// Table 1 of the paper from an analysis, optionally beside the paper's counts.
pub fn table1(a: &Analysis, with_paper: bool) -> Option<Table> {
    let rows = a.table1()?;
    let mut head = vec!["Cause", "Female", "%", "Male", "%", "Total", "%"];
    if with_paper {
        head.extend(["paper F", "paper M"]);
    }
    let mut t = Table::new(
        format!("Table 1. Deaths by cause group and sex, {} ({})", a.year, a.label),
        &head,
    );
    for r in rows {
        let mut cells = vec![
            r.cause.clone(),
            thousands(r.female),
            fixed(r.female_pct, 1),
            thousands(r.male),
            fixed(r.male_pct, 1),
            thousands(r.total),
            fixed(r.total_pct, 1),
        ];
        if with_paper {
            let p = crate::paper::TABLE1.iter().find(|p| p.0 == r.cause);
            cells.push(p.map(|p| thousands(p.1)).unwrap_or_default());
            cells.push(p.map(|p| thousands(p.2)).unwrap_or_default());
        }
        t.row(cells);
    }
    t.note("Cause deaths = each cause's share of deaths by age (cause-of-death file) x all-cause deaths; the 100+ share is held for ages 100-110+.");
    if a.options.cause_shares == crate::CauseShares::Paper {
        t.note("Shares as in the paper: cause deaths summed into 0, 1-4, 5-9, ... and log rates interpolated to single ages by a cubic spline (FMM).");
    }
    Some(t)
}

/// Table 2 of the paper; with `with_paper` each cell shows ours and the paper's value.
pub fn table2(a: &Analysis, with_paper: bool) -> Table {
    let head = [
        "Cause",
        "a M",
        "a F",
        "y M",
        "y F",
        "W(a) M",
        "W(a) F",
        "W(a+y|a) M",
        "W(a+y|a) F",
    ];
    let mut t = Table::new(
        format!(
            "Table 2. Mean age at death (a), years left of the saved (y), age at saving of the years won (W(a)), age at which they are lived (W(a+y|a)), {}",
            a.year
        ),
        &head,
    );
    for r in a.table2() {
        let paper = crate::paper::TABLE2.iter().find(|p| p.0 == r.cause).map(|p| p.1);
        let mut cells = vec![r.cause.clone()];
        let get = |s: Option<crate::lifelost::Summary>, k: usize| -> f64 {
            s.map(|s| {
                [
                    s.mean_age_at_death,
                    s.mean_years_left,
                    s.mean_age_at_saving,
                    s.mean_age_lived,
                ][k]
            })
            .unwrap_or(f64::NAN)
        };
        for k in 0..4 {
            for (j, s) in [r.male, r.female].into_iter().enumerate() {
                let v = get(s, k);
                let mut c = if v.is_nan() { "-".to_string() } else { fixed(v, 1) };
                if with_paper {
                    if let Some(p) = paper {
                        let _ = write!(c, " ({})", fixed(p[2 * k + j], 1));
                    }
                }
                cells.push(c);
            }
        }
        t.row(cells);
    }
    if with_paper {
        t.note("In parentheses: Riffe & Sole Auro (2015), Table 2.");
    }
    t.note(format!(
        "Deaths saved at {}; {} table for each cause (eq. 9-11).",
        match (a.options.discretisation, a.options.save_point) {
            (crate::Discretisation::Paper, _) => {
                "mid-year with the paper's discretisation (l(x+1) = l(x)exp(-m(x)), end-of-year survivors, class midpoints)"
            }
            (_, crate::SavePoint::MeanAgeAtDeath) => "the mean age at death of their age-year (a + a_x)",
            (_, crate::SavePoint::ExactAge) => "the exact age at the start of their age-year",
        },
        if a.options.delete_cause {
            "cause-deleted"
        } else {
            "all-cause"
        }
    ));
    if a.options.cause_shares == crate::CauseShares::Paper {
        t.note("Cause shares by age as in the paper: abridged log rates interpolated by a cubic spline.");
    }
    if a.options.stationary {
        t.note("Deaths of the stationary population of the life table, m(a)L(a), not the observed deaths.");
    }
    t
}

/// Caption of a figure.
pub fn caption(p: Perspective, cause: &str, year: i32, percent: bool) -> String {
    let what = match p {
        Perspective::DeathsByAge => "Saveable lives (deaths) by age at death, decomposed by years left (eq. 4)",
        Perspective::DeathsByYearsLeft => "Saveable lives by years left, decomposed by age at death (eq. 5)",
        Perspective::YearsWonByAgeAtSaving => {
            "Person-years won by age at saving, decomposed by ages to be lived (eq. 3)"
        }
        Perspective::YearsWonByAgeLived => "Person-years won by age lived through, decomposed by age at saving (eq. 6)",
    };
    format!(
        "{what}: {}, {year}{}",
        if cause == "All" {
            "all causes".to_string()
        } else {
            cause.to_string()
        },
        if percent { " (percent)" } else { "" }
    )
}

/// One pyramid of an analysis.
pub fn figure(a: &Analysis, p: Perspective, cause: &str, percent: bool) -> String {
    // the population, year and cause named (the HMD label without its ", HMD")
    let key = cause;
    let cause = if cause == "All" { "all causes" } else { cause };
    let who = format!("{}, {}", a.label.trim_end_matches(", HMD"), a.year);
    let title = match p {
        Perspective::DeathsByAge | Perspective::DeathsByYearsLeft => format!("{who}: saveable lives, {cause}"),
        _ => format!("{who}: person-years won, {cause}"),
    };
    pyramid(&title, p, a.result(Sex::Male, key), a.result(Sex::Female, key), percent)
}

/// Section for `dimorph lifelost`: variation, Tables 1 and 2, and the four figures of each of
/// `figure_causes` (none for a terminal).
pub fn lifelost_section(a: &Analysis, figure_causes: &[&str], percent: bool, with_paper: bool) -> Section {
    let mut s = Section::new(format!("Life lost and lifesaving, {} ({})", a.year, a.label));
    let vrows: Vec<(String, Variation)> = a.sexes.iter().map(|r| (r.sex.to_string(), r.variation)).collect();
    s.table(variation_table(&vrows));
    if let Some(t) = table1(a, with_paper) {
        s.table(t);
    }
    s.table(table2(a, with_paper));
    for c in figure_causes {
        if a.sexes.iter().all(|r| r.results.iter().all(|x| x.cause != *c)) {
            continue;
        }
        for p in Perspective::ALL {
            s.figure(caption(p, c, a.year, percent), figure(a, p, c, percent));
        }
    }
    s
}
