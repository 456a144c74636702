//! "Precise" batch-norm statistics: after each epoch the running mean and variance of every batch
//! norm are set to the mean of the batch statistics over up to `bn_calibration` unaugmented training
//! images, taken with the epoch's final weights (forward passes only). Exponential running averages
//! lag behind weights that change quickly, as in a short training run, and then shift every logit
//! at inference. Every batch norm the images reach is recalibrated: Inception-v3's auxiliary
//! classifier's too, from 299 px (it runs on Mixed_6e's map; [`Net::calibration_pass`]), like the
//! backbone's, so its statistics are those of the epoch's weights as well. With `drop_last`, and on
//! the GPU, the images are taken in whole batches.

use burn::module::Module;

use crate::backend::BagnetAutodiff;
use crate::data::{self, Dataset};
use crate::momentum::with_cumulative_statistics;
use crate::net::Net;
use crate::options::TrainOptions;
use crate::BagNetError;

/// Recompute the running statistics of `model`'s batch norms from the first training images.
pub fn calibrate<B: BagnetAutodiff>(
    model: &Net<B>,
    ds: &Dataset,
    train_idx: &[usize],
    opt: &TrainOptions,
    device: &B::Device,
) -> Result<(), BagNetError> {
    if opt.bn_calibration == 0 {
        return Ok(());
    }
    // burn keeps batch norm's running statistics per thread and averages them when a thread
    // updates twice; data-parallel training (several devices) leaves its other devices' threads'
    // statistics there. Merged now (`into_record` does that), so that none of them enters the
    // calibrated statistics.
    let _ = model.clone().into_record();
    let mut take = train_idx.len().min(opt.bn_calibration);
    // Whole batches only, with --drop-last and on the GPU (where a short batch is another shape to
    // compile and autotune); the images left out are fewer than one batch.
    if (opt.drop_last || B::PAD_LAST_BATCH) && take >= opt.batch {
        take -= take % opt.batch;
    }
    for (k, batch) in ds.images.stream_plain(&train_idx[..take], opt.batch).enumerate() {
        let batch = batch?;
        let imgs: Vec<_> = batch.iter().collect();
        with_cumulative_statistics(k, || {
            model.calibration_pass(data::to_tensor::<B>(&imgs, device).detach())
        });
    }
    Ok(())
}
