//! Thread counts and work splitting, written once: every engine that runs passes over rows on
//! several threads asks [`resolve`] how many to use and [`ranges`] how to split `0..n`, and runs
//! the parts with [`map_ranges`], [`map_blocks_mut`] or [`map_each`] (results in the order of the
//! parts, so that a sum over parts is the same for a given thread count).
//!
//! The parts run on one pool of worker threads per process, started at the first call with one
//! thread per core and kept (a rayon thread pool): a t-SNE run splits its work thousands of times,
//! and starting threads for each split cost it a fifth of its CPU time. More parts than cores
//! queue on the pool, with the same results. A process forked from one whose pool had started (as
//! Python's `multiprocessing` does on Linux) has no pool threads; it runs its parts on threads of
//! its own, started per call.

use std::ops::Range;
use std::sync::OnceLock;

/// Threads available to this process (1 when unknown).
pub fn available() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Most threads an option may ask for (`--threads`).
pub const MAX_REQUESTED: usize = 1024;

/// Refuses a requested thread count of 0 or above [`MAX_REQUESTED`] (the message without the
/// option's name, which the caller adds).
pub fn check(requested: Option<usize>) -> Result<(), String> {
    check_at_most(requested, MAX_REQUESTED)
}

/// [`check`] for an engine that allows fewer threads than [`MAX_REQUESTED`] (each thread of the
/// t-SNE holds buffers of a gradient's size), with the same message.
pub fn check_at_most(requested: Option<usize>, max: usize) -> Result<(), String> {
    let max = max.min(MAX_REQUESTED);
    match requested {
        Some(t) if t == 0 || t > max => Err(format!("must be from 1 to {max}, got {t}")),
        _ => Ok(()),
    }
}

/// The thread count to use: the requested count (at least 1), or every available core.
pub fn resolve(requested: Option<usize>) -> usize {
    match requested {
        Some(t) => t.max(1),
        None => available(),
    }
}

/// Splits `0..n` into at most `parts` contiguous ranges of nearly equal length (the first
/// `n % parts` get one more). No range is empty; `n == 0` gives none.
pub fn ranges(n: usize, parts: usize) -> Vec<Range<usize>> {
    let parts = parts.max(1).min(n);
    if parts == 0 {
        return Vec::new();
    }
    let base = n / parts;
    let extra = n % parts;
    let mut out = Vec::with_capacity(parts);
    let mut lo = 0;
    for k in 0..parts {
        let len = base + usize::from(k < extra);
        out.push(lo..lo + len);
        lo += len;
    }
    out
}

/// Splits `0..n` into ranges of at least `min_len` items (the last may be shorter only when
/// `n < min_len`), at most `threads` of them.
pub fn ranges_min(n: usize, threads: usize, min_len: usize) -> Vec<Range<usize>> {
    let by_len = n.div_ceil(min_len.max(1)).max(1);
    ranges(n, threads.min(by_len))
}

/// The process's worker pool and the process it was started in; `None` when it could not start.
static POOL: OnceLock<Option<(u32, rayon::ThreadPool)>> = OnceLock::new();

/// The worker pool of this process, or `None` in a process forked after the pool started (its
/// threads were not copied) or when the pool could not start.
fn pool() -> Option<&'static rayon::ThreadPool> {
    let (pid, pool) = POOL
        .get_or_init(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(available())
                .thread_name(|i| format!("dimorph-{i}"))
                .build()
                .ok()
                .map(|p| (std::process::id(), p))
        })
        .as_ref()?;
    (*pid == std::process::id()).then_some(pool)
}

/// Runs `f` on every item, on the worker pool, and returns the results in item order; a single
/// item runs on the calling thread. A panic in `f` is raised again here once every item is done.
pub fn map_each<I, R, F>(items: Vec<I>, f: F) -> Vec<R>
where
    I: Send,
    R: Send,
    F: Fn(I) -> R + Sync,
{
    if items.len() <= 1 {
        return items.into_iter().map(f).collect();
    }
    let f = &f;
    let Some(pool) = pool() else {
        return std::thread::scope(|s| {
            let handles: Vec<_> = items.into_iter().map(|item| s.spawn(move || f(item))).collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        });
    };
    let mut out: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    pool.scope(|s| {
        for (slot, item) in out.iter_mut().zip(items) {
            s.spawn(move |_| *slot = Some(f(item)));
        }
    });
    // The scope returns once every task has run (or raises a task's panic), so every slot is set.
    out.into_iter().flatten().collect()
}

/// Runs `f` on each range on the worker pool and returns the results in range order.
pub fn map_ranges<T, F>(parts: &[Range<usize>], f: F) -> Vec<T>
where
    T: Send,
    F: Fn(Range<usize>) -> T + Sync,
{
    map_each(parts.to_vec(), f)
}

/// Splits `out` (rows of `width` values) into the row ranges `parts` (contiguous, in order,
/// covering a prefix of the rows) and runs `f(rows, block)` on each block's mutable slice on the
/// worker pool; returns the results in block order. For loops that fill an output in place (a
/// design matrix, FFT grids, gradients).
pub fn map_blocks_mut<T, R, F>(out: &mut [T], width: usize, parts: &[Range<usize>], f: F) -> Vec<R>
where
    T: Send,
    R: Send,
    F: Fn(Range<usize>, &mut [T]) -> R + Sync,
{
    let width = width.max(1);
    let mut blocks = Vec::with_capacity(parts.len());
    let mut rest = out;
    let mut at = 0;
    for r in parts {
        let skip = (r.start.saturating_sub(at) * width).min(rest.len());
        let (_, tail) = rest.split_at_mut(skip);
        let len = (r.len() * width).min(tail.len());
        let (head, tail) = tail.split_at_mut(len);
        blocks.push((r.clone(), head));
        rest = tail;
        at = r.end;
    }
    map_each(blocks, |(r, b)| f(r, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_everything_once() {
        for n in [0usize, 1, 5, 17, 1000] {
            for p in [1usize, 2, 3, 8, 2000] {
                let r = ranges(n, p);
                assert!(r.len() <= p.max(1));
                assert_eq!(r.iter().map(|x| x.len()).sum::<usize>(), n);
                assert!(r.iter().all(|x| !x.is_empty()));
                for w in r.windows(2) {
                    assert_eq!(w[0].end, w[1].start);
                }
            }
        }
        assert_eq!(ranges_min(10, 8, 4).len(), 3);
        assert_eq!(resolve(Some(0)), 1);
    }

    #[test]
    fn blocks_are_filled_in_place() {
        let mut x = vec![0usize; 3 * 10];
        let parts = ranges(10, 3);
        let firsts = map_blocks_mut(&mut x, 3, &parts, |r, b| {
            for (i, row) in b.chunks_mut(3).enumerate() {
                row.fill(r.start + i);
            }
            r.start
        });
        assert_eq!(firsts, vec![0, 4, 7]);
        assert!(x.chunks(3).enumerate().all(|(i, row)| row.iter().all(|&v| v == i)));
    }

    #[test]
    fn many_items_keep_their_order_and_a_panic_reaches_the_caller() {
        let squares = map_each((0..1000u64).collect(), |i| i * i);
        assert_eq!(squares, (0..1000u64).map(|i| i * i).collect::<Vec<_>>());
        // nested calls (a part that splits its own work) finish on the same pool
        let nested = map_each(vec![10usize, 20, 30], |n| {
            map_ranges(&ranges(n, 4), |r| r.len()).iter().sum::<usize>()
        });
        assert_eq!(nested, vec![10, 20, 30]);
        let caught = std::panic::catch_unwind(|| map_each(vec![1, 2, 3], |i| assert_ne!(i, 2, "item two")));
        assert!(caught.is_err());
        // the pool still runs after a panic
        assert_eq!(map_each(vec![1, 2], |i| i + 1), vec![2, 3]);
    }

    #[test]
    fn map_keeps_the_order() {
        let parts = ranges(100, 4);
        let sums = map_ranges(&parts, |r| r.sum::<usize>());
        assert_eq!(sums.iter().sum::<usize>(), 4950);
        assert_eq!(sums[0], (0..25).sum::<usize>());
    }
}
