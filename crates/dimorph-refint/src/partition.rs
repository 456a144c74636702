//! Should reference limits be partitioned by a group column (e.g. sex)? Limits are estimated per
//! group and pooled, and each limit is compared across groups with the equivalence limits of
//! Haeckel et al. (2016): for two groups A and B, |RL_iA − RL_iB| against pD_i = z·pu(RL_iA)
//! (eqs. 3–4), with A the group whose limit i is lower (the paper relates pCV_A "preferably to
//! the established RL … or to the RL with the lower value"); for more groups, the appendix's
//! several-sets procedure. Harris & Boyd's z test (eq. 14) is added for two groups.

use crate::equivalence::{compare_several, display_digits, Limit, SeveralResult};
use crate::error::{clip, RefintError, Result};
use crate::estimate::group::{estimate_groups, estimate_one_censored, group_what, NotEstimated};
use crate::estimate::reflim::reflim;
use crate::estimate::Method;
use crate::harris_boyd::{harris_boyd, GroupSummary, HarrisBoyd};
use crate::permissible::{Permissible, PermissibleOptions};
use dimorph_data::Frame;
use serde::Serialize;

pub use crate::estimate::group::GroupEstimate;
pub use crate::grouped::{read_grouped, read_grouped_coded, Grouped, ReadSpec};
pub use crate::options::EstimateOptions;
use dimorph_data::CodedFrame;

/// The decision for one limit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    /// Which limit.
    pub limit: Limit,
    /// The group whose limits define pu ("A").
    pub reference: String,
    /// Values of this limit per group, in group order.
    pub values: Vec<f64>,
    /// Largest difference between groups and the permissible difference.
    pub d: f64,
    pub pd: f64,
    /// True when the difference exceeds pD (two groups) or some group is excluded from a common
    /// limit (several).
    pub partition: bool,
    /// One sentence with the numbers and the verdict.
    pub reason: String,
    /// For more than two groups, the several-sets procedure.
    pub several: Option<SeveralResult>,
}

/// Result of `partition`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartitionResult {
    /// The column of the values.
    pub value: String,
    /// The group column.
    pub by: String,
    /// The estimation method.
    pub method: Method,
    /// The estimation options as used.
    pub options: EstimateOptions,
    /// Rows skipped, with the reason.
    pub skipped: Vec<String>,
    /// One estimate per group, sorted by group name (numerically when the labels are numbers).
    pub groups: Vec<GroupEstimate>,
    /// Groups that could not be estimated, with the reason: they take no part in the decision
    /// nor in the pooled estimate.
    pub not_estimated: Vec<NotEstimated>,
    /// The estimate of all groups together (named "pooled").
    pub pooled: GroupEstimate,
    /// The decision at the lower and at the upper limit.
    pub decisions: Vec<Decision>,
    /// Lahti's proportion criteria at each limit (subgroups outside the pooled limits).
    pub lahti: Vec<crate::verify::LahtiDecision>,
    /// Harris & Boyd for two groups on a common scale (None otherwise, see `notes`).
    pub harris_boyd: Option<HarrisBoyd>,
    /// True when any limit needs partitioning.
    pub partition: bool,
    /// How Harris & Boyd was computed (or why not).
    pub notes: Vec<String>,
}

/// Reads and estimates per group and pooled, then decides per limit. The permissible
/// uncertainty is the paper's unless `o.permissible` is given.
pub fn partition(frame: &Frame, value: &str, by: &str, o: &EstimateOptions) -> Result<PartitionResult> {
    let o = EstimateOptions {
        permissible: Some(o.permissible()),
        ..*o
    };
    let g = crate::estimate::refiner_zeros::zeros_used(read_for_partition(frame, value, by, &[], &o)?, &o);
    partition_grouped(&frame.source, &g, &o)
}

/// Reads `value` split by `by` for a partition: values must be positive where `o` needs it, and
/// the group column must have at least two levels.
pub fn read_for_partition(
    frame: &Frame,
    value: &str,
    by: &str,
    filters: &[(String, String)],
    o: &EstimateOptions,
) -> Result<Grouped> {
    let spec = ReadSpec {
        value,
        by: Some(by),
        filters,
        positive: o.positive_values_needed_by(),
    };
    let cf = CodedFrame::from_frame(frame, &[value], &spec.coded_columns())?;
    read_for_partition_coded(&cf, &spec)
}

/// As [`read_for_partition`] from the columns already read (see [`read_grouped_coded`]).
pub fn read_for_partition_coded(cf: &CodedFrame, spec: &ReadSpec) -> Result<Grouped> {
    let (frame, by) = (cf, spec.by.unwrap_or(""));
    // values below a detection limit stay with their group: the methods that use censored values
    // (refiner, kosmic) take them per group and pooled, the others set them aside
    let g = read_grouped_coded(cf, spec)?;
    if g.groups.len() < 2 {
        return Err(RefintError::Group(format!(
            "{}: group column '{}' has only one level ('{}'); partitioning needs at least two{}",
            frame.source,
            clip(by),
            clip(&g.groups[0].0),
            if g.skipped.is_empty() {
                String::new()
            } else {
                format!(" (skipped: {})", g.skipped.join("; "))
            }
        )));
    }
    Ok(g)
}

/// As [`partition`] for values already split by group (read from `source`).
pub fn partition_grouped(source: &str, g: &Grouped, o: &EstimateOptions) -> Result<PartitionResult> {
    let by = g.by.clone().unwrap_or_default();
    let (groups, not_estimated) = estimate_groups(source, g, None, o)?;
    if groups.len() < 2 {
        let reasons: Vec<&str> = not_estimated.iter().take(5).map(|f| f.reason.as_str()).collect();
        return Err(RefintError::Group(format!(
            "{source}: only group '{}' of '{}' could be estimated; partitioning needs two: {}",
            clip(&groups[0].group),
            clip(&by),
            reasons.join("; ")
        )));
    }
    // the pooled estimate and the decisions take the groups that could be estimated
    let g = &Grouped {
        groups: g
            .groups
            .iter()
            .filter(|(lvl, _)| groups.iter().any(|e| &e.group == lvl))
            .cloned()
            .collect(),
        ..g.clone()
    };
    // the pooled estimate takes the censored values of the groups it pools, at the highest limit
    let pooled_censored = g
        .censored
        .iter()
        .filter(|(lvl, _)| g.groups.iter().any(|(l, _)| l == lvl))
        .map(|(_, c)| *c)
        .reduce(|a, b| crate::grouped::Censored {
            n: a.n + b.n,
            limit: a.limit.max(b.limit),
        });
    let pooled = estimate_one_censored(
        &format!("{source}: {} (all groups)", clip(&g.value)),
        "pooled",
        &g.pooled(),
        pooled_censored,
        None,
        o,
    )?;
    let what = format!("{source}: {}", clip(&g.value));
    let decisions = [Limit::Lower, Limit::Upper]
        .into_iter()
        .map(|limit| decide(&what, &by, &groups, limit, o.permissible()))
        .collect::<Result<Vec<_>>>()?;
    let mut notes = Vec::new();
    let harris_boyd = harris_boyd_for(source, g, &groups, &pooled, o, &mut notes)?;
    let partition = decisions.iter().any(|d| d.partition);
    let lahti = crate::verify::lahti(&g.groups, &groups, &pooled);
    Ok(PartitionResult {
        value: g.value.clone(),
        by,
        method: o.method,
        options: *o,
        skipped: g.skipped.clone(),
        groups,
        not_estimated,
        pooled,
        decisions,
        lahti,
        harris_boyd,
        partition,
        notes,
    })
}

/// The value of `limit` in a group's estimate.
fn limit_of(e: &GroupEstimate, limit: Limit) -> f64 {
    match limit {
        Limit::Lower => e.limits.lower,
        Limit::Upper => e.limits.upper,
    }
}

/// The decision for one limit: pu from the group with the lower value of the limit; two groups
/// by eqs. 3–4, more by the appendix's several-sets procedure.
fn decide(what: &str, by: &str, groups: &[GroupEstimate], limit: Limit, po: PermissibleOptions) -> Result<Decision> {
    let values: Vec<f64> = groups.iter().map(|e| limit_of(e, limit)).collect();
    let ref_idx = values
        .iter()
        .enumerate()
        .fold(0, |b, (i, v)| if *v < values[b] { i } else { b });
    let reference = groups[ref_idx].group.clone();
    let r = &groups[ref_idx].limits;
    let p = Permissible::named(
        &format!("{what}: limits of group '{}'", clip(&reference)),
        r.lower,
        r.upper,
        po,
    )
    .map_err(|e| match e {
        RefintError::NonPositive { what, value, .. } => RefintError::NonPositive {
            what,
            value,
            why: "--assumption lognormal (the paper's; --assumption normal allows limits <= 0)".into(),
        },
        e => e,
    })?;
    let pd = p.pd_at_limit(limit.index());
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let d = max - values[ref_idx];
    let f = |x: f64| crate::quote::dec(x, display_digits(pd));
    let (partition, reason, several) = if groups.len() == 2 {
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
        (part, reason, None)
    } else {
        let sets: Vec<(String, (f64, f64))> = groups
            .iter()
            .map(|e| (e.group.clone(), (e.limits.lower, e.limits.upper)))
            .collect();
        let s = compare_several(&sets, ref_idx, limit, po)?;
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
        (part, reason, Some(s))
    };
    Ok(Decision {
        limit,
        reference,
        values,
        d,
        pd,
        partition,
        reason,
        several,
    })
}

/// Harris & Boyd's test for two groups on a common scale; notes say what was done (or why not).
fn harris_boyd_for(
    source: &str,
    g: &Grouped,
    groups: &[GroupEstimate],
    pooled: &GroupEstimate,
    o: &EstimateOptions,
    notes: &mut Vec<String>,
) -> Result<Option<HarrisBoyd>> {
    if groups.len() != 2 {
        notes.push("Harris & Boyd compares two groups; not computed for more".into());
        return Ok(None);
    }
    let same_scale = groups[0].log_scale == groups[1].log_scale;
    let hb = if same_scale {
        harris_boyd(groups[0].summary, groups[1].summary)
    } else if o.method == Method::Reflim {
        // the groups chose different models: refit both on the pooled data's scale
        let ro = crate::options::ReflimOptions {
            lognormal: Some(pooled.log_scale),
            ..o.reflim()
        };
        let mut sums = Vec::new();
        for (level, x) in &g.groups {
            let r = reflim(&group_what(source, g, level), x, None, ro)?;
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
        harris_boyd(sums[0], sums[1])
    } else {
        notes.push(
            "Harris & Boyd not computed: the groups were estimated on different scales (normal vs log-normal)".into(),
        );
        return Ok(None);
    };
    if !(hb.z.is_finite() && hb.sd_ratio.is_finite()) {
        notes.push(format!(
            "Harris & Boyd not computed: z = {} and the SD ratio = {} are not finite numbers (a group's SD is 0 \
             or the values overflow)",
            hb.z, hb.sd_ratio
        ));
        return Ok(None);
    }
    let log = if same_scale {
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
    notes.push(format!("Harris & Boyd on the {scale} ({basis}): {}", hb.reason));
    Ok(Some(hb))
}
