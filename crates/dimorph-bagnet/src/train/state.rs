//! The state of a training run after each epoch (`state.json` in the run's folder, and a copy in
//! each epoch's folder): the options, the classes, the subject-level split, every epoch's figures
//! and the best epoch so far. A damaged `state.json` is recovered from the latest epoch folder.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::checkpoint::read_json;
use crate::options::TrainOptions;
use crate::BagNetError;

/// Which layers an epoch trains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// The head alone (backbone frozen).
    Head,
    /// All layers.
    All,
}

impl Phase {
    /// The phase of epoch `epoch` (0-based) of a run with `head_epochs` head epochs.
    pub fn of(epoch: usize, head_epochs: usize) -> Phase {
        if epoch < head_epochs {
            Phase::Head
        } else {
            Phase::All
        }
    }

    /// "head" or "all".
    pub fn name(self) -> &'static str {
        match self {
            Phase::Head => "head",
            Phase::All => "all",
        }
    }
}

/// One epoch's figures.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EpochRecord {
    /// 1-based.
    pub epoch: usize,
    pub phase: Phase,
    /// Mean training loss over the epoch's steps.
    pub train_loss: f64,
    /// Loss on the validation set with the epoch's final weights (inference mode).
    pub val_loss: f64,
    pub val_accuracy: f64,
    /// Validation ROC AUC (two classes only).
    pub val_auc: Option<f64>,
    /// Learning rate of the epoch's last step (none in runs saved before schedules existed).
    #[serde(default)]
    pub lr: Option<f64>,
}

impl EpochRecord {
    /// What the best epoch is chosen by: validation AUC, else accuracy (more than two classes).
    fn score(&self) -> f64 {
        self.val_auc.unwrap_or(self.val_accuracy)
    }

    /// Whether this epoch beats `best`: a higher score, or (ties are common once the AUC reaches
    /// 1) the same score at a lower validation loss.
    pub fn beats(&self, best: &EpochRecord) -> bool {
        self.score() > best.score() || (self.score() == best.score() && self.val_loss < best.val_loss)
    }
}

/// The run's state after each epoch.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunState {
    pub options: TrainOptions,
    pub classes: Vec<String>,
    /// Image indices of the training, validation and test sets (into the images as this
    /// invocation read them; recomputed from [`Self::split_ids`] on resume).
    pub split: [Vec<usize>; 3],
    /// The same sets by image identity (path in the label CSV and subject): what eval, explain
    /// and resume match images by (none in runs saved before identities were stored).
    #[serde(default)]
    pub split_ids: Option<[Vec<crate::sets::ImageId>; 3]>,
    pub history: Vec<EpochRecord>,
    /// 1-based.
    pub best_epoch: Option<usize>,
}

impl RunState {
    /// Whether `record` is the best epoch so far.
    pub fn is_best(&self, record: &EpochRecord) -> bool {
        match self.best_epoch {
            None => true,
            Some(b) => record.beats(&self.history[b - 1]),
        }
    }

    /// Whether `record` becomes the best epoch when only epochs from `best_from` on (1-based,
    /// `--best-from`; the paper: the best of all-layer epochs 95–100) can be the best. A best epoch
    /// before the window (chosen by a run resumed with a later `--best-from`) does not count.
    pub fn is_best_in_window(&self, record: &EpochRecord, best_from: Option<usize>) -> bool {
        best_from.is_none_or(|b| record.epoch >= b)
            && self
                .best_in_window(best_from)
                .is_none_or(|b| record.beats(&self.history[b - 1]))
    }

    /// The best epoch so far if it lies inside the window of `best_from`.
    fn best_in_window(&self, best_from: Option<usize>) -> Option<usize> {
        self.best_epoch.filter(|&e| best_from.is_none_or(|b| e >= b))
    }

    /// Whether early stopping ends the run after the epochs in [`Self::history`]: `patience`
    /// epochs have passed since the best epoch (or, before the window of `best_from` holds a best
    /// epoch, since the window opened) without a better one. Never without `patience`.
    pub fn patience_over(&self, patience: Option<usize>, best_from: Option<usize>) -> bool {
        let Some(p) = patience else {
            return false;
        };
        let last = self.history.len();
        let since = self
            .best_in_window(best_from)
            .unwrap_or(best_from.map_or(0, |b| b.saturating_sub(1)));
        last >= since + p && last > since
    }
}

/// The epoch folders `epoch-NNN` of the run in `out`, latest first.
pub fn epoch_folders(out: &Path) -> Vec<(usize, PathBuf)> {
    let mut v: Vec<(usize, PathBuf)> = std::fs::read_dir(out)
        .into_iter()
        .flatten()
        .filter_map(|e| {
            let e = e.ok()?;
            let n = e.file_name().to_str()?.strip_prefix("epoch-")?.parse().ok()?;
            e.path().is_dir().then(|| (n, e.path()))
        })
        .collect();
    v.sort_by_key(|e| std::cmp::Reverse(e.0));
    v
}

impl RunState {
    /// Refuses a state that training never writes (a file edited by hand or damaged in a way
    /// JSON still reads), which would otherwise index outside the history or the images, or put
    /// an image in two sets: epochs numbered 1, 2, … in order; the best epoch among them; finite
    /// losses and accuracies and AUCs within [0, 1]; distinct classes; no image in two sets.
    pub fn check(&self) -> Result<(), String> {
        for (k, r) in self.history.iter().enumerate() {
            if r.epoch != k + 1 {
                return Err(format!(
                    "history entry {} is epoch {} (epochs are numbered 1, 2, …)",
                    k + 1,
                    r.epoch
                ));
            }
            let unit = |v: f64| (0.0..=1.0).contains(&v);
            if !(r.train_loss.is_finite()
                && r.val_loss.is_finite()
                && unit(r.val_accuracy)
                && r.val_auc.is_none_or(unit))
                || r.lr.is_some_and(|l| !l.is_finite())
            {
                return Err(format!(
                    "epoch {}: a loss, accuracy, AUC or learning rate out of range",
                    r.epoch
                ));
            }
        }
        if let Some(b) = self.best_epoch.filter(|&b| b == 0 || b > self.history.len()) {
            return Err(format!(
                "best epoch {b}, but the history holds {} epoch(s)",
                self.history.len()
            ));
        }
        let mut classes: Vec<&String> = self.classes.iter().collect();
        classes.sort();
        if classes.is_empty() || classes.windows(2).any(|w| w[0] == w[1]) {
            return Err("the classes are empty or repeated".into());
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(i) = self.split.iter().flatten().find(|&&i| !seen.insert(i)) {
            return Err(format!("image {i} is in the split twice"));
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(id) = self.split_ids.iter().flatten().flatten().find(|&id| !seen.insert(id)) {
            return Err(format!(
                "image '{}' (subject '{}') is in the split twice",
                dimorph_core::text::clip(&id.path),
                dimorph_core::text::clip(&id.subject)
            ));
        }
        Ok(())
    }

    /// Whether `out` holds a run (its `state.json` or an epoch folder).
    pub fn exists(out: &Path) -> bool {
        out.join("state.json").exists() || !epoch_folders(out).is_empty()
    }

    /// The state of the run in `out`: `state.json` or, when that is missing, damaged or
    /// inconsistent ([`Self::check`]; an edited file) or behind, the copy in the latest epoch
    /// folder that holds a readable and consistent one for its epoch.
    pub fn load(out: &Path) -> Result<RunState, BagNetError> {
        let read = |p: &Path| {
            read_json::<RunState>(p).and_then(|s| match s.check() {
                Ok(()) => Ok(s),
                Err(m) => Err(BagNetError::file(p, format!("is not a consistent run state: {m}"))),
            })
        };
        let main = read(&out.join("state.json"));
        let copy = epoch_folders(out)
            .into_iter()
            .find_map(|(n, dir)| read(&dir.join("state.json")).ok().filter(|s| s.history.len() == n));
        match (main, copy) {
            (Ok(m), Some(c)) if c.history.len() > m.history.len() => Ok(c),
            (Ok(m), _) => Ok(m),
            (Err(_), Some(c)) => Ok(c),
            (Err(e), None) => Err(BagNetError::file(
                out.join("state.json"),
                format!(
                    "the run's state cannot be read ({e}) and no epoch folder holds a copy of it; \
                     start the run again with a new --out (or remove {} to reuse the folder)",
                    out.display()
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    // Named through the crate: `super` in a file of a folder reads as the folder's module.
    use crate::options::TrainOptions;
    use crate::train::state::{EpochRecord, Phase, RunState};

    /// Epoch `epoch` (1-based) with validation AUC `auc`.
    fn rec(epoch: usize, auc: f64) -> EpochRecord {
        EpochRecord {
            epoch,
            phase: Phase::All,
            train_loss: 0.5,
            val_loss: 0.5,
            val_accuracy: 0.5,
            val_auc: Some(auc),
            lr: None,
        }
    }

    /// The run's state after epochs with these AUCs, the best chosen as training chooses it;
    /// with the epoch after which early stopping ended it, if it did.
    fn run(aucs: &[f64], patience: Option<usize>, best_from: Option<usize>) -> (RunState, Option<usize>) {
        let mut s = RunState {
            options: TrainOptions::default(),
            classes: vec!["a".into(), "b".into()],
            split: [Vec::new(), Vec::new(), Vec::new()],
            split_ids: None,
            history: Vec::new(),
            best_epoch: None,
        };
        for (i, &auc) in aucs.iter().enumerate() {
            let r = rec(i + 1, auc);
            if s.is_best_in_window(&r, best_from) {
                s.best_epoch = Some(r.epoch);
            }
            s.history.push(r);
            if s.patience_over(patience, best_from) {
                return (s, Some(i + 1));
            }
        }
        (s, None)
    }

    #[test]
    fn early_stopping_waits_patience_epochs_after_the_best() {
        let aucs = [0.6, 0.7, 0.65, 0.68, 0.69, 0.9];
        // Best at epoch 2; epochs 3 and 4 are not better: with patience 2 the run ends after 4.
        let (s, stopped) = run(&aucs, Some(2), None);
        assert_eq!((s.best_epoch, stopped, s.history.len()), (Some(2), Some(4), 4));
        // Patience 4 reaches epoch 6, which is better: the run goes to its end.
        let (s, stopped) = run(&aucs, Some(4), None);
        assert_eq!((s.best_epoch, stopped), (Some(6), None));
        // Without patience, never.
        let (s, stopped) = run(&aucs, None, None);
        assert_eq!((s.best_epoch, stopped), (Some(6), None));
    }

    #[test]
    fn the_best_epoch_is_chosen_inside_the_window_only() {
        // Epoch 2 is the best overall, but the window opens at epoch 4: the best of 4..6 is 5.
        let aucs = [0.6, 0.95, 0.7, 0.8, 0.85, 0.75];
        let (s, stopped) = run(&aucs, None, Some(4));
        assert_eq!((s.best_epoch, stopped), (Some(5), None));
        // Early stopping counts from the window's opening while it holds no best epoch: with
        // patience 1 and the window at 4, epochs 1–3 never stop the run; epoch 4 becomes the best,
        // epoch 5 beats it, epoch 6 does not: the run ends after 6.
        let (s, stopped) = run(&aucs, Some(1), Some(4));
        assert_eq!((s.best_epoch, stopped), (Some(5), Some(6)));
        // A window after the last epoch: no best epoch, and no early stop before it opens.
        let (s, stopped) = run(&aucs, Some(1), Some(10));
        assert_eq!((s.best_epoch, stopped), (None, None));
    }

    #[test]
    fn a_resumed_run_with_a_later_window_forgets_the_best_epoch_before_it() {
        // Three epochs without a window: epoch 2 is the best.
        let (mut s, _) = run(&[0.6, 0.95, 0.7], None, None);
        assert_eq!(s.best_epoch, Some(2));
        // Resumed with --best-from 4 and --patience 1: epoch 4 (AUC 0.8, worse than epoch 2) is the
        // best of the window; the patience counts from it, so a worse epoch 5 ends the run.
        for (i, auc) in [0.8, 0.75].into_iter().enumerate() {
            let r = rec(4 + i, auc);
            if s.is_best_in_window(&r, Some(4)) {
                s.best_epoch = Some(r.epoch);
            }
            s.history.push(r);
        }
        assert_eq!(s.best_epoch, Some(4));
        assert!(s.patience_over(Some(1), Some(4)));
        assert!(!s.patience_over(Some(2), Some(4)));
    }
}
