"""dimorph.dask: predictions and residuals of the distributed GLM (``DaskGlmResult.predict``,
``.residuals``) equal those of the single-machine fit (``dimorph.glm(...).predict``,
``.residuals``) row by row, on a real LocalCluster (2 worker processes, loopback), and bad input
raises ``dimorph.InputError``.

The data: 50,000 rows of the distributed GLM tests' frame (``conftest.dask_frame``) in 10
partitions: the factor ``region``'s level ``r0`` is only in the first partition and ``r7`` only in
the last, and some rows miss ``x2`` or ``region`` (NaN in both results). Tolerance 1e-12
relative (absolute below 1): the two fits' β differ only by the order in which the partitions'
sums were added, and each row's figures come from the same engine function (deviance residuals
are compared as their squares, the rows' deviances: see ``assert_close``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import dimorph
from conftest import dask_frame

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.filterwarnings("ignore:Sending large graph")

N = 50_000
PARTS = 10
RTOL = 1e-12


@pytest.fixture(scope="module")
def cluster(local_cluster):
    """A client of the session's two-process cluster (conftest.py), the default scheduler inside
    this module."""
    with distributed.Client(local_cluster) as client:
        yield client


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return dask_frame(N)


def ddf_of(df: pd.DataFrame) -> "dd.DataFrame":
    return dd.from_pandas(df, npartitions=PARTS, sort=False)


def assert_close(a: pd.Series, b: pd.Series, what: str, squared: bool = False) -> None:
    """Equal index, NaN in the same rows, the values within RTOL. ``squared``: compare the squares
    (and the signs where |b| > 1e-6): for deviance residuals sign(y − μ)√(w d(y, μ)), whose square
    is the row's deviance; where y ≈ μ the square root multiplies the rounding of d (1e-16 in both
    fits, from the cancellation in d) by 1/(2|r|), e.g. 1.5e-12 at r = 9e-5 (Gamma row)."""
    assert list(a.index) == list(b.index), f"{what}: index"
    x, y = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
    if squared:
        big = np.abs(y) > 1e-6
        assert np.array_equal(np.sign(x[big]), np.sign(y[big])), f"{what}: signs differ"
        x, y = x * x, y * y
    assert np.array_equal(np.isnan(x), np.isnan(y)), f"{what}: NaN rows differ"
    ok = ~np.isnan(y)
    err = np.abs(x[ok] - y[ok]) / np.maximum(1.0, np.abs(y[ok]))
    assert err.max() <= RTOL, f"{what}: largest relative difference {err.max():.3g} at row {np.argmax(err)}"


MODELS = [
    ("y_bin ~ x1 + x2 + region", dict(family="binomial")),
    ("y_pois ~ x1 * region + offset(log(t))", dict(family="poisson", weights="w")),
    ("y_gamma ~ x1 + x2", dict(family="gamma", link="log")),
]


@pytest.mark.parametrize("formula,opts", MODELS, ids=["logistic", "poisson-offset-weights", "gamma-log"])
def test_predictions_and_residuals_equal_single_machine_on_a_local_cluster(cluster, frame, formula, opts):
    s = dimorph.glm(formula, frame, profile=False, type3=False, **opts)
    r = dimorph.dask.glm(formula, ddf_of(frame), type3=False, score=False, **opts)
    want_p = s.predict(frame)
    want_p.index = frame.index
    want_r = s.residuals("all")
    want_r.index = frame.index
    assert want_r["deviance"].isna().sum() > 0  # rows with a missing value: NaN in both

    mu = r.predict()  # the data of the fit, lazily
    assert isinstance(mu, dd.Series) and mu.npartitions == PARTS
    assert_close(mu.compute(), want_p["fitted"], "predict(type='response')")
    assert_close(r.predict(type="link").compute(), want_p["eta"], "predict(type='link')")
    full = r.predict(ddf_of(frame), interval=True).compute()
    assert list(full.columns) == list(want_p.columns)
    for c in want_p.columns:
        assert_close(full[c], want_p[c], f"predict(interval=True)[{c}]")

    table = r.residuals(kind="all").compute()
    assert list(table.columns) == list(want_r.columns)
    sqrt_of_deviance = ("deviance", "std_deviance")
    for c in want_r.columns:
        assert_close(table[c], want_r[c], f"residuals[{c}]", squared=c in sqrt_of_deviance)
    for kind in ("deviance", "pearson", "response", "working"):
        got = r.residuals(kind=kind)
        assert isinstance(got, dd.Series) and got.name == kind
        assert_close(got.compute(), want_r[kind], f"residuals(kind={kind!r})", squared=kind in sqrt_of_deviance)
    assert_close(r.fittedvalues.compute(), s.fittedvalues.set_axis(frame.index), "fittedvalues")


def test_predictions_on_new_data_keep_its_index_and_need_no_response(cluster, frame):
    formula = "y_pois ~ x1 * region + offset(log(t))"
    s = dimorph.glm(formula, frame, family="poisson", profile=False, type3=False)
    r = dimorph.dask.glm(formula, ddf_of(frame), family="poisson", type3=False, score=False)
    # new rows: no response column, an index of their own, r0 and r7 only in some partitions
    new = frame.iloc[::7][["x1", "region", "t"]].copy()
    new.index = pd.Index(np.arange(len(new)) * 3 + 1000, name="id")
    got = r.predict(dd.from_pandas(new, npartitions=4, sort=False), interval=True).compute()
    want = s.predict(new).set_axis(new.index)
    assert got.index.name == "id"
    for c in want.columns:
        assert_close(got[c], want[c], f"new data: {c}")
    # a pandas frame is taken as one partition
    assert_close(r.predict(new).compute(), want["fitted"], "pandas newdata")


def test_bad_input_raises_input_error(cluster, frame):
    small = frame.iloc[:5000].reset_index(drop=True)
    r = dimorph.dask.glm("y_bin ~ x1 + region", ddf_of(small), family="binomial", type3=False, score=False)
    new = pd.DataFrame({"x1": [0.1, 0.2, 0.3], "region": ["r1", "r9", "r2"]})
    # a level the fit did not see: when computed, naming the column, the level and the row
    lazy = r.predict(dd.from_pandas(new, npartitions=1))
    with pytest.raises(dimorph.InputError, match=r"(?s)region.*'r9'|'r9'.*region") as e:
        lazy.compute()
    assert "line 2" in str(e.value), str(e.value)
    # a predictor column the data lack: at once
    with pytest.raises(dimorph.InputError, match="x1"):
        r.predict(dd.from_pandas(new[["region"]], npartitions=1))
    # residuals need the response
    with pytest.raises(dimorph.InputError, match="y_bin"):
        r.residuals(dd.from_pandas(new, npartitions=1))
    with pytest.raises(dimorph.InputError, match="type must be"):
        r.predict(type="mean")
    with pytest.raises(dimorph.InputError, match="kind must be"):
        r.residuals(kind="studentized")
    # a response outside the family's range: when computed, naming the partition's row
    bad = small.copy()
    bad.loc[3, "y_bin"] = 2.0
    with pytest.raises(dimorph.InputError, match="line 4"):
        r.residuals(dd.from_pandas(bad, npartitions=2, sort=False)).compute()
    # a row missing x1 in new data is NaN, as in memory
    miss = pd.DataFrame({"x1": [0.1, np.nan], "region": ["r1", "r2"]})
    got = r.predict(dd.from_pandas(miss, npartitions=1)).compute()
    assert np.isfinite(got.iloc[0]) and np.isnan(got.iloc[1])
