//! Equivalence lines and verdicts for two or more sets of reference limits (Haeckel et al.
//! 2016, eqs. 1–4 and the appendix "Comparison of several reference limits").
//!
//! Group A's limits define the permissible uncertainty pu(x) ([`Permissible`]); the band
//! y = x ± z·pu(x) around the diagonal (eqs. 1–2) holds every pair (RL_iA, RL_iB) that differs
//! by analytical uncertainty only. Tested limit by limit: |RL_iA − RL_iB| ≤ pD_i (eqs. 3–4)
//! means "not relevant", a larger difference means the limits differ beyond what analytical
//! uncertainty explains and the groups should be partitioned (stratified).

use crate::error::Result;
use crate::permissible::{Permissible, PermissibleOptions};
use serde::Serialize;

/// Which end of the reference interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Limit {
    Lower,
    Upper,
}

impl Limit {
    pub fn index(self) -> usize {
        match self {
            Limit::Lower => 1,
            Limit::Upper => 2,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Limit::Lower => "lower",
            Limit::Upper => "upper",
        }
    }
}

/// The verdict for one limit of two sets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LimitVerdict {
    pub limit: Limit,
    /// RL_iA and RL_iB.
    pub a: f64,
    pub b: f64,
    /// D_i = |RL_iA − RL_iB|.
    pub d: f64,
    /// pD_i = z·pu(RL_iA) (eqs. 3–4).
    pub pd: f64,
    /// D_i in % of RL_iA (NaN, `null` in JSON, when RL_iA = 0).
    pub d_pct: f64,
    /// pD_i in % of RL_iA (NaN, `null` in JSON, when RL_iA = 0).
    pub pd_pct: f64,
    /// True when D_i > pD_i: the difference is relevant (partition / the limits differ).
    pub relevant: bool,
    /// One sentence that gives the reason.
    pub reason: String,
}

/// Comparison of two sets of limits, A (established, or the reference group) and B.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub a: (f64, f64),
    pub b: (f64, f64),
    /// The permissible uncertainty derived from A's limits.
    pub permissible: Permissible,
    pub lower: LimitVerdict,
    pub upper: LimitVerdict,
    /// True when either limit differs relevantly.
    pub relevant: bool,
}

fn verdict(limit: Limit, a: f64, b: f64, pd: f64, digits: usize) -> LimitVerdict {
    let d = (a - b).abs();
    let relevant = d > pd;
    let f = |x: f64| crate::quote::dec(x, digits);
    let reason = if relevant {
        format!(
            "|{} - {}| = {} exceeds the permissible difference pD = {}: relevant, partition",
            f(a),
            f(b),
            f(d),
            f(pd)
        )
    } else {
        format!(
            "|{} - {}| = {} is within the permissible difference pD = {}: not relevant",
            f(a),
            f(b),
            f(d),
            f(pd)
        )
    };
    LimitVerdict {
        limit,
        a,
        b,
        d,
        pd,
        d_pct: percent_of(d, a),
        pd_pct: percent_of(pd, a),
        relevant,
        reason,
    }
}

/// `x` in % of |a|; NaN (`null` in JSON, `NA` in text and CSV) for a = 0, where a percentage of
/// the limit is not defined.
pub fn percent_of(x: f64, a: f64) -> f64 {
    if a == 0.0 {
        f64::NAN
    } else {
        100.0 * x / a.abs()
    }
}

/// Decimals that show a difference of size `x` with three significant digits (at least 2).
pub fn display_digits(x: f64) -> usize {
    if !(x.is_finite() && x > 0.0) {
        return 2;
    }
    (2 - x.log10().floor() as i64).clamp(2, 8) as usize
}

/// Compares B's limits with A's (eqs. 1–4): pu comes from A.
pub fn compare(a: (f64, f64), b: (f64, f64), options: PermissibleOptions) -> Result<Comparison> {
    let p = Permissible::named("limits of A (--a)", a.0, a.1, options)?;
    crate::error::check_limits(
        "limits of B (--b)",
        b.0,
        b.1,
        options.assumption == crate::Assumption::LogNormal,
    )?;
    let dg = display_digits(p.pd1.min(p.pd2));
    let lower = verdict(Limit::Lower, a.0, b.0, p.pd1, dg);
    let upper = verdict(Limit::Upper, a.1, b.1, p.pd2, dg);
    let relevant = lower.relevant || upper.relevant;
    Ok(Comparison {
        a,
        b,
        permissible: p,
        lower,
        upper,
        relevant,
    })
}

/// Compares one limit only (the paper's worked examples give single upper limits): `a_pair`
/// are A's two limits (they define pu), `b` is the other set's value of `limit`.
pub fn compare_one(a_pair: (f64, f64), limit: Limit, b: f64, options: PermissibleOptions) -> Result<LimitVerdict> {
    let p = Permissible::named("limits of A (--a)", a_pair.0, a_pair.1, options)?;
    let a = if limit == Limit::Lower { a_pair.0 } else { a_pair.1 };
    let pd = p.pd_at_limit(limit.index());
    Ok(verdict(limit, a, b, pd, display_digits(pd)))
}

/// Points of the equivalence lines y = x ± z·pu(x) (eqs. 1–2) at `xs`: (x, lower, upper).
pub fn lines(p: &Permissible, xs: &[f64]) -> Vec<(f64, f64, f64)> {
    xs.iter().map(|&x| (x, x - p.pd(x), x + p.pd(x))).collect()
}

/// One step of the several-sets procedure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeveralStep {
    /// Labels of the sets still compared.
    pub kept: Vec<String>,
    pub min: f64,
    pub max: f64,
    /// max − min.
    pub spread: f64,
    /// z·pu at the reference value (the permissible difference).
    pub pd: f64,
    /// The set excluded after this step (None when the spread is permissible).
    pub excluded: Option<String>,
}

/// Result of comparing several sets at one limit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeveralResult {
    pub limit: Limit,
    pub steps: Vec<SeveralStep>,
    /// Sets that can share a common limit.
    pub common: Vec<String>,
    /// Sets excluded one at a time, in order.
    pub excluded: Vec<String>,
}

/// Several sets (appendix): the spread max − min of limit `limit` over the sets is compared with
/// z·pu; if it exceeds it, one set is excluded and the remaining spread is tested again.
///
/// pu is derived from the limits of the reference set (`sets[reference]`, "A") and evaluated at
/// its value of the limit. The set excluded at each step is the one farthest from the median of
/// the remaining values (the paper says only "one RL is excluded"); the reference set is never
/// excluded.
pub fn compare_several(
    sets: &[(String, (f64, f64))],
    reference: usize,
    limit: Limit,
    options: PermissibleOptions,
) -> Result<SeveralResult> {
    if sets.len() < 2 || reference >= sets.len() {
        return Err(crate::RefintError::Invalid {
            what: "sets".into(),
            msg: format!(
                "need at least two sets of limits and a valid reference (got {} sets)",
                sets.len()
            ),
        });
    }
    for (name, (l, u)) in sets {
        crate::error::check_limits(
            &format!("limits of '{}'", crate::error::clip(name)),
            *l,
            *u,
            options.assumption == crate::Assumption::LogNormal,
        )?;
    }
    let (ref_name, ref_pair) = &sets[reference];
    let what = format!("limits of '{}'", crate::error::clip(ref_name));
    let p = Permissible::named(&what, ref_pair.0, ref_pair.1, options)?;
    let pd = p.pd_at_limit(limit.index());
    let val = |s: &(String, (f64, f64))| {
        if limit == Limit::Lower {
            s.1 .0
        } else {
            s.1 .1
        }
    };
    let mut kept: Vec<usize> = (0..sets.len()).collect();
    let mut steps = Vec::new();
    let mut excluded = Vec::new();
    loop {
        let vals: Vec<f64> = kept.iter().map(|&i| val(&sets[i])).collect();
        let min = vals.iter().copied().fold(f64::INFINITY, f64::min);
        let max = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let spread = max - min;
        let names: Vec<String> = kept.iter().map(|&i| sets[i].0.clone()).collect();
        if spread <= pd || kept.len() < 2 {
            steps.push(SeveralStep {
                kept: names,
                min,
                max,
                spread,
                pd,
                excluded: None,
            });
            break;
        }
        let med = crate::stats::median(&crate::stats::sorted(&vals));
        let (pos, _) = kept
            .iter()
            .enumerate()
            .filter(|(_, &i)| i != reference)
            .map(|(k, &i)| (k, (val(&sets[i]) - med).abs()))
            .fold(
                (usize::MAX, f64::NEG_INFINITY),
                |acc, x| {
                    if x.1 > acc.1 {
                        x
                    } else {
                        acc
                    }
                },
            );
        if pos == usize::MAX {
            steps.push(SeveralStep {
                kept: names,
                min,
                max,
                spread,
                pd,
                excluded: None,
            });
            break;
        }
        let out = sets[kept[pos]].0.clone();
        steps.push(SeveralStep {
            kept: names,
            min,
            max,
            spread,
            pd,
            excluded: Some(out.clone()),
        });
        excluded.push(out);
        kept.remove(pos);
    }
    let common = kept.iter().map(|&i| sets[i].0.clone()).collect();
    Ok(SeveralResult {
        limit,
        steps,
        common,
        excluded,
    })
}
