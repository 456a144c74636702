//! The null model y ~ 1 + offset, refitted for the null deviance from a valid start where the
//! family's start leaves the link's range (`src/null_refit.rs`), in memory and over parts (the
//! distributed fit, as `--stream` and Dask run it), against R 4.2.2 (`tests/peers/null_start.R`
//! → `null_start.csv`, on data the script draws with R's generator: `null_start_gamma.csv`,
//! `null_start_truncated.csv`, and `sqrt_link_null.csv` from `sqrt_link.R`).
//!
//! R's plain `glm(y ~ 1 + offset(o))` stops on these data ("no valid set of coefficients has
//! been found"); R's values are from the start b₀ = g(ȳ) − min(offset), as ours, and on the
//! Gamma data also from R's own `glm` of the full model (which refits the null model from the
//! full model's fitted means): the same null deviance. Before, the fit over parts gave the null
//! deviance as NA (and the in-memory fit too on the inverse link).
//!
//! Where no step finds a null model (`null_start_none.R`: every count 0, so g(ȳ) = 0; R stops
//! in its glm), the null deviance is NA with its reason, in memory and over parts.
//!
//! Tolerances: figures against R at 1e-8 relative (R stops at a relative deviance change of
//! 1e-14; β of these links is then good to about 1e-8, so coefficients at 1e-7); over parts
//! against in memory at 1e-10 (the same path, sums in another order).

use std::collections::HashMap;
use std::path::PathBuf;

use dimorph_glm::distributed::DistFit;
use dimorph_glm::family::Family;
use dimorph_glm::fit::{fit, GlmFit};
use dimorph_glm::inference::infer;
use dimorph_glm::inference::ScoreTest;
use dimorph_glm::link::Link;
use dimorph_glm::options::GlmOptions;
use dimorph_glm::parts_local::{fit_and_score_over_parts, fit_over_parts};
use dimorph_glm::{model_frame, ModelFrame};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/peers")
}

/// R's values: (case, quantity) → value, and (case, quantity) → texts (warnings: text → count).
struct Peer {
    values: HashMap<(String, String), f64>,
    texts: HashMap<(String, String), Vec<(String, f64)>>,
}

/// A value field of the R scripts' CSV output: a number, or R's NA as NaN.
fn r_number(v: &str) -> f64 {
    if v == "NA" {
        f64::NAN
    } else {
        v.parse::<f64>().expect("number")
    }
}

impl Peer {
    fn load() -> Peer {
        let text = std::fs::read_to_string(root().join("null_start.csv")).expect("null_start.csv");
        let (mut values, mut texts) = (HashMap::new(), HashMap::<_, Vec<(String, f64)>>::new());
        for line in text.lines().skip(1) {
            // "case","quantity",value,"text" (no field holds a comma but the text)
            let mut it = line.splitn(4, ',');
            let case = it.next().expect("case").trim_matches('"').to_string();
            let q = it.next().expect("quantity").trim_matches('"').to_string();
            let v = it.next().expect("value");
            let t = it.next().expect("text").trim_matches('"').to_string();
            let v = r_number(v);
            values.insert((case.clone(), q.clone()), v);
            texts.entry((case, q)).or_default().push((t, v));
        }
        Peer { values, texts }
    }
    fn get(&self, case: &str, q: &str) -> f64 {
        *self
            .values
            .get(&(case.to_string(), q.to_string()))
            .unwrap_or_else(|| panic!("no {case}/{q} in null_start.csv"))
    }
    fn texts(&self, case: &str, q: &str) -> Vec<(String, f64)> {
        self.texts
            .get(&(case.to_string(), q.to_string()))
            .cloned()
            .unwrap_or_default()
    }
}

const R_REFUSES: &str = "no valid set of coefficients has been found: please supply starting values";

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

fn close(what: &str, ours: f64, r: f64, tol: f64) {
    assert!(
        rel(ours, r) < tol,
        "{what}: {ours} vs {r} (relative {:e})",
        rel(ours, r)
    );
}

/// The fit in memory, its model frame and the fit over `k` parts.
fn fits(file: &str, formula: &str, opts: &GlmOptions, k: usize) -> (ModelFrame, GlmFit, DistFit) {
    let data = dimorph_data::read_table(root().join(file)).expect("data");
    let mf = model_frame(formula, &data, None).expect("model frame");
    let s = fit(&mf, opts).expect("in-memory fit");
    let d = fit_over_parts(formula, &data, k, opts).expect("fit over parts");
    (mf, s, d)
}

/// Rao's score test against the null model over `k` parts (`crate::distributed_score`).
fn score_over_parts(file: &str, formula: &str, opts: &GlmOptions, k: usize) -> ScoreTest {
    let data = dimorph_data::read_table(root().join(file)).expect("data");
    fit_and_score_over_parts(formula, &data, k, None, opts)
        .expect("fit over parts")
        .1
}

/// Over parts equal to in memory: coefficients, SEs, deviance, null deviance, log-likelihoods,
/// AIC, and the same warnings.
fn same_over_parts(s: &GlmFit, d: &DistFit) {
    for j in 0..s.coef.len() {
        close("coef over parts", d.coef[j], s.coef[j], 1e-10);
        close("se over parts", d.se_expected[j], s.se_expected[j], 1e-10);
    }
    close("deviance over parts", d.deviance, s.deviance, 1e-10);
    close("null deviance over parts", d.null_deviance, s.null_deviance, 1e-10);
    close("null logLik over parts", d.null_loglik, s.null_loglik, 1e-10);
    close("logLik over parts", d.loglik, s.loglik, 1e-10);
    close("AIC over parts", d.aic, s.aic, 1e-10);
    let mut ds = d.warnings.clone();
    let mut ss = s.warnings.clone();
    ds.sort();
    ss.sort();
    assert_eq!(ds, ss, "warnings over parts and in memory");
}

/// The likelihood-ratio statistic of the model against the null model (deviance difference).
fn lr(null_deviance: f64, deviance: f64) -> f64 {
    null_deviance - deviance
}

/// Gamma, inverse link (η ≠ 0, μ = 1/η > 0): R's own glm of the full model gets a null deviance
/// (its null refit starts from the full model's fitted means); ours, from b₀ = 1/ȳ − min(o), is
/// the same in memory and over parts, and so are the LR and score tests against it.
#[test]
fn inverse_link_null_model_equals_rs_glm_in_memory_and_over_parts() {
    let peer = Peer::load();
    assert_eq!(peer.texts("gamma", "null_glm_error")[0].0, R_REFUSES);
    let opts = GlmOptions::new(Family::Gamma, Some(Link::Inverse));
    let (mf, s, d) = fits("null_start_gamma.csv", "y ~ x + offset(o)", &opts, 5);
    for (j, name) in s.coef_names.iter().enumerate() {
        close(name, s.coef[j], peer.get("gamma", &format!("coef:{name}")), 1e-7);
        close(name, s.se_expected[j], peer.get("gamma", &format!("se:{name}")), 1e-7);
    }
    close("dispersion", s.dispersion, peer.get("gamma", "dispersion"), 1e-8);
    close("deviance", s.deviance, peer.get("gamma", "deviance"), 1e-8);
    close(
        "null deviance (R's glm)",
        s.null_deviance,
        peer.get("gamma", "glm_null_deviance"),
        1e-8,
    );
    close(
        "null deviance (R from b0)",
        s.null_deviance,
        peer.get("gamma", "null_deviance"),
        1e-8,
    );
    close("null logLik", s.null_loglik, peer.get("gamma", "null_loglik"), 1e-8);
    let mu_min = s.null_mu.iter().cloned().fold(f64::INFINITY, f64::min);
    assert!(mu_min > 0.0, "{mu_min}");
    let lr_r = peer.get("gamma", "lr_deviance");
    close("LR deviance", lr(s.null_deviance, s.deviance), lr_r, 1e-8);
    close("LR deviance over parts", lr(d.null_deviance, d.deviance), lr_r, 1e-8);
    let inf = infer(&mf, &s, 0.95, false);
    // R's anova column "Rao" is the score statistic before division by the dispersion, which
    // stat.anova divides by for the p-value; ours is the divided statistic
    let rao_r = peer.get("gamma", "rao") / peer.get("gamma", "dispersion");
    close("Rao score", inf.score.chi2, rao_r, 1e-8);
    close("Rao p-value", inf.score.p_value, peer.get("gamma", "rao_p"), 1e-6);
    let over = score_over_parts("null_start_gamma.csv", "y ~ x + offset(o)", &opts, 5);
    close("Rao score over parts", over.chi2, rao_r, 1e-8);
    close("Rao score over parts and in memory", over.chi2, inf.score.chi2, 1e-10);
    close("Rao p-value over parts", over.p_value, peer.get("gamma", "rao_p"), 1e-6);
    assert_eq!(over.df, inf.score.df);
    close("global LR", inf.global.lr_chi2, lr_r / s.dispersion, 1e-8);
    // R gave its null refit from b0 no warning, nor do we
    assert!(peer.texts("gamma_null", "warning").is_empty());
    assert!(!s.warnings.iter().any(|w| w.contains("null")), "{:?}", s.warnings);
    same_over_parts(&s, &d);
}

/// Poisson, square-root link (`sqrt_link_null.csv`): the null model from b₀ = √ȳ − min(o) over
/// parts equals R's from that start (deviance and log-likelihood) and the fit in memory; before,
/// it was NA with a warning over parts.
#[test]
fn sqrt_link_null_model_over_parts_equals_r_from_a_valid_start() {
    let peer = Peer::load();
    let opts = GlmOptions::new(Family::Poisson, Some(Link::Sqrt));
    let (mf, s, d) = fits("sqrt_link_null.csv", "y ~ x + offset(o)", &opts, 4);
    close(
        "null deviance",
        d.null_deviance,
        peer.get("sqrt", "null_deviance"),
        1e-8,
    );
    close("null logLik", d.null_loglik, peer.get("sqrt", "null_loglik"), 1e-8);
    close("deviance", d.deviance, peer.get("sqrt", "deviance"), 1e-8);
    close("logLik", d.loglik, peer.get("sqrt", "loglik"), 1e-8);
    let lr_r = peer.get("sqrt", "null_deviance") - peer.get("sqrt", "deviance");
    close("LR", lr(d.null_deviance, d.deviance), lr_r, 1e-8);
    close(
        "global LR in memory",
        infer(&mf, &s, 0.95, false).global.lr_chi2,
        lr_r,
        1e-8,
    );
    assert!(peer.texts("sqrt_null", "warning").is_empty());
    assert!(!d.warnings.iter().any(|w| w.contains("null model")), "{:?}", d.warnings);
    same_over_parts(&s, &d);
}

/// A null refit whose Fisher steps leave the range and are halved back: R's glm(y ~ x +
/// offset(o)) stops in its null refit; R from b₀ = √ȳ − min(o) warns "step size truncated: out of
/// bounds" twice and converges inside the range (no "algorithm stopped at boundary value"). Ours
/// takes the same start and says so, of the null model, with R's words, in memory and over
/// parts, and reaches the same null deviance. The count can be lower than R's: near this
/// maximum R's Fisher steps keep crossing the edge (with ε = 1e-14 R truncates 83 times and does
/// not converge in 200 iterations, at a higher deviance), while ours turn to Newton steps once
/// the relative change is below 1e-5.
#[test]
fn null_refit_warns_of_its_truncated_steps_as_r_does() {
    let peer = Peer::load();
    assert_eq!(peer.texts("truncated", "glm_error")[0].0, R_REFUSES);
    assert_eq!(peer.texts("truncated", "null_glm_error")[0].0, R_REFUSES);
    let r = peer.texts("truncated_null", "warning");
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0].0, "step size truncated: out of bounds");
    let r_times = r[0].1 as usize;
    assert_eq!(peer.get("truncated", "null_boundary"), 0.0);
    assert_eq!(peer.get("truncated", "null_converged"), 1.0);
    assert_eq!(peer.get("truncated", "full_boundary"), 0.0);
    assert!(peer.texts("truncated_full", "warning").is_empty());
    let opts = GlmOptions::new(Family::Poisson, Some(Link::Sqrt));
    let (_, s, d) = fits("null_start_truncated.csv", "y ~ x + offset(o)", &opts, 3);
    close("deviance", s.deviance, peer.get("truncated", "deviance"), 1e-8);
    close(
        "null deviance",
        s.null_deviance,
        peer.get("truncated", "null_deviance"),
        1e-8,
    );
    let null: Vec<&String> = s.warnings.iter().filter(|w| w.contains("null")).collect();
    assert_eq!(null.len(), 1, "{null:?}");
    let w = null[0];
    let prefix = "the null model (intercept and offset), refitted for the null deviance: step size truncated ";
    let times: usize = w
        .strip_prefix(prefix)
        .and_then(|t| t.split(' ').next())
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("{w}"));
    assert!((1..=r_times).contains(&times), "{times} vs R's {r_times}: {w}");
    assert!(w.contains("(R: \"step size truncated: out of bounds\")"), "{w}");
    assert!(!w.contains("boundary"), "{w}");
    eprintln!(
        "null refit: {times} truncated steps (R {r_times}); null deviance {} (R {})",
        s.null_deviance,
        peer.get("truncated", "null_deviance")
    );
    same_over_parts(&s, &d);
}

/// R's values of `null_start_none.R`: quantity → (value, text).
fn none_peer() -> HashMap<String, (f64, String)> {
    let text = std::fs::read_to_string(root().join("null_start_none.csv")).expect("null_start_none.csv");
    text.lines()
        .skip(1)
        .map(|line| {
            let mut it = line.splitn(3, ',');
            let q = it.next().expect("quantity").trim_matches('"').to_string();
            let v = it.next().expect("value");
            let t = it.next().expect("text").trim_matches('"').to_string();
            let v = r_number(v);
            (q, (v, t))
        })
        .collect()
}

/// All three steps of the null refit fail (Poisson, square-root link, every count 0, an offset
/// negative on 7 of 12 rows; `tests/peers/null_start_none.R`): the family's start leaves η > 0 at
/// its first step (R's null glm: "no valid set of coefficients"), b₀ = √ȳ − min(o) = 0.3 puts
/// η = 0 on a row (R from it: "cannot find valid starting values") and the intercept-only
/// anchor η = o is invalid where o ≤ 0. R's glm of the full model stops in its null refit; ours
/// fits the full model (to the boundary η → 0 as R's glm.fit: β to 1e-4 absolute, R stops at a
/// deviance of 1.4e-10) and gives the null deviance, the null log-likelihood and the global
/// tests as NA with the reason, in memory and over 3 parts; R's summary text prints NA.
#[test]
fn no_null_start_gives_na_with_its_reason() {
    let r = none_peer();
    let text = |q: &str| r.get(q).unwrap_or_else(|| panic!("no {q}")).1.clone();
    let value = |q: &str| r.get(q).unwrap_or_else(|| panic!("no {q}")).0;
    assert_eq!(text("glm_error"), R_REFUSES);
    assert_eq!(text("null_glm_error"), R_REFUSES);
    assert_eq!(
        text("null_b0_error"),
        "cannot find valid starting values: please specify some"
    );
    assert_eq!(value("anchor_invalid_rows"), 7.0);
    let opts = GlmOptions::new(Family::Poisson, Some(Link::Sqrt));
    let (mf, s, d) = fits("null_start_none_data.csv", "k ~ x + offset(o)", &opts, 3);
    let reason = dimorph_glm::null_refit::no_fit_warning(Link::Sqrt);
    assert!(reason.contains("η = Xβ + offset > 0 on every row"), "{reason}");
    for (what, null_dev, null_ll, warnings) in [
        ("in memory", s.null_deviance, s.null_loglik, &s.warnings),
        ("over parts", d.null_deviance, d.null_loglik, &d.warnings),
    ] {
        assert!(null_dev.is_nan(), "{what}: null deviance {null_dev}");
        assert!(null_ll.is_nan(), "{what}: null logLik {null_ll}");
        assert_eq!(
            warnings.iter().filter(|w| **w == reason).count(),
            1,
            "{what}: {warnings:?}"
        );
    }
    // the full model: finite, at R's limit
    for (j, name) in s.coef_names.iter().enumerate() {
        let b = value(&format!("coef:{name}"));
        assert!((s.coef[j] - b).abs() < 1e-4, "{name}: {} vs R {b}", s.coef[j]);
        assert!((d.coef[j] - s.coef[j]).abs() < 1e-10, "{name} over parts");
        assert!(s.se_expected[j].is_finite() && s.se_expected[j] > 0.0, "se {name}");
    }
    assert!(s.deviance.abs() < 1e-9 && value("deviance") < 1e-9, "{}", s.deviance);
    assert!(s.loglik.is_finite() && s.aic.is_finite());
    let mut ws = s.warnings.clone();
    let mut wd = d.warnings.clone();
    ws.sort();
    wd.sort();
    assert_eq!(ws, wd, "warnings over parts and in memory");
    // the global tests against the null model are NA, said by the warning above; the text
    // prints NA, never NaN
    let inf = infer(&mf, &s, 0.95, false);
    assert!(inf.global.lr_chi2.is_nan(), "global LR {}", inf.global.lr_chi2);
    // and so is the score test, with the same reason in memory and over parts
    let over = score_over_parts("null_start_none_data.csv", "k ~ x + offset(o)", &opts, 3);
    assert!(inf.score.chi2.is_nan() && over.chi2.is_nan() && over.p_value.is_nan());
    let note = inf.score.note.clone().expect("a reason in memory");
    assert_eq!(over.note.as_deref(), Some(note.as_str()));
    assert!(note.contains("has no valid fit: no score test"), "{note}");
    let text = dimorph_glm::report::r::summary("k ~ x + offset(o)", "null_start_none_data.csv", &s, &inf, None);
    assert!(text.contains("Null deviance: NA  on 11"), "{text}");
    assert!(!text.contains("NaN"), "{text}");
    eprintln!("{}", text.lines().take(20).collect::<Vec<_>>().join("\n"));
}
