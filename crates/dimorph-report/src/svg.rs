//! Dependency-free SVG charts.
//!
//! [`Chart`] maps data coordinates onto a plotting area with linear axes, "nice" ticks, a title,
//! axis labels and a legend. Series are lines (optionally dashed), points, filled polygons (bands)
//! and rectangles, which covers line plots, scatter plots, histograms, stacked-band pyramids and
//! equivalence-band plots. Anything else can be drawn in data coordinates with [`Chart::raw`] and
//! [`Chart::x_px`]/[`Chart::y_px`].

use crate::escape;
use std::fmt::Write as _;

/// A qualitative palette (Okabe–Ito, colour-blind safe).
pub const PALETTE: [&str; 8] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000",
];

/// "Nice" tick positions covering `[lo, hi]`, about `n` of them (1, 2 or 5 times a power of ten).
pub fn nice_ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || n == 0 {
        return Vec::new();
    }
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    let span = if hi > lo { hi - lo } else { lo.abs().max(1.0) };
    let raw = span / n as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| span / s <= n as f64 + 0.5)
        .unwrap_or(10.0 * mag);
    let start = (lo / step).ceil() as i64;
    let end = (hi / step).floor() as i64;
    (start..=end)
        .map(|k| k as f64 * step)
        .map(|v| if v.abs() < step * 1e-9 { 0.0 } else { v })
        .collect()
}

fn tick_label(v: f64, ticks: &[f64]) -> String {
    let step = if ticks.len() > 1 {
        (ticks[1] - ticks[0]).abs()
    } else {
        1.0
    };
    // fewest decimals that show the step exactly (2.5 needs one, 0.025 three)
    let d = (0..=8).find(|&d| {
        let m = step * 10f64.powi(d);
        (m - m.round()).abs() < 1e-6 * m.max(1.0)
    });
    format!("{v:.*}", d.unwrap_or(8) as usize)
}

#[derive(Debug, Clone)]
enum Item {
    Line {
        pts: Vec<(f64, f64)>,
        color: String,
        width: f64,
        dash: bool,
    },
    Points {
        pts: Vec<(f64, f64)>,
        color: String,
        r: f64,
    },
    Polygon {
        pts: Vec<(f64, f64)>,
        fill: String,
        opacity: f64,
    },
    Rect {
        x0: f64,
        y0: f64,
        x1: f64,
        y1: f64,
        fill: String,
        stroke: Option<String>,
    },
    Text {
        x: f64,
        y: f64,
        s: String,
        anchor: &'static str,
        size: f64,
    },
    Raw(String),
}

/// A chart with linear axes.
#[derive(Debug, Clone)]
pub struct Chart {
    pub width: f64,
    pub height: f64,
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    xr: (f64, f64),
    yr: (f64, f64),
    margin: (f64, f64, f64, f64), // left, right, top, bottom
    items: Vec<Item>,
    legend: Vec<(String, String, bool)>, // label, color, is_line
    x_ticks: Option<Vec<(f64, String)>>,
    y_ticks: Option<Vec<(f64, String)>>,
}

impl Chart {
    /// A chart showing `x_range × y_range` in data units.
    pub fn new(title: &str, x_range: (f64, f64), y_range: (f64, f64)) -> Self {
        let fix = |r: (f64, f64)| {
            if r.0 == r.1 {
                (r.0 - 0.5, r.1 + 0.5)
            } else {
                r
            }
        };
        Chart {
            width: 640.0,
            height: 420.0,
            title: title.into(),
            x_label: String::new(),
            y_label: String::new(),
            xr: fix(x_range),
            yr: fix(y_range),
            margin: (70.0, 20.0, 40.0, 55.0),
            items: Vec::new(),
            legend: Vec::new(),
            x_ticks: None,
            y_ticks: None,
        }
    }

    pub fn size(mut self, w: f64, h: f64) -> Self {
        self.width = w;
        self.height = h;
        self
    }
    pub fn labels(mut self, x: &str, y: &str) -> Self {
        self.x_label = x.into();
        self.y_label = y.into();
        self
    }
    /// Margins in pixels: left, right, top, bottom.
    pub fn margins(mut self, l: f64, r: f64, t: f64, b: f64) -> Self {
        self.margin = (l, r, t, b);
        self
    }
    /// Custom tick positions and labels on the x axis.
    pub fn x_ticks(mut self, t: Vec<(f64, String)>) -> Self {
        self.x_ticks = Some(t);
        self
    }
    pub fn y_ticks(mut self, t: Vec<(f64, String)>) -> Self {
        self.y_ticks = Some(t);
        self
    }

    /// Pixel x of a data x.
    pub fn x_px(&self, x: f64) -> f64 {
        let (l, r, _, _) = self.margin;
        l + (x - self.xr.0) / (self.xr.1 - self.xr.0) * (self.width - l - r)
    }
    /// Pixel y of a data y.
    pub fn y_px(&self, y: f64) -> f64 {
        let (_, _, t, b) = self.margin;
        self.height - b - (y - self.yr.0) / (self.yr.1 - self.yr.0) * (self.height - t - b)
    }

    pub fn line(&mut self, pts: Vec<(f64, f64)>, color: &str, label: Option<&str>) -> &mut Self {
        self.styled_line(pts, color, 2.0, false, label)
    }
    pub fn styled_line(
        &mut self,
        pts: Vec<(f64, f64)>,
        color: &str,
        width: f64,
        dash: bool,
        label: Option<&str>,
    ) -> &mut Self {
        if let Some(l) = label {
            self.legend.push((l.into(), color.into(), true));
        }
        self.items.push(Item::Line {
            pts,
            color: color.into(),
            width,
            dash,
        });
        self
    }
    pub fn points(&mut self, pts: Vec<(f64, f64)>, color: &str, r: f64, label: Option<&str>) -> &mut Self {
        if let Some(l) = label {
            self.legend.push((l.into(), color.into(), false));
        }
        self.items.push(Item::Points {
            pts,
            color: color.into(),
            r,
        });
        self
    }
    /// A filled polygon in data coordinates (bands, stacked areas).
    pub fn polygon(&mut self, pts: Vec<(f64, f64)>, fill: &str, opacity: f64, label: Option<&str>) -> &mut Self {
        if let Some(l) = label {
            self.legend.push((l.into(), fill.into(), false));
        }
        self.items.push(Item::Polygon {
            pts,
            fill: fill.into(),
            opacity,
        });
        self
    }
    /// A band between a lower and an upper curve sharing x values.
    pub fn band(
        &mut self,
        x: &[f64],
        lo: &[f64],
        hi: &[f64],
        fill: &str,
        opacity: f64,
        label: Option<&str>,
    ) -> &mut Self {
        let mut pts: Vec<(f64, f64)> = x.iter().zip(hi).map(|(&a, &b)| (a, b)).collect();
        pts.extend(x.iter().zip(lo).rev().map(|(&a, &b)| (a, b)));
        self.polygon(pts, fill, opacity, label)
    }
    /// A rectangle in data coordinates (histogram bars, pyramid bars).
    pub fn rect(&mut self, x0: f64, y0: f64, x1: f64, y1: f64, fill: &str, stroke: Option<&str>) -> &mut Self {
        self.items.push(Item::Rect {
            x0,
            y0,
            x1,
            y1,
            fill: fill.into(),
            stroke: stroke.map(Into::into),
        });
        self
    }
    /// Text at a data position; `anchor` is `start`, `middle` or `end`.
    pub fn text(&mut self, x: f64, y: f64, s: &str, anchor: &'static str) -> &mut Self {
        self.items.push(Item::Text {
            x,
            y,
            s: s.into(),
            anchor,
            size: 11.0,
        });
        self
    }
    /// A legend entry without a series.
    pub fn legend_entry(&mut self, label: &str, color: &str, is_line: bool) -> &mut Self {
        self.legend.push((label.into(), color.into(), is_line));
        self
    }
    /// Raw SVG markup in pixel coordinates, drawn after the series.
    pub fn raw(&mut self, markup: String) -> &mut Self {
        self.items.push(Item::Raw(markup));
        self
    }

    fn path(&self, pts: &[(f64, f64)]) -> String {
        let mut d = String::new();
        let mut pen_up = true;
        for &(x, y) in pts {
            if !(x.is_finite() && y.is_finite()) {
                pen_up = true;
                continue;
            }
            let _ = write!(
                d,
                "{}{:.2},{:.2} ",
                if pen_up { "M" } else { "L" },
                self.x_px(x),
                self.y_px(y)
            );
            pen_up = false;
        }
        d
    }

    /// Renders the chart as a standalone `<svg>` element: background and clip path, grid and tick
    /// labels, the plotted items (clipped to the plot area), raw overlays, frame and labels, legend.
    pub fn to_svg(&self) -> String {
        let (l, r, t, b) = self.margin;
        let (w, h) = (self.width, self.height);
        let mut s = String::new();
        let _ = write!(
            s,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
             font-family=\"sans-serif\" font-size=\"12\">"
        );
        let _ = write!(s, "<rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"white\"/>");
        let clip = format!("clip{}", (w * 7.0 + h * 13.0 + self.title.len() as f64) as u64);
        let _ = write!(
            s,
            "<defs><clipPath id=\"{clip}\"><rect x=\"{l}\" y=\"{t}\" width=\"{}\" height=\"{}\"/></clipPath></defs>",
            w - l - r,
            h - t - b
        );
        self.write_grid(&mut s);
        let _ = write!(s, "<g clip-path=\"url(#{clip})\">");
        self.write_items(&mut s);
        s.push_str("</g>");
        for it in &self.items {
            if let Item::Raw(m) = it {
                s.push_str(m);
            }
        }
        self.write_frame(&mut s);
        self.write_legend(&mut s);
        s.push_str("</svg>");
        s
    }

    /// Grid lines and tick labels of both axes.
    fn write_grid(&self, s: &mut String) {
        let (l, r, t, b) = self.margin;
        let (w, h) = (self.width, self.height);
        let xt: Vec<(f64, String)> = self.x_ticks.clone().unwrap_or_else(|| {
            let t = nice_ticks(self.xr.0, self.xr.1, 6);
            t.iter().map(|&v| (v, tick_label(v, &t))).collect()
        });
        let yt: Vec<(f64, String)> = self.y_ticks.clone().unwrap_or_else(|| {
            let t = nice_ticks(self.yr.0, self.yr.1, 6);
            t.iter().map(|&v| (v, tick_label(v, &t))).collect()
        });
        for (v, lab) in &xt {
            let x = self.x_px(*v);
            let _ = write!(
                s,
                "<line x1=\"{x:.2}\" y1=\"{t}\" x2=\"{x:.2}\" y2=\"{}\" stroke=\"#eee\"/>\
                 <text x=\"{x:.2}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                h - b,
                h - b + 16.0,
                escape(lab)
            );
        }
        for (v, lab) in &yt {
            let y = self.y_px(*v);
            let _ = write!(
                s,
                "<line x1=\"{l}\" y1=\"{y:.2}\" x2=\"{}\" y2=\"{y:.2}\" stroke=\"#eee\"/>\
                 <text x=\"{}\" y=\"{:.2}\" text-anchor=\"end\">{}</text>",
                w - r,
                l - 6.0,
                y + 4.0,
                escape(lab)
            );
        }
    }

    /// The plotted items (lines, points, polygons, rectangles, text), in order.
    fn write_items(&self, s: &mut String) {
        for it in &self.items {
            match it {
                Item::Line {
                    pts,
                    color,
                    width,
                    dash,
                } => {
                    let da = if *dash { " stroke-dasharray=\"6,4\"" } else { "" };
                    let _ = write!(
                        s,
                        "<path d=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"{width}\"{da}/>",
                        self.path(pts)
                    );
                }
                Item::Points { pts, color, r } => {
                    for &(x, y) in pts.iter().filter(|p| p.0.is_finite() && p.1.is_finite()) {
                        let _ = write!(
                            s,
                            "<circle cx=\"{:.2}\" cy=\"{:.2}\" r=\"{r}\" fill=\"{color}\" fill-opacity=\"0.8\"/>",
                            self.x_px(x),
                            self.y_px(y)
                        );
                    }
                }
                Item::Polygon { pts, fill, opacity } => {
                    let _ = write!(
                        s,
                        "<path d=\"{}Z\" fill=\"{fill}\" fill-opacity=\"{opacity}\" stroke=\"none\"/>",
                        self.path(pts)
                    );
                }
                Item::Rect {
                    x0,
                    y0,
                    x1,
                    y1,
                    fill,
                    stroke,
                } => {
                    let (a, c) = (self.x_px(*x0), self.x_px(*x1));
                    let (bb, d) = (self.y_px(*y0), self.y_px(*y1));
                    let st = stroke
                        .as_ref()
                        .map(|c| format!(" stroke=\"{c}\" stroke-width=\"0.5\""))
                        .unwrap_or_default();
                    let _ = write!(
                        s,
                        "<rect x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{:.2}\" fill=\"{fill}\"{st}/>",
                        a.min(c),
                        bb.min(d),
                        (c - a).abs(),
                        (d - bb).abs()
                    );
                }
                Item::Text {
                    x,
                    y,
                    s: txt,
                    anchor,
                    size,
                } => {
                    let _ = write!(
                        s,
                        "<text x=\"{:.2}\" y=\"{:.2}\" text-anchor=\"{anchor}\" font-size=\"{size}\">{}</text>",
                        self.x_px(*x),
                        self.y_px(*y),
                        escape(txt)
                    );
                }
                Item::Raw(_) => {}
            }
        }
    }

    /// Frame, title and axis labels.
    fn write_frame(&self, s: &mut String) {
        let (l, r, t, b) = self.margin;
        let (w, h) = (self.width, self.height);
        let _ = write!(
            s,
            "<rect x=\"{l}\" y=\"{t}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#333\"/>",
            w - l - r,
            h - t - b
        );
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"600\">{}</text>",
            (l + w - r) / 2.0,
            t - 14.0,
            escape(&self.title)
        );
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            (l + w - r) / 2.0,
            h - 12.0,
            escape(&self.x_label)
        );
        let _ = write!(
            s,
            "<text transform=\"translate(16,{}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
            (t + h - b) / 2.0,
            escape(&self.y_label)
        );
    }

    /// The legend: a line or a swatch per entry, top left inside the plot.
    fn write_legend(&self, s: &mut String) {
        let (l, _, t, _) = self.margin;
        for (i, (lab, color, is_line)) in self.legend.iter().enumerate() {
            let y = t + 16.0 + 18.0 * i as f64;
            let x = l + 12.0;
            if *is_line {
                let _ = write!(
                    s,
                    "<line x1=\"{x}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"{color}\" stroke-width=\"2.5\"/>",
                    x + 22.0
                );
            } else {
                let _ = write!(
                    s,
                    "<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{color}\"/>",
                    x + 5.0,
                    y - 6.0
                );
            }
            let _ = write!(s, "<text x=\"{}\" y=\"{}\">{}</text>", x + 28.0, y + 4.0, escape(lab));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_labels_show_the_step() {
        assert_eq!(tick_label(7.5, &[0.0, 2.5]), "7.5");
        assert_eq!(tick_label(10.0, &[0.0, 2.5]), "10.0");
        assert_eq!(tick_label(0.05, &[0.0, 0.025]), "0.050");
        assert_eq!(tick_label(20.0, &[0.0, 10.0]), "20");
    }

    #[test]
    fn ticks_are_nice() {
        assert_eq!(nice_ticks(0.0, 5.0, 5), vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        let t = nice_ticks(0.013, 0.131, 6);
        assert!(t.len() >= 3 && t.len() <= 8, "{t:?}");
        assert!(t.iter().all(|v| *v >= 0.013 && *v <= 0.131));
    }

    #[test]
    fn chart_renders_series() {
        let mut c = Chart::new("t", (0.0, 1.0), (0.0, 1.0)).labels("x", "y");
        c.line(vec![(0.0, 0.0), (1.0, 1.0)], PALETTE[0], Some("fit"));
        c.points(vec![(0.5, 0.5)], PALETTE[1], 3.0, None);
        let s = c.to_svg();
        assert!(s.starts_with("<svg") && s.ends_with("</svg>"));
        assert!(s.contains("<circle") && s.contains("<path"));
        assert!(s.contains(">fit<"));
    }
}
