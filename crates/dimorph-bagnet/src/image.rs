//! A plain RGB float image (values in [0, 1], row-major, interleaved) with PNG (8- and 16-bit),
//! JPEG and TIFF input through the `image` crate, DICOM input through [`crate::dicom`], PNG
//! output, resizing, the circular field mask and colour overlays; and [`prepare`]: one image
//! file at the model's input size as 8- or 16-bit samples, fitted to the square by centre crop,
//! padding or stretching ([`Fit`]), optionally masked — what the loader's cache stores.
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

    /// Read a PNG, JPEG or TIFF file; an unreadable or corrupt file is an error naming it.
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
/// before any pixel is decoded; a DICOM file (by name or its `DICM` magic) through [`crate::dicom`].
fn decode(path: &Path) -> Result<image::DynamicImage, BagNetError> {
    if crate::dicom::is_dicom(path) {
        let limits = crate::dicom::Limits {
            side: MAX_DECODE_SIDE,
            bytes: MAX_DECODE_BYTES,
        };
        return crate::dicom::decode(path, limits);
    }
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

/// How an image that is not square becomes the model's square input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Fit {
    /// Keep the aspect ratio: the central square of side min(width, height), resized (default).
    #[default]
    Crop,
    /// Keep the aspect ratio and all of the image: resized so that the longer side fits, centred
    /// on black.
    Pad,
    /// Resize width and height independently to the square (the behaviour before `--fit`: it
    /// distorts images that are not square).
    Stretch,
}

impl Fit {
    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Fit::Crop => "crop",
            Fit::Pad => "pad",
            Fit::Stretch => "stretch",
        }
    }
}

/// An image at the model's input size in its own sample depth (8-bit, or 16-bit for 16-bit and
/// float sources), RGB interleaved; 16-bit samples little-endian.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub side: usize,
    /// Bytes per sample: 1 or 2.
    pub depth: u8,
    pub bytes: Vec<u8>,
    /// Model pixels per stored-image pixel.
    pub scale: f64,
    /// Where the model input's origin lies in the stored image, in stored pixels (negative when
    /// padded): model pixel = (stored pixel − offset) · scale.
    pub offset: [f64; 2],
    /// With the mask: whether it blacked out visible content (more than 5 % of the pixels outside
    /// the disc brighter than 10 % grey).
    pub mask_hid_content: bool,
}

impl Prepared {
    /// The image as floats in [0, 1] (sample / 255 or / 65535, as the `image` crate converts).
    pub fn to_rgb(&self) -> RgbImage {
        let data: Vec<f32> = if self.depth == 2 {
            self.bytes
                .chunks_exact(2)
                .map(|b| (u16::from_le_bytes([b[0], b[1]]) as f32 / u16::MAX as f32).clamp(0.0, 1.0))
                .collect()
        } else {
            self.bytes
                .iter()
                .map(|&b| (b as f32 / u8::MAX as f32).clamp(0.0, 1.0))
                .collect()
        };
        RgbImage {
            width: self.side,
            height: self.side,
            data,
        }
    }
}

/// Read an image file at `size`×`size` as [`Prepared`] samples: fitted by `fit` (resized in the
/// image's own samples with the triangle filter), then, with `mask`, the circular mask of paper
/// §3.1 (95 % of half the side). A square image gives the same pixels under every fit.
pub fn prepare(path: &Path, size: usize, fit: Fit, mask: bool) -> Result<Prepared, BagNetError> {
    use image::imageops::FilterType::Triangle;
    let img = decode(path)?;
    let (w, h) = (img.width() as usize, img.height() as usize);
    let s32 = size as u32;
    let (img, scale, offset) = match fit {
        _ if w == size && h == size => (img, 1.0, [0.0, 0.0]),
        Fit::Stretch => (img.resize_exact(s32, s32, Triangle), size as f64 / w as f64, [0.0, 0.0]),
        Fit::Crop => {
            let side = w.min(h);
            let (x0, y0) = ((w - side) / 2, (h - side) / 2);
            let sq = if side == w && side == h {
                img
            } else {
                img.crop_imm(x0 as u32, y0 as u32, side as u32, side as u32)
            };
            let sq = if side == size {
                sq
            } else {
                sq.resize_exact(s32, s32, Triangle)
            };
            (sq, size as f64 / side as f64, [x0 as f64, y0 as f64])
        }
        Fit::Pad => {
            let side = w.max(h);
            let scale = size as f64 / side as f64;
            let rw = ((w as f64 * scale).round() as u32).clamp(1, s32);
            let rh = ((h as f64 * scale).round() as u32).clamp(1, s32);
            let small = img.resize_exact(rw, rh, Triangle);
            let mut canvas = image::DynamicImage::new(s32, s32, small.color());
            let (px, py) = ((s32 - rw) / 2, (s32 - rh) / 2);
            image::imageops::overlay(&mut canvas, &small, px as i64, py as i64);
            (canvas, scale, [-(px as f64) / scale, -(py as f64) / scale])
        }
    };
    let wide = matches!(
        img.color(),
        image::ColorType::L16
            | image::ColorType::La16
            | image::ColorType::Rgb16
            | image::ColorType::Rgba16
            | image::ColorType::Rgb32F
            | image::ColorType::Rgba32F
    );
    let (depth, mut bytes) = if wide {
        (
            2u8,
            img.to_rgb16().into_raw().iter().flat_map(|v| v.to_le_bytes()).collect(),
        )
    } else {
        (1u8, img.to_rgb8().into_raw())
    };
    let mask_hid_content = mask && mask_samples(&mut bytes, size, depth as usize);
    Ok(Prepared {
        side: size,
        depth,
        bytes,
        scale,
        offset,
        mask_hid_content,
    })
}

/// The circular mask of [`RgbImage::mask_circle`] (keep 0.95) on interleaved samples of `depth`
/// bytes; whether more than 5 % of the pixels it blacked out were brighter than 10 % grey.
fn mask_samples(bytes: &mut [u8], side: usize, depth: usize) -> bool {
    let c = side as f64 / 2.0;
    let r = 0.95 * c;
    let (mut outside, mut bright) = (0usize, 0usize);
    let px = 3 * depth;
    for y in 0..side {
        for x in 0..side {
            let d = ((x as f64 + 0.5 - c).powi(2) + (y as f64 + 0.5 - c).powi(2)).sqrt();
            if d > r {
                let p = &mut bytes[(y * side + x) * px..(y * side + x + 1) * px];
                // The most significant byte of each sample (16-bit samples are little-endian).
                let top = p.chunks(depth).map(|s| s[depth - 1]).max().unwrap_or(0);
                outside += 1;
                bright += usize::from(top > 25);
                p.fill(0);
            }
        }
    }
    bright * 20 > outside
}
