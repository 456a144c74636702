//! DICOM input (PS3.10 files: a 128-byte preamble, then `DICM`) through the dicom-rs crates
//! (`dicom-object` reads the data set, `dicom-pixeldata` decodes the pixel data: uncompressed,
//! RLE and JPEG baseline/extended/lossless, all in pure Rust; JPEG 2000, JPEG-LS and JPEG XL need
//! C libraries and a deflated data set is not read: these are refused, naming the transfer syntax).
//! Every declared length is checked against the file's size before the parser sees it
//! ([`walk`]).
//!
//! One frame becomes an image of the `image` crate that the rest of the reader fits, masks and
//! caches like any PNG (see [`crate::image::prepare`]):
//! - monochrome (MONOCHROME2; MONOCHROME1 inverted): stored values (bits stored, signed or not)
//!   through the modality rescale (slope, intercept), then the VOI window of the file's first
//!   Window Center/Width with its VOI LUT Function (LINEAR, LINEAR_EXACT or SIGMOID, PS3.3
//!   C.11.2.1.2), else a min–max stretch of the frame; 8-bit output for up to 8 bits stored, 16-bit
//!   otherwise (grey, replicated into the model's three channels);
//! - colour: RGB (interleaved or planar) and YBR_FULL (converted to RGB by PS3.3 C.7.6.3.1.2), 8 or
//!   16 bits; compressed colour comes out of its decoder as RGB.
//!
//! A multi-frame file is refused (the frame to use is the user's choice: export it as a file of
//! its own). Sizes are checked from the header before pixel data are read, with the limits of
//! PNG and JPEG input (passed in by the image reader).

#[cfg(feature = "dicom")]
mod pixels;
#[cfg(feature = "dicom")]
mod walk;

use std::io::Read;
use std::path::Path;

use crate::BagNetError;
#[cfg(feature = "dicom")]
use dicom_dictionary_std::tags;
#[cfg(feature = "dicom")]
use dicom_encoding::transfer_syntax::TransferSyntaxIndex;

/// Does `path` look like a DICOM file: a `.dcm` or `.dicom` name, or `DICM` at byte 128?
pub fn is_dicom(path: &Path) -> bool {
    let by_name = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("dcm") || e.eq_ignore_ascii_case("dicom"));
    by_name || has_magic(path)
}

/// `DICM` at byte 128 (PS3.10 7.1).
fn has_magic(path: &Path) -> bool {
    let mut head = [0u8; 132];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|_| &head[128..] == b"DICM")
}

/// The most a DICOM image may declare: pixels per side and bytes of pixels of its frame.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub side: u32,
    pub bytes: u64,
}

/// Decode a DICOM file's single frame (see the module's documentation).
#[cfg(not(feature = "dicom"))]
pub fn decode(path: &Path, _: Limits) -> Result<image::DynamicImage, BagNetError> {
    Err(BagNetError::file(
        path,
        "a DICOM file: this build reads no DICOM (rebuild with the `dicom` feature, on by default)",
    ))
}

/// Decode a DICOM file's single frame within `limits` (see the module's documentation).
#[cfg(feature = "dicom")]
pub fn decode(path: &Path, limits: Limits) -> Result<image::DynamicImage, BagNetError> {
    let fail = |msg: String| BagNetError::file(path, format!("cannot read DICOM: {msg}"));
    walk::check(path).map_err(fail)?;
    let head = dicom_object::OpenFileOptions::new()
        .read_until(tags::PIXEL_DATA)
        .open_file(path)
        .map_err(|e| fail(e.to_string()))?;
    check_header(&head, limits).map_err(fail)?;
    drop(head);
    let obj = dicom_object::open_file(path).map_err(|e| fail(e.to_string()))?;
    let px = dicom_pixeldata::PixelDecoder::decode_pixel_data_frame(&obj, 0).map_err(|e| fail(e.to_string()))?;
    pixels::to_image(&px).map_err(fail)
}

#[cfg(feature = "dicom")]
fn int(obj: &dicom_object::DefaultDicomObject, tag: dicom_core::Tag, name: &str) -> Result<Option<u32>, String> {
    match obj.element_opt(tag).map_err(|e| e.to_string())? {
        None => Ok(None),
        Some(e) => e
            .to_int::<u32>()
            .map(Some)
            .map_err(|_| format!("{name} is not a non-negative whole number")),
    }
}

/// The transfer syntax, the sizes and the frames, checked before the pixel data are read.
#[cfg(feature = "dicom")]
fn check_header(obj: &dicom_object::DefaultDicomObject, limits: Limits) -> Result<(), String> {
    let uid = obj.meta().transfer_syntax().trim_end_matches('\0').trim();
    match dicom_transfer_syntax_registry::TransferSyntaxRegistry.get(uid) {
        None => return Err(format!("unknown transfer syntax {uid}")),
        Some(ts) if !ts.can_decode_all() => {
            return Err(format!(
                "transfer syntax {uid} ({}) is not decoded by this build (pure-Rust decoders only: \
                 uncompressed, RLE, JPEG baseline/extended/lossless); convert the file to \
                 uncompressed DICOM first, e.g. `gdcmconv --raw IN OUT` or `dcmdjpls`/`dcmdjp2k`",
                ts.name()
            ))
        }
        Some(_) => {}
    }
    let rows = int(obj, tags::ROWS, "Rows")?.ok_or("no Rows (0028,0010): no image in this file")?;
    let cols = int(obj, tags::COLUMNS, "Columns")?.ok_or("no Columns (0028,0011): no image in this file")?;
    let spp = int(obj, tags::SAMPLES_PER_PIXEL, "Samples per Pixel")?.unwrap_or(1);
    let bits = int(obj, tags::BITS_ALLOCATED, "Bits Allocated")?.ok_or("no Bits Allocated (0028,0100)")?;
    let frames = match obj.element_opt(tags::NUMBER_OF_FRAMES).map_err(|e| e.to_string())? {
        None => 1,
        Some(e) => e
            .to_str()
            .ok()
            .and_then(|s| s.trim().trim_end_matches('\0').parse::<u64>().ok())
            .ok_or("Number of Frames (0028,0008) is not a whole number")?,
    };
    if rows == 0 || cols == 0 {
        return Err(format!("an image of {cols}×{rows} pixels"));
    }
    if rows > limits.side || cols > limits.side {
        return Err(format!(
            "image of {cols}×{rows} px is larger than {} px per side; downscale it first",
            limits.side
        ));
    }
    if !matches!(spp, 1 | 3) {
        return Err(format!("{spp} samples per pixel (1 or 3 are read)"));
    }
    if !matches!(bits, 1 | 8 | 16) {
        return Err(format!("{bits} bits allocated per sample (1, 8 or 16 are read)"));
    }
    let bytes = rows as u64 * cols as u64 * spp as u64 * (bits as u64).div_ceil(8);
    if bytes > limits.bytes {
        return Err(format!("{bytes} bytes of pixels is more than {}", limits.bytes));
    }
    if frames != 1 {
        return Err(format!(
            "{frames} frames: one image per file is read (export the frame to use as a file of its own)"
        ));
    }
    Ok(())
}
