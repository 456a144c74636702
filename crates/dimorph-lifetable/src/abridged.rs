//! The old-age closure of abridged tables (ages 0, 1–4, 5–9, …, an open group).
//!
//! The HMD never builds a table from abridged rates: its abridged tables (`*ltper_5x1`) are its
//! complete tables summed into groups — l(x) at each group's start, L and T summed — after the
//! Kannisto smoothing of the single-year rates from age Y on (Methods Protocol v6, section 7).
//! Abridged input has no single years, so the same curve is fitted to the groups themselves:
//!
//! * the Kannisto hazard μ(x) = a·e^{b(x−80)} / (1 + a·e^{b(x−80)}) is expanded into the
//!   single-year table it implies from a group's start (m_x = μ(x + ½), q_x = m/(1 + m/2), the
//!   open group 110+ (or the data's own, if older) closed with m = μ(110.5), L = l/m), and the
//!   group's central rate is that sub-table's deaths over its person-years,
//!   M_g = Σ d_x / Σ L_x ([`group_rate`]);
//! * a and b maximise the Poisson log-likelihood Σ_g D_g ln M_g − E_g M_g over the groups from
//!   age 80 ([`fit_groups`]; Fisher scoring, numerical derivatives of M_g);
//! * from age Y on, each group's q, a and m are those of the expanded sub-table — what the HMD's
//!   abridging of its complete table gives ([`closure`]): q = 1 − l(x+n)/l(x),
//!   a = (L − n·l(x+n))/d, m = d/L.
//!
//! Under `--no-smooth`, a group whose q = n·m/(1 + (n/2)·m) would exceed 1 (m > 2/n: 0.4 for
//! five-year groups) takes the constant-hazard q = 1 − e^{−n·m} instead of being capped at 1
//! with nobody left alive beyond it ([`crate::table`]).

use crate::kannisto::{self, KannistoFit};

/// The oldest single age the expansion reaches before its open group (the HMD's open age).
pub const EXPAND_TO: f64 = 110.0;

/// The single-year sub-table of `fit` from exact age `start` (l = 1 there) to `end` (the next
/// group's start) or, for an open group (`end = None`), to the open group max(start, 110)+:
/// returns (l at `end` (0 for an open group), person-years Σ L_x).
fn expand(fit: &KannistoFit, start: f64, end: Option<f64>) -> (f64, f64) {
    let stop = end.unwrap_or_else(|| start.max(EXPAND_TO));
    let (mut l, mut big_l) = (1.0_f64, 0.0_f64);
    let mut x = start;
    while x < stop {
        let m = fit.mu(x + 0.5);
        let q = (m / (1.0 + 0.5 * m)).min(1.0);
        let d = l * q;
        big_l += l - 0.5 * d;
        l -= d;
        x += 1.0;
    }
    if end.is_some() {
        return (l, big_l);
    }
    (0.0, big_l + l / fit.mu(stop + 0.5))
}

/// The central death rate of the group [`start`, `end`) (open when `end` is `None`) under the
/// fitted hazard: the expanded sub-table's deaths over its person-years.
pub fn group_rate(fit: &KannistoFit, start: f64, end: Option<f64>) -> f64 {
    let (l_end, big_l) = expand(fit, start, end);
    (1.0 - l_end) / big_l
}

/// q, a and m of the group [`start`, `start + n`) (open when `n` is infinite) under the fit, as
/// the HMD's abridging of its complete table gives them.
pub fn closure(fit: &KannistoFit, start: f64, n: f64) -> (f64, f64, f64) {
    let end = n.is_finite().then_some(start + n);
    let (l_end, big_l) = expand(fit, start, end);
    let d = 1.0 - l_end;
    let m = d / big_l;
    if end.is_none() {
        return (1.0, 1.0 / m, m);
    }
    let a = if d > 0.0 { (big_l - n * l_end) / d } else { n / 2.0 };
    (d, a, m)
}

/// Fits the Kannisto curve to abridged groups from age `fit_from` (see the module
/// documentation). `age`, `width` (the last infinite), `deaths` and `exposure` are the groups'.
/// Returns `None` when fewer than two groups with exposure are available or the fit fails.
pub fn fit_groups(age: &[f64], width: &[f64], deaths: &[f64], exposure: &[f64], fit_from: f64) -> Option<KannistoFit> {
    let groups: Vec<(f64, Option<f64>, f64, f64)> = (0..age.len())
        .filter(|&i| age[i] >= fit_from && exposure[i] > 0.0)
        .map(|i| {
            (
                age[i],
                width[i].is_finite().then(|| age[i] + width[i]),
                deaths[i],
                exposure[i],
            )
        })
        .collect();
    if groups.len() < 2 {
        return None;
    }
    // start: the single-year fit with each group's rate placed at its middle
    let mids: Vec<f64> = groups
        .iter()
        .map(|(s, e, _, _)| e.map_or(*s, |e| (s + e) / 2.0 - 0.5))
        .collect();
    let d: Vec<f64> = groups.iter().map(|g| g.2).collect();
    let e: Vec<f64> = groups.iter().map(|g| g.3).collect();
    let start = kannisto::fit(&mids, &d, &e, fit_from)?;
    let curve = |alpha: f64, b: f64| KannistoFit {
        a: alpha.exp(),
        b,
        ..start
    };
    let loglik = |alpha: f64, b: f64| -> f64 {
        let c = curve(alpha, b);
        groups
            .iter()
            .map(|(s, end, d, e)| {
                let m = group_rate(&c, *s, *end);
                d * m.ln() - e * m
            })
            .sum()
    };
    let (mut alpha, mut b) = (start.a.ln(), start.b);
    let mut ll = loglik(alpha, b);
    let h = 1e-6;
    let mut iterations = 0;
    for it in 0..200 {
        iterations = it + 1;
        let (mut g0, mut g1, mut i00, mut i01, mut i11) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for (s, end, dg, eg) in &groups {
            let m = group_rate(&curve(alpha, b), *s, *end);
            let da =
                (group_rate(&curve(alpha + h, b), *s, *end) - group_rate(&curve(alpha - h, b), *s, *end)) / (2.0 * h);
            let db =
                (group_rate(&curve(alpha, b + h), *s, *end) - group_rate(&curve(alpha, b - h), *s, *end)) / (2.0 * h);
            let r = dg / m - eg;
            g0 += r * da;
            g1 += r * db;
            let w = eg / m;
            i00 += w * da * da;
            i01 += w * da * db;
            i11 += w * db * db;
        }
        let det = i00 * i11 - i01 * i01;
        if !(det.is_finite() && det > 0.0) {
            return None;
        }
        let sa = (i11 * g0 - i01 * g1) / det;
        let sb = (i00 * g1 - i01 * g0) / det;
        let mut step = 1.0;
        let mut accepted = false;
        for _ in 0..60 {
            let (na, nb) = (alpha + step * sa, b + step * sb);
            let nll = loglik(na, nb);
            if nll.is_finite() && nll >= ll - 1e-12 * ll.abs().max(1.0) {
                (alpha, b, ll) = (na, nb, nll);
                accepted = true;
                break;
            }
            step *= 0.5;
        }
        if !accepted || (sa * step).abs() + (sb * step).abs() < 1e-11 {
            break;
        }
    }
    if !(alpha.is_finite() && b.is_finite()) {
        return None;
    }
    Some(KannistoFit {
        loglik: ll,
        iterations,
        ..curve(alpha, b)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curve(a: f64, b: f64) -> KannistoFit {
        KannistoFit {
            a,
            b,
            fit_from: 80.0,
            replaced_from: 80.0,
            loglik: 0.0,
            iterations: 0,
        }
    }

    #[test]
    fn group_rates_of_a_flat_hazard_are_the_hazard() {
        // a constant μ (b = 0) gives M = m(1 + m/2)… exactly m under the HMD's a = ½ per year
        let c = curve(0.25, 0.0);
        let mu = c.mu(90.0);
        assert!((group_rate(&c, 85.0, Some(90.0)) - mu).abs() < 1e-12);
        assert!((group_rate(&c, 110.0, None) - mu).abs() < 1e-12);
        let (q, a, m) = closure(&c, 85.0, 5.0);
        assert!(
            (m - mu).abs() < 1e-12 && q > 0.0 && q < 1.0 && a > 0.0 && a < 2.5,
            "{q} {a} {m}"
        );
    }

    #[test]
    fn recovers_the_curve_from_expected_group_deaths() {
        let truth = curve(0.06, 0.12);
        let age: Vec<f64> = (16..=22).map(|k| 5.0 * f64::from(k)).collect(); // 80..110
        let mut width = vec![5.0; age.len()];
        *width.last_mut().unwrap() = f64::INFINITY;
        let exposure: Vec<f64> = age.iter().map(|x| 1e6 * (-0.15 * (x - 80.0)).exp()).collect();
        let deaths: Vec<f64> = (0..age.len())
            .map(|i| exposure[i] * group_rate(&truth, age[i], width[i].is_finite().then(|| age[i] + width[i])))
            .collect();
        let f = fit_groups(&age, &width, &deaths, &exposure, 80.0).unwrap();
        assert!((f.a - 0.06).abs() < 1e-6 && (f.b - 0.12).abs() < 1e-6, "{f:?}");
    }
}
