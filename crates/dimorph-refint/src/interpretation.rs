//! A laboratory's limits judged against target limits, as the R package reflimR (Hoffmann et
//! al. 2024, function `interpretation`) reports it.
//!
//! Around each limit a tolerance interval limit ± 1.28·ps_A(limit) is drawn, with ps_A from the
//! limit pair itself (the paper's eqs. 5–12 under the log-normal assumption). A limit is
//! "within tolerance" when it lies in the target's tolerance interval; "slightly" decreased or
//! increased when only its own tolerance interval overlaps the target's (one end of it lies
//! inside); "markedly" when the two intervals do not overlap in that way.

use crate::error::Result;
use crate::permissible::{Permissible, PermissibleOptions};
use crate::stats::{reflim_digits, round_to};
use serde::Serialize;

/// The verdict for one limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Deviation {
    WithinTolerance,
    SlightlyDecreased,
    SlightlyIncreased,
    MarkedlyDecreased,
    MarkedlyIncreased,
}

impl Deviation {
    /// The words reflimR prints.
    pub fn text(self) -> &'static str {
        match self {
            Deviation::WithinTolerance => "within tolerance",
            Deviation::SlightlyDecreased => "slightly decreased",
            Deviation::SlightlyIncreased => "slightly increased",
            Deviation::MarkedlyDecreased => "markedly decreased",
            Deviation::MarkedlyIncreased => "markedly increased",
        }
    }
}

/// Tolerance intervals [RL₁ − pD₁, RL₁ + pD₁, RL₂ − pD₂, RL₂ + pD₂] of a pair of limits
/// (reflimR's `permissible_uncertainty`), rounded like reflimR when `round` is set (to the
/// decimals reflimR chooses for the first value).
pub fn tolerance(rl1: f64, rl2: f64, round: bool) -> Result<[f64; 4]> {
    let p = Permissible::from_limits(rl1, rl2, PermissibleOptions::default())?;
    let mut t = [rl1 - p.pd1, rl1 + p.pd1, rl2 - p.pd2, rl2 + p.pd2];
    if round {
        let d = reflim_digits(t[0]);
        t.iter_mut().for_each(|v| *v = round_to(*v, d));
    }
    Ok(t)
}

/// The interpretation of both limits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Interpretation {
    pub limits: (f64, f64),
    pub targets: (f64, f64),
    /// Tolerance intervals of the limits and of the targets: [low₁, upp₁, low₂, upp₂].
    pub tol_limits: [f64; 4],
    pub tol_targets: [f64; 4],
    pub lower: Deviation,
    pub upper: Deviation,
}

/// Judges `limits` against `targets`; `round` rounds the tolerance intervals as reflimR does.
pub fn interpret(limits: (f64, f64), targets: (f64, f64), round: bool) -> Result<Interpretation> {
    crate::error::check_limits("limits", limits.0, limits.1, true)?;
    crate::error::check_limits("target limits (--targets)", targets.0, targets.1, true)?;
    let tl = tolerance(limits.0, limits.1, round)?;
    let tt = tolerance(targets.0, targets.1, round)?;
    let judge = |i: usize, x: f64, target: f64| {
        let (lo, hi) = (tt[2 * i], tt[2 * i + 1]);
        let inside = |v: f64| v >= lo && v <= hi;
        if inside(x) {
            Deviation::WithinTolerance
        } else if inside(tl[2 * i]) || inside(tl[2 * i + 1]) {
            if x < target {
                Deviation::SlightlyDecreased
            } else {
                Deviation::SlightlyIncreased
            }
        } else if x < target {
            Deviation::MarkedlyDecreased
        } else {
            Deviation::MarkedlyIncreased
        }
    };
    Ok(Interpretation {
        limits,
        targets,
        tol_limits: tl,
        tol_targets: tt,
        lower: judge(0, limits.0, targets.0),
        upper: judge(1, limits.1, targets.1),
    })
}
