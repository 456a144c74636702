//! Number formatting as R and SAS print it.

/// Fixed-point with `d` decimals; NaN prints as `NaN`, infinities as `Inf`/`-Inf`.
pub fn fixed(x: f64, d: usize) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x.is_infinite() {
        if x > 0.0 {
            "Inf".into()
        } else {
            "-Inf".into()
        }
    } else {
        let s = format!("{x:.d$}");
        // avoid "-0.0000"
        if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
            s[1..].to_string()
        } else {
            s
        }
    }
}

/// `sig` significant digits, switching to scientific notation for very small or large values
/// (like R's `format(x, digits = sig)`).
pub fn sig(x: f64, sig: usize) -> String {
    if !x.is_finite() {
        return fixed(x, 0);
    }
    if x == 0.0 {
        return "0".into();
    }
    let mag = x.abs().log10().floor() as i32;
    if !(-5..=15).contains(&mag) {
        return sci(x, sig);
    }
    let d = (sig as i32 - 1 - mag).max(0) as usize;
    fixed(x, d)
}

/// A p-value as SAS prints it: four decimals, `<.0001` below that.
pub fn p_sas(p: f64) -> String {
    if p.is_nan() {
        ".".into()
    } else if p < 0.0001 {
        "<.0001".into()
    } else {
        let s = format!("{p:.4}");
        s.trim_start_matches('0').to_string()
    }
}

/// A p-value as R's `format.pval` prints it in `summary.glm` (`< 2e-16` at the floor).
pub fn p_r(p: f64) -> String {
    if p.is_nan() {
        "NA".into()
    } else if p < 2e-16 {
        "< 2e-16".into()
    } else if p < 1e-4 {
        sci(p, 3)
    } else {
        sig(p, 3)
    }
}

/// Scientific notation as R prints it: `sig` significant digits and an exponent of at least
/// two digits (`5.80e-07`, `1.2e+10`).
pub fn sci(x: f64, sig: usize) -> String {
    if !x.is_finite() {
        return fixed(x, 0);
    }
    let s = format!("{:.*e}", sig.saturating_sub(1), x);
    match s.split_once('e') {
        Some((m, e)) => {
            let (sign, digits) = match e.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', e),
            };
            format!("{m}e{sign}{digits:0>2}")
        }
        None => s,
    }
}

/// An integer-valued count or df without decimals; other values with `sig` significant digits.
pub fn count(x: f64) -> String {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        sig(x, 6)
    }
}

/// R's significance stars.
pub fn stars(p: f64) -> &'static str {
    if p.is_nan() {
        ""
    } else if p < 0.001 {
        "***"
    } else if p < 0.01 {
        "**"
    } else if p < 0.05 {
        "*"
    } else if p < 0.1 {
        "."
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn formats() {
        assert_eq!(fixed(-0.00001, 4), "0.0000");
        assert_eq!(fixed(1.23456, 2), "1.23");
        assert_eq!(p_sas(0.00001), "<.0001");
        assert_eq!(p_sas(0.0037), ".0037");
        assert_eq!(sig(0.000123456, 3), "0.000123");
        assert_eq!(sig(1234.5678, 3), "1235");
        assert_eq!(p_r(1e-20), "< 2e-16");
        assert_eq!(p_r(5.8e-7), "5.80e-07");
        assert_eq!(sci(1.5e12, 2), "1.5e+12");
        assert_eq!(count(110.0), "110");
        assert_eq!(stars(0.003), "**");
    }
}
