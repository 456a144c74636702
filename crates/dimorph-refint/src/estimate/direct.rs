//! Nonparametric (direct) reference limits after CLSI EP28-A3c: the 2.5th and 97.5th
//! percentiles (or others, `--percentiles`) at rank p·(n + 1) (R's quantile type 6), with 90 %
//! confidence intervals from order statistics for n ≥ 120 (for the 2.5th percentile; in general
//! the n from which rank 1 bounds the interval, see [`min_n_ranks`]) and from a percentile
//! bootstrap below that.
//!
//! The confidence ranks are the binomial ones behind the CLSI table: for the lower limit, r is
//! the largest rank with P(B ≤ r − 1) ≤ 0.05 and s the smallest with P(B ≥ s) ≤ 0.05, where
//! B ~ Binomial(n, p); the upper limit's interval uses ranks n + 1 − s and n + 1 − r of
//! B ~ Binomial(n, 1 − p_upper). This reproduces the CLSI rank table (n = 119…1000) exactly and
//! extends it to any n and percentile.

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

/// Fewest values for which rank p·(n + 1) is at least 1 and (1 − q)·(n + 1) at most n for the
/// percentiles `(p, q)` (39 for 2.5 and 97.5 %).
pub fn min_n(p: (f64, f64)) -> usize {
    let tail = p.0.min(1.0 - p.1);
    (1.0 / tail - 1.0 - 1e-9).ceil().max(1.0) as usize
}

/// Smallest n from which the 90 % confidence intervals of the limits at percentiles `(p, q)`
/// come from order statistics: where P(B = 0) ≤ 0.05 for B ~ Binomial(n − 1, tail), so that rank
/// 1 bounds the interval — 120 for 2.5 and 97.5 % (CLSI EP28-A3c), 60 for 5 and 95 %.
pub fn min_n_ranks(p: (f64, f64)) -> usize {
    let tail = p.0.min(1.0 - p.1);
    ((0.05f64).ln() / (1.0 - tail).ln() - 1e-9).ceil() as usize + 1
}

/// Nonparametric 2.5th and 97.5th percentiles with confidence intervals; `seed` drives the
/// bootstrap (n < 120).
pub fn nonparametric(what: &str, x: &[f64], seed: u64) -> Result<Limits> {
    nonparametric_at(what, x, seed, crate::options::DEFAULT_PROBABILITIES)
}

/// Nonparametric limits at the percentiles `p` (fractions, lower and upper) with 90 % confidence
/// intervals; `seed` drives the bootstrap (n below [`min_n_ranks`]).
pub fn nonparametric_at(what: &str, x: &[f64], seed: u64, p: (f64, f64)) -> Result<Limits> {
    check_values(what, "nonparametric", x, min_n(p), None)?;
    let v = sorted(x);
    let n = v.len();
    let lower = quantile6(&v, p.0);
    let upper = quantile6(&v, p.1);
    let n_ranks = min_n_ranks(p);
    let (ci_lower, ci_upper, ci_method) = if n >= n_ranks {
        let (r, s) = ci_ranks(n, p.0, 0.90);
        let (r2, s2) = ci_ranks(n, 1.0 - p.1, 0.90);
        (
            (v[r - 1], v[s - 1]),
            (v[n - s2], v[n - r2]),
            format!(
                "order statistics: ranks {r} and {s} (lower), {} and {} (upper)",
                n + 1 - s2,
                n + 1 - r2
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
            lo.push(quantile6(&buf, p.0));
            hi.push(quantile6(&buf, p.1));
        }
        lo.sort_unstable_by(f64::total_cmp);
        hi.sort_unstable_by(f64::total_cmp);
        let q = |s: &[f64], p: f64| crate::stats::quantile7(s, p);
        (
            (q(&lo, 0.05), q(&lo, 0.95)),
            (q(&hi, 0.05), q(&hi, 0.95)),
            format!("percentile bootstrap, {BOOT_B} resamples, seed {seed} (n < {n_ranks})"),
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
    fn sample_sizes_follow_the_percentiles() {
        // CLSI EP28-A3c: 39 values for the 2.5th percentile, 120 for its rank-based interval
        assert_eq!(
            (min_n((0.025, 0.975)), min_n_ranks((0.025, 0.975))),
            (MIN_N, MIN_N_RANKS)
        );
        // 5th percentile: rank 0.05·(n + 1) >= 1 from n = 19; 0.95^59 = 0.0485 <= 0.05 (0.95^58 = 0.051)
        assert_eq!((min_n((0.05, 0.95)), min_n_ranks((0.05, 0.95))), (19, 60));
        // the rarer tail decides
        assert_eq!(min_n((0.05, 0.99)), 99);
    }

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
