//! Native patch evidence (paper §3.3): per-image evidence maps (w·x per patch), overlays, averaged
//! maps and images of correctly classified images per class (Fig. 2), evidence statistics with
//! Cohen's d and the kernel-density plot (Fig. 4), the planted-region check for synthetic data, and
//! the export of patch features for the embedding engine (§3.4).

use std::io::Write;
use std::path::Path;

use burn::tensor::backend::Backend;
use dimorph_report::svg::{Chart, PALETTE};
use serde::Serialize;

use crate::data::{self, Dataset};
use crate::image::RgbImage;
use crate::model::{BagNet, PATCH_STRIDE};
use crate::BagNetError;

/// Evidence of one image.
#[derive(Debug, Clone, Serialize)]
pub struct ImageEvidence {
    pub index: usize,
    pub name: String,
    pub target: usize,
    pub predicted: usize,
    /// Image logit (mean of the patch logits) of the evidence class.
    pub logit: f64,
    /// Side of the evidence map.
    pub side: usize,
    /// Patch logits, row-major: positive = evidence for the positive (second) class; for more
    /// than two classes, evidence for the image's true class.
    #[serde(skip)]
    pub map: Vec<f64>,
    /// Fraction of patches with logit above +t and below −t.
    pub frac_above: f64,
    pub frac_below: f64,
    pub max_logit: f64,
    pub min_logit: f64,
    /// Whether the patch with the strongest evidence for the true class overlaps the planted region
    /// (synthetic data only).
    pub strongest_in_planted: Option<bool>,
}

#[allow(clippy::too_many_arguments)]
/// Compute evidence maps of images `idx`; with `features`, also write every patch's feature
/// vector as CSV rows (image, row, col, logit, f0..).
pub fn compute<B: crate::backend::BagnetBackend>(
    model: &BagNet<B>,
    ds: &Dataset,
    idx: &[usize],
    q: usize,
    threshold: f64,
    batch: usize,
    mut features: Option<&mut dyn Write>,
    device: &B::Device,
) -> Result<Vec<ImageEvidence>, BagNetError> {
    let mut out = Vec::with_capacity(idx.len());
    let mut header_done = false;
    for chunk in idx.chunks(batch.max(1)) {
        let imgs: Vec<_> = chunk.iter().map(|&i| &ds.images[i]).collect();
        let feats = model.features(data::to_tensor::<B>(&imgs, device));
        let [n, c, h, w] = feats.dims();
        let logits = model.patch_logits(feats.clone());
        let k = logits.dims()[3];
        let lv = logits.into_data().convert::<f32>().to_vec::<f32>().unwrap_or_default();
        let fv = if features.is_some() {
            feats.into_data().convert::<f32>().to_vec::<f32>().unwrap_or_default()
        } else {
            Vec::new()
        };
        for (b, &i) in chunk.iter().enumerate() {
            let target = ds.targets[i];
            let cls = if k == 1 { 0 } else { target };
            let map: Vec<f64> = (0..h * w).map(|p| lv[(b * h * w + p) * k + cls] as f64).collect();
            let mean = map.iter().sum::<f64>() / map.len() as f64;
            let predicted = if k == 1 {
                usize::from(mean > 0.0)
            } else {
                let means: Vec<f64> = (0..k)
                    .map(|c2| (0..h * w).map(|p| lv[(b * h * w + p) * k + c2] as f64).sum::<f64>())
                    .collect();
                (0..k).max_by(|&a, &b2| means[a].total_cmp(&means[b2])).unwrap_or(0)
            };
            let above = map.iter().filter(|&&v| v > threshold).count() as f64 / map.len() as f64;
            let below = map.iter().filter(|&&v| v < -threshold).count() as f64 / map.len() as f64;
            let max = map.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let min = map.iter().cloned().fold(f64::INFINITY, f64::min);
            // Strongest evidence towards the true class: the largest logit for the positive class
            // (or any class with its own output), the smallest for the negative class.
            let strongest = if k == 1 && target == 0 {
                (0..map.len()).min_by(|&a, &b2| map[a].total_cmp(&map[b2]))
            } else {
                (0..map.len()).max_by(|&a, &b2| map[a].total_cmp(&map[b2]))
            }
            .unwrap_or(0);
            let strongest_in_planted = (!ds.rows[i].planted.is_empty())
                .then(|| in_planted(&ds.rows[i].planted, ds.scales[i], strongest / w, strongest % w, q));
            if let Some(wr) = features.as_deref_mut() {
                if !header_done {
                    let mut hdr = String::from("image,row,col,label,logit");
                    for f in 0..c {
                        hdr.push_str(&format!(",f{f}"));
                    }
                    writeln!(wr, "{hdr}").map_err(|e| BagNetError::Data(format!("feature export: {e}")))?;
                    header_done = true;
                }
                for p in 0..h * w {
                    let mut line = format!(
                        "{},{},{},{},{}",
                        ds.rows[i].name,
                        p / w,
                        p % w,
                        ds.rows[i].label,
                        map[p]
                    );
                    for f in 0..c {
                        line.push_str(&format!(",{}", fv[((b * c + f) * h + p / w) * w + p % w]));
                    }
                    writeln!(wr, "{line}").map_err(|e| BagNetError::Data(format!("feature export: {e}")))?;
                }
            }
            out.push(ImageEvidence {
                index: i,
                name: ds.rows[i].name.clone(),
                target,
                predicted,
                logit: mean,
                side: h,
                map,
                frac_above: above,
                frac_below: below,
                max_logit: max,
                min_logit: min,
                strongest_in_planted,
            });
        }
        let _ = n;
    }
    Ok(out)
}

/// Does the q×q window of patch (row, col) overlap any of the planted circles (stored-image pixels,
/// scaled by `scale` to model-input pixels)?
pub fn in_planted(planted: &[[f64; 3]], scale: f64, row: usize, col: usize, q: usize) -> bool {
    planted
        .iter()
        .any(|&[x, y, r]| window_meets_circle(row, col, q, (x * scale, y * scale, r * scale)))
}

/// Does the q×q window of patch (row, col) overlap the circle (x, y, r)?
pub fn window_meets_circle(row: usize, col: usize, q: usize, (x, y, r): (f64, f64, f64)) -> bool {
    let (x0, y0) = ((col * PATCH_STRIDE) as f64, (row * PATCH_STRIDE) as f64);
    let (x1, y1) = (x0 + q as f64, y0 + q as f64);
    let dx = (x0 - x).max(0.0).max(x - x1);
    let dy = (y0 - y).max(0.0).max(y - y1);
    dx * dx + dy * dy < r * r
}

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

/// Cohen's d (pooled standard deviation) of `b` against `a`.
pub fn cohens_d(a: &[f64], b: &[f64]) -> f64 {
    let m = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let var = |v: &[f64], mu: f64| v.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (v.len() as f64 - 1.0);
    let (ma, mb) = (m(a), m(b));
    let (na, nb) = (a.len() as f64, b.len() as f64);
    let sp = (((na - 1.0) * var(a, ma) + (nb - 1.0) * var(b, mb)) / (na + nb - 2.0)).sqrt();
    (mb - ma) / sp
}

/// One evidence statistic compared between the classes.
#[derive(Debug, Clone, Serialize)]
pub struct StatComparison {
    pub statistic: String,
    pub mean_negative: f64,
    pub mean_positive: f64,
    pub cohens_d: f64,
}

/// Fig. 4 statistics by class (binary models): fractions above +t and below −t, the largest and
/// the smallest patch logit, with Cohen's d (positive class against negative class).
pub fn compare_stats(ev: &[ImageEvidence]) -> Vec<StatComparison> {
    type Getter = fn(&ImageEvidence) -> f64;
    let get: [(&str, Getter); 4] = [
        ("fraction above +t", |e| e.frac_above),
        ("fraction below -t", |e| e.frac_below),
        ("largest patch logit", |e| e.max_logit),
        ("smallest patch logit", |e| e.min_logit),
    ];
    get.iter()
        .filter_map(|(name, f)| {
            let a: Vec<f64> = ev.iter().filter(|e| e.target == 0).map(f).collect();
            let b: Vec<f64> = ev.iter().filter(|e| e.target == 1).map(f).collect();
            if a.len() < 2 || b.len() < 2 {
                return None;
            }
            let m = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
            Some(StatComparison {
                statistic: name.to_string(),
                mean_negative: m(&a),
                mean_positive: m(&b),
                cohens_d: cohens_d(&a, &b),
            })
        })
        .collect()
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

/// Write the overlays, averaged maps and images, statistics and plots of `ev` into `out`.
pub fn write_outputs(
    ds: &Dataset,
    ev: &[ImageEvidence],
    q: usize,
    clip: f64,
    threshold: f64,
    max_images: usize,
    out: &Path,
) -> Result<(), BagNetError> {
    let maps_dir = out.join("maps");
    std::fs::create_dir_all(&maps_dir).map_err(|e| BagNetError::file(&maps_dir, e))?;
    for e in ev.iter().take(max_images) {
        let stem = Path::new(&e.name)
            .file_stem()
            .map_or(e.name.clone(), |s| s.to_string_lossy().into_owned());
        overlay(&ds.images[e.index], &e.map, e.side, q, clip).save_png(&maps_dir.join(format!("{stem}.png")))?;
    }
    for (t, cls) in ds.classes.iter().enumerate() {
        let sel: Vec<&ImageEvidence> = ev.iter().filter(|e| e.target == t && e.predicted == t).collect();
        if sel.is_empty() {
            continue;
        }
        let maps: Vec<&[f64]> = sel.iter().map(|e| e.map.as_slice()).collect();
        let imgs: Vec<&RgbImage> = sel.iter().map(|e| &ds.images[e.index]).collect();
        let (m, img) = average(&maps, &imgs);
        let mclip = m.iter().fold(0.0f64, |a, b| a.max(b.abs())).max(1e-12);
        overlay(&img, &m, sel[0].side, q, mclip).save_png(&out.join(format!("average_{cls}.png")))?;
    }
    let mut csv =
        String::from("image,label,predicted,logit,frac_above,frac_below,max_logit,min_logit,strongest_in_planted\n");
    for e in ev {
        csv.push_str(&format!(
            "{},{},{},{},{},{},{},{},{}\n",
            e.name,
            ds.classes[e.target],
            ds.classes[e.predicted],
            e.logit,
            e.frac_above,
            e.frac_below,
            e.max_logit,
            e.min_logit,
            e.strongest_in_planted.map_or(String::new(), |b| b.to_string())
        ));
    }
    let p = out.join("evidence_stats.csv");
    std::fs::write(&p, csv).map_err(|e| BagNetError::file(&p, e))?;
    if ds.classes.len() == 2 {
        let by = |t: usize, f: &dyn Fn(&ImageEvidence) -> (f64, f64)| -> Vec<(f64, f64)> {
            ev.iter().filter(|e| e.target == t && e.predicted == t).map(f).collect()
        };
        let groups = |f: &dyn Fn(&ImageEvidence) -> (f64, f64)| {
            vec![(ds.classes[1].clone(), by(1, f)), (ds.classes[0].clone(), by(0, f))]
        };
        let a = kde_svg(
            &format!("{} evidence", ds.classes[1]),
            &format!("fraction of patches with logit > {threshold}"),
            "largest patch logit",
            &groups(&|e| (e.frac_above, e.max_logit)),
        );
        let b = kde_svg(
            &format!("{} evidence", ds.classes[0]),
            &format!("fraction of patches with logit < -{threshold}"),
            "|smallest patch logit|",
            &groups(&|e| (e.frac_below, e.min_logit.abs())),
        );
        for (name, svg) in [("kde_positive.svg", a), ("kde_negative.svg", b)] {
            let p = out.join(name);
            std::fs::write(&p, svg).map_err(|e| BagNetError::file(&p, e))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cohens_d_by_hand() {
        // a: mean 2, var 1; b: mean 4, var 1 → d = 2.
        let a = [1.0, 2.0, 3.0];
        let b = [3.0, 4.0, 5.0];
        assert!((cohens_d(&a, &b) - 2.0).abs() < 1e-12);
    }

    #[test]
    fn window_circle_overlap() {
        // Patch (0,0) of q = 9 covers [0,9)²; a circle at (12, 4) of radius 2 misses, radius 4 meets.
        assert!(!window_meets_circle(0, 0, 9, (12.0, 4.0, 2.0)));
        assert!(window_meets_circle(0, 0, 9, (12.0, 4.0, 4.0)));
        assert!(window_meets_circle(1, 1, 9, (12.0, 12.0, 0.5)));
    }
}
