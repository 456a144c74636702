//! `dimorph glm`: a generalized linear model with R's and SAS's output — flags → options, the
//! engine's run, `emit`.

use super::{emit, CliError, CliResult, Format, OutArgs};
use dimorph_glm::options::{MAX_ITER_LIMIT, MAX_THREADS};
use dimorph_glm::{Dispersion, Link, RunOptions};
use serde_json::json;
use std::path::PathBuf;

mod categorical;

const EXAMPLES: &str = "Examples:
  dimorph glm --data data/snoring.csv 'disease/total ~ snoring' --link identity
  dimorph glm --data data/crabs.csv 'satell ~ width' --family negbin --residuals --out glm-out
  dimorph glm --data data/insurance.csv 'claims ~ C(group) + C(age) + offset(log(holders))' --family poisson --cluster district --format csv
  dimorph glm --data data/crabs.csv 'weight ~ width' --family tweedie(1.5)
  dimorph glm --data data/housing.csv 'Sat ~ Infl + Type + Cont' --family ordinal --freq Freq
  dimorph glm --data data/housing.csv 'Sat ~ Infl + Type + Cont' --family multinomial --ref Low --freq Freq

Comparing nested models (R's anova(m1, m2, ...)): the word anova, then two or more formulas:
  dimorph glm anova --data data/crabs.csv 'satell ~ width' 'satell ~ width + weight' 'satell ~ width + weight + C(color)' --family poisson
  dimorph glm anova --data data/crabs.csv 'weight ~ width' 'weight ~ width + C(color)' --family gamma --link log --format csv";

/// The help of --link, with the engine's table of the links each family accepts.
fn link_help() -> String {
    let mut s = String::from(
        "identity, log, logit, probit, cloglog, loglog, inverse, inverse-square, sqrt or power(λ). \
         Default: the family's canonical link (log for negbin). Each family accepts (as R's family objects):",
    );
    for line in dimorph_glm::family::link_table() {
        s.push_str("\n  ");
        s.push_str(&line);
    }
    s
}

/// How the dispersion φ is obtained.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum DispersionArg {
    /// The family's: 1 for binomial, Poisson and negative binomial, Pearson χ²/df else.
    Default,
    /// φ = 1.
    #[value(alias = "1", alias = "none")]
    Fixed,
    /// φ = Pearson χ² / df (R's summary.glm, SAS SCALE=PEARSON).
    Pearson,
    /// φ = deviance / df (SAS SCALE=DEVIANCE).
    Deviance,
}

impl From<DispersionArg> for Dispersion {
    fn from(d: DispersionArg) -> Self {
        match d {
            DispersionArg::Default => Dispersion::Default,
            DispersionArg::Fixed => Dispersion::Fixed,
            DispersionArg::Pearson => Dispersion::Pearson,
            DispersionArg::Deviance => Dispersion::Deviance,
        }
    }
}

#[derive(clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Data file (CSV, or Parquet by extension .parquet).
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// Model formula, e.g. 'disease/total ~ snoring' or 'y ~ C(group, ref=a) + x + offset(log(t))'.
    /// Terms: + - : * / ^ %in%, I(expr) with arithmetic and comparisons (I(x > 0)), log exp sqrt
    /// abs log2 log10, C(col), C(col, ref=LEVEL), C(col, Sum|Helmert|SAS), poly(x, d) (raw =
    /// TRUE for powers), scale(x), ns(x, df) and bs(x, df) with R's knots (knots=, Boundary.knots=,
    /// degree=, intercept=), offset(expr); as R's model.matrix.
    pub formula: String,
    /// After `anova`: the further formulas of the models to compare, in order (two or more in
    /// all, each nested in the next or the next in it).
    #[arg(value_name = "FORMULA")]
    pub more_formulas: Vec<String>,
    /// binomial, poisson, gaussian, gamma, inverse-gaussian, negbin, quasibinomial, quasipoisson
    /// or tweedie(p) (V(μ) = μ^p, p = 0 or p ≥ 1, log link by default, as statmod::tweedie).
    /// Default: binomial for an events/trials response, else gaussian (as R). For a response of
    /// levels: ordinal (cumulative link, MASS::polr / PROC LOGISTIC) or multinomial
    /// (baseline-category logit, nnet::multinom / LINK=GLOGIT); see --help.
    #[arg(long, long_help = family_help())]
    pub family: Option<categorical::FamilyArg>,
    /// identity, log, logit, probit, cloglog, loglog, inverse, inverse-square, sqrt or power(λ).
    /// Default: the family's canonical link (log for negbin). Each family accepts only some
    /// (see --help).
    #[arg(long, long_help = link_help())]
    pub link: Option<Link>,
    /// Column of prior weights.
    #[arg(long, value_name = "COLUMN")]
    pub weights: Option<String>,
    /// Column of frequency weights (each row counts that many times: df = Σf − p). Residuals and
    /// leverages stay per row, as R's glm(weights = f): √f times one observation's Pearson and
    /// deviance residual, f times its leverage (Stata and statsmodels report per observation).
    #[arg(long, value_name = "COLUMN", conflicts_with = "weights")]
    pub freq: Option<String>,
    /// Fix θ of the negative binomial (--family negbin) instead of estimating it; between 1e-6
    /// and 1e6 (beyond, the model is the Poisson one).
    #[arg(long, allow_negative_numbers = true)]
    pub theta: Option<f64>,
    /// How the dispersion is obtained.
    #[arg(long, value_enum, default_value_t = DispersionArg::Default)]
    pub dispersion: DispersionArg,
    /// Confidence level of the intervals, between 0 and 1.
    #[arg(long, default_value_t = 0.95, allow_negative_numbers = true)]
    pub level: f64,
    /// Compute the profile-likelihood intervals whatever the size of the data (by default they
    /// are computed up to 500,000 cells, used rows × columns of X, and up to 2e8 rows × columns³,
    /// and the output says when they were left out). With --stream: by refits over the row groups, hundreds of passes over the
    /// file (not computed without --profile).
    #[arg(long, conflicts_with = "no_profile")]
    pub profile: bool,
    /// Skip the profile-likelihood intervals (the coefficients table then gives Wald intervals).
    #[arg(long)]
    pub no_profile: bool,
    /// Compute the Type 3 likelihood-ratio tests (one refit per term) whatever the size of the
    /// data (by default up to 2,000,000 cells; the Wald tests are always given).
    #[arg(long, conflicts_with = "no_type3")]
    pub type3: bool,
    /// Skip the Type 3 likelihood-ratio tests (the Type 3 table then gives the Wald tests).
    #[arg(long)]
    pub no_type3: bool,
    /// No progress lines on standard error (by default a line per step of a run that takes more
    /// than a few seconds).
    #[arg(long)]
    pub quiet: bool,
    /// Stream a Parquet --data file row group by row group through the IRLS passes: memory holds
    /// one row group, whatever the number of rows (for files larger than memory). Coefficients,
    /// Wald tests and intervals, the fit statistics, a binomial fit's association table and
    /// Hosmer–Lemeshow test (which keep one entry per distinct predicted probability: the test is
    /// left out, with a warning, above 5,000,000 rows) and, with --profile, profile-likelihood
    /// intervals (no Type 3, residuals, robust SEs, --predict); the same numbers as without it,
    /// θ of the negative binomial estimated as without it (a pass per Newton step) and
    /// --start taken.
    #[arg(long)]
    pub stream: bool,
    /// Bin width for PROC LOGISTIC's association statistics, binomial family only (0 = exact
    /// probabilities, at most 1). Default: 0.002, as SAS.
    #[arg(long, allow_negative_numbers = true)]
    pub binwidth: Option<f64>,
    /// Convergence tolerance on |ΔD|/(|D| + 0.1), positive and below 1.
    #[arg(long, default_value_t = 1e-8, allow_negative_numbers = true)]
    pub tol: f64,
    /// Maximum IRLS iterations, 1 to 10000.
    #[arg(long, default_value_t = 25, allow_negative_numbers = true,
          value_parser = clap::builder::RangedI64ValueParser::<usize>::new().range(1..=MAX_ITER_LIMIT as i64))]
    pub max_iter: usize,
    /// Starting coefficients, comma-separated, one per column of X in their order (R's glm
    /// start; a wrong count is refused with the columns' names).
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    pub start: Option<Vec<f64>>,
    /// Treat an aliased (linearly dependent) column as an error, as R's singular.ok = FALSE.
    #[arg(long)]
    pub no_singular: bool,
    /// Add the residuals table: residuals, leverages and Cook's distances of every used row
    /// (residuals.csv in --out).
    #[arg(long)]
    pub residuals: bool,
    /// Predict for the rows of this file (CSV/Parquet with the predictor columns): the
    /// predictions table (predictions.csv in --out).
    #[arg(long, value_name = "FILE")]
    pub predict: Option<PathBuf>,
    /// Robust (sandwich) standard errors: hc0 (White), hc1 (× n/(n−k), Stata's "robust"), hc2 or
    /// hc3 (leverage-corrected), as R's sandwich::vcovHC; Wald tests are then z tests.
    #[arg(long, value_name = "TYPE")]
    pub robust: Option<dimorph_glm::robust::HcType>,
    /// Cluster-robust standard errors, rows grouped by the values of this column (at least two
    /// clusters), with the small-sample factor G/(G−1)·(n−1)/(n−k) as Stata and R's
    /// sandwich::vcovCL (with --robust hc0: G/(G−1) only).
    #[arg(long, value_name = "COLUMN")]
    pub cluster: Option<String>,
    /// The level of a two-level response (yes/no, F/M, or two numbers) whose probability is
    /// modelled, as PROC LOGISTIC's EVENT=. Default for a text response: its first ordered level
    /// (SAS's default; R's glm models the second); the output says which level is modelled.
    #[arg(long, value_name = "LEVEL", allow_hyphen_values = true)]
    pub event: Option<String>,
    /// Compare the model with this nested model (repeat for more), in the order given, as R's
    /// anova(m1, m2, ...): residual df and deviance of each, likelihood-ratio χ² tests, F tests
    /// when the dispersion is estimated (anova.csv in --out).
    #[arg(long, value_name = "FORMULA")]
    pub anova: Vec<String>,
    /// Firth's penalised likelihood (binomial logit only, as R's logistf and PROC LOGISTIC
    /// FIRTH): finite estimates under separation, standard errors from the penalised
    /// information, profile penalised-likelihood intervals and penalised likelihood-ratio tests
    /// (Wald ones with --no-profile), the global penalised LR test. E.g. dimorph glm --data
    /// crates/dimorph-glm/tests/peers/firth_sex2.csv 'case ~ age + oc + vic + vicl + vis + dia' --firth
    #[arg(long)]
    pub firth: bool,
    /// Threads for the passes over the data, 1 to 1024 (default: all cores).
    #[arg(long, allow_negative_numbers = true,
          value_parser = clap::builder::RangedI64ValueParser::<usize>::new().range(1..=MAX_THREADS as i64))]
    pub threads: Option<usize>,
    /// Generalized estimating equations for clustered or repeated data (R's geepack::geeglm, SAS
    /// GENMOD's REPEATED statement): needs --id; --corstr and --waves set the working
    /// correlation. Reports model-based (naive) and empirical (sandwich) standard errors, z tests
    /// on the empirical ones, the scale and correlation parameters, and QIC/QICu (Pan 2001, as
    /// geepack::QIC). --weights are prior weights; --tol bounds the largest parameter change of
    /// an iteration, --max-iter the iterations. E.g.
    /// dimorph glm --data data/ohio.csv 'resp ~ age + smoke' --family binomial --gee --id id --corstr exchangeable
    /// dimorph glm --data data/respiratory.csv 'outcome ~ treat + sex + age + baseline' --family binomial --gee --id id --corstr ar1 --waves visit
    #[arg(long)]
    pub gee: bool,
    /// With --gee: the column naming each row's cluster (subject), geepack's id, SAS's SUBJECT=.
    /// Rows of a cluster need not be adjacent; at least two clusters.
    #[arg(long, value_name = "COLUMN", requires = "gee")]
    pub id: Option<String>,
    /// With --gee: the working correlation, independence (default), exchangeable, ar1 or
    /// unstructured (geepack's corstr; SAS TYPE=IND, EXCH, AR(1), UN).
    #[arg(long, value_name = "STRUCTURE", requires = "gee")]
    pub corstr: Option<dimorph_glm::gee::CorStr>,
    /// With --gee: the column of each row's wave (visit or time, whole numbers, distinct within a
    /// cluster; geepack's waves, SAS's WITHINSUBJECT=): rows are ordered by it, ar1 takes lags
    /// from it, unstructured one correlation per pair of waves. Without it the row order gives
    /// the waves, and ar1/unstructured need clusters of equal size.
    #[arg(long, value_name = "COLUMN", requires = "gee")]
    pub waves: Option<String>,
    /// With --family ordinal or multinomial: the response levels in order, lowest first,
    /// comma-separated (every value of the response listed once). Default: numbers in numeric
    /// order, text in order of first appearance.
    #[arg(long, value_name = "A,B,C", value_delimiter = ',', allow_hyphen_values = true)]
    pub levels: Option<Vec<String>>,
    /// With --family multinomial: the reference level of the logits (default: the first level,
    /// as nnet::multinom; PROC LOGISTIC's default is the last, REF=LAST).
    #[arg(long = "ref", value_name = "LEVEL", allow_hyphen_values = true)]
    pub reference: Option<String>,
    #[command(flatten)]
    pub out: OutArgs,
    /// Output format: the report, the JSON envelope, or the coefficients as a tidy CSV table.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

impl Args {
    fn options(&self) -> RunOptions {
        RunOptions {
            family: self.family.and_then(categorical::FamilyArg::glm),
            link: self.link,
            weights: self.weights.clone(),
            freq: self.freq.clone(),
            theta: self.theta,
            dispersion: self.dispersion.into(),
            level: self.level,
            profile: flag_pair(self.profile, self.no_profile),
            type3: flag_pair(self.type3, self.no_type3),
            binwidth: self.binwidth,
            tol: self.tol,
            max_iter: self.max_iter,
            start: self.start.clone(),
            singular_ok: !self.no_singular,
            residuals: self.residuals,
            robust: self.robust,
            cluster: self.cluster.clone(),
            event: self.event.clone(),
            anova: self.anova.clone(),
            firth: self.firth,
            threads: self.threads,
        }
    }
}

/// `--x` → `Some(true)`, `--no-x` → `Some(false)`, neither → `None` (the engine's rule).
fn flag_pair(on: bool, off: bool) -> Option<bool> {
    match (on, off) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    }
}

/// Seconds a run goes quiet before progress lines start.
const PROGRESS_AFTER_S: f64 = 3.0;

/// Progress on standard error: nothing for the first few seconds, then a line when a step
/// starts and at most one every few seconds within it (`[  12.3s] glm: Type 3 … 5/21`).
fn progress_printer(quiet: bool) -> impl FnMut(&str, usize, usize) {
    let start = std::time::Instant::now();
    let mut last_phase = String::new();
    let mut last_t = 0.0;
    move |phase: &str, done: usize, total: usize| {
        let t = start.elapsed().as_secs_f64();
        if quiet || t < PROGRESS_AFTER_S || done >= total {
            return;
        }
        if phase != last_phase || t - last_t >= PROGRESS_AFTER_S {
            eprintln!("[{t:>7.1}s] glm: {phase} {done}/{total}");
            last_phase = phase.to_string();
            last_t = t;
        }
    }
}

pub fn run(a: Args) -> CliResult {
    categorical::check_unused(a.family, a.levels.is_some(), a.reference.is_some())?;
    if a.firth {
        return run_firth(&a);
    }
    if matches!(
        a.family,
        Some(categorical::FamilyArg::Ordinal | categorical::FamilyArg::Multinomial)
    ) {
        return categorical::run(a.categorical_request());
    }
    let opts = a.options();
    opts.validate().map_err(CliError::input)?;
    if a.gee {
        return run_gee(&a, &opts);
    }
    if a.formula == "anova" {
        return run_anova(&a, &opts);
    }
    if !a.more_formulas.is_empty() {
        return Err(CliError::input(format!(
            "several formulas given ('{}' and {} more): to compare models write `dimorph glm anova --data FILE FORMULA FORMULA...`, or add --anova FORMULA to one model's analysis",
            dimorph_core::text::clip(&a.formula),
            a.more_formulas.len()
        )));
    }
    if a.stream {
        return run_stream(&a, &opts);
    }
    let frame = dimorph_data::read_table(&a.data).map_err(CliError::input)?;
    let new_data = match &a.predict {
        Some(p) => Some(dimorph_data::read_table(p).map_err(CliError::input)?),
        None => None,
    };
    let mut progress = progress_printer(a.quiet);
    let outcome = dimorph_glm::analysis::run_with_progress(&frame, &a.formula, new_data.as_ref(), &opts, &mut progress)
        .map_err(CliError::input)?;
    let mut input = json!({ "data": a.data.display().to_string() });
    if let Some(p) = &a.predict {
        input["predict"] = json!(p.display().to_string());
    }
    emit("glm", input, &opts, &outcome, a.format, &a.out)
}

/// `dimorph glm anova FORMULA FORMULA...`: the analysis of deviance of nested models.
fn run_anova(a: &Args, opts: &RunOptions) -> CliResult {
    if a.more_formulas.len() < 2 {
        return Err(CliError::input(format!(
            "anova: needs two or more formulas to compare, got {} (e.g. dimorph glm anova --data FILE 'y ~ x' 'y ~ x + z')",
            a.more_formulas.len()
        )));
    }
    let one_model = [
        ("--stream", a.stream),
        ("--predict", a.predict.is_some()),
        ("--event", a.event.is_some()),
        ("--profile", a.profile),
        ("--type3", a.type3),
    ];
    if let Some((flag, _)) = one_model.iter().find(|(_, on)| *on) {
        return Err(CliError::input(format!(
            "{flag}: belongs to one model's analysis, not to the comparison of models (run dimorph glm on that model)"
        )));
    }
    let frame = dimorph_data::read_table(&a.data).map_err(CliError::input)?;
    let outcome = dimorph_glm::compare::run_compare(&frame, &a.more_formulas, opts).map_err(CliError::input)?;
    let input = json!({ "data": a.data.display().to_string(), "formulas": a.more_formulas });
    emit("glm anova", input, opts, &outcome, a.format, &a.out)
}

/// `--firth`: Firth's penalised logistic regression, with its own report.
fn run_firth(a: &Args) -> CliResult {
    use categorical::FamilyArg;
    let levels = matches!(a.family, Some(FamilyArg::Ordinal | FamilyArg::Multinomial));
    let anova = a.formula == "anova" || !a.more_formulas.is_empty();
    let refused = [
        (
            "--family",
            levels,
            "it fits the binomial logit model, not ordinal or multinomial responses",
        ),
        (
            "--gee",
            a.gee,
            "the penalised likelihood is for independent observations",
        ),
        (
            "anova",
            anova,
            "one model is fitted, with a penalised likelihood-ratio test per coefficient",
        ),
        ("--stream", a.stream, "the penalised fit needs all rows in memory"),
        (
            "--predict",
            a.predict.is_some(),
            "predictions are given for ordinary fits only",
        ),
    ];
    if let Some((flag, _, why)) = refused.iter().find(|(_, on, _)| *on) {
        return Err(CliError::input(format!("{flag}: not available with --firth: {why}")));
    }
    let opts = &a.options();
    let frame = dimorph_data::read_table(&a.data).map_err(CliError::input)?;
    let outcome = dimorph_glm::firth::run(&frame, &a.formula, opts).map_err(CliError::input)?;
    let input = json!({ "data": a.data.display().to_string(), "firth": true });
    emit("glm", input, opts, &outcome, a.format, &a.out)
}

/// `--stream`: the Parquet file fitted row group by row group.
fn run_stream(a: &Args, opts: &RunOptions) -> CliResult {
    let parquet = matches!(
        a.data
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("parquet" | "pq")
    );
    if !parquet {
        return Err(CliError::input(format!(
            "--stream: {} is not a Parquet file (.parquet or .pq); streaming reads Parquet row groups",
            a.data.display()
        )));
    }
    if a.predict.is_some() {
        return Err(CliError::input(
            "--predict: not available with --stream (predictions need the fitted model's full report; drop --stream)",
        ));
    }
    let outcome = dimorph_glm::stream::run_parquet(&a.data, &a.formula, opts).map_err(CliError::input)?;
    let input = json!({ "data": a.data.display().to_string(), "stream": true });
    emit("glm", input, opts, &outcome, a.format, &a.out)
}

/// `--gee`: generalized estimating equations (the engine's `gee::run`).
fn run_gee(a: &Args, opts: &RunOptions) -> CliResult {
    let one_fit = [
        ("--stream", a.stream),
        ("--predict", a.predict.is_some()),
        ("anova", a.formula == "anova" || !a.more_formulas.is_empty()),
    ];
    if let Some((flag, _)) = one_fit.iter().find(|(_, on)| *on) {
        return Err(CliError::input(format!(
            "{flag}: not available with --gee (a GEE run fits one model in memory; compare GEE models by their QIC)"
        )));
    }
    let gee = dimorph_glm::gee::GeeOptions {
        id: a.id.clone().unwrap_or_default(),
        corstr: a.corstr.unwrap_or_default(),
        waves: a.waves.clone(),
    };
    gee.validate(opts).map_err(CliError::input)?;
    let frame = dimorph_data::read_table(&a.data).map_err(CliError::input)?;
    let outcome = dimorph_glm::gee::run(&frame, &a.formula, opts, &gee).map_err(CliError::input)?;
    let input = json!({ "data": a.data.display().to_string() });
    let options = json!({ "model": opts, "gee": gee });
    emit("glm", input, &options, &outcome, a.format, &a.out)
}

/// The help of --family: the GLM families, then the models for a response of levels.
fn family_help() -> String {
    format!(
        "binomial, poisson, gaussian, gamma, inverse-gaussian, negbin, quasibinomial, quasipoisson or \
         tweedie(p). Default: binomial for an events/trials response, else gaussian (as R).\n{}",
        categorical::HELP
    )
}

impl Args {
    /// `--family ordinal|multinomial`: what the categorical run takes, and the flags that do not
    /// apply to it.
    fn categorical_request(&self) -> categorical::Request<'_> {
        let dispersion = !matches!(self.dispersion, DispersionArg::Default);
        categorical::Request {
            family: self.family.unwrap_or(categorical::FamilyArg::Ordinal),
            data: &self.data,
            formula: &self.formula,
            link: self.link,
            levels: self.levels.clone(),
            reference: self.reference.clone(),
            weights: self.weights.clone(),
            freq: self.freq.clone(),
            level: self.level,
            tol: self.tol,
            max_iter: self.max_iter,
            format: self.format,
            out: &self.out,
            not_applicable: vec![
                ("anova", self.formula == "anova" || !self.more_formulas.is_empty()),
                ("--theta", self.theta.is_some()),
                ("--dispersion", dispersion),
                ("--profile", self.profile),
                ("--no-profile", self.no_profile),
                ("--type3", self.type3),
                ("--no-type3", self.no_type3),
                ("--stream", self.stream),
                ("--binwidth", self.binwidth.is_some()),
                ("--start", self.start.is_some()),
                ("--no-singular", self.no_singular),
                ("--residuals", self.residuals),
                ("--predict", self.predict.is_some()),
                ("--robust", self.robust.is_some()),
                ("--cluster", self.cluster.is_some()),
                ("--event", self.event.is_some()),
                ("--anova", !self.anova.is_empty()),
                ("--firth", self.firth),
                ("--gee", self.gee),
                ("--threads", self.threads.is_some()),
            ],
        }
    }
}
