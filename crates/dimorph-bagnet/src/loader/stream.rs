//! Batches streamed by worker threads: worker w prepares batches w, w + W, w + 2W, … (reading each
//! image from memory or the cache, then augmenting it) and hands each through its own channel of
//! one batch; the consumer takes batch k from worker k mod W. So batches arrive in order, each
//! worker is at most one batch ahead beside the one in its channel (at most 2W batches prepared and
//! not yet taken), and an image's pixels depend only on the image and (seed, epoch), never on the
//! worker that prepared it. Dropping the stream stops the workers.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

use super::augment::Augment;
use super::counters::Counters;
use crate::image::RgbImage;
use crate::BagNetError;
use dimorph_core::rng::SplitMix64;

/// What is done to each image after it is read.
#[derive(Debug, Clone, Copy)]
pub enum Prep {
    /// Nothing (validation, evaluation, explanation, batch-norm calibration).
    Plain,
    /// A random augmentation drawn from `SplitMix64::derive(seed, 1000 + epoch, image)`.
    Augment { aug: Augment, seed: u64, epoch: usize },
}

impl Prep {
    fn apply(&self, i: usize, img: RgbImage) -> RgbImage {
        match self {
            Prep::Plain => img,
            Prep::Augment { aug, seed, epoch } => {
                aug.apply(&img, &mut SplitMix64::derive(*seed, 1000 + *epoch as u64, i as u64))
            }
        }
    }
}

type Batch = Result<Vec<RgbImage>, BagNetError>;

/// How a worker gets image `i` (from memory or the cache).
pub type Fetch = Arc<dyn Fn(usize) -> Result<RgbImage, BagNetError> + Send + Sync>;

/// An iterator over prepared batches (see the module's documentation).
pub struct BatchStream {
    receivers: Vec<Receiver<Batch>>,
    handles: Vec<JoinHandle<()>>,
    stop: Arc<AtomicBool>,
    counters: Arc<Counters>,
    next: usize,
    n: usize,
    started: Instant,
}

impl BatchStream {
    /// Stream `batches`, each image fetched by `fetch` and prepared by `prep` on `workers` threads.
    pub(super) fn new(
        fetch: Fetch,
        counters: Arc<Counters>,
        workers: usize,
        batches: Vec<Vec<usize>>,
        prep: Prep,
    ) -> BatchStream {
        let n = batches.len();
        let workers = workers.clamp(1, n.max(1));
        let batches = Arc::new(batches);
        let stop = Arc::new(AtomicBool::new(false));
        let mut receivers = Vec::with_capacity(workers);
        let mut handles = Vec::with_capacity(workers);
        for w in 0..workers {
            let (tx, rx) = sync_channel::<Batch>(1);
            let (fetch, counters, batches, stop) = (fetch.clone(), counters.clone(), batches.clone(), stop.clone());
            let spawned = std::thread::Builder::new()
                .name(format!("bagnet-loader-{w}"))
                .spawn(move || {
                    for k in (w..batches.len()).step_by(workers) {
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                        let t = Instant::now();
                        let b: Batch = batches[k]
                            .iter()
                            .map(|&i| fetch(i).map(|img| prep.apply(i, img)))
                            .collect();
                        Counters::add_nanos(&counters.busy_nanos, t.elapsed());
                        let len = b.as_ref().map_or(0, Vec::len);
                        counters.enter(len);
                        if tx.send(b).is_err() {
                            counters.leave(len);
                            break;
                        }
                    }
                });
            // No thread (the sender went with the failed closure): taking its batches is an error.
            if let Ok(h) = spawned {
                handles.push(h);
            }
            receivers.push(rx);
        }
        BatchStream {
            receivers,
            handles,
            stop,
            counters,
            next: 0,
            n,
            started: Instant::now(),
        }
    }
}

impl Iterator for BatchStream {
    type Item = Batch;

    fn next(&mut self) -> Option<Batch> {
        if self.next >= self.n {
            return None;
        }
        let w = self.next % self.receivers.len();
        self.next += 1;
        let t = Instant::now();
        let got = self.receivers[w].recv();
        Counters::add_nanos(&self.counters.waited_nanos, t.elapsed());
        Some(match got {
            Ok(b) => {
                let len = b.as_ref().map_or(0, Vec::len);
                self.counters.leave(len);
                self.counters.streamed.fetch_add(len, Ordering::Relaxed);
                b
            }
            Err(_) => Err(BagNetError::Data(
                "an image-loading thread could not be started or stopped early".into(),
            )),
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.n - self.next;
        (left, Some(left))
    }
}

impl Drop for BatchStream {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Taking the batches still queued (and dropping them) unblocks every worker.
        for rx in &self.receivers {
            while let Ok(b) = rx.try_recv() {
                self.counters.leave(b.as_ref().map_or(0, Vec::len));
            }
        }
        self.receivers.clear();
        for h in self.handles.drain(..) {
            let _ = h.join();
        }
        Counters::add_nanos(&self.counters.stream_nanos, self.started.elapsed());
    }
}
