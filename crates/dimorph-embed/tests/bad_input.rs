//! Bad input: too few points for the neighbours, NaN or infinite features, constant features,
//! missing columns, impossible settings, every numeric option out of its range, values beyond
//! single precision (scaled, not refused), a diverging layout, huge cells and names (quoted clipped) — each refused
//! with a message naming the culprit; and the warnings of options without effect.

use dimorph_embed::clusters::Region;
use dimorph_embed::input::features_from_frame;
use dimorph_embed::{embed, run, Affinity, AffinityKind, EmbedOptions, Features, GradientMethod, KnnMethod, Params};

fn frame(csv: &str) -> dimorph_data::Frame {
    dimorph_data::read_csv_bytes("t.csv", csv.as_bytes()).unwrap()
}

fn pats(p: &str) -> Vec<String> {
    vec![p.to_string()]
}

fn err_of(x: &Features, p: &Params) -> String {
    embed(x, p, &mut |_, _, _| {}).unwrap_err().to_string()
}

fn small(n: usize) -> Features {
    Features::from_rows(&(0..n).map(|i| vec![i as f64, (i * i % 7) as f64]).collect::<Vec<_>>()).unwrap()
}

#[test]
fn fewer_points_than_neighbours() {
    let e = err_of(&small(10), &Params::default());
    assert!(
        e.contains("10 points are too few for 15 nearest neighbours (--knn): need at least 16"),
        "{e}"
    );
    let e = err_of(
        &small(10),
        &Params {
            affinity: AffinityKind::Gaussian { perplexity: 30.0 },
            ..Params::default()
        },
    );
    assert!(e.contains("--perplexity 30"), "{e}");
}

#[test]
fn nan_and_infinite_features_name_line_and_column() {
    let e = features_from_frame(&frame("f1,f2\n1,2\n3,NA\n4,5\n"), &pats("f*"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("t.csv: line 3, column 'f2'") && e.contains("missing"), "{e}");
    let e = features_from_frame(&frame("f1,f2\n1,2\n3,4\nInf,5\n"), &pats("f*"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("line 4, column 'f1'") && e.contains("inf"), "{e}");
    let e = Features::new(2, 2, vec![1.0, f32::NAN, 2.0, 3.0])
        .unwrap_err()
        .to_string();
    assert!(e.contains("row 1 column 2 is NaN"), "{e}");
}

#[test]
fn constant_features_are_dropped_by_name_and_all_constant_is_refused() {
    let (x, sel) = features_from_frame(&frame("f1,f2,f3\n1,7,2\n3,7,4\n4,7,5\n"), &pats("f*")).unwrap();
    assert_eq!(sel.constant, vec!["f2"]);
    assert_eq!(sel.columns, vec!["f1", "f3"]);
    assert_eq!(x.d, 2);
    assert_eq!(x.row(1), &[3.0, 4.0]);
    let e = features_from_frame(&frame("f1,f2\n1,7\n1,7\n"), &pats("f*"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("every selected feature column is constant (f1, f2)"), "{e}");
    // identical rows built directly
    let same = Features::from_rows(&vec![vec![1.0, 2.0]; 40]).unwrap();
    let e = err_of(&same, &Params::default());
    assert!(e.contains("all 40 points are identical"), "{e}");
}

#[test]
fn missing_and_text_columns() {
    let f = frame("f1,f2,label\n1,2,a\n3,4,b\n");
    let e = features_from_frame(&f, &pats("g*")).unwrap_err().to_string();
    assert!(
        e.contains("--features 'g*' matches no column (columns are: f1, f2, label)"),
        "{e}"
    );
    let e = features_from_frame(&f, &pats("f1,label")).unwrap_err().to_string();
    assert!(
        e.contains("column 'label' must be numeric, but line 2 holds 'a'"),
        "{e}"
    );
}

#[test]
fn impossible_settings() {
    let x = small(40);
    for (p, msg) in [
        (
            Params {
                alpha: 0.0,
                ..Params::default()
            },
            "--alpha must be a positive number",
        ),
        (
            Params {
                alpha: f64::NAN,
                ..Params::default()
            },
            "--alpha must be a positive number",
        ),
        (
            Params {
                affinity: AffinityKind::Uniform { k: 0 },
                ..Params::default()
            },
            "--knn must be at least 1",
        ),
        (
            Params {
                learning_rate: Some(-1.0),
                ..Params::default()
            },
            "--learning-rate must be positive",
        ),
        (
            Params {
                early_exaggeration: 0.5,
                ..Params::default()
            },
            "--exaggeration must be at least 1",
        ),
        (
            Params {
                affinity: AffinityKind::Gaussian { perplexity: -2.0 },
                ..Params::default()
            },
            "--perplexity must be a positive number",
        ),
    ] {
        let e = err_of(&x, &p);
        assert!(e.contains(msg), "{e}");
    }
}

/// Options with every field valid (features `f*`, few iterations).
fn quick() -> EmbedOptions {
    EmbedOptions {
        features: pats("f*"),
        iter: 10,
        early_iter: 10,
        threads: Some(1),
        ..EmbedOptions::default()
    }
}

fn refusal(o: &EmbedOptions) -> String {
    o.validate().unwrap_err().to_string()
}

#[test]
fn every_numeric_option_is_range_checked_with_its_bounds_in_the_message() {
    let inf = f64::INFINITY;
    let gauss = |p: f64| EmbedOptions {
        affinity: Affinity::Gaussian,
        perplexity: Some(p),
        ..quick()
    };
    let approx = |d: usize| EmbedOptions {
        knn_method: KnnMethod::Approx,
        pca_dims: Some(d),
        ..quick()
    };
    let cases: Vec<(EmbedOptions, &str)> = vec![
        (
            EmbedOptions {
                exaggeration: inf,
                ..quick()
            },
            "--exaggeration must be at least 1 and at most 1000 (got inf)",
        ),
        (
            EmbedOptions {
                exaggeration: f64::NAN,
                ..quick()
            },
            "--exaggeration must be at least 1 and at most 1000 (got NaN)",
        ),
        (
            EmbedOptions { alpha: inf, ..quick() },
            "--alpha must be a positive number, at least 0.01 and at most 1000 (got inf)",
        ),
        (
            EmbedOptions {
                alpha: 1e-300,
                ..quick()
            },
            "--alpha must be a positive number, at least 0.01 and at most 1000 (got 1e-300)",
        ),
        (
            gauss(-5.0),
            "--perplexity must be a positive number, at least 1 and at most 1000 (got -5)",
        ),
        (
            gauss(1e308),
            "--perplexity must be a positive number, at least 1 and at most 1000 (got 1e308)",
        ),
        (
            EmbedOptions {
                knn: Some(1 << 40),
                ..quick()
            },
            "--knn must be at least 1 and at most 3000 (got 1099511627776)",
        ),
        (
            EmbedOptions {
                learning_rate: Some(inf),
                ..quick()
            },
            "--learning-rate must be positive and at most 1e9 (got inf)",
        ),
        (
            EmbedOptions {
                iter: 1_000_000_000_000,
                ..quick()
            },
            "--iter must be at least 0 and at most 100000 (got 1000000000000)",
        ),
        (
            EmbedOptions {
                early_iter: usize::MAX,
                ..quick()
            },
            "--early-iter must be at least 0 and at most 100000",
        ),
        (approx(0), "--pca-dims must be at least 1 and at most 500 (got 0)"),
        (approx(1 << 30), "--pca-dims must be at least 1 and at most 500"),
        (
            EmbedOptions {
                threads: Some(1_000_000),
                ..quick()
            },
            "--threads: must be from 1 to 256, got 1000000",
        ),
        (
            EmbedOptions {
                max_plot_points: 0,
                ..quick()
            },
            "--max-plot-points must be at least 1 and at most 1000000 (got 0)",
        ),
        (
            EmbedOptions {
                max_plot_points: usize::MAX,
                ..quick()
            },
            "--max-plot-points must be at least 1 and at most 1000000",
        ),
        (
            EmbedOptions {
                clusters: vec![Region {
                    name: "a".into(),
                    cx: inf,
                    cy: 0.0,
                    r: 1.0,
                }],
                ..quick()
            },
            "--cluster 'a': expected NAME=X,Y,RADIUS",
        ),
        (
            EmbedOptions {
                clusters: vec![Region {
                    name: "b".into(),
                    cx: 0.0,
                    cy: 0.0,
                    r: -1.0,
                }],
                ..quick()
            },
            "--cluster 'b': expected NAME=X,Y,RADIUS",
        ),
        (
            EmbedOptions {
                clusters: vec![
                    "a=0,0,10".parse().unwrap(),
                    "b=5,5,1".parse().unwrap(),
                    "a=1,1,10".parse().unwrap(),
                ],
                ..quick()
            },
            "--cluster 'a': the name is given twice (clusters 1 and 3)",
        ),
        (
            EmbedOptions {
                clusters: vec!["c=0,0,1".parse().unwrap()],
                exemplars: Some(5000),
                ..quick()
            },
            "--exemplars must be at least 0 and at most 1000 (got 5000)",
        ),
    ];
    for (o, msg) in cases {
        let e = refusal(&o);
        assert!(e.contains(msg), "{e}\n  expected: {msg}");
    }
    // the pipeline's own check (library callers setting Params directly) says the same
    let x = small(40);
    let e = err_of(
        &x,
        &Params {
            early_exaggeration: f64::INFINITY,
            ..Params::default()
        },
    );
    assert!(
        e.contains("--exaggeration must be at least 1 and at most 1000 (got inf)"),
        "{e}"
    );
    let e = err_of(
        &x,
        &Params {
            n_iter: 1 << 50,
            ..Params::default()
        },
    );
    assert!(e.contains("--iter must be at least 0 and at most 100000"), "{e}");
    let e = err_of(
        &x,
        &Params {
            momentum: 1.0,
            ..Params::default()
        },
    );
    assert!(e.contains("momentum must be at least 0 and below 1"), "{e}");
    // the bounds themselves are accepted
    for o in [
        EmbedOptions {
            alpha: 0.01,
            exaggeration: 1000.0,
            ..quick()
        },
        EmbedOptions {
            alpha: 1000.0,
            exaggeration: 1.0,
            learning_rate: Some(1e9),
            ..quick()
        },
        gauss(1.0),
        gauss(1000.0),
        EmbedOptions {
            iter: 0,
            early_iter: 0,
            knn: Some(3000),
            threads: Some(256),
            ..quick()
        },
    ] {
        o.validate().unwrap();
    }
}

#[test]
fn extreme_but_valid_options_give_finite_embeddings() {
    let x = small(60);
    for p in [
        Params {
            alpha: 0.01,
            threads: 1,
            n_iter: 60,
            early_iter: 30,
            ..Params::default()
        },
        Params {
            alpha: 1000.0,
            threads: 1,
            n_iter: 60,
            early_iter: 30,
            ..Params::default()
        },
        Params {
            early_exaggeration: 1000.0,
            threads: 1,
            n_iter: 30,
            early_iter: 30,
            ..Params::default()
        },
        Params {
            learning_rate: Some(1e9),
            threads: 1,
            n_iter: 30,
            early_iter: 30,
            ..Params::default()
        },
        Params {
            learning_rate: Some(1e9),
            gradient: GradientMethod::Fft,
            alpha: 0.01,
            threads: 2,
            n_iter: 30,
            early_iter: 30,
            ..Params::default()
        },
    ] {
        let e = embed(&x, &p, &mut |_, _, _| {}).unwrap();
        assert!(e.kl_divergence.is_finite(), "{p:?}");
        assert!(e.y.iter().flatten().all(|v| v.is_finite()), "{p:?}");
    }
}

#[test]
fn a_layout_that_stops_being_finite_is_an_error_with_the_reason() {
    use dimorph_embed::{affinity, knn, optimize};
    let x = small(40);
    let p = affinity::uniform(&knn::exact(&x, 5, 1, &mut |_, _, _| {}));
    let s = optimize::Schedule {
        early_exaggeration: 12.0,
        early_iter: 5,
        n_iter: 5,
        late_exaggeration: 1.0,
        learning_rate: Some(f64::MAX),
        momentum: 0.8,
        alpha: 1.0,
        method: GradientMethod::Exact,
        threads: 1,
    };
    let y0: Vec<f64> = (0..80).map(|i| (i as f64 * 0.37).sin() * 1e-4).collect();
    let e = optimize::run(&p, y0, &s, &mut |_, _, _| {})
        .err()
        .expect("diverges")
        .to_string();
    assert!(
        e.contains("the optimisation diverged: after iteration 1 of 10 (early exaggeration)"),
        "{e}"
    );
    assert!(e.contains("lower --learning-rate"), "{e}");
}

#[test]
fn features_beyond_single_precision_are_scaled_unless_one_cell_swamps_the_rest() {
    // values near 1e308 throughout: scaled by one power of two, every point kept apart (f1, in
    // far smaller units, adds nothing to the distances in any precision)
    let mut s = String::from("f1,f2\n");
    for i in 0..30 {
        s += &format!("{i},{}e306\n", 100 + i);
    }
    let (x, sel) = features_from_frame(&frame(&s), &pats("f*")).unwrap();
    assert!(x.x.iter().all(|v| v.is_finite() && v.abs() <= 1.0));
    assert!(sel.scaling.is_some());
    // one 1e308 among values near 1 (a fuzzed file): the others would run together at one
    // value once scaled for it, so the cell is named instead of an embedding of one point
    let mut s = String::from("f1,f2\n");
    for i in 0..30 {
        s += &format!("{i},{}\n", if i == 4 { "1e308".to_string() } else { i.to_string() });
    }
    let e = features_from_frame(&frame(&s), &pats("f*")).unwrap_err().to_string();
    assert!(
        e.contains("line 6, column 'f2': the value 1e308 is so far") && e.contains("the 30 distinct points become 2"),
        "{e}"
    );
    // large but within reach: used as given
    let s = s.replace("1e308", "1e15");
    assert!(features_from_frame(&frame(&s), &pats("f*"))
        .unwrap()
        .1
        .scaling
        .is_none());
}

#[test]
fn quoted_cells_names_and_patterns_are_clipped() {
    let big = "z".repeat(10_000);
    let e = features_from_frame(&frame(&format!("f1,f2\n1,2\n3,{big}\n")), &pats("f*"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("line 3 holds 'zzz") && e.contains("…'") && e.len() < 200,
        "{e}"
    );
    let header: Vec<String> = (0..500).map(|i| format!("{}{i}", "h".repeat(100))).collect();
    let f = frame(&format!("{}\n{}\n", header.join(","), vec!["1"; 500].join(",")));
    let e = features_from_frame(&f, &pats(&big)).unwrap_err().to_string();
    assert!(
        e.contains("--features 'zzz") && e.contains("and 480 more") && e.len() < 2000,
        "{} bytes",
        e.len()
    );
    let e = "a=1,2".repeat(5000).parse::<Region>().unwrap_err().to_string();
    assert!(e.starts_with("--cluster 'a=1,2a=1,2") && e.len() < 300, "{e}");
    let o = EmbedOptions {
        color: Some(big.clone()),
        ..quick()
    };
    let e = run(&frame("f1,f2\n1,2\n3,4\n"), &o, &mut |_, _, _| {})
        .unwrap_err()
        .to_string();
    assert!(e.contains("no column named 'zzz") && e.len() < 300, "{e}");
}

#[test]
fn warnings_say_what_an_option_or_a_copied_value_did() {
    let mut s = String::from("f1,f2,f3,label\n");
    for i in 0..40 {
        let label = if i == 3 { "NA".to_string() } else { (i % 2).to_string() };
        s += &format!("{},{},{},{label}\n", i % 7, (i * i) % 11, i,);
    }
    let o = EmbedOptions {
        knn_method: KnnMethod::Approx,
        pca_dims: Some(10),
        knn: Some(5),
        color: Some("label".into()),
        ..quick()
    };
    let out = run(&frame(&s), &o, &mut |_, _, _| {}).unwrap();
    let w = out.warnings.join("\n");
    assert!(w.contains("--pca-dims 10 is not below the 3 feature columns"), "{w}");
    assert!(
        w.contains("column 'label': 1 of 40 values are missing or not finite") && w.contains("drawn grey"),
        "{w}"
    );
}
