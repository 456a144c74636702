//! Building blocks of the evidence figures drawn as SVG (paper Fig. 2 and 3): pictures embedded as
//! PNG data URIs (so that a figure is one self-contained file, inline in the HTML report), text,
//! and the colour bar in logit units with the class each end is evidence for.

use dimorph_report::escape;

use super::palette::Scale;
use super::render::{bar_ticks, logit_label, short, BarEnds};
use crate::image::RgbImage;
use crate::BagNetError;

/// Standard base64 (RFC 4648, with padding) of `bytes`.
pub fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for ch in bytes.chunks(3) {
        let b = [ch[0], *ch.get(1).unwrap_or(&0), *ch.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= ch.len() {
                s.push(A[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

/// `img` as a `data:image/png;base64,…` URI.
pub fn png_uri(img: &RgbImage) -> Result<String, BagNetError> {
    Ok(format!("data:image/png;base64,{}", base64(&img.to_png()?)))
}

/// An `<image>` of `uri` at (x, y), `w`×`h` px, drawn with hard pixel edges; `attrs` are extra
/// attributes (e.g. `class="…"`), written as given.
pub fn image(x: f64, y: f64, w: f64, h: f64, uri: &str, attrs: &str) -> String {
    format!(
        "<image x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" preserveAspectRatio=\"none\" \
         style=\"image-rendering:pixelated\" {attrs} href=\"{uri}\"/>"
    )
}

/// Text at (x, y) (`anchor`: start, middle or end), `size` px, in `fill`.
pub fn text(x: f64, y: f64, s: &str, anchor: &str, size: f64, fill: &str) -> String {
    format!(
        "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"{anchor}\" font-size=\"{size}\" fill=\"{fill}\">{}</text>",
        escape(s)
    )
}

/// A vertical colour bar from +`clip` (top, red) to −`clip` (bottom, blue) logits at (x, y),
/// `w`×`h` px: ticks labelled in logits, the unit written above, each end named by the class it is
/// evidence for (in that class's colour). The group carries `data-unit="logit"` and
/// `data-min`/`data-max` (the scale's ends) for readers and tests.
pub fn colour_bar(x: f64, y: f64, w: f64, h: f64, clip: f64, ends: &BarEnds) -> String {
    let scale = Scale::new();
    let steps = 64;
    let mut s = format!(
        "<g class=\"colour-bar\" data-unit=\"logit\" data-min=\"{}\" data-max=\"{}\">",
        -clip, clip
    );
    for i in 0..steps {
        let v = clip * (1.0 - 2.0 * (i as f64 + 0.5) / steps as f64);
        let c = scale.colour(v, clip);
        let hex = format!(
            "#{:02X}{:02X}{:02X}",
            (c[0] * 255.0).round() as u8,
            (c[1] * 255.0).round() as u8,
            (c[2] * 255.0).round() as u8
        );
        s.push_str(&format!(
            "<rect x=\"{x:.1}\" y=\"{:.2}\" width=\"{w:.1}\" height=\"{:.2}\" fill=\"{hex}\"/>",
            y + h * i as f64 / steps as f64,
            h / steps as f64 + 0.3
        ));
    }
    s.push_str(&format!(
        "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"none\" stroke=\"#444\"/>"
    ));
    for (i, v) in bar_ticks(clip).into_iter().enumerate() {
        let ty = y + h * i as f64 / 4.0;
        s.push_str(&format!(
            "<line x1=\"{:.1}\" y1=\"{ty:.1}\" x2=\"{:.1}\" y2=\"{ty:.1}\" stroke=\"#444\"/>",
            x + w,
            x + w + 4.0
        ));
        s.push_str(&text(x + w + 6.0, ty + 4.0, &logit_label(v), "start", 11.0, "#222"));
    }
    s.push_str(&text(x + w / 2.0, y - 22.0, "logit", "middle", 11.0, "#222"));
    s.push_str(&text(
        x + w / 2.0,
        y - 8.0,
        &ends.positive,
        "middle",
        11.0,
        &ends.positive_colour,
    ));
    s.push_str(&text(
        x + w / 2.0,
        y + h + 16.0,
        &ends.negative,
        "middle",
        11.0,
        &ends.negative_colour,
    ));
    s.push_str(&text(
        x + w / 2.0,
        y + h + 30.0,
        &format!("clip ±{}", short(clip, 3)),
        "middle",
        10.0,
        "#555",
    ));
    s.push_str("</g>");
    s
}

/// The opening tag of a standalone SVG of `w`×`h` px on white.
pub fn open_svg(w: f64, h: f64) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
         font-family=\"sans-serif\" font-size=\"12\"><rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"white\"/>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_of_rfc4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (i, o) in cases {
            assert_eq!(base64(i.as_bytes()), o);
        }
        assert_eq!(base64(&[0xff, 0xfe, 0xfd]), "//79");
    }
}
