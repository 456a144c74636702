//! `dimorph.decompose`: the difference in life expectancy (and lifespan variation) between two
//! life tables by age and cause, as `dimorph lifetable decompose` computes it — by default
//! females − males of one population and year (the sex gap in e0), else any two tables (years,
//! populations); one year or many (`years`: one long table).

use std::path::PathBuf;

use dimorph_lifetable::decompose::{
    run_decompose, run_decompose_years, second_sex, DecomposeOptions, DecomposeResult, DecomposeYearsResult, Side,
};
use dimorph_lifetable::CauseShares;
use dimorph_report::Outcome;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde_json::json;

use crate::frame::PyFrame;
use crate::lifetable::{cause_input, choice, load_causes, one_sex, Source, TableArgs};
use crate::outcome::{guarded, input_error, outcome_dict};

/// The decomposition of first − second (see the module doc).
#[pyfunction]
#[pyo3(signature = (
    *, year=None, years=None, sex="female", hmd=None, data_path=None, data=None, vs_hmd=None,
    vs_data_path=None, vs_data=None, vs_year=None, vs_sex=None, causes_path=None, causes=None,
    vs_causes_path=None, vs_causes=None, group_column=None, cause_shares="age", from_age=0.0,
    steps=50, radix=100_000.0, constant_hazard=false, smooth=true, ci=None, draws=None, seed=None,
    threads=None, open_age=None
))]
#[allow(clippy::too_many_arguments)]
pub fn lifetable_decompose<'py>(
    py: Python<'py>,
    year: Option<i32>,
    years: Option<String>,
    sex: &str,
    hmd: Option<PathBuf>,
    data_path: Option<PathBuf>,
    data: Option<PyRef<'py, PyFrame>>,
    vs_hmd: Option<PathBuf>,
    vs_data_path: Option<PathBuf>,
    vs_data: Option<PyRef<'py, PyFrame>>,
    vs_year: Option<i32>,
    vs_sex: Option<&str>,
    causes_path: Option<PathBuf>,
    causes: Option<PyRef<'py, PyFrame>>,
    vs_causes_path: Option<PathBuf>,
    vs_causes: Option<PyRef<'py, PyFrame>>,
    group_column: Option<String>,
    cause_shares: &str,
    from_age: f64,
    steps: usize,
    radix: f64,
    constant_hazard: bool,
    smooth: bool,
    ci: Option<f64>,
    draws: Option<usize>,
    seed: Option<u64>,
    threads: Option<usize>,
    open_age: Option<f64>,
) -> PyResult<Bound<'py, PyDict>> {
    let first_sex = one_sex("--sex", sex)?;
    let vs_sex = vs_sex.map(|s| one_sex("--vs-sex", s)).transpose()?;
    let opts = DecomposeOptions {
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
        from_age,
        steps,
        cause_shares: choice(
            "--cause-shares",
            cause_shares,
            &[("age", CauseShares::Age), ("paper", CauseShares::Paper)],
        )?,
    };
    opts.validate().map_err(input_error)?;
    let spec = years;
    let years = spec
        .as_deref()
        .map(dimorph_lifetable::years::parse_years)
        .transpose()
        .map_err(input_error)?;
    let year = match (&years, year) {
        (Some(_), Some(_)) => return Err(input_error("--year, --years: give one")),
        (Some(_), None) if vs_year.is_some() => {
            return Err(input_error(
                "--vs-year: not with --years (each year is compared with itself)",
            ))
        }
        (Some(y), None) => *y
            .first()
            .ok_or_else(|| input_error("--years: give at least one year"))?,
        (None, Some(y)) => y,
        (None, None) => return Err(input_error("give year=YEAR or years=[…]")),
    };
    let vs_year = vs_year.unwrap_or(year);
    if (vs_causes_path.is_some() || vs_causes.is_some()) && causes_path.is_none() && causes.is_none() {
        return Err(input_error("--vs-causes: needs causes for the first table"));
    }
    let first = Source {
        hmd,
        path: data_path,
        frame: data.as_ref().map(|d| &d.inner),
    };
    let second = Source {
        hmd: vs_hmd,
        path: vs_data_path,
        frame: vs_data.as_ref().map(|d| &d.inner),
    };
    let other_data = second.hmd.is_some() || second.path.is_some() || second.frame.is_some();
    let vs_sex = second_sex(first_sex, vs_sex, !other_data && vs_year == year);
    let (causes_frame, vs_causes_frame) = (causes.as_ref().map(|c| &c.inner), vs_causes.as_ref().map(|c| &c.inner));
    let outcome = guarded(py, || -> Result<_, String> {
        let (m, in_file) = first.load()?;
        let vs = if other_data { Some(second.load()?) } else { None };
        let c = load_causes(causes_path.as_deref(), causes_frame, group_column.as_deref())?.or(in_file);
        // the second table's own cause data, when it has any (else the first's, shared)
        let vc = match load_causes(vs_causes_path.as_deref(), vs_causes_frame, None)? {
            Some(v) => Some(v),
            None => vs.as_ref().and_then(|v| v.1.clone()),
        };
        let a = Side {
            data: &m,
            causes: c.as_ref(),
            year,
            sex: first_sex,
        };
        let b = Side {
            data: vs.as_ref().map_or(&m, |v| &v.0),
            causes: vc.as_ref().or(c.as_ref()),
            year: vs_year,
            sex: vs_sex,
        };
        let e = |e: dimorph_lifetable::Error| e.to_string();
        match &years {
            Some(ys) => run_decompose_years(&a, &b, ys, &opts, threads)
                .map(|o| Decomposed::Years(Box::new(o)))
                .map_err(e),
            None => run_decompose(&a, &b, &opts)
                .map(|o| Decomposed::One(Box::new(o)))
                .map_err(e),
        }
    })?
    .map_err(input_error)?;
    let mut input = json!({ "data": first.name() });
    if other_data {
        input["vs_data"] = json!(second.name());
    }
    if let Some(ys) = &spec {
        input["years"] = json!(ys);
    }
    if let Some(c) = cause_input(causes_path.as_deref(), causes_frame) {
        input["causes"] = json!(c);
    }
    if let Some(c) = cause_input(vs_causes_path.as_deref(), vs_causes_frame) {
        input["vs_causes"] = json!(c);
    }
    match &outcome {
        Decomposed::One(o) => outcome_dict(py, "lifetable decompose", input, &opts, o),
        Decomposed::Years(o) => outcome_dict(py, "lifetable decompose", input, &opts, o),
    }
}

/// One year's decomposition, or many years'.
enum Decomposed {
    One(Box<Outcome<DecomposeResult>>),
    Years(Box<Outcome<DecomposeYearsResult>>),
}
