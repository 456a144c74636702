//! `dimorph bagnet synth|train|eval|explain|import`: BagNet patch-evidence classification (Ilanchezian et al. 2021).

use super::{write_file, CliError, CliResult, Format};
use dimorph_bagnet::data::OnBadImage;
use dimorph_bagnet::model::Arch;
use dimorph_bagnet::pipeline::{self, DeviceKind, ExplainOptions, ImportOptions};
use dimorph_bagnet::synth::{self, SynthOptions};
use dimorph_bagnet::train::{OptimKind, TrainOptions};
use dimorph_report::Section;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Sub,
}

#[derive(clap::Subcommand)]
pub enum Sub {
    /// Write synthetic fundus images with planted class evidence and labels.csv.
    Synth(SynthArgs),
    /// Train a BagNet (head first, then all layers), a checkpoint every epoch.
    Train(TrainArgs),
    /// Accuracy and ROC AUC (bootstrap CI) on training, validation and test sets; ROC SVG.
    Eval(EvalArgs),
    /// Patch-evidence maps, averaged maps, evidence statistics and patch features.
    Explain(ExplainArgs),
    /// Turn a PyTorch (.pth/.pth.tar/.pt) or safetensors BagNet weight file into a model folder.
    Import(ImportArgs),
}

#[derive(clap::Args)]
pub struct SynthArgs {
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, default_value_t = 2000)]
    pub n: usize,
    #[arg(long, default_value_t = 224)]
    pub size: usize,
    /// Amplitude of the planted texture (pixel noise sd is 0.02).
    #[arg(long, default_value_t = 0.12)]
    pub effect: f64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Device {
    Cpu,
    Cuda,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Optim {
    Sgd,
    Adam,
}

#[derive(clap::Args)]
pub struct DataArgs {
    /// Folder the label CSV's paths are relative to.
    #[arg(long)]
    pub images: PathBuf,
    /// CSV with columns path, subject, label (optional eye, visit).
    #[arg(long)]
    pub labels: PathBuf,
    /// Skip unreadable images (with a count) instead of stopping at the first.
    #[arg(long)]
    pub skip_bad_images: bool,
    #[arg(long, value_enum, default_value_t = Device::Cpu)]
    pub device: Device,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(clap::Args)]
pub struct TrainArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// bagnet9, bagnet17 or bagnet33.
    #[arg(long, default_value = "bagnet33")]
    pub arch: String,
    #[arg(long)]
    pub out: PathBuf,
    /// Width multiplier on all channel counts.
    #[arg(long, default_value_t = 1.0)]
    pub width: f64,
    /// Input side in pixels (images are resized).
    #[arg(long, default_value_t = 224)]
    pub size: usize,
    #[arg(long, default_value_t = 16)]
    pub batch: usize,
    #[arg(long, default_value_t = 0.01)]
    pub lr: f64,
    #[arg(long, value_enum, default_value_t = Optim::Sgd)]
    pub optimizer: Optim,
    #[arg(long, default_value_t = 0.0)]
    pub momentum: f64,
    /// Epochs training the head alone.
    #[arg(long, default_value_t = 10)]
    pub head_epochs: usize,
    /// Epochs fine-tuning all layers.
    #[arg(long, default_value_t = 100)]
    pub epochs: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long)]
    pub no_augment: bool,
    #[arg(long)]
    pub no_mask: bool,
    /// After each epoch, recompute the batch-norm running statistics from up to this many unaugmented
    /// training images with the epoch's final weights (0: keep the running averages of training).
    #[arg(long, default_value_t = 1000)]
    pub bn_calibration: usize,
    /// Continue the run in --out from its last checkpoint.
    #[arg(long)]
    pub resume: bool,
    /// Start from pretrained weights (PyTorch .pth/.pth.tar/.pt or .safetensors, e.g. the
    /// reference ImageNet bagnet8/16/32); a head with another number of outputs is re-initialised.
    #[arg(long)]
    pub pretrained: Option<PathBuf>,
    #[arg(long)]
    pub quiet: bool,
}

#[derive(clap::Args)]
pub struct EvalArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// A saved model folder (e.g. run/best).
    #[arg(long)]
    pub model: PathBuf,
    /// Write the ROC curves here (SVG).
    #[arg(long)]
    pub roc: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    pub data: DataArgs,
    #[arg(long)]
    pub model: PathBuf,
    #[arg(long)]
    pub out: PathBuf,
    /// Clip evidence to ±clip for display (paper: 75).
    #[arg(long, default_value_t = 75.0)]
    pub clip: f64,
    /// Evidence threshold t for the statistics (paper: 50).
    #[arg(long, default_value_t = 50.0)]
    pub threshold: f64,
    /// Number of per-image overlays to write.
    #[arg(long, default_value_t = 50)]
    pub max_images: usize,
    /// Export every patch's feature vector to features.csv.
    #[arg(long)]
    pub features: bool,
}

#[derive(clap::Args)]
pub struct ImportArgs {
    /// PyTorch (.pth, .pth.tar, .pt; zip or legacy) or .safetensors weight file.
    #[arg(long)]
    pub weights: PathBuf,
    /// bagnet9, bagnet17 or bagnet33 (also bagnet8/16/32); by default read from the file.
    #[arg(long)]
    pub arch: Option<String>,
    /// Width multiplier; by default read from the file.
    #[arg(long)]
    pub width: Option<f64>,
    /// Comma-separated class names (two classes: one logistic output); by default one per output
    /// of the file's head. Another number of outputs than the file's re-initialises the head.
    #[arg(long, value_delimiter = ',')]
    pub classes: Option<Vec<String>>,
    /// Input side in pixels that eval/explain resize images to.
    #[arg(long, default_value_t = 224)]
    pub size: usize,
    /// Do not apply the circular fundus mask in eval/explain.
    #[arg(long)]
    pub no_mask: bool,
    /// Model folder to write.
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

fn device(d: Device) -> DeviceKind {
    match d {
        Device::Cpu => DeviceKind::Cpu,
        Device::Cuda => DeviceKind::Cuda,
    }
}

fn on_bad(skip: bool) -> OnBadImage {
    if skip {
        OnBadImage::Skip
    } else {
        OnBadImage::Stop
    }
}

fn emit<T: serde::Serialize>(format: Format, value: &T, section: Section) -> CliResult {
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(value).map_err(CliError::other)?),
        Format::Text | Format::Csv => print!("{}", section.to_text()),
    }
    Ok(())
}

pub fn run(a: Args) -> CliResult {
    match a.command {
        Sub::Synth(s) => {
            let opt = SynthOptions {
                n: s.n,
                size: s.size,
                effect: s.effect,
                seed: s.seed,
            };
            let p = synth::write_dataset(&opt, &s.out).map_err(CliError::input)?;
            println!("wrote {} images and {}", s.n, p.display());
            Ok(())
        }
        Sub::Train(t) => {
            let arch = Arch::parse(&t.arch).map_err(CliError::input)?;
            let opt = TrainOptions {
                arch,
                width: t.width,
                size: t.size,
                batch: t.batch,
                lr: t.lr,
                head_epochs: t.head_epochs,
                epochs: t.epochs,
                optimizer: match t.optimizer {
                    Optim::Sgd => OptimKind::Sgd,
                    Optim::Adam => OptimKind::Adam,
                },
                momentum: t.momentum,
                seed: t.seed,
                augment: !t.no_augment,
                mask: !t.no_mask,
                bn_calibration: t.bn_calibration,
                pretrained: t.pretrained.clone(),
                ..Default::default()
            };
            arch.map_size(t.size).map_err(CliError::input)?;
            if let Some(p) = &t.pretrained {
                // An unreadable weight file stops the run before the images are read.
                dimorph_bagnet::weights::inspect(p).map_err(CliError::input)?;
            }
            let ds = pipeline::read_dataset(
                &t.data.images,
                &t.data.labels,
                None,
                t.size,
                opt.mask,
                on_bad(t.data.skip_bad_images),
            )
            .map_err(CliError::input)?;
            if !ds.skipped.is_empty() {
                eprintln!("skipped {} unreadable images:", ds.skipped.len());
                for s in &ds.skipped {
                    eprintln!("  {s}");
                }
            }
            let r = pipeline::train(&ds, &opt, &t.out, t.resume, t.quiet, device(t.data.device))
                .map_err(CliError::input)?;
            emit(t.data.format, &r, pipeline::train_section(&r))
        }
        Sub::Eval(e) => {
            let r = pipeline::eval(
                &e.model,
                &e.data.images,
                &e.data.labels,
                on_bad(e.data.skip_bad_images),
                device(e.data.device),
            )
            .map_err(CliError::input)?;
            if let (Some(p), Some(svg)) = (&e.roc, &r.roc_svg) {
                write_file(p, svg)?;
            }
            emit(e.data.format, &r, pipeline::eval_section(&r))
        }
        Sub::Explain(x) => {
            let opt = ExplainOptions {
                clip: x.clip,
                threshold: x.threshold,
                max_images: x.max_images,
                features: x.features,
            };
            let r = pipeline::explain(
                &x.model,
                &x.data.images,
                &x.data.labels,
                on_bad(x.data.skip_bad_images),
                &opt,
                &x.out,
                device(x.data.device),
            )
            .map_err(CliError::input)?;
            emit(x.data.format, &r, pipeline::explain_section(&r))
        }
        Sub::Import(i) => {
            let arch = i
                .arch
                .as_deref()
                .map(Arch::parse)
                .transpose()
                .map_err(CliError::input)?;
            let opt = ImportOptions {
                arch,
                width: i.width,
                classes: i.classes.map(|c| c.into_iter().map(|s| s.trim().to_string()).collect()),
                size: i.size,
                mask: !i.no_mask,
            };
            let r = pipeline::import(&i.weights, &opt, &i.out).map_err(CliError::input)?;
            emit(i.format, &r, pipeline::import_section(&r))
        }
    }
}
