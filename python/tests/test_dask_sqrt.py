"""dimorph.dask.glm with the Poisson family, the square-root link and an offset,
``y_pois ~ x1 + offset(log(t))``, on 240,000 rows made as test_dask.py makes its data.

mu = eta squared over all eta folds the likelihood (each row with y > 0 is a barrier at eta = 0):
before dimorph kept eta > 0 on this link, the in-memory and the distributed fit stopped at two
different local maxima with rows at eta < 0 (deviance 316327.80 and 316312.58). Both now keep
eta = X beta + offset > 0 on every row, as R does (make.link("sqrt")$valideta), halving a step
that leaves that range, so they take the same path and must give the same fit to 1e-10
(coefficients, standard errors, deviance).

On these data the maximum over the closed range eta >= 0 lies on its edge: eta = 0 on a row with
y = 0, where mu = 0 leaves the Poisson range (mu > 0). R (peers/sqrt_dask.R -> sqrt_dask.csv)
stops at its default start ("no valid set of coefficients has been found"); from valid starts its
step-halving creeps towards the edge and stops where the deviance stops changing, at
start-dependent points (deviance 358336.26 from (1.5, 0.1), 345821.14 from (2, 0)) with "algorithm
stopped at boundary value"; the closed maximum (R's optimize() along each candidate edge) has
deviance 326879.97. dimorph halves as R does (from the intercept-only model, as its first step
from the family's start leaves the range) and stops with R's warnings; checked here: a valid
point (every eta > 0), not better than the closed maximum, and both fits equal.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import dimorph
import dimorph.dask as ddask
from conftest import dask_frame

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")

N = 240_000
PEER = Path(__file__).resolve().parent / "peers" / "sqrt_dask.csv"


def make_frame() -> pd.DataFrame:
    # test_dask.py's data at 240,000 rows (its y_pois column and covariates)
    return dask_frame(N)[["y_pois", "x1", "t"]]


def peer() -> dict:
    """R's values: (case, quantity) -> value, or the text where the value is NA."""
    with open(PEER, newline="") as fh:
        return {(r["case"], r["quantity"]): (float(r["value"]) if r["value"] != "NA" else r["text"])
                for r in csv.DictReader(fh)}


def eta(df: pd.DataFrame, beta: np.ndarray) -> np.ndarray:
    return beta[0] + beta[1] * df["x1"].to_numpy() + np.log(df["t"].to_numpy())


def deviance(df: pd.DataFrame, beta: np.ndarray) -> float:
    """The Poisson deviance at mu = eta^2, computed here from its definition."""
    y, mu = df["y_pois"].to_numpy(), eta(df, beta) ** 2
    pos = y > 0
    return float(2.0 * (np.sum(y[pos] * np.log(y[pos] / mu[pos])) - np.sum(y - mu)))


@pytest.fixture(scope="module")
def fits():
    df = make_frame()
    formula = "y_pois ~ x1 + offset(log(t))"
    mem = dimorph.glm(formula, df, family="poisson", link="sqrt", profile=False)
    with dask.config.set(scheduler="synchronous"):
        dist = ddask.glm(formula, dd.from_pandas(df, npartitions=12, sort=False), family="poisson", link="sqrt")
    return df, mem, dist


def test_sqrt_link_with_offset_keeps_eta_positive_and_warns_as_r_at_the_edge(fits):
    df, mem, dist = fits
    r = peer()
    assert r[("default_start", "error")] == "no valid set of coefficients has been found: please supply starting values"
    closed = r[("closed_max", "deviance")]
    for fit in (mem, dist):
        b = np.asarray(fit.params)
        assert np.all(eta(df, b) > 0), "every row's eta must stay above 0"
        assert fit.converged
        # a valid point: its deviance (from the definition, and as reported) not below the closed maximum's
        d = deviance(df, b)
        assert abs(d - fit.deviance) <= 1e-9 * d
        assert fit.deviance >= closed * (1 - 1e-12), (fit.deviance, closed)
        words = " ".join(fit.warnings)
        assert "step size truncated" in words and "stopped at the boundary of the valid range" in words, fit.warnings
    # every iteration's step is halved back into the range, one pass per halving (as R's inner loop)
    assert dist.passes <= 32 * dist.iterations + 100, dist.passes


def test_sqrt_link_with_offset_distributed_equals_in_memory(fits):
    _, mem, dist = fits
    np.testing.assert_allclose(np.asarray(dist.params), np.asarray(mem.params), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(np.asarray(dist.bse), np.asarray(mem.bse), rtol=1e-10, atol=0)
    np.testing.assert_allclose(np.asarray(dist.bse_observed), np.asarray(mem.bse_observed), rtol=1e-10, atol=0)
    assert abs(dist.deviance - mem.deviance) <= 1e-10 * abs(mem.deviance)
    assert sorted(dist.warnings) == sorted(w for w in mem.warnings if w in dist.warnings)
