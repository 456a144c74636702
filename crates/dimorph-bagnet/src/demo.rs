//! The `dimorph demo` part of the BagNet engine: a small BagNet trained on the CPU on synthetic
//! fundus images whose class evidence was planted at the optic disc (stripes, male) or the macula
//! (spots, female); the evaluation in the layout of the paper's Table 1 and a check that the
//! strongest evidence lies where the classes differ.

use std::path::Path;

use dimorph_report::{Outcome, Section};
use serde::Serialize;

use crate::checkpoint::load_model;
use crate::evidence::figure3;
use crate::evidence::render::short;
use crate::evidence::{self, MapJob};
use crate::model::Arch;
use crate::options::{ExplainOptions, OptimKind, Schedule, SynthOptions, TrainOptions};
use crate::pipeline::{self, EvalResult, ExplainResult, ExplainSet};
use crate::synth;
use crate::train::{self, Silent};
use crate::BagNetError;

/// Options of the demo run (small enough for a CPU in two to three minutes). The same configuration
/// with training seeds 1 to 6 reached test AUC 1.000 each time, with the strongest patch of 83–100 %
/// of the test images in the planted regions (`examples/accept_probe.rs`).
pub fn demo_options() -> (SynthOptions, TrainOptions) {
    let size = 64;
    (
        SynthOptions {
            n: 240,
            size,
            effect: 0.35,
            seed: 3,
        },
        TrainOptions {
            arch: Arch::BagNet17,
            width: 0.125,
            size,
            batch: 16,
            lr: 0.003,
            // From random weights a head-only epoch (backbone frozen, batch norm in inference
            // mode) teaches nothing: all layers from the start, with the default warm-up, cosine
            // schedule and weight decay.
            head_epochs: 0,
            epochs: 21,
            optimizer: OptimKind::Adam,
            weight_decay: 0.0,
            warmup_epochs: 0,
            schedule: Schedule::Constant,
            ..Default::default()
        },
    )
}

/// What the demo run found.
#[derive(Debug, Clone, Serialize)]
pub struct DemoResult {
    pub synth: SynthOptions,
    pub train: TrainOptions,
    /// 1-based.
    pub best_epoch: Option<usize>,
    pub eval: EvalResult,
    pub explain: ExplainResult,
    /// Evidence threshold t: the 90th percentile of |patch logit| over the test maps.
    pub threshold: f64,
    /// Display clip: the 99th percentile of |patch logit|.
    pub clip: f64,
}

/// The demo run with its report: a short summary (the headline figures) and the full report
/// sections with the ROC and density figures. The data are generated, so `data_dir` is not read.
pub fn run(data_dir: &Path) -> Result<Outcome<DemoResult>, BagNetError> {
    let _ = data_dir;
    let (so, to) = demo_options();
    let (r, figures) = run_parts(so, to)?;
    let mut o = Outcome::new(r);
    o.summary = summary(&o.result);
    o.sections.push(report(&o.result, figures));
    Ok(o)
}

/// Train, evaluate and explain with other options (the acceptance probe varies the training seed).
pub fn run_with(so: SynthOptions, to: TrainOptions) -> Result<DemoResult, BagNetError> {
    Ok(run_parts(so, to)?.0)
}

/// The ROC curves and the paper's Figures 2–4, for the report.
struct Figures {
    roc: Option<String>,
    /// Figure 2: typical maps, averaged maps and averaged images.
    figure2: Option<String>,
    /// Figure 3: the t-SNE of patch features with the clusters' exemplars.
    figure3: Option<String>,
    /// Figure 4: (file name, SVG) of the two density plots.
    kde: Vec<(String, String)>,
}

/// Train on synthetic images in a temporary folder (removed afterwards, also on a panic), evaluate
/// the best epoch on every set and explain the test set.
fn run_parts(so: SynthOptions, to: TrainOptions) -> Result<(DemoResult, Figures), BagNetError> {
    let ds = synth::dataset(&so);
    let dir = dimorph_core::scratch::ScratchDir::new("dimorph-bagnet-demo")
        .map_err(|e| BagNetError::file(std::env::temp_dir(), format!("cannot make the demo's folder: {e}")))?;
    explain_run(&ds, &so, &to, &dir)
}

fn explain_run(
    ds: &crate::data::Dataset,
    so: &SynthOptions,
    to: &TrainOptions,
    dir: &Path,
) -> Result<(DemoResult, Figures), BagNetError> {
    let run = dir.join("run");
    let tr = train::train::<crate::CpuTrain>(ds, to, &run, false, &mut Silent, &Default::default())?;
    let device = Default::default();
    let (model, meta) = load_model::<crate::Cpu>(&run.join("best"), &device)?;
    let sets = pipeline::sets_for(&run.join("best"), ds);
    let test = sets
        .iter()
        .find(|(name, _)| name == "test")
        .map(|(_, idx)| idx.clone())
        .ok_or_else(|| BagNetError::Data("the demo run has no test set".into()))?;
    let ev = pipeline::eval_model(&model, &meta, ds, &sets, &device)?;
    // Logits of a small model trained briefly are small: threshold and clip are the 90th and 99th
    // percentiles of |patch logit| over the test maps.
    let job = MapJob {
        ds,
        idx: &test,
        q: meta.config.arch.q(),
        threshold: 0.0,
        batch: 16,
    };
    let maps = evidence::compute(&model, &job, None, &device)?;
    let mut abs: Vec<f64> = maps.iter().flat_map(|e| e.map.iter().map(|v| v.abs())).collect();
    abs.sort_by(f64::total_cmp);
    let mut ex = ExplainOptions {
        clip: 1.0,
        threshold: 0.5,
        max_images: 8,
        features: false,
        tsne: true,
        ..Default::default()
    };
    if let Some(&q99) = abs.get(abs.len() * 99 / 100) {
        ex.clip = q99.max(1e-6);
        ex.threshold = abs[abs.len() * 9 / 10];
    }
    let set = ExplainSet {
        ds,
        name: "test",
        idx: &test,
    };
    let xo = pipeline::explain_model(&model, &meta, &set, &ex, None, &device)?;
    let svg = |f: &dimorph_core::OutputFile| (f.name.clone(), String::from_utf8_lossy(&f.bytes).into_owned());
    let kde = xo
        .files
        .iter()
        .filter(|f| f.name.starts_with("kde_"))
        .map(svg)
        .collect();
    let figure2 = xo.files.iter().find(|f| f.name == "figure2.svg").map(|f| svg(f).1);
    let figures = Figures {
        roc: ev.roc_svg.clone(),
        figure2,
        figure3: xo.files.iter().find(|f| f.name == "figure3.svg").map(|f| svg(f).1),
        kde,
    };
    let r = DemoResult {
        synth: so.clone(),
        train: to.clone(),
        best_epoch: tr.best_epoch,
        eval: ev,
        explain: xo.result,
        threshold: ex.threshold,
        clip: ex.clip,
    };
    Ok((r, figures))
}

/// The headline figures for a terminal.
fn summary(r: &DemoResult) -> Vec<String> {
    let (so, to) = (&r.synth, &r.train);
    let mut lines = vec![format!(
        "{} at width {} on {} synthetic {}x{} fundus images; best epoch {} of {}",
        to.arch.name(),
        to.width,
        so.n,
        so.size,
        so.size,
        r.best_epoch.unwrap_or(0),
        to.head_epochs + to.epochs
    )];
    lines.extend(r.eval.sets.iter().map(pipeline::set_line));
    if let Some(h) = r.explain.top_patches_in_planted {
        // Two different fractions (README, "Demo"): keep their wording apart.
        lines.push(format!(
            "pooled: of the {n} strongest-evidence patches over all {n} test images, {:.1}% lie in the planted regions{}",
            100.0 * h,
            pipeline::chance_text(r.explain.planted_chance),
            n = r.explain.n
        ));
    }
    if let Some(h) = r.explain.strongest_in_planted {
        lines.push(format!(
            "per image: each test image's own strongest patch lies in the planted regions in {:.1}% of images{}",
            100.0 * h,
            pipeline::chance_text(r.explain.planted_chance)
        ));
    }
    if let Some(f) = &r.explain.figure3 {
        lines.push(figure3::summary_line(f));
    }
    lines
}

/// The full report: the setup, the evaluation (Table 1 layout, ROC curves), the evidence
/// statistics and the density plots.
fn report(r: &DemoResult, figures: Figures) -> Section {
    let (so, to) = (&r.synth, &r.train);
    let mut s = Section::new("BagNet patch evidence on synthetic fundus images (Ilanchezian et al. 2021)");
    s.text(format!(
        "{} synthetic {}x{} fundus images (2 eyes per subject; a texture of amplitude {} planted over the optic disc \
         for 'male' (stripes) and over the macula for 'female' (spots)), subject-level split 75/10/15. A {} at width {} \
         was trained on the CPU: {} head epochs then {} epochs of all layers (Adam, lr {}, batch {}, weight decay {}, \
         {} warm-up epoch(s), {} schedule, batch-norm statistics recomputed after each epoch), best epoch {} by \
         validation AUC.",
        so.n,
        so.size,
        so.size,
        so.effect,
        to.arch.name(),
        to.width,
        to.head_epochs,
        to.epochs,
        to.lr,
        to.batch,
        to.weight_decay,
        to.warmup_epochs,
        to.schedule.name(),
        r.best_epoch.unwrap_or(0)
    ));
    s.extend(pipeline::eval_section(&r.eval));
    if let Some(svg) = &figures.roc {
        s.figure("ROC curves of the training, validation and test sets", svg.clone());
    }
    s.extend(pipeline::explain_section(&r.explain));
    s.text(format!(
        "Evidence threshold t and display clip are the 90th and 99th percentiles of |patch logit| ({}, {}); \
         the paper's t = 50 and clip 75 fit a full BagNet-33 trained on UK Biobank. In every figure red is evidence \
         for 'male' (the positive class) and blue for 'female', and each class is drawn in that colour.",
        short(r.threshold, 4),
        short(r.clip, 4)
    ));
    figure_blocks(&mut s, r, figures);
    s
}

/// The paper's Figures 2–4 with their captions.
fn figure_blocks(s: &mut Section, r: &DemoResult, figures: Figures) {
    if let Some(svg) = figures.figure2 {
        s.figure(
            format!(
                "Figure 2. Evidence maps: (a) a typical correctly classified test image of each class beside its map \
                 (patch logits clipped to ±{}); (b) the average maps of the correctly classified test images of each \
                 class, on one common scale; (c) the average images of the same images (alike: the classes differ \
                 in texture, not in where the optic disc and macula lie).",
                short(r.clip, 3)
            ),
            svg,
        );
    }
    if let (Some(svg), Some(f)) = (figures.figure3, &r.explain.figure3) {
        s.figure(
            format!(
                "Figure 3. t-SNE of {} patches of {} correctly classified test images (uniform affinities over 15 \
                 neighbours, kernel alpha 0.5), coloured by patch logit (the colour is the evidence, not the image's \
                 label). Clusters a, b: the highest mean logit (male evidence); c, d: the lowest (female evidence); \
                 for each, two exemplar patches of high evidence from each class's images and the fraction of its \
                 patches from each class.",
                f.patches, f.images
            ),
            svg,
        );
    }
    for (name, svg) in figures.kde {
        let t = short(r.threshold, 4);
        let caption = if name.contains("positive") {
            format!(
                "Figure 4a. Evidence for 'male': fraction of patches with logit above {t} against the largest patch \
                 logit, kernel density by class (male red, female blue), correctly classified test images."
            )
        } else {
            format!(
                "Figure 4b. Evidence for 'female': fraction of patches with logit below -{t} against |smallest patch \
                 logit|, kernel density by class (male red, female blue), correctly classified test images."
            )
        };
        s.figure(caption, svg);
    }
}

/// The demo as one report section (what `dimorph demo` printed before it used [`run`]).
pub fn section(data_dir: &Path) -> Result<Section, BagNetError> {
    Ok(run(data_dir)?.sections.into_iter().next().unwrap_or_default())
}
