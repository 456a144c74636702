"""Data in through the Arrow C data interface (``__arrow_c_stream__``, read by the engine from
Arrow's buffers): the frame equals the one the column-by-column path gives for the same table —
floats, integers of every width, booleans, text, dictionaries, nulls, sliced arrays, several
batches — and a model fitted on it equals the fit on the pandas frame to the last bit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import dimorph
from dimorph import _data, _dimorph

pa = pytest.importorskip("pyarrow")


def via_columns(table) -> _dimorph.Frame:
    cols = _data._arrow_columns(table)
    return _dimorph.frame_from_columns("pyarrow Table", [n for n, _ in cols], [c for _, c in cols])


def assert_same_frame(a: _dimorph.Frame, b: _dimorph.Frame) -> None:
    assert a.names == b.names and a.nrows == b.nrows
    for n in a.names:
        assert a.is_numeric(n) == b.is_numeric(n), n
        x, y = a.column(n), b.column(n)
        if a.is_numeric(n):
            assert np.array_equal(x, y, equal_nan=True), n
        else:
            assert x == y, n


def mixed() -> "pa.Table":
    t = pa.table({
        "f64": pa.array([1.5, None, 3.0, -0.0, 1e308]),
        "f32": pa.array([1.25, 2.5, None, 4.0, 5.0], pa.float32()),
        "i8": pa.array([1, None, -3, 4, 127], pa.int8()),
        "i16": pa.array([1, 2, None, -4, 5], pa.int16()),
        "i32": pa.array([1, 2, 3, None, 5], pa.int32()),
        "i64": pa.array([1, 2, 3, 4, -(2 ** 53)], pa.int64()),
        "u8": pa.array([1, 2, 3, 4, 255], pa.uint8()),
        "u64": pa.array([1, None, 3, 4, 2 ** 40], pa.uint64()),
        "flag": pa.array([True, False, None, True, False]),
        "text": pa.array(["a", None, "NA", " b ", "ü"]),
        "big": pa.array(["x", "y", None, "x", "z"], pa.large_string()),
        "nums_as_text": pa.array(["1", "2.5", None, "", "-3"]),
        "cat": pa.array(["lo", "hi", None, "hi", "mid"]).dictionary_encode(),
    })
    # several batches, one of them a slice (non-zero offsets everywhere)
    return pa.concat_tables([t, t.slice(1, 3), t.slice(4, 1)])


def test_the_c_stream_gives_the_column_by_column_frame():
    t = mixed()
    assert _data._arrow_readable(t.schema)
    c = dimorph.to_frame(t)
    assert c.nrows == 9 and c.source == "pyarrow Table"
    assert_same_frame(c, via_columns(t))
    assert_same_frame(dimorph.to_frame(t.to_batches()[0]), via_columns(pa.Table.from_batches(t.to_batches()[:1])))


def test_any_object_with_an_arrow_stream_is_read():
    class Stream:
        def __init__(self, t):
            self.t = t

        def __arrow_c_stream__(self, requested_schema=None):
            return self.t.__arrow_c_stream__(requested_schema)

    t = mixed()
    f = dimorph.to_frame(Stream(t))
    assert f.source == "Arrow stream"
    assert_same_frame(f, via_columns(t))


def test_other_types_take_the_converting_path():
    import datetime
    import decimal

    t = pa.table({"d": pa.array([decimal.Decimal("1.25"), None], pa.decimal128(5, 2)),
                  "day": pa.array([datetime.date(2020, 1, 1), None])})
    assert not _data._arrow_readable(t.schema)
    f = dimorph.to_frame(t)
    assert list(f.column("d")[:1]) == [1.25]


def test_a_glm_on_the_arrow_table_equals_the_pandas_fit(in_repo):
    df = pd.read_csv("data/crabs.csv")
    df["shade"] = df["color"].map({2: "light", 3: "medium", 4: "dark", 5: "darker"})
    t = pa.Table.from_pandas(df, preserve_index=False)
    a = dimorph.glm("satell ~ width + shade", t, family="poisson").to_dict()
    b = dimorph.glm("satell ~ width + shade", df, family="poisson").to_dict()
    for d in (a, b):
        d["input"] = d["result"]["data"] = None
    assert a == b


def test_duplicate_names_are_refused():
    t = pa.table([pa.array([1.0]), pa.array([2.0])], names=["x", "x"])
    with pytest.raises(dimorph.InputError, match="appears twice"):
        dimorph.to_frame(t)


def test_a_polars_frame_goes_through_its_c_stream_with_string_views():
    # polars exports strings as string views ('vu'): short ones inline in the 16-byte view, longer
    # ones (> 12 bytes) in variadic data buffers; several chunks, nulls, a slice
    pl = pytest.importorskip("polars")
    long = ["a string of more than twelve bytes", "ü" * 20, "short", "", None, "exactly12byt", "thirteen byte"]
    df = pl.DataFrame({
        "x": [1.5, None, 3.0, -0.0, 1e308, 2.0, 7.0],
        "i": pl.Series([1, 2, None, 4, 5, 6, 2 ** 40], dtype=pl.Int64),
        "u8": pl.Series([1, 2, 3, 4, 255, 0, 9], dtype=pl.UInt8),
        "flag": [True, False, None, True, False, True, True],
        "s": long,
    })
    df = pl.concat([df, df.slice(2, 4), df.reverse()], rechunk=False)
    assert _data._polars_readable(df)
    assert df.to_arrow().schema.field("s").type in (pa.string_view(), pa.large_string(), pa.string())
    c = dimorph.to_frame(df)
    assert c.source == "polars DataFrame" and c.nrows == len(df)
    cols = _data._polars_columns(df)
    assert_same_frame(c, _dimorph.frame_from_columns("polars DataFrame", [n for n, _ in cols], [x for _, x in cols]))
    # a categorical column takes the column-by-column path
    assert not _data._polars_readable(df.with_columns(pl.col("s").cast(pl.Categorical)))
