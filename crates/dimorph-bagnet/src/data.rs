//! Image folders and label CSVs: reading (with a policy for unreadable images) into a data set
//! whose images stream from the loader's cache ([`open`], see [`crate::loader`]) or sit in memory
//! ([`load`]), the subject-level 75/10/15 split (paper §3.1), and batches as burn tensors.

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};

use burn::tensor::backend::Backend;
use burn::tensor::{Tensor, TensorData};

use crate::image::{Fit, RgbImage};
use crate::loader::{self, Images, Preprocess};
use crate::model::{IMAGENET_MEAN, IMAGENET_STD};
use crate::BagNetError;
use dimorph_core::rng::{Draws, SplitMix64};
use dimorph_core::text::{clip, clip_path, clip_to};

pub use crate::loader::Augment;
pub use crate::options::OnBadImage;

/// One row of the label CSV (columns `path`, `subject`, `label`; optional `eye`, `visit`,
/// and for synthetic data the ground-truth circles `planted_x`, `planted_y`, `planted_r` and
/// `planted2_x`, `planted2_y`, `planted2_r`).
#[derive(Debug, Clone)]
pub struct LabelRow {
    pub path: PathBuf,
    pub name: String,
    pub subject: String,
    pub label: String,
    pub eye: Option<String>,
    pub visit: Option<String>,
    /// Ground-truth evidence circles (x, y, r) in pixels of the stored image (empty when unknown);
    /// [`open`] moves them by the crop or padding offset, so that they scale to model pixels with
    /// [`Dataset::scales`].
    pub planted: Vec<[f64; 3]>,
}

/// Read the label CSV; image paths are relative to `images` and must stay inside it (see
/// [`read_labels_with`]). A row naming a missing file is an error naming the CSV row.
pub fn read_labels(csv_path: &Path, images: &Path) -> Result<Vec<LabelRow>, BagNetError> {
    read_labels_with(csv_path, images, false)
}

/// Read the label CSV; image paths are relative to `images`. Unless `allow_outside`, a path must
/// resolve (symbolic links followed) to a file inside `images`: an absolute path, a path through
/// `..` or a link out of the folder is refused with the same message whether or not the file
/// exists (nothing outside is looked at or revealed).
pub fn read_labels_with(csv_path: &Path, images: &Path, allow_outside: bool) -> Result<Vec<LabelRow>, BagNetError> {
    let root =
        if allow_outside {
            None
        } else {
            Some(images.canonicalize().map_err(|e| {
                BagNetError::Arg(format!("--images '{}': cannot open the folder: {e}", images.display()))
            })?)
        };
    let file = std::fs::File::open(csv_path).map_err(|e| BagNetError::file(csv_path, e))?;
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(dimorph_data::QuoteGuard::new(std::io::BufReader::new(file), b','));
    let headers = rdr.headers().map_err(|e| BagNetError::file(csv_path, e))?.clone();
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    let need = |name: &str| {
        col(name).ok_or_else(|| BagNetError::file(csv_path, format!("no column '{name}' (need path, subject, label)")))
    };
    let (ip, is, il) = (need("path")?, need("subject")?, need("label")?);
    let (ie, iv) = (col("eye"), col("visit"));
    let planted_cols: Vec<[usize; 3]> = ["planted", "planted2"]
        .iter()
        .filter_map(|p| {
            Some([
                col(&format!("{p}_x"))?,
                col(&format!("{p}_y"))?,
                col(&format!("{p}_r"))?,
            ])
        })
        .collect();
    let mut rows: Vec<LabelRow> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (k, rec) in rdr.records().enumerate() {
        let row = k + 2;
        let rec = rec.map_err(|e| BagNetError::Row {
            path: csv_path.display().to_string(),
            row,
            msg: e.to_string(),
        })?;
        let field = |i: usize| rec.get(i).unwrap_or("").trim().to_string();
        let name = field(ip);
        let bad = |msg: String| BagNetError::Row {
            path: csv_path.display().to_string(),
            row,
            msg,
        };
        if name.is_empty() {
            return Err(bad("empty path".into()));
        }
        if let Some(first) = seen.insert(name.clone(), row) {
            // one image twice could take two labels or land in two sets (a leak between them)
            return Err(bad(format!(
                "'{}' is listed twice (rows {first} and {row}); list each image once",
                clip_path(&name)
            )));
        }
        if field(is).is_empty() {
            // every image without a subject would be one subject, all in one set
            return Err(bad(
                "empty subject; the split keeps each subject's images in one set, so every image needs its subject \
                 (the person; an image's own file name if every image is a different person)"
                    .into(),
            ));
        }
        let path = locate(images, root.as_deref(), &name).map_err(bad)?;
        let label = field(il);
        if label.is_empty() {
            return Err(bad("empty label".into()));
        }
        let opt = |i: Option<usize>| i.map(&field).filter(|s| !s.is_empty());
        let mut planted = Vec::new();
        for cols in &planted_cols {
            let mut circle = [0.0; 3];
            for (v, &i) in circle.iter_mut().zip(cols) {
                let text = field(i);
                *v = text.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| {
                    bad(format!(
                        "column '{}': '{}' is not a number",
                        clip(headers.get(i).unwrap_or("")),
                        clip(&text)
                    ))
                })?;
            }
            planted.push(circle);
        }
        rows.push(LabelRow {
            path,
            name,
            subject: field(is),
            label,
            eye: opt(ie),
            visit: opt(iv),
            planted,
        });
    }
    rdr.get_ref()
        .check(&csv_path.display().to_string())
        .map_err(|e| BagNetError::Data(e.to_string()))?;
    if rows.is_empty() {
        return Err(BagNetError::file(csv_path, "no rows"));
    }
    check_label_case(csv_path, &rows)?;
    Ok(rows)
}

/// Refuses two labels that differ only in case ('MALE' and 'male'): they would be two classes, and
/// a two-class task would quietly become one of four.
fn check_label_case(csv_path: &Path, rows: &[LabelRow]) -> Result<(), BagNetError> {
    let mut by_folded: HashMap<String, &str> = HashMap::new();
    for (k, r) in rows.iter().enumerate() {
        let first = *by_folded.entry(r.label.to_lowercase()).or_insert(r.label.as_str());
        if first != r.label {
            return Err(BagNetError::Row {
                path: csv_path.display().to_string(),
                row: k + 2,
                msg: format!(
                    "the label '{}' differs from '{}' only in case: they would be two classes; write each class one way",
                    clip(&r.label),
                    clip(first)
                ),
            });
        }
    }
    Ok(())
}

/// An image file as a message names it: `images` (the user's own argument) in full and the label
/// file's `name` through [`clip_path`], so a long folder never hides the file name.
fn quote_image(images: &Path, name: &str) -> String {
    clip_to(&images.join(clip_path(name)).display().to_string(), usize::MAX)
}

/// The image file of a label row: `images/name`, which must exist; with `root` (the canonical
/// images folder) it must also resolve inside it.
fn locate(images: &Path, root: Option<&Path>, name: &str) -> Result<PathBuf, String> {
    let path = images.join(name);
    // A folder (or another non-file) of that name exists: say what it is, not that nothing is there.
    let missing = || match std::fs::metadata(&path) {
        Ok(m) if m.is_dir() => format!("'{}' is a folder, not an image file", quote_image(images, name)),
        Ok(m) if !m.is_file() => format!("'{}' is not a regular file", quote_image(images, name)),
        _ => format!("image file '{}' does not exist", quote_image(images, name)),
    };
    let Some(root) = root else {
        return if path.is_file() { Ok(path) } else { Err(missing()) };
    };
    let outside = || {
        format!(
            "image path '{}' lies outside --images (pass --allow-outside-images to read it)",
            clip(name)
        )
    };
    let rel = Path::new(name);
    if rel
        .components()
        .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return Err(outside());
    }
    match path.canonicalize() {
        Ok(real) if !real.starts_with(root) => Err(outside()),
        Ok(real) if real.is_file() => Ok(path),
        Ok(_) => Err(missing()),
        Err(_) => {
            // Missing: refuse as outside when the deepest folder that exists, or the target of a
            // dangling link, lies outside (a missing file there is not told from a present one).
            let parent_outside = path
                .ancestors()
                .skip(1)
                .find_map(|a| a.canonicalize().ok())
                .is_some_and(|a| !a.starts_with(root));
            let link_outside = std::fs::read_link(&path)
                .is_ok_and(|t| t.is_absolute() || t.components().any(|c| matches!(c, Component::ParentDir)));
            if parent_outside || link_outside {
                Err(outside())
            } else {
                Err(missing())
            }
        }
    }
}

/// The sorted class names; for two classes the second is the positive class (logit > 0).
pub fn classes(rows: &[LabelRow]) -> Vec<String> {
    let mut c: Vec<String> = rows.iter().map(|r| r.label.clone()).collect();
    c.sort();
    c.dedup();
    c
}

/// The images of a label CSV at the model's input size (streamed from the loader's cache, or in
/// memory), with their class indices.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub rows: Vec<LabelRow>,
    pub images: Images,
    pub targets: Vec<usize>,
    pub classes: Vec<String>,
    /// Scale from stored-image pixels to model-input pixels (for planted circles).
    pub scales: Vec<f64>,
    /// Unreadable images skipped, with their messages.
    pub skipped: Vec<String>,
}

/// How [`open`] reads images.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// Unreadable images: stop at the first or skip them.
    pub on_bad: OnBadImage,
    /// The cache folder (a temporary one, removed with the data set, when none).
    pub cache: Option<std::path::PathBuf>,
    /// Loader threads (every core, at most 8, when none).
    pub workers: Option<usize>,
}

/// The class index of each row's label; a label outside `classes` is an error naming the file.
fn target_of(r: &LabelRow, classes: &[String]) -> Result<usize, BagNetError> {
    classes.iter().position(|c| *c == r.label).ok_or_else(|| {
        BagNetError::file(
            &r.path,
            format!(
                "label '{}' is not one of the model's classes ('{}')",
                clip(&r.label),
                clip(&classes.join("', '"))
            ),
        )
    })
}

/// Open every image of `rows` through the loader's cache (decoded, fitted, masked and cached on
/// worker threads on the first pass; see [`crate::loader`]): the data set holds a key per image,
/// not its pixels. `classes` fixes the class order (from training); a label outside it is an error.
/// Errors come in the order of the rows, as [`load`]'s.
pub fn open(
    rows: Vec<LabelRow>,
    classes: &[String],
    pre: Preprocess,
    opt: &OpenOptions,
) -> Result<Dataset, BagNetError> {
    let paths: Vec<std::path::PathBuf> = rows.iter().map(|r| r.path.clone()).collect();
    let workers = dimorph_core::threads::resolve(opt.workers.or(Some(dimorph_core::threads::available().min(8))));
    let mut opened = loader::open(&paths, pre, opt.cache.as_deref(), workers)?;
    let results = std::mem::take(&mut opened.results);
    let mut ds = Dataset {
        rows: Vec::new(),
        images: Images::default(),
        targets: Vec::new(),
        classes: classes.to_vec(),
        scales: Vec::new(),
        skipped: Vec::new(),
    };
    let mut keep = Vec::new();
    let mut placements = Vec::with_capacity(rows.len());
    for (k, (r, result)) in rows.iter().zip(results).enumerate() {
        let target = target_of(r, classes)?;
        match result {
            Ok(p) => {
                keep.push(k);
                placements.push((target, p));
            }
            Err(e) => match opt.on_bad {
                OnBadImage::Stop => return Err(e),
                OnBadImage::Skip => ds.skipped.push(e.to_string()),
            },
        }
    }
    if keep.is_empty() {
        return Err(BagNetError::Data("no readable images".into()));
    }
    let mut rows: Vec<Option<LabelRow>> = rows.into_iter().map(Some).collect();
    for (&k, (target, p)) in keep.iter().zip(placements) {
        let Some(mut r) = rows[k].take() else { continue };
        for c in r.planted.iter_mut() {
            c[0] -= p.offset[0];
            c[1] -= p.offset[1];
        }
        ds.targets.push(target);
        ds.scales.push(p.scale);
        ds.rows.push(r);
    }
    ds.images = opened.into_images(&keep);
    Ok(ds)
}

/// The preprocessing of [`open`] for a model input of `size` pixels.
pub fn preprocess(size: usize, fit: Fit, mask: bool) -> Preprocess {
    Preprocess { size, fit, mask }
}

/// Load, resize to `size` (stretching images that are not square) and mask every image of `rows`
/// into memory (small sets; [`open`] streams from the cache instead). `classes` fixes the class
/// order (from training); a label outside it is an error.
pub fn load(
    rows: Vec<LabelRow>,
    classes: &[String],
    size: usize,
    mask: bool,
    on_bad: OnBadImage,
) -> Result<Dataset, BagNetError> {
    let mut ds = Dataset {
        rows: Vec::new(),
        images: Images::default(),
        targets: Vec::new(),
        classes: classes.to_vec(),
        scales: Vec::new(),
        skipped: Vec::new(),
    };
    for r in rows {
        let target = target_of(&r, classes)?;
        let img = match RgbImage::open_at(&r.path, size) {
            Ok(i) => i,
            Err(e) => match on_bad {
                OnBadImage::Stop => return Err(e),
                OnBadImage::Skip => {
                    ds.skipped.push(e.to_string());
                    continue;
                }
            },
        };
        let (mut img, width) = img;
        let scale = size as f64 / width as f64;
        if mask {
            img.mask_circle(0.95);
        }
        ds.images.push(img);
        ds.targets.push(target);
        ds.scales.push(scale);
        ds.rows.push(r);
    }
    if ds.images.is_empty() {
        return Err(BagNetError::Data("no readable images".into()));
    }
    Ok(ds)
}

/// A warning when some subjects have images of more than one class: with a label per person (sex)
/// that is a data error, and the split by subject counts each subject in the class of its first
/// image, so the stratification is only approximate. `None` when every subject has one class.
pub fn mixed_subjects_warning(rows: &[LabelRow]) -> Option<String> {
    let mut labels: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for r in rows {
        let l = labels.entry(r.subject.as_str()).or_default();
        if !l.contains(&r.label.as_str()) {
            l.push(r.label.as_str());
        }
    }
    let mixed: Vec<(&str, &Vec<&str>)> = labels
        .iter()
        .filter(|(_, l)| l.len() > 1)
        .map(|(s, l)| (*s, l))
        .collect();
    let (first, its) = mixed.first()?;
    let mut its: Vec<String> = its.iter().map(|l| clip(l)).collect();
    its.sort();
    Some(format!(
        "{} of {} subjects have images of more than one class (e.g. subject '{}': {}); the split by subject keeps \
         a subject's images in one set and counts the subject in the class of its first image. Is the label \
         the person's (then these rows are wrong) or the image's?",
        mixed.len(),
        labels.len(),
        clip(first),
        its.join(", ")
    ))
}

/// Subject-level split into train/validation/test (fractions 75/10/15 by default): all images of
/// a subject fall in one set. Stratified: the subjects of each class (the label of a subject's first
/// image) are shuffled and split separately, with at least one subject per set when a class has
/// three or more. Returns indices into `rows`.
pub fn split_by_subject(rows: &[LabelRow], fractions: [f64; 3], seed: u64) -> [Vec<usize>; 3] {
    let mut by_subject: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        by_subject.entry(r.subject.as_str()).or_default().push(i);
    }
    let mut by_class: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (s, idx) in &by_subject {
        by_class.entry(rows[idx[0]].label.as_str()).or_default().push(s);
    }
    let mut out: [Vec<usize>; 3] = Default::default();
    for (k, subjects) in by_class.values_mut().enumerate() {
        SplitMix64::derive(seed, 10, k as u64).shuffle(subjects);
        let n = subjects.len();
        let mut n_val = (fractions[1] * n as f64).round() as usize;
        let mut n_test = (fractions[2] * n as f64).round() as usize;
        if n >= 3 {
            n_val = n_val.max(1);
            n_test = n_test.max(1);
        }
        let n_train = n.saturating_sub(n_val + n_test);
        for (j, s) in subjects.iter().enumerate() {
            let set = if j < n_train {
                0
            } else if j < n_train + n_val {
                1
            } else {
                2
            };
            out[set].extend(&by_subject[s]);
        }
    }
    for v in out.iter_mut() {
        v.sort();
    }
    out
}

/// Fail when a split does not hold every class.
pub fn check_classes(name: &str, targets: &[usize], n_classes: usize) -> Result<(), BagNetError> {
    let mut seen = vec![0usize; n_classes];
    for &t in targets {
        seen[t] += 1;
    }
    if let Some(c) = seen.iter().position(|&k| k == 0) {
        return Err(BagNetError::Data(format!(
            "the {name} set has no image of class {c} (one class only or too few subjects: {} images); \
             add subjects or change the split",
            targets.len()
        )));
    }
    Ok(())
}

/// A batch `[N, 3, S, S]` of ImageNet-normalised images.
pub fn to_tensor<B: Backend>(imgs: &[&RgbImage], device: &B::Device) -> Tensor<B, 4> {
    let s = imgs[0].width;
    let mut v = Vec::with_capacity(imgs.len() * 3 * s * s);
    for img in imgs {
        for c in 0..3 {
            for y in 0..s {
                for x in 0..s {
                    v.push((img.get(x, y, c) - IMAGENET_MEAN[c]) / IMAGENET_STD[c]);
                }
            }
        }
    }
    Tensor::from_data(TensorData::new(v, [imgs.len(), 3, s, s]), device)
}

#[cfg(test)]
mod tests {
    use super::*;
    use dimorph_core::text::CLIP_CHARS;

    #[test]
    fn long_paths_are_cut_in_the_middle_keeping_the_file_name() {
        let short = "patient_0042/OD.jpg";
        assert_eq!(clip_path(short), short);
        assert_eq!(clip_path("a\nb.png"), "a\\nb.png");
        let long = format!("{}/patient_0042/OD.jpg", "deep/".repeat(200_000));
        let c = clip_path(&long);
        assert_eq!(c.chars().count(), CLIP_CHARS + 1);
        assert!(
            c.starts_with("deep/deep/") && c.ends_with("/patient_0042/OD.jpg"),
            "{c}"
        );
        // The images folder (the user's argument) is named in full, however long.
        let folder = Path::new("/a/very/long/temporary/folder/that/is/longer/than/sixty/characters/img");
        let q = quote_image(folder, "missing.png");
        assert_eq!(q, folder.join("missing.png").display().to_string());
    }

    fn row(subject: &str, label: &str) -> LabelRow {
        LabelRow {
            path: PathBuf::from("x.png"),
            name: "x.png".into(),
            subject: subject.into(),
            label: label.into(),
            eye: None,
            visit: None,
            planted: Vec::new(),
        }
    }

    #[test]
    fn subjects_of_two_classes_are_named() {
        let rows = vec![
            row("s1", "male"),
            row("s2", "female"),
            row("s1", "female"),
            row("s1", "male"),
        ];
        let w = mixed_subjects_warning(&rows).expect("s1 has two classes");
        assert!(w.starts_with("1 of 2 subjects"), "{w}");
        assert!(w.contains("subject 's1': female, male"), "{w}");
        assert_eq!(mixed_subjects_warning(&rows[..2]), None);
    }

    #[test]
    fn a_folder_named_as_an_image_is_called_a_folder() {
        let dir = std::env::temp_dir().join(format!("dimorph-locate-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("x.png")).unwrap();
        let root = dir.canonicalize().unwrap();
        for r in [None, Some(root.as_path())] {
            let e = locate(&dir, r, "x.png").unwrap_err();
            assert!(e.ends_with("x.png' is a folder, not an image file"), "{e}");
            let e = locate(&dir, r, "y.png").unwrap_err();
            assert!(e.contains("does not exist"), "{e}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn split_keeps_subjects_together_and_is_stratified() {
        let mut rows = Vec::new();
        for s in 0..40 {
            for _ in 0..(1 + s % 3) {
                rows.push(row(&format!("s{s}"), if s % 2 == 0 { "a" } else { "b" }));
            }
        }
        let split = split_by_subject(&rows, [0.75, 0.10, 0.15], 9);
        assert_eq!(split.iter().map(Vec::len).sum::<usize>(), rows.len());
        for (k, set) in split.iter().enumerate() {
            for other in split.iter().skip(k + 1) {
                for &i in set {
                    assert!(other.iter().all(|&j| rows[j].subject != rows[i].subject));
                }
            }
            for lab in ["a", "b"] {
                assert!(set.iter().any(|&i| rows[i].label == lab), "set {k} lacks {lab}");
            }
        }
        // 20 subjects per class: 15 / 2 / 3.
        let subjects = |v: &Vec<usize>| {
            let mut s: Vec<&str> = v.iter().map(|&i| rows[i].subject.as_str()).collect();
            s.sort();
            s.dedup();
            s.len()
        };
        assert_eq!(
            [subjects(&split[0]), subjects(&split[1]), subjects(&split[2])],
            [30, 4, 6]
        );
    }
}
