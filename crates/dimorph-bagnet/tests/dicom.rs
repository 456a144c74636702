//! DICOM input: small files written here with dicom-object (8- and 16-bit monochrome with and
//! without a window, signed with a rescale, MONOCHROME1, RGB interleaved and planar, YBR_FULL,
//! JPEG baseline) are read by [`prepare`] at their own size, so the samples are the decoder's
//! output unresized. Expected values are worked out by hand from the DICOM standard (PS3.3
//! C.11.2.1.2.1, the LINEAR window: y = ((x − (c − 0.5)) / (w − 1) + 0.5) · top, 0 at or below
//! c − 0.5 − (w − 1)/2, top above c − 0.5 + (w − 1)/2; C.7.6.3.1.2 for YBR_FULL) and written as
//! literals; the same and more cases (LINEAR_EXACT, SIGMOID, rescaled min–max) are compared with
//! pydicom 3.0.2 (`tests/peers/dicom_pydicom.py`, its output `dicom_pydicom.json`): pixel decoding,
//! modality rescale and `apply_windowing`, within one sample level (rounding). The JPEG file is
//! compared with the `image` crate's own decoding of the same JPEG.
//! Broken, multi-frame, JPEG 2000 and length-forging files give an error naming the file; the
//! loader's cache keys DICOM files as any other (a changed file is read again).
#![cfg(feature = "dicom")]

use std::path::Path;

use dicom_core::value::{PixelFragmentSequence, Value};
use dicom_core::{DataElement, PrimitiveValue, VR};
use dicom_dictionary_std::tags;
use dicom_object::{FileMetaTableBuilder, InMemDicomObject};
use dimorph_bagnet::data::{self, OpenOptions};
use dimorph_bagnet::image::{prepare, Fit, Prepared};
use dimorph_bagnet::loader::Preprocess;
use dimorph_core::ScratchDir;

const EXPLICIT_LE: &str = "1.2.840.10008.1.2.1";

/// What a test file declares.
#[derive(Clone)]
struct Spec {
    side: u16,
    spp: u16,
    bits: u16,
    stored: u16,
    signed: bool,
    pi: String,
    planar: Option<u16>,
    window: Option<(f64, f64)>,
    /// VOI LUT Function (LINEAR when absent).
    function: Option<String>,
    rescale: Option<(f64, f64)>,
    frames: Option<u32>,
    ts: &'static str,
}

fn spec(side: u16, bits: u16, pi: &str) -> Spec {
    Spec {
        side,
        spp: if pi.starts_with("MONO") { 1 } else { 3 },
        bits,
        stored: bits,
        signed: false,
        pi: pi.to_string(),
        planar: None,
        window: None,
        function: None,
        rescale: None,
        frames: None,
        ts: EXPLICIT_LE,
    }
}

fn ds(v: f64) -> PrimitiveValue {
    PrimitiveValue::from(v.to_string())
}

/// Write a DICOM file (secondary capture) of `s` with pixel data `pixels` to `path`.
fn write(path: &Path, s: &Spec, pixels: Value<InMemDicomObject, Vec<u8>>) {
    let us = |v: u16| PrimitiveValue::from(v);
    let mut obj = InMemDicomObject::from_element_iter([
        DataElement::new(
            tags::SOP_CLASS_UID,
            VR::UI,
            PrimitiveValue::from("1.2.840.10008.5.1.4.1.1.7"),
        ),
        DataElement::new(tags::SOP_INSTANCE_UID, VR::UI, PrimitiveValue::from("2.25.1234")),
        DataElement::new(tags::ROWS, VR::US, us(s.side)),
        DataElement::new(tags::COLUMNS, VR::US, us(s.side)),
        DataElement::new(tags::SAMPLES_PER_PIXEL, VR::US, us(s.spp)),
        DataElement::new(tags::BITS_ALLOCATED, VR::US, us(s.bits)),
        DataElement::new(tags::BITS_STORED, VR::US, us(s.stored)),
        DataElement::new(tags::HIGH_BIT, VR::US, us(s.stored - 1)),
        DataElement::new(tags::PIXEL_REPRESENTATION, VR::US, us(u16::from(s.signed))),
        DataElement::new(
            tags::PHOTOMETRIC_INTERPRETATION,
            VR::CS,
            PrimitiveValue::from(s.pi.as_str()),
        ),
    ]);
    if let Some(p) = s.planar {
        obj.put(DataElement::new(tags::PLANAR_CONFIGURATION, VR::US, us(p)));
    }
    if let Some((c, w)) = s.window {
        obj.put(DataElement::new(tags::WINDOW_CENTER, VR::DS, ds(c)));
        obj.put(DataElement::new(tags::WINDOW_WIDTH, VR::DS, ds(w)));
    }
    if let Some(f) = &s.function {
        obj.put(DataElement::new(
            tags::VOILUT_FUNCTION,
            VR::CS,
            PrimitiveValue::from(f.as_str()),
        ));
    }
    if let Some((intercept, slope)) = s.rescale {
        obj.put(DataElement::new(tags::RESCALE_INTERCEPT, VR::DS, ds(intercept)));
        obj.put(DataElement::new(tags::RESCALE_SLOPE, VR::DS, ds(slope)));
    }
    if let Some(f) = s.frames {
        obj.put(DataElement::new(
            tags::NUMBER_OF_FRAMES,
            VR::IS,
            PrimitiveValue::from(f.to_string()),
        ));
    }
    let vr = if s.bits > 8 { VR::OW } else { VR::OB };
    obj.put(DataElement::new(tags::PIXEL_DATA, vr, pixels));
    let file = obj
        .with_meta(FileMetaTableBuilder::new().transfer_syntax(s.ts))
        .unwrap();
    file.write_to_file(path).unwrap();
}

fn u8s(v: &[u8]) -> Value<InMemDicomObject, Vec<u8>> {
    PrimitiveValue::U8(v.iter().copied().collect()).into()
}
fn u16s(v: &[u16]) -> Value<InMemDicomObject, Vec<u8>> {
    PrimitiveValue::U16(v.iter().copied().collect()).into()
}
fn i16s(v: &[i16]) -> Value<InMemDicomObject, Vec<u8>> {
    PrimitiveValue::I16(v.iter().copied().collect()).into()
}

fn tmp(name: &str) -> ScratchDir {
    ScratchDir::new(&format!("dimorph-bagnet-dicom-{name}")).unwrap()
}

/// The file read at its own size (no resizing), mask off.
fn read(path: &Path, side: u16) -> Prepared {
    prepare(path, side as usize, Fit::Crop, false).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The samples of a prepared image: 16-bit little endian when `depth` is 2.
fn samples(p: &Prepared) -> Vec<u32> {
    if p.depth == 2 {
        p.bytes
            .chunks_exact(2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]) as u32)
            .collect()
    } else {
        p.bytes.iter().map(|&b| b as u32).collect()
    }
}

/// Grey values replicated into the three channels.
fn grey(p: &Prepared) -> Vec<u32> {
    let s = samples(p);
    let g: Vec<u32> = s.chunks_exact(3).map(|c| c[0]).collect();
    assert!(
        s.chunks_exact(3).all(|c| c[0] == c[1] && c[1] == c[2]),
        "grey in every channel"
    );
    g
}

#[test]
fn monochrome_16_bit_with_the_files_window() {
    let dir = tmp("m16");
    let p = dir.join("m16.dcm");
    let mut s = spec(2, 16, "MONOCHROME2");
    s.stored = 12;
    s.window = Some((2048.0, 4096.0));
    write(&p, &s, u16s(&[0, 1000, 2047, 3000]));
    let got = read(&p, 2);
    assert_eq!(got.depth, 2, "more than 8 bits stored: 16-bit samples");
    // c − 0.5 − (w − 1)/2 = 0: 0 → 0; 1000 → (−1047.5/4095 + 0.5)·65535 = 16003.7; 2047 →
    // 32759.498; 3000 → (952.5/4095 + 0.5)·65535 = 48010.99.
    assert_eq!(grey(&got), [0, 16004, 32759, 48011]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn signed_16_bit_with_rescale_and_window() {
    let dir = tmp("ct");
    let p = dir.join("ct");
    // No extension: recognised by DICM at byte 128.
    let mut s = spec(2, 16, "MONOCHROME2");
    s.signed = true;
    s.rescale = Some((-100.0, 2.0));
    s.window = Some((40.0, 400.0));
    write(&p, &s, i16s(&[-500, 70, 50, -1]));
    // Modality values 2x − 100: −1100, 40, 0, −102. Window c 40, w 400: 0 at or below −160.
    // 40 → (0.5/399 + 0.5)·65535 = 32849.62; 0 → (−39.5/399 + 0.5)·65535 = 26279.70;
    // −102 → (−141.5/399 + 0.5)·65535 = 9526.39.
    assert_eq!(grey(&read(&p, 2)), [0, 32850, 26280, 9526]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn monochrome_8_bit_window_and_min_max_and_monochrome1() {
    let dir = tmp("m8");
    // Window c 128, w 256 on 8 bits is the identity: ((x − 127.5)/255 + 0.5)·255 = x.
    let p = dir.join("win.dcm");
    let mut s = spec(2, 8, "MONOCHROME2");
    s.window = Some((128.0, 256.0));
    write(&p, &s, u8s(&[0, 100, 128, 255]));
    let got = read(&p, 2);
    assert_eq!(got.depth, 1);
    assert_eq!(grey(&got), [0, 100, 128, 255]);
    // No window: min–max, (x − 10)/100·255 = 0, 25.5, 51, 255 (halves round up).
    let p = dir.join("minmax.dcm");
    write(&p, &spec(2, 8, "MONOCHROME2"), u8s(&[10, 20, 30, 110]));
    assert_eq!(grey(&read(&p, 2)), [0, 26, 51, 255]);
    // MONOCHROME1 (minimum is white): the same, inverted.
    let p = dir.join("m1.dcm");
    write(&p, &spec(2, 8, "MONOCHROME1"), u8s(&[10, 20, 30, 110]));
    assert_eq!(grey(&read(&p, 2)), [255, 229, 204, 0]);
    // MONOCHROME1 of 16 bits with a window: 65535 minus the window's value.
    let p = dir.join("m1w.dcm");
    let mut s = spec(2, 16, "MONOCHROME1");
    s.window = Some((2048.0, 4096.0));
    write(&p, &s, u16s(&[0, 1000, 2047, 5000]));
    assert_eq!(grey(&read(&p, 2)), [65535, 65535 - 16004, 65535 - 32759, 0]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn colour_rgb_planar_16_bit_and_ybr() {
    let dir = tmp("rgb");
    let px: Vec<u8> = (0..12).map(|v| v * 20).collect();
    // Interleaved RGB: the samples as they are.
    let p = dir.join("rgb.dcm");
    write(&p, &spec(2, 8, "RGB"), u8s(&px));
    assert_eq!(samples(&read(&p, 2)), px.iter().map(|&v| v as u32).collect::<Vec<_>>());
    // Planar (R plane, G plane, B plane): interleaved on reading.
    let p = dir.join("planar.dcm");
    let mut s = spec(2, 8, "RGB");
    s.planar = Some(1);
    write(&p, &s, u8s(&px));
    assert_eq!(
        samples(&read(&p, 2)),
        [0, 80, 160, 20, 100, 180, 40, 120, 200, 60, 140, 220]
    );
    // 16-bit RGB stays 16-bit.
    let p = dir.join("rgb16.dcm");
    let v16: Vec<u16> = (0..12).map(|v| v * 5000 + 7).collect();
    write(&p, &spec(2, 16, "RGB"), u16s(&v16));
    let got = read(&p, 2);
    assert_eq!(got.depth, 2);
    assert_eq!(samples(&got), v16.iter().map(|&v| v as u32).collect::<Vec<_>>());
    // YBR_FULL: (128, 128, 128) is grey 128; (100, 150, 90): R = 100 + 1.402·(−38) = 46.72,
    // G = 100 − 0.344136·22 − 0.714136·(−38) = 119.57, B = 100 + 1.772·22 = 138.98.
    let p = dir.join("ybr.dcm");
    write(
        &p,
        &spec(2, 8, "YBR_FULL"),
        u8s(&[128, 128, 128, 100, 150, 90, 0, 128, 128, 255, 128, 128]),
    );
    assert_eq!(
        samples(&read(&p, 2)),
        [128, 128, 128, 47, 120, 139, 0, 0, 0, 255, 255, 255]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn jpeg_baseline_equals_the_image_crates_decoding() {
    let dir = tmp("jpeg");
    let side = 16u32;
    let rgb = image::RgbImage::from_fn(side, side, |x, y| image::Rgb([(x * 15) as u8, (y * 15) as u8, 100]));
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode_image(&rgb)
        .unwrap();
    if jpeg.len() % 2 == 1 {
        jpeg.push(0);
    }
    let reference = image::load_from_memory(&jpeg).unwrap().to_rgb8();
    let p = dir.join("jpeg.dcm");
    let mut s = spec(side as u16, 8, "YBR_FULL_422");
    s.ts = "1.2.840.10008.1.2.4.50";
    write(
        &p,
        &s,
        Value::PixelSequence(PixelFragmentSequence::new(Vec::<u32>::new(), vec![jpeg])),
    );
    let got = samples(&read(&p, side as u16));
    let diff = got
        .iter()
        .zip(reference.as_raw())
        .map(|(&a, &b)| (a as i32 - b as i32).abs())
        .max()
        .unwrap();
    // Two JPEG decoders (jpeg-decoder, zune-jpeg) may differ by a level or two of rounding.
    assert!(diff <= 3, "JPEG pixels differ by up to {diff}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn broken_and_unsupported_files_name_the_file() {
    let dir = tmp("bad");
    let good = dir.join("good.dcm");
    write(&good, &spec(2, 8, "RGB"), u8s(&[7; 12]));
    let bytes = std::fs::read(&good).unwrap();
    let err = |p: &Path| prepare(p, 2, Fit::Crop, false).unwrap_err().to_string();
    let check = |p: &Path, want: &str| {
        let e = err(p);
        assert!(e.contains(&p.display().to_string()), "names the file: {e}");
        assert!(e.contains(want), "{want:?} in {e}");
    };
    // Truncated inside the pixel data.
    let p = dir.join("truncated.dcm");
    std::fs::write(&p, &bytes[..bytes.len() - 5]).unwrap();
    check(&p, "past the end of the file");
    // Not DICOM at all, by name.
    let p = dir.join("text.dcm");
    std::fs::write(&p, b"not a DICOM file").unwrap();
    check(&p, "cannot read DICOM");
    // A pixel data length forged to 2 GB in a file of a few hundred bytes: refused before the
    // parser reserves it.
    let p = dir.join("forged.dcm");
    let mut b = bytes.clone();
    let n = b.len();
    b[n - 16..n - 12].copy_from_slice(&0x7FFF_FFF0u32.to_le_bytes());
    std::fs::write(&p, &b).unwrap();
    check(&p, "declares 2147483632 bytes");
    // JPEG 2000 needs a C library: refused, naming the transfer syntax.
    let p = dir.join("j2k.dcm");
    let mut s = spec(2, 8, "RGB");
    s.ts = "1.2.840.10008.1.2.4.90";
    write(
        &p,
        &s,
        Value::PixelSequence(PixelFragmentSequence::new(Vec::<u32>::new(), vec![vec![0u8; 8]])),
    );
    check(&p, "JPEG 2000");
    // Several frames: refused.
    let p = dir.join("frames.dcm");
    let mut s = spec(2, 8, "RGB");
    s.frames = Some(2);
    write(&p, &s, u8s(&[7; 24]));
    check(&p, "2 frames");
    // Palette colour is not read.
    let p = dir.join("palette.dcm");
    let mut s = spec(2, 8, "PALETTE COLOR");
    s.spp = 1;
    write(&p, &s, u8s(&[1; 4]));
    check(&p, "PALETTE");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_cache_keys_dicom_files_by_file() {
    let dir = tmp("cache");
    let img = dir.join("img");
    std::fs::create_dir_all(&img).unwrap();
    let mut csv = String::from("path,subject,label\n");
    for i in 0..4u8 {
        let mut s = spec(4, 8, "MONOCHROME2");
        s.window = Some((128.0, 256.0));
        write(&img.join(format!("{i}.dcm")), &s, u8s(&[i * 10; 16]));
        csv.push_str(&format!("{i}.dcm,s{i},{}\n", if i % 2 == 0 { "a" } else { "b" }));
    }
    let labels = dir.join("labels.csv");
    std::fs::write(&labels, csv).unwrap();
    let classes = vec!["a".to_string(), "b".to_string()];
    let pre = Preprocess {
        size: 4,
        fit: Fit::Crop,
        mask: false,
    };
    let opts = OpenOptions {
        cache: Some(dir.join("cache")),
        workers: Some(2),
        ..Default::default()
    };
    let open = || data::open(data::read_labels(&labels, &img).unwrap(), &classes, pre, &opts).unwrap();
    let first = open();
    assert_eq!((first.images.stats().decoded, first.images.stats().cache_hits), (4, 0));
    let again = open();
    assert_eq!((again.images.stats().decoded, again.images.stats().cache_hits), (0, 4));
    for i in 0..4 {
        let v = again.images.get(i).unwrap().data[0];
        assert_eq!((v * 255.0).round() as u8, i as u8 * 10, "image {i} from the cache");
    }
    // A file rewritten with another window is read again, not taken from the cache.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let mut s = spec(4, 8, "MONOCHROME2");
    s.window = Some((0.0, 1.0));
    write(&img.join("1.dcm"), &s, u8s(&[10; 16]));
    let changed = open();
    assert_eq!(
        (changed.images.stats().decoded, changed.images.stats().cache_hits),
        (1, 3)
    );
    assert_eq!(
        changed.images.get(1).unwrap().data[0],
        1.0,
        "window c 0, w 1: 10 is white"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The cases of `tests/peers/dicom_pydicom.py`, written here with dicom-object and read by
/// [`prepare`]: every sample within one level of pydicom's (rounding of the same real value).
#[test]
fn pydicom_agrees() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/dicom_pydicom.json");
    let peer: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let dir = tmp("pydicom");
    let cases = peer["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 13);
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let num = |k: &str| c[k].as_f64().unwrap();
        let pair = |k: &str| {
            c[k].as_array()
                .map(|v| (v[0].as_f64().unwrap(), v[1].as_f64().unwrap()))
        };
        let mut s = spec(num("side") as u16, num("bits") as u16, c["pi"].as_str().unwrap());
        s.stored = num("stored") as u16;
        s.signed = c["signed"].as_bool().unwrap();
        s.planar = c["planar"].as_u64().map(|p| p as u16);
        s.window = pair("window");
        s.rescale = pair("rescale");
        s.function = c["voi_function"].as_str().map(str::to_string);
        let values: Vec<i64> = c["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect();
        let pixels = match (s.bits, s.signed) {
            (8, false) => u8s(&values.iter().map(|&v| v as u8).collect::<Vec<_>>()),
            (16, false) => u16s(&values.iter().map(|&v| v as u16).collect::<Vec<_>>()),
            (16, true) => i16s(&values.iter().map(|&v| v as i16).collect::<Vec<_>>()),
            other => panic!("{name}: {other:?}"),
        };
        let p = dir.join(format!("{name}.dcm"));
        write(&p, &s, pixels);
        let got = read(&p, s.side);
        let got = if s.spp == 1 { grey(&got) } else { samples(&got) };
        let want: Vec<u32> = c["expected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as u32)
            .collect();
        assert_eq!(got.len(), want.len(), "{name}");
        for (k, (g, w)) in got.iter().zip(&want).enumerate() {
            assert!(g.abs_diff(*w) <= 1, "{name}, sample {k}: {g}, pydicom {w}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
