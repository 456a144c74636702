//! `dimorph lifetable decompose`: the difference between two life tables split by age (Arriaga),
//! by age and cause, and by the continuous-change method of Horiuchi, Wilmoth & Pletcher (2008).
//! Also the dispatch of `dimorph lifetable` between the plain table and its subcommands.

use super::lifetable::Args as TableCmdArgs;
use super::{CliError, CliResult};

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

/// Arguments of `dimorph lifetable decompose`.
#[derive(clap::Args)]
pub struct Args {
    /// HMD country folder holding *.Deaths_1x1.txt and *.Exposures_1x1.txt.
    #[arg(long, value_name = "DIR")]
    pub hmd: std::path::PathBuf,
    /// Year of the tables.
    #[arg(long, allow_negative_numbers = true)]
    pub year: i32,
}

/// Runs `dimorph lifetable`: the subcommand when one is given, else the plain table.
pub fn dispatch(a: LifetableCmd) -> CliResult {
    match a {
        LifetableCmd::Sub(LifetableSub::Decompose(d)) => run(d),
        LifetableCmd::Table(t) => super::lifetable::run(t),
    }
}

/// Runs `dimorph lifetable decompose`.
pub fn run(_a: Args) -> CliResult {
    Err(CliError::input("lifetable decompose: being built in this session"))
}
