//! The options of every BagNet analysis (`dimorph bagnet synth|train|eval|explain|import`): plain
//! structs whose `Default` is the command line's defaults, each with a `validate` that refuses a bad
//! value or an option that does not apply, in the command line's spelling (`--lr: must be positive,
//! got 0`). The training defaults are a recipe that learns from random weights (Adam with decoupled
//! weight decay, one warm-up epoch, cosine decay); the paper's recipe for pretrained weights
//! (Ilanchezian et al. 2021, §3.2: SGD, lr 0.01, batch 16, 10 head epochs, then 100 epochs of all
//! layers, the best of epochs 95–100) is [`Recipe::Paper`].

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::baseline_size::INCEPTION_V3_AUX_MIN_SIZE;
use crate::model::Arch;
use crate::BagNetError;

fn arg(msg: String) -> BagNetError {
    BagNetError::Arg(msg)
}

/// Largest image side in pixels (synthetic images, the model's input): a 1024×1024 RGB image is
/// 12 MB in memory as floats, and every image of a data set is held.
pub const MAX_SIZE: usize = 1024;
/// Smallest synthetic image side in pixels.
pub const MIN_SYNTH_SIZE: usize = 16;
/// Most synthetic images.
pub const MAX_SYNTH_N: usize = 1_000_000;
/// Largest width multiplier (twice the reference BagNet's channels: about 65 million weights).
pub const MAX_WIDTH: f64 = 2.0;
/// Largest training batch.
pub const MAX_BATCH: usize = 1024;
/// Most epochs of each phase (head, all layers).
pub const MAX_EPOCHS: usize = 100_000;
/// Largest learning rate.
pub const MAX_LR: f64 = 100.0;
/// Most images for the batch-norm calibration.
pub const MAX_BN_CALIBRATION: usize = 10_000_000;
/// Largest planted-texture amplitude (pixel values are in [0, 1]).
pub const MAX_EFFECT: f64 = 1.0;
/// Largest evidence clip and threshold of `explain` (patch logits are far smaller).
pub const MAX_EVIDENCE: f64 = 1e6;
/// Most per-image overlays of `explain`.
pub const MAX_OVERLAYS: usize = 100_000;
/// Most classes (outputs of the model's head).
pub const MAX_CLASSES: usize = 10_000;
/// Largest weight of Inception-v3's auxiliary loss (`--aux-weight`).
pub const MAX_AUX_WEIGHT: f64 = 10.0;
/// torchvision's weight of Inception-v3's auxiliary loss (main + 0.4·aux).
pub const DEFAULT_AUX_WEIGHT: f64 = 0.4;

/// `--name: must be a whole number between lo and hi, got v` unless `v` is in `lo..=hi`.
pub fn check_count(name: &str, v: usize, lo: usize, hi: usize, unit: &str) -> Result<(), BagNetError> {
    if (lo..=hi).contains(&v) {
        return Ok(());
    }
    Err(arg(format!("--{name}: must be between {lo} and {hi}{unit}, got {v}")))
}

/// `--width`: a positive number at most [`MAX_WIDTH`].
pub fn check_width(w: f64) -> Result<(), BagNetError> {
    if w > 0.0 && w <= MAX_WIDTH {
        return Ok(());
    }
    Err(arg(format!(
        "--width: must be positive and at most {MAX_WIDTH} (the reference BagNet is 1), got {w}"
    )))
}

/// A model input side: at most [`MAX_SIZE`] and at least the architecture's receptive field.
pub fn check_size(arch: Arch, size: usize) -> Result<(), BagNetError> {
    check_count("size", size, 1, MAX_SIZE, " px")?;
    // named as the option it is (the model's own message speaks of an image)
    arch.map_size(size)
        .map(|_| ())
        .map_err(|e| arg(format!("--size {size}: {e}")))
}

/// Which backend runs the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    /// burn's CPU backend (flex) with this crate's kernels.
    #[default]
    Cpu,
    /// burn's CubeCL CUDA backend on GPU number `index` (`--device cuda:N`; a build with the
    /// `cuda` feature).
    Cuda { index: usize },
    /// Several GPUs, for data-parallel training (`--device cuda:0,1`; `bagnet train` only): each
    /// batch is split over them ([`crate::train::train_on`]).
    CudaSet { gpus: GpuSet },
}

/// A set of two or more GPU numbers below [`GpuSet::MAX`], in increasing order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GpuSet(u64);

impl GpuSet {
    /// GPU numbers in a set are below this.
    pub const MAX: usize = 64;

    /// The set of `indices` (two or more, distinct, each below [`GpuSet::MAX`]).
    pub fn new(indices: &[usize]) -> Result<GpuSet, BagNetError> {
        let mut mask = 0u64;
        for &i in indices {
            if i >= Self::MAX {
                return Err(arg(format!(
                    "--device: GPU number {i} in a set of GPUs; numbers below {} only",
                    Self::MAX
                )));
            }
            if mask & (1 << i) != 0 {
                return Err(arg(format!("--device: GPU cuda:{i} is named twice")));
            }
            mask |= 1 << i;
        }
        if mask.count_ones() < 2 {
            return Err(arg("--device: a set of GPUs needs two or more (cuda:0,1)".into()));
        }
        Ok(GpuSet(mask))
    }

    /// The GPU numbers, in increasing order.
    pub fn indices(self) -> Vec<usize> {
        (0..Self::MAX).filter(|&i| self.0 & (1 << i) != 0).collect()
    }
}

impl Serialize for GpuSet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.indices().serialize(s)
    }
}

impl<'de> Deserialize<'de> for GpuSet {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<GpuSet, D::Error> {
        let v = Vec::<usize>::deserialize(d)?;
        GpuSet::new(&v).map_err(serde::de::Error::custom)
    }
}

impl DeviceKind {
    /// `cpu`, `cuda` (GPU 0), `cuda:N`, or several GPUs `cuda:0,1` (also `cuda:0,cuda:1`), as on
    /// the command line.
    pub fn parse(s: &str) -> Result<DeviceKind, BagNetError> {
        let bad = || {
            arg(format!(
                "--device: expected cpu, cuda or cuda:N (N = 0, 1, … the GPU's number; several GPUs for \
                 training: cuda:0,1), got {s:?}"
            ))
        };
        let number = |n: &str| -> Result<usize, BagNetError> {
            if !n.is_empty() && n.len() <= 4 && n.bytes().all(|b| b.is_ascii_digit()) {
                n.parse().map_err(|_| bad())
            } else {
                Err(bad())
            }
        };
        match s.trim().to_ascii_lowercase().as_str() {
            "cpu" => Ok(DeviceKind::Cpu),
            "cuda" | "gpu" => Ok(DeviceKind::Cuda { index: 0 }),
            t => {
                let list = t.strip_prefix("cuda:").ok_or_else(bad)?;
                let indices = list
                    .split(',')
                    .map(|p| number(p.trim().strip_prefix("cuda:").unwrap_or(p.trim())))
                    .collect::<Result<Vec<usize>, _>>()?;
                match indices[..] {
                    [index] => Ok(DeviceKind::Cuda { index }),
                    _ => Ok(DeviceKind::CudaSet {
                        gpus: GpuSet::new(&indices)?,
                    }),
                }
            }
        }
    }

    /// The name as on the command line.
    pub fn name(self) -> String {
        match self {
            DeviceKind::Cpu => "cpu".into(),
            DeviceKind::Cuda { index } => format!("cuda:{index}"),
            DeviceKind::CudaSet { gpus } => {
                let n: Vec<String> = gpus.indices().iter().map(usize::to_string).collect();
                format!("cuda:{}", n.join(","))
            }
        }
    }
}

/// The float type the model computes in (`--precision`). burn 0.21 has no autocast: with bf16 or
/// f16 the whole model (weights, activations, gradients and the optimiser's state) is held in that
/// type on the GPU, which halves memory traffic; f32 is the reference and the only choice on the
/// CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    /// 32-bit floats everywhere (default).
    #[default]
    F32,
    /// bfloat16 (8-bit exponent like f32, 8-bit significand): the usual choice for training.
    Bf16,
    /// IEEE half (5-bit exponent): more significand, narrow range; inference mainly.
    F16,
}

impl Precision {
    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Precision::F32 => "f32",
            Precision::Bf16 => "bf16",
            Precision::F16 => "f16",
        }
    }
}

/// What to do with an image that cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnBadImage {
    /// Leave it out and report it among the warnings.
    Skip,
    /// Stop with an error naming the file.
    #[default]
    Stop,
}

/// Which optimiser trains the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptimKind {
    /// Stochastic gradient descent (the paper's), optionally with momentum.
    #[default]
    #[serde(alias = "Sgd")]
    Sgd,
    /// Adam with burn's defaults (β = 0.9, 0.999).
    #[serde(alias = "Adam")]
    Adam,
}

impl OptimKind {
    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            OptimKind::Sgd => "sgd",
            OptimKind::Adam => "adam",
        }
    }
}

/// How the learning rate changes over a run (per step).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Schedule {
    /// The same learning rate throughout (the paper's; runs saved before schedules existed).
    #[default]
    Constant,
    /// Half a cosine from the learning rate towards 0 at the end of the run, over the steps after the
    /// warm-up.
    Cosine,
}

impl Schedule {
    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Schedule::Constant => "constant",
            Schedule::Cosine => "cosine",
        }
    }
}

/// A preset of the training options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recipe {
    /// Learns from random weights: Adam (lr 0.003, decoupled weight decay 0.01), one warm-up epoch,
    /// cosine decay, no head-only epochs, 30 epochs.
    #[default]
    Scratch,
    /// The paper's recipe for ImageNet weights (§3.2): plain SGD at lr 0.01, constant, 10 head
    /// epochs then 100 epochs of all layers, the best epoch among all-layer epochs 95–100.
    Paper,
}

impl Recipe {
    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Recipe::Scratch => "scratch",
            Recipe::Paper => "paper",
        }
    }
}

/// How images are read and where the model runs (train, eval and explain).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ReadOptions {
    /// Unreadable images: stop at the first (default) or skip them with a warning.
    pub on_bad_image: OnBadImage,
    /// Read images of the label CSV that lie outside the images folder (an absolute path, a path
    /// through `..`, a symbolic link out of it); refused by default.
    pub allow_outside_images: bool,
    /// The backend the model runs on.
    pub device: DeviceKind,
    /// The float type the model computes in on the GPU (`--precision`; f32 on the CPU).
    pub precision: Precision,
    /// How an image that is not square becomes the model's square input (`--fit`; default crop;
    /// eval and explain need the fit the model was trained with).
    pub fit: crate::image::Fit,
    /// The folder of the preprocessed-image cache (`--cache`); by default `image-cache` in the
    /// training run's folder (train, and eval/explain of a model in a run's folder), else a
    /// temporary folder removed afterwards.
    pub cache: Option<PathBuf>,
    /// Threads decoding and augmenting images (`--workers`, 1 to 256); by default every core, at
    /// most 8.
    pub workers: Option<usize>,
}

/// Most image-loading threads.
pub const MAX_WORKERS: usize = 256;

impl ReadOptions {
    pub fn validate(&self) -> Result<(), BagNetError> {
        if let Some(w) = self.workers {
            check_count("workers", w, 1, MAX_WORKERS, "")?;
        }
        if self.device == DeviceKind::Cpu && self.precision != Precision::F32 {
            return Err(arg(format!(
                "--precision {}: only with --device cuda (the CPU backend computes in f32)",
                self.precision.name()
            )));
        }
        Ok(())
    }
}

/// Options of `synth`: synthetic fundus images with planted class evidence.
#[derive(Debug, Clone, Serialize)]
pub struct SynthOptions {
    /// Number of images (two eyes per subject, so n/2 subjects rounded up).
    pub n: usize,
    /// Side of the square images in pixels.
    pub size: usize,
    /// Amplitude of the planted texture, in intensity units (pixel noise has sd 0.02).
    pub effect: f64,
    /// Seed of every random choice (subjects' classes, anatomy, vessels, noise).
    pub seed: u64,
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions {
            n: 2000,
            size: 224,
            effect: 0.12,
            seed: 1,
        }
    }
}

impl SynthOptions {
    pub fn validate(&self) -> Result<(), BagNetError> {
        check_count("size", self.size, MIN_SYNTH_SIZE, MAX_SIZE, " px")?;
        check_count("n", self.n, 2, MAX_SYNTH_N, "")?;
        if !(self.effect >= 0.0 && self.effect <= MAX_EFFECT) {
            return Err(arg(format!(
                "--effect: must be between 0 and {MAX_EFFECT}, got {}",
                dimorph_core::text::num(self.effect)
            )));
        }
        Ok(())
    }
}

fn default_bn_calibration() -> usize {
    1000
}

/// Training options, saved with the run (`state.json`) so that `--resume` continues it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrainOptions {
    /// Receptive field of the BagNet (9, 17 or 33 px patches).
    pub arch: Arch,
    /// Width multiplier on all channel counts (1 = the reference BagNet).
    pub width: f64,
    /// Model input side in pixels (images are resized to it).
    pub size: usize,
    /// Images per training step.
    pub batch: usize,
    /// Learning rate.
    pub lr: f64,
    /// Epochs training the head alone (backbone frozen, its features detached).
    pub head_epochs: usize,
    /// Epochs fine-tuning all layers after the head epochs.
    pub epochs: usize,
    /// The optimiser.
    pub optimizer: OptimKind,
    /// SGD momentum (none: plain SGD as in the paper); SGD only.
    #[serde(default)]
    pub momentum: Option<f64>,
    /// Seed of the split, the initial weights, the shuffling and the augmentation.
    pub seed: u64,
    /// Random rotations, flips, shifts, zoom and brightness (paper §3.2).
    pub augment: bool,
    /// The circular fundus mask (paper §3.1; off by default, on in the paper's recipe): pixels
    /// outside the central disc become black (a warning counts images where that hid content).
    pub mask: bool,
    /// Subject-level train/validation/test fractions.
    pub split: [f64; 3],
    /// After every epoch, set the batch-norm running statistics to the mean of the batch statistics
    /// over up to this many (unaugmented) training images with the epoch's final weights; 0 keeps the
    /// exponential running averages of training.
    #[serde(default = "default_bn_calibration")]
    pub bn_calibration: usize,
    /// Start from the weights in this PyTorch or safetensors file (backbone, and the head when
    /// its number of outputs fits) instead of the random initialisation.
    #[serde(default)]
    pub pretrained: Option<PathBuf>,
    /// Weight decay: decoupled (AdamW) with Adam, an L2 penalty added to the gradient with SGD;
    /// 0 for none.
    #[serde(default)]
    pub weight_decay: f64,
    /// Epochs over which the learning rate rises linearly from lr/steps to lr (per step).
    #[serde(default)]
    pub warmup_epochs: usize,
    /// The learning-rate schedule after the warm-up.
    #[serde(default)]
    pub schedule: Schedule,
    /// Weight each training image's loss by n / (K·n_k) of its class k ("balanced" class
    /// weights, for imbalanced data); validation figures stay unweighted.
    #[serde(default)]
    pub class_weights: bool,
    /// Leave out each epoch's last, short batch of training images (PyTorch's `drop_last`): every
    /// step then sees a whole batch. The images left out differ between epochs (the order is drawn
    /// anew each epoch), and the batch-norm calibration also takes whole batches. At least one
    /// batch of training images is needed.
    #[serde(default)]
    pub drop_last: bool,
    /// Stop when the validation score (AUC, else accuracy) has not improved for this many epochs.
    #[serde(default)]
    pub patience: Option<usize>,
    /// Choose the best epoch among epochs from this one on (1-based, counting head epochs; the
    /// paper: the best of all-layer epochs 95–100).
    #[serde(default)]
    pub best_from: Option<usize>,
    /// A CSV fixing the split instead of drawing it: columns `path` (as in the label CSV) and
    /// [`Self::split_column`] with `train`/`training`, `val`/`validation` or `test` (the label CSV
    /// itself when it has such a column). Every image must be listed.
    #[serde(default)]
    pub split_file: Option<PathBuf>,
    /// The column of [`Self::split_file`] naming each image's set.
    #[serde(default = "default_split_column")]
    pub split_column: String,
    /// Inception-v3 only: the weight of its auxiliary classifier's loss, added to the main loss
    /// (torchvision's recipe: main + 0.4·aux; in head epochs only the auxiliary head `fc` trains,
    /// as the main head does; evaluation uses the main head alone). It needs images of at least
    /// 299 px. None: 0.4 from 299 px, no auxiliary loss below (with a warning); 0 turns it off.
    #[serde(default)]
    pub aux_weight: Option<f64>,
}

fn default_split_column() -> String {
    "set".into()
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions::recipe(Recipe::Scratch)
    }
}

impl TrainOptions {
    /// The options of a [`Recipe`].
    pub fn recipe(recipe: Recipe) -> TrainOptions {
        let common = TrainOptions {
            arch: Arch::BagNet33,
            width: 1.0,
            size: 224,
            batch: 16,
            lr: 0.003,
            head_epochs: 0,
            epochs: 30,
            optimizer: OptimKind::Adam,
            momentum: None,
            seed: 1,
            augment: true,
            mask: false,
            split: [0.75, 0.10, 0.15],
            bn_calibration: default_bn_calibration(),
            pretrained: None,
            weight_decay: 0.01,
            warmup_epochs: 1,
            schedule: Schedule::Cosine,
            class_weights: false,
            drop_last: false,
            patience: None,
            best_from: None,
            split_file: None,
            split_column: default_split_column(),
            aux_weight: None,
        };
        match recipe {
            Recipe::Scratch => common,
            Recipe::Paper => TrainOptions {
                lr: 0.01,
                head_epochs: 10,
                epochs: 100,
                optimizer: OptimKind::Sgd,
                weight_decay: 0.0,
                warmup_epochs: 0,
                schedule: Schedule::Constant,
                best_from: Some(10 + 95),
                mask: true,
                ..common
            },
        }
    }
}

impl TrainOptions {
    pub fn validate(&self) -> Result<(), BagNetError> {
        check_count("batch", self.batch, 1, MAX_BATCH, "")?;
        if !(self.lr > 0.0 && self.lr <= MAX_LR) {
            return Err(arg(format!(
                "--lr: must be positive and at most {MAX_LR}, got {}",
                dimorph_core::text::num(self.lr)
            )));
        }
        check_width(self.width)?;
        check_size(self.arch, self.size)?;
        check_count("head-epochs", self.head_epochs, 0, MAX_EPOCHS, "")?;
        check_count("epochs", self.epochs, 0, MAX_EPOCHS, "")?;
        check_count("bn-calibration", self.bn_calibration, 0, MAX_BN_CALIBRATION, " images")?;
        self.validate_recipe()?;
        self.validate_aux()?;
        if let Some(m) = self.momentum {
            if !(0.0..1.0).contains(&m) {
                return Err(arg(format!(
                    "--momentum: must be at least 0 and below 1, got {}",
                    dimorph_core::text::num(m)
                )));
            }
            if self.optimizer != OptimKind::Sgd {
                return Err(arg(format!(
                    "--momentum: applies to --optimizer sgd only (--optimizer {} keeps its own moment estimates)",
                    self.optimizer.name()
                )));
            }
        }
        let [a, b, c] = self.split;
        if !([a, b, c].iter().all(|f| (0.0..=1.0).contains(f)) && a + b + c <= 1.0 + 1e-9) {
            return Err(arg(format!(
                "split: the train/validation/test fractions must be in [0, 1] and add up to at most 1, got {a}/{b}/{c}"
            )));
        }
        Ok(())
    }

    /// The options of the schedule, the best epoch and the split.
    fn validate_recipe(&self) -> Result<(), BagNetError> {
        if !(self.weight_decay >= 0.0 && self.weight_decay <= 1.0) {
            return Err(arg(format!(
                "--weight-decay: must be between 0 and 1, got {}",
                dimorph_core::text::num(self.weight_decay)
            )));
        }
        check_count("warmup-epochs", self.warmup_epochs, 0, MAX_EPOCHS, "")?;
        if let Some(p) = self.patience {
            check_count("patience", p, 1, MAX_EPOCHS, " epochs")?;
        }
        let total = self.head_epochs + self.epochs;
        if total == 0 {
            // a run of no epoch wrote no model and said nothing (exit 0, no best/)
            return Err(arg(
                "--epochs and --head-epochs: both 0, so nothing would be trained and no model written".into(),
            ));
        }
        if let Some(b) = self.best_from {
            if b == 0 || b > total {
                return Err(arg(format!(
                    "--best-from: must be an epoch of the run, 1 to {total} (head and all-layer epochs), got {b}"
                )));
            }
        }
        if self.split_column.trim().is_empty() {
            return Err(arg("--split-column: must name a column".into()));
        }
        Ok(())
    }

    /// [`Self::aux_weight`]: a weight of 0 to 10, for Inception-v3 at 299 px or more.
    fn validate_aux(&self) -> Result<(), BagNetError> {
        let Some(w) = self.aux_weight else {
            return Ok(());
        };
        if !(0.0..=MAX_AUX_WEIGHT).contains(&w) {
            return Err(arg(format!(
                "--aux-weight: must be between 0 and {MAX_AUX_WEIGHT}, got {w}"
            )));
        }
        if self.arch != Arch::InceptionV3 {
            return Err(arg(format!(
                "--aux-weight: applies to --arch inception-v3 only (its auxiliary classifier); {} has none",
                self.arch.name()
            )));
        }
        if w > 0.0 && self.size < INCEPTION_V3_AUX_MIN_SIZE {
            return Err(arg(format!(
                "--aux-weight: Inception-v3's auxiliary classifier needs --size {INCEPTION_V3_AUX_MIN_SIZE} or more \
                 (its 5×5 pooling and convolution need Mixed_6e's 17×17 map), got --size {}; give 0 or leave it out",
                self.size
            )));
        }
        Ok(())
    }

    /// The weight of the auxiliary loss in effect: [`Self::aux_weight`] (0.4 when not given) for
    /// Inception-v3 at 299 px or more, else 0.
    pub fn aux_loss_weight(&self) -> f64 {
        if self.arch == Arch::InceptionV3 && self.size >= INCEPTION_V3_AUX_MIN_SIZE {
            self.aux_weight.unwrap_or(DEFAULT_AUX_WEIGHT)
        } else {
            0.0
        }
    }

    /// Why Inception-v3 trains without its auxiliary loss although it was not turned off (images
    /// below 299 px), for the run's warnings.
    pub fn aux_warning(&self) -> Option<String> {
        if self.arch != Arch::InceptionV3 || self.aux_weight.is_some() || self.size >= INCEPTION_V3_AUX_MIN_SIZE {
            return None;
        }
        Some(format!(
            "inception-v3 at --size {}: its auxiliary classifier needs {INCEPTION_V3_AUX_MIN_SIZE} px or more, so \
             training used the main loss alone (torchvision's recipe adds 0.4 x the auxiliary loss)",
            self.size
        ))
    }

    /// The SGD momentum in effect (0 when none is given).
    pub fn momentum_or_zero(&self) -> f64 {
        self.momentum.unwrap_or(0.0)
    }
}

/// Options of `train` as a whole: the training options saved with the run, and how this
/// invocation reads the images and runs.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TrainRunOptions {
    /// Model and training options (saved in `state.json`).
    #[serde(flatten)]
    pub train: TrainOptions,
    /// Continue the run in the output folder from its last checkpoint.
    pub resume: bool,
    /// How images are read and where the model runs.
    #[serde(flatten)]
    pub read: ReadOptions,
}

impl TrainRunOptions {
    pub fn validate(&self) -> Result<(), BagNetError> {
        self.train.validate()?;
        self.read.validate()?;
        if self.resume && self.train.pretrained.is_some() {
            return Err(arg(
                "--pretrained: applies to a new run only; a resumed run (--resume) continues from its last checkpoint"
                    .into(),
            ));
        }
        Ok(())
    }
}

/// Options of `eval`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EvalOptions {
    /// How images are read and where the model runs.
    #[serde(flatten)]
    pub read: ReadOptions,
    /// An external evaluation set (the paper's "clinical" column): every image is reported in one
    /// set of this name, never split into training, validation and test.
    pub external: Option<String>,
}

impl EvalOptions {
    pub fn validate(&self) -> Result<(), BagNetError> {
        self.read.validate()?;
        if let Some(n) = &self.external {
            if n.trim().is_empty() || n.chars().any(char::is_control) {
                return Err(arg("--external: the set's name must be non-empty and printable".into()));
            }
        }
        Ok(())
    }
}

/// The file format of the patch-feature export (`--features-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FeatureFormat {
    /// `features.csv`: text, 7 to 14 bytes per feature value (zeros are short).
    #[default]
    Csv,
    /// `features.parquet`: the features as `float32` columns, written a row group at a time.
    Parquet,
}

/// Options of `explain`.
#[derive(Debug, Clone, Serialize)]
pub struct ExplainOptions {
    /// Clip evidence to ±clip for display (paper: 75).
    pub clip: f64,
    /// Evidence threshold t of the statistics (paper Fig. 4: 50).
    pub threshold: f64,
    /// How many per-image overlays to write.
    pub max_images: usize,
    /// Write every patch's feature vector to `features.csv` in the output folder (as it is
    /// computed: the table is too large to hold).
    pub features: bool,
    /// The file format of the feature export: `features.csv` (text) or `features.parquet`
    /// (`float32` feature columns, written a row group at a time; about 4 bytes per value
    /// instead of 7 to 14).
    pub features_format: FeatureFormat,
    /// Also draw Figure 3 (`figure3.svg`, the exemplar patches in `figure3/`): the t-SNE of the
    /// patch features of the correctly classified images (at most 20,000 patches, an equal seeded
    /// sample per image) through the embedding engine, with four clusters (the highest and the
    /// lowest mean patch logit), each cluster's class fractions and two exemplar patches per class.
    pub tsne: bool,
    /// How images are read and where the model runs.
    #[serde(flatten)]
    pub read: ReadOptions,
}

impl Default for ExplainOptions {
    fn default() -> Self {
        ExplainOptions {
            clip: 75.0,
            threshold: 50.0,
            max_images: 50,
            features: false,
            features_format: FeatureFormat::Csv,
            tsne: false,
            read: ReadOptions::default(),
        }
    }
}

impl ExplainOptions {
    pub fn validate(&self) -> Result<(), BagNetError> {
        self.read.validate()?;
        if !(self.clip > 0.0 && self.clip <= MAX_EVIDENCE) {
            return Err(arg(format!(
                "--clip: must be positive and at most {MAX_EVIDENCE}, got {}",
                dimorph_core::text::num(self.clip)
            )));
        }
        if !(self.threshold >= 0.0 && self.threshold <= MAX_EVIDENCE) {
            return Err(arg(format!(
                "--threshold: must be between 0 and {MAX_EVIDENCE}, got {}",
                dimorph_core::text::num(self.threshold)
            )));
        }
        if !self.features && self.features_format != FeatureFormat::Csv {
            return Err(arg(
                "--features-format: applies to the feature export only; add --features".into(),
            ));
        }
        check_count("max-images", self.max_images, 0, MAX_OVERLAYS, "")
    }
}

/// Options of `import`: which architecture to build (by default the one the file holds), the
/// class names, and the preprocessing saved with the model.
#[derive(Debug, Clone, Serialize)]
pub struct ImportOptions {
    /// Architecture; by default read from the file's tensor shapes.
    pub arch: Option<Arch>,
    /// Width multiplier; by default read from the file's tensor shapes.
    pub width: Option<f64>,
    /// Class names; by default one per output of the file's head (two for one logistic output).
    pub classes: Option<Vec<String>>,
    /// Model input side in pixels that eval and explain resize images to.
    pub size: usize,
    /// Apply the circular fundus mask in eval and explain (off by default).
    pub mask: bool,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            arch: None,
            width: None,
            classes: None,
            size: 224,
            mask: false,
        }
    }
}

impl ImportOptions {
    pub fn validate(&self) -> Result<(), BagNetError> {
        if let Some(w) = self.width {
            check_width(w)?;
        }
        check_count("size", self.size, 1, MAX_SIZE, " px")?;
        if let Some(a) = self.arch {
            a.map_size(self.size)?;
        }
        if let Some(classes) = &self.classes {
            check_classes("--classes", classes)?;
        }
        Ok(())
    }
}

/// Two to [`MAX_CLASSES`] class names, none given twice (`what`: where they come from).
pub fn check_classes(what: &str, classes: &[String]) -> Result<(), BagNetError> {
    if !(2..=MAX_CLASSES).contains(&classes.len()) {
        return Err(arg(format!(
            "{what}: need between 2 and {MAX_CLASSES} class names, got {}",
            classes.len()
        )));
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(d) = classes.iter().find(|c| !seen.insert(c.as_str())) {
        return Err(arg(format!("{what}: '{}' is given twice", dimorph_core::text::clip(d))));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `--recipe paper` is the paper's §3.2 (Ilanchezian et al. 2021): SGD at lr 0.01 without a
    /// schedule, 10 epochs of the head, then 100 of all layers, the best of all-layer epochs
    /// 95–100 (run epochs 105–110); the default learns from random weights (Adam, warm-up, cosine).
    #[test]
    fn the_paper_recipe_is_the_papers_schedule() {
        let p = TrainOptions::recipe(Recipe::Paper);
        assert_eq!((p.optimizer, p.lr, p.weight_decay), (OptimKind::Sgd, 0.01, 0.0));
        assert_eq!((p.schedule, p.warmup_epochs), (Schedule::Constant, 0));
        assert_eq!((p.head_epochs, p.epochs, p.best_from), (10, 100, Some(105)));
        assert_eq!(p.head_epochs + p.epochs, 110);
        assert!(p.validate().is_ok());
        let d = TrainOptions::default();
        assert_eq!(
            (d.optimizer, d.schedule, d.warmup_epochs),
            (OptimKind::Adam, Schedule::Cosine, 1)
        );
        assert_eq!((d.head_epochs, d.best_from, d.patience), (0, None, None));
        assert!(d.validate().is_ok());
    }
}
