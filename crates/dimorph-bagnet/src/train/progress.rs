//! How a training run reports its progress: the caller passes a [`TrainProgress`] (the command line
//! draws a bar on standard error; a notebook might update a widget); the engine itself prints
//! nothing.

use super::state::{EpochRecord, Phase};

/// Receives the progress of a training run. Every method does nothing by default.
pub trait TrainProgress {
    /// Epoch `epoch` (1-based) of `total` begins; it has `batches` steps.
    fn epoch_started(&mut self, epoch: usize, total: usize, phase: Phase, batches: usize) {
        let _ = (epoch, total, phase, batches);
    }
    /// Step `batch` (1-based) of the epoch is done; `mean_loss` is the epoch's mean loss so far.
    fn batch_done(&mut self, batch: usize, mean_loss: f64) {
        let _ = (batch, mean_loss);
    }
    /// The epoch is done and validated (its checkpoint is written next).
    fn epoch_done(&mut self, record: &EpochRecord) {
        let _ = record;
    }
    /// After each epoch: what the image loader has done so far (throughput, cache hits).
    fn loader(&mut self, stats: &crate::loader::LoaderStats) {
        let _ = stats;
    }
}

/// No progress reports.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl TrainProgress for Silent {}
