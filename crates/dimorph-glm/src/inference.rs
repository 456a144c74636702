//! Inference on a fitted GLM (the paper's §4.1.4–4.1.5: Wald and likelihood-ratio inference):
//! Wald tests and intervals under both covariance conventions, profile-likelihood intervals, the likelihood-ratio test against the intercept-only model,
//! and Type 3 tests of each term (likelihood ratio and Wald), as SAS GENMOD and R print them.

use dimorph_core::dist;
use serde::Serialize;

use crate::design::ModelFrame;
use crate::family::Family;
use crate::fit::GlmFit;
use crate::irls::{self, Problem};
use crate::linalg::{sub_matrix, Cholesky};
use crate::link::Link;

/// Upper tail of χ²(df) at x; NaN for a statistic that is not finite (a refit that failed).
pub fn chi2_sf(x: f64, df: f64) -> f64 {
    if !x.is_finite() {
        return f64::NAN;
    }
    dist::pchisq_upper(x, df)
}

/// Two-sided normal p-value of z; NaN for a z that is not finite.
pub fn normal_p(z: f64) -> f64 {
    if !z.is_finite() {
        return f64::NAN;
    }
    dist::two_sided_normal(z)
}

/// Two-sided t p-value with `df` degrees of freedom; NaN for a t that is not finite.
pub fn t_p(t: f64, df: f64) -> f64 {
    if !t.is_finite() {
        return f64::NAN;
    }
    dist::two_sided_t(t, df)
}

/// Upper tail of F(d1, d2) at x; NaN for a statistic that is not finite.
fn f_sf(x: f64, d1: f64, d2: f64) -> f64 {
    if !x.is_finite() {
        return f64::NAN;
    }
    dist::pf_upper(x, d1, d2)
}

/// One row of the coefficient table.
#[derive(Debug, Clone, Serialize)]
pub struct CoefRow {
    pub name: String,
    pub estimate: f64,
    /// Standard error from the expected information (R's `summary.glm`).
    pub se: f64,
    /// estimate / se: z for fixed dispersion, t when it is estimated (R).
    pub statistic: f64,
    /// p-value of `statistic` (normal, or t on the residual df).
    pub p_value: f64,
    /// Standard error from the observed information (SAS GENMOD).
    pub se_observed: f64,
    /// SAS's Wald χ² = (estimate / se_observed)².
    pub wald_chi2: f64,
    pub wald_p: f64,
    /// Wald interval estimate ± z·se (R's `confint.default`).
    pub wald_ci: [f64; 2],
    /// Wald interval with the observed-information se (SAS GENMOD).
    pub wald_ci_observed: [f64; 2],
    /// Profile-likelihood interval (R's `confint`, SAS `LRCI`); NaN where a limit does not exist.
    pub profile_ci: [f64; 2],
    /// exp(estimate) and its intervals where it is an odds ratio (logit) or a rate/risk ratio
    /// (log link).
    pub exp: Option<ExpRow>,
}

/// exp(β) with intervals.
#[derive(Debug, Clone, Serialize)]
pub struct ExpRow {
    pub estimate: f64,
    pub wald_ci: [f64; 2],
    pub profile_ci: [f64; 2],
}

/// A likelihood-ratio and Wald test of one term (Type 3) or of all terms (global).
#[derive(Debug, Clone, Serialize)]
pub struct TermTest {
    pub term: String,
    pub df: usize,
    /// Likelihood-ratio χ² = (D_reduced − D) / φ.
    pub lr_chi2: f64,
    pub lr_p: f64,
    /// F = ((D_reduced − D)/df) / (D/df_residual) when the dispersion is estimated (R's
    /// `drop1(test = "F")`), else NaN.
    pub f: f64,
    pub f_p: f64,
    /// Wald χ² = βᵀ V⁻¹ β over the term's columns (observed-information covariance, as SAS).
    pub wald_chi2: f64,
    pub wald_p: f64,
}

/// Rao's score test of the model against the null model (PROC LOGISTIC's "Score", R's
/// `anova(null, fit, test = "Rao")`): UᵀI⁻¹U/φ with the score U and the expected information I
/// of the full model's columns evaluated at the null model's fitted means.
#[derive(Debug, Clone, Serialize)]
pub struct ScoreTest {
    pub chi2: f64,
    pub df: usize,
    pub p_value: f64,
    /// Why `chi2` is NA, when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// All inference of a fit.
#[derive(Debug, Clone, Serialize)]
pub struct Inference {
    pub level: f64,
    /// Whether the profile-likelihood intervals were computed (else `profile_ci` is NaN/null).
    pub profile_computed: bool,
    /// Whether the Type 3 likelihood-ratio tests (one refit per term) were computed (else their
    /// `lr_chi2`, `f` and p-values are NaN/null; the Wald tests always are).
    pub type3_lr_computed: bool,
    /// Whether the coefficients' tests are t tests on the residual df (estimated dispersion,
    /// model-based standard errors) rather than z tests.
    pub t_tests: bool,
    pub coefficients: Vec<CoefRow>,
    /// Likelihood-ratio test of the model against the intercept-only (null) model.
    pub global: TermTest,
    pub score: ScoreTest,
    pub type3: Vec<TermTest>,
}

/// Computes the coefficient table, the global test and Type 3 tests at confidence `level`.
/// `profile` turns the profile-likelihood intervals on (one constrained refit per limit).
pub fn infer(mf: &ModelFrame, fit: &GlmFit, level: f64, profile: bool) -> Inference {
    let settings = Settings {
        level,
        profile,
        type3_lr: true,
        threads: dimorph_core::threads::available(),
        z_tests: false,
    };
    infer_with(mf, fit, &settings, &mut |_: &str, _: usize, _: usize| {})
}

/// What [`infer_with`] computes.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Confidence level of the intervals.
    pub level: f64,
    /// Profile-likelihood intervals (about 20 refits per coefficient).
    pub profile: bool,
    /// Type 3 likelihood-ratio tests (one refit per term; the Wald tests are always computed).
    pub type3_lr: bool,
    /// Threads of the refits.
    pub threads: usize,
    /// z tests even when the dispersion is estimated (robust standard errors, as
    /// `lmtest::coeftest` on a `glm` and Stata).
    pub z_tests: bool,
}

/// [`infer`] with the choice of the refitting extras and a progress observer, called as
/// `(phase, done, total)` before each refit group (profile intervals per coefficient, Type 3
/// refits per term).
pub fn infer_with(
    mf: &ModelFrame,
    fit: &GlmFit,
    settings: &Settings,
    progress: &mut dyn FnMut(&str, usize, usize),
) -> Inference {
    let Settings { level, profile, .. } = *settings;
    let p = mf.p;
    let z = dist::qnorm(0.5 + level / 2.0);
    let t_stat = fit.dispersion_estimated() && !settings.z_tests;
    let exp_ok = matches!(fit.link, Link::Log | Link::Logit);
    let prof = Profiler::new(mf, fit, settings.threads);
    let q = z * z;
    let mut rows = Vec::with_capacity(p);
    for j in 0..p {
        let b = fit.coef[j];
        let se = fit.se_expected[j];
        let so = fit.se_observed[j];
        let stat = b / se;
        let pv = if t_stat {
            t_p(stat, fit.df_residual)
        } else {
            normal_p(stat)
        };
        let wald_chi2 = (b / so).powi(2);
        let profile_ci = if profile && fit.kept.contains(&j) {
            progress("profile-likelihood intervals", j, p);
            prof.interval(j, q)
        } else {
            [f64::NAN; 2]
        };
        let wald_ci = [b - z * se, b + z * se];
        let wald_ci_observed = [b - z * so, b + z * so];
        let exp = exp_ok.then(|| ExpRow {
            estimate: b.exp(),
            wald_ci: [wald_ci[0].exp(), wald_ci[1].exp()],
            profile_ci: [profile_ci[0].exp(), profile_ci[1].exp()],
        });
        rows.push(CoefRow {
            name: mf.col_names[j].clone(),
            estimate: b,
            se,
            statistic: stat,
            p_value: pv,
            se_observed: so,
            wald_chi2,
            wald_p: chi2_sf(wald_chi2, 1.0),
            wald_ci,
            wald_ci_observed,
            profile_ci,
            exp,
        });
    }
    if profile {
        progress("profile-likelihood intervals", p, p);
    }
    let global = global_test(mf, fit, &prof);
    let score = score_test(mf, fit, global.df);
    let n_terms = mf.terms.len();
    let type3 = mf
        .terms
        .iter()
        .enumerate()
        .map(|(k, t)| {
            if settings.type3_lr {
                progress("Type 3 likelihood-ratio refits", k, n_terms);
            }
            let cols: Vec<usize> = t.cols.clone().filter(|c| fit.kept.contains(c)).collect();
            term_test(&t.label, &cols, fit, &prof, settings.type3_lr)
        })
        .collect();
    if settings.type3_lr {
        progress("Type 3 likelihood-ratio refits", n_terms, n_terms);
    }
    Inference {
        level,
        profile_computed: profile,
        type3_lr_computed: settings.type3_lr,
        t_tests: t_stat,
        coefficients: rows,
        global,
        score,
        type3,
    }
}

fn term_test(label: &str, cols: &[usize], fit: &GlmFit, prof: &Profiler, lr: bool) -> TermTest {
    let df = cols.len();
    if df == 0 {
        return TermTest {
            term: label.into(),
            df: 0,
            lr_chi2: f64::NAN,
            lr_p: f64::NAN,
            f: f64::NAN,
            f_p: f64::NAN,
            wald_chi2: f64::NAN,
            wald_p: f64::NAN,
        };
    }
    let free: Vec<usize> = fit.kept.iter().copied().filter(|c| !cols.contains(c)).collect();
    let d_red = if lr { prof.deviance_with(&free, None) } else { f64::NAN };
    let lr = (d_red - fit.deviance) / fit.dispersion;
    let (f, f_p) = if fit.dispersion_estimated() {
        // R's drop1(test = "F"): the mean square of the residual deviance as the denominator
        let f = (d_red - fit.deviance) / (df as f64 * fit.deviance / fit.df_residual);
        (f, f_sf(f, df as f64, fit.df_residual))
    } else {
        (f64::NAN, f64::NAN)
    };
    let wald = wald_quadratic(&fit.coef, &fit.cov_observed, prof.p, cols);
    TermTest {
        term: label.into(),
        df,
        lr_chi2: lr,
        lr_p: chi2_sf(lr, df as f64),
        f,
        f_p,
        wald_chi2: wald,
        wald_p: chi2_sf(wald, df as f64),
    }
}

/// The likelihood-ratio test of all terms together: the model against the null model.
fn global_test(mf: &ModelFrame, fit: &GlmFit, prof: &Profiler) -> TermTest {
    let cols: Vec<usize> = fit
        .kept
        .iter()
        .copied()
        .filter(|&c| !(mf.intercept && c == 0))
        .collect();
    let df = cols.len();
    let lr = (fit.null_deviance - fit.deviance) / fit.dispersion;
    let wald = wald_quadratic(&fit.coef, &fit.cov_observed, prof.p, &cols);
    let (f, f_p) = if fit.dispersion_estimated() && df > 0 {
        let f = (fit.null_deviance - fit.deviance) / (df as f64 * fit.deviance / fit.df_residual);
        (f, f_sf(f, df as f64, fit.df_residual))
    } else {
        (f64::NAN, f64::NAN)
    };
    TermTest {
        term: "model".into(),
        df,
        lr_chi2: lr,
        lr_p: chi2_sf(lr, df as f64),
        f,
        f_p,
        wald_chi2: wald,
        wald_p: chi2_sf(wald, df as f64),
    }
}

/// The score test of the null model against the fit (R's `anova(..., test = "Rao")`).
/// The score is Xᵀ[w (y − μ₀) (dμ/dη)(η₀) / V(μ₀)], dμ/dη taken at the null model's η₀ (not as
/// 1/g′(μ₀), which has the wrong sign where μ = η² is reached from η₀ < 0). η₀ is the offset
/// alone without an intercept, else g(μ₀): the intercept-only model's IRLS keeps η₀ in the
/// link's valid range (`irls::Bounds`). A null η₀ outside that range (the sqrt link's η₀ ≤ 0
/// from a negative offset, no intercept) has no score test: R's `anova(..., test = "Rao")` stops
/// on such a null model ("invalid linear predictor values in empty model"), and so the test is
/// NA with the reason. The fit over parts computes the same sums part by part
/// (`crate::distributed_score`), with these functions.
fn score_test(mf: &ModelFrame, fit: &GlmFit, df: usize) -> ScoreTest {
    let kept = &fit.kept;
    let k = kept.len();
    let mut u = vec![0.0; k];
    let mut info = vec![0.0; k * k];
    for i in 0..mf.n {
        let w = fit.prior[i];
        if w == 0.0 {
            continue;
        }
        let m = fit.null_mu[i];
        let eta0 = null_eta(fit.link, mf.intercept, m, mf.offset.as_ref().map_or(0.0, |o| o[i]));
        if m.is_nan() {
            return score_na(df, NO_NULL_FIT.into());
        }
        if !fit.link.valid_eta(eta0) {
            let at = format!("{} line {}", mf.source, mf.lines.get(i).copied().unwrap_or(i + 1));
            return score_na(df, null_eta_note(fit.link, eta0, &at));
        }
        let (sc, we) = score_row(fit.family, fit.link, mf.y[i], m, eta0, w);
        let xi = mf.row(i);
        for (r, &jr) in kept.iter().enumerate() {
            u[r] += sc * xi[jr];
            for (c, &jc) in kept.iter().enumerate() {
                info[r * k + c] += we * xi[jr] * xi[jc];
            }
        }
    }
    score_statistic(&u, &info, fit.dispersion, df)
}

/// Why the score test is NA when the null model (intercept and offset) has no valid fit.
pub(crate) const NO_NULL_FIT: &str = "the null model (intercept and offset) has no valid fit: no score test";

/// Why the score test is NA when the null model's η₀ leaves the link's valid range; `at` names
/// the row.
pub(crate) fn null_eta_note(link: Link, eta0: f64, at: &str) -> String {
    format!(
        "the null model's linear predictor is outside the {} link's valid range (η₀ = {} at {at}): no score test (R's anova(..., test = \"Rao\") refuses that null model)",
        link.name(),
        dimorph_core::text::num(eta0),
    )
}

/// The null model's η₀ on a row of null mean `m` and offset `offset`: g(m) with an intercept,
/// else the offset.
pub(crate) fn null_eta(link: Link, intercept: bool, m: f64, offset: f64) -> f64 {
    if intercept {
        link.link(m)
    } else {
        offset
    }
}

/// One row's weights in the score and the expected information at the null model:
/// `(w (y − m) μ′(η₀)/V(m), w μ′(η₀)²/V(m))`.
pub(crate) fn score_row(family: Family, link: Link, y: f64, m: f64, eta0: f64, w: f64) -> (f64, f64) {
    let v = family.variance(m);
    let d = link.mu_eta(eta0);
    (w * (y - m) * d / v, w * d * d / v)
}

/// A score test that is NA, and why.
pub(crate) fn score_na(df: usize, note: String) -> ScoreTest {
    ScoreTest {
        chi2: f64::NAN,
        df,
        p_value: f64::NAN,
        note: Some(note),
    }
}

/// UᵀI⁻¹U/φ on `df` degrees of freedom from the score `u` and the information `info` (k × k);
/// NaN when I is not positive definite.
pub(crate) fn score_statistic(u: &[f64], info: &[f64], dispersion: f64, df: usize) -> ScoreTest {
    let k = u.len();
    let chi2 = match Cholesky::on(info, k, &(0..k).collect::<Vec<_>>()) {
        Some(ch) => ch.solve(u).iter().zip(u).map(|(a, b)| a * b).sum::<f64>() / dispersion,
        None => f64::NAN,
    };
    ScoreTest {
        chi2,
        df,
        p_value: chi2_sf(chi2, df as f64),
        note: None,
    }
}

/// βᵀ V⁻¹ β over `cols` (V: p × p).
pub fn wald_quadratic(beta: &[f64], cov: &[f64], p: usize, cols: &[usize]) -> f64 {
    if cols.is_empty() {
        return f64::NAN;
    }
    let v = sub_matrix(cov, p, cols);
    let k = cols.len();
    match Cholesky::on(&v, k, &(0..k).collect::<Vec<_>>()) {
        Some(ch) => {
            let b: Vec<f64> = cols.iter().map(|&c| beta[c]).collect();
            let s = ch.solve(&b);
            s.iter().zip(&b).map(|(a, c)| a * c).sum()
        }
        None => f64::NAN,
    }
}

/// Refits of the model with some coefficients removed or fixed.
struct Profiler<'a> {
    mf: &'a ModelFrame,
    fit: &'a GlmFit,
    p: usize,
    threads: usize,
}

impl<'a> Profiler<'a> {
    fn new(mf: &'a ModelFrame, fit: &'a GlmFit, threads: usize) -> Self {
        Profiler {
            mf,
            fit,
            p: mf.p,
            threads: threads.max(1),
        }
    }

    fn family(&self) -> Family {
        self.fit.family
    }

    /// Minimum deviance over the `free` columns with column `fixed.0` held at `fixed.1`
    /// (θ of a negative binomial held at its estimate).
    fn deviance_with(&self, free: &[usize], fixed: Option<(usize, f64)>) -> f64 {
        let mf = self.mf;
        let off: Option<Vec<f64>> = match (fixed, &mf.offset) {
            (None, None) => None,
            (None, Some(o)) => Some(o.clone()),
            (Some((j, b)), o) => Some(
                (0..mf.n)
                    .map(|i| o.as_ref().map_or(0.0, |o| o[i]) + b * mf.x[i * mf.p + j])
                    .collect(),
            ),
        };
        let pb = Problem {
            x: &mf.x,
            n: mf.n,
            p: mf.p,
            y: &mf.y,
            w: &self.fit.prior,
            offset: off.as_deref(),
            family: self.family(),
            link: self.fit.link,
        };
        let mut start = self.fit.coef.clone();
        for v in start.iter_mut() {
            if !v.is_finite() {
                *v = 0.0;
            }
        }
        if let Some((j, _)) = fixed {
            start[j] = 0.0;
        }
        let ctl = irls::Control {
            tol: 1e-12,
            polish: true,
            max_iter: 100,
            threads: self.threads,
        };
        if free.is_empty() {
            let zero = vec![0.0; mf.p];
            let ps = irls::pass_at(&pb, &zero, self.threads);
            return if ps.valid { ps.deviance } else { f64::INFINITY };
        }
        let intercept = if mf.intercept && free.contains(&0) {
            Some(0)
        } else {
            None
        };
        // start from the fitted coefficients restricted to `free`; a removed term's mean
        // contribution to η moves into the intercept, so that the start keeps the mean of η
        let mut s = vec![0.0; mf.p];
        for &c in free {
            s[c] = start[c];
        }
        if let (None, Some(ic)) = (fixed, intercept) {
            for &c in self.fit.kept.iter().filter(|c| !free.contains(c) && **c != ic) {
                let mean = (0..mf.n).map(|i| mf.x[i * mf.p + c]).sum::<f64>() / mf.n.max(1) as f64;
                s[ic] += start[c] * mean;
            }
        }
        // warm start: a profile point and a term's removal start from the full fit's
        // coefficients restricted to `free`. Removing a term can move the others far (the
        // intercept when a covariate with a large mean goes): IRLS from there may need
        // step-halving, and halved steps can stall the relative-change rule far from the maximum
        // (the weighted crab logit without width: 735 halvings, "converged" at deviance 1957.2
        // against 523.5). Such a refit — or one that fails — is redone from the family's
        // starting values, as R's drop1 does, and the smaller deviance kept.
        let mut r = irls::irls(&pb, free, intercept, Some(&s), ctl);
        if !r.converged || !r.deviance.is_finite() || (fixed.is_none() && r.halvings > 0) {
            let cold = irls::irls(&pb, free, intercept, None, ctl);
            let better = cold.converged
                && cold.deviance.is_finite()
                && (!r.converged || !r.deviance.is_finite() || cold.deviance < r.deviance);
            if better {
                r = cold;
            }
        }
        // columns the normal equations declared aliased: QR decides again (NIST Filip)
        let r = crate::qr::rescue(&pb, free, ctl, r);
        if r.converged && r.deviance.is_finite() {
            r.deviance
        } else {
            f64::INFINITY
        }
    }

    /// Profile-likelihood interval of coefficient j: where (D(b) − D̂)/φ = q.
    fn interval(&self, j: usize, q: f64) -> [f64; 2] {
        let fit = self.fit;
        let free: Vec<usize> = fit.kept.iter().copied().filter(|&c| c != j).collect();
        let se = if fit.se_observed[j].is_finite() {
            fit.se_observed[j]
        } else {
            fit.se_expected[j]
        };
        let mut f = |b: f64| (self.deviance_with(&free, Some((j, b))) - fit.deviance) / fit.dispersion - q;
        profile_limits(&mut f, fit.coef[j], se, q)
    }
}

/// The two roots of `f` (the profile's (D(b) − D̂)/φ − q, negative at the estimate `bhat`) on
/// either side of `bhat`: each bracketed by walking out from the estimate in steps of the Wald
/// half-width `se`·√q (growing 1.5-fold), then solved by [`solve_between`]; NaN on a side where
/// `f` turns NaN (a refit that could not be made) or never reaches 0 in 60 steps. The in-memory
/// fit and the distributed one ([`crate::distributed_profile`]) both use it.
pub(crate) fn profile_limits(f: &mut dyn FnMut(f64) -> f64, bhat: f64, se: f64, q: f64) -> [f64; 2] {
    let mut out = [f64::NAN; 2];
    for (k, dir) in [(0usize, -1.0f64), (1, 1.0)] {
        // bracket: walk out from the estimate in steps of the Wald half-width
        let mut inner = bhat;
        let mut outer = f64::NAN;
        let mut step = se * q.sqrt();
        for _ in 0..60 {
            let b = inner + dir * step;
            let v = f(b);
            if v.is_nan() {
                break;
            }
            if v >= 0.0 {
                outer = b;
                break;
            }
            inner = b;
            step *= 1.5;
        }
        if outer.is_nan() {
            continue;
        }
        out[k] = solve_between(f, inner, outer);
    }
    out
}

/// A root of f between a (f < 0) and b (f ≥ 0, possibly +∞ where the model is invalid), by
/// bisection steps interleaved with regula falsi (Illinois).
fn solve_between(f: &mut dyn FnMut(f64) -> f64, mut a: f64, mut b: f64) -> f64 {
    let mut fa = f(a);
    let mut fb = f(b);
    let mut side = 0;
    for _ in 0..200 {
        if (b - a).abs() <= 1e-10 * (1.0 + a.abs().max(b.abs())) {
            break;
        }
        let c = if fb.is_finite() && fa.is_finite() && (fb - fa).abs() > 0.0 {
            let c = b - fb * (b - a) / (fb - fa);
            if c.is_finite() && (c - a) * (c - b) < 0.0 {
                c
            } else {
                0.5 * (a + b)
            }
        } else {
            0.5 * (a + b)
        };
        let fc = f(c);
        if fc.abs() < 1e-12 {
            return c;
        }
        if fc < 0.0 {
            a = c;
            fa = fc;
            if side == -1 && fb.is_finite() {
                fb *= 0.5;
            }
            side = -1;
        } else {
            b = c;
            fb = fc;
            if side == 1 {
                fa *= 0.5;
            }
            side = 1;
        }
    }
    0.5 * (a + b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::fit;
    use crate::options::GlmOptions;
    use crate::testutil::snoring;

    #[test]
    fn proc_logistic_global_test_for_snoring() {
        // paper: −2 Log L 900.827 (intercept only) and 837.732, χ² 63.096 with 1 DF
        let mf = snoring();
        let f = fit(&mf, &GlmOptions::new(Family::Binomial, None)).unwrap();
        let inf = infer(&mf, &f, 0.95, true);
        assert!((inf.global.lr_chi2 - 63.096).abs() < 0.0005, "{}", inf.global.lr_chi2);
        assert_eq!(inf.global.df, 1);
        let c = &inf.coefficients[1];
        // profile interval brackets the estimate and is close to Wald for this well-behaved fit
        assert!(c.profile_ci[0] < c.estimate && c.estimate < c.profile_ci[1]);
        assert!((c.profile_ci[0] - c.wald_ci[0]).abs() < 0.01);
        assert!((inf.type3[0].lr_chi2 - 63.096).abs() < 0.0005);
    }

    /// Rao's score test against UᵀI⁻¹U computed in R 4.2.2 by matrix algebra at the null MLE
    /// (tests/reference/score_test.R): 72.6880865038 (snoring logit), 67.4718867775 (crabs
    /// Poisson). R's `anova(..., test = "Rao")` prints 72.68809382 and 67.47414947: it takes the
    /// weights of a further IRLS step (see the script), hence the fifth digit.
    #[test]
    fn score_test_matches_r() {
        let mf = snoring();
        let f = fit(&mf, &GlmOptions::new(Family::Binomial, None)).unwrap();
        let s = infer(&mf, &f, 0.95, false).score;
        assert!((s.chi2 - 72.6880865038).abs() < 1e-8, "{}", s.chi2);
        let mf = crate::testutil::crabs(false);
        let f = fit(&mf, &GlmOptions::new(Family::Poisson, None)).unwrap();
        let s = infer(&mf, &f, 0.95, false).score;
        assert!((s.chi2 - 67.4718867775).abs() < 1e-8, "{}", s.chi2);
        assert_eq!(s.df, 1);
    }
}
