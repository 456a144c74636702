"""``output="polars"``: the tables of the GLM engine's further results — Tweedie, Firth, ordinal,
multinomial, GEE fits (``.tidy()``, ``.glance()``) and the analysis of deviance
(``dimorph.anova``) — come as polars DataFrames with the same columns, rows and values as the
pandas ones (every value equal; a missing number, NaN in pandas, is null in polars), and a word
other than pandas or polars raises ``dimorph.InputError``."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import dimorph

pl = pytest.importorskip("polars")
pytestmark = pytest.mark.usefixtures("in_repo")

FIRTH = "crates/dimorph-glm/tests/peers/firth_sex2.csv"
HOUSING = "Sat ~ Infl + Type + Cont"


def missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def same_table(p, d: pd.DataFrame) -> int:
    """``p`` (polars) holds ``d`` (pandas): names, length, each value; returns how many values
    are missing (null in ``p``, NaN or None in ``d``)."""
    assert isinstance(p, pl.DataFrame)
    assert p.columns == [str(c) for c in d.columns]
    assert p.height == len(d) > 0
    nulls = 0
    for c in d.columns:
        for ours, theirs in zip(p[str(c)].to_list(), d[c].tolist()):
            if missing(theirs):
                assert ours is None, (c, ours)
                nulls += 1
            else:
                assert ours == theirs, (c, ours, theirs)
                assert type(ours) is type(theirs) or {type(ours), type(theirs)} <= {int, float}, c
    return nulls


def fits():
    return {
        "tweedie": dimorph.glm("weight ~ width", "data/crabs.csv", family="tweedie(1.5)"),
        "firth": dimorph.glm("case ~ age + oc + vic + vicl + vis + dia", FIRTH, firth=True),
        "ordinal": dimorph.glm(HOUSING, "data/housing.csv", family="ordinal", freq="Freq"),
        "multinomial": dimorph.glm(HOUSING, "data/housing.csv", family="multinomial", ref="Low", freq="Freq"),
        "gee": dimorph.gee("resp ~ age + smoke", "data/ohio.csv", id="id", corstr="ar1", waves="wave",
                           family="binomial"),
    }


@pytest.mark.parametrize("kind", ["tweedie", "firth", "ordinal", "multinomial", "gee"])
def test_tidy_as_polars_equals_pandas(kind):
    r = fits()[kind]
    same_table(r.tidy(output="polars"), r.tidy())
    for name in r.tables:  # every table, by name
        same_table(r.tidy(name, output="polars"), r.tidy(name))
    assert r.tidy(output="pandas") is r.tidy()


def test_the_multinomial_levels_and_gee_columns_survive():
    f = fits()
    m = f["multinomial"].tidy(output="polars")
    assert m["kind"].unique(maintain_order=True).to_list() == ["Medium", "High"]
    g = f["gee"].tidy(output="polars")
    assert g["std_error_naive"].dtype == pl.Float64 and (g["std_error_naive"] > 0).all()


def test_glance_as_polars_keeps_na_as_null():
    r = fits()["tweedie"]
    g = r.glance(output="polars")
    assert same_table(g, r.glance()) >= 1
    assert g["aic"].to_list() == [None]  # no closed-form Tweedie density: NA in the CLI, NaN in pandas
    assert g["family"].to_list() == r.glance()["family"].tolist()


@pytest.mark.parametrize("family,link", [("poisson", None), ("gamma", "log")])
def test_anova_as_polars(family, link):
    formulas = ["weight ~ width", "weight ~ width + C(color)"] if family == "gamma" else \
        ["satell ~ width", "satell ~ width + weight"]
    d = dimorph.anova(*formulas, data="data/crabs.csv", family=family, link=link)
    p = dimorph.anova(*formulas, data="data/crabs.csv", family=family, link=link, output="polars")
    assert p.columns[0] == "model" and p["model"].to_list() == [1, 2]
    assert same_table(p, d.reset_index()) >= 2  # R's NA in the first row (df, change, p)
    assert p["deviance_change"][0] is None and p["deviance_change"][1] == d["deviance_change"].iloc[1]


def test_a_bad_output_word_is_an_input_error():
    r = fits()["firth"]
    for call in (lambda: r.tidy(output="arrow"), lambda: fits()["tweedie"].glance(output="numpy"),
                 lambda: dimorph.anova("satell ~ width", "satell ~ width + weight", data="data/crabs.csv",
                                       family="poisson", output="Polars")):
        with pytest.raises(dimorph.InputError, match="output: must be 'pandas' or 'polars'"):
            call()
