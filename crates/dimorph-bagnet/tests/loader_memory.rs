//! The loader's memory is bounded independently of the data set's size: on generated folders of
//! 500 and 3,000 images, every allocation is counted (a counting global allocator; this file holds
//! one test so nothing else allocates meanwhile). Opening keeps a few hundred bytes per image (a
//! path and a cache key, not the pixels: 12 KB per 32-px image as floats before), and streaming
//! every image in batches adds at most the batches in flight: the same bound for both sizes.

mod loader;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use dimorph_bagnet::data;

struct Counting;

static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            let now = NOW.fetch_add(l.size(), Ordering::Relaxed) + l.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        NOW.fetch_sub(l.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static A: Counting = Counting;

const SIDE: usize = 32;
const BATCH: usize = 16;
const WORKERS: usize = 2;

/// (bytes held by the opened data set, extra peak bytes while streaming every image once, the
/// loader's peak count of images prepared and not yet taken).
fn measure(n: usize) -> (usize, usize, usize) {
    let dir = loader::tmp(&format!("mem{n}"));
    let csv = loader::folder(&dir, n, SIDE as u32);
    let rows = loader::rows(&dir, &csv);
    let before = NOW.load(Ordering::Relaxed);
    let ds = data::open(
        rows,
        &loader::classes(),
        loader::pre(SIDE),
        &loader::opts(&dir.join("cache"), WORKERS),
    )
    .unwrap();
    let held = NOW.load(Ordering::Relaxed).saturating_sub(before);
    let idx: Vec<usize> = (0..ds.images.len()).collect();
    let base = NOW.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let mut seen = 0;
    let mut sum = 0.0f64;
    for b in ds.images.stream_plain(&idx, BATCH) {
        let b = b.unwrap();
        seen += b.len();
        sum += b.iter().map(|im| im.data[0] as f64).sum::<f64>();
    }
    let extra = PEAK.load(Ordering::Relaxed).saturating_sub(base);
    assert_eq!(seen, n);
    assert!(sum > 0.0);
    let s = ds.images.stats();
    assert_eq!((s.decoded, s.cache_hits, s.streamed), (n, 0, n));
    drop(ds);
    let _ = std::fs::remove_dir_all(&dir);
    (held, extra, s.peak_in_flight)
}

#[test]
fn loader_memory_is_bounded_whatever_the_number_of_images() {
    let float_image = SIDE * SIDE * 3 * 4;
    // In flight: each worker builds one batch while one waits in its channel, the consumer holds
    // one; each image once as samples read from the cache and once as floats, plus the per-image
    // bookkeeping. Twice that for allocator slack.
    let per_image = float_image + SIDE * SIDE * 3 + 4096;
    let bound = 2 * (2 * WORKERS + 1) * BATCH * per_image;
    for n in [500, 3000] {
        let (held, extra, in_flight) = measure(n);
        eprintln!(
            "n {n}: held {held} B ({} B/image), streaming peak +{extra} B, peak in flight {in_flight}",
            held / n
        );
        assert!(held < n * float_image / 10, "n {n}: the data set holds {held} bytes");
        assert!(
            extra < bound,
            "n {n}: streaming took {extra} bytes beyond the data set (bound {bound})"
        );
        // The count is the comment's: a worker counts a batch before its send blocks, and the
        // consumer uncounts the batch it received only after recv returns, by when the freed slot
        // may have let that worker count its next one (seen at load 5-12: 80 = 5 batches).
        let most = (2 * WORKERS + 1) * BATCH;
        assert!(
            in_flight <= most,
            "n {n}: {in_flight} images in flight (at most {most})"
        );
    }
}
