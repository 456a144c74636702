//! The boundary: engine errors and panics become Python exceptions, and an engine's
//! [`Outcome`] becomes a dict of plain Python objects.
//!
//! - Every engine error is bad input or a refused option, as the CLI's exit code 2 says: it is
//!   raised as `dimorph.InputError` (a `ValueError`) with the engine's message unchanged.
//! - A panic inside an engine is caught ([`guarded`]) and raised as `dimorph.InternalError` (a
//!   `RuntimeError`): the interpreter never aborts. The engine runs with the GIL released, and
//!   Ctrl-C stops it (its loops poll the signal handlers).
//! - [`outcome_dict`] gives `{"json", "text", "summary", "warnings", "tables", "files"}`: the
//!   CLI's JSON envelope (`--format json`, the same keys and numbers), the report text
//!   (`--format text`), the tidy tables column by column, and the files (SVG text).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};

use dimorph_core::{Cell, TidyTable};
use dimorph_report::{envelope, Outcome};
use pyo3::create_exception;
use pyo3::exceptions::{PyKeyboardInterrupt, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use serde::Serialize;
use serde_json::Value;

create_exception!(
    dimorph,
    InputError,
    PyValueError,
    "Bad input data or a refused option. The message is the one the dimorph CLI prints: it names \
     the file or data, the row ('line') and column, or the option (in its CLI spelling, e.g. \
     '--level'), and says why."
);
create_exception!(
    dimorph,
    InternalError,
    PyRuntimeError,
    "A bug in dimorph (a Rust panic caught at the boundary). Please report it with the data and \
     the call."
);

/// Bad input: `dimorph.InputError` with `msg`.
pub fn input_error(msg: impl std::fmt::Display) -> PyErr {
    InputError::new_err(msg.to_string())
}

/// Runs `f` (an engine call) without the GIL, turning a panic into `dimorph.InternalError`.
///
/// The engine's long loops poll Python's signal handlers (`dimorph_core::interrupt`, at most every
/// 50 ms; they run on this thread, re-taking the GIL for the check): Ctrl-C stops the call and
/// raises the handler's exception (`KeyboardInterrupt`) as any Python code would, instead of after
/// the call's end. Off the main thread (a Dask worker) the check finds no signal: Python runs
/// signal handlers on the main thread only.
pub fn guarded<T: Send>(py: Python<'_>, f: impl FnOnce() -> T + Send) -> PyResult<T> {
    let raised: Arc<Mutex<Option<PyErr>>> = Arc::default();
    let keep = Arc::clone(&raised);
    let check = move || {
        Python::attach(|py| match py.check_signals() {
            Ok(()) => false,
            Err(e) => {
                *keep.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                true
            }
        })
    };
    let ran = py.detach(|| catch_unwind(AssertUnwindSafe(|| dimorph_core::interrupt::with_check(check, f))));
    match ran {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(dimorph_core::interrupt::Interrupted)) => {
            let e = raised.lock().unwrap_or_else(|p| p.into_inner()).take();
            Err(e.unwrap_or_else(|| PyKeyboardInterrupt::new_err("dimorph: the engine call was interrupted")))
        }
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(no message)".into());
            Err(InternalError::new_err(format!(
                "internal error in the dimorph engine (a bug; please report it with the data): {what}"
            )))
        }
    }
}

/// Runs an engine call with [`guarded`] and raises its error as `dimorph.InputError`.
pub fn run_engine<T: Send, E: std::fmt::Display + Send>(
    py: Python<'_>,
    f: impl FnOnce() -> Result<T, E> + Send,
) -> PyResult<T> {
    guarded(py, f)?.map_err(input_error)
}

/// Panics on purpose, so that the tests can check that a panic never aborts the interpreter:
/// inside the engine boundary ([`guarded`]) it becomes `dimorph.InternalError`; outside it
/// (`inside=False`) PyO3 itself raises `pyo3_runtime.PanicException`.
#[pyfunction]
#[pyo3(signature = (msg, inside=true))]
pub fn _panic_for_tests(py: Python<'_>, msg: String, inside: bool) -> PyResult<()> {
    if !inside {
        panic!("{msg}");
    }
    guarded(py, move || -> () { panic!("{msg}") })
}

/// One tidy table as `(name, columns, data)`, `data` one Python list per column: numbers as
/// float (NaN kept), integers as int, text as str, booleans as bool, missing as None.
fn table_tuple<'py>(py: Python<'py>, t: &TidyTable) -> PyResult<Bound<'py, PyAny>> {
    let mut data = Vec::with_capacity(t.columns.len());
    for j in 0..t.columns.len() {
        let col = PyList::empty(py);
        for row in &t.rows {
            match row.get(j).unwrap_or(&Cell::Missing) {
                Cell::Num(x) => col.append(*x)?,
                Cell::Int(i) => col.append(*i)?,
                Cell::Text(s) => col.append(s)?,
                Cell::Bool(b) => col.append(*b)?,
                Cell::Missing => col.append(py.None())?,
            }
        }
        data.push(col);
    }
    (t.name.as_str(), t.columns.clone(), data)
        .into_pyobject(py)
        .map(Bound::into_any)
}

/// The outcome of `command` as a dict (see the module documentation). `input` names each input
/// by its role, `options` are the options as used, as in the CLI's envelope.
pub fn outcome_dict<'py, O: Serialize + ?Sized, R: Serialize>(
    py: Python<'py>,
    command: &str,
    input: Value,
    options: &O,
    outcome: &Outcome<R>,
) -> PyResult<Bound<'py, PyDict>> {
    let env = envelope(
        command,
        env!("CARGO_PKG_VERSION"),
        input,
        options,
        &outcome.result,
        &outcome.warnings,
        &[],
    );
    let json = serde_json::to_string_pretty(&env).map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
    let d = PyDict::new(py);
    d.set_item("command", command)?;
    d.set_item("json", json)?;
    d.set_item("text", outcome.to_text())?;
    d.set_item("summary", outcome.summary.clone())?;
    d.set_item("warnings", outcome.warnings.clone())?;
    let tables = PyList::empty(py);
    for t in &outcome.tables {
        tables.append(table_tuple(py, t)?)?;
    }
    d.set_item("tables", tables)?;
    let files = PyDict::new(py);
    for f in &outcome.files {
        match std::str::from_utf8(&f.bytes) {
            Ok(s) => files.set_item(&f.name, s)?,
            Err(_) => files.set_item(&f.name, PyBytes::new(py, &f.bytes))?,
        }
    }
    d.set_item("files", files)?;
    Ok(d)
}
