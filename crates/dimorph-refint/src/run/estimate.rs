//! `refint estimate`: reference limits of one column with the chosen method (direct,
//! parametric, robust, or reflimR's indirect method), optionally per level of a group column, and
//! reflimR's interpretation against target limits.

use crate::error::{clip, Result};
use crate::estimate::group::{estimate_groups, unused_seed, GroupEstimate};
use crate::figures::group_histograms;
use crate::grouped::read_grouped;
use crate::options::{EstimateRunOptions, PermissibleOptions};
use crate::permissible::Permissible;
use crate::report::{estimate_section, group_label};
use dimorph_data::Frame;
use dimorph_report::fmt::sig;
use dimorph_report::Outcome;
use serde::Serialize;

/// Limits of one column, per group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EstimateResult {
    /// The column of the values.
    pub value: String,
    /// The group column, if any.
    pub by: Option<String>,
    /// Rows skipped, with the reason.
    pub skipped: Vec<String>,
    /// One estimate per level of `by` (sorted by level), or one named "" without `by`.
    pub groups: Vec<GroupEstimate>,
}

/// Estimates the limits of `o.value` in `frame`, per level of `o.by` when given.
pub fn run_estimate(frame: &Frame, given: &EstimateRunOptions) -> Result<Outcome<EstimateResult>> {
    given.validate()?;
    if let Some((l, u)) = given.targets {
        // the interpretation derives the targets' tolerance from them (eqs. 5–13): refuse targets
        // it is not defined for (CV_E* ≤ 0.25 %, an overflow) before estimating
        Permissible::named("target limits (--targets)", l, u, PermissibleOptions::default())?;
    }
    let o = given.resolved();
    let e = &o.estimate;
    let g = read_grouped(frame, &o.value, o.by.as_deref(), e.positive_values_needed_by())?;
    let groups = estimate_groups(&frame.source, &g, o.targets, e)?;
    let by = o.by.as_deref();
    let labelled: Vec<(String, &GroupEstimate)> = groups
        .iter()
        .map(|x| (if by.is_some() { x.group.clone() } else { "all".into() }, x))
        .collect();
    let limits = crate::tidy::limits(&labelled);
    let section = estimate_section(&o.value, by, &groups, &g.skipped);
    let pairs: Vec<(f64, f64)> = groups.iter().map(|x| (x.limits.lower, x.limits.upper)).collect();
    let hist = group_histograms(&g, &pairs, &|lvl| group_label(by, lvl));
    let mut warnings: Vec<String> = g.skipped.iter().map(|s| format!("skipped {s}")).collect();
    let all: Vec<&GroupEstimate> = groups.iter().collect();
    warnings.extend(unused_seed(&given.estimate, &all));
    let mut summary = Vec::new();
    for (label, x) in &labelled {
        summary.push(format!(
            "{} ({label}): {} – {} ({}, n = {})",
            o.value,
            sig(x.limits.lower, 5),
            sig(x.limits.upper, 5),
            x.limits.method,
            x.limits.n
        ));
        for rm in x.remarks() {
            warnings.push(format!("{}: {rm}", clip(label)));
        }
    }
    let result = EstimateResult {
        value: o.value.clone(),
        by: o.by.clone(),
        skipped: g.skipped.clone(),
        groups,
    };
    let mut out = Outcome::new(result).section(section).table(limits).file(hist.to_file());
    out.summary = summary;
    out.warnings = warnings;
    Ok(out)
}
