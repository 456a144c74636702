"""dimorph.dask.glm: θ of the negative binomial estimated over the partitions (MASS's glm.nb
alternation, θ's score, information and log-likelihood summed per partition by the engine,
``dimorph_glm::distributed_theta``) equals the in-memory ``dimorph.glm`` fit to 1e-10; and
``start=`` (a sequence, or a mapping by coefficient name) starts both fits, checked.

The data: test_dask.py's frame (300,000 rows, region's r0 only in the first 5 % of the rows and r7
only in the last 5 %, rows missing x2 or region dropped by both fits) with an over-dispersed count
y_nb (negative binomial, θ = 1.5, fixed seed), thinned: every 10th row (30,000 rows) for θ
estimated over 10 partitions (r0 only in the first, r7 only in the last; the cost of a pass is
mostly its tasks, and θ's alternation makes 76 passes besides the Type 3 refits), every 30th
(10,000 rows, 40 partitions) for the starting values. θ's sums are the same per-partition sums whatever
the number of rows (test_dask.py fits all 300,000 rows once, the Poisson model), and a partition
left out of them still moves θ̂ far beyond the tolerance. The single-machine fit in
memory is the reference — MASS's algorithm, which the engine's own in-memory tests check against
R (crates/dimorph-glm). Same tolerance as test_dask.py (1e-10 relative, absolute below 1).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import dimorph
from test_dask import assert_same_fit, close, cluster, ddf_of, frame, small  # noqa: F401 (fixtures)

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")

pytestmark = pytest.mark.filterwarnings("ignore:Sending large graph")


@pytest.fixture(scope="module")
def nb_frame(frame) -> pd.DataFrame:
    """test_dask.py's frame with an over-dispersed count y_nb: mean t·exp(0.1 + 0.4 x1 + region
    effect), θ = 1.5."""
    rng = np.random.default_rng(20261127)
    effect = {f"r{k}": 0.15 * k - 0.4 for k in range(8)}
    eff = frame["region"].map(effect).fillna(0.0).to_numpy()
    mu = frame["t"].to_numpy() * np.exp(0.1 + 0.4 * frame["x1"].to_numpy() + eff)
    out = frame.copy()
    out["y_nb"] = rng.negative_binomial(1.5, 1.5 / (1.5 + mu)).astype(float)
    return out


@pytest.fixture(scope="module")
def nb_small(nb_frame) -> pd.DataFrame:
    """Every 10th row of ``nb_frame`` (30,000 rows), as test_dask.py's ``small``."""
    return nb_frame.iloc[::10].reset_index(drop=True)


NB_FORMULA = "y_nb ~ x1 + x2 + region + offset(log(t))"
NB_PARTS = 10


def assert_same_theta(r, s) -> None:
    t = s.result["fit"]["theta"]
    close(r.theta, float(t["theta"]), "theta")
    close(r.theta_se, float(t["se"]), "theta se")
    close(2 * r.llf, 2 * float(s.result["fit"]["loglik"]), "2 x loglik")
    close(r.aic, float(s.result["fit"]["aic"]), "AIC")
    assert r._raw["theta"]["iterations"] == t["iterations"]
    assert r._raw["family"].startswith("Negative Binomial(") and s.result["fit"]["family"]["name"] == "neg_bin"


def test_negative_binomial_theta_estimated_over_partitions_equals_single_machine(cluster, nb_small):
    s = dimorph.glm(NB_FORMULA, nb_small, family="negbin", profile=False, type3=True)
    r = dimorph.dask.glm(NB_FORMULA, dd.from_pandas(nb_small, npartitions=NB_PARTS, sort=False), family="negbin",
                         type3=True)
    assert r.npartitions == NB_PARTS
    assert 1.3 < r.theta < 1.7  # the θ the counts were drawn with
    assert_same_theta(r, s)
    assert_same_fit(r, s)  # β, both SEs, deviance, Pearson, logLik, AIC, BIC, score test, Wald table
    # Type 3 refits at θ̂ fixed, as in memory (χ² differences of deviances: test_dask's 1e-8)
    a, b = r.type3().set_index("term"), s.tables["type3"].set_index("term")
    for term in b.index:
        assert abs(float(a.loc[term, "lr_chi2"]) - float(b.loc[term, "lr_chi2"])) <= 1e-8 * max(
            1.0, abs(float(b.loc[term, "lr_chi2"])))
    # predictions and residuals use θ̂: the Pearson residuals of the rows equal the in-memory
    # fit's (its table is indexed by the data's row; rows with a missing value: NaN)
    got = r.residuals(ddf_of(nb_small), kind="pearson").compute().dropna()
    assert len(got) > 29_000
    want = s.residuals("all")["pearson"].loc[got.index]
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-10, atol=1e-12)


def test_counts_not_over_dispersed_fall_back_to_the_poisson_model_as_in_memory(cluster, small):
    # 0/1 counts: less variable than Poisson counts, θ̂ is infinite
    thin = small
    s = dimorph.glm("y_bin ~ x1 + region", thin, family="negbin", profile=False)
    r = dimorph.dask.glm("y_bin ~ x1 + region", ddf_of(thin), family="negbin", type3=False)
    assert r.theta is None and s.result["fit"]["theta"] is None
    fam = s.result["fit"]["family"]
    assert r._raw["family"] == "poisson" == (fam["name"] if isinstance(fam, dict) else fam)
    assert "goes to infinity" in r.warnings[0] and r.warnings[0] == s.result["fit"]["warnings"][0]
    assert_same_fit(r, s)


def test_start_from_the_solution_converges_at_once_to_the_same_fit(frame):
    thin = frame.iloc[::30].reset_index(drop=True)
    formula, opts = "y_bin ~ x1 + x2 + region", dict(family="binomial", link="probit")
    with dask.config.set(scheduler="synchronous"):
        r = dimorph.dask.glm(formula, ddf_of(thin), type3=False, **opts)
        for start in (list(r.params), r.params, dict(r.params), tuple(r.params)[::-1] and
                      {k: r.params[k] for k in reversed(r.params.index)}):
            again = dimorph.dask.glm(formula, ddf_of(thin), type3=False, start=start, **opts)
            assert again.iterations <= 2
            for term in r.params.index:
                close(float(again.params[term]), float(r.params[term]), f"params[{term}]")
                close(float(again.bse[term]), float(r.bse[term]), f"bse[{term}]")
            close(again.deviance, r.deviance, "deviance")
        # the distributed fit from a start equals the in-memory fit from the same start
        start = [0.0] * len(r.params)
        d = dimorph.dask.glm(formula, ddf_of(thin), type3=False, start=start, **opts)
    s = dimorph.glm(formula, thin, profile=False, start=start, **opts)
    assert_same_fit(d, s)
    assert d.iterations == s.result["fit"]["iterations"]
    # in memory, from its own solution
    m = dimorph.glm(formula, thin, profile=False, **opts)
    m2 = dimorph.glm(formula, thin, profile=False, start=list(m.params), **opts)
    assert m2.result["fit"]["iterations"] <= 2
    for term in m.params.index:
        close(float(m2.params[term]), float(m.params[term]), f"in-memory params[{term}]")


def test_negative_binomial_started_from_its_solution(nb_frame):
    thin = nb_frame.iloc[::30].reset_index(drop=True)
    with dask.config.set(scheduler="synchronous"):
        r = dimorph.dask.glm(NB_FORMULA, ddf_of(thin), family="negbin", type3=False)
        again = dimorph.dask.glm(NB_FORMULA, ddf_of(thin), family="negbin", type3=False, start=dict(r.params))
    assert again.iterations <= 2
    # the reported iterations are the last β fit's (1 from any start here): the start shows in the
    # passes, fewer than from the default start (74 against 76 on this data)
    assert again.passes < r.passes, (again.passes, r.passes)
    close(again.theta, r.theta, "theta")
    for term in r.params.index:
        close(float(again.params[term]), float(r.params[term]), f"params[{term}]")
    s = dimorph.glm(NB_FORMULA, thin, family="negbin", profile=False, start=list(r.params))
    assert_same_theta(again, s)
    assert_same_fit(again, s)
    # in memory, the start named (a pandas Series, its terms in another order) is the list
    named = dimorph.glm(NB_FORMULA, thin, family="negbin", profile=False, type3=False, start=r.params[::-1])
    assert named.params.equals(s.params) and named.bse.equals(s.bse)
    assert named.result["fit"]["theta"] == s.result["fit"]["theta"]


@pytest.mark.parametrize("start,match", [
    ([0.1, 0.2], r"--start: has 2 values but the model has 4 coefficients"),
    ([0.1, 0.2, math.nan, 0.0], r"--start: values must be finite, got NaN"),
    ([0.1, 0.2, math.inf, 0.0], r"--start: values must be finite"),
    ({"(Intercept)": 0.0, "x1": 0.0, "x2": 0.0, "nope": 1.0}, r"--start: names no coefficient of the model: 'nope'"),
    ({"(Intercept)": 0.0, "x1": 0.0}, r"--start: lacks 'x2', 'x1:x2'"),
    (["a", 1, 2, 3], r"--start: values must be numbers"),
    ("0.1", r"--start: expected a sequence or a mapping"),
    (3.0, r"--start: expected a sequence or a mapping"),
])
def test_bad_starting_values_raise_input_error_naming_start(frame, start, match):
    small = ddf_of(frame.head(3000))
    with dask.config.set(scheduler="synchronous"):
        with pytest.raises(dimorph.InputError, match=match):
            dimorph.dask.glm("y_pois ~ x1 * x2", small, family="poisson", start=start)
    # in memory: the same words (names too, the parsing is shared)
    with pytest.raises(dimorph.InputError, match=match):
        dimorph.glm("y_pois ~ x1 * x2", frame.head(3000), family="poisson", start=start)
