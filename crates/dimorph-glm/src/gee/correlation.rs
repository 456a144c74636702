//! The working correlation Rᵢ(α) of a cluster and its moment estimator, as geepack computes them
//! (Halekoh, Højsgaard & Yan 2006, *The R package geepack for generalized estimating equations*,
//! J. Stat. Softw. 15(2), §2; Liang & Zeger 1986, §4): with the scaled Pearson residuals
//! eᵢⱼ = (yᵢⱼ − μᵢⱼ)/√(φ v(μᵢⱼ)), α solves Σᵢ Σ_{j<k} wᵢⱼwᵢₖ ∂ρⱼₖ/∂α (eᵢⱼeᵢₖ − ρⱼₖ(α)) = 0 over
//! the pairs of rows of each cluster — for exchangeable the weighted mean of all products, for
//! unstructured the mean per pair of waves, for AR(1) (ρ = α^|tⱼ − tₖ|, all pairs and lags) a
//! Gauss–Newton step per outer iteration. No degrees-of-freedom correction (geepack's choice;
//! Liang & Zeger and SAS subtract p).

use super::clusters::Clusters;
use super::options::CorStr;

/// One pair of rows (positions j < k in the cluster) with its parameter and lag.
#[derive(Debug, Clone, Copy)]
pub struct Pair {
    pub j: usize,
    pub k: usize,
    /// Index into α (0 for exchangeable and AR(1)).
    pub param: usize,
    /// |tⱼ − tₖ| (AR(1)).
    pub lag: f64,
}

/// The structure on given clusters: the pairs of each cluster and the parameter names.
#[derive(Debug, Clone)]
pub struct Working {
    pub corstr: CorStr,
    /// Pairs of each cluster (empty for independence).
    pub pairs: Vec<Vec<Pair>>,
    /// α's names, as geepack's (`alpha`, `alpha.1:2`, …).
    pub names: Vec<String>,
}

impl Working {
    /// The pairs of every cluster: for unstructured, one parameter per pair of distinct waves
    /// (over all clusters, in increasing order).
    pub fn new(corstr: CorStr, cl: &Clusters) -> Working {
        let mut distinct: Vec<f64> = cl.waves.iter().flatten().copied().collect();
        distinct.sort_by(f64::total_cmp);
        distinct.dedup();
        let t = distinct.len();
        let pos = |w: f64| distinct.partition_point(|&d| d < w);
        // index of pair (a, b), a < b, in the order 1:2, 1:3, …, 1:T, 2:3, …
        let pair_index = |a: usize, b: usize| a * t - a * (a + 1) / 2 + (b - a - 1);
        let names = match corstr {
            CorStr::Independence => Vec::new(),
            CorStr::Exchangeable | CorStr::Ar1 => vec!["alpha".to_string()],
            CorStr::Unstructured => {
                let mut v = Vec::new();
                for a in 0..t {
                    for b in a + 1..t {
                        v.push(format!(
                            "alpha.{}:{}",
                            crate::expr::r_number(distinct[a]),
                            crate::expr::r_number(distinct[b])
                        ));
                    }
                }
                v
            }
        };
        let pairs = cl
            .waves
            .iter()
            .map(|w| {
                let mut v = Vec::new();
                if corstr == CorStr::Independence {
                    return v;
                }
                for j in 0..w.len() {
                    for k in j + 1..w.len() {
                        let param = match corstr {
                            CorStr::Unstructured => pair_index(pos(w[j]), pos(w[k])),
                            _ => 0,
                        };
                        v.push(Pair {
                            j,
                            k,
                            param,
                            lag: (w[k] - w[j]).abs(),
                        });
                    }
                }
                v
            })
            .collect();
        Working { corstr, pairs, names }
    }

    /// Number of correlation parameters.
    pub fn q(&self) -> usize {
        self.names.len()
    }

    /// ρ of a pair and ∂ρ/∂α.
    pub fn rho(&self, alpha: &[f64], p: &Pair) -> (f64, f64) {
        match self.corstr {
            CorStr::Independence => (0.0, 0.0),
            CorStr::Exchangeable | CorStr::Unstructured => (alpha[p.param], 1.0),
            CorStr::Ar1 => {
                let a = alpha[0];
                let d = if p.lag == 1.0 { 1.0 } else { p.lag * a.powf(p.lag - 1.0) };
                (a.powf(p.lag), d)
            }
        }
    }

    /// The working correlation matrix of cluster `c` (size n), row-major.
    pub fn matrix(&self, alpha: &[f64], c: usize, n: usize) -> Vec<f64> {
        let mut r = vec![0.0; n * n];
        for i in 0..n {
            r[i * n + i] = 1.0;
        }
        for p in &self.pairs[c] {
            let (rho, _) = self.rho(alpha, p);
            r[p.j * n + p.k] = rho;
            r[p.k * n + p.j] = rho;
        }
        r
    }

    /// One Gauss–Newton step of the moment equations for α from the scaled residuals `e` and
    /// weights `w` of each cluster's rows; `None` for a parameter no pair informs (an
    /// unstructured pair of waves never observed together).
    pub fn update(&self, alpha: &[f64], e: &[Vec<f64>], w: &[Vec<f64>]) -> Result<Vec<f64>, usize> {
        let q = self.q();
        let mut h = vec![0.0; q];
        let mut g = vec![0.0; q];
        for (c, pairs) in self.pairs.iter().enumerate() {
            for p in pairs {
                let (rho, d) = self.rho(alpha, p);
                let ww = w[c][p.j] * w[c][p.k];
                h[p.param] += ww * d * d;
                g[p.param] += ww * d * (e[c][p.j] * e[c][p.k] - rho);
            }
        }
        (0..q)
            .map(|a| if h[a] > 0.0 { Ok(alpha[a] + g[a] / h[a]) } else { Err(a) })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unstructured_pairs_index_the_waves_and_ar1_uses_lags() {
        let cl = Clusters {
            rows: vec![vec![0, 1, 2], vec![3, 4]],
            waves: vec![vec![1.0, 2.0, 4.0], vec![2.0, 3.0]],
            from_column: true,
        };
        let un = Working::new(CorStr::Unstructured, &cl);
        // waves 1, 2, 3, 4: six pairs, named as geepack
        assert_eq!(
            un.names,
            [
                "alpha.1:2",
                "alpha.1:3",
                "alpha.1:4",
                "alpha.2:3",
                "alpha.2:4",
                "alpha.3:4"
            ]
        );
        let params: Vec<usize> = un.pairs[0].iter().map(|p| p.param).collect();
        assert_eq!(params, [0, 2, 4]);
        assert_eq!(un.pairs[1][0].param, 3);
        let ar = Working::new(CorStr::Ar1, &cl);
        let r = ar.matrix(&[0.5], 0, 3);
        assert_eq!(r, [1.0, 0.5, 0.125, 0.5, 1.0, 0.25, 0.125, 0.25, 1.0]);
        // one pair with product 0.3 and unit weights: α is that product for exchangeable
        let ex = Working::new(CorStr::Exchangeable, &cl);
        let e = vec![vec![1.0, 0.3, 0.0], vec![0.0, 0.0]];
        let w = vec![vec![1.0; 3], vec![1.0; 2]];
        let a = ex.update(&[0.0], &e, &w).unwrap_or_default();
        assert!((a[0] - 0.3 / 4.0).abs() < 1e-15, "{a:?}");
    }
}
