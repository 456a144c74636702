//! Reading weight files: which format (PyTorch zip, legacy pre-1.6, tar or pickle, or
//! safetensors), the checkpoint wrappers (`state_dict`, DataParallel's `module.` prefix) and the
//! batch-norm step counters, and integrity checks of the stored data.
//!
//! burn-store's PyTorch reader trusts what a file declares (nesting, string lengths, shapes,
//! entry sizes) and substitutes zeros for a storage it cannot read, so a PyTorch file is checked
//! first by [`preflight`] (every pickle through the bounded scan of [`pickle`], every tensor inside
//! its storage and every storage inside the file, no data read), and the storage of each tensor the
//! model takes is checked again just before its data is read ([`WeightFile::check_storage`]: CRC and
//! true size of its zip entry, no view of a far larger storage). A damaged or hostile file is an
//! error rather than a crash, a memory bomb or a model with zeroed weights.

mod pickle;
mod preflight;

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use burn_store::pytorch::reader::FileFormat;
use burn_store::pytorch::PytorchReader;
use burn_store::{ModuleStore, SafetensorsStore, TensorSnapshot};

use serde::Serialize;

use crate::BagNetError;

/// How a weight file is serialised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WeightFormat {
    /// `torch.save` since PyTorch 1.6 (a zip archive).
    PytorchZip,
    /// `torch.save` before PyTorch 1.6 (pickles and raw storages).
    PytorchLegacy,
    /// The tar archives of PyTorch before 0.4.
    PytorchTar,
    /// A bare pickle.
    PytorchPickle,
    Safetensors,
}

impl WeightFormat {
    pub fn describe(self) -> &'static str {
        match self {
            WeightFormat::PytorchZip => "PyTorch (zip)",
            WeightFormat::PytorchLegacy => "PyTorch (legacy, pre-1.6)",
            WeightFormat::PytorchTar => "PyTorch (tar, pre-0.4)",
            WeightFormat::PytorchPickle => "PyTorch (pickle)",
            WeightFormat::Safetensors => "safetensors",
        }
    }
}

/// A tensor of the file that was not loaded.
#[derive(Debug, Clone, Serialize)]
pub struct SkippedTensor {
    pub name: String,
    pub reason: String,
}

/// A weight file read into memory lazily: its tensors under the reference names (wrappers
/// removed), the names as stored in the file, and what was left out.
pub(crate) struct WeightFile {
    pub format: WeightFormat,
    pub total: usize,
    /// Reference name → (name in the file, snapshot).
    pub tensors: BTreeMap<String, (String, TensorSnapshot)>,
    pub skipped: Vec<SkippedTensor>,
    /// The file, and the layout [`preflight`] checked (PyTorch files only).
    path: PathBuf,
    layout: Option<preflight::Layout>,
}

impl WeightFile {
    /// Check the storage of the tensor stored as `key` (`elements` long) just before its data is
    /// read: see [`preflight::verify`].
    pub fn check_storage(&self, key: &str, elements: usize) -> Result<(), BagNetError> {
        match &self.layout {
            Some(l) => preflight::verify(&self.path, l, key, elements as u64).map_err(|e| err(&self.path, e)),
            None => Ok(()),
        }
    }
}

/// Wrappers of the state dict in training checkpoints, tried in this order.
const WRAPPERS: [&str; 3] = ["state_dict", "model_state_dict", "model"];

pub(crate) fn err(path: &Path, msg: impl std::fmt::Display) -> BagNetError {
    BagNetError::file(path, msg)
}

/// Which reader a file needs, from its first bytes: safetensors begins with the length of its
/// JSON header (8 bytes, little-endian) and then `{`; everything else goes to the PyTorch reader.
/// Also says whether the file is a zip archive.
fn sniff(path: &Path) -> Result<(bool, bool), BagNetError> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).map_err(|e| err(path, format!("cannot open the weight file: {e}")))?;
    let mut head = [0u8; 9];
    let n = f
        .read(&mut head)
        .map_err(|e| err(path, format!("cannot read the weight file: {e}")))?;
    if n == 0 {
        return Err(err(path, "the weight file is empty"));
    }
    let zipped = head.starts_with(b"PK");
    Ok((n == 9 && head[8] == b'{' && !zipped, zipped))
}

/// Read the tensors of a weight file (lazily: shapes and types now, data on demand).
pub(crate) fn read(path: &Path) -> Result<WeightFile, BagNetError> {
    if path.is_dir() {
        return Err(err(
            path,
            "is a folder; --weights expects a .pth/.pth.tar/.pt or .safetensors file",
        ));
    }
    let (safetensors, zipped) = sniff(path)?;
    let layout = if safetensors {
        None
    } else {
        match preflight::pytorch(path) {
            Ok(l) => Some(l),
            Err(e) if zipped => {
                return Err(err(
                    path,
                    format!("a zip archive (PyTorch >= 1.6) that cannot be read, truncated, damaged or hostile: {e}"),
                ))
            }
            Err(e) => {
                return Err(err(
                    path,
                    format!("not a readable PyTorch or safetensors weight file: {e}"),
                ))
            }
        }
    };
    // burn-store reports bad files as errors; a panic inside it (a malformed file it does not
    // foresee) is caught and reported as an unreadable file as well.
    let read = catch_unwind(AssertUnwindSafe(
        || -> Result<(WeightFormat, Vec<(String, TensorSnapshot)>), String> {
            if safetensors {
                let mut store = SafetensorsStore::from_file(path).map_indices_contiguous(false);
                let all = store.get_all_snapshots().map_err(|e| e.to_string())?;
                Ok((
                    WeightFormat::Safetensors,
                    all.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
                ))
            } else {
                let reader = PytorchReader::new(path).map_err(|e| e.to_string())?;
                let format = match reader.metadata().format_type {
                    FileFormat::Zip => WeightFormat::PytorchZip,
                    FileFormat::Legacy => WeightFormat::PytorchLegacy,
                    FileFormat::Tar => WeightFormat::PytorchTar,
                    FileFormat::Pickle => WeightFormat::PytorchPickle,
                };
                Ok((format, reader.into_tensors().into_iter().collect()))
            }
        },
    ));
    let (format, raw) = match read {
        Ok(Ok(r)) => r,
        Ok(Err(e)) if zipped => {
            return Err(err(
                path,
                format!(
                    "a zip archive (PyTorch >= 1.6) that cannot be read, truncated or damaged: {}",
                    dimorph_core::text::clip(&e)
                ),
            ))
        }
        Ok(Err(e)) => {
            return Err(err(
                path,
                format!(
                    "not a readable PyTorch or safetensors weight file: {}",
                    dimorph_core::text::clip(&e)
                ),
            ))
        }
        Err(_) => {
            return Err(err(
                path,
                "not a readable PyTorch or safetensors weight file (the reader failed on malformed content)",
            ))
        }
    };
    let total = raw.len();
    if total == 0 {
        return Err(err(path, "the weight file holds no tensors"));
    }
    let wrapper = WRAPPERS
        .iter()
        .find(|w| raw.iter().any(|(k, _)| k.starts_with(&format!("{w}."))));
    let mut tensors: BTreeMap<String, (String, TensorSnapshot)> = BTreeMap::new();
    let mut skipped = Vec::new();
    for (key, snap) in raw {
        let inner = match wrapper {
            Some(w) => match key.strip_prefix(&format!("{w}.")) {
                Some(inner) => inner,
                None => {
                    skipped.push(SkippedTensor {
                        name: key,
                        reason: format!("outside the '{w}' state dict"),
                    });
                    continue;
                }
            },
            None => key.as_str(),
        };
        let name = inner.strip_prefix("module.").unwrap_or(inner).to_string();
        if name.ends_with(".num_batches_tracked") {
            skipped.push(SkippedTensor {
                name: key,
                reason: "batch-norm step counters (num_batches_tracked), not used in inference".into(),
            });
            continue;
        }
        if let Some((first, _)) = tensors.get(&name) {
            return Err(err(
                path,
                format!(
                    "tensors '{}' and '{}' both map to '{}'",
                    dimorph_core::text::clip(first),
                    dimorph_core::text::clip(&key),
                    dimorph_core::text::clip(&name)
                ),
            ));
        }
        tensors.insert(name, (key, snap));
    }
    Ok(WeightFile {
        format,
        total,
        tensors,
        skipped,
        path: path.to_path_buf(),
        layout,
    })
}
