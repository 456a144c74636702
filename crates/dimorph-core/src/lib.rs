//! # dimorph-core — the small shared kernel
//!
//! Everything that more than one engine needs, written once:
//!
//! - [`location`]: where an input problem is (file, line, column, argument), as a wrapper around
//!   any error ([`Located`]) instead of path and line fields repeated in every engine's enum;
//! - [`rng`]: the one seeded random-number generator (xoshiro256++ seeded through SplitMix64) and
//!   the counter-based [`rng::derive`] for streams that must not depend on call order;
//! - [`threads`]: how many threads to use and how to split `0..n` between them;
//! - [`dist`]: distribution functions (normal, χ², t, F, gamma: densities, tails, quantiles);
//! - [`table`]: tidy tables (one row per observation, typed cells) written as CSV through the
//!   `csv` crate (so quoting is always right) or as JSON records;
//! - [`output`]: files an analysis produces, written atomically (temporary file + rename) and
//!   never over an existing file unless the caller asks;
//! - [`text`]: input quoted in messages, clipped to one short line;
//! - [`scratch`]: temporary folders removed with everything in them when dropped;
//! - [`interrupt`]: the engines' long loops [`interrupt::poll`] so that a caller (the Python
//!   package, on Ctrl-C) can stop a call, as R's `R_CheckUserInterrupt`.
//!
//! Engines never print, never exit and hold no global state; this crate gives them no way to (the
//! check that [`interrupt::poll`] asks is the caller's, installed for the duration of its call).

pub mod dist;
pub mod interrupt;
pub mod location;
pub mod output;
pub mod rng;
pub mod scratch;
pub mod table;
pub mod text;
pub mod threads;

pub use location::{Located, Location};
pub use output::{OutputFile, Overwrite};
pub use rng::Rng;
pub use scratch::{ScratchDir, ScratchPath};
pub use table::{Cell, TidyTable};
