//! Reading weight files: which format (PyTorch zip, legacy pre-1.6, tar or pickle, or
//! safetensors), the checkpoint wrappers (`state_dict`, DataParallel's `module.` prefix) and the
//! batch-norm step counters, and integrity checks of the stored data.
//!
//! burn-store's PyTorch reader substitutes zeros for a storage it cannot read (a truncated legacy
//! file, a zip entry whose checksum fails), so every storage is read here once first: a damaged
//! file is an error rather than a model with zeroed weights.

use std::collections::BTreeMap;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::Arc;

use burn_store::pytorch::lazy_data::LazyDataSource;
use burn_store::pytorch::pickle_reader::{read_pickle, read_pickle_with_data, skip_pickle, Object};
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
                format!("a zip archive (PyTorch >= 1.6) that cannot be read, truncated or damaged: {e}"),
            ))
        }
        Ok(Err(e)) => {
            return Err(err(
                path,
                format!("not a readable PyTorch or safetensors weight file: {e}"),
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
    let verified = catch_unwind(AssertUnwindSafe(|| match format {
        WeightFormat::PytorchZip => verify_zip(path),
        WeightFormat::PytorchLegacy => verify_legacy(path),
        _ => Ok(()),
    }));
    match verified {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(err(path, format!("the weight file is damaged: {e}"))),
        Err(_) => return Err(err(path, "the weight file is damaged (its storages cannot be read)")),
    }
    let wrapper = WRAPPERS
        .iter()
        .find(|w| raw.iter().any(|(k, _)| k.starts_with(&format!("{w}."))));
    let mut tensors = BTreeMap::new();
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
            return Err(err(path, format!("tensors '{first}' and '{key}' both map to '{name}'")));
        }
        tensors.insert(name, (key, snap));
    }
    Ok(WeightFile {
        format,
        total,
        tensors,
        skipped,
    })
}

/// Every entry of a zip checkpoint reads to its end with a matching CRC-32.
fn verify_zip(path: &Path) -> Result<(), String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut zip = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| e.to_string())?;
    let mut sink = Vec::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| e.to_string())?;
        let name = entry.name().to_string();
        sink.clear();
        entry
            .read_to_end(&mut sink)
            .map_err(|e| format!("entry '{name}': {e}"))?;
    }
    Ok(())
}

/// Every storage of a legacy checkpoint lies within the file. The layout (PyTorch before 1.6):
/// pickles of the magic number, protocol version and system info, the pickled object, the
/// pickled list of storage keys, then the storages one after another.
fn verify_legacy(path: &Path) -> Result<(), String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let len = file.metadata().map_err(|e| e.to_string())?.len();
    let mut r = BufReader::new(file);
    for _ in 0..3 {
        read_pickle(&mut r).map_err(|e| e.to_string())?;
    }
    let main = r.stream_position().map_err(|e| e.to_string())?;
    skip_pickle(&mut r).map_err(|e| e.to_string())?;
    let keys: Vec<String> = match read_pickle(&mut r).map_err(|e| e.to_string())? {
        Object::List(keys) => keys
            .into_iter()
            .filter_map(|k| match k {
                Object::String(s) => Some(s),
                _ => None,
            })
            .collect(),
        _ => return Err("no list of storage keys after the pickled object".into()),
    };
    let start = r.stream_position().map_err(|e| e.to_string())?;
    let source = LazyDataSource::from_legacy_multi_storage(path, start, len.saturating_sub(start));
    if let LazyDataSource::LegacyMultiStorage(s) = &source {
        s.lock()
            .unwrap_or_else(|p| p.into_inner())
            .set_storage_keys(keys.clone());
    }
    let source = Arc::new(source);
    r.seek(SeekFrom::Start(main)).map_err(|e| e.to_string())?;
    read_pickle_with_data(&mut r, source.clone()).map_err(|e| e.to_string())?;
    for k in &keys {
        source
            .read(k)
            .map_err(|e| format!("storage {k} runs past the end of the file ({e})"))?;
    }
    Ok(())
}
