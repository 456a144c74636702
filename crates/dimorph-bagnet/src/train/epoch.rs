//! One training epoch: the training images in an order drawn from (seed, epoch), each augmented
//! with draws from (seed, epoch, image), in steps of `batch` images; in a head epoch the backbone is
//! frozen (paper §3.2): its features come from the inference-mode copy of the model (batch norm
//! with its running statistics, which stay untouched, as ImageNet weights need) and only the head
//! gets gradients. Inception-v3's auxiliary classifier adds its loss
//! ([`TrainOptions::aux_loss_weight`]) in every epoch: in all-layer epochs the whole classifier
//! trains; in head epochs only its head `AuxLogits.fc`, on the frozen model's pooled features of
//! Mixed_6e (its convolutions and batch norms frozen, in inference mode, like the backbone), as
//! PyTorch's fine-tuning tutorial trains both heads of a frozen Inception-v3 (loss = main + 0.4·aux).
//! On several devices each batch is split over them, data parallel ([`StepCtx::parallel`]).

use burn::module::AutodiffModule;
use burn::module::Module;
use burn::optim::{GradientsAccumulator, GradientsParams, Optimizer};
use burn::tensor::{ElementConversion, Tensor};

use super::loss::objective;
use super::progress::TrainProgress;
use super::schedule::lr_at;
use super::state::Phase;
use crate::backend::BagnetAutodiff;
use crate::data::{self, Augment, Dataset};
use crate::loader::{BatchStream, Prep};
use crate::net::Net;
use crate::options::TrainOptions;
use crate::BagNetError;
use dimorph_core::rng::{Draws, SplitMix64};
use dimorph_core::threads::ranges;

/// Where an epoch stands in its run.
pub struct EpochPlan<'a> {
    /// 0-based.
    pub epoch: usize,
    /// Number of epochs in the run.
    pub total: usize,
    /// The training images.
    pub train_idx: &'a [usize],
    /// Loss weight of each class ([`super::loss::balanced_weights`]), when weighted.
    pub class_weights: Option<&'a [f64]>,
}

/// The steps of an epoch as a stream of batches prepared on the loader's threads, augmented (when
/// the options say so) with draws from (seed, epoch, image).
fn batch_stream(ds: &Dataset, order: &[usize], opt: &TrainOptions, epoch: usize) -> BatchStream {
    let prep = if opt.augment {
        Prep::Augment {
            aug: Augment::default(),
            seed: opt.seed,
            epoch,
        }
    } else {
        Prep::Plain
    };
    ds.images
        .stream(order.chunks(opt.batch).map(<[usize]>::to_vec).collect(), prep)
}

/// Train `model` for one epoch; returns the model, the epoch's mean training loss and the
/// learning rate of its last step. With several `devices` every batch is split over them
/// ([`StepCtx::parallel`]); the model and the optimiser live on the first.
pub fn run_epoch<B: BagnetAutodiff, O: Optimizer<Net<B>, B>>(
    mut model: Net<B>,
    optim: &mut O,
    ds: &Dataset,
    opt: &TrainOptions,
    plan: &EpochPlan,
    progress: &mut dyn TrainProgress,
    devices: &[B::Device],
) -> Result<(Net<B>, f64, f64), BagNetError> {
    let epoch = plan.epoch;
    let phase = Phase::of(epoch, opt.head_epochs);
    let mut order = plan.train_idx.to_vec();
    SplitMix64::derive(opt.seed, 30, epoch as u64).shuffle(&mut order);
    if opt.drop_last {
        // At least one whole batch: the run checks that before its first epoch.
        order.truncate(order.len() / opt.batch * opt.batch);
    }
    let n_batches = order.len().div_ceil(opt.batch);
    progress.epoch_started(epoch + 1, plan.total, phase, n_batches);
    let mut loss_sum = 0.0;
    let mut lr = opt.lr;
    // The frozen backbone of a head epoch: the model in inference mode (the head's changes during
    // the epoch do not reach it; the backbone does not change).
    let frozen = (phase == Phase::Head).then(|| model.valid());
    let step = StepCtx {
        frozen: frozen.as_ref(),
        class_weights: plan.class_weights,
        aux_weight: opt.aux_loss_weight(),
    };
    for (b, (chunk, augmented)) in order
        .chunks(opt.batch)
        .zip(batch_stream(ds, &order, opt, epoch))
        .enumerate()
    {
        let augmented = augmented?;
        let refs: Vec<_> = augmented.iter().collect();
        let targets: Vec<usize> = chunk.iter().map(|&i| ds.targets[i]).collect();
        let out = if devices.len() == 1 {
            step.shard(&model, step.frozen, &refs, &targets, None, &devices[0])
        } else {
            step.parallel(&model, &refs, &targets, devices)?
        };
        if !out.total.is_finite() {
            return Err(BagNetError::Data(format!(
                "the training loss became {} in epoch {} batch {}; lower --lr",
                out.total,
                epoch + 1,
                b + 1
            )));
        }
        // The reported training loss is the main head's (comparable with the validation loss).
        loss_sum += out.main;
        lr = lr_at(opt, epoch * n_batches + b, n_batches);
        model = optim.step(lr, model, out.grads);
        progress.batch_done(b + 1, loss_sum / (b + 1) as f64);
    }
    Ok((model, loss_sum / n_batches.max(1) as f64, lr))
}

/// What every shard of every step of an epoch reads.
struct StepCtx<'a, B: BagnetAutodiff> {
    /// The frozen backbone of a head epoch.
    frozen: Option<&'a Net<B::InnerBackend>>,
    class_weights: Option<&'a [f64]>,
    aux_weight: f64,
}

/// One shard's gradients and losses.
struct ShardOut {
    grads: GradientsParams,
    /// The objective (with Inception-v3's auxiliary loss), as a share of the batch's.
    total: f64,
    /// The main head's loss, as a share of the batch's.
    main: f64,
}

impl<B: BagnetAutodiff> StepCtx<'_, B> {
    /// The gradient and losses of `model` (with `frozen`, the frozen backbone of a head epoch
    /// on the same device) on the images `imgs` on `device`, the objective multiplied by `share`
    /// when given (the shard's part of its batch), so that the shards' gradients add up to the
    /// batch's.
    fn shard(
        &self,
        model: &Net<B>,
        frozen: Option<&Net<B::InnerBackend>>,
        imgs: &[&crate::image::RgbImage],
        targets: &[usize],
        share: Option<f64>,
        device: &B::Device,
    ) -> ShardOut {
        let aux_weight = self.aux_weight;
        let (logits, aux) = match frozen {
            // Backbone frozen: features of the inference-mode model (running statistics, none
            // updated), entering the graph as constants, so only the head gets gradients.
            // With Inception-v3's auxiliary loss, its head trains the same way on the frozen
            // auxiliary classifier's pooled features.
            Some(inner) if aux_weight > 0.0 => {
                let x = data::to_tensor::<B::InnerBackend>(imgs, device);
                let (features, aux_pooled) = inner.frozen_features_and_aux(x);
                let aux = aux_pooled.and_then(|p| model.aux_head(Tensor::from_inner(p)));
                (model.pooled_logits(Tensor::from_inner(features)), aux)
            }
            Some(inner) => {
                let x = data::to_tensor::<B::InnerBackend>(imgs, device);
                (model.pooled_logits(Tensor::from_inner(inner.features(x))), None)
            }
            // Inception-v3's auxiliary classifier joins the loss.
            None if aux_weight > 0.0 => model.forward_with_aux(data::to_tensor::<B>(imgs, device)),
            None => (model.forward(data::to_tensor::<B>(imgs, device)), None),
        };
        let with_aux = aux.is_some();
        let (mut l, mut main) = objective(logits, aux, targets, self.class_weights, aux_weight);
        if let Some(f) = share {
            l = l.mul_scalar(f);
            main = main.mul_scalar(f);
        }
        let total = l.clone().into_scalar().elem::<f64>();
        let main = if with_aux {
            main.into_scalar().elem::<f64>()
        } else {
            total
        };
        let grads = GradientsParams::from_grads(l.backward(), model);
        ShardOut { grads, total, main }
    }

    /// One step with the batch split over `devices` (data parallel, as PyTorch's
    /// DistributedDataParallel and burn-train's multi-device step): consecutive shards of
    /// (almost) equal size, one per device, each run by a copy of the model on its device, on a
    /// thread of its own (the first on this thread, so that batch norm's running statistics,
    /// which burn keeps per thread and averages, are merged at every step); each shard's
    /// objective is weighted by its part of the batch (images, or class weights), so the shards'
    /// gradients, moved to the first device and summed, are the batch's gradient, except that
    /// batch norm in training mode normalises each shard by its own statistics (as
    /// DistributedDataParallel without SyncBatchNorm). The optimiser then takes one step there.
    fn parallel(
        &self,
        model: &Net<B>,
        imgs: &[&crate::image::RgbImage],
        targets: &[usize],
        devices: &[B::Device],
    ) -> Result<ShardOut, BagNetError> {
        // a batch is never empty, so there is a first shard
        let parts = ranges(imgs.len(), devices.len());
        let weight = |r: &std::ops::Range<usize>| -> f64 {
            match self.class_weights {
                Some(w) => targets[r.clone()].iter().map(|&t| w[t]).sum(),
                None => r.len() as f64,
            }
        };
        let whole: f64 = parts.iter().map(weight).sum();
        let share = |r: &std::ops::Range<usize>| Some(if whole > 0.0 { weight(r) / whole } else { 0.0 });
        let outs: Vec<ShardOut> = std::thread::scope(|s| {
            let others: Vec<_> = parts[1..]
                .iter()
                .zip(&devices[1..])
                .map(|(r, dev)| {
                    let replica = model.clone().fork(dev);
                    let frozen = self.frozen.map(|f| f.clone().fork(dev));
                    let (imgs, targets, share) = (&imgs[r.clone()], &targets[r.clone()], share(r));
                    s.spawn(move || self.shard(&replica, frozen.as_ref(), imgs, targets, share, dev))
                })
                .collect();
            let r = &parts[0];
            let first = (&imgs[r.clone()], &targets[r.clone()]);
            let mut outs = vec![self.shard(model, self.frozen, first.0, first.1, share(r), &devices[0])];
            for (k, h) in others.into_iter().enumerate() {
                outs.push(h.join().map_err(|p| {
                    let why = p
                        .downcast_ref::<&str>()
                        .map(|m| m.to_string())
                        .or_else(|| p.downcast_ref::<String>().cloned())
                        .unwrap_or_default();
                    BagNetError::Data(format!(
                        "the training step on device {} of the set failed: {why}",
                        k + 2
                    ))
                })?);
            }
            Ok::<_, BagNetError>(outs)
        })?;
        let mut acc = GradientsAccumulator::<Net<B>>::new();
        let (mut total, mut main) = (0.0, 0.0);
        for o in outs {
            acc.accumulate(model, o.grads.to_device(&devices[0], model));
            total += o.total;
            main += o.main;
        }
        Ok(ShardOut {
            grads: acc.grads(),
            total,
            main,
        })
    }
}
