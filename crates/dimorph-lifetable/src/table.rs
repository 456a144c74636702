//! Period life tables by the HMD Methods Protocol v6 (Wilmoth et al. 2017, section 7):
//! m = D/E; a₀ by Andreev–Kingkade (2015), a = n/2 in every other closed age group;
//! q = n·m / (1 + (n − a)·m); the open age group closed with q = 1, a = 1/m, L = l/m;
//! l, d, L, T, e as usual; optional Kannisto smoothing above age 80 ([`crate::kannisto`]).
//!
//! Single-year and abridged (0, 1–4, 5-year groups) tables are supported. A second
//! within-interval assumption, [`AxMethod::ConstantHazard`] (q = 1 − e^{−nm}, L = d/m), makes
//! every column exact for piecewise-constant hazards; it is what closed-form tests use.

use crate::identities;
use crate::kannisto::{self, KannistoFit};
use crate::options::{AxMethod, LifeTableOptions, Smoothing, RADIX};
use crate::population::{age_label, MortalityData, Population, Sex};
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

/// a(x) and q(x) of every age group: HMD (a₀ by Andreev–Kingkade for a first group of one
/// year, n/2 elsewhere; q > 1 reported through `over_one` and set to 1) or a constant hazard;
/// the open group closed with a = 1/m, q = 1.
fn ax_qx(
    sex: Sex,
    age: &[f64],
    width: &[f64],
    mx: &[f64],
    method: AxMethod,
    mut over_one: impl FnMut(usize, f64),
) -> (Vec<f64>, Vec<f64>) {
    let n = age.len();
    let mut ax = vec![0.0; n];
    let mut qx = vec![0.0; n];
    for i in 0..n - 1 {
        let (m, w) = (mx[i], width[i]);
        match method {
            AxMethod::Hmd => {
                ax[i] = if age[i] == 0.0 && w == 1.0 {
                    a0_andreev_kingkade(m, sex)
                } else {
                    w / 2.0
                };
                let q = identities::mx_to_qx(m, w, ax[i]);
                if q > 1.0 {
                    over_one(i, q);
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
        let (ax, qx) = ax_qx(sex, age, width, mx, ax_method, |i, q| {
            warnings.push(format!("{}: q = {q:.4} > 1 set to 1", who(i)));
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
        let mut warnings = Vec::new();
        if opts.smoothing == Smoothing::Kannisto {
            let last = pop.age[n - 1];
            if !pop.is_single_year() {
                warnings.push("Kannisto smoothing needs single-year ages: not applied to this abridged table".into());
            } else if last < 85.0 {
                warnings.push(format!(
                    "Kannisto smoothing fits ages 80 and above, but the open age is {last}+: not applied"
                ));
            } else {
                let y = replace_from
                    .unwrap_or_else(|| kannisto::hmd_replace_from(&pop.age, &[&pop.deaths]))
                    .min(last);
                match kannisto::fit(&pop.age, &pop.deaths, &pop.exposure, 80.0) {
                    Some(mut f) => {
                        f.replaced_from = y;
                        for (m, a) in mx.iter_mut().zip(&pop.age) {
                            if *a >= y {
                                *m = f.mu(a + 0.5);
                            }
                        }
                        fit = Some(f);
                    }
                    None => warnings
                        .push("the Kannisto fit failed (too few ages 80+ with exposure): observed rates kept".into()),
                }
            }
        }
        if let Some(i) = mx.iter().position(|m| m.is_nan()) {
            return Err(Error::Value {
                source_name: crate::error::UNNAMED_SOURCE.into(),
                year: pop.year,
                sex: pop.sex.to_string(),
                age: age_label(pop.age[i], i == n - 1),
                msg: "zero exposure: the death rate is undefined (Kannisto smoothing would replace it at old ages)"
                    .into(),
            });
        }
        let mut t = Lifetable::from_rates(pop.sex, Some(pop.year), &pop.age, &pop.width, &mx, opts.ax, opts.radix)?;
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

/// The table of `year` and `sex` from `data`, with the HMD choice of the first smoothed age
/// computed from both sexes' deaths when the data hold both.
pub fn lifetable(data: &MortalityData, year: i32, sex: Sex, opts: &LifeTableOptions) -> Result<Lifetable, Error> {
    let pop = data.get(year, sex)?;
    Lifetable::from_population(pop, opts, replace_from_both(data, year, pop)).map_err(|e| e.in_source(&data.source))
}

/// The HMD age Y for `pop`'s year, from female and male deaths when both are present.
pub fn replace_from_both(data: &MortalityData, year: i32, pop: &Population) -> Option<f64> {
    let f = data.pops.get(&(year, Sex::Female));
    let m = data.pops.get(&(year, Sex::Male));
    match (f, m) {
        (Some(f), Some(m)) if f.age == pop.age && m.age == pop.age => {
            Some(kannisto::hmd_replace_from(&pop.age, &[&f.deaths, &m.deaths]))
        }
        _ => None,
    }
}
