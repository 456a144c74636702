//! End-to-end properties of the pipeline: determinism with a seed, the approximate-neighbour path
//! with a reported recall, Gaussian affinities, random initialisation, and the outputs.
//! These use 100 + 100 iterations instead of 250 + 500 (they check behaviour, not final quality;
//! the quality tests in opentsne_peer.rs use the full schedule).

use dimorph_embed::output::{write_csv, write_parquet, Extra};
use dimorph_embed::rng::Rng;
use dimorph_embed::{embed, AffinityKind, Features, GradientMethod, Init, KnnMethod, Params};

fn mixture(n: usize, d: usize, seed: u64) -> (Features, Vec<usize>) {
    let mut rng = Rng::new(seed);
    let centres: Vec<Vec<f64>> = (0..4).map(|_| (0..d).map(|_| rng.normal() * 6.0).collect()).collect();
    let lab: Vec<usize> = (0..n).map(|i| i % 4).collect();
    let rows: Vec<Vec<f64>> = lab
        .iter()
        .map(|&c| centres[c].iter().map(|m| m + rng.normal()).collect())
        .collect();
    (Features::from_rows(&rows).unwrap(), lab)
}

fn quick() -> Params {
    Params {
        early_iter: 100,
        n_iter: 100,
        ..Params::default()
    }
}

#[test]
fn same_seed_same_embedding_and_clusters_separate() {
    let (x, lab) = mixture(600, 8, 1);
    let a = embed(&x, &quick(), &mut |_, _, _| {}).unwrap();
    let b = embed(&x, &quick(), &mut |_, _, _| {}).unwrap();
    assert_eq!(a.y, b.y);
    let q = dimorph_embed::metrics::quality(&x, &a.y, Some(&lab), 10, 600, 1, 2);
    assert_eq!(q.knn_accuracy, Some(1.0));
    assert!(q.silhouette.unwrap() > 0.5, "{q:?}");
}

#[test]
fn approximate_neighbours_after_pca_report_recall() {
    let (x, lab) = mixture(3000, 60, 2);
    let p = Params {
        knn: KnnMethod::Approx,
        pca_dims: 10,
        gradient: GradientMethod::Fft,
        ..quick()
    };
    let e = embed(&x, &p, &mut |_, _, _| {}).unwrap();
    assert_eq!(e.knn_method, KnnMethod::Approx);
    assert_eq!(e.knn_dims, 10);
    assert_eq!(e.exact_iterations, 0);
    let r = e.knn_recall.unwrap();
    assert!(r > 0.95, "recall {r}");
    assert_eq!(e.knn_recall_sample, 1000);
    let q = dimorph_embed::metrics::quality(&x, &e.y, Some(&lab), 10, 500, 1, 2);
    assert!(q.knn_accuracy.unwrap() > 0.99, "{q:?}");
}

#[test]
fn gaussian_affinities_random_init_and_outputs() {
    let (x, _) = mixture(400, 5, 3);
    let p = Params {
        affinity: AffinityKind::Gaussian { perplexity: 30.0 },
        init: Init::Random,
        ..quick()
    };
    let e = embed(&x, &p, &mut |_, _, _| {}).unwrap();
    assert!(e.y.iter().all(|c| c[0].is_finite() && c[1].is_finite()));
    assert!(e.kl_divergence.is_finite() && e.kl_divergence > 0.0);
    let dir = dimorph_core::ScratchDir::new("dimorph-embed-test").unwrap();
    let extras = vec![
        Extra::Num(
            "logit".into(),
            (0..400)
                .map(|i| if i == 3 { f64::NAN } else { i as f64 / 10.0 })
                .collect(),
        ),
        Extra::Text("img, id".into(), (0..400).map(|i| Some(format!("im{i}"))).collect()),
    ];
    write_csv(&dir.join("e.csv"), &e.y, &extras).unwrap();
    let f = dimorph_data::read_csv(dir.join("e.csv")).unwrap();
    assert_eq!(f.names(), vec!["row", "tsne1", "tsne2", "logit", "img, id"]);
    assert_eq!(f.numeric("tsne1").unwrap()[6], e.y[6][0]);
    assert!(f.numeric("logit").unwrap()[3].is_nan());
    write_parquet(&dir.join("e.parquet"), &e.y, &extras).unwrap();
    let g = dimorph_data::read_parquet(dir.join("e.parquet")).unwrap();
    assert_eq!(g.numeric("tsne2").unwrap()[399], e.y[399][1]);
    assert_eq!(g.numeric("row").unwrap()[0], 1.0);
    assert!(g.numeric("logit").unwrap()[3].is_nan());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_single_feature_still_embeds_in_two_dimensions() {
    let rows: Vec<Vec<f64>> = (0..200)
        .map(|i| vec![(i % 2) as f64 * 10.0 + (i as f64 * 0.37).sin()])
        .collect();
    let x = Features::from_rows(&rows).unwrap();
    let e = embed(&x, &quick(), &mut |_, _, _| {}).unwrap();
    let spread = |c: usize| {
        let m = e.y.iter().map(|p| p[c]).sum::<f64>() / 200.0;
        e.y.iter().map(|p| (p[c] - m).powi(2)).sum::<f64>()
    };
    assert!(spread(0) > 0.0 && spread(1) > 0.0);
    let lab: Vec<usize> = (0..200).map(|i| i % 2).collect();
    let q = dimorph_embed::metrics::quality(&x, &e.y, Some(&lab), 10, 200, 1, 2);
    assert_eq!(q.knn_accuracy, Some(1.0));
}
