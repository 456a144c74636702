//! The fast layer forwards of `layers` give burn's own numbers: values, gradients and the batch-norm
//! running statistics, in training (autodiff) and inference mode.
use burn::module::Param;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig};
use burn::tensor::backend::Backend;
use burn::tensor::{Distribution, Slice, Tensor};
use dimorph_bagnet::layers::{batch_norm, conv2d, conv_weight_grad, subsample, subsample_at};
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
    let theirs = ours.clone();
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
    assert!(max_abs_diff(ours.running_mean.value(), theirs.running_mean.value()) < 1e-6);
    assert!(max_abs_diff(ours.running_var.value(), theirs.running_var.value()) < 1e-5);
    // The running statistics moved away from their initial 0 and 1.
    assert!(ours.running_mean.value().abs().sum().into_scalar() > 0.01);
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
fn conv2d_matches_burn_for_1x1_and_3x3_strides_and_odd_sides_with_gradients() {
    let dev = Default::default();
    for (k, s, side) in [(1, 1, 9), (1, 2, 10), (1, 2, 9), (1, 3, 11), (3, 1, 8), (3, 2, 9), (3, 2, 10), (3, 2, 11), (3, 3, 13)] {
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
        assert_eq!(max_abs_diff(subsample(x.clone(), s, h, w), expected), 0.0, "s {s} {h}×{w}");
    }
}

#[test]
fn conv_weight_grad_matches_burn_without_autodiff() {
    // The weight gradient on the plain backend, against burn's conv2d_weight_backward.
    use burn::tensor::ops::{ConvOptions, ModuleOps};
    use burn::tensor::TensorPrimitive;
    let dev = Default::default();
    for (k, s, side, c, o) in [(3, 1, 7, 3, 4), (3, 2, 12, 2, 5), (2, 2, 9, 3, 3), (5, 3, 16, 2, 2)] {
        let x = random::<Cpu, 4>([2, c, side, side], &dev);
        let out = (side - k) / s + 1;
        let dy = random::<Cpu, 4>([2, o, out, out], &dev);
        let w = random::<Cpu, 4>([o, c, k, k], &dev);
        let expected = Cpu::conv2d_weight_backward(
            x.clone().into_primitive().tensor(),
            w.into_primitive().tensor(),
            dy.clone().into_primitive().tensor(),
            ConvOptions::new([s, s], [0, 0], [1, 1], 1),
        );
        let expected = Tensor::<Cpu, 4>::from_primitive(TensorPrimitive::Float(expected));
        let ours = conv_weight_grad(x, dy, k, s);
        assert!(max_abs_diff(ours, expected) < 1e-3, "k {k} s {s} side {side}");
    }
}

#[test]
fn subsample_at_an_offset_is_the_strided_crop() {
    let dev = Default::default();
    let x = random::<Cpu, 4>([2, 3, 12, 11], &dev);
    for (s, [y0, x0], h, w) in [(1, [1, 2], 9, 8), (2, [1, 1], 5, 5), (2, [0, 1], 6, 5), (2, [1, 0], 6, 5), (3, [2, 1], 3, 3)] {
        let step = |o: usize, len: usize| Slice::new(o as isize, Some((o + s * (len - 1) + 1) as isize), s as isize);
        let expected = x
            .clone()
            .slice([Slice::from(0..2), Slice::from(0..3), step(y0, h), step(x0, w)]);
        let ours = subsample_at(x.clone(), s, [y0, x0], h, w);
        assert_eq!(max_abs_diff(ours, expected), 0.0, "s {s} at ({y0}, {x0}) {h}×{w}");
    }
}
