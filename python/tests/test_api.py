"""The package as a user meets it: imports, help() texts, type information, result objects."""

from __future__ import annotations

import json
import pydoc
from pathlib import Path

import numpy as np
import pandas as pd
from conftest import DATA

import dimorph


def test_installed_package_is_the_wheel():
    here = Path(dimorph.__file__).parent
    assert (here / "py.typed").exists() and (here / "_dimorph.pyi").exists()
    assert any(p.name.startswith("_dimorph") and p.suffix in (".so", ".pyd") for p in here.iterdir())
    assert dimorph.__version__ == json.loads(dimorph.refint.compare((1, 2), (1, 2)).to_json())["version"]


def test_refint_stubs_list_every_keyword_the_extension_takes():
    """_dimorph.pyi names each parameter of the compiled refint functions, in order and with its
    default, and the Python wrappers take the new ones (percentiles, outliers, remove_outliers)."""
    import ast
    import inspect

    from dimorph import _dimorph

    here = Path(dimorph.__file__).parent
    stubs = {f.name: f for f in ast.parse((here / "_dimorph.pyi").read_text()).body if isinstance(f, ast.FunctionDef)}
    for name in ["refint_table", "refint_compare", "refint_estimate", "refint_partition", "refint_verify",
                 "refint_age"]:
        compiled = inspect.signature(getattr(_dimorph, name)).parameters
        a = stubs[name].args
        stub = [x.arg for x in a.args + a.kwonlyargs]
        assert stub == list(compiled), (name, stub, list(compiled))
        defaults = dict(zip([x.arg for x in a.kwonlyargs], a.kw_defaults))
        for k, p in compiled.items():
            if p.default is not inspect.Parameter.empty:
                assert ast.literal_eval(defaults[k]) == p.default, (name, k)
    # the wrappers pass the keywords on (estimate leaves out z, bias, assumption: the CLI refuses them there)
    for fn, keys in [(dimorph.refint.estimate, {"percentiles", "outliers", "remove_outliers", "nboot", "seed"}),
                     (dimorph.refint.partition, {"outliers", "remove_outliers", "nboot", "z", "zeros"}),
                     (dimorph.refint.verify, {"mode", "where", "method", "z", "bias", "zeros"}),
                     (dimorph.refint.age, {"window", "step", "curves", "partitions", "smooth", "lms_df", "zeros"})]:
        assert keys <= set(inspect.signature(fn).parameters), fn


def test_help_shows_the_docstrings():
    for obj, needle in [
        (dimorph.glm, "Parameters"),
        (dimorph.GlmResult.conf_int, "profile"),
        (dimorph.refint.estimate, "reflimR"),
        (dimorph.refint.partition, "Harris & Boyd"),
        (dimorph.refint.verify, "EP28"),
        (dimorph.refint.age, "LMS"),
        (dimorph.lifetable, "HMD"),
        (dimorph.lifelost, "Riffe"),
        (dimorph.decompose, "Horiuchi"),
        (dimorph.embed.TSNE, "kl_divergence_"),
        (dimorph.InputError, "CLI"),
        (dimorph.Frame, "columns"),
        (dimorph, "InputError"),
    ]:
        assert needle in pydoc.render_doc(obj, renderer=pydoc.plaintext), obj


def test_glm_result_objects():
    r = dimorph.glm("satell ~ width", DATA / "crabs.csv", family="poisson")
    assert list(r.params.index) == ["(Intercept)", "width"]
    for s in (r.params, r.bse, r.bse_observed, r.tvalues, r.pvalues):
        assert isinstance(s, pd.Series) and s.index.name == "term"
    ci = r.conf_int()
    assert list(ci.columns) == ["lower", "upper"] and (ci["lower"] < r.params).all()
    w = r.conf_int("wald")
    assert ((w["upper"] - w["lower"]) / 2 / r.bse).round(6).nunique() == 1
    t = r.tidy()
    assert list(t.columns[:7]) == ["term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"]
    g = r.glance()
    assert len(g) == 1 and g["aic"].iloc[0] == r.aic and g["deviance"].iloc[0] == r.deviance
    assert set(r.tables) == {"coefficients", "fit", "type3"}
    assert r.llf < 0 and r.nobs == 173 and r.converged and r.scale == 1.0
    res = r.residuals("all")
    assert len(res) == 173 and {"deviance", "pearson", "leverage", "cooks_distance"} <= set(res.columns)
    assert abs((r.residuals("deviance") ** 2).sum() - r.deviance) < 1e-8
    p = r.predict(pd.DataFrame({"width": [22.0, 26.0, None, 30.0]}))
    assert list(p.index) == [0, 1, 2, 3] and p["fitted"].isna().tolist() == [False, False, True, False]
    assert (p["fitted_lower"] < p["fitted"]).iloc[[0, 1, 3]].all()
    assert list(r.predict(pd.DataFrame({"width": [22.0]}), interval=False).columns) == ["eta", "fitted"]
    assert "Call:  glm(formula = satell ~ width" in r.summary()
    assert "The GENMOD Procedure" in r.summary()
    assert json.loads(r.to_json())["command"] == "glm"
    assert "glm satell ~ width" in repr(r)


def test_rows_keep_the_data_frames_index():
    """Residuals, fitted values and predictions carry a pandas DataFrame's own index (statsmodels'
    behaviour), so assigning them back to a shuffled or re-indexed frame lands on the right rows."""
    crabs = pd.read_csv(DATA / "crabs.csv")
    d = crabs.sample(frac=1, random_state=0).set_axis(crabs.index[::-1] + 1000, axis=0)
    d.loc[d.index[5], "width"] = None  # a skipped row keeps its place as NaN
    r = dimorph.glm("satell ~ width", d, family="poisson")
    b = r.params
    want = np.exp(b["(Intercept)"] + b["width"] * d["width"])
    for got in (r.fittedvalues, r.predict()["fitted"], r.residuals("fitted")):
        assert list(got.index) == list(d.index)
        assert (got - want).abs().max() < 1e-9
        assert got.isna().tolist() == d["width"].isna().tolist()
    d["res"] = r.residuals("response")
    assert ((d["res"] - (d["satell"] - r.fittedvalues)).abs().max() < 1e-9)
    # new data: its own index; data that is not pandas: rows from 0
    new = pd.DataFrame({"width": [22.0, 30.0]}, index=["a", "b"])
    assert list(r.predict(new).index) == ["a", "b"]
    assert list(dimorph.glm("satell ~ width", str(DATA / "crabs.csv"), family="poisson").fittedvalues.index[:3]) == [0, 1, 2]


def test_result_tables_have_pandas_types():
    r = dimorph.lifetable(DATA / "hmd" / "USA", year=2010, sex="female")
    t = r.table
    assert t["ex"].dtype == "float64" and len(t) == 111
    assert r.warnings == r.to_dict()["warnings"]
