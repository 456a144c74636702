//! One colour scale for every evidence figure (paper Fig. 2–4): patch logits on the embedding
//! engine's diverging blue–white–red scale ([`dimorph_embed::plot::diverging`], the scale of the
//! t-SNE of Fig. 3), so that positive evidence (the second class of a binary model, "male" in the
//! paper) is red and negative evidence ("female") blue in the maps, the colour bars, the density
//! plots (Fig. 4: "male (red) and female (blue)") and the t-SNE alike. A class is drawn in the
//! colour of the end of the scale that is evidence for it.

use dimorph_report::svg::PALETTE;

/// The colour of the negative class (the first of a binary model): the blue end of the scale.
pub fn negative_colour() -> String {
    dimorph_embed::plot::diverging(-1.0)
}

/// The colour of the positive class (the second of a binary model): the red end of the scale.
pub fn positive_colour() -> String {
    dimorph_embed::plot::diverging(1.0)
}

/// The colour of class `k` of `n_classes`: the ends of the evidence scale for a binary model,
/// else the report's qualitative palette.
pub fn class_colour(k: usize, n_classes: usize) -> String {
    match (n_classes, k) {
        (2, 0) => negative_colour(),
        (2, _) => positive_colour(),
        _ => PALETTE[k % PALETTE.len()].to_string(),
    }
}

/// `#RRGGBB` as bytes (black for anything else).
pub fn rgb(hex: &str) -> [u8; 3] {
    let h = hex.trim_start_matches('#');
    let byte = |i: usize| {
        h.get(i..i + 2)
            .and_then(|s| u8::from_str_radix(s, 16).ok())
            .unwrap_or(0)
    };
    [byte(0), byte(2), byte(4)]
}

/// The diverging scale sampled at 2·[`STEPS`] + 1 points, for drawing pixels.
pub struct Scale {
    lut: Vec<[f32; 3]>,
}

/// Steps of the sampled scale on each side of 0.
pub const STEPS: usize = 128;

impl Default for Scale {
    fn default() -> Self {
        Scale::new()
    }
}

impl Scale {
    pub fn new() -> Self {
        let lut = (0..=2 * STEPS)
            .map(|i| {
                let t = i as f64 / STEPS as f64 - 1.0;
                let c = rgb(&dimorph_embed::plot::diverging(t));
                [c[0] as f32 / 255.0, c[1] as f32 / 255.0, c[2] as f32 / 255.0]
            })
            .collect();
        Scale { lut }
    }

    /// The colour of `v` on the scale from −`clip` (blue) to +`clip` (red), values beyond clipped;
    /// channels in [0, 1]. NaN is grey.
    pub fn colour(&self, v: f64, clip: f64) -> [f32; 3] {
        if v.is_nan() {
            return [0.6, 0.6, 0.6];
        }
        let t = (v / clip.max(f64::MIN_POSITIVE)).clamp(-1.0, 1.0);
        self.lut[((t + 1.0) * STEPS as f64).round() as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_colours_are_the_scale_ends() {
        assert_eq!(class_colour(0, 2), dimorph_embed::plot::diverging(-1.0));
        assert_eq!(class_colour(1, 2), dimorph_embed::plot::diverging(1.0));
        let s = Scale::new();
        let to_hex = |c: [f32; 3]| {
            format!(
                "#{:02X}{:02X}{:02X}",
                (c[0] * 255.0).round() as u8,
                (c[1] * 255.0).round() as u8,
                (c[2] * 255.0).round() as u8
            )
        };
        assert_eq!(to_hex(s.colour(5.0, 2.0)), positive_colour());
        assert_eq!(to_hex(s.colour(-2.0, 2.0)), negative_colour());
        assert_eq!(to_hex(s.colour(0.0, 2.0)), "#F7F7F7");
        assert_eq!(rgb("#B2182B"), [0xB2, 0x18, 0x2B]);
    }
}
