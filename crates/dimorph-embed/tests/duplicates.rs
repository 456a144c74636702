//! Duplicated points (issue 17; flat-background patches are exact duplicates): half the rows are
//! copies of one row. The PCA initialisation starts every copy at the same scores; without the
//! jitter openTSNE adds (1% of the first coordinate's standard deviation) they stayed stuck
//! together and dragged the layout (10-NN preservation of the distinct rows 0.16 against
//! openTSNE's 0.31 in the check). The reference here is the same engine started at random
//! (`--init random`, which never had the defect: 0.35 in the issue): the PCA start must reach at
//! least 90% of it. The neighbour graph reports the duplicates it saw.

use dimorph_embed::metrics::quality;
use dimorph_embed::rng::Rng;
use dimorph_embed::{embed, Features, Init, KnnMethod, Params};

/// 2000 rows × 20 columns: rows 0..1000 copies of one point, the rest from 10 Gaussian clusters.
fn data() -> Vec<Vec<f64>> {
    let mut r = Rng::new(11);
    let centres: Vec<Vec<f64>> = (0..10).map(|_| (0..20).map(|_| r.normal() * 3.0).collect()).collect();
    let copy: Vec<f64> = (0..20).map(|_| r.normal()).collect();
    (0..2000)
        .map(|i| {
            if i < 1000 {
                copy.clone()
            } else {
                centres[i % 10].iter().map(|c| c + r.normal()).collect()
            }
        })
        .collect()
}

fn distinct_preservation(init: Init, knn: KnnMethod) -> (f64, usize) {
    let rows = data();
    let x = Features::from_rows(&rows).unwrap();
    let p = Params {
        init,
        knn,
        threads: 2,
        ..Params::default()
    };
    let e = embed(&x, &p, &mut |_, _, _| {}).unwrap();
    let distinct = Features::from_rows(&rows[1000..]).unwrap();
    let q = quality(&distinct, &e.y[1000..], None, 10, 1000, 1, 2).knn_preservation;
    (q, e.duplicate_points)
}

#[test]
fn duplicated_rows_do_not_hold_the_pca_start_back() {
    let (random, dup_r) = distinct_preservation(Init::Random, KnnMethod::Exact);
    let (pca, dup_p) = distinct_preservation(Init::Pca, KnnMethod::Exact);
    eprintln!("10-NN preservation of the distinct rows: pca {pca:.3}, random {random:.3}");
    assert!(pca >= 0.9 * random, "pca {pca} against random {random}");
    assert_eq!((dup_r, dup_p), (1000, 1000));
    // the approximate search sees the same duplicates
    let (approx, dup_a) = distinct_preservation(Init::Pca, KnnMethod::Approx);
    eprintln!("approximate search: {approx:.3}");
    assert!(approx >= 0.9 * random, "approx {approx} against random {random}");
    assert_eq!(dup_a, 1000);
}
