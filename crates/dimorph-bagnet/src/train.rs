//! Training (paper §3.2): the head alone first, then all layers; SGD (lr 0.01, batch 16) or Adam;
//! a checkpoint every epoch; precise batch-norm statistics recomputed after every epoch; the best
//! epoch by validation AUC (accuracy for more than two classes; ties go to the lower validation
//! loss); and exact resumption: shuffling and augmentation depend only on (seed, epoch, image), and
//! the model and optimiser state are restored from the last checkpoint.

use std::path::{Path, PathBuf};

use burn::module::{AutodiffModule, Module};
use burn::nn::loss::CrossEntropyLoss;
use burn::optim::{momentum::MomentumConfig, AdamConfig, GradientsParams, Optimizer, SgdConfig};
use burn::record::{FullPrecisionSettings, NamedMpkFileRecorder, Recorder};
use burn::tensor::backend::{AutodiffBackend, Backend};
use burn::tensor::{ElementConversion, Int, Tensor, TensorData};
use serde::{Deserialize, Serialize};

use crate::data::{self, Augment, Dataset};
use crate::draws::{Draws, SplitMix64};
use crate::model::{Arch, BagNet, BagNetConfig};
use crate::progress::Progress;
use crate::BagNetError;

/// Which optimiser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OptimKind {
    Sgd,
    Adam,
}

/// Training options; defaults follow the paper (SGD, lr 0.01, batch 16, head then fine-tune).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrainOptions {
    pub arch: Arch,
    pub width: f64,
    /// Model input side in pixels (images are resized to it).
    pub size: usize,
    pub batch: usize,
    pub lr: f64,
    /// Epochs training the head alone (backbone frozen, batch norm in inference mode).
    pub head_epochs: usize,
    /// Epochs fine-tuning all layers after the head epochs.
    pub epochs: usize,
    pub optimizer: OptimKind,
    /// SGD momentum (0 = plain SGD as in the paper).
    pub momentum: f64,
    pub seed: u64,
    pub augment: bool,
    pub mask: bool,
    /// Subject-level train/validation/test fractions.
    pub split: [f64; 3],
    /// After every epoch, set the batch-norm running statistics to the mean of the batch statistics
    /// over up to this many (unaugmented) training images with the epoch's final weights; 0 keeps the
    /// exponential running averages of training.
    #[serde(default = "default_bn_calibration")]
    pub bn_calibration: usize,
    /// Start from the weights in this PyTorch or safetensors file (backbone, and the head when
    /// its number of outputs fits) instead of the random initialisation.
    #[serde(default)]
    pub pretrained: Option<PathBuf>,
}

fn default_bn_calibration() -> usize {
    1000
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            arch: Arch::BagNet33,
            width: 1.0,
            size: 224,
            batch: 16,
            lr: 0.01,
            head_epochs: 10,
            epochs: 100,
            optimizer: OptimKind::Sgd,
            momentum: 0.0,
            seed: 1,
            augment: true,
            mask: true,
            split: [0.75, 0.10, 0.15],
            bn_calibration: default_bn_calibration(),
            pretrained: None,
        }
    }
}

/// What a saved model needs besides its weights.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelMeta {
    pub config: BagNetConfig,
    pub classes: Vec<String>,
    pub size: usize,
    pub mask: bool,
    pub epoch: usize,
}

/// One epoch's figures.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EpochRecord {
    pub epoch: usize,
    pub phase: String,
    pub train_loss: f64,
    pub val_loss: f64,
    pub val_accuracy: f64,
    pub val_auc: Option<f64>,
}

/// The run's state after each epoch (`state.json` in the output folder).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunState {
    pub options: TrainOptions,
    pub classes: Vec<String>,
    pub split: [Vec<usize>; 3],
    pub history: Vec<EpochRecord>,
    pub best_epoch: Option<usize>,
}

type Rec = NamedMpkFileRecorder<FullPrecisionSettings>;

/// Save weights and meta data into `dir` (created).
pub fn save_model<B: Backend>(dir: &Path, model: &BagNet<B>, meta: &ModelMeta) -> Result<(), BagNetError> {
    std::fs::create_dir_all(dir).map_err(|e| BagNetError::file(dir, e))?;
    model
        .clone()
        .save_file(dir.join("model"), &Rec::new())
        .map_err(|e| BagNetError::file(dir.join("model.mpk"), e))?;
    write_json(&dir.join("meta.json"), meta)
}

/// Load a model saved by [`save_model`]; a weight file that does not fit the architecture in
/// `meta.json` is an error.
pub fn load_model<B: Backend>(dir: &Path, device: &B::Device) -> Result<(BagNet<B>, ModelMeta), BagNetError> {
    let meta: ModelMeta = read_json(&dir.join("meta.json"))?;
    let record = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        Rec::new().load(dir.join("model"), device)
    }));
    let record = match record {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return Err(BagNetError::file(dir.join("model.mpk"), e)),
        Err(_) => {
            return Err(BagNetError::file(
                dir.join("model.mpk"),
                "weights do not fit the architecture in meta.json",
            ))
        }
    };
    let model = meta.config.init::<B>(device);
    let loaded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| model.load_record(record)));
    let model = loaded.map_err(|_| {
        BagNetError::file(
            dir.join("model.mpk"),
            "weights do not fit the architecture in meta.json",
        )
    })?;
    check_shapes(&model, &meta, dir)?;
    Ok((model, meta))
}

fn check_shapes<B: Backend>(model: &BagNet<B>, meta: &ModelMeta, dir: &Path) -> Result<(), BagNetError> {
    let fresh = meta.config.init::<B>(&model.fc.weight.device());
    if fresh.num_params() != model.num_params() || fresh.fc.weight.dims() != model.fc.weight.dims() {
        return Err(BagNetError::file(
            dir.join("model.mpk"),
            format!(
                "weights do not fit the architecture {} (width {})",
                meta.config.arch.name(),
                meta.config.width
            ),
        ));
    }
    Ok(())
}

pub(crate) fn write_json<T: Serialize>(path: &Path, v: &T) -> Result<(), BagNetError> {
    let s = serde_json::to_string_pretty(v).map_err(|e| BagNetError::file(path, e))?;
    std::fs::write(path, s).map_err(|e| BagNetError::file(path, e))
}

pub(crate) fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, BagNetError> {
    let s = std::fs::read_to_string(path).map_err(|e| BagNetError::file(path, e))?;
    serde_json::from_str(&s).map_err(|e| BagNetError::file(path, e))
}

/// Binary cross-entropy on one logit (`targets` 0/1) or softmax cross-entropy on K logits.
pub fn loss<B: Backend>(logits: Tensor<B, 2>, targets: &[usize]) -> Tensor<B, 1> {
    let device = logits.device();
    let [n, k] = logits.dims();
    if k == 1 {
        let y: Vec<f32> = targets.iter().map(|&t| t as f32).collect();
        let y = Tensor::<B, 2>::from_data(TensorData::new(y, [n, 1]), &device);
        // log(1 + e^{-|z|}) + max(z, 0) − z·y, the stable form of −y log σ(z) − (1−y) log(1−σ(z)).
        let z = logits;
        (z.clone().abs().neg().exp().log1p() + z.clone().clamp_min(0.0) - z * y).mean()
    } else {
        let t: Vec<i64> = targets.iter().map(|&t| t as i64).collect();
        let t = Tensor::<B, 1, Int>::from_data(TensorData::new(t, [n]), &device);
        CrossEntropyLoss::new(None, &device).forward(logits, t)
    }
}

/// Image logits for the images `idx` of `ds`, in inference mode.
pub fn predict<B: crate::backend::BagnetBackend>(
    model: &BagNet<B>,
    ds: &Dataset,
    idx: &[usize],
    batch: usize,
    device: &B::Device,
) -> Vec<Vec<f64>> {
    let mut out = Vec::with_capacity(idx.len());
    for chunk in idx.chunks(batch.max(1)) {
        let imgs: Vec<_> = chunk.iter().map(|&i| &ds.images[i]).collect();
        let logits = model.forward(data::to_tensor::<B>(&imgs, device));
        let [n, k] = logits.dims();
        let v = logits.into_data().convert::<f32>().to_vec::<f32>().unwrap_or_default();
        for r in 0..n {
            out.push((0..k).map(|c| v[r * k + c] as f64).collect());
        }
    }
    out
}

/// Predicted class and positive-class score from image logits.
pub fn decide(logits: &[f64]) -> (usize, f64) {
    if logits.len() == 1 {
        (usize::from(logits[0] > 0.0), logits[0])
    } else {
        let best = (0..logits.len())
            .max_by(|&a, &b| logits[a].total_cmp(&logits[b]))
            .unwrap_or(0);
        (best, logits.get(1).copied().unwrap_or(0.0))
    }
}

fn mean_loss(logits: &[Vec<f64>], targets: &[usize]) -> f64 {
    let mut s = 0.0;
    for (z, &t) in logits.iter().zip(targets) {
        s += if z.len() == 1 {
            let z = z[0];
            (-z.abs()).exp().ln_1p() + z.max(0.0) - z * t as f64
        } else {
            let m = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let lse = m + z.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
            lse - z[t]
        };
    }
    s / logits.len().max(1) as f64
}

/// The outcome of [`train`].
#[derive(Debug, Clone, Serialize)]
pub struct TrainResult {
    pub out: PathBuf,
    pub best_epoch: Option<usize>,
    pub history: Vec<EpochRecord>,
    pub skipped_images: Vec<String>,
    /// How the weights in [`TrainOptions::pretrained`] were loaded (a new run only; a resumed
    /// run continues from its checkpoint).
    pub pretrained: Option<crate::weights::LoadReport>,
}

/// Train on `ds` with `opt`, writing checkpoints into `out`; with `resume`, continue the run in
/// `out` from its last checkpoint.
pub fn train<B: crate::backend::BagnetAutodiff>(
    ds: &Dataset,
    opt: &TrainOptions,
    out: &Path,
    resume: bool,
    quiet: bool,
    device: &B::Device,
) -> Result<TrainResult, BagNetError> {
    match opt.optimizer {
        OptimKind::Sgd => {
            let mut c = SgdConfig::new();
            if opt.momentum > 0.0 {
                c = c.with_momentum(Some(MomentumConfig {
                    momentum: opt.momentum,
                    dampening: 0.0,
                    nesterov: false,
                }));
            }
            run::<B, _>(ds, opt, out, resume, quiet, device, c.init::<B, BagNet<B>>())
        }
        OptimKind::Adam => run::<B, _>(
            ds,
            opt,
            out,
            resume,
            quiet,
            device,
            AdamConfig::new().init::<B, BagNet<B>>(),
        ),
    }
}

#[allow(clippy::too_many_arguments)]
fn run<B: crate::backend::BagnetAutodiff, O: Optimizer<BagNet<B>, B>>(
    ds: &Dataset,
    opt: &TrainOptions,
    out: &Path,
    resume: bool,
    quiet: bool,
    device: &B::Device,
    mut optim: O,
) -> Result<TrainResult, BagNetError> {
    if opt.batch == 0 {
        return Err(BagNetError::Arg("--batch must be at least 1".into()));
    }
    if !(opt.lr > 0.0 && opt.lr.is_finite()) {
        return Err(BagNetError::Arg(format!("--lr must be positive (got {})", opt.lr)));
    }
    if opt.width.is_nan() || opt.width <= 0.0 {
        return Err(BagNetError::Arg(format!(
            "--width must be positive (got {})",
            opt.width
        )));
    }
    opt.arch.map_size(opt.size)?;
    let n_classes = ds.classes.len();
    if n_classes < 2 {
        return Err(BagNetError::Data(format!(
            "only one class in the labels ({:?}); need two or more",
            ds.classes
        )));
    }
    let outputs = if n_classes == 2 { 1 } else { n_classes };
    let config = BagNetConfig::new(opt.arch, outputs).with_width(opt.width);
    let state_path = out.join("state.json");
    let rec = Rec::new();
    let mut pretrained = None;
    let (mut model, mut state, start) = if resume && state_path.is_file() {
        let state: RunState = read_json(&state_path)?;
        if state.classes != ds.classes || state.split.iter().map(Vec::len).sum::<usize>() != ds.images.len() {
            return Err(BagNetError::file(
                &state_path,
                "the run was made with other images or labels",
            ));
        }
        let done = state.history.len();
        let dir = epoch_dir(out, done);
        let (model, _) = load_model::<B>(&dir, device)?;
        let orec = rec
            .load::<O::Record>(dir.join("optim"), device)
            .map_err(|e| BagNetError::file(dir.join("optim.mpk"), e))?;
        optim = optim.load_record(orec);
        (model, state, done)
    } else {
        if state_path.is_file() {
            return Err(BagNetError::file(
                out,
                "holds a run already; pass --resume to continue it or choose a new --out",
            ));
        }
        std::fs::create_dir_all(out).map_err(|e| BagNetError::file(out, e))?;
        let rows = &ds.rows;
        let split = data::split_by_subject(rows, opt.split, opt.seed);
        for (name, idx) in ["training", "validation"].iter().zip(&split) {
            let t: Vec<usize> = idx.iter().map(|&i| ds.targets[i]).collect();
            data::check_classes(name, &t, n_classes)?;
        }
        B::seed(device, opt.seed);
        let mut model = config.init_seeded::<B>(device, opt.seed);
        if let Some(p) = &opt.pretrained {
            pretrained = Some(crate::weights::load_pretrained(
                &mut model,
                p,
                &crate::weights::LoadOptions::default(),
            )?);
        }
        let state = RunState {
            options: opt.clone(),
            classes: ds.classes.clone(),
            split,
            history: Vec::new(),
            best_epoch: None,
        };
        (model, state, 0)
    };
    let total = opt.head_epochs + opt.epochs;
    let train_idx = state.split[0].clone();
    let val_idx = state.split[1].clone();
    let val_t: Vec<usize> = val_idx.iter().map(|&i| ds.targets[i]).collect();
    let aug = Augment::default();
    for epoch in start..total {
        let head = epoch < opt.head_epochs;
        let mut order = train_idx.clone();
        SplitMix64::derive(opt.seed, 30, epoch as u64).shuffle(&mut order);
        let n_batches = order.len().div_ceil(opt.batch);
        let mut bar = Progress::new(
            &format!(
                "epoch {}/{} ({})",
                epoch + 1,
                total,
                if head { "head" } else { "all layers" }
            ),
            n_batches,
            quiet,
        );
        let mut loss_sum = 0.0;
        for (b, chunk) in order.chunks(opt.batch).enumerate() {
            let augmented: Vec<_> = chunk
                .iter()
                .map(|&i| {
                    if opt.augment {
                        aug.apply(
                            &ds.images[i],
                            &mut SplitMix64::derive(opt.seed, 1000 + epoch as u64, i as u64),
                        )
                    } else {
                        ds.images[i].clone()
                    }
                })
                .collect();
            let refs: Vec<_> = augmented.iter().collect();
            let targets: Vec<usize> = chunk.iter().map(|&i| ds.targets[i]).collect();
            let logits = if head {
                // Backbone frozen: features detached from the graph, so only the head gets
                // gradients; batch norm still normalises with batch statistics.
                let feats = model.features(data::to_tensor::<B>(&refs, device)).detach();
                model.pooled_logits(feats)
            } else {
                model.forward(data::to_tensor::<B>(&refs, device))
            };
            let l = loss(logits, &targets);
            let lv = l.clone().into_scalar().elem::<f64>();
            if !lv.is_finite() {
                return Err(BagNetError::Data(format!(
                    "the training loss became {lv} in epoch {} batch {}; lower --lr",
                    epoch + 1,
                    b + 1
                )));
            }
            loss_sum += lv;
            let grads = GradientsParams::from_grads(l.backward(), &model);
            model = optim.step(opt.lr, model, grads);
            bar.tick(&format!("loss {:.4}", loss_sum / (b + 1) as f64));
        }
        if opt.bn_calibration > 0 {
            let take = train_idx.len().min(opt.bn_calibration);
            for (k, chunk) in train_idx[..take].chunks(opt.batch).enumerate() {
                let imgs: Vec<_> = chunk.iter().map(|&i| &ds.images[i]).collect();
                crate::layers::with_cumulative_statistics(k, || {
                    model.features(data::to_tensor::<B>(&imgs, device).detach())
                });
            }
        }
        let inner = model.valid();
        let val_logits = predict(&inner, ds, &val_idx, opt.batch * 2, device);
        let (pred, score): (Vec<usize>, Vec<f64>) = val_logits.iter().map(|z| decide(z)).unzip();
        let m = crate::metrics::set_metrics("validation", &score, &pred, &val_t, n_classes, opt.seed);
        let record = EpochRecord {
            epoch: epoch + 1,
            phase: if head { "head" } else { "all" }.into(),
            train_loss: loss_sum / n_batches.max(1) as f64,
            val_loss: mean_loss(&val_logits, &val_t),
            val_accuracy: m.accuracy,
            val_auc: m.auc,
        };
        bar.finish(&format!(
            "loss {:.4}  val loss {:.4}  val acc {:.3}  val AUC {}",
            record.train_loss,
            record.val_loss,
            record.val_accuracy,
            record.val_auc.map_or("-".into(), |a| format!("{a:.3}"))
        ));
        let score_of = |r: &EpochRecord| r.val_auc.unwrap_or(r.val_accuracy);
        // Ties in validation AUC (common once it reaches 1) go to the lower validation loss.
        let better = match state.best_epoch {
            None => true,
            Some(b) => {
                let best = &state.history[b - 1];
                score_of(&record) > score_of(best)
                    || (score_of(&record) == score_of(best) && record.val_loss < best.val_loss)
            }
        };
        let meta = ModelMeta {
            config,
            classes: ds.classes.clone(),
            size: opt.size,
            mask: opt.mask,
            epoch: epoch + 1,
        };
        let dir = epoch_dir(out, epoch + 1);
        save_model(&dir, &model, &meta)?;
        rec.record(optim.to_record(), dir.join("optim"))
            .map_err(|e| BagNetError::file(dir.join("optim.mpk"), e))?;
        if better {
            state.best_epoch = Some(epoch + 1);
            save_model(&out.join("best"), &model, &meta)?;
        }
        state.history.push(record);
        write_json(&state_path, &state)?;
    }
    Ok(TrainResult {
        out: out.to_path_buf(),
        best_epoch: state.best_epoch,
        history: state.history,
        skipped_images: ds.skipped.clone(),
        pretrained,
    })
}

/// Folder of the checkpoint after `epoch` (1-based).
pub fn epoch_dir(out: &Path, epoch: usize) -> PathBuf {
    out.join(format!("epoch-{epoch:03}"))
}
