//! `dimorph lifetable` (a period life table) and `dimorph lifelost` (life lost and lifesaving by
//! cause of death, Riffe & Solé Auró 2015): flags → options, the engine's run, `emit`.

use super::{emit, CliError, CliResult, Format, OutArgs};
use dimorph_lifetable::population::check_year;
use dimorph_lifetable::run::check_lifelost_sexes;
use dimorph_lifetable::uncertainty::IntervalOptions;
use dimorph_lifetable::{
    read_data, read_hmd_dir, run_lifelost, run_lifetable, AxMethod, CauseDeaths, CauseShares, Discretisation,
    LifeLostOptions, LifeTableOptions, MortalityData, SavePoint, Sex, Smoothing,
};
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
    #[arg(
        long,
        allow_negative_numbers = true,
        required_unless_present = "years",
        conflicts_with = "years"
    )]
    pub year: Option<i32>,
}

impl Source {
    fn path(&self) -> Result<&PathBuf, CliError> {
        self.hmd
            .as_ref()
            .or(self.data.as_ref())
            .ok_or_else(|| CliError::input("give --hmd DIR or --data FILE"))
    }

    /// The one year asked for (`--year`; clap makes it present unless `--years` is given).
    fn one_year(&self) -> Result<i32, CliError> {
        let y = self
            .year
            .ok_or_else(|| CliError::input("give --year YEAR or --years FIRST-LAST"))?;
        check_year(y).map_err(CliError::input)?;
        Ok(y)
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
    /// Close the table at this open age (e.g. 100): deaths and exposures from it on are summed
    /// into one open group, for data whose oldest ages have no exposure (default: the data's own,
    /// 110+ in HMD files).
    #[arg(long, value_name = "AGE", allow_negative_numbers = true)]
    pub open_age: Option<f64>,
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

/// Many years in one call, and where their long table goes (both commands).
#[derive(clap::Args)]
pub struct YearsArgs {
    /// Many years in one call instead of --year: ranges and lists, e.g. 1933-2019 or
    /// 1950,1960,2010 (every year must be in the data); one long table (year, sex, age, columns)
    /// and, for lifetable, the trend of e0 by sex and of the female-male gap.
    #[arg(long, value_name = "YEARS", allow_hyphen_values = true)]
    pub years: Option<String>,
    /// Write the long table to FILE: CSV, or Parquet when FILE ends in .parquet or --parquet is given.
    #[arg(long, value_name = "FILE", requires = "years")]
    pub tidy: Option<PathBuf>,
    /// Write the long table as Parquet (to --tidy FILE, and beside its CSV in --out DIR).
    #[arg(long, requires = "years")]
    pub parquet: bool,
}

/// Refuses `--tidy` and `--parquet` where they would write nothing: without `--years` (one
/// year's table goes to stdout with `--format csv` or to `--out DIR`), and `--parquet` with
/// neither `--tidy FILE` nor `--out DIR` to put the file in. (clap's `requires = "years"` on them
/// did not hold: a fuzzed `--year 2010 --tidy t.csv` exited 0 and wrote nothing.)
/// Refuses `--threads 0` and absurd counts (they were taken silently, as 1 and as asked).
pub(crate) fn check_threads(threads: Option<usize>) -> Result<(), CliError> {
    dimorph_core::threads::check(threads).map_err(|m| CliError::input(format!("--threads: {m}")))
}

pub(crate) fn check_long_outputs(years: bool, tidy: bool, parquet: bool, out: bool) -> Result<(), CliError> {
    if !years && (tidy || parquet) {
        return Err(CliError::input(format!(
            "{}: writes the long table of --years; for one --year use --format csv > FILE, or --out DIR",
            if tidy { "--tidy" } else { "--parquet" }
        )));
    }
    if parquet && !tidy && !out {
        return Err(CliError::input(
            "--parquet: give --tidy FILE or --out DIR for the Parquet file to go to",
        ));
    }
    Ok(())
}

impl YearsArgs {
    /// [`check_long_outputs`] and [`check_threads`] for lifetable and lifelost.
    fn check(&self, out: &OutArgs, threads: Option<usize>) -> Result<(), CliError> {
        check_long_outputs(
            self.years.is_some(),
            self.tidy.is_some(),
            self.parquet,
            out.out.is_some(),
        )?;
        check_threads(threads)
    }

    fn years(&self) -> Result<Option<Vec<i32>>, CliError> {
        self.years
            .as_deref()
            .map(|s| dimorph_lifetable::years::parse_years(s).map_err(CliError::input))
            .transpose()
    }

    /// Adds the long table as Parquet to the folder's files (`--parquet`) and writes `--tidy FILE`.
    fn write<R>(&self, outcome: &mut dimorph_report::Outcome<R>, out: &OutArgs) -> Result<(), CliError> {
        let Some(long) = outcome.tables.first() else {
            return Ok(());
        };
        let parquet = || dimorph_lifetable::parquet_out::to_parquet(long).map_err(CliError::input);
        let file_parquet = self
            .tidy
            .as_ref()
            .is_some_and(|p| self.parquet || p.extension().is_some_and(|e| e.eq_ignore_ascii_case("parquet")));
        if let Some(path) = &self.tidy {
            let bytes = if file_parquet {
                parquet()?
            } else {
                long.to_csv().into_bytes()
            };
            dimorph_core::output::write_atomic(path, &bytes, out.overwrite())?;
        }
        if self.parquet && out.out.is_some() {
            let name = format!("{}.parquet", long.name);
            outcome.files.push(dimorph_core::OutputFile::new(name, parquet()?));
        }
        Ok(())
    }
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
            open_age: self.open_age,
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
    /// Both sexes: the HMD both-sex table, built from the female and male tables.
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

/// Where dimorph's definitions differ from its peers' (README, "Definitions where peers differ").
const LIFETABLE_DEFINITIONS: &str = "Definitions (HMD Methods Protocol v6; where peers differ):
  --sex total   the HMD both-sex table: the sexes' smoothed rates weighted by a smoothed exposure
                share, a0 the sexes' a0 weighted by infant deaths (not the pooled deaths)
  SD            of age at death with the within-year variance n^2/12 (LifeIneq's ineq_sd puts all
                deaths of a year at x + a(x): smaller by about 1/(24 SD))
  Gini          continuous, 1 - integral of l(x)^2 / (l0^2 e0), l linear within each year
                (LifeIneq's ineq_gini: discrete, deaths at x + a(x))
  e-dagger      sum of d(x) e(x + a(x)) / l0, e interpolated within the year (as ineq_edag)
  abridged      ages 0, 1-4, 5-9, ... closed at old ages by a Kannisto fit to the groups";

const LIFETABLE_EXAMPLES: &str = "Examples:
  dimorph lifetable --hmd data/hmd/USA --year 2010 --sex male
  dimorph lifetable --hmd data/hmd/USA --year 2010 --sex female --format csv --ci 0.95 --draws 1000 --seed 1
  dimorph lifetable --hmd data/hmd/USA --year 1950 --sex total --no-smooth --format json
  dimorph lifetable --hmd data/hmd/USA --years 1933-2019 --ci 0.95 --out usa_trend --tidy usa_tables.parquet";

#[derive(clap::Args)]
#[command(after_help = LIFETABLE_EXAMPLES, before_long_help = LIFETABLE_DEFINITIONS)]
pub struct Args {
    #[command(flatten)]
    pub source: Source,
    /// Sex of the table (with --years: female and male when not given).
    #[arg(long, value_enum, required_unless_present = "years")]
    pub sex: Option<SexArg>,
    #[command(flatten)]
    pub years: YearsArgs,
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
    a.years.check(&a.out, a.table.intervals.threads)?;
    if let Some(years) = a.years.years()? {
        let sexes = match a.sex {
            Some(s) => vec![s.into()],
            None => vec![Sex::Female, Sex::Male],
        };
        let (data, _) = a.source.load()?;
        let threads = a.table.intervals.threads;
        let mut outcome =
            dimorph_lifetable::run_lifetable_years(&data, &years, &sexes, &opts, threads).map_err(CliError::input)?;
        a.years.write(&mut outcome, &a.out)?;
        return emit("lifetable", input(&a.source, None)?, &opts, &outcome, a.format, &a.out);
    }
    let year = a.source.one_year()?;
    let sex = a
        .sex
        .ok_or_else(|| CliError::input("give --sex female, male or total"))?;
    let (data, _) = a.source.load()?;
    let outcome = run_lifetable(&data, year, sex.into(), &opts).map_err(CliError::input)?;
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

/// Where a saved death starts its second life (README, "Definitions where peers differ").
const LIFELOST_DEFINITIONS: &str = "Definitions (where peers differ):
  a death of age-year x is saved at the mean age at death of that year, x + a(x): infants at
  a0 (about 0.14), not at mid-year as the paper's computation does (--discretisation paper);
  --save-at exact saves it at x. SD and Gini as in `dimorph lifetable --help`.";

const LIFELOST_EXAMPLES: &str = "Examples:
  dimorph lifelost --hmd data/hmd/USA --year 2010 --causes data/usa_2010_cod.csv
  dimorph lifelost --hmd data/hmd/USA --year 2010 --causes data/usa_2010_cod.csv --cause Cardiovascular --out lifelost2010
  dimorph lifelost --hmd data/hmd/USA --year 2010 --causes data/usa_2010_cod.csv --discretisation paper --cause-shares paper --no-smooth --format json
  dimorph lifelost --hmd data/hmd/USA --years 1933-2019 --causes data/usa_2010_cod.csv --ci 0.95 --draws 200 --tidy lifelost_years.csv";

#[derive(clap::Args)]
#[command(after_help = LIFELOST_EXAMPLES, before_long_help = LIFELOST_DEFINITIONS)]
pub struct LostArgs {
    #[command(flatten)]
    pub source: Source,
    #[command(flatten)]
    pub years: YearsArgs,
    /// Deaths by cause: CSV with year, sex, age, deaths and a cause column (with --years, the
    /// years it does not cover are analysed for all causes only).
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
    /// Weigh the person-years won by the ages they are lived at with an age schedule (e.g.
    /// fertility rates): CSV with `age`, a value column and optionally `sex`; totals by sex and cause.
    #[arg(long, value_name = "FILE", conflicts_with = "years")]
    pub schedule: Option<PathBuf>,
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
    a.years.check(&a.out, a.table.intervals.threads)?;
    let years = a.years.years()?;
    let year = match years {
        Some(_) => None,
        None => Some(a.source.one_year()?),
    };
    check_lifelost_sexes(&a.sexes()).map_err(CliError::input)?;
    let (data, in_file_causes) = a.source.load()?;
    let causes = match &a.causes {
        Some(p) => Some(CauseDeaths::read_csv(p, a.group_column.as_deref()).map_err(CliError::input)?),
        None => in_file_causes,
    };
    let (Some(year), None) = (year, &years) else {
        let years = years.unwrap_or_default();
        let threads = a.table.intervals.threads;
        let sexes = a.sexes();
        let cause = a.cause.as_deref();
        let mut outcome =
            dimorph_lifetable::run_lifelost_years(&data, causes.as_ref(), &years, &sexes, cause, &opts, threads)
                .map_err(CliError::input)?;
        a.years.write(&mut outcome, &a.out)?;
        let input = input(&a.source, a.causes.as_ref())?;
        return emit("lifelost", input, &opts, &outcome, a.format, &a.out);
    };
    let outcome =
        run_lifelost(&data, causes.as_ref(), year, &a.sexes(), a.cause.as_deref(), &opts).map_err(CliError::input)?;
    let mut input = input(&a.source, a.causes.as_ref())?;
    if let Some(p) = &a.schedule {
        let s = dimorph_lifetable::schedule::Schedule::read_csv(p).map_err(CliError::input)?;
        input["schedule"] = json!(p.display().to_string());
        let outcome = dimorph_lifetable::schedule::with_schedule(outcome, &s);
        return emit("lifelost", input, &opts, &outcome, a.format, &a.out);
    }
    emit("lifelost", input, &opts, &outcome, a.format, &a.out)
}
