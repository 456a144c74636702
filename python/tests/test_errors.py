"""Each class of bad input raises dimorph.InputError (a ValueError) with the engine's message; a
panic in the engine becomes dimorph.InternalError, never an abort."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from conftest import DATA

import dimorph
from dimorph import _dimorph

CRABS = DATA / "crabs.csv"
LIVER = DATA / "refint" / "reflimr_livertests.csv"


@pytest.fixture(scope="module")
def crabs():
    return pd.read_csv(CRABS)


def raises(fn, *needles):
    with pytest.raises(dimorph.InputError) as e:
        fn()
    msg = str(e.value)
    for n in needles:
        assert n in msg, msg
    return msg


def test_input_error_is_a_value_error():
    assert issubclass(dimorph.InputError, ValueError)
    assert issubclass(dimorph.InternalError, RuntimeError)
    assert not issubclass(dimorph.InternalError, dimorph.InputError)


# -- unknown column --------------------------------------------------------------------------------
def test_unknown_column(crabs):
    raises(lambda: dimorph.glm("satell ~ nosuch", crabs), "pandas DataFrame", "nosuch", "width")
    raises(lambda: dimorph.glm("satell ~ width", crabs, weights="nosuch"), "nosuch")
    raises(lambda: dimorph.refint.estimate(LIVER, "NOSUCH"), "NOSUCH")
    raises(lambda: dimorph.refint.partition(pd.read_csv(LIVER), "CREA", "nosuch"), "nosuch")
    raises(lambda: dimorph.refint.table(crabs), "pandas DataFrame")
    raises(lambda: dimorph.lifetable(data=crabs, year=2010, sex="male"), "pandas DataFrame")
    raises(lambda: dimorph.lifelost(DATA / "hmd" / "USA", year=2010, causes=DATA / "usa_2010_cod.csv",
                                    group_column="nosuch"), "nosuch")
    raises(lambda: _dimorph.embed(dimorph.to_frame(crabs), ["nosuch*"]), "nosuch")


# -- bad formula -----------------------------------------------------------------------------------
@pytest.mark.parametrize("formula", ["satell ~ width +", "satell ~ ~ width", "satell width", "satell ~ log(width",
                                     "satell ~ C(color, ref=9)", ""])
def test_bad_formula(crabs, formula):
    raises(lambda: dimorph.glm(formula, crabs, family="poisson"))


def test_bad_formula_names_the_character(crabs):
    raises(lambda: dimorph.glm("satell ~ width +", crabs), "formula error at character")


# -- bad option value ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call,needle",
    [
        (lambda d: dimorph.glm("satell ~ width", d, level=2), "--level"),
        (lambda d: dimorph.glm("satell ~ width", d, family="nonsense"), "--family"),
        (lambda d: dimorph.glm("satell ~ width", d, link="nonsense"), "--link"),
        (lambda d: dimorph.glm("satell ~ width", d, family="poisson", link="logit"), "--link"),
        (lambda d: dimorph.glm("satell ~ width", d, family="poisson", theta=2.0), "--theta"),
        (lambda d: dimorph.glm("satell ~ width", d, dispersion="sometimes"), "--dispersion"),
        (lambda d: dimorph.glm("satell ~ width", d, max_iter=0), "--max-iter"),
        (lambda d: dimorph.glm("satell ~ width", d, weights="width", freq="weight"), "--freq"),
        (lambda d: dimorph.refint.estimate(LIVER, "CREA", method="nonsense"), "--method"),
        (lambda d: dimorph.refint.estimate(LIVER, "CREA", transform="lognormal"), "--transform"),
        (lambda d: dimorph.refint.estimate(LIVER, "CREA", method="direct", targets=(1, 2)), "--targets"),
        (lambda d: dimorph.refint.estimate(LIVER, "CREA", perc_trunc=40), "--perc-trunc"),
        (lambda d: dimorph.refint.compare((50, 104), (45, 88), z=-1), "--z"),
        (lambda d: dimorph.refint.compare((50, 104), (45, 88), assumption="weird"), "--assumption"),
        (lambda d: dimorph.refint.compare((104, 50), (45, 88)), ""),
        (lambda d: dimorph.refint.compare((50, 104, 3), (45, 88)), "--a"),
        (lambda d: dimorph.lifetable(DATA / "hmd" / "USA", year=2010, sex="x"), "--sex"),
        (lambda d: dimorph.lifetable(DATA / "hmd" / "USA", year=2010, sex="male", radix=0), "--radix"),
        (lambda d: dimorph.lifelost(DATA / "hmd" / "USA", year=2010, sex="total"), "--sex"),
        (lambda d: dimorph.lifelost(DATA / "hmd" / "USA", year=2010, discretisation="paper", save_at="exact"),
         "--save-at"),
        (lambda d: dimorph.lifelost(DATA / "hmd" / "USA", year=2010, keep_cause=True), "--keep-cause"),
        (lambda d: dimorph.embed.TSNE(alpha=-1).fit(np.random.default_rng(0).normal(size=(50, 3))), "--alpha"),
        (lambda d: dimorph.embed.TSNE(n_components=3).fit(np.zeros((5, 2))), "n_components"),
        (lambda d: dimorph.embed.TSNE(affinity="gaussian", k=10).fit(np.random.default_rng(0).normal(size=(50, 3))),
         "--knn applies only"),
    ],
)
def test_bad_option_value(crabs, call, needle):
    raises(lambda: call(crabs), needle)


@pytest.mark.parametrize(
    "call,needle",
    [
        (lambda d: dimorph.glm("satell ~ width", d, max_iter=-1), "--max-iter"),
        (lambda d: dimorph.glm("satell ~ width", d, max_iter=2.5), "--max-iter"),
        (lambda d: dimorph.glm("satell ~ width", d, threads=-2), "--threads"),
        (lambda d: dimorph.glm("satell ~ width", d, threads=0), "--threads"),
        (lambda d: dimorph.refint.estimate(LIVER, "CREA", method="direct", seed=-1), "--seed"),
        (lambda d: dimorph.refint.estimate(LIVER, "CREA", n_min=-5), "n_min"),
        (lambda d: dimorph.lifetable(DATA / "hmd" / "USA", year=10**12, sex="male"), "--year"),
        (lambda d: dimorph.lifetable(DATA / "hmd" / "USA", year=-3, sex="male"), "--year"),
        (lambda d: dimorph.embed.TSNE(n_iter=-1).fit(np.zeros((5, 2))), "--iter"),
        (lambda d: dimorph.embed.TSNE(k=-3).fit(np.zeros((5, 2))), "--knn"),
        (lambda d: dimorph.embed.TSNE(seed=2**64).fit(np.zeros((5, 2))), "--seed"),
        (lambda d: dimorph.embed.TSNE(threads=-1).fit(np.zeros((5, 2))), "--threads"),
    ],
)
def test_bad_whole_numbers(crabs, call, needle):
    raises(lambda: call(crabs), needle)


def test_conf_int_kind(crabs):
    r = dimorph.glm("satell ~ width", crabs, family="poisson", profile=False)
    raises(lambda: r.conf_int("profile"), "profile=False")
    raises(lambda: r.conf_int("bootstrap"), "kind")
    raises(lambda: r.residuals("odd"), "kind")


# -- non-numeric cell ------------------------------------------------------------------------------
def test_non_numeric_cell(crabs):
    bad = crabs.astype({"width": object})
    bad.loc[2, "width"] = "abc"
    for data in (bad, pl.from_pandas(bad.astype({"width": str})), {c: bad[c].tolist() for c in bad.columns},
                 pa.Table.from_pandas(bad.astype({"width": str}), preserve_index=False)):
        raises(lambda: dimorph.glm("satell ~ width", data, family="poisson"),
               "column 'width' must be numeric, but line 3 holds 'abc'")
    liver = pd.read_csv(LIVER)
    liver["CREA"] = liver["CREA"].astype(object)
    liver.loc[0, "CREA"] = "n/a?"
    raises(lambda: dimorph.refint.estimate(liver, "CREA"), "CREA", "n/a?")


def test_non_numeric_cell_in_a_file_names_the_file_line(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("y,x\n1,2\nabc,0\n1,3\n")
    raises(lambda: dimorph.glm("y ~ x", p), str(p), "line 3", "'abc'")


# -- empty data ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "empty",
    [
        lambda: pd.DataFrame({"satell": pd.Series([], dtype=float), "width": pd.Series([], dtype=float)}),
        lambda: pd.DataFrame(),
        lambda: {},
        lambda: pl.DataFrame({"satell": [], "width": []}, schema={"satell": pl.Float64, "width": pl.Float64}),
        lambda: pa.table({"satell": pa.array([], pa.float64()), "width": pa.array([], pa.float64())}),
    ],
)
def test_empty_data(empty):
    raises(lambda: dimorph.glm("satell ~ width", empty(), family="poisson"))
    raises(lambda: dimorph.refint.estimate(empty(), "satell", method="direct"))
    raises(lambda: dimorph.lifetable(data=empty(), year=2010, sex="male"))


def test_empty_file(tmp_path):
    p = tmp_path / "empty.csv"
    p.write_text("")
    raises(lambda: dimorph.glm("y ~ x", p), "empty")
    raises(lambda: dimorph.glm("y ~ x", tmp_path / "missing.csv"), "missing.csv")


def test_all_rows_missing(crabs):
    d = crabs.assign(width=np.nan)
    raises(lambda: dimorph.glm("satell ~ width", d, family="poisson"))


def test_embed_too_few_points():
    raises(lambda: dimorph.embed.TSNE().fit(np.random.default_rng(0).normal(size=(5, 3))))
    raises(lambda: dimorph.embed.TSNE().fit(np.ones((50, 3))))


# -- data that are not a table ---------------------------------------------------------------------
def test_wrong_types_raise_type_error():
    with pytest.raises(TypeError):
        dimorph.glm("y ~ x", 42)
    with pytest.raises(TypeError):
        dimorph.glm("y ~ x", [[1, 2], [3, 4]])


def test_duplicate_and_ragged_columns():
    raises(lambda: dimorph.to_frame(pd.DataFrame([[1, 2]], columns=["a", "a"])), "twice")
    raises(lambda: dimorph.to_frame({"a": [1, 2], "b": [1]}), "'b' has 1 rows")
    raises(lambda: dimorph.to_frame({"a": 3}), "single value")
    raises(lambda: dimorph.to_frame({"a": np.zeros((2, 2))}), "one dimension")


# -- panics ----------------------------------------------------------------------------------------
def test_a_panic_becomes_an_internal_error():
    with pytest.raises(dimorph.InternalError, match="internal error .*: boom"):
        _dimorph._panic_for_tests("boom")
    # the interpreter goes on, and so does the engine
    assert dimorph.glm("satell ~ width", CRABS, family="poisson").converged


def test_a_panic_outside_the_engine_boundary_is_pyo3s_panic_exception():
    # PyO3's own conversion (a BaseException, so that `except Exception` does not swallow it)
    with pytest.raises(BaseException) as e:
        _dimorph._panic_for_tests("outside", inside=False)
    assert type(e.value).__name__ == "PanicException" and "outside" in str(e.value)
    assert dimorph.refint.compare((50, 104), (45, 88)).result["relevant"]


def test_a_panic_does_not_abort_a_fresh_interpreter():
    code = ("import dimorph\nfrom dimorph import _dimorph\ntry:\n    _dimorph._panic_for_tests('x')\n"
            "except dimorph.InternalError as e:\n    print('caught', type(e).__name__)\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "caught InternalError"
