"""dimorph.dask: the distributed GLM equals the single-machine fit, and per-group reference limits
equal the single-machine ones, on a real LocalCluster (2 worker processes, loopback) and on
Dask's synchronous scheduler. Every fit compared also compares Rao's score test against the null
model (statistic, df, p-value, the NA note), and the Type 3 tests their Wald columns too.

The data: 300,000 rows in 40 partitions, generated with a fixed seed; the factor ``region`` has
levels that appear in only some partitions (``r0`` only in the first few, ``r7`` only in the
last), and a few rows miss a value (dropped by both fits). The Poisson fit with an offset, prior
weights and region's columns in an interaction runs on all of them (issue 11's "a few hundred
thousand rows split into many partitions"); the other fits, which check other parts of the same
passes (another family or link, the scheduler, the Type 3 refits), run on every 10th row
(``small``: 30,000 rows, still 40 partitions, r0 and r7 still only in the first and last two;
the Type 3 tests on the cluster in 10, r0 and r7 in the first and last one), where the same
tolerance holds and a wrong partition sum still shows. Tolerance: 1e-10 relative (absolute
below 1) for coefficients, both standard errors, deviances, Pearson χ², dispersion,
log-likelihood, AIC and BIC — the two fits add the same terms in a different order, nothing
else; reference limits: exactly equal (each group is the same engine call on the same values in
the same order).
"""

from __future__ import annotations

import math
from typing import Optional

import numpy as np
import pandas as pd
import pytest

import dimorph
from conftest import dask_frame

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

# the test frames are embedded in the graph (dd.from_pandas), which Dask warns about
pytestmark = pytest.mark.filterwarnings("ignore:Sending large graph")

N = 300_000
PARTS = 40
RTOL = 1e-10


@pytest.fixture(scope="module")
def cluster(local_cluster):
    """A client of the session's real two-process cluster on loopback (conftest.py); the client is
    the default scheduler inside the module."""
    with distributed.Client(local_cluster) as client:
        yield client


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    # region: r0 only in the first 5 % of the rows, r7 only in the last 5 %, r1..r6 everywhere
    return dask_frame(N)


@pytest.fixture(scope="module")
def small(frame) -> pd.DataFrame:
    """Every 10th row of ``frame`` (30,000 rows): in 40 partitions r0 is still only in the first
    two and r7 only in the last two, and rows missing x2 or region are still dropped."""
    return frame.iloc[::10].reset_index(drop=True)


def ddf_of(df: pd.DataFrame, parts: int = PARTS) -> "dd.DataFrame":
    return dd.from_pandas(df, npartitions=parts, sort=False)


def close(a: float, b: float, what: str) -> None:
    if math.isnan(b):
        assert math.isnan(a), f"{what}: {a} vs NaN"
        return
    assert abs(a - b) <= RTOL * max(1.0, abs(b)), f"{what}: distributed {a!r} vs single-machine {b!r}"


def assert_same_fit(r: "dimorph.dask.DaskGlmResult", s: "dimorph.GlmResult") -> None:
    assert list(r.params.index) == list(s.params.index)
    for name in ("params", "bse", "bse_observed"):
        a, b = getattr(r, name), getattr(s, name)
        for term in b.index:
            close(float(a[term]), float(b[term]), f"{name}[{term}]")
    for name in ("deviance", "null_deviance", "pearson_chi2", "df_resid", "scale", "llf", "aic", "bic"):
        close(float(getattr(r, name)), float(getattr(s, name)), name)
    assert r.nobs == s.nobs
    assert r.converged
    # Rao's score test against the null model (one pass at the null model's means)
    a, b = r.score_test(), s.result["inference"]["score"]
    assert a["df"] == b["df"]
    close(a["chi2"], math.nan if b["chi2"] is None else float(b["chi2"]), "score chi2")
    close(a["p_value"], math.nan if b["p_value"] is None else float(b["p_value"]), "score p")
    assert a.get("note") is None and b.get("note") is None
    # Wald tests and intervals as the single-machine tidy table without profile intervals
    t, u = r.tidy().set_index("term"), s.tidy().set_index("term")
    for col in ("estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"):
        for term in u.index:
            close(float(t.loc[term, col]), float(u.loc[term, col]), f"tidy {col}[{term}]")


MODELS = [
    # (formula, options): logistic with a factor whose levels are partition-specific; Poisson with
    # an offset (the null model refitted over the partitions) and prior weights; Gamma with a
    # non-canonical link (Newton polish, observed information) and an estimated dispersion
    ("y_bin ~ x1 + x2 + region", dict(family="binomial")),
    ("y_pois ~ x1 * region + offset(log(t))", dict(family="poisson", weights="w")),
    ("y_gamma ~ x1 + x2", dict(family="gamma", link="log")),
]


# the Poisson model on all 300,000 rows; logistic and Gamma (the same passes with another family
# and link, the Gamma's Newton polish) on ``small``
@pytest.mark.parametrize("formula,opts,full", [(f, o, full) for (f, o), full in zip(MODELS, (False, True, False))],
                         ids=["logistic", "poisson-offset-weights", "gamma-log"])
def test_distributed_glm_equals_single_machine_on_a_local_cluster(cluster, frame, small, formula, opts, full):
    data = frame if full else small
    s = dimorph.glm(formula, data, profile=False, **opts)
    r = dimorph.dask.glm(formula, ddf_of(data), **opts)
    assert r.npartitions == PARTS
    assert_same_fit(r, s)
    assert any("rows dropped" in w for w in r.warnings)


# Gaussian (φ estimated: the score statistic divided by it) and quasi-Poisson (no likelihood: the
# figures compared leave out the log-likelihood, AIC and BIC, NaN over partitions) on every 6th
# row (50,000 rows, 40 partitions; region's r0 and r7 still only in the first and last ones)
@pytest.mark.parametrize("formula,opts", [
    ("y_gamma ~ x1 + x2 + region", dict(family="gaussian")),
    ("y_pois ~ x1 + region + offset(log(t))", dict(family="quasipoisson")),
], ids=["gaussian", "quasipoisson"])
def test_score_test_with_an_estimated_dispersion_on_a_local_cluster(cluster, frame, formula, opts):
    thin = frame.iloc[::6].reset_index(drop=True)
    s = dimorph.glm(formula, thin, profile=False, **opts)
    r = dimorph.dask.glm(formula, ddf_of(thin), type3=False, **opts)
    if opts["family"] == "quasipoisson":
        assert math.isnan(r.llf) and math.isnan(r.aic)
        for name in ("params", "bse", "bse_observed"):
            a, b = getattr(r, name), getattr(s, name)
            for term in b.index:
                close(float(a[term]), float(b[term]), f"{name}[{term}]")
        for name in ("deviance", "null_deviance", "pearson_chi2", "df_resid", "scale"):
            close(float(getattr(r, name)), float(getattr(s, name)), name)
        a, b = r.score_test(), s.result["inference"]["score"]
        assert a["df"] == b["df"] == 8  # x1 and region's 7 columns
        close(a["chi2"], float(b["chi2"]), "score chi2")
        close(a["p_value"], float(b["p_value"]), "score p")
    else:
        assert_same_fit(r, s)
    assert r.scale != 1.0


# Frequency weights (freq=): each row counts its frequency times (0 to 3 here, so some rows do not
# count); the same figures as dimorph.glm(freq=...) — df, dispersion, AIC, BIC, the score test
@pytest.mark.parametrize("formula,opts", [
    ("y_bin ~ x1 + x2 + region", dict(family="binomial")),
    ("y_pois ~ x1 + region + offset(log(t))", dict(family="poisson")),
    ("y_gamma ~ x1 + region", dict(family="gaussian")),
], ids=["logistic", "poisson-offset", "gaussian"])
def test_frequency_weights_equal_single_machine_on_a_local_cluster(cluster, frame, formula, opts):
    thin = frame.iloc[::3].reset_index(drop=True)
    thin["f"] = (np.arange(len(thin)) * 7 % 4).astype(float)
    s = dimorph.glm(formula, thin, profile=False, freq="f", **opts)
    r = dimorph.dask.glm(formula, ddf_of(thin), freq="f", type3=False, **opts)
    assert_same_fit(r, s)
    # n is Σ f over the rows used, not the rows
    used = r.nobs
    assert r.df_resid + len(r.params) != used
    assert abs(r.to_dict()["n_obs"] - float(s.result["fit"]["n_obs"])) == 0.0


def test_distributed_glm_with_the_synchronous_scheduler(small):
    formula, opts = MODELS[0]
    s = dimorph.glm(formula, small, profile=False, **opts)
    with dask.config.set(scheduler="synchronous"):
        r = dimorph.dask.glm(formula, ddf_of(small), **opts)
    assert_same_fit(r, s)


def test_a_level_seen_in_one_partition_gets_its_column_and_the_published_crab_fit(in_repo):
    # the crab model of the paper (Agresti, Table 4.3: Poisson, log link, width): sorted by color,
    # 5 partitions, C(color) levels each in only some partitions
    crabs = pd.read_csv("data/crabs.csv").sort_values("color", kind="stable").reset_index(drop=True)
    with dask.config.set(scheduler="synchronous"):
        r = dimorph.dask.glm("satell ~ width + C(color)", dd.from_pandas(crabs, npartitions=5, sort=False),
                             family="poisson")
        w = dimorph.dask.glm("satell ~ width", dd.from_pandas(crabs, npartitions=3, sort=False), family="poisson")
    s = dimorph.glm("satell ~ width + C(color)", crabs, family="poisson", profile=False)
    assert_same_fit(r, s)
    # Agresti (2007) §4.3.2: log μ̂ = −3.305 + 0.164 x, SE 0.020; deviance 567.88 on 171 df
    assert round(float(w.params["(Intercept)"]), 3) == -3.305
    assert round(float(w.params["width"]), 3) == 0.164
    assert round(float(w.bse["width"]), 3) == 0.020
    assert round(w.deviance, 2) == 567.88 and w.df_resid == 171


def test_a_rust_panic_in_a_worker_task_reaches_the_client_as_internal_error():
    """pyo3 raises a Rust panic as ``pyo3_runtime.PanicException``, which cannot be pickled:
    `distributed` could not send it to the client, which then waited for ever (seen with
    unaligned arrays before they were read with unaligned loads). Every worker task raises it as
    ``InternalError``, which pickles; other exceptions pass unchanged."""
    import pickle

    class PanicException(BaseException):
        pass

    PanicException.__module__ = "pyo3_runtime"

    def boom():
        raise PanicException("The pointer must be aligned.")

    with pytest.raises(dimorph.InternalError, match=r"in boom \(a Rust panic.*The pointer must be aligned") as e:
        dimorph.dask._task(boom)()
    # `distributed` pickles an exception with its cause and context (tblib): neither holds the panic
    assert e.value.__cause__ is None and e.value.__context__ is None
    back = pickle.loads(pickle.dumps(e.value))
    assert type(back) is dimorph.InternalError and str(back) == str(e.value)

    def bad():
        raise dimorph.InputError("column 'x': bad")

    with pytest.raises(dimorph.InputError, match="column 'x': bad"):
        dimorph.dask._task(bad)()

    def interrupted():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        dimorph.dask._task(interrupted)()


def test_refused_options_and_bad_data_raise_input_error(frame):
    small = ddf_of(frame.head(2000))
    with dask.config.set(scheduler="synchronous"):
        # frequency weights with prior weights: the single-machine fit's message, before any pass
        with pytest.raises(dimorph.InputError) as both:
            dimorph.dask.glm("y_pois ~ x1", small, family="poisson", freq="w", weights="w")
        with pytest.raises(dimorph.InputError) as single:
            dimorph.glm("y_pois ~ x1", frame.head(2000), family="poisson", freq="w", weights="w")
        assert str(both.value) == str(single.value) and "--freq" in str(both.value)
        with pytest.raises(dimorph.InputError, match="nope"):
            dimorph.dask.glm("y_pois ~ nope", small, family="poisson")
        with pytest.raises(dimorph.InputError, match="--link"):
            dimorph.dask.glm("y_pois ~ x1", small, family="poisson", link="probit")
        # `.` stands for the other columns, as in the single-machine fit
        dot = dimorph.dask.glm("y_bin ~ .", small[["y_bin", "x1", "region"]], family="binomial")
        # a fixed θ is fine, and equals the single-machine fit with the same θ
        r = dimorph.dask.glm("y_pois ~ x1", small, family="negbin", theta=2.5)
    s = dimorph.glm("y_pois ~ x1", frame.head(2000), family="negbin", theta=2.5, profile=False)
    assert_same_fit(r, s)
    assert_same_fit(dot, dimorph.glm("y_bin ~ .", frame.head(2000)[["y_bin", "x1", "region"]], family="binomial",
                                     profile=False))


def test_a_dirty_cell_and_no_complete_row_are_named(frame):
    """One text cell in one partition names the cell (the message used to say only that the
    column was text in some partitions); a model whose every row misses a value counts the rows
    (it said 'each of the 0 rows')."""
    head = frame.head(2000).copy()
    head["x1"] = head["x1"].astype(object)
    head.loc[1500, "x1"] = "abc"
    with dask.config.set(scheduler="synchronous"):
        with pytest.raises(dimorph.InputError, match=r"column 'x1' is text in 1 partitions.*holds 'abc'"):
            dimorph.dask.glm("y_pois ~ x1", ddf_of(head, 4), family="poisson")
        empty = frame.head(2000).assign(x1=np.nan)
        with pytest.raises(dimorph.InputError, match="each of the 2000 rows misses a value"):
            dimorph.dask.glm("y_pois ~ x1", ddf_of(empty, 4), family="poisson")
        # a bad value names its partition and its row there (it said 'pandas DataFrame: line 43',
        # which row 43 of four partitions is not said)
        bad = frame.head(2000).copy()
        bad.loc[1542, "y_pois"] = -3
        parts = ddf_of(bad, 4)
        k = next(i for i in range(4) if 1542 in parts.get_partition(i).index.compute())
        line = list(parts.get_partition(k).index.compute()).index(1542) + 1
        with pytest.raises(dimorph.InputError, match=rf"^dask DataFrame, partition {k}: line {line}: a Poisson count"):
            dimorph.dask.glm("y_pois ~ x1", parts, family="poisson")


def test_a_coded_partition_pickles_as_its_arrays(frame):
    import pickle

    part_frame = dimorph.to_frame(frame.head(500))
    levels = dimorph._dimorph.glm_merge_levels(
        "y_bin ~ x1 + region", list(frame.columns),
        [dimorph._dimorph.glm_part_levels(part_frame, "y_bin ~ x1 + region")], "test")
    model = ("binomial", None, None, False)
    part = dimorph._dimorph.glm_design_part(part_frame, "y_bin ~ x1 + region", list(frame.columns), levels, model)
    back = pickle.loads(pickle.dumps(part))
    assert (back.n, back.p, back.n_read, back.col_names) == (part.n, part.p, part.n_read, part.col_names)
    # the engine's coding names each term's columns: (Intercept) is 0, x1 is 1, region the rest
    assert part.terms == back.terms
    assert part.terms[0] == ("x1", [1]) and part.terms[1][0] == "region"
    assert part.terms[1][1] == list(range(2, part.p))
    beta = [0.1] * part.p
    a = dimorph._dimorph.glm_part_fisher(part, beta, model)
    b = dimorph._dimorph.glm_part_fisher(back, beta, model)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1]) and a[2:] == b[2:]


# -- likelihood-ratio tests ---------------------------------------------------------------------
# Type 3: each term's reduced model refitted by distributed IRLS over the same partitions; global:
# the model against the null model. Tolerance 1e-8 relative (absolute below 1): χ² are differences
# of deviances (of order 1e4 on ``small``, 1e5 on all rows) that each fit converges to ~1e-13
# relative, so a χ² near 1 keeps ~1e-9.
LR_TOL = 1e-8


def close_lr(a: float, b: Optional[float], what: str) -> None:
    b = math.nan if b is None else float(b)
    if math.isnan(b):
        assert math.isnan(a), f"{what}: {a} vs NaN"
        return
    assert abs(a - b) <= LR_TOL * max(1.0, abs(b)), f"{what}: distributed {a!r} vs single-machine {b!r}"


def assert_same_lr_tests(r: "dimorph.dask.DaskGlmResult", s: "dimorph.GlmResult") -> None:
    a, b = r.type3().set_index("term"), s.tables["type3"].set_index("term")
    assert list(a.index) == list(b.index) and len(a) > 0
    assert list(a["df"]) == [int(d) for d in b["df"]]
    for col in ("lr_chi2", "lr_p_value", "f_value", "f_p_value"):
        for term in b.index:
            close_lr(float(a.loc[term, col]), b.loc[term, col], f"type3 {col}[{term}]")
    # the Wald columns: no refit, the observed-information covariance at the fit (1e-10)
    for col in ("wald_chi2", "wald_p_value"):
        for term in b.index:
            close(float(a.loc[term, col]), float(b.loc[term, col]), f"type3 {col}[{term}]")
    g, h = r.global_test(), s.result["inference"]["global"]
    assert g["df"] == h["df"]
    for key in ("lr_chi2", "lr_p", "f", "f_p"):
        close_lr(g[key], h[key], f"global {key}")
    for key in ("wald_chi2", "wald_p"):
        close(g[key], math.nan if h[key] is None else float(h[key]), f"global {key}")


@pytest.mark.parametrize("formula,opts", MODELS[:2], ids=["logistic", "poisson-offset-weights"])
def test_type3_and_global_lr_tests_equal_single_machine_on_a_local_cluster(cluster, small, formula, opts):
    # 10 partitions (r0 only in the first, r7 only in the last): a pass costs mostly its tasks,
    # and the fit and its three refits make some 40 passes on the cluster
    s = dimorph.glm(formula, small, profile=False, type3=True, **opts)
    r = dimorph.dask.glm(formula, ddf_of(small, 10), type3=True, **opts)
    assert r.npartitions == 10
    assert_same_lr_tests(r, s)
    # logistic: x1, x2, region; Poisson: x1, region, x1:region — each refitted
    assert len(r.type3()) == 3


def test_type3_terms_come_from_the_engines_coding_for_bases_and_contrasts(small):
    # a raw polynomial (two columns named poly(x1, 2, raw = TRUE)1/2) and sum contrasts: the
    # columns of each term are those the engine coded, not guessed from their names
    import dask

    formula = "y_bin ~ poly(x1, 2, raw = TRUE) + C(region, Sum) + x2"
    s = dimorph.glm(formula, small, family="binomial", profile=False, type3=True)
    with dask.config.set(scheduler="synchronous"):
        r = dimorph.dask.glm(formula, ddf_of(small), family="binomial", type3=True)
    assert_same_lr_tests(r, s)
    assert list(r.type3()["df"]) == [2, 7, 1]


def test_type3_with_an_estimated_dispersion_on_the_synchronous_scheduler(small):
    # Gamma, log link: the F tests (R's drop1(test = "F")) beside the LR χ², a non-canonical link
    formula = "y_gamma ~ x1 + x2 + region"
    s = dimorph.glm(formula, small, family="gamma", link="log", profile=False, type3=True)
    with dask.config.set(scheduler="synchronous"):
        r = dimorph.dask.glm(formula, ddf_of(small), family="gamma", link="log", type3=True)
    assert_same_lr_tests(r, s)
    assert not r.type3()["f_value"].isna().any()


def test_type3_on_the_published_crab_model(in_repo):
    # Agresti (2007) §4.3.2: width's LR statistic against the intercept-only Poisson model,
    # 632.79 − 567.88 = 64.91 on 1 df (the global and the Type 3 test are the same here)
    crabs = pd.read_csv("data/crabs.csv").sort_values("color", kind="stable").reset_index(drop=True)
    with dask.config.set(scheduler="synchronous"):
        r = dimorph.dask.glm("satell ~ width + C(color)", dd.from_pandas(crabs, npartitions=5, sort=False),
                             family="poisson", type3=True)
        w = dimorph.dask.glm("satell ~ width", dd.from_pandas(crabs, npartitions=3, sort=False), family="poisson")
    assert_same_lr_tests(r, dimorph.glm("satell ~ width + C(color)", crabs, family="poisson", profile=False,
                                        type3=True))
    assert round(w.type3().set_index("term").loc["width", "lr_chi2"], 2) == 64.91
    assert round(w.global_test()["lr_chi2"], 2) == 64.91


def test_score_test_equals_r_on_the_crab_and_snoring_models(in_repo):
    # Rao's score statistic U'I^-1 U at the null MLE computed by matrix algebra in R 4.2.2
    # (crates/dimorph-glm/tests/reference/score_test.R): 67.4718867775 for the crab Poisson model,
    # 72.6880865038 for the snoring logit (events/trials); over partitions to 1e-8 absolute
    crabs = pd.read_csv("data/crabs.csv").sort_values("color", kind="stable").reset_index(drop=True)
    snoring = pd.read_csv("data/snoring.csv")
    with dask.config.set(scheduler="synchronous"):
        w = dimorph.dask.glm("satell ~ width", dd.from_pandas(crabs, npartitions=3, sort=False), family="poisson")
        z = dimorph.dask.glm("disease/total ~ snoring", dd.from_pandas(snoring, npartitions=2, sort=False),
                             family="binomial")
    assert abs(w.score_test()["chi2"] - 67.4718867775) < 1e-8 and w.score_test()["df"] == 1
    assert abs(z.score_test()["chi2"] - 72.6880865038) < 1e-8 and z.score_test()["df"] == 1


def test_a_null_model_without_a_score_gives_nan_with_the_single_machine_words():
    # the square-root link without an intercept: the null model's eta is the offset, negative on
    # some rows (R's anova(..., test = "Rao") stops: "invalid linear predictor values in empty
    # model"); NaN with the reason, the row named by its partition
    rng = np.random.default_rng(5)
    n = 600
    df = pd.DataFrame({"x": rng.uniform(1, 2, n), "o": np.where(np.arange(n) % 50 == 49, -0.4, 0.3)})
    df["y"] = rng.poisson((0.5 + 0.8 * df["x"] + df["o"].clip(lower=0)) ** 2).astype(float)
    formula = "y ~ 0 + x + offset(o)"
    s = dimorph.glm(formula, df, family="poisson", link="sqrt", profile=False)
    with dask.config.set(scheduler="synchronous"):
        r = dimorph.dask.glm(formula, dd.from_pandas(df, npartitions=4, sort=False), family="poisson",
                             link="sqrt", type3=False)
        off = dimorph.dask.glm(formula, dd.from_pandas(df, npartitions=4, sort=False), family="poisson",
                               link="sqrt", type3=False, score=False)
    a, b = r.score_test(), s.result["inference"]["score"]
    assert math.isnan(a["chi2"]) and math.isnan(a["p_value"]) and b["chi2"] is None
    assert a["note"].split(" at ")[0] == b["note"].split(" at ")[0]
    assert "(η₀ = -0.4 at partition 0, row 50 of its rows used)" in a["note"]
    assert off.passes == r.passes - 1
    with pytest.raises(dimorph.InputError, match="score=True"):
        off.score_test()


def test_the_hosmer_lemeshow_test_is_left_out_when_asked_or_above_the_automatic_limit(frame, monkeypatch):
    """lackfit=False leaves the Hosmer–Lemeshow test out (the association table from bins, as
    before, in the same one pass); lackfit=None leaves it out above 5,000,000 used rows with the
    engine's warning (the limit stood in for here, since the data are small), and the binned table
    is still the in-memory one; lackfit=True computes it whatever the size."""
    head = frame.head(2000)
    formula = "y_bin ~ x1 + C(region)"
    s = dimorph.glm(formula, head, family="binomial", profile=False).to_dict()["result"]["binary"]
    assert dimorph._dimorph.glm_lackfit_auto(5_000_000.0) is None
    note = dimorph._dimorph.glm_lackfit_auto(5_000_001.0)
    assert "5000001 rows, above the automatic limit of 5000000" in note and "lackfit=True" in note
    with dask.config.set(scheduler="synchronous"):
        fit = lambda **kw: dimorph.dask.glm(formula, ddf_of(head, 4), family="binomial", type3=False,
                                            score=False, **kw)
        on, off = fit(), fit(lackfit=False)
        assert off.passes == on.passes
        with pytest.raises(dimorph.InputError, match=r"hosmer_lemeshow\(\): the test was not computed; fit with "
                                                     r"lackfit=True"):
            off.hosmer_lemeshow()
        assert not any("Hosmer" in w for w in off.to_dict()["warnings"])
        assert abs(on.hosmer_lemeshow()["chi2"] - s["hosmer_lemeshow"]["chi2"]) <= 1e-10 * s["hosmer_lemeshow"]["chi2"]
        monkeypatch.setattr(dimorph.dask._dimorph, "glm_lackfit_auto", lambda rows: f"stand-in limit: {rows:.0f} rows")
        big = fit()
        assert any(w.startswith("stand-in limit: ") for w in big.to_dict()["warnings"])
        with pytest.raises(dimorph.InputError, match="lackfit=True"):
            big.hosmer_lemeshow()
        forced = fit(lackfit=True)
        assert forced.hosmer_lemeshow()["df"] == s["hosmer_lemeshow"]["df"]
        assert not any("stand-in" in w for w in forced.to_dict()["warnings"])
    for r in (off, big):
        for key, want in s["association"].items():
            assert abs(r.association()[key] - want) <= 1e-12 * max(1.0, abs(want)), key


def test_profile_intervals_and_the_association_table_equal_the_in_memory_ones(frame):
    """profile=True: each limit is found by distributed refits with the coefficient held fixed, and
    equals the in-memory fit's profile limit (the same refits, the same root finder): a logistic
    model with a factor whose levels only some partitions see (r0 in the first rows), and a
    Poisson model with an offset, missing x2 and region rows dropped; over 6 partitions. PROC
    LOGISTIC's association table of the binomial fit (each partition's bins of predicted
    probability, or its distinct probabilities, added) equals the in-memory one with SAS's
    BINWIDTH 0.002, with 0.05 and with 0 (exact probabilities), and so does the Hosmer–Lemeshow
    test, group by group."""
    head = frame.head(3000)
    cases = [("y_bin ~ x1 + C(region)", dict(family="binomial")),
             ("y_pois ~ x1 + x2 + offset(log(t))", dict(family="poisson"))]
    with dask.config.set(scheduler="synchronous"):
        for formula, opts in cases:
            r = dimorph.dask.glm(formula, ddf_of(head, 6), profile=True, type3=False, score=False, **opts)
            s = dimorph.glm(formula, head, profile=True, **opts)
            got, want = r.conf_int(kind="profile"), s.conf_int(kind="profile")
            assert list(got.index) == list(s.params.index)
            for term in got.index:
                for a, b in zip(got.loc[term], want.loc[term]):
                    assert abs(a - b) <= 1e-9 * max(1.0, abs(b)), f"{formula} {term}: {a} vs {b}"
            # each limit is outside the estimate, beside its Wald limit
            lo, hi = got["conf_low"], got["conf_high"]
            assert ((lo < r.params) & (r.params < hi)).all()
            assert r.to_dict()["profile_passes"] > 20 * len(got)
            if opts["family"] == "binomial":
                tied = []
                for bw in (None, 0.05, 0):
                    rd = (r if bw is None else dimorph.dask.glm(formula, ddf_of(head, 6), binwidth=bw, type3=False,
                                                                score=False, **opts))
                    sd = (s if bw is None else dimorph.glm(formula, head, binwidth=bw, profile=False, **opts))
                    a, b = rd.association(), sd.to_dict()["result"]["binary"]["association"]
                    assert a["binwidth"] == b["binwidth"] == (0.002 if bw is None else bw)
                    assert a["pairs"] > 1e6
                    for key, want in b.items():
                        assert abs(a[key] - want) <= 1e-12 * max(1.0, abs(want)), f"{bw} {key}: {a[key]} vs {want}"
                    tied.append(b["tied"])
                    h, k = rd.hosmer_lemeshow(), sd.to_dict()["result"]["binary"]["hosmer_lemeshow"]
                    assert h["df"] == k["df"] and len(h["groups"]) == len(k["groups"]) >= 8
                    for key in ("chi2", "p_value"):
                        assert abs(h[key] - k[key]) <= 1e-10 * max(1.0, abs(k[key])), f"HL {key}: {h[key]} vs {k[key]}"
                    for g, w in zip(h["groups"], k["groups"]):
                        for key, want in w.items():
                            assert abs(g[key] - want) <= 1e-10 * max(1.0, abs(want)), f"HL group {key}"
                # the bins tie more pairs than exact probabilities: three different tables
                assert tied[1] > tied[0] > tied[2]
            else:
                with pytest.raises(dimorph.InputError, match=r"association\(\): .*binomial family, not poisson"):
                    r.association()
                with pytest.raises(dimorph.InputError, match=r"hosmer_lemeshow\(\): .*binomial family, not poisson"):
                    r.hosmer_lemeshow()
        # a quasi-likelihood family has no likelihood to profile: a warning, and conf_int says so
        q = dimorph.dask.glm("y_pois ~ x1", ddf_of(head, 3), family="quasipoisson", profile=True, type3=False)
        assert any("quasi-likelihood family has no likelihood" in w for w in q.to_dict()["warnings"])
        with pytest.raises(dimorph.InputError, match=r"conf_int\(kind='profile'\): .*quasi-likelihood"):
            q.conf_int(kind="profile")
        with pytest.raises(dimorph.InputError, match=r"lackfit: must be True, False or None"):
            dimorph.dask.glm("y_bin ~ x1", ddf_of(head, 3), family="binomial", lackfit="yes")
        with pytest.raises(dimorph.InputError, match=r"--binwidth: must be 0 or positive, at most 1"):
            dimorph.dask.glm("y_bin ~ x1", ddf_of(head, 3), family="binomial", binwidth=1.5)
        with pytest.raises(dimorph.InputError, match=r"--binwidth: applies to --family binomial only"):
            dimorph.dask.glm("y_pois ~ x1", ddf_of(head, 3), family="poisson", binwidth=0.01)
        with pytest.raises(dimorph.InputError, match=r"profile: must be True, False or None"):
            dimorph.dask.glm("y_bin ~ x1", ddf_of(head, 3), family="binomial", profile="yes")
        r = dimorph.dask.glm("y_bin ~ x1", ddf_of(head, 3), family="binomial", profile=False, type3=False)
    with pytest.raises(dimorph.InputError, match=r"conf_int\(kind='profile'\): .*fit with profile=True"):
        r.conf_int(kind="profile")
    with pytest.raises(dimorph.InputError, match="type3=True"):
        r.type3()
    assert list(r.conf_int().columns) == ["conf_low", "conf_high"]


# -- reference limits ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def lab() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 60_000
    analyte = rng.choice(["ALT", "CREA"], size=n)
    sex = rng.choice(["f", "m"], size=n)
    mu = np.where(analyte == "ALT", 3.0, 4.3) + np.where(sex == "m", 0.15, 0.0)
    # routine data: mostly healthy (log-normal) with some pathological values mixed in
    value = np.exp(rng.normal(mu, 0.25))
    sick = rng.random(n) < 0.08
    value[sick] *= rng.uniform(1.5, 4.0, size=sick.sum())
    df = pd.DataFrame({"analyte": analyte, "sex": sex, "value": value})
    df["group"] = df["analyte"] + "-" + df["sex"]
    df.loc[rng.choice(n, 50, replace=False), "value"] = np.nan
    return df


@pytest.mark.parametrize("method", ["reflim", "direct"])
def test_per_group_limits_equal_the_single_machine_ones_exactly(cluster, lab, method):
    ddf = dd.from_pandas(lab, npartitions=12, sort=False)
    kw = dict(seed=3) if method == "direct" else {}
    r = dimorph.dask.refint_estimate(ddf, value="value", by="group", method=method, **kw)
    s = dimorph.refint.estimate(lab, "value", by="group", method=method, **kw)
    a = r.tidy().sort_values(list(r.tidy().columns[:2])).reset_index(drop=True)
    b = s.tidy().sort_values(list(s.tidy().columns[:2])).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert len(r.groups) == 4 and not r.failed


def test_several_group_columns_and_the_synchronous_scheduler(lab):
    ddf = dd.from_pandas(lab, npartitions=7, sort=False)
    with dask.config.set(scheduler="synchronous"):
        r = dimorph.dask.refint_estimate(ddf, value="value", by=["analyte", "sex"])
    t = r.tidy()
    assert list(t.columns[:2]) == ["analyte", "sex"]
    for (analyte, sex), res in r.groups.items():
        one = lab[(lab.analyte == analyte) & (lab.sex == sex)][["value"]]
        pd.testing.assert_frame_equal(res.tidy(), dimorph.refint.estimate(one, "value").tidy(), check_exact=True)
    with pytest.raises(dimorph.InputError, match="no column 'nope'"):
        dimorph.dask.refint_estimate(ddf, value="nope", by="sex")
