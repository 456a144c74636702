//! Data-dependent bases of one variable, as R computes them: `poly(x, d)` (orthogonal
//! polynomials, `stats::poly`, or raw powers with `raw = TRUE`), `scale(x)` (`base::scale`),
//! natural cubic splines `ns(x, df)` and B-splines `bs(x, df)` (`splines::ns`, `splines::bs`).
//!
//! - **poly**: the monic polynomials orthogonal over the fitting values (Stieltjes' three-term
//!   recurrence P₀ = 1, P₁ = x − α₀, P_{k+1} = (x − α_k)P_k − (‖P_k‖²/‖P_{k−1}‖²)P_{k−1}, each
//!   divided by its norm), the same columns R obtains from the QR decomposition of the centred
//!   Vandermonde matrix. The coefficients α and ‖P‖² (R's `coefs` attribute, with R's leading 1)
//!   are kept and new data are evaluated by the recurrence, as `predict(poly)` does.
//! - **ns / bs**: B-splines by the Cox–de Boor recursion (de Boor, *A Practical Guide to
//!   Splines*, 1978, ch. X) on the knots R places: `df − 1 − intercept` (ns) or
//!   `df − degree + 1 − intercept` (bs) interior knots at equally spaced quantiles (type 7) of x,
//!   boundary knots at its range. `ns` projects the cubic B-splines onto the space of zero second
//!   derivative at both boundary knots through the Householder QR of the constraint (LINPACK
//!   `dqrdc2`/`dqrsl`, as R's `qr`/`qr.qty`), so that its columns are R's and not just their span.
//!   Beyond the boundary knots ns continues linearly and bs by its Taylor polynomial at a pivot
//!   a quarter inside the outer knot interval, as R does. The knots are kept for new data (R's
//!   `makepredictcall`).
//! - **scale**: (x − centre)/scale with the mean and the standard deviation (or the root mean
//!   square when `center = FALSE`) of the fitting data, kept for new data.
//!
//! R computes these bases on every row where x is present, before rows missing another column are
//! dropped; here they are computed on the rows the fit uses. The two agree when no row is dropped.

use crate::expr::{r_number, Expr};

/// A centre or a scale of `scale(x)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Param {
    /// `FALSE`: not applied.
    Off,
    /// `TRUE`: computed from the fitting data.
    FromData,
    /// A value (given, or learned from the fitting data).
    Value(f64),
}

/// Which basis, with its arguments; after a fit, with the values learned from the data.
#[derive(Debug, Clone, PartialEq)]
pub enum BasisKind {
    /// `poly(x, degree, raw = FALSE)`; `coefs` = (α, norm2) in R's layout once learned.
    Poly {
        degree: usize,
        raw: bool,
        coefs: Option<(Vec<f64>, Vec<f64>)>,
    },
    /// `scale(x, center = TRUE, scale = TRUE)`.
    Scale { center: Param, scale: Param },
    /// `ns(x, df, knots, intercept, Boundary.knots)`.
    Ns {
        df: Option<usize>,
        knots: Option<Vec<f64>>,
        intercept: bool,
        boundary: Option<[f64; 2]>,
    },
    /// `bs(x, df, knots, degree, intercept, Boundary.knots)`.
    Bs {
        df: Option<usize>,
        knots: Option<Vec<f64>>,
        degree: usize,
        intercept: bool,
        boundary: Option<[f64; 2]>,
    },
}

/// A basis of an expression: `poly(width, 2)`, `ns(log(x), df = 3)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Basis {
    /// The variable the basis expands.
    pub arg: Expr,
    pub kind: BasisKind,
}

/// The columns of a basis on some rows, their name suffixes (`1`, `2`, …; empty for the one
/// column of `scale`), and the basis with what it learned from these rows.
pub struct Evaluated {
    pub cols: Vec<Vec<f64>>,
    pub names: Vec<String>,
    pub learned: Basis,
}

/// Most cells a basis may fill (as X's own limit).
const MAX_CELLS: usize = 1 << 29;

impl Basis {
    /// Whether the basis still needs the fitting data (knots, coefficients, centre not known).
    pub fn needs_data(&self) -> bool {
        match &self.kind {
            BasisKind::Poly { raw, coefs, .. } => !raw && coefs.is_none(),
            BasisKind::Scale { center, scale } => *center == Param::FromData || *scale == Param::FromData,
            BasisKind::Ns {
                df, knots, boundary, ..
            }
            | BasisKind::Bs {
                df, knots, boundary, ..
            } => boundary.is_none() || (knots.is_none() && df.is_some()),
        }
    }

    /// The basis on the values `x`. What is not known yet (knots, coefficients, centre) is
    /// computed from `x`, the fitting data, which must then support the basis (enough distinct
    /// values); a learned basis evaluates new data as they are. An error is a sentence about `x`
    /// for the caller to locate.
    pub fn evaluate(&self, x: &[f64]) -> Result<Evaluated, String> {
        match &self.kind {
            BasisKind::Poly { degree, raw, coefs } => self.poly(x, *degree, *raw, coefs.as_ref()),
            BasisKind::Scale { center, scale } => self.scale(x, *center, *scale),
            BasisKind::Ns {
                df,
                knots,
                intercept,
                boundary,
            } => {
                let (knots, bk) = place_knots(x, *df, knots.as_deref(), boundary, 1 + usize::from(*intercept), "ns")?;
                let cols = ns_basis(x, &knots, bk, *intercept);
                check_cells(x.len(), cols.len())?;
                if self.needs_data() {
                    distinct_enough(x, cols.len(), *intercept, "ns")?;
                }
                Ok(Evaluated {
                    names: (1..=cols.len()).map(|k| k.to_string()).collect(),
                    cols,
                    learned: self.with(BasisKind::Ns {
                        df: *df,
                        knots: Some(knots),
                        intercept: *intercept,
                        boundary: Some(bk),
                    }),
                })
            }
            BasisKind::Bs {
                df,
                knots,
                degree,
                intercept,
                boundary,
            } => {
                let (knots, bk) = place_knots(
                    x,
                    *df,
                    knots.as_deref(),
                    boundary,
                    degree + 1 - usize::from(!*intercept),
                    "bs",
                )?;
                let cols = bs_basis(x, &knots, bk, *degree, *intercept);
                check_cells(x.len(), cols.len())?;
                if self.needs_data() {
                    distinct_enough(x, cols.len(), *intercept, "bs")?;
                }
                Ok(Evaluated {
                    names: (1..=cols.len()).map(|k| k.to_string()).collect(),
                    cols,
                    learned: self.with(BasisKind::Bs {
                        df: *df,
                        knots: Some(knots),
                        degree: *degree,
                        intercept: *intercept,
                        boundary: Some(bk),
                    }),
                })
            }
        }
    }

    fn with(&self, kind: BasisKind) -> Basis {
        Basis {
            arg: self.arg.clone(),
            kind,
        }
    }

    fn poly(
        &self,
        x: &[f64],
        degree: usize,
        raw: bool,
        coefs: Option<&(Vec<f64>, Vec<f64>)>,
    ) -> Result<Evaluated, String> {
        check_cells(x.len(), degree)?;
        let names = (1..=degree).map(|k| k.to_string()).collect();
        if raw {
            let cols = (1..=degree)
                .map(|k| x.iter().map(|v| v.powi(k as i32)).collect())
                .collect();
            return Ok(Evaluated {
                cols,
                names,
                learned: self.clone(),
            });
        }
        let (alpha, norm2) = match coefs {
            Some(c) => c.clone(),
            None => poly_coefs(x, degree)?,
        };
        let cols = poly_eval(x, degree, &alpha, &norm2);
        Ok(Evaluated {
            cols,
            names,
            learned: self.with(BasisKind::Poly {
                degree,
                raw,
                coefs: Some((alpha, norm2)),
            }),
        })
    }

    fn scale(&self, x: &[f64], center: Param, scale: Param) -> Result<Evaluated, String> {
        let n = x.len();
        let c = match center {
            Param::Off => 0.0,
            Param::Value(v) => v,
            Param::FromData => x.iter().sum::<f64>() / n as f64,
        };
        let s = match scale {
            Param::Off => 1.0,
            Param::Value(v) => v,
            Param::FromData => (x.iter().map(|v| (v - c) * (v - c)).sum::<f64>() / (n.max(2) - 1) as f64).sqrt(),
        };
        if s == 0.0 || !s.is_finite() {
            return Err(format!(
                "the scale is {} (the values do not vary): scale() cannot divide by it",
                r_number(s)
            ));
        }
        let col = x.iter().map(|v| (v - c) / s).collect();
        let learned = |p: Param, v: f64| if p == Param::Off { Param::Off } else { Param::Value(v) };
        Ok(Evaluated {
            cols: vec![col],
            names: vec![String::new()],
            learned: self.with(BasisKind::Scale {
                center: learned(center, c),
                scale: learned(scale, s),
            }),
        })
    }
}

fn check_cells(n: usize, cols: usize) -> Result<(), String> {
    if n.saturating_mul(cols) > MAX_CELLS {
        return Err(format!(
            "the basis would have {n} rows × {cols} columns, more than {MAX_CELLS} cells"
        ));
    }
    Ok(())
}

fn distinct_count(x: &[f64]) -> usize {
    let mut v = x.to_vec();
    v.sort_by(f64::total_cmp);
    v.dedup();
    v.len()
}

/// A spline with `cols` columns (and the model's intercept when the basis has none) has more
/// parameters than a variable with fewer distinct values can determine.
fn distinct_enough(x: &[f64], cols: usize, intercept: bool, what: &str) -> Result<(), String> {
    let d = distinct_count(x);
    let needed = cols + usize::from(!intercept);
    if needed > d {
        let with = if intercept { "" } else { " (with the intercept)" };
        return Err(format!(
            "{what}() has {cols} columns, {needed} parameters{with}, but the variable has only {d} distinct values: lower df or give fewer knots"
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Orthogonal polynomials

/// α (degree values) and R's norm2 (1, n, ‖P₁‖², …, ‖P_d‖²) by the Stieltjes procedure on the
/// centred values.
fn poly_coefs(x: &[f64], degree: usize) -> Result<(Vec<f64>, Vec<f64>), String> {
    let d = distinct_count(x);
    if degree >= d {
        return Err(format!(
            "'degree' must be less than number of unique points (degree {degree}, {d} distinct values)"
        ));
    }
    let n = x.len() as f64;
    let xbar = x.iter().sum::<f64>() / n;
    let xc: Vec<f64> = x.iter().map(|v| v - xbar).collect();
    let mut alpha = Vec::with_capacity(degree);
    let mut norm2 = vec![1.0, n];
    let mut prev = vec![0.0; x.len()];
    let mut cur = vec![1.0; x.len()];
    for k in 0..degree {
        let nk = norm2[k + 1];
        let a = xc.iter().zip(&cur).map(|(x, p)| x * p * p).sum::<f64>() / nk;
        alpha.push(a + xbar);
        let beta = if k == 0 { 0.0 } else { nk / norm2[k] };
        let next: Vec<f64> = xc
            .iter()
            .zip(cur.iter().zip(&prev))
            .map(|(x, (c, p))| (x - a) * c - beta * p)
            .collect();
        norm2.push(next.iter().map(|v| v * v).sum());
        prev = cur;
        cur = next;
    }
    if norm2.iter().any(|v| v.is_nan() || *v <= 0.0 || v.is_infinite()) {
        return Err("'degree' must be less than number of unique points".into());
    }
    Ok((alpha, norm2))
}

/// R's `predict` of `poly`: the three-term recurrence with the stored α and norm2.
fn poly_eval(x: &[f64], degree: usize, alpha: &[f64], norm2: &[f64]) -> Vec<Vec<f64>> {
    let mut z: Vec<Vec<f64>> = Vec::with_capacity(degree + 1);
    z.push(vec![1.0; x.len()]);
    z.push(x.iter().map(|v| v - alpha[0]).collect());
    for i in 1..degree {
        let r = norm2[i + 1] / norm2[i];
        let col = x
            .iter()
            .zip(z[i].iter().zip(&z[i - 1]))
            .map(|(v, (a, b))| (v - alpha[i]) * a - r * b)
            .collect();
        z.push(col);
    }
    z.into_iter()
        .enumerate()
        .skip(1)
        .map(|(j, c)| {
            let s = norm2[j + 1].sqrt();
            c.into_iter().map(|v| v / s).collect()
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Splines

/// The interior knots and the boundary knots: given ones, or R's quantile knots. `lost` is the
/// number of df that are not interior knots (ns: 1 + intercept; bs: degree + 1 − !intercept).
fn place_knots(
    x: &[f64],
    df: Option<usize>,
    knots: Option<&[f64]>,
    boundary: &Option<[f64; 2]>,
    lost: usize,
    what: &str,
) -> Result<(Vec<f64>, [f64; 2]), String> {
    let bk = match boundary {
        Some([a, b]) => [a.min(*b), a.max(*b)],
        None => {
            let lo = x.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            [lo, hi]
        }
    };
    if bk[0].partial_cmp(&bk[1]) != Some(std::cmp::Ordering::Less) {
        return Err(format!(
            "{what}() needs a variable that varies (the boundary knots are both {})",
            r_number(bk[0])
        ));
    }
    let mut knots = match (knots, df) {
        (Some(k), _) => k.to_vec(),
        (None, Some(df)) => {
            if df < lost {
                return Err(format!("{what}(): df must be at least {lost} here, got {df}"));
            }
            let m = df - lost;
            let mut inside: Vec<f64> = x.iter().copied().filter(|v| *v >= bk[0] && *v <= bk[1]).collect();
            inside.sort_by(f64::total_cmp);
            if inside.is_empty() && m > 0 {
                return Err(format!("{what}(): no value lies within the boundary knots"));
            }
            let by = 1.0 / (m + 1) as f64;
            (1..=m).map(|i| quantile7(&inside, i as f64 * by)).collect()
        }
        (None, None) => Vec::new(),
    };
    knots.sort_by(f64::total_cmp);
    if let Some(k) = knots.iter().find(|k| **k < bk[0] || **k > bk[1]) {
        return Err(format!(
            "{what}(): the knot {} lies outside the boundary knots {} and {}",
            r_number(*k),
            r_number(bk[0]),
            r_number(bk[1])
        ));
    }
    Ok((knots, bk))
}

/// R's quantile of type 7 of sorted values.
fn quantile7(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    let index = 1.0 + (n.saturating_sub(1)) as f64 * p;
    let lo = index.floor();
    let hi = index.ceil();
    let q = sorted[lo as usize - 1];
    let xh = sorted[(hi as usize).min(n) - 1];
    if index > lo && xh != q {
        let h = index - lo;
        (1.0 - h) * q + h * xh
    } else {
        q
    }
}

/// The full knot sequence: the boundary knots `ord` times each and the interior knots, sorted.
fn all_knots(knots: &[f64], bk: [f64; 2], ord: usize) -> Vec<f64> {
    let mut t: Vec<f64> = std::iter::repeat_n(bk[0], ord)
        .chain(knots.iter().copied())
        .chain(std::iter::repeat_n(bk[1], ord))
        .collect();
    t.sort_by(f64::total_cmp);
    t
}

/// The `deriv`-th derivative of every B-spline of order `ord` on the knots `t` at `x` (R's
/// `splineDesign`, right-continuous, the last interval closed at the right end).
fn spline_row(t: &[f64], ord: usize, x: f64, deriv: usize) -> Vec<f64> {
    let nt = t.len();
    let nb = nt - ord;
    // the knot interval [t[mu], t[mu + 1]) that holds x
    let last = (ord - 1..nb).rev().find(|&i| t[i] < t[i + 1]).unwrap_or(ord - 1);
    let mu = if x >= t[nb] {
        last
    } else {
        (ord - 1..=last).rev().find(|&i| t[i] <= x).unwrap_or(ord - 1)
    };
    let mut v: Vec<f64> = (0..nt - 1).map(|i| if i == mu { 1.0 } else { 0.0 }).collect();
    let div = |a: f64, b: f64| if b == 0.0 { 0.0 } else { a / b };
    let top = ord - deriv.min(ord - 1);
    for j in 2..=top {
        v = (0..nt - j)
            .map(|i| div(x - t[i], t[i + j - 1] - t[i]) * v[i] + div(t[i + j] - x, t[i + j] - t[i + 1]) * v[i + 1])
            .collect();
    }
    for j in top + 1..=ord {
        let c = (j - 1) as f64;
        v = (0..nt - j)
            .map(|i| c * (div(v[i], t[i + j - 1] - t[i]) - div(v[i + 1], t[i + j] - t[i + 1])))
            .collect();
    }
    if deriv >= ord {
        v.iter_mut().for_each(|a| *a = 0.0);
    }
    v.truncate(nb);
    v
}

/// Columns of a basis given row by row.
fn columns(rows: &[Vec<f64>], ncol: usize) -> Vec<Vec<f64>> {
    (0..ncol).map(|j| rows.iter().map(|r| r[j]).collect()).collect()
}

/// R's `bs`: B-splines of order degree + 1, the first dropped without intercept; Taylor
/// extrapolation beyond the boundary knots.
fn bs_basis(x: &[f64], knots: &[f64], bk: [f64; 2], degree: usize, intercept: bool) -> Vec<Vec<f64>> {
    let ord = degree + 1;
    let t = all_knots(knots, bk, ord);
    let e = 0.25;
    let pivot_l = (1.0 - e) * bk[0] + e * t[ord];
    let pivot_r = (1.0 - e) * bk[1] + e * t[t.len() - ord - 1];
    let taylor = |pivot: f64, v: f64| -> Vec<f64> {
        let mut out = vec![0.0; t.len() - ord];
        let mut fact = 1.0;
        for d in 0..=degree {
            if d > 0 {
                fact *= d as f64;
            }
            let w = (v - pivot).powi(d as i32) / fact;
            for (o, b) in out.iter_mut().zip(spline_row(&t, ord, pivot, d)) {
                *o += w * b;
            }
        }
        out
    };
    let rows: Vec<Vec<f64>> = x
        .iter()
        .map(|&v| {
            let mut r = if v < bk[0] {
                taylor(pivot_l, v)
            } else if v > bk[1] {
                taylor(pivot_r, v)
            } else {
                spline_row(&t, ord, v, 0)
            };
            if !intercept {
                r.remove(0);
            }
            r
        })
        .collect();
    let ncol = t.len() - ord - usize::from(!intercept);
    columns(&rows, ncol)
}

/// R's `ns`: cubic B-splines projected onto zero second derivative at the boundary knots;
/// linear beyond them.
fn ns_basis(x: &[f64], knots: &[f64], bk: [f64; 2], intercept: bool) -> Vec<Vec<f64>> {
    let t = all_knots(knots, bk, 4);
    let drop = usize::from(!intercept);
    let mut c0 = spline_row(&t, 4, bk[0], 2);
    let mut c1 = spline_row(&t, 4, bk[1], 2);
    c0.drain(..drop);
    c1.drain(..drop);
    let qr = Householder2::new(c0, c1);
    let ext = |pivot: f64, v: f64| -> Vec<f64> {
        let b0 = spline_row(&t, 4, pivot, 0);
        let b1 = spline_row(&t, 4, pivot, 1);
        b0.iter().zip(&b1).map(|(a, b)| a + (v - pivot) * b).collect()
    };
    let rows: Vec<Vec<f64>> = x
        .iter()
        .map(|&v| {
            let mut r = if v < bk[0] {
                ext(bk[0], v)
            } else if v > bk[1] {
                ext(bk[1], v)
            } else {
                spline_row(&t, 4, v, 0)
            };
            r.drain(..drop);
            qr.qty(&mut r);
            r.drain(..2);
            r
        })
        .collect();
    let ncol = t.len() - 4 - drop - 2;
    columns(&rows, ncol)
}

/// The Householder QR of an m × 2 matrix as LINPACK's `dqrdc2` computes it (no pivoting is
/// needed: the two constraints of `ns` are independent), and `dqrsl`'s Qᵀy.
struct Householder2 {
    /// The columns after the decomposition (the Householder vectors below the diagonal).
    a: [Vec<f64>; 2],
    qraux: [f64; 2],
}

impl Householder2 {
    fn new(c0: Vec<f64>, c1: Vec<f64>) -> Householder2 {
        let mut a = [c0, c1];
        let mut qraux = [0.0; 2];
        let m = a[0].len();
        for l in 0..2 {
            if l + 1 >= m {
                break;
            }
            let mut nrm = a[l][l..].iter().map(|v| v * v).sum::<f64>().sqrt();
            if nrm == 0.0 {
                continue;
            }
            if a[l][l] != 0.0 {
                nrm = nrm.copysign(a[l][l]);
            }
            a[l][l..].iter_mut().for_each(|v| *v /= nrm);
            a[l][l] += 1.0;
            if l == 0 {
                let (u, rest) = a.split_at_mut(1);
                let u = &u[0];
                let t = -u[l..].iter().zip(&rest[0][l..]).map(|(p, q)| p * q).sum::<f64>() / u[l];
                rest[0][l..].iter_mut().zip(&u[l..]).for_each(|(q, p)| *q += t * p);
            }
            qraux[l] = a[l][l];
            a[l][l] = -nrm;
        }
        Householder2 { a, qraux }
    }

    /// y ← Qᵀy.
    fn qty(&self, y: &mut [f64]) {
        let m = y.len();
        for j in 0..2.min(m.saturating_sub(1)) {
            if self.qraux[j] == 0.0 {
                continue;
            }
            let mut u = self.a[j][j..].to_vec();
            u[0] = self.qraux[j];
            let t = -u.iter().zip(&y[j..]).map(|(p, q)| p * q).sum::<f64>() / u[0];
            y[j..].iter_mut().zip(&u).for_each(|(q, p)| *q += t * p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn b_splines_sum_to_one_and_quantiles_follow_r() {
        let t = all_knots(&[2.0, 5.0], [0.0, 10.0], 4);
        for x in [0.0, 1.0, 2.0, 4.5, 9.99, 10.0] {
            let s: f64 = spline_row(&t, 4, x, 0).iter().sum();
            assert!((s - 1.0).abs() < 1e-14, "{x}: {s}");
        }
        // R: quantile(c(1, 2, 4, 7), c(1/3, 2/3)) = 2, 4; quantile(1:10, 0.25) = 3.25
        assert_eq!(quantile7(&[1.0, 2.0, 4.0, 7.0], 1.0 / 3.0), 2.0);
        assert!((quantile7(&(1..=10).map(f64::from).collect::<Vec<_>>(), 0.25) - 3.25).abs() < 1e-15);
    }
}
