//! Evidence statistics by class (paper Fig. 4): per image the fractions of patches above +t and
//! below −t and the extreme patch logits, compared between the classes with Cohen's d; and the
//! per-image table `evidence_stats`.

use dimorph_core::{Cell, TidyTable};
use serde::Serialize;

use super::maps::ImageEvidence;

/// Cohen's d (pooled standard deviation) of `b` against `a`.
pub fn cohens_d(a: &[f64], b: &[f64]) -> f64 {
    let m = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let var = |v: &[f64], mu: f64| v.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (v.len() as f64 - 1.0);
    let (ma, mb) = (m(a), m(b));
    let (na, nb) = (a.len() as f64, b.len() as f64);
    let sp = (((na - 1.0) * var(a, ma) + (nb - 1.0) * var(b, mb)) / (na + nb - 2.0)).sqrt();
    (mb - ma) / sp
}

/// One evidence statistic compared between the classes.
#[derive(Debug, Clone, Serialize)]
pub struct StatComparison {
    pub statistic: String,
    pub mean_negative: f64,
    pub mean_positive: f64,
    /// None when undefined: the statistic does not vary within the classes (e.g. no patch beyond
    /// a large threshold t in any image).
    pub cohens_d: Option<f64>,
}

/// Fig. 4 statistics by class (binary models): fractions above +t and below −t, the largest and
/// the smallest patch logit, with Cohen's d (positive class against negative class).
pub fn compare_stats(ev: &[ImageEvidence]) -> Vec<StatComparison> {
    type Getter = fn(&ImageEvidence) -> f64;
    let get: [(&str, Getter); 4] = [
        ("fraction above +t", |e| e.frac_above),
        ("fraction below -t", |e| e.frac_below),
        ("largest patch logit", |e| e.max_logit),
        ("smallest patch logit", |e| e.min_logit),
    ];
    get.iter()
        .filter_map(|(name, f)| {
            let a: Vec<f64> = ev.iter().filter(|e| e.target == 0).map(f).collect();
            let b: Vec<f64> = ev.iter().filter(|e| e.target == 1).map(f).collect();
            if a.len() < 2 || b.len() < 2 {
                return None;
            }
            let m = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
            Some(StatComparison {
                statistic: name.to_string(),
                mean_negative: m(&a),
                mean_positive: m(&b),
                cohens_d: Some(cohens_d(&a, &b)).filter(|d| d.is_finite()),
            })
        })
        .collect()
}

/// One row per image: its name, true and predicted class, image logit, evidence figures and (for
/// synthetic data) whether its strongest patch lies in a planted region.
pub fn evidence_table(ev: &[ImageEvidence], classes: &[String]) -> TidyTable {
    let mut t = TidyTable::new(
        "evidence_stats",
        &[
            "image",
            "label",
            "predicted",
            "logit",
            "frac_above",
            "frac_below",
            "max_logit",
            "min_logit",
            "strongest_in_planted",
        ],
    );
    for e in ev {
        t.push(vec![
            e.name.as_str().into(),
            classes[e.target].as_str().into(),
            classes[e.predicted].as_str().into(),
            e.logit.into(),
            e.frac_above.into(),
            e.frac_below.into(),
            e.max_logit.into(),
            e.min_logit.into(),
            e.strongest_in_planted.map_or(Cell::Missing, Cell::Bool),
        ]);
    }
    t
}

/// The class comparison of [`compare_stats`] as a table `evidence_by_class`.
pub fn comparison_table(stats: &[StatComparison]) -> TidyTable {
    let mut t = TidyTable::new(
        "evidence_by_class",
        &["statistic", "mean_negative", "mean_positive", "cohens_d"],
    );
    for s in stats {
        t.push(vec![
            s.statistic.as_str().into(),
            s.mean_negative.into(),
            s.mean_positive.into(),
            s.cohens_d.into(),
        ]);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cohens_d_by_hand() {
        // a: mean 2, var 1; b: mean 4, var 1 → d = 2.
        let a = [1.0, 2.0, 3.0];
        let b = [3.0, 4.0, 5.0];
        assert!((cohens_d(&a, &b) - 2.0).abs() < 1e-12);
    }
}
