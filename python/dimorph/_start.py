"""``start=`` of :func:`dimorph.glm` and :func:`dimorph.dask.glm`: starting coefficients (R's
``glm(start = )``, statsmodels' ``start_params``) as one float per column of X, in their order.

Both fits take a sequence in column order (as R's ``start``, and the CLI's ``--start``) or a
mapping — a dict or a pandas Series — from each coefficient's name to its value. A mapping must
name every coefficient once and nothing else; a value must be a number. The engines then check
the length of a sequence and that every value is finite. Every refusal is an
:class:`InputError` naming ``--start``, as the CLI's."""

from __future__ import annotations

from typing import Any, Callable, List, Optional, Sequence, Union

import pandas as pd

from ._dimorph import InputError


def is_mapping(start: Any) -> bool:
    """Whether ``start`` names its coefficients (a dict, a pandas Series or another mapping)."""
    return isinstance(start, pd.Series) or hasattr(start, "keys")


def start_values(start: Any, col_names: Union[Sequence[str], Callable[[], Sequence[str]]]) -> Optional[List[float]]:
    """``start`` as one float per coefficient, in the order of ``col_names`` (the model's columns
    of X; a function giving them is called only for a mapping). None stays None."""
    if start is None:
        return None
    if isinstance(start, (str, bytes)):
        raise InputError(f"--start: expected a sequence or a mapping of coefficients, got {start!r}")
    if is_mapping(start):
        names = list(col_names() if callable(col_names) else col_names)
        given = {str(k): v for k, v in (start.items() if hasattr(start, "items") else start)}
        unknown = [k for k in given if k not in set(names)]
        missing = [c for c in names if c not in given]
        if unknown or missing:
            parts = []
            if unknown:
                parts.append("names no coefficient of the model: " + ", ".join(repr(k) for k in unknown))
            if missing:
                parts.append("lacks " + ", ".join(repr(c) for c in missing))
            raise InputError(f"--start: {'; '.join(parts)} (the coefficients: {', '.join(names)})")
        values = [given[c] for c in names]
    else:
        try:
            values = list(start)
        except TypeError:
            raise InputError(
                f"--start: expected a sequence or a mapping of coefficients, got {type(start).__name__}"
            ) from None
    try:
        return [float(v) for v in values]
    except (TypeError, ValueError) as e:
        raise InputError(f"--start: values must be numbers ({e})") from None
