"""The GLM engine's further entry points through Python — Tweedie families, Firth's penalised
logistic regression (``firth=True``), ordinal and multinomial responses (``family="ordinal"`` /
``"multinomial"``), GEE (:func:`dimorph.gee`) and the analysis of deviance of nested models
(:func:`dimorph.anova`) — equal the CLI on the same bundled data: the JSON envelope (every key,
option and number, to 1e-12 relative), the report text, the tidy table's columns; and bad input
raises ``dimorph.InputError`` with the message the CLI prints (exit 2)."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from conftest import assert_same_json, cli_json

import dimorph

pytestmark = pytest.mark.usefixtures("in_repo")

FIRTH = "crates/dimorph-glm/tests/peers/firth_sex2.csv"
FIRTH_FORMULA = "case ~ age + oc + vic + vicl + vis + dia"
HOUSING = "Sat ~ Infl + Type + Cont"


def same_as_cli(cli, r, args):
    """``r`` equals the CLI run with ``args``: the envelope, the report text, the tidy table."""
    assert_same_json(json.loads(r.to_json()), cli_json(cli, *args))
    text = cli(*args)
    assert text.returncode == 0, text.stderr
    assert r.summary() == text.stdout
    csv = cli(*args, "--format", "csv").stdout.splitlines()
    t = r.tidy()
    assert list(t.columns) == csv[0].split(",")
    assert len(t) == len(csv) - 1


def same_error(cli, call, args):
    """``call`` raises InputError with the message the CLI prints for ``args`` (exit 2)."""
    with pytest.raises(dimorph.InputError) as e:
        call()
    p = cli(*args)
    assert p.returncode == 2, (args, p.stdout)
    assert p.stderr.strip() == f"error: {e.value}", args


def same_value_error(cli, call, args, flag):
    """As :func:`same_error` for a value the CLI's argument parser refuses: it words the start
    (``invalid value 'X' for '--flag <X>': ``), Python says ``--flag: ``; the reason is the same."""
    with pytest.raises(dimorph.InputError) as e:
        call()
    msg = str(e.value)
    assert msg.startswith(f"{flag}: ")
    p = cli(*args)
    assert p.returncode == 2, (args, p.stdout)
    assert p.stderr.startswith("error: invalid value "), p.stderr
    assert p.stderr.splitlines()[0].endswith(": " + msg[len(flag) + 2:]), (p.stderr, msg)


def test_tweedie_family_string_passes_through(cli):
    r = dimorph.glm("weight ~ width", "data/crabs.csv", family="tweedie(1.5)")
    assert isinstance(r, dimorph.GlmResult)
    same_as_cli(cli, r, ["glm", "--data", "data/crabs.csv", "weight ~ width", "--family", "tweedie(1.5)"])
    assert r.result["fit"]["family"] == {"name": "tweedie", "power": 1.5}
    assert math.isnan(r.aic)  # no closed-form density: NA with the reason in the warnings
    assert any("Tweedie" in w for w in r.warnings)
    assert list(r.params.index) == ["(Intercept)", "width"]


def test_tweedie_bad_power_is_the_clis_error(cli):
    same_value_error(cli, lambda: dimorph.glm("weight ~ width", "data/crabs.csv", family="tweedie(0.5)"),
                     ["glm", "--data", "data/crabs.csv", "weight ~ width", "--family", "tweedie(0.5)"], "--family")


def test_firth_equals_the_cli(cli):
    r = dimorph.glm(FIRTH_FORMULA, FIRTH, firth=True)
    assert isinstance(r, dimorph.ModelResult)
    same_as_cli(cli, r, ["glm", "--data", FIRTH, FIRTH_FORMULA, "--firth"])
    t = r.tidy()
    assert list(r.params.index) == t["term"].tolist()
    assert r.params["age"] == t.loc[t["term"] == "age", "estimate"].iloc[0]
    assert list(r.conf_int().columns) == ["lower", "upper"]
    w = dimorph.glm(FIRTH_FORMULA, FIRTH, firth=True, profile=False)
    same_as_cli(cli, w, ["glm", "--data", FIRTH, FIRTH_FORMULA, "--firth", "--no-profile"])


def test_firth_bad_input_is_the_clis_error(cli):
    same_error(cli, lambda: dimorph.glm(FIRTH_FORMULA, FIRTH, firth=True, family="poisson"),
               ["glm", "--data", FIRTH, FIRTH_FORMULA, "--firth", "--family", "poisson"])
    same_error(cli, lambda: dimorph.glm(FIRTH_FORMULA, FIRTH, firth=True, residuals=True),
               ["glm", "--data", FIRTH, FIRTH_FORMULA, "--firth", "--residuals"])
    same_error(cli, lambda: dimorph.glm(FIRTH_FORMULA, FIRTH, firth=True, family="ordinal"),
               ["glm", "--data", FIRTH, FIRTH_FORMULA, "--firth", "--family", "ordinal"])


@pytest.mark.parametrize(
    "kwargs,args",
    [
        (dict(family="ordinal", freq="Freq"), ["--family", "ordinal", "--freq", "Freq"]),
        (dict(family="ordinal", link="probit", freq="Freq", levels=["Low", "Medium", "High"]),
         ["--family", "ordinal", "--link", "probit", "--freq", "Freq", "--levels", "Low,Medium,High"]),
        (dict(family="multinomial", ref="Low", freq="Freq"), ["--family", "multinomial", "--ref", "Low", "--freq", "Freq"]),
        (dict(family="multinomial", ref="High", freq="Freq", level=0.9),
         ["--family", "multinomial", "--ref", "High", "--freq", "Freq", "--level", "0.9"]),
    ],
)
def test_ordinal_and_multinomial_equal_the_cli(cli, kwargs, args):
    r = dimorph.glm(HOUSING, "data/housing.csv", **kwargs)
    assert isinstance(r, dimorph.ModelResult)
    same_as_cli(cli, r, ["glm", "--data", "data/housing.csv", HOUSING, *args])
    assert len(r.params) == len(r.tidy())
    if kwargs["family"] == "multinomial":  # terms repeat per level: indexed by (kind, term)
        assert r.params.index.names == ["kind", "term"]


def test_categorical_from_pandas_equals_the_file():
    a = dimorph.glm(HOUSING, "data/housing.csv", family="ordinal", freq="Freq")
    b = dimorph.glm(HOUSING, pd.read_csv("data/housing.csv"), family="ordinal", freq="Freq")
    assert_same_json(a.result, b.result)


def test_categorical_bad_input_is_the_clis_error(cli):
    d = ["glm", "--data", "data/housing.csv", HOUSING]
    same_error(cli, lambda: dimorph.glm(HOUSING, "data/housing.csv", family="poisson", ref="Low"),
               [*d, "--family", "poisson", "--ref", "Low"])
    same_error(cli, lambda: dimorph.glm(HOUSING, "data/housing.csv", levels=["Low", "High"]),
               [*d, "--levels", "Low,High"])
    same_error(cli, lambda: dimorph.glm(HOUSING, "data/housing.csv", family="ordinal", robust="hc0"),
               [*d, "--family", "ordinal", "--robust", "hc0"])
    same_error(cli, lambda: dimorph.glm(HOUSING, "data/housing.csv", family="multinomial", link="probit"),
               [*d, "--family", "multinomial", "--link", "probit"])
    same_error(cli, lambda: dimorph.glm(HOUSING, "data/housing.csv", family="ordinal", levels=["Low", "High"]),
               [*d, "--family", "ordinal", "--levels", "Low,High"])
    same_error(cli, lambda: dimorph.glm(HOUSING, "data/housing.csv", family="multinomial", ref="Nope"),
               [*d, "--family", "multinomial", "--ref", "Nope"])


@pytest.mark.parametrize(
    "kwargs,args",
    [
        (dict(corstr="exchangeable", family="binomial"), ["--family", "binomial", "--corstr", "exchangeable"]),
        (dict(corstr="ar1", waves="wave", family="binomial"),
         ["--family", "binomial", "--corstr", "ar1", "--waves", "wave"]),
        (dict(corstr="unstructured", waves="wave", family="binomial", link="probit", level=0.9),
         ["--family", "binomial", "--corstr", "unstructured", "--waves", "wave", "--link", "probit", "--level", "0.9"]),
        (dict(family="binomial"), ["--family", "binomial"]),
    ],
)
def test_gee_equals_the_cli(cli, kwargs, args):
    r = dimorph.gee("resp ~ age + smoke", "data/ohio.csv", id="id", **kwargs)
    same_as_cli(cli, r, ["glm", "--data", "data/ohio.csv", "resp ~ age + smoke", "--gee", "--id", "id", *args])
    assert list(r.bse.index) == ["(Intercept)", "age", "smoke"]
    assert (r.tidy()["std_error_naive"] > 0).all()


def test_gee_bad_input_is_the_clis_error(cli):
    d = ["glm", "--data", "data/ohio.csv", "resp ~ age + smoke", "--family", "binomial", "--gee"]
    same_error(cli, lambda: dimorph.gee("resp ~ age + smoke", "data/ohio.csv", id="nosuch", family="binomial"),
               [*d, "--id", "nosuch"])
    same_error(cli, lambda: dimorph.gee("resp ~ age + smoke", "data/ohio.csv", id="id", family="negbin"),
               ["glm", "--data", "data/ohio.csv", "resp ~ age + smoke", "--family", "negbin", "--gee", "--id", "id"])
    same_value_error(cli, lambda: dimorph.gee("resp ~ age + smoke", "data/ohio.csv", id="id", corstr="toeplitz"),
                     [*d, "--id", "id", "--corstr", "toeplitz"], "--corstr")
    with pytest.raises(dimorph.InputError, match="--id"):
        dimorph.gee("resp ~ age + smoke", "data/ohio.csv", id="", family="binomial")


@pytest.mark.parametrize(
    "formulas,kwargs,args",
    [
        (["satell ~ width", "satell ~ width + weight", "satell ~ width + weight + C(color)"],
         dict(family="poisson"), ["--family", "poisson"]),
        (["weight ~ width", "weight ~ width + C(color)"], dict(family="gamma", link="log"),
         ["--family", "gamma", "--link", "log"]),
    ],
)
def test_anova_equals_the_cli(cli, formulas, kwargs, args):
    t = dimorph.anova(*formulas, data="data/crabs.csv", **kwargs)
    cmd = ["glm", "anova", "--data", "data/crabs.csv", *formulas, *args]
    env = cli_json(cli, *cmd)
    assert_same_json(json.loads(t.attrs["json"]), env)
    assert t.attrs["summary"] == cli(*cmd).stdout
    csv = pd.read_csv(pd.io.common.StringIO(cli(*cmd, "--format", "csv").stdout))
    assert list(t.index) == csv["model"].tolist() == list(range(1, len(formulas) + 1))
    assert list(t.columns) == list(csv.columns[1:])
    assert t["formula"].tolist() == formulas
    for col in t.columns[1:]:
        for ours, theirs in zip(t[col], csv[col]):
            if math.isnan(theirs):
                assert math.isnan(ours), col
            else:
                assert abs(ours - theirs) <= 1e-12 * max(1.0, abs(theirs)), col
    assert math.isnan(t["deviance_change"].iloc[0])  # as R: no change for the first model
    if kwargs["family"] == "gamma":  # dispersion estimated: F tests as R's anova(test = "F")
        assert t["f_value"].notna().iloc[1:].all()


def test_anova_bad_input_is_the_clis_error(cli):
    same_error(cli, lambda: dimorph.anova("satell ~ width", data="data/crabs.csv", family="poisson"),
               ["glm", "anova", "--data", "data/crabs.csv", "satell ~ width", "--family", "poisson"])
    same_error(cli, lambda: dimorph.anova("satell ~ width", "satell ~ nosuch", data="data/crabs.csv", family="poisson"),
               ["glm", "anova", "--data", "data/crabs.csv", "satell ~ width", "satell ~ nosuch", "--family", "poisson"])
    same_error(cli, lambda: dimorph.anova("satell ~ width", "satell ~ weight", data="data/crabs.csv", family="poisson"),
               ["glm", "anova", "--data", "data/crabs.csv", "satell ~ width", "satell ~ weight", "--family", "poisson"])


def test_gee_from_pandas_equals_the_file():
    a = dimorph.gee("resp ~ age + smoke", "data/ohio.csv", id="id", corstr="ar1", waves="wave", family="binomial")
    b = dimorph.gee("resp ~ age + smoke", pd.read_csv("data/ohio.csv"), id="id", corstr="ar1", waves="wave",
                    family="binomial")
    assert_same_json(a.result, b.result)
