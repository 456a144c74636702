"""Categorical columns of pandas and polars (a pandas ``Categorical``, a polars ``Enum`` or
``Categorical``) in a model: their categories' order where dimorph can take it, and a warning where
it cannot.

- A response of levels (``family="ordinal"`` or ``"multinomial"``) takes the categories in their
  order as its levels (:func:`category_levels`), as patsy and R's ``factor(levels=)`` do.
- A predictor is coded as the engine codes every column, as the CLI reads the same data from a
  file: text levels sorted as R sorts them, the first the reference; numbers as a number. Where a
  categorical column's own order or kind says otherwise (:func:`categorical_notes`), a
  ``UserWarning`` names the column and the formula term that gives what the categories say
  (``C(col, ref=first)``, or ``C(col)`` for numeric categories), so the model never differs from
  the user's categories without a word.
"""

from __future__ import annotations

import re
import warnings
from typing import Any, List, Optional, Tuple

from . import _dimorph


def response_name(formula: str) -> Optional[str]:
    """The response of ``formula`` when it is a bare column name (``Sat ~ …``), else None."""
    lhs = str(formula).split("~", 1)[0].strip()
    m = re.fullmatch(r"`([^`]+)`|([A-Za-z_.][\w.]*)", lhs)
    return None if m is None else (m.group(1) or m.group(2))


def _categories(data: Any, name: str) -> Optional[Tuple[List[Any], bool]]:
    """The categories of column ``name`` of a pandas or polars DataFrame, in order, with whether
    they are numbers; None when the column is not categorical (or ``data`` is not such a frame)."""
    try:
        import pandas as pd

        if isinstance(data, pd.DataFrame) and name in data.columns:
            dt = data[name].dtype
            if isinstance(dt, pd.CategoricalDtype):
                present = set(data[name].dropna().unique().tolist())
                cats = [c for c in dt.categories.tolist() if c in present]
                return cats, pd.api.types.is_numeric_dtype(dt.categories.dtype)
            return None
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    if name in _polars_columns(data):
        import polars as pl

        lazy = isinstance(data, pl.LazyFrame)
        dt = (data.collect_schema() if lazy else data.schema)[name]
        if isinstance(dt, pl.Enum):
            column = (data.select(name).collect() if lazy else data)[name]
            present = set(column.drop_nulls().unique().to_list())
            return [c for c in dt.categories.to_list() if c in present], False
    return None


def _is_polars(data: Any) -> bool:
    return type(data).__module__.split(".")[0] == "polars"


def _polars_columns(data: Any) -> List[str]:
    """The column names of a polars DataFrame or LazyFrame (a LazyFrame's from its schema, without
    running it), else none."""
    if not _is_polars(data):
        return []
    import polars as pl

    if isinstance(data, pl.LazyFrame):
        return list(data.collect_schema().names())
    return list(data.columns) if isinstance(data, pl.DataFrame) else []


def category_levels(data: Any, response: Optional[str]) -> Optional[List[Any]]:
    """The levels of a categorical response in its categories' order (those the data hold)."""
    if response is None:
        return None
    found = _categories(data, response)
    return None if found is None else found[0]


def categorical_notes(data: Any, formula: str, skip: Optional[str] = None) -> None:
    """Warns for each categorical column the formula names (but ``skip``) that the engine codes
    otherwise than its categories say: numeric categories (used as a number) or a first category
    that is not the reference R's sorted order gives."""
    columns = _polars_columns(data) if _is_polars(data) else getattr(data, "columns", None)
    if columns is None:
        return
    for name in [str(c) for c in columns]:
        if name == skip or not re.search(r"(?<![\w.])" + re.escape(name) + r"(?![\w.])", str(formula)):
            continue
        found = _categories(data, name)
        if found is None or not found[0]:
            continue
        cats, numeric = found
        # C(col) makes a factor of numbers; C(col, ref=…) names the reference
        coded = re.search(r"\bC\(\s*" + re.escape(name) + r"\s*([,)])", str(formula))
        if coded is not None and (numeric or coded.group(1) == ","):
            continue
        if numeric:
            warnings.warn(
                f"column '{name}' is a categorical of numbers: dimorph uses it as a number (as it would "
                f"read the column from a file); write C({name}) in the formula to use it as a factor",
                UserWarning, stacklevel=3)
            continue
        reference = _dimorph.glm_level_order([str(c) for c in cats])[0]
        if reference != str(cats[0]):
            first = str(cats[0]).replace("'", "\\'")
            warnings.warn(
                f"column '{name}' is a categorical whose first category is '{cats[0]}', but dimorph "
                f"orders text levels as R sorts them (reference '{reference}'); "
                f"write C({name}, ref='{first}') in the formula to make '{cats[0]}' the reference",
                UserWarning, stacklevel=3)
