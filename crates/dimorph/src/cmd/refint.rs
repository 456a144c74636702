//! `dimorph refint`: reference limits — Table 1 of permissible differences, comparison of two or
//! more sets of limits with equivalence limits, estimation from data, and the partitioning
//! decision (Haeckel, Wosniok & Arzideh 2016; reflimR).

use super::{write_file, CliError, CliResult, Format};
use dimorph_refint::equivalence::{compare, compare_several, Limit};
use dimorph_refint::estimate::parametric::Transform;
use dimorph_refint::estimate::Method;
use dimorph_refint::partition::{estimate_one, partition, read_grouped, EstimateOptions, GroupEstimate};
use dimorph_refint::{Assumption, PermissibleOptions};
use dimorph_report::Section;
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
    /// Estimate per group and pooled, compare, and decide whether to partition.
    Partition(PartitionArgs),
}

/// Options of the permissible uncertainty shared by the subcommands.
#[derive(clap::Args, Clone, Copy)]
pub struct PuArgs {
    /// Factor of the equivalence lines: 1.28 (90 %, the paper's) or e.g. 1.64 (95 %).
    #[arg(long, default_value_t = 1.28)]
    pub z: f64,
    /// The procedures' biases differ or are unknown: pu = 1.22·ps_A.
    #[arg(long)]
    pub bias: bool,
    /// Distribution assumed between the limits.
    #[arg(long, value_enum, default_value_t = AssumptionArg::Lognormal)]
    pub assumption: AssumptionArg,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AssumptionArg {
    Lognormal,
    Normal,
}

impl PuArgs {
    fn options(&self) -> Result<PermissibleOptions, CliError> {
        if !(self.z.is_finite() && self.z > 0.0) {
            return Err(CliError::input(format!(
                "--z: must be a positive number, got {}",
                self.z
            )));
        }
        Ok(PermissibleOptions {
            z: self.z,
            bias: self.bias,
            assumption: match self.assumption {
                AssumptionArg::Lognormal => Assumption::LogNormal,
                AssumptionArg::Normal => Assumption::Normal,
            },
        })
    }
}

#[derive(clap::Args)]
pub struct TableArgs {
    /// CSV with columns quantity, unit (optional), rl1, rl2.
    #[arg(long)]
    pub data: PathBuf,
    #[command(flatten)]
    pub pu: PuArgs,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

fn parse_pair(s: &str) -> Result<(f64, f64), String> {
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    if parts.len() != 2 {
        return Err(format!("expected two numbers 'lower,upper', got '{s}'"));
    }
    let num = |t: &str| {
        t.parse::<f64>()
            .map_err(|_| format!("'{t}' is not a number (expected 'lower,upper')"))
    };
    Ok((num(parts[0])?, num(parts[1])?))
}

#[derive(clap::Args)]
pub struct CompareArgs {
    /// Limits of A (established / reference group) as 'lower,upper'; they define pu.
    #[arg(long, value_parser = parse_pair, allow_hyphen_values = true)]
    pub a: (f64, f64),
    /// Limits of B as 'lower,upper'; repeat for several sets (appendix procedure).
    #[arg(long, value_parser = parse_pair, allow_hyphen_values = true, required = true)]
    pub b: Vec<(f64, f64)>,
    #[command(flatten)]
    pub pu: PuArgs,
    /// Write the equivalence-line plot (SVG) here.
    #[arg(long)]
    pub svg: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MethodArg {
    Direct,
    Parametric,
    Robust,
    Reflim,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TransformArg {
    Normal,
    Lognormal,
    Boxcox,
}

/// Estimation options shared by `estimate` and `partition`.
#[derive(clap::Args, Clone)]
pub struct EstArgs {
    /// Data file (CSV, or Parquet by extension).
    #[arg(long)]
    pub data: PathBuf,
    /// Column holding the values.
    #[arg(long)]
    pub value: String,
    /// Method: direct (nonparametric), parametric, robust, or reflim (indirect, routine data).
    #[arg(long, value_enum, default_value_t = MethodArg::Reflim)]
    pub method: MethodArg,
    /// Scale of the parametric method.
    #[arg(long, value_enum, default_value_t = TransformArg::Normal)]
    pub transform: TransformArg,
    /// Seed of the bootstrap intervals.
    #[arg(long, default_value_t = 20160420)]
    pub seed: u64,
    #[command(flatten)]
    pub pu: PuArgs,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

impl EstArgs {
    fn options(&self) -> Result<EstimateOptions, CliError> {
        Ok(EstimateOptions {
            method: match self.method {
                MethodArg::Direct => Method::Direct,
                MethodArg::Parametric => Method::Parametric,
                MethodArg::Robust => Method::Robust,
                MethodArg::Reflim => Method::Reflim,
            },
            transform: match self.transform {
                TransformArg::Normal => Transform::Normal,
                TransformArg::Lognormal => Transform::LogNormal,
                TransformArg::Boxcox => Transform::BoxCox,
            },
            permissible: self.pu.options()?,
            seed: self.seed,
            ..Default::default()
        })
    }
}

#[derive(clap::Args)]
pub struct EstimateArgs {
    #[command(flatten)]
    pub est: EstArgs,
    /// Estimate separately for each level of this column.
    #[arg(long)]
    pub by: Option<String>,
    /// Target limits 'lower,upper' to judge the estimates against (reflimR's interpretation;
    /// method reflim only).
    #[arg(long, value_parser = parse_pair)]
    pub targets: Option<(f64, f64)>,
}

#[derive(clap::Args)]
pub struct PartitionArgs {
    #[command(flatten)]
    pub est: EstArgs,
    /// Group column (e.g. Sex).
    #[arg(long)]
    pub by: String,
    /// Folder for the figures (histograms, equivalence lines).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(a: Args) -> CliResult {
    match a.command {
        Sub::Table(t) => table(t),
        Sub::Compare(c) => compare_cmd(c),
        Sub::Estimate(e) => estimate(e),
        Sub::Partition(p) => partition_cmd(p),
    }
}

fn print_json<T: serde::Serialize>(v: &T) -> CliResult {
    let s = serde_json::to_string_pretty(v).map_err(CliError::other)?;
    println!("{s}");
    Ok(())
}

fn table(a: TableArgs) -> CliResult {
    let frame = dimorph_data::read_table(&a.data).map_err(CliError::input)?;
    let rows = dimorph_refint::table::table1_from_frame(&frame, a.pu.options()?).map_err(CliError::input)?;
    match a.format {
        Format::Json => print_json(&rows),
        Format::Text | Format::Csv => {
            print!("{}", dimorph_refint::table::render(&rows).to_text());
            Ok(())
        }
    }
}

fn compare_cmd(a: CompareArgs) -> CliResult {
    let o = a.pu.options()?;
    if a.b.len() == 1 {
        let c = compare(a.a, a.b[0], o).map_err(CliError::input)?;
        if let Some(path) = &a.svg {
            write_file(
                path,
                &dimorph_refint::figures::equivalence_plot("Equivalence lines", "A", "B", c.a, c.b, &c.permissible),
            )?;
        }
        return match a.format {
            Format::Json => print_json(&c),
            Format::Text | Format::Csv => {
                print!("{}", dimorph_refint::report::comparison_section(&c).to_text());
                Ok(())
            }
        };
    }
    let mut sets = vec![("A".to_string(), a.a)];
    for (i, b) in a.b.iter().enumerate() {
        sets.push((format!("B{}", i + 1), *b));
    }
    let res: Vec<_> = [Limit::Lower, Limit::Upper]
        .iter()
        .map(|&l| compare_several(&sets, 0, l, o))
        .collect::<Result<_, _>>()
        .map_err(CliError::input)?;
    match a.format {
        Format::Json => print_json(&res),
        Format::Text | Format::Csv => {
            for r in &res {
                println!("{} limit:", r.limit.name());
                for s in &r.steps {
                    println!(
                        "  sets {}: spread {:.4} vs pD {:.4}{}",
                        s.kept.join(", "),
                        s.spread,
                        s.pd,
                        s.excluded
                            .as_ref()
                            .map(|e| format!(" -> exclude {e}"))
                            .unwrap_or_else(|| " -> common limit".into())
                    );
                }
            }
            Ok(())
        }
    }
}

#[derive(serde::Serialize)]
struct EstimateOutput {
    value: String,
    by: Option<String>,
    skipped: Vec<String>,
    groups: Vec<GroupEstimate>,
}

fn estimate(a: EstimateArgs) -> CliResult {
    let o = a.est.options()?;
    if a.targets.is_some() && o.method != Method::Reflim {
        return Err(CliError::input(
            "--targets: the interpretation against targets is given with --method reflim only",
        ));
    }
    let frame = dimorph_data::read_table(&a.est.data).map_err(CliError::input)?;
    let positive = o.method == Method::Reflim || (o.method == Method::Parametric && o.transform != Transform::Normal);
    let g = read_grouped(&frame, &a.est.value, a.by.as_deref(), positive, "this method").map_err(CliError::input)?;
    let mut groups = Vec::new();
    for (level, x) in &g.groups {
        let what = match &a.by {
            Some(b) => format!("{}: {} where {b} = '{level}'", frame.source, a.est.value),
            None => format!("{}: {}", frame.source, a.est.value),
        };
        groups.push(estimate_one(&what, level, x, a.targets, &o).map_err(CliError::input)?);
    }
    let out = EstimateOutput {
        value: a.est.value.clone(),
        by: a.by.clone(),
        skipped: g.skipped.clone(),
        groups,
    };
    match a.est.format {
        Format::Json => print_json(&out),
        Format::Text | Format::Csv => {
            let rows: Vec<(String, &dimorph_refint::estimate::Limits)> = out
                .groups
                .iter()
                .map(|e| {
                    (
                        if e.group.is_empty() {
                            "all".to_string()
                        } else {
                            format!("{} = {}", a.by.as_deref().unwrap_or(""), e.group)
                        },
                        &e.limits,
                    )
                })
                .collect();
            let mut t = dimorph_refint::report::limits_table(&format!("Reference limits of {}", out.value), &rows);
            for s in &out.skipped {
                t.note(format!("skipped: {s}"));
            }
            for e in &out.groups {
                if let Some(i) = e.reflim.as_ref().and_then(|r| r.interpretation.as_ref()) {
                    t.note(format!(
                        "{}: against targets {} - {}: lower limit {}, upper limit {}",
                        if e.group.is_empty() { "all" } else { &e.group },
                        i.targets.0,
                        i.targets.1,
                        i.lower.text(),
                        i.upper.text()
                    ));
                }
                if let Some(r) = &e.reflim {
                    for rm in &r.remarks {
                        t.note(format!("{}: {rm}", if e.group.is_empty() { "all" } else { &e.group }));
                    }
                }
            }
            print!("{}", t.to_text());
            Ok(())
        }
    }
}

fn partition_cmd(a: PartitionArgs) -> CliResult {
    let o = a.est.options()?;
    let frame = dimorph_data::read_table(&a.est.data).map_err(CliError::input)?;
    let r = partition(&frame, &a.est.value, &a.by, &o).map_err(CliError::input)?;
    let mut written = Vec::new();
    if let Some(dir) = &a.out {
        let (hist, eq) = dimorph_refint::demo::partition_figures(&r, &frame).map_err(CliError::input)?;
        let stem = format!("{}_by_{}", r.value, r.by);
        let h = dir.join(format!("{stem}_histograms.svg"));
        write_file(&h, &hist)?;
        written.push(h);
        if let Some(eq) = eq {
            let e = dir.join(format!("{stem}_equivalence.svg"));
            write_file(&e, &eq)?;
            written.push(e);
        }
    }
    match a.est.format {
        Format::Json => print_json(&r),
        Format::Text | Format::Csv => {
            let s: Section = dimorph_refint::report::partition_section(&r);
            print!("{}", s.to_text());
            for w in written {
                println!("wrote {}", w.display());
            }
            Ok(())
        }
    }
}
