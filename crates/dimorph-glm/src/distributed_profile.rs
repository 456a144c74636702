//! Profile-likelihood intervals of a fit over parts (the Dask fit, `dimorph.dask.glm(...,
//! profile=True)`): the interval of coefficient j is where the profile deviance, the model refitted
//! with β_j held at b, has risen by q = z²₁₋α/₂ times the dispersion φ, (D(b) − D̂)/φ = q, as in
//! memory (R's `confint.glm`, SAS's `LRCI`; [`crate::inference`]).
//!
//! The refit at b is the in-memory refit's, pass for pass: IRLS with tolerance 1e-12 and Newton's
//! polish from the full fit's estimates, and from the family's starting values when that does not
//! converge ([`crate::inference`]'s `deviance_with`), over passes that treat the fixed column as
//! part of the offset ([`FixedColumn`]: β_j = b goes into η, and b times XᵀWx_j comes off XᵀWz,
//! which is the working response less the offset's part). The roots are found by the in-memory
//! intervals' own bracketing and root finder ([`crate::inference`]), so both give the same limits
//! up to the order of the sums. Each limit costs about 10–20 refits of a few passes each.

use dimorph_core::dist;

use crate::distributed::{Counted, DistFit, Passes, Summed};
use crate::family::Family;
use crate::inference::profile_limits;
use crate::irls::{self, Pass};
use crate::link::Link;

/// What the intervals need of the fit: its model, coefficients, standard errors (the observed
/// information's, else the expected's, set the first step of the walk), kept columns, deviance
/// and dispersion, and whether column 0 is the intercept.
pub struct ProfileFit<'a> {
    pub family: Family,
    pub link: Link,
    pub intercept: bool,
    pub coef: &'a [f64],
    pub se_observed: &'a [f64],
    pub se_expected: &'a [f64],
    pub kept: &'a [usize],
    pub deviance: f64,
    pub dispersion: f64,
}

impl<'a> ProfileFit<'a> {
    /// What the intervals need of a fit over parts, of the model (`family`, `link`) it fitted.
    pub fn of(fit: &'a DistFit, family: Family, link: Link, intercept: bool) -> Self {
        ProfileFit {
            family,
            link,
            intercept,
            coef: &fit.coef,
            se_observed: &fit.se_observed,
            se_expected: &fit.se_expected,
            kept: &fit.kept,
            deviance: fit.deviance,
            dispersion: fit.dispersion,
        }
    }
}

/// The profile-likelihood interval at `level` of each coefficient in `which` (NaN, NaN for an
/// aliased one), and the passes over the parts they took.
pub fn profile_intervals<P: Passes>(
    passes: &mut P,
    fit: &ProfileFit,
    level: f64,
    which: &[usize],
) -> Result<(Vec<[f64; 2]>, usize), P::Error> {
    let p = fit.coef.len();
    let z = dist::qnorm(0.5 + level / 2.0);
    let q = z * z;
    let mut counted = Counted { inner: passes, n: 0 };
    let mut out = Vec::with_capacity(which.len());
    for &j in which {
        if j >= p || !fit.kept.contains(&j) {
            out.push([f64::NAN; 2]);
            continue;
        }
        let free: Vec<usize> = fit.kept.iter().copied().filter(|&c| c != j).collect();
        let se = if fit.se_observed[j].is_finite() {
            fit.se_observed[j]
        } else {
            fit.se_expected[j]
        };
        let mut failed = None;
        let mut f = |b: f64| {
            if failed.is_some() {
                return f64::NAN;
            }
            let mut data = FixedColumn {
                inner: Summed(&mut counted, p),
                j,
                b,
            };
            match constrained_deviance(&mut data, fit, &free, j) {
                Ok(d) => (d - fit.deviance) / fit.dispersion - q,
                Err(e) => {
                    failed = Some(e);
                    f64::NAN
                }
            }
        };
        let limits = profile_limits(&mut f, fit.coef[j], se, q);
        if let Some(e) = failed {
            return Err(e);
        }
        out.push(limits);
    }
    Ok((out, counted.n))
}

/// The minimum deviance over the `free` coefficients, column `j` held where `data` holds it, as
/// the in-memory refit computes it: IRLS (tolerance 1e-12, Newton's polish, 100 iterations) from
/// the fit's coefficients on `free`, again from the family's starting values when that does not
/// converge (the smaller deviance kept); +∞ when neither converges to a finite deviance.
fn constrained_deviance<D: irls::Passes>(
    data: &mut D,
    fit: &ProfileFit,
    free: &[usize],
    j: usize,
) -> Result<f64, D::Error> {
    let p = fit.coef.len();
    if free.is_empty() {
        return Ok(data.deviance(&vec![0.0; p])?.unwrap_or(f64::INFINITY));
    }
    let mut s = vec![0.0; p];
    for &c in free {
        s[c] = if fit.coef[c].is_finite() { fit.coef[c] } else { 0.0 };
    }
    s[j] = 0.0;
    let intercept = (fit.intercept && free.contains(&0)).then_some(0);
    let ctl = irls::Control {
        tol: 1e-12,
        polish: true,
        max_iter: 100,
        threads: 1,
    };
    let model = (fit.family, fit.link);
    let mut r = irls::irls_with(data, p, free, intercept, model, Some(&s), ctl)?;
    if !r.converged || !r.deviance.is_finite() {
        let cold = irls::irls_with(data, p, free, intercept, model, None, ctl)?;
        if cold.converged
            && cold.deviance.is_finite()
            && (!r.converged || !r.deviance.is_finite() || cold.deviance < r.deviance)
        {
            r = cold;
        }
    }
    Ok(if r.converged && r.deviance.is_finite() {
        r.deviance
    } else {
        f64::INFINITY
    })
}

/// The passes of the model with coefficient `j` held at `b` as part of the offset, as the
/// in-memory refit sees it: every β reaches the parts with β_j = b, and the working response
/// loses the offset's part, XᵀW(z − b·x_j) = XᵀWz − b·(XᵀWX)·e_j (W depends on μ only).
struct FixedColumn<D: irls::Passes> {
    inner: D,
    j: usize,
    b: f64,
}

impl<D: irls::Passes> FixedColumn<D> {
    fn with_fixed(&self, beta: &[f64]) -> Vec<f64> {
        let mut v = beta.to_vec();
        v[self.j] = self.b;
        v
    }
}

impl<D: irls::Passes> irls::Passes for FixedColumn<D> {
    type Error = D::Error;
    fn fisher(&mut self, beta: Option<&[f64]>) -> Result<Pass, D::Error> {
        let beta = beta.map(|b| self.with_fixed(b));
        let mut pass = self.inner.fisher(beta.as_deref())?;
        let p = pass.xtwz.len();
        if pass.xtwx.len() == p * p {
            for (r, z) in pass.xtwz.iter_mut().enumerate() {
                *z -= self.b * pass.xtwx[r * p + self.j];
            }
        }
        Ok(pass)
    }
    fn score_and_hessian(
        &mut self,
        kept: &[usize],
        beta: &[f64],
    ) -> Result<Option<(Vec<f64>, Vec<f64>, f64)>, D::Error> {
        let beta = self.with_fixed(beta);
        self.inner.score_and_hessian(kept, &beta)
    }
    fn deviance(&mut self, beta: &[f64]) -> Result<Option<f64>, D::Error> {
        let beta = self.with_fixed(beta);
        self.inner.deviance(&beta)
    }
    fn weight_sums(&mut self) -> Result<(f64, f64), D::Error> {
        self.inner.weight_sums()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::model_frame;
    use crate::family::Family;
    use crate::link::Link;
    use crate::options::GlmOptions;
    use crate::parts_local;

    fn data(name: &str) -> dimorph_data::Frame {
        dimorph_data::read_csv(format!("{}/../../data/{name}", env!("CARGO_MANIFEST_DIR"))).expect("bundled data")
    }

    /// Over parts, the intervals equal the in-memory profile intervals (which R's confint
    /// checks elsewhere): grouped logistic, Poisson with a factor, the Gaussian with φ
    /// estimated, and the identity-link Poisson, whose refits leave the valid range. Measured:
    /// at most 1.6e-13 apart (tolerance 1e-10).
    #[test]
    fn intervals_over_parts_equal_the_in_memory_profile_intervals() {
        let crabs = data("crabs.csv");
        let snoring = data("snoring.csv");
        for (frame, formula, family, link) in [
            (&snoring, "disease/total ~ snoring", Family::Binomial, None),
            (&crabs, "satell ~ width + weight", Family::Poisson, None),
            (&crabs, "satell ~ width + C(color)", Family::Poisson, None),
            (&crabs, "weight ~ width + C(spine)", Family::Gaussian, None),
            (&crabs, "satell ~ width", Family::Poisson, Some(Link::Identity)),
        ] {
            let opts = GlmOptions::new(family, link);
            let (mut local, layout) = parts_local::parts(formula, frame, 3, &opts).expect("parts");
            let d = crate::distributed::fit(&mut local, &layout, &opts).expect("distributed fit");
            let mf = model_frame(formula, frame, None).expect("model frame");
            let s = crate::fit(&mf, &opts).expect("fit");
            let inf = crate::inference::infer(&mf, &s, 0.95, true);
            let link = link.unwrap_or_else(|| family.canonical_link());
            let fit = ProfileFit::of(&d, family, link, true);
            let which: Vec<usize> = (0..d.coef.len()).collect();
            let (got, passes) = profile_intervals(&mut local, &fit, 0.95, &which).expect("profile");
            assert!(passes > 10 * which.len(), "{formula}: {passes} passes");
            for (j, (g, row)) in got.iter().zip(&inf.coefficients).enumerate() {
                for (k, (&a, &b)) in g.iter().zip(&row.profile_ci).enumerate() {
                    assert!(
                        (a - b).abs() <= 1e-10 * b.abs().max(1.0),
                        "{formula} ({family:?}) coefficient {j} limit {k}: {a} over parts, {b} in memory"
                    );
                }
            }
        }
    }

    /// An aliased coefficient gets NaN limits; the others are found around their estimates.
    #[test]
    fn an_aliased_coefficient_has_no_interval() {
        let crabs = data("crabs.csv");
        let opts = GlmOptions::new(Family::Poisson, None);
        let formula = "satell ~ width + I(2 * width)";
        let (mut local, layout) = parts_local::parts(formula, &crabs, 3, &opts).expect("parts");
        let d = crate::distributed::fit(&mut local, &layout, &opts).expect("fit");
        assert_eq!(d.kept.len(), 2);
        let fit = ProfileFit::of(&d, Family::Poisson, Link::Log, true);
        let (got, _) = profile_intervals(&mut local, &fit, 0.95, &[1, 2]).expect("profile");
        assert!(got[0][0] < d.coef[1] && d.coef[1] < got[0][1], "{got:?}");
        assert!(got[1][0].is_nan() && got[1][1].is_nan(), "{got:?}");
    }
}
