"""What the Python package costs over the engine: one logistic GLM on a 1,000,000 × 20 pandas
frame (generated with a fixed seed), fitted in one run by

- ``dimorph.glm(formula, pandas_df)`` — the data conversion (pandas → the engine's frame, each
  column copied once) plus the fit;
- ``dimorph.glm(formula, frame)`` on a frame converted beforehand — the Rust fit alone, called
  from Python (the engine's entry point on its own frame; nothing Python happens inside);
- the CLI, ``dimorph glm --data file.parquet`` — reading the Parquet file and the fit, in a
  process of its own (``--format json``, output discarded);
- statsmodels' ``GLM(y, X, family=Binomial()).fit()`` on the same numpy design (the peer), when
  statsmodels is installed;
- ``dimorph.dask.glm`` on a two-process ``LocalCluster`` with 8 partitions (``--dask``).

Every dimorph fit skips the profile-likelihood intervals and Type 3 likelihood-ratio refits
(``profile=False``/``--no-profile --no-type3``), so all do the same work: IRLS, standard errors
and fit statistics. Each is timed ``--repeat`` times (default 3), the best time is printed with its
ratio to the Rust fit alone, and the coefficients are compared with the Rust fit's (max abs
difference) so that the timings are of the same answer.

    python bench/python_overhead.py [--rows 1000000] [--repeat 3] [--dask] [--cli target/release/dimorph]

Needs the package installed (``pip install ./python``), numpy, pandas, pyarrow; statsmodels and
dask/distributed optional. Never a timed test: run it by hand and read the figures.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import dimorph

REPO = Path(__file__).resolve().parents[1]
K = 20


def make_data(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(20261126)
    x = rng.normal(size=(n, K))
    beta = np.linspace(-0.5, 0.5, K)
    eta = -0.3 + x @ beta * 0.5
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(np.float64)
    df = pd.DataFrame(x, columns=[f"x{j + 1}" for j in range(K)])
    df.insert(0, "y", y)
    return df


def best(f, repeat: int):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dask", action="store_true", help="also dimorph.dask.glm on a 2-worker LocalCluster")
    ap.add_argument("--cli", default=None, help="the dimorph binary (default: target/release, else target/debug)")
    a = ap.parse_args()

    df = make_data(a.rows)
    formula = "y ~ " + " + ".join(f"x{j + 1}" for j in range(K))
    print(f"data: {a.rows:,} rows x {K} covariates + response (logistic), best of {a.repeat}")
    rows = []

    frame = dimorph.to_frame(df)
    t_rust, r_rust = best(lambda: dimorph.glm(formula, frame, family="binomial", profile=False), a.repeat)
    ref = r_rust.params.to_numpy()
    rows.append(("Rust fit alone (dimorph.glm on a Frame)", t_rust, 0.0))

    t_conv, _ = best(lambda: dimorph.to_frame(df), a.repeat)
    rows.append(("pandas -> Frame conversion only", t_conv, float("nan")))

    t_py, r_py = best(lambda: dimorph.glm(formula, df, family="binomial", profile=False), a.repeat)
    rows.append(("dimorph.glm(pandas DataFrame)", t_py, float(np.max(np.abs(r_py.params.to_numpy() - ref)))))

    cli = Path(a.cli) if a.cli else next((p for p in (REPO / "target/release/dimorph", REPO / "target/debug/dimorph")
                                          if p.exists()), None)
    tmp = Path(tempfile.mkdtemp(prefix="dimorph-bench-"))
    try:
        if cli is not None:
            path = tmp / "data.parquet"
            df.to_parquet(path, index=False)
            cmd = [str(cli), "glm", "--data", str(path), formula, "--family", "binomial", "--no-profile",
                   "--no-type3", "--format", "json"]
            t_cli, out = best(lambda: subprocess.run(cmd, capture_output=True, text=True, check=True), a.repeat)
            import json

            coefs = json.loads(out.stdout)["result"]["inference"]["coefficients"]
            diff = float(np.max(np.abs(np.array([c["estimate"] for c in coefs]) - ref)))
            rows.append((f"CLI {cli.relative_to(REPO) if cli.is_relative_to(REPO) else cli} (Parquet file)", t_cli, diff))
        else:
            print("(no dimorph binary: build it with cargo build --release -p dimorph, or pass --cli)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    try:
        import statsmodels.api as sm

        X = sm.add_constant(df[[f"x{j + 1}" for j in range(K)]].to_numpy())
        yv = df["y"].to_numpy()
        t_sm, r_sm = best(lambda: sm.GLM(yv, X, family=sm.families.Binomial()).fit(), a.repeat)
        rows.append((f"statsmodels {sm.__version__ if hasattr(sm, '__version__') else ''} GLM (IRLS)", t_sm,
                     float(np.max(np.abs(np.asarray(r_sm.params) - ref)))))
    except ImportError:
        print("(statsmodels not installed: pip install statsmodels)")

    if a.dask:
        import dask.dataframe as dd
        from distributed import Client, LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c, \
                Client(c):
            ddf = dd.from_pandas(df, npartitions=8).persist()
            t_d, r_d = best(lambda: dimorph.dask.glm(formula, ddf, family="binomial"), a.repeat)
            rows.append(("dimorph.dask.glm, 2-worker LocalCluster, 8 partitions", t_d,
                         float(np.max(np.abs(r_d.params.to_numpy() - ref)))))

    print(f"{'':58s} {'seconds':>9s} {'x Rust fit':>11s} {'max |diff β|':>13s}")
    for name, t, d in rows:
        print(f"{name:58s} {t:9.3f} {t / t_rust:11.2f} {d:13.2e}")
    print(f"python: {sys.version.split()[0]}, dimorph {dimorph.__version__}, cores: {os.cpu_count()}")


if __name__ == "__main__":
    main()
