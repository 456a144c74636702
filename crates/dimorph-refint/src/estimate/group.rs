//! Limits of one sample or of each group of a [`Grouped`] column with the chosen method, with the
//! group summary (mean, SD, n on the scale where the values are close to normal) that Harris &
//! Boyd's test needs.

use super::reflim::{lognormal_by_bowley, reflim, ReflimResult};
use super::{direct, parametric, robust, Limits, Method};
use crate::error::{clip, num, RefintError, Result};
use crate::grouped::{Censored, Grouped};
use crate::harris_boyd::GroupSummary;
use crate::options::{EstimateOptions, OutlierOptions, OutlierScreen, Transform};
use crate::stats::{mean, sd, sorted};
use dimorph_report::fmt::sig;
use serde::Serialize;

/// Limits of one group (or the pooled data).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupEstimate {
    pub group: String,
    pub limits: Limits,
    /// The reflimR details when that method was used.
    pub reflim: Option<ReflimResult>,
    /// Mean, SD and n of the (healthy) values on the scale where they are close to normal,
    /// for Harris & Boyd's test.
    pub summary: GroupSummary,
    /// Whether `summary` is on the log scale.
    pub log_scale: bool,
    /// The percentiles (in per cent) that the lower and upper limits estimate (2.5 and 97.5 by
    /// default; `--percentiles`).
    pub percentiles: (f64, f64),
    /// The values the outlier screen flagged (`--outliers`), and whether they were left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outliers: Option<Screened>,
}

/// Mean, SD and n of all values, of their logarithms when `ln`.
fn summary_of(x: &[f64], ln: bool) -> GroupSummary {
    if !ln {
        return GroupSummary {
            mean: mean(x),
            sd: sd(x),
            n: x.len(),
        };
    }
    let t: Vec<f64> = x.iter().map(|v| v.ln()).collect();
    GroupSummary {
        mean: mean(&t),
        sd: sd(&t),
        n: t.len(),
    }
}

/// Whether the direct and robust methods summarise on the log scale: positive values that
/// reflimR's Bowley rule takes as log-normal (linear when the quartiles are tied, where the rule
/// is not defined).
fn log_by_bowley(x: &[f64]) -> bool {
    x.iter().all(|v| *v > 0.0) && lognormal_by_bowley(&sorted(x)).0
}

/// Estimates limits for one sample with the chosen method; `targets` adds reflimR's
/// interpretation (method reflim). `what` names the data in messages.
pub fn estimate_one(
    what: &str,
    group: &str,
    x: &[f64],
    targets: Option<(f64, f64)>,
    o: &EstimateOptions,
) -> Result<GroupEstimate> {
    estimate_one_censored(what, group, x, None, targets, o)
}

/// As [`estimate_one`], with the values below a detection limit that the refiner and kosmic
/// methods use as censored (the other methods set them aside).
pub fn estimate_one_censored(
    what: &str,
    group: &str,
    x: &[f64],
    censored: Option<Censored>,
    targets: Option<(f64, f64)>,
    o: &EstimateOptions,
) -> Result<GroupEstimate> {
    let screened = match o.outliers {
        Some(s) => Some(screen(what, x, s)?),
        None => None,
    };
    let kept;
    let x = match &screened {
        Some((sc, k)) if sc.removed => {
            kept = k.clone();
            &kept[..]
        }
        _ => x,
    };
    let plain = |limits: Limits, log_scale: bool| GroupEstimate {
        group: group.into(),
        limits,
        reflim: None,
        summary: summary_of(x, log_scale),
        log_scale,
        percentiles: o.percentiles.unwrap_or(crate::options::DEFAULT_PERCENTILES),
        outliers: screened.as_ref().map(|(s, _)| s.clone()),
    };
    let p = o.probabilities();
    let e = match o.method {
        Method::Reflim => {
            let r = reflim(what, x, targets, o.reflim())?;
            let mut limits = r.limits();
            super::reflim_boot::small_sample_intervals(x, &r, o.reflim(), crate::options::DEFAULT_SEED, &mut limits);
            GroupEstimate {
                group: group.into(),
                limits,
                log_scale: r.lognormal,
                summary: GroupSummary {
                    mean: r.mean,
                    sd: r.sd,
                    n: r.n_trunc,
                },
                reflim: Some(r),
                percentiles: crate::options::DEFAULT_PERCENTILES,
                outliers: None,
            }
        }
        Method::Direct => plain(direct::nonparametric_at(what, x, o.seed(), p)?, log_by_bowley(x)),
        Method::Robust => plain(robust::robust_at(what, x, o.seed(), p)?, log_by_bowley(x)),
        Method::Refiner => plain(
            super::refiner_boot::estimate_censored(what, x, censored, o.refiner.unwrap_or_default(), o.seed(), p)?,
            log_by_bowley(x),
        ),
        Method::Kosmic => plain(
            super::kosmic_boot::estimate_at(what, x, censored, o.kosmic.unwrap_or_default(), o.seed(), p)?,
            log_by_bowley(x),
        ),
        Method::Parametric => {
            let (l, _) = parametric::parametric_at(what, x, o.transform(), p)?;
            plain(l, o.transform() != Transform::Normal)
        }
    };
    let mut e = checked(what, o.method, e)?;
    if e.limits.lower < 0.0 && x.iter().all(|v| *v > 0.0) {
        e.limits.remarks.push(format!(
            "the lower limit {} is negative although every value is positive: the {} model does not fit \
             these data (a skewed analyte; try --method parametric --transform lognormal, or --method direct)",
            sig(e.limits.lower, 5),
            e.limits.method
        ));
    }
    Ok(e)
}

/// What an outlier screen (`--outliers`) found in one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Screened {
    /// The screen ("horn" or "dixon").
    pub screen: OutlierScreen,
    /// The flagged values, ascending.
    pub values: Vec<f64>,
    /// Their count.
    pub count: usize,
    /// Whether they were left out of the estimate (`--remove-outliers`), or only reported.
    pub removed: bool,
    /// How the screen decided (Horn's λ and fences, Dixon's ratio against its critical value).
    pub detail: String,
}

/// Runs the outlier screen `s` on `x`: what it flagged, and the values it keeps.
fn screen(what: &str, x: &[f64], s: OutlierOptions) -> Result<(Screened, Vec<f64>)> {
    let (values, kept, detail) = match s.screen {
        OutlierScreen::Horn => {
            let (h, kept) = super::outliers::horn_split(what, x)?;
            let fence = |f: Option<f64>| f.map_or_else(|| "none".to_string(), |v| sig(v, 6));
            let detail = format!(
                "Horn: Tukey fences on the Box-Cox scale (lambda = {}): below {} or above {} flagged",
                h.lambda,
                fence(h.fences.0),
                fence(h.fences.1)
            );
            (h.outliers, kept, detail)
        }
        OutlierScreen::Dixon => {
            let d = super::outliers::dixon(what, x)?;
            let detail = format!(
                "Dixon: {} = {} for the {} value {} against the 5 % critical value {}",
                d.ratio,
                sig(d.q, 4),
                d.end,
                sig(d.value, 6),
                d.critical
            );
            // as referenceIntervals: every value equal to the flagged extreme goes
            let values: Vec<f64> = if d.outlier {
                x.iter().copied().filter(|v| *v == d.value).collect()
            } else {
                Vec::new()
            };
            let kept = x.iter().copied().filter(|v| !d.outlier || *v != d.value).collect();
            (values, kept, detail)
        }
    };
    let count = values.len();
    Ok((
        Screened {
            screen: s.screen,
            values,
            count,
            removed: s.remove,
            detail,
        },
        kept,
    ))
}

impl GroupEstimate {
    /// The notes on this estimate (the method's, then reflimR's), which the outcome lists as
    /// warnings.
    pub fn remarks(&self) -> impl Iterator<Item = &String> {
        self.limits
            .remarks
            .iter()
            .chain(self.reflim.iter().flat_map(|r| &r.remarks))
    }
}

/// The last line of defence against a NaN or an infinity in an outcome: refuses an estimate
/// whose limits or summary are not finite numbers (each method names its own reasons first; this
/// one says that an intermediate overflowed), and leaves out a confidence interval that is not
/// finite, with a remark.
fn checked(what: &str, method: Method, mut e: GroupEstimate) -> Result<GroupEstimate> {
    let undefined = |statistic: String, reason: String| RefintError::Undefined {
        what: what.into(),
        statistic,
        reason,
    };
    let l = &mut e.limits;
    if !(l.lower.is_finite() && l.upper.is_finite()) {
        return Err(undefined(
            format!("the {} reference interval", method.flag()),
            format!(
                "its limits are {} and {}: an intermediate overflows",
                num(l.lower),
                num(l.upper)
            ),
        ));
    }
    if l.lower >= l.upper {
        return Err(undefined(
            format!("the {} reference interval", method.flag()),
            format!(
                "its lower and upper limits are both {}: the values are tied at the limits",
                num(l.lower)
            ),
        ));
    }
    for (name, ci) in [("lower", &mut l.ci_lower), ("upper", &mut l.ci_upper)] {
        if let Some((a, b)) = *ci {
            if !(a.is_finite() && b.is_finite()) {
                *ci = None;
                l.remarks.push(format!(
                    "the confidence interval of the {name} limit is left out: it is not a finite range ({} to {})",
                    num(a),
                    num(b)
                ));
            }
        }
    }
    if l.ci_lower.is_none() && l.ci_upper.is_none() {
        l.ci_method = None;
    }
    let s = e.summary;
    if !(s.mean.is_finite() && s.sd.is_finite()) {
        return Err(undefined(
            "the mean and SD of the values (Harris & Boyd's summary)".into(),
            format!("they are {} and {}: the values overflow", num(s.mean), num(s.sd)),
        ));
    }
    Ok(e)
}

/// How the data of one group are named in messages: `file: CREA where Sex = 'f'` (names and
/// level clipped).
pub fn group_what(source: &str, g: &Grouped, level: &str) -> String {
    match &g.by {
        Some(by) => format!("{source}: {} where {} = '{}'", clip(&g.value), clip(by), clip(level)),
        None => format!("{source}: {}", clip(&g.value)),
    }
}

/// A group whose limits could not be estimated, and why (too few values for the method, no
/// spread, …); the other groups go on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotEstimated {
    pub group: String,
    pub reason: String,
}

/// Whether an error is about one group's data (it leaves the other groups to go on).
fn group_failure(e: &RefintError) -> bool {
    matches!(
        e,
        RefintError::TooFew { .. }
            | RefintError::Constant { .. }
            | RefintError::Undefined { .. }
            | RefintError::Invalid { .. }
            | RefintError::LimitOrder { .. }
    )
}

/// Estimates every group of `g` (read from `source`). With a group column, a group that cannot
/// be estimated is listed with its reason and the others go on; when none can be, the error names
/// the reasons. Without one, the error is returned as it is.
pub fn estimate_groups(
    source: &str,
    g: &Grouped,
    targets: Option<(f64, f64)>,
    o: &EstimateOptions,
) -> Result<(Vec<GroupEstimate>, Vec<NotEstimated>)> {
    let mut ok = Vec::new();
    let mut failed = Vec::new();
    for (level, x) in &g.groups {
        match estimate_one_censored(
            &group_what(source, g, level),
            level,
            x,
            g.censored_of(level),
            targets,
            o,
        ) {
            Ok(e) => ok.push(e),
            Err(e) if g.by.is_some() && group_failure(&e) => failed.push(NotEstimated {
                group: level.clone(),
                reason: e.to_string(),
            }),
            Err(e) => return Err(e),
        }
    }
    if ok.is_empty() {
        // the first group's reason in full, the others by name
        let others: Vec<String> = failed
            .iter()
            .skip(1)
            .take(5)
            .map(|f| format!("'{}'", clip(&f.group)))
            .collect();
        return Err(RefintError::Group(format!(
            "{}{}",
            failed.first().map_or("", |f| f.reason.as_str()),
            match failed.len() {
                0 | 1 => String::new(),
                n => format!(
                    "; no other group of '{}' can be estimated either ({}{})",
                    clip(g.by.as_deref().unwrap_or("")),
                    others.join(", "),
                    if n > 6 {
                        format!(" and {} more", n - 6)
                    } else {
                        String::new()
                    }
                ),
            }
        )));
    }
    Ok((ok, failed))
}

/// A warning when `--seed` was given to the direct method but no group was bootstrapped (every
/// group has n ≥ 120, so its intervals come from order statistics): the seed changed nothing.
pub fn unused_seed(o: &EstimateOptions, groups: &[&GroupEstimate]) -> Option<String> {
    let n_ranks = direct::min_n_ranks(o.probabilities());
    let all_ranked = groups.iter().all(|g| g.limits.n >= n_ranks);
    (o.seed.is_some() && o.method == Method::Direct && all_ranked).then(|| {
        format!(
            "--seed: not used: every group has at least {n_ranks} values, so the confidence intervals come from \
             order statistics, not from the bootstrap"
        )
    })
}
