//! Randomized PCA ([`dimorph_embed::rsvd`], Halko, Martinsson & Tropp 2011) against numpy's exact
//! SVD of the bundled digits (tests/peers/pca_digits.py → pca_digits_{variances,axes}.csv; all 64
//! columns, 1797 rows). Asked for 20 components (test matrix of 30 columns, 7 power iterations):
//! the variances of the leading 10 within 1e-4 relative, the leading 10-dimensional subspace within
//! principal angles of 1e-2 radian (cosines ≥ 0.99995), and each of the leading 5 axes ±-aligned
//! with numpy's (|cos| ≥ 0.9999: they are well separated). The result does not depend on the threads.

use dimorph_embed::pca::jacobi_eigen;
use dimorph_embed::rsvd::leading;
use dimorph_embed::Features;

fn read(path: &str) -> (Vec<String>, Vec<Vec<f64>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let head = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| {
            rec.unwrap()
                .iter()
                .map(|v| v.parse::<f64>().unwrap_or(f64::NAN))
                .collect()
        })
        .collect();
    (head, rows)
}

fn digits() -> Features {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/embed/digits.csv");
    let (head, rows) = read(root);
    let cols: Vec<usize> = (0..head.len()).filter(|&i| head[i].starts_with('p')).collect();
    assert_eq!(cols.len(), 64);
    Features::from_rows(
        &rows
            .iter()
            .map(|r| cols.iter().map(|&c| r[c]).collect())
            .collect::<Vec<_>>(),
    )
    .unwrap()
}

fn peer(name: &str) -> Vec<Vec<f64>> {
    read(&format!(
        "{}/tests/peers/pca_digits_{name}.csv",
        env!("CARGO_MANIFEST_DIR")
    ))
    .1
}

#[test]
fn randomized_pca_matches_numpy_on_the_digits() {
    let x = digits();
    let mean: Vec<f64> = (0..x.d)
        .map(|j| (0..x.n).map(|i| x.row(i)[j] as f64).sum::<f64>() / x.n as f64)
        .collect();
    let (vals, axes) = leading(&x, &mean, 30, (x.n - 1) as f64, 7, 2);
    let var: Vec<f64> = peer("variances").into_iter().map(|r| r[0]).collect();
    let np_axes = peer("axes");
    for c in 0..10 {
        let rel = (vals[c] - var[c]).abs() / var[c];
        assert!(rel < 1e-4, "variance {c}: {} vs numpy {} ({rel:e})", vals[c], var[c]);
    }
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    for c in 0..5 {
        let cos = dot(&axes[c], &np_axes[c]).abs();
        assert!(cos > 0.9999, "axis {c}: |cos| {cos}");
    }
    // principal angles of the leading 10-dimensional subspaces: singular values of AᵀB
    let k = 10;
    let m: Vec<f64> = (0..k)
        .flat_map(|i| (0..k).map(move |j| (i, j)))
        .map(|(i, j)| dot(&axes[i], &np_axes[j]))
        .collect();
    let mtm: Vec<f64> = (0..k)
        .flat_map(|i| (0..k).map(move |j| (i, j)))
        .map(|(i, j)| (0..k).map(|r| m[r * k + i] * m[r * k + j]).sum())
        .collect();
    let (sv2, _) = jacobi_eigen(&mtm, k);
    let smallest = sv2[k - 1].max(0.0).sqrt();
    assert!(smallest > 0.99995, "smallest cosine of the principal angles {smallest}");
    eprintln!(
        "variances 1-3: {:?} vs numpy {:?}; smallest principal cosine {smallest}",
        &vals[..3],
        &var[..3]
    );
    // threads do not change the result (blocks of 2048 rows summed in block order): the digits
    // three times over, 3 blocks
    let x3 = Features {
        n: 3 * x.n,
        d: x.d,
        x: x.x.repeat(3),
    };
    let (vals1, axes1) = leading(&x3, &mean, 30, (x3.n - 1) as f64, 7, 1);
    let (vals3, axes3) = leading(&x3, &mean, 30, (x3.n - 1) as f64, 7, 3);
    assert_eq!((&vals1, &axes1), (&vals3, &axes3));
    assert!((vals1[0] - vals[0]).abs() / vals[0] < 1e-3);
}
