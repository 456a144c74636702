"""Whole-number options checked before they cross into Rust, so that a negative or huge value is
an :class:`InputError` naming the option (as the CLI's parser refuses it), not an OverflowError from
the conversion. The engines check the ranges that matter (``--max-iter``: 1 to 10,000, …)."""

from __future__ import annotations

from typing import Any, Optional

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
