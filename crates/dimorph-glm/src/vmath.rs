//! Natural logarithm over a block of values, written branch-free so that the compiler turns it
//! into 8-wide (AVX-512) or 4-wide (AVX2) vector code, and the deviance of a block of rows that
//! uses it (one IRLS pass spends about a fifth of its time in libm's scalar `log` otherwise).
//!
//! The algorithm is fdlibm's `e_log.c` (Sun Microsystems, 1993; the one in musl and in Rust's
//! `libm`): x = 2^k (1 + f) with 1 + f in [√2/2, √2), s = f / (2 + f),
//! log(1 + f) = f − s (f − R(s²)) with R a degree-14 minimax polynomial (Lg1..Lg7), and
//! k·ln 2 split into a high part exact in k and a low part. Both of fdlibm's final forms are
//! computed and selected, so there are no branches; no fused multiply-adds are used, so every
//! path gives the same bits. Error < 1 ulp (measured against the platform's `ln` in the tests
//! below). Inputs outside the positive normal range (0, subnormals, negative, ∞, NaN) take the
//! scalar `f64::ln`.

use crate::family::Family;

const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
const LG1: f64 = f64::from_bits(0x3fe5_5555_5555_5593);
const LG2: f64 = f64::from_bits(0x3fd9_9999_9997_fa04);
const LG3: f64 = f64::from_bits(0x3fd2_4924_9422_9359);
const LG4: f64 = f64::from_bits(0x3fcc_71c5_1d8e_78af);
const LG5: f64 = f64::from_bits(0x3fc7_4664_96cb_03de);
const LG6: f64 = f64::from_bits(0x3fc3_9a09_d078_c69f);
const LG7: f64 = f64::from_bits(0x3fc2_f112_df3e_5244);

/// log(x) for a positive normal x (anything else gives an unspecified finite or NaN value).
#[inline(always)]
fn ln_normal(x: f64) -> f64 {
    let bits = x.to_bits() as i64;
    let hx = bits >> 32; // high word (sign bit clear for x > 0)
    let mut k = (hx >> 20) - 1023;
    let hm = hx & 0x000f_ffff;
    let i = (hm + 0x95f64) & 0x10_0000; // 0x100000 when the mantissa is ≥ √2: halve it
    let hnew = hm | (i ^ 0x3ff0_0000);
    k += i >> 20;
    let m = f64::from_bits(((hnew << 32) | (bits & 0xffff_ffff)) as u64);
    let f = m - 1.0;
    let s = f / (2.0 + f);
    // k as f64 without an i64 → f64 conversion (which AVX2 lacks): 2^52 + (k + 2048) − (2^52 + 2048)
    let dk = f64::from_bits((0x4330_0000_0000_0000i64 + k + 2048) as u64) - 4_503_599_627_372_544.0;
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG2 + w * (LG4 + w * LG6));
    let t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    let r = t2 + t1;
    let hfsq = 0.5 * f * f;
    let big = dk * LN2_HI - ((hfsq - (s * (hfsq + r) + dk * LN2_LO)) - f);
    let small = dk * LN2_HI - ((s * (f - r) - dk * LN2_LO) - f);
    let sel = (hm - 0x6147a) | (0x6b851 - hm);
    if sel > 0 {
        big
    } else {
        small
    }
}

#[inline(always)]
fn ln_body(x: &[f64], out: &mut [f64]) {
    for (o, &v) in out.iter_mut().zip(x) {
        *o = ln_normal(v);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512vl")]
fn ln_avx512(x: &[f64], out: &mut [f64]) {
    ln_body(x, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn ln_avx2(x: &[f64], out: &mut [f64]) {
    ln_body(x, out)
}

/// out[i] = log(x[i]) for i < min(x.len(), out.len()); the same bits on every processor.
pub fn ln_block(x: &[f64], out: &mut [f64]) {
    let n = x.len().min(out.len());
    let (x, out) = (&x[..n], &mut out[..n]);
    #[cfg(target_arch = "x86_64")]
    {
        if has_avx512() {
            // SAFETY: the processor supports AVX-512F/DQ/VL, checked just above.
            unsafe { ln_avx512(x, out) };
        } else if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor supports AVX2, checked just above.
            unsafe { ln_avx2(x, out) };
        } else {
            ln_body(x, out);
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    ln_body(x, out);
    for (o, &v) in out.iter_mut().zip(x) {
        if !(f64::MIN_POSITIVE..=f64::MAX).contains(&v) {
            *o = v.ln();
        }
    }
}

const INVLN2: f64 = f64::from_bits(0x3ff7_1547_652b_82fe);
const P1: f64 = f64::from_bits(0x3fc5_5555_5555_553e);
const P2: f64 = f64::from_bits(0xbf66_c16c_16be_bd93);
const P3: f64 = f64::from_bits(0x3f11_566a_af25_de2c);
const P4: f64 = f64::from_bits(0xbebb_bd41_c5d2_6bf1);
const P5: f64 = f64::from_bits(0x3e66_3769_72be_a4d0);
/// 1.5 · 2^52: adding and subtracting it rounds a double below 2^51 to the nearest integer.
const ROUNDER: f64 = 6_755_399_441_055_744.0;

/// Largest |x| for which [`exp_core`] is used; beyond it (and for NaN) the callers take libm's
/// `exp`. Inside, 2^k stays a normal number (k ≥ −1010).
pub(crate) const EXP_CORE_MAX: f64 = 700.0;

/// e^x for |x| ≤ [`EXP_CORE_MAX`], branch-free (so that it vectorises), after fdlibm's `e_exp.c`
/// (the exponential of musl's and Rust's `libm` before their table-driven versions): x = k ln 2 + r
/// with |r| ≤ ln 2 / 2 and k the nearest integer to x / ln 2 (k ln 2 split into a high part exact
/// in k and a low part), e^r = 1 + 2r / (2 − c) with c = r − r²·P(r²) a degree-5 minimax
/// polynomial, and 2^k put into the exponent. No fused multiply-adds: the same bits on every
/// processor. Error below 1 ulp (checked against libm in the tests below).
#[inline(always)]
pub(crate) fn exp_core(x: f64) -> f64 {
    let v = x * INVLN2 + ROUNDER; // round to nearest (ties to even) through the rounder
    let kf = v - ROUNDER;
    let k = (v.to_bits() as i64).wrapping_sub(ROUNDER.to_bits() as i64); // the integer k
    let hi = x - kf * LN2_HI; // exact: kf · LN2_HI has at most 32 significant bits
    let lo = kf * LN2_LO;
    let r = hi - lo;
    let t = r * r;
    let c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
    let y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
    f64::from_bits((y.to_bits() as i64).wrapping_add(k << 52) as u64)
}

#[cfg(test)]
#[inline(always)]
fn exp_body(x: &[f64], out: &mut [f64]) {
    for (o, &v) in out.iter_mut().zip(x) {
        *o = exp_core(v.clamp(-EXP_CORE_MAX, EXP_CORE_MAX));
    }
}

#[cfg(test)]
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512vl")]
fn exp_avx512(x: &[f64], out: &mut [f64]) {
    exp_body(x, out)
}

#[cfg(test)]
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn exp_avx2(x: &[f64], out: &mut [f64]) {
    exp_body(x, out)
}

#[cfg(test)]
/// out[i] = e^x[i] for i < min(x.len(), out.len()): [`exp_core`] inside ±[`EXP_CORE_MAX`],
/// libm's `exp` outside (overflow, underflow, NaN); the same bits on every processor. (The
/// IRLS kernels inline `exp_core` in their own vector loops; this checks it in the tests.)
pub fn exp_block(x: &[f64], out: &mut [f64]) {
    let n = x.len().min(out.len());
    let (x, out) = (&x[..n], &mut out[..n]);
    #[cfg(target_arch = "x86_64")]
    {
        if has_avx512() {
            // SAFETY: the processor supports AVX-512F/DQ/VL, checked just above.
            unsafe { exp_avx512(x, out) };
        } else if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor supports AVX2, checked just above.
            unsafe { exp_avx2(x, out) };
        } else {
            exp_body(x, out);
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    exp_body(x, out);
    for (o, &v) in out.iter_mut().zip(x) {
        if v.is_nan() || v.abs() > EXP_CORE_MAX {
            *o = v.exp();
        }
    }
}

/// Whether the processor has the AVX-512 subsets the vector paths of this module use.
#[cfg(target_arch = "x86_64")]
#[inline]
pub(crate) fn has_avx512() -> bool {
    std::arch::is_x86_feature_detected!("avx512f")
        && std::arch::is_x86_feature_detected!("avx512dq")
        && std::arch::is_x86_feature_detected!("avx512vl")
}

/// Capacity of a [`DevBlock`]: the rows of one IRLS block.
pub const DEV_BLOCK: usize = 64;

/// The deviance terms of up to [`DEV_BLOCK`] rows, each held as d = c·log(x) + k so that the
/// logarithms are taken together by [`ln_block`]. For binomial 0/1 responses and Poisson
/// responses c, x and k are the family's unit deviance written out (2·log(1/μ) or
/// 2·log(1/(1−μ)); 2y·log(y/μ) − 2(y − μ)), which is [`Family::unit_deviance`] with the same
/// rounding apart from the logarithm; other rows hold c = 0, x = 1, k = the unit deviance.
pub struct DevBlock {
    w: [f64; DEV_BLOCK],
    c: [f64; DEV_BLOCK],
    x: [f64; DEV_BLOCK],
    k: [f64; DEV_BLOCK],
    l: [f64; DEV_BLOCK],
    n: usize,
}

impl Default for DevBlock {
    fn default() -> Self {
        DevBlock {
            w: [0.0; DEV_BLOCK],
            c: [0.0; DEV_BLOCK],
            x: [1.0; DEV_BLOCK],
            k: [0.0; DEV_BLOCK],
            l: [0.0; DEV_BLOCK],
            n: 0,
        }
    }
}

impl DevBlock {
    /// The terms (c, x, k) of w · unit_deviance(y, μ) as a place holds them.
    #[inline(always)]
    fn terms(family: &Family, y: f64, mu: f64) -> (f64, f64, f64) {
        match family {
            Family::Binomial | Family::QuasiBinomial if y == 1.0 => (2.0, 1.0 / mu, 0.0),
            Family::Binomial | Family::QuasiBinomial if y == 0.0 => (2.0, 1.0 / (1.0 - mu), 0.0),
            Family::Poisson | Family::QuasiPoisson => (2.0 * y, if y == 0.0 { 1.0 } else { y / mu }, -2.0 * (y - mu)),
            _ => (0.0, 1.0, family.unit_deviance(y, mu)),
        }
    }

    /// Holds w · unit_deviance(y, μ) in place `r` (rows of a block by position: a place left
    /// out with [`DevBlock::clear`] adds nothing).
    #[inline]
    pub(crate) fn set(&mut self, r: usize, family: &Family, w: f64, y: f64, mu: f64) {
        let (c, x, k) = Self::terms(family, y, mu);
        self.w[r] = w;
        self.c[r] = c;
        self.x[r] = x;
        self.k[r] = k;
    }

    /// Place `r` adds nothing (weight 0, log 1).
    #[inline]
    pub(crate) fn clear(&mut self, r: usize) {
        self.w[r] = 0.0;
        self.c[r] = 0.0;
        self.x[r] = 1.0;
        self.k[r] = 0.0;
    }

    /// The weight, c, x and k of every place, for a kernel that fills a whole block (c·log(x) + k
    /// must be finite where the weight is 0).
    pub(crate) fn places(&mut self) -> [&mut [f64; DEV_BLOCK]; 4] {
        [&mut self.w, &mut self.c, &mut self.x, &mut self.k]
    }

    /// Adds the terms of places 0..n to `dev` in order (places cleared add exactly 0).
    pub(crate) fn flush_places(&mut self, n: usize, dev: &mut f64) {
        self.n = n;
        self.flush(dev);
    }

    /// Adds the held terms to `dev` in order and empties the block.
    fn flush(&mut self, dev: &mut f64) {
        let n = self.n;
        ln_block(&self.x[..n], &mut self.l[..n]);
        for r in 0..n {
            let d = self.c[r] * self.l[r] + self.k[r];
            // a unit deviance is ≥ 0; a negative value is rounding (y ≈ μ); NaN stays NaN
            let d = if d < 0.0 { 0.0 } else { d };
            *dev += self.w[r] * d;
        }
        self.n = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in units in the last place between two finite doubles of the same sign.
    fn ulps(a: f64, b: f64) -> u64 {
        if a == b {
            return 0;
        }
        let key = |v: f64| {
            let i = v.to_bits() as i64;
            if i < 0 {
                i64::MIN - i
            } else {
                i
            }
        };
        key(a).abs_diff(key(b))
    }

    #[test]
    fn ln_block_within_one_ulp_of_libm_over_the_whole_range() {
        // log-uniform over [2^-1022, 2^1024) plus a dense band around 1 (where log is small)
        let mut rng = dimorph_core::rng::Rng::new(13);
        let mut xs: Vec<f64> = (0..400_000)
            .map(|_| (rng.uniform() * 2046.0 - 1022.0).exp2().min(f64::MAX))
            .collect();
        xs.extend((0..200_000).map(|_| 1.0 + (rng.uniform() - 0.5) * 0.9));
        xs.extend((0..100_000).map(|_| 1.0 + (rng.uniform() - 0.5) * 1e-6));
        xs.extend([
            1.0,
            2.0,
            0.5,
            std::f64::consts::E,
            f64::MIN_POSITIVE,
            f64::MAX,
            1.0 - 1e-16,
            1.0 + 2e-16,
        ]);
        let mut out = vec![0.0; xs.len()];
        ln_block(&xs, &mut out);
        let (mut worst, mut differ) = (0, 0);
        for (&x, &l) in xs.iter().zip(&out) {
            let e = ulps(l, x.ln());
            differ += usize::from(e > 0);
            assert!(e <= 1, "log({x:e}) = {l:e}, libm {:e} ({e} ulp)", x.ln());
            worst = worst.max(e);
        }
        assert_eq!(out[xs.len() - 8], 0.0); // log 1 is exactly 0
                                            // the scalar body (no vector code) gives the same bits as the dispatched one
        for (&x, &l) in xs.iter().zip(&out).step_by(97) {
            assert_eq!(ln_normal(x).to_bits(), l.to_bits());
        }
        eprintln!(
            "ln_block: max {worst} ulp from libm; {differ} of {} values differ",
            xs.len()
        );
    }

    #[test]
    fn exp_block_within_one_ulp_of_libm_over_the_whole_range() {
        // uniform over the whole finite range of e^x, dense bands around 0 and around the
        // logit and log links' working range, the reduction's boundaries (x near k ln 2 / 2)
        let mut rng = dimorph_core::rng::Rng::new(17);
        let mut xs: Vec<f64> = (0..400_000).map(|_| rng.uniform() * 1460.0 - 745.0).collect();
        xs.extend((0..200_000).map(|_| (rng.uniform() - 0.5) * 64.0));
        xs.extend((0..100_000).map(|_| (rng.uniform() - 0.5) * 1e-6));
        xs.extend((-2000..2000).map(|k| f64::from(k) * std::f64::consts::LN_2 * 0.5 * (1.0 + 1e-15)));
        xs.extend([
            0.0, -0.0, 1e-300, -1e-300, 1.0, -1.0, 30.0, -30.0, 700.0, -700.0, 709.7, -745.1,
        ]);
        let mut out = vec![0.0; xs.len()];
        exp_block(&xs, &mut out);
        let (mut worst, mut differ) = (0, 0);
        for (&x, &e) in xs.iter().zip(&out) {
            let want = x.exp();
            let d = ulps(e, want);
            differ += usize::from(d > 0);
            assert!(d <= 1, "exp({x:e}) = {e:e}, libm {want:e} ({d} ulp)");
            worst = worst.max(d);
        }
        assert_eq!(exp_core(0.0), 1.0);
        // the scalar body gives the same bits as the dispatched (vector) one
        for (&x, &e) in xs.iter().zip(&out).step_by(89) {
            if x.abs() <= EXP_CORE_MAX {
                assert_eq!(exp_core(x).to_bits(), e.to_bits());
            }
        }
        eprintln!(
            "exp_block: max {worst} ulp from libm; {differ} of {} values differ",
            xs.len()
        );
    }

    #[test]
    fn exp_block_special_values_as_libm() {
        let xs = [
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            710.0,
            -746.0,
            -720.0,
            1e308,
            -1e308,
        ];
        let mut out = [7.0; 8];
        exp_block(&xs, &mut out);
        for (&x, &e) in xs.iter().zip(&out) {
            let want = x.exp();
            assert!(
                e.to_bits() == want.to_bits() || (e.is_nan() && want.is_nan()),
                "{x}: {e} vs {want}"
            );
        }
    }

    #[test]
    fn ln_block_special_values_as_libm() {
        let xs = [
            0.0,
            -0.0,
            -1.0,
            5e-324,
            1e-310,
            f64::INFINITY,
            f64::NAN,
            f64::NEG_INFINITY,
        ];
        let mut out = [7.0; 8];
        ln_block(&xs, &mut out);
        for (&x, &l) in xs.iter().zip(&out) {
            let want = x.ln();
            assert!(
                l.to_bits() == want.to_bits() || (l.is_nan() && want.is_nan()),
                "{x}: {l} vs {want}"
            );
        }
    }

    #[test]
    fn dev_block_matches_unit_deviance() {
        let cases: [(Family, f64, f64); 9] = [
            (Family::Binomial, 1.0, 0.3),
            (Family::Binomial, 0.0, 0.3),
            (Family::Binomial, 0.4, 0.3),
            (Family::QuasiBinomial, 1.0, 1e-300),
            (Family::Poisson, 0.0, 2.5),
            (Family::Poisson, 3.0, 2.5),
            (Family::Poisson, 3.0, 3.0 * (1.0 + 1e-16)),
            (Family::Gaussian, 1.5, -2.0),
            (Family::Gamma, 2.0, 3.0),
        ];
        for (f, y, mu) in cases {
            let mut b = DevBlock::default();
            b.set(0, &f, 1.5, y, mu);
            b.clear(1);
            let mut dev = 0.25;
            b.flush_places(2, &mut dev);
            let want = 0.25 + 1.5 * f.unit_deviance(y, mu);
            assert!(
                (dev - want).abs() <= 4.0 * f64::EPSILON * want.abs(),
                "{f:?} y {y} μ {mu}: {dev} vs {want}"
            );
        }
    }
}
