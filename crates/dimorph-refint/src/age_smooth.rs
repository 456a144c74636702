//! Smoothing of the sliding-window limits over age (`refint age --smooth loess`).
//!
//! Limits estimated in sliding age windows are jagged: each window's limit carries the sampling
//! error of its few hundred values, and neighbouring windows share only part of their data, so
//! windowed limits are smoothed across windows before they are read as continuous reference
//! limits. Here each curve (lower limit, median, upper limit) of each group is smoothed
//! by LOESS, local polynomial regression (Cleveland 1979, JASA 74:829–836; Cleveland, Grosse &
//! Shyu 1992, "Local regression models", ch. 8 of *Statistical Models in S*), exactly as R's
//! `stats::loess(y ~ x, weights = n, span, degree, family = "gaussian",
//! control = loess.control(surface = "direct"))` computes it:
//!
//! For the windows' mid-ages xᵢ, limits yᵢ and sizes nᵢ (i = 1…N, windows with a limit only), the
//! smoothed value at age a is β̂₀(a) of the weighted least-squares fit
//!
//!   β̂(a) = argmin Σᵢ nᵢ·K((xᵢ − a)/h(a)) · (yᵢ − Σ_{j=0..p} βⱼ (xᵢ − a)ʲ)²,
//!
//! with the tricube kernel K(u) = (1 − |u|³)³ for |u| < 1 (0 beyond), p the degree (0, 1 or 2),
//! q = min(N, ⌊N·span⌋) and h(a) = d₍q₎(a)·√max(1, span), d₍q₎(a) the distance from a to its q-th
//! nearest mid-age (R's lowesd/ehg127: the q-th smallest squared distance times max(1, span)). Only
//! the q nearest windows enter; the window sizes nᵢ are the prior weights (a window's limit is
//! about nᵢ times as precise as one value's). A curve with fewer than p + 1 windows of positive
//! weight at some age is not smoothed, with the reason.

use crate::error::{num, RefintError, Result};
use serde::Serialize;

/// How `refint age` smooths the window limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum WindowSmoother {
    /// The window limits as estimated.
    #[default]
    None,
    /// LOESS of the window limits over the windows' mid-ages (see the module doc).
    Loess,
}

/// Options of the smoothing across windows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WindowSmoothing {
    /// `--smooth none|loess`.
    pub method: WindowSmoother,
    /// Fraction of the windows in each local fit (`--smooth-span`, R's `span`; default 0.75).
    pub span: f64,
    /// Degree of the local polynomial (`--smooth-degree`, 0, 1 or 2; R's `degree`, default 2).
    pub degree: usize,
}

impl Default for WindowSmoothing {
    fn default() -> Self {
        WindowSmoothing {
            method: WindowSmoother::None,
            span: 0.75,
            degree: 2,
        }
    }
}

impl WindowSmoothing {
    /// The smoothing `method` with its span and degree as given (`None`: R's defaults); these
    /// two only with LOESS.
    pub fn requested(method: WindowSmoother, span: Option<f64>, degree: Option<usize>) -> Result<WindowSmoothing> {
        let d = WindowSmoothing::default();
        if method == WindowSmoother::None {
            if span.is_some() || degree.is_some() {
                return Err(refuse(
                    "--smooth-span, --smooth-degree",
                    "only with --smooth loess".into(),
                ));
            }
            return Ok(d);
        }
        Ok(WindowSmoothing {
            method,
            span: span.unwrap_or(d.span),
            degree: degree.unwrap_or(d.degree),
        })
    }
}

fn refuse(flag: &str, msg: String) -> RefintError {
    RefintError::Option(Box::new(dimorph_core::location::bad_argument(flag, msg)))
}

impl WindowSmoothing {
    /// Range checks, naming the flag.
    pub fn validate(&self) -> Result<()> {
        if !(self.span.is_finite() && self.span > 0.0 && self.span <= 100.0) {
            return Err(refuse(
                "--smooth-span",
                format!("must be a number in (0, 100], got {}", num(self.span)),
            ));
        }
        if self.degree > 2 {
            return Err(refuse(
                "--smooth-degree",
                format!("must be 0, 1 or 2, got {}", self.degree),
            ));
        }
        Ok(())
    }

    /// Whether the limits are smoothed.
    pub fn on(&self) -> bool {
        self.method != WindowSmoother::None
    }
}

/// The LOESS smooth of `y` over `x` with prior weights `w`, evaluated at each of `at`; see the
/// module doc. An error says why a value cannot be computed (too few windows of positive weight).
pub fn loess(
    x: &[f64],
    y: &[f64],
    w: &[f64],
    o: &WindowSmoothing,
    at: &[f64],
) -> std::result::Result<Vec<f64>, String> {
    let n = x.len();
    if n == 0 || y.len() != n || w.len() != n {
        return Err("no windows to smooth".into());
    }
    let q = ((n as f64 * o.span).floor() as usize).min(n);
    if q <= o.degree {
        return Err(format!(
            "{n} windows with a limit: a span of {} takes {q} of them, a local polynomial of degree {} needs more",
            num(o.span),
            o.degree
        ));
    }
    at.iter().map(|&a| local_fit(x, y, w, q, o, a)).collect()
}

/// β̂₀(a) of the local weighted least-squares fit at `a`.
fn local_fit(
    x: &[f64],
    y: &[f64],
    w: &[f64],
    q: usize,
    o: &WindowSmoothing,
    a: f64,
) -> std::result::Result<f64, String> {
    let mut d2: Vec<(f64, usize)> = x.iter().enumerate().map(|(i, &xi)| ((xi - a) * (xi - a), i)).collect();
    d2.sort_by(|l, r| l.0.total_cmp(&r.0));
    let rho = d2[q - 1].0 * o.span.max(1.0);
    if rho.is_nan() || rho <= 0.0 {
        return Err(format!("all of the {q} nearest windows lie at age {}", num(a)));
    }
    let k = o.degree + 1;
    // weighted normal equations in the centred (and scaled) powers of x − a
    let scale = rho.sqrt();
    let mut ata = [[0.0f64; 3]; 3];
    let mut atb = [0.0f64; 3];
    let mut positive = 0usize;
    for &(d, i) in &d2[..q] {
        if d >= rho {
            continue;
        }
        let u = (d / rho).sqrt();
        let t = 1.0 - u * u * u;
        let wt = w[i] * t * t * t;
        if wt <= 0.0 {
            continue;
        }
        positive += 1;
        let z = (x[i] - a) / scale;
        let p = [1.0, z, z * z];
        for r in 0..k {
            atb[r] += wt * p[r] * y[i];
            for c in 0..k {
                ata[r][c] += wt * p[r] * p[c];
            }
        }
    }
    if positive < k {
        return Err(format!(
            "at age {} only {positive} windows have a positive weight; degree {} needs {k}",
            num(a),
            o.degree
        ));
    }
    solve(&mut ata, &mut atb, k).ok_or_else(|| format!("the local fit at age {} is singular", num(a)))
}

/// Solves the k × k symmetric positive definite system by Cholesky; the first unknown.
fn solve(a: &mut [[f64; 3]; 3], b: &mut [f64; 3], k: usize) -> Option<f64> {
    let mut l = [[0.0f64; 3]; 3];
    for i in 0..k {
        for j in 0..=i {
            let s = a[i][j] - (0..j).map(|m| l[i][m] * l[j][m]).sum::<f64>();
            if i == j {
                if s.is_nan() || s <= 1e-13 * a[i][i].abs() {
                    return None;
                }
                l[i][i] = s.sqrt();
            } else {
                l[i][j] = s / l[j][j];
            }
        }
    }
    let mut z = [0.0f64; 3];
    for i in 0..k {
        z[i] = (b[i] - (0..i).map(|m| l[i][m] * z[m]).sum::<f64>()) / l[i][i];
    }
    let mut beta = [0.0f64; 3];
    for i in (0..k).rev() {
        beta[i] = (z[i] - (i + 1..k).map(|m| l[m][i] * beta[m]).sum::<f64>()) / l[i][i];
    }
    beta[0].is_finite().then_some(beta[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reproduces_a_polynomial_of_its_degree() {
        // a local quadratic reproduces a quadratic exactly, whatever the weights
        let x: Vec<f64> = (0..12).map(|i| 20.0 + 5.0 * i as f64).collect();
        let y: Vec<f64> = x.iter().map(|a| 3.0 + 0.2 * a - 0.001 * a * a).collect();
        let w: Vec<f64> = (0..12).map(|i| 50.0 + 13.0 * i as f64).collect();
        let o = WindowSmoothing {
            method: WindowSmoother::Loess,
            ..Default::default()
        };
        let s = loess(&x, &y, &w, &o, &x).unwrap();
        for (a, b) in s.iter().zip(&y) {
            assert!((a - b).abs() < 1e-10, "{a} vs {b}");
        }
    }

    #[test]
    fn too_few_windows_say_why() {
        let o = WindowSmoothing {
            method: WindowSmoother::Loess,
            ..Default::default()
        };
        let e = loess(&[1.0, 2.0, 3.0], &[1.0, 2.0, 1.0], &[1.0; 3], &o, &[2.0]).unwrap_err();
        assert!(e.contains("3 windows") && e.contains("degree 2"), "{e}");
        assert!(WindowSmoothing { span: 0.0, ..o }.validate().is_err());
        assert!(WindowSmoothing { degree: 3, ..o }.validate().is_err());
    }
}
