//! New points placed into a saved embedding (openTSNE's transform): the model written by `run`
//! read back from its files, the training points placed onto their own positions, new points of a
//! known cluster placed into that cluster (exact search on the features, and approximate search on
//! principal components), the same result on any number of threads, and bad input refused with
//! the file, column or line named.

use dimorph_embed::rng::Rng;
use dimorph_embed::{run, run_transform, Affinity, EmbedOptions, KnnMethod, Model, TransformOptions};

/// `per` points of each of `k` clusters in `d` dimensions: centres N(0, 3²) per coordinate
/// (seeded by `centre_seed`, so that training and new data share them), points N(centre, 1).
/// Columns f1..fd and `label`.
fn mixture(k: usize, per: usize, d: usize, centre_seed: u64, seed: u64) -> String {
    let mut rc = Rng::new(centre_seed);
    let centres: Vec<Vec<f64>> = (0..k).map(|_| (0..d).map(|_| 3.0 * rc.normal()).collect()).collect();
    let mut r = Rng::new(seed);
    let mut s: String = (1..=d).map(|j| format!("f{j},")).collect::<String>() + "label\n";
    for i in 0..k * per {
        let c = i % k;
        for v in &centres[c] {
            s += &format!("{},", v + r.normal());
        }
        s += &format!("c{c}\n");
    }
    s
}

fn frame(name: &str, csv: &str) -> dimorph_data::Frame {
    dimorph_data::read_csv_bytes(name, csv.as_bytes()).unwrap()
}

fn scratch(name: &str) -> dimorph_core::ScratchDir {
    dimorph_core::ScratchDir::new(&format!("dimorph_embed_transform_{name}")).unwrap()
}

/// Embeds `f` with the model saved into a scratch folder; returns the coordinates and the model
/// read back from the files.
fn embed_and_save(f: &dimorph_data::Frame, o: EmbedOptions, name: &str) -> (Vec<[f64; 2]>, Model) {
    let out = run(
        f,
        &EmbedOptions { save_model: true, ..o },
        &mut |_: &str, _: usize, _: usize| {},
    )
    .unwrap();
    let dir = scratch(name);
    for file in &out.files {
        std::fs::write(dir.join(&file.name), &file.bytes).unwrap();
    }
    let model = Model::load(&dir).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    (out.result.embedding.y.clone(), model)
}

fn labels(f: &dimorph_data::Frame) -> Vec<String> {
    match &f.column("label").unwrap().data {
        dimorph_data::ColumnData::Text { values, .. } => values.iter().map(|v| v.clone().unwrap()).collect(),
        _ => panic!("label is text"),
    }
}

fn d2(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// Majority label among the `k` nearest reference points of each query (ties: the first in
/// order of distance).
fn knn_accuracy<P: AsRef<[f64]>>(refs: &[P], ref_labels: &[String], queries: &[P], truth: &[String], k: usize) -> f64 {
    let mut right = 0;
    for (q, t) in queries.iter().zip(truth) {
        let mut order: Vec<(f64, usize)> = refs
            .iter()
            .enumerate()
            .map(|(j, r)| (d2(q.as_ref(), r.as_ref()), j))
            .collect();
        order.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut votes: Vec<(&str, usize)> = Vec::new();
        for &(_, j) in &order[..k] {
            match votes.iter_mut().find(|v| v.0 == ref_labels[j]) {
                Some(v) => v.1 += 1,
                None => votes.push((&ref_labels[j], 1)),
            }
        }
        let best = votes.iter().map(|v| v.1).max().unwrap();
        right += usize::from(votes.iter().find(|v| v.1 == best).unwrap().0 == t);
    }
    right as f64 / queries.len() as f64
}

fn rows(f: &dimorph_data::Frame, d: usize) -> Vec<Vec<f64>> {
    let cols: Vec<&[f64]> = (1..=d).map(|j| f.numeric(&format!("f{j}")).unwrap()).collect();
    (0..f.nrows).map(|i| cols.iter().map(|c| c[i]).collect()).collect()
}

fn options() -> EmbedOptions {
    EmbedOptions {
        features: vec!["f*".into()],
        threads: Some(2),
        ..EmbedOptions::default()
    }
}

fn quiet() -> impl FnMut(&str, usize, usize) {
    |_: &str, _: usize, _: usize| {}
}

/// The training points placed into their own embedding land near their own positions. The
/// scale to compare with is the median distance r15 from a point to its 15th nearest neighbour in
/// the map: the uniform affinities spread each point's attraction over those 15, the start (their
/// mean) lies inside that ball, and a placement well inside it keeps the point among its own
/// neighbours. Bound: median displacement below r15 / 2 (measured: 0.33·r15), which is also below
/// 2% of the map's spread (root mean square distance from the centre; measured 1.6%). Every
/// placed training point is in its own cluster by 10-NN vote.
#[test]
fn training_points_land_near_their_own_positions() {
    let csv = mixture(6, 120, 10, 7, 8);
    let f = frame("train.csv", &csv);
    let (y, model) = embed_and_save(&f, options(), "self");
    let out = run_transform(&f, &model, &TransformOptions::default(), &mut quiet()).unwrap();
    let placed = &out.result.placed.y;
    assert_eq!(placed.len(), y.len());
    let mut disp: Vec<f64> = y.iter().zip(placed).map(|(a, b)| d2(a, b).sqrt()).collect();
    disp.sort_by(f64::total_cmp);
    let median = disp[disp.len() / 2];
    let n = y.len() as f64;
    let (cx, cy) = (
        y.iter().map(|p| p[0]).sum::<f64>() / n,
        y.iter().map(|p| p[1]).sum::<f64>() / n,
    );
    let spread = (y.iter().map(|p| (p[0] - cx).powi(2) + (p[1] - cy).powi(2)).sum::<f64>() / n).sqrt();
    let mut r15: Vec<f64> = y
        .iter()
        .map(|p| {
            let mut ds: Vec<f64> = y.iter().map(|q| d2(p, q)).collect();
            ds.sort_by(f64::total_cmp);
            ds[15].sqrt()
        })
        .collect();
    r15.sort_by(f64::total_cmp);
    let r15 = r15[r15.len() / 2];
    eprintln!("median displacement {median:.4}, 15-NN radius {r15:.4}, spread {spread:.3}");
    assert!(median < 0.5 * r15, "median displacement {median} vs 15-NN radius {r15}");
    assert!(
        median < 0.02 * spread,
        "median displacement {median} vs spread {spread}"
    );
    // every training point lands in its own cluster
    let lab = labels(&f);
    let acc = knn_accuracy(&y, &lab, placed, &lab, 10);
    assert_eq!(acc, 1.0);
}

/// New points of known clusters land in their clusters: the 10-NN label accuracy of the placed
/// points among the reference points in the map is at least the 10-NN accuracy in the features
/// themselves (the best the features allow) minus 0.02, and at least 0.95 — the clusters' centres
/// lie ~13 units apart against ~4.5 within, so the features separate them (near) perfectly and
/// the map does too. Checked with exact search on the features (uniform affinities) and with the
/// search on 5 principal components (Gaussian affinities, approximate search).
#[test]
fn new_points_of_a_cluster_land_in_that_cluster() {
    let train = frame("train.csv", &mixture(6, 100, 20, 11, 12));
    let new = frame("new.csv", &mixture(6, 40, 20, 11, 13));
    let (tl, nl) = (labels(&train), labels(&new));
    let feature_acc = knn_accuracy(&rows(&train, 20), &tl, &rows(&new, 20), &nl, 10);
    for (name, o) in [
        ("exact", options()),
        (
            "pca",
            EmbedOptions {
                affinity: Affinity::Gaussian,
                perplexity: Some(20.0),
                knn_method: KnnMethod::Approx,
                pca_dims: Some(5),
                ..options()
            },
        ),
    ] {
        let (y, model) = embed_and_save(&train, o, name);
        assert_eq!(model.pca.is_some(), name == "pca");
        let out = run_transform(&new, &model, &TransformOptions::default(), &mut quiet()).unwrap();
        let acc = knn_accuracy(&y, &tl, &out.result.placed.y, &nl, 10);
        eprintln!("{name}: map accuracy {acc:.4}, features {feature_acc:.4}");
        assert!(
            acc >= 0.95 && acc >= feature_acc - 0.02,
            "{name}: {acc} vs {feature_acc}"
        );
        assert_eq!(out.tables[0].name, "embedding");
        assert!(out.files.iter().any(|f| f.name == "embedding.svg"));
    }
}

/// Every new point is optimised on its own: 1 and 3 threads give the same coordinates, digit for
/// digit.
#[test]
fn placement_does_not_depend_on_the_threads() {
    let train = frame("train.csv", &mixture(4, 60, 6, 3, 4));
    let new = frame("new.csv", &mixture(4, 25, 6, 3, 5));
    let (_, model) = embed_and_save(&train, options(), "threads");
    let one = TransformOptions {
        threads: Some(1),
        ..TransformOptions::default()
    };
    let three = TransformOptions {
        threads: Some(3),
        ..TransformOptions::default()
    };
    let a = run_transform(&new, &model, &one, &mut quiet()).unwrap();
    let b = run_transform(&new, &model, &three, &mut quiet()).unwrap();
    assert_eq!(a.result.placed.y, b.result.placed.y);
}

/// Missing or renamed columns, a column count that does not match the saved basis, a missing
/// value, and a missing, incomplete or corrupt model folder: each refused with what is wrong.
#[test]
fn bad_input_is_refused_naming_what_is_wrong() {
    let train = frame("train.csv", &mixture(3, 40, 4, 1, 2));
    let (_, model) = embed_and_save(&train, options(), "bad");
    let err = |f: &dimorph_data::Frame, o: &TransformOptions| {
        run_transform(f, &model, o, &mut quiet()).unwrap_err().to_string()
    };
    let d = TransformOptions::default();
    // a column of the saved embedding missing
    let f = frame("three.csv", "f1,f2,f3\n1,2,3\n4,5,6\n");
    let e = err(&f, &d);
    assert!(
        e.contains("three.csv") && e.contains("1 of the 4 feature columns") && e.contains("f4"),
        "{e}"
    );
    // renamed columns named by --features: as many as the saved ones, or refused
    let f = frame("renamed.csv", "g1,g2,g3\n1,2,3\n4,5,6\n");
    let o = TransformOptions {
        features: vec!["g*".into()],
        ..TransformOptions::default()
    };
    let e = err(&f, &o);
    assert!(
        e.contains("--features matches 3 columns") && e.contains("made from 4"),
        "{e}"
    );
    let f = frame("renamed.csv", "g1,g2,g3,g4\n1,2,3,4\n4,5,6,7\n");
    assert_eq!(
        run_transform(&f, &model, &o, &mut quiet())
            .unwrap()
            .result
            .placed
            .y
            .len(),
        2
    );
    // a missing value
    let f = frame("nan.csv", "f1,f2,f3,f4\n1,2,3,4\n1,NA,3,4\n");
    let e = err(&f, &d);
    assert!(
        e.contains("nan.csv") && e.contains("line 3") && e.contains("'f2'"),
        "{e}"
    );
    // the model folder
    let dir = scratch("corrupt");
    let e = Model::load(&dir.join("nothing")).unwrap_err().to_string();
    assert!(e.contains("no such folder"), "{e}");
    let e = Model::load(&dir).unwrap_err().to_string();
    assert!(e.contains("model.json"), "{e}");
    let out = run(
        &train,
        &EmbedOptions {
            save_model: true,
            ..options()
        },
        &mut quiet(),
    )
    .unwrap();
    for file in &out.files {
        std::fs::write(dir.join(&file.name), &file.bytes).unwrap();
    }
    Model::load(&dir).unwrap();
    // the header's affinity size and columns, edited (a fuzzed k of 0 or 1e15 and a perplexity
    // of 1e300 were taken; the report then spoke of 0 neighbours)
    let header = std::fs::read_to_string(dir.join("model.json")).unwrap();
    let h: serde_json::Value = serde_json::from_str(&header).unwrap();
    let edited = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v = h.clone();
        f(&mut v);
        std::fs::write(dir.join("model.json"), v.to_string()).unwrap();
        Model::load(&dir).unwrap_err().to_string()
    };
    for (k, what) in [
        (serde_json::json!(0), "the saved k"),
        (serde_json::json!(1e15 as u64), "the saved k"),
    ] {
        let e = edited(&|v| v["affinity"] = serde_json::json!({"kind": "uniform", "k": k}));
        assert!(e.contains("model.json") && e.contains(what), "{e}");
    }
    let e = edited(&|v| v["affinity"] = serde_json::json!({"kind": "gaussian", "perplexity": 1e300}));
    assert!(e.contains("the saved perplexity"), "{e}");
    let e = edited(&|v| {
        let c = v["columns"][0].clone();
        v["columns"][1] = c;
    });
    assert!(e.contains("is listed twice"), "{e}");
    std::fs::write(dir.join("model.json"), &header).unwrap();
    Model::load(&dir).unwrap();
    let space = dir.join("model_space.f32");
    let mut bytes = std::fs::read(&space).unwrap();
    bytes[5] ^= 0x40;
    std::fs::write(&space, &bytes).unwrap();
    let e = Model::load(&dir).unwrap_err().to_string();
    assert!(e.contains("model_space.f32") && e.contains("corrupt"), "{e}");
    bytes.truncate(100);
    std::fs::write(&space, &bytes).unwrap();
    let e = Model::load(&dir).unwrap_err().to_string();
    assert!(e.contains("model_space.f32") && e.contains("corrupt"), "{e}");
    std::fs::write(dir.join("model.json"), "{\"format\": \"something else\"}").unwrap();
    let e = Model::load(&dir).unwrap_err().to_string();
    assert!(e.contains("model.json") && e.contains("not a saved embedding"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}
