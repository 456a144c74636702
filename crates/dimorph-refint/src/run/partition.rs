//! `refint partition`: limits per group and pooled, each limit compared across the groups with
//! the equivalence limits of Haeckel et al. (2016, eqs. 3–4 and the appendix), Harris & Boyd's
//! test (eq. 14), and the decision whether to partition; the histograms and the equivalence plot
//! (Figure 2) as SVG files.

use crate::error::{clip, Result};
use crate::estimate::group::{unused_seed, GroupEstimate};
use crate::figures::partition_figures;
use crate::options::PartitionOptions;
use crate::partition::{partition_grouped, read_for_partition, PartitionResult};
use crate::report::partition_section;
use dimorph_data::Frame;
use dimorph_report::fmt::sig;
use dimorph_report::Outcome;

/// Decides whether the limits of `o.value` in `frame` should be partitioned by `o.by`.
pub fn run_partition(frame: &Frame, given: &PartitionOptions) -> Result<Outcome<PartitionResult>> {
    given.validate()?;
    let o = given.resolved();
    let g = read_for_partition(frame, &o.value, &o.by, &o.estimate)?;
    let r = partition_grouped(&frame.source, &g, &o.estimate)?;
    let figures = partition_figures(&r, &g)?;
    let labelled: Vec<(String, &GroupEstimate)> = r
        .groups
        .iter()
        .map(|x| (x.group.clone(), x))
        .chain(std::iter::once(("pooled".to_string(), &r.pooled)))
        .collect();
    let tables = vec![crate::tidy::limits(&labelled), crate::tidy::decisions(&r)];
    let mut warnings: Vec<String> = r.skipped.iter().map(|s| format!("skipped {s}")).collect();
    let all: Vec<&GroupEstimate> = labelled.iter().map(|(_, x)| *x).collect();
    warnings.extend(unused_seed(&given.estimate, &all));
    for (label, x) in &labelled {
        for rm in x.remarks() {
            warnings.push(format!("{}: {rm}", clip(label)));
        }
    }
    let mut summary: Vec<String> = r
        .groups
        .iter()
        .map(|x| (format!("{} = {}", r.by, x.group), x))
        .chain(std::iter::once(("pooled".to_string(), &r.pooled)))
        .map(|(label, x)| {
            format!(
                "{} ({label}): {} – {}",
                r.value,
                sig(x.limits.lower, 5),
                sig(x.limits.upper, 5)
            )
        })
        .collect();
    for d in &r.decisions {
        summary.push(format!(
            "{} limit: D = {} vs pD = {}: {}",
            d.limit.name(),
            sig(d.d, 4),
            sig(d.pd, 4),
            if d.partition { "partition" } else { "common limit" }
        ));
    }
    let section = partition_section(&r);
    let mut out = Outcome::new(r).section(section);
    out.tables = tables;
    out.files = figures.iter().map(|f| f.to_file()).collect();
    out.summary = summary;
    out.warnings = warnings;
    Ok(out)
}
