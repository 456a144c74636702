//! Age partitions chosen from the data (issue 15, item 3): the ages of one group are cut into
//! bands of a fixed width (starting at a multiple of the width), and adjacent bands are merged,
//! left to right, while their reference limits stay within the permissible difference of each
//! other by Haeckel, Wosniok & Arzideh (2016), eqs. 3–4: for each limit i, with A the set whose
//! limit i is lower ("preferably … the RL with the lower value"), the difference |RL_iA − RL_iB|
//! is relevant when it exceeds pD_i = z·pu(RL_iA), pu derived from A's limits (appendix,
//! eqs. 5–13). The limits of the partition built so far are compared with those of the next
//! band; a relevant difference at either limit starts a new partition there (the paper: "If the
//! difference … is higher than can be explained by analytical causes, RLs should be stratified"),
//! otherwise the band joins the partition and its limits are estimated again from all its values.
//!
//! A band or partition reads its censored values as an age window does ([`super::age_zeros`]):
//! its values below a detection limit, where the method uses them, and, for the refiner's
//! `--zeros censored`, its zeros (censored below half the rounding unit of its values > 0), so
//! its limits equal `refint estimate` on the same rows ([`Censoring`]).

use super::age_read::censored_in;
use crate::equivalence::{display_digits, Limit};
use crate::error::{clip, num, RefintError, Result};
use crate::estimate::group::{estimate_one_censored, GroupEstimate};
use crate::estimate::refiner_zeros::censor_rounded_zeros;
use crate::grouped::Censored;
use crate::options::EstimateOptions;
use crate::permissible::Permissible;
use serde::Serialize;

/// Most age bands per group.
pub const MAX_BANDS: usize = 1000;

/// One chosen age partition of one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgePartition {
    pub group: String,
    /// Ages in [from, to).
    pub from: f64,
    pub to: f64,
    /// Values > 0 used as observed (those below half the rounding unit read as censored are not
    /// counted here but in `censored`).
    pub n: usize,
    /// Values used as censored: below a detection limit, and the refiner's zeros read as censored
    /// below half the rounding unit (`--zeros censored`).
    pub censored: usize,
    pub lower: f64,
    pub upper: f64,
    /// Why the partition starts here: the first band of the group, or the limit(s) whose
    /// difference from the partition before exceeds the permissible difference (numbers given).
    pub reason: String,
}

/// What names an age band in messages: `prefix` is "<source>: <value> where <age>", `suffix`
/// the group part (" and Sex = 'f'" or "").
pub(super) struct Naming<'a> {
    pub prefix: &'a str,
    pub suffix: &'a str,
}

impl Naming<'_> {
    fn band(&self, from: f64, to: f64) -> String {
        format!(
            "{} in [{}, {}){} (age band of --partitions)",
            self.prefix,
            num(from),
            num(to),
            self.suffix
        )
    }
}

/// What a group's bands read as censored besides their values > 0, as its age windows do: the
/// ages of its zeros that the refiner's `--zeros censored` reads (sorted; empty otherwise) and the
/// (age, detection limit) of its values below a detection limit that the method uses as censored
/// (sorted by age; empty where the method sets them aside).
#[derive(Clone, Copy)]
pub(super) struct Censoring<'a> {
    pub zeros: &'a [f64],
    pub below: &'a [(f64, f64)],
}

impl Censoring<'_> {
    /// The censored values of the ages [from, to) whose values > 0 are `v`: the values below a
    /// detection limit there, merged with the zeros there read as censored below half the rounding
    /// unit of `v` (the values of `v` below it moved out), as [`super::age_zeros`] reads a window's.
    pub fn of(&self, v: &mut Vec<f64>, from: f64, to: f64) -> Option<Censored> {
        let detected = censored_in(self.below, from, to);
        let zeros = self.zeros.partition_point(|a| *a < to) - self.zeros.partition_point(|a| *a < from);
        censor_rounded_zeros(v, zeros, detected).map(|(c, _)| c).or(detected)
    }
}

/// The estimate of the ages [from, to) whose values > 0 are `v`, with their censored values
/// ([`Censoring::of`]).
fn estimate_range(
    naming: &Naming,
    group: &str,
    (from, to): (f64, f64),
    v: &[f64],
    cens: Censoring,
    est: &EstimateOptions,
) -> Result<GroupEstimate> {
    let mut v = v.to_vec();
    let c = cens.of(&mut v, from, to);
    estimate_one_censored(&naming.band(from, to), group, &v, c, None, est)
}

/// The partitions of one group: `pts` are (age, value) sorted by age, `band` the band width,
/// `cens` the group's censored values. Errors: too many bands, or a band whose limits cannot be
/// estimated (named, with the reason).
pub(super) fn choose(
    naming: &Naming,
    group: &str,
    pts: &[(f64, f64)],
    band: f64,
    cens: Censoring,
    est: &EstimateOptions,
) -> Result<Vec<AgePartition>> {
    let estimate = |range: (f64, f64), v: &[f64]| estimate_range(naming, group, range, v, cens, est);
    let (lo, hi) = (pts[0].0, pts[pts.len() - 1].0);
    let start = (lo / band).floor() * band;
    let count = ((hi - start) / band).floor() + 1.0;
    if !(count.is_finite() && count <= MAX_BANDS as f64) {
        return Err(RefintError::Option(Box::new(dimorph_core::location::bad_argument(
            "--partitions",
            format!(
                "bands of width {} over ages {} to {} are more than {MAX_BANDS}; choose a wider band",
                num(band),
                num(lo),
                num(hi)
            ),
        ))));
    }
    let mut out = Vec::new();
    // the partition being built: from, to, its values, its estimate, why it started
    let mut cur: Option<(f64, f64, Vec<f64>, GroupEstimate, String)> = None;
    // leading bands too small for the method: their first age and values; the first reason
    let mut lead: Option<(f64, Vec<f64>)> = None;
    let mut first_error: Option<String> = None;
    for j in 0..count as usize {
        let (from, to) = (start + j as f64 * band, start + (j + 1) as f64 * band);
        let a = pts.partition_point(|p| p.0 < from);
        let b = pts.partition_point(|p| p.0 < to);
        if a == b {
            continue; // no one of these ages: the partition spans the gap
        }
        let mut v: Vec<f64> = pts[a..b].iter().map(|p| p.1).collect();
        let n_band = v.len();
        let e = match estimate((from, to), &v) {
            Ok(e) => e,
            Err(e) => {
                // a band too small for the method joins its neighbour without a test, said so
                let joined = format!(
                    "band [{}, {}) (n = {n_band}) joined without a test: {e}",
                    num(from),
                    num(to)
                );
                match cur.take() {
                    Some((cf, _, mut cv, _, why)) => {
                        cv.extend_from_slice(&v);
                        let merged = estimate((cf, to), &cv)?;
                        cur = Some((cf, to, cv, merged, format!("{why}; {joined}")));
                    }
                    None => {
                        let (f0, mut v0) = lead.take().unwrap_or((from, Vec::new()));
                        v0.append(&mut v);
                        first_error.get_or_insert(format!("{e} (n = {n_band})"));
                        lead = Some((f0, v0));
                    }
                }
                continue;
            }
        };
        let Some((cf, ct, mut cv, ce, why)) = cur.take() else {
            // the first band that can be estimated, with the too small bands before it
            let (f0, why, v, e) = match lead.take() {
                Some((f0, mut v0)) => {
                    v0.extend_from_slice(&v);
                    let e = estimate((f0, to), &v0)?;
                    let why = format!(
                        "first age bands of the group: [{}, {}) had too few values and were joined to [{}, {})",
                        num(f0),
                        num(from),
                        num(from),
                        num(to)
                    );
                    (f0, why, v0, e)
                }
                None => (from, "first age band of the group".into(), v, e),
            };
            cur = Some((f0, to, v, e, why));
            continue;
        };
        let reasons = relevant_differences(naming, (cf, ct), &ce, (from, to), &e, est)?;
        if reasons.is_empty() {
            cv.extend_from_slice(&v);
            let merged = estimate((cf, to), &cv)?;
            cur = Some((cf, to, cv, merged, why));
        } else {
            out.push(partition(group, (cf, ct), &cv, cens, &ce, why));
            cur = Some((from, to, v, e, reasons.join("; ")));
        }
    }
    match cur {
        Some((cf, ct, cv, ce, why)) => out.push(partition(group, (cf, ct), &cv, cens, &ce, why)),
        None => {
            return Err(RefintError::Group(format!(
                "no age band of --partitions could be estimated, not even all together: {}; \
                 choose a wider band with --partitions",
                first_error.unwrap_or_default()
            )))
        }
    }
    Ok(out)
}

/// The partition of the ages [from, to) whose values > 0 are `v`, estimated as `e`: its values
/// counted as [`estimate_range`] used them.
fn partition(
    group: &str,
    (from, to): (f64, f64),
    v: &[f64],
    cens: Censoring,
    e: &GroupEstimate,
    reason: String,
) -> AgePartition {
    let mut v = v.to_vec();
    let c = cens.of(&mut v, from, to);
    AgePartition {
        group: group.into(),
        from,
        to,
        n: v.len(),
        censored: c.map_or(0, |c| c.n),
        lower: e.limits.lower,
        upper: e.limits.upper,
        reason,
    }
}

/// The paper's criterion (eqs. 3–4) for the partition so far (`a`) and the next band (`b`):
/// one sentence per limit whose difference exceeds pD; empty when both are within.
fn relevant_differences(
    naming: &Naming,
    ra: (f64, f64),
    a: &GroupEstimate,
    rb: (f64, f64),
    b: &GroupEstimate,
    est: &EstimateOptions,
) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for limit in [Limit::Lower, Limit::Upper] {
        let (va, vb) = match limit {
            Limit::Lower => (a.limits.lower, b.limits.lower),
            Limit::Upper => (a.limits.upper, b.limits.upper),
        };
        // A: the set with the lower value of this limit defines pu
        let (ref_e, ref_r) = if va <= vb { (a, ra) } else { (b, rb) };
        let p = Permissible::named(
            &format!("limits of {}", naming.band(ref_r.0, ref_r.1)),
            ref_e.limits.lower,
            ref_e.limits.upper,
            est.permissible(),
        )?;
        let pd = p.pd_at_limit(limit.index());
        let d = (va - vb).abs();
        if d > pd {
            let f = |x: f64| crate::quote::dec(x, display_digits(pd));
            out.push(format!(
                "{} limit: ages [{}, {}) {} vs [{}, {}) {}: difference {} > pD = {} (z·pu from the lower value): new partition",
                limit.name(),
                num(ra.0),
                num(ra.1),
                f(va),
                num(rb.0),
                num(rb.1),
                f(vb),
                f(d),
                f(pd)
            ));
        }
    }
    Ok(out)
}

/// Text lines for the report: one per partition.
pub(super) fn describe(by: Option<&str>, parts: &[AgePartition]) -> Vec<String> {
    parts
        .iter()
        .map(|p| {
            let g = match by {
                Some(by) => format!("{} = '{}', ", clip(by), clip(&p.group)),
                None => String::new(),
            };
            format!(
                "{g}ages [{}, {}): n = {}{}, limits {} – {} ({})",
                num(p.from),
                num(p.to),
                p.n,
                if p.censored > 0 {
                    format!(" and {} censored", p.censored)
                } else {
                    String::new()
                },
                num(p.lower),
                num(p.upper),
                p.reason
            )
        })
        .collect()
}
