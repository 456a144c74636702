//! One training epoch: the training images in an order drawn from (seed, epoch), each augmented
//! with draws from (seed, epoch, image), in steps of `batch` images; in a head epoch the backbone is
//! frozen (paper §3.2): its features come from the inference-mode copy of the model (batch norm
//! with its running statistics, which stay untouched, as ImageNet weights need) and only the head
//! gets gradients. Inception-v3's auxiliary classifier adds its loss
//! ([`TrainOptions::aux_loss_weight`]) in every epoch: in all-layer epochs the whole classifier
//! trains; in head epochs only its head `AuxLogits.fc`, on the frozen model's pooled features of
//! Mixed_6e (its convolutions and batch norms frozen, in inference mode, like the backbone), as
//! PyTorch's fine-tuning tutorial trains both heads of a frozen Inception-v3 (loss = main + 0.4·aux).

use burn::module::AutodiffModule;
use burn::optim::{GradientsParams, Optimizer};
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
/// learning rate of its last step.
pub fn run_epoch<B: BagnetAutodiff, O: Optimizer<Net<B>, B>>(
    mut model: Net<B>,
    optim: &mut O,
    ds: &Dataset,
    opt: &TrainOptions,
    plan: &EpochPlan,
    progress: &mut dyn TrainProgress,
    device: &B::Device,
) -> Result<(Net<B>, f64, f64), BagNetError> {
    let epoch = plan.epoch;
    let phase = Phase::of(epoch, opt.head_epochs);
    let mut order = plan.train_idx.to_vec();
    SplitMix64::derive(opt.seed, 30, epoch as u64).shuffle(&mut order);
    let n_batches = order.len().div_ceil(opt.batch);
    progress.epoch_started(epoch + 1, plan.total, phase, n_batches);
    let mut loss_sum = 0.0;
    let mut lr = opt.lr;
    // The frozen backbone of a head epoch: the model in inference mode (the head's changes during
    // the epoch do not reach it; the backbone does not change).
    let frozen = (phase == Phase::Head).then(|| model.valid());
    let aux_weight = opt.aux_loss_weight();
    for (b, (chunk, augmented)) in order
        .chunks(opt.batch)
        .zip(batch_stream(ds, &order, opt, epoch))
        .enumerate()
    {
        let augmented = augmented?;
        let refs: Vec<_> = augmented.iter().collect();
        let targets: Vec<usize> = chunk.iter().map(|&i| ds.targets[i]).collect();
        let (logits, aux) = match &frozen {
            // Backbone frozen: features of the inference-mode model (running statistics, none
            // updated), entering the graph as constants, so only the head gets gradients.
            // With Inception-v3's auxiliary loss, its head trains the same way on the frozen
            // auxiliary classifier's pooled features.
            Some(inner) if aux_weight > 0.0 => {
                let x = data::to_tensor::<B::InnerBackend>(&refs, device);
                let (features, aux_pooled) = inner.frozen_features_and_aux(x);
                let aux = aux_pooled.and_then(|p| model.aux_head(Tensor::from_inner(p)));
                (model.pooled_logits(Tensor::from_inner(features)), aux)
            }
            Some(inner) => {
                let x = data::to_tensor::<B::InnerBackend>(&refs, device);
                (model.pooled_logits(Tensor::from_inner(inner.features(x))), None)
            }
            // Inception-v3's auxiliary classifier joins the loss.
            None if aux_weight > 0.0 => model.forward_with_aux(data::to_tensor::<B>(&refs, device)),
            None => (model.forward(data::to_tensor::<B>(&refs, device)), None),
        };
        let with_aux = aux.is_some();
        let (l, main) = objective(logits, aux, &targets, plan.class_weights, aux_weight);
        let total = l.clone().into_scalar().elem::<f64>();
        if !total.is_finite() {
            return Err(BagNetError::Data(format!(
                "the training loss became {total} in epoch {} batch {}; lower --lr",
                epoch + 1,
                b + 1
            )));
        }
        // The reported training loss is the main head's (comparable with the validation loss).
        loss_sum += if with_aux {
            main.into_scalar().elem::<f64>()
        } else {
            total
        };
        let grads = GradientsParams::from_grads(l.backward(), &model);
        lr = lr_at(opt, epoch * n_batches + b, n_batches);
        model = optim.step(lr, model, grads);
        progress.batch_done(b + 1, loss_sum / (b + 1) as f64);
    }
    Ok((model, loss_sum / n_batches.max(1) as f64, lr))
}
