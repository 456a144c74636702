//! `dimorph demo`: every engine's analyses of the bundled data. The terminal gets progress and a
//! short summary per engine; the HTML report (`<out>/index.html`) gets every table and figure.

use super::{CliError, CliResult, Format};
use dimorph_report::{Outcome, Report, Section};
use serde_json::{json, Value};
use std::fmt::Display;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The first line of every report the demo writes; a file that starts this way is the demo's own
/// and is replaced without `--force`.
const MARK: &str = "<!-- written by dimorph demo -->";

#[derive(clap::Args)]
#[command(after_help = "Examples:
  dimorph demo
  dimorph demo --out /tmp/dimorph-report --quiet
  dimorph demo --only glm,refint
  dimorph demo --format json > demo.json")]
pub struct Args {
    /// Folder holding the bundled data sets (default: ./data in a checkout, else the copy built into the binary).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Folder for the HTML report (index.html); a report the demo wrote before is replaced.
    #[arg(long, value_name = "DIR", default_value = "report")]
    pub out: PathBuf,
    /// Replace an index.html in --out that the demo did not write.
    #[arg(long)]
    pub force: bool,
    /// No progress lines on standard error.
    #[arg(long)]
    pub quiet: bool,
    /// text: progress and a summary per engine; json: the envelope with each engine's result.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Run only these engines (comma-separated; default: every engine this build has). The report
    /// and the JSON result then hold only their sections.
    #[arg(long, value_enum, value_delimiter = ',', value_name = "ENGINES")]
    pub only: Vec<Engine>,
}

/// The engines the demo runs, in the report's order.
#[derive(Clone, Copy, PartialEq, Eq, Debug, clap::ValueEnum)]
pub enum Engine {
    /// Generalised linear models (the snoring and crab models, SAS and R output)
    Glm,
    /// Reference limits (reflimR's method, equivalence limits, partitioning)
    Refint,
    /// Life tables and life lost by cause (HMD)
    Lifetable,
    /// Heavy-tailed t-SNE
    Embed,
    /// BagNet evidence maps (needs the default build)
    Bagnet,
}

/// What one engine's demo gave: its summary lines, report sections and result.
struct Part {
    name: &'static str,
    summary: Vec<String>,
    sections: Vec<Section>,
    result: Value,
    warnings: Vec<String>,
}

fn part<R: serde::Serialize, E: Display>(name: &'static str, r: Result<Outcome<R>, E>) -> Result<Part, CliError> {
    let o = r.map_err(|e| CliError::input(format!("demo, {name}: {e}")))?;
    Ok(Part {
        name,
        result: serde_json::to_value(&o.result).unwrap_or(Value::Null),
        summary: o.summary,
        sections: o.sections,
        warnings: o.warnings,
    })
}

type Step = (Engine, &'static str, fn(&Path) -> Result<Part, CliError>);

fn steps() -> Vec<Step> {
    #[cfg_attr(not(feature = "bagnet"), allow(unused_mut))]
    let mut s: Vec<Step> = vec![
        (Engine::Glm, "GLM", |d| part("GLM", dimorph_glm::demo::run(d))),
        (Engine::Refint, "Reference limits", |d| {
            part("Reference limits", dimorph_refint::demo::run(d))
        }),
        (Engine::Lifetable, "Life tables", |d| {
            part("Life tables", dimorph_lifetable::demo::run(d))
        }),
        (Engine::Embed, "Embedding", |d| {
            part("Embedding", dimorph_embed::demo::run(d))
        }),
    ];
    #[cfg(feature = "bagnet")]
    s.push((Engine::Bagnet, "BagNet", |d| {
        part("BagNet", dimorph_bagnet::demo::run(d))
    }));
    s
}

/// The steps `--only` keeps (all when it is empty); `--only bagnet` in a build without BagNet is
/// refused rather than giving an empty report.
fn chosen(only: &[Engine]) -> Result<Vec<Step>, CliError> {
    if cfg!(not(feature = "bagnet")) && only.contains(&Engine::Bagnet) {
        return Err(CliError::input(format!("--only bagnet: {}", super::NO_BAGNET)));
    }
    Ok(steps()
        .into_iter()
        .filter(|(e, _, _)| only.is_empty() || only.contains(e))
        .collect())
}

/// Replaces the report only when it is the demo's own or `--force` was given.
fn check_target(path: &Path, force: bool) -> CliResult {
    if force || !path.exists() {
        return Ok(());
    }
    let ours = std::fs::read_to_string(path).is_ok_and(|s| s.lines().nth(1) == Some(MARK));
    if ours {
        Ok(())
    } else {
        Err(CliError::input(format!(
            "{} already exists and was not written by dimorph demo; pass --force to replace it",
            path.display()
        )))
    }
}

pub fn run(a: Args) -> CliResult {
    if a.format == Format::Csv {
        return Err(CliError::input(
            "--format csv: the demo has no single table; use --format text or json (the tables are in the report)",
        ));
    }
    let data = crate::bundled::data_dir(a.data_dir.as_deref())?;
    let target = a.out.join("index.html");
    check_target(&target, a.force)?;
    let steps = chosen(&a.only)?;
    let bagnet_skipped = cfg!(not(feature = "bagnet")) && a.only.is_empty();
    let n = steps.len() + usize::from(bagnet_skipped);
    let mut parts = Vec::new();
    for (i, (_, name, f)) in steps.iter().enumerate() {
        let t0 = Instant::now();
        if !a.quiet {
            eprint!("[{}/{n}] {name} ...", i + 1);
            let _ = std::io::stderr().flush();
        }
        let p = f(&data)?;
        if !a.quiet {
            eprintln!(" done in {:.1} s", t0.elapsed().as_secs_f64());
        }
        parts.push(p);
    }
    let mut report = Report::new("dimorph demo");
    for p in &parts {
        for s in &p.sections {
            report.push(s.clone());
        }
    }
    let mut skipped = Vec::new();
    if bagnet_skipped {
        skipped.push(format!("BagNet: skipped — {}", super::NO_BAGNET));
        let mut s = Section::new("BagNet");
        s.text(super::NO_BAGNET);
        report.push(s);
    }
    let html = report.to_html();
    let html = match html.split_once('\n') {
        Some((first, rest)) => format!("{first}\n{MARK}\n{rest}"),
        None => format!("{html}\n{MARK}\n"),
    };
    dimorph_core::output::write_atomic(&target, html.as_bytes(), dimorph_core::Overwrite::Replace)?;
    print_outcome(&a, &data, &parts, &skipped, &target)
}

fn print_outcome(a: &Args, data: &Path, parts: &[Part], skipped: &[String], target: &Path) -> CliResult {
    let warnings: Vec<String> = parts
        .iter()
        .flat_map(|p| p.warnings.iter().map(move |w| format!("{}: {w}", p.name)))
        .collect();
    match a.format {
        Format::Json => {
            let mut result = serde_json::Map::new();
            for p in parts {
                result.insert(p.name.to_string(), p.result.clone());
            }
            let v = dimorph_report::envelope(
                "demo",
                env!("CARGO_PKG_VERSION"),
                json!({ "data_dir": data.display().to_string() }),
                &json!({
                    "out": a.out.display().to_string(),
                    "bagnet": cfg!(feature = "bagnet"),
                    "only": a
                        .only
                        .iter()
                        .filter_map(|e| clap::ValueEnum::to_possible_value(e).map(|v| v.get_name().to_string()))
                        .collect::<Vec<_>>(),
                }),
                &result,
                &warnings,
                &[target.display().to_string()],
            );
            println!("{}", serde_json::to_string_pretty(&v).map_err(CliError::other)?);
        }
        Format::Text | Format::Csv => {
            let mut out = String::new();
            for p in parts {
                out.push_str(&format!("== {} ==\n", p.name));
                if p.summary.is_empty() {
                    for s in &p.sections {
                        out.push_str(&s.to_text());
                    }
                } else {
                    for l in &p.summary {
                        out.push_str(&format!("  {l}\n"));
                    }
                }
                out.push('\n');
            }
            for s in skipped {
                out.push_str(&format!("== BagNet ==\n  {s}\n\n"));
            }
            out.push_str(&format!("Every table and figure: {}\n", target.display()));
            print!("{out}");
            for w in &warnings {
                eprintln!("warning: {w}");
            }
        }
    }
    Ok(())
}
