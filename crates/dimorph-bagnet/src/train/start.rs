//! How a run begins: a new run splits the images by subject, initialises the model from the seed
//! (or from pretrained weights) and refuses a folder that holds a run already; a resumed run reads
//! `state.json` and restores the model and the optimiser from its last checkpoint.

use std::path::Path;

use burn::optim::Optimizer;

use super::state::RunState;
use crate::backend::BagnetAutodiff;
use crate::checkpoint::{epoch_dir, load_net, load_optimizer, recover_folder, ModelMeta};
use crate::data::{self, Dataset};
use crate::model::{Arch, BagNetConfig};
use crate::net::Net;
use crate::options::TrainOptions;
use crate::weights::{load_pretrained_net, LoadOptions, LoadReport};
use crate::BagNetError;
use dimorph_core::text::clip;

/// A run ready for its next epoch.
pub struct Started<B: BagnetAutodiff> {
    pub model: Net<B>,
    pub state: RunState,
    /// Epochs done (0 for a new run).
    pub done: usize,
    /// How pretrained weights were loaded (a new run from a weight file only).
    pub pretrained: Option<LoadReport>,
}

/// Continue the run in `out` from its last checkpoint; `optim` gets its saved state. The options
/// that define the model and its input (`config`: architecture and width; `opt`'s size and mask)
/// must be the checkpoint's: the run went on with the checkpoint's model and wrote the options'
/// description of it beside its weights, and read the images at the options' size.
pub fn resume<B: BagnetAutodiff, O: Optimizer<Net<B>, B>>(
    ds: &Dataset,
    (opt, config): (&TrainOptions, BagNetConfig),
    out: &Path,
    optim: O,
    device: &B::Device,
) -> Result<(Started<B>, O), BagNetError> {
    let state_path = out.join("state.json");
    let mut state = RunState::load(out)?;
    let other = || BagNetError::file(&state_path, "the run was made with other images or labels");
    if state.classes != ds.classes {
        return Err(other());
    }
    match &state.split_ids {
        // The split by identity: rows may come in another order.
        Some(ids) => {
            let r = crate::sets::resolve(ds, ids);
            if let Some(&i) = r.unknown.first() {
                return Err(BagNetError::file(
                    &state_path,
                    format!(
                        "the run was made with other images: '{}' (subject '{}') is not in its split",
                        clip(&ds.rows[i].name),
                        clip(&ds.rows[i].subject)
                    ),
                ));
            }
            if let Some(id) = r.missing.first() {
                return Err(BagNetError::file(
                    &state_path,
                    format!(
                        "{} image(s) of the run's split are not among the images read, e.g. '{}' (subject '{}'); \
                         resume with the run's label CSV and images",
                        r.missing.len(),
                        clip(&id.path),
                        clip(&id.subject)
                    ),
                ));
            }
            state.split = r.split;
        }
        // A split stored by position (runs saved before identities were): each image once
        // (RunState::check), so it is a permutation when every index lies among the images.
        None if state.split.iter().map(Vec::len).sum::<usize>() != ds.images.len()
            || state.split.iter().flatten().any(|&i| i >= ds.images.len()) =>
        {
            return Err(other())
        }
        None => {}
    }
    let done = state.history.len();
    let dir = epoch_dir(out, done);
    recover_folder(&dir)?;
    recover_folder(&out.join("best"))?;
    let (model, meta) = load_net::<B>(&dir, device)?;
    same_model(&meta, (opt, config), &dir)?;
    let optim = optim.load_record(load_optimizer::<B, O::Record>(&dir, device)?);
    let started = Started {
        model,
        state,
        done,
        pretrained: None,
    };
    Ok((started, optim))
}

/// Refuses to resume the checkpoint in `dir` (described by `meta`) with options that define
/// another model or input: architecture, width, image size, mask.
fn same_model(meta: &ModelMeta, (opt, config): (&TrainOptions, BagNetConfig), dir: &Path) -> Result<(), BagNetError> {
    let describe = |arch: Arch, width: f64, size: usize, mask: bool| {
        format!(
            "--arch {} --width {} --size {}{}",
            arch.name(),
            dimorph_core::text::num(width),
            size,
            if mask { " --mask" } else { "" }
        )
    };
    let same =
        (meta.config.arch, meta.config.width, meta.size, meta.mask) == (config.arch, config.width, opt.size, opt.mask);
    if same {
        return Ok(());
    }
    let saved = describe(meta.config.arch, meta.config.width, meta.size, meta.mask);
    let asked = describe(config.arch, config.width, opt.size, opt.mask);
    Err(BagNetError::file(
        dir,
        format!(
            "--resume: the run's checkpoint is a model of {saved}, but this call asks for {asked}; resume with \
             the run's options (they define its model and how its images are read) or start a new --out"
        ),
    ))
}

/// Begin a new run in `out` (created once the split and the weights are accepted): split,
/// initialise, optionally load pretrained weights.
pub fn begin<B: BagnetAutodiff>(
    ds: &Dataset,
    opt: &TrainOptions,
    config: BagNetConfig,
    out: &Path,
    device: &B::Device,
) -> Result<Started<B>, BagNetError> {
    if RunState::exists(out) {
        return Err(BagNetError::file(
            out,
            "holds a run already; pass --resume to continue it or choose a new --out",
        ));
    }
    let split = match &opt.split_file {
        Some(f) => crate::sets::read_split_file(f, &opt.split_column, ds)?,
        None => data::split_by_subject(&ds.rows, opt.split, opt.seed),
    };
    if opt.drop_last && split[0].len() < opt.batch {
        return Err(BagNetError::Arg(format!(
            "--drop-last: the training set has {} image(s), fewer than one batch of {}; lower --batch \
             or leave out --drop-last",
            split[0].len(),
            opt.batch
        )));
    }
    for (name, idx) in ["training", "validation"].iter().zip(&split) {
        let t: Vec<usize> = idx.iter().map(|&i| ds.targets[i]).collect();
        data::check_classes(name, &t, ds.classes.len())?;
    }
    B::seed(device, opt.seed);
    let mut model = config.init_net::<B>(device, opt.seed);
    let pretrained = match &opt.pretrained {
        Some(p) => Some(load_pretrained_net(&mut model, p, &LoadOptions::default())?),
        None => None,
    };
    // The folder last, once the options, the split and the weights have been accepted.
    std::fs::create_dir_all(out).map_err(|e| BagNetError::file(out, e))?;
    let state = RunState {
        options: opt.clone(),
        classes: ds.classes.clone(),
        split_ids: Some(crate::sets::ids_of(ds, &split)),
        split,
        history: Vec::new(),
        best_epoch: None,
    };
    Ok(Started {
        model,
        state,
        done: 0,
        pretrained,
    })
}
