//! Training (paper §3.2): the head alone first (backbone frozen, its batch norm in inference mode),
//! then all layers; SGD (lr 0.01, batch 16) or Adam;
//! a checkpoint every epoch; precise batch-norm statistics recomputed after every epoch; the best
//! epoch by validation AUC (accuracy for more than two classes; ties go to the lower validation
//! loss); and exact resumption: shuffling and augmentation depend only on (seed, epoch, image), and
//! the model and optimiser state are restored from the last checkpoint.
//!
//! The steps, one file each: [`start`] (a new run or a resumed one), [`epoch`] (the training steps),
//! [`calibrate`] (batch-norm statistics), [`validate`] (validation figures, prediction), [`state`]
//! (the run's history and best epoch); checkpoints are [`crate::checkpoint`]'s.

mod calibrate;
mod epoch;
mod loss;
mod metrics_csv;
mod progress;
mod schedule;
mod start;
mod state;
mod validate;

use std::path::{Path, PathBuf};

use burn::optim::decay::WeightDecayConfig;
use burn::optim::{momentum::MomentumConfig, AdamConfig, AdamWConfig, Optimizer, SgdConfig};
use serde::Serialize;

use crate::backend::BagnetAutodiff;
use crate::checkpoint::{save_folder, save_net, save_optimizer, write_json};
use crate::data::Dataset;
use crate::model::BagNetConfig;
use crate::net::Net;
use crate::BagNetError;

pub use self::loss::{balanced_weights, loss, mean_loss, objective, weighted_loss};
pub use self::progress::{Silent, TrainProgress};
pub use self::schedule::lr_at;
pub use self::state::{EpochRecord, Phase, RunState};
pub use self::validate::{decide, predict, predict_padded};
pub use crate::checkpoint::{epoch_dir, load_model, save_model, ModelMeta};
pub use crate::options::{OptimKind, TrainOptions};

/// The outcome of [`train`].
#[derive(Debug, Clone, Serialize)]
pub struct TrainResult {
    /// The run's folder (checkpoints `epoch-NNN/`, the best model `best/`, `state.json`).
    pub out: PathBuf,
    /// 1-based; none when no epoch ran.
    pub best_epoch: Option<usize>,
    pub history: Vec<EpochRecord>,
    /// Unreadable images left out, with their messages.
    pub skipped_images: Vec<String>,
    /// How the weights in [`TrainOptions::pretrained`] were loaded (a new run only; a resumed
    /// run continues from its checkpoint).
    pub pretrained: Option<crate::weights::LoadReport>,
    /// The epoch after which early stopping ([`TrainOptions::patience`]) ended the run.
    pub stopped_early: Option<usize>,
    /// What the image loader did (cache hits, throughput; in the summary, not the JSON result).
    #[serde(skip)]
    pub loader: crate::loader::LoaderStats,
    /// The run's warnings about its model: a resumed Inception-v3 without its auxiliary
    /// classifier (saved before dimorph built it), which trains on the main loss alone.
    #[serde(skip)]
    pub warnings: Vec<String>,
}

/// [`train`] on the CPU backend ([`crate::CpuTrain`]) as one non-generic function: code outside
/// this crate (the tests, the examples) calls this instance, compiled here once, instead of
/// compiling the whole generic training code again in every crate that names `train::<CpuTrain>`.
pub fn train_cpu(
    ds: &Dataset,
    opt: &TrainOptions,
    out: &Path,
    resume: bool,
    progress: &mut dyn TrainProgress,
    device: &burn::tensor::Device<crate::CpuTrain>,
) -> Result<TrainResult, BagNetError> {
    train::<crate::CpuTrain>(ds, opt, out, resume, progress, device)
}

/// [`train_on`] on the CPU backend, one instance compiled here (as [`train_cpu`]).
pub fn train_cpu_on(
    ds: &Dataset,
    opt: &TrainOptions,
    out: &Path,
    resume: bool,
    progress: &mut dyn TrainProgress,
    devices: &[burn::tensor::Device<crate::CpuTrain>],
) -> Result<TrainResult, BagNetError> {
    train_on::<crate::CpuTrain>(ds, opt, out, resume, progress, devices)
}

/// Train on `ds` with `opt`, writing checkpoints into `out`; with `resume`, continue the run in
/// `out` from its last checkpoint (a new run when `out` holds none).
pub fn train<B: BagnetAutodiff>(
    ds: &Dataset,
    opt: &TrainOptions,
    out: &Path,
    resume: bool,
    progress: &mut dyn TrainProgress,
    device: &B::Device,
) -> Result<TrainResult, BagNetError> {
    train_on::<B>(ds, opt, out, resume, progress, std::slice::from_ref(device))
}

/// [`train`] with every batch split over `devices` (data parallel, [`epoch::run_epoch`]); the
/// model, the optimiser, batch-norm calibration and validation are on the first. One device is
/// [`train`].
pub fn train_on<B: BagnetAutodiff>(
    ds: &Dataset,
    opt: &TrainOptions,
    out: &Path,
    resume: bool,
    progress: &mut dyn TrainProgress,
    devices: &[B::Device],
) -> Result<TrainResult, BagNetError> {
    let Some(device) = devices.first() else {
        return Err(BagNetError::Arg("--device: no device to train on".into()));
    };
    opt.validate()?;
    if ds.classes.len() < 2 {
        return Err(BagNetError::Data(format!(
            "only one class in the labels ('{}'); need two or more",
            ds.classes.join("', '")
        )));
    }
    let run = Run {
        ds,
        opt,
        out,
        device,
        devices,
    };
    let wd = opt.weight_decay;
    match opt.optimizer {
        OptimKind::Sgd => {
            let mut c = SgdConfig::new();
            if opt.momentum_or_zero() > 0.0 {
                c = c.with_momentum(Some(MomentumConfig {
                    momentum: opt.momentum_or_zero(),
                    dampening: 0.0,
                    nesterov: false,
                }));
            }
            if wd > 0.0 {
                c = c.with_weight_decay(Some(WeightDecayConfig::new(wd as f32)));
            }
            run.go(resume, progress, c.init::<B, Net<B>>())
        }
        // Decoupled weight decay (AdamW); plain Adam without it, as in runs saved before.
        OptimKind::Adam if wd > 0.0 => run.go(
            resume,
            progress,
            AdamWConfig::new().with_weight_decay(wd as f32).init::<B, Net<B>>(),
        ),
        OptimKind::Adam => run.go(resume, progress, AdamConfig::new().init::<B, Net<B>>()),
    }
}

/// What every step of a run reads.
struct Run<'a, B: BagnetAutodiff> {
    ds: &'a Dataset,
    opt: &'a TrainOptions,
    out: &'a Path,
    /// The first of `devices`.
    device: &'a B::Device,
    devices: &'a [B::Device],
}

impl<B: BagnetAutodiff> Run<'_, B> {
    fn config(&self) -> BagNetConfig {
        let n_classes = self.ds.classes.len();
        let outputs = if n_classes == 2 { 1 } else { n_classes };
        BagNetConfig::new(self.opt.arch, outputs).with_width(self.opt.width)
    }

    /// Begin or resume, then train the remaining epochs.
    fn go<O: Optimizer<Net<B>, B>>(
        &self,
        resume: bool,
        progress: &mut dyn TrainProgress,
        optim: O,
    ) -> Result<TrainResult, BagNetError> {
        let (started, mut optim) = if resume && RunState::exists(self.out) {
            start::resume::<B, O>(self.ds, (self.opt, self.config()), self.out, optim, self.device)?
        } else {
            (
                start::begin::<B>(self.ds, self.opt, self.config(), self.out, self.device)?,
                optim,
            )
        };
        let start::Started {
            mut model,
            mut state,
            done,
            pretrained,
        } = started;
        let warnings: Vec<String> = (model.lacks_aux() && self.opt.aux_loss_weight() > 0.0)
            .then(|| crate::checkpoint::aux_absent_note(self.out))
            .into_iter()
            .collect();
        let total = self.opt.head_epochs + self.opt.epochs;
        let train_idx = state.split[0].clone();
        let val_idx = state.split[1].clone();
        let val_t: Vec<usize> = val_idx.iter().map(|&i| self.ds.targets[i]).collect();
        let train_t: Vec<usize> = train_idx.iter().map(|&i| self.ds.targets[i]).collect();
        let weights = self
            .opt
            .class_weights
            .then(|| loss::balanced_weights(&train_t, self.ds.classes.len()));
        let mut stopped_early = None;
        let validation = validate::Validation {
            ds: self.ds,
            idx: &val_idx,
            targets: &val_t,
            // Twice the training batch on the CPU (inference needs less memory); the training
            // batch itself on the GPU, whose kernels are then those the training steps tuned.
            batch: if B::PAD_LAST_BATCH {
                self.opt.batch
            } else {
                self.opt.batch * 2
            },
            seed: self.opt.seed,
        };
        for e in done..total {
            let plan = epoch::EpochPlan {
                epoch: e,
                total,
                train_idx: &train_idx,
                class_weights: weights.as_deref(),
            };
            let (m, train_loss, lr) =
                epoch::run_epoch(model, &mut optim, self.ds, self.opt, &plan, progress, self.devices)?;
            model = m;
            let phase = Phase::of(e, self.opt.head_epochs);
            if phase == Phase::All {
                // A head epoch leaves the backbone's batch-norm statistics as they are.
                calibrate::calibrate(&model, self.ds, &train_idx, self.opt, self.device)?;
            }
            let mut record = validate::validate(&model, &validation, e, phase, train_loss, self.device)?;
            record.lr = Some(lr);
            if !(record.train_loss.is_finite() && record.val_loss.is_finite()) {
                // Not saved: the checkpoints so far stay the run's last.
                return Err(BagNetError::Data(format!(
                    "epoch {}: the loss is not a finite number (training {}, validation {}): the run \
                     diverged; start again with a lower --lr (now {})",
                    e + 1,
                    record.train_loss,
                    record.val_loss,
                    self.opt.lr
                )));
            }
            progress.epoch_done(&record);
            progress.loader(&self.ds.images.stats());
            self.save_epoch(&model, &optim, &mut state, record)?;
            if self.patience_over(&state) {
                stopped_early = Some(e + 1);
                break;
            }
        }
        Ok(TrainResult {
            out: self.out.to_path_buf(),
            best_epoch: state.best_epoch,
            history: state.history,
            skipped_images: self.ds.skipped.clone(),
            pretrained,
            stopped_early,
            loader: self.ds.images.stats(),
            warnings,
        })
    }

    /// Whether early stopping ends the run ([`RunState::patience_over`]).
    fn patience_over(&self, state: &RunState) -> bool {
        state.patience_over(self.opt.patience, self.opt.best_from)
    }

    /// The epoch's checkpoint (model and optimiser), the best model when the epoch is the best so
    /// far, and the run's state.
    fn save_epoch<O: Optimizer<Net<B>, B>>(
        &self,
        model: &Net<B>,
        optim: &O,
        state: &mut RunState,
        record: EpochRecord,
    ) -> Result<(), BagNetError> {
        // Only epochs inside the window of --best-from can be the best.
        let better = state.is_best_in_window(&record, self.opt.best_from);
        let epoch = record.epoch;
        let meta = ModelMeta {
            config: self.config(),
            classes: self.ds.classes.clone(),
            size: self.opt.size,
            mask: self.opt.mask,
            epoch,
        };
        if better {
            state.best_epoch = Some(epoch);
        }
        state.history.push(record);
        // The epoch's folder (with a copy of the run's state), then the best model, each whole or
        // not at all; then the run's state.
        save_folder(&epoch_dir(self.out, epoch), |dir| {
            save_net(dir, model, &meta)?;
            save_optimizer::<B, _>(dir, optim.to_record())?;
            write_json(&dir.join("state.json"), state)
        })?;
        if better {
            save_folder(&self.out.join("best"), |dir| save_net(dir, model, &meta))?;
        }
        write_json(&self.out.join("state.json"), state)?;
        metrics_csv::write(self.out, &state.history)
    }
}
