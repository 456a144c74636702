//! The entry point [`run_decompose`]: two life tables (female and male of one population and
//! year, two years or two populations), the difference in e(x₀) split by age (Arriaga), by age
//! and cause (Arriaga shared out by the rate differences), and by the line integral of Horiuchi
//! et al. for e(x₀) and, from birth, e†, Gini and SD.

use super::arriaga;
use super::horiuchi;
use super::measures::{RateModel, MEASURES};
use super::options::DecomposeOptions;
use super::output;
use super::result::{ArriagaResult, ContributionIntervals, DecomposeResult, HoriuchiResult, SideInfo};
use crate::causes::CauseDeaths;
use crate::population::{age_label, check_year, MortalityData, Sex};
use crate::table::{lifetable, Lifetable};
use crate::uncertainty::{simulate_data, IntervalOptions};
use crate::variation::{undefined_warning, variation, Variation};
use crate::Error;
use dimorph_core::location::bad_argument;
use dimorph_core::{Cell, TidyTable};
use dimorph_report::Outcome;

/// One side of a comparison: a population's data (and its deaths by cause), a year and a sex.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    pub data: &'a MortalityData,
    pub causes: Option<&'a CauseDeaths>,
    pub year: i32,
    pub sex: Sex,
}

/// The sex of the second table when none is given: males when both tables are of the same data
/// and year (the sex gap, females − males), else the first table's sex (one sex over time or
/// between populations).
pub fn second_sex(first: Sex, given: Option<Sex>, same_data_and_year: bool) -> Sex {
    match given {
        Some(s) => s,
        None if same_data_and_year => Sex::Male,
        None => first,
    }
}

/// Cause shares by age, `[cause][age group]`.
type Shares = Vec<Vec<f64>>;

/// Cause groups and each side's shares `share[c][i]` (one group of 1s without cause data).
fn shares(first: &Side, second: &Side, opts: &DecomposeOptions) -> Result<(Vec<String>, [Shares; 2]), Error> {
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

/// What Arriaga's decomposition needs and gives, for the observed data or one simulated draw.
struct Core {
    t1: Lifetable,
    t2: Lifetable,
    v1: Variation,
    v2: Variation,
    s1: Vec<Vec<f64>>,
    s2: Vec<Vec<f64>>,
    groups: Vec<String>,
    from: usize,
    by_age: Vec<f64>,
    by_age_cause: Vec<Vec<f64>>,
    fallback: usize,
}

impl Core {
    fn new(first: &Side, second: &Side, opts: &DecomposeOptions) -> Result<Core, Error> {
        let t2 = lifetable(first.data, first.year, first.sex, &opts.lifetable)?;
        let t1 = lifetable(second.data, second.year, second.sex, &opts.lifetable)?;
        arriaga::check_same_ages(&t1, &t2)?;
        let from = from_index(&t1, opts.from_age)?;
        let (groups, [s2, s1]) = shares(first, second, opts)?;
        let by_age = arriaga::by_age(&t1, &t2, from);
        let rates = |t: &Lifetable, s: &[Vec<f64>]| -> Vec<Vec<f64>> {
            s.iter()
                .map(|sc| t.mx.iter().zip(sc).map(|(m, x)| m * x).collect())
                .collect()
        };
        let (by_age_cause, fallback) = arriaga::by_cause(&by_age, &rates(&t1, &s1), &rates(&t2, &s2));
        let (v1, v2) = (variation(&t1), variation(&t2));
        Ok(Core {
            t1,
            t2,
            v1,
            v2,
            s1,
            s2,
            groups,
            from,
            by_age,
            by_age_cause,
            fallback,
        })
    }

    /// The values of the measures of table 2 and table 1: e(x₀), and from birth e†, Gini, SD.
    fn values(&self) -> (Vec<f64>, Vec<f64>) {
        let of = |t: &Lifetable, v: &Variation| -> Vec<f64> {
            if self.from > 0 {
                vec![t.ex[self.from]]
            } else {
                vec![v.e0, v.e_dagger, v.gini, v.sd]
            }
        };
        (of(&self.t2, &self.v2), of(&self.t1, &self.v1))
    }

    /// The statistics the simulation keeps: Arriaga's contributions by age × cause, by age and
    /// by cause, then the measures' differences.
    fn statistics(&self) -> Vec<f64> {
        let mut v: Vec<f64> = self.by_age_cause.concat();
        v.extend(&self.by_age);
        v.extend(self.by_age_cause.iter().map(|c| c.iter().sum::<f64>()));
        let (f2, f1) = self.values();
        v.extend(f2.iter().zip(&f1).map(|(a, b)| a - b));
        v
    }
}

/// Decomposes e(x₀)(first) − e(x₀)(second), and from birth the differences in e†, Gini and SD;
/// with `opts.lifetable.intervals`, simulated intervals of Arriaga's contributions and of the
/// differences.
pub fn run_decompose(first: &Side, second: &Side, opts: &DecomposeOptions) -> Result<Outcome<DecomposeResult>, Error> {
    let (result, warnings, rates) = decompose(first, second, opts)?;
    output::outcome(result, warnings, rates)
}

/// The decomposition of [`run_decompose`] without its report and charts: the result, its
/// warnings and the rates decomposed (`decomposition_rates`). The many-year run calls it per year.
pub fn decompose(
    first: &Side,
    second: &Side,
    opts: &DecomposeOptions,
) -> Result<(DecomposeResult, Vec<String>, TidyTable), Error> {
    opts.validate()?;
    check_year(first.year)?;
    check_year(second.year)?;
    let core = Core::new(first, second, opts)?;
    let mut warnings: Vec<String> = first.data.notes.clone();
    if !std::ptr::eq(first.data, second.data) {
        warnings.extend(second.data.notes.iter().cloned());
    }
    warnings.extend(core.t2.warnings.iter().cloned());
    warnings.extend(core.t1.warnings.iter().cloned());
    warnings.extend(undefined_warning(&core.t2, &core.v2));
    warnings.extend(undefined_warning(&core.t1, &core.v1));
    if core.fallback > 0 && core.groups.len() > 1 {
        warnings.push(format!(
            "{} age group(s) have equal all-cause rates in the two tables but a non-zero contribution: \
             it is shared out by the causes' mean rates there (the rate differences are 0)",
            core.fallback
        ));
    }
    if core.from > 0 {
        warnings.push(format!(
            "--from-age {}: only e(x) is decomposed (the variation measures e-dagger, Gini and SD are at birth)",
            dimorph_core::text::num(opts.from_age)
        ));
    }
    let intervals = match &opts.lifetable.intervals {
        Some(iv) => {
            let ci = simulated(first, second, opts, iv, &core)?;
            warnings.extend(ci.simulation.warning("decomposition intervals"));
            Some(ci)
        }
        None => None,
    };
    let (f2, f1) = core.values();
    let difference = f2[0] - f1[0];
    let from = core.from;
    let arriaga = ArriagaResult {
        difference,
        residual: core.by_age.iter().sum::<f64>() - difference,
        by_age: core.by_age.clone(),
        by_age_cause: core.by_age_cause.clone(),
    };
    let horiuchi = line_integral(&core, opts, &f2, &f1)?;
    let info = |s: &Side, t: &Lifetable, v: Variation| SideInfo {
        source: s.data.source.clone(),
        label: s.data.label.clone(),
        year: s.year,
        sex: s.sex,
        e: t.ex[from],
        variation: v,
    };
    let result = DecomposeResult {
        first: info(first, &core.t2, core.v2),
        second: info(second, &core.t1, core.v1),
        from_age: opts.from_age,
        groups: core.groups.clone(),
        age: core.t1.age.clone(),
        arriaga,
        steps: opts.steps,
        horiuchi,
        intervals,
    };
    let rates = rates_table(
        &[
            ("first", first, &core.t2, &core.s2),
            ("second", second, &core.t1, &core.s1),
        ],
        &result.groups,
    );
    Ok((result, warnings, rates))
}

/// The line integral of every measure, from table 1's parameters to table 2's.
fn line_integral(core: &Core, opts: &DecomposeOptions, f2: &[f64], f1: &[f64]) -> Result<Vec<HoriuchiResult>, Error> {
    let g = core.groups.len();
    let model = RateModel {
        age: core.t1.age.clone(),
        width: core.t1.width.clone(),
        ax: opts.lifetable.ax,
        radix: opts.lifetable.radix,
        from: core.from,
        groups: g,
    };
    let (p1, p2) = (model.params(&core.t1, &core.s1), model.params(&core.t2, &core.s2));
    let contrib = horiuchi::decompose(|p| model.eval(p), &p1, &p2, opts.steps)?;
    let n = core.t1.len();
    Ok(contrib
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let by_age_cause: Vec<Vec<f64>> = (0..g).map(|j| c[j * n..(j + 1) * n].to_vec()).collect();
            let a0 = model.has_a0().then(|| c[g * n]);
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
        .collect())
}

/// Simulated intervals (Poisson deaths, [`simulate_data`]): each draw redraws the deaths of both
/// tables' years (and the cause-of-death counts) and recomputes the tables, the cause shares and
/// Arriaga's decomposition. Both tables must come from one data set (the draws are joint).
fn simulated(
    first: &Side,
    second: &Side,
    opts: &DecomposeOptions,
    iv: &IntervalOptions,
    core: &Core,
) -> Result<ContributionIntervals, Error> {
    iv.validate()?;
    let same_causes = match (first.causes, second.causes) {
        (Some(a), Some(b)) => std::ptr::eq(a, b),
        (None, None) => true,
        _ => false,
    };
    if !std::ptr::eq(first.data, second.data) || !same_causes {
        return Err(Error::from(bad_argument(
            "--ci",
            "intervals of a decomposition need both tables from one data set (and one cause file): \
             the simulation draws their deaths together; leave out --vs-hmd/--vs-data/--vs-causes or --ci",
        )));
    }
    let mut years = vec![first.year, second.year];
    years.dedup();
    let sim = simulate_data(first.data, first.causes, &years, iv, |d, c| {
        let f = Side {
            data: d,
            causes: c,
            ..*first
        };
        let s = Side {
            data: d,
            causes: c,
            ..*second
        };
        Ok(Core::new(&f, &s, opts)?.statistics())
    })?;
    let est = core.statistics();
    let iv_of = |j: usize| sim.interval(j, est[j], iv.level);
    let (g, n) = (core.groups.len(), core.t1.len());
    let by_age_cause = (0..g).map(|c| (0..n).map(|i| iv_of(c * n + i)).collect()).collect();
    let by_age = (0..n).map(|i| iv_of(g * n + i)).collect();
    let by_cause = (0..g).map(|c| iv_of(g * n + n + c)).collect();
    let k0 = g * n + n + g;
    let differences = (k0..est.len()).map(iv_of).collect();
    Ok(ContributionIntervals {
        level: iv.level,
        simulation: sim.summary(),
        by_age_cause,
        by_age,
        by_cause,
        differences,
    })
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
