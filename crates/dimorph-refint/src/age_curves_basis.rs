//! Spline bases of the LMS fit over age ([`crate::age_curves`]): B-splines evaluated by the
//! Cox–de Boor recursion (de Boor 1978; Piegl & Tiller, *The NURBS Book*, algorithm A2.2).
//!
//! Two bases, chosen so that an R fit spans the same space:
//!
//! * [`Basis::fixed_df`] — `df` columns beyond the constant: polynomials of degree `df` for
//!   `df` ≤ 3, else cubic B-splines with `df − 3` interior knots at the type-7 quantiles of the
//!   ages and boundary knots at their range — the space of R's `bs(age, df)` plus an intercept
//!   (`splines::bs` places its knots the same way);
//! * [`Basis::pspline`] — gamlss's `pb()` basis (Eilers & Marx 1996): cubic B-splines on equally
//!   spaced knots over [min − 1 %, max + 1 %] of the range with 20 intervals (10 below 99 values,
//!   at most the number of distinct ages), penalised by second-order differences of the
//!   coefficients ([`Basis::penalty`]).

/// A B-spline basis: degree and full knot vector (boundary knots repeated as needed).
#[derive(Debug, Clone, PartialEq)]
pub struct Basis {
    degree: usize,
    knots: Vec<f64>,
    /// The range the basis is meant for (values outside are clamped to it).
    lo: f64,
    hi: f64,
    /// Penalised (P-spline) basis: the penalty applies.
    penalised: bool,
}

/// Type-7 quantile of sorted values (R's default).
fn quantile7(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let j = h.floor() as usize;
    let g = h - j as f64;
    if j + 1 < sorted.len() {
        sorted[j] + g * (sorted[j + 1] - sorted[j])
    } else {
        sorted[j]
    }
}

impl Basis {
    /// The fixed-df basis of sorted, non-empty ages (see the module doc).
    pub fn fixed_df(sorted_ages: &[f64], df: usize) -> Basis {
        let (lo, hi) = (sorted_ages[0], sorted_ages[sorted_ages.len() - 1]);
        let degree = df.min(3);
        let inner = df - degree;
        let mut knots = vec![lo; degree + 1];
        for k in 1..=inner {
            knots.push(quantile7(sorted_ages, k as f64 / (inner + 1) as f64));
        }
        knots.extend(std::iter::repeat_n(hi, degree + 1));
        Basis {
            degree,
            knots,
            lo,
            hi,
            penalised: false,
        }
    }

    /// gamlss `pb()`'s basis for these ages (`n` values, `distinct` distinct ones).
    pub fn pspline(lo: f64, hi: f64, n: usize, distinct: usize) -> Basis {
        let inter = if n < 99 { 10 } else { 20 }.min(distinct.max(1));
        let (xmin, xmax) = (lo - 0.01 * (hi - lo), hi + 0.01 * (hi - lo));
        let dx = (xmax - xmin) / inter as f64;
        let knots = (0..inter + 7).map(|k| xmin - 3.0 * dx + k as f64 * dx).collect();
        Basis {
            degree: 3,
            knots,
            lo,
            hi,
            penalised: true,
        }
    }

    /// Number of basis functions.
    pub fn ncol(&self) -> usize {
        self.knots.len() - self.degree - 1
    }

    /// Whether the second-order difference penalty applies.
    pub fn penalised(&self) -> bool {
        self.penalised
    }

    /// The knot span s with t_s ≤ x < t_{s+1} (the last non-empty span for x at the right end).
    fn span(&self, x: f64) -> usize {
        let (p, t) = (self.degree, &self.knots);
        let last = t.len() - p - 2;
        if x >= t[last + 1] {
            return last;
        }
        let mut s = p;
        while s < last && x >= t[s + 1] {
            s += 1;
        }
        s
    }

    /// The basis functions at x (clamped to the basis range), as a dense row.
    pub fn row(&self, x: f64) -> Vec<f64> {
        let x = x.clamp(self.lo, self.hi);
        let (p, t) = (self.degree, &self.knots);
        let s = self.span(x);
        // Piegl & Tiller A2.2: the p + 1 non-zero functions N_{s-p..s}
        let mut n = vec![0.0; p + 1];
        let (mut left, mut right) = (vec![0.0; p + 1], vec![0.0; p + 1]);
        n[0] = 1.0;
        for j in 1..=p {
            left[j] = x - t[s + 1 - j];
            right[j] = t[s + j] - x;
            let mut saved = 0.0;
            for r in 0..j {
                let temp = n[r] / (right[r + 1] + left[j - r]);
                n[r] = saved + right[r + 1] * temp;
                saved = left[j - r] * temp;
            }
            n[j] = saved;
        }
        let mut row = vec![0.0; self.ncol()];
        for (k, v) in n.into_iter().enumerate() {
            row[s - p + k] = v;
        }
        row
    }

    /// D'D for second-order differences D of the coefficients (zero matrix when unpenalised).
    pub fn penalty(&self) -> Vec<Vec<f64>> {
        let r = self.ncol();
        let mut m = vec![vec![0.0; r]; r];
        if !self.penalised || r < 3 {
            return m;
        }
        for i in 0..r - 2 {
            let d = [(i, 1.0), (i + 1, -2.0), (i + 2, 1.0)];
            for &(a, va) in &d {
                for &(b, vb) in &d {
                    m[a][b] += va * vb;
                }
            }
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_of_unity_and_polynomial_degree() {
        let ages: Vec<f64> = (0..50).map(|i| (i as f64) * 1.7 + 3.0).collect();
        for df in 0..7 {
            let b = Basis::fixed_df(&ages, df);
            assert_eq!(b.ncol(), df + 1);
            for &x in &[3.0, 10.2, 40.0, 86.3] {
                let s: f64 = b.row(x).iter().sum();
                assert!((s - 1.0).abs() < 1e-14, "df {df} x {x}: {s}");
            }
        }
        let p = Basis::pspline(3.0, 86.3, 50, 50);
        assert_eq!(p.ncol(), 13);
        assert!((p.row(50.0).iter().sum::<f64>() - 1.0).abs() < 1e-14);
    }
}
