//! Data in: a [`dimorph_data::Frame`] from Python columns or from a file.
//!
//! The Python side (`dimorph/_data.py`) reduces a pandas, polars or pyarrow table, or a dict of
//! arrays, to one of two kinds per column, and this module copies each once into the frame:
//!
//! - a 1-D float64 numpy array (missing = NaN) → a numeric column;
//! - a list of `str | None` → typed by the CSV reader's rule ([`column_from_cells`]): numeric
//!   when every non-missing cell is a number, else text that remembers its first non-numeric
//!   cell. A cell is missing when it is None or one of the CSV reader's missing tokens (`""`,
//!   `NA`, `NaN`, `.`, …), so a table gives the same frame as its CSV file.
//!
//! Rows are numbered from 1 (`first_line = 1`): "line 3" in a message is the third row.

use dimorph_data::{column_from_cells, is_missing_token, Column, ColumnData};
use numpy::{PyReadonlyArray1, PyUntypedArrayMethods};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::outcome::{guarded, input_error};

/// A table of named columns in dimorph's own form (numbers as float64, text as str), as the
/// engines read it. Made by `dimorph` from a DataFrame, a dict of arrays or a file.
#[pyclass(module = "dimorph._dimorph", name = "Frame", frozen)]
pub struct PyFrame {
    pub inner: dimorph_data::Frame,
}

#[pymethods]
impl PyFrame {
    /// Number of rows.
    #[getter]
    fn nrows(&self) -> usize {
        self.inner.nrows
    }

    /// Column names, in order.
    #[getter]
    fn names(&self) -> Vec<String> {
        self.inner.names().into_iter().map(String::from).collect()
    }

    /// Where the data came from (a path, or a description such as 'pandas DataFrame'); messages
    /// name it.
    #[getter]
    fn source(&self) -> String {
        self.inner.source.clone()
    }

    /// Line of the first row in messages (2 for a CSV file with a header, 1 for in-memory data).
    #[getter]
    fn first_line(&self) -> usize {
        self.inner.first_line
    }

    /// The values of column `name`: a float64 numpy array for a numeric column, a list of
    /// `str | None` for a text column.
    fn column<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        let c = self.inner.column(name).map_err(input_error)?;
        Ok(match &c.data {
            ColumnData::Num(v) => numpy::PyArray1::from_slice(py, v).into_any(),
            ColumnData::Text { values, .. } => PyList::new(py, values)?.into_any(),
        })
    }

    /// Pickling (joblib, multiprocessing): the frame is rebuilt from its source, first line, names
    /// and columns by [`frame_restore`].
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
        let restore = py.import("dimorph._dimorph")?.getattr("frame_restore")?;
        let names = self.names();
        let columns = names.iter().map(|n| self.column(py, n)).collect::<PyResult<Vec<_>>>()?;
        let args = (self.source(), self.first_line(), names, columns)
            .into_pyobject(py)?
            .into_any();
        Ok((restore, args))
    }

    /// Whether column `name` is numeric.
    fn is_numeric(&self, name: &str) -> PyResult<bool> {
        Ok(self.inner.column(name).map_err(input_error)?.is_numeric())
    }

    fn __len__(&self) -> usize {
        self.inner.nrows
    }

    fn __repr__(&self) -> String {
        format!(
            "<dimorph Frame from {}: {} rows × {} columns>",
            self.inner.source,
            self.inner.nrows,
            self.inner.columns.len()
        )
    }
}

/// Reads a CSV or Parquet file (by extension: `.parquet`/`.pq` is Parquet) with dimorph's own
/// reader, as the CLI's `--data` does.
#[pyfunction]
pub fn read_table(py: Python<'_>, path: std::path::PathBuf) -> PyResult<PyFrame> {
    let inner = guarded(py, move || dimorph_data::read_table(&path))?.map_err(input_error)?;
    Ok(PyFrame { inner })
}

/// One column from Python: a float64 array or a list of `str | None`.
fn column(name: &str, values: &Bound<'_, PyAny>) -> PyResult<Column> {
    if let Ok(a) = values.extract::<PyReadonlyArray1<'_, f64>>() {
        return Ok(Column {
            name: name.into(),
            data: ColumnData::Num(crate::arrays::f64_values(&a)),
        });
    }
    if values.cast::<numpy::PyUntypedArray>().is_ok_and(|a| a.ndim() != 1) {
        return Err(input_error(format!(
            "column '{name}': expected one dimension of values"
        )));
    }
    let cells: Vec<Option<String>> = values.extract().map_err(|_| {
        PyTypeError::new_err(format!(
            "column '{name}': expected a float64 array or a list of str/None, got {}",
            values.get_type().name().map(|n| n.to_string()).unwrap_or_default()
        ))
    })?;
    let cells = cells
        .into_iter()
        .map(|c| c.filter(|s| !is_missing_token(s)).map(|s| s.trim().to_string()))
        .collect();
    Ok(column_from_cells(name, cells, 1))
}

/// A frame from columns: `names[i]` holds `columns[i]` (a float64 array or a list of
/// `str | None`); `source` names the data in messages.
#[pyfunction]
pub fn frame_from_columns(source: String, names: Vec<String>, columns: Vec<Bound<'_, PyAny>>) -> PyResult<PyFrame> {
    if names.len() != columns.len() {
        return Err(input_error(format!(
            "{source}: {} column names for {} columns",
            names.len(),
            columns.len()
        )));
    }
    for (j, n) in names.iter().enumerate() {
        if n.trim().is_empty() {
            return Err(input_error(format!("{source}: column {} has an empty name", j + 1)));
        }
        if names[..j].contains(n) {
            return Err(input_error(format!("{source}: column name '{n}' appears twice")));
        }
    }
    let cols = names
        .iter()
        .zip(&columns)
        .map(|(n, v)| column(n, v))
        .collect::<PyResult<Vec<_>>>()?;
    let mut inner = dimorph_data::Frame::from_columns(&source, cols).map_err(input_error)?;
    inner.first_line = 1;
    Ok(PyFrame { inner })
}

/// A pickled frame made again ([`PyFrame`]'s `__reduce__`): its columns, and the first line its
/// messages and row tables count from.
#[pyfunction]
pub fn frame_restore(
    source: String,
    first_line: usize,
    names: Vec<String>,
    columns: Vec<Bound<'_, PyAny>>,
) -> PyResult<PyFrame> {
    let mut f = frame_from_columns(source, names, columns)?;
    f.inner.first_line = first_line;
    Ok(f)
}
