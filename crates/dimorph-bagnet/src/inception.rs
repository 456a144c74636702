//! Inception-v3 (Szegedy et al. 2016, "Rethinking the Inception architecture for computer
//! vision"; torchvision's `inception_v3`), the baseline CNN of the paper's Table 1 (Ilanchezian et
//! al. 2021): a stem of 3×3 convolutions and max-pools, the Inception blocks A (×3), B, C (×4), D
//! and E (×2) with their factorised 1×7/7×1 and 1×3/3×1 convolutions, global average pooling,
//! dropout 0.5 (in training) and a linear head. Inputs of 299 px give an 8×8 final map; 75 px is
//! the smallest input.
//!
//! The modules carry torchvision's names (`Conv2d_1a_3x3.conv|bn`, `Mixed_5b.branch1x1`, …, `fc`),
//! so torchvision's weight files load through [`crate::weights`]. Every convolution is bias-free
//! and followed by batch norm (ε = 0.001) and ReLU (torchvision's `BasicConv2d`). The input is
//! transformed as torchvision does for its pretrained weights (`transform_input=True`): our
//! ImageNet-normalised input is mapped to the [−1, 1] scaling those weights were trained with.
//! The auxiliary classifier `AuxLogits` (torchvision's `InceptionAux`, §7 of the paper) reads
//! Mixed_6e's map; like torchvision, it serves only the training loss (the main loss + 0.4 × its
//! loss, [`crate::train::loss::objective`]) and needs inputs of at least 299 px (its 5×5 pooling of
//! stride 3 and 5×5 convolution need Mixed_6e's 17×17 grid); inference uses the main head alone.
#![allow(non_snake_case)]

use burn::module::Module;
use burn::nn::conv::Conv2d;
use burn::nn::{BatchNorm, Dropout, DropoutConfig, Linear};
use burn::tensor::backend::Backend;
use burn::tensor::module::{avg_pool2d, max_pool2d};
use burn::tensor::{Tensor, TensorData};

use crate::backend::BagnetBackend;
use crate::layers::{bn_act, conv2d};
use crate::model::{BagNetConfig, IMAGENET_MEAN, IMAGENET_STD};
use crate::seeded::{self, ConvShape};
use dimorph_core::rng::SplitMix64;

/// torchvision's batch-norm ε in `BasicConv2d`.
const EPS: f64 = 0.001;
/// torchvision's standard deviation of the (truncated) normal initialisation.
const INIT_STD: f64 = 0.1;
/// torchvision's standard deviations for the auxiliary classifier's 5×5 convolution and head.
const AUX_CONV1_STD: f64 = 0.01;
const AUX_FC_STD: f64 = 0.001;
/// The smallest side of Mixed_6e's map on which the auxiliary classifier runs (inputs of 299 px).
pub const AUX_MIN_GRID: usize = 17;

/// torchvision's `BasicConv2d`: bias-free convolution, batch norm (ε 0.001), ReLU.
#[derive(Module, Debug)]
pub struct BasicConv<B: Backend> {
    pub conv: Conv2d<B>,
    pub bn: BatchNorm<B>,
}

impl<B: BagnetBackend> BasicConv<B> {
    pub fn forward(&self, x: Tensor<B, 4>) -> Tensor<B, 4> {
        bn_act(&self.bn, conv2d(&self.conv, x), None, true)
    }
}

/// Builds the layers: width-scaled channel counts, weights from one seeded stream.
struct Maker<'a, B: Backend> {
    cfg: &'a BagNetConfig,
    rng: SplitMix64,
    device: &'a B::Device,
}

impl<B: Backend> Maker<'_, B> {
    /// Channel count `c` of the reference network at the model's width.
    fn ch(&self, c: usize) -> usize {
        self.cfg.channels(c)
    }

    /// A `BasicConv2d` from `cin` (already scaled) to the reference's `cout` channels.
    fn conv(&mut self, cin: usize, cout: usize, kernel: [usize; 2], stride: usize, pad: [usize; 2]) -> BasicConv<B> {
        self.conv_std(cin, cout, kernel, stride, pad, INIT_STD)
    }

    /// [`Self::conv`] with weights N(0, std²).
    fn conv_std(
        &mut self,
        cin: usize,
        cout: usize,
        kernel: [usize; 2],
        stride: usize,
        pad: [usize; 2],
        std: f64,
    ) -> BasicConv<B> {
        let cout = self.ch(cout);
        let s = ConvShape {
            cin,
            cout,
            kernel,
            stride,
            pad,
        };
        BasicConv {
            conv: seeded::conv(s, std, &mut self.rng, self.device),
            bn: seeded::batch_norm(cout, EPS, self.device),
        }
    }

    /// A square k×k `BasicConv2d`.
    fn sq(&mut self, cin: usize, cout: usize, k: usize, stride: usize, pad: usize) -> BasicConv<B> {
        self.conv(cin, cout, [k, k], stride, [pad, pad])
    }
}

/// 3×3 average pooling of stride 1 and padding 1, the padding counted (PyTorch's default).
fn avg3<B: Backend>(x: Tensor<B, 4>) -> Tensor<B, 4> {
    avg_pool2d(x, [3, 3], [1, 1], [1, 1], true, false)
}

/// 3×3 max-pooling of stride 2, unpadded.
fn max3<B: Backend>(x: Tensor<B, 4>) -> Tensor<B, 4> {
    max_pool2d(x, [3, 3], [2, 2], [0, 0], [1, 1], false)
}

/// Block A (35×35 grid): 1×1, 5×5, double 3×3 and pooled branches.
#[derive(Module, Debug)]
pub struct InceptionA<B: Backend> {
    pub branch1x1: BasicConv<B>,
    pub branch5x5_1: BasicConv<B>,
    pub branch5x5_2: BasicConv<B>,
    pub branch3x3dbl_1: BasicConv<B>,
    pub branch3x3dbl_2: BasicConv<B>,
    pub branch3x3dbl_3: BasicConv<B>,
    pub branch_pool: BasicConv<B>,
}

impl<B: Backend> InceptionA<B> {
    fn new(m: &mut Maker<B>, cin: usize, pool_features: usize) -> (Self, usize) {
        let block = InceptionA {
            branch1x1: m.sq(cin, 64, 1, 1, 0),
            branch5x5_1: m.sq(cin, 48, 1, 1, 0),
            branch5x5_2: m.sq(m.ch(48), 64, 5, 1, 2),
            branch3x3dbl_1: m.sq(cin, 64, 1, 1, 0),
            branch3x3dbl_2: m.sq(m.ch(64), 96, 3, 1, 1),
            branch3x3dbl_3: m.sq(m.ch(96), 96, 3, 1, 1),
            branch_pool: m.sq(cin, pool_features, 1, 1, 0),
        };
        (block, 2 * m.ch(64) + m.ch(96) + m.ch(pool_features))
    }
}

impl<B: BagnetBackend> InceptionA<B> {
    pub fn forward(&self, x: Tensor<B, 4>) -> Tensor<B, 4> {
        let b1 = self.branch1x1.forward(x.clone());
        let b5 = self.branch5x5_2.forward(self.branch5x5_1.forward(x.clone()));
        let b3 = self.branch3x3dbl_1.forward(x.clone());
        let b3 = self.branch3x3dbl_3.forward(self.branch3x3dbl_2.forward(b3));
        let bp = self.branch_pool.forward(avg3(x));
        Tensor::cat(vec![b1, b5, b3, bp], 1)
    }
}

/// Block B (35×35 → 17×17): strided 3×3, strided double 3×3 and max-pooled branches.
#[derive(Module, Debug)]
pub struct InceptionB<B: Backend> {
    pub branch3x3: BasicConv<B>,
    pub branch3x3dbl_1: BasicConv<B>,
    pub branch3x3dbl_2: BasicConv<B>,
    pub branch3x3dbl_3: BasicConv<B>,
}

impl<B: Backend> InceptionB<B> {
    fn new(m: &mut Maker<B>, cin: usize) -> (Self, usize) {
        let block = InceptionB {
            branch3x3: m.sq(cin, 384, 3, 2, 0),
            branch3x3dbl_1: m.sq(cin, 64, 1, 1, 0),
            branch3x3dbl_2: m.sq(m.ch(64), 96, 3, 1, 1),
            branch3x3dbl_3: m.sq(m.ch(96), 96, 3, 2, 0),
        };
        (block, m.ch(384) + m.ch(96) + cin)
    }
}

impl<B: BagnetBackend> InceptionB<B> {
    pub fn forward(&self, x: Tensor<B, 4>) -> Tensor<B, 4> {
        let b3 = self.branch3x3.forward(x.clone());
        let bd = self.branch3x3dbl_1.forward(x.clone());
        let bd = self.branch3x3dbl_3.forward(self.branch3x3dbl_2.forward(bd));
        Tensor::cat(vec![b3, bd, max3(x)], 1)
    }
}

/// Block C (17×17 grid): 1×1, factorised 7×7, double factorised 7×7 and pooled branches.
#[derive(Module, Debug)]
pub struct InceptionC<B: Backend> {
    pub branch1x1: BasicConv<B>,
    pub branch7x7_1: BasicConv<B>,
    pub branch7x7_2: BasicConv<B>,
    pub branch7x7_3: BasicConv<B>,
    pub branch7x7dbl_1: BasicConv<B>,
    pub branch7x7dbl_2: BasicConv<B>,
    pub branch7x7dbl_3: BasicConv<B>,
    pub branch7x7dbl_4: BasicConv<B>,
    pub branch7x7dbl_5: BasicConv<B>,
    pub branch_pool: BasicConv<B>,
}

impl<B: Backend> InceptionC<B> {
    fn new(m: &mut Maker<B>, cin: usize, c7: usize) -> (Self, usize) {
        let (row, col) = (([1, 7], [0, 3]), ([7, 1], [3, 0]));
        let s7 = m.ch(c7);
        let block = InceptionC {
            branch1x1: m.sq(cin, 192, 1, 1, 0),
            branch7x7_1: m.sq(cin, c7, 1, 1, 0),
            branch7x7_2: m.conv(s7, c7, row.0, 1, row.1),
            branch7x7_3: m.conv(s7, 192, col.0, 1, col.1),
            branch7x7dbl_1: m.sq(cin, c7, 1, 1, 0),
            branch7x7dbl_2: m.conv(s7, c7, col.0, 1, col.1),
            branch7x7dbl_3: m.conv(s7, c7, row.0, 1, row.1),
            branch7x7dbl_4: m.conv(s7, c7, col.0, 1, col.1),
            branch7x7dbl_5: m.conv(s7, 192, row.0, 1, row.1),
            branch_pool: m.sq(cin, 192, 1, 1, 0),
        };
        (block, 4 * m.ch(192))
    }
}

impl<B: BagnetBackend> InceptionC<B> {
    pub fn forward(&self, x: Tensor<B, 4>) -> Tensor<B, 4> {
        let b1 = self.branch1x1.forward(x.clone());
        let b7 = self.branch7x7_1.forward(x.clone());
        let b7 = self.branch7x7_3.forward(self.branch7x7_2.forward(b7));
        let mut bd = self.branch7x7dbl_1.forward(x.clone());
        for c in [
            &self.branch7x7dbl_2,
            &self.branch7x7dbl_3,
            &self.branch7x7dbl_4,
            &self.branch7x7dbl_5,
        ] {
            bd = c.forward(bd);
        }
        let bp = self.branch_pool.forward(avg3(x));
        Tensor::cat(vec![b1, b7, bd, bp], 1)
    }
}

/// Block D (17×17 → 8×8): strided 3×3, factorised 7×7 then strided 3×3, and max-pooled branches.
#[derive(Module, Debug)]
pub struct InceptionD<B: Backend> {
    pub branch3x3_1: BasicConv<B>,
    pub branch3x3_2: BasicConv<B>,
    pub branch7x7x3_1: BasicConv<B>,
    pub branch7x7x3_2: BasicConv<B>,
    pub branch7x7x3_3: BasicConv<B>,
    pub branch7x7x3_4: BasicConv<B>,
}

impl<B: Backend> InceptionD<B> {
    fn new(m: &mut Maker<B>, cin: usize) -> (Self, usize) {
        let s192 = m.ch(192);
        let block = InceptionD {
            branch3x3_1: m.sq(cin, 192, 1, 1, 0),
            branch3x3_2: m.sq(s192, 320, 3, 2, 0),
            branch7x7x3_1: m.sq(cin, 192, 1, 1, 0),
            branch7x7x3_2: m.conv(s192, 192, [1, 7], 1, [0, 3]),
            branch7x7x3_3: m.conv(s192, 192, [7, 1], 1, [3, 0]),
            branch7x7x3_4: m.sq(s192, 192, 3, 2, 0),
        };
        (block, m.ch(320) + s192 + cin)
    }
}

impl<B: BagnetBackend> InceptionD<B> {
    pub fn forward(&self, x: Tensor<B, 4>) -> Tensor<B, 4> {
        let b3 = self.branch3x3_2.forward(self.branch3x3_1.forward(x.clone()));
        let mut b7 = self.branch7x7x3_1.forward(x.clone());
        for c in [&self.branch7x7x3_2, &self.branch7x7x3_3, &self.branch7x7x3_4] {
            b7 = c.forward(b7);
        }
        Tensor::cat(vec![b3, b7, max3(x)], 1)
    }
}

/// Block E (8×8 grid): 1×1, split 3×3, double split 3×3 and pooled branches.
#[derive(Module, Debug)]
pub struct InceptionE<B: Backend> {
    pub branch1x1: BasicConv<B>,
    pub branch3x3_1: BasicConv<B>,
    pub branch3x3_2a: BasicConv<B>,
    pub branch3x3_2b: BasicConv<B>,
    pub branch3x3dbl_1: BasicConv<B>,
    pub branch3x3dbl_2: BasicConv<B>,
    pub branch3x3dbl_3a: BasicConv<B>,
    pub branch3x3dbl_3b: BasicConv<B>,
    pub branch_pool: BasicConv<B>,
}

impl<B: Backend> InceptionE<B> {
    fn new(m: &mut Maker<B>, cin: usize) -> (Self, usize) {
        let s384 = m.ch(384);
        let block = InceptionE {
            branch1x1: m.sq(cin, 320, 1, 1, 0),
            branch3x3_1: m.sq(cin, 384, 1, 1, 0),
            branch3x3_2a: m.conv(s384, 384, [1, 3], 1, [0, 1]),
            branch3x3_2b: m.conv(s384, 384, [3, 1], 1, [1, 0]),
            branch3x3dbl_1: m.sq(cin, 448, 1, 1, 0),
            branch3x3dbl_2: m.sq(m.ch(448), 384, 3, 1, 1),
            branch3x3dbl_3a: m.conv(s384, 384, [1, 3], 1, [0, 1]),
            branch3x3dbl_3b: m.conv(s384, 384, [3, 1], 1, [1, 0]),
            branch_pool: m.sq(cin, 192, 1, 1, 0),
        };
        (block, m.ch(320) + 4 * s384 + m.ch(192))
    }
}

impl<B: BagnetBackend> InceptionE<B> {
    pub fn forward(&self, x: Tensor<B, 4>) -> Tensor<B, 4> {
        let b1 = self.branch1x1.forward(x.clone());
        let b3 = self.branch3x3_1.forward(x.clone());
        let b3 = Tensor::cat(
            vec![self.branch3x3_2a.forward(b3.clone()), self.branch3x3_2b.forward(b3)],
            1,
        );
        let bd = self.branch3x3dbl_2.forward(self.branch3x3dbl_1.forward(x.clone()));
        let bd = Tensor::cat(
            vec![
                self.branch3x3dbl_3a.forward(bd.clone()),
                self.branch3x3dbl_3b.forward(bd),
            ],
            1,
        );
        let bp = self.branch_pool.forward(avg3(x));
        Tensor::cat(vec![b1, b3, bd, bp], 1)
    }
}

/// torchvision's `InceptionAux`, the auxiliary classifier on Mixed_6e's map: 5×5 average pooling
/// of stride 3 (17×17 → 5×5), a 1×1 `BasicConv2d` to 128 channels, a 5×5 one to 768, global
/// average pooling and a linear head (768 inputs at full width).
#[derive(Module, Debug)]
pub struct InceptionAux<B: Backend> {
    pub conv0: BasicConv<B>,
    pub conv1: BasicConv<B>,
    pub fc: Linear<B>,
}

impl<B: Backend> InceptionAux<B> {
    fn new(m: &mut Maker<B>, cin: usize, outputs: usize) -> Self {
        let conv0 = m.sq(cin, 128, 1, 1, 0);
        let conv1 = m.conv_std(m.ch(128), 768, [5, 5], 1, [0, 0], AUX_CONV1_STD);
        let fc = seeded::linear(m.ch(768), outputs, Some(AUX_FC_STD), &mut m.rng, m.device);
        InceptionAux { conv0, conv1, fc }
    }
}

impl<B: BagnetBackend> InceptionAux<B> {
    /// Logits `[N, K]` from Mixed_6e's map `[N, C, h, w]` (h, w ≥ [`AUX_MIN_GRID`]).
    pub fn forward(&self, x: Tensor<B, 4>) -> Tensor<B, 2> {
        self.fc.forward(self.pooled(x))
    }

    /// The head's input `[N, C]` from Mixed_6e's map: pooling, both convolutions, global average
    /// pooling (everything but the head `fc`).
    pub fn pooled(&self, x: Tensor<B, 4>) -> Tensor<B, 2> {
        let x = avg_pool2d(x, [5, 5], [3, 3], [0, 0], true, false);
        let x = self.conv1.forward(self.conv0.forward(x));
        let [n, c, _, _] = x.dims();
        x.mean_dim(3).mean_dim(2).reshape([n, c])
    }
}

/// Inception-v3 with its auxiliary classifier (`AuxLogits`, used by the training loss only).
///
/// `AuxLogits` is `None` in a model loaded from a folder saved before dimorph built the auxiliary
/// classifier (its record has no `AuxLogits`: burn reads the missing field as `None`): such a model
/// evaluates as before, and trains with the main loss alone ([`Inception3::has_aux`]).
#[derive(Module, Debug)]
pub struct Inception3<B: Backend> {
    pub Conv2d_1a_3x3: BasicConv<B>,
    pub Conv2d_2a_3x3: BasicConv<B>,
    pub Conv2d_2b_3x3: BasicConv<B>,
    pub Conv2d_3b_1x1: BasicConv<B>,
    pub Conv2d_4a_3x3: BasicConv<B>,
    pub Mixed_5b: InceptionA<B>,
    pub Mixed_5c: InceptionA<B>,
    pub Mixed_5d: InceptionA<B>,
    pub Mixed_6a: InceptionB<B>,
    pub Mixed_6b: InceptionC<B>,
    pub Mixed_6c: InceptionC<B>,
    pub Mixed_6d: InceptionC<B>,
    pub Mixed_6e: InceptionC<B>,
    pub AuxLogits: Option<InceptionAux<B>>,
    pub Mixed_7a: InceptionD<B>,
    pub Mixed_7b: InceptionE<B>,
    pub Mixed_7c: InceptionE<B>,
    pub dropout: Dropout,
    pub fc: Linear<B>,
}

/// Build an Inception-v3 with `c.outputs` outputs, every channel count scaled by `c.width`, and
/// torchvision's initialisation drawn from `seed` (the auxiliary classifier's from a stream of its
/// own, so the other layers draw what they drew before it existed).
pub fn init<B: Backend>(c: &BagNetConfig, device: &B::Device, seed: u64) -> Inception3<B> {
    let mut m = Maker {
        cfg: c,
        rng: SplitMix64::derive(seed, 52, 0),
        device,
    };
    let m = &mut m;
    let c1a = m.sq(3, 32, 3, 2, 0);
    let c2a = m.sq(m.ch(32), 32, 3, 1, 0);
    let c2b = m.sq(m.ch(32), 64, 3, 1, 1);
    let c3b = m.sq(m.ch(64), 80, 1, 1, 0);
    let c4a = m.sq(m.ch(80), 192, 3, 1, 0);
    let n = m.ch(192);
    let (a1, n) = InceptionA::new(m, n, 32);
    let (a2, n) = InceptionA::new(m, n, 64);
    let (a3, n) = InceptionA::new(m, n, 64);
    let (b, n) = InceptionB::new(m, n);
    let (c6b, n) = InceptionC::new(m, n, 128);
    let (c6c, n) = InceptionC::new(m, n, 160);
    let (c6d, n) = InceptionC::new(m, n, 160);
    let (c6e, n) = InceptionC::new(m, n, 192);
    let aux = InceptionAux::new(
        &mut Maker {
            cfg: c,
            rng: SplitMix64::derive(seed, 52, 1),
            device,
        },
        n,
        c.outputs,
    );
    let (d, n) = InceptionD::new(m, n);
    let (e1, n) = InceptionE::new(m, n);
    let (e2, n) = InceptionE::new(m, n);
    let fc = seeded::linear(n, c.outputs, Some(INIT_STD), &mut m.rng, device);
    Inception3 {
        Conv2d_1a_3x3: c1a,
        Conv2d_2a_3x3: c2a,
        Conv2d_2b_3x3: c2b,
        Conv2d_3b_1x1: c3b,
        Conv2d_4a_3x3: c4a,
        Mixed_5b: a1,
        Mixed_5c: a2,
        Mixed_5d: a3,
        Mixed_6a: b,
        Mixed_6b: c6b,
        Mixed_6c: c6c,
        Mixed_6d: c6d,
        Mixed_6e: c6e,
        AuxLogits: Some(aux),
        Mixed_7a: d,
        Mixed_7b: e1,
        Mixed_7c: e2,
        dropout: DropoutConfig::new(0.5).init(),
        fc,
    }
}

/// torchvision's `transform_input`: per channel `x·(std/0.5) + (mean − 0.5)/0.5`, which maps an
/// ImageNet-normalised input to the [−1, 1] scaling of the pretrained Inception-v3.
fn transform_input<B: Backend>(x: Tensor<B, 4>) -> Tensor<B, 4> {
    let device = x.device();
    let col = |v: [f32; 3]| Tensor::<B, 4>::from_data(TensorData::new(v.to_vec(), [1, 3, 1, 1]), &device);
    let scale = col(IMAGENET_STD.map(|s| s / 0.5));
    let shift = col([0, 1, 2].map(|i| (IMAGENET_MEAN[i] - 0.5) / 0.5));
    x * scale + shift
}

impl<B: Backend> Inception3<B> {
    /// Whether the model has its auxiliary classifier (not one loaded from a folder saved before
    /// dimorph built it).
    pub fn has_aux(&self) -> bool {
        self.AuxLogits.is_some()
    }
}

impl<B: BagnetBackend> Inception3<B> {
    /// Mixed_6e's map (the auxiliary classifier's input) of ImageNet-normalised images.
    fn up_to_mixed_6e(&self, x: Tensor<B, 4>) -> Tensor<B, 4> {
        let x = self.Conv2d_1a_3x3.forward(transform_input(x));
        let x = self.Conv2d_2b_3x3.forward(self.Conv2d_2a_3x3.forward(x));
        let x = self.Conv2d_3b_1x1.forward(max3(x));
        let x = max3(self.Conv2d_4a_3x3.forward(x));
        let x = self.Mixed_5d.forward(self.Mixed_5c.forward(self.Mixed_5b.forward(x)));
        let mut x = self.Mixed_6a.forward(x);
        for c in [&self.Mixed_6b, &self.Mixed_6c, &self.Mixed_6d, &self.Mixed_6e] {
            x = c.forward(x);
        }
        x
    }

    /// The final feature map from Mixed_6e's.
    fn after_mixed_6e(&self, x: Tensor<B, 4>) -> Tensor<B, 4> {
        let x = self.Mixed_7a.forward(x);
        self.Mixed_7c.forward(self.Mixed_7b.forward(x))
    }

    /// The final feature map `[N, C, h, w]` of ImageNet-normalised images `[N, 3, H, W]`.
    pub fn features(&self, x: Tensor<B, 4>) -> Tensor<B, 4> {
        self.after_mixed_6e(self.up_to_mixed_6e(x))
    }

    /// The final feature map and the auxiliary classifier's logits `[N, K]`, which need Mixed_6e's
    /// map to be at least [`AUX_MIN_GRID`] on each side (inputs of 299 px and more; none below, and
    /// none for a model without the auxiliary classifier).
    pub fn features_and_aux(&self, x: Tensor<B, 4>) -> (Tensor<B, 4>, Option<Tensor<B, 2>>) {
        self.features_and_aux_with(x, |aux, m| aux.forward(m))
    }

    /// [`Self::features_and_aux`] with the auxiliary classifier's pooled head input `[N, C]` in
    /// place of its logits (for a head epoch: the frozen model's part, the head `fc` left to the
    /// model being trained, [`InceptionAux::pooled`]).
    pub fn features_and_aux_pooled(&self, x: Tensor<B, 4>) -> (Tensor<B, 4>, Option<Tensor<B, 2>>) {
        self.features_and_aux_with(x, |aux, m| aux.pooled(m))
    }

    fn features_and_aux_with(
        &self,
        x: Tensor<B, 4>,
        aux_part: impl FnOnce(&InceptionAux<B>, Tensor<B, 4>) -> Tensor<B, 2>,
    ) -> (Tensor<B, 4>, Option<Tensor<B, 2>>) {
        let x = self.up_to_mixed_6e(x);
        let [_, _, h, w] = x.dims();
        let aux = match &self.AuxLogits {
            Some(a) if h >= AUX_MIN_GRID && w >= AUX_MIN_GRID => Some(aux_part(a, x.clone())),
            _ => None,
        };
        (self.after_mixed_6e(x), aux)
    }

    /// The auxiliary classifier's logits from its pooled head input ([`Self::features_and_aux_pooled`]);
    /// none without the auxiliary classifier.
    pub fn aux_head(&self, pooled: Tensor<B, 2>) -> Option<Tensor<B, 2>> {
        self.AuxLogits.as_ref().map(|a| a.fc.forward(pooled))
    }

    /// Image logits `[N, K]` from the feature map: global average pooling, dropout (training only),
    /// the head.
    pub fn pooled_logits(&self, features: Tensor<B, 4>) -> Tensor<B, 2> {
        let [n, c, _, _] = features.dims();
        let pooled = features.mean_dim(3).mean_dim(2).reshape([n, c]);
        self.fc.forward(self.dropout.forward(pooled))
    }

    /// Image logits `[N, K]` of ImageNet-normalised images.
    pub fn forward(&self, x: Tensor<B, 4>) -> Tensor<B, 2> {
        self.pooled_logits(self.features(x))
    }
}
