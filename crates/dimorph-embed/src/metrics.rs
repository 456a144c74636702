//! Quality of an embedding: kNN preservation (the fraction of each point's k nearest neighbours in
//! feature space that are also among its k nearest in the embedding; Kobak & Berens 2019), and
//! cluster separation given labels: the mean silhouette in the embedding (Rousseeuw 1987) and the
//! leave-one-out kNN classification accuracy.

use crate::features::Features;
use crate::knn::{dist2, TopK};
use crate::rng::Rng;
use dimorph_core::threads::{map_ranges, ranges};
use serde::Serialize;

/// Quality figures of one embedding.
#[derive(Clone, Debug, Serialize)]
pub struct Quality {
    pub k: usize,
    pub knn_preservation: f64,
    pub silhouette: Option<f64>,
    pub knn_accuracy: Option<f64>,
    /// Points evaluated (all, or a random sample for large n).
    pub sample: usize,
}

fn nn2(y: &[[f64; 2]], i: usize, k: usize) -> Vec<u32> {
    let mut t = TopK::new(k);
    for (j, p) in y.iter().enumerate() {
        if j != i {
            let d = ((p[0] - y[i][0]).powi(2) + (p[1] - y[i][1]).powi(2)) as f32;
            t.push(j as u32, d);
        }
    }
    t.idx
}

fn nn_high(x: &Features, i: usize, k: usize) -> Vec<u32> {
    let mut t = TopK::new(k);
    for j in 0..x.n {
        if j != i {
            let d = dist2(x.row(i), x.row(j));
            t.push(j as u32, d);
        }
    }
    t.idx
}

/// kNN preservation, silhouette and kNN accuracy (labels optional) on up to `sample` points.
pub fn quality(
    x: &Features,
    y: &[[f64; 2]],
    labels: Option<&[usize]>,
    k: usize,
    sample: usize,
    seed: u64,
    threads: usize,
) -> Quality {
    let n = x.n;
    let pts: Vec<usize> = if sample >= n {
        (0..n).collect()
    } else {
        Rng::new(seed).sample(n, sample)
    };
    let m = pts.len();
    let sums = map_ranges(&ranges(m, threads), |r| {
        let (mut pres, mut acc, mut sil) = (0usize, 0usize, 0.0f64);
        for &i in &pts[r] {
            let lo = nn2(y, i, k);
            let hi = nn_high(x, i, k);
            pres += lo.iter().filter(|j| hi.contains(j)).count();
            if let Some(l) = labels {
                // majority vote among the embedding neighbours (ties: the smallest label)
                let mut counts = std::collections::BTreeMap::new();
                for &j in &lo {
                    *counts.entry(l[j as usize]).or_insert(0usize) += 1;
                }
                let best = counts
                    .iter()
                    .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                    .map(|e| *e.0);
                acc += (best == Some(l[i])) as usize;
                sil += silhouette_one(y, l, i);
            }
        }
        (pres, acc, sil)
    });
    let (pres, acc, sil) = sums
        .into_iter()
        .fold((0, 0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2));
    Quality {
        k,
        knn_preservation: pres as f64 / (m * k) as f64,
        silhouette: labels.map(|_| sil / m as f64),
        knn_accuracy: labels.map(|_| acc as f64 / m as f64),
        sample: m,
    }
}

/// s(i) = (b − a) / max(a, b): a = mean distance to its own cluster, b = smallest mean distance to another.
fn silhouette_one(y: &[[f64; 2]], l: &[usize], i: usize) -> f64 {
    let nl = l.iter().max().map_or(0, |m| m + 1);
    let mut sum = vec![0.0; nl];
    let mut cnt = vec![0usize; nl];
    for (j, p) in y.iter().enumerate() {
        if j != i {
            sum[l[j]] += ((p[0] - y[i][0]).powi(2) + (p[1] - y[i][1]).powi(2)).sqrt();
            cnt[l[j]] += 1;
        }
    }
    if cnt[l[i]] == 0 {
        return 0.0;
    }
    let a = sum[l[i]] / cnt[l[i]] as f64;
    let b = (0..nl)
        .filter(|&c| c != l[i] && cnt[c] > 0)
        .map(|c| sum[c] / cnt[c] as f64)
        .fold(f64::INFINITY, f64::min);
    if !b.is_finite() {
        return 0.0;
    }
    (b - a) / a.max(b)
}

/// Integer codes for labels (in order of first appearance) and the distinct labels.
pub fn encode_labels(v: &[String]) -> (Vec<usize>, Vec<String>) {
    let mut levels: Vec<String> = Vec::new();
    let mut map = std::collections::HashMap::new();
    let codes = v
        .iter()
        .map(|s| {
            *map.entry(s.clone()).or_insert_with(|| {
                levels.push(s.clone());
                levels.len() - 1
            })
        })
        .collect();
    (codes, levels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_embedding_scores_one_and_silhouette_by_hand() {
        // two pairs far apart: silhouette of each point = (b − a)/b with a = 1, b ≈ 100
        let x = Features::from_rows(&[vec![0.0, 0.0], vec![1.0, 0.0], vec![100.0, 0.0], vec![101.0, 0.0]]).unwrap();
        let y = [[0.0, 0.0], [1.0, 0.0], [100.0, 0.0], [101.0, 0.0]];
        let q = quality(&x, &y, Some(&[0, 0, 1, 1]), 1, 10, 1, 2);
        assert_eq!(q.knn_preservation, 1.0);
        assert_eq!(q.knn_accuracy, Some(1.0));
        // point 0: a = 1, b = (100 + 101)/2 = 100.5 → 99.5/100.5; point 1: a = 1, b = 99.5 → 98.5/99.5
        let expect = (99.5 / 100.5 + 98.5 / 99.5) / 2.0;
        assert!((q.silhouette.unwrap() - expect).abs() < 1e-12);
    }
}
