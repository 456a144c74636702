//! Arriaga's decomposition of a difference in life expectancy by age (Arriaga 1984; Preston,
//! Heuveline & Guillot 2001, eq. 3.11), and its split by cause (PHG 2001, chapter 4: each age's
//! contribution shared out in proportion to each cause's part of the difference in rates).
//!
//! With table 1 the reference and ages from x₀ (l₀ below is l₁(x₀)):
//!
//! ```text
//! ₙΔₓ = l₁(x)/l₀ · [ₙL₂(x)/l₂(x) − ₙL₁(x)/l₁(x)]                       direct effect
//!     + T₂(x+n)/l₀ · [l₁(x)/l₂(x) − l₁(x+n)/l₂(x+n)]                   indirect and interaction
//! ∞Δω = l₁(ω)/l₀ · [T₂(ω)/l₂(ω) − T₁(ω)/l₁(ω)]                        open age group
//! ```
//!
//! The terms telescope: Σₓ ₙΔₓ = e₂(x₀) − e₁(x₀) exactly (to rounding). By cause,
//! ₙΔₓ,c = ₙΔₓ · (m₂,c(x) − m₁,c(x)) / Σ_c (m₂,c(x) − m₁,c(x)), which keeps the age totals.

use crate::table::Lifetable;
use crate::Error;

/// Checks that two tables have the same age groups (a decomposition compares them age by age).
pub fn check_same_ages(t1: &Lifetable, t2: &Lifetable) -> Result<(), Error> {
    if t1.age != t2.age || t1.width.len() != t2.width.len() {
        return Err(Error::Argument(format!(
            "the two life tables have different age groups ({} groups, open at {}+; {} groups, open at {}+): \
             a decomposition compares them age by age",
            t1.len(),
            t1.age.last().copied().unwrap_or(f64::NAN),
            t2.len(),
            t2.age.last().copied().unwrap_or(f64::NAN)
        )));
    }
    Ok(())
}

/// Arriaga's contributions of each age group to e₂(x₀) − e₁(x₀), table 1 the reference; `from`
/// is the index of x₀ (contributions below it are 0). The tables must share their ages.
pub fn by_age(t1: &Lifetable, t2: &Lifetable, from: usize) -> Vec<f64> {
    let n = t1.len();
    let mut c = vec![0.0; n];
    let l0 = t1.lx[from];
    for (i, ci) in c.iter_mut().enumerate().skip(from) {
        *ci = if i + 1 == n {
            t1.lx[i] / l0 * (t2.big_tx[i] / t2.lx[i] - t1.big_tx[i] / t1.lx[i])
        } else {
            let direct = t1.lx[i] / l0 * (t2.big_lx[i] / t2.lx[i] - t1.big_lx[i] / t1.lx[i]);
            let indirect = t2.big_tx[i + 1] / l0 * (t1.lx[i] / t2.lx[i] - t1.lx[i + 1] / t2.lx[i + 1]);
            direct + indirect
        };
    }
    c
}

/// The age contributions `by_age` shared out by cause: `m1[c][i]`, `m2[c][i]` are cause c's
/// rates at age group i in tables 1 and 2. Where the causes' rate differences add up to 0 (or
/// nearly) the shares are the causes' mean rates instead (equal shares where those are 0 too);
/// the second value counts those ages among the ones with a non-zero contribution.
pub fn by_cause(by_age: &[f64], m1: &[Vec<f64>], m2: &[Vec<f64>]) -> (Vec<Vec<f64>>, usize) {
    let g = m1.len();
    let mut out = vec![vec![0.0; by_age.len()]; g];
    let mut fallback = 0;
    for (i, total) in by_age.iter().enumerate() {
        let diff: Vec<f64> = (0..g).map(|c| m2[c][i] - m1[c][i]).collect();
        let sum: f64 = diff.iter().sum();
        let scale: f64 = (0..g).map(|c| m1[c][i].abs() + m2[c][i].abs()).sum();
        let weights: Vec<f64> = if sum.abs() > 1e-12 * scale && sum != 0.0 {
            diff.iter().map(|d| d / sum).collect()
        } else {
            if *total != 0.0 {
                fallback += 1;
            }
            let mean: Vec<f64> = (0..g).map(|c| m1[c][i] + m2[c][i]).collect();
            let s: f64 = mean.iter().sum();
            if s > 0.0 {
                mean.iter().map(|m| m / s).collect()
            } else {
                vec![1.0 / g as f64; g]
            }
        };
        for c in 0..g {
            out[c][i] = total * weights[c];
        }
    }
    (out, fallback)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::AxMethod;
    use crate::population::Sex;

    fn table(m: &[f64]) -> Lifetable {
        let n = m.len();
        let age: Vec<f64> = (0..n).map(|a| a as f64).collect();
        let mut w = vec![1.0; n];
        w[n - 1] = f64::INFINITY;
        Lifetable::from_rates(Sex::Male, None, &age, &w, m, AxMethod::Hmd, 1e5).unwrap()
    }

    #[test]
    fn contributions_add_up_to_the_difference_from_any_age() {
        let t1 = table(&[0.02, 0.01, 0.03, 0.08, 0.2, 0.5]);
        let t2 = table(&[0.01, 0.012, 0.02, 0.05, 0.25, 0.4]);
        for from in 0..6 {
            let c = by_age(&t1, &t2, from);
            let s: f64 = c.iter().sum();
            assert!((s - (t2.ex[from] - t1.ex[from])).abs() < 1e-12, "{from}: {s}");
            assert!(c[..from].iter().all(|x| *x == 0.0));
        }
    }

    #[test]
    fn one_age_changed_gets_the_whole_difference() {
        // only age 2 differs: every other age's contribution is 0 (direct and indirect)
        let t1 = table(&[0.02, 0.01, 0.03, 0.08, 0.2, 0.5]);
        let t2 = table(&[0.02, 0.01, 0.01, 0.08, 0.2, 0.5]);
        let c = by_age(&t1, &t2, 0);
        for (i, x) in c.iter().enumerate() {
            if i == 2 {
                assert!((x - (t2.ex[0] - t1.ex[0])).abs() < 1e-12);
            } else {
                assert!(x.abs() < 1e-12, "{i}: {x}");
            }
        }
    }

    #[test]
    fn causes_share_each_age_by_their_rate_difference() {
        let (c, fallback) = by_cause(
            &[1.0, 2.0, 0.0],
            &[vec![0.1, 0.1, 0.2], vec![0.1, 0.3, 0.0]],
            &[vec![0.3, 0.1, 0.2], vec![0.0, 0.3, 0.0]],
        );
        // age 0: differences 0.2 and −0.1 (sum 0.1): shares 2 and −1
        assert!((c[0][0] - 2.0).abs() < 1e-12 && (c[1][0] + 1.0).abs() < 1e-12);
        // age 1: no difference in rates: shares by mean rates 0.1 : 0.3
        assert!((c[0][1] - 0.5).abs() < 1e-12 && (c[1][1] - 1.5).abs() < 1e-12);
        assert_eq!(fallback, 1);
        assert_eq!(c[0][2] + c[1][2], 0.0);
    }
}
