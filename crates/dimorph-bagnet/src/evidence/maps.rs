//! Native patch evidence (paper §3.3): the evidence map of an image is its BagNet's linear head
//! applied to every patch's feature vector (w·x + b, one logit per q×q patch); the image logit is the
//! map's mean. With the maps come each image's evidence figures (fractions above +t and below −t,
//! the extreme logits) and, for synthetic data, whether the strongest patch lies in a planted region.

use burn::tensor::Tensor;
use serde::Serialize;

use super::features::FeatureWriter;
use crate::backend::BagnetBackend;
use crate::data::{self, Dataset};
use crate::model::{BagNet, PATCH_STRIDE};
use crate::BagNetError;

/// Evidence of one image.
#[derive(Debug, Clone, Serialize)]
pub struct ImageEvidence {
    pub index: usize,
    pub name: String,
    pub target: usize,
    pub predicted: usize,
    /// Image logit (mean of the patch logits) of the evidence class.
    pub logit: f64,
    /// Side of the evidence map.
    pub side: usize,
    /// Patch logits, row-major: positive = evidence for the positive (second) class; for more
    /// than two classes, evidence for the image's true class.
    #[serde(skip)]
    pub map: Vec<f64>,
    /// Fraction of patches with logit above +t and below −t.
    pub frac_above: f64,
    pub frac_below: f64,
    pub max_logit: f64,
    pub min_logit: f64,
    /// Whether the patch with the strongest evidence for the true class overlaps the planted region
    /// (synthetic data only).
    pub strongest_in_planted: Option<bool>,
}

/// Where evidence maps are computed: the images, their threshold and batch size, and the feature
/// export (if any).
pub struct MapJob<'a> {
    pub ds: &'a Dataset,
    /// The images, by index into `ds`.
    pub idx: &'a [usize],
    /// Receptive field q of the model.
    pub q: usize,
    /// Evidence threshold t.
    pub threshold: f64,
    /// Images per forward pass.
    pub batch: usize,
}

/// Compute evidence maps of the images of `job`; with `features`, also write every patch's feature
/// vector (image, row, col, label, logit, f0..).
pub fn compute<B: BagnetBackend>(
    model: &BagNet<B>,
    job: &MapJob,
    mut features: Option<&mut FeatureWriter>,
    device: &B::Device,
) -> Result<Vec<ImageEvidence>, BagNetError> {
    let ds = job.ds;
    let mut out = Vec::with_capacity(job.idx.len());
    for (chunk, batch) in job
        .idx
        .chunks(job.batch.max(1))
        .zip(ds.images.stream_plain(job.idx, job.batch))
    {
        let batch = batch?;
        let imgs: Vec<_> = batch.iter().collect();
        let feats = model.features(data::to_tensor::<B>(&imgs, device));
        let [_, c, h, w] = feats.dims();
        let logits = model.patch_logits(feats.clone());
        let k = logits.dims()[3];
        let lv = logits.into_data().convert::<f32>().to_vec::<f32>().unwrap_or_default();
        let fv = if features.is_some() { values(feats) } else { Vec::new() };
        for (b, &i) in chunk.iter().enumerate() {
            let ev = image_evidence(job, i, &lv[b * h * w * k..(b + 1) * h * w * k], [h, w, k]);
            if let Some(fw) = features.as_deref_mut() {
                let per_image = c * h * w;
                fw.image(
                    &ds.rows[i].name,
                    &ds.rows[i].label,
                    &ev.map,
                    &fv[b * per_image..(b + 1) * per_image],
                    [c, h, w],
                )?;
            }
            out.push(ev);
        }
    }
    Ok(out)
}

fn values<B: BagnetBackend>(t: Tensor<B, 4>) -> Vec<f32> {
    t.into_data().convert::<f32>().to_vec::<f32>().unwrap_or_default()
}

/// The evidence of image `i` from its patch logits `lv` (`[h, w, K]`, row-major).
fn image_evidence(job: &MapJob, i: usize, lv: &[f32], [h, w, k]: [usize; 3]) -> ImageEvidence {
    let ds = job.ds;
    let target = ds.targets[i];
    let cls = if k == 1 { 0 } else { target };
    let map: Vec<f64> = (0..h * w).map(|p| lv[p * k + cls] as f64).collect();
    let mean = map.iter().sum::<f64>() / map.len() as f64;
    let predicted = if k == 1 {
        usize::from(mean > 0.0)
    } else {
        let means: Vec<f64> = (0..k)
            .map(|c2| (0..h * w).map(|p| lv[p * k + c2] as f64).sum::<f64>())
            .collect();
        (0..k).max_by(|&a, &b2| means[a].total_cmp(&means[b2])).unwrap_or(0)
    };
    let threshold = job.threshold;
    let above = map.iter().filter(|&&v| v > threshold).count() as f64 / map.len() as f64;
    let below = map.iter().filter(|&&v| v < -threshold).count() as f64 / map.len() as f64;
    let max = map.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let min = map.iter().cloned().fold(f64::INFINITY, f64::min);
    // Strongest evidence towards the true class: the largest logit for the positive class
    // (or any class with its own output), the smallest for the negative class.
    let strongest = if k == 1 && target == 0 {
        (0..map.len()).min_by(|&a, &b2| map[a].total_cmp(&map[b2]))
    } else {
        (0..map.len()).max_by(|&a, &b2| map[a].total_cmp(&map[b2]))
    }
    .unwrap_or(0);
    let strongest_in_planted = (!ds.rows[i].planted.is_empty())
        .then(|| in_planted(&ds.rows[i].planted, ds.scales[i], strongest / w, strongest % w, job.q));
    ImageEvidence {
        index: i,
        name: ds.rows[i].name.clone(),
        target,
        predicted,
        logit: mean,
        side: h,
        map,
        frac_above: above,
        frac_below: below,
        max_logit: max,
        min_logit: min,
        strongest_in_planted,
    }
}

/// Does the q×q window of patch (row, col) overlap any of the planted circles (stored-image pixels,
/// scaled by `scale` to model-input pixels)?
pub fn in_planted(planted: &[[f64; 3]], scale: f64, row: usize, col: usize, q: usize) -> bool {
    planted
        .iter()
        .any(|&[x, y, r]| window_meets_circle(row, col, q, (x * scale, y * scale, r * scale)))
}

/// Does the q×q window of patch (row, col) overlap the circle (x, y, r)?
pub fn window_meets_circle(row: usize, col: usize, q: usize, (x, y, r): (f64, f64, f64)) -> bool {
    let (x0, y0) = ((col * PATCH_STRIDE) as f64, (row * PATCH_STRIDE) as f64);
    let (x1, y1) = (x0 + q as f64, y0 + q as f64);
    let dx = (x0 - x).max(0.0).max(x - x1);
    let dy = (y0 - y).max(0.0).max(y - y1);
    dx * dx + dy * dy < r * r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_circle_overlap() {
        // Patch (0,0) of q = 9 covers [0,9)²; a circle at (12, 4) of radius 2 misses, radius 4 meets.
        assert!(!window_meets_circle(0, 0, 9, (12.0, 4.0, 2.0)));
        assert!(window_meets_circle(0, 0, 9, (12.0, 4.0, 4.0)));
        assert!(window_meets_circle(1, 1, 9, (12.0, 12.0, 0.5)));
    }
}
