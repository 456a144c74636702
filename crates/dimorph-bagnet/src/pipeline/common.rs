//! What the analyses share: reading the label CSV and its images, the sets of a run's split, the
//! warnings about skipped images, and the backend a build offers.

use std::path::Path;

use crate::checkpoint::read_json;
use crate::data::{self, Dataset, OnBadImage};
use crate::train::RunState;
use crate::BagNetError;

#[cfg(not(feature = "cuda"))]
pub fn no_cuda() -> BagNetError {
    BagNetError::Arg("--device cuda: this build has no CUDA backend (rebuild with `--features cuda`)".into())
}

/// Read the label CSV and the images at `size`.
pub fn read_dataset(
    images: &Path,
    labels: &Path,
    classes: Option<&[String]>,
    size: usize,
    mask: bool,
    on_bad: OnBadImage,
) -> Result<Dataset, BagNetError> {
    let rows = data::read_labels(labels, images)?;
    let classes = match classes {
        Some(c) => c.to_vec(),
        None => data::classes(&rows),
    };
    data::load(rows, &classes, size, mask, on_bad)
}

/// Which image indices form train/validation/test: the run's split when `model_dir`'s parent
/// holds the run state for these images, else one set "all".
pub fn sets_for(model_dir: &Path, ds: &Dataset) -> Vec<(String, Vec<usize>)> {
    let state = model_dir
        .parent()
        .map(|p| p.join("state.json"))
        .filter(|p| p.is_file())
        .and_then(|p| read_json::<RunState>(&p).ok());
    if let Some(st) = state {
        if st.split.iter().map(Vec::len).sum::<usize>() == ds.images.len() && ds.skipped.is_empty() {
            return ["training", "validation", "test"]
                .iter()
                .zip(st.split)
                .map(|(n, v)| (n.to_string(), v))
                .collect();
        }
    }
    vec![("all".to_string(), (0..ds.images.len()).collect())]
}

/// One warning per unreadable image that was skipped.
pub fn skipped_warnings(skipped: &[String]) -> Vec<String> {
    skipped
        .iter()
        .map(|s| format!("unreadable image skipped: {s}"))
        .collect()
}
