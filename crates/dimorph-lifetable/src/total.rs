//! The both-sex ("total") period table as the HMD builds it (Methods Protocol v6, section 7.2;
//! the HMD's own R code, `ltperBoth_AxN`): not from the pooled deaths and exposures, but from
//! the two sex-specific tables.
//!
//! * The death rate at age x is m^T_x = π_x·m^F_x + (1 − π_x)·m^M_x, with m^F, m^M the
//!   sex-specific rates after their Kannisto smoothing.
//! * π_x is the female share of the exposure, E^F_x / (E^F_x + E^M_x), below the first smoothed
//!   age Y (so that m^T = (D^F + D^M)/(E^F + E^M) there). From Y on it is smoothed
//!   ([`female_share`]): logit(E^F/E^T) is regressed on the age-group midpoint x + ½ and its
//!   square by least squares weighted by the total exposure, Σ E^T_x·r_x², over the ages 80
//!   and above where both exposures are positive, and π_x = logistic(c₀ + c₁(x+½) + c₂(x+½)²)
//!   (Protocol eq. 56–58). These weights reproduce the published tables (USA 1951 at 110+:
//!   π = 0.7138 against the 0.7136 implied by the published rates); the HMD's R port,
//!   `lm(..., weights = sqrt(Exp.t))`, gives 0.6594 there.
//! * a₀ is the mean of the sexes' Andreev–Kingkade values weighted by their infant deaths,
//!   (a₀^F·D^F_0 + a₀^M·D^M_0)/(D^F_0 + D^M_0) (eq. 63); a = ½ at every other age, and the open
//!   group is closed with a = 1/m.
//!
//! Without smoothing (`--no-smooth`) π is the raw exposure share at every age, so the rates are
//! the pooled ones; a₀ is still weighted by infant deaths.

/// Exposures at most this small do not enter the regression (the HMD's `eps`).
const EPS: f64 = 1e-8;

/// π_x for every age group: the raw female share of the exposure below `from` (where the total
/// exposure is 0, ½), and from `from` on the fitted logistic-quadratic curve (see the module
/// documentation) when `from` is given. `None` when fewer than three ages 80+ have both
/// exposures positive (the curve cannot be fitted).
pub fn female_share(age: &[f64], ef: &[f64], em: &[f64], from: Option<f64>) -> Option<Vec<f64>> {
    let raw: Vec<f64> = ef
        .iter()
        .zip(em)
        .map(|(f, m)| if f + m > 0.0 { f / (f + m) } else { 0.5 })
        .collect();
    let Some(from) = from else { return Some(raw) };
    // weighted least squares of logit(share) on (1, x, x²), x = age + ½ − 100 (centred)
    let mut xtwx = [[0.0f64; 3]; 3];
    let mut xtwz = [0.0f64; 3];
    let mut used = 0;
    for i in 0..age.len() {
        if age[i] < 80.0 || ef[i] <= EPS || em[i] <= EPS {
            continue;
        }
        let x = age[i] + 0.5 - 100.0;
        let z = (raw[i] / (1.0 - raw[i])).ln();
        let w = ef[i] + em[i];
        let row = [1.0, x, x * x];
        for r in 0..3 {
            xtwz[r] += w * row[r] * z;
            for c in 0..3 {
                xtwx[r][c] += w * row[r] * row[c];
            }
        }
        used += 1;
    }
    if used < 3 {
        return None;
    }
    let coef = solve3(xtwx, xtwz)?;
    Some(
        (0..age.len())
            .map(|i| {
                if age[i] < from {
                    return raw[i];
                }
                let x = age[i] + 0.5 - 100.0;
                let z = coef[0] + coef[1] * x + coef[2] * x * x;
                1.0 / (1.0 + (-z).exp())
            })
            .collect(),
    )
}

/// m^T = π·m^F + (1 − π)·m^M at every age.
pub fn combine(share: &[f64], mf: &[f64], mm: &[f64]) -> Vec<f64> {
    share
        .iter()
        .zip(mf.iter().zip(mm))
        .map(|(p, (f, m))| p * f + (1.0 - p) * m)
        .collect()
}

/// a₀ of the total: the sexes' a₀ weighted by their infant deaths (their mean when there are
/// none).
pub fn infant_weighted_a0(a0f: f64, d0f: f64, a0m: f64, d0m: f64) -> f64 {
    if d0f + d0m > 0.0 {
        (a0f * d0f + a0m * d0m) / (d0f + d0m)
    } else {
        0.5 * (a0f + a0m)
    }
}

/// Solves the 3×3 system `a·x = b` (Gaussian elimination with partial pivoting); `None` when
/// it is singular.
fn solve3(mut a: [[f64; 3]; 3], mut b: [f64; 3]) -> Option<[f64; 3]> {
    for col in 0..3 {
        let p = (col..3).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[p][col].abs() <= 1e-300 || a[p][col].is_nan() {
            return None;
        }
        a.swap(col, p);
        b.swap(col, p);
        let pivot = a[col];
        for r in col + 1..3 {
            let f = a[r][col] / pivot[col];
            for (x, y) in a[r].iter_mut().zip(pivot).skip(col) {
                *x -= f * y;
            }
            b[r] -= f * b[col];
        }
    }
    let mut x = [0.0; 3];
    for r in (0..3).rev() {
        let s: f64 = (r + 1..3).map(|c| a[r][c] * x[c]).sum();
        x[r] = (b[r] - s) / a[r][r];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exact_logistic_quadratic_share_is_recovered() {
        let age: Vec<f64> = (0..=110).map(f64::from).collect();
        let truth = |a: f64| {
            let x = a + 0.5 - 100.0;
            1.0 / (1.0 + (-(0.8 + 0.02 * x + 0.001 * x * x)).exp())
        };
        let ef: Vec<f64> = age.iter().map(|a| 1000.0 * truth(*a)).collect();
        let em: Vec<f64> = age.iter().map(|a| 1000.0 * (1.0 - truth(*a))).collect();
        let p = female_share(&age, &ef, &em, Some(95.0)).unwrap();
        for (i, a) in age.iter().enumerate() {
            assert!((p[i] - truth(*a)).abs() < 1e-10, "{a}");
        }
        // below the first smoothed age, and without smoothing, the raw share
        let raw = female_share(&age, &[3.0; 111], &[1.0; 111], None).unwrap();
        assert!(raw.iter().all(|p| *p == 0.75));
        assert!(female_share(&age[..82], &ef[..82], &em[..82], Some(95.0)).is_none());
    }

    #[test]
    fn a0_is_weighted_by_infant_deaths() {
        assert!((infant_weighted_a0(0.1, 1.0, 0.2, 3.0) - 0.175).abs() < 1e-15);
        assert!((infant_weighted_a0(0.1, 0.0, 0.2, 0.0) - 0.15).abs() < 1e-15);
        assert!((combine(&[0.25], &[0.4], &[0.8])[0] - 0.7).abs() < 1e-15);
    }
}
