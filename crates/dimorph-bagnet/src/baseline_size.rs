//! Input sides of the baseline CNNs ([`crate::resnet`], [`crate::inception`]): the side of the final
//! feature map a square input gives, and the smallest input each takes (He et al. 2016; Szegedy et
//! al. 2016, as torchvision builds them), for [`crate::model::Arch::map_size`].

use crate::BagNetError;

/// ResNet-50's smallest input side (the final feature map is then 1×1).
pub const RESNET50_MIN_SIZE: usize = 32;

/// Side of the final feature map for a square input of side `input`: five halvings (stem
/// convolution, max-pool, stages 2–4), each rounding up.
pub fn resnet50(input: usize) -> Result<usize, BagNetError> {
    if input < RESNET50_MIN_SIZE {
        return Err(BagNetError::Arg(format!(
            "--size: resnet50 needs images of at least {RESNET50_MIN_SIZE}×{RESNET50_MIN_SIZE} px, got {input}"
        )));
    }
    Ok((0..5).fold(input, |s, _| (s - 1) / 2 + 1))
}

/// Inception-v3's smallest input side (the final feature map is then 1×1).
pub const INCEPTION_V3_MIN_SIZE: usize = 75;
/// The smallest input side on which Inception-v3's auxiliary classifier runs (Mixed_6e's map is then
/// 17×17, the least its 5×5 pooling of stride 3 and 5×5 convolution take).
pub const INCEPTION_V3_AUX_MIN_SIZE: usize = 299;
/// Side of the final feature map for a square input of side `input` (8 at 299 px).
pub fn inception_v3(input: usize) -> Result<usize, BagNetError> {
    let small = || {
        BagNetError::Arg(format!(
            "--size: inception-v3 needs images of at least {INCEPTION_V3_MIN_SIZE}×{INCEPTION_V3_MIN_SIZE} px, got {input}"
        ))
    };
    // (kernel, stride) of each size-changing step; padded steps keep the size.
    let steps = [(3, 2), (3, 1), (3, 2), (3, 1), (3, 2), (3, 2), (3, 2)];
    let mut s = input;
    for (k, st) in steps {
        if s < k {
            return Err(small());
        }
        s = (s - k) / st + 1;
    }
    Ok(s)
}
