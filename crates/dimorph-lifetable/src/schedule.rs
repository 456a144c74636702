//! Ages lived through, weighted (Riffe & Solé Auró 2015, discussion of Fig. 4b): the person-years
//! won by saving a year's deaths, by the age at which they would be lived, W^s(a+y|a) summed
//! over ages at saving (eq. 6; [`LifeLost::years_won_by_age_lived`]), multiplied by another age
//! schedule — age-specific fertility rates give the births the saved would have had (the paper:
//! the US women who died in 2010 would have borne 54,122 children under 2010 HFD fertility),
//! an economic age profile the income they would have earned.
//!
//! A schedule is a CSV file ([`Schedule::read_csv`]): a column `age` (whole ages; the value holds
//! for the age-year [x, x+1); the open age `110+` is allowed) and a value column (`value`, else
//! the one column besides `age` and `sex`), optionally a column `sex` for values by sex. Ages not
//! in the schedule weigh 0. The weighted total of a sex and cause is Σₓ W^s(x)·v(x), with
//! W^s(x) = Σₐ W^s(a+y|a) the person-years lived in age-year x.

use crate::analysis::Analysis;
use crate::error::quote;
use crate::lifelost::LifeLost;
use crate::population::Sex;
use crate::report::number;
use crate::run::LifeLostResult;
use crate::Error;
use dimorph_core::{Location, TidyTable};
use dimorph_report::{Outcome, Section, Table};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// Ages a schedule may hold (the life tables' ages).
const MAX_AGE: f64 = 150.0;

/// An age schedule: values by whole age, for both sexes or by sex.
#[derive(Debug, Clone, Serialize)]
pub struct Schedule {
    /// Where it came from (the file name as given).
    pub source: String,
    /// The value column's name (e.g. `asfr`).
    pub column: String,
    /// (sex or `None` for both, age) → value.
    #[serde(skip)]
    values: BTreeMap<(Option<Sex>, u32), f64>,
}

impl Schedule {
    /// A schedule of both sexes from (age, value) pairs.
    pub fn from_pairs(source: &str, column: &str, pairs: &[(u32, f64)]) -> Schedule {
        Schedule {
            source: source.into(),
            column: column.into(),
            values: pairs.iter().map(|(a, v)| ((None, *a), *v)).collect(),
        }
    }

    /// Reads a schedule CSV (see the module documentation); every bad cell is an error naming
    /// the file, line and column.
    pub fn read_csv(path: &Path) -> Result<Schedule, Error> {
        let frame = dimorph_data::read_csv(path)?;
        let source = path.display().to_string();
        let names = frame.names();
        let others: Vec<&str> = names.iter().copied().filter(|n| *n != "age" && *n != "sex").collect();
        let column = if names.contains(&"value") {
            "value".to_string()
        } else if others.len() == 1 {
            others[0].to_string()
        } else {
            return Err(Error::at(
                Location::file(source.clone()).line(1),
                format!(
                    "a schedule has a column 'age' and one value column (named 'value' when there are several; \
                     columns are: {})",
                    dimorph_core::text::clip_list(&names, 10)
                ),
            ));
        };
        let ages = frame.numeric("age")?;
        let values = frame.numeric(&column)?;
        let sexes: Option<Vec<Option<String>>> = match frame.column("sex") {
            Ok(c) => Some(match &c.data {
                dimorph_data::ColumnData::Text { values, .. } => values.clone(),
                dimorph_data::ColumnData::Num(_) => vec![Some("(a number)".into()); frame.nrows],
            }),
            Err(_) => None,
        };
        let mut out = BTreeMap::new();
        for i in 0..frame.nrows {
            let at = |col: &str| Location::file(source.clone()).line(frame.line_of(i)).column(col);
            let a = ages[i];
            if !(a.fract() == 0.0 && (0.0..=MAX_AGE).contains(&a)) {
                return Err(Error::at(
                    at("age"),
                    format!("the age must be a whole number from 0 to {MAX_AGE}"),
                ));
            }
            let v = values[i];
            if !v.is_finite() {
                return Err(Error::at(at(&column), "the value is missing or not a finite number"));
            }
            let sex =
                match &sexes {
                    None => None,
                    Some(s) => {
                        let cell = s[i].as_deref().unwrap_or("");
                        Some(Sex::parse(cell).ok_or_else(|| {
                            Error::at(at("sex"), format!("{} is not female, male or total", quote(cell)))
                        })?)
                    }
                };
            if out.insert((sex, a as u32), v).is_some() {
                return Err(Error::at(at("age"), format!("age {a} appears twice")));
            }
        }
        if out.is_empty() {
            return Err(Error::at(Location::file(source.clone()), "the schedule has no rows"));
        }
        Ok(Schedule {
            source,
            column,
            values: out,
        })
    }

    /// Whether the schedule has values for `sex` (always, without a `sex` column).
    pub fn covers(&self, sex: Sex) -> bool {
        self.values.keys().any(|(s, _)| s.is_none() || *s == Some(sex))
    }

    /// The value at whole age `age` for `sex` (0 where the schedule has none).
    pub fn value(&self, sex: Sex, age: f64) -> f64 {
        if age.fract() != 0.0 || !(0.0..=MAX_AGE).contains(&age) {
            return 0.0;
        }
        let a = age as u32;
        self.values
            .get(&(Some(sex), a))
            .or_else(|| self.values.get(&(None, a)))
            .copied()
            .unwrap_or(0.0)
    }
}

/// The weighted total of one sex and cause.
#[derive(Debug, Clone, Serialize)]
pub struct WeightedTotal {
    pub sex: Sex,
    pub cause: String,
    /// Σ W^s(a): the person-years won.
    pub person_years: f64,
    /// Σₓ W^s(x)·v(x).
    pub weighted: f64,
}

/// The schedule's totals beside the life-lost result (`dimorph lifelost --schedule`).
#[derive(Debug, Clone, Serialize)]
pub struct WeightedResult {
    /// The schedule's source and value column.
    pub schedule: Schedule,
    /// One row per sex and cause that the schedule covers.
    pub totals: Vec<WeightedTotal>,
}

/// The life-lost result with the weighted totals (`result` of `dimorph lifelost --schedule FILE
/// --format json`).
#[derive(Debug, Clone, Serialize)]
pub struct LifeLostWeighted {
    #[serde(flatten)]
    pub lifelost: LifeLostResult,
    pub weighted: WeightedResult,
}

/// Σₓ W^s(x)·v(x) of one life-lost result (`sex` picks the schedule's values).
pub fn weighted_total(r: &LifeLost, sex: Sex, s: &Schedule) -> f64 {
    r.age
        .iter()
        .zip(&r.years_won_by_age_lived)
        .map(|(a, w)| w * s.value(sex, *a))
        .sum()
}

/// The weighted totals of every sex and cause of `an` that `s` covers.
pub fn weigh(an: &Analysis, s: &Schedule) -> Vec<WeightedTotal> {
    let mut out = Vec::new();
    for sr in &an.sexes {
        if !s.covers(sr.sex) {
            continue;
        }
        for r in &sr.results {
            out.push(WeightedTotal {
                sex: sr.sex,
                cause: r.cause.clone(),
                person_years: r.summary.years_won,
                weighted: weighted_total(r, sr.sex, s),
            });
        }
    }
    out
}

/// Adds the weighted totals to a life-lost outcome: a table `weighted_by_schedule`, a report
/// section and summary line naming the schedule, and a warning for a sex it does not cover.
pub fn with_schedule(o: Outcome<LifeLostResult>, s: &Schedule) -> Outcome<LifeLostWeighted> {
    let totals = weigh(&o.result.analysis, s);
    let uncovered: Vec<String> = o
        .result
        .analysis
        .sexes
        .iter()
        .filter(|sr| !s.covers(sr.sex))
        .map(|sr| sr.sex.to_string())
        .collect();
    let mut tab = TidyTable::new(
        "weighted_by_schedule",
        &[
            "schedule",
            "column",
            "sex",
            "cause",
            "person_years_won",
            "weighted_total",
        ],
    );
    let mut text = Table::new(
        format!("Person-years won weighted by '{}' of {}", s.column, s.source),
        &["Sex", "Cause", "Person-years won", "Weighted total"],
    );
    for t in &totals {
        tab.push(vec![
            s.source.as_str().into(),
            s.column.as_str().into(),
            t.sex.as_str().into(),
            t.cause.as_str().into(),
            t.person_years.into(),
            t.weighted.into(),
        ]);
        text.row([
            t.sex.to_string(),
            t.cause.clone(),
            crate::report::thousands(t.person_years),
            number(t.weighted, 1),
        ]);
    }
    text.note(
        "each age-year x of the person-years won, W^s(x) = sum over a of W^s(a+y|a), times the schedule's value at x",
    );
    let mut sec = Section::new(format!("Ages lived through, weighted by {}", s.source));
    sec.table(text);
    let mut o = o.map(|lifelost| LifeLostWeighted {
        lifelost,
        weighted: WeightedResult {
            schedule: s.clone(),
            totals: totals.clone(),
        },
    });
    for t in totals.iter().filter(|t| t.cause == "All") {
        o.summary.push(format!(
            "{}: person-years won weighted by {} ({}): {}",
            t.sex,
            s.column,
            s.source,
            number(t.weighted, 1)
        ));
    }
    let overflow: Vec<String> = totals
        .iter()
        .filter(|t| !t.weighted.is_finite())
        .map(|t| format!("{} {}", t.sex, t.cause))
        .collect();
    if !overflow.is_empty() {
        o.warnings.push(format!(
            "{}: the weighted total is undefined for {} (the person-years times the schedule's values leave double precision's range); rescale the schedule's values",
            s.source,
            dimorph_core::text::clip_to(&overflow.join(", "), 300)
        ));
    }
    if !uncovered.is_empty() {
        o.warnings.push(format!(
            "{}: the schedule has no values for {}: no weighted total for it",
            s.source,
            uncovered.join(", ")
        ));
    }
    o.sections.push(sec);
    o.tables.push(tab);
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::{AxMethod, SavePoint};
    use crate::table::Lifetable;

    /// A constant hazard μ at every age (the open one too), 1,000 deaths at each age 0..=ω.
    fn constant(mu: f64) -> (LifeLost, f64) {
        let n = 41;
        let age: Vec<f64> = (0..n).map(f64::from).collect();
        let mut w = vec![1.0; n as usize];
        w[n as usize - 1] = f64::INFINITY;
        let m = vec![mu; n as usize];
        let t = Lifetable::from_rates(Sex::Female, Some(2010), &age, &w, &m, AxMethod::ConstantHazard, 1.0).unwrap();
        let tau = 1.0 / mu - (-mu).exp() / (1.0 - (-mu).exp());
        let r = crate::life_lost("All", &vec![1000.0; n as usize], &t, SavePoint::MeanAgeAtDeath).unwrap();
        (r, tau)
    }

    #[test]
    fn weights_by_hand_under_a_constant_hazard() {
        let mu = 0.05;
        let (r, tau) = constant(mu);
        // value 1 from age k = 20 to the open age 40+: each death saved at a + τ < k lives
        // e^{−μ(k − a − τ)}/μ years from k on, each one saved at k or later 1/μ
        let k = 20;
        let ones: Vec<(u32, f64)> = (k..=40).map(|a| (a, 1.0)).collect();
        let s = Schedule::from_pairs("ones.csv", "value", &ones);
        let expected: f64 = (0..=40)
            .map(|a| {
                let a = f64::from(a);
                if a < f64::from(k) {
                    1000.0 * (-mu * (f64::from(k) - a - tau)).exp() / mu
                } else {
                    1000.0 / mu
                }
            })
            .sum();
        let got = weighted_total(&r, Sex::Female, &s);
        assert!((got - expected).abs() < 1e-9 * expected, "{got} vs {expected}");
        // value 2 at age 30 only (a "fertility rate" of one age): the person-years lived in
        // [30, 31) — by those saved before 30, and by those saved at 30 + τ
        let s = Schedule::from_pairs("one_age.csv", "asfr", &[(30, 2.0)]);
        let year = |from: f64| ((-mu * from).exp() - (-mu * (from + 1.0)).exp()) / mu;
        let expected: f64 = (0..30).map(|a| 2000.0 * year(30.0 - f64::from(a) - tau)).sum::<f64>()
            + 2000.0 * (1.0 - (-mu * (1.0 - tau)).exp()) / mu;
        let got = weighted_total(&r, Sex::Female, &s);
        assert!((got - expected).abs() < 1e-9 * expected, "{got} vs {expected}");
        // a schedule for males only weighs nothing for females
        assert_eq!(Schedule::from_pairs("x", "v", &[]).value(Sex::Male, 3.0), 0.0);
    }

    #[test]
    fn reading_names_the_line_and_column() {
        let dir = dimorph_core::scratch::ScratchDir::new("dimorph-schedule").unwrap();
        let write = |name: &str, body: &str| {
            let p = dir.join(name);
            std::fs::write(&p, body).unwrap();
            p
        };
        let s = Schedule::read_csv(&write("ok.csv", "age,sex,asfr\n15,female,0.01\n16,female,0.02\n")).unwrap();
        assert_eq!(s.column, "asfr");
        assert_eq!(s.value(Sex::Female, 16.0), 0.02);
        assert!(!s.covers(Sex::Male) && s.value(Sex::Male, 16.0) == 0.0);
        let e = Schedule::read_csv(&write("frac.csv", "age,asfr\n15,0.01\n15.5,0.02\n"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 3") && e.contains("age") && e.contains("whole number"),
            "{e}"
        );
        let e = Schedule::read_csv(&write("twice.csv", "age,asfr\n15,0.01\n15,0.02\n"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3") && e.contains("appears twice"), "{e}");
        let e = Schedule::read_csv(&write("cols.csv", "age,a,b\n15,0.01,1\n"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("one value column"), "{e}");
        let e = Schedule::read_csv(&write("na.csv", "age,asfr\n15,NA\n"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2") && e.contains("asfr"), "{e}");
    }
}
