//! `refint estimate`: reference limits of one or more columns with the chosen method (direct,
//! parametric, robust, or reflimR's indirect method), optionally per level of a group column and
//! for the rows `--where` keeps, and reflimR's interpretation against target limits. A group
//! that cannot be estimated is listed with its reason; the other groups go on.

use crate::error::{clip, Result};
use crate::estimate::group::{estimate_groups, unused_seed, GroupEstimate, NotEstimated};
use crate::estimate_figures::group_figures;
use crate::figures::group_histograms;
use crate::grouped::{read_grouped_coded, Counts, ReadSpec};
use crate::options::{EstimateRunOptions, PermissibleOptions};
use crate::permissible::Permissible;
use crate::report::{estimate_section, group_label};
use dimorph_data::{CodedFrame, Frame};
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
    /// The counts behind `skipped` (rows read, filtered out, missing, censored, ≤ 0, used).
    pub counts: Counts,
    /// One estimate per level of `by` (sorted by level), or one named "" without `by`.
    pub groups: Vec<GroupEstimate>,
    /// Groups that could not be estimated, with the reason.
    pub not_estimated: Vec<NotEstimated>,
    /// The results of the further columns (`--value A,B`), in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub more: Vec<EstimateResult>,
}

/// Estimates the limits of `o.value` (and `o.more_values`) in `frame`, per level of `o.by` when
/// given.
pub fn run_estimate(frame: &Frame, given: &EstimateRunOptions) -> Result<Outcome<EstimateResult>> {
    given.validate()?;
    let values = given.values();
    let spec = ReadSpec {
        value: &given.value,
        by: given.by.as_deref(),
        filters: &given.filters,
        positive: None,
    };
    let cf = CodedFrame::from_frame(frame, &values, &spec.coded_columns())?;
    run_estimate_coded(&cf, given)
}

/// As [`run_estimate`] for the columns already read by [`dimorph_data::read_coded`] (the value
/// columns as numeric, the group and filter columns as codes).
pub fn run_estimate_coded(cf: &CodedFrame, given: &EstimateRunOptions) -> Result<Outcome<EstimateResult>> {
    given.validate()?;
    if let Some((l, u)) = given.targets {
        // the interpretation derives the targets' tolerance from them (eqs. 5–13): refuse targets
        // it is not defined for (CV_E* ≤ 0.25 %, an overflow) before estimating
        Permissible::named("target limits (--targets)", l, u, PermissibleOptions::default())?;
    }
    let o = given.resolved();
    let several = !o.more_values.is_empty();
    let mut results = Vec::new();
    let mut out_sections = Vec::new();
    let mut files = Vec::new();
    let mut taken = std::collections::HashSet::new();
    let mut rows: Vec<(String, GroupEstimate)> = Vec::new();
    let (mut summary, mut warnings) = (Vec::new(), Vec::new());
    for (k, value) in o.values().into_iter().enumerate() {
        let spec = ReadSpec {
            value,
            by: o.by.as_deref(),
            filters: &o.filters,
            positive: o.estimate.positive_values_needed_by(),
        };
        let g = crate::estimate::refiner_zeros::zeros_used(read_grouped_coded(cf, &spec)?, &o.estimate);
        let (groups, failed) = estimate_groups(&cf.source, &g, o.targets, &o.estimate)?;
        let by = o.by.as_deref();
        let pre = |s: &str| {
            if several {
                format!("{}: {s}", clip(value))
            } else {
                s.to_string()
            }
        };
        for x in &groups {
            let label = if by.is_some() { x.group.clone() } else { "all".into() };
            rows.push((pre(&label), x.clone()));
            summary.push(format!(
                "{value} ({label}): {} – {} ({}, n = {})",
                sig(x.limits.lower, 5),
                sig(x.limits.upper, 5),
                x.limits.method,
                x.limits.n
            ));
        }
        for f in &failed {
            summary.push(format!("{value} ({}): not estimated", clip(&f.group)));
        }
        out_sections.push(estimate_section(value, by, &groups, &g.skipped, &failed));
        // the histograms show the groups that were estimated (a copy only when some were not)
        let filtered;
        let shown = if failed.is_empty() {
            &g
        } else {
            filtered = crate::grouped::Grouped {
                groups: g
                    .groups
                    .iter()
                    .filter(|(lvl, _)| groups.iter().any(|x| &x.group == lvl))
                    .cloned()
                    .collect(),
                value: g.value.clone(),
                by: g.by.clone(),
                skipped: Vec::new(),
                counts: g.counts.clone(),
                censored: g.censored.clone(),
                bounds: g.bounds.clone(),
                zeros: g.zeros.clone(),
            };
            &filtered
        };
        let pairs: Vec<(f64, f64)> = groups.iter().map(|x| (x.limits.lower, x.limits.upper)).collect();
        let mut hist = group_histograms(shown, &pairs, &|lvl| group_label(by, lvl));
        if k > 0 {
            hist.file = format!("histograms_{}.svg", k + 1);
        }
        files.push(hist.to_file());
        // per group: the histogram with the fitted density and the Q-Q plot (estimate_figures)
        let figs = group_figures(value, several, &g, &groups, &o.estimate, &mut taken);
        if let Some(sec) = out_sections.last_mut() {
            for f in &figs {
                sec.figure(f.caption.clone(), f.svg.clone());
            }
        }
        files.extend(figs.iter().map(|f| f.to_file()));
        warnings.extend(g.skipped.iter().map(|s| format!("skipped {}", pre(s))));
        for f in &failed {
            warnings.push(pre(&format!("{}: not estimated: {}", clip(&f.group), f.reason)));
        }
        let all: Vec<&GroupEstimate> = groups.iter().collect();
        warnings.extend(unused_seed(&given.estimate, &all).filter(|_| k == 0));
        for x in &groups {
            let label = if by.is_some() { x.group.clone() } else { "all".into() };
            for rm in x.remarks() {
                warnings.push(format!("{}: {rm}", pre(&clip(&label))));
            }
        }
        results.push(EstimateResult {
            value: value.to_string(),
            by: o.by.clone(),
            skipped: g.skipped.clone(),
            counts: g.counts.clone(),
            groups,
            not_estimated: failed,
            more: Vec::new(),
        });
    }
    let labelled: Vec<(String, &GroupEstimate)> = rows.iter().map(|(l, x)| (l.clone(), x)).collect();
    let limits = crate::tidy::limits(&labelled);
    let mut results = results.into_iter();
    let mut result = results.next().expect("at least one value column");
    result.more = results.collect();
    let mut out = Outcome::new(result).table(limits);
    out.sections = out_sections;
    out.files = files;
    out.summary = summary;
    out.warnings = warnings;
    Ok(out)
}
