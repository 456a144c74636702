//! The loader's counters (shared by a store's clones, its first pass and its streams) and their
//! snapshot [`LoaderStats`]: cache hits, decodes, throughput, waits and images in flight.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use serde::Serialize;

/// Counters shared by a store's clones and streams.
#[derive(Debug, Default)]
pub(super) struct Counters {
    pub scanned: AtomicUsize,
    pub cache_hits: AtomicUsize,
    pub decoded: AtomicUsize,
    pub mask_hid_content: AtomicUsize,
    pub open_nanos: AtomicU64,
    pub streamed: AtomicUsize,
    pub busy_nanos: AtomicU64,
    pub waited_nanos: AtomicU64,
    pub stream_nanos: AtomicU64,
    pub in_flight: AtomicUsize,
    pub peak_in_flight: AtomicUsize,
    pub rewritten: AtomicUsize,
}

impl Counters {
    pub fn add_nanos(a: &AtomicU64, d: std::time::Duration) {
        a.fetch_add(d.as_nanos().min(u64::MAX as u128) as u64, Ordering::Relaxed);
    }
    /// `n` more images prepared and not yet handed over; the peak is kept.
    pub fn enter(&self, n: usize) {
        let now = self.in_flight.fetch_add(n, Ordering::Relaxed) + n;
        self.peak_in_flight.fetch_max(now, Ordering::Relaxed);
    }
    pub fn leave(&self, n: usize) {
        self.in_flight.fetch_sub(n, Ordering::Relaxed);
    }
}

/// What a store's loading did, for the outcome and the progress display.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct LoaderStats {
    /// Worker threads preparing images.
    pub workers: usize,
    /// Images in the store.
    pub images: usize,
    /// The cache folder (none for images held in memory).
    pub cache_dir: Option<PathBuf>,
    /// Images opened from the cache without decoding (first pass).
    pub cache_hits: usize,
    /// Images decoded, fitted and written to the cache (first pass: misses).
    pub decoded: usize,
    /// Seconds of the first pass (decode and cache write, or cache look-up).
    pub open_seconds: f64,
    /// Images handed out by batch streams (every epoch, validation, evaluation, …).
    pub streamed: usize,
    /// Images whose cache file had gone and were decoded again while streaming.
    pub rewritten: usize,
    /// Worker seconds spent reading and augmenting streamed images.
    pub busy_seconds: f64,
    /// Seconds the model waited for a batch (0 when loading keeps ahead of the model).
    pub waited_seconds: f64,
    /// Seconds the batch streams were open.
    pub stream_seconds: f64,
    /// Most images prepared by the workers and not yet taken by the model at any moment.
    pub peak_in_flight: usize,
    /// Images whose visible content the fundus mask blacked out (see [`Prepared::mask_hid_content`]).
    pub mask_hid_content: usize,
}

impl LoaderStats {
    /// First-pass throughput, images per second.
    pub fn open_images_per_s(&self) -> Option<f64> {
        (self.open_seconds > 0.0 && self.images > 0).then(|| self.images as f64 / self.open_seconds)
    }
    /// Streaming throughput the workers sustain (images per second of wall time with all workers
    /// busy).
    pub fn images_per_s(&self) -> Option<f64> {
        (self.busy_seconds > 0.0 && self.streamed > 0)
            .then(|| self.streamed as f64 * self.workers.max(1) as f64 / self.busy_seconds)
    }
    /// One line: "images: 240 (240 from the cache, 0 decoded) in 0.21 s, 1143 images/s; streamed
    /// 5040 at 2950 images/s on 2 workers, the model waited 0.4 s".
    pub fn line(&self) -> String {
        let rate = |r: Option<f64>| r.map_or("-".into(), |r| format!("{r:.0}"));
        format!(
            "images: {} ({} from the cache, {} decoded) in {:.2} s, {} images/s; streamed {} at {} images/s on {} \
             worker(s), the model waited {:.1} s for images",
            self.images,
            self.cache_hits,
            self.decoded,
            self.open_seconds,
            rate(self.open_images_per_s()),
            self.streamed,
            rate(self.images_per_s()),
            self.workers,
            self.waited_seconds
        )
    }
}
