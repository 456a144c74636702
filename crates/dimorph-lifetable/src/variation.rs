//! Lifespan variation at birth beside e₀: life disparity e† (years of life lost at death),
//! Keyfitz's entropy H = e†/e₀, the Gini coefficient of ages at death and their standard
//! deviation.
//!
//! Within each age group the same assumption as the table is used: survivors linear in the group
//! for [`AxMethod::Hmd`] (deaths uniform, variance n²/12), exponential for
//! [`AxMethod::ConstantHazard`] and in the open group (variance 1/m²). Under a constant hazard
//! μ every measure equals its closed form: e† = e₀ = SD = 1/μ, H = 1, Gini = ½.

use crate::options::AxMethod;
use crate::table::Lifetable;
use serde::Serialize;

/// Lifespan-variation measures at birth.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Variation {
    pub e0: f64,
    /// Life disparity e† = Σ d(x)·e(x + aₓ) / l₀.
    pub e_dagger: f64,
    /// Keyfitz–Leser entropy H = e† / e₀.
    pub keyfitz_h: f64,
    /// Gini coefficient of age at death, 1 − ∫ l(x)² dx / (l₀² e₀).
    pub gini: f64,
    /// Standard deviation of age at death.
    pub sd: f64,
}

/// Computes the measures for a table.
pub fn variation(t: &Lifetable) -> Variation {
    let n = t.len();
    let l0 = t.lx[0];
    let e0 = t.ex[0];
    let mut e_dag = 0.0;
    let mut int_l2 = 0.0;
    let mut m1 = 0.0;
    let mut m2 = 0.0;
    for i in 0..n {
        let (l, d, a, m, w) = (t.lx[i], t.dx[i], t.ax[i], t.mx[i], t.width[i]);
        let open = i == n - 1;
        // life expectancy at the mean age at death within the group
        let e_at = if open {
            t.ex[i]
        } else {
            t.ex[i] + a / w * (t.ex[i + 1] - t.ex[i])
        };
        e_dag += d * e_at;
        let l1 = if open { 0.0 } else { t.lx[i + 1] };
        let (il2, var_in) = if open {
            (l * l / (2.0 * m), 1.0 / (m * m))
        } else {
            match t.ax_method {
                AxMethod::Hmd => (w * (l * l + l * l1 + l1 * l1) / 3.0, w * w / 12.0),
                AxMethod::ConstantHazard => {
                    if m * w < 1e-8 {
                        (w * l * l, w * w / 12.0)
                    } else {
                        let e = (-m * w).exp();
                        let et2 = (2.0 / (m * m) - e * (w * w + 2.0 * w / m + 2.0 / (m * m))) / (1.0 - e);
                        (l * l * (1.0 - e * e) / (2.0 * m), et2 - a * a)
                    }
                }
            }
        };
        int_l2 += il2;
        let x = t.age[i] + a;
        m1 += d * x;
        m2 += d * (x * x + var_in);
    }
    let mean = m1 / l0;
    let var = (m2 / l0 - mean * mean).max(0.0);
    let e_dagger = e_dag / l0;
    // an infinity (an open-age rate so small that 1/m² overflows) is undefined, like a NaN
    let defined = |x: f64| if x.is_finite() { x } else { f64::NAN };
    Variation {
        e0: defined(e0),
        e_dagger: defined(e_dagger),
        keyfitz_h: defined(e_dagger / e0),
        gini: defined(1.0 - int_l2 / (l0 * l0 * e0)),
        sd: defined(var.sqrt()),
    }
}

impl Variation {
    /// The names of the measures that are undefined (not finite numbers).
    pub fn undefined(&self) -> Vec<&'static str> {
        [
            ("e0", self.e0),
            ("e-dagger", self.e_dagger),
            ("Keyfitz H", self.keyfitz_h),
            ("Gini", self.gini),
            ("SD", self.sd),
        ]
        .into_iter()
        .filter(|(_, x)| !x.is_finite())
        .map(|(n, _)| n)
        .collect()
    }
}

/// A warning naming the measures of `v` (the variation of `t`) that are undefined, and why.
pub fn undefined_warning(t: &Lifetable, v: &Variation) -> Option<String> {
    let u = v.undefined();
    if u.is_empty() {
        return None;
    }
    let n = t.len();
    Some(format!(
        "{}{}: lifespan variation {} undefined (not a finite number: the open age group's death rate, {:e}, \
         is too small for the variance of ages at death); written as NA",
        t.year.map(|y| format!("{y} ")).unwrap_or_default(),
        t.sex,
        u.join(", "),
        t.mx[n - 1]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::population::Sex;

    #[test]
    fn an_infinite_measure_is_undefined_with_a_warning() {
        let mut t = Lifetable::from_rates(
            Sex::Male,
            Some(2010),
            &[0.0, 1.0],
            &[1.0, f64::INFINITY],
            &[0.01, 0.5],
            AxMethod::Hmd,
            1e5,
        )
        .unwrap();
        let v = variation(&t);
        assert!(v.undefined().is_empty() && undefined_warning(&t, &v).is_none());
        // a rate the table refuses (below MIN_OPEN_RATE), set by hand: 1/m² overflows
        t.mx[1] = 1e-200;
        let v = variation(&t);
        assert_eq!(v.undefined(), ["SD"]);
        assert!(v.sd.is_nan(), "an infinity is undefined, like a NaN");
        let w = undefined_warning(&t, &v).unwrap();
        assert!(
            w.starts_with("2010 male: lifespan variation SD undefined") && w.contains("1e-200"),
            "{w}"
        );
    }
}
