"""The result of one analysis: what the CLI prints and writes, as Python objects."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Tuple

import pandas as pd

from ._dimorph import InputError

#: The ``output=`` words of the methods that return a table.
OUTPUTS = ("pandas", "polars")


def to_output(df: pd.DataFrame, output: str) -> Any:
    """``df`` as the DataFrame library ``output`` names: ``"pandas"`` (itself) or ``"polars"``
    (``polars.from_pandas``: the index is dropped, a missing number — NaN — becomes null)."""
    if output == "pandas":
        return df
    if output == "polars":
        import polars as pl

        return pl.from_pandas(df)
    raise InputError(f"output: must be 'pandas' or 'polars', got {output!r}")


def table_frame(columns: List[str], data: List[list]) -> pd.DataFrame:
    """A tidy table (column names, one list per column) as a pandas DataFrame."""
    return pd.DataFrame({c: pd.Series(v, dtype=_dtype(v)) for c, v in zip(columns, data)}, columns=columns)


def _dtype(values: list) -> Optional[str]:
    """float64 for numbers with missing values, else pandas' own inference."""
    kinds = {type(v) for v in values if v is not None}
    if kinds and kinds <= {float, int} and (float in kinds or None in values):
        return "float64"
    if not kinds and values:
        return "float64"
    return None


class Result:
    """The outcome of one analysis, as the CLI gives it.

    - :meth:`to_json` is the CLI's ``--format json`` envelope (the same keys, options and numbers):
      ``{command, version, input, options, result, warnings, files}``;
    - :attr:`result` is its ``result`` part as a dict;
    - :meth:`summary` is the report text of ``--format text``;
    - :attr:`tables` are the tidy tables (``--out DIR`` writes them as CSV) as pandas DataFrames,
      the first being the main one (:meth:`tidy`, ``--format csv``);
    - :attr:`figures` are the SVG figures (name → SVG text);
    - :attr:`warnings` what the analysis says you should know (rows skipped, approximations).
    """

    def __init__(self, raw: Dict[str, Any]) -> None:
        self._raw = raw
        self.command: str = raw["command"]
        self.warnings: List[str] = list(raw["warnings"])
        self.headline: List[str] = list(raw["summary"])
        self._tables_raw: List[Tuple[str, List[str], List[list]]] = raw["tables"]
        self._tables: Optional[Dict[str, pd.DataFrame]] = None
        self._envelope: Optional[Dict[str, Any]] = None
        files: Dict[str, Any] = raw["files"]
        self.figures: Dict[str, str] = {n: v for n, v in files.items() if n.endswith(".svg")}
        self.files: Dict[str, Any] = dict(files)

    def to_json(self) -> str:
        """The CLI's JSON envelope (``--format json``) as text."""
        return str(self._raw["json"])

    def to_dict(self) -> Dict[str, Any]:
        """The CLI's JSON envelope as a dict (parsed once; numbers are full precision, undefined
        values None)."""
        if self._envelope is None:
            self._envelope = json.loads(self._raw["json"])
        return self._envelope

    @property
    def result(self) -> Dict[str, Any]:
        """The envelope's ``result``: the engine's typed result."""
        return self.to_dict()["result"]

    @property
    def options(self) -> Dict[str, Any]:
        """The envelope's ``options``: the options as used, defaults filled in."""
        return self.to_dict()["options"]

    def summary(self) -> str:
        """The report text, as ``--format text`` prints it."""
        return str(self._raw["text"])

    @property
    def tables(self) -> Dict[str, pd.DataFrame]:
        """Every tidy table by name, in the CLI's order (the first is the main table)."""
        if self._tables is None:
            self._tables = {name: table_frame(cols, data) for name, cols, data in self._tables_raw}
        return self._tables

    def tidy(self, name: Optional[str] = None, *, output: str = "pandas") -> Any:
        """A tidy table as a DataFrame: the main one (``--format csv``), or the one called ``name``;
        a pandas DataFrame, or a polars one with ``output="polars"`` (missing numbers as null)."""
        if output not in OUTPUTS:
            raise InputError(f"output: must be 'pandas' or 'polars', got {output!r}")
        tables = self.tables
        if name is None:
            if not tables:
                raise ValueError(f"{self.command}: this analysis has no table")
            return to_output(next(iter(tables.values())), output)
        if name not in tables:
            raise KeyError(f"{self.command}: no table named {name!r} (tables: {', '.join(tables)})")
        return to_output(tables[name], output)

    def __repr__(self) -> str:
        lines = "\n".join("  " + s for s in self.headline)
        return f"<dimorph {self.command} result>\n{lines}" if lines else f"<dimorph {self.command} result>"

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:  # IPython
        p.text(repr(self))
