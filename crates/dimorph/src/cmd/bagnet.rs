//! `dimorph bagnet synth|train|eval|explain|import`: BagNet patch-evidence classification
//! (Ilanchezian et al. 2021). Flags and glue only: each subcommand maps its flags to the engine's
//! options, calls its `run_*` and renders the outcome with `super::emit`.

use std::io::Write as _;
use std::path::PathBuf;

use super::{emit, CliError, CliResult, Format, OutArgs};
use dimorph_bagnet::image::Fit;
use dimorph_bagnet::model::Arch;
use dimorph_bagnet::options::{
    DeviceKind, EvalOptions, ExplainOptions, ImportOptions, OnBadImage, OptimKind, Precision, ReadOptions, Recipe,
    Schedule, SynthOptions, TrainOptions, TrainRunOptions, MAX_BATCH, MAX_BN_CALIBRATION, MAX_EPOCHS, MAX_OVERLAYS,
    MAX_SIZE, MAX_SYNTH_N, MAX_WORKERS, MIN_SYNTH_SIZE,
};
use dimorph_bagnet::pipeline;
use dimorph_bagnet::train::{EpochRecord, Phase, TrainProgress};
use dimorph_bagnet::BagNetError;
use serde_json::json;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Sub,
}

// The parsed command line exists once per run: TrainArgs' size (about 400 bytes) costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(clap::Subcommand)]
pub enum Sub {
    /// Write synthetic fundus images with planted class evidence and their labels.csv.
    Synth(SynthArgs),
    /// Train a BagNet (head first, then all layers), a checkpoint every epoch.
    Train(TrainArgs),
    /// Accuracy and ROC AUC (bootstrap CI) on the training, validation and test sets; ROC curves.
    Eval(EvalArgs),
    /// Patch-evidence maps, averaged maps, evidence statistics by class and patch features.
    Explain(ExplainArgs),
    /// Turn a PyTorch (.pth/.pth.tar/.pt) or safetensors BagNet weight file into a model folder.
    Import(ImportArgs),
}

/// The model folder a command writes (train, import): required, and never refused for files of its
/// own.
#[derive(clap::Args)]
pub struct ModelOut {
    /// Folder of the model (train: the run's checkpoints, best/ and state.json; import: the weights
    /// and meta.json).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

#[derive(clap::Args)]
#[command(after_help = "Examples (run from the repository root):
  dimorph bagnet synth --out /tmp/fundus --n 40 --size 64
  dimorph bagnet synth --out /tmp/fundus --n 40 --size 64 --force --format json
  dimorph bagnet synth --out /tmp/fundus-strong --n 240 --size 64 --effect 0.35 --seed 3 --format csv")]
pub struct SynthArgs {
    /// Folder for the images (img00000.png, ...) and labels.csv; created when missing.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Replace images and labels.csv that already exist in --out.
    #[arg(long)]
    pub force: bool,
    /// Number of images (two eyes per subject), 2 to 1000000.
    #[arg(long, default_value_t = 2000, allow_negative_numbers = true, value_parser = count(2, MAX_SYNTH_N))]
    pub n: usize,
    /// Side of the square images in pixels, 16 to 1024.
    #[arg(long, default_value_t = 224, allow_negative_numbers = true, value_parser = count(MIN_SYNTH_SIZE, MAX_SIZE))]
    pub size: usize,
    /// Amplitude of the planted texture, 0 to 1 (pixel noise sd is 0.02).
    #[arg(long, default_value_t = 0.12, allow_negative_numbers = true)]
    pub effect: f64,
    /// Seed of every random choice (0 to 2^64 - 1).
    #[arg(long, default_value_t = 1, allow_negative_numbers = true, value_parser = seed)]
    pub seed: u64,
    /// text: a summary; json: the envelope; csv: the label table.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// `--device`: cpu, cuda, cuda:N or (training) cuda:0,1,….
fn parse_device(s: &str) -> Result<DeviceKind, String> {
    DeviceKind::parse(s).map_err(|e| e.to_string())
}

/// `--precision`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PrecisionArg {
    F32,
    Bf16,
    F16,
}

/// The file format of the patch-feature export.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum FeaturesFormat {
    /// features.csv: text, 7 to 14 bytes per value.
    Csv,
    /// features.parquet: float32 feature columns (4 bytes per value), written a row group at a
    /// time; read by `dimorph embed` without a double-precision copy.
    Parquet,
}

/// The optimiser.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Optim {
    /// Stochastic gradient descent (the paper's); --momentum applies to it.
    Sgd,
    /// Adam (burn's defaults).
    Adam,
}

/// A preset of the training options (flags given override it).
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum RecipeArg {
    /// Learns from random weights: Adam lr 0.003 with decoupled weight decay 0.01, one warm-up
    /// epoch, cosine schedule, no head-only epochs, 30 epochs.
    Scratch,
    /// The paper's recipe for ImageNet weights: SGD lr 0.01 constant, 10 head epochs then 100
    /// epochs, the best of all-layer epochs 95-100.
    Paper,
}

/// The learning-rate schedule after the warm-up.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ScheduleArg {
    /// The same learning rate throughout.
    Constant,
    /// Half a cosine from --lr down to 0 at the run's last step.
    Cosine,
}

/// The model: a BagNet's receptive field, or a baseline CNN of the paper's Table 1.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ArchArg {
    /// 9 px patches (the reference bagnet8).
    #[value(aliases = ["bagnet8", "9"])]
    Bagnet9,
    /// 17 px patches (the reference bagnet16).
    #[value(aliases = ["bagnet16", "17"])]
    Bagnet17,
    /// 33 px patches (the reference bagnet32).
    #[value(aliases = ["bagnet32", "33"])]
    Bagnet33,
    /// ResNet-50 (torchvision resnet50), the BagNet's global counterpart; no evidence maps.
    #[value(aliases = ["resnet-50"])]
    Resnet50,
    /// Inception-v3 (torchvision inception_v3), the paper's baseline (--size 299); no evidence maps.
    #[value(name = "inception-v3", aliases = ["inception_v3", "inceptionv3"])]
    InceptionV3,
}

impl From<ArchArg> for Arch {
    fn from(a: ArchArg) -> Arch {
        match a {
            ArchArg::Bagnet9 => Arch::BagNet9,
            ArchArg::Bagnet17 => Arch::BagNet17,
            ArchArg::Bagnet33 => Arch::BagNet33,
            ArchArg::Resnet50 => Arch::ResNet50,
            ArchArg::InceptionV3 => Arch::InceptionV3,
        }
    }
}

/// The labelled images and how to read and run them (train, eval, explain).
#[derive(clap::Args)]
pub struct DataArgs {
    /// Folder the label CSV's paths are relative to.
    #[arg(long, value_name = "DIR")]
    pub images: PathBuf,
    /// CSV with columns path, subject, label (optional eye, visit, planted circles).
    #[arg(long, value_name = "CSV")]
    pub labels: PathBuf,
    /// Skip unreadable images (each one a warning) instead of stopping at the first.
    #[arg(long)]
    pub skip_bad_images: bool,
    /// Also read images that lie outside --images (an absolute path, a path through '..' or a
    /// symbolic link pointing out of it in the label CSV); refused by default.
    #[arg(long)]
    pub allow_outside_images: bool,
    /// The backend the model runs on: cpu, cuda (GPU 0) or cuda:N (GPU N); `train` also takes
    /// several GPUs, cuda:0,1,… (data parallel: each batch split over them, gradients summed on
    /// the first). CUDA needs a build with the `cuda` feature, the NVIDIA driver and NVRTC; the
    /// first run on a kind of GPU compiles and autotunes its kernels for minutes, kept for later
    /// runs in $DIMORPH_GPU_CACHE (default ~/.cache/dimorph/cubecl; off: CubeCL's defaults). A
    /// build with `cuda-untuned` instead skips the autotuning (CubeCL's default kernels).
    #[arg(long, default_value = "cpu", value_name = "cpu|cuda|cuda:N", value_parser = parse_device)]
    pub device: DeviceKind,
    /// The float type the model computes in on the GPU: f32 (default), bf16 or f16 (the whole
    /// model in that type; burn has no autocast). f32 only on the CPU.
    #[arg(long, value_enum, default_value_t = PrecisionArg::F32)]
    pub precision: PrecisionArg,
    /// text: the report; json: the envelope; csv: the main table.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// How an image that is not square becomes the square input: crop (the central square,
    /// default), pad (all of it, centred on black) or stretch (width and height resized apart, the
    /// behaviour before this option). Use the same in eval/explain as in train.
    #[arg(long, value_enum, default_value_t = FitArg::Crop)]
    pub fit: FitArg,
    /// Folder of the preprocessed-image cache (one file per image at model size, reused while the
    /// images and settings are unchanged); default: image-cache in the run's folder (train, and
    /// eval/explain of a model in a run's folder), else a temporary folder.
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// Threads decoding and augmenting images ahead of the model, 1 to 256 (default: every core,
    /// at most 8).
    #[arg(long, allow_negative_numbers = true, value_parser = count(1, MAX_WORKERS))]
    pub workers: Option<usize>,
}

/// `--fit`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FitArg {
    Crop,
    Pad,
    Stretch,
}

impl DataArgs {
    fn read(&self) -> ReadOptions {
        ReadOptions {
            on_bad_image: if self.skip_bad_images {
                OnBadImage::Skip
            } else {
                OnBadImage::Stop
            },
            allow_outside_images: self.allow_outside_images,
            device: self.device,
            precision: match self.precision {
                PrecisionArg::F32 => Precision::F32,
                PrecisionArg::Bf16 => Precision::Bf16,
                PrecisionArg::F16 => Precision::F16,
            },
            fit: match self.fit {
                FitArg::Crop => Fit::Crop,
                FitArg::Pad => Fit::Pad,
                FitArg::Stretch => Fit::Stretch,
            },
            cache: self.cache.clone(),
            workers: self.workers,
        }
    }

    fn input(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut m = serde_json::Map::new();
        m.insert("images".into(), json!(self.images.display().to_string()));
        m.insert("labels".into(), json!(self.labels.display().to_string()));
        m
    }
}

#[derive(clap::Args)]
#[command(after_help = "Examples (run from the repository root):
  dimorph bagnet synth --out /tmp/fundus --n 40 --size 64 --force
  dimorph bagnet train --images /tmp/fundus --labels /tmp/fundus/labels.csv --out /tmp/run --arch bagnet9 \\
      --width 0.0625 --size 64 --batch 8 --optimizer adam --lr 0.003 --head-epochs 1 --epochs 2
  dimorph bagnet train --images /tmp/fundus --labels /tmp/fundus/labels.csv --out /tmp/run --arch bagnet9 \\
      --width 0.0625 --size 64 --batch 8 --optimizer adam --lr 0.003 --head-epochs 1 --epochs 3 --resume --format json
  dimorph bagnet train --images /tmp/fundus --labels /tmp/fundus/labels.csv --out /tmp/run-resnet --arch resnet50 \\
      --width 0.0625 --size 64 --batch 8 --optimizer adam --lr 0.003 --head-epochs 1 --epochs 2")]
pub struct TrainArgs {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub out: ModelOut,
    /// Receptive field of the BagNet, or a baseline CNN of the paper's Table 1 (resnet50,
    /// inception-v3: trained and evaluated the same way, no evidence maps; --pretrained takes
    /// torchvision's weight files; inception-v3 trains with its auxiliary classifier's loss from
    /// --size 299, see --aux-weight).
    #[arg(long, value_enum, ignore_case = true, default_value = "bagnet33")]
    pub arch: ArchArg,
    /// Width multiplier on all channel counts, above 0 and at most 2 (1 = the reference BagNet).
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub width: f64,
    /// Input side in pixels (images are resized), from the receptive field (9, 17 or 33) to 1024.
    #[arg(long, default_value_t = 224, allow_negative_numbers = true, value_parser = count(1, MAX_SIZE))]
    pub size: usize,
    /// Images per training step, 1 to 1024.
    #[arg(long, default_value_t = 16, allow_negative_numbers = true, value_parser = count(1, MAX_BATCH))]
    pub batch: usize,
    /// Preset of the options below; a flag given overrides it.
    #[arg(long, value_enum, default_value_t = RecipeArg::Scratch)]
    pub recipe: RecipeArg,
    /// Learning rate, above 0 and at most 100 (scratch 0.003, paper 0.01).
    #[arg(long, allow_negative_numbers = true)]
    pub lr: Option<f64>,
    /// The optimiser (scratch adam, paper sgd).
    #[arg(long, value_enum)]
    pub optimizer: Option<Optim>,
    /// SGD momentum, at least 0 and below 1 (--optimizer sgd only; by default none, as in the paper).
    #[arg(long, allow_negative_numbers = true)]
    pub momentum: Option<f64>,
    /// Weight decay, 0 to 1: decoupled (AdamW) with adam, L2 with sgd (scratch 0.01, paper 0).
    #[arg(long, allow_negative_numbers = true)]
    pub weight_decay: Option<f64>,
    /// Epochs of linear learning-rate warm-up, 0 to 100000 (scratch 1, paper 0).
    #[arg(long, allow_negative_numbers = true, value_parser = count(0, MAX_EPOCHS))]
    pub warmup_epochs: Option<usize>,
    /// Learning-rate schedule after the warm-up (scratch cosine, paper constant).
    #[arg(long, value_enum)]
    pub schedule: Option<ScheduleArg>,
    /// Epochs training the head alone (backbone frozen, batch norm in inference mode), 0 to 100000
    /// (scratch 0, paper 10).
    #[arg(long, allow_negative_numbers = true, value_parser = count(0, MAX_EPOCHS))]
    pub head_epochs: Option<usize>,
    /// Epochs fine-tuning all layers, 0 to 100000 (scratch 30, paper 100).
    #[arg(long, allow_negative_numbers = true, value_parser = count(0, MAX_EPOCHS))]
    pub epochs: Option<usize>,
    /// Choose the best epoch among epochs from this one on (1-based, head epochs counted; paper 105:
    /// all-layer epochs 95-100).
    #[arg(long, allow_negative_numbers = true, value_parser = count(1, 2 * MAX_EPOCHS))]
    pub best_from: Option<usize>,
    /// Early stopping: end the run when the validation AUC (accuracy for more than two classes) has
    /// not improved for this many epochs, 1 to 100000.
    #[arg(long, allow_negative_numbers = true, value_parser = count(1, MAX_EPOCHS))]
    pub patience: Option<usize>,
    /// Weight each training image's loss by n / (K n_k) of its class (imbalanced data).
    #[arg(long)]
    pub class_weights: bool,
    /// Leave out each epoch's last, short batch (PyTorch's drop_last): every step sees a whole
    /// batch (on the GPU, one batch shape to compile and autotune). Needs at least one batch of
    /// training images.
    #[arg(long)]
    pub drop_last: bool,
    /// Fix the split instead of drawing it: a CSV with columns path and --split-column (train, val
    /// or test), e.g. the label CSV itself; every image must be listed.
    #[arg(long, value_name = "CSV")]
    pub split_file: Option<PathBuf>,
    /// The column of --split-file naming each image's set.
    #[arg(long, default_value = "set", value_name = "NAME")]
    pub split_column: String,
    /// Inception-v3 only: weight of its auxiliary classifier's loss added to the main loss (head
    /// epochs train its head alone, as the main one), 0 to 10 (torchvision's recipe: 0.4, the
    /// default from --size 299; smaller images have no auxiliary loss; 0 turns it off). Evaluation
    /// uses the main head alone.
    #[arg(long, allow_negative_numbers = true)]
    pub aux_weight: Option<f64>,
    /// Seed of the split, initial weights, shuffling and augmentation (0 to 2^64 - 1).
    #[arg(long, default_value_t = 1, allow_negative_numbers = true, value_parser = seed)]
    pub seed: u64,
    /// No augmentation (rotations, flips, shifts, zoom, brightness).
    #[arg(long)]
    pub no_augment: bool,
    /// The circular fundus mask of the paper (pixels outside the central disc black; on in
    /// --recipe paper, off otherwise; a warning counts images where it hid content).
    #[arg(long, conflicts_with = "no_mask")]
    pub mask: bool,
    /// No circular fundus mask (the default except in --recipe paper).
    #[arg(long)]
    pub no_mask: bool,
    /// After each epoch, recompute the batch-norm running statistics from up to this many unaugmented
    /// training images with the epoch's final weights (0: keep the running averages of training;
    /// at most 10000000).
    #[arg(long, default_value_t = 1000, allow_negative_numbers = true, value_parser = count(0, MAX_BN_CALIBRATION))]
    pub bn_calibration: usize,
    /// Continue the run in --out from its last checkpoint.
    #[arg(long)]
    pub resume: bool,
    /// Start from pretrained weights (PyTorch .pth/.pth.tar/.pt or .safetensors, e.g. the
    /// reference ImageNet bagnet8/16/32); a head with another number of outputs is re-initialised.
    #[arg(long, value_name = "FILE")]
    pub pretrained: Option<PathBuf>,
    /// No progress bar on standard error.
    #[arg(long)]
    pub quiet: bool,
}

#[derive(clap::Args)]
#[command(after_help = "Examples (after the `dimorph bagnet train --help` examples):
  dimorph bagnet eval --model /tmp/run/best --images /tmp/fundus --labels /tmp/fundus/labels.csv
  dimorph bagnet eval --model /tmp/run/best --images /tmp/fundus --labels /tmp/fundus/labels.csv --out /tmp/eval
  dimorph bagnet eval --model /tmp/run/best --images /tmp/fundus --labels /tmp/fundus/labels.csv --format csv
  dimorph bagnet eval --model /tmp/run/best --images /tmp/fundus --labels /tmp/fundus/labels.csv --external clinical
  dimorph bagnet eval --model /tmp/run/best --model /tmp/run-resnet/best --images /tmp/fundus \\
      --labels /tmp/fundus/labels.csv")]
pub struct EvalArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// A saved model folder (e.g. run/best, or one written by import); repeat --model to compare
    /// several models (BagNets, resnet50, inception-v3) in the layout of the paper's Table 1.
    #[arg(long, value_name = "DIR", required = true)]
    pub model: Vec<PathBuf>,
    /// An external evaluation set (e.g. clinical): every image is reported in one set of this
    /// name, never as training, validation or test (images the run never saw are never split
    /// anyway; this names the set).
    #[arg(long, value_name = "NAME")]
    pub external: Option<String>,
    /// Where metrics.csv, predictions.csv (per image: set, path, subject, label, predicted, logit,
    /// probability) and roc.svg go.
    #[command(flatten)]
    pub out: OutArgs,
}

#[derive(clap::Args)]
#[command(after_help = "Examples (after the `dimorph bagnet train --help` examples):
  dimorph bagnet explain --model /tmp/run/best --images /tmp/fundus --labels /tmp/fundus/labels.csv --out /tmp/maps
  dimorph bagnet explain --model /tmp/run/best --images /tmp/fundus --labels /tmp/fundus/labels.csv \\
      --out /tmp/maps-t --threshold 0.5 --clip 2 --max-images 4 --features --features-format parquet --tsne --force
  dimorph bagnet explain --model /tmp/run/best --images /tmp/fundus --labels /tmp/fundus/labels.csv --format json")]
pub struct ExplainArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// A saved model folder (e.g. run/best, or one written by import).
    #[arg(long, value_name = "DIR")]
    pub model: PathBuf,
    /// Where evidence_stats.csv, evidence_by_class.csv, maps/, average_*.png, figure2.svg,
    /// kde_*.svg (and features.csv, figure3.svg) go.
    #[command(flatten)]
    pub out: OutArgs,
    /// Clip evidence to ±clip for display, above 0 and at most 1000000 (paper: 75).
    #[arg(long, default_value_t = 75.0, allow_negative_numbers = true)]
    pub clip: f64,
    /// Evidence threshold t of the statistics, 0 to 1000000 (paper: 50).
    #[arg(long, default_value_t = 50.0, allow_negative_numbers = true)]
    pub threshold: f64,
    /// Number of per-image overlays to write, 0 to 100000 (maps/ keeps the images' folders).
    #[arg(long, default_value_t = 50, allow_negative_numbers = true, value_parser = count(0, MAX_OVERLAYS))]
    pub max_images: usize,
    /// Export every patch's feature vector to features.csv in --out (needs --out).
    #[arg(long)]
    pub features: bool,
    /// Also draw Figure 3 (figure3.svg, exemplar patches in figure3/): the t-SNE of the patch
    /// features of the correctly classified images (at most 20000 patches) with four clusters,
    /// each with its class fractions and two exemplar patches per class.
    #[arg(long)]
    pub tsne: bool,
    /// The file format of --features: csv (features.csv) or parquet (features.parquet, float32).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub features_format: Option<FeaturesFormat>,
}

#[derive(clap::Args)]
#[command(after_help = "Examples (run from the repository root):
  dimorph bagnet import --weights crates/dimorph-bagnet/tests/fixtures/bagnet33_w32.pth.tar --size 64 --out /tmp/imported
  dimorph bagnet import --weights crates/dimorph-bagnet/tests/fixtures/bagnet33_w32.safetensors \\
      --classes female,male --size 64 --out /tmp/imported2 --format json
  dimorph bagnet eval --model /tmp/imported2 --images /tmp/fundus --labels /tmp/fundus/labels.csv")]
pub struct ImportArgs {
    /// PyTorch (.pth, .pth.tar, .pt; zip or legacy) or .safetensors weight file.
    #[arg(long, value_name = "FILE")]
    pub weights: PathBuf,
    #[command(flatten)]
    pub out: ModelOut,
    /// Architecture (a BagNet, resnet50 or inception-v3); by default read from the file.
    #[arg(long, value_enum, ignore_case = true)]
    pub arch: Option<ArchArg>,
    /// Width multiplier, above 0 and at most 2; by default read from the file.
    #[arg(long, allow_negative_numbers = true)]
    pub width: Option<f64>,
    /// Comma-separated class names (two classes: one logistic output); by default one per output
    /// of the file's head (2 to 10000 names). Another number of outputs than the file's
    /// re-initialises the head.
    #[arg(long, value_delimiter = ',')]
    pub classes: Option<Vec<String>>,
    /// Input side in pixels that eval/explain resize images to, from the receptive field to 1024.
    #[arg(long, default_value_t = 224, allow_negative_numbers = true, value_parser = count(1, MAX_SIZE))]
    pub size: usize,
    /// Apply the circular fundus mask in eval/explain (off by default).
    #[arg(long, conflicts_with = "no_mask")]
    pub mask: bool,
    /// Do not apply the circular fundus mask in eval/explain (the default).
    #[arg(long)]
    pub no_mask: bool,
    /// text: the load report; json: the envelope.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// A whole-number option in `lo..=hi`, read so that a negative value is a value out of range, not
/// an unknown flag (the engine's validate() checks the same range for library callers).
fn count(lo: usize, hi: usize) -> impl Fn(&str) -> Result<usize, String> + Clone + Send + Sync + 'static {
    move |s: &str| match s.trim().parse::<i128>() {
        Ok(v) if (lo as i128..=hi as i128).contains(&v) => Ok(v as usize),
        _ => Err(format!("must be a whole number, at least {lo} and at most {hi}")),
    }
}

/// A seed: any whole number from 0 to 2^64 − 1.
fn seed(s: &str) -> Result<u64, String> {
    s.trim()
        .parse::<u64>()
        .map_err(|_| format!("must be a whole number, at least 0 and at most {}", u64::MAX))
}

fn engine(e: BagNetError) -> CliError {
    if e.is_input() {
        CliError::input(e)
    } else {
        CliError::other(e)
    }
}

/// The training progress on standard error (nothing with --quiet): on a terminal a one-line bar
/// redrawn after every step; otherwise (a log file, a pipe) one plain line per epoch and no
/// carriage returns.
struct Bar {
    quiet: bool,
    tty: bool,
    label: String,
    batches: usize,
}

impl TrainProgress for Bar {
    fn epoch_started(&mut self, epoch: usize, total: usize, phase: Phase, batches: usize) {
        let phase = match phase {
            Phase::Head => "head",
            Phase::All => "all layers",
        };
        self.label = format!("epoch {epoch}/{total} ({phase})");
        self.batches = batches;
    }
    fn batch_done(&mut self, batch: usize, mean_loss: f64) {
        if self.quiet || !self.tty {
            return;
        }
        let w = 24;
        let filled = (batch * w).checked_div(self.batches).unwrap_or(w).min(w);
        eprint!(
            "\r{} [{}{}] {}/{} loss {:.4}   ",
            self.label,
            "#".repeat(filled),
            "-".repeat(w - filled),
            batch,
            self.batches,
            mean_loss
        );
        let _ = std::io::stderr().flush();
    }
    fn epoch_done(&mut self, r: &EpochRecord) {
        if self.quiet {
            return;
        }
        let line = format!(
            "{} loss {:.4}  val loss {:.4}  val acc {:.3}  val AUC {}  lr {}",
            self.label,
            r.train_loss,
            r.val_loss,
            r.val_accuracy,
            r.val_auc.map_or("-".into(), |a| format!("{a:.3}")),
            r.lr.map_or("-".into(), |l| format!("{l:.3e}"))
        );
        if self.tty {
            eprintln!("\r{line}{}", " ".repeat(20));
        } else {
            eprintln!("{line}");
        }
    }
    fn loader(&mut self, s: &dimorph_bagnet::loader::LoaderStats) {
        if self.quiet {
            return;
        }
        eprintln!(
            "  images: {} images/s on {} loader thread(s), the model waited {:.1} s for them",
            s.images_per_s().map_or("-".into(), |r| format!("{r:.0}")),
            s.workers,
            s.waited_seconds
        );
    }
}

fn synth(s: SynthArgs) -> CliResult {
    let opt = SynthOptions {
        n: s.n,
        size: s.size,
        effect: s.effect,
        seed: s.seed,
    };
    let out = OutArgs {
        out: Some(s.out.clone()),
        force: s.force,
    };
    let o = pipeline::run_synth(&opt, &s.out, out.overwrite()).map_err(engine)?;
    emit("bagnet synth", json!({}), &opt, &o, s.format, &out)
}

fn train(t: TrainArgs) -> CliResult {
    let mut train = TrainOptions::recipe(match t.recipe {
        RecipeArg::Scratch => Recipe::Scratch,
        RecipeArg::Paper => Recipe::Paper,
    });
    train.arch = t.arch.into();
    train.width = t.width;
    train.size = t.size;
    train.batch = t.batch;
    train.lr = t.lr.unwrap_or(train.lr);
    train.head_epochs = t.head_epochs.unwrap_or(train.head_epochs);
    train.epochs = t.epochs.unwrap_or(train.epochs);
    if let Some(o) = t.optimizer {
        train.optimizer = match o {
            Optim::Sgd => OptimKind::Sgd,
            Optim::Adam => OptimKind::Adam,
        };
    }
    train.momentum = t.momentum;
    train.weight_decay = t.weight_decay.unwrap_or(train.weight_decay);
    train.warmup_epochs = t.warmup_epochs.unwrap_or(train.warmup_epochs);
    if let Some(sc) = t.schedule {
        train.schedule = match sc {
            ScheduleArg::Constant => Schedule::Constant,
            ScheduleArg::Cosine => Schedule::Cosine,
        };
    }
    if t.best_from.is_some() || t.head_epochs.is_some() || t.epochs.is_some() {
        // The paper's window follows the epochs given.
        train.best_from = t.best_from;
    }
    train.patience = t.patience;
    train.class_weights = t.class_weights;
    train.drop_last = t.drop_last;
    train.split_file = t.split_file.clone();
    train.split_column = t.split_column.clone();
    train.aux_weight = t.aux_weight;
    train.seed = t.seed;
    train.augment = !t.no_augment;
    train.mask = (train.mask || t.mask) && !t.no_mask;
    train.bn_calibration = t.bn_calibration;
    train.pretrained = t.pretrained.clone();
    let opt = TrainRunOptions {
        train,
        resume: t.resume,
        read: t.data.read(),
    };
    let mut bar = Bar {
        quiet: t.quiet,
        tty: std::io::IsTerminal::is_terminal(&std::io::stderr()),
        label: String::new(),
        batches: 0,
    };
    let o = pipeline::run_train(&t.data.images, &t.data.labels, &t.out.out, &opt, &mut bar).map_err(engine)?;
    // The run's folder is the model's: its history.csv is replaced on every run and resume.
    let out = OutArgs {
        out: Some(t.out.out.clone()),
        force: true,
    };
    emit("bagnet train", t.data.input().into(), &opt, &o, t.data.format, &out)
}

fn eval(e: EvalArgs) -> CliResult {
    let opt = EvalOptions {
        read: e.data.read(),
        external: e.external.clone(),
    };
    let mut input = e.data.input();
    if let [model] = e.model.as_slice() {
        let o = pipeline::run_eval(model, &e.data.images, &e.data.labels, &opt).map_err(engine)?;
        input.insert("model".into(), json!(model.display().to_string()));
        return emit("bagnet eval", input.into(), &opt, &o, e.data.format, &e.out);
    }
    let o = pipeline::run_eval_models(&e.model, &e.data.images, &e.data.labels, &opt).map_err(engine)?;
    let models: Vec<String> = e.model.iter().map(|m| m.display().to_string()).collect();
    input.insert("models".into(), json!(models));
    emit("bagnet eval", input.into(), &opt, &o, e.data.format, &e.out)
}

fn explain(x: ExplainArgs) -> CliResult {
    let opt = ExplainOptions {
        clip: x.clip,
        threshold: x.threshold,
        max_images: x.max_images,
        features: x.features,
        tsne: x.tsne,
        features_format: match x.features_format {
            Some(FeaturesFormat::Parquet) => dimorph_bagnet::evidence::FeatureFormat::Parquet,
            Some(FeaturesFormat::Csv) | None => dimorph_bagnet::evidence::FeatureFormat::Csv,
        },
        read: x.data.read(),
    };
    let features_dir = x.out.out.as_deref().map(|d| (d, x.out.overwrite()));
    let o = pipeline::run_explain(&x.model, &x.data.images, &x.data.labels, &opt, features_dir).map_err(engine)?;
    let mut input = x.data.input();
    input.insert("model".into(), json!(x.model.display().to_string()));
    emit("bagnet explain", input.into(), &opt, &o, x.data.format, &x.out)
}

fn import(i: ImportArgs) -> CliResult {
    if i.format == Format::Csv {
        // Refused before the model folder is written.
        return Err(CliError::input(
            "--format csv: `dimorph bagnet import` has no table result; use --format text or json",
        ));
    }
    let opt = ImportOptions {
        arch: i.arch.map(Arch::from),
        width: i.width,
        classes: i.classes.map(|c| c.into_iter().map(|s| s.trim().to_string()).collect()),
        size: i.size,
        mask: i.mask && !i.no_mask,
    };
    let o = pipeline::run_import(&i.weights, &i.out.out, &opt).map_err(engine)?;
    let input = json!({ "weights": i.weights.display().to_string() });
    emit("bagnet import", input, &opt, &o, i.format, &OutArgs::default())
}

pub fn run(a: Args) -> CliResult {
    match a.command {
        Sub::Synth(s) => synth(s),
        Sub::Train(t) => train(t),
        Sub::Eval(e) => eval(e),
        Sub::Explain(x) => explain(x),
        Sub::Import(i) => import(i),
    }
}
