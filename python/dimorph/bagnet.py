"""``dimorph.bagnet``: the BagNet engine's outputs as DataFrames.

BagNet (patch-evidence image classification, Brendel & Bethge 2019; its use for fundus images in
Ilanchezian et al. 2021) stays in the CLI (``dimorph bagnet synth|train|eval|explain``): it needs
the engine built with its default features and, for real images, hours of training. What Python
users need from it are its tables, which ``dimorph bagnet explain --out DIR`` writes:

- ``evidence_stats.csv`` — one row per image: ``image``, ``label`` (true class), ``predicted``,
  ``logit`` (the image's logit), ``frac_above`` / ``frac_below`` (the fractions of patches whose
  logit is above +t / below −t, ``--threshold``), ``max_logit``, ``min_logit`` and
  ``strongest_in_planted`` (synthetic data: whether the strongest patch lies in a planted region;
  NA otherwise) — :func:`read_evidence`;
- ``evidence_by_class.csv`` — the paper's Fig. 4 comparison: ``statistic``, ``mean_negative``,
  ``mean_positive``, ``cohens_d`` (NA when undefined) — :func:`read_evidence` with
  ``by_class=True``;
- ``features.csv`` (``--features``) — one row per patch: ``image``, ``row``, ``col``, ``label``,
  ``logit``, ``f0`` … ``f{C−1}`` (the patch's feature vector, written as float32 prints) — the
  input of the embedding (:class:`dimorph.embed.TSNE`) — :func:`read_features`.

Each reader takes the file or the ``--out`` folder that holds it and returns a pandas DataFrame
(``output="polars"``: a polars one). The header must be the CLI's; a row with the wrong number of
fields, a cell that is not a number (or not TRUE/FALSE/NA) where one is expected, a negative or
fractional patch position raise :class:`dimorph.InputError` naming the file, the line and the
column, as the CLI's messages do.
"""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Union

import numpy as np
import pandas as pd

from ._dimorph import InputError
from ._result import to_output

__all__ = ["read_evidence", "read_features", "EVIDENCE_COLUMNS", "BY_CLASS_COLUMNS", "FEATURE_COLUMNS"]

PathLike = Union[str, "os.PathLike[str]"]

#: The columns of ``evidence_stats.csv``.
EVIDENCE_COLUMNS = ["image", "label", "predicted", "logit", "frac_above", "frac_below", "max_logit", "min_logit",
                    "strongest_in_planted"]
#: The columns of ``evidence_by_class.csv``.
BY_CLASS_COLUMNS = ["statistic", "mean_negative", "mean_positive", "cohens_d"]
#: The leading columns of ``features.csv`` (then ``f0`` … ``f{C−1}``).
FEATURE_COLUMNS = ["image", "row", "col", "label", "logit"]

_NA = ("NA", "")


# -- cells ---------------------------------------------------------------------------------------

def _num(s: str) -> float:
    if s in _NA or s in ("NaN", "nan"):
        return math.nan
    try:
        return float(s)
    except ValueError:
        raise ValueError(f"'{s[:40]}' is not a number") from None


def _position(s: str) -> int:
    try:
        v = int(s)
    except ValueError:
        raise ValueError(f"'{s[:40]}' is not a patch position (a whole number from 0)") from None
    if v < 0:
        raise ValueError(f"'{s}' is not a patch position (a whole number from 0)")
    return v


def _flag(s: str) -> Optional[bool]:
    if s in ("TRUE", "true"):
        return True
    if s in ("FALSE", "false"):
        return False
    if s in _NA:
        return None
    raise ValueError(f"'{s[:40]}' is not TRUE, FALSE or NA")


def _text(s: str) -> str:
    return s


# -- files ---------------------------------------------------------------------------------------

def _file(path: PathLike, name: str) -> Path:
    p = Path(path)
    if p.is_dir():
        p = p / name
    if not p.is_file():
        raise InputError(f"{p}: no such file (give {name} or the folder `dimorph bagnet explain --out` wrote)")
    return p


def _header(p: Path) -> List[str]:
    try:
        with open(p, newline="", encoding="utf-8") as fh:
            first = next(csv.reader(fh), None)
    except UnicodeDecodeError as e:
        raise InputError(f"{p}: line 1: not UTF-8 text ({e.reason})") from None
    if first is None:
        raise InputError(f"{p}: line 1: the file is empty (no header)")
    return first


def _check_header(p: Path, got: List[str], want: Sequence[str], what: str) -> None:
    if list(got) != list(want):
        raise InputError(f"{p}: line 1: not {what}: the header is {','.join(got)[:200]}, expected "
                         f"{','.join(want)[:200]}")


def _scan(p: Path, parsers: List[Callable[[str], Any]], names: List[str]) -> List[List[Any]]:
    """Every data row parsed, or InputError at the first bad one (file, line, column)."""
    rows = []
    with open(p, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        for rec in reader:
            line = reader.line_num
            if len(rec) != len(parsers):
                if not rec:
                    continue
                raise InputError(f"{p}: line {line}: {len(rec)} fields, the header has {len(parsers)}")
            out = []
            for s, f, c in zip(rec, parsers, names):
                try:
                    out.append(f(s))
                except ValueError as e:
                    raise InputError(f"{p}: line {line}: column '{c}': {e}") from None
            rows.append(out)
    return rows


def _output(df: pd.DataFrame, output: str) -> Any:
    return to_output(df, output)


# -- the readers -----------------------------------------------------------------------------------

def read_evidence(path: PathLike, *, by_class: bool = False, output: str = "pandas") -> Any:
    """The evidence statistics of ``dimorph bagnet explain``.

    Parameters
    ----------
    path
        ``evidence_stats.csv`` (or, with ``by_class=True``, ``evidence_by_class.csv``), or the
        ``--out`` folder that holds it.
    by_class
        Read the class comparison (``statistic``, ``mean_negative``, ``mean_positive``,
        ``cohens_d``) instead of the per-image table.
    output
        ``"pandas"`` (default) or ``"polars"``.

    Returns
    -------
    One row per image: ``image``, ``label``, ``predicted`` (text), ``logit``, ``frac_above``,
    ``frac_below``, ``max_logit``, ``min_logit`` (float64; NA → NaN) and
    ``strongest_in_planted`` (pandas' nullable ``boolean``; NA for images without planted
    regions). With ``by_class``: one row per statistic (``cohens_d`` NaN where undefined).

    Raises
    ------
    dimorph.InputError
        A missing file, another header, or a bad row (the file, line and column named).
    """
    if by_class:
        p = _file(path, "evidence_by_class.csv")
        _check_header(p, _header(p), BY_CLASS_COLUMNS, "evidence_by_class.csv of dimorph bagnet explain")
        rows = _scan(p, [_text, _num, _num, _num], BY_CLASS_COLUMNS)
        df = pd.DataFrame(rows, columns=BY_CLASS_COLUMNS)
        df = df.astype({"statistic": object, "mean_negative": "float64", "mean_positive": "float64",
                        "cohens_d": "float64"})
        return _output(df, output)
    p = _file(path, "evidence_stats.csv")
    _check_header(p, _header(p), EVIDENCE_COLUMNS, "evidence_stats.csv of dimorph bagnet explain")
    parsers = [_text, _text, _text, _num, _num, _num, _num, _num, _flag]
    rows = _scan(p, parsers, EVIDENCE_COLUMNS)
    df = pd.DataFrame(rows, columns=EVIDENCE_COLUMNS)
    types: Dict[str, Any] = {c: "float64" for c in EVIDENCE_COLUMNS[3:8]}
    types.update(image=object, label=object, predicted=object, strongest_in_planted="boolean")
    return _output(df.astype(types), output)


def read_features(path: PathLike, *, output: str = "pandas") -> Any:
    """The patch features of ``dimorph bagnet explain --features`` (``features.csv``), e.g. for
    :class:`dimorph.embed.TSNE`.

    Parameters
    ----------
    path
        ``features.csv`` or the ``--out`` folder that holds it.
    output
        ``"pandas"`` (default) or ``"polars"``.

    Returns
    -------
    One row per patch: ``image``, ``label`` (text), ``row``, ``col`` (int64: the patch's
    position in the image's evidence map), ``logit`` (float64) and ``f0`` … ``f{C−1}``
    (float32, as the CLI wrote them).

    Raises
    ------
    dimorph.InputError
        A missing file, another header, or a bad row (the file, line and column named).

    The file is read by pandas' C parser; when it finds anything amiss (or a cell is missing), the
    file is read again line by line to name the first bad cell.
    """
    p = _file(path, "features.csv")
    header = _header(p)
    dim = len(header) - len(FEATURE_COLUMNS)
    want = FEATURE_COLUMNS + [f"f{k}" for k in range(max(dim, 0))]
    _check_header(p, header, want if dim > 0 else FEATURE_COLUMNS + ["f0"],
                  "features.csv of dimorph bagnet explain --features")
    feats = want[len(FEATURE_COLUMNS):]
    types: Dict[str, Any] = {"image": object, "label": object, "row": "int64", "col": "int64", "logit": "float64"}
    types.update({f: "float32" for f in feats})
    df = None
    try:
        df = pd.read_csv(p, dtype=types, na_values=["NA"], keep_default_na=False, engine="c")
        clean = (len(df.columns) == len(want) and not df[["image", "label"]].isna().any().any()
                 and (df["row"] >= 0).all() and (df["col"] >= 0).all()
                 and not df[["logit"] + feats].isna().any().any())
    except (ValueError, pd.errors.ParserError):
        clean = False
    if not clean:
        # name the first bad cell (a missing numeric cell is allowed when it is written NA)
        _scan(p, [_text, _position, _position, _text, _num] + [_num] * len(feats), want)
        if df is None:  # the scan found nothing, yet pandas failed: report pandas' reason
            raise InputError(f"{p}: not readable as features.csv")
    return _output(df, output)
