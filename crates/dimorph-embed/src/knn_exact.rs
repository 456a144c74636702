//! Exact k nearest neighbours of a few query points among all points, blocked for the memory
//! hierarchy: every point's row is read from memory once and compared with all the queries while
//! it is in the first-level cache (the queries stay in the second level), instead of streaming
//! the whole matrix once per query. With m queries of d features among n points this moves
//! n·d·4 bytes instead of m·n·d·4 (at 1M × 2048 and 100 queries: 8 GB instead of 800 GB) for
//! the same m·n·d distance terms. The distances are [`crate::knn::dist2`]'s, bit for bit, so a
//! neighbour at the same distance as the exact k-th compares equal (ties count as found in
//! [`crate::knn::recall`]).

use crate::features::Features;
use crate::knn::{dist2, TopK};
use dimorph_core::threads::{map_ranges, ranges};

/// Rows compared with all the queries before moving on (a tile small enough to stay in cache).
const TILE: usize = 16;

/// The exact k nearest neighbours (the query itself excluded) of each point `queries[q]` of `x`,
/// in the order of `queries`. Threads split the points; each keeps its own lists, merged in
/// thread order, so the result depends only on the data and the thread count.
pub(crate) fn exact_for(x: &Features, queries: &[usize], k: usize, threads: usize) -> Vec<TopK> {
    let m = queries.len();
    let q_rows: Vec<&[f32]> = queries.iter().map(|&i| x.row(i)).collect();
    let parts = map_ranges(&ranges(x.n, threads), |r| {
        let mut lists: Vec<TopK> = (0..m).map(|_| TopK::new(k)).collect();
        let mut worst: Vec<f32> = vec![f32::INFINITY; m];
        let (lo, hi) = (r.start, r.end);
        let mut s = lo;
        while s < hi {
            let e = (s + TILE).min(hi);
            for (q, (&qi, qx)) in queries.iter().zip(&q_rows).enumerate() {
                for j in s..e {
                    if j == qi {
                        continue;
                    }
                    let d = dist2(qx, x.row(j));
                    if d < worst[q] || lists[q].idx.len() < k {
                        lists[q].push(j as u32, d);
                        worst[q] = lists[q].worst();
                    }
                }
            }
            s = e;
        }
        lists
    });
    let mut merged: Vec<TopK> = (0..m).map(|_| TopK::new(k)).collect();
    for part in parts {
        for (t, l) in merged.iter_mut().zip(part) {
            for (&j, &d) in l.idx.iter().zip(&l.d) {
                t.push(j, d);
            }
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn blocked_search_equals_one_query_at_a_time() {
        let mut rng = Rng::new(3);
        let (n, d, k) = (700, 37, 9);
        let mut rows: Vec<Vec<f64>> = (0..n).map(|_| (0..d).map(|_| rng.normal()).collect()).collect();
        // exact duplicates: ties at distance zero
        for i in 0..20 {
            rows[100 + i] = rows[5].clone();
        }
        let x = Features::from_rows(&rows).unwrap();
        let queries = [0, 5, 100, 119, 699, 350];
        for threads in [1, 2, 3] {
            let got = exact_for(&x, &queries, k, threads);
            for (&i, t) in queries.iter().zip(&got) {
                // brute force, one query at a time
                let mut all: Vec<(f32, u32)> = (0..n)
                    .filter(|&j| j != i)
                    .map(|j| (dist2(x.row(i), x.row(j)), j as u32))
                    .collect();
                all.sort_by(|a, b| a.0.total_cmp(&b.0));
                let want: Vec<f32> = all[..k].iter().map(|p| p.0).collect();
                assert_eq!(t.d, want, "query {i}, {threads} threads");
                assert!(!t.idx.contains(&(i as u32)));
                for (&j, &dj) in t.idx.iter().zip(&t.d) {
                    assert_eq!(dist2(x.row(i), x.row(j as usize)), dj);
                }
            }
        }
    }
}
