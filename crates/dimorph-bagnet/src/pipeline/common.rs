//! What the analyses share: reading the label CSV and its images, the sets of a run's split, the
//! warnings about skipped images, and the backend a build offers.

use std::path::Path;

use crate::data::{self, Dataset};
use crate::options::ReadOptions;
use crate::train::RunState;
use crate::BagNetError;

#[cfg(not(feature = "cuda"))]
pub fn no_cuda() -> BagNetError {
    BagNetError::Arg("--device cuda: this build has no CUDA backend (rebuild with `--features cuda`)".into())
}

/// Read the label CSV and the images at `size` (see [`data::read_labels_with`] for where images
/// may lie).
pub fn read_dataset(
    images: &Path,
    labels: &Path,
    classes: Option<&[String]>,
    size: usize,
    mask: bool,
    read: &ReadOptions,
) -> Result<Dataset, BagNetError> {
    let on_bad = read.on_bad_image;
    let rows = data::read_labels_with(labels, images, read.allow_outside_images)?;
    let classes = match classes {
        Some(c) => c.to_vec(),
        None => data::classes(&rows),
    };
    data::load(rows, &classes, size, mask, on_bad)
}

/// Which image indices form train/validation/test: the run's split by image identity (path and
/// subject, in any row order, unreadable images skipped) when `model_dir`'s parent holds the run
/// state, plus a set `external` of images the run never saw; one set "all" when no image of `ds`
/// is in the run's split (whatever its size) or the run is unknown (see [`crate::sets::sets_of`]).
pub fn sets_for(model_dir: &Path, ds: &Dataset) -> Vec<(String, Vec<usize>)> {
    sets_named(model_dir, ds, None)
}

/// [`sets_for`]; with `external`, every image in one set of that name (an external evaluation
/// set, never split into training, validation and test).
pub fn sets_named(model_dir: &Path, ds: &Dataset, external: Option<&str>) -> Vec<(String, Vec<usize>)> {
    let state = model_dir
        .parent()
        .filter(|p| p.join("state.json").is_file())
        .and_then(|p| RunState::load(p).ok());
    let ids = state.and_then(|s| s.split_ids);
    crate::sets::sets_of(ds, ids.as_ref(), external)
}

/// One warning per unreadable image that was skipped.
pub fn skipped_warnings(skipped: &[String]) -> Vec<String> {
    skipped
        .iter()
        .map(|s| format!("unreadable image skipped: {s}"))
        .collect()
}
