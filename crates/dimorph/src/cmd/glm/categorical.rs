//! `dimorph glm --family ordinal|multinomial`: a response of levels — the cumulative link model
//! (MASS::polr, PROC LOGISTIC's default for more than two ordered levels) and the
//! baseline-category logit (nnet::multinom, PROC LOGISTIC LINK=GLOGIT). The glm flags that do not
//! apply to them are refused by name.

use std::path::Path;
use std::str::FromStr;

use dimorph_glm::link::Link;
use dimorph_glm::multinom::{run_multinomial, MultinomOptions};
use dimorph_glm::ordinal::{run_ordinal, OrdinalOptions};
use dimorph_glm::Family;
use serde_json::json;

use crate::cmd::{emit, CliError, CliResult, Format, OutArgs};

/// The help of `--family`'s two categorical values and their flags.
pub const HELP: &str = "Responses of levels (the response column holds the levels, text or numbers):
  --family ordinal      cumulative link model, logit (proportional odds, default), probit,
                        cloglog or loglog (--link), as MASS::polr and PROC LOGISTIC's default
                        for a response with more than two ordered levels; thresholds and slopes
                        with observed-information SEs, the score test of proportional odds.
                        Signs: polr's logit P(Y<=j) = zeta_j - eta is the R block; SAS's
                        alpha_j + x'b (b = -beta) the PROC LOGISTIC block; the tidy table polr's.
  --family multinomial  baseline-category logit, as nnet::multinom and LINK=GLOGIT; --ref LEVEL
                        (default the first level, as multinom; SAS's default is the last).
  Level order: numbers in numeric order, text in order of first appearance, or --levels a,b,c.
  --weights/--freq are case weights (as polr's and multinom's weights; --freq also counts rows).
  dimorph glm --data data/housing.csv 'Sat ~ Infl + Type + Cont' --family ordinal --freq Freq
  dimorph glm --data data/housing.csv 'Sat ~ Infl + Type + Cont' --family ordinal --link probit --freq Freq --levels Low,Medium,High --format csv
  dimorph glm --data data/housing.csv 'Sat ~ Infl + Type + Cont' --family multinomial --ref Low --freq Freq";

/// `--family`: a GLM family, or one of the two models for a response of levels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FamilyArg {
    Glm(Family),
    Ordinal,
    Multinomial,
}

impl FromStr for FamilyArg {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ordinal" | "cumulative" | "polr" => Ok(FamilyArg::Ordinal),
            "multinomial" | "multinom" | "glogit" => Ok(FamilyArg::Multinomial),
            _ => Family::from_str(s)
                .map(FamilyArg::Glm)
                .map_err(|e| format!("{e} (or ordinal, multinomial for a response of levels)")),
        }
    }
}

impl FamilyArg {
    /// The GLM family, when it is one.
    pub fn glm(self) -> Option<Family> {
        match self {
            FamilyArg::Glm(f) => Some(f),
            _ => None,
        }
    }
}

/// What a categorical run takes from the glm flags.
pub struct Request<'a> {
    pub family: FamilyArg,
    pub data: &'a Path,
    pub formula: &'a str,
    pub link: Option<Link>,
    pub levels: Option<Vec<String>>,
    pub reference: Option<String>,
    pub weights: Option<String>,
    pub freq: Option<String>,
    pub level: f64,
    pub tol: f64,
    pub max_iter: usize,
    pub format: Format,
    pub out: &'a OutArgs,
    /// The glm flags that do not apply, with whether each was given.
    pub not_applicable: Vec<(&'static str, bool)>,
}

/// Refuses --levels and --ref without a categorical family.
pub fn check_unused(family: Option<FamilyArg>, levels: bool, reference: bool) -> CliResult {
    let categorical = matches!(family, Some(FamilyArg::Ordinal | FamilyArg::Multinomial));
    if levels && !categorical {
        return Err(CliError::input(
            "--levels: applies to --family ordinal or multinomial (a response of levels)",
        ));
    }
    if reference && family != Some(FamilyArg::Multinomial) {
        return Err(CliError::input(
            "--ref: applies to --family multinomial (the reference level of the logits); for a factor predictor write C(col, ref=LEVEL)",
        ));
    }
    Ok(())
}

/// Fits the ordinal or multinomial model and emits it.
pub fn run(r: Request) -> CliResult {
    let word = if r.family == FamilyArg::Ordinal {
        "ordinal"
    } else {
        "multinomial"
    };
    if let Some((flag, _)) = r.not_applicable.iter().find(|(_, on)| *on) {
        return Err(CliError::input(format!(
            "{flag}: does not apply to --family {word} (a likelihood fit of a response of levels, with Wald tests and intervals; see dimorph glm --help)"
        )));
    }
    let frame = dimorph_data::read_table(r.data).map_err(CliError::input)?;
    let input = json!({ "data": r.data.display().to_string(), "formula": r.formula });
    if r.family == FamilyArg::Ordinal {
        let opts = OrdinalOptions {
            link: r.link.unwrap_or(Link::Logit),
            levels: r.levels,
            weights: r.weights,
            freq: r.freq,
            level: r.level,
            tol: r.tol,
            max_iter: r.max_iter,
        };
        let outcome = run_ordinal(&frame, r.formula, &opts).map_err(CliError::input)?;
        return emit("glm", input, &opts, &outcome, r.format, r.out);
    }
    if let Some(l) = r.link.filter(|l| *l != Link::Logit) {
        return Err(CliError::input(format!(
            "--link: the multinomial model is the baseline-category logit (logit link only), not {}",
            l.cli_name()
        )));
    }
    let opts = MultinomOptions {
        reference: r.reference,
        levels: r.levels,
        weights: r.weights,
        freq: r.freq,
        level: r.level,
        tol: r.tol,
        max_iter: r.max_iter,
    };
    let outcome = run_multinomial(&frame, r.formula, &opts).map_err(CliError::input)?;
    emit("glm", input, &opts, &outcome, r.format, r.out)
}
