//! The random streams of dimorph-bagnet are the kernel's SplitMix64 with its `Draws` (uniform,
//! normal, integer draws), the generator this crate had before the kernel: these tests pin that
//! the streams are bit for bit the former ones (the synthetic data, the initial weights, the
//! split, the shuffling and the augmentation, and so the acceptance run, depend on them).

use dimorph_core::rng::{Draws, SplitMix64};

#[test]
fn the_streams_are_those_of_the_former_generator() {
    // Reference values of the generator dimorph-bagnet used before the kernel's (same
    // SplitMix64 state, the same derive and the same conversions), computed by hand-written
    // SplitMix64 below.
    fn old(seed: u64, stream: u64, index: u64) -> impl FnMut() -> u64 {
        const G: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut s = seed ^ G;
        let next = move |s: &mut u64| {
            *s = s.wrapping_add(G);
            let mut z = *s;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        s ^= stream.wrapping_mul(0xD1B5_4A32_D192_ED03);
        next(&mut s);
        s ^= index.wrapping_mul(0x8CB9_2BA7_2F3D_8DD7);
        next(&mut s);
        move || next(&mut s)
    }
    for (seed, stream, index) in [(1, 2, 3), (0, 0, 0), (u64::MAX, 1000, 17)] {
        let mut a = old(seed, stream, index);
        let mut b = SplitMix64::derive(seed, stream, index);
        for _ in 0..100 {
            assert_eq!(a(), b.next_u64());
        }
    }
    // The conversions: uniform from the top 53 bits, Box–Muller on the cosine branch, integers by
    // scaling the uniform.
    let mut a = old(4, 5, 6);
    let mut b = SplitMix64::derive(4, 5, 6);
    let mut u = || (a() >> 11) as f64 / (1u64 << 53) as f64;
    for _ in 0..100 {
        assert_eq!(b.uniform().to_bits(), u().to_bits());
        let (u1, u2) = (u().max(1e-300), u());
        let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
        assert_eq!(b.normal().to_bits(), z.to_bits());
        assert_eq!(b.below(13), (u() * 13.0) as usize % 13);
    }
    let mut r = SplitMix64::new(3);
    let mut v: Vec<usize> = (0..10).collect();
    r.shuffle(&mut v);
    let mut s = v.clone();
    s.sort_unstable();
    assert_eq!(s, (0..10).collect::<Vec<_>>());
    for _ in 0..1000 {
        let u = r.uniform();
        assert!((0.0..1.0).contains(&u));
        assert!(r.below(7) < 7);
        assert!(r.normal().is_finite());
    }
}
