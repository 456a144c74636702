//! Figure 3 of Ilanchezian et al. (2021): the t-SNE of the patch features of the correctly
//! classified test images (computed by the embedding engine, [`dimorph_embed::run_features`], with
//! the paper's uniform affinities over 15 neighbours and heavy-tailed kernel α = 0.5), coloured by
//! patch logit ("the colour does not indicate the correct label"); four clusters chosen — the two
//! with the highest and the two with the lowest mean patch logit among k-means clusters of the
//! layout (a, b: evidence for the positive class; c, d: for the negative one) — each with the
//! fraction of its patches from each class's images and exemplar patches of high evidence, two per
//! class ([`dimorph_embed::clusters::summarise`]), cut out of their images and embedded in the SVG
//! (and given as PNG files).

use burn::tensor::Tensor;
use dimorph_core::rng::Rng;
use dimorph_core::OutputFile;
use dimorph_data::{Column, ColumnData, Frame};
use dimorph_embed::clusters::{summarise, ClusterSummary, Region};
use dimorph_embed::input::Selection;
use dimorph_embed::plot::{scatter, Colour};
use dimorph_embed::{EmbedOptions, Features};
use serde::Serialize;

use super::figures::UniqueNames;
use super::maps::ImageEvidence;
use super::palette::class_colour;
use super::render::{logit_label, short};
use super::svgparts::{image, open_svg, png_uri, text};
use crate::backend::BagnetBackend;
use crate::data::{self, Dataset};
use crate::image::RgbImage;
use crate::model::{BagNet, PATCH_STRIDE};
use crate::BagNetError;

/// Settings of Figure 3.
#[derive(Debug, Clone, Serialize)]
pub struct TsneSettings {
    /// Most patches embedded: beyond it, the same number of patches drawn at random (seeded) from
    /// each correctly classified image.
    pub max_patches: usize,
    /// Clusters chosen (the highest and the lowest mean patch logit, alternately).
    pub clusters: usize,
    /// Exemplar patches per class and cluster (the paper: 2).
    pub exemplars: usize,
    /// Seed of the patch sample, the k-means start and the embedding.
    pub seed: u64,
}

impl Default for TsneSettings {
    fn default() -> Self {
        TsneSettings {
            max_patches: 20_000,
            clusters: 4,
            exemplars: 2,
            seed: 42,
        }
    }
}

/// Fewest patches a Figure 3 is made of (the 15 neighbours of the affinities need company).
pub const MIN_PATCHES: usize = 50;

/// The patches embedded: their features (row-major `n × dim`), image (index into the data set),
/// position in the map, logit and the image's class.
pub struct Patches {
    pub dim: usize,
    pub x: Vec<f32>,
    pub image: Vec<usize>,
    pub pos: Vec<(usize, usize)>,
    pub logit: Vec<f64>,
    pub class: Vec<usize>,
}

/// The feature vectors of the patches of the correctly classified images of `ev` (all of them, or
/// an equal seeded sample per image when there are more than `max_patches`).
pub fn collect<B: BagnetBackend>(
    model: &BagNet<B>,
    ds: &Dataset,
    ev: &[ImageEvidence],
    s: &TsneSettings,
    device: &B::Device,
) -> Result<Patches, BagNetError> {
    let correct: Vec<&ImageEvidence> = ev.iter().filter(|e| e.target == e.predicted).collect();
    let mut p = Patches {
        dim: 0,
        x: Vec::new(),
        image: Vec::new(),
        pos: Vec::new(),
        logit: Vec::new(),
        class: Vec::new(),
    };
    let per_map = correct.first().map_or(0, |e| e.map.len());
    let per_image = if correct.len() * per_map > s.max_patches {
        (s.max_patches / correct.len().max(1)).max(1)
    } else {
        per_map
    };
    // The images stream from the loader a batch at a time (memory bounded whatever their number).
    let idx: Vec<usize> = correct.iter().map(|e| e.index).collect();
    for (chunk, batch) in correct.chunks(16).zip(ds.images.stream_plain(&idx, 16)) {
        let batch = batch?;
        let imgs: Vec<&RgbImage> = batch.iter().collect();
        let feats: Tensor<B, 4> = model.features(data::to_tensor::<B>(&imgs, device));
        let [_, c, h, w] = feats.dims();
        let v = feats.into_data().convert::<f32>().to_vec::<f32>().unwrap_or_default();
        p.dim = c;
        for (b, e) in chunk.iter().enumerate() {
            let picks = pick(h * w, per_image, Rng::derive(s.seed, 3, e.index as u64));
            for q in picks {
                let base = b * c * h * w;
                p.x.extend((0..c).map(|f| v.get(base + f * h * w + q).copied().unwrap_or(0.0)));
                p.image.push(e.index);
                p.pos.push((q / w, q % w));
                p.logit.push(e.map.get(q).copied().unwrap_or(f64::NAN));
                p.class.push(e.target);
            }
        }
    }
    Ok(p)
}

/// `k` of `0..n` (all when k ≥ n), in increasing order.
fn pick(n: usize, k: usize, mut rng: Rng) -> Vec<usize> {
    if k >= n {
        return (0..n).collect();
    }
    let mut all: Vec<usize> = (0..n).collect();
    for i in 0..k {
        let j = i + rng.below(n - i);
        all.swap(i, j);
    }
    let mut out = all[..k].to_vec();
    out.sort_unstable();
    out
}

/// k-means (k-means++ start, Lloyd iterations) of 2-D points; each point's cluster.
pub fn kmeans(y: &[[f64; 2]], k: usize, seed: u64) -> Vec<usize> {
    let n = y.len();
    let k = k.clamp(1, n.max(1));
    let d2 = |a: [f64; 2], b: [f64; 2]| (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2);
    let mut rng = Rng::new(seed);
    let mut centres = vec![y[rng.below(n)]];
    while centres.len() < k {
        let w: Vec<f64> = y
            .iter()
            .map(|&p| centres.iter().map(|&c| d2(p, c)).fold(f64::INFINITY, f64::min))
            .collect();
        let total: f64 = w.iter().sum();
        if total <= 0.0 {
            break;
        }
        let mut u = rng.uniform() * total;
        let i = w.iter().position(|&x| {
            u -= x;
            u < 0.0
        });
        centres.push(y[i.unwrap_or(n - 1)]);
    }
    let mut label = vec![0; n];
    for _ in 0..50 {
        let mut changed = false;
        for (i, &p) in y.iter().enumerate() {
            let best = (0..centres.len())
                .min_by(|&a, &b| d2(p, centres[a]).total_cmp(&d2(p, centres[b])))
                .unwrap_or(0);
            changed |= best != label[i];
            label[i] = best;
        }
        let mut sum = vec![[0.0, 0.0, 0.0]; centres.len()];
        for (i, &p) in y.iter().enumerate() {
            sum[label[i]][0] += p[0];
            sum[label[i]][1] += p[1];
            sum[label[i]][2] += 1.0;
        }
        for (c, s) in centres.iter_mut().zip(&sum) {
            if s[2] > 0.0 {
                *c = [s[0] / s[2], s[1] / s[2]];
            }
        }
        if !changed {
            break;
        }
    }
    label
}

/// The chosen clusters as circles of the layout: k-means clusters (8, fewer for few points) of
/// at least 1 % of the points, ordered by mean patch logit; the highest and the lowest taken in
/// turn (named a, b, … for the positive ones first, as the paper's a–d), each a circle about its
/// centroid holding three quarters of its points.
pub fn choose_regions(y: &[[f64; 2]], logit: &[f64], n_regions: usize, seed: u64) -> Vec<Region> {
    let k = (y.len() / 20).clamp(1, 8);
    let label = kmeans(y, k, seed);
    let mut found: Vec<(f64, [f64; 2], f64)> = Vec::new();
    for c in 0..k {
        let m: Vec<usize> = (0..y.len()).filter(|&i| label[i] == c).collect();
        if m.len() < (y.len() / 100).max(3) {
            continue;
        }
        let cx = m.iter().map(|&i| y[i][0]).sum::<f64>() / m.len() as f64;
        let cy = m.iter().map(|&i| y[i][1]).sum::<f64>() / m.len() as f64;
        let vals: Vec<f64> = m.iter().map(|&i| logit[i]).filter(|v| v.is_finite()).collect();
        let mean = vals.iter().sum::<f64>() / vals.len().max(1) as f64;
        let mut dist: Vec<f64> = m.iter().map(|&i| (y[i][0] - cx).hypot(y[i][1] - cy)).collect();
        dist.sort_by(f64::total_cmp);
        let r = dist[(dist.len() * 3 / 4).min(dist.len() - 1)].max(1e-6);
        found.push((mean, [cx, cy], r));
    }
    found.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut picked = Vec::new();
    let (mut lo, mut hi) = (0, found.len());
    while picked.len() < n_regions && lo < hi {
        if picked.len() % 2 == 0 {
            picked.push(found[lo]);
            lo += 1;
        } else {
            hi -= 1;
            picked.push(found[hi]);
        }
    }
    // Positive (highest mean) clusters first, then the negative ones, each from the strongest.
    picked.sort_by(|a, b| {
        let side = |m: f64| if m >= 0.0 { 0 } else { 1 };
        side(a.0).cmp(&side(b.0)).then(b.0.abs().total_cmp(&a.0.abs()))
    });
    picked
        .iter()
        .enumerate()
        .map(|(i, &(_, c, r))| Region {
            name: ((b'a' + (i % 26) as u8) as char).to_string(),
            cx: c[0],
            cy: c[1],
            r,
        })
        .collect()
}

/// What Figure 3 shows: the patches and images embedded and the chosen clusters (points, class
/// fractions, mean logit, exemplars).
#[derive(Debug, Clone, Serialize)]
pub struct Figure3Summary {
    pub patches: usize,
    pub images: usize,
    pub clusters: Vec<ClusterSummary>,
}

/// Figure 3 and what it shows.
pub struct Figure3 {
    pub svg: String,
    /// The exemplar patches as PNG files (`figure3/<cluster>_<class>_<rank>.png`).
    pub crops: Vec<OutputFile>,
    pub summary: Figure3Summary,
}

/// The table the embedding engine reads besides the features: image, row, col, logit, label.
fn id_frame(ds: &Dataset, p: &Patches) -> Result<Frame, BagNetError> {
    let text = |v: Vec<String>| ColumnData::Text {
        values: v.into_iter().map(Some).collect(),
        first_non_numeric: None,
    };
    let cols = vec![
        Column {
            name: "image".into(),
            data: text(p.image.iter().map(|&i| ds.rows[i].name.clone()).collect()),
        },
        Column {
            name: "row".into(),
            data: ColumnData::Num(p.pos.iter().map(|q| q.0 as f64).collect()),
        },
        Column {
            name: "col".into(),
            data: ColumnData::Num(p.pos.iter().map(|q| q.1 as f64).collect()),
        },
        Column {
            name: "logit".into(),
            data: ColumnData::Num(p.logit.clone()),
        },
        Column {
            name: "label".into(),
            data: text(p.class.iter().map(|&c| ds.classes[c].clone()).collect()),
        },
    ];
    Frame::from_columns("patch features", cols).map_err(|e| BagNetError::Data(format!("figure 3: {e}")))
}

/// The feature matrix without its constant columns (as the embedding engine selects columns).
fn varying(p: &Patches) -> Result<(Features, Selection), BagNetError> {
    let n = p.image.len();
    let keep: Vec<usize> = (0..p.dim)
        .filter(|&f| (1..n).any(|i| p.x[i * p.dim + f] != p.x[f]))
        .collect();
    let mut x = Vec::with_capacity(n * keep.len());
    for i in 0..n {
        x.extend(keep.iter().map(|&f| p.x[i * p.dim + f]));
    }
    let sel = Selection {
        columns: keep.iter().map(|f| format!("f{f}")).collect(),
        constant: (0..p.dim)
            .filter(|f| !keep.contains(f))
            .map(|f| format!("f{f}"))
            .collect(),
        scaling: None,
    };
    let x = Features::new(n, keep.len(), x).map_err(|e| BagNetError::Data(format!("figure 3: {e}")))?;
    Ok((x, sel))
}

/// Figure 3 of the patches `p` (None when there are fewer than [`MIN_PATCHES`] or every feature is
/// constant): the embedding, the chosen clusters with their class fractions and exemplars.
pub fn figure3(ds: &Dataset, p: &Patches, q: usize, s: &TsneSettings) -> Result<Option<Figure3>, BagNetError> {
    if p.image.len() < MIN_PATCHES {
        return Ok(None);
    }
    let (x, sel) = varying(p)?;
    if sel.columns.is_empty() {
        return Ok(None);
    }
    let frame = id_frame(ds, p)?;
    let opts = EmbedOptions {
        features: vec!["f*".into()],
        alpha: 0.5,
        seed: s.seed,
        color: Some("logit".into()),
        class: Some("label".into()),
        ids: vec!["image".into(), "row".into(), "col".into()],
        ..Default::default()
    };
    let out = dimorph_embed::run_features(&frame, x, sel, &opts, &mut |_, _, _| {})
        .map_err(|e| BagNetError::Data(format!("figure 3, the embedding of the patch features: {e}")))?;
    let y = out.result.embedding.y;
    let regions = choose_regions(&y, &p.logit, s.clusters, s.seed);
    let labels: Vec<String> = p.class.iter().map(|&c| ds.classes[c].clone()).collect();
    let clusters = summarise(&y, &regions, Some(&labels), Some(&p.logit), &[], s.exemplars);
    let plot = scatter(
        "t-SNE of patch features, coloured by patch logit",
        &y,
        &Colour::Diverging {
            name: "patch logit",
            values: &p.logit,
        },
        &regions,
        opts.max_plot_points,
        s.seed,
    );
    let mut images: Vec<usize> = p.image.clone();
    images.sort_unstable();
    images.dedup();
    let (svg, crops) = layout(ds, p, q, &plot, &clusters)?;
    Ok(Some(Figure3 {
        svg,
        crops,
        summary: Figure3Summary {
            patches: p.image.len(),
            images: images.len(),
            clusters,
        },
    }))
}

/// Figure 3 of a model's explanation with the default [`TsneSettings`]: the summary and the files
/// (`figure3.svg`, the exemplar patches in `figure3/`); no summary and no files when there are too
/// few patches (see [`figure3`]).
pub fn files<B: BagnetBackend>(
    model: &BagNet<B>,
    ds: &Dataset,
    ev: &[ImageEvidence],
    q: usize,
    device: &B::Device,
) -> Result<(Option<Figure3Summary>, Vec<OutputFile>), BagNetError> {
    let s = TsneSettings::default();
    let p = collect(model, ds, ev, &s, device)?;
    Ok(match figure3(ds, &p, q, &s)? {
        Some(f) => {
            let mut files = vec![OutputFile::text("figure3.svg", f.svg)];
            files.extend(f.crops);
            (Some(f.summary), files)
        }
        None => (None, Vec::new()),
    })
}

/// "t-SNE of 1296 patches of 30 correctly classified images; clusters a (mean logit +1.2; 30%
/// female, 70% male); …".
pub fn summary_line(f: &Figure3Summary) -> String {
    let clusters: Vec<String> = f
        .clusters
        .iter()
        .map(|c| {
            let fr: Vec<String> = c
                .class_fractions
                .iter()
                .map(|(l, _, x)| format!("{:.0}% {l}", 100.0 * x))
                .collect();
            format!(
                "{} (mean logit {}; {})",
                c.region.name,
                c.mean_value.map_or("NA".into(), logit_label),
                fr.join(", ")
            )
        })
        .collect();
    format!(
        "t-SNE of {} patches of {} correctly classified images; clusters {}",
        f.patches,
        f.images,
        clusters.join("; ")
    )
}

/// The q×q window of patch (row, col) of `img` (cut at the image's edges).
pub fn crop(img: &RgbImage, (row, col): (usize, usize), q: usize) -> RgbImage {
    let (x0, y0) = (col * PATCH_STRIDE, row * PATCH_STRIDE);
    let w = q.min(img.width.saturating_sub(x0)).max(1);
    let h = q.min(img.height.saturating_sub(y0)).max(1);
    let mut out = RgbImage::new(w, h);
    for y in 0..h {
        for x in 0..w {
            for ch in 0..3 {
                let v = if x0 + x < img.width && y0 + y < img.height {
                    img.get(x0 + x, y0 + y, ch)
                } else {
                    0.0
                };
                out.set(x, y, ch, v);
            }
        }
    }
    out
}

const PLOT_W: f64 = 640.0;
const CROP: f64 = 64.0;
const PANEL_H: f64 = 150.0;

/// The scatter on the left, one panel per cluster on the right: its exemplar patches (class and
/// logit below each) and the fraction of its patches from each class as a bar in the class
/// colours.
fn layout(
    ds: &Dataset,
    p: &Patches,
    q: usize,
    plot: &str,
    clusters: &[ClusterSummary],
) -> Result<(String, Vec<OutputFile>), BagNetError> {
    let per_row = clusters.iter().map(|c| c.exemplars.len()).max().unwrap_or(0).max(4);
    let width = PLOT_W + 20.0 + per_row as f64 * (CROP + 10.0) + 10.0;
    let height = 600f64.max(40.0 + clusters.len() as f64 * PANEL_H);
    let mut s = open_svg(width, height);
    s.push_str(&format!("<g class=\"scatter\">{plot}</g>"));
    let mut crops = Vec::new();
    let mut names = UniqueNames::default();
    let n_classes = ds.classes.len();
    let x0 = PLOT_W + 20.0;
    s.push_str(&text(
        x0,
        24.0,
        "Exemplar patches of high evidence per cluster",
        "start",
        13.0,
        "#222",
    ));
    for (k, c) in clusters.iter().enumerate() {
        let y0 = 40.0 + k as f64 * PANEL_H;
        let frac: Vec<String> = c
            .class_fractions
            .iter()
            .map(|(l, _, f)| format!("{}={f}", dimorph_report::escape(l)))
            .collect();
        s.push_str(&format!(
            "<g class=\"cluster\" data-cluster=\"{}\" data-n=\"{}\" data-fractions=\"{}\">",
            dimorph_report::escape(&c.region.name),
            c.n_points,
            frac.join(";")
        ));
        let head = format!(
            "{}: {} patches, mean logit {}",
            c.region.name,
            c.n_points,
            c.mean_value.map_or("NA".into(), |m| short(m, 3))
        );
        s.push_str(&text(x0, y0 + 12.0, &head, "start", 12.0, "#222"));
        for (j, e) in c.exemplars.iter().enumerate() {
            let i = e.row - 1;
            let patch = crop(&ds.images.get(p.image[i])?, p.pos[i], q);
            let cls = p.class[i];
            let cname = &ds.classes[cls];
            let cx = x0 + j as f64 * (CROP + 10.0);
            let attrs = format!(
                "class=\"exemplar\" data-cluster=\"{}\" data-class=\"{}\" data-logit=\"{}\" data-image=\"{}\" data-row=\"{}\" data-col=\"{}\"",
                dimorph_report::escape(&c.region.name),
                dimorph_report::escape(cname),
                p.logit[i],
                dimorph_report::escape(&ds.rows[p.image[i]].name),
                p.pos[i].0,
                p.pos[i].1
            );
            s.push_str(&image(cx, y0 + 20.0, CROP, CROP, &png_uri(&patch)?, &attrs));
            let colour = class_colour(cls, n_classes);
            s.push_str(&format!(
                "<rect x=\"{cx:.1}\" y=\"{:.1}\" width=\"{CROP}\" height=\"{CROP}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>",
                y0 + 20.0
            ));
            let lab = format!("{cname} {}", short(p.logit[i], 3));
            s.push_str(&text(
                cx + CROP / 2.0,
                y0 + 20.0 + CROP + 13.0,
                &lab,
                "middle",
                10.0,
                &colour,
            ));
            let name = names.unique(&format!("{}_{cname}_{}", c.region.name, j + 1));
            crops.push(OutputFile::new(format!("figure3/{name}.png"), patch.to_png()?));
        }
        // The class fractions as one bar in the class colours, with the fraction of each class.
        let (bx, by, bw) = (x0, y0 + 20.0 + CROP + 22.0, per_row as f64 * (CROP + 10.0) - 10.0);
        let mut at = bx;
        let mut words = Vec::new();
        for (l, _, f) in &c.class_fractions {
            let k = ds.classes.iter().position(|x| x == l).unwrap_or(0);
            s.push_str(&format!(
                "<rect class=\"fraction\" x=\"{at:.1}\" y=\"{by:.1}\" width=\"{:.1}\" height=\"10\" fill=\"{}\"/>",
                bw * f,
                class_colour(k, n_classes)
            ));
            at += bw * f;
            words.push(format!("{:.0}% {l}", 100.0 * f));
        }
        s.push_str(&text(
            bx,
            by + 24.0,
            &format!("patches from {} images", words.join(", ")),
            "start",
            11.0,
            "#222",
        ));
        s.push_str("</g>");
    }
    s.push_str("</svg>");
    Ok((s, crops))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kmeans_finds_two_blobs_and_regions_follow_the_logits() {
        let mut y = Vec::new();
        let mut logit = Vec::new();
        for i in 0..100 {
            let t = i as f64 * 0.01;
            y.push([t, t]);
            logit.push(3.0);
            y.push([50.0 + t, 50.0 - t]);
            logit.push(-2.0);
        }
        let l = kmeans(&y, 2, 1);
        assert!((0..200).step_by(2).all(|i| l[i] == l[0]));
        assert!((1..200).step_by(2).all(|i| l[i] == l[1]));
        assert_ne!(l[0], l[1]);
        let r = choose_regions(&y, &logit, 2, 1);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].name, "a");
        // a: the positive blob near the origin; b: the negative one.
        assert!(r[0].cx < 10.0 && r[1].cx > 40.0, "{r:?}");
        assert_eq!(pick(10, 3, Rng::new(1)).len(), 3);
        assert_eq!(pick(3, 10, Rng::new(1)), vec![0, 1, 2]);
    }
}
