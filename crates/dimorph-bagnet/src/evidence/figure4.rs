//! Figure 4 of Ilanchezian et al. (2021): two-dimensional kernel density estimates of the evidence
//! statistics of the correctly classified test images by class — (a) the fraction of patches with
//! logit above +t against the largest patch logit, (b) the fraction below −t against |smallest
//! patch logit| — each class in its colour of [`super::palette`] (the paper's "male (red) and
//! female (blue)"), the threshold written in at most 4 significant digits.

use dimorph_core::OutputFile;
use dimorph_report::svg::Chart;

use super::maps::ImageEvidence;
use super::palette::class_colour;
use super::render::short;

/// Significant digits of the threshold in axis labels and captions (34.44, not
/// 34.444969177246094).
pub const THRESHOLD_DIGITS: usize = 4;

/// The threshold `t` as the figures write it.
pub fn threshold_label(t: f64) -> String {
    short(t, THRESHOLD_DIGITS)
}

/// One class's points and colour.
pub struct Group {
    pub name: String,
    pub colour: String,
    pub points: Vec<(f64, f64)>,
}

/// The data range of all groups' points, padded by 10 % (a unit range when flat).
fn range(groups: &[Group]) -> (f64, f64, f64, f64) {
    let (mut x0, mut x1, mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
    for &(x, y) in groups.iter().flat_map(|g| g.points.iter()) {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    if !x0.is_finite() {
        (x0, x1) = (0.0, 1.0);
    }
    if !y0.is_finite() {
        (y0, y1) = (0.0, 1.0);
    }
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    if y1 <= y0 {
        y1 = y0 + 1.0;
    }
    let (px, py) = ((x1 - x0) * 0.1, (y1 - y0) * 0.1);
    (x0 - px, x1 + px, y0 - py, y1 + py)
}

/// Cells per side of the density grid.
const GRID: usize = 30;

/// The Gaussian kernel density (Scott's bandwidths, product kernel) of `pts` on a GRID² grid over
/// the box, scaled to a maximum of 1 (row a = x cell, column b = y cell).
fn density(pts: &[(f64, f64)], (x0, x1, y0, y1): (f64, f64, f64, f64)) -> Vec<f64> {
    let n = pts.len() as f64;
    let sd = |v: Vec<f64>| {
        let m = v.iter().sum::<f64>() / n;
        (v.iter().map(|a| (a - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    };
    let f = n.powf(-1.0 / 6.0);
    let hx = (sd(pts.iter().map(|p| p.0).collect()) * f).max((x1 - x0) / 100.0);
    let hy = (sd(pts.iter().map(|p| p.1).collect()) * f).max((y1 - y0) / 100.0);
    let mut dens = vec![0.0; GRID * GRID];
    for a in 0..GRID {
        for b in 0..GRID {
            let cx = x0 + (a as f64 + 0.5) * (x1 - x0) / GRID as f64;
            let cy = y0 + (b as f64 + 0.5) * (y1 - y0) / GRID as f64;
            dens[a * GRID + b] = pts
                .iter()
                .map(|p| (-0.5 * (((p.0 - cx) / hx).powi(2) + ((p.1 - cy) / hy).powi(2))).exp())
                .sum::<f64>();
        }
    }
    let top = dens.iter().cloned().fold(0.0, f64::max).max(1e-300);
    dens.iter().map(|d| d / top).collect()
}

/// A 2-D kernel density plot of (x, y) per group, drawn as shaded grids in each group's colour
/// with the points on top and the groups named in the legend.
pub fn kde_svg(title: &str, xlab: &str, ylab: &str, groups: &[Group]) -> String {
    let (x0, x1, y0, y1) = range(groups);
    let mut c = Chart::new(title, (x0, x1), (y0, y1)).labels(xlab, ylab);
    for g in groups {
        if g.points.len() >= 2 {
            let dens = density(&g.points, (x0, x1, y0, y1));
            let mut rects = String::new();
            for a in 0..GRID {
                for b in 0..GRID {
                    let o = dens[a * GRID + b];
                    if o < 0.05 {
                        continue;
                    }
                    let (ax, bx) = (
                        c.x_px(x0 + a as f64 * (x1 - x0) / GRID as f64),
                        c.x_px(x0 + (a + 1) as f64 * (x1 - x0) / GRID as f64),
                    );
                    let (ay, by) = (
                        c.y_px(y0 + (b + 1) as f64 * (y1 - y0) / GRID as f64),
                        c.y_px(y0 + b as f64 * (y1 - y0) / GRID as f64),
                    );
                    rects.push_str(&format!(
                        "<rect x=\"{ax:.1}\" y=\"{ay:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\" fill-opacity=\"{:.2}\"/>",
                        bx - ax,
                        by - ay,
                        g.colour,
                        0.45 * o
                    ));
                }
            }
            c.raw(rects);
        }
        let label = format!("{} ({} images)", g.name, g.points.len());
        c.points(g.points.clone(), &g.colour, 2.0, Some(&label));
    }
    c.to_svg()
}

/// The density plots of a binary model (none otherwise): `kde_positive.svg` (Fig. 4a: fraction of
/// patches above +t against the largest patch logit) and `kde_negative.svg` (Fig. 4b: fraction below
/// −t against |smallest patch logit|), correctly classified images only.
pub fn kde_files(classes: &[String], ev: &[ImageEvidence], threshold: f64) -> Vec<OutputFile> {
    if classes.len() != 2 {
        return Vec::new();
    }
    let t = threshold_label(threshold);
    let groups = |f: &dyn Fn(&ImageEvidence) -> (f64, f64)| -> Vec<Group> {
        (0..2)
            .map(|k| Group {
                name: classes[k].clone(),
                colour: class_colour(k, 2),
                points: ev.iter().filter(|e| e.target == k && e.predicted == k).map(f).collect(),
            })
            .collect()
    };
    let a = kde_svg(
        &format!("a  {} evidence (t = {t})", classes[1]),
        &format!("fraction of patches with logit > {t}"),
        "largest patch logit",
        &groups(&|e| (e.frac_above, e.max_logit)),
    );
    let b = kde_svg(
        &format!("b  {} evidence (t = {t})", classes[0]),
        &format!("fraction of patches with logit < -{t}"),
        "|smallest patch logit|",
        &groups(&|e| (e.frac_below, e.min_logit.abs())),
    );
    vec![
        OutputFile::text("kde_positive.svg", a),
        OutputFile::text("kde_negative.svg", b),
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn threshold_labels_are_short() {
        let one = |target: usize| crate::evidence::ImageEvidence {
            index: 0,
            name: "x.png".into(),
            target,
            predicted: target,
            logit: 0.0,
            side: 1,
            map: vec![0.0],
            frac_above: 0.1 * target as f64,
            frac_below: 0.2,
            max_logit: 40.0 + target as f64,
            min_logit: -30.0,
            strongest_in_planted: None,
        };
        let ev = vec![one(0), one(1), one(0), one(1)];
        let files = super::kde_files(&["female".into(), "male".into()], &ev, 34.444969177246094);
        let svg = String::from_utf8_lossy(&files[0].bytes).into_owned();
        assert!(
            svg.contains("logit &gt; 34.44") || svg.contains("logit > 34.44"),
            "{svg}"
        );
        assert!(!svg.contains("34.444969"));
        assert_eq!(super::threshold_label(50.0), "50");
        assert_eq!(super::threshold_label(0.123456), "0.1235");
    }
}
