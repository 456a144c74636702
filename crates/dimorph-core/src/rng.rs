//! The one seeded random-number generator of dimorph.
//!
//! [`Rng`] is xoshiro256++ (Blackman & Vigna 2018) with its state filled by SplitMix64 from a
//! 64-bit seed: fast, 2²⁵⁶ − 1 period, and the same stream on every platform, so that a seed fixes
//! every random choice of an analysis (bootstrap resamples, tree splits, initial embeddings,
//! synthetic images, shuffles). [`SplitMix64`] is the counter-based generator used to seed it and,
//! through [`SplitMix64::derive`], to give each (seed, stream, index) triple its own independent
//! stream, so that the draws for image 17 of epoch 3 do not depend on what was drawn before (this is
//! what makes a resumed training run exact).

/// SplitMix64 (Steele, Lea & Flood 2014): one 64-bit state advanced by a Weyl sequence.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl SplitMix64 {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed ^ GOLDEN)
    }
    /// A generator for one (seed, stream, index) triple, independent of call order.
    pub fn derive(seed: u64, stream: u64, index: u64) -> Self {
        let mut r = SplitMix64::new(seed);
        r.0 ^= stream.wrapping_mul(0xD1B5_4A32_D192_ED03);
        r.next_u64();
        r.0 ^= index.wrapping_mul(0x8CB9_2BA7_2F3D_8DD7);
        r.next_u64();
        r
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        mix(self.0)
    }
}

/// Uniform, normal and integer draws on [`SplitMix64`]'s words, for streams that are derived per
/// (seed, stream, index) ([`SplitMix64::derive`]) — synthetic images, splits, augmentation.
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

/// xoshiro256++ seeded through SplitMix64.
#[derive(Clone, Debug)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A generator from a seed (the state is four SplitMix64 outputs of `seed`).
    pub fn new(seed: u64) -> Self {
        let mut z = seed;
        let mut next = || {
            z = z.wrapping_add(GOLDEN);
            mix(z)
        };
        Rng {
            s: [next(), next(), next(), next()],
        }
    }

    /// A generator for one (seed, stream, index) triple, independent of call order.
    pub fn derive(seed: u64, stream: u64, index: u64) -> Self {
        Rng::new(SplitMix64::derive(seed, stream, index).next_u64())
    }

    pub fn next_u64(&mut self) -> u64 {
        let r = (self.s[0].wrapping_add(self.s[3]))
            .rotate_left(23)
            .wrapping_add(self.s[0]);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        r
    }

    /// Uniform on [0, 1), 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform on the open interval (0, 1): never 0, so `ln` and quantile functions are safe.
    pub fn uniform_open(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform on [a, b).
    pub fn range(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.uniform()
    }

    /// Uniform integer in 0..n; 0 when n is 0.
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize % n
    }

    /// Standard normal (Box–Muller on 1 − U ∈ (0, 1], so never infinite).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform();
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// An independent generator for stream `k` (threads, trees).
    pub fn fork(&self, k: u64) -> Rng {
        Rng::new(self.s[0] ^ k.wrapping_mul(0xD1B5_4A32_D192_ED03) ^ self.s[2])
    }

    /// Fisher–Yates shuffle in place.
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }

    /// `m` distinct indices from 0..n in random order (at most n of them), by a partial
    /// Fisher–Yates when m is a sizeable share of n, else by rejection.
    pub fn sample(&mut self, n: usize, m: usize) -> Vec<usize> {
        let m = m.min(n);
        if m * 4 >= n {
            let mut all: Vec<usize> = (0..n).collect();
            for i in 0..m {
                let j = i + self.below(n - i);
                all.swap(i, j);
            }
            all.truncate(m);
            return all;
        }
        let mut seen = std::collections::HashSet::with_capacity(m * 2);
        let mut out = Vec::with_capacity(m);
        while out.len() < m {
            let j = self.below(n);
            if seen.insert(j) {
                out.push(j);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_the_reference_sequence() {
        // Reference values of SplitMix64 from state 0 (Vigna's splitmix64.c): 0xe220a8397b1dcdaf,
        // 0x6e789e6aa1b965f4, 0x06c45d188009454f.
        let mut r = SplitMix64(0);
        assert_eq!(r.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(r.next_u64(), 0x6e78_9e6a_a1b9_65f4);
        assert_eq!(r.next_u64(), 0x06c4_5d18_8009_454f);
    }

    #[test]
    fn xoshiro_matches_the_reference_sequence() {
        // xoshiro256++ from state [1, 2, 3, 4] (Vigna's xoshiro256plusplus.c): first outputs
        // 41943041, 58720359, 3588806011781223.
        let mut r = Rng { s: [1, 2, 3, 4] };
        assert_eq!(r.next_u64(), 41_943_041);
        assert_eq!(r.next_u64(), 58_720_359);
        assert_eq!(r.next_u64(), 3_588_806_011_781_223);
    }

    #[test]
    fn draws_stay_in_range_and_streams_are_reproducible() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        for _ in 0..1000 {
            let u = a.uniform();
            assert!((0.0..1.0).contains(&u));
            assert_eq!(u.to_bits(), b.uniform().to_bits());
            assert!(a.uniform_open() > 0.0);
            assert!(a.below(13) < 13);
            b.uniform_open();
            b.below(13);
        }
        let s = a.sample(100, 30);
        let mut t = s.clone();
        t.sort_unstable();
        t.dedup();
        assert_eq!(t.len(), 30);
        assert_eq!(Rng::derive(1, 2, 3).next_u64(), Rng::derive(1, 2, 3).next_u64());
        assert_ne!(Rng::derive(1, 2, 3).next_u64(), Rng::derive(1, 2, 4).next_u64());
    }
}
