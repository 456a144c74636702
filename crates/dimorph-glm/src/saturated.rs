//! The log-likelihood of binomial and Poisson fits from the deviance, and the deviance of a
//! constant mean, without a logarithm per row.
//!
//! The unit deviance is twice the drop in log-likelihood from the saturated model (§4.1.5:
//! D = −2[L(μ̂; y) − L(y; y)]), so L(μ̂) = −D/2 + L(y; y): the log-likelihood of a fit (and of
//! its null model) is its deviance and one sum over the rows that does not depend on μ, taken
//! once for both. For the binomial, with k = y·n events of n trials and prior weight w,
//! L(y; y) = Σ w [log C(n, k) + k log(k/n) + (n − k) log((n − k)/n)] (0 for a 0/1 response);
//! for the Poisson L(y; y) = Σ w (y log y − y − log y!). SAS's kernel drops log C(n, k) and
//! log y! in the same way. The identity holds term by term, so the two sums differ only in
//! rounding.

use crate::family::{lchoose, ln_factorial, xlogy, Family};

/// The saturated log-likelihood Σ L(y; y) in full and as SAS's kernel, for binomial and Poisson
/// fits (`None` for other families, and for a binomial row whose events y·n or trials n are not
/// whole, where R's log-likelihood rounds the events and the identity fails).
pub(crate) fn saturated_loglik(
    family: Family,
    y: &[f64],
    prior: &[f64],
    trials: &[f64],
    threads: usize,
) -> Option<(f64, f64)> {
    match family {
        Family::Binomial => {
            let [full, kernel, bad] = crate::irls::par_sum(y.len(), threads, |lo, hi| {
                let (mut full, mut kernel, mut bad) = (0.0, 0.0, 0.0);
                for i in lo..hi {
                    let n = trials[i];
                    if n <= 0.0 || prior[i] == 0.0 {
                        continue; // no weight in the log-likelihood
                    }
                    if n == 1.0 && (y[i] == 0.0 || y[i] == 1.0) {
                        continue; // log C(1, k) = k log k = 0
                    }
                    let k = y[i] * n;
                    if k.fract() != 0.0 || n.fract() != 0.0 {
                        bad += 1.0;
                        continue;
                    }
                    let w0 = prior[i] / n;
                    let s = xlogy(k, k / n) + xlogy(n - k, (n - k) / n);
                    full += w0 * (lchoose(n, k) + s);
                    kernel += w0 * s;
                }
                [full, kernel, bad]
            });
            (bad == 0.0).then_some((full, kernel))
        }
        Family::Poisson => {
            let [full, kernel] = crate::irls::par_sum(y.len(), threads, |lo, hi| {
                let (mut full, mut kernel) = (0.0, 0.0);
                let mut memo = Memo::default();
                for i in lo..hi {
                    let w = prior[i];
                    if w == 0.0 {
                        continue;
                    }
                    let (f, k) = memo.get(y[i], |v| {
                        let k = xlogy(v, v) - v;
                        (k - ln_factorial(v), k)
                    });
                    full += w * f;
                    kernel += w * k;
                }
                [full, kernel]
            });
            Some((full, kernel))
        }
        _ => None,
    }
}

/// Σ w d(y, m) over the rows with positive weight, for a constant mean m (the null model
/// without offset): each distinct response value's unit deviance is computed once, and the sum
/// is the one [`Family::unit_deviance`] row by row gives, bit for bit.
pub(crate) fn constant_mean_deviance(family: Family, y: &[f64], prior: &[f64], m: f64, threads: usize) -> f64 {
    let [d] = crate::irls::par_sum(y.len(), threads, |lo, hi| {
        let mut memo = Memo::default();
        [(lo..hi)
            .filter(|&i| prior[i] > 0.0)
            .map(|i| prior[i] * memo.get(y[i], |v| (family.unit_deviance(v, m), 0.0)).0)
            .sum()]
    });
    d
}

/// Values of a function of the response remembered for the whole numbers 0..256 (counts,
/// 0/1 outcomes) and for the last other value.
struct Memo {
    small: Vec<Option<(f64, f64)>>,
    last: Option<(u64, (f64, f64))>,
}

impl Default for Memo {
    fn default() -> Self {
        Memo {
            small: vec![None; 256],
            last: None,
        }
    }
}

impl Memo {
    #[inline]
    fn get(&mut self, v: f64, f: impl Fn(f64) -> (f64, f64)) -> (f64, f64) {
        // whole numbers 0..256 (not −0, whose bits differ: it takes the other slot)
        if (0.0..256.0).contains(&v) && v.to_bits() != (-0.0f64).to_bits() {
            let k = v as usize;
            if k as f64 == v {
                return *self.small[k].get_or_insert_with(|| f(v));
            }
        }
        match self.last {
            Some((b, r)) if b == v.to_bits() => r,
            _ => {
                let r = f(v);
                self.last = Some((v.to_bits(), r));
                r
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// −D/2 + L(y; y) against the log-likelihood summed row by row, for binomial (0/1 and
    /// events/trials, with weights) and Poisson responses (small, large and fractional counts).
    #[test]
    fn loglik_from_deviance_equals_the_row_sums() {
        let mut rng = dimorph_core::rng::Rng::new(7);
        let n = 5000;
        // binomial events/trials with weights, and 0/1 rows mixed in
        let trials: Vec<f64> = (0..n)
            .map(|i| if i % 3 == 0 { 1.0 } else { (1 + i % 9) as f64 })
            .collect();
        let k: Vec<f64> = trials
            .iter()
            .map(|&t| (rng.uniform() * (t + 1.0)).floor().min(t))
            .collect();
        let y: Vec<f64> = k.iter().zip(&trials).map(|(k, t)| k / t).collect();
        let w0: Vec<f64> = (0..n)
            .map(|i| if i % 17 == 0 { 0.0 } else { 0.5 + (i % 4) as f64 })
            .collect();
        let prior: Vec<f64> = w0.iter().zip(&trials).map(|(w, t)| w * t).collect();
        let mu: Vec<f64> = (0..n).map(|_| 0.02 + 0.96 * rng.uniform()).collect();
        let f = Family::Binomial;
        let dev: f64 = (0..n).map(|i| prior[i] * f.unit_deviance(y[i], mu[i])).sum();
        let (mut ll, mut kern) = (0.0, 0.0);
        for i in 0..n {
            if w0[i] > 0.0 {
                ll += f.loglik(y[i], mu[i], w0[i], trials[i], 1.0);
                kern += f.loglik_kernel(y[i], mu[i], w0[i], trials[i], 1.0);
            }
        }
        let (s, sk) = saturated_loglik(f, &y, &prior, &trials, 2).expect("whole events");
        assert!(
            (-0.5 * dev + s - ll).abs() < 1e-11 * ll.abs(),
            "{} vs {ll}",
            -0.5 * dev + s
        );
        assert!((-0.5 * dev + sk - kern).abs() < 1e-11 * kern.abs());
        // events that are not whole: no closed form
        let mut y2 = y.clone();
        y2[1] = 0.3 / trials[1];
        assert!(saturated_loglik(f, &y2, &prior, &trials, 1).is_none());

        // Poisson: counts 0..40, a few large and fractional values
        let yp: Vec<f64> = (0..n)
            .map(|i| match i % 50 {
                0 => 1234.0,
                1 => 2.5,
                _ => (rng.uniform() * 40.0).floor(),
            })
            .collect();
        let mup: Vec<f64> = (0..n).map(|i| 0.3 + 30.0 * rng.uniform() + yp[i] * 0.9).collect();
        let ones = vec![1.0; n];
        let f = Family::Poisson;
        let dev: f64 = (0..n).map(|i| w0[i] * f.unit_deviance(yp[i], mup[i])).sum();
        let (mut ll, mut kern) = (0.0, 0.0);
        for i in 0..n {
            if w0[i] > 0.0 {
                ll += f.loglik(yp[i], mup[i], w0[i], 1.0, 1.0);
                kern += f.loglik_kernel(yp[i], mup[i], w0[i], 1.0, 1.0);
            }
        }
        let (s, sk) = saturated_loglik(f, &yp, &w0, &ones, 3).expect("poisson");
        assert!(
            (-0.5 * dev + s - ll).abs() < 1e-11 * ll.abs(),
            "{} vs {ll}",
            -0.5 * dev + s
        );
        assert!((-0.5 * dev + sk - kern).abs() < 1e-11 * kern.abs());
        assert!(saturated_loglik(Family::Gamma, &yp, &w0, &ones, 1).is_none());
    }

    /// The remembered unit deviances give the row-by-row sum bit for bit.
    #[test]
    fn constant_mean_deviance_is_the_row_sum() {
        let y: Vec<f64> = (0..3000)
            .map(|i| match i % 7 {
                0 => 300.5,
                1 => 1e6,
                2 => -0.0,
                _ => (i % 13) as f64,
            })
            .collect();
        let w: Vec<f64> = (0..3000)
            .map(|i| if i % 11 == 0 { 0.0 } else { 1.0 + (i % 3) as f64 })
            .collect();
        for (f, ys) in [
            (Family::Poisson, y.iter().map(|v| v.abs()).collect::<Vec<_>>()),
            (
                Family::Binomial,
                y.iter().map(|v| f64::from(u8::from(*v > 5.0))).collect(),
            ),
            (Family::Gaussian, y.clone()),
        ] {
            let m = 3.7 / if f.is_binomial() { 10.0 } else { 1.0 };
            let want: f64 = (0..y.len())
                .filter(|&i| w[i] > 0.0)
                .map(|i| w[i] * f.unit_deviance(ys[i], m))
                .sum();
            assert_eq!(
                constant_mean_deviance(f, &ys, &w, m, 1).to_bits(),
                want.to_bits(),
                "{f:?}"
            );
        }
    }
}
