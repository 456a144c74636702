//! The `dimorph` binary: argument parsing and wiring only. Every number is computed by an
//! engine crate; this file turns arguments into engine calls and engine results into output.

mod bundled;
mod cmd;
mod error;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "dimorph",
    version,
    about = "Find, measure and explain differences between groups of people in health data",
    after_help = "Every command: --format text|json|csv, --out DIR for its files (--force to replace them); \
exit code 2 for bad input, naming the file, line, column or argument.

Examples:
  dimorph demo
  dimorph glm --data data/crabs.csv 'satell ~ width' --family poisson
  dimorph lifetable --hmd data/hmd/USA --year 2010 --sex female --format csv"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run every engine on the bundled data: print each section and write report/index.html.
    Demo(cmd::demo::Args),
    /// Fit a generalized linear model (binomial, Poisson, Gamma, negative binomial, ...).
    Glm(cmd::glm::Args),
    /// Reference limits: permissible differences, equivalence limits, estimation, partitioning.
    Refint(cmd::refint::Args),
    /// Period life table (HMD Methods Protocol v6) with lifespan variation.
    Lifetable(cmd::lifetable::Args),
    /// Life lost and lifesaving by cause of death (Riffe & Sole Auro 2015): Table 2, matrices, figures.
    Lifelost(cmd::lifetable::LostArgs),
    /// t-SNE of feature vectors with heavy-tailed kernels (FIt-SNE): coordinates, scatter, clusters.
    Embed(cmd::embed::Args),
    /// BagNet image classification with patch-evidence maps (Ilanchezian et al. 2021).
    #[cfg(feature = "bagnet")]
    Bagnet(cmd::bagnet::Args),
    /// BagNet image classification (not in this build: it was built with --no-default-features).
    #[cfg(not(feature = "bagnet"))]
    Bagnet(cmd::NoBagnetArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Demo(a) => cmd::demo::run(a),
        Command::Glm(a) => cmd::glm::run(a),
        Command::Refint(a) => cmd::refint::run(a),
        Command::Lifetable(a) => cmd::lifetable::run(a),
        Command::Lifelost(a) => cmd::lifetable::run_lost(a),
        Command::Embed(a) => cmd::embed::run(a),
        #[cfg(feature = "bagnet")]
        Command::Bagnet(a) => cmd::bagnet::run(a),
        #[cfg(not(feature = "bagnet"))]
        Command::Bagnet(_) => Err(cmd::CliError::input(cmd::NO_BAGNET)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", e.msg);
            ExitCode::from(e.code)
        }
    }
}
