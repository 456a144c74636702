//! Acceptance: on data with known structure, dimorph's kNN preservation and cluster separation are
//! no worse than openTSNE's with the same settings, and α = 0.5 separates clusters more than α = 1.
//!
//! Peer figures: openTSNE 1.0.4 (scikit-learn 1.9.1, numpy 2.4.6), printed by
//! `tests/reference/opentsne_reference.py` (uniform affinities over 15 exact neighbours, PCA
//! initialisation, FFT gradients, early exaggeration 12 × 250 iterations, 500 more, learning rate
//! "auto", `dof` = α), mean over seeds 1–3 (openTSNE's PCA initialisation adds seeded jitter).
//! The metrics are defined identically on both sides (k = 10, kNN preservation in the input space,
//! mean silhouette with Euclidean distances in the embedding, leave-one-out 10-NN accuracy).
//!
//! Tolerances: 0.01 for kNN preservation and 0.02 for the silhouette — the spread of openTSNE's own
//! figures over its three seeds (digits α = 1: silhouette 0.5775–0.5970) — and 0.003 (5 of 1,797
//! points) for the accuracy. These tests run the full 750-iteration schedule (a few seconds each
//! with the crate optimised in debug builds).
//!
//! The digits are embedded once, by the embed demo (`dimorph_embed::demo::run`, whose two runs are
//! exactly `digits_run` with the default parameters for α = 1 and α = 0.5), and its outcome — the
//! short summary, the section and the quality table — is checked on that same run: the demo's
//! embeddings used to be computed again in a test of their own (`outcome.rs`).

use dimorph_embed::demo::{digits_run, DemoResult};
use dimorph_embed::input::features_from_frame;
use dimorph_embed::metrics::Quality;
use dimorph_embed::{Features, Params};
use dimorph_report::Outcome;
use std::path::Path;

/// (kNN preservation, silhouette, 10-NN accuracy) of openTSNE.
struct Peer {
    pres: f64,
    sil: f64,
    acc: f64,
}

// digits alpha=1.0: knn_preservation [0.5449, 0.5432, 0.5401]; silhouette [0.5924, 0.597, 0.5775]; knn_accuracy [0.9822, 0.9811, 0.9827]
const DIGITS_A1: Peer = Peer {
    pres: 0.5427,
    sil: 0.5890,
    acc: 0.9820,
};
// digits alpha=0.5: knn_preservation [0.515, 0.5151, 0.5156]; silhouette [0.6536, 0.6487, 0.6524]; knn_accuracy [0.9822, 0.9816, 0.9816]
const DIGITS_A05: Peer = Peer {
    pres: 0.5152,
    sil: 0.6516,
    acc: 0.9818,
};
// gmm alpha=1.0: knn_preservation [0.3504, 0.3507, 0.3514]; silhouette [0.8303, 0.8317, 0.8265]; knn_accuracy [1.0, 1.0, 1.0]
const GMM_A1: Peer = Peer {
    pres: 0.3508,
    sil: 0.8295,
    acc: 1.0,
};
// gmm alpha=0.5: knn_preservation [0.3488, 0.3516, 0.3551]; silhouette [0.9069, 0.906, 0.9063]; knn_accuracy [1.0, 1.0, 1.0]
const GMM_A05: Peer = Peer {
    pres: 0.3518,
    sil: 0.9064,
    acc: 1.0,
};

fn check(name: &str, q: &Quality, peer: &Peer) {
    let (sil, acc) = (q.silhouette.unwrap(), q.knn_accuracy.unwrap());
    eprintln!(
        "{name}: dimorph preservation {:.4} silhouette {sil:.4} accuracy {acc:.4}; openTSNE {:.4} {:.4} {:.4}",
        q.knn_preservation, peer.pres, peer.sil, peer.acc
    );
    assert!(
        q.knn_preservation >= peer.pres - 0.01,
        "{name}: kNN preservation {} < openTSNE {}",
        q.knn_preservation,
        peer.pres
    );
    assert!(
        sil >= peer.sil - 0.02,
        "{name}: silhouette {sil} < openTSNE {}",
        peer.sil
    );
    assert!(
        acc >= peer.acc - 0.003,
        "{name}: accuracy {acc} < openTSNE {}",
        peer.acc
    );
}

fn root() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run_both(name: &str, x: &Features, labels: &[String], a1: &Peer, a05: &Peer) {
    let (_, q1) = digits_run(x, labels, 1.0, &Params::default()).unwrap();
    let (_, q05) = digits_run(x, labels, 0.5, &Params::default()).unwrap();
    check_both(name, &q1, &q05, a1, a05);
}

/// Both α against the peer, and α = 0.5 separating the clusters more than α = 1.
fn check_both(name: &str, q1: &Quality, q05: &Quality, a1: &Peer, a05: &Peer) {
    check(&format!("{name} α = 1"), q1, a1);
    check(&format!("{name} α = 0.5"), q05, a05);
    // the heavier tail separates clusters more (as it does for openTSNE: a05.sil > a1.sil)
    assert!(a05.sil > a1.sil);
    assert!(
        q05.silhouette.unwrap() > q1.silhouette.unwrap() + 0.02,
        "{name}: α = 0.5 silhouette {:?} vs α = 1 {:?}",
        q05.silhouette,
        q1.silhouette
    );
}

/// The digits through the demo: its two runs against openTSNE, then the demo's outcome.
#[test]
fn digits_against_opentsne() {
    let out = dimorph_embed::demo::run(&root().join("data")).unwrap();
    assert_eq!((out.result.points, out.result.features), (1797, 61));
    let runs = &out.result.runs;
    assert_eq!(runs.iter().map(|r| r.alpha).collect::<Vec<_>>(), [1.0, 0.5]);
    check_both("digits", &runs[0].quality, &runs[1].quality, &DIGITS_A1, &DIGITS_A05);
    demo_gives_a_short_summary_and_the_full_section(&out);
}

/// The demo's outcome: a short summary, the full section and the quality table.
fn demo_gives_a_short_summary_and_the_full_section(out: &Outcome<DemoResult>) {
    assert!(out.summary.len() <= 12, "{:?}", out.summary);
    assert!(
        out.summary.iter().all(|l| l.chars().count() <= 100),
        "{:?}",
        out.summary
    );
    assert_eq!(out.sections.len(), 1);
    let figures = out.sections[0]
        .blocks
        .iter()
        .filter(|b| matches!(b, dimorph_report::Block::Figure { .. }))
        .count();
    assert_eq!(figures, 2);
    // the summary carries the same figures as the quality table
    let q = &out.tables[0];
    assert_eq!(q.name, "embed_quality");
    assert_eq!(q.rows.len(), 2);
    for run in &out.result.runs {
        let pres = format!("kNN preservation {:.3}", run.quality.knn_preservation);
        assert!(
            out.summary.iter().any(|l| l.contains(&pres)),
            "{pres}: {:?}",
            out.summary
        );
    }
}

#[test]
fn gaussian_mixture_against_opentsne() {
    let f = dimorph_data::read_csv(root().join("crates/dimorph-embed/tests/reference/gmm.csv")).unwrap();
    let (x, _) = features_from_frame(&f, &["f*".to_string()]).unwrap();
    let labels: Vec<String> = f.numeric("component").unwrap().iter().map(|v| v.to_string()).collect();
    assert_eq!((x.n, x.d), (1500, 10));
    run_both("mixture", &x, &labels, &GMM_A1, &GMM_A05);
}
