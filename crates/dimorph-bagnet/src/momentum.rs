//! The momentum of the batch-norm running statistics, and the "precise" statistics of
//! calibration: inside [`with_cumulative_statistics`] the running mean and variance become the
//! cumulative mean over the calibration batches instead of an exponential average.
//!
//! The setting is scoped to the calling thread and to the closure (it is reset when the closure
//! returns or panics), so that the layer forwards need no extra argument and nothing outlives the
//! calibration step.

std::thread_local! {
    static CALIBRATION_STEP: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
}

/// The momentum of a running-statistics update: `momentum`, or 1/(step + 1) inside
/// [`with_cumulative_statistics`].
pub fn running_momentum(momentum: f64) -> f64 {
    CALIBRATION_STEP
        .with(|c| c.get())
        .map_or(momentum, |k| 1.0 / (k as f64 + 1.0))
}

/// Resets the calibration step when dropped (also on a panic inside the closure).
struct Reset;

impl Drop for Reset {
    fn drop(&mut self) {
        CALIBRATION_STEP.with(|c| c.set(None));
    }
}

/// Run `f` (forward passes under autodiff on the `step`-th calibration batch, counting from 0) with
/// every batch norm's momentum set to 1/(step + 1), so that after the last batch the running mean and
/// variance are the averages of the batch statistics over all calibration batches, taken with the
/// current weights ("precise" batch-norm statistics). Exponential running averages lag behind weights
/// that change quickly, as in a short training run, and then shift every logit at inference.
pub fn with_cumulative_statistics<R>(step: usize, f: impl FnOnce() -> R) -> R {
    CALIBRATION_STEP.with(|c| c.set(Some(step)));
    let _reset = Reset;
    f()
}
