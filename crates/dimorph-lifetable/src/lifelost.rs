//! Life lost and lifesaving (Riffe & Solé Auró 2015, appendix eq. 1–11): the deaths of a year
//! are saved once and live on under the year's life table (for a cause c, the cause-deleted
//! table l^{−c}, e^{−c}, eq. 9–11). Four perspectives:
//!
//! * D^s(a), saveable lives by age at death (eq. 2), decomposed by years left y through the
//!   remaining-lifespan distribution f(y|a) (eq. 1): the matrix D^s(a)·f(y|a) (eq. 4);
//! * D^s(y), saveable lives by years left (eq. 5);
//! * W^s(a) = D^s(a)·e(a), person-years won by age at saving (eq. 3);
//! * W^s(a+y|a) = D^s(a)·l(a+y)/l(a), the person-years won by the ages they are lived through (eq. 6).
//!
//! # Discretisation
//! Ages are single years; D(a) are the deaths at ages [a, a+1). Within a year the life table's
//! own assumption holds: survivors fall linearly ([`AxMethod::Hmd`], so deaths are uniform and
//! a = ½ except a₀) or exponentially ([`AxMethod::ConstantHazard`]); beyond the open age ω
//! survival is exponential with the open-age rate (a_ω = 1/m_ω).
//!
//! * **Where deaths are saved** ([`SavePoint`]). By default a death of age-year a is saved at
//!   the mean age at death of that year, a + aₐ (the midpoint for a = ½; 110 + 1/m in the open
//!   group). Its survivors are l(t)/l(a + aₐ); its life expectancy is e(a + aₐ) =
//!   [L(a) − ∫ₐ^{a+aₐ} l + T(a+1)] / l(a + aₐ). [`SavePoint::ExactAge`] saves it at exact age a
//!   instead (eq. 3 read literally with the table's e(a): W^s(a) = D(a)·e(a)).
//! * **Years left** are classed by the age-year of the second death: class y = 0 holds those
//!   dying again before a+1, class y ≥ 1 those dying in [a+y, a+y+1), probability
//!   d(a+y)/l(a + τ). The open group ω is one class (y = ω − a).
//! * **Ages lived through** are whole age-years x: the saved of age a live L(a+y)/l(a+τ)
//!   person-years in x = a+y (the rest of year a in the first column).
//! * **Means of Table 2**: ā = Σ(a + aₐ)D(a)/ΣD; ȳ = ΣW/ΣD (the exact mean remaining lifetime
//!   of the saved); the mean age at saving weights a + τ by W^s(a); the mean age lived through
//!   weights each age-year's exact mean age of person-years (from the within-year survival
//!   curve; ω + 1/m in the open group) by W^s(a+y|a).
//!
//! Under a constant hazard μ these give the closed forms e = ȳ = 1/μ,
//! f(y|a) = (1 − e^{−μ})e^{−μy} and mean age lived = mean age at saving + 1/μ.
//!
//! # The paper's discretisation ([`Discretisation::Paper`])
//! The default above ([`Discretisation::Continuous`]) integrates eq. 1–6 exactly under the
//! table's within-year survival. The published numbers (Table 2) were computed on whole
//! age-years in a different way; [`life_lost_paper`] reproduces that computation, read off the
//! authors' public scripts (github `timriffe/YearsLost`, `R/DataPrep.R`, `R/Table.R`, and
//! `Thano()` of their `RiffeetalFunctions` package) and written here from these formulas:
//!
//! * survival from the rates alone, constant hazard in each year and the open age ω treated as
//!   one more year: l(0) = 1, l(x+1) = l(x)·e^{−m(x)} for x = 0..ω (eq. 9–10 discretised, with
//!   m^{−c} for a cause); d(x) = l(x) − l(x+1), and d(ω) = l(ω);
//! * eq. 1 and 4, years left: the deaths D(a) sit at mid-year, so f(y|a) is the average of the
//!   remaining-lifespan distributions from exact ages a and a+1:
//!   f(y|a) = [d(a+y) + d(a+y+1)] / [l(a) + l(a+1)], y = 0..ω−a (d = 0 beyond ω; in the open
//!   age f(0|ω) = 1);
//! * eq. 6, years won by age lived: W^s(a+y|a) = D(a)·l(a+y+1)/l(a+1), i.e. end-of-year survivors
//!   with the year of saving counted as one whole person-year; eq. 3 is its row sum,
//!   W^s(a) = D(a)·Σ_{x≥a} l(x+1)/l(a+1) (so `e_saved` is that sum, not the table's e(a));
//! * Table 2: every class at its midpoint: ā = Σ(a+½)D/ΣD, ȳ = Σ(y+½)D^s(y)/ΣD,
//!   W(a) = Σ(a+½)W^s(a)/ΣW, W(a+y|a) = Σ(x+½)W^s(x)/ΣW; `save_age` is a + ½.
//!
//! Against the continuous default (USA 2010, males / females): each death is credited with
//! 1 + Σ_{k≥1} l(a+1+k)/l(a+1) years — the whole year of saving plus the curtate expectation at
//! a+1 — where the continuous one gives e(a + a_x). The two agree where deaths within the year
//! are rare and part where they are common: at old ages the saved who die again within the
//! year of saving are credited a whole year. So ΣW/ΣD rises (16.25 → 16.46 / 13.65 → 13.88),
//! the years won weigh older ages of saving more (mean age at saving 53.96 → 54.30 /
//! 60.26 → 60.68) and more of them are lived in the year of saving (mean age lived through
//! 70.03 → 69.75 / 75.11 → 74.89); ā and ȳ move by 0.02 at most. The table's
//! a(x), its radix and the a-method play no part; its m(x) (smoothed or not) do.

use crate::identities;
use crate::options::AxMethod;
use crate::options::{Discretisation, SavePoint};
use crate::population::Sex;
use crate::table::Lifetable;
use crate::Error;
use serde::Serialize;

/// The four means of the paper's Table 2 and the totals.
#[derive(Debug, Clone, Copy, Serialize, Default)]
pub struct Summary {
    /// Σ D^s(a).
    pub deaths: f64,
    /// Σ W^s(a): person-years won.
    pub years_won: f64,
    /// ā: mean age at death.
    pub mean_age_at_death: f64,
    /// ȳ: mean years left of the saved.
    pub mean_years_left: f64,
    /// Mean age at saving of the person-years won, weighted by W^s(a).
    pub mean_age_at_saving: f64,
    /// Mean age at which the person-years won are lived, weighted by W^s(a+y|a).
    pub mean_age_lived: f64,
}

/// Life lost for one population and one cause (or all causes).
#[derive(Debug, Clone, Serialize)]
pub struct LifeLost {
    /// `All` or the cause group.
    pub cause: String,
    pub year: Option<i32>,
    pub sex: Sex,
    pub discretisation: Discretisation,
    /// Where deaths are saved (only meaningful for [`Discretisation::Continuous`]).
    pub save_point: SavePoint,
    /// Age-years a = 0, 1, ..., ω (the last open).
    pub age: Vec<f64>,
    /// D^s(a), eq. 2.
    pub deaths: Vec<f64>,
    /// a + τ: exact age at saving.
    pub save_age: Vec<f64>,
    /// e(a + τ) (cause-deleted for a cause), eq. 3 and 11.
    pub e_saved: Vec<f64>,
    /// W^s(a) = D^s(a)·e(a + τ), eq. 3.
    pub years_won: Vec<f64>,
    /// D^s(y), y = 0..ω, eq. 5.
    pub deaths_by_years_left: Vec<f64>,
    /// Σ_a W^s(a+y|a) by age lived x = a + y, eq. 6.
    pub years_won_by_age_lived: Vec<f64>,
    /// f(y|a) (eq. 1), row a, column y, row-major n×n (not in JSON).
    #[serde(skip)]
    pub f_ya: Vec<f64>,
    /// D^s(a)·f(y|a) (eq. 4), row a, column y (not in JSON; written as CSV).
    #[serde(skip)]
    pub d_ay: Vec<f64>,
    /// W^s(a+y|a) (eq. 6) by age at saving a (row) and age lived x (column) (not in JSON).
    #[serde(skip)]
    pub w_ax: Vec<f64>,
    pub summary: Summary,
}

/// Survival inside one age group, relative to its start (t in [0, width)).
#[derive(Debug, Clone, Copy)]
enum Shape {
    /// l(t) = l − d·t/w
    Linear { l: f64, d: f64, w: f64 },
    /// l(t) = l·e^{−mt}; `w` may be infinite
    Exp { l: f64, m: f64, w: f64 },
}

impl Shape {
    fn of(t: &Lifetable, i: usize) -> Shape {
        let open = i + 1 == t.len();
        let (l, d, m, w) = (t.lx[i], t.dx[i], t.mx[i], t.width[i]);
        if open || t.ax_method == AxMethod::ConstantHazard {
            Shape::Exp { l, m, w }
        } else {
            Shape::Linear { l, d, w }
        }
    }
    fn width(&self) -> f64 {
        match *self {
            Shape::Linear { w, .. } | Shape::Exp { w, .. } => w,
        }
    }
    fn l(&self, t: f64) -> f64 {
        match *self {
            Shape::Linear { l, d, w } => l - d * t / w,
            Shape::Exp { l, m, .. } => {
                if t.is_infinite() {
                    0.0
                } else {
                    l * (-m * t).exp()
                }
            }
        }
    }
    /// ∫_{t0}^{t1} l(t) dt
    fn py(&self, t0: f64, t1: f64) -> f64 {
        match *self {
            Shape::Linear { l, d, w } => l * (t1 - t0) - d / (2.0 * w) * (t1 * t1 - t0 * t0),
            Shape::Exp { l, m, .. } => {
                if m > 0.0 {
                    (self.l(t0) - self.l(t1)) / m
                } else {
                    l * (t1 - t0)
                }
            }
        }
    }
    /// ∫_{t0}^{t1} t·l(t) dt
    fn first_moment(&self, t0: f64, t1: f64) -> f64 {
        match *self {
            Shape::Linear { l, d, w } => l * (t1 * t1 - t0 * t0) / 2.0 - d / (3.0 * w) * (t1.powi(3) - t0.powi(3)),
            Shape::Exp { l, m, .. } => {
                if m > 0.0 {
                    let term = |t: f64| {
                        if t.is_infinite() {
                            0.0
                        } else {
                            (t / m + 1.0 / (m * m)) * l * (-m * t).exp()
                        }
                    };
                    term(t0) - term(t1)
                } else {
                    l * (t1 * t1 - t0 * t0) / 2.0
                }
            }
        }
    }
    /// Mean time (from the group start) of the person-years lived in [t0, end).
    fn mean_time(&self, t0: f64) -> f64 {
        let w = self.width();
        let py = self.py(t0, w);
        if py > 0.0 {
            self.first_moment(t0, w) / py
        } else {
            t0
        }
    }
}

/// The checks shared by both discretisations.
fn check(cause: &str, deaths: &[f64], table: &Lifetable) -> Result<(), Error> {
    let n = table.len();
    if deaths.len() != n {
        return Err(Error::Argument(format!(
            "{} deaths for a table of {n} ages",
            deaths.len()
        )));
    }
    if !table.width[..n - 1].iter().all(|w| *w == 1.0) {
        return Err(Error::Argument(
            "life lost needs a single-year life table (ages 0, 1, 2, ...); this one is abridged".into(),
        ));
    }
    if let Some(i) = deaths.iter().position(|d| !(d.is_finite() && *d >= 0.0)) {
        return Err(Error::Argument(format!(
            "{}: deaths at age {} are {}: they must be non-negative",
            dimorph_core::text::clip(cause),
            table.age[i],
            dimorph_core::text::num(deaths[i])
        )));
    }
    Ok(())
}

/// [`life_lost`] or [`life_lost_paper`], as `discretisation` says (`save_point` is used by the
/// continuous one only).
pub fn life_lost_with(
    cause: &str,
    deaths: &[f64],
    table: &Lifetable,
    discretisation: Discretisation,
    save_point: SavePoint,
) -> Result<LifeLost, Error> {
    match discretisation {
        Discretisation::Continuous => life_lost(cause, deaths, table, save_point),
        Discretisation::Paper => life_lost_paper(cause, deaths, table),
    }
}

/// Computes every perspective for deaths `deaths` (aligned with the table's ages) saved into
/// `table` (the all-cause table, or for a cause its cause-deleted table).
pub fn life_lost(cause: &str, deaths: &[f64], table: &Lifetable, save_point: SavePoint) -> Result<LifeLost, Error> {
    check(cause, deaths, table)?;
    let n = table.len();
    let shapes: Vec<Shape> = (0..n).map(|i| Shape::of(table, i)).collect();
    // mean age of the person-years of each whole age-year
    let b: Vec<f64> = shapes.iter().map(|s| s.mean_time(0.0)).collect();
    let mut f_ya = vec![0.0; n * n];
    let mut d_ay = vec![0.0; n * n];
    let mut w_ax = vec![0.0; n * n];
    let mut save_age = vec![0.0; n];
    let mut e_saved = vec![0.0; n];
    let mut years_won = vec![0.0; n];
    let (mut sum_d, mut sum_w, mut sum_da, mut sum_ws, mut sum_wl) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for i in 0..n {
        let tau = match save_point {
            SavePoint::MeanAgeAtDeath => table.ax[i],
            SavePoint::ExactAge => 0.0,
        };
        let s = shapes[i];
        save_age[i] = table.age[i] + tau;
        let l_star = if tau == 0.0 { table.lx[i] } else { s.l(tau) };
        let rest = table.big_lx[i] - if tau == 0.0 { 0.0 } else { s.py(0.0, tau) };
        let t_next = if i + 1 < n { table.big_tx[i + 1] } else { 0.0 };
        if l_star <= 0.0 {
            continue;
        }
        e_saved[i] = (rest + t_next) / l_star;
        let d = deaths[i];
        years_won[i] = d * e_saved[i];
        // eq. 1 and 4
        let l_next = if i + 1 < n { table.lx[i + 1] } else { 0.0 };
        f_ya[i * n] = (l_star - l_next) / l_star;
        for y in 1..n - i {
            f_ya[i * n + y] = table.dx[i + y] / l_star;
        }
        for y in 0..n - i {
            d_ay[i * n + y] = d * f_ya[i * n + y];
        }
        // eq. 6
        w_ax[i * n + i] = d * rest / l_star;
        for x in i + 1..n {
            w_ax[i * n + x] = d * table.big_lx[x] / l_star;
        }
        // Table 2 sums
        sum_d += d;
        sum_da += d * (table.age[i] + table.ax[i]);
        sum_w += years_won[i];
        sum_ws += years_won[i] * save_age[i];
        sum_wl += w_ax[i * n + i] * (table.age[i] + s.mean_time(tau));
        for x in i + 1..n {
            sum_wl += w_ax[i * n + x] * (table.age[x] + b[x]);
        }
    }
    let mut deaths_by_years_left = vec![0.0; n];
    let mut years_won_by_age_lived = vec![0.0; n];
    for i in 0..n {
        for j in 0..n {
            deaths_by_years_left[j] += d_ay[i * n + j];
            years_won_by_age_lived[j] += w_ax[i * n + j];
        }
    }
    let div = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
    let summary = Summary {
        deaths: sum_d,
        years_won: sum_w,
        mean_age_at_death: div(sum_da, sum_d),
        mean_years_left: div(sum_w, sum_d),
        mean_age_at_saving: div(sum_ws, sum_w),
        mean_age_lived: div(sum_wl, sum_w),
    };
    Ok(LifeLost {
        cause: cause.into(),
        year: table.year,
        sex: table.sex,
        discretisation: Discretisation::Continuous,
        save_point,
        age: table.age.clone(),
        deaths: deaths.to_vec(),
        save_age,
        e_saved,
        years_won,
        deaths_by_years_left,
        years_won_by_age_lived,
        f_ya,
        d_ay,
        w_ax,
        summary,
    })
}

/// The perspectives as the paper's authors computed them (module documentation, "The paper's
/// discretisation"): l(x+1) = l(x)·e^{−m(x)} from the table's rates (the cause-deleted rates
/// for a cause, eq. 9–10), f(y|a) = [d(a+y) + d(a+y+1)]/[l(a) + l(a+1)] (eq. 1, 4, 5),
/// W^s(a+y|a) = D(a)·l(a+y+1)/l(a+1) (eq. 6) and its row sums W^s(a) (eq. 3), means at the
/// midpoints of the age classes.
pub fn life_lost_paper(cause: &str, deaths: &[f64], table: &Lifetable) -> Result<LifeLost, Error> {
    check(cause, deaths, table)?;
    let n = table.len();
    if let Some(i) = table.mx.iter().position(|m| !(m.is_finite() && *m >= 0.0)) {
        return Err(Error::Argument(format!(
            "{}: the rate at age {} is {}: the paper's discretisation needs finite non-negative rates",
            dimorph_core::text::clip(cause),
            table.age[i],
            dimorph_core::text::num(table.mx[i])
        )));
    }
    // l(0..=ω+1), radix 1: the open age is closed after one year at its rate
    let l = identities::mx_to_lx_constant_hazard(&table.mx, 1.0);
    // d(x) = l(x) − l(x+1); the open age takes all of l(ω)
    let d = identities::lx_to_dx(&l[..n]);
    let d_at = |k: usize| if k < n { d[k] } else { 0.0 };
    let mut f_ya = vec![0.0; n * n];
    let mut d_ay = vec![0.0; n * n];
    let mut w_ax = vec![0.0; n * n];
    let mut save_age = vec![0.0; n];
    let mut e_saved = vec![0.0; n];
    let mut years_won = vec![0.0; n];
    let mid = |i: usize| table.age[i] + 0.5;
    for i in 0..n {
        save_age[i] = mid(i);
        if l[i + 1] <= 0.0 {
            if deaths[i] > 0.0 {
                return Err(Error::Argument(format!(
                    "{}: survival to age {} underflows to 0: the rates are too high for the paper's discretisation",
                    dimorph_core::text::clip(cause),
                    table.age[i] + 1.0
                )));
            }
            continue;
        }
        // eq. 1 and 4: the mean of the distributions from exact a and a+1; the sum is
        // l(a) + l(a+1), or l(ω) alone in the open age (no deaths beyond it)
        let norm = if i + 1 < n { l[i] + l[i + 1] } else { l[i] };
        for y in 0..n - i {
            f_ya[i * n + y] = (d_at(i + y) + d_at(i + y + 1)) / norm;
            d_ay[i * n + y] = deaths[i] * f_ya[i * n + y];
        }
        // eq. 6 and 3: end-of-year survivors, the year of saving counted whole
        let mut e = 0.0;
        for x in i..n {
            let s = l[x + 1] / l[i + 1];
            w_ax[i * n + x] = deaths[i] * s;
            e += s;
        }
        e_saved[i] = e;
        years_won[i] = deaths[i] * e;
    }
    let mut deaths_by_years_left = vec![0.0; n];
    let mut years_won_by_age_lived = vec![0.0; n];
    for i in 0..n {
        for j in 0..n {
            deaths_by_years_left[j] += d_ay[i * n + j];
            years_won_by_age_lived[j] += w_ax[i * n + j];
        }
    }
    let sum_d: f64 = deaths.iter().sum();
    let sum_w: f64 = years_won.iter().sum();
    let weighted = |v: &[f64]| -> f64 { v.iter().enumerate().map(|(i, x)| x * mid(i)).sum() };
    // years left y = 0, 1, ... at y + ½
    let sum_dy: f64 = deaths_by_years_left
        .iter()
        .enumerate()
        .map(|(y, x)| x * (y as f64 + 0.5))
        .sum();
    let div = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
    let summary = Summary {
        deaths: sum_d,
        years_won: sum_w,
        mean_age_at_death: div(weighted(deaths), sum_d),
        mean_years_left: div(sum_dy, sum_d),
        mean_age_at_saving: div(weighted(&years_won), sum_w),
        mean_age_lived: div(weighted(&years_won_by_age_lived), sum_w),
    };
    Ok(LifeLost {
        cause: cause.into(),
        year: table.year,
        sex: table.sex,
        discretisation: Discretisation::Paper,
        save_point: SavePoint::default(),
        age: table.age.clone(),
        deaths: deaths.to_vec(),
        save_age,
        e_saved,
        years_won,
        deaths_by_years_left,
        years_won_by_age_lived,
        f_ya,
        d_ay,
        w_ax,
        summary,
    })
}

impl LifeLost {
    /// Number of ages (rows and columns of the matrices).
    pub fn n(&self) -> usize {
        self.age.len()
    }
    /// f(y|a) (eq. 1) for the deaths of age-year `a`.
    pub fn f_given(&self, a: usize) -> &[f64] {
        let n = self.n();
        &self.f_ya[a * n..(a + 1) * n]
    }
}
