//! Figure 2 of Ilanchezian et al. (2021): evidence maps of typical test images (top), the average
//! evidence maps of the correctly classified images of each class (middle) — all classes on one
//! common scale, so that they can be compared — and the average images below them (bottom: the
//! sanity check that the classes' optic discs and maculae look alike). One SVG with the pictures
//! embedded as PNGs, a colour bar in logit units per scale, the class names and the clip.

use super::maps::ImageEvidence;
use super::palette::class_colour;
use super::palette::Scale;
use super::render::{heatmap, short, BarEnds};
use super::svgparts::{colour_bar, image, open_svg, png_uri, text};
use crate::data::Dataset;
use crate::image::RgbImage;
use crate::BagNetError;

/// Most classes a Figure 2 shows (the first ones of the model's class list).
pub const MAX_CLASSES: usize = 8;

/// The average evidence map and average image of one class's correctly classified images.
#[derive(Debug, Clone)]
pub struct Average {
    /// Index of the class in the model's class list.
    pub class: usize,
    /// Images averaged.
    pub n: usize,
    pub side: usize,
    pub map: Vec<f64>,
    pub image: RgbImage,
}

/// Mean of maps (all of one side) and mean of images.
pub fn average(maps: &[&[f64]], imgs: &[&RgbImage]) -> (Vec<f64>, RgbImage) {
    let mut m = vec![0.0; maps.first().map_or(0, |v| v.len())];
    for v in maps {
        for (a, b) in m.iter_mut().zip(v.iter()) {
            *a += b / maps.len() as f64;
        }
    }
    let mut img = imgs
        .first()
        .map_or(RgbImage::new(0, 0), |i| RgbImage::new(i.width, i.height));
    for i in imgs {
        for (a, b) in img.data.iter_mut().zip(&i.data) {
            *a += b / imgs.len() as f32;
        }
    }
    (m, img)
}

/// Images per batch read while averaging.
const BATCH: usize = 16;

/// The averages of each class with at least one correctly classified image, in class order. The
/// images stream from the data set's loader a batch at a time (memory bounded whatever the number
/// of images) into running sums that add `value / n` in the order of `ev`, the same operations as
/// [`average`] on all of them at once, so the result is the same to the last bit.
pub fn class_averages(ds: &Dataset, ev: &[ImageEvidence]) -> Result<Vec<Average>, BagNetError> {
    let mut out = Vec::new();
    for t in 0..ds.classes.len() {
        let sel: Vec<&ImageEvidence> = ev.iter().filter(|e| e.target == t && e.predicted == t).collect();
        let Some(first) = sel.first() else { continue };
        let n = sel.len();
        let mut map = vec![0.0; first.map.len()];
        for e in &sel {
            for (a, b) in map.iter_mut().zip(e.map.iter()) {
                *a += b / n as f64;
            }
        }
        let idx: Vec<usize> = sel.iter().map(|e| e.index).collect();
        let mut image: Option<RgbImage> = None;
        for batch in ds.images.stream_plain(&idx, BATCH) {
            for img in batch? {
                let sum = image.get_or_insert_with(|| RgbImage::new(img.width, img.height));
                for (a, b) in sum.data.iter_mut().zip(&img.data) {
                    *a += b / n as f32;
                }
            }
        }
        out.push(Average {
            class: t,
            n,
            side: first.side,
            map,
            image: image.unwrap_or_else(|| RgbImage::new(0, 0)),
        });
    }
    Ok(out)
}

/// The one scale of all averaged maps: the largest |mean patch logit| of any class (at least
/// 1e-12, so that an all-zero map still has a scale).
pub fn common_scale<'a>(avgs: impl IntoIterator<Item = &'a Average>) -> f64 {
    avgs.into_iter()
        .flat_map(|a| a.map.iter())
        .filter(|v| v.is_finite())
        .fold(0.0f64, |a, b| a.max(b.abs()))
        .max(1e-12)
}

/// What the ends of the colour bar are evidence for: the classes of a binary model (red: the
/// second), else for or against each image's true class.
pub fn bar_ends(classes: &[String]) -> BarEnds {
    if classes.len() == 2 {
        BarEnds {
            positive: classes[1].clone(),
            negative: classes[0].clone(),
            positive_colour: class_colour(1, 2),
            negative_colour: class_colour(0, 2),
        }
    } else {
        BarEnds {
            positive: "for the true class".into(),
            negative: "against it".into(),
            positive_colour: dimorph_embed::plot::diverging(1.0),
            negative_colour: dimorph_embed::plot::diverging(-1.0),
        }
    }
}

/// A typical correctly classified image of class `t`: the one with the median image logit.
pub fn typical(ev: &[ImageEvidence], t: usize) -> Option<&ImageEvidence> {
    let mut sel: Vec<&ImageEvidence> = ev.iter().filter(|e| e.target == t && e.predicted == t).collect();
    sel.sort_by(|a, b| a.logit.total_cmp(&b.logit));
    sel.get(sel.len() / 2).copied()
}

/// Side of one picture in the figure, px.
const S: f64 = 150.0;
const GAP: f64 = 8.0;
/// Space between two classes' columns.
const COL_GAP: f64 = 28.0;
const LEFT: f64 = 16.0;
/// Width of the colour bar and its labels.
const BAR_AREA: f64 = 120.0;

/// Figure 2 as an SVG (None when no image is correctly classified): typical images with their
/// maps at ±`clip`, the averaged maps on one common scale and the averaged images.
pub fn figure2_svg(ds: &Dataset, ev: &[ImageEvidence], q: usize, clip: f64) -> Result<Option<String>, BagNetError> {
    figure2_svg_of(ds, ev, &class_averages(ds, ev)?, q, clip)
}

/// [`figure2_svg`] with the class averages already computed ([`class_averages`]).
pub fn figure2_svg_of(
    ds: &Dataset,
    ev: &[ImageEvidence],
    averages: &[Average],
    q: usize,
    clip: f64,
) -> Result<Option<String>, BagNetError> {
    let avgs: Vec<&Average> = averages.iter().take(MAX_CLASSES).collect();
    if avgs.is_empty() {
        return Ok(None);
    }
    let scale = Scale::new();
    let common = common_scale(averages.iter().take(MAX_CLASSES));
    let ends = bar_ends(&ds.classes);
    let col_w = 2.0 * S + GAP;
    // One column per class shown (a class without a correctly classified image keeps its column,
    // empty but named).
    let shown = ds.classes.len().min(MAX_CLASSES);
    let width = LEFT + shown as f64 * (col_w + COL_GAP) + BAR_AREA;
    let row_h = S + 58.0;
    let height = 40.0 + 3.0 * row_h;
    let mut s = open_svg(width, height);
    s.push_str(&text(
        LEFT,
        22.0,
        "Evidence maps (Ilanchezian et al. 2021, Fig. 2)",
        "start",
        14.0,
        "#222",
    ));
    let bar_x = LEFT + shown as f64 * (col_w + COL_GAP) + 6.0;
    let rows = [
        format!(
            "a  typical correctly classified images and their maps (clip ±{})",
            short(clip, 3)
        ),
        format!(
            "b  average maps of the correctly classified images (one scale ±{})",
            short(common, 3)
        ),
        "c  average images of the same images".to_string(),
    ];
    for (r, label) in rows.iter().enumerate() {
        s.push_str(&text(
            LEFT,
            40.0 + r as f64 * row_h + 18.0,
            label,
            "start",
            12.0,
            "#222",
        ));
    }
    for k in (0..shown).filter(|k| !avgs.iter().any(|a| a.class == *k)) {
        let mid = LEFT + k as f64 * (col_w + COL_GAP) + col_w / 2.0;
        let note = format!("{}: no correctly classified image", ds.classes[k]);
        let colour = class_colour(k, ds.classes.len());
        s.push_str(&text(mid, 40.0 + 28.0 + S / 2.0, &note, "middle", 12.0, &colour));
    }
    for a in &avgs {
        let x0 = LEFT + a.class as f64 * (col_w + COL_GAP);
        let name = &ds.classes[a.class];
        let colour = class_colour(a.class, ds.classes.len());
        let mid = x0 + col_w / 2.0;
        // Row a: a typical image and its map.
        let ya = 40.0 + 28.0;
        if let Some(e) = typical(ev, a.class) {
            let img = &ds.images.get(e.index)?;
            let map = heatmap(&e.map, e.side, q, (img.width, img.height), clip, &scale);
            let attrs = format!(
                "class=\"example-image\" data-class=\"{}\"",
                dimorph_report::escape(name)
            );
            s.push_str(&image(x0, ya, S, S, &png_uri(img)?, &attrs));
            let attrs = format!(
                "class=\"example-map\" data-class=\"{}\" data-min=\"{}\" data-max=\"{clip}\"",
                dimorph_report::escape(name),
                -clip
            );
            s.push_str(&image(x0 + S + GAP, ya, S, S, &png_uri(&map)?, &attrs));
            let caption = format!("{name}: image logit {}", short(e.logit, 3));
            s.push_str(&text(mid, ya + S + 16.0, &caption, "middle", 12.0, &colour));
        }
        // Row b: the average map on the common scale; row c: the average image.
        let yb = 40.0 + row_h + 28.0;
        let map = heatmap(&a.map, a.side, q, (a.image.width, a.image.height), common, &scale);
        let attrs = format!(
            "class=\"average-map\" data-class=\"{}\" data-n=\"{}\" data-min=\"{}\" data-max=\"{common}\"",
            dimorph_report::escape(name),
            a.n,
            -common
        );
        s.push_str(&image(mid - S / 2.0, yb, S, S, &png_uri(&map)?, &attrs));
        let caption = format!("{name} (n = {})", a.n);
        s.push_str(&text(mid, yb + S + 16.0, &caption, "middle", 12.0, &colour));
        let yc = 40.0 + 2.0 * row_h + 28.0;
        let attrs = format!(
            "class=\"average-image\" data-class=\"{}\"",
            dimorph_report::escape(name)
        );
        s.push_str(&image(mid - S / 2.0, yc, S, S, &png_uri(&a.image)?, &attrs));
        s.push_str(&text(mid, yc + S + 16.0, &caption, "middle", 12.0, &colour));
    }
    s.push_str(&colour_bar(bar_x, 40.0 + 28.0 + 10.0, 14.0, S - 20.0, clip, &ends));
    s.push_str(&colour_bar(
        bar_x,
        40.0 + row_h + 28.0 + 10.0,
        14.0,
        S - 20.0,
        common,
        &ends,
    ));
    s.push_str("</svg>");
    Ok(Some(s))
}
