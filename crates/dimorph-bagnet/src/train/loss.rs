//! The training loss: binary cross-entropy on one logit (two classes) or softmax cross-entropy
//! on K logits, as a tensor for the backward pass and in f64 for reporting.

use burn::nn::loss::CrossEntropyLoss;
use burn::tensor::backend::Backend;
use burn::tensor::{Int, Tensor, TensorData};

/// Binary cross-entropy on one logit (`targets` 0/1) or softmax cross-entropy on K logits.
pub fn loss<B: Backend>(logits: Tensor<B, 2>, targets: &[usize]) -> Tensor<B, 1> {
    let device = logits.device();
    let [n, k] = logits.dims();
    if k == 1 {
        let y: Vec<f32> = targets.iter().map(|&t| t as f32).collect();
        let y = Tensor::<B, 2>::from_data(TensorData::new(y, [n, 1]), &device);
        // log(1 + e^{-|z|}) + max(z, 0) − z·y, the stable form of −y log σ(z) − (1−y) log(1−σ(z)).
        let z = logits;
        (z.clone().abs().neg().exp().log1p() + z.clone().clamp_min(0.0) - z * y).mean()
    } else {
        let t: Vec<i64> = targets.iter().map(|&t| t as i64).collect();
        let t = Tensor::<B, 1, Int>::from_data(TensorData::new(t, [n]), &device);
        CrossEntropyLoss::new(None, &device).forward(logits, t)
    }
}

/// [`loss`] with each image weighted by `weights[target]`: Σ wᵢ lᵢ / Σ wᵢ ("balanced" class
/// weights for imbalanced data).
pub fn weighted_loss<B: Backend>(logits: Tensor<B, 2>, targets: &[usize], weights: &[f64]) -> Tensor<B, 1> {
    let device = logits.device();
    let [n, k] = logits.dims();
    let w: Vec<f32> = targets.iter().map(|&t| weights[t] as f32).collect();
    let sum: f32 = w.iter().sum();
    let w = Tensor::<B, 1>::from_data(TensorData::new(w, [n]), &device);
    let per_image = if k == 1 {
        let y: Vec<f32> = targets.iter().map(|&t| t as f32).collect();
        let y = Tensor::<B, 1>::from_data(TensorData::new(y, [n]), &device);
        let z = logits.reshape([n]);
        z.clone().abs().neg().exp().log1p() + z.clone().clamp_min(0.0) - z * y
    } else {
        let t: Vec<i64> = targets.iter().map(|&t| t as i64).collect();
        let t = Tensor::<B, 1, Int>::from_data(TensorData::new(t, [n]), &device);
        let logp = burn::tensor::activation::log_softmax(logits, 1);
        logp.gather(1, t.reshape([n, 1])).reshape([n]).neg()
    };
    (per_image * w).sum() / sum.max(f32::MIN_POSITIVE)
}

/// The training objective of one batch: the loss of the image logits ([`weighted_loss`] with
/// `class_weights`, else [`loss`]) plus `aux_weight` times the same loss of the auxiliary logits
/// when there are any (Inception-v3's auxiliary classifier; torchvision's recipe, as in PyTorch's
/// fine-tuning tutorial: main + 0.4·aux). Returns the objective and the main loss alone.
pub fn objective<B: Backend>(
    logits: Tensor<B, 2>,
    aux: Option<Tensor<B, 2>>,
    targets: &[usize],
    class_weights: Option<&[f64]>,
    aux_weight: f64,
) -> (Tensor<B, 1>, Tensor<B, 1>) {
    let one = |z: Tensor<B, 2>| match class_weights {
        Some(w) => weighted_loss(z, targets, w),
        None => loss(z, targets),
    };
    let main = one(logits);
    match aux {
        Some(a) if aux_weight > 0.0 => (main.clone() + one(a).mul_scalar(aux_weight), main),
        _ => (main.clone(), main),
    }
}

/// "Balanced" class weights n / (K·n_k) over the images `targets` (0 for a class without images).
pub fn balanced_weights(targets: &[usize], n_classes: usize) -> Vec<f64> {
    let mut count = vec![0usize; n_classes];
    for &t in targets {
        count[t] += 1;
    }
    count
        .iter()
        .map(|&c| {
            if c == 0 {
                0.0
            } else {
                targets.len() as f64 / (n_classes * c) as f64
            }
        })
        .collect()
}

/// The mean of [`loss`] over images, from their logits in f64.
pub fn mean_loss(logits: &[Vec<f64>], targets: &[usize]) -> f64 {
    let mut s = 0.0;
    for (z, &t) in logits.iter().zip(targets) {
        s += if z.len() == 1 {
            let z = z[0];
            (-z.abs()).exp().ln_1p() + z.max(0.0) - z * t as f64
        } else {
            let m = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let lse = m + z.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
            lse - z[t]
        };
    }
    s / logits.len().max(1) as f64
}

#[cfg(test)]
mod tests {
    // Named through the crate: `super` in a file of a folder reads as the folder's module.
    use crate::train::loss::{balanced_weights, loss, mean_loss, weighted_loss};
    use burn::tensor::{ElementConversion, Tensor, TensorData};

    fn scalar(t: Tensor<crate::Cpu, 1>) -> f64 {
        t.into_scalar().elem::<f64>()
    }

    #[test]
    fn weighted_loss_weights_each_class() {
        let dev = Default::default();
        for k in [1usize, 3] {
            let z: Vec<f32> = (0..4 * k).map(|i| (i as f32 * 0.37).sin() * 2.0).collect();
            let logits = || Tensor::<crate::Cpu, 2>::from_data(TensorData::new(z.clone(), [4, k]), &dev);
            let t = if k == 1 { vec![0, 1, 1, 0] } else { vec![0, 2, 1, 2] };
            // Equal weights: the plain loss.
            let plain = scalar(loss(logits(), &t));
            let eq = scalar(weighted_loss(logits(), &t, &vec![2.0; k.max(2)]));
            assert!((plain - eq).abs() < 1e-6, "{plain} {eq}");
            // Against the f64 per-image losses weighted by hand.
            let rows: Vec<Vec<f64>> = (0..4).map(|r| (0..k).map(|c| z[r * k + c] as f64).collect()).collect();
            let w = [0.5, 3.0, 1.5];
            let (mut num, mut den) = (0.0, 0.0);
            for (r, &ti) in t.iter().enumerate() {
                num += w[ti] * mean_loss(&rows[r..r + 1], &t[r..r + 1]);
                den += w[ti];
            }
            let got = scalar(weighted_loss(logits(), &t, &w));
            assert!((got - num / den).abs() < 1e-6, "{got} {}", num / den);
        }
        assert_eq!(balanced_weights(&[0, 0, 0, 1], 2), [4.0 / 6.0, 2.0]);
    }
}
