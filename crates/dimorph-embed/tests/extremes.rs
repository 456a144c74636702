//! Finite but extreme feature values (issue 17): magnitudes 1e20 to 1e308 and 1e-30 to 1e-300,
//! in several columns and in a single one, embed without panic and without refusal — the table's
//! features are centred and scaled by a power of two ([`dimorph_embed::input::Scaling`]), the
//! library's f32 features scaled exactly ([`Features::scaled_for_distances`]) — and keep the
//! neighbourhoods of the same data at unit scale (10-NN preservation, measured against the unit-
//! scale features, above 0.6 on three well-separated clusters; the same threshold the unit-scale
//! run itself passes).

use dimorph_embed::metrics::quality;
use dimorph_embed::{embed, run, EmbedOptions, Features, Params};

/// 90 points in three clusters, `d` columns, every value multiplied by `scale` (plus an offset of
/// `offset · scale` on the first column).
fn rows(d: usize, scale: f64, offset: f64) -> Vec<Vec<f64>> {
    let mut r = dimorph_embed::rng::Rng::new(5);
    (0..90)
        .map(|i| {
            (0..d)
                .map(|j| {
                    let centre = if j == i % 3 || (d == 1 && i % 3 == 1) {
                        6.0 * (i % 3) as f64
                    } else {
                        0.0
                    };
                    let v = centre + r.normal();
                    (v + if j == 0 { offset } else { 0.0 }) * scale
                })
                .collect()
        })
        .collect()
}

fn csv(rows: &[Vec<f64>]) -> String {
    let d = rows[0].len();
    let mut s = (1..=d).map(|j| format!("f{j}")).collect::<Vec<_>>().join(",") + "\n";
    for r in rows {
        s += &(r.iter().map(|v| format!("{v:e}")).collect::<Vec<_>>().join(",") + "\n");
    }
    s
}

fn options() -> EmbedOptions {
    EmbedOptions {
        features: vec!["f*".into()],
        knn: Some(10),
        iter: 200,
        early_iter: 100,
        threads: Some(1),
        ..EmbedOptions::default()
    }
}

fn preservation(unit: &[Vec<f64>], y: &[[f64; 2]]) -> f64 {
    let x = Features::from_rows(unit).unwrap();
    quality(&x, y, None, 10, 1000, 1, 1).knn_preservation
}

#[test]
fn extreme_magnitudes_in_a_table_embed_like_unit_scale_data() {
    for d in [3, 1] {
        let unit = rows(d, 1.0, 0.0);
        let base = {
            let f = dimorph_data::read_csv_bytes("t.csv", csv(&unit).as_bytes()).unwrap();
            let out = run(&f, &options(), &mut |_, _, _| {}).unwrap();
            assert!(out.result.features.scaling.is_none());
            preservation(&unit, &out.result.embedding.y)
        };
        assert!(base > 0.6, "unit scale, d = {d}: {base}");
        for (scale, offset) in [
            (1e20, 0.0),
            (1e25, 3.0),
            (1e29, 0.0),
            (1e40, 0.0),
            (1e300, 1.0),
            (1e-30, 0.0),
            (1e-300, 0.0),
        ] {
            let data = rows(d, scale, offset);
            let f = dimorph_data::read_csv_bytes("t.csv", csv(&data).as_bytes()).unwrap();
            let out =
                run(&f, &options(), &mut |_, _, _| {}).unwrap_or_else(|e| panic!("d = {d}, scale {scale:e}: {e}"));
            let e = &out.result.embedding;
            assert!(e.y.iter().flatten().all(|v| v.is_finite()) && e.kl_divergence.is_finite());
            assert!(out.result.features.scaling.is_some(), "scale {scale:e}");
            let p = preservation(&unit, &e.y);
            assert!(
                p > 0.6,
                "d = {d}, scale {scale:e}: preservation {p} (unit scale {base})"
            );
        }
    }
}

#[test]
fn large_f32_features_given_to_the_library_embed_and_beyond_f32_are_refused_by_name() {
    let unit = rows(3, 1.0, 0.0);
    let p = Params {
        affinity: dimorph_embed::AffinityKind::Uniform { k: 10 },
        n_iter: 100,
        early_iter: 50,
        threads: 1,
        ..Params::default()
    };
    for scale in [1e20, 1e29, 1e37] {
        let x = Features::from_rows(&rows(3, scale, 0.0)).unwrap();
        let e = embed(&x, &p, &mut |_, _, _| {}).unwrap_or_else(|e| panic!("scale {scale:e}: {e}"));
        assert!(e.y.iter().flatten().all(|v| v.is_finite()));
        let q = preservation(&unit, &e.y);
        assert!(q > 0.6, "scale {scale:e}: preservation {q}");
    }
    let mut big = rows(3, 1.0, 0.0);
    big[1][1] = 1e40;
    let e = Features::from_rows(&big).unwrap_err().to_string();
    assert!(
        e.contains("row 2 column 2: the value 1e40 is beyond single precision"),
        "{e}"
    );
}
