//! Architecture tests: map sizes, receptive field, pooling identity, parameter count.
use burn::tensor::{Distribution, Tensor, TensorData};
use dimorph_bagnet::model::{Arch, BagNetConfig};
use dimorph_bagnet::Cpu;

#[test]
fn evidence_map_sizes_at_224() {
    // Issue / BagNet paper: 24×24 (q = 33), 26×26 (q = 17), 27×27 (q = 9) at 224×224.
    assert_eq!(Arch::BagNet33.map_size(224).unwrap(), 24);
    assert_eq!(Arch::BagNet17.map_size(224).unwrap(), 26);
    assert_eq!(Arch::BagNet9.map_size(224).unwrap(), 27);
    assert!(Arch::BagNet33.map_size(20).is_err());
}

#[test]
fn forward_map_size_matches_formula() {
    // A real forward pass at a small width gives the analytic map size (q = 9 at 224: 27).
    let dev = Default::default();
    for arch in [Arch::BagNet9, Arch::BagNet17, Arch::BagNet33] {
        let m = BagNetConfig::new(arch, 1).with_width(0.0625).init_cpu();
        let x = Tensor::<Cpu, 4>::random([1, 3, 224, 224], Distribution::Normal(0.0, 1.0), &dev);
        let f = m.features(x);
        let s = arch.map_size(224).unwrap();
        assert_eq!(f.dims(), [1, 128, s, s], "{arch:?}");
    }
}

#[test]
fn bagnet33_one_output_has_16263233_parameters() {
    // Issue 6: BagNet-33 with one output has 16,263,233 trainable parameters
    // (no forward pass needed: counting the parameters of the initialised module).
    let m = BagNetConfig::new(Arch::BagNet33, 1).init_cpu();
    assert_eq!(m.trainable_params(), 16_263_233);
}

fn patch_logits(m: &dimorph_bagnet::model::BagNet<Cpu>, x: Vec<f32>, side: usize) -> Vec<f32> {
    let dev = Default::default();
    let t = Tensor::<Cpu, 4>::from_data(TensorData::new(x, [1, 3, side, side]), &dev);
    m.patch_logits(m.features(t)).into_data().to_vec::<f32>().unwrap()
}

#[test]
fn one_pixel_changes_only_patches_whose_window_contains_it() {
    let side = 72;
    for arch in [Arch::BagNet9, Arch::BagNet17, Arch::BagNet33] {
        let q = arch.q();
        let m = BagNetConfig::new(arch, 1).with_width(0.125).init_cpu();
        let s = arch.map_size(side).unwrap();
        let mut rng = 12345u64;
        let x: Vec<f32> = (0..3 * side * side)
            .map(|_| {
                rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                ((rng >> 33) as f32 / (1u64 << 31) as f32) - 0.5
            })
            .collect();
        let base = patch_logits(&m, x.clone(), side);
        for &(py, px) in &[(30usize, 41usize), (0, 0), (side - 1, 17)] {
            let mut y = x.clone();
            for c in 0..3 {
                y[c * side * side + py * side + px] += 5.0;
            }
            let out = patch_logits(&m, y, side);
            for i in 0..s {
                for j in 0..s {
                    let inside = (8 * i..8 * i + q).contains(&py) && (8 * j..8 * j + q).contains(&px);
                    let d = (out[i * s + j] - base[i * s + j]).abs();
                    if inside {
                        assert!(d > 1e-6, "{arch:?} pixel ({py},{px}) patch ({i},{j}) unchanged");
                    } else {
                        assert_eq!(
                            d, 0.0,
                            "{arch:?} pixel ({py},{px}) changed patch ({i},{j}) outside its window"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn mean_of_patch_logits_equals_avgpool_then_linear() {
    let dev = Default::default();
    let m = BagNetConfig::new(Arch::BagNet17, 3).with_width(0.125).init_cpu();
    let x = Tensor::<Cpu, 4>::random([2, 3, 64, 64], Distribution::Normal(0.0, 1.0), &dev);
    let f = m.features(x);
    let pooled = m.pooled_logits(f.clone()).into_data().to_vec::<f32>().unwrap();
    let p = m.patch_logits(f);
    let [n, h, w, k] = p.dims();
    let p = p.into_data().to_vec::<f32>().unwrap();
    for b in 0..n {
        for c in 0..k {
            let mut s = 0.0f64;
            for i in 0..h * w {
                s += p[(b * h * w + i) * k + c] as f64;
            }
            let mean = s / (h * w) as f64;
            let got = pooled[b * k + c] as f64;
            assert!((mean - got).abs() <= 1e-4 * (1.0 + got.abs()), "{mean} vs {got}");
        }
    }
}
