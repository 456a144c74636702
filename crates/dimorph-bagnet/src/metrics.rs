//! Classification metrics in the layout of the paper's Table 1: accuracy, ROC AUC with a
//! percentile bootstrap confidence interval, and the ROC curve as SVG.

use dimorph_report::svg::{Chart, PALETTE};

use dimorph_core::rng::{Draws, SplitMix64};

/// ROC AUC of scores for the positive class (Mann–Whitney U / (n1·n0), ties counted ½).
/// `None` when one class is absent.
pub fn auc(scores: &[f64], positive: &[bool]) -> Option<f64> {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    // Mid-ranks over ties.
    let mut ranks = vec![0.0; scores.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && scores[idx[j + 1]] == scores[idx[i]] {
            j += 1;
        }
        let r = (i + j) as f64 / 2.0 + 1.0;
        for k in i..=j {
            ranks[idx[k]] = r;
        }
        i = j + 1;
    }
    let n1 = positive.iter().filter(|&&p| p).count() as f64;
    let n0 = scores.len() as f64 - n1;
    if n1 == 0.0 || n0 == 0.0 {
        return None;
    }
    let r1: f64 = ranks.iter().zip(positive).filter(|(_, &p)| p).map(|(r, _)| r).sum();
    Some((r1 - n1 * (n1 + 1.0) / 2.0) / (n1 * n0))
}

/// Percentile bootstrap interval for the AUC (`reps` resamples of images, `level` e.g. 0.95).
/// Resamples with one class only are redrawn.
pub fn auc_bootstrap_ci(scores: &[f64], positive: &[bool], reps: usize, level: f64, seed: u64) -> Option<(f64, f64)> {
    auc(scores, positive)?;
    let n = scores.len();
    let mut rng = SplitMix64::derive(seed, 20, 0);
    let mut stats = Vec::with_capacity(reps);
    let (mut s, mut p) = (vec![0.0; n], vec![false; n]);
    while stats.len() < reps {
        for k in 0..n {
            let i = rng.below(n);
            s[k] = scores[i];
            p[k] = positive[i];
        }
        if let Some(a) = auc(&s, &p) {
            stats.push(a);
        }
    }
    stats.sort_by(f64::total_cmp);
    let q = |f: f64| stats[((f * (reps - 1) as f64).round() as usize).min(reps - 1)];
    Some((q((1.0 - level) / 2.0), q((1.0 + level) / 2.0)))
}

/// Points (false-positive rate, true-positive rate) of the ROC curve, from (0,0) to (1,1).
pub fn roc_points(scores: &[f64], positive: &[bool]) -> Vec<(f64, f64)> {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let n1 = positive.iter().filter(|&&p| p).count().max(1) as f64;
    let n0 = (scores.len() as f64 - positive.iter().filter(|&&p| p).count() as f64).max(1.0);
    let (mut tp, mut fp) = (0.0, 0.0);
    let mut pts = vec![(0.0, 0.0)];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j < idx.len() && scores[idx[j]] == scores[idx[i]] {
            if positive[idx[j]] {
                tp += 1.0;
            } else {
                fp += 1.0;
            }
            j += 1;
        }
        pts.push((fp / n0, tp / n1));
        i = j;
    }
    pts
}

/// Accuracy, AUC and its CI for one set.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SetMetrics {
    pub set: String,
    pub n: usize,
    pub accuracy: f64,
    pub auc: Option<f64>,
    pub auc_ci: Option<(f64, f64)>,
}

/// Metrics of a binary or multi-class prediction: `scores` are the positive-class scores
/// (binary) used for AUC, `pred` and `target` class indices.
pub fn set_metrics(
    set: &str,
    scores: &[f64],
    pred: &[usize],
    target: &[usize],
    n_classes: usize,
    seed: u64,
) -> SetMetrics {
    let n = target.len();
    let correct = pred.iter().zip(target).filter(|(a, b)| a == b).count();
    let (auc_v, ci) = if n_classes == 2 {
        let pos: Vec<bool> = target.iter().map(|&t| t == 1).collect();
        (auc(scores, &pos), auc_bootstrap_ci(scores, &pos, 1000, 0.95, seed))
    } else {
        (None, None)
    };
    SetMetrics {
        set: set.to_string(),
        n,
        accuracy: if n > 0 { correct as f64 / n as f64 } else { f64::NAN },
        auc: auc_v,
        auc_ci: ci,
    }
}

/// The ROC curves of several sets as one SVG.
pub fn roc_svg(curves: &[(String, Vec<(f64, f64)>)]) -> String {
    let mut c = Chart::new("ROC curve", (0.0, 1.0), (0.0, 1.0)).labels("false-positive rate", "true-positive rate");
    c.styled_line(vec![(0.0, 0.0), (1.0, 1.0)], "#999999", 1.0, true, None);
    for (k, (name, pts)) in curves.iter().enumerate() {
        c.line(pts.clone(), PALETTE[k % PALETTE.len()], Some(name));
    }
    c.to_svg()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_matches_hand_count() {
        // Pairs (pos, neg): 0.9>0.1,0.4 ; 0.35>0.1, <0.4 ; 0.8>0.1,0.4 → 5 of 6 concordant.
        let s = [0.1, 0.4, 0.35, 0.8, 0.9];
        let p = [false, false, true, true, true];
        assert!((auc(&s, &p).unwrap() - 5.0 / 6.0).abs() < 1e-12);
        // A tie between classes counts ½.
        assert!((auc(&[0.5, 0.5], &[false, true]).unwrap() - 0.5).abs() < 1e-12);
        assert!(auc(&[0.1, 0.2], &[true, true]).is_none());
    }

    #[test]
    fn bootstrap_ci_contains_auc() {
        let mut r = SplitMix64::new(3);
        let pos: Vec<bool> = (0..200).map(|i| i % 2 == 0).collect();
        let s: Vec<f64> = pos.iter().map(|&p| r.normal() + if p { 1.0 } else { 0.0 }).collect();
        let a = auc(&s, &pos).unwrap();
        let (lo, hi) = auc_bootstrap_ci(&s, &pos, 500, 0.95, 1).unwrap();
        assert!(lo < a && a < hi && hi - lo < 0.2, "{lo} {a} {hi}");
    }

    #[test]
    fn roc_ends_at_corners() {
        let pts = roc_points(&[0.1, 0.4, 0.35, 0.8], &[false, true, false, true]);
        assert_eq!(pts.first(), Some(&(0.0, 0.0)));
        assert_eq!(pts.last(), Some(&(1.0, 1.0)));
    }
}
