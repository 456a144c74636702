//! Should reference limits be partitioned by a group column (e.g. sex)? Limits are estimated per
//! group and pooled, and each limit is compared across groups with the equivalence limits of
//! Haeckel et al. (2016): for two groups A and B, |RL_iA − RL_iB| against pD_i = z·pu(RL_iA)
//! (eqs. 3–4), with A the group whose limit i is lower (the paper relates pCV_A "preferably to
//! the established RL … or to the RL with the lower value"); for more groups, the appendix's
//! several-sets procedure. Harris & Boyd's z test is added for two groups.

use crate::equivalence::{compare_several, display_digits, Limit, SeveralResult};
use crate::error::{RefintError, Result};
use crate::estimate::parametric::Transform;
use crate::estimate::reflim::{reflim, ReflimOptions, ReflimResult};
use crate::estimate::{direct, parametric, robust, Limits, Method};
use crate::harris_boyd::{harris_boyd, GroupSummary, HarrisBoyd};
use crate::permissible::{Assumption, Permissible, PermissibleOptions};
use crate::stats::{mean, sd, sorted};
use dimorph_data::{ColumnData, Frame};
use serde::Serialize;

/// Options of an estimate / partition run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EstimateOptions {
    pub method: Method,
    /// Scale of the parametric method.
    pub transform: Transform,
    pub reflim: ReflimOptions,
    pub permissible: PermissibleOptions,
    /// Seed of the bootstraps.
    pub seed: u64,
}

impl Default for EstimateOptions {
    fn default() -> Self {
        EstimateOptions {
            method: Method::Reflim,
            transform: Transform::Normal,
            reflim: ReflimOptions::default(),
            permissible: PermissibleOptions::default(),
            seed: 20160420,
        }
    }
}

/// Values of one column split by a group column, with what was skipped.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Grouped {
    pub value: String,
    pub by: Option<String>,
    /// (level, values) in order of first appearance… sorted by level name.
    pub groups: Vec<(String, Vec<f64>)>,
    /// Rows skipped, with the reason, e.g. "12 rows with a missing CREA".
    pub skipped: Vec<String>,
}

impl Grouped {
    pub fn pooled(&self) -> Vec<f64> {
        self.groups.iter().flat_map(|g| g.1.iter().copied()).collect()
    }
}

/// Reads `value` (and `by`) from a frame. Missing values and missing groups are skipped and
/// counted; non-numeric cells and, when `positive`, values ≤ 0 are errors naming the line.
pub fn read_grouped(
    frame: &Frame,
    value: &str,
    by: Option<&str>,
    positive: bool,
    why_positive: &str,
) -> Result<Grouped> {
    let x = frame.numeric(value)?;
    let labels: Option<Vec<Option<String>>> = match by {
        None => None,
        Some(b) => {
            let c = frame.column(b)?;
            Some(match &c.data {
                ColumnData::Num(v) => v
                    .iter()
                    .map(|e| if e.is_nan() { None } else { Some(format!("{e}")) })
                    .collect(),
                ColumnData::Text { values, .. } => values.clone(),
            })
        }
    };
    let (mut miss_v, mut miss_g) = (0usize, 0usize);
    let mut groups: Vec<(String, Vec<f64>)> = Vec::new();
    for (i, &v) in x.iter().enumerate() {
        let g = match &labels {
            None => Some(String::new()),
            Some(l) => l[i].clone(),
        };
        let Some(g) = g else {
            miss_g += 1;
            continue;
        };
        if v.is_nan() {
            miss_v += 1;
            continue;
        }
        if !v.is_finite() {
            return Err(RefintError::Invalid {
                what: format!("{}: line {}, column '{value}'", frame.source, frame.line_of(i)),
                msg: format!("{v} is not a finite number"),
            });
        }
        if positive && v <= 0.0 {
            return Err(RefintError::Invalid {
                what: format!("{}: line {}, column '{value}'", frame.source, frame.line_of(i)),
                msg: format!("value {v} is not positive; {why_positive} needs values > 0"),
            });
        }
        match groups.iter_mut().find(|e| e.0 == g) {
            Some(e) => e.1.push(v),
            None => groups.push((g, vec![v])),
        }
    }
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    let mut skipped = Vec::new();
    if miss_v > 0 {
        skipped.push(format!("{miss_v} rows with a missing {value}"));
    }
    if miss_g > 0 {
        skipped.push(format!("{miss_g} rows with a missing {}", by.unwrap_or("")));
    }
    if groups.is_empty() {
        return Err(RefintError::Invalid {
            what: format!("{}: column '{value}'", frame.source),
            msg: "no values".into(),
        });
    }
    Ok(Grouped {
        value: value.into(),
        by: by.map(Into::into),
        groups,
        skipped,
    })
}

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
}

/// Estimates limits for one sample with the chosen method.
pub fn estimate_one(
    what: &str,
    group: &str,
    x: &[f64],
    targets: Option<(f64, f64)>,
    o: &EstimateOptions,
) -> Result<GroupEstimate> {
    let log_all = |x: &[f64], ln: bool| {
        let t: Vec<f64> = if ln {
            x.iter().map(|v| v.ln()).collect()
        } else {
            x.to_vec()
        };
        GroupSummary {
            mean: mean(&t),
            sd: sd(&t),
            n: t.len(),
        }
    };
    match o.method {
        Method::Reflim => {
            let r = reflim(what, x, targets, o.reflim)?;
            let summary = GroupSummary {
                mean: r.mean,
                sd: r.sd,
                n: r.n_trunc,
            };
            Ok(GroupEstimate {
                group: group.into(),
                limits: r.limits(),
                log_scale: r.lognormal,
                summary,
                reflim: Some(r),
            })
        }
        Method::Direct => {
            let l = direct::nonparametric(what, x, o.seed)?;
            let ln = x.iter().all(|v| *v > 0.0) && crate::estimate::reflim::lognormal_by_bowley(&sorted(x)).0;
            Ok(GroupEstimate {
                group: group.into(),
                limits: l,
                reflim: None,
                summary: log_all(x, ln),
                log_scale: ln,
            })
        }
        Method::Robust => {
            let l = robust::robust(what, x, o.seed)?;
            let ln = x.iter().all(|v| *v > 0.0) && crate::estimate::reflim::lognormal_by_bowley(&sorted(x)).0;
            Ok(GroupEstimate {
                group: group.into(),
                limits: l,
                reflim: None,
                summary: log_all(x, ln),
                log_scale: ln,
            })
        }
        Method::Parametric => {
            let (l, _) = parametric::parametric(what, x, o.transform)?;
            let ln = o.transform != Transform::Normal;
            Ok(GroupEstimate {
                group: group.into(),
                limits: l,
                reflim: None,
                summary: log_all(x, ln),
                log_scale: ln,
            })
        }
    }
}

/// The decision for one limit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    pub limit: Limit,
    /// The group whose limits define pu ("A").
    pub reference: String,
    /// Values of this limit per group, in group order.
    pub values: Vec<f64>,
    /// Largest difference between groups and the permissible difference.
    pub d: f64,
    pub pd: f64,
    pub partition: bool,
    pub reason: String,
    /// For more than two groups, the several-sets procedure.
    pub several: Option<SeveralResult>,
}

/// Result of `partition`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartitionResult {
    pub value: String,
    pub by: String,
    pub method: Method,
    pub options: EstimateOptions,
    pub skipped: Vec<String>,
    pub groups: Vec<GroupEstimate>,
    pub pooled: GroupEstimate,
    pub decisions: Vec<Decision>,
    /// Harris & Boyd for two groups on a common scale (None otherwise, see `notes`).
    pub harris_boyd: Option<HarrisBoyd>,
    /// True when any limit needs partitioning.
    pub partition: bool,
    pub notes: Vec<String>,
}

fn needs_positive(o: &EstimateOptions) -> Option<&'static str> {
    match o.method {
        Method::Reflim => Some("the reflimR method"),
        Method::Parametric if o.transform != Transform::Normal => Some("the log-normal / Box-Cox transformation"),
        _ if o.permissible.assumption == Assumption::LogNormal => {
            Some("the log-normal assumption of the permissible uncertainty")
        }
        _ => None,
    }
}

/// Reads and estimates per group and pooled, then decides per limit.
pub fn partition(frame: &Frame, value: &str, by: &str, o: &EstimateOptions) -> Result<PartitionResult> {
    let why = needs_positive(o);
    let g = read_grouped(frame, value, Some(by), why.is_some(), why.unwrap_or(""))?;
    if g.groups.len() < 2 {
        return Err(RefintError::Group(format!(
            "{}: group column '{by}' has only one level ('{}'); partitioning needs at least two",
            frame.source, g.groups[0].0
        )));
    }
    partition_grouped(&frame.source, &g, o)
}

/// As [`partition`] for values already split by group.
pub fn partition_grouped(source: &str, g: &Grouped, o: &EstimateOptions) -> Result<PartitionResult> {
    let by = g.by.clone().unwrap_or_default();
    let mut groups = Vec::new();
    for (level, x) in &g.groups {
        let what = format!("{source}: {} where {by} = '{level}'", g.value);
        groups.push(estimate_one(&what, level, x, None, o)?);
    }
    let pooled_x = g.pooled();
    let pooled = estimate_one(
        &format!("{source}: {} (all groups)", g.value),
        "pooled",
        &pooled_x,
        None,
        o,
    )?;
    let mut notes = Vec::new();
    let mut decisions = Vec::new();
    for limit in [Limit::Lower, Limit::Upper] {
        let val = |e: &GroupEstimate| {
            if limit == Limit::Lower {
                e.limits.lower
            } else {
                e.limits.upper
            }
        };
        let values: Vec<f64> = groups.iter().map(val).collect();
        let ref_idx = values
            .iter()
            .enumerate()
            .fold(0, |b, (i, v)| if *v < values[b] { i } else { b });
        let reference = groups[ref_idx].group.clone();
        let rpair = (groups[ref_idx].limits.lower, groups[ref_idx].limits.upper);
        let p = Permissible::named(
            &format!("limits of group '{reference}'"),
            rpair.0,
            rpair.1,
            o.permissible,
        )?;
        let pd = p.pd_at_limit(limit.index());
        let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let d = max - values[ref_idx];
        let dg = display_digits(pd);
        let f = |x: f64| dimorph_report::fmt::fixed(x, dg);
        if groups.len() == 2 {
            let other = &groups[1 - ref_idx].group;
            let part = d > pd;
            let reason = format!(
                "{} limit: {by} '{reference}' {} vs '{other}' {}: difference {} {} pD = {} (z·pu from '{reference}', the lower limit): {}",
                limit.name(),
                f(values[ref_idx]),
                f(values[1 - ref_idx]),
                f(d),
                if part { ">" } else { "<=" },
                f(pd),
                if part { "partition" } else { "no partition needed" }
            );
            decisions.push(Decision {
                limit,
                reference,
                values,
                d,
                pd,
                partition: part,
                reason,
                several: None,
            });
        } else {
            let sets: Vec<(String, (f64, f64))> = groups
                .iter()
                .map(|e| (e.group.clone(), (e.limits.lower, e.limits.upper)))
                .collect();
            let s = compare_several(&sets, ref_idx, limit, o.permissible)?;
            let part = !s.excluded.is_empty();
            let reason = if part {
                format!(
                    "{} limit: spread {} > pD = {}; excluded one at a time: {}; common limit for: {}",
                    limit.name(),
                    f(d),
                    f(pd),
                    s.excluded.join(", "),
                    s.common.join(", ")
                )
            } else {
                format!(
                    "{} limit: spread {} <= pD = {}: one common limit for all groups",
                    limit.name(),
                    f(d),
                    f(pd)
                )
            };
            decisions.push(Decision {
                limit,
                reference,
                values,
                d,
                pd,
                partition: part,
                reason,
                several: Some(s),
            });
        }
    }
    let harris_boyd = if groups.len() == 2 {
        if groups[0].log_scale == groups[1].log_scale {
            Some(harris_boyd(groups[0].summary, groups[1].summary))
        } else if o.method == Method::Reflim {
            // the groups chose different models: refit both on the pooled data's scale
            let mut ro = o.reflim;
            ro.lognormal = Some(pooled.log_scale);
            let mut sums = Vec::new();
            for (level, x) in &g.groups {
                let r = reflim(&format!("{source}: {} where {by} = '{level}'", g.value), x, None, ro)?;
                sums.push(GroupSummary {
                    mean: r.mean,
                    sd: r.sd,
                    n: r.n_trunc,
                });
            }
            notes.push(format!(
                "the groups chose different models (normal vs log-normal); for Harris & Boyd both were refitted on the {} scale of the pooled data",
                if pooled.log_scale { "log" } else { "linear" }
            ));
            Some(harris_boyd(sums[0], sums[1]))
        } else {
            notes.push(
                "Harris & Boyd not computed: the groups were estimated on different scales (normal vs log-normal)"
                    .into(),
            );
            None
        }
    } else {
        notes.push("Harris & Boyd compares two groups; not computed for more".into());
        None
    };
    if let Some(h) = &harris_boyd {
        let log = if groups[0].log_scale == groups[1].log_scale {
            groups[0].log_scale
        } else {
            pooled.log_scale
        };
        let scale = if log { "log scale" } else { "linear scale" };
        let basis = if o.method == Method::Reflim {
            "mean and SD of the truncated Q-Q fit, n after truncation"
        } else {
            "all values"
        };
        notes.push(format!("Harris & Boyd on the {scale} ({basis}): {}", h.reason));
    }
    let partition = decisions.iter().any(|d| d.partition);
    Ok(PartitionResult {
        value: g.value.clone(),
        by,
        method: o.method,
        options: *o,
        skipped: g.skipped.clone(),
        groups,
        pooled,
        decisions,
        harris_boyd,
        partition,
        notes,
    })
}
