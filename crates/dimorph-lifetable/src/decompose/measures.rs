//! The functions of the rates that [`super::horiuchi`] decomposes: from cause-specific rates
//! m_c(x) (summed to the all-cause m(x)) and, for HMD tables, the separation factor a(0), the
//! life table of `dimorph lifetable` ([`Lifetable::from_rates`]) and its e(x₀); at birth also its
//! lifespan variation ([`crate::variation`]: e†, Gini, SD).
//!
//! a(0) is a parameter of its own because the HMD's rule for it (Andreev–Kingkade) differs by
//! sex: with a(0) a function of m(0) alone, the female and male tables would not be values of
//! one function, and the contributions would not add up to the gap. Along the path a(0) moves
//! linearly from one table's value to the other's; its contribution is reported on its own (it
//! is a few hundred-thousandths of a year for the USA 2010 sexes).

use crate::identities;
use crate::options::AxMethod;
use crate::population::Sex;
use crate::table::Lifetable;
use crate::variation::variation;
use crate::Error;

/// The measures decomposed, in the order [`RateModel::eval`] returns them (e(x₀) first; the
/// variation measures only from birth).
pub const MEASURES: [&str; 4] = ["e", "e_dagger", "gini", "sd"];

/// A human name of a measure of [`MEASURES`], `from` the age of e(x).
pub fn measure_label(m: &str, from: f64) -> String {
    match m {
        "e" => format!("e{}", dimorph_core::text::num(from)),
        "e_dagger" => "e-dagger".into(),
        "gini" => "Gini".into(),
        "sd" => "SD".into(),
        other => other.into(),
    }
}

/// Rates → life table → measures, for one set of age groups.
#[derive(Debug, Clone)]
pub struct RateModel {
    pub age: Vec<f64>,
    pub width: Vec<f64>,
    pub ax: AxMethod,
    pub radix: f64,
    /// Index of x₀ (e(x₀) is decomposed; the variation measures only when it is 0).
    pub from: usize,
    /// Number of cause groups (1: all causes).
    pub groups: usize,
}

impl RateModel {
    /// Whether a(0) is a parameter (HMD tables whose first group is age 0 of width 1).
    pub fn has_a0(&self) -> bool {
        self.ax == AxMethod::Hmd && self.age.first() == Some(&0.0) && self.width.first() == Some(&1.0)
    }

    /// Number of measures [`RateModel::eval`] returns.
    pub fn n_measures(&self) -> usize {
        if self.from == 0 {
            MEASURES.len()
        } else {
            1
        }
    }

    /// The parameter vector of table `t` with cause shares `share[c][i]` (a single group of
    /// shares 1 for all causes): m_c(x) cause by cause, then a(0) when it is a parameter.
    pub fn params(&self, t: &Lifetable, share: &[Vec<f64>]) -> Vec<f64> {
        let mut p: Vec<f64> = share
            .iter()
            .flat_map(|s| t.mx.iter().zip(s).map(|(m, s)| m * s))
            .collect();
        if self.has_a0() {
            p.push(t.ax[0]);
        }
        p
    }

    /// The life table of a parameter vector.
    pub fn table(&self, p: &[f64]) -> Result<Lifetable, Error> {
        let n = self.age.len();
        let mut m = vec![0.0; n];
        for c in 0..self.groups {
            for (mi, pc) in m.iter_mut().zip(&p[c * n..(c + 1) * n]) {
                *mi += pc;
            }
        }
        let mut t = Lifetable::from_rates(Sex::Total, None, &self.age, &self.width, &m, self.ax, self.radix)?;
        if self.has_a0() {
            with_a0(&mut t, p[self.groups * n]);
        }
        Ok(t)
    }

    /// The measures of a parameter vector: e(x₀), and from birth e†, Gini, SD.
    pub fn eval(&self, p: &[f64]) -> Result<Vec<f64>, Error> {
        let t = self.table(p)?;
        if self.from > 0 {
            return Ok(vec![t.ex[self.from]]);
        }
        let v = variation(&t);
        Ok(vec![v.e0, v.e_dagger, v.gini, v.sd])
    }
}

/// Table `t` (HMD a-method) with its a(0) set to `a0`: q(0) = m/(1 + (1 − a)m), then l, d, L, T,
/// e again (L = n·l(x+1) + a·d in closed groups, l/m in the open one, as `table` does).
fn with_a0(t: &mut Lifetable, a0: f64) {
    if t.ax[0] == a0 {
        return;
    }
    let n = t.len();
    t.ax[0] = a0;
    t.qx[0] = identities::mx_to_qx(t.mx[0], t.width[0], a0).min(1.0);
    t.lx = identities::qx_to_lx(&t.qx, t.radix);
    t.dx = identities::lxqx_to_dx(&t.lx, &t.qx);
    t.big_lx = (0..n)
        .map(|i| {
            if i + 1 == n {
                t.lx[i] / t.mx[i]
            } else {
                t.width[i] * t.lx[i + 1] + t.ax[i] * t.dx[i]
            }
        })
        .collect();
    t.big_tx = identities::big_lx_to_tx(&t.big_lx);
    t.ex = identities::tx_to_ex(&t.big_tx, &t.lx);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_rebuilds_the_table_it_was_given() {
        let age: Vec<f64> = (0..6).map(|a| a as f64).collect();
        let mut w = vec![1.0; 6];
        w[5] = f64::INFINITY;
        let m = [0.006, 0.001, 0.002, 0.01, 0.1, 0.4];
        let t = Lifetable::from_rates(Sex::Female, None, &age, &w, &m, AxMethod::Hmd, 1e5).unwrap();
        let model = RateModel {
            age,
            width: w,
            ax: AxMethod::Hmd,
            radix: 1e5,
            from: 0,
            groups: 2,
        };
        let share = vec![vec![0.25; 6], vec![0.75; 6]];
        let p = model.params(&t, &share);
        assert_eq!(p.len(), 13);
        let back = model.table(&p).unwrap();
        for i in 0..6 {
            assert!((back.ex[i] - t.ex[i]).abs() < 1e-12 && (back.big_lx[i] - t.big_lx[i]).abs() < 1e-9);
        }
        let v = variation(&t);
        let e = model.eval(&p).unwrap();
        assert!((e[0] - v.e0).abs() < 1e-12 && (e[1] - v.e_dagger).abs() < 1e-12);
        assert!((e[2] - v.gini).abs() < 1e-12 && (e[3] - v.sd).abs() < 1e-12);
    }
}
