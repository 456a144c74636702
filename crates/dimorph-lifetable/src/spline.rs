//! The interpolating cubic spline of Forsythe, Malcolm & Moler (1977), R's `splinefun(method =
//! "fmm")`, used for the paper's cause shares by age (the `causes` module).

/// A cubic spline through (x_i, y_i): S(x) = y_i + b_i·h + c_i·h² + d_i·h³ with h = x − x_i
/// on [x_i, x_{i+1}] (the end pieces continued outside the knots; the last knot's own
/// coefficients are unused).
#[derive(Debug, Clone)]
pub struct Spline {
    x: Vec<f64>,
    y: Vec<f64>,
    b: Vec<f64>,
    c: Vec<f64>,
    d: Vec<f64>,
}

impl Spline {
    /// S(x).
    pub fn eval(&self, x: f64) -> f64 {
        let n = self.x.len();
        let i = if n < 2 {
            0
        } else {
            self.x[..n - 1].iter().rposition(|k| *k <= x).unwrap_or(0)
        };
        let h = x - self.x[i];
        self.y[i] + h * (self.b[i] + h * (self.c[i] + h * self.d[i]))
    }
}

/// The interpolating cubic spline of Forsythe, Malcolm & Moler (1977), R's `splinefun(method =
/// "fmm")`: second derivatives M_i from the continuity of S′, with the end conditions that S‴
/// on the first (last) interval equals the third derivative of the cubic through the first
/// (last) four knots, 6·f[x₀,x₁,x₂,x₃]. One knot: a constant; two: a line; three: the parabola
/// through them (S‴ = 0). `x` strictly increasing.
pub fn fmm_spline(x: &[f64], y: &[f64]) -> Spline {
    let n = x.len();
    let mut m = vec![0.0; n];
    if n >= 3 {
        let h: Vec<f64> = x.windows(2).map(|w| w[1] - w[0]).collect();
        let slope: Vec<f64> = (0..n - 1).map(|i| (y[i + 1] - y[i]) / h[i]).collect();
        // divided differences of order 3 at both ends (0 for three knots)
        let dd3 = |i: usize| {
            let f2 = |j: usize| (slope[j + 1] - slope[j]) / (x[j + 2] - x[j]);
            (f2(i + 1) - f2(i)) / (x[i + 3] - x[i])
        };
        let (e0, e1) = if n >= 4 { (dd3(0), dd3(n - 4)) } else { (0.0, 0.0) };
        // tridiagonal system: sub[i], diag[i], sup[i], rhs[i]
        let mut sub = vec![0.0; n];
        let mut diag = vec![0.0; n];
        let mut sup = vec![0.0; n];
        let mut rhs = vec![0.0; n];
        // (M1 − M0)/h0 = 6·e0  →  −M0 + M1 = 6·h0·e0
        diag[0] = -1.0;
        sup[0] = 1.0;
        rhs[0] = 6.0 * h[0] * e0;
        for i in 1..n - 1 {
            sub[i] = h[i - 1];
            diag[i] = 2.0 * (h[i - 1] + h[i]);
            sup[i] = h[i];
            rhs[i] = 6.0 * (slope[i] - slope[i - 1]);
        }
        // (M_{n−1} − M_{n−2})/h_{n−2} = 6·e1
        sub[n - 1] = -1.0;
        diag[n - 1] = 1.0;
        rhs[n - 1] = 6.0 * h[n - 2] * e1;
        // Thomas algorithm (pivots: −1, then 3h₀ + 2h₁ > 0, ...)
        for i in 1..n {
            let w = sub[i] / diag[i - 1];
            diag[i] -= w * sup[i - 1];
            rhs[i] -= w * rhs[i - 1];
        }
        m[n - 1] = rhs[n - 1] / diag[n - 1];
        for i in (0..n - 1).rev() {
            m[i] = (rhs[i] - sup[i] * m[i + 1]) / diag[i];
        }
    }
    let mut b = vec![0.0; n];
    let mut c = vec![0.0; n];
    let mut d = vec![0.0; n];
    for i in 0..n.saturating_sub(1) {
        let h = x[i + 1] - x[i];
        b[i] = (y[i + 1] - y[i]) / h - h * (2.0 * m[i] + m[i + 1]) / 6.0;
        c[i] = m[i] / 2.0;
        d[i] = (m[i + 1] - m[i]) / (6.0 * h);
    }
    Spline {
        x: x.to_vec(),
        y: y.to_vec(),
        b,
        c,
        d,
    }
}
