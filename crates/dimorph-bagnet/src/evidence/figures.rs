//! The figure files of an explanation (paper Fig. 2 and 4): each image beside its evidence map
//! with a colour bar in logit units (`maps/<path>.png`, [`super::render`]), the averaged maps and
//! images of the correctly classified images per class on one common scale (`average_<class>.png`
//! and `figure2.svg`, [`super::figure2`]), and the kernel-density plots of the evidence statistics
//! by class (`kde_positive.svg`, `kde_negative.svg`, [`super::figure4`]); with the file names that
//! keep the images' folders apart ([`UniqueNames`]).

use std::path::Path;

use dimorph_core::OutputFile;

use super::figure2::{bar_ends, class_averages, common_scale, figure2_svg_of};
pub use super::figure4::kde_files;
use super::maps::ImageEvidence;
use super::render::{evidence_png, logit_label, PngText};
use crate::data::Dataset;
use crate::BagNetError;

/// A name that is safe as one file name (letters, digits, `-`, `_`, `.`; anything else becomes `_`).
pub fn file_stem(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || s.chars().all(|c| c == '.') {
        "_".into()
    } else {
        s
    }
}

/// Longest file name made from an image path or a class name (before a `-k` suffix).
const MAX_NAME_CHARS: usize = 100;

/// Names that stay apart: an image's path in the label CSV mirrored under the output folder (its
/// folders kept as folders and its stem as the file name, each part made safe by [`file_stem`] and
/// at most [`MAX_NAME_CHARS`] characters; `..` and a leading `/` dropped), with `-2`, `-3`, … after
/// a name already given (compared without case, for file systems that ignore it): `a/same.png` and
/// `b/same.png` become `a/same` and `b/same`, per-patient folders of `OD.jpg` stay apart.
#[derive(Default)]
pub struct UniqueNames {
    used: std::collections::HashSet<String>,
}

impl UniqueNames {
    /// The name (a relative path without extension) for the image at `path` (as written in the
    /// label CSV).
    pub fn for_path(&mut self, path: &str) -> String {
        let p = Path::new(path);
        let mut parts: Vec<String> = p
            .components()
            .filter_map(|c| match c {
                std::path::Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect();
        let Some(last) = parts.pop() else {
            return self.unique("_");
        };
        let stem = Path::new(&last)
            .file_stem()
            .map_or(last.clone(), |s| s.to_string_lossy().into_owned());
        let folders: Vec<String> = parts
            .iter()
            .map(|s| file_stem(s).chars().take(MAX_NAME_CHARS).collect())
            .collect();
        let base: String = file_stem(&stem).chars().take(MAX_NAME_CHARS).collect();
        let prefix: String = folders.iter().map(|f| format!("{f}/")).collect();
        self.unique_in(&prefix, &base)
    }

    /// `base` made safe and short, with a suffix when already given.
    pub fn unique(&mut self, base: &str) -> String {
        let base: String = file_stem(base).chars().take(MAX_NAME_CHARS).collect();
        self.unique_in("", &base)
    }

    /// `prefix` + `base` with a suffix after `base` when the whole was already given.
    fn unique_in(&mut self, prefix: &str, base: &str) -> String {
        let mut name = format!("{prefix}{base}");
        let mut k = 1;
        while !self.used.insert(name.to_lowercase()) {
            k += 1;
            name = format!("{prefix}{base}-{k}");
        }
        name
    }
}

/// The title of an image's evidence PNG: its true and predicted class and its image logit.
fn png_title(classes: &[String], e: &ImageEvidence) -> String {
    format!(
        "true {}, predicted {}, image logit {}",
        classes[e.target],
        classes[e.predicted],
        logit_label(e.logit)
    )
}

/// Each of the first `max_images` images beside its evidence map at ±`clip` with the colour bar
/// (`maps/<path>.png`, the image's relative path mirrored by [`UniqueNames`]); the averaged map
/// and image of the correctly classified images of each class (`average_<class>.png`), all classes
/// on one common scale; and Figure 2 (`figure2.svg`).
pub fn map_files(
    ds: &Dataset,
    ev: &[ImageEvidence],
    q: usize,
    clip: f64,
    max_images: usize,
) -> Result<Vec<OutputFile>, BagNetError> {
    let mut files = Vec::new();
    let mut names = UniqueNames::default();
    let ends = bar_ends(&ds.classes);
    for e in ev.iter().take(max_images) {
        let title = png_title(&ds.classes, e);
        let text = PngText {
            title: &title,
            ends: &ends,
        };
        let png = evidence_png(&ds.images.get(e.index)?, &e.map, e.side, q, clip, &text).to_png()?;
        files.push(OutputFile::new(format!("maps/{}.png", names.for_path(&e.name)), png));
    }
    let mut names = UniqueNames::default();
    // The averaged maps of all classes on one common scale (the largest |mean patch logit| of any),
    // so that they can be compared (paper Fig. 2).
    let averages = class_averages(ds, ev)?;
    let common = common_scale(&averages);
    for a in &averages {
        let cls = &ds.classes[a.class];
        let title = format!("average of {} correctly classified {cls} images", a.n);
        let text = PngText {
            title: &title,
            ends: &ends,
        };
        let png = evidence_png(&a.image, &a.map, a.side, q, common, &text).to_png()?;
        files.push(OutputFile::new(format!("average_{}.png", names.unique(cls)), png));
    }
    if let Some(svg) = figure2_svg_of(ds, ev, &averages, q, clip)? {
        files.push(OutputFile::text("figure2.svg", svg));
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::UniqueNames;

    #[test]
    fn overlay_names_stay_apart() {
        let mut n = UniqueNames::default();
        let got: Vec<String> = [
            "img00001.png",
            "a/same.png",
            "b/same.png",
            "a__same.png",
            "A/Same.png",
            "../x.png",
            "/abs/x.png",
        ]
        .iter()
        .map(|p| n.for_path(p))
        .collect();
        assert_eq!(
            got,
            ["img00001", "a/same", "b/same", "a__same", "A/Same-2", "x", "abs/x"]
        );
        // Per-patient folders of equally named files all stay apart.
        let mut n = UniqueNames::default();
        let got: Vec<String> = ["p1/OD.jpg", "p2/OD.jpg", "p1/OD.png", "p 3/x/OD.jpg"]
            .iter()
            .map(|p| n.for_path(p))
            .collect();
        assert_eq!(got, ["p1/OD", "p2/OD", "p1/OD-2", "p_3/x/OD"]);
        let long = "z".repeat(5000);
        assert_eq!(n.for_path(&format!("{long}.png")).len(), 100);
    }
}
