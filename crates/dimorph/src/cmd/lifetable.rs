//! `dimorph lifetable` (a period life table) and `dimorph lifelost` (life lost and lifesaving by
//! cause of death, Riffe & Solé Auró 2015): flags → options, the engine's run, `emit`.

use super::{emit, CliError, CliResult, Format, OutArgs};
use dimorph_lifetable::population::check_year;
use dimorph_lifetable::run::check_lifelost_sexes;
use dimorph_lifetable::{
    read_data, read_hmd_dir, run_lifelost, run_lifetable, AxMethod, CauseDeaths, CauseShares, Discretisation,
    LifeLostOptions, LifeTableOptions, MortalityData, SavePoint, Sex, Smoothing,
};
use dimorph_lifetable::uncertainty::IntervalOptions;
use serde_json::{json, Value};
use std::path::PathBuf;

/// Where the deaths and exposures come from.
#[derive(clap::Args)]
pub struct Source {
    /// HMD country folder holding *.Deaths_1x1.txt and *.Exposures_1x1.txt.
    #[arg(long, value_name = "DIR", conflicts_with = "data", required_unless_present = "data")]
    pub hmd: Option<PathBuf>,
    /// Tidy CSV: year, sex, age, deaths, exposure[, open_interval][, cause].
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// Year of the period table (1 to 9999; it must be in the data).
    #[arg(long, allow_negative_numbers = true)]
    pub year: i32,
}

impl Source {
    fn path(&self) -> Result<&PathBuf, CliError> {
        self.hmd
            .as_ref()
            .or(self.data.as_ref())
            .ok_or_else(|| CliError::input("give --hmd DIR or --data FILE"))
    }

    fn load(&self) -> Result<(MortalityData, Option<CauseDeaths>), CliError> {
        match &self.hmd {
            Some(dir) => Ok((read_hmd_dir(dir).map_err(CliError::input)?, None)),
            None => read_data(self.path()?).map_err(CliError::input),
        }
    }
}

/// Life-table options shared by both commands.
#[derive(clap::Args)]
pub struct TableArgs {
    /// Keep the observed rates at old ages (no Kannisto smoothing).
    #[arg(long)]
    pub no_smooth: bool,
    /// Constant hazard within each age (q = 1 - exp(-m)) instead of the HMD a(x).
    #[arg(long)]
    pub constant_hazard: bool,
    /// Radix l(0): the number of births the table follows, from 1 to 1e9.
    #[arg(long, default_value_t = 100_000.0, allow_negative_numbers = true)]
    pub radix: f64,
    #[command(flatten)]
    pub intervals: IntervalArgs,
}

/// Confidence intervals from the randomness of death counts (both commands).
#[derive(clap::Args)]
pub struct IntervalArgs {
    /// Confidence intervals at this level (above 0.5, below 1; e.g. 0.95): for e(x) by Chiang's
    /// variance and a Poisson-deaths simulation (lifetable), for Table 2's means by the simulation
    /// (lifelost).
    #[arg(long, value_name = "LEVEL", allow_negative_numbers = true)]
    pub ci: Option<f64>,
    /// Simulated draws for --ci (10 to 100000).
    #[arg(long, value_name = "N", default_value_t = 1000, requires = "ci")]
    pub draws: usize,
    /// Seed of the simulated draws (the same seed gives the same intervals).
    #[arg(long, default_value_t = 1, requires = "ci")]
    pub seed: u64,
    /// Threads for the draws and for --years (default: every core); results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
}

impl IntervalArgs {
    fn options(&self) -> Option<IntervalOptions> {
        self.ci.map(|level| IntervalOptions {
            level,
            draws: self.draws,
            seed: self.seed,
            threads: self.threads,
        })
    }
}

impl TableArgs {
    pub(crate) fn options(&self) -> LifeTableOptions {
        LifeTableOptions {
            radix: self.radix,
            ax: if self.constant_hazard {
                AxMethod::ConstantHazard
            } else {
                AxMethod::Hmd
            },
            smoothing: if self.no_smooth {
                Smoothing::None
            } else {
                Smoothing::Kannisto
            },
            intervals: self.intervals.options(),
        }
    }
}

/// The sex of one life table.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum SexArg {
    /// Females (HMD's Female column).
    #[value(alias = "f")]
    Female,
    /// Males (HMD's Male column).
    #[value(alias = "m")]
    Male,
    /// Both sexes together (HMD's Total column).
    #[value(alias = "t")]
    Total,
}

impl From<SexArg> for Sex {
    fn from(s: SexArg) -> Sex {
        match s {
            SexArg::Female => Sex::Female,
            SexArg::Male => Sex::Male,
            SexArg::Total => Sex::Total,
        }
    }
}

const LIFETABLE_EXAMPLES: &str = "Examples:
  dimorph lifetable --hmd data/hmd/USA --year 2010 --sex male
  dimorph lifetable --hmd data/hmd/USA --year 2010 --sex female --format csv
  dimorph lifetable --hmd data/hmd/USA --year 1950 --sex total --no-smooth --format json";

#[derive(clap::Args)]
#[command(after_help = LIFETABLE_EXAMPLES)]
pub struct Args {
    #[command(flatten)]
    pub source: Source,
    /// Sex of the table.
    #[arg(long, value_enum)]
    pub sex: SexArg,
    #[command(flatten)]
    pub table: TableArgs,
    /// Output format: report text, the JSON envelope, or the life table as tidy CSV.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub out: OutArgs,
}

fn input(source: &Source, causes: Option<&PathBuf>) -> Result<Value, CliError> {
    let mut v = json!({ "data": source.path()?.display().to_string() });
    if let Some(c) = causes {
        v["causes"] = json!(c.display().to_string());
    }
    Ok(v)
}

pub fn run(a: Args) -> CliResult {
    let opts = a.table.options();
    opts.validate().map_err(CliError::input)?;
    check_year(a.source.year).map_err(CliError::input)?;
    let (data, _) = a.source.load()?;
    let outcome = run_lifetable(&data, a.source.year, a.sex.into(), &opts).map_err(CliError::input)?;
    emit("lifetable", input(&a.source, None)?, &opts, &outcome, a.format, &a.out)
}

/// Which sexes a life-lost analysis covers.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum SexesArg {
    /// Females only.
    #[value(alias = "f")]
    Female,
    /// Males only.
    #[value(alias = "m")]
    Male,
    /// Females and males, side by side.
    Both,
    /// Refused with the reason: life lost compares females and males (use `lifetable --sex total`).
    #[value(hide = true, alias = "t")]
    Total,
}

/// How eq. 1-6 are discretised.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum DiscretisationArg {
    /// Exact integrals under the life table.
    Continuous,
    /// The paper authors' computation: l(x+1) = l(x)exp(-m(x)), end-of-year survivors, class midpoints.
    Paper,
}

/// Where a death is saved inside its age-year.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum SaveAtArg {
    /// At the mean age at death of the age-year, a + a(x).
    Mean,
    /// At the exact age a.
    Exact,
}

/// How cause shares by age are formed.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum CauseSharesArg {
    /// Each age's own counts.
    Age,
    /// Abridged log rates interpolated by a cubic spline, as the paper's authors did.
    Paper,
}

const LIFELOST_EXAMPLES: &str = "Examples:
  dimorph lifelost --hmd data/hmd/USA --year 2010 --causes data/usa_2010_cod.csv
  dimorph lifelost --hmd data/hmd/USA --year 2010 --causes data/usa_2010_cod.csv --cause Cardiovascular --out lifelost2010
  dimorph lifelost --hmd data/hmd/USA --year 2010 --causes data/usa_2010_cod.csv --discretisation paper --cause-shares paper --no-smooth --format json";

#[derive(clap::Args)]
#[command(after_help = LIFELOST_EXAMPLES)]
pub struct LostArgs {
    #[command(flatten)]
    pub source: Source,
    /// Deaths by cause: CSV with year, sex, age, deaths and a cause column.
    #[arg(long, value_name = "FILE")]
    pub causes: Option<PathBuf>,
    /// Cause column of --causes (default: paper_group, else cause, else cause_id).
    #[arg(long, requires = "causes")]
    pub group_column: Option<String>,
    /// Analyse only this cause group (besides all causes).
    #[arg(long)]
    pub cause: Option<String>,
    /// Sexes to analyse.
    #[arg(long, value_enum, default_value_t = SexesArg::Both)]
    pub sex: SexesArg,
    /// How eq. 1-6 are discretised.
    #[arg(long, value_enum, default_value_t = DiscretisationArg::Continuous)]
    pub discretisation: DiscretisationArg,
    /// Where a death is saved inside its age-year (default: mean); continuous discretisation only.
    #[arg(long, value_enum)]
    pub save_at: Option<SaveAtArg>,
    /// How cause shares by age are formed (with cause-of-death data).
    #[arg(long, value_enum, default_value_t = CauseSharesArg::Age)]
    pub cause_shares: CauseSharesArg,
    /// Save a cause's deaths into the all-cause table instead of the cause-deleted one.
    #[arg(long)]
    pub keep_cause: bool,
    /// Save the deaths of the table's stationary population, m(a)L(a), not the observed deaths.
    #[arg(long)]
    pub stationary: bool,
    /// Figures in percent of both sexes' total instead of counts.
    #[arg(long)]
    pub percent: bool,
    #[command(flatten)]
    pub table: TableArgs,
    /// Output format: report text, the JSON envelope, or life lost by sex, cause and age as tidy CSV.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub out: OutArgs,
}

impl LostArgs {
    fn options(&self) -> Result<LifeLostOptions, CliError> {
        let opts = LifeLostOptions {
            lifetable: self.table.options(),
            discretisation: match self.discretisation {
                DiscretisationArg::Continuous => Discretisation::Continuous,
                DiscretisationArg::Paper => Discretisation::Paper,
            },
            cause_shares: match self.cause_shares {
                CauseSharesArg::Age => CauseShares::Age,
                CauseSharesArg::Paper => CauseShares::Paper,
            },
            delete_cause: !self.keep_cause,
            stationary: self.stationary,
            percent: self.percent,
            ..Default::default()
        };
        let save_at = self.save_at.map(|s| match s {
            SaveAtArg::Mean => SavePoint::MeanAgeAtDeath,
            SaveAtArg::Exact => SavePoint::ExactAge,
        });
        let opts = opts.with_save_at(save_at).map_err(CliError::input)?;
        opts.validate().map_err(CliError::input)?;
        Ok(opts)
    }

    fn sexes(&self) -> Vec<Sex> {
        match self.sex {
            SexesArg::Female => vec![Sex::Female],
            SexesArg::Male => vec![Sex::Male],
            SexesArg::Both => vec![Sex::Female, Sex::Male],
            SexesArg::Total => vec![Sex::Total],
        }
    }
}

pub fn run_lost(a: LostArgs) -> CliResult {
    let opts = a.options()?;
    check_year(a.source.year).map_err(CliError::input)?;
    check_lifelost_sexes(&a.sexes()).map_err(CliError::input)?;
    let (data, in_file_causes) = a.source.load()?;
    let causes = match &a.causes {
        Some(p) => Some(CauseDeaths::read_csv(p, a.group_column.as_deref()).map_err(CliError::input)?),
        None => in_file_causes,
    };
    let outcome = run_lifelost(
        &data,
        causes.as_ref(),
        a.source.year,
        &a.sexes(),
        a.cause.as_deref(),
        &opts,
    )
    .map_err(CliError::input)?;
    let input = input(&a.source, a.causes.as_ref())?;
    emit("lifelost", input, &opts, &outcome, a.format, &a.out)
}
