//! The engine's random numbers come from the kernel's seeded generator, [`dimorph_core::rng::Rng`]
//! (xoshiro256++ seeded through SplitMix64 — the stream this engine has always used), re-exported
//! here so that `dimorph_embed::rng::Rng` keeps working for callers.

pub use dimorph_core::rng::{Rng, SplitMix64};

/// A standard normal draw by Box–Muller on (1 − U, V), the transform this engine has always used
/// (random initialisation, subspace starts), so that a seed gives the embedding it gave before.
///
/// KERNEL? `dimorph_core::Rng::normal` draws its first uniform as (b + ½)/2⁵³ instead of
/// 1 − b/2⁵³: the same distribution but other values, which would move every seeded random
/// initialisation. Kept here until the kernel offers this variant or the change is accepted.
pub(crate) fn normal(rng: &mut Rng) -> f64 {
    let u1 = 1.0 - rng.uniform();
    let u2 = rng.uniform();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}
