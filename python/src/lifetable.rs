//! `dimorph.lifetable` and `dimorph.lifelost`: the sources of `dimorph lifetable|lifelost` (an
//! HMD folder, a tidy file, a cause-of-death file) or tables from Python, the options, the
//! engine's `run_lifetable` / `run_lifelost`, the outcome as a dict.
//!
//! A table from Python reaches the engine's readers in memory (`read_tidy_frame`,
//! `CauseDeaths::from_frame`: the same columns and checks as the CSV readers, no temporary
//! file); messages name the table ('pandas DataFrame') and count its header as line 1.

use std::path::{Path, PathBuf};

use dimorph_lifetable::options::IntervalOptions;
use dimorph_lifetable::{
    read_data, read_hmd_dir, read_tidy_frame, run_lifelost, run_lifetable, AxMethod, CauseDeaths, CauseShares,
    Discretisation, LifeLostOptions, LifeTableOptions, MortalityData, SavePoint, Sex, Smoothing,
};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde_json::{json, Value};

use crate::frame::PyFrame;
use crate::outcome::{guarded, input_error, outcome_dict};

/// Where deaths and exposures come from (at most one of the three).
pub(crate) struct Source<'a> {
    pub(crate) hmd: Option<PathBuf>,
    pub(crate) path: Option<PathBuf>,
    pub(crate) frame: Option<&'a dimorph_data::Frame>,
}

impl Source<'_> {
    /// The envelope's `data`: the path, or the table's description.
    pub(crate) fn name(&self) -> String {
        match (&self.hmd, &self.path, self.frame) {
            (Some(p), _, _) | (None, Some(p), _) => p.display().to_string(),
            (None, None, Some(f)) => f.source.clone(),
            (None, None, None) => String::new(),
        }
    }

    pub(crate) fn load(&self) -> Result<(MortalityData, Option<CauseDeaths>), String> {
        match (&self.hmd, &self.path, self.frame) {
            (Some(dir), None, None) => Ok((read_hmd_dir(dir).map_err(|e| e.to_string())?, None)),
            (None, Some(p), None) => read_data(p).map_err(|e| e.to_string()),
            (None, None, Some(f)) => {
                if f.columns.is_empty() {
                    return Err(format!("{}: the table has no columns", f.source));
                }
                read_tidy_frame(f, &f.source).map_err(|e| e.to_string())
            }
            (None, None, None) => Err("give hmd (an HMD country folder) or data (a file or a table)".into()),
            _ => Err("give one of hmd and data, not both".into()),
        }
    }
}

/// Deaths by cause from a file or a table.
pub(crate) fn load_causes(
    path: Option<&Path>,
    frame: Option<&dimorph_data::Frame>,
    group_column: Option<&str>,
) -> Result<Option<CauseDeaths>, String> {
    match (path, frame) {
        (Some(p), None) => Ok(Some(CauseDeaths::read_csv(p, group_column).map_err(|e| e.to_string())?)),
        (None, Some(f)) => Ok(Some(
            CauseDeaths::from_frame(f, group_column).map_err(|e| e.to_string())?,
        )),
        (None, None) if group_column.is_some() => {
            Err("--group-column: applies to cause-of-death data only; give causes (a file or a table)".into())
        }
        (None, None) => Ok(None),
        (Some(_), Some(_)) => Err("give causes once".into()),
    }
}

/// The life table's options from Python: the CLI's `--radix`, `--constant-hazard`, `--no-smooth`,
/// `--ci` (with `--draws`, `--seed`, `--threads`) and `--open-age`.
pub(crate) struct TableArgs {
    pub(crate) radix: f64,
    pub(crate) constant_hazard: bool,
    pub(crate) smooth: bool,
    pub(crate) ci: Option<f64>,
    pub(crate) draws: Option<usize>,
    pub(crate) seed: Option<u64>,
    pub(crate) threads: Option<usize>,
    pub(crate) open_age: Option<f64>,
}

impl TableArgs {
    /// The engine's options; `draws` and `seed` need `ci`, as the CLI's flags do.
    pub(crate) fn options(&self) -> PyResult<LifeTableOptions> {
        if self.ci.is_none() {
            if let Some(flag) = [("--draws", self.draws.is_some()), ("--seed", self.seed.is_some())]
                .iter()
                .find_map(|(f, given)| given.then_some(*f))
            {
                return Err(input_error(format!(
                    "{flag}: applies to the confidence intervals; give ci (a level, e.g. 0.95)"
                )));
            }
        }
        dimorph_core::threads::check(self.threads).map_err(|m| input_error(format!("--threads: {m}")))?;
        let d = IntervalOptions::default();
        Ok(LifeTableOptions {
            radix: self.radix,
            ax: if self.constant_hazard {
                AxMethod::ConstantHazard
            } else {
                AxMethod::Hmd
            },
            smoothing: if self.smooth {
                Smoothing::Kannisto
            } else {
                Smoothing::None
            },
            intervals: self.ci.map(|level| IntervalOptions {
                level,
                draws: self.draws.unwrap_or(d.draws),
                seed: self.seed.unwrap_or(d.seed),
                threads: self.threads,
            }),
            open_age: self.open_age,
        })
    }
}

/// The envelope's name of cause-of-death data: its path, or the table's description.
pub(crate) fn cause_input(path: Option<&Path>, frame: Option<&dimorph_data::Frame>) -> Option<String> {
    path.map(|p| p.display().to_string())
        .or_else(|| frame.map(|f| f.source.clone()))
}

/// The sex of one life table (`option`: `--sex`, `--vs-sex`).
pub(crate) fn one_sex(option: &str, s: &str) -> PyResult<Sex> {
    choice(
        option,
        s,
        &[
            ("female", Sex::Female),
            ("f", Sex::Female),
            ("male", Sex::Male),
            ("m", Sex::Male),
            ("total", Sex::Total),
            ("t", Sex::Total),
        ],
    )
}

pub(crate) fn choice<T: Copy>(option: &str, s: &str, choices: &[(&str, T)]) -> PyResult<T> {
    let t = s.trim().to_ascii_lowercase().replace('_', "-");
    choices.iter().find(|(n, _)| *n == t).map(|(_, v)| *v).ok_or_else(|| {
        let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
        input_error(format!("{option}: unknown value '{s}' (choose {})", names.join(", ")))
    })
}

/// The period life table of `year` and `sex`.
#[pyfunction]
#[pyo3(signature = (
    year, sex, *, hmd=None, data_path=None, data=None, radix=100_000.0, constant_hazard=false, smooth=true,
    ci=None, draws=None, seed=None, threads=None, open_age=None
))]
#[allow(clippy::too_many_arguments)]
pub fn lifetable<'py>(
    py: Python<'py>,
    year: i32,
    sex: &str,
    hmd: Option<PathBuf>,
    data_path: Option<PathBuf>,
    data: Option<PyRef<'py, PyFrame>>,
    radix: f64,
    constant_hazard: bool,
    smooth: bool,
    ci: Option<f64>,
    draws: Option<usize>,
    seed: Option<u64>,
    threads: Option<usize>,
    open_age: Option<f64>,
) -> PyResult<Bound<'py, PyDict>> {
    let sex = one_sex("--sex", sex)?;
    let opts = TableArgs {
        radix,
        constant_hazard,
        smooth,
        ci,
        draws,
        seed,
        threads,
        open_age,
    }
    .options()?;
    opts.validate().map_err(input_error)?;
    let source = Source {
        hmd,
        path: data_path,
        frame: data.as_ref().map(|d| &d.inner),
    };
    let outcome = guarded(py, || -> Result<_, String> {
        let (m, _) = source.load()?;
        run_lifetable(&m, year, sex, &opts).map_err(|e| e.to_string())
    })?
    .map_err(input_error)?;
    let input = json!({ "data": source.name() });
    outcome_dict(py, "lifetable", input, &opts, &outcome)
}

/// Life lost and lifesaving by cause of death (Riffe & Solé Auró 2015).
#[pyfunction]
#[pyo3(signature = (
    year, *, hmd=None, data_path=None, data=None, causes_path=None, causes=None, group_column=None,
    cause=None, sex="both", discretisation="continuous", save_at=None, cause_shares="age",
    keep_cause=false, stationary=false, percent=false, radix=100_000.0, constant_hazard=false,
    smooth=true, ci=None, draws=None, seed=None, threads=None, open_age=None
))]
#[allow(clippy::too_many_arguments)]
pub fn lifelost<'py>(
    py: Python<'py>,
    year: i32,
    hmd: Option<PathBuf>,
    data_path: Option<PathBuf>,
    data: Option<PyRef<'py, PyFrame>>,
    causes_path: Option<PathBuf>,
    causes: Option<PyRef<'py, PyFrame>>,
    group_column: Option<String>,
    cause: Option<String>,
    sex: &str,
    discretisation: &str,
    save_at: Option<&str>,
    cause_shares: &str,
    keep_cause: bool,
    stationary: bool,
    percent: bool,
    radix: f64,
    constant_hazard: bool,
    smooth: bool,
    ci: Option<f64>,
    draws: Option<usize>,
    seed: Option<u64>,
    threads: Option<usize>,
    open_age: Option<f64>,
) -> PyResult<Bound<'py, PyDict>> {
    let sexes = choice(
        "--sex",
        sex,
        &[
            ("female", &[Sex::Female][..]),
            ("f", &[Sex::Female][..]),
            ("male", &[Sex::Male][..]),
            ("m", &[Sex::Male][..]),
            ("both", &[Sex::Female, Sex::Male][..]),
        ],
    )?;
    let opts = LifeLostOptions {
        lifetable: TableArgs {
            radix,
            constant_hazard,
            smooth,
            ci,
            draws,
            seed,
            threads,
            open_age,
        }
        .options()?,
        discretisation: choice(
            "--discretisation",
            discretisation,
            &[
                ("continuous", Discretisation::Continuous),
                ("paper", Discretisation::Paper),
            ],
        )?,
        cause_shares: choice(
            "--cause-shares",
            cause_shares,
            &[("age", CauseShares::Age), ("paper", CauseShares::Paper)],
        )?,
        delete_cause: !keep_cause,
        stationary,
        percent,
        ..Default::default()
    };
    let save_at = save_at
        .map(|s| {
            choice(
                "--save-at",
                s,
                &[("mean", SavePoint::MeanAgeAtDeath), ("exact", SavePoint::ExactAge)],
            )
        })
        .transpose()?;
    let opts = opts.with_save_at(save_at).map_err(input_error)?;
    opts.validate().map_err(input_error)?;
    let source = Source {
        hmd,
        path: data_path,
        frame: data.as_ref().map(|d| &d.inner),
    };
    let causes_frame = causes.as_ref().map(|c| &c.inner);
    let outcome = guarded(py, || -> Result<_, String> {
        let (m, in_file) = source.load()?;
        let given = load_causes(causes_path.as_deref(), causes_frame, group_column.as_deref())?;
        let c = given.or(in_file);
        run_lifelost(&m, c.as_ref(), year, sexes, cause.as_deref(), &opts).map_err(|e| e.to_string())
    })?
    .map_err(input_error)?;
    let mut input: Value = json!({ "data": source.name() });
    if let Some(c) = cause_input(causes_path.as_deref(), causes_frame) {
        input["causes"] = json!(c);
    }
    outcome_dict(py, "lifelost", input, &opts, &outcome)
}
