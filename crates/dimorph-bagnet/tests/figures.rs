//! The evidence figures of the paper (Ilanchezian et al. 2021, Fig. 2–4) on synthetic fundus
//! images with evidence maps of known shape: each figure is written and well formed, colour bars
//! are in logit units, the averaged maps of both classes share one scale, every figure draws a class
//! in the same colour (ColorBrewer RdBu's ends: male #B2182B, female #2166AC), thresholds are
//! written in at most 4 significant digits, and Figure 3 has its exemplar patches and class
//! fractions that sum to 1 per cluster.

use dimorph_bagnet::data::Dataset;
use dimorph_bagnet::evidence::figure3::{self, Patches, TsneSettings};
use dimorph_bagnet::evidence::{figures, ImageEvidence};
use dimorph_bagnet::model::{Arch, BagNetConfig};
use dimorph_bagnet::on_cpu;
use dimorph_bagnet::synth::{self, SynthOptions};
use dimorph_core::OutputFile;

// The SVG checks of the figure tests, written once beside refint's figure tests.
#[path = "../../dimorph-refint/tests/svg/mod.rs"]
#[allow(dead_code)] // `pair` is refint's alone
mod svg;
use svg::{assert_well_formed, attr};

/// ColorBrewer RdBu's ends, the colours of the positive ("male") and the negative ("female") class.
const MALE: &str = "#B2182B";
const FEMALE: &str = "#2166AC";

const SIZE: usize = 64;
const Q: usize = 17;

fn data() -> Dataset {
    synth::dataset(&SynthOptions {
        n: 24,
        size: SIZE,
        effect: 0.35,
        seed: 7,
    })
}

/// Maps of known shape: male images carry positive evidence growing to the right (up to +3),
/// female ones negative evidence growing downwards (to −2); every fifth image is misclassified.
fn evidence(ds: &Dataset) -> Vec<ImageEvidence> {
    let side = Arch::BagNet17.map_size(SIZE).unwrap();
    (0..ds.images.len())
        .map(|i| {
            let t = ds.targets[i];
            let map: Vec<f64> = (0..side * side)
                .map(|p| {
                    let (r, c) = (p / side, p % side);
                    if t == 1 {
                        3.0 * c as f64 / (side - 1) as f64 - 0.5
                    } else {
                        -2.0 * r as f64 / (side - 1) as f64 + 0.3
                    }
                })
                .collect();
            let logit = map.iter().sum::<f64>() / map.len() as f64;
            let predicted = if i % 5 == 4 { 1 - t } else { t };
            ImageEvidence {
                index: i,
                name: ds.rows[i].name.clone(),
                target: t,
                predicted,
                logit,
                side,
                frac_above: map.iter().filter(|&&v| v > 1.0).count() as f64 / map.len() as f64,
                frac_below: map.iter().filter(|&&v| v < -1.0).count() as f64 / map.len() as f64,
                max_logit: map.iter().cloned().fold(f64::NEG_INFINITY, f64::max),
                min_logit: map.iter().cloned().fold(f64::INFINITY, f64::min),
                map,
                strongest_in_planted: None,
            }
        })
        .collect()
}

fn file<'a>(files: &'a [OutputFile], name: &str) -> &'a OutputFile {
    files.iter().find(|f| f.name == name).unwrap_or_else(|| {
        panic!(
            "{name} not among {:?}",
            files.iter().map(|f| &f.name).collect::<Vec<_>>()
        )
    })
}

fn text(f: &OutputFile) -> String {
    String::from_utf8(f.bytes.clone()).unwrap()
}

/// The opening tags of elements with `class="<class>"`.
fn tags<'a>(svg: &'a str, class: &str) -> Vec<&'a str> {
    let key = format!("class=\"{class}\"");
    svg.match_indices(&key)
        .map(|(i, _)| {
            let start = svg[..i].rfind('<').unwrap();
            &svg[start..i + svg[i..].find('>').unwrap() + 1]
        })
        .collect()
}

/// The texts of `<text>` elements.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .map(|t| {
            let body = &t[t.find('>').unwrap() + 1..];
            body[..body.find("</text>").unwrap()].to_string()
        })
        .collect()
}

/// With DIMORPH_FIGURES_DIR set, the figures are also written there (to look at them).
fn dump(files: &[OutputFile]) {
    if let Ok(dir) = std::env::var("DIMORPH_FIGURES_DIR") {
        dimorph_core::output::write_all(std::path::Path::new(&dir), files, dimorph_core::Overwrite::Replace).unwrap();
    }
}

fn decode(png: &[u8]) -> image::RgbImage {
    image::load_from_memory(png).unwrap().to_rgb8()
}

fn rgb(hex: &str) -> [u8; 3] {
    let b = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap();
    [b(1), b(3), b(5)]
}

/// Some column of `img` has a vertical colour bar: the positive class's colour above the negative
/// class's, and between them no background (pure white) but the scale's near-white middle.
fn has_colour_bar(img: &image::RgbImage) -> bool {
    let (top, bottom) = (rgb(MALE), rgb(FEMALE));
    (0..img.width()).any(|x| {
        let col: Vec<[u8; 3]> = (0..img.height()).map(|y| img.get_pixel(x, y).0).collect();
        match (
            col.iter().rposition(|&p| p == top),
            col.iter().position(|&p| p == bottom),
        ) {
            (Some(a), Some(d)) if a + 20 < d => {
                let between = &col[a + 1..d];
                between.iter().all(|&p| p != [255, 255, 255]) && between.iter().any(|p| p.iter().all(|&c| c >= 230))
            }
            _ => false,
        }
    })
}

#[test]
fn per_image_maps_have_a_colour_bar_in_logit_units() {
    let ds = data();
    let ev = evidence(&ds);
    let files = figures::map_files(&ds, &ev, Q, 2.5, 3).unwrap();
    dump(&files);
    let maps: Vec<&OutputFile> = files.iter().filter(|f| f.name.starts_with("maps/")).collect();
    assert_eq!(maps.len(), 3);
    for f in maps {
        let img = decode(&f.bytes);
        // The image and its map at 192 px or more each, the colour bar and its labels beside them.
        assert!(
            img.width() >= 2 * 192 + 40 && img.height() >= 192,
            "{}x{}",
            img.width(),
            img.height()
        );
        assert!(has_colour_bar(&img), "{}: no colour bar", f.name);
        // Title, tick labels, class names and clip are drawn in ink (dark grey) and in the class colours.
        let dark = img.pixels().filter(|p| p.0 == [26, 26, 26]).count();
        assert!(dark > 300, "{}: {dark} ink pixels", f.name);
    }
    // The averages (one per class) carry the colour bar too.
    for name in ["average_female.png", "average_male.png"] {
        assert!(has_colour_bar(&decode(&file(&files, name).bytes)), "{name}");
    }
}

/// The correctly classified images' mean map of class `t`.
fn mean_map(ev: &[ImageEvidence], t: usize) -> Vec<f64> {
    let sel: Vec<&ImageEvidence> = ev.iter().filter(|e| e.target == t && e.predicted == t).collect();
    let mut m = vec![0.0; sel[0].map.len()];
    for e in &sel {
        for (a, b) in m.iter_mut().zip(&e.map) {
            *a += b / sel.len() as f64;
        }
    }
    m
}

#[test]
fn figure2_puts_both_classes_on_one_scale_with_the_average_images_below() {
    let ds = data();
    let ev = evidence(&ds);
    let files = figures::map_files(&ds, &ev, Q, 2.0, 0).unwrap();
    let svg = text(file(&files, "figure2.svg"));
    assert_well_formed(&svg);
    // The common scale: the largest |mean patch logit| of either class (here the male maps' +2.5).
    let common = [0, 1]
        .iter()
        .flat_map(|&t| mean_map(&ev, t))
        .fold(0.0f64, |a, b| a.max(b.abs()));
    assert!((common - 2.5).abs() < 1e-9, "{common}");
    let avg = tags(&svg, "average-map");
    assert_eq!(avg.len(), 2);
    let classes: Vec<&str> = avg.iter().map(|t| attr(t, "data-class").unwrap()).collect();
    assert_eq!(classes, ["female", "male"]);
    for t in &avg {
        let lo: f64 = attr(t, "data-min").unwrap().parse().unwrap();
        let hi: f64 = attr(t, "data-max").unwrap().parse().unwrap();
        assert_eq!((lo, hi), (-common, common), "{t}");
        assert!(attr(t, "href").unwrap().starts_with("data:image/png;base64,"));
    }
    // The averaged images below the maps, the typical examples above.
    let images = tags(&svg, "average-image");
    assert_eq!(images.len(), 2);
    let y = |t: &str| attr(t, "y").unwrap().parse::<f64>().unwrap();
    assert!(y(images[0]) > y(avg[0]) && y(avg[0]) > y(tags(&svg, "example-map")[0]));
    // Two colour bars in logit units: the examples' clip and the averages' common scale.
    let bars = tags(&svg, "colour-bar");
    assert_eq!(bars.len(), 2);
    let ranges: Vec<(&str, &str)> = bars
        .iter()
        .map(|t| (attr(t, "data-min").unwrap(), attr(t, "data-max").unwrap()))
        .collect();
    assert_eq!(ranges, [("-2", "2"), ("-2.5", "2.5")]);
    assert!(bars.iter().all(|t| attr(t, "data-unit") == Some("logit")));
    let words = texts(&svg);
    for w in [
        "logit",
        "male",
        "female",
        "clip ±2",
        "clip ±2.5",
        "+2.5",
        "-2.5",
        "+1",
        "0",
    ] {
        assert!(words.iter().any(|t| t == w), "{w} not among {words:?}");
    }
    // Each class's captions in its colour.
    assert!(
        svg.contains(&format!("fill=\"{MALE}\">male (n = ")),
        "male caption colour"
    );
    assert!(
        svg.contains(&format!("fill=\"{FEMALE}\">female (n = ")),
        "female caption colour"
    );
}

/// At most `digits` significant digits in every number of `s`.
fn max_significant_digits(s: &str) -> usize {
    s.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter(|t| t.chars().any(|c| c.is_ascii_digit()))
        .map(|t| {
            t.trim_start_matches(['0', '.'])
                .chars()
                .filter(char::is_ascii_digit)
                .count()
        })
        .max()
        .unwrap_or(0)
}

#[test]
fn figure4_writes_thresholds_short_and_colours_each_class_as_the_maps_do() {
    let ds = data();
    let ev = evidence(&ds);
    let files = figures::kde_files(&ds.classes, &ev, 34.444969177246094);
    dump(&files);
    for name in ["kde_positive.svg", "kde_negative.svg"] {
        let svg = text(file(&files, name));
        assert_well_formed(&svg);
        let labels: Vec<String> = texts(&svg).into_iter().filter(|t| t.contains("logit &")).collect();
        assert!(!labels.is_empty(), "{name}");
        for l in &labels {
            assert!(max_significant_digits(l) <= 4, "{name}: {l}");
        }
        assert!(labels.iter().any(|l| l.contains("34.44")), "{labels:?}");
        // Points and shading of each class in its colour; the legend names both.
        assert!(svg.contains(&format!("fill=\"{MALE}\"")), "{name}: male colour");
        assert!(svg.contains(&format!("fill=\"{FEMALE}\"")), "{name}: female colour");
        let words = texts(&svg);
        assert!(words.iter().any(|t| t.starts_with("male (")), "{words:?}");
        assert!(words.iter().any(|t| t.starts_with("female (")), "{words:?}");
    }
    // The same colours in the colour scale of the maps and the t-SNE.
    assert_eq!(dimorph_embed::plot::diverging(1.0), MALE);
    assert_eq!(dimorph_embed::plot::diverging(-1.0), FEMALE);
    assert_eq!(dimorph_bagnet::evidence::palette::class_colour(1, 2), MALE);
    assert_eq!(dimorph_bagnet::evidence::palette::class_colour(0, 2), FEMALE);
}

/// Patches in two groups: those of the left half of each map carry features near one point and a
/// positive logit in male images, those of the right half features near another point and a
/// negative logit; a third group in between is weak.
fn patches(ds: &Dataset, ev: &[ImageEvidence]) -> Patches {
    let dim = 6;
    let mut p = Patches {
        dim,
        x: Vec::new(),
        image: Vec::new(),
        pos: Vec::new(),
        logit: Vec::new(),
        class: Vec::new(),
    };
    let mut rng = dimorph_core::rng::Rng::new(5);
    for e in ev.iter().filter(|e| e.target == e.predicted) {
        for q in 0..e.map.len() {
            let (r, c) = (q / e.side, q % e.side);
            let group = c * 3 / e.side;
            let centre = [[5.0, 0.0, 0.0], [0.0, 5.0, 0.0], [0.0, 0.0, 5.0]][group];
            for f in 0..dim {
                p.x.push((centre[f % 3] + rng.normal()) as f32);
            }
            p.image.push(e.index);
            p.pos.push((r, c));
            let sign = [2.0, 0.1, -2.0][group];
            p.logit.push(sign + 0.1 * rng.normal() + 0.3 * e.target as f64);
            p.class.push(ds.targets[e.index]);
        }
    }
    p
}

#[test]
fn figure3_shows_exemplar_crops_and_class_fractions_per_cluster() {
    let ds = data();
    let ev = evidence(&ds);
    let p = patches(&ds, &ev);
    let f = figure3::figure3(&ds, &p, Q, &TsneSettings::default())
        .unwrap()
        .expect("enough patches");
    dump(&[OutputFile::text("figure3.svg", f.svg.clone())]);
    assert_well_formed(&f.svg);
    let clusters = tags(&f.svg, "cluster");
    assert_eq!(clusters.len(), 4);
    for c in &clusters {
        let name = attr(c, "data-cluster").unwrap();
        let fr: Vec<(String, f64)> = attr(c, "data-fractions")
            .unwrap()
            .split(';')
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap();
                (k.to_string(), v.parse().unwrap())
            })
            .collect();
        let sum: f64 = fr.iter().map(|x| x.1).sum();
        assert!((sum - 1.0).abs() < 1e-12, "cluster {name}: {fr:?}");
        // Two exemplar crops per class present in the cluster.
        let crops: Vec<&str> = tags(&f.svg, "exemplar")
            .into_iter()
            .filter(|t| attr(t, "data-cluster") == Some(name))
            .collect();
        assert_eq!(crops.len(), 2 * fr.len(), "cluster {name}");
        for (class, _) in &fr {
            assert_eq!(crops.iter().filter(|t| attr(t, "data-class") == Some(class)).count(), 2);
        }
        assert!(crops
            .iter()
            .all(|t| attr(t, "href").unwrap().starts_with("data:image/png;base64,")));
    }
    // The positive clusters (a, b) first, with the highest mean logit; the negative ones last.
    let means: Vec<f64> = f.summary.clusters.iter().map(|c| c.mean_value.unwrap()).collect();
    assert!(means[0] > 1.0 && means[3] < -1.0, "{means:?}");
    // Each crop as a PNG file: the q×q window of its patch.
    assert_eq!(f.crops.len(), tags(&f.svg, "exemplar").len());
    for c in &f.crops {
        let img = decode(&c.bytes);
        assert_eq!((img.width() as usize, img.height() as usize), (Q, Q), "{}", c.name);
    }
    // The fraction bars in the class colours; the scatter on the logit scale with its legend.
    assert!(f.svg.contains("class=\"fraction\""));
    assert!(tags(&f.svg, "fraction").iter().all(|t| {
        let fill = attr(t, "fill").unwrap();
        fill == MALE || fill == FEMALE
    }));
    assert!(texts(&f.svg).iter().any(|t| t.starts_with("patch logit")));
}

#[test]
fn figure3_patch_features_come_from_the_model() {
    let ds = data();
    let ev = evidence(&ds);
    let model = BagNetConfig::new(Arch::BagNet17, 1)
        .with_width(0.0625)
        .init_seeded_cpu(1);
    let s = TsneSettings {
        max_patches: 100,
        ..Default::default()
    };
    let p = on_cpu::collect_patches(&model, &ds, &ev, &s).unwrap();
    let correct = ev.iter().filter(|e| e.target == e.predicted).count();
    // At most max_patches: an equal sample per correctly classified image.
    assert_eq!(p.image.len(), correct * (100 / correct));
    assert_eq!(p.x.len(), p.image.len() * p.dim);
    assert_eq!(p.dim, 2048 / 16);
    // Each patch's logit is its map's value.
    for i in 0..p.image.len() {
        let e = ev.iter().find(|e| e.index == p.image[i]).unwrap();
        assert_eq!(p.logit[i], e.map[p.pos[i].0 * e.side + p.pos[i].1]);
    }
}

#[test]
fn explain_with_tsne_writes_every_figure() {
    use dimorph_bagnet::pipeline::{ExplainOptions, ExplainSet};
    use dimorph_bagnet::train::{self, OptimKind, TrainOptions};
    let ds = synth::dataset(&SynthOptions {
        n: 80,
        size: 48,
        effect: 0.35,
        seed: 2,
    });
    let run = dimorph_core::scratch::ScratchPath::new("dimorph-bagnet-figures", "run").unwrap();
    let opt = TrainOptions {
        arch: Arch::BagNet9,
        width: 0.0625,
        size: 48,
        batch: 8,
        lr: 0.003,
        head_epochs: 0,
        epochs: 1,
        optimizer: OptimKind::Adam,
        ..Default::default()
    };
    train::train_cpu(&ds, &opt, &run, false, &mut train::Silent, &Default::default()).unwrap();
    let (model, meta) = on_cpu::load_model(&run.join("best")).unwrap();
    drop(run);
    let idx: Vec<usize> = (0..ds.images.len()).collect();
    let set = ExplainSet {
        ds: &ds,
        name: "all",
        idx: &idx,
    };
    let x = ExplainOptions {
        clip: 1.0,
        threshold: 0.5,
        max_images: 2,
        tsne: true,
        ..Default::default()
    };
    let o = on_cpu::explain_model(&model, &meta, &set, &x, None).unwrap();
    dump(&o.files);
    let names: Vec<&str> = o.files.iter().map(|f| f.name.as_str()).collect();
    for f in ["figure2.svg", "kde_positive.svg", "kde_negative.svg", "figure3.svg"] {
        assert!(names.contains(&f), "{f} not among {names:?}");
        assert_well_formed(&text(file(&o.files, f)));
    }
    assert_eq!(names.iter().filter(|n| n.starts_with("maps/")).count(), 2);
    // One average per class with a correctly classified image.
    let with_correct = (0..2)
        .filter(|&t| o.result.images.iter().any(|e| e.target == t && e.predicted == t))
        .count();
    assert!(with_correct > 0);
    assert_eq!(names.iter().filter(|n| n.starts_with("average_")).count(), with_correct);
    let f3 = o.result.figure3.as_ref().expect("a Figure 3 summary");
    let crops = names.iter().filter(|n| n.starts_with("figure3/")).count();
    assert_eq!(crops, f3.clusters.iter().map(|c| c.exemplars.len()).sum::<usize>());
    assert!(crops > 0);
    for c in &f3.clusters {
        let sum: f64 = c.class_fractions.iter().map(|x| x.2).sum();
        assert!((sum - 1.0).abs() < 1e-12, "{sum}");
    }
    // The report names Figure 3 and its clusters.
    let report = o.sections[0].to_text();
    assert!(report.contains("Figure 3 (figure3.svg): t-SNE of"), "{report}");
}
