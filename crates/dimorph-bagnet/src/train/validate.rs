//! Validation after each epoch, and prediction in inference mode: image logits, the decision
//! (logit > 0 for two classes, the largest logit otherwise) and the epoch's validation figures.

use burn::module::AutodiffModule;
use burn::tensor::Tensor;

use super::loss::mean_loss;
use super::state::{EpochRecord, Phase};
use crate::backend::{BagnetAutodiff, BagnetBackend};
use crate::data::{self, Dataset};
use crate::net::{ImageClassifier, Net};
use crate::BagNetError;

/// Image logits for the images `idx` of `ds`, in inference mode (the images streamed by the
/// loader's threads). On a backend that autotunes per shape ([`BagnetBackend::PAD_LAST_BATCH`],
/// the GPU) a last short batch is padded to `batch` with blank images whose logits are dropped.
pub fn predict<B: BagnetBackend, M: ImageClassifier<B>>(
    model: &M,
    ds: &Dataset,
    idx: &[usize],
    batch: usize,
    device: &B::Device,
) -> Result<Vec<Vec<f64>>, BagNetError> {
    predict_padded(model, ds, idx, batch, device, B::PAD_LAST_BATCH)
}

/// [`predict`], padding a last short batch when `pad`: in inference mode each image's logits do
/// not depend on the other images of its batch, so the padding changes no logit, only the shape the
/// kernels see (one batch shape for the whole pass, instead of a second one that CubeCL would
/// compile and autotune anew).
pub fn predict_padded<B: BagnetBackend, M: ImageClassifier<B>>(
    model: &M,
    ds: &Dataset,
    idx: &[usize],
    batch: usize,
    device: &B::Device,
    pad: bool,
) -> Result<Vec<Vec<f64>>, BagNetError> {
    let mut out = Vec::with_capacity(idx.len());
    for images in ds.images.stream_plain(idx, batch) {
        let images = images?;
        let imgs: Vec<_> = images.iter().collect();
        let n = imgs.len();
        let mut x = data::to_tensor::<B>(&imgs, device);
        if pad && n < batch {
            let [_, c, h, w] = x.dims();
            x = Tensor::cat(vec![x, Tensor::zeros([batch - n, c, h, w], device)], 0);
        }
        let logits = model.image_logits(x);
        let [_, k] = logits.dims();
        let v = logits.into_data().convert::<f32>().to_vec::<f32>().unwrap_or_default();
        for r in 0..n {
            out.push((0..k).map(|c| v[r * k + c] as f64).collect());
        }
    }
    Ok(out)
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

/// What an epoch is validated on.
pub struct Validation<'a> {
    pub ds: &'a Dataset,
    /// The validation images and their classes.
    pub idx: &'a [usize],
    pub targets: &'a [usize],
    /// Images per forward pass.
    pub batch: usize,
    /// Seed of the AUC's bootstrap.
    pub seed: u64,
}

/// The record of epoch `epoch` (0-based): its training loss and the validation loss, accuracy and
/// AUC of `model` in inference mode.
pub fn validate<B: BagnetAutodiff>(
    model: &Net<B>,
    v: &Validation,
    epoch: usize,
    phase: Phase,
    train_loss: f64,
    device: &B::Device,
) -> Result<EpochRecord, BagNetError> {
    let inner = model.valid();
    let logits = predict(&inner, v.ds, v.idx, v.batch, device)?;
    let (pred, score): (Vec<usize>, Vec<f64>) = logits.iter().map(|z| decide(z)).unzip();
    let n_classes = v.ds.classes.len();
    let m = crate::metrics::set_metrics("validation", &score, &pred, v.targets, n_classes, v.seed);
    Ok(EpochRecord {
        epoch: epoch + 1,
        phase,
        train_loss,
        val_loss: mean_loss(&logits, v.targets),
        val_accuracy: m.accuracy,
        val_auc: m.auc,
        lr: None,
    })
}
