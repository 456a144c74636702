//! `explain`: native patch evidence of the test set (paper §3.3, Fig. 2 and 4): the evidence maps,
//! their statistics by class, the planted-region check on synthetic data, the figures, and
//! optionally every patch's feature vector for the embedding engine (§3.4).

use std::path::{Path, PathBuf};

use dimorph_core::text::decimals;
use dimorph_core::Overwrite;
use dimorph_report::{Outcome, Section, Table};
use serde::Serialize;

use super::common::{fit_warning, loader_notes, read_dataset_in, run_cache, run_sets, skipped_warnings, RunSets};
use super::device::{on_device, probe};
use crate::backend::BagnetBackend;
use crate::checkpoint::{load_model, ModelMeta};
use crate::data::{Dataset, OnBadImage};
use crate::evidence::figure3::{self, Figure3Summary};
use crate::evidence::{self, figures, stats, FeatureWriter, ImageEvidence, MapJob, StatComparison};
use crate::model::BagNet;
use crate::options::{DeviceKind, ExplainOptions};
use crate::BagNetError;

/// Result of `explain`.
#[derive(Debug, Clone, Serialize)]
pub struct ExplainResult {
    /// The set explained ("test" of the run's split, else "all").
    pub set: String,
    /// Images explained.
    pub n: usize,
    pub threshold: f64,
    pub clip: f64,
    /// Evidence statistics by class with Cohen's d (two classes).
    pub statistics: Vec<StatComparison>,
    /// Fraction of images whose strongest patch for their true class overlaps the planted region
    /// (synthetic data).
    pub strongest_in_planted: Option<f64>,
    /// Of the n patches with the strongest evidence towards their image's true class over all n
    /// images, the fraction whose window overlaps its image's planted regions (synthetic data).
    pub top_patches_in_planted: Option<f64>,
    /// The chance level of both figures above: the fraction of patches whose window overlaps its
    /// image's planted regions (averaged over the images), i.e. what patches picked at random
    /// would score. A model is localising only well above it.
    pub planted_chance: Option<f64>,
    /// The patch-feature table (`features.csv` or `features.parquet`), when written.
    pub features_csv: Option<PathBuf>,
    /// Figure 3 (with `tsne`): the patches embedded and the chosen clusters (points, class
    /// fractions, mean logit, exemplars); None without `tsne` or with too few patches.
    pub figure3: Option<Figure3Summary>,
    pub images: Vec<ImageEvidence>,
    /// What the image loader did (cache hits, throughput; in the summary, not the JSON result).
    #[serde(skip)]
    pub loader: crate::loader::LoaderStats,
}

/// The images one explanation covers.
pub struct ExplainSet<'a> {
    pub ds: &'a Dataset,
    /// "test", "all", …
    pub name: &'a str,
    /// Indices into `ds`.
    pub idx: &'a [usize],
}

/// `bagnet explain`: the model in `model_dir` on the test set of its run (all images listed in
/// `labels` when the run is unknown). With `opt.features`, `features.csv` is written into
/// `features_dir` as it is computed (refused without a folder).
pub fn run_explain(
    model_dir: &Path,
    images: &Path,
    labels: &Path,
    opt: &ExplainOptions,
    features_dir: Option<(&Path, Overwrite)>,
) -> Result<Outcome<ExplainResult>, BagNetError> {
    opt.validate()?;
    // The device first: one that cannot run leaves no output or image cache behind.
    let device = probe(opt.read.device)?;
    if opt.features && features_dir.is_none() {
        return Err(BagNetError::Arg(
            "--features: needs --out DIR (the patch features are written there as they are computed)".into(),
        ));
    }
    let features_dir = features_dir.filter(|_| opt.features);
    let mut o = on_device!(device, opt.read.precision, inference, |B, dev| {
        explain_on::<B>(model_dir, images, labels, opt, features_dir, &dev)
    })?;
    o.warnings.extend(device.notes());
    Ok(o)
}

/// Evidence maps, averages, statistics and (optionally) features of the test set (all images when
/// the run's split is unknown), written into `out` (files of the same names are replaced).
pub fn explain(
    model_dir: &Path,
    images: &Path,
    labels: &Path,
    on_bad: OnBadImage,
    opt: &ExplainOptions,
    out: &Path,
    device: DeviceKind,
) -> Result<ExplainResult, BagNetError> {
    let mut opt = opt.clone();
    opt.read.on_bad_image = on_bad;
    opt.read.device = device;
    let o = run_explain(model_dir, images, labels, &opt, Some((out, Overwrite::Replace)))?;
    dimorph_core::output::write_all(out, &o.all_files(), Overwrite::Replace)?;
    Ok(o.result)
}

fn explain_on<B: BagnetBackend>(
    model_dir: &Path,
    images: &Path,
    labels: &Path,
    opt: &ExplainOptions,
    features_dir: Option<(&Path, Overwrite)>,
    device: &B::Device,
) -> Result<Outcome<ExplainResult>, BagNetError> {
    let (model, meta) = load_model::<B>(model_dir, device)?;
    let cache = run_cache(model_dir);
    let ds = read_dataset_in(
        images,
        labels,
        Some(&meta.classes),
        (meta.size, meta.mask),
        &opt.read,
        cache.as_deref(),
    )?;
    let RunSets { sets, warning } = run_sets(model_dir, &ds, None);
    // The run's test set; else every image ("all": a set the run never saw).
    let (name, idx) = sets
        .iter()
        .find(|s| s.0 == "test")
        .or(sets.last())
        .cloned()
        .unwrap_or_default();
    let mut features = match features_dir {
        Some((dir, overwrite)) => Some(FeatureWriter::create_as(
            dir,
            meta.config.feature_dim(),
            overwrite,
            opt.features_format,
        )?),
        None => None,
    };
    let set = ExplainSet {
        ds: &ds,
        name: &name,
        idx: &idx,
    };
    let mut o = explain_model(&model, &meta, &set, opt, features.as_mut(), device)?;
    if let Some(f) = features {
        o.result.features_csv = Some(f.finish()?);
    }
    o.warnings = skipped_warnings(&ds.skipped);
    let (line, warnings) = loader_notes(&ds);
    o.result.loader = ds.images.stats();
    o.summary.push(line);
    o.warnings.extend(warnings);
    o.warnings.extend(fit_warning(model_dir.parent(), opt.read.fit));
    o.warnings.extend(warning);
    Ok(o)
}

/// Of the patches with the strongest evidence towards their image's own class (as many as there
/// are images with planted regions), the fraction inside the planted regions.
fn top_patches_in_planted(ds: &Dataset, ev: &[ImageEvidence], n_classes: usize, q: usize, n: usize) -> Option<f64> {
    let mut strongest: Vec<(f64, bool)> = Vec::new();
    for e in ev {
        let planted = &ds.rows[e.index].planted;
        if !planted.is_empty() {
            // Evidence towards the image's true class: the logit, negated for the negative class.
            let sign = if n_classes == 2 && e.target == 0 { -1.0 } else { 1.0 };
            for (p, v) in e.map.iter().enumerate() {
                strongest.push((
                    sign * v,
                    evidence::in_planted(planted, ds.scales[e.index], p / e.side, p % e.side, q),
                ));
            }
        }
    }
    strongest.sort_by(|a, b| b.0.total_cmp(&a.0));
    strongest.truncate(n);
    (!strongest.is_empty()).then(|| strongest.iter().filter(|h| h.1).count() as f64 / strongest.len() as f64)
}

/// The chance level of the planted-region figures: the mean over images with planted regions of the
/// fraction of their patches whose q×q window overlaps them.
fn planted_chance(ds: &Dataset, ev: &[ImageEvidence], q: usize) -> Option<f64> {
    let fractions: Vec<f64> = ev
        .iter()
        .filter(|e| !ds.rows[e.index].planted.is_empty() && !e.map.is_empty())
        .map(|e| {
            let planted = &ds.rows[e.index].planted;
            let hits = (0..e.map.len())
                .filter(|p| evidence::in_planted(planted, ds.scales[e.index], p / e.side, p % e.side, q))
                .count();
            hits as f64 / e.map.len() as f64
        })
        .collect();
    (!fractions.is_empty()).then(|| fractions.iter().sum::<f64>() / fractions.len() as f64)
}

/// Explain a loaded model on the images of `set`; the outcome holds the per-image table
/// `evidence_stats`, the class comparison `evidence_by_class`, and the overlays, averaged maps
/// and density plots as files.
pub fn explain_model<B: BagnetBackend>(
    model: &BagNet<B>,
    meta: &ModelMeta,
    set: &ExplainSet,
    opt: &ExplainOptions,
    features: Option<&mut FeatureWriter>,
    device: &B::Device,
) -> Result<Outcome<ExplainResult>, BagNetError> {
    opt.validate()?;
    let (ds, q) = (set.ds, meta.config.arch.q());
    let job = MapJob {
        ds,
        idx: set.idx,
        q,
        threshold: opt.threshold,
        batch: 16,
    };
    let ev = evidence::compute(model, &job, features, device)?;
    let hits: Vec<bool> = ev.iter().filter_map(|e| e.strongest_in_planted).collect();
    let statistics = if meta.classes.len() == 2 {
        evidence::compare_stats(&ev)
    } else {
        Vec::new()
    };
    let mut files = figures::map_files(ds, &ev, q, opt.clip, opt.max_images)?;
    files.extend(figures::kde_files(&ds.classes, &ev, opt.threshold));
    let figure3 = if opt.tsne {
        let (summary, more) = figure3::files(model, ds, &ev, q, device)?;
        files.extend(more);
        summary
    } else {
        None
    };
    let tables = vec![
        stats::evidence_table(&ev, &ds.classes),
        stats::comparison_table(&statistics),
    ];
    let result = ExplainResult {
        set: set.name.to_string(),
        n: ev.len(),
        threshold: opt.threshold,
        clip: opt.clip,
        statistics,
        strongest_in_planted: (!hits.is_empty())
            .then(|| hits.iter().filter(|&&h| h).count() as f64 / hits.len() as f64),
        top_patches_in_planted: top_patches_in_planted(ds, &ev, meta.classes.len(), q, hits.len()),
        planted_chance: planted_chance(ds, &ev, q),
        features_csv: None,
        figure3,
        images: ev,
        loader: ds.images.stats(),
    };
    let mut o = Outcome::new(result);
    o.summary = explain_summary(&o.result);
    o.sections.push(explain_section(&o.result));
    o.tables = tables;
    o.files = files;
    Ok(o)
}

/// " (chance 45.0%: the share of patches that overlap the planted regions)", or nothing.
pub fn chance_text(chance: Option<f64>) -> String {
    chance.map_or(String::new(), |c| {
        format!(
            " (chance {:.1}%: the share of patches that overlap the planted regions)",
            100.0 * c
        )
    })
}

fn explain_summary(r: &ExplainResult) -> Vec<String> {
    let mut lines = vec![format!("patch evidence of {} images ({} set)", r.n, r.set)];
    let chance = chance_text(r.planted_chance);
    if let Some(h) = r.top_patches_in_planted {
        lines.push(format!(
            "strongest-evidence patches in the planted regions: {:.1}%{chance}",
            100.0 * h
        ));
    }
    if let Some(h) = r.strongest_in_planted {
        lines.push(format!(
            "each image's strongest patch in the planted regions: {:.1}% of images{chance}",
            100.0 * h
        ));
    }
    lines
}

/// The explanation as a section.
pub fn explain_section(r: &ExplainResult) -> Section {
    let mut s = Section::new("BagNet patch evidence");
    let mut t = Table::new(
        format!(
            "Evidence statistics by class ({} set, {} images, t = {})",
            r.set,
            r.n,
            dimorph_report::fmt::sig(r.threshold, 4)
        ),
        &[
            "statistic",
            "mean (negative class)",
            "mean (positive class)",
            "Cohen's d",
        ],
    );
    for c in &r.statistics {
        t.row([
            c.statistic.clone(),
            decimals(c.mean_negative, 4),
            decimals(c.mean_positive, 4),
            c.cohens_d.map_or("undefined".into(), |d| decimals(d, 2)),
        ]);
    }
    if r.statistics.iter().any(|c| c.cohens_d.is_none()) {
        t.note(
            "Cohen's d undefined: the statistic does not vary within the classes (a threshold t beyond every patch?)",
        );
    }
    if let Some(h) = r.top_patches_in_planted {
        t.note(format!(
            "of the {} strongest-evidence patches (towards each image's own class), {:.1}% lie in the planted regions{}",
            r.n,
            100.0 * h,
            chance_text(r.planted_chance)
        ));
    }
    if let Some(h) = r.strongest_in_planted {
        t.note(format!(
            "each image's strongest-evidence patch lies in the planted regions in {:.1}% of images{}",
            100.0 * h,
            chance_text(r.planted_chance)
        ));
    }
    if let Some(p) = &r.features_csv {
        t.note(format!("patch features in {}", p.display()));
    }
    if let Some(f) = &r.figure3 {
        t.note(format!("Figure 3 (figure3.svg): {}", figure3::summary_line(f)));
    }
    s.table(t);
    s
}
