//! Speed benchmark: one SGD training step (forward, binary cross-entropy on one logit, backward,
//! optimiser step) and one inference forward of a BagNet on a random batch, with burn
//! `Autodiff<Flex>` on the CPU (or `Autodiff<Cuda>` with `--device cuda` under the `cuda` feature).
//! Prints the median seconds of `--reps` runs after one warm-up, as `key value` lines that
//! `bench/bagnet/run.sh` puts beside PyTorch.
//!
//! ```text
//! cargo run --release -p dimorph-bagnet --example step_bench -- \
//!     [--arch bagnet33] [--batch 8] [--size 224] [--width 1] [--reps 3] [--device cpu|cuda|cuda:N]
//!     [--precision f32|bf16|f16] [--fusion off|on] [--layers] [--check] [--warm-part K/N]
//! ```
//! `--precision` (CUDA only) holds the whole model in that float type (burn has no autocast).
//! `--fusion on` (CUDA, f32 or bf16) runs burn's default CUDA backend with operation fusion instead
//! of the CLI's unfused one (`dimorph_bagnet::Gpu`). `--check` first runs the same seeded model on
//! the same input on the CPU (flex, with this crate's kernels) and on the chosen device, and prints
//! the largest differences of the logits (inference and training mode) and of the classifier's
//! weight gradient, relative to the largest CPU value: the GPU path against the tested CPU path.
//! `--layers` also times each part of the network (stem, every stage) in inference, to show where
//! the time goes. `--warm-part K/N` only warms up: it runs forward and backward of the K-th of N
//! shares of the network's distinct parts (stem, each stage's first and other blocks, head), each
//! on a random input of the shape that part sees at `--batch`, so that N processes sharing one
//! CubeCL cache compile and autotune a training step's kernels side by side (`gpu_run.sh`); it
//! prints `warm_part K/N: … s` and nothing else. Threads: the CPU backend uses rayon's global pool (`RAYON_NUM_THREADS`, default
//! all cores).

use std::time::Instant;

use burn::module::AutodiffModule;
use burn::optim::{GradientsParams, Optimizer, SgdConfig};
use burn::tensor::backend::Backend;
use burn::tensor::{Distribution, ElementConversion, Tensor, TensorData};
use dimorph_bagnet::layers::{batch_norm, conv2d};
use dimorph_bagnet::model::{Arch, BagNet, BagNetConfig};

struct Opts {
    arch: Arch,
    batch: usize,
    size: usize,
    width: f64,
    reps: usize,
    device: String,
    precision: String,
    fusion: bool,
    layers: bool,
    check: bool,
    /// `--warm-part K/N` as (K, N), 0 ≤ K < N.
    warm_part: Option<(usize, usize)>,
}

fn parse() -> Result<Opts, String> {
    let mut o = Opts {
        arch: Arch::BagNet33,
        batch: 8,
        size: 224,
        width: 1.0,
        reps: 3,
        device: "cpu".into(),
        precision: "f32".into(),
        fusion: false,
        layers: false,
        check: false,
        warm_part: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let flag = match a.as_str() {
            "--layers" => Some(&mut o.layers),
            "--check" => Some(&mut o.check),
            _ => None,
        };
        if let Some(flag) = flag {
            *flag = true;
            continue;
        }
        let v = it.next().ok_or_else(|| format!("{a} needs a value"))?;
        let num = |v: &str| v.parse::<f64>().map_err(|_| format!("{a}: '{v}' is not a number"));
        match a.as_str() {
            "--arch" => o.arch = Arch::parse(&v).map_err(|e| e.to_string())?,
            "--batch" => o.batch = num(&v)? as usize,
            "--size" => o.size = num(&v)? as usize,
            "--width" => o.width = num(&v)?,
            "--reps" => o.reps = (num(&v)? as usize).max(1),
            "--device" => o.device = v,
            "--precision" => o.precision = v,
            "--warm-part" => {
                let bad = || format!("--warm-part: expected K/N with 0 <= K < N, got {v:?}");
                let (k, n) = v.split_once('/').ok_or_else(bad)?;
                let (k, n) = (
                    k.parse::<usize>().map_err(|_| bad())?,
                    n.parse::<usize>().map_err(|_| bad())?,
                );
                if k >= n {
                    return Err(bad());
                }
                o.warm_part = Some((k, n));
            }
            "--fusion" => {
                o.fusion = match v.as_str() {
                    "on" => true,
                    "off" => false,
                    _ => return Err(format!("--fusion: expected on or off, got {v:?}")),
                }
            }
            _ => return Err(format!("unknown option {a}")),
        }
    }
    o.arch.map_size(o.size).map_err(|e| e.to_string())?;
    Ok(o)
}

/// CPU time (user + system, all threads) of this process so far, in seconds; NaN off Linux.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    // Fields after the command name (which is in parentheses): utime and stime are the 12th and 13th.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(f64::NAN);
    // USER_HZ is 100 on Linux.
    (ticks(11) + ticks(12)) / 100.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Waits for the backend to finish (GPU backends run asynchronously) by reading one number back.
fn sync<B: Backend, const D: usize>(t: Tensor<B, D>) -> f32 {
    t.sum().into_scalar().elem::<f32>()
}

/// Largest |a − b| over the largest |b|, and that largest |b|.
fn rel_diff(a: &TensorData, b: &TensorData) -> (f64, f64) {
    let (mut d, mut m) = (0.0f64, 0.0f64);
    for (x, y) in a.iter::<f64>().zip(b.iter::<f64>()) {
        d = d.max((x - y).abs());
        m = m.max(y.abs());
    }
    (d / m.max(f64::MIN_POSITIVE), m)
}

/// The seeded model's logits on `x` in inference mode (running statistics) and in training mode
/// (batch statistics), and the gradient of the mean training logit with respect to the
/// classifier's weight, on `x`'s backend.
fn outputs<B: dimorph_bagnet::backend::BagnetAutodiff>(
    cfg: &BagNetConfig,
    x: Tensor<B, 4>,
) -> (TensorData, TensorData, Option<TensorData>) {
    let model: BagNet<B> = cfg.init_seeded(&x.device(), 1);
    let inference = model.valid().forward(x.clone().inner()).into_data();
    let z = model.forward(x);
    let grad = model
        .fc
        .weight
        .val()
        .grad(&z.clone().mean().backward())
        .map(|g| g.into_data());
    (inference, z.into_data(), grad)
}

/// `--check`: the seeded model and one input batch on the CPU (`CpuTrain`) and on `device` (`B`).
fn check<B: dimorph_bagnet::backend::BagnetAutodiff>(o: &Opts, device: &B::Device) {
    let cfg = BagNetConfig::new(o.arch, 1).with_width(o.width);
    // At most 16 images: at the timing's batch of 16, the same shapes (CubeCL autotunes per shape).
    let n = o.batch.min(16);
    let x_cpu = Tensor::<dimorph_bagnet::CpuTrain, 4>::random(
        [n, 3, o.size, o.size],
        Distribution::Normal(0.0, 1.0),
        &Default::default(),
    );
    let x_dev = Tensor::<B, 4>::from_data(x_cpu.to_data(), device);
    let (inf_cpu, z_cpu, g_cpu) = outputs(&cfg, x_cpu);
    let (inf_dev, z_dev, g_dev) = outputs(&cfg, x_dev);
    let (d, m) = rel_diff(&inf_dev, &inf_cpu);
    println!("check_inference_rel {d:.3e} (max |logit| {m:.3e}, {n} images)");
    let (d, m) = rel_diff(&z_dev, &z_cpu);
    println!("check_training_rel {d:.3e} (max |logit| {m:.3e})");
    match (g_dev, g_cpu) {
        (Some(a), Some(b)) => {
            let (d, m) = rel_diff(&a, &b);
            println!("check_fc_grad_rel {d:.3e} (max |grad| {m:.3e})");
        }
        _ => println!("check_fc_grad_rel missing"),
    }
}

/// `--warm-part K/N`: forward and backward of the K-th of N shares of the network's distinct parts,
/// each on a random input of the shape that part sees in a training step at `--batch` (found by one
/// image through the model on the CPU), with a random upstream gradient (`sum(y·r)`), so that its
/// backward sees a dense gradient as in a step. The parts are the stem, each stage's first block
/// (stride 2, downsample), each stage's other blocks (alike in shape: one stands for all) and the
/// head with the loss — 10 for a BagNet — dealt out in turn. The kernels, their compiled code and
/// their autotune results are those of a training step.
fn warm_part<B: dimorph_bagnet::backend::BagnetAutodiff>(o: &Opts, device: &B::Device, k: usize, n: usize) {
    let t0 = Instant::now();
    let cfg = BagNetConfig::new(o.arch, 1).with_width(o.width);
    let model: BagNet<B> = cfg.init_seeded(device, 1);
    let blocks: Vec<_> = [&model.layer1, &model.layer2, &model.layer3, &model.layer4]
        .into_iter()
        .flatten()
        .collect();
    // Each part's input shape from one image on the CPU: 0 the stem, 1..=16 the blocks, 17 the head.
    let cpu: BagNet<dimorph_bagnet::CpuTrain> = cfg.init_seeded(&Default::default(), 1);
    let cpu = cpu.valid();
    let mut h = Tensor::zeros([1, 3, o.size, o.size], &Default::default());
    let mut shapes = vec![h.dims()];
    h = cpu.stem(h);
    for layer in [&cpu.layer1, &cpu.layer2, &cpu.layer3, &cpu.layer4] {
        for block in layer {
            shapes.push(h.dims());
            h = block.forward(h);
        }
    }
    shapes.push(h.dims());
    // One part for each distinct (kind, input shape): a block with a downsample is another kind.
    let kind = |p: usize| match p {
        0 => 0,
        p if p <= blocks.len() => 1 + usize::from(blocks[p - 1].downsample.is_some()),
        _ => 3,
    };
    let mut distinct: Vec<(usize, [usize; 4])> = Vec::new();
    for (p, shape) in shapes.into_iter().enumerate() {
        if !distinct.iter().any(|&(q, s)| kind(q) == kind(p) && s == shape) {
            distinct.push((p, shape));
        }
    }
    let normal = Distribution::Normal(0.0, 1.0);
    for (part, [_, c, hh, ww]) in distinct.into_iter().skip(k).step_by(n) {
        let x = Tensor::<B, 4>::random([o.batch, c, hh, ww], normal, device).require_grad();
        let grads = if part == 0 {
            let y = model.stem(x.clone());
            (y.clone() * Tensor::random(y.dims(), normal, device)).sum().backward()
        } else if part <= blocks.len() {
            let y = blocks[part - 1].forward(x.clone());
            (y.clone() * Tensor::random(y.dims(), normal, device)).sum().backward()
        } else {
            let z = model.pooled_logits(x.clone());
            let y = Tensor::<B, 2>::random([o.batch, 1], Distribution::Bernoulli(0.5), device);
            (z.clone().abs().neg().exp().log1p() + z.clone().clamp_min(0.0) - z * y)
                .mean()
                .backward()
        };
        if let Some(g) = x.grad(&grads) {
            sync(g);
        }
        eprintln!(
            "warm_part {k}/{n}: part {part} done at {:.1} s",
            t0.elapsed().as_secs_f64()
        );
    }
    println!("warm_part {k}/{n}: {:.1} s", t0.elapsed().as_secs_f64());
}

fn bench<B: dimorph_bagnet::backend::BagnetAutodiff>(o: &Opts, device: &B::Device) {
    if let Some((k, n)) = o.warm_part {
        return warm_part::<B>(o, device, k, n);
    }
    if o.check {
        check::<B>(o, device);
    }
    let cfg = BagNetConfig::new(o.arch, 1).with_width(o.width);
    let mut model: BagNet<B> = cfg.init_seeded(device, 1);
    let x = Tensor::<B, 4>::random([o.batch, 3, o.size, o.size], Distribution::Normal(0.0, 1.0), device);
    let y = Tensor::<B, 2>::random([o.batch, 1], Distribution::Bernoulli(0.5), device);
    let mut optim = SgdConfig::new().init::<B, BagNet<B>>();
    println!("arch {}", o.arch.name());
    println!("batch {}", o.batch);
    println!("size {}", o.size);
    println!("width {}", o.width);
    println!("params {}", model.trainable_params());
    println!(
        "threads {}",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );

    // Training steps: the first is the warm-up.
    let mut times = Vec::new();
    let mut cpu = Vec::new();
    let mut last_loss = f32::NAN;
    for rep in 0..=o.reps {
        let t0 = Instant::now();
        let c0 = cpu_seconds();
        let z = model.forward(x.clone());
        // Binary cross-entropy with logits, stable form: log(1 + e^{-|z|}) + max(z, 0) − z·y.
        let loss = (z.clone().abs().neg().exp().log1p() + z.clone().clamp_min(0.0) - z * y.clone()).mean();
        let t_fwd = t0.elapsed().as_secs_f64();
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        let t_bwd = t0.elapsed().as_secs_f64();
        model = optim.step(0.01, model, grads);
        // Reading one weight back forces the whole step to run on asynchronous backends.
        let done = sync(model.fc.weight.val());
        let dt = t0.elapsed().as_secs_f64();
        let dc = cpu_seconds() - c0;
        last_loss = loss.into_scalar().elem::<f32>();
        eprintln!(
            "train step {rep}: {dt:.3} s (forward {t_fwd:.3}, backward {:.3}, update {:.3}), CPU {dc:.2} s (loss {last_loss:.4}, check {done:.4})",
            t_bwd - t_fwd,
            dt - t_bwd
        );
        if rep > 0 {
            times.push(dt);
            cpu.push(dc);
        }
    }
    println!("loss {last_loss:.6}");
    let step = median(times);
    println!("train_step_s {step:.4}");
    println!("train_images_per_s {:.2}", o.batch as f64 / step);
    println!("train_step_cpu_s {:.2}", median(cpu));

    // Inference: forward of the inner (non-autodiff) model.
    let inner = model.valid();
    let x_train = x.clone();
    let xi = x.inner();
    let mut times = Vec::new();
    let mut cpu = Vec::new();
    for rep in 0..=o.reps {
        let t0 = Instant::now();
        let c0 = cpu_seconds();
        let z = inner.forward(xi.clone());
        sync(z);
        let dt = t0.elapsed().as_secs_f64();
        let dc = cpu_seconds() - c0;
        eprintln!("inference {rep}: {dt:.3} s, CPU {dc:.2} s");
        if rep > 0 {
            times.push(dt);
            cpu.push(dc);
        }
    }
    let infer = median(times);
    println!("infer_s {infer:.4}");
    println!("infer_images_per_s {:.2}", o.batch as f64 / infer);
    println!("infer_cpu_s {:.2}", median(cpu));

    if o.layers {
        // Training mode, block by block: forward and backward of `sum(part(x))` with x detached.
        let time_part = |name: &str, xin: Tensor<B, 4>, part: &dyn Fn(Tensor<B, 4>) -> Tensor<B, 4>| {
            let xin = xin.detach().require_grad();
            let t0 = Instant::now();
            let y = part(xin.clone());
            sync(y.clone());
            let t1 = Instant::now();
            let g = y.clone().sum().backward();
            if let Some(gx) = xin.grad(&g) {
                sync(gx);
            }
            let (fwd, bwd) = ((t1 - t0).as_secs_f64(), t1.elapsed().as_secs_f64());
            println!("train_{name}_s {fwd:.4} {bwd:.4}");
            y.detach()
        };
        let mut h = time_part("stem", x_train.clone(), &|t| model.stem(t));
        for (i, layer) in [&model.layer1, &model.layer2, &model.layer3, &model.layer4]
            .iter()
            .enumerate()
        {
            for (b, block) in layer.iter().enumerate() {
                h = time_part(&format!("layer{}_{b}", i + 1), h, &|t| block.forward(t));
            }
        }

        let mut h = xi;
        let t0 = Instant::now();
        h = burn::tensor::activation::relu(batch_norm(
            &inner.stem_bn,
            conv2d(&inner.stem2, conv2d(&inner.stem1, h)),
        ));
        sync(h.clone());
        println!("layer_stem_s {:.4}", t0.elapsed().as_secs_f64());
        for (i, layer) in [&inner.layer1, &inner.layer2, &inner.layer3, &inner.layer4]
            .iter()
            .enumerate()
        {
            for (b, block) in layer.iter().enumerate() {
                let t0 = Instant::now();
                h = block.forward(h);
                sync(h.clone());
                println!("layer{}_{b}_s {:.4}", i + 1, t0.elapsed().as_secs_f64());
            }
        }
    }
}

fn main() {
    let o = match parse() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("step_bench: {e}");
            std::process::exit(2);
        }
    };
    let device = dimorph_bagnet::options::DeviceKind::parse(&o.device).unwrap_or_else(|e| fail(&e.to_string()));
    match (device, o.precision.as_str()) {
        (dimorph_bagnet::options::DeviceKind::Cpu, "f32") => {
            println!("backend burn-0.21.0 Autodiff<Flex>");
            bench::<dimorph_bagnet::CpuTrain>(&o, &Default::default());
        }
        #[cfg(feature = "cuda-backend")]
        (dimorph_bagnet::options::DeviceKind::Cuda { index }, p) => {
            let dev = dimorph_bagnet::gpu::cuda_device(index).unwrap_or_else(|e| fail(&e.to_string()));
            let kind = if o.fusion { "fused" } else { "unfused" };
            // `cuda-untuned` builds burn-cuda without fusion: GpuFused would be Gpu under another name.
            if o.fusion && !cfg!(feature = "cuda") {
                fail("--fusion on: this build (`cuda-untuned`) has no fusion; build with `--features cuda`");
            }
            let tuned = if cfg!(feature = "cuda") { "autotuned" } else { "untuned" };
            println!("backend burn-0.21.0 Autodiff<Cuda<{p}>> {kind} {tuned} cuda:{index}");
            match (p, o.fusion) {
                ("f32", false) => bench::<dimorph_bagnet::GpuTrain<f32>>(&o, &dev),
                ("bf16", false) => bench::<dimorph_bagnet::GpuTrain<burn::tensor::bf16>>(&o, &dev),
                ("f16", false) => bench::<dimorph_bagnet::GpuTrain<burn::tensor::f16>>(&o, &dev),
                #[cfg(feature = "cuda")]
                ("f32", true) => bench::<dimorph_bagnet::GpuFusedTrain<f32>>(&o, &dev),
                #[cfg(feature = "cuda")]
                ("bf16", true) => bench::<dimorph_bagnet::GpuFusedTrain<burn::tensor::bf16>>(&o, &dev),
                _ => fail(&format!(
                    "--precision {p} --fusion {kind}: expected f32, bf16 or f16 (fusion: f32 or bf16)"
                )),
            }
        }
        (d, p) => fail(&format!(
            "--device {} --precision {p} is not available (cpu in f32, or cuda with the `cuda` feature)",
            d.name()
        )),
    }
}

fn fail(msg: &str) -> ! {
    eprintln!("step_bench: {msg}");
    std::process::exit(2);
}
