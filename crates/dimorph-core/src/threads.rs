//! Thread counts and work splitting, written once: every engine that runs passes over rows on
//! several threads asks [`resolve`] how many to use and [`ranges`] how to split `0..n`, and runs
//! the parts with [`map_ranges`] (scoped threads, results in the order of the ranges, so that a
//! sum over parts is the same for a given thread count).

use std::ops::Range;

/// Threads available to this process (1 when unknown).
pub fn available() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
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

/// Runs `f` on each range, the first on the calling thread and the rest on scoped threads, and
/// returns the results in range order.
pub fn map_ranges<T, F>(parts: &[Range<usize>], f: F) -> Vec<T>
where
    T: Send,
    F: Fn(Range<usize>) -> T + Sync,
{
    match parts {
        [] => Vec::new(),
        [only] => vec![f(only.clone())],
        [first, rest @ ..] => std::thread::scope(|s| {
            let handles: Vec<_> = rest.iter().map(|r| s.spawn(|| f(r.clone()))).collect();
            let mut out = Vec::with_capacity(parts.len());
            out.push(f(first.clone()));
            for h in handles {
                match h.join() {
                    Ok(v) => out.push(v),
                    Err(p) => std::panic::resume_unwind(p),
                }
            }
            out
        }),
    }
}

/// Splits `out` (rows of `width` values) into the row ranges `parts` (contiguous, in order,
/// covering a prefix of the rows) and runs `f(rows, block)` on each block's mutable slice, the
/// blocks on scoped threads; returns the results in block order. For loops that fill an output in
/// place (a design matrix, FFT grids, gradients).
pub fn map_blocks_mut<T, R, F>(out: &mut [T], width: usize, parts: &[Range<usize>], f: F) -> Vec<R>
where
    T: Send,
    R: Send,
    F: Fn(Range<usize>, &mut [T]) -> R + Sync,
{
    let width = width.max(1);
    if parts.len() <= 1 {
        return parts
            .iter()
            .map(|r| {
                let end = (r.end * width).min(out.len());
                let start = (r.start * width).min(end);
                f(r.clone(), &mut out[start..end])
            })
            .collect();
    }
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
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = blocks.into_iter().map(|(r, b)| s.spawn(move || f(r, b))).collect();
        handles
            .into_iter()
            .map(|h| match h.join() {
                Ok(v) => v,
                Err(p) => std::panic::resume_unwind(p),
            })
            .collect()
    })
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
    fn map_keeps_the_order() {
        let parts = ranges(100, 4);
        let sums = map_ranges(&parts, |r| r.sum::<usize>());
        assert_eq!(sums.iter().sum::<usize>(), 4950);
        assert_eq!(sums[0], (0..25).sum::<usize>());
    }
}
