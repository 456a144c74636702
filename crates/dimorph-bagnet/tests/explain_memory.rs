//! The explain path reads its images through the streaming loader, so its memory does not grow
//! with the number of images beyond each image's evidence (its map and table row): on generated
//! folders of 150 and 600 images of 64 px (48 KB each as floats), every allocation is counted (a
//! counting global allocator; this file holds one test so nothing else allocates meanwhile) while
//! `explain_model` (maps, averaged maps and images, Figure 2, density plots) and Figure 3's patch
//! collection run. Before, the averaged images and Figure 3 indexed the data set (`images[i]`),
//! which kept every correctly classified image in memory: the reference below, the averaging code
//! as it was, shows that growth. The averaged maps and images are the reference's to the last bit.

mod counting;
mod loader;

use dimorph_bagnet::checkpoint::ModelMeta;
use dimorph_bagnet::data::{self, Dataset};
use dimorph_bagnet::evidence::figure2::{class_averages, Average};
use dimorph_bagnet::evidence::figure3::TsneSettings;
use dimorph_bagnet::evidence::{average, ImageEvidence};
use dimorph_bagnet::image::RgbImage;
use dimorph_bagnet::model::{Arch, BagNetConfig};
use dimorph_bagnet::on_cpu;
use dimorph_bagnet::options::ExplainOptions;
use dimorph_bagnet::pipeline::ExplainSet;

const SIDE: usize = 64;
/// One loader thread: the batches in flight (at most two) vary least between runs.
const WORKERS: usize = 1;

/// The class averages as computed before the images were streamed (the averaging code of
/// `figure2::class_averages` then): every selected image indexed, `ds.images[i]`, and averaged at
/// once by `average`.
fn class_averages_before(ds: &Dataset, ev: &[ImageEvidence]) -> Vec<Average> {
    (0..ds.classes.len())
        .filter_map(|t| {
            let sel: Vec<&ImageEvidence> = ev.iter().filter(|e| e.target == t && e.predicted == t).collect();
            let first = sel.first()?;
            let maps: Vec<&[f64]> = sel.iter().map(|e| e.map.as_slice()).collect();
            let imgs: Vec<&RgbImage> = sel.iter().map(|e| &ds.images[e.index]).collect();
            let (map, image) = average(&maps, &imgs);
            Some(Average {
                class: t,
                n: sel.len(),
                side: first.side,
                map,
                image,
            })
        })
        .collect()
}

fn bits64(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}
fn bits32(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

struct Measured {
    /// Peak bytes above the opened data set while explaining.
    explain_peak: usize,
    /// Peak bytes above the data set while collecting Figure 3's patches.
    collect_peak: usize,
    /// Bytes the data set holds after the reference (old) averaging, above what it held before.
    before_held: usize,
    /// Correctly classified images (those averaged).
    correct: usize,
}

fn measure(n: usize) -> Measured {
    let dir = loader::tmp(&format!("explain{n}"));
    let csv = loader::folder(&dir, n, SIDE as u32);
    let rows = loader::rows(&dir, &csv);
    let classes = loader::classes();
    let ds = data::open(
        rows,
        &classes,
        loader::pre(SIDE),
        &loader::opts(&dir.join("cache"), WORKERS),
    )
    .unwrap();
    let config = BagNetConfig::new(Arch::BagNet9, 1).with_width(0.0625);
    let model = config.init_seeded_cpu(3);
    let meta = ModelMeta {
        config,
        classes: classes.clone(),
        size: SIDE,
        mask: false,
        epoch: 0,
    };
    let idx: Vec<usize> = (0..n).collect();
    let set = ExplainSet {
        ds: &ds,
        name: "all",
        idx: &idx,
    };
    let opt = ExplainOptions {
        max_images: 8,
        ..Default::default()
    };
    let base = counting::reset_peak();
    let o = on_cpu::explain_model(&model, &meta, &set, &opt, None).unwrap();
    let explain_peak = counting::peak_above(base);
    let ev = o.result.images.clone();
    drop(o);
    let correct = ev.iter().filter(|e| e.target == e.predicted).count();
    let s = TsneSettings {
        max_patches: 500,
        ..Default::default()
    };
    let base = counting::reset_peak();
    let p = on_cpu::collect_patches(&model, &ds, &ev, &s).unwrap();
    let collect_peak = counting::peak_above(base);
    assert!(!p.image.is_empty());
    drop(p);
    // The averages as streamed now equal the code before to the last bit; the old code then holds
    // every image it averaged.
    let now = class_averages(&ds, &ev).unwrap();
    let held = counting::now();
    let before = class_averages_before(&ds, &ev);
    let before_held = counting::now().saturating_sub(held);
    assert_eq!(now.len(), before.len());
    assert!(!now.is_empty(), "some image is correctly classified");
    for (a, b) in now.iter().zip(&before) {
        assert_eq!((a.class, a.n, a.side), (b.class, b.n, b.side));
        assert_eq!(bits64(&a.map), bits64(&b.map), "class {}: averaged map", a.class);
        assert_eq!((a.image.width, a.image.height), (b.image.width, b.image.height));
        assert_eq!(
            bits32(&a.image.data),
            bits32(&b.image.data),
            "class {}: averaged image",
            a.class
        );
    }
    drop((now, before));
    drop(ds);
    let _ = std::fs::remove_dir_all(&dir);
    Measured {
        explain_peak,
        collect_peak,
        before_held,
        correct,
    }
}

#[test]
fn explain_memory_does_not_grow_with_the_images() {
    let float_image = SIDE * SIDE * 3 * 4;
    let (small, large) = (150, 600);
    let a = measure(small);
    let b = measure(large);
    for (n, m) in [(small, &a), (large, &b)] {
        eprintln!(
            "n {n}: explain peak +{} B, Figure 3 collect peak +{} B; the averaging before held +{} B \
             ({} correctly classified images of {float_image} B)",
            m.explain_peak, m.collect_peak, m.before_held, m.correct
        );
    }
    // Per added image, explaining may keep its evidence (a map of 49 patch logits, a table row,
    // its name): far less than a quarter of the image's pixels.
    let growth = b.explain_peak.saturating_sub(a.explain_peak) / (large - small);
    assert!(
        growth < float_image / 4,
        "explain's peak grows by {growth} B per image (an image is {float_image} B)"
    );
    // Figure 3's collection holds its patches (at most max_patches), not the images.
    let growth = b.collect_peak.saturating_sub(a.collect_peak) / (large - small);
    assert!(
        growth < float_image / 20,
        "Figure 3's collection grows by {growth} B per image"
    );
    // The reference (old) averaging kept each averaged image: the growth this removes.
    assert!(
        b.before_held >= b.correct * float_image,
        "the old averaging held {} B for {} images",
        b.before_held,
        b.correct
    );
}
