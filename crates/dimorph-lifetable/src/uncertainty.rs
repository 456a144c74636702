//! Uncertainty of life-table figures from the randomness of death counts, by two methods.
//!
//! # Chiang's variance of e(x) ([`chiang_se`])
//! Chiang (1984, *The Life Table and its Applications*, ch. 8): the death counts D_i are
//! binomial given the survivors, so var(q_i) = q_i²(1 − q_i)/D_i, and to first order
//!
//! var(e_x) = Σ_{x ≤ i < ω} l_i² [(n_i − a_i) + e_{i+1}]² var(q_i) / l_x² + l_ω² var(e_ω) / l_x²,
//!
//! with a_i the mean years lived in the group by those dying there (the table's `ax`, in years,
//! so (n_i − a_i) is Chiang's (1 − a_i)n_i). The last term is the open age group's, whose q is 1:
//! e_ω = 1/M_ω with the relative variance of a Poisson rate, var(e_ω) = e_ω²/D_ω (Silcocks,
//! Jenner & Reza 2001, "Chiang II"); without it e(ω) would have no uncertainty at all. Groups
//! with no deaths contribute nothing (their observed q is 0). Intervals are e(x) ± z·se with z
//! the normal quantile of the level.
//!
//! # Poisson-deaths simulation ([`simulate`], [`simulate_tables`])
//! Each draw replaces every death count D by a Poisson(D) draw (exposures fixed), rebuilds the
//! rates and whatever is computed from them (the life table with its smoothing, a decomposition,
//! the life-lost means), and keeps the statistics a closure returns; the interval is the
//! percentiles (R's quantile type 7) of the draws. Draw k uses the generator
//! `Rng::derive(seed, STREAM, k)`, so a seed gives the same draws whatever the thread count.
//! [`simulate_data`] draws whole data sets (all sexes of the chosen years, and the cause-of-death
//! counts) and recomputes from them exactly as from the observed data: the Kannisto fit and the
//! HMD's first smoothed age Y by its rule; [`simulate_tables`] draws single populations, with Y
//! given.

use crate::analysis::{analyse, Analysis};
use crate::causes::{CauseDeaths, CauseTable};
use crate::lifelost::Summary;
pub use crate::options::{IntervalOptions, DRAWS};
use crate::options::{LifeLostOptions, LifeTableOptions};
use crate::population::{MortalityData, Population, Sex};
use crate::table::{lifetable, Lifetable};
use crate::Error;
use dimorph_core::dist::lgamma;
use dimorph_core::rng::Rng;
use serde::Serialize;

/// The stream of [`Rng::derive`] that the simulation's draws use.
pub const STREAM: u64 = 0x4C49_4645; // "LIFE"

/// An estimate with its standard error and interval (`None` where not defined: no finite draws).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    pub estimate: f64,
    pub se: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

/// Chiang's standard error of e(x) at every age of `t`, from the observed `deaths` by age.
pub fn chiang_se(t: &Lifetable, deaths: &[f64]) -> Result<Vec<f64>, Error> {
    let n = t.len();
    if deaths.len() != n {
        return Err(Error::Argument(format!(
            "Chiang's variance: {} death counts for a table of {n} age groups",
            deaths.len()
        )));
    }
    let w = n - 1;
    // term_i = l_i² [(n_i − a_i) + e_{i+1}]² var(q_i), the open group's l_ω² var(e_ω).
    let mut term = vec![0.0; n];
    for i in 0..w {
        let (q, d) = (t.qx[i], deaths[i]);
        if d > 0.0 {
            let var_q = q * q * (1.0 - q) / d;
            let k = t.width[i] - t.ax[i] + t.ex[i + 1];
            term[i] = t.lx[i] * t.lx[i] * k * k * var_q;
        }
    }
    if deaths[w] > 0.0 {
        term[w] = t.lx[w] * t.lx[w] * t.ex[w] * t.ex[w] / deaths[w];
    }
    let mut se = vec![0.0; n];
    let mut acc = 0.0;
    for i in (0..n).rev() {
        acc += term[i];
        se[i] = if t.lx[i] > 0.0 { acc.sqrt() / t.lx[i] } else { 0.0 };
    }
    Ok(se)
}

/// e(x) ± z·se at every age (Chiang's normal intervals).
pub fn chiang_intervals(t: &Lifetable, deaths: &[f64], opts: &IntervalOptions) -> Result<Vec<Interval>, Error> {
    let z = opts.z();
    Ok(chiang_se(t, deaths)?
        .into_iter()
        .zip(&t.ex)
        .map(|(se, e)| Interval {
            estimate: *e,
            se: Some(se),
            lower: Some(e - z * se),
            upper: Some(e + z * se),
        })
        .collect())
}

/// A Poisson(`mean`) draw (as an `f64`): Knuth's multiplication below 10, Hörmann's (1993)
/// transformed rejection PTRS from 10 on. A mean that is not positive gives 0.
// KERNEL? dimorph_core::rng has no Poisson sampler; this one could move there.
pub fn poisson(rng: &mut Rng, mean: f64) -> f64 {
    if mean.is_nan() || mean <= 0.0 {
        return 0.0;
    }
    if mean < 10.0 {
        let limit = (-mean).exp();
        let mut k = 0.0;
        let mut p = rng.uniform();
        while p > limit {
            k += 1.0;
            p *= rng.uniform();
        }
        return k;
    }
    let slam = mean.sqrt();
    let loglam = mean.ln();
    let b = 0.931 + 2.53 * slam;
    let a = -0.059 + 0.02483 * b;
    let inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
    let vr = 0.9277 - 3.6224 / (b - 2.0);
    loop {
        let u = rng.uniform() - 0.5;
        let v = rng.uniform_open();
        let us = 0.5 - u.abs();
        let k = ((2.0 * a / us + b) * u + mean + 0.43).floor();
        if us >= 0.07 && v <= vr {
            return k;
        }
        if k < 0.0 || (us < 0.013 && v > us) {
            continue;
        }
        if v.ln() + inv_alpha.ln() - (a / (us * us) + b).ln() <= -mean + k * loglam - lgamma(k + 1.0) {
            return k;
        }
    }
}

/// The draws of a simulation: `values[k]` holds the statistics of draw k (draws whose
/// computation failed are left out and counted).
#[derive(Debug, Clone, Serialize)]
pub struct Simulation {
    /// Draws asked for.
    pub draws: usize,
    pub seed: u64,
    /// The statistics of each successful draw, in draw order.
    #[serde(skip)]
    pub values: Vec<Vec<f64>>,
    /// Draws computed (the intervals' sample size).
    pub used: usize,
    /// Draws that could not be computed (e.g. no deaths drawn at an open age group), left out.
    pub failed: usize,
    /// Why the first failed draw failed.
    pub first_failure: Option<String>,
}

impl Simulation {
    /// The same simulation without its draws (what a result keeps once the intervals are made).
    pub fn summary(&self) -> Simulation {
        Simulation {
            draws: self.draws,
            seed: self.seed,
            values: Vec::new(),
            used: self.used,
            failed: self.failed,
            first_failure: self.first_failure.clone(),
        }
    }

    /// The draws of statistic `j` that are finite numbers.
    pub fn column(&self, j: usize) -> Vec<f64> {
        self.values
            .iter()
            .filter_map(|v| v.get(j).copied())
            .filter(|x| x.is_finite())
            .collect()
    }

    /// The interval of statistic `j` around `estimate`: the standard deviation of the draws
    /// and their (1 − level)/2 and (1 + level)/2 quantiles (type 7). Undefined (`None`) when
    /// fewer than two draws are finite or the estimate is not.
    pub fn interval(&self, j: usize, estimate: f64, level: f64) -> Interval {
        let mut x = self.column(j);
        if x.len() < 2 || !estimate.is_finite() {
            return Interval {
                estimate,
                se: None,
                lower: None,
                upper: None,
            };
        }
        x.sort_by(f64::total_cmp);
        let mean = x.iter().sum::<f64>() / x.len() as f64;
        let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (x.len() - 1) as f64;
        Interval {
            estimate,
            se: Some(var.sqrt()),
            lower: Some(quantile7(&x, (1.0 - level) / 2.0)),
            upper: Some(quantile7(&x, (1.0 + level) / 2.0)),
        }
    }

    /// The warning to give when draws were left out (`what` names the analysis).
    pub fn warning(&self, what: &str) -> Option<String> {
        (self.failed > 0).then(|| {
            format!(
                "{what}: {} of {} simulated draws could not be computed and were left out of the intervals \
                 (the first: {})",
                self.failed,
                self.draws,
                self.first_failure.as_deref().unwrap_or("no reason recorded")
            )
        })
    }
}

/// The `p` quantile of sorted `x` by linear interpolation (R's type 7).
pub fn quantile7(x: &[f64], p: f64) -> f64 {
    let h = (x.len() - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(x.len() - 1);
    x[lo] + (h - lo as f64) * (x[hi] - x[lo])
}

/// The simulation core: for each of `opts.draws` draws, every vector of `counts` is replaced by
/// independent Poisson draws of its cells, and `stat` maps the drawn vectors (in the order of
/// `counts`) to the statistics kept. Draws run on `opts.threads` threads; a draw whose `stat`
/// fails is left out and counted; when every draw fails, the first failure is the error.
pub fn simulate<F>(counts: &[&[f64]], opts: &IntervalOptions, stat: F) -> Result<Simulation, Error>
where
    F: Fn(&[Vec<f64>]) -> Result<Vec<f64>, Error> + Sync,
{
    opts.validate()?;
    let threads = dimorph_core::threads::resolve(opts.threads);
    let parts = dimorph_core::threads::ranges(opts.draws, threads);
    let blocks = dimorph_core::threads::map_ranges(&parts, |r| {
        let mut out: Vec<Result<Vec<f64>, String>> = Vec::with_capacity(r.len());
        let mut drawn: Vec<Vec<f64>> = counts.iter().map(|c| vec![0.0; c.len()]).collect();
        for k in r {
            let mut rng = Rng::derive(opts.seed, STREAM, k as u64);
            for (d, c) in drawn.iter_mut().zip(counts) {
                for (x, mean) in d.iter_mut().zip(c.iter()) {
                    *x = poisson(&mut rng, *mean);
                }
            }
            out.push(stat(&drawn).map_err(|e| format!("draw {}: {e}", k + 1)));
        }
        out
    });
    let mut sim = Simulation {
        draws: opts.draws,
        seed: opts.seed,
        values: Vec::with_capacity(opts.draws),
        used: 0,
        failed: 0,
        first_failure: None,
    };
    for r in blocks.into_iter().flatten() {
        match r {
            Ok(v) => sim.values.push(v),
            Err(e) => {
                sim.failed += 1;
                sim.first_failure.get_or_insert(e);
            }
        }
    }
    sim.used = sim.values.len();
    if sim.values.is_empty() {
        return Err(Error::Argument(format!(
            "none of the {} simulated draws could be computed (the first: {})",
            opts.draws,
            sim.first_failure.as_deref().unwrap_or("no reason recorded")
        )));
    }
    Ok(sim)
}

/// The populations `pops` with their deaths replaced by `drawn` (same order).
pub fn with_deaths(pops: &[&Population], drawn: &[Vec<f64>]) -> Vec<Population> {
    pops.iter()
        .zip(drawn)
        .map(|(p, d)| Population {
            deaths: d.clone(),
            ..(*p).clone()
        })
        .collect()
}

/// The simulation of life tables: in each draw, every population of `pops` gets Poisson deaths,
/// its table is rebuilt with `opts` (smoothing refitted; `replace_from[i]` the first smoothed age
/// of population i, as [`Lifetable::from_population`] takes it) and `stat` maps the drawn tables
/// (in the order of `pops`) to the statistics kept. The decomposition of a gap between two
/// tables and the trend over years use it with their own `stat`.
pub fn simulate_tables<F>(
    pops: &[&Population],
    replace_from: &[Option<f64>],
    opts: &LifeTableOptions,
    iv: &IntervalOptions,
    stat: F,
) -> Result<Simulation, Error>
where
    F: Fn(&[Lifetable]) -> Result<Vec<f64>, Error> + Sync,
{
    let counts: Vec<&[f64]> = pops.iter().map(|p| p.deaths.as_slice()).collect();
    simulate(&counts, iv, |drawn| {
        let tables = with_deaths(pops, drawn)
            .iter()
            .enumerate()
            .map(|(i, p)| Lifetable::from_population(p, opts, replace_from.get(i).copied().flatten()))
            .collect::<Result<Vec<_>, _>>()?;
        stat(&tables)
    })
}

/// The populations a data-level draw covers: every (year, sex) of the chosen years, except a
/// `Total` whose year also holds `Female` and `Male` of the same ages (its deaths are then the
/// sum of theirs, drawn, so that the sexes add up in every draw as in the data).
fn drawn_keys(data: &MortalityData, years: &[i32]) -> (Vec<(i32, Sex)>, Vec<i32>) {
    let mut keys = Vec::new();
    let mut summed = Vec::new();
    for (&(y, s), p) in data.pops.range((years_min(years), Sex::Female)..) {
        if !years.contains(&y) {
            continue;
        }
        let partners = [Sex::Female, Sex::Male]
            .iter()
            .all(|x| data.pops.get(&(y, *x)).is_some_and(|q| q.age == p.age));
        if s == Sex::Total && partners {
            summed.push(y);
        } else {
            keys.push((y, s));
        }
    }
    (keys, summed)
}

fn years_min(years: &[i32]) -> i32 {
    years.iter().copied().min().unwrap_or(i32::MAX)
}

/// The simulation of whole data sets: in each draw the deaths of every population of `years`
/// in `data` (and, with `causes`, every cause-of-death count of those years) are replaced by
/// Poisson draws, and `stat` computes the statistics from the drawn data exactly as from the
/// observed (life tables with their smoothing and the HMD's first smoothed age recomputed,
/// `--sex total` from the drawn sexes, cause shares, decompositions, life lost). The drawn
/// data hold only the chosen years, with no notes.
pub fn simulate_data<F>(
    data: &MortalityData,
    causes: Option<&CauseDeaths>,
    years: &[i32],
    iv: &IntervalOptions,
    stat: F,
) -> Result<Simulation, Error>
where
    F: Fn(&MortalityData, Option<&CauseDeaths>) -> Result<Vec<f64>, Error> + Sync,
{
    let (keys, summed) = drawn_keys(data, years);
    let mut counts: Vec<&[f64]> = keys.iter().map(|k| data.pops[k].deaths.as_slice()).collect();
    let cause_keys: Vec<(i32, Sex)> = causes.map_or(Vec::new(), |c| {
        c.tables.keys().filter(|(y, _)| years.contains(y)).copied().collect()
    });
    let flat: Vec<Vec<f64>> = causes.map_or(Vec::new(), |c| {
        cause_keys.iter().map(|k| c.tables[k].deaths.concat()).collect()
    });
    counts.extend(flat.iter().map(Vec::as_slice));
    simulate(&counts, iv, |drawn| {
        let mut pops = std::collections::BTreeMap::new();
        for (k, d) in keys.iter().zip(drawn) {
            let p = Population {
                deaths: d.clone(),
                ..data.pops[k].clone()
            };
            pops.insert(*k, p);
        }
        for y in &summed {
            let (f, m) = (&pops[&(*y, Sex::Female)], &pops[&(*y, Sex::Male)]);
            let deaths = f.deaths.iter().zip(&m.deaths).map(|(a, b)| a + b).collect();
            let t = Population {
                deaths,
                ..data.pops[&(*y, Sex::Total)].clone()
            };
            pops.insert((*y, Sex::Total), t);
        }
        let d = MortalityData {
            source: data.source.clone(),
            label: data.label.clone(),
            pops,
            unusable: Default::default(),
            notes: Vec::new(),
        };
        let c = causes.map(|c| {
            let mut tables = std::collections::BTreeMap::new();
            for (k, d) in cause_keys.iter().zip(&drawn[keys.len()..]) {
                let t = &c.tables[k];
                let g = c.groups.len().max(1);
                tables.insert(
                    *k,
                    CauseTable {
                        age: t.age.clone(),
                        deaths: d.chunks(g).map(<[f64]>::to_vec).collect(),
                    },
                );
            }
            CauseDeaths {
                source: c.source.clone(),
                groups: c.groups.clone(),
                tables,
            }
        });
        stat(&d, c.as_ref())
    })
}

/// Intervals of e(x) at every age of one table by both methods.
#[derive(Debug, Clone, Serialize)]
pub struct ExIntervals {
    /// The confidence level.
    pub level: f64,
    /// Chiang's normal intervals, one per age group.
    pub chiang: Vec<Interval>,
    /// The simulation's percentile intervals, one per age group.
    pub simulation: Vec<Interval>,
    /// The draws made and left out.
    pub draws: Simulation,
}

/// The observed deaths behind the table of `year` and `sex` as [`lifetable`] builds it: closed at
/// `opts.open_age` when given; for `Total` without a Total population, the sum of the sexes'.
pub fn observed_deaths(data: &MortalityData, year: i32, sex: Sex, opts: &LifeTableOptions) -> Result<Vec<f64>, Error> {
    let opened;
    let data = match opts.open_age {
        Some(a) => {
            opened = data.year_with_open_age(year, a)?;
            &opened
        }
        None => data,
    };
    if sex == Sex::Total && !data.pops.contains_key(&(year, Sex::Total)) {
        if let (Some(f), Some(m)) = (data.pops.get(&(year, Sex::Female)), data.pops.get(&(year, Sex::Male))) {
            return Ok(f.deaths.iter().zip(&m.deaths).map(|(a, b)| a + b).collect());
        }
    }
    Ok(data.get(year, sex)?.deaths.clone())
}

/// Chiang's and the simulation's intervals of every e(x) of `t`, the table of `year` and `sex`
/// built from `data` with `opts` (Chiang's from that population's observed deaths).
pub fn ex_intervals(
    t: &Lifetable,
    data: &MortalityData,
    year: i32,
    sex: Sex,
    opts: &LifeTableOptions,
    iv: &IntervalOptions,
) -> Result<ExIntervals, Error> {
    let chiang = chiang_intervals(t, &observed_deaths(data, year, sex, opts)?, iv)?;
    let sim = simulate_data(data, None, &[year], iv, |d, _| Ok(lifetable(d, year, sex, opts)?.ex))?;
    let simulation =
        t.ex.iter()
            .enumerate()
            .map(|(j, e)| sim.interval(j, *e, iv.level))
            .collect();
    Ok(ExIntervals {
        level: iv.level,
        chiang,
        simulation,
        draws: sim,
    })
}

/// The four means of Table 2 (Riffe & Solé Auró 2015), as the tidy tables name them.
pub const MEANS: [&str; 4] = [
    "mean_age_at_death",
    "mean_years_left",
    "mean_age_at_saving",
    "mean_age_lived",
];

fn means(s: &Summary) -> [f64; 4] {
    [
        s.mean_age_at_death,
        s.mean_years_left,
        s.mean_age_at_saving,
        s.mean_age_lived,
    ]
}

/// The interval of one mean of Table 2: cause group × sex × measure (one of [`MEANS`]).
#[derive(Debug, Clone, Serialize)]
pub struct MeanInterval {
    pub cause: String,
    pub sex: Sex,
    pub measure: &'static str,
    #[serde(flatten)]
    pub interval: Interval,
}

/// The (cause, sex) cells of Table 2 in `an`, in its order (causes first, `All` last; male, then
/// female), with their observed summaries.
fn table2_cells(an: &Analysis) -> Vec<(String, Sex, Summary)> {
    let mut out = Vec::new();
    for r in an.table2() {
        for (sex, s) in [(Sex::Male, r.male), (Sex::Female, r.female)] {
            if let Some(s) = s {
                out.push((r.cause.clone(), sex, s));
            }
        }
    }
    out
}

/// Intervals of every mean of Table 2 of the analysis `an` (made from `data` and `causes` with
/// `opts`, `only_cause` as given to [`analyse`]) by the Poisson simulation of the HMD deaths of
/// its year and of the cause-of-death counts ([`simulate_data`]); each draw reruns the analysis.
pub fn table2_intervals(
    an: &Analysis,
    data: &MortalityData,
    causes: Option<&CauseDeaths>,
    only_cause: Option<&str>,
    opts: &LifeLostOptions,
    iv: &IntervalOptions,
) -> Result<(Vec<MeanInterval>, Simulation), Error> {
    let cells = table2_cells(an);
    let sexes: Vec<Sex> = an.sexes.iter().map(|s| s.sex).collect();
    let sim = simulate_data(data, causes, &[an.year], iv, |d, c| {
        let a = analyse(d, c, an.year, &sexes, only_cause, opts)?;
        let mut v = Vec::with_capacity(cells.len() * MEANS.len());
        for (cause, sex, _) in &cells {
            match a.result(*sex, cause) {
                Some(r) => v.extend(means(&r.summary)),
                None => v.extend([f64::NAN; 4]),
            }
        }
        Ok(v)
    })?;
    let mut out = Vec::with_capacity(cells.len() * MEANS.len());
    for (k, (cause, sex, s)) in cells.iter().enumerate() {
        for (j, (measure, est)) in MEANS.iter().zip(means(s)).enumerate() {
            out.push(MeanInterval {
                cause: cause.clone(),
                sex: *sex,
                measure,
                interval: sim.interval(k * MEANS.len() + j, est, iv.level),
            });
        }
    }
    Ok((out, sim))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_draws_have_the_mean_and_variance() {
        for mean in [0.5, 3.0, 12.0, 250.0, 40_000.0] {
            let mut rng = Rng::new(7);
            let n = 20_000;
            let x: Vec<f64> = (0..n).map(|_| poisson(&mut rng, mean)).collect();
            let m = x.iter().sum::<f64>() / n as f64;
            let v = x.iter().map(|a| (a - m).powi(2)).sum::<f64>() / (n - 1) as f64;
            // the mean's standard error is sqrt(mean/n); the variance's about mean·sqrt(2/n)
            assert!((m - mean).abs() < 5.0 * (mean / n as f64).sqrt(), "{mean}: mean {m}");
            assert!((v / mean - 1.0).abs() < 0.06, "{mean}: variance {v}");
            assert!(x.iter().all(|k| *k >= 0.0 && k.fract() == 0.0));
        }
        assert_eq!(poisson(&mut Rng::new(1), 0.0), 0.0);
    }

    #[test]
    fn quantiles_are_type_7() {
        // R: quantile(c(1, 2, 3, 4, 10), c(0.025, 0.5, 0.975)) = 1.1, 3, 9.4
        let x = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert!((quantile7(&x, 0.025) - 1.1).abs() < 1e-12);
        assert_eq!(quantile7(&x, 0.5), 3.0);
        assert!((quantile7(&x, 0.975) - 9.4).abs() < 1e-12);
    }

    #[test]
    fn options_are_checked() {
        let bad = IntervalOptions {
            level: 1.0,
            ..Default::default()
        };
        assert!(bad.validate().unwrap_err().to_string().starts_with("--ci:"));
        let bad = IntervalOptions {
            draws: 5,
            ..Default::default()
        };
        assert!(bad.validate().unwrap_err().to_string().starts_with("--draws:"));
        assert!((IntervalOptions::default().z() - 1.959963984540054).abs() < 1e-9);
    }
}
