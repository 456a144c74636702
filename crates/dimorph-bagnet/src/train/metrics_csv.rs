//! `metrics.csv` in the run's folder, beside the checkpoints, rewritten after every epoch: one row
//! per epoch with its phase, training loss, validation loss, accuracy and AUC, and learning rate
//! (NA where a figure does not exist: the AUC of more than two classes, the learning rate of runs
//! saved before schedules existed).

use std::path::Path;

use super::state::EpochRecord;
use crate::BagNetError;
use dimorph_core::output::{write_atomic, Overwrite};

/// The CSV text of the history.
pub fn text(history: &[EpochRecord]) -> String {
    let opt = |v: Option<f64>| v.map_or("NA".to_string(), |x| x.to_string());
    let mut s = String::from("epoch,phase,train_loss,val_loss,val_accuracy,val_auc,lr\n");
    for h in history {
        s.push_str(&format!(
            "{},{},{},{},{},{},{}\n",
            h.epoch,
            h.phase.name(),
            h.train_loss,
            h.val_loss,
            h.val_accuracy,
            opt(h.val_auc),
            opt(h.lr)
        ));
    }
    s
}

/// Write `metrics.csv` into the run's folder `out`.
pub fn write(out: &Path, history: &[EpochRecord]) -> Result<(), BagNetError> {
    write_atomic(&out.join("metrics.csv"), text(history).as_bytes(), Overwrite::Replace)?;
    Ok(())
}
