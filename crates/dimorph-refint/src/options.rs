//! The options of every reference-limit analysis, with the CLI's defaults and their validation.
//!
//! * [`PermissibleOptions`] — the permissible uncertainty of Haeckel, Wosniok & Arzideh (2016,
//!   eqs. 1–13): used by `table`, `compare` and `partition` (everything that compares limits);
//! * [`EstimateOptions`] — how limits are estimated from data (method and its own options);
//! * [`EstimateRunOptions`] and [`PartitionOptions`] — the `estimate` and `partition` analyses:
//!   the columns to read plus the estimation options.
//!
//! Options that belong to one method only are `Option`s, so that "not given" can be told from
//! "given": `validate()` refuses an option that does not apply, saying why, and `resolved()` fills
//! in the defaults of the options that do apply (what the analysis uses and the JSON envelope
//! reports). Messages name the option as the CLI spells it (`--z`, `--transform`).

use crate::error::{RefintError, Result};
use dimorph_core::location::bad_argument;
use serde::Serialize;

/// The paper's default factor for the equivalence lines (eqs. 1–4): the one-sided 90 % normal
/// quantile, rounded as the paper uses it.
pub const Z_90: f64 = 1.28;
/// Factor for the permissible uncertainty when the biases of the two procedures are unknown or
/// differ: pu = 1.22·ps_A (Haeckel et al. 2015, cited in the paper).
pub const BIAS_FACTOR: f64 = 1.22;
/// Largest factor z of the equivalence lines: z is a standard-normal quantile (1.28 for 90 %
/// one-sided, 1.64 for 95 %, 3.09 for 99.9 %); 10 is far beyond any confidence level in use.
pub const Z_MAX: f64 = 10.0;
/// Default seed of the bootstrap intervals (methods direct and robust).
pub const DEFAULT_SEED: u64 = 20160420;

fn refuse(option: &str, msg: impl Into<String>) -> RefintError {
    RefintError::Option(Box::new(bad_argument(option, msg)))
}

/// Distribution assumed for the reference population between the limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Assumption {
    /// Log-normal (the paper's default, eq. 5–8): needs positive limits.
    #[default]
    LogNormal,
    /// Normal: s_E = (RL₂ − RL₁)/3.92, mean = median = (RL₁ + RL₂)/2, CV_E = 100·s_E/mean.
    Normal,
}

impl Assumption {
    /// The word used in reports.
    pub fn text(self) -> &'static str {
        match self {
            Assumption::LogNormal => "log-normal",
            Assumption::Normal => "normal",
        }
    }
}

/// Options of the permissible-uncertainty calculation (`--z`, `--bias`, `--assumption`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PermissibleOptions {
    /// Multiplier of pu in the equivalence lines and permissible differences (`--z`; 1.28 =
    /// 90 % one-sided, the paper's; 1.64 for 95 %).
    pub z: f64,
    /// When true, pu = 1.22·ps_A (the two procedures' biases are unknown or differ), else
    /// pu = ps_A (`--bias`).
    pub bias: bool,
    /// Distribution assumed between the limits (`--assumption`; log-normal by default).
    pub assumption: Assumption,
}

impl Default for PermissibleOptions {
    fn default() -> Self {
        PermissibleOptions {
            z: Z_90,
            bias: false,
            assumption: Assumption::LogNormal,
        }
    }
}

impl PermissibleOptions {
    /// The factor pu/ps_A: 1.22 with `bias`, else 1.
    pub fn pu_factor(&self) -> f64 {
        if self.bias {
            BIAS_FACTOR
        } else {
            1.0
        }
    }

    /// Refuses a factor z that is not a positive number up to [`Z_MAX`].
    pub fn validate(&self) -> Result<()> {
        if !(self.z > 0.0 && self.z <= Z_MAX) {
            return Err(refuse(
                "--z",
                format!(
                    "must be a positive number at most {Z_MAX} (a normal quantile: 1.28 for 90 %, \
                     1.64 for 95 %), got {}",
                    crate::error::num(self.z)
                ),
            ));
        }
        Ok(())
    }
}

/// Estimation methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Nonparametric percentiles (CLSI EP28-A3c).
    Direct,
    /// Parametric: normal, log-normal or Box–Cox (see [`Transform`]).
    Parametric,
    /// Robust biweight method (Horn & Pesce; CLSI EP28-A3c).
    Robust,
    /// Indirect reflimR method for routine data.
    #[default]
    Reflim,
    /// Indirect refineR-style inverse modelling (Ammer et al. 2021): a Box–Cox normal fitted to
    /// the central part of the histogram.
    Refiner,
    /// Indirect kosmic (Zierk et al. 2020): a Box–Cox normal fitted to a truncated central part,
    /// the truncation chosen by the Kolmogorov–Smirnov distance.
    Kosmic,
}

impl Method {
    /// The method's name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Method::Direct => "nonparametric (direct)",
            Method::Parametric => "parametric",
            Method::Robust => "robust",
            Method::Reflim => "reflimR (indirect)",
            Method::Refiner => "refineR inverse modelling (indirect)",
            Method::Kosmic => "kosmic truncation and Kolmogorov-Smirnov distance (indirect)",
        }
    }
    /// Whether the method uses values below a detection limit as censored (the others set them
    /// aside).
    pub fn uses_censored(self) -> bool {
        matches!(self, Method::Refiner | Method::Kosmic)
    }
    /// The method as the CLI spells it (`--method reflim`).
    pub fn flag(self) -> &'static str {
        match self {
            Method::Direct => "direct",
            Method::Parametric => "parametric",
            Method::Robust => "robust",
            Method::Reflim => "reflim",
            Method::Refiner => "refiner",
            Method::Kosmic => "kosmic",
        }
    }
}

/// The scale on which the parametric method takes the data as normal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Transform {
    /// The values themselves.
    #[default]
    Normal,
    /// Their logarithms.
    LogNormal,
    /// A Box–Cox transformation with the maximum-likelihood λ.
    BoxCox,
}

/// Options of the reflimR method (its defaults).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ReflimOptions {
    /// Force the distribution type; None = decide by Bowley skewness.
    pub lognormal: Option<bool>,
    /// Per cent truncated at each side (reflimR's `perc.trunc`, default 2.5).
    pub perc_trunc: f64,
    /// Count below which a remark is raised (reflimR's `n.min`, default 200).
    pub n_min: usize,
}

impl Default for ReflimOptions {
    fn default() -> Self {
        ReflimOptions {
            lognormal: None,
            perc_trunc: 2.5,
            n_min: 200,
        }
    }
}

impl ReflimOptions {
    /// Refuses a truncation outside (0, 25] per cent.
    pub fn validate(&self) -> Result<()> {
        if !(self.perc_trunc > 0.0 && self.perc_trunc <= 25.0) {
            return Err(refuse(
                "--perc-trunc",
                format!(
                    "must be in (0, 25] per cent, got {}",
                    crate::error::num(self.perc_trunc)
                ),
            ));
        }
        Ok(())
    }
}

/// Options of the refiner method.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct RefinerOptions {
    /// Bootstrap resamples for the 95 % confidence intervals of the limits (`--nboot`; 0 = no
    /// intervals, as refineR's `NBootstrap = 0`).
    pub nboot: usize,
    /// The transformation of the model (`--model`; Box–Cox by default, as refineR 2.0.0's
    /// `findRI(model = "BoxCox")`; see [`RefinerModel`]).
    pub model: RefinerModel,
    /// What a 0 of rounded data is (`--zeros`; censored below half the rounding unit by
    /// default; see [`RefinerZeros`]).
    pub zeros: RefinerZeros,
}

/// How the refiner treats values of 0 (`--zeros`; see [`crate::estimate::refiner_zeros`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum RefinerZeros {
    /// Where the values are rounded (a rounding unit u is found), a 0 (and a value below u/2) is a
    /// value below u/2: it enters the fit as left-censored below u/2, as refineR keeps its zeros
    /// (it fits values ≥ 0). Without a rounding unit the zeros are dropped with a count.
    #[default]
    Censored,
    /// Values ≤ 0 are dropped with a count, as reflimR drops them.
    Drop,
}

impl RefinerZeros {
    /// The rule as the CLI spells it (`--zeros censored`).
    pub fn flag(self) -> &'static str {
        match self {
            RefinerZeros::Censored => "censored",
            RefinerZeros::Drop => "drop",
        }
    }
}

/// The transformation under which refiner's non-pathological values are normal
/// (`--model`; refineR's `model` argument, see [`crate::estimate::refiner_modbc`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum RefinerModel {
    /// Box–Cox (x^λ − 1)/λ of the values (refineR's default, `"BoxCox"`).
    #[default]
    BoxCox,
    /// The modified Box–Cox ((x − s)^λ − 1)/λ with a shift s ≥ 0 searched as refineR's
    /// `"modBoxCox"` does (up to 6 shifts; the best cost wins, the unshifted fit included).
    ModBoxCox,
}

impl RefinerModel {
    /// The model as the CLI spells it (`--model boxcox`).
    pub fn flag(self) -> &'static str {
        match self {
            RefinerModel::BoxCox => "boxcox",
            RefinerModel::ModBoxCox => "modboxcox",
        }
    }
}

/// Options of the kosmic method.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct KosmicOptions {
    /// Decimals the values are rounded to for kosmic's class grid (`--decimals`, kosmic's
    /// required `decimals`; -3 to 9). None = the fewest, at most the data's own, that give 200
    /// classes between the 5th and 95th percentiles.
    pub decimals: Option<i32>,
    /// Bootstrap resamples for the 95 % confidence intervals of the limits (`--nboot`; 0 = none).
    pub nboot: usize,
}

/// Most and fewest `--decimals` of --method kosmic.
pub const KOSMIC_DECIMALS: (i32, i32) = (-3, 9);

/// Most bootstrap resamples `--nboot` accepts.
pub const NBOOT_MAX: usize = 100_000;

/// The percentiles of the reference limits by default: the central 95 % (CLSI EP28-A3c).
pub const DEFAULT_PERCENTILES: (f64, f64) = (2.5, 97.5);

/// [`DEFAULT_PERCENTILES`] as fractions, the probabilities the methods' `*_at` functions take.
pub const DEFAULT_PROBABILITIES: (f64, f64) = (DEFAULT_PERCENTILES.0 / 100.0, DEFAULT_PERCENTILES.1 / 100.0);
const _: () = assert!(DEFAULT_PROBABILITIES.0 == 0.025 && DEFAULT_PROBABILITIES.1 == 0.975);

/// Outlier screens for direct reference samples (`--outliers`; see [`crate::estimate::outliers`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutlierScreen {
    /// Horn's method: Tukey's fences on the Box–Cox scale (referenceIntervals' `out.method = "horn"`).
    Horn,
    /// Dixon's Q test for the single most extreme value, n = 3…30 (`out.method = "dixon"`).
    Dixon,
}

impl OutlierScreen {
    /// The screen as the CLI spells it (`--outliers horn`).
    pub fn flag(self) -> &'static str {
        match self {
            OutlierScreen::Horn => "horn",
            OutlierScreen::Dixon => "dixon",
        }
    }
}

/// An outlier screen and what is done with the values it flags (`--outliers`, `--remove-outliers`;
/// referenceIntervals' `out.method` and `out.rm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OutlierOptions {
    /// The screen.
    pub screen: OutlierScreen,
    /// Whether the flagged values are left out of the estimate (else they are only reported).
    pub remove: bool,
}

/// How reference limits are estimated from data (`--method` and the options of each method).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct EstimateOptions {
    /// The estimation method (`--method`; reflim by default).
    pub method: Method,
    /// Scale of the parametric method (`--transform`; normal when not given). Method parametric
    /// only.
    pub transform: Option<Transform>,
    /// Options of the reflimR method (its defaults when not given). Method reflim only.
    pub reflim: Option<ReflimOptions>,
    /// The permissible uncertainty that compares the groups' limits (`--z`, `--bias`,
    /// `--assumption`; the paper's defaults when not given). Partitioning only.
    pub permissible: Option<PermissibleOptions>,
    /// Seed of the bootstrap intervals (`--seed`; 20160420 when not given). Methods direct,
    /// robust, refiner and kosmic only.
    pub seed: Option<u64>,
    /// Options of the refiner method (`--nboot`; no bootstrap when not given). Method refiner
    /// only.
    pub refiner: Option<RefinerOptions>,
    /// Options of the kosmic method (`--decimals`, `--nboot`; kosmic's defaults when not
    /// given). Method kosmic only.
    pub kosmic: Option<KosmicOptions>,
    /// The percentiles (in per cent) the lower and upper limits estimate (`--percentiles 5,95`;
    /// 2.5 and 97.5 when not given): the lower in (0, 50), the upper in (50, 100). Methods
    /// direct, parametric, robust, refiner and kosmic (the last two read their fitted model at
    /// these percentiles, bootstrap intervals included); reflimR's are fixed at 2.5/97.5.
    pub percentiles: Option<(f64, f64)>,
    /// An outlier screen of the values before the estimate (`--outliers`, `--remove-outliers`;
    /// none when not given). Methods direct, parametric and robust.
    pub outliers: Option<OutlierOptions>,
}

impl EstimateOptions {
    /// The parametric scale (normal when not given).
    pub fn transform(&self) -> Transform {
        self.transform.unwrap_or_default()
    }
    /// The reflimR options (reflimR's defaults when not given).
    pub fn reflim(&self) -> ReflimOptions {
        self.reflim.unwrap_or_default()
    }
    /// The permissible-uncertainty options (the paper's defaults when not given).
    pub fn permissible(&self) -> PermissibleOptions {
        self.permissible.unwrap_or_default()
    }
    /// The bootstrap seed (20160420 when not given).
    pub fn seed(&self) -> u64 {
        self.seed.unwrap_or(DEFAULT_SEED)
    }
    /// The percentiles of the limits as fractions (0.025 and 0.975 when not given).
    pub fn probabilities(&self) -> (f64, f64) {
        self.percentiles
            .map_or(DEFAULT_PROBABILITIES, |(l, u)| (l / 100.0, u / 100.0))
    }

    /// Refuses `--percentiles` (and, with `outliers_too`, `--outliers`) in an analysis other than
    /// `refint estimate`: `analysis` names it and says why.
    pub fn refuse_percentiles_in(&self, analysis: &str, outliers_too: bool) -> Result<()> {
        if self.percentiles.is_some_and(|p| p != DEFAULT_PERCENTILES) {
            return Err(refuse(
                "--percentiles",
                format!("applies to refint estimate only; {analysis}"),
            ));
        }
        if outliers_too && self.outliers.is_some() {
            return Err(refuse(
                "--outliers",
                format!("applies to refint estimate and partition only; {analysis}"),
            ));
        }
        Ok(())
    }

    /// Refuses percentiles or an outlier screen where they do not apply, and percentiles out of
    /// range.
    fn validate_percentiles_and_outliers(&self) -> Result<()> {
        let m = self.method.flag();
        let direct = matches!(self.method, Method::Direct | Method::Parametric | Method::Robust);
        if let Some((l, u)) = self.percentiles {
            if self.method == Method::Reflim && (l, u) != DEFAULT_PERCENTILES {
                return Err(refuse(
                    "--percentiles",
                    format!(
                        "applies to --method direct, parametric, robust, refiner and kosmic; --method {m} \
                         estimates the 2.5th and 97.5th percentiles only (reflimR's truncation and its tolerance \
                         limits are built for them)"
                    ),
                ));
            }
            if !(l > 0.0 && l < 50.0 && u > 50.0 && u < 100.0) {
                return Err(refuse(
                    "--percentiles",
                    format!(
                        "expected LOWER,UPPER in per cent with 0 < LOWER < 50 < UPPER < 100 (e.g. 5,95 for a \
                         90 % interval), got {},{}",
                        crate::error::num(l),
                        crate::error::num(u)
                    ),
                ));
            }
        }
        if let (Some(o), false) = (self.outliers, direct) {
            return Err(refuse(
                "--outliers",
                format!(
                    "screens a sample of reference individuals (--method direct, parametric, robust); --method {m} \
                     is for routine data, whose pathological values it separates itself (--outliers {})",
                    o.screen.flag()
                ),
            ));
        }
        Ok(())
    }

    /// Refuses an option that does not apply to the method, and bad values.
    pub fn validate(&self) -> Result<()> {
        let m = self.method.flag();
        if self.transform.is_some() && self.method != Method::Parametric {
            return Err(refuse(
                "--transform",
                format!(
                    "applies only to --method parametric (the scale on which the data are taken as \
                     normal); --method {m} {}",
                    match self.method {
                        Method::Reflim => "chooses between the normal and log-normal model itself",
                        _ => "makes no distributional assumption",
                    }
                ),
            ));
        }
        if let Some(r) = &self.refiner {
            if self.method != Method::Refiner && r.zeros != RefinerZeros::default() {
                return Err(refuse(
                    "--zeros",
                    format!(
                        "applies only to --method refiner (what a 0 of rounded data is), not to --method {m} \
                         (which drops values <= 0 with a count where it needs values > 0)"
                    ),
                ));
            }
            if self.method != Method::Refiner && r.model != RefinerModel::default() {
                return Err(refuse(
                    "--model",
                    format!("applies only to --method refiner (the transformation of its model), not to --method {m}"),
                ));
            }
            if self.method != Method::Refiner && r.nboot == 0 {
                // --nboot 0, --model boxcox or --zeros censored: the options cannot tell which was given
                return Err(refuse(
                    "--nboot/--model/--zeros",
                    format!("apply only to --method refiner (--nboot to kosmic too), not to --method {m}"),
                ));
            }
            if self.method != Method::Refiner {
                return Err(refuse(
                    "--nboot",
                    format!(
                        "applies only to --method refiner and kosmic (their bootstrap intervals), not to --method {m}"
                    ),
                ));
            }
            if r.nboot > NBOOT_MAX {
                return Err(refuse(
                    "--nboot",
                    format!("at most {NBOOT_MAX} resamples, got {}", r.nboot),
                ));
            }
        }
        if let Some(k) = &self.kosmic {
            if self.method != Method::Kosmic {
                return Err(refuse(
                    "--decimals",
                    format!("applies only to --method kosmic (the precision of its class grid), not to --method {m}"),
                ));
            }
            if let Some(d) = k
                .decimals
                .filter(|d| !(KOSMIC_DECIMALS.0..=KOSMIC_DECIMALS.1).contains(d))
            {
                return Err(refuse(
                    "--decimals",
                    format!(
                        "must be a whole number from {} to {} (the decimals the values are reported with), got {d}",
                        KOSMIC_DECIMALS.0, KOSMIC_DECIMALS.1
                    ),
                ));
            }
            if k.nboot > NBOOT_MAX {
                return Err(refuse(
                    "--nboot",
                    format!("at most {NBOOT_MAX} resamples, got {}", k.nboot),
                ));
            }
        }
        if self.seed.is_some()
            && !matches!(
                self.method,
                Method::Direct | Method::Robust | Method::Refiner | Method::Kosmic
            )
        {
            return Err(refuse(
                "--seed",
                format!(
                    "drives the bootstrap intervals of --method direct and robust; --method {m} \
                     takes none (its confidence intervals are closed-form; reflim's bootstrap at n < 100 \
                     uses the fixed seed {DEFAULT_SEED})"
                ),
            ));
        }
        if self.reflim.is_some() && self.method != Method::Reflim {
            return Err(refuse(
                "--perc-trunc, --distribution, --n-min",
                format!("reflimR's options apply only to --method reflim, not to --method {m}"),
            ));
        }
        if let Some(r) = &self.reflim {
            r.validate()?;
        }
        if let Some(p) = &self.permissible {
            p.validate()?;
        }
        self.validate_percentiles_and_outliers()
    }

    /// The options as used: the defaults of the options that apply filled in, the others `None`.
    pub fn resolved(&self) -> EstimateOptions {
        EstimateOptions {
            method: self.method,
            transform: (self.method == Method::Parametric).then(|| self.transform()),
            reflim: (self.method == Method::Reflim).then(|| self.reflim()),
            permissible: self.permissible,
            seed: matches!(
                self.method,
                Method::Direct | Method::Robust | Method::Refiner | Method::Kosmic
            )
            .then(|| self.seed()),
            refiner: (self.method == Method::Refiner).then(|| self.refiner.unwrap_or_default()),
            kosmic: (self.method == Method::Kosmic).then(|| self.kosmic.unwrap_or_default()),
            percentiles: Some(self.percentiles.unwrap_or(DEFAULT_PERCENTILES)),
            outliers: self.outliers,
        }
    }

    /// Why the values must be positive under these options (None when they need not be): the one
    /// "values > 0" rule of `estimate` and `partition`.
    pub fn positive_values_needed_by(&self) -> Option<&'static str> {
        match self.method {
            Method::Reflim => Some("the reflimR method"),
            Method::Refiner => Some("the Box-Cox transformation of --method refiner"),
            Method::Kosmic => Some("the Box-Cox transformation of --method kosmic"),
            Method::Parametric if self.transform() != Transform::Normal => {
                Some("the log-normal / Box-Cox transformation")
            }
            _ if self.permissible.is_some_and(|p| p.assumption == Assumption::LogNormal) => {
                Some("the log-normal assumption of the permissible uncertainty")
            }
            _ => None,
        }
    }
}

/// Refuses a `--where` filter without a column name.
fn check_filters(filters: &[(String, String)]) -> Result<()> {
    if filters.iter().any(|(c, _)| c.trim().is_empty()) {
        return Err(refuse("--where", "expected COLUMN=VALUE, but a column name is empty"));
    }
    Ok(())
}

/// Options of `refint estimate`: limits of one or more columns, optionally per group.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct EstimateRunOptions {
    /// Column holding the values (`--value`; the first when several are given).
    pub value: String,
    /// Further value columns, each estimated in the same way (`--value ALT,AST` or `--value ALT
    /// --value AST`: ALT is `value`, AST is here).
    pub more_values: Vec<String>,
    /// Estimate separately for each level of this column (`--by`).
    pub by: Option<String>,
    /// Keep only the rows where each column equals its value (`--where COL=VALUE`, repeatable);
    /// the rows left out are counted.
    pub filters: Vec<(String, String)>,
    /// Target limits to judge the estimates against, as reflimR's `interpretation` does
    /// (`--targets`). Method reflim only.
    pub targets: Option<(f64, f64)>,
    /// The estimation method and its options. `permissible` must be `None`: an estimate
    /// compares no limits.
    #[serde(flatten)]
    pub estimate: EstimateOptions,
}

impl EstimateRunOptions {
    /// Refuses options that do not apply (see [`EstimateOptions::validate`]), the permissible
    /// uncertainty, and `--targets` outside the reflimR method or out of order.
    pub fn validate(&self) -> Result<()> {
        // first: an option that does not apply at all, whatever its value
        if self.estimate.permissible.is_some() {
            return Err(refuse(
                "--z, --bias, --assumption",
                "set the permissible uncertainty that compares sets of limits (refint table, compare, \
                 partition); refint estimate compares none (its --targets interpretation is reflimR's, \
                 with z = 1.28, no bias and the log-normal assumption)",
            ));
        }
        self.estimate.validate()?;
        if let Some((l, u)) = self.targets {
            if self.estimate.method != Method::Reflim {
                return Err(refuse(
                    "--targets",
                    format!(
                        "the interpretation against target limits is reflimR's: it applies to \
                         --method reflim only, not to --method {}",
                        self.estimate.method.flag()
                    ),
                ));
            }
            crate::error::check_limits("target limits (--targets)", l, u, true)?;
        }
        let values = self.values();
        if values.iter().any(|v| v.is_empty()) {
            return Err(refuse("--value", "names no column"));
        }
        for (i, v) in values.iter().enumerate() {
            if values[..i].contains(v) {
                return Err(refuse(
                    "--value",
                    format!("names column '{}' twice", crate::error::clip(v)),
                ));
            }
        }
        check_filters(&self.filters)
    }

    /// The value columns: `value`, then `more_values`.
    pub fn values(&self) -> Vec<&str> {
        std::iter::once(self.value.as_str())
            .chain(self.more_values.iter().map(String::as_str))
            .collect()
    }

    /// The options as used (see [`EstimateOptions::resolved`]).
    pub fn resolved(&self) -> EstimateRunOptions {
        EstimateRunOptions {
            estimate: self.estimate.resolved(),
            ..self.clone()
        }
    }
}

/// Options of `refint partition`: limits per group and pooled, and the decision per limit.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct PartitionOptions {
    /// Column holding the values (`--value`).
    pub value: String,
    /// Group column (`--by`, e.g. Sex).
    pub by: String,
    /// Keep only the rows where each column equals its value (`--where COL=VALUE`, repeatable).
    pub filters: Vec<(String, String)>,
    /// The estimation method and its options; `permissible` is the uncertainty the groups'
    /// limits are compared with (the paper's defaults when not given).
    #[serde(flatten)]
    pub estimate: EstimateOptions,
}

impl PartitionOptions {
    /// Refuses options that do not apply (see [`EstimateOptions::validate`]).
    pub fn validate(&self) -> Result<()> {
        self.estimate.validate()?;
        self.estimate.refuse_percentiles_in(
            "refint partition compares the groups' 2.5th and 97.5th percentiles with Haeckel's permissible \
             uncertainty, which is defined for them",
            false,
        )?;
        if self.value.is_empty() {
            return Err(refuse("--value", "names no column"));
        }
        if self.by.is_empty() {
            return Err(refuse("--by", "names no column"));
        }
        check_filters(&self.filters)
    }

    /// The options as used: the permissible uncertainty and the method's defaults filled in.
    pub fn resolved(&self) -> PartitionOptions {
        let mut estimate = self.estimate.resolved();
        estimate.permissible = Some(self.estimate.permissible());
        PartitionOptions {
            estimate,
            ..self.clone()
        }
    }
}

/// What `refint verify` checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum VerifyMode {
    /// CLSI EP28-A3c: the data are (at least 20) reference individuals; at most 2 of 20 outside.
    #[default]
    Transference,
    /// The data are routine results: limits estimated from them (`--method`) must match.
    Routine,
}

/// Options of `refint verify`: a laboratory's limits checked with data.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct VerifyOptions {
    /// Column holding the values (`--value`).
    pub value: String,
    /// Keep only the rows where each column equals its value (`--where COL=VALUE`).
    pub filters: Vec<(String, String)>,
    /// The limits to verify (`--limits LOWER,UPPER`).
    pub limits: (f64, f64),
    /// Transference (reference individuals) or routine data (`--mode`).
    pub mode: VerifyMode,
    /// How limits are estimated from routine data (`--mode routine` only); `permissible` sets the
    /// equivalence band (the paper's defaults when not given).
    #[serde(flatten)]
    pub estimate: EstimateOptions,
}

impl VerifyOptions {
    /// Refuses bad limits, an empty column name and, in transference mode, estimation options.
    pub fn validate(&self) -> Result<()> {
        if self.value.is_empty() {
            return Err(refuse("--value", "names no column"));
        }
        check_filters(&self.filters)?;
        crate::error::check_limits("--limits", self.limits.0, self.limits.1, false)?;
        if self.mode == VerifyMode::Transference
            && (self.estimate.transform.is_some()
                || self.estimate.seed.is_some()
                || self.estimate.permissible.is_some())
        {
            return Err(refuse(
                "--transform, --seed, --z, --bias, --assumption",
                "apply to --mode routine (limits estimated from routine data); --mode transference counts the \
                 reference values outside the limits (CLSI EP28)",
            ));
        }
        if let (VerifyMode::Transference, Some(r)) = (self.mode, &self.estimate.refiner) {
            // --zeros censored, --model boxcox or --nboot 0 given: the options cannot tell which
            let flag = if r.zeros != RefinerZeros::default() {
                "--zeros"
            } else if r.model != RefinerModel::default() {
                "--model"
            } else if r.nboot > 0 {
                "--nboot"
            } else {
                "--nboot/--model/--zeros"
            };
            return Err(refuse(
                flag,
                "applies to --mode routine (limits estimated from routine data by --method refiner); --mode \
                 transference counts the reference values outside the limits (CLSI EP28), a 0 as a value like any \
                 other",
            ));
        }
        self.estimate.refuse_percentiles_in(
            match self.mode {
                VerifyMode::Transference => {
                    "refint verify --mode transference counts the reference values outside the limits given (CLSI EP28)"
                }
                VerifyMode::Routine => {
                    "refint verify --mode routine compares 2.5th and 97.5th percentiles with Haeckel's permissible \
                     uncertainty"
                }
            },
            self.mode == VerifyMode::Transference,
        )?;
        self.estimate.validate()
    }

    /// The options as used.
    pub fn resolved(&self) -> VerifyOptions {
        let mut estimate = self.estimate.resolved();
        if self.mode == VerifyMode::Routine {
            estimate.permissible = Some(self.estimate.permissible());
        }
        VerifyOptions {
            estimate,
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_that_do_not_apply_are_refused_with_the_reason() {
        let o = EstimateOptions {
            transform: Some(Transform::LogNormal),
            ..Default::default()
        };
        let e = o.validate().unwrap_err().to_string();
        assert!(e.starts_with("--transform: applies only to --method parametric"), "{e}");
        let o = EstimateOptions {
            seed: Some(1),
            method: Method::Parametric,
            ..Default::default()
        };
        assert!(o.validate().unwrap_err().to_string().starts_with("--seed:"));
        let r = EstimateRunOptions {
            value: "x".into(),
            estimate: EstimateOptions {
                permissible: Some(PermissibleOptions::default()),
                ..Default::default()
            },
            ..Default::default()
        };
        assert!(r.validate().unwrap_err().to_string().contains("compares none"));
        let bad_z = PermissibleOptions {
            z: -1.0,
            ..Default::default()
        };
        assert_eq!(
            bad_z.validate().unwrap_err().to_string(),
            "--z: must be a positive number at most 10 (a normal quantile: 1.28 for 90 %, 1.64 for 95 %), \
             got -1"
        );
        for z in [0.0, 10.5, 1e308, f64::INFINITY, f64::NAN] {
            let e = PermissibleOptions {
                z,
                ..Default::default()
            }
            .validate()
            .unwrap_err()
            .to_string();
            assert!(e.starts_with("--z: must be a positive number at most 10"), "{e}");
        }
    }

    #[test]
    fn resolved_fills_in_only_what_applies() {
        let d = EstimateOptions {
            method: Method::Direct,
            ..Default::default()
        }
        .resolved();
        assert_eq!(d.seed, Some(DEFAULT_SEED));
        assert!(d.transform.is_none() && d.reflim.is_none());
        assert!(d.validate().is_ok());
        let p = PartitionOptions {
            value: "v".into(),
            by: "g".into(),
            ..Default::default()
        }
        .resolved();
        assert_eq!(p.estimate.permissible, Some(PermissibleOptions::default()));
        assert!(p.estimate.reflim.is_some() && p.validate().is_ok());
    }
}
