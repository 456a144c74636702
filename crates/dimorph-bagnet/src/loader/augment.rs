//! Augmentation (paper §3.2: random rotations and flips, shifts, zoom, brightness) with draws
//! from an RNG the caller derives from (seed, epoch, image), so that an image's augmentation does
//! not depend on which worker thread prepares it or when.

use crate::image::RgbImage;
use dimorph_core::rng::{Draws, SplitMix64};

/// Augmentation ranges (paper §3.2: random rotations and flips, shifts, brightness, zoom).
#[derive(Debug, Clone, Copy)]
pub struct Augment {
    pub rotate_deg: f64,
    pub shift: f64,
    pub zoom: f64,
    pub brightness: f64,
    pub flip: bool,
}

impl Default for Augment {
    fn default() -> Self {
        Augment {
            rotate_deg: 15.0,
            shift: 0.05,
            zoom: 0.1,
            brightness: 0.1,
            flip: true,
        }
    }
}

impl Augment {
    /// One random affine transform plus brightness, drawn from `rng`, applied with bilinear sampling.
    pub fn apply(&self, img: &RgbImage, rng: &mut SplitMix64) -> RgbImage {
        let a = rng.range(-self.rotate_deg, self.rotate_deg).to_radians();
        let z = 1.0 + rng.range(-self.zoom, self.zoom);
        let (sx, sy) = (
            rng.range(-self.shift, self.shift) * img.width as f64,
            rng.range(-self.shift, self.shift) * img.height as f64,
        );
        let flip = self.flip && rng.uniform() < 0.5;
        let b = (1.0 + rng.range(-self.brightness, self.brightness)) as f32;
        let (cx, cy) = (img.width as f64 / 2.0, img.height as f64 / 2.0);
        let (ca, sa) = (a.cos(), a.sin());
        let mut out = RgbImage::new(img.width, img.height);
        for y in 0..img.height {
            for x in 0..img.width {
                let mut dx = x as f64 + 0.5 - cx - sx;
                let dy = y as f64 + 0.5 - cy - sy;
                if flip {
                    dx = -dx;
                }
                let u = (ca * dx + sa * dy) / z + cx - 0.5;
                let v = (-sa * dx + ca * dy) / z + cy - 0.5;
                if u < 0.0 || v < 0.0 || u > (img.width - 1) as f64 || v > (img.height - 1) as f64 {
                    continue;
                }
                let (x0, y0) = (u.floor() as usize, v.floor() as usize);
                let (x1, y1) = ((x0 + 1).min(img.width - 1), (y0 + 1).min(img.height - 1));
                let (fx, fy) = ((u - x0 as f64) as f32, (v - y0 as f64) as f32);
                for c in 0..3 {
                    let top = img.get(x0, y0, c) * (1.0 - fx) + img.get(x1, y0, c) * fx;
                    let bot = img.get(x0, y1, c) * (1.0 - fx) + img.get(x1, y1, c) * fx;
                    out.set(x, y, c, ((top * (1.0 - fy) + bot * fy) * b).clamp(0.0, 1.0));
                }
            }
        }
        out
    }
}
