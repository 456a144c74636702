//! Small dense linear algebra for the p × p systems of IRLS: Cholesky factorisation with
//! detection of aliased (linearly dependent) columns, solves and inverses. Matrices are
//! row-major `Vec<f64>` of size p².

/// Relative tolerance for declaring a column aliased: its squared residual norm after projecting
/// out the earlier columns is below `ALIAS_TOL` times its squared norm (a norm ratio of about
/// 3e-6, looser than R's QR tolerance of 1e-7 because X'WX squares the condition number).
pub const ALIAS_TOL: f64 = 1e-11;

/// The Cholesky factor of the non-aliased part of a symmetric matrix.
#[derive(Debug, Clone)]
pub struct Cholesky {
    /// Indices (into the full matrix) of the columns kept, in order.
    pub kept: Vec<usize>,
    /// Lower-triangular factor of the kept sub-matrix, row-major k × k.
    pub l: Vec<f64>,
}

impl Cholesky {
    /// Factorises `a` (p × p, symmetric positive semi-definite), dropping every column that is
    /// linearly dependent on the columns before it (the order in which R reports aliasing).
    /// `force` columns are tested only against each other (used when the kept set is fixed).
    pub fn new(a: &[f64], p: usize) -> Cholesky {
        let mut kept: Vec<usize> = Vec::with_capacity(p);
        let mut l: Vec<f64> = Vec::new(); // grows as k × k, stored with stride p for simplicity
        let mut lfull = vec![0.0; p * p];
        for j in 0..p {
            let ajj = a[j * p + j];
            let k = kept.len();
            // row of L for column j against the kept columns
            let mut row = vec![0.0; k];
            for (r, &cr) in kept.iter().enumerate() {
                let mut s = a[j * p + cr];
                for t in 0..r {
                    s -= row[t] * lfull[r * p + t];
                }
                row[r] = s / lfull[r * p + r];
            }
            let d = ajj - row.iter().map(|v| v * v).sum::<f64>();
            if ajj > 0.0 && d > ALIAS_TOL * ajj && d.is_finite() {
                for (t, v) in row.iter().enumerate() {
                    lfull[k * p + t] = *v;
                }
                lfull[k * p + k] = d.sqrt();
                kept.push(j);
            }
        }
        let k = kept.len();
        l.resize(k * k, 0.0);
        for r in 0..k {
            for c in 0..=r {
                l[r * k + c] = lfull[r * p + c];
            }
        }
        Cholesky { kept, l }
    }

    /// Factorises the sub-matrix of `a` on the given columns without dropping any; `None` when it
    /// is not positive definite.
    pub fn on(a: &[f64], p: usize, cols: &[usize]) -> Option<Cholesky> {
        let k = cols.len();
        let mut l = vec![0.0; k * k];
        for r in 0..k {
            for c in 0..=r {
                let mut s = a[cols[r] * p + cols[c]];
                for t in 0..c {
                    s -= l[r * k + t] * l[c * k + t];
                }
                if r == c {
                    if s.is_nan() || s <= 0.0 || s.is_infinite() {
                        return None;
                    }
                    l[r * k + r] = s.sqrt();
                } else {
                    l[r * k + c] = s / l[c * k + c];
                }
            }
        }
        Some(Cholesky { kept: cols.to_vec(), l })
    }

    pub fn rank(&self) -> usize {
        self.kept.len()
    }

    /// Solves (L Lᵀ) x = b for the kept system; `b` has length rank.
    pub fn solve(&self, b: &[f64]) -> Vec<f64> {
        let k = self.kept.len();
        let l = &self.l;
        let mut y = b.to_vec();
        for r in 0..k {
            let mut s = y[r];
            for t in 0..r {
                s -= l[r * k + t] * y[t];
            }
            y[r] = s / l[r * k + r];
        }
        for r in (0..k).rev() {
            let mut s = y[r];
            for t in r + 1..k {
                s -= l[t * k + r] * y[t];
            }
            y[r] = s / l[r * k + r];
        }
        y
    }

    /// The inverse of the kept sub-matrix, row-major k × k.
    pub fn inverse(&self) -> Vec<f64> {
        let k = self.kept.len();
        let mut inv = vec![0.0; k * k];
        let mut e = vec![0.0; k];
        for c in 0..k {
            e.iter_mut().for_each(|v| *v = 0.0);
            e[c] = 1.0;
            let col = self.solve(&e);
            for r in 0..k {
                inv[r * k + c] = col[r];
            }
        }
        inv
    }

    /// log det of the kept sub-matrix.
    pub fn log_det(&self) -> f64 {
        let k = self.kept.len();
        (0..k).map(|i| 2.0 * self.l[i * k + i].ln()).sum()
    }
}

/// Extracts the sub-matrix of a row-major p × p matrix on `cols`.
pub fn sub_matrix(a: &[f64], p: usize, cols: &[usize]) -> Vec<f64> {
    let k = cols.len();
    let mut s = vec![0.0; k * k];
    for (r, &cr) in cols.iter().enumerate() {
        for (c, &cc) in cols.iter().enumerate() {
            s[r * k + c] = a[cr * p + cc];
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_and_inverts() {
        let a = [4.0, 2.0, 0.6, 2.0, 5.0, 1.0, 0.6, 1.0, 3.0];
        let ch = Cholesky::new(&a, 3);
        assert_eq!(ch.kept, vec![0, 1, 2]);
        let x = ch.solve(&[1.0, 2.0, 3.0]);
        for r in 0..3 {
            let s: f64 = (0..3).map(|c| a[r * 3 + c] * x[c]).sum();
            assert!((s - [1.0, 2.0, 3.0][r]).abs() < 1e-12);
        }
        let inv = ch.inverse();
        for r in 0..3 {
            for c in 0..3 {
                let s: f64 = (0..3).map(|t| a[r * 3 + t] * inv[t * 3 + c]).sum();
                assert!((s - if r == c { 1.0 } else { 0.0 }).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn detects_aliased_columns() {
        // columns: 1, x, 2x (aliased), z
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let z = [0.5, -1.0, 2.0, 0.0, 1.0];
        let cols: Vec<Vec<f64>> = vec![
            vec![1.0; 5],
            x.to_vec(),
            x.iter().map(|v| 2.0 * v).collect(),
            z.to_vec(),
        ];
        let p = 4;
        let mut a = vec![0.0; 16];
        for r in 0..p {
            for c in 0..p {
                a[r * p + c] = (0..5).map(|i| cols[r][i] * cols[c][i]).sum();
            }
        }
        let ch = Cholesky::new(&a, p);
        assert_eq!(ch.kept, vec![0, 1, 3]);
    }
}
