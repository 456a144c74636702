//! A data set's images: in memory, or keys into the cache read (and, when a cache file has gone,
//! written again) on demand; cheap to clone (the entries and counters are shared).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use dimorph_core::scratch::ScratchDir;

use super::cache::{self, Preprocess};
use super::counters::{Counters, LoaderStats};
use super::stream::{BatchStream, Prep};
use crate::image::{prepare, Prepared, RgbImage};
use crate::BagNetError;

/// One image of a store.
#[derive(Debug, Clone)]
pub(super) enum Entry {
    Memory(RgbImage),
    Cached {
        source: PathBuf,
        key: String,
        file: PathBuf,
        /// The image as floats once indexed (`images[i]`); streaming and `get` never fill it.
        memo: OnceLock<RgbImage>,
    },
}

/// The cache folder: one the user chose (kept), or a temporary one (no folder chosen), removed with
/// the last store using it, also while a panic unwinds.
#[derive(Debug)]
pub(super) enum CacheDir {
    Chosen(PathBuf),
    Temporary(ScratchDir),
}

impl CacheDir {
    pub fn path(&self) -> &Path {
        match self {
            CacheDir::Chosen(p) => p,
            CacheDir::Temporary(d) => d.path(),
        }
    }
}

/// The images of a data set: in memory or in the cache, streamed in batches by worker threads.
/// Clones share the images and the counters.
#[derive(Debug, Clone)]
pub struct Images {
    pub(super) entries: Arc<Vec<Entry>>,
    pub(super) pre: Option<Preprocess>,
    pub(super) cache: Option<Arc<CacheDir>>,
    pub(super) workers: usize,
    pub(super) counters: Arc<Counters>,
    /// Warnings about the images, once per store.
    pub(super) notes: Arc<Mutex<Vec<String>>>,
}

impl Default for Images {
    fn default() -> Self {
        Images {
            entries: Arc::new(Vec::new()),
            pre: None,
            cache: None,
            workers: dimorph_core::threads::available().clamp(1, 8),
            counters: Arc::default(),
            notes: Arc::default(),
        }
    }
}

impl FromIterator<RgbImage> for Images {
    fn from_iter<I: IntoIterator<Item = RgbImage>>(iter: I) -> Self {
        let mut s = Images::default();
        for img in iter {
            s.push(img);
        }
        s
    }
}

impl Images {
    /// Add an image held in memory.
    pub fn push(&mut self, img: RgbImage) {
        Arc::make_mut(&mut self.entries).push(Entry::Memory(img));
    }
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    /// Worker threads of the batch streams (at least 1).
    pub fn workers(&self) -> usize {
        self.workers
    }
    /// Set the worker threads of later batch streams (at least 1).
    pub fn set_workers(&mut self, workers: usize) {
        self.workers = workers.max(1);
    }
    /// The cache folder, when the images are cached.
    pub fn cache_dir(&self) -> Option<&Path> {
        self.cache.as_deref().map(CacheDir::path)
    }

    /// Image `i` as floats; a cache file that has gone or changed is written again from the source.
    pub fn get(&self, i: usize) -> Result<RgbImage, BagNetError> {
        match self.entries.get(i) {
            Some(Entry::Memory(img)) => Ok(img.clone()),
            Some(Entry::Cached {
                source,
                key,
                file,
                memo,
            }) => match memo.get() {
                Some(img) => Ok(img.clone()),
                None => Ok(self.cached(source, key, file)?.to_rgb()),
            },
            None => Err(BagNetError::Data(format!(
                "image {i} requested from a set of {} images",
                self.len()
            ))),
        }
    }

    fn cached(&self, source: &Path, key: &str, file: &Path) -> Result<Prepared, BagNetError> {
        let pre = self
            .pre
            .ok_or_else(|| BagNetError::Data("cached image without settings".into()))?;
        if let Some(p) = cache::read(file, key, pre.size, true) {
            return Ok(p);
        }
        let p = prepare(source, pre.size, pre.fit, pre.mask)?;
        cache::write(file, key, &p).map_err(|e| cache_error(file, e))?;
        self.counters.rewritten.fetch_add(1, Ordering::Relaxed);
        Ok(p)
    }

    /// The images `idx`, in order, on this thread.
    pub fn batch(&self, idx: &[usize]) -> Result<Vec<RgbImage>, BagNetError> {
        idx.iter().map(|&i| self.get(i)).collect()
    }

    /// Stream the batches `batches` (indices into the store), prepared by `prep` on the store's
    /// worker threads ahead of the consumer (see [`stream`]).
    pub fn stream(&self, batches: Vec<Vec<usize>>, prep: Prep) -> BatchStream {
        let store = self.clone();
        BatchStream::new(
            Arc::new(move |i| store.get(i)),
            self.counters.clone(),
            self.workers,
            batches,
            prep,
        )
    }

    /// Stream `idx` in consecutive batches of `batch` images, unaugmented.
    pub fn stream_plain(&self, idx: &[usize], batch: usize) -> BatchStream {
        self.stream(idx.chunks(batch.max(1)).map(<[usize]>::to_vec).collect(), Prep::Plain)
    }

    /// Warnings about the images (the mask blacking out content), once per store.
    pub fn warnings(&self) -> Vec<String> {
        self.notes.lock().map(|n| n.clone()).unwrap_or_default()
    }

    /// What loading has done so far.
    pub fn stats(&self) -> LoaderStats {
        let c = &self.counters;
        let secs = |a: &AtomicU64| a.load(Ordering::Relaxed) as f64 * 1e-9;
        LoaderStats {
            workers: self.workers,
            images: self.len(),
            cache_dir: self.cache_dir().map(Path::to_path_buf),
            cache_hits: c.cache_hits.load(Ordering::Relaxed),
            decoded: c.decoded.load(Ordering::Relaxed),
            open_seconds: secs(&c.open_nanos),
            streamed: c.streamed.load(Ordering::Relaxed),
            rewritten: c.rewritten.load(Ordering::Relaxed),
            busy_seconds: secs(&c.busy_nanos),
            waited_seconds: secs(&c.waited_nanos),
            stream_seconds: secs(&c.stream_nanos),
            peak_in_flight: c.peak_in_flight.load(Ordering::Relaxed),
            mask_hid_content: c.mask_hid_content.load(Ordering::Relaxed),
        }
    }
}

/// `images[i]`: an image by reference (small in-memory sets, tests). A cached image is read once
/// and then kept in memory with the store, so code that reads many images (the evidence figures
/// and averages) streams batches or uses [`Images::get`] instead. An image that can no longer be
/// read (its cache file and its source both gone during the run) is black, with a warning in
/// [`Images::warnings`].
impl std::ops::Index<usize> for Images {
    type Output = RgbImage;

    fn index(&self, i: usize) -> &RgbImage {
        match &self.entries[i] {
            Entry::Memory(img) => img,
            Entry::Cached { memo, .. } => memo.get_or_init(|| {
                self.get(i).unwrap_or_else(|e| {
                    if let Ok(mut n) = self.notes.lock() {
                        n.push(format!("image shown black: {e}"));
                    }
                    let side = self.pre.map_or(1, |p| p.size);
                    RgbImage::new(side, side)
                })
            }),
        }
    }
}

pub(super) fn cache_error(file: &Path, e: std::io::Error) -> BagNetError {
    BagNetError::file(
        file,
        format!("cannot write the image cache: {e} (choose another folder with --cache)"),
    )
}
