//! `train`: read the labelled images, train on the chosen backend with checkpoints in the run's
//! folder, and report the epochs (paper §3.2).

use std::path::Path;

use dimorph_core::text::decimals;
use dimorph_core::TidyTable;
use dimorph_report::{Outcome, Section, Table};

use super::common::{fit_warning, loader_notes, read_dataset_in, record_fit, skipped_warnings};
use super::device::{on_device, probe_train, Probed};
use crate::data::Dataset;
use crate::options::{DeviceKind, Precision, TrainOptions, TrainRunOptions};
use crate::train::{self, TrainProgress, TrainResult};
use crate::weights::HeadStatus;
use crate::BagNetError;

/// Train a model (see [`train::train`]) on the chosen device, in the chosen float type (f32 on
/// the CPU).
pub fn train(
    ds: &Dataset,
    opt: &TrainOptions,
    out: &Path,
    resume: bool,
    progress: &mut dyn TrainProgress,
    device: DeviceKind,
    precision: Precision,
) -> Result<TrainResult, BagNetError> {
    train_on(ds, opt, out, resume, progress, (&probe_train(device)?, precision))
}

/// [`train`] on a probed device.
fn train_on(
    ds: &Dataset,
    opt: &TrainOptions,
    out: &Path,
    resume: bool,
    progress: &mut dyn TrainProgress,
    (device, precision): (&Probed, Precision),
) -> Result<TrainResult, BagNetError> {
    on_device!(device, precision, training, |B, _dev, devices| train::train_on::<B>(
        ds, opt, out, resume, progress, &devices
    ))
}

/// `bagnet train`: the images listed in `labels` (paths relative to `images`), trained into the run
/// folder `out` (checkpoints `epoch-NNN/`, the best model `best/`, `state.json`).
pub fn run_train(
    images: &Path,
    labels: &Path,
    out: &Path,
    opt: &TrainRunOptions,
    progress: &mut dyn TrainProgress,
) -> Result<Outcome<TrainResult>, BagNetError> {
    opt.validate()?;
    // The device first: one that cannot run leaves no run folder or image cache behind.
    let device = probe_train(opt.read.device)?;
    if let Some(p) = &opt.train.pretrained {
        // An unreadable weight file stops the run before the images are read.
        crate::weights::inspect(p)?;
    }
    let t = &opt.train;
    // The run folder holds the image cache, made while the images are read; the split's checks
    // come after (they need the images that could be read). A new run refused before its first
    // checkpoint takes away what it made: the folder, or the image cache in a folder of the user's.
    let cache = out.join(super::common::CACHE_FOLDER);
    let made = if out.exists() { cache.clone() } else { out.to_path_buf() };
    let made = (!made.exists()).then_some(made);
    let refit = fit_warning(Some(out), opt.read.fit);
    let tried = read_dataset_in(images, labels, None, (t.size, t.mask), &opt.read, Some(&cache))
        .and_then(|ds| train_on(&ds, t, out, opt.resume, progress, (&device, opt.read.precision)).map(|r| (ds, r)));
    let (ds, r) = tried.inspect_err(|_| {
        if let Some(made) = made.filter(|_| !crate::train::RunState::exists(out)) {
            let _ = std::fs::remove_dir_all(made);
        }
    })?;
    record_fit(out, opt.read.fit)?;
    let mut o = Outcome::new(r);
    o.summary = train_summary(&o.result, t);
    o.warnings = skipped_warnings(&o.result.skipped_images);
    let (line, warnings) = loader_notes(&ds);
    o.summary.push(line);
    o.warnings.extend(warnings);
    o.warnings.extend(crate::data::mixed_subjects_warning(&ds.rows));
    o.warnings.extend(refit);
    o.warnings.extend(t.aux_warning());
    o.warnings.extend(o.result.warnings.iter().cloned());
    o.warnings.extend(device.notes());
    o.sections.push(train_section(&o.result));
    o.tables.push(history_table(&o.result));
    Ok(o)
}

fn train_summary(r: &TrainResult, t: &TrainOptions) -> Vec<String> {
    let mut lines = vec![format!(
        "{} at width {} trained for {} epochs ({} head, {} all layers) into {}",
        t.arch.name(),
        t.width,
        r.history.len(),
        r.history.iter().filter(|h| h.phase == train::Phase::Head).count(),
        r.history.iter().filter(|h| h.phase == train::Phase::All).count(),
        r.out.display()
    )];
    if let Some(b) = r.best_epoch.and_then(|b| r.history.get(b - 1)) {
        lines.push(format!(
            "best epoch {}: val loss {}, val accuracy {:.3}, val AUC {} (model in {})",
            b.epoch,
            decimals(b.val_loss, 4),
            b.val_accuracy,
            b.val_auc.map_or("-".into(), |a| format!("{a:.3}")),
            r.out.join("best").display()
        ));
    }
    lines
}

/// One row per epoch: phase, training loss, validation loss, accuracy and AUC.
pub fn history_table(r: &TrainResult) -> TidyTable {
    let mut t = TidyTable::new(
        "history",
        &["epoch", "phase", "train_loss", "val_loss", "val_accuracy", "val_auc"],
    );
    for h in &r.history {
        t.push(vec![
            h.epoch.into(),
            h.phase.name().into(),
            h.train_loss.into(),
            h.val_loss.into(),
            h.val_accuracy.into(),
            h.val_auc.into(),
        ]);
    }
    t
}

/// The training history as a report section.
pub fn train_section(r: &TrainResult) -> Section {
    let mut s = Section::new("BagNet training");
    let mut t = Table::new(
        "Epochs",
        &["epoch", "phase", "train loss", "val loss", "val accuracy", "val AUC"],
    );
    for h in &r.history {
        t.row([
            h.epoch.to_string(),
            h.phase.name().to_string(),
            decimals(h.train_loss, 4),
            decimals(h.val_loss, 4),
            format!("{:.3}", h.val_accuracy),
            h.val_auc.map_or("-".into(), |a| format!("{a:.3}")),
        ]);
    }
    if let Some(b) = r.best_epoch {
        t.note(format!(
            "best epoch by validation: {b} (saved in {})",
            r.out.join("best").display()
        ));
    }
    if !r.skipped_images.is_empty() {
        t.note(format!("{} unreadable images skipped", r.skipped_images.len()));
    }
    if let Some(p) = &r.pretrained {
        t.note(format!(
            "initial weights from {} ({} tensors){}",
            p.file,
            p.loaded,
            match p.head {
                HeadStatus::Loaded => String::new(),
                HeadStatus::Reinitialised { file_outputs, .. } =>
                    format!("; the file's {file_outputs}-output head was replaced by a freshly initialised one"),
            }
        ));
    }
    s.table(t);
    s
}
