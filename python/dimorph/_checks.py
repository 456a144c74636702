"""Options checked before they cross into Rust, each error an :class:`InputError` naming the option:
whole numbers (a negative or huge value refused as the CLI's parser refuses it, not an OverflowError
from the conversion; the engines check the ranges that matter, ``--max-iter``: 1 to 10,000, …),
flags (``profile='no'`` is not True), column names (an array where a column is named) and lists
(one text is one name, not its characters)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, List, Optional

import numpy as np

from ._dimorph import InputError

U64_MAX = 2**64 - 1


def whole(option: str, v: Any, lo: int = 0, hi: int = U64_MAX) -> int:
    """``v`` as an int in ``lo..=hi``, else InputError naming ``option`` (CLI spelling)."""
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
        raise InputError(f"{option}: must be a whole number, got {v!r}")
    n = int(v)
    if not lo <= n <= hi:
        raise InputError(f"{option}: must be a whole number, at least {lo} and at most {hi}, got {n}")
    return n


def whole_or_none(option: str, v: Any, lo: int = 0, hi: int = U64_MAX) -> Optional[int]:
    """:func:`whole`, with None passed through (the option's default)."""
    return None if v is None else whole(option, v, lo, hi)


def flag(option: str, v: Any, none: bool = False) -> Any:
    """``v`` as a bool (None passed through when ``none``), else InputError naming ``option``: a
    text such as ``'no'`` is not taken as True."""
    if v is None and none:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    allowed = "True, False or None" if none else "True or False"
    raise InputError(f"{option}: must be {allowed}, got {v!r}")


def column_name(option: str, v: Any) -> Optional[str]:
    """A column's name (None passed through), else InputError naming ``option``: an array or a
    Series given where a column of the data is named."""
    if v is None or isinstance(v, str):
        return v
    raise InputError(
        f"{option}: give the name of a column of the data (e.g. {option}='w'), got a {type(v).__name__}; "
        "to use an array, add it to the data as a column")


def names(option: str, v: Any, split: bool = False) -> Optional[List[Any]]:
    """A list of names or levels (None passed through). One text is one name (``anova='y ~ x'``),
    or, with ``split``, the CLI's comma-separated list (``levels='Low,Medium,High'``)."""
    if v is None:
        return None
    if isinstance(v, str):
        return [t.strip() for t in v.split(",")] if split else [v]
    if isinstance(v, (bytes, Mapping)) or not isinstance(v, Iterable):
        raise InputError(f"{option}: must be a list, got {v!r}")
    return list(v)
