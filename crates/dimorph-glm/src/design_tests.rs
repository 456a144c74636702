//! Tests of the model frame. Column names, their order and the quoted rows of X come from R
//! 4.2.2's `model.matrix` on the same data (`tests/reference/model_matrix.R`).

use super::*;
use dimorph_data::{read_csv_bytes, DataError};

/// The data frame `d` of `tests/reference/model_matrix.R`.
const D: &str = "y,region,color,a,b,x,z
1,south,3,a1,b1,1.5,2
0,north,1,a2,b1,2,1
1,west,2,a3,b2,3.5,4
1,east,3,a1,b2,4,3
0,north,2,a2,b1,5,6
1,south,1,a3,b2,6.5,5
0,east,1,a1,b1,7,8
1,west,2,a2,b2,8,7
";

fn d() -> Frame {
    read_csv_bytes("d.csv", D.as_bytes()).unwrap()
}

fn names(formula: &str) -> Vec<String> {
    model_frame(formula, &d(), None).unwrap().col_names
}

fn input_err(r: Result<ModelFrame>) -> String {
    match r {
        Err(GlmError::Input(m)) => m.to_string(),
        Err(e) => panic!("expected an input error, got {e}"),
        Ok(_) => panic!("expected an error"),
    }
}

#[test]
fn numeric_columns_and_arithmetic() {
    let f = read_csv_bytes("crab.csv", b"satell,width\n8,28.3\n0,22.5\n9,26.0\n").unwrap();
    let m = model_frame("satell ~ width + I(width^2)", &f, None).unwrap();
    assert_eq!(m.col_names, ["(Intercept)", "width", "I(width^2)"]);
    assert_eq!((m.n, m.p, m.n_read, m.n_dropped), (3, 3, 3, 0));
    assert_eq!(m.row(1), [1.0, 22.5, 22.5 * 22.5]);
    assert_eq!(m.y, [8.0, 0.0, 9.0]);
    assert_eq!(m.response_name, "satell");
    assert_eq!(m.lines, [2, 3, 4]);
    assert!(m.intercept && m.trials.is_none() && m.offset.is_none() && m.weights.is_none());
    assert_eq!(
        m.terms,
        vec![
            Term {
                label: "width".into(),
                cols: 1..2,
                is_factor: false
            },
            Term {
                label: "I(width^2)".into(),
                cols: 2..3,
                is_factor: false
            },
        ]
    );
    let m = model_frame(
        "log(satell + 1) ~ log(width) + sqrt(width) + I(-width/2 + 1) - 1",
        &f,
        None,
    )
    .unwrap();
    assert_eq!(m.col_names, ["log(width)", "sqrt(width)", "I(-width/2 + 1)"]);
    assert_eq!(m.row(0), [28.3f64.ln(), 28.3f64.sqrt(), -28.3 / 2.0 + 1.0]);
    assert_eq!(m.y[0], 9f64.ln());
    assert_eq!(m.response_name, "log(satell + 1)");
    for f0 in ["y ~ 0 + x", "y ~ x + 0", "y ~ x - 1"] {
        assert_eq!(names(f0), ["x"], "{f0}");
    }
}

#[test]
fn events_trials_and_cbind() {
    let f = read_csv_bytes(
        "s.csv",
        b"snoring,disease,total\n0,24,1379\n2,35,638\n4,21,213\n5,30,254\n",
    )
    .unwrap();
    let m = model_frame("disease/total ~ snoring", &f, None).unwrap();
    assert_eq!(m.response_name, "disease/total");
    assert_eq!(m.y[1], 35.0 / 638.0);
    assert_eq!(m.trials.as_deref(), Some(&[1379.0, 638.0, 213.0, 254.0][..]));
    assert_eq!(m.col_names, ["(Intercept)", "snoring"]);
    let c = model_frame("cbind(disease, total - disease) ~ snoring", &f, None).unwrap();
    assert_eq!(c.response_name, "cbind(disease, total - disease)");
    assert_eq!(c.y, m.y);
    assert_eq!(c.trials, m.trials);
    // 0 events of 0 trials is the proportion 0 (R's binomial()$initialize); events of 0 trials
    // are an error.
    let z = read_csv_bytes("z.csv", b"x,e,n\n1,0,0\n2,1,3\n3,2,0\n").unwrap();
    let e = input_err(model_frame("e/n ~ x", &z, None));
    assert!(
        e.contains("line 4") && e.contains("e/n has 2 events but 0 trials"),
        "{e}"
    );
    let z = read_csv_bytes("z.csv", b"x,e,n\n1,0,0\n2,1,3\n").unwrap();
    assert_eq!(model_frame("e/n ~ x", &z, None).unwrap().y, [0.0, 1.0 / 3.0]);
}

#[test]
fn factors_use_treatment_coding_in_r_order() {
    // R: model.matrix(y ~ region, d)
    let m = model_frame("y ~ region", &d(), None).unwrap();
    assert_eq!(m.col_names, ["(Intercept)", "regionnorth", "regionsouth", "regionwest"]);
    assert_eq!(m.row(0), [1.0, 0.0, 1.0, 0.0]);
    assert_eq!(m.row(3), [1.0, 0.0, 0.0, 0.0]);
    assert_eq!(
        m.terms,
        vec![Term {
            label: "region".into(),
            cols: 1..4,
            is_factor: true
        }]
    );
    assert_eq!(
        m.spec.levels,
        vec![(
            "region".to_string(),
            vec!["east".into(), "north".into(), "south".into(), "west".into()]
        )]
    );
    // R: model.matrix(y ~ factor(color), d) gives factor(color)2, factor(color)3.
    assert_eq!(
        names("y ~ factor(color)"),
        ["(Intercept)", "factor(color)2", "factor(color)3"]
    );
    assert_eq!(names("y ~ C(color)"), ["(Intercept)", "C(color)2", "C(color)3"]);
    // ref= moves the level first (R's relevel): relevel(factor(region), ref = "north") gives
    // east, south, west after the intercept.
    let m = model_frame("y ~ C(region, ref=north)", &d(), None).unwrap();
    assert_eq!(
        m.col_names,
        [
            "(Intercept)",
            "C(region, ref = \"north\")east",
            "C(region, ref = \"north\")south",
            "C(region, ref = \"north\")west"
        ]
    );
    assert_eq!(m.row(3), [1.0, 1.0, 0.0, 0.0]);
    assert_eq!(m.row(1), [1.0, 0.0, 0.0, 0.0]);
    assert_eq!(m.spec.levels[0].1, ["north", "east", "south", "west"]);
    assert_eq!(names("y ~ C(region, ref = 'west')")[1], "C(region, ref = \"west\")east");
    assert_eq!(
        names("y ~ C(color, ref = 3)"),
        ["(Intercept)", "C(color, ref = 3)1", "C(color, ref = 3)2"]
    );
    // R: model.matrix(y ~ a - 1, d) and (y ~ a + b - 1, d).
    assert_eq!(names("y ~ a - 1"), ["aa1", "aa2", "aa3"]);
    assert_eq!(names("y ~ a + b - 1"), ["aa1", "aa2", "aa3", "bb2"]);
}

#[test]
fn factor_errors() {
    let e = input_err(model_frame("y ~ C(region, ref = up)", &d(), None));
    assert!(
        e.contains("column 'region' has no level 'up'") && e.contains("east, north, south, west"),
        "{e}"
    );
    let f = read_csv_bytes("o.csv", b"y,g,x\n1,a,1\n0,a,2\n1,b,\n").unwrap();
    let e = input_err(model_frame("y ~ g + x", &f, None));
    assert!(e.contains("only one level ('a')") && e.contains("2 rows used"), "{e}");
}

#[test]
fn interactions_match_model_matrix() {
    // Every expectation below is colnames(model.matrix(formula, d)) from R 4.2.2.
    let cases: [(&str, &[&str]); 14] = [
        ("y ~ a*b", &["(Intercept)", "aa2", "aa3", "bb2", "aa2:bb2", "aa3:bb2"]),
        (
            "y ~ a:b",
            &[
                "(Intercept)",
                "aa1:bb1",
                "aa2:bb1",
                "aa3:bb1",
                "aa1:bb2",
                "aa2:bb2",
                "aa3:bb2",
            ],
        ),
        (
            "y ~ a + a:b",
            &["(Intercept)", "aa2", "aa3", "aa1:bb2", "aa2:bb2", "aa3:bb2"],
        ),
        (
            "y ~ a:b + a",
            &["(Intercept)", "aa2", "aa3", "aa1:bb2", "aa2:bb2", "aa3:bb2"],
        ),
        ("y ~ x:a", &["(Intercept)", "x:aa1", "x:aa2", "x:aa3"]),
        ("y ~ x:a - 1", &["x:aa1", "x:aa2", "x:aa3"]),
        ("y ~ x*a", &["(Intercept)", "x", "aa2", "aa3", "x:aa2", "x:aa3"]),
        ("y ~ a*x", &["(Intercept)", "aa2", "aa3", "x", "aa2:x", "aa3:x"]),
        ("y ~ x*z + I(x^2)", &["(Intercept)", "x", "z", "I(x^2)", "x:z"]),
        (
            "y ~ a:b + x",
            &[
                "(Intercept)",
                "x",
                "aa1:bb1",
                "aa2:bb1",
                "aa3:bb1",
                "aa1:bb2",
                "aa2:bb2",
                "aa3:bb2",
            ],
        ),
        (
            "y ~ b:a + a + b",
            &["(Intercept)", "aa2", "aa3", "bb2", "bb2:aa2", "bb2:aa3"],
        ),
        (
            "y ~ x + a:b + b - 1",
            &["x", "bb1", "bb2", "aa2:bb1", "aa3:bb1", "aa2:bb2", "aa3:bb2"],
        ),
        (
            "y ~ a:b + x:a",
            &[
                "(Intercept)",
                "aa1:bb1",
                "aa2:bb1",
                "aa3:bb1",
                "aa1:bb2",
                "aa2:bb2",
                "aa3:bb2",
                "aa1:x",
                "aa2:x",
                "aa3:x",
            ],
        ),
        (
            "y ~ a*b*x",
            &[
                "(Intercept)",
                "aa2",
                "aa3",
                "bb2",
                "x",
                "aa2:bb2",
                "aa3:bb2",
                "aa2:x",
                "aa3:x",
                "bb2:x",
                "aa2:bb2:x",
                "aa3:bb2:x",
            ],
        ),
    ];
    for (f, want) in cases {
        assert_eq!(names(f), want, "{f}");
    }
    // R: model.matrix(y ~ a*b, d)[3, ] is 1 0 1 1 0 1; model.matrix(y ~ x:a, d)[2, ] is 1 0 2 0.
    let m = model_frame("y ~ a*b", &d(), None).unwrap();
    assert_eq!(m.row(2), [1.0, 0.0, 1.0, 1.0, 0.0, 1.0]);
    let labels: Vec<&str> = m.terms.iter().map(|t| t.label.as_str()).collect();
    assert_eq!(labels, ["a", "b", "a:b"]);
    assert_eq!(m.terms[2].cols, 4..6);
    assert_eq!(model_frame("y ~ x:a", &d(), None).unwrap().row(1), [1.0, 0.0, 2.0, 0.0]);
    let m = model_frame("y ~ x*z", &d(), None).unwrap();
    assert_eq!(m.row(0), [1.0, 1.5, 2.0, 3.0]);
}

#[test]
fn offsets_add_up_outside_x() {
    let f = read_csv_bytes("c.csv", b"claims,age,exposure,z\n3,40,10,1\n1,50,2.5,2\n").unwrap();
    let m = model_frame("claims ~ age + offset(log(exposure)) + offset(z)", &f, None).unwrap();
    assert_eq!(m.col_names, ["(Intercept)", "age"]);
    assert_eq!(m.offset, Some(vec![10f64.ln() + 1.0, 2.5f64.ln() + 2.0]));
}

#[test]
fn missing_rows_are_dropped_and_counted() {
    let f = read_csv_bytes(
        "m.csv",
        b"y,x,g,w,unused\n1,2,a,1,\n0,,b,1,\n1,3,,1,\n0,4,b,,\n1,5,a,2,\n0,6,b,1,\n",
    )
    .unwrap();
    let m = model_frame("y ~ x + g", &f, None).unwrap();
    assert_eq!((m.n_read, m.n_dropped, m.n), (6, 2, 4));
    assert_eq!(m.lines, [2, 5, 6, 7]);
    assert_eq!(m.missing, vec![("x".to_string(), 1), ("g".to_string(), 1)]);
    assert_eq!(m.row(2), [1.0, 5.0, 0.0]);
    let m = model_frame("y ~ x + g", &f, Some("w")).unwrap();
    assert_eq!((m.n_dropped, m.n), (3, 3));
    assert_eq!(m.weights, Some(vec![1.0, 2.0, 1.0]));
    assert_eq!(m.lines, [2, 6, 7]);
    let e = model_frame("y ~ unused", &f, None).unwrap_err();
    assert!(matches!(e, GlmError::Singular(_)), "{e}");
}

#[test]
fn non_finite_values_are_errors_naming_line_and_expression() {
    let f = read_csv_bytes("l.csv", b"y,x,t\n1,2,1\n0,0,1\n1,3,0\n").unwrap();
    let e = input_err(model_frame("y ~ log(x)", &f, None));
    assert_eq!(e, "l.csv: line 3: log(x) is -inf (log of 0)");
    let e = input_err(model_frame("y ~ I(log(x)^2)", &f, None));
    assert_eq!(e, "l.csv: line 3: log(x) is -inf (log of 0), in I(log(x)^2)");
    let e = input_err(model_frame("y ~ x + offset(log(t))", &f, None));
    assert_eq!(e, "l.csv: line 4: log(t) is -inf (log of 0), in offset(log(t))");
    let e = input_err(model_frame("y ~ I(1/t)", &f, None));
    assert!(e.contains("line 4") && e.contains("division by zero"), "{e}");
    let e = input_err(model_frame("y ~ sqrt(I(x - 1))", &f, None));
    assert!(
        e.contains("line 3") && e.contains("square root of the negative number -1"),
        "{e}"
    );
}

#[test]
fn weights_must_be_non_negative() {
    let f = read_csv_bytes("w.csv", b"y,x,w\n1,2,1\n0,1,-0.5\n").unwrap();
    let e = input_err(model_frame("y ~ x", &f, Some("w")));
    assert!(
        e.contains("line 3") && e.contains("'w'") && e.contains("negative"),
        "{e}"
    );
}

#[test]
fn data_errors_name_column_and_line() {
    let e = model_frame("y ~ x + nope", &d(), None).unwrap_err();
    assert!(
        matches!(e, GlmError::Data(DataError::UnknownColumn { ref name, .. }) if name == "nope"),
        "{e}"
    );
    let f = read_csv_bytes("t.csv", b"y,x\n1,2\n0,abc\n").unwrap();
    let e = model_frame("y ~ log(x)", &f, None).unwrap_err().to_string();
    assert_eq!(e, "t.csv: column 'x' must be numeric, but line 3 holds 'abc'");
    assert!(matches!(
        model_frame("region ~ x", &d(), None),
        Err(GlmError::Data(DataError::NotNumeric { .. }))
    ));
    assert!(matches!(
        model_frame("y ~ x", &d(), Some("a")),
        Err(GlmError::Data(DataError::NotNumeric { .. }))
    ));
    assert!(matches!(
        model_frame("y ~ x +", &d(), None),
        Err(GlmError::Formula { pos: 7, .. })
    ));
}

#[test]
fn one_stray_cell_among_few_numbers_is_an_error_not_a_factor() {
    // a fuzzed file: 4 numbers and '<5' had made x a factor of five levels without a word
    for cell in ["<5", "\"1,5\"", "1_000", "0x10"] {
        let text = format!("y,x\n1,2\n2,3\n3,{cell}\n4,4\n5,7\n");
        let f = read_csv_bytes("v.csv", text.as_bytes()).unwrap();
        let e = input_err(model_frame("y ~ x", &f, None));
        assert!(
            e.contains("column 'x' must be numeric, but line 4 holds")
                && e.contains("(1 of 5 cells")
                && e.contains("C(x)"),
            "{cell}: {e}"
        );
        // asked for as a factor, it is one
        assert!(model_frame("y ~ C(x)", &f, None).is_ok(), "{cell}");
    }
    // mostly text stays a factor: two numbers among three words
    let f = read_csv_bytes("g.csv", b"y,g\n1,a\n2,b\n3,1\n4,c\n5,2\n").unwrap();
    assert!(model_frame("y ~ g", &f, None).is_ok());
}

#[test]
fn new_data_get_the_fitted_columns() {
    let m = model_frame("y ~ x*C(region, ref = north) + offset(z)", &d(), None).unwrap();
    let new = read_csv_bytes("new.csv", b"region,x,z\nwest,1,0.5\nnorth,2,\neast,3,1\n").unwrap();
    let nd = m.spec.design_for(&new).unwrap();
    assert_eq!(nd.col_names, m.col_names);
    assert_eq!((nd.n, nd.p, nd.n_read, nd.n_dropped), (2, m.p, 3, 1));
    assert_eq!(nd.lines, [2, 4]);
    // Columns: (Intercept), x, east, south, west, x:east, x:south, x:west.
    assert_eq!(nd.row(0), [1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0]);
    assert_eq!(nd.row(1), [1.0, 3.0, 1.0, 0.0, 0.0, 3.0, 0.0, 0.0]);
    assert_eq!(nd.offset, Some(vec![0.5, 1.0]));
    // One level is enough in new data; an unseen level is an error.
    let one = read_csv_bytes("one.csv", b"region,x,z\nsouth,1,0\n").unwrap();
    assert_eq!(m.spec.design_for(&one).unwrap().n, 1);
    let bad = read_csv_bytes("bad.csv", b"region,x,z\nwest,1,0\nmars,2,0\n").unwrap();
    let e = m.spec.design_for(&bad).unwrap_err().to_string();
    assert!(
        e.contains("line 3") && e.contains("'mars'") && e.contains("north, east, south, west"),
        "{e}"
    );
    // A numeric factor in new data.
    let m = model_frame("y ~ C(color)", &d(), None).unwrap();
    let new = read_csv_bytes("n.csv", b"color\n3\n1\n").unwrap();
    assert_eq!(m.spec.design_for(&new).unwrap().x, [1.0, 0.0, 1.0, 1.0, 0.0, 0.0]);
}

#[test]
fn threaded_fill_matches_the_plain_one() {
    // Large enough (≥ 2^21 cells) to take the multi-threaded path.
    let (n, p) = (100_003, 21);
    let cols: Vec<Vec<f64>> = (0..p - 1)
        .map(|j| (0..n).map(|i| (i * 31 + j) as f64).collect())
        .collect();
    let mut srcs: Vec<Option<&[f64]>> = vec![None];
    srcs.extend(cols.iter().map(|c| Some(&c[..])));
    let mut x = vec![0.0; n * p];
    crate::matrix::fill_row_major(&mut x, p, &srcs);
    for i in [0, 511, 512, 50_000, n - 1] {
        assert_eq!(x[i * p], 1.0);
        for j in 1..p {
            assert_eq!(x[i * p + j], cols[j - 1][i], "row {i} column {j}");
        }
    }
}

#[test]
fn formula_errors_show_the_place() {
    let e = model_frame("y ~ x + foo(z)", &d(), None).unwrap_err().to_string();
    assert_eq!(e, "formula error at character 9: unknown function 'foo' (a term may use I, C, factor, offset, poly, scale, ns, bs, log, exp, sqrt, abs, log10, log2)\n  y ~ x + foo(z)\n          ^");
}

#[test]
fn dot_stands_for_the_other_columns() {
    let f = read_csv_bytes("dot.csv", b"y,n,x,g,w\n1,3,0.5,a,1\n2,4,1.5,b,2\n0,2,2.5,a,1\n").unwrap();
    // R 4.2.2: terms(cbind(y, n - y) ~ ., data) has term labels x, g, w; here the weights column
    // is left out.
    let m = model_frame("cbind(y, n - y) ~ .", &f, Some("w")).unwrap();
    assert_eq!(m.col_names, ["(Intercept)", "x", "gb"]);
    // R: terms(y ~ .^2 - n, data) removes the main effect n only.
    let m = model_frame("y ~ .^2 - n", &f, None).unwrap();
    let labels: Vec<&str> = m.terms.iter().map(|t| t.label.as_str()).collect();
    assert_eq!(labels, ["x", "g", "w", "n:x", "n:g", "n:w", "x:g", "x:w", "g:w"]);
    assert!(matches!(Formula::parse("y ~ ."), Err(GlmError::Formula { pos: 4, .. })));
}

#[test]
fn full_matrix_matches_r() {
    // R 4.2.2: model.matrix(y ~ region + log(z) + a:x, d), printed with %.17g (written
    // here in the shortest form that reads back as the same double).
    #[rustfmt::skip]
    let r = [
        1.0, 0.0, 1.0, 0.0, std::f64::consts::LN_2, 1.5, 0.0, 0.0, // R: 0.69314718055994529
        1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.0,
        1.0, 0.0, 0.0, 1.0, 1.3862943611198906, 0.0, 0.0, 3.5,
        1.0, 0.0, 0.0, 0.0, 1.0986122886681098, 4.0, 0.0, 0.0,
        1.0, 1.0, 0.0, 0.0, 1.791759469228055, 0.0, 5.0, 0.0,
        1.0, 0.0, 1.0, 0.0, 1.6094379124341003, 0.0, 0.0, 6.5,
        1.0, 0.0, 0.0, 0.0, 2.0794415416798357, 7.0, 0.0, 0.0,
        1.0, 0.0, 0.0, 1.0, 1.9459101490553132, 0.0, 8.0, 0.0,
    ];
    let m = model_frame("y ~ region + log(z) + a:x", &d(), None).unwrap();
    assert_eq!(
        m.col_names,
        [
            "(Intercept)",
            "regionnorth",
            "regionsouth",
            "regionwest",
            "log(z)",
            "aa1:x",
            "aa2:x",
            "aa3:x"
        ]
    );
    for (k, (ours, theirs)) in m.x.iter().zip(r).enumerate() {
        assert!(
            (ours - theirs).abs() <= 1e-15 * theirs.abs(),
            "cell {k}: {ours} vs R {theirs}"
        );
    }
    assert_eq!(m.x.len(), r.len());
}

#[test]
fn an_x_too_large_to_build_is_an_error() {
    // 40,000 rows × 20,000 levels of an id column used as a factor: 8e8 cells.
    let mut csv = String::from("y,id\n");
    for i in 0..40_000 {
        csv.push_str(&format!("1,p{}\n", i % 20_000));
    }
    let f = read_csv_bytes("big.csv", csv.as_bytes()).unwrap();
    let e = input_err(model_frame("y ~ id", &f, None));
    assert!(
        e.contains("40000 rows × 20000 columns") && e.contains("the term id alone has 19999 columns"),
        "{e}"
    );
}

// Issue 13: bases, comparisons and contrasts. Values against R are in tests/formula_r.rs; these
// are the refusals and the bookkeeping.

#[test]
fn bases_with_too_few_distinct_values_are_refused() {
    // color has the 3 distinct values 1, 2, 3
    let e = input_err(model_frame("y ~ poly(color, 3)", &d(), None));
    assert!(e.contains("'degree' must be less than number of unique points"), "{e}");
    assert!(e.contains("poly(color, 3)"), "{e}");
    let e = input_err(model_frame("y ~ ns(color, 3)", &d(), None));
    assert!(
        e.contains(
            "ns() has 3 columns, 4 parameters (with the intercept), but the variable has only 3 distinct values"
        ),
        "{e}"
    );
    let e = input_err(model_frame("y ~ bs(color, df = 5)", &d(), None));
    assert!(e.contains("only 3 distinct values"), "{e}");
    // the most a variable with 3 values supports
    assert_eq!(
        names("y ~ poly(color, 2)"),
        ["(Intercept)", "poly(color, 2)1", "poly(color, 2)2"]
    );
    assert_eq!(names("y ~ ns(color, 2)").len(), 3);
    // R does not check raw powers; neither do we (the fit aliases what is collinear)
    assert_eq!(names("y ~ poly(color, 3, raw = TRUE)").len(), 4);
    let e = input_err(model_frame("y ~ scale(I(color * 0))", &d(), None));
    assert!(e.contains("do not vary"), "{e}");
    let e = input_err(model_frame("y ~ ns(x, knots = 20)", &d(), None));
    assert!(
        e.contains("the knot 20 lies outside the boundary knots 1.5 and 8"),
        "{e}"
    );
    let e = input_err(model_frame("y ~ bs(x, df = 2)", &d(), None));
    assert!(e.contains("df must be at least 3"), "{e}");
}

#[test]
fn bad_basis_and_contrast_arguments_point_at_their_place() {
    let at = |f: &str| match Formula::parse(f) {
        Err(GlmError::Formula { pos, msg, .. }) => (pos, msg),
        other => panic!("{f}: {other:?}"),
    };
    let (p, m) = at("y ~ C(region, Foo)");
    assert_eq!(p, 14);
    assert!(
        m.contains("unknown contrast 'Foo'") && m.contains("C(region, ref = Foo)"),
        "{m}"
    );
    let (p, m) = at("y ~ C(region, Sum, ref = a)");
    assert_eq!(p, 25);
    assert!(m.contains("one reference level or one contrast"), "{m}");
    let (p, m) = at("y ~ poly(x, 0)");
    assert_eq!(p, 12);
    assert!(m.contains("degree must be a whole number from 1 to 4096"), "{m}");
    assert_eq!(at("y ~ poly(x, 2.5)").0, 12);
    let (p, m) = at("y ~ ns(x, dff = 3)");
    assert_eq!(p, 10);
    assert!(m.contains("ns() has no argument 'dff'"), "{m}");
    assert_eq!(at("y ~ ns(x, Boundary.knots = c(1, 1))").0, 27);
    assert_eq!(at("y ~ bs(x, knots = c(1, z))").0, 23);
    assert_eq!(at("y ~ poly(x, 2, raw = yes)").0, 21);
    assert_eq!(at("y ~ ns(df = 3)").0, 4);
    assert_eq!(at("y ~ I(ns(x, 3))").0, 6);
    let (p, m) = at("y ~ x > 1");
    assert_eq!(p, 6);
    assert!(m.contains("inside I()"), "{m}");
    let (p, m) = at("y ~ I(a < b < c)");
    assert_eq!(p, 12);
    assert!(m.contains("cannot be chained"), "{m}");
    let (p, m) = at("y ~ a %foo% b");
    assert_eq!(p, 6);
    assert!(m.contains("unknown operator '%foo%'"), "{m}");
    assert_eq!(at("y ~ I(a %in% b)").0, 8);
}

#[test]
fn contrast_spellings_and_logical_factors() {
    let sum = model_frame("y ~ C(region, Sum)", &d(), None).unwrap();
    let r = model_frame("y ~ C(region, contr.sum)", &d(), None).unwrap();
    assert_eq!(
        sum.col_names,
        ["(Intercept)", "C(region, Sum)1", "C(region, Sum)2", "C(region, Sum)3"]
    );
    assert_eq!(r.col_names[1], "C(region, contr.sum)1");
    assert_eq!(sum.x, r.x);
    // the last level (west) is -1 in every column, R's contr.sum
    assert_eq!(sum.row(2), [1.0, -1.0, -1.0, -1.0]);
    let sas = model_frame("y ~ C(region, SAS)", &d(), None).unwrap();
    assert_eq!(
        sas.col_names,
        [
            "(Intercept)",
            "C(region, SAS)east",
            "C(region, SAS)north",
            "C(region, SAS)south"
        ]
    );
    // a comparison that is always true still has R's two levels FALSE, TRUE: one column of ones
    let m = model_frame("y ~ I(x > 0)", &d(), None).unwrap();
    assert_eq!(m.col_names, ["(Intercept)", "I(x > 0)TRUE"]);
    assert!(m.x.iter().all(|&v| v == 1.0));
    // inside arithmetic a comparison is 0/1
    let m = model_frame("y ~ I((x > 4) * x)", &d(), None).unwrap();
    assert_eq!(
        m.x.chunks(2).map(|r| r[1]).collect::<Vec<_>>(),
        [0.0, 0.0, 0.0, 0.0, 5.0, 6.5, 7.0, 8.0]
    );
}

#[test]
fn bases_need_the_fitting_data_before_new_data() {
    // a spec that never saw the fitting data cannot place the knots for new data
    let spec = DesignSpec {
        formula: Formula::parse("y ~ ns(x, 3)").unwrap(),
        levels: Vec::new(),
    };
    let e = spec.design_for(&d()).unwrap_err().to_string();
    assert!(e.contains("ns(x, 3) depends on the fitting data"), "{e}");
    // given knots and raw powers need nothing from it
    let spec = DesignSpec {
        formula: Formula::parse("y ~ ns(x, knots = 4, Boundary.knots = c(1, 9)) + poly(z, 2, raw = TRUE)").unwrap(),
        levels: Vec::new(),
    };
    assert_eq!(spec.design_for(&d()).unwrap().p, 5);
    // the fitted spec carries the knots: new data with one row reuse them
    let m = model_frame("y ~ ns(x, 3) + scale(z) + poly(x, 2)", &d(), None).unwrap();
    let one = read_csv_bytes("one.csv", b"x,z\n4,3\n").unwrap();
    let nd = m.spec.design_for(&one).unwrap();
    assert_eq!(nd.row(0), m.row(3));
    // a fit in parts refuses a basis that needs the whole data
    let cols = d().names().iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let cols: Vec<&str> = cols.iter().map(String::as_str).collect();
    let parts = [crate::distributed::part_levels("y ~ poly(x, 2)", &d(), None).unwrap()];
    let e = crate::distributed::merge_levels("y ~ poly(x, 2)", &cols, None, &parts, "d.csv")
        .unwrap_err()
        .to_string();
    assert!(e.contains("poly(x, 2) depends on the whole data"), "{e}");
}

#[test]
fn a_factor_level_of_a_million_characters_is_refused_with_its_line() {
    let text = format!("y,x\n1,a\n2,{}\n3,b\n", "z".repeat(1_000_000));
    let f = read_csv_bytes("long.csv", text.as_bytes()).unwrap();
    let e = input_err(model_frame("y ~ x", &f, None));
    assert!(
        e.contains("line 3") && e.contains("a level of 1000000 characters") && e.len() < 500,
        "{e}"
    );
}

#[test]
fn weights_all_zero_or_beyond_reach_are_named() {
    let f = read_csv_bytes("w.csv", b"y,x,w\n1,2,0\n0,1,0\n1,3,0\n").unwrap();
    let e = input_err(model_frame("y ~ x", &f, Some("w")));
    assert!(e.contains("every weight in column 'w' is 0 on the 3 rows used"), "{e}");
    let f = read_csv_bytes("w.csv", b"y,x,w\n1,2,1\n0,1,1e308\n1,3,1\n").unwrap();
    let e = input_err(model_frame("y ~ x", &f, Some("w")));
    assert!(
        e.contains("line 3") && e.contains("is 1e308; weights above 1e100"),
        "{e}"
    );
}
