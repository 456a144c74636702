//! The figures of an explanation (paper Fig. 2 and 4): each image beside its evidence map, the
//! averaged maps and images of the correctly classified images per class, and the 2-D kernel
//! density plots of the evidence statistics by class; returned as files for the output folder.

use std::path::Path;

use dimorph_core::OutputFile;
use dimorph_report::svg::{Chart, PALETTE};

use super::maps::ImageEvidence;
use crate::data::Dataset;
use crate::image::RgbImage;
use crate::model::PATCH_STRIDE;
use crate::BagNetError;

/// The patch whose window centre is nearest to pixel (x, y).
fn patch_at(x: usize, y: usize, q: usize, side: usize) -> (usize, usize) {
    let f = |v: usize| {
        let t = (v as f64 - q as f64 / 2.0) / PATCH_STRIDE as f64;
        (t.round().max(0.0) as usize).min(side - 1)
    };
    (f(y), f(x))
}

/// The image beside its evidence map (red: positive evidence, blue: negative; clipped to ±clip).
#[allow(clippy::needless_range_loop)]
pub fn overlay(img: &RgbImage, map: &[f64], side: usize, q: usize, clip: f64) -> RgbImage {
    let (w, h) = (img.width, img.height);
    let mut out = RgbImage::new(2 * w, h);
    for y in 0..h {
        for x in 0..w {
            let (r, c) = patch_at(x, y, q, side);
            let v = (map[r * side + c] / clip).clamp(-1.0, 1.0) as f32;
            let col = if v >= 0.0 { [1.0, 0.1, 0.1] } else { [0.1, 0.3, 1.0] };
            let a = 0.75 * v.abs();
            let grey = (img.get(x, y, 0) + img.get(x, y, 1) + img.get(x, y, 2)) / 3.0;
            for ch in 0..3 {
                out.set(x, y, ch, img.get(x, y, ch));
                out.set(w + x, y, ch, grey * (1.0 - a) + col[ch] * a);
            }
        }
    }
    out
}

/// 2-D kernel density plot (Gaussian kernels, Scott's bandwidths) of (x, y) per class, drawn as
/// shaded grids with the points on top (Fig. 4).
pub fn kde_svg(title: &str, xlab: &str, ylab: &str, groups: &[(String, Vec<(f64, f64)>)]) -> String {
    let all: Vec<(f64, f64)> = groups.iter().flat_map(|g| g.1.iter().copied()).collect();
    let (mut x0, mut x1, mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
    for &(x, y) in &all {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    if x1.is_nan() || x1 <= x0 {
        x1 = x0 + 1.0;
    }
    if y1.is_nan() || y1 <= y0 {
        y1 = y0 + 1.0;
    }
    let (px, py) = ((x1 - x0) * 0.1, (y1 - y0) * 0.1);
    let (x0, x1, y0, y1) = (x0 - px, x1 + px, y0 - py, y1 + py);
    let mut c = Chart::new(title, (x0, x1), (y0, y1)).labels(xlab, ylab);
    let g = 30;
    for (k, (name, pts)) in groups.iter().enumerate() {
        if pts.len() < 2 {
            continue;
        }
        let col = PALETTE[k % PALETTE.len()];
        let n = pts.len() as f64;
        let sd = |v: Vec<f64>| {
            let m = v.iter().sum::<f64>() / n;
            (v.iter().map(|a| (a - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
        };
        let f = n.powf(-1.0 / 6.0);
        let hx = (sd(pts.iter().map(|p| p.0).collect()) * f).max((x1 - x0) / 100.0);
        let hy = (sd(pts.iter().map(|p| p.1).collect()) * f).max((y1 - y0) / 100.0);
        let mut dens = vec![0.0; g * g];
        for a in 0..g {
            for b in 0..g {
                let (cx, cy) = (
                    x0 + (a as f64 + 0.5) * (x1 - x0) / g as f64,
                    y0 + (b as f64 + 0.5) * (y1 - y0) / g as f64,
                );
                dens[a * g + b] = pts
                    .iter()
                    .map(|p| (-0.5 * (((p.0 - cx) / hx).powi(2) + ((p.1 - cy) / hy).powi(2))).exp())
                    .sum::<f64>();
            }
        }
        let top = dens.iter().cloned().fold(0.0, f64::max).max(1e-300);
        let mut rects = String::new();
        for a in 0..g {
            for b in 0..g {
                let o = dens[a * g + b] / top;
                if o < 0.05 {
                    continue;
                }
                let (ax, bx) = (
                    c.x_px(x0 + a as f64 * (x1 - x0) / g as f64),
                    c.x_px(x0 + (a + 1) as f64 * (x1 - x0) / g as f64),
                );
                let (ay, by) = (
                    c.y_px(y0 + (b + 1) as f64 * (y1 - y0) / g as f64),
                    c.y_px(y0 + b as f64 * (y1 - y0) / g as f64),
                );
                rects.push_str(&format!(
                    "<rect x=\"{ax:.1}\" y=\"{ay:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{col}\" fill-opacity=\"{:.2}\"/>",
                    bx - ax,
                    by - ay,
                    0.45 * o
                ));
            }
        }
        c.raw(rects);
        c.points(pts.clone(), col, 2.0, Some(name));
    }
    c.to_svg()
}

/// Mean of maps (all of one side) and mean of images.
pub fn average(maps: &[&[f64]], imgs: &[&RgbImage]) -> (Vec<f64>, RgbImage) {
    let mut m = vec![0.0; maps.first().map_or(0, |v| v.len())];
    for v in maps {
        for (a, b) in m.iter_mut().zip(v.iter()) {
            *a += b / maps.len() as f64;
        }
    }
    let mut img = RgbImage::new(imgs[0].width, imgs[0].height);
    for i in imgs {
        for (a, b) in img.data.iter_mut().zip(&i.data) {
            *a += b / imgs.len() as f32;
        }
    }
    (m, img)
}

/// A name that is safe as one file name (letters, digits, `-`, `_`, `.`; anything else becomes `_`).
pub fn file_stem(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || s.chars().all(|c| c == '.') {
        "_".into()
    } else {
        s
    }
}

/// Longest file name made from an image path or a class name (before a `-k` suffix).
const MAX_NAME_CHARS: usize = 100;

/// Names that stay apart: an image's path in the label CSV mirrored under the output folder (its
/// folders kept as folders and its stem as the file name, each part made safe by [`file_stem`] and
/// at most [`MAX_NAME_CHARS`] characters; `..` and a leading `/` dropped), with `-2`, `-3`, … after
/// a name already given (compared without case, for file systems that ignore it): `a/same.png` and
/// `b/same.png` become `a/same` and `b/same`, per-patient folders of `OD.jpg` stay apart.
#[derive(Default)]
pub struct UniqueNames {
    used: std::collections::HashSet<String>,
}

impl UniqueNames {
    /// The name (a relative path without extension) for the image at `path` (as written in the
    /// label CSV).
    pub fn for_path(&mut self, path: &str) -> String {
        let p = Path::new(path);
        let mut parts: Vec<String> = p
            .components()
            .filter_map(|c| match c {
                std::path::Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect();
        let Some(last) = parts.pop() else {
            return self.unique("_");
        };
        let stem = Path::new(&last)
            .file_stem()
            .map_or(last.clone(), |s| s.to_string_lossy().into_owned());
        let folders: Vec<String> = parts
            .iter()
            .map(|s| file_stem(s).chars().take(MAX_NAME_CHARS).collect())
            .collect();
        let base: String = file_stem(&stem).chars().take(MAX_NAME_CHARS).collect();
        let prefix: String = folders.iter().map(|f| format!("{f}/")).collect();
        self.unique_in(&prefix, &base)
    }

    /// `base` made safe and short, with a suffix when already given.
    pub fn unique(&mut self, base: &str) -> String {
        let base: String = file_stem(base).chars().take(MAX_NAME_CHARS).collect();
        self.unique_in("", &base)
    }

    /// `prefix` + `base` with a suffix after `base` when the whole was already given.
    fn unique_in(&mut self, prefix: &str, base: &str) -> String {
        let mut name = format!("{prefix}{base}");
        let mut k = 1;
        while !self.used.insert(name.to_lowercase()) {
            k += 1;
            name = format!("{prefix}{base}-{k}");
        }
        name
    }
}

/// Each of the first `max_images` images beside its evidence map (`maps/<path>.png`, the image's
/// relative path mirrored by [`UniqueNames`]), and the averaged map and image of the correctly classified images of each
/// class (`average_<class>.png`), all classes on one common scale.
pub fn map_files(
    ds: &Dataset,
    ev: &[ImageEvidence],
    q: usize,
    clip: f64,
    max_images: usize,
) -> Result<Vec<OutputFile>, BagNetError> {
    let mut files = Vec::new();
    let mut names = UniqueNames::default();
    for e in ev.iter().take(max_images) {
        let png = overlay(&ds.images[e.index], &e.map, e.side, q, clip).to_png()?;
        files.push(OutputFile::new(format!("maps/{}.png", names.for_path(&e.name)), png));
    }
    let mut names = UniqueNames::default();
    // The averaged maps of all classes on one common scale (the largest |mean patch logit| of any),
    // so that they can be compared (paper Fig. 2).
    let mut averages = Vec::new();
    for (t, cls) in ds.classes.iter().enumerate() {
        let sel: Vec<&ImageEvidence> = ev.iter().filter(|e| e.target == t && e.predicted == t).collect();
        if sel.is_empty() {
            continue;
        }
        let maps: Vec<&[f64]> = sel.iter().map(|e| e.map.as_slice()).collect();
        let imgs: Vec<&RgbImage> = sel.iter().map(|e| &ds.images[e.index]).collect();
        let (m, img) = average(&maps, &imgs);
        averages.push((cls, m, img, sel[0].side));
    }
    let common = averages
        .iter()
        .flat_map(|a| a.1.iter())
        .fold(0.0f64, |a, b| a.max(b.abs()))
        .max(1e-12);
    for (cls, m, img, side) in averages {
        let png = overlay(&img, &m, side, q, common).to_png()?;
        files.push(OutputFile::new(format!("average_{}.png", names.unique(cls)), png));
    }
    Ok(files)
}

/// The kernel-density plots of the evidence statistics by class (binary models): `kde_positive.svg`
/// (fraction above +t against the largest patch logit) and `kde_negative.svg` (fraction below −t
/// against |smallest patch logit|), correctly classified images only.
pub fn kde_files(classes: &[String], ev: &[ImageEvidence], threshold: f64) -> Vec<OutputFile> {
    if classes.len() != 2 {
        return Vec::new();
    }
    // The threshold as the axis writes it: 4 significant digits (34.44, not 34.444969177246094).
    let t = dimorph_report::fmt::sig(threshold, 4);
    let by = |t: usize, f: &dyn Fn(&ImageEvidence) -> (f64, f64)| -> Vec<(f64, f64)> {
        ev.iter().filter(|e| e.target == t && e.predicted == t).map(f).collect()
    };
    // The negative class first (blue, PALETTE[0]), the positive second (vermilion, PALETTE[1]): the
    // colours of the evidence maps (blue negative, red positive) for each class in every figure.
    let groups =
        |f: &dyn Fn(&ImageEvidence) -> (f64, f64)| vec![(classes[0].clone(), by(0, f)), (classes[1].clone(), by(1, f))];
    let a = kde_svg(
        &format!("{} evidence", classes[1]),
        &format!("fraction of patches with logit > {t}"),
        "largest patch logit",
        &groups(&|e| (e.frac_above, e.max_logit)),
    );
    let b = kde_svg(
        &format!("{} evidence", classes[0]),
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
    use super::UniqueNames;

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
    }

    #[test]
    fn overlay_names_stay_apart() {
        let mut n = UniqueNames::default();
        let got: Vec<String> = [
            "img00001.png",
            "a/same.png",
            "b/same.png",
            "a__same.png",
            "A/Same.png",
            "../x.png",
            "/abs/x.png",
        ]
        .iter()
        .map(|p| n.for_path(p))
        .collect();
        assert_eq!(
            got,
            ["img00001", "a/same", "b/same", "a__same", "A/Same-2", "x", "abs/x"]
        );
        // Per-patient folders of equally named files all stay apart.
        let mut n = UniqueNames::default();
        let got: Vec<String> = ["p1/OD.jpg", "p2/OD.jpg", "p1/OD.png", "p 3/x/OD.jpg"]
            .iter()
            .map(|p| n.for_path(p))
            .collect();
        assert_eq!(got, ["p1/OD", "p2/OD", "p1/OD-2", "p_3/x/OD"]);
        let long = "z".repeat(5000);
        assert_eq!(n.for_path(&format!("{long}.png")).len(), 100);
    }
}
