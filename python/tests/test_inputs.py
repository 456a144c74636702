"""The same data as a pandas, polars or pyarrow table, a dict of numpy arrays or lists, or a path
give identical results; missing values and text columns follow the CSV reader's rules."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from conftest import DATA, assert_same_json

import dimorph

CRABS = DATA / "crabs.csv"
LIVER = DATA / "refint" / "reflimr_livertests.csv"
# what names the data (the envelope's input, the report's data set) differs by kind; nothing else
SOURCE_KEYS = {"input", "data", "source", "label"}


def result_json(r):
    env = json.loads(r.to_json())
    return {k: env[k] for k in ("command", "version", "options", "result", "warnings", "files")}


def kinds(df: pd.DataFrame):
    """The same table in every supported kind, built from one pandas frame."""
    return {
        "pandas": df,
        "polars": pl.from_pandas(df),
        "polars lazy": pl.from_pandas(df).lazy(),
        "pyarrow": pa.Table.from_pandas(df, preserve_index=False),
        "record batch": pa.RecordBatch.from_pandas(df, preserve_index=False),
        "dict of numpy arrays": {c: df[c].to_numpy() for c in df.columns},
        "dict of lists": {c: df[c].tolist() for c in df.columns},
    }


@pytest.fixture(scope="module")
def crabs():
    return pd.read_csv(CRABS)


def test_every_kind_gives_the_same_glm(crabs):
    base = dimorph.glm("satell ~ width + C(color)", CRABS, family="negbin")
    want = result_json(base)
    for kind, data in kinds(crabs).items():
        r = dimorph.glm("satell ~ width + C(color)", data, family="negbin")
        assert_same_json(result_json(r), want, rtol=0.0, ignore=SOURCE_KEYS)
        assert r.params.equals(base.params), kind
        assert r.tidy().equals(base.tidy()), kind


def unaligned(a: np.ndarray) -> np.ndarray:
    """``a``'s float64 values at an odd address (numpy's flags.aligned is False), as `distributed`
    hands a worker the buffers of a partition it received."""
    raw = np.frombuffer(b"\0" + np.ascontiguousarray(a, dtype=np.float64).tobytes(), dtype=np.float64, offset=1)
    assert not raw.flags.aligned
    return raw


def test_unaligned_float64_columns_give_the_same_glm(crabs):
    """Data at an address that is not a multiple of 8 are read with unaligned loads. Before, a
    slice or an ndarray view of them was undefined behaviour (the debug build stopped with a
    panic that Dask's workers could not send back, so a distributed fit hung)."""
    base = result_json(dimorph.glm("satell ~ width + weight", crabs, family="poisson"))
    cols = {c: unaligned(crabs[c].to_numpy()) for c in ("satell", "width", "weight")}
    strided = {c: unaligned(np.repeat(crabs[c].to_numpy(), 2))[::2] for c in cols}
    for data in (cols, pd.DataFrame(cols), strided):
        r = dimorph.glm("satell ~ width + weight", data, family="poisson")
        assert_same_json(result_json(r), base, rtol=0.0, ignore=SOURCE_KEYS)


def test_each_librarys_own_reader_gives_the_same_glm():
    base = result_json(dimorph.glm("satell ~ width", CRABS, family="poisson"))
    for data in (pd.read_csv(CRABS), pl.read_csv(CRABS), pacsv.read_csv(CRABS)):
        r = dimorph.glm("satell ~ width", data, family="poisson")
        assert_same_json(result_json(r), base, rtol=1e-12, ignore=SOURCE_KEYS)


def test_text_columns_from_every_kind_give_the_same_partition():
    df = pd.read_csv(LIVER)
    base = result_json(dimorph.refint.partition(LIVER, "CREA", "Sex"))
    for kind, data in kinds(df).items():
        r = dimorph.refint.partition(data, "CREA", "Sex")
        assert_same_json(result_json(r), base, rtol=0.0, ignore=SOURCE_KEYS)
    cat = df.assign(Sex=df["Sex"].astype("category"))
    assert_same_json(result_json(dimorph.refint.partition(cat, "CREA", "Sex")), base, rtol=0.0, ignore=SOURCE_KEYS)
    enum = pl.from_pandas(df).with_columns(pl.col("Sex").cast(pl.Categorical))
    assert_same_json(result_json(dimorph.refint.partition(enum, "CREA", "Sex")), base, rtol=0.0,
                     ignore=SOURCE_KEYS)


def test_missing_values_are_skipped_as_in_the_csv(tmp_path, crabs):
    df = crabs.copy()
    df.loc[[3, 10], "width"] = np.nan
    df["color"] = df["color"].astype("Int64")
    df.loc[5, "color"] = pd.NA
    path = tmp_path / "crabs_missing.csv"
    df.to_csv(path, index=False)
    base = dimorph.glm("satell ~ width + C(color)", path, family="poisson")
    assert base.result["fit"]["n_dropped"] == 3
    for kind, data in kinds(df).items():
        r = dimorph.glm("satell ~ width + C(color)", data, family="poisson")
        assert_same_json(result_json(r), result_json(base), rtol=0.0, ignore=SOURCE_KEYS)
    # the residuals and predictions keep the data's rows: the skipped ones are NaN
    res = dimorph.glm("satell ~ width + C(color)", df, family="poisson").residuals()
    assert len(res) == len(df) and res.isna().sum() == 3 and np.isnan(res.loc[10])


def test_text_cells_follow_the_csv_reader():
    # numbers written as text are numbers; "", "NA", "." and None are missing
    d = {"y": ["1", "0", "1", "1", "0", "0", "1", "0"],
         "x": ["1.5", "", "2.5", "NA", "3", ".", "4", None]}
    f = dimorph.to_frame(d)
    assert f.is_numeric("y") and f.is_numeric("x")
    x = f.column("x")
    assert np.isnan(x[[1, 3, 5, 7]]).all() and x[0] == 1.5
    g = dimorph.to_frame({"sex": ["f", None, "m", "NA"]})
    assert g.column("sex") == ["f", None, "m", None]


def test_booleans_and_integers_are_numbers():
    f = dimorph.to_frame(pd.DataFrame({"b": [True, False], "i": np.array([1, 2], dtype=np.int32),
                                       "n": pd.array([1, None], dtype="Int64")}))
    assert f.column("b").tolist() == [1.0, 0.0]
    assert f.column("i").dtype == np.float64
    assert f.column("n")[0] == 1.0 and np.isnan(f.column("n")[1])


def hmd_tidy() -> pd.DataFrame:
    """The HMD files of the USA as one tidy table (year, sex, age, deaths, exposure)."""
    def read(kind):
        t = pd.read_csv(DATA / "hmd" / "USA" / f"USA.{kind}_1x1.txt", sep=r"\s+", skiprows=2, dtype=str)
        return t.melt(id_vars=["Year", "Age"], value_vars=["Female", "Male", "Total"], var_name="sex",
                      value_name=kind.lower())
    d = read("Deaths").merge(read("Exposures"), on=["Year", "Age", "sex"])
    d = d.rename(columns={"Year": "year", "Age": "age", "exposures": "exposure"})
    d["sex"] = d["sex"].str.lower()
    d = d[d["year"].isin(["2009", "2010"])]
    return d[["year", "sex", "age", "deaths", "exposure"]].reset_index(drop=True)


def test_lifetable_from_a_table_equals_the_hmd_folder():
    tidy = hmd_tidy()
    hmd = dimorph.lifetable(DATA / "hmd" / "USA", year=2010, sex="female")
    for data in (tidy, pl.from_pandas(tidy), pa.Table.from_pandas(tidy, preserve_index=False)):
        r = dimorph.lifetable(data=data, year=2010, sex="female")
        assert r.result["source"] == r.result["label"] != ""
        assert_same_json(r.result["lifetable"], hmd.result["lifetable"], rtol=1e-12)
        assert_same_json(r.result["variation"], hmd.result["variation"], rtol=1e-12)
        pd.testing.assert_frame_equal(r.table, hmd.table, rtol=1e-12)


def test_lifelost_causes_from_a_table_equal_the_file():
    path = DATA / "usa_2010_cod.csv"
    base = dimorph.lifelost(DATA / "hmd" / "USA", year=2010, causes=path, cause="Cancer")
    causes = pd.read_csv(path)
    r = dimorph.lifelost(DATA / "hmd" / "USA", year=2010, causes=causes, cause="Cancer")
    assert r.to_dict()["input"]["causes"] == "pandas DataFrame"
    assert_same_json(r.result, base.result, rtol=0.0, ignore=SOURCE_KEYS)
    pd.testing.assert_frame_equal(r.table2, base.table2)


def test_a_frame_is_reused_and_a_path_is_read_by_dimorph():
    f = dimorph.read_table(CRABS)
    assert f.source == str(CRABS) and f.nrows == 173 and f.first_line == 2
    assert dimorph.to_frame(f) is f
    r1 = dimorph.glm("satell ~ width", f, family="poisson")
    r2 = dimorph.glm("satell ~ width", str(CRABS), family="poisson")
    assert r1.to_json() == r2.to_json()


def test_a_parquet_path_is_read_by_dimorph(tmp_path, crabs):
    import pyarrow.parquet as pq

    path = tmp_path / "crabs.parquet"
    pq.write_table(pa.Table.from_pandas(crabs, preserve_index=False), path)
    f = dimorph.read_table(path)
    assert f.nrows == 173 and f.names == list(crabs.columns)
    r = dimorph.glm("satell ~ width", path, family="poisson")
    base = dimorph.glm("satell ~ width", CRABS, family="poisson")
    assert_same_json(result_json(r), result_json(base), rtol=0.0, ignore=SOURCE_KEYS)
