"""Results through Python equal the CLI's: the JSON envelope (every key, option and number, to
1e-12 relative), the report text, and the error messages. The CLI runs from the repository root
with the same relative paths, so that even the envelope's ``input`` matches."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import assert_same_json, cli_json

import dimorph

pytestmark = pytest.mark.usefixtures("in_repo")


def same(py_result, cli_envelope, ignore=()):
    assert_same_json(json.loads(py_result.to_json()), cli_envelope, ignore=ignore)


@pytest.mark.parametrize(
    "formula,args,kwargs",
    [
        ("disease/total ~ snoring", ["--link", "identity"], dict(link="identity")),
        ("disease/total ~ snoring", ["--family", "binomial", "--binwidth", "0"], dict(family="binomial", binwidth=0.0)),
        ("satell ~ width + I(width^2)", ["--family", "poisson"], dict(family="poisson")),
        ("satell ~ width", ["--family", "negbin", "--residuals"], dict(family="negbin", residuals=True)),
        ("satell ~ C(color) + width", ["--family", "quasipoisson", "--no-profile", "--level", "0.9"],
         dict(family="quasipoisson", profile=False, level=0.9)),
    ],
)
def test_glm_envelope_and_report_equal_the_cli(cli, formula, args, kwargs):
    data = "data/snoring.csv" if "snoring" in formula else "data/crabs.csv"
    r = dimorph.glm(formula, data, **kwargs)
    same(r, cli_json(cli, "glm", "--data", data, formula, *args))
    text = cli("glm", "--data", data, formula, *args)
    assert text.returncode == 0
    assert r.summary() == text.stdout
    csv = cli("glm", "--data", data, formula, *args, "--format", "csv").stdout
    assert list(r.tidy().columns) == csv.splitlines()[0].split(",")


def test_glm_predictions_equal_the_cli(cli):
    r = dimorph.glm("satell ~ width", "data/crabs.csv", family="poisson")
    env = cli_json(cli, "glm", "--data", "data/crabs.csv", "satell ~ width", "--family", "poisson",
                   "--predict", "data/crabs.csv")
    p = r.predict("data/crabs.csv")
    rows = env["result"]["predictions"]
    assert len(p) == len(rows) == 173
    for i, row in enumerate(rows):
        assert row["line"] == i + 2
        for k in ("eta", "se_eta", "fitted", "se_fitted"):
            assert abs(p[k].iloc[i] - row[k]) <= 1e-12 * max(1, abs(row[k]))
        assert abs(p["fitted_lower"].iloc[i] - row["fitted_ci"][0]) <= 1e-12 * max(1, abs(row["fitted_ci"][0]))


def test_glm_from_pandas_equals_the_cli_on_its_file(cli):
    df = pd.read_csv("data/crabs.csv")
    r = dimorph.glm("satell ~ width", df, family="poisson")
    env = cli_json(cli, "glm", "--data", "data/crabs.csv", "satell ~ width", "--family", "poisson")
    assert r.to_dict()["input"] == {"data": "pandas DataFrame"}
    same(r, env, ignore={"input", "data"})


# tidykosmic's haemoglobin data (bundled beside the Rust kosmic test, with R kosmic's limits)
KOSMIC_HB = "crates/dimorph-refint/tests/peers/kosmic_data/haemoglobin.csv"


@pytest.mark.parametrize(
    "call,args",
    [
        (lambda: dimorph.refint.table("data/refint/haeckel2016_table1.csv"),
         ["table", "--data", "data/refint/haeckel2016_table1.csv"]),
        (lambda: dimorph.refint.table("data/refint/haeckel2016_table1.csv", z=1.64, bias=True),
         ["table", "--data", "data/refint/haeckel2016_table1.csv", "--z", "1.64", "--bias"]),
        (lambda: dimorph.refint.compare((50, 104), (45, 88)), ["compare", "--a", "50,104", "--b", "45,88"]),
        (lambda: dimorph.refint.compare((50, 104), [(45, 88), (52, 110)], assumption="normal"),
         ["compare", "--a", "50,104", "--b", "45,88", "--b", "52,110", "--assumption", "normal"]),
        (lambda: dimorph.refint.estimate("data/refint/reflimr_livertests.csv", "CREA", by="Sex"),
         ["estimate", "--data", "data/refint/reflimr_livertests.csv", "--value", "CREA", "--by", "Sex"]),
        (lambda: dimorph.refint.estimate("data/refint/reflimr_livertests.csv", "CREA", targets=(41, 88)),
         ["estimate", "--data", "data/refint/reflimr_livertests.csv", "--value", "CREA", "--targets", "41,88"]),
        (lambda: dimorph.refint.estimate("data/refint/referenceintervals_set120.csv", "value", method="direct",
                                         outliers="horn"),
         ["estimate", "--data", "data/refint/referenceintervals_set120.csv", "--value", "value", "--method", "direct",
          "--outliers", "horn"]),
        (lambda: dimorph.refint.estimate("data/refint/reflimr_livertests.csv", "ALB", method="parametric",
                                         transform="boxcox"),
         ["estimate", "--data", "data/refint/reflimr_livertests.csv", "--value", "ALB", "--method", "parametric",
          "--transform", "boxcox"]),
        (lambda: dimorph.refint.estimate(KOSMIC_HB, "result", method="kosmic"),
         ["estimate", "--data", KOSMIC_HB, "--value", "result", "--method", "kosmic"]),
        (lambda: dimorph.refint.estimate("data/refint/reflimr_livertests.csv", "ALB", by="Sex", method="refiner"),
         ["estimate", "--data", "data/refint/reflimr_livertests.csv", "--value", "ALB", "--by", "Sex",
          "--method", "refiner"]),
        (lambda: dimorph.refint.estimate("data/refint/reflimr_livertests.csv", "ALT", by="Sex", method="refiner",
                                         model="modboxcox"),
         ["estimate", "--data", "data/refint/reflimr_livertests.csv", "--value", "ALT", "--by", "Sex",
          "--method", "refiner", "--model", "modboxcox"]),
        (lambda: dimorph.refint.estimate("data/refint/reflimr_livertests.csv", "ALB", method="refiner", nboot=5,
                                         seed=3, percentiles=(1, 99)),
         ["estimate", "--data", "data/refint/reflimr_livertests.csv", "--value", "ALB", "--method", "refiner",
          "--nboot", "5", "--seed", "3", "--percentiles", "1,99"]),
        (lambda: dimorph.refint.estimate(KOSMIC_HB, "result", method="kosmic", decimals=1, percentiles=(5, 95)),
         ["estimate", "--data", KOSMIC_HB, "--value", "result", "--method", "kosmic", "--decimals", "1",
          "--percentiles", "5,95"]),
        (lambda: dimorph.refint.partition("data/refint/reflimr_livertests.csv", "ALT", "Sex", method="refiner",
                                          model="modboxcox"),
         ["partition", "--data", "data/refint/reflimr_livertests.csv", "--value", "ALT", "--by", "Sex",
          "--method", "refiner", "--model", "modboxcox"]),
        (lambda: dimorph.refint.partition("data/refint/reflimr_livertests.csv", "CREA", "Sex"),
         ["partition", "--data", "data/refint/reflimr_livertests.csv", "--value", "CREA", "--by", "Sex"]),
        (lambda: dimorph.refint.partition("data/refint/reflimr_livertests.csv", "ALB", "Sex", method="robust",
                                          z=1.64, outliers="horn", remove_outliers=True),
         ["partition", "--data", "data/refint/reflimr_livertests.csv", "--value", "ALB", "--by", "Sex",
          "--method", "robust", "--z", "1.64", "--outliers", "horn", "--remove-outliers"]),
        (lambda: dimorph.refint.estimate("data/refint/reflimr_livertests.csv", "ALT", method="refiner", zeros="drop"),
         ["estimate", "--data", "data/refint/reflimr_livertests.csv", "--value", "ALT", "--method", "refiner",
          "--zeros", "drop"]),
        (lambda: dimorph.refint.estimate("data/refint/reflimr_livertests.csv", ["ALT", "AST"], by="Sex"),
         ["estimate", "--data", "data/refint/reflimr_livertests.csv", "--value", "ALT,AST", "--by", "Sex"]),
        (lambda: dimorph.refint.estimate("data/refint/reflimr_livertests.csv", "CREA", where={"Sex": "f"}),
         ["estimate", "--data", "data/refint/reflimr_livertests.csv", "--value", "CREA", "--where", "Sex=f"]),
        (lambda: dimorph.refint.partition("data/refint/reflimr_livertests.csv", "ALB", "Sex", where={"Category": "reference"}),
         ["partition", "--data", "data/refint/reflimr_livertests.csv", "--value", "ALB", "--by", "Sex",
          "--where", "Category=reference"]),
        (lambda: dimorph.refint.verify("data/refint/referenceintervals_set20.csv", "value", (10, 40)),
         ["verify", "--data", "data/refint/referenceintervals_set20.csv", "--value", "value", "--limits", "10,40"]),
        (lambda: dimorph.refint.verify("data/refint/reflimr_livertests.csv", "CREA", (60, 110), "routine",
                                       where={"Sex": "m"}),
         ["verify", "--data", "data/refint/reflimr_livertests.csv", "--value", "CREA", "--where", "Sex=m",
          "--mode", "routine", "--limits", "60,110"]),
        (lambda: dimorph.refint.verify("data/refint/reflimr_livertests.csv", "ALB", (35, 50), mode="routine",
                                       where={"Sex": "f"}, method="parametric", z=1.64, bias=True),
         ["verify", "--data", "data/refint/reflimr_livertests.csv", "--value", "ALB", "--where", "Sex=f",
          "--mode", "routine", "--limits", "35,50", "--method", "parametric", "--z", "1.64", "--bias"]),
        (lambda: dimorph.refint.age("data/refint/reflimr_livertests.csv", "ALB", "Age", "Sex", window=20, step=10),
         ["age", "--data", "data/refint/reflimr_livertests.csv", "--value", "ALB", "--age", "Age", "--by", "Sex",
          "--window", "20", "--step", "10"]),
        (lambda: dimorph.refint.age("data/refint/reflimr_livertests.csv", "CREA", "Age", by="Sex", window=20, step=10,
                                    partitions=20),
         ["age", "--data", "data/refint/reflimr_livertests.csv", "--value", "CREA", "--age", "Age", "--by", "Sex",
          "--window", "20", "--step", "10", "--partitions", "20"]),
        (lambda: dimorph.refint.age("data/refint/reflimr_livertests.csv", "CREA", "Age", "Sex", window=20, step=5,
                                    smooth="loess", smooth_span=0.6, unit="umol/L", age_unit="years"),
         ["age", "--data", "data/refint/reflimr_livertests.csv", "--value", "CREA", "--age", "Age", "--by", "Sex",
          "--window", "20", "--step", "5", "--smooth", "loess", "--smooth-span", "0.6", "--unit", "umol/L",
          "--age-unit", "years"]),
        (lambda: dimorph.refint.age("data/refint/reflimr_livertests.csv", "ALB", "Age", "Sex", curves="lms",
                                    lms_df=(5, 2, 1), lms_grid=44),
         ["age", "--data", "data/refint/reflimr_livertests.csv", "--value", "ALB", "--age", "Age", "--by", "Sex",
          "--curves", "lms", "--lms-df", "5,2,1", "--lms-grid", "44"]),
        (lambda: dimorph.refint.age("data/refint/reflimr_livertests.csv", "CHE", "Age", curves="lms",
                                    lms_lambda="50,200,1000"),
         ["age", "--data", "data/refint/reflimr_livertests.csv", "--value", "CHE", "--age", "Age",
          "--curves", "lms", "--lms-lambda", "50,200,1000"]),
    ],
)
def test_refint_envelopes_equal_the_cli(cli, call, args):
    r = call()
    same(r, cli_json(cli, "refint", *args))
    assert r.summary() == cli("refint", *args).stdout


def test_refint_verify_and_age_refuse_options_as_the_cli_does(cli):
    livertests = "data/refint/reflimr_livertests.csv"
    for call, args in [
        (lambda: dimorph.refint.age(livertests, "ALB", "Age", window=20),
         ["age", "--data", livertests, "--value", "ALB", "--age", "Age", "--window", "20"]),
        (lambda: dimorph.refint.age(livertests, "ALB", "Age", curves="lms", window=20, step=10),
         ["age", "--data", livertests, "--value", "ALB", "--age", "Age", "--curves", "lms", "--window", "20",
          "--step", "10"]),
        (lambda: dimorph.refint.age(livertests, "ALB", "Age", window=20, step=10, lms_grid=10),
         ["age", "--data", livertests, "--value", "ALB", "--age", "Age", "--window", "20", "--step", "10",
          "--lms-grid", "10"]),
        (lambda: dimorph.refint.age(livertests, "ALB", "Age", window=20, step=10, smooth_span=0.5),
         ["age", "--data", livertests, "--value", "ALB", "--age", "Age", "--window", "20", "--step", "10",
          "--smooth-span", "0.5"]),
        (lambda: dimorph.refint.age(livertests, "ALB", "Age", window=-1, step=10),
         ["age", "--data", livertests, "--value", "ALB", "--age", "Age", "--window", "-1", "--step", "10"]),
        (lambda: dimorph.refint.verify(livertests, "ALB", (35, 50), seed=3),
         ["verify", "--data", livertests, "--value", "ALB", "--limits", "35,50", "--seed", "3"]),
        (lambda: dimorph.refint.verify(livertests, "ALB", (50, 35)),
         ["verify", "--data", livertests, "--value", "ALB", "--limits", "50,35"]),
        (lambda: dimorph.refint.verify(livertests, "nope", (35, 50)),
         ["verify", "--data", livertests, "--value", "nope", "--limits", "35,50"]),
    ]:
        p = cli("refint", *args)
        assert p.returncode == 2, p.stderr
        with pytest.raises(dimorph.InputError) as e:
            call()
        assert str(e.value) in p.stderr, (str(e.value), p.stderr)
    with pytest.raises(dimorph.InputError, match="--mode: unknown value 'both'"):
        dimorph.refint.verify(livertests, "ALB", (35, 50), mode="both")
    with pytest.raises(dimorph.InputError, match="--curves: unknown value 'spline'"):
        dimorph.refint.age(livertests, "ALB", "Age", curves="spline")
    with pytest.raises(dimorph.InputError, match="--lms-df: expected three numbers"):
        dimorph.refint.age(livertests, "ALB", "Age", curves="lms", lms_df=(3, 1))
    with pytest.raises(dimorph.InputError, match="--zeros: unknown value 'keep'"):
        dimorph.refint.estimate(livertests, "ALB", method="refiner", zeros="keep")


def test_refint_age_from_a_dataframe_equals_the_file(cli):
    df = pd.read_csv("data/refint/reflimr_livertests.csv")
    a = dimorph.refint.age(df, "ALB", "Age", "Sex", window=20, step=10)
    b = dimorph.refint.age("data/refint/reflimr_livertests.csv", "ALB", "Age", "Sex", window=20, step=10)
    # the same windows and limits; the reasons name the data ("pandas DataFrame", or the file)
    pd.testing.assert_frame_equal(a.tidy().drop(columns="not_estimated"), b.tidy().drop(columns="not_estimated"))
    assert (a.tidy().not_estimated.dropna().str.startswith("pandas DataFrame: ALB where Age in")).all()
    assert a.tidy().lower.notna().sum() == 8
    # the verdict of a verification is in the result, as in the CLI's envelope
    v = dimorph.refint.verify(df[df.Sex == "m"], "CREA", (60, 110), "routine")
    env = cli_json(cli, "refint", "verify", "--data", "data/refint/reflimr_livertests.csv", "--value", "CREA",
                   "--where", "Sex=m", "--mode", "routine", "--limits", "60,110")
    assert v.result["verified"] == env["result"]["verified"]
    assert [c["estimated"] for c in v.result["checks"]] == [c["estimated"] for c in env["result"]["checks"]]


def test_refint_figures_are_the_cli_files(cli, tmp_path):
    r = dimorph.refint.partition("data/refint/reflimr_livertests.csv", "CREA", "Sex")
    p = cli("refint", "partition", "--data", "data/refint/reflimr_livertests.csv", "--value", "CREA", "--by", "Sex",
            "--out", str(tmp_path))
    assert p.returncode == 0, p.stderr
    for name, svg in r.figures.items():
        assert (tmp_path / name).read_text() == svg
    for name, t in r.tables.items():
        cli_t = pd.read_csv(tmp_path / f"{name}.csv")
        assert list(cli_t.columns) == list(t.columns)
        assert len(cli_t) == len(t)


@pytest.mark.parametrize(
    "call,args",
    [
        (lambda: dimorph.lifetable("data/hmd/USA", year=2010, sex="male"),
         ["lifetable", "--hmd", "data/hmd/USA", "--year", "2010", "--sex", "male"]),
        (lambda: dimorph.lifetable(hmd="data/hmd/USA", year=1950, sex="total", smooth=False),
         ["lifetable", "--hmd", "data/hmd/USA", "--year", "1950", "--sex", "total", "--no-smooth"]),
        (lambda: dimorph.lifelost("data/hmd/USA", year=2010, causes="data/usa_2010_cod.csv"),
         ["lifelost", "--hmd", "data/hmd/USA", "--year", "2010", "--causes", "data/usa_2010_cod.csv"]),
        (lambda: dimorph.lifelost("data/hmd/USA", year=2010, causes="data/usa_2010_cod.csv",
                                  discretisation="paper", cause_shares="paper", smooth=False, cause="Cardiovascular"),
         ["lifelost", "--hmd", "data/hmd/USA", "--year", "2010", "--causes", "data/usa_2010_cod.csv",
          "--discretisation", "paper", "--cause-shares", "paper", "--no-smooth", "--cause", "Cardiovascular"]),
        (lambda: dimorph.lifetable("data/hmd/USA", year=2010, sex="female", ci=0.9, draws=200, seed=3, threads=2),
         ["lifetable", "--hmd", "data/hmd/USA", "--year", "2010", "--sex", "female", "--ci", "0.9", "--draws", "200",
          "--seed", "3", "--threads", "2"]),
        (lambda: dimorph.lifetable("data/hmd/USA", year=2010, sex="male", open_age=100),
         ["lifetable", "--hmd", "data/hmd/USA", "--year", "2010", "--sex", "male", "--open-age", "100"]),
        (lambda: dimorph.lifelost("data/hmd/USA", year=2010, sex="female", ci=0.95, draws=100),
         ["lifelost", "--hmd", "data/hmd/USA", "--year", "2010", "--sex", "female", "--ci", "0.95", "--draws", "100"]),
        (lambda: dimorph.decompose("data/hmd/USA", year=2010, ci=0.95, draws=100, seed=2, open_age=100),
         ["lifetable", "decompose", "--hmd", "data/hmd/USA", "--year", "2010", "--ci", "0.95", "--draws", "100",
          "--seed", "2", "--open-age", "100"]),
    ],
)
def test_lifetable_envelopes_equal_the_cli(cli, call, args):
    r = call()
    same(r, cli_json(cli, *args))
    assert r.summary() == cli(*args).stdout


def test_embed_envelope_equals_the_cli(cli):
    args = ["--features", "p*", "--knn-method", "exact", "--iter", "60", "--early-iter", "30", "--seed", "7",
            "--alpha", "0.5", "--threads", "2"]
    env = cli_json(cli, "embed", "--data", "data/embed/digits.csv", *args, "--quiet")
    df = pd.read_csv("data/embed/digits.csv")
    X = df[[c for c in df.columns if c.startswith("p")]].to_numpy()
    t = dimorph.embed.TSNE(alpha=0.5, knn_method="exact", n_iter=60, early_exaggeration_iter=30, seed=7,
                           threads=2).fit(X)
    y = env["result"]["embedding"]["y"]
    assert t.embedding_.shape == (len(y), 2)
    for (a, b), (c, d) in zip(t.embedding_.tolist(), y):
        assert abs(a - c) <= 1e-12 * max(1, abs(c)) and abs(b - d) <= 1e-12 * max(1, abs(d))
    assert abs(t.kl_divergence_ - env["result"]["embedding"]["kl_divergence"]) <= 1e-12
    # the whole envelope, but for the column names (x0… for an array, p0_0… in the file) and timings
    ours = t.result_.to_dict()
    assert_same_json(ours["result"]["embedding"], env["result"]["embedding"], ignore={"timings"})
    assert len(ours["result"]["features"]["columns"]) == len(env["result"]["features"]["columns"])


def test_error_messages_equal_the_cli(cli):
    cases = [
        (lambda: dimorph.glm("satell ~ width", "data/crabs.csv", level=2),
         ["glm", "--data", "data/crabs.csv", "satell ~ width", "--level", "2"]),
        (lambda: dimorph.glm("satell ~ nosuch", "data/crabs.csv"),
         ["glm", "--data", "data/crabs.csv", "satell ~ nosuch"]),
        (lambda: dimorph.glm("satell ~ width +", "data/crabs.csv"),
         ["glm", "--data", "data/crabs.csv", "satell ~ width +"]),
        (lambda: dimorph.refint.estimate("data/refint/reflimr_livertests.csv", "CREA", seed=3),
         ["refint", "estimate", "--data", "data/refint/reflimr_livertests.csv", "--value", "CREA", "--seed", "3"]),
        (lambda: dimorph.refint.compare((50, 104), (45, 88), z=-1),
         ["refint", "compare", "--a", "50,104", "--b", "45,88", "--z", "-1"]),
        (lambda: dimorph.lifetable("data/hmd/USA", year=1850, sex="male"),
         ["lifetable", "--hmd", "data/hmd/USA", "--year", "1850", "--sex", "male"]),
        (lambda: dimorph.lifetable("data/hmd/USA", year=2010, sex="male", radix=0),
         ["lifetable", "--hmd", "data/hmd/USA", "--year", "2010", "--sex", "male", "--radix", "0"]),
    ]
    for call, args in cases:
        with pytest.raises(dimorph.InputError) as e:
            call()
        p = cli(*args)
        assert p.returncode == 2, (args, p.stdout)
        assert p.stderr.strip() == f"error: {e.value}", args


def test_kosmic_limits_equal_the_r_kosmic_on_tidykosmics_haemoglobin(in_repo):
    """method="kosmic" reaches the engine's kosmic: its limits equal those R's kosmic (tidykosmic,
    the authors' C++ library) gave on the same data, as kept beside the Rust test
    (crates/dimorph-refint/tests/peers/kosmic.out.csv), to 1e-9 relative."""
    peer = pd.read_csv("crates/dimorph-refint/tests/peers/kosmic.out.csv").set_index("case").loc["haemoglobin"]
    t = dimorph.refint.estimate(KOSMIC_HB, "result", method="kosmic").tidy().set_index("limit")
    for limit in ("lower", "upper"):
        ours, theirs = float(t.loc[limit, "estimate"]), float(peer[limit])
        assert abs(ours - theirs) <= 1e-9 * abs(theirs), (limit, ours, theirs)
    assert int(t.loc["lower", "n"]) == int(peer["n"])


def test_refiner_and_kosmic_options_that_do_not_apply_are_refused(in_repo):
    """model= is refiner's, decimals= kosmic's: as the CLI, each is refused with another method,
    and an unknown model names the choices."""
    with pytest.raises(dimorph.InputError, match="--model"):
        dimorph.refint.estimate(KOSMIC_HB, "result", method="kosmic", model="modboxcox")
    with pytest.raises(dimorph.InputError, match="--decimals"):
        dimorph.refint.estimate(KOSMIC_HB, "result", method="reflim", decimals=1)
    with pytest.raises(dimorph.InputError, match="boxcox or modboxcox"):
        dimorph.refint.estimate(KOSMIC_HB, "result", method="refiner", model="yeojohnson")


def test_an_unknown_refint_method_names_the_choices(in_repo):
    with pytest.raises(dimorph.InputError, match="refiner or kosmic"):
        dimorph.refint.estimate(KOSMIC_HB, "result", method="kosmik")


@pytest.mark.parametrize(
    "call,args",
    [
        (lambda: dimorph.decompose("data/hmd/USA", year=2010, causes="data/usa_2010_cod.csv"),
         ["--hmd", "data/hmd/USA", "--year", "2010", "--causes", "data/usa_2010_cod.csv"]),
        (lambda: dimorph.decompose("data/hmd/USA", year=2010, vs_year=1950, sex="male"),
         ["--hmd", "data/hmd/USA", "--year", "2010", "--vs-year", "1950", "--sex", "male"]),
        (lambda: dimorph.decompose("data/hmd/USA", year=2010, from_age=65, steps=20, cause_shares="paper",
                                   causes="data/usa_2010_cod.csv"),
         ["--hmd", "data/hmd/USA", "--year", "2010", "--from-age", "65", "--steps", "20", "--cause-shares", "paper",
          "--causes", "data/usa_2010_cod.csv"]),
        (lambda: dimorph.decompose("data/hmd/USA", years="1950,2010", causes="data/usa_2010_cod.csv"),
         ["--hmd", "data/hmd/USA", "--years", "1950,2010", "--causes", "data/usa_2010_cod.csv"]),
    ],
)
def test_decompose_envelopes_equal_the_cli(cli, call, args):
    r = call()
    same(r, cli_json(cli, "lifetable", "decompose", *args))
    assert r.summary() == cli("lifetable", "decompose", *args).stdout


def test_decompose_from_tables_and_lists_equals_the_files(cli):
    files = dimorph.decompose("data/hmd/USA", year=2010, causes="data/usa_2010_cod.csv")
    tables = dimorph.decompose("data/hmd/USA", year=2010, causes=pd.read_csv("data/usa_2010_cod.csv"))
    pd.testing.assert_frame_equal(files.contributions, tables.contributions)
    assert tables.to_dict()["input"]["causes"] == "pandas DataFrame"
    # the sex gap in e0: Arriaga's contributions add up to e0(female) - e0(male)
    gap = files.tables["decomposition_summary"]
    e0f = dimorph.lifetable("data/hmd/USA", year=2010, sex="female").variation["e0"].iloc[0]
    e0m = dimorph.lifetable("data/hmd/USA", year=2010, sex="male").variation["e0"].iloc[0]
    c = files.contributions
    arriaga = c[(c.method == "arriaga") & (c.measure == "e")]["contribution"].sum()
    assert abs(arriaga - (e0f - e0m)) < 1e-9, (arriaga, e0f - e0m, gap)
    listed = dimorph.decompose("data/hmd/USA", years=[1950, 2010])
    spec = dimorph.decompose("data/hmd/USA", years="1950,2010")
    pd.testing.assert_frame_equal(listed.contributions, spec.contributions)
    for call, match in [
        (lambda: dimorph.decompose("data/hmd/USA"), "give year"),
        (lambda: dimorph.decompose("data/hmd/USA", year=2010, years="1950"), "give one"),
        (lambda: dimorph.decompose("data/hmd/USA", year=2010, steps=0), "--steps"),
        (lambda: dimorph.decompose("data/hmd/USA", year=2010, sex="both"), "--sex: unknown value 'both'"),
        (lambda: dimorph.decompose("data/hmd/USA", years="1950-x"), "--years"),
        (lambda: dimorph.lifetable("data/hmd/USA", year=2010, sex="male", draws=10), "--draws: applies to the confidence"),
        (lambda: dimorph.lifetable("data/hmd/USA", year=2010, sex="male", ci=0.95, threads=0), "--threads: must be from 1"),
        (lambda: dimorph.lifetable("data/hmd/USA", year=2010, sex="male", ci=1.5), "--ci"),
    ]:
        with pytest.raises(dimorph.InputError, match=match):
            call()
