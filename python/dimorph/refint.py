"""Reference limits (Haeckel, Wosniok & Arzideh 2016; reflimR): estimate them from data, compare
sets of limits with equivalence limits, decide whether to partition, and the paper's Table 1.

Each function runs the engine of ``dimorph refint <analysis>`` with the same options and returns a
:class:`RefintResult`: ``.tidy()`` (the main table), ``.tables``, ``.figures`` (SVG text),
``.to_json()`` (the CLI's envelope), ``.summary()`` (the report text).
"""

from __future__ import annotations

from typing import Optional, Sequence, Tuple, Union

from . import _dimorph
from ._checks import whole_or_none
from ._data import DataLike, to_frame
from ._dimorph import InputError
from ._result import Result

__all__ = ["estimate", "compare", "partition", "table", "RefintResult"]

Limits = Tuple[float, float]


class RefintResult(Result):
    """The result of a reference-limit analysis (see :class:`dimorph.Result`)."""


def _pair(name: str, p: Sequence[float]) -> Limits:
    try:
        lo, hi = p
        return float(lo), float(hi)
    except (TypeError, ValueError):
        raise InputError(f"--{name}: expected two numbers (lower, upper), got {p!r}") from None


def table(
    data: DataLike,
    *,
    z: Optional[float] = None,
    bias: bool = False,
    assumption: Optional[str] = None,
) -> RefintResult:
    """Table 1 of the paper for any analytes: CV_E*, the permissible differences pD at each limit
    (eqs. 3–13) and the CLSI pD%.

    Parameters
    ----------
    data
        A table with columns ``quantity``, ``unit`` (optional), ``rl1``, ``rl2`` (one analyte a row).
    z
        Factor of the equivalence lines: 1.28 (90 %, the paper's default) or e.g. 1.64 (95 %).
    bias
        The procedures' biases differ or are unknown: pu = 1.22·ps_A.
    assumption
        ``lognormal`` (default; needs positive limits) or ``normal``.

    The main table is ``table1`` (one row per analyte).
    """
    raw = _dimorph.refint_table(to_frame(data), z=z, bias=bias, assumption=assumption)
    return RefintResult(raw)


def compare(
    a: Sequence[float],
    b: Union[Sequence[float], Sequence[Sequence[float]]],
    *,
    z: Optional[float] = None,
    bias: bool = False,
    assumption: Optional[str] = None,
) -> RefintResult:
    """Compare the limits of B (one pair, or a list of pairs) with those of A (which define the
    permissible uncertainty) using equivalence limits (eqs. 1–4; for several B, the appendix's
    procedure).

    >>> dimorph.refint.compare((50, 104), (45, 88)).tidy()

    The main table is ``comparison`` (one row per compared set); the figures are the equivalence
    plots (``equivalence.svg``, Figure 2 of the paper).
    """
    pa = _pair("a", a)
    try:
        first = b[0]  # type: ignore[index]
    except (TypeError, IndexError, KeyError):
        raise InputError(f"--b: expected a pair (lower, upper) or a list of pairs, got {b!r}") from None
    pairs = [_pair("b", p) for p in b] if isinstance(first, (tuple, list)) else [_pair("b", b)]  # type: ignore[arg-type]
    raw = _dimorph.refint_compare(pa, pairs, z=z, bias=bias, assumption=assumption)
    return RefintResult(raw)


def estimate(
    data: DataLike,
    value: str,
    by: Optional[str] = None,
    method: str = "reflim",
    *,
    transform: Optional[str] = None,
    seed: Optional[int] = None,
    targets: Optional[Sequence[float]] = None,
    perc_trunc: Optional[float] = None,
    n_min: Optional[int] = None,
    lognormal: Optional[bool] = None,
    nboot: Optional[int] = None,
    model: Optional[str] = None,
    decimals: Optional[int] = None,
    percentiles: Optional[Sequence[float]] = None,
    outliers: Optional[str] = None,
    remove_outliers: bool = False,
) -> RefintResult:
    """Estimate reference limits of the column ``value``, per level of ``by`` when given.

    Parameters
    ----------
    data
        The data (a path, pandas/polars DataFrame, pyarrow Table or dict of arrays).
    value
        Column holding the values.
    by
        Estimate separately for each level of this column (e.g. ``"Sex"``).
    method
        ``reflim`` (reflimR's indirect method, for routine data; default), ``direct``
        (nonparametric percentiles), ``parametric`` (mean ± 1.96 SD on the scale of
        ``transform``), ``robust`` (biweight), ``refiner`` (refineR's inverse modelling: a
        Box–Cox normal fitted to the central part) or ``kosmic`` (Zierk et al. 2020: truncation
        points by the Kolmogorov–Smirnov distance), each with the CLI's defaults.
    transform
        Scale of the parametric method: ``normal`` (default), ``lognormal`` or ``boxcox``.
    seed
        Seed of the bootstrap intervals (methods direct, robust, refiner and kosmic; default
        20160420).
    targets
        Target limits (lower, upper) to judge the estimates against (reflimR's interpretation;
        method reflim only).
    perc_trunc, n_min, lognormal
        reflimR's own options (truncation per cent, count below which a remark is raised, and a
        forced distribution type); method reflim only, reflimR's defaults when not given.
    nboot
        Bootstrap resamples for 95 % intervals of the limits (methods refiner and kosmic; the
        CLI's ``--nboot``; none by default).
    model
        refiner's transformation: ``boxcox`` (default, as refineR's ``findRI``) or ``modboxcox``
        (refineR's modified Box–Cox with a shift); method refiner only.
    decimals
        Decimals the values are rounded to for kosmic's class grid (method kosmic only).
    percentiles
        The percentiles (lower, upper), in per cent, that the limits estimate, e.g. ``(5, 95)`` for
        a 90 % interval (the CLI's ``--percentiles``; methods direct, parametric, robust, refiner
        and kosmic — the last two read their fitted model at these percentiles, as refineR's
        ``getRI(RIperc=...)`` and tidykosmic's ``quantile(fit, probs)`` do; default
        ``(2.5, 97.5)``). The confidence intervals of the limits follow.
    outliers, remove_outliers
        An outlier screen before the estimate, ``"horn"`` or ``"dixon"`` (methods direct,
        parametric and robust; the CLI's ``--outliers``): the flagged values are reported, and left
        out of the estimate with ``remove_outliers=True``.

    The main table is ``limits`` (one row per group and limit, with the percentile it estimates
    and the count of flagged outliers); the figure is the histogram of each group with its limits.
    """
    raw = _dimorph.refint_estimate(
        to_frame(data), value, by=by, method=method, transform=transform,
        seed=whole_or_none("--seed", seed), targets=None if targets is None else _pair("targets", targets),
        perc_trunc=perc_trunc, n_min=whole_or_none("n_min", n_min), lognormal=lognormal,
        nboot=whole_or_none("--nboot", nboot), model=model, decimals=whole_or_none("--decimals", decimals, -3, 9),
        percentiles=None if percentiles is None else _pair("percentiles", percentiles), outliers=outliers,
        remove_outliers=bool(remove_outliers),
    )
    return RefintResult(raw)


def partition(
    data: DataLike,
    value: str,
    by: str,
    method: str = "reflim",
    *,
    transform: Optional[str] = None,
    seed: Optional[int] = None,
    z: Optional[float] = None,
    bias: bool = False,
    assumption: Optional[str] = None,
    perc_trunc: Optional[float] = None,
    n_min: Optional[int] = None,
    lognormal: Optional[bool] = None,
    nboot: Optional[int] = None,
    model: Optional[str] = None,
    decimals: Optional[int] = None,
    outliers: Optional[str] = None,
    remove_outliers: bool = False,
) -> RefintResult:
    """Estimate the limits of ``value`` per level of ``by`` and pooled, compare each limit across the
    groups with equivalence limits and Harris & Boyd's test, and decide whether to partition.

    Takes :func:`estimate`'s options (``outliers`` and ``remove_outliers`` too: a screen of each
    group, methods direct, parametric and robust) and the permissible uncertainty of
    :func:`compare` (``z``, ``bias``, ``assumption``); not ``percentiles``, as the CLI's partition:
    the groups' 2.5th and 97.5th percentiles are compared with Haeckel's permissible uncertainty,
    which is defined for them. The tables are ``limits`` (groups and pooled) and ``decisions``; the
    figures the histograms and the equivalence plot.
    """
    raw = _dimorph.refint_partition(
        to_frame(data), value, by, method=method, transform=transform, seed=whole_or_none("--seed", seed),
        z=z, bias=bias, assumption=assumption, perc_trunc=perc_trunc, n_min=whole_or_none("n_min", n_min),
        lognormal=lognormal, nboot=whole_or_none("--nboot", nboot), model=model,
        decimals=whole_or_none("--decimals", decimals, -3, 9), outliers=outliers,
        remove_outliers=bool(remove_outliers),
    )
    return RefintResult(raw)
