//! The fast layer forwards of `layers` give burn's own numbers: values, gradients and the batch-norm
//! running statistics, in training (autodiff) and inference mode.
use burn::module::Param;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig};
use burn::tensor::backend::Backend;
use burn::tensor::{Distribution, Slice, Tensor};
use dimorph_bagnet::layers::{batch_norm, conv2d, subsample, with_cumulative_statistics};
use dimorph_bagnet::{Cpu, CpuTrain};

fn max_abs_diff<B: Backend, const D: usize>(a: Tensor<B, D>, b: Tensor<B, D>) -> f32 {
    assert_eq!(a.dims(), b.dims());
    let a = a.into_data().to_vec::<f32>().unwrap();
    let b = b.into_data().to_vec::<f32>().unwrap();
    a.iter().zip(&b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

fn random<B: Backend, const D: usize>(shape: [usize; D], dev: &B::Device) -> Tensor<B, D> {
    Tensor::random(shape, Distribution::Normal(0.5, 2.0), dev)
}

fn bn<B: Backend>(c: usize, dev: &B::Device) -> BatchNorm<B> {
    let mut bn = BatchNormConfig::new(c).init::<B>(dev);
    bn.gamma = Param::from_tensor(random([c], dev));
    bn.beta = Param::from_tensor(random([c], dev));
    bn
}

#[test]
fn batch_norm_matches_burn_in_training_with_gradients_and_running_statistics() {
    let dev = Default::default();
    let ours = bn::<CpuTrain>(5, &dev);
    // A separate layer with the same γ and β (a clone would share the running-state cells).
    let mut theirs = BatchNormConfig::new(5).init::<CpuTrain>(&dev);
    theirs.gamma = Param::from_tensor(ours.gamma.val().detach().require_grad());
    theirs.beta = Param::from_tensor(ours.beta.val().detach().require_grad());
    let x = random::<CpuTrain, 4>([3, 5, 7, 6], &dev).require_grad();
    let r = random::<CpuTrain, 4>([3, 5, 7, 6], &dev);
    let y1 = batch_norm(&ours, x.clone());
    let y2 = theirs.forward(x.clone());
    assert!(max_abs_diff(y1.clone(), y2.clone()) < 1e-5);
    let g1 = (y1 * r.clone()).sum().backward();
    let g2 = (y2 * r).sum().backward();
    assert!(max_abs_diff(x.grad(&g1).unwrap(), x.grad(&g2).unwrap()) < 1e-4);
    assert!(max_abs_diff(ours.gamma.grad(&g1).unwrap(), theirs.gamma.grad(&g2).unwrap()) < 1e-3);
    assert!(max_abs_diff(ours.beta.grad(&g1).unwrap(), theirs.beta.grad(&g2).unwrap()) < 1e-3);
    assert!(max_abs_diff(ours.running_mean.value_sync(), theirs.running_mean.value_sync()) < 1e-6);
    // burn updates the running variance with the biased batch variance, PyTorch (and we) with the
    // unbiased one: 0.9 + 0.1 · v · n/(n − 1), n = 3·7·6 values per channel.
    let n = 126.0;
    let pytorch = theirs
        .running_var
        .value_sync()
        .sub_scalar(0.9)
        .mul_scalar(n / (n - 1.0))
        .add_scalar(0.9);
    let d = max_abs_diff(ours.running_var.value_sync(), pytorch);
    assert!(d < 1e-5, "running variance differs by {d}");
    // The running statistics moved away from their initial 0 and 1 (`value_sync`: `value` may still
    // show the initial state).
    assert!(ours.running_mean.value_sync().abs().sum().into_scalar() > 0.01);
}

#[test]
fn batch_norm_matches_burn_in_inference() {
    let dev = Default::default();
    let mut layer = bn::<Cpu>(4, &dev);
    layer.running_mean = burn::module::RunningState::new(random([4], &dev));
    layer.running_var = burn::module::RunningState::new(random::<Cpu, 1>([4], &dev).abs().add_scalar(0.1));
    let x = random::<Cpu, 4>([2, 4, 5, 3], &dev);
    assert!(max_abs_diff(batch_norm(&layer, x.clone()), layer.forward(x)) < 1e-5);
}

fn conv<B: Backend>(cin: usize, cout: usize, k: usize, s: usize, dev: &B::Device) -> Conv2d<B> {
    Conv2dConfig::new([cin, cout], [k, k])
        .with_stride([s, s])
        .with_bias(false)
        .init(dev)
}

#[test]
fn conv2d_matches_burn_for_1x1_strides_and_odd_sides_with_gradients() {
    let dev = Default::default();
    for (k, s, side) in [(1, 1, 9), (1, 2, 10), (1, 2, 9), (1, 3, 11), (3, 2, 9)] {
        let layer = conv::<CpuTrain>(6, 4, k, s, &dev);
        let x = random::<CpuTrain, 4>([2, 6, side, side], &dev).require_grad();
        let y1 = conv2d(&layer, x.clone());
        let y2 = layer.forward(x.clone());
        assert!(max_abs_diff(y1.clone(), y2.clone()) < 1e-4, "k {k} s {s} side {side}");
        let r = random::<CpuTrain, 4>(y2.dims(), &dev);
        let g1 = (y1 * r.clone()).sum().backward();
        let g2 = (y2 * r).sum().backward();
        assert!(max_abs_diff(x.grad(&g1).unwrap(), x.grad(&g2).unwrap()) < 1e-4);
        assert!(max_abs_diff(layer.weight.grad(&g1).unwrap(), layer.weight.grad(&g2).unwrap()) < 1e-3);
    }
}

#[test]
fn subsample_is_the_strided_crop() {
    let dev = Default::default();
    let x = random::<Cpu, 4>([2, 3, 11, 10], &dev);
    for (s, h, w) in [(1, 11, 10), (1, 8, 7), (2, 5, 5), (2, 6, 5), (3, 3, 3), (3, 4, 4)] {
        let step = |len: usize| Slice::new(0, Some((s * (len - 1) + 1) as isize), s as isize);
        let expected = x
            .clone()
            .slice([Slice::from(0..2), Slice::from(0..3), step(h), step(w)]);
        assert_eq!(
            max_abs_diff(subsample(x.clone(), s, h, w), expected),
            0.0,
            "s {s} {h}×{w}"
        );
    }
}

#[test]
fn calibration_makes_running_statistics_the_mean_of_batch_statistics() {
    let dev = Default::default();
    let layer = bn::<CpuTrain>(3, &dev);
    let batches: Vec<Tensor<CpuTrain, 4>> = (0..3).map(|_| random([2, 3, 4, 5], &dev)).collect();
    for (k, x) in batches.iter().enumerate() {
        with_cumulative_statistics(k, || batch_norm(&layer, x.clone()));
    }
    // By hand: per channel, the mean over batches of each batch's mean and unbiased variance.
    let (mut mean, mut var) = (vec![0.0f64; 3], vec![0.0f64; 3]);
    for x in &batches {
        let v = x.clone().into_data().to_vec::<f32>().unwrap();
        for c in 0..3 {
            let xs: Vec<f64> = (0..2)
                .flat_map(|b| (0..20).map(move |p| (b * 3 + c) * 20 + p))
                .map(|i| v[i] as f64)
                .collect();
            let m = xs.iter().sum::<f64>() / 40.0;
            mean[c] += m / 3.0;
            var[c] += xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / 39.0 / 3.0;
        }
    }
    let rm = layer.running_mean.value_sync().into_data().to_vec::<f32>().unwrap();
    let rv = layer.running_var.value_sync().into_data().to_vec::<f32>().unwrap();
    for c in 0..3 {
        assert!((rm[c] as f64 - mean[c]).abs() < 1e-5, "mean {} vs {}", rm[c], mean[c]);
        assert!((rv[c] as f64 - var[c]).abs() < 1e-4, "var {} vs {}", rv[c], var[c]);
    }
    // Outside calibration the momentum is the layer's own again.
    let before = layer.running_mean.value_sync().into_data().to_vec::<f32>().unwrap();
    batch_norm(&layer, batches[0].clone());
    let after = layer.running_mean.value_sync().into_data().to_vec::<f32>().unwrap();
    let first: Vec<f32> = {
        let v = batches[0].clone().into_data().to_vec::<f32>().unwrap();
        (0..3)
            .map(|c| {
                (0..2)
                    .flat_map(|b| (0..20).map(move |p| (b * 3 + c) * 20 + p))
                    .map(|i| v[i])
                    .sum::<f32>()
                    / 40.0
            })
            .collect()
    };
    for c in 0..3 {
        let want = 0.9 * before[c] + 0.1 * first[c];
        assert!((after[c] - want).abs() < 1e-5, "{} vs {want}", after[c]);
    }
}
