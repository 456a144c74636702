//! The scatter plot of an embedding (Figure 3): points coloured by a numeric column on a diverging
//! blue–white–red scale centred at 0 (the logit class evidence), or by a categorical column; chosen
//! cluster regions drawn as labelled circles. Large embeddings are drawn from a random sample of
//! points (stated in the title) to keep the SVG small.

use crate::clusters::Region;
use crate::rng::Rng;
use dimorph_report::svg::Chart;

/// Ten distinguishable colours for categories (Tableau 10).
pub const CATEGORICAL: [&str; 10] = [
    "#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F", "#EDC948", "#B07AA1", "#FF9DA7", "#9C755F", "#BAB0AC",
];

/// How points are coloured.
pub enum Colour<'a> {
    None,
    /// Numeric values on a diverging scale symmetric about 0 (NaN drawn grey).
    Diverging {
        name: &'a str,
        values: &'a [f64],
    },
    /// Category labels (missing = empty string).
    Categorical {
        name: &'a str,
        labels: &'a [String],
    },
}

/// Blue (−1) – white (0) – red (+1).
pub fn diverging(t: f64) -> String {
    let t = t.clamp(-1.0, 1.0);
    let (lo, hi) = ((33.0, 102.0, 172.0), (178.0, 24.0, 43.0));
    let (r, g, b) = if t < 0.0 {
        let s = -t;
        (
            247.0 + (lo.0 - 247.0) * s,
            247.0 + (lo.1 - 247.0) * s,
            247.0 + (lo.2 - 247.0) * s,
        )
    } else {
        (
            247.0 + (hi.0 - 247.0) * t,
            247.0 + (hi.1 - 247.0) * t,
            247.0 + (hi.2 - 247.0) * t,
        )
    };
    format!("#{:02X}{:02X}{:02X}", r.round() as u8, g.round() as u8, b.round() as u8)
}

/// An SVG scatter of `y`, at most `max_points` points drawn (a seeded random sample).
pub fn scatter(
    title: &str,
    y: &[[f64; 2]],
    colour: &Colour,
    regions: &[Region],
    max_points: usize,
    seed: u64,
) -> String {
    let n = y.len();
    let shown: Vec<usize> = if n > max_points {
        Rng::new(seed).sample(n, max_points)
    } else {
        (0..n).collect()
    };
    let title = if shown.len() < n {
        format!("{title} ({} of {n} points shown)", shown.len())
    } else {
        title.to_string()
    };
    let (mut x0, mut x1, mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
    for p in y {
        x0 = x0.min(p[0]);
        x1 = x1.max(p[0]);
        y0 = y0.min(p[1]);
        y1 = y1.max(p[1]);
    }
    let pad = 0.03 * (x1 - x0).max(y1 - y0).max(1e-9);
    let mut c = Chart::new(&title, (x0 - pad, x1 + pad), (y0 - pad, y1 + pad))
        .size(640.0, 600.0)
        .labels("t-SNE 1", "t-SNE 2")
        .margins(60.0, 150.0, 40.0, 50.0);
    let r = if shown.len() > 5000 { 1.0 } else { 1.8 };
    draw(&mut c, y, &shown, colour, r, ("#4E79A7", None));
    for reg in regions {
        let steps = 60;
        let ring: Vec<(f64, f64)> = (0..=steps)
            .map(|s| {
                let a = s as f64 / steps as f64 * std::f64::consts::TAU;
                (reg.cx + reg.r * a.cos(), reg.cy + reg.r * a.sin())
            })
            .collect();
        c.styled_line(ring, "#000000", 1.5, true, None);
        c.text(reg.cx + reg.r * 0.75, reg.cy + reg.r * 0.75, &reg.name, "start");
    }
    c.to_svg()
}

/// Draws the points `shown` of `y` coloured by `colour` (`plain`: colour and legend label when
/// uncoloured).
fn draw(c: &mut Chart, y: &[[f64; 2]], shown: &[usize], colour: &Colour, r: f64, plain: (&str, Option<&str>)) {
    match colour {
        Colour::None => {
            c.points(shown.iter().map(|&i| (y[i][0], y[i][1])).collect(), plain.0, r, plain.1);
        }
        Colour::Categorical { name, labels } => {
            let (codes, levels) = crate::metrics::encode_labels(labels);
            let mut order: Vec<usize> = (0..levels.len()).collect();
            order.sort_by(|&a, &b| natural(&levels[a], &levels[b]));
            let many = levels.len() > CATEGORICAL.len();
            for (rank, &l) in order.iter().enumerate() {
                let colr = CATEGORICAL[rank % CATEGORICAL.len()];
                let pts = shown
                    .iter()
                    .filter(|&&i| codes[i] == l)
                    .map(|&i| (y[i][0], y[i][1]))
                    .collect();
                let label = if rank < 20 {
                    Some(format!("{name} = {}", levels[l]))
                } else {
                    None
                };
                c.points(pts, colr, r, label.as_deref());
            }
            if many {
                c.legend_entry(&format!("({} levels; colours repeat)", levels.len()), "#FFFFFF", false);
            }
        }
        Colour::Diverging { name, values } => {
            // scale: the 99th percentile of |v| (so a few extremes do not wash out the rest)
            let mut mags: Vec<f64> = shown
                .iter()
                .map(|&i| values[i].abs())
                .filter(|v| v.is_finite())
                .collect();
            mags.sort_by(f64::total_cmp);
            let top = mags
                .get(((mags.len() as f64 * 0.99) as usize).min(mags.len().saturating_sub(1)))
                .copied()
                .unwrap_or(1.0)
                .max(1e-12);
            const BINS: i32 = 10; // bins −10..=10
            let mut by_bin: Vec<Vec<(f64, f64)>> = vec![Vec::new(); (2 * BINS + 1) as usize];
            let mut missing = Vec::new();
            for &i in shown {
                let v = values[i];
                if !v.is_finite() {
                    missing.push((y[i][0], y[i][1]));
                    continue;
                }
                let b = ((v / top).clamp(-1.0, 1.0) * BINS as f64).round() as i32;
                by_bin[(b + BINS) as usize].push((y[i][0], y[i][1]));
            }
            if !missing.is_empty() {
                c.points(missing, "#BBBBBB", r, Some(&format!("{name} missing")));
            }
            // weak evidence first, strong last (on top)
            let mut bins: Vec<i32> = (-BINS..=BINS).collect();
            bins.sort_by_key(|b| b.abs());
            for b in bins {
                let pts = std::mem::take(&mut by_bin[(b + BINS) as usize]);
                c.points(pts, &diverging(b as f64 / BINS as f64), r, None);
            }
            for t in [1.0, 0.5, 0.0, -0.5, -1.0] {
                c.legend_entry(
                    &format!(
                        "{name} {}{}",
                        if t == 1.0 {
                            "≥ "
                        } else if t == -1.0 {
                            "≤ "
                        } else {
                            ""
                        },
                        dimorph_report::fmt::sig(t * top, 3)
                    ),
                    &diverging(t),
                    false,
                );
            }
        }
    }
}

/// The scatter of new points placed into an embedding (`dimorph embed --transform`): the
/// reference points in light grey beneath, the new points on top coloured by `colour` (red when
/// uncoloured); at most `max_points` of each drawn (seeded random samples).
pub fn overlay(
    title: &str,
    reference: &[[f64; 2]],
    new: &[[f64; 2]],
    colour: &Colour,
    max_points: usize,
    seed: u64,
) -> String {
    let sample = |n: usize, s: u64| -> Vec<usize> {
        if n > max_points {
            Rng::new(s).sample(n, max_points)
        } else {
            (0..n).collect()
        }
    };
    let (ref_shown, new_shown) = (sample(reference.len(), seed), sample(new.len(), seed ^ 1));
    let title = if ref_shown.len() < reference.len() || new_shown.len() < new.len() {
        format!(
            "{title} ({} of {} reference and {} of {} new points shown)",
            ref_shown.len(),
            reference.len(),
            new_shown.len(),
            new.len()
        )
    } else {
        title.to_string()
    };
    let (mut x0, mut x1, mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
    for p in reference.iter().chain(new) {
        x0 = x0.min(p[0]);
        x1 = x1.max(p[0]);
        y0 = y0.min(p[1]);
        y1 = y1.max(p[1]);
    }
    let pad = 0.03 * (x1 - x0).max(y1 - y0).max(1e-9);
    let mut c = Chart::new(&title, (x0 - pad, x1 + pad), (y0 - pad, y1 + pad))
        .size(640.0, 600.0)
        .labels("t-SNE 1", "t-SNE 2")
        .margins(60.0, 150.0, 40.0, 50.0);
    let r = if ref_shown.len() > 5000 { 1.0 } else { 1.8 };
    let label = format!("reference ({})", reference.len());
    c.points(
        ref_shown.iter().map(|&i| (reference[i][0], reference[i][1])).collect(),
        "#D0D0D0",
        r,
        Some(&label),
    );
    let label = format!("new ({})", new.len());
    draw(&mut c, new, &new_shown, colour, r + 0.8, ("#E15759", Some(&label)));
    c.to_svg()
}

/// Orders labels numerically when both parse as numbers, else as text.
fn natural(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.total_cmp(&y),
        _ => a.cmp(b),
    }
}
