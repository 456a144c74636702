//! Evidence maps drawn as pictures (paper Fig. 2): the map of patch logits as a heat map on the
//! diverging scale of [`super::palette`], and the per-image PNG — the image beside its map, a
//! colour bar in logit units with the class each end is evidence for, the clip, and a title —
//! written with the bitmap font of [`super::font`].

use super::font::{draw_text, text_height, text_width};
use super::palette::{rgb, Scale};
use crate::image::RgbImage;
use crate::model::PATCH_STRIDE;

/// Smallest side an image panel of a per-image PNG is drawn at (smaller images are enlarged by a
/// whole factor, nearest neighbour, so that the title and the colour bar stay readable).
pub const MIN_PANEL: usize = 192;

/// The patch whose window centre is nearest to pixel (x, y).
pub fn patch_at(x: usize, y: usize, q: usize, side: usize) -> (usize, usize) {
    let f = |v: usize| {
        let t = (v as f64 - q as f64 / 2.0) / PATCH_STRIDE as f64;
        (t.round().max(0.0) as usize).min(side.max(1) - 1)
    };
    (f(y), f(x))
}

/// The evidence map (`side`×`side` patch logits of a receptive field `q`) at the image's `w`×`h`
/// pixels: each pixel in the colour of the patch whose window centre is nearest, on the scale
/// from −`clip` (blue) to +`clip` (red).
pub fn heatmap(map: &[f64], side: usize, q: usize, (w, h): (usize, usize), clip: f64, scale: &Scale) -> RgbImage {
    let mut out = RgbImage::new(w, h);
    for y in 0..h {
        for x in 0..w {
            let (r, c) = patch_at(x, y, q, side);
            let col = scale.colour(map.get(r * side + c).copied().unwrap_or(f64::NAN), clip);
            for (ch, v) in col.iter().enumerate() {
                out.set(x, y, ch, *v);
            }
        }
    }
    out
}

/// `img` enlarged `k` times (nearest neighbour).
pub fn enlarge(img: &RgbImage, k: usize) -> RgbImage {
    let k = k.max(1);
    let mut out = RgbImage::new(img.width * k, img.height * k);
    for y in 0..out.height {
        for x in 0..out.width {
            for ch in 0..3 {
                out.set(x, y, ch, img.get(x / k, y / k, ch));
            }
        }
    }
    out
}

/// The labels of a colour bar: what the red (positive) and the blue (negative) end are evidence
/// for, and their colours.
#[derive(Debug, Clone)]
pub struct BarEnds {
    pub positive: String,
    pub negative: String,
    pub positive_colour: String,
    pub negative_colour: String,
}

/// The values a colour bar of ±`clip` labels, top (+clip) to bottom (−clip).
pub fn bar_ticks(clip: f64) -> Vec<f64> {
    vec![clip, clip / 2.0, 0.0, -clip / 2.0, -clip]
}

/// A logit as the colour bars write it: at most 3 significant digits (trailing zeros dropped), a
/// sign before positive values.
pub fn logit_label(v: f64) -> String {
    let s = short(v, 3);
    if v > 0.0 {
        format!("+{s}")
    } else {
        s
    }
}

/// `v` in at most `digits` significant digits without trailing zeros (75, 37.5, 34.4, 0.00123).
pub fn short(v: f64, digits: usize) -> String {
    let s = dimorph_report::fmt::sig(v, digits);
    if s.contains('.') && !s.contains('e') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// What a per-image PNG shows besides its image and map.
pub struct PngText<'a> {
    /// First line, e.g. "true male, predicted male, image logit +1.23".
    pub title: &'a str,
    pub ends: &'a BarEnds,
}

const INK: [f32; 3] = [0.1, 0.1, 0.1];

fn unit(hex: &str) -> [f32; 3] {
    let c = rgb(hex);
    [c[0] as f32 / 255.0, c[1] as f32 / 255.0, c[2] as f32 / 255.0]
}

/// The image beside its evidence map with a colour bar from −`clip` to +`clip` logits (ticks
/// labelled, each end named by the class it is evidence for), the title above and the clip
/// below, on white.
pub fn evidence_png(img: &RgbImage, map: &[f64], side: usize, q: usize, clip: f64, text: &PngText) -> RgbImage {
    let scale = Scale::new();
    let k = MIN_PANEL.div_ceil(img.width.max(1)).max(1);
    let left = enlarge(img, k);
    let right = enlarge(&heatmap(map, side, q, (img.width, img.height), clip, &scale), k);
    let (pw, ph) = (left.width, left.height);
    let fs = if pw >= 2 * MIN_PANEL { 2 } else { 1 };
    let (m, gap, lh, bar_w) = (6 * fs, 8 * fs, text_height(fs) + 3 * fs, 12 * fs);
    let ticks: Vec<String> = bar_ticks(clip).into_iter().map(logit_label).collect();
    let footer = format!("colour: patch logit, clipped to ±{}", short(clip, 3));
    let label_w = ticks
        .iter()
        .map(|t| text_width(t, fs))
        .chain([text_width(&text.ends.positive, fs), text_width(&text.ends.negative, fs)])
        .max()
        .unwrap_or(0);
    let bar_x = m + 2 * pw + 2 * gap;
    let width = (bar_x + bar_w + 4 * fs + label_w + m)
        .max(2 * m + text_width(text.title, fs))
        .max(2 * m + text_width(&footer, fs));
    let top = m + 2 * lh;
    let height = top + ph + 2 * lh + m;
    let mut out = RgbImage::new(width, height);
    out.data.iter_mut().for_each(|v| *v = 1.0);
    blit(&mut out, &left, m, top);
    blit(&mut out, &right, m + pw + gap, top);
    // The colour bar: +clip at the top, −clip at the bottom.
    for y in 0..ph {
        let v = clip * (1.0 - 2.0 * y as f64 / (ph.max(2) - 1) as f64);
        let col = scale.colour(v, clip);
        for x in bar_x..bar_x + bar_w {
            for (ch, c) in col.iter().enumerate() {
                out.set(x, top + y, ch, *c);
            }
        }
    }
    for (i, t) in ticks.iter().enumerate() {
        let y = top + (i * (ph - 1)) / 4;
        for x in bar_x + bar_w..bar_x + bar_w + 3 * fs {
            for (ch, v) in INK.iter().enumerate() {
                out.set(x, y, ch, *v);
            }
        }
        let ty = (y as i64 - (text_height(fs) / 2) as i64).clamp(top as i64, (top + ph - text_height(fs)) as i64);
        draw_text(&mut out, (bar_x + bar_w + 4 * fs) as i64, ty, t, fs, INK);
    }
    let t = text;
    draw_text(&mut out, m as i64, m as i64, t.title, fs, INK);
    let name_x = |s: &str| {
        (bar_x + bar_w / 2)
            .saturating_sub(text_width(s, fs) / 2)
            .min(width - m - text_width(s, fs))
    };
    draw_text(
        &mut out,
        name_x(&t.ends.positive) as i64,
        (m + lh) as i64,
        &t.ends.positive,
        fs,
        unit(&t.ends.positive_colour),
    );
    let below = (top + ph + 3 * fs) as i64;
    draw_text(
        &mut out,
        name_x(&t.ends.negative) as i64,
        below,
        &t.ends.negative,
        fs,
        unit(&t.ends.negative_colour),
    );
    draw_text(&mut out, m as i64, below + lh as i64, &footer, fs, INK);
    out
}

/// Copy `src` into `dst` with its top-left corner at (x, y) (what falls outside is left out).
pub fn blit(dst: &mut RgbImage, src: &RgbImage, x: usize, y: usize) {
    for sy in 0..src.height.min(dst.height.saturating_sub(y)) {
        for sx in 0..src.width.min(dst.width.saturating_sub(x)) {
            for ch in 0..3 {
                dst.set(x + sx, y + sy, ch, src.get(sx, sy, ch));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_labels_and_heatmap_colours() {
        assert_eq!(
            bar_ticks(75.0).into_iter().map(logit_label).collect::<Vec<_>>(),
            ["+75", "+37.5", "0", "-37.5", "-75"]
        );
        assert_eq!(logit_label(34.444969177246094), "+34.4");
        let s = Scale::new();
        // A 2×2 map of a 16 px image (q = 9, stride 8): the top-left patch is +clip (red end).
        let h = heatmap(&[5.0, 0.0, 0.0, -5.0], 2, 9, (16, 16), 5.0, &s);
        assert_eq!(h.get(0, 0, 0), s.colour(5.0, 5.0)[0]);
        assert_eq!(h.get(15, 15, 2), s.colour(-5.0, 5.0)[2]);
    }
}
