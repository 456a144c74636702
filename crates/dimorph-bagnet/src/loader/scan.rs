//! The first pass over a data set: each image file is looked up in the cache by its key (a hit
//! reads the file's header only) or decoded, fitted, masked and written to it, on worker threads
//! (each takes the next image; the results keep the order of the files). Only the placement of
//! each image (scale and offset, for the planted circles of synthetic data) stays in memory.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use dimorph_core::scratch::ScratchDir;

use super::cache::{self, Preprocess};
use super::counters::Counters;
use super::store::{cache_error, CacheDir, Entry, Images};
use crate::image::prepare;
use crate::BagNetError;

/// Where an image's model input lies in the stored image: model pixel = (stored − offset) · scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    pub scale: f64,
    pub offset: [f64; 2],
}

/// The first pass's outcome: a store over every file and each file's placement or error.
#[derive(Debug)]
pub struct Opened {
    store: Images,
    /// Per file, in order.
    pub results: Vec<Result<Placement, BagNetError>>,
}

impl Opened {
    /// The store of the files `keep` (indices into the files, in the order given).
    pub fn into_images(self, keep: &[usize]) -> Images {
        let mut store = self.store;
        let entries: Vec<Entry> = keep.iter().filter_map(|&i| store.entries.get(i).cloned()).collect();
        store.entries = Arc::new(entries);
        store
    }
}

/// One file's outcome on a worker: its index, its store entry, its placement or error.
type Scanned = (usize, Entry, Result<Placement, BagNetError>);

/// Cache (or find cached) every file of `paths` under `pre` in `cache_dir` (a temporary folder,
/// removed with the store, when none), on `workers` threads.
pub fn open(
    paths: &[PathBuf],
    pre: Preprocess,
    cache_dir: Option<&Path>,
    workers: usize,
) -> Result<Opened, BagNetError> {
    let t0 = Instant::now();
    let dir = match cache_dir {
        Some(d) => {
            std::fs::create_dir_all(d).map_err(|e| cache_error(d, e))?;
            CacheDir::Chosen(d.to_path_buf())
        }
        None => CacheDir::Temporary(
            ScratchDir::new("dimorph-bagnet-cache").map_err(|e| cache_error(&std::env::temp_dir(), e))?,
        ),
    };
    let counters = Counters::default();
    let next = AtomicUsize::new(0);
    let workers = workers.max(1);
    let parts: Vec<Vec<Scanned>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers.min(paths.len().max(1)))
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(path) = paths.get(i) else { break };
                        let (entry, r) = one(path, &pre, dir.path(), &counters);
                        out.push((i, entry, r));
                    }
                    out
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
    });
    let mut slots: Vec<Option<(Entry, Result<Placement, BagNetError>)>> = (0..paths.len()).map(|_| None).collect();
    for (i, e, r) in parts.into_iter().flatten() {
        slots[i] = Some((e, r));
    }
    let mut entries = Vec::with_capacity(paths.len());
    let mut results = Vec::with_capacity(paths.len());
    for (i, slot) in slots.into_iter().enumerate() {
        let (e, r) = slot.ok_or_else(|| BagNetError::file(&paths[i], "a loader thread stopped"))?;
        entries.push(e);
        results.push(r);
    }
    counters.scanned.store(paths.len(), Ordering::Relaxed);
    Counters::add_nanos(&counters.open_nanos, t0.elapsed());
    let hidden = counters.mask_hid_content.load(Ordering::Relaxed);
    let mut notes = Vec::new();
    if hidden > 0 {
        notes.push(format!(
            "the circular fundus mask blacked out visible content outside the central disc in {hidden} of {} images: \
             are these fundus images? (leave out --mask to keep every pixel)",
            paths.len()
        ));
    }
    notes.extend(enlarged_note(paths, &results, pre.size));
    Ok(Opened {
        store: Images {
            entries: Arc::new(entries),
            pre: Some(pre),
            cache: Some(Arc::new(dir)),
            workers,
            counters: Arc::new(counters),
            notes: Arc::new(Mutex::new(notes)),
        },
        results,
    })
}

/// Images enlarged more than this many times to reach the model's size are named in a note.
const ENLARGED_NOTE: f64 = 2.0;

/// A note when some images were enlarged more than [`ENLARGED_NOTE`] times to reach `size` (a
/// thumbnail or a 1×1 placeholder becomes a model input of mostly interpolated pixels): how many,
/// and the one enlarged most.
fn enlarged_note(paths: &[PathBuf], results: &[Result<Placement, BagNetError>], size: usize) -> Option<String> {
    let enlarged: Vec<(usize, f64)> = results
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.as_ref().ok().map(|p| (i, p.scale)))
        .filter(|&(_, scale)| scale > ENLARGED_NOTE)
        .collect();
    let &(worst, scale) = enlarged.iter().max_by(|a, b| a.1.total_cmp(&b.1))?;
    let (n, all, path) = (
        enlarged.len(),
        paths.len(),
        dimorph_core::text::clip_path(&paths[worst].display().to_string()),
    );
    let from = size as f64 / scale;
    Some(format!(
        "{n} of {all} images were enlarged more than {ENLARGED_NOTE}× to reach --size {size} (the most: '{path}', \
         {scale:.0}×, from about {from:.0} px): their patches are mostly interpolated pixels"
    ))
}

/// One file: a cache hit (header only), else decode, fit, mask and write.
fn one(path: &Path, pre: &Preprocess, dir: &Path, counters: &Counters) -> (Entry, Result<Placement, BagNetError>) {
    // A file that cannot be looked at gets a key that no cache file holds; the decode names the error.
    let key = cache::key(path, pre).unwrap_or_else(|| format!("unreadable\n{}", path.display()));
    let file = cache::file_of(dir, &key);
    let hit = cache::read(&file, &key, pre.size, false);
    let r = match hit {
        Some(p) => {
            counters.cache_hits.fetch_add(1, Ordering::Relaxed);
            Ok(p)
        }
        None => prepare(path, pre.size, pre.fit, pre.mask).and_then(|p| {
            cache::write(&file, &key, &p).map_err(|e| cache_error(&file, e))?;
            counters.decoded.fetch_add(1, Ordering::Relaxed);
            Ok(p)
        }),
    };
    let r = r.map(|p| {
        if p.mask_hid_content {
            counters.mask_hid_content.fetch_add(1, Ordering::Relaxed);
        }
        Placement {
            scale: p.scale,
            offset: p.offset,
        }
    });
    let entry = Entry::Cached {
        source: path.to_path_buf(),
        key,
        file,
        memo: std::sync::OnceLock::new(),
    };
    (entry, r)
}
