//! Tests of the distributed fit: over parts held in this process ([`crate::parts_local`]) it
//! equals the fit in memory, refuses what it cannot do, and counts its passes.

use super::*;
use crate::parts_local::{self, rows, Local};
use dimorph_data::Column;

fn data(name: &str) -> Frame {
    dimorph_data::read_csv(format!("{}/../../data/{name}", env!("CARGO_MANIFEST_DIR"))).expect("bundled data")
}

/// The crab data with a text column `shade` (from `color`: levels light, medium, dark,
/// darker) and sorted by it, so that most parts see only some of its levels.
fn crabs_by_shade() -> Frame {
    let mut f = data("crabs.csv");
    let color = f.numeric("color").expect("color").to_vec();
    let mut order: Vec<usize> = (0..f.nrows).collect();
    order.sort_by(|&a, &b| color[a].total_cmp(&color[b]));
    for c in &mut f.columns {
        if let ColumnData::Num(v) = &mut c.data {
            *v = order.iter().map(|&i| v[i]).collect();
        }
    }
    let names = ["light", "medium", "dark", "darker"];
    let shade = order
        .iter()
        .map(|&i| Some(names[(color[i] as usize).clamp(1, 4) - 1].to_string()))
        .collect();
    let y = f
        .numeric("satell")
        .expect("satell")
        .iter()
        .map(|&s| f64::from(u8::from(s > 0.0)))
        .collect();
    f.columns.push(Column {
        name: "y".into(),
        data: ColumnData::Num(y),
    });
    f.columns.push(Column {
        name: "shade".into(),
        data: ColumnData::Text {
            values: shade,
            first_non_numeric: None,
        },
    });
    f
}

/// Fits `formula` over `k` parts and on the whole frame; every figure agrees to `tol`
/// ([`parts_local::assert_same_fit`]).
fn same_as_single_machine(frame: &Frame, formula: &str, opts: &GlmOptions, k: usize, tol: f64) {
    let d = parts_local::fit_over_parts(formula, frame, k, opts).expect("distributed fit");
    let mf = model_frame(formula, frame, None).expect("model frame");
    let s = crate::fit(&mf, opts).expect("single-machine fit");
    parts_local::assert_same_fit(formula, &d, &s, tol);
}

#[test]
fn distributed_fits_equal_the_single_machine_fit() {
    let crabs = crabs_by_shade();
    let snoring = data("snoring.csv");
    let o = |family: Family, link: Option<Link>| GlmOptions {
        estimate_theta: false,
        ..GlmOptions::new(family, link)
    };
    // a factor whose levels each part sees only some of (sorted by shade, 7 parts)
    same_as_single_machine(&crabs, "satell ~ width + shade", &o(Family::Poisson, None), 7, 1e-10);
    same_as_single_machine(
        &crabs,
        "satell ~ width + C(color, ref=4)",
        &o(Family::Poisson, None),
        5,
        1e-10,
    );
    // binary logistic, an interaction with a text factor
    same_as_single_machine(&crabs, "y ~ width * shade", &o(Family::Binomial, None), 4, 1e-10);
    // non-canonical links: the Newton polish and the observed information
    same_as_single_machine(
        &crabs,
        "satell ~ width",
        &o(Family::Poisson, Some(Link::Identity)),
        3,
        1e-10,
    );
    same_as_single_machine(
        &snoring,
        "disease/total ~ snoring",
        &o(Family::Binomial, Some(Link::Identity)),
        2,
        1e-10,
    );
    same_as_single_machine(
        &snoring,
        "disease/total ~ snoring",
        &o(Family::Binomial, Some(Link::Probit)),
        3,
        1e-10,
    );
    // estimated dispersion, an offset (the null model refitted), no intercept
    same_as_single_machine(
        &crabs,
        "weight ~ width + shade",
        &o(Family::Gamma, Some(Link::Log)),
        6,
        1e-10,
    );
    same_as_single_machine(
        &crabs,
        "satell ~ width + offset(log(weight))",
        &o(Family::Poisson, None),
        4,
        1e-10,
    );
    same_as_single_machine(&crabs, "weight ~ width - 1", &o(Family::Gaussian, None), 5, 1e-10);
    // the negative binomial with θ fixed (Newton polish of its log link)
    same_as_single_machine(
        &crabs,
        "satell ~ width + shade",
        &o(Family::NegBin { theta: 0.9 }, None),
        4,
        1e-10,
    );
    // an ill-conditioned design (a raw cubic in width, κ(XᵀX) = 2.7e14): β refined by Newton
    // steps in both; the order of the sums moves β by κ·ε-sized amounts (4e-9 measured)
    same_as_single_machine(
        &crabs,
        "weight ~ width + I(width^2) + I(width^3)",
        &o(Family::Gaussian, None),
        3,
        1e-7,
    );
}

#[test]
fn parts_disagreeing_or_missing_levels_are_refused() {
    let crabs = crabs_by_shade();
    let names = crabs.names();
    let parts = [rows(&crabs, 0, 10)];
    let lv: Vec<PartLevels> = parts
        .iter()
        .map(|f| part_levels("satell ~ shade", f, None).unwrap())
        .collect();
    let e = merge_levels("satell ~ shade", &names, None, &lv, "ddf")
        .unwrap_err()
        .to_string();
    assert!(e.contains("only one level"), "{e}");
    let e = merge_levels(
        "satell ~ C(color, ref=9)",
        &names,
        None,
        &[part_levels("satell ~ C(color, ref=9)", &crabs, None).unwrap()],
        "ddf",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("no level '9'"), "{e}");
    // starting values: one finite value per column of X
    let cols: Vec<String> = ["(Intercept)", "width"].iter().map(|s| s.to_string()).collect();
    let mut o = GlmOptions::new(Family::Poisson, None);
    o.start = Some(vec![0.0]);
    let e = check_options(&o, &cols).unwrap_err().to_string();
    assert!(
        e.starts_with("--start: has 1 values but the model has 2 coefficients"),
        "{e}"
    );
    o.start = Some(vec![0.0, f64::INFINITY]);
    let e = check_options(&o, &cols).unwrap_err().to_string();
    assert!(e.starts_with("--start: values must be finite"), "{e}");
    o.start = Some(vec![0.0, 0.1]);
    assert!(check_options(&o, &cols).is_ok());
}

/// θ of the negative binomial estimated over parts (a factor whose levels each part sees only
/// some of) equals the fit in memory: β, both SEs, deviance, the log-likelihood, AIC (θ counted),
/// θ̂ and its SE to 1e-10; the counts of a binary response are not over-dispersed, so θ̂ is
/// infinite and both fall back to the Poisson model with the same warning.
#[test]
fn negative_binomial_theta_over_parts_equals_the_single_machine_estimate() {
    let crabs = crabs_by_shade();
    let nb = GlmOptions::new(Family::NegBin { theta: 1.0 }, None);
    assert!(nb.estimate_theta);
    for (formula, k) in [("satell ~ width + shade", 7), ("satell ~ weight", 3)] {
        let d = parts_local::fit_over_parts(formula, &crabs, k, &nb).expect("distributed fit");
        let mf = model_frame(formula, &crabs, None).expect("model frame");
        let s = crate::fit(&mf, &nb).expect("single-machine fit");
        parts_local::assert_same_fit(formula, &d, &s, 1e-10);
        let (a, b) = (
            d.theta.as_ref().expect("θ over parts"),
            s.theta.as_ref().expect("θ in memory"),
        );
        assert!(
            (a.theta - b.theta).abs() <= 1e-10 * b.theta,
            "{formula}: θ {} vs {}",
            a.theta,
            b.theta
        );
        assert!(
            (a.se - b.se).abs() <= 1e-10 * b.se,
            "{formula}: se(θ) {} vs {}",
            a.se,
            b.se
        );
        assert_eq!(a.iterations, b.iterations, "{formula}");
        assert_eq!(d.family, s.family.name(), "{formula}");
        assert!(d.family.starts_with("Negative Binomial("), "{}", d.family);
    }
    // not over-dispersed: the Poisson model, with the in-memory fit's warning
    let d = parts_local::fit_over_parts("y ~ width", &crabs, 4, &nb).expect("distributed fit");
    let mf = model_frame("y ~ width", &crabs, None).unwrap();
    let s = crate::fit(&mf, &nb).unwrap();
    parts_local::assert_same_fit("y ~ width", &d, &s, 1e-10);
    assert!(d.theta.is_none() && s.theta.is_none());
    assert_eq!(d.family, "poisson");
    assert_eq!(d.warnings.first(), s.warnings.first());
    assert!(d.warnings[0].contains("goes to infinity"), "{:?}", d.warnings);
}

/// A fit over parts started from its own solution converges in at most 2 iterations to the
/// same figures, as the fit in memory does from the same start; a negative binomial with θ
/// estimated starts its Poisson fit there.
#[test]
fn starting_values_over_parts_start_the_fit_as_in_memory() {
    let crabs = crabs_by_shade();
    for (formula, family, link) in [
        ("satell ~ width + shade", Family::Poisson, None),
        ("y ~ width + shade", Family::Binomial, Some(Link::Probit)),
    ] {
        let o = opts(family, link);
        let d = parts_local::fit_over_parts(formula, &crabs, 5, &o).unwrap();
        let started = GlmOptions {
            start: Some(d.coef.clone()),
            ..o.clone()
        };
        let e = parts_local::fit_over_parts(formula, &crabs, 5, &started).unwrap();
        assert!(e.iterations <= 2, "{formula}: {} iterations", e.iterations);
        let mf = model_frame(formula, &crabs, None).unwrap();
        let s = crate::fit(&mf, &started).unwrap();
        parts_local::assert_same_fit(formula, &e, &s, 1e-10);
        for j in 0..d.coef.len() {
            assert!(
                (e.coef[j] - d.coef[j]).abs() <= 1e-10 * d.coef[j].abs().max(1.0),
                "{formula}"
            );
        }
    }
    let nb = GlmOptions {
        start: Some(vec![-4.0, 0.2]),
        ..GlmOptions::new(Family::NegBin { theta: 1.0 }, None)
    };
    let d = parts_local::fit_over_parts("satell ~ width", &crabs, 3, &nb).unwrap();
    let mf = model_frame("satell ~ width", &crabs, None).unwrap();
    parts_local::assert_same_fit("negbin started", &d, &crate::fit(&mf, &nb).unwrap(), 1e-10);
    let bad = GlmOptions {
        start: Some(vec![0.0; 3]),
        ..nb
    };
    let e = parts_local::fit_over_parts("satell ~ width", &crabs, 3, &bad)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("--start: has 3 values but the model has 2 coefficients"),
        "{e}"
    );
}

/// [`Local`] that says its rows used ([`Passes::rows_used`]).
struct Counting(Local, Option<usize>);

impl Passes for Counting {
    type Error = GlmError;
    fn fisher(&mut self, beta: Option<&[f64]>) -> Result<Pass> {
        self.0.fisher(beta)
    }
    fn newton(&mut self, kept: &[usize], beta: &[f64]) -> Result<Newton> {
        self.0.newton(kept, beta)
    }
    fn stats(&mut self, q: &StatQuery) -> Result<StatSums> {
        self.0.stats(q)
    }
    fn rows_used(&mut self) -> Option<usize> {
        self.1
    }
    fn set_family(&mut self, family: Family) -> Result<()> {
        self.0.set_family(family)
    }
    fn theta(&mut self, beta: &[f64], theta: Option<f64>) -> Result<crate::negbin::ThetaSums> {
        self.0.theta(beta, theta)
    }
}

#[test]
fn rows_counted_by_the_first_pass_give_the_same_fit_with_one_pass_fewer() {
    let mut crabs = crabs_by_shade();
    // two rows miss a value the model uses: fewer rows used than rows
    for (name, i) in [("width", 5), ("satell", 90)] {
        if let Some(ColumnData::Num(v)) = crabs.columns.iter_mut().find(|c| c.name == name).map(|c| &mut c.data) {
            v[i] = f64::NAN;
        }
    }
    let names = crabs.names();
    for (formula, family, used) in [
        ("satell ~ width + shade", Family::Poisson, 171),
        ("y ~ width * shade", Family::Binomial, 172),
        ("satell ~ width + offset(log(weight))", Family::Poisson, 171),
    ] {
        let frames: Vec<Frame> = (0..6).map(|k| rows(&crabs, k * 173 / 6, (k + 1) * 173 / 6)).collect();
        let levels: Vec<PartLevels> = frames.iter().map(|f| part_levels(formula, f, None).unwrap()).collect();
        let counted: usize = levels.iter().map(|l| l.complete).sum();
        let spec = merge_levels(formula, &names, None, &levels, "crabs").unwrap();
        let parts: Vec<Part> = frames
            .iter()
            .map(|f| design_part(&spec, f, None, family).unwrap())
            .collect();
        let layout = Layout::new(&spec, parts[0].col_names.clone());
        let opts = GlmOptions {
            estimate_theta: false,
            ..GlmOptions::new(family, None)
        };
        let local = || Local {
            parts: parts.clone(),
            family,
            link: family.canonical_link(),
        };
        let plain = fit(&mut local(), &layout, &opts).unwrap();
        let told = fit(&mut Counting(local(), Some(counted)), &layout, &opts).unwrap();
        assert_eq!(counted, used, "{formula}");
        assert_eq!(plain.n_used, counted as f64, "{formula}");
        assert_eq!(told.passes + 1, plain.passes, "{formula}");
        // bit for bit: the same figures, the pass count aside
        let strip = |d: &DistFit| {
            let mut v = serde_json::to_value(d).unwrap();
            v["passes"] = serde_json::Value::Null;
            v.to_string()
        };
        assert_eq!(strip(&told), strip(&plain), "{formula}");
        // a count the passes contradict (the data changed between passes) is refused
        let e = fit(&mut Counting(local(), Some(counted + 1)), &layout, &opts)
            .unwrap_err()
            .to_string();
        let want = format!("the data changed during the fit: {} rows used were counted", used + 1);
        assert!(e.contains(&want), "{e}");
    }
}

/// Fits `formula` (weights column `weights`) over `k` parts and in memory: the fits agree to
/// 1e-10 ([`parts_local::assert_same_fit`]) and so do Rao's score tests against the null model
/// (statistic and p-value to 1e-10, df and the NA note exactly). Returns the test over parts.
fn same_score(
    frame: &Frame,
    formula: &str,
    weights: Option<&str>,
    opts: &GlmOptions,
    k: usize,
) -> crate::inference::ScoreTest {
    let (d, over) =
        parts_local::fit_and_score_over_parts(formula, frame, k, weights, opts).expect("distributed fit and score");
    let mf = model_frame(formula, frame, weights).expect("model frame");
    let s = crate::fit(&mf, opts).expect("single-machine fit");
    let mut d = d;
    if !opts.family.has_likelihood() {
        // a quasi family has no likelihood: NaN over parts; the fit in memory keeps the
        // saturated-model figures it computed (not compared here)
        assert!(
            d.loglik.is_nan() && d.loglik_kernel.is_nan() && d.aic.is_nan(),
            "{formula}"
        );
        (d.loglik, d.loglik_kernel, d.null_loglik) = (s.loglik, s.loglik_kernel, s.null_loglik);
    }
    parts_local::assert_same_fit(formula, &d, &s, 1e-10);
    let one = crate::inference::infer(&mf, &s, 0.95, false).score;
    let close = |what: &str, a: f64, b: f64| {
        let ok = (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-10 * b.abs().max(1.0);
        assert!(ok, "{formula}: score {what}: over parts {a} vs in memory {b}");
    };
    close("chi2", over.chi2, one.chi2);
    close("p", over.p_value, one.p_value);
    assert_eq!(over.df, one.df, "{formula}");
    assert_eq!(
        over.note.is_some(),
        one.note.is_some(),
        "{formula}: {over:?} vs {one:?}"
    );
    over
}

fn opts(family: Family, link: Option<Link>) -> GlmOptions {
    GlmOptions {
        estimate_theta: false,
        ..GlmOptions::new(family, link)
    }
}

/// Rao's score test over parts equals the single-machine test: factors whose levels only some
/// parts see, events/trials, an offset (null model refitted), no intercept, non-canonical links,
/// estimated dispersions (Gamma, Gaussian, quasi-Poisson: divided by φ), aliased columns; and
/// R's statistic UᵀI⁻¹U at the null MLE (tests/reference/score_test.R, R 4.2.2): 72.6880865038
/// for the snoring logit, 67.4718867775 for the crab Poisson model.
#[test]
fn score_test_over_parts_equals_the_single_machine_test() {
    let crabs = crabs_by_shade();
    let snoring = data("snoring.csv");
    let s = same_score(
        &snoring,
        "disease/total ~ snoring",
        None,
        &opts(Family::Binomial, None),
        3,
    );
    assert!((s.chi2 - 72.6880865038).abs() < 1e-8, "{}", s.chi2);
    let s = same_score(&crabs, "satell ~ width", None, &opts(Family::Poisson, None), 4);
    assert!((s.chi2 - 67.4718867775).abs() < 1e-8, "{}", s.chi2);
    assert_eq!(s.df, 1);
    // shade: three levels in the rows used, each part sorted by it sees one or two
    let s = same_score(&crabs, "satell ~ width + shade", None, &opts(Family::Poisson, None), 7);
    assert_eq!(s.df, 3);
    same_score(&crabs, "y ~ width * shade", None, &opts(Family::Binomial, None), 4);
    same_score(
        &crabs,
        "y ~ width + shade",
        None,
        &opts(Family::Binomial, Some(Link::Probit)),
        5,
    );
    same_score(
        &crabs,
        "satell ~ width + offset(log(weight))",
        None,
        &opts(Family::Poisson, None),
        4,
    );
    same_score(
        &crabs,
        "satell ~ width",
        None,
        &opts(Family::Poisson, Some(Link::Identity)),
        3,
    );
    same_score(
        &crabs,
        "weight ~ width + shade",
        None,
        &opts(Family::Gamma, Some(Link::Log)),
        6,
    );
    same_score(&crabs, "weight ~ width + shade", None, &opts(Family::Gaussian, None), 5);
    same_score(&crabs, "weight ~ width - 1", None, &opts(Family::Gaussian, None), 5);
    same_score(
        &crabs,
        "satell ~ width + shade",
        None,
        &opts(Family::QuasiPoisson, None),
        4,
    );
    same_score(
        &crabs,
        "satell ~ width + shade",
        None,
        &opts(Family::NegBin { theta: 0.9 }, None),
        4,
    );
    // an aliased column (width twice): the test on the estimated columns only
    let s = same_score(
        &crabs,
        "satell ~ width + I(2 * width)",
        None,
        &opts(Family::Poisson, None),
        3,
    );
    assert_eq!(s.df, 1);
}

/// A null model that cannot be scored gives NA with the single-machine words: the sqrt link
/// without an intercept, whose null η₀ is a negative offset on some rows (R's
/// `anova(..., test = "Rao")` stops: "invalid linear predictor values in empty model").
#[test]
fn score_test_over_parts_is_na_where_the_single_machine_test_is() {
    let mut crabs = crabs_by_shade();
    let o: Vec<f64> = (0..crabs.nrows).map(|i| if i % 9 == 4 { -0.5 } else { 0.3 }).collect();
    crabs.columns.push(Column {
        name: "o".into(),
        data: ColumnData::Num(o),
    });
    let s = same_score(
        &crabs,
        "satell ~ 0 + width + offset(o)",
        None,
        &opts(Family::Poisson, Some(Link::Sqrt)),
        3,
    );
    let note = s.note.expect("a reason for the NA");
    assert!(s.chi2.is_nan() && s.p_value.is_nan());
    assert!(
        note.starts_with("the null model's linear predictor is outside the sqrt link's valid range (η₀ = -0.5 at partition 0, row 5 of its rows used)"),
        "{note}"
    );
    let mf = model_frame("satell ~ 0 + width + offset(o)", &crabs, None).unwrap();
    let f = crate::fit(&mf, &opts(Family::Poisson, Some(Link::Sqrt))).unwrap();
    let one = crate::inference::infer(&mf, &f, 0.95, false).score.note.unwrap();
    // the same words, the row named by its file line in memory
    let tail = "): no score test (R's anova(..., test = \"Rao\") refuses that null model)";
    assert!(one.ends_with(tail) && note.ends_with(tail), "{one}");
    assert_eq!(one.split(" at ").next(), note.split(" at ").next());
}

/// Frequency weights over parts equal the single-machine fit with `--freq` (each row counts its
/// frequency times in n: residual and null df, dispersion, AIC's and BIC's n, the Gamma's
/// likelihood scale), zero frequencies and events/trials included; the score test too.
#[test]
fn frequency_weights_over_parts_equal_the_single_machine_fit() {
    let mut crabs = crabs_by_shade();
    let f: Vec<f64> = (0..crabs.nrows).map(|i| ((i * 7) % 4) as f64).collect();
    crabs.columns.push(Column {
        name: "f".into(),
        data: ColumnData::Num(f),
    });
    let mut snoring = data("snoring.csv");
    let g: Vec<f64> = (0..snoring.nrows).map(|i| (i % 3 + 1) as f64).collect();
    snoring.columns.push(Column {
        name: "g".into(),
        data: ColumnData::Num(g),
    });
    let freq = |family: Family, link: Option<Link>| GlmOptions {
        frequency_weights: true,
        ..opts(family, link)
    };
    for (frame, formula, o, k) in [
        (&crabs, "satell ~ width + shade", freq(Family::Poisson, None), 5),
        (&crabs, "y ~ width + shade", freq(Family::Binomial, None), 4),
        (
            &crabs,
            "weight ~ width + shade",
            freq(Family::Gamma, Some(Link::Log)),
            6,
        ),
        (&crabs, "weight ~ width", freq(Family::Gaussian, None), 3),
        (
            &crabs,
            "satell ~ width + offset(log(weight))",
            freq(Family::QuasiPoisson, None),
            4,
        ),
        (&snoring, "disease/total ~ snoring", freq(Family::Binomial, None), 2),
    ] {
        let w = if std::ptr::eq(frame, &snoring) { "g" } else { "f" };
        same_score(frame, formula, Some(w), &o, k);
        // the frequencies, not the rows, are the observations
        let d = parts_local::fit_and_score_over_parts(formula, frame, k, Some(w), &o)
            .unwrap()
            .0;
        let rows = d.n_used;
        assert!(d.n_obs != rows, "{formula}: n {} vs rows {rows}", d.n_obs);
    }
}

/// PROC LOGISTIC's association table over parts: each part's events and non-events in bins of
/// predicted probability, added, give the in-memory table (SAS's BINWIDTH 0.002, and a coarser
/// 0.05): the same pairs, concordant, discordant and tied counts, and c, Somers' D, γ, τₐ; with
/// a factor whose levels only some parts see, and with frequency weights.
#[test]
fn association_bins_over_parts_give_the_in_memory_table() {
    let crabs = crabs_by_shade();
    for (weights, bw) in [(None, 0.002), (None, 0.05), (Some("spine"), 0.002)] {
        let mut o = opts(Family::Binomial, None);
        o.frequency_weights = weights.is_some();
        let (local, layout) = parts_local::parts_weighted("y ~ width + shade", &crabs, 5, weights, &o).expect("parts");
        let mut local = local;
        let d = fit(&mut local, &layout, &o).expect("fit");
        let mut bins = crate::binary::AssociationBins::default();
        for part in &local.parts {
            bins.add(&association_bins(part, &d.coef, Link::Logit, bw, weights.is_some()));
        }
        let got = bins.table(bw);
        let mf = model_frame("y ~ width + shade", &crabs, weights).expect("model frame");
        let s = crate::fit(&mf, &o).expect("fit");
        let want = crate::binary::association(&mf, &s, bw);
        assert!(want.pairs > 1000.0, "{want:?}");
        same_association(&got, &want, 1e-12, &format!("{weights:?} {bw}"));
    }
}

/// Every count and statistic of the association table `got` over parts equals `want` in memory,
/// to `tol` relative.
fn same_association(got: &crate::binary::Association, want: &crate::binary::Association, tol: f64, case: &str) {
    for (what, a, b) in [
        ("pairs", got.pairs, want.pairs),
        ("concordant", got.concordant, want.concordant),
        ("discordant", got.discordant, want.discordant),
        ("tied", got.tied, want.tied),
        ("c", got.c, want.c),
        ("somers_d", got.somers_d, want.somers_d),
        ("gamma", got.gamma, want.gamma),
        ("tau_a", got.tau_a, want.tau_a),
    ] {
        assert!(
            (a - b).abs() <= tol * b.abs().max(1.0),
            "{case} {what}: {a} over parts, {b} in memory"
        );
    }
}

/// With exact probabilities (BINWIDTH 0) and for the Hosmer–Lemeshow test, each part's events and
/// non-events at each distinct predicted probability, added, give the in-memory table and test:
/// the same pair counts, χ², df, p and groups; with a factor whose levels only some parts see, and
/// with frequency weights (the frequencies, not the rows, are the observations grouped).
#[test]
fn probability_groups_over_parts_give_the_exact_table_and_the_hosmer_lemeshow_test() {
    let crabs = crabs_by_shade();
    for weights in [None, Some("spine")] {
        let mut o = opts(Family::Binomial, None);
        o.frequency_weights = weights.is_some();
        let (mut local, layout) =
            parts_local::parts_weighted("y ~ width + shade", &crabs, 5, weights, &o).expect("parts");
        let d = fit(&mut local, &layout, &o).expect("fit");
        let mut groups = crate::probability_groups::ProbabilityGroups::default();
        for part in &local.parts {
            groups.add(&probability_groups(part, &d.coef, Link::Logit, weights.is_some()));
        }
        let mf = model_frame("y ~ width + shade", &crabs, weights).expect("model frame");
        let s = crate::fit(&mf, &o).expect("fit");
        let close = |what: &str, a: f64, b: f64| {
            assert!(
                (a - b).abs() <= 1e-10 * b.abs().max(1.0),
                "{weights:?} {what}: {a} over parts, {b} in memory"
            )
        };
        let (got, want) = (groups.association(0.0), crate::binary::association(&mf, &s, 0.0));
        assert!(want.pairs > 1000.0 && want.tied > 0.0, "{want:?}");
        same_association(&got, &want, 1e-10, &format!("{weights:?} exact"));
        let (got, want) = (groups.hosmer_lemeshow(), crate::binary::hosmer_lemeshow(&mf, &s));
        assert_eq!((got.df, got.groups.len()), (want.df, want.groups.len()));
        assert!(want.groups.len() >= 8, "{want:?}");
        close("chi2", got.chi2, want.chi2);
        close("p", got.p_value, want.p_value);
        for (g, w) in got.groups.iter().zip(&want.groups) {
            close("n", g.n, w.n);
            close("observed events", g.observed_events, w.observed_events);
            close("expected events", g.expected_events, w.expected_events);
        }
    }
}
