//! ResNet-50 (He et al. 2016, "Deep residual learning for image recognition"; torchvision's
//! `resnet50`, the "v1.5" variant with the stride in the 3×3 convolution), the BagNet's global
//! counterpart in the paper's Table 1 (Ilanchezian et al. 2021): the same [3, 4, 6, 3] bottleneck
//! stages as [`crate::model`], but a 7×7 stem of stride 2 with a 3×3 max-pool, padded 3×3
//! convolutions in every block, and global average pooling before the linear head, so every output
//! sees the whole image.
//!
//! The modules carry torchvision's names (`conv1`, `bn1`, `layer{1..4}.{i}.conv1/bn1/…/bn3`,
//! `layer{s}.0.downsample.{0,1}` as our `downsample.conv|bn`, `fc`), so torchvision's weight files
//! load through [`crate::weights`]; the layers run through [`crate::layers`] (the backend's
//! kernels for 1×1 convolutions and batch norm, burn's convolution for the padded ones). The
//! blocks are the BagNet's [`Bottleneck`] with a padded 3×3 convolution: its residual crop to the
//! output's size is then the whole residual.

use burn::module::Module;
use burn::nn::conv::Conv2d;
use burn::nn::{BatchNorm, Linear};
use burn::tensor::backend::Backend;
use burn::tensor::module::max_pool2d;
use burn::tensor::Tensor;

use crate::backend::BagnetBackend;
use crate::layers::{bn_act, conv2d};
use crate::model::{BagNetConfig, Bottleneck, Downsample, LAYERS};
use crate::seeded::{self, ConvShape};
use dimorph_core::rng::SplitMix64;

/// Strides of the four stages (in block 0's 3×3 convolution and its downsample).
pub const STRIDES: [usize; 4] = [1, 2, 2, 2];
/// PyTorch's batch-norm ε.
const EPS: f64 = 1e-5;
/// ResNet-50: stem, four bottleneck stages, global average pooling and a linear head.
#[derive(Module, Debug)]
pub struct ResNet<B: Backend> {
    pub conv1: Conv2d<B>,
    pub bn1: BatchNorm<B>,
    pub layer1: Vec<Bottleneck<B>>,
    pub layer2: Vec<Bottleneck<B>>,
    pub layer3: Vec<Bottleneck<B>>,
    pub layer4: Vec<Bottleneck<B>>,
    pub fc: Linear<B>,
}

/// Build a ResNet-50 with `c.outputs` outputs, every channel count scaled by `c.width`, and
/// torchvision's initialisation drawn from `seed`.
pub fn init<B: Backend>(c: &BagNetConfig, device: &B::Device, seed: u64) -> ResNet<B> {
    let mut rng = SplitMix64::derive(seed, 51, 0);
    let rng = &mut rng;
    let stem = c.channels(64);
    let s = ConvShape::square(3, stem, 7, 2, 3);
    let conv1 = seeded::conv(s, s.kaiming_fan_out(), rng, device);
    let mut inplanes = stem;
    let mut next = |i: usize| -> Vec<Bottleneck<B>> { stage(c, i, &mut inplanes, rng, device) };
    let (layer1, layer2, layer3, layer4) = (next(0), next(1), next(2), next(3));
    let features = c.channels(512) * 4;
    ResNet {
        conv1,
        bn1: seeded::batch_norm(stem, EPS, device),
        layer1,
        layer2,
        layer3,
        layer4,
        fc: seeded::linear(features, c.outputs, None, &mut SplitMix64::derive(seed, 51, 1), device),
    }
}

/// The blocks of stage `s` (0-based) on `*inplanes` input channels, which it leaves at the
/// stage's output channels.
fn stage<B: Backend>(
    c: &BagNetConfig,
    s: usize,
    inplanes: &mut usize,
    rng: &mut SplitMix64,
    device: &B::Device,
) -> Vec<Bottleneck<B>> {
    let planes = c.channels(64 << s);
    let mut conv = |shape: ConvShape| seeded::conv(shape, shape.kaiming_fan_out(), rng, device);
    let bn = |ch: usize| seeded::batch_norm(ch, EPS, device);
    let mut blocks = Vec::new();
    for b in 0..LAYERS[s] {
        let stride = if b == 0 { STRIDES[s] } else { 1 };
        let downsample = (b == 0 && (stride != 1 || *inplanes != planes * 4)).then(|| Downsample {
            conv: conv(ConvShape::square(*inplanes, planes * 4, 1, stride, 0)),
            bn: bn(planes * 4),
        });
        blocks.push(Bottleneck {
            conv1: conv(ConvShape::square(*inplanes, planes, 1, 1, 0)),
            bn1: bn(planes),
            conv2: conv(ConvShape::square(planes, planes, 3, stride, 1)),
            bn2: bn(planes),
            conv3: conv(ConvShape::square(planes, planes * 4, 1, 1, 0)),
            bn3: bn(planes * 4),
            downsample,
        });
        *inplanes = planes * 4;
    }
    blocks
}

impl<B: BagnetBackend> ResNet<B> {
    /// The final feature map `[N, C, h, w]` of normalised images `[N, 3, H, W]` (before pooling).
    pub fn features(&self, x: Tensor<B, 4>) -> Tensor<B, 4> {
        let x = bn_act(&self.bn1, conv2d(&self.conv1, x), None, true);
        let mut x = max_pool2d(x, [3, 3], [2, 2], [1, 1], [1, 1], false);
        for layer in [&self.layer1, &self.layer2, &self.layer3, &self.layer4] {
            for block in layer {
                x = block.forward(x);
            }
        }
        x
    }

    /// Image logits `[N, K]` from the feature map: global average pooling, then the head.
    pub fn pooled_logits(&self, features: Tensor<B, 4>) -> Tensor<B, 2> {
        let [n, c, _, _] = features.dims();
        self.fc.forward(features.mean_dim(3).mean_dim(2).reshape([n, c]))
    }

    /// Image logits `[N, K]` of normalised images.
    pub fn forward(&self, x: Tensor<B, 4>) -> Tensor<B, 2> {
        self.pooled_logits(self.features(x))
    }
}
