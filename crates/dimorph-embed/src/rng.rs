//! A small deterministic random number generator (SplitMix64 seeding a xoshiro256++ stream):
//! every random choice of the engine (random initialisation, tree splits, samples) draws from it,
//! so a seed fixes the result.

/// xoshiro256++ seeded through SplitMix64.
#[derive(Clone, Debug)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    pub fn new(seed: u64) -> Self {
        let mut z = seed;
        let mut next = || {
            z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut x = z;
            x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            x ^ (x >> 31)
        };
        Rng {
            s: [next(), next(), next(), next()],
        }
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

    /// Uniform on [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in 0..n (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform();
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// An independent generator for stream `k` (threads, trees).
    pub fn fork(&self, k: u64) -> Rng {
        Rng::new(self.s[0] ^ k.wrapping_mul(0xD1B5_4A32_D192_ED03) ^ self.s[2])
    }

    /// `m` distinct indices from 0..n in random order (m <= n), by a partial Fisher–Yates.
    pub fn sample(&mut self, n: usize, m: usize) -> Vec<usize> {
        if m * 4 >= n {
            let mut all: Vec<usize> = (0..n).collect();
            for i in 0..m.min(n) {
                let j = i + self.below(n - i);
                all.swap(i, j);
            }
            all.truncate(m.min(n));
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
