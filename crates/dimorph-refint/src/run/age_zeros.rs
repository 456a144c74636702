//! Rounded zeros in `refint age --method refiner` (`--zeros censored`, the default): each age
//! window reads its zeros as `refint estimate` reads a group's
//! ([`crate::estimate::refiner_zeros`]): where the window's positive values are rounded to a unit
//! u, its zeros (and its values in (0, u/2)) are left-censored below u/2 and enter the fit as the
//! model's mass there; where no rounding unit is found they are dropped. So a window's limits
//! equal `refint estimate --method refiner` on the window's values. The rows are counted once
//! each, however many windows hold them: a 0 read as censored by some window counts as censored,
//! one that no window could read so as dropped, with the reason: its group has no values > 0,
//! its age lies in no window, or the windows that hold it have too few distinct values > 0 to
//! find a rounding unit or values that are not rounded ([`ZerosDropped`]). The age partitions
//! of `--partitions` read their zeros the same way, each partition as one window
//! (`age_partitions::Censoring`), and are counted and said apart ([`Place`]), except the zeros
//! of a group without values > 0: neither windows nor partitions hold them, so they are said
//! once, by the windows' tally, for both ([`ZeroTally::for_windows`]).

use crate::error::{clip, num};
use crate::estimate::refiner_zeros::{censor_rounded_zeros, censored_line, dropped_line, ZerosDropped};
use crate::grouped::Censored;
use crate::stats::sorted;

/// The zeros of one group (their ages, sorted) and which of them, and of the group's positive
/// values below half a window's rounding unit, some window read as censored.
pub(super) struct GroupZeros<'a> {
    ages: &'a [f64],
    /// Per zero, what became of it: the best of the windows that hold it.
    state: Vec<ZeroState>,
    below_used: Vec<bool>,
    units: Vec<f64>,
    limits: Vec<f64>,
}

/// What became of one zero, over the windows: read as censored by some window, or dropped for
/// the reason of the windows that hold it (not rounded over too few values over no window).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum ZeroState {
    NoWindow,
    Dropped(ZerosDropped),
    Censored,
}

/// Where the zeros were read: in the sliding age windows or in the age partitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    Windows,
    Partitions,
}

impl Place {
    fn noun(self) -> &'static str {
        match self {
            Place::Windows => "window",
            Place::Partitions => "partition",
        }
    }
}

/// The zeros of all groups, counted by row.
#[derive(Debug, Default)]
pub(super) struct ZeroTally {
    /// The windows' tally where the age partitions are chosen too: the zeros of a group without
    /// values > 0 (no windows, no partitions) are said once, here, naming both.
    with_partitions: bool,
    censored: usize,
    below: usize,
    /// Zeros of groups without values > 0 (no windows).
    no_positive: usize,
    /// Zeros of groups whose age partitions could not be estimated (their reason is said).
    unestimated: usize,
    /// Zeros whose age lies in no window of their group.
    no_window: usize,
    /// Zeros whose windows have too few distinct values > 0 to find a rounding unit.
    too_few: usize,
    /// Zeros whose windows' values are not rounded.
    not_rounded: usize,
    units: Vec<f64>,
    limits: Vec<f64>,
}

impl<'a> GroupZeros<'a> {
    /// `ages`: the ages of the group's zeros (sorted); `npts`: its positive values.
    pub fn new(ages: &'a [f64], npts: usize) -> GroupZeros<'a> {
        GroupZeros {
            ages,
            state: vec![ZeroState::NoWindow; ages.len()],
            below_used: vec![false; if ages.is_empty() { 0 } else { npts }],
            units: Vec::new(),
            limits: Vec::new(),
        }
    }

    /// The window (or age partition) of ages [from, to) whose positive values `v` are the group's values `a..` (in
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
            // a window without values > 0 has too few of them to find a rounding unit
            let why = ZerosDropped::of(&sorted(v)).max(ZerosDropped::TooFew);
            self.state[za..zb]
                .iter_mut()
                .for_each(|s| *s = (*s).max(ZeroState::Dropped(why)));
            return cens;
        };
        self.state[za..zb].iter_mut().for_each(|s| *s = ZeroState::Censored);
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
        for s in &self.state {
            match s {
                ZeroState::Censored => t.censored += 1,
                ZeroState::NoWindow => t.no_window += 1,
                ZeroState::Dropped(ZerosDropped::NotRounded) => t.not_rounded += 1,
                ZeroState::Dropped(_) => t.too_few += 1,
            }
        }
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
    /// The windows' tally; `partitions`: the age partitions are chosen too (their tally leaves the
    /// zeros of groups without values > 0 to this one, so each such row is said once).
    pub fn for_windows(partitions: bool) -> ZeroTally {
        ZeroTally {
            with_partitions: partitions,
            ..Default::default()
        }
    }

    /// The `n` zeros of a group without values > 0 (which has no windows), dropped.
    pub fn group_without_values(&mut self, n: usize) {
        self.no_positive += n;
    }

    /// The `n` zeros of a group whose age partitions could not be estimated, dropped.
    pub fn group_without_partitions(&mut self, n: usize) {
        self.unestimated += n;
    }

    /// The rows the windows (or the partitions, `place`) read as censored or dropped, said as
    /// `refint estimate` says them.
    pub fn messages(&self, value: &str, place: Place) -> Vec<String> {
        let v = clip(value);
        let w = place.noun();
        let list = |x: &[f64]| x.iter().map(|u| num(*u)).collect::<Vec<_>>().join(", ");
        let mut m = Vec::new();
        if self.censored > 0 {
            m.push(censored_line(
                self.censored,
                self.below,
                &v,
                &list(&self.units),
                &list(&self.limits),
                &format!(" in the age {w}s that hold their ages"),
            ));
        }
        let why = [
            (
                self.no_positive,
                format!(
                    "their group has no values > 0 (no age {w}{}, no rounding unit to read them by)",
                    if self.with_partitions { " or partition" } else { "" }
                ),
            ),
            (
                self.unestimated,
                "their group's age partitions could not be estimated (the group's reason is given)".to_string(),
            ),
            (
                self.no_window,
                match place {
                    Place::Windows => {
                        "their ages lie in no age window (the windows span the ages of their group's values > 0)"
                            .to_string()
                    }
                    Place::Partitions => "their ages lie in no age partition (the partitions span the age bands \
                                          that hold their group's values > 0)"
                        .to_string(),
                },
            ),
            (
                self.too_few,
                format!(
                    "the age {w}s that hold them have too few distinct values > 0 (fewer than 2 between the 2.5 and \
                     97.5 % quantiles) to find a rounding unit"
                ),
            ),
            (
                self.not_rounded,
                format!("the values of the age {w}s that hold them are not rounded (no rounding unit found)"),
            ),
        ];
        for (n, reason) in why.iter().filter(|(n, _)| *n > 0) {
            m.push(dropped_line(*n, &v, reason));
        }
        m
    }
}
