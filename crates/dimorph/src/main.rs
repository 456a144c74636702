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
    Lifetable(cmd::decompose::LifetableCmd),
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

/// The command line with `--name -1e-9` / `--name -inf` rewritten as `--name=-1e-9`, so that a
/// negative number is read as the option's value (clap alone takes `-inf` for a flag) and the
/// option's own range check can say what is wrong with it.
fn joined_negative_values(args: impl Iterator<Item = std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let mut out: Vec<std::ffi::OsString> = Vec::new();
    let mut args = args.peekable();
    while let Some(a) = args.next() {
        let long_opt = a
            .to_str()
            .is_some_and(|s| s.starts_with("--") && s.len() > 2 && !s.contains('='));
        let negative_next = args
            .peek()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('-') && n.len() > 1 && n.parse::<f64>().is_ok());
        match (long_opt, negative_next, args.peek().cloned()) {
            (true, true, Some(next)) => {
                let mut j = a.clone();
                j.push("=");
                j.push(&next);
                out.push(j);
                args.next();
            }
            _ => out.push(a),
        }
    }
    out
}

/// clap's message with the values it echoes (an invalid value, an unknown argument: which may be
/// 10 kB, or hold a line break) clipped to one short line wherever they appear, and any line still
/// longer than [`MAX_LINE`] characters clipped. The values come from the error's context, not from
/// its quotes: a message with an apostrophe ("the GPU's number") stays whole.
fn clipped_clap_message(e: &clap::Error) -> String {
    use clap::error::ContextValue;
    let mut text = e.render().to_string();
    let mut values: Vec<&str> = e
        .context()
        .flat_map(|(_, v)| match v {
            ContextValue::String(s) => vec![s.as_str()],
            ContextValue::Strings(v) => v.iter().map(String::as_str).collect(),
            _ => Vec::new(),
        })
        .collect();
    // the longest first, so that a value holding a shorter one is clipped whole
    values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    for v in values {
        let c = dimorph_core::text::clip(v);
        if !v.is_empty() && c != v {
            text = text.replace(v, &c);
        }
    }
    let mut out: Vec<String> = text.lines().map(|l| dimorph_core::text::clip_to(l, MAX_LINE)).collect();
    if text.ends_with('\n') {
        out.push(String::new());
    }
    out.join("\n")
}

/// Longest line of a command-line error.
const MAX_LINE: usize = 1000;

fn main() -> ExitCode {
    let cli = match Cli::try_parse_from(joined_negative_values(std::env::args_os())) {
        Ok(c) => c,
        Err(e) if e.use_stderr() => {
            eprint!("{}", clipped_clap_message(&e));
            return ExitCode::from(2);
        }
        Err(e) => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
    };
    let result = match cli.command {
        Command::Demo(a) => cmd::demo::run(a),
        Command::Glm(a) => cmd::glm::run(a),
        Command::Refint(a) => cmd::refint::run(a),
        Command::Lifetable(a) => cmd::decompose::dispatch(a),
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
