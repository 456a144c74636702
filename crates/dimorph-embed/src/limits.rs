//! The range of every numeric setting, stated once: [`crate::EmbedOptions::validate`] and the
//! pipeline's own check ([`crate::validate`]) refuse a value outside it with a message naming the
//! option in CLI spelling and the range, and the CLI's help text quotes the same bounds. The bounds
//! keep every allocation and loop proportional to the data: a neighbour count, a PCA dimension, an
//! iteration count or a thread count from the command line can never ask for unbounded memory or
//! time, and a factor such as the exaggeration can never turn the layout into infinities.

use crate::error::{EmbedError, Result};
use dimorph_core::text::num;

/// Tail parameter α of the kernel 1/(1 + d²/α)^α: Kobak et al. (2019) explore α from 100 (close
/// to a Gaussian kernel) down to below ½; outside [0.01, 1000] the kernel is numerically flat or a
/// step.
pub const ALPHA: (f64, f64) = (0.01, 1000.0);
/// Most neighbours of the uniform affinities (`--knn`); also fewer than the points (checked on
/// the data).
pub const MAX_KNN: usize = 3000;
/// Perplexity of the Gaussian affinities: at least 1 (the effective number of neighbours of a
/// point), at most 1000 (3·perplexity = 3000 neighbours searched per point).
pub const PERPLEXITY: (f64, f64) = (1.0, 1000.0);
/// Early exaggeration factor.
pub const EXAGGERATION: (f64, f64) = (1.0, 1000.0);
/// Largest fixed learning rate (the default, n / exaggeration, is n for a million points).
pub const MAX_LEARNING_RATE: f64 = 1e9;
/// Most iterations of each phase (early exaggeration, then the normal phase).
pub const MAX_ITER: usize = 100_000;
/// Most principal components for the approximate neighbour search.
pub const MAX_PCA_DIMS: usize = 500;
/// Most threads (each holds its own buffers of the size of a gradient or a grid).
pub const MAX_THREADS: usize = 256;
/// Most points drawn in the SVG scatter (about 100 bytes each).
pub const MAX_PLOT_POINTS: usize = 1_000_000;
/// Largest feature magnitude used as given: beyond it (or when the largest column spread is below
/// [`MIN_SPREAD`]) squared distances in `f32` could overflow (3.4e38) or underflow, so the features
/// are centred and scaled first (`input::Scaling`).
pub const MAX_PLAIN: f64 = 1e15;
/// Smallest largest-column-spread used as given (see [`MAX_PLAIN`]).
pub const MIN_SPREAD: f64 = 1e-15;
/// Most exemplars per class and cluster.
pub const MAX_EXEMPLARS: usize = 1000;

fn refuse<T>(msg: String) -> Result<T> {
    Err(EmbedError::Input(msg))
}

/// A real option in the closed range `[lo, hi]` (finite); `what` opens the message ("a positive
/// number, " or nothing).
pub fn real(option: &str, what: &str, v: f64, (lo, hi): (f64, f64)) -> Result<()> {
    if v.is_finite() && (lo..=hi).contains(&v) {
        return Ok(());
    }
    refuse(format!(
        "{option} must be {what}at least {lo} and at most {hi} (got {})",
        num(v)
    ))
}

/// A positive real option of at most `hi` (finite).
pub fn positive(option: &str, v: f64, hi: f64) -> Result<()> {
    if v.is_finite() && v > 0.0 && v <= hi {
        return Ok(());
    }
    refuse(format!("{option} must be positive and at most {hi:e} (got {})", num(v)))
}

/// `--threads`: from 1 to [`MAX_THREADS`], checked as every engine checks it
/// (`dimorph_core::threads`).
pub fn threads(requested: Option<usize>) -> Result<()> {
    dimorph_core::threads::check_at_most(requested, MAX_THREADS).or_else(|m| refuse(format!("--threads: {m}")))
}

/// A count option in `lo..=hi`.
pub fn count(option: &str, v: usize, lo: usize, hi: usize) -> Result<()> {
    if (lo..=hi).contains(&v) {
        return Ok(());
    }
    refuse(format!("{option} must be at least {lo} and at most {hi} (got {v})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_name_the_option_and_the_bounds() {
        let e = real("--alpha", "a positive number, ", f64::INFINITY, ALPHA)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "--alpha must be a positive number, at least 0.01 and at most 1000 (got inf)"
        );
        let e = positive("--learning-rate", -1.0, MAX_LEARNING_RATE)
            .unwrap_err()
            .to_string();
        assert_eq!(e, "--learning-rate must be positive and at most 1e9 (got -1)");
        let e = count("--iter", 1 << 40, 0, MAX_ITER).unwrap_err().to_string();
        assert_eq!(e, "--iter must be at least 0 and at most 100000 (got 1099511627776)");
        let e = real("--alpha", "", 1e-300, ALPHA).unwrap_err().to_string();
        assert!(e.ends_with("(got 1e-300)"), "{e}");
        assert!(real("--alpha", "", 0.5, ALPHA).is_ok() && count("--knn", 15, 1, MAX_KNN).is_ok());
    }
}
