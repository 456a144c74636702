//! Small statistics shared by the estimators: sample quantiles (R's types 6 and 7), mean and
//! standard deviation, and R's rounding as reflimR prints limits. Distribution functions come
//! from [`dimorph_core::dist`], the bootstrap's random numbers from [`dimorph_core::Rng`].

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

/// The 95 % percentile-bootstrap interval of resampled estimates: their 2.5 % and 97.5 %
/// quantiles by R's type 7 (`quantile(x, c(0.025, 0.975))`). Sorts `draws` in place.
pub fn percentile_interval_95(draws: &mut [f64]) -> (f64, f64) {
    draws.sort_unstable_by(f64::total_cmp);
    (quantile7(draws, 0.025), quantile7(draws, 0.975))
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

/// Arithmetic mean. When the sum overflows (values near ±1.8e308) the mean is taken of the
/// values divided by n first, so that it is a finite number whenever the true mean is.
pub fn mean(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    if m.is_finite() || !x.iter().all(|v| v.is_finite()) {
        return m;
    }
    x.iter().map(|v| v / n).sum()
}

/// Sample standard deviation (divisor n − 1). When the sum of squares overflows the deviations
/// are scaled by the largest first, so that the SD is a finite number whenever it fits in an f64.
pub fn sd(x: &[f64]) -> f64 {
    let m = mean(x);
    let d = x.len() as f64 - 1.0;
    let s = (x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / d).sqrt();
    if s.is_finite() || !m.is_finite() {
        return s;
    }
    let big = x.iter().map(|v| (v - m).abs()).fold(0.0, f64::max);
    if !big.is_finite() {
        return s;
    }
    big * (x.iter().map(|v| ((v - m) / big).powi(2)).sum::<f64>() / d).sqrt()
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

#[cfg(test)]
mod tests {
    use super::*;
    use dimorph_core::dist::qnorm;

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
