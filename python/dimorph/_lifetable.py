"""``dimorph.lifetable``, ``dimorph.lifelost`` and ``dimorph.decompose``: period life tables (HMD
Methods Protocol v6), life lost / lifesaving by cause of death (Riffe & Solé Auró 2015), and the
difference in life expectancy between two tables by age and cause (Arriaga 1984; Horiuchi,
Wilmoth & Pletcher 2008)."""

from __future__ import annotations

import os
from typing import Any, Dict, Optional, Sequence, Union

import pandas as pd

from . import _dimorph
from ._checks import whole
from ._data import DataLike, to_frame
from ._result import Result


def _source(hmd: Optional[Any], data: Optional[DataLike]) -> Dict[str, Any]:
    """The engine's source arguments: an HMD folder, a file (tidy CSV or HMD folder), or a table."""
    out: Dict[str, Any] = {}
    if hmd is not None:
        out["hmd"] = os.fspath(hmd)
    if data is not None:
        if isinstance(data, (str, os.PathLike)):
            out["data_path"] = os.fspath(data)
        else:
            out["data"] = to_frame(data)
    return out


def _cause_source(kw: Dict[str, Any], prefix: str, causes: Optional[DataLike]) -> None:
    """The engine's cause-of-death arguments (``causes_path`` or ``causes``, after ``prefix``)."""
    if causes is None:
        return
    if isinstance(causes, (str, os.PathLike)):
        kw[f"{prefix}causes_path"] = os.fspath(causes)
    else:
        kw[f"{prefix}causes"] = to_frame(causes, f"{prefix}causes")


def _table_kw(ci: Optional[float], draws: Optional[int], seed: Optional[int], threads: Optional[int],
              open_age: Optional[float]) -> Dict[str, Any]:
    """The life table's interval and open-age options as the engine takes them."""
    return dict(
        ci=None if ci is None else float(ci), draws=None if draws is None else whole("--draws", draws),
        seed=None if seed is None else whole("--seed", seed), threads=None if threads is None else whole("--threads", threads),
        open_age=None if open_age is None else float(open_age),
    )


class LifeTableResult(Result):
    """A period life table and its lifespan variation (see :class:`dimorph.Result`)."""

    @property
    def table(self) -> pd.DataFrame:
        """The life table, one row per age: ``age``, ``mx``, ``qx``, ``ax``, ``lx``, ``dx``,
        ``Lx``, ``Tx``, ``ex`` (the ``lifetable`` table)."""
        return self.tidy()

    @property
    def variation(self) -> pd.DataFrame:
        """Lifespan variation at birth: e0, e-dagger, Keyfitz's H, Gini, SD (one row)."""
        return self.tidy("variation")


def lifetable(
    hmd: Optional[Any] = None,
    data: Optional[DataLike] = None,
    *,
    year: int,
    sex: str,
    radix: float = 100_000.0,
    constant_hazard: bool = False,
    smooth: bool = True,
    ci: Optional[float] = None,
    draws: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    open_age: Optional[float] = None,
) -> LifeTableResult:
    """The period life table of ``year`` and ``sex``, as ``dimorph lifetable`` computes it.

    Parameters
    ----------
    hmd
        An HMD country folder holding ``*.Deaths_1x1.txt`` and ``*.Exposures_1x1.txt``.
    data
        Instead of ``hmd``: a tidy table of deaths and exposures with columns ``year``, ``sex``,
        ``age``, ``deaths``, ``exposure`` (optional ``open_interval``, ``cause``) — a path to such a
        CSV file (or to an HMD folder), or a DataFrame / pyarrow Table / dict of arrays.
    year, sex
        The year, and ``female``, ``male`` or ``total``.
    radix
        l(0) of the table.
    constant_hazard
        Constant hazard within each age (q = 1 − exp(−m)) instead of the HMD a(x).
    smooth
        Kannisto smoothing of the rates at old ages (default, as the HMD); ``False`` keeps the
        observed rates.
    ci, draws, seed, threads
        Confidence intervals at level ``ci`` (e.g. 0.95) of every column of the table and of the
        variation measures, from ``draws`` Poisson draws of the deaths (default 1000; the CLI's
        ``--ci``, ``--draws``, ``--seed``, ``--threads``; the draws do not depend on the threads).
    open_age
        Close the table at this open age (e.g. 100): deaths and exposures from it on are summed into
        one open group (default: the data's own, 110+ in HMD files).

    A table from Python reaches the engine in memory, read with the same columns and checks as a
    file; messages name the table, and their line numbers count a header line.

    >>> dimorph.lifetable("data/hmd/USA", year=2010, sex="male").table
    """
    raw = _dimorph.lifetable(
        whole("--year", year, -(2**31), 2**31 - 1), sex, radix=float(radix), constant_hazard=constant_hazard, smooth=smooth,
        **_table_kw(ci, draws, seed, threads, open_age), **_source(hmd, data)
    )
    return LifeTableResult(raw)


class LifeLostResult(Result):
    """Life lost and lifesaving by cause (see :class:`dimorph.Result`): the paper's Tables 1 and 2,
    the four perspectives by age, lifespan variation and the pyramids (Figures 3–6) as SVG."""

    @property
    def by_age(self) -> pd.DataFrame:
        """The four perspectives as one long table, one row per sex × cause × age: ``deaths``,
        ``save_age``, ``e_saved``, ``years_won``, ``deaths_by_years_left``,
        ``years_won_by_age_lived`` (the ``lifelost_by_age`` table)."""
        return self.tidy()

    @property
    def table1(self) -> pd.DataFrame:
        """Table 1: deaths by cause group and sex (needs cause-of-death data)."""
        return self.tidy("table1_deaths_by_cause")

    @property
    def table2(self) -> pd.DataFrame:
        """Table 2: the four means (age at death, years left, age at saving, age lived) of each
        cause group and sex."""
        return self.tidy("table2_means")

    @property
    def variation(self) -> pd.DataFrame:
        """Lifespan variation at birth per sex."""
        return self.tidy("variation")


def lifelost(
    hmd: Optional[Any] = None,
    data: Optional[DataLike] = None,
    *,
    year: int,
    causes: Optional[DataLike] = None,
    group_column: Optional[str] = None,
    cause: Optional[str] = None,
    sex: str = "both",
    discretisation: str = "continuous",
    save_at: Optional[str] = None,
    cause_shares: str = "age",
    keep_cause: bool = False,
    stationary: bool = False,
    percent: bool = False,
    radix: float = 100_000.0,
    constant_hazard: bool = False,
    smooth: bool = True,
    ci: Optional[float] = None,
    draws: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    open_age: Optional[float] = None,
) -> LifeLostResult:
    """Life lost and lifesaving in ``year`` (Riffe & Solé Auró 2015, eq. 1–11), as
    ``dimorph lifelost`` computes it: for all causes, and with cause-of-death data for each cause
    group.

    Parameters
    ----------
    hmd, data
        Deaths and exposures, as for :func:`lifetable`.
    year
        The year.
    causes
        Deaths by cause: a CSV path or a table with ``year``, ``sex``, ``age``, ``deaths`` and a
        cause column (``group_column``; default ``paper_group``, else ``cause``, else
        ``cause_id``).
    cause
        Analyse only this cause group (besides all causes).
    sex
        ``both`` (default), ``female`` or ``male``.
    discretisation
        ``continuous`` (exact integrals; default) or ``paper`` (the authors' computation).
    save_at
        Where a death is saved inside its age-year: ``mean`` (a + a(x); default) or ``exact``
        (continuous discretisation only).
    cause_shares
        ``age`` (each age's own counts; default) or ``paper`` (abridged log rates interpolated by
        a cubic spline, as the authors did).
    keep_cause
        Save a cause's deaths into the all-cause table instead of the cause-deleted one.
    stationary
        Save the deaths of the table's stationary population, m(a)L(a).
    percent
        Figures in percent of both sexes' total.
    radix, constant_hazard, smooth, ci, draws, seed, threads, open_age
        The life table's options (see :func:`lifetable`).

    >>> r = dimorph.lifelost("data/hmd/USA", year=2010, causes="data/usa_2010_cod.csv")
    >>> r.table2
    """
    kw: Dict[str, Any] = _source(hmd, data)
    _cause_source(kw, "", causes)
    raw = _dimorph.lifelost(
        whole("--year", year, -(2**31), 2**31 - 1), group_column=group_column, cause=cause, sex=sex, discretisation=discretisation,
        save_at=save_at, cause_shares=cause_shares, keep_cause=keep_cause, stationary=stationary,
        percent=percent, radix=float(radix), constant_hazard=constant_hazard, smooth=smooth,
        **_table_kw(ci, draws, seed, threads, open_age), **kw,
    )
    return LifeLostResult(raw)


class DecomposeResult(Result):
    """The difference between two life tables split by age and cause (see :class:`dimorph.Result`):
    Arriaga's discrete decomposition of e(x) and Horiuchi's continuous-change decomposition of e0,
    e-dagger, Gini and SD; with ``years``, one long table over the years and trend figures."""

    @property
    def contributions(self) -> pd.DataFrame:
        """One row per method × measure × age (× cause): ``contribution`` (years) and
        ``percent_of_difference`` (the ``decomposition`` table; ``decomposition_years`` with
        ``years``)."""
        return self.tidy()


def decompose(
    hmd: Optional[Any] = None,
    data: Optional[DataLike] = None,
    *,
    year: Optional[int] = None,
    years: Optional[Union[str, Sequence[int]]] = None,
    sex: str = "female",
    vs_hmd: Optional[Any] = None,
    vs_data: Optional[DataLike] = None,
    vs_year: Optional[int] = None,
    vs_sex: Optional[str] = None,
    causes: Optional[DataLike] = None,
    vs_causes: Optional[DataLike] = None,
    group_column: Optional[str] = None,
    cause_shares: str = "age",
    from_age: float = 0.0,
    steps: int = 50,
    radix: float = 100_000.0,
    constant_hazard: bool = False,
    smooth: bool = True,
    ci: Optional[float] = None,
    draws: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    open_age: Optional[float] = None,
) -> DecomposeResult:
    """The difference in life expectancy (and lifespan variation) between two period life tables,
    first − second, split by age and cause, as ``dimorph lifetable decompose`` computes it. By
    default the sex gap of one population and year: females − males.

    Parameters
    ----------
    hmd, data
        The first table's deaths and exposures (see :func:`lifetable`).
    year, years
        The first table's year; or ``years`` (a list, or a spec such as ``"1933-2019"`` or
        ``"1950,1960,2010"``): the same comparison in each year, one long table and trend figures.
    sex
        The first table's sex (``female`` by default).
    vs_hmd, vs_data, vs_year, vs_sex
        The second table: its data (default: the first's), year (default: ``year``; not with
        ``years``) and sex (default: ``male`` when both tables are of the same data and year, else
        ``sex``).
    causes, vs_causes
        Deaths by cause (a file or a table with year, sex, age, deaths and a cause column) for the
        age × cause decomposition; ``causes`` serves both tables unless ``vs_causes`` is given.
    group_column
        The cause column (default ``paper_group``, else ``cause``, else ``cause_id``).
    cause_shares
        How cause shares by age are formed: ``age`` (default) or ``paper``.
    from_age
        Decompose the difference in e(x) from this age (0: e0); the variation measures are
        decomposed from birth only.
    steps
        Intervals of Horiuchi's line integral (1 to 1000); its error falls as 1/steps².
    radix, constant_hazard, smooth, ci, draws, seed, threads, open_age
        The life tables' options (see :func:`lifetable`): with ``ci``, intervals of every
        contribution.

    >>> r = dimorph.decompose("data/hmd/USA", year=2010, causes="data/usa_2010_cod.csv")
    >>> r.contributions
    """
    kw: Dict[str, Any] = _source(hmd, data)
    vs = _source(vs_hmd, vs_data)
    kw.update({f"vs_{k}": v for k, v in vs.items()})
    _cause_source(kw, "", causes)
    _cause_source(kw, "vs_", vs_causes)
    if years is not None and not isinstance(years, str):
        try:
            years = ",".join(str(whole("--years", y, -(2**31), 2**31 - 1)) for y in years)
        except TypeError:
            raise _dimorph.InputError(f"--years: expected a list of years or a text such as '1933-2019', got {years!r}") from None
    raw = _dimorph.lifetable_decompose(
        year=None if year is None else whole("--year", year, -(2**31), 2**31 - 1), years=years, sex=sex,
        vs_year=None if vs_year is None else whole("--vs-year", vs_year, -(2**31), 2**31 - 1), vs_sex=vs_sex,
        group_column=group_column, cause_shares=cause_shares, from_age=float(from_age),
        steps=whole("--steps", steps, 1, 1000), radix=float(radix), constant_hazard=constant_hazard, smooth=smooth,
        **_table_kw(ci, draws, seed, threads, open_age), **kw,
    )
    return DecomposeResult(raw)
