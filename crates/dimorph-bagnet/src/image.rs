//! A plain RGB float image (values in [0, 1], row-major, interleaved) with PNG/JPEG input and PNG
//! output through the `image` crate, resizing, the circular field mask and colour overlays.
//!
//! Reading is bounded: an image is decoded only when its header declares at most
//! [`MAX_DECODE_SIDE`] pixels per side and [`MAX_DECODE_BYTES`] bytes of pixels (the decoder is
//! held to the same limits), and it is resized to the model's input in its own 8- or 16-bit
//! samples before it becomes floats (a 13,000² PNG of 0.5 MB is refused from its header; a
//! 4,000² photograph costs its 48 MB of 8-bit pixels, not 192 MB of floats).

use std::path::Path;

use crate::BagNetError;

/// Largest image side decoded, in pixels.
pub const MAX_DECODE_SIDE: u32 = 8192;
/// Most bytes the decoder may allocate for one image (an 8192² RGB image of 8-bit samples).
pub const MAX_DECODE_BYTES: u64 = 8192 * 8192 * 3;

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
        Ok(Self::from_dynamic(decode(path)?))
    }

    /// Read a PNG or JPEG file at `size`×`size` (resized in its own samples, then made floats),
    /// with the width it had in the file.
    pub fn open_at(path: &Path, size: usize) -> Result<(Self, usize), BagNetError> {
        let img = decode(path)?;
        let width = img.width() as usize;
        let img = if img.width() as usize == size && img.height() as usize == size {
            img
        } else {
            img.resize_exact(size as u32, size as u32, image::imageops::FilterType::Triangle)
        };
        Ok((Self::from_dynamic(img), width))
    }

    fn from_dynamic(img: image::DynamicImage) -> Self {
        let rgb = img.to_rgb32f();
        RgbImage {
            width: rgb.width() as usize,
            height: rgb.height() as usize,
            data: rgb.into_raw(),
        }
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

/// Decode an image within [`MAX_DECODE_SIDE`] and [`MAX_DECODE_BYTES`], checked from its header
/// before any pixel is decoded.
fn decode(path: &Path) -> Result<image::DynamicImage, BagNetError> {
    let fail = |e: image::ImageError| BagNetError::file(path, format!("cannot read image: {e}"));
    let open = || {
        image::ImageReader::open(path)
            .map_err(|e| BagNetError::file(path, format!("cannot read image: {e}")))?
            .with_guessed_format()
            .map_err(|e| BagNetError::file(path, format!("cannot read image: {e}")))
    };
    let (w, h) = open()?.into_dimensions().map_err(fail)?;
    if w > MAX_DECODE_SIDE || h > MAX_DECODE_SIDE {
        return Err(BagNetError::file(
            path,
            format!("image of {w}×{h} px is larger than {MAX_DECODE_SIDE} px per side; downscale it first"),
        ));
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_DECODE_SIDE);
    limits.max_image_height = Some(MAX_DECODE_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    let mut reader = open()?;
    reader.limits(limits);
    reader.decode().map_err(fail)
}
