//! Bad input: too few points for the neighbours, NaN or infinite features, constant features,
//! missing columns, impossible settings — each refused with a message naming the culprit.

use dimorph_embed::input::features_from_frame;
use dimorph_embed::{embed, AffinityKind, Features, Params};

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
