//! One year's life-lost analysis: for each sex the life table, lifespan variation, the
//! attribution of deaths to causes, and [`LifeLost`] for all causes and for each cause group
//! (with its cause-deleted table, eq. 9–11); the paper's Tables 1 and 2.

use crate::causes::{Attribution, CauseDeaths};
use crate::error::quote;
use crate::lifelost::{life_lost_with, LifeLost, Summary};
use crate::options::LifeLostOptions;
use crate::population::{MortalityData, Sex};
use crate::table::{lifetable, Lifetable};
use crate::variation::{undefined_warning, variation, Variation};
use crate::Error;
use dimorph_core::text::{clip_to, CLIP_CHARS};
use serde::Serialize;

/// Everything computed for one sex.
#[derive(Debug, Clone, Serialize)]
pub struct SexResult {
    pub sex: Sex,
    pub lifetable: Lifetable,
    pub variation: Variation,
    pub attribution: Option<Attribution>,
    /// `All` first, then each cause group.
    pub results: Vec<LifeLost>,
}

/// One row of Table 1: deaths by cause and sex.
#[derive(Debug, Clone, Serialize)]
pub struct Table1Row {
    pub cause: String,
    pub female: f64,
    pub male: f64,
    pub female_pct: f64,
    pub male_pct: f64,
    pub total: f64,
    pub total_pct: f64,
}

/// One row of Table 2: the four means for each sex.
#[derive(Debug, Clone, Serialize)]
pub struct Table2Row {
    pub cause: String,
    pub male: Option<Summary>,
    pub female: Option<Summary>,
}

/// A year's analysis.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    pub source: String,
    pub label: String,
    pub year: i32,
    /// The options used (in the JSON envelope's `options`, not repeated here).
    #[serde(skip)]
    pub options: LifeLostOptions,
    pub sexes: Vec<SexResult>,
    /// What the user should know (in the JSON envelope's `warnings`, not repeated here).
    #[serde(skip)]
    pub warnings: Vec<String>,
}

/// Runs the analysis for `year` and `sexes`. With `causes`, every cause group is analysed (or
/// only `only_cause` when given, besides `All`).
pub fn analyse(
    data: &MortalityData,
    causes: Option<&CauseDeaths>,
    year: i32,
    sexes: &[Sex],
    only_cause: Option<&str>,
    opts: &LifeLostOptions,
) -> Result<Analysis, Error> {
    if let (Some(c), None) = (only_cause, causes) {
        return Err(Error::Argument(format!(
            "cause {} asked for, but no cause-of-death data were given (--causes)",
            quote(c)
        )));
    }
    if let (Some(c), Some(cd)) = (only_cause, causes) {
        if !cd.groups.iter().any(|g| g == c) {
            return Err(Error::Argument(format!(
                "no cause group {} in {} (groups: {})",
                quote(c),
                cd.source,
                clip_to(&cd.groups.join(", "), 4 * CLIP_CHARS)
            )));
        }
    }
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    for &sex in sexes {
        let pop = data.get(year, sex)?;
        if !pop.is_single_year() {
            return Err(Error::Argument(format!(
                "{}: {year} {sex}: life lost needs single-year ages",
                data.source
            )));
        }
        let table = lifetable(data, year, sex, &opts.lifetable)?;
        warnings.extend(table.warnings.iter().cloned());
        let var = variation(&table);
        warnings.extend(undefined_warning(&table, &var));
        let deaths = if opts.stationary {
            stationary_deaths(&table, pop.deaths.iter().sum())
        } else {
            pop.deaths.clone()
        };
        let in_source =
            |e: Error, cause: &str| e.in_source(&format!("{} ({year} {sex}, {})", data.source, quote(cause)));
        let mut results = vec![
            life_lost_with("All", &deaths, &table, opts.discretisation, opts.save_point)
                .map_err(|e| in_source(e, "All"))?,
        ];
        let mut attribution = None;
        if let Some(cd) = causes {
            let at = cd.attribute_with(pop, opts.cause_shares)?;
            warnings.extend(at.warnings.iter().cloned());
            for (g, name) in at.groups.iter().enumerate() {
                if only_cause.is_some_and(|c| c != name) {
                    continue;
                }
                let t = if opts.delete_cause {
                    table.cause_deleted(&at.share[g]).map_err(|e| in_source(e, name))?
                } else {
                    table.clone()
                };
                let dc: Vec<f64> = if opts.stationary {
                    deaths.iter().zip(&at.share[g]).map(|(d, s)| d * s).collect()
                } else {
                    at.deaths[g].clone()
                };
                results.push(
                    life_lost_with(name, &dc, &t, opts.discretisation, opts.save_point)
                        .map_err(|e| in_source(e, name))?,
                );
            }
            attribution = Some(at);
        }
        warnings.extend(results.iter().filter(|r| r.summary.deaths <= 0.0).map(|r| {
            format!(
                "{year} {sex}, {}: no deaths to save, so its means (Table 2) are undefined (NA)",
                quote(&r.cause)
            )
        }));
        out.push(SexResult {
            sex,
            lifetable: table,
            variation: var,
            attribution,
            results,
        });
    }
    Ok(Analysis {
        source: data.source.clone(),
        label: data.label.clone(),
        year,
        options: *opts,
        sexes: out,
        warnings,
    })
}

/// Deaths of the table's stationary population, m(a)·L(a), scaled to `total` deaths.
pub fn stationary_deaths(t: &Lifetable, total: f64) -> Vec<f64> {
    let d: Vec<f64> = t.mx.iter().zip(&t.big_lx).map(|(m, l)| m * l).collect();
    let s: f64 = d.iter().sum();
    d.iter().map(|x| x * total / s).collect()
}

impl Analysis {
    /// The result of `sex` and `cause` (`All` for all causes).
    pub fn result(&self, sex: Sex, cause: &str) -> Option<&LifeLost> {
        self.sexes
            .iter()
            .find(|s| s.sex == sex)?
            .results
            .iter()
            .find(|r| r.cause == cause)
    }
    pub fn sex(&self, sex: Sex) -> Option<&SexResult> {
        self.sexes.iter().find(|s| s.sex == sex)
    }
    /// Cause names analysed, `All` first.
    pub fn causes(&self) -> Vec<String> {
        self.sexes
            .first()
            .map(|s| s.results.iter().map(|r| r.cause.clone()).collect())
            .unwrap_or_default()
    }

    /// Table 1: deaths by cause group and sex, with percentages (needs both sexes and causes).
    pub fn table1(&self) -> Option<Vec<Table1Row>> {
        let f = self.sex(Sex::Female)?.attribution.as_ref()?;
        let m = self.sex(Sex::Male)?.attribution.as_ref()?;
        let tf: f64 = f.total.iter().sum();
        let tm: f64 = m.total.iter().sum();
        let mut rows: Vec<Table1Row> = f
            .groups
            .iter()
            .enumerate()
            .map(|(g, name)| Table1Row {
                cause: name.clone(),
                female: f.total[g],
                male: m.total[g],
                female_pct: 100.0 * f.total[g] / tf,
                male_pct: 100.0 * m.total[g] / tm,
                total: f.total[g] + m.total[g],
                total_pct: 100.0 * (f.total[g] + m.total[g]) / (tf + tm),
            })
            .collect();
        rows.push(Table1Row {
            cause: "Total".into(),
            female: tf,
            male: tm,
            female_pct: 100.0,
            male_pct: 100.0,
            total: tf + tm,
            total_pct: 100.0,
        });
        Some(rows)
    }

    /// Table 2: the four means by cause (causes first, `All` last, as in the paper).
    pub fn table2(&self) -> Vec<Table2Row> {
        let mut names = self.causes();
        if !names.is_empty() {
            let all = names.remove(0);
            names.push(all);
        }
        names
            .into_iter()
            .map(|c| Table2Row {
                male: self.result(Sex::Male, &c).map(|r| r.summary),
                female: self.result(Sex::Female, &c).map(|r| r.summary),
                cause: c,
            })
            .collect()
    }
}
