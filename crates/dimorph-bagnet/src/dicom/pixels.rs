//! One decoded DICOM frame as an image of the `image` crate (see [`super`]): monochrome through
//! the modality rescale and the VOI window (PS3.3 C.11.2.1.2) or a min–max stretch, MONOCHROME1
//! inverted; RGB and YBR_FULL colour.

use dicom_pixeldata::{
    DecodedPixelData, PhotometricInterpretation, PixelRepresentation, PlanarConfiguration, VoiLutFunction, WindowLevel,
};

/// The frame as an image of the `image` crate (see the module's documentation).
pub fn to_image(px: &DecodedPixelData) -> Result<image::DynamicImage, String> {
    let (w, h) = (px.columns(), px.rows());
    let n = w as usize * h as usize;
    let spp = px.samples_per_pixel() as usize;
    let wide = px.bits_allocated() > 8;
    let data = px.frame_data(0).map_err(|e| e.to_string())?;
    let need = n * spp * if wide { 2 } else { 1 };
    if data.len() < need {
        return Err(format!("{} bytes of pixel data, {need} expected", data.len()));
    }
    let raw: Vec<u32> = if wide {
        data[..need]
            .chunks_exact(2)
            .map(|b| u16::from_ne_bytes([b[0], b[1]]) as u32)
            .collect()
    } else {
        data[..need].iter().map(|&b| b as u32).collect()
    };
    let pi = px.photometric_interpretation();
    match pi {
        PhotometricInterpretation::Monochrome1 | PhotometricInterpretation::Monochrome2 if spp == 1 => {
            monochrome(px, &raw, *pi == PhotometricInterpretation::Monochrome1, (w, h))
        }
        PhotometricInterpretation::Rgb | PhotometricInterpretation::YbrFull if spp == 3 => {
            let planar = px.planar_configuration() == PlanarConfiguration::PixelFirst;
            let mut v: Vec<u32> = if planar {
                (0..n)
                    .flat_map(|p| (0..3).map(move |c| (c, p)))
                    .map(|(c, p)| raw[c * n + p])
                    .collect()
            } else {
                raw
            };
            if *pi == PhotometricInterpretation::YbrFull {
                let top = if wide { 65535.0 } else { 255.0 };
                for p in v.chunks_exact_mut(3) {
                    let rgb = ybr_to_rgb([p[0] as f64, p[1] as f64, p[2] as f64], top);
                    p.copy_from_slice(&rgb.map(|x| x as u32));
                }
            }
            Ok(if wide {
                image::DynamicImage::ImageRgb16(
                    image::ImageBuffer::from_raw(w, h, v.iter().map(|&x| x as u16).collect())
                        .ok_or("pixel buffer of the wrong length")?,
                )
            } else {
                image::DynamicImage::ImageRgb8(
                    image::ImageBuffer::from_raw(w, h, v.iter().map(|&x| x as u8).collect())
                        .ok_or("pixel buffer of the wrong length")?,
                )
            })
        }
        other => Err(format!(
            "photometric interpretation {other} with {spp} samples per pixel is not read \
             (MONOCHROME1, MONOCHROME2, RGB and YBR_FULL are)"
        )),
    }
}

/// YBR_FULL to RGB (PS3.3 C.7.6.3.1.2, ITU-R BT.601 full range), rounded and clamped to
/// `[0, top]`.
pub fn ybr_to_rgb([y, cb, cr]: [f64; 3], top: f64) -> [f64; 3] {
    let half = (top + 1.0) / 2.0;
    let (cb, cr) = (cb - half, cr - half);
    [y + 1.402 * cr, y - 0.344136 * cb - 0.714136 * cr, y + 1.772 * cb].map(|v| v.round().clamp(0.0, top))
}

/// Stored values → modality values → the window (or min–max) → 8- or 16-bit grey.
fn monochrome(
    px: &DecodedPixelData,
    raw: &[u32],
    invert: bool,
    (w, h): (u32, u32),
) -> Result<image::DynamicImage, String> {
    let stored = px.bits_stored().clamp(1, px.bits_allocated().max(1)) as u32;
    let shift = (px.high_bit() as u32 + 1).saturating_sub(stored);
    let signed = px.pixel_representation() == PixelRepresentation::Signed;
    let rescale = px.rescale().map_err(|e| e.to_string())?.first().copied();
    let (slope, intercept) = rescale.map_or((1.0, 0.0), |r| (r.slope, r.intercept));
    let values: Vec<f64> = raw
        .iter()
        .map(|&r| stored_value(r, shift, stored, signed) * slope + intercept)
        .collect();
    let window = px.window().map_err(|e| e.to_string())?.and_then(|w| w.first().copied());
    let function = px
        .voi_lut_function()
        .map_err(|e| e.to_string())?
        .and_then(|f| f.first().copied())
        .unwrap_or_default();
    let wide = stored > 8;
    let top = if wide { 65535.0 } else { 255.0 };
    let map: Box<dyn Fn(f64) -> f64> = match window {
        Some(win) => Box::new(move |x| voi(x, win, function, top)),
        None => {
            let (lo, hi) = values
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
            Box::new(move |x| if hi > lo { (x - lo) / (hi - lo) * top } else { 0.0 })
        }
    };
    let grey = values.iter().map(|&x| {
        let y = map(x).round().clamp(0.0, top);
        if invert {
            top - y
        } else {
            y
        }
    });
    Ok(if wide {
        image::DynamicImage::ImageLuma16(
            image::ImageBuffer::from_raw(w, h, grey.map(|y| y as u16).collect())
                .ok_or("pixel buffer of the wrong length")?,
        )
    } else {
        image::DynamicImage::ImageLuma8(
            image::ImageBuffer::from_raw(w, h, grey.map(|y| y as u8).collect())
                .ok_or("pixel buffer of the wrong length")?,
        )
    })
}

/// A sample's stored value: bits `shift..shift + stored`, sign-extended when signed.
pub fn stored_value(raw: u32, shift: u32, stored: u32, signed: bool) -> f64 {
    let mask = if stored >= 32 { u32::MAX } else { (1u32 << stored) - 1 };
    let v = (raw >> shift.min(31)) & mask;
    if signed && stored < 32 && v >> (stored - 1) & 1 == 1 {
        v as f64 - (1u64 << stored) as f64
    } else {
        v as f64
    }
}

/// The VOI LUT function of PS3.3 C.11.2.1.2 from a modality value to `[0, top]` (before
/// rounding): LINEAR (width at least 1), LINEAR_EXACT (width above 0) and SIGMOID.
pub fn voi(x: f64, win: WindowLevel, function: VoiLutFunction, top: f64) -> f64 {
    let (c, w) = (win.center, win.width);
    match function {
        VoiLutFunction::Linear => {
            let w = w.max(1.0);
            if x <= c - 0.5 - (w - 1.0) / 2.0 {
                0.0
            } else if x > c - 0.5 + (w - 1.0) / 2.0 {
                top
            } else {
                ((x - (c - 0.5)) / (w - 1.0) + 0.5) * top
            }
        }
        VoiLutFunction::LinearExact => {
            let w = w.max(f64::MIN_POSITIVE);
            if x <= c - w / 2.0 {
                0.0
            } else if x > c + w / 2.0 {
                top
            } else {
                ((x - c) / w + 0.5) * top
            }
        }
        VoiLutFunction::Sigmoid => top / (1.0 + (-4.0 * (x - c) / w).exp()),
    }
}
