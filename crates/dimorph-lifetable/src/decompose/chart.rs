//! Bar charts of a decomposition as demographers draw them: age groups along the horizontal
//! axis, one bar
//! per age group, its contributions stacked by cause — those that widen the difference above
//! zero, those that narrow it below — and a legend of causes.

use dimorph_report::escape;
use dimorph_report::svg::{nice_ticks, Chart};

/// Okabe & Ito's colour-blind-safe qualitative palette, then greys.
const PALETTE: [&str; 10] = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000", "#999999", "#666666",
];

/// The colour of cause `i` of a chart.
pub fn colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// Stacked bars: `values[c][g]` is cause c's contribution in age group g (labels `groups`),
/// `unit` the y axis label. Positive contributions stack up from 0, negative ones down.
pub fn stacked_bars(title: &str, unit: &str, groups: &[String], causes: &[String], values: &[Vec<f64>]) -> String {
    let axis = Axis {
        x_label: "Age group (its first age: 0, 1–4, 5–9, …)",
        legend: "Cause",
        bar_px: 36.0,
    };
    stacked_bars_on(&axis, title, unit, groups, causes, values)
}

/// What the horizontal axis of stacked bars shows: its label, the legend's title and the
/// width of one bar in pixels (years of a trend are narrower than age groups).
pub struct Axis<'a> {
    pub x_label: &'a str,
    pub legend: &'a str,
    pub bar_px: f64,
}

/// [`stacked_bars`] along any axis (e.g. years); an empty label leaves its tick unnamed.
pub fn stacked_bars_on(
    axis: &Axis,
    title: &str,
    unit: &str,
    groups: &[String],
    causes: &[String],
    values: &[Vec<f64>],
) -> String {
    let k = groups.len().max(1);
    let mut top = 0.0f64;
    let mut bottom = 0.0f64;
    for g in 0..groups.len() {
        let col = values.iter().map(|v| v[g]);
        top = top.max(col.clone().filter(|x| *x > 0.0).sum());
        bottom = bottom.min(col.filter(|x| *x < 0.0).sum());
    }
    let pad = 0.05 * (top - bottom).max(1e-9);
    let (lo, hi) = (bottom - if bottom < 0.0 { pad } else { 0.0 }, top + pad);
    let yt: Vec<(f64, String)> = nice_ticks(lo, hi, 6)
        .into_iter()
        .map(|v| (v, dimorph_core::text::num((v * 1e6).round() / 1e6)))
        .collect();
    let xt: Vec<(f64, String)> = groups
        .iter()
        .enumerate()
        .filter(|(_, g)| !g.is_empty())
        .map(|(i, g)| (i as f64 + 0.5, g.clone()))
        .collect();
    let mut c = Chart::new(title, (0.0, k as f64), (lo, hi))
        .size(
            (260.0 + axis.bar_px * k as f64)
                .max(640.0)
                .max(9.0 * title.chars().count() as f64 + 60.0),
            460.0,
        )
        .labels(axis.x_label, unit)
        .x_ticks(xt)
        .y_ticks(yt)
        .margins(70.0, 170.0, 40.0, 55.0);
    for g in 0..groups.len() {
        let (mut up, mut down) = (0.0, 0.0);
        for (ci, v) in values.iter().enumerate() {
            let x = v[g];
            if x > 0.0 {
                c.rect(g as f64 + 0.1, up, g as f64 + 0.9, up + x, colour(ci), None);
                up += x;
            } else if x < 0.0 {
                c.rect(g as f64 + 0.1, down + x, g as f64 + 0.9, down, colour(ci), None);
                down += x;
            }
        }
    }
    c.styled_line(vec![(0.0, 0.0), (k as f64, 0.0)], "#333", 1.0, false, None);
    let x0 = c.width - 160.0;
    let mut legend = format!(
        "<text x=\"{x0}\" y=\"52\" font-size=\"11\" font-weight=\"600\">{}</text>",
        escape(axis.legend)
    );
    for (i, name) in causes.iter().enumerate() {
        let y = 60.0 + 16.0 * i as f64;
        legend.push_str(&format!(
            "<rect x=\"{x0}\" y=\"{y}\" width=\"14\" height=\"14\" fill=\"{}\"/><text x=\"{}\" y=\"{}\" font-size=\"11\">{}</text>",
            colour(i),
            x0 + 20.0,
            y + 11.0,
            escape(&dimorph_core::text::clip_to(name, 22))
        ));
    }
    c.raw(legend);
    c.to_svg()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_stack_up_and_down_with_a_legend() {
        let svg = stacked_bars(
            "t",
            "years",
            &["0".into(), "1–4".into()],
            &["A".into(), "B & C".into()],
            &[vec![1.0, -0.5], vec![0.5, 0.25]],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(">A<") && svg.contains(">B &amp; C<"));
        // four bars and the two legend keys
        assert_eq!(svg.matches(&format!("fill=\"{}\"", colour(0))).count(), 3);
        assert_eq!(svg.matches(&format!("fill=\"{}\"", colour(1))).count(), 3);
    }
}
