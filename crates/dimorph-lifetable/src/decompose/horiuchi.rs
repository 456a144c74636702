//! The continuous-change (line-integral) decomposition of Horiuchi, Wilmoth & Pletcher (2008,
//! *Demography* 45(4), eq. 5–9): a difference y(x₂) − y(x₁) of a function of parameters x is the
//! integral of its gradient along the straight path x(t) = x₁ + t(x₂ − x₁), t ∈ [0, 1]; the
//! contribution of parameter i is ∫₀¹ ∂y/∂xᵢ (x₂ᵢ − x₁ᵢ) dt.
//!
//! As in the authors' program (and DemoDecomp's `horiuchi`), the path is cut into N intervals,
//! each evaluated at its midpoint, and the change of y within an interval due to parameter i is
//! y(x + δᵢ/2) − y(x − δᵢ/2), δᵢ = (x₂ᵢ − x₁ᵢ)/N (a central difference of one interval's step).
//! The contributions add up to the difference up to the midpoint rule's error, O(1/N²) for a
//! smooth y; [`decompose`] returns them, and the caller states the residual.

/// Contributions of each parameter to `f(p2) − f(p1)` for every output of `f` (a vector of
/// measures): `out[k][i]` is parameter i's contribution to measure k. Parameters with equal
/// values on both sides contribute 0 (and are not evaluated). `steps` is N (at least 1).
pub fn decompose<E>(
    f: impl Fn(&[f64]) -> Result<Vec<f64>, E> + Sync,
    p1: &[f64],
    p2: &[f64],
    steps: usize,
) -> Result<Vec<Vec<f64>>, E>
where
    E: Send,
{
    let n = p1.len();
    let steps = steps.max(1);
    let d: Vec<f64> = p1.iter().zip(p2).map(|(a, b)| b - a).collect();
    let moving: Vec<usize> = (0..n).filter(|i| d[*i] != 0.0).collect();
    let threads = dimorph_core::threads::resolve(None);
    let parts = dimorph_core::threads::ranges(moving.len(), threads);
    // each thread: its parameters' contributions summed over the path
    let partial = dimorph_core::threads::map_ranges(&parts, |range| -> Result<Vec<(usize, Vec<f64>)>, E> {
        let mut out: Vec<(usize, Vec<f64>)> = Vec::with_capacity(range.len());
        let mut x = vec![0.0; n];
        for &i in &moving[range] {
            let mut acc: Vec<f64> = Vec::new();
            for j in 0..steps {
                let t = (j as f64 + 0.5) / steps as f64;
                for (k, xk) in x.iter_mut().enumerate() {
                    *xk = p1[k] + d[k] * t;
                }
                let half = d[i] / (2.0 * steps as f64);
                let mid = x[i];
                x[i] = mid + half;
                let up = f(&x)?;
                x[i] = mid - half;
                let down = f(&x)?;
                if acc.is_empty() {
                    acc = vec![0.0; up.len()];
                }
                for (a, (u, v)) in acc.iter_mut().zip(up.iter().zip(&down)) {
                    *a += u - v;
                }
            }
            out.push((i, acc));
        }
        Ok(out)
    });
    let mut result: Vec<Vec<f64>> = Vec::new();
    for part in partial {
        for (i, acc) in part? {
            if result.is_empty() {
                result = vec![vec![0.0; n]; acc.len()];
            }
            for (k, a) in acc.into_iter().enumerate() {
                result[k][i] = a;
            }
        }
    }
    if result.is_empty() {
        // nothing moves: every contribution is 0
        let k = f(p1)?.len();
        result = vec![vec![0.0; n]; k];
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_linear_function_is_decomposed_exactly() {
        let f = |x: &[f64]| -> Result<Vec<f64>, ()> { Ok(vec![2.0 * x[0] - 3.0 * x[1] + x[2]]) };
        let c = decompose(f, &[1.0, 1.0, 5.0], &[2.0, 3.0, 5.0], 3).unwrap();
        assert_eq!(c.len(), 1);
        assert!((c[0][0] - 2.0).abs() < 1e-12 && (c[0][1] + 6.0).abs() < 1e-12 && c[0][2] == 0.0);
    }

    #[test]
    fn a_product_is_split_symmetrically_and_sums_within_the_midpoint_error() {
        // y = x0·x1 from (1,1) to (2,3): exact contributions ∫(1+2t)·1 dt = 2 and ∫(1+t)·2 dt = 3
        let f = |x: &[f64]| -> Result<Vec<f64>, ()> { Ok(vec![x[0] * x[1], (x[0] * x[1] * x[1]).exp()]) };
        let c = decompose(f, &[1.0, 1.0], &[2.0, 3.0], 10).unwrap();
        assert!((c[0][0] - 2.0).abs() < 1e-12 && (c[0][1] - 3.0).abs() < 1e-12);
        // exp(x0·x1²) from (0, 0) to (1, 1): the sum misses e − 1 by an O(1/N²) error only (a
        // function of one parameter would telescope to the exact difference)
        let err = |n| {
            let c = decompose(f, &[0.0, 0.0], &[1.0, 1.0], n).unwrap();
            (c[1].iter().sum::<f64>() - (1f64.exp() - 1.0)).abs()
        };
        let (e10, e20) = (err(10), err(20));
        assert!(
            e10 > 1e-6 && e10 < 0.05 && e20 < e10 / 3.5 && e20 > e10 / 4.5,
            "{e10} {e20}"
        );
    }
}
