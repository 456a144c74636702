"""dimorph.dask.glm with the Poisson family, the square-root link and an offset,
``y_pois ~ x1 + offset(log(t))``, on 240,000 rows made as test_dask.py makes its data: at the
maximum some rows have eta = X beta + offset below zero (mu = eta squared there). The Newton
polish's score once took d mu / d eta as 1 / g'(mu) = 2 sqrt(mu), the wrong sign on those rows:
the distributed fit took about 1,200 passes and stopped away from the maximum, and differed from
the in-memory fit in the third digit. Checked here: the score of the log-likelihood, computed in
this file from its definition, vanishes at both fits' estimates, and the distributed fit takes a
normal number of passes.

Not yet equal (the strict xfail below): mu = eta squared over all eta folds the likelihood, so
its deviance has several local minima (each row with y > 0 is a barrier at eta = 0). The
in-memory fit from 200,000 rows on starts from a subsample's estimates, the distributed fit from
the family's starting mu, and here they stop at different local maxima (deviance 316327.80 in
memory, 316312.58 distributed; both stationary). R refuses eta <= 0 on this link (valideta).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import dimorph
import dimorph.dask as ddask
from conftest import dask_frame

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")

N = 240_000


def make_frame() -> pd.DataFrame:
    # test_dask.py's data at 240,000 rows (its y_pois column and covariates)
    return dask_frame(N)[["y_pois", "x1", "t"]]


def relative_score(df: pd.DataFrame, beta: np.ndarray) -> tuple[np.ndarray, int]:
    """Sum of (y - mu) (d mu / d eta) / V(mu) x with mu = eta^2, d mu / d eta = 2 eta, V = mu,
    relative to the sum of the terms' sizes; and the rows with eta < 0."""
    eta = beta[0] + beta[1] * df["x1"].to_numpy() + np.log(df["t"].to_numpy())
    u = (df["y_pois"].to_numpy() - eta**2) * 2.0 * eta / eta**2
    x = np.column_stack([np.ones(len(df)), df["x1"].to_numpy()])
    return (u @ x) / (np.abs(u) @ np.abs(x)), int((eta < 0).sum())


@pytest.fixture(scope="module")
def fits():
    df = make_frame()
    formula = "y_pois ~ x1 + offset(log(t))"
    mem = dimorph.glm(formula, df, family="poisson", link="sqrt", profile=False)
    with dask.config.set(scheduler="synchronous"):
        dist = ddask.glm(formula, dd.from_pandas(df, npartitions=12, sort=False), family="poisson", link="sqrt")
    return df, mem, dist


def test_sqrt_link_with_offset_both_fits_at_a_maximum_in_few_passes(fits):
    df, mem, dist = fits
    sm, neg = relative_score(df, np.asarray(mem.params))
    sd, _ = relative_score(df, np.asarray(dist.params))
    assert neg > 0, "the data must have rows with eta < 0 at the maximum"
    assert np.all(np.abs(sm) < 1e-9), sm
    assert np.all(np.abs(sd) < 1e-9), sd
    assert dist.converged and mem.converged
    assert dist.passes <= 100, dist.passes


@pytest.mark.xfail(strict=True, reason="the folded likelihood has several local maxima; the in-memory fit's "
                   "warm start (>= 200,000 rows) and the distributed fit's start reach different ones")
def test_sqrt_link_with_offset_distributed_equals_in_memory(fits):
    _, mem, dist = fits
    bm, bd = np.asarray(mem.params), np.asarray(dist.params)
    np.testing.assert_allclose(bd, bm, rtol=1e-10, atol=1e-10)
    assert abs(dist.deviance - mem.deviance) <= 1e-10 * abs(mem.deviance)
