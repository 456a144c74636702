//! `dimorph lifetable decompose`: the difference between two life tables split by age (Arriaga),
//! by age and cause, and by the continuous-change method of Horiuchi, Wilmoth & Pletcher (2008).
//! Also the dispatch of `dimorph lifetable` between the plain table and its subcommands.

use super::lifetable::{Args as TableCmdArgs, CauseSharesArg, SexArg, TableArgs};
use super::{emit, CliError, CliResult, Format, OutArgs};
use dimorph_lifetable::decompose::options::STEPS;
use dimorph_lifetable::decompose::{run_decompose, run_decompose_years, second_sex, DecomposeOptions, Side};
use dimorph_lifetable::population::check_year;
use dimorph_lifetable::{read_data, read_hmd_dir, CauseDeaths, CauseShares, MortalityData};
use serde_json::{json, Value};
use std::path::PathBuf;

/// `dimorph lifetable`: one period table (its flags), or a subcommand. (clap's derive cannot
/// make the table's flags optional beside a subcommand, so `Args` is implemented here by hand.)
pub enum LifetableCmd {
    /// `dimorph lifetable --hmd … --year … --sex …`.
    Table(TableCmdArgs),
    /// `dimorph lifetable <subcommand> …`.
    Sub(LifetableSub),
}

impl clap::FromArgMatches for LifetableCmd {
    fn from_arg_matches(m: &clap::ArgMatches) -> Result<Self, clap::Error> {
        Self::from_arg_matches_mut(&mut m.clone())
    }
    fn from_arg_matches_mut(m: &mut clap::ArgMatches) -> Result<Self, clap::Error> {
        if m.subcommand_name().is_some() {
            Ok(Self::Sub(<LifetableSub as clap::FromArgMatches>::from_arg_matches_mut(
                m,
            )?))
        } else {
            Ok(Self::Table(
                <TableCmdArgs as clap::FromArgMatches>::from_arg_matches_mut(m)?,
            ))
        }
    }
    fn update_from_arg_matches(&mut self, m: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(m)?;
        Ok(())
    }
}

impl clap::Args for LifetableCmd {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        let cmd = <TableCmdArgs as clap::Args>::augment_args(cmd);
        <LifetableSub as clap::Subcommand>::augment_subcommands(cmd)
            .args_conflicts_with_subcommands(true)
            .subcommand_negates_reqs(true)
    }
    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

/// The subcommands of `dimorph lifetable`.
#[derive(clap::Subcommand)]
pub enum LifetableSub {
    /// Decompose the difference in life expectancy (and lifespan variation) between two tables
    /// by age and cause (Arriaga; Horiuchi, Wilmoth & Pletcher 2008).
    Decompose(Args),
}

const DECOMPOSE_EXAMPLES: &str = "Examples:
  dimorph lifetable decompose --hmd data/hmd/USA --year 2010 --causes data/usa_2010_cod.csv
  dimorph lifetable decompose --hmd data/hmd/USA --year 2010 --vs-year 1950 --sex male --format csv
  dimorph lifetable decompose --hmd data/hmd/USA --year 2010 --from-age 65 --out decompose2010
  dimorph lifetable decompose --hmd data/hmd/USA --years 1933-2019 --causes data/usa_2010_cod.csv --out gap_trend --tidy gap_years.parquet";

/// Arguments of `dimorph lifetable decompose`. The difference is first − second: by default
/// females − males of one population and year.
#[derive(clap::Args)]
#[command(after_help = DECOMPOSE_EXAMPLES)]
pub struct Args {
    /// HMD country folder of the first table (*.Deaths_1x1.txt and *.Exposures_1x1.txt).
    #[arg(long, value_name = "DIR", conflicts_with = "data", required_unless_present = "data")]
    pub hmd: Option<PathBuf>,
    /// Tidy CSV of the first table: year, sex, age, deaths, exposure[, open_interval][, cause].
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// Year of the first table (1 to 9999; it must be in the data).
    #[arg(
        long,
        allow_negative_numbers = true,
        required_unless_present = "years",
        conflicts_with = "years"
    )]
    pub year: Option<i32>,
    /// Decompose the same comparison in many years instead of --year: ranges and lists, e.g.
    /// 1933-2019 or 1950,1960,2010 (every year must be in the data; years the cause file lacks
    /// are decomposed for all causes, with a warning); one long table and trend figures.
    #[arg(long, value_name = "YEARS", allow_hyphen_values = true)]
    pub years: Option<String>,
    /// With --years: write the long table (year, method, measure, age, cause, contribution, …) to
    /// FILE: CSV, or Parquet when FILE ends in .parquet or --parquet is given.
    #[arg(long, value_name = "FILE", requires = "years")]
    pub tidy: Option<PathBuf>,
    /// With --years: write the long table as Parquet (to --tidy FILE, and beside its CSV in --out DIR).
    #[arg(long, requires = "years")]
    pub parquet: bool,
    /// Sex of the first table.
    #[arg(long, value_enum, default_value_t = SexArg::Female)]
    pub sex: SexArg,
    /// HMD folder of the second table (default: the first table's data).
    #[arg(long, value_name = "DIR", conflicts_with = "vs_data")]
    pub vs_hmd: Option<PathBuf>,
    /// Tidy CSV of the second table (default: the first table's data).
    #[arg(long, value_name = "FILE")]
    pub vs_data: Option<PathBuf>,
    /// Year of the second table (default: --year; not with --years).
    #[arg(long, allow_negative_numbers = true, conflicts_with = "years")]
    pub vs_year: Option<i32>,
    /// Sex of the second table (default: male when both tables are of the same data and year,
    /// else --sex).
    #[arg(long, value_enum)]
    pub vs_sex: Option<SexArg>,
    /// Deaths by cause (CSV with year, sex, age, deaths and a cause column), for the age × cause
    /// decomposition; it serves both tables unless --vs-causes is given.
    #[arg(long, value_name = "FILE")]
    pub causes: Option<PathBuf>,
    /// Deaths by cause for the second table (default: --causes).
    #[arg(long, value_name = "FILE", requires = "causes")]
    pub vs_causes: Option<PathBuf>,
    /// Cause column of the cause files (default: paper_group, else cause, else cause_id).
    #[arg(long)]
    pub group_column: Option<String>,
    /// How cause shares by age are formed (with cause-of-death data).
    #[arg(long, value_enum, default_value_t = CauseSharesArg::Age)]
    pub cause_shares: CauseSharesArg,
    /// Decompose the difference in e(x) from this age (0: e0). The variation measures (e-dagger,
    /// Gini, SD) are decomposed from birth only.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub from_age: f64,
    /// Intervals of the line integral of Horiuchi et al. (1 to 1000); its error falls as 1/steps^2.
    #[arg(long, default_value_t = 50, allow_negative_numbers = true)]
    pub steps: i64,
    #[command(flatten)]
    pub table: TableArgs,
    /// Output format: report text, the JSON envelope, or the contributions (method × measure × age
    /// × cause) as tidy CSV.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub out: OutArgs,
}

fn load(hmd: Option<&PathBuf>, data: Option<&PathBuf>) -> Result<(MortalityData, Option<CauseDeaths>), CliError> {
    match (hmd, data) {
        (Some(dir), _) => Ok((read_hmd_dir(dir).map_err(CliError::input)?, None)),
        (None, Some(f)) => read_data(f).map_err(CliError::input),
        (None, None) => Err(CliError::input("give --hmd DIR or --data FILE")),
    }
}

impl Args {
    fn options(&self) -> Result<DecomposeOptions, CliError> {
        let steps = usize::try_from(self.steps)
            .ok()
            .filter(|s| STEPS.contains(s))
            .ok_or_else(|| {
                CliError::input(format!(
                    "--steps: must be from {} to {} (50 by default), got {}",
                    STEPS.start(),
                    STEPS.end(),
                    self.steps
                ))
            })?;
        let opts = DecomposeOptions {
            lifetable: self.table.options(),
            from_age: self.from_age,
            steps,
            cause_shares: match self.cause_shares {
                CauseSharesArg::Age => CauseShares::Age,
                CauseSharesArg::Paper => CauseShares::Paper,
            },
        };
        opts.validate().map_err(CliError::input)?;
        Ok(opts)
    }

    fn input(&self) -> Value {
        let path = |p: Option<&PathBuf>| p.map(|p| p.display().to_string());
        let mut v = json!({ "data": path(self.hmd.as_ref().or(self.data.as_ref())) });
        if let Some(p) = path(self.vs_hmd.as_ref().or(self.vs_data.as_ref())) {
            v["vs_data"] = json!(p);
        }
        if let Some(y) = &self.years {
            v["years"] = json!(y);
        }
        if let Some(p) = path(self.causes.as_ref()) {
            v["causes"] = json!(p);
        }
        if let Some(p) = path(self.vs_causes.as_ref()) {
            v["vs_causes"] = json!(p);
        }
        v
    }
}

/// Runs `dimorph lifetable`: the subcommand when one is given, else the plain table.
pub fn dispatch(a: LifetableCmd) -> CliResult {
    match a {
        LifetableCmd::Sub(LifetableSub::Decompose(d)) => run(d),
        LifetableCmd::Table(t) => super::lifetable::run(t),
    }
}

/// Writes `--tidy FILE` (CSV or Parquet) and adds the Parquet file to `--out DIR` (`--parquet`):
/// the first table of a many-year outcome, the long one.
fn write_long<R>(a: &Args, outcome: &mut dimorph_report::Outcome<R>) -> Result<(), CliError> {
    let Some(long) = outcome.tables.first() else {
        return Ok(());
    };
    let parquet = || dimorph_lifetable::parquet_out::to_parquet(long).map_err(CliError::input);
    if let Some(path) = &a.tidy {
        let as_parquet = a.parquet || path.extension().is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
        let bytes = if as_parquet {
            parquet()?
        } else {
            long.to_csv().into_bytes()
        };
        dimorph_core::output::write_atomic(path, &bytes, a.out.overwrite())?;
    }
    if a.parquet && a.out.out.is_some() {
        let name = format!("{}.parquet", long.name);
        outcome.files.push(dimorph_core::OutputFile::new(name, parquet()?));
    }
    Ok(())
}

/// Runs `dimorph lifetable decompose`.
pub fn run(a: Args) -> CliResult {
    super::lifetable::check_long_outputs(a.years.is_some(), a.tidy.is_some(), a.parquet, a.out.out.is_some())?;
    super::lifetable::check_threads(a.table.intervals.threads)?;
    let opts = a.options()?;
    let years = a
        .years
        .as_deref()
        .map(|s| dimorph_lifetable::years::parse_years(s).map_err(CliError::input))
        .transpose()?;
    let year = match (&years, a.year) {
        (Some(y), _) => y.first().copied().unwrap_or(1),
        (None, Some(y)) => y,
        (None, None) => return Err(CliError::input("give --year YEAR or --years FIRST-LAST")),
    };
    check_year(year).map_err(CliError::input)?;
    let vs_year = a.vs_year.unwrap_or(year);
    check_year(vs_year).map_err(CliError::input)?;
    let (data, in_file_causes) = load(a.hmd.as_ref(), a.data.as_ref())?;
    let other_data = a.vs_hmd.is_some() || a.vs_data.is_some();
    let vs = if other_data {
        Some(load(a.vs_hmd.as_ref(), a.vs_data.as_ref())?)
    } else {
        None
    };
    let vs_sex = second_sex(a.sex.into(), a.vs_sex.map(Into::into), !other_data && vs_year == year);
    let read = |p: &PathBuf| CauseDeaths::read_csv(p, a.group_column.as_deref()).map_err(CliError::input);
    let causes = match &a.causes {
        Some(p) => Some(read(p)?),
        None => in_file_causes,
    };
    // the second table's own cause data, when it has any (else the first's, shared)
    let vs_causes = match (&a.vs_causes, &vs) {
        (Some(p), _) => Some(read(p)?),
        (None, Some((_, c))) => c.clone(),
        (None, None) => None,
    };
    let first = Side {
        data: &data,
        causes: causes.as_ref(),
        year,
        sex: a.sex.into(),
    };
    let second = Side {
        data: vs.as_ref().map_or(&data, |v| &v.0),
        causes: vs_causes.as_ref().or(causes.as_ref()),
        year: vs_year,
        sex: vs_sex,
    };
    if let Some(years) = years {
        let threads = a.table.intervals.threads;
        let mut outcome = run_decompose_years(&first, &second, &years, &opts, threads).map_err(CliError::input)?;
        write_long(&a, &mut outcome)?;
        return emit("lifetable decompose", a.input(), &opts, &outcome, a.format, &a.out);
    }
    let outcome = run_decompose(&first, &second, &opts).map_err(CliError::input)?;
    emit("lifetable decompose", a.input(), &opts, &outcome, a.format, &a.out)
}
