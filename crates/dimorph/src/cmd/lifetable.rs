//! `dimorph lifetable` (a period life table) and `dimorph lifelost` (life lost and lifesaving by
//! cause of death, Riffe & Solé Auró 2015).

use super::{write_file, CliError, CliResult, Format};
use dimorph_lifetable::figures::Perspective;
use dimorph_lifetable::report::{self, Matrix};
use dimorph_lifetable::{
    analyse, lifetable, read_data, variation, AxMethod, CauseDeaths, CauseShares, Discretisation, LifeLostOptions,
    LifetableOptions, MortalityData, SavePoint, Sex, Smoothing,
};
use std::path::{Path, PathBuf};

/// Where the deaths and exposures come from.
#[derive(clap::Args)]
pub struct Source {
    /// HMD country folder holding *.Deaths_1x1.txt and *.Exposures_1x1.txt.
    #[arg(long, conflicts_with = "data", required_unless_present = "data")]
    pub hmd: Option<PathBuf>,
    /// Tidy CSV: year, sex, age, deaths, exposure[, open_interval][, cause].
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Year of the period table.
    #[arg(long)]
    pub year: i32,
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
    /// Radix l(0).
    #[arg(long, default_value_t = 100_000.0)]
    pub radix: f64,
}

impl TableArgs {
    fn options(&self) -> Result<LifetableOptions, CliError> {
        if !(self.radix.is_finite() && self.radix > 0.0) {
            return Err(CliError::input(format!("--radix must be positive, got {}", self.radix)));
        }
        Ok(LifetableOptions {
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
        })
    }
}

fn load(s: &Source) -> Result<(MortalityData, Option<CauseDeaths>), CliError> {
    let path = s
        .hmd
        .as_ref()
        .or(s.data.as_ref())
        .ok_or_else(|| CliError::input("give --hmd FOLDER or --data FILE"))?;
    if s.hmd.is_some() && !path.is_dir() {
        return Err(CliError::input(format!("--hmd {}: not a folder", path.display())));
    }
    let (data, causes) = read_data(path).map_err(CliError::input)?;
    for n in &data.notes {
        eprintln!("note: {n}");
    }
    Ok((data, causes))
}

fn parse_sex(s: &str) -> Result<Sex, CliError> {
    Sex::parse(s).ok_or_else(|| CliError::input(format!("--sex '{s}': use female, male or total")))
}

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub source: Source,
    /// female, male or total.
    #[arg(long)]
    pub sex: String,
    #[command(flatten)]
    pub table: TableArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

pub fn run(a: Args) -> CliResult {
    let sex = parse_sex(&a.sex)?;
    let opts = a.table.options()?;
    let (data, _) = load(&a.source)?;
    let t = lifetable(&data, a.source.year, sex, &opts).map_err(CliError::input)?;
    let v = variation(&t);
    for w in &t.warnings {
        eprintln!("warning: {w}");
    }
    match a.format {
        Format::Json => {
            let j = serde_json::json!({ "source": data.source, "label": data.label, "lifetable": t, "variation": v });
            println!("{}", serde_json::to_string_pretty(&j).map_err(CliError::other)?);
        }
        Format::Text | Format::Csv => print!("{}", report::lifetable_section(&t, &v, &data.label).to_text()),
    }
    Ok(())
}

#[derive(clap::Args)]
pub struct LostArgs {
    #[command(flatten)]
    pub source: Source,
    /// Deaths by cause: CSV with year, sex, age, deaths and a cause column.
    #[arg(long)]
    pub causes: Option<PathBuf>,
    /// Cause column of --causes (default: paper_group, else cause, else cause_id).
    #[arg(long)]
    pub group_column: Option<String>,
    /// Analyse only this cause group (besides all causes).
    #[arg(long)]
    pub cause: Option<String>,
    /// female, male or both.
    #[arg(long, default_value = "both")]
    pub sex: String,
    /// How eq. 1-6 are discretised: 'continuous' (exact integrals under the table, default) or
    /// 'paper' (the paper authors' computation: l(x+1) = l(x)exp(-m(x)), end-of-year survivors,
    /// class midpoints).
    #[arg(long, default_value = "continuous")]
    pub discretisation: String,
    /// Where a death is saved inside its age-year: 'mean' (a + a(x), default) or 'exact' (age a);
    /// continuous discretisation only.
    #[arg(long)]
    pub save_at: Option<String>,
    /// How cause shares by age are formed: 'age' (each age's own counts, default) or 'paper'
    /// (abridged log rates interpolated by a cubic spline, as the paper's authors did).
    #[arg(long, default_value = "age")]
    pub cause_shares: String,
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
    /// Folder for the matrices (CSV) and figures (SVG).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

pub fn run_lost(a: LostArgs) -> CliResult {
    let sexes = match a.sex.trim().to_ascii_lowercase().as_str() {
        "both" => vec![Sex::Female, Sex::Male],
        s => vec![parse_sex(s)?],
    };
    let discretisation = match a.discretisation.as_str() {
        "continuous" => Discretisation::Continuous,
        "paper" => Discretisation::Paper,
        s => {
            return Err(CliError::input(format!(
                "--discretisation '{s}': use 'continuous' or 'paper'"
            )))
        }
    };
    let save_point = match (a.save_at.as_deref(), discretisation) {
        (None, _) | (Some("mean"), Discretisation::Continuous) => SavePoint::MeanAgeAtDeath,
        (Some("exact"), Discretisation::Continuous) => SavePoint::ExactAge,
        (Some(s), Discretisation::Continuous) => {
            return Err(CliError::input(format!("--save-at '{s}': use 'mean' or 'exact'")))
        }
        (Some(_), Discretisation::Paper) => {
            return Err(CliError::input(
                "--save-at applies to --discretisation continuous only (the paper's saves deaths at mid-year)",
            ))
        }
    };
    let cause_shares = match a.cause_shares.as_str() {
        "age" => CauseShares::Age,
        "paper" => CauseShares::Paper,
        s => return Err(CliError::input(format!("--cause-shares '{s}': use 'age' or 'paper'"))),
    };
    let opts = LifeLostOptions {
        lifetable: a.table.options()?,
        discretisation,
        save_point,
        cause_shares,
        delete_cause: !a.keep_cause,
        stationary: a.stationary,
    };
    let (data, in_file_causes) = load(&a.source)?;
    let causes = match &a.causes {
        Some(p) => Some(CauseDeaths::read_csv(p, a.group_column.as_deref()).map_err(CliError::input)?),
        None => in_file_causes,
    };
    let an =
        analyse(&data, causes.as_ref(), a.source.year, &sexes, a.cause.as_deref(), &opts).map_err(CliError::input)?;
    for w in &an.warnings {
        eprintln!("warning: {w}");
    }
    // figures: all causes, and the one cause asked for (or every cause group)
    let names: Vec<String> = match &a.cause {
        Some(c) => vec!["All".to_string(), c.clone()],
        None => an.causes(),
    };
    let names: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
    let mut written = Vec::new();
    if let Some(out) = &a.out {
        written = write_outputs(&an, out, &names, a.percent)?;
    }
    match a.format {
        Format::Json => {
            let j = serde_json::json!({
                "year": an.year, "source": an.source, "label": an.label, "options": an.options,
                "table1": an.table1(), "table2": an.table2(), "sexes": an.sexes, "warnings": an.warnings,
                "files": written,
            });
            println!("{}", serde_json::to_string_pretty(&j).map_err(CliError::other)?);
        }
        Format::Text | Format::Csv => {
            let vrows: Vec<_> = an.sexes.iter().map(|r| (r.sex.to_string(), r.variation)).collect();
            println!("{}", report::variation_table(&vrows).to_text());
            if let Some(t) = report::table1(&an, false) {
                println!("{}", t.to_text());
            }
            println!("{}", report::table2(&an, false).to_text());
            if let Some(out) = &a.out {
                println!("wrote {} files to {}", written.len(), out.display());
            }
        }
    }
    Ok(())
}

fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

fn write_outputs(
    an: &dimorph_lifetable::Analysis,
    out: &Path,
    causes: &[&str],
    percent: bool,
) -> Result<Vec<String>, CliError> {
    let mut files = Vec::new();
    let mut put = |name: String, body: String| -> CliResult {
        let p = out.join(&name);
        write_file(&p, &body)?;
        files.push(p.display().to_string());
        Ok(())
    };
    let all: Vec<_> = an.sexes.iter().flat_map(|s| s.results.iter()).collect();
    put("lifelost_by_age.csv".into(), report::vectors_csv(&all))?;
    for r in &all {
        let base = format!("{}_{}", r.sex, slug(&r.cause));
        put(
            format!("{base}_deaths_age_by_years_left.csv"),
            report::matrix_csv(r, Matrix::DeathsByAgeYearsLeft),
        )?;
        put(
            format!("{base}_f_years_left_given_age.csv"),
            report::matrix_csv(r, Matrix::RemainingLifespan),
        )?;
        put(
            format!("{base}_years_won_age_by_age_lived.csv"),
            report::matrix_csv(r, Matrix::YearsWonByAgeLived),
        )?;
    }
    for c in causes {
        for p in Perspective::ALL {
            put(
                format!("{}_{}.svg", slug(c), p.slug()),
                report::figure(an, p, c, percent),
            )?;
        }
    }
    Ok(files)
}
