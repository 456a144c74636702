//! Period life tables by the HMD Methods Protocol v6 (Wilmoth et al. 2017, section 7):
//! m = D/E; a₀ by Andreev–Kingkade (2015), a = n/2 in every other closed age group;
//! q = n·m / (1 + (n − a)·m); the open age group closed with q = 1, a = 1/m, L = l/m;
//! l, d, L, T, e as usual; optional Kannisto smoothing above age 80 ([`crate::kannisto`]).
//!
//! Single-year and abridged (0, 1–4, 5-year groups) tables are supported. A second
//! within-interval assumption, [`AxMethod::ConstantHazard`] (q = 1 − e^{−nm}, L = d/m), makes
//! every column exact for piecewise-constant hazards; it is what closed-form tests use.

use crate::abridged;
use crate::identities;
use crate::kannisto::{self, KannistoFit};
use crate::options::{AxMethod, LifeTableOptions, Smoothing, RADIX};
use crate::population::{age_label, MortalityData, Population, Sex};
use crate::total;
use crate::Error;
use dimorph_core::text::num;
use serde::Serialize;

/// The smallest death rate that closes the open age group (a = 1/m at most a million years);
/// a smaller one is refused rather than turned into astronomical person-years.
pub const MIN_OPEN_RATE: f64 = 1e-6;

/// A period life table. Column vectors are aligned with `age`; the last row is the open group.
#[derive(Debug, Clone, Serialize)]
pub struct Lifetable {
    pub year: Option<i32>,
    pub sex: Sex,
    /// Start of each age group.
    pub age: Vec<f64>,
    /// Width of each age group (`f64::INFINITY` for the open group; not in JSON).
    #[serde(skip)]
    pub width: Vec<f64>,
    pub mx: Vec<f64>,
    pub qx: Vec<f64>,
    pub ax: Vec<f64>,
    pub lx: Vec<f64>,
    pub dx: Vec<f64>,
    #[serde(rename = "Lx")]
    pub big_lx: Vec<f64>,
    #[serde(rename = "Tx")]
    pub big_tx: Vec<f64>,
    pub ex: Vec<f64>,
    pub radix: f64,
    pub ax_method: AxMethod,
    /// The Kannisto fit, when smoothing was applied.
    pub kannisto: Option<KannistoFit>,
    /// Notes on what was done differently from what was asked (e.g. smoothing not applicable).
    pub warnings: Vec<String>,
}

/// Andreev–Kingkade (2015) a₀ from m₀, as in the HMD Methods Protocol v6, Table 1.
/// For `Total` the mean of the female and male values.
pub fn a0_andreev_kingkade(m0: f64, sex: Sex) -> f64 {
    let male = if m0 >= 0.08307 {
        0.29915
    } else if m0 >= 0.0230 {
        0.02832 + 3.26021 * m0
    } else {
        0.14929 - 1.99545 * m0
    };
    let female = if m0 >= 0.06891 {
        0.31411
    } else if m0 >= 0.01724 {
        0.04667 + 3.88089 * m0
    } else {
        0.14903 - 2.05527 * m0
    };
    match sex {
        Sex::Male => male,
        Sex::Female => female,
        Sex::Total => 0.5 * (male + female),
    }
}

/// Mean time lived in `[0, n)` by those dying there under a constant hazard `m`.
pub(crate) fn ax_constant_hazard(m: f64, n: f64) -> f64 {
    if m * n < 1e-8 {
        // series: n/2 − m n²/12
        return n / 2.0 - m * n * n / 12.0;
    }
    let e = (-m * n).exp();
    1.0 / m - n * e / (1.0 - e)
}

/// What a table takes as given instead of deriving it from m: a₀ (the both-sex table's
/// infant-death-weighted value, [`crate::total`]) and (q, a) of chosen groups (the abridged
/// old-age closure, [`crate::abridged`]).
#[derive(Debug, Clone, Default)]
struct Given {
    a0: Option<f64>,
    qa: Vec<Option<(f64, f64)>>,
    /// a alone (q then follows from m): the abridged groups from 80 to Y.
    a: Vec<Option<f64>>,
}

/// a(x) and q(x) of every age group: HMD (a₀ by Andreev–Kingkade for a first group of one
/// year, n/2 elsewhere; a group of several years whose q would exceed 1 takes the constant-hazard
/// q and a, reported through `over_one`; a single year's q > 1 is reported and set to 1) or a
/// constant hazard; `given` values first; the open group closed with a = 1/m, q = 1.
fn ax_qx(
    sex: Sex,
    age: &[f64],
    width: &[f64],
    mx: &[f64],
    method: AxMethod,
    given: &Given,
    mut over_one: impl FnMut(usize, f64, bool),
) -> (Vec<f64>, Vec<f64>) {
    let n = age.len();
    let mut ax = vec![0.0; n];
    let mut qx = vec![0.0; n];
    for i in 0..n - 1 {
        let (m, w) = (mx[i], width[i]);
        if let Some((q, a)) = given.qa.get(i).copied().flatten() {
            (qx[i], ax[i]) = (q, a);
            continue;
        }
        match method {
            AxMethod::Hmd => {
                ax[i] = match (given.a0, given.a.get(i).copied().flatten()) {
                    (_, Some(a)) => a,
                    (Some(a0), _) if i == 0 => a0,
                    _ if age[i] == 0.0 && w == 1.0 => a0_andreev_kingkade(m, sex),
                    _ => w / 2.0,
                };
                let q = identities::mx_to_qx(m, w, ax[i]);
                if q > 1.0 && w > 1.0 {
                    over_one(i, q, true);
                    ax[i] = ax_constant_hazard(m, w);
                    qx[i] = identities::mx_to_qx_constant_hazard(m, w);
                    continue;
                }
                if q > 1.0 {
                    over_one(i, q, false);
                }
                qx[i] = q.min(1.0);
            }
            AxMethod::ConstantHazard => {
                ax[i] = ax_constant_hazard(m, w);
                qx[i] = identities::mx_to_qx_constant_hazard(m, w);
            }
        }
    }
    ax[n - 1] = 1.0 / mx[n - 1];
    qx[n - 1] = 1.0;
    (ax, qx)
}

/// L(x), person-years lived in each age group: n·l(x+1) + a·d(x) (HMD), d/m (constant hazard),
/// l/m in the open group.
fn person_years(width: &[f64], mx: &[f64], ax: &[f64], lx: &[f64], dx: &[f64], method: AxMethod) -> Vec<f64> {
    let n = lx.len();
    (0..n)
        .map(|i| {
            if i == n - 1 {
                lx[i] / mx[i]
            } else {
                match method {
                    AxMethod::Hmd => width[i] * lx[i + 1] + ax[i] * dx[i],
                    AxMethod::ConstantHazard if mx[i] > 0.0 => dx[i] / mx[i],
                    AxMethod::ConstantHazard => width[i] * lx[i],
                }
            }
        })
        .collect()
}

impl Lifetable {
    /// Builds the table from death rates `mx` for age groups starting at `age` with widths
    /// `width` (last infinite). Rates must be finite and non-negative, the open one positive.
    pub fn from_rates(
        sex: Sex,
        year: Option<i32>,
        age: &[f64],
        width: &[f64],
        mx: &[f64],
        ax_method: AxMethod,
        radix: f64,
    ) -> Result<Lifetable, Error> {
        Self::build(sex, year, (age, width, mx), ax_method, radix, &Given::default())
    }

    /// [`Lifetable::from_rates`] with some values `given` rather than derived.
    fn build(
        sex: Sex,
        year: Option<i32>,
        (age, width, mx): (&[f64], &[f64], &[f64]),
        ax_method: AxMethod,
        radix: f64,
        given: &Given,
    ) -> Result<Lifetable, Error> {
        let n = age.len();
        if n < 2 || width.len() != n || mx.len() != n {
            return Err(Error::Argument(
                "a life table needs at least two age groups of equal-length columns".into(),
            ));
        }
        if !RADIX.contains(&radix) {
            return Err(Error::Argument(format!(
                "the radix must be from {} to {}, got {}",
                RADIX.start(),
                RADIX.end(),
                num(radix)
            )));
        }
        let who = |i: usize| {
            format!(
                "{}{}, age {}",
                year.map(|y| format!("{y} ")).unwrap_or_default(),
                sex,
                age_label(age[i], i == n - 1)
            )
        };
        for (i, m) in mx.iter().enumerate() {
            if !(m.is_finite() && *m >= 0.0) {
                return Err(Error::Argument(format!(
                    "{}: the death rate {} is not a finite non-negative number",
                    who(i),
                    num(*m)
                )));
            }
        }
        if mx[n - 1] <= 0.0 {
            return Err(Error::Argument(format!(
                "{}: the open age group has a death rate of 0, so it cannot be closed (a = 1/m)",
                who(n - 1)
            )));
        }
        if mx[n - 1] < MIN_OPEN_RATE {
            return Err(Error::Argument(format!(
                "{}: the open age group's death rate, {}, is below {MIN_OPEN_RATE:e}: closing the table with it \
                 (a = 1/m) would give a life expectancy of over a million years there",
                who(n - 1),
                num(mx[n - 1])
            )));
        }
        let mut warnings = Vec::new();
        let (ax, qx) = ax_qx(sex, age, width, mx, ax_method, given, |i, q, hazard| {
            warnings.push(if hazard {
                format!(
                    "{}: q = n·m/(1 + n·m/2) = {q:.4} > 1; this group took the constant-hazard q = 1 − exp(−n·m) and its a",
                    who(i)
                )
            } else {
                format!("{}: q = {q:.4} > 1 set to 1", who(i))
            });
        });
        let lx = identities::qx_to_lx(&qx, radix);
        let dx = identities::lxqx_to_dx(&lx, &qx);
        let big_lx = person_years(width, mx, &ax, &lx, &dx, ax_method);
        let big_tx = identities::big_lx_to_tx(&big_lx);
        let ex = identities::tx_to_ex(&big_tx, &lx);
        let columns = [
            ("q", &qx),
            ("a", &ax),
            ("l", &lx),
            ("d", &dx),
            ("L", &big_lx),
            ("T", &big_tx),
            ("e", &ex),
        ];
        for (name, col) in columns {
            if let Some(i) = col.iter().position(|v| !v.is_finite()) {
                return Err(Error::Argument(format!(
                    "{}: the life table is undefined: {name}(x) = {} is not a finite number (death rate m = {:e})",
                    who(i),
                    col[i],
                    mx[i]
                )));
            }
        }
        Ok(Lifetable {
            year,
            sex,
            age: age.to_vec(),
            width: width.to_vec(),
            mx: mx.to_vec(),
            qx,
            ax,
            lx,
            dx,
            big_lx,
            big_tx,
            ex,
            radix,
            ax_method,
            kannisto: None,
            warnings,
        })
    }

    /// Builds the table of one population: m = D/E, smoothed as `opts` asks. `replace_from`
    /// overrides the HMD choice of the first smoothed age (which, by the Protocol, uses both
    /// sexes' deaths; [`lifetable`] passes it).
    pub fn from_population(
        pop: &Population,
        opts: &LifeTableOptions,
        replace_from: Option<f64>,
    ) -> Result<Lifetable, Error> {
        let n = pop.age.len();
        let mut mx: Vec<f64> = pop
            .deaths
            .iter()
            .zip(&pop.exposure)
            .map(|(d, e)| if *e > 0.0 { d / e } else { f64::NAN })
            .collect();
        let mut fit = None;
        let mut given = Given::default();
        let mut warnings = Vec::new();
        if opts.smoothing == Smoothing::Kannisto {
            let last = pop.age[n - 1];
            if last < 85.0 {
                warnings.push(format!(
                    "Kannisto smoothing fits ages 80 and above, but the open age is {last}+: not applied"
                ));
            } else {
                let y = replace_from
                    .unwrap_or_else(|| kannisto::hmd_replace_from(&pop.age, &[&per_year(pop, &pop.deaths)]))
                    .min(last);
                fit = if pop.is_single_year() {
                    smooth_single_years(pop, y, &mut mx)
                } else {
                    close_abridged(pop, y, &mut mx, &mut given, &mut warnings)
                };
                if fit.is_none() {
                    warnings
                        .push("the Kannisto fit failed (too few ages 80+ with exposure): observed rates kept".into());
                }
            }
        }
        if let Some(i) = mx.iter().position(|m| m.is_nan()) {
            return Err(Error::Value {
                source_name: crate::error::UNNAMED_SOURCE.into(),
                year: pop.year,
                sex: pop.sex.to_string(),
                age: age_label(pop.age[i], i == n - 1),
                msg: "zero exposure: the death rate is undefined (Kannisto smoothing would replace it at old ages; \
                      --open-age can close the table below the ages without exposure)"
                    .into(),
            });
        }
        let mut t = Lifetable::build(
            pop.sex,
            Some(pop.year),
            (&pop.age, &pop.width, &mx),
            opts.ax,
            opts.radix,
            &given,
        )?;
        if fit.is_none() {
            warnings.extend(open_age_warning(&t, pop));
        }
        t.kannisto = fit;
        warnings.append(&mut t.warnings);
        t.warnings = warnings;
        Ok(t)
    }

    /// The cause-deleted table (Riffe & Solé Auró 2015, eq. 9–10): rates m^{−c} = m·(1 − s_c),
    /// where `share[i]` is cause c's share of deaths in age group i; same a-method and radix.
    pub fn cause_deleted(&self, share: &[f64]) -> Result<Lifetable, Error> {
        let m: Vec<f64> = self
            .mx
            .iter()
            .zip(share)
            .map(|(m, s)| m * (1.0 - s.clamp(0.0, 1.0)))
            .collect();
        let mut t = Lifetable::from_rates(
            self.sex,
            self.year,
            &self.age,
            &self.width,
            &m,
            self.ax_method,
            self.radix,
        )?;
        t.kannisto = self.kannisto;
        Ok(t)
    }

    /// Number of age groups.
    pub fn len(&self) -> usize {
        self.age.len()
    }
    pub fn is_empty(&self) -> bool {
        self.age.is_empty()
    }
    /// Life expectancy at birth.
    pub fn e0(&self) -> f64 {
        self.ex[0]
    }
}

/// Deaths per year of age (an abridged group's deaths over its width; single years and the
/// open group as they are), for the HMD rule of the first smoothed age.
fn per_year(pop: &Population, series: &[f64]) -> Vec<f64> {
    series
        .iter()
        .zip(&pop.width)
        .map(|(d, w)| if w.is_finite() { d / w } else { *d })
        .collect()
}

/// Kannisto smoothing of single-year rates (HMD Protocol v6): the fit at 80+ replaces the rates
/// from age `y` on with μ(x + ½).
fn smooth_single_years(pop: &Population, y: f64, mx: &mut [f64]) -> Option<KannistoFit> {
    let mut f = kannisto::fit(&pop.age, &pop.deaths, &pop.exposure, 80.0)?;
    f.replaced_from = y;
    for (m, a) in mx.iter_mut().zip(&pop.age) {
        if *a >= y {
            *m = f.mu(a + 0.5);
        }
    }
    Some(f)
}

/// The old-age closure of an abridged table ([`crate::abridged`]): the curve fitted to the
/// groups from 80, and the groups from `y` on given the q, a and m of its single-year table.
fn close_abridged(
    pop: &Population,
    y: f64,
    mx: &mut [f64],
    given: &mut Given,
    warnings: &mut Vec<String>,
) -> Option<KannistoFit> {
    let mut f = abridged::fit_groups(&pop.age, &pop.width, &pop.deaths, &pop.exposure, 80.0)?;
    f.replaced_from = y;
    given.qa = vec![None; pop.age.len()];
    given.a = vec![None; pop.age.len()];
    for (i, m) in mx.iter_mut().enumerate() {
        let (x, n) = (pop.age[i], pop.width[i]);
        if x >= y {
            let (q, a, mg) = abridged::closure(&f, x, n);
            *m = mg;
            given.qa[i] = Some((q, a));
        } else if x >= f.fit_from && n.is_finite() {
            given.a[i] = Some(abridged::closure(&f, x, n).1);
        }
    }
    warnings.push(format!(
        "abridged ages: the Kannisto curve was fitted to the groups' deaths and exposures at 80+; the groups from \
         age {y} on were built from its single-year table (as the HMD abridges its complete tables), and the groups \
         from 80 to {y} kept their observed rates with the curve's mean time lived by those dying, a(x)"
    ));
    Some(f)
}

/// The largest life expectancy at an open age `x` (80 or more) that is not flagged: 16 years at
/// 80, half a year less per year of age, at least 3 (the HMD's e(110+) are 1.3–2; Japanese women,
/// the longest-lived, have about 12 at 80, 6.5 at 90, 3 at 100).
pub const fn plausible_open_e(x: f64) -> f64 {
    let b = 16.0 - 0.5 * (x - 80.0);
    if b > 3.0 {
        b
    } else {
        3.0
    }
}

/// A warning when the open group's life expectancy 1/m is implausible (above
/// [`plausible_open_e`]): observed rates from a handful of deaths, e.g. USA 1952 males, 110+:
/// 65.9 years under `--no-smooth`.
fn open_age_warning(t: &Lifetable, pop: &Population) -> Option<String> {
    let n = t.len();
    let (e_open, open) = (t.ex[n - 1], t.age[n - 1]);
    if open < 80.0 || e_open <= plausible_open_e(open) {
        return None;
    }
    Some(format!(
        "{} {}: the open age group {}+ has a life expectancy of {} years (1/m, from {} deaths over {} person-years), \
         more than the {} years no population reaches there: implausible; smooth the old-age rates (leave out \
         --no-smooth) or lower the open age (--open-age)",
        pop.year,
        pop.sex,
        open,
        num((e_open * 100.0).round() / 100.0),
        num((pop.deaths[n - 1] * 100.0).round() / 100.0),
        num((pop.exposure[n - 1] * 100.0).round() / 100.0),
        num(plausible_open_e(open)),
    ))
}

/// The table of `year` and `sex` from `data`, with the HMD choice of the first smoothed age
/// computed from both sexes' deaths when the data hold both, the open age lowered as
/// `opts.open_age` asks, and for `Total` the HMD's both-sex table built from the two sexes'
/// tables when the data hold both ([`crate::total`]; the pooled deaths and exposures otherwise,
/// with a warning).
pub fn lifetable(data: &MortalityData, year: i32, sex: Sex, opts: &LifeTableOptions) -> Result<Lifetable, Error> {
    let opened;
    let data = match opts.open_age {
        Some(a) => {
            opened = data.year_with_open_age(year, a)?;
            &opened
        }
        None => data,
    };
    if sex == Sex::Total {
        if let Some(t) = total_by_protocol(data, year, opts)? {
            return Ok(t);
        }
    }
    let pop = data.get(year, sex)?;
    let mut t = Lifetable::from_population(pop, opts, replace_from_both(data, year, pop))
        .map_err(|e| e.in_source(&data.source))?;
    if sex == Sex::Total {
        t.warnings.push(format!(
            "{year} total: the data do not hold both sexes on the same ages, so the both-sex table was built from the \
             pooled deaths and exposures (a0 the mean of the two sexes' formulas), not from the two sexes' tables as \
             the HMD Protocol does"
        ));
    }
    Ok(t)
}

/// The HMD's both-sex table ([`crate::total`]) when `data` hold females and males of `year` on
/// the same single-year ages; `None` otherwise (abridged ages: the pooled table, said in a
/// warning).
fn total_by_protocol(data: &MortalityData, year: i32, opts: &LifeTableOptions) -> Result<Option<Lifetable>, Error> {
    let (Some(pf), Some(pm)) = (data.pops.get(&(year, Sex::Female)), data.pops.get(&(year, Sex::Male))) else {
        return Ok(None);
    };
    if pf.age != pm.age {
        return Ok(None);
    }
    if !pf.is_single_year() {
        return pooled_abridged(data, pf, pm, opts).map(Some);
    }
    let f = lifetable(data, year, Sex::Female, opts)?;
    let m = lifetable(data, year, Sex::Male, opts)?;
    let from = match (&f.kannisto, &m.kannisto) {
        (Some(kf), Some(_)) => Some(kf.replaced_from),
        _ => None,
    };
    let mut warnings: Vec<String> = f.warnings.iter().chain(&m.warnings).cloned().collect();
    let share = match total::female_share(&pf.age, &pf.exposure, &pm.exposure, from) {
        Some(s) => s,
        None => {
            warnings.push(format!(
                "{year} total: fewer than three ages 80+ with both sexes' exposure: the sexes' rates weighted by their raw \
                 exposure shares (the Protocol smooths the shares from age {} on)",
                from.unwrap_or(95.0)
            ));
            total::female_share(&pf.age, &pf.exposure, &pm.exposure, None).unwrap_or_default()
        }
    };
    let mx = total::combine(&share, &f.mx, &m.mx);
    let given = Given {
        a0: (opts.ax == AxMethod::Hmd).then(|| total::infant_weighted_a0(f.ax[0], pf.deaths[0], m.ax[0], pm.deaths[0])),
        ..Default::default()
    };
    let mut t = Lifetable::build(
        Sex::Total,
        Some(year),
        (&pf.age, &pf.width, &mx),
        opts.ax,
        opts.radix,
        &given,
    )
    .map_err(|e| e.in_source(&data.source))?;
    warnings.append(&mut t.warnings);
    t.warnings = warnings;
    Ok(Some(t))
}

/// The both-sex table of abridged data: the pooled deaths and exposures with their own old-age
/// closure (the Protocol's smoothed sex weights need single years), said in a warning.
fn pooled_abridged(
    data: &MortalityData,
    pf: &Population,
    pm: &Population,
    opts: &LifeTableOptions,
) -> Result<Lifetable, Error> {
    let add = |a: &[f64], b: &[f64]| -> Vec<f64> { a.iter().zip(b).map(|(x, y)| x + y).collect() };
    let pooled = Population {
        sex: Sex::Total,
        deaths: add(&pf.deaths, &pm.deaths),
        exposure: add(&pf.exposure, &pm.exposure),
        ..pf.clone()
    };
    let y = kannisto::hmd_replace_from(&pf.age, &[&per_year(pf, &pf.deaths), &per_year(pm, &pm.deaths)]);
    let mut t = Lifetable::from_population(&pooled, opts, Some(y)).map_err(|e| e.in_source(&data.source))?;
    t.warnings.push(format!(
        "{} total: abridged ages, so the both-sex table was built from the pooled deaths and exposures (the HMD \
         Protocol's smoothed sex weights need single years)",
        pf.year
    ));
    Ok(t)
}

/// The HMD age Y for `pop`'s year, from female and male deaths when both are present.
pub fn replace_from_both(data: &MortalityData, year: i32, pop: &Population) -> Option<f64> {
    let f = data.pops.get(&(year, Sex::Female));
    let m = data.pops.get(&(year, Sex::Male));
    match (f, m) {
        (Some(f), Some(m)) if f.age == pop.age && m.age == pop.age => Some(kannisto::hmd_replace_from(
            &pop.age,
            &[&per_year(f, &f.deaths), &per_year(m, &m.deaths)],
        )),
        _ => None,
    }
}
