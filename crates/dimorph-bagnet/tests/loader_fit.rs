//! Aspect ratio (`--fit`): a 60×30 image becomes its central 30×30 square (crop), all of it centred
//! on black (pad) or a squashed square (stretch); planted circles follow the crop; the fundus mask
//! warns when it blacks out content, and images enlarged more than twice are named.

use crate::loader;

use dimorph_bagnet::data;
use dimorph_bagnet::image::{prepare, Fit};

/// 60×30: red = 4·x, green = 8·y, blue 200.
fn wide(path: &std::path::Path) {
    image::RgbImage::from_fn(60, 30, |x, y| image::Rgb([(4 * x) as u8, (8 * y) as u8, 200]))
        .save(path)
        .unwrap();
}

#[test]
fn crop_pad_and_stretch() {
    let dir = loader::tmp("fit");
    let f = dir.join("wide.png");
    wide(&f);
    // Crop at 30 px: columns 15..45 unchanged.
    let c = prepare(&f, 30, Fit::Crop, false).unwrap();
    assert_eq!((c.scale, c.offset), (1.0, [15.0, 0.0]));
    for y in 0..30 {
        for x in 0..30 {
            let k = (y * 30 + x) * 3;
            assert_eq!(&c.bytes[k..k + 3], &[(4 * (x + 15)) as u8, (8 * y) as u8, 200]);
        }
    }
    // Pad at 60 px: the image in rows 15..45, black above and below.
    let p = prepare(&f, 60, Fit::Pad, false).unwrap();
    assert_eq!((p.scale, p.offset), (1.0, [0.0, -15.0]));
    for y in 0..60 {
        for x in 0..60 {
            let k = (y * 60 + x) * 3;
            let want = if (15..45).contains(&y) {
                [(4 * x) as u8, (8 * (y - 15)) as u8, 200]
            } else {
                [0, 0, 0]
            };
            assert_eq!(&p.bytes[k..k + 3], &want, "({x}, {y})");
        }
    }
    // Stretch at 30 px: width halved, height kept; the old behaviour (scale from the width).
    let s = prepare(&f, 30, Fit::Stretch, false).unwrap();
    assert_eq!((s.scale, s.offset), (0.5, [0.0, 0.0]));
    let row = |y: usize| (0..30).map(|x| s.bytes[(y * 30 + x) * 3 + 1]).collect::<Vec<u8>>();
    assert!(
        row(10).iter().all(|&g| g == 80),
        "green follows y unscaled: {:?}",
        row(10)
    );
    assert!(s.bytes[(10 * 30 + 29) * 3] > 200, "red reaches the right edge");
    // Halved pad: 60×30 into 30 px, centred (rows 7.5 → 7..22).
    let h = prepare(&f, 30, Fit::Pad, false).unwrap();
    assert_eq!(h.scale, 0.5);
    assert_eq!(h.offset, [0.0, -7.0 / 0.5]);
    assert!(h.bytes[..30 * 7 * 3].iter().all(|&v| v == 0));
    assert!(h.bytes[30 * 22 * 3..].iter().all(|&v| v == 0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn planted_circles_follow_the_crop() {
    let dir = loader::tmp("planted");
    std::fs::create_dir_all(dir.join("img")).unwrap();
    wide(&dir.join("img/w.png"));
    let csv = dir.join("labels.csv");
    std::fs::write(
        &csv,
        "path,subject,label,planted_x,planted_y,planted_r\nw.png,s,a,30,15,4\n",
    )
    .unwrap();
    let open = |fit| {
        data::open(
            loader::rows(&dir, &csv),
            &loader::classes(),
            data::preprocess(15, fit, false),
            &loader::opts(&dir.join("cache"), 1),
        )
        .unwrap()
    };
    // Crop: the centre (30, 15) of the stored image is the centre of the 30-px square, which
    // becomes 15 px: (15, 15) · 0.5 = (7.5, 7.5).
    let c = open(Fit::Crop);
    assert_eq!(c.scales, [0.5]);
    assert_eq!(c.rows[0].planted, [[15.0, 15.0, 4.0]]);
    // Pad: 60×30 into 15 px (scale 0.25): the image becomes 15×8 px (7.5 rounded) in rows 3..11,
    // so the stored centre row 15 lies at 3 + 15 · 8/30 = 7 model px; one scale for both axes puts
    // it at 3 + 15 · 0.25 = 6.75, within the rounding of the padded side.
    let p = open(Fit::Pad);
    assert_eq!(p.scales, [0.25]);
    let [x, y, r] = p.rows[0].planted[0];
    assert_eq!((x * 0.25, y * 0.25, r), (7.5, 6.75, 4.0));
    assert!((y * 0.25 - 7.0).abs() <= 0.5);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_mask_warns_when_it_hides_content() {
    let dir = loader::tmp("mask");
    let csv = loader::folder(&dir, 6, 32);
    let open = |mask| {
        data::open(
            loader::rows(&dir, &csv),
            &loader::classes(),
            data::preprocess(32, Fit::Crop, mask),
            &loader::opts(&dir.join("cache"), 2),
        )
        .unwrap()
    };
    let masked = open(true);
    assert_eq!(masked.images.stats().mask_hid_content, 6);
    let w = masked.images.warnings();
    assert!(w.len() == 1 && w[0].contains("6 of 6 images"), "{w:?}");
    assert!(masked.images.get(0).unwrap().data[..3].iter().all(|&v| v == 0.0));
    let plain = open(false);
    assert!(plain.images.warnings().is_empty());
    assert!(plain.images.get(0).unwrap().data[..3].iter().any(|&v| v > 0.0));
    // Synthetic fundus images (dark outside the disc, as the demo's) raise no warning.
    let synth = dimorph_bagnet::synth::write_dataset(
        &dimorph_bagnet::synth::SynthOptions {
            n: 8,
            size: 48,
            effect: 0.3,
            seed: 2,
        },
        &dir.join("fundus"),
    )
    .unwrap();
    let rows = data::read_labels(&synth, &dir.join("fundus")).unwrap();
    let classes = data::classes(&rows);
    let fundus = data::open(
        rows,
        &classes,
        data::preprocess(48, Fit::Crop, true),
        &loader::opts(&dir.join("c2"), 2),
    )
    .unwrap();
    assert!(fundus.images.warnings().is_empty(), "{:?}", fundus.images.warnings());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn images_enlarged_more_than_twice_are_named() {
    let dir = loader::tmp("enlarged");
    let csv = loader::folder(&dir, 6, 32);
    let open = |size, cache: &str| {
        data::open(
            loader::rows(&dir, &csv),
            &loader::classes(),
            data::preprocess(size, Fit::Crop, false),
            &loader::opts(&dir.join(cache), 2),
        )
        .unwrap()
        .images
        .warnings()
    };
    // At the images' own size, and at twice it: nothing to say.
    assert!(open(32, "c32").is_empty());
    assert!(open(64, "c64").is_empty());
    // 32 px to 100: 3.125 times; said again when the images come from the cache.
    for _ in 0..2 {
        let w = open(100, "c100");
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].starts_with("6 of 6 images were enlarged more than 2× to reach --size 100"),
            "{w:?}"
        );
        assert!(w[0].contains(".png', 3×, from about 32 px)"), "{w:?}");
    }
}

#[test]
fn eval_warns_when_the_fit_differs_from_training() {
    use dimorph_bagnet::model::Arch;
    use dimorph_bagnet::options::{EvalOptions, OptimKind, ReadOptions, TrainOptions, TrainRunOptions};
    use dimorph_bagnet::{pipeline, synth, train};
    let dir = loader::tmp("refit");
    let so = synth::SynthOptions {
        n: 16,
        size: 40,
        effect: 0.3,
        seed: 4,
    };
    let csv = synth::write_dataset(&so, &dir.join("img")).unwrap();
    let read = ReadOptions {
        fit: Fit::Pad,
        ..Default::default()
    };
    let opt = TrainRunOptions {
        train: TrainOptions {
            arch: Arch::BagNet9,
            width: 0.0625,
            size: 40,
            batch: 8,
            epochs: 1,
            optimizer: OptimKind::Adam,
            ..Default::default()
        },
        read: read.clone(),
        ..Default::default()
    };
    let run = dir.join("run");
    let o = pipeline::run_train(&dir.join("img"), &csv, &run, &opt, &mut train::Silent).unwrap();
    assert!(o.warnings.is_empty(), "{:?}", o.warnings);
    // The run's cache and its fit live in the run's folder.
    assert!(run.join(pipeline::CACHE_FOLDER).is_dir());
    assert_eq!(o.result.loader.decoded, 16);
    let eval = |read: ReadOptions| {
        pipeline::run_eval(
            &run.join("best"),
            &dir.join("img"),
            &csv,
            &EvalOptions {
                read,
                ..Default::default()
            },
        )
        .unwrap()
    };
    // Same fit: the training's cache serves every image, no warning.
    let same = eval(read);
    assert!(same.warnings.is_empty(), "{:?}", same.warnings);
    assert_eq!((same.result.loader.cache_hits, same.result.loader.decoded), (16, 0));
    assert!(
        same.summary.iter().any(|l| l.contains("images/s")),
        "{:?}",
        same.summary
    );
    // Another fit: a warning naming both.
    let other = eval(ReadOptions::default());
    assert!(
        other
            .warnings
            .iter()
            .any(|w| w.contains("--fit pad") && w.contains("--fit crop")),
        "{:?}",
        other.warnings
    );
    let _ = std::fs::remove_dir_all(&dir);
}
