"""``dimorph.dask``: GLMs and reference limits on Dask DataFrames that do not fit one machine.

- :func:`glm` fits a generalized linear model by **distributed IRLS**. A first pass collects each
  factor's levels from every partition (so a level seen in only some partitions still gets its
  column everywhere) and counts the rows used; each partition is then coded into the design matrix
  X, the response and the weights by the Rust engine — either once, kept on its worker
  (``persist=True``), or again at every pass from the DataFrame's source (``persist=False``: the
  partitions are re-read, from Parquet say, so a worker holds a few partitions at a time whatever
  the number of rows). Only the model's columns are read; a partition of numeric columns
  without missing values is coded straight from its float64 arrays (no frame), and a plain
  ``dd.read_parquet`` of local files with numeric model columns is read with pyarrow as Arrow
  tables, without pandas (:data:`ARROW_PARQUET`) — the same parts bit for bit. Each iteration maps one Rust
  function over the partitions — the partition's XᵀWX, XᵀWz and deviance at the current β — and
  the client adds them in partition order and solves. The iterations, the step-halving and the
  stopping rule (|ΔD|/(|D| + 0.1) < ``tol``; Newton–Raphson polish for non-canonical links) are the
  single-machine fit's, run by the same Rust code
  (``dimorph_glm::distributed``), so :func:`glm` equals :func:`dimorph.glm` on the same data to
  rounding (the tests check 1e-10). After the fit three more passes give Pearson χ², the null model
  (refitted over the partitions when there is an offset) and the log-likelihood, and one more
  Rao's score test of the model against the null model (:meth:`DaskGlmResult.score_test`; the
  single-machine ``inference["score"]``): each partition's score U and expected information I at
  the null model's means, added on the client, UᵀI⁻¹U/φ (``dimorph_glm::distributed_score``).
  Frequency weights (``freq=``) weight each row's sums as prior weights do and count each row its
  frequency times in n (residual and null df, dispersion, AIC, BIC), as :func:`dimorph.glm`.
- :func:`refint_estimate` estimates reference limits per group: the rows are shuffled so that each
  group's values are on one worker (in their original order), and each group's limits are computed
  there by the engine — exactly the single-machine :func:`dimorph.refint.estimate` of that group.

Works with any Dask scheduler: a ``distributed.Client`` when one is active, else Dask's default
(threads, or ``dask.config.set(scheduler="synchronous")``).

  The likelihood-ratio tests: the global test (the model against the null model) from the null
  deviance; the Type 3 tests (``type3=``) by refitting, for each term, the model without the
  term's columns — again distributed IRLS over the same partitions (kept or re-read), one refit
  per term, to the single-machine refits' tolerance — so that χ², df and p equal
  :func:`dimorph.glm`'s. Their Wald columns (and the global test's) need no pass: βᵀV⁻¹β over the
  term's columns with the observed-information covariance V at β̂, which the fit has.

  Predictions and residuals (:meth:`DaskGlmResult.predict`, :meth:`DaskGlmResult.residuals`)
  are lazy Dask Series (or DataFrames) with the data's partitions and index: each partition is
  coded with the fit's merged levels and its rows computed by the single-machine engine's own
  row functions at the fit's β, φ and φ(XᵀWX)⁻¹ (``dimorph_glm::distributed_predict``); a row
  with a missing value is NaN, as in memory.

  θ of the negative binomial (``family="negbin"`` without ``theta``) is estimated by maximum
  likelihood as :func:`dimorph.glm` does (MASS's ``glm.nb``): the Poisson fit, then in turn θ by
  Newton's method at the fitted means — each step one pass: every partition's score
  Σ w[ψ(y + θ) − ψ(θ) + log θ + 1 − log(μ + θ) − (y + θ)/(μ + θ)], information (trigamma) and
  log-likelihood, computed by the in-memory fit's own row functions and added on the client —
  and β by distributed IRLS at that θ, each fit starting from the previous β, until the
  log-likelihood and θ settle (``dimorph_glm::distributed_theta``). :attr:`DaskGlmResult.theta`
  and :attr:`DaskGlmResult.theta_se` give θ̂ and its SE; AIC counts θ; the Type 3 refits,
  predictions and residuals use θ̂. Counts that are not over-dispersed have no finite θ̂: the
  Poisson model is fitted, with the single-machine fit's warning. ``start=`` gives starting
  coefficients (a sequence, or a mapping from coefficient names), as in memory.

Profile-likelihood intervals (``profile=True``, :meth:`DaskGlmResult.conf_int` with
``kind="profile"``) are the single-machine fit's, refit for refit: each limit is found by refitting
the model over the partitions with the coefficient held fixed (``dimorph_glm::distributed_profile``;
about 10–20 refits of a few passes each per limit, so hundreds of passes over the data for a
model of a few coefficients: off by default).

PROC LOGISTIC's association table of a binomial fit (:meth:`DaskGlmResult.association`: c,
Somers' D, γ, τₐ) and its Hosmer–Lemeshow test (:meth:`DaskGlmResult.hosmer_lemeshow`, SAS's
LACKFIT) cost one more pass. For the test, and for the table with exact probabilities
(``binwidth=0``), each partition sends its events and non-events at each distinct predicted
probability (``dimorph_glm::probability_groups``: up to one entry, 24 bytes, per row) and the
client adds them; otherwise each partition counts them per bin of predicted probability
(``binwidth=``, SAS's BINWIDTH, default 0.002). Either way the figures are the in-memory ones.
"""

from __future__ import annotations

import functools
import json
import math
import sys
from typing import Any, Dict, List, Optional, Sequence, Union

import numpy as np
import pandas as pd

from . import _dimorph
from ._checks import whole
from ._data import pandas_numeric, to_frame
from ._dimorph import InputError
from ._result import OUTPUTS, to_output
from ._start import start_values

__all__ = ["glm", "refint_estimate", "DaskGlmResult", "DaskRefintResult"]


# -- tasks run on the workers (module functions, so that they pickle by reference) ---------------

def _task(fn):
    """``fn`` as a worker task whose failures reach the client. A Rust panic outside the engines'
    own guard arrives as pyo3's ``PanicException``, which cannot be pickled (its module,
    ``pyo3_runtime``, cannot be imported): `distributed` could not send it back, and the client
    waited for ever. It is raised as :class:`dimorph.InternalError` with the panic's message,
    outside the ``except`` block, so that it does not carry the panic as its ``__context__``
    (`distributed` pickles that too, through tblib)."""

    @functools.wraps(fn)
    def task(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception:
            raise
        except BaseException as e:
            if type(e).__module__ != "pyo3_runtime":
                raise
            message = f"dimorph: internal error in {fn.__name__} (a Rust panic, please report it): {e}"
        raise _dimorph.InternalError(message)

    return task


def _frame(pdf: pd.DataFrame, i: int) -> _dimorph.Frame:
    """Partition ``i`` (0-based, as Dask numbers them) as a Frame whose messages name it: ``dask
    DataFrame, partition 2: line 43: …`` (rows of a partition counted from 1)."""
    return to_frame(pdf, f"partition {i}", source=f"dask DataFrame, partition {i}")


@_task
def _part_levels(pdf: pd.DataFrame, i: int, formula: str, weights: Optional[str]):
    return _dimorph.glm_part_levels(_frame(pdf, i), formula, weights)


def _arrays(pdf: Any, names: List[str]) -> Optional[List[np.ndarray]]:
    """The partition's columns ``names`` as the float64 arrays its frame would hold (a float64
    column's own values, no copy), or None when one is not a numeric column of a pandas frame or
    of an Arrow table (:func:`_read_parquet`)."""
    if _is_arrow_table(pdf):
        out = [_arrow_numeric(pdf.column(n)) if n in pdf.column_names else None for n in names]
        return None if any(a is None for a in out) else out
    if not isinstance(pdf, pd.DataFrame):
        return None
    by_name = {str(c): c for c in pdf.columns}
    out = []
    for name in names:
        s = pdf[by_name[name]] if name in by_name else None
        a = pandas_numeric(s) if isinstance(s, pd.Series) else None
        if a is None:
            return None
        out.append(a)
    return out


@_task
def _design(pdf: pd.DataFrame, i: int, formula: str, columns: List[str], levels, model, weights,
            used: Optional[List[str]] = None):
    """The partition coded: straight from its numeric arrays when the model allows
    (``glm_design_arrays``: no frame, X written once), else through its frame; the same part bit
    for bit either way."""
    arrays = None if used is None else _arrays(pdf, used)
    if arrays is not None:
        part = _dimorph.glm_design_arrays(used, arrays, len(pdf), formula, columns, levels, model, weights)
        if part is not None:
            return part
    return _dimorph.glm_design_part(_frame(pdf, i), formula, columns, levels, model, weights)


# -- partitions of Parquet files read as Arrow (no pandas) -------------------------------------------

#: Read the partitions of a plain ``dd.read_parquet`` of local files with pyarrow as Arrow tables
#: (only the model's columns, no pandas frame) when every column the model reads is numeric
#: (:func:`_parquet_pieces`); False: always through Dask's own reader (pandas partitions).
ARROW_PARQUET = True


def _is_arrow_table(x: Any) -> bool:
    pa = sys.modules.get("pyarrow")
    return pa is not None and isinstance(x, pa.Table)


def _numeric_arrow_type(t: Any) -> bool:
    import pyarrow as pa

    return (pa.types.is_floating(t) and not pa.types.is_float16(t)) or pa.types.is_integer(t) \
        or pa.types.is_boolean(t)


def _arrow_numeric(col: Any) -> Optional[np.ndarray]:
    """A numeric Arrow column as float64 (nulls as NaN): the values pandas gives for it — a
    float64 column without nulls is Arrow's own buffer, not a copy —, or None for other types."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not _numeric_arrow_type(col.type):
        return None
    if not (pa.types.is_float64(col.type) and col.null_count == 0):
        col = pc.fill_null(pc.cast(col, pa.float64(), safe=False), math.nan)
    return np.ascontiguousarray(col.to_numpy(), dtype=np.float64)


@_task
def _read_parquet(path: str, row_groups: Optional[List[int]], columns: List[str]) -> Any:
    """One partition of a Parquet file as Arrow: the row groups ``row_groups`` (None: all), the
    columns ``columns``."""
    import pyarrow.parquet as pq

    f = pq.ParquetFile(path)
    return f.read(columns=columns) if row_groups is None else f.read_row_groups(row_groups, columns=columns)


def _parquet_pieces(ddf: Any, columns: List[str]) -> Optional[List[tuple]]:
    """When ``ddf`` is a plain ``dd.read_parquet`` of local files (no filters, every partition
    kept) whose ``columns`` (those the model reads) are all numeric, each partition's ``(path, row
    groups)``: the passes then read the partitions with pyarrow (:func:`_read_parquet`) and
    code them straight from Arrow's buffers — the values Dask's reader would give, without its
    pandas frame. Else None (Dask's reader; also when Dask's internals are not the expected)."""
    if not ARROW_PARQUET:
        return None
    try:
        import pyarrow.parquet as pq
        from dask.dataframe.dask_expr.io.parquet import ReadParquetFSSpec
        from fsspec.implementations.local import LocalFileSystem

        expr = ddf.expr.optimize()
        if type(expr) is not ReadParquetFSSpec or expr.filters or getattr(expr, "_filtered", False):
            return None
        if not isinstance(expr._dataset_info["fs"], LocalFileSystem):
            return None
        pieces = []
        for part in expr._plan["parts"]:
            path, row_groups, filters = part["piece"]
            if filters or part.get("kwargs"):
                return None
            pieces.append((str(path), None if row_groups is None else [int(g) for g in row_groups]))
        if len(pieces) != ddf.npartitions:
            return None
        for path in sorted({p for p, _ in pieces}):
            schema = pq.read_schema(path)
            if not all(c in schema.names and _numeric_arrow_type(schema.field(c).type) for c in columns):
                return None
        return pieces
    except Exception:  # another Dask, another reader: Dask's own partitions
        return None


@_task
def _part_info(part) -> tuple:
    return (part.n, part.p, part.n_read, part.col_names, part.terms)


@_task
def _fisher(part, beta, model):
    return _dimorph.glm_part_fisher(part, beta, model)


@_task
def _newton(part, kept, beta, model):
    return _dimorph.glm_part_newton(part, kept, beta, model)


@_task
def _stats(part, beta, null, scale, null_scale, model):
    return _dimorph.glm_part_stats(part, beta, null, scale, null_scale, model)


@_task
def _score(part, null, intercept, kept, model):
    return _dimorph.glm_part_score(part, null, intercept, kept, model)


@_task
def _theta(part, beta, theta, model):
    return _dimorph.glm_part_theta(part, beta, theta, model)


@_task
def _select(part, cols):
    return _dimorph.glm_part_select(part, cols)


@_task
def _association(part, beta, binwidth, frequency, model):
    return _dimorph.glm_part_association(part, beta, binwidth, frequency, model)


@_task
def _groups(part, beta, frequency, model):
    return _dimorph.glm_part_groups(part, beta, frequency, model)


_PASSES = {"fisher": _fisher, "newton": _newton, "stats": _stats, "score": _score, "theta": _theta,
           "association": _association, "groups": _groups}


@_task
def _reread(pdf: pd.DataFrame, i: int, code: tuple, keep: Optional[List[int]], kind: str, args: tuple, model):
    """One pass over one partition read again from the DataFrame's source: coded (the columns
    ``keep`` of X, or all), its sums taken, the coded rows let go."""
    part = _design(pdf, i, *code)
    if keep is not None:
        part = _select(part, keep)
    return _PASSES[kind](part, *args, model)


class _Parts:
    """The partitions as the passes see them: coded and kept on the workers (``designs``), or
    re-read and coded at every pass (``parts``, ``code``; ``keep``: the columns of a reduced
    model)."""

    def __init__(self, designs=None, parts=None, code=None, keep=None):
        self.designs, self.parts, self.code, self.keep = designs, parts, code, keep

    def run(self, kind: str, args: tuple, model) -> list:
        import dask
        from dask import delayed

        if self.designs is not None:
            tasks = [delayed(_PASSES[kind])(d, *args, model) for d in self.designs]
        else:
            tasks = [delayed(_reread)(p, i, self.code, self.keep, kind, args, model)
                     for i, p in enumerate(self.parts)]
        return list(dask.compute(*tasks))

    def select(self, keep: List[int]) -> "_Parts":
        """The partitions of the reduced model with the columns ``keep`` of X."""
        import dask
        from dask import delayed

        if self.designs is not None:
            return _Parts(designs=dask.persist(*[delayed(_select)(d, keep) for d in self.designs]))
        return _Parts(parts=self.parts, code=self.code, keep=keep)


# -- the GLM -------------------------------------------------------------------------------------

def glm(
    formula: str,
    ddf: Any,
    family: Optional[str] = None,
    link: Optional[str] = None,
    weights: Optional[str] = None,
    level: float = 0.95,
    *,
    theta: Optional[float] = None,
    dispersion: str = "default",
    tol: float = 1e-8,
    max_iter: int = 25,
    singular_ok: bool = True,
    freq: Optional[str] = None,
    start: Optional[Union[Sequence[float], Dict[str, float], "pd.Series"]] = None,
    type3: Optional[bool] = None,
    profile: Optional[bool] = None,
    binwidth: Optional[float] = None,
    persist: Optional[bool] = None,
    score: bool = True,
    lackfit: Optional[bool] = None,
) -> "DaskGlmResult":
    """Fit a generalized linear model to a Dask DataFrame by distributed IRLS.

    The arguments are :func:`dimorph.glm`'s (same names, same defaults, same messages); the
    result has the same figures (:attr:`~DaskGlmResult.params`, :attr:`~DaskGlmResult.bse`,
    deviances, Pearson χ², dispersion, log-likelihood, AIC, BIC) with Wald tests and intervals.

    Parameters
    ----------
    formula
        R-style formula, e.g. ``"y ~ x + C(region) + offset(log(t))"`` or ``"events/trials ~ dose"``.
    ddf
        A ``dask.dataframe.DataFrame`` (any number of partitions; a pandas DataFrame is accepted
        too and treated as one partition).
    family, link, weights, freq, level, theta, dispersion, tol, max_iter, singular_ok
        As in :func:`dimorph.glm`. ``family="negbin"`` without ``theta`` estimates θ
        (:attr:`DaskGlmResult.theta`); with ``theta`` it is fixed. ``freq`` names a column of
        frequency weights (each row counts that many times; not with ``weights``).
    start
        Starting coefficients (R's ``start``, statsmodels' ``start_params``): one number per
        column of X in order (:attr:`DaskGlmResult.params`' index), or a mapping (dict, pandas
        Series) from every coefficient's name to its value. The wrong number, a value that is not
        finite or a name that is not a coefficient (or a coefficient left out) raises
        :class:`dimorph.InputError` naming ``--start``. From a start the stopping rule holds once,
        as in memory with ``start``, so the fit equals :func:`dimorph.glm` with the same start.
        For the negative binomial with θ estimated, the start of its first (Poisson) fit.
    type3
        Type 3 likelihood-ratio tests (:meth:`DaskGlmResult.type3`): one distributed refit per
        term. ``True`` always, ``False`` never, ``None`` (default) as :func:`dimorph.glm` — up to
        2,000,000 cells (used rows × columns of X), else left out with a warning.
    profile
        ``True``: profile-likelihood intervals at ``level`` (:meth:`DaskGlmResult.conf_int` with
        ``kind="profile"``), equal to :func:`dimorph.glm`'s: about 10–20 distributed refits per
        limit, each of a few passes over the partitions. ``None`` and ``False`` (default): not
        computed (the single-machine fit computes them by default up to 500,000 cells). A
        quasi-likelihood family has none (a warning says so).
    binwidth
        PROC LOGISTIC's bin width for the association table of a binomial fit
        (:meth:`DaskGlmResult.association`; default 0.002, as SAS and :func:`dimorph.glm`). 0:
        exact probabilities, from every partition's distinct predicted probabilities (up to one
        entry per row sent to the client).
    persist
        Where the coded partitions (X, response, weights as float64: about 8 × (columns of X + 3)
        bytes a row) live between the passes. ``True``: coded once and kept on the workers
        (fastest; the workers hold all of them, about 15 GB at 100M rows × 19 columns).
        ``False``: every pass reads each partition again from the DataFrame's source (e.g.
        ``dd.read_parquet``), codes it and lets it go, so a worker holds only the partitions it
        is working on, whatever the number of rows (each pass costs a read of the data). ``None``
        (default): ``True`` up to 2 GiB of coded partitions in all, else ``False``. The result is
        the same bit for bit either way (the same sums, added in the same order).
    score
        Rao's score test of the model against the null model (:meth:`DaskGlmResult.score_test`):
        one more pass over the partitions after the fit. ``False`` leaves it out.
    lackfit
        The Hosmer–Lemeshow test of a binomial fit (:meth:`DaskGlmResult.hosmer_lemeshow`, SAS's
        LACKFIT; :func:`dimorph.glm` always computes it): every partition's events and
        non-events at each distinct predicted probability, added on the client (up to 24 bytes a
        row). ``True`` always, ``False`` never, ``None`` (default) up to 5,000,000 used rows, else
        left out with a warning.

    Returns
    -------
    DaskGlmResult

    Examples
    --------
    >>> import dask.dataframe as dd, pandas as pd, dimorph
    >>> ddf = dd.from_pandas(pd.read_csv("data/crabs.csv"), npartitions=4)
    >>> r = dimorph.dask.glm("satell ~ width + C(color)", ddf, family="poisson")
    >>> r.params
    """
    import dask
    from dask import delayed

    if freq is not None and weights is not None:
        # the single-machine fit's message (RunOptions::validate), before any pass over the data
        raise InputError("--freq: cannot be combined with --weights: a row has either prior weights or a frequency")
    if profile is not None and not isinstance(profile, (bool, np.bool_)):
        raise InputError(f"profile: must be True, False or None, got {profile!r}")
    if lackfit is not None and not isinstance(lackfit, (bool, np.bool_)):
        raise InputError(f"lackfit: must be True, False or None, got {lackfit!r}")
    if isinstance(ddf, pd.DataFrame):
        import dask.dataframe as dd
        ddf = dd.from_pandas(ddf, npartitions=1)
    if not hasattr(ddf, "to_delayed"):
        raise TypeError(f"ddf: expected a dask DataFrame, got {type(ddf).__name__}")
    source = ddf  # the data as given: the default of predict() and residuals()
    columns = [str(c) for c in ddf.columns]
    # the column of weights the partitions read: prior weights, or frequencies (freq=)
    wcol = weights if freq is None else str(freq)
    model = (family, link, None if theta is None else float(theta), _dimorph.glm_events_trials(formula, columns, wcol))
    if binwidth is not None:
        # the single-machine fit's checks and messages: 0 to 1, the binomial family only
        _dimorph.glm_check_binwidth(model, binwidth)
    if persist is not None and not isinstance(persist, (bool, np.bool_)):
        raise InputError(f"persist: must be True, False or None, got {persist!r}")
    # only the columns the model reads are read (Dask passes the selection on to the reader)
    used = _dimorph.glm_model_columns(formula, columns, wcol)
    wanted = set(used)
    keep = [c for c in ddf.columns if str(c) in wanted]
    if len(keep) < len(columns):
        ddf = ddf[keep]
    read = [str(c) for c in ddf.columns]  # the model's columns, in the data's order
    pieces = _parquet_pieces(ddf, read)
    if pieces is not None:  # Parquet read as Arrow, without pandas
        parts = [delayed(_read_parquet)(path, groups, read) for path, groups in pieces]
    else:
        parts = ddf.to_delayed()
    # pass 1: each factor's levels in every partition, and its rows used (complete rows)
    levels = dask.compute(*[delayed(_part_levels)(p, i, formula, wcol) for i, p in enumerate(parts)])
    merged = _dimorph.glm_merge_levels(formula, columns, list(levels), "dask DataFrame", wcol)
    rows_used = sum(lv[1] for lv in levels)
    code = (formula, columns, merged, model, wcol, used)
    if persist is None or not persist:
        # the columns of X from one partition with rows (read and coded once more, not kept)
        first = next(i for i, lv in enumerate(levels) if lv[1] > 0)
        info = dask.compute(delayed(_part_info)(delayed(_design)(parts[first], first, *code)))[0]
        _, p, _, col_names, terms = info
        if persist is None:
            persist = rows_used * 8 * (p + 3) <= _PERSIST_AUTO_MAX_BYTES
    if persist:
        # each partition coded once, kept on its worker
        designs = dask.persist(*[delayed(_design)(p, i, *code) for i, p in enumerate(parts)])
        info = dask.compute(*[delayed(_part_info)(d) for d in designs])
        col_names, terms = next((c, t) for n, _, _, c, t in info if n > 0)
        data = _Parts(designs=designs)
    else:
        data = _Parts(parts=parts, code=code)

    # the engine passes the model while it estimates θ of the negative binomial (it changes)
    raw = _dimorph.glm_fit_distributed(
        formula, columns, merged, col_names, model, lambda kind, args, m=model: data.run(kind, args, m),
        weights=weights, freq=None if freq is None else str(freq), dispersion=dispersion, level=float(level),
        tol=float(tol), max_iter=whole("--max-iter", max_iter), singular_ok=bool(singular_ok),
        rows_used=rows_used, score=bool(score), start=start_values(start, col_names),
    )
    out = json.loads(raw)
    # the fitted model: θ̂ (or the Poisson limit) when θ was estimated; what the Type 3 refits (at
    # θ̂ fixed, as in memory), predictions and residuals use
    model = tuple(out.pop("model"))
    code = (formula, columns, merged, model, wcol, used)
    if not persist:
        data = _Parts(parts=parts, code=code)
    out["persisted"] = bool(persist)
    cells = float(out["n_used"]) * len(col_names)
    if type3 is None and cells > _TYPE3_AUTO_MAX_CELLS:
        out["warnings"].append(
            f"Type 3 likelihood-ratio tests were not computed: the data have {cells:.0f} cells (rows × columns "
            f"of X), above the automatic limit of {_TYPE3_AUTO_MAX_CELLS}; ask for them with type3=True.")
    elif type3 is None or type3:
        try:
            out["type3"] = _type3(formula, columns, col_names, terms, model, data, out, wcol, rows_used)
        except InputError as e:
            if type3:
                raise
            out["warnings"].append(f"Type 3 likelihood-ratio tests were not computed: {e}")
    if profile:
        _profile(out, col_names, model, data, float(level), rows_used)
    if out["family"] == "binomial":
        _binary_tables(out, data, model, binwidth, freq is not None, (lackfit, rows_used))
    design = (formula, columns, merged, model, wcol, used)
    return DaskGlmResult(out, len(parts), design=design, ddf=source)


def _binary_tables(out: Dict[str, Any], data: "_Parts", model, binwidth: Optional[float], frequency: bool,
                   lackfit_rows: Tuple[Optional[bool], int]) -> None:
    """PROC LOGISTIC's association table (``out["association"]``) and, when asked for or within
    the automatic limit, the Hosmer–Lemeshow test (``out["hosmer_lemeshow"]``) of a binomial fit,
    in one pass: each partition's distinct predicted probabilities when the test or exact
    probabilities need them (the groups also give the binned table), else its bins."""
    lackfit, rows_used = lackfit_rows
    bw = 0.002 if binwidth is None else float(binwidth)
    beta = [0.0 if b is None else float(b) for b in out["coef"]]
    note = None if lackfit is not None else _dimorph.glm_lackfit_auto(float(rows_used))
    with_test = bool(lackfit) or (lackfit is None and note is None)
    if with_test or bw == 0:
        # arrays that came back over the network may be unaligned views of the message's buffer
        groups = [tuple(np.require(a, np.float64, ["C_CONTIGUOUS", "ALIGNED"]) for a in g)
                  for g in data.run("groups", (beta, frequency), model)]
        tables = json.loads(_dimorph.glm_groups_tables(groups, bw, with_test))
        out["association"] = tables["association"]
        if with_test:
            out["hosmer_lemeshow"] = tables["hosmer_lemeshow"]
    else:
        bins = data.run("association", (beta, bw, frequency), model)
        out["association"] = json.loads(_dimorph.glm_association_table([tuple(b) for b in bins], bw))
    if note is not None:
        out["warnings"].append(note)
    out["passes"] += 1


def _no_likelihood(out: Dict[str, Any]) -> bool:
    """A quasi-likelihood family (quasibinomial, quasipoisson, Tweedie): its log-likelihood is NaN."""
    return math.isnan(_num(out["loglik"]))


def _profile(out: Dict[str, Any], col_names: List[str], model, data: "_Parts", level: float, rows_used: int) -> None:
    """The profile-likelihood intervals of every coefficient into ``out["profile_ci"]`` (``[lower,
    upper]``, None where a limit was not reached or the coefficient is aliased) and the passes
    they took into ``out["profile_passes"]``; a quasi-likelihood family has none (a warning)."""
    if _no_likelihood(out):
        out["warnings"].append("profile-likelihood intervals were not computed: a quasi-likelihood family has no "
                               "likelihood to profile; conf_int() gives Wald intervals")
        return
    aliased = set(out["aliased"])
    kept = [j for j, c in enumerate(col_names) if c not in aliased]
    limits, passes = _dimorph.glm_profile_distributed(
        model, lambda kind, args: data.run(kind, args, model), [_num(b) for b in out["coef"]],
        [_num(v) for v in out["se_observed"]], [_num(v) for v in out["se_expected"]], kept,
        _num(out["deviance"]), _num(out["dispersion"]), bool(col_names) and col_names[0] == "(Intercept)", level,
        list(range(len(col_names))), rows_used=rows_used)
    out["profile_ci"] = [[None if math.isnan(v) else v for v in lim] for lim in limits]
    out["profile_passes"] = passes
    out["passes"] += passes


_TYPE3_AUTO_MAX_CELLS = 2_000_000
# persist=None keeps the coded partitions on the workers up to this many bytes in all
_PERSIST_AUTO_MAX_BYTES = 2 * 2**30


def _wald(fit, cols: List[int]) -> tuple:
    """The Wald test of the columns ``cols`` with the observed-information covariance: (χ², p)."""
    if not cols:
        return math.nan, math.nan
    return _dimorph.glm_wald_test([_num(b) for b in fit["coef"]], [_num(v) for v in fit["cov_observed"]], cols)


def _type3(formula, columns, col_names, terms, model, data: _Parts, fit, weights, rows_used: int) -> list:
    """One row per term: the model refitted over the partitions without the term's (non-aliased)
    columns, its deviance, and the LR (and F) test; and the Wald test of those columns."""
    aliased = set(fit["aliased"])
    kept = [j for j, c in enumerate(col_names) if c not in aliased]
    estimated = fit["dispersion_method"] != "fixed"
    rows = []
    for label, cols in terms:
        drop = [j for j in cols if j in kept]
        wald, wald_p = _wald(fit, drop)
        row = {"term": label, "df": len(drop), "lr_chi2": None, "lr_p_value": None, "f_value": None,
               "f_p_value": None, "deviance": None, "wald_chi2": wald, "wald_p_value": wald_p}
        if drop:
            keep = [j for j in kept if j not in drop]
            reduced = data.select(keep)
            d_red, _, _ = _dimorph.glm_refit_deviance(
                formula, columns, [col_names[j] for j in keep], bool(keep) and keep[0] == 0 and
                col_names[0] == "(Intercept)", model, lambda kind, args, r=reduced: r.run(kind, args, model),
                weights=weights, rows_used=rows_used)
            del reduced
            lr, p, f, fp = _dimorph.glm_lr_test(d_red, len(drop), _num(fit["deviance"]), _num(fit["dispersion"]),
                                                 _num(fit["df_residual"]), estimated)
            row.update(lr_chi2=lr, lr_p_value=p, f_value=f, f_p_value=fp, deviance=d_red)
        rows.append(row)
    return rows


def _num(x: Any) -> float:
    return math.nan if x is None else float(x)


#: The columns of :meth:`DaskGlmResult.predict` with ``interval=True`` (the single-machine
#: ``predict`` table's) and of :meth:`DaskGlmResult.residuals` with ``kind="all"``.
PREDICTION_COLUMNS = ("eta", "se_eta", "eta_lower", "eta_upper", "fitted", "se_fitted", "fitted_lower",
                      "fitted_upper")
RESIDUAL_COLUMNS = ("y", "fitted", "eta", "response", "pearson", "deviance", "working", "leverage",
                    "std_deviance", "std_pearson", "cooks_distance")


def _model_part(pdf: pd.DataFrame, need: set) -> pd.DataFrame:
    """The partition's columns that the model reads (the others are not converted)."""
    keep = [c for c in pdf.columns if str(c) in need]
    return pdf[keep] if len(keep) < len(pdf.columns) else pdf


@_task
def _predict_partition(pdf: pd.DataFrame, design: tuple, fit: tuple, level: float, column: Optional[str],
                       partition_info=None) -> Any:
    """One partition's predictions by the engine (``glm_part_predict``): the column ``column``
    as a Series, or all of them (``None``), indexed as the partition."""
    formula, columns, levels, model, wcol, need = design
    if len(pdf) == 0:
        a = np.empty((len(PREDICTION_COLUMNS), 0))
    else:
        i = partition_info["number"] if partition_info else 0
        flat = _dimorph.glm_part_predict(_frame(_model_part(pdf, set(need)), i), formula, columns, levels, fit,
                                         model, level, wcol)
        a = np.asarray(flat).reshape(len(PREDICTION_COLUMNS), len(pdf))
    if column is None:
        return pd.DataFrame(dict(zip(PREDICTION_COLUMNS, a)), index=pdf.index)
    return pd.Series(a[PREDICTION_COLUMNS.index(column)], index=pdf.index, name=column)


@_task
def _residual_partition(pdf: pd.DataFrame, design: tuple, fit: tuple, column: Optional[str],
                        partition_info=None) -> Any:
    """One partition's residuals by the engine (``glm_part_residuals``): the column ``column``
    as a Series, or all of them (``None``), indexed as the partition."""
    formula, columns, levels, model, wcol, used = design
    if len(pdf) == 0:
        a = np.empty((len(RESIDUAL_COLUMNS), 0))
    else:
        i = partition_info["number"] if partition_info else 0
        flat = _dimorph.glm_part_residuals(_frame(_model_part(pdf, set(used)), i), formula, columns, levels, fit,
                                           model, wcol)
        a = np.asarray(flat).reshape(len(RESIDUAL_COLUMNS), len(pdf))
    if column is None:
        return pd.DataFrame(dict(zip(RESIDUAL_COLUMNS, a)), index=pdf.index)
    return pd.Series(a[RESIDUAL_COLUMNS.index(column)], index=pdf.index, name=column)


def _lacking(what: str, need: List[str], ddf: Any) -> None:
    """InputError naming the columns of ``need`` that ``ddf`` lacks (before any task runs)."""
    have = [str(c) for c in ddf.columns]
    lacking = [c for c in need if c not in set(have)]
    if lacking:
        raise InputError(f"{what}: the data have no column {', '.join(repr(c) for c in lacking)} that the model "
                         f"reads (columns: {', '.join(have[:20])})")


_RESIDUAL_KINDS = ("deviance", "pearson", "response", "working", "std_deviance", "std_pearson", "leverage",
                   "cooks_distance", "fitted", "eta", "y")


class DaskGlmResult:
    """A GLM fitted by :func:`dimorph.dask.glm`: coefficients, both standard errors, Wald tests and
    intervals, and the fit statistics — the figures of :class:`dimorph.GlmResult` that sums over
    the partitions give —, and lazy predictions and residuals over Dask DataFrames
    (:meth:`predict`, :meth:`residuals`)."""

    def __init__(self, raw: Dict[str, Any], npartitions: int, design: Optional[tuple] = None, ddf: Any = None):
        self._raw = raw
        self.npartitions = npartitions
        self.formula: str = raw["formula"]
        self._design = design
        self._ddf = ddf

    # -- predictions and residuals (lazy, one engine call per partition) ---------------------------
    def _fit_state(self) -> tuple:
        """What each partition needs of the fit: β, the estimated columns, φ(XᵀWX)⁻¹, φ, rank."""
        r = self._raw
        aliased = set(r["aliased"])
        kept = [j for j, c in enumerate(r["coef_names"]) if c not in aliased]
        return ([_num(b) for b in r["coef"]], kept, [_num(v) for v in r["cov_expected"]], _num(r["dispersion"]),
                int(r["rank"]))

    def _data(self, ddf: Any, what: str) -> Any:
        if self._design is None:
            raise InputError(f"{what}: this result has no design (made from a dict, not by dimorph.dask.glm)")
        if ddf is None:
            ddf = self._ddf
        if isinstance(ddf, pd.DataFrame):
            import dask.dataframe as dd
            ddf = dd.from_pandas(ddf, npartitions=1)
        if not hasattr(ddf, "map_partitions"):
            raise TypeError(f"{what}: expected a dask DataFrame, got {type(ddf).__name__}")
        return ddf

    def predict(self, ddf: Any = None, type: str = "response", *, interval: bool = False) -> Any:
        """Predictions for the rows of ``ddf`` (default: the data of the fit), lazily: a Dask
        Series with ``ddf``'s partitions and index, one engine call per partition when computed.

        ``type="response"`` gives the fitted means μ (``fitted``; R's ``predict(type =
        "response")``, statsmodels' ``predict``), ``type="link"`` the linear predictor η
        (``eta``). ``interval=True`` gives instead a Dask DataFrame with the single-machine
        :meth:`dimorph.GlmResult.predict` table's columns (:data:`PREDICTION_COLUMNS`): ``eta``,
        ``se_eta``, ``eta_lower``, ``eta_upper``, ``fitted``, ``se_fitted``, ``fitted_lower``,
        ``fitted_upper`` — Wald intervals on the link scale at the fit's ``level`` from the
        expected-information covariance, mapped back through the inverse link; the delta-method SE
        on the response scale.

        Each partition is coded with the fit's factor levels and coding (the levels merged over
        all the fit's partitions), and its figures are computed by the engine function the
        single-machine fit uses (``dimorph_glm::residuals::predict_rows``), so they equal
        :meth:`dimorph.GlmResult.predict` on the same rows. Offsets are the formula's
        ``offset(...)`` terms evaluated on ``ddf`` (as in memory); the response is not read.
        A row with a missing predictor or offset value gives NaN (as in memory, where the engine
        skips it); the number of such rows is the number of NaN. A factor level the fit did not
        see raises :class:`dimorph.InputError` naming the column, the level and the row of its
        partition (``dask DataFrame, partition K: line L``, rows of a partition counted from 1) — when the
        result is computed, as any error of a lazy Dask computation; a column the model needs
        that ``ddf`` lacks raises at once.
        """
        if type not in ("response", "link"):
            raise InputError(f"predict: type must be 'response' or 'link', got {type!r}")
        ddf = self._data(ddf, "predict")
        formula, columns, levels, model, wcol, _ = self._design
        # the columns X and the offset are coded from (not the response's, not the weights)
        need = _dimorph.glm_model_columns(formula, columns, wcol, design_only=True)
        _lacking("predict", need, ddf)
        design = (formula, columns, levels, model, wcol, need)
        level = float(self._raw.get("options", {}).get("level", 0.95))
        fit = self._fit_state()
        column = None if interval else ("fitted" if type == "response" else "eta")
        index = ddf._meta.index
        if column is None:
            meta = pd.DataFrame({c: pd.Series([], dtype="float64") for c in PREDICTION_COLUMNS}, index=index)
        else:
            meta = pd.Series([], dtype="float64", index=index, name=column)
        return ddf.map_partitions(_predict_partition, design, fit, level, column, meta=meta)

    def residuals(self, ddf: Any = None, kind: str = "deviance") -> Any:
        """Residuals of the rows of ``ddf`` (default: the data of the fit), lazily: a Dask Series
        with ``ddf``'s partitions and index, one engine call per partition when computed.

        ``kind``, as :meth:`dimorph.GlmResult.residuals`: ``deviance`` (default), ``pearson``,
        ``response`` (y − μ), ``working``, ``std_deviance``, ``std_pearson`` (R's
        ``rstandard``), ``leverage`` (the hat matrix's diagonal, from the fit's (XᵀWX)⁻¹),
        ``cooks_distance``, ``fitted``, ``eta``, ``y``; ``"all"`` gives all of them as a Dask
        DataFrame (:data:`RESIDUAL_COLUMNS`). ``ddf`` needs the model's response (and weights)
        columns as well as its predictors; its rows are coded as the fit coded its partitions
        (the fit's factor levels; the response and weights checked as in the fit), and each row's
        residuals are those of the single-machine engine's row function
        (``dimorph_glm::residuals::residual_row``) at the fit's β, φ and covariance. A row with a
        missing response, weight, predictor or offset value gives NaN (as in memory: the row is
        skipped); a bad value (a level the fit did not see, a negative count, …) raises
        :class:`dimorph.InputError` naming its partition, row and column when computed.
        """
        if kind != "all" and kind not in _RESIDUAL_KINDS:
            raise InputError(f"residuals: kind must be one of {', '.join(_RESIDUAL_KINDS)} or 'all', got {kind!r}")
        ddf = self._data(ddf, "residuals")
        design = self._design
        _lacking("residuals", design[5], ddf)
        column = None if kind == "all" else kind
        index = ddf._meta.index
        if column is None:
            meta = pd.DataFrame({c: pd.Series([], dtype="float64") for c in RESIDUAL_COLUMNS}, index=index)
        else:
            meta = pd.Series([], dtype="float64", index=index, name=column)
        return ddf.map_partitions(_residual_partition, design, self._fit_state(), column, meta=meta)

    @property
    def fittedvalues(self) -> Any:
        """Fitted means μ of every row of the fit's data, lazily (NaN for skipped rows)."""
        return self.residuals(kind="fitted")

    def _series(self, key: str, name: str) -> pd.Series:
        return pd.Series([_num(v) for v in self._raw[key]],
                         index=pd.Index(self._raw["coef_names"], name="term"), name=name)

    @property
    def params(self) -> pd.Series:
        """Estimated coefficients by term (NaN for aliased columns)."""
        return self._series("coef", "estimate")

    @property
    def bse(self) -> pd.Series:
        """Standard errors from the expected information (R, statsmodels)."""
        return self._series("se_expected", "std_error")

    @property
    def bse_observed(self) -> pd.Series:
        """Standard errors from the observed information (SAS GENMOD)."""
        return self._series("se_observed", "std_error_observed")

    def cov_params(self) -> pd.DataFrame:
        """φ (XᵀWX)⁻¹ (expected information), by term."""
        names = self._raw["coef_names"]
        p = len(names)
        cov = np.array([_num(v) for v in self._raw["cov_expected"]]).reshape(p, p)
        return pd.DataFrame(cov, index=names, columns=names)

    def tidy(self, *, output: str = "pandas") -> Any:
        """term, estimate, std_error, statistic (z, or t when the dispersion is estimated),
        p_value, conf_low, conf_high (Wald, at ``level``); ``output="polars"``: a polars DataFrame."""
        rows = self._raw["wald"]["rows"]
        df = pd.DataFrame(rows, columns=["term", "estimate", "std_error", "statistic", "p_value",
                                         "conf_low", "conf_high"])
        return to_output(df.astype({c: float for c in df.columns if c != "term"}), output)

    def conf_int(self, kind: str = "wald") -> pd.DataFrame:
        """Intervals at ``level``, by term, as ``conf_low``, ``conf_high``: ``kind="wald"``
        (estimate ± z·SE) or ``"profile"`` (profile likelihood, R's ``confint``, SAS ``LRCI``;
        computed by the fit with ``profile=True``, else :class:`dimorph.InputError`)."""
        if kind == "profile":
            if "profile_ci" not in self._raw:
                why = "a quasi-likelihood family has none" if _no_likelihood(self._raw) else "fit with profile=True"
                raise InputError(f"conf_int(kind='profile'): no profile-likelihood intervals: {why}; use kind='wald'")
            rows = [[math.nan if v is None else v for v in lim] for lim in self._raw["profile_ci"]]
            return pd.DataFrame(rows, columns=["conf_low", "conf_high"],
                                index=pd.Index(self._raw["coef_names"], name="term"), dtype=float)
        if kind != "wald":
            raise InputError(f"conf_int: kind must be 'wald' or 'profile', got {kind!r}")
        t = self.tidy().set_index("term")
        return t[["conf_low", "conf_high"]]

    @property
    def tvalues(self) -> pd.Series:
        return self.tidy().set_index("term")["statistic"]

    @property
    def pvalues(self) -> pd.Series:
        return self.tidy().set_index("term")["p_value"]

    def association(self) -> Dict[str, Any]:
        """PROC LOGISTIC's "Association of Predicted Probabilities and Observed Responses" of a
        binomial fit: ``binwidth``, ``pairs``, ``concordant``, ``discordant``, ``tied`` and their
        percentages, ``somers_d``, ``gamma``, ``tau_a``, ``c`` — the in-memory fit's
        ``binary.association`` with the same ``binwidth`` (default 0.002; 0: exact
        probabilities): each partition counts its events and non-events per bin of predicted
        probability, or at each distinct one, and the client adds them.
        Raises :class:`dimorph.InputError` for other families."""
        if "association" not in self._raw:
            raise InputError(f"association(): PROC LOGISTIC's association table is for the binomial family, "
                             f"not {self._raw['family']}")
        return dict(self._raw["association"])

    def hosmer_lemeshow(self) -> Dict[str, Any]:
        """The Hosmer–Lemeshow goodness-of-fit test of a binomial fit (SAS's LACKFIT): ``chi2``,
        ``df``, ``p_value`` and ``groups`` (each with ``n``, ``observed_events``,
        ``expected_events``, ``observed_nonevents``, ``expected_nonevents``) — the in-memory
        fit's ``binary.hosmer_lemeshow``. Raises :class:`dimorph.InputError` for other families
        and when the fit was made without it (``lackfit=False``, or ``None`` above the automatic
        limit)."""
        if self._raw["family"] != "binomial":
            raise InputError(f"hosmer_lemeshow(): the Hosmer–Lemeshow test is for the binomial family, "
                             f"not {self._raw['family']}")
        if "hosmer_lemeshow" not in self._raw:
            raise InputError("hosmer_lemeshow(): the test was not computed; fit with lackfit=True")
        h = self._raw["hosmer_lemeshow"]
        return {**h, "groups": [dict(g) for g in h["groups"]]}

    def type3(self) -> pd.DataFrame:
        """Type 3 tests, one row per term: term, df, lr_chi2, lr_p_value, f_value and f_p_value
        (R's ``drop1(test = "F")``, when the dispersion is estimated; else NaN), the reduced
        model's deviance, and wald_chi2, wald_p_value (βᵀV⁻¹β over the term's columns, V from the
        observed information, as SAS GENMOD) — the single-machine ``type3`` table's columns.
        Raises :class:`dimorph.InputError` when the fit was made without them (``type3=False``, or
        ``None`` above the automatic limit)."""
        if "type3" not in self._raw:
            raise InputError("type3(): the Type 3 tests were not computed; fit with type3=True")
        df = pd.DataFrame(self._raw["type3"], columns=["term", "df", "lr_chi2", "lr_p_value", "f_value",
                                                       "f_p_value", "deviance", "wald_chi2", "wald_p_value"])
        return df.astype({c: float for c in df.columns if c not in ("term", "df")})

    def global_test(self) -> Dict[str, Any]:
        """The likelihood-ratio test of the model against the null model (the single-machine
        ``inference["global"]``): ``term`` ("model"), ``df`` (non-aliased columns besides the
        intercept), ``lr_chi2`` = (null deviance − deviance)/φ, ``lr_p``, ``f``, ``f_p`` when
        the dispersion is estimated (else NaN), and the Wald test of the same columns
        (``wald_chi2``, ``wald_p``; observed-information covariance)."""
        r = self._raw
        aliased = set(r["aliased"])
        cols = [j for j, c in enumerate(r["coef_names"]) if c not in aliased and c != "(Intercept)"]
        df = len(cols)
        estimated = r["dispersion_method"] != "fixed"
        lr, p, f, fp = _dimorph.glm_lr_test(_num(r["null_deviance"]), df, _num(r["deviance"]),
                                            _num(r["dispersion"]), _num(r["df_residual"]), estimated)
        wald, wald_p = _wald(r, cols)
        return {"term": "model", "df": df, "lr_chi2": lr, "lr_p": p, "f": f, "f_p": fp, "wald_chi2": wald,
                "wald_p": wald_p}

    def score_test(self) -> Dict[str, Any]:
        """Rao's score test of the model against the null model (the single-machine
        ``inference["score"]``; PROC LOGISTIC's global "Score", R's ``anova(null, fit, test =
        "Rao")`` divided by φ): ``chi2`` = UᵀI⁻¹U/φ, ``df``, ``p_value``, and ``note`` saying why
        when ``chi2`` is NaN (a null model without a valid fit or outside the link's range).
        Raises :class:`dimorph.InputError` when the fit was made with ``score=False``."""
        s = self._raw.get("score")
        if s is None:
            raise InputError("score_test(): the score test was not computed; fit with score=True")
        out = {"chi2": _num(s["chi2"]), "df": int(s["df"]), "p_value": _num(s["p_value"])}
        if s.get("note") is not None:
            out["note"] = s["note"]
        return out

    def _f(self, key: str) -> float:
        return _num(self._raw[key])

    deviance = property(lambda self: self._f("deviance"), doc="Residual deviance.")
    null_deviance = property(lambda self: self._f("null_deviance"), doc="Null deviance.")
    pearson_chi2 = property(lambda self: self._f("pearson_chi2"), doc="Pearson χ².")
    df_resid = property(lambda self: self._f("df_residual"), doc="Residual degrees of freedom.")
    df_null = property(lambda self: self._f("df_null"), doc="Null degrees of freedom.")
    scale = property(lambda self: self._f("dispersion"), doc="The dispersion φ.")
    llf = property(lambda self: self._f("loglik"), doc="Log-likelihood (R's logLik).")
    aic = property(lambda self: self._f("aic"), doc="AIC.")
    aicc = property(lambda self: self._f("aicc"), doc="AICc.")
    bic = property(lambda self: self._f("bic"), doc="BIC.")
    nobs = property(lambda self: int(self._f("n_used")),
                    doc="Rows used in the fit (rows with missing values are skipped), as dimorph.glm's nobs.")
    converged = property(lambda self: bool(self._raw["converged"]), doc="Whether IRLS converged.")
    iterations = property(lambda self: int(self._raw["iterations"]), doc="IRLS iterations.")
    passes = property(lambda self: int(self._raw["passes"]), doc="Passes over the partitions in all.")
    persisted = property(lambda self: bool(self._raw.get("persisted", True)),
                         doc="Whether the coded partitions were kept on the workers (persist=), or re-read each pass.")
    warnings = property(lambda self: list(self._raw["warnings"]), doc="Aliased columns, dropped rows, ….")

    @property
    def theta(self) -> Optional[float]:
        """θ̂ of the negative binomial when it was estimated (``family="negbin"`` without
        ``theta``; MASS's ``glm.nb``), else None (also when θ̂ is infinite: the Poisson model
        was fitted, with a warning)."""
        t = self._raw.get("theta")
        return None if t is None else _num(t["theta"])

    @property
    def theta_se(self) -> Optional[float]:
        """The standard error of θ̂ (1/√ of the observed information at the fitted means,
        MASS's ``SE.theta``), or None as :attr:`theta`."""
        t = self._raw.get("theta")
        return None if t is None else _num(t["se"])

    def glance(self, *, output: str = "pandas") -> Any:
        """One row of fit statistics (``output="polars"``: a polars DataFrame)."""
        r = self._raw
        keys = ["family", "link", "n_obs", "n_read", "deviance", "df_residual", "null_deviance", "df_null",
                "pearson_chi2", "dispersion", "loglik", "aic", "aicc", "bic", "rank", "iterations", "converged",
                "passes"]
        return to_output(pd.DataFrame([{k: r[k] if not isinstance(r[k], (int, float)) or k in ("converged",)
                                        else _num(r[k]) for k in keys}]), output)

    def to_dict(self) -> Dict[str, Any]:
        """Everything as plain Python objects (NaN written as None)."""
        return dict(self._raw)

    def __repr__(self) -> str:
        return (f"<DaskGlmResult {self.formula} ({self._raw['family']}, link = {self._raw['link']}): "
                f"{self.nobs} observations in {self.npartitions} partitions, deviance {self.deviance:.6g}>")


# -- reference limits ------------------------------------------------------------------------------

_ROW = "__dimorph_row__"
_LOCAL_SCHEDULERS = ("sync", "synchronous", "single-threaded", "threads", "threading", "processes",
                     "multiprocessing")


def _number_rows(pdf: pd.DataFrame, offsets: List[int], partition_info=None) -> pd.DataFrame:
    i = partition_info["number"] if partition_info else 0
    out = pdf.copy()
    out[_ROW] = np.arange(len(pdf), dtype=np.int64) + offsets[i]
    return out


@_task
def _estimate_partition(pdf: pd.DataFrame, value: str, by: List[str], kwargs: Dict[str, Any]) -> list:
    """Each group of the partition (whole groups, after the shuffle), in its original row order,
    estimated by the engine: [(key, RefintResult)]."""
    from . import refint

    out = []
    if len(pdf) == 0:
        return out
    for key, g in pdf.groupby(by, sort=True, dropna=True):
        g = g.sort_values(_ROW)
        key = key if isinstance(key, tuple) else (key,)
        one = len(by) == 1
        data = g[[value, by[0]]] if one else g[[value]]
        try:
            res = refint.estimate(data, value, by=by[0] if one else None, **kwargs)
        except InputError as e:  # the group cannot be estimated: listed, as the engine lists it
            res = e
        out.append((key, res))
    return out


class DaskRefintResult:
    """Reference limits per group from :func:`dimorph.dask.refint_estimate`: :meth:`tidy` is the
    single-machine ``limits`` table of every group (with the group columns first when ``by`` has
    several), :attr:`groups` each group's own :class:`dimorph.refint.RefintResult`."""

    def __init__(self, by: List[str], groups: Dict[tuple, Any]):
        self.by = by
        self.groups = {k: r for k, r in groups.items() if not isinstance(r, Exception)}
        #: groups that could not be estimated: key → the engine's message
        self.failed = {k: str(r) for k, r in groups.items() if isinstance(r, Exception)}

    def tidy(self, name: Optional[str] = None, *, output: str = "pandas") -> Any:
        """The groups' tidy tables (the main one, or ``name``) stacked, with the ``by`` columns
        first when there are several; ``output="polars"``: a polars DataFrame."""
        if output not in OUTPUTS:
            raise InputError(f"output: must be 'pandas' or 'polars', got {output!r}")
        frames = []
        for key, res in self.groups.items():
            t = res.tidy(name).copy()
            if len(self.by) > 1:
                for col, k in reversed(list(zip(self.by, key))):
                    t.insert(0, col, k)
            frames.append(t)
        if not frames:
            return to_output(pd.DataFrame(), output)
        return to_output(pd.concat(frames, ignore_index=True), output)

    @property
    def warnings(self) -> List[str]:
        out = [w for res in self.groups.values() for w in res.warnings]
        out += [f"{', '.join(map(str, k))}: not estimated: {m}" for k, m in self.failed.items()]
        return out

    def __repr__(self) -> str:
        return f"<DaskRefintResult: {len(self.groups)} groups of {', '.join(self.by)}>"


def refint_estimate(
    ddf: Any,
    value: str,
    by: Union[str, Sequence[str]],
    method: str = "reflim",
    **kwargs: Any,
) -> DaskRefintResult:
    """Reference limits of ``value`` per group of ``by`` (one column or several, e.g.
    ``["analyte", "sex", "age_band"]``) of a Dask DataFrame.

    The rows are shuffled on ``by`` so that each group lies in one partition, numbered first so
    that each group keeps its original row order; each group is then estimated on its worker by
    :func:`dimorph.refint.estimate` (``method`` and the other keyword arguments are its own), so
    its limits are exactly the single-machine ones. Rows whose group is missing are left out.
    Groups come back sorted by key.
    """
    import dask
    from dask import delayed

    bys = [by] if isinstance(by, str) else [str(b) for b in by]
    if not bys:
        raise InputError("--by: give at least one group column")
    columns = [str(c) for c in ddf.columns]
    for c in [value] + bys:
        if c not in columns:
            raise InputError(f"dask DataFrame: no column '{c}' (columns: {', '.join(columns[:20])})")
    d = ddf[[value] + bys]
    lens = d.map_partitions(len).compute()
    offsets = [0] + list(np.cumsum(list(lens))[:-1].astype(int))
    meta = d._meta.assign(**{_ROW: np.array([], dtype=np.int64)})
    d = d.map_partitions(_number_rows, offsets, meta=meta)
    # Dask picks the peer-to-peer shuffle when a distributed client exists; a computation on
    # another scheduler (dask.config.set(scheduler="synchronous")) needs the task-based one
    local = dask.config.get("scheduler", None) in _LOCAL_SCHEDULERS
    d = d.shuffle(on=bys, shuffle_method="tasks" if local else None)
    kw = dict(kwargs, method=method)
    parts = dask.compute(*[delayed(_estimate_partition)(p, value, bys, kw) for p in d.to_delayed()])
    groups = dict(sorted(((k, r) for part in parts for k, r in part), key=lambda kr: kr[0]))
    return DaskRefintResult(bys, groups)
