//! Relabelling the points for memory locality during the optimisation. The attractive forces
//! visit, for every point, the coordinates of its neighbours in P; in the input's order those are
//! scattered over the whole coordinate array, and at a million points (16 MB of coordinates) each
//! visit misses the caches. Numbering the points along a Z-order (Morton) curve of the current
//! layout puts neighbours in the layout next to each other in memory, and since P's neighbours
//! end up close in the layout, the attractive pass then reads its coordinates nearly in sequence.
//! The relabelling only renames points: each row of P keeps its entries in their order, so the
//! attractive force of every point is the same bit for bit.

use crate::affinity::Csr;

/// Bits per coordinate of the Z-order key (a 65,536 × 65,536 grid over the layout's box).
const BITS: u32 = 16;

/// The points in Z-order of the layout `y` (ties by index): `order[k]` is the point placed k-th.
pub fn z_order(y: &[f64]) -> Vec<u32> {
    let n = y.len() / 2;
    let (lo, hi) = y
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    let scale = ((1u64 << BITS) - 1) as f64 / (hi - lo).max(1e-300);
    let cell = |v: f64| (((v - lo) * scale) as u64).min((1 << BITS) - 1);
    let mut keyed: Vec<(u64, u32)> = (0..n)
        .map(|i| {
            (
                interleave(cell(y[2 * i])) | (interleave(cell(y[2 * i + 1])) << 1),
                i as u32,
            )
        })
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// The bits of `v` (below 2^32) spread to the even bit positions.
fn interleave(mut v: u64) -> u64 {
    v &= 0xffff_ffff;
    v = (v | (v << 16)) & 0x0000_ffff_0000_ffff;
    v = (v | (v << 8)) & 0x00ff_00ff_00ff_00ff;
    v = (v | (v << 4)) & 0x0f0f_0f0f_0f0f_0f0f;
    v = (v | (v << 2)) & 0x3333_3333_3333_3333;
    (v | (v << 1)) & 0x5555_5555_5555_5555
}

/// `p` with its points renamed: new point k is old point `order[k]` (rows moved, column indices
/// renamed, each row's entries kept in their order).
pub fn permute_csr(p: &Csr, order: &[u32]) -> Csr {
    let mut rank = vec![0u32; p.n];
    for (k, &i) in order.iter().enumerate() {
        rank[i as usize] = k as u32;
    }
    let mut indptr = Vec::with_capacity(p.n + 1);
    let mut indices = Vec::with_capacity(p.indices.len());
    let mut values = Vec::with_capacity(p.values.len());
    indptr.push(0);
    for &i in order {
        let (idx, val) = p.row(i as usize);
        indices.extend(idx.iter().map(|&j| rank[j as usize]));
        values.extend_from_slice(val);
        indptr.push(indices.len());
    }
    Csr {
        n: p.n,
        indptr,
        indices,
        values,
    }
}

/// Pairs of values (coordinates, steps, gains) moved to the new numbering.
pub fn permute_pairs(v: &[f64], order: &[u32]) -> Vec<f64> {
    order
        .iter()
        .flat_map(|&i| [v[2 * i as usize], v[2 * i as usize + 1]])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradient::attractive;
    use crate::rng::Rng;

    #[test]
    fn relabelled_attractive_forces_are_the_same_bit_for_bit() {
        let n = 500;
        let mut rng = Rng::new(8);
        let y: Vec<f64> = (0..2 * n).map(|_| rng.normal() * 10.0).collect();
        let (mut indptr, mut indices, mut values) = (vec![0], Vec::new(), Vec::new());
        for i in 0..n {
            for d in [1, 7, 31, n - 7] {
                indices.push(((i * 13 + d) % n) as u32);
                values.push(rng.normal().abs() / n as f64);
            }
            indptr.push(indices.len());
        }
        let p = Csr {
            n,
            indptr,
            indices,
            values,
        };
        let order = z_order(&y);
        let mut seen = order.clone();
        seen.sort_unstable();
        assert!(seen.iter().enumerate().all(|(k, &i)| k == i as usize), "a permutation");
        let (q, yq) = (permute_csr(&p, &order), permute_pairs(&y, &order));
        let mut f = vec![0.0; 2 * n];
        let mut g = vec![0.0; 2 * n];
        attractive(&p, &y, 1.0, 12.0, &mut f, 2);
        attractive(&q, &yq, 1.0, 12.0, &mut g, 3);
        for (k, &i) in order.iter().enumerate() {
            let i = i as usize;
            assert_eq!(f[2 * i].to_bits(), g[2 * k].to_bits());
            assert_eq!(f[2 * i + 1].to_bits(), g[2 * k + 1].to_bits());
        }
    }

    #[test]
    fn z_order_keeps_quadrants_together() {
        // four points, one per quadrant, listed out of order: Z-order visits (lo, lo), (hi, lo),
        // (lo, hi), (hi, hi) — the first coordinate in the low bit
        let y = [9.0, 9.0, 0.0, 0.0, 0.0, 9.0, 9.0, 0.0];
        assert_eq!(z_order(&y), vec![1, 3, 2, 0]);
        assert_eq!(interleave(0b1011), 0b1000101);
    }
}
