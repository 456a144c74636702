//! A plain RGB float image (values in [0, 1], row-major, interleaved) with PNG/JPEG input and PNG
//! output through the `image` crate, resizing, the circular field mask and colour overlays.

use std::path::Path;

use crate::BagNetError;

/// An RGB image with f32 channels in [0, 1], stored row by row, channels interleaved.
#[derive(Debug, Clone, PartialEq)]
pub struct RgbImage {
    pub width: usize,
    pub height: usize,
    pub data: Vec<f32>,
}

impl RgbImage {
    pub fn new(width: usize, height: usize) -> Self {
        RgbImage {
            width,
            height,
            data: vec![0.0; width * height * 3],
        }
    }
    pub fn get(&self, x: usize, y: usize, c: usize) -> f32 {
        self.data[(y * self.width + x) * 3 + c]
    }
    pub fn set(&mut self, x: usize, y: usize, c: usize, v: f32) {
        self.data[(y * self.width + x) * 3 + c] = v;
    }

    /// Read a PNG or JPEG file; an unreadable or corrupt file is an error naming it.
    pub fn open(path: &Path) -> Result<Self, BagNetError> {
        let img = image::open(path).map_err(|e| BagNetError::file(path, format!("cannot read image: {e}")))?;
        let rgb = img.to_rgb32f();
        Ok(RgbImage {
            width: rgb.width() as usize,
            height: rgb.height() as usize,
            data: rgb.into_raw(),
        })
    }

    /// The image as an 8-bit PNG file's bytes.
    pub fn to_png(&self) -> Result<Vec<u8>, BagNetError> {
        let bytes: Vec<u8> = self
            .data
            .iter()
            .map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8)
            .collect();
        let buf = image::RgbImage::from_raw(self.width as u32, self.height as u32, bytes)
            .ok_or_else(|| BagNetError::Data("image buffer has the wrong length".into()))?;
        let mut out = std::io::Cursor::new(Vec::new());
        buf.write_to(&mut out, image::ImageFormat::Png)
            .map_err(|e| BagNetError::Data(format!("cannot encode PNG: {e}")))?;
        Ok(out.into_inner())
    }

    /// Write as an 8-bit PNG, atomically (temporary file, then rename), replacing `path`.
    pub fn save_png(&self, path: &Path) -> Result<(), BagNetError> {
        let bytes = self.to_png().map_err(|e| BagNetError::file(path, e))?;
        dimorph_core::output::write_atomic(path, &bytes, dimorph_core::Overwrite::Replace)?;
        Ok(())
    }

    /// Resize to `size`×`size` (bilinear); a no-op when already that size.
    pub fn resized(self, size: usize) -> Self {
        if self.width == size && self.height == size {
            return self;
        }
        let buf = image::Rgb32FImage::from_raw(self.width as u32, self.height as u32, self.data)
            .expect("RgbImage keeps width*height*3 values");
        let out = image::imageops::resize(&buf, size as u32, size as u32, image::imageops::FilterType::Triangle);
        RgbImage {
            width: size,
            height: size,
            data: out.into_raw(),
        }
    }

    /// The circular mask of paper §3.1: keep the central disc whose radius is 95 % of half the
    /// shorter side, set the rest to black.
    pub fn mask_circle(&mut self, keep: f64) {
        let (cx, cy) = (self.width as f64 / 2.0, self.height as f64 / 2.0);
        let r = keep * cx.min(cy);
        for y in 0..self.height {
            for x in 0..self.width {
                let d = ((x as f64 + 0.5 - cx).powi(2) + (y as f64 + 0.5 - cy).powi(2)).sqrt();
                if d > r {
                    for c in 0..3 {
                        self.set(x, y, c, 0.0);
                    }
                }
            }
        }
    }
}
