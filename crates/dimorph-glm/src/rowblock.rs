//! The per-row quantities of an IRLS block (μ = g⁻¹(η), the working weight W = w (dμ/dη)²/V(μ),
//! the working response z and the deviance terms) for the logit-binomial and log-Poisson models,
//! written branch-free over the whole block so that the compiler turns them into 8-wide
//! (AVX-512) or 4-wide (AVX2) vector code, the exponential included (`vmath::exp_core`).
//!
//! Each quantity is the scalar formula of `Link::inverse_and_mu_eta`, `Family::variance` and
//! `vmath::DevBlock` in the same order of operations (no fused multiply-adds), so only the
//! exponential (≤ 1 ulp from libm) can change a bit. Rows outside the formulas' common case —
//! |η| > 30 for the logit link (R's clamped branch), |η| > 700 or NaN for the log link, a
//! binomial response other than 0 or 1 — are computed again by the caller's scalar code.

use crate::family::Family;
use crate::link::Link;
use crate::vmath::{exp_core, DevBlock, DEV_BLOCK};

/// Rows of a block.
pub(crate) const ROWS: usize = DEV_BLOCK;

/// The models with a vector path.
#[derive(Clone, Copy, PartialEq, Debug)]
pub(crate) enum Kind {
    LogitBinomial,
    LogPoisson,
}

impl Kind {
    /// The vector path for a family and link, if there is one.
    pub(crate) fn of(family: Family, link: Link) -> Option<Kind> {
        match (family, link) {
            (Family::Binomial | Family::QuasiBinomial, Link::Logit) => Some(Kind::LogitBinomial),
            (Family::Poisson | Family::QuasiPoisson, Link::Log) => Some(Kind::LogPoisson),
            _ => None,
        }
    }

    /// Whether a row must be computed by the scalar code instead (without branches: `&` and
    /// `|` on the comparisons, not `&&`, so that a 0/1 response mispredicts nothing).
    #[inline(always)]
    pub(crate) fn irregular(self, eta: f64, y: f64) -> bool {
        match self {
            Kind::LogitBinomial => !((eta.abs() <= 30.0) & ((y == 0.0) | (y == 1.0))),
            Kind::LogPoisson => eta.is_nan() | (eta.abs() > crate::vmath::EXP_CORE_MAX),
        }
    }
}

/// The inputs of a block (places past the block's rows hold η = 0, w = 0, y = 0).
pub(crate) struct BlockIn<'b> {
    pub eta: &'b [f64; ROWS],
    pub off: &'b [f64; ROWS],
    pub y: &'b [f64; ROWS],
    pub w: &'b [f64; ROWS],
}

/// Writes √W and W z of every place and the deviance terms into `devs` (by place). Rows that
/// [`Kind::irregular`] names hold unspecified values: the caller computes them again. Returns
/// whether any of the first `m` places is irregular.
pub(crate) fn weights(
    kind: Kind,
    b: &BlockIn,
    m: usize,
    sw: &mut [f64; ROWS],
    wz: &mut [f64; ROWS],
    devs: &mut DevBlock,
) -> bool {
    weights_all(kind, b, sw, wz, devs);
    let mut any = false;
    for r in 0..m.min(ROWS) {
        any |= kind.irregular(b.eta[r], b.y[r]);
    }
    any
}

fn weights_all(kind: Kind, b: &BlockIn, sw: &mut [f64; ROWS], wz: &mut [f64; ROWS], devs: &mut DevBlock) {
    let [dw, dc, dx, dk] = devs.places();
    #[cfg(target_arch = "x86_64")]
    {
        if crate::vmath::has_avx512() {
            // SAFETY: the processor supports AVX-512F/DQ/VL, checked just above.
            unsafe { weights_avx512(kind, b, sw, wz, [dw, dc, dx, dk]) };
            return;
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor supports AVX2, checked just above.
            unsafe { weights_avx2(kind, b, sw, wz, [dw, dc, dx, dk]) };
            return;
        }
    }
    weights_body(kind, b, sw, wz, [dw, dc, dx, dk]);
}

type Places<'d> = [&'d mut [f64; ROWS]; 4];

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512vl")]
fn weights_avx512(kind: Kind, b: &BlockIn, sw: &mut [f64; ROWS], wz: &mut [f64; ROWS], d: Places) {
    weights_body(kind, b, sw, wz, d)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn weights_avx2(kind: Kind, b: &BlockIn, sw: &mut [f64; ROWS], wz: &mut [f64; ROWS], d: Places) {
    weights_body(kind, b, sw, wz, d)
}

#[inline(always)]
fn weights_body(kind: Kind, b: &BlockIn, sw: &mut [f64; ROWS], wz: &mut [f64; ROWS], d: Places) {
    match kind {
        Kind::LogitBinomial => logit_binomial(b, sw, wz, d),
        Kind::LogPoisson => log_poisson(b, sw, wz, d),
    }
}

/// μ = t/(1 + t), dμ/dη = μ/(1 + t) with t = e^η; V = μ(1 − μ); deviance 2 log(1/μ) (y = 1) or
/// 2 log(1/(1 − μ)) (y = 0).
#[inline(always)]
fn logit_binomial(b: &BlockIn, sw: &mut [f64; ROWS], wz: &mut [f64; ROWS], d: Places) {
    let [dw, dc, dx, dk] = d;
    for r in 0..ROWS {
        let eta = b.eta[r];
        let t = exp_core(eta.clamp(-30.0, 30.0));
        let mu = t / (1.0 + t);
        let dmu = mu / (1.0 + t);
        let wt = b.w[r] * dmu * dmu / (mu * (1.0 - mu));
        let z = (eta - b.off[r]) + (b.y[r] - mu) / dmu;
        sw[r] = wt.sqrt();
        wz[r] = wt * z;
        dw[r] = b.w[r];
        dc[r] = 2.0;
        let inv_mu = 1.0 / mu;
        let inv_1mu = 1.0 / (1.0 - mu);
        dx[r] = if b.y[r] == 1.0 { inv_mu } else { inv_1mu };
        dk[r] = 0.0;
    }
}

/// μ = dμ/dη = max(e^η, ε); V = μ; deviance 2y log(y/μ) − 2(y − μ).
#[inline(always)]
fn log_poisson(b: &BlockIn, sw: &mut [f64; ROWS], wz: &mut [f64; ROWS], d: Places) {
    let [dw, dc, dx, dk] = d;
    for r in 0..ROWS {
        let eta = b.eta[r];
        let t = exp_core(eta.clamp(-crate::vmath::EXP_CORE_MAX, crate::vmath::EXP_CORE_MAX));
        let mu = t.max(f64::EPSILON);
        let y = b.y[r];
        let wt = b.w[r] * mu * mu / mu;
        let z = (eta - b.off[r]) + (y - mu) / mu;
        sw[r] = wt.sqrt();
        wz[r] = wt * z;
        dw[r] = b.w[r];
        dc[r] = 2.0 * y;
        let ratio = y / mu;
        dx[r] = if y == 0.0 { 1.0 } else { ratio };
        dk[r] = -2.0 * (y - mu);
    }
}
