//! The cubic spline of the paper's cause shares ([`causes::fmm_spline`]) against R's
//! `splinefun(method = "fmm")` (script `tests/reference/fmm_spline.R`, R 4.x) to 1e-12, and
//! against its exactness for polynomials up to degree 3.

use dimorph_lifetable::causes::fmm_spline;

#[test]
fn matches_r_splinefun() {
    let x = [0.0, 3.0, 7.5, 12.5, 17.5, 22.5, 30.0, 100.0];
    let y = [-4.1, -7.9, -8.6, -8.2, -6.9, -6.1, -5.8, -0.4];
    let s = fmm_spline(&x, &y);
    let at = [-1.0, 0.0, 1.0, 2.5, 5.0, 10.0, 20.0, 50.0, 99.0, 100.0, 101.0];
    let r = [
        -1.86210447557627,
        -4.1,
        -5.81280819106177,
        -7.527002195437,
        -8.6292929614183,
        -8.4701895734383,
        -6.40676386675748,
        -8.02702806629215,
        -1.15033144683809,
        -0.4,
        0.387192708668201,
    ];
    for (a, v) in at.iter().zip(r) {
        assert!((s.eval(*a) - v).abs() < 1e-12, "S({a}) = {} vs R {v}", s.eval(*a));
    }
    // three knots: R gives the parabola through them
    let p = fmm_spline(&[0.0, 1.0, 3.0], &[1.0, 2.0, 0.0]);
    for (a, v) in [(-1.0, -4.0 / 3.0), (2.0, 5.0 / 3.0), (4.0, -3.0)] {
        assert!((p.eval(a) - v).abs() < 1e-12, "{a}");
    }
}

#[test]
fn exact_for_cubics_lines_and_constants() {
    let cubic = |x: f64| 2.0 - 0.5 * x + 0.03 * x * x - 0.001 * x * x * x;
    let x = [0.0, 3.0, 7.5, 12.5, 20.0, 31.0];
    let y: Vec<f64> = x.iter().map(|v| cubic(*v)).collect();
    let s = fmm_spline(&x, &y);
    for a in [-2.0, 0.5, 4.0, 9.9, 17.0, 30.0, 35.0] {
        assert!((s.eval(a) - cubic(a)).abs() < 1e-10, "{a}");
    }
    let l = fmm_spline(&[1.0, 4.0], &[2.0, 8.0]);
    assert!((l.eval(0.0) - 0.0).abs() < 1e-12 && (l.eval(5.0) - 10.0).abs() < 1e-12);
    let c = fmm_spline(&[7.0], &[3.5]);
    assert_eq!(c.eval(-10.0), 3.5);
}
