"""``dimorph.glm``: generalized linear models with R's and SAS's output."""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Sequence, Union

import numpy as np
import pandas as pd

from . import _dimorph
from ._categories import categorical_notes, category_levels, response_name
from ._checks import column_name, flag, names, whole, whole_or_none
from ._data import DataLike, to_frame
from ._dimorph import InputError
from ._result import OUTPUTS, Result, table_frame, to_output
from ._start import start_values

_RESIDUAL_KINDS = (
    "deviance", "pearson", "response", "working", "std_deviance", "std_pearson", "leverage",
    "cooks_distance", "fitted", "eta", "y",
)


def glm(
    formula: str,
    data: DataLike,
    family: Optional[str] = None,
    link: Optional[str] = None,
    weights: Optional[str] = None,
    freq: Optional[str] = None,
    level: float = 0.95,
    profile: Optional[bool] = None,
    *,
    type3: Optional[bool] = None,
    theta: Optional[float] = None,
    dispersion: str = "default",
    binwidth: Optional[float] = None,
    tol: float = 1e-8,
    max_iter: int = 25,
    start: Optional[Union[Sequence[float], Mapping[str, float], "pd.Series"]] = None,
    singular_ok: bool = True,
    residuals: bool = False,
    robust: Optional[str] = None,
    cluster: Optional[str] = None,
    event: Optional[str] = None,
    anova: Optional[Sequence[str]] = None,
    threads: Optional[int] = None,
    firth: bool = False,
    levels: Optional[Sequence[Any]] = None,
    ref: Optional[Any] = None,
) -> "GlmResult":
    """Fit a generalized linear model, as ``dimorph glm`` does.

    Parameters
    ----------
    formula
        R-style model formula: ``'disease/total ~ snoring'`` (events/trials),
        ``'satell ~ width + I(width^2)'``, ``'y ~ C(group, ref=a) + x + offset(log(t))'``.
    data
        The data: a path (CSV or Parquet, read by dimorph's reader), a pandas or polars DataFrame,
        a pyarrow Table, or a dict of arrays.
    family
        ``binomial``, ``poisson``, ``gaussian``, ``gamma``, ``inverse-gaussian``, ``negbin``,
        ``quasibinomial``, ``quasipoisson`` or ``tweedie(p)`` (V(μ) = μ^p, p = 0 or p ≥ 1, log
        link by default, as ``statmod::tweedie``). Default: binomial for an events/trials response,
        else gaussian (as R). For a response of levels: ``ordinal`` (cumulative link model,
        ``MASS::polr``, PROC LOGISTIC's default; ``link`` logit, probit, cloglog or loglog) or
        ``multinomial`` (baseline-category logit, ``nnet::multinom``); these return a
        :class:`ModelResult` and take only ``link``, ``weights``, ``freq`` (case weights),
        ``level``, ``tol``, ``max_iter``, ``levels`` and ``ref``.
    link
        ``identity``, ``log``, ``logit``, ``probit``, ``cloglog``, ``loglog``, ``inverse``,
        ``inverse-square``, ``sqrt`` or ``power(λ)``. Default: the family's canonical link.
    weights, freq
        Column of prior weights, or of frequency weights (each row counts that many times).
    level
        Confidence level of every interval.
    profile
        Compute profile-likelihood intervals (one constrained refit per limit): ``True`` always,
        ``False`` never, ``None`` (default) as the CLI does — up to 500,000 cells (used rows ×
        columns of X) and 2e8 rows × columns³. Without them :meth:`GlmResult.tidy` gives Wald intervals.
    type3
        Type 3 likelihood-ratio tests (one refit per term): ``True`` always, ``False`` never,
        ``None`` (default) as the CLI does; the Wald tests are always computed.
    theta
        Fix θ of the negative binomial instead of estimating it.
    dispersion
        ``default`` (1 for binomial, Poisson, negbin; Pearson χ²/df else), ``fixed``,
        ``pearson`` or ``deviance``.
    binwidth
        PROC LOGISTIC's bin width for the association statistics (binomial only; 0 = exact).
    tol, max_iter, singular_ok
        Convergence tolerance on |ΔD|/(|D| + 0.1), most IRLS iterations, and whether aliased
        columns are allowed (R's ``singular.ok``).
    start
        Starting coefficients (R's ``start``, statsmodels' ``start_params``): one number per
        column of X in order (:attr:`GlmResult.params`' index), or a mapping (dict, pandas
        Series) from every coefficient's name to its value, as :func:`dimorph.dask.glm`. The
        wrong number, a value that is not finite or a name that is not a coefficient (or a
        coefficient left out) raises :class:`dimorph.InputError` naming ``--start``. For the
        negative binomial with θ estimated, the start of its first (Poisson) fit.
    residuals
        Include the residuals table in the result now (else :meth:`GlmResult.residuals` computes
        it when first asked).
    robust
        Robust (sandwich) standard errors: ``"hc0"``, ``"hc1"``, ``"hc2"`` or ``"hc3"`` (R's
        ``sandwich::vcovHC``); :attr:`GlmResult.bse` and the tests then use them (z tests).
    cluster
        Column grouping the rows into clusters: cluster-robust standard errors with the factor
        G/(G−1)·(n−1)/(n−k) (Stata, ``sandwich::vcovCL``; with ``robust="hc0"``: G/(G−1)).
    event
        The level of a two-level response (``"yes"``/``"no"``, or a number) whose probability is
        modelled, as PROC LOGISTIC's ``EVENT=``; default for a text response: its first ordered level.
    anova
        Further formulas compared with the model, in order, as R's ``anova(m1, m2, …)``: the
        ``anova`` table of the result.
    threads
        Threads for the passes over the data (default: every core).
    firth
        Firth's penalised likelihood (binomial logit only, as R's ``logistf`` and PROC LOGISTIC
        ``FIRTH``): finite estimates under separation, SEs from the penalised information,
        profile penalised-likelihood intervals and penalised LR tests (Wald ones with
        ``profile=False``). Returns a :class:`ModelResult`.
    levels
        With ``family="ordinal"`` or ``"multinomial"``: the response levels in order, lowest first
        (every value of the response once; a list, or one text with commas as the CLI's
        ``--levels``). Default: a pandas Categorical's (or polars Enum's) categories in their
        order (those the data hold), else numbers in numeric order and text in order of first
        appearance.
    ref
        With ``family="multinomial"``: the reference level of the logits (default: the first
        level, as ``nnet::multinom``; PROC LOGISTIC's default is the last).

    Returns
    -------
    GlmResult, or ModelResult (``firth=True``, ``family="ordinal"`` or ``"multinomial"``)

    Raises
    ------
    dimorph.InputError
        For a bad formula, an unknown column, a non-numeric cell, a refused option or data that do
        not fit the model — with the message the CLI prints.

    Examples
    --------
    >>> import dimorph
    >>> r = dimorph.glm("disease/total ~ snoring", "data/snoring.csv", link="identity")
    >>> r.params
    >>> print(r.summary())
    """
    word = _categorical(family)
    profile, residuals, singular_ok, firth = (
        flag("profile", profile, none=True), flag("residuals", residuals), flag("singular_ok", singular_ok),
        flag("firth", firth))
    type3 = flag("type3", type3, none=True)
    weights, freq = column_name("weights", weights), column_name("freq", freq)
    anova = names("anova", anova)
    levels = names("levels", levels, split=True)
    if word is not None and levels is None:
        levels = category_levels(data, response_name(formula))
    categorical_notes(data, formula, skip=response_name(formula) if word is not None else None)
    if levels is not None and word is None:
        raise InputError("--levels: applies to --family ordinal or multinomial (a response of levels)")
    if ref is not None and word != "multinomial":
        raise InputError("--ref: applies to --family multinomial (the reference level of the logits); "
                         "for a factor predictor write C(col, ref=LEVEL)")
    if firth and word is not None:
        raise InputError("--family: not available with --firth: it fits the binomial logit model, "
                         "not ordinal or multinomial responses")
    if word is not None:
        given = [
            ("--theta", theta is not None), ("--dispersion", dispersion != "default"),
            ("--profile", profile is True), ("--no-profile", profile is False),
            ("--type3", type3 is True), ("--no-type3", type3 is False),
            ("--binwidth", binwidth is not None), ("--start", start is not None),
            ("--no-singular", not singular_ok), ("--residuals", bool(residuals)),
            ("--robust", robust is not None), ("--cluster", cluster is not None),
            ("--event", event is not None), ("--anova", bool(anova)),
            ("--threads", threads is not None),
        ]
        for option, on in given:
            if on:
                raise InputError(
                    f"{option}: does not apply to --family {word} (a likelihood fit of a response of levels, "
                    "with Wald tests and intervals; see dimorph glm --help)")
        frame = to_frame(data)
        raw = _dimorph.glm_categorical(
            frame, formula, ordinal=word == "ordinal", link=link,
            levels=None if levels is None else [_level_text(v) for v in levels],
            reference=None if ref is None else _level_text(ref), weights=weights, freq=freq,
            level=float(level), tol=float(tol), max_iter=whole("--max-iter", max_iter),
        )
        return ModelResult(raw, formula)  # type: ignore[return-value]
    frame = to_frame(data)
    start = start_values(start, lambda: _dimorph.glm_coef_names(
        frame, formula, weights if weights is not None else freq, None if event is None else _level_text(event)))
    opts: Dict[str, Any] = dict(
        family=family, link=link, weights=weights, freq=freq, theta=theta, dispersion=dispersion,
        level=float(level), profile=None if profile is None else bool(profile),
        type3=None if type3 is None else bool(type3), binwidth=binwidth, tol=float(tol),
        max_iter=whole("--max-iter", max_iter), start=start,
        singular_ok=bool(singular_ok), residuals=bool(residuals),
        robust=robust, cluster=cluster, event=None if event is None else _level_text(event),
        anova=None if anova is None else [str(a) for a in anova],
        threads=whole_or_none("--threads", threads),
    )
    if firth:
        raw = _dimorph.glm(frame, formula, None, firth=True, **opts)
        return ModelResult(raw, formula)  # type: ignore[return-value]
    raw = _dimorph.glm(frame, formula, None, **opts)
    return GlmResult(raw, frame, formula, opts, _pandas_index(data))


def _pandas_index(data: Any) -> Optional["pd.Index"]:
    """The index of a pandas DataFrame given as data (rows keep it in predictions and residuals,
    as statsmodels' do), else None."""
    return data.index if isinstance(data, pd.DataFrame) else None


_ORDINAL = ("ordinal", "cumulative", "polr")
_MULTINOMIAL = ("multinomial", "multinom", "glogit")


def _categorical(family: Optional[str]) -> Optional[str]:
    """``"ordinal"`` or ``"multinomial"`` when ``family`` names a model of a response of levels
    (in any of the CLI's spellings), else None."""
    if family is None:
        return None
    f = str(family).strip().lower()
    return "ordinal" if f in _ORDINAL else "multinomial" if f in _MULTINOMIAL else None


def _level_text(v: Any) -> str:
    """A response level as the CLI's ``--levels`` text (whole floats without ``.0``; a boolean as
    the 1 or 0 a boolean column is read as)."""
    if isinstance(v, (bool, np.bool_)):
        return "1" if v else "0"
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


def gee(
    formula: str,
    data: DataLike,
    id: str,
    corstr: str = "independence",
    waves: Optional[str] = None,
    family: Optional[str] = None,
    link: Optional[str] = None,
    weights: Optional[str] = None,
    level: float = 0.95,
    *,
    tol: float = 1e-8,
    max_iter: int = 25,
) -> "ModelResult":
    """Fit a marginal model by generalized estimating equations, as ``dimorph glm --gee`` does
    (R's ``geepack::geeglm``, SAS GENMOD's ``REPEATED`` statement).

    Parameters
    ----------
    formula, data
        As :func:`dimorph.glm`.
    id
        Column naming each row's cluster (subject): geepack's ``id``, SAS's ``SUBJECT=``. Rows of
        a cluster need not be adjacent; at least two clusters.
    corstr
        Working correlation: ``independence`` (default, as geepack), ``exchangeable``, ``ar1`` or
        ``unstructured`` (SAS ``TYPE=IND``, ``EXCH``, ``AR(1)``, ``UN``).
    waves
        Column of each row's wave (visit or time; whole numbers distinct within a cluster):
        rows are ordered by it, ar1 takes lags from it, unstructured one correlation per pair of
        waves. Without it the row order gives the waves, and ar1/unstructured need clusters of
        equal size.
    family, link, weights
        As :func:`dimorph.glm` (``weights`` are prior weights; negbin is refused).
    level
        Confidence level of the Wald intervals (on the empirical standard errors).
    tol, max_iter
        Bound on the largest parameter change of an iteration, and the most iterations.

    Returns
    -------
    ModelResult
        :meth:`~ModelResult.tidy` has the estimates with empirical (sandwich) and model-based
        (``std_error_naive``) standard errors and z tests on the empirical ones; the ``result``
        holds the scale, the correlation parameters ``alpha`` and QIC/QICu (Pan 2001).

    Raises
    ------
    dimorph.InputError
        For a bad formula or column, an unknown structure, or a refused option, with the CLI's
        message.

    Examples
    --------
    >>> r = dimorph.gee("resp ~ age + smoke", "data/ohio.csv", id="id", corstr="exchangeable",
    ...                 family="binomial")
    >>> r.params, r.bse
    """
    frame = to_frame(data)
    raw = _dimorph.glm_gee(
        frame, formula, id=str(id), corstr=str(corstr), waves=waves, family=family, link=link,
        weights=weights, level=float(level), tol=float(tol), max_iter=whole("--max-iter", max_iter),
    )
    return ModelResult(raw, formula)


def anova(
    *formulas: str,
    data: DataLike,
    family: Optional[str] = None,
    link: Optional[str] = None,
    weights: Optional[str] = None,
    freq: Optional[str] = None,
    theta: Optional[float] = None,
    dispersion: str = "default",
    tol: float = 1e-8,
    max_iter: int = 25,
    threads: Optional[int] = None,
    output: str = "pandas",
) -> Any:
    """Analysis of deviance of two or more nested models fitted to the same rows, as
    ``dimorph glm anova`` and R's ``anova(m1, m2, …)`` for ``glm`` fits.

    Parameters
    ----------
    *formulas
        The models in order (two or more; each nested in the next or the next in it).
    data, family, link, weights, freq, theta, dispersion, tol, max_iter, threads
        As :func:`dimorph.glm`, the same for every model.
    output
        ``"pandas"`` (default) or ``"polars"``: a polars DataFrame with ``model`` as its first
        column (polars has no index and no ``attrs``: ask for pandas for the report text and the
        envelope); missing numbers (R's NA of the first row) are null.

    Returns
    -------
    pandas.DataFrame
        One row per model, indexed by ``model`` (1, 2, …): ``formula``, ``df_residual`` (R's
        ``Resid. Df``), ``deviance`` (``Resid. Dev``), ``df`` (``Df``), ``deviance_change``
        (``Deviance``), ``chisq_p_value`` (``Pr(>Chi)``), and, when the dispersion is estimated,
        ``f_value`` and ``f_p_value`` (``F``, ``Pr(>F)``); NaN in the first row as in R.
        ``.attrs["summary"]`` is the report text and ``.attrs["json"]`` the CLI's JSON envelope.

    Raises
    ------
    dimorph.InputError
        Fewer than two formulas, models that are not nested or not fitted to the same rows, a
        bad formula or option — with the CLI's message.

    Examples
    --------
    >>> dimorph.anova("satell ~ width", "satell ~ width + weight", data="data/crabs.csv",
    ...               family="poisson")
    """
    if output not in OUTPUTS:
        raise InputError(f"output: must be 'pandas' or 'polars', got {output!r}")
    frame = to_frame(data)
    raw = _dimorph.glm_anova(
        frame, [str(f) for f in formulas], family=family, link=link, weights=weights, freq=freq,
        theta=theta, dispersion=dispersion, tol=float(tol), max_iter=whole("--max-iter", max_iter),
        threads=whole_or_none("--threads", threads),
    )
    res = Result(raw)
    table = res.tables["anova"]
    out = table.set_index(pd.Index(table["model"].astype("int64"), name="model")).drop(columns=["model"])
    out.attrs["summary"] = res.summary()
    out.attrs["json"] = res.to_json()
    return out if output == "pandas" else to_output(out.reset_index(), output)


class ModelResult(Result):
    """A fit whose estimates are not a GLM's alone: Firth's penalised logistic regression, a GEE
    fit, an ordinal (cumulative link) or multinomial (baseline-category logit) model.

    As every :class:`Result`: :meth:`summary` (the CLI's report), :meth:`tidy` (the coefficients
    table of ``--format csv``), :meth:`to_json` (the CLI's envelope), :attr:`result`. The
    estimates are indexed by ``term``; for a multinomial model, whose terms repeat once per
    non-reference level, by ``(kind, term)`` with ``kind`` the level.
    """

    def __init__(self, raw: Dict[str, Any], formula: str):
        super().__init__(raw)
        self.formula = formula

    def _indexed(self) -> pd.DataFrame:
        t = self.tidy()
        keys = ["kind", "term"] if "kind" in t.columns and t["term"].duplicated().any() else ["term"]
        return t.set_index(keys)

    @property
    def params(self) -> pd.Series:
        """Estimates (for an ordinal model: thresholds first, in polr's signs)."""
        return self._indexed()["estimate"]

    @property
    def bse(self) -> pd.Series:
        """Standard errors (GEE: the empirical, sandwich ones; Firth: from the penalised information)."""
        return self._indexed()["std_error"]

    @property
    def pvalues(self) -> pd.Series:
        """p-values of the tests of the tidy table (Firth: penalised likelihood-ratio tests unless
        ``profile=False``; else Wald z tests)."""
        return self._indexed()["p_value"]

    def conf_int(self) -> pd.DataFrame:
        """The intervals of the tidy table (``conf_method`` says which) as ``lower``, ``upper``."""
        t = self._indexed()
        return t[["conf_low", "conf_high"]].set_axis(["lower", "upper"], axis=1)


def _by_row(df: pd.DataFrame, first_line: int, nrows: int, index: Optional["pd.Index"] = None) -> pd.DataFrame:
    """A table with a ``line`` column re-indexed by row of the data, rows the engine skipped
    (missing values) present as NaN: by the data's own pandas ``index`` when it has one, else by
    row number from 0 (named ``row``)."""
    rows = df["line"].to_numpy(dtype=np.int64) - first_line
    out = df.drop(columns=["line"]).set_axis(pd.Index(rows, name="row"), axis=0)
    out = out.reindex(pd.RangeIndex(nrows, name="row"))
    if index is not None and len(index) == nrows:
        out = out.set_axis(index, axis=0)
    return out


class GlmResult(Result):
    """A fitted GLM: coefficients, standard errors, intervals, tests, fit statistics, the report
    text (R's ``summary.glm``, SAS PROC GENMOD, and PROC LOGISTIC for binomial models), tidy tables,
    predictions and residuals.

    Standard errors: :attr:`bse` from the expected information (R, statsmodels), :attr:`bse_observed`
    from the observed information (SAS GENMOD); they differ only for non-canonical links.
    """

    def __init__(self, raw: Dict[str, Any], frame: _dimorph.Frame, formula: str, opts: Dict[str, Any],
                 index: Optional["pd.Index"] = None):
        super().__init__(raw)
        self._frame = frame
        self._index = index
        self.formula = formula
        self._opts = opts
        self._residuals: Optional[pd.DataFrame] = None

    # -- coefficients ---------------------------------------------------------------------------
    @property
    def _coefs(self) -> list:
        return self.result["inference"]["coefficients"]

    def _series(self, key: str, name: str) -> pd.Series:
        vals = [np.nan if c.get(key) is None else float(c[key]) for c in self._coefs]
        return pd.Series(vals, index=pd.Index([c["name"] for c in self._coefs], name="term"), name=name)

    @property
    def params(self) -> pd.Series:
        """Estimated coefficients, indexed by term (R's names: ``(Intercept)``, ``width``, …)."""
        return self._series("estimate", "estimate")

    @property
    def bse(self) -> pd.Series:
        """Standard errors from the expected (Fisher) information, as R and statsmodels print them."""
        return self._series("se", "std_error")

    @property
    def bse_observed(self) -> pd.Series:
        """Standard errors from the observed information, as SAS PROC GENMOD prints them."""
        return self._series("se_observed", "std_error_observed")

    @property
    def tvalues(self) -> pd.Series:
        """Wald statistics (z or t) of the coefficients, as R prints them."""
        return self._series("statistic", "statistic")

    @property
    def pvalues(self) -> pd.Series:
        """p-values of the Wald statistics, as R prints them."""
        return self._series("p_value", "p_value")

    def conf_int(self, kind: str = "profile") -> pd.DataFrame:
        """Confidence intervals at the fit's ``level``: ``kind="profile"`` (profile likelihood, R's
        ``confint``, SAS ``LRCI``) or ``"wald"`` (estimate ± z·SE, expected information;
        ``"wald_observed"`` uses the observed information as GENMOD does)."""
        key = {"profile": "profile_ci", "wald": "wald_ci", "wald_observed": "wald_ci_observed"}.get(kind)
        if key is None:
            raise InputError(f"conf_int: kind must be 'profile', 'wald' or 'wald_observed', got {kind!r}")
        rows = [c.get(key) or [None, None] for c in self._coefs]
        if key == "profile_ci" and all(lo is None and hi is None for lo, hi in rows):
            why = ("the fit was made with profile=False" if self._opts["profile"] is False
                   else "this family has no likelihood (quasi-likelihood)" if self._opts["profile"]
                   else "a quasi-likelihood family has none, and profile=None leaves them out above "
                        "500,000 cells or 2e8 rows × columns³ (give profile=True)")
            raise InputError(f"conf_int(kind='profile'): no profile-likelihood intervals: {why}; use kind='wald'")
        out = pd.DataFrame(
            [[np.nan if v is None else float(v) for v in r] for r in rows],
            index=pd.Index([c["name"] for c in self._coefs], name="term"),
            columns=["lower", "upper"],
        )
        return out

    # -- fit statistics -------------------------------------------------------------------------
    @property
    def _fit(self) -> Dict[str, Any]:
        return self.result["fit"]

    def _stat(self, key: str) -> float:
        v = self._fit.get(key)
        return np.nan if v is None else float(v)

    @property
    def deviance(self) -> float:
        """Residual deviance."""
        return self._stat("deviance")

    @property
    def null_deviance(self) -> float:
        """Deviance of the intercept-only model."""
        return self._stat("null_deviance")

    @property
    def pearson_chi2(self) -> float:
        """Pearson χ² statistic."""
        return self._stat("pearson_chi2")

    @property
    def df_resid(self) -> float:
        """Residual degrees of freedom."""
        return self._stat("df_residual")

    @property
    def aic(self) -> float:
        """AIC as R computes it (NaN for quasi families)."""
        return self._stat("aic")

    @property
    def bic(self) -> float:
        """BIC as R computes it."""
        return self._stat("bic")

    @property
    def llf(self) -> float:
        """Log-likelihood (R's ``logLik``)."""
        return self._stat("loglik")

    @property
    def scale(self) -> float:
        """The dispersion φ used for the standard errors."""
        return self._stat("dispersion")

    @property
    def nobs(self) -> int:
        """Rows used in the fit (rows with missing values are skipped)."""
        return int(self._fit["n_used"])

    @property
    def converged(self) -> bool:
        """Whether IRLS converged."""
        return bool(self._fit["converged"])

    # -- PROC LOGISTIC's extras of a binomial fit ------------------------------------------------
    def _binary(self, what: str) -> Dict[str, Any]:
        b = self.result.get("binary")
        if not b:
            raise InputError(f"{what}(): PROC LOGISTIC's statistics are for the binomial family with a "
                             f"likelihood, not {(self._fit.get('family') or {}).get('name')}")
        return b

    def association(self) -> Dict[str, Any]:
        """PROC LOGISTIC's "Association of Predicted Probabilities and Observed Responses":
        ``binwidth``, ``pairs``, ``concordant``, ``discordant``, ``tied`` and their percentages,
        ``somers_d``, ``gamma``, ``tau_a``, ``c`` (the fit's ``binwidth``: 0.002 by default, 0 for
        exact probabilities); :meth:`dimorph.dask.DaskGlmResult.association` gives the same.
        Raises :class:`dimorph.InputError` for other families."""
        return dict(self._binary("association")["association"])

    def hosmer_lemeshow(self) -> Dict[str, Any]:
        """The Hosmer–Lemeshow goodness-of-fit test (SAS's LACKFIT grouping): ``chi2``, ``df``,
        ``p_value`` and ``groups`` (each with ``n``, ``observed_events``, ``expected_events``,
        ``observed_nonevents``, ``expected_nonevents``); the same as
        :meth:`dimorph.dask.DaskGlmResult.hosmer_lemeshow`. Raises :class:`dimorph.InputError`
        for other families."""
        h = self._binary("hosmer_lemeshow")["hosmer_lemeshow"]
        return {**h, "groups": [dict(g) for g in h["groups"]]}

    def glance(self, *, output: str = "pandas") -> Any:
        """One row of fit statistics (family, link, nobs, deviances, Pearson χ², dispersion,
        log-likelihood, AIC, BIC, θ, iterations, convergence): the ``fit`` table (``output="polars"``:
        a polars DataFrame)."""
        return self.tidy("fit", output=output)

    # -- predictions and residuals ---------------------------------------------------------------
    def _refit(self, new: Optional[_dimorph.Frame], residuals: bool) -> Dict[str, Any]:
        opts = dict(self._opts, profile=False, residuals=residuals)
        return _dimorph.glm(self._frame, self.formula, new, **opts)

    def predict(self, newdata: Optional[DataLike] = None, interval: bool = True) -> pd.DataFrame:
        """Predictions for the rows of ``newdata`` (default: the data of the fit), with
        intervals at the fit's ``level`` — the CLI's ``--predict`` table: ``eta``, ``se_eta``,
        ``eta_lower``, ``eta_upper`` (link scale), ``fitted``, ``se_fitted``, ``fitted_lower``,
        ``fitted_upper`` (response scale; delta-method SE, the link-scale interval mapped back).

        The index is that of ``newdata`` (of the fit's data without it) when it is a pandas
        DataFrame, as statsmodels' ``predict``, else the row from 0; rows with a missing predictor
        are NaN.
        ``newdata`` takes the same kinds of data as :func:`dimorph.glm`; ``interval=False``
        keeps ``eta`` and ``fitted`` only. (The model is refitted without profile intervals to
        predict: the engine's entry point fits and predicts in one call.)
        """
        new = self._frame if newdata is None else to_frame(newdata, "newdata")
        index = self._index if newdata is None else _pandas_index(newdata)
        raw = self._refit(new, residuals=False)
        for name, cols, data in raw["tables"]:
            if name == "predictions":
                p = _by_row(table_frame(cols, data), new.first_line, new.nrows, index)
                return p if interval else p[["eta", "fitted"]]
        raise InputError("predict: the engine returned no predictions")

    def _residual_table(self) -> pd.DataFrame:
        if self._residuals is None:
            raw_tables = self._tables_raw if self._opts["residuals"] else self._refit(None, True)["tables"]
            for name, cols, data in raw_tables:
                if name == "residuals":
                    self._residuals = _by_row(
                        table_frame(cols, data), self._frame.first_line, self._frame.nrows, self._index)
                    break
            else:
                raise InputError("residuals: the engine returned no residuals table")
        return self._residuals

    def residuals(self, kind: str = "deviance") -> Any:
        """Residuals of every row of the data (NaN for rows skipped for missing values), indexed as
        the data (a pandas DataFrame's own index; else the row from 0).

        ``kind``: ``deviance`` (default), ``pearson``, ``response`` (y − μ), ``working``,
        ``std_deviance``, ``std_pearson``, or ``leverage``, ``cooks_distance``, ``fitted``,
        ``eta``, ``y``; ``"all"`` gives the whole residuals table as a DataFrame.
        """
        t = self._residual_table()
        if kind == "all":
            return t
        if kind not in _RESIDUAL_KINDS:
            raise InputError(f"residuals: kind must be one of {', '.join(_RESIDUAL_KINDS)} or 'all', got {kind!r}")
        return t[kind].rename(kind)

    @property
    def fittedvalues(self) -> pd.Series:
        """Fitted means μ of every row of the data (NaN for skipped rows)."""
        return self.residuals("fitted")
