//! `dimorph glm`: fit a generalized linear model and print R's and SAS's output, or JSON.

use super::{write_file, CliError, CliResult, Format};
use dimorph_glm::residuals::{predict, residuals};
use dimorph_glm::{analyze, model_frame, AnalysisOptions, Dispersion, Family, GlmOptions, Link};
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Data file (CSV, or Parquet by extension .parquet).
    #[arg(long)]
    pub data: PathBuf,
    /// Model formula, e.g. 'disease/total ~ snoring' or 'y ~ C(group, ref=a) + x + offset(log(t))'.
    pub formula: String,
    /// binomial, poisson, gaussian, gamma, inverse-gaussian, negbin, quasibinomial, quasipoisson.
    /// Default: binomial for an events/trials response, else gaussian (as R).
    #[arg(long)]
    pub family: Option<String>,
    /// identity, log, logit, probit, cloglog, loglog, inverse, inverse-square, sqrt, power(λ).
    /// Default: the family's canonical link (log for negbin).
    #[arg(long)]
    pub link: Option<String>,
    /// Column of prior weights.
    #[arg(long)]
    pub weights: Option<String>,
    /// Column of frequency weights (each row counts that many times: df = Σf − p).
    #[arg(long, conflicts_with = "weights")]
    pub freq: Option<String>,
    /// Fix θ of the negative binomial instead of estimating it.
    #[arg(long)]
    pub theta: Option<f64>,
    /// Dispersion: default (family's), fixed (1), pearson (χ²/df) or deviance (D/df).
    #[arg(long, default_value = "default")]
    pub dispersion: String,
    /// Confidence level of the intervals.
    #[arg(long, default_value_t = 0.95)]
    pub level: f64,
    /// Skip the profile-likelihood intervals.
    #[arg(long)]
    pub no_profile: bool,
    /// Bin width for PROC LOGISTIC's association statistics (0 = exact probabilities).
    #[arg(long, default_value_t = 0.002)]
    pub binwidth: f64,
    /// Convergence tolerance on |ΔD|/(|D| + 0.1).
    #[arg(long, default_value_t = 1e-8)]
    pub tol: f64,
    /// Maximum IRLS iterations.
    #[arg(long, default_value_t = 25)]
    pub max_iter: usize,
    /// Starting coefficients, comma-separated, one per column of X.
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    pub start: Option<Vec<f64>>,
    /// Treat an aliased (linearly dependent) column as an error, as R's singular.ok = FALSE.
    #[arg(long)]
    pub no_singular: bool,
    /// Write residuals, leverages and Cook's distances of every used row to this CSV.
    #[arg(long)]
    pub residuals: Option<PathBuf>,
    /// Predict for the rows of this file (CSV/Parquet with the predictor columns).
    #[arg(long)]
    pub predict: Option<PathBuf>,
    /// Write the predictions as CSV here (default: print them).
    #[arg(long, requires = "predict")]
    pub predict_out: Option<PathBuf>,
    /// Threads for the passes over the data (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

fn parse_options(a: &Args, events_trials: bool) -> Result<GlmOptions, CliError> {
    let family = match &a.family {
        Some(f) => Family::parse(f).ok_or_else(|| {
            CliError::input(format!(
                "--family '{f}' is not known; use binomial, poisson, gaussian, gamma, inverse-gaussian, negbin, quasibinomial or quasipoisson"
            ))
        })?,
        None if events_trials => Family::Binomial,
        None => Family::Gaussian,
    };
    let link = match &a.link {
        Some(l) => Some(Link::parse(l).ok_or_else(|| {
            CliError::input(format!(
                "--link '{l}' is not known; use identity, log, logit, probit, cloglog, loglog, inverse, inverse-square, sqrt or power(λ)"
            ))
        })?),
        None => None,
    };
    let (family, estimate_theta) = match (family, a.theta) {
        (Family::NegBin { .. }, Some(t)) if t > 0.0 && t.is_finite() => (Family::NegBin { theta: t }, false),
        (Family::NegBin { .. }, Some(t)) => return Err(CliError::input(format!("--theta must be positive, got {t}"))),
        (f, Some(_)) => {
            return Err(CliError::input(format!(
                "--theta applies to --family negbin, not {}",
                f.name()
            )))
        }
        (f, None) => (f, matches!(f, Family::NegBin { .. })),
    };
    let dispersion = match a.dispersion.to_ascii_lowercase().as_str() {
        "default" => Dispersion::Default,
        "fixed" | "1" | "none" => Dispersion::Fixed,
        "pearson" => Dispersion::Pearson,
        "deviance" => Dispersion::Deviance,
        d => {
            return Err(CliError::input(format!(
                "--dispersion '{d}' is not one of default, fixed, pearson, deviance"
            )))
        }
    };
    if !(a.level > 0.0 && a.level < 1.0) {
        return Err(CliError::input(format!(
            "--level must be between 0 and 1, got {}",
            a.level
        )));
    }
    if a.tol.is_nan() || a.tol <= 0.0 {
        return Err(CliError::input(format!("--tol must be positive, got {}", a.tol)));
    }
    if a.max_iter == 0 {
        return Err(CliError::input("--max-iter must be at least 1"));
    }
    let mut o = GlmOptions::new(family, link);
    o.estimate_theta = estimate_theta;
    o.dispersion = dispersion;
    o.frequency_weights = a.freq.is_some();
    o.tol = a.tol;
    o.max_iter = a.max_iter;
    o.singular_ok = !a.no_singular;
    o.start = a.start.clone();
    if let Some(t) = a.threads {
        o.threads = t.max(1);
    }
    Ok(o)
}

fn f(x: f64) -> String {
    if x.is_nan() {
        "NA".into()
    } else {
        format!("{x}")
    }
}

pub fn run(a: Args) -> CliResult {
    let frame = dimorph_data::read_table(&a.data).map_err(CliError::input)?;
    let weights_col = a.weights.as_deref().or(a.freq.as_deref());
    let mf = model_frame(&a.formula, &frame, weights_col).map_err(CliError::input)?;
    let opts = parse_options(&a, mf.trials.is_some())?;
    let aopts = AnalysisOptions {
        level: a.level,
        profile: !a.no_profile,
        binwidth: a.binwidth.max(0.0),
    };
    let report = analyze(&mf, &a.formula, &opts, &aopts).map_err(CliError::input)?;

    if let Some(path) = &a.residuals {
        let mut s = String::from(
            "line,y,fitted,eta,response,pearson,deviance,working,leverage,std_deviance,std_pearson,cooks_distance\n",
        );
        for r in residuals(&mf, &report.fit) {
            let _ = writeln!(
                s,
                "{},{},{},{},{},{},{},{},{},{},{},{}",
                r.line,
                f(r.y),
                f(r.fitted),
                f(r.eta),
                f(r.response),
                f(r.pearson),
                f(r.deviance),
                f(r.working),
                f(r.leverage),
                f(r.std_deviance),
                f(r.std_pearson),
                f(r.cooks_distance)
            );
        }
        write_file(path, &s)?;
    }

    let mut predictions = None;
    if let Some(path) = &a.predict {
        let newf = dimorph_data::read_table(path).map_err(CliError::input)?;
        let nd = mf.spec.design_for(&newf).map_err(CliError::input)?;
        if nd.n_dropped > 0 {
            eprintln!(
                "{}: {} of {} rows skipped for missing predictor values",
                path.display(),
                nd.n_dropped,
                nd.n_read
            );
        }
        predictions = Some(predict(&report.fit, &nd.x, nd.offset.as_deref(), &nd.lines, a.level));
    }
    let pred_csv = |p: &[dimorph_glm::residuals::Prediction]| {
        let mut s = String::from("line,eta,se_eta,eta_lower,eta_upper,fitted,se_fitted,fitted_lower,fitted_upper\n");
        for r in p {
            let _ = writeln!(
                s,
                "{},{},{},{},{},{},{},{},{}",
                r.line,
                f(r.eta),
                f(r.se_eta),
                f(r.eta_ci[0]),
                f(r.eta_ci[1]),
                f(r.fitted),
                f(r.se_fitted),
                f(r.fitted_ci[0]),
                f(r.fitted_ci[1])
            );
        }
        s
    };
    if let (Some(p), Some(out)) = (&predictions, &a.predict_out) {
        write_file(out, &pred_csv(p))?;
    }

    match a.format {
        Format::Json => {
            let mut v = serde_json::to_value(&report).map_err(CliError::other)?;
            if let (Some(p), serde_json::Value::Object(m)) = (&predictions, &mut v) {
                m.insert("predictions".into(), serde_json::to_value(p).map_err(CliError::other)?);
            }
            println!("{}", serde_json::to_string_pretty(&v).map_err(CliError::other)?);
        }
        Format::Text | Format::Csv => {
            let title = format!(
                "glm: {}  ({}, link = {})",
                a.formula,
                report.fit.family.name(),
                report.fit.link.name()
            );
            print!("{}", report.section(&title).to_text());
            if let (Some(p), None) = (&predictions, &a.predict_out) {
                println!("Predictions ({}% intervals)", a.level * 100.0);
                print!("{}", pred_csv(p));
            }
        }
    }
    for w in &report.fit.warnings {
        eprintln!("warning: {w}");
    }
    Ok(())
}
