//! `refint verify`: a laboratory's limits checked with data — by the CLSI EP28-A3c
//! transference rule on reference individuals, or against limits estimated from its routine data
//! (see [`crate::verify`]).

use crate::error::{clip, Result};
use crate::estimate::group::{estimate_one_censored, GroupEstimate};
use crate::grouped::{read_grouped_coded, Counts, ReadSpec};
use crate::options::{VerifyMode, VerifyOptions};
use crate::verify::{transference_with, verify_routine, LimitCheck, Transference};
use dimorph_core::{Cell, TidyTable};
use dimorph_data::CodedFrame;
use dimorph_report::{Outcome, Section};
use serde::Serialize;

/// Result of `refint verify`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerifyResult {
    pub value: String,
    pub mode: VerifyMode,
    pub limits: (f64, f64),
    pub skipped: Vec<String>,
    pub counts: Counts,
    /// The EP28 check (transference mode).
    pub transference: Option<Transference>,
    /// The limits estimated from routine data, and the check of each limit (routine mode).
    pub estimate: Option<GroupEstimate>,
    pub checks: Vec<LimitCheck>,
    /// Whether the limits pass.
    pub verified: bool,
}

/// Verifies `o.limits` with the values of `o.value` in an in-memory `frame` (the Python package's
/// entry; the CLI reads the file straight into coded columns with [`dimorph_data::read_coded`]).
pub fn run_verify(frame: &dimorph_data::Frame, given: &VerifyOptions) -> Result<Outcome<VerifyResult>> {
    given.validate()?;
    let coded: Vec<&str> = given.filters.iter().map(|(c, _)| c.as_str()).collect();
    let cf = CodedFrame::from_frame(frame, &[&given.value], &coded)?;
    run_verify_coded(&cf, given)
}

/// Verifies `o.limits` with the values of `o.value` in `cf`.
pub fn run_verify_coded(cf: &CodedFrame, given: &VerifyOptions) -> Result<Outcome<VerifyResult>> {
    given.validate()?;
    let o = given.resolved();
    let routine = o.mode == VerifyMode::Routine;
    let spec = ReadSpec {
        value: &o.value,
        by: None,
        filters: &o.filters,
        positive: if routine {
            o.estimate.positive_values_needed_by()
        } else {
            None
        },
    };
    let mut g = read_grouped_coded(cf, &spec)?;
    let mut outside = (0, 0);
    if routine {
        g = crate::estimate::refiner_zeros::zeros_used(g, &o.estimate);
    } else {
        let b = g.bounds_of("");
        outside = censored_as_bounds(&mut g.skipped, &b, o.limits);
    }
    let x = &g.groups[0].1;
    let what = format!("{}: {}", cf.source, clip(&o.value));
    let (tr, est, checks) = if routine {
        let cens = g.censored_of("").filter(|_| o.estimate.method.uses_censored());
        let e = estimate_one_censored(&what, "", x, cens, None, &o.estimate)?;
        let checks = verify_routine(&what, o.limits, &e, o.estimate.permissible())?;
        (None, Some(e), checks)
    } else {
        (Some(transference_with(&what, o.limits, x, outside)?), None, Vec::new())
    };
    let verified = tr.as_ref().map_or(checks.iter().all(|c| c.verified), |t| t.accept);
    let mut s = Section::new(format!(
        "Verification of {} – {} for {}",
        o.limits.0,
        o.limits.1,
        clip(&o.value)
    ));
    let mut summary = Vec::new();
    if let Some(t) = &tr {
        s.text(format!("CLSI EP28-A3c transference: {}", t.reason));
        summary.push(t.reason.clone());
    }
    if let Some(e) = &est {
        s.text(format!(
            "Estimated from the routine data ({}, n = {}): {} – {}",
            e.limits.method,
            e.limits.n,
            dimorph_report::fmt::sig(e.limits.lower, 5),
            dimorph_report::fmt::sig(e.limits.upper, 5)
        ));
    }
    for c in &checks {
        s.text(c.reason.clone());
        summary.push(c.reason.clone());
    }
    for sk in &g.skipped {
        s.text(format!("skipped: {sk}"));
    }
    s.text(format!(
        "Verdict: the limits are {}verified.",
        if verified { "" } else { "not " }
    ));
    let mut warnings: Vec<String> = g.skipped.iter().map(|s| format!("skipped {s}")).collect();
    if let Some(e) = &est {
        warnings.extend(e.remarks().cloned());
    }
    let result = VerifyResult {
        value: o.value.clone(),
        mode: o.mode,
        limits: o.limits,
        skipped: g.skipped.clone(),
        counts: g.counts.clone(),
        transference: tr,
        estimate: est,
        checks,
        verified,
    };
    let table = verification(&result);
    let mut out = Outcome::new(result).section(s).table(table);
    out.summary = summary;
    out.warnings = warnings;
    Ok(out)
}

/// The EP28 check with censored reference values: a value below a detection limit at or below
/// the lower limit lies below it, a value above a limit at or above the upper limit lies above
/// it — both count as outside; the others could lie inside or outside and are set aside. Says so
/// in the skipped rows (replacing the reader's "set aside" lines); returns the counts outside.
fn censored_as_bounds(skipped: &mut [String], b: &crate::grouped::Bounds, limits: (f64, f64)) -> (usize, usize) {
    let below = b.below.iter().filter(|l| **l <= limits.0).count();
    let above = b.above.iter().filter(|u| **u >= limits.1).count();
    let (lo, hi) = (crate::error::num(limits.0), crate::error::num(limits.1));
    let said = |used: usize, total: usize, side: &str, limit: &str, beyond: &str| {
        let mut t = format!(
            "used as bounds by the EP28 check: {used} lie {side} the {beyond} limit {limit} (their limit is beyond it) \
             and count as outside"
        );
        if total > used {
            t.push_str(&format!(
                "; {} set aside: their limit lies within the limits, so they may lie inside or outside",
                total - used
            ));
        }
        t
    };
    for line in skipped.iter_mut() {
        if let Some(head) = line.strip_suffix(crate::grouped::SET_ASIDE) {
            *line = format!("{head}{}", said(below, b.below.len(), "below", &lo, "lower"));
        } else if let Some(head) = line.strip_suffix(crate::grouped::ABOVE_SET_ASIDE) {
            *line = format!("{head}{}", said(above, b.above.len(), "above", &hi, "upper"));
        }
    }
    (below, above)
}

/// `verification`: one row per limit — the given limit, what it was checked against, the verdict.
fn verification(r: &VerifyResult) -> TidyTable {
    let mut t = TidyTable::new(
        "verification",
        &[
            "limit",
            "given",
            "estimated",
            "ci_low",
            "ci_high",
            "band_low",
            "band_high",
            "outside",
            "n",
            "verified",
        ],
    );
    if let Some(x) = &r.transference {
        for (limit, given, out) in [("lower", x.limits.0, x.below), ("upper", x.limits.1, x.above)] {
            t.push(vec![
                limit.into(),
                given.into(),
                Cell::Missing,
                Cell::Missing,
                Cell::Missing,
                Cell::Missing,
                Cell::Missing,
                out.into(),
                x.n.into(),
                x.accept.into(),
            ]);
        }
    }
    for c in &r.checks {
        t.push(vec![
            c.limit.name().into(),
            c.given.into(),
            c.estimated.into(),
            c.ci.map(|v| v.0).into(),
            c.ci.map(|v| v.1).into(),
            c.band.0.into(),
            c.band.1.into(),
            Cell::Missing,
            r.counts.used.into(),
            c.verified.into(),
        ]);
    }
    t
}
