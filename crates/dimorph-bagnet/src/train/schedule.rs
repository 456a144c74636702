//! The learning rate of each step: a linear warm-up over the first `warmup_epochs` epochs (from
//! lr/w to lr over w steps), then constant or half a cosine from lr towards 0 at the end of the run
//! (Loshchilov & Hutter 2017, SGDR, without restarts; Goyal et al. 2017 for the warm-up). It depends
//! only on the step's number, so a resumed run continues the same schedule.

use crate::options::{Schedule, TrainOptions};

/// The learning rate of step `step` (0-based, counted over the whole run) of a run with
/// `steps_per_epoch` steps per epoch.
pub fn lr_at(opt: &TrainOptions, step: usize, steps_per_epoch: usize) -> f64 {
    let total = (opt.head_epochs + opt.epochs) * steps_per_epoch;
    let warm = (opt.warmup_epochs * steps_per_epoch).min(total);
    if step < warm {
        return opt.lr * (step + 1) as f64 / warm as f64;
    }
    match opt.schedule {
        Schedule::Constant => opt.lr,
        Schedule::Cosine => {
            let span = total.saturating_sub(warm).max(1) as f64;
            let t = ((step - warm) as f64 / span).min(1.0);
            0.5 * opt.lr * (1.0 + (std::f64::consts::PI * t).cos())
        }
    }
}

#[cfg(test)]
mod tests {
    // Named through the crate: `super` in a file of a folder reads as the folder's module.
    use crate::options::{Schedule, TrainOptions};
    use crate::train::schedule::lr_at;

    #[test]
    fn warm_up_then_cosine() {
        let opt = TrainOptions {
            lr: 0.1,
            head_epochs: 0,
            epochs: 5,
            warmup_epochs: 1,
            schedule: Schedule::Cosine,
            ..Default::default()
        };
        // 4 steps per epoch: warm-up 0.025, 0.05, 0.075, 0.1; cosine over the 16 steps after.
        let lr: Vec<f64> = (0..20).map(|s| lr_at(&opt, s, 4)).collect();
        for (k, want) in [0.025, 0.05, 0.075, 0.1].iter().enumerate() {
            assert!((lr[k] - want).abs() < 1e-15);
        }
        assert!((lr[4] - 0.1).abs() < 1e-15);
        // Half-way through the cosine (step 4 + 8): lr / 2.
        assert!((lr[12] - 0.05).abs() < 1e-15);
        assert!(lr.windows(2).skip(4).all(|w| w[1] < w[0]));
        let constant = TrainOptions {
            schedule: Schedule::Constant,
            warmup_epochs: 0,
            ..opt
        };
        assert!((0..20).all(|s| lr_at(&constant, s, 4) == 0.1));
    }
}
