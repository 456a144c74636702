//! Formula terms against R 4.2.2's `model.matrix` (stats and splines from base R), computed once
//! by `tests/peers/model_matrix.R` into `tests/peers/model_matrix/`:
//!
//! - `model_matrix.csv`: for each formula of `formulas.csv` (poly, raw poly, scale, ns, bs with
//!   df, knots, degree, intercept and boundary knots, comparisons in `I()`, sum / Helmert /
//!   treatment contrasts, `%in%`, and their interactions through `:` and `*`) the column names
//!   (exactly) and the values of rows 1, 8, 15, … (to 1e-10 absolute, on values of order 1–1e7
//!   for raw polynomials: 1e-10 relative to max(1, |value|)).
//! - `newdata_x.csv`, `predict.csv`, `fit_coef.csv`: Poisson fits on the crab data (R's glm and ours
//!   with epsilon 1e-14) of `predict_formulas.csv`; the design of `newdata.csv` built from what the
//!   bases learned from the fitting data (R's `predict` through `makepredictcall`: poly
//!   coefficients, spline knots, scale centres; new values outside the boundary knots included)
//!   to 1e-10, the coefficients to 1e-8 relative and the link predictions to 1e-8 absolute.
//!   (R's own `predict()` re-factors `C(color, sum)` with the fit's levels and drops its sum
//!   contrasts, warning "contrasts dropped from factor"; the peer builds the new design without
//!   that step, and the predictions as X_new β.)

use std::collections::BTreeMap;
use std::path::PathBuf;

use dimorph_glm::{fit, model_frame, Family, GlmOptions};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn peer(name: &str) -> Vec<csv::StringRecord> {
    let path = root().join("crates/dimorph-glm/tests/peers/model_matrix").join(name);
    let mut r = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    r.records().map(|x| x.expect("peer record")).collect()
}

fn data(name: &str) -> dimorph_data::Frame {
    dimorph_data::read_csv(root().join("data").join(name)).expect("bundled data")
}

/// Per case: column names in order, and (row from 1, column from 1) → value.
type Matrices = BTreeMap<String, (Vec<String>, BTreeMap<(usize, usize), f64>)>;

fn matrices(file: &str) -> Matrices {
    let mut out: Matrices = BTreeMap::new();
    for r in peer(file) {
        let (row, col): (usize, usize) = (r[1].parse().expect("row"), r[2].parse().expect("column"));
        let e = out.entry(r[0].to_string()).or_default();
        if e.0.len() < col {
            e.0.resize(col, String::new());
        }
        e.0[col - 1] = r[3].to_string();
        e.1.insert((row, col), r[4].parse().expect("value"));
    }
    out
}

fn close(ours: f64, r: f64, tol: f64) -> bool {
    (ours - r).abs() <= tol * r.abs().max(1.0)
}

#[test]
fn model_matrices_equal_rs() {
    let peer_x = matrices("model_matrix.csv");
    let cases = peer("formulas.csv");
    assert_eq!(cases.len(), 38);
    let mut worst = 0.0f64;
    for c in &cases {
        let (case, file, formula) = (&c[0], &c[1], &c[3]);
        let mf = model_frame(formula, &data(file), None).unwrap_or_else(|e| panic!("{case}: {formula}: {e}"));
        let (names, values) = &peer_x[case];
        assert_eq!(&mf.col_names, names, "{case}: {formula}");
        for (&(row, col), &v) in values {
            let ours = mf.x[(row - 1) * mf.p + col - 1];
            assert!(
                close(ours, v, 1e-10),
                "{case} row {row} {}: ours {ours}, R {v}",
                names[col - 1]
            );
            worst = worst.max((ours - v).abs() / v.abs().max(1.0));
        }
    }
    println!("largest difference from R's model.matrix: {worst:.1e} (relative to max(1, |value|))");
}

#[test]
fn new_data_use_what_the_bases_learned_and_fits_equal_rs() {
    let peer_new = matrices("newdata_x.csv");
    let mut coefs: BTreeMap<String, Vec<(String, f64)>> = BTreeMap::new();
    for r in peer("fit_coef.csv") {
        coefs
            .entry(r[0].to_string())
            .or_default()
            .push((r[1].to_string(), r[2].parse().expect("coef")));
    }
    let mut eta: BTreeMap<(String, usize), f64> = BTreeMap::new();
    for r in peer("predict.csv") {
        eta.insert(
            (r[0].to_string(), r[1].parse().expect("row")),
            r[2].parse().expect("eta"),
        );
    }
    let crabs = data("crabs.csv");
    let new = dimorph_data::read_csv(root().join("crates/dimorph-glm/tests/peers/model_matrix/newdata.csv"))
        .expect("newdata");
    let cases = peer("predict_formulas.csv");
    assert_eq!(cases.len(), 7);
    let mut worst = [0.0f64; 3];
    for c in &cases {
        let (case, formula) = (&c[0], &c[2]);
        let mf = model_frame(formula, &crabs, None).unwrap_or_else(|e| panic!("{case}: {e}"));
        let nd = mf.spec.design_for(&new).unwrap_or_else(|e| panic!("{case}: {e}"));
        let (names, values) = &peer_new[case];
        assert_eq!(&nd.col_names, names, "{case}");
        assert_eq!(nd.n, 8);
        for (&(row, col), &v) in values {
            let ours = nd.x[(row - 1) * nd.p + col - 1];
            assert!(
                close(ours, v, 1e-10),
                "{case} new row {row} {}: ours {ours}, R {v}",
                names[col - 1]
            );
            worst[0] = worst[0].max((ours - v).abs() / v.abs().max(1.0));
        }
        let opts = GlmOptions {
            tol: 1e-14,
            max_iter: 100,
            ..GlmOptions::new(Family::Poisson, None)
        };
        let g = fit(&mf, &opts).unwrap_or_else(|e| panic!("{case}: {e}"));
        let want = &coefs[case];
        assert_eq!(
            g.coef_names,
            want.iter().map(|w| w.0.clone()).collect::<Vec<_>>(),
            "{case}"
        );
        for (k, (name, v)) in want.iter().enumerate() {
            assert!(close(g.coef[k], *v, 1e-8), "{case} {name}: ours {}, R {v}", g.coef[k]);
            worst[1] = worst[1].max((g.coef[k] - v).abs() / v.abs().max(1.0));
        }
        for i in 0..nd.n {
            let ours: f64 = nd.row(i).iter().zip(&g.coef).map(|(x, b)| x * b).sum();
            let r = eta[&(case.to_string(), i + 1)];
            assert!(
                (ours - r).abs() < 1e-8,
                "{case} prediction {}: ours {ours}, R {r}",
                i + 1
            );
            worst[2] = worst[2].max((ours - r).abs());
        }
    }
    println!(
        "largest differences from R: new-data X {:.1e}, coefficients {:.1e} (relative), link predictions {:.1e}",
        worst[0], worst[1], worst[2]
    );
}
