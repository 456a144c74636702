//! The engine's random numbers come from the kernel's seeded generator, [`dimorph_core::rng::Rng`]
//! (xoshiro256++ seeded through SplitMix64 — the stream this engine has always used; its
//! [`Rng::normal`] is the Box–Muller on (1 − U, V) this engine has always drawn), re-exported here
//! so that `dimorph_embed::rng::Rng` keeps working for callers.

pub use dimorph_core::rng::{Rng, SplitMix64};
