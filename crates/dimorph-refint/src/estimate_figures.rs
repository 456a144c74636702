//! The figures of `refint estimate` for one group, as reflimR's `plot` draws them (Hoffmann et
//! al. 2024, J Clin Med 13:4397, Figure 1): the histogram of the values (density scale), the
//! fitted density of the non-pathological part (the method's normal or log-normal, scaled to the
//! fraction of non-pathological values), the truncation interval of the iterative box plot
//! shaded, the reference limits as vertical lines with their confidence intervals as bands, and
//! the tolerance intervals limit ± pD (Haeckel et al. 2016, eqs. 3–4) where the method computes
//! them; and a normal Q–Q plot of the (log-transformed) truncated values with the fitted line
//! μ + σ·z (step 3 of [`crate::estimate::reflim`]).
//!
//! The limit lines, the bars and the axis mapping carry `class`/`data-*` attributes so that a
//! reader (and the tests) can map pixels back to the analyte's scale.

use crate::estimate::group::GroupEstimate;
use crate::figures::Figure;
use crate::options::{EstimateOptions, Method, Transform};
use crate::stats::quantile7;
use dimorph_core::dist::qnorm;
use dimorph_report::fmt::sig;
use dimorph_report::svg::Chart;
use std::collections::HashSet;
use std::fmt::Write as _;

/// One estimated group to draw.
pub struct GroupPlot<'a> {
    /// The value column (the analyte; its name is the axis label).
    pub value: &'a str,
    /// The group as the report names it ("Sex = f", or "all").
    pub label: &'a str,
    /// The values the estimate was made from.
    pub x: &'a [f64],
    /// The estimate.
    pub est: &'a GroupEstimate,
    /// The group's colour (the same as in the histograms of all groups).
    pub colour: &'a str,
}

/// The fitted model of the non-pathological part: N(μ, σ) on the (log) scale, the fraction of
/// non-pathological values and the truncation interval (original scale), when the method has one.
#[derive(Debug, Clone, Copy)]
struct Model {
    mu: f64,
    sigma: f64,
    ln: bool,
    fraction: f64,
    truncation: Option<(f64, f64)>,
    perc_trunc: f64,
}

fn model(est: &GroupEstimate, o: &EstimateOptions) -> Option<Model> {
    if let Some(r) = &est.reflim {
        return Some(Model {
            mu: r.mean,
            sigma: r.sd,
            ln: r.lognormal,
            fraction: r.perc_norm / 100.0,
            truncation: Some(r.truncation),
            perc_trunc: o.reflim().perc_trunc,
        });
    }
    (o.method == Method::Parametric && o.transform() != Transform::BoxCox).then_some(Model {
        mu: est.summary.mean,
        sigma: est.summary.sd,
        ln: est.log_scale,
        fraction: 1.0,
        truncation: None,
        perc_trunc: 0.0,
    })
}

impl Model {
    /// The fitted density at `v` on the original scale, times the fraction.
    fn density(&self, v: f64) -> f64 {
        let phi = |z: f64| (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
        if self.ln {
            if v <= 0.0 {
                return 0.0;
            }
            self.fraction * phi((v.ln() - self.mu) / self.sigma) / (self.sigma * v)
        } else {
            self.fraction * phi((v - self.mu) / self.sigma) / self.sigma
        }
    }
}

/// A file-name-safe form of a group label: ASCII letters, digits, '-' and '_' kept, anything
/// else (a '/', a space, a dot, non-ASCII) becomes '_', runs of '_' collapse, at most 60
/// characters; "group" when nothing is left.
pub fn safe_name(label: &str) -> String {
    let mut s = String::new();
    for c in label.chars() {
        let c = if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' };
        if !(c == '_' && s.ends_with('_')) {
            s.push(c);
        }
    }
    let s: String = s.trim_matches('_').chars().take(60).collect();
    if s.is_empty() {
        "group".into()
    } else {
        s
    }
}

/// `stem.svg`, or `stem_2.svg`, `stem_3.svg`, … when the name is taken (labels that differ only
/// in characters [`safe_name`] replaces still get distinct files); records the name in `taken`.
pub fn distinct_file(stem: &str, taken: &mut HashSet<String>) -> String {
    let mut k = 1;
    loop {
        let name = if k == 1 {
            format!("{stem}.svg")
        } else {
            format!("{stem}_{k}.svg")
        };
        if taken.insert(name.to_ascii_lowercase()) {
            return name;
        }
        k += 1;
    }
}

/// The histogram figure of one group (see the module doc); values above median + 8·IQR are left
/// out of the picture (not of the estimate), as reflimR's plot does, and counted in the caption.
pub fn estimate_figure(p: &GroupPlot, o: &EstimateOptions, file: String) -> Figure {
    let m = model(p.est, o);
    let lim = &p.est.limits;
    let title = format!("{}, {}: {}, n = {}", p.value, p.label, lim.method, lim.n);
    let mut x = p.x.to_vec();
    x.sort_unstable_by(f64::total_cmp);
    let cut = if x.is_empty() {
        f64::INFINITY
    } else {
        quantile7(&x, 0.5) + 8.0 * (quantile7(&x, 0.75) - quantile7(&x, 0.25))
    };
    let shown: Vec<f64> = x.iter().copied().filter(|v| *v <= cut).collect();
    let beyond = x.len() - shown.len();
    let mut marks = vec![lim.lower, lim.upper];
    marks.extend(lim.ci_lower.iter().chain(&lim.ci_upper).flat_map(|&(a, b)| [a, b]));
    let tol = p.est.reflim.as_ref().and_then(|r| r.tolerance);
    marks.extend(tol.iter().flatten());
    let lo = shown
        .first()
        .copied()
        .unwrap_or(lim.lower)
        .min(marks.iter().copied().fold(f64::INFINITY, f64::min));
    let hi = shown
        .last()
        .copied()
        .unwrap_or(lim.upper)
        .max(marks.iter().copied().fold(f64::NEG_INFINITY, f64::max));
    let caption = format!(
        "{title}: histogram, fitted density of the non-pathological part, truncation, reference limits with \
         confidence intervals{}{}",
        if tol.is_some() { " and tolerance intervals" } else { "" },
        if beyond > 0 {
            format!(" ({beyond} values above median + 8·IQR not drawn)")
        } else {
            String::new()
        }
    );
    let pad = 0.03 * (hi - lo);
    let (x0, x1) = (lo - pad, hi + pad);
    if !(x1 - x0).is_finite() || shown.is_empty() {
        let mut c = Chart::new(&title, (0.0, 1.0), (0.0, 1.0));
        c.text(
            0.5,
            0.5,
            "no histogram: the values span more than the floating-point range",
            "middle",
        );
        return Figure {
            file,
            caption,
            svg: c.to_svg(),
        };
    }
    let (b0, w, counts) = bins(&shown);
    let n = x.len() as f64;
    let dens: Vec<f64> = counts.iter().map(|&c| c as f64 / (n * w)).collect();
    let grid: Vec<f64> = (0..=300).map(|i| x0 + (x1 - x0) * i as f64 / 300.0).collect();
    let curve: Vec<f64> = m.map_or_else(Vec::new, |m| grid.iter().map(|&v| m.density(v)).collect());
    let top = dens.iter().chain(&curve).copied().fold(0.0, f64::max).max(1e-300) * 1.7; // room for the legend
    let mut c = Chart::new(&title, (x0, x1), (0.0, top))
        .size(760.0, 460.0)
        .labels(p.value, "density");
    let band = |c: &mut Chart, a: f64, b: f64, fill: &str, op: f64, label: Option<&str>| {
        c.polygon(vec![(a, 0.0), (b, 0.0), (b, top), (a, top)], fill, op, label);
    };
    if let Some((t0, t1)) = m.and_then(|m| m.truncation) {
        band(
            &mut c,
            t0,
            t1,
            "#999999",
            0.15,
            Some("truncation interval (iterative box plot)"),
        );
    }
    if let Some(t) = tol {
        // dashed black edges: distinct from the groups' colours and the confidence bands
        for (i, &v) in t.iter().enumerate() {
            let label = (i == 0).then_some("tolerance intervals (limit ± pD), dashed");
            c.styled_line(vec![(v, 0.0), (v, top)], "#000000", 1.0, true, label);
        }
    }
    let mut first = true;
    for &(a, b) in lim.ci_lower.iter().chain(&lim.ci_upper) {
        let label = lim.ci_method.as_deref().map(|m| format!("confidence intervals: {m}"));
        band(&mut c, a, b, p.colour, 0.3, label.as_deref().filter(|_| first));
        first = false;
    }
    if let Some(m) = m {
        let kind = if m.ln { "log-normal" } else { "normal" };
        let label = if m.truncation.is_some() {
            format!(
                "fitted {kind} density × {} % non-pathological",
                sig(100.0 * m.fraction, 3)
            )
        } else {
            format!("fitted {kind} density (all values)")
        };
        c.styled_line(
            grid.iter().copied().zip(curve.iter().copied()).collect(),
            "#000000",
            1.8,
            false,
            Some(&label),
        );
    }
    let mut raw = String::new();
    let _ = write!(
        raw,
        "<g class=\"axes\" data-x-domain=\"{x0} {x1}\" data-x-px=\"{} {}\" data-y-domain=\"0 {top}\" \
         data-y-px=\"{} {}\" data-n=\"{}\" data-beyond=\"{beyond}\"/>",
        c.x_px(x0),
        c.x_px(x1),
        c.y_px(0.0),
        c.y_px(top),
        x.len()
    );
    raw.push_str(&bars(&c, b0, w, &counts, &dens, p.colour));
    for (name, v) in [("lower", lim.lower), ("upper", lim.upper)] {
        let px = c.x_px(v);
        let _ = write!(
            raw,
            "<line class=\"limit\" data-limit=\"{name}\" data-value=\"{v}\" x1=\"{px:.3}\" x2=\"{px:.3}\" y1=\"{:.3}\" \
             y2=\"{:.3}\" stroke=\"{}\" stroke-width=\"2\"/>",
            c.y_px(0.0),
            c.y_px(top),
            p.colour
        );
    }
    c.raw(raw);
    c.legend_entry(
        &format!("reference limits {} – {}", sig(lim.lower, 4), sig(lim.upper, 4)),
        p.colour,
        true,
    );
    if m.is_none() {
        c.legend_entry(&format!("{}: no fitted density", lim.method), "#999999", false);
    }
    Figure {
        file,
        caption,
        svg: c.to_svg(),
    }
}

/// Equal-width bins over the sorted `shown` values (2·√n of them, 10 to 80): (start, width,
/// counts).
fn bins(shown: &[f64]) -> (f64, f64, Vec<usize>) {
    let nb = ((2.0 * (shown.len() as f64).sqrt()).ceil() as usize).clamp(10, 80);
    let (b0, b1) = (shown[0], shown[shown.len() - 1]);
    let w = if b1 > b0 { (b1 - b0) / nb as f64 } else { 1.0 };
    let mut counts = vec![0usize; nb];
    for &v in shown {
        counts[(((v - b0) / w) as usize).min(nb - 1)] += 1;
    }
    (b0, w, counts)
}

/// The histogram's bars as SVG rectangles (density `dens`), each with its count.
fn bars(c: &Chart, b0: f64, w: f64, counts: &[usize], dens: &[f64], colour: &str) -> String {
    let mut raw = String::new();
    for (i, (&k, &d)) in counts.iter().zip(dens).enumerate() {
        let (a, b) = (c.x_px(b0 + i as f64 * w), c.x_px(b0 + (i + 1) as f64 * w));
        let (y, y0) = (c.y_px(d), c.y_px(0.0));
        let _ = write!(
            raw,
            "<rect class=\"bar\" data-count=\"{k}\" x=\"{a:.3}\" y=\"{y:.3}\" width=\"{:.3}\" height=\"{:.3}\" \
             fill=\"{colour}\" fill-opacity=\"0.35\" stroke=\"{colour}\" stroke-width=\"0.5\"/>",
            b - a,
            y0 - y,
        );
    }
    raw
}

/// The normal Q–Q plot of one group: for reflimR the truncated values (log scale when
/// log-normal) against Φ⁻¹ of equally spaced probabilities q…1 − q with the fitted line μ + σ·z;
/// for the other methods all values (log scale where the method summarises there) against
/// Φ⁻¹((i − ½)/n) with the line mean + SD·z.
pub fn qq_figure(p: &GroupPlot, o: &EstimateOptions, file: String) -> Figure {
    let m = model(p.est, o);
    let ln = m.map_or(p.est.log_scale, |m| m.ln);
    let (mu, sd) = m.map_or((p.est.summary.mean, p.est.summary.sd), |m| (m.mu, m.sigma));
    let keep = |v: &f64| m.and_then(|m| m.truncation).is_none_or(|(a, b)| *v >= a && *v <= b);
    let mut y: Vec<f64> =
        p.x.iter()
            .filter(|v| keep(v))
            .map(|&v| if ln { v.ln() } else { v })
            .filter(|v| v.is_finite())
            .collect();
    y.sort_unstable_by(f64::total_cmp);
    let k = y.len();
    let truncated = m.is_some_and(|m| m.truncation.is_some());
    let z = |i: usize| {
        if truncated {
            let q = m.map_or(0.0, |m| m.perc_trunc) / 100.0;
            qnorm(q + (1.0 - 2.0 * q) * i as f64 / (k.max(2) - 1) as f64)
        } else {
            qnorm((i as f64 + 0.5) / k as f64)
        }
    };
    // at most 1000 points drawn, evenly spaced in rank
    let step = k.div_ceil(1000).max(1);
    let pts: Vec<(f64, f64)> = (0..k).step_by(step).map(|i| (z(i), y[i])).collect();
    let scale = if ln { "ln " } else { "" };
    let title = format!(
        "{}, {}: normal Q–Q plot ({}n = {k})",
        p.value,
        p.label,
        if truncated { "truncated, " } else { "" }
    );
    let caption = format!(
        "{title}: {scale}values against normal quantiles with the fitted line {} + {}·z",
        sig(mu, 4),
        sig(sd, 4)
    );
    let (z0, z1) = match (pts.first(), pts.last()) {
        (Some(a), Some(b)) if b.0 > a.0 => (a.0, b.0),
        _ => (-2.0, 2.0),
    };
    let (lo, hi) = y
        .iter()
        .chain([mu + sd * z0, mu + sd * z1].iter())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    let (lo, hi) = if lo < hi { (lo, hi) } else { (mu - 1.0, mu + 1.0) };
    let pad = 0.05 * (hi - lo);
    let mut c = Chart::new(&title, (z0 - 0.1, z1 + 0.1), (lo - pad, hi + pad))
        .labels("normal quantile z", &format!("{scale}{}", p.value));
    c.points(pts, p.colour, 2.0, Some(&format!("{scale}values")));
    c.styled_line(
        vec![(z0, mu + sd * z0), (z1, mu + sd * z1)],
        "#000000",
        1.5,
        false,
        Some(&format!("fitted line μ + σ·z (μ = {}, σ = {})", sig(mu, 4), sig(sd, 4))),
    );
    Figure {
        file,
        caption,
        svg: c.to_svg(),
    }
}

/// The figures of every estimated group of `g`: `estimate_<group>.svg` and `qq_<group>.svg`
/// (`estimate.svg`, `qq.svg` without a group column; the value column first when `several`),
/// names made safe by [`safe_name`] and distinct within `taken`. Colours follow the order of the
/// estimated groups, as in the histograms of all groups. Groups that were not estimated get none.
pub fn group_figures(
    value: &str,
    several: bool,
    g: &crate::grouped::Grouped,
    groups: &[GroupEstimate],
    o: &EstimateOptions,
    taken: &mut HashSet<String>,
) -> Vec<Figure> {
    let mut out = Vec::new();
    for (k, est) in groups.iter().enumerate() {
        let Some((_, x)) = g.groups.iter().find(|(lvl, _)| *lvl == est.group) else {
            continue;
        };
        let label = crate::report::group_label(g.by.as_deref(), &est.group);
        let mut stem = String::new();
        if several {
            stem = format!("_{}", safe_name(value));
        }
        if g.by.is_some() {
            stem = format!("{stem}_{}", safe_name(&est.group));
        }
        let p = GroupPlot {
            value,
            label: &label,
            x,
            est,
            colour: dimorph_report::svg::PALETTE[k % dimorph_report::svg::PALETTE.len()],
        };
        let f1 = distinct_file(&format!("estimate{stem}"), taken);
        let f2 = distinct_file(&format!("qq{stem}"), taken);
        out.push(estimate_figure(&p, o, f1));
        out.push(qq_figure(&p, o, f2));
    }
    out
}
