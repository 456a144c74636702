//! `--knn-recall`: on hard data (uniform points in 30 dimensions, where random-projection trees
//! split poorly) the first search falls short of 0.99, and the search is repeated with more trees
//! and rounds until the sampled recall (exact search on 1,000 points) reaches the target; the
//! recall against exact neighbours in the original features is reported next to the recall in the
//! principal components when the search ran on them (it cannot exceed what the components keep).

use dimorph_embed::rng::Rng;
use dimorph_embed::{embed, Features, KnnMethod, Params};

fn uniform(n: usize, d: usize) -> Features {
    let mut r = Rng::new(8);
    Features::from_rows(
        &(0..n)
            .map(|_| (0..d).map(|_| r.uniform()).collect())
            .collect::<Vec<_>>(),
    )
    .unwrap()
}

fn params(target: Option<f64>, pca_dims: usize) -> Params {
    Params {
        knn: KnnMethod::Approx,
        knn_recall: target,
        pca_dims,
        n_iter: 0,
        early_iter: 0,
        threads: 2,
        ..Params::default()
    }
}

#[test]
fn the_search_is_repeated_until_the_recall_reaches_the_target() {
    let x = uniform(6000, 30);
    let plain = embed(&x, &params(None, 50), &mut |_, _, _| {}).unwrap();
    let r0 = plain.knn_recall.unwrap();
    assert_eq!((plain.knn_tries, plain.knn_trees), (1, 16));
    assert!(
        plain.knn_recall_features.is_none(),
        "searched on the features themselves"
    );
    let target = 0.995;
    assert!(
        r0 < target,
        "the first search already reached {r0}: the data are too easy for this test"
    );
    let e = embed(&x, &params(Some(target), 50), &mut |_, _, _| {}).unwrap();
    let r = e.knn_recall.unwrap();
    eprintln!(
        "recall {r0:.4} with 16 trees; {r:.4} after {} searches ({} trees)",
        e.knn_tries, e.knn_trees
    );
    assert!(e.knn_tries > 1);
    assert!(
        r >= target || e.knn_tries == dimorph_embed::pipeline::MAX_KNN_TRIES,
        "{r}"
    );
    assert!(r > r0);
}

#[test]
fn recall_in_the_original_features_is_reported_after_pca() {
    let x = uniform(6000, 30);
    let e = embed(&x, &params(None, 10), &mut |_, _, _| {}).unwrap();
    let (pc, feat) = (e.knn_recall.unwrap(), e.knn_recall_features.unwrap());
    eprintln!("recall in 10 PCs {pc:.4}, in the 30 features {feat:.4}");
    // 10 of 30 equally important directions: the PC neighbours are far from the true ones
    assert!(feat < pc && feat < 0.7, "{feat} vs {pc}");
    assert!(e.knn_recall_features_sample > 0);
}
