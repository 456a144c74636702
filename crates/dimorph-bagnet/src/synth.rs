//! Synthetic fundus images with ground-truth evidence regions (`dimorph bagnet synth`).
//!
//! Each image is a circular field with radial illumination fall-off, an optic disc (on the nasal
//! side, mirrored between left and right eyes), a darker macula with a fovea, a branching vessel
//! tree leaving the disc, and pixel noise. A local class-dependent texture of controllable
//! amplitude (`effect`) is planted at one anatomical place, echoing the paper's finding that the
//! optic disc and the macula carry the evidence (§4, Figure 2): fine stripes over the optic disc
//! for class `male`, a grid of spots over the macula for class `female`. The classes thus differ at
//! the disc and at the macula and nowhere else, and a bag of local features may score either place
//! in either class (striped or plain disc, spotted or plain macula). Both circles are written beside
//! the label as the ground truth that evidence maps are checked against.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use dimorph_core::output::{write_atomic, Overwrite};
use dimorph_core::TidyTable;
use dimorph_report::{Outcome, Section};
use serde::Serialize;

use crate::image::RgbImage;
use crate::BagNetError;
use dimorph_core::rng::{Draws, SplitMix64};

pub use crate::options::SynthOptions;

/// A circle where the class signal was planted in one image (pixel coordinates).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Planted {
    pub x: f64,
    pub y: f64,
    pub r: f64,
}

/// One generated image and its ground truth.
#[derive(Debug, Clone)]
pub struct SynthImage {
    pub image: RgbImage,
    /// "male" (texture at the optic disc) or "female" (texture at the macula).
    pub label: &'static str,
    /// "L" or "R".
    pub eye: &'static str,
    /// Where the classes differ: the optic disc (textured in `male`), then the macula (textured in
    /// `female`).
    pub planted: [Planted; 2],
}

/// Generate image `index` of a data set; subject `index / 2`, eye from `index % 2`, and the class
/// of the subject alternating so the classes are balanced.
pub fn generate(opt: &SynthOptions, index: usize) -> SynthImage {
    let subject = index / 2;
    let male = SplitMix64::derive(opt.seed, 1, subject as u64).uniform() < 0.5;
    let right = index.is_multiple_of(2);
    let mut rng = SplitMix64::derive(opt.seed, 2, index as u64);
    let s = opt.size as f64;
    let (cx, cy) = (
        s / 2.0 + rng.range(-0.02, 0.02) * s,
        s / 2.0 + rng.range(-0.02, 0.02) * s,
    );
    let field_r = 0.47 * s;
    let side = if right { 1.0 } else { -1.0 };
    let disc = (
        cx + side * rng.range(0.25, 0.29) * s,
        cy + rng.range(-0.04, 0.04) * s,
        rng.range(0.065, 0.08) * s,
    );
    let mac = (
        cx - side * rng.range(0.0, 0.03) * s,
        cy + rng.range(-0.03, 0.03) * s,
        rng.range(0.08, 0.095) * s,
    );
    let base = [rng.range(0.72, 0.85), rng.range(0.30, 0.40), rng.range(0.10, 0.18)];
    let bright = rng.range(0.85, 1.1);
    let n = opt.size;
    let mut img = RgbImage::new(n, n);
    // Vessel mask: a branching tree of random walks leaving the disc.
    let mut vessel = vec![0f32; n * n];
    let n_main = 4;
    for k in 0..n_main {
        let up = if k % 2 == 0 { -1.0 } else { 1.0 };
        let spread = if k < 2 { 0.5 } else { 1.1 };
        let angle = if right {
            std::f64::consts::PI - up * spread
        } else {
            up * spread
        };
        walk(&mut vessel, n, (disc.0, disc.1), angle, 0.018 * s, 0.6 * s, &mut rng, 2);
    }
    // Orientation of the planted texture varies per image.
    let theta = rng.range(0.0, std::f64::consts::PI);
    let (tc, ts) = (theta.cos(), theta.sin());
    let planted = [
        Planted {
            x: disc.0,
            y: disc.1,
            r: disc.2,
        },
        Planted {
            x: mac.0,
            y: mac.1,
            r: mac.2,
        },
    ];
    for y in 0..n {
        for x in 0..n {
            let (fx, fy) = (x as f64 + 0.5, y as f64 + 0.5);
            let rr = ((fx - cx).powi(2) + (fy - cy).powi(2)).sqrt();
            if rr > field_r {
                continue;
            }
            let illum = bright * (1.0 - 0.45 * (rr / field_r).powi(2));
            let mut c = base;
            // Macula: darker, with a darker fovea.
            let dm = ((fx - mac.0).powi(2) + (fy - mac.1).powi(2)).sqrt() / mac.2;
            let mac_w = (-dm * dm * 1.5).exp();
            let fov_w = (-dm * dm * 12.0).exp();
            for v in c.iter_mut() {
                *v *= 1.0 - 0.30 * mac_w - 0.15 * fov_w;
            }
            // Vessels.
            let vw = vessel[y * n + x] as f64;
            c[0] *= 1.0 - 0.35 * vw;
            c[1] *= 1.0 - 0.65 * vw;
            c[2] *= 1.0 - 0.6 * vw;
            // Optic disc: bright, yellowish, soft edge.
            let dd = ((fx - disc.0).powi(2) + (fy - disc.1).powi(2)).sqrt() / disc.2;
            let disc_w = 1.0 / (1.0 + ((dd - 1.0) * 8.0).exp());
            let disc_col = [0.98, 0.85, 0.6];
            for i in 0..3 {
                c[i] = c[i] * (1.0 - disc_w) + disc_col[i] * disc_w;
            }
            // The planted class signal: stripes of period 4 px over the disc (`male`) or spots on
            // a 6 px grid over the macula (`female`), both of root-mean-square amplitude effect/√2.
            let p = if male { planted[0] } else { planted[1] };
            if (fx - p.x).powi(2) + (fy - p.y).powi(2) < p.r * p.r {
                let tau = 2.0 * std::f64::consts::PI;
                let (u, w) = (fx * tc + fy * ts, fy * tc - fx * ts);
                let t = if male {
                    opt.effect * (u * tau / 4.0).sin()
                } else {
                    opt.effect * std::f64::consts::SQRT_2 * (u * tau / 6.0).sin() * (w * tau / 6.0).sin()
                };
                for v in c.iter_mut() {
                    *v += t;
                }
            }
            for (i, v) in c.iter().enumerate() {
                let noisy = v * illum + 0.02 * rng.normal();
                img.set(x, y, i, noisy.clamp(0.0, 1.0) as f32);
            }
        }
    }
    SynthImage {
        image: img,
        label: if male { "male" } else { "female" },
        eye: if right { "R" } else { "L" },
        planted,
    }
}

#[allow(clippy::too_many_arguments)]
fn walk(
    mask: &mut [f32],
    n: usize,
    start: (f64, f64),
    angle: f64,
    width: f64,
    length: f64,
    rng: &mut SplitMix64,
    depth: usize,
) {
    let step = 1.5;
    let (mut x, mut y, mut a) = (start.0, start.1, angle);
    let steps = (length / step) as usize;
    for i in 0..steps {
        a += rng.normal() * 0.06;
        x += step * a.cos();
        y += step * a.sin();
        let w = width * (1.0 - 0.6 * i as f64 / steps as f64);
        stamp(mask, n, x, y, w / 2.0);
        if depth > 0 && i > steps / 5 && rng.uniform() < 0.012 {
            let da = if rng.uniform() < 0.5 { 0.6 } else { -0.6 };
            walk(mask, n, (x, y), a + da, w * 0.7, length * 0.5, rng, depth - 1);
        }
    }
}

fn stamp(mask: &mut [f32], n: usize, x: f64, y: f64, r: f64) {
    let r = r.max(0.5);
    let (x0, x1) = (
        (x - r - 1.0).floor().max(0.0) as usize,
        (x + r + 1.0).ceil().max(0.0) as usize,
    );
    let (y0, y1) = (
        (y - r - 1.0).floor().max(0.0) as usize,
        (y + r + 1.0).ceil().max(0.0) as usize,
    );
    for py in y0..y1.min(n) {
        for px in x0..x1.min(n) {
            let d = ((px as f64 + 0.5 - x).powi(2) + (py as f64 + 0.5 - y).powi(2)).sqrt();
            let v = (r + 0.5 - d).clamp(0.0, 1.0) as f32;
            let m = &mut mask[py * n + px];
            *m = m.max(v);
        }
    }
}

/// What `synth` wrote.
#[derive(Debug, Clone, Serialize)]
pub struct SynthResult {
    /// The folder of the images (`img00000.png`, …) and their `labels.csv`.
    pub out: PathBuf,
    pub images: usize,
    pub subjects: usize,
    /// Images per class.
    pub per_class: BTreeMap<String, usize>,
}

/// The file name of image `i`.
fn image_name(i: usize) -> String {
    format!("img{:05}.png", i)
}

/// A planted-circle coordinate as `labels.csv` has always held it: rounded to 2 decimals.
fn two_decimals(v: f64) -> f64 {
    format!("{v:.2}").parse().unwrap_or(v)
}

/// The label table of a synthetic data set: path, subject, label, eye, visit and the two planted
/// circles (the optic disc, then the macula) in pixels.
fn labels_table(rows: &[(String, SynthImage)]) -> TidyTable {
    let mut t = TidyTable::new(
        "labels",
        &[
            "path",
            "subject",
            "label",
            "eye",
            "visit",
            "planted_x",
            "planted_y",
            "planted_r",
            "planted2_x",
            "planted2_y",
            "planted2_r",
        ],
    );
    for (i, (name, g)) in rows.iter().enumerate() {
        let [d, m] = g.planted;
        t.push(vec![
            name.as_str().into(),
            format!("s{:05}", i / 2).into(),
            g.label.into(),
            g.eye.into(),
            1i64.into(),
            two_decimals(d.x).into(),
            two_decimals(d.y).into(),
            two_decimals(d.r).into(),
            two_decimals(m.x).into(),
            two_decimals(m.y).into(),
            two_decimals(m.r).into(),
        ]);
    }
    t
}

/// Generate `opt.n` images and write them as PNG files into `out` (created) as they are made (the
/// set is too large to hold); the outcome's main table is `labels` (written as `labels.csv` beside
/// the images by the caller). With [`Overwrite::Refuse`] a folder that holds any of the files
/// already is refused before anything is written.
pub fn run_synth(opt: &SynthOptions, out: &Path, overwrite: Overwrite) -> Result<Outcome<SynthResult>, BagNetError> {
    opt.validate()?;
    if overwrite == Overwrite::Refuse {
        let taken = std::iter::once("labels.csv".to_string())
            .chain((0..opt.n).map(image_name))
            .map(|n| out.join(n))
            .find(|p| p.exists());
        if let Some(p) = taken {
            return Err(dimorph_core::output::OutputError::Exists(p).into());
        }
    }
    let mut rows = Vec::with_capacity(opt.n);
    for i in 0..opt.n {
        let mut g = generate(opt, i);
        let name = image_name(i);
        write_atomic(&out.join(&name), &g.image.to_png()?, overwrite)?;
        g.image = RgbImage::new(0, 0);
        rows.push((name, g));
    }
    let mut per_class = BTreeMap::new();
    for (_, g) in &rows {
        *per_class.entry(g.label.to_string()).or_insert(0) += 1;
    }
    let result = SynthResult {
        out: out.to_path_buf(),
        images: opt.n,
        subjects: opt.n.div_ceil(2),
        per_class,
    };
    let line = format!(
        "{} synthetic {}x{} fundus images of {} subjects ({}) written to {}",
        result.images,
        opt.size,
        opt.size,
        result.subjects,
        result
            .per_class
            .iter()
            .map(|(c, n)| format!("{n} {c}"))
            .collect::<Vec<_>>()
            .join(", "),
        out.display()
    );
    let mut s = Section::new("Synthetic fundus images");
    s.text(line.clone());
    Ok(Outcome::new(result)
        .summary_line(line)
        .section(s)
        .table(labels_table(&rows)))
}

/// Write `opt.n` images as PNG files into `out` with `labels.csv` (path, subject, label, eye, visit,
/// planted_x, planted_y, planted_r for the disc, planted2_x, planted2_y, planted2_r for the macula),
/// replacing files of the same names. Returns the path of the CSV.
pub fn write_dataset(opt: &SynthOptions, out: &Path) -> Result<PathBuf, BagNetError> {
    let o = run_synth(opt, out, Overwrite::Replace)?;
    dimorph_core::output::write_all(out, &o.all_files(), Overwrite::Replace)?;
    Ok(out.join("labels.csv"))
}

/// An in-memory synthetic data set (no files), for tests and the demo; rows carry the planted
/// circles, paths are virtual (`img00000.png`, ...).
pub fn dataset(opt: &SynthOptions) -> crate::data::Dataset {
    let mut ds = crate::data::Dataset {
        rows: Vec::new(),
        images: Default::default(),
        targets: Vec::new(),
        classes: vec!["female".to_string(), "male".to_string()],
        scales: Vec::new(),
        skipped: Vec::new(),
    };
    for i in 0..opt.n {
        let g = generate(opt, i);
        let name = image_name(i);
        ds.rows.push(crate::data::LabelRow {
            path: PathBuf::from(&name),
            name,
            subject: format!("s{:05}", i / 2),
            label: g.label.to_string(),
            eye: Some(g.eye.to_string()),
            visit: Some("1".into()),
            planted: g.planted.iter().map(|p| [p.x, p.y, p.r]).collect(),
        });
        ds.targets.push(usize::from(g.label == "male"));
        ds.scales.push(1.0);
        let mut img = g.image;
        img.mask_circle(0.95);
        ds.images.push(img);
    }
    ds
}
