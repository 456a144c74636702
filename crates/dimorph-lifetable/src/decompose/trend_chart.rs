//! Trend figures of a many-year decomposition ([`super::years`]): one bar per year, Arriaga's
//! contributions to that year's difference in e(x₀) stacked — those that widen it above zero,
//! those that narrow it below — by cause (`decompose_years_cause.svg`; years without cause data
//! show one `All` bar) and by broad age group (`decompose_years_age.svg`), as the single-year
//! charts of [`super::chart`] draw age groups.

use super::chart::{stacked_bars_on, Axis};
use super::measures::measure_label;
use super::result::DecomposeYearsResult;

/// Broad age groups of the age version: (label, first age, first age of the next).
const AGE_GROUPS: [(&str, f64, f64); 6] = [
    ("0", 0.0, 1.0),
    ("1–14", 1.0, 15.0),
    ("15–39", 15.0, 40.0),
    ("40–59", 40.0, 60.0),
    ("60–79", 60.0, 80.0),
    ("80+", 80.0, f64::INFINITY),
];

/// Year labels: every year when there are few, else the years ending in 0.
fn year_labels(years: &[i32]) -> Vec<String> {
    years
        .iter()
        .map(|y| {
            if years.len() <= 15 || y % 10 == 0 {
                y.to_string()
            } else {
                String::new()
            }
        })
        .collect()
}

/// Each cause's total contribution by year, `[cause][year]`, over the union of the years' cause
/// groups (in the order they first appear, `All` last).
pub fn by_cause(r: &DecomposeYearsResult) -> (Vec<String>, Vec<Vec<f64>>) {
    let mut causes: Vec<String> = Vec::new();
    for y in &r.by_year {
        for g in &y.result.groups {
            if !causes.contains(g) {
                causes.push(g.clone());
            }
        }
    }
    // `All` (the years without cause data) after the causes, so that each cause keeps the colour
    // of the single-year charts
    if causes.len() > 1 {
        if let Some(k) = causes.iter().position(|c| c == "All") {
            let all = causes.remove(k);
            causes.push(all);
        }
    }
    let mut v = vec![vec![0.0; r.by_year.len()]; causes.len()];
    for (j, y) in r.by_year.iter().enumerate() {
        for (g, c) in y.result.groups.iter().zip(&y.result.arriaga.by_age_cause) {
            if let Some(k) = causes.iter().position(|x| x == g) {
                v[k][j] += c.iter().sum::<f64>();
            }
        }
    }
    (causes, v)
}

/// Each broad age group's contribution by year, `[group][year]`.
pub fn by_age(r: &DecomposeYearsResult) -> (Vec<String>, Vec<Vec<f64>>) {
    let mut v = vec![vec![0.0; r.by_year.len()]; AGE_GROUPS.len()];
    for (j, y) in r.by_year.iter().enumerate() {
        for (a, x) in y.result.age.iter().zip(&y.result.arriaga.by_age) {
            if let Some(k) = AGE_GROUPS.iter().position(|(_, lo, hi)| a >= lo && a < hi) {
                v[k][j] += x;
            }
        }
    }
    (AGE_GROUPS.iter().map(|g| g.0.to_string()).collect(), v)
}

/// The two trend figures as (file name, caption, SVG).
pub fn figures(r: &DecomposeYearsResult) -> Vec<(String, String, String)> {
    let (Some(a), Some(b)) = (r.years.first(), r.years.last()) else {
        return Vec::new();
    };
    let from = r.by_year.first().map_or(0.0, |y| y.result.from_age);
    let labels = year_labels(&r.years);
    let bar_px = if r.years.len() > 30 { 12.0 } else { 30.0 };
    let title = |what: &str| {
        format!(
            "{}, {}: contributions to the difference in {} by {what}, {a}–{b} (Arriaga)",
            r.label.replace(", HMD", ""),
            r.comparison,
            measure_label("e", from)
        )
    };
    let mut out = Vec::new();
    for (name, what, legend, (series, v)) in [
        ("decompose_years_cause.svg", "cause", "Cause", by_cause(r)),
        ("decompose_years_age.svg", "age", "Age group", by_age(r)),
    ] {
        let axis = Axis {
            x_label: "Year",
            legend,
            bar_px,
        };
        let t = title(what);
        let svg = stacked_bars_on(&axis, &t, "Contribution (years)", &labels, &series, &v);
        out.push((name.to_string(), t, svg));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_labels_thin_out_over_many_years() {
        let few: Vec<i32> = (2001..=2005).collect();
        assert_eq!(year_labels(&few), ["2001", "2002", "2003", "2004", "2005"]);
        let many: Vec<i32> = (1933..=2019).collect();
        let l = year_labels(&many);
        assert_eq!(l.iter().filter(|x| !x.is_empty()).count(), 8); // 1940 … 2010
        assert_eq!((l[7].as_str(), l[8].as_str()), ("1940", ""));
    }

    #[test]
    fn age_groups_cover_every_age_once() {
        for a in 0..=110 {
            let n = AGE_GROUPS
                .iter()
                .filter(|(_, lo, hi)| f64::from(a) >= *lo && f64::from(a) < *hi)
                .count();
            assert_eq!(n, 1, "age {a}");
        }
    }
}
