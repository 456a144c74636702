//! The models `train` and `eval` run, as one type: a BagNet ([`crate::model`]) or one of the
//! standard CNN baselines of the paper's Table 1 (Ilanchezian et al. 2021), ResNet-50
//! ([`crate::resnet`]) and Inception-v3 ([`crate::inception`]). Each splits into a feature map and
//! "average-pool then linear head", so training (the head phase on frozen features included),
//! batch-norm calibration and prediction are written once. Patch evidence (`explain`) is the
//! BagNet's alone.

use burn::module::Module;
use burn::tensor::backend::Backend;
use burn::tensor::Tensor;
use burn_store::ModuleSnapshot;

use crate::backend::BagnetBackend;
use crate::inception::Inception3;
use crate::model::{Arch, BagNet, BagNetConfig};
use crate::resnet::ResNet;

/// A BagNet or a baseline CNN.
///
/// Inception-v3's module tree is large by value (about 60 KB: 94 convolution + batch-norm pairs), so
/// it lies on the heap, in a `Vec` of exactly one (burn 0.21's `Module` has no implementation for
/// `Box`): every `Net`, a BagNet's included, stays small on the stack while training moves it.
/// (The BagNet and ResNet-50 variants, about 1.3 KB, are left unboxed.)
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum Net<B: Backend> {
    BagNet(BagNet<B>),
    ResNet(ResNet<B>),
    Inception(Vec<Inception3<B>>),
}

/// The one Inception-v3 of [`Net::Inception`].
pub fn the_one<M>(v: &[M]) -> &M {
    match v {
        [m] => m,
        _ => unreachable!("Net::Inception holds exactly one model (built by BagNetConfig::init_net)"),
    }
}

/// A model that maps normalised images `[N, 3, H, W]` to image logits `[N, K]`.
pub trait ImageClassifier<B: BagnetBackend> {
    fn image_logits(&self, x: Tensor<B, 4>) -> Tensor<B, 2>;
}

impl<B: BagnetBackend> ImageClassifier<B> for BagNet<B> {
    fn image_logits(&self, x: Tensor<B, 4>) -> Tensor<B, 2> {
        self.forward(x)
    }
}

impl<B: BagnetBackend> ImageClassifier<B> for Net<B> {
    fn image_logits(&self, x: Tensor<B, 4>) -> Tensor<B, 2> {
        self.forward(x)
    }
}

impl BagNetConfig {
    /// The model of [`Self::arch`]: a BagNet, ResNet-50 or Inception-v3 with the reference
    /// initialisation drawn from `seed` (see [`Self::init_seeded`] for the BagNet).
    pub fn init_net<B: Backend>(&self, device: &B::Device, seed: u64) -> Net<B> {
        match self.arch {
            Arch::ResNet50 => Net::ResNet(crate::resnet::init(self, device, seed)),
            Arch::InceptionV3 => Net::Inception(vec![crate::inception::init(self, device, seed)]),
            Arch::BagNet9 | Arch::BagNet17 | Arch::BagNet33 => Net::BagNet(self.init_seeded(device, seed)),
        }
    }
}

impl<B: Backend> Net<B> {
    /// The BagNet, when this is one.
    pub fn as_bagnet(&self) -> Option<&BagNet<B>> {
        match self {
            Net::BagNet(m) => Some(m),
            _ => None,
        }
    }

    /// Number of trainable parameters: all parameters less the batch-norm running means and
    /// variances, which burn's `num_params` also counts.
    pub fn trainable_params(&self) -> usize {
        let running: usize = self
            .collect(None, None, false)
            .iter()
            .filter(|s| {
                let p = s.full_path();
                p.ends_with(".running_mean") || p.ends_with(".running_var")
            })
            .map(|s| s.shape.to_vec().iter().product::<usize>())
            .sum();
        self.num_params() - running
    }

    /// Parameters of Inception-v3's auxiliary classifier (0 for the other models, or without one).
    pub fn aux_params(&self) -> usize {
        match self {
            Net::Inception(m) => the_one(m).AuxLogits.num_params(),
            _ => 0,
        }
    }

    /// Whether this is an Inception-v3 without its auxiliary classifier: one loaded from a model
    /// folder saved before dimorph built it ([`crate::checkpoint::load_net`]).
    pub fn lacks_aux(&self) -> bool {
        match self {
            Net::Inception(m) => !the_one(m).has_aux(),
            _ => false,
        }
    }

    /// Outputs of the linear head.
    pub fn outputs(&self) -> usize {
        match self {
            Net::BagNet(m) => m.fc.weight.dims()[1],
            Net::ResNet(m) => m.fc.weight.dims()[1],
            Net::Inception(m) => the_one(m).fc.weight.dims()[1],
        }
    }
}

impl<B: BagnetBackend> Net<B> {
    /// The final feature map `[N, C, h, w]` (a BagNet's patch features).
    pub fn features(&self, x: Tensor<B, 4>) -> Tensor<B, 4> {
        match self {
            Net::BagNet(m) => m.features(x),
            Net::ResNet(m) => m.features(x),
            Net::Inception(m) => the_one(m).features(x),
        }
    }

    /// Image logits `[N, K]` from the feature map: average pooling, then the head.
    pub fn pooled_logits(&self, features: Tensor<B, 4>) -> Tensor<B, 2> {
        match self {
            Net::BagNet(m) => m.pooled_logits(features),
            Net::ResNet(m) => m.pooled_logits(features),
            Net::Inception(m) => the_one(m).pooled_logits(features),
        }
    }

    /// Image logits `[N, K]` of normalised images.
    pub fn forward(&self, x: Tensor<B, 4>) -> Tensor<B, 2> {
        self.pooled_logits(self.features(x))
    }

    /// Image logits `[N, K]` and, for Inception-v3 on inputs of at least 299 px, its auxiliary
    /// classifier's logits, which the training loss adds ([`crate::train::loss::objective`]; none
    /// for the other models and for smaller inputs).
    pub fn forward_with_aux(&self, x: Tensor<B, 4>) -> (Tensor<B, 2>, Option<Tensor<B, 2>>) {
        match self {
            Net::Inception(m) => {
                let m = the_one(m);
                let (features, aux) = m.features_and_aux(x);
                (m.pooled_logits(features), aux)
            }
            _ => (self.forward(x), None),
        }
    }

    /// A head epoch's frozen part ([`crate::train`]): the final feature map and, for Inception-v3 on
    /// inputs of at least 299 px, its auxiliary classifier's pooled head input `[N, C]` (all but
    /// the auxiliary head `fc`; none for the other models, smaller inputs or a model without it).
    pub fn frozen_features_and_aux(&self, x: Tensor<B, 4>) -> (Tensor<B, 4>, Option<Tensor<B, 2>>) {
        match self {
            Net::Inception(m) => the_one(m).features_and_aux_pooled(x),
            _ => (self.features(x), None),
        }
    }

    /// The auxiliary head's logits `[N, K]` from [`Self::frozen_features_and_aux`]'s pooled input
    /// (Inception-v3 with its auxiliary classifier; none otherwise).
    pub fn aux_head(&self, pooled: Tensor<B, 2>) -> Option<Tensor<B, 2>> {
        match self {
            Net::Inception(m) => the_one(m).aux_head(pooled),
            _ => None,
        }
    }

    /// The forward pass of batch-norm calibration ([`crate::train`]): every batch norm the input
    /// reaches, Inception-v3's auxiliary classifier's included when it runs (inputs of 299 px and
    /// more), without the image head (no dropout draws).
    pub fn calibration_pass(&self, x: Tensor<B, 4>) {
        match self {
            Net::Inception(m) => {
                let _ = the_one(m).features_and_aux(x);
            }
            _ => {
                let _ = self.features(x);
            }
        }
    }
}
