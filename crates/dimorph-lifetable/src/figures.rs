//! Back-to-back stacked-band pyramids (the paper's Figures 3–6): males to the left, females to
//! the right, one horizontal layer per single year of the primary age axis, each layer split into
//! colour bands of 20-year groups of the other axis ([`CLASS_WIDTH`]: six labelled classes, 0–19
//! to 100+, in six steps of ColorBrewer's sequential YlGnBu that can be told apart, where twelve
//! shades of one blue could not); and the cross-sections of f(y|a) (the paper's Figure 2,
//! [`remaining_lifespan`]).
//!
//! [`Perspective`] picks the pair of axes: deaths by age decomposed by years left (Fig. 3a),
//! deaths by years left decomposed by age (3b), years won by age at saving decomposed by ages to
//! be lived (4a), years won by age lived through decomposed by age at saving (4b).

use crate::lifelost::LifeLost;
use dimorph_report::svg::{nice_ticks, Chart};
use serde::Serialize;

/// Which matrix and which axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Perspective {
    /// D^s(a)·f(y|a) by age at death a, bands of years left y (eq. 4; Fig. 3a).
    DeathsByAge,
    /// D^s(y) by years left y, bands of age at death a (eq. 5; Fig. 3b).
    DeathsByYearsLeft,
    /// W^s(a) by age at saving a, bands of ages to be lived (eq. 3; Fig. 4a).
    YearsWonByAgeAtSaving,
    /// W^s(a+y|a) by age lived through, bands of age at saving (eq. 6; Fig. 4b).
    YearsWonByAgeLived,
}

impl Perspective {
    pub const ALL: [Perspective; 4] = [
        Perspective::DeathsByAge,
        Perspective::DeathsByYearsLeft,
        Perspective::YearsWonByAgeAtSaving,
        Perspective::YearsWonByAgeLived,
    ];
    /// Short name used in file names.
    pub fn slug(self) -> &'static str {
        match self {
            Perspective::DeathsByAge => "deaths_by_age",
            Perspective::DeathsByYearsLeft => "deaths_by_years_left",
            Perspective::YearsWonByAgeAtSaving => "years_won_by_age_at_saving",
            Perspective::YearsWonByAgeLived => "years_won_by_age_lived",
        }
    }
    /// (vertical axis, band variable, quantity)
    fn labels(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Perspective::DeathsByAge => ("Age at death (years lived)", "Years left", "Deaths"),
            Perspective::DeathsByYearsLeft => ("Years left", "Age at death", "Deaths"),
            Perspective::YearsWonByAgeAtSaving => ("Age at saving", "Ages to be lived", "Person-years won"),
            Perspective::YearsWonByAgeLived => ("Age lived through", "Age at saving", "Person-years won"),
        }
    }
    /// Layers (primary age) × bands (10-year groups of the other variable).
    pub fn layers(self, r: &LifeLost, group: usize) -> Vec<Vec<f64>> {
        let n = r.n();
        let k = n.div_ceil(group);
        let mut out = vec![vec![0.0; k]; n];
        let (m, transpose) = match self {
            Perspective::DeathsByAge => (&r.d_ay, false),
            Perspective::DeathsByYearsLeft => (&r.d_ay, true),
            Perspective::YearsWonByAgeAtSaving => (&r.w_ax, false),
            Perspective::YearsWonByAgeLived => (&r.w_ax, true),
        };
        for i in 0..n {
            for j in 0..n {
                let v = m[i * n + j];
                if v == 0.0 {
                    continue;
                }
                let (layer, other) = if transpose { (j, i) } else { (i, j) };
                out[layer][(other / group).min(k - 1)] += v;
            }
        }
        out
    }
}

/// The width in years of the colour classes of the pyramids.
pub const CLASS_WIDTH: usize = 20;

/// Six steps of ColorBrewer's sequential YlGnBu (its 7-class scheme without the palest, which
/// vanishes on white), light to dark.
const YLGNBU: [&str; 6] = ["#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"];

/// Colour of class `i` of `k` (light to dark): YlGnBu steps up to six classes, spread evenly
/// when fewer; a continuous blue ramp beyond.
pub fn class_colour(k: usize, i: usize) -> String {
    if k <= YLGNBU.len() {
        let j = if k > 1 {
            i * (YLGNBU.len() - 1) / (k - 1)
        } else {
            YLGNBU.len() / 2
        };
        return YLGNBU[j.min(YLGNBU.len() - 1)].to_string();
    }
    ramp(k, i)
}

/// A sequential blue ramp, light to dark.
fn ramp(k: usize, i: usize) -> String {
    let t = if k > 1 { i as f64 / (k - 1) as f64 } else { 0.5 };
    let (a, b) = ((222.0, 235.0, 247.0), (8.0, 48.0, 107.0));
    let c = |x: f64, y: f64| (x + (y - x) * t).round() as u8;
    format!("#{:02x}{:02x}{:02x}", c(a.0, b.0), c(a.1, b.1), c(a.2, b.2))
}

/// Draws one pyramid from the male and female results (either may be missing).
/// `percent`: values as % of the two sexes' total.
pub fn pyramid(
    title: &str,
    p: Perspective,
    male: Option<&LifeLost>,
    female: Option<&LifeLost>,
    percent: bool,
) -> String {
    let group = CLASS_WIDTH;
    let lm = male.map(|r| p.layers(r, group));
    let lf = female.map(|r| p.layers(r, group));
    let total: f64 = lm.iter().chain(lf.iter()).flatten().flatten().sum();
    let scale = if percent && total > 0.0 { 100.0 / total } else { 1.0 };
    let n = male.or(female).map(|r| r.n()).unwrap_or(1);
    let k = n.div_ceil(group);
    let max_row = lm
        .iter()
        .chain(lf.iter())
        .flat_map(|l| l.iter().map(|row| row.iter().sum::<f64>() * scale))
        .fold(0.0f64, f64::max)
        .max(1e-12);
    let (yl, band, qty) = p.labels();
    let xmax = max_row * 1.05;
    let ticks = nice_ticks(0.0, xmax, 3);
    let fmt = |v: f64| {
        if percent {
            format!("{}", (v * 100.0).round() / 100.0)
        } else if xmax >= 1e6 {
            format!("{}M", v / 1e6)
        } else if xmax >= 1e3 {
            format!("{}k", v / 1e3)
        } else {
            format!("{v}")
        }
    };
    let mut xt: Vec<(f64, String)> = ticks.iter().filter(|v| **v > 0.0).map(|v| (-v, fmt(*v))).collect();
    xt.reverse();
    xt.push((0.0, "0".into()));
    xt.extend(ticks.iter().filter(|v| **v > 0.0).map(|v| (*v, fmt(*v))));
    let x_label = format!(
        "{} ({}) — males left, females right",
        qty,
        if percent { "% of both sexes" } else { "count" }
    );
    let mut c = Chart::new(title, (-xmax, xmax), (0.0, n as f64))
        .size(720.0, 560.0)
        .labels(&x_label, yl)
        .x_ticks(xt)
        .margins(60.0, 120.0, 40.0, 55.0);
    let ages: Vec<f64> = (0..n).map(|i| i as f64 + 0.5).collect();
    for (side, layers) in [(-1.0, &lm), (1.0, &lf)] {
        let Some(layers) = layers else { continue };
        let mut lo = vec![0.0; n];
        for b in 0..k {
            let hi: Vec<f64> = lo
                .iter()
                .zip(layers.iter())
                .map(|(l, row)| l + row[b] * scale)
                .collect();
            let lo_s: Vec<f64> = lo.iter().map(|v| side * v).collect();
            let hi_s: Vec<f64> = hi.iter().map(|v| side * v).collect();
            // bands run vertically (age on y): build the polygon in (x, y) order
            let mut pts: Vec<(f64, f64)> = ages.iter().zip(&hi_s).map(|(a, h)| (*h, *a)).collect();
            pts.extend(ages.iter().zip(&lo_s).rev().map(|(a, l)| (*l, *a)));
            c.polygon(pts, &class_colour(k, b), 1.0, None);
            lo = hi;
        }
    }
    c.styled_line(vec![(0.0, 0.0), (0.0, n as f64)], "#333", 0.8, false, None);
    // legend on the right margin
    let x0 = c.width - 110.0;
    let mut legend = format!(
        "<text x=\"{x0}\" y=\"52\" font-size=\"11\" font-weight=\"600\">{}</text>",
        dimorph_report::escape(band)
    );
    for b in 0..k {
        let y = 60.0 + 16.0 * (k - 1 - b) as f64;
        let lab = if b == k - 1 {
            format!("{}+", b * group)
        } else {
            format!("{}–{}", b * group, b * group + group - 1)
        };
        legend.push_str(&format!(
            "<rect x=\"{x0}\" y=\"{y}\" width=\"14\" height=\"14\" fill=\"{}\"/><text x=\"{}\" y=\"{}\" font-size=\"11\">{lab}</text>",
            class_colour(k, b),
            x0 + 20.0,
            y + 11.0
        ));
    }
    let ly = c.y_px(n as f64 * 0.96);
    legend.push_str(&format!(
        "<text x=\"{}\" y=\"{ly}\" font-size=\"13\" text-anchor=\"middle\">Males</text><text x=\"{}\" y=\"{ly}\" font-size=\"13\" text-anchor=\"middle\">Females</text>",
        c.x_px(-xmax * 0.6),
        c.x_px(xmax * 0.6)
    ));
    c.raw(legend);
    c.to_svg()
}

/// The paper's Figure 2: cross-sections of f(y|a), the distribution of years left y of those
/// alive at age a (eq. 1; rows of [`LifeLost::f_given`]), one line per age of `ages` (indices of
/// the table's age-years; ages beyond the table are left out), against y.
pub fn remaining_lifespan(title: &str, r: &LifeLost, ages: &[usize]) -> String {
    let n = r.n();
    let ages: Vec<usize> = ages.iter().copied().filter(|a| *a < n).collect();
    let ymax = ages
        .iter()
        .flat_map(|a| r.f_given(*a).iter().copied())
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max)
        .max(1e-9)
        * 1.05;
    let mut c = Chart::new(title, (0.0, n as f64), (0.0, ymax))
        .size(720.0, 440.0)
        .labels("Years left, y", "f(y|a)")
        .margins(70.0, 110.0, 40.0, 55.0);
    let k = ages.len();
    for (j, a) in ages.iter().enumerate() {
        let f = r.f_given(*a);
        let pts: Vec<(f64, f64)> = f.iter().enumerate().take(n - a).map(|(y, v)| (y as f64, *v)).collect();
        let colour = line_colour(k, j);
        c.styled_line(pts, &colour, 1.8, false, Some(&format!("a = {}", r.age[*a])));
    }
    c.to_svg()
}

/// Distinguishable colours for `k` lines in order (young to old ages): viridis steps.
fn line_colour(k: usize, j: usize) -> String {
    const VIRIDIS: [&str; 8] = [
        "#440154", "#46327e", "#365c8d", "#277f8e", "#1fa187", "#4ac16d", "#a0da39", "#e3c800",
    ];
    let i = if k > 1 {
        j * (VIRIDIS.len() - 1) / (k - 1).max(1)
    } else {
        0
    };
    VIRIDIS[i.min(VIRIDIS.len() - 1)].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::AxMethod;
    use crate::population::Sex;
    use crate::table::Lifetable;

    fn result() -> LifeLost {
        let n = 111;
        let age: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let mut width = vec![1.0; n];
        width[n - 1] = f64::INFINITY;
        let m: Vec<f64> = age.iter().map(|a| 0.0005 * (0.09 * a).exp()).collect();
        let t = Lifetable::from_rates(Sex::Male, Some(2000), &age, &width, &m, AxMethod::Hmd, 1e5).unwrap();
        crate::life_lost("All", &t.dx, &t, crate::SavePoint::MeanAgeAtDeath).unwrap()
    }

    #[test]
    fn layers_add_up_to_the_margins() {
        let r = result();
        let by = |p: Perspective| -> Vec<f64> { p.layers(&r, 10).iter().map(|row| row.iter().sum()).collect() };
        let close = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-6 * y.abs().max(1.0));
        assert!(close(&by(Perspective::DeathsByAge), &r.deaths));
        assert!(close(&by(Perspective::DeathsByYearsLeft), &r.deaths_by_years_left));
        assert!(close(&by(Perspective::YearsWonByAgeAtSaving), &r.years_won));
        assert!(close(&by(Perspective::YearsWonByAgeLived), &r.years_won_by_age_lived));
    }

    #[test]
    fn pyramid_draws_both_sexes_and_a_legend() {
        let r = result();
        let svg = pyramid("t", Perspective::DeathsByAge, Some(&r), Some(&r), true);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(">Males<") && svg.contains(">Females<") && svg.contains(">100+<"));
        assert!(svg.contains("% of both sexes"));
        // six 20-year classes per side (0–19 … 100+), each its own YlGnBu step
        assert_eq!(svg.matches("fill-opacity=\"1\"").count(), 12);
        for c in YLGNBU {
            assert_eq!(
                svg.matches(&format!("fill=\"{c}\"")).count(),
                3,
                "{c}: two bands and a legend key"
            );
        }
        assert!(svg.contains(">0–19<") && svg.contains(">80–99<"));
    }

    #[test]
    fn figure_2_draws_one_density_per_age() {
        let r = result();
        let svg = remaining_lifespan("US males 2010", &r, &[0, 20, 40, 60, 80, 90, 200]);
        assert!(svg.starts_with("<svg") && svg.contains("US males 2010"));
        for a in [0, 20, 40, 60, 80, 90] {
            assert!(svg.contains(&format!(">a = {a}<")), "{a}");
        }
        assert!(!svg.contains("a = 200"));
        // each drawn row is a distribution over y
        for a in [0, 60, 90] {
            let s: f64 = r.f_given(a).iter().sum();
            assert!((s - 1.0).abs() < 1e-9, "{a}: {s}");
        }
    }
}
