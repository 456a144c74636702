//! `refint verify`: a laboratory's limits checked with data — by the CLSI EP28-A3c
//! transference rule on reference individuals, or against limits estimated from its routine data
//! (see [`crate::verify`]).

use crate::error::{clip, Result};
use crate::estimate::group::{estimate_one, GroupEstimate};
use crate::grouped::{read_grouped_coded, Counts, ReadSpec};
use crate::options::{VerifyMode, VerifyOptions};
use crate::verify::{transference, verify_routine, LimitCheck, Transference};
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
    let g = read_grouped_coded(cf, &spec)?;
    let x = &g.groups[0].1;
    let what = format!("{}: {}", cf.source, clip(&o.value));
    let (tr, est, checks) = if routine {
        let e = estimate_one(&what, "", x, None, &o.estimate)?;
        let checks = verify_routine(&what, o.limits, &e, o.estimate.permissible())?;
        (None, Some(e), checks)
    } else {
        (Some(transference(&what, o.limits, x)?), None, Vec::new())
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
