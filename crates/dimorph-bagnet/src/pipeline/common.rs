//! What the analyses share: reading the label CSV and its images, the sets of a run's split, the
//! warnings about skipped images, and the backend a build offers.

use std::path::Path;

use crate::data::{self, Dataset};
use crate::options::ReadOptions;
use crate::train::RunState;
use crate::BagNetError;

/// Read the label CSV and open its images at `size` through the loader's cache (see
/// [`data::read_labels_with`] for where images may lie, [`data::open`] for the cache): in
/// `read.cache`, else a temporary folder.
pub fn read_dataset(
    images: &Path,
    labels: &Path,
    classes: Option<&[String]>,
    size: usize,
    mask: bool,
    read: &ReadOptions,
) -> Result<Dataset, BagNetError> {
    read_dataset_in(images, labels, classes, (size, mask), read, None)
}

/// [`read_dataset`] with the cache folder `default_cache` when `read.cache` names none.
pub fn read_dataset_in(
    images: &Path,
    labels: &Path,
    classes: Option<&[String]>,
    (size, mask): (usize, bool),
    read: &ReadOptions,
    default_cache: Option<&Path>,
) -> Result<Dataset, BagNetError> {
    read.validate()?;
    let rows = data::read_labels_with(labels, images, read.allow_outside_images)?;
    let classes = match classes {
        Some(c) => c.to_vec(),
        None => data::classes(&rows),
    };
    let open = data::OpenOptions {
        on_bad: read.on_bad_image,
        cache: read.cache.clone().or(default_cache.map(Path::to_path_buf)),
        workers: read.workers,
    };
    data::open(rows, &classes, data::preprocess(size, read.fit, mask), &open)
}

/// The image cache of a model in a training run's folder (`run/image-cache`, shared with the
/// training), none for a model elsewhere.
pub fn run_cache(model_dir: &Path) -> Option<std::path::PathBuf> {
    model_dir
        .parent()
        .filter(|p| p.join("state.json").is_file())
        .map(|p| p.join(CACHE_FOLDER))
}

/// The cache's folder name inside a training run's folder.
pub const CACHE_FOLDER: &str = "image-cache";

/// The file in a training run's folder that records how its images were fitted (`--fit`).
pub const FIT_FILE: &str = "fit.json";

/// Record in the run folder `run` the fit its images were read with (see [`fit_warning`]).
pub fn record_fit(run: &Path, fit: crate::image::Fit) -> Result<(), BagNetError> {
    let text = serde_json::json!({ "fit": fit }).to_string();
    dimorph_core::output::write_atomic(&run.join(FIT_FILE), text.as_bytes(), dimorph_core::Overwrite::Replace)?;
    Ok(())
}

/// A warning when the run folder `run` recorded another fit than `fit` (eval or explain of its
/// model, or a resumed run, reading images otherwise than the training did).
pub fn fit_warning(run: Option<&Path>, fit: crate::image::Fit) -> Option<String> {
    let text = std::fs::read_to_string(run?.join(FIT_FILE)).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    let trained: crate::image::Fit = serde_json::from_value(v.get("fit")?.clone()).ok()?;
    (trained != fit).then(|| {
        format!(
            "the run read its images with --fit {}; these were read with --fit {} (pass --fit {} to read them as in training)",
            trained.name(),
            fit.name(),
            trained.name()
        )
    })
}

/// The loader's report: its figures as a summary line, and its warnings (the mask hiding content).
pub fn loader_notes(ds: &Dataset) -> (String, Vec<String>) {
    (ds.images.stats().line(), ds.images.warnings())
}

/// Which image indices form train/validation/test, and a warning when the run's split is unknown.
pub struct RunSets {
    /// Named sets of image indices (see [`run_sets`]).
    pub sets: Vec<(String, Vec<usize>)>,
    /// Set when `model_dir` lies in a training run's folder (its `state.json`, an epoch folder or
    /// its `fit.json`) whose state cannot be read from `state.json` nor any epoch folder's copy:
    /// the split is unknown and every image is in one set.
    pub warning: Option<String>,
}

/// The run's split by image identity (path and subject, in any row order, unreadable images
/// skipped) when `model_dir`'s parent holds the run state, plus a set `external` of images the run
/// never saw; one set "all" when no image of `ds` is in the run's split (whatever its size) or the
/// run is unknown (see [`crate::sets::sets_of`]). With `external`, every image is in one set of
/// that name (an external evaluation set, never split into training, validation and test). The
/// run state is read once, for the sets and the warning alike.
pub fn run_sets(model_dir: &Path, ds: &Dataset, external: Option<&str>) -> RunSets {
    let run = model_dir
        .parent()
        .filter(|p| RunState::exists(p) || p.join(FIT_FILE).is_file());
    // a run whose state.json was deleted still has its epoch folders' copies (RunState::load
    // reads them): its split is not lost (it was reported as one set 'all' without a word)
    let (ids, warning) = match run.map(RunState::load) {
        Some(Ok(state)) => (state.split_ids, None),
        Some(Err(e)) => (
            None,
            Some(format!(
                "{e}; the run's training, validation and test sets are unknown, so every image is reported in one set 'all'"
            )),
        ),
        None => (None, None),
    };
    RunSets {
        sets: crate::sets::sets_of(ds, ids.as_ref(), external),
        warning,
    }
}

/// The sets of [`run_sets`] without an external set.
pub fn sets_for(model_dir: &Path, ds: &Dataset) -> Vec<(String, Vec<usize>)> {
    run_sets(model_dir, ds, None).sets
}

/// One warning per unreadable image that was skipped.
pub fn skipped_warnings(skipped: &[String]) -> Vec<String> {
    skipped
        .iter()
        .map(|s| format!("unreadable image skipped: {s}"))
        .collect()
}
