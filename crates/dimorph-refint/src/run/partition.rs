//! `refint partition`: limits per group and pooled, each limit compared across the groups with
//! the equivalence limits of Haeckel et al. (2016, eqs. 3–4 and the appendix), Harris & Boyd's
//! test (eq. 14), and the decision whether to partition; the histograms and the equivalence plot
//! (Figure 2) as SVG files.

use crate::error::{clip, Result};
use crate::estimate::group::{unused_seed, GroupEstimate};
use crate::figures::partition_figures;
use crate::grouped::ReadSpec;
use crate::options::PartitionOptions;
use crate::partition::{partition_grouped, read_for_partition_coded, PartitionResult};
use crate::report::partition_section;
use dimorph_data::{CodedFrame, Frame};
use dimorph_report::fmt::sig;
use dimorph_report::Outcome;

/// Decides whether the limits of `o.value` in `frame` should be partitioned by `o.by`.
pub fn run_partition(frame: &Frame, given: &PartitionOptions) -> Result<Outcome<PartitionResult>> {
    given.validate()?;
    let spec = spec(given);
    let cf = CodedFrame::from_frame(frame, &[&given.value], &spec.coded_columns())?;
    run_partition_coded(&cf, given)
}

/// What a partition reads.
fn spec(o: &PartitionOptions) -> ReadSpec<'_> {
    ReadSpec {
        value: &o.value,
        by: Some(&o.by),
        filters: &o.filters,
        positive: o.estimate.positive_values_needed_by(),
    }
}

/// As [`run_partition`] for the columns already read by [`dimorph_data::read_coded`].
pub fn run_partition_coded(cf: &CodedFrame, given: &PartitionOptions) -> Result<Outcome<PartitionResult>> {
    given.validate()?;
    let o = given.resolved();
    let g = crate::estimate::refiner_zeros::zeros_used(read_for_partition_coded(cf, &spec(&o))?, &o.estimate);
    let r = partition_grouped(&cf.source, &g, &o.estimate)?;
    let figures = partition_figures(&r, &g)?;
    let labelled: Vec<(String, &GroupEstimate)> = r
        .groups
        .iter()
        .map(|x| (x.group.clone(), x))
        .chain(std::iter::once(("pooled".to_string(), &r.pooled)))
        .collect();
    let tables = vec![
        crate::tidy::limits(&labelled),
        crate::tidy::decisions(&r),
        crate::tidy::lahti(&r),
    ];
    let mut warnings: Vec<String> = r.skipped.iter().map(|s| format!("skipped {s}")).collect();
    for f in &r.not_estimated {
        warnings.push(format!(
            "{}: not estimated, left out of the decision and the pooled estimate: {}",
            clip(&f.group),
            f.reason
        ));
    }
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
    for l in &r.lahti {
        summary.push(format!("Lahti, {}", l.reason));
    }
    let section = partition_section(&r);
    let mut out = Outcome::new(r).section(section);
    out.tables = tables;
    out.files = figures.iter().map(|f| f.to_file()).collect();
    out.summary = summary;
    out.warnings = warnings;
    Ok(out)
}
