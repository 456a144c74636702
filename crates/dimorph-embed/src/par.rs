//! Threaded loops that fill an output slice in place, row block by row block. The split of the
//! rows between threads is the kernel's ([`dimorph_core::threads::ranges`]); loops that only
//! read their input call [`dimorph_core::threads::map_ranges`] directly.

use dimorph_core::threads::ranges;

/// Splits `out` (rows of width `w`) into at most `threads` contiguous blocks of rows (the
/// kernel's split) and runs `f(first_row, block)` on each, in parallel; returns the results in
/// block order (so that a sum over blocks is the same for a given thread count).
///
/// KERNEL? `dimorph_core::threads::map_ranges` hands out index ranges only; filling a mutable
/// slice in place (the FFT grids and gradients, every iteration) needs disjoint `&mut` blocks.
pub(crate) fn rows_mut<T: Send, R: Send>(
    out: &mut [T],
    w: usize,
    threads: usize,
    f: impl Fn(usize, &mut [T]) -> R + Sync,
) -> Vec<R> {
    let w = w.max(1);
    let parts = ranges(out.len() / w, threads);
    if parts.len() <= 1 {
        return vec![f(0, out)];
    }
    let mut blocks = Vec::with_capacity(parts.len());
    let mut rest = out;
    for r in &parts {
        let (head, tail) = rest.split_at_mut(r.len() * w);
        blocks.push((r.start, head));
        rest = tail;
    }
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = blocks
            .into_iter()
            .map(|(first, block)| s.spawn(move || f(first, block)))
            .collect();
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
    #[test]
    fn every_row_is_filled_once_and_results_keep_their_order() {
        let mut v = vec![0usize; 2 * 101];
        let firsts = super::rows_mut(&mut v, 2, 4, |first, block| {
            for (r, row) in block.chunks_exact_mut(2).enumerate() {
                row[0] = first + r;
                row[1] += 1;
            }
            first
        });
        assert_eq!(firsts.len(), 4);
        assert!(firsts.windows(2).all(|w| w[0] < w[1]));
        assert!(v.chunks_exact(2).enumerate().all(|(i, r)| r[0] == i && r[1] == 1));
    }
}
