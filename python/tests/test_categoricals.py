"""Categorical columns and option types as a statsmodels or pandas user passes them (found by a
review of the package): an ordered response's categories are its levels, a predictor whose
categories the engine would code otherwise is warned about, and an option of the wrong kind is an
error naming it instead of a silent reading ('no' taken as True, a text split into characters)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import polars as pl
import pytest
from conftest import DATA

import dimorph

ORDER = ["Low", "Medium", "High"]


@pytest.fixture(scope="module")
def housing():
    # shuffled, so that the order of first appearance is not the levels' order
    return pd.read_csv(DATA / "housing.csv").sample(frac=1, random_state=3).reset_index(drop=True)


def test_an_ordered_categorical_response_gives_its_levels(housing):
    want = dimorph.glm("Sat ~ Infl + Type + Cont", housing, family="ordinal", freq="Freq", levels=ORDER).params
    first_seen = dimorph.glm("Sat ~ Infl + Type + Cont", housing, family="ordinal", freq="Freq").params
    assert list(first_seen.index) != list(want.index), "the shuffled rows give another order by default"
    h = housing.assign(Sat=pd.Categorical(housing.Sat, ORDER + ["Unused"], ordered=True))
    got = dimorph.glm("Sat ~ Infl + Type + Cont", h, family="ordinal", freq="Freq").params
    assert list(got.index) == list(want.index) and np.allclose(got, want, atol=1e-10)
    p = pl.from_pandas(housing).with_columns(pl.col("Sat").cast(pl.Enum(ORDER)))
    got = dimorph.glm("Sat ~ Infl + Type + Cont", p, family="ordinal", freq="Freq").params
    assert np.allclose(got, want, atol=1e-10)
    # a multinomial model's reference is the first category (nnet::multinom on a factor)
    m = dimorph.glm("Sat ~ Infl", h, family="multinomial", freq="Freq").params
    w = dimorph.glm("Sat ~ Infl", housing, family="multinomial", freq="Freq", levels=ORDER).params
    assert list(m.index) == list(w.index) and np.allclose(m, w, atol=1e-10)


def test_a_categorical_predictor_coded_otherwise_is_warned_about():
    crabs = pd.read_csv(DATA / "crabs.csv")
    numbers = crabs.assign(color=pd.Categorical(crabs.color))
    with pytest.warns(UserWarning, match=r"column 'color' is a categorical of numbers.*C\(color\)"):
        r = dimorph.glm("satell ~ width + color", numbers, family="poisson")
    assert "color" in r.params.index, "used as a number, as from the file"
    names = {2: "light", 3: "medium", 4: "dark", 5: "darker"}
    text = crabs.assign(cc=pd.Categorical(crabs.color.map(names), list(names.values())))
    with pytest.warns(UserWarning, match=r"first category is 'light'.*reference 'dark'.*C\(cc, ref='light'\)"):
        dimorph.glm("satell ~ width + cc", text, family="poisson")
    # the term the warning suggests gives the categories' reference; no warning follows for it,
    # nor for a column the formula does not name
    r = dimorph.glm("satell ~ width + C(cc, ref='light')", text.drop(columns=["color"]), family="poisson")
    terms = [t for t in r.params.index if t.startswith("C(cc")]
    assert len(terms) == 3 and not any(t.endswith("light") for t in terms), terms
    sorted_first = crabs.assign(cc=pd.Categorical(crabs.color.map(names), ["dark", "darker", "light", "medium"]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dimorph.glm("satell ~ width + cc", sorted_first, family="poisson")
        dimorph.glm("satell ~ width + C(cc, ref='light')", text, family="poisson")
        dimorph.glm("satell ~ width + C(color)", numbers, family="poisson")
        dimorph.glm("satell ~ width", text, family="poisson")


def test_options_of_the_wrong_kind_name_the_option():
    crabs = pd.read_csv(DATA / "crabs.csv")
    for kw in (dict(profile="no"), dict(residuals="no"), dict(firth="yes"), dict(type3=1)):
        (name,) = kw
        with pytest.raises(dimorph.InputError, match=f"^{name}: must be True"):
            dimorph.glm("satell ~ width", crabs, family="poisson", **kw)
    for kw in (dict(weights=crabs.weight), dict(freq=crabs.weight.to_numpy()), dict(weights=[1.0] * 173)):
        (name,) = kw
        with pytest.raises(dimorph.InputError, match=f"^{name}: give the name of a column"):
            dimorph.glm("satell ~ width", crabs, family="poisson", **kw)
    with pytest.raises(TypeError, match="data: got one column"):
        dimorph.glm("satell ~ width", crabs["width"])
    # one text is one formula, and levels may be the CLI's comma list
    a = dimorph.glm("satell ~ width + weight", crabs, family="poisson", anova="satell ~ width")
    b = dimorph.glm("satell ~ width + weight", crabs, family="poisson", anova=["satell ~ width"])
    assert a.tables["anova"].equals(b.tables["anova"])
    h = pd.read_csv(DATA / "housing.csv")
    x = dimorph.glm("Sat ~ Infl", h, family="ordinal", freq="Freq", levels="Low, Medium, High").params
    y = dimorph.glm("Sat ~ Infl", h, family="ordinal", freq="Freq", levels=ORDER).params
    assert x.equals(y)


def test_event_true_on_a_boolean_response_is_its_level_1():
    crabs = pd.read_csv(DATA / "crabs.csv").assign(any=lambda d: d.satell > 0)
    a = dimorph.glm("any ~ width", crabs, family="binomial", event=True).params
    b = dimorph.glm("any ~ width", crabs, family="binomial", event=1).params
    c = dimorph.glm("any ~ width", crabs, family="binomial", event=False).params
    assert a.equals(b) and np.allclose(a, -c)



def test_results_pickle_for_joblib_and_multiprocessing(tmp_path):
    """A result holds the engine's frame (predict and residuals refit on it): it pickles by its
    columns, and the copy predicts and gives residuals as the original does."""
    import pickle

    crabs = pd.read_csv(DATA / "crabs.csv").set_axis(range(100, 273), axis=0)
    r = dimorph.glm("satell ~ width + C(color)", crabs, family="poisson")
    c = pickle.loads(pickle.dumps(r))
    assert c.params.equals(r.params) and c.to_json() == r.to_json()
    new = pd.DataFrame({"width": [24.0, 28.0], "color": [2, 3]})
    assert c.predict(new).equals(r.predict(new))
    assert c.residuals("pearson").equals(r.residuals("pearson"))
    # a file's frame keeps its first line (line 2 is row 0)
    f = dimorph.glm("satell ~ width", str(DATA / "crabs.csv"), family="poisson")
    g = pickle.loads(pickle.dumps(f))
    assert g.fittedvalues.equals(f.fittedvalues) and g._frame.first_line == 2
    m = dimorph.glm("Sat ~ Infl", pd.read_csv(DATA / "housing.csv"), family="ordinal", freq="Freq", levels=ORDER)
    assert pickle.loads(pickle.dumps(m)).params.equals(m.params)
