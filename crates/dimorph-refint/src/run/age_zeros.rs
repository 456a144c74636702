//! Rounded zeros in `refint age --method refiner` (`--zeros censored`, the default): each age
//! window reads its zeros as `refint estimate` reads a group's
//! ([`crate::estimate::refiner_zeros`]): where the window's positive values are rounded to a unit
//! u, its zeros (and its values in (0, u/2)) are left-censored below u/2 and enter the fit as the
//! model's mass there; where no rounding unit is found they are dropped. So a window's limits
//! equal `refint estimate --method refiner` on the window's values. The rows are counted once
//! each, however many windows hold them: a 0 read as censored by some window counts as censored,
//! one that no window could read so as dropped.

use crate::error::{clip, num};
use crate::estimate::refiner_zeros::censor_rounded_zeros;
use crate::grouped::Censored;

/// The zeros of one group (their ages, sorted) and which of them, and of the group's positive
/// values below half a window's rounding unit, some window read as censored.
pub(super) struct GroupZeros<'a> {
    ages: &'a [f64],
    zero_used: Vec<bool>,
    below_used: Vec<bool>,
    units: Vec<f64>,
    limits: Vec<f64>,
}

/// The zeros of all groups, counted by row.
#[derive(Debug, Default)]
pub(super) struct ZeroTally {
    censored: usize,
    below: usize,
    dropped: usize,
    units: Vec<f64>,
    limits: Vec<f64>,
}

impl<'a> GroupZeros<'a> {
    /// `ages`: the ages of the group's zeros (sorted); `npts`: its positive values.
    pub fn new(ages: &'a [f64], npts: usize) -> GroupZeros<'a> {
        GroupZeros {
            ages,
            zero_used: vec![false; ages.len()],
            below_used: vec![false; if ages.is_empty() { 0 } else { npts }],
            units: Vec::new(),
            limits: Vec::new(),
        }
    }

    /// The window of ages [from, to) whose positive values `v` are the group's values `a..` (in
    /// age order): its zeros (and values below half its rounding unit, moved out of `v`) read as
    /// censored with `cens`, the window's values below a detection limit; `cens` itself where the
    /// window has no zeros or its values are not rounded.
    pub fn window(
        &mut self,
        v: &mut Vec<f64>,
        a: usize,
        from: f64,
        to: f64,
        cens: Option<Censored>,
    ) -> Option<Censored> {
        let za = self.ages.partition_point(|x| *x < from);
        let zb = self.ages.partition_point(|x| *x < to);
        if zb == za {
            return cens;
        }
        let before = v.clone();
        let Some((c, r)) = censor_rounded_zeros(v, zb - za, cens) else {
            return cens;
        };
        self.zero_used[za..zb].iter_mut().for_each(|u| *u = true);
        for (i, x) in before.iter().enumerate() {
            if *x < 0.5 * r.unit {
                self.below_used[a + i] = true;
            }
        }
        remember(&mut self.units, r.unit);
        remember(&mut self.limits, c.limit);
        Some(c)
    }

    /// Adds this group's rows to `t`.
    pub fn add_to(self, t: &mut ZeroTally) {
        let censored = self.zero_used.iter().filter(|u| **u).count();
        t.censored += censored;
        t.dropped += self.ages.len() - censored;
        t.below += self.below_used.iter().filter(|u| **u).count();
        for u in self.units {
            remember(&mut t.units, u);
        }
        for l in self.limits {
            remember(&mut t.limits, l);
        }
    }
}

/// Keeps the first five distinct numbers seen, for the message.
fn remember(seen: &mut Vec<f64>, x: f64) {
    if seen.len() < 5 && !seen.contains(&x) {
        seen.push(x);
    }
}

impl ZeroTally {
    /// The rows the windows read as censored or dropped, said as `refint estimate` says them;
    /// `partitions`: whether `--partitions` (which uses no censored values) drops them too.
    pub fn messages(&self, value: &str, partitions: bool) -> Vec<String> {
        let v = clip(value);
        let list = |x: &[f64]| x.iter().map(|u| num(*u)).collect::<Vec<_>>().join(", ");
        let mut m = Vec::new();
        if self.censored > 0 {
            m.push(format!(
                "{} values of {v} equal to 0{} read as left-censored below half the rounding unit ({v} rounded to {}: \
                 censored below {}) and used as censored by --method refiner in the age windows that hold their ages \
                 (--zeros censored; --zeros drop drops them as reflimR does)",
                self.censored,
                if self.below > 0 {
                    format!(" and {} below half the rounding unit", self.below)
                } else {
                    String::new()
                },
                list(&self.units),
                list(&self.limits)
            ));
        }
        if self.dropped > 0 {
            m.push(format!(
                "{} values of {v} equal to 0 dropped: the values of the age windows that hold them are not rounded \
                 (no rounding unit found), so a 0 is not read as a rounded small value",
                self.dropped
            ));
        }
        if partitions && self.censored + self.dropped > 0 {
            m.push(format!(
                "{} values of {v} equal to 0 left out of the age partitions (--partitions uses no censored values)",
                self.censored + self.dropped
            ));
        }
        m
    }
}
