//! Nonparametric (direct) reference limits after CLSI EP28-A3c: the 2.5th and 97.5th
//! percentiles at rank p·(n + 1) (R's quantile type 6), with 90 % confidence intervals from
//! order statistics for n ≥ 120 and from a percentile bootstrap below that.
//!
//! The confidence ranks are the binomial ones behind the CLSI table: for the lower limit, r is
//! the largest rank with P(B ≤ r − 1) ≤ 0.05 and s the smallest with P(B ≥ s) ≤ 0.05, where
//! B ~ Binomial(n, 0.025); the upper limit's interval uses ranks n + 1 − s and n + 1 − r. This
//! reproduces the CLSI rank table (n = 119…1000) exactly and extends it to any n.

use super::{check_values, Limits};
use crate::error::Result;
use crate::stats::{quantile6, sorted};
use dimorph_core::Rng;
use statrs::function::gamma::ln_gamma;

/// Fewest values for which rank 0.025·(n + 1) is at least 1.
pub const MIN_N: usize = 39;
/// Smallest n with rank-based confidence intervals (CLSI); below it the bootstrap is used.
pub const MIN_N_RANKS: usize = 120;
/// Bootstrap resamples.
pub const BOOT_B: usize = 5000;

/// Ranks (1-based) (r, s) of the order statistics that bound a `conf` confidence interval for
/// the `p` quantile (for p = 0.025, conf = 0.90: the CLSI table).
pub fn ci_ranks(n: usize, p: f64, conf: f64) -> (usize, usize) {
    let alpha = (1.0 - conf) / 2.0;
    let nf = n as f64;
    let lpmf = |i: usize| {
        let k = i as f64;
        ln_gamma(nf + 1.0) - ln_gamma(k + 1.0) - ln_gamma(nf - k + 1.0) + k * p.ln() + (nf - k) * (1.0 - p).ln()
    };
    // cdf[i] = P(B <= i)
    let mut cdf = Vec::new();
    let mut acc = 0.0;
    for i in 0..=n {
        acc += lpmf(i).exp();
        cdf.push(acc);
        if acc > 1.0 - alpha * 0.5 && cdf.len() > 2 {
            break;
        }
    }
    let at = |i: usize| cdf.get(i).copied().unwrap_or(1.0);
    let mut r = 1;
    while at(r) <= alpha {
        r += 1;
    }
    let mut s = 1;
    while 1.0 - at(s - 1) > alpha {
        s += 1;
    }
    (r, s.min(n))
}

/// Nonparametric limits with confidence intervals; `seed` drives the bootstrap (n < 120).
pub fn nonparametric(what: &str, x: &[f64], seed: u64) -> Result<Limits> {
    check_values(what, "nonparametric", x, MIN_N, None)?;
    let v = sorted(x);
    let n = v.len();
    let lower = quantile6(&v, 0.025);
    let upper = quantile6(&v, 0.975);
    let (ci_lower, ci_upper, ci_method) = if n >= MIN_N_RANKS {
        let (r, s) = ci_ranks(n, 0.025, 0.90);
        (
            (v[r - 1], v[s - 1]),
            (v[n - s], v[n - r]),
            format!(
                "order statistics: ranks {r} and {s} (lower), {} and {} (upper)",
                n + 1 - s,
                n + 1 - r
            ),
        )
    } else {
        let mut rng = Rng::new(seed);
        let mut lo = Vec::with_capacity(BOOT_B);
        let mut hi = Vec::with_capacity(BOOT_B);
        let mut buf = vec![0.0; n];
        for _ in 0..BOOT_B {
            for b in buf.iter_mut() {
                *b = v[rng.below(n)];
            }
            buf.sort_unstable_by(f64::total_cmp);
            lo.push(quantile6(&buf, 0.025));
            hi.push(quantile6(&buf, 0.975));
        }
        lo.sort_unstable_by(f64::total_cmp);
        hi.sort_unstable_by(f64::total_cmp);
        let q = |s: &[f64], p: f64| crate::stats::quantile7(s, p);
        (
            (q(&lo, 0.05), q(&lo, 0.95)),
            (q(&hi, 0.05), q(&hi, 0.95)),
            format!("percentile bootstrap, {BOOT_B} resamples, seed {seed} (n < {MIN_N_RANKS})"),
        )
    };
    Ok(Limits {
        method: "nonparametric".into(),
        n,
        lower,
        upper,
        ci_lower: Some(ci_lower),
        ci_upper: Some(ci_upper),
        ci_method: Some(ci_method),
        remarks: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_few_and_constant() {
        let x: Vec<f64> = (0..20).map(f64::from).collect();
        let e = nonparametric("x", &x, 1).unwrap_err().to_string();
        assert!(e.contains("at least 39") && e.contains("there are 20"), "{e}");
        let c = vec![5.0; 50];
        assert!(nonparametric("x", &c, 1)
            .unwrap_err()
            .to_string()
            .contains("all 50 values equal 5"));
    }
}
