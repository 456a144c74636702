//! Rounded zeros for the refiner (`--zeros censored`, the default of `--method refiner`).
//!
//! Laboratory values are printed rounded to a unit u (0.1 mg/L for CRP); a printed 0 is then a
//! value in [0, u/2), not a value ≤ 0. refineR 2.0.0 fits values ≥ 0 and keeps its zeros (its
//! histogram's first bin holds them; Ammer et al. 2021, Sci Rep 11:16023, and refineR's
//! `R/algoInvHist.R` `generateHistData`, read to understand it), while the Box–Cox model here needs
//! x > 0. So where the values are rounded ([`super::refiner_hist::rounding_unit`] finds u), the
//! zeros — and any value in (0, u/2), which rounds to 0 — are read as left-censored below u/2:
//! their share enters the fit as the model's mass below u/2, as values below a detection limit do
//! ([`crate::grouped::Censored`]; with a detection limit L above u/2 they are censored below L).
//! Where no rounding unit is found (continuous values) a 0 is not a rounded small value and is
//! dropped with a count, as reflimR drops values ≤ 0; negative values are always dropped.
//!
//! Measured on tests/ribench.rs's RIbench subsets (CRP sets there hold 76–641 zeros): see that
//! file and the README for the figures with `--zeros censored` and `--zeros drop`.

use super::refiner_hist::rounding_unit;
use crate::error::{clip, num};
use crate::grouped::{censored_used, Censored, Grouped};
use crate::options::{EstimateOptions, Method, RefinerZeros};
use crate::stats::{quantile7, sorted};

/// The zeros (and values below half the rounding unit) read as censored in one sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoundedZeros {
    /// Values of 0 read as censored.
    pub zeros: usize,
    /// Positive values below u/2 read as censored (none in data rounded to u).
    pub below_half: usize,
    /// The rounding unit u of the values.
    pub unit: f64,
}

/// Reads `zeros` values of 0 (dropped from `x`, the positive values) as censored below half the
/// rounding unit of `x`, with the positive values of `x` below u/2 (moved out of `x`), merged
/// with the values already `censored` below a detection limit. None (and `x` unchanged) when
/// there are no zeros or the values are not rounded.
pub fn censor_rounded_zeros(
    x: &mut Vec<f64>,
    zeros: usize,
    censored: Option<Censored>,
) -> Option<(Censored, RoundedZeros)> {
    if zeros == 0 {
        return None;
    }
    let unit = rounding_unit(&sorted(x))?;
    let half = 0.5 * unit;
    let before = x.len();
    x.retain(|v| *v >= half);
    let below_half = before - x.len();
    let c = Censored {
        n: censored.map_or(0, |c| c.n) + zeros + below_half,
        limit: censored.map_or(half, |c| c.limit.max(half)),
    };
    Some((
        c,
        RoundedZeros {
            zeros,
            below_half,
            unit,
        },
    ))
}

/// The values read for `o`'s method, as it uses them: for the refiner with `--zeros censored` the
/// zeros of rounded values read as censored ([`read_zeros_as_censored`]), then the censored values
/// said to be used by the methods that use them ([`censored_used`]).
pub fn zeros_used(g: Grouped, o: &EstimateOptions) -> Grouped {
    let g = if o.method == Method::Refiner && o.refiner.unwrap_or_default().zeros == RefinerZeros::Censored {
        read_zeros_as_censored(g)
    } else {
        g
    };
    censored_used(g, o.method)
}

/// Why the zeros of a sample are not read as censored (they are dropped, and the skipped rows
/// say which of these it was).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ZerosDropped {
    /// The sample has no values > 0: no rounding unit to read its zeros by.
    NoPositive,
    /// Fewer than 2 distinct values > 0 between the 2.5 and 97.5 % quantiles (where
    /// [`rounding_unit`] looks): too few to find a rounding unit.
    TooFew,
    /// The values > 0 are not rounded (no rounding unit found among enough distinct values).
    NotRounded,
}

impl ZerosDropped {
    /// Why the sorted values > 0 `x`, for which [`rounding_unit`] found none, have no rounding unit.
    pub fn of(x: &[f64]) -> ZerosDropped {
        if x.is_empty() {
            return ZerosDropped::NoPositive;
        }
        let (lo, hi) = (quantile7(x, 0.025), quantile7(x, 0.975));
        let mut inner = x.iter().filter(|v| **v >= lo && **v <= hi);
        let first = inner.next();
        if first.is_none_or(|f| inner.all(|v| v == f)) {
            ZerosDropped::TooFew
        } else {
            ZerosDropped::NotRounded
        }
    }

    /// The reason in words (of a group's values).
    pub fn reason(self) -> &'static str {
        match self {
            ZerosDropped::NoPositive => "their group has no values > 0 (no rounding unit to read them by)",
            ZerosDropped::TooFew => {
                "their group has too few distinct values > 0 (fewer than 2 between the 2.5 and 97.5 % quantiles) \
                 to find a rounding unit"
            }
            ZerosDropped::NotRounded => "the values are not rounded (no rounding unit found)",
        }
    }
}

/// The refiner's `--zeros censored`: per level, the zeros of rounded values (and values below half
/// the rounding unit) become censored below half the unit
/// ([`censor_rounded_zeros`]), counted in `zeros_censored` and
/// said in the skipped rows instead of being dropped; zeros of values without a rounding unit stay
/// dropped, and the skipped rows say why ([`ZerosDropped`]).
fn read_zeros_as_censored(mut g: Grouped) -> Grouped {
    let (mut zeros, mut below, mut units) = (0usize, 0usize, Vec::<f64>::new());
    // the zeros dropped, by reason (indexed by ZerosDropped)
    let mut kept = [0usize; 3];
    let mut limits = Vec::<f64>::new();
    for (level, z) in std::mem::take(&mut g.zeros) {
        let cens = g.censored_of(&level);
        // grouped.rs leaves out the levels without values > 0
        let Some((_, x)) = g.groups.iter_mut().find(|(l, _)| *l == level) else {
            kept[ZerosDropped::NoPositive as usize] += z;
            continue;
        };
        match censor_rounded_zeros(x, z, cens) {
            Some((c, r)) => {
                zeros += r.zeros;
                below += r.below_half;
                units.push(r.unit);
                limits.push(c.limit);
                match g.censored.iter_mut().find(|(l, _)| *l == level) {
                    Some(e) => e.1 = c,
                    None => g.censored.push((level.clone(), c)),
                }
            }
            None => kept[ZerosDropped::of(&sorted(x)) as usize] += z,
        }
    }
    let reasons = [ZerosDropped::NoPositive, ZerosDropped::TooFew, ZerosDropped::NotRounded];
    let kept_total: usize = kept.iter().sum();
    let v = clip(&g.value);
    if zeros == 0 {
        if kept_total > 0 {
            let head = format!("{} values of {v} <= 0 dropped", g.counts.non_positive);
            let why: Vec<String> = reasons
                .iter()
                .filter(|r| kept[**r as usize] > 0)
                .map(|r| format!("{} of them are 0 and {}", kept[*r as usize], r.reason()))
                .collect();
            if let Some(l) = g.skipped.iter_mut().find(|l| l.starts_with(&head)) {
                l.push_str(&format!(
                    "; {}, so a 0 is not read as a rounded small value",
                    why.join("; ")
                ));
            }
        }
        return g;
    }
    g.counts.non_positive -= zeros;
    g.counts.used -= below;
    g.counts.zeros_censored = zeros + below;
    let dropped = g.counts.non_positive;
    g.skipped
        .retain(|l| !(l.starts_with(&format!("{} values of {v} <= 0 dropped", zeros + dropped))));
    if dropped > kept_total {
        g.skipped.push(format!(
            "{} values of {v} < 0 dropped: the Box-Cox transformation of --method refiner needs values > 0",
            dropped - kept_total
        ));
    }
    for r in reasons.iter().filter(|r| kept[**r as usize] > 0) {
        g.skipped.push(dropped_line(kept[*r as usize], &v, r.reason()));
    }
    let fmt = |v: &[f64]| {
        let mut v: Vec<String> = v.iter().map(|x| num(*x)).collect();
        v.dedup();
        v.join(", ")
    };
    g.skipped
        .push(censored_line(zeros, below, &v, &fmt(&units), &fmt(&limits), ""));
    g
}

/// The line that says `zeros` zeros (and `below` values in (0, u/2)) of `v` were read as censored
/// below half the rounding unit (`units`, `limits`: the units and u/2 as listed); `where_` says
/// where they were read (`refint age`: in the age windows), empty for `refint estimate`.
pub(crate) fn censored_line(zeros: usize, below: usize, v: &str, units: &str, limits: &str, where_: &str) -> String {
    format!(
        "{zeros} values of {v} equal to 0{} read as left-censored below half the rounding unit ({v} rounded to \
         {units}: censored below {limits}) and used as censored by --method refiner{where_} (--zeros censored; \
         --zeros drop drops them as reflimR does)",
        if below > 0 {
            format!(" and {below} below half the rounding unit")
        } else {
            String::new()
        },
    )
}

/// The line that says `n` zeros of `v` were dropped, and why (`reason`).
pub(crate) fn dropped_line(n: usize, v: &str, reason: &str) -> String {
    format!("{n} values of {v} equal to 0 dropped: {reason}, so a 0 is not read as a rounded small value")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zeros_of_rounded_values_are_censored_below_half_the_unit() {
        // values rounded to 0.1 (many distinct ones), 5 zeros, one stray 0.02
        let mut x: Vec<f64> = (1..=400).map(|i| ((i as f64).sqrt() * 10.0).round() / 10.0).collect();
        x.push(0.02);
        let (c, z) = censor_rounded_zeros(&mut x, 5, None).expect("rounded");
        assert!((z.unit - 0.1).abs() < 1e-12, "{z:?}");
        assert_eq!((z.zeros, z.below_half, c.n), (5, 1, 6));
        assert!((c.limit - 0.05).abs() < 1e-12);
        assert!(x.iter().all(|v| *v >= 0.05) && x.len() == 400);
        // a detection limit above u/2 keeps its limit and takes the zeros in
        let mut y: Vec<f64> = (1..=400).map(|i| ((i as f64).sqrt() * 10.0).round() / 10.0).collect();
        let (c, _) = censor_rounded_zeros(&mut y, 3, Some(Censored { n: 4, limit: 2.0 })).expect("rounded");
        assert_eq!((c.n, c.limit), (7, 2.0));
    }

    #[test]
    fn zeros_of_continuous_values_or_no_zeros_change_nothing() {
        let mut x: Vec<f64> = (1..=400).map(|i| (i as f64).sqrt() * 1.234_567_89).collect();
        let before = x.clone();
        assert!(censor_rounded_zeros(&mut x, 3, None).is_none());
        let mut y: Vec<f64> = (1..=400).map(|i| ((i as f64).sqrt() * 10.0).round() / 10.0).collect();
        assert!(censor_rounded_zeros(&mut y, 0, None).is_none());
        assert_eq!(x, before);
    }
}
