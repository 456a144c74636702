//! Seeded convolution, batch-norm and linear layers for the baseline CNNs ([`crate::resnet`],
//! [`crate::inception`]), drawn from this crate's generator (not burn's global one) with
//! torchvision's initialisations: convolution weights normal with a given standard deviation
//! (Kaiming fan-out for ResNet, He et al. 2015; 0.1 for Inception-v3, whose truncation at ±2 lies
//! 20 standard deviations out), the linear head's bias (and, by default, its weight) uniform
//! ±1/√fan_in as PyTorch's `nn.Linear` draws them.

use burn::module::{Initializer, Param};
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig, PaddingConfig2d};
use burn::tensor::backend::Backend;
use burn::tensor::{Tensor, TensorData};
use dimorph_core::rng::{Draws, SplitMix64};

/// The shape of a bias-free convolution: channels in and out, kernel `[kh, kw]`, stride and
/// zero padding `[ph, pw]` (both sides).
#[derive(Debug, Clone, Copy)]
pub struct ConvShape {
    pub cin: usize,
    pub cout: usize,
    pub kernel: [usize; 2],
    pub stride: usize,
    pub pad: [usize; 2],
}

impl ConvShape {
    /// A square k×k kernel with padding `pad` on every side.
    pub fn square(cin: usize, cout: usize, k: usize, stride: usize, pad: usize) -> Self {
        ConvShape {
            cin,
            cout,
            kernel: [k, k],
            stride,
            pad: [pad, pad],
        }
    }

    /// Kaiming normal with fan-out and ReLU gain: √(2 / (kh·kw·out)), torchvision's ResNet.
    pub fn kaiming_fan_out(&self) -> f64 {
        (2.0 / (self.kernel[0] * self.kernel[1] * self.cout) as f64).sqrt()
    }
}

/// A bias-free convolution of shape `s` with weights N(0, std²).
pub fn conv<B: Backend>(s: ConvShape, std: f64, rng: &mut SplitMix64, device: &B::Device) -> Conv2d<B> {
    let [kh, kw] = s.kernel;
    let padding = if s.pad == [0, 0] {
        PaddingConfig2d::Valid
    } else {
        PaddingConfig2d::Explicit(s.pad[0], s.pad[1], s.pad[0], s.pad[1])
    };
    let mut c = Conv2dConfig::new([s.cin, s.cout], [kh, kw])
        .with_stride([s.stride, s.stride])
        .with_padding(padding)
        .with_bias(false)
        .with_initializer(Initializer::Zeros)
        .init(device);
    let w: Vec<f32> = (0..s.cout * s.cin * kh * kw)
        .map(|_| (rng.normal() * std) as f32)
        .collect();
    c.weight = Param::from_tensor(Tensor::from_data(TensorData::new(w, [s.cout, s.cin, kh, kw]), device));
    c
}

/// A batch norm over `c` channels (γ = 1, β = 0) with PyTorch's momentum 0.1 and the given ε.
pub fn batch_norm<B: Backend>(c: usize, epsilon: f64, device: &B::Device) -> BatchNorm<B> {
    BatchNormConfig::new(c).with_epsilon(epsilon).init(device)
}

/// A linear head `fan_in → outputs`: bias uniform ±1/√fan_in; weight N(0, std²) when `weight_std`
/// is given, else uniform ±1/√fan_in as well.
pub fn linear<B: Backend>(
    fan_in: usize,
    outputs: usize,
    weight_std: Option<f64>,
    rng: &mut SplitMix64,
    device: &B::Device,
) -> Linear<B> {
    let mut fc = LinearConfig::new(fan_in, outputs)
        .with_initializer(Initializer::Zeros)
        .init(device);
    let b = 1.0 / (fan_in as f64).sqrt();
    let w: Vec<f32> = (0..fan_in * outputs)
        .map(|_| match weight_std {
            Some(std) => (rng.normal() * std) as f32,
            None => rng.range(-b, b) as f32,
        })
        .collect();
    let bias: Vec<f32> = (0..outputs).map(|_| rng.range(-b, b) as f32).collect();
    fc.weight = Param::from_tensor(Tensor::from_data(TensorData::new(w, [fan_in, outputs]), device));
    fc.bias = Some(Param::from_tensor(Tensor::from_data(
        TensorData::new(bias, [outputs]),
        device,
    )));
    fc
}
