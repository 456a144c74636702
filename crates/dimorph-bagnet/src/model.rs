//! The BagNet architecture (Brendel & Bethge 2019) as the reference PyTorch code builds it, in burn.
//!
//! A ResNet-50 layout of [3, 4, 6, 3] bottleneck blocks in which every 3×3 convolution beyond a
//! receptive-field budget becomes 1×1, every convolution is unpadded, and there is no max-pool, so each
//! final-layer neuron sees one q×q patch (q = 9, 17, 33) and neighbouring patches are 8 px apart.
//! A linear classifier applied to each patch's feature vector gives that patch's evidence (logit,
//! paper §3.3, w·x); the image logit is the mean over patches, which equals average-pool-then-linear.

use burn::module::{Initializer, Module, Param};
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig};
use burn::tensor::backend::Backend;
use burn::tensor::{Tensor, TensorData};
use serde::{Deserialize, Serialize};

use crate::backend::BagnetBackend;
use crate::layers::{bn_act, conv2d, subsample};
use crate::BagNetError;
use dimorph_core::rng::{Draws, SplitMix64};

/// Receptive-field size of a BagNet: which 3×3 convolutions stay 3×3.
///
/// Written as its command-line name (`bagnet33`); model folders and runs saved before read back
/// from the variant name (`BagNet33`) too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Arch {
    /// q = 9 (reference `bagnet8`): stage flags [1, 1, 0, 0].
    #[serde(alias = "BagNet9")]
    BagNet9,
    /// q = 17 (reference `bagnet16`): stage flags [1, 1, 1, 0].
    #[serde(alias = "BagNet17")]
    BagNet17,
    /// q = 33 (reference `bagnet32`): stage flags [1, 1, 1, 1].
    #[serde(alias = "BagNet33")]
    BagNet33,
    /// ResNet-50 (He et al. 2016; torchvision `resnet50`), the BagNet's global counterpart: the
    /// same [3, 4, 6, 3] bottleneck stages with padded 3×3 convolutions and global average pooling
    /// (a baseline of the paper's Table 1; [`crate::resnet`]).
    #[serde(alias = "ResNet50")]
    ResNet50,
    /// Inception-v3 (Szegedy et al. 2016; torchvision `inception_v3`), the paper's baseline
    /// ([`crate::inception`]).
    #[serde(rename = "inception-v3", alias = "InceptionV3", alias = "inception_v3")]
    InceptionV3,
}

/// Bottleneck blocks per stage (the ResNet-50 layout).
pub const LAYERS: [usize; 4] = [3, 4, 6, 3];
/// Strides of the four stages, applied in block 0's k×k conv and its 1×1 downsample.
pub const STRIDES: [usize; 4] = [2, 2, 2, 1];
/// Distance in input pixels between neighbouring patches.
pub const PATCH_STRIDE: usize = 8;

impl Arch {
    /// Parse `bagnet9|bagnet17|bagnet33` (also the reference names `bagnet8|16|32`).
    pub fn parse(s: &str) -> Result<Arch, BagNetError> {
        match s.to_ascii_lowercase().as_str() {
            "bagnet9" | "bagnet8" | "9" => Ok(Arch::BagNet9),
            "bagnet17" | "bagnet16" | "17" => Ok(Arch::BagNet17),
            "bagnet33" | "bagnet32" | "33" => Ok(Arch::BagNet33),
            "resnet50" | "resnet-50" | "resnet_50" => Ok(Arch::ResNet50),
            "inception_v3" | "inception-v3" | "inceptionv3" | "inception3" => Ok(Arch::InceptionV3),
            _ => Err(BagNetError::Arg(format!(
                "--arch: unknown architecture '{s}' (expected bagnet9, bagnet17, bagnet33, resnet50 or inception-v3)"
            ))),
        }
    }
    /// Whether the architecture is a BagNet (patch evidence); else a global baseline CNN.
    pub fn is_bagnet(self) -> bool {
        matches!(self, Arch::BagNet9 | Arch::BagNet17 | Arch::BagNet33)
    }
    /// Receptive field q in pixels of a BagNet; for a global model, the smallest input side it
    /// takes (32 px for ResNet-50, 75 px for Inception-v3).
    pub fn q(self) -> usize {
        match self {
            Arch::BagNet9 => 9,
            Arch::BagNet17 => 17,
            Arch::BagNet33 => 33,
            Arch::ResNet50 => 32,
            Arch::InceptionV3 => 75,
        }
    }
    /// Which stages use a 3×3 kernel in block 0 (every stage for the global models).
    pub fn kernel3(self) -> [bool; 4] {
        match self {
            Arch::BagNet9 => [true, true, false, false],
            Arch::BagNet17 => [true, true, true, false],
            Arch::BagNet33 | Arch::ResNet50 | Arch::InceptionV3 => [true, true, true, true],
        }
    }
    /// Name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Arch::BagNet9 => "bagnet9",
            Arch::BagNet17 => "bagnet17",
            Arch::BagNet33 => "bagnet33",
            Arch::ResNet50 => "resnet50",
            Arch::InceptionV3 => "inception-v3",
        }
    }
    /// Side of the evidence map for a square input of side `input` (of the final feature map for a
    /// global model), or an error when the input is smaller than the receptive field (than the
    /// global model's smallest input).
    pub fn map_size(self, input: usize) -> Result<usize, BagNetError> {
        match self {
            Arch::ResNet50 => return crate::baseline_size::resnet50(input),
            Arch::InceptionV3 => return crate::baseline_size::inception_v3(input),
            _ => {}
        }
        let small = || BagNetError::TooSmall {
            size: input,
            q: self.q(),
        };
        let mut s = input.checked_sub(2).filter(|&s| s >= 1).ok_or_else(small)?;
        for (stage, &k3) in self.kernel3().iter().enumerate() {
            let k = if k3 { 3 } else { 1 };
            if s < k {
                return Err(small());
            }
            s = (s - k) / STRIDES[stage] + 1;
        }
        Ok(s)
    }
}

/// Options of a BagNet: architecture, number of outputs and width multiplier.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BagNetConfig {
    pub arch: Arch,
    /// 1 (one logistic output) for two classes, K (softmax) for K > 2 classes.
    pub outputs: usize,
    /// Width multiplier on every channel count (1.0 = the reference BagNet).
    pub width: f64,
}

impl BagNetConfig {
    pub fn new(arch: Arch, outputs: usize) -> Self {
        BagNetConfig {
            arch,
            outputs,
            width: 1.0,
        }
    }
    pub fn with_width(mut self, width: f64) -> Self {
        self.width = width;
        self
    }
    /// Channel count `c` of the reference BagNet scaled by the width multiplier (at least 1).
    pub fn channels(&self, c: usize) -> usize {
        ((c as f64 * self.width).round() as usize).max(1)
    }
    /// Length of each patch's feature vector (2048 at width 1).
    pub fn feature_dim(&self) -> usize {
        self.channels(512) * 4
    }
    /// Build the network with the reference initialisation: conv weights N(0, √(2/(k²·out))),
    /// batch-norm γ = 1, β = 0, the linear head uniform ±1/√fan_in.
    /// The weights are drawn from this crate's seeded generator (seed 0), not burn's global one,
    /// so that they do not depend on other threads (see [`Self::init_seeded`]).
    pub fn init<B: Backend>(&self, device: &B::Device) -> BagNet<B> {
        self.init_seeded(device, 0)
    }

    /// [`Self::init`] with the weights drawn from `seed`.
    pub fn init_seeded<B: Backend>(&self, device: &B::Device, seed: u64) -> BagNet<B> {
        let mut rng = SplitMix64::derive(seed, 50, 0);
        let rng = &mut rng;
        let stem_w = self.channels(64);
        let stem1 = conv(3, stem_w, 1, 1, rng, device);
        let stem2 = conv(stem_w, stem_w, 3, 1, rng, device);
        // The reference sets PyTorch momentum 0.001 on the stem batch norm, tuned for fine-tuning
        // ImageNet weights; from scratch its running statistics would stay near their initial
        // values for hundreds of steps, so all batch norms here use the PyTorch default 0.1.
        let stem_bn = BatchNormConfig::new(stem_w).init(device);
        let mut inplanes = stem_w;
        // Stage by stage in order: the weights are drawn from one stream.
        let layer1 = self.stage(0, &mut inplanes, rng, device);
        let layer2 = self.stage(1, &mut inplanes, rng, device);
        let layer3 = self.stage(2, &mut inplanes, rng, device);
        let layer4 = self.stage(3, &mut inplanes, rng, device);
        BagNet {
            stem1,
            stem2,
            stem_bn,
            layer1,
            layer2,
            layer3,
            layer4,
            fc: {
                let mut fc = LinearConfig::new(inplanes, self.outputs)
                    .with_initializer(Initializer::Zeros)
                    .init(device);
                let b = 1.0 / (inplanes as f64).sqrt();
                let mut draw = |n: usize| -> Vec<f32> { (0..n).map(|_| rng.range(-b, b) as f32).collect() };
                fc.weight = Param::from_tensor(Tensor::from_data(
                    TensorData::new(draw(inplanes * self.outputs), [inplanes, self.outputs]),
                    device,
                ));
                fc.bias = Some(Param::from_tensor(Tensor::from_data(
                    TensorData::new(draw(self.outputs), [self.outputs]),
                    device,
                )));
                fc
            },
        }
    }
}

impl BagNetConfig {
    /// The bottleneck blocks of stage `s` (0-based) on `*inplanes` input channels, which it
    /// leaves at the stage's output channels.
    fn stage<B: Backend>(
        &self,
        s: usize,
        inplanes: &mut usize,
        rng: &mut SplitMix64,
        device: &B::Device,
    ) -> Vec<Bottleneck<B>> {
        let planes = self.channels(64 << s);
        let mut blocks = Vec::new();
        for b in 0..LAYERS[s] {
            let k = if b == 0 && self.arch.kernel3()[s] { 3 } else { 1 };
            let stride = if b == 0 { STRIDES[s] } else { 1 };
            let downsample = (b == 0 && (stride != 1 || *inplanes != planes * 4)).then(|| Downsample {
                conv: conv(*inplanes, planes * 4, 1, stride, rng, device),
                bn: BatchNormConfig::new(planes * 4).init(device),
            });
            blocks.push(Bottleneck {
                conv1: conv(*inplanes, planes, 1, 1, rng, device),
                bn1: BatchNormConfig::new(planes).init(device),
                conv2: conv(planes, planes, k, stride, rng, device),
                bn2: BatchNormConfig::new(planes).init(device),
                conv3: conv(planes, planes * 4, 1, 1, rng, device),
                bn3: BatchNormConfig::new(planes * 4).init(device),
                downsample,
            });
            *inplanes = planes * 4;
        }
        blocks
    }
}

fn conv<B: Backend>(
    cin: usize,
    cout: usize,
    k: usize,
    stride: usize,
    rng: &mut SplitMix64,
    device: &B::Device,
) -> Conv2d<B> {
    let mut c = Conv2dConfig::new([cin, cout], [k, k])
        .with_stride([stride, stride])
        .with_bias(false)
        .with_initializer(Initializer::Zeros)
        .init(device);
    // N(0, √(2/(k²·out))), the reference initialisation.
    let std = (2.0 / (k * k * cout) as f64).sqrt();
    let w: Vec<f32> = (0..cout * cin * k * k).map(|_| (rng.normal() * std) as f32).collect();
    c.weight = Param::from_tensor(Tensor::from_data(TensorData::new(w, [cout, cin, k, k]), device));
    c
}

/// 1×1 strided projection of the residual in block 0 of a stage.
#[derive(Module, Debug)]
pub struct Downsample<B: Backend> {
    pub conv: Conv2d<B>,
    pub bn: BatchNorm<B>,
}

/// A bottleneck block: 1×1 → k×k (strided, unpadded) → 1×1 (×4 channels), plus the residual
/// cropped at bottom and right to the output's size.
#[derive(Module, Debug)]
pub struct Bottleneck<B: Backend> {
    pub conv1: Conv2d<B>,
    pub bn1: BatchNorm<B>,
    pub conv2: Conv2d<B>,
    pub bn2: BatchNorm<B>,
    pub conv3: Conv2d<B>,
    pub bn3: BatchNorm<B>,
    pub downsample: Option<Downsample<B>>,
}

impl<B: BagnetBackend> Bottleneck<B> {
    pub fn forward(&self, x: Tensor<B, 4>) -> Tensor<B, 4> {
        let out = bn_act(&self.bn1, conv2d(&self.conv1, x.clone()), None, true);
        let out = bn_act(&self.bn2, conv2d(&self.conv2, out), None, true);
        let out = conv2d(&self.conv3, out);
        let [_, _, h, w] = out.dims();
        // The residual, cropped at bottom and right to the output's h×w after its downsample (the
        // batch statistics of the downsample's batch norm include the cropped rows and columns).
        let residual = match &self.downsample {
            Some(d) => bn_act(&d.bn, conv2d(&d.conv, x), None, false),
            None => x,
        };
        bn_act(&self.bn3, out, Some(subsample(residual, 1, h, w)), true)
    }
}

/// A BagNet: stem, four bottleneck stages, and a linear head applied per patch.
#[derive(Module, Debug)]
pub struct BagNet<B: Backend> {
    pub stem1: Conv2d<B>,
    pub stem2: Conv2d<B>,
    pub stem_bn: BatchNorm<B>,
    pub layer1: Vec<Bottleneck<B>>,
    pub layer2: Vec<Bottleneck<B>>,
    pub layer3: Vec<Bottleneck<B>>,
    pub layer4: Vec<Bottleneck<B>>,
    pub fc: Linear<B>,
}

impl<B: BagnetBackend> BagNet<B> {
    /// Patch features `[N, C, h, w]` of normalised images `[N, 3, H, W]`: one C-vector per q×q patch.
    pub fn features(&self, x: Tensor<B, 4>) -> Tensor<B, 4> {
        let mut x = self.stem(x);
        for layer in [&self.layer1, &self.layer2, &self.layer3, &self.layer4] {
            for block in layer {
                x = block.forward(x);
            }
        }
        x
    }

    /// The stem: 1×1 conv, 3×3 conv, batch norm, ReLU.
    pub fn stem(&self, x: Tensor<B, 4>) -> Tensor<B, 4> {
        bn_act(&self.stem_bn, conv2d(&self.stem2, conv2d(&self.stem1, x)), None, true)
    }

    /// Per-patch evidence `[N, h, w, K]`: the head applied to each patch's feature vector (w·x + b).
    pub fn patch_logits(&self, features: Tensor<B, 4>) -> Tensor<B, 4> {
        self.fc.forward(features.permute([0, 2, 3, 1]))
    }

    /// Image logits `[N, K]` from patch features: average-pool then linear, which equals the mean
    /// of the patch logits because the head is affine.
    pub fn pooled_logits(&self, features: Tensor<B, 4>) -> Tensor<B, 2> {
        let [n, c, _, _] = features.dims();
        let pooled = features.mean_dim(3).mean_dim(2).reshape([n, c]);
        self.fc.forward(pooled)
    }

    /// Number of trainable parameters: all parameters less the batch-norm running means and
    /// variances, which burn's `num_params` also counts.
    pub fn trainable_params(&self) -> usize {
        let bn_channels = |bn: &BatchNorm<B>| bn.gamma.dims()[0];
        let mut running = bn_channels(&self.stem_bn);
        for layer in [&self.layer1, &self.layer2, &self.layer3, &self.layer4] {
            for b in layer {
                running += bn_channels(&b.bn1) + bn_channels(&b.bn2) + bn_channels(&b.bn3);
                if let Some(d) = &b.downsample {
                    running += bn_channels(&d.bn);
                }
            }
        }
        self.num_params() - 2 * running
    }

    /// Image logits `[N, K]` of normalised images.
    pub fn forward(&self, x: Tensor<B, 4>) -> Tensor<B, 2> {
        self.pooled_logits(self.features(x))
    }
}

/// ImageNet channel means and standard deviations used to normalise RGB inputs in [0, 1].
pub const IMAGENET_MEAN: [f32; 3] = [0.485, 0.456, 0.406];
pub const IMAGENET_STD: [f32; 3] = [0.229, 0.224, 0.225];
