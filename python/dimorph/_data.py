"""Data in: any supported table → a :class:`dimorph._dimorph.Frame` (dimorph's own columns).

Accepted:

- a path (``str`` or ``os.PathLike``) to a CSV or Parquet file, read by dimorph's own reader
  exactly as the CLI's ``--data`` reads it (no Python library involved);
- a pandas ``DataFrame``, a polars ``DataFrame``, a pyarrow ``Table`` or ``RecordBatch``;
- a mapping of column name → numpy array, list or tuple (a "dict of arrays");
- any object with ``__arrow_c_stream__`` (when pyarrow is installed);
- a ``Frame`` made before (reused as is).

Each column becomes either numbers (float64; integers, booleans as 0/1 and decimals are converted,
missing values become NaN) or text (``str``; missing values become None). Text columns follow the
CSV reader's rule: a column whose every non-missing cell is a number is numeric, and the cells
``""``, ``NA``, ``NaN``, ``.``, ``N/A`` and ``null`` are missing — so a table gives the same
results as its CSV file. A pyarrow ``Table``/``RecordBatch`` (or anything with
``__arrow_c_stream__``) whose columns are floats, integers, booleans, utf8 text or dictionaries of
those is read by the engine itself through the Arrow C data interface: each numeric column copied
once from Arrow's buffer into the frame, text read from its buffers, no Python object per cell.
Other tables' numeric columns are copied once into the Rust frame (after whatever conversion to
float64 the library itself performs).
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Mapping
from typing import Any, List, Optional, Tuple, Union

import numpy as np

from . import _dimorph
from ._dimorph import Frame, InputError

#: What the functions of this package accept as data.
DataLike = Any

Column = Union[np.ndarray, List[Optional[str]]]


def _is_missing(x: Any) -> bool:
    if x is None:
        return True
    if isinstance(x, float) and math.isnan(x):
        return True
    if isinstance(x, np.floating) and np.isnan(x):
        return True
    # pandas.NA, pandas.NaT, numpy.datetime64('NaT')
    name = type(x).__name__
    if name in ("NAType", "NaTType"):
        return True
    if isinstance(x, (np.datetime64, np.timedelta64)) and np.isnat(x):
        return True
    return False


def _cell_text(x: Any) -> Optional[str]:
    if _is_missing(x):
        return None
    if isinstance(x, bytes):
        return x.decode("utf-8", errors="replace")
    if isinstance(x, (bool, np.bool_)):
        return "1" if x else "0"
    if isinstance(x, (float, np.floating)):
        return repr(float(x))
    return str(x)


def _numeric_or_text(values: Any) -> Column:
    """A numpy array or a sequence → float64 array (numbers, booleans) or list of text."""
    a = np.asarray(values)
    if a.ndim != 1:
        a = np.asarray(values, dtype=object)
        if a.ndim != 1:
            raise InputError(f"a column must have one dimension, got shape {a.shape}")
    kind = a.dtype.kind
    if kind in "biuf":
        return np.ascontiguousarray(a, dtype=np.float64)
    if kind == "O":
        items = a.tolist()
        if all(_is_missing(x) or (isinstance(x, (int, float, np.number)) and not isinstance(x, np.complexfloating))
               for x in items):
            return np.array([math.nan if _is_missing(x) else float(x) for x in items], dtype=np.float64)
        return [_cell_text(x) for x in items]
    if kind in "US":
        return [_cell_text(x) for x in a.tolist()]
    # dates, times, complex numbers: as text
    return [_cell_text(x) for x in a.tolist()]


def pandas_numeric(s: Any) -> Optional[np.ndarray]:
    """A pandas Series of numbers or booleans as the float64 array the frame takes (missing =
    NaN; a float64 column's own values, not a copy), or None for any other column (text,
    complex, dates, …)."""
    import pandas as pd

    dt = s.dtype
    if not (pd.api.types.is_bool_dtype(dt) or pd.api.types.is_numeric_dtype(dt)) or pd.api.types.is_complex_dtype(dt):
        return None
    return np.ascontiguousarray(s.to_numpy(dtype=np.float64, na_value=np.nan))


def _pandas_columns(df: Any) -> List[Tuple[str, Column]]:
    import pandas as pd

    out: List[Tuple[str, Column]] = []
    for name in df.columns:
        s = df[name]
        if isinstance(s, pd.DataFrame):
            raise InputError(f"pandas DataFrame: column name '{name}' appears twice")
        col = pandas_numeric(s)
        if col is not None:
            out.append((str(name), col))
        elif pd.api.types.is_complex_dtype(s.dtype):
            out.append((str(name), [_cell_text(x) for x in s.tolist()]))
        else:
            out.append((str(name), _numeric_or_text(s.astype(object).to_numpy())))
    return out


def _polars_readable(df: Any) -> bool:
    """Whether every column of a polars DataFrame goes through its Arrow C stream as a type the
    engine reads itself: floats, integers, booleans and strings (exported as string views, ``vu``).
    Categoricals, dates and the rest go column by column (:func:`_polars_columns`)."""
    import polars as pl

    plain = {pl.Float32, pl.Float64, pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32,
             pl.UInt64, pl.Boolean, pl.String}
    return hasattr(df, "__arrow_c_stream__") and all(dt in plain for dt in df.dtypes)


def _polars_columns(df: Any) -> List[Tuple[str, Column]]:
    import polars as pl

    out: List[Tuple[str, Column]] = []
    for s in df.get_columns():
        dt = s.dtype
        if dt.is_numeric() or dt == pl.Boolean:
            col = s.cast(pl.Float64).to_numpy()
            out.append((s.name, np.ascontiguousarray(col, dtype=np.float64)))
        elif dt in (pl.String, pl.Categorical) or isinstance(dt, (pl.Enum, pl.Categorical)):
            out.append((s.name, [None if v is None else str(v) for v in s.cast(pl.String).to_list()]))
        else:
            out.append((s.name, [_cell_text(v) for v in s.to_list()]))
    return out


def _arrow_columns(table: Any) -> List[Tuple[str, Column]]:
    import pyarrow as pa
    import pyarrow.compute as pc

    out: List[Tuple[str, Column]] = []
    for name, col in zip(table.schema.names, table.columns):
        t = col.type
        if pa.types.is_dictionary(t):
            col = col.cast(t.value_type) if hasattr(col, "cast") else pc.cast(col, t.value_type)
            t = col.type
        if (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t)
                or pa.types.is_decimal(t)):
            f = pc.cast(col, pa.float64())
            f = pc.fill_null(f, math.nan)
            arr = f.to_numpy() if isinstance(f, pa.ChunkedArray) else f.to_numpy(zero_copy_only=False)
            out.append((name, np.ascontiguousarray(arr, dtype=np.float64)))
        elif pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
            out.append((name, col.to_pylist()))
        else:
            out.append((name, [_cell_text(v) for v in col.to_pylist()]))
    return out


def _arrow_readable(schema: Any) -> bool:
    """Whether the engine reads every column of an Arrow schema itself (through the C data
    interface, ``_dimorph.frame_from_arrow_stream``): floats, integers, booleans, utf8 text (also
    large and view) and dictionaries of those. Other types (decimals, dates, …) are converted here."""
    import pyarrow as pa

    def ok(t: Any) -> bool:
        if pa.types.is_dictionary(t):
            return pa.types.is_integer(t.index_type) and ok(t.value_type)
        return (pa.types.is_floating(t) and not pa.types.is_float16(t)) or pa.types.is_integer(t) \
            or pa.types.is_boolean(t) or pa.types.is_string(t) or pa.types.is_large_string(t) \
            or (hasattr(pa.types, "is_string_view") and pa.types.is_string_view(t))

    return all(ok(f.type) for f in schema)


def _mapping_columns(m: Mapping) -> List[Tuple[str, Column]]:
    out: List[Tuple[str, Column]] = []
    for name, values in m.items():
        if isinstance(values, (str, bytes)) or np.ndim(values) == 0:
            raise InputError(f"dict of arrays: column '{name}' is a single value, not a sequence of values")
        out.append((str(name), _numeric_or_text(values)))
    return out


def _kind(data: Any) -> Optional[str]:
    """Which library a table comes from, without importing any that is not already loaded."""
    pd = sys.modules.get("pandas")
    if pd is not None and isinstance(data, pd.DataFrame):
        return "pandas DataFrame"
    pl = sys.modules.get("polars")
    if (pd is not None and isinstance(data, pd.Series)) or (pl is not None and isinstance(data, pl.Series)):
        # one column has no column names to write a formula with (a Series also offers
        # __arrow_c_stream__, which would otherwise take it for a table)
        return "series"
    if pl is not None:
        if isinstance(data, pl.LazyFrame):
            return "polars LazyFrame"
        if isinstance(data, pl.DataFrame):
            return "polars DataFrame"
    pa = sys.modules.get("pyarrow")
    if pa is not None:
        if isinstance(data, pa.Table):
            return "pyarrow Table"
        if isinstance(data, pa.RecordBatch):
            return "pyarrow RecordBatch"
    if isinstance(data, Mapping):
        return "dict of arrays"
    if hasattr(data, "__arrow_c_stream__"):
        return "Arrow stream"
    return None


def to_frame(data: DataLike, role: str = "data", source: Optional[str] = None) -> Frame:
    """``data`` as a dimorph :class:`~dimorph._dimorph.Frame` (see the module documentation).

    ``role`` names the argument in messages about an unsupported type; ``source`` names the data in
    the engine's messages (``source: line L: …``; default: its kind, e.g. ``pandas DataFrame``).
    """
    if isinstance(data, Frame):
        return data
    if isinstance(data, (str, os.PathLike)):
        return _dimorph.read_table(os.fspath(data))
    kind = _kind(data)
    if kind == "pandas DataFrame":
        cols = _pandas_columns(data)
    elif kind in ("polars LazyFrame", "polars DataFrame"):
        df = data.collect() if kind == "polars LazyFrame" else data
        kind = "polars DataFrame"
        if _polars_readable(df):
            return _dimorph.frame_from_arrow_stream(source or kind, df.__arrow_c_stream__())
        cols = _polars_columns(df)
    elif kind in ("pyarrow Table", "pyarrow RecordBatch"):
        if _arrow_readable(data.schema):
            return _dimorph.frame_from_arrow_stream(source or kind, data.__arrow_c_stream__())
        cols = _arrow_columns(data)
    elif kind == "dict of arrays":
        cols = _mapping_columns(data)
    elif kind == "Arrow stream":
        import pyarrow as pa

        table = pa.table(data)
        if _arrow_readable(table.schema):
            return _dimorph.frame_from_arrow_stream(source or kind, table.__arrow_c_stream__())
        cols = _arrow_columns(table)
    elif kind == "series":
        raise TypeError(
            f"{role}: got one column ({type(data).__module__}.{type(data).__qualname__}); give a table "
            "whose columns the formula names, e.g. series.to_frame() or df[['y', 'x']]"
        )
    else:
        raise TypeError(
            f"{role}: expected a path, a pandas or polars DataFrame, a pyarrow Table or RecordBatch, "
            f"or a dict of arrays; got {type(data).__module__}.{type(data).__qualname__}"
        )
    return _dimorph.frame_from_columns(source or kind, [n for n, _ in cols], [c for _, c in cols])
