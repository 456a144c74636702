//! The fast layer forwards of `layers` give burn's own numbers: values, gradients and the batch-norm
//! running statistics, in training (autodiff) and inference mode.
use burn::module::Param;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig};
use burn::tensor::backend::Backend;
use burn::tensor::{Slice, Tensor, TensorData};
use dimorph_bagnet::cpu::conv_weight_grad;
use dimorph_bagnet::layers::{batch_norm, conv2d, subsample, subsample_at, with_cumulative_statistics};
use dimorph_bagnet::{Cpu, CpuTrain};

fn max_abs_diff<B: Backend, const D: usize>(a: Tensor<B, D>, b: Tensor<B, D>) -> f32 {
    assert_eq!(a.dims(), b.dims());
    let a = a.into_data().to_vec::<f32>().unwrap();
    let b = b.into_data().to_vec::<f32>().unwrap();
    a.iter().zip(&b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

thread_local! {
    /// Calls of `random` on this test's thread: every test draws the same numbers on every run.
    static DRAWS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// N(0.5, 2²) values from a seeded generator (splitmix64 and Box–Muller), a new stream per call.
fn random<B: Backend, const D: usize>(shape: [usize; D], dev: &B::Device) -> Tensor<B, D> {
    let mut state = DRAWS.with(|d| {
        d.set(d.get() + 1);
        d.get().wrapping_mul(0x9E37_79B9_7F4A_7C15)
    });
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    };
    let n: usize = shape.iter().product();
    let values: Vec<f32> = (0..n)
        .map(|_| {
            let (u, v) = (next().max(1e-300), next());
            (0.5 + 2.0 * (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()) as f32
        })
        .collect();
    Tensor::from_data(TensorData::new(values, shape), dev)
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
fn conv2d_matches_burn_for_1x1_and_3x3_strides_and_odd_sides_with_gradients() {
    let dev = Default::default();
    for (k, s, side) in [
        (1, 1, 9),
        (1, 2, 10),
        (1, 2, 9),
        (1, 3, 11),
        (3, 1, 8),
        (3, 2, 9),
        (3, 2, 10),
        (3, 2, 11),
        (3, 3, 13),
    ] {
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
    for (s, [y0, x0], h, w) in [
        (1, [1, 2], 9, 8),
        (2, [1, 1], 5, 5),
        (2, [0, 1], 6, 5),
        (2, [1, 0], 6, 5),
        (3, [2, 1], 3, 3),
    ] {
        let step = |o: usize, len: usize| Slice::new(o as isize, Some((o + s * (len - 1) + 1) as isize), s as isize);
        let expected = x
            .clone()
            .slice([Slice::from(0..2), Slice::from(0..3), step(y0, h), step(x0, w)]);
        let ours = subsample_at(x.clone(), s, [y0, x0], h, w);
        assert_eq!(max_abs_diff(ours, expected), 0.0, "s {s} at ({y0}, {x0}) {h}×{w}");
    }
}

/// The BagNet forward written with burn's modules (`BatchNorm::forward`, `Conv2d::forward`, crop by
/// slice), as before the fast layers; `fast_bn` / `fast_conv` swap in this crate's layers one kind at
/// a time.
fn reference_forward(
    m: &dimorph_bagnet::model::BagNet<CpuTrain>,
    x: Tensor<CpuTrain, 4>,
    fast_bn: bool,
    fast_conv: bool,
) -> Tensor<CpuTrain, 2> {
    use burn::tensor::activation::relu;
    let bn = |b: &BatchNorm<CpuTrain>, t| if fast_bn { batch_norm(b, t) } else { b.forward(t) };
    let cv = |c: &Conv2d<CpuTrain>, t| if fast_conv { conv2d(c, t) } else { c.forward(t) };
    let mut x = relu(bn(&m.stem_bn, cv(&m.stem2, cv(&m.stem1, x))));
    for layer in [&m.layer1, &m.layer2, &m.layer3, &m.layer4] {
        for b in layer {
            let out = relu(bn(&b.bn1, cv(&b.conv1, x.clone())));
            let out = relu(bn(&b.bn2, cv(&b.conv2, out)));
            let out = bn(&b.bn3, cv(&b.conv3, out));
            let res = match &b.downsample {
                Some(d) => bn(&d.bn, cv(&d.conv, x)),
                None => x,
            };
            let [n, c, h, w] = out.dims();
            x = relu(out + res.slice([0..n, 0..c, 0..h, 0..w]));
        }
    }
    let [n, c, _, _] = x.dims();
    m.fc.forward(x.mean_dim(3).mean_dim(2).reshape([n, c]))
}

/// Gradients of the stem, a stage-3 and a stage-4 k×k conv and a downsample conv.
fn some_grads(m: &dimorph_bagnet::model::BagNet<CpuTrain>, z: Tensor<CpuTrain, 2>) -> Vec<Tensor<Cpu, 4>> {
    let g = z.sum().backward();
    let ds = m.layer1[0].downsample.as_ref().expect("block 0 has a downsample");
    [&m.stem1, &m.layer3[0].conv2, &m.layer4[0].conv2, &ds.conv]
        .iter()
        .map(|c| c.weight.grad(&g).expect("a gradient"))
        .collect()
}

#[test]
fn whole_bagnet_matches_the_burn_module_forward_and_gradients() {
    use dimorph_bagnet::model::{Arch, BagNetConfig};
    let dev = Default::default();
    for arch in [Arch::BagNet9, Arch::BagNet33] {
        let m = BagNetConfig::new(arch, 1).with_width(0.125).init::<CpuTrain>(&dev);
        let x = random::<CpuTrain, 4>([4, 3, 97, 97], &dev);
        let reference = reference_forward(&m, x.clone(), false, false);
        let ours = m.forward(x.clone());
        assert!(max_abs_diff(ours.clone(), reference.clone()) < 1e-4, "{arch:?} logits");
        // Training-mode batch norm over small maps makes these gradients sensitive to rounding: the
        // bound is the change in burn's own gradients when the input moves by 1e-6 (times 3, plus
        // 1e-4 of the largest entry); the layer tests above bound each layer tightly.
        let expected = some_grads(&m, reference);
        let nudge = random::<CpuTrain, 4>([4, 3, 97, 97], &dev).mul_scalar(1e-6);
        let nudged = some_grads(&m, reference_forward(&m, x.clone() + nudge, false, false));
        let conv_only = some_grads(&m, reference_forward(&m, x.clone(), false, true));
        let fast_bn_only = some_grads(&m, reference_forward(&m, x, true, false));
        let full = some_grads(&m, ours);
        for (what, got) in [("conv-only", conv_only), ("bn-only", fast_bn_only), ("full", full)] {
            for (i, ((a, b), c)) in got.iter().zip(&expected).zip(&nudged).enumerate() {
                let scale = b.clone().abs().max().into_scalar();
                let noise = max_abs_diff(c.clone(), b.clone());
                let d = max_abs_diff(a.clone(), b.clone());
                assert!(
                    d <= 3.0 * noise + 1e-4 * scale,
                    "{arch:?} {what} gradient {i}: {d} (burn's own change under a 1e-6 nudge {noise}, scale {scale})"
                );
            }
        }
    }
}

#[test]
fn batch_norm_matches_burn_on_bagnet_shapes() {
    // Small maps with many channels (stage 4) and large maps with few (the stem).
    let dev = Default::default();
    for shape in [[4, 64, 4, 4], [2, 8, 31, 29], [1, 3, 5, 5]] {
        let ours = bn::<CpuTrain>(shape[1], &dev);
        // A separate layer with the same γ and β (a clone would share the running-state cells).
        let mut theirs = BatchNormConfig::new(shape[1]).init::<CpuTrain>(&dev);
        theirs.gamma = Param::from_tensor(ours.gamma.val().detach().require_grad());
        theirs.beta = Param::from_tensor(ours.beta.val().detach().require_grad());
        let x = random::<CpuTrain, 4>(shape, &dev).require_grad();
        let r = random::<CpuTrain, 4>(shape, &dev);
        let y1 = batch_norm(&ours, x.clone());
        let y2 = theirs.forward(x.clone());
        assert!(max_abs_diff(y1.clone(), y2.clone()) < 1e-4, "{shape:?}");
        let g1 = (y1 * r.clone()).sum().backward();
        let g2 = (y2 * r).sum().backward();
        let (a, b) = (x.grad(&g1).unwrap(), x.grad(&g2).unwrap());
        let scale = b.clone().abs().max().into_scalar();
        assert!(max_abs_diff(a, b) < 1e-4 * scale.max(1.0), "{shape:?} input gradient");
        let (a, b) = (ours.gamma.grad(&g1).unwrap(), theirs.gamma.grad(&g2).unwrap());
        assert!(max_abs_diff(a, b) < 1e-3, "{shape:?} gamma gradient");
    }
}

/// `act(bn(x) [+ r])` with burn's modules.
fn bn_act_reference<B: Backend>(
    bn: &BatchNorm<B>,
    x: Tensor<B, 4>,
    r: Option<Tensor<B, 4>>,
    act: bool,
) -> Tensor<B, 4> {
    let y = bn.forward(x);
    let y = match r {
        Some(r) => y + r,
        None => y,
    };
    if act {
        burn::tensor::activation::relu(y)
    } else {
        y
    }
}

#[test]
fn fused_bn_act_matches_burn_in_training_with_gradients_and_running_statistics() {
    use dimorph_bagnet::cpu::bn_act;
    let dev = Default::default();
    for (shape, residual, act) in [
        ([3, 5, 7, 6], false, true),
        ([3, 5, 7, 6], true, true),
        ([2, 64, 4, 4], true, false),
        ([4, 3, 9, 11], false, false),
        ([1, 2, 37, 5], true, true),
    ] {
        let ours = bn::<CpuTrain>(shape[1], &dev);
        // A separate layer with the same γ and β (a clone would share the running-state cells).
        let mut theirs = BatchNormConfig::new(shape[1]).init::<CpuTrain>(&dev);
        theirs.gamma = Param::from_tensor(ours.gamma.val().detach().require_grad());
        theirs.beta = Param::from_tensor(ours.beta.val().detach().require_grad());
        let x = random::<CpuTrain, 4>(shape, &dev).require_grad();
        let r = random::<CpuTrain, 4>(shape, &dev).require_grad();
        let w = random::<CpuTrain, 4>(shape, &dev);
        let rr = residual.then(|| r.clone());
        let y1 = bn_act(&ours, x.clone(), rr.clone(), act);
        let y2 = bn_act_reference(&theirs, x.clone(), rr, act);
        let case = format!("{shape:?} residual {residual} relu {act}");
        assert!(max_abs_diff(y1.clone(), y2.clone()) < 1e-4, "{case}: values");
        let g1 = (y1 * w.clone()).sum().backward();
        let g2 = (y2 * w).sum().backward();
        let pairs = [
            (x.grad(&g1).unwrap(), x.grad(&g2).unwrap(), "x"),
            (
                ours.gamma.grad(&g1).unwrap().reshape([1, 1, 1, shape[1]]),
                theirs.gamma.grad(&g2).unwrap().reshape([1, 1, 1, shape[1]]),
                "gamma",
            ),
            (
                ours.beta.grad(&g1).unwrap().reshape([1, 1, 1, shape[1]]),
                theirs.beta.grad(&g2).unwrap().reshape([1, 1, 1, shape[1]]),
                "beta",
            ),
        ];
        for (a, b, name) in pairs {
            let scale = b.clone().abs().max().into_scalar().max(1.0);
            assert!(max_abs_diff(a, b) < 1e-4 * scale, "{case}: gradient of {name}");
        }
        if residual {
            assert!(
                max_abs_diff(r.grad(&g1).unwrap(), r.grad(&g2).unwrap()) < 1e-5,
                "{case}: dr"
            );
        } else {
            assert!(r.grad(&g1).is_none());
        }
        // Running statistics (`value_sync`; `value` may show the initial state): burn puts the biased
        // batch variance into the running estimate, PyTorch and we the unbiased one.
        let m = (shape[0] * shape[2] * shape[3]) as f64;
        let pytorch = theirs
            .running_var
            .value_sync()
            .sub_scalar(0.9)
            .mul_scalar(m / (m - 1.0))
            .add_scalar(0.9);
        assert!(
            ours.running_mean.value_sync().abs().sum().into_scalar() > 0.01,
            "{case}"
        );
        assert!(
            max_abs_diff(ours.running_mean.value_sync(), theirs.running_mean.value_sync()) < 1e-5,
            "{case}"
        );
        assert!(max_abs_diff(ours.running_var.value_sync(), pytorch) < 1e-4, "{case}");
    }
}

#[test]
fn fused_bn_act_matches_burn_in_inference() {
    use dimorph_bagnet::cpu::bn_act;
    let dev = Default::default();
    let mut layer = bn::<Cpu>(4, &dev);
    layer.running_mean = burn::module::RunningState::new(random([4], &dev));
    layer.running_var = burn::module::RunningState::new(random::<Cpu, 1>([4], &dev).abs().add_scalar(0.1));
    let x = random::<Cpu, 4>([2, 4, 5, 3], &dev);
    let r = random::<Cpu, 4>([2, 4, 5, 3], &dev);
    for (res, act) in [(false, false), (false, true), (true, true)] {
        let rr = res.then(|| r.clone());
        let a = bn_act(&layer, x.clone(), rr.clone(), act);
        let b = bn_act_reference(&layer, x.clone(), rr, act);
        assert!(max_abs_diff(a, b) < 1e-5, "residual {res} relu {act}");
    }
}

#[test]
fn calibration_makes_running_statistics_the_mean_of_batch_statistics() {
    use dimorph_bagnet::cpu::bn_act;
    let dev = Default::default();
    // burn-op batch norm (`layers::batch_norm`) and the fused CPU kernel (`cpu::bn_act`).
    for fused in [false, true] {
        let layer = bn::<CpuTrain>(3, &dev);
        let batches: Vec<Tensor<CpuTrain, 4>> = (0..3).map(|_| random([2, 3, 4, 5], &dev)).collect();
        let run = |x: Tensor<CpuTrain, 4>| {
            if fused {
                bn_act(&layer, x, None, false)
            } else {
                batch_norm(&layer, x)
            }
        };
        for (k, x) in batches.iter().enumerate() {
            with_cumulative_statistics(k, || run(x.clone()));
        }
        // By hand: per channel, the mean over batches of each batch's mean and unbiased variance.
        let channel = |v: &[f32], c: usize| -> Vec<f64> {
            (0..2)
                .flat_map(|b| (0..20).map(move |p| (b * 3 + c) * 20 + p))
                .map(|i| v[i] as f64)
                .collect()
        };
        let (mut mean, mut var) = (vec![0.0f64; 3], vec![0.0f64; 3]);
        for x in &batches {
            let v = x.clone().into_data().to_vec::<f32>().unwrap();
            for c in 0..3 {
                let xs = channel(&v, c);
                let m = xs.iter().sum::<f64>() / 40.0;
                mean[c] += m / 3.0;
                var[c] += xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / 39.0 / 3.0;
            }
        }
        let rm = layer.running_mean.value_sync().into_data().to_vec::<f32>().unwrap();
        let rv = layer.running_var.value_sync().into_data().to_vec::<f32>().unwrap();
        for c in 0..3 {
            assert!(
                (rm[c] as f64 - mean[c]).abs() < 1e-5,
                "fused {fused}: mean {} vs {}",
                rm[c],
                mean[c]
            );
            assert!(
                (rv[c] as f64 - var[c]).abs() < 1e-4,
                "fused {fused}: var {} vs {}",
                rv[c],
                var[c]
            );
        }
        // Outside calibration the momentum is the layer's own (0.1) again.
        let before = rm;
        run(batches[0].clone());
        let after = layer.running_mean.value_sync().into_data().to_vec::<f32>().unwrap();
        let v = batches[0].clone().into_data().to_vec::<f32>().unwrap();
        for c in 0..3 {
            let first = channel(&v, c).iter().sum::<f64>() / 40.0;
            let want = 0.9 * before[c] as f64 + 0.1 * first;
            assert!(
                (after[c] as f64 - want).abs() < 1e-5,
                "fused {fused}: {} vs {want}",
                after[c]
            );
        }
    }
}

#[test]
fn the_plain_path_that_cuda_runs_matches_the_cpu_kernels() {
    // Every operation of the backend-extension trait: its default (plain tensor operations, what
    // CUDA runs) against the flex kernels, in training with gradients and in inference.
    use dimorph_bagnet::layers::{bn_act, pointwise};
    use dimorph_bagnet::plain;
    let dev = Default::default();
    // Fused batch norm + residual + ReLU, training: values, gradients, running statistics.
    let ours = bn::<CpuTrain>(6, &dev);
    let mut theirs = BatchNormConfig::new(6).init::<CpuTrain>(&dev);
    theirs.gamma = Param::from_tensor(ours.gamma.val().detach().require_grad());
    theirs.beta = Param::from_tensor(ours.beta.val().detach().require_grad());
    let x = random::<CpuTrain, 4>([3, 6, 5, 7], &dev).require_grad();
    let r = random::<CpuTrain, 4>([3, 6, 5, 7], &dev).require_grad();
    let w = random::<CpuTrain, 4>([3, 6, 5, 7], &dev);
    let y1 = bn_act(&ours, x.clone(), Some(r.clone()), true);
    let y2 = plain::bn_act(&theirs, x.clone(), Some(r.clone()), true);
    assert!(max_abs_diff(y1.clone(), y2.clone()) < 1e-4);
    let g1 = (y1 * w.clone()).sum().backward();
    let g2 = (y2 * w).sum().backward();
    assert!(max_abs_diff(x.grad(&g1).unwrap(), x.grad(&g2).unwrap()) < 1e-4);
    assert!(max_abs_diff(r.grad(&g1).unwrap(), r.grad(&g2).unwrap()) < 1e-5);
    assert!(max_abs_diff(ours.gamma.grad(&g1).unwrap(), theirs.gamma.grad(&g2).unwrap()) < 1e-3);
    assert!(max_abs_diff(ours.running_var.value_sync(), theirs.running_var.value_sync()) < 1e-5);
    // Inference.
    let layer = bn::<Cpu>(4, &dev);
    let x = random::<Cpu, 4>([2, 4, 6, 5], &dev);
    assert!(
        max_abs_diff(
            bn_act(&layer, x.clone(), None, false),
            plain::bn_act(&layer, x, None, false)
        ) < 1e-5
    );
    // 1×1 convolution with gradients.
    let layer = conv::<CpuTrain>(5, 3, 1, 1, &dev);
    let x = random::<CpuTrain, 4>([2, 5, 6, 4], &dev).require_grad();
    let y1 = pointwise(&layer, x.clone());
    let y2 = plain::pointwise(layer.weight.val(), x.clone());
    assert!(max_abs_diff(y1.clone(), y2.clone()) < 1e-4);
    let w = random::<CpuTrain, 4>(y2.dims(), &dev);
    let g1 = (y1 * w.clone()).sum().backward();
    let g2 = (y2 * w).sum().backward();
    assert!(max_abs_diff(x.grad(&g1).unwrap(), x.grad(&g2).unwrap()) < 1e-4);
    assert!(max_abs_diff(layer.weight.grad(&g1).unwrap(), layer.weight.grad(&g2).unwrap()) < 1e-3);
    // 3×3 convolution of stride 2.
    let layer = conv::<Cpu>(4, 3, 3, 2, &dev);
    let x = random::<Cpu, 4>([2, 4, 11, 11], &dev);
    assert!(max_abs_diff(conv2d(&layer, x.clone()), plain::conv(&layer, x)) < 1e-4);
    // Strided crops at an offset, with the crop's gradient.
    let x = random::<CpuTrain, 4>([2, 3, 12, 11], &dev).require_grad();
    let y1 = subsample_at(x.clone(), 2, [1, 1], 5, 5);
    let y2 = plain::subsample(x.clone(), 2, [1, 1], [5, 5]);
    assert_eq!(max_abs_diff(y1.clone(), y2.clone()), 0.0);
    let w = random::<CpuTrain, 4>([2, 3, 5, 5], &dev);
    let g1 = (y1 * w.clone()).sum().backward();
    let g2 = (y2 * w).sum().backward();
    assert_eq!(max_abs_diff(x.grad(&g1).unwrap(), x.grad(&g2).unwrap()), 0.0);
}
