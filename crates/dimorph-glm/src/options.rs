//! The options of the GLM engine, as plain structs with the CLI's defaults.
//!
//! - [`RunOptions`]: everything one `dimorph glm` run takes besides its inputs (family, link,
//!   weights, dispersion, level, ...), with [`RunOptions::validate`], which refuses a bad value
//!   with a message naming the option in its CLI spelling, and the rule for the default family
//!   ([`RunOptions::family_for`]: binomial for an events/trials response, else gaussian, as R).
//! - [`GlmOptions`]: what the fit itself needs (the resolved family and link, tolerances).
//! - [`AnalysisOptions`]: what to compute beyond the fit (interval level, profile intervals,
//!   PROC LOGISTIC's bin width).

use serde::Serialize;

use crate::error::{GlmError, Result};
use crate::family::{Family, THETA_MAX};
use crate::irls::Control;
use crate::link::Link;

/// How the dispersion φ is obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dispersion {
    /// The family's default: 1 for binomial, Poisson and negative binomial; Pearson χ²/df else.
    #[default]
    Default,
    /// φ = 1.
    Fixed,
    /// φ = Pearson χ² / df (R's `summary.glm`, SAS `SCALE=PEARSON`).
    Pearson,
    /// φ = deviance / df (SAS `SCALE=DEVIANCE`).
    Deviance,
}

/// The heteroskedasticity-consistent type (`--robust`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HcType {
    Hc0,
    Hc1,
    Hc2,
    Hc3,
}

impl HcType {
    /// The name as R's sandwich and statsmodels spell it.
    pub fn name(self) -> &'static str {
        match self {
            HcType::Hc0 => "HC0",
            HcType::Hc1 => "HC1",
            HcType::Hc2 => "HC2",
            HcType::Hc3 => "HC3",
        }
    }
}

impl std::str::FromStr for HcType {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "hc0" => Ok(HcType::Hc0),
            "hc1" => Ok(HcType::Hc1),
            "hc2" => Ok(HcType::Hc2),
            "hc3" => Ok(HcType::Hc3),
            _ => Err(format!(
                "expected hc0, hc1, hc2 or hc3, got '{}'",
                crate::error::clip(s)
            )),
        }
    }
}

/// Options of a fit (linfa style: a plain struct with defaults).
#[derive(Debug, Clone, Serialize)]
pub struct GlmOptions {
    /// The response distribution (for the negative binomial, θ or its starting value).
    pub family: Family,
    /// The link; `None` is the family's canonical link.
    pub link: Option<Link>,
    /// Estimate θ of the negative binomial by maximum likelihood (MASS `glm.nb`).
    pub estimate_theta: bool,
    /// How the dispersion φ is obtained.
    pub dispersion: Dispersion,
    /// The `weights` column of the model frame holds frequencies (each row stands for that many
    /// identical observations: df = Σ f − p) instead of prior weights (df = rows − p).
    pub frequency_weights: bool,
    /// Convergence tolerance on the relative deviance change.
    pub tol: f64,
    /// Most IRLS iterations.
    pub max_iter: usize,
    /// Threads for the passes over the data.
    pub threads: usize,
    /// R's `singular.ok`: when false, an aliased column is an error.
    pub singular_ok: bool,
    /// Starting coefficients (one per column of X).
    pub start: Option<Vec<f64>>,
}

impl GlmOptions {
    /// The defaults for a family and link (`None`: the canonical link).
    pub fn new(family: Family, link: Option<Link>) -> Self {
        GlmOptions {
            family,
            link,
            estimate_theta: matches!(family, Family::NegBin { .. }),
            dispersion: Dispersion::Default,
            frequency_weights: false,
            tol: 1e-8,
            max_iter: 25,
            threads: dimorph_core::threads::available(),
            singular_ok: true,
            start: None,
        }
    }

    /// The IRLS loop's options.
    pub fn control(&self) -> Control {
        Control {
            tol: self.tol,
            polish: true,
            max_iter: self.max_iter,
            threads: self.threads,
        }
    }
}

/// What to compute beyond the fit.
#[derive(Debug, Clone, Serialize)]
pub struct AnalysisOptions {
    /// Confidence level of all intervals.
    pub level: f64,
    /// Profile-likelihood intervals (one constrained refit per limit).
    pub profile: bool,
    /// Type 3 likelihood-ratio tests (one refit per term; the Wald tests are always computed).
    pub type3_lr: bool,
    /// SAS's BINWIDTH for the association statistics.
    pub binwidth: f64,
    /// Threads of the refits.
    pub threads: usize,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        AnalysisOptions {
            level: 0.95,
            profile: true,
            type3_lr: true,
            binwidth: DEFAULT_BINWIDTH,
            threads: dimorph_core::threads::available(),
        }
    }
}

/// Above this many cells (used rows × columns of X) the profile-likelihood intervals are left
/// out unless asked for (`--profile`): each takes about 20 refits per coefficient.
pub const PROFILE_AUTO_MAX_CELLS: usize = 500_000;

/// Above this work, rows × columns³ of X, the profile-likelihood intervals are left out unless
/// asked for, whatever the cells: about 20 refits per coefficient, each of rows × columns² per
/// iteration, so a factor of many levels made a small table's default run take minutes (a
/// review: 2000 rows with a 200-level factor ran for minutes, 0.26 s without the intervals). The
/// value is the cell limit's at 20 columns (25,000 rows × 20³).
pub const PROFILE_AUTO_MAX_WORK: f64 = 2e8;

/// Above this many cells (used rows × columns of X) the Type 3 likelihood-ratio tests (one refit
/// per term) are left out unless asked for (`--type3`); the Wald tests are always given.
pub const TYPE3_AUTO_MAX_CELLS: usize = 2_000_000;

/// Most IRLS iterations `--max-iter` allows.
pub const MAX_ITER_LIMIT: usize = 10_000;

/// Most threads `--threads` allows (the kernel's limit for every engine).
pub const MAX_THREADS: usize = dimorph_core::threads::MAX_REQUESTED;

/// Smallest θ `--theta` allows (the largest is [`THETA_MAX`], beyond which the model is the
/// Poisson one).
pub const THETA_MIN: f64 = 1e-6;

/// PROC LOGISTIC's default BINWIDTH.
pub const DEFAULT_BINWIDTH: f64 = 0.002;

/// The options of one run of the engine ([`crate::run`]): the `dimorph glm` flags, with the
/// same defaults.
#[derive(Debug, Clone, Serialize)]
pub struct RunOptions {
    /// The response distribution; `None`: binomial for an events/trials response, else gaussian
    /// (R's default). The negative binomial's θ is estimated unless `theta` fixes it.
    pub family: Option<Family>,
    /// The link; `None`: the family's canonical link (log for the negative binomial).
    pub link: Option<Link>,
    /// Column of prior weights.
    pub weights: Option<String>,
    /// Column of frequency weights (each row counts that many times: df = Σf − p).
    pub freq: Option<String>,
    /// θ of the negative binomial, fixed instead of estimated (only with the negbin family).
    pub theta: Option<f64>,
    /// How the dispersion is obtained.
    pub dispersion: Dispersion,
    /// Confidence level of the intervals, in (0, 1).
    pub level: f64,
    /// Profile-likelihood intervals (one constrained refit per limit): `Some(true)` always
    /// (`--profile`), `Some(false)` never (`--no-profile`), `None` when the data have at most
    /// [`PROFILE_AUTO_MAX_CELLS`] cells (used rows × columns of X) and rows × columns³ is at most
    /// [`PROFILE_AUTO_MAX_WORK`].
    pub profile: Option<bool>,
    /// Type 3 likelihood-ratio tests (one refit per term): `Some(true)` always (`--type3`),
    /// `Some(false)` never (`--no-type3`), `None` up to [`TYPE3_AUTO_MAX_CELLS`] cells. The Wald
    /// tests are always computed.
    pub type3: Option<bool>,
    /// PROC LOGISTIC's bin width for the association statistics (0: exact probabilities); only
    /// for the binomial family. `None`: 0.002.
    pub binwidth: Option<f64>,
    /// Convergence tolerance on |ΔD|/(|D| + 0.1).
    pub tol: f64,
    /// Most IRLS iterations.
    pub max_iter: usize,
    /// Starting coefficients, one per column of X.
    pub start: Option<Vec<f64>>,
    /// Allow aliased (linearly dependent) columns, reported as NA (R's `singular.ok`).
    pub singular_ok: bool,
    /// Add the residuals table (residuals, leverages, Cook's distances of every used row).
    pub residuals: bool,
    /// Robust (sandwich) standard errors of this type (`--robust`); with `cluster`, the small-
    /// sample factor (HC1: G/(G−1)·(n−1)/(n−k), the default; HC0: G/(G−1)).
    pub robust: Option<HcType>,
    /// Column whose values group the rows into clusters: cluster-robust standard errors.
    pub cluster: Option<String>,
    /// The level of a two-level response that is the event (modelled probability), as PROC
    /// LOGISTIC's `EVENT=`; `None`: a text response models its first ordered level (SAS's
    /// default), a numeric one is taken as it is.
    pub event: Option<String>,
    /// Further formulas to compare with the model, in order, as R's `anova(m1, m2, …)` (nested
    /// models on the same rows): the analysis of deviance table.
    pub anova: Vec<String>,
    /// Firth's penalised likelihood (binomial logit only, as R's logistf): run by
    /// [`crate::firth::run`], which refuses the options that do not apply.
    pub firth: bool,
    /// Threads for the passes over the data; `None`: every core.
    pub threads: Option<usize>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            family: None,
            link: None,
            weights: None,
            freq: None,
            theta: None,
            dispersion: Dispersion::Default,
            level: 0.95,
            profile: None,
            type3: None,
            binwidth: None,
            tol: 1e-8,
            max_iter: 25,
            start: None,
            singular_ok: true,
            residuals: false,
            robust: None,
            cluster: None,
            event: None,
            anova: Vec::new(),
            firth: false,
            threads: None,
        }
    }
}

/// Closest to 0 and to 1 that `--level` may be: beyond, the normal quantile of a Wald interval or
/// the χ² cut of a profile one is not resolved in double precision (1 − 1e-16 is 1 to it, and its
/// intervals came out empty without a word).
pub const LEVEL_MARGIN: f64 = 1e-9;

/// Refuses a confidence level outside (0, 1), or nearer to either end than [`LEVEL_MARGIN`].
pub fn check_level(level: f64) -> Result<()> {
    if !(level > 0.0 && level < 1.0) {
        return Err(GlmError::argument(
            "--level",
            format!("must be between 0 and 1, got {}", dimorph_core::text::num(level)),
        ));
    }
    if !(LEVEL_MARGIN..=1.0 - LEVEL_MARGIN).contains(&level) {
        return Err(GlmError::argument(
            "--level",
            format!(
                "must be between {LEVEL_MARGIN:e} and 1 - {LEVEL_MARGIN:e} (its intervals are not resolved in double \
                 precision nearer to 0 or 1), got {}",
                dimorph_core::text::num(level)
            ),
        ));
    }
    Ok(())
}

impl RunOptions {
    /// Refuses values that are bad whatever the data: the message names the option as the CLI
    /// spells it. Options that depend on the family chosen for the response are checked by
    /// [`RunOptions::family_for`].
    pub fn validate(&self) -> Result<()> {
        check_level(self.level)?;
        if !(self.tol > 0.0 && self.tol < 1.0) {
            return Err(GlmError::argument(
                "--tol",
                format!(
                    "must be positive and below 1, got {}",
                    dimorph_core::text::num(self.tol)
                ),
            ));
        }
        if !(1..=MAX_ITER_LIMIT).contains(&self.max_iter) {
            return Err(GlmError::argument(
                "--max-iter",
                format!("must be between 1 and {MAX_ITER_LIMIT}, got {}", self.max_iter),
            ));
        }
        if let Some(t) = self.theta {
            if !(THETA_MIN..=THETA_MAX).contains(&t) {
                return Err(GlmError::argument(
                    "--theta",
                    format!(
                        "must be positive, between {THETA_MIN:e} and {THETA_MAX:e}, got {}",
                        dimorph_core::text::num(t)
                    ),
                ));
            }
        }
        if let Some(b) = self.binwidth {
            if !(0.0..=1.0).contains(&b) {
                return Err(GlmError::argument(
                    "--binwidth",
                    format!(
                        "must be 0 or positive, at most 1 (a width of probabilities), got {}",
                        dimorph_core::text::num(b)
                    ),
                ));
            }
        }
        dimorph_core::threads::check(self.threads).map_err(|m| GlmError::argument("--threads", m))?;
        if self.weights.is_some() && self.freq.is_some() {
            return Err(GlmError::argument(
                "--freq",
                "cannot be combined with --weights: a row has either prior weights or a frequency",
            ));
        }
        if matches!(self.robust, Some(HcType::Hc2 | HcType::Hc3)) && self.cluster.is_some() {
            return Err(GlmError::argument(
                "--robust",
                "hc2 and hc3 are not available with --cluster (cluster-robust errors take hc0 or hc1, the default: G/(G−1)·(n−1)/(n−k))",
            ));
        }
        if (self.robust.is_some() || self.cluster.is_some()) && self.freq.is_some() {
            return Err(GlmError::argument(
                if self.cluster.is_some() { "--cluster" } else { "--robust" },
                "cannot be combined with --freq: robust standard errors treat each row as one observation (expand the rows, or use --weights)",
            ));
        }
        if let Some(s) = &self.start {
            if let Some(v) = s.iter().find(|v| !v.is_finite()) {
                return Err(GlmError::argument(
                    "--start",
                    format!("values must be finite, got {}", dimorph_core::text::num(*v)),
                ));
            }
        }
        Ok(())
    }

    /// The column of weights the model frame reads (prior or frequency weights).
    pub fn weights_column(&self) -> Option<&str> {
        self.weights.as_deref().or(self.freq.as_deref())
    }

    /// The family used for a response (`events_trials`: the response is `y/n` or `cbind`), by
    /// the default rule, with θ fixed where `theta` is given; refuses the options that do not
    /// apply to it (`--theta` without the negative binomial, `--binwidth` without the binomial).
    pub fn family_for(&self, events_trials: bool) -> Result<Family> {
        let (family, chosen) = match self.family {
            Some(f) => (f, "--family"),
            None if events_trials => (Family::Binomial, "the default family for an events/trials response"),
            None => (Family::Gaussian, "the default family"),
        };
        let family = match (family, self.theta) {
            (Family::NegBin { .. }, Some(t)) => Family::NegBin { theta: t },
            (f, Some(_)) => {
                return Err(GlmError::argument(
                    "--theta",
                    format!(
                        "applies to the negative binomial (--family negbin) only, not to {} ({chosen})",
                        f.name()
                    ),
                ))
            }
            (f, None) => f,
        };
        if let Some(link) = self.link {
            family.check_link(link).map_err(|m| {
                let m = if chosen == "--family" {
                    m
                } else {
                    format!(
                        "{m} ({} is {chosen}; choose another with --family)",
                        family.family_word()
                    )
                };
                GlmError::argument("--link", m)
            })?;
        }
        if self.binwidth.is_some() && family != Family::Binomial {
            return Err(GlmError::argument(
                "--binwidth",
                format!(
                    "applies to --family binomial only (PROC LOGISTIC's association of predicted probabilities), not to {} ({chosen})",
                    family.name()
                ),
            ));
        }
        Ok(family)
    }

    /// The fit's options for a resolved family.
    pub fn glm_options(&self, family: Family) -> GlmOptions {
        let mut o = GlmOptions::new(family, self.link);
        o.estimate_theta = matches!(family, Family::NegBin { .. }) && self.theta.is_none();
        o.dispersion = self.dispersion;
        o.frequency_weights = self.freq.is_some();
        o.tol = self.tol;
        o.max_iter = self.max_iter;
        o.singular_ok = self.singular_ok;
        o.start = self.start.clone();
        o.threads = dimorph_core::threads::resolve(self.threads);
        o
    }

    /// What to compute beyond the fit, for a model frame of `rows` used rows and `cols` columns
    /// of X, with a note for each refitting extra left out by the size rules (and how to ask for
    /// it).
    pub fn analysis_options(&self, rows: usize, cols: usize) -> (AnalysisOptions, Vec<String>) {
        let cells = rows.saturating_mul(cols);
        let mut notes = Vec::new();
        let work = rows as f64 * (cols as f64).powi(3);
        let profile_choice = match self.profile {
            None if cells <= PROFILE_AUTO_MAX_CELLS && work > PROFILE_AUTO_MAX_WORK => {
                notes.push(format!(
                    "Profile-likelihood intervals (about 20 refits per coefficient) were not computed: {cols} columns of X \
                     on {rows} rows make rows × columns³ = {work:.3e}, above the automatic limit of {PROFILE_AUTO_MAX_WORK:.0e}; \
                     ask for them with --profile."
                ));
                Some(false)
            }
            c => c,
        };
        let mut auto = |choice: Option<bool>, limit: usize, what: &str, flag: &str| match choice {
            Some(b) => b,
            None if cells <= limit => true,
            None => {
                notes.push(format!(
                    "{what} were not computed: the data have {cells} cells (rows × columns of X), above the automatic limit of {limit}; ask for them with {flag}."
                ));
                false
            }
        };
        let profile = auto(
            profile_choice,
            PROFILE_AUTO_MAX_CELLS,
            "Profile-likelihood intervals (about 20 refits per coefficient)",
            "--profile",
        );
        let type3_lr = auto(
            self.type3,
            TYPE3_AUTO_MAX_CELLS,
            "Type 3 likelihood-ratio tests (one refit per term; the Wald tests are given)",
            "--type3",
        );
        let aopts = AnalysisOptions {
            level: self.level,
            profile,
            type3_lr,
            binwidth: self.binwidth.unwrap_or(DEFAULT_BINWIDTH),
            threads: dimorph_core::threads::resolve(self.threads),
        };
        (aopts, notes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_values_name_the_option() {
        let bad = |o: RunOptions| o.validate().map_err(|e| e.to_string()).err().unwrap_or_default();
        assert!(bad(RunOptions {
            level: 2.0,
            ..Default::default()
        })
        .starts_with("--level: must be between 0 and 1, got 2"));
        for level in [1.0 - 1e-16, 1e-300] {
            let m = bad(RunOptions {
                level,
                ..Default::default()
            });
            assert!(m.starts_with("--level: must be between 1e-9 and 1 - 1e-9"), "{m}");
        }
        assert!(bad(RunOptions {
            tol: 0.0,
            ..Default::default()
        })
        .starts_with("--tol:"));
        assert!(bad(RunOptions {
            max_iter: 0,
            ..Default::default()
        })
        .starts_with("--max-iter:"));
        assert!(bad(RunOptions {
            theta: Some(-1.0),
            ..Default::default()
        })
        .starts_with("--theta: must be positive"));
        assert!(RunOptions::default().validate().is_ok());
        // ranges, with negative values read as values
        for (o, what) in [
            (
                RunOptions {
                    level: -1.0,
                    ..Default::default()
                },
                "--level: must be between 0 and 1, got -1",
            ),
            (
                RunOptions {
                    theta: Some(-2.0),
                    ..Default::default()
                },
                "--theta: must be positive, between 1e-6 and 1e6, got -2",
            ),
            (
                RunOptions {
                    theta: Some(f64::INFINITY),
                    ..Default::default()
                },
                "--theta: must be positive",
            ),
            (
                RunOptions {
                    tol: -1.0,
                    ..Default::default()
                },
                "--tol: must be positive and below 1",
            ),
            (
                RunOptions {
                    binwidth: Some(-0.5),
                    ..Default::default()
                },
                "--binwidth: must be 0 or positive",
            ),
            (
                RunOptions {
                    binwidth: Some(f64::NAN),
                    ..Default::default()
                },
                "--binwidth: must be 0 or positive",
            ),
            (
                RunOptions {
                    max_iter: 1_000_000,
                    ..Default::default()
                },
                "--max-iter: must be between 1 and 10000",
            ),
            (
                RunOptions {
                    threads: Some(100_000),
                    ..Default::default()
                },
                "--threads: must be from 1 to 1024, got 100000",
            ),
        ] {
            let m = bad(o);
            assert!(m.starts_with(what), "{m}");
        }
    }

    #[test]
    fn refitting_extras_are_automatic_up_to_a_size_and_the_note_says_how_to_ask() {
        let o = RunOptions::default();
        let (a, notes) = o.analysis_options(PROFILE_AUTO_MAX_CELLS / 20, 20);
        assert!(a.profile && a.type3_lr && notes.is_empty());
        let (a, notes) = o.analysis_options(PROFILE_AUTO_MAX_CELLS + 1, 1);
        assert!(!a.profile && a.type3_lr);
        assert!(
            notes.len() == 1 && notes[0].contains("ask for them with --profile"),
            "{notes:?}"
        );
        let (a, notes) = o.analysis_options(TYPE3_AUTO_MAX_CELLS + 1, 1);
        assert!(!a.profile && !a.type3_lr && notes.len() == 2);
        assert!(notes[1].contains("--type3"), "{notes:?}");
        // asked for: always, and no note
        let asked = RunOptions {
            profile: Some(true),
            type3: Some(true),
            ..Default::default()
        };
        let (a, notes) = asked.analysis_options(usize::MAX, 1);
        assert!(a.profile && a.type3_lr && notes.is_empty());
        let off = RunOptions {
            profile: Some(false),
            type3: Some(false),
            ..Default::default()
        };
        let (a, notes) = off.analysis_options(10, 1);
        assert!(!a.profile && !a.type3_lr && notes.is_empty());
        // many columns on few rows: few cells, but the intervals' refits cost rows × columns³
        let (a, notes) = o.analysis_options(2000, 201);
        assert!(!a.profile && a.type3_lr, "{notes:?}");
        assert!(
            notes.len() == 1 && notes[0].contains("rows × columns³") && notes[0].contains("--profile"),
            "{notes:?}"
        );
        let (a, notes) = asked.analysis_options(2000, 201);
        assert!(a.profile && notes.is_empty());
    }

    #[test]
    fn default_family_follows_the_response_and_refuses_theta_elsewhere() {
        let o = RunOptions::default();
        assert_eq!(o.family_for(true).ok(), Some(Family::Binomial));
        assert_eq!(o.family_for(false).ok(), Some(Family::Gaussian));
        let t = RunOptions {
            theta: Some(2.0),
            ..Default::default()
        };
        let e = t.family_for(false).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.starts_with("--theta: applies to the negative binomial"), "{e}");
        let nb = RunOptions {
            family: Some(Family::NegBin { theta: 1.0 }),
            theta: Some(2.0),
            ..Default::default()
        };
        assert_eq!(nb.family_for(false).ok(), Some(Family::NegBin { theta: 2.0 }));
        // a link the family does not accept, default family named as such
        let probit = RunOptions {
            link: Some(Link::Probit),
            ..Default::default()
        };
        let e = probit
            .family_for(false)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.starts_with("--link: the probit link is not available for the gaussian family")
                && e.contains("gaussian is the default family"),
            "{e}"
        );
        assert!(probit.family_for(true).is_ok());
        assert!(!nb.glm_options(Family::NegBin { theta: 2.0 }).estimate_theta);
    }
}
