"""dimorph.dask.glm(persist=False): the partitions re-read from their Parquet source at every pass
give the same fit, bit for bit, as the partitions coded once and kept on the workers
(persist=True), on a real LocalCluster (2 worker processes, loopback) and on the synchronous
scheduler; and the re-read fit does read every partition again at every pass (it keeps nothing
between passes), while the persisted one reads each partition twice in all.

The data: one Parquet file of 12 row groups, one Dask partition each; the factor ``region`` has
levels in only some row groups, and some rows miss a value. The cluster test of the first model
(with its Type 3 refits) reads 240,000 rows (``big``: above the 200,000 rows from which the fit's
stopping rule asks for two small changes in a row, so the row count the first pass makes is the
one that decides); every other test reads the same design at 24,000 rows (``parquet``), since
what it checks (kept = re-read, the reads per pass, Arrow = Dask's reader) does not depend on
the row count. "Bit for bit": every figure of the result
(``to_dict()``, the Type 3 table included) is the same float, compared through its repr.
Peak memory is measured by bench/dask_reread_memory.py, not here.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import dimorph
import dimorph.dask as ddask

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

N = 24_000  # rows of ``parquet``; ``big`` has ten times as many
BIG = 240_000
PARTS = 12  # row groups, in both files


def write(tmp_path_factory, n: int) -> Path:
    """The test data at ``n`` rows in ``PARTS`` row groups (the same seed and design at each size)."""
    group = n // PARTS
    rng = np.random.default_rng(20261126)
    i = np.arange(n)
    x1 = rng.normal(size=n)
    x2 = rng.uniform(-1, 1, size=n)
    region = np.array([f"r{k}" for k in rng.integers(1, 5, size=n)], dtype=object)
    region[i < 2 * group] = np.where(rng.random(2 * group) < 0.5, "r0", region[i < 2 * group])
    region[i >= n - group] = "r5"
    eff = np.array([0.1 * int(r[1]) - 0.2 for r in region])
    t = rng.uniform(0.5, 3.0, size=n)
    y_bin = (rng.random(n) < 1 / (1 + np.exp(-(-0.4 + 0.8 * x1 - 0.5 * x2 + eff)))).astype(float)
    y_pois = rng.poisson(t * np.exp(0.2 + 0.3 * x1 + eff)).astype(float)
    df = pd.DataFrame({"y_bin": y_bin, "y_pois": y_pois, "x1": x1, "x2": x2, "region": region, "t": t})
    df.loc[rng.choice(n, 150, replace=False), "x2"] = np.nan
    df.loc[rng.choice(n, 100, replace=False), "region"] = None
    path = tmp_path_factory.mktemp("reread") / "data.parquet"
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), path, row_group_size=group)
    return path


@pytest.fixture(scope="module")
def parquet(tmp_path_factory) -> Path:
    return write(tmp_path_factory, N)


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    return write(tmp_path_factory, BIG)


def ddf_of(path: Path):
    ddf = dd.read_parquet(str(path), split_row_groups=True)
    assert ddf.npartitions == PARTS
    return ddf


def figures(r) -> str:
    """Every figure of the fit (NaN as NaN), the mode aside, as text: equal text = equal floats."""
    d = r.to_dict()
    d.pop("persisted")
    return json.dumps(d, sort_keys=True)


# (formula, options, with the Type 3 refits: re-read too, one refit per term)
MODELS = [
    ("y_bin ~ x1 + x2 + C(region)", {"family": "binomial"}, True),
    ("y_pois ~ x1 * x2 + C(region) + offset(log(t))", {"family": "poisson"}, False),
    ("y_pois ~ x1 + C(region)", {"family": "poisson", "link": "sqrt"}, False),
]


@pytest.fixture(scope="module")
def cluster(local_cluster):
    """A client of the session's two-process cluster (conftest.py), the default scheduler inside
    this module."""
    with distributed.Client(local_cluster) as client:
        yield client


@pytest.mark.parametrize("formula,opts,type3,rows", [m + (BIG if k == 0 else N,) for k, m in enumerate(MODELS)])
def test_reread_equals_persisted_bit_for_bit_on_a_local_cluster(cluster, request, formula, opts, type3, rows):
    parquet = request.getfixturevalue("big" if rows == BIG else "parquet")
    kept = dimorph.dask.glm(formula, ddf_of(parquet), persist=True, type3=type3, **opts)
    reread = dimorph.dask.glm(formula, ddf_of(parquet), persist=False, type3=type3, **opts)
    assert ("type3" in kept.to_dict()) == type3
    assert kept.persisted and not reread.persisted
    assert figures(reread) == figures(kept)
    assert kept.nobs == rows - int(reread.to_dict()["n_read"] - reread.to_dict()["n_used"])
    # and both are the in-memory fit of the same rows (to the distributed fit's 1e-10)
    mem = dimorph.glm(formula, pd.read_parquet(parquet), profile=False, type3=False, **opts)
    b, m = reread.params.to_numpy(), mem.params.to_numpy()
    assert np.all(np.abs(b - m) <= 1e-10 * np.maximum(1.0, np.abs(m))), (b, m)


def test_reread_equals_persisted_on_the_synchronous_scheduler(parquet):
    formula, opts, _ = MODELS[0]
    with dask.config.set(scheduler="synchronous"):
        kept = dimorph.dask.glm(formula, ddf_of(parquet), persist=True, **opts)
        reread = dimorph.dask.glm(formula, ddf_of(parquet), persist=False, **opts)
    assert figures(reread) == figures(kept)


def test_the_default_persists_small_data_and_rereads_above_the_limit(parquet, monkeypatch):
    formula, opts, _ = MODELS[0]
    with dask.config.set(scheduler="synchronous"):
        small = dimorph.dask.glm(formula, ddf_of(parquet), **opts)
        monkeypatch.setattr(ddask, "_PERSIST_AUTO_MAX_BYTES", 1000)
        big = dimorph.dask.glm(formula, ddf_of(parquet), **opts)
    assert small.persisted and not big.persisted
    assert figures(big) == figures(small)
    with pytest.raises(dimorph.InputError, match="persist"):
        dimorph.dask.glm(formula, ddf_of(parquet), persist="yes", **opts)


def _counted_read(args):
    """Row group ``k`` of ``path``, read with pyarrow, each read counted in ``counts[k]`` (``run``
    only makes each run's graph its own: Dask reuses a graph of the same arguments)."""
    path, k, counts, run = args
    counts[k] += 1
    return pq.ParquetFile(path).read_row_group(k).to_pandas()


def test_reread_reads_every_partition_at_every_pass_and_persist_twice(parquet):
    """What each mode keeps between passes, seen through the reads of the source (one process,
    the synchronous scheduler, a counting reader): the re-read fit reads each partition once per
    pass, plus the first pass (levels and rows) and, for partition 0, the columns of X; the
    persisted fit reads each partition twice in all (levels, then coded once)."""
    formula, opts, _ = MODELS[0]
    k = PARTS
    meta = pq.ParquetFile(parquet).read_row_group(0).to_pandas().iloc[:0]
    for persist in (False, True):
        counts = [0] * k
        ddf = dd.from_map(_counted_read, [(str(parquet), j, counts, persist) for j in range(k)], meta=meta,
                          enforce_metadata=False)
        with dask.config.set(scheduler="synchronous"):
            r = dimorph.dask.glm(formula, ddf, persist=persist, type3=False, **opts)
        if persist:
            assert counts == [2] * k, counts
        else:
            assert counts == [r.passes + 2] + [r.passes + 1] * (k - 1), (counts, r.passes)


# -- Parquet partitions read as Arrow (dimorph.dask.ARROW_PARQUET), coded from their arrays -----

# x2 misses a value in every row group: those partitions are coded through their frame; the
# models without x2 code every partition straight from its arrays
NUMERIC = [
    ("y_bin ~ x1 + x2", {"family": "binomial"}),
    ("y_pois ~ x1 * t + offset(log(t))", {"family": "poisson"}),
    ("y_bin ~ x1 + I(x1^2) + t", {"family": "binomial"}),  # I(): through the frame
]


def test_a_numeric_model_reads_parquet_as_arrow_and_a_factor_does_not(parquet):
    ddf = ddf_of(parquet)
    pieces = ddask._parquet_pieces(ddf[["y_bin", "x1", "x2"]], ["y_bin", "x1", "x2"])
    assert pieces == [(str(parquet), [k]) for k in range(PARTS)]
    assert ddask._parquet_pieces(ddf, ["y_bin", "x1", "region"]) is None  # text: Dask's reader
    assert ddask._parquet_pieces(dd.read_parquet(str(parquet), split_row_groups=True,
                                                 filters=[("x1", ">", 0)]), ["y_bin", "x1"]) is None
    assert ddask._parquet_pieces(dd.from_pandas(pd.read_parquet(parquet), npartitions=3), ["y_bin", "x1"]) is None


@pytest.mark.parametrize("formula,opts", NUMERIC)
def test_arrow_partitions_give_the_fit_of_dasks_reader_bit_for_bit(cluster, parquet, formula, opts, monkeypatch):
    """Kept and re-read, through pyarrow's tables (no pandas) and through Dask's reader: one fit."""
    fits = {}
    for arrow in (True, False):
        monkeypatch.setattr(ddask, "ARROW_PARQUET", arrow)
        for persist in (True, False):
            fits[arrow, persist] = figures(dimorph.dask.glm(formula, ddf_of(parquet), persist=persist, type3=False,
                                                            **opts))
    assert len(set(fits.values())) == 1, fits.keys()
    mem = dimorph.glm(formula, pd.read_parquet(parquet), profile=False, type3=False, **opts)
    r = json.loads(fits[True, False])
    assert r["n_used"] == mem.nobs == (N - 150 if "x2" in formula else N)
    b = np.array([np.nan if v is None else v for v in r["coef"]])
    m = mem.params.to_numpy()
    assert np.all(np.abs(b - m) <= 1e-10 * np.maximum(1.0, np.abs(m))), (b, m)


def test_arrow_reread_reads_every_partition_at_every_pass(parquet, monkeypatch):
    """As test_reread_reads_every_partition_at_every_pass_and_persist_twice, for the row groups
    read as Arrow: each pass reads each row group again; kept, each is read twice in all."""
    formula, opts = NUMERIC[0]
    k = PARTS
    read = ddask._read_parquet
    for persist in (False, True):
        counts = [0] * k

        def counted(path, groups, columns):
            counts[groups[0]] += 1
            return read(path, groups, columns)

        monkeypatch.setattr(ddask, "_read_parquet", counted)
        with dask.config.set(scheduler="synchronous"):
            r = dimorph.dask.glm(formula, ddf_of(parquet), persist=persist, type3=False, **opts)
        if persist:
            assert counts == [2] * k, counts
        else:
            assert counts == [r.passes + 2] + [r.passes + 1] * (k - 1), (counts, r.passes)


def test_a_partition_coded_from_its_arrays_is_the_one_coded_from_its_frame(parquet):
    """glm_design_arrays (X written once from the columns) gives the part glm_design_part gives
    from the frame, bit for bit (compared through their pickled arrays); a partition with a
    missing value is left to the frame (None)."""
    import pickle

    from dimorph import _dimorph

    cols = ["y_pois", "x1", "x2", "t"]
    formula, model = "y_pois ~ x1 * t + offset(log(t))", ("poisson", None, None, False)
    table = pq.ParquetFile(parquet).read_row_groups([5], columns=cols)
    frame = dimorph._data.to_frame(table)
    levels = _dimorph.glm_merge_levels(formula, cols, [_dimorph.glm_part_levels(frame, formula)], "t")
    for data in (table, table.to_pandas()):
        arrays = ddask._arrays(data, cols)
        fast = _dimorph.glm_design_arrays(cols, arrays, len(data), formula, cols, levels, model)
        slow = _dimorph.glm_design_part(frame, formula, cols, levels, model)
        assert fast is not None and pickle.dumps(fast) == pickle.dumps(slow)
    with_x2 = "y_pois ~ x1 * x2 + offset(log(t))"
    levels = _dimorph.glm_merge_levels(with_x2, cols, [_dimorph.glm_part_levels(frame, with_x2)], "t")
    assert np.isnan(table.column("x2").to_numpy(zero_copy_only=False)).any()
    assert _dimorph.glm_design_arrays(cols, ddask._arrays(table, cols), len(table), with_x2, cols, levels,
                                      model) is None
