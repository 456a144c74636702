"""Reference limits (Haeckel, Wosniok & Arzideh 2016; reflimR): estimate them from data, compare
sets of limits with equivalence limits, decide whether to partition, verify a laboratory's limits,
draw age-dependent limits, and the paper's Table 1.

Each function runs the engine of ``dimorph refint <analysis>`` with the same options and returns a
:class:`RefintResult`: ``.tidy()`` (the main table), ``.tables``, ``.figures`` (SVG text),
``.to_json()`` (the CLI's envelope), ``.summary()`` (the report text).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from . import _dimorph
from ._checks import flag, whole_or_none
from ._data import DataLike, to_frame
from ._dimorph import InputError
from ._result import Result

__all__ = ["estimate", "compare", "partition", "table", "verify", "age", "RefintResult"]

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
    value: Union[str, Sequence[str]],
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
    zeros: Optional[str] = None,
    where: Optional[Dict[str, Any]] = None,
) -> RefintResult:
    """Estimate reference limits of the column ``value``, per level of ``by`` when given.

    Parameters
    ----------
    data
        The data (a path, pandas/polars DataFrame, pyarrow Table or dict of arrays).
    value
        Column holding the values; or several columns (``["ALT", "AST"]``, the CLI's ``--value
        ALT,AST``), each estimated in the same way, one row per column, group and limit.
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
    zeros
        What method refiner makes of values of 0: ``"censored"`` (default: where the values are
        rounded to a unit u, a 0 enters the fit as a value below u/2, as refineR keeps its zeros)
        or ``"drop"`` (values <= 0 dropped with a count, as reflimR does); the CLI's ``--zeros``.
    where
        Keep only the rows where each column equals its value, e.g. ``{"Sex": "m"}`` (the CLI's
        ``--where Sex=m``; the rows left out are counted).

    The main table is ``limits`` (one row per group and limit, with the percentile it estimates
    and the count of flagged outliers); the figure is the histogram of each group with its limits.
    """
    values = [value] if isinstance(value, str) else [str(v) for v in value]
    if not values:
        raise InputError("--value: name at least one column")
    raw = _dimorph.refint_estimate(
        to_frame(data), values[0], more_values=values[1:], by=by, method=method, transform=transform,
        seed=whole_or_none("--seed", seed), targets=None if targets is None else _pair("targets", targets),
        perc_trunc=perc_trunc, n_min=whole_or_none("n_min", n_min), lognormal=lognormal,
        nboot=whole_or_none("--nboot", nboot), model=model, decimals=whole_or_none("--decimals", decimals, -3, 9),
        percentiles=None if percentiles is None else _pair("percentiles", percentiles), outliers=outliers,
        remove_outliers=bool(remove_outliers), zeros=zeros, filters=_filters(where),
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
    zeros: Optional[str] = None,
    where: Optional[Dict[str, Any]] = None,
) -> RefintResult:
    """Estimate the limits of ``value`` per level of ``by`` and pooled, compare each limit across the
    groups with equivalence limits and Harris & Boyd's test, and decide whether to partition.

    Takes :func:`estimate`'s options (``outliers`` and ``remove_outliers`` too: a screen of each
    group, methods direct, parametric and robust) and the permissible uncertainty of
    :func:`compare` (``z``, ``bias``, ``assumption``); not ``percentiles``, as the CLI's partition:
    the groups' 2.5th and 97.5th percentiles are compared with Haeckel's permissible uncertainty,
    which is defined for them. ``where`` keeps rows as in :func:`estimate`. The tables are
    ``limits`` (groups and pooled) and ``decisions``; the figures the histograms and the
    equivalence plot.
    """
    raw = _dimorph.refint_partition(
        to_frame(data), value, by, method=method, transform=transform, seed=whole_or_none("--seed", seed),
        z=z, bias=bias, assumption=assumption, perc_trunc=perc_trunc, n_min=whole_or_none("n_min", n_min),
        lognormal=lognormal, nboot=whole_or_none("--nboot", nboot), model=model,
        decimals=whole_or_none("--decimals", decimals, -3, 9), outliers=outliers,
        remove_outliers=bool(remove_outliers), zeros=zeros, filters=_filters(where),
    )
    return RefintResult(raw)


def verify(
    data: DataLike,
    value: str,
    limits: Sequence[float],
    mode: str = "transference",
    *,
    where: Optional[Dict[str, Any]] = None,
    method: str = "reflim",
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
    zeros: Optional[str] = None,
) -> RefintResult:
    """Verify a laboratory's reference limits ``limits`` (lower, upper) with the values of ``value``
    (``dimorph refint verify``).

    ``mode="transference"`` (default; CLSI EP28-A3c): the data are at least 20 reference
    individuals, and the limits pass when at most 10 % of them (2 of 20) fall outside.
    ``mode="routine"``: the data are routine results; limits are estimated from them with
    ``method`` (and :func:`estimate`'s options) and each must lie within the equivalence limits of
    the given one (Haeckel et al. 2016; ``z``, ``bias`` and ``assumption`` as in :func:`compare`).
    The estimation options apply to routine mode only. ``where`` keeps the rows where each column
    equals its value, e.g. ``where={"Sex": "m"}`` (the CLI's ``--where Sex=m``; values compared as
    text, numbers written in shortest form).

    The main table is ``verify`` (one row per limit); ``.result["verified"]`` says whether the
    limits pass.
    """
    raw = _dimorph.refint_verify(
        to_frame(data), value, _pair("limits", limits), mode=mode, filters=_filters(where), method=method,
        transform=transform,
        seed=whole_or_none("--seed", seed), z=z, bias=flag("bias", bias), assumption=assumption,
        perc_trunc=perc_trunc, n_min=whole_or_none("n_min", n_min), lognormal=flag("lognormal", lognormal, none=True),
        nboot=whole_or_none("--nboot", nboot), model=model, decimals=whole_or_none("--decimals", decimals, -3, 9),
        zeros=zeros,
    )
    return RefintResult(raw)


def _filters(where: Optional[Dict[str, Any]]) -> List[Tuple[str, str]]:
    if where is None:
        return []
    if not isinstance(where, dict):
        raise InputError(f"--where: expected a dict of column: value, got {where!r}")
    return [(str(k), v if isinstance(v, str) else format(v, "g") if isinstance(v, float) else str(v))
            for k, v in where.items()]


def _three(name: str, v: Optional[Sequence[Any]], kind: Any) -> Optional[List[Any]]:
    if v is None:
        return None
    if isinstance(v, str):
        v = v.split(",")
    try:
        out = [kind(x) for x in v]
    except (TypeError, ValueError):
        out = []
    if len(out) != 3:
        raise InputError(f"--{name}: expected three numbers MU,SIGMA,NU, got {v!r}")
    return out


def age(
    data: DataLike,
    value: str,
    age: str,
    by: Optional[str] = None,
    *,
    window: Optional[float] = None,
    step: Optional[float] = None,
    curves: str = "windows",
    partitions: Optional[float] = None,
    smooth: Optional[str] = None,
    smooth_span: Optional[float] = None,
    smooth_degree: Optional[int] = None,
    lms_df: Optional[Sequence[int]] = None,
    lms_lambda: Optional[Sequence[float]] = None,
    lms_grid: Optional[int] = None,
    unit: Optional[str] = None,
    age_unit: Optional[str] = None,
    method: str = "reflim",
    transform: Optional[str] = None,
    seed: Optional[int] = None,
    perc_trunc: Optional[float] = None,
    n_min: Optional[int] = None,
    lognormal: Optional[bool] = None,
    nboot: Optional[int] = None,
    model: Optional[str] = None,
    decimals: Optional[int] = None,
    zeros: Optional[str] = None,
) -> RefintResult:
    """Age-dependent reference limits of ``value`` over ``age``, per level of ``by`` when given
    (``dimorph refint age``): the 2.5 %, 50 % and 97.5 % curves.

    Parameters
    ----------
    curves
        ``"windows"`` (default): ``method`` (with :func:`estimate`'s options) on the values whose
        age lies in [a, a + ``window``), for a = the lowest age, + ``step``, …; both are needed.
        ``"lms"``: an LMS (Box–Cox Cole & Green, gamlss BCCG) fit with μ, σ and ν smooth in age,
        its curves at ``lms_grid`` ages per group (default 51); ``lms_df`` (MU, SIGMA, NU: spline df
        beyond the constant, default (3, 1, 0)) or ``lms_lambda`` (fixed P-spline penalties).
    partitions
        Choose age partitions from the data (windows only): bands of this width, adjacent bands
        merged while both limits stay within the permissible difference (Haeckel et al. 2016);
        table ``age_partitions``.
    smooth, smooth_span, smooth_degree
        ``"loess"``: smooth the window limits over age (R's loess, span default 0.75, degree 2);
        columns ``lower_smooth``, ``median_smooth``, ``upper_smooth``.
    unit, age_unit
        Units shown on the figure's axes.

    The main table is ``age_windows`` (or ``age_curves`` with LMS); the figure the percentile
    curves.
    """
    raw = _dimorph.refint_age(
        to_frame(data), value, age, by=by, window=window, step=step, curves=curves, partitions=partitions,
        smooth=smooth, smooth_span=smooth_span, smooth_degree=whole_or_none("--smooth-degree", smooth_degree),
        lms_df=_three("lms-df", lms_df, int), lms_lambda=_three("lms-lambda", lms_lambda, float),
        lms_grid=whole_or_none("--lms-grid", lms_grid), unit=unit, age_unit=age_unit, method=method,
        transform=transform, seed=whole_or_none("--seed", seed), perc_trunc=perc_trunc,
        n_min=whole_or_none("n_min", n_min), lognormal=flag("lognormal", lognormal, none=True),
        nboot=whole_or_none("--nboot", nboot), model=model, decimals=whole_or_none("--decimals", decimals, -3, 9),
        zeros=zeros,
    )
    return RefintResult(raw)
