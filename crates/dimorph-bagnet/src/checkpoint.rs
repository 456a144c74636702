//! Saving and loading models and training checkpoints: a model folder holds the weights
//! (`model.mpk`, burn's named MessagePack at full precision) and `meta.json` (architecture, classes,
//! input size, mask, epoch); a checkpoint folder adds the optimiser state (`optim.mpk`). Every file
//! is written atomically (temporary file, then rename), and a training run writes each checkpoint
//! folder whole or not at all ([`save_folder`]: into `.<name>.partial`, then renamed; the folder it
//! replaces is kept as `.<name>.old` until the new one is in place), so an interrupted run leaves
//! the previous checkpoint and the best model whole and `--resume` can continue from them.
//! A baseline CNN's folder ([`save_net`], [`load_net`]) is the same, with `resnet50` or `inception-v3`
//! as the architecture in `meta.json`. An Inception-v3 folder saved before dimorph built its
//! auxiliary classifier (before commit bb0e707: no `AuxLogits` in `model.mpk`) loads without it
//! ([`load_net`], [`aux_absent_note`]): the auxiliary classifier serves the training loss only.

use std::path::{Path, PathBuf};

use burn::module::Module;
use burn::record::{BurnRecord, FullPrecisionSettings, NamedMpkBytesRecorder, NamedMpkFileRecorder, Record, Recorder};
use burn::tensor::backend::Backend;
use dimorph_core::output::{write_atomic, Overwrite};
use serde::{Deserialize, Serialize};

use crate::model::{BagNet, BagNetConfig};
use crate::net::Net;
use crate::options::{check_classes, check_size, check_width};
use crate::BagNetError;

/// What a saved model needs besides its weights.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelMeta {
    pub config: BagNetConfig,
    pub classes: Vec<String>,
    pub size: usize,
    pub mask: bool,
    pub epoch: usize,
}

/// The recorder the files are read with.
type FileRec = NamedMpkFileRecorder<FullPrecisionSettings>;

/// A record as the bytes `FileRec` writes (the same metadata and encoding), for an atomic write.
fn record_bytes<B: Backend, R: Record<B>>(record: R, path: &Path) -> Result<Vec<u8>, BagNetError> {
    let item = BurnRecord::<_, B>::new::<FileRec>(record.into_item::<FullPrecisionSettings>());
    Recorder::<B>::save_item(&NamedMpkBytesRecorder::<FullPrecisionSettings>::new(), item, ())
        .map_err(|e| BagNetError::file(path, e))
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), BagNetError> {
    Ok(write_atomic(path, bytes, Overwrite::Replace)?)
}

/// Save weights and meta data into `dir` (created).
pub fn save_model<B: Backend>(dir: &Path, model: &BagNet<B>, meta: &ModelMeta) -> Result<(), BagNetError> {
    let path = dir.join("model.mpk");
    write(&path, &record_bytes::<B, _>(model.clone().into_record(), &path)?)?;
    write_json(&dir.join("meta.json"), meta)
}

/// Save a BagNet or a baseline CNN into `dir` (created): the model's own record (a BagNet's as
/// [`save_model`] writes it) and the meta data.
pub fn save_net<B: Backend>(dir: &Path, model: &Net<B>, meta: &ModelMeta) -> Result<(), BagNetError> {
    let path = dir.join("model.mpk");
    let bytes = match model {
        Net::BagNet(m) => record_bytes::<B, _>(m.clone().into_record(), &path)?,
        Net::ResNet(m) => record_bytes::<B, _>(m.clone().into_record(), &path)?,
        Net::Inception(m) => record_bytes::<B, _>(crate::net::the_one(m).clone().into_record(), &path)?,
    };
    write(&path, &bytes)?;
    write_json(&dir.join("meta.json"), meta)
}

/// The folders [`save_folder`] writes beside `dir`: the new one being written, the one replaced.
fn siblings(dir: &Path) -> (PathBuf, PathBuf) {
    let name = dir
        .file_name()
        .map_or_else(|| "model".into(), |n| n.to_string_lossy().into_owned());
    let parent = dir.parent().unwrap_or(Path::new("."));
    (
        parent.join(format!(".{name}.partial")),
        parent.join(format!(".{name}.old")),
    )
}

fn fs_err(path: &Path, e: std::io::Error) -> BagNetError {
    BagNetError::Output(dimorph_core::output::OutputError::Io {
        path: path.to_path_buf(),
        source: e,
    })
}

/// Write the folder `dir` whole or not at all: `write` fills `.<name>.partial` beside it, which
/// then replaces `dir` by renames (the old `dir` moved to `.<name>.old` and removed last). A kill
/// at any moment leaves either the old or the new folder complete under `dir`, or (between the
/// two renames) the old one complete under `.<name>.old`, which [`recover_folder`] puts back.
pub fn save_folder(dir: &Path, write: impl FnOnce(&Path) -> Result<(), BagNetError>) -> Result<(), BagNetError> {
    recover_folder(dir)?;
    let (partial, old) = siblings(dir);
    if partial.exists() {
        std::fs::remove_dir_all(&partial).map_err(|e| fs_err(&partial, e))?;
    }
    std::fs::create_dir_all(&partial).map_err(|e| fs_err(&partial, e))?;
    write(&partial)?;
    if dir.exists() {
        std::fs::rename(dir, &old).map_err(|e| fs_err(dir, e))?;
    }
    std::fs::rename(&partial, dir).map_err(|e| fs_err(dir, e))?;
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(|e| fs_err(&old, e))?;
    }
    Ok(())
}

/// After an interrupted [`save_folder`]: put `.<name>.old` back when `dir` is missing, and remove
/// what is left of a replacement that did not finish.
pub fn recover_folder(dir: &Path) -> Result<(), BagNetError> {
    let (partial, old) = siblings(dir);
    if !dir.exists() && old.is_dir() {
        std::fs::rename(&old, dir).map_err(|e| fs_err(dir, e))?;
    }
    for leftover in [&partial, &old] {
        if leftover.exists() {
            std::fs::remove_dir_all(leftover).map_err(|e| fs_err(leftover, e))?;
        }
    }
    Ok(())
}

/// Save an optimiser's state as `optim.mpk` in `dir`.
pub fn save_optimizer<B: Backend, R: Record<B>>(dir: &Path, record: R) -> Result<(), BagNetError> {
    let path = dir.join("optim.mpk");
    write(&path, &record_bytes::<B, _>(record, &path)?)
}

/// Load the optimiser state saved by [`save_optimizer`].
pub fn load_optimizer<B: Backend, R: Record<B>>(dir: &Path, device: &B::Device) -> Result<R, BagNetError> {
    FileRec::new()
        .load(dir.join("optim"), device)
        .map_err(|e| BagNetError::file(dir.join("optim.mpk"), e))
}

/// Load a BagNet saved by [`save_model`]; a weight file that does not fit the architecture in
/// `meta.json` is an error, and so is a baseline CNN's folder (no patch evidence: see [`load_net`]).
pub fn load_model<B: Backend>(dir: &Path, device: &B::Device) -> Result<(BagNet<B>, ModelMeta), BagNetError> {
    let meta = read_meta(dir)?;
    if !meta.config.arch.is_bagnet() {
        return Err(BagNetError::file(
            dir,
            format!(
                "holds a {} model, a global CNN without patch evidence; evidence maps, their statistics \
                 and patch features need a BagNet (bagnet9, bagnet17 or bagnet33)",
                meta.config.arch.name()
            ),
        ));
    }
    let model = load_weights(dir, meta.config.init::<B>(device), device)?;
    check_shapes(&model, &meta, dir)?;
    Ok((model, meta))
}

/// Load a BagNet or a baseline CNN saved by [`save_net`] (or a BagNet saved by [`save_model`]). An
/// Inception-v3 saved without its auxiliary classifier loads without it ([`Net::lacks_aux`]).
pub fn load_net<B: Backend>(dir: &Path, device: &B::Device) -> Result<(Net<B>, ModelMeta), BagNetError> {
    let meta = read_meta(dir)?;
    if meta.config.arch.is_bagnet() {
        let (m, meta) = load_model(dir, device)?;
        return Ok((Net::BagNet(m), meta));
    }
    let fresh = meta.config.init_net::<B>(device, 0);
    let (params, outputs, aux) = (fresh.num_params(), fresh.outputs(), fresh.aux_params());
    let model = match fresh {
        Net::ResNet(m) => Net::ResNet(load_weights(dir, m, device)?),
        Net::Inception(m) => Net::Inception(vec![load_weights(dir, crate::net::the_one(&m).clone(), device)?]),
        Net::BagNet(m) => Net::BagNet(load_weights(dir, m, device)?),
    };
    // A folder without the auxiliary classifier has its parameters fewer.
    let missing = if model.lacks_aux() { aux } else { 0 };
    if model.num_params() + missing != params || model.outputs() != outputs {
        return Err(shape_misfit(dir, &meta));
    }
    Ok((model, meta))
}

/// What a model folder without Inception-v3's auxiliary classifier means ([`Net::lacks_aux`]).
pub fn aux_absent_note(dir: &Path) -> String {
    format!(
        "{}: the Inception-v3 has no auxiliary classifier (AuxLogits), as saved before dimorph built it; \
         it serves training only (evaluation and predictions use the main head and are unaffected), \
         and this model trains on the main loss alone",
        dir.display()
    )
}

/// The architecture recorded in the model folder `dir` (its `meta.json`).
pub fn read_arch(dir: &Path) -> Result<crate::model::Arch, BagNetError> {
    Ok(read_json::<ModelMeta>(&dir.join("meta.json"))?.config.arch)
}

/// `meta.json` of the model folder `dir`, checked (and a folder left half-replaced by an
/// interrupted run named).
fn read_meta(dir: &Path) -> Result<ModelMeta, BagNetError> {
    let (_, old) = siblings(dir);
    if !dir.exists() && old.is_dir() {
        return Err(BagNetError::file(
            dir,
            format!(
                "is missing: a training run was stopped while replacing it, and {} holds the previous copy; \
                 `dimorph bagnet train --resume` on the run puts it back (or rename it to {})",
                old.display(),
                dir.display()
            ),
        ));
    }
    let meta: ModelMeta = read_json(&dir.join("meta.json"))?;
    check_meta(&meta).map_err(|e| BagNetError::file(dir.join("meta.json"), e))?;
    Ok(meta)
}

/// The weights of `dir/model.mpk` loaded into `model` (built from `meta.json`).
fn load_weights<B: Backend, M: Module<B>>(dir: &Path, model: M, device: &B::Device) -> Result<M, BagNetError> {
    let misfit = || {
        BagNetError::file(
            dir.join("model.mpk"),
            "weights do not fit the architecture in meta.json",
        )
    };
    let record = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        FileRec::new().load(dir.join("model"), device)
    }));
    // burn's decoding error of a file cut short suggests an old record format (0.14); the file here
    // was written by this program, so the cause is the file: say that, keeping burn's first line.
    let damaged = |cause: &str| {
        BagNetError::file(
            dir.join("model.mpk"),
            format!(
                "cannot be read as a model: the file is damaged or cut short ({}); save or copy it again",
                dimorph_core::text::clip(cause.lines().next().unwrap_or("")).trim()
            ),
        )
    };
    let record = match record {
        Ok(Ok(r)) => r,
        Ok(Err(_)) if !dir.join("model.mpk").is_file() => {
            return Err(BagNetError::file(
                dir.join("model.mpk"),
                "not found (a model folder holds model.mpk and meta.json)",
            ))
        }
        Ok(Err(e)) => return Err(damaged(&e.to_string())),
        Err(_) => return Err(damaged("its decoding failed")),
    };
    let loaded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| model.load_record(record)));
    loaded.map_err(|_| misfit())
}

/// The sizes in a `meta.json` within the bounds the options have (checked before the model is
/// built or an image resized to them).
fn check_meta(meta: &ModelMeta) -> Result<(), BagNetError> {
    let c = &meta.config;
    check_width(c.width)?;
    check_size(c.arch, meta.size)?;
    check_classes("classes", &meta.classes)?;
    let outputs = if meta.classes.len() == 2 { 1 } else { meta.classes.len() };
    if c.outputs != outputs {
        return Err(BagNetError::Data(format!(
            "the model has {} outputs for {} classes (expected {outputs})",
            c.outputs,
            meta.classes.len()
        )));
    }
    Ok(())
}

fn check_shapes<B: Backend>(model: &BagNet<B>, meta: &ModelMeta, dir: &Path) -> Result<(), BagNetError> {
    let fresh = meta.config.init::<B>(&model.fc.weight.device());
    if fresh.num_params() != model.num_params() || fresh.fc.weight.dims() != model.fc.weight.dims() {
        return Err(shape_misfit(dir, meta));
    }
    Ok(())
}

fn shape_misfit(dir: &Path, meta: &ModelMeta) -> BagNetError {
    BagNetError::file(
        dir.join("model.mpk"),
        format!(
            "weights do not fit the architecture {} (width {})",
            meta.config.arch.name(),
            meta.config.width
        ),
    )
}

/// Write `v` as pretty JSON, atomically.
pub fn write_json<T: Serialize>(path: &Path, v: &T) -> Result<(), BagNetError> {
    let s = serde_json::to_string_pretty(v).map_err(|e| BagNetError::file(path, e))?;
    write(path, s.as_bytes())
}

/// Read a JSON file written by [`write_json`].
pub fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, BagNetError> {
    let s = std::fs::read_to_string(path).map_err(|e| BagNetError::file(path, e))?;
    serde_json::from_str(&s).map_err(|e| BagNetError::file(path, e))
}

/// Folder of the checkpoint after `epoch` (1-based).
pub fn epoch_dir(out: &Path, epoch: usize) -> PathBuf {
    out.join(format!("epoch-{epoch:03}"))
}
