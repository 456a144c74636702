//! Small statistics shared by the estimators: sample quantiles (R's types 6 and 7), mean and
//! standard deviation, normal and t quantiles, a seeded random generator for the bootstrap and
//! simulations.

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// Quantile of *sorted* data by R's type 7 (the default of `quantile()`): linear interpolation
/// at position 1 + p·(n − 1).
pub fn quantile7(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = p * (n - 1) as f64;
    let lo = h.floor();
    let i = lo as usize;
    if i + 1 >= n {
        return sorted[n - 1];
    }
    sorted[i] + (h - lo) * (sorted[i + 1] - sorted[i])
}

/// Quantile of *sorted* data by R's type 6: the value at rank p·(n + 1), interpolated, clamped
/// to the extremes (the CLSI EP28-A3c nonparametric rank).
pub fn quantile6(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = p * (n + 1) as f64;
    if h <= 1.0 {
        return sorted[0];
    }
    if h >= n as f64 {
        return sorted[n - 1];
    }
    let lo = h.floor();
    let i = lo as usize - 1;
    sorted[i] + (h - lo) * (sorted[i + 1] - sorted[i])
}

/// Median of sorted data.
pub fn median(sorted: &[f64]) -> f64 {
    quantile7(sorted, 0.5)
}

pub fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// Sample standard deviation (divisor n − 1).
pub fn sd(x: &[f64]) -> f64 {
    let m = mean(x);
    (x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (x.len() as f64 - 1.0)).sqrt()
}

/// Standard normal quantile.
pub fn qnorm(p: f64) -> f64 {
    Normal::standard().inverse_cdf(p)
}

/// Standard normal distribution function.
pub fn pnorm(x: f64) -> f64 {
    Normal::standard().cdf(x)
}

/// Quantile of Student's t with `df` degrees of freedom.
pub fn qt(p: f64, df: f64) -> f64 {
    match StudentsT::new(0.0, 1.0, df) {
        Ok(t) => t.inverse_cdf(p),
        Err(_) => f64::NAN,
    }
}

/// Sorts a copy of finite values ascending.
pub fn sorted(x: &[f64]) -> Vec<f64> {
    let mut v = x.to_vec();
    v.sort_unstable_by(f64::total_cmp);
    v
}

/// Number of decimals reflimR prints for a value (its `adjust_digits`): 2 − floor(log10|x|),
/// at least 0 — three significant digits for values below 100.
pub fn reflim_digits(x: f64) -> i32 {
    if x == 0.0 || !x.is_finite() {
        return 0;
    }
    (2 - x.abs().log10().floor() as i32).max(0)
}

/// Rounds to `d` decimals on the exact binary value, as R (>= 4.0) `round()` does: 6.35 is
/// stored as 6.34999…, so it rounds to 6.3.
pub fn round_to(x: f64, d: i32) -> f64 {
    if !x.is_finite() {
        return x;
    }
    if d < 0 {
        let f = 10f64.powi(-d);
        return (x / f).round() * f;
    }
    format!("{:.*}", d as usize, x).parse().unwrap_or(x)
}

/// A small, seeded pseudo-random generator (xoshiro256**), for the bootstrap and simulations
/// (reproducible runs without a dependency).
#[derive(Debug, Clone)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    pub fn new(seed: u64) -> Self {
        let mut z = seed;
        let mut next = || {
            z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut x = z;
            x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            x ^ (x >> 31)
        };
        Rng {
            s: [next(), next(), next(), next()],
        }
    }
    pub fn next_u64(&mut self) -> u64 {
        let r = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        r
    }
    /// Uniform on (0, 1).
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    /// Uniform index in 0..n.
    pub fn index(&mut self, n: usize) -> usize {
        ((self.uniform() * n as f64) as usize).min(n - 1)
    }
    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = self.uniform();
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_r() {
        // R: quantile(1:10, 0.25) = 3.25 (type 7); quantile(1:10, 0.25, type = 6) = 2.75
        let x: Vec<f64> = (1..=10).map(f64::from).collect();
        assert!((quantile7(&x, 0.25) - 3.25).abs() < 1e-12);
        assert!((quantile6(&x, 0.25) - 2.75).abs() < 1e-12);
        assert!((quantile6(&x, 0.01) - 1.0).abs() < 1e-12);
        assert!((qnorm(0.975) - 1.959_963_984_540_054).abs() < 1e-9);
    }

    #[test]
    fn rounding_like_r() {
        assert_eq!(round_to(54.5705975262797, 1), 54.6);
        assert_eq!(round_to(6.35, 1), 6.3); // R: round(6.35, 1) = 6.3
        assert_eq!(reflim_digits(66.0), 1);
        assert_eq!(reflim_digits(8.0), 2);
        assert_eq!(reflim_digits(150.0), 0);
    }
}
