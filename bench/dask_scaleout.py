#!/usr/bin/env python3
"""Scale-out benchmark of dimorph.dask.glm (issue 11): N rows × 20 columns of Parquet (18
predictors x1…x18 and two responses y_bin, y_pois; fixed seed, many files), fitted in the same
run by

- dimorph.dask.glm (distributed IRLS) on a 2-worker distributed.LocalCluster (processes, 1 thread
  each): logistic and Poisson;
- dask-ml's LogisticRegression and PoissonRegression (solver="newton", no penalty: the unpenalized
  maximum-likelihood fit) on a fresh cluster of the same shape;
- Spark MLlib's GeneralizedLinearRegression (pyspark, local[2], IRLS, regParam 0) on the same files;
- the in-memory dimorph.glm on the whole data (when N <= --in-memory-max), whose coefficients the
  others are compared with (max |Δβ|).

Printed per fit: wall time (reading the files included for every tool), its ratio to dimorph's,
peak RSS per Dask worker (each method on a fresh cluster, so the peak is that fit's: ru_maxrss of
each worker process) or of Spark's JVM (polled), and the agreement with the in-memory fit.
Timing is a benchmark, never a test. N is a parameter: the issue's 100M rows need a machine with
more memory than the 2-core / 24 GB one where the figures in python/README.md were taken.

    python bench/dask_scaleout.py --install            # the peers (bench/dask_scaleout_requirements.txt)
    python bench/dask_scaleout.py --rows 10000000 --files 40
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

P = 18
PREDICTORS = [f"x{k}" for k in range(1, P + 1)]
SEED = 20261126


def install() -> None:
    req = Path(__file__).with_name("dask_scaleout_requirements.txt")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-r", str(req)], check=True)


def generate(folder: Path, rows: int, files: int) -> None:
    """Files part-000.parquet …, each of rows/files rows, seeded by (SEED, file index)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    stamp = folder / "_meta.json"
    want = {"rows": rows, "files": files, "seed": SEED, "p": P}
    if stamp.exists() and json.loads(stamp.read_text()) == want:
        return
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("part-*.parquet"):
        old.unlink()
    beta_b = np.linspace(-0.5, 0.5, P)
    beta_p = np.linspace(0.2, -0.2, P)
    bounds = np.linspace(0, rows, files + 1).astype(np.int64)
    for f in range(files):
        n = int(bounds[f + 1] - bounds[f])
        rng = np.random.default_rng([SEED, f])
        x = rng.standard_normal((n, P)) * 0.5
        eta_b = -0.3 + x @ beta_b
        eta_p = 0.1 + x @ beta_p
        cols = {c: x[:, k] for k, c in enumerate(PREDICTORS)}
        cols["y_bin"] = (rng.random(n) < 1 / (1 + np.exp(-eta_b))).astype(np.float64)
        cols["y_pois"] = rng.poisson(np.exp(eta_p)).astype(np.float64)
        pq.write_table(pa.table(cols), folder / f"part-{f:03d}.parquet", row_group_size=1 << 20)
    stamp.write_text(json.dumps(want))


class PeakRss:
    """Polls the resident set size of some processes (every 0.1 s, from this process) and keeps
    each one's peak, in MB."""

    def __init__(self, pids):
        import psutil

        self.procs = [psutil.Process(p) for p in pids]
        self.peaks = [0.0] * len(self.procs)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.poll, daemon=True)

    def poll(self):
        while not self.stop.is_set():
            for i, p in enumerate(self.procs):
                try:
                    self.peaks[i] = max(self.peaks[i], p.memory_info().rss / 2**20)
                except Exception:
                    pass
            time.sleep(0.1)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def on_cluster(workers: int, fn):
    """fn(client) on a fresh LocalCluster; returns (its value, peak RSS in MB of each worker
    process, polled)."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, memory_limit=0) as c, Client(c) as client:
        pids = list(client.run(os.getpid).values())
        with PeakRss(pids) as rss:
            value = fn(client)
    return value, sorted(rss.peaks)


def fit_dimorph(folder: Path, family: str, workers: int):
    import dask.dataframe as dd
    import dimorph

    y = "y_bin" if family == "binomial" else "y_pois"

    def run(client):
        t = time.perf_counter()
        ddf = dd.read_parquet(str(folder / "part-*.parquet"), columns=[y] + PREDICTORS)
        r = dimorph.dask.glm(f"{y} ~ " + " + ".join(PREDICTORS), ddf, family=family, type3=False)
        return time.perf_counter() - t, r.params.to_numpy(), r.passes

    (secs, beta, passes), peaks = on_cluster(workers, run)
    return secs, beta, peaks, f"{passes} passes"


def fit_daskml(folder: Path, family: str, workers: int):
    import dask.dataframe as dd
    from dask_ml.linear_model import LogisticRegression, PoissonRegression

    y = "y_bin" if family == "binomial" else "y_pois"

    def run(client):
        t = time.perf_counter()
        ddf = dd.read_parquet(str(folder / "part-*.parquet"), columns=[y] + PREDICTORS)
        arr = ddf.to_dask_array(lengths=True)  # one array, so that X and y share their chunks
        arr = client.persist(arr)
        X, yy = arr[:, 1:], arr[:, 0]
        cls = LogisticRegression if family == "binomial" else PoissonRegression
        m = cls(solver="newton", fit_intercept=True, max_iter=100, tol=1e-8)  # newton: no penalty
        m.fit(X, yy)
        beta = np.concatenate([[float(m.intercept_)], np.asarray(m.coef_, dtype=float).ravel()])
        return time.perf_counter() - t, beta

    (secs, beta), peaks = on_cluster(workers, run)
    return secs, beta, peaks, "solver=newton"


def fit_spark(folder: Path, family: str, workers: int):
    import psutil
    from pyspark.ml.feature import VectorAssembler
    from pyspark.ml.regression import GeneralizedLinearRegression
    from pyspark.sql import SparkSession

    y = "y_bin" if family == "binomial" else "y_pois"
    spark = (SparkSession.builder.master(f"local[{workers}]").appName("dimorph-bench")
             .config("spark.driver.memory", "8g").config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.shuffle.partitions", str(workers * 4)).getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    jvms = [p.pid for p in psutil.Process().children(recursive=True) if "java" in p.name()]
    rss = PeakRss(jvms)
    rss.__enter__()
    try:
        t = time.perf_counter()
        df = spark.read.parquet(str(folder))
        df = VectorAssembler(inputCols=PREDICTORS, outputCol="features").transform(df).select("features", y)
        link = "logit" if family == "binomial" else "log"
        m = GeneralizedLinearRegression(family=family, link=link, labelCol=y, maxIter=25, tol=1e-8,
                                        regParam=0.0).fit(df)
        secs = time.perf_counter() - t
        beta = np.concatenate([[m.intercept], m.coefficients.toArray()])
    finally:
        rss.__exit__()
        spark.stop()
    return secs, beta, [sum(rss.peaks)], "local mode, one JVM (peak RSS of the JVM)"


def fit_in_memory(folder: Path, family: str):
    import pandas as pd
    import dimorph

    y = "y_bin" if family == "binomial" else "y_pois"
    t = time.perf_counter()
    df = pd.read_parquet(folder, columns=[y] + PREDICTORS)
    r = dimorph.glm(f"{y} ~ " + " + ".join(PREDICTORS), df, family=family, profile=False, type3=False)
    return time.perf_counter() - t, r.params.to_numpy()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--files", type=int, default=40)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/dimorph-scaleout"))
    ap.add_argument("--in-memory-max", type=int, default=20_000_000,
                    help="fit in memory (the reference coefficients) up to this many rows")
    ap.add_argument("--skip", default="", help="comma-separated: daskml,spark,memory")
    ap.add_argument("--install", action="store_true", help="pip install the peers and exit")
    a = ap.parse_args()
    if a.install:
        install()
        return
    skip = set(filter(None, a.skip.split(",")))
    t = time.perf_counter()
    generate(a.dir / f"n{a.rows}", a.rows, a.files)
    folder = a.dir / f"n{a.rows}"
    print(f"data: {a.rows:,} rows x {P + 2} columns in {a.files} Parquet files at {folder} "
          f"(made or found in {time.perf_counter() - t:.1f} s); {a.workers} workers, {os.cpu_count()} cores")
    import dask
    import distributed
    import dimorph

    print(f"dimorph {dimorph.__version__}, dask {dask.__version__}, distributed {distributed.__version__}")
    for family in ("binomial", "poisson"):
        rows = []
        ref = None
        if "memory" not in skip and a.rows <= a.in_memory_max:
            secs, ref = fit_in_memory(folder, family)
            rows.append(("dimorph.glm in memory (reference)", secs, ref, [], ""))
        secs, beta, peaks, note = fit_dimorph(folder, family, a.workers)
        base = secs
        rows.append(("dimorph.dask.glm", secs, beta, peaks, note))
        if "daskml" not in skip:
            try:
                rows.append(("dask-ml " + ("LogisticRegression" if family == "binomial" else "PoissonRegression"),
                             *fit_daskml(folder, family, a.workers)))
            except Exception as e:  # a peer that fails is reported, not fatal
                print(f"  dask-ml failed: {type(e).__name__}: {str(e)[:300]}")
        if "spark" not in skip:
            try:
                rows.append(("Spark MLlib GeneralizedLinearRegression", *fit_spark(folder, family, a.workers)))
            except Exception as e:
                print(f"  Spark failed: {type(e).__name__}: {str(e)[:300]}")
        print(f"\n{family}: y ~ x1 + … + x{P}, {a.rows:,} rows")
        print(f"  {'fit':<44} {'seconds':>8} {'x dimorph':>9} {'peak RSS per worker (MB)':>26} {'max |Δβ| vs memory':>19}")
        for name, secs, beta, peaks, note in rows:
            d = "" if ref is None or name.endswith("(reference)") else f"{np.max(np.abs(beta - ref)):.1e}"
            pk = " / ".join(f"{p:.0f}" for p in peaks)
            print(f"  {name:<44} {secs:8.1f} {secs / base:9.2f} {pk:>26} {d:>19}  {note}")


if __name__ == "__main__":
    main()
