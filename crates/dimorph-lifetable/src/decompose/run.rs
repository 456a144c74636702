//! The entry point [`run_decompose`]: two life tables (female and male of one population and
//! year, two years or two populations), the difference in e(x₀) split by age (Arriaga), by age
//! and cause (Arriaga shared out by the rate differences), and by the line integral of Horiuchi
//! et al. for e(x₀) and, from birth, e†, Gini and SD.

use super::arriaga;
use super::horiuchi;
use super::measures::{RateModel, MEASURES};
use super::options::DecomposeOptions;
use super::output;
use crate::causes::CauseDeaths;
use crate::population::{age_label, check_year, MortalityData, Sex};
use crate::table::{lifetable, Lifetable};
use crate::variation::{undefined_warning, variation, Variation};
use crate::Error;
use dimorph_core::location::bad_argument;
use dimorph_core::{Cell, TidyTable};
use dimorph_report::Outcome;
use serde::Serialize;

/// One side of a comparison: a population's data (and its deaths by cause), a year and a sex.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    pub data: &'a MortalityData,
    pub causes: Option<&'a CauseDeaths>,
    pub year: i32,
    pub sex: Sex,
}

/// What a side was, in the result.
#[derive(Debug, Clone, Serialize)]
pub struct SideInfo {
    /// The file or folder the data came from.
    pub source: String,
    /// The population (e.g. `The United States of America, HMD`).
    pub label: String,
    pub year: i32,
    pub sex: Sex,
    /// e(x₀) of its life table.
    pub e: f64,
    /// Lifespan variation at birth.
    pub variation: Variation,
}

/// Arriaga's decomposition of the difference in e(x₀).
#[derive(Debug, Clone, Serialize)]
pub struct ArriagaResult {
    /// e(x₀) of the first table minus that of the second.
    pub difference: f64,
    /// Contribution of each age group (`age`), years.
    pub by_age: Vec<f64>,
    /// `by_age_cause[c][i]`: cause c's part of age group i's contribution.
    pub by_age_cause: Vec<Vec<f64>>,
    /// Σ contributions − difference (rounding only: the method is exact).
    pub residual: f64,
}

/// The line-integral decomposition of one measure.
#[derive(Debug, Clone, Serialize)]
pub struct HoriuchiResult {
    /// `e` (e(x₀)), `e_dagger`, `gini` or `sd`.
    pub measure: String,
    pub first: f64,
    pub second: f64,
    pub difference: f64,
    /// Contribution of each age group (age 0 includes a(0)'s).
    pub by_age: Vec<f64>,
    /// `by_age_cause[c][i]`: through cause c's rate at age group i.
    pub by_age_cause: Vec<Vec<f64>>,
    /// Through the change of a(0) (HMD tables; see `measures`), `null` otherwise.
    pub a0: Option<f64>,
    /// Σ contributions − difference: the integration error (falls as 1/steps²).
    pub residual: f64,
}

/// The result of [`run_decompose`] (`result` of `dimorph lifetable decompose --format json`).
#[derive(Debug, Clone, Serialize)]
pub struct DecomposeResult {
    /// The first table (the difference is first − second).
    pub first: SideInfo,
    /// The second table (Arriaga's reference; the path of the line integral starts there).
    pub second: SideInfo,
    pub from_age: f64,
    /// Cause groups (`All` without cause-of-death data).
    pub groups: Vec<String>,
    /// Start of each age group; the last is open.
    pub age: Vec<f64>,
    pub arriaga: ArriagaResult,
    /// Intervals of the line integral.
    pub steps: usize,
    pub horiuchi: Vec<HoriuchiResult>,
}

impl DecomposeResult {
    /// `USA 2010 female` — the words that tell the two sides apart, with the population.
    pub fn side_name(&self, first: bool) -> String {
        let s = if first { &self.first } else { &self.second };
        format!("{} {}", s.year, s.sex)
    }
}

/// Cause groups and each side's shares `share[c][i]` (one group of 1s without cause data).
fn shares(first: &Side, second: &Side, opts: &DecomposeOptions) -> Result<(Vec<String>, [Vec<Vec<f64>>; 2]), Error> {
    let (c1, c2) = match (first.causes, second.causes) {
        (None, None) => {
            opts.validate_without_causes()?;
            let n = first.data.get(first.year, first.sex)?.age.len();
            return Ok((vec!["All".into()], [vec![vec![1.0; n]], vec![vec![1.0; n]]]));
        }
        (Some(a), Some(b)) => (a, b),
        _ => {
            return Err(Error::Argument(
                "cause-of-death data were given for one table only; give them for both (--causes, --vs-causes)".into(),
            ))
        }
    };
    let a1 = c1.attribute_with(first.data.get(first.year, first.sex)?, opts.cause_shares)?;
    let a2 = c2.attribute_with(second.data.get(second.year, second.sex)?, opts.cause_shares)?;
    if a1.groups != a2.groups {
        return Err(Error::Argument(format!(
            "the two tables' cause groups differ ({}; {}): a decomposition by cause needs the same groups",
            dimorph_core::text::clip_list(&a1.groups, 10),
            dimorph_core::text::clip_list(&a2.groups, 10)
        )));
    }
    Ok((a1.groups.clone(), [a1.share, a2.share]))
}

/// The index of age x₀ among the table's age groups.
fn from_index(t: &Lifetable, from_age: f64) -> Result<usize, Error> {
    t.age.iter().position(|a| *a == from_age).ok_or_else(|| {
        let n = t.len();
        Error::from(bad_argument(
            "--from-age",
            format!(
                "{} does not start an age group of the tables (they run from {} to {})",
                dimorph_core::text::num(from_age),
                age_label(t.age[0], n == 1),
                age_label(t.age[n - 1], true)
            ),
        ))
    })
}

/// Decomposes e(x₀)(first) − e(x₀)(second), and from birth the differences in e†, Gini and SD.
pub fn run_decompose(first: &Side, second: &Side, opts: &DecomposeOptions) -> Result<Outcome<DecomposeResult>, Error> {
    opts.validate()?;
    check_year(first.year)?;
    check_year(second.year)?;
    let t2 = lifetable(first.data, first.year, first.sex, &opts.lifetable)?;
    let t1 = lifetable(second.data, second.year, second.sex, &opts.lifetable)?;
    arriaga::check_same_ages(&t1, &t2)?;
    let from = from_index(&t1, opts.from_age)?;
    let (groups, [s2, s1]) = shares(first, second, opts)?;
    let mut warnings: Vec<String> = first.data.notes.clone();
    if !std::ptr::eq(first.data, second.data) {
        warnings.extend(second.data.notes.iter().cloned());
    }
    warnings.extend(t2.warnings.iter().cloned());
    warnings.extend(t1.warnings.iter().cloned());
    let (v2, v1) = (variation(&t2), variation(&t1));
    warnings.extend(undefined_warning(&t2, &v2));
    warnings.extend(undefined_warning(&t1, &v1));

    let by_age = arriaga::by_age(&t1, &t2, from);
    let rates = |t: &Lifetable, s: &[Vec<f64>]| -> Vec<Vec<f64>> {
        s.iter()
            .map(|sc| t.mx.iter().zip(sc).map(|(m, x)| m * x).collect())
            .collect()
    };
    let (by_age_cause, fallback) = arriaga::by_cause(&by_age, &rates(&t1, &s1), &rates(&t2, &s2));
    if fallback > 0 && groups.len() > 1 {
        warnings.push(format!(
            "{fallback} age group(s) have equal all-cause rates in the two tables but a non-zero contribution: \
             it is shared out by the causes' mean rates there (the rate differences are 0)"
        ));
    }
    let difference = t2.ex[from] - t1.ex[from];
    let arriaga = ArriagaResult {
        difference,
        residual: by_age.iter().sum::<f64>() - difference,
        by_age,
        by_age_cause,
    };

    let model = RateModel {
        age: t1.age.clone(),
        width: t1.width.clone(),
        ax: opts.lifetable.ax,
        radix: opts.lifetable.radix,
        from,
        groups: groups.len(),
    };
    let (p1, p2) = (model.params(&t1, &s1), model.params(&t2, &s2));
    let contrib = horiuchi::decompose(|p| model.eval(p), &p1, &p2, opts.steps)?;
    let values = |t: &Lifetable, v: &Variation| -> Vec<f64> {
        if from > 0 {
            vec![t.ex[from]]
        } else {
            vec![v.e0, v.e_dagger, v.gini, v.sd]
        }
    };
    let (f2, f1) = (values(&t2, &v2), values(&t1, &v1));
    let n = t1.len();
    let horiuchi: Vec<HoriuchiResult> = contrib
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let by_age_cause: Vec<Vec<f64>> = (0..groups.len()).map(|g| c[g * n..(g + 1) * n].to_vec()).collect();
            let a0 = model.has_a0().then(|| c[groups.len() * n]);
            let mut by_age: Vec<f64> = (0..n).map(|i| by_age_cause.iter().map(|v| v[i]).sum()).collect();
            by_age[0] += a0.unwrap_or(0.0);
            let difference = f2[k] - f1[k];
            HoriuchiResult {
                measure: MEASURES[k].into(),
                first: f2[k],
                second: f1[k],
                difference,
                residual: by_age.iter().sum::<f64>() - difference,
                by_age,
                by_age_cause,
                a0,
            }
        })
        .collect();
    if from > 0 {
        warnings.push(format!(
            "--from-age {}: only e(x) is decomposed (the variation measures e-dagger, Gini and SD are at birth)",
            dimorph_core::text::num(opts.from_age)
        ));
    }
    let info = |s: &Side, t: &Lifetable, v: Variation| SideInfo {
        source: s.data.source.clone(),
        label: s.data.label.clone(),
        year: s.year,
        sex: s.sex,
        e: t.ex[from],
        variation: v,
    };
    let result = DecomposeResult {
        first: info(first, &t2, v2),
        second: info(second, &t1, v1),
        from_age: opts.from_age,
        groups,
        age: t1.age.clone(),
        arriaga,
        steps: opts.steps,
        horiuchi,
    };
    let rates = rates_table(
        &[("first", first, &t2, &s2), ("second", second, &t1, &s1)],
        &result.groups,
    );
    output::outcome(result, warnings, rates)
}

/// The rates decomposed, one row per side × age group × cause: `side, year, sex, age, width,
/// cause, mx, ax` (`ax` the table's a(x), the same for every cause) — the input of the peer
/// check (`tests/peers/decompose.R`).
fn rates_table(sides: &[(&str, &Side, &Lifetable, &Vec<Vec<f64>>)], groups: &[String]) -> TidyTable {
    let mut tab = TidyTable::new(
        "decomposition_rates",
        &["side", "year", "sex", "age", "width", "cause", "mx", "ax"],
    );
    for (name, side, t, share) in sides {
        let n = t.len();
        for i in 0..n {
            for (g, cause) in groups.iter().enumerate() {
                tab.push(vec![
                    (*name).into(),
                    side.year.into(),
                    side.sex.as_str().into(),
                    t.age[i].into(),
                    if i + 1 == n { Cell::Missing } else { t.width[i].into() },
                    cause.into(),
                    (t.mx[i] * share[g][i]).into(),
                    t.ax[i].into(),
                ]);
            }
        }
    }
    tab
}
