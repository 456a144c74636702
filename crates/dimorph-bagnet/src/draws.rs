//! Random draws for synthetic images, splits, shuffling, augmentation, initial weights and the
//! bootstrap, all from the kernel's counter-based [`SplitMix64`] stream: a draw depends only on
//! (seed, stream, index) through [`SplitMix64::derive`], which is what makes a resumed training run
//! exact and the synthetic data the same on every machine.
//!
//! The kernel's `SplitMix64` only gives 64-bit words; the helpers below turn them into uniform,
//! normal and integer draws exactly as dimorph-bagnet always has (the synthetic data, the
//! initial weights and the acceptance run depend on these bits).

pub use dimorph_core::rng::SplitMix64;

// KERNEL? uniform/range/normal/below/shuffle on SplitMix64 (the kernel has them on xoshiro's `Rng`
// only, with another `normal` and `below`, so they cannot be shared without changing the streams).
/// Uniform, normal and integer draws from a 64-bit generator.
pub trait Draws {
    /// The next 64 random bits.
    fn bits(&mut self) -> u64;

    /// Uniform in [0, 1): the top 53 bits.
    fn uniform(&mut self) -> f64 {
        (self.bits() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [a, b).
    fn range(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.uniform()
    }

    /// Standard normal (Box–Muller on the cosine branch).
    fn normal(&mut self) -> f64 {
        let u1 = self.uniform().max(1e-300);
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }

    /// Integer in [0, n) (0 when n is 0).
    fn below(&mut self, n: usize) -> usize {
        (self.uniform() * n as f64) as usize % n.max(1)
    }

    /// Fisher–Yates shuffle in place.
    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

impl Draws for SplitMix64 {
    fn bits(&mut self) -> u64 {
        self.next_u64()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
