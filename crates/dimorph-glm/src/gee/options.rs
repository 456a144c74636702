//! The options of a GEE fit (`dimorph glm --gee --id COL [--corstr …] [--waves COL]`) and the
//! rules for combining them with the other `dimorph glm` options: [`GeeOptions::validate`]
//! refuses, naming the flag, what does not apply to estimating equations (robust or clustered
//! GLM errors, frequencies, likelihood-based extras).

use serde::Serialize;

use crate::error::{clip, GlmError, Result};
use crate::family::Family;
use crate::options::{Dispersion, RunOptions};

/// The working correlation structure R(α) within a cluster (geepack's `corstr`, SAS GENMOD's
/// `REPEATED … TYPE=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CorStr {
    /// R = I: no parameter (SAS `TYPE=IND`).
    #[default]
    Independence,
    /// Corr(yᵢⱼ, yᵢₖ) = α for j ≠ k (SAS `TYPE=EXCH`, `CS`).
    Exchangeable,
    /// Corr(yᵢⱼ, yᵢₖ) = α^|tⱼ − tₖ| with t the wave (SAS `TYPE=AR(1)`).
    Ar1,
    /// One α per pair of waves (SAS `TYPE=UN`).
    Unstructured,
}

impl CorStr {
    /// The name as geepack spells it.
    pub fn name(self) -> &'static str {
        match self {
            CorStr::Independence => "independence",
            CorStr::Exchangeable => "exchangeable",
            CorStr::Ar1 => "ar1",
            CorStr::Unstructured => "unstructured",
        }
    }

    /// The name SAS GENMOD prints ("Exchangeable", "AR(1)", …).
    pub fn sas_name(self) -> &'static str {
        match self {
            CorStr::Independence => "Independent",
            CorStr::Exchangeable => "Exchangeable",
            CorStr::Ar1 => "AR(1)",
            CorStr::Unstructured => "Unstructured",
        }
    }
}

impl std::str::FromStr for CorStr {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "independence" | "ind" | "indep" => Ok(CorStr::Independence),
            "exchangeable" | "exch" | "cs" => Ok(CorStr::Exchangeable),
            "ar1" | "ar(1)" => Ok(CorStr::Ar1),
            "unstructured" | "un" | "unstr" => Ok(CorStr::Unstructured),
            _ => Err(format!(
                "expected independence, exchangeable, ar1 or unstructured, got '{}'",
                clip(s)
            )),
        }
    }
}

/// What `--gee` asks for besides the model of [`RunOptions`].
#[derive(Debug, Clone, Default, Serialize)]
pub struct GeeOptions {
    /// The column whose values name the clusters (subjects; `--id`, geepack's `id`, SAS's
    /// `SUBJECT=`). Rows of a cluster need not be adjacent.
    pub id: String,
    /// The working correlation (`--corstr`).
    pub corstr: CorStr,
    /// The column giving each row's position in its cluster (`--waves`, geepack's `waves`, SAS's
    /// `WITHINSUBJECT=`): whole numbers, distinct within a cluster. AR(1) uses their differences
    /// as lags, unstructured one parameter per pair of distinct waves. `None`: the order of the
    /// rows within the cluster (1, 2, …), allowed only when every cluster has the same size for
    /// ar1 and unstructured.
    pub waves: Option<String>,
}

impl GeeOptions {
    /// Refuses the `dimorph glm` options that do not apply to a GEE fit, naming the flag.
    pub fn validate(&self, run: &RunOptions) -> Result<()> {
        run.validate()?;
        if self.id.trim().is_empty() {
            return Err(GlmError::argument(
                "--id",
                "--gee needs the cluster column: --id COLUMN",
            ));
        }
        let refuse = |flag: &str, why: &str| Err(GlmError::argument(flag, format!("not available with --gee: {why}")));
        if run.robust.is_some() {
            return refuse("--robust", "GEE reports the empirical (sandwich) standard errors by --id cluster already, beside the model-based ones");
        }
        if run.cluster.is_some() {
            return refuse(
                "--cluster",
                "with --gee the clusters are given by --id (the empirical standard errors are the cluster sandwich)",
            );
        }
        if run.freq.is_some() {
            return refuse(
                "--freq",
                "a row is one observation of its cluster (use --weights for prior weights)",
            );
        }
        if !run.anova.is_empty() {
            return refuse(
                "--anova",
                "GEE has no likelihood to compare models by deviance (compare QIC instead)",
            );
        }
        if run.profile == Some(true) {
            return refuse(
                "--profile",
                "GEE has no likelihood to profile; the intervals are Wald intervals on the empirical standard errors",
            );
        }
        if run.type3 == Some(true) {
            return refuse(
                "--type3",
                "GEE has no likelihood-ratio tests; the z tests use the empirical standard errors",
            );
        }
        if run.residuals {
            return refuse("--residuals", "the residuals table is the GLM fit's");
        }
        if run.binwidth.is_some() {
            return refuse("--binwidth", "the association statistics are the likelihood fit's");
        }
        if run.dispersion != Dispersion::Default {
            return refuse(
                "--dispersion",
                "GEE estimates the scale φ as geepack does (weighted mean of squared Pearson residuals)",
            );
        }
        if matches!(run.family, Some(Family::NegBin { .. })) || run.theta.is_some() {
            return refuse(
                "--family",
                "negbin has no GEE variance function here; use poisson (the scale φ absorbs overdispersion)",
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structures_parse_in_geepack_and_sas_spellings() {
        for (s, c) in [
            ("exchangeable", CorStr::Exchangeable),
            ("CS", CorStr::Exchangeable),
            ("AR(1)", CorStr::Ar1),
            ("un", CorStr::Unstructured),
            ("independence", CorStr::Independence),
        ] {
            assert_eq!(s.parse::<CorStr>().ok(), Some(c), "{s}");
        }
        let e = "toeplitz".parse::<CorStr>().err().unwrap_or_default();
        assert!(e.contains("got 'toeplitz'"), "{e}");
        assert_eq!(CorStr::Ar1.name(), "ar1");
        assert_eq!(CorStr::Ar1.sas_name(), "AR(1)");
    }
}
