//! `dimorph refint table|compare|estimate|partition`: reference limits (Haeckel, Wosniok &
//! Arzideh 2016; reflimR): flags → the engine's options, the engine's run, `emit`.

use super::{emit, CliError, CliResult, Format, OutArgs};
use dimorph_data::dialect::{parse_decimal, parse_delimiter};
use dimorph_data::ReadOptions;
use dimorph_refint::quote::clip;
use dimorph_refint::{
    run_compare, run_estimate_coded, run_partition_coded, run_table, Assumption, EstimateOptions, EstimateRunOptions,
    Method, PartitionOptions, PermissibleOptions, RefintError, Transform,
};
use serde_json::json;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Sub,
}

#[derive(clap::Subcommand)]
pub enum Sub {
    /// Table 1 of the paper for any analytes: a CSV with columns quantity, unit, rl1, rl2.
    Table(TableArgs),
    /// Compare limits of B (one or more --b) with those of A using equivalence limits.
    Compare(CompareArgs),
    /// Estimate reference limits from a data column (optionally per group).
    Estimate(EstimateArgs),
    /// Estimate per group and pooled, compare, and decide whether to partition (Haeckel's
    /// equivalence limits, Lahti's proportions, Harris & Boyd).
    Partition(PartitionArgs),
    /// Verify a laboratory's limits: CLSI EP28 transference on 20+ reference individuals, or
    /// against limits estimated from routine data.
    Verify(VerifyArgs),
    /// Age-dependent limits by sliding age windows, with the 2.5/50/97.5 % curves per group.
    Age(AgeArgs),
}

/// The permissible uncertainty that compares sets of limits (table, compare, partition).
#[derive(clap::Args, Clone, Copy)]
pub struct PuArgs {
    /// Factor of the equivalence lines: a positive number at most 10 — 1.28 (90 %, the paper's)
    /// or e.g. 1.64 (95 %) [default: 1.28].
    #[arg(long, allow_negative_numbers = true)]
    pub z: Option<f64>,
    /// The procedures' biases differ or are unknown: pu = 1.22·ps_A (default: pu = ps_A).
    #[arg(long)]
    pub bias: bool,
    /// Distribution assumed between the limits [default: lognormal].
    #[arg(long, value_enum)]
    pub assumption: Option<AssumptionArg>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AssumptionArg {
    /// Log-normal: needs positive limits (the paper's).
    Lognormal,
    /// Normal.
    Normal,
}

impl PuArgs {
    /// The options, or None when no flag was given.
    fn given(&self) -> Option<PermissibleOptions> {
        (self.z.is_some() || self.bias || self.assumption.is_some()).then(|| self.options())
    }

    /// The options, the paper's defaults where no flag was given.
    fn options(&self) -> PermissibleOptions {
        let d = PermissibleOptions::default();
        PermissibleOptions {
            z: self.z.unwrap_or(d.z),
            bias: self.bias,
            assumption: match self.assumption {
                None => d.assumption,
                Some(AssumptionArg::Lognormal) => Assumption::LogNormal,
                Some(AssumptionArg::Normal) => Assumption::Normal,
            },
        }
    }
}

const TABLE_EXAMPLES: &str = "Examples:
  dimorph refint table --data data/refint/haeckel2016_table1.csv
  dimorph refint table --data data/refint/haeckel2016_table1.csv --z 1.64 --bias --format csv
  dimorph refint table --data data/refint/haeckel2016_table1.csv --format json";

#[derive(clap::Args)]
#[command(after_help = TABLE_EXAMPLES)]
pub struct TableArgs {
    /// CSV (or Parquet) with columns quantity, unit (optional), rl1, rl2: one analyte a row.
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    #[command(flatten)]
    pub pu: PuArgs,
    /// Output format: report text, the JSON envelope, or Table 1 as a tidy CSV table.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub out: OutArgs,
}

/// Parses 'lower,upper'; the engine checks the numbers (finite, within ±1e15, ordered).
fn parse_pair(s: &str) -> Result<(f64, f64), String> {
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    if parts.len() != 2 {
        return Err(format!("expected two numbers 'lower,upper', got '{}'", clip(s)));
    }
    let num = |t: &str| {
        t.parse::<f64>()
            .map_err(|_| format!("'{}' is not a number (expected 'lower,upper')", clip(t)))
    };
    Ok((num(parts[0])?, num(parts[1])?))
}

/// Parses a seed: a whole number from 0 to 2^64 − 1.
fn parse_seed(s: &str) -> Result<u64, String> {
    s.trim()
        .parse::<u64>()
        .map_err(|_| format!("must be a whole number from 0 to {}, got '{}'", u64::MAX, clip(s)))
}

const COMPARE_EXAMPLES: &str = "Examples:
  dimorph refint compare --a 50,104 --b 45,88
  dimorph refint compare --a 10,35 --b 10,37 --format json
  dimorph refint compare --a 50,104 --b 45,88 --b 52,110 --format csv";

#[derive(clap::Args)]
#[command(after_help = COMPARE_EXAMPLES)]
pub struct CompareArgs {
    /// Limits of A (established / reference group) as 'lower,upper'; they define pu. Finite
    /// numbers within ±1e15, lower below upper, both above 0 under the log-normal assumption.
    #[arg(long, value_name = "LOWER,UPPER", value_parser = parse_pair, allow_hyphen_values = true)]
    pub a: (f64, f64),
    /// Limits of B as 'lower,upper' (the same bounds as --a); repeat for several sets (the
    /// appendix procedure).
    #[arg(long, value_name = "LOWER,UPPER", value_parser = parse_pair, allow_hyphen_values = true, required = true)]
    pub b: Vec<(f64, f64)>,
    #[command(flatten)]
    pub pu: PuArgs,
    /// Output format: report text, the JSON envelope, or one row per compared set as tidy CSV.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    // --out: the tables and the equivalence-line plot of each B (SVG)
    #[command(flatten)]
    pub out: OutArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MethodArg {
    /// Nonparametric percentiles (CLSI EP28-A3c), for samples of healthy individuals.
    Direct,
    /// Mean ± 1.96 SD on the scale of --transform.
    Parametric,
    /// Biweight location and scale (Horn & Pesce).
    Robust,
    /// reflimR's indirect method, for routine data with pathological values.
    Reflim,
    /// refineR's inverse modelling (Box–Cox normal fitted to the central part of the
    /// histogram), for routine data with pathological values; --nboot for intervals.
    Refiner,
    /// kosmic (Zierk et al. 2020: Box–Cox normal fitted to a truncated central part, truncation
    /// by the Kolmogorov–Smirnov distance), for routine data; --decimals, --nboot.
    Kosmic,
}

impl From<MethodArg> for Method {
    fn from(m: MethodArg) -> Method {
        match m {
            MethodArg::Direct => Method::Direct,
            MethodArg::Parametric => Method::Parametric,
            MethodArg::Robust => Method::Robust,
            MethodArg::Reflim => Method::Reflim,
            MethodArg::Refiner => Method::Refiner,
            MethodArg::Kosmic => Method::Kosmic,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RefinerModelArg {
    /// Box–Cox (x^λ − 1)/λ (refineR's default model).
    Boxcox,
    /// Modified Box–Cox with a shift, ((x − s)^λ − 1)/λ (refineR's model = "modBoxCox").
    Modboxcox,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DistributionArg {
    /// The values themselves (reflimR's lognormal = FALSE).
    Normal,
    /// Their logarithms (reflimR's lognormal = TRUE).
    Lognormal,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutliersArg {
    /// Horn's method: Tukey's fences (1.5 IQR) on the Box-Cox scale; values > 0 only.
    Horn,
    /// Dixon's Q test for the single most extreme value (3 to 30 values).
    Dixon,
}

impl From<OutliersArg> for dimorph_refint::OutlierScreen {
    fn from(o: OutliersArg) -> dimorph_refint::OutlierScreen {
        match o {
            OutliersArg::Horn => dimorph_refint::OutlierScreen::Horn,
            OutliersArg::Dixon => dimorph_refint::OutlierScreen::Dixon,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RefinerZerosArg {
    /// A 0 of rounded values is a value below half the rounding unit: used as censored there.
    Censored,
    /// Values <= 0 dropped with a count (as reflimR drops them).
    Drop,
}

impl From<RefinerZerosArg> for dimorph_refint::RefinerZeros {
    fn from(z: RefinerZerosArg) -> dimorph_refint::RefinerZeros {
        match z {
            RefinerZerosArg::Censored => dimorph_refint::RefinerZeros::Censored,
            RefinerZerosArg::Drop => dimorph_refint::RefinerZeros::Drop,
        }
    }
}

impl From<RefinerModelArg> for dimorph_refint::RefinerModel {
    fn from(m: RefinerModelArg) -> dimorph_refint::RefinerModel {
        match m {
            RefinerModelArg::Boxcox => dimorph_refint::RefinerModel::BoxCox,
            RefinerModelArg::Modboxcox => dimorph_refint::RefinerModel::ModBoxCox,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TransformArg {
    Normal,
    Lognormal,
    /// Box–Cox with the maximum-likelihood lambda.
    Boxcox,
}

impl From<TransformArg> for Transform {
    fn from(t: TransformArg) -> Transform {
        match t {
            TransformArg::Normal => Transform::Normal,
            TransformArg::Lognormal => Transform::LogNormal,
            TransformArg::Boxcox => Transform::BoxCox,
        }
    }
}

/// Parses a `--where` filter `COLUMN=VALUE`.
fn parse_where(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((c, v)) if !c.trim().is_empty() => Ok((c.trim().to_string(), v.trim().to_string())),
        _ => Err(format!("expected COLUMN=VALUE, e.g. Sex=f, got '{}'", clip(s))),
    }
}

/// Estimation options shared by `estimate` and `partition`.
#[derive(clap::Args, Clone)]
pub struct EstArgs {
    /// Data file: CSV or other delimited text (delimiter and decimal mark detected unless given),
    /// an Excel workbook (.xlsx, see --sheet), or Parquet (by extension).
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// Column holding the values; for estimate several columns may be given, comma-separated or
    /// repeated (--value ALT,AST), each estimated in turn.
    #[arg(long, value_name = "COLUMN", value_delimiter = ',', required = true)]
    pub value: Vec<String>,
    /// Field delimiter of a text file: ',', ';', 'tab' or another character [default: detected
    /// from the header; tab for .tsv].
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
    /// Decimal mark of a text file: '.' or ',' (European laboratory exports: --delimiter ';'
    /// --decimal ',') [default: detected].
    #[arg(long, value_name = "CHAR", value_parser = parse_decimal)]
    pub decimal: Option<u8>,
    /// Worksheet of an .xlsx workbook [default: the first sheet].
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Keep only the rows where COLUMN equals VALUE (repeat for several conditions, all must
    /// hold); the rows left out are counted.
    #[arg(long = "where", value_name = "COLUMN=VALUE", value_parser = parse_where, allow_hyphen_values = true)]
    pub filters: Vec<(String, String)>,
    /// Estimation method.
    #[arg(long, value_enum, default_value_t = MethodArg::Reflim)]
    pub method: MethodArg,
    /// Scale of --method parametric [default: normal].
    #[arg(long, value_enum)]
    pub transform: Option<TransformArg>,
    /// Seed of the bootstrap intervals of --method direct (n < 120), robust, refiner and kosmic: a whole number
    /// from 0 to 2^64 − 1 [default: 20160420].
    #[arg(long, value_parser = parse_seed, allow_negative_numbers = true)]
    pub seed: Option<u64>,
    /// Bootstrap resamples for the 95 % intervals of --method refiner's and kosmic's limits (each
    /// resample refitted; at most 100000) [default: 0, no intervals].
    #[arg(long, value_name = "N")]
    pub nboot: Option<usize>,
    /// Transformation of --method refiner's model: boxcox, or modboxcox (refineR's modified
    /// Box–Cox ((x − s)^λ − 1)/λ with a shift s searched too; for skewed values far from 0)
    /// [default: boxcox, as refineR's findRI].
    #[arg(long, value_enum)]
    pub model: Option<RefinerModelArg>,
    /// What --method refiner makes of values of 0: censored (where the values are rounded to a unit
    /// u, a 0 is a value below u/2 and enters the fit as censored below u/2, as refineR keeps its
    /// zeros; without a rounding unit zeros are dropped; in refint age each age window decides, and
    /// each age partition of --partitions; refint verify --mode routine reads them as estimate does), or
    /// drop (values <= 0 dropped with a count, as reflimR does) [default: censored, which scored
    /// better on the first two RIbench subsets of crates/dimorph-refint/tests/ribench.rs when it
    /// was chosen (session 10): mean error 7.1 and 12.5 % against drop's 7.7 and 17.6 %].
    #[arg(long, value_enum)]
    pub zeros: Option<RefinerZerosArg>,
    /// Decimals of --method kosmic's class grid (kosmic's `decimals`: the precision the values are
    /// reported with; -3 to 9) [default: the fewest, at most the data's own, giving 200 classes
    /// between the 5th and 95th percentiles].
    #[arg(long, value_name = "D", allow_negative_numbers = true)]
    pub decimals: Option<i32>,
    /// Per cent of the values --method reflim cuts at each end before its iterative truncation
    /// (reflimR's perc.trunc): more than 0, at most 25 [default: 2.5].
    #[arg(long, value_name = "PCT")]
    pub perc_trunc: Option<f64>,
    /// The distribution --method reflim takes for the non-pathological values, instead of
    /// choosing it by Bowley's skewness (reflimR's lognormal = TRUE / FALSE) [default: chosen
    /// from the data].
    #[arg(long, value_enum)]
    pub distribution: Option<DistributionArg>,
    /// Values that --method reflim's truncated sample should hold: with fewer, a remark says the
    /// limits are unreliable (reflimR's n.min) [default: 200].
    #[arg(long, value_name = "N")]
    pub n_min: Option<usize>,
    /// Percentiles, in per cent, that the lower and upper limits estimate, for --method direct,
    /// parametric, robust, refiner and kosmic (referenceIntervals' refConf, refineR's RIperc,
    /// tidykosmic's quantile probs): 5,95 for a 90 % interval; for a one-sided limit read the side
    /// you need (5,95: the 95th percentile as upper limit). 0 < LOWER < 50 < UPPER < 100; the
    /// confidence intervals of the limits follow [default: 2.5,97.5].
    #[arg(long, value_name = "LOWER,UPPER", value_parser = parse_pair, allow_hyphen_values = true)]
    pub percentiles: Option<(f64, f64)>,
    /// Outlier screen of --method direct, parametric and robust (referenceIntervals' out.method):
    /// the flagged values and their count are reported; --remove-outliers leaves them out of the
    /// estimate [default: no screen].
    #[arg(long, value_enum)]
    pub outliers: Option<OutliersArg>,
    /// Leave the values --outliers flags out of the estimate (referenceIntervals' out.rm = TRUE);
    /// without it they are only reported.
    #[arg(long, requires = "outliers")]
    pub remove_outliers: bool,
    /// Output format: report text, the JSON envelope, or the limits as tidy CSV (one row per
    /// group and limit).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    // --out: the tables and the figures (histograms; for partition the equivalence plot)
    #[command(flatten)]
    pub out: OutArgs,
}

impl EstArgs {
    /// How the data file is read.
    fn read_options(&self) -> ReadOptions {
        ReadOptions {
            delimiter: self.delimiter,
            decimal: self.decimal,
            sheet: self.sheet.clone(),
        }
    }

    /// Reads the value columns as numbers and the group and filter columns as codes.
    fn read(&self, by: Option<&str>) -> Result<dimorph_data::CodedFrame, CliError> {
        let ro = self.read_options();
        if let Some(s) = &self.sheet {
            let xlsx = matches!(
                self.data
                    .extension()
                    .and_then(|e| e.to_str())
                    .map(str::to_ascii_lowercase)
                    .as_deref(),
                Some("xlsx") | Some("xlsm")
            );
            if !xlsx {
                return Err(CliError::input(format!(
                    "--sheet: '{}' names a worksheet, but {} is not an .xlsx workbook",
                    clip(s),
                    self.data.display()
                )));
            }
        }
        let values: Vec<&str> = self.value.iter().map(String::as_str).collect();
        let mut coded: Vec<&str> = by.into_iter().collect();
        for (c, _) in &self.filters {
            if !coded.contains(&c.as_str()) {
                coded.push(c);
            }
        }
        dimorph_data::read_coded(&self.data, &ro, &values, &coded).map_err(|e| CliError::input(RefintError::from(e)))
    }

    /// The estimation options; the permissible uncertainty only when a flag of it was given.
    fn options(&self, pu: &PuArgs) -> EstimateOptions {
        EstimateOptions {
            method: self.method.into(),
            transform: self.transform.map(Into::into),
            reflim: (self.perc_trunc.is_some() || self.distribution.is_some() || self.n_min.is_some()).then(|| {
                let d = dimorph_refint::ReflimOptions::default();
                dimorph_refint::ReflimOptions {
                    lognormal: self.distribution.map(|t| t == DistributionArg::Lognormal),
                    perc_trunc: self.perc_trunc.unwrap_or(d.perc_trunc),
                    n_min: self.n_min.unwrap_or(d.n_min),
                }
            }),
            permissible: pu.given(),
            seed: self.seed,
            refiner: (self.nboot.is_some_and(|_| self.method != MethodArg::Kosmic)
                || self.model.is_some()
                || self.zeros.is_some())
            .then(|| dimorph_refint::RefinerOptions {
                nboot: self.nboot.filter(|_| self.method != MethodArg::Kosmic).unwrap_or(0),
                model: self.model.map_or_else(Default::default, Into::into),
                zeros: self.zeros.map_or_else(Default::default, Into::into),
            }),
            kosmic: (self.method == MethodArg::Kosmic || self.decimals.is_some()).then(|| {
                dimorph_refint::KosmicOptions {
                    decimals: self.decimals,
                    nboot: self.nboot.unwrap_or(0),
                }
            }),
            percentiles: self.percentiles,
            outliers: self.outliers.map(|o| dimorph_refint::OutlierOptions {
                screen: o.into(),
                remove: self.remove_outliers,
            }),
        }
    }
}

/// The permissible-uncertainty flags under `estimate`: not shown in its help, accepted only to
/// be refused with the reason (an estimate compares no limits).
#[derive(clap::Args, Clone, Copy)]
pub struct RefusedPuArgs {
    /// Not for estimate (see refint partition).
    #[arg(long, hide = true, allow_negative_numbers = true)]
    pub z: Option<f64>,
    /// Not for estimate (see refint partition).
    #[arg(long, hide = true)]
    pub bias: bool,
    /// Not for estimate (see refint partition).
    #[arg(long, value_enum, hide = true)]
    pub assumption: Option<AssumptionArg>,
}

impl From<RefusedPuArgs> for PuArgs {
    fn from(r: RefusedPuArgs) -> PuArgs {
        PuArgs {
            z: r.z,
            bias: r.bias,
            assumption: r.assumption,
        }
    }
}

const ESTIMATE_EXAMPLES: &str = "Examples:
  dimorph refint estimate --data data/refint/reflimr_livertests.csv --value CREA --by Sex
  dimorph refint estimate --data data/refint/reflimr_livertests.csv --value CREA --targets 41,88 --format csv
  dimorph refint estimate --data data/refint/referenceintervals_set120.csv --value value --method direct
  dimorph refint estimate --data data/refint/referenceintervals_set120.csv --value value --method parametric --percentiles 5,95
  dimorph refint estimate --data data/refint/referenceintervals_set120.csv --value value --method robust --outliers horn --remove-outliers
  dimorph refint estimate --data data/refint/reflimr_livertests.csv --value ALT --by Sex --method refiner --nboot 20
  dimorph refint estimate --data data/refint/reflimr_livertests.csv --value CHE --method refiner --model modboxcox
  dimorph refint estimate --data data/refint/reflimr_livertests.csv --value ALB --method kosmic --decimals 1 --nboot 20";

#[derive(clap::Args)]
#[command(after_help = ESTIMATE_EXAMPLES)]
pub struct EstimateArgs {
    #[command(flatten)]
    pub est: EstArgs,
    /// Estimate separately for each level of this column.
    #[arg(long, value_name = "COLUMN")]
    pub by: Option<String>,
    /// Target limits 'lower,upper' to judge the estimates against (reflimR's interpretation;
    /// --method reflim only): above 0 and at most 1e15, lower below upper.
    #[arg(long, value_name = "LOWER,UPPER", value_parser = parse_pair, allow_hyphen_values = true)]
    pub targets: Option<(f64, f64)>,
    #[command(flatten)]
    pub pu: RefusedPuArgs,
}

const PARTITION_EXAMPLES: &str = "Examples:
  dimorph refint partition --data data/refint/reflimr_livertests.csv --value CREA --by Sex
  dimorph refint partition --data data/refint/reflimr_livertests.csv --value ALB --by Sex --method parametric --format csv
  dimorph refint partition --data data/refint/reflimr_livertests.csv --value CREA --by Sex --z 1.64 --format json";

#[derive(clap::Args)]
#[command(after_help = PARTITION_EXAMPLES)]
pub struct PartitionArgs {
    #[command(flatten)]
    pub est: EstArgs,
    /// Group column (e.g. Sex).
    #[arg(long, value_name = "COLUMN")]
    pub by: String,
    #[command(flatten)]
    pub pu: PuArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum VerifyModeArg {
    /// The data are reference individuals (at least 20): at most 2 of 20 may fall outside.
    Transference,
    /// The data are routine results: limits estimated from them (--method) must match.
    Routine,
}

const VERIFY_EXAMPLES: &str = "Examples:
  dimorph refint verify --data data/refint/referenceintervals_set20.csv --value value --limits 10,40
  dimorph refint verify --data data/refint/reflimr_livertests.csv --value CREA --where Sex=m --mode routine --limits 60,110
  dimorph refint verify --data data/refint/reflimr_livertests.csv --value ALB --where Sex=f --mode routine --limits 35,50 --format json";

#[derive(clap::Args)]
#[command(after_help = VERIFY_EXAMPLES)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub est: EstArgs,
    /// The laboratory's limits 'lower,upper' to verify.
    #[arg(long, value_name = "LOWER,UPPER", value_parser = parse_pair, allow_hyphen_values = true, required = true)]
    pub limits: (f64, f64),
    /// What the data are [default: transference].
    #[arg(long, value_enum)]
    pub mode: Option<VerifyModeArg>,
    #[command(flatten)]
    pub pu: PuArgs,
}

fn verify(a: VerifyArgs) -> CliResult {
    if a.est.value.len() > 1 {
        return Err(CliError::input(format!(
            "--value: verify checks one column at a time, got {}",
            a.est.value.len()
        )));
    }
    let o = dimorph_refint::VerifyOptions {
        value: a.est.value[0].clone(),
        filters: a.est.filters.clone(),
        limits: a.limits,
        mode: match a.mode {
            Some(VerifyModeArg::Routine) => dimorph_refint::VerifyMode::Routine,
            _ => dimorph_refint::VerifyMode::Transference,
        },
        estimate: a.est.options(&a.pu),
    };
    o.validate().map_err(CliError::input)?;
    let cf = a.est.read(None)?;
    let outcome = dimorph_refint::run_verify_coded(&cf, &o).map_err(CliError::input)?;
    emit(
        "refint verify",
        data_input(&a.est.data),
        &o.resolved(),
        &outcome,
        a.est.format,
        &a.est.out,
    )
}

const AGE_EXAMPLES: &str = "Examples:
  dimorph refint age --data data/refint/reflimr_livertests.csv --value ALB --age Age --by Sex --window 20 --step 10
  dimorph refint age --data data/refint/reflimr_livertests.csv --value CREA --age Age --window 30 --step 10 --format csv
  dimorph refint age --data data/refint/reflimr_livertests.csv --value ALB --age Age --by Sex --window 20 --step 5 --out age_out
  dimorph refint age --data data/refint/reflimr_livertests.csv --value CREA --age Age --by Sex --window 20 --step 10 --partitions 20
  dimorph refint age --data data/refint/reflimr_livertests.csv --value ALB --age Age --by Sex --curves lms
  dimorph refint age --data data/refint/reflimr_livertests.csv --value ALB --age Age --by Sex --curves lms --lms-df 5,2,1 --lms-grid 44 --format csv
  dimorph refint age --data data/refint/reflimr_livertests.csv --value CHE --age Age --curves lms --lms-lambda 50,200,1000 --out age_lms
  dimorph refint age --data data/refint/reflimr_livertests.csv --value CREA --age Age --by Sex --window 20 --step 5 --smooth loess --unit umol/L --age-unit years --out age_smooth";

#[derive(clap::Args)]
#[command(after_help = AGE_EXAMPLES)]
pub struct AgeArgs {
    #[command(flatten)]
    pub est: EstArgs,
    /// Column holding the age.
    #[arg(long, value_name = "COLUMN")]
    pub age: String,
    /// Curves per level of this column (e.g. Sex).
    #[arg(long, value_name = "COLUMN")]
    pub by: Option<String>,
    /// Width of each age window (in the age column's unit; needed by --curves windows).
    #[arg(long, allow_negative_numbers = true)]
    pub window: Option<f64>,
    /// Distance between the starts of consecutive windows (needed by --curves windows).
    #[arg(long, allow_negative_numbers = true)]
    pub step: Option<f64>,
    /// How the curves are drawn: `windows` (the method in sliding age windows) or `lms`
    /// (Box-Cox Cole & Green / gamlss BCCG fit with mu, sigma, nu smooth in age; table
    /// age_curves at a grid of ages, table lms_fits).
    #[arg(long, value_enum, default_value = "windows")]
    pub curves: CurvesArg,
    /// LMS: spline df beyond the constant for mu, log sigma and nu, as MU,SIGMA,NU
    /// (polynomials up to 3, cubic B-splines with knots at age quantiles beyond; default 3,1,0).
    #[arg(long, value_name = "MU,SIGMA,NU", allow_hyphen_values = true)]
    pub lms_df: Option<String>,
    /// LMS: fixed penalties for gamlss pb()-style P-splines of mu, log sigma and nu, as
    /// MU,SIGMA,NU (replaces --lms-df).
    #[arg(long, value_name = "MU,SIGMA,NU", allow_hyphen_values = true)]
    pub lms_lambda: Option<String>,
    /// LMS: number of equally spaced ages per group in the table age_curves (default 51).
    #[arg(long, value_name = "N")]
    pub lms_grid: Option<usize>,
    /// Choose age partitions from the data: cut the ages into bands of this width and merge
    /// adjacent bands while both limits stay within the permissible difference (Haeckel et al.
    /// 2016, eqs. 3-4); table age_partitions, steps in the figure.
    #[arg(long, value_name = "BAND_WIDTH", allow_negative_numbers = true)]
    pub partitions: Option<f64>,
    /// Smooth the window limits across windows: `none` (default) or `loess` (local polynomial
    /// regression of each curve over the windows' middle ages, weighted by the windows' sizes,
    /// as R's loess with surface = "direct"); columns lower_smooth, median_smooth, upper_smooth.
    #[arg(long, value_enum, default_value = "none")]
    pub smooth: SmoothArg,
    /// --smooth loess: fraction of the windows in each local fit (R's span; default 0.75).
    #[arg(long, value_name = "F", allow_negative_numbers = true)]
    pub smooth_span: Option<f64>,
    /// --smooth loess: degree of the local polynomials, 0, 1 or 2 (R's degree; default 2).
    #[arg(long, value_name = "D")]
    pub smooth_degree: Option<usize>,
    /// Unit of the values, shown on the figure's axis (e.g. umol/L).
    #[arg(long, value_name = "UNIT")]
    pub unit: Option<String>,
    /// Unit of the ages, shown on the figure's axis (e.g. years).
    #[arg(long, value_name = "UNIT")]
    pub age_unit: Option<String>,
}

/// `--smooth` of `refint age`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SmoothArg {
    /// The window limits as estimated.
    None,
    /// LOESS of the window limits over age.
    Loess,
}

/// The smoothing options of `refint age` (the engine refuses a span or degree without LOESS).
fn age_smooth_options(a: &AgeArgs) -> Result<dimorph_refint::age_smooth::WindowSmoothing, CliError> {
    let method = match a.smooth {
        SmoothArg::None => dimorph_refint::age_smooth::WindowSmoother::None,
        SmoothArg::Loess => dimorph_refint::age_smooth::WindowSmoother::Loess,
    };
    dimorph_refint::age_smooth::WindowSmoothing::requested(method, a.smooth_span, a.smooth_degree)
        .map_err(CliError::input)
}

/// `--curves` of `refint age`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CurvesArg {
    /// The chosen method in sliding age windows.
    Windows,
    /// An LMS (BCCG) fit of mu, sigma, nu as smooth functions of age.
    Lms,
}

/// Three comma-separated values of `flag`.
fn three<T: std::str::FromStr>(flag: &str, s: &str) -> Result<[T; 3], CliError> {
    let v: Vec<T> = s
        .split(',')
        .map(|x| x.trim().parse::<T>())
        .collect::<Result<_, _>>()
        .map_err(|_| {
            CliError::input(format!(
                "{flag}: expected three numbers MU,SIGMA,NU, got '{}'",
                dimorph_core::text::clip(s)
            ))
        })?;
    <[T; 3]>::try_from(v).map_err(|_| {
        CliError::input(format!(
            "{flag}: expected three numbers MU,SIGMA,NU, got '{}'",
            dimorph_core::text::clip(s)
        ))
    })
}

/// The window, step and LMS options of `refint age` (the engine refuses each method's options
/// with the other), the LMS triples parsed from their text.
fn age_curves_options(a: &AgeArgs) -> Result<(f64, f64, dimorph_refint::age_curves_run::LmsOptions), CliError> {
    let curves = match a.curves {
        CurvesArg::Windows => dimorph_refint::age_curves_run::Curves::Windows,
        CurvesArg::Lms => dimorph_refint::age_curves_run::Curves::Lms,
    };
    let df = a.lms_df.as_deref().map(|s| three("--lms-df", s)).transpose()?;
    let lambda = a.lms_lambda.as_deref().map(|s| three("--lms-lambda", s)).transpose()?;
    dimorph_refint::age_curves_run::curve_options(curves, (a.window, a.step, a.partitions), (df, lambda, a.lms_grid))
        .map_err(CliError::input)
}

fn age(a: AgeArgs) -> CliResult {
    if a.est.value.len() > 1 || !a.est.filters.is_empty() {
        return Err(CliError::input(
            "--value, --where: refint age takes one value column and no --where filter (select the rows first)",
        ));
    }
    let (window, step, lms) = age_curves_options(&a)?;
    let o = dimorph_refint::run::AgeOptions {
        value: a.est.value[0].clone(),
        age: a.age.clone(),
        by: a.by.clone(),
        window,
        step,
        partitions: a.partitions,
        curves: match a.curves {
            CurvesArg::Windows => dimorph_refint::age_curves_run::Curves::Windows,
            CurvesArg::Lms => dimorph_refint::age_curves_run::Curves::Lms,
        },
        lms,
        smooth: age_smooth_options(&a)?,
        unit: a.unit.clone(),
        age_unit: a.age_unit.clone(),
        estimate: a.est.options(&PuArgs {
            z: None,
            bias: false,
            assumption: None,
        }),
    };
    o.estimate.validate().map_err(CliError::input)?;
    let coded: Vec<&str> = a.by.iter().map(String::as_str).collect();
    let cf = dimorph_data::read_coded(&a.est.data, &a.est.read_options(), &[&o.value, &o.age], &coded)
        .map_err(|e| CliError::input(RefintError::from(e)))?;
    let outcome = dimorph_refint::run::run_age_coded(&cf, &o).map_err(CliError::input)?;
    emit(
        "refint age",
        data_input(&a.est.data),
        &o,
        &outcome,
        a.est.format,
        &a.est.out,
    )
}

pub fn run(a: Args) -> CliResult {
    match a.command {
        Sub::Age(x) => age(x),
        Sub::Verify(v) => verify(v),
        Sub::Table(t) => table(t),
        Sub::Compare(c) => compare(c),
        Sub::Estimate(e) => estimate(e),
        Sub::Partition(p) => partition(p),
    }
}

/// Reads the data; the reader's error with the cells it quotes clipped.
fn read(path: &PathBuf) -> Result<dimorph_data::Frame, CliError> {
    dimorph_data::read_table(path).map_err(|e| CliError::input(RefintError::from(e)))
}

fn data_input(path: &std::path::Path) -> serde_json::Value {
    json!({ "data": path.display().to_string() })
}

fn table(a: TableArgs) -> CliResult {
    let o = a.pu.options();
    o.validate().map_err(CliError::input)?;
    let outcome = run_table(&read(&a.data)?, &o).map_err(CliError::input)?;
    emit("refint table", data_input(&a.data), &o, &outcome, a.format, &a.out)
}

fn compare(a: CompareArgs) -> CliResult {
    let o = a.pu.options();
    let outcome = run_compare(a.a, &a.b, &o).map_err(CliError::input)?;
    let pair = |p: &(f64, f64)| json!([p.0, p.1]);
    let input = json!({ "a": pair(&a.a), "b": a.b.iter().map(pair).collect::<Vec<_>>() });
    emit("refint compare", input, &o, &outcome, a.format, &a.out)
}

fn estimate(a: EstimateArgs) -> CliResult {
    let o = EstimateRunOptions {
        value: a.est.value[0].clone(),
        more_values: a.est.value[1..].to_vec(),
        by: a.by.clone(),
        filters: a.est.filters.clone(),
        targets: a.targets,
        estimate: a.est.options(&a.pu.into()),
    };
    o.validate().map_err(CliError::input)?;
    let cf = a.est.read(a.by.as_deref())?;
    let outcome = run_estimate_coded(&cf, &o).map_err(CliError::input)?;
    emit(
        "refint estimate",
        data_input(&a.est.data),
        &o.resolved(),
        &outcome,
        a.est.format,
        &a.est.out,
    )
}

fn partition(a: PartitionArgs) -> CliResult {
    if a.est.value.len() > 1 {
        return Err(CliError::input(format!(
            "--value: partition decides for one column at a time, got {} ({}); run it once per column",
            a.est.value.len(),
            clip(&a.est.value.join(","))
        )));
    }
    let o = PartitionOptions {
        value: a.est.value[0].clone(),
        by: a.by.clone(),
        filters: a.est.filters.clone(),
        estimate: a.est.options(&a.pu),
    };
    o.validate().map_err(CliError::input)?;
    let cf = a.est.read(Some(&a.by))?;
    let outcome = run_partition_coded(&cf, &o).map_err(CliError::input)?;
    emit(
        "refint partition",
        data_input(&a.est.data),
        &o.resolved(),
        &outcome,
        a.est.format,
        &a.est.out,
    )
}
