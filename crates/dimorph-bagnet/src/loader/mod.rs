//! The image loader: every image of a data set is decoded, fitted to the model's square input,
//! masked and written once to an on-disk cache of 8-bit (16-bit for 16-bit sources) samples at
//! model size ([`cache`]); training, validation, evaluation, explanation and feature export then
//! stream batches from it, read and augmented on worker threads ahead of the model, through a
//! bounded channel per worker ([`stream`]). What stays in memory is a path and a key per image;
//! the decoded images in flight are at most twice the workers' batches, whatever the data set's
//! size. An image's augmentation draws from (seed, epoch, image) ([`augment`]), so batches are the
//! same for any number of workers.
//!
//! A store may also hold images in memory ([`Images::push`]: synthetic data, small sets read by
//! [`crate::data::load`]); they stream the same way.

pub mod augment;
pub mod cache;
mod counters;
mod scan;
mod store;
pub mod stream;

pub use self::augment::Augment;
pub use self::cache::Preprocess;
pub use self::counters::LoaderStats;
pub use self::scan::{open, Opened, Placement};
pub use self::store::Images;
pub use self::stream::{BatchStream, Prep};
